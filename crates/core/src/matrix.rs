//! Indirect matrices: a row-pointer table (`T**`) plus whatever keeps the rows' memory alive.
//!
//! One type, three ownerships (the Node package uses the last two for every matrix it makes; its owned
//! storage is a JS `ArrayBuffer`, borrowed here, because row views of it must work inside Electron's sandbox):
//! - **owned** ([`IndirectMatrix::new`], [`IndirectMatrix::new_ragged`]): this crate allocates zeroed,
//!   aligned storage and the table;
//! - **borrowed** ([`IndirectMatrix::from_row_pointers`], [`IndirectMatrix::from_table`] and their ragged
//!   forms): the caller promises the memory outlives the matrix (`unsafe`);
//! - **with a nanny** ([`IndirectMatrix::from_table_with_nanny`], [`IndirectMatrix::with_nanny`]): any value
//!   whose `Drop` frees the memory is kept inside the matrix and dropped after the table, exactly once.
//!
//! A table is either copied into the matrix (its own `Box<[*mut u8]>`, optionally with one extra NULL entry
//! after the last row for C APIs that count rows by that sentinel) or used in place (a foreign `T**` whose
//! entries are read at each access, as C code that swaps rows expects).
//!
//! Rows are either all `cols` elements long (a rectangle) or each of its own length (a **ragged** table:
//! the planes of a YUV image, a `char **` string list). Element access is checked against the row's own
//! length; operations that need a rectangle ([`crate::transfer::copy`], [`IndirectMatrix::sub_matrix`]
//! across rows of different lengths) fail with `ERR_RAGGED`.
//!
//! ```
//! use indirect_buffer::element::{Input, Value};
//! use indirect_buffer::{ErrorCode, Format, IndirectMatrix};
//! // A full-size Y plane and two quarter-size chroma planes, NULL-terminated (libswscale reads four entries).
//! let mut planes = IndirectMatrix::new_ragged(&[16, 4, 4], Format::parse("B")?)?.null_terminated()?;
//! assert_eq!((planes.rows(), planes.cols(), planes.is_ragged()), (3, 16, true));
//! planes.set(1, 3, Input::Number(200.0))?;
//! assert_eq!(planes.get(1, 3)?, Value::Number(200.0));
//! assert_eq!(planes.get(1, 4).unwrap_err().message, "index out of bounds on dimension 2");
//! // SAFETY: entry 3 is the terminator the owned table holds after its three rows.
//! assert!(unsafe { planes.pointer().add(3).read() }.is_null());
//! assert_eq!(planes.require_rectangle().unwrap_err().code, ErrorCode::Ragged);
//! # Ok::<(), indirect_buffer::Error>(())
//! ```

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

/// The `ERR_RAGGED` error of operations that need every row to have one length.
pub(crate) fn ragged_error() -> Error {
    Error::new(ErrorCode::Ragged, "rows have different lengths")
}

fn out_of_bounds(dimension: u8) -> Error {
    Error::new(
        ErrorCode::OutOfBounds,
        format!("index out of bounds on dimension {dimension}"),
    )
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
    /// The matrix's own copy of the row pointers: `rows` entries, then a NULL entry when the table is
    /// NULL-terminated (at least one slot, so its address is never dangling).
    Owned(Box<[*mut u8]>),
    /// A foreign table, read in place at every access.
    InPlace(NonNull<*mut u8>),
}

/// A 2-D indirect matrix: `rows` row pointers, each at contiguous elements of `format` (`cols` of them, or
/// each row its own number for a ragged table).
pub struct IndirectMatrix {
    table: Table,
    rows: usize,
    /// The longest row (every row's length for a rectangle).
    cols: usize,
    /// Each row's length, for ragged tables.
    lengths: Option<Box<[usize]>>,
    null_terminated: bool,
    format: Format,
    readonly: bool,
    // Fields drop in declaration order, so this goes after the table (which frees no row memory): owned
    // storage, a nanny, or whatever the caller asked us to keep is dropped once nothing can use the rows.
    keep: Option<Box<dyn Any>>,
}

impl std::fmt::Debug for IndirectMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndirectMatrix")
            .field("rows", &self.rows)
            .field("cols", &self.cols)
            .field("ragged", &self.is_ragged())
            .field("null_terminated", &self.null_terminated)
            .field("format", &self.format.text())
            .field("readonly", &self.readonly)
            .field("pointer", &self.pointer())
            .finish()
    }
}

/// Checks every row's byte size and returns the longest row.
fn check_lengths(lengths: &[usize], itemsize: usize) -> Result<usize> {
    let mut longest = 0;
    for &n in lengths {
        checked_nbytes(1, n, itemsize)?;
        longest = longest.max(n);
    }
    Ok(longest)
}

fn refuse_null_rows(pointers: &[*mut u8]) -> Result<()> {
    match pointers.iter().position(|p| p.is_null()) {
        Some(r) => Err(Error::new(
            ErrorCode::NullPointer,
            format!("row pointer {r} is null"),
        )),
        None => Ok(()),
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
        // Every row starts inside (or, for zero-sized rows, at the start of) the allocation.
        let pointers = (0..rows)
            .map(|r| base.wrapping_add(r * row_bytes))
            .collect();
        Ok(Self::with_table(
            pointers,
            cols,
            None,
            format,
            Some(Box::new(storage)),
        ))
    }

    /// An owned, zero-filled ragged table: row `r` has `lengths[r]` elements. The rows share one
    /// allocation, each starting at an offset aligned for the format.
    ///
    /// ```
    /// use indirect_buffer::{Format, IndirectMatrix};
    /// let m = IndirectMatrix::new_ragged(&[3, 0, 1], Format::parse("d")?)?;
    /// assert_eq!((m.rows(), m.cols(), m.row_len(0)?, m.row_len(1)?, m.nbytes()), (3, 3, 3, 0, 32));
    /// assert_eq!(m.row_pointer(2)? as usize % 8, 0);
    /// # Ok::<(), indirect_buffer::Error>(())
    /// ```
    pub fn new_ragged(lengths: &[usize], format: Format) -> Result<Self> {
        let itemsize = format.itemsize();
        let align = format.align().max(1);
        check_lengths(lengths, itemsize)?;
        let too_big = || {
            Error::new(
                ErrorCode::InvalidShape,
                "the rows together exceed addressable memory",
            )
        };
        let mut offsets = Vec::with_capacity(lengths.len());
        let mut end = 0usize;
        for &n in lengths {
            let start = end.checked_next_multiple_of(align).ok_or_else(too_big)?;
            offsets.push(start);
            end = start.checked_add(n * itemsize).ok_or_else(too_big)?;
        }
        if end > isize::MAX as usize {
            return Err(too_big());
        }
        let storage = OwnedStorage::zeroed(end, align.max(16))?;
        let base = storage.ptr.as_ptr();
        let pointers = offsets.iter().map(|&o| base.wrapping_add(o)).collect();
        let longest = lengths.iter().copied().max().unwrap_or(0);
        Ok(Self::with_table(
            pointers,
            longest,
            Some(lengths.into()),
            format,
            Some(Box::new(storage)),
        ))
    }

    fn with_table(
        pointers: Vec<*mut u8>,
        cols: usize,
        lengths: Option<Box<[usize]>>,
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
            lengths,
            null_terminated: false,
            format,
            readonly: false,
            keep,
        }
    }

    /// The same matrix with one NULL entry after the last row pointer of its table, for C APIs that
    /// count rows by that sentinel. [`rows`](Self::rows) does not count it. Tables used in place are
    /// the caller's and cannot grow: `ERR_INVALID_ARGUMENT`.
    pub fn null_terminated(mut self) -> Result<Self> {
        let Table::Owned(slots) = &self.table else {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "a table used in place cannot get a NULL terminator",
            ));
        };
        if !self.null_terminated {
            let mut v = slots[..self.rows].to_vec();
            v.push(std::ptr::null_mut());
            self.table = Table::Owned(v.into_boxed_slice());
            self.null_terminated = true;
        }
        Ok(self)
    }

    /// Keeps `nanny` inside the matrix: it is dropped (freeing the memory, if that is what its `Drop`
    /// does) exactly once, after the matrix stops using its rows. A nanny already kept is dropped first.
    pub fn with_nanny<N: Any>(mut self, nanny: N) -> Self {
        self.keep = Some(Box::new(nanny));
        self
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
        refuse_null_rows(&pointers)?;
        Ok(Self::with_table(pointers, cols, None, format, keep))
    }

    /// A ragged table over rows that live elsewhere: row `r` at `pointers[r]`, `lengths[r]` elements long.
    ///
    /// ```
    /// use indirect_buffer::{Format, IndirectMatrix};
    /// let (mut y, mut u) = ([1u8; 4], [2u8; 1]);
    /// // SAFETY: `y` and `u` outlive the matrix.
    /// let m = unsafe {
    ///     IndirectMatrix::from_ragged_row_pointers(vec![y.as_mut_ptr(), u.as_mut_ptr()], vec![4, 1], Format::parse("B")?)?
    /// };
    /// assert_eq!(m.row_bytes(1)?, &[2]);
    /// # Ok::<(), indirect_buffer::Error>(())
    /// ```
    ///
    /// # Safety
    /// As [`from_row_pointers`](Self::from_row_pointers), with `lengths[r]` elements for row `r`.
    /// `pointers` and `lengths` of different lengths are `ERR_INVALID_SHAPE`.
    pub unsafe fn from_ragged_row_pointers(
        pointers: Vec<*mut u8>,
        lengths: Vec<usize>,
        format: Format,
    ) -> Result<Self> {
        if pointers.len() != lengths.len() {
            return Err(Error::new(
                ErrorCode::InvalidShape,
                format!(
                    "{} row pointers but {} row lengths",
                    pointers.len(),
                    lengths.len()
                ),
            ));
        }
        let longest = check_lengths(&lengths, format.itemsize())?;
        refuse_null_rows(&pointers)?;
        Ok(Self::with_table(
            pointers,
            longest,
            Some(lengths.into_boxed_slice()),
            format,
            None,
        ))
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
        checked_nbytes(rows, cols, format.itemsize())?;
        Self::in_place(table, rows, cols, None, format)
    }

    /// A ragged table over a foreign `T**` used in place: row `r` has `lengths[r]` elements.
    ///
    /// # Safety
    /// `table` must point at `lengths.len()` readable row pointers, row `r` valid as in
    /// [`from_row_pointers`](Self::from_row_pointers) for `lengths[r]` elements, for as long as the
    /// matrix lives.
    pub unsafe fn from_ragged_table(
        table: *mut *mut u8,
        lengths: Vec<usize>,
        format: Format,
    ) -> Result<Self> {
        let longest = check_lengths(&lengths, format.itemsize())?;
        Self::in_place(
            table,
            lengths.len(),
            longest,
            Some(lengths.into_boxed_slice()),
            format,
        )
    }

    fn in_place(
        table: *mut *mut u8,
        rows: usize,
        cols: usize,
        lengths: Option<Box<[usize]>>,
        format: Format,
    ) -> Result<Self> {
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
            lengths,
            null_terminated: false,
            format,
            readonly: false,
            keep: None,
        })
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
        // SAFETY: forwarded to the caller.
        let m = unsafe { Self::from_table(table, rows, cols, format) }?;
        Ok(match nanny {
            Some(n) => m.with_nanny(n),
            None => m,
        })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }
    /// The longest row's length (every row's, for a rectangle): the second entry of the shape.
    pub fn cols(&self) -> usize {
        self.cols
    }
    pub fn format(&self) -> &Format {
        &self.format
    }
    pub fn readonly(&self) -> bool {
        self.readonly
    }
    /// Whether the rows were given their own lengths (even if those happen to be equal).
    pub fn is_ragged(&self) -> bool {
        self.lengths.is_some()
    }
    /// Whether the table ends with an extra NULL entry.
    pub fn is_null_terminated(&self) -> bool {
        self.null_terminated
    }
    /// Records that an in-place table has a NULL entry after its rows (the caller checked it).
    pub(crate) fn set_null_terminated_in_place(&mut self, yes: bool) {
        self.null_terminated = yes;
    }
    /// `ERR_RAGGED` unless every row has the same length (a ragged table whose rows are equal passes).
    pub fn require_rectangle(&self) -> Result<()> {
        match &self.lengths {
            Some(l) if l.iter().any(|&n| n != self.cols) => Err(ragged_error()),
            _ => Ok(()),
        }
    }
    /// Forbids writes through `set` (native code holding `pointer()` is not stopped).
    pub fn make_read_only(&mut self) {
        self.readonly = true;
    }
    /// The number of elements of row `r`; `ERR_OUT_OF_BOUNDS` past the last row.
    pub fn row_len(&self, r: usize) -> Result<usize> {
        if r >= self.rows {
            return Err(out_of_bounds(1));
        }
        Ok(self.lengths.as_ref().map_or(self.cols, |l| l[r]))
    }
    /// Every row's length.
    pub fn row_lengths(&self) -> Vec<usize> {
        match &self.lengths {
            Some(l) => l.to_vec(),
            None => vec![self.cols; self.rows],
        }
    }
    /// Bytes of row `r`.
    pub fn row_nbytes(&self, r: usize) -> Result<usize> {
        Ok(self.row_len(r)? * self.format.itemsize())
    }
    /// Bytes of every row together.
    pub fn nbytes(&self) -> usize {
        let elements: usize = match &self.lengths {
            Some(l) => l.iter().sum(),
            None => self.rows * self.cols,
        };
        elements * self.format.itemsize()
    }
    /// Whether the table is a foreign one read in place.
    pub fn is_in_place(&self) -> bool {
        matches!(self.table, Table::InPlace(_))
    }

    /// The address of the row-pointer table (`T**`), the same for the whole life of the matrix (unless
    /// [`null_terminated`](Self::null_terminated) rebuilds it, which happens before anyone can read it).
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
            return Err(out_of_bounds(1));
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

    /// Every row's current address (an in-place table is read now).
    pub fn row_pointers(&self) -> Result<Vec<*mut u8>> {
        (0..self.rows).map(|r| self.row_pointer(r)).collect()
    }

    /// Every row's current address as [`row_pointers`](Self::row_pointers) gives them, borrowed from
    /// the table where it is the matrix's own (no allocation per copy), read now where it is used in
    /// place.
    pub fn rows_now(&self) -> Result<std::borrow::Cow<'_, [*mut u8]>> {
        match &self.table {
            Table::Owned(b) => {
                let rows = &b[..self.rows];
                refuse_null_rows(rows)?;
                Ok(std::borrow::Cow::Borrowed(rows))
            }
            Table::InPlace(_) => self.row_pointers().map(std::borrow::Cow::Owned),
        }
    }

    fn element_pointer(&self, r: usize, c: usize) -> Result<*mut u8> {
        if c >= self.row_len(r)? {
            return Err(out_of_bounds(2));
        }
        let row = self.row_pointer(r)?;
        // SAFETY: c < the row's length, so the element lies inside the row (constructor contract).
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

    /// Reads element `(r, c)`; `c` is checked against row `r`'s own length.
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
        let n = self.row_nbytes(r)?;
        if n == 0 {
            // A zero-length row has no memory to reach: a null entry is fine there.
            return match self.row_pointer(r) {
                Err(e) if e.code != ErrorCode::NullPointer => Err(e),
                _ => Ok(&[]),
            };
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
        let n = self.row_nbytes(r)?;
        if n == 0 {
            self.row_bytes(r)?;
            return Ok(&mut []);
        }
        let p = self.row_pointer(r)?;
        // SAFETY: as in `row_bytes`, writable, and `&mut self` keeps this the only Rust reference.
        Ok(unsafe { std::slice::from_raw_parts_mut(p, n) })
    }

    /// Reinterprets the same bytes as `format`: each row's length becomes `floor(len * old / new)`.
    pub fn reinterpret(&mut self, format: Format) {
        let (old, new) = (self.format.itemsize(), format.itemsize());
        self.cols = self.cols * old / new;
        if let Some(l) = &mut self.lengths {
            l.iter_mut().for_each(|n| *n = *n * old / new);
        }
        self.format = format;
    }

    /// A rectangle `[r0, r1) × [c0, c1)` of this matrix with its own table (the rows' current addresses,
    /// shifted by `c0` elements), read-only if this matrix is. Bounds are the matrix's (`ERR_OUT_OF_BOUNDS`
    /// "sub-matrix outside the matrix"); the selected rows must share one length (`ERR_RAGGED`).
    ///
    /// ```
    /// use indirect_buffer::element::Value;
    /// use indirect_buffer::{Format, IndirectMatrix};
    /// let mut m = IndirectMatrix::new(3, 4, Format::parse("i")?)?;
    /// m.set(2, 3, indirect_buffer::element::Input::Number(7.0))?;
    /// // SAFETY: `m` outlives `block`.
    /// let block = unsafe { m.sub_matrix(1, 3, 2, 4)? };
    /// assert_eq!((block.rows(), block.cols(), block.get(1, 1)?), (2, 2, Value::Number(7.0)));
    /// # Ok::<(), indirect_buffer::Error>(())
    /// ```
    ///
    /// # Safety
    /// The result points into this matrix's rows: their memory must outlive it.
    pub unsafe fn sub_matrix(&self, r0: usize, r1: usize, c0: usize, c1: usize) -> Result<Self> {
        let outside = || Error::new(ErrorCode::OutOfBounds, "sub-matrix outside the matrix");
        if r0 > r1 || r1 > self.rows || c0 > c1 {
            return Err(outside());
        }
        let len = match &self.lengths {
            Some(l) => {
                let picked = &l[r0..r1];
                let first = picked.first().copied().unwrap_or(self.cols);
                if picked.iter().any(|&n| n != first) {
                    return Err(ragged_error());
                }
                first
            }
            None => self.cols,
        };
        if c1 > len {
            return Err(outside());
        }
        let shift = c0 * self.format.itemsize();
        let pointers = (r0..r1)
            .map(|r| self.row_pointer(r).map(|row| row.wrapping_add(shift)))
            .collect::<Result<Vec<_>>>()?;
        let mut m = Self::with_table(pointers, c1 - c0, None, self.format.clone(), None);
        m.readonly = self.readonly;
        Ok(m)
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

    #[test]
    fn ragged_rows_have_their_own_bounds_views_and_reinterpretation() {
        let mut m = IndirectMatrix::new_ragged(&[2, 0, 3], fmt("i")).unwrap();
        assert_eq!((m.rows(), m.cols(), m.nbytes()), (3, 3, 20));
        m.set(2, 2, Input::Number(5.0)).unwrap();
        assert_eq!(m.get(2, 2).unwrap(), Value::Number(5.0));
        assert_eq!(
            m.get(0, 2).unwrap_err().message,
            "index out of bounds on dimension 2"
        );
        assert_eq!(
            m.get(1, 0).unwrap_err().message,
            "index out of bounds on dimension 2"
        );
        assert_eq!(
            m.get(3, 0).unwrap_err().message,
            "index out of bounds on dimension 1"
        );
        assert_eq!(m.row_bytes(1).unwrap().len(), 0);
        assert_eq!(m.row_bytes(2).unwrap().len(), 12);
        m.reinterpret(fmt("h"));
        assert_eq!((m.cols(), m.row_lengths()), (6, vec![4, 0, 6]));
        // SAFETY: `m` outlives the sub-matrices.
        let e = unsafe { m.sub_matrix(0, 3, 0, 0) }.unwrap_err();
        assert_eq!(e.code, ErrorCode::Ragged);
        // SAFETY: as above.
        let tail = unsafe { m.sub_matrix(2, 3, 4, 6) }.unwrap();
        assert_eq!(
            (tail.cols(), tail.get(0, 0).unwrap()),
            (2, Value::Number(5.0))
        );
        // SAFETY: as above.
        let e = unsafe { m.sub_matrix(0, 1, 0, 5) }.unwrap_err();
        assert_eq!(e.code, ErrorCode::OutOfBounds);
        let equal = IndirectMatrix::new_ragged(&[2, 2], fmt("d")).unwrap();
        assert!(equal.is_ragged() && equal.require_rectangle().is_ok());
    }

    #[test]
    fn null_terminators_follow_the_rows_and_refuse_in_place_tables() {
        let m = IndirectMatrix::new(2, 1, fmt("d"))
            .unwrap()
            .null_terminated()
            .unwrap();
        assert!(m.is_null_terminated());
        assert_eq!(m.row_pointers().unwrap().len(), 2);
        // SAFETY: the owned table has two rows and the terminator.
        assert!(unsafe { m.pointer().add(2).read() }.is_null());
        let mut table = [m.row_pointer(0).unwrap()];
        // SAFETY: `table` and the row outlive `t`.
        let t = unsafe { IndirectMatrix::from_table(table.as_mut_ptr(), 1, 1, fmt("d")) }.unwrap();
        assert_eq!(
            t.null_terminated().unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        // SAFETY: lengths that do not match the pointers are refused before anything is read.
        let e = unsafe {
            IndirectMatrix::from_ragged_row_pointers(vec![table[0]], vec![1, 1], fmt("d"))
        };
        assert_eq!(e.unwrap_err().code, ErrorCode::InvalidShape);
    }
}
