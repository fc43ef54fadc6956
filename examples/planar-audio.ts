// Planar float** audio through the system's libswresample (FFmpeg) via koffi, zero-copy both ways:
//
// - input: two Float32Array channels (48 kHz) wrapped in `new BufferCollection2D([left, right])`: its `pointer`
//   is the planar `float**` (as `const uint8_t **in`), pointing into the Float32Arrays themselves;
// - output: an owned 2 × capacity float matrix (`createMemory`), resampled to 44.1 kHz by swr_convert straight
//   into its rows; the tail that flushing the resampler yields goes into `subMatrix(0, 2, n)`, the same rows
//   from column n on (a float** at a column offset). JS reads the result through zero-copy row views.
//
// Checks: the number of output samples, each channel's frequency (zero crossings), RMS level and waveform.
//
//   npm run build && npx tsx examples/planar-audio.ts
//
// Needs libswresample with swr_alloc_set_opts2 (FFmpeg >= 5.1): Debian/Ubuntu package libswresample4
// (FFmpeg 5.1 on Debian 12, 6.1 on Ubuntu 24.04; libswresample5 is FFmpeg 7). The older
// swr_alloc_set_opts (int64 layouts, libswresample3 / FFmpeg 4.x) is used if that is all there is.
// `sudo bash scripts/install-native-deps.sh` installs it.

import { BufferCollection2D, IndirectMemory2D } from 'indirect-buffer'
import koffi from 'koffi'
import { Checks, isAddressOf, loadLibrary } from './native-libs'

const { lib, name: libName } = loadLibrary(
  'libswresample',
  [
    'libswresample.so.4',
    'libswresample.so.5',
    'libswresample.so.3',
    'libswresample.so',
    'libswresample.dylib',
    '/opt/homebrew/lib/libswresample.dylib',
    '/usr/local/lib/libswresample.dylib',
    'swresample-4.dll',
    'swresample-5.dll',
  ],
  'the Debian/Ubuntu package libswresample4 (FFmpeg 5.x/6.x; libswresample5 for FFmpeg 7)',
)

// --- libswresample (swresample.h) and the bits of libavutil it takes ----------------------------------------

const AV_SAMPLE_FMT_FLTP = 8 // enum AVSampleFormat: NONE=-1, U8, S16, S32, FLT, DBL, U8P, S16P, S32P, FLTP
const AV_CHANNEL_ORDER_NATIVE = 1 // enum AVChannelOrder: UNSPEC, NATIVE, CUSTOM, AMBISONIC
const AV_CH_LAYOUT_STEREO = 0x3n // AV_CH_FRONT_LEFT | AV_CH_FRONT_RIGHT

// struct AVChannelLayout { enum AVChannelOrder order; int nb_channels; union { uint64_t mask; AVChannelCustom *map; } u; void *opaque; }
// For the native order only `u.mask` is used, and both union members are 8 bytes: a uint64 field is the union.
// Registered by name: the prototypes below refer to it as `AVChannelLayout *`.
koffi.struct('AVChannelLayout', { order: 'int', nb_channels: 'int', mask: 'uint64_t', opaque: 'void *' })
const stereo = { order: AV_CHANNEL_ORDER_NATIVE, nb_channels: 2, mask: AV_CH_LAYOUT_STEREO, opaque: null }

type Ptr = bigint
const swresample_version = lib.func('unsigned int swresample_version(void)') as () => number
const swr_init = lib.func('int swr_init(void *s)') as (s: Ptr) => number
// `uint8_t **out` / `const uint8_t **in`: the float** of the matrices goes straight in (null `in` flushes).
const swr_convert = lib.func('int swr_convert(void *s, uint8_t **out, int out_count, const uint8_t **in, int in_count)') as (
  s: Ptr,
  out: bigint,
  outCount: number,
  input: bigint | null,
  inCount: number,
) => number
const swr_get_out_samples = lib.func('int swr_get_out_samples(void *s, int in_samples)') as (s: Ptr, inSamples: number) => number
const swr_get_delay = lib.func('int64_t swr_get_delay(void *s, int64_t base)') as (s: Ptr, base: number) => number | bigint
// struct SwrContext **: a one-element array stands for the pointer variable.
const swr_free = lib.func('void swr_free(_Inout_ void **s)') as (s: (Ptr | null)[]) => void

/** A function of the library, or undefined if it does not export it. */
function optionalFunc(declaration: string): ((...args: never[]) => unknown) | undefined {
  try {
    return lib.func(declaration)
  } catch {
    return undefined
  }
}

// FFmpeg >= 5.1: int swr_alloc_set_opts2(struct SwrContext **ps, const AVChannelLayout *out_ch_layout, ...)
const swr_alloc_set_opts2 = optionalFunc(
  'int swr_alloc_set_opts2(_Inout_ void **ps, const AVChannelLayout *out_layout, int out_fmt, int out_rate, const AVChannelLayout *in_layout, int in_fmt, int in_rate, int log_offset, void *log_ctx)',
) as
  | ((
      ps: (Ptr | null)[],
      outLayout: object,
      outFmt: number,
      outRate: number,
      inLayout: object,
      inFmt: number,
      inRate: number,
      logOffset: number,
      logCtx: null,
    ) => number)
  | undefined
// FFmpeg < 5.1 (deprecated in 5.1, removed in 7): struct SwrContext *swr_alloc_set_opts(s, int64_t out_ch_layout, ...)
const swr_alloc_set_opts = optionalFunc(
  'void *swr_alloc_set_opts(void *s, int64_t out_layout, int out_fmt, int out_rate, int64_t in_layout, int in_fmt, int in_rate, int log_offset, void *log_ctx)',
) as
  | ((
      s: null,
      outLayout: bigint,
      outFmt: number,
      outRate: number,
      inLayout: bigint,
      inFmt: number,
      inRate: number,
      logOffset: number,
      logCtx: null,
    ) => Ptr | null)
  | undefined

/** A SwrContext converting stereo planar float from `inRate` to `outRate`, initialized. */
function createResampler(inRate: number, outRate: number): Ptr {
  let ctx: Ptr | null
  let api: string
  if (swr_alloc_set_opts2 !== undefined) {
    api = 'swr_alloc_set_opts2 (AVChannelLayout)'
    const ps: (Ptr | null)[] = [null]
    const err = swr_alloc_set_opts2(ps, stereo, AV_SAMPLE_FMT_FLTP, outRate, stereo, AV_SAMPLE_FMT_FLTP, inRate, 0, null)
    if (err < 0) throw new Error(`swr_alloc_set_opts2 failed: ${err}`)
    ctx = ps[0]
  } else if (swr_alloc_set_opts !== undefined) {
    api = 'swr_alloc_set_opts (int64 layouts)'
    ctx = swr_alloc_set_opts(
      null,
      AV_CH_LAYOUT_STEREO,
      AV_SAMPLE_FMT_FLTP,
      outRate,
      AV_CH_LAYOUT_STEREO,
      AV_SAMPLE_FMT_FLTP,
      inRate,
      0,
      null,
    )
  } else {
    throw new Error(`${libName} exports neither swr_alloc_set_opts2 nor swr_alloc_set_opts`)
  }
  if (ctx === null || ctx === undefined) throw new Error(`${api} returned no context`)
  const err = swr_init(ctx)
  if (err < 0) {
    swr_free([ctx])
    throw new Error(`swr_init failed: ${err}`)
  }
  console.log(`resampler: ${api}`)
  return ctx
}

// --- analysis -------------------------------------------------------------------------------------------

/** Frequency from the rising zero crossings of `x` (linearly interpolated), in Hz. */
function zeroCrossingFrequency(x: Float32Array, rate: number): number {
  let first = -1
  let last = -1
  let count = 0
  for (let i = 1; i < x.length; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const t = i - 1 + x[i - 1] / (x[i - 1] - x[i])
      if (first < 0) first = t
      last = t
      count++
    }
  }
  return count < 2 ? NaN : ((count - 1) * rate) / (last - first)
}

function rms(x: Float32Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i] * x[i]
  return Math.sqrt(s / x.length)
}

const within = (value: number, expected: number, relative: number): boolean => Math.abs(value - expected) <= relative * Math.abs(expected)

// --- the run ----------------------------------------------------------------------------------------------

const checks = new Checks()
const inRate = 48000
const outRate = 44100
const inCount = 48000 // one second
const amplitude = 0.5
const frequencies = [440, 1000] // left, right

const version = swresample_version()
console.log(`libswresample ${version >> 16}.${(version >> 8) & 0xff}.${version & 0xff} (${libName})`)

// The input: one Float32Array per channel, the planar float** over them (zero-copy).
const channels = frequencies.map((f) =>
  Float32Array.from({ length: inCount }, (_, n) => amplitude * Math.sin((2 * Math.PI * f * n) / inRate)),
)
using input = new BufferCollection2D(channels)
console.log(
  `input: ${input.rows} channels × ${input.cols} samples of ${input.dtype} at ${inRate} Hz, float** at 0x${input.pointer.toString(16)}`,
)
checks.check(
  'input float** rows are the Float32Arrays themselves (zero-copy)',
  channels.every((ch, c) => isAddressOf(input.rowPointer(c), new Uint8Array(ch.buffer, ch.byteOffset, ch.byteLength))),
)

const ctx = createResampler(inRate, outRate)
let total = 0
let outCapacity = 0
let delayBeforeFlush = 0
try {
  outCapacity = swr_get_out_samples(ctx, inCount)
  // An upper bound of what converting inCount samples yields, buffered samples included: room for the
  // converted input and for the tail that flushing adds.
  using output = IndirectMemory2D.createMemory({ rows: 2, cols: outCapacity, format: 'f' })
  const converted = swr_convert(ctx, output.pointer, outCapacity, input.pointer, inCount)
  if (converted < 0) throw new Error(`swr_convert failed: ${converted}`)
  total = converted
  delayBeforeFlush = Number(swr_get_delay(ctx, outRate))
  console.log(
    `swr_convert: ${converted} samples out for ${inCount} in (capacity ${outCapacity}); still buffered: ${delayBeforeFlush} output samples`,
  )

  // Flush: null input. The tail is written from column `total` on, through a sub-matrix's float**.
  let drained = false
  while (total < outCapacity) {
    using tail = output.subMatrix(0, 2, total)
    const n = swr_convert(ctx, tail.pointer, outCapacity - total, null, 0)
    if (n < 0) throw new Error(`swr_convert (flush) failed: ${n}`)
    if (n === 0) {
      drained = true
      break
    }
    console.log(`swr_convert flush: ${n} samples into subMatrix(0, 2, ${total}) (column offset ${total})`)
    total += n
  }
  checks.check(
    'flushing drained the resampler within the capacity',
    drained,
    drained ? 'the last flush returned 0' : `the output is full at ${total} samples`,
  )

  // Zero-copy views of what libswresample wrote, trimmed to the samples produced.
  const out = output.rowViews().map((row) => row.subarray(0, total))
  const expected = Math.round((inCount * outRate) / inRate)
  console.log(`output: 2 channels × ${total} samples at ${outRate} Hz (expected ${expected})`)
  checks.check(
    `output length ≈ ${expected} samples`,
    Math.abs(total - expected) <= Math.max(1, delayBeforeFlush),
    `${total} (tolerance: the resampler's delay, ${delayBeforeFlush} samples)`,
  )
  // Analyse the middle 80%, away from the filter's start-up and the flushed tail.
  const begin = Math.floor(total * 0.1)
  const middle = out.map((x) => x.subarray(begin, Math.floor(total * 0.9)))
  const expectedRms = amplitude / Math.SQRT2
  for (let c = 0; c < 2; c++) {
    const name = c === 0 ? 'left' : 'right'
    const f = zeroCrossingFrequency(middle[c], outRate)
    checks.check(`${name} frequency ≈ ${frequencies[c]} Hz (±1%)`, within(f, frequencies[c], 0.01), `${f.toFixed(3)} Hz`)
    const level = rms(middle[c])
    checks.check(`${name} RMS ≈ ${expectedRms.toFixed(4)} (±2%)`, within(level, expectedRms, 0.02), level.toFixed(4))
    // swresample compensates its own delay: output sample n is the input signal at time n / outRate.
    let worst = 0
    for (let i = 0; i < middle[c].length; i++) {
      worst = Math.max(worst, Math.abs(middle[c][i] - amplitude * Math.sin((2 * Math.PI * frequencies[c] * (begin + i)) / outRate)))
    }
    checks.check(
      `${name} matches the ideal ${outRate} Hz sine sample by sample (±1e-3)`,
      worst <= 1e-3,
      `max deviation ${worst.toExponential(2)}`,
    )
  }
} finally {
  swr_free([ctx])
}

checks.report()
