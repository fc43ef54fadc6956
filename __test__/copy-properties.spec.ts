// Properties of copyFrom / copyTo / toTypedArray / toArray (the copy and format rules), checked with fast-check
// against the element-by-element JS reference in helpers/copy-reference.ts: random shapes (0 rows and 0 columns
// included), every scalar format with every byte-order prefix, no option / cast / convert, every kind of side
// (owned matrices, strided views with unaligned and reversed rows, collections, ndarray-likes of any strides
// including broadcasts, arrays of typed rows, arrays of values), overlapping memory, and the order of the
// checks. Every run compares every byte of the memory the target lives in: the elements against the
// reference, everything else unchanged.
//
// A failure prints fast-check's seed and path; FC_SEED=<seed> reruns with that seed.

import assert from 'node:assert/strict'
import test from 'ava'
import fc from 'fast-check'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import {
  type Built,
  buildSide,
  CopyError,
  type CopyOptions,
  convertValue,
  diffMemory,
  type ElementSpec,
  Float16ArrayCtor,
  fill,
  formatsMatch,
  garbage,
  halfToNumber,
  JS_ARRAYS,
  type Kind,
  type Layout,
  ndLayout,
  numberToHalf,
  parseFormat,
  plainValue,
  readValue,
  referenceCopy,
  referenceCopyValues,
  referenceValues,
  type Side,
  type SideSpec,
  shadow,
  show,
  type TypedArrayCtor,
  type Value,
} from './helpers/copy-reference.js'

type Matrix = IndirectMemory2D | BufferCollection2D

const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED)
function params(numRuns: number): fc.Parameters<unknown> {
  return SEED === undefined ? { numRuns, includeErrorInReport: true } : { numRuns, seed: SEED, includeErrorInReport: true }
}

// ---------------------------------------------------------------------------------------------------------
// arbitraries

/** Scalar formats with every byte-order prefix, and dtype names. */
const MATRIX_FORMATS = [
  'b',
  'B',
  'h',
  '<h',
  '>h',
  'H',
  'i',
  '>i',
  'I',
  'q',
  '>q',
  'Q',
  'e',
  '>e',
  'f',
  '>f',
  'd',
  '>d',
  '?',
  'uint8c',
  '<i',
  '=i',
  '!h',
  '@d',
  '>b',
  '<Q',
  '>H',
  '>I',
  '>Q',
  '<e',
  '<f',
  '<d',
  '>?',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float16',
  'float32',
  'float64',
  'bool',
]
const ARRAYS = Object.keys(JS_ARRAYS)

const EDGE_NUMBERS = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  1,
  -1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 32,
  2 ** 32 + 1,
  2 ** 32 - 1,
  -(2 ** 32) - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  2 ** 64 + 4096,
  1e300,
  -1e300,
  0.5,
  1.5,
  2.5,
  -0.5,
  -1.5,
  -2.5,
  255.5,
  254.5,
  253.5,
  256,
  -255.5,
  3.7,
  -3.7,
  127.5,
  128,
  -128.5,
  32767.5,
  65535.5,
  65504,
  65519,
  65520,
  65536,
  2 ** -24,
  2 ** -25,
  3 * 2 ** -25,
  2 ** -14,
  1 + 2 ** -11,
  1 + 3 * 2 ** -11,
  2 ** -149,
  2 ** -150,
  1e-310,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  3.4028235677973366e38,
  3.4028234663852886e38,
  1 + 2 ** -24,
  1 + 2 ** -23 + 2 ** -24,
  -1e-30,
]
const EDGE_BIGINTS = [
  0n,
  1n,
  -1n,
  2n ** 63n,
  2n ** 63n - 1n,
  -(2n ** 63n),
  -(2n ** 63n) - 1n,
  2n ** 64n - 1n,
  2n ** 64n,
  2n ** 53n + 1n,
  255n,
  256n,
  -129n,
  2n ** 31n,
  -(2n ** 31n) - 1n,
  2n ** 32n + 1n,
  65520n,
  2n ** 128n + 5n,
]

const valueArb: fc.Arbitrary<Value> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -300, max: 300 }) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_BIGINTS) },
  { weight: 1, arbitrary: fc.bigInt(-(2n ** 70n), 2n ** 70n) },
  { weight: 1, arbitrary: fc.boolean() },
)
const elementArb: fc.Arbitrary<ElementSpec> = fc.oneof(
  { weight: 3, arbitrary: valueArb.map((v) => ({ v })) },
  { weight: 1, arbitrary: fc.bigInt(0n, 2n ** 64n - 1n).map((raw) => ({ raw })) },
)
const elementsArb = fc.array(elementArb, { minLength: 1, maxLength: 30 })
/** 0 (one run in six) or 1…9, uniformly (fast-check's bias towards small sizes would leave most runs near-empty). */
const sizeArb = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 5, arbitrary: fc.noBias(fc.integer({ min: 1, max: 9 })) })
/** Larger sizes, around the kernels' block and chunk boundaries. */
const largeSizeArb = fc.oneof(
  fc.constantFrom(1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 257),
  fc.integer({ min: 1, max: 90 }),
)

const rarely = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })

function layoutArb(source: boolean): fc.Arbitrary<Layout> {
  return fc.record({
    order: fc.constantFrom('C' as const, 'F' as const),
    step: fc.constantFrom(1, 1, 2),
    pad: fc.nat({ max: 12 }),
    flipRows: fc.boolean(),
    flipCols: fc.boolean(),
    broadcastRows: source ? rarely : fc.constant(false),
    broadcastCols: source ? rarely : fc.constant(false),
    lead: fc.nat({ max: 3 }),
    tail: fc.nat({ max: 3 }),
    key: fc.constantFrom('stride' as const, 'strides' as const),
  })
}

const formatArb = fc.constantFrom(...MATRIX_FORMATS)
const matrixSpecArb: fc.Arbitrary<SideSpec> = fc.oneof(
  fc.record({ kind: fc.constant('owned' as const), format: formatArb }),
  fc.record({
    kind: fc.constant('view' as const),
    format: formatArb,
    gap: fc.nat({ max: 7 }),
    negative: fc.boolean(),
    lead: fc.nat({ max: 5 }),
    tail: fc.nat({ max: 3 }),
    typed: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('collection' as const),
    format: formatArb,
    packed: fc.boolean(),
    gap: fc.nat({ max: 5 }),
    reversed: fc.boolean(),
    lead: fc.nat({ max: 3 }),
    typed: fc.boolean(),
  }),
)
function jsSpecArb(source: boolean): fc.Arbitrary<SideSpec> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('ndarray' as const), array: fc.constantFrom(...ARRAYS), layout: layoutArb(source) }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('typedRows' as const),
        array: fc.constantFrom(...ARRAYS),
        packed: fc.boolean(),
        gap: fc.nat({ max: 3 }),
        reversed: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'values' as const }) },
  )
}

type Option = 'none' | 'none{}' | 'none-false' | 'cast' | 'convert'
const optionArb = fc.constantFrom<Option>('none', 'none{}', 'none-false', 'cast', 'convert', 'cast', 'convert')
function optionsOf(o: Option): { arg: CopyOptions | undefined; opts: CopyOptions } {
  switch (o) {
    case 'none':
      return { arg: undefined, opts: {} }
    case 'none{}':
      return { arg: {}, opts: {} }
    case 'none-false':
      return { arg: { cast: false, convert: false }, opts: {} }
    case 'cast':
      return { arg: { cast: true }, opts: { cast: true } }
    case 'convert':
      return { arg: { convert: true }, opts: { convert: true } }
  }
}

/** The format a spec's side has (undefined for arrays of values). */
function formatOfSpec(spec: SideSpec): string | undefined {
  if (spec.kind === 'values') return undefined
  if (spec.kind === 'ndarray' || spec.kind === 'typedRows') return JS_ARRAYS[spec.array].format
  return spec.format
}

/** With `same`, gives `b` a format that matches `a`'s (another spelling where one exists), so that plain copies are common. */
function harmonize(a: SideSpec, b: SideSpec, same: boolean, pick: number): SideSpec {
  const fa = formatOfSpec(a)
  if (!same || fa === undefined || b.kind === 'values') return b
  const f = parseFormat(fa)
  if (b.kind === 'ndarray' || b.kind === 'typedRows') {
    const arrays = ARRAYS.filter((name) => formatsMatch(parseFormat(JS_ARRAYS[name].format), f))
    return arrays.length === 0 ? b : { ...b, array: arrays[pick % arrays.length] }
  }
  const formats = MATRIX_FORMATS.filter((g) => formatsMatch(parseFormat(g), f))
  return { ...b, format: formats[pick % formats.length] }
}

// ---------------------------------------------------------------------------------------------------------
// running one copy against the reference

/** An empty array of typed rows cannot have a format: it is an empty array of rows, like one of values. */
function build(spec: SideSpec, rows: number, cols: number, seed: number): Built {
  return buildSide(spec.kind === 'typedRows' && rows === 0 ? { kind: 'values' } : spec, rows, cols, seed)
}

/** Fills a source side with the elements (an array of values gets their plain values). */
function fillSource(b: Built, elements: ElementSpec[]): void {
  if (b.side !== undefined) fill(b.side, elements)
  else {
    const values = b.values as unknown[][]
    let k = 0
    for (const row of values) for (let c = 0; c < row.length; c++) row[c] = plainValue(elements[k++ % elements.length])
  }
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name} ${(e as { code?: string }).code} ${JSON.stringify(e.message)}`
  return String(e)
}

/** Asserts that `fn` throws the contract's error `code` / `message` as an instance of exactly `Cls`. */
function assertThrows(fn: () => unknown, code: string, message: string | undefined, Cls: typeof Error): void {
  let caught: unknown
  try {
    fn()
  } catch (e) {
    caught = e
  }
  assert.ok(caught !== undefined, `expected ${code} ${message ?? ''}, nothing was thrown`)
  const e = caught as Error & { code?: string }
  assert.equal(e.code, code, `expected ${code} ${message ?? ''}, got ${describeError(e)}`)
  if (message !== undefined) assert.equal(e.message, message, `message of ${code}`)
  assert.equal(Object.getPrototypeOf(e), Cls.prototype, `${code} should be a ${Cls.name}, got ${describeError(e)}`)
}

function snapshotOf(buffers: Uint8Array[]): Uint8Array[] {
  return buffers.map((b) => b.slice())
}

function assertUnchanged(buffers: Uint8Array[], before: Uint8Array[], what: string): void {
  buffers.forEach((b, i) => {
    const k = b.findIndex((x, j) => x !== before[i][j])
    assert.equal(k, -1, `${what}: byte ${k} changed from ${before[i][k]} to ${b[k]}`)
  })
}

/**
 * Runs `copy()` (a copy from `src` into `dst`) and checks it against the reference: the same error (and
 * no byte of the target changed) or every element of the target as the reference computes it, nothing else
 * changed, and the source unchanged.
 */
function checkCopy(src: Built, dst: Built, opts: CopyOptions, copy: () => void): void {
  const srcBefore = snapshotOf(src.buffers)
  if (dst.side === undefined) {
    // A target array of values: the values `get` would return, whatever the options.
    const expected = referenceValues(src.side as Side)
    copy()
    const got = dst.values as unknown[][]
    assert.equal(got.length, expected.length, 'rows of the values target')
    expected.forEach((row, r) => {
      assert.equal(got[r].length, row.length, `length of row ${r} of the values target`)
      row.forEach((v, c) => {
        assert.ok(Object.is(got[r][c], v), `values target (${r}, ${c}): got ${show(got[r][c])}, expected ${show(v)}`)
      })
    })
    assertUnchanged(src.buffers, srcBefore, 'the source')
    return
  }
  const sh = shadow(dst.side, dst.buffers)
  let expectedError: CopyError | undefined
  let converting = opts.convert === true
  try {
    if (src.side !== undefined) referenceCopy(src.side, sh.side, opts)
    else {
      referenceCopyValues(src.values as Value[][], sh.side)
      converting = true
    }
  } catch (e) {
    if (!(e instanceof CopyError)) throw e
    expectedError = e
  }
  if (expectedError !== undefined) {
    assertThrows(copy, expectedError.code, expectedError.message, expectedError.code === 'ERR_INVALID_ARGUMENT' ? TypeError : Error)
  } else {
    try {
      copy()
    } catch (e) {
      assert.fail(`the copy threw ${describeError(e)}; the reference copies`)
    }
  }
  const diff = diffMemory(dst.side, dst.buffers, sh.clones, converting)
  assert.equal(diff, undefined, diff)
  assertUnchanged(src.buffers, srcBefore, 'the source')
}

// ---------------------------------------------------------------------------------------------------------
// the reference itself

test('the reference agrees with TypedArray.prototype.set between the number TypedArrays (and Float16Array where present)', (t) => {
  const kinds: Record<string, Kind> = {
    Int8Array: 'int8',
    Uint8Array: 'uint8',
    Uint8ClampedArray: 'uint8c',
    Int16Array: 'int16',
    Uint16Array: 'uint16',
    Int32Array: 'int32',
    Uint32Array: 'uint32',
    Float32Array: 'float32',
    Float64Array: 'float64',
  }
  if (Float16ArrayCtor !== undefined) kinds.Float16Array = 'float16'
  const names = Object.keys(kinds)
  fc.assert(
    fc.property(
      fc.constantFrom(...names),
      fc.constantFrom(...names),
      fc.oneof(fc.constantFrom(...EDGE_NUMBERS), fc.double()),
      (a, b, x) => {
        type NumArray = ArrayBufferView & { [i: number]: number; set(src: ArrayLike<number>): void }
        const A = JS_ARRAYS[a].Ctor as unknown as new (values: number[]) => NumArray
        const B = JS_ARRAYS[b].Ctor as unknown as new (n: number) => NumArray
        const src = new A([x])
        const dst = new B(1)
        dst.set(src as unknown as ArrayLike<number>)
        const want = convertValue(convertValue(x, kinds[a]), kinds[b])
        assert.ok(
          Object.is(dst[0], want) || (Number.isNaN(dst[0]) && Number.isNaN(want)),
          `${a}(${show(x)}) → ${b}: set gives ${show(dst[0])}, the reference ${show(want)}`,
        )
      },
    ),
    params(3000),
  )
  // float16 by hand: every bit pattern decodes and re-encodes to itself (NaNs to the quiet NaN), and on runtimes
  // with Float16Array, encoding agrees with it for random doubles and the halfway points.
  for (let bits = 0; bits < 0x10000; bits++) {
    const x = halfToNumber(bits)
    const back = numberToHalf(x)
    if (Number.isNaN(x) ? back !== 0x7e00 : back !== bits) t.fail(`float16 ${bits.toString(16)} → ${x} → ${back.toString(16)}`)
  }
  if (Float16ArrayCtor !== undefined) {
    const F16 = Float16ArrayCtor as unknown as new (values: number[]) => Uint16Array
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double(),
          fc.constantFrom(...EDGE_NUMBERS),
          fc.integer({ min: 0, max: 0xffff }).map((b) => (halfToNumber(b) + halfToNumber(b + 1)) / 2),
        ),
        (x) => {
          const bits = new Uint16Array(new F16([x]).buffer)[0]
          const mine = numberToHalf(x)
          assert.ok(
            bits === mine || (Number.isNaN(halfToNumber(bits)) && Number.isNaN(halfToNumber(mine))),
            `Float16Array(${show(x)}) has bits ${bits.toString(16)}, the reference ${mine.toString(16)}`,
          )
        },
      ),
      params(5000),
    )
  }
  t.pass()
})

// ---------------------------------------------------------------------------------------------------------
// copyFrom / copyTo against the reference

test('copyFrom: every target kind and format from every source kind, none / cast / convert, matches the reference byte for byte', (t) => {
  fc.assert(
    fc.property(
      sizeArb,
      sizeArb,
      matrixSpecArb,
      fc.oneof(matrixSpecArb, jsSpecArb(true)),
      fc.boolean(),
      fc.nat(),
      optionArb,
      elementsArb,
      fc.nat(),
      (rows, cols, dstSpec, srcSpec0, same, pick, option, elements, seed) => {
        const srcSpec = harmonize(dstSpec, srcSpec0, same, pick)
        const dst = build(dstSpec, rows, cols, seed)
        const src = build(srcSpec, rows, cols, seed ^ 0x5bd1e995)
        fillSource(src, elements)
        const { arg, opts } = optionsOf(option)
        const m = dst.matrix as Matrix
        checkCopy(src, dst, opts, () => m.copyFrom(src.obj as Parameters<Matrix['copyFrom']>[0], arg))
      },
    ),
    params(5000),
  )
  t.pass()
})

test('copyTo: every source kind and format into every target kind, none / cast / convert, matches the reference byte for byte', (t) => {
  fc.assert(
    fc.property(
      sizeArb,
      sizeArb,
      matrixSpecArb,
      fc.oneof(matrixSpecArb, jsSpecArb(false)),
      fc.boolean(),
      fc.nat(),
      optionArb,
      elementsArb,
      fc.nat(),
      (rows, cols, srcSpec, dstSpec0, same, pick, option, elements, seed) => {
        const dstSpec = harmonize(srcSpec, dstSpec0, same, pick)
        const src = build(srcSpec, rows, cols, seed)
        const dst = build(dstSpec, rows, cols, seed ^ 0x5bd1e995)
        fillSource(src, elements)
        const { arg, opts } = optionsOf(option)
        const m = src.matrix as Matrix
        checkCopy(src, dst, opts, () => m.copyTo(dst.obj as Parameters<Matrix['copyTo']>[0], arg))
      },
    ),
    params(5000),
  )
  t.pass()
})

test('larger shapes (up to 257 on a side, blocked / tiled / chunked kernel paths): copyFrom and copyTo match the reference', (t) => {
  fc.assert(
    fc.property(
      largeSizeArb,
      largeSizeArb,
      fc.boolean(),
      matrixSpecArb,
      fc.oneof(matrixSpecArb, jsSpecArb(true)),
      fc.boolean(),
      fc.nat(),
      optionArb,
      elementsArb,
      fc.nat(),
      (rows0, cols0, into, mSpec, otherSpec0, same, pick, option, elements, seed) => {
        // keep each copy under ~8k elements (the reference is a plain element loop)
        const rows = rows0
        const cols = Math.max(1, Math.min(cols0, Math.floor(8192 / rows0)))
        const otherSpec = harmonize(mSpec, otherSpec0, same, pick)
        const noBroadcast =
          otherSpec.kind === 'ndarray' && !into
            ? { ...otherSpec, layout: { ...otherSpec.layout, broadcastRows: false, broadcastCols: false } }
            : otherSpec
        const m = build(mSpec, rows, cols, seed)
        const other = build(noBroadcast, rows, cols, seed ^ 0x5bd1e995)
        const { arg, opts } = optionsOf(option)
        const matrix = m.matrix as Matrix
        if (into) {
          fillSource(other, elements)
          checkCopy(other, m, opts, () => matrix.copyFrom(other.obj as Parameters<Matrix['copyFrom']>[0], arg))
        } else {
          fillSource(m, elements)
          checkCopy(m, other, opts, () => matrix.copyTo(other.obj as Parameters<Matrix['copyTo']>[0], arg))
        }
      },
    ),
    params(1000),
  )
  t.pass()
})

test('arrays of values: copyFrom converts numbers, bigints and booleans into every format as convert would; copyTo writes what get returns', (t) => {
  fc.assert(
    fc.property(
      sizeArb,
      sizeArb,
      matrixSpecArb,
      fc.array(valueArb, { minLength: 1, maxLength: 40 }),
      optionArb,
      fc.nat(),
      (rows, cols, spec, vals, option, seed) => {
        const dst = build(spec, rows, cols, seed)
        const src = build({ kind: 'values' }, rows, cols, 0)
        fillSource(
          src,
          vals.map((v) => ({ v })),
        )
        const m = dst.matrix as Matrix
        const { arg } = optionsOf(option)
        // The options do not change how values are converted (they have no format to match or cast).
        checkCopy(src, dst, {}, () => m.copyFrom(src.values as (readonly Value[])[], arg))
        // And back: the values `get` returns, equal to the reference's reading of the bytes.
        const back = build({ kind: 'values' }, rows, cols, 0)
        checkCopy(dst, back, {}, () => m.copyTo(back.values as (readonly Value[])[], arg))
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) assert.ok(Object.is(m.get(r, c), (back.values as unknown[][])[r][c]), `get(${r}, ${c})`)
        }
      },
    ),
    params(3000),
  )
  t.pass()
})

test('arrays of values: a string, an object, null, undefined or a symbol among them → ERR_INVALID_ARGUMENT, the matrix unchanged (formats other than ?)', (t) => {
  const nonBool = MATRIX_FORMATS.filter((f) => parseFormat(f).kind !== 'bool')
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom(...nonBool),
      fc.array(valueArb, { minLength: 1, maxLength: 20 }),
      fc.constantFrom<unknown>('1', 'x', {}, [], null, undefined, Symbol('s'), { valueOf: () => 1 }, new Number(2)),
      fc.nat(),
      fc.nat(),
      (rows, cols, format, vals, bad, at, seed) => {
        const dst = build({ kind: 'owned', format }, rows, cols, seed)
        const values = Array.from({ length: rows }, (_, r) =>
          Array.from({ length: cols }, (_, c) => vals[(r * cols + c) % vals.length] as unknown),
        )
        values[at % rows][(at >> 4) % cols] = bad
        const before = snapshotOf(dst.buffers)
        assertThrows(() => (dst.matrix as Matrix).copyFrom(values as Value[][]), 'ERR_INVALID_ARGUMENT', undefined, TypeError)
        assertUnchanged(dst.buffers, before, 'the target')
      },
    ),
    params(500),
  )
  t.pass()
})

// ---------------------------------------------------------------------------------------------------------
// self-copy and overlapping memory

test('self-copy is the identity: m.copyFrom(m), m.copyTo(m) and a second table over the same rows, with every option', (t) => {
  fc.assert(
    fc.property(sizeArb, sizeArb, matrixSpecArb, optionArb, elementsArb, fc.nat(), (rows, cols, spec, option, elements, seed) => {
      const b = build(spec, rows, cols, seed)
      fill(b.side as Side, elements)
      const m = b.matrix as Matrix
      const before = snapshotOf(b.buffers)
      const { arg } = optionsOf(option)
      m.copyFrom(m, arg)
      assertUnchanged(b.buffers, before, 'copyFrom(itself)')
      m.copyTo(m, arg)
      assertUnchanged(b.buffers, before, 'copyTo(itself)')
      m.copyFrom(m.subMatrix(0), arg)
      assertUnchanged(b.buffers, before, 'copyFrom(subMatrix(0))')
      m.subMatrix(0).copyTo(m, arg)
      assertUnchanged(b.buffers, before, 'subMatrix(0).copyTo(m)')
    }),
    params(1500),
  )
  t.pass()
})

/** A side over the shared bytes `mem`: a view (any format) or an ndarray-like over a TypedArray of the same buffer. */
type SharedSpec =
  | { kind: 'view'; format: string; gap: number; negative: boolean; lead: number }
  | { kind: 'ndarray'; array: string; layout: Layout }

function sharedSpecArb(source: boolean, ndarray: boolean): fc.Arbitrary<SharedSpec> {
  const view = fc.record({
    kind: fc.constant('view' as const),
    format: formatArb,
    gap: fc.nat({ max: 9 }),
    negative: fc.boolean(),
    lead: fc.nat({ max: 24 }),
  })
  if (!ndarray) return view
  return fc.oneof(view, fc.record({ kind: fc.constant('ndarray' as const), array: fc.constantFrom(...ARRAYS), layout: layoutArb(source) }))
}

/** Bytes a shared side needs. */
function sharedLength(s: SharedSpec, rows: number, cols: number): number {
  if (s.kind === 'view') {
    const isz = parseFormat(s.format).size
    return s.lead + Math.max(rows - 1, 0) * (cols * isz + s.gap) + cols * isz
  }
  return ndLayout(rows, cols, s.layout).length * JS_ARRAYS[s.array].Ctor.BYTES_PER_ELEMENT
}

function buildShared(s: SharedSpec, mem: Uint8Array, rows: number, cols: number): Built {
  if (s.kind === 'view') {
    const isz = parseFormat(s.format).size
    const step = cols * isz + s.gap
    const rs = s.negative ? -step : step
    const offset = s.lead + (s.negative ? Math.max(rows - 1, 0) * step : 0)
    const m = IndirectMemory2D.viewFromRows({ data: mem, shape: [rows, cols * isz], strides: [rs, 1], offset }, { format: s.format })
    return { obj: m, matrix: m, side: { rows, cols, format: s.format, loc: (r, c) => [mem, offset + r * rs + c * isz] }, buffers: [mem] }
  }
  const { Ctor, format } = JS_ARRAYS[s.array]
  const isz = Ctor.BYTES_PER_ELEMENT
  const { strides, offset } = ndLayout(rows, cols, s.layout)
  const data = new (Ctor as unknown as new (b: ArrayBufferLike, o: number, n: number) => ArrayBufferView)(
    mem.buffer,
    0,
    Math.floor(mem.length / isz),
  )
  const obj = { data, shape: [rows, cols], [s.layout.key]: strides, offset }
  return { obj, side: { rows, cols, format, loc: (r, c) => [mem, (offset + r * strides[0] + c * strides[1]) * isz] }, buffers: [mem] }
}

test('overlapping memory: a copy between two sides over one buffer (views, strided and broadcast ndarray-likes) gives the snapshot result', (t) => {
  fc.assert(
    fc.property(
      fc.oneof(fc.integer({ min: 1, max: 9 }), largeSizeArb),
      fc.oneof(fc.integer({ min: 1, max: 9 }), largeSizeArb),
      fc.boolean(),
      sharedSpecArb(false, false),
      sharedSpecArb(false, true),
      sharedSpecArb(true, false),
      sharedSpecArb(true, true),
      fc.constantFrom<Option>('none', 'cast', 'convert'),
      elementsArb,
      fc.nat(),
      (rows, cols0, into, viewTarget, anyTarget, viewSource, anySource, option, elements, seed) => {
        const cols = Math.max(1, Math.min(cols0, Math.floor(4096 / rows)))
        // copyFrom: the target is a view, the source anything (broadcasts too); copyTo: the source is a view,
        // the target anything but a broadcast.
        const [dstSpec, srcSpec] = into ? [viewTarget, anySource] : [anyTarget, viewSource]
        const length = Math.max(sharedLength(dstSpec, rows, cols), sharedLength(srcSpec, rows, cols)) + 8
        const mem = new Uint8Array(length)
        garbage(mem, seed)
        const dst = buildShared(dstSpec, mem, rows, cols)
        const src = buildShared(srcSpec, mem, rows, cols)
        fill(src.side as Side, elements)
        const { arg, opts } = optionsOf(option)
        const sh = shadow(dst.side as Side, [mem])
        let expected: CopyError | undefined
        try {
          referenceCopy(src.side as Side, sh.side, opts)
        } catch (e) {
          if (!(e instanceof CopyError)) throw e
          expected = e
        }
        const copy = into
          ? () => (dst.matrix as Matrix).copyFrom(src.obj as Matrix, arg)
          : () => (src.matrix as Matrix).copyTo(dst.obj as Matrix, arg)
        if (expected !== undefined)
          assertThrows(copy, expected.code, expected.message, expected.code === 'ERR_INVALID_ARGUMENT' ? TypeError : Error)
        else copy()
        const diff = diffMemory(dst.side as Side, [mem], sh.clones, opts.convert === true)
        assert.equal(diff, undefined, diff)
      },
    ),
    params(4000),
  )
  t.pass()
})

test('overlapping memory: a block of a matrix copied onto another block of the same matrix gives the snapshot result', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      matrixSpecArb,
      fc.nat(),
      fc.nat(),
      fc.nat(),
      fc.nat(),
      fc.nat(),
      fc.nat(),
      fc.boolean(),
      elementsArb,
      fc.nat(),
      (rows, cols, spec, h0, w0, r1, c1, r2, c2, into, elements, seed) => {
        const b = build(spec, rows, cols, seed)
        fill(b.side as Side, elements)
        const m = b.matrix as Matrix
        const h = 1 + (h0 % rows)
        const w = 1 + (w0 % cols)
        const [ra, ca, rb, cb] = [r1 % (rows - h + 1), c1 % (cols - w + 1), r2 % (rows - h + 1), c2 % (cols - w + 1)]
        const target = m.subMatrix(ra, ra + h, ca, ca + w)
        const source = m.subMatrix(rb, rb + h, cb, cb + w)
        const side = b.side as Side
        const block = (r0: number, c0: number): Side => ({ rows: h, cols: w, format: side.format, loc: (r, c) => side.loc(r0 + r, c0 + c) })
        const sh = shadow(block(ra, ca), b.buffers)
        referenceCopy(block(rb, cb), sh.side, {})
        if (into) target.copyFrom(source)
        else source.copyTo(target)
        const diff = diffMemory(side, b.buffers, sh.clones, false)
        assert.equal(diff, undefined, diff)
      },
    ),
    params(1500),
  )
  t.pass()
})

// ---------------------------------------------------------------------------------------------------------
// the order of the checks

type Fault = { readonly: boolean; dims: number | undefined; shape: boolean; format: 'none' | 'mismatch' | 'itemsize' }

/** A non-2-D side with `n` dimensions (n = 1: several kinds of 1-D input). */
function notTwoD(n: number, which: number, readonly: boolean): unknown {
  if (n === 1) {
    const ones: unknown[] = [
      new Float64Array(6),
      new ArrayBuffer(48),
      new Uint8Array(48),
      [1, 2, 3],
      [1n, 2n],
      [true, false],
      { data: new Float64Array(6), shape: [6] },
    ]
    if (readonly) return { data: new Float64Array(6), shape: [6], readonly: true }
    return ones[which % ones.length]
  }
  const shape = n === 0 ? [] : Array.from({ length: n }, () => 2)
  return { data: new Float64Array(2 ** n), shape, ...(readonly ? { readonly: true } : {}) }
}

test('the checks run in the contract order and the first failing one wins: read-only, dimensions, shapes, formats, itemsizes', (t) => {
  const faultArb: fc.Arbitrary<Fault> = fc.record({
    readonly: fc.boolean(),
    dims: fc.option(fc.constantFrom(0, 1, 1, 3, 4), { freq: 3 }).map((d) => d ?? undefined),
    shape: fc.boolean(),
    format: fc.constantFrom('none' as const, 'mismatch' as const, 'itemsize' as const),
  })
  fc.assert(
    fc.property(
      fc.boolean(),
      faultArb,
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.nat(),
      fc.boolean(),
      (into, fault, rows, cols, which, matrixOther) => {
        // The matrix of the call is 'd'; the other side: same format / another 8-byte format / a 4-byte one.
        const otherFormat = fault.format === 'none' ? 'd' : fault.format === 'mismatch' ? (which % 2 ? 'q' : '>d') : 'i'
        const arg: CopyOptions | undefined =
          fault.format === 'itemsize' ? { cast: true } : fault.format === 'none' && which % 3 === 0 ? { convert: true } : undefined
        const otherShape: [number, number] = fault.shape ? [rows, cols + 1 + (which % 2)] : [rows, cols]
        const self = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
        self.copyFrom(Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => r * 10 + c + 0.5)))
        if (into && fault.readonly) self.makeReadOnly()
        let other: unknown
        let otherMatrix: Matrix | undefined
        let otherBytes: Uint8Array
        if (fault.dims !== undefined) {
          other = notTwoD(fault.dims, which, !into && fault.readonly)
          otherBytes = new Uint8Array(0)
        } else if (matrixOther || otherFormat === '>d') {
          const m = IndirectMemory2D.createMemory({
            rows: otherShape[0],
            cols: otherShape[1],
            format: otherFormat,
            readonly: !into && fault.readonly,
          })
          other = otherMatrix = m
          otherBytes = new Uint8Array(0) // compared through toArray()
        } else {
          const Ctor = otherFormat === 'd' ? Float64Array : otherFormat === 'q' ? BigInt64Array : Int32Array
          const data = new Ctor(otherShape[0] * otherShape[1])
          other = { data, shape: otherShape, ...(!into && fault.readonly ? { readonly: true } : {}) }
          otherBytes = new Uint8Array(data.buffer)
        }
        // Expected: the first failing check, in the contract's order.
        const dims = fault.dims
        const expected: [string, string] | undefined = fault.readonly
          ? ['ERR_READONLY', 'copying to readonly buffer']
          : dims !== undefined
            ? ['ERR_DIMENSIONS', `wrong number of dimensions: expected 2, received ${dims}`]
            : fault.shape
              ? ['ERR_SHAPE_MISMATCH', 'different shapes']
              : fault.format === 'mismatch'
                ? ['ERR_FORMAT_MISMATCH', 'different formats']
                : fault.format === 'itemsize'
                  ? ['ERR_ITEMSIZE_MISMATCH', 'different itemsizes']
                  : undefined
        const selfBefore = self.toTypedArray()
        const otherBefore = otherBytes.slice()
        const otherValuesBefore = otherMatrix?.toArray()
        const call = into ? () => self.copyFrom(other as Matrix, arg) : () => self.copyTo(other as Matrix, arg)
        if (expected === undefined) {
          call()
          // the copy happened: the target holds the source's values (the other side starts zero-filled)
          const want = into ? self.toArray().map((row) => row.map(() => 0)) : self.toArray()
          const got = into
            ? self.toArray()
            : otherMatrix !== undefined
              ? otherMatrix.toArray()
              : [...new Float64Array(otherBytes.buffer)].reduce<number[][]>((rowsOut, v, k) => {
                  ;(rowsOut[Math.floor(k / cols)] ??= []).push(v)
                  return rowsOut
                }, [])
          assert.deepEqual(got, want, 'the copy without a fault')
          return
        }
        const Cls = expected[0] === 'ERR_READONLY' ? TypeError : Error
        assertThrows(call, expected[0], expected[1], Cls)
        assert.deepEqual(self.toTypedArray(), selfBefore, 'the matrix is unchanged')
        assert.deepEqual(otherBytes, otherBefore, 'the other side is unchanged')
        if (otherMatrix !== undefined) assert.deepEqual(otherMatrix.toArray(), otherValuesBefore, 'the other matrix is unchanged')
      },
    ),
    params(1500),
  )
  t.pass()
})

// ---------------------------------------------------------------------------------------------------------
// toTypedArray / toArray

/** The TypedArray class `toTypedArray` returns for a format, and the native format of its elements. */
function nativeArrayOf(format: string): { Ctor: TypedArrayCtor; format: string } {
  const kind = parseFormat(format).kind
  switch (kind) {
    case 'bool':
      return { Ctor: Uint8Array, format: '?' }
    case 'uint8c':
      return { Ctor: Uint8ClampedArray, format: 'uint8c' }
    case 'float16':
      return Float16ArrayCtor !== undefined ? { Ctor: Float16ArrayCtor, format: 'e' } : { Ctor: Float32Array, format: 'f' }
    default: {
      const name = Object.keys(JS_ARRAYS).find((n) => n !== 'Uint8ClampedArray' && parseFormat(JS_ARRAYS[n].format).kind === kind) as string
      return { Ctor: JS_ARRAYS[name].Ctor, format: JS_ARRAYS[name].format }
    }
  }
}

test("toTypedArray({ order: 'C' | 'F' }) and toArray() of every matrix kind and format match the reference", (t) => {
  fc.assert(
    fc.property(
      fc.oneof(sizeArb, largeSizeArb),
      fc.oneof(sizeArb, largeSizeArb),
      matrixSpecArb,
      elementsArb,
      fc.nat(),
      fc.constantFrom<'C' | 'F' | undefined>('C', 'F', undefined),
      (rows, cols0, spec, elements, seed, order) => {
        const cols = rows === 0 ? cols0 : Math.min(cols0, Math.floor(8192 / rows))
        const b = build(spec, rows, cols, seed)
        const side = b.side as Side
        fill(side, elements)
        const m = b.matrix as Matrix
        const before = snapshotOf(b.buffers)
        const { Ctor, format } = nativeArrayOf(side.format)
        const isz = parseFormat(format).size
        const out = new Uint8Array(rows * cols * isz)
        const F = order === 'F'
        const target: Side = { rows, cols, format, loc: (r, c) => [out, (F ? c * rows + r : r * cols + c) * isz] }
        referenceCopy(side, target, { convert: true })
        const got = m.toTypedArray(order === undefined ? undefined : { order })
        assert.equal(Object.getPrototypeOf(got), Ctor.prototype, `toTypedArray of '${side.format}' is a ${got.constructor.name}`)
        assert.equal(got.length, rows * cols, 'length')
        const gotBytes = new Uint8Array(got.buffer, got.byteOffset, got.byteLength)
        const f = parseFormat(format)
        for (let i = 0; i < rows * cols; i++) {
          const g = gotBytes.subarray(i * isz, (i + 1) * isz)
          const w = out.subarray(i * isz, (i + 1) * isz)
          if (Buffer.compare(g, w) === 0) continue
          const [gv, wv] = [readValue(g, 0, f), readValue(w, 0, f)]
          assert.ok(
            Number.isNaN(gv) && Number.isNaN(wv),
            `toTypedArray(${order ?? ''}) element ${i} of '${side.format}': ${show(gv)}, expected ${show(wv)}`,
          )
        }
        const arr = m.toArray()
        const want = referenceValues(side)
        assert.equal(arr.length, rows)
        want.forEach((row, r) => {
          assert.equal(arr[r].length, cols, `toArray row ${r} length`)
          row.forEach((v, c) => {
            assert.ok(
              Object.is(arr[r][c], v) || (Number.isNaN(arr[r][c]) && Number.isNaN(v)),
              `toArray (${r}, ${c}): ${show(arr[r][c])}, expected ${show(v)}`,
            )
          })
        })
        assertUnchanged(b.buffers, before, 'the matrix (toTypedArray / toArray read only)')
      },
    ),
    params(3000),
  )
  t.pass()
})

// Keep the imports honest: BufferCollection2D is one of the sides built by the helpers.
test('the sides the properties build are what they claim (spot check)', (t) => {
  const c = build({ kind: 'collection', format: '>i', packed: true, gap: 3, reversed: true, lead: 1 }, 3, 2, 1)
  t.true(c.matrix instanceof BufferCollection2D)
  t.deepEqual(c.matrix?.shape, [3, 2])
  t.is(c.matrix?.format, '>i')
  fill(c.side as Side, [{ v: 1 }, { v: -2 }, { v: 2 ** 31 }])
  t.deepEqual(c.matrix?.toArray(), [
    [1, -2],
    [-(2 ** 31), 1],
    [-2, -(2 ** 31)],
  ])
  const v = build({ kind: 'view', format: 'e', gap: 1, negative: true, lead: 3, tail: 1 }, 2, 3, 2)
  fill(v.side as Side, [{ v: 1.5 }, { v: 65520 }, { v: -0 }])
  t.deepEqual(v.matrix?.toArray(), [
    [1.5, Infinity, -0],
    [1.5, Infinity, -0],
  ])
  const n = build(
    {
      kind: 'ndarray',
      array: 'Int16Array',
      layout: {
        order: 'F',
        step: 2,
        pad: 1,
        flipRows: true,
        flipCols: false,
        broadcastRows: false,
        broadcastCols: false,
        lead: 1,
        tail: 1,
        key: 'stride',
      },
    },
    2,
    3,
    3,
  )
  fill(n.side as Side, [{ v: 1 }, { v: 2 }, { v: 3 }, { v: 4 }, { v: 5 }, { v: 6 }])
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'h' })
  m.copyFrom(n.obj as Parameters<Matrix['copyFrom']>[0])
  t.deepEqual(m.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ])
})
