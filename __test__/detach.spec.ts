// Lifetime and detach: a view keeps every source alive through garbage collection (checked with a
// FinalizationRegistry, through get and through native code); a detached source — transferred with
// structuredClone, postMessage or ArrayBuffer.prototype.transfer, or a resizable ArrayBuffer shrunk below the
// view — makes every memory operation throw ERR_DETACHED, for views, blocks, owned storage and collections
// (one detached row object is enough), and nothing crashes.

import { MessageChannel } from 'node:worker_threads'
import test, { type ExecutionContext } from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { CollectionTracker, gcRounds, nextTask, testlib, throwsCode } from './helpers/native-views.js'

type Matrix = IndirectMemory2D | BufferCollection2D

type ResizableArrayBuffer = ArrayBuffer & { resize(n: number): void; readonly resizable: boolean; readonly maxByteLength: number }
const ResizableCtor = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ResizableArrayBuffer

const HAS_TRANSFER = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function'
const HAS_RESIZABLE = (() => {
  try {
    const b = new ResizableCtor(8, { maxByteLength: 16 })
    return b.resizable === true && typeof b.resize === 'function'
  } catch {
    return false
  }
})()

/** Ways to detach an ArrayBuffer. */
const DETACHERS: { name: string; available: boolean; detach: (buf: ArrayBuffer) => Promise<void> }[] = [
  {
    name: 'structuredClone transfer',
    available: true,
    detach: async (buf) => {
      structuredClone(buf, { transfer: [buf] })
    },
  },
  {
    name: 'postMessage transfer',
    available: true,
    detach: async (buf) => {
      const { port1, port2 } = new MessageChannel()
      const received = new Promise<unknown>((resolve) => port2.once('message', resolve))
      port1.postMessage(buf, [buf])
      const got = (await received) as ArrayBuffer
      if (!(got instanceof ArrayBuffer)) throw new Error('the transferred buffer did not arrive')
      port1.close()
      port2.close()
    },
  },
  {
    name: 'ArrayBuffer.prototype.transfer()',
    available: HAS_TRANSFER,
    detach: async (buf) => {
      ;(buf as unknown as { transfer(): ArrayBuffer }).transfer()
    },
  },
]

/** Every memory operation of the instance API, each of which must throw ERR_DETACHED once a source is detached. */
const MEMORY_OPS: [string, (m: Matrix) => unknown][] = [
  ['get', (m) => m.get(0, 0)],
  ['get (last)', (m) => m.get(-1, -1)],
  ['set', (m) => m.set(0, 0, 1 as never)],
  ['pointer', (m) => m.pointer],
  ['rowPointer', (m) => m.rowPointer(0)],
  ['rowPointers', (m) => m.rowPointers()],
  ['acquire', (m) => m.acquire()],
  ['acquire writable', (m) => m.acquire({ writable: true })],
  ['row', (m) => m.row(0)],
  ['rowViews', (m) => m.rowViews()],
  ['rowBytes', (m) => m.rowBytes(0)],
  ['toArray', (m) => m.toArray()],
  ['toTypedArray', (m) => m.toTypedArray()],
  ['toTypedArray F', (m) => m.toTypedArray({ order: 'F' })],
  ['subMatrix', (m) => m.subMatrix(0)],
]

/** Every memory operation throws ERR_DETACHED; metadata keeps answering; release() works; nothing is locked. */
function expectDetached(t: ExecutionContext, m: Matrix, shape: [number, number], label: string): void {
  for (const [op, fn] of MEMORY_OPS) throwsCode(t, () => fn(m), 'ERR_DETACHED', Error, undefined, `${label}: ${op}`)
  t.false(m.locked, `${label}: a failed acquire takes no lock`)
  t.deepEqual(m.shape, shape, `${label}: shape keeps answering`)
  t.false(m.released, `${label}: not released`)
  // still detached on a second look (the check is not a one-shot)
  throwsCode(t, () => m.get(0, 0), 'ERR_DETACHED', Error, undefined, `${label}: get again`)
}

function iota(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => i + 1)
}

for (const d of DETACHERS) {
  const maybe = d.available ? test : test.skip

  maybe(`${d.name}: a viewFromRows view, its blocks and its sub-blocks throw ERR_DETACHED`, async (t) => {
    const data = iota(12)
    const m = IndirectMemory2D.viewFromRows({ data, shape: [3, 4] })
    const block = m.subMatrix(1, 3, 1, 3)
    const p = m.pointer
    t.is(testlib().sum2d(p, 3, 4), 78, 'precondition: readable')
    await d.detach(data.buffer as ArrayBuffer)
    t.is(data.byteLength, 0, 'precondition: the source is detached')
    expectDetached(t, m, [3, 4], 'view')
    expectDetached(t, block, [2, 2], 'block')
    t.notThrows(() => m.release(), 'release() of a detached view works')
    t.true(m.released)
    t.true(block.released)
  })

  maybe(`${d.name}: pointer, the first operation after the detach, throws ERR_DETACHED (guards made or not)`, async (t) => {
    const [a, b] = [iota(6), iota(6)]
    const read = IndirectMemory2D.viewFromRows({ data: a, shape: [2, 3] })
    t.is(testlib().sum2d(read.pointer, 2, 3), 21, 'precondition: the address was read, so the guards exist')
    const unread = IndirectMemory2D.viewFromRows({ data: b, shape: [2, 3] })
    const owned = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
    t.is(typeof owned.pointer, 'bigint')
    await d.detach(a.buffer as ArrayBuffer)
    await d.detach(b.buffer as ArrayBuffer)
    await d.detach(owned.row(0).buffer as ArrayBuffer)
    for (const [label, m] of [
      ['read before', read],
      ['never read', unread],
      ['createMemory', owned],
    ] as const) {
      throwsCode(t, () => m.pointer, 'ERR_DETACHED', Error, undefined, `${label}: pointer`)
      throwsCode(t, () => m.get(0, 0), 'ERR_DETACHED', Error, undefined, `${label}: latched`)
    }
  })

  maybe(`${d.name}: a viewFromColumns view of an ndarray-like throws ERR_DETACHED`, async (t) => {
    const data = iota(6)
    const m = IndirectMemory2D.viewFromColumns({ data, shape: [2, 3], stride: [1, 2] })
    t.deepEqual(m.shape, [3, 2])
    await d.detach(data.buffer as ArrayBuffer)
    expectDetached(t, m, [3, 2], 'columns view')
  })

  maybe(`${d.name}: a view whose source is the ArrayBuffer itself throws ERR_DETACHED`, async (t) => {
    const buf = new ArrayBuffer(16)
    const m = IndirectMemory2D.viewFromRows(buf, { format: 'd' })
    m.set(0, 1, 2)
    await d.detach(buf)
    expectDetached(t, m, [1, 2], 'ArrayBuffer view')
  })

  maybe(`${d.name}: one detached row object makes the whole BufferCollection2D throw ERR_DETACHED`, async (t) => {
    const rows = [iota(3), iota(3), iota(3), iota(3)]
    const m = new BufferCollection2D(rows)
    const block = m.subMatrix(0, 2) // rows 0 and 1: not the detached row
    t.is(testlib().sum2d(m.pointer, 4, 3), 24, 'precondition: readable')
    await d.detach(rows[2].buffer as ArrayBuffer)
    // Element operations check the row they touch: an intact row works until a check has seen the detached one,
    // then the whole collection (and its blocks) refuses memory operations.
    t.is(m.get(0, 0), 1, 'an intact row works before any check saw the detached row')
    t.is(block.get(1, 2), 3, 'so does a block of intact rows')
    throwsCode(t, () => m.get(2, 0), 'ERR_DETACHED', Error, undefined, 'get on the detached row')
    throwsCode(t, () => block.get(1, 2), 'ERR_DETACHED', Error, undefined, 'the block latched with its collection')
    expectDetached(t, m, [4, 3], 'collection')
    throwsCode(t, () => m.get(0, 0), 'ERR_DETACHED', Error, undefined, 'get on an intact row')
    throwsCode(t, () => m.rowPointer(3), 'ERR_DETACHED', Error, undefined, 'rowPointer of an intact row')
    throwsCode(t, () => m.row(1), 'ERR_DETACHED', Error, undefined, 'row of an intact row')
    expectDetached(t, block, [2, 3], 'block of intact rows')
    // the intact rows' data is still there (nothing was freed or overwritten)
    t.deepEqual(Array.from(rows[0]), [1, 2, 3])
  })

  maybe(`${d.name}: owned storage (createMemory) transferred through a row view throws ERR_DETACHED`, async (t) => {
    const m = IndirectMemory2D.createMemory({ rows: 3, cols: 4, format: 'd' })
    m.set(2, 3, 5)
    const storage = m.row(0).buffer as ArrayBuffer
    t.true(storage instanceof ArrayBuffer)
    await d.detach(storage)
    expectDetached(t, m, [3, 4], 'owned')
  })
}

// ---------------------------------------------------------------------------------------------------------
// Resizable ArrayBuffers.

const resizable = HAS_RESIZABLE ? test : test.skip

resizable('a resizable ArrayBuffer shrunk below a view of fixed length → ERR_DETACHED', (t) => {
  const ab = new ResizableCtor(64, { maxByteLength: 128 })
  const f = new Float64Array(ab, 0, 8)
  f.set(iota(8))
  const m = IndirectMemory2D.viewFromRows({ data: f, shape: [2, 4] })
  t.is(m.get(1, 3), 8)
  ab.resize(40) // row 1 (bytes 32..63) is gone
  expectDetached(t, m, [2, 4], 'fixed-length view')
})

resizable('a resizable ArrayBuffer shrunk below a length-tracking typed array view → ERR_DETACHED', (t) => {
  const ab = new ResizableCtor(64, { maxByteLength: 128 })
  const tracking = new Float64Array(ab)
  tracking.set(iota(8))
  const m = IndirectMemory2D.viewFromRows(tracking)
  t.deepEqual(m.shape, [1, 8])
  ab.resize(32)
  expectDetached(t, m, [1, 8], 'length-tracking view')
})

resizable('a resizable ArrayBuffer as the source itself, shrunk → ERR_DETACHED', (t) => {
  const ab = new ResizableCtor(64, { maxByteLength: 128 })
  const m = IndirectMemory2D.viewFromRows(ab, { format: 'd' })
  t.deepEqual(m.shape, [1, 8])
  ab.resize(0)
  expectDetached(t, m, [1, 8], 'ArrayBuffer source')
})

resizable('a collection with a row on a resizable ArrayBuffer that shrinks → ERR_DETACHED', (t) => {
  const ab = new ResizableCtor(32, { maxByteLength: 64 })
  const m = new BufferCollection2D([new Float64Array(4), new Float64Array(ab, 0, 4)])
  ab.resize(24)
  t.is(m.get(0, 0), 0, 'the intact row works until a check has seen the shrunk one')
  throwsCode(t, () => m.pointer, 'ERR_DETACHED', Error, undefined, 'a whole-matrix operation checks every row')
  expectDetached(t, m, [2, 4], 'collection')
})

resizable('a resizable ArrayBuffer that grows, or shrinks but keeps the viewed bytes, keeps the view working', (t) => {
  // Neither is a detach or a transfer: the viewed bytes stay where they are.
  const ab = new ResizableCtor(64, { maxByteLength: 128 })
  new Float64Array(ab).set(iota(8))
  const fixed = IndirectMemory2D.viewFromRows(new Float64Array(ab, 0, 2))
  const tracking = IndirectMemory2D.viewFromRows(new Float64Array(ab))
  ab.resize(128)
  t.deepEqual(fixed.toArray(), [[1, 2]], 'fixed-length view after growth')
  t.deepEqual(tracking.toArray(), [[1, 2, 3, 4, 5, 6, 7, 8]], 'length-tracking view after growth (shape fixed at creation)')
  ab.resize(16)
  t.deepEqual(fixed.toArray(), [[1, 2]], 'fixed-length view after a shrink that keeps its bytes')
  t.is(testlib().sum2d(fixed.pointer, 1, 2), 3)
})

resizable('length-tracking Uint8Array rows of a collection keep working when their buffer grows, and not when it shrinks', (t) => {
  const ab = new ResizableCtor(4, { maxByteLength: 16 })
  new Uint8Array(ab).set([1, 2, 3, 4])
  const grows = new BufferCollection2D([new Uint8Array(ab), Uint8Array.of(5, 6, 7, 8)])
  ab.resize(16) // before the collection's first check
  t.deepEqual(grows.toArray(), [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ])
  t.is(grows.get(0, 3), 4)
  ab.resize(2)
  throwsCode(t, () => grows.get(0, 0), 'ERR_DETACHED', Error, undefined, 'shrunk below the row')
})

// The source (or an ndarray's data) is the resizable ArrayBuffer itself: growth, or a shrink that keeps every
// viewed byte, is not a detach.
const resizableTest = HAS_RESIZABLE ? test : test.skip

resizableTest('a view over a resizable ArrayBuffer itself keeps working when the buffer grows', (t) => {
  const ab = new ResizableCtor(16, { maxByteLength: 64 })
  new Float64Array(ab).set([1.5, 2.5])
  const m = IndirectMemory2D.viewFromRows(ab, { format: 'd' })
  t.deepEqual(m.shape, [1, 2])
  ab.resize(64)
  t.deepEqual(m.toArray(), [[1.5, 2.5]])
  t.is(testlib().sum2d(m.pointer, 1, 2), 4)
})

resizableTest('an ndarray view over part of a resizable ArrayBuffer keeps working after a shrink that keeps its bytes', (t) => {
  const ab = new ResizableCtor(64, { maxByteLength: 64 })
  new Uint8Array(ab).set([1, 2, 3, 4, 5, 6, 7, 8])
  const m = IndirectMemory2D.viewFromRows({ data: ab, shape: [2, 4] })
  t.deepEqual(m.toArray(), [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ])
  ab.resize(32) // bytes 0..7 stay
  t.deepEqual(m.toArray(), [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ])
})

// ---------------------------------------------------------------------------------------------------------
// Lifetime: a view keeps its sources alive.

// The async test bodies below touch the matrices only inside synchronous helpers and through a holder object:
// a suspended async function may keep dead temporaries (the last matrix of a loop) in its saved registers,
// which would keep the matrix alive and spoil the collection controls.

const VIEW_SOURCE_NAMES = ['a', 'a.buffer', 'nd', 'nd.data', 'nd.data.buffer', 'fsrc', 'fsrc.data.buffer', 'bytes', 'big.buffer']

const VIEW_EXPECTED = [
  [
    [10, 11, 12],
    [13, 14, 15],
  ],
  [
    [108, 109, 110, 111],
    [104, 105, 106, 107],
    [100, 101, 102, 103],
  ],
  [
    [1000, 1001],
    [1002, 1003],
    [1004, 1005],
  ],
  [
    [0.5, 0.25],
    [0.125, 1],
  ],
  [[7, 9]],
]

/** Views over sources made here; only the views escape. */
function makeViews(tracker: CollectionTracker): IndirectMemory2D[] {
  const a = Float64Array.from({ length: 6 }, (_, i) => 10 + i)
  const nd = { data: Float64Array.from({ length: 12 }, (_, i) => 100 + i), shape: [3, 4], stride: [-4, 1], offset: 8 }
  const fsrc = { data: Float64Array.from({ length: 6 }, (_, i) => 1000 + i), shape: [2, 3], strides: [1, 2] }
  const bytes = new ArrayBuffer(32)
  new Float64Array(bytes).set([0.5, 0.25, 0.125, 1])
  const big = Buffer.alloc(16 * 1024) // large enough not to come from the pool
  new Float64Array(big.buffer, big.byteOffset, 2).set([7, 9])
  const watched: [object, string][] = [
    [a, 'a'],
    [a.buffer, 'a.buffer'],
    [nd, 'nd'],
    [nd.data, 'nd.data'],
    [nd.data.buffer, 'nd.data.buffer'],
    [fsrc, 'fsrc'],
    [fsrc.data.buffer, 'fsrc.data.buffer'],
    [bytes, 'bytes'],
    [big.buffer, 'big.buffer'],
  ]
  for (const [o, n] of watched) tracker.watch(o, n)
  return [
    IndirectMemory2D.viewFromRows({ data: a, shape: [2, 3] }),
    IndirectMemory2D.viewFromRows(nd),
    IndirectMemory2D.viewFromColumns(fsrc),
    IndirectMemory2D.viewFromRows({ data: bytes, shape: [2, 16] }, { format: 'd' }),
    IndirectMemory2D.viewFromRows({ data: big, shape: [1, 16] }, { format: 'd' }),
  ]
}

function checkViews(t: ExecutionContext, holder: { views?: IndirectMemory2D[] }, round: number): void {
  const lib = testlib()
  const views = holder.views
  if (views === undefined) throw new Error(`round ${round}: holder.views is not set`)
  for (let v = 0; v < views.length; v++) {
    const m: IndirectMemory2D = views[v]
    t.deepEqual(m.toArray(), VIEW_EXPECTED[v], `round ${round}: view ${v} through get`)
    const sum = VIEW_EXPECTED[v].flat().reduce((x, y) => x + y, 0)
    t.is(lib.sum2d(m.pointer, m.rows, m.cols), sum, `round ${round}: view ${v} through sum2d`)
  }
}

// Serial: a concurrent test can start unrelated async operations (e.g. ava reading files for a failure
// report) in a task where these views were pinned, which legitimately pins them until those operations end.
test.serial('views keep every source alive through gc; the data stays right through get and native sum2d', async (t) => {
  const tracker = new CollectionTracker()
  const holder: { views?: IndirectMemory2D[] } = { views: makeViews(tracker) }
  for (let round = 0; round < 3; round++) {
    await gcRounds(4, 5)
    for (const n of VIEW_SOURCE_NAMES) t.false(tracker.collected(n), `round ${round}: ${n} must stay alive while its view is`)
    checkViews(t, holder, round)
  }
  holder.views = undefined
  await nextTask(5)
  for (const n of VIEW_SOURCE_NAMES) t.true(await tracker.waitCollected(n), `control: ${n} is collectable once its view is gone`)
})

const ROWS = 50
const COLS = 33

function makeCollection(tracker: CollectionTracker): BufferCollection2D {
  const rows: Float64Array[] = []
  for (let r = 0; r < ROWS; r++) {
    const row = Float64Array.from({ length: COLS }, (_, c) => r * 1000 + c)
    tracker.watch(row, `row ${r}`)
    tracker.watch(row.buffer, `buffer ${r}`)
    rows.push(row)
  }
  return new BufferCollection2D(rows)
}

function checkCollection(t: ExecutionContext, holder: { m?: BufferCollection2D }, round: number): void {
  const m = holder.m
  if (m === undefined) throw new Error(`round ${round}: holder.m is not set`)
  let expected = 0
  for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) expected += r * 1000 + c
  let js = 0
  for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) js += m.get(r, c) as number
  t.is(js, expected, `round ${round}: through get`)
  t.is(testlib().sum2d(m.pointer, ROWS, COLS), expected, `round ${round}: through sum2d`)
  t.is(m.get(49, 32), 49032)
  t.is(m.get(0, 0), 0)
}

test.serial('a BufferCollection2D of 50 Float64Array rows keeps every row alive through gc', async (t) => {
  const tracker = new CollectionTracker()
  const holder: { m?: BufferCollection2D } = { m: makeCollection(tracker) }
  for (let round = 0; round < 3; round++) {
    await gcRounds(4, 5)
    for (let r = 0; r < ROWS; r++) {
      if (tracker.collected(`row ${r}`) || tracker.collected(`buffer ${r}`)) t.fail(`round ${round}: row ${r} was collected`)
    }
    checkCollection(t, holder, round)
  }
  holder.m = undefined
  await nextTask(5)
  for (let r = 0; r < ROWS; r++) {
    if (!(await tracker.waitCollected(`buffer ${r}`))) t.fail(`control: buffer ${r} was never collected`)
  }
  t.true(tracker.collected('row 0') && tracker.collected('row 49'), 'control: the rows are collectable once the collection is gone')
})

test('rows of no bytes are guarded by their buffer: detaching it is seen; rows over empty buffers stay usable', (t) => {
  const buf = new ArrayBuffer(16)
  const c = new BufferCollection2D([new Float64Array(buf, 8, 0), new Float64Array(buf, 0, 0)])
  t.is(typeof c.pointer, 'bigint')
  structuredClone(buf, { transfer: [buf] })
  throwsCode(t, () => c.pointer, 'ERR_DETACHED', Error)
  throwsCode(t, () => c.toArray(), 'ERR_DETACHED', Error, undefined, 'latched')
  const empty = new BufferCollection2D([new Float64Array(0), new Float64Array(0)])
  t.is(typeof empty.pointer, 'bigint')
  t.deepEqual(empty.toArray(), [[], []])
})
