// The internal record of one matrix. The public classes hold one State in a private field; the modules of the
// facade (access, rows, copies, lifetime) work on it. One class, every field set in the constructor, so that
// every State has the same hidden class and the hot paths' loads stay monomorphic.

import type { NativeMatrix } from './binding.js'
import type { AnyTypedArray, FormatDescription } from './formats.js'
import type { Nanny } from './nanny.js'

/**
 * Rows a fixed distance apart in segment 0: row r starts `offset + r * rowStride` bytes into it. No per-row list:
 * an owned rectangle or a view is built with no O(rows) work in JS, and the binding checks its table once, from
 * the end rows (a 4000×4000 createMemory made right after a collection: 80–130 µs filling a list of offsets in a
 * loop not yet optimised and 85 µs building the table row by row, against 25–45 µs for the table now).
 */
export interface StridedRows {
  readonly offset: number
  readonly rowStride: number
}

/** Rows each at its own place: row r starts `rowOffsets[r]` bytes into `segments[segmentOfRow[r]]`. */
export interface ListedRows {
  readonly segmentOfRow: Uint32Array
  readonly rowOffsets: Float64Array
}

/** The segment row `r` lies in. */
export function segmentOfRow(rows: StridedRows | ListedRows, r: number): number {
  return 'rowStride' in rows ? 0 : rows.segmentOfRow[r]
}

/** Where row `r` starts in its segment, in bytes. */
export function rowOffset(rows: StridedRows | ListedRows, r: number): number {
  return 'rowStride' in rows ? rows.offset + r * rows.rowStride : rows.rowOffsets[r]
}

/**
 * Rows of JS memory, `rows` of them laid out in `segments` as `layout` says, their elements `colStride` bytes
 * apart. The one description of strided JS memory, for matrices (`colStride` = itemsize) and for the other side
 * of a copy.
 */
export interface Plane {
  readonly segments: readonly AnyTypedArray[]
  readonly rows: number
  readonly layout: StridedRows | ListedRows
  readonly colStride: number
  /**
   * Facts a constructor may know for free (a collection, from its rows' classes and lengths), so that they need
   * not be read from every segment: each segment's byte length, and whether every row is aligned for the format.
   * Reading them per segment costs a property load that, in a process that has seen every TypedArray class, is
   * megamorphic.
   */
  readonly segmentBytes?: readonly number[]
  readonly aligned?: boolean
}

/** A row of the element cache: a TypedArray of the format, or a DataView (foreign byte order, unaligned rows). */
export type CachedRow = AnyTypedArray | DataView

/** What a constructor hands to the shared base. */
export interface Init {
  native: NativeMatrix
  rows: number
  cols: number
  format: FormatDescription
  readonly: boolean
  /** The JS memory the rows are in; undefined for native memory. */
  plane: Plane | undefined
  /** Native memory's owner and nanny (shared with sub-matrices, which do not own it). */
  nanny?: Nanny
  ownsNanny?: boolean
  /** Whether the native table is read in place (fromPointer): every access reads the row pointer anew. */
  inPlace?: boolean
  /** JS objects the matrix points into or must keep alive. */
  keep: unknown[]
  /** The matrix this one is a sub-matrix of. */
  parent?: State
  /** A ragged table's row lengths (elements); absent: every row has `cols`. */
  rowLengths?: Float64Array
  /** Whether the native row table ends with an extra NULL entry. */
  nullTerminated?: boolean
}

const NO_ROWS: CachedRow[] = []

/** The guard of a segment with no bytes in a buffer with none: nothing there can go. */
const NOTHING_TO_LOSE = new Uint8Array(1)
/** `firstGuard` before the guards are made: reads length 0, so the check takes the path that makes them. */
const GUARDS_UNMADE = new Uint8Array(0)

/**
 * A segment's guard: a fixed-length view of the bytes it had at construction, whatever its class and whether it
 * tracks a resizable buffer's length. Bytes already gone make the view throw: a guard of length 0 then. A
 * segment of no bytes is guarded by the first byte of its buffer, if it has one.
 */
function guardOf(seg: ArrayBufferView, bytes: number): Uint8Array {
  try {
    if (bytes > 0) return new Uint8Array(seg.buffer, seg.byteOffset, bytes)
    return seg.buffer.byteLength > 0 ? new Uint8Array(seg.buffer, 0, 1) : NOTHING_TO_LOSE
  } catch {
    return new Uint8Array(0)
  }
}

/** The key under which a matrix object carries its State for the per-kind accessors (never exported). */
export const STATE: unique symbol = Symbol('indirect-buffer state')

export class State {
  // What every `pointer` read touches comes first, in the object's first cache line (async code resumes with
  // it cold), and segment 0's guard is here rather than behind the guards array: a read in a loop, 7.1 → 4.7 ns.
  released = false
  /** Latched once any check saw a detached row. */
  detached = false
  /** The sync-hold epoch and slot (lifetime.ts). */
  holdEpoch = 0
  holdSlot = 0
  /** The address of the row table (fixed for the matrix's life), fetched on first use. */
  pointer: bigint | undefined = undefined
  /**
   * Segment 0's guard (see `guards`), for the whole-matrix check of the usual one-segment matrix: no hop through
   * the array. Length 0 until the guards are made; a matrix of native memory gets one that never reads 0.
   */
  firstGuard: Uint8Array = GUARDS_UNMADE
  /** More than one segment: the whole-matrix check must walk `guards`. */
  readonly manySegments: boolean
  readonly rows: number
  /** Elements per row; a ragged table's longest row. */
  cols: number
  /** A ragged table's row lengths (undefined: every row has `cols`). */
  lengths: Float64Array | undefined
  readonly nullTerminated: boolean
  format: FormatDescription
  readonly: boolean
  /** Undefined once released. */
  native: NativeMatrix | undefined
  plane: Plane | undefined
  /** Each segment's byte length at construction: what the guards, made later, must still see. */
  #segmentBytes: readonly number[]
  #guards: Uint8Array[] | undefined
  #segBuffers: ArrayBufferLike[] | undefined
  #segBases: number[] | undefined
  nanny: Nanny | undefined
  readonly ownsNanny: boolean
  readonly inPlace: boolean
  keep: unknown[]
  /**
   * A table read in place, seen through an external buffer: its entries' bits as float64s (one load and one
   * compare per access; see viewCurrent) and as addresses.
   */
  table: Float64Array | undefined
  tableAddresses: BigUint64Array | undefined
  /** Row addresses of a table that is not read in place, fetched once. */
  rowAddresses: BigUint64Array | undefined
  /** Element access: the access kind of the format (see access.ts) and the rows it has made views of. */
  kind: number
  /** The element kind of the format, its size and byte order (for DataView rows). */
  elementCode: number
  itemsize: number
  little: boolean
  rowCache: (CachedRow | undefined)[]
  /** `rowCache` for a writable matrix, empty for a read-only one: `set`'s fast path needs no flag. */
  writeCache: (CachedRow | undefined)[]
  /**
   * The row last read through its cached view, and the view (for a table read in place, also the table entry the
   * view was made for): a loop along a row skips the cache lookup (accessors.ts). -1 and no view when there is
   * none (an index, not NaN: a double field costs get on fromPointer 3.5 → 3.9× a read). The same for the row last
   * written, from writeCache.
   */
  lastRead = -1
  lastReadAt = 0
  lastReadRow: CachedRow | undefined = undefined
  lastWrite = -1
  lastWriteAt = 0
  lastWriteRow: CachedRow | undefined = undefined
  locks = 0
  disposePending = false
  readonly parent: State | undefined
  children: Set<WeakRef<State>> | undefined

  constructor(init: Init) {
    this.rows = init.rows
    this.cols = init.cols
    this.lengths = init.rowLengths
    this.nullTerminated = init.nullTerminated ?? false
    this.format = init.format
    this.readonly = init.readonly
    this.native = init.native
    this.plane = init.plane
    this.manySegments = (init.plane?.segments.length ?? 0) > 1
    this.#segmentBytes = init.plane?.segmentBytes ?? (init.plane?.segments ?? []).map((seg) => seg.byteLength)
    this.nanny = init.nanny
    this.ownsNanny = init.ownsNanny ?? false
    this.inPlace = init.inPlace ?? false
    this.keep = init.keep
    this.rowAddresses = undefined
    this.table = undefined
    this.tableAddresses = undefined
    this.kind = -1 // set by the matrix once the State is complete (rows.ts: resolveKind)
    this.elementCode = -1
    this.itemsize = init.format.itemsize
    this.little = init.format.byteOrder === 'little'
    this.rowCache = init.rows === 0 ? NO_ROWS : new Array<CachedRow | undefined>(init.rows)
    this.writeCache = init.readonly ? NO_ROWS : this.rowCache
    this.parent = init.parent
    this.children = undefined
  }

  // The segments' guards, buffers and offsets are made on first use, not at construction: a collection of 1000
  // rows is built in a fraction of the time (measured: 0.69 ms with them, against 0.3 ms without).

  /**
   * One Uint8Array per segment of JS memory, which reads length 0 once the segment's bytes are gone (detached,
   * transferred, or a resizable buffer shrunk below them). Always Uint8Arrays, so that the detach checks'
   * `length` loads stay monomorphic whatever the rows' own classes are; and "0 is gone" needs no second array
   * of lengths (a collection's `pointer`: 2.0 → 1.4 ns per row checked).
   */
  get guards(): Uint8Array[] {
    return this.#guards ?? this.#makeGuards()
  }
  #makeGuards(): Uint8Array[] {
    const segments = this.plane?.segments ?? []
    const expected = this.#segmentBytes
    const guards = new Array<Uint8Array>(segments.length)
    for (let k = 0; k < segments.length; k++) guards[k] = guardOf(segments[k], expected[k])
    this.#guards = guards
    this.firstGuard = guards.length > 0 ? guards[0] : NOTHING_TO_LOSE
    return guards
  }
  /** The segments' buffers and byte offsets, read once. */
  get segBuffers(): ArrayBufferLike[] {
    return (this.#segBuffers ??= (this.plane?.segments ?? []).map((s) => s.buffer))
  }
  get segBases(): number[] {
    return (this.#segBases ??= (this.plane?.segments ?? []).map((s) => s.byteOffset))
  }

  /** Lets go of the JS memory (release): no segment, guard or buffer stays referenced. */
  forgetMemory(): void {
    this.plane = undefined
    this.#guards = []
    this.firstGuard = NOTHING_TO_LOSE
    this.#segBuffers = []
    this.#segBases = []
  }

  /** Elements in row `r`. */
  rowLength(r: number): number {
    return this.lengths === undefined ? this.cols : this.lengths[r]
  }

  /** Forgets every cached row view; `refill` lets them be made again, else the fast paths stay closed. */
  dropRows(refill: boolean): void {
    this.rowCache = refill && this.rows > 0 ? new Array<CachedRow | undefined>(this.rows) : NO_ROWS
    this.writeCache = this.readonly ? NO_ROWS : this.rowCache
    this.lastRead = this.lastWrite = -1
    this.lastReadRow = this.lastWriteRow = undefined
  }
}
