// The native row table over JS memory: what every constructor of a matrix over JS memory (owned storage,
// views, collections, sub-matrices) hands to the binding.

import { NativeMatrix } from './binding.js'
import type { FormatDescription } from './formats.js'
import type { Init, Plane } from './state.js'

/** How a constructor lays out its row table: a ragged table's row lengths, an extra NULL entry. */
export interface Layout {
  rowLengths?: Float64Array
  nullTerminated?: boolean
}

/** The binding's form of a layout (undefined for a plain rectangle). */
export function tableLayout(layout: Layout): { rowLengths?: Float64Array; nullTerminated?: boolean } | undefined {
  if (layout.rowLengths === undefined && layout.nullTerminated !== true) return undefined
  return { rowLengths: layout.rowLengths, nullTerminated: layout.nullTerminated }
}

/** @internal The Init of a matrix over JS memory: builds its native row table. */
export function jsMemoryInit(
  format: FormatDescription,
  cols: number,
  readonly: boolean,
  plane: Plane,
  keep: unknown[],
  layout: Layout = {},
): Init {
  const rowsAt = plane.layout
  const native =
    'rowStride' in rowsAt
      ? NativeMatrix.overJsRows(
          format.native,
          plane.segments[0] as never,
          plane.rows,
          cols,
          rowsAt.offset,
          rowsAt.rowStride,
          tableLayout(layout),
        )
      : NativeMatrix.overJsMemory(
          format.native,
          cols,
          plane.segments as never[],
          rowsAt.segmentOfRow,
          rowsAt.rowOffsets,
          tableLayout(layout),
        )
  if (readonly) native.makeReadOnly()
  return { native, rows: plane.rows, cols, format, readonly, plane, keep, ...layout }
}
