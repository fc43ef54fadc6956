//! Raw transposes of 1-, 2-, 4- and 8-byte elements: one side dense along its rows, the other dense
//! down its columns (a row-major matrix ⇄ a column-major array), the layouts a numeric `T**` meets
//! most.
//!
//! The copy goes block by block, each block transposed in registers: lines of 64 bytes (one cache
//! line) for 4- and 8-byte elements (4×4 AVX kernels, or SSE2 2×2 / SSE 4×4 ones on the baseline),
//! of 16 bytes in for 1- and 2-byte elements (rounds of unpacks), out as lines of 16 bytes or, with
//! AVX2 (two input lines a register), of 32.
//! Blocks are grouped into tiles, walked along the input lines so that the source is read in runs.
//!
//! The block grid follows the memory rather than the matrix: along each axis the whole blocks start
//! where the lines of the side dense along that axis reach a multiple of the block line's bytes (64
//! at most), so that a block line is a whole cache line (4- and 8-byte elements) or never crosses
//! one. Large allocations start 16 bytes past a page (the allocator's header: every big
//! `Float64Array` and matrix here), so on the matrix's own grid every 64-byte block line straddled
//! two cache lines. The part before the first whole block and after the last is covered by one more
//! block each, overlapping blocks already copied (writing an element twice with the same value is
//! harmless: the source does not overlap the target).
//!
//! Targets of [`STREAM_MIN_BYTES`] or more of 8-byte elements, whose block lines then fall on cache
//! lines, are written with non-temporal stores: each block writes whole cache lines, so the stores
//! skip the read for ownership of the target and leave the caches to the source. This is where the
//! column-major 'd' copies were slow: 1000 × 1000 went from 0.24–0.31× memcpy (copyFrom) and
//! 0.23–0.30× (copyTo) to 0.68–0.87× and 0.67–0.79×, 4096 × 4096 from 0.41–0.49× / 0.46–0.52× to
//! 0.97–1.06× / 0.95–1.10× (benchmark/bench.ts, one process, five runs). The grid alone gave 0.27 → 0.33 /
//! 0.25 → 0.29 on the 1000 × 1000 case; streaming does the rest.

#[cfg(target_arch = "x86_64")]
use super::simd::has_avx2;
use super::Side;

/// Tiles in elements, along the input lines by across them. 8-byte elements: 256 × 16 rather than
/// 64 × 64 (long runs of source lines, few target lines at a time): 1000 × 1000 'd' copyTo 0.76 →
/// 0.95× memcpy, 4096 × 4096 copyFrom 0.79 → 0.91× (examples, interleaved runs). 4-byte elements
/// measured the same either way; 2-byte ones the same from 32 to 256 a side. 1-byte elements: 16 ×
/// 128 (one baseline block along the input lines by 8 across) rather than 64 × 64, on a 105 MB-L3
/// Intel part: 1000 × 1000 'B' one thread 300 → 145–190 µs, 0.20 → 0.24× memcpy in the benchmark.
/// The AVX2 1-byte blocks (32 input lines) measured the same from 16 × 64 to 64 × 64 (AMD Zen 4).
const TILE8: (usize, usize) = (256, 16);
const TILE4: (usize, usize) = (256, 16);
const TILE2: (usize, usize) = (64, 64);
const TILE1: (usize, usize) = (16, 128);

/// The smallest target, in bytes, written with non-temporal stores: below it the target stays in
/// L2/L3 between copies and plain stores win. 'd' transposes measured with and without: 600 × 600
/// (2.9 MB) 0.59 → 0.50× memcpy, 700 × 700 (3.9 MB) 0.48 → 0.52×, 1000 × 1000 (8 MB) 0.33 →
/// 0.80×. 4-byte elements gained nothing (4096 × 4096 'i' 0.55 → 0.53×) and stay on plain stores.
pub(super) const STREAM_MIN_BYTES: usize = 4 << 20;

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

/// A register kernel: transposes one block of `LI` input lines of `LL` elements of `N` bytes
/// (the shape is `tiles`'s), with non-temporal stores when `NT` (then every output line is
/// 64-byte aligned and the kernel writes it whole).
trait Kernel {
    /// Whether the kernel has non-temporal stores (`block::<true>`).
    const STREAMS: bool;
    /// # Safety
    /// Each of the `LI` input lines is valid for `LL` elements, each of the `LL` output lines for
    /// `LI`; the CPU has the kernel's features.
    unsafe fn block<const NT: bool>(ins: impl LineSet, outs: impl LineSet);
}

/// Declares a [`Kernel`] type running `x86::$f` (`nt`: `$f` takes the `NT` parameter).
#[cfg(target_arch = "x86_64")]
macro_rules! kernel {
    ($name:ident, $f:ident, nt) => {
        pub(super) struct $name;
        impl Kernel for $name {
            const STREAMS: bool = true;
            #[inline(always)]
            unsafe fn block<const NT: bool>(ins: impl LineSet, outs: impl LineSet) {
                // SAFETY: forwarded.
                unsafe { x86::$f::<NT, _, _>(ins, outs) }
            }
        }
    };
    ($name:ident, $f:ident) => {
        pub(super) struct $name;
        impl Kernel for $name {
            const STREAMS: bool = false;
            #[inline(always)]
            unsafe fn block<const NT: bool>(ins: impl LineSet, outs: impl LineSet) {
                // SAFETY: forwarded; `NT` is never set for kernels without streaming stores.
                unsafe { x86::$f(ins, outs) }
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod kernels {
    use super::{x86, Kernel, LineSet};
    kernel!(Avx8, block8_avx, nt);
    kernel!(Sse8, block8_sse2, nt);
    kernel!(Sse4, block4_sse);
    kernel!(Avx2x2, block2_avx2);
    kernel!(Sse2x2, block2_sse2);
    kernel!(Avx2x1, block1_avx2);
    kernel!(Sse2x1, block1_sse2);
}

#[cfg(not(target_arch = "x86_64"))]
mod kernels {
    use super::{block_scalar, Kernel, LineSet};
    /// [`block_scalar`] as a kernel.
    pub(super) struct Scalar<const N: usize, const LI: usize, const LL: usize>;
    impl<const N: usize, const LI: usize, const LL: usize> Kernel for Scalar<N, LI, LL> {
        const STREAMS: bool = false;
        #[inline(always)]
        unsafe fn block<const NT: bool>(ins: impl LineSet, outs: impl LineSet) {
            // SAFETY: forwarded.
            unsafe { block_scalar::<N, LI, LL>(ins, outs) }
        }
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
    stream: bool,
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU has AVX2; forwarded.
        return unsafe { avx2(dst, src, cols, itemsize, kind, stream) };
    }
    // SAFETY: forwarded.
    unsafe { baseline(dst, src, cols, itemsize, kind, stream) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn avx2(
    dst: &Side,
    src: &Side,
    cols: usize,
    itemsize: usize,
    kind: Transpose,
    stream: bool,
) {
    use kernels::*;
    // The 1- and 2-byte AVX2 blocks span 32 and 16 input lines, twice the baseline's: a matrix
    // narrower than that across the input lines takes the baseline blocks instead.
    let across = match kind {
        Transpose::SrcColumns => cols,
        Transpose::DstColumns => src.rows.len(),
    };
    // SAFETY: forwarded; the kernels need AVX2, which this function is compiled for (every arm).
    unsafe {
        match itemsize {
            8 => tiles::<8, 8, 8, Avx8>(dst, src, cols, kind, TILE8, stream),
            4 => tiles::<4, 16, 16, Sse4>(dst, src, cols, kind, TILE4, stream),
            2 if across >= 16 => tiles::<2, 16, 8, Avx2x2>(dst, src, cols, kind, TILE2, stream),
            1 if across >= 32 => tiles::<1, 32, 16, Avx2x1>(dst, src, cols, kind, TILE1, stream),
            _ => baseline(dst, src, cols, itemsize, kind, stream),
        }
    }
}

#[inline(always)]
unsafe fn baseline(
    dst: &Side,
    src: &Side,
    cols: usize,
    itemsize: usize,
    kind: Transpose,
    stream: bool,
) {
    use kernels::*;
    // SAFETY: forwarded; SSE2 is part of the x86-64 baseline (every arm).
    #[cfg(target_arch = "x86_64")]
    unsafe {
        match itemsize {
            8 => tiles::<8, 8, 8, Sse8>(dst, src, cols, kind, TILE8, stream),
            4 => tiles::<4, 16, 16, Sse4>(dst, src, cols, kind, TILE4, stream),
            2 => tiles::<2, 8, 8, Sse2x2>(dst, src, cols, kind, TILE2, stream),
            _ => tiles::<1, 16, 16, Sse2x1>(dst, src, cols, kind, TILE1, stream),
        }
    }
    // SAFETY: forwarded (every arm).
    #[cfg(not(target_arch = "x86_64"))]
    unsafe {
        match itemsize {
            8 => tiles::<8, 8, 8, Scalar<8, 8, 8>>(dst, src, cols, kind, TILE8, stream),
            4 => tiles::<4, 16, 16, Scalar<4, 16, 16>>(dst, src, cols, kind, TILE4, stream),
            2 => tiles::<2, 8, 8, Scalar<2, 8, 8>>(dst, src, cols, kind, TILE2, stream),
            _ => tiles::<1, 16, 16, Scalar<1, 16, 16>>(dst, src, cols, kind, TILE1, stream),
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

/// Block starts along one axis of `n` elements (`n >= b`), blocks of `b`: whole blocks from `off`
/// on, one at 0 before them when `off > 0`, and one ending at `n` when they do not.
#[derive(Clone, Copy)]
pub(super) struct Grid {
    n: usize,
    b: usize,
    pub(super) off: usize,
    /// 1 when there is a block at 0 before the first one at `off`.
    pub(super) head: usize,
    /// Whole blocks from `off`.
    pub(super) whole: usize,
    /// Block count.
    pub(super) len: usize,
}

impl Grid {
    /// `off < b`; taken as 0 when there is not one whole block from `off`.
    pub(super) fn new(n: usize, b: usize, off: usize) -> Grid {
        let off = if off + b <= n { off } else { 0 };
        let head = usize::from(off > 0);
        let whole = (n - off) / b;
        let tail = usize::from(off + whole * b < n);
        Grid {
            n,
            b,
            off,
            head,
            whole,
            len: head + whole + tail,
        }
    }

    /// The start of block `k` (`k < len`).
    #[inline(always)]
    pub(super) fn start(&self, k: usize) -> usize {
        match k.checked_sub(self.head) {
            None => 0,
            Some(w) if w < self.whole => self.off + w * self.b,
            Some(_) => self.n - self.b,
        }
    }
}

/// The first element index (below `b`) at which every line of a side reaches a multiple of the
/// block line's bytes (`b * z`, at most 64), the lines starting at `first` and `stride` bytes
/// apart; `None` when they do not all reach one at the same index (not evenly spaced, or not a
/// multiple of it apart, or elements misaligned for their size).
fn grid_offset(first: *mut u8, stride: Option<isize>, z: usize, b: usize) -> Option<usize> {
    let a = (b * z).min(64);
    let mis = first as usize % a;
    match stride {
        Some(s) if s.rem_euclid(a as isize) == 0 && mis.is_multiple_of(z) => {
            Some((a - mis) % a / z)
        }
        _ => None,
    }
}

/// Walks the matrix tile by tile, block by block, with kernel `K` for every block (element copies
/// when the matrix is smaller than one). A block has `LI` input lines of `LL` elements of `N`
/// bytes, so `LL` output lines of `LI` elements. A tile is `tile.0` elements along the input lines
/// by `tile.1` across them (multiples of the block's edges), and both tiles and the blocks in a tile
/// go along the input lines in the inner loop, so that the source is read in runs.
///
/// # Safety
/// As [`transpose`]; `K` transposes such blocks on this CPU.
#[inline(always)]
unsafe fn tiles<const N: usize, const LI: usize, const LL: usize, K: Kernel>(
    dst: &Side,
    src: &Side,
    cols: usize,
    kind: Transpose,
    tile: (usize, usize),
    stream: bool,
) {
    let rows = src.rows.len();
    let z = N as isize;
    // Block rows and columns: input lines are source columns (SrcColumns) or source rows. `colm` is
    // the side dense down its columns, `rowm` the other.
    let (br, bc, colm, rowm) = match kind {
        Transpose::SrcColumns => (LL, LI, src, dst),
        Transpose::DstColumns => (LI, LL, dst, src),
    };
    if rows < br || cols < bc {
        // Element addresses: column-major sides from row 0, row-major ones through their table.
        let at = |side: &Side, r: usize, c: usize| -> *mut u8 {
            if std::ptr::eq(side, colm) {
                side.rows[0].wrapping_offset(r as isize * z + c as isize * side.cs)
            } else {
                side.rows[r].wrapping_offset(c as isize * z)
            }
        };
        for r in 0..rows {
            for c in 0..cols {
                // SAFETY: (r, c) is inside the matrix: valid on both sides (caller).
                unsafe { std::ptr::copy_nonoverlapping(at(src, r, c), at(dst, r, c), N) };
            }
        }
        return;
    }
    // Rows align with the column-major side's columns, columns with the row-major side's rows.
    let ar = grid_offset(colm.rows[0], Some(colm.cs), N, br);
    let ac = grid_offset(rowm.rows[0], rowm.rs, N, bc);
    let (gr, gc) = (
        Grid::new(rows, br, ar.unwrap_or(0)),
        Grid::new(cols, bc, ac.unwrap_or(0)),
    );
    // Streaming needs every target block line on the grid to be a whole cache line: the target's
    // lines (along c for SrcColumns, along r for DstColumns) aligned to 64 bytes on it.
    let out_aligned = match kind {
        Transpose::SrcColumns => ac.is_some() && bc * N == 64,
        Transpose::DstColumns => ar.is_some() && br * N == 64,
    };
    let stream = K::STREAMS && out_aligned && stream;
    match kind {
        Transpose::SrcColumns => walk(gc, gr, tile.1 / bc, tile.0 / br, |c, r| {
            let ins = Strided {
                base: src.rows[0].wrapping_offset(r as isize * z + c as isize * src.cs),
                stride: src.cs,
            };
            let outs = Table {
                rows: &dst.rows[r..r + LL],
                offset: c as isize * z,
            };
            // SAFETY: the block at (r, c) lies inside the matrix, its lines valid (caller).
            unsafe { block::<K>(ins, outs, stream) }
        }),
        Transpose::DstColumns => walk(gr, gc, tile.1 / br, tile.0 / bc, |r, c| {
            let ins = Table {
                rows: &src.rows[r..r + LI],
                offset: c as isize * z,
            };
            let outs = Strided {
                base: dst.rows[0].wrapping_offset(r as isize * z + c as isize * dst.cs),
                stride: dst.cs,
            };
            // SAFETY: as above.
            unsafe { block::<K>(ins, outs, stream) }
        }),
    }
    #[cfg(target_arch = "x86_64")]
    if stream {
        // SAFETY: SSE is baseline on x86-64. Orders the non-temporal stores before what follows.
        unsafe { std::arch::x86_64::_mm_sfence() };
    }
}

/// One block with `K`, streamed when `stream` and its output lines start on cache lines (blocks
/// off the grid, before its first whole block or after its last, do not).
///
/// # Safety
/// As [`Kernel::block`]; with `stream`, the output lines of the block are all aligned or all not
/// (lines a multiple of 64 bytes apart).
#[inline(always)]
unsafe fn block<K: Kernel>(ins: impl LineSet, outs: impl LineSet, stream: bool) {
    // SAFETY: forwarded; a streamed block's output lines are aligned (checked here for the first,
    // the others are a multiple of 64 bytes from it).
    unsafe {
        if stream && (outs.line(0) as usize).is_multiple_of(64) {
            K::block::<true>(ins, outs)
        } else {
            K::block::<false>(ins, outs)
        }
    }
}

/// Calls `block(a, b)` for every block start `a` of `outer` and `b` of `inner`, tile by tile
/// (`to × ti` blocks a tile), `b` running in the inner loops.
#[inline(always)]
fn walk(outer: Grid, inner: Grid, to: usize, ti: usize, mut block: impl FnMut(usize, usize)) {
    for a0 in (0..outer.len).step_by(to) {
        let a1 = (a0 + to).min(outer.len);
        for b0 in (0..inner.len).step_by(ti) {
            let b1 = (b0 + ti).min(inner.len);
            for a in a0..a1 {
                for b in b0..b1 {
                    block(outer.start(a), inner.start(b));
                }
            }
        }
    }
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

    /// A block of 32 input lines of 16 bytes (16 output lines of 32) in 16 AVX2 registers:
    /// register `i` holds input lines `i` (low lane) and `16 + i` (high lane). The network of
    /// [`block1_sse2`] runs on both lanes at once (AVX2 unpacks work per lane), so register
    /// `bitrev(j)` ends with output line `j` whole: its first 16 bytes in the low lane, its last 16
    /// in the high one, one 32-byte store. The 16 × 16 block it replaced (two input lines a
    /// register, a lane-crossing `vpermq` for the last round, two 16-byte stores an output line)
    /// took as long for its loads and stores alone as for all of it: the copies wait on memory, and
    /// half the stores, twice as wide, is what moved them. 1000 × 1000 one thread: 0.28 → 0.33×
    /// memcpy (copyFrom), 0.29 → 0.33× (copyTo), 40 interleaved rounds (AMD Zen 4). The 16
    /// registers leave the compiler a couple of spills per block; with AVX-512VL's 32 registers
    /// and no spills it measured the same.
    ///
    /// # Safety
    /// The CPU has AVX2; each of the 32 input line pointers is valid for 16 bytes and each of the
    /// 16 output line pointers for 32.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn block1_avx2<I: LineSet, O: LineSet>(ins: I, outs: O) {
        let mut v = [_mm256_setzero_si256(); 16];
        for (i, x) in v.iter_mut().enumerate() {
            // SAFETY: 16 bytes at input lines i and 16 + i; unaligned loads.
            *x = unsafe {
                _mm256_loadu2_m128i(
                    ins.line(16 + i) as *const __m128i,
                    ins.line(i) as *const __m128i,
                )
            };
        }
        round!(v, 1, _mm256_unpacklo_epi8, _mm256_unpackhi_epi8);
        round!(v, 2, _mm256_unpacklo_epi16, _mm256_unpackhi_epi16);
        round!(v, 4, _mm256_unpacklo_epi32, _mm256_unpackhi_epi32);
        round!(v, 8, _mm256_unpacklo_epi64, _mm256_unpackhi_epi64);
        for (j, &x) in rev16(v).iter().enumerate() {
            // SAFETY: 32 bytes at each of the 16 output lines; unaligned stores.
            unsafe { _mm256_storeu_si256(outs.line(j) as *mut __m256i, x) };
        }
    }

    /// A block of 16 input lines of 8 2-byte elements (8 output lines of 16), the same way as
    /// [`block1_avx2`]: register `i` holds input lines `i` and `8 + i`, the network of
    /// [`block2_sse2`] runs on both lanes, and each output line is one 32-byte store. It replaced
    /// two 8 × 8 blocks side by side (32-byte loads, 16-byte stores): 1000 × 1000 one thread
    /// 0.40 → 0.47× memcpy (copyFrom), 0.37 → 0.41× (copyTo), as above.
    ///
    /// # Safety
    /// The CPU has AVX2; each of the 16 input line pointers is valid for 16 bytes and each of the
    /// 8 output line pointers for 32.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn block2_avx2<I: LineSet, O: LineSet>(ins: I, outs: O) {
        let mut v = [_mm256_setzero_si256(); 8];
        for (i, x) in v.iter_mut().enumerate() {
            // SAFETY: 16 bytes at input lines i and 8 + i; unaligned loads.
            *x = unsafe {
                _mm256_loadu2_m128i(
                    ins.line(8 + i) as *const __m128i,
                    ins.line(i) as *const __m128i,
                )
            };
        }
        round!(v, 1, _mm256_unpacklo_epi16, _mm256_unpackhi_epi16);
        round!(v, 2, _mm256_unpacklo_epi32, _mm256_unpackhi_epi32);
        round!(v, 4, _mm256_unpacklo_epi64, _mm256_unpackhi_epi64);
        for (j, &x) in rev8(v).iter().enumerate() {
            // SAFETY: 32 bytes at each of the 8 output lines; unaligned stores.
            unsafe { _mm256_storeu_si256(outs.line(j) as *mut __m256i, x) };
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

    /// An 8 × 8 block of 8-byte elements as four 4 × 4 AVX transposes, output lines written whole
    /// (both halves of a line back to back), with non-temporal stores when `NT`.
    ///
    /// # Safety
    /// The CPU has AVX; each of the first 8 line pointers is valid for 64 bytes; with `NT`, every
    /// output line is 32-byte aligned.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn block8_avx<const NT: bool, I: LineSet, O: LineSet>(ins: I, outs: O) {
        // Output lines 0..4 first, then 4..8.
        for bj in [0, 4] {
            let mut out = [[_mm256_setzero_pd(); 2]; 4];
            for (h, bi) in [0, 4].into_iter().enumerate() {
                // SAFETY: lines bi..bi + 4, elements bj..bj + 4, are inside the block.
                let ld = |i: usize| unsafe {
                    _mm256_loadu_pd(ins.line(bi + i).wrapping_add(bj * 8) as *const f64)
                };
                let (a, b, c, d) = (ld(0), ld(1), ld(2), ld(3));
                let t0 = _mm256_unpacklo_pd(a, b); // a0 b0 a2 b2
                let t1 = _mm256_unpackhi_pd(a, b); // a1 b1 a3 b3
                let t2 = _mm256_unpacklo_pd(c, d); // c0 d0 c2 d2
                let t3 = _mm256_unpackhi_pd(c, d); // c1 d1 c3 d3
                out[0][h] = _mm256_permute2f128_pd(t0, t2, 0x20);
                out[1][h] = _mm256_permute2f128_pd(t1, t3, 0x20);
                out[2][h] = _mm256_permute2f128_pd(t0, t2, 0x31);
                out[3][h] = _mm256_permute2f128_pd(t1, t3, 0x31);
            }
            for (j, [lo, hi]) in out.into_iter().enumerate() {
                let p = outs.line(bj + j) as *mut f64;
                // SAFETY: output line bj + j holds 8 elements; aligned when `NT` (caller).
                unsafe {
                    if NT {
                        _mm256_stream_pd(p, lo);
                        _mm256_stream_pd(p.wrapping_add(4), hi);
                    } else {
                        _mm256_storeu_pd(p, lo);
                        _mm256_storeu_pd(p.wrapping_add(4), hi);
                    }
                }
            }
        }
    }

    /// An 8 × 8 block of 8-byte elements as sixteen 2 × 2 SSE2 transposes, with non-temporal
    /// stores when `NT`.
    ///
    /// # Safety
    /// Each of the first 8 line pointers is valid for 64 bytes; with `NT`, every output line is
    /// 16-byte aligned.
    #[inline(always)]
    pub(crate) unsafe fn block8_sse2<const NT: bool, I: LineSet, O: LineSet>(ins: I, outs: O) {
        // Output lines completed one pair at a time (whole cache lines written in one go).
        for bj in (0..8).step_by(2) {
            for bi in (0..8).step_by(2) {
                // SAFETY: as in `block8_avx`, with 2 × 2 sub-blocks; SSE2 is baseline on x86-64.
                unsafe {
                    let a = _mm_loadu_pd(ins.line(bi).wrapping_add(bj * 8) as *const f64);
                    let b = _mm_loadu_pd(ins.line(bi + 1).wrapping_add(bj * 8) as *const f64);
                    let st = |j: usize, v| {
                        let p = outs.line(bj + j).wrapping_add(bi * 8) as *mut f64;
                        if NT {
                            _mm_stream_pd(p, v)
                        } else {
                            _mm_storeu_pd(p, v)
                        }
                    };
                    st(0, _mm_unpacklo_pd(a, b));
                    st(1, _mm_unpackhi_pd(a, b));
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
