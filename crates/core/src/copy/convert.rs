//! Contiguous element kernels: byte swapping and value conversion over runs of `n` elements.
//!
//! A conversion runs in two stages through a small intermediate buffer that stays in L1:
//! decode the source to one lane type, then encode the lanes to the target. Two lane types are enough
//! for every rule of `TypedArray.prototype.set` and its BigInt extension:
//! - `i64` lanes when both sides are integer-like (a 64-bit integer or bool target, or an integer
//!   source into an integer target): the result is the low bits of the sign- or zero-extended value;
//! - `f64` lanes otherwise: every non-64-bit value is exact as an f64, and a bigint going to a float
//!   or to `uint8c` goes through `Number(v)` by definition.
//!
//! When the source already is the lane type in native order (float64 → int32) or the target is
//! (int32 → float64), that stage is skipped and the other works straight on the row, so the hot pairs
//! are a single vectorised pass. Every loop here is `#[inline(always)]` so that the AVX2 copy of
//! [`convert_run`] gets AVX2 code for all of them.

use std::ptr::{read_unaligned, write_unaligned};

use half::f16;

#[cfg(target_arch = "x86_64")]
use super::simd;
use super::simd::multiversion;
use crate::element::{f64_to_f16_bits, number_to_u64_bits};
use crate::format::ScalarKind;

/// Elements per pass through the intermediate buffer: 2 KiB of lanes, well inside L1, and long enough
/// that the per-chunk dispatch is noise.
const CHUNK: usize = 256;

/// Plain-old-data lane types, loaded and stored unaligned with an optional byte swap.
pub(super) trait Bits: Copy {
    fn swap(self) -> Self;
}

macro_rules! int_bits {
    ($($t:ty),*) => {$(
        impl Bits for $t {
            #[inline(always)]
            fn swap(self) -> Self {
                self.swap_bytes()
            }
        }
    )*};
}
int_bits!(u8, u16, u32, u64, i64);

impl Bits for f64 {
    #[inline(always)]
    fn swap(self) -> Self {
        f64::from_bits(self.to_bits().swap_bytes())
    }
}

/// `dst[i] = f(src[i])` for `n` elements, swapping the bytes of the source (`SS`) and target (`DS`)
/// elements on the way.
///
/// # Safety
/// `src` is readable for `n` `S`s and `dst` writable for `n` `D`s, no alignment needed, not overlapping.
#[inline(always)]
unsafe fn map<S: Bits, D: Bits, const SS: bool, const DS: bool>(
    src: *const u8,
    dst: *mut u8,
    n: usize,
    f: impl Fn(S) -> D,
) {
    let (src, dst) = (src as *const S, dst as *mut D);
    for i in 0..n {
        // SAFETY: i < n, within the ranges the caller vouches for; unaligned accesses.
        let v = unsafe { read_unaligned(src.add(i)) };
        let w = f(if SS { v.swap() } else { v });
        // SAFETY: as above.
        unsafe { write_unaligned(dst.add(i), if DS { w.swap() } else { w }) };
    }
}

/// Turns a run-time byte-swap flag into the const parameter `$c` of `$e`, so each loop is
/// monomorphised without a branch inside.
macro_rules! with_swap {
    ($swap:expr, $c:ident => $e:expr) => {
        if $swap {
            const $c: bool = true;
            $e
        } else {
            const $c: bool = false;
            $e
        }
    };
}

/// float64 lanes → an integer of at most 32 bits with ECMAScript's ToInt32/ToUint32 wrap-around.
/// The fast pass converts with one truncating instruction, valid for |x| < 2^31 (the common case), and
/// notes whether any element was outside; only then is the run redone with the exact modular rule.
/// Written branch-free inside the loop so that it vectorises (cvttpd2dq).
///
/// # Safety
/// As [`map`], with `src` holding native-order f64 lanes.
#[inline(always)]
unsafe fn f64_to_int<D: Bits, const DS: bool>(
    src: *const u8,
    dst: *mut u8,
    n: usize,
    narrow: impl Fn(u32) -> D + Copy,
) {
    let (lanes, out) = (src as *const f64, dst as *mut D);
    let mut outside = false;
    for i in 0..n {
        // SAFETY: i < n (caller's ranges).
        let x = unsafe { read_unaligned(lanes.add(i)) };
        // NaN fails the comparison too, and lands on the exact path.
        let inside = x.abs() < 2_147_483_648.0;
        outside |= !inside;
        // `as i32` would saturate, which LLVM does not vectorise on x86; a value known to be in range
        // converts with the plain truncating instruction.
        let y = if inside { x } else { 0.0 };
        // SAFETY: |y| < 2^31, so its truncation is an i32.
        let w = narrow(unsafe { y.to_int_unchecked::<i32>() } as u32);
        // SAFETY: as above.
        unsafe { write_unaligned(out.add(i), if DS { w.swap() } else { w }) };
    }
    if outside {
        // SAFETY: the same ranges; source and target do not overlap, so the source is unchanged.
        unsafe { map::<f64, D, false, DS>(src, dst, n, |x| narrow(to_uint32_exact(x))) };
    }
}

/// ECMAScript ToUint32 (the low 32 bits of the truncated value; NaN, ±Infinity → 0) from the bits of
/// the double, without the `fmod` of [`crate::element::to_uint32`] (same results, tested): the
/// mantissa shifted into place, then negated for negative values. Branch-free, so that it vectorises
/// where per-lane variable shifts exist (AVX2).
#[inline(always)]
fn to_uint32_exact(x: f64) -> u32 {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    // value = mantissa × 2^(exp − 1075); |x| < 1 truncates to 0, and from 2^84 up (Infinity and NaN
    // included) every value is a multiple of 2^32.
    let shift = exp - 1075;
    let magnitude = if shift >= 0 {
        mantissa.wrapping_shl(shift as u32) as u32
    } else {
        mantissa.wrapping_shr((-shift) as u32) as u32
    };
    let magnitude = if (1023..1075 + 32).contains(&exp) {
        magnitude
    } else {
        0
    };
    if bits >> 63 != 0 {
        magnitude.wrapping_neg()
    } else {
        magnitude
    }
}

/// [`to_uint32_exact`], for the tests to compare with [`crate::element::to_uint32`].
#[cfg(test)]
pub(super) fn to_uint32_for_tests(x: f64) -> u32 {
    to_uint32_exact(x)
}

/// float64 lanes → a 64-bit integer with `BigInt(Math.trunc(x))` wrapped to 64 bits.
///
/// # Safety
/// As [`map`].
#[inline(always)]
unsafe fn f64_to_u64<const DS: bool>(src: *const u8, dst: *mut u8, n: usize) {
    // SAFETY: forwarded.
    unsafe {
        map::<f64, u64, false, DS>(src, dst, n, |x| {
            if x.abs() < 9_223_372_036_854_775_808.0 {
                x as i64 as u64
            } else {
                number_to_u64_bits(x)
            }
        })
    }
}

/// `uint8c`: NaN → 0, clamp to 0..=255, round half to even. Adding and subtracting 2^52 rounds to an
/// integer with the current (nearest-even) rounding, without SSE4.1's `roundpd` or a libm call.
#[inline(always)]
fn clamp_u8(x: f64) -> u8 {
    const ROUND: f64 = 4_503_599_627_370_496.0;
    // `max` returns the other operand for NaN, so NaN becomes 0 (`clamp` would keep the NaN).
    #[allow(clippy::manual_clamp)]
    let c = x.max(0.0).min(255.0);
    // SAFETY: 0 <= c + ROUND - ROUND <= 255 and not NaN (unchecked: the saturating `as` does not
    // vectorise).
    unsafe { ((c + ROUND) - ROUND).to_int_unchecked::<i32>() as u8 }
}

/// [`clamp_u8`], for the tests to compare with [`crate::element::to_uint8_clamp`].
#[cfg(test)]
pub(super) fn clamp_u8_for_tests(x: f64) -> u8 {
    clamp_u8(x)
}

/// Source kinds whose values are integers that fit in an `i64` lane with their meaning intact.
fn int_source(kind: ScalarKind) -> bool {
    !kind.is_float()
}

/// Targets whose stored bits are a function of an integer value's low bits (or its truthiness).
fn int_target(kind: ScalarKind) -> bool {
    !kind.is_float() && kind != ScalarKind::U8Clamped
}

/// Whether a conversion uses `i64` lanes (else `f64` lanes).
pub(super) fn uses_int_lanes(from: ScalarKind, to: ScalarKind) -> bool {
    int_source(from) && int_target(to)
}

/// Decodes `n` elements of `kind` into native `i64` lanes (sign- or zero-extended; bool → 0 or 1).
///
/// # Safety
/// `src` readable for `n` elements of `kind`, `out` writable for `n` lanes, not overlapping.
#[inline(always)]
unsafe fn decode_int(kind: ScalarKind, swap: bool, src: *const u8, out: *mut u8, n: usize) {
    use ScalarKind::*;
    // SAFETY: forwarded from the caller, the element type matching `kind`'s size (every arm).
    unsafe {
        with_swap!(swap, SW => match kind {
            Bool => map::<u8, i64, false, false>(src, out, n, |b| i64::from(b != 0)),
            I8 => map::<u8, i64, false, false>(src, out, n, |b| i64::from(b as i8)),
            U8 | U8Clamped => map::<u8, i64, false, false>(src, out, n, i64::from),
            I16 => map::<u16, i64, SW, false>(src, out, n, |v| i64::from(v as i16)),
            U16 => map::<u16, i64, SW, false>(src, out, n, i64::from),
            I32 => map::<u32, i64, SW, false>(src, out, n, |v| i64::from(v as i32)),
            U32 => map::<u32, i64, SW, false>(src, out, n, i64::from),
            I64 | U64 => map::<u64, i64, SW, false>(src, out, n, |v| v as i64),
            F16 | F32 | F64 => unreachable!("float source on the integer path"),
        })
    }
}

/// Encodes `n` native `i64` lanes as `kind`: the low bits, or `v != 0` for bool.
///
/// # Safety
/// `lanes` readable for `n` lanes, `dst` writable for `n` elements of `kind`, not overlapping.
#[inline(always)]
unsafe fn encode_int(kind: ScalarKind, swap: bool, lanes: *const u8, dst: *mut u8, n: usize) {
    use ScalarKind::*;
    // SAFETY: forwarded from the caller (every arm).
    unsafe {
        with_swap!(swap, SW => match kind {
            Bool => map::<i64, u8, false, false>(lanes, dst, n, |v| u8::from(v != 0)),
            I8 | U8 => map::<i64, u8, false, false>(lanes, dst, n, |v| v as u8),
            I16 | U16 => map::<i64, u16, false, SW>(lanes, dst, n, |v| v as u16),
            I32 | U32 => map::<i64, u32, false, SW>(lanes, dst, n, |v| v as u32),
            I64 | U64 => map::<i64, u64, false, SW>(lanes, dst, n, |v| v as u64),
            U8Clamped | F16 | F32 | F64 => unreachable!("not an integer-lane target"),
        })
    }
}

/// Decodes `n` elements of `kind` into native `f64` lanes: the value as a JS Number (a bigint as
/// `Number(v)`, rounded to nearest even; bool as 1 or 0).
///
/// # Safety
/// As [`decode_int`].
#[inline(always)]
unsafe fn decode_f64(kind: ScalarKind, swap: bool, src: *const u8, out: *mut u8, n: usize) {
    use ScalarKind::*;
    let one = |b: bool| if b { 1.0 } else { 0.0 };
    // SAFETY: forwarded from the caller (every arm).
    unsafe {
        with_swap!(swap, SW => match kind {
            Bool => map::<u8, f64, false, false>(src, out, n, |b| one(b != 0)),
            I8 => map::<u8, f64, false, false>(src, out, n, |b| f64::from(b as i8)),
            U8 | U8Clamped => map::<u8, f64, false, false>(src, out, n, f64::from),
            I16 => map::<u16, f64, SW, false>(src, out, n, |v| f64::from(v as i16)),
            U16 => map::<u16, f64, SW, false>(src, out, n, f64::from),
            I32 => map::<u32, f64, SW, false>(src, out, n, |v| f64::from(v as i32)),
            U32 => map::<u32, f64, SW, false>(src, out, n, f64::from),
            I64 => map::<u64, f64, SW, false>(src, out, n, |v| v as i64 as f64),
            U64 => map::<u64, f64, SW, false>(src, out, n, |v| v as f64),
            F16 => map::<u16, f64, SW, false>(src, out, n, |v| f16::from_bits(v).to_f64()),
            F32 => map::<u32, f64, SW, false>(src, out, n, |v| f64::from(f32::from_bits(v))),
            F64 => map::<f64, f64, SW, false>(src, out, n, |x| x),
        })
    }
}

/// Encodes `n` native `f64` lanes as `kind` with ECMAScript's conversion for that element type
/// (ToInt8 … ToUint32, ToUint8Clamp, float rounding, truthiness for bool, the BigInt rule for 64-bit).
///
/// # Safety
/// As [`encode_int`].
#[inline(always)]
unsafe fn encode_f64(kind: ScalarKind, swap: bool, lanes: *const u8, dst: *mut u8, n: usize) {
    use ScalarKind::*;
    // SAFETY: forwarded from the caller (every arm).
    unsafe {
        with_swap!(swap, SW => match kind {
            // Truthy: neither ±0 nor NaN. Tested on the bits with integer compares: the vectorised float compare
            // `abs() > 0` gave NaN → true under valgrind's emulation of it (native runs were right).
            Bool => map::<f64, u8, false, false>(lanes, dst, n, |x| {
                let magnitude = x.to_bits() & 0x7fff_ffff_ffff_ffff;
                u8::from(magnitude != 0 && magnitude <= 0x7ff0_0000_0000_0000)
            }),
            I8 | U8 => f64_to_int::<u8, false>(lanes, dst, n, |v| v as u8),
            U8Clamped => map::<f64, u8, false, false>(lanes, dst, n, clamp_u8),
            I16 | U16 => f64_to_int::<u16, SW>(lanes, dst, n, |v| v as u16),
            I32 | U32 => f64_to_int::<u32, SW>(lanes, dst, n, |v| v),
            I64 | U64 => f64_to_u64::<SW>(lanes, dst, n),
            F16 => map::<f64, u16, false, SW>(lanes, dst, n, f64_to_f16_bits),
            F32 => map::<f64, u32, false, SW>(lanes, dst, n, |x| (x as f32).to_bits()),
            F64 => map::<f64, f64, false, SW>(lanes, dst, n, |x| x),
        })
    }
}

/// [`decode_int`] or [`decode_f64`]: plain branches rather than function pointers, so that both stay
/// inlined (and get the AVX2 code).
///
/// # Safety
/// As [`decode_int`].
#[inline(always)]
unsafe fn decode(
    int_lanes: bool,
    kind: ScalarKind,
    swap: bool,
    src: *const u8,
    out: *mut u8,
    n: usize,
) {
    // SAFETY: forwarded.
    unsafe {
        if int_lanes {
            decode_int(kind, swap, src, out, n)
        } else {
            decode_f64(kind, swap, src, out, n)
        }
    }
}

/// [`encode_int`] or [`encode_f64`], as [`decode`].
///
/// # Safety
/// As [`encode_int`].
#[inline(always)]
unsafe fn encode(
    int_lanes: bool,
    kind: ScalarKind,
    swap: bool,
    lanes: *const u8,
    dst: *mut u8,
    n: usize,
) {
    // SAFETY: forwarded.
    unsafe {
        if int_lanes {
            encode_int(kind, swap, lanes, dst, n)
        } else {
            encode_f64(kind, swap, lanes, dst, n)
        }
    }
}

/// Reverses the bytes of each of `n` elements of `itemsize` bytes.
#[inline(always)]
unsafe fn swap_body(src: *const u8, dst: *mut u8, n: usize, itemsize: usize) {
    // SAFETY: the caller's ranges, `n * itemsize` bytes on each side (every arm).
    unsafe {
        match itemsize {
            2 => map::<u16, u16, true, false>(src, dst, n, |v| v),
            4 => map::<u32, u32, true, false>(src, dst, n, |v| v),
            8 => map::<u64, u64, true, false>(src, dst, n, |v| v),
            _ => {
                for i in 0..n {
                    let (s, d) = (src.add(i * itemsize), dst.add(i * itemsize));
                    for b in 0..itemsize {
                        *d.add(b) = *s.add(itemsize - 1 - b);
                    }
                }
            }
        }
    }
}

/// Byte-swaps `n` contiguous elements of `itemsize` bytes from `src` into `dst`, with `pshufb` under
/// AVX2 or SSSE3 (SSE2 alone has no byte shuffle: the baseline loop is about half as fast).
///
/// # Safety
/// `src` readable and `dst` writable for `n * itemsize` bytes, not overlapping; no alignment needed.
pub(super) unsafe fn swap_run(dst: *mut u8, src: *const u8, n: usize, itemsize: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if simd::has_avx2() {
            // SAFETY: the CPU has AVX2; forwarded.
            return unsafe { swap_avx2(src, dst, n, itemsize) };
        }
        if simd::has_ssse3() {
            // SAFETY: the CPU has SSSE3; forwarded.
            return unsafe { swap_ssse3(src, dst, n, itemsize) };
        }
    }
    // SAFETY: forwarded.
    unsafe { swap_body(src, dst, n, itemsize) }
}

/// [`swap_body`] compiled for AVX2.
///
/// # Safety
/// The CPU has AVX2; as [`swap_run`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn swap_avx2(src: *const u8, dst: *mut u8, n: usize, itemsize: usize) {
    // SAFETY: forwarded.
    unsafe { swap_body(src, dst, n, itemsize) }
}

/// [`swap_body`] compiled for SSSE3.
///
/// # Safety
/// The CPU has SSSE3; as [`swap_run`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
unsafe fn swap_ssse3(src: *const u8, dst: *mut u8, n: usize, itemsize: usize) {
    // SAFETY: forwarded.
    unsafe { swap_body(src, dst, n, itemsize) }
}

/// Where the lanes of one chunk come from and go to.
#[inline(always)]
unsafe fn convert_body(
    dst: *mut u8,
    src: *const u8,
    n: usize,
    from: ScalarKind,
    from_swap: bool,
    to: ScalarKind,
    to_swap: bool,
) {
    #[repr(align(64))]
    struct Lanes([u8; CHUNK * 8]);

    let int_lanes = uses_int_lanes(from, to);
    let lane_kind = if int_lanes {
        ScalarKind::I64
    } else {
        ScalarKind::F64
    };
    // A side already in the lane type, native order, is used as the lane buffer itself.
    let lanes_at_src = !from_swap && (from == lane_kind || (int_lanes && from == ScalarKind::U64));
    let lanes_at_dst = !to_swap && (to == lane_kind || (int_lanes && to == ScalarKind::U64));
    let (s, d) = (from.size(), to.size());
    if lanes_at_src && lanes_at_dst {
        // SAFETY: same-size lanes; the caller's ranges, not overlapping.
        unsafe { std::ptr::copy_nonoverlapping(src, dst, n * 8) };
        return;
    }
    if lanes_at_src {
        // SAFETY: the source is `n` native lanes.
        unsafe { encode(int_lanes, to, to_swap, src, dst, n) };
        return;
    }
    if lanes_at_dst {
        // SAFETY: the target is `n` native lanes.
        unsafe { decode(int_lanes, from, from_swap, src, dst, n) };
        return;
    }
    let mut buf = Lanes([0; CHUNK * 8]);
    let lanes = buf.0.as_mut_ptr();
    let mut i = 0;
    while i < n {
        let m = CHUNK.min(n - i);
        // SAFETY: chunk `i..i + m` of the caller's ranges; `buf` holds CHUNK lanes.
        unsafe {
            decode(int_lanes, from, from_swap, src.add(i * s), lanes, m);
            encode(int_lanes, to, to_swap, lanes, dst.add(i * d), m);
        }
        i += m;
    }
}

multiversion! {
    /// Converts `n` contiguous elements of `from` (bytes swapped if `from_swap`) into `to` (swapped if
    /// `to_swap`) with the rules of `TypedArray.prototype.set` extended to BigInt (see the module docs).
    ///
    /// # Safety
    /// `src` readable for `n * from.size()` bytes and `dst` writable for `n * to.size()` bytes, not
    /// overlapping; no alignment needed.
    pub(super) unsafe fn convert_run(
        dst: *mut u8,
        src: *const u8,
        n: usize,
        from: ScalarKind,
        from_swap: bool,
        to: ScalarKind,
        to_swap: bool,
    ) {
        // SAFETY: forwarded.
        unsafe { convert_body(dst, src, n, from, from_swap, to, to_swap) }
    }
}
