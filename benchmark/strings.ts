// String tables and ragged tables (issue: ragged tables, string tables and NULL-terminated tables).
//
// - fromStrings of 10 000 short strings against koffi marshalling the same `const char **` for one call:
//   building the table once should cost at most 3 such calls, and every later call through `pointer` should
//   be at least 10× cheaper than marshalling again;
// - createRagged against createMemory of the same number of bytes.
//
// The native call is `row_at(table, 0)` of the test library: it reads one row pointer, so its time is the
// call plus whatever producing the `char **` costs — exactly what is compared.
//
//   npx tsx benchmark/strings.ts [--quick] [--filter fromStrings]   # these cases alone (after the same warm-up)
//
// `npm run bench` measures them with all the others, in its one process.

import { IndirectMemory2D } from 'indirect-buffer'
import koffi from 'koffi'
import { testLibraryPath } from '../examples/testlib'
import { type BenchCase, defineCase, ensureGc, runBenchmarks } from './harness'
import { warmUp } from './warmup'

type RowAt = (table: bigint | readonly string[], r: number) => bigint

function rowAt(): RowAt {
  // `const char **`: koffi takes a bigint as the address itself, and for an Array of strings builds a
  // temporary char*[] with a UTF-8 copy of every string, on every call.
  return koffi.load(testLibraryPath).func('const void *row_at(const char **table, size_t r)') as RowAt
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`benchmark self-check failed: ${message}`)
}

const COUNT = 10_000

/** Short strings of 4–19 bytes, some of them multi-byte UTF-8 (as file names, keys and option lists are). */
function shortStrings(): string[] {
  return Array.from({ length: COUNT }, (_, i) => (i % 7 === 0 ? `clé-${i}` : `key_${i}_${'x'.repeat(i % 9)}`))
}

/** Row lengths of a ragged double table: 1000 rows of 1–1999 elements in pairs that add up to 2000. */
const RAGGED_ROWS = 1000
const raggedLengths = Array.from({ length: RAGGED_ROWS }, (_, r) => {
  const x = 1 + ((Math.floor(r / 2) * 7919) % 1999)
  return r % 2 === 0 ? x : 2000 - x
})
const raggedElements = raggedLengths.reduce((a, n) => a + n, 0)

export function stringCases(): BenchCase<unknown>[] {
  const call = rowAt()
  return [
    defineCase({
      group: 'construction',
      name: `fromStrings(${COUNT} short strings)`,
      baselineName: `koffi row_at(Array of ${COUNT} strings)`,
      target: { max: 3 },
      note: 'building the NULL-terminated char** once (UTF-8 encoding, one NUL per row, the row table) vs one koffi call that marshals the same strings.',
      setup() {
        const strings = shortStrings()
        const list = IndirectMemory2D.fromStrings(strings)
        check(list.rows === COUNT && list.toStrings()[COUNT - 1] === strings[COUNT - 1], 'the table holds the strings')
        check(call(list.pointer, COUNT - 1) === list.rowPointer(COUNT - 1), 'native code reads the last row pointer')
        list.release()
        return { strings, made: [] as IndirectMemory2D[] }
      },
      run: (s) => {
        const list = IndirectMemory2D.fromStrings(s.strings)
        s.made.push(list)
        return list
      },
      baseline: (s) => call(s.strings, 0),
      afterSample: (s) => {
        for (const list of s.made) list.release()
        s.made.length = 0
      },
    }),
    defineCase({
      group: 'native calls',
      name: `row_at(fromStrings.pointer) ${COUNT} strings`,
      baselineName: `koffi row_at(Array of ${COUNT} strings)`,
      target: { max: 0.1 },
      note: 'each later call: the table built once, passed as its pointer (re-validated on every read) vs koffi marshalling every string again.',
      setup() {
        const strings = shortStrings()
        const list = IndirectMemory2D.fromStrings(strings)
        check(call(list.pointer, 0) === list.rowPointer(0), 'native code reads the first row pointer')
        return { strings, list }
      },
      run: (s) => call(s.list.pointer, 0),
      baseline: (s) => call(s.strings, 0),
      teardown: (s) => void s.list.release(),
    }),
    defineCase({
      group: 'construction',
      name: `createRagged ${RAGGED_ROWS} rows of 1–1999 d`,
      baselineName: `createMemory ${RAGGED_ROWS}×${raggedElements / RAGGED_ROWS} d`,
      note: `the same ${((raggedElements * 8) / 1e6).toFixed(1)} MB of doubles, zero-filled, with its row table; rows aligned for the format on both sides. Report only (no target in the issue).`,
      setup() {
        const ragged = IndirectMemory2D.createRagged({ rowLengths: raggedLengths, format: 'd' })
        check(ragged.nbytes === raggedElements * 8, 'same bytes')
        ragged.release()
        return { made: [] as IndirectMemory2D[] }
      },
      run: (s) => {
        const m = IndirectMemory2D.createRagged({ rowLengths: raggedLengths, format: 'd' })
        s.made.push(m)
        return m
      },
      baseline: (s) => {
        const m = IndirectMemory2D.createMemory({ rows: RAGGED_ROWS, cols: raggedElements / RAGGED_ROWS, format: 'd' })
        s.made.push(m)
        return m
      },
      afterSample: (s) => {
        for (const m of s.made) m.release()
        s.made.length = 0
      },
    }),
  ]
}

if (require.main === module) {
  ensureGc()
  void runBenchmarks(stringCases(), () => warmUp())
}
