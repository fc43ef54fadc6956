//! Raw transposes of 4- and 8-byte elements: one side dense along its rows, the other dense down its
//! columns (a row-major matrix ⇄ a column-major array), the layouts a numeric `T**` meets most.
//!
//! The copy goes block by block, each block a square of `L × L` elements with `L × itemsize` = 64
//! bytes: every line of a block on either side is one whole cache line, read or written in one go, so
//! cache-set aliasing of power-of-two strides cannot evict a line between two partial uses. A block is
//! transposed in registers (4×4 AVX kernels, or SSE2 2×2 / SSE 4×4 ones on the baseline). Blocks are
//! grouped into tiles of a few blocks a side for TLB and prefetch locality.

#[cfg(target_arch = "x86_64")]
use super::simd::has_avx2;
use super::Side;

/// Blocks per tile edge (tiles of 64 × 64 doubles, 128 × 128 floats): measured best among 2..=16
/// blocks; a tile's lines then span a few dozen pages on each side.
const TILE_BLOCKS: usize = 8;

/// Which side is dense along which axis.
#[derive(Clone, Copy)]
pub(super) enum Transpose {
    /// The source is dense down its columns (row stride = itemsize), the target along its rows.
    SrcColumns,
    /// The source is dense along its rows, the target down its columns.
    DstColumns,
}

impl Transpose {
    /// The transpose kernel for these sides, if one applies: 4- or 8-byte raw elements, at least one
    /// whole block each way, one side dense along rows and the other down columns.
    pub(super) fn detect(
        dst: &Side,
        src: &Side,
        cols: usize,
        itemsize: usize,
    ) -> Option<Transpose> {
        let z = itemsize as isize;
        let rows = src.rows.len();
        if !(itemsize == 4 || itemsize == 8) || rows < 64 / itemsize || cols < 64 / itemsize {
            return None;
        }
        if src.rs == Some(z) && dst.cs == z {
            Some(Transpose::SrcColumns)
        } else if src.cs == z && dst.rs == Some(z) {
            Some(Transpose::DstColumns)
        } else {
            None
        }
    }
}

/// Line pointers of one block: `ins[i]` is the start of input line `i`, `outs[j]` of output line `j`;
/// output line `j`, element `i` receives input line `i`, element `j`.
type Lines = ([*const u8; 16], [*mut u8; 16]);

/// Transposes `rows × cols` elements of `itemsize` (4 or 8) bytes between the sides.
///
/// # Safety
/// As [`super::strided::tiled`]; `Transpose::detect` returned `kind` for these sides.
pub(super) unsafe fn transpose(
    dst: &Side,
    src: &Side,
    cols: usize,
    itemsize: usize,
    kind: Transpose,
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU has AVX2; forwarded.
        return unsafe { avx2(dst, src, cols, itemsize, kind) };
    }
    // SAFETY: forwarded.
    unsafe { baseline(dst, src, cols, itemsize, kind) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn avx2(dst: &Side, src: &Side, cols: usize, itemsize: usize, kind: Transpose) {
    // SAFETY: forwarded; the kernels need AVX, which this function is compiled for (both arms).
    unsafe {
        if itemsize == 8 {
            tiles::<8>(dst, src, cols, kind, |l| x86::block8_avx(l))
        } else {
            tiles::<4>(dst, src, cols, kind, |l| x86::block4_sse(l))
        }
    }
}

#[inline(always)]
unsafe fn baseline(dst: &Side, src: &Side, cols: usize, itemsize: usize, kind: Transpose) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: forwarded; SSE2 is part of the x86-64 baseline (both arms).
    unsafe {
        if itemsize == 8 {
            tiles::<8>(dst, src, cols, kind, |l| x86::block8_sse2(l))
        } else {
            tiles::<4>(dst, src, cols, kind, |l| x86::block4_sse(l))
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: forwarded (both arms).
    unsafe {
        if itemsize == 8 {
            tiles::<8>(dst, src, cols, kind, |l| block_scalar::<8>(l))
        } else {
            tiles::<4>(dst, src, cols, kind, |l| block_scalar::<4>(l))
        }
    }
}

/// A block with plain loads and stores (targets without a hand-written kernel).
///
/// # Safety
/// Each line pointer is valid for 64 bytes.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
unsafe fn block_scalar<const N: usize>((ins, outs): &Lines) {
    use std::ptr::{read_unaligned, write_unaligned};
    let l = 64 / N;
    for j in 0..l {
        for i in 0..l {
            // SAFETY: element j of input line i and element i of output line j lie in their lines.
            unsafe {
                let v = read_unaligned(ins[i].wrapping_add(j * N) as *const [u8; N]);
                write_unaligned(outs[j].wrapping_add(i * N) as *mut [u8; N], v);
            }
        }
    }
}

/// Walks the matrix tile by tile, block by block, with `block` for whole blocks and element copies for
/// the ragged right and bottom edges.
///
/// # Safety
/// As [`transpose`]; `block` transposes one block given its line pointers.
#[inline(always)]
unsafe fn tiles<const N: usize>(
    dst: &Side,
    src: &Side,
    cols: usize,
    kind: Transpose,
    block: impl Fn(&Lines),
) {
    let rows = src.rows.len();
    let l = 64 / N;
    let tile = TILE_BLOCKS * l;
    let z = N as isize;
    // Element addresses. Row-major sides go through their row table, column-major ones from row 0.
    let at = |side: &Side, r: usize, c: usize| -> *mut u8 {
        match side.rs {
            Some(rs) if rs == z && side.cs != z => {
                side.rows[0].wrapping_offset(r as isize * z + c as isize * side.cs)
            }
            _ => side.rows[r].wrapping_offset(c as isize * side.cs),
        }
    };
    let one = |r: usize, c: usize| {
        // SAFETY: (r, c) is inside the matrix: valid on both sides (caller).
        unsafe {
            std::ptr::copy_nonoverlapping(at(src, r, c) as *const u8, at(dst, r, c), N);
        }
    };
    for r0 in (0..rows).step_by(tile) {
        let r1 = (r0 + tile).min(rows);
        for c0 in (0..cols).step_by(tile) {
            let c1 = (c0 + tile).min(cols);
            let mut c = c0;
            while c + l <= c1 {
                let mut r = r0;
                while r + l <= r1 {
                    let mut lines: Lines = ([std::ptr::null(); 16], [std::ptr::null_mut(); 16]);
                    match kind {
                        // Input lines are source columns c + k from row r; output lines are target
                        // rows r + k from column c.
                        Transpose::SrcColumns => {
                            let first =
                                src.rows[0].wrapping_offset(r as isize * z + c as isize * src.cs);
                            for k in 0..l {
                                lines.0[k] = first.wrapping_offset(k as isize * src.cs);
                                lines.1[k] = dst.rows[r + k].wrapping_offset(c as isize * z);
                            }
                        }
                        // Input lines are source rows, output lines target columns.
                        Transpose::DstColumns => {
                            let first =
                                dst.rows[0].wrapping_offset(r as isize * z + c as isize * dst.cs);
                            for k in 0..l {
                                lines.0[k] = src.rows[r + k].wrapping_offset(c as isize * z);
                                lines.1[k] = first.wrapping_offset(k as isize * dst.cs);
                            }
                        }
                    }
                    block(&lines);
                    r += l;
                }
                for r in r..r1 {
                    for c in c..c + l {
                        one(r, c);
                    }
                }
                c += l;
            }
            for c in c..c1 {
                for r in r0..r1 {
                    one(r, c);
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Lines;
    use std::arch::x86_64::*;

    /// An 8 × 8 block of 8-byte elements as four 4 × 4 AVX transposes.
    ///
    /// # Safety
    /// The CPU has AVX; each of the first 8 line pointers is valid for 64 bytes.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) unsafe fn block8_avx((ins, outs): &Lines) {
        // Output lines 0..4 first, whole (cache lines written in one go), then 4..8.
        for (bi, bj) in [(0, 0), (4, 0), (0, 4), (4, 4)] {
            // SAFETY: lines bi..bi + 4 (elements bj..bj + 4) and bj..bj + 4 (elements bi..bi + 4)
            // are inside the block.
            unsafe {
                let ld = |i: usize| _mm256_loadu_pd(ins[bi + i].wrapping_add(bj * 8) as *const f64);
                let (a, b, c, d) = (ld(0), ld(1), ld(2), ld(3));
                let t0 = _mm256_unpacklo_pd(a, b); // a0 b0 a2 b2
                let t1 = _mm256_unpackhi_pd(a, b); // a1 b1 a3 b3
                let t2 = _mm256_unpacklo_pd(c, d); // c0 d0 c2 d2
                let t3 = _mm256_unpackhi_pd(c, d); // c1 d1 c3 d3
                let st = |j: usize, v| {
                    _mm256_storeu_pd(outs[bj + j].wrapping_add(bi * 8) as *mut f64, v)
                };
                st(0, _mm256_permute2f128_pd(t0, t2, 0x20));
                st(1, _mm256_permute2f128_pd(t1, t3, 0x20));
                st(2, _mm256_permute2f128_pd(t0, t2, 0x31));
                st(3, _mm256_permute2f128_pd(t1, t3, 0x31));
            }
        }
    }

    /// An 8 × 8 block of 8-byte elements as sixteen 2 × 2 SSE2 transposes.
    ///
    /// # Safety
    /// Each of the first 8 line pointers is valid for 64 bytes.
    #[inline(always)]
    pub(super) unsafe fn block8_sse2((ins, outs): &Lines) {
        // Output lines completed one pair at a time (whole cache lines written in one go).
        for bj in (0..8).step_by(2) {
            for bi in (0..8).step_by(2) {
                // SAFETY: as in `block8_avx`, with 2 × 2 sub-blocks; SSE2 is baseline on x86-64.
                unsafe {
                    let a = _mm_loadu_pd(ins[bi].wrapping_add(bj * 8) as *const f64);
                    let b = _mm_loadu_pd(ins[bi + 1].wrapping_add(bj * 8) as *const f64);
                    _mm_storeu_pd(
                        outs[bj].wrapping_add(bi * 8) as *mut f64,
                        _mm_unpacklo_pd(a, b),
                    );
                    _mm_storeu_pd(
                        outs[bj + 1].wrapping_add(bi * 8) as *mut f64,
                        _mm_unpackhi_pd(a, b),
                    );
                }
            }
        }
    }

    /// A 16 × 16 block of 4-byte elements as sixteen 4 × 4 SSE transposes (VEX-encoded in the AVX2
    /// build).
    ///
    /// # Safety
    /// Each of the 16 line pointers is valid for 64 bytes.
    #[inline(always)]
    pub(super) unsafe fn block4_sse((ins, outs): &Lines) {
        for bj in (0..16).step_by(4) {
            for bi in (0..16).step_by(4) {
                // SAFETY: as in `block8_avx`, with 4 × 4 sub-blocks; SSE is baseline on x86-64.
                unsafe {
                    let ld =
                        |i: usize| _mm_loadu_ps(ins[bi + i].wrapping_add(bj * 4) as *const f32);
                    let (a, b, c, d) = (ld(0), ld(1), ld(2), ld(3));
                    let t0 = _mm_unpacklo_ps(a, b); // a0 b0 a1 b1
                    let t1 = _mm_unpacklo_ps(c, d); // c0 d0 c1 d1
                    let t2 = _mm_unpackhi_ps(a, b); // a2 b2 a3 b3
                    let t3 = _mm_unpackhi_ps(c, d); // c2 d2 c3 d3
                    let st = |j: usize, v| {
                        _mm_storeu_ps(outs[bj + j].wrapping_add(bi * 4) as *mut f32, v)
                    };
                    st(0, _mm_movelh_ps(t0, t1));
                    st(1, _mm_movehl_ps(t1, t0));
                    st(2, _mm_movelh_ps(t2, t3));
                    st(3, _mm_movehl_ps(t3, t2));
                }
            }
        }
    }
}
