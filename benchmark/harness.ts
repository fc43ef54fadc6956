// A small A/B benchmark harness for noisy machines.
//
// Absolute times on a shared box mean little; the ratio of two operations measured side by side holds.
// So every case is measured against its baseline in interleaved rounds (A B, then B A, ...), the
// garbage collector runs between rounds (or before every sample, for cases that allocate big buffers),
// and the result of a case is the median of the per-round ratios case/baseline, with the interquartile
// range of those ratios as the spread.
//
// Adding a benchmark is one `defineCase({ ... })` in a list passed to `runBenchmarks`:
//
//   defineCase({
//     name: 'copyFrom 1000×1000 d', baselineName: 'Float64Array.prototype.set',
//     target: { max: 1.5 },
//     setup: () => ({ m: IndirectMemory2D.createMemory({ rows: 1000, cols: 1000, format: 'd' }), ... }),
//     run: (s) => s.m.copyFrom(s.src),
//     baseline: (s) => s.dst.set(s.flat),
//     teardown: (s) => s.m.release(),
//   })
//
// Timing uses process.hrtime.bigint(); each sample times `calls` back-to-back calls of one side and
// records the time per call. `calls` is calibrated per side so that a sample lasts about `sampleMs`.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import os from 'node:os'

/** A ratio target: the median ratio case/baseline must be ≤ `max` and/or ≥ `min`. */
export interface Target {
  max?: number
  min?: number
  /** An absolute bound on the case's median time per call, in ns (e.g. a fixed cost). */
  maxNs?: number
}

/**
 * One benchmark: `run` (the case) against `baseline`, on the state `setup` returns. Methods (not function
 * properties) so that a `BenchCase<Specific>` is usable where a `BenchCase<unknown>` is expected.
 */
export interface BenchCase<S = unknown> {
  /** What is measured, e.g. `'createMemory 4000×4000 d'`. */
  name: string
  /** What it is compared with, e.g. `'new Float64Array(16e6)'`. */
  baselineName: string
  /** Pass/fail bounds for the median ratio case/baseline; no target means "report only". */
  target?: Target
  /** Builds the state both sides work on (untimed). Throw here if the two sides disagree. */
  setup(): S
  /** One operation of the case (timed). Its result is kept in a sink so it cannot be optimized away. */
  run(state: S): unknown
  /** One operation of the baseline (timed). */
  baseline(state: S): unknown
  /** Called untimed after every sample of either side: drop or release what the sample made. */
  afterSample?(state: S): void
  /** Called once at the end (untimed); a returned string is appended to the case's note (e.g. a check's outcome). */
  teardown?(state: S): string | void
  /** One call handles `count` units (e.g. 10 000 elements): the table also shows the time per unit. */
  units?: { count: number; name: string }
  /** Calls per sample, instead of calibrating to `sampleMs` (use 1 for big allocations). */
  callsPerSample?: number
  /** Run the garbage collector before every sample, not only between rounds (big allocations). */
  gcEverySample?: boolean
  /** Overrides of the run options for this case. */
  sampleMs?: number
  budgetMs?: number
  minRounds?: number
  maxRounds?: number
  warmupMs?: number
  /** A remark printed under the table (how the comparison is made fair, what is included). */
  note?: string
  /**
   * Report speed instead of time: the ratio is baseline time / case time (1 = as fast as the baseline,
   * 0.5 = half its speed), and the target bounds that. For throughput targets like "≥ 0.9× memcpy".
   */
  speed?: boolean
  /** An explanatory measurement (where a cost comes from), run only with `--diagnose`. */
  diagnostic?: boolean
}

/** Identity helper that infers the state type of a case. */
export function defineCase<S>(c: BenchCase<S>): BenchCase<S> {
  return c
}

export interface RunOptions {
  /** Target duration of one sample (default 10 ms). */
  sampleMs: number
  /** Time budget of the measured rounds of one case (default 8 s). */
  budgetMs: number
  /** At least this many rounds, even past the budget (default 20). */
  minRounds: number
  /** At most this many rounds (default 400). */
  maxRounds: number
  /** Warm-up time, alternating both sides, before calibration (default 400 ms). */
  warmupMs: number
  /** Only run cases whose name or baseline name contains this (case-insensitive). */
  filter?: string
  /** Write the results as JSON here. */
  json?: string
  /** Exit with status 1 when a target is missed. */
  strict: boolean
  /** Also run the cases marked `diagnostic`. */
  diagnose: boolean
  /** Multiply every budget by this (e.g. 0.25 for a quick smoke run). */
  timeScale: number
}

export const defaultOptions: RunOptions = {
  sampleMs: 10,
  budgetMs: 8000,
  minRounds: 20,
  maxRounds: 400,
  warmupMs: 400,
  strict: false,
  diagnose: false,
  timeScale: 1,
}

/** Statistics of one side. */
export interface SideStats {
  /** Median time per call, ns. */
  medianNs: number
  q1Ns: number
  q3Ns: number
  /** Median time per unit (when the case has `units`), ns. */
  perUnitNs?: number
  callsPerSample: number
  /** Time per call of every sample, ns, in round order. */
  samplesNs: number[]
}

export interface CaseResult {
  name: string
  baselineName: string
  target?: Target
  units?: { count: number; name: string }
  rounds: number
  case: SideStats
  baseline: SideStats
  /** Whether `ratio` is a speed (baseline time / case time) rather than a time ratio. */
  speed?: boolean
  /** Median of the per-round ratios case/baseline (or baseline/case for speeds): the headline number. */
  ratio: number
  /** Interquartile range of the per-round ratios. */
  ratioQ1: number
  ratioQ3: number
  /** Ratio of the two medians (a cross-check of `ratio`). */
  ratioOfMedians: number
  /** Per-round ratios, in round order. */
  ratios: number[]
  /** `undefined` when the case has no target. */
  pass?: boolean
  /** True when the target lies inside the ratio's interquartile range: the verdict is within noise. */
  marginal?: boolean
  note?: string
  wallMs: number
}

export interface Report {
  meta: {
    date: string
    node: string
    v8: string
    platform: string
    arch: string
    cpus: string
    cpuCount: number
    gc: boolean
    options: RunOptions
    wallMs: number
  }
  results: CaseResult[]
}

// ---------------------------------------------------------------------------------------------------
// Garbage collection

type GcFunction = () => void

/** `global.gc` when node runs with `--expose-gc`. */
export function getGc(): GcFunction | undefined {
  const g = (globalThis as { gc?: unknown }).gc
  return typeof g === 'function' ? (g as GcFunction) : undefined
}

const REEXEC_ENV = 'INDIRECT_BUFFER_BENCH_CHILD'

/**
 * Makes sure `global.gc` exists. Without it (plain `tsx benchmark/bench.ts`, as `npm run bench` runs it),
 * re-runs the same script in a child node with the same loader flags (tsx's `--require`/`--import`) plus
 * `--expose-gc`, and exits with the child's status. Returns normally only in a process that has `gc`
 * (or when re-running failed, with a warning: the benchmark then runs without explicit collections).
 */
export function ensureGc(): void {
  if (getGc() || process.env[REEXEC_ENV]) {
    if (!getGc()) console.warn('warning: running without global.gc; results are noisier')
    return
  }
  const args = [...process.execArgv, '--expose-gc', ...process.argv.slice(1)]
  const child = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, [REEXEC_ENV]: '1' } })
  if (child.error) {
    console.warn(`warning: could not re-run node with --expose-gc (${child.error.message}); continuing without it`)
    return
  }
  process.exit(child.status ?? 1)
}

function collect(): void {
  const gc = getGc()
  if (gc) {
    // Twice: the first pass may leave weak/finalizable objects (and their ArrayBuffers) for the second.
    gc()
    gc()
  }
}

// ---------------------------------------------------------------------------------------------------
// Measurement

/** Results land here so that no call can be optimized away. */
let sink: unknown
let numericSink = 0

function consume(v: unknown): void {
  if (typeof v === 'number') numericSink += v
  else sink = v
}

/** Drops the last result kept by `consume` (after every sample, so that no sample's result outlives it). */
function dropSink(): void {
  sink = undefined
}

function now(): bigint {
  return process.hrtime.bigint()
}

/** Times `calls` calls of `fn`, returns ns per call. */
function sample<S>(fn: (s: S) => unknown, state: S, calls: number): number {
  let last: unknown
  const t0 = now()
  for (let i = 0; i < calls; i++) last = fn(state)
  const t1 = now()
  consume(last)
  return Number(t1 - t0) / calls
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

function quartiles(values: number[]): [number, number, number] {
  const s = [...values].sort((a, b) => a - b)
  return [quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75)]
}

/** Calls per sample so that one sample lasts about `sampleMs`. */
function calibrate<S>(fn: (s: S) => unknown, state: S, c: BenchCase<S>, sampleMs: number): number {
  if (c.callsPerSample !== undefined) return c.callsPerSample
  let calls = 1
  for (;;) {
    const perCall = sample(fn, state, calls)
    c.afterSample?.(state)
    dropSink()
    const total = perCall * calls
    if (total >= sampleMs * 1e6 / 4 || calls >= 1 << 24) {
      return Math.max(1, Math.min(1 << 24, Math.round((sampleMs * 1e6) / Math.max(perCall, 1))))
    }
    calls *= total < (sampleMs * 1e6) / 100 ? 10 : 2
  }
}

function sideStats(samplesNs: number[], callsPerSample: number, units: BenchCase['units']): SideStats {
  const [q1, median, q3] = quartiles(samplesNs)
  return {
    medianNs: median,
    q1Ns: q1,
    q3Ns: q3,
    perUnitNs: units ? median / units.count : undefined,
    callsPerSample,
    samplesNs,
  }
}

/** Measures one case against its baseline. */
export function measure<S>(c: BenchCase<S>, options: RunOptions = defaultOptions): CaseResult {
  const started = Date.now()
  const o = {
    sampleMs: c.sampleMs ?? options.sampleMs,
    budgetMs: (c.budgetMs ?? options.budgetMs) * options.timeScale,
    minRounds: c.minRounds ?? options.minRounds,
    maxRounds: c.maxRounds ?? options.maxRounds,
    warmupMs: (c.warmupMs ?? options.warmupMs) * options.timeScale,
  }
  collect()
  const state = c.setup()
  let result: CaseResult
  try {
    const A = (s: S) => c.run(s)
    const B = (s: S) => c.baseline(s)

    // Warm-up: alternate both sides until both had the JIT's attention for warmupMs.
    const warmEnd = Date.now() + o.warmupMs
    let warmCalls = 1
    if (c.callsPerSample !== undefined) warmCalls = c.callsPerSample
    do {
      const t0 = Date.now()
      for (const fn of [A, B]) {
        if (c.gcEverySample) collect()
        sample(fn, state, warmCalls)
        c.afterSample?.(state)
        dropSink()
      }
      // Longer batches while they are short, so that slow operations do not overshoot the warm-up.
      if (c.callsPerSample === undefined && Date.now() - t0 < o.warmupMs / 10) warmCalls = Math.min(warmCalls * 2, 1 << 16)
    } while (Date.now() < warmEnd)

    const callsA = calibrate(A, state, c, o.sampleMs)
    const callsB = calibrate(B, state, c, o.sampleMs)

    const aNs: number[] = []
    const bNs: number[] = []
    const ratios: number[] = []
    const end = Date.now() + o.budgetMs
    for (let round = 0; round < o.maxRounds && (round < o.minRounds || Date.now() < end); round++) {
      if (!c.gcEverySample) collect()
      // Alternate the order (A B, B A, ...) so that drift and "who runs right after gc" cancel out.
      const order = round % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)
      let a = NaN
      let b = NaN
      for (const side of order) {
        if (c.gcEverySample) collect()
        if (side === 'a') a = sample(A, state, callsA)
        else b = sample(B, state, callsB)
        c.afterSample?.(state)
        dropSink()
      }
      aNs.push(a)
      bNs.push(b)
      ratios.push(c.speed ? b / a : a / b)
    }

    const [rq1, ratio, rq3] = quartiles(ratios)
    const caseStats = sideStats(aNs, callsA, c.units)
    const baseStats = sideStats(bNs, callsB, c.units)
    const t = c.target
    const pass = t
      ? (t.max === undefined || ratio <= t.max) && (t.min === undefined || ratio >= t.min) && (t.maxNs === undefined || caseStats.medianNs <= t.maxNs)
      : undefined
    const marginal = t
      ? (t.max !== undefined && rq1 <= t.max && t.max <= rq3) || (t.min !== undefined && rq1 <= t.min && t.min <= rq3)
      : undefined
    result = {
      name: c.name,
      baselineName: c.baselineName,
      target: c.target,
      units: c.units,
      rounds: ratios.length,
      case: caseStats,
      baseline: baseStats,
      ratio,
      ratioQ1: rq1,
      ratioQ3: rq3,
      ratioOfMedians: c.speed ? baseStats.medianNs / caseStats.medianNs : caseStats.medianNs / baseStats.medianNs,
      speed: c.speed,
      ratios,
      pass,
      marginal,
      note: c.note,
      wallMs: 0,
    }
  } catch (e) {
    c.teardown?.(state)
    throw e
  }
  const extra = c.teardown?.(state)
  collect()
  if (typeof extra === 'string' && extra) result.note = result.note ? `${result.note} ${extra}` : extra
  result.wallMs = Date.now() - started
  return result
}

// ---------------------------------------------------------------------------------------------------
// Reporting

export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns)
  const abs = Math.abs(ns)
  const [value, unit] = abs >= 1e9 ? [ns / 1e9, 's'] : abs >= 1e6 ? [ns / 1e6, 'ms'] : abs >= 1e3 ? [ns / 1e3, 'µs'] : [ns, 'ns']
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2
  return `${value.toFixed(digits)} ${unit}`
}

function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return String(r)
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)
}

function formatTarget(t: Target | undefined): string {
  if (!t) return '—'
  const parts: string[] = []
  if (t.min !== undefined) parts.push(`≥ ${t.min}`)
  if (t.max !== undefined) parts.push(`≤ ${t.max}`)
  if (t.maxNs !== undefined) parts.push(`≤ ${formatNs(t.maxNs)}`)
  return parts.join(', ')
}

function side(s: SideStats, units: CaseResult['units']): string {
  const base = formatNs(s.medianNs)
  return units && s.perUnitNs !== undefined ? `${base} (${formatNs(s.perUnitNs)}/${units.name})` : base
}

/** The results as a plain-text table. */
export function renderTable(results: CaseResult[]): string {
  const header = ['case', 'baseline', 'case median', 'baseline median', 'ratio', 'ratio IQR', 'rounds', 'target', 'result']
  const rows = results.map((r) => [
    r.name,
    r.baselineName,
    side(r.case, r.units),
    side(r.baseline, r.units),
    `${formatRatio(r.ratio)}${r.speed ? ' speed' : ''}`,
    `${formatRatio(r.ratioQ1)}–${formatRatio(r.ratioQ3)}`,
    String(r.rounds),
    formatTarget(r.target),
    r.pass === undefined ? 'report' : `${r.pass ? 'PASS' : 'FAIL'}${r.marginal ? ' (marginal)' : ''}`,
  ])
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(width[i])).join(' │ ').trimEnd()
  const rule = width.map((w) => '─'.repeat(w)).join('─┼─')
  return [line(header), rule, ...rows.map(line)].join('\n')
}

function parseArgs(argv: string[], base: RunOptions): RunOptions {
  const o: RunOptions = { ...base }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = (): string => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value`)
      return v
    }
    const number = (): number => {
      const v = Number(value())
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`)
      return v
    }
    if (a === '--json') o.json = value()
    else if (a === '--filter') o.filter = value()
    else if (a === '--strict') o.strict = true
    else if (a === '--diagnose') o.diagnose = true
    else if (a === '--quick') o.timeScale = 0.25
    else if (a === '--time-scale') o.timeScale = number()
    else if (a === '--sample-ms') o.sampleMs = number()
    else if (a === '--help' || a === '-h') {
      console.log(
        [
          'usage: tsx benchmark/bench.ts [options]',
          '  --json <file>       also write the results (with every sample) as JSON to <file>',
          '  --filter <a,b,…>    only cases whose name or baseline contains one of these',
          '  --quick             a quarter of the time budget (smoke run)',
          '  --time-scale <x>    multiply every time budget by x',
          '  --sample-ms <ms>    target duration of one sample (default 10)',
          '  --strict            exit with status 1 when a target is missed',
          '  --diagnose          also run the diagnostic cases (where the cost of a case comes from)',
        ].join('\n'),
      )
      process.exit(0)
    } else throw new Error(`unknown option ${a} (try --help)`)
  }
  return o
}

/**
 * Runs the cases (each against its baseline), prints the table and notes, writes JSON when asked
 * (`--json <file>`), and returns the report. Call `ensureGc()` first.
 */
const CASE_ENV = 'INDIRECT_BUFFER_BENCH_CASE'

/**
 * Measures case `index` in a fresh node process (same flags and script): what one case leaves behind —
 * optimized code tuned to other objects, a heap grown by 128 MB allocations — must not tilt the next one
 * (measured: a property read 3× slower after the allocation case than in a fresh process).
 */
function measureIsolated(index: number, options: RunOptions, argv: string[]): CaseResult {
  const out = join(mkdtempSync(join(os.tmpdir(), 'bench-')), 'case.json')
  try {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, [CASE_ENV]: `${index}:${out}`, [REEXEC_ENV]: '1' },
    })
    if (child.status !== 0) throw new Error(`case ${index} failed in its process (status ${child.status}, ${child.signal ?? 'no signal'})`)
    return JSON.parse(readFileSync(out, 'utf8')) as CaseResult
  } finally {
    rmSync(dirname(out), { recursive: true, force: true })
  }
}

export function runBenchmarks(cases: BenchCase<unknown>[], argv: string[] = process.argv.slice(2), base: RunOptions = defaultOptions): Report {
  let options: RunOptions
  try {
    options = parseArgs(argv, base)
  } catch (e) {
    console.error((e as Error).message)
    process.exit(2)
  }
  const only = process.env[CASE_ENV]
  if (only !== undefined) {
    // A child of measureIsolated: one case, its result to the file named.
    const at = only.indexOf(':')
    const c = cases[Number(only.slice(0, at))]
    writeFileSync(only.slice(at + 1), JSON.stringify(measure(c, options)))
    process.exit(0)
  }
  const started = Date.now()
  // Comma-separated alternatives: a case runs when its name or baseline contains any of them.
  const filters = options.filter?.toLowerCase().split(',').filter((f) => f.length > 0)
  const selected = cases.filter(
    (c) =>
      (options.diagnose || !c.diagnostic) &&
      (!filters || filters.some((f) => c.name.toLowerCase().includes(f) || c.baselineName.toLowerCase().includes(f))),
  )
  const cpus = os.cpus()
  console.log(
    `node ${process.version} (V8 ${process.versions.v8}), ${process.platform}-${process.arch}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}; ` +
      `gc between rounds: ${getGc() ? 'yes' : 'NO'}; ${selected.length} case(s)`,
  )
  const results: CaseResult[] = []
  for (const c of selected) {
    process.stdout.write(`  ${c.name} vs ${c.baselineName} … `)
    const r = measureIsolated(cases.indexOf(c), options, argv)
    results.push(r)
    console.log(`ratio ${formatRatio(r.ratio)} (IQR ${formatRatio(r.ratioQ1)}–${formatRatio(r.ratioQ3)}, ${r.rounds} rounds, ${(r.wallMs / 1000).toFixed(1)} s)`)
  }
  const wallMs = Date.now() - started
  console.log()
  console.log(renderTable(results))
  console.log()
  console.log('Times are medians per call; ratio = median over rounds of (case time / baseline time), measured back to back;')
  console.log('ratio IQR = 25th–75th percentile of those per-round ratios. "marginal": the target lies inside the IQR.')
  for (const r of results) if (r.note) console.log(`- ${r.name}: ${r.note}`)
  console.log(`total ${(wallMs / 1000).toFixed(1)} s`)

  const report: Report = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      v8: process.versions.v8,
      platform: process.platform,
      arch: process.arch,
      cpus: cpus[0]?.model ?? 'unknown',
      cpuCount: cpus.length,
      gc: getGc() !== undefined,
      options,
      wallMs,
    },
    results,
  }
  if (options.json) {
    writeFileSync(options.json, JSON.stringify(report, null, 2) + '\n')
    console.log(`results written to ${options.json}`)
  }
  if (options.strict && results.some((r) => r.pass === false)) process.exitCode = 1
  // Keep the sinks observable.
  if (numericSink === 0.5 && sink === 'never') console.log('')
  return report
}
