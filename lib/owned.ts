// Matrices that own their data: createMemory, createRagged and fromStrings. The data lives in one JS-owned
// buffer (so row views are zero-copy in Node and in Electron's V8 sandbox); the row table is native.

import { checkRowCount, checkSize, flag, options } from './args.js'
import { describe, makeError } from './errors.js'
import { describeFormat, type FormatDescription } from './formats.js'
import type { Init, ListedRows, Plane, StridedRows } from './state.js'
import { jsMemoryInit } from './tables.js'

export interface CreateMemoryOptions<F extends string = string> {
  /** Number of rows. */
  rows: number
  /** Elements per row. */
  cols: number
  /** Element format: struct-module (`'d'`, `'<i'`, `'id'`) or dtype name (`'float64'`). */
  format: F
  /** Refuse writes from JS (default false). */
  readonly?: boolean
  /** Store the data in a SharedArrayBuffer, so a worker can wrap the same memory (default false). */
  shared?: boolean
  /** End the row table with an extra NULL entry, for C APIs that count rows by it (default false). */
  nullTerminated?: boolean
}

export interface CreateRaggedOptions<F extends string = string> extends Omit<CreateMemoryOptions<F>, 'rows' | 'cols'> {
  /** Elements of each row (non-negative integers); the table has one row per entry. */
  rowLengths: readonly number[]
}

export interface FromStringsOptions {
  /** End the row table with a NULL entry, as `argv` and GLib's strv are (default true). */
  nullTerminated?: boolean
  /** Refuse writes from JS (default false). */
  readonly?: boolean
}

/**
 * The largest matrix this package allocates: 2^47 bytes, the user address space of today's 64-bit systems
 * (x86-64 and arm64 Linux, macOS, Windows). Anything larger cannot exist, so it is refused before anything is
 * allocated.
 */
const MAX_BYTES = 2 ** 47

/**
 * Rows back to back, each starting at a multiple of the format's alignment (records like 'ih' need it).
 * `lengths`: one element count for every row, or each row's.
 */
function allocate(
  format: FormatDescription,
  rows: number,
  lengths: number | Float64Array,
  shared: boolean,
  what: string,
): { storage: ArrayBuffer | SharedArrayBuffer; plane: Plane } {
  const { itemsize, align } = format
  checkRowCount(rows, what)
  const padded = (n: number) => Math.ceil((n * itemsize) / align) * align
  let layout: StridedRows | ListedRows
  let total = 0
  if (typeof lengths === 'number') {
    // A rectangle: rows one size apart, no per-row list (see StridedRows).
    layout = { offset: 0, rowStride: padded(lengths) }
    total = rows * layout.rowStride
  } else {
    // The row arrays before the storage: after a large allocation V8 is over its external-memory limit, and every
    // further off-heap allocation would start a garbage collection (measured: 1.7× the cost of the matrix).
    let listed: ListedRows
    try {
      listed = { segmentOfRow: new Uint32Array(rows), rowOffsets: new Float64Array(rows) }
    } catch (e) {
      throw makeError('ERR_INVALID_SHAPE', `cannot allocate the row table of ${what}: ${(e as Error).message}`)
    }
    for (let r = 0; r < rows; r++) {
      listed.rowOffsets[r] = total
      total += padded(lengths[r])
    }
    layout = listed
  }
  // The storage is committed lazily (fresh zero pages): bound it by the address space.
  if (!Number.isSafeInteger(total) || total > MAX_BYTES) {
    throw makeError('ERR_INVALID_SHAPE', `${what} of ${itemsize}-byte elements exceeds addressable memory`)
  }
  let storage: ArrayBuffer | SharedArrayBuffer
  try {
    storage = shared ? new SharedArrayBuffer(total) : new ArrayBuffer(total)
  } catch (e) {
    throw makeError('ERR_INVALID_SHAPE', `cannot allocate ${total} bytes for ${what}: ${(e as Error).message}`)
  }
  // Every row starts at a multiple of `align` in a buffer the allocator aligns for any scalar: told to the State,
  // which would otherwise check each row of a ragged table (4000 rows: about a tenth of its construction).
  const plane = {
    segments: [new Uint8Array(storage)],
    rows,
    layout,
    colStride: itemsize,
    segmentBytes: [total],
    aligned: align % itemsize === 0 ? true : undefined,
  }
  return { storage, plane }
}

/** `createMemory`: a zero-filled `rows × cols` matrix. */
export function createMemoryInit(opts: unknown): Init {
  const o = options(opts as CreateMemoryOptions, 'createMemory')
  const rows = checkSize(o.rows, 'rows')
  const cols = checkSize(o.cols, 'cols')
  const format = describeFormat(o.format)
  const readonly = flag(o.readonly, 'readonly', false)
  const shared = flag(o.shared, 'shared', false)
  const nullTerminated = flag(o.nullTerminated, 'nullTerminated', false)
  // One multiplication bounds the data before anything is allocated (rows may be 2^53 - 1).
  if (!Number.isSafeInteger(rows * cols * format.itemsize) || rows * cols * format.itemsize > MAX_BYTES) {
    throw makeError('ERR_INVALID_SHAPE', `a ${rows}×${cols} matrix of ${format.itemsize}-byte elements exceeds addressable memory`)
  }
  const { storage, plane } = allocate(format, rows, cols, shared, `a ${rows}×${cols} matrix`)
  return jsMemoryInit(format, cols, readonly, plane, [storage], { nullTerminated })
}

/** `createRagged`: a zero-filled table of rows of the given lengths. */
export function createRaggedInit(opts: unknown): Init {
  const o = options(opts as CreateRaggedOptions, 'createRagged')
  const lengths = rowLengthsArg(o.rowLengths)
  const format = describeFormat(o.format)
  const readonly = flag(o.readonly, 'readonly', false)
  const shared = flag(o.shared, 'shared', false)
  const nullTerminated = flag(o.nullTerminated, 'nullTerminated', false)
  const rows = lengths.length
  let cols = 0
  for (let r = 0; r < rows; r++) cols = Math.max(cols, lengths[r])
  const { storage, plane } = allocate(format, rows, lengths, shared, `a ragged table of ${rows} rows`)
  return jsMemoryInit(format, cols, readonly, plane, [storage], { rowLengths: lengths, nullTerminated })
}

/** Row lengths: an array of non-negative integers (`ERR_INVALID_SHAPE` otherwise). */
export function rowLengthsArg(value: unknown): Float64Array {
  if (!Array.isArray(value))
    throw makeError('ERR_INVALID_SHAPE', `rowLengths must be an array of non-negative integers, received ${describe(value)}`)
  const lengths = new Float64Array(value.length)
  for (let r = 0; r < value.length; r++) lengths[r] = checkSize(value[r], `rowLengths[${r}]`)
  return lengths
}

const encoder = new TextEncoder()

/**
 * `fromStrings`: an owned `char **`, each row the UTF-8 bytes of one string and a NUL. The strings are joined
 * and encoded at once, then cut at the NULs (no string has one of its own): one encoder call instead of one per
 * string (measured on 10,000 short strings: 1.5 koffi marshalling calls against 6).
 */
export function fromStringsInit(strings: unknown, opts: unknown): Init {
  if (!Array.isArray(strings))
    throw makeError('ERR_INVALID_ARGUMENT', `fromStrings takes an array of strings, received ${describe(strings)}`)
  const o = options(opts as FromStringsOptions, 'fromStrings')
  const nullTerminated = flag(o.nullTerminated, 'nullTerminated', true)
  const readonly = flag(o.readonly, 'readonly', false)
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i]
    if (typeof s !== 'string') throw makeError('ERR_INVALID_ARGUMENT', `strings[${i}] must be a string, received ${describe(s)}`)
    if (s.includes('\0'))
      throw makeError('ERR_INVALID_ARGUMENT', `strings[${i}] has an embedded NUL character, which would end it early in C`)
  }
  const rows = strings.length
  const bytes = rows === 0 ? new Uint8Array(0) : encoder.encode(`${strings.join('\0')}\0`)
  const lengths = new Float64Array(rows)
  const offsets = new Float64Array(rows)
  let at = 0
  let cols = 0
  for (let r = 0; r < rows; r++) {
    const end = bytes.indexOf(0, at)
    offsets[r] = at
    lengths[r] = end - at + 1
    cols = Math.max(cols, lengths[r])
    at = end + 1
  }
  const format = describeFormat('B')
  const plane = { segments: [bytes], rows, layout: { segmentOfRow: new Uint32Array(rows), rowOffsets: offsets }, colStride: 1 }
  return jsMemoryInit(format, cols, readonly, plane, [bytes.buffer], { rowLengths: lengths, nullTerminated })
}
