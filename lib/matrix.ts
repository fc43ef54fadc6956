// The shared instance API of IndirectMemory2D and BufferCollection2D. Each method checks its arguments and
// hands the matrix's State to the module that owns the job: access (get/set), rows (views and addresses),
// copies, lifetime (checks, holds, exports, release).

import { DV, type ElementValue, elementCodeOf, getChecked, setChecked } from './access.js'
import { GETTERS, SETTERS, VIEW_GETTERS } from './accessors.js'
import { IN_PLACE_GETTERS, IN_PLACE_SETTERS } from './accessors-in-place.js'
import { callback, flag, options, relativeIndex, resolveIndex } from './args.js'
import { NativeMatrix } from './binding.js'
import { type CopyOptions, copy, type ToTypedArrayOptions, toArray, toTypedArray } from './copies.js'
import { makeError } from './errors.js'
import { type ByteFormat, type Dtype, describeFormat, type InputOf, type RowArray, type ValueOf } from './formats.js'
import { inspectMatrix, markUncloneable } from './inspect.js'
import * as life from './lifetime.js'
import { allRowViews, resolveKind, rowAddress, rowAddresses, rowBytes, rowView } from './rows.js'
import type { NdarrayLike } from './sources.js'
import { type Init, type ListedRows, STATE, State, type StridedRows } from './state.js'
import { jsMemoryInit } from './tables.js'

export type { ElementValue } from './access.js'
export type { CopyOptions, ToTypedArrayOptions } from './copies.js'
export type { BufferExport } from './lifetime.js'

export interface AcquireOptions {
  /** Ask for a writable export; `ERR_READONLY` on a read-only matrix. */
  writable?: boolean
}

/** A 2-D source or target of a copy. */
export type CopySource = Indirect2D<string> | NdarrayLike | readonly ArrayBufferView[] | readonly (readonly (number | bigint | boolean)[])[]

/** The State of a matrix (set in the class's static block: private fields are reachable only there). */
let stateOf: (m: Indirect2D) => State

/**
 * The instance API both classes share. Not constructed directly: use `IndirectMemory2D.createMemory`,
 * the view constructors, or `new BufferCollection2D(...)`.
 */
export abstract class Indirect2D<F extends string = string> {
  #s: State

  /** @internal */
  constructor(init: Init) {
    const s = new State(init)
    this.#s = s
    Object.defineProperty(this, STATE, { value: s })
    this.#installAccessors()
    markUncloneable(this)
  }

  /** `console.log` / `util.inspect` (Node, Bun) and Deno's inspector: kind, shape, format, flags, values. */
  [Symbol.for('nodejs.util.inspect.custom')](depth: number, options: object): string {
    return inspectMatrix(this, depth, options)
  }
  [Symbol.for('Deno.customInspect')](_inspect: unknown, options: { depth?: number } & object): string {
    return inspectMatrix(this, options?.depth ?? 2, options)
  }

  /** Installs the `get`/`set` of the matrix's access kind on the instance (see access.ts: one small function per kind). */
  #installAccessors(): void {
    const s = this.#s
    s.kind = resolveKind(s)
    s.elementCode = elementCodeOf(s.format.dtype)
    s.itemsize = s.format.itemsize
    s.little = s.format.byteOrder === 'little'
    const inPlace = s.inPlace && s.kind < DV
    // DataView rows of a table read in place take the shared DataView reader (GETTERS[DV]), which checks the entry.
    const viewGetter = s.kind === DV && !s.inPlace
    const get = inPlace ? IN_PLACE_GETTERS[s.kind] : viewGetter ? VIEW_GETTERS[s.elementCode] : GETTERS[s.kind]
    const set = inPlace ? IN_PLACE_SETTERS[s.kind] : SETTERS[s.kind]
    Object.defineProperty(this, 'get', { value: get, writable: true, configurable: true })
    Object.defineProperty(this, 'set', { value: set, writable: true, configurable: true })
  }

  static {
    stateOf = (m) => m.#s
  }

  /** Number of rows. */
  get rows(): number {
    return this.#s.rows
  }
  /** Elements per row. */
  get cols(): number {
    return this.#s.cols
  }
  /** `[rows, cols]`. */
  get shape(): [number, number] {
    return [this.#s.rows, this.#s.cols]
  }
  /** The format exactly as given. */
  get format(): string {
    return this.#s.format.text
  }
  /** The canonical dtype name (`'int32'`, `'float64'`, …) or `'record'` for compound formats. */
  get dtype(): Dtype {
    return this.#s.format.dtype
  }
  /** Byte order of the elements. */
  get byteOrder(): 'little' | 'big' {
    return this.#s.format.byteOrder
  }
  /** Bytes per element. */
  get itemsize(): number {
    return this.#s.format.itemsize
  }
  /** Bytes of data: `rows * cols * itemsize`, or the sum of the rows' bytes for a ragged table. */
  get nbytes(): number {
    const s = this.#s
    if (s.lengths === undefined) return s.rows * s.cols * s.format.itemsize
    let n = 0
    for (let r = 0; r < s.lengths.length; r++) n += s.lengths[r]
    return n * s.format.itemsize
  }
  /** Whether the rows have their own lengths (a ragged table: `shape` is `[rows, longest row]`). */
  get ragged(): boolean {
    return this.#s.lengths !== undefined
  }
  /** Whether the row table ends with an extra NULL entry (not counted in `rows`). */
  get nullTerminated(): boolean {
    return this.#s.nullTerminated
  }

  /** Elements in row `i` (`cols` for every row of a rectangular matrix). */
  rowLength(i: number): number {
    const s = this.#s
    return s.rowLength(resolveIndex(i, s.rows, 1))
  }

  /** Every row's length. */
  rowLengths(): number[] {
    const s = this.#s
    return s.lengths === undefined ? new Array<number>(s.rows).fill(s.cols) : Array.from(s.lengths)
  }

  /**
   * The rows of a byte matrix decoded as UTF-8, each up to its first NUL byte or its end (invalid bytes become
   * U+FFFD). Typed for byte formats: the call compiles when the matrix's format is one (`'B'`, `'b'`, `'c'`,
   * `'?'`, …); a format known only at run time is checked then (`ERR_FORMAT_UNSUPPORTED`).
   */
  toStrings(this: Indirect2D<ByteFormat>): string[] {
    const s = this.#s
    life.checkAll(s)
    if (s.format.itemsize !== 1 || s.format.record) {
      throw makeError('ERR_FORMAT_UNSUPPORTED', `toStrings() needs a byte format, not ${JSON.stringify(s.format.text)}`)
    }
    return (s.native as NativeMatrix).toStrings()
  }
  /** Whether writes from JS are refused. */
  get readonly(): boolean {
    return this.#s.readonly
  }
  /** Whether `release()` was called. */
  get released(): boolean {
    return this.#s.released
  }
  /** Whether at least one export (`acquire()`, `withPointer`) is outstanding. */
  get locked(): boolean {
    return this.#s.locks > 0
  }

  /**
   * The address of the row-pointer table (`T**`) as a bigint, for koffi, `node:ffi` or another addon: the same
   * value for the whole life of the matrix. Reading it keeps the matrix alive until the synchronous code that
   * read it has returned, so `sum(m.pointer, …)` is safe even for a temporary `m`. A native call that uses the
   * address later (koffi `.async()`, a stored callback) needs a hold: `withPointer` or `acquire`.
   */
  get pointer(): bigint {
    const s = this.#s
    life.checkAll(s)
    life.holdThroughSyncCode(s)
    return (s.pointer ??= (s.native as NativeMatrix).pointer())
  }

  /** The address of row `i` (kept alive through the synchronous code, like `pointer`). */
  rowPointer(i: number): bigint {
    const s = this.#s
    life.checkLive(s)
    const r = resolveIndex(i, s.rows, 1)
    life.checkRow(s, r)
    life.holdThroughSyncCode(s)
    return rowAddress(s, r)
  }

  /** A new BigUint64Array of every row address. */
  rowPointers(): BigUint64Array {
    const s = this.#s
    life.checkAll(s)
    life.holdThroughSyncCode(s)
    return s.inPlace ? (s.native as NativeMatrix).rowPointers() : rowAddresses(s).slice()
  }

  // Each instance carries the get/set of its kind (#installAccessors); these are what they do, for any kind.

  /** Element `(r, c)`; negative indices count from the end. */
  get(r: number, c: number): ValueOf<F> {
    return getChecked(this.#s, r, c) as ValueOf<F>
  }

  /** Stores `value` at `(r, c)` exactly as assigning it to the matching TypedArray would. */
  set(r: number, c: number, value: InputOf<F>): void {
    setChecked(this.#s, r, c, value)
  }

  /** Row `i` as a zero-copy TypedArray of the format (Float64Array for `'d'`, Uint8Array for `'B'`, `'c'` and `'?'`, …). */
  row(i: number): RowArray<F> {
    return rowView(this.#s, i) as RowArray<F>
  }

  /** Zero-copy TypedArrays of every row. */
  rowViews(): RowArray<F>[] {
    return allRowViews(this.#s) as RowArray<F>[]
  }

  /** The bytes of row `i` as a zero-copy Uint8Array (works for every format). */
  rowBytes(i: number): Uint8Array {
    return rowBytes(this.#s, i)
  }

  /** The values as nested arrays (a copy). */
  toArray(): ValueOf<F>[][] {
    return toArray(this.#s) as ValueOf<F>[][]
  }

  /**
   * A new contiguous TypedArray with a copy of the values, row-major (`'C'`, default) or column-major (`'F'`),
   * in native byte order; records come back as a Uint8Array of their bytes, float16 as a Float32Array where the
   * runtime has no Float16Array.
   */
  toTypedArray(opts?: ToTypedArrayOptions): RowArray<F> {
    return toTypedArray(this.#s, opts) as RowArray<F>
  }

  /**
   * Copies a 2-D source into this matrix: another matrix, an ndarray-like object of any strides, or an array of
   * rows. Without options the formats must match; `cast` copies raw bytes between formats of one itemsize;
   * `convert` converts values as `TypedArray.prototype.set` does. Overlap gives the result of copying from a
   * snapshot of the source.
   */
  copyFrom(source: CopySource, opts?: CopyOptions): void {
    copy(this.#s, otherSide(source), true, opts)
  }

  /** Copies this matrix into a 2-D target (a matrix, an ndarray-like object, an array of rows); options as `copyFrom`. */
  copyTo(target: CopySource, opts?: CopyOptions): void {
    copy(this.#s, otherSide(target), false, opts)
  }

  /**
   * Exports the buffer (the analogue of Python's buffer protocol). The export holds the matrix — it cannot be
   * collected, `release()` throws `ERR_LOCKED`, `[Symbol.dispose]` waits — until the export is released.
   */
  acquire(opts?: AcquireOptions): life.BufferExport {
    const o = options(opts, 'acquire')
    const writable = flag(o.writable, 'writable', false)
    return life.acquire(this.#s, writable, this)
  }

  /**
   * Calls `fn(pointer)` while holding an export, and returns what `fn` returns. When that is a promise (or any
   * thenable), the hold lasts until it settles: the way to hand the `T**` to an asynchronous native call.
   */
  withPointer<R>(fn: (pointer: bigint) => R, opts?: AcquireOptions): R {
    const f = callback<(pointer: bigint) => R>(fn, 'withPointer: fn')
    const o = options(opts, 'withPointer')
    const writable = flag(o.writable, 'writable', false)
    return life.withPointer(this.#s, f, writable, this)
  }

  /** Makes the matrix read-only; `ERR_LOCKED` while exports are outstanding (no-op if already read-only). */
  makeReadOnly(): void {
    const s = this.#s
    if (s.readonly) return
    life.checkLive(s)
    if (s.locks > 0) throw makeError('ERR_LOCKED', 'buffer is locked')
    ;(s.native as NativeMatrix).makeReadOnly()
    s.readonly = true
    s.dropRows(true)
  }

  /** Reinterprets the same bytes in `format`: `cols` becomes `floor(cols * oldItemsize / newItemsize)`. */
  reinterpretData(format: string): void {
    const f = describeFormat(format)
    const s = this.#s
    life.checkAll(s)
    if (s.locks > 0) {
      if (f.text === s.format.text) return
      throw makeError('ERR_LOCKED', 'buffer is locked')
    }
    const native = s.native as NativeMatrix
    s.cols = native.reinterpret(f.native)
    if (s.lengths !== undefined) s.lengths = Float64Array.from(native.rowLengths())
    s.format = f
    s.dropRows(true)
    this.#installAccessors()
  }

  /**
   * A zero-copy view of the rectangle `[rowBegin, rowEnd) × [colBegin, colEnd)` with its own row table (indices
   * as `TypedArray.prototype.subarray` takes them): the `T**` of a block at a column offset. It keeps this
   * matrix alive, inherits its format and read-only state, and is released with it.
   */
  subMatrix(rowBegin: number, rowEnd?: number, colBegin?: number, colEnd?: number): Indirect2D<F> {
    const s = this.#s
    const r0 = relativeIndex(rowBegin, s.rows, 0, 'rowBegin')
    const r1 = Math.max(r0, relativeIndex(rowEnd, s.rows, s.rows, 'rowEnd'))
    life.checkAll(s)
    // A block of a ragged table is a rectangle: its rows must have one length, which bounds its columns.
    const width = s.lengths === undefined || r1 === r0 ? s.cols : s.lengths[r0]
    for (let r = r0; s.lengths !== undefined && r < r1; r++) {
      if (s.lengths[r] !== width) throw makeError('ERR_RAGGED', 'rows have different lengths')
    }
    const c0 = relativeIndex(colBegin, width, 0, 'colBegin')
    const c1 = Math.max(c0, relativeIndex(colEnd, width, width, 'colEnd'))
    const plane = s.plane
    let init: Init
    if (plane === undefined) {
      const native = NativeMatrix.subMatrix(s.native as NativeMatrix, r0, r1, c0, c1)
      init = {
        native,
        rows: r1 - r0,
        cols: c1 - c0,
        format: s.format,
        readonly: s.readonly,
        plane: undefined,
        nanny: s.nanny,
        keep: [this],
        parent: s,
      }
    } else {
      const shift = c0 * s.format.itemsize
      const rowsAt = plane.layout
      let layout: StridedRows | ListedRows
      if ('rowStride' in rowsAt) {
        layout = { offset: rowsAt.offset + r0 * rowsAt.rowStride + shift, rowStride: rowsAt.rowStride }
      } else {
        const rowOffsets = rowsAt.rowOffsets.slice(r0, r1)
        for (let i = 0; i < rowOffsets.length; i++) rowOffsets[i] += shift
        layout = { segmentOfRow: rowsAt.segmentOfRow.slice(r0, r1), rowOffsets }
      }
      const sub = { segments: plane.segments, rows: r1 - r0, layout, colStride: plane.colStride }
      init = { ...jsMemoryInit(s.format, c1 - c0, s.readonly, sub, [this]), parent: s }
    }
    const child = makeView<F>(init)
    life.adopt(s, child.#s)
    return child
  }

  /**
   * Gives the memory back now: the row table, the hold on the sources, the nanny's memory (its `free` runs now),
   * and every sub-matrix. `ERR_LOCKED` while exports are outstanding; a second call is a no-op; any other later
   * use throws `ERR_RELEASED`. Row views already handed out keep their own JS memory alive; views of native
   * memory are detached.
   */
  release(): void {
    life.release(this.#s)
  }

  /** `release()`, or — while exports are outstanding — the release deferred until the last one ends (`using`). */
  [Symbol.dispose](): void {
    life.dispose(this.#s)
  }
}

function otherSide(x: unknown): unknown {
  return x instanceof Indirect2D ? stateOf(x) : x
}

/** Makes the IndirectMemory2D of a view (set by memory.ts, which owns the class). */
let viewFactory: ((init: Init) => Indirect2D) | undefined

/** @internal */
export function setViewFactory(factory: (init: Init) => Indirect2D): void {
  viewFactory = factory
}

function makeView<F extends string>(init: Init): Indirect2D<F> {
  if (viewFactory === undefined) throw new Error('indirect-buffer: the view factory is not registered')
  return viewFactory(init) as Indirect2D<F>
}

export type { ElementValue as Value }
