// How a matrix shows itself (util.inspect / console.log) and refuses structured cloning.
//
// The rendering itself (lib/inspect.ts) is tested directly, including a ragged table faked through the
// public-API shape it reads; the wiring (`util.inspect(m)`, `structuredClone(m)`) on the real classes.

import { inspect } from 'node:util'
import { MessageChannel } from 'node:worker_threads'
import test from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { type InspectableMatrix, inspectMatrix, markUncloneable } from '../lib/inspect'

function filled(rows: number, cols: number, format = 'd'): IndirectMemory2D {
  const m = IndirectMemory2D.createMemory({ rows, cols, format })
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, r * cols + c)
  return m
}

test('a small matrix shows its kind, shape, format and every value', (t) => {
  const m = filled(2, 3)
  t.is(inspect(m), "IndirectMemory2D 2x3 float64 'd'\n[[0, 1, 2],\n [3, 4, 5]]")
  t.is(inspectMatrix(m, 2), inspect(m), 'util.inspect goes through inspectMatrix')
})

test('values are right-aligned per column and typed: bigints with n, booleans by name', (t) => {
  const q = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'q' })
  q.set(0, 0, -12n)
  q.set(1, 1, 3n)
  t.is(inspect(q), "IndirectMemory2D 2x2 int64 'q'\n[[-12n, 0n],\n [  0n, 3n]]")
  const b = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: '?' })
  b.set(0, 1, 1)
  t.is(inspect(b), "IndirectMemory2D 1x2 bool '?'\n[[false, true]]")
})

test('a big matrix is cut to its first and last three rows and columns', (t) => {
  const m = filled(100, 50)
  const lines = inspect(m).split('\n')
  t.is(lines[0], "IndirectMemory2D 100x50 float64 'd'")
  t.is(lines[1], '[[   0,    1,    2, ...,   47,   48,   49],')
  t.is(lines[4], ' ...,')
  t.is(lines.at(-1), ' [4950, 4951, 4952, ..., 4997, 4998, 4999]]')
  t.is(lines.length, 8, 'header, 3 rows, the elision, 3 rows')
  t.false(inspect(m).includes('2500'), 'the middle is not rendered')
})

test('flags: readonly, locked, released; a released matrix shows no values', (t) => {
  const m = filled(1, 2)
  m.makeReadOnly()
  t.is(inspect(m).split('\n')[0], "IndirectMemory2D 1x2 float64 'd' [readonly]")
  const exported = m.acquire()
  t.is(inspect(m).split('\n')[0], "IndirectMemory2D 1x2 float64 'd' [readonly, locked]")
  exported.release()
  m.release()
  t.is(inspect(m), "IndirectMemory2D 1x2 float64 'd' [readonly, released]")
})

test('a collection shows its own class name; an empty matrix shows []', (t) => {
  const c = new BufferCollection2D([new Int32Array([1, 2]), new Int32Array([3, 4])])
  t.is(inspect(c), "BufferCollection2D 2x2 int32 'i'\n[[1, 2],\n [3, 4]]")
  t.is(inspect(IndirectMemory2D.createMemory({ rows: 0, cols: 4, format: 'f' })), "IndirectMemory2D 0x4 float32 'f' []")
})

test('past the depth limit only the header is shown, in brackets', (t) => {
  const m = filled(2, 2)
  t.is(inspectMatrix(m, -1), "[IndirectMemory2D 2x2 float64 'd']")
  t.is(inspect({ a: m }, { depth: 0 }), "{ a: [IndirectMemory2D 2x2 float64 'd'] }")
})

test('records cannot be read element-wise: the preview says why instead of throwing', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'id' })
  t.is(inspect(m), "IndirectMemory2D 2x2 record 'id' <values unavailable: ERR_FORMAT_UNSUPPORTED>")
})

test('colors: numbers and flags go through options.stylize', (t) => {
  const m = filled(1, 1)
  m.makeReadOnly()
  const colored = inspect(m, { colors: true })
  t.true(colored.includes('\u001b[33m0\u001b[39m'), 'the value is yellow like other numbers')
  t.not(colored, inspect(m))
})

test('a ragged table (as the contract describes it) shows each row at its own length', (t) => {
  const rows = [[1, 2, 3], [4], []]
  const fake: InspectableMatrix = {
    rows: 3,
    cols: 3,
    format: 'B',
    dtype: 'uint8',
    readonly: false,
    released: false,
    locked: false,
    ragged: true,
    rowLength: (i) => rows[i]?.length ?? 0,
    get: (r, c) => rows[r]?.[c],
  }
  t.is(inspectMatrix(fake, 2), "Object 3x3 (longest row) uint8 'B' [ragged]\n[[1, 2, 3],\n [4],\n []]")
})

test('structuredClone and postMessage of a matrix throw where the runtime can mark it uncloneable', (t) => {
  const m = filled(1, 1)
  const workerThreads = require('node:worker_threads') as { markAsUncloneable?: unknown }
  if (typeof workerThreads.markAsUncloneable !== 'function') {
    t.notThrows(() => markUncloneable({}), 'a no-op where the runtime has no markAsUncloneable')
    t.log(`Node ${process.version} has no worker_threads.markAsUncloneable: cloning is not refused here`)
    return
  }
  t.throws(() => structuredClone(m), { name: 'DataCloneError' })
  const { port1, port2 } = new MessageChannel()
  try {
    t.throws(() => port1.postMessage(m), { name: 'DataCloneError' })
  } finally {
    port1.close()
    port2.close()
  }
  t.deepEqual(structuredClone({ n: 1 }), { n: 1 }, 'other objects still clone')
})
