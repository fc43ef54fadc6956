// Matrices over native memory: fromPointer (a T** read in place), fromRowPointers (a table of row addresses
// copied into the matrix's own table) and fromStringArray (a C `char **`). The memory is not owned; its
// nanny (`free`) runs exactly once, on release() or after the matrix and every view are collected.

import { callback, checkRowCount, checkSize, flag, options, toAddress } from './args.js'
import { NativeMatrix } from './binding.js'
import { describe, makeError } from './errors.js'
import { describeFormat, type FormatDescription } from './formats.js'
import { Nanny } from './nanny.js'
import { rowLengthsArg } from './owned.js'
import { checkNotDetached } from './sources.js'
import type { Init } from './state.js'
import { tableLayout } from './tables.js'

export interface NativeMemoryOptions<A> {
  /** Refuse writes from JS (default false). */
  readonly?: boolean
  /** Any value to keep alive as long as the matrix or any of its views lives (e.g. the koffi object that owns the memory). */
  owner?: unknown
  /**
   * The memory nanny: called exactly once with the address (fromPointer, fromStringArray: a bigint) or the
   * table as given (fromRowPointers) — on `release()`, or after the matrix and all its views were collected.
   */
  free?: (address: A) => void
}

export interface RowPointersOptions<A> extends NativeMemoryOptions<A> {
  /** How many rows to take from the table (default: all of it). */
  rows?: number
  /** End the matrix's own row table with an extra NULL entry (default false). */
  nullTerminated?: boolean
}

export interface StringArrayOptions extends NativeMemoryOptions<bigint> {
  /** How many strings the table holds (default: up to its NULL entry). */
  count?: number
}

/** `fromPointer(address, rows, cols | rowLengths, format, opts)`. */
export function fromPointerInit(address: unknown, rows: unknown, cols: unknown, format: unknown, opts: unknown): Init {
  const addr = toAddress(address, 'address')
  const o = options(opts as NativeMemoryOptions<bigint>, 'fromPointer')
  const nrows = checkRowCount(checkSize(rows, 'rows'), 'fromPointer')
  const lengths = Array.isArray(cols) ? rowLengthsArg(cols) : undefined
  if (lengths !== undefined && lengths.length !== nrows) {
    throw makeError('ERR_INVALID_SHAPE', `rowLengths has ${lengths.length} entries for ${nrows} rows`)
  }
  const ncols = lengths === undefined ? checkSize(cols, 'cols') : lengths.reduce((a, n) => Math.max(a, n), 0)
  const f = describeFormat(format)
  const readonly = flag(o.readonly, 'readonly', false)
  const free = callback<(address: bigint) => void>(o.free, 'free', true)
  if (addr === 0n) throw makeError('ERR_NULL_POINTER', 'the address is a null pointer')
  const native = NativeMatrix.fromTable(addr, nrows, ncols, f.native, tableLayout({ rowLengths: lengths }))
  if (readonly) native.makeReadOnly()
  return inPlaceInit(native, nrows, ncols, f, readonly, new Nanny(addr, free, o.owner), lengths)
}

/** The Init of a table read in place (fromPointer, fromStringArray): the matrix owns the nanny, not the memory. */
function inPlaceInit(
  native: NativeMatrix,
  rows: number,
  cols: number,
  format: FormatDescription,
  readonly: boolean,
  nanny: Nanny,
  rowLengths: Float64Array | undefined,
): Init {
  return { native, rows, cols, format, readonly, plane: undefined, nanny, ownsNanny: true, inPlace: true, keep: [], rowLengths }
}

/** `fromRowPointers(table, cols, format, opts)`. */
export function fromRowPointersInit(table: unknown, cols: unknown, format: unknown, opts: unknown): Init {
  let addresses: BigUint64Array
  if (table instanceof BigUint64Array) {
    if (table.length === 0) checkNotDetached(table.buffer)
    addresses = table.slice()
  } else if (Array.isArray(table)) addresses = BigUint64Array.from(table, (a, i) => toAddress(a, `table[${i}]`))
  else throw makeError('ERR_INVALID_ARGUMENT', `the table must be a BigUint64Array or an array of bigints, received ${describe(table)}`)
  const o = options(opts as RowPointersOptions<unknown>, 'fromRowPointers')
  const rows = o.rows === undefined ? addresses.length : checkSize(o.rows, 'rows')
  const ncols = checkSize(cols, 'cols')
  const f = describeFormat(format)
  const readonly = flag(o.readonly, 'readonly', false)
  const nullTerminated = flag(o.nullTerminated, 'nullTerminated', false)
  const free = callback<(table: unknown) => void>(o.free, 'free', true)
  if (rows > addresses.length) throw makeError('ERR_ROW_COUNT', `less rows than expected: ${addresses.length} vs. ${rows}`)
  checkRowCount(rows, 'fromRowPointers')
  const native = NativeMatrix.fromRowPointers(addresses, rows, ncols, f.native, tableLayout({ nullTerminated }))
  if (readonly) native.makeReadOnly()
  const nanny = new Nanny(table, free, o.owner)
  return { native, rows, cols: ncols, format: f, readonly, plane: undefined, nanny, ownsNanny: true, keep: [], nullTerminated }
}

/** `fromStringArray(address, opts)`: a `char **` up to its NULL entry or `count` strings, lengths measured now. */
export function fromStringArrayInit(address: unknown, opts: unknown): Init {
  const addr = toAddress(address, 'address')
  const o = options(opts as StringArrayOptions, 'fromStringArray')
  const count = o.count === undefined ? undefined : checkRowCount(checkSize(o.count, 'count'), 'fromStringArray')
  const readonly = flag(o.readonly, 'readonly', false)
  const free = callback<(address: bigint) => void>(o.free, 'free', true)
  if (addr === 0n) throw makeError('ERR_NULL_POINTER', 'the address is a null pointer')
  const native = NativeMatrix.fromStringArray(addr, count)
  if (readonly) native.makeReadOnly()
  const lengths = Float64Array.from(native.rowLengths())
  const nanny = new Nanny(addr, free, o.owner)
  return inPlaceInit(native, lengths.length, native.cols(), describeFormat('B'), readonly, nanny, lengths)
}
