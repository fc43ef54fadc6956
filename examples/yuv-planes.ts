// YUV 4:2:0 planes at their natural sizes through the system's TurboJPEG (libjpeg-turbo) via koffi:
//
// - encode: a frame kept as three separate Uint8Arrays (Y at full size, U and V at a quarter each, as a video
//   decoder or a camera hands them over) is wrapped in `new BufferCollection2D(planes, { ragged: true })`: a
//   ragged table of three rows of different lengths whose `pointer` is the `const unsigned char **srcPlanes`
//   of tjCompressFromYUVPlanes, pointing into the Uint8Arrays themselves (no padding, no copy);
// - decode: tjDecompressToYUVPlanes writes the planes straight into the rows of an owned ragged table
//   (`IndirectMemory2D.createRagged`), which JS reads through zero-copy row views.
//
// Checks against JS: the decoded planes are the original ones within JPEG's loss, and TurboJPEG's own RGB
// decode matches a JS YCbCr → RGB conversion of the original planes (JFIF/BT.601 full range).
//
//   npm run build && npx tsx examples/yuv-planes.ts
//
// Needs libturbojpeg.so.0: Debian package libturbojpeg0 (libturbojpeg on Ubuntu);
// `sudo bash scripts/install-native-deps.sh` installs it.
//
// TurboJPEG reads exactly three plane pointers. libswscale's sws_scale reads four (FFmpeg's `data[4]`); for it
// the same tables take `nullTerminated: true`, which adds the NULL fourth entry it expects.

import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import koffi from 'koffi'
import { Checks, isAddressOf, loadLibrary } from './native-libs'

const { lib, name: libName } = loadLibrary(
  'TurboJPEG',
  [
    'libturbojpeg.so.0',
    'libturbojpeg.so',
    'libturbojpeg.0.dylib',
    '/opt/homebrew/lib/libturbojpeg.dylib',
    '/usr/local/lib/libturbojpeg.dylib',
    'turbojpeg.dll',
  ],
  'the Debian package libturbojpeg0 (libturbojpeg on Ubuntu)',
)

// --- TurboJPEG's 2.x API (turbojpeg.h). Handles are plain pointers (bigint in koffi 3). ----------------------

const TJSAMP_420 = 2
const TJPF_RGB = 0
// Chroma is replicated rather than interpolated: what the JS reference below does, so the two compare.
const TJFLAG_FASTUPSAMPLE = 256

type Ptr = bigint
const tjInitCompress = lib.func('void *tjInitCompress(void)') as () => Ptr | null
const tjInitDecompress = lib.func('void *tjInitDecompress(void)') as () => Ptr | null
const tjDestroy = lib.func('int tjDestroy(void *handle)') as (h: Ptr) => number
const tjGetErrorStr2 = lib.func('const char *tjGetErrorStr2(void *handle)') as (h: Ptr) => string
const tjFree = lib.func('void tjFree(void *buffer)') as (p: Ptr) => void
const tjPlaneWidth = lib.func('int tjPlaneWidth(int componentID, int width, int subsamp)') as (id: number, w: number, ss: number) => number
const tjPlaneHeight = lib.func('int tjPlaneHeight(int componentID, int height, int subsamp)') as (
  id: number,
  h: number,
  ss: number,
) => number
// `const unsigned char **srcPlanes` / `unsigned char **dstPlanes`: a table's pointer goes straight in. NULL
// strides mean "each plane's rows are packed at the plane's width". The JPEG comes back in a buffer that
// TurboJPEG allocates: a one-element array stands for the `unsigned char *` variable (and its size).
const tjCompressFromYUVPlanes = lib.func(
  'int tjCompressFromYUVPlanes(void *handle, const uint8_t **srcPlanes, int width, const int *strides, int height, int subsamp, _Inout_ void **jpegBuf, _Inout_ unsigned long *jpegSize, int jpegQual, int flags)',
) as (
  h: Ptr,
  planes: bigint,
  w: number,
  strides: null,
  height: number,
  ss: number,
  jpegBuf: (Ptr | null)[],
  jpegSize: number[],
  quality: number,
  flags: number,
) => number
const tjDecompressHeader3 = lib.func(
  'int tjDecompressHeader3(void *handle, const uint8_t *jpegBuf, unsigned long jpegSize, _Out_ int *width, _Out_ int *height, _Out_ int *subsamp, _Out_ int *colorspace)',
) as (h: Ptr, jpeg: Uint8Array, size: number, w: number[], height: number[], ss: number[], cs: number[]) => number
const tjDecompressToYUVPlanes = lib.func(
  'int tjDecompressToYUVPlanes(void *handle, const uint8_t *jpegBuf, unsigned long jpegSize, uint8_t **dstPlanes, int width, int *strides, int height, int flags)',
) as (h: Ptr, jpeg: Uint8Array, size: number, planes: bigint, w: number, strides: null, height: number, flags: number) => number
const tjDecompress2 = lib.func(
  'int tjDecompress2(void *handle, const uint8_t *jpegBuf, unsigned long jpegSize, uint8_t *dstBuf, int width, int pitch, int height, int pixelFormat, int flags)',
) as (
  h: Ptr,
  jpeg: Uint8Array,
  size: number,
  dst: Uint8Array,
  w: number,
  pitch: number,
  height: number,
  pf: number,
  flags: number,
) => number

function ok(handle: Ptr, status: number, what: string): void {
  if (status !== 0) throw new Error(`${what} failed: ${tjGetErrorStr2(handle)}`)
}

const checks = new Checks()

// --- the frame: three planes of their natural sizes ----------------------------------------------------------

// Even dimensions: for odd ones TurboJPEG pads the Y plane to whole 2×2 blocks (tjPlaneSizeYUV says by how much).
const width = 160
const height = 90
const planeWidths = [0, 1, 2].map((id) => tjPlaneWidth(id, width, TJSAMP_420))
const planeHeights = [0, 1, 2].map((id) => tjPlaneHeight(id, height, TJSAMP_420))
const planeSizes = planeWidths.map((w, id) => w * planeHeights[id])
console.log(
  `TurboJPEG (${libName}); frame ${width}×${height}, 4:2:0 planes ${planeWidths.map((w, id) => `${w}×${planeHeights[id]}`).join(', ')}`,
)
checks.check(
  'TurboJPEG plane sizes are Y full, U and V a quarter',
  planeSizes[0] === width * height && planeSizes[1] === planeSizes[0] / 4 && planeSizes[2] === planeSizes[1],
  planeSizes.join(' / '),
)

// Smooth content, so that JPEG's loss stays small and the comparison below can be tight.
const [yw, cw] = planeWidths
const [yh] = planeHeights
const Y = Uint8Array.from({ length: planeSizes[0] }, (_, i) =>
  Math.round(40 + (140 * (i % yw)) / (yw - 1) + (50 * Math.floor(i / yw)) / (yh - 1)),
)
const U = Uint8Array.from({ length: planeSizes[1] }, (_, i) => Math.round(128 + 60 * Math.sin((i % cw) / 9)))
const V = Uint8Array.from({ length: planeSizes[2] }, (_, i) => Math.round(128 - 50 * Math.cos(Math.floor(i / cw) / 7)))
const original = [Y, U, V]

/** Largest and mean absolute difference of two equally long byte arrays. */
function difference(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  let max = 0
  let sum = 0
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i])
    if (d > max) max = d
    sum += d
  }
  return { max, mean: a.length === 0 ? 0 : sum / a.length }
}
const show = (d: { max: number; mean: number }): string => `max ${d.max}, mean ${d.mean.toFixed(3)}`

// --- encode from the three Uint8Arrays, zero-copy -----------------------------------------------------------

function encode(quality: number): Uint8Array {
  // The srcPlanes table: a ragged table over the three Uint8Arrays, each row the plane itself.
  using planes = new BufferCollection2D(original, { ragged: true })
  checks.check(
    'a ragged table of three planes',
    planes.ragged && planes.rows === 3 && planes.rowLengths().join() === planeSizes.join(),
    `rowLengths ${planes.rowLengths().join(', ')}; shape [${planes.shape.join(', ')}]`,
  )
  checks.check(
    'its rows are the Uint8Arrays themselves (zero-copy)',
    original.every((p, id) => isAddressOf(planes.rowPointer(id), p)),
  )
  checks.check(
    'nbytes is the sum of the planes, no padding',
    planes.nbytes === planeSizes[0] + planeSizes[1] + planeSizes[2],
    `${planes.nbytes} bytes`,
  )

  const handle = tjInitCompress()
  if (handle === null) throw new Error('tjInitCompress failed')
  const jpegBuf: (Ptr | null)[] = [null]
  const jpegSize = [0]
  try {
    ok(
      handle,
      tjCompressFromYUVPlanes(handle, planes.pointer, width, null, height, TJSAMP_420, jpegBuf, jpegSize, quality, 0),
      'tjCompressFromYUVPlanes',
    )
    const buffer = jpegBuf[0]
    if (buffer === null) throw new Error('tjCompressFromYUVPlanes returned no buffer')
    return new Uint8Array(koffi.view(buffer, Number(jpegSize[0]))).slice() // copy out of TurboJPEG's buffer
  } finally {
    if (jpegBuf[0] !== null) tjFree(jpegBuf[0])
    tjDestroy(handle)
  }
}

const quality = 90
const jpeg = encode(quality)
checks.check(
  'TurboJPEG wrote a JPEG',
  jpeg.length > 4 && jpeg[0] === 0xff && jpeg[1] === 0xd8 && jpeg[jpeg.length - 2] === 0xff && jpeg[jpeg.length - 1] === 0xd9,
  `${jpeg.length} bytes at quality ${quality}`,
)

// --- decode into an owned ragged table, and to RGB ---------------------------------------------------------

const handle = tjInitDecompress()
if (handle === null) throw new Error('tjInitDecompress failed')
try {
  const w = [0]
  const h = [0]
  const subsamp = [-1]
  const colorspace = [-1]
  ok(handle, tjDecompressHeader3(handle, jpeg, jpeg.length, w, h, subsamp, colorspace), 'tjDecompressHeader3')
  checks.check(
    'header: same size, 4:2:0',
    w[0] === width && h[0] === height && subsamp[0] === TJSAMP_420,
    `${w[0]}×${h[0]}, subsampling ${subsamp[0]}`,
  )

  {
    // The dstPlanes table: three rows of the planes' own lengths in one JS buffer, zero-filled.
    using decoded = IndirectMemory2D.createRagged({ rowLengths: planeSizes, format: 'B' })
    ok(handle, tjDecompressToYUVPlanes(handle, jpeg, jpeg.length, decoded.pointer, width, null, height, 0), 'tjDecompressToYUVPlanes')
    // Zero-copy views of what TurboJPEG wrote, each of its plane's length.
    const [dy, du, dv] = [0, 1, 2].map((id) => decoded.row(id))
    checks.check(
      "decoded rows have the planes' lengths",
      [dy, du, dv].every((row, id) => row.length === planeSizes[id] && decoded.rowLength(id) === planeSizes[id]),
    )
    // Smooth planes at quality 90: JPEG moves a sample by a level or two (measured: max 2, mean 0.45).
    const diffs = [difference(Y, dy), difference(U, du), difference(V, dv)]
    ;['Y', 'U', 'V'].forEach((name, id) => {
      checks.check(
        `decoded ${name} plane == original within JPEG's loss (max ≤ 3, mean ≤ 1)`,
        diffs[id].max <= 3 && diffs[id].mean <= 1,
        show(diffs[id]),
      )
    })
    let raggedCode: unknown
    try {
      decoded.toTypedArray()
    } catch (e) {
      raggedCode = (e as { code?: unknown }).code
    }
    checks.check(
      'a rectangular-only operation on the planes is refused',
      raggedCode === 'ERR_RAGGED',
      `toTypedArray() threw ${String(raggedCode)}`,
    )
  }

  // TurboJPEG's RGB decode against a JS conversion of the original planes.
  const rgb = new Uint8Array(width * height * 3)
  ok(handle, tjDecompress2(handle, jpeg, jpeg.length, rgb, width, 0, height, TJPF_RGB, TJFLAG_FASTUPSAMPLE), 'tjDecompress2')
  const reference = new Uint8Array(width * height * 3)
  const clamp = (v: number): number => Math.min(255, Math.max(0, Math.round(v)))
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const luma = Y[y * yw + x]
      const cb = U[(y >> 1) * cw + (x >> 1)] - 128
      const cr = V[(y >> 1) * cw + (x >> 1)] - 128
      const i = 3 * (y * width + x)
      reference[i] = clamp(luma + 1.402 * cr)
      reference[i + 1] = clamp(luma - 0.344136 * cb - 0.714136 * cr)
      reference[i + 2] = clamp(luma + 1.772 * cb)
    }
  }
  // JPEG's loss grows through the colour conversion (measured: max 3, mean 0.7).
  const d = difference(reference, rgb)
  checks.check('TurboJPEG RGB == JS YCbCr→RGB of the original planes (max ≤ 8, mean ≤ 2)', d.max <= 8 && d.mean <= 2, show(d))
} finally {
  tjDestroy(handle)
}

checks.report()
