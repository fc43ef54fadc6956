// subMatrix(rowBegin, rowEnd?, colBegin = 0, colEnd = cols): zero-copy rectangles with their own row table.
// subarray-style indices (checked against TypedArray.prototype.subarray as the oracle), values, zero-copy both
// ways, native code over a block at a column offset, row pointers, inherited format and read-only state, the
// parent kept alive, release with the parent, sub of a sub, sub of a BufferCollection2D.

import test, { type ExecutionContext } from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { CollectionTracker, gcRounds, jsSum, nextTask, testlib, throwsCode } from './helpers/native-views.js'

/** A rows×cols 'd' matrix with element (r, c) = 100 r + c. */
function numbered(rows: number, cols: number): IndirectMemory2D {
  const m = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, 100 * r + c)
  return m
}

/** The indices `subarray(begin, end)` keeps of 0 … n-1: the oracle of subMatrix's bound resolution. */
function kept(n: number, begin: number | undefined, end: number | undefined): number[] {
  return Array.from(Int32Array.from({ length: n }, (_, i) => i).subarray(begin, end))
}

function expectBlock(
  t: ExecutionContext,
  sub: { shape: [number, number]; get(r: number, c: number): unknown; toArray(): unknown[][] },
  rows: number[],
  cols: number[],
  at: (r: number, c: number) => unknown,
  label: string,
): void {
  t.deepEqual(sub.shape, [rows.length, cols.length], `${label} shape`)
  t.deepEqual(
    sub.toArray(),
    rows.map((r) => cols.map((c) => at(r, c))),
    `${label} values`,
  )
  if (rows.length > 0 && cols.length > 0) t.is(sub.get(-1, -1), at(rows[rows.length - 1], cols[cols.length - 1]), `${label} get(-1, -1)`)
}

test('values and shape of an inner block', (t) => {
  const m = numbered(5, 6)
  const sub = m.subMatrix(1, 4, 2, 5)
  t.true(sub instanceof IndirectMemory2D)
  expectBlock(t, sub, [1, 2, 3], [2, 3, 4], (r, c) => 100 * r + c, 'sub(1, 4, 2, 5)')
  t.is(sub.format, 'd')
  t.is(sub.nbytes, 9 * 8)
})

test('subarray-style bounds: defaults, negatives, clamping, end before begin → empty', (t) => {
  const m = numbered(5, 6)
  const cases: [number?, number?, number?, number?][] = [
    [0],
    [2],
    [-2],
    [-100],
    [100],
    [1, 3],
    [1, -1],
    [-3, -1],
    [0, 100],
    [3, 1],
    [2, 2],
    [-1, -3],
    [0, undefined, 1],
    [0, undefined, -2],
    [0, undefined, 2, 4],
    [1, 4, -4, -1],
    [0, 5, 4, 2],
    [0, 5, -100, 100],
    [0, 5, 6, 10],
    [0, 5, 100, 200],
    [-6, 6, -7, 7],
  ]
  for (const [r0, r1, c0, c1] of cases) {
    const label = `subMatrix(${[r0, r1, c0, c1].map(String).join(', ')})`
    const sub = m.subMatrix(r0 as number, r1, c0, c1)
    expectBlock(t, sub, kept(5, r0, r1), kept(6, c0, c1), (r, c) => 100 * r + c, label)
  }
})

test('zero-copy both ways: writes through the block reach the parent and its source, and back', (t) => {
  const data = Float64Array.from({ length: 20 }, (_, i) => i)
  const m = IndirectMemory2D.viewFromRows({ data, shape: [4, 5] })
  const sub = m.subMatrix(1, 3, 1, 4)
  sub.set(0, 0, -1)
  t.is(m.get(1, 1), -1)
  t.is(data[6], -1)
  sub.set(-1, -1, -2)
  t.is(data[13], -2)
  data[12] = -3
  t.is(sub.get(1, 1), -3)
  m.set(2, 1, -4)
  t.is(sub.get(1, 0), -4)
  // the block's row views are the parent's memory at the column offset
  const row = sub.row(0)
  t.is(row.buffer, data.buffer)
  t.is(row.byteOffset, 6 * 8)
  t.is(row.length, 3)
  row[2] = -5
  t.is(data[8], -5)
})

test('pointer of a block at a column offset: native sum2d equals the block JS sum; fill2d writes only the block', (t) => {
  const lib = testlib()
  const m = numbered(6, 8)
  const block = m.subMatrix(2, 5, 3, 7)
  t.deepEqual(block.shape, [3, 4])
  let expected = 0
  for (let r = 2; r < 5; r++) for (let c = 3; c < 7; c++) expected += 100 * r + c
  t.is(jsSum(block), expected)
  t.is(lib.sum2d(block.pointer, 3, 4), expected)
  t.not(block.pointer, m.pointer)
  lib.fill2d(block.pointer, 3, 4, -1000)
  for (let r = 0; r < 6; r++) {
    for (let c = 0; c < 8; c++) {
      const inside = r >= 2 && r < 5 && c >= 3 && c < 7
      const want = inside ? -1000 + (r - 2) * 4 + (c - 3) : 100 * r + c
      if (m.get(r, c) !== want) t.fail(`parent (${r}, ${c}) = ${String(m.get(r, c))}, expected ${want}`)
    }
  }
  t.pass()
})

test('rowPointer(i) of a block = parent rowPointer(r0 + i) + c0 * itemsize, also as native code reads it', (t) => {
  const lib = testlib()
  for (const format of ['d', 'i', 'B', 'h'] as const) {
    const m = IndirectMemory2D.createMemory({ rows: 5, cols: 9, format })
    const itemsize = BigInt(m.itemsize)
    const block = m.subMatrix(1, 4, 2, 8)
    for (let i = 0; i < 3; i++) {
      t.is(block.rowPointer(i), m.rowPointer(1 + i) + 2n * itemsize, `${format} row ${i}`)
      t.is(lib.row_at(block.pointer, i), block.rowPointer(i), `${format} native row ${i}`)
    }
    t.is(block.rowPointer(-1), m.rowPointer(3) + 2n * itemsize)
    t.deepEqual(
      Array.from(block.rowPointers()),
      [1, 2, 3].map((r) => m.rowPointer(r) + 2n * itemsize),
    )
  }
})

test('blocks of strided views: reversed rows and a column-major source', (t) => {
  const data = Float64Array.from({ length: 12 }, (_, i) => i)
  const rev = IndirectMemory2D.viewFromRows({ data, shape: [3, 4], stride: [-4, 1], offset: 8 })
  const b = rev.subMatrix(1, 3, 1, 3)
  t.deepEqual(b.toArray(), [
    [5, 6],
    [1, 2],
  ])
  t.is(b.rowPointer(0), rev.rowPointer(1) + 8n)
  t.is(testlib().sum2d(b.pointer, 2, 2), 14)
  const cols = IndirectMemory2D.viewFromColumns({ data, shape: [3, 4], stride: [1, 3] })
  const cb = cols.subMatrix(-2, undefined, 1)
  t.deepEqual(cb.toArray(), [
    [7, 8],
    [10, 11],
  ])
})

test('a block inherits the format (reinterpreted too) and readonly', (t) => {
  const i32 = IndirectMemory2D.viewFromRows(new Int32Array([1, -2, 3, -4]), { format: 'int32' })
  const s = i32.subMatrix(0, 1, 1, 3)
  t.is(s.format, 'int32')
  t.is(s.dtype, 'int32')
  t.deepEqual(s.toArray(), [[-2, 3]])
  t.is(testlib().sum2d_i32(s.pointer, 1, 2), 1)

  const f = IndirectMemory2D.viewFromRows(new Float32Array([1, 2]), { format: 'i' })
  t.is(f.subMatrix(0).format, 'i')
  t.is(f.subMatrix(0).get(0, 0), 0x3f800000)

  const ro = IndirectMemory2D.viewFromRows(new Float64Array([1, 2, 3]), { readonly: true })
  const rs = ro.subMatrix(0, 1, 1)
  t.true(rs.readonly)
  throwsCode(t, () => rs.set(0, 0, 5), 'ERR_READONLY', TypeError)
  throwsCode(t, () => rs.row(0), 'ERR_READONLY', TypeError)
  t.is(rs.get(0, 0), 2)
  t.true(rs.subMatrix(0).readonly)
  t.false(numbered(2, 2).subMatrix(0).readonly)

  const coll = new BufferCollection2D([new Float64Array(2), { data: new Float64Array(2), shape: [2], readonly: true }])
  t.true(coll.subMatrix(0, 1).readonly)
})

// Serial: a concurrent test may start unrelated async operations in a task where this block was pinned.
test.serial('a block keeps its parent alive; the parent is collectable once the block is gone', async (t) => {
  const tracker = new CollectionTracker()
  let block: IndirectMemory2D | undefined = (() => {
    const parent = IndirectMemory2D.viewFromRows({ data: Float64Array.from({ length: 12 }, (_, i) => i), shape: [3, 4] })
    tracker.watch(parent, 'parent')
    return parent.subMatrix(1, 3, 1, 3) as IndirectMemory2D
  })()
  tracker.watch(block, 'block')
  await gcRounds(6, 5)
  t.false(tracker.collected('parent'), 'the parent must stay alive while its block is')
  t.deepEqual(block.toArray(), [
    [5, 6],
    [9, 10],
  ])
  t.is(testlib().sum2d(block.pointer, 2, 2), 30)
  block = undefined
  await nextTask(5) // let the pin of the pointer read end
  t.true(await tracker.waitCollected('block'), 'control: the block itself becomes collectable')
  t.true(await tracker.waitCollected('parent'), 'control: the parent becomes collectable after the block')
})

test('a block is released with its parent (and blocks of blocks too)', (t) => {
  const m = numbered(4, 4)
  const a = m.subMatrix(1)
  const aa = a.subMatrix(1, 3, 1, 3)
  const b = m.subMatrix(0, 2, 0, 2)
  t.false(a.released)
  m.release()
  t.true(m.released)
  for (const [name, s] of [
    ['a', a],
    ['aa', aa],
    ['b', b],
  ] as const) {
    t.true(s.released, `${name}.released`)
    throwsCode(t, () => s.get(0, 0), 'ERR_RELEASED', Error, undefined, `${name}.get`)
    throwsCode(t, () => s.pointer, 'ERR_RELEASED', Error, undefined, `${name}.pointer`)
    throwsCode(t, () => s.set(0, 0, 1), 'ERR_RELEASED', Error, undefined, `${name}.set`)
    throwsCode(t, () => s.subMatrix(0), 'ERR_RELEASED', Error, undefined, `${name}.subMatrix`)
    t.notThrows(() => s.release(), `${name}: a second release is a no-op`)
    // shape keeps answering
    t.is(s.rows, name === 'a' ? 3 : 2)
  }
  throwsCode(t, () => m.subMatrix(0), 'ERR_RELEASED', Error)
})

test('releasing a block does not release its parent or its siblings', (t) => {
  const m = numbered(3, 3)
  const a = m.subMatrix(0, 1)
  const b = m.subMatrix(1, 2)
  const aa = a.subMatrix(0)
  a.release()
  t.true(a.released)
  t.true(aa.released, 'a block of a released block is released')
  t.false(m.released)
  t.false(b.released)
  t.is(m.get(2, 2), 202)
  t.is(b.get(0, 1), 101)
  throwsCode(t, () => a.get(0, 0), 'ERR_RELEASED', Error)
})

test('non-integer bounds → ERR_INVALID_ARGUMENT', (t) => {
  const m = numbered(3, 3)
  for (const bad of [1.5, -0.5, NaN, Infinity, '1', null, 1n, true, {}]) {
    throwsCode(t, () => m.subMatrix(bad as number), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `rowBegin ${String(bad)}`)
    throwsCode(t, () => m.subMatrix(0, bad as number), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `rowEnd ${String(bad)}`)
    throwsCode(t, () => m.subMatrix(0, 3, bad as number), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `colBegin ${String(bad)}`)
    throwsCode(t, () => m.subMatrix(0, 3, 0, bad as number), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `colEnd ${String(bad)}`)
  }
})

test('a sub of a sub: indices relative to the block, pointers and zero-copy', (t) => {
  const lib = testlib()
  const m = numbered(8, 8)
  const a = m.subMatrix(1, 7, 2, 8) // rows 1..6, cols 2..7
  const b = a.subMatrix(2, -1, 1, -2) // rows 3..5, cols 3..5
  expectBlock(t, b, [3, 4, 5], [3, 4, 5], (r, c) => 100 * r + c, 'sub of sub')
  t.is(b.rowPointer(0), m.rowPointer(3) + 3n * 8n)
  t.is(
    lib.sum2d(b.pointer, 3, 3),
    [3, 4, 5].reduce((s, r) => s + [3, 4, 5].reduce((u, c) => u + 100 * r + c, 0), 0),
  )
  b.set(1, 1, -1)
  t.is(m.get(4, 4), -1)
  t.is(a.get(3, 2), -1)
  const empty = a.subMatrix(4, 2)
  t.deepEqual(empty.shape, [0, 6])
  t.deepEqual(empty.subMatrix(0).shape, [0, 6])
})

test('a sub of a BufferCollection2D: rows of different arrays, native access, writes land in the arrays', (t) => {
  const lib = testlib()
  const rows = Array.from({ length: 4 }, (_, r) => Float64Array.from({ length: 6 }, (_, c) => 10 * r + c))
  const coll = new BufferCollection2D(rows)
  const sub = coll.subMatrix(1, 3, 2, 5)
  t.true(sub instanceof IndirectMemory2D || sub instanceof BufferCollection2D)
  expectBlock(t, sub, [1, 2], [2, 3, 4], (r, c) => 10 * r + c, 'collection block')
  t.is(lib.sum2d(sub.pointer, 2, 3), 12 + 13 + 14 + 22 + 23 + 24)
  for (let i = 0; i < 2; i++) t.is(sub.rowPointer(i), coll.rowPointer(1 + i) + 16n)
  lib.fill2d(sub.pointer, 2, 3, 0.5)
  t.deepEqual(Array.from(rows[1]), [10, 11, 0.5, 1.5, 2.5, 15])
  t.deepEqual(Array.from(rows[2]), [20, 21, 3.5, 4.5, 5.5, 25])
  t.deepEqual(Array.from(rows[0]), [0, 1, 2, 3, 4, 5])
  t.is(sub.row(1).buffer, rows[2].buffer)
  coll.release()
  t.true(sub.released)
})
