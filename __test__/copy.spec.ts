// Copies by example (the copy rules, the value rules of formats, the 2-D sources): cast and convert with the
// contract's own examples and the edge values of every rule, byte orders, formats that match by meaning, every
// layout of the other side (column-major, transposed, reversed, broadcast, every other row, negative strides,
// collections, arrays of rows), overlapping memory, the order of the checks alone and combined, released and
// detached sides, bad options, toTypedArray / toArray, and arrays of plain values. Larger copies are compared
// with the element-by-element reference of helpers/copy-reference.ts, so that the native kernels' blocked,
// vectorised and threaded paths are covered too.

import os from 'node:os'
import test, { type ExecutionContext } from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import {
  diffMemory,
  Float16ArrayCtor,
  fill,
  garbage,
  halfToNumber,
  referenceCopy,
  type Side,
  shadow,
  show,
  type TypedArrayCtor,
  type Value,
} from './helpers/copy-reference.js'
import { throwsCode } from './helpers/native-views.js'

type Matrix = IndirectMemory2D | BufferCollection2D
type Source = Parameters<Matrix['copyFrom']>[0]

const LITTLE = os.endianness() === 'LE'
const LONG_IS_64 = process.platform !== 'win32' && ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64'].includes(process.arch)

/** Asserts that `fn` throws `code` (with exactly `message` when given) as an instance of exactly `Cls`. */

/** A new matrix of `format` holding `values` (stored with `set`, not with a copy). */
function make(format: string, values: Value[][], opts: { readonly?: boolean; cols?: number } = {}): IndirectMemory2D {
  const rows = values.length
  const cols = opts.cols ?? (rows > 0 ? values[0].length : 0)
  const m = IndirectMemory2D.createMemory({ rows, cols, format })
  values.forEach((row, r) => {
    row.forEach((v, c) => {
      m.set(r, c, v as never)
    })
  })
  if (opts.readonly) m.makeReadOnly()
  return m
}

/** Every element of `m` (with get, and toArray) is `expected`, compared with Object.is (NaN equals NaN, -0 is not 0). */
function expectValues(t: ExecutionContext, m: Matrix, expected: Value[][], label = ''): void {
  t.deepEqual(m.shape, [expected.length, expected.length > 0 ? expected[0].length : m.cols], `${label} shape`)
  const arr = m.toArray()
  expected.forEach((row, r) => {
    row.forEach((v, c) => {
      const got = m.get(r, c)
      if (!Object.is(got, v)) t.fail(`${label} get(${r}, ${c}) = ${show(got)}, expected ${show(v)}`)
      if (!Object.is(arr[r][c], v)) t.fail(`${label} toArray()[${r}][${c}] = ${show(arr[r][c])}, expected ${show(v)}`)
    })
  })
  t.pass()
}

/** The bytes of every row, concatenated (the matrix must be writable: rowBytes is a view). */
function bytesOf(m: Matrix): number[] {
  const out: number[] = []
  for (let r = 0; r < m.rows; r++) out.push(...m.rowBytes(r))
  return out
}

/** The values of a read-only or writable matrix as a flat list (toArray), for "unchanged" checks. */
function valuesOf(m: Matrix): unknown[] {
  return m.toArray().flat()
}

/** Detaches the buffer of `view` by transferring it (as postMessage would). */
function transfer(view: ArrayBufferView): void {
  const buffer = view.buffer as ArrayBuffer
  structuredClone(buffer, { transfer: [buffer] })
  if (buffer.byteLength !== 0) throw new Error('the buffer was not detached')
}

/** The elements of a TypedArray of any kind as a list. */
function list(a: unknown): (number | bigint)[] {
  return Array.from(a as ArrayLike<number | bigint>)
}

function iota(n: number, start = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => start + i)
}

/** `rows × cols` values r * 10 + c + 0.5. */
function grid(rows: number, cols: number, base = 0): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => base + r * 10 + c + 0.5))
}

// ---------------------------------------------------------------------------------------------------------
// cast: raw bytes between formats of one itemsize

test('cast: int8 -1 → uint8 255 (the contract example), and every int8 byte as the uint8 of the same bits', (t) => {
  const src = make('b', [[-1, -128, 127, 0, -2]])
  const dst = IndirectMemory2D.createMemory({ rows: 1, cols: 5, format: 'B' })
  dst.copyFrom(src, { cast: true })
  expectValues(t, dst, [[255, 128, 127, 0, 254]])
  const back = IndirectMemory2D.createMemory({ rows: 1, cols: 5, format: 'int8' })
  dst.copyTo(back, { cast: true })
  expectValues(t, back, [[-1, -128, 127, 0, -2]])
})

test('cast: bit patterns between 4- and 8-byte formats of different kinds, and across byte orders', (t) => {
  const f = make('f', [[1, -0, Infinity]])
  const i = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'i' })
  i.copyFrom(f, { cast: true })
  expectValues(t, i, [[0x3f800000, -(2 ** 31), 0x7f800000]])
  const d = make('d', [[-0, 1]])
  const q = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'q' })
  q.copyFrom(d, { cast: true })
  expectValues(t, q, [[-(2n ** 63n), 0x3ff0000000000000n]])
  // '>i' bytes 00 00 00 01 read as native int32
  const big = make('>i', [[1, -2]])
  const native = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'i' })
  native.copyFrom(big, { cast: true })
  t.deepEqual(bytesOf(native), [0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe])
  expectValues(t, native, LITTLE ? [[0x01000000, -0x01000001]] : [[1, -2]])
  // cast into '?' keeps the byte (2 stays 2); it reads as true
  const b = make('B', [[2, 0]])
  const bools = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: '?' })
  bools.copyFrom(b, { cast: true })
  t.deepEqual(bytesOf(bools), [2, 0])
  expectValues(t, bools, [[true, false]])
})

test('cast keeps NaN payloads and -0 bit for bit', (t) => {
  const bits = [0x7ff0000000000001n, 0xfff8000000000abcn, 0x8000000000000000n]
  const src = make('Q', [bits])
  const d = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'd' })
  d.copyFrom(src, { cast: true })
  const back = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'Q' })
  back.copyFrom(d, { cast: true })
  expectValues(t, back, [bits])
  // a plain copy and a convert between identical formats are bytes as they are too
  const d2 = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'float64' })
  d2.copyFrom(d)
  t.deepEqual(bytesOf(d2), bytesOf(d))
  const d3 = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'd' })
  d3.copyFrom(d, { convert: true })
  t.deepEqual(bytesOf(d3), bytesOf(d))
})

// ---------------------------------------------------------------------------------------------------------
// convert: TypedArray assignment rules

test('convert: float64 3.7 → int32 3, 2**32+1 → 1, NaN → 0 (the contract examples) and the wrap-around edges', (t) => {
  const src = make('d', [[3.7, 2 ** 32 + 1, NaN, -3.7, 2 ** 31, -(2 ** 31) - 1, 1e300, Infinity, -Infinity, -0, 2 ** 53 + 2]])
  const dst = IndirectMemory2D.createMemory({ rows: 1, cols: 11, format: 'i' })
  dst.copyFrom(src, { convert: true })
  expectValues(t, dst, [[3, 1, 0, -3, -(2 ** 31), 2 ** 31 - 1, 0, 0, 0, 0, 2]])
  const u = IndirectMemory2D.createMemory({ rows: 1, cols: 11, format: 'I' })
  src.copyTo(u, { convert: true })
  expectValues(t, u, [[3, 1, 0, 2 ** 32 - 3, 2 ** 31, 2 ** 31 - 1, 0, 0, 0, 0, 2]])
  const h = IndirectMemory2D.createMemory({ rows: 1, cols: 11, format: '>h' })
  src.copyTo(h, { convert: true })
  expectValues(t, h, [[3, 1, 0, -3, 0, -1, 0, 0, 0, 0, 2]])
  const b = IndirectMemory2D.createMemory({ rows: 1, cols: 11, format: 'b' })
  src.copyTo(b, { convert: true })
  expectValues(t, b, [[3, 1, 0, -3, 0, -1, 0, 0, 0, 0, 2]])
})

test('convert into uint8c clamps and rounds half to even; into uint8 it wraps', (t) => {
  const values = [255.5, 254.5, 253.5, 0.5, 1.5, 2.5, -1, 300, NaN, -0, Infinity, -Infinity, 0.49999999999999994]
  const src = make('d', [values])
  const c = IndirectMemory2D.createMemory({ rows: 1, cols: values.length, format: 'uint8c' })
  c.copyFrom(src, { convert: true })
  expectValues(t, c, [[255, 254, 254, 0, 2, 2, 0, 255, 0, 0, 255, 0, 0]])
  const u = IndirectMemory2D.createMemory({ rows: 1, cols: values.length, format: 'B' })
  u.copyFrom(src, { convert: true })
  expectValues(t, u, [[255, 254, 253, 0, 1, 2, 255, 44, 0, 0, 0, 0, 0]])
  // int8 → uint8c clamps negatives (Uint8ClampedArray.prototype.set does)
  const c2 = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'uint8c' })
  c2.copyFrom(make('b', [[-1, -128, 127]]), { convert: true })
  expectValues(t, c2, [[0, 0, 127]])
  const c3 = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'uint8c' })
  c3.copyFrom(make('>h', [[-5, 300, 255]]), { convert: true })
  expectValues(t, c3, [[0, 255, 255]])
})

test('convert into float32 rounds to nearest even; overflow to Infinity, underflow to signed zero', (t) => {
  const values = [
    1 + 2 ** -24,
    1 + 3 * 2 ** -24,
    3.4028235677973366e38,
    3.4028234663852886e38,
    1e-50,
    -1e-50,
    2 ** -149,
    2 ** -150,
    3 * 2 ** -150,
    NaN,
    -0,
  ]
  const src = make('d', [values])
  for (const format of ['f', '>f', '<f', 'float32']) {
    const dst = IndirectMemory2D.createMemory({ rows: 1, cols: values.length, format })
    dst.copyFrom(src, { convert: true })
    expectValues(t, dst, [[1, 1 + 2 ** -22, Infinity, 3.4028234663852886e38, 0, -0, 2 ** -149, 0, 2 ** -148, NaN, -0]], format)
  }
})

test('convert into float16 rounds once, to nearest even, from the double; both byte orders', (t) => {
  const values = [
    65519,
    65520,
    65504,
    2 ** -25,
    3 * 2 ** -25,
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
    -0,
    NaN,
    -1e-10,
    1e300,
    2 ** -24,
    1 + 2 ** -11 + 2 ** -40,
  ]
  const want = [65504, Infinity, 65504, 0, 2 ** -23, 1, 1 + 2 ** -9, -0, NaN, -0, Infinity, 2 ** -24, 1 + 2 ** -10]
  for (const from of ['d', '>d', 'f']) {
    const src = make(from, [values.map((v) => (from === 'f' ? Math.fround(v) : v))])
    for (const format of ['e', '>e', '<e', 'float16']) {
      const dst = IndirectMemory2D.createMemory({ rows: 1, cols: values.length, format })
      dst.copyFrom(src, { convert: true })
      if (from === 'f') {
        // float32 inputs: the rounded float32 first (1 + 2**-11 + 2**-40 is 1 + 2**-11 in float32: a tie → 1)
        const fromF = values.map((v) => Math.fround(v))
        t.is(fromF[12], 1 + 2 ** -11)
        expectValues(t, dst, [[...want.slice(0, 12), 1]], `${from} → ${format}`)
      } else {
        expectValues(t, dst, [want], `${from} → ${format}`)
      }
    }
  }
  // the bytes of '>e': 1.5 is 0x3e00, big-endian
  const e = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: '>e' })
  e.copyFrom(make('d', [[1.5]]), { convert: true })
  t.deepEqual(bytesOf(e), [0x3e, 0x00])
  t.is(halfToNumber(0x3e00), 1.5)
})

test('convert swaps byte orders and keeps values: i ↔ >i, <d ↔ >d, h ↔ >h, q ↔ >q', (t) => {
  const i = make('i', [[1, -2, 0x01020304]])
  const bi = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: '>i' })
  bi.copyFrom(i, { convert: true })
  expectValues(t, bi, [[1, -2, 0x01020304]])
  t.deepEqual(bytesOf(bi), [0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4])
  const d = make('<d', [[1.5, -0, Infinity]])
  const bd = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: '>d' })
  d.copyTo(bd, { convert: true })
  expectValues(t, bd, [[1.5, -0, Infinity]])
  t.deepEqual(bytesOf(bd).slice(0, 8), [0x3f, 0xf8, 0, 0, 0, 0, 0, 0])
  const q = make('q', [[-(2n ** 63n), 5n]])
  const bq = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: '>q' })
  bq.copyFrom(q, { convert: true })
  expectValues(t, bq, [[-(2n ** 63n), 5n]])
  t.deepEqual(bytesOf(bq), [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5])
  const h = make('>h', [[-1, 0x1234]])
  const lh = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: '<h' })
  lh.copyFrom(h, { convert: true })
  t.deepEqual(bytesOf(lh), [0xff, 0xff, 0x34, 0x12])
})

test('convert between 64-bit integers and numbers goes through BigInt: trunc and wrap to 64 bits, NaN and ±Infinity → 0n', (t) => {
  const src = make('d', [[1e300, 2 ** 63, -1.5, NaN, -Infinity, 2 ** 64 + 4096, -(2 ** 63), 3.99, -0]])
  const q = IndirectMemory2D.createMemory({ rows: 1, cols: 9, format: 'q' })
  q.copyFrom(src, { convert: true })
  expectValues(t, q, [[0n, -(2n ** 63n), -1n, 0n, 0n, 4096n, -(2n ** 63n), 3n, 0n]])
  const bQ = IndirectMemory2D.createMemory({ rows: 1, cols: 9, format: '>Q' })
  src.copyTo(bQ, { convert: true })
  expectValues(t, bQ, [[0n, 2n ** 63n, 2n ** 64n - 1n, 0n, 0n, 4096n, 2n ** 63n, 3n, 0n]])
  // float32 and int sources too
  const f = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'Q' })
  f.copyFrom(make('f', [[-1.5, 16777216]]), { convert: true })
  expectValues(t, f, [[2n ** 64n - 1n, 16777216n]])
  const fromInt = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'int64' })
  fromInt.copyFrom(make('I', [[4294967295, 0, 7]]), { convert: true })
  expectValues(t, fromInt, [[4294967295n, 0n, 7n]])
  const fromI8 = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'uint64' })
  fromI8.copyFrom(make('b', [[-1, 5]]), { convert: true })
  expectValues(t, fromI8, [[2n ** 64n - 1n, 5n]])
})

test('convert from 64-bit integers: asIntN / asUintN into w-bit integers, Number(v) into floats', (t) => {
  const q = make('q', [[2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n + 1n, -1n, 65520n, 2n ** 53n + 1n]])
  const expectations: [string, Value[]][] = [
    ['i', [-1, 0, 1, -1, 65520, 1]],
    ['I', [4294967295, 0, 1, 4294967295, 65520, 1]],
    ['>h', [-1, 0, 1, -1, -16, 1]],
    ['B', [255, 0, 1, 255, 240, 1]],
    ['b', [-1, 0, 1, -1, -16, 1]],
    ['d', [9223372036854775808, -9223372036854775808, 4294967297, -1, 65520, 9007199254740992]],
    ['f', [Math.fround(9223372036854775808), -9223372036854775808, 4294967296, -1, 65520, 9007199254740992]],
    ['e', [Infinity, -Infinity, Infinity, -1, Infinity, Infinity]],
    ['Q', [2n ** 63n - 1n, 2n ** 63n, 2n ** 32n + 1n, 2n ** 64n - 1n, 65520n, 2n ** 53n + 1n]],
    ['>q', [2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n + 1n, -1n, 65520n, 2n ** 53n + 1n]],
    ['?', [true, true, true, true, true, true]],
  ]
  for (const [format, want] of expectations) {
    const dst = IndirectMemory2D.createMemory({ rows: 1, cols: 6, format })
    dst.copyFrom(q, { convert: true })
    expectValues(t, dst, [want], format)
  }
  const Q = make('Q', [[2n ** 64n - 1n, 0n, 2n ** 63n]])
  const toQ = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'q' })
  toQ.copyFrom(Q, { convert: true })
  expectValues(t, toQ, [[-1n, 0n, -(2n ** 63n)]])
  const toD = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'd' })
  toD.copyFrom(Q, { convert: true })
  expectValues(t, toD, [[18446744073709551616, 0, 9223372036854775808]])
  const toBool = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'bool' })
  toBool.copyFrom(Q, { convert: true })
  expectValues(t, toBool, [[true, false, true]])
})

test('convert from 64-bit integers into uint8c: Number(v), then clamped (the choice for a clamped target)', (t) => {
  const q = make('q', [[-1n, 300n, 2n ** 62n, 128n, -(2n ** 63n)]])
  const c = IndirectMemory2D.createMemory({ rows: 1, cols: 5, format: 'uint8c' })
  c.copyFrom(q, { convert: true })
  expectValues(t, c, [[0, 255, 255, 128, 0]])
  const Q = make('Q', [[2n ** 64n - 1n]])
  const c1 = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'uint8c' })
  c1.copyFrom(Q, { convert: true })
  expectValues(t, c1, [[255]])
})

test('convert to and from bool: truthiness in, 1 / 0 out', (t) => {
  const src = make('d', [[NaN, -0, 0.5, -Infinity, 0, 1e-310]])
  const b = IndirectMemory2D.createMemory({ rows: 1, cols: 6, format: '?' })
  b.copyFrom(src, { convert: true })
  expectValues(t, b, [[false, false, true, true, false, true]])
  t.deepEqual(bytesOf(b), [0, 0, 1, 1, 0, 1])
  const d = IndirectMemory2D.createMemory({ rows: 1, cols: 6, format: '>d' })
  b.copyTo(d, { convert: true })
  expectValues(t, d, [[0, 0, 1, 1, 0, 1]])
  const q = IndirectMemory2D.createMemory({ rows: 1, cols: 6, format: 'q' })
  b.copyTo(q, { convert: true })
  expectValues(t, q, [[0n, 0n, 1n, 1n, 0n, 1n]])
  // a byte 2 in a bool matrix is true: converted it is 1, and into bool from uint8 2 it is stored as 1
  const raw = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: '?' })
  raw.copyFrom(make('B', [[2, 0]]), { cast: true })
  const i = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'i' })
  i.copyFrom(raw, { convert: true })
  expectValues(t, i, [[1, 0]])
  const b2 = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'bool' })
  b2.copyFrom(make('b', [[2, -1, 0]]), { convert: true })
  t.deepEqual(bytesOf(b2), [1, 1, 0])
})

test('convert from float16 and float32 sources into every integer kind, and float16 → float32 / float64 exactly', (t) => {
  const e = make('>e', [[65504, -2.5, 0.5, -0, Infinity, NaN, 2 ** -24]])
  const want: [string, Value[]][] = [
    ['i', [65504, -2, 0, 0, 0, 0, 0]],
    ['H', [65504, 65534, 0, 0, 0, 0, 0]],
    ['b', [-32, -2, 0, 0, 0, 0, 0]],
    ['uint8c', [255, 0, 0, 0, 255, 0, 0]],
    ['q', [65504n, -2n, 0n, 0n, 0n, 0n, 0n]],
    ['f', [65504, -2.5, 0.5, -0, Infinity, NaN, 2 ** -24]],
    ['>d', [65504, -2.5, 0.5, -0, Infinity, NaN, 2 ** -24]],
    ['?', [true, true, true, false, true, false, true]],
  ]
  for (const [format, values] of want) {
    const dst = IndirectMemory2D.createMemory({ rows: 1, cols: 7, format })
    e.copyTo(dst, { convert: true })
    expectValues(t, dst, [values], format)
  }
})

// ---------------------------------------------------------------------------------------------------------
// formats that match by meaning copy without options; others need cast / convert

test("formats that match by meaning copy without options: 'i' 'int32' '@i' '=i' and (little-endian) '<i'; uint8c and B; one-byte formats with any prefix", (t) => {
  const groups: string[][] = [
    ['i', 'int32', '@i', '=i', ...(LITTLE ? ['<i'] : ['>i', '!i'])],
    ['d', 'float64', '=d', ...(LITTLE ? ['<d'] : ['>d'])],
    ['B', 'uint8', 'uint8c', '>B', '<B', '!B'],
    ['b', 'int8', '>b', '=b'],
    ['?', 'bool', '>?', '<?'],
    ['>h', '!h'],
    ['e', 'float16', ...(LITTLE ? ['<e'] : ['>e'])],
    ['Q', 'uint64', ...(LITTLE ? ['<Q'] : ['>Q'])],
    ...(LONG_IS_64 ? [['q', 'l', 'int64', '@l', 'n']] : []),
  ]
  for (const group of groups) {
    for (const a of group) {
      for (const b of group) {
        const src = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: a })
        const seed = group.indexOf(a) * 7 + 1
        for (let r = 0; r < 2; r++) garbage(src.rowBytes(r), seed + r)
        const dst = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: b })
        t.notThrows(() => dst.copyFrom(src), `${a} → ${b}`)
        t.deepEqual(bytesOf(dst), bytesOf(src), `${a} → ${b}: the bytes as they are`)
      }
    }
  }
})

test('formats that differ (kind, size or byte order) do not copy without options: ERR_FORMAT_MISMATCH "different formats"', (t) => {
  const pairs = [
    ['i', '>i'],
    ['i', 'I'],
    ['i', 'f'],
    ['B', '?'],
    ['b', 'B'],
    ['e', 'h'],
    ['d', 'q'],
    ['q', 'Q'],
    ['>d', 'd'],
    ['uint8c', 'b'],
    ['h', '>h'],
    ['f', '>f'],
    ['i', 'q'],
  ]
  for (const [a, b] of pairs) {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ]) {
      const src = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: x })
      src.copyFrom([
        [1, 2],
        [3, 4],
      ])
      const dst = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: y })
      throwsCode(t, () => dst.copyFrom(src), 'ERR_FORMAT_MISMATCH', Error, 'different formats', `${x} → ${y} copyFrom`)
      throwsCode(t, () => src.copyTo(dst), 'ERR_FORMAT_MISMATCH', Error, 'different formats', `${x} → ${y} copyTo`)
      throwsCode(
        t,
        () => dst.copyFrom(src, { cast: false, convert: false }),
        'ERR_FORMAT_MISMATCH',
        Error,
        'different formats',
        `${x} → ${y} explicit false`,
      )
      t.deepEqual(bytesOf(dst), new Array(4 * dst.itemsize).fill(0), `${x} → ${y}: unchanged`)
    }
  }
})

test('an ndarray-like or typed rows of another format than the matrix need convert; with it they convert', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
  const nd = { data: new Int16Array([1, -2, 3, -4]), shape: [2, 2] }
  throwsCode(t, () => m.copyFrom(nd), 'ERR_FORMAT_MISMATCH', Error, 'different formats')
  throwsCode(t, () => m.copyFrom([new Float32Array([1, 2]), new Float32Array([3, 4])]), 'ERR_FORMAT_MISMATCH', Error, 'different formats')
  expectValues(t, m, [
    [0, 0],
    [0, 0],
  ])
  m.copyFrom(nd, { convert: true })
  expectValues(t, m, [
    [1, -2],
    [3, -4],
  ])
  m.copyFrom([new Float32Array([1.5, 2]), new Float32Array([3, 4.25])], { convert: true })
  expectValues(t, m, [
    [1.5, 2],
    [3, 4.25],
  ])
})

test('with cast and convert both set, cast decides: raw bytes for equal itemsizes, ERR_ITEMSIZE_MISMATCH otherwise', (t) => {
  const src = make('b', [[-1, 5]])
  const dst = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'B' })
  dst.copyFrom(src, { cast: true, convert: true })
  expectValues(t, dst, [[255, 5]])
  const wide = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'h' })
  throwsCode(t, () => wide.copyFrom(src, { cast: true, convert: true }), 'ERR_ITEMSIZE_MISMATCH', Error, 'different itemsizes')
  expectValues(t, wide, [[0, 0]])
})

// ---------------------------------------------------------------------------------------------------------
// layouts of the other side

test('copyTo an ndarray-like in column-major order; copyFrom one; both with stride (scijs) and strides (stdlib)', (t) => {
  const m = make('d', grid(2, 3))
  for (const key of ['stride', 'strides'] as const) {
    const data = new Float64Array(6).fill(-1)
    m.copyTo({ data, shape: [2, 3], [key]: [1, 2] })
    t.deepEqual([...data], [0.5, 10.5, 1.5, 11.5, 2.5, 12.5], key)
    const back = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
    back.copyFrom({ data, shape: [2, 3], [key]: [1, 2] })
    expectValues(t, back, grid(2, 3), key)
  }
})

test('a transposed source, a reversed one (negative strides and an offset), and every other row', (t) => {
  // the transpose of a 3×2 row-major array is [2, 3] with strides [1, 2]
  const data = iota(6) // [[0, 1], [2, 3], [4, 5]]
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
  m.copyFrom({ data, shape: [2, 3], strides: [1, 2] })
  expectValues(t, m, [
    [0, 2, 4],
    [1, 3, 5],
  ])
  // reversed both ways
  m.copyFrom({ data, shape: [2, 3], strides: [-3, -1], offset: 5 })
  expectValues(t, m, [
    [5, 4, 3],
    [2, 1, 0],
  ])
  // every other row of a 4×3 array, into and out of it (the skipped rows untouched)
  const big = iota(12, 100)
  m.copyFrom({ data: big, shape: [2, 3], strides: [6, 1] })
  expectValues(t, m, [
    [100, 101, 102],
    [106, 107, 108],
  ])
  const out = new Float64Array(12).fill(-1)
  m.copyTo({ data: out, shape: [2, 3], strides: [6, 1], offset: 3 })
  t.deepEqual([...out], [-1, -1, -1, 100, 101, 102, -1, -1, -1, 106, 107, 108])
  // every other column, reversed rows, with an offset
  const cols = new Int32Array(16).fill(-7)
  const im = make('i', [
    [1, 2, 3],
    [4, 5, 6],
  ])
  im.copyTo({ data: cols, shape: [2, 3], strides: [-8, 2], offset: 9 })
  t.deepEqual([...cols], [-7, 4, -7, 5, -7, 6, -7, -7, -7, 1, -7, 2, -7, 3, -7, -7])
})

test('a broadcast source (zero stride) fills every row, or every column, from one line', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 4, cols: 3, format: 'd' })
  m.copyFrom({ data: new Float64Array([7, 8, 9]), shape: [4, 3], strides: [0, 1] })
  expectValues(t, m, [
    [7, 8, 9],
    [7, 8, 9],
    [7, 8, 9],
    [7, 8, 9],
  ])
  m.copyFrom({ data: new Float64Array([1, 2, 3, 4]), shape: [4, 3], strides: [1, 0] })
  expectValues(t, m, [
    [1, 1, 1],
    [2, 2, 2],
    [3, 3, 3],
    [4, 4, 4],
  ])
  m.copyFrom({ data: new Float64Array([42]), shape: [4, 3], strides: [0, 0] })
  expectValues(
    t,
    m,
    Array.from({ length: 4 }, () => [42, 42, 42]),
  )
  // with a conversion, into a big-endian matrix
  const h = IndirectMemory2D.createMemory({ rows: 3, cols: 2, format: '>h' })
  h.copyFrom({ data: new Float32Array([1.5, -70000]), shape: [3, 2], strides: [0, 1] }, { convert: true })
  expectValues(t, h, [
    [1, -4464],
    [1, -4464],
    [1, -4464],
  ])
})

test('a viewFromRows view with negative, spaced row strides and unaligned rows is a target and a source', (t) => {
  const bytes = new Uint8Array(64).fill(0xee)
  // rows of 3 int32 (12 bytes) 17 bytes apart, reversed, starting at byte 35 (unaligned)
  const v = IndirectMemory2D.viewFromRows({ data: bytes, shape: [3, 12], strides: [-17, 1], offset: 35 }, { format: 'i' })
  v.copyFrom([
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ])
  expectValues(t, v, [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ])
  const dv = new DataView(bytes.buffer)
  t.is(dv.getInt32(35, LITTLE), 1)
  t.is(dv.getInt32(35 - 17 + 4, LITTLE), 5)
  t.is(dv.getInt32(1 + 8, LITTLE), 9)
  t.is(bytes[0], 0xee)
  t.is(bytes[47], 0xee)
  t.is(bytes[13], 0xee)
  const copy = IndirectMemory2D.createMemory({ rows: 3, cols: 3, format: '>i' })
  v.copyTo(copy, { convert: true })
  expectValues(t, copy, [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ])
})

test('a BufferCollection2D is a source and a target; so is an array of typed arrays (rows written in place)', (t) => {
  const rows = [new Float32Array([1, 2, 3]), new Float32Array([4, 5, 6])]
  const c = new BufferCollection2D(rows)
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'f' })
  m.copyFrom(c)
  expectValues(t, m, [
    [1, 2, 3],
    [4, 5, 6],
  ])
  m.copyFrom([
    [10, 20, 30],
    [40, 50, 60],
  ])
  m.copyTo(c)
  t.deepEqual([...rows[0], ...rows[1]], [10, 20, 30, 40, 50, 60])
  const d = make('d', [
    [0.5, 1.5, 2.5],
    [3.5, 4.5, 5.5],
  ])
  c.copyFrom(d, { convert: true })
  t.deepEqual([...rows[0], ...rows[1]], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
  // arrays of typed arrays as target and source
  const out = [new Int16Array(3), new Int16Array(3)]
  d.copyTo(out, { convert: true })
  t.deepEqual(
    out.map((r) => [...r]),
    [
      [0, 1, 2],
      [3, 4, 5],
    ],
  )
  const subs = new BigInt64Array(8)
  const typedRows = [subs.subarray(5, 8), subs.subarray(1, 4)]
  make('q', [
    [1n, 2n, 3n],
    [4n, 5n, 6n],
  ]).copyTo(typedRows)
  t.deepEqual([...subs], [0n, 4n, 5n, 6n, 0n, 1n, 2n, 3n])
  const back = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'q' })
  back.copyFrom(typedRows)
  expectValues(t, back, [
    [1n, 2n, 3n],
    [4n, 5n, 6n],
  ])
})

test('a read-only source copies; Buffer and Uint8ClampedArray rows are format B', (t) => {
  const ro = make('d', grid(2, 2), { readonly: true })
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
  m.copyFrom(ro)
  expectValues(t, m, grid(2, 2))
  ro.copyTo(m)
  const rnd = { data: new Float64Array([1, 2, 3, 4]), shape: [2, 2], readonly: true }
  m.copyFrom(rnd)
  expectValues(t, m, [
    [1, 2],
    [3, 4],
  ])
  const b = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'B' })
  b.copyFrom([Buffer.from([1, 2]), Buffer.from([3, 4])])
  expectValues(t, b, [
    [1, 2],
    [3, 4],
  ])
  b.copyFrom([new Uint8ClampedArray([5, 6]), new Uint8ClampedArray([7, 8])])
  expectValues(t, b, [
    [5, 6],
    [7, 8],
  ])
})

test('0 rows and 0 columns copy everywhere (matrices, ndarray-likes, arrays of rows)', (t) => {
  for (const [rows, cols] of [
    [0, 0],
    [0, 4],
    [3, 0],
  ]) {
    const m = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
    const other = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
    t.notThrows(() => m.copyFrom(other))
    t.notThrows(() => m.copyTo(other))
    t.notThrows(() => m.copyFrom(other, { convert: true }))
    t.notThrows(() => m.copyFrom({ data: new Float64Array(0), shape: [rows, cols] }))
    t.notThrows(() => m.copyTo({ data: new Float64Array(0), shape: [rows, cols] }))
    t.notThrows(() => m.copyFrom(Array.from({ length: rows }, () => new Float64Array(cols))))
    t.notThrows(() => m.copyFrom(Array.from({ length: rows }, () => new Array<number>(cols).fill(1))))
    const f = IndirectMemory2D.createMemory({ rows, cols, format: 'f' })
    throwsCode(
      t,
      () => m.copyFrom(f),
      'ERR_FORMAT_MISMATCH',
      Error,
      'different formats',
      `${rows}×${cols}: formats are checked on empty matrices too`,
    )
    throwsCode(t, () => m.copyFrom(f, { cast: true }), 'ERR_ITEMSIZE_MISMATCH', Error, 'different itemsizes')
  }
  const m = IndirectMemory2D.createMemory({ rows: 0, cols: 3, format: 'd' })
  throwsCode(
    t,
    () => m.copyFrom(IndirectMemory2D.createMemory({ rows: 0, cols: 2, format: 'd' })),
    'ERR_SHAPE_MISMATCH',
    Error,
    'different shapes',
  )
  throwsCode(t, () => m.copyFrom({ data: new Float64Array(0), shape: [3, 0] }), 'ERR_SHAPE_MISMATCH', Error, 'different shapes')
})

test('0 columns: an ndarray-like whose row offsets lie past its data copies (nothing to read or write)', (t) => {
  // Was a bug (fixed in 2bf4335): the small-copy JS path built `new Uint8Array(buffer, 1, 0)` for row 1 and threw a
  // code-less "RangeError: Invalid typed array length: 0".
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 0, format: 'b' })
  t.notThrows(() => m.copyFrom({ data: new Int8Array(0), shape: [2, 0], stride: [1, 1] }), 'copyFrom')
  t.notThrows(() => m.copyTo({ data: new Int8Array(0), shape: [2, 0], stride: [1, 1] }), 'copyTo')
  t.notThrows(() => m.copyFrom({ data: new Int8Array(2), shape: [2, 0], strides: [4, 1], offset: 3 }), 'copyFrom, offset past the data')
  t.notThrows(
    () => m.copyTo({ data: new Float64Array(1), shape: [2, 0], strides: [-5, 1], offset: 0 }, { convert: true }),
    'copyTo, negative stride, convert',
  )
})

// ---------------------------------------------------------------------------------------------------------
// larger copies, against the reference (blocked transposes, vectorised conversions, two threads)

/** An ndarray-like of `rows × cols` in the given layout over a fresh TypedArray of garbage, and its reference side. */
function ndSide(
  Ctor: { new (n: number): ArrayBufferView; BYTES_PER_ELEMENT: number },
  format: string,
  rows: number,
  cols: number,
  layout: 'C' | 'F' | 'rev' | 'gap',
  seed: number,
) {
  const pad = layout === 'gap' ? 3 : 0
  const strides: [number, number] = layout === 'F' ? [1, rows] : layout === 'rev' ? [-cols, -1] : [cols + pad, 1]
  const offset = layout === 'rev' ? rows * cols - 1 : 0
  const length = layout === 'gap' ? rows * (cols + pad) : rows * cols
  const data = new Ctor(length)
  const mem = new Uint8Array(data.buffer)
  garbage(mem, seed)
  const isz = Ctor.BYTES_PER_ELEMENT
  const side: Side = { rows, cols, format, loc: (r, c) => [mem, (offset + r * strides[0] + c * strides[1]) * isz] }
  return { obj: { data, shape: [rows, cols], strides, offset }, side, mem }
}

function matrixSide(m: IndirectMemory2D): { side: Side; mem: Uint8Array } {
  const rowBytes = Array.from({ length: m.rows }, (_, r) => m.rowBytes(r))
  const mem = new Uint8Array(rowBytes[0].buffer)
  return { side: { rows: m.rows, cols: m.cols, format: m.format, loc: (r, c) => [mem, rowBytes[r].byteOffset + c * m.itemsize] }, mem }
}

const BIG_CASES: [string, { new (n: number): ArrayBufferView; BYTES_PER_ELEMENT: number }, string, 'cast' | 'convert' | undefined][] = [
  ['B', Uint8Array, 'B', undefined],
  ['>h', Int16Array, 'h', 'convert'],
  ['h', Int16Array, 'h', undefined],
  ['f', Float32Array, 'f', undefined],
  ['i', Float32Array, 'f', 'cast'],
  ['d', Float64Array, 'd', undefined],
  ['>d', Float64Array, 'd', 'convert'],
  ['f', Float64Array, 'd', 'convert'],
  ['uint8c', Float64Array, 'd', 'convert'],
  ['e', Float32Array, 'f', 'convert'],
  ['q', Float64Array, 'd', 'convert'],
  ['i', BigInt64Array, 'q', 'convert'],
  ['?', Int16Array, 'h', 'convert'],
]

for (const [format, Ctor, jsFormat, option] of BIG_CASES) {
  for (const layout of ['C', 'F', 'rev', 'gap'] as const) {
    test(`a 67×131 '${format}' matrix and a ${layout} ${Ctor.name} ndarray-like (${option ?? 'no option'}), both directions, match the reference`, (t) => {
      const rows = 67
      const cols = 131
      const opts = option === undefined ? {} : { [option]: true }
      for (const into of [true, false]) {
        const m = IndirectMemory2D.createMemory({ rows, cols, format })
        const ms = matrixSide(m)
        const nd = ndSide(Ctor, jsFormat, rows, cols, layout, 7)
        garbage(ms.mem, 11)
        // keep float sources free of NaN payloads that conversions may change: fill them with values
        const sourceSide = into ? nd.side : ms.side
        fill(
          sourceSide,
          Array.from({ length: 97 }, (_, k) => ({
            v: [NaN, -0, 1e300, 2.5, -1.5, 65520, 255.5, 2 ** 31, -(2 ** 63), 3.7][k % 10] * (k % 3 === 0 ? 1 : k),
          })),
        )
        const [src, dst] = into ? [nd.side, ms.side] : [ms.side, nd.side]
        const dstMem = into ? ms.mem : nd.mem
        const sh = shadow(dst, [dstMem])
        referenceCopy(src, sh.side, opts)
        if (into) m.copyFrom(nd.obj as Source, opts)
        else m.copyTo(nd.obj as Source, opts)
        const diff = diffMemory(dst, [dstMem], sh.clones, option === 'convert')
        t.is(diff, undefined, `${into ? 'copyFrom' : 'copyTo'}: ${diff}`)
      }
    })
  }
}

test('a 1100×1000 float64 → float32 transposing convert (large enough for two threads) is Float32Array assignment of every value', (t) => {
  const rows = 1100
  const cols = 1000
  const src = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
  const values = Float64Array.from(
    { length: rows * cols },
    (_, k) => ((k % 1009) - 500) * 1.000001 + (k % 7 === 0 ? 2 ** -30 : 0) + (k % 13 === 0 ? 1e39 : 0),
  )
  for (let r = 0; r < rows; r++) src.row(r).set(values.subarray(r * cols, (r + 1) * cols))
  const want = new Float32Array(rows * cols)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) want[c * rows + r] = values[r * cols + c]
  const data = new Float32Array(rows * cols)
  src.copyTo({ data, shape: [rows, cols], strides: [1, rows] }, { convert: true })
  const k = data.findIndex((x, i) => !Object.is(x, want[i]))
  t.is(k, -1, k < 0 ? '' : `element ${k}: ${data[k]}, expected ${want[k]}`)
  // and back, into a big-endian float64 matrix (a swap per element), then a raw copy between two matrices
  const back = IndirectMemory2D.createMemory({ rows, cols, format: '>d' })
  back.copyFrom({ data, shape: [rows, cols], strides: [1, rows] }, { convert: true })
  const dv = new DataView(back.rowBytes(rows - 1).buffer, back.rowBytes(rows - 1).byteOffset)
  for (let c = 0; c < cols; c++) {
    if (!Object.is(dv.getFloat64(c * 8, false), want[c * rows + rows - 1])) t.fail(`back (${rows - 1}, ${c})`)
  }
  const copy = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
  copy.copyFrom(src)
  t.is(Buffer.compare(new Uint8Array(copy.rowBytes(0).buffer), new Uint8Array(src.rowBytes(0).buffer)), 0)
})

// ---------------------------------------------------------------------------------------------------------
// overlapping memory

test('self-copy is the identity: m.copyFrom(m) and m.copyTo(m), NaN payloads included, with every option', (t) => {
  const m = make('Q', [
    [0x7ff0000000000001n, 5n],
    [2n ** 64n - 1n, 0n],
  ])
  m.reinterpretData('d')
  const before = bytesOf(m)
  for (const opts of [undefined, {}, { cast: true }, { convert: true }]) {
    m.copyFrom(m, opts)
    t.deepEqual(bytesOf(m), before)
    m.copyTo(m, opts)
    t.deepEqual(bytesOf(m), before)
  }
  const e = make('>e', grid(3, 3))
  const eb = bytesOf(e)
  e.copyFrom(e, { convert: true })
  t.deepEqual(bytesOf(e), eb)
})

test('a view copied from an overlapping view of the same buffer shifted by one row, both directions, gives the snapshot result', (t) => {
  for (const how of ['copyFrom', 'copyTo', 'ndarray'] as const) {
    // rows 0..3 and rows 1..4 of a 5×3 array
    const data = iota(15)
    const up = IndirectMemory2D.viewFromRows({ data, shape: [4, 3] })
    const down = IndirectMemory2D.viewFromRows({ data, shape: [4, 3], offset: 3 })
    if (how === 'copyFrom') up.copyFrom(down)
    else if (how === 'copyTo') down.copyTo(up)
    else up.copyFrom({ data, shape: [4, 3], offset: 3 })
    t.deepEqual([...data], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 12, 13, 14], `${how}: rows move up`)
    const data2 = iota(15)
    const up2 = IndirectMemory2D.viewFromRows({ data: data2, shape: [4, 3] })
    const down2 = IndirectMemory2D.viewFromRows({ data: data2, shape: [4, 3], offset: 3 })
    if (how === 'copyFrom') down2.copyFrom(up2)
    else if (how === 'copyTo') up2.copyTo(down2)
    else down2.copyFrom({ data: data2, shape: [4, 3] })
    t.deepEqual([...data2], [0, 1, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], `${how}: rows move down`)
  }
  // and shifted by one element (a row's bytes overlapping the next row's), with a conversion between itemsizes
  const bytes = new Uint8Array(32)
  for (let i = 0; i < 32; i++) bytes[i] = i
  const src = IndirectMemory2D.viewFromRows({ data: bytes, shape: [2, 4], strides: [8, 1], offset: 0 }, { format: 'b' })
  const dst = IndirectMemory2D.viewFromRows({ data: bytes, shape: [2, 8], strides: [8, 1], offset: 1 }, { format: '>h' })
  dst.copyFrom(src, { convert: true })
  t.deepEqual([...bytes.slice(0, 17)], [0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 8, 0, 9, 0, 10, 0, 11])
})

for (const [name, Ctor, n] of [
  ['Float64Array', Float64Array, 5],
  ['Float64Array', Float64Array, 37],
  ['Float32Array', Float32Array, 33],
  ['Int16Array', Int16Array, 19],
  ['Uint8Array', Uint8Array, 70],
  ['BigInt64Array', BigInt64Array, 9],
  ['Float64Array', Float64Array, 1030],
] as const) {
  test(`an in-place transpose of a square ${n}×${n} ${name}: target viewFromRows, source the same data with strides [1, n]`, (t) => {
    const make1 = () => {
      const data = new Ctor(n * n) as unknown as { [i: number]: number | bigint; length: number; buffer: ArrayBufferLike }
      for (let i = 0; i < n * n; i++) data[i] = (Ctor === BigInt64Array ? BigInt(i) : i % (Ctor === Uint8Array ? 251 : 1e9)) as never
      return data
    }
    const want = (data: { [i: number]: number | bigint }) => {
      const out: (number | bigint)[] = []
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) out.push(data[c * n + r])
      return out
    }
    const a = make1()
    const expected = want(a)
    IndirectMemory2D.viewFromRows({ data: a as unknown as Float64Array, shape: [n, n] }).copyFrom({
      data: a as unknown as Float64Array,
      shape: [n, n],
      strides: [1, n],
    })
    t.deepEqual(Array.from(a as unknown as ArrayLike<number>), expected, 'copyFrom')
    const b = make1()
    IndirectMemory2D.viewFromRows({ data: b as unknown as Float64Array, shape: [n, n] }).copyTo({
      data: b as unknown as Float64Array,
      shape: [n, n],
      strides: [1, n],
    })
    t.deepEqual(Array.from(b as unknown as ArrayLike<number>), expected, 'copyTo')
  })
}

test('a view copied from another view of the very same bytes in another format: convert in place, cast is the identity', (t) => {
  const data = new Int32Array([1, -2, 0x01020304, 7, 8, 9])
  const bytes = new Uint8Array(data.buffer)
  const native = IndirectMemory2D.viewFromRows({ data, shape: [2, 3] })
  const swapped = IndirectMemory2D.viewFromRows({ data: bytes, shape: [2, 12] }, { format: LITTLE ? '>i' : '<i' })
  swapped.copyFrom(native, { cast: true })
  t.deepEqual([...data], [1, -2, 0x01020304, 7, 8, 9], 'cast onto the same bytes changes nothing')
  swapped.copyFrom(native, { convert: true })
  t.deepEqual([...data], [0x01000000, -0x01000001, 0x04030201, 0x07000000, 0x08000000, 0x09000000], 'convert byte-swaps in place')
  native.copyTo(swapped, { convert: true })
  t.deepEqual([...data], [1, -2, 0x01020304, 7, 8, 9], 'and back')
  // float32 ↔ int32 over the same bytes
  const f = new Float32Array([1.5, -2.5, 3e9, NaN])
  const asInt = IndirectMemory2D.viewFromRows({ data: new Uint8Array(f.buffer), shape: [1, 16] }, { format: 'i' })
  asInt.copyFrom(IndirectMemory2D.viewFromRows({ data: f, shape: [1, 4] }), { convert: true })
  t.deepEqual([...new Int32Array(f.buffer)], [1, -2, -1294967296, 0])
})

test('a sub-matrix copied into its parent overlapping itself (diagonal, row and column shifts) gives the snapshot result', (t) => {
  const fresh = () =>
    make(
      'i',
      Array.from({ length: 5 }, (_, r) => Array.from({ length: 6 }, (_, c) => r * 10 + c)),
    )
  const at = (r: number, c: number) => r * 10 + c
  const cases: [string, (p: IndirectMemory2D) => void, (r: number, c: number) => number][] = [
    [
      '[0:4, 0:5] ← [1:5, 1:6]',
      (p) => p.subMatrix(0, 4, 0, 5).copyFrom(p.subMatrix(1, 5, 1, 6)),
      (r, c) => (r < 4 && c < 5 ? at(r + 1, c + 1) : at(r, c)),
    ],
    [
      '[1:5, 1:6] ← [0:4, 0:5]',
      (p) => p.subMatrix(1, 5, 1, 6).copyFrom(p.subMatrix(0, 4, 0, 5)),
      (r, c) => (r >= 1 && c >= 1 ? at(r - 1, c - 1) : at(r, c)),
    ],
    [
      '[0:5, 0:5] ← [0:5, 1:6] (copyTo)',
      (p) => p.subMatrix(0, 5, 1, 6).copyTo(p.subMatrix(0, 5, 0, 5)),
      (r, c) => (c < 5 ? at(r, c + 1) : at(r, c)),
    ],
    [
      '[0:5, 1:6] ← [0:5, 0:5]',
      (p) => p.subMatrix(0, 5, 1, 6).copyFrom(p.subMatrix(0, 5, 0, 5)),
      (r, c) => (c >= 1 ? at(r, c - 1) : at(r, c)),
    ],
    ['[1:5] ← [0:4] (copyTo)', (p) => p.subMatrix(0, 4).copyTo(p.subMatrix(1, 5)), (r, c) => (r >= 1 ? at(r - 1, c) : at(r, c))],
    [
      '[0:4, 2:6] ← parent ndarray-like view of the same memory',
      (p) => p.subMatrix(0, 4, 2, 6).copyFrom(p.subMatrix(1, 5, 0, 4)),
      (r, c) => (r < 4 && c >= 2 ? at(r + 1, c - 2) : at(r, c)),
    ],
  ]
  for (const [name, run, want] of cases) {
    const p = fresh()
    run(p)
    expectValues(
      t,
      p,
      Array.from({ length: 5 }, (_, r) => Array.from({ length: 6 }, (_, c) => want(r, c))),
      name,
    )
  }
})

// ---------------------------------------------------------------------------------------------------------
// the order of the checks

const DIMS_CASES: [string, () => unknown, number][] = [
  ['a 1-D Float64Array', () => new Float64Array(6), 1],
  ['a 1-D Int8Array', () => new Int8Array(6), 1],
  ['an ArrayBuffer', () => new ArrayBuffer(48), 1],
  ['a SharedArrayBuffer', () => new SharedArrayBuffer(48), 1],
  ['a Buffer', () => Buffer.alloc(48), 1],
  ['a flat array of numbers', () => [1, 2, 3, 4, 5, 6], 1],
  ['a flat array of bigints', () => [1n, 2n], 1],
  ['a 1-D ndarray-like', () => ({ data: new Float64Array(6), shape: [6] }), 1],
  ['a 3-D ndarray-like', () => ({ data: new Float64Array(12), shape: [2, 3, 2] }), 3],
  ['a 4-D ndarray-like', () => ({ data: new Float64Array(16), shape: [2, 2, 2, 2] }), 4],
  ['a 0-D ndarray-like', () => ({ data: new Float64Array(1), shape: [] }), 0],
]

test('1. a read-only target → ERR_READONLY "copying to readonly buffer" (matrix for copyFrom; matrix, view, sub-matrix, ndarray-like for copyTo)', (t) => {
  const src = make('d', grid(2, 3))
  const targets: [string, () => Matrix | { data: Float64Array; shape: number[]; readonly: true }][] = [
    ['createMemory readonly', () => IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd', readonly: true })],
    ['made read-only', () => make('d', grid(2, 3, 100), { readonly: true })],
    ['read-only view', () => IndirectMemory2D.viewFromRows({ data: new Float64Array(6), shape: [2, 3] }, { readonly: true })],
    ['sub-matrix of a read-only matrix', () => make('d', grid(3, 4, 100), { readonly: true }).subMatrix(0, 2, 0, 3)],
    ['read-only ndarray-like', () => ({ data: new Float64Array(6).fill(9), shape: [2, 3], readonly: true })],
  ]
  for (const [name, target] of targets) {
    const x = target()
    if (x instanceof IndirectMemory2D || x instanceof BufferCollection2D) {
      const before = valuesOf(x)
      throwsCode(t, () => x.copyFrom(src), 'ERR_READONLY', TypeError, 'copying to readonly buffer', `${name}.copyFrom`)
      throwsCode(t, () => src.copyTo(x), 'ERR_READONLY', TypeError, 'copying to readonly buffer', `copyTo(${name})`)
      throwsCode(
        t,
        () => x.copyFrom(src, { convert: true }),
        'ERR_READONLY',
        TypeError,
        'copying to readonly buffer',
        `${name}.copyFrom convert`,
      )
      t.deepEqual(valuesOf(x), before, `${name} unchanged`)
    } else {
      throwsCode(t, () => src.copyTo(x), 'ERR_READONLY', TypeError, 'copying to readonly buffer', `copyTo(${name})`)
      t.deepEqual([...x.data], new Array(6).fill(9), `${name} unchanged`)
    }
  }
  // a read-only collection (one read-only row object)
  const rows = [new Float64Array(3), { data: new Float64Array(3), shape: [3], readonly: true }]
  const c = new BufferCollection2D(rows)
  t.true(c.readonly)
  throwsCode(t, () => c.copyFrom(src), 'ERR_READONLY', TypeError, 'copying to readonly buffer', 'read-only collection')
  throwsCode(t, () => src.copyTo(c), 'ERR_READONLY', TypeError, 'copying to readonly buffer', 'copyTo(read-only collection)')
  t.deepEqual([...(rows[0] as Float64Array)], [0, 0, 0])
})

test('2. a target, or a source, that is not 2-D → ERR_DIMENSIONS "wrong number of dimensions: expected 2, received {n}"', (t) => {
  const m = make('d', grid(2, 3))
  const before = bytesOf(m)
  for (const [name, make1, n] of DIMS_CASES) {
    const message = `wrong number of dimensions: expected 2, received ${n}`
    throwsCode(t, () => m.copyFrom(make1() as Source), 'ERR_DIMENSIONS', Error, message, `copyFrom(${name})`)
    const target = make1()
    const targetBefore = JSON.stringify(target, (_, v) =>
      typeof v === 'bigint' ? `${v}n` : ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v,
    )
    throwsCode(t, () => m.copyTo(target as Source), 'ERR_DIMENSIONS', Error, message, `copyTo(${name})`)
    throwsCode(t, () => m.copyFrom(make1() as Source, { convert: true }), 'ERR_DIMENSIONS', Error, message, `copyFrom(${name}, convert)`)
    t.is(
      JSON.stringify(target, (_, v) => (typeof v === 'bigint' ? `${v}n` : ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v)),
      targetBefore,
      `${name} unchanged`,
    )
  }
  t.deepEqual(bytesOf(m), before)
})

test('3. shapes that differ → ERR_SHAPE_MISMATCH "different shapes"', (t) => {
  const m = make('d', grid(2, 3))
  const before = bytesOf(m)
  const others: [string, unknown][] = [
    ['a 3×2 matrix', IndirectMemory2D.createMemory({ rows: 3, cols: 2, format: 'd' })],
    ['a 2×4 matrix', IndirectMemory2D.createMemory({ rows: 2, cols: 4, format: 'd' })],
    ['a 0×3 matrix', IndirectMemory2D.createMemory({ rows: 0, cols: 3, format: 'd' })],
    ['a 2×2 ndarray-like', { data: new Float64Array(4), shape: [2, 2] }],
    ['a 6×1 ndarray-like', { data: new Float64Array(6), shape: [6, 1] }],
    ['3 typed rows', [new Float64Array(3), new Float64Array(3), new Float64Array(3)]],
    ['ragged typed rows', [new Float64Array(3), new Float64Array(2)]],
    [
      '2 rows of 2 values',
      [
        [1, 2],
        [3, 4],
      ],
    ],
    [
      'ragged rows of values',
      [
        [1, 2, 3],
        [4, 5],
      ],
    ],
    ['an empty array', []],
  ]
  for (const [name, other] of others) {
    throwsCode(t, () => m.copyFrom(other as Source), 'ERR_SHAPE_MISMATCH', Error, 'different shapes', `copyFrom(${name})`)
    throwsCode(t, () => m.copyTo(other as Source), 'ERR_SHAPE_MISMATCH', Error, 'different shapes', `copyTo(${name})`)
  }
  t.deepEqual(bytesOf(m), before)
})

test('4. and 5. formats without options → ERR_FORMAT_MISMATCH; cast between itemsizes → ERR_ITEMSIZE_MISMATCH; convert works', (t) => {
  const m = make('d', grid(2, 3))
  const f = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'f' })
  throwsCode(t, () => f.copyFrom(m), 'ERR_FORMAT_MISMATCH', Error, 'different formats')
  throwsCode(t, () => f.copyFrom(m, { cast: true }), 'ERR_ITEMSIZE_MISMATCH', Error, 'different itemsizes')
  throwsCode(t, () => m.copyTo(f, { cast: true }), 'ERR_ITEMSIZE_MISMATCH', Error, 'different itemsizes')
  throwsCode(
    t,
    () => m.copyTo({ data: new Int16Array(6), shape: [2, 3] }, { cast: true }),
    'ERR_ITEMSIZE_MISMATCH',
    Error,
    'different itemsizes',
  )
  throwsCode(
    t,
    () => m.copyTo([new Uint8Array(3), new Uint8Array(3)], { cast: true }),
    'ERR_ITEMSIZE_MISMATCH',
    Error,
    'different itemsizes',
  )
  expectValues(t, f, [
    [0, 0, 0],
    [0, 0, 0],
  ])
  f.copyFrom(m, { convert: true })
  expectValues(t, f, grid(2, 3))
})

test('combinations: the first failing check wins', (t) => {
  const src = make('d', grid(2, 3))
  const ro = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'f', readonly: true })
  const ro34 = IndirectMemory2D.createMemory({ rows: 3, cols: 4, format: 'i', readonly: true })
  // 1 before 2
  throwsCode(
    t,
    () => ro.copyFrom({ data: new Float64Array(12), shape: [2, 3, 2] }),
    'ERR_READONLY',
    TypeError,
    'copying to readonly buffer',
    'read-only target, 3-D source',
  )
  throwsCode(
    t,
    () => ro.copyFrom(new Float64Array(6) as unknown as Source),
    'ERR_READONLY',
    TypeError,
    'copying to readonly buffer',
    'read-only target, 1-D source',
  )
  throwsCode(
    t,
    () => src.copyTo({ data: new Float64Array(12), shape: [2, 3, 2], readonly: true }),
    'ERR_READONLY',
    TypeError,
    'copying to readonly buffer',
    'read-only 3-D ndarray target',
  )
  // 1 before 3, 4, 5
  throwsCode(
    t,
    () => ro34.copyFrom(src),
    'ERR_READONLY',
    TypeError,
    'copying to readonly buffer',
    'read-only target, shapes and formats differ',
  )
  throwsCode(
    t,
    () => ro34.copyFrom(src, { cast: true }),
    'ERR_READONLY',
    TypeError,
    'copying to readonly buffer',
    'read-only target, shapes and itemsizes differ',
  )
  throwsCode(
    t,
    () => src.copyTo(ro34),
    'ERR_READONLY',
    TypeError,
    'copying to readonly buffer',
    'copyTo read-only, shapes and formats differ',
  )
  throwsCode(
    t,
    () => src.copyTo({ data: new Int8Array(1), shape: [1, 1], readonly: true }),
    'ERR_READONLY',
    TypeError,
    'copying to readonly buffer',
    'read-only ndarray, shape and format differ',
  )
  // 2 before 3, 4, 5
  throwsCode(
    t,
    () => src.copyTo(new Float64Array(7) as unknown as Source),
    'ERR_DIMENSIONS',
    Error,
    'wrong number of dimensions: expected 2, received 1',
    '1-D target of another size',
  )
  throwsCode(
    t,
    () => src.copyTo(new Int8Array(7) as unknown as Source, { cast: true }),
    'ERR_DIMENSIONS',
    Error,
    'wrong number of dimensions: expected 2, received 1',
    '1-D target, shape and itemsize differ',
  )
  throwsCode(
    t,
    () => src.copyFrom({ data: new Int16Array(8), shape: [2, 2, 2] }),
    'ERR_DIMENSIONS',
    Error,
    'wrong number of dimensions: expected 2, received 3',
    '3-D source of another format',
  )
  throwsCode(
    t,
    () => src.copyFrom([1, 2, 3] as unknown as Source, { cast: true }),
    'ERR_DIMENSIONS',
    Error,
    'wrong number of dimensions: expected 2, received 1',
    'flat array with cast',
  )
  // 3 before 4, 5
  throwsCode(
    t,
    () => src.copyFrom(IndirectMemory2D.createMemory({ rows: 3, cols: 2, format: 'i' })),
    'ERR_SHAPE_MISMATCH',
    Error,
    'different shapes',
    'shapes and formats differ',
  )
  throwsCode(
    t,
    () => src.copyFrom(IndirectMemory2D.createMemory({ rows: 2, cols: 4, format: 'i' }), { cast: true }),
    'ERR_SHAPE_MISMATCH',
    Error,
    'different shapes',
    'shapes and itemsizes differ with cast',
  )
  throwsCode(
    t,
    () => src.copyTo({ data: new Int16Array(8), shape: [4, 2] }),
    'ERR_SHAPE_MISMATCH',
    Error,
    'different shapes',
    'ndarray: shapes and formats differ',
  )
  throwsCode(
    t,
    () => src.copyTo([new Float32Array(2), new Float32Array(2)], { cast: true }),
    'ERR_SHAPE_MISMATCH',
    Error,
    'different shapes',
    'typed rows: shapes and itemsizes differ',
  )
  // 4 with cast is not checked; 5 needs cast
  const i = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'i' })
  throwsCode(t, () => i.copyFrom(src, { cast: true }), 'ERR_ITEMSIZE_MISMATCH', Error, 'different itemsizes')
  expectValues(t, src, grid(2, 3))
  expectValues(t, i, [
    [0, 0, 0],
    [0, 0, 0],
  ])
})

// ---------------------------------------------------------------------------------------------------------
// released and detached sides, bad options

test('a released matrix on either side of a copy → ERR_RELEASED; the other side unchanged', (t) => {
  const live = make('d', grid(2, 3))
  for (const released of [
    () => make('d', grid(2, 3, 50)),
    () => IndirectMemory2D.viewFromRows({ data: iota(6), shape: [2, 3] }),
    () => new BufferCollection2D([iota(3), iota(3)]),
    () => make('d', grid(3, 4)).subMatrix(0, 2, 0, 3),
  ]) {
    const r = released()
    r.release()
    throwsCode(t, () => r.copyFrom(live), 'ERR_RELEASED', Error, undefined, 'released.copyFrom')
    throwsCode(t, () => r.copyTo(live), 'ERR_RELEASED', Error, undefined, 'released.copyTo')
    throwsCode(t, () => live.copyFrom(r), 'ERR_RELEASED', Error, undefined, 'live.copyFrom(released)')
    throwsCode(t, () => live.copyTo(r), 'ERR_RELEASED', Error, undefined, 'live.copyTo(released)')
    throwsCode(t, () => r.copyFrom({ data: iota(6), shape: [2, 3] }), 'ERR_RELEASED', Error, undefined, 'released.copyFrom(ndarray)')
    throwsCode(
      t,
      () =>
        r.copyTo([
          [0, 0, 0],
          [0, 0, 0],
        ]),
      'ERR_RELEASED',
      Error,
      undefined,
      'released.copyTo(values)',
    )
    throwsCode(t, () => r.copyFrom(r), 'ERR_RELEASED', Error, undefined, 'released self-copy')
  }
  // a sub-matrix is released with its parent
  const parent = make('d', grid(3, 4))
  const sub = parent.subMatrix(0, 2, 0, 3)
  parent.release()
  throwsCode(t, () => live.copyFrom(sub), 'ERR_RELEASED', Error, undefined, 'sub-matrix of a released parent')
  expectValues(t, live, grid(2, 3))
})

test('a detached (transferred) source buffer on either side of a copy → ERR_DETACHED; the other side unchanged', (t) => {
  const live = make('d', grid(2, 3))
  const makers: [string, () => { m: Matrix; detach: () => void }][] = [
    [
      'viewFromRows',
      () => {
        const data = iota(6)
        return { m: IndirectMemory2D.viewFromRows({ data, shape: [2, 3] }), detach: () => void transfer(data) }
      },
    ],
    [
      'viewFromColumns',
      () => {
        const data = iota(6)
        return { m: IndirectMemory2D.viewFromColumns({ data, shape: [3, 2], strides: [1, 3] }), detach: () => void transfer(data) }
      },
    ],
    [
      'BufferCollection2D, one row detached',
      () => {
        const rows = [iota(3), iota(3)]
        return { m: new BufferCollection2D(rows), detach: () => void transfer(rows[1]) }
      },
    ],
    [
      'sub-matrix of a view',
      () => {
        const data = iota(12)
        return { m: IndirectMemory2D.viewFromRows({ data, shape: [3, 4] }).subMatrix(0, 2, 1, 4), detach: () => void transfer(data) }
      },
    ],
  ]
  for (const [name, maker] of makers) {
    const { m, detach } = maker()
    t.deepEqual(m.shape, [2, 3], name)
    detach()
    throwsCode(t, () => m.copyFrom(live), 'ERR_DETACHED', Error, undefined, `${name}.copyFrom`)
    throwsCode(t, () => m.copyTo(live), 'ERR_DETACHED', Error, undefined, `${name}.copyTo`)
    throwsCode(t, () => live.copyFrom(m), 'ERR_DETACHED', Error, undefined, `live.copyFrom(${name})`)
    throwsCode(t, () => live.copyTo(m), 'ERR_DETACHED', Error, undefined, `live.copyTo(${name})`)
    throwsCode(t, () => live.copyFrom(m, { convert: true }), 'ERR_DETACHED', Error, undefined, `live.copyFrom(${name}, convert)`)
    throwsCode(
      t,
      () =>
        m.copyTo([
          [0, 0, 0],
          [0, 0, 0],
        ]),
      'ERR_DETACHED',
      Error,
      undefined,
      `${name}.copyTo(values)`,
    )
  }
  expectValues(t, live, grid(2, 3))
})

test('an ndarray-like or typed rows over a detached buffer as the other side of a copy → ERR_DETACHED', (t) => {
  // Reading of the detach rule ("ERR_DETACHED: a source ArrayBuffer was detached or transferred"; copies in both
  // directions detect it). Today: the ndarray-like gives ERR_INVALID_ARGUMENT "the ndarray's shape, strides and
  // offset reach outside its data (elements 0..5 of 0)", the typed rows ERR_SHAPE_MISMATCH (they look 0 long).
  const m = make('d', grid(2, 3))
  const data = iota(6)
  transfer(data)
  throwsCode(t, () => m.copyFrom({ data, shape: [2, 3] }), 'ERR_DETACHED', Error, undefined, 'copyFrom(ndarray-like)')
  throwsCode(t, () => m.copyTo({ data, shape: [2, 3] }), 'ERR_DETACHED', Error, undefined, 'copyTo(ndarray-like)')
  const rows = [iota(3), iota(3)]
  transfer(rows[0])
  throwsCode(t, () => m.copyFrom(rows), 'ERR_DETACHED', Error, undefined, 'copyFrom(typed rows)')
  throwsCode(t, () => m.copyTo(rows), 'ERR_DETACHED', Error, undefined, 'copyTo(typed rows)')
})

test('a bad options argument (5, "x", null, an array, true) or a non-boolean cast / convert → ERR_INVALID_ARGUMENT, nothing copied', (t) => {
  const src = make('d', grid(2, 3))
  const dst = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
  for (const bad of [5, 'x', null, [], true, () => ({}), 0n]) {
    throwsCode(t, () => dst.copyFrom(src, bad as never), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `copyFrom options ${show(bad)}`)
    throwsCode(t, () => src.copyTo(dst, bad as never), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `copyTo options ${show(bad)}`)
  }
  for (const bad of [{ cast: 'yes' }, { convert: 'yes' }, { cast: 1 }, { convert: null }, { cast: true, convert: 'no' }]) {
    throwsCode(t, () => dst.copyFrom(src, bad as never), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `copyFrom ${JSON.stringify(bad)}`)
    throwsCode(t, () => src.copyTo(dst, bad as never), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `copyTo ${JSON.stringify(bad)}`)
  }
  expectValues(t, dst, [
    [0, 0, 0],
    [0, 0, 0],
  ])
  // undefined members are the defaults
  dst.copyFrom(src, { cast: undefined, convert: undefined })
  expectValues(t, dst, grid(2, 3))
})

test('objects that are not 2-D sources at all (a plain object, a string, a number) throw, and change nothing', (t) => {
  const m = make('d', grid(2, 3))
  const before = bytesOf(m)
  for (const bad of [{}, { shape: [2, 3] }, 'abc', 42, undefined, Symbol('s')]) {
    const e = t.throws(() => m.copyFrom(bad as never), undefined, show(typeof bad === 'symbol' ? 'symbol' : bad)) as
      | (Error & { code?: string })
      | undefined
    t.true(e !== undefined && ['ERR_INVALID_ARGUMENT', 'ERR_DIMENSIONS'].includes(e.code as string), `${e?.message}`)
  }
  t.deepEqual(bytesOf(m), before)
})

// ---------------------------------------------------------------------------------------------------------
// toTypedArray / toArray

test("toTypedArray({ order: 'C' }) and ({ order: 'F' }): row-major and column-major copies in the native TypedArray of the format", (t) => {
  const cases: [string, Value[][], TypedArrayCtor, (number | bigint)[], (number | bigint)[]][] = [
    [
      'd',
      [
        [1.5, 2],
        [3, -0],
      ],
      Float64Array,
      [1.5, 2, 3, -0],
      [1.5, 3, 2, -0],
    ],
    [
      '>i',
      [
        [1, -2, 3],
        [4, 5, -6],
      ],
      Int32Array,
      [1, -2, 3, 4, 5, -6],
      [1, 4, -2, 5, 3, -6],
    ],
    [
      '?',
      [
        [true, false],
        [false, true],
        [true, true],
      ],
      Uint8Array,
      [1, 0, 0, 1, 1, 1],
      [1, 0, 1, 0, 1, 1],
    ],
    ['q', [[-1n, 2n ** 63n - 1n]], BigInt64Array, [-1n, 2n ** 63n - 1n], [-1n, 2n ** 63n - 1n]],
    ['>Q', [[2n ** 64n - 1n], [5n]], BigUint64Array, [2n ** 64n - 1n, 5n], [2n ** 64n - 1n, 5n]],
    [
      'uint8c',
      [
        [1, 255],
        [0, 7],
      ],
      Uint8ClampedArray,
      [1, 255, 0, 7],
      [1, 0, 255, 7],
    ],
    ['>h', [[-1, 2]], Int16Array, [-1, 2], [-1, 2]],
    ['>f', [[1.5], [-2.25]], Float32Array, [1.5, -2.25], [1.5, -2.25]],
    [
      'e',
      [
        [1.5, 65504],
        [-0, 2 ** -24],
      ],
      Float16ArrayCtor ?? Float32Array,
      [1.5, 65504, -0, 2 ** -24],
      [1.5, -0, 65504, 2 ** -24],
    ],
    ['>e', [[0.5, -3]], Float16ArrayCtor ?? Float32Array, [0.5, -3], [0.5, -3]],
  ]
  for (const [format, values, Ctor, c, f] of cases) {
    const m = make(format, values)
    for (const [order, want] of [
      [undefined, c],
      ['C', c],
      ['F', f],
    ] as const) {
      const got = m.toTypedArray(order === undefined ? undefined : { order })
      t.is(Object.getPrototypeOf(got), Ctor.prototype, `${format} ${order}: ${got.constructor.name}`)
      const list = Array.from(got as ArrayLike<number | bigint>)
      t.is(list.length, want.length)
      want.forEach((w, i) => {
        t.true(Object.is(list[i], w), `${format} ${order ?? 'default'} [${i}] = ${show(list[i])}, expected ${show(w)}`)
      })
    }
    expectValues(t, m, values, format)
    // a copy: writing to it leaves the matrix alone
    const copy = m.toTypedArray() as unknown as { [i: number]: number | bigint }
    copy[0] = typeof copy[0] === 'bigint' ? 3n : 3
    expectValues(t, m, values, `${format} after writing to the copy`)
  }
})

test('toTypedArray / toArray of a strided view, a read-only matrix, a collection, and of 0×n / n×0 matrices', (t) => {
  const data = iota(12)
  const v = IndirectMemory2D.viewFromRows({ data, shape: [2, 3], strides: [-6, 1], offset: 7 }, { readonly: true })
  t.deepEqual(list(v.toTypedArray()), [7, 8, 9, 1, 2, 3])
  t.deepEqual(list(v.toTypedArray({ order: 'F' })), [7, 1, 8, 2, 9, 3])
  t.deepEqual(v.toArray(), [
    [7, 8, 9],
    [1, 2, 3],
  ])
  const c = new BufferCollection2D([new Int16Array([1, 2]), new Int16Array([3, 4]), new Int16Array([5, 6])])
  t.deepEqual(list(c.toTypedArray({ order: 'F' })), [1, 3, 5, 2, 4, 6])
  t.deepEqual(c.toArray(), [
    [1, 2],
    [3, 4],
    [5, 6],
  ])
  for (const [rows, cols] of [
    [0, 3],
    [3, 0],
    [0, 0],
  ]) {
    const m = IndirectMemory2D.createMemory({ rows, cols, format: '>i' })
    for (const order of ['C', 'F'] as const) {
      const a = m.toTypedArray({ order })
      t.true(a instanceof Int32Array)
      t.is(a.length, 0)
    }
    t.deepEqual(
      m.toArray(),
      Array.from({ length: rows }, () => []),
    )
  }
  const m = make('d', grid(2, 2))
  for (const bad of ['X', 'c', 1, 'f']) {
    throwsCode(t, () => m.toTypedArray({ order: bad as never }), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `order ${show(bad)}`)
  }
})

// ---------------------------------------------------------------------------------------------------------
// arrays of plain values

test('copyFrom an array of rows of numbers and booleans converts them as if convert were set, into every format', (t) => {
  const row: Value[] = [3.7, 2 ** 32 + 1, NaN, -0, true, false, 255.5, -1.5, 1e300]
  const want: [string, Value[]][] = [
    ['i', [3, 1, 0, 0, 1, 0, 255, -1, 0]],
    ['>i', [3, 1, 0, 0, 1, 0, 255, -1, 0]],
    ['I', [3, 1, 0, 0, 1, 0, 255, 4294967295, 0]],
    ['h', [3, 1, 0, 0, 1, 0, 255, -1, 0]],
    ['B', [3, 1, 0, 0, 1, 0, 255, 255, 0]],
    ['uint8c', [4, 255, 0, 0, 1, 0, 255, 0, 255]],
    ['b', [3, 1, 0, 0, 1, 0, -1, -1, 0]],
    ['q', [3n, 1n + 2n ** 32n, 0n, 0n, 1n, 0n, 255n, -1n, 0n]],
    ['Q', [3n, 1n + 2n ** 32n, 0n, 0n, 1n, 0n, 255n, 2n ** 64n - 1n, 0n]],
    ['d', [3.7, 2 ** 32 + 1, NaN, -0, 1, 0, 255.5, -1.5, 1e300]],
    ['>f', [Math.fround(3.7), 2 ** 32, NaN, -0, 1, 0, 255.5, -1.5, Infinity]],
    ['e', [3.69921875, Infinity, NaN, -0, 1, 0, 255.5, -1.5, Infinity]],
    ['?', [true, true, false, false, true, false, true, true, true]],
  ]
  for (const [format, values] of want) {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols: row.length, format })
    m.copyFrom([row, [...row].reverse()])
    expectValues(t, m, [values, [...values].reverse()], format)
  }
  // bigints: taken by 64-bit and '?' formats; refused, as TypedArray assignment refuses them, by the others
  const big = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'Q' })
  big.copyFrom([[5n, 2n ** 64n + 7n, -1n]])
  expectValues(t, big, [[5n, 7n, 2n ** 64n - 1n]])
  for (const format of ['i', 'd', '>f', 'B', 'uint8c', 'e']) {
    const m = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format })
    m.set(0, 0, 9)
    throwsCode(
      t,
      () => m.copyFrom([[1, 2n]]),
      'ERR_INVALID_ARGUMENT',
      TypeError,
      `row 0, column 1: a ${m.dtype} element takes a number, received 2n`,
    )
    t.is(m.get(0, 0), 9, `${format}: unchanged after the refused copy`)
  }
  // not safe integers into 64-bit formats: the copy rule (trunc, wrap), not set's refusal
  const q = IndirectMemory2D.createMemory({ rows: 1, cols: 4, format: 'q' })
  q.copyFrom([[2 ** 63, 2 ** 64 + 4096, -(2 ** 70), 2n ** 64n + 3n]])
  expectValues(t, q, [[-(2n ** 63n), 4096n, 0n, 3n]])
  // options do not change how values are taken
  const b = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'B' })
  b.copyFrom([[-1, 256]], { cast: true })
  expectValues(t, b, [[255, 0]])
})

test('copyTo an array of rows writes the values get returns, into the given arrays', (t) => {
  const cases: [string, Value[][]][] = [
    [
      'q',
      [
        [-1n, 2n ** 62n],
        [0n, 7n],
      ],
    ],
    [
      '?',
      [
        [true, false],
        [false, true],
      ],
    ],
    [
      '>i',
      [
        [1, -2],
        [3, -4],
      ],
    ],
    [
      'e',
      [
        [1.5, -0],
        [65504, 2 ** -24],
      ],
    ],
    [
      'uint8c',
      [
        [0, 255],
        [1, 2],
      ],
    ],
    [
      'd',
      [
        [NaN, -0],
        [Infinity, 1e-310],
      ],
    ],
  ]
  for (const [format, values] of cases) {
    const m = make(format, values)
    const rows: unknown[][] = [
      ['a', 'b'],
      ['c', 'd'],
    ]
    const [r0, r1] = rows
    m.copyTo(rows as Value[][])
    t.is(rows[0], r0)
    t.is(rows[1], r1)
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 2; c++) {
        t.true(Object.is(rows[r][c], values[r][c]), `${format} (${r}, ${c}): ${show(rows[r][c])}, expected ${show(values[r][c])}`)
        t.true(Object.is(rows[r][c], m.get(r, c)), `${format} (${r}, ${c}) is what get returns`)
      }
    }
    // with options too
    const again: unknown[][] = [
      [0, 0],
      [0, 0],
    ]
    m.copyTo(again as Value[][], { convert: true })
    t.deepEqual(again.flat().map(show), values.flat().map(show))
  }
  // a read-only matrix copies out
  const ro = make('i', [[1, 2]], { readonly: true })
  const out: number[][] = [[0, 0]]
  ro.copyTo(out)
  t.deepEqual(out, [[1, 2]])
})

test('a value that is not a number, bigint or boolean → ERR_INVALID_ARGUMENT, and the matrix unchanged', (t) => {
  for (const format of ['d', 'i', '>h', 'q', 'e', 'uint8c']) {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format })
    m.copyFrom([
      [1, 2],
      [3, 4],
    ])
    const before = bytesOf(m)
    for (const bad of ['5', 'x', {}, { valueOf: () => 1 }, null, undefined, [1], new Number(1), Symbol('s')]) {
      throwsCode(
        t,
        () =>
          m.copyFrom([
            [9, 9],
            [9, bad],
          ] as never),
        'ERR_INVALID_ARGUMENT',
        TypeError,
        undefined,
        `${format} ← ${typeof bad}`,
      )
      t.deepEqual(bytesOf(m), before, `${format}: unchanged after ${typeof bad} (the valid elements before it are not written either)`)
    }
  }
})

test("a string or an object among values copied into a '?' matrix → ERR_INVALID_ARGUMENT too (values are numbers, bigints, booleans)", (t) => {
  // An array of rows holds "arrays of numbers / bigints / booleans". `set` on a '?' matrix takes any value
  // (truthiness), but a copy from values is not a set. Today the bool target takes anything: [['x', {}, null]] → [true, true, false].
  const m = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: '?' })
  throwsCode(t, () => m.copyFrom([['x', {}, null]] as never), 'ERR_INVALID_ARGUMENT', TypeError)
  t.deepEqual(bytesOf(m), [0, 0, 0])
})

test('ragged rows of values, or the wrong number of rows → ERR_SHAPE_MISMATCH, and the matrix unchanged', (t) => {
  const m = make('d', grid(2, 3))
  const before = bytesOf(m)
  for (const bad of [
    [
      [1, 2, 3],
      [4, 5],
    ],
    [
      [1, 2],
      [4, 5, 6],
    ],
    [[1, 2, 3]],
    [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
    [[1, 2, 3], []],
  ]) {
    throwsCode(t, () => m.copyFrom(bad), 'ERR_SHAPE_MISMATCH', Error, 'different shapes', JSON.stringify(bad))
    throwsCode(t, () => m.copyTo(bad), 'ERR_SHAPE_MISMATCH', Error, 'different shapes', `copyTo ${JSON.stringify(bad)}`)
  }
  t.deepEqual(bytesOf(m), before)
  // an empty array of rows is [0, n] for any n; into a matrix with rows it is a shape mismatch
  t.notThrows(() => IndirectMemory2D.createMemory({ rows: 0, cols: 5, format: 'd' }).copyFrom([]))
  throwsCode(t, () => m.copyFrom([]), 'ERR_SHAPE_MISMATCH', Error, 'different shapes')
})
