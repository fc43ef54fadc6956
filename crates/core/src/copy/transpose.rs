//! Raw transposes of 1-, 2-, 4- and 8-byte elements: one side dense along its rows, the other dense
//! down its columns (a row-major matrix ⇄ a column-major array), the layouts a numeric `T**` meets
//! most.
//!
//! The copy goes block by block, each block a square of `L × L` elements transposed in registers.
//! For 4- and 8-byte elements `L × itemsize` = 64 bytes: every line of a block on either side is one
//! whole cache line, read or written in one go, so cache-set aliasing of power-of-two strides cannot
//! evict a line between two partial uses (4×4 AVX kernels, or SSE2 2×2 / SSE 4×4 ones on the
//! baseline). Bytes go in 16 × 16 blocks and 2-byte elements in 8 × 8 ones (16-byte lines, one SSE
//! register each, transposed by rounds of unpacks); their tiles are small enough that the four
//! blocks sharing a cache line run while it is still in L1. Blocks are grouped into tiles of a few
//! blocks a side for TLB and prefetch locality.

#[cfg(target_arch = "x86_64")]
use super::simd::has_avx2;
use super::Side;

/// Blocks per tile edge (tiles of 64 × 64 doubles, 128 × 128 floats): measured best among 2..=16
/// blocks; a tile's lines then span a few dozen pages on each side.
const TILE_BLOCKS: usize = 8;

/// Tile edges in elements for 8- and 4-byte elements.
const BIG_TILE8: usize = TILE_BLOCKS * 8;
const BIG_TILE4: usize = TILE_BLOCKS * 16;

/// Tile edge in elements for 1- and 2-byte elements (whole cache lines of bytes, 64 × 64 bytes).
const SMALL_TILE: usize = 64;

/// Which side is dense along which axis.
#[derive(Clone, Copy)]
pub(super) enum Transpose {
    /// The source is dense down its columns (row stride = itemsize), the target along its rows.
    SrcColumns,
    /// The source is dense along its rows, the target down its columns.
    DstColumns,
}

impl Transpose {
    /// The transpose kernel for these sides, if one applies: 1-, 2-, 4- or 8-byte raw elements, at
    /// least one whole block each way, one side dense along rows and the other down columns.
    pub(super) fn detect(
        dst: &Side,
        src: &Side,
        cols: usize,
        itemsize: usize,
    ) -> Option<Transpose> {
        let z = itemsize as isize;
        let rows = src.rows.len();
        let edge = match itemsize {
            1 => 16,
            2 => 8,
            4 | 8 => 64 / itemsize,
            _ => return None,
        };
        if rows < edge || cols < edge {
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

/// Where the lines of one side of a block start: input line `i`, element `j` goes to output line
/// `j`, element `i`.
pub(super) trait LineSet: Copy {
    /// The start of line `k`.
    fn line(self, k: usize) -> *mut u8;
}

/// Lines at a fixed distance: a column-major side's columns, or a row-major side's rows when they
/// are evenly spaced.
#[derive(Clone, Copy)]
pub(super) struct Strided {
    pub(super) base: *mut u8,
    pub(super) stride: isize,
}

impl LineSet for Strided {
    #[inline(always)]
    fn line(self, k: usize) -> *mut u8 {
        self.base.wrapping_offset(k as isize * self.stride)
    }
}

/// Lines from a row table (the block's rows only), each `offset` bytes in.
#[derive(Clone, Copy)]
pub(super) struct Table<'a> {
    pub(super) rows: &'a [*mut u8],
    pub(super) offset: isize,
}

impl LineSet for Table<'_> {
    #[inline(always)]
    fn line(self, k: usize) -> *mut u8 {
        self.rows[k].wrapping_offset(self.offset)
    }
}

/// Transposes `rows × cols` elements of `itemsize` (1, 2, 4 or 8) bytes between the sides.
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
    // SAFETY: forwarded; the kernels need AVX, which this function is compiled for (every arm).
    unsafe {
        match itemsize {
            8 => tiles::<8, 8, 8>(
                dst,
                src,
                cols,
                kind,
                BIG_TILE8,
                |i, o| x86::block8_avx(i, o),
                |i, o| x86::block8_avx(i, o),
            ),
            4 => tiles::<4, 16, 16>(
                dst,
                src,
                cols,
                kind,
                BIG_TILE4,
                |i, o| x86::block4_sse(i, o),
                |i, o| x86::block4_sse(i, o),
            ),
            2 => tiles::<2, 8, 16>(
                dst,
                src,
                cols,
                kind,
                SMALL_TILE,
                |i, o| x86::block2_avx2(i, o),
                |i, o| x86::block2_avx2(i, o),
            ),
            _ => tiles::<1, 16, 32>(
                dst,
                src,
                cols,
                kind,
                SMALL_TILE,
                |i, o| x86::block1_avx2(i, o),
                |i, o| x86::block1_avx2(i, o),
            ),
        }
    }
}

#[inline(always)]
unsafe fn baseline(dst: &Side, src: &Side, cols: usize, itemsize: usize, kind: Transpose) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: forwarded; SSE2 is part of the x86-64 baseline (every arm).
    unsafe {
        match itemsize {
            8 => tiles::<8, 8, 8>(
                dst,
                src,
                cols,
                kind,
                BIG_TILE8,
                |i, o| x86::block8_sse2(i, o),
                |i, o| x86::block8_sse2(i, o),
            ),
            4 => tiles::<4, 16, 16>(
                dst,
                src,
                cols,
                kind,
                BIG_TILE4,
                |i, o| x86::block4_sse(i, o),
                |i, o| x86::block4_sse(i, o),
            ),
            2 => tiles::<2, 8, 8>(
                dst,
                src,
                cols,
                kind,
                SMALL_TILE,
                |i, o| x86::block2_sse2(i, o),
                |i, o| x86::block2_sse2(i, o),
            ),
            _ => tiles::<1, 16, 16>(
                dst,
                src,
                cols,
                kind,
                SMALL_TILE,
                |i, o| x86::block1_sse2(i, o),
                |i, o| x86::block1_sse2(i, o),
            ),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: forwarded (every arm).
    unsafe {
        match itemsize {
            8 => tiles::<8, 8, 8>(
                dst,
                src,
                cols,
                kind,
                BIG_TILE8,
                |i, o| block_scalar::<8, 8, 8>(i, o),
                |i, o| block_scalar::<8, 8, 8>(i, o),
            ),
            4 => tiles::<4, 16, 16>(
                dst,
                src,
                cols,
                kind,
                BIG_TILE4,
                |i, o| block_scalar::<4, 16, 16>(i, o),
                |i, o| block_scalar::<4, 16, 16>(i, o),
            ),
            2 => tiles::<2, 8, 8>(
                dst,
                src,
                cols,
                kind,
                SMALL_TILE,
                |i, o| block_scalar::<2, 8, 8>(i, o),
                |i, o| block_scalar::<2, 8, 8>(i, o),
            ),
            _ => tiles::<1, 16, 16>(
                dst,
                src,
                cols,
                kind,
                SMALL_TILE,
                |i, o| block_scalar::<1, 16, 16>(i, o),
                |i, o| block_scalar::<1, 16, 16>(i, o),
            ),
        }
    }
}

/// A block of `LI` input lines of `LL` elements of `N` bytes with plain loads and stores (the
/// reference the register kernels are tested against, and the kernel of targets without one).
///
/// # Safety
/// Each of the first `LI` input line pointers is valid for `LL * N` bytes, each of the first `LL`
/// output line pointers for `LI * N` bytes.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
pub(super) unsafe fn block_scalar<const N: usize, const LI: usize, const LL: usize>(
    ins: impl LineSet,
    outs: impl LineSet,
) {
    use std::ptr::{read_unaligned, write_unaligned};
    for j in 0..LL {
        for i in 0..LI {
            // SAFETY: element j of input line i and element i of output line j lie in their lines.
            unsafe {
                let v = read_unaligned(ins.line(i).wrapping_add(j * N) as *const [u8; N]);
                write_unaligned(outs.line(j).wrapping_add(i * N) as *mut [u8; N], v);
            }
        }
    }
}

/// Walks the matrix tile by tile (`tile` elements a side, a multiple of both block edges), block by
/// block, with the kernel for every block (element copies when the matrix is smaller than one). A
/// block has `LI` input lines of `LL` elements of `N` bytes, so `LL` output lines of `LI` elements.
///
/// # Safety
/// As [`transpose`]; `src_columns` and `dst_columns` transpose one block given its lines.
#[inline(always)]
unsafe fn tiles<const N: usize, const LI: usize, const LL: usize>(
    dst: &Side,
    src: &Side,
    cols: usize,
    kind: Transpose,
    tile: usize,
    src_columns: impl Fn(Strided, Table),
    dst_columns: impl Fn(Table, Strided),
) {
    let rows = src.rows.len();
    let z = N as isize;
    // Block rows and columns: input lines are source columns (SrcColumns) or source rows.
    let (br, bc) = match kind {
        Transpose::SrcColumns => (LL, LI),
        Transpose::DstColumns => (LI, LL),
    };
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
    // Input lines are source columns c + k from row r and output lines target rows r + j from
    // column c (SrcColumns), or input lines source rows and output lines target columns.
    let block_at = |r: usize, c: usize| match kind {
        Transpose::SrcColumns => {
            let ins = Strided {
                base: src.rows[0].wrapping_offset(r as isize * z + c as isize * src.cs),
                stride: src.cs,
            };
            let outs = Table {
                rows: &dst.rows[r..r + LL],
                offset: c as isize * z,
            };
            src_columns(ins, outs);
        }
        Transpose::DstColumns => {
            let ins = Table {
                rows: &src.rows[r..r + LI],
                offset: c as isize * z,
            };
            let outs = Strided {
                base: dst.rows[0].wrapping_offset(r as isize * z + c as isize * dst.cs),
                stride: dst.cs,
            };
            dst_columns(ins, outs);
        }
    };
    if rows < br || cols < bc {
        for r in 0..rows {
            for c in 0..cols {
                one(r, c);
            }
        }
        return;
    }
    for r0 in (0..rows).step_by(tile) {
        let r1 = (r0 + tile).min(rows);
        for c0 in (0..cols).step_by(tile) {
            let c1 = (c0 + tile).min(cols);
            // A ragged edge is covered by one more block ending at the edge, overlapping blocks
            // already copied: writing an element twice with the same value is harmless (the source
            // does not overlap the target).
            for c in starts(c0, c1, bc) {
                for r in starts(r0, r1, br) {
                    block_at(r, c);
                }
            }
        }
    }
}

/// Block starts covering `lo..hi` with blocks of `b` (`hi >= b`): `lo`, `lo + b`, … and, if that
/// leaves a remainder, `hi - b`.
#[inline(always)]
fn starts(lo: usize, hi: usize, b: usize) -> impl Iterator<Item = usize> {
    let whole = (hi - lo) / b;
    let last = (lo + whole * b < hi).then_some(hi - b);
    (0..whole).map(move |i| lo + i * b).chain(last)
}

#[cfg(target_arch = "x86_64")]
pub(super) mod x86 {
    use super::LineSet;
    use std::arch::x86_64::*;

    /// One round of an in-place unpack network: each register `i` without bit `$k` is paired with
    /// `i | $k`, the low halves interleaved into `i` and the high halves into `i | $k`.
    macro_rules! round {
        ($v:ident, $k:expr, $lo:ident, $hi:ident) => {
            for i in 0..$v.len() {
                if i & $k == 0 {
                    let (a, b) = ($v[i], $v[i | $k]);
                    $v[i] = $lo(a, b);
                    $v[i | $k] = $hi(a, b);
                }
            }
        };
    }

    /// A 16 × 16 block of bytes in 16 registers, one per input line. An element's place is the
    /// 8-bit number (register, byte). Unpacks of 1-, 2-, 4- and 8-byte units pairing registers that
    /// differ in bit 0, 1, 2, then 3 each move one register bit into the byte index and one byte bit
    /// into the register index; after the four rounds byte `i` of register `bitrev(j)` is element
    /// `j` of input line `i`: that register holds output line `j` ([`rev16`] puts it at `j`).
    ///
    /// # Safety
    /// Each of the 16 line pointers is valid for 16 bytes.
    #[inline(always)]
    pub(crate) unsafe fn block1_sse2<I: LineSet, O: LineSet>(ins: I, outs: O) {
        let mut v = [_mm_setzero_si128(); 16];
        for (i, x) in v.iter_mut().enumerate() {
            // SAFETY: 16 bytes at each input line; unaligned loads.
            *x = unsafe { _mm_loadu_si128(ins.line(i) as *const __m128i) };
        }
        round!(v, 1, _mm_unpacklo_epi8, _mm_unpackhi_epi8);
        round!(v, 2, _mm_unpacklo_epi16, _mm_unpackhi_epi16);
        round!(v, 4, _mm_unpacklo_epi32, _mm_unpackhi_epi32);
        round!(v, 8, _mm_unpacklo_epi64, _mm_unpackhi_epi64);
        let v = rev16(v);
        for (j, x) in v.iter().enumerate() {
            // SAFETY: 16 bytes at each output line; unaligned stores.
            unsafe { _mm_storeu_si128(outs.line(j) as *mut __m128i, *x) };
        }
    }

    /// An 8 × 8 block of 2-byte elements: the network of [`block1_sse2`] on 2-byte units, three
    /// rounds.
    ///
    /// # Safety
    /// Each of the first 8 line pointers is valid for 16 bytes.
    #[inline(always)]
    pub(crate) unsafe fn block2_sse2<I: LineSet, O: LineSet>(ins: I, outs: O) {
        let mut v = [_mm_setzero_si128(); 8];
        for (i, x) in v.iter_mut().enumerate() {
            // SAFETY: 16 bytes at each of the first 8 input lines; unaligned loads.
            *x = unsafe { _mm_loadu_si128(ins.line(i) as *const __m128i) };
        }
        round!(v, 1, _mm_unpacklo_epi16, _mm_unpackhi_epi16);
        round!(v, 2, _mm_unpacklo_epi32, _mm_unpackhi_epi32);
        round!(v, 4, _mm_unpacklo_epi64, _mm_unpackhi_epi64);
        let v = rev8(v);
        for (j, x) in v.iter().enumerate() {
            // SAFETY: 16 bytes at each of the first 8 output lines; unaligned stores.
            unsafe { _mm_storeu_si128(outs.line(j) as *mut __m128i, *x) };
        }
    }

    /// Two 16 × 16 byte blocks side by side (16 input lines of 32 bytes, 32 output lines of 16):
    /// the network of [`block1_sse2`] on both 128-bit lanes at once (AVX2 unpacks work per lane),
    /// lane 1 holding output lines 16..32.
    ///
    /// # Safety
    /// The CPU has AVX2; each of the 16 input line pointers is valid for 32 bytes and each of the 32
    /// output line pointers for 16.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn block1_avx2<I: LineSet, O: LineSet>(ins: I, outs: O) {
        let mut v = [_mm256_setzero_si256(); 16];
        for (i, x) in v.iter_mut().enumerate() {
            // SAFETY: 32 bytes at each input line; unaligned loads.
            *x = unsafe { _mm256_loadu_si256(ins.line(i) as *const __m256i) };
        }
        round!(v, 1, _mm256_unpacklo_epi8, _mm256_unpackhi_epi8);
        round!(v, 2, _mm256_unpacklo_epi16, _mm256_unpackhi_epi16);
        round!(v, 4, _mm256_unpacklo_epi32, _mm256_unpackhi_epi32);
        round!(v, 8, _mm256_unpacklo_epi64, _mm256_unpackhi_epi64);
        let v = rev16(v);
        for (j, &x) in v.iter().enumerate() {
            // SAFETY: 16 bytes at output lines j and 16 + j; unaligned stores.
            unsafe {
                _mm_storeu_si128(outs.line(j) as *mut __m128i, _mm256_castsi256_si128(x));
                _mm_storeu_si128(
                    outs.line(16 + j) as *mut __m128i,
                    _mm256_extracti128_si256::<1>(x),
                );
            }
        }
    }

    /// Two 8 × 8 blocks of 2-byte elements side by side (8 input lines of 16 elements, 16 output
    /// lines of 8), as [`block1_avx2`] does for bytes.
    ///
    /// # Safety
    /// The CPU has AVX2; each of the 8 input line pointers is valid for 32 bytes and each of the 16
    /// output line pointers for 16.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn block2_avx2<I: LineSet, O: LineSet>(ins: I, outs: O) {
        let mut v = [_mm256_setzero_si256(); 8];
        for (i, x) in v.iter_mut().enumerate() {
            // SAFETY: 32 bytes at each of the first 8 input lines; unaligned loads.
            *x = unsafe { _mm256_loadu_si256(ins.line(i) as *const __m256i) };
        }
        round!(v, 1, _mm256_unpacklo_epi16, _mm256_unpackhi_epi16);
        round!(v, 2, _mm256_unpacklo_epi32, _mm256_unpackhi_epi32);
        round!(v, 4, _mm256_unpacklo_epi64, _mm256_unpackhi_epi64);
        let v = rev8(v);
        for (j, &x) in v.iter().enumerate() {
            // SAFETY: 16 bytes at output lines j and 8 + j; unaligned stores.
            unsafe {
                _mm_storeu_si128(outs.line(j) as *mut __m128i, _mm256_castsi256_si128(x));
                _mm_storeu_si128(
                    outs.line(8 + j) as *mut __m128i,
                    _mm256_extracti128_si256::<1>(x),
                );
            }
        }
    }

    /// The registers in bit-reversed order of their 4-bit index (written out, so that they stay
    /// registers: a computed index would put the array on the stack).
    #[inline(always)]
    fn rev16<T: Copy>(v: [T; 16]) -> [T; 16] {
        [
            v[0], v[8], v[4], v[12], v[2], v[10], v[6], v[14], v[1], v[9], v[5], v[13], v[3],
            v[11], v[7], v[15],
        ]
    }

    /// The registers in bit-reversed order of their 3-bit index.
    #[inline(always)]
    fn rev8<T: Copy>(v: [T; 8]) -> [T; 8] {
        [v[0], v[4], v[2], v[6], v[1], v[5], v[3], v[7]]
    }

    /// An 8 × 8 block of 8-byte elements as four 4 × 4 AVX transposes.
    ///
    /// # Safety
    /// The CPU has AVX; each of the first 8 line pointers is valid for 64 bytes.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn block8_avx<I: LineSet, O: LineSet>(ins: I, outs: O) {
        // Output lines 0..4 first, whole (cache lines written in one go), then 4..8.
        for (bi, bj) in [(0, 0), (4, 0), (0, 4), (4, 4)] {
            // SAFETY: lines bi..bi + 4 (elements bj..bj + 4) and bj..bj + 4 (elements bi..bi + 4)
            // are inside the block.
            unsafe {
                let ld =
                    |i: usize| _mm256_loadu_pd(ins.line(bi + i).wrapping_add(bj * 8) as *const f64);
                let (a, b, c, d) = (ld(0), ld(1), ld(2), ld(3));
                let t0 = _mm256_unpacklo_pd(a, b); // a0 b0 a2 b2
                let t1 = _mm256_unpackhi_pd(a, b); // a1 b1 a3 b3
                let t2 = _mm256_unpacklo_pd(c, d); // c0 d0 c2 d2
                let t3 = _mm256_unpackhi_pd(c, d); // c1 d1 c3 d3
                let st = |j: usize, v| {
                    _mm256_storeu_pd(outs.line(bj + j).wrapping_add(bi * 8) as *mut f64, v)
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
    pub(crate) unsafe fn block8_sse2<I: LineSet, O: LineSet>(ins: I, outs: O) {
        // Output lines completed one pair at a time (whole cache lines written in one go).
        for bj in (0..8).step_by(2) {
            for bi in (0..8).step_by(2) {
                // SAFETY: as in `block8_avx`, with 2 × 2 sub-blocks; SSE2 is baseline on x86-64.
                unsafe {
                    let a = _mm_loadu_pd(ins.line(bi).wrapping_add(bj * 8) as *const f64);
                    let b = _mm_loadu_pd(ins.line(bi + 1).wrapping_add(bj * 8) as *const f64);
                    _mm_storeu_pd(
                        outs.line(bj).wrapping_add(bi * 8) as *mut f64,
                        _mm_unpacklo_pd(a, b),
                    );
                    _mm_storeu_pd(
                        outs.line(bj + 1).wrapping_add(bi * 8) as *mut f64,
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
    pub(crate) unsafe fn block4_sse<I: LineSet, O: LineSet>(ins: I, outs: O) {
        for bj in (0..16).step_by(4) {
            for bi in (0..16).step_by(4) {
                // SAFETY: as in `block8_avx`, with 4 × 4 sub-blocks; SSE is baseline on x86-64.
                unsafe {
                    let ld = |i: usize| {
                        _mm_loadu_ps(ins.line(bi + i).wrapping_add(bj * 4) as *const f32)
                    };
                    let (a, b, c, d) = (ld(0), ld(1), ld(2), ld(3));
                    let t0 = _mm_unpacklo_ps(a, b); // a0 b0 a1 b1
                    let t1 = _mm_unpacklo_ps(c, d); // c0 d0 c1 d1
                    let t2 = _mm_unpackhi_ps(a, b); // a2 b2 a3 b3
                    let t3 = _mm_unpackhi_ps(c, d); // c2 d2 c3 d3
                    let st = |j: usize, v| {
                        _mm_storeu_ps(outs.line(bj + j).wrapping_add(bi * 4) as *mut f32, v)
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
