// Argument checks shared by every entry point: options objects, flags, enums, sizes, indices, addresses.
// Each throws the contract's coded error before anything is changed.

import { describe, makeError } from './errors.js'

/** Checks that an options argument is `undefined` or a plain object (not null, not an array). */
export function options<T extends object>(value: T | undefined, what: string): Partial<T> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw makeError('ERR_INVALID_ARGUMENT', `${what} options must be an object, received ${describe(value)}`)
  }
  return value
}

/** A boolean option: `undefined` takes the default; anything but a boolean (null included) is refused. */
export function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw makeError('ERR_INVALID_ARGUMENT', `${name} must be a boolean, received ${describe(value)}`)
  return value
}

/** An enumerated option: `undefined` takes the default; null and other values are refused. */
export function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (!allowed.includes(value as T)) {
    throw makeError('ERR_INVALID_ARGUMENT', `${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, received ${describe(value)}`)
  }
  return value as T
}

/** A function argument (or option, when `optional`). */
export function callback<T extends (...args: never[]) => unknown>(value: unknown, name: string, optional: true): T | undefined
export function callback<T extends (...args: never[]) => unknown>(value: unknown, name: string, optional?: false): T
export function callback<T extends (...args: never[]) => unknown>(value: unknown, name: string, optional = false): T | undefined {
  if (value === undefined && optional) return undefined
  if (typeof value !== 'function') throw makeError('ERR_INVALID_ARGUMENT', `${name} must be a function, received ${describe(value)}`)
  return value as T
}

/** One size of a shape: a non-negative safe integer, else `ERR_INVALID_SHAPE`. */
export function checkSize(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw makeError('ERR_INVALID_SHAPE', `${name} must be a non-negative integer, received ${describe(value)}`)
  }
  return value
}

/**
 * The most rows a matrix can have: the facade keeps an entry per row in a JS array (its cache of row views), and a
 * JS array holds at most 2^32 - 1. Checked before any row table is made, whatever the data size (a matrix of no
 * columns has none).
 */
export const MAX_ROWS = 2 ** 32 - 1

/** A row count `checkSize` accepted, bounded by MAX_ROWS (`ERR_INVALID_SHAPE`). */
export function checkRowCount(rows: number, what: string): number {
  if (rows > MAX_ROWS) throw makeError('ERR_INVALID_SHAPE', `${what}: ${rows} rows, more than the ${MAX_ROWS} a matrix can hold`)
  return rows
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

/** Resolves a `subarray`-style bound: negatives from the end, clamped to `[0, n]`. */
export function relativeIndex(value: unknown, n: number, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw makeError('ERR_INVALID_ARGUMENT', `${name} must be an integer number, received ${describe(value)}`)
  }
  return value < 0 ? Math.max(n + value, 0) : Math.min(value, n)
}

/** A native address: a bigint in the 64-bit range, or a non-negative safe-integer number (as koffi and node:ffi give them). */
export function toAddress(value: unknown, what: string): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value > 0xffff_ffff_ffff_ffffn) {
      throw makeError('ERR_INVALID_ARGUMENT', `${what} must be a 64-bit unsigned address, received ${describe(value)}`)
    }
    return value
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value)
  throw makeError('ERR_INVALID_ARGUMENT', `${what} must be a bigint or a safe-integer number, received ${describe(value)}`)
}
