// Loads the repository's C-ABI test library (crates/testlib, `npm run build:testlib`) through koffi.
//
// Pointers: koffi 3 represents every pointer as a BigInt (node_modules/koffi/doc/migration.md, "BigInt
// pointers"; doc/pointers.md: "Koffi uses BigInt numbers to represent pointers"), so a matrix's `pointer`
// (a bigint) is passed as is to a parameter declared with its real C type (`double **`, `int32_t **`,
// `uint8_t **`); pointer return values (`row_at`) come back as bigints too. No `uintptr_t` workaround is needed.

import koffi from 'koffi'
import { testLibraryPath } from '../../examples/testlib'

/** `target/release/<lib>` of the repository (shared with the examples and benchmarks). */
export const libraryPath = testLibraryPath

export interface TestLib {
  /** Sums a `double**` matrix. */
  sum2d(table: bigint, rows: number, cols: number): number
  /** Writes `value + r * cols + c` into every element of a `double**` matrix. */
  fill2d(table: bigint, rows: number, cols: number, value: number): void
  /** Multiplies every element by `factor` after sleeping `sleepMs`; returns the new sum. */
  scale2d_slow: ((table: bigint, rows: number, cols: number, factor: number, sleepMs: number) => number) & {
    async(table: bigint, rows: number, cols: number, factor: number, sleepMs: number, cb: (err: unknown, res: number) => void): void
  }
  /** Calls `before()` (which may run a collection), then sums a `double**` matrix. */
  sum2d_after(table: bigint, rows: number, cols: number, before: () => void): number
  /** Sums an `int32_t**` matrix. */
  sum2d_i32(table: bigint, rows: number, cols: number): number
  /** Byte `offset` of row `r`, as native code reads it. */
  byte_at(table: bigint, r: number, offset: number): number
  /** Row pointer `r` of a table, as native code reads it. */
  row_at(table: bigint, r: number): bigint
  /** A zeroed native `double**` matrix (free with `free2d`). */
  make2d(rows: number, cols: number): bigint
  free2d(table: bigint, rows: number, cols: number): void
  /** How many `make2d` matrices are alive. */
  live2d(): number
  /** Entries of a NULL-terminated table before its NULL, as C code counts them. */
  count_null_terminated(table: bigint): number
  /** Sums a ragged `double**`: row `r` has `lengths[r]` doubles (`lengths` is a `size_t[]`). */
  sum_ragged(table: bigint, rows: number, lengths: BigUint64Array): number
  /** Writes `value + r * 1000 + c` into every element of a ragged `double**`. */
  fill_ragged(table: bigint, rows: number, lengths: BigUint64Array, value: number): void
  /** Total `strlen` of a NULL-terminated `char**`. */
  strv_total_len(strv: bigint): number
  /** Upper-cases the ASCII letters of the first `count` strings in place. */
  strv_upcase(strv: bigint, count: number): void
  /** A NULL-terminated `char**` the library allocates: `text` split at the byte `sep` (free with `free_strv`). */
  make_strv(text: string | null, sep: number): bigint | null
  free_strv(strv: bigint): void
  /** How many `make_strv` lists are alive. */
  live_strv(): number
}

/** Row lengths as the `size_t[]` that `sum_ragged` / `fill_ragged` take. */
export function sizes(lengths: readonly number[]): BigUint64Array {
  return BigUint64Array.from(lengths, (n) => BigInt(n))
}

let cached: TestLib | undefined

/** The loaded test library; throws a helpful error when it has not been built. */
export function testlib(): TestLib {
  if (cached !== undefined) return cached
  const lib = koffi.load(libraryPath)
  koffi.proto('void sum2d_before()') // the callback type sum2d_after takes
  cached = {
    sum2d: lib.func('double sum2d(const double **table, size_t rows, size_t cols)'),
    fill2d: lib.func('void fill2d(double **table, size_t rows, size_t cols, double value)'),
    scale2d_slow: lib.func('double scale2d_slow(double **table, size_t rows, size_t cols, double factor, uint32_t sleep_ms)'),
    sum2d_after: lib.func('double sum2d_after(const double **table, size_t rows, size_t cols, sum2d_before *before)'),
    sum2d_i32: lib.func('double sum2d_i32(const int32_t **table, size_t rows, size_t cols)'),
    byte_at: lib.func('uint8_t byte_at(const uint8_t **table, size_t r, size_t offset)'),
    row_at: lib.func('const uint8_t *row_at(const uint8_t **table, size_t r)'),
    make2d: lib.func('double **make2d(size_t rows, size_t cols)'),
    free2d: lib.func('void free2d(double **table, size_t rows, size_t cols)'),
    live2d: lib.func('size_t live2d()'),
    count_null_terminated: lib.func('size_t count_null_terminated(const void **table)'),
    sum_ragged: lib.func('double sum_ragged(const double **table, size_t rows, const size_t *lengths)'),
    fill_ragged: lib.func('void fill_ragged(double **table, size_t rows, const size_t *lengths, double value)'),
    strv_total_len: lib.func('size_t strv_total_len(const char **strv)'),
    strv_upcase: lib.func('void strv_upcase(char **strv, size_t count)'),
    make_strv: lib.func('char **make_strv(const char *text, char sep)'),
    free_strv: lib.func('void free_strv(char **strv)'),
    live_strv: lib.func('size_t live_strv()'),
  } as TestLib
  return cached
}
