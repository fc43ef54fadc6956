// The public API, the same on every runtime the package supports. Run it with (after `npm run build` and
// `npm run build:testlib`):
//
//   npx tsx conformance/run.mts                       # Node 20 (add --expose-gc: node --expose-gc --import tsx …)
//   node --expose-gc conformance/run.mts              # Node 22.18+ (native type stripping)
//   bun conformance/run.mts
//   deno run --allow-ffi --allow-read --v8-flags=--expose-gc conformance/run.mts
//
// The package is imported by file path through its ES module entry, and through `require` for the CommonJS
// entry; native calls go through the runtime's own FFI and through koffi where it loads.

import { createRequire } from 'node:module'
import process from 'node:process'
import { BufferCollection2D, IndirectMemory2D } from '../dist/index.mjs'
import { type CLib, loadLibraries } from './ffi.mts'
import { collectUntil, deepEqual, equal, forceGc, ok, run, runtime, skip, test, throwsCode, tick } from './harness.mts'

const require = createRequire(import.meta.url)

// ---- loading ----------------------------------------------------------------------------------------------

test('the ES module and CommonJS entries give the same classes', () => {
  const cjs = require('../dist/index.js') as typeof import('../dist/index.js')
  equal(cjs.IndirectMemory2D, IndirectMemory2D, 'IndirectMemory2D')
  equal(cjs.BufferCollection2D, BufferCollection2D, 'BufferCollection2D')
})

// ---- element access ---------------------------------------------------------------------------------------

test('createMemory: zero-filled; get/set with negative indices; typed values per format', () => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
  deepEqual(m.shape, [2, 3], 'shape')
  equal(m.get(1, 2), 0, 'zero-filled')
  m.set(-1, -1, 2.5)
  equal(m.get(1, 2), 2.5, 'negative indices')
  const q = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'q' })
  q.set(0, 0, -(2n ** 40n))
  q.set(0, 1, 7)
  deepEqual([q.get(0, 0), q.get(0, 1)], [-(2n ** 40n), 7n], 'int64 as bigint')
  const b = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: '?' })
  b.set(0, 0, 'yes')
  equal(b.get(0, 0), true, 'bool')
  const i = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'i' })
  i.set(0, 0, 2 ** 32 + 5)
  equal(i.get(0, 0), 5, 'int32 wraps like Int32Array')
})

test('bad indices and values get the contract error codes', () => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
  throwsCode(() => m.get(2, 0), 'ERR_OUT_OF_BOUNDS', 'row out of range')
  throwsCode(() => m.get(0, -3), 'ERR_OUT_OF_BOUNDS', 'column out of range')
  throwsCode(() => m.get(0.5, 0), 'ERR_INVALID_ARGUMENT', 'fractional index')
  throwsCode(() => m.set(0, 0, 1n as unknown as number), 'ERR_INVALID_ARGUMENT', 'bigint into float64')
  throwsCode(() => IndirectMemory2D.createMemory({ rows: -1, cols: 2, format: 'd' }), 'ERR_INVALID_SHAPE', 'negative rows')
  throwsCode(() => IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'zz' }), 'ERR_INVALID_FORMAT', 'bad format')
})

test('row views are zero-copy both ways', () => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'f' })
  const row = m.row(1)
  ok(row instanceof Float32Array, 'a Float32Array row')
  row[2] = 9
  equal(m.get(1, 2), 9, 'row write seen by get')
  m.set(1, 0, 4)
  equal(row[0], 4, 'set seen by the row')
})

// ---- views ------------------------------------------------------------------------------------------------

test('viewFromRows over an ndarray-like with a row stride writes into the source', () => {
  const data = new Float64Array(12)
  const view = IndirectMemory2D.viewFromRows({ data, shape: [3, 2], stride: [4, 1], offset: 1 })
  deepEqual(view.shape, [3, 2], 'shape')
  view.set(2, 1, 5)
  equal(data[2 * 4 + 1 + 1], 5, 'written into the source')
})

test('viewFromColumns is the transpose', () => {
  const data = new Int32Array([1, 2, 3, 4, 5, 6]) // column-major 2x3: columns contiguous
  const view = IndirectMemory2D.viewFromColumns({ data, shape: [2, 3], stride: [1, 2] })
  deepEqual(view.shape, [3, 2], 'shape')
  deepEqual(view.toArray(), [
    [1, 2],
    [3, 4],
    [5, 6],
  ])
})

test('a read-only view refuses writes; a detached source is detected', () => {
  const data = new Float64Array(4)
  const ro = IndirectMemory2D.viewFromRows({ data, shape: [2, 2], stride: [2, 1] }, { readonly: true })
  throwsCode(() => ro.set(0, 0, 1), 'ERR_READONLY', 'set on read-only')
  throwsCode(() => ro.row(0), 'ERR_READONLY', 'row of read-only')
  const buffer = new ArrayBuffer(32)
  const view = IndirectMemory2D.viewFromRows({ data: new Float64Array(buffer), shape: [2, 2], stride: [2, 1] })
  structuredClone(buffer, { transfer: [buffer] })
  throwsCode(() => view.get(0, 0), 'ERR_DETACHED', 'get after transfer')
  throwsCode(() => view.pointer, 'ERR_DETACHED', 'pointer after transfer')
})

// ---- collections, sub-matrices, copies --------------------------------------------------------------------

test('BufferCollection2D: one object per row, format detected, row checks', () => {
  const rows = [new Uint16Array([1, 2]), new Uint16Array([3, 4])]
  const c = new BufferCollection2D(rows)
  equal(c.format, 'H', 'format')
  c.set(1, 0, 30)
  equal(rows[1]![0], 30, 'written into the row object')
  throwsCode(() => new BufferCollection2D([new Uint16Array(2), new Uint16Array(3)]), 'ERR_COLUMN_COUNT', 'ragged rows')
  throwsCode(() => new BufferCollection2D([new Uint16Array(2), new Int32Array(2)]), 'ERR_ROW_FORMAT', 'mixed formats')
})

test('subMatrix: a zero-copy rectangle with its own row table', () => {
  const m = IndirectMemory2D.createMemory({ rows: 4, cols: 4, format: 'd' })
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) m.set(r, c, r * 4 + c)
  const block = m.subMatrix(1, 3, 2, 4)
  deepEqual(block.toArray(), [
    [6, 7],
    [10, 11],
  ])
  block.set(0, 0, -1)
  equal(m.get(1, 2), -1, 'writes reach the parent')
  ok(block.pointer !== m.pointer, 'its own row table')
})

test('copies: copyFrom/copyTo, convert, toTypedArray orders, error order', () => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'i' })
  m.copyFrom([
    [1, 2],
    [3, 4],
  ])
  deepEqual(Array.from(m.toTypedArray()), [1, 2, 3, 4], 'C order')
  deepEqual(Array.from(m.toTypedArray({ order: 'F' })), [1, 3, 2, 4], 'F order')
  const d = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
  throwsCode(() => d.copyFrom(m), 'ERR_FORMAT_MISMATCH', 'no implicit conversion')
  d.copyFrom(m, { convert: true })
  equal(d.get(1, 1), 4, 'converted')
  const target = [new Float64Array(2), new Float64Array(2)]
  d.copyTo(target)
  deepEqual(
    target.map((r) => Array.from(r)),
    [
      [1, 2],
      [3, 4],
    ],
  )
  throwsCode(() => d.copyFrom(IndirectMemory2D.createMemory({ rows: 3, cols: 2, format: 'd' })), 'ERR_SHAPE_MISMATCH', 'shapes')
})

test('release: pointer and memory refused afterwards, a second release is a no-op, exports lock', () => {
  const m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'd' })
  const exported = m.acquire()
  equal(m.locked, true, 'locked while exported')
  throwsCode(() => m.release(), 'ERR_LOCKED', 'release while exported')
  exported.release()
  m.release()
  m.release()
  equal(m.released, true, 'released')
  throwsCode(() => m.get(0, 0), 'ERR_RELEASED', 'get after release')
  throwsCode(() => m.pointer, 'ERR_RELEASED', 'pointer after release')
})

test('a matrix shows itself when inspected', async () => {
  const m = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'd' })
  m.set(0, 1, 3)
  const deno = (globalThis as { Deno?: { inspect(value: unknown): string } }).Deno
  const text = deno !== undefined ? deno.inspect(m) : (await import('node:util')).inspect(m)
  equal(text.split('\n')[0], "IndirectMemory2D 1x2 float64 'd'", 'header')
  ok(text.includes('[[0, 3]]'), `values in ${JSON.stringify(text)}`)
})

// ---- native calls -----------------------------------------------------------------------------------------

/** Whether this case's own table was freed (other cases' leftovers may be collected meanwhile). */
interface Freed {
  freed: boolean
}

function wrapNative(lib: CLib, holder: { row?: Float64Array } & Freed): void {
  const free = (a: bigint): void => {
    lib.free2d(a, 3, 3)
    holder.freed = true
  }
  const m = IndirectMemory2D.fromPointer(lib.make2d(3, 3), 3, 3, 'd', { free })
  m.set(2, 2, 8)
  holder.row = m.row(2) as Float64Array
}

function lastOf(holder: { row?: Float64Array }): number | undefined {
  return holder.row?.[2]
}

function nativeCases(lib: CLib): void {
  test(`${lib.via}: pointers of matrices, views, sub-matrices and collections reach the right memory`, () => {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
    lib.fill2d(m.pointer, 2, 3, 1)
    deepEqual(
      m.toArray(),
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      'native writes seen by JS',
    )
    equal(lib.sum2d(m.pointer, 2, 3), 21, 'sum2d')
    equal(lib.sum2d(m.subMatrix(0, 2, 1, 3).pointer, 2, 2), 2 + 3 + 5 + 6, 'sub-matrix')
    const rows = [new Float64Array([1, 2]), new Float64Array([3, 4])]
    equal(lib.sum2d(new BufferCollection2D(rows).pointer, 2, 2), 10, 'collection')
    const data = new Float64Array([1, 0, 2, 0, 3, 0])
    equal(lib.sum2d(IndirectMemory2D.viewFromRows({ data, shape: [3, 1], stride: [2, 1] }).pointer, 3, 1), 6, 'strided view')
  })

  test(`${lib.via}: fromPointer over a C-allocated table; the nanny frees it once, on release`, () => {
    const before = lib.live2d()
    let calls = 0
    const m = IndirectMemory2D.fromPointer(lib.make2d(2, 2), 2, 2, 'd', {
      free: (address: bigint) => {
        calls++
        lib.free2d(address, 2, 2)
      },
    })
    equal(lib.live2d(), before + 1, 'allocated')
    m.set(1, 1, 5)
    equal(lib.sum2d(m.pointer, 2, 2), 5, 'JS writes seen by C')
    m.release()
    m.release()
    equal(calls, 1, 'free called once')
    equal(lib.live2d(), before, 'freed')
  })

  test(`${lib.via}: the nanny runs after collection, not while a row view is alive`, async () => {
    // Allocation and reads happen in separate plain functions, so that no temporary of this async function
    // holds a reference: Bun's collector scans the stack conservatively.
    const holder: { row?: Float64Array } & Freed = { freed: false }
    wrapNative(lib, holder)
    for (let i = 0; i < 5; i++) {
      forceGc()
      await tick()
    }
    equal(holder.freed, false, 'kept alive by its row view')
    equal(lastOf(holder), 8, 'the row view still reads the native row')
    delete holder.row
    ok(await collectUntil(() => holder.freed), 'freed after the matrix and its views were collected')
  })

  const scaleAsync = lib.scaleAsync
  if (scaleAsync === undefined) {
    skip(`${lib.via}: an asynchronous call through withPointer`, `${lib.via} has no asynchronous calls`)
    return
  }
  test(`${lib.via}: an asynchronous call through withPointer holds the matrix until it settles`, async () => {
    const state: Freed = { freed: false }
    const { pending, releaseError } = startScale(lib, scaleAsync, state)
    equal(releaseError, 'ERR_LOCKED', 'release while the call runs')
    let settled = false
    let collectedEarly = false
    let rounds = 0
    const finished = pending.finally(() => {
      settled = true
    })
    while (!settled) {
      forceGc()
      await tick(10)
      if (settled) break
      rounds++
      if (state.freed) collectedEarly = true
    }
    equal(await finished, 30, 'the native call saw the whole matrix and scaled it')
    ok(rounds >= 1, 'at least one forced collection ran during the call')
    ok(!collectedEarly, 'not freed while the native call ran')
    ok(await collectUntil(() => state.freed), 'freed once it settled and was dropped')
  })
}

type Scale = NonNullable<CLib['scaleAsync']>
type WithPointer = (fn: (p: bigint) => Promise<number>, options?: { writable: boolean }) => Promise<number>

/** Starts a 300 ms native call on a C-allocated matrix that nothing but the hold references afterwards. */
function startScale(lib: CLib, scaleAsync: Scale, state: Freed): { pending: Promise<number>; releaseError: string | undefined } {
  const withPointer = (IndirectMemory2D.prototype as unknown as { withPointer?: WithPointer }).withPointer
  if (typeof withPointer !== 'function') throw new Error('withPointer is not in this build of the package yet')
  const free = (a: bigint): void => {
    lib.free2d(a, 2, 2)
    state.freed = true
  }
  const m = IndirectMemory2D.fromPointer(lib.make2d(2, 2), 2, 2, 'd', { free })
  m.set(0, 0, 1)
  m.set(1, 1, 2)
  const pending = withPointer.call(m, (p) => scaleAsync(p, 2, 2, 10, 300), { writable: true })
  let releaseError: string | undefined
  try {
    m.release()
  } catch (error) {
    releaseError = (error as { code?: string }).code
  }
  return { pending, releaseError }
}

const { own, koffi } = await loadLibraries()
if (typeof own === 'string') skip(`${runtime}'s own FFI`, own)
else nativeCases(own)
if (typeof koffi === 'string') skip('koffi', koffi)
else nativeCases(koffi)

await run()
process.exit()
