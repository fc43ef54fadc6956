// Every public member, checked by `tsc` (npm run typecheck) and run by the test suite: the generated
// typings must describe what the package does. `@ts-expect-error` lines prove misuse is rejected.

import assert from 'node:assert/strict'
import {
  BufferCollection2D,
  type BufferCollectionOptions,
  type BufferExport,
  type CopyOptions,
  type ErrorCode,
  type Indirect2D,
  type IndirectBufferError,
  IndirectMemory2D,
  type NdarrayLike,
  type ViewOptions,
} from 'indirect-buffer'

// Literal formats give precise row and element types.
const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd', readonly: false, shared: false })
const row: Float64Array = m.row(0)
const rows: Float64Array[] = m.rowViews()
const x: number = m.get(0, 0)
m.set(1, 2, 4.5)
const ints = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'q' })
const big: bigint = ints.get(0, 0)
ints.set(0, 1, 5n)
ints.set(0, 1, 5)
const bools = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: '?' })
const flagValue: boolean = bools.get(0, 0)
const bytes: Uint8Array = bools.row(0)

// Misuse the compiler must reject (never called: these lines exist for tsc).
function misuse(): void {
  // @ts-expect-error a float64 element takes a number
  m.set(0, 0, 'one')
  // @ts-expect-error a float64 row is not an Int32Array
  const wrong: Int32Array = m.row(0)
  // @ts-expect-error rows is required
  IndirectMemory2D.createMemory({ cols: 1, format: 'd' })
  // @ts-expect-error matrices are made by the static constructors
  new IndirectMemory2D()
  // @ts-expect-error an int64 element is read as a bigint
  const n: number = ints.get(0, 0)
  void [wrong, n]
}

// Ragged tables, string tables and NULL-terminated tables.
const planes = IndirectMemory2D.createRagged({ rowLengths: [4, 1, 1], format: 'B', nullTerminated: true })
const planeLengths: number[] = planes.rowLengths()
const firstPlane: number = planes.rowLength(0)
const planeFlags: [boolean, boolean] = [planes.ragged, planes.nullTerminated]
const words = IndirectMemory2D.fromStrings(['typed', 'strings'], { nullTerminated: true, readonly: false })
const texts: string[] = words.toStrings()
const again = IndirectMemory2D.fromStringArray(words.pointer, { count: 2, owner: words })
const textsAgain: string[] = again.toStrings()
const raggedChannels = new BufferCollection2D([new Float32Array(3), new Float32Array(5)], { ragged: true, format: 'f' })
const channelRow: Float32Array = raggedChannels.row(1)
const sum: Promise<number> = planes.withPointer(async (p: bigint) => Number(p & 0n), { writable: true })
assert.deepEqual(planeLengths, [4, 1, 1])
assert.deepEqual(textsAgain, ['typed', 'strings'])
const byteRows: string[] = new BufferCollection2D([Uint8Array.of(104, 105)], { format: 'B' }).subMatrix(0, 1, 0, 2).toStrings()
assert.deepEqual(byteRows, ['hi'])
function raggedMisuse(): void {
  // @ts-expect-error columnCount is a number
  new BufferCollection2D([new Float32Array(1)], { ragged: true, columnCount: 'x' })
  // @ts-expect-error toStrings() decodes byte rows only
  raggedChannels.toStrings()
  // @ts-expect-error a format known only at run time may not be a byte format
  dyn.toStrings()
}

// A format known only at run time gives the unions.
const dynamicFormat: string = process.argv.includes('--int') ? 'i' : 'd'
const dyn = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: dynamicFormat })
const anyValue: number | bigint | boolean = dyn.get(0, 0)

// Shape, format and state.
const shape: [number, number] = m.shape
const info: [number, number, string, string, 'little' | 'big', number, number, boolean, boolean, boolean] = [
  m.rows,
  m.cols,
  m.format,
  m.dtype,
  m.byteOrder,
  m.itemsize,
  m.nbytes,
  m.readonly,
  m.released,
  m.locked,
]

// Addresses for native code.
const p: bigint = m.pointer
const r0: bigint = m.rowPointer(0)
const all: BigUint64Array = m.rowPointers()
const rb: Uint8Array = m.rowBytes(0)

// Copies out.
const nested: number[][] = m.toArray()
const flat = m.toTypedArray({ order: 'F' })

// Exports and locks.
{
  using ex: BufferExport = m.acquire({ writable: true })
  const fields: [bigint, number, number, string, number, boolean] = [ex.pointer, ex.rows, ex.cols, ex.format, ex.itemsize, ex.readonly]
  assert.equal(m.locked, true)
  assert.equal(fields[0], p)
}
assert.equal(m.locked, false)
m.acquire().release()
m.reinterpretData('B')
assert.equal(m.cols, 24)
m.makeReadOnly()

// The shared base class types functions that take either class.
function describeMatrix(mat: Indirect2D): string {
  return `${mat.rows}×${mat.cols} ${mat.dtype}`
}

// Errors carry a stable code.
try {
  m.set(0, 0, 1)
} catch (e) {
  const err = e as IndirectBufferError
  const code: ErrorCode = err.code
  assert.equal(code, 'ERR_READONLY')
}

{
  using scoped = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'float32' })
  const f32: Float32Array = scoped.row(0)
  assert.equal(f32.length, 1)
}
// Views of JS memory.
const data = new Float64Array(12)
const nd: NdarrayLike = { data, shape: [3, 4], stride: [4, 1], offset: 0 }
const viewOptions: ViewOptions<'d'> = { readonly: false, format: 'd' }
const byRows = IndirectMemory2D.viewFromRows(nd, viewOptions)
const byRowsRow: Float64Array = byRows.row(0)
const byColumns = IndirectMemory2D.viewFromColumns({ data, shape: [4, 3], strides: [1, 4] })
const oneRow = IndirectMemory2D.viewFromRows(new Int32Array(4))
const regrouped = IndirectMemory2D.viewFromRows(new Uint8Array(16), { format: 'd' })
assert.deepEqual(
  [byColumns.shape, oneRow.shape, regrouped.shape],
  [
    [3, 4],
    [1, 4],
    [1, 2],
  ],
)

// Collections of row objects.
const collectionOptions: BufferCollectionOptions<'f'> = { columnCount: 2, format: 'f', unravel: true }
const channels = new BufferCollection2D([new Float32Array(2), new Float32Array(2)], collectionOptions)
const left: Float32Array = channels.row(0)
const block = channels.subMatrix(0, 2, 1, 2)
assert.deepEqual(block.shape, [2, 1])
const any2d: Indirect2D = channels

// Copies.
const copyOptions: CopyOptions = { cast: false, convert: true }
byRows.copyFrom([
  [1, 2, 3, 4],
  [5, 6, 7, 8],
  [9, 10, 11, 12],
])
const int32 = IndirectMemory2D.createMemory({ rows: 3, cols: 4, format: 'i' })
int32.copyFrom(byRows, copyOptions)
int32.copyTo({ data: new Int32Array(12), shape: [3, 4], stride: [1, 3] })
int32.copyTo([new Int32Array(4), new Int32Array(4), new Int32Array(4)])
assert.equal(int32.get(2, 3), 12)

// Native memory (here: the rows of a JS matrix stand in for memory a C library owns).
const owner = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
let freed = 0
const wrapped = IndirectMemory2D.fromPointer(owner.pointer, 2, 2, 'd', {
  readonly: false,
  owner,
  free: (address: bigint) => void (freed += Number(address > 0n)),
})
const rowsTable = IndirectMemory2D.fromRowPointers(owner.rowPointers(), 2, 'd', {
  rows: 2,
  owner,
  free: (table: BigUint64Array) => void table,
})
wrapped.set(0, 0, 1)
assert.equal(rowsTable.get(0, 0), 1)
wrapped.release()
rowsTable.release()
assert.equal(freed, 1)

m.release()
m[Symbol.dispose]()

void [
  misuse,
  byRowsRow,
  left,
  any2d,
  row,
  rows,
  x,
  big,
  flagValue,
  bytes,
  anyValue,
  shape,
  info,
  r0,
  all,
  rb,
  nested,
  flat,
  describeMatrix(dyn),
  firstPlane,
  planeFlags,
  texts,
  channelRow,
  sum,
  raggedMisuse,
]
console.log('typings example ran: every member used')
