//! Checked planes: strided memory described by its parts (shape, byte strides, offset, itemsize and the
//! length of the buffer it lies in), validated once at construction, in the spirit of ndarray's
//! `ArrayView::from_shape_ptr`. A [`CheckedPlane`] is one side of a [`crate::transfer::copy`].
//!
//! ```
//! use indirect_buffer::plane::CheckedPlane;
//! use indirect_buffer::{ErrorCode, Format};
//! let mut data = [0i32; 6];
//! let f = Format::parse("i")?;
//! // A 2×3 row-major view, then its transpose (3×2, column stride 12 bytes).
//! // SAFETY: `data` outlives both planes.
//! let rows = unsafe { CheckedPlane::strided(data.as_mut_ptr().cast(), 24, [2, 3], [12, 4], 0, f.clone())? };
//! let cols = unsafe { CheckedPlane::strided(data.as_mut_ptr().cast(), 24, [3, 2], [4, 12], 0, f.clone())? };
//! assert_eq!((rows.rows(), rows.cols(), cols.col_stride()), (2, 3, 12));
//! // Reversed rows: element (0, 0) is the last row's first element.
//! let rev = unsafe { CheckedPlane::strided(data.as_mut_ptr().cast(), 24, [2, 3], [-12, 4], 12, f.clone())? };
//! assert_eq!(rev.row_starts()[1], data.as_mut_ptr().cast());
//! // One byte too far is refused.
//! let e = unsafe { CheckedPlane::strided(data.as_mut_ptr().cast(), 23, [2, 3], [12, 4], 0, f) }.unwrap_err();
//! assert_eq!(e.code, ErrorCode::InvalidArgument);
//! # Ok::<(), indirect_buffer::Error>(())
//! ```

use crate::copy::Plane;
use crate::error::{Error, ErrorCode, Result};
use crate::format::Format;

/// Where rows of no element point: a real, aligned address that is never read or written.
static EMPTY_ROW: [u64; 2] = [0; 2];

fn empty_row() -> *mut u8 {
    EMPTY_ROW.as_ptr() as *mut u8
}

/// Strided memory checked to lie inside its buffer: `rows` row starts and the byte distance between the
/// elements of a row, plus the format, whether it may be written, and how many dimensions the value it
/// came from had (a copy reports a side that is not 2-D at its place in the contract's order).
#[derive(Debug, Clone)]
pub struct CheckedPlane {
    rows: Vec<*mut u8>,
    cols: usize,
    col_stride: isize,
    format: Format,
    readonly: bool,
    ndim: usize,
}

/// The span `[lo, hi)` in bytes, relative to an element, that `n` elements `stride` bytes apart cover
/// (`None` on overflow).
fn span(n: usize, stride: isize) -> Option<(i128, i128)> {
    let reach = i128::try_from(n.checked_sub(1)?)
        .ok()?
        .checked_mul(stride as i128)?;
    Some((reach.min(0), reach.max(0)))
}

/// An empty row table with room for `rows` entries. A table that cannot be allocated is
/// `ERR_INVALID_SHAPE`, not an abort: a shape of no columns has no data whose size would refuse it first.
fn row_table(rows: usize) -> Result<Vec<*mut u8>> {
    let mut table = Vec::new();
    table.try_reserve_exact(rows).map_err(|_| {
        Error::new(
            ErrorCode::InvalidShape,
            format!("cannot allocate a row table of {rows} rows"),
        )
    })?;
    Ok(table)
}

fn outside(what: &str) -> Error {
    Error::new(
        ErrorCode::InvalidArgument,
        format!("{what} reaches outside its buffer"),
    )
}

/// Whether elements from `start + lo` to `start + hi + itemsize` lie in `[0, len)`.
fn inside(start: i128, (lo, hi): (i128, i128), itemsize: usize, len: usize) -> bool {
    let (Some(a), Some(b)) = (start.checked_add(lo), start.checked_add(hi)) else {
        return false;
    };
    a >= 0 && b.saturating_add(itemsize as i128) <= len as i128
}

/// Elements per row: one count for every row (a rectangle), or each row's own (a ragged table).
#[derive(Debug, Clone, Copy)]
pub enum RowLengths<'a> {
    /// Every row has this many elements.
    Uniform(usize),
    /// Row `r` has `lengths[r]` elements.
    PerRow(&'a [usize]),
}

/// The row starts of rows spread over several buffers, each checked to lie inside its buffer: row `r`
/// starts `row_offsets[r]` bytes into `segments[segment_of_row[r]]` (a buffer as `(base, len)`) and has
/// `lengths` elements of `itemsize` bytes, `col_stride` bytes apart. Rows of no element get a real
/// address that is never read. Refusals are `ERR_INVALID_ARGUMENT`. Only computes addresses.
///
/// The offsets come as an iterator and a rectangle's lengths as one count, so that a caller holding them
/// in another form (JS numbers) builds no per-row array for them; a uniform row's span is computed once.
/// With the facade's offsets made from one row size, a 4000-row `createMemory` went from 35 to 28 µs.
pub fn checked_row_starts(
    segments: &[(*mut u8, usize)],
    segment_of_row: &[u32],
    row_offsets: impl ExactSizeIterator<Item = usize>,
    lengths: RowLengths<'_>,
    col_stride: isize,
    itemsize: usize,
) -> Result<Vec<*mut u8>> {
    let rows = segment_of_row.len();
    if row_offsets.len() != rows || matches!(lengths, RowLengths::PerRow(l) if l.len() != rows) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "one segment, one offset and one length per row",
        ));
    }
    let uniform_reach = match lengths {
        RowLengths::Uniform(n) => span(n, col_stride),
        RowLengths::PerRow(_) => None,
    };
    let mut starts = row_table(rows)?;
    for (r, (&seg, off)) in segment_of_row.iter().zip(row_offsets).enumerate() {
        let &(base, len) = segments.get(seg as usize).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("row {r} names segment {seg}, which does not exist"),
            )
        })?;
        let (n, reach) = match lengths {
            RowLengths::Uniform(n) => (n, uniform_reach),
            RowLengths::PerRow(l) => (l[r], span(l[r], col_stride)),
        };
        if n == 0 {
            starts.push(empty_row());
            continue;
        }
        match reach {
            Some(reach) if !base.is_null() && inside(off as i128, reach, itemsize, len) => {}
            _ => return Err(outside(&format!("row {r}"))),
        }
        starts.push(base.wrapping_add(off));
    }
    Ok(starts)
}

impl CheckedPlane {
    /// A strided array: element `(r, c)` at byte `offset + r * strides[0] + c * strides[1]` of the `len`
    /// bytes at `base`. Every element must lie inside (`ERR_INVALID_ARGUMENT` otherwise); the check is
    /// done once, from the extreme elements, with overflow-safe arithmetic. With no element (`0` in the
    /// shape) nothing is checked and nothing will be reached.
    ///
    /// # Safety
    /// `base` must be valid for reads of `len` bytes (and writes, unless the plane is made
    /// [`read_only`](Self::read_only)) for as long as the plane is used, with no Rust reference to that
    /// memory meanwhile.
    pub unsafe fn strided(
        base: *mut u8,
        len: usize,
        shape: [usize; 2],
        strides: [isize; 2],
        offset: usize,
        format: Format,
    ) -> Result<Self> {
        let [rows, cols] = shape;
        let itemsize = format.itemsize();
        // The row table itself must be allocatable.
        crate::matrix::checked_nbytes(rows, 1, std::mem::size_of::<*mut u8>())?;
        if rows == 0 || cols == 0 {
            let mut starts = row_table(rows)?;
            starts.resize(rows, empty_row());
            return Ok(Self::new(starts, cols, strides[1], format));
        }
        let (r_lo, r_hi) = span(rows, strides[0]).ok_or_else(|| outside("the strided array"))?;
        let (c_lo, c_hi) = span(cols, strides[1]).ok_or_else(|| outside("the strided array"))?;
        if !inside(offset as i128, (r_lo + c_lo, r_hi + c_hi), itemsize, len) {
            return Err(outside("the strided array"));
        }
        // Every row start lies inside the buffer (checked above), so the offsets cannot wrap.
        let first = base.wrapping_add(offset);
        let mut starts = row_table(rows)?;
        starts.extend((0..rows as isize).map(|r| first.wrapping_offset(r * strides[0])));
        Ok(Self::new(starts, cols, strides[1], format))
    }

    /// Rows spread over several buffers: row `r` starts `row_offsets[r]` bytes into
    /// `segments[segment_of_row[r]]` (a buffer as `(base, len)`), its `cols` elements `col_stride` bytes
    /// apart. Each row is checked to lie inside its buffer (`ERR_INVALID_ARGUMENT`).
    ///
    /// # Safety
    /// Every segment must be valid as `base` in [`strided`](Self::strided).
    pub unsafe fn from_rows(
        segments: &[(*mut u8, usize)],
        segment_of_row: &[u32],
        row_offsets: &[usize],
        cols: usize,
        col_stride: isize,
        format: Format,
    ) -> Result<Self> {
        let starts = checked_row_starts(
            segments,
            segment_of_row,
            row_offsets.iter().copied(),
            RowLengths::Uniform(cols),
            col_stride,
            format.itemsize(),
        )?;
        Ok(Self::new(starts, cols, col_stride, format))
    }

    /// A side of a copy that is not 2-D (it has `ndim` dimensions): it holds no memory, and a copy
    /// refuses it with `ERR_DIMENSIONS` at that check's place in the contract's order.
    pub fn not_2d(ndim: usize, format: Format) -> Self {
        CheckedPlane {
            ndim,
            ..Self::new(Vec::new(), 0, 0, format)
        }
    }

    fn new(rows: Vec<*mut u8>, cols: usize, col_stride: isize, format: Format) -> Self {
        CheckedPlane {
            rows,
            cols,
            col_stride,
            format,
            readonly: false,
            ndim: 2,
        }
    }

    /// The same plane, which copies will refuse to write (`ERR_READONLY`).
    pub fn read_only(mut self) -> Self {
        self.readonly = true;
        self
    }

    pub fn rows(&self) -> usize {
        self.rows.len()
    }
    pub fn cols(&self) -> usize {
        self.cols
    }
    pub fn col_stride(&self) -> isize {
        self.col_stride
    }
    pub fn format(&self) -> &Format {
        &self.format
    }
    pub fn readonly(&self) -> bool {
        self.readonly
    }
    pub fn ndim(&self) -> usize {
        self.ndim
    }
    /// Each row's first element.
    pub fn row_starts(&self) -> &[*mut u8] {
        &self.rows
    }
    /// The row starts, given up: a table of rows checked once as a whole (a 4000-row `createMemory`
    /// spends 4 ns a row checking each row on its own, which runs while V8 marks the heap after the
    /// storage's allocation).
    pub fn into_row_starts(self) -> Vec<*mut u8> {
        self.rows
    }
    /// The plane as the copy kernels take it.
    pub fn plane(&self) -> Plane<'_> {
        Plane {
            rows: &self.rows,
            col_stride: self.col_stride,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Format {
        Format::parse(s).expect("valid format")
    }

    /// A strided plane over test memory (the tests below only compute addresses, never dereference).
    fn strided(
        p: *mut u8,
        len: usize,
        shape: [usize; 2],
        strides: [isize; 2],
        offset: usize,
    ) -> Result<CheckedPlane> {
        // SAFETY: each test's buffer outlives its planes, which are never used to reach memory.
        unsafe { CheckedPlane::strided(p, len, shape, strides, offset, f("d")) }
    }

    fn rows(
        segs: &[(*mut u8, usize)],
        seg: &[u32],
        off: &[usize],
        cols: usize,
    ) -> Result<CheckedPlane> {
        // SAFETY: as in `strided`.
        unsafe { CheckedPlane::from_rows(segs, seg, off, cols, 4, f("i")) }
    }

    #[test]
    fn extreme_strides_and_offsets_are_refused_without_overflow() {
        let mut data = [0u8; 64];
        let p = data.as_mut_ptr();
        let cases: [([usize; 2], [isize; 2], usize); 5] = [
            ([2, 2], [isize::MAX, 1], 0),
            ([usize::MAX / 16, 2], [8, 1], 0),
            ([2, 2], [isize::MIN, 1], 63),
            ([2, 2], [-8, 1], 7),
            ([1, 9], [0, 8], 0),
        ];
        for (shape, strides, offset) in cases {
            let r = strided(p, 64, shape, strides, offset);
            assert_eq!(
                r.unwrap_err().code,
                ErrorCode::InvalidArgument,
                "{shape:?} {strides:?}"
            );
        }
        assert_eq!(strided(p, 64, [8, 1], [8, 0], 0).unwrap().rows(), 8);
        // A row table too large to allocate is a bad shape, even with no element to reach.
        let huge = strided(p, 64, [usize::MAX, 0], [8, 1], 0).unwrap_err();
        assert_eq!(huge.code, ErrorCode::InvalidShape);
        // One that could exist in the address space but not be allocated: refused, not an abort.
        let unallocatable = strided(p, 64, [1 << 58, 0], [8, 1], 0).unwrap_err();
        assert_eq!(unallocatable.code, ErrorCode::InvalidShape);
        assert_eq!(
            strided(p, 64, [2, 8], [-64, 8], 64).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        assert_eq!(
            strided(p, 64, [2, 4], [-32, 8], 32).unwrap().row_starts()[1],
            p
        );
        let empty = strided(std::ptr::null_mut(), 0, [3, 0], [8, 8], 99).unwrap();
        assert_eq!((empty.rows(), empty.cols()), (3, 0));
    }

    #[test]
    fn rows_over_segments_are_checked_each() {
        let mut a = [0u8; 16];
        let mut b = [0u8; 8];
        let segs = [(a.as_mut_ptr(), 16), (b.as_mut_ptr(), 8)];
        let ok = rows(&segs, &[0, 1], &[8, 0], 2).unwrap();
        assert_eq!(ok.row_starts()[1], b.as_mut_ptr());
        let e = rows(&segs, &[0, 1], &[8, 4], 2).unwrap_err();
        assert_eq!(e.message, "row 1 reaches outside its buffer");
        assert_eq!(
            rows(&segs, &[2], &[0], 1).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        assert_eq!(rows(&segs, &[0], &[0], 0).unwrap().rows(), 1);
    }

    #[test]
    fn evenly_spaced_rows_match_rows_checked_each() {
        let mut a = [0u8; 96];
        let p = a.as_mut_ptr();
        // Three rows of two 'd' 32 bytes apart, forwards from byte 8 and backwards from byte 72.
        for (stride, offset) in [(32isize, 8usize), (-32, 72)] {
            let starts = strided(p, 96, [3, 2], [stride, 8], offset)
                .unwrap()
                .into_row_starts();
            let offsets: Vec<usize> = (0..3)
                .map(|r| (offset as isize + r * stride) as usize)
                .collect();
            let each = checked_row_starts(
                &[(p, 96)],
                &[0; 3],
                offsets.iter().copied(),
                RowLengths::Uniform(2),
                8,
                8,
            )
            .unwrap();
            assert_eq!(starts, each, "stride {stride}");
        }
        // The last row one element past the end is refused as a whole; rows of nothing are never read.
        assert!(strided(p, 96, [3, 2], [40, 8], 8).is_err());
        let empty = strided(p, 96, [2, 0], [1000, 8], 0)
            .unwrap()
            .into_row_starts();
        assert_eq!(empty, vec![empty_row(); 2]);
    }

    #[test]
    fn uniform_and_per_row_lengths_check_alike() {
        let mut a = [0u8; 32];
        let segs = [(a.as_mut_ptr(), 32)];
        let starts = |offsets: &[usize], lengths| {
            checked_row_starts(&segs, &[0, 0], offsets.iter().copied(), lengths, 8, 8)
        };
        let uniform = starts(&[0, 16], RowLengths::Uniform(2)).unwrap();
        assert_eq!(
            uniform,
            starts(&[0, 16], RowLengths::PerRow(&[2, 2])).unwrap()
        );
        assert_eq!(uniform[1], a.as_mut_ptr().wrapping_add(16));
        // The second row's two elements end at byte 40 of 32: refused whichever form its length has.
        for lengths in [RowLengths::Uniform(2), RowLengths::PerRow(&[2, 2])] {
            let e = starts(&[0, 24], lengths).unwrap_err();
            assert_eq!(e.message, "row 1 reaches outside its buffer");
        }
        // A ragged row that fits; a count of lengths or offsets other than the rows'.
        assert!(starts(&[0, 24], RowLengths::PerRow(&[2, 1])).is_ok());
        for e in [
            starts(&[0, 16], RowLengths::PerRow(&[2])).unwrap_err(),
            starts(&[0], RowLengths::Uniform(2)).unwrap_err(),
        ] {
            assert_eq!(e.code, ErrorCode::InvalidArgument);
        }
    }
}
