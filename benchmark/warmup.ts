// The application-style warm-up before the one-process run: every kind of matrix in every format of
// kinds.ts through every hot path, for a few seconds, so that the library's own code has seen all of them
// (as in a long-lived server or Electron process) before anything is measured. Its matrices stay alive for
// the rest of the run, as a long-lived application keeps its matrices: released, V8 forgets them at the next
// full collection (their hidden classes, and the feedback that named them), and every case then runs on code
// that has seen only that case (get on an owned 'd' matrix measured 2.1× a Float64Array read so, 3.4× with them
// alive).

import { IndirectMemory2D } from 'indirect-buffer'
import { FORMATS, KINDS, type Kind, type Made, type Matrix, make, supports, testLibrary, valueFor } from './kinds'

const ROWS = 8
const COLS = 8

/** Where the warm-up's results land, so that none of its work can be optimized away. */
export let warmupSink = 0
/** The warm-up's matrices, alive until the process ends. */
export const warmupMatrices: unknown[] = []

/** What an operation threw, by (operation, code), e.g. `row(i) ERR_FORMAT_UNSUPPORTED ['>d' …]`. */
type Refusals = Map<string, Set<string>>

function attempt(refusals: Refusals, what: string, label: string, fn: () => unknown): void {
  try {
    fn()
  } catch (e) {
    const code = (e as { code?: unknown }).code
    // Only coded refusals (a format without row views, …) are expected; anything else is a bug to see.
    if (typeof code !== 'string') throw e
    const key = `${what} → ${code}`
    let set = refusals.get(key)
    if (!set) refusals.set(key, (set = new Set()))
    set.add(label)
  }
}

/** One pass of every hot path over `m`. `twin` is an owned matrix of the same format and shape. */
function exercise(m: Matrix, twin: Matrix, format: string, label: string, refusals: Refusals, flat: Float64Array): number {
  const lib = testLibrary()
  let acc = 0
  attempt(refusals, 'get', label, () => {
    for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) if (m.get(r, c)) acc++
  })
  if (!m.readonly) {
    attempt(refusals, 'set', label, () => {
      for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) m.set(r, c, valueFor(format, r * COLS + c + acc) as never)
    })
  }
  attempt(refusals, 'row(i)', label, () => {
    for (let r = 0; r < ROWS; r++) acc += m.row(r).length
  })
  attempt(refusals, 'rowBytes(i)', label, () => {
    for (let r = 0; r < ROWS; r++) acc += m.rowBytes(r).length
  })
  attempt(refusals, 'rowViews()', label, () => (acc += m.rowViews().length))
  attempt(refusals, 'pointer', label, () => {
    acc += Number(lib.rowAt(m.pointer, 0) & 1n)
  })
  attempt(refusals, 'rowPointer(i)', label, () => {
    for (let r = 0; r < ROWS; r++) acc += Number(m.rowPointer(r) & 1n)
    acc += m.rowPointers().length
  })
  const withPointer = (m as unknown as { withPointer?: (fn: (p: bigint) => unknown) => unknown }).withPointer
  if (typeof withPointer === 'function') attempt(refusals, 'withPointer', label, () => withPointer.call(m, (p) => lib.rowAt(p, 0)))
  attempt(refusals, 'toArray()', label, () => (acc += m.toArray().length))
  attempt(refusals, 'toTypedArray()', label, () => (acc += m.toTypedArray().length))
  attempt(refusals, 'copyTo(matrix)', label, () => m.copyTo(twin))
  if (!m.readonly) attempt(refusals, 'copyFrom(matrix)', label, () => m.copyFrom(twin))
  attempt(refusals, 'copyTo(ndarray, convert)', label, () =>
    m.copyTo({ data: flat, shape: [ROWS, COLS], stride: [COLS, 1] }, { convert: true }),
  )
  if (!m.readonly) {
    attempt(refusals, 'copyFrom(column-major, convert)', label, () =>
      m.copyFrom({ data: flat, shape: [ROWS, COLS], stride: [1, ROWS] }, { convert: true }),
    )
  }
  attempt(refusals, 'subMatrix', label, () => {
    const sub = m.subMatrix(1, ROWS - 1, 1, COLS - 1)
    if (sub.get(0, 0)) acc++
    sub.release()
  })
  return acc
}

/**
 * Runs the warm-up for about `ms` milliseconds (at least 20 rounds) and returns a one-line summary: what was
 * exercised, and which operations the formats refused with a coded error.
 */
export function warmUp(ms = 3000): string {
  const refusals: Refusals = new Map()
  const made: { made: Made; twin: Matrix; format: string; label: string }[] = []
  const combos: { kind: Kind; format: string }[] = []
  for (const kind of KINDS) for (const { format } of FORMATS) if (supports(kind, format)) combos.push({ kind, format })
  for (const { kind, format } of combos) {
    made.push({
      made: make(kind, format, ROWS, COLS),
      twin: IndirectMemory2D.createMemory({ rows: ROWS, cols: COLS, format }),
      format,
      label: `${kind} '${format}'`,
    })
  }
  // The 100- and 1000-row collections the element cases measure, so that their size was seen too.
  const big = [make('collection', 'd', 1000, 4), make('collection', 'd', 100, 8)]
  const flat = new Float64Array(ROWS * COLS)
  let acc = 0
  let rounds = 0
  const end = Date.now() + ms
  while (rounds < 20 || Date.now() < end) {
    for (const x of made) acc += exercise(x.made.m, x.twin, x.format, x.label, refusals, flat)
    for (const c of big) {
      acc += Number(testLibrary().rowAt(c.m.pointer, 0) & 1n)
      acc += c.m.get(c.m.rows - 1, 0) as number
    }
    // Construction paths too: one fresh matrix of every kind and format per round, released at once.
    const { kind, format } = combos[rounds % combos.length]
    make(kind, format, ROWS, COLS).release()
    rounds++
  }
  warmupMatrices.push(made, big)
  warmupSink = acc
  const formats = FORMATS.map((f) => `'${f.format}'`).join(' ')
  const refused = [...refusals].map(
    ([what, labels]) =>
      `${what} (${[...labels]
        .map((l) => l.replace(/^.* /, ''))
        .filter((v, i, a) => a.indexOf(v) === i)
        .join(' ')})`,
  )
  return (
    `${rounds} rounds over ${combos.length} matrices (${KINDS.join(', ')}) × formats ${formats} through get, set, row, rowBytes, ` +
    `rowViews, pointer, rowPointer(s), withPointer (when present), toArray, toTypedArray, copies both ways, subMatrix; ` +
    `refused with a coded error: ${refused.length ? refused.join('; ') : 'nothing'}` +
    (acc === -1 ? '' : '')
  )
}
