// The binding's own surface, below the facade: the contract tables the TypeScript copies must agree with
// (a drift in any of them fails here), checked planes and the copy contract's order, ragged,
// NULL-terminated and string tables as native code sees them.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import test from 'ava'
import { testlib } from './helpers/native.js'

const requireHere = createRequire(__filename)
// The napi binding (index.js) and the facade's compiled tables (dist/), loaded as the package loads them.
const binding = requireHere('../index.js') as typeof import('../index.js')
const { makeError } = requireHere('../dist/errors.js') as typeof import('../lib/errors.js')
const {
  describeFormat,
  formatOfTypedArray,
  nativeChar: nativeCharOf,
} = requireHere('../dist/formats.js') as typeof import('../lib/formats.js')
const { NativeFormat, NativeMatrix, contractTables } = binding

const tables = contractTables()

/** The string literals of the TypeScript union `type <name> = | 'a' | 'b' …` in a facade source file. */
function unionMembers(file: string, name: string): string[] {
  const text = readFileSync(new URL(`../lib/${file}`, `file://${__filename}`), 'utf8')
  const body = new RegExp(`export type ${name} =([^]*?)\\n\\n`).exec(text)
  if (body === null) throw new Error(`no union ${name} in lib/${file}`)
  return [...body[1].matchAll(/'([^']+)'/g)].map((m) => m[1]).sort()
}

function throwsCode(t: import('ava').ExecutionContext, fn: () => unknown, code: string, message?: string): void {
  const e = t.throws(fn) as Error & { code?: string }
  t.is(e?.code, code)
  if (message !== undefined) t.is(e?.message, message)
}

test('error codes: the facade lists exactly the core codes, each thrown as the class the core names', (t) => {
  const codes = tables.errors.map((e) => e.code).sort()
  t.deepEqual(unionMembers('errors.ts', 'ErrorCode'), codes)
  t.true(codes.includes('ERR_RAGGED'))
  for (const { code, jsClass } of tables.errors) {
    t.is(makeError(code as Parameters<typeof makeError>[0], '').constructor.name, jsClass, code)
  }
})

test('the binding throws each code as the class the core names (a sample through real calls)', (t) => {
  const f = NativeFormat.parse('d')
  const m = NativeMatrix.fromRowPointers(new BigUint64Array(0), 0, 1, f)
  const classOf = (code: string) => tables.errors.find((e) => e.code === code)?.jsClass
  for (const [fn, code] of [
    [() => NativeFormat.parse(''), 'ERR_INVALID_FORMAT'],
    [() => m.rowPointer(0), 'ERR_OUT_OF_BOUNDS'],
    [() => NativeMatrix.fromTable(0n, 1, 1, f), 'ERR_NULL_POINTER'],
  ] as const) {
    const e = t.throws(fn) as Error & { code: string }
    t.is(e.code, code)
    t.is(e.constructor.name, classOf(code) ?? 'a class the core names')
  }
})

test('dtype names and type characters: the facade agrees with the core on every scalar kind', (t) => {
  t.deepEqual(unionMembers('formats.ts', 'Dtype'), [...tables.scalars.map((s) => s.dtype), 'record'].sort())
  for (const { dtype, nativeChar, itemsize } of tables.scalars) {
    const byName = describeFormat(dtype)
    t.is(byName.dtype as string, dtype)
    t.is(byName.itemsize, itemsize)
    t.is(describeFormat(nativeChar).itemsize, itemsize)
    // The facade's native format of a dtype: the core's character, except uint8c, which keeps its name so
    // that toTypedArray returns a Uint8ClampedArray (the core has no character of its own for it).
    const facadeChar = nativeCharOf(dtype as Parameters<typeof nativeCharOf>[0])
    t.is(describeFormat(facadeChar).dtype as string, dtype)
    if (dtype !== 'uint8c') t.is(facadeChar, nativeChar, dtype)
    // The typed array of a dtype is detected back as that dtype's character (bool and uint8c share 'B' bytes).
    const Ctor = byName.ArrayType
    if (Ctor !== undefined && dtype !== 'bool' && dtype !== 'uint8c') t.is(formatOfTypedArray(new Ctor(0)), nativeChar, dtype)
  }
})

test('copyJs: a strided plane is checked once against its buffer; checks run read-only first', (t) => {
  const f = NativeFormat.parse('i')
  const data = new Int32Array([1, 2, 3, 4, 5, 6])
  const m = NativeMatrix.overJsMemory(f, 3, [data], new Uint32Array(2), new Float64Array([0, 12]))
  const out = new Int32Array(6)
  // Transposed (column-major) target: rowStride 4, colStride 8.
  m.copyJs({ segments: [out], rows: 2, offset: 0, rowStride: 4, cols: 3, colStride: 8, format: f }, { into: false })
  t.deepEqual([...out], [1, 4, 2, 5, 3, 6])
  // Reversed rows through a negative stride.
  m.copyJs({ segments: [out], rows: 2, offset: 12, rowStride: -12, cols: 3, colStride: 4, format: f }, { into: false })
  t.deepEqual([...out], [4, 5, 6, 1, 2, 3])
  throwsCode(
    t,
    () => m.copyJs({ segments: [out], rows: 2, offset: 4, rowStride: 12, cols: 3, colStride: 4, format: f }, { into: false }),
    'ERR_INVALID_ARGUMENT',
  )
  // A read-only target of the wrong shape and dimensions: read-only is reported first.
  const plane = { segments: [out], rows: 1, offset: 0, rowStride: 4, cols: 1, colStride: 4, format: f, readonly: true, ndim: 1 }
  throwsCode(t, () => m.copyJs(plane, { into: false }), 'ERR_READONLY', 'copying to readonly buffer')
  throwsCode(
    t,
    () => m.copyJs({ ...plane, readonly: false }, { into: false }),
    'ERR_DIMENSIONS',
    'wrong number of dimensions: expected 2, received 1',
  )
  throwsCode(t, () => m.copyJs({ ...plane, readonly: false, ndim: 2 }, { into: false }), 'ERR_SHAPE_MISMATCH', 'different shapes')
  const d = NativeFormat.parse('d')
  throwsCode(
    t,
    () =>
      m.copyJs({ segments: [new Float64Array(6)], rows: 2, offset: 0, rowStride: 24, cols: 3, colStride: 8, format: d }, { into: true }),
    'ERR_FORMAT_MISMATCH',
  )
  throwsCode(
    t,
    () =>
      m.copyJs(
        { segments: [new Float64Array(6)], rows: 2, offset: 0, rowStride: 24, cols: 3, colStride: 8, format: d },
        { into: true, cast: true },
      ),
    'ERR_ITEMSIZE_MISMATCH',
  )
  m.makeReadOnly()
  throwsCode(t, () => m.copyMatrix(m, { into: true }), 'ERR_READONLY', 'copying to readonly buffer')
})

test('overJsRows: evenly spaced rows give the table overJsMemory builds row by row, checked once from their end rows', (t) => {
  const f = NativeFormat.parse('d')
  const data = new Float64Array(12)
  const each = (offsets: number[]) => NativeMatrix.overJsMemory(f, 2, [data], new Uint32Array(offsets.length), new Float64Array(offsets))
  // Three rows of two doubles 32 bytes apart, forwards from byte 8 and backwards from byte 72.
  t.deepEqual([...NativeMatrix.overJsRows(f, data, 3, 2, 8, 32).rowPointers()], [...each([8, 40, 72]).rowPointers()])
  t.deepEqual([...NativeMatrix.overJsRows(f, data, 3, 2, 72, -32).rowPointers()], [...each([72, 40, 8]).rowPointers()])
  // The last row one element past the end, the first before the start, a stride that is not an integer.
  throwsCode(t, () => NativeMatrix.overJsRows(f, data, 3, 2, 24, 32), 'ERR_INVALID_ARGUMENT')
  throwsCode(t, () => NativeMatrix.overJsRows(f, data, 3, 2, 56, -32), 'ERR_INVALID_ARGUMENT')
  throwsCode(t, () => NativeMatrix.overJsRows(f, data, 3, 2, 0, 0.5), 'ERR_INVALID_ARGUMENT')
  throwsCode(t, () => NativeMatrix.overJsRows(f, data, -1, 2, 0, 8), 'ERR_INVALID_SHAPE')
  // Ragged rows are listed one by one (overJsMemory), never evenly spaced.
  throwsCode(t, () => NativeMatrix.overJsRows(f, data, 1, 2, 0, 16, { rowLengths: new Float64Array([1]) }), 'ERR_INVALID_ARGUMENT')
  // Rows of no element reach nothing, wherever they would start; a NULL entry after the last row on request.
  t.is(NativeMatrix.overJsRows(f, data, 2, 0, 9999, 9999).rows(), 2)
  const lib = testlib()
  const terminated = NativeMatrix.overJsRows(f, data, 2, 2, 0, 16, { nullTerminated: true })
  t.deepEqual([lib.row_at(terminated.pointer(), 1), lib.row_at(terminated.pointer(), 2) as bigint | null], [terminated.rowPointer(1), null])
})

test('ragged tables over JS memory: per-row bounds, lengths, ERR_RAGGED from copies and cross-length sub-matrices', (t) => {
  const f = NativeFormat.parse('B')
  const bytes = new Uint8Array([1, 2, 3, 4, 9, 7])
  const m = NativeMatrix.overJsMemory(f, 0, [bytes], new Uint32Array(3), new Float64Array([0, 4, 4]), {
    rowLengths: new Float64Array([4, 0, 1]),
  })
  t.true(m.ragged())
  t.deepEqual([m.rows(), m.cols(), m.nbytes()], [3, 4, 5])
  t.deepEqual(m.rowLengths(), [4, 0, 1])
  t.is(m.get(2, 0), 9)
  throwsCode(t, () => m.get(2, 1), 'ERR_OUT_OF_BOUNDS', 'index out of bounds on dimension 2')
  throwsCode(t, () => m.setNumber(1, 0, 5), 'ERR_OUT_OF_BOUNDS', 'index out of bounds on dimension 2')
  throwsCode(t, () => m.get(3, 0), 'ERR_OUT_OF_BOUNDS', 'index out of bounds on dimension 1')
  throwsCode(t, () => m.requireRectangle(), 'ERR_RAGGED', 'rows have different lengths')
  const other = NativeMatrix.overJsMemory(f, 4, [new Uint8Array(12)], new Uint32Array(3), new Float64Array([0, 4, 8]))
  throwsCode(t, () => other.copyMatrix(m, { into: true }), 'ERR_RAGGED', 'rows have different lengths')
  throwsCode(t, () => NativeMatrix.subMatrix(m, 0, 2, 0, 0), 'ERR_RAGGED')
  const y = NativeMatrix.subMatrix(m, 0, 1, 1, 3)
  t.deepEqual([y.rows(), y.cols(), y.get(0, 0)], [1, 2, 2])
  throwsCode(t, () => NativeMatrix.subMatrix(m, 2, 3, 0, 2), 'ERR_OUT_OF_BOUNDS', 'sub-matrix outside the matrix')
  // A row reaching past its buffer, and a bad length.
  throwsCode(
    t,
    () => NativeMatrix.overJsMemory(f, 0, [bytes], new Uint32Array(1), new Float64Array([5]), { rowLengths: new Float64Array([2]) }),
    'ERR_INVALID_ARGUMENT',
  )
  throwsCode(
    t,
    () => NativeMatrix.overJsMemory(f, 0, [bytes], new Uint32Array(1), new Float64Array([0]), { rowLengths: new Float64Array([1.5]) }),
    'ERR_INVALID_SHAPE',
  )
  throwsCode(
    t,
    () => NativeMatrix.overJsMemory(f, 0, [bytes], new Uint32Array(1), new Float64Array([0]), { rowLengths: new Float64Array([1, 1]) }),
    'ERR_INVALID_ARGUMENT',
  )
})

test('NULL-terminated tables: native code reads the NULL after the last row; rows and rowPointers do not count it', (t) => {
  const lib = testlib()
  const f = NativeFormat.parse('B')
  const bytes = new Uint8Array(8)
  const m = NativeMatrix.overJsMemory(f, 4, [bytes], new Uint32Array(2), new Float64Array([0, 4]), { nullTerminated: true })
  t.true(m.nullTerminated())
  t.is(m.rows(), 2)
  t.is(m.rowPointers().length, 2)
  t.is(lib.row_at(m.pointer(), 1), m.rowPointer(1))
  // koffi returns a NULL pointer as null.
  t.is(lib.row_at(m.pointer(), 2) as bigint | null, null)
  const empty = NativeMatrix.fromRowPointers(new BigUint64Array(0), 0, 3, f, { nullTerminated: true })
  t.is(lib.row_at(empty.pointer(), 0) as bigint | null, null)
  const ragged = NativeMatrix.fromRowPointers(m.rowPointers(), 2, 0, f, { rowLengths: new Float64Array([4, 1]), nullTerminated: true })
  t.deepEqual([ragged.rowLengths(), lib.row_at(ragged.pointer(), 2) as bigint | null], [[4, 1], null])
  // An in-place table is the caller's: it cannot grow a terminator.
  throwsCode(t, () => NativeMatrix.fromTable(m.pointer(), 2, 4, f, { nullTerminated: true }), 'ERR_INVALID_ARGUMENT')
})

test('fromStringArray wraps a char ** up to its NULL entry or count, measuring strlen + 1 per row', (t) => {
  const f = NativeFormat.parse('B')
  const strings = ['héllo', '', 'wörld ✓']
  const encoded = strings.map((s) => new TextEncoder().encode(`${s}\0`))
  const owner = NativeMatrix.overJsMemory(f, 0, encoded, Uint32Array.from(encoded.keys()), new Float64Array(encoded.length), {
    rowLengths: Float64Array.from(encoded, (e) => e.length),
    nullTerminated: true,
  })
  const wrapped = NativeMatrix.fromStringArray(owner.pointer())
  t.deepEqual(wrapped.rowLengths(), [7, 1, 11])
  t.true(wrapped.inPlace())
  t.true(wrapped.nullTerminated())
  t.deepEqual(wrapped.toStrings(), strings)
  const two = NativeMatrix.fromStringArray(owner.pointer(), 2)
  t.deepEqual([two.rows(), two.nullTerminated(), two.toStrings()], [2, false, strings.slice(0, 2)])
  throwsCode(t, () => NativeMatrix.fromStringArray(owner.pointer(), 4), 'ERR_NULL_POINTER')
  throwsCode(t, () => NativeMatrix.fromStringArray(0n), 'ERR_NULL_POINTER')
  throwsCode(t, () => NativeMatrix.fromStringArray(owner.pointer(), -1), 'ERR_INVALID_SHAPE')
  throwsCode(
    t,
    () => NativeMatrix.overJsMemory(NativeFormat.parse('d'), 1, [new Float64Array(1)], new Uint32Array(1), new Float64Array(1)).toStrings(),
    'ERR_FORMAT_UNSUPPORTED',
  )
})
