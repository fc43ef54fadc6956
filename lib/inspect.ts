// How a matrix shows itself in `console.log` / `util.inspect` (Node, Bun) and Deno's inspector, and how it
// refuses structured cloning. Only the matrix's public API is used, so this module depends on no class.

/** The part of a matrix the rendering reads. `ragged` and `rowLength` are optional (rectangular when absent). */
export interface InspectableMatrix {
  readonly rows: number
  readonly cols: number
  readonly format: string
  readonly dtype: string
  readonly readonly: boolean
  readonly released: boolean
  readonly locked: boolean
  readonly ragged?: boolean
  rowLength?(i: number): number
  get(r: number, c: number): unknown
}

/** The subset of Node's `util.inspect` options used here (Deno and Bun pass compatible objects). */
export interface InspectOptionsLike {
  depth?: number | null
  stylize?: (text: string, styleType: string) => string
}

/** Rows and columns shown at each end of a long axis (NumPy's `edgeitems`). */
const EDGE = 3
/** An axis longer than this is truncated to `EDGE` items at each end. */
const FULL = 2 * EDGE + 2

function styled(options: InspectOptionsLike | undefined, text: string, style: string): string {
  return typeof options?.stylize === 'function' ? options.stylize(text, style) : text
}

/** Indices to show along an axis of `n` items; `-1` marks the elision. */
function shownIndices(n: number): number[] {
  if (n <= FULL) return Array.from({ length: n }, (_, i) => i)
  const head = Array.from({ length: EDGE }, (_, i) => i)
  const tail = Array.from({ length: EDGE }, (_, i) => n - EDGE + i)
  return [...head, -1, ...tail]
}

function formatValue(value: unknown): { text: string; style: string } {
  switch (typeof value) {
    case 'bigint':
      return { text: `${value}n`, style: 'bigint' }
    case 'boolean':
      return { text: String(value), style: 'boolean' }
    case 'number':
      return { text: Object.is(value, -0) ? '-0' : String(value), style: 'number' }
    default:
      return { text: String(value), style: 'undefined' }
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'error'
}

/** The header line: kind, shape, element format and flags. */
function header(m: InspectableMatrix, name: string, options: InspectOptionsLike | undefined): string {
  const ragged = m.ragged === true
  const flags: string[] = []
  if (m.readonly) flags.push('readonly')
  if (ragged) flags.push('ragged')
  if (m.released) flags.push('released')
  if (m.locked) flags.push('locked')
  const shape = `${m.rows}x${m.cols}${ragged ? ' (longest row)' : ''}`
  const format = `${m.dtype} ${styled(options, `'${m.format}'`, 'string')}`
  const flagText = flags.length > 0 ? ` ${styled(options, `[${flags.join(', ')}]`, 'special')}` : ''
  return `${name} ${shape} ${format}${flagText}`
}

/**
 * Renders a matrix the way NumPy and ndarray reprs do: a header with kind, shape, format and flags, then the
 * values, with long axes cut to their first and last three items. `depth` below 0 gives the header alone
 * (as Node does for nested objects past its depth limit). Reading a value never throws out of here: a
 * matrix whose memory cannot be read (released, detached, a record format) shows why instead of values.
 */
export function inspectMatrix(m: InspectableMatrix, depth: number, options?: InspectOptionsLike, _inspect?: unknown): string {
  const name = (m as { constructor?: { name?: unknown } }).constructor?.name
  const kind = typeof name === 'string' && name !== '' ? name : 'Matrix'
  const head = header(m, kind, options)
  if (depth < 0) return `[${head}]`
  if (m.released) return head
  if (m.rows === 0) return `${head} []`

  const rowIndices = shownIndices(m.rows)
  // Cells per shown row; `undefined` stands for the elided column.
  const grid: (string | undefined)[][] = []
  const styles: string[][] = []
  try {
    for (const r of rowIndices) {
      if (r < 0) continue
      const length = m.ragged === true && typeof m.rowLength === 'function' ? m.rowLength(r) : m.cols
      const cells: (string | undefined)[] = []
      const cellStyles: string[] = []
      for (const c of shownIndices(length)) {
        if (c < 0) {
          cells.push(undefined)
          cellStyles.push('')
          continue
        }
        const { text, style } = formatValue(m.get(r, c))
        cells.push(text)
        cellStyles.push(style)
      }
      grid.push(cells)
      styles.push(cellStyles)
    }
  } catch (error) {
    return `${head} ${styled(options, `<values unavailable: ${errorCode(error)}>`, 'special')}`
  }

  // Right-align each column position, as NumPy does.
  const widths: number[] = []
  for (const cells of grid) {
    cells.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, (cell ?? '...').length)
    })
  }
  const lines: string[] = []
  let g = 0
  for (const r of rowIndices) {
    if (r < 0) {
      lines.push(' ...')
      continue
    }
    const cells = grid[g] ?? []
    const cellStyles = styles[g] ?? []
    g++
    const text = cells.map((cell, i) =>
      cell === undefined ? '...' : styled(options, cell.padStart(widths[i] ?? 0), cellStyles[i] ?? 'number'),
    )
    lines.push(` [${text.join(', ')}]`)
  }
  const body = lines.join(',\n').replace(/^ /, '[')
  return `${head}\n${body}]`
}

type MarkAsUncloneable = (value: object) => void
let marker: MarkAsUncloneable | null | undefined

/** `worker_threads.markAsUncloneable` (Node 22.10+), looked up on first use; null where the runtime lacks it. */
function findMarker(): MarkAsUncloneable | null {
  if (marker !== undefined) return marker
  marker = null
  try {
    // A lazy require: nothing is loaded until a matrix is made, and a runtime without the module is fine.
    const workerThreads = require('node:worker_threads') as { markAsUncloneable?: unknown }
    if (typeof workerThreads.markAsUncloneable === 'function') marker = workerThreads.markAsUncloneable as MarkAsUncloneable
  } catch {
    marker = null
  }
  return marker
}

/**
 * Makes `structuredClone(obj)` and `postMessage(obj)` throw a `DataCloneError` instead of silently giving an
 * empty object, where the runtime can do so (`worker_threads.markAsUncloneable`); a no-op elsewhere.
 */
export function markUncloneable(obj: object): void {
  const mark = findMarker()
  if (mark === null) return
  try {
    mark(obj)
  } catch {
    // Marking is a courtesy: a runtime that refuses it leaves cloning as it was.
  }
}
