// String tables (README "Planes and string lists"): fromStrings builds an
// owned `char **` (UTF-8, one NUL per row, a NULL entry after the last row unless nullTerminated is false),
// fromStringArray wraps a `char **` that C allocated (up to its NULL entry or `count` strings) with a nanny,
// and toStrings() decodes the rows of any byte matrix. Native code (the test library) counts the table up to
// its NULL, measures and rewrites the strings; fast-check checks round trips of arbitrary Unicode strings.

import test, { type ExecutionContext } from 'ava'
import fc from 'fast-check'
import { BufferCollection2D, type ByteFormat, type Indirect2D, IndirectMemory2D } from 'indirect-buffer'
import { gcRounds, testlib, throwsCode } from './helpers/native-views.js'

const lib = testlib()
const COMMA = ','.charCodeAt(0)

const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED)
function params(numRuns: number): fc.Parameters<unknown> {
  return SEED === undefined ? { numRuns, includeErrorInReport: true } : { numRuns, seed: SEED, includeErrorInReport: true }
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Checks every row of a string table: the string's UTF-8 bytes and one NUL, as JS and as native code see them. */
function expectStrings(t: ExecutionContext, m: IndirectMemory2D<'B'>, strings: readonly string[], label = ''): void {
  t.is(m.rows, strings.length, `${label} rows`)
  t.is(m.format, 'B', `${label} format`)
  t.true(m.ragged, `${label} ragged`)
  t.deepEqual(m.toStrings(), [...strings], `${label} toStrings()`)
  const lengths = strings.map((s) => utf8(s).length + 1)
  t.deepEqual(m.rowLengths(), lengths, `${label} rowLengths() count the NUL`)
  t.deepEqual(m.shape, [strings.length, Math.max(0, ...lengths)], `${label} shape`)
  t.is(
    m.nbytes,
    lengths.reduce((a, n) => a + n, 0),
    `${label} nbytes`,
  )
  t.deepEqual(
    m.toArray(),
    strings.map((s) => [...utf8(s), 0]),
    `${label} toArray() is the bytes`,
  )
  strings.forEach((s, r) => {
    const bytes = utf8(s)
    const native = Array.from({ length: bytes.length + 1 }, (_, i) => lib.byte_at(m.pointer, r, i))
    t.deepEqual(native, [...bytes, 0], `${label} native code reads row ${r} (${JSON.stringify(s)}) and its NUL`)
  })
}

// ---------------------------------------------------------------------------------------------------------
// fromStrings

test('fromStrings: a NULL-terminated char** that native code walks', (t) => {
  const words = ['alpha', 'be', 'gamma gamma']
  const m = IndirectMemory2D.fromStrings(words)
  expectStrings(t, m, words)
  t.true(m.nullTerminated, 'NULL-terminated by default')
  t.is(lib.count_null_terminated(m.pointer), 3)
  t.is(lib.row_at(m.pointer, 3) as bigint | null, null, 'entry [3] is NULL (koffi returns it as null)')
  t.is(lib.strv_total_len(m.pointer), 5 + 2 + 11)
  t.is(m.rowPointers().length, 3, 'rowPointers() leaves the NULL out')
  t.false(m.readonly)
})

test('fromStrings: zero strings, one string, empty strings', (t) => {
  const none = IndirectMemory2D.fromStrings([])
  expectStrings(t, none, [])
  t.is(lib.count_null_terminated(none.pointer), 0, 'just the NULL')
  expectStrings(t, IndirectMemory2D.fromStrings(['only']), ['only'])
  const empties = IndirectMemory2D.fromStrings(['', 'x', '', ''])
  expectStrings(t, empties, ['', 'x', '', ''])
  t.is(lib.count_null_terminated(empties.pointer), 4, 'an empty string is a real row, not the end')
  t.is(lib.strv_total_len(empties.pointer), 1)
})

test('fromStrings: multi-byte UTF-8 (2, 3 and 4 bytes, combining marks) is stored as UTF-8', (t) => {
  const strings = ['é', 'naïve café', '日本語', '🎉', 'e\u0301', 'mixed ü 中 😀 end', '\u{10ffff}']
  const m = IndirectMemory2D.fromStrings(strings)
  expectStrings(t, m, strings)
  t.deepEqual(m.rowLengths().slice(0, 4), [3, 13, 10, 5])
  t.is(
    lib.strv_total_len(m.pointer),
    strings.reduce((a, s) => a + utf8(s).length, 0),
  )
})

test('fromStrings: nullTerminated false and readonly', (t) => {
  const plain = IndirectMemory2D.fromStrings(['a', 'bc'], { nullTerminated: false })
  t.false(plain.nullTerminated)
  expectStrings(t, plain, ['a', 'bc'])
  const ro = IndirectMemory2D.fromStrings(['a', 'bc'], { readonly: true })
  t.true(ro.readonly)
  throwsCode(t, () => ro.set(0, 0, 65), 'ERR_READONLY', TypeError)
  throwsCode(t, () => ro.row(0), 'ERR_READONLY', TypeError)
  t.is(lib.count_null_terminated(ro.pointer), 2, 'read-only forbids JS writes, not native reads')
  t.deepEqual(ro.toStrings(), ['a', 'bc'])
})

test('fromStrings: refuses non-strings and strings with an embedded NUL, with ERR_INVALID_ARGUMENT', (t) => {
  const bad: unknown[][] = [
    [1],
    ['a', null],
    [undefined],
    [{}],
    [new String('boxed')],
    [Symbol('s')],
    ['ok', 2n],
    [['nested']],
    [Buffer.from('bytes')],
  ]
  for (const strings of bad) {
    throwsCode(
      t,
      () => IndirectMemory2D.fromStrings(strings as string[]),
      'ERR_INVALID_ARGUMENT',
      TypeError,
      undefined,
      String(strings.map((s) => typeof s)),
    )
  }
  for (const s of ['\0', 'a\0b', 'trailing\0', '\0leading']) {
    throwsCode(t, () => IndirectMemory2D.fromStrings(['fine', s]), 'ERR_INVALID_ARGUMENT', TypeError, undefined, JSON.stringify(s))
  }
  throwsCode(t, () => IndirectMemory2D.fromStrings(['a'], 'options' as never), 'ERR_INVALID_ARGUMENT', TypeError)
})

test('fromStrings: rows are writable from JS and from native code, and toStrings() follows', (t) => {
  const m = IndirectMemory2D.fromStrings(['hello', 'wörld', ''])
  lib.strv_upcase(m.pointer, 3)
  t.deepEqual(m.toStrings(), ['HELLO', 'WöRLD', ''])
  m.row(0)[0] = 'J'.charCodeAt(0)
  t.deepEqual(m.toStrings()[0], 'JELLO')
  // A NUL written into a row ends its string, for native code and for toStrings() alike.
  m.set(0, 2, 0)
  t.deepEqual(m.toStrings()[0], 'JE')
  t.is(lib.strv_total_len(m.pointer), 2 + utf8('WöRLD').length)
  t.is(m.rowLength(0), 6, 'the row keeps its length')
  throwsCode(t, () => m.get(0, 6), 'ERR_OUT_OF_BOUNDS', RangeError, 'index out of bounds on dimension 2')
  throwsCode(t, () => m.get(2, 1), 'ERR_OUT_OF_BOUNDS', RangeError, 'index out of bounds on dimension 2')
  t.is(m.get(2, 0), 0, 'the empty string is one NUL')
})

test('fromStrings: a string table is ragged: rectangular-only operations throw ERR_RAGGED', (t) => {
  const m = IndirectMemory2D.fromStrings(['a', 'bcd'])
  throwsCode(t, () => m.toTypedArray(), 'ERR_RAGGED', Error, 'rows have different lengths')
  throwsCode(
    t,
    () => m.copyTo(IndirectMemory2D.createMemory({ rows: 2, cols: 4, format: 'B' })),
    'ERR_RAGGED',
    Error,
    'rows have different lengths',
  )
})

test('fromStrings: release, then ERR_RELEASED', (t) => {
  const m = IndirectMemory2D.fromStrings(['x'])
  m.release()
  t.true(m.released)
  throwsCode(t, () => m.pointer, 'ERR_RELEASED', Error)
  throwsCode(t, () => m.toStrings(), 'ERR_RELEASED', Error)
  m.release()
})

// ---------------------------------------------------------------------------------------------------------
// fromStringArray

/** A C-allocated strv of `text` split at commas, wrapped with a counting nanny. */
function wrapStrv(text: string, opts: { count?: number } = {}) {
  const address = lib.make_strv(text, COMMA)
  if (address === null) throw new Error('make_strv returned NULL')
  const frees: bigint[] = []
  const m = IndirectMemory2D.fromStringArray(address, {
    ...opts,
    free: (a: bigint) => {
      frees.push(a)
      lib.free_strv(a)
    },
  })
  return { address, frees, m }
}

test.serial('fromStringArray: up to the NULL entry; strlen + 1 per row; used in place; the nanny exactly once', (t) => {
  const live = lib.live_strv()
  const { address, frees, m } = wrapStrv('a,,bé,日本,')
  t.is(lib.live_strv(), live + 1)
  t.is(m.pointer, address, 'the table C returned, in place')
  expectStrings(t, m, ['a', '', 'bé', '日本', ''])
  t.is(lib.count_null_terminated(m.pointer), 5)
  lib.strv_upcase(m.pointer, m.rows)
  t.deepEqual(m.toStrings(), ['A', '', 'Bé', '日本', ''], 'native writes are seen')
  m.release()
  t.deepEqual(frees, [address], 'free(address) once, with the address as a bigint')
  t.is(lib.live_strv(), live)
  m.release()
  t.is(frees.length, 1, 'a second release() does not free again')
  throwsCode(t, () => m.toStrings(), 'ERR_RELEASED', Error)
})

test.serial('fromStringArray: count wraps that many strings; zero strings; a NULL address', (t) => {
  const two = wrapStrv('x,yy,zzz', { count: 2 })
  expectStrings(t, two.m, ['x', 'yy'])
  two.m.release()
  t.is(two.frees.length, 1)
  const none = wrapStrv('x,y', { count: 0 })
  expectStrings(t, none.m, [])
  none.m.release()
  const one = wrapStrv('')
  expectStrings(t, one.m, [''], 'an empty text is one empty string')
  one.m.release()
  throwsCode(t, () => IndirectMemory2D.fromStringArray(0n), 'ERR_NULL_POINTER', Error)
  const live = lib.live_strv()
  const empty = lib.make_strv('a', COMMA)
  if (empty === null) throw new Error('make_strv returned NULL')
  try {
    throwsCode(t, () => IndirectMemory2D.fromStringArray(empty, { count: -1 }), 'ERR_INVALID_SHAPE', RangeError)
    throwsCode(t, () => IndirectMemory2D.fromStringArray(empty, { count: 1.5 }), 'ERR_INVALID_SHAPE', RangeError)
  } finally {
    lib.free_strv(empty)
  }
  t.is(lib.live_strv(), live)
})

test.serial('fromStringArray: row lengths are measured at construction', (t) => {
  const { m } = wrapStrv('abc,de')
  const before = m.rowLengths()
  m.set(0, 1, 0) // "a\0c": strlen is 1 now, the row still has its 4 bytes
  t.deepEqual(m.rowLengths(), before)
  t.deepEqual(m.toStrings(), ['a', 'de'])
  t.is(m.get(0, 2), 'c'.charCodeAt(0))
  m.release()
})

test.serial('fromStringArray: garbage collection calls the nanny exactly once', async (t) => {
  const live = lib.live_strv()
  let frees = 0
  ;(() => {
    const address = lib.make_strv('gc,me', COMMA)
    if (address === null) throw new Error('make_strv returned NULL')
    const m = IndirectMemory2D.fromStringArray(address, {
      free: (a: bigint) => {
        frees++
        return lib.free_strv(a)
      },
    })
    t.deepEqual(m.toStrings(), ['gc', 'me'])
  })()
  t.is(lib.live_strv(), live + 1)
  for (let i = 0; i < 20 && frees === 0; i++) await gcRounds(1, 5)
  t.is(frees, 1)
  t.is(lib.live_strv(), live)
  await gcRounds(3, 5)
  t.is(frees, 1, 'never twice')
})

test.serial('fromStringArray over a table that fromStrings built: owner keeps it alive', async (t) => {
  // Only the view holds the table that fromStrings built.
  const view = (() => {
    const inner = IndirectMemory2D.fromStrings(['one', 'two', 'three'])
    return IndirectMemory2D.fromStringArray(inner.pointer, { owner: inner })
  })()
  await gcRounds(4, 5)
  t.deepEqual(view.toStrings(), ['one', 'two', 'three'])
  t.is(view.rows, 3)
})

// ---------------------------------------------------------------------------------------------------------
// toStrings on any byte matrix

test('toStrings(): every byte matrix, up to the first NUL or the end; invalid UTF-8 becomes U+FFFD', (t) => {
  const m = IndirectMemory2D.createMemory({ rows: 4, cols: 4, format: 'B' })
  m.copyFrom([
    [0x61, 0x62, 0x00, 0x63], // "ab", then a NUL: "c" is not part of the string
    [0x77, 0x78, 0x79, 0x7a], // no NUL: the whole row
    [0x00, 0x41, 0x42, 0x43], // empty
    [0xff, 0x41, 0xc3, 0x00], // invalid bytes and a truncated sequence
  ])
  t.deepEqual(m.toStrings(), ['ab', 'wxyz', '', '\ufffdA\ufffd'])
  t.deepEqual(IndirectMemory2D.createMemory({ rows: 0, cols: 3, format: 'B' }).toStrings(), [])
  t.deepEqual(IndirectMemory2D.createMemory({ rows: 2, cols: 0, format: 'B' }).toStrings(), ['', ''])
  for (const format of ['b', 'c', 'uint8', 'int8', 'uint8c'] as const) {
    const b = IndirectMemory2D.createMemory({ rows: 1, cols: 3, format })
    b.copyFrom([new Uint8Array([0x68, 0x69, 0])], { cast: true })
    t.deepEqual(b.toStrings(), ['hi'], format)
  }
  const bytes = utf8('row one\0row two\0')
  const view = IndirectMemory2D.viewFromRows({ data: bytes, shape: [2, 8], stride: [8, 1] }, { format: 'B' })
  t.deepEqual(view.toStrings(), ['row one', 'row two'])
  const collection = new BufferCollection2D([Buffer.from('grüß\0'), Buffer.from('x')], { ragged: true, format: 'B' })
  t.deepEqual(collection.toStrings(), ['grüß', 'x'])
  t.deepEqual(new BufferCollection2D([Buffer.from('ab'), Buffer.from('cd')], { format: 'B' }).toStrings(), ['ab', 'cd'])
})

test('toStrings(): formats that are not bytes throw ERR_FORMAT_UNSUPPORTED', (t) => {
  for (const format of ['d', 'f', 'i', 'H', 'q', 'e']) {
    // The typings refuse the call unless the format is a byte format known at compile time; JS callers and
    // formats known only at run time meet the run-time check.
    const m = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format }) as Indirect2D<ByteFormat>
    throwsCode(t, () => m.toStrings(), 'ERR_FORMAT_UNSUPPORTED', TypeError, undefined, format)
  }
})

// ---------------------------------------------------------------------------------------------------------
// properties

const noNul = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\0'))

test('property: fromStrings → toStrings, native lengths and fromStringArray round trip', (t) => {
  fc.assert(
    fc.property(fc.array(noNul, { maxLength: 12 }), fc.boolean(), (strings, nullTerminated) => {
      const m = IndirectMemory2D.fromStrings(strings, { nullTerminated })
      const back = m.toStrings()
      if (JSON.stringify(back) !== JSON.stringify(strings)) throw new Error(`toStrings() ${JSON.stringify(back)}`)
      const lengths = strings.map((s) => utf8(s).length + 1)
      if (JSON.stringify(m.rowLengths()) !== JSON.stringify(lengths)) throw new Error(`rowLengths() ${JSON.stringify(m.rowLengths())}`)
      if (m.nullTerminated !== nullTerminated) throw new Error('nullTerminated')
      if (nullTerminated) {
        if (lib.count_null_terminated(m.pointer) !== strings.length) throw new Error('native count')
        if (lib.strv_total_len(m.pointer) !== lengths.reduce((a, n) => a + n - 1, 0)) throw new Error('native total length')
        const again = IndirectMemory2D.fromStringArray(m.pointer, { owner: m })
        if (JSON.stringify(again.toStrings()) !== JSON.stringify(strings)) throw new Error('fromStringArray round trip')
        again.release()
      }
      const counted = IndirectMemory2D.fromStringArray(m.pointer, { count: strings.length, owner: m })
      if (JSON.stringify(counted.rowLengths()) !== JSON.stringify(lengths)) throw new Error('fromStringArray with count: lengths')
      counted.release()
      m.release()
    }),
    params(200),
  )
  t.pass()
})

test('property: a string with a NUL anywhere is refused and nothing is built', (t) => {
  fc.assert(
    fc.property(fc.array(noNul, { maxLength: 5 }), noNul, noNul, fc.nat({ max: 5 }), (strings, before, after, at) => {
      const list = [...strings]
      list.splice(Math.min(at, list.length), 0, `${before}\0${after}`)
      let code: string | undefined
      try {
        IndirectMemory2D.fromStrings(list)
      } catch (e) {
        code = (e as { code?: string }).code
      }
      if (code !== 'ERR_INVALID_ARGUMENT') throw new Error(`threw ${code}`)
    }),
    params(100),
  )
  t.pass()
})
