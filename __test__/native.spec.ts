// Native code (the repository's testlib through koffi) reads and writes owned matrices through `pointer`:
// zero-copy in both directions, and the row table holds exactly the addresses rowPointer() reports.

import test from 'ava'
import { IndirectMemory2D } from 'indirect-buffer'
import { testlib } from './helpers/native.js'

const SHAPES: [number, number][] = [
  [1, 1],
  [2, 3],
  [3, 2],
  [1, 64],
  [64, 1],
  [7, 5],
  [100, 37],
]

/** A value whose sums stay exact in doubles, whatever the summation order. */
const v = (r: number, c: number): number => ((r * 37 + c * 11) % 29) - 14 + 0.5

function jsSum(rows: number, cols: number): number {
  let s = 0
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) s += v(r, c)
  return s
}

test('the test library loads and pointers pass as bigints', (t) => {
  const lib = testlib()
  const m = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'd' })
  m.set(0, 0, 2.5)
  t.is(typeof m.pointer, 'bigint')
  t.is(lib.sum2d(m.pointer, 1, 1), 2.5)
})

test('native sum2d reads what JS wrote with set', (t) => {
  const lib = testlib()
  for (const [rows, cols] of SHAPES) {
    const m = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
    t.is(lib.sum2d(m.pointer, rows, cols), 0, `${rows}×${cols} starts zeroed`)
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, v(r, c))
    t.is(lib.sum2d(m.pointer, rows, cols), jsSum(rows, cols), `${rows}×${cols}`)
    // one more write is seen at once (no copy in between)
    m.set(rows - 1, cols - 1, v(rows - 1, cols - 1) + 1000)
    t.is(lib.sum2d(m.pointer, rows, cols), jsSum(rows, cols) + 1000, `${rows}×${cols} after one more set`)
  }
})

test('native sum2d reads what JS wrote through row views', (t) => {
  const lib = testlib()
  for (const [rows, cols] of SHAPES) {
    const m = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
    const views = m.rowViews()
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) views[r][c] = v(r, c)
    t.is(lib.sum2d(m.pointer, rows, cols), jsSum(rows, cols), `${rows}×${cols}`)
    m.row(0)[0] += 1
    t.is(lib.sum2d(m.pointer, rows, cols), jsSum(rows, cols) + 1, `${rows}×${cols} after a write through row(0)`)
  }
})

test('native fill2d writes are seen by get, by row views taken before, and by toArray', (t) => {
  const lib = testlib()
  for (const [rows, cols] of SHAPES) {
    const m = IndirectMemory2D.createMemory({ rows, cols, format: 'd' })
    const views = m.rowViews()
    lib.fill2d(m.pointer, rows, cols, 10)
    const expected = (r: number, c: number): number => 10 + r * cols + c
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        t.is(m.get(r, c), expected(r, c), `get ${rows}×${cols} (${r}, ${c})`)
        t.is(views[r][c], expected(r, c), `view ${rows}×${cols} (${r}, ${c})`)
      }
    }
    t.deepEqual(
      m.toArray(),
      Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => expected(r, c))),
    )
    t.deepEqual(
      [...m.toTypedArray()],
      Array.from({ length: rows * cols }, (_, i) => 10 + i),
    )
  }
})

test('native code and a shared matrix: fill2d is seen through the SharedArrayBuffer rows', (t) => {
  const lib = testlib()
  const m = IndirectMemory2D.createMemory({ rows: 4, cols: 3, format: 'd', shared: true })
  const row = m.row(3)
  t.true(row.buffer instanceof SharedArrayBuffer)
  lib.fill2d(m.pointer, 4, 3, -0.5)
  t.deepEqual([...row], [8.5, 9.5, 10.5])
})

test('row_at reads exactly rowPointer(i) from the table; byte_at reads the bytes JS sees', (t) => {
  const lib = testlib()
  for (const [rows, cols] of [
    [1, 1],
    [5, 3],
    [9, 17],
  ]) {
    const m = IndirectMemory2D.createMemory({ rows, cols, format: 'B' })
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, (r * 31 + c * 7 + 1) & 0xff)
    const pointers = m.rowPointers()
    for (let r = 0; r < rows; r++) {
      const p = lib.row_at(m.pointer, r)
      t.is(typeof p, 'bigint')
      t.is(p, m.rowPointer(r), `row ${r}`)
      t.is(p, pointers[r])
      t.is(p, m.rowPointer(r - rows), `row ${r - rows}`)
      for (let c = 0; c < cols; c++) t.is(lib.byte_at(m.pointer, r, c), m.get(r, c), `byte (${r}, ${c})`)
    }
  }
})

test('byte_at sees element bytes in the format byte order (d, >i, q, records)', (t) => {
  const lib = testlib()
  const formats = ['d', '>i', '<i', 'q', '>q', 'e', 'id', '3s']
  for (const format of formats) {
    const m = IndirectMemory2D.createMemory({ rows: 3, cols: 2, format })
    if (m.dtype === 'record') {
      for (let r = 0; r < 3; r++)
        m.rowBytes(r).forEach((_, i, a) => {
          a[i] = (r * 50 + i) & 0xff
        })
    } else {
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 2; c++)
          m.set(r, c, m.itemsize === 8 && m.dtype !== 'float64' ? BigInt(-(r * 2 + c) - 1) ** 5n : -(r * 2 + c) - 1.5)
      }
    }
    for (let r = 0; r < 3; r++) {
      const bytes = m.rowBytes(r)
      t.is(lib.row_at(m.pointer, r), m.rowPointer(r))
      for (let i = 0; i < bytes.length; i++) t.is(lib.byte_at(m.pointer, r, i), bytes[i], `${format} row ${r} byte ${i}`)
    }
  }
  // and the big-endian bytes native code sees are really big-endian
  const big = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: '>i' })
  big.set(0, 0, 0x01020304)
  t.deepEqual(
    [0, 1, 2, 3].map((i) => lib.byte_at(big.pointer, 0, i)),
    [1, 2, 3, 4],
  )
})

test('sum2d_i32 over int32 matrices (i, int32, <i, =i)', (t) => {
  const lib = testlib()
  for (const format of ['i', 'int32', '<i', '=i']) {
    for (const [rows, cols] of SHAPES) {
      const m = IndirectMemory2D.createMemory({ rows, cols, format })
      let expected = 0
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const x = (r * cols + c) % 2 === 0 ? 2 ** 31 - 1 - r : -(2 ** 31) + c
          m.set(r, c, x)
          expected += x
        }
      }
      t.is(lib.sum2d_i32(m.pointer, rows, cols), expected, `${format} ${rows}×${cols}`)
    }
  }
  // values wrapped by set are what native code reads
  const w = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'i' })
  w.set(0, 0, 2 ** 32 + 5)
  w.set(0, 1, -3.9)
  t.is(lib.sum2d_i32(w.pointer, 1, 2), 2)
})

test('read-only matrices still hand their pointer to native readers', (t) => {
  const lib = testlib()
  const m = IndirectMemory2D.createMemory({ rows: 3, cols: 3, format: 'd' })
  lib.fill2d(m.pointer, 3, 3, 1)
  m.makeReadOnly()
  t.is(lib.sum2d(m.pointer, 3, 3), 45)
  const e = m.acquire()
  t.is(lib.sum2d(e.pointer, e.rows, e.cols), 45)
  e.release()
  const r = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd', readonly: true })
  t.is(lib.sum2d(r.pointer, 2, 2), 0)
})

test('an export pointer stays valid after the matrix is dropped and collected', async (t) => {
  const lib = testlib()
  const exp = ((): ReturnType<IndirectMemory2D['acquire']> => {
    const m = IndirectMemory2D.createMemory({ rows: 50, cols: 20, format: 'd' })
    lib.fill2d(m.pointer, 50, 20, 0)
    return m.acquire({ writable: true })
  })()
  for (let i = 0; i < 5; i++) {
    global.gc?.()
    await new Promise((resolve) => setImmediate(resolve))
    // churn the allocator
    for (let k = 0; k < 20; k++)
      IndirectMemory2D.createMemory({ rows: 50, cols: 20, format: 'd' })
        .rowViews()
        .forEach((v) => {
          v.fill(-1)
        })
  }
  t.is(lib.sum2d(exp.pointer, exp.rows, exp.cols), (999 * 1000) / 2)
  exp.release()
})

test('the pointer is stable: native code sees the same table before and after reinterpretData', (t) => {
  const lib = testlib()
  const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'd' })
  const p = m.pointer
  lib.fill2d(p, 2, 2, 1)
  m.reinterpretData('B')
  t.is(m.pointer, p)
  t.is(lib.row_at(m.pointer, 1), m.rowPointer(1))
  m.reinterpretData('d')
  t.is(lib.sum2d(m.pointer, 2, 2), 1 + 2 + 3 + 4)
})
