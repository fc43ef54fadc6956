// The accessors of a table read in place (fromPointer, fromStringArray): those of accessors.ts, each also
// checking that the row's cached view is still over the row the table points at now, with the entry the view
// was made for (access.ts: Tagged). Functions of their own rather than one more branch in the shared ones: a
// shared `row[c]` site would see plain and tagged views, two classes. Measured after the warm-up (100×100 'd'):
// get 4.6× a Float64Array read and set 4.3× a store, against 5.0× and 6.9× with the branch in the shared ones.
//
// The row last read (and the row last written) is kept in the State with its entry: an access to the same row
// as the one before, a loop along a row, compares the entry with a field instead of looking the view up in the
// cache and loading its tag. 100×100 'd' after the warm-up, AMD Zen 4: get 4.2–4.5 → 3.4–3.6× a Float64Array
// read, set 4.0–4.2 → 3.5× a store.

import { type ElementValue, getChecked, getCheckedNumber, setChecked, type Tagged } from './access.js'
import type { Getter, Setter, Shell } from './accessors.js'
import { STATE } from './state.js'

function getF64InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as Float64Array)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<Float64Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}

function getF32InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as Float32Array)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<Float32Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}

function getI32InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as Int32Array)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<Int32Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}

function getU32InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as Uint32Array)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<Uint32Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}

function getI16InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as Int16Array)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<Int16Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}

function getU16InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as Uint16Array)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<Uint16Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}

function getI8InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as Int8Array)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<Int8Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}

function getU8InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as Uint8Array)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<Uint8Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}

function getU8CInPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as Uint8ClampedArray)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<Uint8ClampedArray> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}

function getI64InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as BigInt64Array)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<BigInt64Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getChecked(this[STATE], r, c)
}

function getU64InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as BigUint64Array)[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as Tagged<BigUint64Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getChecked(this[STATE], r, c)
}

function getF16InPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as unknown as number[])[c]
      if (v !== undefined) return v
    } else {
      const row = s.rowCache[r] as unknown as Tagged<number[]> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row as unknown as typeof s.lastReadRow
        const v = row[c]
        if (v !== undefined) return v
      }
    }
  }
  return getCheckedNumber(this[STATE], r, c)
}

function getBoolInPlace(this: Shell, r: number, c: number): ElementValue {
  if (typeof r === 'number' && typeof c === 'number') {
    const s = this[STATE]
    if (r === s.lastRead && (s.table as Float64Array)[r] === s.lastReadAt) {
      const v = (s.lastReadRow as Uint8Array)[c]
      if (v !== undefined) return v !== 0
    } else {
      const row = s.rowCache[r] as Tagged<Uint8Array> | undefined
      if (row !== undefined && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastRead = r
        s.lastReadAt = row.__viewedAt as number
        s.lastReadRow = row
        const v = row[c]
        if (v !== undefined) return v !== 0
      }
    }
  }
  return getChecked(this[STATE], r, c)
}

function setF64InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as Float64Array
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<Float64Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setF32InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as Float32Array
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<Float32Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setI32InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as Int32Array
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<Int32Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setU32InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as Uint32Array
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<Uint32Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setI16InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as Int16Array
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<Int16Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setU16InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as Uint16Array
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<Uint16Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setI8InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as Int8Array
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<Int8Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setU8InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as Uint8Array
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<Uint8Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setU8CInPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as Uint8ClampedArray
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<Uint8ClampedArray> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setI64InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'bigint' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as BigInt64Array
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<BigInt64Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setU64InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'bigint' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as BigUint64Array
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<BigUint64Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setF16InPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && typeof v === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as unknown as number[]
      if (c < row.length) {
        row[c] = v
        return
      }
    } else {
      const row = s.writeCache[r] as unknown as Tagged<number[]> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row as unknown as typeof s.lastWriteRow
        row[c] = v
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

function setBoolInPlace(this: Shell, r: number, c: number, v: unknown): void {
  if (typeof r === 'number' && typeof c === 'number' && c >>> 0 === c) {
    const s = this[STATE]
    if (r === s.lastWrite && (s.table as Float64Array)[r] === s.lastWriteAt) {
      const row = s.lastWriteRow as Uint8Array
      if (c < row.length) {
        row[c] = v ? 1 : 0
        return
      }
    } else {
      const row = s.writeCache[r] as Tagged<Uint8Array> | undefined
      if (row !== undefined && c < row.length && (s.table as Float64Array)[r] === row.__viewedAt) {
        s.lastWrite = r
        s.lastWriteAt = row.__viewedAt as number
        s.lastWriteRow = row
        row[c] = v ? 1 : 0
        return
      }
    }
  }
  setChecked(this[STATE], r, c, v)
}

/** The in-place accessors of each TypedArray kind, by kind number (DataView and native rows: accessors.ts). */
export const IN_PLACE_GETTERS: readonly Getter[] = [
  getF64InPlace,
  getF32InPlace,
  getI32InPlace,
  getU32InPlace,
  getI16InPlace,
  getU16InPlace,
  getI8InPlace,
  getU8InPlace,
  getU8CInPlace,
  getI64InPlace,
  getU64InPlace,
  getF16InPlace,
  getBoolInPlace,
]
export const IN_PLACE_SETTERS: readonly Setter[] = [
  setF64InPlace,
  setF32InPlace,
  setI32InPlace,
  setU32InPlace,
  setI16InPlace,
  setU16InPlace,
  setI8InPlace,
  setU8InPlace,
  setU8CInPlace,
  setI64InPlace,
  setU64InPlace,
  setF16InPlace,
  setBoolInPlace,
]
