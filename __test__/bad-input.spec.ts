// Bad input at every entry point: null where a value is expected, detached typed-array arguments, values that
// TypedArray assignment refuses. Each gets the contract's coded error, and nothing is changed.

import test from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { throwsCode } from './helpers/native-views.js'

/** A typed array whose buffer was transferred away (detached). */
function detached<T extends ArrayBufferView>(make: (b: ArrayBuffer) => T): T {
  const buffer = new ArrayBuffer(64)
  const view = make(buffer)
  structuredClone(buffer, { transfer: [buffer] })
  return view
}

test('null where an enum, a count or a bound is expected is refused, not taken as absent', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
  throwsCode(t, () => m.toTypedArray({ order: null as never }), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(t, () => new BufferCollection2D([new Float64Array(2)], { columnCount: null as never }), 'ERR_INVALID_SHAPE', RangeError)
  throwsCode(
    t,
    () => IndirectMemory2D.fromRowPointers(new BigUint64Array([8n]), 1, 'd', { rows: null as never }),
    'ERR_INVALID_SHAPE',
    RangeError,
  )
  throwsCode(t, () => IndirectMemory2D.createMemory({ rows: null as never, cols: 2, format: 'd' }), 'ERR_INVALID_SHAPE', RangeError)
  throwsCode(
    t,
    () => IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'd', readonly: null as never }),
    'ERR_INVALID_ARGUMENT',
    TypeError,
  )
  throwsCode(t, () => IndirectMemory2D.fromPointer(8n, 1, 1, 'd', { free: null as never }), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(t, () => m.subMatrix(null as never), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(t, () => m.subMatrix(0, null as never), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(t, () => m.copyFrom(m, { cast: null as never }), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(t, () => m.acquire({ writable: null as never }), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(t, () => m.withPointer(() => 0, { writable: null as never }), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(t, () => m.reinterpretData(null as never), 'ERR_INVALID_FORMAT', TypeError)
  t.false(m.locked)
  // ndarray-likes: null strides or offset are values, refused; undefined is absent
  const data = new Float64Array(4)
  throwsCode(t, () => IndirectMemory2D.viewFromRows({ data, shape: [2, 2], strides: null as never }), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(t, () => IndirectMemory2D.viewFromRows({ data, shape: [2, 2], offset: null as never }), 'ERR_INVALID_ARGUMENT', TypeError)
  t.deepEqual(IndirectMemory2D.viewFromRows({ data, shape: [2, 2], strides: undefined, offset: undefined }).shape, [2, 2])
  // formats: null means "detect" where a format is optional
  t.is(new BufferCollection2D([new Int16Array(2)], { format: null }).format, 'h')
  t.is(IndirectMemory2D.viewFromRows(new Int16Array(2), { format: null }).format, 'h')
})

test('a detached typed-array argument gives ERR_DETACHED, never a bare TypeError', (t) => {
  throwsCode(
    t,
    () =>
      IndirectMemory2D.fromRowPointers(
        detached((b) => new BigUint64Array(b)),
        1,
        'd',
      ),
    'ERR_DETACHED',
    Error,
  )
  throwsCode(t, () => IndirectMemory2D.viewFromRows(detached((b) => new DataView(b))), 'ERR_DETACHED', Error)
  throwsCode(t, () => IndirectMemory2D.viewFromRows(detached((b) => new Float64Array(b))), 'ERR_DETACHED', Error)
  throwsCode(
    t,
    () => IndirectMemory2D.viewFromColumns({ data: detached((b) => new Float32Array(b)), shape: [2, 2] }),
    'ERR_DETACHED',
    Error,
  )
  throwsCode(t, () => new BufferCollection2D([new Float64Array(2), detached((b) => new Float64Array(b, 0, 2))]), 'ERR_DETACHED', Error)
  throwsCode(t, () => new BufferCollection2D([detached((b) => new DataView(b))]), 'ERR_DETACHED', Error)
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
  m.set(0, 0, 5)
  throwsCode(t, () => m.copyFrom({ data: detached((b) => new Float64Array(b)), shape: [2, 2] }), 'ERR_DETACHED', Error)
  throwsCode(t, () => m.copyFrom([new Float64Array(2), detached((b) => new Float64Array(b))]), 'ERR_DETACHED', Error)
  throwsCode(t, () => m.copyTo([new Float64Array(2), detached((b) => new Float64Array(b))]), 'ERR_DETACHED', Error)
  t.is(m.get(0, 0), 5, 'unchanged')
})

test('values TypedArray assignment refuses are refused by set and by copies of plain values, nothing written', (t) => {
  const d = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'd' })
  d.set(0, 0, 1.5)
  throwsCode(t, () => d.set(0, 1, 2n as never), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(
    t,
    () => d.copyFrom([[1, 2, 3n]]),
    'ERR_INVALID_ARGUMENT',
    TypeError,
    'row 0, column 2: a float64 element takes a number, received 3n',
  )
  throwsCode(t, () => d.copyFrom([[1, '2', 3]] as never), 'ERR_INVALID_ARGUMENT', TypeError)
  t.deepEqual(d.toArray(), [[1.5, 0, 0]])
  const q = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'q' })
  throwsCode(t, () => q.set(0, 0, 0.5 as never), 'ERR_INVALID_ARGUMENT', TypeError)
  throwsCode(t, () => q.set(0, 0, (2 ** 60) as never), 'ERR_INVALID_ARGUMENT', TypeError)
  t.deepEqual(q.toArray(), [[0n, 0n]])
})

test('more rows than a matrix can hold (a JS array of 2^32 - 1), data or no data: ERR_INVALID_SHAPE, no crash', (t) => {
  const rows = 2 ** 33
  const tooMany = [
    () => IndirectMemory2D.createMemory({ rows, cols: 0, format: 'd' }),
    () => IndirectMemory2D.fromPointer(8n, rows, 0, 'd'),
    () => IndirectMemory2D.fromPointer(8n, 2 ** 53 - 1, 1, 'B'),
    () => IndirectMemory2D.fromStringArray(8n, { count: rows }),
    // No column, or every row the same: no data beyond one element to bound the rows first.
    () => IndirectMemory2D.viewFromRows({ data: new Float64Array(0), shape: [rows, 0] }),
    () => IndirectMemory2D.viewFromRows({ data: new Float64Array(1), shape: [rows, 1], stride: [0, 1] }),
    () => IndirectMemory2D.viewFromColumns({ data: new Float64Array(1), shape: [1, rows], stride: [1, 0] }),
  ]
  for (const make of tooMany) {
    const e = t.throws(make, { code: 'ERR_INVALID_SHAPE', message: /(8589934592|9007199254740991) rows, more than the 4294967295/ })
    t.true(e instanceof RangeError)
  }
})
