// Handing rows to C: a koffi call through a matrix's `pointer` against koffi's own ways of passing the same
// rows (a prebuilt BigUint64Array table, or marshalling an Array of Float64Array on every call), and the
// construction of zero-copy views against one such marshalling call.
//
// Every native call here is `row_at(table, 0)` from the test library: it reads one row pointer, so the
// time is the call plus whatever it takes to produce the T**: exactly what is compared.

import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { type BenchCase, defineCase } from './harness'
import { check, type Kind, type Matrix, make, testLibrary } from './kinds'

function rowsOf(data: Float64Array, rows: number, cols: number): Float64Array[] {
  return Array.from({ length: rows }, (_, r) => data.subarray(r * cols, (r + 1) * cols))
}

const N = 1000
const COLS = 16

/**
 * `row_at(m.pointer, 0)` for one kind against `row_at(prebuilt table, 0)`. A collection's `pointer` checks each
 * of its row objects for detachment (a whole-matrix operation), a cost a prebuilt table does not pay: it is
 * reported here, and held to its target against koffi's marshalling of the same rows (collectionCase).
 */
function pointerCase(kind: Kind, label: string, rows: number, cols: number): BenchCase<unknown> {
  const { rowAt } = testLibrary()
  const collection = kind === 'collection'
  return defineCase({
    group: 'native calls',
    name: `row_at(${label}.pointer) ${rows}×${cols}`,
    baselineName: 'row_at(prebuilt BigUint64Array table)',
    target: collection ? undefined : { max: 1.2 },
    note: collection ? `report only: the pointer read checks each of the ${rows} row objects.` : undefined,
    setup() {
      const made = make(kind, 'd', rows, cols)
      const table = made.m.rowPointers()
      check(rowAt(made.m.pointer, rows - 1) === rowAt(table, rows - 1), `${label}: same row address`)
      return { made, table }
    },
    run: (s) => rowAt(s.made.m.pointer, 0),
    baseline: (s) => rowAt(s.table, 0),
    teardown: (s) => void s.made.release(),
  }) as BenchCase<unknown>
}

type WithPointer = (fn: (p: bigint) => bigint) => bigint

/** `withPointer(p => row_at(p, 0))` (report only): the hold an async call needs, measured on a sync one. */
function withPointerCase(): BenchCase<unknown> {
  const { rowAt } = testLibrary()
  return defineCase({
    group: 'native calls',
    name: `m.withPointer(p => row_at(p, 0)) owned ${N}×${COLS}`,
    baselineName: 'row_at(prebuilt BigUint64Array table)',
    note: 'report only: the export taken and given back around a synchronous call.',
    setup() {
      const made = make('owned', 'd', N, COLS)
      const withPointer = (made.m as unknown as { withPointer?: WithPointer }).withPointer
      if (typeof withPointer !== 'function') {
        made.release()
        throw new Error('withPointer is not in this build of the library')
      }
      const table = made.m.rowPointers()
      const m: Matrix = made.m
      return { made, table, call: () => withPointer.call(m, (p) => rowAt(p, 0)) }
    },
    run: (s) => s.call(),
    baseline: (s) => rowAt(s.table, 0),
    teardown: (s) => void s.made.release(),
  }) as BenchCase<unknown>
}

export function hasWithPointer(): boolean {
  return typeof (IndirectMemory2D.prototype as unknown as { withPointer?: unknown }).withPointer === 'function'
}

/** `row_at(collection.pointer, 0)` over `rows` separate Float64Arrays against koffi marshalling them. */
function collectionCase(rows: number): BenchCase<unknown> {
  const { rowAt } = testLibrary()
  return defineCase({
    group: 'native calls',
    name: `row_at(collection.pointer) ${rows} rows`,
    baselineName: `koffi row_at(Array of ${rows} Float64Array)`,
    target: { max: 0.1 },
    note:
      rows === N
        ? 'the pointer read checks every row object for detachment; koffi marshals the Array on every call. Target: ≥ 10× cheaper.'
        : undefined,
    setup() {
      const separate = Array.from({ length: rows }, (_, r) => new Float64Array(COLS).fill(r))
      const c = new BufferCollection2D(separate)
      check(rowAt(c.pointer, rows - 1) === rowAt(separate, rows - 1), 'same last row address')
      return { separate, c }
    },
    run: (s) => rowAt(s.c.pointer, 0),
    baseline: (s) => rowAt(s.separate, 0),
    teardown: (s) => void s.c.release(),
  }) as BenchCase<unknown>
}

export function nativeCallCases(): BenchCase<unknown>[] {
  const { sum2d } = testLibrary()
  const cases: BenchCase<unknown>[] = [
    pointerCase('owned', 'owned', N, COLS),
    pointerCase('row view', 'viewFromRows', N, COLS),
    pointerCase('column view', 'viewFromColumns', N, COLS),
    pointerCase('sub-matrix', 'subMatrix', N, COLS),
    pointerCase('fromPointer', 'fromPointer', N, COLS),
    pointerCase('fromRowPointers', 'fromRowPointers', N, COLS),
    pointerCase('collection', 'collection', 100, COLS),
    collectionCase(100),
    collectionCase(N),
    defineCase({
      group: 'native calls',
      name: `koffi sum2d(m.pointer) ${N}×${COLS} d`,
      baselineName: `koffi sum2d(Array of ${N} Float64Array)`,
      note: 'report only: a call that reads all 16 000 elements, through the matrix T** vs koffi marshalling the same rows each call.',
      setup() {
        const matrix = IndirectMemory2D.createMemory({ rows: N, cols: COLS, format: 'd' })
        const rows = matrix.rowViews()
        for (let r = 0; r < N; r++) for (let c = 0; c < COLS; c++) rows[r][c] = r * COLS + c
        const expected = (N * COLS * (N * COLS - 1)) / 2
        check(sum2d(matrix.pointer, N, COLS) === expected, 'sum2d through m.pointer')
        check(sum2d(rows, N, COLS) === expected, 'sum2d through koffi marshalling')
        return { matrix, rows }
      },
      run: (s) => sum2d(s.matrix.pointer, N, COLS),
      baseline: (s) => sum2d(s.rows, N, COLS),
      teardown: (s) => void s.matrix.release(),
    }) as BenchCase<unknown>,
    defineCase({
      group: 'native calls',
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
    }) as BenchCase<unknown>,
  ]
  if (hasWithPointer()) cases.splice(7, 0, withPointerCase())
  return cases
}

export function constructionCases(): BenchCase<unknown>[] {
  const { rowAt } = testLibrary()
  return [
    defineCase({
      group: 'construction',
      name: `new BufferCollection2D(${N} Float64Array rows)`,
      baselineName: `koffi row_at(Array of ${N} Float64Array)`,
      target: { max: 3 },
      note: 'creation of the collection (format and column checks of every row, the native row table) vs one koffi call that marshals the same rows.',
      setup() {
        const separate = Array.from({ length: N }, (_, r) => new Float64Array(COLS).fill(r))
        const c = new BufferCollection2D(separate)
        check(rowAt(c.pointer, N - 1) === rowAt(separate, N - 1), 'same last row address')
        c.release()
        return { separate }
      },
      run: (s) => new BufferCollection2D(s.separate),
      baseline: (s) => rowAt(s.separate, 0),
    }) as BenchCase<unknown>,
    defineCase({
      group: 'construction',
      name: 'viewFromRows(4000×4000 Float64Array)',
      baselineName: 'koffi row_at(Array of 4000 row subarrays)',
      note: 'report only: a zero-copy view over one 128 MB Float64Array vs one koffi call marshalling its 4000 rows.',
      setup() {
        const data = new Float64Array(4000 * 4000)
        const rows = rowsOf(data, 4000, 4000)
        const v = IndirectMemory2D.viewFromRows({ data, shape: [4000, 4000], stride: [4000, 1] })
        check(rowAt(v.pointer, 3999) === rowAt(rows, 3999), 'same last row address')
        v.release()
        return { data, rows }
      },
      run: (s) => IndirectMemory2D.viewFromRows({ data: s.data, shape: [4000, 4000], stride: [4000, 1] }),
      baseline: (s) => rowAt(s.rows, 0),
    }) as BenchCase<unknown>,
  ]
}
