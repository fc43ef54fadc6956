// Asynchronous native calls through a hold: `m.withPointer((p) => promise of scale2d_slow.async(p, …, 300 ms))`
// (koffi runs it on a worker thread) on an owned matrix, a viewFromRows view and a BufferCollection2D that JS
// drops right after the call. With gc
// and allocation churn during the call, the callback's sum is right, the memory shows the scaled values, and a
// FinalizationRegistry proves the matrix is not collected while the call runs but is collected after it
// settles. Control: a matrix whose pointer was never read is collected in the same window.
//
// The async test bodies hold no matrix: matrices live only inside synchronous helpers (a suspended async
// function may keep dead temporaries in its saved registers, which would keep a matrix alive). The tests are
// serial so that no concurrent test starts unrelated async operations in a task where these matrices are pinned.

import { createRequire, syncBuiltinESMExports } from 'node:module'
import { join } from 'node:path'
import test, { type ExecutionContext } from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { CollectionTracker, gcRounds, nextTask, SLOWDOWN, testlib } from './helpers/native-views.js'

const SLEEP_MS = 300 * SLOWDOWN
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
  const done = m.withPointer(
    (p) =>
      new Promise<number>((resolve, reject) => {
        testlib().scale2d_slow.async(p, m.rows, m.cols, FACTOR, SLEEP_MS, (err, res) => (err ? reject(err) : resolve(res)))
      }),
  )
  return { done, before, readBack }
}

async function runAsyncCase(
  t: ExecutionContext,
  make: () => { m: IndirectMemory2D | BufferCollection2D; readBack: () => number[] },
): Promise<void> {
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
  t.true(roundsDuringCall >= 1, `gc ran ${roundsDuringCall} rounds during the call`)
  t.false(matrixCollectedDuringCall, 'the matrix whose pointer went to the async call must not be collected during it')
  t.true(controlDuringCall, 'control: a matrix whose pointer was never read is collected during the same window')
  const expected = s.before.map((v) => v * FACTOR)
  t.is(
    sum,
    expected.reduce((a, b) => a + b, 0),
    "the callback's sum",
  )
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

test.serial('while withPointer holds the matrix, release() throws ERR_LOCKED; the hold ends when the promise settles', async (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
  testlib().fill2d(m.pointer, 2, 3, 1)
  let insideError: unknown
  const done = m.withPointer(
    (p) =>
      new Promise<number>((resolve, reject) => {
        testlib().scale2d_slow.async(p, 2, 3, 2, 50, (err, res) => {
          try {
            m.release()
          } catch (e) {
            insideError = e
          }
          return err ? reject(err) : resolve(res)
        })
      }),
  )
  t.true(m.locked, 'held while the call runs')
  t.throws(() => m.release(), { code: 'ERR_LOCKED', message: 'buffer is locked' })
  t.is(await done, 42)
  t.is((insideError as { code?: string } | undefined)?.code, 'ERR_LOCKED', "release() in the native call's callback is refused")
  t.false(m.locked, 'the hold ended with the promise')
  t.deepEqual(m.toArray(), [
    [2, 4, 6],
    [8, 10, 12],
  ])
  m.release()
  t.true(m.released)
})

test.serial('`using m` around withPointer: the release happens after the async call, not at the end of the block', async (t) => {
  let seen: IndirectMemory2D<'d'> | undefined
  const run = (): Promise<number> => {
    using m = IndirectMemory2D.createMemory({ rows: 3, cols: 3, format: 'd' })
    seen = m
    testlib().fill2d(m.pointer, 3, 3, 1)
    return m.withPointer(
      (p) => new Promise<number>((ok, fail) => testlib().scale2d_slow.async(p, 3, 3, 2, 100, (e, r) => (e ? fail(e) : ok(r)))),
    )
  }
  const done = run()
  t.false(seen?.released, 'the block ended while the call runs: release deferred')
  t.is(await done, 90)
  t.true(seen?.released, 'released once the hold ended')
})

test.serial('withPointer with a synchronous function holds only during it, returns its result, and releases on a throw', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
  t.is(
    m.withPointer((p) => {
      t.true(m.locked)
      return testlib().fill2d(p, 2, 2, 1) ?? 'done'
    }),
    'done',
  )
  t.false(m.locked)
  t.throws(
    () =>
      m.withPointer(() => {
        throw new Error('boom')
      }),
    { message: 'boom' },
  )
  t.false(m.locked, 'a throwing fn ends the hold')
  t.throws(() => m.withPointer(42 as never), { code: 'ERR_INVALID_ARGUMENT' })
  t.throws(() => m.withPointer(() => 1, null as never), { code: 'ERR_INVALID_ARGUMENT' })
  const ro = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'd', readonly: true })
  t.throws(() => ro.withPointer(() => 1, { writable: true }), { code: 'ERR_READONLY', message: 'buffer is not writable' })
  t.is(
    ro.withPointer(() => 7),
    7,
  )
  t.false(ro.locked)
})

test.serial('no API installs an async_hooks hook or a promise hook', async (t) => {
  // The package reaches these functions through the builtin modules' objects (ESM bindings too, once synced).
  const require = createRequire(join(process.cwd(), 'package.json'))
  const asyncHooks = require('node:async_hooks') as { createHook: (...a: unknown[]) => unknown }
  const v8 = require('node:v8') as { promiseHooks?: Record<string, (...a: unknown[]) => unknown> }
  const calls: string[] = []
  const originalCreateHook = asyncHooks.createHook
  asyncHooks.createHook = (...a: unknown[]) => {
    calls.push('createHook')
    return originalCreateHook(...a)
  }
  const originals = { ...v8.promiseHooks }
  for (const name of Object.keys(originals)) {
    ;(v8.promiseHooks as Record<string, unknown>)[name] = (...a: unknown[]) => {
      calls.push(name)
      return originals[name](...a)
    }
  }
  syncBuiltinESMExports()
  try {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
    const c = new BufferCollection2D([new Float64Array(2), new Float64Array(2)])
    for (const x of [m, c, m.subMatrix(0, 1)]) {
      void x.pointer
      void x.rowPointer(0)
      void x.rowPointers()
      x.acquire().release()
      await x.withPointer(async (p) => p)
    }
    await new Promise((r) => setImmediate(r))
  } finally {
    asyncHooks.createHook = originalCreateHook as never
    Object.assign(v8.promiseHooks ?? {}, originals)
    syncBuiltinESMExports()
  }
  t.deepEqual(calls, [])
})
