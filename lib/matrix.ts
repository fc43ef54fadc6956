// The shared instance API of IndirectMemory2D and BufferCollection2D: shape and format, the T** pointer,
// element access, zero-copy row views, exports and release. Memory is touched only after `check()`
// has proven the matrix is neither released nor looking at a detached buffer.

import { NativeMatrix } from './binding.js'
import { describe, makeError } from './errors.js'
import { Nanny } from './nanny.js'
import * as pins from './pins.js'
import { type JsSide, type OtherSide, describeSide } from './copy-sides.js'
import { isNdarrayLike } from './sources.js'
import { type AnyTypedArray, type Dtype, type FormatDescription, type InputOf, type RowArray, type ValueOf, describeFormat, formatsMatch } from './formats.js'

/** A value of one element: `number`, `bigint` (64-bit formats) or `boolean` (`?`). */
export type ElementValue = number | bigint | boolean

/** Where the rows of a matrix over JS memory are: row r starts `rowOffsets[r]` bytes into `segments[segmentOfRow[r]]`. */
export interface JsMemory {
  /** One TypedArray per span of JS memory; also the detach guards (a detached view has length 0). */
  readonly segments: AnyTypedArray[]
  readonly segmentLengths: number[]
  readonly segmentOfRow: Uint32Array
  readonly rowOffsets: Float64Array
}

/** @internal What a constructor hands to the shared base. */
export interface Init {
  native: NativeMatrix
  rows: number
  cols: number
  format: FormatDescription
  readonly: boolean
  /** The JS memory the rows are in; undefined for native memory. */
  memory: JsMemory | undefined
  /** Native memory's owner, nanny and row views (owned by the matrix that wrapped the pointer). */
  nanny?: Nanny
  /** Whether `release()` of this matrix frees the nanny's memory (false for sub-matrices). */
  ownsNanny?: boolean
  /** JS objects the matrix points into or must keep alive. */
  keep: unknown[]
}

/** The buffer export returned by `acquire()`: counts as a lock until released. */
export interface BufferExport {
  readonly pointer: bigint
  readonly rows: number
  readonly cols: number
  readonly format: string
  readonly itemsize: number
  readonly readonly: boolean
  /** Ends the export (idempotent). */
  release(): void
  [Symbol.dispose](): void
}

export interface AcquireOptions {
  /** Ask for a writable export; `ERR_READONLY` on a read-only matrix. */
  writable?: boolean
}

/** Options of `copyFrom` / `copyTo`. */
export interface CopyOptions {
  /** Copy raw bytes between formats of equal itemsize (int8 -1 → uint8 255). */
  cast?: boolean
  /** Convert values between any two scalar formats, as `TypedArray.prototype.set` does. */
  convert?: boolean
}

/** A 2-D source or target of a copy. */
export type CopySource =
  | Indirect2D<string>
  | import('./sources.js').NdarrayLike
  | readonly ArrayBufferView[]
  | readonly (readonly (number | bigint | boolean)[])[]

export interface ToTypedArrayOptions {
  /** `'C'` row-major (default) or `'F'` column-major. */
  order?: 'C' | 'F'
}

/** Checks that an options argument is `undefined` or a plain object. */
export function options<T extends object>(value: T | undefined, what: string): Partial<T> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw makeError('ERR_INVALID_ARGUMENT', `${what} options must be an object, received ${describe(value)}`)
  }
  return value
}

/** Checks a boolean option. */
export function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw makeError('ERR_INVALID_ARGUMENT', `${name} must be a boolean, received ${describe(value)}`)
  return value
}

/** Resolves an index like `Array.prototype.at` (negatives from the end), with the contract's messages. */
export function resolveIndex(i: unknown, n: number, dimension: 1 | 2): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) {
    throw makeError('ERR_INVALID_ARGUMENT', `an index must be an integer number, received ${describe(i)}`)
  }
  const j = i < 0 ? i + n : i
  if (j < 0 || j >= n) throw makeError('ERR_OUT_OF_BOUNDS', `index out of bounds on dimension ${dimension}`)
  return j
}

/**
 * The instance API both classes share. Not constructed directly: use `IndirectMemory2D.createMemory`,
 * the view constructors, or `new BufferCollection2D(...)`.
 */
export abstract class Indirect2D<F extends string = string> {
  #native: NativeMatrix
  #rows: number
  #cols: number
  #format: FormatDescription
  #readonly: boolean
  #memory: JsMemory | undefined
  #nanny: Nanny | undefined
  #ownsNanny: boolean
  #keep: unknown[]
  #released = false
  #detached = false
  #locks = 0
  #pointer: bigint | undefined
  /** JS fast path of get/set and rowViews: the segments' buffers and byte offsets, read once. */
  #segBuffers: ArrayBufferLike[] | undefined
  #segBases: number[] | undefined
  /** Row views for get/set (JS memory, native-order scalar formats, aligned rows); null: no fast path. */
  #elementRows: AnyTypedArray[] | null | undefined
  /** Sub-matrices, released with this matrix. */
  #children: Set<WeakRef<AnyMatrix>> | undefined

  /** @internal */
  constructor(init: Init) {
    this.#native = init.native
    this.#rows = init.rows
    this.#cols = init.cols
    this.#format = init.format
    this.#readonly = init.readonly
    this.#memory = init.memory
    this.#nanny = init.nanny
    this.#ownsNanny = init.ownsNanny ?? false
    this.#keep = init.keep
  }

  /** Number of rows. */
  get rows(): number {
    return this.#rows
  }
  /** Elements per row. */
  get cols(): number {
    return this.#cols
  }
  /** `[rows, cols]`. */
  get shape(): [number, number] {
    return [this.#rows, this.#cols]
  }
  /** The format exactly as given. */
  get format(): string {
    return this.#format.text
  }
  /** The canonical dtype name (`'int32'`, `'float64'`, …) or `'record'` for compound formats. */
  get dtype(): Dtype {
    return this.#format.dtype
  }
  /** Byte order of the elements. */
  get byteOrder(): 'little' | 'big' {
    return this.#format.byteOrder
  }
  /** Bytes per element. */
  get itemsize(): number {
    return this.#format.itemsize
  }
  /** Bytes of data: `rows * cols * itemsize`. */
  get nbytes(): number {
    return this.#rows * this.#cols * this.#format.itemsize
  }
  /** Whether writes from JS are refused. */
  get readonly(): boolean {
    return this.#readonly
  }
  /** Whether `release()` was called. */
  get released(): boolean {
    return this.#released
  }
  /** Whether at least one export (`acquire()`) is outstanding. */
  get locked(): boolean {
    return this.#locks > 0
  }

  /** Throws unless the memory may be touched: not released, no source detached. */
  #check(): void {
    if (this.#released) throw makeError('ERR_RELEASED', 'the matrix was released')
    const m = this.#memory
    if (m === undefined) return
    // A detached (or shrunk) buffer's views report length 0: one property read per segment (`length`, not
    // `byteLength`: on Node 20 seven times cheaper).
    const segments = m.segments
    if (segments.length === 1) {
      if (segments[0].length !== m.segmentLengths[0]) this.#detached = true
    } else {
      const lengths = m.segmentLengths
      for (let i = 0; i < segments.length; i++) {
        if (segments[i].length !== lengths[i]) this.#detached = true
      }
    }
    if (this.#detached) {
      throw makeError('ERR_DETACHED', 'a source ArrayBuffer of this matrix was detached or transferred')
    }
  }

  #checkWritable(what: string): void {
    if (this.#readonly) throw makeError('ERR_READONLY', `${what}: the matrix is read-only`)
  }

  /**
   * The address of the row-pointer table (`T**`) as a bigint, for koffi, `node:ffi` or another addon.
   * The same value for the whole life of the matrix; valid while the matrix is alive and not released.
   * Reading it keeps the matrix alive until the current task ends and until every asynchronous native
   * call started in this task has completed (a koffi `.async()` call stays safe if JS drops the matrix).
   */
  get pointer(): bigint {
    this.#check()
    this.#pin()
    return (this.#pointer ??= this.#native.pointer())
  }

  /** The task epoch in which this matrix was last pinned (0: never). */
  #pinnedIn = 0

  /** Keeps this matrix alive for native code that received an address from it (see pins.ts). */
  #pin(): void {
    if (this.#pinnedIn !== pins.pinEpoch) {
      pins.pinForNativeUse(this)
      this.#pinnedIn = pins.pinEpoch
    }
  }

  /** The address of row `i`. */
  rowPointer(i: number): bigint {
    this.#check()
    this.#pin()
    return this.#native.rowPointer(resolveIndex(i, this.#rows, 1))
  }

  /** A new BigUint64Array of all row addresses. */
  rowPointers(): BigUint64Array {
    this.#check()
    this.#pin()
    return this.#native.rowPointers()
  }

  /** Element `(r, c)`; negative indices count from the end. */
  get(r: number, c: number): ValueOf<F> {
    this.#check()
    const i = resolveIndex(r, this.#rows, 1)
    const j = resolveIndex(c, this.#cols, 2)
    const rows = this.#elementRows === undefined ? this.#makeElementRows() : this.#elementRows
    if (rows !== null) {
      const v = (rows[i] ??= this.#jsRow(i, this.#format.ArrayType as NonNullable<FormatDescription['ArrayType']>) as AnyTypedArray)[j]
      return (this.#format.dtype === 'bool' ? v !== 0 : v) as ValueOf<F>
    }
    return this.#native.get(i, j)
  }

  /** Stores `value` at `(r, c)` exactly as assigning it to the matching TypedArray would. */
  set(r: number, c: number, value: InputOf<F>): void {
    this.#check()
    this.#checkWritable('cannot set an element')
    const i = resolveIndex(r, this.#rows, 1)
    const j = resolveIndex(c, this.#cols, 2)
    const f = this.#format
    const rows = this.#elementRows === undefined ? this.#makeElementRows() : this.#elementRows
    if (rows !== null) {
      const row = (rows[i] ??= this.#jsRow(i, f.ArrayType as NonNullable<FormatDescription['ArrayType']>) as AnyTypedArray) as unknown as (number | bigint)[]
      if (f.dtype === 'bool') row[j] = value ? 1 : 0
      else if (f.ArrayType === BigInt64Array || f.ArrayType === BigUint64Array) {
        if (typeof value === 'bigint') row[j] = value
        else if (typeof value === 'number' && Number.isSafeInteger(value)) row[j] = BigInt(value)
        else throw badValue(f.dtype, value)
      } else if (typeof value === 'number') row[j] = value
      else throw badValue(f.dtype, value)
      return
    }
    const native = this.#native
    if (f.dtype === 'bool') native.setBool(i, j, !!value)
    else if (typeof value === 'number') native.setNumber(i, j, value)
    else if (typeof value === 'bigint') native.setBigInt(i, j, value)
    else throw badValue(f.dtype, value)
  }

  /** Decides once whether get/set can use TypedArray views of the rows (JS memory, aligned rows of a native-order scalar format). */
  #makeElementRows(): AnyTypedArray[] | null {
    const Ctor = this.#format.ArrayType
    const ok = this.#memory !== undefined && Ctor !== undefined && this.#rowsAligned(Ctor.BYTES_PER_ELEMENT)
    return (this.#elementRows = ok ? new Array<AnyTypedArray>(this.#rows) : null)
  }

  /** Whether every row of JS memory starts at a multiple of `n` bytes in its buffer. */
  #rowsAligned(n: number): boolean {
    const m = this.#memory
    if (m === undefined) return false
    const bases = this.#bases()
    for (let r = 0; r < m.rowOffsets.length; r++) {
      if ((bases[m.segmentOfRow[r]] + m.rowOffsets[r]) % n !== 0) return false
    }
    return true
  }

  /** The byte offset of each segment in its buffer, read once (reading it per row costs more than the view). */
  #bases(): number[] {
    const m = this.#memory as JsMemory
    if (this.#segBases === undefined) {
      this.#segBuffers = m.segments.map((s) => s.buffer)
      this.#segBases = m.segments.map((s) => s.byteOffset)
    }
    return this.#segBases
  }

  /** Where row `i` is for a JS view: a buffer and a byte offset (an external buffer for native memory). */
  #rowLocation(i: number): [ArrayBufferLike, number] {
    const m = this.#memory
    if (m !== undefined) {
      const k = m.segmentOfRow[i]
      const bases = this.#bases()
      return [(this.#segBuffers as ArrayBufferLike[])[k], bases[k] + m.rowOffsets[i]]
    }
    const nanny = this.#nanny as Nanny
    const native = this.#native
    const buffer = nanny.rowBuffer(native.rowPointer(i), this.#cols * this.#format.itemsize, () => native.rowExternal(i) as ArrayBuffer)
    return [buffer, 0]
  }

  /** Row `i` of JS memory as a `Ctor` view when aligned for it, else undefined (native memory too). */
  #jsRow(i: number, Ctor: NonNullable<FormatDescription['ArrayType']>): AnyTypedArray | undefined {
    if (this.#memory === undefined) return undefined
    const [buffer, offset] = this.#rowLocation(i)
    return offset % Ctor.BYTES_PER_ELEMENT === 0 ? new Ctor(buffer, offset, this.#cols) : undefined
  }

  #rowType(): NonNullable<FormatDescription['ArrayType']> {
    const f = this.#format
    if (f.ArrayType === undefined) {
      const why = f.record
        ? `the record format ${JSON.stringify(f.text)}`
        : !f.nativeOrder
          ? `the ${f.byteOrder}-endian format ${JSON.stringify(f.text)}`
          : `${f.dtype} (this runtime has no Float16Array)`
      throw makeError('ERR_FORMAT_UNSUPPORTED', `no TypedArray holds ${why}; use rowBytes(i) for the bytes, or get/set`)
    }
    return f.ArrayType
  }

  #checkViewable(): void {
    if (this.#readonly) {
      throw makeError('ERR_READONLY', 'a read-only matrix has no row views (a TypedArray cannot be read-only); use get(), toArray() or copyTo()')
    }
  }

  /** Row `i` as a zero-copy TypedArray of the format (Float64Array for `'d'`, Uint8Array for `'B'`, `'c'` and `'?'`, …). */
  row(i: number): RowArray<F> {
    this.#check()
    this.#checkViewable()
    const Ctor = this.#rowType()
    const r = resolveIndex(i, this.#rows, 1)
    return this.#alignedView(r, Ctor) as RowArray<F>
  }

  #alignedView(r: number, Ctor: NonNullable<FormatDescription['ArrayType']>): AnyTypedArray {
    const [buffer, offset] = this.#rowLocation(r)
    const address = this.#memory === undefined ? Number(this.#native.rowPointer(r) % 8n) : offset
    if (address % Ctor.BYTES_PER_ELEMENT !== 0) {
      throw makeError('ERR_FORMAT_UNSUPPORTED', `row ${r} is not aligned for ${Ctor.name}; use rowBytes(${r}) or get/set`)
    }
    return new Ctor(buffer, offset, this.#cols)
  }

  /** Zero-copy TypedArrays of every row. */
  rowViews(): RowArray<F>[] {
    this.#check()
    this.#checkViewable()
    const Ctor = this.#rowType()
    const out = new Array<AnyTypedArray>(this.#rows)
    const m = this.#memory
    if (m !== undefined && this.#rowsAligned(Ctor.BYTES_PER_ELEMENT)) {
      // The hot loop of JS memory: one view per row, nothing else.
      const buffers = this.#segBuffers as ArrayBufferLike[]
      const bases = this.#bases()
      const { segmentOfRow, rowOffsets } = m
      const cols = this.#cols
      for (let r = 0; r < out.length; r++) {
        const k = segmentOfRow[r]
        out[r] = new Ctor(buffers[k], bases[k] + rowOffsets[r], cols)
      }
    } else {
      for (let r = 0; r < out.length; r++) out[r] = this.#alignedView(r, Ctor)
    }
    return out as RowArray<F>[]
  }

  /** The bytes of row `i` as a zero-copy Uint8Array (works for every format). */
  rowBytes(i: number): Uint8Array {
    this.#check()
    this.#checkViewable()
    const r = resolveIndex(i, this.#rows, 1)
    const [buffer, offset] = this.#rowLocation(r)
    return new Uint8Array(buffer, offset, this.#cols * this.#format.itemsize)
  }

  /** The values as nested arrays (a copy). */
  toArray(): ValueOf<F>[][] {
    if (this.#format.record) {
      this.#check()
      throw makeError('ERR_FORMAT_UNSUPPORTED', `toArray() needs a scalar format, not the record format ${JSON.stringify(this.#format.text)}`)
    }
    const flat = this.toTypedArray() as unknown as ArrayLike<number | bigint>
    const bool = this.#format.dtype === 'bool'
    const cols = this.#cols
    const out = new Array<ElementValue[]>(this.#rows)
    for (let r = 0; r < out.length; r++) {
      const row = Array.prototype.slice.call(flat, r * cols, (r + 1) * cols) as ElementValue[]
      out[r] = bool ? row.map((x) => x !== 0) : row
    }
    return out as ValueOf<F>[][]
  }

  /**
   * A new contiguous TypedArray with a copy of the values, row-major (`'C'`, default) or column-major (`'F'`),
   * in native byte order (values of a foreign byte order are converted); records come back as a Uint8Array of
   * their bytes, float16 as a Float32Array where the runtime has no Float16Array.
   */
  toTypedArray(opts?: ToTypedArrayOptions): RowArray<F> {
    const o = options(opts, 'toTypedArray')
    const order = o.order ?? 'C'
    if (order !== 'C' && order !== 'F') throw makeError('ERR_INVALID_ARGUMENT', `order must be 'C' or 'F', received ${describe(order)}`)
    this.#check()
    const f = this.#format
    const rows = this.#rows
    const cols = this.#cols
    let out: AnyTypedArray
    let target: FormatDescription
    if (f.record) {
      if (order === 'F') throw makeError('ERR_FORMAT_UNSUPPORTED', 'column-major order needs a scalar format')
      out = new Uint8Array(rows * cols * f.itemsize)
      target = f
    } else {
      target = describeFormat(nativeChar(f.dtype))
      // float16 where the runtime has no Float16Array: a Float32Array holds every float16 value exactly.
      if (target.ArrayType === undefined) target = describeFormat('f')
      out = new (target.ArrayType as NonNullable<FormatDescription['ArrayType']>)(rows * cols)
    }
    const isz = target.itemsize
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
    const [rowStride, colStride] = order === 'C' ? [cols * isz, isz] : [isz, rows * isz]
    this.#native.copyJs({ segments: [bytes], rows, offset: 0, rowStride, cols, colStride, format: target.native }, { into: false, convert: true })
    return out as RowArray<F>
  }

  /**
   * Copies a 2-D source into this matrix: another matrix or collection, an ndarray-like object of any strides,
   * or an array of rows. Without options the formats must match; `cast` copies raw bytes between formats of
   * one itemsize; `convert` converts values as `TypedArray.prototype.set` does. Overlapping memory (self-copy
   * included) gives the result of copying from a snapshot of the source.
   */
  copyFrom(source: CopySource, opts?: CopyOptions): void {
    this.#copy(source, true, opts)
  }

  /** Copies this matrix into a 2-D target (a matrix, an ndarray-like object, an array of rows); options as `copyFrom`. */
  copyTo(target: CopySource, opts?: CopyOptions): void {
    this.#copy(target, false, opts)
  }

  /** A small raw copy between this matrix's JS memory and strided JS memory, through a snapshot (overlap-safe). */
  #copySmall(side: JsSide, into: boolean): void {
    const m = this.#memory as JsMemory
    const rows = this.#rows
    const cols = this.#cols
    const isz = this.#format.itemsize
    const rowBytes = cols * isz
    if (rows === 0 || rowBytes === 0) return // nothing to copy (and empty rows' offsets may lie anywhere)
    const bases = this.#bases()
    const buffers = this.#segBuffers as ArrayBufferLike[]
    const tmp = new Uint8Array(rows * rowBytes)
    const dense = side.colStride === isz
    for (let r = 0; r < rows; r++) {
      const seg = side.segments[side.segmentOfRow[r]]
      const sideStart = seg.byteOffset + side.rowOffsets[r]
      const k = m.segmentOfRow[r]
      const mine = new Uint8Array(buffers[k], bases[k] + m.rowOffsets[r], rowBytes)
      if (into) {
        if (dense) tmp.set(new Uint8Array(seg.buffer, sideStart, rowBytes), r * rowBytes)
        else for (let c = 0; c < cols; c++) tmp.set(new Uint8Array(seg.buffer, sideStart + c * side.colStride, isz), r * rowBytes + c * isz)
      } else {
        tmp.set(mine, r * rowBytes)
      }
    }
    for (let r = 0; r < rows; r++) {
      const row = tmp.subarray(r * rowBytes, (r + 1) * rowBytes)
      if (into) {
        const k = m.segmentOfRow[r]
        new Uint8Array(buffers[k], bases[k] + m.rowOffsets[r], rowBytes).set(row)
      } else {
        const seg = side.segments[side.segmentOfRow[r]]
        const sideStart = seg.byteOffset + side.rowOffsets[r]
        if (dense) new Uint8Array(seg.buffer, sideStart, rowBytes).set(row)
        else for (let c = 0; c < cols; c++) new Uint8Array(seg.buffer, sideStart + c * side.colStride, isz).set(row.subarray(c * isz, (c + 1) * isz))
      }
    }
  }

  #copy(other: unknown, into: boolean, opts: CopyOptions | undefined): void {
    const o = options(opts, into ? 'copyFrom' : 'copyTo')
    const cast = flag(o.cast, 'cast', false)
    const convert = flag(o.convert, 'convert', false)
    this.#check()
    const matrix = other instanceof Indirect2D ? (other as AnyMatrix) : undefined
    if (matrix !== undefined) matrix.#check()
    // 1. a read-only target
    const targetReadonly = into ? this.#readonly : matrix !== undefined ? matrix.#readonly : peekReadonly(other)
    if (targetReadonly) throw makeError('ERR_READONLY', 'copying to readonly buffer')
    // 2. dimensions (this matrix is 2-D), 3. shapes; 4./5. formats are checked by the native plan.
    const side = matrix === undefined ? describeSide(other) : undefined
    const [rows, cols] = matrix !== undefined ? [matrix.#rows, matrix.#cols] : [(side as OtherSide).rows, (side as OtherSide).cols]
    const emptyValues = side?.kind === 'values' && rows === 0
    if (!emptyValues && (rows !== this.#rows || cols !== this.#cols)) throw makeError('ERR_SHAPE_MISMATCH', 'different shapes')
    if (emptyValues && this.#rows !== 0) throw makeError('ERR_SHAPE_MISMATCH', 'different shapes')
    if (matrix !== undefined) {
      this.#native.copyMatrix(matrix.#native, { into, cast, convert })
    } else if (side?.kind === 'js') {
      if (this.#memory !== undefined && rows * cols * this.#format.itemsize <= SMALL_COPY_BYTES && formatsMatch(this.#format, side.format)) {
        // A tiny copy of matching formats between JS memory: cheaper here than the native call's fixed cost.
        this.#copySmall(side, into)
      } else {
        this.#native.copyJs({ ...side, format: side.format.native }, { into, cast, convert })
      }
    } else if (side !== undefined && rows > 0) {
      if (into) {
        const values = valuesAsTypedArray(side.values, this.#format, this.#rows, this.#cols)
        const t = describeFormat(values.format)
        const isz = t.itemsize
        const bytes = new Uint8Array(values.data.buffer, values.data.byteOffset, values.data.byteLength)
        const plane = { segments: [bytes], rows: this.#rows, offset: 0, rowStride: this.#cols * isz, cols: this.#cols, colStride: isz, format: t.native }
        this.#native.copyJs(plane, { into: true, convert: true })
      } else {
        const values = this.toArray()
        for (let r = 0; r < rows; r++) {
          const row = side.values[r]
          for (let c = 0; c < cols; c++) row[c] = values[r][c]
        }
      }
    }
    // Whatever the matrix's memory is, the copy touched it: native readers see it, and so do row views.
  }

  /** Exports the buffer (the analogue of Python's buffer protocol); a lock until the export is released. */
  acquire(opts?: AcquireOptions): BufferExport {
    const o = options(opts, 'acquire')
    const writable = flag(o.writable, 'writable', false)
    this.#check()
    if (writable && this.#readonly) throw makeError('ERR_READONLY', 'buffer is not writable')
    const pointer = this.pointer
    this.#locks++
    // The export holds the matrix (so the memory stays alive) until released.
    let owner: Indirect2D<F> | undefined = this
    const release = (): void => {
      if (owner === undefined) return
      owner.#locks--
      owner = undefined
    }
    return {
      pointer,
      rows: this.#rows,
      cols: this.#cols,
      format: this.#format.text,
      itemsize: this.#format.itemsize,
      readonly: this.#readonly,
      release,
      [Symbol.dispose]: release,
    }
  }

  /** Makes the matrix read-only; `ERR_LOCKED` while exports are outstanding (no-op if already read-only). */
  makeReadOnly(): void {
    if (this.#readonly) return
    this.#check()
    if (this.#locks > 0) throw makeError('ERR_LOCKED', 'buffer is locked')
    this.#native.makeReadOnly()
    this.#readonly = true
  }

  /** Reinterprets the same bytes in `format`: `cols` becomes `floor(cols * oldItemsize / newItemsize)`. */
  reinterpretData(format: string): void {
    const f = describeFormat(format)
    this.#check()
    if (this.#locks > 0) {
      if (f.text === this.#format.text) return
      throw makeError('ERR_LOCKED', 'buffer is locked')
    }
    this.#cols = this.#native.reinterpret(f.native)
    this.#format = f
    this.#elementRows = undefined
  }

  /**
   * A zero-copy view of the rectangle `[rowBegin, rowEnd) × [colBegin, colEnd)` with its own row table
   * (indices as `TypedArray.prototype.subarray` takes them): the `T**` of a block at a column offset.
   * It keeps this matrix alive, inherits its format and read-only state, and is released with it.
   */
  subMatrix(rowBegin: number, rowEnd?: number, colBegin?: number, colEnd?: number): Indirect2D<F> {
    const r0 = relativeIndex(rowBegin, this.#rows, 0, 'rowBegin')
    const r1 = Math.max(r0, relativeIndex(rowEnd, this.#rows, this.#rows, 'rowEnd'))
    const c0 = relativeIndex(colBegin, this.#cols, 0, 'colBegin')
    const c1 = Math.max(c0, relativeIndex(colEnd, this.#cols, this.#cols, 'colEnd'))
    this.#check()
    const m = this.#memory
    let init: Init
    if (m === undefined) {
      const native = NativeMatrix.subMatrix(this.#native, r0, r1, c0, c1)
      init = { native, rows: r1 - r0, cols: c1 - c0, format: this.#format, readonly: this.#readonly, memory: undefined, nanny: this.#nanny, keep: [this] }
    } else {
      const shift = c0 * this.#format.itemsize
      const segmentOfRow = m.segmentOfRow.slice(r0, r1)
      const rowOffsets = m.rowOffsets.slice(r0, r1)
      for (let i = 0; i < rowOffsets.length; i++) rowOffsets[i] += shift
      init = jsMemoryInit(this.#format, c1 - c0, this.#readonly, { segments: m.segments, segmentLengths: m.segmentLengths, segmentOfRow, rowOffsets }, [this])
    }
    const child = makeView<F>(init)
    ;(this.#children ??= new Set()).add(new WeakRef(child))
    return child
  }

  /** Whether this matrix or a live sub-matrix of it has exports outstanding. */
  #anyLocked(): boolean {
    if (this.#locks > 0) return true
    for (const ref of this.#children ?? []) {
      const child = ref.deref()
      if (child !== undefined && !child.#released && child.#anyLocked()) return true
    }
    return false
  }

  /**
   * Gives the memory back now: drops the row table and the hold on the sources, and releases sub-matrices.
   * `ERR_LOCKED` while exports (of this matrix or a sub-matrix) are outstanding; a second call is a no-op;
   * any other later use throws `ERR_RELEASED`. Row views already handed out keep their own JS memory alive.
   */
  release(): void {
    if (this.#released) return
    if (this.#anyLocked()) throw makeError('ERR_LOCKED', 'buffer is locked')
    this.#releaseTree()
  }

  #releaseTree(): void {
    this.#released = true
    this.#elementRows = null
    this.#native.release()
    this.#keep = []
    for (const ref of this.#children ?? []) {
      const child = ref.deref()
      if (child !== undefined) child.#releaseTree()
    }
    this.#children = undefined
    // Last, so that the matrix is consistent if the nanny's `free` throws (the exception propagates).
    if (this.#ownsNanny) this.#nanny?.release()
  }

  [Symbol.dispose](): void {
    this.release()
  }

}

// Variance of the format parameter does not matter for bookkeeping.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMatrix = Indirect2D<any>

/** @internal The Init of a matrix over JS memory: builds its native row table. */
export function jsMemoryInit(format: FormatDescription, cols: number, readonly: boolean, memory: JsMemory, keep: unknown[]): Init {
  const native = NativeMatrix.overJsMemory(format.native, cols, memory.segments, memory.segmentOfRow, memory.rowOffsets)
  if (readonly) native.makeReadOnly()
  return { native, rows: memory.rowOffsets.length, cols, format, readonly, memory, keep }
}

/** Copies of at most this many bytes between JS memory of one format run in JS: the native call costs more. */
const SMALL_COPY_BYTES = 256

/** Whether an ndarray-like copy target says it is read-only (looked at before its shape is checked). */
function peekReadonly(x: unknown): boolean {
  if (!isNdarrayLike(x)) return false
  const flags = (x as { flags?: { READONLY?: unknown } }).flags
  return x.readonly === true || flags?.READONLY === true
}

/** 64-bit integer conversion of a number, as `BigInt(Math.trunc(x))` wrapped to 64 bits (NaN, ±Infinity → 0). */
function toBigInt(x: number): bigint {
  return Number.isFinite(x) ? BigInt(Math.trunc(x)) : 0n
}

/** Plain values (arrays of rows) as a contiguous typed array in the native-order format of `f`, converted as `convert` would. */
function valuesAsTypedArray(values: unknown[][], f: FormatDescription, rows: number, cols: number): { data: AnyTypedArray; format: string } {
  if (f.record) throw makeError('ERR_FORMAT_UNSUPPORTED', 'values cannot be converted into a record format')
  const native = describeFormat(nativeChar(f.dtype))
  // float16 without Float16Array: go through float64, converted natively (one rounding).
  const target = native.ArrayType === undefined ? describeFormat('d') : native
  const Ctor = target.ArrayType as NonNullable<FormatDescription['ArrayType']>
  const data = new Ctor(rows * cols)
  const out = data as unknown as (number | bigint)[]
  const big = Ctor === BigInt64Array || Ctor === BigUint64Array
  const bool = f.dtype === 'bool'
  const width = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32 }[f.dtype as string] as number | undefined
  const signed = f.dtype.startsWith('int')
  for (let r = 0; r < rows; r++) {
    const row = values[r]
    for (let c = 0; c < cols; c++) {
      const v = row[c]
      let x: number | bigint
      if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean') {
        throw makeError('ERR_INVALID_ARGUMENT', `row ${r}, column ${c}: expected a number, a bigint or a boolean, received ${describe(v)}`)
      }
      if (bool) x = v ? 1 : 0
      else if (typeof v === 'number') x = big ? toBigInt(v) : v
      else if (typeof v === 'bigint') {
        if (big) x = v
        else if (width !== undefined) x = Number(signed ? BigInt.asIntN(width, v) : BigInt.asUintN(width, v))
        else x = Number(v)
      } else x = big ? BigInt(Number(v)) : Number(v)
      out[r * cols + c] = x
    }
  }
  return { data, format: target.text }
}

/** The `ERR_INVALID_ARGUMENT` of a value an element of `dtype` cannot take. */
function badValue(dtype: Dtype, value: unknown): Error {
  const wants = dtype === 'int64' || dtype === 'uint64' ? 'a bigint or a safe-integer number' : 'a number'
  return makeError('ERR_INVALID_ARGUMENT', `${/^[aeiou]/.test(dtype) ? 'an' : 'a'} ${dtype} element takes ${wants}, received ${describe(value)}`)
}

/** Resolves a `subarray`-style bound: negatives from the end, clamped to `[0, n]`. */
function relativeIndex(value: unknown, n: number, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw makeError('ERR_INVALID_ARGUMENT', `${name} must be an integer number, received ${describe(value)}`)
  }
  return value < 0 ? Math.max(n + value, 0) : Math.min(value, n)
}

/** Makes the IndirectMemory2D of a view (set by memory.ts, which owns the class). */
let viewFactory: ((init: Init) => AnyMatrix) | undefined

/** @internal */
export function setViewFactory(factory: (init: Init) => AnyMatrix): void {
  viewFactory = factory
}

function makeView<F extends string>(init: Init): Indirect2D<F> {
  if (viewFactory === undefined) throw new Error('indirect-buffer: the view factory is not registered')
  return viewFactory(init) as Indirect2D<F>
}

const NATIVE_CHARS: Record<Exclude<Dtype, 'record'>, string> = {
  bool: '?',
  int8: 'b',
  uint8: 'B',
  uint8c: 'uint8c',
  int16: 'h',
  uint16: 'H',
  int32: 'i',
  uint32: 'I',
  int64: 'q',
  uint64: 'Q',
  float16: 'e',
  float32: 'f',
  float64: 'd',
}

/** The native-order format of a dtype. */
export function nativeChar(dtype: Dtype): string {
  if (dtype === 'record') throw makeError('ERR_FORMAT_UNSUPPORTED', 'records have no scalar format')
  return NATIVE_CHARS[dtype]
}

export { NativeMatrix }
