//! Strided layouts: element loops with arbitrary strides, and the cache-blocked kernel for layouts
//! whose two sides want opposite traversal orders (transposes, column-major ⇄ row-major) that the
//! register-transpose kernel (`super::transpose`) does not take: other item sizes, swaps and
//! conversions, sides that are not dense along either axis.
//!
//! A side is "column-wise" when its rows sit closer together than its columns (a column-major array:
//! row stride = itemsize, column stride = rows × itemsize). Walking such a side along its rows touches a
//! new cache line (and often a new page) per element. When both sides agree, one walk order serves
//! both ([`lines`]); when they disagree, the copy goes tile by tile through a small buffer
//! ([`tiled`]): the gather reads the source in its good order, the scatter writes the target in its
//! good order, and the transposition itself happens in L1. Every memory-side cache line is then
//! touched once per tile, which also defuses the cache-set aliasing of power-of-two strides
//! (a 4096 × 8-byte stride maps every column to the same L1 set).

use std::ptr::{copy_nonoverlapping, read_unaligned, write_unaligned};

use super::{op_run, ElementOp, Side};

/// Bytes of one tile buffer (32 × 32 doubles). Two of them (source and converted tile) plus the lines
/// they touch stay in a 32 KiB L1; 4, 16 and 32 KiB measured no better.
const TILE_BYTES: usize = 8192;

/// Largest tile edge, in elements.
const MAX_EDGE: usize = 64;

/// Bytes of the line buffers used to convert strided runs chunk by chunk.
const LINE_BYTES: usize = 2048;

/// Elements larger than this skip the tiles: each is already a run of whole cache lines.
const MAX_TILED_ITEMSIZE: usize = 512;

/// A 64-byte aligned scratch buffer on the stack.
#[repr(align(64))]
struct Scratch<const B: usize>([u8; B]);

impl<const B: usize> Scratch<B> {
    fn new() -> Self {
        Scratch([0; B])
    }
}

/// Copies `n` elements of `N` bytes (`size` bytes at run time when `N == 0`) from `src` with byte
/// stride `ss` to `dst` with byte stride `ds`.
///
/// # Safety
/// Every address `src + i * ss` is readable and `dst + i * ds` writable for the element size (i < n),
/// and no source element overlaps a target element.
#[inline(always)]
unsafe fn elems<const N: usize>(
    dst: *mut u8,
    ds: isize,
    src: *const u8,
    ss: isize,
    n: usize,
    size: usize,
) {
    for i in 0..n as isize {
        let (s, d) = (src.wrapping_offset(i * ss), dst.wrapping_offset(i * ds));
        // SAFETY: element i of both sides is valid (caller); unaligned accesses.
        unsafe {
            if N == 0 {
                copy_nonoverlapping(s, d, size);
            } else {
                write_unaligned(d as *mut [u8; N], read_unaligned(s as *const [u8; N]));
            }
        }
    }
}

/// [`elems`] with the element size picked at run time, and one `memcpy` when both sides are dense.
///
/// # Safety
/// As [`elems`].
pub(super) unsafe fn copy_strided(
    dst: *mut u8,
    ds: isize,
    src: *const u8,
    ss: isize,
    n: usize,
    size: usize,
) {
    // SAFETY: forwarded from the caller (every arm).
    unsafe {
        if ds == size as isize && ss == size as isize {
            return copy_nonoverlapping(src, dst, n * size);
        }
        match size {
            1 => elems::<1>(dst, ds, src, ss, n, size),
            2 => elems::<2>(dst, ds, src, ss, n, size),
            4 => elems::<4>(dst, ds, src, ss, n, size),
            8 => elems::<8>(dst, ds, src, ss, n, size),
            16 => elems::<16>(dst, ds, src, ss, n, size),
            _ => elems::<0>(dst, ds, src, ss, n, size),
        }
    }
}

/// Applies `op` to `n` elements from `src` (byte step `ss`) to `dst` (byte step `ds`): straight for
/// raw copies, else chunk by chunk through line buffers wherever a side is not dense.
///
/// # Safety
/// As [`elems`], with the source and target element sizes of `op`.
pub(super) unsafe fn line(
    dst: *mut u8,
    ds: isize,
    src: *const u8,
    ss: isize,
    n: usize,
    op: ElementOp,
) {
    let (s, d) = (op.src_itemsize(), op.dst_itemsize());
    if let ElementOp::Raw { itemsize } = op {
        // SAFETY: forwarded.
        return unsafe { copy_strided(dst, ds, src, ss, n, itemsize) };
    }
    let (src_dense, dst_dense) = (ss == s as isize, ds == d as isize);
    if src_dense && dst_dense {
        // SAFETY: both runs are contiguous.
        return unsafe { op_run(dst, src, n, op) };
    }
    let mut a = Scratch::<LINE_BYTES>::new();
    let mut b = Scratch::<LINE_BYTES>::new();
    let chunk = LINE_BYTES / s.max(d);
    let mut i = 0;
    while i < n {
        let m = chunk.min(n - i);
        let (sp, dp) = (
            src.wrapping_offset(i as isize * ss),
            dst.wrapping_offset(i as isize * ds),
        );
        // SAFETY: elements i..i + m of both sides (caller); the buffers hold `chunk` elements.
        unsafe {
            let from = if src_dense {
                sp
            } else {
                copy_strided(a.0.as_mut_ptr(), s as isize, sp, ss, m, s);
                a.0.as_ptr()
            };
            if dst_dense {
                op_run(dp, from, m, op);
            } else {
                op_run(b.0.as_mut_ptr(), from, m, op);
                copy_strided(dp, ds, b.0.as_ptr(), d as isize, m, d);
            }
        }
        i += m;
    }
}

/// Both sides walked in the same order: along rows (each row a line), or down columns when both are
/// column-wise (each column a line, rows at the uniform row strides).
///
/// # Safety
/// The planes' contract ([`super::copy_plane`]) for `dst`, `src` and `cols`, not overlapping.
pub(super) unsafe fn lines(dst: &Side, src: &Side, cols: usize, op: ElementOp, colwise: bool) {
    let rows = src.rows.len();
    match (colwise, src.rs, dst.rs) {
        (true, Some(srs), Some(drs)) => {
            for c in 0..cols as isize {
                let sp = src.rows[0].wrapping_offset(c * src.cs);
                let dp = dst.rows[0].wrapping_offset(c * dst.cs);
                // SAFETY: element (r, c) of a side with uniform row stride is at row 0's + r * rs + c * cs.
                unsafe { line(dp, drs, sp, srs, rows, op) };
            }
        }
        _ => {
            for (&dp, &sp) in dst.rows.iter().zip(src.rows) {
                // SAFETY: row r's elements are at its pointer + c * cs.
                unsafe { line(dp, dst.cs, sp, src.cs, cols, op) };
            }
        }
    }
}

/// Copies the `tr × tc` tile at row `r0`, column `c0` of `side` into or out of `buf` (row-major, `tc`
/// elements per row), walking the side in its good order.
///
/// # Safety
/// The tile's elements are valid on `side` for the direction used; `buf` holds `tr * tc` elements.
#[inline(always)]
unsafe fn tile_io<const N: usize, const OUT: bool>(
    side: &Side,
    r0: usize,
    tr: usize,
    c0: usize,
    tc: usize,
    buf: *mut u8,
    size: usize,
) {
    let row_step = (tc * size) as isize;
    let cs = side.cs;
    match side.colwise() {
        Some(rs) => {
            let base = side.rows[r0].wrapping_offset(c0 as isize * cs);
            for c in 0..tc {
                let p = base.wrapping_offset(c as isize * cs);
                // SAFETY: element (r0 + r, c0 + c) is at row r0's pointer + r * rs + (c0 + c) * cs; buffer
                // element (r, c) at `buf + (r * tc + c) * size`.
                unsafe {
                    let q = buf.add(c * size);
                    if OUT {
                        elems::<N>(p, rs, q, row_step, tr, size);
                    } else {
                        elems::<N>(q, row_step, p, rs, tr, size);
                    }
                }
            }
        }
        None => {
            for r in 0..tr {
                let p = side.rows[r0 + r].wrapping_offset(c0 as isize * cs);
                // SAFETY: as above, along the row.
                unsafe {
                    let q = buf.add(r * tc * size);
                    match (OUT, cs == size as isize) {
                        (true, true) => copy_nonoverlapping(q, p, tc * size),
                        (false, true) => copy_nonoverlapping(p, q, tc * size),
                        (true, false) => elems::<N>(p, cs, q, size as isize, tc, size),
                        (false, false) => elems::<N>(q, size as isize, p, cs, tc, size),
                    }
                }
            }
        }
    }
}

/// [`tile_io`] with the element size picked at run time.
///
/// # Safety
/// As [`tile_io`].
unsafe fn tile_io_dyn<const OUT: bool>(
    side: &Side,
    r0: usize,
    tr: usize,
    c0: usize,
    tc: usize,
    buf: *mut u8,
) {
    let size = side.size;
    // SAFETY: forwarded (every arm).
    unsafe {
        match size {
            1 => tile_io::<1, OUT>(side, r0, tr, c0, tc, buf, size),
            2 => tile_io::<2, OUT>(side, r0, tr, c0, tc, buf, size),
            4 => tile_io::<4, OUT>(side, r0, tr, c0, tc, buf, size),
            8 => tile_io::<8, OUT>(side, r0, tr, c0, tc, buf, size),
            16 => tile_io::<16, OUT>(side, r0, tr, c0, tc, buf, size),
            _ => tile_io::<0, OUT>(side, r0, tr, c0, tc, buf, size),
        }
    }
}

/// The tile edge for elements of `size` bytes: a square tile fills at most one buffer.
fn tile_edge(size: usize) -> usize {
    (TILE_BYTES / size).isqrt().clamp(1, MAX_EDGE)
}

/// Whether [`tiled`] handles elements of these sizes.
pub(super) fn tiles_fit(op: ElementOp) -> bool {
    op.src_itemsize().max(op.dst_itemsize()) <= MAX_TILED_ITEMSIZE
}

/// The sides disagree on the walk order: gather each tile from the source in its order, convert it
/// (if the op is not raw), scatter it to the target in its order.
///
/// # Safety
/// As [`lines`]; `tiles_fit(op)`.
pub(super) unsafe fn tiled(dst: &Side, src: &Side, cols: usize, op: ElementOp) {
    let rows = src.rows.len();
    let edge = tile_edge(op.src_itemsize().max(op.dst_itemsize()));
    let mut a = Scratch::<TILE_BYTES>::new();
    let mut b = Scratch::<TILE_BYTES>::new();
    let raw = matches!(op, ElementOp::Raw { .. });
    for r0 in (0..rows).step_by(edge) {
        let tr = edge.min(rows - r0);
        for c0 in (0..cols).step_by(edge) {
            let tc = edge.min(cols - c0);
            // SAFETY: the tile lies inside both planes; `tr * tc <= edge²` elements fit each buffer.
            unsafe {
                tile_io_dyn::<false>(src, r0, tr, c0, tc, a.0.as_mut_ptr());
                let out = if raw {
                    a.0.as_mut_ptr()
                } else {
                    op_run(b.0.as_mut_ptr(), a.0.as_ptr(), tr * tc, op);
                    b.0.as_mut_ptr()
                };
                tile_io_dyn::<true>(dst, r0, tr, c0, tc, out);
            }
        }
    }
}
