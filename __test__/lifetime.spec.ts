// Lifetime: row views keep storage alive after their matrix is collected, matrices themselves are
// collectable, exports keep matrices alive, release() and `using`, and storage detached behind a matrix's back.
// Runs with --expose-gc (see the ava config in package.json).

import test from 'ava'
import { IndirectMemory2D } from 'indirect-buffer'
import { CollectionTracker, nextTask, testlib, throwsCode } from './helpers/native-views.js'

function gc(): void {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc')
  global.gc()
}

/** Several full collections, letting finalizers and weak-ref clearing run in between. */
async function collect(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Allocates, fills and drops many matrices, giving the allocator the chance to reuse freed memory. */
async function churn(rows: number, cols: number, value: number): Promise<void> {
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 40; i++) {
      const m = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
      for (const v of m.rowViews()) v.fill(value)
      if (i % 2 === 0) m.release()
    }
    await collect(1)
  }
}

const value = (r: number, c: number): number => r * 1000 + c + 0.25

/** Creates and fills a matrix in its own frame; returns only a row view and weak handles to the matrix. */
function makeAndDrop(
  rows: number,
  cols: number,
  registry?: FinalizationRegistry<string>,
): { view: Float64Array; bytes: Uint8Array; ref: WeakRef<object> } {
  const m = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, value(r, c))
  registry?.register(m, 'matrix')
  return { view: m.row(rows - 1), bytes: m.rowBytes(0), ref: new WeakRef(m) }
}

test('a row view keeps the storage alive after the matrix is dropped and collected', async (t) => {
  const rows = 16
  const cols = 64
  const { view, bytes } = makeAndDrop(rows, cols)
  await collect()
  await churn(rows, cols, -1)
  await collect()
  t.is(view.length, cols)
  t.is(view.byteLength, cols * 8)
  for (let c = 0; c < cols; c++) t.is(view[c], value(rows - 1, c), `column ${c}`)
  const row0 = new Float64Array(bytes.buffer, bytes.byteOffset, cols)
  for (let c = 0; c < cols; c++) t.is(row0[c], value(0, c))
  // and it is still writable memory of its own
  view[0] = 5
  t.is(view[0], 5)
})

test('the matrix object itself is collected while its row view survives', async (t) => {
  let finalized = 0
  const registry = new FinalizationRegistry<string>(() => {
    finalized++
  })
  const { view, ref } = makeAndDrop(4, 8, registry)
  for (let i = 0; i < 20 && ref.deref() !== undefined; i++) await collect(2)
  t.is(ref.deref(), undefined, 'the matrix was garbage-collected')
  await collect(2)
  t.is(finalized, 1, 'the FinalizationRegistry saw the matrix go')
  for (let c = 0; c < 8; c++) t.is(view[c], value(3, c))
})

test('an export keeps its matrix alive until it is released', async (t) => {
  const { exp, ref } = ((): { exp: ReturnType<IndirectMemory2D['acquire']>; ref: WeakRef<IndirectMemory2D<'d'>> } => {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
    m.set(1, 1, 3.5)
    return { exp: m.acquire(), ref: new WeakRef(m) }
  })()
  await collect(8)
  t.not(ref.deref(), undefined, 'the outstanding export holds the matrix')
  t.true(ref.deref()?.locked)
  t.is(ref.deref()?.get(1, 1), 3.5)
  t.is(ref.deref()?.pointer, exp.pointer)
  exp.release()
  t.false(ref.deref()?.locked)
  for (let i = 0; i < 20 && ref.deref() !== undefined; i++) await collect(2)
  t.is(ref.deref(), undefined, 'collectable once the export is released (the export object is still reachable)')
  t.is(exp.rows, 2)
})

/**
 * The internal record a hold keeps alive (it owns the memory; the public object may go before it). Reached
 * through its symbol-keyed property so that the tests watch what is held, not the wrapper.
 */
function internalState(m: object): object {
  const key = Object.getOwnPropertySymbols(m).find((k) => k.description === 'indirect-buffer state')
  if (key === undefined) throw new Error('no state symbol on the matrix')
  return (m as Record<symbol, object>)[key]
}

/** A filled 3×3 matrix that nothing but the caller's expression refers to: `r * 3 + c + seed` at (r, c). */
function temporary(seed: number): IndirectMemory2D<'d'> {
  const m = IndirectMemory2D.createMemory({ rows: 3, cols: 3, format: 'd' })
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) m.set(r, c, r * 3 + c + seed)
  return m
}

test('a matrix whose address is all JS keeps stays alive through the synchronous native call', (t) => {
  const lib = testlib()
  let junk: Float64Array[] = []
  // Runs inside the native call, before C reads the table: full collections, and fresh buffers of the same
  // size that would take over the rows' memory if the matrix had been collected (valgrind sees any such read).
  const collectInside = (): void => {
    for (let k = 0; k < 3; k++) {
      gc()
      junk = Array.from({ length: 64 }, () => new Float64Array(9).fill(-1e9))
    }
  }
  for (let seed = 0; seed < 16; seed++) {
    t.is(lib.sum2d_after(temporary(seed).pointer, 3, 3, collectInside), 36 + 9 * seed, `seed ${seed}`)
  }
  t.is(junk.length, 64)
})

test('the hold of an address read ends soon after its task: the matrix is collected afterwards', async (t) => {
  const tracker = new CollectionTracker()
  // In a synchronous helper: a suspended async function would keep its last matrix in its frame.
  const readAddresses = (): bigint[] =>
    [0, 1, 2, 3].flatMap((i) => {
      const m = temporary(i)
      tracker.watch(internalState(m), `m${i}`)
      return [m.pointer, m.rowPointer(1)]
    })
  t.is(readAddresses().length, 8)
  for (let i = 0; i < 4; i++) t.true(await tracker.waitCollected(`m${i}`), `m${i} was collected`)
})

// Serial: another test's collections must not run in between (they would collect what the flush at the end of
// the task released, with or without the limit).
test.serial('a loop that never yields a macrotask does not hold every matrix it read', async (t) => {
  const tracker = new CollectionTracker()
  // 3000 reads, one per microtask: past 1024 held matrices a microtask empties the list, so the collection at
  // the end of the loop (still in the same macrotask, long before the flush timer) finds the early ones
  // unreachable.
  const readAddress = (i: number): void => {
    const m = temporary(i)
    if (i < 100) tracker.watch(internalState(m), `m${i}`)
    void m.pointer
  }
  for (let i = 0; i < 3000; i++) {
    await null
    readAddress(i)
  }
  gc()
  // No more collections from here: only their finalization callbacks, which run between tasks.
  for (let i = 0; i < 50 && !tracker.collected('m99'); i++) await nextTask(10)
  const early = Array.from({ length: 100 }, (_, i) => `m${i}`).filter((name) => tracker.collected(name))
  t.is(early.length, 100, 'the first 100 were collected by the gc inside the task')
})

test.serial('matrices over 64 MB in all, read for their addresses, are let go as soon as the synchronous code returns', async (t) => {
  const tracker = new CollectionTracker()
  const readLarge = (): void => {
    for (let i = 0; i < 3; i++) {
      const m = IndirectMemory2D.createMemory({ rows: 1024, cols: 3072, format: 'd' }) // 24 MiB
      tracker.watch(internalState(m), `large${i}`)
      void m.pointer
    }
  }
  readLarge()
  await null // the flush queued by the third read runs first
  gc()
  // No more collections from here (the flush timer has not fired: what is collected, the gc above collected).
  for (let i = 0; i < 50 && !tracker.collected('large2'); i++) await nextTask(10)
  t.deepEqual(
    ['large0', 'large1', 'large2'].filter((name) => tracker.collected(name)),
    ['large0', 'large1', 'large2'],
  )
})

/** The operations that touch a matrix's memory, by name (each must refuse a released or detached matrix). */
function memoryOperations(m: IndirectMemory2D<string>): [string, () => unknown][] {
  return [
    ['pointer', () => m.pointer],
    ['get', () => m.get(0, 0)],
    ['set', () => m.set(0, 0, 1)],
    ['row', () => m.row(0)],
    ['rowViews', () => m.rowViews()],
    ['rowBytes', () => m.rowBytes(0)],
    ['rowPointer', () => m.rowPointer(0)],
    ['rowPointers', () => m.rowPointers()],
    ['toArray', () => m.toArray()],
    ['toTypedArray', () => m.toTypedArray()],
    ['acquire', () => m.acquire()],
  ]
}

test('release(): every memory operation then throws ERR_RELEASED; getters still answer; release is idempotent', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 3, cols: 4, format: 'i' })
  m.set(1, 1, 5)
  m.release()
  t.true(m.released)
  const ops: [string, () => unknown][] = [
    ...memoryOperations(m),
    ['toTypedArray F', () => m.toTypedArray({ order: 'F' })],
    ['acquire writable', () => m.acquire({ writable: true })],
    ['reinterpretData', () => m.reinterpretData('B')],
    ['makeReadOnly', () => m.makeReadOnly()],
    ['subMatrix', () => m.subMatrix(0)],
  ]
  for (const [name, op] of ops) {
    const e = t.throws(op, { code: 'ERR_RELEASED' }, name)
    if (e !== undefined) t.is(Object.getPrototypeOf(e), Error.prototype, `${name}: ERR_RELEASED is an Error`)
  }
  t.is(m.rows, 3)
  t.is(m.cols, 4)
  t.deepEqual(m.shape, [3, 4])
  t.is(m.format, 'i')
  t.is(m.dtype, 'int32')
  t.is(m.itemsize, 4)
  t.is(m.nbytes, 48)
  t.is(m.readonly, false)
  t.is(m.released, true)
  t.is(m.locked, false)
  t.notThrows(() => m.release())
  t.notThrows(() => m[Symbol.dispose]())
  t.true(m.released)
})

test('release() on a read-only matrix and on a zero-size matrix', (t) => {
  for (const opts of [
    { rows: 2, cols: 2, format: 'd', readonly: true },
    { rows: 0, cols: 0, format: 'd' },
    { rows: 3, cols: 0, format: 'q' },
  ]) {
    const m = IndirectMemory2D.createMemory(opts)
    m.release()
    t.true(m.released)
    throwsCode(t, () => m.pointer, 'ERR_RELEASED', Error)
    throwsCode(t, () => m.get(0, 0), 'ERR_RELEASED', Error)
  }
})

test('row views handed out before release() never crash', async (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
  m.set(0, 2, 7)
  const view = m.row(0)
  m.release()
  await collect(2)
  // Owned storage is JS memory: the view either still holds it or is detached (length 0), never dangling.
  t.true(view.length === 0 || view[2] === 7)
  if (view.length > 0) view[0] = 1
})

test('using disposes the matrix at the end of the block', (t) => {
  let outer: IndirectMemory2D<'d'> | undefined
  {
    using m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
    outer = m
    m.set(0, 0, 1)
    t.false(m.released)
  }
  t.true(outer.released)
  throwsCode(t, () => outer?.get(0, 0), 'ERR_RELEASED', Error)

  let onThrow: IndirectMemory2D<'i'> | undefined
  t.throws(
    () => {
      using m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'i' })
      onThrow = m
      throw new Error('inside')
    },
    { message: 'inside' },
  )
  t.true(onThrow?.released, 'disposed on the exception path')
})

test('using a matrix whose export is still outstanding: the release waits for the export, then happens', (t) => {
  let exp: ReturnType<IndirectMemory2D['acquire']> | undefined
  let m2: IndirectMemory2D<'d'> | undefined
  {
    using m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'd' })
    m2 = m
    exp = m.acquire()
  }
  t.false(m2?.released, 'not released at the end of the block while exported')
  t.is(m2?.get(0, 0), 0, 'still usable while the export is outstanding')
  exp?.release()
  t.true(m2?.released, 'released when the last export ends')
})

/** Transfers the ArrayBuffer behind the matrix away (detaching it) and returns the new owner of the bytes. */
function detach<F extends string>(m: IndirectMemory2D<F>): ArrayBuffer {
  const buffer = m.rowBytes(0).buffer as ArrayBuffer
  return structuredClone(buffer, { transfer: [buffer] })
}

test('storage detached behind the matrix: memory operations throw ERR_DETACHED, never crash', async (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 3, cols: 4, format: 'd' })
  m.set(2, 3, 1.5)
  const view = m.row(1)
  let moved: ArrayBuffer | undefined = detach(m)
  t.is(view.length, 0, 'old views are detached too')
  t.true(new Float64Array(moved).includes(1.5), 'the bytes moved to the new owner')
  // Drop the new owner so that the bytes are really freed.
  moved = undefined
  await collect(3)
  const ops: [string, () => unknown][] = [...memoryOperations(m), ['subMatrix', () => m.subMatrix(0, 1)]]
  for (let round = 0; round < 2; round++) {
    for (const [name, op] of ops) {
      const e = t.throws(op, { code: 'ERR_DETACHED' }, name)
      if (e !== undefined) t.is(Object.getPrototypeOf(e), Error.prototype, `${name}: ERR_DETACHED is an Error`)
    }
  }
  t.deepEqual(m.shape, [3, 4])
  t.is(m.format, 'd')
  t.false(m.locked)
  t.false(m.released)
  // It can still be given back.
  t.notThrows(() => m.release())
  t.true(m.released)
  throwsCode(t, () => m.get(0, 0), 'ERR_RELEASED', Error)
})

test('storage detached while a read-only matrix looks at it: ERR_DETACHED', (t) => {
  const w = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'i' })
  w.set(0, 0, 1)
  const buffer = w.row(0).buffer as ArrayBuffer
  w.makeReadOnly()
  structuredClone(buffer, { transfer: [buffer] })
  throwsCode(t, () => w.get(0, 0), 'ERR_DETACHED', Error)
  throwsCode(t, () => w.pointer, 'ERR_DETACHED', Error)
  throwsCode(t, () => w.toArray(), 'ERR_DETACHED', Error)
})
