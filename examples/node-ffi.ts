// Node's built-in FFI (node:ffi, on by default from Node 26) calling C with a matrix's T**.
//
//   npm run build && npm run build:testlib
//   npx tsx examples/node-ffi.ts            # Node 26+
//
// Under the permission model the package needs --allow-addons (it is a Node-API addon) and node:ffi needs
// --allow-ffi, plus read access (here everywhere, since tsx reads outside the project too):
//   node --permission --allow-fs-read='*' --allow-addons --allow-ffi --import tsx examples/node-ffi.ts

import { IndirectMemory2D } from 'indirect-buffer'
import { testLibraryPath } from './testlib'

/** What this example uses of node:ffi (@types/node 20 has no types for it). */
interface NodeFfi {
  dlopen(
    path: string,
    definitions: Record<string, { arguments: string[]; return: string }>,
  ): { lib: { close(): void }; functions: Record<string, (...args: never[]) => unknown> }
}

let ffi: NodeFfi
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ffi = require('node:ffi') as NodeFfi
} catch {
  console.log(`node:ffi is not available in Node ${process.version} (it is on by default from Node 26)`)
  process.exit(2)
}

// `pointer` arguments take a matrix's bigint address as it is; pointer results come back as bigints.
const { lib, functions } = ffi.dlopen(testLibraryPath, {
  sum2d: { arguments: ['pointer', 'u64', 'u64'], return: 'f64' },
  fill2d: { arguments: ['pointer', 'u64', 'u64', 'f64'], return: 'void' },
  make2d: { arguments: ['u64', 'u64'], return: 'pointer' },
  free2d: { arguments: ['pointer', 'u64', 'u64'], return: 'void' },
})
const sum2d = functions.sum2d as (table: bigint, rows: number, cols: number) => number
const fill2d = functions.fill2d as (table: bigint, rows: number, cols: number, value: number) => void
const make2d = functions.make2d as (rows: number, cols: number) => bigint
const free2d = functions.free2d as (table: bigint, rows: number, cols: number) => void

// 1. A matrix made in JS, handed to C.
{
  using m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' })
  m.row(0).set([1, 2, 3])
  m.set(1, -1, 10)
  console.log(`sum2d(m.pointer) = ${sum2d(m.pointer, 2, 3)}`) // 16
  fill2d(m.pointer, 2, 3, 0.5)
  console.log('after fill2d:', m.toArray()) // C's writes, seen without a copy
}

// 2. A double** that C allocated, wrapped in place; the nanny hands it back to C's free function.
{
  const rows = 3
  const cols = 2
  using native = IndirectMemory2D.fromPointer(make2d(rows, cols), rows, cols, 'd', {
    free: (address) => free2d(address, rows, cols),
  })
  native.set(2, 1, 42)
  console.log(`C-allocated ${native.shape.join('x')}: sum2d = ${sum2d(native.pointer, rows, cols)}`) // 42
} // `using`: released here, so free2d has run

lib.close()
