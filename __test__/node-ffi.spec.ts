// node:ffi (Node 26+, on by default there) calling the C test library with the package's pointers:
// `pointer` of every kind of matrix as a 'pointer' argument, native writes seen through `get` and `row`,
// `fromPointer` over a table a node:ffi call returned with a nanny that frees through node:ffi, and the
// permission model's flags. Where node:ffi is absent every test is skipped, and its title says why.

import { execFileSync, spawnSync } from 'node:child_process'
import path from 'node:path'
import test from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { libraryPath } from './helpers/native'

/** The part of node:ffi used here (Node 26 docs: `dlopen(path, { name: { arguments, return } })`). */
interface NodeFfi {
  dlopen(
    path: string,
    definitions: Record<string, { arguments: string[]; return: string }>,
  ): { lib: { close(): void }; functions: Record<string, (...args: unknown[]) => unknown> }
}

function loadFfi(): NodeFfi | string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node:ffi') as NodeFfi
  } catch (error) {
    return `node:ffi is absent in Node ${process.version} (${(error as { code?: string }).code ?? 'not loadable'})`
  }
}

const ffi = loadFfi()
const skipped = typeof ffi === 'string'
const ffiTest = skipped ? (title: string, _fn: unknown) => test.skip(`${title} — skipped: ${ffi}`, () => {}) : test

interface Lib {
  sum2d(table: bigint, rows: number, cols: number): number
  fill2d(table: bigint, rows: number, cols: number, value: number): void
  sum2d_i32(table: bigint, rows: number, cols: number): number
  row_at(table: bigint, r: number): bigint
  make2d(rows: number, cols: number): bigint
  free2d(table: bigint, rows: number, cols: number): void
  live2d(): bigint
}

const SIGNATURES = {
  sum2d: { arguments: ['pointer', 'u64', 'u64'], return: 'f64' },
  fill2d: { arguments: ['pointer', 'u64', 'u64', 'f64'], return: 'void' },
  sum2d_i32: { arguments: ['pointer', 'u64', 'u64'], return: 'f64' },
  row_at: { arguments: ['pointer', 'u64'], return: 'pointer' },
  make2d: { arguments: ['u64', 'u64'], return: 'pointer' },
  free2d: { arguments: ['pointer', 'u64', 'u64'], return: 'void' },
  live2d: { arguments: [], return: 'u64' },
}

const c: Lib = skipped ? ({} as Lib) : (ffi.dlopen(libraryPath, SIGNATURES).functions as unknown as Lib)
const gc = global.gc as () => void

ffiTest('pointer of an owned matrix is a node:ffi pointer argument', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 3, cols: 4, format: 'd' })
  for (let r = 0; r < 3; r++) for (let k = 0; k < 4; k++) m.set(r, k, r * 10 + k)
  t.is(c.sum2d(m.pointer, 3, 4), 4 * (0 + 10 + 20) + 3 * (0 + 1 + 2 + 3))
  const ints = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'int32' })
  ints.set(1, 1, -7)
  t.is(c.sum2d_i32(ints.pointer, 2, 2), -7)
})

ffiTest('native writes through node:ffi are seen by get, row and toArray', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
  c.fill2d(m.pointer, 2, 3, 0.5)
  t.is(m.get(1, 2), 5.5)
  t.deepEqual(Array.from(m.row(0)), [0.5, 1.5, 2.5])
  t.deepEqual(m.toArray(), [
    [0.5, 1.5, 2.5],
    [3.5, 4.5, 5.5],
  ])
})

ffiTest("views', sub-matrices' and collections' pointers reach the right memory", (t) => {
  const data = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9])
  const view = IndirectMemory2D.viewFromRows({ data, shape: [3, 3], stride: [3, 1] })
  t.is(c.sum2d(view.pointer, 3, 3), 45)
  const block = view.subMatrix(1, 3, 1, 3)
  t.is(c.sum2d(block.pointer, 2, 2), 5 + 6 + 8 + 9)
  c.fill2d(block.pointer, 2, 2, 100)
  t.deepEqual(Array.from(data), [1, 2, 3, 4, 100, 101, 7, 102, 103], 'the block writes into the source rows')
  const rows = [new Float64Array([1, 1]), new Float64Array([2, 2])]
  const collection = new BufferCollection2D(rows)
  t.is(c.sum2d(collection.pointer, 2, 2), 6)
  c.fill2d(collection.pointer, 2, 2, 0)
  t.deepEqual(
    rows.map((r) => Array.from(r)),
    [
      [0, 1],
      [2, 3],
    ],
  )
  t.is(c.row_at(collection.pointer, 1), collection.rowPointer(1), 'the row table C reads is rowPointers()')
})

ffiTest('fromPointer over a table node:ffi returned; the nanny frees it through node:ffi on release', (t) => {
  const before = Number(c.live2d())
  const table = c.make2d(2, 3)
  t.is(typeof table, 'bigint')
  let freed = 0
  const m = IndirectMemory2D.fromPointer(table, 2, 3, 'd', {
    free: (address) => {
      freed++
      c.free2d(address, 2, 3)
    },
  })
  t.is(m.pointer, table, 'used in place')
  m.set(1, 2, 4.25)
  t.is(c.sum2d(table, 2, 3), 4.25)
  c.fill2d(table, 2, 3, 1)
  t.is(m.get(0, 1), 2)
  t.is(Number(c.live2d()), before + 1)
  m.release()
  t.is(freed, 1)
  t.is(Number(c.live2d()), before, 'free2d ran')
  m.release()
  t.is(freed, 1, 'exactly once')
})

ffiTest('fromPointer: the nanny runs after the matrix is garbage-collected', async (t) => {
  const before = Number(c.live2d())
  ;(() => {
    const m = IndirectMemory2D.fromPointer(c.make2d(4, 4), 4, 4, 'd', { free: (address) => c.free2d(address, 4, 4) })
    m.set(0, 0, 1)
  })()
  t.is(Number(c.live2d()), before + 1)
  const deadline = Date.now() + 30_000
  while (Number(c.live2d()) > before && Date.now() < deadline) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  t.is(Number(c.live2d()), before, 'freed by the nanny after collection')
})

// The permission model, once: a child Node with read access to the repository and each flag in turn.
const repoRoot = path.join(__dirname, '..')
const CHILD = `
const ffi = require('node:ffi')
const { IndirectMemory2D } = require(${JSON.stringify(path.join(repoRoot, 'dist', 'index.js'))})
const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
m.set(1, 1, 8)
const { functions } = ffi.dlopen(${JSON.stringify(libraryPath)}, { sum2d: { arguments: ['pointer', 'u64', 'u64'], return: 'f64' } })
console.log('sum=' + functions.sum2d(m.pointer, 2, 2))
`

function child(flags: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--permission', `--allow-fs-read=${repoRoot}`, ...flags, '-e', CHILD], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

ffiTest('--permission: --allow-addons and --allow-ffi are what the package and node:ffi need', (t) => {
  t.is(
    execFileSync(process.execPath, ['--permission', `--allow-fs-read=${repoRoot}`, '--allow-addons', '--allow-ffi', '-e', CHILD], {
      encoding: 'utf8',
    }).trim(),
    'sum=8',
  )
  const noAddons = child(['--allow-ffi'])
  t.not(noAddons.status, 0)
  t.regex(noAddons.out, /ERR_ACCESS_DENIED/)
  t.regex(noAddons.out, /--allow-addons/, 'the missing flag is named')
  const noFfi = child(['--allow-addons'])
  t.not(noFfi.status, 0)
  t.regex(noFfi.out, /ERR_ACCESS_DENIED/, 'node:ffi refuses without --allow-ffi')
})
