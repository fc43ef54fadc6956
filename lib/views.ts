// The view constructors over JS memory: viewFromRows and viewFromColumns.

import { checkRowCount, flag, options } from './args.js'
import { makeError } from './errors.js'
import { describeFormat } from './formats.js'
import { Indirect2D } from './matrix.js'
import { type Strided, stridedSource } from './sources.js'
import type { Init } from './state.js'
import { jsMemoryInit } from './tables.js'

export interface ViewOptions<F extends string = string> {
  /** A read-only view (default false: a writable view of a read-only source throws ERR_READONLY). */
  readonly?: boolean
  /** Read the memory in this format instead of the source's own: same itemsize, or regrouped bytes of a byte source. */
  format?: F | null
  /** End the row table with an extra NULL entry, for C APIs that count rows by it (default false). */
  nullTerminated?: boolean
}

/** The Init of a view of `source` by rows or (transposed) by columns. */
export function viewInit(source: unknown, opts: ViewOptions | undefined, byColumns: boolean): Init {
  const what = byColumns ? 'viewFromColumns' : 'viewFromRows'
  const o = options(opts, what)
  const readonly = flag(o.readonly, 'readonly', false)
  const nullTerminated = flag(o.nullTerminated, 'nullTerminated', false)
  if (source instanceof Indirect2D) {
    throw makeError('ERR_INVALID_ARGUMENT', `a matrix is not a source of ${what}; use subMatrix() to view part of a matrix`)
  }
  const s: Strided = stridedSource(source)
  const transpose = byColumns && s.ndim === 2
  const rows = checkRowCount(transpose ? s.cols : s.rows, what)
  let cols = transpose ? s.rows : s.cols
  const rowStride = transpose ? s.colStride : s.rowStride
  const colStride = transpose ? s.rowStride : s.colStride
  if (cols > 1 && colStride !== s.itemsize) {
    throw makeError(
      'ERR_NOT_CONTIGUOUS',
      byColumns ? "columns of the buffer-object aren't contiguous" : "rows of the buffer-object aren't contiguous",
    )
  }
  if (!readonly && s.readonly) throw makeError('ERR_READONLY', `the source is read-only: ask ${what}(source, { readonly: true })`)
  let format = describeFormat(s.format)
  if (o.format !== undefined && o.format !== null) {
    const f = describeFormat(o.format)
    if (f.itemsize !== s.itemsize) {
      if (!s.bytewise || cols % f.itemsize !== 0) {
        throw makeError(
          'ERR_ITEMSIZE_MISMATCH',
          s.bytewise
            ? `a row of ${cols} bytes does not divide into ${f.itemsize}-byte elements of format ${JSON.stringify(f.text)}`
            : `format ${JSON.stringify(f.text)} has itemsize ${f.itemsize}, the source's elements have ${s.itemsize}`,
        )
      }
      cols /= f.itemsize
    }
    format = f
  }
  // The segment covers exactly the bytes the rows reach, so that the detach check does not mistake a
  // resizable buffer shrinking elsewhere for a detach.
  // Rows of no bytes reach no memory (and their offsets need not lie inside the data): they start at 0.
  const rowBytes = cols * format.itemsize
  const empty = rows === 0 || rowBytes === 0
  const first = empty ? 0 : s.offset + Math.min(0, (rows - 1) * rowStride)
  const end = empty ? 0 : s.offset + Math.max(0, (rows - 1) * rowStride) + rowBytes
  const segment = new Uint8Array(s.bytes.buffer, s.bytes.byteOffset + first, end - first)
  const layout = empty ? { offset: 0, rowStride: 0 } : { offset: s.offset - first, rowStride }
  return jsMemoryInit(format, cols, readonly, { segments: [segment], rows, layout, colStride: format.itemsize }, [source], {
    nullTerminated,
  })
}
