// A PNG round trip through the system's libpng (1.6, classic API) via koffi, zero-copy both ways:
//
// - encode: the image is ONE Uint8Array (height × width × 3 bytes, RGB). libpng's png_write_image wants the
//   rows as a png_bytepp (a table of row pointers): `IndirectMemory2D.viewFromRows(...).pointer` is exactly
//   that, pointing into the Uint8Array itself (no copy of the pixels, no row table built by koffi);
// - decode: png_read_image writes straight into the rows of an owned matrix (`createMemory`), which JS then
//   reads through zero-copy row views.
//
// The PNG is also decoded by pngjs (pure JS) as an independent check, and written to the temp directory.
//
//   npm run build && npx tsx examples/png.ts
//
// Needs libpng16.so.16: Debian/Ubuntu package libpng16-16 (libpng16-16t64 on Debian 13 / Ubuntu 24.04);
// `sudo bash scripts/install-native-deps.sh` installs it.

import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IndirectMemory2D } from 'indirect-buffer'
import koffi from 'koffi'
import { PNG } from 'pngjs'
import { Checks, isAddressOf, loadLibrary } from './native-libs'

const { lib, name: libName } = loadLibrary(
  'libpng 1.6',
  [
    'libpng16.so.16',
    'libpng16.so',
    'libpng16.16.dylib',
    '/opt/homebrew/lib/libpng16.16.dylib',
    '/usr/local/lib/libpng16.16.dylib',
    'libpng16.dll',
  ],
  'the Debian/Ubuntu package libpng16-16 (libpng16-16t64 on Debian 13 / Ubuntu 24.04)',
)

// --- libpng's classic API (png.h). Handles are plain pointers (bigint in koffi 3). ---------------------------

const PNG_COLOR_TYPE_RGB = 2
const PNG_INTERLACE_NONE = 0
const PNG_COMPRESSION_TYPE_DEFAULT = 0
const PNG_FILTER_TYPE_DEFAULT = 0

// Callback types. libpng keeps these function pointers in its struct and calls them later (from
// png_write_info, png_read_image, …), so they must be *registered* koffi callbacks: a transient callback
// passed straight to png_set_write_fn would be dead by the time libpng calls it.
// Pointer arguments of callbacks arrive as bigint; `const char *` arrives as a JS string.
const png_rw_ptr = koffi.proto('void png_rw_ptr(void *png, void *data, size_t length)')
const png_flush_ptr = koffi.proto('void png_flush_ptr(void *png)')
const png_error_ptr = koffi.proto('void png_error_ptr(void *png, const char *message)')

type Ptr = bigint
const png_get_libpng_ver = lib.func('const char *png_get_libpng_ver(void *png)') as (png: Ptr | null) => string
const png_create_write_struct = lib.func(
  'void *png_create_write_struct(const char *ver, void *error_ptr, png_error_ptr *error_fn, png_error_ptr *warn_fn)',
) as (ver: string, errorPtr: null, errorFn: unknown, warnFn: unknown) => Ptr | null
const png_create_read_struct = lib.func(
  'void *png_create_read_struct(const char *ver, void *error_ptr, png_error_ptr *error_fn, png_error_ptr *warn_fn)',
) as (ver: string, errorPtr: null, errorFn: unknown, warnFn: unknown) => Ptr | null
const png_create_info_struct = lib.func('void *png_create_info_struct(void *png)') as (png: Ptr) => Ptr | null
const png_set_write_fn = lib.func('void png_set_write_fn(void *png, void *io_ptr, png_rw_ptr *write_fn, png_flush_ptr *flush_fn)') as (
  png: Ptr,
  io: null,
  writeFn: unknown,
  flushFn: unknown,
) => void
const png_set_read_fn = lib.func('void png_set_read_fn(void *png, void *io_ptr, png_rw_ptr *read_fn)') as (
  png: Ptr,
  io: null,
  readFn: unknown,
) => void
const png_set_IHDR = lib.func(
  'void png_set_IHDR(void *png, void *info, uint32_t width, uint32_t height, int bit_depth, int color_type, int interlace, int compression, int filter)',
) as (
  png: Ptr,
  info: Ptr,
  w: number,
  h: number,
  depth: number,
  color: number,
  interlace: number,
  compression: number,
  filter: number,
) => void
const png_write_info = lib.func('void png_write_info(void *png, void *info)') as (png: Ptr, info: Ptr) => void
// png_bytepp: the row-pointer table. `viewFromRows(...).pointer` (a bigint) goes straight in.
const png_write_image = lib.func('void png_write_image(void *png, uint8_t **rows)') as (png: Ptr, rows: bigint) => void
const png_write_end = lib.func('void png_write_end(void *png, void *info)') as (png: Ptr, info: Ptr | null) => void
const png_read_info = lib.func('void png_read_info(void *png, void *info)') as (png: Ptr, info: Ptr) => void
const png_get_image_width = lib.func('uint32_t png_get_image_width(void *png, void *info)') as (png: Ptr, info: Ptr) => number
const png_get_image_height = lib.func('uint32_t png_get_image_height(void *png, void *info)') as (png: Ptr, info: Ptr) => number
const png_get_bit_depth = lib.func('uint8_t png_get_bit_depth(void *png, void *info)') as (png: Ptr, info: Ptr) => number
const png_get_color_type = lib.func('uint8_t png_get_color_type(void *png, void *info)') as (png: Ptr, info: Ptr) => number
const png_get_rowbytes = lib.func('size_t png_get_rowbytes(void *png, void *info)') as (png: Ptr, info: Ptr) => number
const png_read_image = lib.func('void png_read_image(void *png, uint8_t **rows)') as (png: Ptr, rows: bigint) => void
const png_read_end = lib.func('void png_read_end(void *png, void *info)') as (png: Ptr, info: Ptr | null) => void
// png_structpp / png_infopp: a one-element array stands for the pointer variable (libpng nulls it).
const png_destroy_write_struct = lib.func('void png_destroy_write_struct(_Inout_ void **png, _Inout_ void **info)') as (
  png: (Ptr | null)[],
  info: (Ptr | null)[] | null,
) => void
const png_destroy_read_struct = lib.func(
  'void png_destroy_read_struct(_Inout_ void **png, _Inout_ void **info, _Inout_ void **end_info)',
) as (png: (Ptr | null)[], info: (Ptr | null)[] | null, endInfo: (Ptr | null)[] | null) => void

// libpng reports errors through png_error → longjmp. Without a jmp_buf (which JS cannot set) it aborts the
// process, and an error handler may not return either. So only valid input is used here; the handlers just
// make the message visible before libpng aborts, and show warnings.
const onError = koffi.register(
  (_png: Ptr, message: string) => console.error(`libpng error (libpng will abort): ${message}`),
  koffi.pointer(png_error_ptr),
)
const onWarning = koffi.register((_png: Ptr, message: string) => console.error(`libpng warning: ${message}`), koffi.pointer(png_error_ptr))

const checks = new Checks()

// --- the image: ONE Uint8Array, rows of width*3 bytes back to back ------------------------------------------

const width = 97
const height = 61
const rowBytes = width * 3
const pixels = new Uint8Array(height * rowBytes)
for (let y = 0; y < height; y++) {
  for (let x = 0; x < width; x++) {
    const i = y * rowBytes + x * 3
    pixels[i] = Math.round((x * 255) / (width - 1)) // red: left to right
    pixels[i + 1] = Math.round((y * 255) / (height - 1)) // green: top to bottom
    pixels[i + 2] = (x * 7 + y * 13) & 0xff // blue: a diagonal ramp
  }
}
// A few exact marker pixels: [x, y, r, g, b]
const markers: [number, number, number, number, number][] = [
  [0, 0, 255, 0, 0],
  [width - 1, 0, 0, 255, 0],
  [0, height - 1, 0, 0, 255],
  [width - 1, height - 1, 255, 255, 255],
  [48, 30, 1, 2, 3],
]
for (const [x, y, r, g, b] of markers) pixels.set([r, g, b], y * rowBytes + x * 3)

const version = png_get_libpng_ver(null)
console.log(`libpng ${version} (${libName}); image ${width}×${height} RGB, ${pixels.byteLength} bytes in one Uint8Array`)

// --- encode -----------------------------------------------------------------------------------------------

function encode(): Uint8Array {
  // The png_bytepp: a row-pointer table over the Uint8Array itself.
  using rows = IndirectMemory2D.viewFromRows({ data: pixels, shape: [height, rowBytes], stride: [rowBytes, 1] })
  checks.check(
    'row table points into the Uint8Array (zero-copy)',
    isAddressOf(rows.rowPointer(0), pixels) && isAddressOf(rows.rowPointer(height - 1), pixels.subarray((height - 1) * rowBytes)),
  )

  const chunks: Uint8Array[] = []
  const write = koffi.register((_png: Ptr, data: Ptr, length: number) => {
    chunks.push(new Uint8Array(koffi.view(data, Number(length))).slice()) // libpng reuses its buffer: copy
  }, koffi.pointer(png_rw_ptr))
  const flush = koffi.register((_png: Ptr) => {}, koffi.pointer(png_flush_ptr))
  const png = png_create_write_struct(version, null, onError, onWarning)
  if (png === null) throw new Error('png_create_write_struct failed')
  const info = png_create_info_struct(png)
  try {
    if (info === null) throw new Error('png_create_info_struct failed')
    png_set_write_fn(png, null, write, flush)
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT)
    png_write_info(png, info)
    png_write_image(png, rows.pointer)
    png_write_end(png, info)
  } finally {
    png_destroy_write_struct([png], [info])
    koffi.unregister(write)
    koffi.unregister(flush)
  }
  return Buffer.concat(chunks)
}

const encoded = encode()
const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
checks.check('libpng wrote a PNG', encoded.length > 8 && signature.every((b, i) => encoded[i] === b), `${encoded.length} bytes`)
const file = join(tmpdir(), 'indirect-buffer-example.png')
writeFileSync(file, encoded)
console.log(`wrote ${file} (${encoded.length} bytes)`)

// --- decode with libpng into an owned matrix ------------------------------------------------------------

function decode(bytes: Uint8Array): IndirectMemory2D<'B'> {
  let offset = 0
  const read = koffi.register((_png: Ptr, data: Ptr, length: number) => {
    const n = Number(length)
    // Input is valid, so libpng never asks past the end (it would abort on a short read).
    new Uint8Array(koffi.view(data, n)).set(bytes.subarray(offset, offset + n))
    offset += n
  }, koffi.pointer(png_rw_ptr))
  const png = png_create_read_struct(version, null, onError, onWarning)
  if (png === null) throw new Error('png_create_read_struct failed')
  const info = png_create_info_struct(png)
  try {
    if (info === null) throw new Error('png_create_info_struct failed')
    png_set_read_fn(png, null, read)
    png_read_info(png, info)
    const w = png_get_image_width(png, info)
    const h = png_get_image_height(png, info)
    const depth = png_get_bit_depth(png, info)
    const color = png_get_color_type(png, info)
    const stride = Number(png_get_rowbytes(png, info))
    console.log(`libpng header: ${w}×${h}, bit depth ${depth}, color type ${color}, ${stride} bytes per row`)
    checks.check(
      'header is 8-bit RGB of the original size',
      w === width && h === height && depth === 8 && color === PNG_COLOR_TYPE_RGB && stride === w * 3,
    )
    // The png_bytepp to decode into: the row table of an owned, zero-filled matrix.
    const mem = IndirectMemory2D.createMemory({ rows: h, cols: w * 3, format: 'B' })
    png_read_image(png, mem.pointer)
    png_read_end(png, info)
    checks.check('libpng consumed the whole PNG', offset === bytes.length, `${offset} of ${bytes.length} bytes`)
    return mem
  } finally {
    png_destroy_read_struct([png], [info], null)
    koffi.unregister(read)
  }
}

{
  using decoded = decode(encoded)
  // Compare through zero-copy row views of what libpng wrote.
  const rows = decoded.rowViews()
  let diff = 0
  for (let y = 0; y < height; y++) {
    const original = pixels.subarray(y * rowBytes, (y + 1) * rowBytes)
    for (let i = 0; i < rowBytes; i++) if (rows[y][i] !== original[i]) diff++
  }
  checks.check(
    'libpng decode == original pixels',
    diff === 0,
    diff === 0 ? `${height} rows × ${rowBytes} bytes identical` : `${diff} bytes differ`,
  )
  const flat = decoded.toTypedArray()
  checks.check(
    'toTypedArray() of the decoded matrix == original Uint8Array',
    flat.length === pixels.length && flat.every((v, i) => v === pixels[i]),
  )
  const markersOk = markers.every(
    ([x, y, r, g, b]) => decoded.get(y, 3 * x) === r && decoded.get(y, 3 * x + 1) === g && decoded.get(y, 3 * x + 2) === b,
  )
  checks.check('marker pixels exact (libpng decode)', markersOk, markers.map(([x, y, r, g, b]) => `(${x},${y})=${r},${g},${b}`).join(' '))
}

// --- decode independently with pngjs (RGBA) ---------------------------------------------------------------

{
  const png = PNG.sync.read(Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength))
  checks.check('pngjs reads the same size', png.width === width && png.height === height, `${png.width}×${png.height}`)
  let diff = 0
  for (let p = 0; p < width * height; p++) {
    if (
      png.data[4 * p] !== pixels[3 * p] ||
      png.data[4 * p + 1] !== pixels[3 * p + 1] ||
      png.data[4 * p + 2] !== pixels[3 * p + 2] ||
      png.data[4 * p + 3] !== 255
    )
      diff++
  }
  checks.check(
    'pngjs decode == original pixels (alpha 255)',
    diff === 0,
    diff === 0 ? `${width * height} pixels identical` : `${diff} pixels differ`,
  )
  const markersOk = markers.every(([x, y, r, g, b]) => {
    const i = 4 * (y * width + x)
    return png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b
  })
  checks.check('marker pixels exact (pngjs decode)', markersOk)
}

koffi.unregister(onError)
koffi.unregister(onWarning)
checks.report()
