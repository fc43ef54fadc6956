// Ragged tables (rows of their own lengths) and NULL-terminated row tables (README "Planes and string
// lists"): every constructor — createRagged, new BufferCollection2D(rows,
// { ragged: true }), fromPointer with row lengths — with zero rows, zero-length rows, one row and mixed
// lengths; get/set bounds per row; ERR_RAGGED from the operations that need a rectangle; toArray's shape;
// native code reading and writing the rows (sum_ragged / fill_ragged) and counting the rows of a
// NULL-terminated table up to its NULL (count_null_terminated); detach of one row; and fast-check properties
// against a plain JS model of a ragged table.

import test, { type ExecutionContext } from 'ava'
import fc from 'fast-check'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { sizes } from './helpers/native.js'
import { testlib, throwsCode } from './helpers/native-views.js'

const lib = testlib()

const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED)
function params(numRuns: number): fc.Parameters<unknown> {
  return SEED === undefined ? { numRuns, includeErrorInReport: true } : { numRuns, seed: SEED, includeErrorInReport: true }
}

/** What every ragged table answers, whatever made it: a plain model of its rows. */
interface RaggedLike {
  rows: number
  cols: number
  shape: [number, number]
  ragged: boolean
  nbytes: number
  itemsize: number
  rowLength(i: number): number
  rowLengths(): number[]
  get(r: number, c: number): unknown
  toArray(): unknown[][]
}

/** Checks the shape-related members of `m` against `model` (its rows' values). */
function expectRagged(t: ExecutionContext, m: RaggedLike, model: readonly (readonly unknown[])[], label = ''): void {
  const lengths = model.map((row) => row.length)
  const longest = Math.max(0, ...lengths)
  t.true(m.ragged, `${label} ragged`)
  t.is(m.rows, model.length, `${label} rows`)
  t.deepEqual(m.shape, [model.length, longest], `${label} shape is [rows, longest row]`)
  t.is(m.cols, longest, `${label} cols`)
  t.deepEqual(m.rowLengths(), lengths, `${label} rowLengths()`)
  lengths.forEach((n, i) => {
    t.is(m.rowLength(i), n, `${label} rowLength(${i})`)
  })
  t.is(m.nbytes, lengths.reduce((a, n) => a + n, 0) * m.itemsize, `${label} nbytes is the sum of the rows' bytes`)
  t.deepEqual(
    m.toArray(),
    model.map((row) => [...row]),
    `${label} toArray() has rows of their own lengths`,
  )
}

const OOB_ROW = 'index out of bounds on dimension 1'
const OOB_COL = 'index out of bounds on dimension 2'
const RAGGED = 'rows have different lengths'

/** get/set bounds of every row, against the row's own length (negatives count from the row's end). */
function expectRowBounds(t: ExecutionContext, m: IndirectMemory2D | BufferCollection2D, value: number, label = ''): void {
  const lengths = m.rowLengths()
  for (let r = 0; r < lengths.length; r++) {
    const n = lengths[r]
    for (const c of [n, n + 1, -n - 1]) {
      throwsCode(t, () => m.get(r, c), 'ERR_OUT_OF_BOUNDS', RangeError, OOB_COL, `${label} get(${r}, ${c}) of a row of ${n}`)
      throwsCode(t, () => m.set(r, c, value), 'ERR_OUT_OF_BOUNDS', RangeError, OOB_COL, `${label} set(${r}, ${c}) of a row of ${n}`)
    }
    if (n > 0) {
      const before = m.toArray()
      m.set(r, n - 1, value)
      t.is(m.get(r, n - 1), value, `${label} last element of row ${r}`)
      t.is(m.get(r, -1), value, `${label} get(${r}, -1) is the row's own last element`)
      t.is(m.get(r, -n), m.get(r, 0), `${label} get(${r}, -${n}) is its first`)
      m.set(r, n - 1, before[r][n - 1] as number)
    }
  }
  for (const r of [lengths.length, -lengths.length - 1]) {
    throwsCode(t, () => m.get(r, 0), 'ERR_OUT_OF_BOUNDS', RangeError, OOB_ROW, `${label} get(${r}, 0)`)
    throwsCode(t, () => m.set(r, 0, value), 'ERR_OUT_OF_BOUNDS', RangeError, OOB_ROW, `${label} set(${r}, 0)`)
  }
}

// ---------------------------------------------------------------------------------------------------------
// createRagged

test('createRagged: zero rows', (t) => {
  const m = IndirectMemory2D.createRagged({ rowLengths: [], format: 'd' })
  expectRagged(t, m, [])
  t.is(typeof m.pointer, 'bigint')
  t.is(m.rowPointers().length, 0)
  t.false(m.nullTerminated)
  throwsCode(t, () => m.get(0, 0), 'ERR_OUT_OF_BOUNDS', RangeError, OOB_ROW)
})

test('createRagged: zero-length rows among others, zero-filled, rows sized by their own lengths', (t) => {
  const m = IndirectMemory2D.createRagged({ rowLengths: [0, 3, 0, 1, 0], format: 'd' })
  expectRagged(t, m, [[], [0, 0, 0], [], [0], []])
  t.is(m.row(0).length, 0)
  t.is(m.row(1).length, 3)
  t.true(m.row(1) instanceof Float64Array)
  t.is(m.rowBytes(1).byteLength, 24)
  t.is(m.rowBytes(2).byteLength, 0)
  expectRowBounds(t, m, 7.5)
  // Every row pointer is a real address, zero-length rows too (C may read one before checking a length).
  for (const p of m.rowPointers()) t.not(p, 0n)
})

test('createRagged: one row', (t) => {
  const m = IndirectMemory2D.createRagged({ rowLengths: [5], format: 'i' })
  expectRagged(t, m, [[0, 0, 0, 0, 0]])
  m.set(0, -1, 9)
  t.deepEqual(m.toArray(), [[0, 0, 0, 0, 9]])
  expectRowBounds(t, m, -3)
})

test('createRagged: mixed lengths, values through set and row views, bounds per row', (t) => {
  const lengths = [4, 1, 7, 2]
  const m = IndirectMemory2D.createRagged({ rowLengths: lengths, format: 'd' })
  const model = lengths.map((n, r) => Array.from({ length: n }, (_, c) => r * 10 + c + 0.5))
  model.forEach((row, r) => {
    row.forEach((v, c) => {
      if (r % 2 === 0) m.set(r, c, v)
      else m.row(r)[c] = v
    })
  })
  expectRagged(t, m, model)
  t.deepEqual(Array.from(m.row(2)), model[2])
  expectRowBounds(t, m, -1.25)
  t.deepEqual(m.toArray(), model, 'bounds checks changed nothing')
})

test('createRagged: rows are aligned for their format, in one JS buffer; shared and readonly', (t) => {
  for (const format of ['d', 'q', 'i', 'h', 'e', 'B'] as const) {
    const m = IndirectMemory2D.createRagged({ rowLengths: [3, 1, 5, 0, 2], format })
    for (const p of m.rowPointers()) t.is(Number(p % BigInt(m.itemsize)), 0, `${format} row at ${p}`)
  }
  const m = IndirectMemory2D.createRagged({ rowLengths: [3, 1, 5], format: 'd' })
  t.is(m.row(0).buffer, m.row(2).buffer, 'one buffer')
  t.true(m.row(0).buffer instanceof ArrayBuffer)
  const shared = IndirectMemory2D.createRagged({ rowLengths: [2, 1], format: 'f', shared: true })
  t.true(shared.row(1).buffer instanceof SharedArrayBuffer)
  const ro = IndirectMemory2D.createRagged({ rowLengths: [2, 1], format: 'd', readonly: true })
  t.true(ro.readonly)
  throwsCode(t, () => ro.set(0, 0, 1), 'ERR_READONLY', TypeError)
  throwsCode(t, () => ro.row(0), 'ERR_READONLY', TypeError)
  t.deepEqual(ro.toArray(), [[0, 0], [0]])
})

test('createRagged: bad row lengths throw ERR_INVALID_SHAPE', (t) => {
  for (const rowLengths of [[-1], [2, 1.5], [NaN], [Infinity], [3, -0.5], [2 ** 64]]) {
    throwsCode(
      t,
      () => IndirectMemory2D.createRagged({ rowLengths, format: 'd' }),
      'ERR_INVALID_SHAPE',
      RangeError,
      undefined,
      JSON.stringify(rowLengths),
    )
  }
  throwsCode(t, () => IndirectMemory2D.createRagged({ rowLengths: [1], format: 'nope' }), 'ERR_INVALID_FORMAT', TypeError)
})

test('createRagged: native code reads and writes the rows through pointer', (t) => {
  const lengths = [3, 0, 5, 1]
  const m = IndirectMemory2D.createRagged({ rowLengths: lengths, format: 'd' })
  lengths.forEach((n, r) => {
    for (let c = 0; c < n; c++) m.set(r, c, r + c)
  })
  const expected = lengths.reduce((s, n, r) => s + Array.from({ length: n }, (_, c) => r + c).reduce((a, b) => a + b, 0), 0)
  t.is(lib.sum_ragged(m.pointer, lengths.length, sizes(lengths)), expected)
  const view = m.row(2)
  lib.fill_ragged(m.pointer, lengths.length, sizes(lengths), 0.5)
  t.is(m.get(3, 0), 3000.5)
  t.is(view[4], 2004.5, 'a row view taken before sees the native write')
  t.deepEqual(
    m.toArray(),
    lengths.map((n, r) => Array.from({ length: n }, (_, c) => 0.5 + r * 1000 + c)),
  )
  t.is(
    m.withPointer((p) => lib.sum_ragged(p, lengths.length, sizes(lengths))),
    lib.sum_ragged(m.pointer, lengths.length, sizes(lengths)),
  )
})

test('createRagged: exports lock the table and release unlocks it', (t) => {
  const m = IndirectMemory2D.createRagged({ rowLengths: [2, 5], format: 'd' })
  m.set(1, 4, 3)
  const e = m.acquire()
  t.is(e.pointer, m.pointer)
  t.true(m.locked)
  t.is(lib.sum_ragged(e.pointer, 2, sizes([2, 5])), 3)
  throwsCode(t, () => m.release(), 'ERR_LOCKED', Error, 'buffer is locked')
  e.release()
  t.false(m.locked)
  m.release()
  t.true(m.released)
  throwsCode(t, () => m.get(1, 4), 'ERR_RELEASED', Error)
  t.deepEqual(m.rowLengths(), [2, 5], 'the lengths keep answering after release()')
})

// ---------------------------------------------------------------------------------------------------------
// ERR_RAGGED: the operations that need a rectangle

function raggedErrors(t: ExecutionContext, m: IndirectMemory2D | BufferCollection2D, label: string): void {
  const [rows, cols] = m.shape
  const rect = IndirectMemory2D.createMemory({ rows, cols, format: m.format })
  throwsCode(t, () => m.toTypedArray(), 'ERR_RAGGED', Error, RAGGED, `${label} toTypedArray()`)
  throwsCode(t, () => m.toTypedArray({ order: 'F' }), 'ERR_RAGGED', Error, RAGGED, `${label} toTypedArray({ order: 'F' })`)
  throwsCode(t, () => m.copyTo(rect), 'ERR_RAGGED', Error, RAGGED, `${label} copyTo(a matrix of its shape)`)
  throwsCode(t, () => rect.copyFrom(m), 'ERR_RAGGED', Error, RAGGED, `${label} as a copyFrom source`)
  throwsCode(t, () => m.copyFrom(rect), 'ERR_RAGGED', Error, RAGGED, `${label} copyFrom(a matrix of its shape)`)
  throwsCode(t, () => rect.copyTo(m), 'ERR_RAGGED', Error, RAGGED, `${label} as a copyTo target`)
  throwsCode(t, () => m.copyTo(m), 'ERR_RAGGED', Error, RAGGED, `${label} self-copy`)
  throwsCode(t, () => m.subMatrix(0), 'ERR_RAGGED', Error, RAGGED, `${label} subMatrix across all rows`)
  t.is(
    rect
      .toArray()
      .flat()
      .every((v) => v === 0),
    true,
    `${label} the rectangle is unchanged`,
  )
}

test('ERR_RAGGED from copies, toTypedArray and subMatrix across rows of different lengths', (t) => {
  const m = IndirectMemory2D.createRagged({ rowLengths: [2, 3, 3, 0], format: 'd' })
  m.set(1, 2, 4)
  raggedErrors(t, m, 'createRagged')
  throwsCode(t, () => m.subMatrix(0, 2), 'ERR_RAGGED', Error, RAGGED, 'rows 0..2 (lengths 2, 3)')
  throwsCode(t, () => m.subMatrix(2, 4), 'ERR_RAGGED', Error, RAGGED, 'rows 2..4 (lengths 3, 0)')
  t.is(m.get(1, 2), 4, 'the table is unchanged')
  raggedErrors(t, new BufferCollection2D([new Float64Array(2), new Float64Array(5)], { ragged: true }), 'collection')
})

test('subMatrix of rows of one length is an ordinary block', (t) => {
  const m = IndirectMemory2D.createRagged({ rowLengths: [2, 4, 4, 1], format: 'd' })
  m.set(2, 3, 6)
  const one = m.subMatrix(3, 4, 0, 1)
  t.deepEqual(one.shape, [1, 1])
  const block = m.subMatrix(1, 3, 1)
  t.deepEqual(block.shape, [2, 3])
  t.is(block.get(1, 2), 6)
  t.is(lib.sum2d(block.pointer, 2, 3), 6)
})

// ---------------------------------------------------------------------------------------------------------
// BufferCollection2D with ragged: true

test('ragged collection: zero rows, zero-length rows, one row, mixed lengths; rows used in place', (t) => {
  const empty = new BufferCollection2D([], { ragged: true, format: 'd' })
  expectRagged(t, empty, [])
  t.is(empty.format, 'd')
  t.is(new BufferCollection2D([], { ragged: true }).format, 'B')

  const zeros = new BufferCollection2D([new Float32Array(0), new Float32Array(0)], { ragged: true })
  expectRagged(t, zeros, [[], []])
  t.is(zeros.format, 'f')
  expectRowBounds(t, zeros, 1)

  const single = new BufferCollection2D([new Int16Array([1, 2, 3])], { ragged: true })
  expectRagged(t, single, [[1, 2, 3]])

  const rows = [new Float64Array([1, 2, 3]), new Float64Array(0), new Float64Array([4]), new Float64Array([5, 6, 7, 8, 9])]
  const m = new BufferCollection2D(rows, { ragged: true })
  expectRagged(
    t,
    m,
    rows.map((r) => Array.from(r)),
  )
  expectRowBounds(t, m, 0.25)
  m.set(3, 4, -9)
  t.is(rows[3][4], -9, 'set writes the row object itself')
  rows[0][0] = 11
  t.is(m.get(0, 0), 11)
  t.is(m.row(3).buffer, rows[3].buffer)
  t.is(m.row(3).byteOffset, rows[3].byteOffset)
  t.is(lib.sum_ragged(m.pointer, 4, sizes([3, 0, 1, 5])), 11 + 2 + 3 + 4 + 5 + 6 + 7 + 8 - 9)
  lib.fill_ragged(m.pointer, 4, sizes([3, 0, 1, 5]), 0)
  t.is(rows[2][0], 2000, 'native writes land in the row objects')
})

test("ragged collection: rows of different buffers, ArrayBuffers and Buffers; the format is every row's", (t) => {
  const bytes = new BufferCollection2D([Buffer.from('abc'), new ArrayBuffer(1), new Uint8Array([7, 8])], { ragged: true })
  t.is(bytes.format, 'B')
  t.deepEqual(bytes.rowLengths(), [3, 1, 2])
  t.is(bytes.get(0, 2), 'c'.charCodeAt(0))
  throwsCode(
    t,
    () => new BufferCollection2D([new Float64Array(2), new Float32Array(3)], { ragged: true }),
    'ERR_ROW_FORMAT',
    Error,
    '1. object, expected format: [d], found format: [f]',
  )
  throwsCode(
    t,
    () => new BufferCollection2D([new Float64Array(2), new Float64Array(3)], { ragged: true, format: 'f' }),
    'ERR_ROW_FORMAT',
    Error,
    '0. object, expected format: [f], found format: [d]',
  )
  throwsCode(t, () => new BufferCollection2D([new Float64Array(2)], { ragged: true, columnCount: 2 }), 'ERR_INVALID_ARGUMENT', TypeError)
  // Without ragged, rows of different lengths are still refused.
  throwsCode(
    t,
    () => new BufferCollection2D([new Float64Array(2), new Float64Array(3)]),
    'ERR_COLUMN_COUNT',
    Error,
    '1. object, expected column count: 2, found column count: 3',
  )
})

test('ragged collection: a read-only row makes it read-only', (t) => {
  const ro = { data: new Float64Array([1, 2]), shape: [2], stride: [1], readonly: true }
  const m = new BufferCollection2D([new Float64Array(3), ro], { ragged: true })
  t.true(m.readonly)
  t.deepEqual(m.rowLengths(), [3, 2])
  throwsCode(t, () => m.set(0, 0, 1), 'ERR_READONLY', TypeError)
  t.is(m.get(1, 1), 2)
})

test('ragged collection: detaching one row object refuses memory operations, without a crash', (t) => {
  const rows = [new Float64Array([1, 2]), new Float64Array([3, 4, 5]), new Float64Array([6])]
  const m = new BufferCollection2D(rows, { ragged: true })
  t.is(m.get(1, 2), 5)
  structuredClone(rows[1].buffer, { transfer: [rows[1].buffer] })
  throwsCode(t, () => m.get(1, 0), 'ERR_DETACHED', Error, undefined, 'get on the detached row')
  throwsCode(t, () => m.set(1, 0, 1), 'ERR_DETACHED', Error, undefined, 'set on the detached row')
  throwsCode(t, () => m.row(1), 'ERR_DETACHED', Error, undefined, 'row(1)')
  throwsCode(t, () => m.pointer, 'ERR_DETACHED', Error, undefined, 'pointer')
  throwsCode(t, () => m.toArray(), 'ERR_DETACHED', Error, undefined, 'toArray()')
  throwsCode(t, () => m.rowPointers(), 'ERR_DETACHED', Error, undefined, 'rowPointers()')
  // Once a check has seen the detached row, the whole collection refuses memory operations.
  throwsCode(t, () => m.get(0, 0), 'ERR_DETACHED', Error, undefined, 'get on another row afterwards')
  t.deepEqual(m.shape, [3, 3], 'the shape keeps answering')
  t.is(rows[0][0], 1, 'the other rows are untouched')
})

// ---------------------------------------------------------------------------------------------------------
// fromPointer with row lengths: a ragged table over native rows

test.serial('fromPointer(address, rows, rowLengths, format): native rows of their own lengths, the nanny once', (t) => {
  const live = lib.live2d()
  const table = lib.make2d(3, 6)
  let frees = 0
  const m = IndirectMemory2D.fromPointer(table, 3, [6, 0, 2], 'd', {
    free: (address: bigint) => {
      frees++
      lib.free2d(address, 3, 6)
    },
  })
  t.is(m.pointer, table, 'used in place')
  expectRagged(t, m, [[0, 0, 0, 0, 0, 0], [], [0, 0]])
  expectRowBounds(t, m, 2.5)
  lib.fill_ragged(m.pointer, 3, sizes([6, 0, 2]), 1)
  t.deepEqual(m.toArray(), [[1, 2, 3, 4, 5, 6], [], [2001, 2002]])
  t.is(m.row(2).length, 2)
  throwsCode(t, () => m.toTypedArray(), 'ERR_RAGGED', Error, RAGGED)
  m.release()
  t.is(frees, 1)
  t.is(lib.live2d(), live)
  m.release()
  t.is(frees, 1, 'a second release() does not free again')
  throwsCode(t, () => m.get(0, 0), 'ERR_RELEASED', Error)
})

test('fromPointer with row lengths: zero rows, one row, bad lengths', (t) => {
  const table = lib.make2d(1, 4)
  try {
    expectRagged(t, IndirectMemory2D.fromPointer(table, 0, [], 'd'), [])
    const one = IndirectMemory2D.fromPointer(table, 1, [3], 'd')
    one.set(0, -1, 8)
    expectRagged(t, one, [[0, 0, 8]])
    t.is(lib.sum2d(table, 1, 4), 8, 'written in place')
    expectRagged(t, IndirectMemory2D.fromPointer(table, 1, [0], 'd'), [[]])
    throwsCode(t, () => IndirectMemory2D.fromPointer(table, 1, [-1], 'd'), 'ERR_INVALID_SHAPE', RangeError)
    throwsCode(t, () => IndirectMemory2D.fromPointer(table, 1, [0.5], 'd'), 'ERR_INVALID_SHAPE', RangeError)
    throwsCode(t, () => IndirectMemory2D.fromPointer(0n, 1, [1], 'd'), 'ERR_NULL_POINTER', Error)
  } finally {
    lib.free2d(table, 1, 4)
  }
})

// ---------------------------------------------------------------------------------------------------------
// NULL-terminated row tables

/** The table native code sees: `rows` non-null entries, then a NULL. */
function expectNullTerminated(t: ExecutionContext, m: IndirectMemory2D | BufferCollection2D, label: string): void {
  t.true(m.nullTerminated, `${label} nullTerminated`)
  t.is(lib.count_null_terminated(m.pointer), m.rows, `${label}: native code counts the rows up to the NULL`)
  // koffi returns a NULL pointer as null.
  t.is(lib.row_at(m.pointer, m.rows) as bigint | null, null, `${label}: entry [rows] is NULL`)
  t.is(m.rowPointers().length, m.rows, `${label}: rowPointers() leaves the NULL out`)
  for (let r = 0; r < m.rows; r++) t.is(lib.row_at(m.pointer, r), m.rowPointer(r), `${label}: entry ${r}`)
}

test('nullTerminated: true on every constructor that builds a row table', (t) => {
  expectNullTerminated(t, IndirectMemory2D.createMemory({ rows: 3, cols: 2, format: 'd', nullTerminated: true }), 'createMemory')
  expectNullTerminated(
    t,
    IndirectMemory2D.createMemory({ rows: 4, cols: 0, format: 'd', nullTerminated: true }),
    'createMemory with 0 columns',
  )
  expectNullTerminated(
    t,
    IndirectMemory2D.createMemory({ rows: 0, cols: 2, format: 'd', nullTerminated: true }),
    'createMemory with 0 rows',
  )
  expectNullTerminated(t, IndirectMemory2D.createRagged({ rowLengths: [2, 0, 3, 0], format: 'B', nullTerminated: true }), 'createRagged')
  const data = new Float64Array(12).map((_, i) => i)
  const rows = IndirectMemory2D.viewFromRows({ data, shape: [3, 4], stride: [4, 1] }, { nullTerminated: true })
  expectNullTerminated(t, rows, 'viewFromRows')
  t.is(lib.sum2d(rows.pointer, 3, 4), 66, 'the rows are unchanged by the extra entry')
  const columns = IndirectMemory2D.viewFromColumns({ data, shape: [4, 3], stride: [1, 4] }, { nullTerminated: true })
  t.deepEqual(columns.shape, [3, 4])
  expectNullTerminated(t, columns, 'viewFromColumns')
  expectNullTerminated(
    t,
    new BufferCollection2D([new Float64Array(2), new Float64Array(2)], { nullTerminated: true }),
    'BufferCollection2D',
  )
  expectNullTerminated(
    t,
    new BufferCollection2D([new Uint8Array(2), new Uint8Array(0), new Uint8Array(5)], { ragged: true, nullTerminated: true }),
    'ragged BufferCollection2D',
  )
  expectNullTerminated(t, new BufferCollection2D([], { nullTerminated: true }), 'empty BufferCollection2D')
  const native = lib.make2d(3, 2)
  try {
    const all = IndirectMemory2D.fromRowPointers(koffiRows(native, 3), 2, 'd', { nullTerminated: true })
    expectNullTerminated(t, all, 'fromRowPointers')
    const fewer = IndirectMemory2D.fromRowPointers(koffiRows(native, 3), 2, 'd', { rows: 2, nullTerminated: true })
    expectNullTerminated(t, fewer, 'fromRowPointers with fewer rows')
    t.is(fewer.rows, 2)
    all.release()
    fewer.release()
  } finally {
    lib.free2d(native, 3, 2)
  }
})

/** The row addresses of a native `make2d` table, read as native code reads them. */
function koffiRows(table: bigint, rows: number): BigUint64Array {
  return BigUint64Array.from({ length: rows }, (_, r) => lib.row_at(table, r))
}

test('nullTerminated defaults to false and is reported', (t) => {
  t.false(IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' }).nullTerminated)
  t.false(IndirectMemory2D.createRagged({ rowLengths: [1, 2], format: 'd' }).nullTerminated)
  t.false(new BufferCollection2D([new Float64Array(1)]).nullTerminated)
  t.false(IndirectMemory2D.createRagged({ rowLengths: [1, 2], format: 'd', nullTerminated: false }).nullTerminated)
})

// ---------------------------------------------------------------------------------------------------------
// properties against a plain JS model

type Op =
  | { kind: 'set'; r: number; c: number; v: number }
  | { kind: 'view'; r: number; c: number; v: number }
  | { kind: 'native'; v: number }

const lengthsArb = fc.array(fc.nat({ max: 9 }), { maxLength: 7 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    r: fc.integer({ min: -9, max: 9 }),
    c: fc.integer({ min: -11, max: 11 }),
    v: fc.integer({ min: -1000, max: 1000 }),
  }),
  fc.record({
    kind: fc.constant('view' as const),
    r: fc.nat({ max: 8 }),
    c: fc.nat({ max: 10 }),
    v: fc.integer({ min: -1000, max: 1000 }),
  }),
  fc.record({ kind: fc.constant('native' as const), v: fc.integer({ min: -5, max: 5 }) }),
)

/** `Array.prototype.at`-style index, or undefined when out of range. */
function resolve(i: number, n: number): number | undefined {
  const j = i < 0 ? i + n : i
  return j >= 0 && j < n ? j : undefined
}

/** Applies `op` to the model and to `m`, checking that `m` accepts or refuses it as the model says. */
function apply(model: number[][], m: IndirectMemory2D | BufferCollection2D, op: Op): void {
  if (op.kind === 'native') {
    const lengths = model.map((row) => row.length)
    lib.fill_ragged(m.pointer, model.length, sizes(lengths), op.v)
    model.forEach((row, r) => {
      row.forEach((_, c) => {
        row[c] = op.v + r * 1000 + c
      })
    })
    return
  }
  const r = resolve(op.r, model.length)
  if (op.kind === 'view') {
    if (r === undefined) return
    const view = m.row(r) as Float64Array
    if (view.length !== model[r].length) throw new Error(`row(${r}) has ${view.length} elements, expected ${model[r].length}`)
    if (op.c < view.length) {
      view[op.c] = op.v
      model[r][op.c] = op.v
    }
    return
  }
  const c = r === undefined ? undefined : resolve(op.c, model[r].length)
  let code: string | undefined
  try {
    m.set(op.r, op.c, op.v)
  } catch (e) {
    code = (e as { code?: string }).code
  }
  const expected = r === undefined || c === undefined ? 'ERR_OUT_OF_BOUNDS' : undefined
  if (code !== expected) throw new Error(`set(${op.r}, ${op.c}) threw ${code}, expected ${expected}`)
  if (r !== undefined && c !== undefined) model[r][c] = op.v
}

function checkAgainstModel(model: number[][], m: IndirectMemory2D | BufferCollection2D): void {
  const lengths = model.map((row) => row.length)
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
  if (!same(m.toArray(), model)) throw new Error(`toArray() ${JSON.stringify(m.toArray())} != model ${JSON.stringify(model)}`)
  if (!same(m.rowLengths(), lengths)) throw new Error(`rowLengths() ${JSON.stringify(m.rowLengths())} != ${JSON.stringify(lengths)}`)
  if (!same(m.shape, [model.length, Math.max(0, ...lengths)])) throw new Error(`shape ${JSON.stringify(m.shape)}`)
  if (m.nbytes !== 8 * lengths.reduce((a, n) => a + n, 0)) throw new Error(`nbytes ${m.nbytes}`)
  const sum = model.flat().reduce((a, v) => a + v, 0)
  const native = lib.sum_ragged(m.pointer, model.length, sizes(lengths))
  if (native !== sum) throw new Error(`native sum ${native} != model sum ${sum}`)
  for (let r = -model.length - 1; r <= model.length; r++) {
    const rr = resolve(r, model.length)
    const n = rr === undefined ? 0 : model[rr].length
    for (let c = -n - 1; c <= n; c++) {
      const cc = rr === undefined ? undefined : resolve(c, n)
      let got: unknown
      let code: string | undefined
      try {
        got = m.get(r, c)
      } catch (e) {
        code = (e as { code?: string }).code
      }
      if (rr === undefined || cc === undefined) {
        if (code !== 'ERR_OUT_OF_BOUNDS') throw new Error(`get(${r}, ${c}) gave ${String(got)} / ${code}, expected ERR_OUT_OF_BOUNDS`)
      } else if (got !== model[rr][cc]) {
        throw new Error(`get(${r}, ${c}) = ${String(got)}, expected ${model[rr][cc]}`)
      }
    }
  }
}

test('property: createRagged behaves as a plain array of rows', (t) => {
  fc.assert(
    fc.property(lengthsArb, fc.array(opArb, { maxLength: 25 }), (lengths, ops) => {
      const m = IndirectMemory2D.createRagged({ rowLengths: lengths, format: 'd' })
      const model = lengths.map((n) => new Array<number>(n).fill(0))
      checkAgainstModel(model, m)
      for (const op of ops) apply(model, m, op)
      checkAgainstModel(model, m)
    }),
    params(150),
  )
  t.pass()
})

test('property: a ragged collection is its row objects, read and written in place', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.integer({ min: -99, max: 99 }), { maxLength: 9 }), { maxLength: 7 }),
      fc.array(opArb, { maxLength: 25 }),
      (values, ops) => {
        const rows = values.map((row) => Float64Array.from(row))
        const m = new BufferCollection2D(rows, { ragged: true, format: 'd' })
        const model = values.map((row) => [...row])
        checkAgainstModel(model, m)
        for (const op of ops) apply(model, m, op)
        checkAgainstModel(model, m)
        // The row objects hold exactly the model: nothing was copied.
        if (JSON.stringify(rows.map((r) => Array.from(r))) !== JSON.stringify(model)) throw new Error('row objects differ from the model')
      },
    ),
    params(150),
  )
  t.pass()
})

test('property: subMatrix works exactly when its rows have one length; toTypedArray refuses rows of different lengths', (t) => {
  fc.assert(
    fc.property(lengthsArb, fc.nat({ max: 8 }), fc.nat({ max: 8 }), (lengths, a, b) => {
      const m = IndirectMemory2D.createRagged({ rowLengths: lengths, format: 'd' })
      const begin = Math.min(a, b, lengths.length)
      const end = Math.min(Math.max(a, b), lengths.length)
      const involved = lengths.slice(begin, end)
      const uniform = involved.every((n) => n === involved[0])
      let code: string | undefined
      try {
        const block = uniform ? m.subMatrix(begin, end, 0, involved[0] ?? 0) : m.subMatrix(begin, end)
        if (block.rows !== end - begin) throw new Error(`subMatrix(${begin}, ${end}) has ${block.rows} rows`)
      } catch (e) {
        code = (e as { code?: string }).code
      }
      if (code !== (uniform ? undefined : 'ERR_RAGGED')) throw new Error(`subMatrix(${begin}, ${end}) of [${lengths}] threw ${code}`)
      if (lengths.some((n) => n !== lengths[0])) {
        code = undefined
        try {
          m.toTypedArray()
        } catch (e) {
          code = (e as { code?: string }).code
        }
        if (code !== 'ERR_RAGGED') throw new Error(`toTypedArray() of [${lengths}] threw ${code}`)
      }
    }),
    params(200),
  )
  t.pass()
})
