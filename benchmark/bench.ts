// Benchmarks of indirect-buffer against plain JavaScript (and koffi) baselines, all in one long process.
//
//   npm run bench                       # builds the addon, the facade and the test library, then runs this
//   node --expose-gc --import tsx benchmark/bench.ts [--fresh] [--json results.json] [--filter get] [--quick] [--strict]
//
// First a warm-up uses every kind of matrix in many formats through every hot path (warmup.ts), as a
// long-lived application would; then every case is measured in this same process, interleaved with its
// baseline; the table reports median times and the median ratio case/baseline with its interquartile range
// (see harness.ts). `--fresh` adds the figure of each case measured in a fresh process of its own, beside.
// Without `--expose-gc` the script re-runs itself once with it.

import { IndirectMemory2D } from 'indirect-buffer'
import { copyCases } from './copies'
import { elementCases } from './elements'
import { type BenchCase, collect, defineCase, ensureGc, formatBytes, runBenchmarks } from './harness'
import { check } from './kinds'
import { lifetimeCases } from './lifetime'
import { stringCases } from './strings'
import { constructionCases, nativeCallCases } from './views'
import { warmUp } from './warmup'

/** The plain-JS way to view a 2-D buffer by rows: one Float64Array per row over one ArrayBuffer. */
function jsRowViews(buffer: ArrayBuffer, rows: number, cols: number): Float64Array[] {
  const out = new Array<Float64Array>(rows)
  const stride = cols * Float64Array.BYTES_PER_ELEMENT
  for (let r = 0; r < rows; r++) out[r] = new Float64Array(buffer, r * stride, cols)
  return out
}

// ---------------------------------------------------------------------------------------------------
// Construction

const BIG = 4000

/** 1. Allocation of a ready-to-use, zero-filled 4000×4000 float64 matrix vs a zero-filled Float64Array. */
const createMemoryCase = defineCase({
  group: 'construction',
  name: `createMemory ${BIG}×${BIG} d`,
  baselineName: `new Float64Array(${BIG * BIG})`,
  target: { max: 1.2 },
  callsPerSample: 1,
  gcEverySample: true,
  budgetMs: 5000,
  maxRounds: 300,
  warmupMs: 300,
  note:
    'one 128 MB allocation per sample, gc before every sample, the matrix released and both results dropped after it (untimed). ' +
    'Neither side touches the memory: both get it from the same ArrayBuffer allocator (calloc → fresh zero pages from mmap), ' +
    'so both are equally "ready-to-use and zeroed"; touching one element per page would add the same ~32 768 page faults ' +
    'to both sides and only dilute the ratio toward 1, hiding the overhead being measured.',
  setup() {
    collect()
    const before = process.memoryUsage()
    const probe = IndirectMemory2D.createMemory({ rows: BIG, cols: BIG, format: 'd' })
    const afterMatrix = process.memoryUsage()
    const array = new Float64Array(BIG * BIG)
    const afterArray = process.memoryUsage()
    check(probe.nbytes === BIG * BIG * 8 && probe.get(BIG - 1, BIG - 1) === 0, 'a fresh matrix is 128 MB of zeros')
    check(array[array.length - 1] === 0, 'a fresh Float64Array is zeros')
    probe.release()
    return {
      matrix: undefined as IndirectMemory2D<'d'> | undefined,
      array: undefined as Float64Array | undefined,
      arrayBuffersBefore: before.arrayBuffers,
      rssMatrix: afterMatrix.rss - before.rss,
      rssArray: afterArray.rss - afterMatrix.rss,
    }
  },
  run(s) {
    s.matrix = IndirectMemory2D.createMemory({ rows: BIG, cols: BIG, format: 'd' })
    return s.matrix
  },
  baseline(s) {
    s.array = new Float64Array(BIG * BIG)
    return s.array
  },
  afterSample(s) {
    s.matrix?.release()
    s.matrix = undefined
    s.array = undefined
  },
  teardown(s) {
    collect()
    const left = process.memoryUsage().arrayBuffers - s.arrayBuffersBefore
    return (
      `RSS growth on allocating one of each (pages untouched): matrix ${formatBytes(s.rssMatrix)}, Float64Array ${formatBytes(s.rssArray)}; ` +
      `ArrayBuffer memory still held after the run and a gc: ${formatBytes(left)} (so each sample started from a reclaimed heap).`
    )
  },
})

/** 2. Zero-copy row views of a 4000×4000 float64 matrix vs building them by hand over one ArrayBuffer. */
const rowViewsCase = defineCase({
  group: 'construction',
  name: `m.rowViews() ${BIG}×${BIG} d`,
  baselineName: `${BIG} × new Float64Array(buf, off, ${BIG})`,
  target: { max: 3 },
  units: { count: BIG, name: 'row' },
  note: 'both sides return a new Array of 4000 Float64Array views over one 128 MB ArrayBuffer (never touched).',
  setup() {
    const matrix = IndirectMemory2D.createMemory({ rows: BIG, cols: BIG, format: 'd' })
    const buffer = new ArrayBuffer(BIG * BIG * Float64Array.BYTES_PER_ELEMENT)
    const views = matrix.rowViews()
    const plain = jsRowViews(buffer, BIG, BIG)
    check(views.length === plain.length && views[BIG - 1].length === plain[BIG - 1].length, 'same number and length of rows')
    check(views[1].byteOffset - views[0].byteOffset === plain[1].byteOffset - plain[0].byteOffset, 'same row stride')
    return { matrix, buffer }
  },
  run: (s) => s.matrix.rowViews(),
  baseline: (s) => jsRowViews(s.buffer, BIG, BIG),
  teardown(s) {
    s.matrix.release()
  },
})

// ---------------------------------------------------------------------------------------------------
// Diagnostics (`--diagnose`): plain-JS measurements of where the cost of a case comes from.

/** Allocation order around a 128 MB buffer: why createRagged makes its row arrays before its storage. */
const allocationOrderDiagnostic = defineCase({
  name: 'ArrayBuffer(128 MB), then 2 small typed arrays',
  baselineName: '2 small typed arrays, then ArrayBuffer(128 MB)',
  diagnostic: true,
  callsPerSample: 1,
  gcEverySample: true,
  budgetMs: 5000,
  maxRounds: 200,
  warmupMs: 200,
  note:
    `the same three allocations (new ArrayBuffer(128 MB), Uint32Array(${BIG}), Float64Array(${BIG})) in two orders. ` +
    "Past V8's external-memory limit (reset at each full gc) every further off-heap allocation (a typed array over 64 bytes) " +
    'runs a scavenge ("external memory pressure", see node --trace-gc): ' +
    'small bookkeeping arrays allocated after the big buffer cost a GC each, allocated before it they cost nothing extra.',
  setup: () => ({ held: undefined as unknown }),
  run(s) {
    const storage = new ArrayBuffer(BIG * BIG * 8)
    const segmentOfRow = new Uint32Array(BIG)
    const rowOffsets = new Float64Array(BIG)
    return (s.held = [storage, segmentOfRow, rowOffsets])
  },
  baseline(s) {
    const segmentOfRow = new Uint32Array(BIG)
    const rowOffsets = new Float64Array(BIG)
    const storage = new ArrayBuffer(BIG * BIG * 8)
    return (s.held = [storage, segmentOfRow, rowOffsets])
  },
  afterSample(s) {
    s.held = undefined
  },
})

/** Per-row work of building row views the way a facade over segments does, one piece at a time. */
function rowViewPartDiagnostic(name: string, build: (segment: Uint8Array, offsets: Float64Array) => Float64Array[]) {
  return defineCase({
    name,
    baselineName: `${BIG} × new Float64Array(buf, off, ${BIG})`,
    diagnostic: true,
    budgetMs: 3000,
    units: { count: BIG, name: 'row' },
    setup() {
      const buffer = new ArrayBuffer(BIG * BIG * 8)
      const segment = new Uint8Array(buffer)
      const offsets = new Float64Array(BIG)
      for (let r = 0; r < BIG; r++) offsets[r] = r * BIG * 8
      check(build(segment, offsets)[BIG - 1].byteOffset === (BIG - 1) * BIG * 8, `${name} builds the same views`)
      return { buffer, segment, offsets }
    },
    run: (s) => build(s.segment, s.offsets),
    baseline: (s) => jsRowViews(s.buffer, BIG, BIG),
  })
}

const rowViewDiagnostics = [
  rowViewPartDiagnostic('row views, segment.buffer read per row', (segment) => {
    const out = new Array<Float64Array>(BIG)
    for (let r = 0; r < BIG; r++) out[r] = new Float64Array(segment.buffer, r * BIG * 8, BIG)
    return out
  }),
  rowViewPartDiagnostic('row views, segment.byteOffset + Float64Array offset per row', (segment, offsets) => {
    const out = new Array<Float64Array>(BIG)
    const buffer = segment.buffer
    for (let r = 0; r < BIG; r++) out[r] = new Float64Array(buffer, segment.byteOffset + offsets[r], BIG)
    return out
  }),
  rowViewPartDiagnostic('row views, float64 % alignment check per row', (segment, offsets) => {
    const out = new Array<Float64Array>(BIG)
    const buffer = segment.buffer
    for (let r = 0; r < BIG; r++) {
      if (offsets[r] % 8 !== 0) throw new Error('misaligned')
      out[r] = new Float64Array(buffer, r * BIG * 8, BIG)
    }
    return out
  }),
]

// ---------------------------------------------------------------------------------------------------

ensureGc()
const cases: BenchCase<unknown>[] = [
  createMemoryCase as BenchCase<unknown>,
  rowViewsCase as BenchCase<unknown>,
  ...constructionCases(),
  ...elementCases(),
  ...nativeCallCases(),
  ...stringCases(),
  ...lifetimeCases(),
  ...copyCases(),
  allocationOrderDiagnostic as BenchCase<unknown>,
  ...rowViewDiagnostics,
]
void runBenchmarks(cases, () => warmUp())
