//! Indirect matrices: a row-pointer table (`T**`) plus whatever keeps the rows' memory alive.
//!
//! Three ownerships, one type:
//! - **owned** ([`IndirectMatrix::new`]): this crate allocates zeroed, aligned storage and the table;
//! - **borrowed** ([`IndirectMatrix::from_row_pointers`], [`IndirectMatrix::from_table`]): the caller
//!   promises the memory outlives the matrix (`unsafe`);
//! - **with a nanny** ([`IndirectMatrix::from_table_with_nanny`]): any value whose `Drop` frees the
//!   memory is kept inside the matrix and dropped after it, so the memory is freed exactly once.
//!
//! A table is either copied into the matrix (its own `Box<[*mut u8]>`) or used in place (a foreign
//! `T**` whose entries are read at each access, as C code that swaps rows expects).

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::any::Any;
use std::ptr::NonNull;

use crate::element::{decode, encode, Input, Value};
use crate::error::{Error, ErrorCode, Result};
use crate::format::Format;

/// Checks a shape and returns the byte size of `rows × cols` elements of `itemsize` bytes, or
/// `ERR_INVALID_SHAPE` when it overflows what an allocation can address (`isize::MAX`).
pub fn checked_nbytes(rows: usize, cols: usize, itemsize: usize) -> Result<usize> {
    rows.checked_mul(cols)
        .and_then(|n| n.checked_mul(itemsize))
        .filter(|&n| n <= isize::MAX as usize)
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidShape,
                format!(
                    "a {rows}×{cols} matrix of {itemsize}-byte elements exceeds addressable memory"
                ),
            )
        })
}

/// Zeroed storage allocated by this crate for an owned matrix.
struct OwnedStorage {
    ptr: NonNull<u8>,
    layout: Layout,
}

impl OwnedStorage {
    fn zeroed(size: usize, align: usize) -> Result<Self> {
        let layout = Layout::from_size_align(size.max(1), align.max(1))
            .map_err(|e| Error::new(ErrorCode::InvalidShape, e.to_string()))?;
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { alloc_zeroed(layout) };
        let ptr = NonNull::new(ptr).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidShape,
                format!("cannot allocate {size} bytes"),
            )
        })?;
        Ok(OwnedStorage { ptr, layout })
    }
}

impl Drop for OwnedStorage {
    fn drop(&mut self) {
        // SAFETY: `ptr` was allocated with `layout` in `zeroed` and is freed only here.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

enum Table {
    /// The matrix's own copy of the row pointers (at least one slot, so its address is never dangling).
    Owned(Box<[*mut u8]>),
    /// A foreign table, read in place at every access.
    InPlace(NonNull<*mut u8>),
}

/// A 2-D indirect matrix: `rows` row pointers, each at `cols` contiguous elements of `format`.
pub struct IndirectMatrix {
    table: Table,
    rows: usize,
    cols: usize,
    format: Format,
    readonly: bool,
    // Dropped after the table: owned storage, a nanny, or whatever the caller asked us to keep.
    keep: Option<Box<dyn Any>>,
}

impl std::fmt::Debug for IndirectMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndirectMatrix")
            .field("rows", &self.rows)
            .field("cols", &self.cols)
            .field("format", &self.format.text())
            .field("readonly", &self.readonly)
            .field("pointer", &self.pointer())
            .finish()
    }
}

impl IndirectMatrix {
    /// An owned, zero-filled matrix. Rows are stored back to back in one allocation aligned for the
    /// format (so the data is also one C-order block), and the table points at them.
    ///
    /// ```
    /// use indirect_buffer::{Format, IndirectMatrix};
    /// let mut m = IndirectMatrix::new(2, 3, Format::parse("d")?)?;
    /// m.set(1, 2, indirect_buffer::element::Input::Number(4.5))?;
    /// assert_eq!(m.get(1, 2)?, indirect_buffer::element::Value::Number(4.5));
    /// # Ok::<(), indirect_buffer::Error>(())
    /// ```
    pub fn new(rows: usize, cols: usize, format: Format) -> Result<Self> {
        let row_bytes = checked_nbytes(1, cols, format.itemsize())?;
        let size = checked_nbytes(rows, cols, format.itemsize())?;
        let storage = OwnedStorage::zeroed(size, format.align().max(16))?;
        let base = storage.ptr.as_ptr();
        // SAFETY: every row starts inside (or, for zero-sized rows, at the start of) the allocation.
        let pointers = (0..rows)
            .map(|r| unsafe { base.add(r * row_bytes) })
            .collect();
        let mut m = Self::with_table(pointers, cols, format, Some(Box::new(storage)));
        m.rows = rows;
        Ok(m)
    }

    fn with_table(
        pointers: Vec<*mut u8>,
        cols: usize,
        format: Format,
        keep: Option<Box<dyn Any>>,
    ) -> Self {
        let rows = pointers.len();
        let mut slots = pointers;
        if slots.is_empty() {
            slots.push(std::ptr::null_mut());
        }
        IndirectMatrix {
            table: Table::Owned(slots.into_boxed_slice()),
            rows,
            cols,
            format,
            readonly: false,
            keep,
        }
    }

    /// A matrix over rows that live elsewhere; the row addresses are copied into the matrix's own table.
    /// `keep` is dropped after the matrix (a nanny, or an owner of the rows).
    ///
    /// # Safety
    /// Each pointer must be valid for reads (and writes, unless the matrix is made read-only) of
    /// `cols * format.itemsize()` bytes for as long as the matrix lives, and no other code may create a
    /// Rust reference to that memory meanwhile. Null pointers are rejected with `ERR_NULL_POINTER`.
    pub unsafe fn from_row_pointers(
        pointers: Vec<*mut u8>,
        cols: usize,
        format: Format,
        keep: Option<Box<dyn Any>>,
    ) -> Result<Self> {
        checked_nbytes(pointers.len(), cols, format.itemsize())?;
        if let Some(r) = pointers.iter().position(|p| p.is_null()) {
            return Err(Error::new(
                ErrorCode::NullPointer,
                format!("row pointer {r} is null"),
            ));
        }
        Ok(Self::with_table(pointers, cols, format, keep))
    }

    /// A matrix over a foreign `T**` used in place: `pointer()` returns `table` and every access reads
    /// the row pointer the table holds at that moment. The memory is borrowed.
    ///
    /// # Safety
    /// `table` must point at `rows` readable row pointers, each valid as in
    /// [`from_row_pointers`](Self::from_row_pointers), for as long as the matrix lives.
    pub unsafe fn from_table(
        table: *mut *mut u8,
        rows: usize,
        cols: usize,
        format: Format,
    ) -> Result<Self> {
        // SAFETY: forwarded to the caller.
        unsafe { Self::from_table_with_nanny(table, rows, cols, format, None::<()>) }
    }

    /// Like [`from_table`](Self::from_table), but the matrix owns `nanny`, a value whose `Drop` frees the
    /// memory: it is dropped exactly once, after the matrix stops using the table.
    ///
    /// ```
    /// use indirect_buffer::{Format, IndirectMatrix};
    /// // A C-style double** made of boxed rows, and a nanny that frees rows and table.
    /// struct Nanny(*mut *mut f64, usize, usize);
    /// impl Drop for Nanny {
    ///     fn drop(&mut self) {
    ///         // SAFETY: the nanny owns the table and rows made below, each made with Box.
    ///         unsafe {
    ///             let table = Box::from_raw(std::slice::from_raw_parts_mut(self.0, self.1));
    ///             for &row in table.iter() {
    ///                 drop(Box::from_raw(std::slice::from_raw_parts_mut(row, self.2)));
    ///             }
    ///         }
    ///     }
    /// }
    /// let rows: Vec<*mut f64> = (0..2).map(|_| Box::into_raw(vec![1.5f64; 3].into_boxed_slice()) as *mut f64).collect();
    /// let table = Box::into_raw(rows.into_boxed_slice()) as *mut *mut f64;
    /// // SAFETY: table and rows are valid until the nanny frees them.
    /// let m = unsafe {
    ///     IndirectMatrix::from_table_with_nanny(table as *mut *mut u8, 2, 3, Format::parse("d")?, Some(Nanny(table, 2, 3)))?
    /// };
    /// assert_eq!(m.get(1, 2)?, indirect_buffer::element::Value::Number(1.5));
    /// drop(m); // the nanny frees everything, once
    /// # Ok::<(), indirect_buffer::Error>(())
    /// ```
    ///
    /// # Safety
    /// As [`from_table`](Self::from_table).
    pub unsafe fn from_table_with_nanny<N: Any>(
        table: *mut *mut u8,
        rows: usize,
        cols: usize,
        format: Format,
        nanny: Option<N>,
    ) -> Result<Self> {
        let keep = nanny.map(|n| Box::new(n) as Box<dyn Any>);
        checked_nbytes(rows, cols, format.itemsize())?;
        let table = NonNull::new(table).ok_or_else(|| {
            Error::new(
                ErrorCode::NullPointer,
                "the row-pointer table is a null pointer",
            )
        })?;
        Ok(IndirectMatrix {
            table: Table::InPlace(table),
            rows,
            cols,
            format,
            readonly: false,
            keep,
        })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }
    pub fn cols(&self) -> usize {
        self.cols
    }
    pub fn format(&self) -> &Format {
        &self.format
    }
    pub fn readonly(&self) -> bool {
        self.readonly
    }
    /// Forbids writes through `set` and `row_bytes_mut` (native code holding `pointer()` is not stopped).
    pub fn make_read_only(&mut self) {
        self.readonly = true;
    }
    /// Bytes of one row.
    pub fn row_nbytes(&self) -> usize {
        self.cols * self.format.itemsize()
    }
    /// Whether the table is a foreign one read in place.
    pub fn is_in_place(&self) -> bool {
        matches!(self.table, Table::InPlace(_))
    }

    /// The address of the row-pointer table (`T**`), the same for the whole life of the matrix.
    pub fn pointer(&self) -> *mut *mut u8 {
        match &self.table {
            Table::Owned(b) => b.as_ptr() as *mut *mut u8,
            Table::InPlace(p) => p.as_ptr(),
        }
    }

    /// The address of row `r` as the table holds it now; `ERR_OUT_OF_BOUNDS` past the last row,
    /// `ERR_NULL_POINTER` for a null entry of an in-place table.
    pub fn row_pointer(&self, r: usize) -> Result<*mut u8> {
        if r >= self.rows {
            return Err(Error::new(
                ErrorCode::OutOfBounds,
                "index out of bounds on dimension 1",
            ));
        }
        let p = match &self.table {
            Table::Owned(b) => b[r],
            // SAFETY: the constructor's contract: `rows` readable entries.
            Table::InPlace(t) => unsafe { t.as_ptr().add(r).read() },
        };
        if p.is_null() {
            return Err(Error::new(
                ErrorCode::NullPointer,
                format!("row pointer {r} is null"),
            ));
        }
        Ok(p)
    }

    fn element_pointer(&self, r: usize, c: usize) -> Result<*mut u8> {
        if c >= self.cols {
            if r >= self.rows {
                return Err(Error::new(
                    ErrorCode::OutOfBounds,
                    "index out of bounds on dimension 1",
                ));
            }
            return Err(Error::new(
                ErrorCode::OutOfBounds,
                "index out of bounds on dimension 2",
            ));
        }
        let row = self.row_pointer(r)?;
        // SAFETY: c < cols, so the element lies inside the row (constructor contract).
        Ok(unsafe { row.add(c * self.format.itemsize()) })
    }

    fn scalar_kind(&self, what: &str) -> Result<crate::format::ScalarKind> {
        self.format.scalar().ok_or_else(|| {
            Error::new(
                ErrorCode::FormatUnsupported,
                format!(
                    "{what} needs a scalar format, not the record format {:?}",
                    self.format.text()
                ),
            )
        })
    }

    /// Reads element `(r, c)`.
    pub fn get(&self, r: usize, c: usize) -> Result<Value> {
        let kind = self.scalar_kind("element access")?;
        let p = self.element_pointer(r, c)?;
        let mut bytes = [0u8; 8];
        // SAFETY: `p` addresses one element of `kind.size()` bytes (constructor contract); unaligned
        // reads are fine for byte copies.
        unsafe { std::ptr::copy_nonoverlapping(p, bytes.as_mut_ptr(), kind.size()) };
        Ok(decode(kind, self.format.byte_order(), &bytes))
    }

    /// Writes element `(r, c)` with JavaScript's TypedArray conversion rules; nothing is written on error.
    pub fn set(&mut self, r: usize, c: usize, value: Input) -> Result<()> {
        let kind = self.scalar_kind("element access")?;
        if self.readonly {
            return Err(Error::new(
                ErrorCode::Readonly,
                "cannot write to a read-only matrix",
            ));
        }
        let p = self.element_pointer(r, c)?;
        let bytes = encode(kind, self.format.byte_order(), value)?;
        // SAFETY: as in `get`, and writable by the constructor contract.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, kind.size()) };
        Ok(())
    }

    /// The bytes of row `r`.
    pub fn row_bytes(&self, r: usize) -> Result<&[u8]> {
        let n = self.row_nbytes();
        if n == 0 {
            self.row_pointer(r).or_else(|e| {
                if e.code == ErrorCode::NullPointer {
                    Ok(std::ptr::null_mut())
                } else {
                    Err(e)
                }
            })?;
            return Ok(&[]);
        }
        let p = self.row_pointer(r)?;
        // SAFETY: the row holds `n` readable bytes (constructor contract).
        Ok(unsafe { std::slice::from_raw_parts(p, n) })
    }

    /// The bytes of row `r`, writable; `ERR_READONLY` on a read-only matrix.
    pub fn row_bytes_mut(&mut self, r: usize) -> Result<&mut [u8]> {
        if self.readonly {
            return Err(Error::new(
                ErrorCode::Readonly,
                "cannot write to a read-only matrix",
            ));
        }
        let n = self.row_nbytes();
        if n == 0 {
            self.row_bytes(r)?;
            return Ok(&mut []);
        }
        let p = self.row_pointer(r)?;
        // SAFETY: as in `row_bytes`, writable, and `&mut self` keeps this the only Rust reference.
        Ok(unsafe { std::slice::from_raw_parts_mut(p, n) })
    }

    /// Reinterprets the same bytes as `format`: `cols` becomes `floor(cols * old / new)` itemsizes.
    pub fn reinterpret(&mut self, format: Format) {
        self.cols = self.row_nbytes() / format.itemsize();
        self.format = format;
    }

    /// The value kept alive with the matrix (owned storage, nanny or owner), if any.
    pub fn kept(&self) -> Option<&dyn Any> {
        self.keep.as_deref()
    }
}

impl Drop for IndirectMatrix {
    fn drop(&mut self) {
        // Drop order made explicit: the table stops being used, then the nanny frees the memory.
        self.keep.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    fn fmt(s: &str) -> Format {
        Format::parse(s).expect("valid format")
    }

    #[test]
    fn owned_matrix_is_zeroed_contiguous_and_aligned() {
        let m = IndirectMatrix::new(3, 5, fmt("d")).unwrap();
        assert_eq!(m.get(2, 4).unwrap(), Value::Number(0.0));
        let r0 = m.row_pointer(0).unwrap() as usize;
        assert_eq!(r0 % 16, 0);
        assert_eq!(m.row_pointer(2).unwrap() as usize - r0, 2 * 5 * 8);
        assert_eq!(m.pointer(), m.pointer());
    }

    #[test]
    fn zero_sizes_work() {
        for (r, c) in [(0, 0), (0, 5), (5, 0)] {
            let m = IndirectMatrix::new(r, c, fmt("i")).unwrap();
            assert_eq!((m.rows(), m.cols()), (r, c));
            assert!(!m.pointer().is_null());
        }
    }

    #[test]
    fn overflowing_shapes_are_rejected() {
        let e = IndirectMatrix::new(usize::MAX / 2, 3, fmt("d")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidShape);
    }

    #[test]
    fn bounds_messages_name_the_dimension() {
        let mut m = IndirectMatrix::new(2, 2, fmt("i")).unwrap();
        assert_eq!(
            m.get(2, 0).unwrap_err().message,
            "index out of bounds on dimension 1"
        );
        assert_eq!(
            m.get(0, 2).unwrap_err().message,
            "index out of bounds on dimension 2"
        );
        assert_eq!(
            m.set(0, 5, Input::Number(1.0)).unwrap_err().code,
            ErrorCode::OutOfBounds
        );
    }

    #[test]
    fn read_only_refuses_writes_and_records_refuse_elements() {
        let mut m = IndirectMatrix::new(1, 1, fmt("i")).unwrap();
        m.make_read_only();
        assert_eq!(
            m.set(0, 0, Input::Number(1.0)).unwrap_err().code,
            ErrorCode::Readonly
        );
        let r = IndirectMatrix::new(1, 1, fmt("id")).unwrap();
        assert_eq!(r.get(0, 0).unwrap_err().code, ErrorCode::FormatUnsupported);
        assert_eq!(r.row_bytes(0).unwrap().len(), 16);
    }

    #[test]
    fn borrowed_rows_see_the_callers_memory() {
        let mut a = [1i32, 2, 3];
        let mut b = [4i32, 5, 6];
        let ptrs = vec![a.as_mut_ptr() as *mut u8, b.as_mut_ptr() as *mut u8];
        // SAFETY: a and b outlive m.
        let mut m = unsafe { IndirectMatrix::from_row_pointers(ptrs, 3, fmt("i"), None) }.unwrap();
        m.set(1, 0, Input::Number(40.0)).unwrap();
        assert_eq!(m.get(0, 2).unwrap(), Value::Number(3.0));
        drop(m);
        assert_eq!(b[0], 40);
        // SAFETY: a null row is refused before anything is read.
        let e = unsafe {
            IndirectMatrix::from_row_pointers(vec![std::ptr::null_mut()], 1, fmt("i"), None)
        };
        assert_eq!(e.unwrap_err().code, ErrorCode::NullPointer);
    }

    #[test]
    fn in_place_table_is_read_at_each_access_and_the_nanny_runs_once() {
        struct Nanny(Rc<Cell<u32>>);
        impl Drop for Nanny {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }
        let mut x = [1.0f64, 2.0];
        let mut y = [3.0f64, 4.0];
        let mut table = [x.as_mut_ptr() as *mut u8, y.as_mut_ptr() as *mut u8];
        let frees = Rc::new(Cell::new(0));
        // SAFETY: table, x, y outlive m.
        let m = unsafe {
            IndirectMatrix::from_table_with_nanny(
                table.as_mut_ptr(),
                2,
                2,
                fmt("d"),
                Some(Nanny(frees.clone())),
            )
        }
        .unwrap();
        assert_eq!(m.pointer(), table.as_mut_ptr());
        assert_eq!(m.get(1, 1).unwrap(), Value::Number(4.0));
        // Swap the rows behind the matrix's back: it follows.
        // SAFETY: the table has two entries, both ours.
        unsafe { std::ptr::swap(m.pointer(), m.pointer().add(1)) };
        assert_eq!(m.get(1, 1).unwrap(), Value::Number(2.0));
        // SAFETY: entry 1 of our two-entry table.
        unsafe { m.pointer().add(1).write(std::ptr::null_mut()) };
        assert_eq!(m.get(1, 0).unwrap_err().code, ErrorCode::NullPointer);
        assert_eq!(frees.get(), 0);
        drop(m);
        assert_eq!(frees.get(), 1);
        // SAFETY: a null table is refused before anything is read.
        let null = unsafe { IndirectMatrix::from_table(std::ptr::null_mut(), 1, 1, fmt("d")) };
        assert_eq!(null.unwrap_err().code, ErrorCode::NullPointer);
    }

    #[test]
    fn reinterpret_recomputes_cols() {
        let mut m = IndirectMatrix::new(2, 3, fmt("i")).unwrap();
        m.reinterpret(fmt("d"));
        assert_eq!(m.cols(), 1);
        m.reinterpret(fmt("B"));
        assert_eq!(m.cols(), 8);
    }
}
