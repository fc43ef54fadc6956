// The conformance suite's own tiny runner: no test framework, so the same files run unchanged under Node
// (tsx on Node 20, native type stripping on 22.18+), Bun and Deno. Cases run one after another; the last
// line printed is `N passed, M failed`, and the exit code is 1 when anything failed.

import process from 'node:process'

type Case = { name: string; fn: () => void | Promise<void> }
const cases: Case[] = []
const skips: string[] = []

/** Registers a case. */
export function test(name: string, fn: () => void | Promise<void>): void {
  cases.push({ name, fn })
}

/** Registers a case that cannot run here, and says why (shown, not counted). */
export function skip(name: string, reason: string): void {
  skips.push(`${name} (${reason})`)
}

export class AssertionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AssertionError'
  }
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value)
  } catch {
    return String(value)
  }
}

export function equal(actual: unknown, expected: unknown, what = 'value'): void {
  if (!Object.is(actual, expected)) throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`)
}

export function deepEqual(actual: unknown, expected: unknown, what = 'value'): void {
  if (show(actual) !== show(expected)) throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`)
}

export function ok(condition: unknown, what: string): void {
  if (!condition) throw new AssertionError(what)
}

/** `fn` throws an error whose `code` is `code`. */
export function throwsCode(fn: () => unknown, code: string, what = 'call'): void {
  let thrown: unknown
  try {
    fn()
  } catch (error) {
    thrown = error
  }
  if (thrown === undefined) throw new AssertionError(`${what}: expected ${code}, nothing was thrown`)
  const got = (thrown as { code?: unknown }).code
  if (got !== code) throw new AssertionError(`${what}: expected ${code}, got ${String(got)} (${String(thrown)})`)
}

/** Which runtime runs the suite. */
export const runtime: 'bun' | 'deno' | 'node' = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node'

export const runtimeVersion =
  runtime === 'bun'
    ? `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
    : runtime === 'deno'
      ? `Deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`
      : `Node ${process.version}`

/** The runtime's own forced full collection: `Bun.gc(true)`, or V8's `gc()` (`--expose-gc`; Deno: `--v8-flags=--expose-gc`). */
export function forceGc(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun
  if (bun !== undefined) return bun.gc(true)
  const gc = (globalThis as { gc?: () => void }).gc
  if (typeof gc !== 'function') {
    throw new AssertionError(runtime === 'deno' ? 'run Deno with --v8-flags=--expose-gc' : 'run Node with --expose-gc')
  }
  gc()
}

export const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Collects and yields to the event loop (where FinalizationRegistry callbacks run) until `done()` or `ms` pass. */
export async function collectUntil(done: () => boolean, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) return false
    forceGc()
    await tick()
  }
  return true
}

/** Runs every registered case and prints the summary; sets the exit code. */
export async function run(): Promise<void> {
  console.log(`conformance on ${runtimeVersion}`)
  let passed = 0
  let failed = 0
  for (const c of cases) {
    try {
      await c.fn()
      passed++
      console.log(`  ok   ${c.name}`)
    } catch (error) {
      failed++
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      console.log(`  FAIL ${c.name}\n       ${text}`)
    }
  }
  for (const s of skips) console.log(`  skip ${s}`)
  console.log(`${passed} passed, ${failed} failed`)
  process.exitCode = failed > 0 ? 1 : 0
}
