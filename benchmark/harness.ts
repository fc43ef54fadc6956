// A small A/B benchmark harness for noisy machines.
//
// Absolute times on a shared box mean little; the ratio of two operations measured side by side holds.
// So every case is measured against its baseline in interleaved rounds (A B, then B A, ...), the
// garbage collector runs between rounds (or before every sample, for cases that allocate big buffers),
// and the result of a case is the median of the per-round ratios case/baseline, with the interquartile
// range of those ratios as the spread. A case whose effect is smaller than the drift between two samples
// (`interleave`) alternates the sides call by call within each round instead.
//
// The headline run measures every case in ONE process, after a warm-up that has used the library the way
// a long-lived application does (every kind of matrix, many formats, every hot path): optimized code that
// only stays fast in a fresh process must show here. `--fresh` also measures each case in a fresh process
// of its own and prints that figure beside the one-process one.
//
// Adding a benchmark is one `defineCase({ ... })` in a list passed to `runBenchmarks`:
//
//   defineCase({
//     group: 'copies', name: 'copyFrom 1000×1000 d', baselineName: 'Float64Array.prototype.set',
//     target: { max: 1.5 },
//     setup: () => ({ m: IndirectMemory2D.createMemory({ rows: 1000, cols: 1000, format: 'd' }), ... }),
//     run: (s) => s.m.copyFrom(s.src),
//     baseline: (s) => s.dst.set(s.flat),
//     teardown: (s) => s.m.release(),
//   })
//
// Timing uses process.hrtime.bigint(); each sample times `calls` back-to-back calls of one side and
// records the time per call. `calls` is calibrated per side so that a sample lasts about `sampleMs`.
// `async: true` cases return promises (each call is awaited); `quantity: 'bytes'` cases are not timed:
// one call per sample returns the number of bytes it measured (e.g. memory held).

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { basename, dirname, join } from 'node:path'

/** A ratio target: the median ratio case/baseline must be ≤ `max` and/or ≥ `min`. */
export interface Target {
  max?: number
  min?: number
  /** An absolute bound on the case's median time per call, in ns (e.g. a fixed cost). */
  maxNs?: number
  /** An absolute bound on the case's median quantity, in bytes (`quantity: 'bytes'` cases). */
  maxBytes?: number
}

/** Sections of the report, in the order they are printed. */
export type Group = 'construction' | 'elements' | 'native calls' | 'async' | 'memory' | 'copies' | 'diagnostics'

/**
 * One benchmark: `run` (the case) against `baseline`, on the state `setup` returns. Methods (not function
 * properties) so that a `BenchCase<Specific>` is usable where a `BenchCase<unknown>` is expected.
 */
export interface BenchCase<S = unknown> {
  /** The report section (defaults to 'diagnostics' for diagnostic cases, else 'copies'). */
  group?: Group
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
  // biome-ignore lint/suspicious/noConfusingVoidType: most teardowns return nothing, some a note
  teardown?(state: S): string | void
  /** One call handles `count` units (e.g. 10 000 elements): the table also shows the time per unit. */
  units?: { count: number; name: string }
  /** Calls per sample, instead of calibrating to `sampleMs` (use 1 for big allocations). */
  callsPerSample?: number
  /** Run the garbage collector before every sample, not only between rounds (big allocations). */
  gcEverySample?: boolean
  /** `run` and `baseline` return promises; each call is awaited, and a macrotask passes between samples. */
  async?: boolean
  /**
   * (async cases) Alternate the sides call by call within a round (A B, B A, …), each call timed on its own, so
   * that drift and "who runs first after the gc" fall on both sides alike: for an effect smaller than the spread
   * between two samples.
   */
  interleave?: boolean
  /** Not timed: each sample is one call whose returned number (of bytes) is the measurement. */
  quantity?: 'bytes'
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
  /** Time budget of the measured rounds of one case (default 2 s; slow cases stop at 3× it, after 5 rounds). */
  budgetMs: number
  /** At least this many rounds, even past the budget (default 15). */
  minRounds: number
  /** At most this many rounds (default 400). */
  maxRounds: number
  /** Warm-up time of one case, alternating both sides, before calibration (default 300 ms). */
  warmupMs: number
  /** Only run cases whose name or baseline name contains this (case-insensitive). */
  filter?: string
  /** Write the results as JSON here. */
  json?: string
  /** Exit with status 1 when a target is missed (in the one-process run). */
  strict: boolean
  /** Also run the cases marked `diagnostic`. */
  diagnose: boolean
  /** Multiply every budget by this (e.g. 0.25 for a quick smoke run). */
  timeScale: number
  /** Also measure every case in a fresh process of its own, printed beside the one-process figure. */
  fresh: boolean
  /** Skip the application-style warm-up before the one-process run (to see what it changes). */
  noWarmup: boolean
}

export const defaultOptions: RunOptions = {
  sampleMs: 10,
  budgetMs: 2000,
  minRounds: 15,
  maxRounds: 400,
  warmupMs: 300,
  strict: false,
  diagnose: false,
  timeScale: 1,
  fresh: false,
  noWarmup: false,
}

/** Statistics of one side, in the case's unit (ns per call, or bytes for `quantity` cases). */
export interface SideStats {
  median: number
  q1: number
  q3: number
  /** Median per unit (when the case has `units`). */
  perUnit?: number
  callsPerSample: number
  /** Every sample, in round order. */
  samples: number[]
}

/** A case's figures from one kind of run (the one-process run, or a fresh process). */
export interface Measurement {
  rounds: number
  case: SideStats
  baseline: SideStats
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
  wallMs: number
  /** What `teardown` reported. */
  remark?: string
  /** Set when the case threw instead of completing (counted as a missed target). */
  error?: string
}

export interface CaseResult extends Measurement {
  group: Group
  name: string
  baselineName: string
  target?: Target
  units?: { count: number; name: string }
  /** 'ns' (time per call) or 'bytes' (`quantity` cases). */
  unit: 'ns' | 'bytes'
  /** Whether `ratio` is a speed (baseline time / case time) rather than a time ratio. */
  speed?: boolean
  note?: string
  /** The same case measured in a fresh process (with `--fresh`). */
  fresh?: Measurement
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
    /** What the warm-up before the one-process run did. */
    warmup?: string
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
 * Makes sure `global.gc` exists. Without it (plain `tsx benchmark/bench.ts`), re-runs the same script in a
 * child node with the same loader flags (tsx's `--require`/`--import`) plus `--expose-gc`, and exits with the
 * child's status. Returns normally only in a process that has `gc` (or when re-running failed, with a
 * warning: the benchmark then runs without explicit collections).
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

/** Two full collections: the first may leave weak/finalizable objects (and their ArrayBuffers) for the second. */
export function collect(): void {
  const gc = getGc()
  if (gc) {
    gc()
    gc()
  }
}

/** Lets the current macrotask end (setImmediate), as an application's tasks do between requests. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
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

type Side<S> = (s: S) => unknown

/** Times `calls` calls of `fn`, returns ns per call. */
function sampleSync<S>(fn: Side<S>, state: S, calls: number): number {
  let last: unknown
  const t0 = now()
  for (let i = 0; i < calls; i++) last = fn(state)
  const t1 = now()
  consume(last)
  return Number(t1 - t0) / calls
}

/** Times `calls` awaited calls of `fn`, returns ns per call. */
async function sampleAsync<S>(fn: Side<S>, state: S, calls: number): Promise<number> {
  let last: unknown
  const t0 = now()
  for (let i = 0; i < calls; i++) last = await fn(state)
  const t1 = now()
  consume(last)
  return Number(t1 - t0) / calls
}

/**
 * Times `calls` awaited calls of each side in pairs (A B, B A, …; `round` picks who starts), `between` after
 * each call; returns ns per call of each side. A pair in which either call took over twice its side's median
 * call is left out of both sides: on this shared machine a call of 250 µs is sometimes stalled for
 * milliseconds, which decided whole rounds (an A/A test gave per-round ratios of 0.62–1.62). Anything the case
 * itself costs now and then is far below that and stays in.
 */
async function sampleInterleaved<S>(
  a: Side<S>,
  b: Side<S>,
  state: S,
  calls: number,
  round: number,
  between?: () => Promise<void>,
): Promise<[number, number]> {
  let last: unknown
  const times = [new Float64Array(calls), new Float64Array(calls)]
  for (let i = 0; i < calls; i++) {
    for (const side of (i + round) % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = now()
      last = await (side === 0 ? a : b)(state)
      times[side][i] = Number(now() - t0)
      await between?.()
    }
  }
  consume(last)
  const limit = times.map((t) => 2 * quartiles([...t])[1])
  const total = [0, 0]
  let kept = 0
  for (let i = 0; i < calls; i++) {
    if (times[0][i] > limit[0] || times[1][i] > limit[1]) continue
    total[0] += times[0][i]
    total[1] += times[1][i]
    kept++
  }
  return [total[0] / kept, total[1] / kept]
}

/** One call; its result (a number of bytes) is the sample. */
async function sampleQuantity<S>(fn: Side<S>, state: S): Promise<number> {
  const v = await fn(state)
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`a quantity case returned ${String(v)}, not a number`)
  return v
}

function sampler<S>(c: BenchCase<S>): (fn: Side<S>, state: S, calls: number) => number | Promise<number> {
  if (c.quantity) return (fn, state) => sampleQuantity(fn, state)
  return c.async ? sampleAsync : sampleSync
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
async function calibrate<S>(fn: Side<S>, state: S, c: BenchCase<S>, sampleMs: number): Promise<number> {
  if (c.callsPerSample !== undefined) return c.callsPerSample
  if (c.quantity) return 1
  const take = sampler(c)
  let calls = 1
  for (;;) {
    const perCall = await take(fn, state, calls)
    c.afterSample?.(state)
    dropSink()
    const total = perCall * calls
    if (total >= (sampleMs * 1e6) / 4 || calls >= 1 << 24) {
      return Math.max(1, Math.min(1 << 24, Math.round((sampleMs * 1e6) / Math.max(perCall, 1))))
    }
    calls *= total < (sampleMs * 1e6) / 100 ? 10 : 2
  }
}

function sideStats(samples: number[], callsPerSample: number, units: BenchCase['units']): SideStats {
  const [q1, median, q3] = quartiles(samples)
  return { median, q1, q3, perUnit: units ? median / units.count : undefined, callsPerSample, samples }
}

function verdict(t: Target | undefined, ratio: number, rq1: number, rq3: number, caseMedian: number, unit: 'ns' | 'bytes') {
  if (!t) return { pass: undefined, marginal: undefined }
  const pass =
    (t.max === undefined || ratio <= t.max) &&
    (t.min === undefined || ratio >= t.min) &&
    (t.maxNs === undefined || (unit === 'ns' && caseMedian <= t.maxNs)) &&
    (t.maxBytes === undefined || (unit === 'bytes' && caseMedian <= t.maxBytes))
  const marginal = (t.max !== undefined && rq1 <= t.max && t.max <= rq3) || (t.min !== undefined && rq1 <= t.min && t.min <= rq3)
  return { pass, marginal }
}

/** Measures one case against its baseline. */
export async function measure<S>(c: BenchCase<S>, options: RunOptions = defaultOptions): Promise<Measurement> {
  const started = Date.now()
  const o = {
    sampleMs: c.sampleMs ?? options.sampleMs,
    budgetMs: (c.budgetMs ?? options.budgetMs) * options.timeScale,
    minRounds: c.minRounds ?? options.minRounds,
    maxRounds: c.maxRounds ?? options.maxRounds,
    warmupMs: (c.warmupMs ?? options.warmupMs) * options.timeScale,
  }
  const unit = c.quantity ? 'bytes' : 'ns'
  if (c.interleave && !c.async) throw new Error(`${c.name}: interleave is for async cases (a sync call is too short to time alone)`)
  const take = sampler(c)
  // Between samples of async and quantity cases a macrotask passes, so that whatever one sample left
  // for "the end of the task" (a library's deferred cleanup) is done before the other side runs.
  const between = c.async || c.quantity ? nextTask : undefined
  await nextTask()
  collect()
  const state = c.setup()
  let result: Measurement
  try {
    const A: Side<S> = (s) => c.run(s)
    const B: Side<S> = (s) => c.baseline(s)

    // Warm-up: alternate both sides until both had the JIT's attention for warmupMs (quantities: none).
    const warmEnd = Date.now() + o.warmupMs
    let warmCalls = c.callsPerSample ?? 1
    if (!c.quantity)
      do {
        const t0 = Date.now()
        for (const fn of [A, B]) {
          if (c.gcEverySample) collect()
          await take(fn, state, warmCalls)
          c.afterSample?.(state)
          dropSink()
          await between?.()
        }
        // Longer batches while they are short, so that slow operations do not overshoot the warm-up.
        if (c.callsPerSample === undefined && !c.quantity && Date.now() - t0 < o.warmupMs / 10) warmCalls = Math.min(warmCalls * 2, 1 << 16)
      } while (Date.now() < warmEnd)

    const callsA = await calibrate(A, state, c, o.sampleMs)
    const callsB = await calibrate(B, state, c, o.sampleMs)

    // One sample of each side, the order alternating by round (A B, B A, ...) so that drift and "who runs
    // right after gc" cancel out.
    const roundInTurn = async (round: number): Promise<[number, number]> => {
      let a = NaN
      let b = NaN
      for (const side of round % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
        if (c.gcEverySample) collect()
        if (side === 'a') a = await take(A, state, callsA)
        else b = await take(B, state, callsB)
        c.afterSample?.(state)
        dropSink()
        await between?.()
      }
      return [a, b]
    }
    const interleavedRound = async (round: number): Promise<[number, number]> => {
      const ab = await sampleInterleaved(A, B, state, Math.max(callsA, callsB), round, between)
      c.afterSample?.(state)
      dropSink()
      return ab
    }

    const aValues: number[] = []
    const bValues: number[] = []
    const ratios: number[] = []
    const end = Date.now() + o.budgetMs
    // Slow cases (a sample far above sampleMs) stop at 3× the budget, after at least 5 rounds.
    const hardEnd = Date.now() + 3 * o.budgetMs
    const more = (round: number) => round < o.maxRounds && (round < o.minRounds || Date.now() < end) && (round < 5 || Date.now() < hardEnd)
    for (let round = 0; more(round); round++) {
      if (!c.gcEverySample) collect()
      const [a, b] = c.interleave ? await interleavedRound(round) : await roundInTurn(round)
      aValues.push(a)
      bValues.push(b)
      // A quantity's target is absolute (its baseline may be 0 or negative): no ratio for it.
      const r = c.speed ? b / a : a / b
      if (!c.quantity && Number.isFinite(r)) ratios.push(r)
    }

    const [rq1, ratio, rq3] = quartiles(ratios)
    const caseStats = sideStats(aValues, callsA, c.units)
    const baseStats = sideStats(bValues, callsB, c.units)
    result = {
      rounds: aValues.length,
      case: caseStats,
      baseline: baseStats,
      ratio,
      ratioQ1: rq1,
      ratioQ3: rq3,
      ratioOfMedians: c.speed ? baseStats.median / caseStats.median : caseStats.median / baseStats.median,
      ratios,
      ...verdict(c.target, ratio, rq1, rq3, caseStats.median, unit),
      wallMs: 0,
    }
  } catch (e) {
    c.teardown?.(state)
    throw e
  }
  const extra = c.teardown?.(state)
  collect()
  if (typeof extra === 'string' && extra) result.remark = extra
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

export function formatBytes(bytes: number): string {
  const text = (bytes / (1024 * 1024)).toFixed(1)
  return `${text === '-0.0' ? '0.0' : text} MB`
}

export function formatValue(v: number, unit: 'ns' | 'bytes'): string {
  return unit === 'bytes' ? formatBytes(v) : formatNs(v)
}

export function formatRatio(r: number): string {
  if (Number.isNaN(r)) return '—'
  if (!Number.isFinite(r)) return String(r)
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)
}

export function formatTarget(t: Target | undefined): string {
  if (!t) return '—'
  const parts: string[] = []
  if (t.min !== undefined) parts.push(`≥ ${t.min}`)
  if (t.max !== undefined) parts.push(`≤ ${t.max}`)
  if (t.maxNs !== undefined) parts.push(`≤ ${formatNs(t.maxNs)}`)
  if (t.maxBytes !== undefined) parts.push(`≤ ${formatBytes(t.maxBytes)}`)
  return parts.join(', ')
}

function formatVerdict(m: Measurement): string {
  if (m.error !== undefined) return 'ERROR'
  return m.pass === undefined ? 'report' : `${m.pass ? 'PASS' : 'FAIL'}${m.marginal ? ' (marginal)' : ''}`
}

function side(s: SideStats, r: CaseResult): string {
  const base = formatValue(s.median, r.unit)
  return r.units && s.perUnit !== undefined ? `${base} (${formatValue(s.perUnit, r.unit)}/${r.units.name})` : base
}

/** The results as a plain-text table, one section per group. */
export function renderTable(results: CaseResult[]): string {
  const withFresh = results.some((r) => r.fresh)
  const header = ['case', 'baseline', 'case median', 'baseline median', 'ratio', 'ratio IQR', 'rounds', 'target', 'result']
  if (withFresh) header.push('fresh ratio', 'fresh result')
  const rows: (string[] | string)[] = []
  let group: Group | undefined
  for (const r of results) {
    if (r.group !== group) {
      group = r.group
      rows.push(group)
    }
    const row = [
      r.name,
      r.baselineName,
      side(r.case, r),
      side(r.baseline, r),
      `${formatRatio(r.ratio)}${r.speed ? ' speed' : ''}`,
      `${formatRatio(r.ratioQ1)}–${formatRatio(r.ratioQ3)}`,
      String(r.rounds),
      formatTarget(r.target),
      formatVerdict(r),
    ]
    if (withFresh) {
      const f = r.fresh
      const figure = !f
        ? ''
        : r.unit === 'bytes'
          ? formatValue(f.case.median, r.unit)
          : `${formatRatio(f.ratio)} (${formatRatio(f.ratioQ1)}–${formatRatio(f.ratioQ3)})`
      row.push(figure, f ? formatVerdict(f) : '')
    }
    rows.push(row)
  }
  const cells = rows.filter((row): row is string[] => typeof row !== 'string')
  const width = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)))
  const line = (cs: string[]) =>
    cs
      .map((cell, i) => cell.padEnd(width[i]))
      .join(' │ ')
      .trimEnd()
  const rule = width.map((w) => '─'.repeat(w)).join('─┼─')
  return [line(header), rule, ...rows.map((row) => (typeof row === 'string' ? `[${row}]` : line(row)))].join('\n')
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
    else if (a === '--fresh') o.fresh = true
    else if (a === '--no-warmup') o.noWarmup = true
    else if (a === '--quick') o.timeScale = 0.25
    else if (a === '--time-scale') o.timeScale = number()
    else if (a === '--sample-ms') o.sampleMs = number()
    else if (a === '--help' || a === '-h') {
      console.log(
        [
          'usage: node --expose-gc --import tsx benchmark/bench.ts [options]',
          '  --json <file>       also write the results (with every sample) as JSON to <file>',
          '  --filter <a,b,…>    only cases whose name or baseline contains one of these',
          '  --fresh             also measure every case in a fresh process (a second column)',
          '  --no-warmup         skip the application-style warm-up before the one-process run',
          '  --quick             a quarter of the time budget (smoke run)',
          '  --time-scale <x>    multiply every time budget by x',
          '  --sample-ms <ms>    target duration of one sample (default 10)',
          '  --strict            exit with status 1 when a target is missed in the one-process run',
          '  --diagnose          also run the diagnostic cases (where the cost of a case comes from)',
        ].join('\n'),
      )
      process.exit(0)
    } else throw new Error(`unknown option ${a} (try --help)`)
  }
  return o
}

const CASE_ENV = 'INDIRECT_BUFFER_BENCH_CASE'

/** True in a child process that measures one case in a fresh process (no warm-up there). */
export function isFreshChild(): boolean {
  return process.env[CASE_ENV] !== undefined
}

/** Measures case `index` in a fresh node process (same flags and script, no warm-up). */
function measureIsolated(index: number, argv: string[]): Measurement {
  const out = join(mkdtempSync(join(os.tmpdir(), 'bench-')), 'case.json')
  try {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, [CASE_ENV]: `${index}:${out}`, [REEXEC_ENV]: '1' },
    })
    if (child.status !== 0) throw new Error(`case ${index} failed in its process (status ${child.status}, ${child.signal ?? 'no signal'})`)
    // JSON has no NaN (a quantity case has no ratio): it comes back as null.
    return JSON.parse(readFileSync(out, 'utf8'), (_, v: unknown) => (v === null ? NaN : v)) as Measurement
  } finally {
    rmSync(dirname(out), { recursive: true, force: true })
  }
}

/** A case that throws (a library change broke it) is reported as an error, and the run goes on. */
async function measureOrError(run: () => Promise<Measurement>, c: BenchCase<unknown>): Promise<Measurement> {
  try {
    return await run()
  } catch (e) {
    const empty = sideStats([], 0, undefined)
    const error = e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e)
    return {
      rounds: 0,
      case: empty,
      baseline: empty,
      ratio: NaN,
      ratioQ1: NaN,
      ratioQ3: NaN,
      ratioOfMedians: NaN,
      ratios: [],
      pass: c.target ? false : undefined,
      wallMs: 0,
      error,
    }
  }
}

function groupOf(c: BenchCase<unknown>): Group {
  return c.group ?? (c.diagnostic ? 'diagnostics' : 'copies')
}

const GROUP_ORDER: Group[] = ['construction', 'elements', 'native calls', 'async', 'memory', 'copies', 'diagnostics']

/**
 * Runs the cases (each against its baseline): `warmUp` first (unless `--no-warmup`), then every case in this
 * process; with `--fresh` also each case in a fresh process. Prints the table and notes, writes JSON when
 * asked (`--json <file>`), and returns the report. Call `ensureGc()` first.
 */
export async function runBenchmarks(
  cases: BenchCase<unknown>[],
  warmUp: () => string,
  argv: string[] = process.argv.slice(2),
  base: RunOptions = defaultOptions,
): Promise<Report> {
  let options: RunOptions
  try {
    options = parseArgs(argv, base)
  } catch (e) {
    console.error((e as Error).message)
    process.exit(2)
  }
  const only = process.env[CASE_ENV]
  if (only !== undefined) {
    // A child of measureIsolated: one case in a fresh process, its result to the file named.
    const at = only.indexOf(':')
    const c = cases[Number(only.slice(0, at))]
    writeFileSync(only.slice(at + 1), JSON.stringify(await measure(c, options)))
    process.exit(0)
  }
  const started = Date.now()
  // Comma-separated alternatives: a case runs when its name or baseline contains any of them.
  const filters = options.filter
    ?.toLowerCase()
    .split(',')
    .filter((f) => f.length > 0)
  const selected = cases
    .filter(
      (c) =>
        (options.diagnose || !c.diagnostic) &&
        (!filters || filters.some((f) => c.name.toLowerCase().includes(f) || c.baselineName.toLowerCase().includes(f))),
    )
    .sort((a, b) => GROUP_ORDER.indexOf(groupOf(a)) - GROUP_ORDER.indexOf(groupOf(b)))
  const cpus = os.cpus()
  console.log(
    `node ${process.version} (V8 ${process.versions.v8}), ${process.platform}-${process.arch}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}; ` +
      `gc between rounds: ${getGc() ? 'yes' : 'NO'}; ${selected.length} case(s), all measured in this one process` +
      (options.fresh ? ', then each in a fresh process' : ''),
  )
  let warmup: string | undefined
  if (!options.noWarmup) {
    const t0 = Date.now()
    warmup = warmUp()
    console.log(`warm-up (${((Date.now() - t0) / 1000).toFixed(1)} s): ${warmup}`)
  } else console.log('warm-up skipped (--no-warmup): these figures are NOT the long-process ones')

  const results: CaseResult[] = []
  for (const c of selected) {
    process.stdout.write(`  ${c.name} vs ${c.baselineName} … `)
    const m = await measureOrError(() => measure(c, options), c)
    results.push({
      group: groupOf(c),
      name: c.name,
      baselineName: c.baselineName,
      target: c.target,
      units: c.units,
      unit: c.quantity ? 'bytes' : 'ns',
      speed: c.speed,
      note: c.note,
      ...m,
    })
    const figure = c.quantity ? formatValue(m.case.median, 'bytes') : `ratio ${formatRatio(m.ratio)}`
    console.log(
      `${figure} (IQR ${formatRatio(m.ratioQ1)}–${formatRatio(m.ratioQ3)}, ${m.rounds} rounds, ${(m.wallMs / 1000).toFixed(1)} s) ${formatVerdict(m)}`,
    )
  }
  if (options.fresh) {
    console.log('fresh processes (one per case, no warm-up):')
    for (const r of results) {
      const c = selected[results.indexOf(r)]
      process.stdout.write(`  ${c.name} … `)
      r.fresh = await measureOrError(async () => measureIsolated(cases.indexOf(c), argv), c)
      const f = r.fresh
      console.log(
        `${r.unit === 'bytes' ? formatValue(f.case.median, r.unit) : `ratio ${formatRatio(f.ratio)} (IQR ${formatRatio(f.ratioQ1)}–${formatRatio(f.ratioQ3)})`} ${formatVerdict(f)}`,
      )
    }
  }
  const wallMs = Date.now() - started
  console.log()
  console.log(renderTable(results))
  console.log()
  console.log('Times are medians per call (or bytes); ratio = median over rounds of (case / baseline), measured back to back')
  console.log('in this one process after the warm-up; "speed" ratios are baseline / case. ratio IQR = 25th–75th percentile')
  console.log('of the per-round ratios; "marginal": the target lies inside the IQR.')
  for (const r of results) {
    const text = [
      r.error && `ERROR ${r.error}.`,
      r.note,
      r.remark,
      r.fresh?.error && `(fresh process: ERROR ${r.fresh.error})`,
      r.fresh?.remark ? `(fresh process: ${r.fresh.remark})` : undefined,
    ]
      .filter(Boolean)
      .join(' ')
    if (text) console.log(`- ${r.name}: ${text}`)
  }
  const failed = results.filter((r) => r.pass === false)
  const targeted = results.filter((r) => r.pass !== undefined)
  console.log(
    `targets met in the one-process run: ${targeted.length - failed.length} of ${targeted.length}` +
      (failed.length ? ` (missed: ${failed.map((r) => r.name).join('; ')})` : ''),
  )
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
      // The file name only: a report is published, the machine's paths are not part of it.
      options: { ...options, json: options.json && basename(options.json) },
      warmup,
      wallMs,
    },
    results,
  }
  if (options.json) {
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`)
    console.log(`results written to ${options.json}`)
  }
  if (options.strict && failed.length > 0) process.exitCode = 1
  // Keep the sinks observable.
  if (numericSink === 0.5 && sink === 'never') console.log('')
  return report
}
