// BufferCollection2D: one row object per row (typed arrays, ArrayBuffers, Buffers, contiguous ndarray-likes),
// each row's memory used in place — a list of Float32Array channels becomes a planar float**.

import { flag, options } from './args.js'
import { describe, makeError } from './errors.js'
import { type AnyTypedArray, describeFormat, type FormatDescription, formatsMatch } from './formats.js'
import { Indirect2D } from './matrix.js'
import { flatMemory, isNdarrayLike, ndarrayMemory } from './sources.js'
import type { Init } from './state.js'
import { jsMemoryInit } from './tables.js'

export interface BufferCollectionOptions<F extends string = string> {
  /** Elements per row; -1 (default) takes row 0's. Every row must have it. */
  columnCount?: number
  /** The format every row must match; undefined or null takes row 0's. It does not reinterpret rows. */
  format?: F | null
  /** Read multi-dimensional rows in memory order (default true); false accepts only 1-D rows. */
  unravel?: boolean
  /** Rows of any lengths, each its own (a ragged table); `columnCount` does not go with it. */
  ragged?: boolean
  /** End the row table with an extra NULL entry, for C APIs that count rows by it (default false). */
  nullTerminated?: boolean
}

/** A row object: anything that exposes contiguous memory. */
export type RowObject = ArrayBufferView | ArrayBuffer | SharedArrayBuffer | import('./sources.js').NdarrayLike

interface RowMemory {
  bytes: AnyTypedArray
  format: string
  count: number
  readonly: boolean
}

/** The contiguous memory of row object `i`, with the contract's indexed messages. */
function rowMemory(obj: unknown, i: number, unravel: boolean): RowMemory {
  if (obj instanceof Indirect2D) {
    throw makeError('ERR_INVALID_ARGUMENT', `${i}. object is a matrix, not a row object; use its rows (rowViews()) or subMatrix()`)
  }
  const flat = flatMemory(obj)
  if (flat !== undefined) return { bytes: flat.bytes, format: flat.format, count: flat.length, readonly: false }
  if (!isNdarrayLike(obj)) {
    throw makeError('ERR_INVALID_ARGUMENT', `${i}. object does not expose contiguous memory: received ${describe(obj)}`)
  }
  const m = ndarrayMemory(obj)
  const ndim = m.shape.length
  if (ndim > 1 && !unravel) {
    throw makeError('ERR_ROW_DIMENSIONS', `${i}. object has dimensionality: ${ndim}, but only one-dimensional objects are accepted`)
  }
  // Contiguous in some order: sorted by |stride|, each stride is the product of the sizes below it.
  const count = m.shape.reduce((a, b) => a * b, 1)
  let start = m.offset
  if (count > 0) {
    const dims = m.shape.map((n, k) => ({ n, s: m.strides[k] })).filter((d) => d.n > 1)
    dims.sort((a, b) => Math.abs(a.s) - Math.abs(b.s))
    let expected = m.itemsize
    for (const d of dims) {
      if (Math.abs(d.s) !== expected) throw makeError('ERR_NOT_CONTIGUOUS', `${i}. object: its memory is not contiguous`)
      expected *= d.n
      if (d.s < 0) start += (d.n - 1) * d.s
    }
  }
  const bytes = new Uint8Array(m.bytes.buffer, m.bytes.byteOffset + start, count * m.itemsize)
  return { bytes, format: m.format, count, readonly: m.readonly }
}

function collectionInit(rowObjects: unknown, opts: BufferCollectionOptions | undefined): Init {
  const o = options(opts, 'BufferCollection2D')
  const unravel = flag(o.unravel, 'unravel', true)
  const ragged = flag(o.ragged, 'ragged', false)
  const nullTerminated = flag(o.nullTerminated, 'nullTerminated', false)
  if (ragged && o.columnCount !== undefined) {
    throw makeError('ERR_INVALID_ARGUMENT', 'columnCount does not go with ragged: true (every row keeps its own length)')
  }
  const columnCount = o.columnCount === undefined ? -1 : o.columnCount
  if (typeof columnCount !== 'number' || !Number.isSafeInteger(columnCount) || columnCount < -1) {
    throw makeError('ERR_INVALID_SHAPE', `columnCount must be -1 or a non-negative integer, received ${describe(columnCount)}`)
  }
  if (
    typeof rowObjects !== 'object' ||
    rowObjects === null ||
    typeof (rowObjects as Iterable<unknown>)[Symbol.iterator] !== 'function' ||
    ArrayBuffer.isView(rowObjects)
  ) {
    throw makeError('ERR_INVALID_ARGUMENT', `BufferCollection2D takes a list of row objects, received ${describe(rowObjects)}`)
  }
  const objects = Array.from(rowObjects as Iterable<unknown>)
  let format: FormatDescription | undefined = o.format === undefined || o.format === null ? undefined : describeFormat(o.format)
  let cols = columnCount
  const segments: AnyTypedArray[] = []
  const segmentBytes: number[] = []
  let aligned = true
  const lengths = ragged ? new Float64Array(objects.length) : undefined
  let readonly = false
  // Rows of row 0's TypedArray class and length (a list of Float32Array channels, of Buffers) share its format,
  // column count, byte length and alignment: they skip the lookups and checks (1000 rows of 16 doubles:
  // 375 → 270–300 µs).
  const first = objects[0]
  const sameClass = ArrayBuffer.isView(first) && !(first instanceof DataView) ? Object.getPrototypeOf(first) : undefined
  let sameBytes = 0
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i]
    if (i > 0 && sameClass !== undefined && lengths === undefined && Object.getPrototypeOf(obj) === sameClass) {
      const view = obj as AnyTypedArray
      const count = view.length
      if (count === cols && count > 0) {
        segments.push(view)
        segmentBytes.push(sameBytes)
        continue
      }
    }
    const row = rowMemory(obj, i, unravel)
    if (format === undefined) format = describeFormat(row.format)
    else if (!formatsMatch(format, describeFormat(row.format))) {
      throw makeError('ERR_ROW_FORMAT', `${i}. object, expected format: [${format.text}], found format: [${row.format}]`)
    }
    if (lengths !== undefined) {
      lengths[i] = row.count
      cols = Math.max(cols, row.count)
    } else if (cols === -1) cols = row.count
    else if (row.count !== cols) {
      throw makeError('ERR_COLUMN_COUNT', `${i}. object, expected column count: ${cols}, found column count: ${row.count}`)
    }
    readonly ||= row.readonly
    segments.push(row.bytes)
    segmentBytes.push(row.bytes.byteLength)
    if (i === 0) sameBytes = row.bytes.byteLength
    aligned &&= row.bytes.byteOffset % (format as FormatDescription).itemsize === 0
  }
  const f = format ?? describeFormat('B')
  const rows = objects.length
  cols = Math.max(cols, 0)
  const segmentOfRow = new Uint32Array(rows)
  for (let r = 0; r < rows; r++) segmentOfRow[r] = r
  const rowOffsets = new Float64Array(rows)
  const plane = { segments, rows, layout: { segmentOfRow, rowOffsets }, colStride: f.itemsize, segmentBytes, aligned }
  return jsMemoryInit(f, cols, readonly, plane, objects, { rowLengths: lengths, nullTerminated })
}

/**
 * A matrix over a list of row objects, each used in place: `new BufferCollection2D([left, right]).pointer`
 * is the planar `float**` of two Float32Array channels. Column count and format are detected from row 0
 * unless given, and checked for every row. Read-only if any row object is.
 */
export class BufferCollection2D<F extends string = string> extends Indirect2D<F> {
  constructor(rowObjects: Iterable<RowObject>, opts?: BufferCollectionOptions<F>) {
    super(collectionInit(rowObjects, opts))
  }
}
