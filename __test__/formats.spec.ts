// Formats: every accepted spelling (struct characters with every prefix, compound struct formats, dtype
// names) and the rejections, observed through owned matrices.

import os from 'node:os'
import test, { type ExecutionContext } from 'ava'
import { type Dtype, IndirectMemory2D } from 'indirect-buffer'
import { throwsCode } from './helpers/native-views.js'

const NATIVE_ORDER: 'little' | 'big' = os.endianness() === 'LE' ? 'little' : 'big'
const IS_64_BIT = ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'].includes(process.arch)
const POINTER_SIZE = IS_64_BIT ? 8 : 4
/** The C `long`: 4 bytes on Windows (LLP64), the pointer size elsewhere (LP64 / ILP32). */
const LONG_SIZE = process.platform === 'win32' ? 4 : POINTER_SIZE

/** Asserts `fn` throws exactly an instance of `Cls` (not a subclass) with `code` (and `message`). */

function make(format: unknown, rows = 2, cols = 3): IndirectMemory2D {
  return IndirectMemory2D.createMemory({ rows, cols, format: format as string })
}

interface Expect {
  itemsize: number
  dtype: Dtype
  byteOrder: 'little' | 'big'
}

function checkFormat(t: ExecutionContext, format: string, e: Expect): void {
  const m = make(format, 2, 3)
  t.is(m.format, format, `format of ${JSON.stringify(format)}`)
  t.is(m.itemsize, e.itemsize, `itemsize of ${JSON.stringify(format)}`)
  t.is(m.dtype, e.dtype, `dtype of ${JSON.stringify(format)}`)
  t.is(m.byteOrder, e.byteOrder, `byteOrder of ${JSON.stringify(format)}`)
  t.is(m.nbytes, 6 * e.itemsize, `nbytes of ${JSON.stringify(format)}`)
}

// [char, native size, native dtype, standard size, standard dtype] (standard undefined: invalid with = < > !)
const CHARS: [string, number, Dtype, number | undefined, Dtype | undefined][] = [
  ['c', 1, 'uint8', 1, 'uint8'],
  ['b', 1, 'int8', 1, 'int8'],
  ['B', 1, 'uint8', 1, 'uint8'],
  ['?', 1, 'bool', 1, 'bool'],
  ['h', 2, 'int16', 2, 'int16'],
  ['H', 2, 'uint16', 2, 'uint16'],
  ['i', 4, 'int32', 4, 'int32'],
  ['I', 4, 'uint32', 4, 'uint32'],
  ['l', LONG_SIZE, LONG_SIZE === 8 ? 'int64' : 'int32', 4, 'int32'],
  ['L', LONG_SIZE, LONG_SIZE === 8 ? 'uint64' : 'uint32', 4, 'uint32'],
  ['q', 8, 'int64', 8, 'int64'],
  ['Q', 8, 'uint64', 8, 'uint64'],
  ['n', POINTER_SIZE, POINTER_SIZE === 8 ? 'int64' : 'int32', undefined, undefined],
  ['N', POINTER_SIZE, POINTER_SIZE === 8 ? 'uint64' : 'uint32', undefined, undefined],
  ['e', 2, 'float16', 2, 'float16'],
  ['f', 4, 'float32', 4, 'float32'],
  ['d', 8, 'float64', 8, 'float64'],
  ['P', POINTER_SIZE, POINTER_SIZE === 8 ? 'uint64' : 'uint32', undefined, undefined],
]

const STANDARD_PREFIXES: [string, 'little' | 'big'][] = [
  ['=', NATIVE_ORDER],
  ['<', 'little'],
  ['>', 'big'],
  ['!', 'big'],
]

test('struct characters without prefix and with @ use native sizes and native byte order', (t) => {
  for (const [ch, size, dtype] of CHARS) {
    for (const prefix of ['', '@']) checkFormat(t, prefix + ch, { itemsize: size, dtype, byteOrder: NATIVE_ORDER })
  }
})

test('struct characters with = < > ! use standard sizes and the prefix byte order', (t) => {
  for (const [ch, , , size, dtype] of CHARS) {
    if (size === undefined || dtype === undefined) continue
    for (const [prefix, order] of STANDARD_PREFIXES) checkFormat(t, prefix + ch, { itemsize: size, dtype, byteOrder: order })
  }
})

test('native l and L follow the C long of the platform; standard l and L are 4 bytes', (t) => {
  t.is(make('l').itemsize, LONG_SIZE)
  t.is(make('L').itemsize, LONG_SIZE)
  t.is(make('<l').itemsize, 4)
  t.is(make('>L').itemsize, 4)
  t.is(make('<l').dtype, 'int32')
  t.is(make('!L').dtype, 'uint32')
})

test('n, N and P are invalid with a standard-size prefix', (t) => {
  for (const ch of ['n', 'N', 'P']) {
    for (const [prefix] of STANDARD_PREFIXES) {
      throwsCode(t, () => make(prefix + ch), 'ERR_INVALID_FORMAT', TypeError)
    }
  }
})

test('dtype names: itemsize, dtype and native byte order', (t) => {
  const names: [Dtype, number][] = [
    ['int8', 1],
    ['uint8', 1],
    ['uint8c', 1],
    ['int16', 2],
    ['uint16', 2],
    ['int32', 4],
    ['uint32', 4],
    ['int64', 8],
    ['uint64', 8],
    ['float16', 2],
    ['float32', 4],
    ['float64', 8],
    ['bool', 1],
  ]
  for (const [name, size] of names) checkFormat(t, name, { itemsize: size, dtype: name, byteOrder: NATIVE_ORDER })
})

test('compound formats are records whose itemsize follows struct.calcsize', (t) => {
  const records: [string, number, 'little' | 'big'][] = [
    ['id', 16, NATIVE_ORDER], // i, 4 bytes padding, d
    ['@id', 16, NATIVE_ORDER],
    ['<id', 12, 'little'], // standard: no padding
    ['=id', 12, NATIVE_ORDER],
    ['>id', 12, 'big'],
    ['3s', 3, NATIVE_ORDER],
    ['hi', 8, NATIVE_ORDER], // h, 2 bytes padding, i
    ['ih', 6, NATIVE_ORDER], // no trailing padding
    ['@bq', 16, NATIVE_ORDER],
    ['x', 1, NATIVE_ORDER],
    ['4x', 4, NATIVE_ORDER],
    ['<hh4x', 8, 'little'],
    ['!hi', 6, 'big'],
    ['2d', 16, NATIVE_ORDER],
    ['10s2i', 20, NATIVE_ORDER], // 10 bytes, 2 padding, 2 × 4
  ]
  for (const [format, size, order] of records) checkFormat(t, format, { itemsize: size, dtype: 'record', byteOrder: order })
})

test('format is returned exactly as given, for every family', (t) => {
  for (const format of ['d', '@d', '=d', '<d', '>d', '!d', 'float64', 'id', '<hh4x', '3s', 'uint8c', '?']) {
    const m = make(format)
    t.is(m.format, format)
  }
})

test('rejected formats throw a TypeError with code ERR_INVALID_FORMAT', (t) => {
  const bad: unknown[] = [
    '',
    'z',
    '<n',
    '>P',
    '0d',
    '0s',
    '<', // itemsize 0
    'dé',
    'é',
    'д',
    '\u{1F600}',
    'int33',
    'Int32',
    'float',
    'i<',
    '<<i',
    5,
    null,
    {},
    [],
    true,
    Symbol('d'),
    undefined,
    new String('d'),
  ]
  for (const format of bad) {
    throwsCode(t, () => make(format), 'ERR_INVALID_FORMAT', TypeError)
  }
})

test('reinterpretData validates its format too (ERR_INVALID_FORMAT, matrix unchanged)', (t) => {
  const m = make('i', 2, 3)
  for (const format of ['', 'z', '0d', 5, null]) {
    throwsCode(t, () => m.reinterpretData(format as string), 'ERR_INVALID_FORMAT', TypeError)
  }
  t.is(m.format, 'i')
  t.deepEqual(m.shape, [2, 3])
})

test('records: get, set, row and rowViews throw ERR_FORMAT_UNSUPPORTED; rowBytes works', (t) => {
  for (const [format, size] of [
    ['id', 16],
    ['<id', 12],
    ['3s', 3],
    ['ih', 6],
    ['4x', 4],
  ] as const) {
    const m = IndirectMemory2D.createMemory({ rows: 3, cols: 2, format })
    throwsCode(t, () => m.get(0, 0), 'ERR_FORMAT_UNSUPPORTED', TypeError)
    throwsCode(t, () => m.set(0, 0, 1), 'ERR_FORMAT_UNSUPPORTED', TypeError)
    throwsCode(t, () => m.row(0), 'ERR_FORMAT_UNSUPPORTED', TypeError)
    throwsCode(t, () => m.rowViews(), 'ERR_FORMAT_UNSUPPORTED', TypeError)
    for (let r = 0; r < 3; r++) {
      const bytes = m.rowBytes(r)
      t.true(bytes instanceof Uint8Array)
      t.is(bytes.length, 2 * size, `rowBytes length for ${format}`)
      t.true(bytes.every((b) => b === 0))
      bytes.fill(r + 1)
    }
    // Written through rowBytes, read back through fresh views: rows are distinct memory.
    for (let r = 0; r < 3; r++)
      t.true(
        m.rowBytes(r).every((b) => b === r + 1),
        `row ${r} of ${format}`,
      )
    t.true(m.rowBytes(-1).every((b) => b === 3))
  }
})

test("'c' reads back as a number (the byte), '?' as a boolean", (t) => {
  const c = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'c' })
  c.set(0, 0, 65)
  t.is(c.get(0, 0), 65)
  const b = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: '?' })
  t.is(b.get(0, 0), false)
  b.set(0, 0, 1)
  t.is(b.get(0, 0), true)
})
