// Worker script of workers.spec.ts: re-wraps a SharedArrayBuffer made on the main thread with the package's
// own constructors and fills rows of it, through `set` (JS) or through its own `pointer` (native fill2d).
// Replies { ok: true, … } with what it saw, or { ok: false, error } if anything threw.

import { parentPort, workerData } from 'node:worker_threads'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { testlib } from './native.js'

export interface FillJob {
  sab: SharedArrayBuffer
  /** Shape of the matrix over the SharedArrayBuffer, and its layout in elements (doubles). */
  rows: number
  cols: number
  rowStride: number
  offset: number
  /** How to wrap the memory in the worker. */
  wrap: 'ndarray' | 'rows1d' | 'collection'
  /** How to fill: element (r, c) of the wrapped matrix (rows rowBegin … rowEnd-1) becomes value + r * cols + c. */
  fill: 'set' | 'native'
  value: number
  rowBegin: number
  rowEnd: number
}

export interface FillReply {
  ok: boolean
  error?: string
  /** The worker's own sum2d over its whole wrapped matrix, after filling. */
  nativeSum?: number
  /** The worker's own view of element (rowBegin, 0) after filling. */
  first?: number
  /** Whether the worker's matrix reported a SharedArrayBuffer-backed row. */
  sharedRow?: boolean
}

function run(job: FillJob): FillReply {
  const { sab, rows, cols, rowStride, offset } = job
  const all = new Float64Array(sab)
  const lib = testlib()
  if (job.wrap === 'rows1d') {
    // One 1-D view per row: shape [1, cols].
    for (let r = job.rowBegin; r < job.rowEnd; r++) {
      const row = IndirectMemory2D.viewFromRows(new Float64Array(sab, (offset + r * rowStride) * 8, cols))
      if (job.fill === 'native') {
        lib.fill2d(row.pointer, 1, cols, job.value + r * cols)
      } else {
        for (let c = 0; c < cols; c++) row.set(0, c, job.value + r * cols + c)
      }
    }
    const whole = IndirectMemory2D.viewFromRows({ data: all, shape: [rows, cols], stride: [rowStride, 1], offset })
    return {
      ok: true,
      nativeSum: lib.sum2d(whole.pointer, rows, cols),
      first: whole.get(job.rowBegin, 0) as number,
      sharedRow: whole.row(0).buffer instanceof SharedArrayBuffer,
    }
  }
  const m =
    job.wrap === 'ndarray'
      ? IndirectMemory2D.viewFromRows({ data: all, shape: [rows, cols], stride: [rowStride, 1], offset })
      : new BufferCollection2D(Array.from({ length: rows }, (_, r) => new Float64Array(sab, (offset + r * rowStride) * 8, cols)))
  const block = m.subMatrix(job.rowBegin, job.rowEnd)
  if (job.fill === 'native') {
    lib.fill2d(block.pointer, block.rows, cols, job.value + job.rowBegin * cols)
  } else {
    for (let r = job.rowBegin; r < job.rowEnd; r++) for (let c = 0; c < cols; c++) m.set(r, c, job.value + r * cols + c)
  }
  return {
    ok: true,
    nativeSum: lib.sum2d(m.pointer, rows, cols),
    first: m.get(job.rowBegin, 0) as number,
    sharedRow: m.row(0).buffer instanceof SharedArrayBuffer,
  }
}

let reply: FillReply
try {
  reply = run(workerData as FillJob)
} catch (e) {
  reply = { ok: false, error: `${(e as { code?: string }).code ?? ''} ${(e as Error).stack ?? String(e)}` }
}
if (parentPort === null) throw new Error('fill-worker.ts must run in a worker thread (parentPort is null)')
parentPort.postMessage(reply)
