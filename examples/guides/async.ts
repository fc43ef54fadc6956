// The samples of docs/guides/async.md: asynchronous native calls, each made while the matrix is held.
//
//   node --expose-gc --import tsx examples/guides/async.ts    (--expose-gc: collections forced during a call)

import { IndirectMemory2D } from 'indirect-buffer'
import { check, errorCode, fill2d, free2d, live2d, make2d, scale2dSlow } from './testlib'

// --- promise wrapper
/** koffi's `.async()` as a promise: C runs `scale2d_slow` on a worker thread and reads `table` meanwhile. */
function scaleLater(table: bigint, rows: number, cols: number, factor: number): Promise<number> {
  return new Promise((resolve, reject) => {
    scale2dSlow.async(table, rows, cols, factor, 100, (err, sum) => (err ? reject(err) : resolve(sum)))
  })
}
// --- end

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

  // --- withPointer
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
  m.copyFrom([
    [1, 2, 3],
    [4, 5, 6],
  ])
  const pending = m.withPointer((p) => scaleLater(p, m.rows, m.cols, 10), { writable: true })
  check(m.locked, 'the matrix is held while C runs')
  check(errorCode(() => m.release()) === 'ERR_LOCKED', 'release() is refused during the call')
  const sum = await pending
  check(sum === 210 && m.get(1, 2) === 60, 'C scaled the matrix; JS sees the result')
  check(!m.locked, 'the hold ends when the promise settles')
  m.release()
  // --- end

  // --- temporary matrix
  // Nothing but the hold refers to this matrix: it survives the call, even through forced collections.
  const call = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' }).withPointer(
    (p) => {
      fill2d(p, 2, 2, 1) // 1 2 / 3 4
      return scaleLater(p, 2, 2, 2)
    },
    { writable: true },
  )
  for (let i = 0; i < 5; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  check((await call) === 20, 'a temporary matrix held by withPointer lives until the call ends')
  // --- end

  // --- using
  let seen: IndirectMemory2D | undefined
  function startScaling(): Promise<number> {
    using local = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'd' })
    local.copyFrom([[1, 2]])
    seen = local
    return local.withPointer((p) => scaleLater(p, 1, 2, 3), { writable: true })
  } // leaving the block disposes `local`: the release waits for the hold to end
  const started = startScaling()
  check(seen?.released === false, 'disposal is deferred while the call runs')
  check((await started) === 9, 'the call completes on live memory')
  check(seen?.released === true, 'the deferred release happens once the call has ended')
  // --- end

  // --- acquire
  const a = IndirectMemory2D.createMemory({ rows: 1, cols: 4, format: 'd' })
  a.copyFrom([[1, 1, 1, 1]])
  {
    using exported = a.acquire({ writable: true }) // an export: a hold until it is released
    await scaleLater(exported.pointer, exported.rows, exported.cols, 5)
  } // `using` releases the export here
  check(a.get(0, 3) === 5 && !a.locked, 'an export held across the call, released at block end')
  a.release()
  // --- end

  // --- native memory
  let frees = 0
  const frame = IndirectMemory2D.fromPointer(make2d(2, 2), 2, 2, 'd', {
    free: (p) => {
      free2d(p, 2, 2)
      frees++
    },
  })
  const scaling = frame.withPointer((p) => scaleLater(p, 2, 2, 2), { writable: true })
  frame[Symbol.dispose]() // as `using` does at block end: deferred, the nanny waits
  check(frees === 0, 'the nanny does not run while C uses the memory')
  await scaling
  check(frees === 1 && live2d() === 0, 'the nanny runs once the hold has ended')
  // --- end

  console.log('async: all checks passed')
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
