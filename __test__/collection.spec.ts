// BufferCollection2D: one row object per row, each used in place. Detection of column count and format from
// row 0, the given `columnCount` / `format`, the indexed error messages, `unravel`, read-only rows, the empty
// collection, Buffers / ArrayBuffers / rows of different buffers / iterables, and native code reading and
// writing the rows through the collection's pointer.

import test from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { expectValues, testlib, throwsCode } from './helpers/native-views.js'

test('column count and format are detected from row 0; rows are used in place both ways', (t) => {
  const rows = [new Float32Array([1, 2, 3]), new Float32Array([4, 5, 6])]
  const m = new BufferCollection2D(rows)
  t.is(m.format, 'f')
  t.is(m.itemsize, 4)
  t.false(m.readonly)
  expectValues(t, m, 2, 3, (r, c) => 3 * r + c + 1)
  m.set(1, 2, -6)
  t.is(rows[1][2], -6)
  rows[0][0] = 0.5
  t.is(m.get(0, 0), 0.5)
  t.is(m.row(1).buffer, rows[1].buffer)
  t.is(m.row(1).byteOffset, rows[1].byteOffset)
})

test('every typed array kind is detected by its struct character', (t) => {
  const cases: [ArrayBufferView, string][] = [
    [new Int8Array(2), 'b'],
    [new Uint8Array(2), 'B'],
    [new Uint8ClampedArray(2), 'B'],
    [Buffer.alloc(2), 'B'],
    [new Int16Array(2), 'h'],
    [new Uint16Array(2), 'H'],
    [new Int32Array(2), 'i'],
    [new Uint32Array(2), 'I'],
    [new BigInt64Array(2), 'q'],
    [new BigUint64Array(2), 'Q'],
    [new Float32Array(2), 'f'],
    [new Float64Array(2), 'd'],
    [new ArrayBuffer(2) as unknown as ArrayBufferView, 'B'],
    [new SharedArrayBuffer(2) as unknown as ArrayBufferView, 'B'],
  ]
  for (const [row, format] of cases) {
    const m = new BufferCollection2D([row, row])
    t.is(m.format, format, row.constructor.name)
    t.deepEqual(m.shape, [2, 2], row.constructor.name)
  }
})

test('columnCount and format given: accepted when every row has them', (t) => {
  const rows = [new Float64Array([1, 2, 3]), new Float64Array([4, 5, 6]), new Float64Array([7, 8, 9])]
  const m = new BufferCollection2D(rows, { columnCount: 3, format: 'd' })
  t.is(m.format, 'd')
  expectValues(t, m, 3, 3, (r, c) => 3 * r + c + 1)
  // A matching spelling of the same bytes is accepted, and kept as given.
  const named = new BufferCollection2D(rows, { format: 'float64' })
  t.is(named.format, 'float64')
  t.is(named.get(2, 2), 9)
  // null / undefined format and columnCount -1 mean detect.
  t.is(new BufferCollection2D(rows, { format: null, columnCount: -1 }).format, 'd')
  t.is(new BufferCollection2D(rows, { format: undefined, columnCount: undefined }).cols, 3)
})

test('ERR_COLUMN_COUNT with the row index and both counts', (t) => {
  const three = new Float64Array(3)
  const four = new Float64Array(4)
  throwsCode(
    t,
    () => new BufferCollection2D([three, four]),
    'ERR_COLUMN_COUNT',
    Error,
    '1. object, expected column count: 3, found column count: 4',
  )
  throwsCode(
    t,
    () => new BufferCollection2D([three, three, three, new Float64Array(2)]),
    'ERR_COLUMN_COUNT',
    Error,
    '3. object, expected column count: 3, found column count: 2',
  )
  throwsCode(
    t,
    () => new BufferCollection2D([four, three], { columnCount: 3 }),
    'ERR_COLUMN_COUNT',
    Error,
    '0. object, expected column count: 3, found column count: 4',
  )
  throwsCode(
    t,
    () => new BufferCollection2D([three], { columnCount: 0 }),
    'ERR_COLUMN_COUNT',
    Error,
    '0. object, expected column count: 0, found column count: 3',
  )
})

test('ERR_ROW_FORMAT with the row index and both formats', (t) => {
  const d = new Float64Array(3)
  const f = new Float32Array(3)
  throwsCode(t, () => new BufferCollection2D([d, d, f]), 'ERR_ROW_FORMAT', Error, '2. object, expected format: [d], found format: [f]')
  throwsCode(
    t,
    () => new BufferCollection2D([d, d, f], { format: 'd' }),
    'ERR_ROW_FORMAT',
    Error,
    '2. object, expected format: [d], found format: [f]',
  )
  throwsCode(
    t,
    () => new BufferCollection2D([f], { format: 'd' }),
    'ERR_ROW_FORMAT',
    Error,
    '0. object, expected format: [d], found format: [f]',
  )
  throwsCode(
    t,
    () => new BufferCollection2D([new Int32Array(3), new Uint32Array(3)]),
    'ERR_ROW_FORMAT',
    Error,
    '1. object, expected format: [i], found format: [I]',
  )
  // The format option does not reinterpret rows: same itemsize is not enough.
  throwsCode(
    t,
    () => new BufferCollection2D([new Float32Array(2)], { format: 'i' }),
    'ERR_ROW_FORMAT',
    Error,
    '0. object, expected format: [i], found format: [f]',
  )
  // A bad format option is a format error, not a row error.
  throwsCode(t, () => new BufferCollection2D([d], { format: 'zz' }), 'ERR_INVALID_FORMAT', TypeError)
})

test('ERR_ROW_DIMENSIONS: unravel: false accepts only 1-D rows', (t) => {
  const flat = new Float64Array(6)
  const twoD = { data: new Float64Array(6), shape: [2, 3], stride: [3, 1] }
  throwsCode(
    t,
    () => new BufferCollection2D([flat, twoD], { unravel: false }),
    'ERR_ROW_DIMENSIONS',
    Error,
    '1. object has dimensionality: 2, but only one-dimensional objects are accepted',
  )
  const threeD = { data: new Float64Array(6), shape: [1, 2, 3] }
  throwsCode(
    t,
    () => new BufferCollection2D([threeD], { unravel: false }),
    'ERR_ROW_DIMENSIONS',
    Error,
    '0. object has dimensionality: 3, but only one-dimensional objects are accepted',
  )
  // 1-D ndarray-likes are fine without unravel
  const oneD = { data: Float64Array.from([9, 8, 7, 6, 5, 4, 3]), shape: [6], stride: [1], offset: 1 }
  const m = new BufferCollection2D([flat, oneD], { unravel: false })
  expectValues(t, m, 2, 6, (r, c) => (r === 0 ? 0 : 8 - c))
  throwsCode(t, () => new BufferCollection2D([flat], { unravel: 'no' as never }), 'ERR_INVALID_ARGUMENT', TypeError)
})

test('unravel (default) reads a C-order 2-D row in memory order', (t) => {
  const data = Float64Array.from({ length: 10 }, (_, i) => i)
  const cRow = { data, shape: [2, 3], stride: [3, 1], offset: 2 }
  const m = new BufferCollection2D([new Float64Array(6), cRow])
  expectValues(t, m, 2, 6, (r, c) => (r === 0 ? 0 : 2 + c))
  m.set(1, 5, -1)
  t.is(data[7], -1)
})

test('unravel reads an F-order 2-D row in memory order, not in logical C order', (t) => {
  const data = Float64Array.from({ length: 10 }, (_, i) => i)
  // element (i, j) of this 2×3 row object is data[2 + i + 2 j]; memory order is data[2..7]
  const fRow = { data, shape: [2, 3], stride: [1, 2], offset: 2 }
  const m = new BufferCollection2D([fRow, fRow])
  expectValues(t, m, 2, 6, (_r, c) => 2 + c)
  // logical C order would be 2, 4, 6, 3, 5, 7: make sure that is not what we read
  t.notDeepEqual(m.toArray()[0], [2, 4, 6, 3, 5, 7])
  const lib = testlib()
  t.is(lib.sum2d(m.pointer, 1, 6), 2 + 3 + 4 + 5 + 6 + 7)
})

test('unravel of a row object with a negative stride starts at its lowest address', (t) => {
  const data = Float64Array.from({ length: 6 }, (_, i) => i)
  const rev = { data, shape: [2, 3], stride: [-3, 1], offset: 3 } // rows reversed, memory data[0..5]
  const m = new BufferCollection2D([rev])
  expectValues(t, m, 1, 6, (_r, c) => c)
})

test('a non-contiguous ndarray-like row → ERR_NOT_CONTIGUOUS', (t) => {
  const data = new Float64Array(12)
  throwsCode(t, () => new BufferCollection2D([{ data, shape: [3], stride: [2] }]), 'ERR_NOT_CONTIGUOUS', Error)
  throwsCode(t, () => new BufferCollection2D([new Float64Array(3), { data, shape: [3], stride: [2] }]), 'ERR_NOT_CONTIGUOUS', Error)
  throwsCode(t, () => new BufferCollection2D([{ data, shape: [2, 3], stride: [6, 1] }]), 'ERR_NOT_CONTIGUOUS', Error)
  throwsCode(t, () => new BufferCollection2D([{ data, shape: [2, 2], stride: [4, 2] }]), 'ERR_NOT_CONTIGUOUS', Error)
})

test('an ndarray-like row reaching outside its data → ERR_INVALID_ARGUMENT', (t) => {
  const data = new Float64Array(4)
  throwsCode(t, () => new BufferCollection2D([{ data, shape: [5] }]), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(t, () => new BufferCollection2D([{ data, shape: [4], offset: 1 }]), 'ERR_INVALID_ARGUMENT', TypeError)
})

test('read-only when any row object has readonly: true', (t) => {
  const a = new Float64Array([1, 2])
  const b = { data: new Float64Array([3, 4]), shape: [2], readonly: true }
  const c = new Float64Array([5, 6])
  const m = new BufferCollection2D([a, b, c])
  t.true(m.readonly)
  expectValues(t, m, 3, 2, (r, cc) => 2 * r + cc + 1)
  throwsCode(t, () => m.set(0, 0, 9), 'ERR_READONLY', TypeError)
  throwsCode(t, () => m.row(0), 'ERR_READONLY', TypeError)
  t.is(a[0], 1)
  t.throws(() => m.acquire({ writable: true }), { code: 'ERR_READONLY', message: 'buffer is not writable' })
  // read-only: false objects and plain arrays make a writable collection
  t.false(new BufferCollection2D([a, { data: new Float64Array(2), shape: [2], readonly: false }]).readonly)
})

test('an empty list: shape [0, max(columnCount, 0)], format as given or B', (t) => {
  const e = new BufferCollection2D([])
  t.deepEqual(e.shape, [0, 0])
  t.is(e.format, 'B')
  t.is(e.itemsize, 1)
  t.is(e.nbytes, 0)
  t.deepEqual(e.toArray(), [])
  t.is(e.rowPointers().length, 0)
  t.is(typeof e.pointer, 'bigint')
  const e5 = new BufferCollection2D([], { columnCount: 5, format: 'd' })
  t.deepEqual(e5.shape, [0, 5])
  t.is(e5.format, 'd')
  t.is(e5.itemsize, 8)
  const eNeg = new BufferCollection2D([], { columnCount: -1, format: 'int16' })
  t.deepEqual(eNeg.shape, [0, 0])
  t.is(eNeg.format, 'int16')
  throwsCode(t, () => e.get(0, 0), 'ERR_OUT_OF_BOUNDS', RangeError, 'index out of bounds on dimension 1')
})

test('zero-length rows: shape [n, 0]', (t) => {
  const m = new BufferCollection2D([new Float64Array(0), new Float64Array(0)])
  t.deepEqual(m.shape, [2, 0])
  t.is(m.format, 'd')
  t.deepEqual(m.toArray(), [[], []])
  throwsCode(t, () => m.get(0, 0), 'ERR_OUT_OF_BOUNDS', RangeError, 'index out of bounds on dimension 2')
  throwsCode(
    t,
    () => new BufferCollection2D([new Float64Array(0), new Float64Array(1)]),
    'ERR_COLUMN_COUNT',
    Error,
    '1. object, expected column count: 0, found column count: 1',
  )
})

test('a matrix as a row object → ERR_INVALID_ARGUMENT', (t) => {
  const owned = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'd' })
  const view = IndirectMemory2D.viewFromRows(new Float64Array(3))
  const coll = new BufferCollection2D([new Float64Array(3)])
  for (const m of [owned, view, coll, owned.subMatrix(0)]) {
    throwsCode(t, () => new BufferCollection2D([m as never]), 'ERR_INVALID_ARGUMENT', TypeError)
    throwsCode(t, () => new BufferCollection2D([new Float64Array(3), m as never]), 'ERR_INVALID_ARGUMENT', TypeError)
  }
})

test('other non-row objects and non-lists → ERR_INVALID_ARGUMENT', (t) => {
  for (const bad of [1, 'abc', [1, 2, 3], null, undefined, {}, 2n]) {
    throwsCode(t, () => new BufferCollection2D([bad as never]), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `row ${String(bad)}`)
  }
  for (const bad of [1, null, undefined, {}, new Float64Array(3), true]) {
    throwsCode(t, () => new BufferCollection2D(bad as never), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `list ${String(bad)}`)
  }
  for (const bad of [null, 3, 'x', []]) {
    throwsCode(
      t,
      () => new BufferCollection2D([new Float64Array(1)], bad as never),
      'ERR_INVALID_ARGUMENT',
      TypeError,
      undefined,
      `options ${String(bad)}`,
    )
  }
})

test('Buffers, ArrayBuffers, SharedArrayBuffers and Uint8Arrays mix as byte rows', (t) => {
  let pooled = Buffer.from([1, 2, 3])
  for (let i = 0; i < 10 && pooled.byteOffset === 0; i++) pooled = Buffer.from([1, 2, 3])
  t.not(pooled.byteOffset, 0, 'precondition: pooled Buffer')
  const ab = new ArrayBuffer(3)
  new Uint8Array(ab).set([4, 5, 6])
  const sab = new SharedArrayBuffer(3)
  new Uint8Array(sab).set([7, 8, 9])
  const u8 = new Uint8Array([10, 11, 12])
  const clamped = new Uint8ClampedArray([13, 14, 15])
  const m = new BufferCollection2D([pooled, ab, sab, u8, clamped])
  t.is(m.format, 'B')
  expectValues(t, m, 5, 3, (r, c) => 3 * r + c + 1)
  m.set(0, 0, 100)
  m.set(1, 1, 101)
  m.set(2, 2, 102)
  t.is(pooled[0], 100)
  t.is(new Uint8Array(ab)[1], 101)
  t.is(new Uint8Array(sab)[2], 102)
  const lib = testlib()
  t.is(lib.byte_at(m.pointer, 0, 0), 100)
  t.is(lib.byte_at(m.pointer, 4, 2), 15)
  t.is(m.rowBytes(0).byteOffset, pooled.byteOffset)
})

test('rows from different buffers and out-of-order slices of one buffer', (t) => {
  const base = Float64Array.from({ length: 12 }, (_, i) => i)
  const rows = [base.subarray(8, 12), new Float64Array([-1, -2, -3, -4]), base.subarray(0, 4), base.subarray(4, 8)]
  const m = new BufferCollection2D(rows)
  expectValues(t, m, 4, 4, (r, c) => rows[r][c])
  const lib = testlib()
  t.is(m.rowPointer(3) - m.rowPointer(2), 32n, 'slices 0..4 and 4..8 of one buffer are 32 bytes apart')
  t.is(m.rowPointer(0) - m.rowPointer(2), 64n)
  for (let r = 0; r < 4; r++) t.is(lib.row_at(m.pointer, r), m.rowPointer(r))
})

test('a generator (any iterable) as the list', (t) => {
  const made: Float64Array[] = []
  function* rows(): Generator<Float64Array> {
    for (let r = 0; r < 3; r++) {
      const a = Float64Array.from([r, r + 0.5])
      made.push(a)
      yield a
    }
  }
  const m = new BufferCollection2D(rows())
  expectValues(t, m, 3, 2, (r, c) => r + c / 2)
  m.set(2, 1, 9)
  t.is(made[2][1], 9)
  const s = new BufferCollection2D(new Set([new Int16Array([1, 2]), new Int16Array([3, 4])]))
  t.deepEqual(s.toArray(), [
    [1, 2],
    [3, 4],
  ])
})

test('columnCount -2, 1.5 and other non-counts → ERR_INVALID_SHAPE', (t) => {
  const rows = [new Float64Array(3)]
  for (const columnCount of [-2, 1.5, -1.5, NaN, Infinity, -Infinity, 2 ** 60]) {
    throwsCode(t, () => new BufferCollection2D(rows, { columnCount }), 'ERR_INVALID_SHAPE', RangeError, undefined, String(columnCount))
    throwsCode(
      t,
      () => new BufferCollection2D([], { columnCount }),
      'ERR_INVALID_SHAPE',
      RangeError,
      undefined,
      `empty, ${String(columnCount)}`,
    )
  }
})

// ---------------------------------------------------------------------------------------------------------
// Native proof.

test('native sum2d reads a collection of Float64Array rows; fill2d writes appear in the original arrays', (t) => {
  const lib = testlib()
  const rows = Array.from({ length: 5 }, (_, r) => Float64Array.from({ length: 7 }, (_, c) => r * 10 + c))
  const m = new BufferCollection2D(rows)
  let expected = 0
  for (const row of rows) for (const v of row) expected += v
  t.is(lib.sum2d(m.pointer, 5, 7), expected)
  lib.fill2d(m.pointer, 5, 7, 0.25)
  for (let r = 0; r < 5; r++) for (let c = 0; c < 7; c++) t.is(rows[r][c], 0.25 + r * 7 + c)
  for (let r = 0; r < 5; r++) {
    t.is(lib.row_at(m.pointer, r), m.rowPointer(r))
    t.is(m.row(r).buffer, rows[r].buffer)
  }
  t.deepEqual(
    Array.from(m.rowPointers()),
    rows.map((_, r) => lib.row_at(m.pointer, r)),
  )
})

test('native sum2d_i32 over Int32Array rows and over unravelled ndarray rows', (t) => {
  const lib = testlib()
  const a = new Int32Array([1, 2, 3, 4])
  const b = { data: new Int32Array([0, 10, 20, 30, 40, 0]), shape: [2, 2], stride: [2, 1], offset: 1 }
  const m = new BufferCollection2D([a, b])
  t.is(m.format, 'i')
  t.is(lib.sum2d_i32(m.pointer, 2, 4), 1 + 2 + 3 + 4 + 10 + 20 + 30 + 40)
  t.is(lib.sum2d_i32(m.pointer, 1, 4), 10)
  b.data[4] = -1000
  t.is(lib.sum2d_i32(m.pointer, 2, 4), 1 + 2 + 3 + 4 + 10 + 20 + 30 - 1000)
})
