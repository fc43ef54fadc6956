// The C functions the guides call, from the repository's C-ABI test library (crates/testlib, built by
// `npm run build:testlib`) — stand-ins for any C library that takes or returns `double**`.

import koffi from 'koffi'
import { testLibraryPath } from '../testlib'

const lib = koffi.load(testLibraryPath)

type Callback<R> = (err: unknown, result: R) => void

// sum2d(table, rows, cols) and fill2d(table, rows, cols, value), as the demo declares them.
export { fill2d, sum2d } from '../testlib'

/** Multiplies every element by `factor` after sleeping `sleepMs`; returns the new sum. A slow C call for `.async()`. */
export const scale2dSlow = lib.func('double scale2d_slow(double **table, size_t rows, size_t cols, double factor, uint32_t sleep_ms)') as {
  (table: bigint, rows: number, cols: number, factor: number, sleepMs: number): number
  async(table: bigint, rows: number, cols: number, factor: number, sleepMs: number, cb: Callback<number>): void
}

/** `const uint8_t *row_at(const uint8_t **table, size_t r)`: the row pointer C reads from a table. */
export const rowAt = lib.func('const uint8_t *row_at(const uint8_t **table, size_t r)') as (table: bigint, r: number) => bigint

/** `double **make2d(size_t rows, size_t cols)`: a zeroed matrix that C allocates (free it with `free2d`). */
export const make2d = lib.func('double **make2d(size_t rows, size_t cols)') as (rows: number, cols: number) => bigint

/** `void free2d(double **table, size_t rows, size_t cols)` */
export const free2d = lib.func('void free2d(double **table, size_t rows, size_t cols)') as (
  table: bigint,
  rows: number,
  cols: number,
) => void

/** How many `make2d` matrices are alive: shows when a memory nanny ran. */
export const live2d = lib.func('size_t live2d()') as () => number

/** Throws unless `ok`: every sample checks what it claims. */
export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`)
  console.log(`ok    ${what}`)
}

/** Runs `fn` and returns the `code` of the error it throws (undefined if it does not throw). */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return (e as { code?: string }).code
  }
  return undefined
}
