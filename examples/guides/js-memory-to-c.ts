// The samples of docs/guides/js-memory-to-c.md: JavaScript memory handed to C as a `double**`.
//
//   npx tsx examples/guides/js-memory-to-c.ts

import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import { testLibraryPath } from '../testlib'
import { check, fill2d, rowAt, sum2d } from './testlib'

// --- createMemory
const m = IndirectMemory2D.createMemory({ rows: 3, cols: 4, format: 'd' })
m.set(0, 0, 1.5) // one element
m.row(1).set([1, 2, 3, 4]) // row 1 as a Float64Array over the matrix's memory
check(sum2d(m.pointer, m.rows, m.cols) === 11.5, 'C sums what JS wrote')
fill2d(m.pointer, m.rows, m.cols, 0) // C writes element (r, c) = r * 4 + c
check(m.get(2, 3) === 11 && m.row(1)[0] === 4, 'JS reads what C wrote, without a copy')
m.release() // the memory goes back now; later use throws ERR_RELEASED
// --- end

// --- viewFromRows
const pixels = new Float64Array(4 * 6).map((_, i) => i) // a 4×6 image, row-major, in one array
const image = IndirectMemory2D.viewFromRows({ data: pixels, shape: [4, 6], stride: [6, 1] })
check(sum2d(image.pointer, 4, 6) === 276, 'a view of an ndarray-like is a double** over the same memory')

const everyOther = IndirectMemory2D.viewFromRows({ data: pixels, shape: [2, 6], stride: [12, 1] })
fill2d(everyOther.pointer, 2, 6, -100) // C writes rows 0 and 2 of the image only
check(pixels[0] === -100 && pixels[6] === 6 && pixels[12] === -94, 'rows may be any distance apart')

const whole = IndirectMemory2D.viewFromRows(new Float64Array([1, 2, 3])) // a 1-D array is one row
check(whole.shape[0] === 1 && whole.shape[1] === 3, 'a 1-D source is shape [1, n]')
// --- end

// --- viewFromColumns
// A 3×2 matrix stored column by column (Fortran order): [a00, a10, a20, a01, a11, a21].
const fortran = new Float64Array([1, 2, 3, 10, 20, 30])
const t = IndirectMemory2D.viewFromColumns({ data: fortran, shape: [3, 2], stride: [1, 3] })
check(t.rows === 2 && t.cols === 3 && t.get(1, 0) === 10, 'viewFromColumns gives the transpose: one row per column')
check(sum2d(t.pointer, t.rows, t.cols) === 66, 'C sees each column as a contiguous row')
// --- end

// --- BufferCollection2D
const left = new Float64Array(512)
const right = new Float64Array(512)
const channels = new BufferCollection2D([left, right]) // planar audio: a double** of two channels
fill2d(channels.pointer, 2, 512, 0)
check(left[1] === 1 && right[0] === 512, 'each row is the channel array itself')

for (let at = 0; at < 512; at += 128) {
  const block = channels.subMatrix(0, 2, at, at + 128) // its own table: rows start at column `at`
  sum2d(block.pointer, 2, 128)
}
check(sum2d(channels.subMatrix(0, 2, 510).pointer, 2, 2) === 510 + 511 + 1022 + 1023, 'a sub-matrix is the T** of a block')
// --- end

// --- rowPointers
const table = channels.rowPointers() // a new BigUint64Array of the row addresses
check(table.length === 2 && channels.rowPointer(1) === table[1], 'rowPointer(i) is entry i of the table')
check(rowAt(channels.pointer, 1) === table[1], 'C reads the same address from the T**')
const address = channels.pointer
channels.subMatrix(0, 1) // nothing done to the matrix changes its table's address
check(channels.pointer === address, 'pointer is the same bigint for the life of the matrix')
// --- end

// --- readonly
const constants = IndirectMemory2D.viewFromRows(new Float64Array([1, 2, 3]), { readonly: true })
check(sum2d(constants.pointer, 1, 3) === 6, 'a read-only matrix still has a pointer, for C functions that only read')
// --- end

// --- node:ffi
// Node 26 and later ship node:ffi, which takes a matrix's pointer as a 'pointer' argument.
type NodeFfi = {
  dlopen(path: string, defs: object): { functions: { sum2d(p: bigint, rows: bigint, cols: bigint): number } }
}
let ffi: NodeFfi | undefined
try {
  ffi = require('node:ffi') as NodeFfi
} catch {
  console.log(`(node:ffi skipped: not in Node ${process.version})`)
}
if (ffi !== undefined) {
  const { functions } = ffi.dlopen(testLibraryPath, {
    sum2d: { arguments: ['pointer', 'u64', 'u64'], return: 'f64' },
  })
  check(functions.sum2d(image.pointer, 4n, 6n) === sum2d(image.pointer, 4, 6), 'node:ffi passes the same T**')
}
// --- end

console.log('js-memory-to-c: all checks passed')
