// Format descriptions (parsed once per string by the Rust core) and the TypedArray class of each dtype.

import { NativeFormat } from './binding.js'
import { makeError } from './errors.js'

export type Dtype =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'uint8c'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'record'

export interface FormatDescription {
  readonly text: string
  readonly itemsize: number
  readonly align: number
  readonly byteOrder: 'little' | 'big'
  readonly nativeOrder: boolean
  readonly dtype: Dtype
  readonly record: boolean
  /** The TypedArray class whose elements are these bytes, or undefined (records, foreign byte order, float16 without Float16Array). */
  readonly ArrayType: TypedArrayConstructor | undefined
  /** The parsed format, passed to the binding by reference. */
  readonly native: NativeFormat
}

export type AnyTypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array

export interface TypedArrayConstructor {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): AnyTypedArray
  new (length: number): AnyTypedArray
  readonly BYTES_PER_ELEMENT: number
  readonly name: string
}

/** `Float16Array` where the runtime has it (Node 24+), else undefined. */
export const Float16ArrayCtor: TypedArrayConstructor | undefined = (globalThis as { Float16Array?: TypedArrayConstructor }).Float16Array

const ARRAY_TYPES: Record<Exclude<Dtype, 'record'>, TypedArrayConstructor | undefined> = {
  bool: Uint8Array,
  int8: Int8Array,
  uint8: Uint8Array,
  uint8c: Uint8ClampedArray,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float16: Float16ArrayCtor,
  float32: Float32Array,
  float64: Float64Array,
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

/** The native-order format of a dtype (`'uint8c'` stays itself: its TypedArray clamps). */
export function nativeChar(dtype: Dtype): string {
  if (dtype === 'record') throw makeError('ERR_FORMAT_UNSUPPORTED', 'records have no scalar format')
  return NATIVE_CHARS[dtype]
}

const cache = new Map<string, FormatDescription>()

/** Parses a format (any value: non-strings throw `ERR_INVALID_FORMAT`), caching by text. */
export function describeFormat(format: unknown): FormatDescription {
  if (typeof format === 'string') {
    const hit = cache.get(format)
    if (hit !== undefined) return hit
  } else {
    throw makeError('ERR_INVALID_FORMAT', `a format must be a string, received ${typeof format}`)
  }
  const info = NativeFormat.parse(format)
  const dtype = info.dtype as Dtype
  const d: FormatDescription = {
    text: format,
    itemsize: info.itemsize,
    align: info.align,
    byteOrder: info.byteOrder as 'little' | 'big',
    nativeOrder: info.nativeOrder,
    dtype,
    record: info.record,
    ArrayType: dtype === 'record' || !info.nativeOrder ? undefined : ARRAY_TYPES[dtype],
    native: info,
  }
  if (cache.size < 1024) cache.set(format, d)
  return d
}

const matchCache = new Map<string, boolean>()

/** Whether two formats describe the same bytes (the core decides once per pair of strings). */
export function formatsMatch(a: FormatDescription, b: FormatDescription): boolean {
  if (a.text === b.text) return true
  const key = `${a.text}\u0000${b.text}`
  let match = matchCache.get(key)
  if (match === undefined) {
    match = a.native.matches(b.native)
    if (matchCache.size < 4096) matchCache.set(key, match)
  }
  return match
}

const FORMAT_BY_CLASS = new Map<unknown, string>([
  [Int8Array, 'b'],
  [Uint8Array, 'B'],
  [Uint8ClampedArray, 'B'],
  [Int16Array, 'h'],
  [Uint16Array, 'H'],
  [Int32Array, 'i'],
  [Uint32Array, 'I'],
  [BigInt64Array, 'q'],
  [BigUint64Array, 'Q'],
  [Float32Array, 'f'],
  [Float64Array, 'd'],
])
if (Float16ArrayCtor !== undefined) FORMAT_BY_CLASS.set(Float16ArrayCtor, 'e')

/** The struct-module format of a TypedArray's elements (undefined for a DataView). */
export function formatOfTypedArray(view: ArrayBufferView): string | undefined {
  // The class first (one map lookup); subclasses such as Buffer by their tag.
  const byClass = FORMAT_BY_CLASS.get(view.constructor)
  if (byClass !== undefined) return byClass
  switch (Object.prototype.toString.call(view).slice(8, -1)) {
    case 'Int8Array':
      return 'b'
    case 'Uint8Array':
    case 'Uint8ClampedArray':
      return 'B'
    case 'Int16Array':
      return 'h'
    case 'Uint16Array':
      return 'H'
    case 'Int32Array':
      return 'i'
    case 'Uint32Array':
      return 'I'
    case 'BigInt64Array':
      return 'q'
    case 'BigUint64Array':
      return 'Q'
    case 'Float16Array':
      return 'e'
    case 'Float32Array':
      return 'f'
    case 'Float64Array':
      return 'd'
    default:
      return undefined
  }
}

// Type-level mapping from a format literal to its row TypedArray and element value, so that
// `createMemory({ format: 'd', ... }).row(0)` is a Float64Array for TypeScript too. Formats the map
// does not know (records, big-endian, computed strings) fall back to the unions.
type P<C extends string> = C | `@${C}` | `=${C}` | `<${C}`
type FormatsOf = {
  Float64Array: P<'d'> | 'float64'
  Float32Array: P<'f'> | 'float32'
  Int32Array: P<'i'> | 'int32' | '<l' | '=l'
  Uint32Array: P<'I'> | 'uint32' | '<L' | '=L'
  Int16Array: P<'h'> | 'int16'
  Uint16Array: P<'H'> | 'uint16'
  Int8Array: P<'b'> | 'int8' | `>b` | `!b`
  Uint8Array: P<'B'> | P<'c'> | P<'?'> | 'uint8' | 'bool' | `>B` | `!B` | `>c` | `!c` | `>?` | `!?`
  Uint8ClampedArray: 'uint8c'
  BigInt64Array: P<'q'> | 'int64' | 'n' | '@n'
  BigUint64Array: P<'Q'> | 'uint64' | 'N' | '@N' | 'P' | '@P'
  // Native `l`/`L` are C `long`: 8 bytes on 64-bit Linux and macOS, 4 on Windows; the type admits both.
  NativeLong: 'l' | '@l'
  NativeULong: 'L' | '@L'
}
type ArrayTypes = {
  Float64Array: Float64Array
  Float32Array: Float32Array
  Int32Array: Int32Array
  Uint32Array: Uint32Array
  Int16Array: Int16Array
  Uint16Array: Uint16Array
  Int8Array: Int8Array
  Uint8Array: Uint8Array
  Uint8ClampedArray: Uint8ClampedArray
  BigInt64Array: BigInt64Array
  BigUint64Array: BigUint64Array
  NativeLong: Int32Array | BigInt64Array
  NativeULong: Uint32Array | BigUint64Array
}

/** The TypedArray `row()` returns for format `F` (the union when `F` is not a known literal). */
export type RowArray<F extends string> = {
  [K in keyof FormatsOf]: F extends FormatsOf[K] ? ArrayTypes[K] : never
}[keyof FormatsOf] extends infer R
  ? [R] extends [never]
    ? AnyTypedArray
    : R
  : never

/** The byte formats: those whose rows `toStrings()` decodes. */
export type ByteFormat = P<'B'> | P<'b'> | P<'c'> | P<'?'> | `${'>' | '!'}${'B' | 'b' | 'c' | '?'}` | 'uint8' | 'int8' | 'uint8c' | 'bool'

/** The value `get()` returns for format `F`. */
export type ValueOf<F extends string> = F extends P<'?'> | 'bool' | '>?' | '!?'
  ? boolean
  : F extends FormatsOf['NativeLong'] | FormatsOf['NativeULong']
    ? number | bigint
    : F extends FormatsOf['BigInt64Array'] | FormatsOf['BigUint64Array'] | '>q' | '!q' | '>Q' | '!Q'
      ? bigint
      : F extends
            | P<'d'>
            | P<'f'>
            | P<'e'>
            | P<'i'>
            | P<'I'>
            | P<'h'>
            | P<'H'>
            | P<'b'>
            | P<'B'>
            | P<'c'>
            | `${'>' | '!'}${'d' | 'f' | 'e' | 'i' | 'I' | 'h' | 'H' | 'b' | 'B' | 'c' | 'l' | 'L'}`
            | `${'<' | '='}${'l' | 'L'}`
            | 'float64'
            | 'float32'
            | 'float16'
            | 'int32'
            | 'uint32'
            | 'int16'
            | 'uint16'
            | 'int8'
            | 'uint8'
            | 'uint8c'
        ? number
        : number | bigint | boolean

/** What `set()` accepts for format `F`: 64-bit formats take safe-integer numbers too, `?` takes any value's truthiness. */
export type InputOf<F extends string> = [ValueOf<F>] extends [bigint]
  ? bigint | number
  : [ValueOf<F>] extends [boolean]
    ? unknown
    : ValueOf<F>
