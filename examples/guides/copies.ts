// The samples of docs/guides/copies.md: copying into and out of matrices, with strides, casts and conversions.
//
//   npx tsx examples/guides/copies.ts

import { IndirectMemory2D } from 'indirect-buffer'
import { check, errorCode } from './testlib'

// --- copyFrom and copyTo
const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
m.copyFrom([
  [1, 2, 3],
  [4, 5, 6],
]) // an array of rows of plain values
const out = [new Float64Array(3), new Float64Array(3)]
m.copyTo(out) // an array of typed-array rows
check(out[1][2] === 6, 'copyTo fills typed-array rows')

const other = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
other.copyFrom(m) // matrix to matrix
check(other.get(0, 1) === 2, 'copyFrom another matrix')
// --- end

// --- strides
// The same 2×3 values stored column by column: strides in elements, [1, 2] for a column-major 2×3.
const columnMajor = new Float64Array([1, 4, 2, 5, 3, 6])
other.copyFrom({ data: columnMajor, shape: [2, 3], stride: [1, 2] })
check(other.get(1, 0) === 4 && other.get(0, 2) === 3, 'a column-major source is transposed while copying')

const flipped = new Float64Array(6)
m.copyTo({ data: flipped, shape: [2, 3], stride: [-3, 1], offset: 3 }) // rows in reverse order
check(flipped[0] === 4 && flipped[3] === 1, 'negative strides and an offset address the target')
// --- end

// --- convert and cast
const bytes = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'B' })
const wide = IndirectMemory2D.viewFromRows(new Float64Array([3.7, -1, 256]))
check(errorCode(() => bytes.copyFrom(wide)) === 'ERR_FORMAT_MISMATCH', 'different formats need an option')
bytes.copyFrom(wide, { convert: true }) // values converted as Uint8Array.prototype.set converts them
check(bytes.toArray()[0].join() === '3,255,0', 'convert: truncation and wrap-around, as TypedArray.set')

const signed = IndirectMemory2D.viewFromRows(new Int8Array([-1, 2, -128]))
bytes.copyFrom(signed, { cast: true }) // the same bytes, reinterpreted
check(bytes.toArray()[0].join() === '255,2,128', 'cast copies raw bytes between formats of one itemsize')
check(errorCode(() => bytes.copyFrom(wide, { cast: true })) === 'ERR_ITEMSIZE_MISMATCH', 'cast needs equal itemsizes')

const wire = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: '>d' })
wire.copyFrom(m, { convert: true }) // byte-swapped for a big-endian protocol
check(wire.get(1, 1) === 5, 'non-native byte orders convert too')
// --- end

// --- toTypedArray and toArray
const c = m.toTypedArray() // a new Float64Array, row after row
const f = m.toTypedArray({ order: 'F' }) // column after column
check(c.join() === '1,2,3,4,5,6' && f.join() === '1,4,2,5,3,6', "toTypedArray in 'C' and 'F' order")
check(JSON.stringify(m.toArray()) === '[[1,2,3],[4,5,6]]', 'toArray gives nested arrays')
// --- end

// --- checks
const small = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format: 'd' })
check(errorCode(() => small.copyFrom(m)) === 'ERR_SHAPE_MISMATCH', 'shapes must be equal')
const frozen = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd', readonly: true })
check(errorCode(() => frozen.copyFrom(m)) === 'ERR_READONLY', 'a read-only target is refused first')
check(frozen.toArray()[0][0] === 0, 'a refused copy changes nothing')
// --- end

console.log('copies: all checks passed')
