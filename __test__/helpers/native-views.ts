// Helpers of the zero-copy view tests (views, collection, submatrix, exports, detach, async, workers):
// error assertions, garbage-collection rounds with allocation churn, a FinalizationRegistry tracker, and the
// koffi test library (reused from ./native.ts, the shared loader).

import path from 'node:path'
import type { ExecutionContext } from 'ava'

export { type TestLib, testlib } from './native.js'

export type ErrorClass = typeof Error | typeof TypeError | typeof RangeError

/**
 * How much slower than usual the process runs (scripts/valgrind.sh sets TEST_SLOWDOWN): native calls that must
 * outlast several garbage collections sleep that much longer, so the timing holds under memcheck too.
 */
export const SLOWDOWN = Math.max(1, Number(process.env.TEST_SLOWDOWN ?? 1) || 1)

/**
 * Asserts that `fn` throws an error with `code` (and exactly `message` when given) whose prototype is exactly
 * `Cls.prototype` (a plain `Error` is not accepted where a `TypeError` is due, and vice versa).
 */
export function throwsCode(t: ExecutionContext, fn: () => unknown, code: string, Cls: ErrorClass, message?: string, label?: string): void {
  const e = t.throws(fn, { code, ...(message === undefined ? {} : { message }) }, label) as Error | undefined
  if (e !== undefined) t.is(Object.getPrototypeOf(e), Cls.prototype, `${label ?? code}: ${code} should be a ${Cls.name}`)
}

/** `globalThis.gc`, which ava's `--expose-gc` node argument provides. */
export function gcFunction(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (typeof gc !== 'function') throw new Error('these tests need --expose-gc (ava.nodeArguments in package.json)')
  return gc
}

/** Lets a macrotask pass (FinalizationRegistry callbacks and setImmediate pin flushes run between them). */
export function nextTask(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Allocates and drops garbage of many shapes, so that a collection really has something to do. */
export function churn(amount = 2000): number {
  let junk: unknown[] = []
  let total = 0
  for (let i = 0; i < amount; i++) {
    const a = new Float64Array(8 + (i % 32))
    a[0] = i
    junk.push({ i, a, s: `x${i}`, b: new ArrayBuffer(64 + (i % 7) * 16) })
    total += a[0]
  }
  junk = []
  return total + junk.length
}

/** `rounds` rounds of: churn, full gc, let a task pass (so finalizers and pin flushes can run). */
export async function gcRounds(rounds = 4, ms = 0): Promise<void> {
  const gc = gcFunction()
  for (let i = 0; i < rounds; i++) {
    churn()
    gc()
    await nextTask(ms)
  }
}

/** Records which registered objects were garbage-collected. */
export class CollectionTracker {
  readonly #collected = new Set<string>()
  readonly #registry = new FinalizationRegistry<string>((name) => this.#collected.add(name))

  /** Watch `target` under `name` (the tracker must not hold `target`). */
  watch(target: object, name: string): void {
    this.#registry.register(target, name)
  }

  collected(name: string): boolean {
    return this.#collected.has(name)
  }

  /** gc rounds until `name` was collected or `maxRounds` passed; returns whether it was collected. */
  async waitCollected(name: string, maxRounds = 20): Promise<boolean> {
    for (let i = 0; i < maxRounds && !this.#collected.has(name); i++) await gcRounds(1, 5)
    return this.#collected.has(name)
  }
}

/** Plain JS sum of every element of a `double` matrix read through `get`. */
export function jsSum(m: { rows: number; cols: number; get(r: number, c: number): unknown }): number {
  let s = 0
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) s += m.get(r, c) as number
  return s
}

/** The eval'd bootstrap that starts a TypeScript worker script under tsx's CommonJS hook (works on Node 20 and 24). */
export function tsWorkerBootstrap(file: string): string {
  const tsxCjs = require.resolve('tsx/cjs/api')
  return `require(${JSON.stringify(tsxCjs)}).register(); require(${JSON.stringify(path.resolve(file))})`
}

/** Checks shape and every element (Object.is) of `m` against `expected(r, c)`, and toArray() too. */
export function expectValues(
  t: ExecutionContext,
  m: { shape: [number, number]; rows: number; cols: number; get(r: number, c: number): unknown; toArray(): unknown[][] },
  rows: number,
  cols: number,
  expected: (r: number, c: number) => unknown,
  label = '',
): void {
  t.deepEqual(m.shape, [rows, cols], `${label} shape`)
  t.is(m.rows, rows, `${label} rows`)
  t.is(m.cols, cols, `${label} cols`)
  const want: unknown[][] = []
  for (let r = 0; r < rows; r++) {
    const row: unknown[] = []
    for (let c = 0; c < cols; c++) {
      const v = m.get(r, c)
      if (!Object.is(v, expected(r, c))) t.fail(`${label} get(${r}, ${c}) = ${String(v)}, expected ${String(expected(r, c))}`)
      row.push(expected(r, c))
    }
    want.push(row)
  }
  t.deepEqual(m.toArray() as unknown[][], want, `${label} toArray()`)
}
