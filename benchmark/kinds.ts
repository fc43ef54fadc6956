// Every kind of matrix the package makes, in any scalar format: what the warm-up exercises and what the
// element and native-call cases measure. Also the C test library (crates/testlib) through koffi.

import { BufferCollection2D, type Indirect2D, IndirectMemory2D } from 'indirect-buffer'
import koffi from 'koffi'
import { testLibraryPath } from '../examples/testlib'

export type Matrix = Indirect2D<string>

export interface TestLibrary {
  /** `double sum2d(double **, size_t, size_t)`: koffi takes a bigint as the address, and builds a temporary
   * `double*[]` from an Array of Float64Array on every call. */
  sum2d(table: bigint | Float64Array[], rows: number, cols: number): number
  /** `row_at(table, r)`: reads one row pointer, so a call costs the call plus producing the `T**`. A
   * BigUint64Array is passed as a pointer to its data (a prebuilt table: koffi's fastest path). */
  rowAt(table: bigint | BigUint64Array | Float64Array[], r: number): bigint
  /** A zeroed native `double**` of rows×cols (one allocation per row); free it with `free2d`. */
  make2d(rows: number, cols: number): bigint
  free2d(table: bigint, rows: number, cols: number): void
}

let library: TestLibrary | undefined

export function testLibrary(): TestLibrary {
  if (library) return library
  const lib = koffi.load(testLibraryPath)
  library = {
    sum2d: lib.func('double sum2d(double **table, size_t rows, size_t cols)') as TestLibrary['sum2d'],
    rowAt: lib.func('const double *row_at(const double **table, size_t r)') as TestLibrary['rowAt'],
    make2d: lib.func('double **make2d(size_t rows, size_t cols)') as TestLibrary['make2d'],
    free2d: lib.func('void free2d(double **table, size_t rows, size_t cols)') as TestLibrary['free2d'],
  }
  return library
}

export function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`benchmark self-check failed: ${message}`)
}

type ArrayCtor = new (length: number) => ArrayLike<number | bigint> & { [i: number]: number | bigint }

const hasFloat16 = typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'function'

/**
 * The formats the warm-up uses (≥ 8, as an application mixing image, audio and numeric data would): each
 * with the typed array that holds its bytes and whether that array is the format's own (a collection needs
 * row objects of its format; '?', 'e' without Float16Array, and '>d' are views with a format override).
 */
export const FORMATS: { format: string; Array: ArrayCtor; own: boolean }[] = [
  { format: 'd', Array: Float64Array, own: true },
  { format: 'f', Array: Float32Array, own: true },
  { format: 'i', Array: Int32Array, own: true },
  { format: 'I', Array: Uint32Array, own: true },
  { format: 'h', Array: Int16Array, own: true },
  { format: 'H', Array: Uint16Array, own: true },
  { format: 'B', Array: Uint8Array, own: true },
  { format: 'b', Array: Int8Array, own: true },
  { format: 'q', Array: BigInt64Array as unknown as ArrayCtor, own: true },
  { format: '?', Array: Uint8Array, own: false },
  hasFloat16
    ? { format: 'e', Array: (globalThis as unknown as { Float16Array: ArrayCtor }).Float16Array, own: true }
    : { format: 'e', Array: Uint16Array, own: false },
  { format: '>d', Array: Float64Array, own: false },
]

/** A value of the format for element `k` (bigint for 64-bit integers, boolean for '?'). */
export function valueFor(format: string, k: number): number | bigint | boolean {
  if (format === 'q') return BigInt(k % 100)
  if (format === '?') return (k & 1) === 1
  return k % 100
}

export const KINDS = ['owned', 'row view', 'column view', 'collection', 'sub-matrix', 'fromPointer', 'fromRowPointers'] as const
export type Kind = (typeof KINDS)[number]

/** A matrix and how to give back everything made for it. */
export interface Made {
  m: Matrix
  release(): void
}

/** Whether `kind` can be made in `format` (a collection needs row objects of that very format). */
export function supports(kind: Kind, format: string): boolean {
  const f = FORMATS.find((x) => x.format === format)
  return f !== undefined && (kind !== 'collection' || f.own)
}

/** A rows×cols matrix of `kind` in `format`, zero-filled (collections: one typed array per row). */
export function make(kind: Kind, format: string, rows: number, cols: number): Made {
  const f = FORMATS.find((x) => x.format === format)
  if (!f) throw new Error(`no typed array for format ${format}`)
  const override = f.own ? undefined : { format }
  const itemsize = (f.Array as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
  switch (kind) {
    case 'owned': {
      const m = IndirectMemory2D.createMemory({ rows, cols, format })
      return { m, release: () => m.release() }
    }
    case 'row view': {
      const m = IndirectMemory2D.viewFromRows({ data: new f.Array(rows * cols) as never, shape: [rows, cols], stride: [cols, 1] }, override)
      return { m, release: () => m.release() }
    }
    case 'column view': {
      // Contiguous columns of a [cols, rows] source: the view is its transpose, rows×cols.
      const m = IndirectMemory2D.viewFromColumns(
        { data: new f.Array(rows * cols) as never, shape: [cols, rows], stride: [1, cols] },
        override,
      )
      return { m, release: () => m.release() }
    }
    case 'collection': {
      const m = new BufferCollection2D(
        Array.from({ length: rows }, () => new f.Array(cols) as never),
        { format },
      )
      return { m, release: () => m.release() }
    }
    case 'sub-matrix': {
      const parent = IndirectMemory2D.createMemory({ rows: rows + 2, cols: cols + 2, format })
      const m = parent.subMatrix(1, rows + 1, 1, cols + 1)
      // Releasing the parent releases its sub-matrices.
      return { m, release: () => parent.release() }
    }
    case 'fromPointer':
    case 'fromRowPointers': {
      const lib = testLibrary()
      const doubles = Math.ceil((cols * itemsize) / 8)
      const table = lib.make2d(rows, doubles)
      const base = IndirectMemory2D.fromPointer(table, rows, cols, format, { free: (a) => lib.free2d(a, rows, doubles) })
      if (kind === 'fromPointer') return { m: base, release: () => base.release() }
      const m = IndirectMemory2D.fromRowPointers(base.rowPointers(), cols, format, { owner: base })
      return {
        m,
        release: () => {
          m.release()
          base.release()
        },
      }
    }
  }
}

/** Fills a rows×cols 'd' matrix and a Float64Array of the same shape with the same values. */
export function fillBoth(m: Matrix, flat: Float64Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = ((r * cols + c) % 97) * 0.5
      m.set(r, c, v as never)
      flat[r * cols + c] = v
    }
  }
}
