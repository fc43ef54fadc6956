// Copies and conversions against memcpy-speed baselines (issue: copies at memory speed).
//
// Baseline "memcpy" = TypedArray.prototype.set between two contiguous arrays of the same bytes. Every copy
// writes into a caller-provided target made in setup (fresh pages are slow here: allocation is its own
// figure, see createMemory). Ratios are speeds: baseline time / case time, so "≥ 0.9" reads "at least 0.9×
// the speed of memcpy".

import { IndirectMemory2D } from 'indirect-buffer'
import { type BenchCase, defineCase } from './harness'

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`benchmark self-check failed: ${message}`)
}

function filled<T extends Float64Array | Float32Array | Int32Array>(a: T): T {
  for (let i = 0; i < a.length; i++) a[i] = ((i * 2654435761) % 1000003) / 7 - 70000
  return a
}

/** A C-order n×n ndarray-like over `data` (row stride n), or column-major (`[1, n]`). */
function nd<T>(data: T, n: number, order: 'C' | 'F' = 'C') {
  return { data, shape: [n, n], stride: order === 'C' ? [n, 1] : [1, n] }
}

/** The plain-JS copy a user would write: a nested loop over a strided source into the matrix's row views. */
function jsStridedCopy(rows: Float64Array[], src: Float64Array, n: number, rowStride: number, colStride: number): void {
  for (let r = 0; r < n; r++) {
    const row = rows[r]
    const base = r * rowStride
    for (let c = 0; c < n; c++) row[c] = src[base + c * colStride]
  }
}

/** A plain-JS blocked transpose (tiles of 64), the best a user would do by hand. */
function jsBlockedTranspose(rows: Float64Array[], src: Float64Array, n: number): void {
  const B = 64
  for (let r0 = 0; r0 < n; r0 += B) {
    for (let c0 = 0; c0 < n; c0 += B) {
      const r1 = Math.min(r0 + B, n)
      const c1 = Math.min(c0 + B, n)
      for (let r = r0; r < r1; r++) {
        const row = rows[r]
        for (let c = c0; c < c1; c++) row[c] = src[c * n + r]
      }
    }
  }
}

interface Pair {
  m: IndirectMemory2D<string>
  src: Float64Array
  a: Float64Array
  b: Float64Array
}

/** A matrix n×n 'd' plus two contiguous arrays of the same bytes for the memcpy baseline. */
function pair(n: number): Pair {
  const m = IndirectMemory2D.createMemory({ rows: n, cols: n, format: 'd' })
  const src = filled(new Float64Array(n * n))
  return { m, src, a: src, b: new Float64Array(n * n) }
}

function memcpy(s: { a: Float64Array; b: Float64Array }): Float64Array {
  s.b.set(s.a)
  return s.b
}

function sameFormat(n: number, direction: 'from' | 'to'): BenchCase<unknown> {
  return defineCase({
    name: `copy${direction === 'from' ? 'From' : 'To'} C-order ${n}×${n} d`,
    baselineName: 'memcpy (Float64Array.set)',
    target: { min: 0.9 },
    speed: true,
    budgetMs: 4000,
    setup() {
      const s = pair(n)
      if (direction === 'from') {
        s.m.copyFrom(nd(s.src, n))
        check(s.m.get(n - 1, n - 1) === s.src[n * n - 1], 'copied')
      } else {
        s.m.copyFrom(nd(s.src, n))
        s.m.copyTo(nd(s.b, n))
        check(s.b[n * n - 1] === s.src[n * n - 1], 'copied')
      }
      return s
    },
    run: (s) => (direction === 'from' ? s.m.copyFrom(nd(s.src, n)) : s.m.copyTo(nd(s.b, n))),
    baseline: (s) => memcpy(s),
    teardown: (s) => void s.m.release(),
  }) as BenchCase<unknown>
}

function columnMajor(n: number, direction: 'from' | 'to', min: number): BenchCase<unknown> {
  return defineCase({
    name: `copy${direction === 'from' ? 'From' : 'To'} column-major ${n}×${n} d`,
    baselineName: 'memcpy (Float64Array.set)',
    target: { min },
    speed: true,
    budgetMs: 4000,
    note: direction === 'from' ? 'a transpose: the source is read column by column.' : undefined,
    setup() {
      const s = pair(n)
      s.m.copyFrom(nd(s.src, n, 'F'))
      check(s.m.get(0, 1) === s.src[n] && s.m.get(1, 0) === s.src[1], 'transposed on the way in')
      return s
    },
    run: (s) => (direction === 'from' ? s.m.copyFrom(nd(s.src, n, 'F')) : s.m.copyTo(nd(s.b, n, 'F'))),
    baseline: (s) => memcpy(s),
    teardown: (s) => void s.m.release(),
  }) as BenchCase<unknown>
}

/** A 1- or 2-byte column-major → row-major copy (a transpose) against memcpy of as many bytes. */
function narrowTranspose(n: number, format: 'B' | 'h'): BenchCase<unknown> {
  const Arr = format === 'B' ? Uint8Array : Int16Array
  return defineCase({
    name: `copyFrom column-major ${n}×${n} ${format}`,
    baselineName: `memcpy (${Arr.name}.set)`,
    target: { min: 0.3 },
    speed: true,
    budgetMs: 4000,
    note: 'a transpose of 1- or 2-byte elements: the source is read column by column.',
    setup() {
      const m = IndirectMemory2D.createMemory({ rows: n, cols: n, format })
      const src = new Arr(n * n).map((_, i) => i * 7)
      m.copyFrom(nd(src, n, 'F'))
      check(m.get(0, 1) === src[n] && m.get(1, 0) === src[1], 'transposed on the way in')
      return { m, src, b: new Arr(n * n) }
    },
    run: (s) => s.m.copyFrom(nd(s.src, n, 'F')),
    baseline: (s) => {
      s.b.set(s.src)
      return s.b
    },
    teardown: (s) => void s.m.release(),
  }) as BenchCase<unknown>
}

function pureJs(n: number, kind: 'loop' | 'blocked'): BenchCase<unknown> {
  return defineCase({
    name: kind === 'loop' ? `pure-JS loop copy C-order ${n}×${n} d` : `pure-JS blocked transpose ${n}×${n} d`,
    baselineName: 'memcpy (Float64Array.set)',
    speed: true,
    budgetMs: 3000,
    note: 'what a user would write without this package (into the same matrix rows), for comparison.',
    setup() {
      const s = pair(n)
      return { ...s, rows: s.m.rowViews() as Float64Array[] }
    },
    run: (s) => (kind === 'loop' ? jsStridedCopy(s.rows, s.src, n, n, 1) : jsBlockedTranspose(s.rows, s.src, n)),
    baseline: (s) => memcpy(s),
    teardown: (s) => void s.m.release(),
  }) as BenchCase<unknown>
}

function conversion(n: number, from: 'd' | 'i' | 'f', to: 'd' | 'i'): BenchCase<unknown> {
  const Src = from === 'd' ? Float64Array : from === 'f' ? Float32Array : Int32Array
  const toInt = to === 'i'
  return defineCase({
    name: `convert ${from === 'd' ? 'float64' : from === 'f' ? 'float32' : 'int32'} → ${toInt ? 'int32' : 'float64'} ${n}×${n}`,
    baselineName: toInt ? 'Int32Array.set(Float64Array)' : 'memcpy of the float64 bytes',
    target: { min: toInt ? 2 : 0.9 },
    speed: true,
    budgetMs: 4000,
    setup() {
      const m = IndirectMemory2D.createMemory({ rows: n, cols: n, format: to })
      const src = filled(new Src(n * n))
      const a = toInt ? src : filled(new Float64Array(n * n))
      const b = toInt ? new Int32Array(n * n) : new Float64Array(n * n)
      m.copyFrom(nd(src, n), { convert: true })
      const expect = toInt ? new Int32Array([src[n * n - 1]])[0] : src[n * n - 1]
      check(m.get(n - 1, n - 1) === expect, 'converted like TypedArray.set')
      return { m, src, a, b }
    },
    run: (s) => s.m.copyFrom(nd(s.src, n), { convert: true }),
    baseline: (s) => {
      ;(s.b as Float64Array).set(s.a as Float64Array)
      return s.b
    },
    teardown: (s) => void s.m.release(),
  }) as BenchCase<unknown>
}

function byteSwap(n: number): BenchCase<unknown> {
  return defineCase({
    name: `byte-swapping copy '>i' ← 'i' ${n}×${n}`,
    baselineName: "same-format 'i' ← 'i' copy",
    target: { min: 0.8 },
    speed: true,
    budgetMs: 4000,
    setup() {
      const big = IndirectMemory2D.createMemory({ rows: n, cols: n, format: '>i' })
      const same = IndirectMemory2D.createMemory({ rows: n, cols: n, format: 'i' })
      const src = filled(new Int32Array(n * n))
      big.copyFrom(nd(src, n), { convert: true })
      check(big.get(3, 4) === src[3 * n + 4], 'swapped')
      return { big, same, src }
    },
    run: (s) => s.big.copyFrom(nd(s.src, n), { convert: true }),
    baseline: (s) => s.same.copyFrom(nd(s.src, n)),
    teardown: (s) => {
      s.big.release()
      s.same.release()
    },
  }) as BenchCase<unknown>
}

const fixedCost = defineCase({
  name: 'copyFrom 1×1 d (fixed cost)',
  baselineName: 'Float64Array.set of 1 element',
  target: { maxNs: 1000 },
  budgetMs: 3000,
  setup() {
    const m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'd' })
    const src = { data: new Float64Array([4.5]), shape: [1, 1], stride: [1, 1] }
    const a = new Float64Array(1)
    m.copyFrom(src)
    check(m.get(0, 0) === 4.5, 'copied')
    return { m, src, a, b: new Float64Array(1) }
  },
  run: (s) => s.m.copyFrom(s.src),
  baseline: (s) => {
    s.b.set(s.a)
    return s.b
  },
  teardown: (s) => void s.m.release(),
}) as BenchCase<unknown>

export function copyCases(): BenchCase<unknown>[] {
  return [
    sameFormat(1000, 'from'),
    sameFormat(1000, 'to'),
    sameFormat(4000, 'from'),
    sameFormat(4000, 'to'),
    columnMajor(1000, 'from', 0.5),
    columnMajor(1000, 'to', 0.5),
    columnMajor(4096, 'from', 0.25),
    columnMajor(4096, 'to', 0.25),
    narrowTranspose(1000, 'B'),
    narrowTranspose(1000, 'h'),
    conversion(1000, 'd', 'i'),
    conversion(4000, 'd', 'i'),
    conversion(1000, 'i', 'd'),
    conversion(4000, 'i', 'd'),
    conversion(1000, 'f', 'd'),
    conversion(4000, 'f', 'd'),
    byteSwap(1000),
    byteSwap(4000),
    fixedCost,
    pureJs(1000, 'loop'),
    pureJs(4096, 'blocked'),
  ]
}
