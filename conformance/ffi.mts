// The C test library (crates/testlib, `npm run build:testlib`) through each FFI this runtime has: its own
// (node:ffi where present, bun:ffi, Deno.dlopen) and koffi where it loads. Every adapter takes and returns
// addresses as bigints, the way the package gives and takes them.

import { createRequire } from 'node:module'
import process from 'node:process'
import { fileURLToPath } from 'node:url'

export interface CLib {
  /** Which FFI this is, for case names. */
  readonly via: string
  sum2d(table: bigint, rows: number, cols: number): number
  fill2d(table: bigint, rows: number, cols: number, value: number): void
  make2d(rows: number, cols: number): bigint
  free2d(table: bigint, rows: number, cols: number): void
  live2d(): number
  /** `scale2d_slow` off the JS thread, where this FFI can call asynchronously. */
  scaleAsync?: (table: bigint, rows: number, cols: number, factor: number, sleepMs: number) => Promise<number>
}

const file =
  process.platform === 'win32'
    ? 'indirect_buffer_testlib.dll'
    : process.platform === 'darwin'
      ? 'libindirect_buffer_testlib.dylib'
      : 'libindirect_buffer_testlib.so'

export const libraryPath = fileURLToPath(new URL(`../target/release/${file}`, import.meta.url))

const require = createRequire(import.meta.url)

type Fn = (...args: never[]) => unknown

function nodeFfi(): CLib | string {
  let ffi: { dlopen(path: string, defs: Record<string, { arguments: string[]; return: string }>): { functions: Record<string, Fn> } }
  try {
    ffi = require('node:ffi') as typeof ffi
  } catch {
    return `node:ffi is absent in Node ${process.version}`
  }
  const f = ffi.dlopen(libraryPath, {
    sum2d: { arguments: ['pointer', 'u64', 'u64'], return: 'f64' },
    fill2d: { arguments: ['pointer', 'u64', 'u64', 'f64'], return: 'void' },
    make2d: { arguments: ['u64', 'u64'], return: 'pointer' },
    free2d: { arguments: ['pointer', 'u64', 'u64'], return: 'void' },
    live2d: { arguments: [], return: 'u64' },
  }).functions as unknown as Record<string, (...args: unknown[]) => unknown>
  return {
    via: 'node:ffi',
    sum2d: (p, r, c) => f.sum2d!(p, r, c) as number,
    fill2d: (p, r, c, v) => void f.fill2d!(p, r, c, v),
    make2d: (r, c) => BigInt(f.make2d!(r, c) as bigint),
    free2d: (p, r, c) => void f.free2d!(p, r, c),
    live2d: () => Number(f.live2d!()),
  }
}

async function bunFfi(): Promise<CLib> {
  const specifier = 'bun:ffi'
  const { dlopen } = (await import(specifier)) as {
    dlopen(
      path: string,
      defs: Record<string, { args: string[]; returns: string }>,
    ): { symbols: Record<string, (...args: unknown[]) => unknown> }
  }
  const f = dlopen(libraryPath, {
    sum2d: { args: ['ptr', 'u64', 'u64'], returns: 'f64' },
    fill2d: { args: ['ptr', 'u64', 'u64', 'f64'], returns: 'void' },
    make2d: { args: ['u64', 'u64'], returns: 'ptr' },
    free2d: { args: ['ptr', 'u64', 'u64'], returns: 'void' },
    live2d: { args: [], returns: 'u64' },
  }).symbols
  // bun:ffi takes a bigint for 'ptr' and returns pointers as numbers.
  return {
    via: 'bun:ffi',
    sum2d: (p, r, c) => f.sum2d!(p, r, c) as number,
    fill2d: (p, r, c, v) => void f.fill2d!(p, r, c, v),
    make2d: (r, c) => BigInt(f.make2d!(r, c) as number),
    free2d: (p, r, c) => void f.free2d!(p, r, c),
    live2d: () => Number(f.live2d!()),
  }
}

interface DenoFfi {
  dlopen(
    path: string,
    defs: Record<string, { parameters: string[]; result: string; nonblocking?: boolean }>,
  ): {
    symbols: Record<string, (...args: unknown[]) => unknown>
  }
  UnsafePointer: { create(value: bigint): unknown; value(pointer: unknown): bigint | number }
}

function denoFfi(deno: DenoFfi): CLib {
  const f = deno.dlopen(libraryPath, {
    sum2d: { parameters: ['pointer', 'usize', 'usize'], result: 'f64' },
    fill2d: { parameters: ['pointer', 'usize', 'usize', 'f64'], result: 'void' },
    make2d: { parameters: ['usize', 'usize'], result: 'pointer' },
    free2d: { parameters: ['pointer', 'usize', 'usize'], result: 'void' },
    live2d: { parameters: [], result: 'usize' },
    scale2d_slow: { parameters: ['pointer', 'usize', 'usize', 'f64', 'u32'], result: 'f64', nonblocking: true },
  }).symbols
  // Deno.dlopen wants pointer objects: UnsafePointer.create(address) in, UnsafePointer.value(pointer) out.
  const ptr = (address: bigint): unknown => deno.UnsafePointer.create(address)
  return {
    via: 'Deno.dlopen',
    sum2d: (p, r, c) => f.sum2d!(ptr(p), r, c) as number,
    fill2d: (p, r, c, v) => void f.fill2d!(ptr(p), r, c, v),
    make2d: (r, c) => BigInt(deno.UnsafePointer.value(f.make2d!(r, c))),
    free2d: (p, r, c) => void f.free2d!(ptr(p), r, c),
    live2d: () => Number(f.live2d!()),
    scaleAsync: (p, r, c, factor, ms) => f.scale2d_slow!(ptr(p), r, c, factor, ms) as Promise<number>,
  }
}

async function koffiLib(): Promise<CLib | string> {
  type Koffi = { load(path: string): { func(signature: string): ((...args: unknown[]) => unknown) & { async(...args: unknown[]): void } } }
  let koffi: Koffi
  try {
    const mod = (await import('koffi')) as { default?: Koffi } & Koffi
    koffi = mod.default ?? mod
  } catch (error) {
    return `koffi does not load here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`
  }
  const lib = koffi.load(libraryPath)
  const sum2d = lib.func('double sum2d(const double **table, size_t rows, size_t cols)')
  const fill2d = lib.func('void fill2d(double **table, size_t rows, size_t cols, double value)')
  const make2d = lib.func('double **make2d(size_t rows, size_t cols)')
  const free2d = lib.func('void free2d(double **table, size_t rows, size_t cols)')
  const live2d = lib.func('size_t live2d()')
  const scale = lib.func('double scale2d_slow(double **table, size_t rows, size_t cols, double factor, uint32_t sleep_ms)')
  return {
    via: 'koffi',
    sum2d: (p, r, c) => sum2d(p, r, c) as number,
    fill2d: (p, r, c, v) => void fill2d(p, r, c, v),
    make2d: (r, c) => BigInt(make2d(r, c) as bigint),
    free2d: (p, r, c) => void free2d(p, r, c),
    live2d: () => Number(live2d()),
    scaleAsync: (p, r, c, factor, ms) =>
      new Promise((resolve, reject) => scale.async(p, r, c, factor, ms, (e: unknown, v: number) => (e ? reject(e) : resolve(v)))),
  }
}

/** The runtime's own FFI (or why there is none), then koffi (or why it does not load). */
export async function loadLibraries(): Promise<{ own: CLib | string; koffi: CLib | string }> {
  const deno = (globalThis as { Deno?: DenoFfi }).Deno
  const own = 'Bun' in globalThis ? await bunFfi() : deno !== undefined ? denoFfi(deno) : nodeFfi()
  return { own, koffi: await koffiLib() }
}
