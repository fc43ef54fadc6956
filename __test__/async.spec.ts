// Asynchronous native calls: `scale2d_slow.async(m.pointer, …, 300 ms, cb)` (koffi runs it on a worker thread)
// on an owned matrix, a viewFromRows view and a BufferCollection2D that JS drops right after the call. With gc
// and allocation churn during the call, the callback's sum is right, the memory shows the scaled values, and a
// FinalizationRegistry proves the matrix is not collected while the call runs but is collected after it
// settles. Control: a matrix whose pointer was never read is collected in the same window.
//
// The async test bodies hold no matrix: matrices live only inside synchronous helpers (a suspended async
// function may keep dead temporaries in its saved registers, which would keep a matrix alive). The tests are
// serial so that no concurrent test starts unrelated async operations in a task where these matrices are pinned.

import test, { type ExecutionContext } from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { CollectionTracker, gcRounds, nextTask, testlib } from './helpers/native-views.js'

const SLEEP_MS = 300
const FACTOR = 3

interface Started {
  /** Settles with the native call's return value (the sum after scaling). */
  done: Promise<number>
  /** The values before the call, row-major. */
  before: number[]
  /** Reads the memory the matrix pointed into (not through the matrix), row-major. */
  readBack: () => number[]
}

/** Starts the slow native scale on a matrix made by `make`, in this block only; only `done` and plain memory escape. */
function start(tracker: CollectionTracker, make: () => { m: IndirectMemory2D | BufferCollection2D; readBack: () => number[] }): Started {
  const { m, readBack } = make()
  tracker.watch(m, 'matrix')
  {
    // The control: same window, same kind of matrix, but its pointer is never read.
    const control = IndirectMemory2D.createMemory({ rows: m.rows, cols: m.cols, format: 'd' })
    control.set(0, 0, 1)
    tracker.watch(control, 'control')
  }
  const before = readBack()
  const done = new Promise<number>((resolve, reject) => {
    testlib().scale2d_slow.async(m.pointer, m.rows, m.cols, FACTOR, SLEEP_MS, (err, res) => (err ? reject(err) : resolve(res)))
  })
  return { done, before, readBack }
}

async function runAsyncCase(t: ExecutionContext, make: () => { m: IndirectMemory2D | BufferCollection2D; readBack: () => number[] }): Promise<void> {
  const tracker = new CollectionTracker()
  const s = start(tracker, make)
  let settled = false
  let controlDuringCall = false
  let roundsDuringCall = 0
  let matrixCollectedDuringCall = false
  const finished = s.done.finally(() => {
    settled = true
  })
  while (!settled) {
    await gcRounds(1, 10)
    if (settled) break
    roundsDuringCall++
    if (tracker.collected('matrix')) matrixCollectedDuringCall = true
    if (tracker.collected('control')) controlDuringCall = true
  }
  const sum = await finished
  t.true(roundsDuringCall >= 3, `gc ran ${roundsDuringCall} rounds during the call`)
  t.false(matrixCollectedDuringCall, 'the matrix whose pointer went to the async call must not be collected during it')
  t.true(controlDuringCall, 'control: a matrix whose pointer was never read is collected during the same window')
  const expected = s.before.map((v) => v * FACTOR)
  t.is(sum, expected.reduce((a, b) => a + b, 0), "the callback's sum")
  t.deepEqual(s.readBack(), expected, 'the memory shows the scaled values')
  await nextTask(5)
  t.true(await tracker.waitCollected('matrix'), 'after the call settled the matrix is collected')
}

test.serial('an owned matrix dropped right after scale2d_slow.async(m.pointer, …) survives the call, then is collected', async (t) => {
  await runAsyncCase(t, () => {
    const m = IndirectMemory2D.createMemory({ rows: 6, cols: 5, format: 'd' })
    testlib().fill2d(m.pointer, 6, 5, 1) // 1 … 30
    // The row views keep the storage alive, not the matrix.
    const rows = m.rowViews()
    return { m, readBack: () => rows.flatMap((r) => Array.from(r)) }
  })
})

test.serial('a viewFromRows view dropped right after the async call survives it; the source array shows the scaled values', async (t) => {
  await runAsyncCase(t, () => {
    const data = Float64Array.from({ length: 40 }, (_, i) => i + 0.5)
    // every other row of an 8×5 array: rows 0, 2, 4, 6
    const m = IndirectMemory2D.viewFromRows({ data, shape: [4, 5], stride: [10, 1] })
    return {
      m,
      readBack: () => {
        const out: number[] = []
        for (let r = 0; r < 4; r++) for (let c = 0; c < 5; c++) out.push(data[10 * r + c])
        return out
      },
    }
  })
})

test.serial('a BufferCollection2D dropped right after the async call survives it; its rows show the scaled values', async (t) => {
  await runAsyncCase(t, () => {
    const rows = Array.from({ length: 7 }, (_, r) => Float64Array.from({ length: 9 }, (_, c) => r * 9 + c - 20))
    const m = new BufferCollection2D(rows)
    return { m, readBack: () => rows.flatMap((r) => Array.from(r)) }
  })
})

test.serial('the skipped rows of an every-other-row view are not touched by the async call', async (t) => {
  const data = Float64Array.from({ length: 20 }, (_, i) => i + 1)
  const done = ((): Promise<number> => {
    const m = IndirectMemory2D.viewFromRows({ data, shape: [2, 5], stride: [10, 1], offset: 5 })
    return new Promise<number>((resolve, reject) => {
      testlib().scale2d_slow.async(m.pointer, 2, 5, -1, 50, (err, res) => (err ? reject(err) : resolve(res)))
    })
  })()
  await gcRounds(2, 5)
  const sum = await done
  t.is(sum, -(6 + 7 + 8 + 9 + 10 + 16 + 17 + 18 + 19 + 20))
  t.deepEqual(Array.from(data), [1, 2, 3, 4, 5, -6, -7, -8, -9, -10, 11, 12, 13, 14, 15, -16, -17, -18, -19, -20])
})
