// IndirectMemory2D: the matrix class and its constructors.

import { callback, checkSize, flag, options, toAddress } from './args.js'
import { NativeMatrix } from './binding.js'
import { describe, makeError } from './errors.js'
import { describeFormat } from './formats.js'
import { Indirect2D, jsMemoryInit, setViewFactory } from './matrix.js'
import { Nanny } from './nanny.js'
import type { Init } from './state.js'
import { type Source2D, type Strided, checkNotDetached, stridedSource } from './sources.js'

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

export interface ViewOptions<F extends string = string> {
  /** A read-only view (default false: a writable view of a read-only source throws ERR_READONLY). */
  readonly?: boolean
  /** Read the memory in this format instead of the source's own: same itemsize, or regrouped bytes of a byte source. */
  format?: F | null
}

export interface NativeMemoryOptions<A> {
  /** Refuse writes from JS (default false). */
  readonly?: boolean
  /** Any value to keep alive as long as the matrix or any of its views lives (e.g. the koffi object that owns the memory). */
  owner?: unknown
  /**
   * The memory nanny: called exactly once with the address (fromPointer, as a bigint) or the table as given
   * (fromRowPointers) — on `release()`, or after the matrix and all its views were garbage-collected.
   */
  free?: (address: A) => void
}

export interface RowPointersOptions<A> extends NativeMemoryOptions<A> {
  /** How many rows to take from the table (default: all of it). */
  rows?: number
}

/**
 * The largest matrix this package allocates: 2^47 bytes, the user address space of today's 64-bit
 * systems (x86-64 and arm64 Linux, macOS, Windows). Anything larger cannot exist, so it is refused before
 * anything is allocated.
 */
const MAX_BYTES = 2 ** 47
/** Bytes committed at once per row: the row table (8) and the facade's row arrays (4 + 8). */
const BYTES_PER_ROW = 20

/** A 2-D indirect matrix: a table of row pointers (`T**`) over owned, borrowed or native memory. */
export class IndirectMemory2D<F extends string = string> extends Indirect2D<F> {
  private constructor(init: Init) {
    super(init)
  }

  static {
    setViewFactory((init) => new IndirectMemory2D(init))
  }

  /**
   * Wraps a native `T**` (a table of `rows` row pointers, each at `cols` elements of `format`), used in place:
   * `pointer` returns `address`, and every access reads the row pointer the table holds at that moment.
   * The memory is not copied and not owned; `free` (the memory nanny) is called exactly once, on `release()`
   * or after the matrix and all its views are garbage-collected. The caller guarantees that the table and its
   * rows stay valid until then: like any FFI address, a wrong one cannot be detected.
   */
  static fromPointer<F extends string = string>(
    address: bigint | number,
    rows: number,
    cols: number,
    format: F,
    opts?: NativeMemoryOptions<bigint>,
  ): IndirectMemory2D<F> {
    const addr = toAddress(address, 'address')
    const o = options(opts, 'fromPointer')
    const nrows = checkSize(rows, 'rows')
    const ncols = checkSize(cols, 'cols')
    const f = describeFormat(format)
    const readonly = flag(o.readonly, 'readonly', false)
    const free = callback<(address: bigint) => void>(o.free, 'free', true)
    if (addr === 0n) throw makeError('ERR_NULL_POINTER', 'the address is a null pointer')
    const native = NativeMatrix.fromTable(addr, nrows, ncols, f.native)
    if (readonly) native.makeReadOnly()
    const nanny = new Nanny(addr, free, o.owner)
    return new IndirectMemory2D<F>({ native, rows: nrows, cols: ncols, format: f, readonly, plane: undefined, nanny, ownsNanny: true, inPlace: true, keep: [] })
  }

  /**
   * Wraps native rows whose addresses are in `table` (a BigUint64Array or an array of bigints): the addresses
   * are copied into the matrix's own row table. `rows` defaults to the table's length; fewer is fine, more
   * throws `ERR_ROW_COUNT`. `free(table)` receives the table as given.
   */
  static fromRowPointers<F extends string = string, T extends BigUint64Array | readonly bigint[] = BigUint64Array | bigint[]>(
    table: T,
    cols: number,
    format: F,
    opts?: RowPointersOptions<T>,
  ): IndirectMemory2D<F> {
    let addresses: BigUint64Array
    if (table instanceof BigUint64Array) {
      if (table.length === 0) checkNotDetached(table.buffer)
      addresses = table.slice()
    }
    else if (Array.isArray(table)) addresses = BigUint64Array.from(table, (a, i) => toAddress(a, `table[${i}]`))
    else throw makeError('ERR_INVALID_ARGUMENT', `the table must be a BigUint64Array or an array of bigints, received ${describe(table)}`)
    const o = options(opts, 'fromRowPointers')
    const rows = o.rows === undefined ? addresses.length : checkSize(o.rows, 'rows')
    const ncols = checkSize(cols, 'cols')
    const f = describeFormat(format)
    const readonly = flag(o.readonly, 'readonly', false)
    const free = callback<(table: T) => void>(o.free, 'free', true)
    if (rows > addresses.length) throw makeError('ERR_ROW_COUNT', `less rows than expected: ${addresses.length} vs. ${rows}`)
    const native = NativeMatrix.fromRowPointers(addresses, rows, ncols, f.native)
    if (readonly) native.makeReadOnly()
    const nanny = new Nanny(table, free, o.owner)
    return new IndirectMemory2D<F>({ native, rows, cols: ncols, format: f, readonly, plane: undefined, nanny, ownsNanny: true, keep: [] })
  }

  /**
   * A zero-copy view over memory JavaScript holds: a TypedArray, an ArrayBuffer or an ndarray-like object
   * (`{ data, shape, stride | strides, offset }`, in elements; negative strides too). Every row must be
   * contiguous; rows may be any distance apart. A 1-D source is one row (`[1, n]`). The view keeps the
   * source alive.
   */
  static viewFromRows<F extends string = string>(source: Source2D, opts?: ViewOptions<F>): IndirectMemory2D<F> {
    return new IndirectMemory2D<F>(viewInit(source, opts, false))
  }

  /**
   * Like `viewFromRows` for column-contiguous memory (column-major, Fortran order): the result is the
   * transpose, shape `[cols, rows]` of the source, one matrix row per source column.
   */
  static viewFromColumns<F extends string = string>(source: Source2D, opts?: ViewOptions<F>): IndirectMemory2D<F> {
    return new IndirectMemory2D<F>(viewInit(source, opts, true))
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
    // The storage is committed lazily (fresh zero pages), the row tables at once: bound both.
    if (!Number.isSafeInteger(total) || total > MAX_BYTES || rows * BYTES_PER_ROW > MAX_BYTES) {
      throw makeError('ERR_INVALID_SHAPE', `a ${rows}×${cols} matrix of ${format.itemsize}-byte elements exceeds addressable memory`)
    }
    // The small row arrays first: after a large allocation V8 is over its external-memory limit, and every
    // further off-heap allocation would start a garbage collection (measured: 1.7× the cost of the matrix).
    let segmentOfRow: Uint32Array
    let rowOffsets: Float64Array
    let storage: ArrayBuffer | SharedArrayBuffer
    try {
      segmentOfRow = new Uint32Array(rows)
      rowOffsets = new Float64Array(rows)
      storage = shared ? new SharedArrayBuffer(total) : new ArrayBuffer(total)
    } catch (e) {
      throw makeError('ERR_INVALID_SHAPE', `cannot allocate ${total} bytes for a ${rows}×${cols} matrix: ${(e as Error).message}`)
    }
    for (let r = 0; r < rows; r++) rowOffsets[r] = r * stride
    const segment = new Uint8Array(storage)
    const plane = { segments: [segment], segmentOfRow, rowOffsets, colStride: format.itemsize }
    return new IndirectMemory2D<F>(jsMemoryInit(format, cols, readonly, plane, [storage]))
  }
}

/** The Init of a view of `source` by rows or (transposed) by columns. */
function viewInit(source: unknown, opts: ViewOptions | undefined, byColumns: boolean): Init {
  const what = byColumns ? 'viewFromColumns' : 'viewFromRows'
  const o = options(opts, what)
  const readonly = flag(o.readonly, 'readonly', false)
  if (source instanceof Indirect2D) {
    throw makeError('ERR_INVALID_ARGUMENT', `a matrix is not a source of ${what}; use subMatrix() to view part of a matrix`)
  }
  const s: Strided = stridedSource(source)
  const transpose = byColumns && s.ndim === 2
  const rows = transpose ? s.cols : s.rows
  let cols = transpose ? s.rows : s.cols
  const rowStride = transpose ? s.colStride : s.rowStride
  const colStride = transpose ? s.rowStride : s.colStride
  if (cols > 1 && colStride !== s.itemsize) {
    throw makeError('ERR_NOT_CONTIGUOUS', byColumns ? "columns of the buffer-object aren't contiguous" : "rows of the buffer-object aren't contiguous")
  }
  if (!readonly && s.readonly) throw makeError('ERR_READONLY', `the source is read-only: ask ${what}(source, { readonly: true })`)
  let format = describeFormat(s.format)
  if (o.format !== undefined && o.format !== null) {
    const f = describeFormat(o.format)
    if (f.itemsize !== s.itemsize) {
      if (!s.bytewise || cols % f.itemsize !== 0) {
        throw makeError(
          'ERR_ITEMSIZE_MISMATCH',
          s.bytewise
            ? `a row of ${cols} bytes does not divide into ${f.itemsize}-byte elements of format ${JSON.stringify(f.text)}`
            : `format ${JSON.stringify(f.text)} has itemsize ${f.itemsize}, the source's elements have ${s.itemsize}`,
        )
      }
      cols /= f.itemsize
    }
    format = f
  }
  const segmentOfRow = new Uint32Array(rows)
  const rowOffsets = new Float64Array(rows)
  // The segment covers exactly the bytes the rows reach, so that the detach check does not mistake a
  // resizable buffer shrinking elsewhere for a detach.
  // Rows of no bytes reach no memory (and their offsets need not lie inside the data): they start at 0.
  const rowBytes = cols * format.itemsize
  const empty = rows === 0 || rowBytes === 0
  const first = empty ? 0 : s.offset + Math.min(0, (rows - 1) * rowStride)
  const end = empty ? 0 : s.offset + Math.max(0, (rows - 1) * rowStride) + rowBytes
  if (!empty) for (let r = 0; r < rows; r++) rowOffsets[r] = s.offset + r * rowStride - first
  const segment = new Uint8Array(s.bytes.buffer, s.bytes.byteOffset + first, end - first)
  return jsMemoryInit(format, cols, readonly, { segments: [segment], segmentOfRow, rowOffsets, colStride: format.itemsize }, [source])
}
