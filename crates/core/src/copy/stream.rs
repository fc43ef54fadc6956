//! The largest copies, swaps and conversions written with non-temporal stores.
//!
//! A plain store to a line that is not in the cache first reads it (the read for ownership), so a
//! copy whose target is far larger than the caches moves the target twice. `memcpy` switches to
//! non-temporal stores past a size set from the cache size (glibc: 41 MB on a 105 MB L3); the copy
//! kernels do the same past [`STREAM_MIN_BYTES`] of the whole copy, whose chunks (`parallel`) are
//! each below glibc's threshold. Byte swaps into aligned elements are swapped in registers between
//! the load and the store; conversions (and swaps into misaligned elements) go through a small
//! buffer that stays in L1: each piece is converted there, then streamed to the target. Measured
//! one thread, one process, 4000 × 4000 (Intel, 105 MB L3): int32 → float64 and float32 → float64
//! 0.70 → 0.90–0.94× memcpy, `'>i' ← 'i'` through the buffer 0.58 → 0.64–0.72× the same-format
//! copy; a 4 KiB buffer instead of 16 KiB gave 0.65 for the swap, 32 and 64 KiB no better;
//! prefetching the next piece gained nothing.

use super::{op_run, ElementOp};

/// The smallest copy, in target bytes, written with non-temporal stores. Below it the target may
/// stay in the last-level cache between uses, and plain stores win (1000 × 1000 'd' conversions,
/// 8 MB, are as fast as memcpy with them).
pub(super) const STREAM_MIN_BYTES: usize = 32 << 20;

/// Bytes converted at a time into the L1 buffer (see the module docs for the size).
const STAGE_BYTES: usize = 16384;

#[repr(align(64))]
struct Stage([u8; STAGE_BYTES]);

/// Whether a copy of `bytes` target bytes with `op` is streamed.
pub(super) fn streams(op: ElementOp, bytes: usize) -> bool {
    cfg!(target_arch = "x86_64")
        && op.dst_itemsize() <= STAGE_BYTES / 8
        && bytes >= STREAM_MIN_BYTES
}

/// Applies `op` to `n` contiguous elements, the result streamed to `dst` (a raw copy directly, else
/// piece by piece through the L1 buffer). The caller ends the copy with [`fence`].
///
/// # Safety
/// As `op_run`: `src` readable for `n * op.src_itemsize()` bytes, `dst` writable for
/// `n * op.dst_itemsize()`, not overlapping; `op.dst_itemsize() <= STAGE_BYTES`.
pub(super) unsafe fn op_run_streamed(dst: *mut u8, src: *const u8, n: usize, op: ElementOp) {
    if let ElementOp::Raw { itemsize } = op {
        // SAFETY: forwarded.
        return unsafe { stream_bytes(dst, src, n * itemsize) };
    }
    #[cfg(target_arch = "x86_64")]
    if let ElementOp::Swap { itemsize } = op {
        if matches!(itemsize, 2 | 4 | 8)
            && (dst as usize).is_multiple_of(itemsize)
            && super::simd::has_ssse3()
        {
            // SAFETY: the CPU has SSSE3; `dst` is aligned to the elements; forwarded.
            return unsafe { stream_swapped(dst, src, n, itemsize) };
        }
    }
    let (s, d) = (op.src_itemsize(), op.dst_itemsize());
    let per_stage = STAGE_BYTES / d;
    let mut stage = Stage([0; STAGE_BYTES]);
    let buf = stage.0.as_mut_ptr();
    let mut i = 0;
    while i < n {
        let m = per_stage.min(n - i);
        // SAFETY: chunk `i..i + m` of the caller's ranges; the stage holds `m * d` bytes and overlaps
        // neither side.
        unsafe {
            op_run(buf, src.add(i * s), m, op);
            stream_bytes(dst.add(i * d), buf, m * d);
        }
        i += m;
    }
}

/// Copies `len` bytes to `dst` with non-temporal stores for every aligned 16 bytes, plain copies for
/// the unaligned head and tail.
///
/// # Safety
/// `src` readable and `dst` writable for `len` bytes, not overlapping.
#[inline]
unsafe fn stream_bytes(dst: *mut u8, src: *const u8, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_stream_si128};
        let head = dst.align_offset(16).min(len);
        let body = (len - head) & !15;
        // SAFETY: every access lies in the caller's `len` bytes; the stores in the body are 16-byte
        // aligned (`head` aligns `dst`); SSE2 is baseline on x86-64.
        unsafe {
            std::ptr::copy_nonoverlapping(src, dst, head);
            let mut k = head;
            while k < head + body {
                let v = _mm_loadu_si128(src.add(k) as *const __m128i);
                _mm_stream_si128(dst.add(k) as *mut __m128i, v);
                k += 16;
            }
            std::ptr::copy_nonoverlapping(src.add(k), dst.add(k), len - k);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: forwarded (`streams` is false off x86-64, so this is not reached there).
    unsafe {
        std::ptr::copy_nonoverlapping(src, dst, len);
    }
}

/// Byte-swaps `n` elements of `itemsize` (2, 4 or 8) bytes into `dst` with non-temporal stores,
/// straight from registers (`pshufb` between the load and the store) rather than through the L1
/// buffer. 4000 × 4000 `'>i' ← 'i'`, shared with the helper (AMD Zen 4, the kernels example): 4.0 →
/// 2.5 ms, the time of the same-format copy; through the buffer it took 1.6 times that.
///
/// # Safety
/// The CPU has SSSE3; `dst` is a multiple of `itemsize` (so that the 16-byte aligned body starts on
/// an element); otherwise as [`op_run_streamed`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
unsafe fn stream_swapped(dst: *mut u8, src: *const u8, n: usize, itemsize: usize) {
    use super::convert::swap_run;
    use std::arch::x86_64::{
        __m128i, _mm_loadu_si128, _mm_setr_epi8, _mm_shuffle_epi8, _mm_stream_si128,
    };
    let len = n * itemsize;
    let head = dst.align_offset(16).min(len);
    let body = (len - head) & !15;
    // Byte `i` of each 16 comes from byte `reversed[i]`: the bytes of every element reversed.
    let reversed = match itemsize {
        2 => _mm_setr_epi8(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14),
        4 => _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12),
        _ => _mm_setr_epi8(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8),
    };
    // SAFETY: every access lies in the caller's ranges; `head` and `body` are whole elements (`dst`
    // is aligned to them, and 16 is a multiple of 2, 4 and 8); the stores in the body are 16-byte
    // aligned.
    unsafe {
        swap_run(dst, src, head / itemsize, itemsize);
        let mut k = head;
        while k < head + body {
            let v = _mm_loadu_si128(src.add(k) as *const __m128i);
            _mm_stream_si128(dst.add(k) as *mut __m128i, _mm_shuffle_epi8(v, reversed));
            k += 16;
        }
        swap_run(dst.add(k), src.add(k), (len - k) / itemsize, itemsize);
    }
}

/// Orders the streamed stores before whatever follows the copy.
pub(super) fn fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is baseline on x86-64.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}
