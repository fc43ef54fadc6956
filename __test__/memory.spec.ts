// Owned matrices (createMemory): shape and format getters, zero fill, indices, read-only matrices, zero
// sizes, shape and option validation, shared storage, row views, row pointers, copies out, exports (acquire),
// makeReadOnly and reinterpretData.

import test from 'ava'
import { IndirectMemory2D } from 'indirect-buffer'
import { throwsCode } from './helpers/native-views.js'

const DIM1 = 'index out of bounds on dimension 1'
const DIM2 = 'index out of bounds on dimension 2'

/** A rows×cols 'd' matrix with element (r, c) = r * 100 + c + 0.5. */
function filled(rows: number, cols: number): IndirectMemory2D<'d'> {
  const m = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, r * 100 + c + 0.5)
  return m
}

function expectedRows(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => r * 100 + c + 0.5))
}

// ---- getters, zero fill ----

test('shape and format getters', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 3, cols: 5, format: 'i' })
  t.is(m.rows, 3)
  t.is(m.cols, 5)
  t.deepEqual(m.shape, [3, 5])
  t.is(m.format, 'i')
  t.is(m.dtype, 'int32')
  t.is(m.itemsize, 4)
  t.is(m.nbytes, 60)
  t.is(m.readonly, false)
  t.is(m.released, false)
  t.is(m.locked, false)
  t.is(typeof m.pointer, 'bigint')
  t.true(m.pointer !== 0n)
  t.is(m.pointer, m.pointer, 'pointer is stable')
  // shape is a fresh array (mutating it does not reshape the matrix)
  const s = m.shape
  s[0] = 99
  t.deepEqual(m.shape, [3, 5])
})

test('a new matrix is zero-filled', (t) => {
  for (const format of ['d', 'i', 'B', 'q', '>i', 'e', '?', 'id']) {
    const m = IndirectMemory2D.createMemory({ rows: 4, cols: 7, format })
    for (let r = 0; r < 4; r++)
      t.true(
        m.rowBytes(r).every((b) => b === 0),
        `${format} row ${r}`,
      )
  }
  const d = IndirectMemory2D.createMemory({ rows: 4, cols: 7, format: 'd' })
  t.deepEqual(
    d.toArray(),
    Array.from({ length: 4 }, () => new Array(7).fill(0)),
  )
})

// ---- indices ----

test('negative indices count from the end', (t) => {
  const m = filled(3, 4)
  t.is(m.get(-1, -1), 2 * 100 + 3 + 0.5)
  t.is(m.get(-3, -4), 0.5)
  t.is(m.get(-2, 1), 101.5)
  m.set(-1, -2, -7)
  t.is(m.get(2, 2), -7)
  t.is(m.rowPointer(-1), m.rowPointer(2))
  t.is(m.rowPointer(-3), m.rowPointer(0))
  t.deepEqual([...m.row(-1)], [200.5, 201.5, -7, 203.5])
  t.deepEqual([...m.rowBytes(-2)], [...m.rowBytes(1)])
  // -0 is the integer 0
  t.is(m.get(-0, -0), 0.5)
})

test('out-of-range indices: RangeError ERR_OUT_OF_BOUNDS naming the dimension', (t) => {
  const m = filled(3, 4)
  for (const r of [3, 4, -4, 1000, 2 ** 53, -(2 ** 53)]) {
    throwsCode(t, () => m.get(r, 0), 'ERR_OUT_OF_BOUNDS', RangeError, DIM1)
    throwsCode(t, () => m.set(r, 0, 1), 'ERR_OUT_OF_BOUNDS', RangeError, DIM1)
    throwsCode(t, () => m.row(r), 'ERR_OUT_OF_BOUNDS', RangeError, DIM1)
    throwsCode(t, () => m.rowBytes(r), 'ERR_OUT_OF_BOUNDS', RangeError, DIM1)
    throwsCode(t, () => m.rowPointer(r), 'ERR_OUT_OF_BOUNDS', RangeError, DIM1)
  }
  for (const c of [4, 5, -5, 1000, 2 ** 53]) {
    throwsCode(t, () => m.get(0, c), 'ERR_OUT_OF_BOUNDS', RangeError, DIM2)
    throwsCode(t, () => m.set(0, c, 1), 'ERR_OUT_OF_BOUNDS', RangeError, DIM2)
  }
  // both out of range: an ERR_OUT_OF_BOUNDS for one of them (the contract does not order the checks)
  const e = t.throws(() => m.get(3, 4), { code: 'ERR_OUT_OF_BOUNDS' })
  t.true(e?.message === DIM1 || e?.message === DIM2)
  // nothing was written by the failed sets
  t.deepEqual(m.toArray(), expectedRows(3, 4))
})

test('non-integer and non-number indices: TypeError ERR_INVALID_ARGUMENT, no coercion', (t) => {
  const m = filled(3, 4)
  const bad: unknown[] = [
    1.5,
    -0.5,
    '1',
    '0',
    NaN,
    Infinity,
    -Infinity,
    1n,
    0n,
    undefined,
    null,
    true,
    {},
    [1],
    { valueOf: () => 1 },
    new Number(1),
  ]
  for (const i of bad) {
    throwsCode(t, () => m.get(i as number, 0), 'ERR_INVALID_ARGUMENT', TypeError)
    throwsCode(t, () => m.get(0, i as number), 'ERR_INVALID_ARGUMENT', TypeError)
    throwsCode(t, () => m.set(i as number, 0, 1), 'ERR_INVALID_ARGUMENT', TypeError)
    throwsCode(t, () => m.set(0, i as number, 1), 'ERR_INVALID_ARGUMENT', TypeError)
    throwsCode(t, () => m.row(i as number), 'ERR_INVALID_ARGUMENT', TypeError)
    throwsCode(t, () => m.rowBytes(i as number), 'ERR_INVALID_ARGUMENT', TypeError)
    throwsCode(t, () => m.rowPointer(i as number), 'ERR_INVALID_ARGUMENT', TypeError)
  }
  t.deepEqual(m.toArray(), expectedRows(3, 4))
})

// ---- read-only ----

test('read-only matrices: writes and views refused, reads, copies, pointers and exports work', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'i', readonly: true })
  t.is(m.readonly, true)
  throwsCode(t, () => m.set(0, 0, 1), 'ERR_READONLY', TypeError)
  throwsCode(t, () => m.row(0), 'ERR_READONLY', TypeError)
  throwsCode(t, () => m.rowViews(), 'ERR_READONLY', TypeError)
  throwsCode(t, () => m.rowBytes(0), 'ERR_READONLY', TypeError)
  t.is(m.get(1, 2), 0)
  t.deepEqual(m.toArray(), [
    [0, 0, 0],
    [0, 0, 0],
  ])
  const ta = m.toTypedArray()
  t.true(ta instanceof Int32Array)
  t.deepEqual([...ta], [0, 0, 0, 0, 0, 0])
  t.deepEqual([...m.toTypedArray({ order: 'F' })], [0, 0, 0, 0, 0, 0])
  t.is(typeof m.pointer, 'bigint')
  t.true(m.pointer !== 0n)
  t.is(m.rowPointers().length, 2)
  t.is(m.rowPointer(1) - m.rowPointer(0), m.rowPointers()[1] - m.rowPointers()[0])
  const e = m.acquire()
  t.is(e.readonly, true)
  t.is(e.pointer, m.pointer)
  e.release()
  throwsCode(t, () => m.acquire({ writable: true }), 'ERR_READONLY', TypeError, 'buffer is not writable')
  t.false(m.locked, 'a refused export leaves no lock')
})

test('read-only: a refused set leaves the data as it was', (t) => {
  const m = filled(2, 2)
  m.makeReadOnly()
  throwsCode(t, () => m.set(0, 0, 42), 'ERR_READONLY', TypeError)
  t.deepEqual(m.toArray(), expectedRows(2, 2))
})

test('makeReadOnly: refuses writes afterwards, is idempotent, refused while writable exports are outstanding', (t) => {
  const m = filled(2, 3)
  const row = m.row(0) // taken while writable
  const e = m.acquire()
  throwsCode(t, () => m.makeReadOnly(), 'ERR_LOCKED', Error, 'buffer is locked')
  t.is(m.readonly, false, 'still writable after the refusal')
  m.set(0, 0, 1)
  e.release()
  m.makeReadOnly()
  t.is(m.readonly, true)
  throwsCode(t, () => m.set(0, 0, 2), 'ERR_READONLY', TypeError)
  throwsCode(t, () => m.row(0), 'ERR_READONLY', TypeError)
  t.is(m.get(0, 0), 1)
  t.is(row[0], 1)
  t.notThrows(() => m.makeReadOnly())
  // already read-only: a no-op even while locked
  const e2 = m.acquire()
  t.notThrows(() => m.makeReadOnly())
  t.is(m.readonly, true)
  e2.release()
})

// ---- zero sizes ----

test('zero sizes 0×0, 0×5, 5×0 work everywhere', (t) => {
  for (const [rows, cols] of [
    [0, 0],
    [0, 5],
    [5, 0],
  ]) {
    const label = `${rows}×${cols}`
    for (const format of ['d', 'i', 'B', 'q']) {
      const m = IndirectMemory2D.createMemory({ rows, cols, format })
      t.deepEqual(m.shape, [rows, cols], label)
      t.is(m.nbytes, 0, label)
      t.is(typeof m.pointer, 'bigint', label)
      t.true(m.pointer !== 0n, `${label}: pointer is not null`)
      const views = m.rowViews()
      t.is(views.length, rows, label)
      for (const v of views) t.is(v.length, 0)
      t.deepEqual(
        m.toArray(),
        Array.from({ length: rows }, () => []),
        label,
      )
      const ta = m.toTypedArray()
      t.is(ta.length, 0, label)
      t.is(m.toTypedArray({ order: 'F' }).length, 0, label)
      const pointers = m.rowPointers()
      t.true(pointers instanceof BigUint64Array)
      t.is(pointers.length, rows, label)
      for (let r = 0; r < rows; r++) {
        t.is(m.row(r).length, 0)
        t.is(m.rowBytes(r).length, 0)
        t.is(typeof m.rowPointer(r), 'bigint')
        t.true(m.rowPointer(r) !== 0n, `${label}: row pointers are not null`)
      }
      if (rows === 0) throwsCode(t, () => m.get(0, 0), 'ERR_OUT_OF_BOUNDS', RangeError, DIM1)
      else throwsCode(t, () => m.get(0, 0), 'ERR_OUT_OF_BOUNDS', RangeError, DIM2)
      if (rows === 0) throwsCode(t, () => m.row(0), 'ERR_OUT_OF_BOUNDS', RangeError, DIM1)
      const e = m.acquire({ writable: true })
      t.is(e.rows, rows)
      t.is(e.cols, cols)
      e.release()
      const itemsize = m.itemsize
      m.reinterpretData('B')
      t.deepEqual(m.shape, [rows, cols * itemsize], label)
      m.release()
      t.true(m.released)
    }
  }
  t.true(IndirectMemory2D.createMemory({ rows: 0, cols: 0, format: 'd' }).toTypedArray() instanceof Float64Array)
  t.true(IndirectMemory2D.createMemory({ rows: 5, cols: 0, format: 'q' }).toTypedArray() instanceof BigInt64Array)
})

// ---- shapes and options ----

const BAD_SIZES: unknown[] = [-1, -0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, '3', undefined, null, 3n, true, {}, [3]]

test('invalid rows or cols: RangeError ERR_INVALID_SHAPE', (t) => {
  for (const bad of BAD_SIZES) {
    throwsCode(t, () => IndirectMemory2D.createMemory({ rows: bad as number, cols: 3, format: 'd' }), 'ERR_INVALID_SHAPE', RangeError)
    throwsCode(t, () => IndirectMemory2D.createMemory({ rows: 3, cols: bad as number, format: 'd' }), 'ERR_INVALID_SHAPE', RangeError)
  }
  throwsCode(t, () => IndirectMemory2D.createMemory({ format: 'd' } as never), 'ERR_INVALID_SHAPE', RangeError)
})

test('shapes beyond addressable memory: RangeError ERR_INVALID_SHAPE', (t) => {
  const huge: [number, number, string][] = [
    [2 ** 40, 2 ** 40, 'd'], // 2^83 bytes: overflows
    [2 ** 30, 2 ** 30, 'B'], // 2^60 bytes
    [2 ** 26, 2 ** 26, 'id'], // records too
    [1, 2 ** 53 - 1, 'd'], // one row overflows
    [2, 2 ** 52, 'B'], // 2^53 bytes: just past the safe integers
    [1, 2 ** 50, 'B'], // 2^50 bytes: a safe integer, but beyond any 64-bit address space in use
    [2 ** 3, 2 ** 47, 'd'],
  ]
  for (const [rows, cols, format] of huge) {
    throwsCode(t, () => IndirectMemory2D.createMemory({ rows, cols, format }), 'ERR_INVALID_SHAPE', RangeError)
  }
})

// With cols 0 the data size is 0, but a table of 2^40 row pointers cannot exist either.
test('a row count too large for the row table: RangeError ERR_INVALID_SHAPE', (t) => {
  for (const [rows, cols, format] of [
    [2 ** 49, 1, 'B'], // 512 TiB of data and as many row pointers
    [2 ** 40, 0, 'd'], // no data, but 2^40 row pointers (8 TiB of table)
    [2 ** 53 - 1, 0, 'B'],
  ] as [number, number, string][]) {
    throwsCode(t, () => IndirectMemory2D.createMemory({ rows, cols, format }), 'ERR_INVALID_SHAPE', RangeError)
  }
})

/** Bytes of ArrayBuffers allocated while `fn` runs (after a full collection, so that garbage does not hide them). */
function arrayBufferGrowth(fn: () => void): number {
  global.gc?.()
  const before = process.memoryUsage().arrayBuffers
  fn()
  return process.memoryUsage().arrayBuffers - before
}

test('invalid shapes throw before anything is allocated (arrayBuffers does not jump)', (t) => {
  // Each of these would allocate a large row table or data buffer if the check came after an allocation.
  const cases: object[] = [
    { rows: 2 ** 24, cols: -1, format: 'd' },
    { rows: 2 ** 24, cols: 1.5, format: 'd' },
    { rows: 2 ** 24, cols: NaN, format: 'd' },
    { rows: -1, cols: 2 ** 24, format: 'd' },
    { rows: 2 ** 24, cols: 2 ** 40, format: 'd' },
    { rows: 2 ** 25, cols: 2 ** 30, format: 'B' },
    { rows: 2 ** 24, cols: 8, format: 'zz' }, // invalid format
    { rows: 2 ** 24, cols: 8, format: '0d' },
  ]
  for (const opts of cases) {
    const grew = arrayBufferGrowth(() => t.throws(() => IndirectMemory2D.createMemory(opts as never)))
    t.true(grew < 1 << 20, `${JSON.stringify(opts)}: arrayBuffers grew by ${grew} bytes`)
  }
  // The measure is sensitive: a real 2^22-row matrix shows up.
  let big: IndirectMemory2D<'d'> | undefined
  const grew = arrayBufferGrowth(() => {
    big = IndirectMemory2D.createMemory({ rows: 2 ** 22, cols: 1, format: 'd' })
  })
  t.true(grew >= 2 ** 25, `a 2^22×1 'd' matrix should show at least 32 MiB, grew ${grew}`)
  big?.release()
})

// A shape whose byte size is a safe integer but far beyond addressable memory (2^22 rows × 2^30 bytes = 4 PiB)
// is refused before the per-row arrays are allocated.
test('a shape beyond addressable memory is refused before the per-row arrays are allocated', (t) => {
  for (const opts of [
    { rows: 2 ** 22, cols: 2 ** 30, format: 'B' },
    { rows: 2 ** 23, cols: 2 ** 24, format: 'd' },
  ]) {
    const grew = arrayBufferGrowth(() => throwsCode(t, () => IndirectMemory2D.createMemory(opts), 'ERR_INVALID_SHAPE', RangeError))
    t.true(grew < 1 << 20, `${JSON.stringify(opts)}: arrayBuffers grew by ${grew} bytes`)
  }
})

test('invalid formats: TypeError ERR_INVALID_FORMAT', (t) => {
  for (const format of ['', 'z', 'Z', '0d', '<P', 5, null, {}, undefined]) {
    throwsCode(t, () => IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: format as string }), 'ERR_INVALID_FORMAT', TypeError)
  }
})

test('options that are not an object: TypeError ERR_INVALID_ARGUMENT', (t) => {
  for (const opts of [5, null, 'rows', true, 3n, [2, 2, 'd'], () => ({ rows: 1, cols: 1, format: 'd' })]) {
    throwsCode(t, () => IndirectMemory2D.createMemory(opts as never), 'ERR_INVALID_ARGUMENT', TypeError)
  }
  const m = filled(2, 2)
  for (const opts of [5, null, 'F', true]) {
    throwsCode(t, () => m.toTypedArray(opts as never), 'ERR_INVALID_ARGUMENT', TypeError)
    throwsCode(t, () => m.acquire(opts as never), 'ERR_INVALID_ARGUMENT', TypeError)
  }
  t.false(m.locked)
})

test('options: undefined readonly and shared mean false', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'd', readonly: undefined, shared: undefined })
  t.false(m.readonly)
  t.false(m.row(0).buffer instanceof SharedArrayBuffer)
})

// ---- shared storage ----

test('shared: true gives SharedArrayBuffer-backed rows; default is a plain ArrayBuffer', (t) => {
  const s = IndirectMemory2D.createMemory({ rows: 3, cols: 4, format: 'd', shared: true })
  t.true(s.row(0).buffer instanceof SharedArrayBuffer)
  t.true(s.rowBytes(2).buffer instanceof SharedArrayBuffer)
  for (const v of s.rowViews()) t.true(v.buffer instanceof SharedArrayBuffer)
  s.set(2, 3, 1.25)
  t.is(s.row(2)[3], 1.25)
  const p = IndirectMemory2D.createMemory({ rows: 3, cols: 4, format: 'd' })
  t.true(p.row(0).buffer instanceof ArrayBuffer)
  t.false(p.row(0).buffer instanceof SharedArrayBuffer)
})

test('all rows of an owned matrix live in one JS buffer', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 5, cols: 3, format: 'i' })
  const views = m.rowViews()
  for (const v of views) t.is(v.buffer, views[0].buffer)
  t.is(m.rowBytes(4).buffer, views[0].buffer)
})

// ---- row views ----

test('row views share memory with get/set in both directions', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 3, cols: 4, format: 'd' })
  const r1 = m.row(1)
  m.set(1, 2, 5.5)
  t.is(r1[2], 5.5, 'set is seen by an earlier view')
  r1[0] = 9.25
  t.is(m.get(1, 0), 9.25, 'a view write is seen by get')
  const views = m.rowViews()
  views[2][3] = -1
  t.is(m.get(2, 3), -1)
  t.is(m.get(-1, -1), -1)
  m.set(0, 0, 3)
  t.is(views[0][0], 3)
  t.is(m.row(1)[2], 5.5, 'a fresh view sees the same memory')
  // rows do not overlap
  views[0].fill(1)
  t.deepEqual([...views[1]], [9.25, 0, 5.5, 0])
  t.deepEqual([...views[2]], [0, 0, 0, -1])
  // bytes view the same memory
  const bytes = m.rowBytes(2)
  t.is(bytes.length, 32)
  t.deepEqual([...bytes.subarray(24, 32)], [...new Uint8Array(Float64Array.of(-1).buffer)])
  bytes.set(new Uint8Array(Float64Array.of(2.5).buffer), 0)
  t.is(m.get(2, 0), 2.5)
  t.is(views[2][0], 2.5)
})

test('rowViews returns rows views of the format TypedArray, each cols long', (t) => {
  const classes: [string, new (...args: never[]) => unknown][] = [
    ['d', Float64Array],
    ['<d', Float64Array],
    ['float64', Float64Array],
    ['f', Float32Array],
    ['i', Int32Array],
    ['=i', Int32Array],
    ['int32', Int32Array],
    ['I', Uint32Array],
    ['h', Int16Array],
    ['H', Uint16Array],
    ['b', Int8Array],
    ['B', Uint8Array],
    ['c', Uint8Array],
    ['?', Uint8Array],
    ['bool', Uint8Array],
    ['uint8', Uint8Array],
    ['uint8c', Uint8ClampedArray],
    ['q', BigInt64Array],
    ['int64', BigInt64Array],
    ['Q', BigUint64Array],
    ['uint64', BigUint64Array],
    ['<l', Int32Array],
  ]
  for (const [format, Ctor] of classes) {
    const m = IndirectMemory2D.createMemory({ rows: 3, cols: 5, format })
    const views = m.rowViews()
    t.is(views.length, 3, format)
    for (const v of views) {
      t.is(v.constructor, Ctor, format)
      t.is(v.length, 5, format)
    }
    t.is(m.row(2).constructor, Ctor, format)
  }
})

test("'?' row views hold the bytes 0/1; 'q' row views hold bigints", (t) => {
  const b = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: '?' })
  b.set(0, 1, 'yes')
  t.deepEqual([...b.row(0)], [0, 1, 0])
  const q = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'q' })
  q.set(1, 1, -5n)
  t.is(q.row(1)[1], -5n)
  q.row(0)[0] = 2n ** 62n
  t.is(q.get(0, 0), 2n ** 62n)
})

test("row and rowViews on '>i' throw ERR_FORMAT_UNSUPPORTED; rowBytes is the way in", (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: '>i' })
  throwsCode(t, () => m.row(0), 'ERR_FORMAT_UNSUPPORTED', TypeError)
  throwsCode(t, () => m.rowViews(), 'ERR_FORMAT_UNSUPPORTED', TypeError)
  const bytes = m.rowBytes(1)
  t.is(bytes.length, 8)
  bytes.set([0, 0, 1, 0], 4)
  t.is(m.get(1, 1), 256)
})

// ---- row pointers ----

test('rowPointer differences equal the row byte stride; rows are aligned for their format', (t) => {
  for (const [format, cols, align] of [
    ['d', 3, 8],
    ['d', 1, 8],
    ['i', 5, 4],
    ['B', 7, 1],
    ['h', 3, 2],
    ['q', 1, 8],
    ['id', 3, 8],
    ['ih', 1, 4],
    ['<id', 1, 1],
    ['3s', 3, 1],
  ] as const) {
    const m = IndirectMemory2D.createMemory({ rows: 4, cols, format })
    const rowBytes = cols * m.itemsize
    const base = m.rowBytes(0)
    for (let r = 0; r < 4; r++) {
      const jsStride = m.rowBytes(r).byteOffset - base.byteOffset
      t.is(m.rowPointer(r) - m.rowPointer(0), BigInt(jsStride), `${format}: row ${r} native and JS offsets agree`)
      t.true(m.rowPointer(r) % BigInt(align) === 0n, `${format}: row ${r} is ${align}-aligned`)
    }
    const stride = m.rowPointer(1) - m.rowPointer(0)
    t.true(stride >= BigInt(rowBytes), `${format}: stride ${stride} holds a row of ${rowBytes} bytes`)
    for (let r = 1; r < 4; r++) t.is(m.rowPointer(r) - m.rowPointer(r - 1), stride, `${format}: constant stride`)
  }
})

test('rowPointers() is a new BigUint64Array equal to each rowPointer', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 6, cols: 3, format: 'i' })
  const p = m.rowPointers()
  t.true(p instanceof BigUint64Array)
  t.is(p.length, 6)
  for (let r = 0; r < 6; r++) {
    t.is(p[r], m.rowPointer(r))
    t.true(p[r] !== 0n)
  }
  p[0] = 0n
  t.not(m.rowPointers(), p, 'a new array every call')
  t.true(m.rowPointer(0) !== 0n, 'mutating the copy does not touch the table')
  t.is(m.rowPointers()[0], m.rowPointer(0))
  t.true(m.rowPointer(0) !== m.pointer, 'the table is not the data')
})

// ---- copies out ----

test('toArray returns nested arrays of values of the format', (t) => {
  t.deepEqual(filled(2, 3).toArray(), expectedRows(2, 3))
  const q = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'q' })
  q.set(0, 1, -3n)
  q.set(1, 0, 2n ** 63n - 1n)
  t.deepEqual(q.toArray(), [
    [0n, -3n],
    [2n ** 63n - 1n, 0n],
  ])
  const b = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: '?' })
  b.set(0, 2, 1)
  t.deepEqual(b.toArray(), [[false, false, true]])
  const big = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: '>h' })
  big.set(0, 0, -2)
  big.set(1, 1, 0x1234)
  t.deepEqual(big.toArray(), [
    [-2, 0],
    [0, 0x1234],
  ])
  // a copy: changing it does not touch the matrix
  const m = filled(2, 2)
  const a = m.toArray()
  a[0][0] = 99
  t.is(m.get(0, 0), 0.5)
})

test("toTypedArray(): a contiguous row-major copy; { order: 'F' }: column-major", (t) => {
  const m = filled(2, 3)
  const c = m.toTypedArray()
  t.true(c instanceof Float64Array)
  t.deepEqual([...c], [0.5, 1.5, 2.5, 100.5, 101.5, 102.5])
  t.deepEqual([...m.toTypedArray({ order: 'C' })], [...c])
  const f = m.toTypedArray({ order: 'F' })
  t.true(f instanceof Float64Array)
  t.deepEqual([...f], [0.5, 100.5, 1.5, 101.5, 2.5, 102.5])
  // a copy, not a view
  c[0] = 42
  t.is(m.get(0, 0), 0.5)
  t.not(c.buffer, m.row(0).buffer)

  const i = IndirectMemory2D.createMemory({ rows: 3, cols: 2, format: 'i' })
  i.set(0, 1, -1)
  i.set(2, 0, 7)
  t.true(i.toTypedArray() instanceof Int32Array)
  t.deepEqual([...i.toTypedArray()], [0, -1, 0, 0, 7, 0])
  t.deepEqual([...i.toTypedArray({ order: 'F' })], [0, 0, 7, -1, 0, 0])

  const q = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'q' })
  q.set(0, 1, -9n)
  t.true(q.toTypedArray() instanceof BigInt64Array)
  t.deepEqual([...q.toTypedArray({ order: 'F' })], [0n, 0n, -9n, 0n])

  // a foreign byte order comes back as values
  const big = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: '>i' })
  big.set(0, 1, 0x01020304)
  big.set(1, 0, -2)
  t.deepEqual([...big.toTypedArray()], [0, 0x01020304, -2, 0])
  t.deepEqual([...big.toTypedArray({ order: 'F' })], [0, -2, 0x01020304, 0])
})

test('toTypedArray rejects an unknown order', (t) => {
  const m = filled(2, 2)
  for (const order of ['c', 'A', 'K', 1]) {
    throwsCode(t, () => m.toTypedArray({ order: order as 'C' }), 'ERR_INVALID_ARGUMENT', TypeError)
  }
})

// ---- exports ----

test('acquire() locks until the export is released; release() is refused while locked', (t) => {
  const m = filled(2, 3)
  t.false(m.locked)
  const e = m.acquire()
  t.true(m.locked)
  t.is(e.pointer, m.pointer)
  t.is(e.rows, 2)
  t.is(e.cols, 3)
  t.is(e.format, 'd')
  t.is(e.itemsize, 8)
  t.is(e.readonly, false)
  throwsCode(t, () => m.release(), 'ERR_LOCKED', Error, 'buffer is locked')
  m[Symbol.dispose]() // deferred while exported, not refused
  t.false(m.released)
  t.deepEqual(m.toArray(), expectedRows(2, 3), 'still usable after a refused release')
  e.release()
  t.false(m.locked)
  m.release()
  t.true(m.released)
})

test('several exports: each counts; an export released twice only counts once', (t) => {
  const m = filled(1, 1)
  const a = m.acquire()
  const b = m.acquire({ writable: true })
  t.is(b.readonly, false)
  a.release()
  a.release()
  t.true(m.locked, 'b is still outstanding')
  throwsCode(t, () => m.release(), 'ERR_LOCKED', Error, 'buffer is locked')
  b[Symbol.dispose]()
  t.false(m.locked)
  m.release()
  t.true(m.released)
})

test('using an export releases it at the end of the block', (t) => {
  const m = filled(2, 2)
  {
    using e = m.acquire()
    t.true(m.locked)
    t.is(e.pointer, m.pointer)
  }
  t.false(m.locked)
  t.throws(
    () => {
      using _e = m.acquire({ writable: true })
      t.true(m.locked)
      throw new Error('boom')
    },
    { message: 'boom' },
  )
  t.false(m.locked, 'released on the exception path too')
  m.release()
  t.true(m.released)
})

test('acquire({ writable: true }) on a read-only matrix: ERR_READONLY "buffer is not writable"', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd', readonly: true })
  throwsCode(t, () => m.acquire({ writable: true }), 'ERR_READONLY', TypeError, 'buffer is not writable')
  t.false(m.locked)
  const e = m.acquire({ writable: false })
  t.true(m.locked)
  t.true(e.readonly)
  e.release()
  t.false(m.locked)
})

// ---- reinterpretData ----

test("reinterpretData('B') recomputes cols over the same bytes (2×3 'i' → 2×12 'B')", (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'i' })
  const pointer = m.pointer
  const rowPointers = [...m.rowPointers()]
  m.set(0, 0, 0x01020304)
  m.set(1, 2, -1)
  m.reinterpretData('B')
  t.deepEqual(m.shape, [2, 12])
  t.is(m.format, 'B')
  t.is(m.dtype, 'uint8')
  t.is(m.itemsize, 1)
  t.is(m.nbytes, 24)
  t.is(m.pointer, pointer, 'pointer is the same for the whole life of the matrix')
  t.deepEqual([...m.rowPointers()], rowPointers)
  const first = [m.get(0, 0), m.get(0, 1), m.get(0, 2), m.get(0, 3)]
  t.deepEqual(first, Array.from(new Uint8Array(Int32Array.of(0x01020304).buffer)))
  t.deepEqual(m.toArray()[1].slice(8), [255, 255, 255, 255])
  t.true(m.row(1) instanceof Uint8Array)
  t.is(m.row(1).length, 12)
  // and back
  m.reinterpretData('i')
  t.deepEqual(m.shape, [2, 3])
  t.is(m.get(0, 0), 0x01020304)
  t.is(m.get(1, 2), -1)
})

test('reinterpretData floors cols: cols * oldItemsize / newItemsize', (t) => {
  const cases: [string, number, string, number][] = [
    ['B', 3, 'i', 0],
    ['B', 12, 'd', 1],
    ['i', 3, 'q', 1],
    ['i', 3, 'h', 6],
    ['d', 5, 'id', 2],
    ['B', 10, '3s', 3],
    ['h', 3, 'd', 0],
  ]
  for (const [from, cols, to, expected] of cases) {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols, format: from })
    m.reinterpretData(to)
    t.is(m.cols, expected, `${from} × ${cols} → ${to}`)
    t.is(m.format, to)
    t.deepEqual(m.shape, [2, expected])
  }
})

test('reinterpretData while locked: the same format is a no-op, another format is ERR_LOCKED', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'i' })
  m.set(0, 0, 5)
  const e = m.acquire()
  t.notThrows(() => m.reinterpretData('i'))
  t.deepEqual(m.shape, [2, 3])
  throwsCode(t, () => m.reinterpretData('B'), 'ERR_LOCKED', Error, 'buffer is locked')
  t.is(m.format, 'i')
  t.deepEqual(m.shape, [2, 3])
  t.is(m.get(0, 0), 5)
  t.is(e.cols, 3)
  e.release()
  m.reinterpretData('B')
  t.deepEqual(m.shape, [2, 12])
})
