// Worker threads: shared storage (createMemory({ shared: true }) and views over SharedArrayBuffer-backed
// Float64Arrays) is re-wrapped in worker_threads Workers with the package's own constructors (an ndarray-like
// view, 1-D views per row, a BufferCollection2D of row slices) and filled there — through `set` and through the
// worker's own `pointer` with native fill2d. The main thread reads the values through its own matrix and
// through native sum2d.
//
// The worker script is TypeScript. Under ava + tsx, `new Worker(url, { execArgv: ['--import', 'tsx'] })` fails
// on Node 20 (ERR_UNKNOWN_FILE_EXTENSION: the worker's entry is resolved before tsx's module hooks apply), so the
// worker is started from an eval'd CommonJS bootstrap that registers tsx's CommonJS hook and then requires the
// script (helpers/native-views.ts, tsWorkerBootstrap); that works on Node 20 and 24.

import path from 'node:path'
import { Worker } from 'node:worker_threads'
import test, { type ExecutionContext } from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import type { FillJob, FillReply } from './helpers/fill-worker.js'
import { testlib, tsWorkerBootstrap } from './helpers/native-views.js'

const WORKER = path.join(__dirname, 'helpers', 'fill-worker.ts')

/** Runs one fill job in a fresh Worker; resolves with its reply once it has exited. */
function runWorker(job: FillJob): Promise<FillReply> {
  return new Promise((resolve, reject) => {
    const w = new Worker(tsWorkerBootstrap(WORKER), { eval: true, workerData: job })
    let reply: FillReply | undefined
    w.once('message', (m: FillReply) => {
      reply = m
    })
    w.once('error', reject)
    w.once('exit', (code) => {
      if (reply === undefined) reject(new Error(`the worker exited with code ${code} without replying`))
      else if (!reply.ok) reject(new Error(`the worker failed: ${reply.error}`))
      else resolve(reply)
    })
  })
}

/** The layout of a 'd' matrix's rows inside its single SharedArrayBuffer, in elements. */
function layout(t: ExecutionContext, m: IndirectMemory2D): { sab: SharedArrayBuffer; rowStride: number; offset: number } {
  const row0 = m.row(0)
  t.true(row0.buffer instanceof SharedArrayBuffer, 'the storage is a SharedArrayBuffer')
  const sab = row0.buffer as SharedArrayBuffer
  const rowStride = m.rows > 1 ? Number(m.rowPointer(1) - m.rowPointer(0)) / 8 : m.cols
  t.true(Number.isInteger(rowStride) && rowStride >= m.cols)
  for (let r = 1; r < m.rows; r++) t.is(m.row(r).buffer, sab, `row ${r} lives in the same SharedArrayBuffer`)
  return { sab, rowStride, offset: row0.byteOffset / 8 }
}

function expectFilled(
  t: ExecutionContext,
  m: IndirectMemory2D | BufferCollection2D,
  cols: number,
  value: (r: number) => number | undefined,
  untouched: number,
  label: string,
): number {
  let sum = 0
  for (let r = 0; r < m.rows; r++) {
    const v = value(r)
    for (let c = 0; c < cols; c++) {
      const want = v === undefined ? untouched : v + r * cols + c
      const got = m.get(r, c)
      if (got !== want) t.fail(`${label}: (${r}, ${c}) = ${String(got)}, expected ${want}`)
      sum += want
    }
  }
  t.pass()
  return sum
}

test('createMemory({ shared: true }): two workers fill disjoint rows (set and native fill2d), the main thread reads them', async (t) => {
  const rows = 6
  const cols = 7
  const m = IndirectMemory2D.createMemory({ rows, cols, format: 'd', shared: true })
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, -1)
  const { sab, rowStride, offset } = layout(t, m)
  const base = { sab, rows, cols, rowStride, offset, wrap: 'ndarray' } as const
  const [a, b] = await Promise.all([
    runWorker({ ...base, fill: 'set', value: 1000, rowBegin: 0, rowEnd: 3 }),
    runWorker({ ...base, fill: 'native', value: 2000, rowBegin: 3, rowEnd: 5 }),
  ])
  t.is(a.first, 1000)
  t.is(b.first, 2000 + 3 * cols)
  t.true(a.sharedRow && b.sharedRow, "the workers' rows are SharedArrayBuffer-backed too")
  const sum = expectFilled(t, m, cols, (r) => (r < 3 ? 1000 : r < 5 ? 2000 : undefined), -1, 'owned shared')
  t.is(testlib().sum2d(m.pointer, rows, cols), sum)
  t.is(m.row(4)[0], 2000 + 4 * cols)

  // One more worker over every row, through a BufferCollection2D of row slices and native fill2d: its own
  // native sum and the main thread's agree.
  const c = await runWorker({ ...base, wrap: 'collection', fill: 'native', value: 0.5, rowBegin: 0, rowEnd: rows })
  const sum2 = expectFilled(t, m, cols, () => 0.5, -1, 'owned shared, collection worker')
  t.is(c.nativeSum, sum2)
  t.is(testlib().sum2d(m.pointer, rows, cols), sum2)
})

test('a viewFromRows over a SharedArrayBuffer-backed Float64Array (every other row, offset): workers fill it', async (t) => {
  const sab = new SharedArrayBuffer(8 * 40)
  const all = new Float64Array(sab).fill(-1)
  const rows = 4
  const cols = 3
  const rowStride = 8
  const offset = 2
  const view = IndirectMemory2D.viewFromRows({ data: all, shape: [rows, cols], stride: [rowStride, 1], offset })
  t.true(view.row(0).buffer instanceof SharedArrayBuffer)

  // through set in the worker (ndarray view) …
  const a = await runWorker({ sab, rows, cols, rowStride, offset, wrap: 'ndarray', fill: 'set', value: 10, rowBegin: 0, rowEnd: 2 })
  t.is(a.first, 10)
  // … and through per-row 1-D views with native fill2d
  const b = await runWorker({ sab, rows, cols, rowStride, offset, wrap: 'rows1d', fill: 'native', value: 500, rowBegin: 2, rowEnd: 4 })
  t.is(b.first, 500 + 2 * cols)
  const sum = expectFilled(t, view, cols, (r) => (r < 2 ? 10 : 500), -1, 'SAB view')
  t.is(testlib().sum2d(view.pointer, rows, cols), sum)
  t.is(b.nativeSum, sum, "the worker's native sum of its own wrap agrees")
  // the elements between the viewed rows were not touched by anyone
  for (let i = 0; i < all.length; i++) {
    const inView = i >= offset && (i - offset) % rowStride < cols && Math.floor((i - offset) / rowStride) < rows
    if (!inView && all[i] !== -1) t.fail(`element ${i} outside the view changed to ${all[i]}`)
  }
})

test('a 1-D view over a SharedArrayBuffer ([1, n]) filled in a worker through set, read through the main view and sum2d', async (t) => {
  const n = 9
  const sab = new SharedArrayBuffer(8 * n)
  const main = IndirectMemory2D.viewFromRows(new Float64Array(sab))
  t.deepEqual(main.shape, [1, n])
  const r = await runWorker({
    sab,
    rows: 1,
    cols: n,
    rowStride: n,
    offset: 0,
    wrap: 'rows1d',
    fill: 'set',
    value: 7,
    rowBegin: 0,
    rowEnd: 1,
  })
  t.deepEqual(main.toArray(), [Array.from({ length: n }, (_, c) => 7 + c)])
  t.is(testlib().sum2d(main.pointer, 1, n), 9 * 7 + 36)
  t.is(r.nativeSum, 9 * 7 + 36)
})

test('a BufferCollection2D of SharedArrayBuffer rows on the main thread sees a worker fill the same memory', async (t) => {
  const rows = 3
  const cols = 5
  const sab = new SharedArrayBuffer(8 * rows * cols)
  const coll = new BufferCollection2D(Array.from({ length: rows }, (_, r) => new Float64Array(sab, r * cols * 8, cols)))
  await runWorker({ sab, rows, cols, rowStride: cols, offset: 0, wrap: 'ndarray', fill: 'native', value: 100, rowBegin: 0, rowEnd: rows })
  const sum = expectFilled(t, coll, cols, () => 100, 0, 'collection')
  t.is(testlib().sum2d(coll.pointer, rows, cols), sum)
})
