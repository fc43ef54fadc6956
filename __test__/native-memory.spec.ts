// Native memory: fromPointer / fromRowPointers over matrices the C test library allocates, the memory nanny
// (free exactly once: on release, or after the matrix and its views were collected), views of native memory
// and the runtime-without-external-buffers (Electron) path.

import test from 'ava'
import { type IndirectBufferError, IndirectMemory2D } from 'indirect-buffer'
import koffi from 'koffi'
import { testlib } from './helpers/native'
import { SLOWDOWN } from './helpers/native-views.js'

// The binding's test-only switch (not part of the public API).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const binding = require('../index.js') as { setExternalBuffersRefused(refused: boolean): void }

const lib = testlib()
const gc = global.gc as () => void

async function collect(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return (e as IndirectBufferError).code
  }
  return undefined
}

/** A native rows×cols double** with a counting nanny that frees it through free2d. */
function wrapped(rows: number, cols: number, opts: { owner?: unknown } = {}) {
  const table = lib.make2d(rows, cols)
  const frees: bigint[] = []
  const m = IndirectMemory2D.fromPointer(table, rows, cols, 'd', {
    ...opts,
    free: (address) => {
      frees.push(address)
      lib.free2d(address, rows, cols)
    },
  })
  return { table, frees, m }
}

test.serial('fromPointer: JS and native code share the memory; release frees exactly once and detaches views', (t) => {
  const live = lib.live2d()
  const { table, frees, m } = wrapped(3, 4)
  t.is(lib.live2d(), live + 1)
  t.is(m.pointer, table)
  t.deepEqual(m.shape, [3, 4])
  m.set(1, 2, 5)
  const row = m.row(2)
  row[3] = 7
  t.is(lib.sum2d(m.pointer, 3, 4), 12)
  lib.fill2d(m.pointer, 3, 4, 100)
  t.is(m.get(2, 3), 111)
  t.is(row[3], 111, 'a row view taken before the native write sees it (zero-copy)')
  t.deepEqual(
    Array.from(m.toTypedArray()),
    Array.from({ length: 12 }, (_, i) => 100 + i),
  )
  t.is(m.row(2).buffer, row.buffer, 'one external buffer per row, never two')
  m.release()
  t.deepEqual(frees, [table])
  t.is(lib.live2d(), live)
  t.is(row.length, 0, 'views are detached before the memory is freed')
  t.true(m.released)
  m.release()
  t.is(frees.length, 1, 'a second release() does not free again')
  t.is(
    code(() => m.get(0, 0)),
    'ERR_RELEASED',
  )
  t.is(
    code(() => m.pointer),
    'ERR_RELEASED',
  )
})

test.serial('garbage collection frees exactly once, and only after the matrix and all its views are gone', async (t) => {
  const live = lib.live2d()
  let frees = 0
  let view: Float64Array | undefined
  ;(() => {
    const table = lib.make2d(2, 3)
    const m = IndirectMemory2D.fromPointer(table, 2, 3, 'd', {
      free: (a) => {
        frees++
        return lib.free2d(a, 2, 3)
      },
    })
    view = m.row(1) as Float64Array
    view[2] = 42
  })()
  ;(() => {
    const table = lib.make2d(2, 3)
    IndirectMemory2D.fromPointer(table, 2, 3, 'd', {
      free: (a) => {
        frees++
        return lib.free2d(a, 2, 3)
      },
    }).set(0, 0, 1)
  })()
  await collect()
  t.is(frees, 1, 'the matrix without views is freed by GC')
  t.is(view?.[2], 42, 'the kept view still reads the native memory')
  t.is(lib.live2d(), live + 1)
  view = undefined
  await collect()
  t.is(frees, 2, 'freed once the view is gone too')
  t.is(lib.live2d(), live)
  await collect()
  t.is(frees, 2, 'never twice')
})

test.serial('owner is kept alive as long as the matrix or a view lives', async (t) => {
  const collected: string[] = []
  const registry = new FinalizationRegistry<string>((what) => collected.push(what))
  // biome-ignore lint/correctness/noUnusedVariables: write-only on purpose, a GC root that keeps the view (and so the owner) alive
  let view: Float64Array | undefined
  let frees = 0
  ;(() => {
    const owner = { name: 'owner' }
    registry.register(owner, 'owner')
    const table = lib.make2d(1, 2)
    const m = IndirectMemory2D.fromPointer(table, 1, 2, 'd', {
      owner,
      free: (a) => {
        frees++
        return lib.free2d(a, 1, 2)
      },
    })
    view = m.row(0) as Float64Array
  })()
  await collect()
  t.deepEqual(collected, [], 'the view keeps the matrix memory and its owner alive')
  t.is(frees, 0)
  view = undefined
  await collect()
  t.deepEqual(collected, ['owner'])
  t.is(frees, 1)
})

test.serial('fromPointer reads the table in place: rows swapped by native code are followed', (t) => {
  const a = lib.make2d(1, 2)
  const b = lib.make2d(1, 2)
  try {
    const rowA = lib.row_at(a, 0)
    const rowB = lib.row_at(b, 0)
    // A T** table of two rows, itself in JS memory: row 0 of a 1×2 'Q' matrix.
    using table = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'Q' })
    table.set(0, 0, rowA)
    table.set(0, 1, rowB)
    using m = IndirectMemory2D.fromPointer(table.rowPointer(0), 2, 2, 'd')
    m.set(0, 0, 1)
    m.set(1, 0, 2)
    t.is(m.rowPointer(0), rowA)
    table.set(0, 0, rowB)
    table.set(0, 1, rowA)
    t.is(m.get(0, 0), 2, 'the matrix follows the table')
    t.is(m.get(1, 0), 1)
    t.is(m.rowPointer(0), rowB)
    table.set(0, 1, 0n)
    t.is(
      code(() => m.get(1, 0)),
      'ERR_NULL_POINTER',
      'a null row met later throws at that access',
    )
  } finally {
    lib.free2d(a, 1, 2)
    lib.free2d(b, 1, 2)
  }
})

test.serial('fromPointer: a row swapped between two accesses to it is followed (the last-row shortcut)', (t) => {
  for (const format of ['d', '>d'] as const) {
    const a = lib.make2d(1, 2)
    const b = lib.make2d(1, 2)
    try {
      const [rowA, rowB] = [lib.row_at(a, 0), lib.row_at(b, 0)]
      using table = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'Q' })
      table.set(0, 1, rowB)
      using m = IndirectMemory2D.fromPointer(table.rowPointer(0), 2, 2, format)
      using ro = IndirectMemory2D.fromPointer(table.rowPointer(0), 2, 2, format, { readonly: true })
      table.set(0, 0, rowA)
      m.set(0, 0, 10)
      m.set(0, 1, 11) // the same row again: written through the last-written row
      t.deepEqual([m.get(0, 0), m.get(0, 1)], [10, 11], format) // read twice through the last-read row
      t.deepEqual([ro.get(0, 0), ro.get(0, 1)], [10, 11])
      table.set(0, 0, rowB)
      t.is(m.get(0, 1), 0, `${format}: the next access to the same row reads the new row`)
      t.is(ro.get(0, 1), 0)
      m.set(0, 1, 21)
      table.set(0, 0, rowA)
      t.is(m.get(0, 1), 11, `${format}: back to the first row (its entry again)`)
      m.set(0, 0, 30)
      table.set(0, 0, rowB)
      t.deepEqual([m.get(0, 0), m.get(0, 1)], [0, 21], `${format}: the write went to the row of its moment`)
      t.is(
        code(() => ro.set(0, 1, 1)),
        'ERR_READONLY',
        'reads do not open writes on a read-only matrix',
      )
      t.is(
        code(() => m.get(0, 2)),
        'ERR_OUT_OF_BOUNDS',
        'columns are still checked on the shortcut',
      )
      t.is(
        code(() => m.set(0, 2, 1)),
        'ERR_OUT_OF_BOUNDS',
      )
      table.set(0, 0, 0n)
      t.is(
        code(() => m.get(0, 0)),
        'ERR_NULL_POINTER',
        `${format}: a row set to NULL after its last read`,
      )
      table.set(0, 0, rowA)
      t.is(m.get(0, 0), 30)
      m.release()
      t.is(
        code(() => m.get(0, 0)),
        'ERR_RELEASED',
        'released after reads of the same row',
      )
      t.is(
        code(() => m.set(0, 0, 1)),
        'ERR_RELEASED',
      )
    } finally {
      lib.free2d(a, 1, 2)
      lib.free2d(b, 1, 2)
    }
  }
})

test.serial('fromPointer argument checks', (t) => {
  t.is(
    code(() => IndirectMemory2D.fromPointer(0n, 1, 1, 'd')),
    'ERR_NULL_POINTER',
  )
  t.is(
    code(() => IndirectMemory2D.fromPointer(0, 1, 1, 'd')),
    'ERR_NULL_POINTER',
  )
  for (const bad of [-1n, 2n ** 64n, -1, 1.5, 2 ** 53, '4096', null, undefined, {}]) {
    t.is(
      code(() => IndirectMemory2D.fromPointer(bad as bigint, 1, 1, 'd')),
      'ERR_INVALID_ARGUMENT',
      String(bad),
    )
  }
  const table = lib.make2d(1, 1)
  try {
    t.is(
      code(() => IndirectMemory2D.fromPointer(table, -1, 1, 'd')),
      'ERR_INVALID_SHAPE',
    )
    t.is(
      code(() => IndirectMemory2D.fromPointer(table, 1, 1, 'zz')),
      'ERR_INVALID_FORMAT',
    )
    t.is(
      code(() => IndirectMemory2D.fromPointer(table, 1, 1, 'd', { free: 5 as never })),
      'ERR_INVALID_ARGUMENT',
    )
    t.is(
      code(() => IndirectMemory2D.fromPointer(table, 1, 1, 'd', 7 as never)),
      'ERR_INVALID_ARGUMENT',
    )
    // A safe-integer number address works as well as a bigint.
    using byNumber = IndirectMemory2D.fromPointer(Number(table), 1, 1, 'd')
    t.is(byNumber.pointer, table)
    using ro = IndirectMemory2D.fromPointer(table, 1, 1, 'd', { readonly: true })
    t.is(
      code(() => ro.set(0, 0, 1)),
      'ERR_READONLY',
    )
    t.is(
      code(() => ro.row(0)),
      'ERR_READONLY',
    )
    t.is(ro.get(0, 0), 0)
  } finally {
    lib.free2d(table, 1, 1)
  }
})

test.serial('fromRowPointers: copies the addresses; rows, ERR_ROW_COUNT, null rows, free(table as given)', (t) => {
  const native = lib.make2d(3, 2)
  try {
    // The table decoded from native memory with koffi.
    const decoded = koffi.decode(native, 'uint64_t', 3) as (number | bigint)[]
    const addresses = decoded.map((a) => BigInt(a))
    const seen: unknown[] = []
    const m = IndirectMemory2D.fromRowPointers(addresses, 2, 'd', { rows: 2, free: (tbl) => seen.push(tbl) })
    t.deepEqual(m.shape, [2, 2])
    t.not(m.pointer, native, 'the matrix has its own table')
    m.set(1, 1, 9)
    t.is(lib.sum2d(native, 3, 2), 9, 'native code sees the write')
    t.is(m.rowPointer(1), addresses[1])
    m.release()
    t.is(seen.length, 1)
    t.is(seen[0], addresses, 'free receives the table as given')

    const typed = BigUint64Array.from(addresses)
    using all = IndirectMemory2D.fromRowPointers(typed, 2, 'd')
    t.deepEqual(all.shape, [3, 2])
    t.is(all.get(1, 1), 9)
    const e = (() => {
      try {
        IndirectMemory2D.fromRowPointers(typed, 2, 'd', { rows: 4 })
      } catch (err) {
        return err as IndirectBufferError
      }
    })()
    t.is(e?.code, 'ERR_ROW_COUNT')
    t.is(e?.message, 'less rows than expected: 3 vs. 4')
    t.is(
      code(() => IndirectMemory2D.fromRowPointers([addresses[0], 0n], 2, 'd')),
      'ERR_NULL_POINTER',
    )
    t.is(
      code(() => IndirectMemory2D.fromRowPointers([addresses[0], 0n], 2, 'd', { rows: 1 })),
      undefined,
      'only the rows taken are checked',
    )
    t.is(
      code(() => IndirectMemory2D.fromRowPointers('x' as never, 2, 'd')),
      'ERR_INVALID_ARGUMENT',
    )
  } finally {
    lib.free2d(native, 3, 2)
  }
})

test.serial('an exception thrown by free propagates from release(), the matrix is released, and GC does not free again', async (t) => {
  const table = lib.make2d(1, 1)
  let calls = 0
  ;(() => {
    const m = IndirectMemory2D.fromPointer(table, 1, 1, 'd', {
      free: (a) => {
        calls++
        lib.free2d(a, 1, 1)
        throw new Error('nanny failed')
      },
    })
    t.throws(() => m.release(), { message: 'nanny failed' })
    t.true(m.released)
  })()
  await collect()
  t.is(calls, 1)
})

test.serial('sub-matrices of native memory: values, pointer at a column offset, released with the parent', (t) => {
  const { frees, m } = wrapped(3, 4)
  lib.fill2d(m.pointer, 3, 4, 0)
  const block = m.subMatrix(1, 3, 2, 4)
  t.deepEqual(block.toArray(), [
    [6, 7],
    [10, 11],
  ])
  t.is(lib.sum2d(block.pointer, 2, 2), 34)
  t.is(block.rowPointer(0), m.rowPointer(1) + 16n)
  block.set(0, 0, -1)
  t.is(m.get(1, 2), -1)
  block.release()
  t.is(frees.length, 0, 'releasing a sub-matrix does not free the parent memory')
  const again = m.subMatrix(0, 1)
  const view = again.row(0)
  m.release()
  t.true(again.released)
  t.is(frees.length, 1)
  t.is(view.length, 0)
})

test.serial('a runtime without external buffers (Electron): views throw ERR_NO_EXTERNAL_BUFFERS, get/set/copies work', (t) => {
  const { m } = wrapped(2, 2)
  binding.setExternalBuffersRefused(true)
  try {
    for (const view of [() => m.row(0), () => m.rowViews(), () => m.rowBytes(1)]) {
      const err = t.throws(view) as IndirectBufferError
      t.is(err.code, 'ERR_NO_EXTERNAL_BUFFERS')
      t.regex(err.message, /get\/set/)
      t.regex(err.message, /copyTo/)
    }
    m.set(1, 1, 3)
    t.is(m.get(1, 1), 3)
    t.deepEqual(m.toArray(), [
      [0, 0],
      [0, 3],
    ])
    t.deepEqual(Array.from(m.toTypedArray()), [0, 0, 0, 3])
    t.is(lib.sum2d(m.pointer, 2, 2), 3)
    // JS memory stays zero-copy there: its storage is a JS ArrayBuffer.
    using owned = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'd' })
    owned.row(0)[1] = 4
    t.is(owned.get(0, 1), 4)
    const data = new Float64Array(4)
    using view = IndirectMemory2D.viewFromRows({ data, shape: [2, 2], stride: [2, 1] })
    view.row(1)[0] = 5
    t.is(data[2], 5)
  } finally {
    binding.setExternalBuffersRefused(false)
    m.release()
  }
})

test.serial('an async native call through withPointer keeps a wrapped matrix (and its memory) alive until it settles', async (t) => {
  let frees = 0
  let settled = false
  // Start the call in a function of its own, so that no closure still alive captures the matrix.
  const start = (): Promise<number> => {
    const table = lib.make2d(50, 40)
    const m = IndirectMemory2D.fromPointer(table, 50, 40, 'd', {
      free: (a) => {
        frees++
        return lib.free2d(a, 50, 40)
      },
    })
    for (const row of m.rowViews()) (row as Float64Array).fill(2)
    return m.withPointer(
      (address) =>
        new Promise<number>((resolve, reject) =>
          lib.scale2d_slow.async(address, 50, 40, 3, 600 * SLOWDOWN, (err, res) => {
            settled = true
            if (err) reject(err)
            else resolve(res)
          }),
        ),
    )
  }
  const pending = start()
  // Collect while the call runs (however slow the machine): the memory must never be freed meanwhile.
  let rounds = 0
  while (!settled) {
    await collect(1)
    if (!settled) rounds++
    t.is(frees, 0, 'not freed while the native call runs')
  }
  t.true(rounds >= 2, `garbage collection ran ${rounds} times during the call`)
  const result = await pending
  t.is(result, 50 * 40 * 6)
  await collect()
  t.is(frees, 1, 'freed once the call settled and the matrix was collected')
})
