// The non-matrix side of a copy (copyFrom / copyTo): ndarray-like objects of any strides, arrays of rows
// (typed arrays, or arrays of plain values), and the 1-D inputs copies reject — described as strided JS
// memory for the native kernels, in bytes.

import { describe, makeError } from './errors.js'
import { type AnyTypedArray, describeFormat, type FormatDescription, formatOfTypedArray } from './formats.js'
import { checkNotDetached, flatMemory, isNdarrayLike, ndarrayMemory } from './sources.js'
import { type ListedRows, rowOffset, type StridedRows, segmentOfRow } from './state.js'

/**
 * Strided JS memory the native copy reads or writes: the rows of an ndarray-like at a fixed distance in one
 * segment (`rowStride`; no per-row list, so a copy of n rows does no O(n) work before the kernel), or those
 * of an array of rows each at its own place (`segmentOfRow`, `rowOffsets`). Offsets and strides in bytes.
 */
export interface JsSide {
  kind: 'js'
  rows: number
  cols: number
  format: FormatDescription
  readonly: boolean
  segments: readonly AnyTypedArray[]
  colStride: number
  layout: StridedRows | ListedRows
}

/** Where row `r` of a JS side starts: its segment and the byte offset into it. */
export function rowStart(side: JsSide, r: number): [AnyTypedArray, number] {
  return [side.segments[segmentOfRow(side.layout, r)], rowOffset(side.layout, r)]
}

/** An array of rows of plain values (numbers, bigints, booleans), converted with TypedArray rules. */
export interface ValuesSide {
  kind: 'values'
  rows: number
  cols: number
  values: unknown[][]
}

export type OtherSide = JsSide | ValuesSide

function dimensionsError(n: number): Error {
  return makeError('ERR_DIMENSIONS', `wrong number of dimensions: expected 2, received ${n}`)
}

/** Describes `x` as the other side of a copy; `ERR_DIMENSIONS` for anything that is not 2-D. */
export function describeSide(x: unknown): OtherSide {
  if (flatMemory(x) !== undefined) throw dimensionsError(1)
  if (isNdarrayLike(x)) {
    const m = ndarrayMemory(x)
    if (m.shape.length !== 2) throw dimensionsError(m.shape.length)
    const [rows, cols] = m.shape
    return {
      kind: 'js',
      rows,
      cols,
      format: describeFormat(m.format),
      readonly: m.readonly,
      segments: [m.bytes],
      colStride: m.strides[1],
      layout: { offset: m.offset, rowStride: m.strides[0] },
    }
  }
  if (Array.isArray(x)) return arrayOfRows(x)
  if (x === null || (typeof x !== 'object' && typeof x !== 'function')) throw dimensionsError(0)
  throw makeError(
    'ERR_INVALID_ARGUMENT',
    `expected a 2-D source or target (a matrix, an ndarray-like object or an array of rows), received ${describe(x)}`,
  )
}

function arrayOfRows(list: unknown[]): OtherSide {
  if (list.length === 0) return { kind: 'values', rows: 0, cols: 0, values: [] }
  const typed = list.every((row) => ArrayBuffer.isView(row) && formatOfTypedArray(row) !== undefined)
  if (typed) {
    const rows = list as ArrayBufferView[]
    const format = formatOfTypedArray(rows[0]) as string
    const itemsize = (rows[0] as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
    const cols = rows[0].byteLength / itemsize
    const segments: AnyTypedArray[] = []
    for (let r = 0; r < rows.length; r++) {
      if (rows[r].byteLength === 0) checkNotDetached(rows[r].buffer)
      const f = formatOfTypedArray(rows[r])
      if (f !== format || describeFormat(f).itemsize !== itemsize) {
        throw makeError('ERR_FORMAT_MISMATCH', `rows of an array of rows must share one format: row 0 is [${format}], row ${r} is [${f}]`)
      }
      if (rows[r].byteLength !== cols * itemsize) throw makeError('ERR_SHAPE_MISMATCH', 'different shapes')
      segments.push(rows[r] as AnyTypedArray)
    }
    const segmentOfRow = Uint32Array.from({ length: rows.length }, (_, r) => r)
    return {
      kind: 'js',
      rows: rows.length,
      cols,
      format: describeFormat(format),
      readonly: false,
      segments,
      colStride: itemsize,
      layout: { segmentOfRow, rowOffsets: new Float64Array(rows.length) },
    }
  }
  if (!list.every((row) => Array.isArray(row))) {
    if (list.every((v) => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')) throw dimensionsError(1)
    throw makeError('ERR_INVALID_ARGUMENT', 'an array of rows holds TypedArrays of one format, or arrays of numbers, bigints or booleans')
  }
  const values = list as unknown[][]
  const cols = values[0].length
  for (const row of values) {
    if (row.length !== cols) throw makeError('ERR_SHAPE_MISMATCH', 'different shapes')
  }
  return { kind: 'values', rows: values.length, cols, values }
}
