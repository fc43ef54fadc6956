// Element access: get(r, c) and set(r, c, v).
//
// The fast path reads a cached row view and switches on the matrix's access kind, so that each TypedArray kind
// has its own keyed load and store site: a process that uses many formats keeps every site monomorphic (one
// shared `row[c]` site went megamorphic after a warm-up over eight formats: 7.3× a Float64Array read, 24× a
// store). Anything the fast path is not sure of — an index that is not a plain in-range integer, a row not yet
// viewed, a detached row, a value that needs converting — falls to the checked path, which throws the
// contract's errors or fills the cache and tries again.

import { resolveIndex } from './args.js'
import { describe, makeError } from './errors.js'
import { type Dtype, Float16ArrayCtor } from './formats.js'
import { checkLive, checkRow } from './lifetime.js'
import { cachedRow } from './rows.js'
import { type CachedRow, type State, segmentOfRow } from './state.js'

/** A value of one element: `number`, `bigint` (64-bit formats) or `boolean` (`?`). */
export type ElementValue = number | bigint | boolean

// Access kinds: one per TypedArray class, DataView for foreign byte orders and unaligned rows, NATIVE for memory
// only the binding can reach (records, runtimes without external buffers), UNSET until first use.
export const F64 = 0
export const F32 = 1
export const I32 = 2
export const U32 = 3
export const I16 = 4
export const U16 = 5
export const I8 = 6
export const U8 = 7
export const U8C = 8
export const I64 = 9
export const U64 = 10
export const F16 = 11
export const BOOL = 12
export const DV = 13
export const NATIVE = 14

const KIND_OF_DTYPE: Record<Exclude<Dtype, 'record'>, number> = {
  float64: F64,
  float32: F32,
  int32: I32,
  uint32: U32,
  int16: I16,
  uint16: U16,
  int8: I8,
  uint8: U8,
  uint8c: U8C,
  int64: I64,
  uint64: U64,
  float16: F16,
  bool: BOOL,
}

const hasDataViewFloat16 = typeof (DataView.prototype as { getFloat16?: unknown }).getFloat16 === 'function'

/** The element kind of a scalar format (which TypedArray, or which DataView method, holds it). */
export function elementCodeOf(dtype: Dtype): number {
  return dtype === 'record' ? NATIVE : KIND_OF_DTYPE[dtype]
}

/** The access kind of a format whose rows are aligned (`aligned`) or not. */
export function kindOf(s: State, aligned: boolean): number {
  const f = s.format
  if (f.record) return NATIVE
  if (f.dtype === 'float16' && Float16ArrayCtor === undefined) return hasDataViewFloat16 ? DV : NATIVE
  if (!f.nativeOrder || (!aligned && f.itemsize > 1)) return DV
  return KIND_OF_DTYPE[f.dtype as Exclude<Dtype, 'record'>]
}

/** Whether row `r`'s segment is still attached (DataViews of a detached buffer throw instead of reading undefined). */
export function rowAttached(s: State, r: number): boolean {
  const plane = s.plane
  if (plane === undefined) return true // native memory: release drops the cache before its views are detached
  return s.guards[segmentOfRow(plane.layout, r)].length !== 0
}

/**
 * A cached row view of a table read in place carries the table entry (its 8 bytes as a float64) it was made for,
 * as a hidden property of the view that the fast paths already hold. `get` on a 100×100 fromPointer matrix after
 * the warm-up: 4.6× a Float64Array read, against 5.1× with the entries in a Float64Array beside the cache. The
 * accessors load it themselves (accessors-in-place.ts): through a shared helper, its load site would see the
 * views of every element kind.
 */
export type Tagged<Row> = Row & { readonly __viewedAt?: number }

/**
 * For a table read in place: whether row `r`'s cached view is still over the row the table points at now (C may
 * swap rows in the table). The entry's 8 bytes are compared as a float64 with those the view was made for: one
 * load and one compare. Equal floats have equal bits except ±0 (a NULL entry, never viewed, and
 * 0x8000000000000000, no user-space address); a NaN-shaped entry compares unequal and takes the slow path.
 */
export function viewCurrent(s: State, r: number, row: object): boolean {
  return (s.table as Float64Array)[r] === (row as Tagged<object>).__viewedAt
}

/** The checked path of `get`: the contract's errors, then the cache (filled now) or the binding. */
export function getChecked(s: State, r: unknown, c: unknown): ElementValue {
  checkLive(s)
  const i = resolveIndex(r, s.rows, 1)
  const j = resolveIndex(c, s.rowLength(i), 2)
  checkRow(s, i)
  checkScalar(s)
  const row = cachedRow(s, i)
  if (row === undefined) return (s.native as NonNullable<State['native']>).get(i, j) as ElementValue
  // Read here, not through the fast path again (a row of a table read in place is not cached). One generic
  // site: this path runs once per row, or on every access only for tables read in place.
  if (row instanceof DataView) return viewGet(s, row, j)
  const v = (row as unknown as ArrayLike<number | bigint>)[j]
  return s.format.dtype === 'bool' ? v !== 0 : v
}

/**
 * `getChecked` for a kind whose elements are numbers, typed as a number for the JIT. Where the fast path's
 * unboxed element and the checked path's result meet, an untyped result made V8 box every element that is not
 * a small integer into a new heap number, once the checked path had run anywhere in the process (in a
 * long-lived one it always has). One process after the warm-up, 100×100 'd' (AMD Zen 4): get 3.5 → 2.9× a
 * Float64Array read; a 1000-row collection 4.3 → 3.2×; fromPointer 4.5 → 3.1×; '>d' 5.2 → 3.6× a DataView read.
 */
export function getCheckedNumber(s: State, r: unknown, c: unknown): number {
  return +(getChecked(s, r, c) as number)
}

export function setChecked(s: State, r: unknown, c: unknown, v: unknown): void {
  checkLive(s)
  if (s.readonly) throw makeError('ERR_READONLY', 'cannot set an element: the matrix is read-only')
  const i = resolveIndex(r, s.rows, 1)
  const j = resolveIndex(c, s.rowLength(i), 2)
  checkRow(s, i)
  checkScalar(s)
  const value = elementInput(s.format.dtype, v)
  const row = cachedRow(s, i)
  if (row instanceof DataView) {
    viewSet(s, row, j, value)
    return
  }
  if (row !== undefined) {
    ;(row as unknown as (number | bigint)[])[j] = typeof value === 'boolean' ? (value ? 1 : 0) : value
    return
  }
  const native = s.native as NonNullable<State['native']>
  if (typeof value === 'boolean') native.setBool(i, j, value)
  else if (typeof value === 'bigint') native.setBigInt(i, j, value)
  else native.setNumber(i, j, value)
}

function checkScalar(s: State): void {
  if (s.format.record) {
    throw makeError(
      'ERR_FORMAT_UNSUPPORTED',
      `get/set need a scalar format, not the record format ${JSON.stringify(s.format.text)}; use rowBytes()`,
    )
  }
}

/** A value as an element of `dtype` takes it (64-bit formats: bigint; `?`: boolean), or `ERR_INVALID_ARGUMENT`. */
export function elementInput(dtype: Dtype, v: unknown): number | bigint | boolean {
  if (dtype === 'bool') return !!v
  if (dtype === 'int64' || dtype === 'uint64') {
    if (typeof v === 'bigint') return v
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v)
    throw badValue(dtype, v)
  }
  if (typeof v === 'number') return v
  throw badValue(dtype, v)
}

function badValue(dtype: Dtype, value: unknown): Error {
  const wants = dtype === 'int64' || dtype === 'uint64' ? 'a bigint or a safe-integer number' : 'a number'
  return makeError(
    'ERR_INVALID_ARGUMENT',
    `${/^[aeiou]/.test(dtype) ? 'an' : 'a'} ${dtype} element takes ${wants}, received ${describe(value)}`,
  )
}

// ---- DataView rows: foreign byte orders, unaligned rows, float16 without Float16Array ---------------------------

type Float16View = DataView & { getFloat16(o: number, le?: boolean): number; setFloat16(o: number, v: number, le?: boolean): void }

export function viewGet(s: State, dv: DataView, c: number): ElementValue {
  const o = c * s.itemsize
  const le = s.little
  switch (s.elementCode) {
    case F64:
      return dv.getFloat64(o, le)
    case F32:
      return dv.getFloat32(o, le)
    case I32:
      return dv.getInt32(o, le)
    case U32:
      return dv.getUint32(o, le)
    case I16:
      return dv.getInt16(o, le)
    case U16:
      return dv.getUint16(o, le)
    case I64:
      return dv.getBigInt64(o, le)
    case U64:
      return dv.getBigUint64(o, le)
    case F16:
      return (dv as Float16View).getFloat16(o, le)
    case I8:
      return dv.getInt8(o)
    case BOOL:
      return dv.getUint8(o) !== 0
    default:
      return dv.getUint8(o)
  }
}

/** Stores through a DataView; false when the value needs the checked path (conversion or refusal). */
export function viewSet(s: State, dv: DataView, c: number, v: unknown): boolean {
  const o = c * s.itemsize
  const le = s.little
  const code = s.elementCode
  if (code === BOOL) {
    dv.setUint8(o, v ? 1 : 0)
    return true
  }
  if (code === I64 || code === U64) {
    if (typeof v !== 'bigint') return false
    if (code === I64) dv.setBigInt64(o, v, le)
    else dv.setBigUint64(o, v, le)
    return true
  }
  if (typeof v !== 'number') return false
  switch (code) {
    case F64:
      dv.setFloat64(o, v, le)
      break
    case F32:
      dv.setFloat32(o, v, le)
      break
    case I32:
      dv.setInt32(o, v, le)
      break
    case U32:
      dv.setUint32(o, v, le)
      break
    case I16:
      dv.setInt16(o, v, le)
      break
    case U16:
      dv.setUint16(o, v, le)
      break
    case F16:
      ;(dv as Float16View).setFloat16(o, v, le)
      break
    case I8:
      dv.setInt8(o, v)
      break
    default:
      dv.setUint8(o, v)
  }
  return true
}

export type { CachedRow }
