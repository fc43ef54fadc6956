// Zero-copy views: IndirectMemory2D.viewFromRows / viewFromColumns over every 2-D source of the contract
// (typed arrays of every kind, ArrayBuffer, SharedArrayBuffer, Buffer, subarrays, scijs and stdlib ndarray-likes
// with strides and offsets in elements, negative and spaced row strides, column-major memory), the format
// override, read-only views, the exact errors, and native code (koffi) reading and writing through the views.

import test from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { expectValues, testlib, throwsCode } from './helpers/native-views.js'

/** 0, 1, 2, … as a Float64Array. */
function iota(n: number, start = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => start + i)
}

// ---------------------------------------------------------------------------------------------------------
// 1-D typed arrays of every kind: [1, n], the detected format, zero-copy both ways.

type Kind = {
  name: string
  make: () => ArrayBufferView & { [i: number]: number | bigint; length: number }
  format: string
  write: number | bigint
}

const Float16 = (globalThis as { Float16Array?: new (values: number[]) => ArrayBufferView & { [i: number]: number; length: number } })
  .Float16Array

const KINDS: Kind[] = [
  { name: 'Int8Array', make: () => new Int8Array([-128, -1, 0, 127]), format: 'b', write: -7 },
  { name: 'Uint8Array', make: () => new Uint8Array([0, 1, 200, 255]), format: 'B', write: 77 },
  { name: 'Uint8ClampedArray', make: () => new Uint8ClampedArray([0, 1, 200, 255]), format: 'B', write: 99 },
  { name: 'Buffer', make: () => Buffer.from([5, 6, 7, 250]), format: 'B', write: 12 },
  { name: 'Int16Array', make: () => new Int16Array([-32768, -2, 3, 32767]), format: 'h', write: -1234 },
  { name: 'Uint16Array', make: () => new Uint16Array([0, 1, 40000, 65535]), format: 'H', write: 54321 },
  { name: 'Int32Array', make: () => new Int32Array([-(2 ** 31), -5, 6, 2 ** 31 - 1]), format: 'i', write: -123456789 },
  { name: 'Uint32Array', make: () => new Uint32Array([0, 7, 3e9, 2 ** 32 - 1]), format: 'I', write: 4e9 },
  { name: 'BigInt64Array', make: () => new BigInt64Array([-(2n ** 63n), -1n, 5n, 2n ** 63n - 1n]), format: 'q', write: -(2n ** 40n) },
  { name: 'BigUint64Array', make: () => new BigUint64Array([0n, 1n, 2n ** 63n, 2n ** 64n - 1n]), format: 'Q', write: 2n ** 50n + 3n },
  { name: 'Float32Array', make: () => new Float32Array([1.5, -2.25, Math.fround(Math.PI), -0]), format: 'f', write: 0.375 },
  { name: 'Float64Array', make: () => new Float64Array([Math.PI, -0, 1e300, -Infinity]), format: 'd', write: Math.E },
]
if (Float16 !== undefined) KINDS.push({ name: 'Float16Array', make: () => new Float16([1.5, -2, 0.25, 65504]), format: 'e', write: -0.125 })

for (const kind of KINDS) {
  for (const how of ['viewFromRows', 'viewFromColumns'] as const) {
    test(`${how}(${kind.name}) is [1, n] with format '${kind.format}' and shares memory both ways`, (t) => {
      const src = kind.make()
      const before = Array.from(src as ArrayLike<number | bigint>)
      const m = IndirectMemory2D[how](src)
      t.is(m.format, kind.format)
      t.is(m.itemsize, (src as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT)
      t.false(m.readonly)
      expectValues(t, m, 1, src.length, (_r, c) => before[c], kind.name)
      // A write through the view appears in the source …
      m.set(0, 1, kind.write as never)
      t.is(src[1], kind.write)
      // … and a write into the source appears in the view.
      src[2] = kind.write
      t.is(m.get(0, 2), kind.write)
      t.is(m.get(0, -1), before[before.length - 1])
      // The row view is the same memory.
      const row = m.row(0) as unknown as { [i: number]: number | bigint; buffer: ArrayBufferLike; byteOffset: number }
      t.is(row.buffer, src.buffer)
      t.is(row.byteOffset, src.byteOffset)
    })
  }
}

test('a Float64Array subarray with a byteOffset is viewed at its offset', (t) => {
  const base = iota(10)
  const sub = base.subarray(3, 7)
  t.is(sub.byteOffset, 24)
  for (const m of [IndirectMemory2D.viewFromRows(sub), IndirectMemory2D.viewFromColumns(sub)]) {
    expectValues(t, m, 1, 4, (_r, c) => base[3 + c])
  }
  const m = IndirectMemory2D.viewFromRows(sub)
  m.set(0, 0, -1)
  m.set(0, 3, -2)
  t.deepEqual(Array.from(base), [0, 1, 2, -1, 4, 5, -2, 7, 8, 9])
  base[4] = 40
  t.is(m.get(0, 1), 40)
})

test('a pooled small Buffer (nonzero byteOffset into the pool) is viewed at its offset', (t) => {
  let b = Buffer.from([1, 2, 3, 4, 5])
  for (let i = 0; i < 10 && b.byteOffset === 0; i++) b = Buffer.from([1, 2, 3, 4, 5])
  t.not(b.byteOffset, 0, 'precondition: the Buffer lives inside the pool')
  t.true(b.buffer.byteLength > b.length, 'precondition: pooled')
  const m = IndirectMemory2D.viewFromRows(b)
  t.is(m.format, 'B')
  expectValues(t, m, 1, 5, (_r, c) => c + 1)
  m.set(0, 4, 250)
  t.is(b[4], 250)
  b[0] = 9
  t.is(m.get(0, 0), 9)
  // Native code sees the Buffer's bytes, not the start of the pool.
  const lib = testlib()
  t.is(lib.byte_at(m.pointer, 0, 0), 9)
  t.is(lib.byte_at(m.pointer, 0, 4), 250)
  t.is(m.rowPointer(0), lib.row_at(m.pointer, 0))
  t.is(m.rowBytes(0).byteOffset, b.byteOffset)
})

for (const [name, make] of [
  ['ArrayBuffer', (n: number) => new ArrayBuffer(n)],
  ['SharedArrayBuffer', (n: number) => new SharedArrayBuffer(n)],
] as const) {
  for (const how of ['viewFromRows', 'viewFromColumns'] as const) {
    test(`${how}(${name}) is bytes 'B', [1, byteLength], zero-copy`, (t) => {
      const buf = make(6)
      const bytes = new Uint8Array(buf)
      bytes.set([10, 20, 30, 40, 50, 60])
      const m = IndirectMemory2D[how](buf)
      t.is(m.format, 'B')
      t.is(m.itemsize, 1)
      expectValues(t, m, 1, 6, (_r, c) => 10 * (c + 1))
      m.set(0, 5, 255)
      t.is(bytes[5], 255)
      bytes[0] = 1
      t.is(m.get(0, 0), 1)
      t.is(m.row(0).buffer, buf)
    })
  }
}

test('empty sources: a 0-length typed array is [1, 0]; ndarray shapes with a 0 keep it', (t) => {
  t.deepEqual(IndirectMemory2D.viewFromRows(new Float64Array(0)).shape, [1, 0])
  t.deepEqual(IndirectMemory2D.viewFromColumns(new Float64Array(0)).shape, [1, 0])
  t.deepEqual(IndirectMemory2D.viewFromRows({ data: new Float64Array(0), shape: [0, 3], stride: [3, 1] }).shape, [0, 3])
  t.deepEqual(IndirectMemory2D.viewFromColumns({ data: new Float64Array(0), shape: [0, 3], stride: [1, 0] }).shape, [3, 0])
  t.deepEqual(IndirectMemory2D.viewFromRows({ data: new Float64Array(4), shape: [2, 0], strides: [0, 1] }).shape, [2, 0])
})

// ---------------------------------------------------------------------------------------------------------
// ndarray-like objects: scijs { data, shape, stride, offset } and stdlib { data, shape, strides, offset }.

for (const key of ['stride', 'strides'] as const) {
  const style = key === 'stride' ? 'scijs' : 'stdlib'

  test(`${style}-style { data, shape, ${key}, offset } with a row stride and an offset, in elements`, (t) => {
    const data = iota(24)
    // 3×4 block starting at element 2, rows 5 elements apart.
    const src = { data, shape: [3, 4], [key]: [5, 1], offset: 2 }
    const m = IndirectMemory2D.viewFromRows(src)
    t.is(m.format, 'd')
    expectValues(t, m, 3, 4, (r, c) => data[2 + 5 * r + c])
    m.set(2, 3, -1)
    t.is(data[2 + 10 + 3], -1)
    data[2 + 5 + 1] = -2
    t.is(m.get(1, 1), -2)
    t.is(m.row(1).byteOffset, (2 + 5) * 8)
  })

  test(`${style}-style negative row stride: reversed rows`, (t) => {
    const data = iota(12)
    const src = { data, shape: [3, 4], [key]: [-4, 1], offset: 8 }
    const m = IndirectMemory2D.viewFromRows(src)
    expectValues(t, m, 3, 4, (r, c) => data[8 - 4 * r + c])
    t.deepEqual(m.toArray(), [
      [8, 9, 10, 11],
      [4, 5, 6, 7],
      [0, 1, 2, 3],
    ])
    m.set(0, 0, 100)
    t.is(data[8], 100)
    m.set(2, 3, 200)
    t.is(data[3], 200)
  })

  test(`${style}-style every other row (row stride 2 * cols)`, (t) => {
    const data = iota(24)
    const src = { data, shape: [3, 4], [key]: [8, 1], offset: 0 }
    const m = IndirectMemory2D.viewFromRows(src)
    expectValues(t, m, 3, 4, (r, c) => data[8 * r + c])
    m.set(1, 2, -5)
    t.is(data[10], -5)
    // Native code writes only the viewed rows; the skipped rows keep their values.
    testlib().fill2d(m.pointer, 3, 4, 1000)
    for (let i = 0; i < 24; i++) {
      const r = Math.floor(i / 4)
      const expected = r % 2 === 0 ? 1000 + (r / 2) * 4 + (i % 4) : i
      if (data[i] !== expected) t.fail(`data[${i}] = ${data[i]}, expected ${expected}`)
    }
    t.is(testlib().sum2d(m.pointer, 3, 4), 1000 * 12 + (11 * 12) / 2)
  })
}

test('overlapping rows: row stride 0 (one row repeated) and row stride 1 (sliding windows)', (t) => {
  const data = iota(8)
  const rep = IndirectMemory2D.viewFromRows({ data, shape: [3, 4], stride: [0, 1] })
  expectValues(t, rep, 3, 4, (_r, c) => c)
  rep.set(0, 1, -1)
  t.is(rep.get(2, 1), -1)
  t.is(rep.rowPointer(0), rep.rowPointer(2))
  const win = IndirectMemory2D.viewFromRows({ data, shape: [5, 4], stride: [1, 1] })
  expectValues(t, win, 5, 4, (r, c) => data[r + c])
  t.is(win.rowPointer(1) - win.rowPointer(0), 8n)
  t.is(
    testlib().sum2d(win.pointer, 5, 4),
    Array.from({ length: 20 }, (_, k) => data[Math.floor(k / 4) + (k % 4)]).reduce((a, b) => a + b, 0),
  )
})

test('release() of a view gives up the source without touching it; later use → ERR_RELEASED', (t) => {
  const data = iota(6)
  const m = IndirectMemory2D.viewFromRows({ data, shape: [2, 3] })
  const block = m.subMatrix(1)
  m.release()
  t.true(m.released)
  t.true(block.released)
  throwsCode(t, () => m.get(0, 0), 'ERR_RELEASED', Error)
  throwsCode(t, () => m.pointer, 'ERR_RELEASED', Error)
  throwsCode(t, () => m.row(0), 'ERR_RELEASED', Error)
  t.deepEqual(m.shape, [2, 3])
  t.is(m.format, 'd')
  t.deepEqual(Array.from(data), [0, 1, 2, 3, 4, 5])
  data[0] = 42
  t.is(data[0], 42)
  t.notThrows(() => m.release())
  // a new view of the same source works
  t.is(IndirectMemory2D.viewFromRows(data).get(0, 0), 42)
})

test('an ndarray-like without stride is C-order; offset defaults to 0; a 1-D ndarray-like is [1, n]', (t) => {
  const data = iota(6)
  expectValues(t, IndirectMemory2D.viewFromRows({ data, shape: [2, 3] }), 2, 3, (r, c) => 3 * r + c)
  expectValues(t, IndirectMemory2D.viewFromRows({ data, shape: [4], stride: [1], offset: 2 }), 1, 4, (_r, c) => 2 + c)
  expectValues(t, IndirectMemory2D.viewFromColumns({ data, shape: [4], strides: [1], offset: 1 }), 1, 4, (_r, c) => 1 + c)
})

test('ndarray-like data may be an Int32Array, a Uint8Array or an ArrayBuffer: format from the data', (t) => {
  const i32 = new Int32Array([1, -2, 3, -4, 5, -6])
  const mi = IndirectMemory2D.viewFromRows({ data: i32, shape: [3, 2], stride: [2, 1] })
  t.is(mi.format, 'i')
  expectValues(t, mi, 3, 2, (r, c) => i32[2 * r + c])
  t.is(testlib().sum2d_i32(mi.pointer, 3, 2), -3)
  const ab = new ArrayBuffer(8)
  new Uint8Array(ab).set([1, 2, 3, 4, 5, 6, 7, 8])
  const mb = IndirectMemory2D.viewFromRows({ data: ab, shape: [2, 4], strides: [4, 1] })
  t.is(mb.format, 'B')
  expectValues(t, mb, 2, 4, (r, c) => 4 * r + c + 1)
})

// ---------------------------------------------------------------------------------------------------------
// viewFromColumns: column-contiguous memory, the transpose.

test('viewFromColumns of a column-major source is the transpose: shape [cols, rows], get(i, j) = source (j, i)', (t) => {
  // A 3×4 column-major (Fortran-order) source: element (r, c) at data[r + 3 c].
  const data = iota(12)
  const src = { data, shape: [3, 4], stride: [1, 3] }
  const at = (r: number, c: number): number => data[r + 3 * c]
  const m = IndirectMemory2D.viewFromColumns(src)
  t.is(m.format, 'd')
  expectValues(t, m, 4, 3, (i, j) => at(j, i))
  // zero-copy both ways
  m.set(3, 1, -7) // source element (1, 3)
  t.is(data[1 + 3 * 3], -7)
  data[2 + 3 * 0] = -8 // source element (2, 0)
  t.is(m.get(0, 2), -8)
  // native code sees the transpose as a double** of 4 rows × 3 columns
  const lib = testlib()
  t.is(
    lib.sum2d(m.pointer, 4, 3),
    Array.from(data).reduce((a, b) => a + b, 0),
  )
  lib.fill2d(m.pointer, 4, 3, 0)
  // fill2d writes r * 3 + c into matrix (r, c) = source (c, r) = data[c + 3 r]: data[k] = k
  t.deepEqual(Array.from(data), Array.from(iota(12)))
  for (let i = 0; i < 4; i++) t.is(m.rowPointer(i), lib.row_at(m.pointer, i))
})

test('viewFromColumns with an offset, stdlib strides and a negative column stride', (t) => {
  const data = iota(30)
  // source 2×3, column-major in a bigger buffer: (r, c) at 4 + r + 5 c
  const m = IndirectMemory2D.viewFromColumns({ data, shape: [2, 3], strides: [1, 5], offset: 4 })
  expectValues(t, m, 3, 2, (i, j) => data[4 + j + 5 * i])
  // columns reversed: (r, c) at 20 + r - 10 c
  const rev = IndirectMemory2D.viewFromColumns({ data, shape: [2, 3], stride: [1, -10], offset: 20 })
  expectValues(t, rev, 3, 2, (i, j) => data[20 + j - 10 * i])
  rev.set(2, 1, -1)
  t.is(data[1], -1)
})

test('viewFromColumns of a square C-order array fails, of its F-order twin works; viewFromRows the other way round', (t) => {
  const data = iota(9)
  throwsCode(
    t,
    () => IndirectMemory2D.viewFromColumns({ data, shape: [3, 3], stride: [3, 1] }),
    'ERR_NOT_CONTIGUOUS',
    Error,
    "columns of the buffer-object aren't contiguous",
  )
  throwsCode(
    t,
    () => IndirectMemory2D.viewFromRows({ data, shape: [3, 3], stride: [1, 3] }),
    'ERR_NOT_CONTIGUOUS',
    Error,
    "rows of the buffer-object aren't contiguous",
  )
  expectValues(t, IndirectMemory2D.viewFromColumns({ data, shape: [3, 3], stride: [1, 3] }), 3, 3, (i, j) => data[j + 3 * i])
})

// ---------------------------------------------------------------------------------------------------------
// Errors.

test('non-contiguous rows → ERR_NOT_CONTIGUOUS "rows of the buffer-object aren\'t contiguous"', (t) => {
  const data = iota(24)
  for (const src of [
    { data, shape: [2, 3], stride: [1, 2] },
    { data, shape: [2, 3], stride: [6, 2] },
    { data, shape: [2, 3], strides: [3, -1], offset: 2 },
    { data, shape: [4], stride: [2] },
    { data, shape: [2, 3], stride: [4, 0] },
  ]) {
    throwsCode(
      t,
      () => IndirectMemory2D.viewFromRows(src),
      'ERR_NOT_CONTIGUOUS',
      Error,
      "rows of the buffer-object aren't contiguous",
      JSON.stringify({ ...src, data: undefined }),
    )
  }
})

test('non-contiguous columns → ERR_NOT_CONTIGUOUS "columns of the buffer-object aren\'t contiguous"', (t) => {
  const data = iota(24)
  for (const src of [
    { data, shape: [2, 3], stride: [3, 1] },
    { data, shape: [2, 3], stride: [2, 6] },
    { data, shape: [3, 2], strides: [-1, 3], offset: 2 },
  ]) {
    throwsCode(
      t,
      () => IndirectMemory2D.viewFromColumns(src),
      'ERR_NOT_CONTIGUOUS',
      Error,
      "columns of the buffer-object aren't contiguous",
      JSON.stringify({ ...src, data: undefined }),
    )
  }
})

test('3-D and 4-D sources → ERR_TOO_MANY_DIMENSIONS "expected at most 2 but found n dimensions"', (t) => {
  const data = iota(48)
  for (const how of ['viewFromRows', 'viewFromColumns'] as const) {
    throwsCode(
      t,
      () => IndirectMemory2D[how]({ data, shape: [2, 3, 4] }),
      'ERR_TOO_MANY_DIMENSIONS',
      Error,
      'expected at most 2 but found 3 dimensions',
    )
    throwsCode(
      t,
      () => IndirectMemory2D[how]({ data, shape: [2, 3, 4], stride: [12, 4, 1] }),
      'ERR_TOO_MANY_DIMENSIONS',
      Error,
      'expected at most 2 but found 3 dimensions',
    )
    throwsCode(
      t,
      () => IndirectMemory2D[how]({ data, shape: [2, 2, 3, 4], strides: [24, 12, 4, 1] }),
      'ERR_TOO_MANY_DIMENSIONS',
      Error,
      'expected at most 2 but found 4 dimensions',
    )
  }
})

test('a matrix is not a source of viewFromRows / viewFromColumns → ERR_INVALID_ARGUMENT', (t) => {
  const owned = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
  const view = IndirectMemory2D.viewFromRows(new Float64Array(4))
  const coll = new BufferCollection2D([new Float64Array(3)])
  const sub = owned.subMatrix(0, 1)
  for (const how of ['viewFromRows', 'viewFromColumns'] as const) {
    for (const m of [owned, view, coll, sub]) {
      throwsCode(t, () => IndirectMemory2D[how](m as never), 'ERR_INVALID_ARGUMENT', TypeError)
    }
  }
})

test('numbers, strings, plain arrays and other non-sources → ERR_INVALID_ARGUMENT', (t) => {
  const bad: unknown[] = [
    1,
    1.5,
    NaN,
    'abc',
    '',
    [1, 2, 3],
    [
      [1, 2],
      [3, 4],
    ],
    [new Float64Array(2)],
    null,
    undefined,
    true,
    1n,
    {},
    { data: [1, 2, 3], shape: [1, 3] },
    { shape: [1, 3] },
    () => 0,
    new Map(),
    Symbol('s'),
  ]
  for (const how of ['viewFromRows', 'viewFromColumns'] as const) {
    for (const x of bad) {
      throwsCode(
        t,
        () => IndirectMemory2D[how](x as never),
        'ERR_INVALID_ARGUMENT',
        TypeError,
        undefined,
        `${how}(${typeof x === 'symbol' ? 'symbol' : typeof x === 'bigint' ? `${x}n` : (JSON.stringify(x) ?? String(x))})`,
      )
    }
  }
})

test('an ndarray-like whose shape, strides or offset reach outside its data → ERR_INVALID_ARGUMENT', (t) => {
  const data = iota(6)
  for (const src of [
    { data, shape: [2, 3], stride: [3, 1], offset: 1 }, // last element at 6
    { data, shape: [2, 3], stride: [4, 1] }, // last element at 6
    { data, shape: [3, 3] }, // 9 elements in 6
    { data, shape: [2, 3], stride: [-3, 1], offset: 0 }, // first row at -3
    { data, shape: [2, 3], strides: [3, 1], offset: -1 }, // negative offset
    { data, shape: [1, 7], strides: [7, 1] },
    { data, shape: [7], stride: [1] },
    { data, shape: [2, 3], stride: [1, 3] }, // column-major reach: last at 1 + 6 = 7
  ]) {
    for (const how of ['viewFromRows', 'viewFromColumns'] as const) {
      throwsCode(
        t,
        () => IndirectMemory2D[how](src),
        'ERR_INVALID_ARGUMENT',
        TypeError,
        undefined,
        `${how} ${JSON.stringify({ ...src, data: undefined })}`,
      )
    }
  }
  // Exactly at the edge is fine.
  expectValues(t, IndirectMemory2D.viewFromRows({ data, shape: [1, 3], stride: [3, 1], offset: 3 }), 1, 3, (_r, c) => 3 + c)
})

test('options must be undefined or a plain object → ERR_INVALID_ARGUMENT', (t) => {
  const a = new Float64Array(3)
  for (const opts of [null, 'readonly', 1, [], true]) {
    throwsCode(t, () => IndirectMemory2D.viewFromRows(a, opts as never), 'ERR_INVALID_ARGUMENT', TypeError)
    throwsCode(t, () => IndirectMemory2D.viewFromColumns(a, opts as never), 'ERR_INVALID_ARGUMENT', TypeError)
  }
  for (const readonly of ['yes', 1, null]) {
    throwsCode(
      t,
      () => IndirectMemory2D.viewFromRows(a, { readonly: readonly as never }),
      'ERR_INVALID_ARGUMENT',
      TypeError,
      undefined,
      `readonly: ${String(readonly)}`,
    )
  }
  t.deepEqual(IndirectMemory2D.viewFromRows(a, undefined).shape, [1, 3])
  t.deepEqual(IndirectMemory2D.viewFromRows(a, {}).shape, [1, 3])
})

// ---------------------------------------------------------------------------------------------------------
// Read-only.

test('readonly: false (or the default) over a read-only source → ERR_READONLY; readonly: true works', (t) => {
  const data = iota(6)
  const src = { data, shape: [2, 3], stride: [3, 1], readonly: true }
  const fsrc = { data, shape: [3, 2], stride: [1, 3], readonly: true }
  throwsCode(t, () => IndirectMemory2D.viewFromRows(src, { readonly: false }), 'ERR_READONLY', TypeError)
  throwsCode(t, () => IndirectMemory2D.viewFromRows(src), 'ERR_READONLY', TypeError)
  throwsCode(t, () => IndirectMemory2D.viewFromColumns(fsrc, { readonly: false }), 'ERR_READONLY', TypeError)
  throwsCode(t, () => IndirectMemory2D.viewFromColumns(fsrc), 'ERR_READONLY', TypeError)
  const m = IndirectMemory2D.viewFromRows(src, { readonly: true })
  t.true(m.readonly)
  expectValues(t, m, 2, 3, (r, c) => 3 * r + c)
  const mc = IndirectMemory2D.viewFromColumns(fsrc, { readonly: true })
  t.true(mc.readonly)
  expectValues(t, mc, 2, 3, (r, c) => 3 * r + c)
  // read-only still has pointers: native code may read it
  t.is(testlib().sum2d(m.pointer, 2, 3), 15)
})

test('a readonly: true view refuses set / row / rowViews / rowBytes with ERR_READONLY and leaves the data alone', (t) => {
  for (const src of [iota(6), { data: iota(6), shape: [2, 3], readonly: true }, { data: iota(6), shape: [2, 3], readonly: false }]) {
    const m = IndirectMemory2D.viewFromRows(src, { readonly: true })
    t.true(m.readonly)
    throwsCode(t, () => m.set(0, 0, 42), 'ERR_READONLY', TypeError)
    throwsCode(t, () => m.row(0), 'ERR_READONLY', TypeError)
    throwsCode(t, () => m.rowViews(), 'ERR_READONLY', TypeError)
    throwsCode(t, () => m.rowBytes(0), 'ERR_READONLY', TypeError)
    t.is(m.get(0, 0), 0)
    t.is(m.get(-1, -1), 5)
  }
})

// ---------------------------------------------------------------------------------------------------------
// The format override.

test("format 'i' over a Float32Array reinterprets the bits; 'f' over an Int32Array too", (t) => {
  const f32 = new Float32Array([1, -2, 0.5, Math.fround(Math.PI)])
  const bits = new Int32Array(f32.buffer)
  const mi = IndirectMemory2D.viewFromRows(f32, { format: 'i' })
  t.is(mi.format, 'i')
  t.is(mi.itemsize, 4)
  expectValues(t, mi, 1, 4, (_r, c) => bits[c])
  t.is(mi.get(0, 0), 0x3f800000)
  mi.set(0, 1, 0x40400000) // 3.0f
  t.is(f32[1], 3)

  const i32 = new Int32Array([0x3f800000, 0x40490fdb, -1082130432, 0])
  const asFloat = new Float32Array(i32.buffer)
  const mf = IndirectMemory2D.viewFromColumns(i32, { format: 'f' })
  t.is(mf.format, 'f')
  expectValues(t, mf, 1, 4, (_r, c) => asFloat[c])
  t.is(mf.get(0, 0), 1)
  t.is(mf.get(0, 2), -1)
  mf.set(0, 3, 2)
  t.is(i32[3], 0x40000000)
})

test('the override is kept as given: dtype names and byte-order prefixes of the same itemsize', (t) => {
  const f64 = new Float64Array([1, 2])
  const m = IndirectMemory2D.viewFromRows(f64, { format: 'float64' })
  t.is(m.format, 'float64')
  t.is(m.get(0, 1), 2)
  const q = IndirectMemory2D.viewFromRows(f64, { format: 'q' })
  t.is(q.get(0, 0), new BigInt64Array(f64.buffer)[0])
  const u = IndirectMemory2D.viewFromRows(new Int32Array([-1]), { format: 'uint32' })
  t.is(u.get(0, 0), 2 ** 32 - 1)
})

test("16 bytes viewed with format 'd' are [1, 2] doubles (Uint8Array, ArrayBuffer, pooled Buffer)", (t) => {
  const doubles = new Float64Array([Math.PI, -0.5])
  const bytes = new Uint8Array(doubles.buffer)
  let pooled = Buffer.from(bytes)
  for (let i = 0; i < 10 && pooled.byteOffset === 0; i++) pooled = Buffer.from(bytes)
  for (const [name, src] of [
    ['Uint8Array', new Uint8Array(bytes)],
    ['ArrayBuffer', bytes.slice().buffer],
    ['Buffer', pooled],
  ] as const) {
    const m = IndirectMemory2D.viewFromRows(src, { format: 'd' })
    t.is(m.format, 'd', name)
    t.is(m.itemsize, 8, name)
    expectValues(t, m, 1, 2, (_r, c) => doubles[c], name)
    // writes land in the source bytes
    m.set(0, 1, 42)
    const back = new Uint8Array(ArrayBuffer.isView(src) ? src.buffer : src, ArrayBuffer.isView(src) ? src.byteOffset : 0, 16).slice()
    t.is(new Float64Array(back.buffer)[1], 42, name)
  }
  // viewFromColumns of a 1-D byte source regroups the same way
  t.deepEqual(IndirectMemory2D.viewFromColumns(new Uint8Array(bytes), { format: 'd' }).toArray(), [[Math.PI, -0.5]])
})

test("a 2-D byte ndarray viewed with format 'd' regroups every row: [2, 16] bytes → [2, 2]", (t) => {
  const doubles = new Float64Array([1, 2, 3, 4])
  const m = IndirectMemory2D.viewFromRows({ data: new Uint8Array(doubles.buffer), shape: [2, 16], stride: [16, 1] }, { format: 'd' })
  expectValues(t, m, 2, 2, (r, c) => doubles[2 * r + c])
  t.is(testlib().sum2d(m.pointer, 2, 2), 10)
  // columns of a column-major byte array: [16 rows, 2 cols] F-order → viewFromColumns → [2, 16] → [2, 2]
  const f = IndirectMemory2D.viewFromColumns({ data: new Uint8Array(doubles.buffer), shape: [16, 2], stride: [1, 16] }, { format: 'd' })
  expectValues(t, f, 2, 2, (r, c) => doubles[2 * r + c])
})

test("rows regrouped as 'd' that start aligned but are spaced by 12 bytes: every row read and written where it lies", (t) => {
  const bytes = new Uint8Array(36)
  const view = new DataView(bytes.buffer)
  for (let r = 0; r < 3; r++) view.setFloat64(12 * r, r + 0.5, true)
  // Forwards and (from the last row) backwards: row 1 is unaligned either way.
  for (const [stride, offset, first] of [
    [12, 0, 0],
    [-12, 24, 2],
  ]) {
    const m = IndirectMemory2D.viewFromRows({ data: bytes, shape: [3, 8], stride: [stride, 1], offset }, { format: 'd' })
    const rowAt = (r: number) => Math.abs(first - r)
    expectValues(t, m, 3, 1, (r) => rowAt(r) + 0.5)
    t.is(m.rowPointer(2) - m.rowPointer(0), BigInt(2 * stride))
    m.set(1, 0, 7.25)
    t.is(view.getFloat64(12, true), 7.25)
    t.is(m.subMatrix(1, 3).get(1, 0), rowAt(2) + 0.5)
    t.is(testlib().sum2d(m.pointer, 3, 1), 0.5 + 7.25 + 2.5)
    view.setFloat64(12, 1.5, true)
  }
})

test('a row byte length that does not divide by the itemsize, or a different itemsize → ERR_ITEMSIZE_MISMATCH', (t) => {
  throwsCode(t, () => IndirectMemory2D.viewFromRows(new Uint8Array(12), { format: 'd' }), 'ERR_ITEMSIZE_MISMATCH', Error)
  throwsCode(t, () => IndirectMemory2D.viewFromRows(new ArrayBuffer(6), { format: 'i' }), 'ERR_ITEMSIZE_MISMATCH', Error)
  throwsCode(
    t,
    () => IndirectMemory2D.viewFromRows({ data: new Uint8Array(24), shape: [2, 12] }, { format: 'd' }),
    'ERR_ITEMSIZE_MISMATCH',
    Error,
  )
  throwsCode(t, () => IndirectMemory2D.viewFromColumns(new Uint8Array(7), { format: 'h' }), 'ERR_ITEMSIZE_MISMATCH', Error)
  // not bytes: the itemsize must be the same
  throwsCode(t, () => IndirectMemory2D.viewFromRows(new Float32Array(4), { format: 'd' }), 'ERR_ITEMSIZE_MISMATCH', Error)
  throwsCode(t, () => IndirectMemory2D.viewFromRows(new Float64Array(4), { format: 'f' }), 'ERR_ITEMSIZE_MISMATCH', Error)
  throwsCode(t, () => IndirectMemory2D.viewFromRows(new Int16Array(4), { format: 'i' }), 'ERR_ITEMSIZE_MISMATCH', Error)
  throwsCode(t, () => IndirectMemory2D.viewFromRows(new Float64Array(4), { format: 'B' }), 'ERR_ITEMSIZE_MISMATCH', Error)
})

test('a bad format override → ERR_INVALID_FORMAT; null and undefined mean detect', (t) => {
  const a = new Float64Array([1, 2, 3])
  for (const format of ['', 'zz', 'k', '0d', '=n', 'float65', 5, true, {}]) {
    throwsCode(
      t,
      () => IndirectMemory2D.viewFromRows(a, { format: format as string }),
      'ERR_INVALID_FORMAT',
      TypeError,
      undefined,
      JSON.stringify(format),
    )
    throwsCode(
      t,
      () => IndirectMemory2D.viewFromColumns(a, { format: format as string }),
      'ERR_INVALID_FORMAT',
      TypeError,
      undefined,
      JSON.stringify(format),
    )
  }
  for (const format of [null, undefined]) {
    const m = IndirectMemory2D.viewFromRows(a, { format })
    t.is(m.format, 'd')
    t.deepEqual(m.toArray(), [[1, 2, 3]])
    t.is(IndirectMemory2D.viewFromColumns(new Int16Array(2), { format }).format, 'h')
  }
})

// ---------------------------------------------------------------------------------------------------------
// Native proof: native code reads and writes through views; row pointers as native code sees them.

test('native sum2d / fill2d through a strided viewFromRows; writes appear in the original Float64Array', (t) => {
  const lib = testlib()
  const data = iota(40)
  const m = IndirectMemory2D.viewFromRows({ data, shape: [4, 5], stride: [10, 1], offset: 3 })
  let expected = 0
  for (let r = 0; r < 4; r++) for (let c = 0; c < 5; c++) expected += data[3 + 10 * r + c]
  t.is(lib.sum2d(m.pointer, 4, 5), expected)
  lib.fill2d(m.pointer, 4, 5, 0.5)
  for (let r = 0; r < 4; r++) for (let c = 0; c < 5; c++) t.is(data[3 + 10 * r + c], 0.5 + r * 5 + c)
  t.is(data[0], 0)
  t.is(data[8], 8) // between rows: untouched
  for (let r = 0; r < 4; r++) t.is(lib.row_at(m.pointer, r), m.rowPointer(r))
  const ptrs = m.rowPointers()
  t.true(ptrs instanceof BigUint64Array)
  t.deepEqual(
    Array.from(ptrs),
    [0, 1, 2, 3].map((r) => lib.row_at(m.pointer, r)),
  )
  // consecutive rows are 10 doubles apart, and row 0 starts 3 doubles into the data
  t.is(ptrs[1] - ptrs[0], 80n)
  t.is(m.rowPointer(-1) - m.rowPointer(0), 240n)
})

test('native sum2d over a reversed-rows view and sum2d_i32 over an Int32Array view', (t) => {
  const lib = testlib()
  const data = iota(12)
  const m = IndirectMemory2D.viewFromRows({ data, shape: [3, 4], stride: [-4, 1], offset: 8 })
  t.is(lib.sum2d(m.pointer, 3, 4), 66)
  t.is(lib.sum2d(m.pointer, 1, 4), 8 + 9 + 10 + 11) // row 0 is the last source row
  t.is(m.rowPointer(0) - m.rowPointer(1), 32n)
  const i32 = new Int32Array([5, -7, 2 ** 30, 9, 11, -13])
  const mi = IndirectMemory2D.viewFromRows({ data: i32, shape: [2, 3] })
  t.is(lib.sum2d_i32(mi.pointer, 2, 3), 5 - 7 + 2 ** 30 + 9 + 11 - 13)
  const col = IndirectMemory2D.viewFromColumns({ data: i32, shape: [3, 2], stride: [1, 3] })
  t.is(lib.sum2d_i32(col.pointer, 1, 3), 5 - 7 + 2 ** 30)
})

test('native fill2d through a Uint8Array regrouped as doubles writes the source bytes', (t) => {
  const lib = testlib()
  const bytes = new Uint8Array(32)
  const m = IndirectMemory2D.viewFromRows({ data: bytes, shape: [2, 16] }, { format: 'd' })
  lib.fill2d(m.pointer, 2, 2, 10)
  t.deepEqual(Array.from(new Float64Array(bytes.buffer)), [10, 11, 12, 13])
  t.is(lib.byte_at(m.pointer, 1, 7), bytes[16 + 7])
})

test('the pointer is stable: the same bigint on every read', (t) => {
  const m = IndirectMemory2D.viewFromRows(iota(6))
  const p = m.pointer
  t.is(typeof p, 'bigint')
  t.not(p, 0n)
  t.is(m.pointer, p)
  m.set(0, 0, 1)
  t.is(m.pointer, p)
})
