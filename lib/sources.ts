// 2-D sources: typed arrays, ArrayBuffers and ndarray-like objects ({ data, shape, stride | strides, offset })
// reduced to one description of strided memory, in bytes.

import { describe, makeError } from './errors.js'
import { type AnyTypedArray, formatOfTypedArray } from './formats.js'

/** An ndarray-like object: scijs `ndarray` (`stride`) and `@stdlib/ndarray` (`strides`) both fit. */
export interface NdarrayLike {
  data: ArrayBufferView | ArrayBuffer | SharedArrayBuffer
  shape: readonly number[]
  stride?: readonly number[]
  strides?: readonly number[]
  /** Offset of the first element, in elements (default 0). */
  offset?: number
  /** A read-only source refuses writable views and being copied into. */
  readonly?: boolean
}

/** Any 2-D source of the view constructors. */
export type Source2D = ArrayBufferView | ArrayBuffer | SharedArrayBuffer | NdarrayLike

/** Strided memory: element (r, c) starts `offset + r * rowStride + c * colStride` bytes into `bytes`. */
export interface Strided {
  bytes: AnyTypedArray
  format: string
  itemsize: number
  ndim: number
  rows: number
  cols: number
  rowStride: number
  colStride: number
  offset: number
  readonly: boolean
  /** Whether the memory is plain bytes (Uint8Array, Buffer, ArrayBuffer …): a format override may regroup it. */
  bytewise: boolean
}

function isBufferLike(x: unknown): x is ArrayBuffer | SharedArrayBuffer {
  return x instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && x instanceof SharedArrayBuffer)
}

export function isNdarrayLike(x: unknown): x is NdarrayLike {
  return typeof x === 'object' && x !== null && !ArrayBuffer.isView(x) && 'data' in x && 'shape' in x
}

/**
 * The memory, element format and element count of a flat memory object, or undefined if it is none. The
 * memory is the typed array itself where possible (no view to make: collections of many rows are built per
 * row), else a fixed-length Uint8Array: over a resizable buffer a fixed length stays valid when the buffer
 * grows and reports length 0 (detected as detached) only when it shrinks below it.
 */
export function flatMemory(x: unknown): { bytes: AnyTypedArray; format: string; itemsize: number; length: number } | undefined {
  if (ArrayBuffer.isView(x)) {
    // A DataView over a detached buffer throws on byteLength: look at its buffer first.
    if (x instanceof DataView ? isDetached(x.buffer) : x.byteLength === 0) checkNotDetached(x.buffer)
    const format = formatOfTypedArray(x)
    if (format === undefined) {
      // DataView: bytes
      return { bytes: new Uint8Array(x.buffer, x.byteOffset, x.byteLength), format: 'B', itemsize: 1, length: x.byteLength }
    }
    const view = x as AnyTypedArray
    return { bytes: view, format, itemsize: view.BYTES_PER_ELEMENT, length: view.length }
  }
  if (isBufferLike(x)) {
    if (x.byteLength === 0) checkNotDetached(x)
    return { bytes: new Uint8Array(x, 0, x.byteLength), format: 'B', itemsize: 1, length: x.byteLength }
  }
  return undefined
}

/**
 * Throws ERR_DETACHED for a detached buffer (it reports byteLength 0, like an empty one; only an empty-looking
 * buffer is looked at closer). `ArrayBuffer.prototype.detached` where the runtime has it (Node ≥ 21),
 * else a view over it, which a detached buffer refuses.
 */
export function checkNotDetached(buffer: ArrayBufferLike): void {
  if (isDetached(buffer)) throw makeError('ERR_DETACHED', 'the source ArrayBuffer was detached or transferred')
}

/** Whether `buffer` is detached: `ArrayBuffer.prototype.detached` where the runtime has it, else a view refused. */
export function isDetached(buffer: ArrayBufferLike): boolean {
  const flag = (buffer as { detached?: boolean }).detached
  if (flag !== undefined) return flag
  try {
    void new Uint8Array(buffer)
    return false
  } catch {
    return true
  }
}

function integers(value: unknown, n: number, what: string): number[] {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
    throw makeError('ERR_INVALID_ARGUMENT', `the ndarray's ${what} must be an array of integers, received ${describe(value)}`)
  }
  const a = Array.from(value as ArrayLike<unknown>)
  if (a.length !== n || !a.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) {
    throw makeError('ERR_INVALID_ARGUMENT', `the ndarray's ${what} must be ${n} integers, received ${describe(value)}`)
  }
  return a as number[]
}

/** An ndarray-like object's memory in bytes: shape, byte strides and byte offset, bounds-checked. */
export function ndarrayMemory(x: NdarrayLike): {
  bytes: AnyTypedArray
  format: string
  itemsize: number
  shape: number[]
  strides: number[]
  offset: number
  readonly: boolean
} {
  const flat = flatMemory(x.data)
  if (flat === undefined) {
    throw makeError('ERR_INVALID_ARGUMENT', `an ndarray's data must be a TypedArray or an ArrayBuffer, received ${describe(x.data)}`)
  }
  const shapeIn = x.shape
  if (!Array.isArray(shapeIn))
    throw makeError('ERR_INVALID_ARGUMENT', `the ndarray's shape must be an array, received ${describe(shapeIn)}`)
  const ndim = shapeIn.length
  const shape = integers(shapeIn, ndim, 'shape')
  if (shape.some((s) => s < 0)) throw makeError('ERR_INVALID_ARGUMENT', `the ndarray's shape has a negative size: [${shape.join(', ')}]`)
  // Absent is undefined; null is a value, and refused like any other non-array.
  const given = x.stride !== undefined ? x.stride : x.strides
  let strides: number[]
  if (given === undefined) {
    strides = new Array<number>(ndim)
    let s = 1
    for (let k = ndim - 1; k >= 0; k--) {
      strides[k] = s
      s *= shape[k]
    }
  } else {
    strides = integers(given, ndim, 'strides')
  }
  const offset = x.offset === undefined ? 0 : x.offset
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) {
    throw makeError('ERR_INVALID_ARGUMENT', `the ndarray's offset must be an integer, received ${describe(offset)}`)
  }
  // Every reachable element must lie inside the data.
  if (!shape.includes(0)) {
    let lo = offset
    let hi = offset
    for (let k = 0; k < ndim; k++) {
      const span = (shape[k] - 1) * strides[k]
      if (span < 0) lo += span
      else hi += span
    }
    if (lo < 0 || hi >= flat.length) {
      throw makeError(
        'ERR_INVALID_ARGUMENT',
        `the ndarray's shape, strides and offset reach outside its data (elements ${lo}..${hi} of ${flat.length})`,
      )
    }
  }
  const flags = (x as { flags?: { READONLY?: unknown } }).flags
  const readonly = x.readonly === true || flags?.READONLY === true
  const isz = flat.itemsize
  return {
    bytes: flat.bytes,
    format: flat.format,
    itemsize: isz,
    shape,
    strides: strides.map((s) => s * isz),
    offset: offset * isz,
    readonly,
  }
}

/**
 * A 2-D source as strided memory. 1-D sources are one row (`[1, n]`); more than two dimensions throw
 * `ERR_TOO_MANY_DIMENSIONS`. Matrices and other objects throw `ERR_INVALID_ARGUMENT`.
 */
export function stridedSource(source: unknown): Strided {
  const flat = flatMemory(source)
  if (flat !== undefined) {
    return {
      bytes: flat.bytes,
      format: flat.format,
      itemsize: flat.itemsize,
      ndim: 1,
      rows: 1,
      cols: flat.length,
      rowStride: flat.length * flat.itemsize,
      colStride: flat.itemsize,
      offset: 0,
      readonly: false,
      bytewise: flat.itemsize === 1,
    }
  }
  if (isNdarrayLike(source)) {
    const m = ndarrayMemory(source)
    const ndim = m.shape.length
    if (ndim > 2) throw makeError('ERR_TOO_MANY_DIMENSIONS', `expected at most 2 but found ${ndim} dimensions`)
    if (ndim === 0) throw makeError('ERR_DIMENSIONS', 'wrong number of dimensions: expected 2, received 0')
    const [rows, cols] = ndim === 2 ? m.shape : [1, m.shape[0]]
    const [rowStride, colStride] = ndim === 2 ? m.strides : [cols * m.itemsize, m.strides[0]]
    return {
      bytes: m.bytes,
      format: m.format,
      itemsize: m.itemsize,
      ndim,
      rows,
      cols,
      rowStride,
      colStride,
      offset: m.offset,
      readonly: m.readonly,
      bytewise: m.itemsize === 1,
    }
  }
  throw makeError(
    'ERR_INVALID_ARGUMENT',
    `expected a 2-D source (a TypedArray, an ArrayBuffer or an ndarray-like object), received ${describe(source)}`,
  )
}
