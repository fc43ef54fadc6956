// A plain, element-by-element JS reference of copyFrom / copyTo (as the README's Copies section and the API reference describe them): every source
// element is read as its value through a DataView in the format's byte order, converted with the contract's
// rules (same format: the bytes; `cast`: the bytes; `convert`: TypedArray assignment, extended through BigInt
// for the 64-bit integer formats), and written through a DataView. Where a real TypedArray already implements
// a rule (`new Int32Array([x])[0]`), the reference uses it; float16 is decoded by hand and encoded by searching
// the table of all float16 values, so that it is right on runtimes without Float16Array too.

import os from 'node:os'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'

export const HOST_LITTLE = os.endianness() === 'LE'

export type Kind =
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

/** A value as `get` returns it: number, bigint (64-bit formats) or boolean (`?`). */
export type Value = number | bigint | boolean

export interface Fmt {
  readonly text: string
  readonly kind: Kind
  readonly size: number
  readonly little: boolean
}

const CHARS: Record<string, [Kind, number]> = {
  '?': ['bool', 1],
  b: ['int8', 1],
  B: ['uint8', 1],
  h: ['int16', 2],
  H: ['uint16', 2],
  i: ['int32', 4],
  I: ['uint32', 4],
  q: ['int64', 8],
  Q: ['uint64', 8],
  e: ['float16', 2],
  f: ['float32', 4],
  d: ['float64', 8],
}

const DTYPES: Record<string, [Kind, number]> = {
  bool: ['bool', 1],
  int8: ['int8', 1],
  uint8: ['uint8', 1],
  uint8c: ['uint8c', 1],
  int16: ['int16', 2],
  uint16: ['uint16', 2],
  int32: ['int32', 4],
  uint32: ['uint32', 4],
  int64: ['int64', 8],
  uint64: ['uint64', 8],
  float16: ['float16', 2],
  float32: ['float32', 4],
  float64: ['float64', 8],
}

/** The scalar formats this reference knows: struct characters with any byte-order prefix, and dtype names. */
export function parseFormat(text: string): Fmt {
  const d = DTYPES[text]
  if (d !== undefined) return { text, kind: d[0], size: d[1], little: HOST_LITTLE }
  const m = /^([@=<>!]?)([?bBhHiIqQefd])$/.exec(text)
  if (m === null) throw new Error(`the reference does not know the format ${JSON.stringify(text)}`)
  const [kind, size] = CHARS[m[2]]
  const little = m[1] === '<' ? true : m[1] === '>' || m[1] === '!' ? false : HOST_LITTLE
  return { text, kind, size, little }
}

export function isFloat(kind: Kind): boolean {
  return kind === 'float16' || kind === 'float32' || kind === 'float64'
}

/**
 * Whether two formats describe the same bytes (the package's rule: same element kind and size, same byte
 * order; clamping is a `set` rule, so `uint8c` matches `B`; one-byte formats have no byte order).
 */
export function formatsMatch(a: Fmt, b: Fmt): boolean {
  const bytes = (k: Kind): Kind => (k === 'uint8c' ? 'uint8' : k)
  return bytes(a.kind) === bytes(b.kind) && a.size === b.size && (a.size === 1 || a.little === b.little)
}

// ---------------------------------------------------------------------------------------------------------
// float16 by hand

/** The value of the float16 with bits `b`. */
export function halfToNumber(b: number): number {
  const sign = b & 0x8000 ? -1 : 1
  const e = (b >> 10) & 0x1f
  const m = b & 0x3ff
  if (e === 0) return sign * m * 2 ** -24
  if (e === 31) return m === 0 ? sign * Infinity : NaN
  return sign * (1024 + m) * 2 ** (e - 25)
}

/** The values of the non-negative float16 bits 0 … 0x7c00, 0x7c00 (Infinity) standing for 65536, the next step. */
const HALF_STEPS = Float64Array.from({ length: 0x7c01 }, (_, b) => (b === 0x7c00 ? 65536 : halfToNumber(b)))

/**
 * A number rounded to float16 (nearest, ties to even bits), as `Float16Array` stores it: the two neighbouring
 * float16 values are found in the sorted table of all of them. The differences are exact (Sterbenz).
 */
export function numberToHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0
  const a = Math.abs(x)
  if (a >= 65536) return sign | 0x7c00
  let lo = 0
  let hi = 0x7c00 // HALF_STEPS[lo] <= a < HALF_STEPS[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (HALF_STEPS[mid] <= a) lo = mid
    else hi = mid
  }
  const below = a - HALF_STEPS[lo]
  const above = HALF_STEPS[hi] - a
  const bits = below < above ? lo : above < below ? hi : lo % 2 === 0 ? lo : hi
  return sign | bits
}

// ---------------------------------------------------------------------------------------------------------
// values

const views = new WeakMap<Uint8Array, DataView>()

/** A DataView over exactly the bytes of `bytes` (cached per Uint8Array). */
function view(bytes: Uint8Array): DataView {
  let dv = views.get(bytes)
  if (dv === undefined) {
    dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    views.set(bytes, dv)
  }
  return dv
}

/** The value of the element of format `f` at `bytes[pos]` (as `get` returns it). */
export function readValue(bytes: Uint8Array, pos: number, f: Fmt): Value {
  const dv = view(bytes)
  switch (f.kind) {
    case 'bool':
      return dv.getUint8(pos) !== 0
    case 'int8':
      return dv.getInt8(pos)
    case 'uint8':
    case 'uint8c':
      return dv.getUint8(pos)
    case 'int16':
      return dv.getInt16(pos, f.little)
    case 'uint16':
      return dv.getUint16(pos, f.little)
    case 'int32':
      return dv.getInt32(pos, f.little)
    case 'uint32':
      return dv.getUint32(pos, f.little)
    case 'int64':
      return dv.getBigInt64(pos, f.little)
    case 'uint64':
      return dv.getBigUint64(pos, f.little)
    case 'float16':
      return halfToNumber(dv.getUint16(pos, f.little))
    case 'float32':
      return dv.getFloat32(pos, f.little)
    case 'float64':
      return dv.getFloat64(pos, f.little)
  }
}

/** Writes `v` (already a value of the kind: see `convertValue`) as an element of `f` at `bytes[pos]`. */
export function writeValue(bytes: Uint8Array, pos: number, f: Fmt, v: Value): void {
  const dv = view(bytes)
  switch (f.kind) {
    case 'bool':
      dv.setUint8(pos, v ? 1 : 0)
      return
    case 'int8':
      dv.setInt8(pos, v as number)
      return
    case 'uint8':
    case 'uint8c':
      dv.setUint8(pos, v as number)
      return
    case 'int16':
      dv.setInt16(pos, v as number, f.little)
      return
    case 'uint16':
      dv.setUint16(pos, v as number, f.little)
      return
    case 'int32':
      dv.setInt32(pos, v as number, f.little)
      return
    case 'uint32':
      dv.setUint32(pos, v as number, f.little)
      return
    case 'int64':
      dv.setBigInt64(pos, v as bigint, f.little)
      return
    case 'uint64':
      dv.setBigUint64(pos, v as bigint, f.little)
      return
    case 'float16':
      dv.setUint16(pos, numberToHalf(v as number), f.little)
      return
    case 'float32':
      dv.setFloat32(pos, v as number, f.little)
      return
    case 'float64':
      dv.setFloat64(pos, v as number, f.little)
      return
  }
}

const INT_WIDTH: Partial<Record<Kind, [number, boolean]>> = {
  int8: [8, true],
  uint8: [8, false],
  int16: [16, true],
  uint16: [16, false],
  int32: [32, true],
  uint32: [32, false],
}

/**
 * The value an element of `to` holds after `convert` from the value `v` (the copy rules): TypedArray
 * assignment for numbers; through BigInt between the 64-bit integer formats and the others; truthiness for
 * bool. A bool source is the number 1 or 0. A bigint goes to `uint8c` as `Number(v)`, then clamped.
 */
export function convertValue(v: Value, to: Kind): Value {
  if (to === 'bool') return typeof v === 'bigint' ? v !== 0n : Boolean(v)
  const x: number | bigint = typeof v === 'boolean' ? (v ? 1 : 0) : v
  if (to === 'int64' || to === 'uint64') {
    const big = typeof x === 'bigint' ? x : Number.isFinite(x) ? BigInt(Math.trunc(x)) : 0n
    return to === 'int64' ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big)
  }
  let n: number
  if (typeof x === 'bigint') {
    const w = INT_WIDTH[to]
    if (w !== undefined) return Number(w[1] ? BigInt.asIntN(w[0], x) : BigInt.asUintN(w[0], x))
    n = Number(x) // float targets and uint8c
  } else {
    n = x
  }
  switch (to) {
    case 'int8':
      return new Int8Array([n])[0]
    case 'uint8':
      return new Uint8Array([n])[0]
    case 'uint8c':
      return new Uint8ClampedArray([n])[0]
    case 'int16':
      return new Int16Array([n])[0]
    case 'uint16':
      return new Uint16Array([n])[0]
    case 'int32':
      return new Int32Array([n])[0]
    case 'uint32':
      return new Uint32Array([n])[0]
    case 'float16':
      return halfToNumber(numberToHalf(n))
    case 'float32':
      return new Float32Array([n])[0]
    case 'float64':
      return new Float64Array([n])[0]
  }
}

// ---------------------------------------------------------------------------------------------------------
// copies

/** One side of a copy: element (r, c) of `format` is at byte `loc(r, c)[1]` of `loc(r, c)[0]`. */
export interface Side {
  rows: number
  cols: number
  format: string
  loc(r: number, c: number): [Uint8Array, number]
}

export interface CopyOptions {
  cast?: boolean
  convert?: boolean
}

/** An expected failure of a copy: the contract's code and message. */
export class CopyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * What a copy from `from` into `to` does: `'raw'` (the bytes), `'convert'` (values), or the contract's error
 * (checks 4 and 5: formats that do not match without cast/convert; cast with different itemsizes).
 * With both flags, `cast` decides (check 5 applies whenever `cast` is set).
 */
export function copyPlan(from: Fmt, to: Fmt, opts: CopyOptions): 'raw' | 'convert' | CopyError {
  if (formatsMatch(from, to)) return 'raw'
  if (opts.cast) return from.size === to.size ? 'raw' : new CopyError('ERR_ITEMSIZE_MISMATCH', 'different itemsizes')
  if (opts.convert) return 'convert'
  return new CopyError('ERR_FORMAT_MISMATCH', 'different formats')
}

/**
 * Copies `src` into `dst` element by element, from a snapshot of the source (read completely before anything
 * is written). Throws `CopyError` for different shapes and for the format checks, writing nothing.
 */
export function referenceCopy(src: Side, dst: Side, opts: CopyOptions = {}): void {
  if (src.rows !== dst.rows || src.cols !== dst.cols) throw new CopyError('ERR_SHAPE_MISMATCH', 'different shapes')
  const from = parseFormat(src.format)
  const to = parseFormat(dst.format)
  const plan = copyPlan(from, to, opts)
  if (plan instanceof CopyError) throw plan
  const snapshot: Uint8Array[] = []
  for (let r = 0; r < src.rows; r++) {
    for (let c = 0; c < src.cols; c++) {
      const [bytes, pos] = src.loc(r, c)
      snapshot.push(bytes.slice(pos, pos + from.size))
    }
  }
  let k = 0
  for (let r = 0; r < dst.rows; r++) {
    for (let c = 0; c < dst.cols; c++) {
      const element = snapshot[k++]
      const [bytes, pos] = dst.loc(r, c)
      if (plan === 'raw') bytes.set(element, pos)
      else writeValue(bytes, pos, to, convertValue(readValue(element, 0, from), to.kind))
    }
  }
}

/**
 * Writes plain values (an array of rows of numbers, bigints, booleans) into `dst`, as if `convert` were set —
 * except that, as in TypedArray assignment, a bigint is refused by a format that is not 64-bit (nor bool),
 * before anything is written.
 */
export function referenceCopyValues(values: readonly (readonly Value[])[], dst: Side): void {
  const to = parseFormat(dst.format)
  if (to.kind !== 'int64' && to.kind !== 'uint64' && to.kind !== 'bool') {
    for (let r = 0; r < dst.rows; r++) {
      for (let c = 0; c < dst.cols; c++) {
        const v = values[r][c]
        if (typeof v === 'bigint')
          throw new CopyError('ERR_INVALID_ARGUMENT', `row ${r}, column ${c}: a ${to.kind} element takes a number, received ${v}n`)
      }
    }
  }
  for (let r = 0; r < dst.rows; r++) {
    for (let c = 0; c < dst.cols; c++) {
      const [bytes, pos] = dst.loc(r, c)
      writeValue(bytes, pos, to, convertValue(values[r][c], to.kind))
    }
  }
}

/** The values of every element of `side`, row by row (what `toArray()` and a values target get). */
export function referenceValues(side: Side): Value[][] {
  const f = parseFormat(side.format)
  const out: Value[][] = []
  for (let r = 0; r < side.rows; r++) {
    const row: Value[] = []
    for (let c = 0; c < side.cols; c++) {
      const [bytes, pos] = side.loc(r, c)
      row.push(readValue(bytes, pos, f))
    }
    out.push(row)
  }
  return out
}

/** A readable rendering of a value for messages: `-0`, `5n`, `NaN`. */
export function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`
  if (Object.is(v, -0)) return '-0'
  if (typeof v === 'string') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`
  return String(v)
}

// ---------------------------------------------------------------------------------------------------------
// Sides the tests build: matrices and JS objects over memory the test knows byte by byte, each with the
// reference's description of where its elements are.

export type Matrix = IndirectMemory2D | BufferCollection2D

/** The TypedArray classes of JS sides (ndarray-like data, arrays of typed rows) and the format each is detected as. */
export const JS_ARRAYS: Record<string, { Ctor: TypedArrayCtor; format: string }> = {
  Int8Array: { Ctor: Int8Array, format: 'b' },
  Uint8Array: { Ctor: Uint8Array, format: 'B' },
  Uint8ClampedArray: { Ctor: Uint8ClampedArray, format: 'B' },
  Int16Array: { Ctor: Int16Array, format: 'h' },
  Uint16Array: { Ctor: Uint16Array, format: 'H' },
  Int32Array: { Ctor: Int32Array, format: 'i' },
  Uint32Array: { Ctor: Uint32Array, format: 'I' },
  BigInt64Array: { Ctor: BigInt64Array, format: 'q' },
  BigUint64Array: { Ctor: BigUint64Array, format: 'Q' },
  Float32Array: { Ctor: Float32Array, format: 'f' },
  Float64Array: { Ctor: Float64Array, format: 'd' },
}

export interface TypedArrayCtor {
  new (length: number): ArrayBufferView & { length: number; subarray(a: number, b: number): ArrayBufferView & { length: number } }
  readonly BYTES_PER_ELEMENT: number
}

/** `Float16Array` where the runtime has it (Node 24). */
export const Float16ArrayCtor = (globalThis as { Float16Array?: TypedArrayCtor }).Float16Array
if (Float16ArrayCtor !== undefined) JS_ARRAYS.Float16Array = { Ctor: Float16ArrayCtor, format: 'e' }

/** A small deterministic byte generator (mulberry32), for the garbage around and between elements. */
export function garbage(bytes: Uint8Array, seed: number): void {
  let a = seed >>> 0
  for (let i = 0; i < bytes.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    bytes[i] = (t ^ (t >>> 14)) & 0xff
  }
}

/** An element to store: a value (converted to the element's format) or raw bits (the low bytes, little-endian). */
export type ElementSpec = { v: Value } | { raw: bigint }

/** Stores `elements[r * cols + c]` (cycled) at every element of `side`. */
export function fill(side: Side, elements: readonly ElementSpec[]): void {
  if (elements.length === 0) return
  const f = parseFormat(side.format)
  for (let r = 0; r < side.rows; r++) {
    for (let c = 0; c < side.cols; c++) {
      const e = elements[(r * side.cols + c) % elements.length]
      const [bytes, pos] = side.loc(r, c)
      if ('raw' in e) {
        for (let k = 0; k < f.size; k++) bytes[pos + k] = Number((e.raw >> BigInt(8 * k)) & 0xffn)
      } else {
        writeValue(bytes, pos, f, convertValue(e.v, f.kind))
      }
    }
  }
}

/** The plain value of an element spec, for arrays of values (raw bits become the float64 with those bits). */
export function plainValue(e: ElementSpec): Value {
  if ('v' in e) return e.v
  return new Float64Array(new BigUint64Array([BigInt.asUintN(64, e.raw)]).buffer)[0]
}

/** How the elements of an ndarray-like lie in its data, in elements. */
export interface Layout {
  /** Row-major or column-major. */
  order: 'C' | 'F'
  /** Distance between neighbours along the inner dimension (2: every other element). */
  step: number
  /** Extra elements between consecutive outer lines (every-other-row and the like). */
  pad: number
  flipRows: boolean
  flipCols: boolean
  /** Zero stride along that dimension (a broadcast; sources only). */
  broadcastRows: boolean
  broadcastCols: boolean
  lead: number
  tail: number
  key: 'stride' | 'strides'
}

/** The strides, offset and data length of an ndarray-like of `rows × cols` laid out as `l`. */
export function ndLayout(rows: number, cols: number, l: Layout): { strides: [number, number]; offset: number; length: number } {
  let s0: number
  let s1: number
  if (l.order === 'C') {
    s1 = l.step
    s0 = l.step * cols + l.pad
  } else {
    s0 = l.step
    s1 = l.step * rows + l.pad
  }
  if (l.flipRows) s0 = -s0
  if (l.flipCols) s1 = -s1
  if (l.broadcastRows) s0 = 0
  if (l.broadcastCols) s1 = 0
  if (rows === 0 || cols === 0) return { strides: [s0, s1], offset: l.lead, length: l.lead + l.tail }
  const lo = Math.min(0, (rows - 1) * s0) + Math.min(0, (cols - 1) * s1)
  const hi = Math.max(0, (rows - 1) * s0) + Math.max(0, (cols - 1) * s1)
  const offset = l.lead - lo
  return { strides: [s0, s1], offset, length: offset + hi + 1 + l.tail }
}

export type SideSpec =
  | { kind: 'owned'; format: string }
  | { kind: 'view'; format: string; gap: number; negative: boolean; lead: number; tail: number; typed?: boolean }
  | { kind: 'collection'; format: string; packed: boolean; gap: number; reversed: boolean; lead: number; typed?: boolean }
  | { kind: 'ndarray'; array: string; layout: Layout }
  | { kind: 'typedRows'; array: string; packed: boolean; gap: number; reversed: boolean }
  | { kind: 'values' }

export interface Built {
  /** What is passed to copyFrom / copyTo / called on. */
  obj: unknown
  /** The matrix, for the matrix kinds. */
  matrix?: Matrix
  /** The reference's description (undefined for arrays of values). */
  side?: Side
  /** Every byte of memory the side lives in (to snapshot and compare whole). */
  buffers: Uint8Array[]
  /** Arrays of values: the rows. */
  values?: unknown[][]
}

function unique(list: Uint8Array[]): Uint8Array[] {
  const seen = new Set<ArrayBufferLike>()
  return list.filter((u) => {
    if (seen.has(u.buffer)) return false
    seen.add(u.buffer)
    return true
  })
}

/** Row placements for `rows` rows of `rowBytes` bytes in one buffer: slot order reversed or not, `gap` bytes apart. */
function packedRows(rows: number, rowBytes: number, gap: number, reversed: boolean, lead: number): { starts: number[]; length: number } {
  const starts = Array.from({ length: rows }, (_, r) => lead + (reversed ? rows - 1 - r : r) * (rowBytes + gap))
  return { starts, length: lead + rows * (rowBytes + gap) + 3 }
}

/** The TypedArray class whose own format matches `format` (by meaning), if any. */
export function arrayFor(format: string): TypedArrayCtor | undefined {
  const f = parseFormat(format)
  const name = Object.keys(JS_ARRAYS).find((n) => n !== 'Uint8ClampedArray' && formatsMatch(parseFormat(JS_ARRAYS[n].format), f))
  return name === undefined ? undefined : JS_ARRAYS[name].Ctor
}

/**
 * Builds a side of `rows × cols` from its spec, filled with garbage from `seed` (elements not written yet).
 * Views and collections are over bytes (the format regroups them; rows at any byte offset), or with `typed`
 * over a TypedArray whose own format matches (strides and gaps in elements), where one exists.
 */
export function buildSide(spec: SideSpec, rows: number, cols: number, seed: number): Built {
  if ((spec.kind === 'view' || spec.kind === 'collection') && spec.typed === true) {
    const Ctor = arrayFor(spec.format)
    if (Ctor !== undefined) return buildTyped(spec, Ctor, rows, cols, seed)
  }
  switch (spec.kind) {
    case 'owned': {
      const m = IndirectMemory2D.createMemory({ rows, cols, format: spec.format })
      const rowBytes = Array.from({ length: rows }, (_, r) => m.rowBytes(r))
      const whole = rows > 0 ? new Uint8Array(rowBytes[0].buffer) : new Uint8Array(0)
      garbage(whole, seed)
      const isz = parseFormat(spec.format).size
      return {
        obj: m,
        matrix: m,
        side: { rows, cols, format: spec.format, loc: (r, c) => [whole, rowBytes[r].byteOffset + c * isz] },
        buffers: rows > 0 ? [whole] : [],
      }
    }
    case 'view': {
      const isz = parseFormat(spec.format).size
      const rowBytes = cols * isz
      const step = rowBytes + spec.gap
      const rs = spec.negative ? -step : step
      const offset = spec.lead + (spec.negative ? Math.max(rows - 1, 0) * step : 0)
      const length = spec.lead + Math.max(rows - 1, 0) * step + rowBytes + spec.tail
      const mem = new Uint8Array(length)
      garbage(mem, seed)
      const m = IndirectMemory2D.viewFromRows({ data: mem, shape: [rows, rowBytes], strides: [rs, 1], offset }, { format: spec.format })
      return {
        obj: m,
        matrix: m,
        side: { rows, cols, format: spec.format, loc: (r, c) => [mem, offset + r * rs + c * isz] },
        buffers: [mem],
      }
    }
    case 'collection': {
      const isz = parseFormat(spec.format).size
      const rowBytes = cols * isz
      let rowArrays: Uint8Array[]
      if (spec.packed) {
        const { starts, length } = packedRows(rows, rowBytes, spec.gap, spec.reversed, spec.lead)
        const mem = new Uint8Array(length)
        garbage(mem, seed)
        rowArrays = starts.map((s) => mem.subarray(s, s + rowBytes))
      } else {
        rowArrays = Array.from({ length: rows }, (_, r) => {
          const mem = new Uint8Array(spec.lead + rowBytes + spec.gap)
          garbage(mem, seed + r)
          return mem.subarray(spec.lead, spec.lead + rowBytes)
        })
      }
      const m = new BufferCollection2D(rowArrays, { columnCount: rowBytes })
      m.reinterpretData(spec.format)
      return {
        obj: m,
        matrix: m,
        side: { rows, cols, format: spec.format, loc: (r, c) => [new Uint8Array(rowArrays[r].buffer), rowArrays[r].byteOffset + c * isz] },
        buffers: unique(rowArrays.map((a) => new Uint8Array(a.buffer))),
      }
    }
    case 'ndarray': {
      const { Ctor, format } = JS_ARRAYS[spec.array]
      const isz = Ctor.BYTES_PER_ELEMENT
      const { strides, offset, length } = ndLayout(rows, cols, spec.layout)
      const data = new Ctor(length)
      const mem = new Uint8Array(data.buffer)
      garbage(mem, seed)
      const obj = { data, shape: [rows, cols], [spec.layout.key]: strides, offset }
      return {
        obj,
        side: { rows, cols, format, loc: (r, c) => [mem, (offset + r * strides[0] + c * strides[1]) * isz] },
        buffers: [mem],
      }
    }
    case 'typedRows': {
      const { Ctor, format } = JS_ARRAYS[spec.array]
      const isz = Ctor.BYTES_PER_ELEMENT
      let rowArrays: (ArrayBufferView & { length: number })[]
      if (spec.packed) {
        const { starts, length } = packedRows(rows, cols, spec.gap, spec.reversed, 1)
        const data = new Ctor(length)
        garbage(new Uint8Array(data.buffer), seed)
        rowArrays = starts.map((s) => data.subarray(s, s + cols))
      } else {
        rowArrays = Array.from({ length: rows }, (_, r) => {
          const data = new Ctor(cols + spec.gap)
          garbage(new Uint8Array(data.buffer), seed + r)
          return data.subarray(spec.gap, spec.gap + cols)
        })
      }
      return {
        obj: rowArrays,
        side: { rows, cols, format, loc: (r, c) => [new Uint8Array(rowArrays[r].buffer), rowArrays[r].byteOffset + c * isz] },
        buffers: unique(rowArrays.map((a) => new Uint8Array(a.buffer))),
      }
    }
    case 'values': {
      const values = Array.from({ length: rows }, () => new Array<unknown>(cols).fill('unset'))
      return { obj: values, buffers: [], values }
    }
  }
}

/** A view or collection over a TypedArray of a matching format (element strides; the spec's format given as the format option). */
function buildTyped(
  spec: SideSpec & { kind: 'view' | 'collection' },
  Ctor: TypedArrayCtor,
  rows: number,
  cols: number,
  seed: number,
): Built {
  const isz = Ctor.BYTES_PER_ELEMENT
  if (spec.kind === 'view') {
    const step = cols + spec.gap
    const rs = spec.negative ? -step : step
    const offset = spec.lead + (spec.negative ? Math.max(rows - 1, 0) * step : 0)
    const data = new Ctor(spec.lead + Math.max(rows - 1, 0) * step + cols + spec.tail)
    const mem = new Uint8Array(data.buffer)
    garbage(mem, seed)
    const m = IndirectMemory2D.viewFromRows({ data, shape: [rows, cols], strides: [rs, 1], offset }, { format: spec.format })
    return {
      obj: m,
      matrix: m,
      side: { rows, cols, format: spec.format, loc: (r, c) => [mem, (offset + r * rs + c) * isz] },
      buffers: [mem],
    }
  }
  let rowArrays: (ArrayBufferView & { length: number })[]
  if (spec.packed) {
    const { starts, length } = packedRows(rows, cols, spec.gap, spec.reversed, spec.lead)
    const data = new Ctor(length)
    garbage(new Uint8Array(data.buffer), seed)
    rowArrays = starts.map((s) => data.subarray(s, s + cols))
  } else {
    rowArrays = Array.from({ length: rows }, (_, r) => {
      const data = new Ctor(spec.lead + cols + spec.gap)
      garbage(new Uint8Array(data.buffer), seed + r)
      return data.subarray(spec.lead, spec.lead + cols)
    })
  }
  const m = new BufferCollection2D(rowArrays, { columnCount: cols, format: spec.format })
  return {
    obj: m,
    matrix: m,
    side: { rows, cols, format: spec.format, loc: (r, c) => [new Uint8Array(rowArrays[r].buffer), rowArrays[r].byteOffset + c * isz] },
    buffers: unique(rowArrays.map((a) => new Uint8Array(a.buffer))),
  }
}

/** Copies of `buffers`, and `side` redirected into the copies (where the reference writes what is expected). */
export function shadow(side: Side, buffers: Uint8Array[]): { side: Side; clones: Map<ArrayBufferLike, Uint8Array> } {
  const clones = new Map<ArrayBufferLike, Uint8Array>()
  for (const b of buffers) clones.set(b.buffer, b.slice())
  return {
    clones,
    side: {
      ...side,
      loc(r, c) {
        const [bytes, pos] = side.loc(r, c)
        const clone = clones.get(bytes.buffer)
        if (clone === undefined) throw new Error('shadow: an element outside the known buffers')
        return [clone, bytes.byteOffset + pos]
      },
    },
  }
}

/**
 * Compares the memory of `side` with the expected copies (see `shadow`): element by element first (for a
 * readable message), NaN matching any NaN when `anyNaN` (TypedArray conversions leave the NaN's bits to the
 * engine), then every byte of the buffers (nothing written outside the elements). Returns an error message
 * or undefined.
 */
export function diffMemory(
  side: Side,
  buffers: Uint8Array[],
  clones: Map<ArrayBufferLike, Uint8Array>,
  anyNaN: boolean,
): string | undefined {
  const f = parseFormat(side.format)
  for (let r = 0; r < side.rows; r++) {
    for (let c = 0; c < side.cols; c++) {
      const [bytes, pos] = side.loc(r, c)
      const clone = clones.get(bytes.buffer) as Uint8Array
      const at = bytes.byteOffset + pos
      const whole = new Uint8Array(bytes.buffer)
      const got = whole.slice(at, at + f.size)
      const want = clone.slice(at, at + f.size)
      if (Buffer.compare(got, want) === 0) continue
      const gv = readValue(got, 0, f)
      const wv = readValue(want, 0, f)
      if (anyNaN && isFloat(f.kind) && Number.isNaN(gv) && Number.isNaN(wv)) {
        clone.set(got, at)
        continue
      }
      return `element (${r}, ${c}) of format ${f.text}: got ${show(gv)} [${hex(got)}], expected ${show(wv)} [${hex(want)}]`
    }
  }
  for (const b of buffers) {
    const clone = clones.get(b.buffer) as Uint8Array
    for (let i = 0; i < b.length; i++) {
      if (b[i] !== clone[i]) return `byte ${i} of a buffer of ${b.length} (outside the elements) changed: ${clone[i]} → ${b[i]}`
    }
  }
  return undefined
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')
}
