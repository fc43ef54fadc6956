//! The copy contract (`copyFrom` / `copyTo`): its checks, once and in the contract's order, then the
//! kernels of [`crate::copy`]. Either side is an [`IndirectMatrix`] or a [`CheckedPlane`].
//!
//! The checks, first failure wins:
//! 1. a read-only target: `ERR_READONLY` "copying to readonly buffer";
//! 2. the target, then the source, not 2-D: `ERR_DIMENSIONS`; a ragged table whose rows differ: `ERR_RAGGED`;
//! 3. different shapes: `ERR_SHAPE_MISMATCH` "different shapes";
//! 4. without `cast` / `convert`, formats that do not match: `ERR_FORMAT_MISMATCH` "different formats";
//! 5. with `cast`, different itemsizes: `ERR_ITEMSIZE_MISMATCH` "different itemsizes".
//!
//! ```
//! use indirect_buffer::element::{Input, Value};
//! use indirect_buffer::plane::CheckedPlane;
//! use indirect_buffer::transfer::{copy, CopyFlags, Side};
//! use indirect_buffer::{ErrorCode, Format, IndirectMatrix};
//! let mut m = IndirectMatrix::new(2, 2, Format::parse("d")?)?;
//! m.set(1, 0, Input::Number(3.7))?;
//! let mut out = [0i32; 4];
//! // Column-major int32 target: element (r, c) at 4 * (r + 2 * c).
//! // SAFETY: `out` outlives the plane.
//! let target = unsafe { CheckedPlane::strided(out.as_mut_ptr().cast(), 16, [2, 2], [4, 8], 0, Format::parse("i")?)? };
//! let e = copy(Side::Plane(&target), Side::Matrix(&m), CopyFlags::default()).unwrap_err();
//! assert_eq!((e.code, e.message.as_str()), (ErrorCode::FormatMismatch, "different formats"));
//! copy(Side::Plane(&target), Side::Matrix(&m), CopyFlags { convert: true, ..CopyFlags::default() })?;
//! assert_eq!(out, [0, 3, 0, 0]);
//! // Read-only is checked before anything else, even before the shapes.
//! let small = IndirectMatrix::new(1, 1, Format::parse("d")?)?;
//! let e = copy(Side::Plane(&target.clone().read_only()), Side::Matrix(&small), CopyFlags::default()).unwrap_err();
//! assert_eq!(e.code, ErrorCode::Readonly);
//! # Ok::<(), indirect_buffer::Error>(())
//! ```

use crate::copy::{copy_plane, ElementOp, Plane};
use crate::error::{Error, ErrorCode, Result};
use crate::format::Format;
use crate::matrix::IndirectMatrix;
use crate::plane::CheckedPlane;

/// One side of a copy.
#[derive(Debug, Clone, Copy)]
pub enum Side<'a> {
    Matrix(&'a IndirectMatrix),
    Plane(&'a CheckedPlane),
}

/// The options of a copy: `cast` copies raw bytes between formats of one itemsize, `convert` converts
/// values as `TypedArray.prototype.set` does (`cast` wins when both are set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyFlags {
    pub cast: bool,
    pub convert: bool,
}

impl Side<'_> {
    fn readonly(&self) -> bool {
        match self {
            Side::Matrix(m) => m.readonly(),
            Side::Plane(p) => p.readonly(),
        }
    }
    fn check_2d(&self) -> Result<()> {
        match self {
            Side::Matrix(m) => m.require_rectangle(),
            Side::Plane(p) if p.ndim() != 2 => Err(Error::new(
                ErrorCode::Dimensions,
                format!(
                    "wrong number of dimensions: expected 2, received {}",
                    p.ndim()
                ),
            )),
            Side::Plane(_) => Ok(()),
        }
    }
    fn shape(&self) -> (usize, usize) {
        match self {
            Side::Matrix(m) => (m.rows(), m.cols()),
            Side::Plane(p) => (p.rows(), p.cols()),
        }
    }
    fn format(&self) -> &Format {
        match self {
            Side::Matrix(m) => m.format(),
            Side::Plane(p) => p.format(),
        }
    }
    /// The row starts (an in-place table is read now: a null row is `ERR_NULL_POINTER`).
    fn rows(&self) -> Result<std::borrow::Cow<'_, [*mut u8]>> {
        match self {
            Side::Matrix(m) => m.rows_now(),
            Side::Plane(p) => Ok(std::borrow::Cow::Borrowed(p.row_starts())),
        }
    }
    fn col_stride(&self) -> isize {
        match self {
            Side::Matrix(m) => m.format().itemsize() as isize,
            Side::Plane(p) => p.col_stride(),
        }
    }
}

/// Copies `src` into `dst` after the contract's checks (module docs); nothing is written unless every
/// check passes. Sides sharing memory copy as from a snapshot of the source.
pub fn copy(dst: Side<'_>, src: Side<'_>, flags: CopyFlags) -> Result<()> {
    if dst.readonly() {
        return Err(Error::new(
            ErrorCode::Readonly,
            "copying to readonly buffer",
        ));
    }
    dst.check_2d()?;
    src.check_2d()?;
    let (rows, cols) = dst.shape();
    if (rows, cols) != src.shape() {
        return Err(Error::new(ErrorCode::ShapeMismatch, "different shapes"));
    }
    let op = ElementOp::plan(src.format(), dst.format(), flags.cast, flags.convert)?;
    if rows == 0 || cols == 0 {
        return Ok(());
    }
    let (dst_rows, src_rows) = (dst.rows()?, src.rows()?);
    let d = Plane {
        rows: &dst_rows,
        col_stride: dst.col_stride(),
    };
    let s = Plane {
        rows: &src_rows,
        col_stride: src.col_stride(),
    };
    // SAFETY: a matrix's rows hold `cols` elements of its format (its constructor's contract; the
    // rectangle was checked), a checked plane's elements lie inside memory its constructor's caller
    // vouched for, and the target is writable (checked first). The kernel snapshots overlapping sources.
    unsafe { copy_plane(&d, &s, rows, cols, op) };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{Input, Value};

    fn f(s: &str) -> Format {
        Format::parse(s).expect("valid format")
    }

    #[test]
    fn checks_run_in_the_contracts_order() {
        let mut ro = IndirectMatrix::new(1, 1, f("d")).unwrap();
        ro.make_read_only();
        let flat = CheckedPlane::not_2d(1, f("i"));
        let ragged = IndirectMatrix::new_ragged(&[1, 2], f("d")).unwrap();
        let d23 = IndirectMatrix::new(2, 3, f("d")).unwrap();
        let i22 = IndirectMatrix::new(2, 2, f("i")).unwrap();
        let q22 = IndirectMatrix::new(2, 2, f("q")).unwrap();
        let code = |dst, src, flags| copy(dst, src, flags).unwrap_err().code;
        let none = CopyFlags::default();
        let cast = CopyFlags {
            cast: true,
            convert: false,
        };
        // A read-only target wins over a flat source.
        assert_eq!(
            code(Side::Matrix(&ro), Side::Plane(&flat), none),
            ErrorCode::Readonly
        );
        assert_eq!(
            code(Side::Matrix(&d23), Side::Plane(&flat), none),
            ErrorCode::Dimensions
        );
        assert_eq!(
            code(Side::Matrix(&ragged), Side::Matrix(&d23), none),
            ErrorCode::Ragged
        );
        assert_eq!(
            code(Side::Matrix(&d23), Side::Matrix(&i22), none),
            ErrorCode::ShapeMismatch
        );
        assert_eq!(
            code(Side::Matrix(&q22), Side::Matrix(&i22), none),
            ErrorCode::FormatMismatch
        );
        assert_eq!(
            code(Side::Matrix(&q22), Side::Matrix(&i22), cast),
            ErrorCode::ItemsizeMismatch
        );
    }

    #[test]
    fn ragged_tables_with_equal_rows_copy_like_rectangles() {
        let mut src = IndirectMatrix::new_ragged(&[2, 2], f("i")).unwrap();
        src.set(1, 1, Input::Number(9.0)).unwrap();
        let dst = IndirectMatrix::new(2, 2, f("i")).unwrap();
        copy(Side::Matrix(&dst), Side::Matrix(&src), CopyFlags::default()).unwrap();
        assert_eq!(dst.get(1, 1).unwrap(), Value::Number(9.0));
    }
}
