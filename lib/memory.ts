// IndirectMemory2D: the matrix class and its constructors.

import { describe, makeError } from './errors.js'
import { describeFormat } from './formats.js'
import { Indirect2D, type Init, NativeMatrix, flag, options } from './matrix.js'

export interface CreateMemoryOptions<F extends string = string> {
  rows: number
  cols: number
  /** Element format: struct-module (`'d'`, `'<i'`, `'id'`) or dtype name (`'float64'`). */
  format: F
  /** Refuse writes from JS (default false). */
  readonly?: boolean
  /** Store the data in a SharedArrayBuffer, so a worker can wrap the same memory (default false). */
  shared?: boolean
}

/** The largest byte length a JS ArrayBuffer can have here. */
const MAX_BYTES = Number.MAX_SAFE_INTEGER

/** Checks one size of a shape: a non-negative safe integer. */
export function checkSize(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw makeError('ERR_INVALID_SHAPE', `${name} must be a non-negative integer, received ${describe(value)}`)
  }
  return value
}

/** A 2-D indirect matrix: a table of row pointers (`T**`) over owned, borrowed or native memory. */
export class IndirectMemory2D<F extends string = string> extends Indirect2D<F> {
  private constructor(init: Init) {
    super(init)
  }

  /**
   * A new zero-filled matrix. Its data lives in one JS-owned ArrayBuffer (SharedArrayBuffer with
   * `shared: true`), rows aligned for the format, so row views are zero-copy in Node and in Electron;
   * the row-pointer table is native.
   */
  static createMemory<F extends string>(opts: CreateMemoryOptions<F>): IndirectMemory2D<F> {
    const o = options<CreateMemoryOptions<F>>(opts, 'createMemory')
    const rows = checkSize(o.rows, 'rows')
    const cols = checkSize(o.cols, 'cols')
    const format = describeFormat(o.format)
    const readonly = flag(o.readonly, 'readonly', false)
    const shared = flag(o.shared, 'shared', false)
    // Rows back to back, each padded to the format's alignment (records like 'ih' need it).
    const rowBytes = cols * format.itemsize
    const stride = Math.ceil(rowBytes / format.align) * format.align
    const total = rows * stride
    if (!Number.isSafeInteger(total) || total > MAX_BYTES) {
      throw makeError('ERR_INVALID_SHAPE', `a ${rows}×${cols} matrix of ${format.itemsize}-byte elements exceeds addressable memory`)
    }
    let storage: ArrayBuffer | SharedArrayBuffer
    try {
      storage = shared ? new SharedArrayBuffer(total) : new ArrayBuffer(total)
    } catch (e) {
      throw makeError('ERR_INVALID_SHAPE', `cannot allocate ${total} bytes for a ${rows}×${cols} matrix: ${(e as Error).message}`)
    }
    const segment = new Uint8Array(storage)
    const segmentOfRow = new Uint32Array(rows)
    const rowOffsets = new Float64Array(rows)
    for (let r = 0; r < rows; r++) rowOffsets[r] = r * stride
    const native = NativeMatrix.overJsMemory(format.text, cols, [segment], segmentOfRow, rowOffsets)
    if (readonly) native.makeReadOnly()
    return new IndirectMemory2D<F>({
      native,
      rows,
      cols,
      format,
      readonly,
      memory: { segments: [segment], segmentLengths: [segment.byteLength], segmentOfRow, rowOffsets },
      keep: [storage],
    })
  }
}
