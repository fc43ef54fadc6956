//! Copy kernels: copy `rows × cols` elements between two 2-D layouts, raw, byte-swapped or converted.
//!
//! Both sides are a [`Plane`]: a table of row starts and the byte distance between neighbouring
//! elements of a row. That covers indirect matrices (row pointers, dense rows) and every strided
//! array (row `r` at `base + r * row_stride`; column-major, transposed, reversed, broadcast). The
//! [`ElementOp`] says what happens to each element; [`ElementOp::plan`] derives it from two formats
//! with the checks of the `copyFrom` / `copyTo` contract.
//!
//! [`copy_plane`] picks the kernel from the layouts:
//! - dense rows on both sides: one `memcpy` (or one vectorised swap / conversion pass) per row, and per
//!   run of rows that are adjacent on both sides;
//! - both sides dense down their columns (column-major): the same per column;
//! - raw 1-, 2-, 4- and 8-byte transposes (one side dense along rows, the other down columns):
//!   blocks transposed in SIMD registers on a cache-line grid, large 8-byte targets written with
//!   non-temporal stores (`transpose`);
//! - other layouts whose sides want opposite walk orders: a cache-blocked kernel through an L1 buffer
//!   (`strided::tiled`); layouts that agree: element loops specialised by item size.
//!
//! Swaps and conversions run vectorised loops, compiled twice (baseline and AVX2) and picked at run
//! time. Copies of a MiB or more are cut into chunks of rows that the calling thread shares with
//! one helper thread (`parallel`); the largest write their target with non-temporal stores
//! (`stream`). Sources that may share memory with the target are first copied to a temporary
//! buffer, so every copy has the result of copying from a snapshot of the source.
//!
//! ```
//! use indirect_buffer::copy::{copy_plane, row_table, ElementOp, Plane};
//! // Transpose a 2×3 row-major int32 array into a 3×2 one: read the source column by column.
//! let src = [1i32, 2, 3, 4, 5, 6];
//! let mut dst = [0i32; 6];
//! // Source seen as 3 rows (its columns) of 2 elements 12 bytes apart.
//! let src_rows = row_table(src.as_ptr() as *mut u8, 3, 4);
//! let dst_rows = row_table(dst.as_mut_ptr() as *mut u8, 3, 8);
//! // SAFETY: every element address lies inside `src` / `dst`, which outlive the copy.
//! unsafe {
//!     copy_plane(
//!         &Plane { rows: &dst_rows, col_stride: 4 },
//!         &Plane { rows: &src_rows, col_stride: 12 },
//!         3,
//!         2,
//!         ElementOp::Raw { itemsize: 4 },
//!     )
//! };
//! assert_eq!(dst, [1, 4, 2, 5, 3, 6]);
//! ```

mod convert;
mod parallel;
pub(crate) mod simd;
mod stream;
mod strided;
#[cfg(test)]
mod tests;
mod transpose;

use crate::element::{decode, encode, number_to_u64_bits, Input, Value};
use crate::error::{Error, ErrorCode, Result};
use crate::format::{ByteOrder, Format, ScalarKind};
use crate::matrix::IndirectMatrix;

/// One side of a copy: where each row starts and the byte distance between neighbouring elements of a
/// row. Element `(r, c)` is at `rows[r] + c * col_stride`.
///
/// Covers indirect matrices (row pointers, `col_stride` = itemsize) and any strided array (row `r` at
/// `base + r * row_stride`, see [`row_table`]; any `col_stride`, negative and zero included).
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    pub rows: &'a [*mut u8],
    pub col_stride: isize,
}

/// The row table of a strided array: `rows` starts, `row_stride` bytes apart from `base`.
/// Only computes addresses (with wrapping arithmetic); nothing is dereferenced.
pub fn row_table(base: *mut u8, rows: usize, row_stride: isize) -> Vec<*mut u8> {
    (0..rows as isize)
        .map(|r| base.wrapping_offset(r.wrapping_mul(row_stride)))
        .collect()
}

/// What happens to each element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementOp {
    /// Copy `itemsize` bytes as they are (same format, or `cast`).
    Raw { itemsize: usize },
    /// Same scalar kind, other byte order: reverse the bytes of each element.
    Swap { itemsize: usize },
    /// Convert values between two scalar formats with the rules of `TypedArray.prototype.set`,
    /// extended through BigInt for the 64-bit integer kinds (see [`convert_one`]).
    Convert {
        from: ScalarKind,
        from_order: ByteOrder,
        to: ScalarKind,
        to_order: ByteOrder,
    },
}

impl ElementOp {
    /// The op that copies elements of `from` into elements of `to`, with the checks of the copy
    /// contract:
    /// - formats that match (same bytes, see [`Format::matches`]) → `Raw`, whatever the flags;
    /// - `cast` → `Raw` if the itemsizes are equal, else `ERR_ITEMSIZE_MISMATCH` "different itemsizes"
    ///   (`cast` wins over `convert` when both are given);
    /// - `convert` → `Swap` when only the byte order differs, `Convert` between two scalar formats, and
    ///   `ERR_FORMAT_UNSUPPORTED` when a record is involved;
    /// - neither → `ERR_FORMAT_MISMATCH` "different formats".
    ///
    /// ```
    /// use indirect_buffer::copy::ElementOp;
    /// use indirect_buffer::{ErrorCode, Format};
    /// let (d, i) = (Format::parse("d")?, Format::parse(">i")?);
    /// assert_eq!(ElementOp::plan(&d, &i, false, false).unwrap_err().code, ErrorCode::FormatMismatch);
    /// assert!(matches!(ElementOp::plan(&d, &i, false, true)?, ElementOp::Convert { .. }));
    /// assert_eq!(ElementOp::plan(&i, &Format::parse("<i")?, false, true)?, ElementOp::Swap { itemsize: 4 });
    /// # Ok::<(), indirect_buffer::Error>(())
    /// ```
    pub fn plan(from: &Format, to: &Format, cast: bool, convert: bool) -> Result<ElementOp> {
        if from.matches(to) {
            return Ok(ElementOp::Raw {
                itemsize: from.itemsize(),
            });
        }
        if cast {
            if from.itemsize() != to.itemsize() {
                return Err(Error::new(
                    ErrorCode::ItemsizeMismatch,
                    "different itemsizes",
                ));
            }
            return Ok(ElementOp::Raw {
                itemsize: from.itemsize(),
            });
        }
        if !convert {
            return Err(Error::new(ErrorCode::FormatMismatch, "different formats"));
        }
        match (from.scalar(), to.scalar()) {
            (Some(a), Some(b)) if a == b => Ok(ElementOp::Swap { itemsize: a.size() }),
            (Some(a), Some(b)) => Ok(ElementOp::Convert {
                from: a,
                from_order: from.byte_order(),
                to: b,
                to_order: to.byte_order(),
            }),
            _ => Err(Error::new(
                ErrorCode::FormatUnsupported,
                format!(
                    "cannot convert between the formats {:?} and {:?}: records can only be copied \
                     between matching formats or cast",
                    from.text(),
                    to.text()
                ),
            )),
        }
    }

    /// Bytes of one source element.
    pub fn src_itemsize(&self) -> usize {
        match *self {
            ElementOp::Raw { itemsize } | ElementOp::Swap { itemsize } => itemsize,
            ElementOp::Convert { from, .. } => from.size(),
        }
    }

    /// Bytes of one target element.
    pub fn dst_itemsize(&self) -> usize {
        match *self {
            ElementOp::Raw { itemsize } | ElementOp::Swap { itemsize } => itemsize,
            ElementOp::Convert { to, .. } => to.size(),
        }
    }

    /// The cheapest op with the same effect: conversions that keep every bit (int32 → uint32, uint8 →
    /// uint8c, a float kind to itself) become `Raw` or `Swap`, one-byte swaps become `Raw`.
    fn lower(self) -> ElementOp {
        use ScalarKind::*;
        match self {
            ElementOp::Swap { itemsize: 1 } => ElementOp::Raw { itemsize: 1 },
            ElementOp::Convert {
                from,
                from_order,
                to,
                to_order,
            } => {
                let same_bits = match (from, to) {
                    (Bool, _) | (_, Bool) => false,
                    (_, U8Clamped) => matches!(from, U8 | U8Clamped),
                    (a, b) if a.is_float() || b.is_float() => a == b,
                    (a, b) => a.size() == b.size(),
                };
                if !same_bits {
                    self
                } else if from.size() == 1 || from_order == to_order {
                    ElementOp::Raw {
                        itemsize: from.size(),
                    }
                } else {
                    ElementOp::Swap {
                        itemsize: from.size(),
                    }
                }
            }
            op => op,
        }
    }
}

/// The scalar reference of one element: `src` (at least `op.src_itemsize()` bytes) copied, swapped or
/// converted into a new `op.dst_itemsize()`-byte element, with [`crate::element`]'s conversion
/// functions. The kernels give the same bytes (up to the payload of a NaN, which JavaScript leaves to
/// the engine); this is the definition they are tested against, one element at a time.
///
/// Conversion rules, as `TypedArray.prototype.set` between typed arrays of the two kinds:
/// numbers are stored with ToInt8 … ToUint32 (truncate, wrap; NaN and ±Infinity → 0), ToUint8Clamp,
/// float rounding to nearest even; a bool is 1 or 0 and stores the truthiness of a value. A number goes
/// to a 64-bit kind as `BigInt(Math.trunc(x))` wrapped to 64 bits (NaN, ±Infinity → 0); a 64-bit value
/// goes to a `w`-bit integer as its low `w` bits (`BigInt.asIntN` / `asUintN`), to a float or `uint8c`
/// as `Number(v)` then that type's rule, to bool as `v != 0`, to the other 64-bit kind as the same bits.
pub fn convert_one(op: ElementOp, src: &[u8]) -> Vec<u8> {
    match op {
        ElementOp::Raw { itemsize } => src[..itemsize].to_vec(),
        ElementOp::Swap { itemsize } => src[..itemsize].iter().rev().copied().collect(),
        ElementOp::Convert {
            from,
            from_order,
            to,
            to_order,
        } => {
            use ScalarKind::*;
            let input = match decode(from, from_order, src) {
                Value::Bool(b) if to == Bool => Input::Bool(b),
                Value::Bool(b) => Input::Number(f64::from(u8::from(b))),
                Value::Number(x) if to.is_bigint() => Input::BigInt(number_to_u64_bits(x)),
                Value::Number(x) => Input::Number(x),
                Value::Int64(v) => bigint_input(v as u64, v as f64, to),
                Value::Uint64(v) => bigint_input(v, v as f64, to),
            };
            let bytes = encode(to, to_order, input).expect("every value converts to a scalar kind");
            bytes[..to.size()].to_vec()
        }
    }
}

/// What a bigint `bits` (whose `Number(v)` is `number`) stores into `to`.
fn bigint_input(bits: u64, number: f64, to: ScalarKind) -> Input {
    use ScalarKind::*;
    let low = |x: f64| Input::Number(x);
    match to {
        I64 | U64 | Bool => Input::BigInt(bits),
        I8 => low(f64::from(bits as i8)),
        U8 => low(f64::from(bits as u8)),
        I16 => low(f64::from(bits as i16)),
        U16 => low(f64::from(bits as u16)),
        I32 => low(f64::from(bits as i32)),
        U32 => low(f64::from(bits as u32)),
        U8Clamped | F16 | F32 | F64 => Input::Number(number),
    }
}

/// One side as the kernels see it: the rows actually copied and what the layout allows.
#[derive(Clone, Copy)]
struct Side<'a> {
    rows: &'a [*mut u8],
    cs: isize,
    size: usize,
    /// The distance between consecutive rows when it is the same for all (two rows or more).
    rs: Option<isize>,
    /// Lowest and one-past-highest byte address touched.
    lo: usize,
    hi: usize,
}

impl<'a> Side<'a> {
    /// Scans the row table once (addresses only, nothing is read). `rows` is not empty, `cols > 0`.
    /// Evenly spaced rows (one allocation: the common case) cost one subtraction a row and are
    /// bounded by their first and last rows. Every row's extent, taken on both sides and again in
    /// each chunk of a shared copy, was most of a copy's fixed cost: 1000 × 1000 'B' `copyFrom` of a
    /// column-major array 48–61 → 39–42 µs, 4000 × 4 'd' 19–24 → 9–12 µs (with the merged dense
    /// rows of `run`; Node, alternating processes).
    fn new(rows: &'a [*mut u8], cs: isize, cols: usize, size: usize) -> Side<'a> {
        let gap = |w: &[*mut u8]| (w[1] as isize).wrapping_sub(w[0] as isize);
        let step = rows.get(..2).map(gap);
        // A fold rather than `all`: no early exit, so the loop vectorizes.
        let rs = step.filter(|&s| rows.windows(2).fold(true, |even, w| even & (gap(w) == s)));
        if rs.is_some() || rows.len() == 1 {
            return Side::evenly_spaced(rows, cs, cols, size, rs);
        }
        let (mut lo, mut hi) = extent(rows[0], cs, cols, size);
        for &row in &rows[1..] {
            let (a, b) = extent(row, cs, cols, size);
            lo = lo.min(a);
            hi = hi.max(b);
        }
        Side {
            rows,
            cs,
            size,
            rs: None,
            lo,
            hi,
        }
    }

    /// A side whose rows are `rs` apart (`None`: one row). Valid rows do not wrap around the
    /// address space, so the row extents move one way and the end rows bound them all.
    fn evenly_spaced(
        rows: &'a [*mut u8],
        cs: isize,
        cols: usize,
        size: usize,
        rs: Option<isize>,
    ) -> Side<'a> {
        let (a, b) = extent(rows[0], cs, cols, size);
        let (c, d) = extent(rows[rows.len() - 1], cs, cols, size);
        Side {
            rows,
            cs,
            size,
            rs,
            lo: a.min(c),
            hi: b.max(d),
        }
    }

    /// Rows `range` (not empty) of this side; no rescan when they are evenly spaced.
    fn slice(&self, range: std::ops::Range<usize>, cols: usize) -> Side<'a> {
        let rows = &self.rows[range];
        match self.rs {
            Some(rs) => Side::evenly_spaced(
                rows,
                self.cs,
                cols,
                self.size,
                Some(rs).filter(|_| rows.len() > 1),
            ),
            None => Side::new(rows, self.cs, cols, self.size),
        }
    }

    /// The row stride, if this side is best walked down its columns: rows closer together than
    /// columns, and columns far enough apart that walking a row wastes most of each cache line.
    fn colwise(&self) -> Option<isize> {
        self.rs.filter(|rs| {
            let cs = self.cs.unsigned_abs();
            rs.unsigned_abs() < cs && cs > 64
        })
    }

    /// Whether elements `(r, c)` of a row are adjacent (`cs == size`).
    fn dense_rows(&self) -> bool {
        self.cs == self.size as isize
    }
}

/// The byte range `[lo, hi)` touched by one row.
fn extent(row: *mut u8, cs: isize, cols: usize, size: usize) -> (usize, usize) {
    let start = row as usize;
    let span = (cols as isize - 1).wrapping_mul(cs);
    let end = start.wrapping_add_signed(span);
    (start.min(end), start.max(end).wrapping_add(size))
}

/// Whether some byte is touched by both sides, row extent against row extent (a row's extent covers
/// the gaps between its elements, so this is conservative, never optimistic).
fn overlaps(dst: &Side, src: &Side, cols: usize) -> bool {
    if dst.hi <= src.lo || src.hi <= dst.lo {
        return false;
    }
    let mut targets: Vec<(usize, usize)> = dst
        .rows
        .iter()
        .map(|&p| extent(p, dst.cs, cols, dst.size))
        .collect();
    targets.sort_unstable();
    // Merge into disjoint, increasing intervals.
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(targets.len());
    for (lo, hi) in targets {
        match merged.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    src.rows.iter().any(|&p| {
        let (lo, hi) = extent(p, src.cs, cols, src.size);
        // The first merged interval ending after `lo` is the only candidate.
        let i = merged.partition_point(|&(_, end)| end <= lo);
        merged.get(i).is_some_and(|&(start, _)| start < hi)
    })
}

/// Applies `op` to `n` contiguous elements.
///
/// # Safety
/// `src` readable for `n * op.src_itemsize()` bytes, `dst` writable for `n * op.dst_itemsize()`, not
/// overlapping.
unsafe fn op_run(dst: *mut u8, src: *const u8, n: usize, op: ElementOp) {
    // SAFETY: forwarded from the caller (every arm).
    unsafe {
        match op {
            ElementOp::Raw { itemsize } => std::ptr::copy_nonoverlapping(src, dst, n * itemsize),
            ElementOp::Swap { itemsize } => convert::swap_run(dst, src, n, itemsize),
            ElementOp::Convert {
                from,
                from_order,
                to,
                to_order,
            } => convert::convert_run(
                dst,
                src,
                n,
                from,
                from_order != ByteOrder::NATIVE,
                to,
                to_order != ByteOrder::NATIVE,
            ),
        }
    }
}

/// Copies `rows × cols` elements from `src` into `dst`, applying `op`.
///
/// The result is that of copying from a snapshot of `src` taken first, even when the memory of both
/// sides overlaps (a self-copy, overlapping views of one buffer, a transpose onto itself): when the
/// address ranges of the rows of both sides intersect, the source goes through a temporary buffer.
/// When target elements overlap each other (a zero or too small `col_stride` on `dst`), which of
/// the writes to a byte lands last is unspecified.
///
/// Costs no allocation unless the sides overlap. Large copies are shared with the one helper thread
/// (started by the first of them); the call returns when the whole copy is done.
///
/// # Safety
/// Every element address `rows[r] + c * col_stride` (`r < rows`, `c < cols`) of both planes is valid
/// for its itemsize (`op.src_itemsize()` for reads on `src`, `op.dst_itemsize()` for writes on
/// `dst`), and no other thread writes that memory (or reads the target) during the copy.
///
/// # Panics
/// If a plane has fewer than `rows` row starts.
pub unsafe fn copy_plane(dst: &Plane, src: &Plane, rows: usize, cols: usize, op: ElementOp) {
    assert!(
        dst.rows.len() >= rows && src.rows.len() >= rows,
        "a plane has fewer than {rows} rows"
    );
    if rows == 0 || cols == 0 {
        return;
    }
    let op = op.lower();
    let (s, d) = (op.src_itemsize(), op.dst_itemsize());
    let src_side = Side::new(&src.rows[..rows], src.col_stride, cols, s);
    let dst_side = Side::new(&dst.rows[..rows], dst.col_stride, cols, d);
    if overlaps(&dst_side, &src_side, cols) {
        let identical = dst.col_stride == src.col_stride && dst_side.rows == src_side.rows;
        if identical && matches!(op, ElementOp::Raw { .. }) {
            // Every element is copied onto itself: the snapshot is what is there already.
            return;
        }
        // SAFETY: forwarded from the caller.
        return unsafe { copy_through_snapshot(&dst_side, &src_side, cols, op) };
    }
    let target_bytes = rows * cols * d;
    // Transposes and strided walks cost several times a memcpy per byte: worth sharing sooner.
    let dense = src_side.dense_rows() && dst_side.dense_rows();
    let share_min = parallel::SHARE_MIN_BYTES >> if dense { 0 } else { 2 };
    if target_bytes >= share_min && rows >= 2 * CHUNK_ROWS && elements_disjoint(&dst_side, cols) {
        // SAFETY: forwarded from the caller; the sides do not overlap, and no two target elements
        // share a byte, so the chunks (disjoint row ranges) write disjoint bytes.
        return unsafe { run_shared(&dst_side, &src_side, cols, op, target_bytes) };
    }
    // SAFETY: forwarded from the caller; the sides do not overlap.
    unsafe { run(&dst_side, &src_side, cols, op, target_bytes) }
}

/// Rows per chunk of a shared copy are a multiple of this: whole blocks of every transpose kernel.
const CHUNK_ROWS: usize = 64;

/// Chunks of a shared copy: enough for the two threads to even out a late start.
const CHUNKS: usize = 8;

/// Both sides of a copy, for the threads that share it.
struct Shared<'a> {
    dst: &'a Side<'a>,
    src: &'a Side<'a>,
}

// SAFETY: the sides hold addresses only; the threads of a shared copy read the source and write
// disjoint target bytes (see `run_shared`), which `copy_plane`'s caller lets no one else touch.
unsafe impl Sync for Shared<'_> {}

impl<'a> Shared<'a> {
    /// Rows `range` of both sides (target, source).
    fn sides(&self, range: std::ops::Range<usize>, cols: usize) -> (Side<'a>, Side<'a>) {
        (
            self.dst.slice(range.clone(), cols),
            self.src.slice(range, cols),
        )
    }
}

/// [`run`], cut into chunks of rows that this thread and the copy helper share.
///
/// # Safety
/// As [`run`]; no two target elements share a byte.
unsafe fn run_shared(dst: &Side, src: &Side, cols: usize, op: ElementOp, target_bytes: usize) {
    let rows = src.rows.len();
    let step = rows.div_ceil(CHUNKS).next_multiple_of(CHUNK_ROWS);
    let shared = Shared { dst, src };
    let task = |k: usize| {
        let range = k * step..((k + 1) * step).min(rows);
        let (ds, ss) = shared.sides(range, cols);
        // SAFETY: rows of the caller's copy; other chunks write other target bytes.
        unsafe { run(&ds, &ss, cols, op, target_bytes) }
    };
    parallel::for_each_chunk(rows.div_ceil(step), &task);
}

/// Whether no two elements of a uniform side share a byte: its rows apart (each row's elements
/// apart, and each row past the previous one's extent) or its columns apart in the same way.
fn elements_disjoint(side: &Side, cols: usize) -> bool {
    let Some(rs) = side.rs else {
        return false;
    };
    let (rs, cs, size) = (rs.unsigned_abs(), side.cs.unsigned_abs(), side.size);
    let span = |n: usize, step: usize| (n - 1).saturating_mul(step).saturating_add(size);
    (cs >= size && rs >= span(cols, cs)) || (rs >= size && cs >= span(side.rows.len(), rs))
}

/// Copies the source to a dense temporary first, then the temporary to the target.
///
/// # Safety
/// As [`copy_plane`].
#[cold]
unsafe fn copy_through_snapshot(dst: &Side, src: &Side, cols: usize, op: ElementOp) {
    let rows = src.rows.len();
    let s = src.size;
    let mut tmp = vec![0u8; rows * cols * s];
    let table = row_table(tmp.as_mut_ptr(), rows, (cols * s) as isize);
    let tmp_side = Side::new(&table, s as isize, cols, s);
    // SAFETY: the temporary is a fresh allocation holding every element, so it overlaps neither side.
    unsafe {
        run(&tmp_side, src, cols, ElementOp::Raw { itemsize: s }, 0);
        run(
            dst,
            &tmp_side,
            cols,
            op,
            dst.rows.len() * cols * op.dst_itemsize(),
        );
    }
}

/// Picks the kernel for the layouts of non-overlapping sides, and runs it on the calling thread.
/// `target_bytes` is the size of the whole copy, of which these sides may be a chunk: it decides
/// whether the target is written with non-temporal stores.
///
/// # Safety
/// As [`copy_plane`], and the sides do not overlap.
unsafe fn run(dst: &Side, src: &Side, cols: usize, op: ElementOp, target_bytes: usize) {
    let (s, d) = (src.size, dst.size);
    let streamed = stream::streams(op, target_bytes);
    // SAFETY: forwarded from the caller (every branch); each kernel only touches elements (r, c)
    // with r < rows, c < cols at the addresses the planes define.
    unsafe {
        if src.dense_rows() && dst.dense_rows() {
            let row = |side: &Side, r: usize| side.rows[r];
            let rows = src.rows.len();
            // Rows that follow each other on both sides (the strides say so): one run, with no
            // comparison of run starts (a 4000 × 4 'd' copy spent about 2 of its 13 µs on those).
            let adjacent = |side: &Side| side.rs == Some((cols * side.size) as isize);
            if adjacent(src) && adjacent(dst) {
                return dense_runs(dst, src, 1, row, rows * cols, op, streamed);
            }
            return dense_runs(dst, src, rows, row, cols, op, streamed);
        }
        if src.rs == Some(s as isize) && dst.rs == Some(d as isize) {
            // Column-major on both sides: columns are the dense runs.
            let col = |side: &Side, c: usize| side.rows[0].wrapping_offset(c as isize * side.cs);
            return dense_runs(dst, src, cols, col, src.rows.len(), op, streamed);
        }
        if let ElementOp::Raw { itemsize } = op {
            if let Some(kind) = transpose::Transpose::detect(dst, src, cols, itemsize) {
                let stream = target_bytes >= transpose::STREAM_MIN_BYTES;
                return transpose::transpose(dst, src, cols, itemsize, kind, stream);
            }
        }
        match (src.colwise(), dst.colwise()) {
            (Some(_), None) | (None, Some(_)) if strided::tiles_fit(op) => {
                strided::tiled(dst, src, cols, op)
            }
            (Some(_), Some(_)) => strided::lines(dst, src, cols, op, true),
            _ => strided::lines(dst, src, cols, op, false),
        }
    }
}

/// Copies `count` dense runs of `len` elements, run `i` starting at `start(side, i)`, merging runs
/// that follow each other on both sides into one.
///
/// # Safety
/// As [`run`]; each run is contiguous on both sides.
#[inline]
unsafe fn dense_runs(
    dst: &Side,
    src: &Side,
    count: usize,
    start: impl Fn(&Side, usize) -> *mut u8,
    len: usize,
    op: ElementOp,
    streamed: bool,
) {
    let (src_step, dst_step) = (len * src.size, len * dst.size);
    let mut i = 0;
    while i < count {
        let (sp, dp) = (start(src, i), start(dst, i));
        let mut end = i + 1;
        while end < count
            && start(src, end) == sp.wrapping_add((end - i) * src_step)
            && start(dst, end) == dp.wrapping_add((end - i) * dst_step)
        {
            end += 1;
        }
        // SAFETY: runs i..end are adjacent on both sides, so they form one dense run of valid
        // elements (caller); the kernels only walk addresses, which hold whatever owns them.
        unsafe {
            if streamed {
                stream::op_run_streamed(dp, sp, (end - i) * len, op)
            } else {
                op_run(dp, sp, (end - i) * len, op)
            }
        };
        i = end;
    }
    if streamed {
        stream::fence();
    }
}

/// Copies `src` into `dst` with the checks of the copy contract, in its order: a read-only target
/// (`ERR_READONLY` "copying to readonly buffer"), different shapes (`ERR_SHAPE_MISMATCH` "different
/// shapes"), then the formats ([`ElementOp::plan`]: `ERR_FORMAT_MISMATCH`, `ERR_ITEMSIZE_MISMATCH`,
/// `ERR_FORMAT_UNSUPPORTED`). A null entry in an in-place row table is `ERR_NULL_POINTER`. Nothing
/// is written unless every check passes. Matrices sharing memory copy as from a snapshot.
///
/// ```
/// use indirect_buffer::copy::copy_matrix;
/// use indirect_buffer::element::{Input, Value};
/// use indirect_buffer::{ErrorCode, Format, IndirectMatrix};
/// let mut src = IndirectMatrix::new(2, 2, Format::parse("d")?)?;
/// src.set(0, 1, Input::Number(3.7))?;
/// src.set(1, 0, Input::Number(2f64.powi(32) + 1.0))?;
/// let mut dst = IndirectMatrix::new(2, 2, Format::parse("int32")?)?;
/// let err = copy_matrix(&mut dst, &src, false, false).unwrap_err();
/// assert_eq!((err.code, err.message.as_str()), (ErrorCode::FormatMismatch, "different formats"));
/// copy_matrix(&mut dst, &src, false, true)?;
/// assert_eq!(dst.get(0, 1)?, Value::Number(3.0));
/// assert_eq!(dst.get(1, 0)?, Value::Number(1.0));
/// # Ok::<(), indirect_buffer::Error>(())
/// ```
pub fn copy_matrix(
    dst: &mut IndirectMatrix,
    src: &IndirectMatrix,
    cast: bool,
    convert: bool,
) -> Result<()> {
    // One owner of the copy contract: the checks (ragged tables included) and the row walk live in transfer.
    crate::transfer::copy(
        crate::transfer::Side::Matrix(dst),
        crate::transfer::Side::Matrix(src),
        crate::transfer::CopyFlags { cast, convert },
    )
}
