// Zero-copy views against koffi's own marshalling of the same rows (issue: views over JS memory).
//
// Every native call here is `row_at(table, 0)` from the test library: it reads one row pointer, so the
// time is the call plus whatever it takes to produce the T** — exactly what is compared.

import koffi from 'koffi'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { testLibraryPath } from '../examples/testlib'
import { type BenchCase, defineCase } from './harness'

type RowAt = (table: bigint | BigUint64Array | Float64Array[], r: number) => bigint

function rowAt(): RowAt {
  // `double **`: koffi takes a bigint as the address itself, a BigUint64Array as a pointer to its data
  // (a prebuilt table: koffi's fastest path), and an Array of Float64Array by building a double*[] per call.
  return koffi.load(testLibraryPath).func('const double *row_at(const double **table, size_t r)') as RowAt
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`benchmark self-check failed: ${message}`)
}

function rowsOf(data: Float64Array, rows: number, cols: number): Float64Array[] {
  return Array.from({ length: rows }, (_, r) => data.subarray(r * cols, (r + 1) * cols))
}

const N = 1000
const COLS = 16

export function viewCases(): BenchCase<unknown>[] {
  const call = rowAt()
  const setupRows = () => {
    const data = new Float64Array(N * COLS).map((_, i) => i)
    const rows = rowsOf(data, N, COLS)
    const separate = Array.from({ length: N }, (_, r) => Float64Array.from(rows[r]))
    return { data, rows, separate }
  }
  return [
    defineCase({
      name: `new BufferCollection2D(${N} Float64Array rows)`,
      baselineName: `koffi row_at(Array of ${N} Float64Array)`,
      target: { max: 3 },
      note: 'creation of the collection (format and column checks of every row, the native row table) vs one koffi call that marshals the same rows.',
      setup() {
        const s = setupRows()
        const c = new BufferCollection2D(s.separate)
        check(call(c.pointer, N - 1) === call(s.separate, N - 1), 'same last row address')
        c.release()
        return s
      },
      run: (s) => new BufferCollection2D(s.separate),
      baseline: (s) => call(s.separate, 0),
    }),
    defineCase({
      name: 'viewFromRows(4000×4000 Float64Array)',
      baselineName: 'koffi row_at(Array of 4000 row subarrays)',
      note: 'creation of a zero-copy view over one 128 MB Float64Array vs one koffi call marshalling its 4000 rows.',
      setup() {
        const data = new Float64Array(4000 * 4000)
        const rows = rowsOf(data, 4000, 4000)
        const v = IndirectMemory2D.viewFromRows({ data, shape: [4000, 4000], stride: [4000, 1] })
        check(call(v.pointer, 3999) === call(rows, 3999), 'same last row address')
        v.release()
        return { data, rows }
      },
      run: (s) => IndirectMemory2D.viewFromRows({ data: s.data, shape: [4000, 4000], stride: [4000, 1] }),
      baseline: (s) => call(s.rows, 0),
    }),
    defineCase({
      name: `row_at(owned.pointer) ${N}×${COLS}`,
      baselineName: 'row_at(prebuilt BigUint64Array table)',
      target: { max: 1.2 },
      note: "the pointer's re-validation (released, detached) included; the baseline is koffi's fastest path: a table built once.",
      setup() {
        const m = IndirectMemory2D.createMemory({ rows: N, cols: COLS, format: 'd' })
        const table = m.rowPointers()
        check(call(m.pointer, 7) === call(table, 7), 'same row address')
        return { m, table }
      },
      run: (s) => call(s.m.pointer, 0),
      baseline: (s) => call(s.table, 0),
      teardown: (s) => void s.m.release(),
    }),
    defineCase({
      name: 'm.pointer (read alone)',
      baselineName: 'a bigint field read',
      diagnostic: true,
      setup() {
        const m = IndirectMemory2D.createMemory({ rows: N, cols: COLS, format: 'd' })
        return { m, p: m.pointer }
      },
      run: (s) => s.m.pointer,
      baseline: (s) => s.p,
      teardown: (s) => void s.m.release(),
    }),
    defineCase({
      name: `row_at(viewFromRows.pointer) ${N}×${COLS}`,
      baselineName: 'row_at(prebuilt BigUint64Array table)',
      target: { max: 1.2 },
      setup() {
        const { data } = setupRows()
        const v = IndirectMemory2D.viewFromRows({ data, shape: [N, COLS], stride: [COLS, 1] })
        const table = v.rowPointers()
        check(call(v.pointer, 7) === call(table, 7), 'same row address')
        return { v, table }
      },
      run: (s) => call(s.v.pointer, 0),
      baseline: (s) => call(s.table, 0),
      teardown: (s) => void s.v.release(),
    }),
    defineCase({
      name: `row_at(collection.pointer) ${N} rows`,
      baselineName: `koffi row_at(Array of ${N} Float64Array)`,
      target: { max: 0.1 },
      note: 'the collection re-checks every row object for detachment on each pointer read; koffi marshals the Array on each call.',
      setup() {
        const s = setupRows()
        const c = new BufferCollection2D(s.separate)
        check(call(c.pointer, N - 1) === call(s.separate, N - 1), 'same last row address')
        return { ...s, c }
      },
      run: (s) => call(s.c.pointer, 0),
      baseline: (s) => call(s.separate, 0),
      teardown: (s) => void s.c.release(),
    }),
  ] as BenchCase<unknown>[]
}
