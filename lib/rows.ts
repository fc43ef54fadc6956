// Where the rows of a matrix are, and the zero-copy views over them: row(i), rowViews(), rowBytes(i), the
// element cache's views, and the row addresses.

import { BOOL, DV, kindOf, NATIVE, rowAttached, viewCurrent } from './access.js'
import { resolveIndex } from './args.js'
import { makeError } from './errors.js'
import type { AnyTypedArray, FormatDescription, TypedArrayConstructor } from './formats.js'
import { checkAll, checkLive, checkRow } from './lifetime.js'
import { type CachedRow, rowOffset, type State, segmentOfRow } from './state.js'

type Native = NonNullable<State['native']>

/** The address of row `i` (checked for null: a NULL entry of a table read in place is met here). */
export function rowAddress(s: State, i: number): bigint {
  const address = !s.inPlace
    ? rowAddresses(s)[i]
    : tableView(s) !== undefined
      ? (s.tableAddresses as BigUint64Array)[i]
      : (s.native as Native).rowPointer(i)
  if (address === 0n) throw makeError('ERR_NULL_POINTER', `row ${i} of the table is a null pointer`)
  return address
}

/** Every row address of a table that is not read in place, fetched once (JS memory never moves). */
export function rowAddresses(s: State): BigUint64Array {
  return (s.rowAddresses ??= (s.native as Native).rowPointers())
}

/**
 * The row table of a matrix read in place, seen through an external buffer: every access reads the current row
 * pointer from it without a call into the binding. Undefined where the runtime refuses external buffers.
 */
function tableView(s: State): Float64Array | undefined {
  if (s.table !== undefined || s.rows === 0) return s.table
  const native = s.native as Native
  const nanny = s.nanny as NonNullable<State['nanny']>
  let buffer: ArrayBuffer
  try {
    buffer = nanny.rowBuffer((s.pointer ??= native.pointer()), s.rows * 8, () => native.tableExternal() as ArrayBuffer)
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_NO_EXTERNAL_BUFFERS') return undefined
    throw e
  }
  s.tableAddresses = new BigUint64Array(buffer)
  s.table = new Float64Array(buffer)
  return s.table
}

/** Row `i` as a buffer and a byte offset: its JS memory, or an external buffer over native memory. */
function rowLocation(s: State, i: number): [ArrayBufferLike, number] {
  const plane = s.plane
  if (plane !== undefined) {
    const k = segmentOfRow(plane.layout, i)
    return [s.segBuffers[k], s.segBases[k] + rowOffset(plane.layout, i)]
  }
  const native = s.native as Native
  const nanny = s.nanny as NonNullable<State['nanny']>
  const address = rowAddress(s, i)
  return [nanny.rowBuffer(address, s.rowLength(i) * s.format.itemsize, () => native.rowExternal(i) as ArrayBuffer), 0]
}

/** The access kind of the matrix's format and rows. */
export function resolveKind(s: State): number {
  return kindOf(s, rowsAligned(s))
}

/** Whether every row starts at a multiple of the itemsize (in its buffer, or in the address space). */
function rowsAligned(s: State): boolean {
  const n = s.format.itemsize
  const plane = s.plane
  if (plane === undefined) {
    if (s.inPlace) return true // read anew on every access; an unaligned row gets a DataView then
    const addresses = rowAddresses(s)
    const m = BigInt(n)
    for (let r = 0; r < addresses.length; r++) if (addresses[r] % m !== 0n) return false
    return true
  }
  if (plane.aligned !== undefined) return plane.aligned
  // A segment whose elements are multiples of the itemsize starts aligned: its byteOffset (a call to read) is
  // only needed for the others (a Uint8Array of doubles, say).
  const { segments, layout } = plane
  const baseOf = (k: number) => (segments[k].BYTES_PER_ELEMENT % n === 0 ? 0 : s.segBases[k])
  if ('rowStride' in layout) {
    // The first row, and the distance to the others.
    return plane.rows === 0 || ((baseOf(0) + layout.offset) % n === 0 && (plane.rows === 1 || layout.rowStride % n === 0))
  }
  for (let r = 0; r < plane.rows; r++) {
    const k = layout.segmentOfRow[r]
    if ((baseOf(k) + layout.rowOffsets[r]) % n !== 0) return false
  }
  return true
}

/**
 * The element cache's view of row `i` (made now if need be), or undefined where only the binding reaches the
 * memory. A table read in place is not cached: every access reads its row pointer anew.
 */
export function cachedRow(s: State, i: number): CachedRow | undefined {
  if (s.kind === NATIVE) return undefined
  const hit = s.rowCache[i]
  if (hit !== undefined && (s.table === undefined || viewCurrent(s, i, hit))) return hit
  let buffer: ArrayBufferLike
  let offset: number
  try {
    ;[buffer, offset] = rowLocation(s, i)
  } catch (e) {
    // Where the runtime refuses external buffers, element access goes through the binding.
    if ((e as { code?: string }).code !== 'ERR_NO_EXTERNAL_BUFFERS') throw e
    s.kind = NATIVE
    return undefined
  }
  const f = s.format
  const aligned = (s.plane === undefined ? Number(rowAddress(s, i) % 8n) : offset) % f.itemsize === 0
  const row =
    s.kind === DV || !aligned
      ? new DataView(buffer, offset, s.rowLength(i) * f.itemsize)
      : new (f.ArrayType as TypedArrayConstructor)(buffer, offset, s.rowLength(i))
  if (!s.inPlace) s.rowCache[i] = row
  else if (s.table !== undefined) {
    // Cached with the table entry it was made for: the fast paths compare it with the entry C holds now.
    Object.defineProperty(row, '__viewedAt', { value: s.table[i] }) // hidden: not enumerable, not writable
    s.rowCache[i] = row
  }
  return row
}

/** The TypedArray class of the rows, or `ERR_FORMAT_UNSUPPORTED` with the way in that does work. */
function rowType(f: FormatDescription): TypedArrayConstructor {
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

function checkViewable(s: State): void {
  if (s.readonly) {
    throw makeError(
      'ERR_READONLY',
      'a read-only matrix has no row views (a TypedArray cannot be read-only); use get(), toArray() or copyTo()',
    )
  }
}

/** `row(i)`: the cached view when there is one (a typed kind, row attached), else the checked path. */
export function rowView(s: State, i: number): AnyTypedArray {
  if (typeof i === 'number' && i >>> 0 === i && !s.readonly && s.kind <= BOOL) {
    const row = s.rowCache[i]
    if (row !== undefined && (s.table === undefined || viewCurrent(s, i, row)) && rowAttached(s, i)) {
      return row as AnyTypedArray
    }
  }
  checkLive(s)
  checkViewable(s)
  const Ctor = rowType(s.format)
  const r = resolveIndex(i, s.rows, 1)
  checkRow(s, r)
  return makeRowView(s, r, Ctor)
}

function makeRowView(s: State, r: number, Ctor: TypedArrayConstructor): AnyTypedArray {
  const [buffer, offset] = rowLocation(s, r)
  const address = s.plane === undefined ? Number(rowAddress(s, r) % 8n) : offset
  if (address % Ctor.BYTES_PER_ELEMENT !== 0) {
    throw makeError('ERR_FORMAT_UNSUPPORTED', `row ${r} is not aligned for ${Ctor.name}; use rowBytes(${r}) or get/set`)
  }
  const view = new Ctor(buffer, offset, s.rowLength(r))
  if (s.kind <= BOOL && !s.inPlace) s.rowCache[r] = view
  return view
}

/** `rowViews()`: every row's view (a whole-matrix operation). */
export function allRowViews(s: State): AnyTypedArray[] {
  checkAll(s)
  checkViewable(s)
  const Ctor = rowType(s.format)
  const out = new Array<AnyTypedArray>(s.rows)
  const cache = s.kind <= BOOL && !s.inPlace ? s.rowCache : []
  for (let r = 0; r < out.length; r++) out[r] = (cache[r] as AnyTypedArray | undefined) ?? makeRowView(s, r, Ctor)
  return out
}

/** `rowBytes(i)`: the bytes of row `i`, for every format. */
export function rowBytes(s: State, i: number): Uint8Array {
  checkLive(s)
  checkViewable(s)
  const r = resolveIndex(i, s.rows, 1)
  checkRow(s, r)
  const [buffer, offset] = rowLocation(s, r)
  return new Uint8Array(buffer, offset, s.rowLength(r) * s.format.itemsize)
}
