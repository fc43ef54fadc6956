// The contract's errors: a stable `code` on a TypeError, RangeError or Error, as JS convention asks.

export type ErrorCode =
  | 'ERR_INVALID_FORMAT'
  | 'ERR_FORMAT_UNSUPPORTED'
  | 'ERR_INVALID_SHAPE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_OUT_OF_BOUNDS'
  | 'ERR_READONLY'
  | 'ERR_LOCKED'
  | 'ERR_DIMENSIONS'
  | 'ERR_SHAPE_MISMATCH'
  | 'ERR_FORMAT_MISMATCH'
  | 'ERR_ITEMSIZE_MISMATCH'
  | 'ERR_NOT_CONTIGUOUS'
  | 'ERR_TOO_MANY_DIMENSIONS'
  | 'ERR_COLUMN_COUNT'
  | 'ERR_ROW_FORMAT'
  | 'ERR_ROW_DIMENSIONS'
  | 'ERR_ROW_COUNT'
  | 'ERR_NULL_POINTER'
  | 'ERR_DETACHED'
  | 'ERR_RELEASED'
  | 'ERR_RAGGED'
  | 'ERR_NO_EXTERNAL_BUFFERS'

/** Every error this package throws carries one of the contract's codes. */
export interface IndirectBufferError extends Error {
  code: ErrorCode
}

const TYPE_ERRORS = new Set<ErrorCode>(['ERR_INVALID_FORMAT', 'ERR_FORMAT_UNSUPPORTED', 'ERR_INVALID_ARGUMENT', 'ERR_READONLY'])
const RANGE_ERRORS = new Set<ErrorCode>(['ERR_INVALID_SHAPE', 'ERR_OUT_OF_BOUNDS'])

/** Builds the error for `code`; callers `throw makeError(...)` so that stack traces start at them. */
export function makeError(code: ErrorCode, message: string): IndirectBufferError {
  const Ctor = TYPE_ERRORS.has(code) ? TypeError : RANGE_ERRORS.has(code) ? RangeError : Error
  const e = new Ctor(message) as IndirectBufferError
  e.code = code
  return e
}

/** A short description of a value for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'undefined') return String(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'symbol') return 'a symbol'
  const name = (value as object).constructor?.name
  return name ? `an instance of ${name}` : 'an object'
}
