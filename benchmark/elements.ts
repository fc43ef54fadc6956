// Element access (`get`/`set`) on every kind of matrix against a TypedArray element read/store, and `get`
// on a non-native byte order against a DataView read.
//
// Each loop is compiled on its own (`new Function`), so that its call site sees one matrix kind, as a
// user's loop over one matrix does, and no case's feedback leaks into another's. The library's own code
// has seen every kind and format in the warm-up: that is what these cases test.

import { IndirectMemory2D } from 'indirect-buffer'
import { type BenchCase, defineCase } from './harness'
import { check, fillBoth, type Kind, type Made, make } from './kinds'

type Loop = (target: unknown, rows: number, cols: number, k: number) => number

function compile(body: string): Loop {
  return new Function('m', 'rows', 'cols', 'k', `'use strict'; ${body}`) as Loop
}

const LOOPS = {
  get: 'let t = 0; for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t += m.get(r, c); return t',
  read: 'let t = 0; for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t += m[r * cols + c]; return t',
  set: 'for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, r + c + k); return k',
  store: 'for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m[r * cols + c] = r + c + k; return k',
  dataView:
    'let t = 0; for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t += m.getFloat64((r * cols + c) * 8, false); return t',
}

interface ElementState {
  made: Made
  flat: Float64Array
  rows: number
  cols: number
  k: number
  caseLoop: Loop
  baseLoop: Loop
}

function elementCase(kind: Kind, label: string, rows: number, cols: number, op: 'get' | 'set'): BenchCase<ElementState> {
  return defineCase({
    group: 'elements',
    name: `${op} ${label} ${rows}×${cols} d`,
    baselineName: op === 'get' ? 'Float64Array[r*cols+c] read' : 'Float64Array[r*cols+c] store',
    target: { max: 4 },
    units: { count: rows * cols, name: 'element' },
    note:
      kind === 'owned' && op === 'get'
        ? 'every element case loops over all elements of the matrix; each loop is compiled on its own, so its call site sees one ' +
          'matrix (as a user loop does), while the library has seen every kind and format in the warm-up.'
        : undefined,
    setup() {
      const made = make(kind, 'd', rows, cols)
      const flat = new Float64Array(rows * cols)
      fillBoth(made.m, flat, rows, cols)
      const caseLoop = compile(op === 'get' ? LOOPS.get : LOOPS.set)
      const baseLoop = compile(op === 'get' ? LOOPS.read : LOOPS.store)
      if (op === 'set') {
        caseLoop(made.m, rows, cols, 3)
        baseLoop(flat, rows, cols, 3)
      }
      check(
        compile(LOOPS.get)(made.m, rows, cols, 0) === compile(LOOPS.read)(flat, rows, cols, 0),
        `${label}: get and the Float64Array agree`,
      )
      return { made, flat, rows, cols, k: 0, caseLoop, baseLoop }
    },
    run: (s) => s.caseLoop(s.made.m, s.rows, s.cols, ++s.k),
    baseline: (s) => s.baseLoop(s.flat, s.rows, s.cols, ++s.k),
    teardown: (s) => void s.made.release(),
  })
}

/** `get` on `'>d'` (big-endian float64) against the same reads through a DataView. */
function nonNativeGet(n: number): BenchCase<unknown> {
  return defineCase({
    group: 'elements',
    name: `get owned ${n}×${n} '>d' (non-native byte order)`,
    baselineName: 'DataView.getFloat64(off, false)',
    target: { max: 3 },
    units: { count: n * n, name: 'element' },
    setup() {
      const m = IndirectMemory2D.createMemory({ rows: n, cols: n, format: '>d' })
      const view = new DataView(new ArrayBuffer(n * n * 8))
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          m.set(r, c, (r * n + c) * 0.25)
          view.setFloat64((r * n + c) * 8, (r * n + c) * 0.25, false)
        }
      }
      const caseLoop = compile(LOOPS.get)
      const baseLoop = compile(LOOPS.dataView)
      check(caseLoop(m, n, n, 0) === baseLoop(view, n, n, 0), "'>d' get and DataView agree")
      return { m, view, caseLoop, baseLoop }
    },
    run: (s) => s.caseLoop(s.m, n, n, 0),
    baseline: (s) => s.baseLoop(s.view, n, n, 0),
    teardown: (s) => void s.m.release(),
  }) as BenchCase<unknown>
}

export function elementCases(): BenchCase<unknown>[] {
  const kinds: [Kind, string, number, number][] = [
    ['owned', 'owned', 100, 100],
    ['row view', 'viewFromRows', 100, 100],
    ['column view', 'viewFromColumns', 100, 100],
    ['collection', 'collection of 100 rows', 100, 100],
    ['collection', 'collection of 1000 rows', 1000, 16],
    ['sub-matrix', 'subMatrix', 100, 100],
    ['fromPointer', 'native fromPointer', 100, 100],
    ['fromRowPointers', 'native fromRowPointers', 100, 100],
  ]
  const cases: BenchCase<unknown>[] = []
  for (const op of ['get', 'set'] as const) {
    for (const [kind, label, rows, cols] of kinds) cases.push(elementCase(kind, label, rows, cols, op) as BenchCase<unknown>)
  }
  cases.push(nonNativeGet(100))
  return cases
}
