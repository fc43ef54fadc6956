// What reading an address costs the code around it: the async tax (a promise-heavy loop with and without
// one `pointer` read per iteration) and the memory held by view/pointer/release cycles in one task.

import { IndirectMemory2D } from 'indirect-buffer'
import { type BenchCase, collect, defineCase, formatBytes, nextTask } from './harness'
import { check } from './kinds'

const ITERATIONS = 256
const CHUNKS = 16
const CHUNK = 64

/** Where the pointer read lands, so it is not optimized away. */
let pointerSink = 0n

interface PipelineState {
  m: IndirectMemory2D<'d'>
  chunks: Float64Array[]
  total: number
}

// One step of an async pipeline: read a chunk, transform it, write the result; each stage is an async
// function with an await of its own, as stream and queue code is. Every 32 chunks the loop yields a
// macrotask (as awaiting real I/O would).
async function readChunk(s: PipelineState, i: number): Promise<Float64Array> {
  await null
  return s.chunks[i % CHUNKS]
}

async function transform(chunk: Float64Array): Promise<number> {
  let sum = 0
  for (let j = 0; j < chunk.length; j++) sum += chunk[j] * 0.5
  await null
  return sum
}

async function write(s: PipelineState, v: number): Promise<void> {
  await null
  s.total += v
}

// One function for both sides, the read behind a flag, so that both run the same compiled code. Two separate
// functions (one with the read, one without) are compiled differently, which showed in the figure: over 200
// rounds they measured 1.06–1.12 for the address read, and 1.08–1.09 with `BigInt(m.rows)` in its place; with
// the flag the address read measured 1.05. The sides also alternate call by call (`interleave`): with one sample
// of each side per round, whichever side ran first after the round's gc was 4% slower, and the median moved
// 0.99–1.05 from run to run. Interleaved, after the warm-up: the address read 1.02–1.03, `s.chunks.length` in
// its place 1.01, the same pipeline on both sides 1.00 (IQR 0.98–1.01).
async function pipeline(s: PipelineState, readPointer: boolean): Promise<number> {
  s.total = 0
  for (let i = 0; i < ITERATIONS; i++) {
    const chunk = await readChunk(s, i)
    // The one difference: the address read, as code handing it to a synchronous native call does.
    if (readPointer) pointerSink = s.m.pointer
    const v = await transform(chunk)
    await write(s, v)
    if (i % 32 === 31) await nextTask()
  }
  return s.total
}

const asyncTax = defineCase({
  group: 'async',
  name: `async pipeline + m.pointer per step (${ITERATIONS} steps)`,
  baselineName: 'the same pipeline without the read',
  target: { max: 1.05 },
  async: true,
  interleave: true,
  // The figure is a few per cent, the spread of one round larger: more rounds than the default budget gives.
  budgetMs: 8000,
  units: { count: ITERATIONS, name: 'step' },
  note:
    `each step awaits three async stages (read a ${CHUNK}-element chunk, transform it, write the result; one await inside each) ` +
    'and every 32nd step yields a macrotask, as awaiting I/O would; the case adds one m.pointer read per step, nothing else. ' +
    "A macrotask passes between samples, so neither side inherits the other's task.",
  setup() {
    const m = IndirectMemory2D.createMemory({ rows: 16, cols: 16, format: 'd' })
    const chunks = Array.from({ length: CHUNKS }, (_, k) => new Float64Array(CHUNK).map((_, j) => k + j))
    return { m, chunks, total: 0 }
  },
  run: (s) => pipeline(s, true),
  baseline: (s) => pipeline(s, false),
  teardown(s) {
    check(pointerSink === s.m.pointer, 'the pointer read landed')
    s.m.release()
  },
})

const CYCLES = 100_000
const SIDE = 16

interface Growth {
  rss: number
  heap: number
}

interface MemoryState {
  last: { case?: Growth; baseline?: Growth }
}

function usage(): Growth {
  const u = process.memoryUsage()
  return { rss: u.rss, heap: u.heapUsed + u.external }
}

/** Runs `cycles` in one synchronous task and returns the growth (after a forced gc) of RSS and of heap + external memory. */
function growthOver(cycle: () => void): Growth {
  collect()
  const before = usage()
  for (let i = 0; i < CYCLES; i++) cycle()
  collect()
  const after = usage()
  return { rss: after.rss - before.rss, heap: after.heap - before.heap }
}

const memoryHeld = defineCase({
  group: 'memory',
  name: `${CYCLES / 1000}k × (viewFromRows ${SIDE}×${SIDE}, pointer, release()) in one task`,
  baselineName: `${CYCLES / 1000}k × (Float64Array + ${SIDE} row subarrays)`,
  target: { maxBytes: 64 * 1024 * 1024 },
  quantity: 'bytes',
  minRounds: 3,
  maxRounds: 3,
  warmupMs: 0,
  note:
    `memory grown over the cycles, all in one synchronous task, measured after a forced gc in that task: the larger of RSS growth and ` +
    `heap + external growth. Each cycle views a fresh ${SIDE}×${SIDE} Float64Array (2 KB). Target: ≤ 64 MB for the case.`,
  setup: (): MemoryState => ({ last: {} }),
  run(s) {
    const g = growthOver(() => {
      const data = new Float64Array(SIDE * SIDE)
      const v = IndirectMemory2D.viewFromRows({ data, shape: [SIDE, SIDE], stride: [SIDE, 1] })
      pointerSink = v.pointer
      v.release()
    })
    s.last.case = g
    return Math.max(g.rss, g.heap)
  },
  baseline(s) {
    let keep: Float64Array[] = []
    const g = growthOver(() => {
      const data = new Float64Array(SIDE * SIDE)
      keep = Array.from({ length: SIDE }, (_, r) => data.subarray(r * SIDE, (r + 1) * SIDE))
    })
    s.last.baseline = g
    check(keep.length === SIDE, 'baseline rows made')
    return Math.max(g.rss, g.heap)
  },
  teardown(s) {
    const show = (g: Growth | undefined) => (g ? `RSS ${formatBytes(g.rss)}, heap+external ${formatBytes(g.heap)}` : 'n/a')
    return `Last round: case ${show(s.last.case)}; baseline ${show(s.last.baseline)}.`
  },
})

export function lifetimeCases(): BenchCase<unknown>[] {
  return [asyncTax as BenchCase<unknown>, memoryHeld as BenchCase<unknown>]
}
