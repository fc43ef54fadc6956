// Lifetime: row views keep storage alive after their matrix is collected, matrices themselves are
// collectable, exports keep matrices alive, release() and `using`, and storage detached behind a matrix's back.
// Runs with --expose-gc (see the ava config in package.json).

import test from 'ava'
import { IndirectMemory2D } from 'indirect-buffer'
import { throwsCode } from './helpers/native-views.js'

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
