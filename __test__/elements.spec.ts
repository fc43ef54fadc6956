// Elements: get/set of every scalar format, with the conversion of assigning into the matching TypedArray
// (each case is compared against a real TypedArray fed the same input), value-type rejections, byte order
// and float16.

import os from 'node:os'
import test from 'ava'
import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { throwsCode } from './helpers/native-views.js'

const LITTLE = os.endianness() === 'LE'
const LONG_IS_64 = process.platform !== 'win32' && ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64'].includes(process.arch)
const PTR_IS_64 = ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64'].includes(process.arch)

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`
  if (Object.is(v, -0)) return '-0'
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'object' && v !== null) return Object.prototype.toString.call(v)
  return String(v)
}

type NumberArrayCtor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
type BigArrayCtor = BigInt64ArrayConstructor | BigUint64ArrayConstructor

/** What assigning `x` to an element of a fresh `Ctor` stores. */
function viaTypedArray(Ctor: NumberArrayCtor, x: number): number {
  const a = new Ctor(1)
  a[0] = x
  return a[0]
}
function viaBigTypedArray(Ctor: BigArrayCtor, x: bigint): bigint {
  const a = new Ctor(1)
  a[0] = x
  return a[0]
}

// Number inputs that exercise wrap-around, truncation, NaN, infinities, -0, float rounding and clamping.
const NUMBER_INPUTS: number[] = [
  0,
  -0,
  1,
  -1,
  2,
  127,
  128,
  -128,
  -129,
  255,
  256,
  300,
  -300,
  32767,
  32768,
  -32769,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 1,
  -(2 ** 32) - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 60) - 2 ** 20,
  1e21,
  3.7,
  -3.7,
  0.5,
  1.5,
  2.5,
  -0.5,
  -2.5,
  255.5,
  254.5,
  253.5,
  -3,
  0.1,
  1 / 3,
  16777217, // float32 rounds to even
  1e-40, // float32 subnormal
  2 ** -149,
  2 ** -150, // float32 rounds to 0
  3.4028235677973366e38, // float32 overflows to Infinity
  1e300,
  -1e300,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
  NaN,
  Infinity,
  -Infinity,
]

// Number formats and the TypedArray whose assignment they follow (native order and little/big prefixes:
// byte order must not change the stored value).
const NUMBER_FORMATS: [string, NumberArrayCtor][] = [
  ['b', Int8Array],
  ['B', Uint8Array],
  ['c', Uint8Array],
  ['h', Int16Array],
  ['H', Uint16Array],
  ['i', Int32Array],
  ['I', Uint32Array],
  ['f', Float32Array],
  ['d', Float64Array],
  ['int8', Int8Array],
  ['uint8', Uint8Array],
  ['uint8c', Uint8ClampedArray],
  ['int16', Int16Array],
  ['uint16', Uint16Array],
  ['int32', Int32Array],
  ['uint32', Uint32Array],
  ['float32', Float32Array],
  ['float64', Float64Array],
  ['@i', Int32Array],
  ['=H', Uint16Array],
  ['<h', Int16Array],
  ['>h', Int16Array],
  ['>H', Uint16Array],
  ['<i', Int32Array],
  ['>i', Int32Array],
  ['!I', Uint32Array],
  ['<l', Int32Array],
  ['>L', Uint32Array],
  ['<f', Float32Array],
  ['>f', Float32Array],
  ['<d', Float64Array],
  ['>d', Float64Array],
  ['!d', Float64Array],
  ...(LONG_IS_64
    ? []
    : ([
        ['l', Int32Array],
        ['L', Uint32Array],
      ] as [string, NumberArrayCtor][])),
]

const BIGINT_FORMATS: [string, BigArrayCtor][] = [
  ['q', BigInt64Array],
  ['Q', BigUint64Array],
  ['int64', BigInt64Array],
  ['uint64', BigUint64Array],
  ['@q', BigInt64Array],
  ['=Q', BigUint64Array],
  ['<q', BigInt64Array],
  ['>q', BigInt64Array],
  ['!Q', BigUint64Array],
  ['>Q', BigUint64Array],
  ...(PTR_IS_64
    ? ([
        ['n', BigInt64Array],
        ['N', BigUint64Array],
        ['P', BigUint64Array],
      ] as [string, BigArrayCtor][])
    : []),
  ...(LONG_IS_64
    ? ([
        ['l', BigInt64Array],
        ['L', BigUint64Array],
      ] as [string, BigArrayCtor][])
    : []),
]

const BIGINT_INPUTS: bigint[] = [
  0n,
  1n,
  -1n,
  42n,
  2n ** 31n,
  2n ** 32n + 1n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  -(2n ** 63n),
  -(2n ** 63n) - 1n,
  2n ** 64n - 1n,
  2n ** 64n,
  2n ** 64n + 3n,
  -(2n ** 64n) - 3n,
  2n ** 100n + 5n,
  -(2n ** 100n) - 5n,
]

const SAFE_INTEGER_INPUTS: number[] = [0, -0, 1, -1, 255, -256, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 1, 2 ** 53 - 1, -(2 ** 53 - 1)]

const SENTINEL = 7

test('a fresh matrix reads zeros of each format type', (t) => {
  for (const [format] of NUMBER_FORMATS) t.is(IndirectMemory2D.createMemory({ rows: 1, cols: 1, format }).get(0, 0), 0, format)
  for (const [format] of BIGINT_FORMATS) t.is(IndirectMemory2D.createMemory({ rows: 1, cols: 1, format }).get(0, 0), 0n, format)
  for (const format of ['?', 'bool', '<?', '>?']) t.is(IndirectMemory2D.createMemory({ rows: 1, cols: 1, format }).get(0, 0), false, format)
  for (const format of ['e', 'float16', '>e']) t.is(IndirectMemory2D.createMemory({ rows: 1, cols: 1, format }).get(0, 0), 0, format)
})

test('number formats: set/get stores exactly what the matching TypedArray stores', (t) => {
  for (const [format, Ctor] of NUMBER_FORMATS) {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format })
    for (const x of NUMBER_INPUTS) {
      m.set(1, 2, x)
      const got = m.get(1, 2)
      t.is(typeof got, 'number', `${format}: get returns a number`)
      // t.is is Object.is: NaN equals NaN, -0 differs from 0.
      t.is(got, viaTypedArray(Ctor, x), `${format} <- ${show(x)}`)
    }
  }
})

test('set writes only its element', (t) => {
  for (const format of ['b', 'h', 'i', 'd', '>i', 'q', 'e', '?']) {
    const m = IndirectMemory2D.createMemory({ rows: 3, cols: 3, format })
    m.set(1, 1, format === 'q' ? -1n : -1)
    const zero = format === 'q' ? 0n : format === '?' ? false : 0
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        if (r !== 1 || c !== 1) t.is(m.get(r, c), zero, `${format} (${r}, ${c})`)
      }
    }
    t.not(m.get(1, 1), zero)
  }
})

test('explicit expectations: wrap-around, truncation, NaN, float32 rounding, uint8c clamping', (t) => {
  const cases: [string, number, number][] = [
    ['i', 2 ** 32 + 1, 1],
    ['I', -1, 4294967295],
    ['b', 300, 44],
    ['B', -1, 255],
    ['c', 256 + 65, 65],
    ['h', 65535, -1],
    ['i', 3.7, 3],
    ['i', -3.7, -3],
    ['i', NaN, 0],
    ['i', Infinity, 0],
    ['i', 1e300, 0],
    ['d', -0, -0],
    ['i', -0, 0],
    ['f', 0.1, Math.fround(0.1)],
    ['f', 1e300, Infinity],
    ['f', NaN, NaN],
    ['uint8c', 255.5, 255],
    ['uint8c', 254.5, 254],
    ['uint8c', 253.5, 254],
    ['uint8c', 1.5, 2],
    ['uint8c', 0.5, 0],
    ['uint8c', -3, 0],
    ['uint8c', 300, 255],
    ['uint8c', NaN, 0],
    ['uint8c', Infinity, 255],
  ]
  for (const [format, input, expected] of cases) {
    const m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format })
    m.set(0, 0, input)
    t.is(m.get(0, 0), expected, `${format} <- ${show(input)}`)
  }
})

test('uint8c matches B: the same byte, and B wraps where uint8c clamps', (t) => {
  const c = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'uint8c' })
  c.set(0, 0, 300)
  c.set(0, 1, -5)
  c.reinterpretData('B')
  t.is(c.get(0, 0), 255)
  t.is(c.get(0, 1), 0)
  c.set(0, 0, 300)
  t.is(c.get(0, 0), 44)
})

test('64-bit formats: bigints wrap like BigInt64Array / BigUint64Array and read back as bigints', (t) => {
  for (const [format, Ctor] of BIGINT_FORMATS) {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format })
    for (const x of BIGINT_INPUTS) {
      m.set(-1, -1, x)
      const got = m.get(1, 1)
      t.is(typeof got, 'bigint', `${format}: get returns a bigint`)
      t.is(got, viaBigTypedArray(Ctor, x), `${format} <- ${show(x)}`)
    }
  }
})

test('64-bit formats accept safe-integer numbers', (t) => {
  for (const [format, Ctor] of BIGINT_FORMATS) {
    const m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format })
    for (const x of SAFE_INTEGER_INPUTS) {
      m.set(0, 0, x)
      t.is(m.get(0, 0), viaBigTypedArray(Ctor, BigInt(x)), `${format} <- ${show(x)}`)
    }
  }
  const q = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'Q' })
  q.set(0, 0, -1)
  t.is(q.get(0, 0), 2n ** 64n - 1n)
  q.set(0, 0, 2n ** 64n + 3n)
  t.is(q.get(0, 0), 3n)
  const s = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'q' })
  s.set(0, 0, 2n ** 64n - 1n)
  t.is(s.get(0, 0), -1n)
})

test('64-bit formats reject unsafe or fractional numbers and non-numeric values (ERR_INVALID_ARGUMENT, element unchanged)', (t) => {
  const rejected: unknown[] = [
    1.5,
    -0.5,
    2 ** 53,
    -(2 ** 53),
    2 ** 64,
    1e300,
    NaN,
    Infinity,
    -Infinity,
    '5',
    '5n',
    undefined,
    null,
    true,
    false,
    { valueOf: () => 5 },
    { valueOf: () => 5n },
    [5],
    Symbol('x'),
    () => 5,
  ]
  for (const [format] of BIGINT_FORMATS) {
    const m = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format })
    m.set(0, 0, BigInt(SENTINEL))
    for (const x of rejected) {
      throwsCode(t, () => m.set(0, 0, x as bigint), 'ERR_INVALID_ARGUMENT', TypeError)
      t.is(m.get(0, 0), BigInt(SENTINEL), `${format}: element unchanged after ${show(x)}`)
      t.is(m.get(0, 1), 0n)
    }
  }
})

test('number formats reject bigints, strings, booleans, objects, undefined (ERR_INVALID_ARGUMENT, element unchanged)', (t) => {
  const rejected: unknown[] = [
    '1',
    '',
    'abc',
    1n,
    0n,
    true,
    false,
    undefined,
    null,
    {},
    { valueOf: () => 3 },
    [1],
    new Number(3),
    Symbol('x'),
  ]
  for (const [format] of [...NUMBER_FORMATS, ['e'], ['float16'], ['>e']] as [string][]) {
    const m = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format })
    m.set(0, 0, SENTINEL)
    for (const x of rejected) {
      throwsCode(t, () => m.set(0, 0, x as number), 'ERR_INVALID_ARGUMENT', TypeError)
      t.is(m.get(0, 0), SENTINEL, `${format}: element unchanged after ${show(x)}`)
      t.is(m.get(0, 1), 0)
    }
  }
})

test("'?' and 'bool' store the truthiness of any value as 1 / 0 and read back booleans", (t) => {
  const truthy: unknown[] = [
    true,
    1,
    -1,
    0.5,
    2,
    255,
    256,
    Infinity,
    -Infinity,
    'a',
    '0',
    'false',
    1n,
    -1n,
    2n ** 64n,
    {},
    [],
    () => 0,
    Symbol('s'),
    new Boolean(false),
  ]
  const falsy: unknown[] = [false, 0, -0, NaN, '', 0n, null, undefined]
  for (const format of ['?', 'bool', '@?', '<?', '>?', '!?', '=?']) {
    const m = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format })
    for (const x of truthy) {
      m.set(0, 0, false)
      m.set(0, 0, x as boolean)
      t.is(m.get(0, 0), true, `${format} <- ${show(x)}`)
      t.deepEqual([...m.rowBytes(0)], [1, 0], `${format} <- ${show(x)} stores the byte 1`)
    }
    for (const x of falsy) {
      m.set(0, 0, true)
      m.set(0, 0, x as boolean)
      t.is(m.get(0, 0), false, `${format} <- ${show(x)}`)
      t.deepEqual([...m.rowBytes(0)], [0, 0], `${format} <- ${show(x)} stores the byte 0`)
    }
  }
})

test("'?' reads any non-zero byte as true", (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: '?' })
  const bytes = m.rowBytes(0)
  bytes[0] = 2
  bytes[1] = 255
  t.is(m.get(0, 0), true)
  t.is(m.get(0, 1), true)
  t.is(m.get(0, 2), false)
  t.deepEqual(m.toArray(), [[true, true, false]])
})

// Byte order: stored bytes must equal DataView's encoding in the format's byte order.
type DvSetter = (dv: DataView, v: never, little: boolean) => void
const DV: Record<string, [number, DvSetter]> = {
  h: [2, (dv, v, le) => dv.setInt16(0, v, le)],
  H: [2, (dv, v, le) => dv.setUint16(0, v, le)],
  i: [4, (dv, v, le) => dv.setInt32(0, v, le)],
  I: [4, (dv, v, le) => dv.setUint32(0, v, le)],
  l: [4, (dv, v, le) => dv.setInt32(0, v, le)],
  f: [4, (dv, v, le) => dv.setFloat32(0, v, le)],
  d: [8, (dv, v, le) => dv.setFloat64(0, v, le)],
  q: [8, (dv, v, le) => dv.setBigInt64(0, v, le)],
  Q: [8, (dv, v, le) => dv.setBigUint64(0, v, le)],
}

function expectedBytes(ch: string, value: number | bigint, little: boolean): number[] {
  const [size, setter] = DV[ch]
  const dv = new DataView(new ArrayBuffer(size))
  setter(dv, value as never, little)
  return [...new Uint8Array(dv.buffer)]
}

test("'>i' stores big-endian bytes and '<i' little-endian bytes (seen through rowBytes)", (t) => {
  const big = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: '>i' })
  big.set(0, 1, 0x01020304)
  t.deepEqual([...big.rowBytes(0)], [0, 0, 0, 0, 1, 2, 3, 4])
  t.is(big.get(0, 1), 0x01020304)
  const little = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: '<i' })
  little.set(0, 1, 0x01020304)
  t.deepEqual([...little.rowBytes(0)], [0, 0, 0, 0, 4, 3, 2, 1])
  t.is(little.get(0, 1), 0x01020304)
  const network = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: '!i' })
  network.set(0, 0, -2)
  t.deepEqual([...network.rowBytes(0)], [0xff, 0xff, 0xff, 0xfe])
  t.is(network.get(0, 0), -2)
})

test('every byte order of every multi-byte format: bytes equal DataView encoding, get swaps back', (t) => {
  const values: Record<string, (number | bigint)[]> = {
    h: [-2, 0x1234, 32767],
    H: [0xfffe, 0x1234],
    i: [-2, 0x01020304, -(2 ** 31)],
    I: [0xfffffffe, 0x01020304],
    l: [-2, 0x01020304],
    f: [1.5, -0.1, Infinity, -0],
    d: [Math.PI, -0, 1e300, Number.MIN_VALUE],
    q: [-2n, 0x0102030405060708n, -(2n ** 63n)],
    Q: [2n ** 64n - 2n, 0x0102030405060708n],
  }
  const prefixes: [string, boolean][] = [
    ['<', true],
    ['>', false],
    ['!', false],
    ['=', LITTLE],
    ['', LITTLE],
    ['@', LITTLE],
  ]
  for (const ch of Object.keys(values)) {
    for (const [prefix, little] of prefixes) {
      if (ch === 'l' && (prefix === '' || prefix === '@')) continue // native long: platform size
      const format = prefix + ch
      const m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format })
      for (const v of values[ch]) {
        m.set(0, 0, v)
        t.deepEqual([...m.rowBytes(0)], expectedBytes(ch, v, little), `bytes of ${format} <- ${show(v)}`)
        const back = typeof v === 'number' && ch === 'f' ? Math.fround(v) : v
        t.is(m.get(0, 0), back, `${format} round trip of ${show(v)}`)
      }
      // and bytes written behind its back are read in the format's byte order
      const raw = expectedBytes(ch, values[ch][1], little)
      m.rowBytes(0).set(raw)
      const expected = ch === 'f' ? Math.fround(values[ch][1] as number) : values[ch][1]
      t.is(m.get(0, 0), expected, `${format} reads ${raw.join(',')}`)
    }
  }
})

// ---- float16 ----

/** Reference: a double to the nearest float16 (ties to even), computed exactly in doubles. */
function toFloat16(x: number): number {
  if (Number.isNaN(x) || !Number.isFinite(x) || x === 0) return x
  const a = Math.abs(x)
  let e = Math.floor(Math.log2(a))
  while (2 ** e > a) e--
  while (2 ** (e + 1) <= a) e++
  if (e < -14) e = -14 // subnormals: quantum 2^-24
  const q = 2 ** (e - 10)
  const r = a / q // exact: a scaled by a power of two, below 2^11
  const f = Math.floor(r)
  const diff = r - f
  const n = diff > 0.5 ? f + 1 : diff < 0.5 ? f : f % 2 === 0 ? f : f + 1
  let y = n * q
  if (y > 65504) y = Infinity
  return x < 0 ? -y : y
}

/** Reference: the float16 bits of a value already representable in float16. */
function float16Bits(y: number): number {
  const sign = y < 0 || Object.is(y, -0) ? 0x8000 : 0
  const a = Math.abs(y)
  if (Number.isNaN(y)) return 0x7e00
  if (a === Infinity) return sign | 0x7c00
  if (a < 2 ** -14) return sign | (a / 2 ** -24)
  let e = Math.floor(Math.log2(a))
  while (2 ** e > a) e--
  while (2 ** (e + 1) <= a) e++
  return sign | ((e + 15) << 10) | (a / 2 ** (e - 10) - 1024)
}

const F16_EXACT: [number, number][] = [
  [0, 0],
  [-0, -0],
  [1, 1],
  [-2, -2],
  [1 / 3, 0.333251953125],
  [0.1, 0.0999755859375],
  [65504, 65504],
  [65519.99, 65504],
  [65520, Infinity],
  [-65520, -Infinity],
  [1e300, Infinity],
  [Infinity, Infinity],
  [-Infinity, -Infinity],
  [1 + 2 ** -11, 1], // tie: to even
  [1 + 3 * 2 ** -11, 1 + 2 ** -9], // tie: to even (up)
  [1 + 2 ** -11 + 2 ** -40, 1 + 2 ** -10], // above the tie: a double rounding through float32 would give 1
  [2 ** -14, 2 ** -14], // smallest normal
  [2 ** -24, 2 ** -24], // smallest subnormal
  [2 ** -25, 0], // tie to even: 0
  [2 ** -25 + 2 ** -40, 2 ** -24],
  [-(2 ** -26), -0],
  [3 * 2 ** -25, 2 ** -23], // tie between 1 and 2 quanta: to even (2)
  [2049, 2048],
  [2051, 2052],
]

test('float16: exact expectations (ties to even, one rounding, overflow, subnormals, NaN)', (t) => {
  for (const format of ['e', 'float16', '<e', '>e']) {
    const m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format })
    for (const [x, y] of F16_EXACT) {
      m.set(0, 0, x)
      t.is(m.get(0, 0), y, `${format} <- ${show(x)}`)
      t.is(toFloat16(x), y, `reference toFloat16(${show(x)})`) // keeps the reference honest
    }
    m.set(0, 0, NaN)
    t.true(Number.isNaN(m.get(0, 0) as number), `${format} <- NaN`)
  }
})

test('float16: stored bits (1.0 is 0x3c00) in little and big byte order', (t) => {
  const le = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: '<e' })
  le.set(0, 0, 1)
  le.set(0, 1, -2)
  t.deepEqual([...le.rowBytes(0)], [0x00, 0x3c, 0x00, 0xc0])
  const be = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: '>e' })
  be.set(0, 0, 1)
  be.set(0, 1, 65504)
  t.deepEqual([...be.rowBytes(0)], [0x3c, 0x00, 0x7b, 0xff])
  // bytes written behind its back decode as float16
  be.rowBytes(0).set([0x35, 0x55, 0x7c, 0x00])
  t.is(be.get(0, 0), 0.333251953125)
  t.is(be.get(0, 1), Infinity)
})

function randomDoubles(n: number, seed: number): number[] {
  // xorshift32: reproducible
  let s = seed >>> 0 || 1
  const next = (): number => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s
  }
  const out: number[] = []
  const dv = new DataView(new ArrayBuffer(8))
  while (out.length < n) {
    const kind = next() % 4
    if (kind === 0) {
      // any double bit pattern
      dv.setUint32(0, next())
      dv.setUint32(4, next())
      out.push(dv.getFloat64(0))
    } else if (kind === 1) {
      // the float16 range, log-uniform
      const sign = next() & 1 ? -1 : 1
      out.push(sign * 2 ** ((next() / 2 ** 32) * 44 - 28))
    } else if (kind === 2) {
      // near float16 rounding boundaries: a half-way point, nudged
      const e = (next() % 30) - 14
      const m = 1024 + (next() % 1024)
      const nudge = [0, 2 ** -40, -(2 ** -40), 2 ** -30][next() % 4]
      out.push((m + 0.5 + nudge) * 2 ** (e - 10))
    } else {
      out.push((next() / 2 ** 32) * 70000 - 35000)
    }
  }
  return out
}

test('float16: a few hundred random doubles round like the exact reference (bits and values)', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: '<e' })
  for (const x of randomDoubles(600, 0xc0ffee)) {
    m.set(0, 0, x)
    const expected = toFloat16(x)
    const got = m.get(0, 0)
    if (Number.isNaN(expected)) {
      t.true(Number.isNaN(got as number), `NaN <- ${show(x)}`)
      continue
    }
    t.is(got, expected, `float16 <- ${x}`)
    const bytes = m.rowBytes(0)
    t.is(bytes[0] | (bytes[1] << 8), float16Bits(expected), `bits of float16 <- ${x}`)
  }
})

type F16Ctor = new (n: number) => { [i: number]: number; readonly length: number; buffer: ArrayBufferLike }
const Float16ArrayCtor = (globalThis as { Float16Array?: F16Ctor }).Float16Array

;(Float16ArrayCtor === undefined ? test.skip : test)('float16: matches the runtime Float16Array for random doubles', (t) => {
  const F16 = Float16ArrayCtor as F16Ctor
  const m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'float16' })
  const a = new F16(1)
  for (const x of [...randomDoubles(500, 12345), ...F16_EXACT.map(([x]) => x), NaN]) {
    a[0] = x
    m.set(0, 0, x)
    t.is(m.get(0, 0), a[0], `float16 <- ${x}`)
  }
})

;(Float16ArrayCtor === undefined ? test.skip : test)("float16: row('e') is a Float16Array where the runtime has it", (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'e' })
  const row = m.row(1) as unknown as { constructor: unknown; [i: number]: number; length: number }
  t.is(row.constructor, Float16ArrayCtor)
  t.is(row.length, 3)
  m.set(1, 2, 1 / 3)
  t.is(row[2], 0.333251953125)
})

;(Float16ArrayCtor === undefined ? test : test.skip)(
  "float16: without Float16Array, row('e') throws ERR_FORMAT_UNSUPPORTED and rowBytes works",
  (t) => {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'e' })
    throwsCode(t, () => m.row(0), 'ERR_FORMAT_UNSUPPORTED', TypeError)
    throwsCode(t, () => m.rowViews(), 'ERR_FORMAT_UNSUPPORTED', TypeError)
    m.set(1, 0, 1)
    t.deepEqual([...m.rowBytes(1)], LITTLE ? [0x00, 0x3c, 0, 0, 0, 0] : [0x3c, 0x00, 0, 0, 0, 0])
    t.deepEqual(m.toArray(), [
      [0, 0, 0],
      [1, 0, 0],
    ])
  },
)

test('the last-row shortcut of get/set: first accesses, bad rows, a detached row, release', (t) => {
  // Each kind keeps the row it last read and wrote; -1 stands for "none", and is also an index (the last row).
  for (const format of ['d', 'i', 'B', '?', 'q', '>d'] as const) {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format })
    const one = (format === 'q' ? 1n : format === '?' ? true : 1) as never
    m.set(-1, 0, one) // -1 before any access: the last row, not the empty shortcut
    t.is(m.get(-1, 0), one, `${format}: get(-1) first`)
    t.is(m.get(1, 0), one)
    m.set(1, 0, (format === 'q' ? 0n : format === '?' ? false : 0) as never)
    throwsCode(t, () => m.get(-3, 0), 'ERR_OUT_OF_BOUNDS', RangeError, undefined, `${format}: get(-3)`)
    throwsCode(t, () => m.set(2, 0, one), 'ERR_OUT_OF_BOUNDS', RangeError, undefined, `${format}: set(2)`)
    m.set(1, 2, one)
    m.set(1, 1, one) // through the last-written row
    t.deepEqual([m.get(1, 1), m.get(1, 2), m.get(1, 0)], [one, one, format === 'q' ? 0n : format === '?' ? false : 0], format)
    throwsCode(t, () => m.get(1, 3), 'ERR_OUT_OF_BOUNDS', RangeError, undefined, `${format}: past the last-read row's end`)
    throwsCode(t, () => m.set(1, 3, one), 'ERR_OUT_OF_BOUNDS', RangeError, undefined, `${format}: past the last-written row's end`)
    m.release()
    throwsCode(t, () => m.get(1, 1), 'ERR_RELEASED', Error, undefined, `${format}: after release`)
    throwsCode(t, () => m.set(1, 1, one), 'ERR_RELEASED', Error, undefined, `${format}: set after release`)
  }
  // A collection row detached between two accesses to it: the second access sees it.
  const rows = [new Float64Array(3), new Float64Array(3)]
  const c = new BufferCollection2D(rows)
  c.set(1, 0, 5)
  t.is(c.get(1, 0), 5)
  structuredClone(rows[1].buffer, { transfer: [rows[1].buffer] })
  throwsCode(t, () => c.get(1, 1), 'ERR_DETACHED', Error, undefined, 'get on the row last read, now detached')
  throwsCode(t, () => c.get(0, 0), 'ERR_DETACHED', Error, undefined, 'and the collection latched')
})

test('get on foreign-order rows refuses a column that is not an integer index, on the row last read too', (t) => {
  // These rows are read through a DataView, which would round 1.5 down to 1 and read '1' as 1.
  for (const format of ['>d', '>f', '>i', '>I', '>h', '>H', '>q', '>Q'] as const) {
    const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format })
    const two = (format === '>q' || format === '>Q' ? 2n : 2) as never
    m.set(1, 1, two)
    for (const target of [m, m.subMatrix(1, 2, 0, 3)]) {
      const r = target.rows - 1
      t.is(target.get(r, 1), two, `${format}: the row is now the one last read`)
      for (const c of [1.5, 0.5, '1', NaN]) {
        throwsCode(t, () => target.get(r, c as never), 'ERR_INVALID_ARGUMENT', TypeError, undefined, `${format}: column ${String(c)}`)
      }
      for (const c of [3, 2 ** 32 + 1]) {
        throwsCode(t, () => target.get(r, c), 'ERR_OUT_OF_BOUNDS', RangeError, undefined, `${format}: column ${c}, past the row's end`)
      }
      t.is(target.get(r, -2), two, `${format}: a negative column counts from the end`)
    }
    m.release()
  }
})
