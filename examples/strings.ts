// A `char **` string list both ways through the system's GLib (gchar **, a "strv") via koffi:
//
// - JS → C: `IndirectMemory2D.fromStrings(strings)` builds the list once (UTF-8, one NUL per string, a NULL
//   entry after the last string); its `pointer` goes to g_strv_length, which counts up to that NULL, and to
//   g_strjoinv, which reads every string. No marshalling per call;
// - C → JS: g_strsplit returns a strv that GLib allocated; `IndirectMemory2D.fromStringArray(address, { free })`
//   wraps it in place (up to its NULL entry) and makes g_strfreev its nanny: called exactly once, on
//   release() or after garbage collection. `toStrings()` decodes the rows.
//
//   npm run build && npx tsx examples/strings.ts
//
// Needs libglib-2.0.so.0: Debian/Ubuntu package libglib2.0-0 (libglib2.0-0t64 on Debian 13 / Ubuntu 24.04);
// `sudo bash scripts/install-native-deps.sh` installs it.

import { IndirectMemory2D } from 'indirect-buffer'
import koffi from 'koffi'
import { Checks, loadLibrary } from './native-libs'

const { lib, name: libName } = loadLibrary(
  'GLib 2',
  ['libglib-2.0.so.0', 'libglib-2.0.so', 'libglib-2.0.0.dylib', '/opt/homebrew/lib/libglib-2.0.0.dylib', '/usr/local/lib/libglib-2.0.0.dylib', 'libglib-2.0-0.dll'],
  'the Debian/Ubuntu package libglib2.0-0 (libglib2.0-0t64 on Debian 13 / Ubuntu 24.04)',
)

// --- GLib's string-list functions (gstrfuncs.h) -------------------------------------------------------------

type Ptr = bigint
const glib_check_version = lib.func('const char *glib_check_version(unsigned int major, unsigned int minor, unsigned int micro)') as (
  major: number,
  minor: number,
  micro: number,
) => string | null
const g_free = lib.func('void g_free(void *mem)') as (p: Ptr | null) => void
// A string GLib allocated: koffi decodes it to a JS string, then frees it with g_free.
const GString = koffi.disposable('GlibOwnedString', 'char *', g_free)
// `gchar **str_array`: a list's pointer (a bigint) goes straight in.
const g_strv_length = lib.func('unsigned int g_strv_length(char **str_array)') as (strv: bigint) => number
const g_strjoinv = lib.func('g_strjoinv', GString, ['const char *', 'char **']) as (separator: string, strv: bigint) => string
// Returns a newly allocated strv (bigint in koffi 3), to be freed with g_strfreev.
const g_strsplit = lib.func('char **g_strsplit(const char *string, const char *delimiter, int max_tokens)') as (s: string, delimiter: string, max: number) => Ptr | null
const g_strfreev = lib.func('void g_strfreev(char **str_array)') as (strv: Ptr) => void

const checks = new Checks()
const tooOld = glib_check_version(2, 6, 0) // g_strv_length arrived in 2.6
console.log(`GLib (${libName})${tooOld === null ? '' : `: ${tooOld}`}`)

const utf8Length = (s: string): number => new TextEncoder().encode(s).length

// --- JS → C: one list, many calls ----------------------------------------------------------------------------

const words = ['naïve', '', 'Grüße', '日本語', 'emoji 🎉', 'plain ascii']
{
  using list = IndirectMemory2D.fromStrings(words)
  console.log(`fromStrings: ${list.rows} strings, ${list.nbytes} bytes, char** at 0x${list.pointer.toString(16)}`)
  checks.check('the table ends with a NULL entry', list.nullTerminated && list.ragged && list.rows === words.length)
  checks.check(
    'each row is the UTF-8 bytes plus one NUL',
    words.every((w, i) => list.rowLength(i) === utf8Length(w) + 1 && list.get(i, list.rowLength(i) - 1) === 0),
    list.rowLengths().join(', '),
  )
  checks.check('g_strv_length counts up to the NULL entry', g_strv_length(list.pointer) === words.length, `${g_strv_length(list.pointer)}`)
  const joined = g_strjoinv(' | ', list.pointer)
  checks.check('g_strjoinv reads every string, multi-byte UTF-8 included', joined === words.join(' | '), JSON.stringify(joined))
  // The same table serves every later call: nothing is marshalled again.
  const again = g_strjoinv(',', list.pointer)
  checks.check('a second call through the same pointer', again === words.join(','), JSON.stringify(again))
  checks.check('toStrings() gives the strings back', JSON.stringify(list.toStrings()) === JSON.stringify(words))
}

// --- C → JS: a strv that GLib allocated, with g_strfreev as its nanny ------------------------------------------

const text = 'alpha|βeta||γάμμα|'
let freed = 0
{
  const address = g_strsplit(text, '|', -1)
  if (address === null) throw new Error('g_strsplit returned NULL')
  const fromC = IndirectMemory2D.fromStringArray(address, {
    free: (strv: bigint) => {
      freed++
      g_strfreev(strv)
    },
  })
  const expected = text.split('|') // g_strsplit keeps empty pieces, as String.prototype.split does
  try {
    console.log(`g_strsplit: ${fromC.rows} strings at 0x${address.toString(16)}: ${JSON.stringify(fromC.toStrings())}`)
    checks.check('fromStringArray wraps the strv in place', fromC.pointer === address && fromC.rows === expected.length, `${fromC.rows} rows`)
    checks.check('toStrings() == String.prototype.split', JSON.stringify(fromC.toStrings()) === JSON.stringify(expected))
    checks.check('row lengths are strlen + 1', expected.every((s, i) => fromC.rowLength(i) === utf8Length(s) + 1), fromC.rowLengths().join(', '))
    // Back into GLib: the wrapped strv is an ordinary char** again.
    checks.check('g_strv_length and g_strjoinv on the wrapped strv', g_strv_length(fromC.pointer) === expected.length && g_strjoinv('|', fromC.pointer) === text)
    checks.check('the nanny has not run while the list is in use', freed === 0)
  } finally {
    fromC.release()
  }
  checks.check('release() called g_strfreev', freed === 1)
  fromC.release() // a second release is a no-op
  checks.check('g_strfreev ran exactly once', freed === 1, `${freed} call(s)`)
}

checks.report()
