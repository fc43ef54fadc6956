// Loads the repository's C-ABI test library (crates/testlib, built by `npm run build:testlib`) through
// koffi: the stand-in for any C library that takes or returns `double**`.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import koffi from 'koffi'

const root = join(__dirname, '..')
const file =
  process.platform === 'win32'
    ? 'indirect_buffer_testlib.dll'
    : process.platform === 'darwin'
      ? 'libindirect_buffer_testlib.dylib'
      : 'libindirect_buffer_testlib.so'

export const testLibraryPath = join(root, 'target', 'release', file)

if (!existsSync(testLibraryPath)) {
  throw new Error(`${testLibraryPath} is missing: run \`npm run build:testlib\` first`)
}

const lib = koffi.load(testLibraryPath)

// koffi 3 passes pointers as bigint: `mem.pointer` goes straight into a `double **` parameter.
export const sum2d = lib.func('double sum2d(double **table, size_t rows, size_t cols)') as (
  table: bigint,
  rows: number,
  cols: number,
) => number
export const fill2d = lib.func('void fill2d(double **table, size_t rows, size_t cols, double value)') as (
  table: bigint,
  rows: number,
  cols: number,
  value: number,
) => void
