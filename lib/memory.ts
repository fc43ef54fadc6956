// IndirectMemory2D: the matrix class and its constructors (each built by the module of its kind of memory).

import { Indirect2D, setViewFactory } from './matrix.js'
import {
  fromPointerInit,
  fromRowPointersInit,
  fromStringArrayInit,
  type NativeMemoryOptions,
  type RowPointersOptions,
  type StringArrayOptions,
} from './native-memory.js'
import {
  type CreateMemoryOptions,
  type CreateRaggedOptions,
  createMemoryInit,
  createRaggedInit,
  type FromStringsOptions,
  fromStringsInit,
} from './owned.js'
import type { Source2D } from './sources.js'
import type { Init } from './state.js'
import { type ViewOptions, viewInit } from './views.js'

export type { NativeMemoryOptions, RowPointersOptions, StringArrayOptions } from './native-memory.js'
export type { CreateMemoryOptions, CreateRaggedOptions, FromStringsOptions } from './owned.js'
export type { ViewOptions } from './views.js'

/** A 2-D indirect matrix: a table of row pointers (`T**`) over owned, borrowed or native memory. */
export class IndirectMemory2D<F extends string = string> extends Indirect2D<F> {
  private constructor(init: Init) {
    super(init)
  }

  static {
    setViewFactory((init) => new IndirectMemory2D(init))
  }

  /**
   * A new zero-filled matrix. Its data lives in one JS-owned ArrayBuffer (SharedArrayBuffer with
   * `shared: true`), rows aligned for the format, so row views are zero-copy in Node and in Electron;
   * the row-pointer table is native.
   */
  static createMemory<F extends string>(opts: CreateMemoryOptions<F>): IndirectMemory2D<F> {
    return new IndirectMemory2D<F>(createMemoryInit(opts))
  }

  /**
   * A new zero-filled ragged table: row `i` has `rowLengths[i]` elements (image planes of different sizes,
   * lists of different lengths). One JS-owned buffer, each row aligned for the format.
   */
  static createRagged<F extends string>(opts: CreateRaggedOptions<F>): IndirectMemory2D<F> {
    return new IndirectMemory2D<F>(createRaggedInit(opts))
  }

  /**
   * An owned `char **` of `strings`: each row the UTF-8 bytes of one string and a NUL (so `rowLength(i)` counts
   * the NUL), format `'B'`, with a NULL entry after the last row unless `nullTerminated: false`.
   */
  static fromStrings(strings: readonly string[], opts?: FromStringsOptions): IndirectMemory2D<'B'> {
    return new IndirectMemory2D<'B'>(fromStringsInit(strings, opts))
  }

  /**
   * A zero-copy view over memory JavaScript holds: a TypedArray, an ArrayBuffer or an ndarray-like object
   * (`{ data, shape, stride | strides, offset }`, in elements; negative strides too). Every row must be
   * contiguous; rows may be any distance apart. A 1-D source is one row (`[1, n]`). The view keeps the
   * source alive.
   */
  static viewFromRows<F extends string = string>(source: Source2D, opts?: ViewOptions<F>): IndirectMemory2D<F> {
    return new IndirectMemory2D<F>(viewInit(source, opts, false))
  }

  /**
   * Like `viewFromRows` for column-contiguous memory (column-major, Fortran order): the result is the
   * transpose, shape `[cols, rows]` of the source, one matrix row per source column.
   */
  static viewFromColumns<F extends string = string>(source: Source2D, opts?: ViewOptions<F>): IndirectMemory2D<F> {
    return new IndirectMemory2D<F>(viewInit(source, opts, true))
  }

  /**
   * Wraps a native `T**` (a table of `rows` row pointers, each at `cols` elements of `format`, or at
   * `rowLengths[i]` elements for a ragged table), used in place: `pointer` returns `address`, and every access
   * reads the row pointer the table holds at that moment. The memory is not copied and not owned; `free` (the
   * memory nanny) is called exactly once, on `release()` or after the matrix and all its views are
   * garbage-collected. The caller guarantees that the table and its rows stay valid until then: like any FFI
   * address, a wrong one cannot be detected.
   */
  static fromPointer<F extends string = string>(
    address: bigint | number,
    rows: number,
    cols: number | readonly number[],
    format: F,
    opts?: NativeMemoryOptions<bigint>,
  ): IndirectMemory2D<F> {
    return new IndirectMemory2D<F>(fromPointerInit(address, rows, cols, format, opts))
  }

  /**
   * Wraps native rows whose addresses are in `table` (a BigUint64Array or an array of bigints): the addresses
   * are copied into the matrix's own row table. `rows` defaults to the table's length; fewer is fine, more
   * throws `ERR_ROW_COUNT`. `free(table)` receives the table as given.
   */
  static fromRowPointers<F extends string = string, T extends BigUint64Array | readonly bigint[] = BigUint64Array | bigint[]>(
    table: T,
    cols: number,
    format: F,
    opts?: RowPointersOptions<T>,
  ): IndirectMemory2D<F> {
    return new IndirectMemory2D<F>(fromRowPointersInit(table, cols, format, opts))
  }

  /**
   * Wraps a `char **` that C returned: `count` strings, or up to its NULL entry when `count` is omitted. Each
   * row is one string and its NUL (`strlen + 1` bytes, measured now); format `'B'`; the nanny as in
   * `fromPointer`.
   */
  static fromStringArray(address: bigint | number, opts?: StringArrayOptions): IndirectMemory2D<'B'> {
    return new IndirectMemory2D<'B'>(fromStringArrayInit(address, opts))
  }
}
