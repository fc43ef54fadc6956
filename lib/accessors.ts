// The per-kind accessors: a matrix's `get`/`set` are the functions of its access kind, installed on the
// instance (matrix.ts), so that a call site that sees one matrix sees one small function that V8 inlines, with
// its own monomorphic element load or store. Measured (one process after a warm-up over 8 formats, 100×100
// 'd'): one shared function with a switch per kind cost 13–26 ns per set (too large to inline); these 4–6 ns.
// They repeat on purpose, one per TypedArray kind. Anything the fast path is not sure of goes to the checked
// path in access.ts. The row last read (and the row last written) is kept in the State with its view, so that a
// loop along a row skips the cache lookup: 100×100 'd', AMD Zen 4, get 2.8 → 2.1–2.2× a Float64Array read, set
// 3.2 → 2.7–2.8× a store. A table read in place has accessors of its own (accessors-in-place.ts); the DataView and
// native ones below serve it too.

import { type ElementValue, getChecked, getCheckedNumber, rowAttached, setChecked, viewCurrent, viewGet, viewSet } from './access.js'
import { type CachedRow, STATE, type State } from './state.js'

// The fast path takes a plain number index into a row already viewed; `row[c]` is undefined past the row's end,
// on a detached row (length 0) and for negative or fractional indices, which all go to the checked path.

export type Getter = (this: Shell, r: number, c: number) => ElementValue
export type Setter = (this: Shell, r: number, c: number, v: unknown) => void

/** What the accessors see of a matrix: its State under a symbol key. */
export interface Shell {
  readonly [STATE]: State
}

function getF64(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as Float64Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Float64Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}
function getF32(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as Float32Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Float32Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}
function getI32(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as Int32Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Int32Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}
function getU32(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as Uint32Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Uint32Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}
function getI16(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as Int16Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Int16Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}
function getU16(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as Uint16Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Uint16Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}
function getI8(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as Int8Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Int8Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}
function getU8(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as Uint8Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Uint8Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}
function getU8C(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as Uint8ClampedArray | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Uint8ClampedArray | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}
function getI64(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as BigInt64Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as BigInt64Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getChecked(this[STATE], r, c)
}
function getU64(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as BigUint64Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as BigUint64Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getChecked(this[STATE], r, c)
}
/** Float16Array rows (the runtime has the class: Node 24+). */
function getF16(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as unknown as number[] | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as unknown as number[] | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row as unknown as CachedRow
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}
function getBool(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    const last = s.lastReadRow as Uint8Array | undefined
    if (r === s.lastRead && last !== undefined) {
      const v = last[c]
      if (v !== undefined) return v !== 0
    } else {
      const row = s.rowCache[r] as Uint8Array | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v !== 0
      }
    }
  }
  return getChecked(this[STATE], r, c)
}
/**
 * DataView rows: foreign byte order, unaligned rows, float16 without Float16Array. A view spans exactly its row,
 * so a DataView read past the row's end throws (RangeError), as one over a detached buffer does (TypeError):
 * either goes to the checked path, which gives the contract's error. `c >>> 0 === c` keeps out a fractional
 * column, which a DataView would round down. One getter per element kind, as for the TypedArray rows: `get` on
 * '>d' after the warm-up cost 3.3× a DataView read through one shared getter with a switch on the kind, 2.5×
 * through its own. They keep the row last read as the TypedArray ones do, each spelling out its lookup: through
 * one shared helper returning the row, '>d' cost 3.5× instead of 2.85×. A table read in place, whose rows C
 * may swap, takes the shared reader below, which also compares the table entry: that check in these getters
 * cost '>d' 3.6× a DataView read against 2.8× without (one process after the warm-up, AMD Zen 4).
 */
function getViewF64(this: Shell, r: number, c: number): ElementValue {
  const s = this[STATE]
  if (typeof r === 'number' && c >>> 0 === c) {
    const last = s.lastReadRow as DataView | undefined
    if (r === s.lastRead && last !== undefined) {
      try {
        return last.getFloat64(c * 8, s.little)
      } catch {}
    } else {
      const row = s.rowCache[r] as DataView | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        try {
          return row.getFloat64(c * 8, s.little)
        } catch {}
      }
    }
  }
  return getCheckedNumber(s, r, c)
}
function getViewF32(this: Shell, r: number, c: number): ElementValue {
  const s = this[STATE]
  if (typeof r === 'number' && c >>> 0 === c) {
    const last = s.lastReadRow as DataView | undefined
    if (r === s.lastRead && last !== undefined) {
      try {
        return last.getFloat32(c * 4, s.little)
      } catch {}
    } else {
      const row = s.rowCache[r] as DataView | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        try {
          return row.getFloat32(c * 4, s.little)
        } catch {}
      }
    }
  }
  return getCheckedNumber(s, r, c)
}
function getViewI32(this: Shell, r: number, c: number): ElementValue {
  const s = this[STATE]
  if (typeof r === 'number' && c >>> 0 === c) {
    const last = s.lastReadRow as DataView | undefined
    if (r === s.lastRead && last !== undefined) {
      try {
        return last.getInt32(c * 4, s.little)
      } catch {}
    } else {
      const row = s.rowCache[r] as DataView | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        try {
          return row.getInt32(c * 4, s.little)
        } catch {}
      }
    }
  }
  return getCheckedNumber(s, r, c)
}
function getViewU32(this: Shell, r: number, c: number): ElementValue {
  const s = this[STATE]
  if (typeof r === 'number' && c >>> 0 === c) {
    const last = s.lastReadRow as DataView | undefined
    if (r === s.lastRead && last !== undefined) {
      try {
        return last.getUint32(c * 4, s.little)
      } catch {}
    } else {
      const row = s.rowCache[r] as DataView | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        try {
          return row.getUint32(c * 4, s.little)
        } catch {}
      }
    }
  }
  return getCheckedNumber(s, r, c)
}
function getViewI16(this: Shell, r: number, c: number): ElementValue {
  const s = this[STATE]
  if (typeof r === 'number' && c >>> 0 === c) {
    const last = s.lastReadRow as DataView | undefined
    if (r === s.lastRead && last !== undefined) {
      try {
        return last.getInt16(c * 2, s.little)
      } catch {}
    } else {
      const row = s.rowCache[r] as DataView | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        try {
          return row.getInt16(c * 2, s.little)
        } catch {}
      }
    }
  }
  return getCheckedNumber(s, r, c)
}
function getViewU16(this: Shell, r: number, c: number): ElementValue {
  const s = this[STATE]
  if (typeof r === 'number' && c >>> 0 === c) {
    const last = s.lastReadRow as DataView | undefined
    if (r === s.lastRead && last !== undefined) {
      try {
        return last.getUint16(c * 2, s.little)
      } catch {}
    } else {
      const row = s.rowCache[r] as DataView | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        try {
          return row.getUint16(c * 2, s.little)
        } catch {}
      }
    }
  }
  return getCheckedNumber(s, r, c)
}
function getViewI64(this: Shell, r: number, c: number): ElementValue {
  const s = this[STATE]
  if (typeof r === 'number' && c >>> 0 === c) {
    const last = s.lastReadRow as DataView | undefined
    if (r === s.lastRead && last !== undefined) {
      try {
        return last.getBigInt64(c * 8, s.little)
      } catch {}
    } else {
      const row = s.rowCache[r] as DataView | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        try {
          return row.getBigInt64(c * 8, s.little)
        } catch {}
      }
    }
  }
  return getChecked(s, r, c)
}
function getViewU64(this: Shell, r: number, c: number): ElementValue {
  const s = this[STATE]
  if (typeof r === 'number' && c >>> 0 === c) {
    const last = s.lastReadRow as DataView | undefined
    if (r === s.lastRead && last !== undefined) {
      try {
        return last.getBigUint64(c * 8, s.little)
      } catch {}
    } else {
      const row = s.rowCache[r] as DataView | undefined
      if (row !== undefined) {
        s.lastRead = r
        s.lastReadRow = row
        try {
          return row.getBigUint64(c * 8, s.little)
        } catch {}
      }
    }
  }
  return getChecked(s, r, c)
}
/**
 * Whether row `r` of DataView rows has a view to read now: the row last read, or a cached one whose table entry
 * (for a table read in place) is still the one it was made for.
 */
function viewRow(s: State, r: number, c: number): DataView | undefined {
  if (typeof r !== 'number' || typeof c !== 'number' || c >>> 0 !== c) return undefined
  if (r === s.lastRead && (s.table === undefined || s.table[r] === s.lastReadAt)) return s.lastReadRow as DataView
  const row = s.rowCache[r] as DataView | undefined
  if (row === undefined || (s.table !== undefined && !viewCurrent(s, r, row))) return undefined
  s.lastRead = r
  s.lastReadAt = s.table === undefined ? 0 : s.table[r]
  s.lastReadRow = row
  return row
}
/** Float16 and anything else a DataView row holds: the shared reader. */
function getView(this: Shell, r: number, c: number): ElementValue {
  const s = this[STATE]
  const row = viewRow(s, r, c)
  if (row !== undefined)
    try {
      return viewGet(s, row, c)
    } catch {}
  return getChecked(s, r, c)
}
function getNative(this: Shell, r: number, c: number): ElementValue {
  return getChecked(this[STATE], r, c)
}

// Stores: `(c >>> 0) === c && c < row.length` keeps out what a TypedArray store would drop silently (negative,
// fractional, past the end, detached); a value of another type goes to the checked path (converted or refused).
// `writeCache` is empty for a read-only matrix.

function setF64(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as Float64Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Float64Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setF32(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as Float32Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Float32Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setI32(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as Int32Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Int32Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setU32(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as Uint32Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Uint32Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setI16(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as Int16Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Int16Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setU16(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as Uint16Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Uint16Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setI8(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as Int8Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Int8Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setU8(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as Uint8Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Uint8Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setU8C(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as Uint8ClampedArray | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Uint8ClampedArray | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setI64(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'bigint' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as BigInt64Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as BigInt64Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setU64(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'bigint' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as BigUint64Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as BigUint64Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setF16(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as unknown as number[] | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as unknown as number[] | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row as unknown as CachedRow
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setBool(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    const last = s.lastWriteRow as Uint8Array | undefined
    if (r === s.lastWrite && last !== undefined) {
      if (c < last.length) {
        last[c] = v ? 1 : 0
        return
      }
    } else {
      const row = s.writeCache[r] as Uint8Array | undefined
      if (row !== undefined && c < row.length) {
        s.lastWrite = r
        s.lastWriteRow = row
        row[c] = v ? 1 : 0
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}
function setView(this: Shell, r: number, c: number, v: unknown): void {
  const s = this[STATE]
  if (typeof r === 'number' && typeof c === 'number' && c >>> 0 === c && c < s.rowLength(r)) {
    const row = s.writeCache[r] as DataView | undefined
    if (row !== undefined && rowAttached(s, r) && (s.table === undefined || viewCurrent(s, r, row)) && viewSet(s, row, c, v)) return
  }
  setChecked(s, r, c, v)
}
function setNative(this: Shell, r: number, c: number, v: unknown): void {
  setChecked(this[STATE], r, c, v)
}

/** The accessors of each kind, by kind number. */
export const GETTERS: readonly Getter[] = [
  getF64,
  getF32,
  getI32,
  getU32,
  getI16,
  getU16,
  getI8,
  getU8,
  getU8C,
  getI64,
  getU64,
  getF16,
  getBool,
  getView,
  getNative,
]

/** The `get` of DataView rows, by element kind (the kinds before DV in access.ts). */
export const VIEW_GETTERS: readonly Getter[] = [
  getViewF64,
  getViewF32,
  getViewI32,
  getViewU32,
  getViewI16,
  getViewU16,
  getView,
  getView,
  getView,
  getViewI64,
  getViewU64,
  getView,
  getView,
]
export const SETTERS: readonly Setter[] = [
  setF64,
  setF32,
  setI32,
  setU32,
  setI16,
  setU16,
  setI8,
  setU8,
  setU8C,
  setI64,
  setU64,
  setF16,
  setBool,
  setView,
  setNative,
]
