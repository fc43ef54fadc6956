// The samples of docs/guides/c-memory-to-js.md: a `double**` that C allocated, used from JavaScript.
//
//   node --expose-gc --import tsx examples/guides/c-memory-to-js.ts    (--expose-gc: the garbage-collection sample)

import { IndirectMemory2D } from 'indirect-buffer'
import koffi from 'koffi'
import { check, errorCode, fill2d, free2d, live2d, make2d } from './testlib'

async function main(): Promise<void> {
  // --- fromPointer
  const rows = 3
  const cols = 4
  const address = make2d(rows, cols) // C allocates: a double** as a bigint
  const m = IndirectMemory2D.fromPointer(address, rows, cols, 'd', {
    free: (p) => free2d(p, rows, cols), // the memory nanny: called exactly once
  })
  check(m.pointer === address, 'the table is used in place: pointer is the address C gave')
  fill2d(address, rows, cols, 0)
  check(m.get(1, 2) === 6, 'get reads the native memory')
  const row = m.row(2) // a Float64Array over C's row, no copy
  row[0] = 42
  check(m.get(2, 0) === 42, 'a row view writes into the native memory')
  m.release() // calls the nanny now
  check(live2d() === 0, 'release() called free2d')
  check(row.length === 0, 'a view of released native memory is detached (length 0), never dangling')
  check(errorCode(() => m.get(0, 0)) === 'ERR_RELEASED', 'later use throws ERR_RELEASED')
  // --- end

  // --- fromRowPointers
  const native = make2d(2, 3)
  const table = koffi.decode(native, 'uint64_t', 2) as bigint[] // the two row addresses C stored
  const byRows = IndirectMemory2D.fromRowPointers(table, 3, 'd', { free: () => free2d(native, 2, 3) })
  check(byRows.pointer !== native && byRows.rowPointer(1) === table[1], 'fromRowPointers copies the addresses into its own table')
  byRows.release()
  // --- end

  // --- owner
  class Decoder {
    // stands in for any object that owns native memory: a codec context, an addon's handle …
    frame = make2d(2, 4)
    close(): void {
      free2d(this.frame, 2, 4)
    }
  }
  let decoder: Decoder | undefined = new Decoder()
  const planes = IndirectMemory2D.fromPointer(decoder.frame, 2, 4, 'd', { owner: decoder })
  const decoderRef = new WeakRef(decoder)
  decoder = undefined // from here on only `planes` keeps the decoder alive
  // --- end

  // --- nanny on collection
  let freed = 0
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) {
    ;(() => {
      const p = make2d(2, 2)
      const free = (a: bigint): void => {
        free2d(a, 2, 2)
        freed++
      }
      IndirectMemory2D.fromPointer(p, 2, 2, 'd', { free }).set(0, 0, 1)
    })() // the matrix is unreachable once this returns
    for (let i = 0; i < 50 && freed === 0; i++) {
      gc()
      await new Promise((resolve) => setTimeout(resolve, 10)) // finalizers run between tasks
    }
    check(freed === 1, 'a matrix never released is freed by its nanny once collected')
    check(decoderRef.deref() !== undefined, 'the owner of a live matrix is not collected')
  } else {
    console.log('(garbage-collection sample skipped: run node with --expose-gc)')
  }
  // --- end

  // --- external row views
  const frame = IndirectMemory2D.fromPointer(make2d(2, 8), 2, 8, 'd', { free: (p) => free2d(p, 2, 8) })
  let firstRow: Float64Array
  try {
    firstRow = frame.row(0) // zero-copy where the runtime allows external buffers (Node, Bun, Deno)
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_NO_EXTERNAL_BUFFERS') throw e
    firstRow = frame.toTypedArray().subarray(0, 8) // Electron: a copy (its writes do not reach C)
  }
  check(firstRow.length === 8, 'a row of native memory, as a view or a copy')
  frame.release()
  // --- end

  planes.release()
  decoderRef.deref()?.close()
  check(live2d() === 0, 'every native matrix of this guide was freed once')
  console.log('c-memory-to-js: all checks passed')
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
