// indirect-buffer in one minute: a matrix made in JS, read and written by native code through its T**.
//
//   npm run demo

import { IndirectMemory2D } from 'indirect-buffer'
import { fill2d, sum2d } from './testlib'

const rows = 3
const cols = 4

// An owned 3×4 matrix of doubles: data in one JS ArrayBuffer, the row-pointer table native.
using mem = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })

// Fill it from JS, element by element and through a zero-copy row view.
for (let c = 0; c < cols; c++) mem.set(0, c, c + 1)
mem.row(1).set([10, 20, 30, 40])
mem.set(-1, -1, 0.5) // negative indices count from the end

console.log(`matrix ${mem.shape.join('×')} of ${mem.dtype}, T** at 0x${mem.pointer.toString(16)}`)
console.log('filled from JS:', mem.toArray())

// Native code reads it through the double** it is given.
const jsSum = mem
  .toArray()
  .flat()
  .reduce<number>((a, b) => a + Number(b), 0)
const nativeSum = sum2d(mem.pointer, rows, cols)
console.log(`native sum2d(mem.pointer) = ${nativeSum} (JS sum ${jsSum})`)
if (nativeSum !== jsSum) throw new Error('native code did not see what JS wrote')

// Native code writes into it, and JS sees the writes without a copy.
const view = mem.row(2)
fill2d(mem.pointer, rows, cols, 100)
console.log('after native fill2d(mem.pointer, 100):', mem.toArray())
console.log('the row view taken before the call sees the native writes too:', Array.from(view))
if (mem.get(2, 3) !== 100 + 2 * cols + 3 || view[3] !== mem.get(2, 3)) throw new Error('JS did not see what native code wrote')
console.log('ok: JS and native code share the same memory, zero-copy')
