// Exports and locks: acquire() and its fields, `locked`, ERR_LOCKED on release / makeReadOnly / reinterpretData
// while exports are outstanding, `using`, writable exports of read-only matrices, reinterpretData's column
// arithmetic, an export keeping its matrix alive for native code, and a locked block protecting its parent.

import test from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { CollectionTracker, gcRounds, nextTask, testlib, throwsCode } from './helpers/native-views.js'

function filled(rows: number, cols: number, format = 'd'): IndirectMemory2D {
  const m = IndirectMemory2D.createMemory({ rows, cols, format })
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, r * cols + c + 1)
  return m
}

test('acquire() returns { pointer, rows, cols, format, itemsize, readonly, release, [Symbol.dispose] }', (t) => {
  const m = filled(2, 3, 'float64')
  const ex = m.acquire()
  t.is(typeof ex.pointer, 'bigint')
  t.is(ex.pointer, m.pointer)
  t.is(ex.rows, 2)
  t.is(ex.cols, 3)
  t.is(ex.format, 'float64')
  t.is(ex.itemsize, 8)
  t.false(ex.readonly)
  t.is(typeof ex.release, 'function')
  t.is(typeof ex[Symbol.dispose], 'function')
  t.is(testlib().sum2d(ex.pointer, ex.rows, ex.cols), 21)
  ex.release()

  const ro = IndirectMemory2D.viewFromRows(new Float32Array(5), { readonly: true })
  const rex = ro.acquire()
  t.true(rex.readonly, "the export's readonly is the matrix's")
  t.is(rex.format, 'f')
  t.is(rex.itemsize, 4)
  t.deepEqual([rex.rows, rex.cols], [1, 5])
  rex.release()

  const coll = new BufferCollection2D([new Int32Array(4), new Int32Array(4), new Int32Array(4)])
  const cex = coll.acquire({ writable: true })
  t.is(cex.pointer, coll.pointer)
  t.deepEqual([cex.rows, cex.cols, cex.format, cex.itemsize, cex.readonly], [3, 4, 'i', 4, false])
  cex.release()
})

test('locked while at least one export is outstanding; export release is idempotent', (t) => {
  const m = filled(2, 2)
  t.false(m.locked)
  const a = m.acquire()
  t.true(m.locked)
  const b = m.acquire({ writable: true })
  t.true(m.locked)
  a.release()
  t.true(m.locked, 'b is still outstanding')
  a.release()
  a[Symbol.dispose]()
  t.true(m.locked, 'releasing a twice must not end b')
  b[Symbol.dispose]()
  t.false(m.locked)
  // locks do not block reads or writes
  const c = m.acquire()
  m.set(0, 0, 9)
  t.is(m.get(0, 0), 9)
  c.release()
})

test('release() of a locked matrix → ERR_LOCKED "buffer is locked"; nothing is released', (t) => {
  const m = filled(2, 3)
  const ex = m.acquire()
  throwsCode(t, () => m.release(), 'ERR_LOCKED', Error, 'buffer is locked')
  m[Symbol.dispose]() // deferred while exported, not refused
  t.false(m.released)
  t.is(m.get(1, 2), 6)
  t.is(testlib().sum2d(ex.pointer, 2, 3), 21)
  ex.release()
  m.release()
  t.true(m.released)
  throwsCode(t, () => m.acquire(), 'ERR_RELEASED', Error)
  t.notThrows(() => ex.release(), 'releasing an export after its matrix is harmless')
})

test('`using ex = m.acquire()` unlocks at the end of the block; `using m` releases the matrix', (t) => {
  const m = filled(2, 2)
  {
    using ex = m.acquire()
    t.true(m.locked)
    t.is(ex.rows, 2)
    throwsCode(t, () => m.release(), 'ERR_LOCKED', Error, 'buffer is locked')
  }
  t.false(m.locked)
  let escaped: IndirectMemory2D | undefined
  {
    using owned = filled(1, 1)
    escaped = owned
    t.false(owned.released)
  }
  t.true(escaped.released)
  // an exception inside the block still unlocks
  t.throws(() => {
    using ex = m.acquire()
    t.true(m.locked && ex.rows === 2)
    throw new Error('boom')
  }, { message: 'boom' })
  t.false(m.locked)
})

test('acquire({ writable: true }) on a read-only matrix → ERR_READONLY "buffer is not writable", no lock taken', (t) => {
  const views = [
    IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd', readonly: true }),
    IndirectMemory2D.viewFromRows(new Float64Array(4), { readonly: true }),
    new BufferCollection2D([{ data: new Float64Array(2), shape: [2], readonly: true }]),
  ]
  for (const m of views) {
    throwsCode(t, () => m.acquire({ writable: true }), 'ERR_READONLY', TypeError, 'buffer is not writable')
    t.false(m.locked)
    const ex = m.acquire({ writable: false })
    t.true(ex.readonly)
    ex.release()
  }
  const w = filled(1, 1)
  const ex = w.acquire({ writable: true })
  t.false(ex.readonly)
  ex.release()
  for (const bad of [null, 'writable', 1, []]) {
    throwsCode(t, () => w.acquire(bad as never), 'ERR_INVALID_ARGUMENT', TypeError)
  }
  throwsCode(t, () => w.acquire({ writable: 'yes' as never }), 'ERR_INVALID_ARGUMENT', TypeError)
  t.false(w.locked)
})

test('makeReadOnly() while locked → ERR_LOCKED (still writable); on a read-only matrix a no-op even while locked', (t) => {
  const m = filled(2, 2)
  const ex = m.acquire()
  throwsCode(t, () => m.makeReadOnly(), 'ERR_LOCKED', Error, 'buffer is locked')
  t.false(m.readonly)
  m.set(0, 0, 5)
  t.is(m.get(0, 0), 5)
  ex.release()
  m.makeReadOnly()
  t.true(m.readonly)
  throwsCode(t, () => m.set(0, 0, 6), 'ERR_READONLY', TypeError)
  const ex2 = m.acquire()
  t.notThrows(() => m.makeReadOnly())
  t.true(m.readonly)
  t.true(m.locked)
  ex2.release()

  const view = IndirectMemory2D.viewFromRows(new Float64Array(3), { readonly: true })
  const vex = view.acquire()
  t.notThrows(() => view.makeReadOnly())
  vex.release()
})

test('reinterpretData while locked: the same format is a no-op, another → ERR_LOCKED and nothing changes', (t) => {
  const m = filled(2, 3)
  const ex = m.acquire()
  t.notThrows(() => m.reinterpretData('d'))
  t.is(m.format, 'd')
  t.deepEqual(m.shape, [2, 3])
  throwsCode(t, () => m.reinterpretData('i'), 'ERR_LOCKED', Error, 'buffer is locked')
  throwsCode(t, () => m.reinterpretData('B'), 'ERR_LOCKED', Error, 'buffer is locked')
  t.is(m.format, 'd')
  t.deepEqual(m.shape, [2, 3])
  t.is(m.get(1, 2), 6)
  ex.release()
  m.reinterpretData('i')
  t.is(m.format, 'i')
  t.deepEqual(m.shape, [2, 6])
})

test('reinterpretData: cols = floor(cols * old / new); values are the same bytes; pointer unchanged', (t) => {
  // 2×3 'd' → 'i' gives 2×6
  const d = filled(2, 3)
  const p = d.pointer
  d.reinterpretData('i')
  t.deepEqual(d.shape, [2, 6])
  t.is(d.itemsize, 4)
  const bits = new Int32Array(Float64Array.from([1, 2, 3, 4, 5, 6]).buffer)
  for (let r = 0; r < 2; r++) for (let c = 0; c < 6; c++) t.is(d.get(r, c), bits[r * 6 + c])
  t.is(d.pointer, p, 'the pointer is the same for the whole life of a matrix')
  t.is(testlib().sum2d_i32(d.pointer, 2, 6), bits.reduce((a, b) => a + b, 0))

  // 'B' → 'd' on 2×12 gives 2×1
  const b = IndirectMemory2D.createMemory({ rows: 2, cols: 12, format: 'B' })
  const one = new Uint8Array(Float64Array.from([1.5]).buffer)
  const two = new Uint8Array(Float64Array.from([-2.25]).buffer)
  for (let c = 0; c < 8; c++) {
    b.set(0, c, one[c])
    b.set(1, c, two[c])
  }
  b.reinterpretData('d')
  t.deepEqual(b.shape, [2, 1])
  t.is(b.get(0, 0), 1.5)
  t.is(b.get(1, 0), -2.25)

  // 2×3 'B' → 'i' gives 2×0
  const small = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'B' })
  small.reinterpretData('i')
  t.deepEqual(small.shape, [2, 0])
  t.is(small.nbytes, 0)
  throwsCode(t, () => small.get(0, 0), 'ERR_OUT_OF_BOUNDS', RangeError, 'index out of bounds on dimension 2')

  // a view: reinterpreted in place, the source sees writes in the new format
  const data = new Float64Array(4)
  const v = IndirectMemory2D.viewFromRows({ data, shape: [2, 2] })
  v.reinterpretData('f')
  t.deepEqual(v.shape, [2, 4])
  v.set(1, 3, 1)
  t.is(new Float32Array(data.buffer)[7], 1)

  // a bad format changes nothing
  throwsCode(t, () => v.reinterpretData('zz'), 'ERR_INVALID_FORMAT', TypeError)
  t.is(v.format, 'f')
  t.deepEqual(v.shape, [2, 4])
})

// Serial: a concurrent test may start unrelated async operations in a task where this matrix was pinned.
test.serial('an export keeps its matrix alive: native code reads through export.pointer after the matrix was dropped', async (t) => {
  const tracker = new CollectionTracker()
  let ex: ReturnType<IndirectMemory2D['acquire']> | undefined = (() => {
    const m = IndirectMemory2D.createMemory({ rows: 40, cols: 25, format: 'd' })
    testlib().fill2d(m.pointer, 40, 25, 1)
    tracker.watch(m, 'matrix')
    return m.acquire()
  })()
  const expected = 1000 + (999 * 1000) / 2
  await gcRounds(8, 5)
  t.false(tracker.collected('matrix'), 'the matrix must stay alive while its export is outstanding')
  t.is(testlib().sum2d(ex.pointer, ex.rows, ex.cols), expected)
  await gcRounds(4, 5)
  t.is(testlib().sum2d(ex.pointer, ex.rows, ex.cols), expected)
  t.false(tracker.collected('matrix'))
  ex.release()
  ex = undefined
  await nextTask(5)
  t.true(await tracker.waitCollected('matrix'), 'control: after release of the export the matrix is collectable')
})

test('releasing a parent while one of its blocks is locked → ERR_LOCKED, nothing released', (t) => {
  const m = filled(4, 4)
  const a = m.subMatrix(1, 3)
  const aa = a.subMatrix(0, 1, 1, 3)
  const b = m.subMatrix(0, 1)
  const ex = aa.acquire()
  throwsCode(t, () => m.release(), 'ERR_LOCKED', Error, 'buffer is locked')
  throwsCode(t, () => a.release(), 'ERR_LOCKED', Error, 'buffer is locked')
  for (const x of [m, a, aa, b]) t.false(x.released)
  t.false(m.locked, "the parent's own lock count is untouched")
  t.is(m.get(3, 3), 16)
  t.is(b.get(0, 0), 1)
  t.is(aa.get(0, 0), 6)
  t.is(testlib().sum2d(ex.pointer, 1, 2), 6 + 7)
  ex.release()
  m.release()
  for (const x of [m, a, aa, b]) t.true(x.released)
})
