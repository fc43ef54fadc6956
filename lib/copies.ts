// Copies between a matrix and another 2-D side (copyFrom, copyTo), and the copies out (toTypedArray, toArray).
// The facade resolves the other side and checks read-only targets and shapes in the contract's order; the
// native kernels check formats and move the bytes. Tiny copies of matching formats run here in JS, where the
// native call's fixed cost would dominate.

import { type ElementValue, elementInput, getChecked } from './access.js'
import { flag, oneOf, options } from './args.js'
import { describeSide, type JsSide, type OtherSide, rowStart } from './copy-sides.js'
import { describe, makeError } from './errors.js'
import {
  type AnyTypedArray,
  describeFormat,
  type FormatDescription,
  formatsMatch,
  nativeChar,
  type TypedArrayConstructor,
} from './formats.js'
import { checkAll } from './lifetime.js'
import { isNdarrayLike } from './sources.js'
import { rowOffset, State, segmentOfRow } from './state.js'

/** Options of `copyFrom` / `copyTo`. */
export interface CopyOptions {
  /** Copy raw bytes between formats of equal itemsize (int8 -1 → uint8 255). */
  cast?: boolean
  /** Convert values between any two scalar formats, as `TypedArray.prototype.set` does. */
  convert?: boolean
}

export interface ToTypedArrayOptions {
  /** `'C'` row-major (default) or `'F'` column-major. */
  order?: 'C' | 'F'
}

type Native = NonNullable<State['native']>

/** Copies of at most this many bytes between JS memory of one format run in JS: the native call costs more. */
const SMALL_COPY_BYTES = 256

/** `copyFrom` (`into`) or `copyTo`: `other` is a matrix's State, or anything `describeSide` takes. */
export function copy(s: State, other: State | unknown, into: boolean, opts: CopyOptions | undefined): void {
  const o = options(opts, into ? 'copyFrom' : 'copyTo')
  const cast = flag(o.cast, 'cast', false)
  const convert = flag(o.convert, 'convert', false)
  checkAll(s)
  const matrix = other instanceof State ? other : undefined
  if (matrix !== undefined) checkAll(matrix)
  const native = s.native as Native
  if (matrix !== undefined) {
    // Two matrices: the core runs every check of the copy contract, once and in its order.
    native.copyMatrix(matrix.native as Native, { into, cast, convert })
    return
  }
  // The other side is parsed here, so the contract's first check (a read-only target) runs before the parse can
  // fail on its dimensions; the core runs the rest (raggedness, shapes, formats, itemsizes).
  if (into ? s.readonly : peekReadonly(other)) throw makeError('ERR_READONLY', 'copying to readonly buffer')
  const side: OtherSide = describeSide(other)
  const { rows, cols } = side
  const sameShape = rows === s.rows && cols === s.cols && s.lengths === undefined
  if (side.kind === 'js') {
    if (sameShape && s.plane !== undefined && rows * cols * s.format.itemsize <= SMALL_COPY_BYTES && formatsMatch(s.format, side.format)) {
      copySmall(s, side, into)
    } else {
      const segments = side.segments as AnyTypedArray[]
      const rowsAt = side.layout
      const format = side.format.native
      const { colStride } = side
      native.copyJs(
        'rowStride' in rowsAt
          ? { segments, rows, offset: rowsAt.offset, rowStride: rowsAt.rowStride, cols, colStride, format }
          : { segments, segmentOfRow: rowsAt.segmentOfRow, rowOffsets: rowsAt.rowOffsets, cols, colStride, format },
        { into, cast, convert },
      )
    }
    return
  }
  // Plain values are converted here, so their shape is checked before they are (an empty list fits 0 rows).
  if (rows === 0 ? s.rows !== 0 : rows !== s.rows || cols !== s.cols) throw makeError('ERR_SHAPE_MISMATCH', 'different shapes')
  if (s.lengths !== undefined) native.requireRectangle()
  if (rows > 0) {
    if (into) {
      const values = valuesAsTypedArray(side.values, s.format, rows, cols)
      const isz = values.format.itemsize
      const bytes = new Uint8Array(values.data.buffer, values.data.byteOffset, values.data.byteLength)
      const plane = { segments: [bytes], rows, offset: 0, rowStride: cols * isz, cols, colStride: isz, format: values.format.native }
      native.copyJs(plane, { into: true, convert: true })
    } else {
      const values = toArray(s)
      for (let r = 0; r < rows; r++) {
        const row = side.values[r]
        for (let c = 0; c < cols; c++) row[c] = values[r][c]
      }
    }
  }
}

/**
 * The snapshot of small copies: allocated once, off the JS heap. A fresh small Uint8Array lives on the heap, and
 * its first `subarray` moves it off (a malloc per copy): a 1×1 copyFrom cost 1.6–1.8 µs with one, 0.8 µs with
 * this, and 0.65–0.8 µs when sides in different buffers skip the snapshot.
 */
const SCRATCH = new Uint8Array(new ArrayBuffer(SMALL_COPY_BYTES))

/** A small raw copy between the matrix's JS memory and strided JS memory, through a snapshot (overlap-safe). */
function copySmall(s: State, side: JsSide, into: boolean): void {
  const plane = s.plane as NonNullable<State['plane']>
  const { rows, cols } = s
  const isz = s.format.itemsize
  const rowBytes = cols * isz
  if (rows === 0 || rowBytes === 0) return // nothing to copy (and empty rows' offsets may lie anywhere)
  const dense = side.colStride === isz
  const mine = (r: number): Uint8Array => {
    const k = segmentOfRow(plane.layout, r)
    return new Uint8Array(s.segBuffers[k], s.segBases[k] + rowOffset(plane.layout, r), rowBytes)
  }
  const theirs = (r: number, c: number, n: number): Uint8Array => {
    const [seg, offset] = rowStart(side, r)
    return new Uint8Array(seg.buffer, seg.byteOffset + offset + c * side.colStride, n)
  }
  if (dense && !side.segments.some((seg) => s.segBuffers.includes(seg.buffer))) {
    // Sides in different buffers cannot overlap: no snapshot.
    for (let r = 0; r < rows; r++) {
      if (into) mine(r).set(theirs(r, 0, rowBytes))
      else theirs(r, 0, rowBytes).set(mine(r))
    }
    return
  }
  const tmp = SCRATCH
  for (let r = 0; r < rows; r++) {
    if (!into) tmp.set(mine(r), r * rowBytes)
    else if (dense) tmp.set(theirs(r, 0, rowBytes), r * rowBytes)
    else for (let c = 0; c < cols; c++) tmp.set(theirs(r, c, isz), r * rowBytes + c * isz)
  }
  for (let r = 0; r < rows; r++) {
    const row = tmp.subarray(r * rowBytes, (r + 1) * rowBytes)
    if (into) mine(r).set(row)
    else if (dense) theirs(r, 0, rowBytes).set(row)
    else for (let c = 0; c < cols; c++) theirs(r, c, isz).set(row.subarray(c * isz, (c + 1) * isz))
  }
}

/** Whether an ndarray-like copy target says it is read-only (looked at before its shape is checked). */
function peekReadonly(x: unknown): boolean {
  if (!isNdarrayLike(x)) return false
  const flags = (x as { flags?: { READONLY?: unknown } }).flags
  return x.readonly === true || flags?.READONLY === true
}

/** `toTypedArray({ order })`: a contiguous copy in the native-order TypedArray of the format. */
export function toTypedArray(s: State, opts: ToTypedArrayOptions | undefined): AnyTypedArray {
  const o = options(opts, 'toTypedArray')
  const order = oneOf(o.order, 'order', ['C', 'F'] as const, 'C')
  checkAll(s)
  if (s.lengths !== undefined) (s.native as Native).requireRectangle()
  const f = s.format
  const { rows, cols } = s
  let target: FormatDescription
  if (f.record) {
    if (order === 'F') throw makeError('ERR_FORMAT_UNSUPPORTED', 'column-major order needs a scalar format')
    target = f
  } else {
    target = describeFormat(nativeChar(f.dtype))
    // float16 where the runtime has no Float16Array: a Float32Array holds every float16 value exactly.
    if (target.ArrayType === undefined) target = describeFormat('f')
  }
  const out = f.record ? new Uint8Array(rows * cols * f.itemsize) : new (target.ArrayType as TypedArrayConstructor)(rows * cols)
  const isz = target.itemsize
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  const [rowStride, colStride] = order === 'C' ? [cols * isz, isz] : [isz, rows * isz]
  ;(s.native as Native).copyJs(
    { segments: [bytes], rows, offset: 0, rowStride, cols, colStride, format: target.native },
    { into: false, convert: true },
  )
  return out
}

/** `toArray()`: nested arrays of values. */
export function toArray(s: State): ElementValue[][] {
  if (s.format.record) {
    checkAll(s)
    throw makeError('ERR_FORMAT_UNSUPPORTED', `toArray() needs a scalar format, not the record format ${JSON.stringify(s.format.text)}`)
  }
  if (s.lengths !== undefined) {
    // A ragged table: rows of their own lengths, element by element (checked once here, then read).
    checkAll(s)
    const lengths = s.lengths
    return Array.from({ length: s.rows }, (_, r) => Array.from({ length: lengths[r] }, (_, c) => getChecked(s, r, c)))
  }
  const flat = toTypedArray(s, undefined) as unknown as ArrayLike<number | bigint>
  const bool = s.format.dtype === 'bool'
  const cols = s.cols
  const out = new Array<ElementValue[]>(s.rows)
  for (let r = 0; r < out.length; r++) {
    const row = Array.prototype.slice.call(flat, r * cols, (r + 1) * cols) as ElementValue[]
    out[r] = bool ? row.map((x) => x !== 0) : row
  }
  return out
}

/**
 * Rows of plain values as one contiguous TypedArray in the native-order format of `f`. Each value is taken as
 * `set` takes it (TypedArray assignment: a bigint into a non-64-bit format is refused), except that a number
 * into a 64-bit format follows the copy rule (`BigInt(Math.trunc(x))`, wrapped; NaN and ±Infinity → 0).
 */
function valuesAsTypedArray(
  values: unknown[][],
  f: FormatDescription,
  rows: number,
  cols: number,
): { data: AnyTypedArray; format: FormatDescription } {
  if (f.record) throw makeError('ERR_FORMAT_UNSUPPORTED', 'values cannot be converted into a record format')
  const native = describeFormat(nativeChar(f.dtype))
  // float16 without Float16Array: go through float64, converted natively (one rounding).
  const target = native.ArrayType === undefined ? describeFormat('d') : native
  const Ctor = target.ArrayType as TypedArrayConstructor
  const data = new Ctor(rows * cols)
  const out = data as unknown as (number | bigint)[]
  const big = Ctor === BigInt64Array || Ctor === BigUint64Array
  for (let r = 0; r < rows; r++) {
    const row = values[r]
    for (let c = 0; c < cols; c++) {
      const v = row[c]
      if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean') {
        throw makeError('ERR_INVALID_ARGUMENT', `row ${r}, column ${c}: expected a number, a bigint or a boolean, received ${describe(v)}`)
      }
      let x: number | bigint | boolean
      if (f.dtype === 'bool') x = v ? 1 : 0
      else if (big) x = typeof v === 'number' ? (Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n) : BigInt(v)
      else if (typeof v === 'bigint') {
        throw makeError('ERR_INVALID_ARGUMENT', `row ${r}, column ${c}: a ${f.dtype} element takes a number, received ${describe(v)}`)
      } else x = elementInput(f.dtype, Number(v))
      out[r * cols + c] = x as number | bigint
    }
  }
  return { data, format: target }
}
