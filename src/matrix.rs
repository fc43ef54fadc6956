//! `NativeMatrix`: the row-pointer table behind every JS matrix. The facade (lib/) keeps the JS memory
//! alive and checks for detached buffers; this class converts JS values, holds the core's
//! `IndirectMatrix` and maps the core's errors (every check, plane and table is the core's).

use indirect_buffer::element::{Input, Value};
use indirect_buffer::plane::{checked_row_starts, CheckedPlane, RowLengths};
use indirect_buffer::transfer::{copy, CopyFlags, Side};
use indirect_buffer::{Error as CoreError, ErrorCode, Format, IndirectMatrix};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::{invalid_argument, throw, OrThrow};
use crate::format::NativeFormat;
use std::sync::atomic::{AtomicBool, Ordering};

/// Test-only switch: behave as a runtime that refuses external buffers (Electron ≥ 21 answers
/// `napi_no_external_buffers_allowed`), so that path is tested where the runtime allows them.
static REFUSE_EXTERNAL_BUFFERS: AtomicBool = AtomicBool::new(false);

/// Makes `rowExternal` behave as if the runtime refused external buffers (for tests of the Electron path).
#[napi]
pub fn set_external_buffers_refused(refused: bool) {
    REFUSE_EXTERNAL_BUFFERS.store(refused, Ordering::SeqCst);
}

/// Detaches an ArrayBuffer made by `rowExternal`, so that no view can reach memory about to be freed.
#[napi]
pub fn detach_array_buffer(env: &Env, buffer: Unknown) -> Result<()> {
    // SAFETY: plain Node-API call on a live value; it fails cleanly on non-detachable buffers.
    let status = unsafe { napi::sys::napi_detach_arraybuffer(env.raw(), buffer.raw()) };
    if status != napi::sys::Status::napi_ok {
        return Err(throw(
            env,
            invalid_argument("internal: the buffer cannot be detached"),
        ));
    }
    Ok(())
}

fn address_of(env: &Env, address: &BigInt) -> Result<u64> {
    match address.words.as_slice() {
        _ if address.sign_bit => Err(throw(
            env,
            invalid_argument("an address cannot be negative"),
        )),
        [] => Ok(0),
        [w] => Ok(*w),
        [w, rest @ ..] if rest.iter().all(|&x| x == 0) => Ok(*w),
        _ => Err(throw(
            env,
            invalid_argument("an address must fit in 64 bits"),
        )),
    }
}

#[napi]
pub struct NativeMatrix {
    // `None` once released.
    m: Option<IndirectMatrix>,
}

/// The data pointer and byte length of a TypedArray of any element type.
fn typed_array_bytes(env: &Env, value: &Unknown) -> Result<(*mut u8, usize)> {
    let mut kind = 0;
    let mut length = 0usize;
    let mut data = std::ptr::null_mut();
    let mut buffer = std::ptr::null_mut();
    let mut offset = 0usize;
    // SAFETY: plain Node-API call on a live value; fails cleanly on non-typed-arrays.
    let status = unsafe {
        napi::sys::napi_get_typedarray_info(
            env.raw(),
            value.raw(),
            &mut kind,
            &mut length,
            &mut data,
            &mut buffer,
            &mut offset,
        )
    };
    use napi::sys::TypedarrayType as T;
    let size = match kind {
        T::int8_array | T::uint8_array | T::uint8_clamped_array => 1,
        T::int16_array | T::uint16_array | 11 /* float16 */ => 2,
        T::int32_array | T::uint32_array | T::float32_array => 4,
        T::float64_array | T::bigint64_array | T::biguint64_array => 8,
        _ => 0,
    };
    if status != napi::sys::Status::napi_ok || size == 0 {
        return Err(throw(
            env,
            invalid_argument("internal: segments must be TypedArrays"),
        ));
    }
    Ok((data as *mut u8, length * size))
}

fn to_index(x: f64) -> usize {
    // The facade passes validated, non-negative integers; anything else is clamped out of range and
    // then refused by the core's bounds checks.
    if x >= 0.0 && x <= usize::MAX as f64 {
        x as usize
    } else {
        usize::MAX
    }
}

fn bigint_low_bits(v: &BigInt) -> u64 {
    let low = v.words.first().copied().unwrap_or(0);
    if v.sign_bit {
        low.wrapping_neg()
    } else {
        low
    }
}

/// The `(base, len)` of every segment.
fn segment_bytes(env: &Env, segments: &[Unknown]) -> Result<Vec<(*mut u8, usize)>> {
    segments.iter().map(|s| typed_array_bytes(env, s)).collect()
}

/// A non-negative integer length or count from JS; anything else is `ERR_INVALID_SHAPE`.
fn to_length(env: &Env, x: f64) -> Result<usize> {
    if x >= 0.0 && x.fract() == 0.0 && x <= (isize::MAX as f64) {
        Ok(x as usize)
    } else {
        Err(throw(
            env,
            CoreError::new(
                ErrorCode::InvalidShape,
                format!("a length must be a non-negative integer, received {x}"),
            ),
        ))
    }
}

/// A byte distance from JS (an integer, negatives allowed); anything else is `ERR_INVALID_ARGUMENT`.
fn to_stride(env: &Env, x: f64) -> Result<isize> {
    if x.fract() == 0.0 && x.abs() <= (isize::MAX as f64) {
        Ok(x as isize)
    } else {
        Err(throw(
            env,
            invalid_argument(format!("a stride must be an integer, received {x}")),
        ))
    }
}

/// Strided JS memory: either one segment with `rows`, `offset` and `rowStride` (bytes), or rows spread
/// over `segments` (row `r` at `rowOffsets[r]` bytes into `segments[segmentOfRow[r]]`); elements of a
/// row are `colStride` bytes apart. `ndim` (default 2) is the dimensionality of the value the plane
/// stands for: a copy refuses anything but 2 at the contract's place.
#[napi(object, object_to_js = false)]
pub struct JsPlane<'a> {
    pub segments: Vec<Unknown<'a>>,
    pub format: ClassInstance<'a, NativeFormat>,
    pub cols: f64,
    pub col_stride: f64,
    pub segment_of_row: Option<Uint32ArraySlice<'a>>,
    pub row_offsets: Option<Float64ArraySlice<'a>>,
    pub rows: Option<f64>,
    pub offset: Option<f64>,
    pub row_stride: Option<f64>,
    pub readonly: Option<bool>,
    pub ndim: Option<u32>,
}

/// Options of a copy: `into` copies the other side into this matrix (else this matrix into it).
#[napi(object, object_to_js = false)]
pub struct CopyOptions {
    pub into: bool,
    pub cast: Option<bool>,
    pub convert: Option<bool>,
}

/// How a constructor lays out its table: rows of their own lengths (a ragged table) and an extra NULL
/// entry after the last row pointer.
#[napi(object, object_to_js = false)]
pub struct TableLayout {
    pub row_lengths: Option<Float64Array>,
    pub null_terminated: Option<bool>,
}

fn js_plane(env: &Env, p: &JsPlane) -> Result<CheckedPlane> {
    let format = p.format.format.clone();
    let readonly = p.readonly == Some(true);
    if let Some(n) = p.ndim.filter(|&n| n != 2) {
        let plane = CheckedPlane::not_2d(n as usize, format);
        return Ok(if readonly { plane.read_only() } else { plane });
    }
    let cols = to_index(p.cols);
    let col_stride = to_stride(env, p.col_stride)?;
    let segments = segment_bytes(env, &p.segments)?;
    let plane = match (&p.row_stride, &p.segment_of_row, &p.row_offsets) {
        (Some(row_stride), _, _) => {
            let &(base, len) = segments
                .first()
                .ok_or_else(|| throw(env, invalid_argument("a strided plane needs its segment")))?;
            let shape = [to_length(env, p.rows.unwrap_or(0.0))?, cols];
            let strides = [to_stride(env, *row_stride)?, col_stride];
            // SAFETY: the segment is a live TypedArray the facade keeps alive (and checked for
            // detachment) for the duration of this call, the only time the plane is used.
            unsafe {
                CheckedPlane::strided(
                    base,
                    len,
                    shape,
                    strides,
                    to_index(p.offset.unwrap_or(0.0)),
                    format,
                )
            }
        }
        (None, Some(seg), Some(off)) => {
            let offsets: Vec<usize> = off.iter().map(|&o| to_index(o)).collect();
            // SAFETY: as above, for every segment.
            unsafe { CheckedPlane::from_rows(&segments, seg, &offsets, cols, col_stride, format) }
        }
        _ => Err(invalid_argument(
            "a plane needs rowStride, or segmentOfRow and rowOffsets",
        )),
    }
    .or_throw(env)?;
    Ok(if readonly { plane.read_only() } else { plane })
}

fn flags(options: &CopyOptions) -> CopyFlags {
    CopyFlags {
        cast: options.cast.unwrap_or(false),
        convert: options.convert.unwrap_or(false),
    }
}

/// Row lengths from a layout (`None`: a rectangle).
fn row_lengths(env: &Env, layout: &Option<TableLayout>) -> Result<Option<Vec<usize>>> {
    match layout.as_ref().and_then(|l| l.row_lengths.as_ref()) {
        Some(l) => Ok(Some(
            l.iter()
                .map(|&n| to_length(env, n))
                .collect::<Result<_>>()?,
        )),
        None => Ok(None),
    }
}

/// Adds the NULL terminator a layout asks for.
fn terminate(env: &Env, m: IndirectMatrix, layout: &Option<TableLayout>) -> Result<NativeMatrix> {
    let m = if layout.as_ref().and_then(|l| l.null_terminated) == Some(true) {
        m.null_terminated().or_throw(env)?
    } else {
        m
    };
    Ok(NativeMatrix { m: Some(m) })
}

fn lengths_count_rows(env: &Env, lengths: &[usize], rows: usize) -> Result<()> {
    if lengths.len() != rows {
        return Err(throw(
            env,
            CoreError::new(
                ErrorCode::InvalidShape,
                format!("{rows} rows but {} row lengths", lengths.len()),
            ),
        ));
    }
    Ok(())
}

#[napi]
impl NativeMatrix {
    /// Copies between this matrix and `other` (`options.into`: other → self, else self → other). The
    /// core runs the copy contract's checks.
    #[napi]
    pub fn copy_matrix(&self, env: &Env, other: &NativeMatrix, options: CopyOptions) -> Result<()> {
        let (me, them) = (
            Side::Matrix(self.inner(env)?),
            Side::Matrix(other.inner(env)?),
        );
        let (dst, src) = if options.into { (me, them) } else { (them, me) };
        copy(dst, src, flags(&options)).or_throw(env)
    }

    /// Copies between this matrix and strided JS memory (`options.into`: JS → self, else self → JS).
    /// The core checks the plane's bounds and runs the copy contract's checks.
    #[napi]
    pub fn copy_js(&self, env: &Env, plane: JsPlane, options: CopyOptions) -> Result<()> {
        let js = js_plane(env, &plane)?;
        let (me, them) = (Side::Matrix(self.inner(env)?), Side::Plane(&js));
        let (dst, src) = if options.into { (me, them) } else { (them, me) };
        copy(dst, src, flags(&options)).or_throw(env)
    }

    /// A table over JS memory: row `r` starts `offsets[r]` bytes into `segments[segmentOfRow[r]]` and has
    /// `cols` elements (or `layout.rowLengths[r]`, which then give the row count). The caller (the facade)
    /// keeps every segment's buffer alive for the life of this object.
    #[napi(factory)]
    pub fn over_js_memory(
        env: &Env,
        format: &NativeFormat,
        cols: f64,
        segments: Vec<Unknown>,
        segment_of_row: &[u32],
        offsets: &[f64],
        layout: Option<TableLayout>,
    ) -> Result<Self> {
        let format = format.format.clone();
        let itemsize = format.itemsize();
        let ragged = row_lengths(env, &layout)?;
        let lengths = match &ragged {
            Some(l) => RowLengths::PerRow(l),
            None => RowLengths::Uniform(to_index(cols)),
        };
        let starts = checked_row_starts(
            &segment_bytes(env, &segments)?,
            segment_of_row,
            offsets.iter().map(|&o| to_index(o)),
            lengths,
            itemsize as isize,
            itemsize,
        )
        .or_throw(env)?;
        // SAFETY: every row lies inside a live JS buffer (checked by the core) that the facade keeps alive
        // as long as this object; the facade checks for detachment before every call that touches memory.
        let m = unsafe {
            match ragged {
                Some(l) => IndirectMatrix::from_ragged_row_pointers(starts, l, format),
                None => IndirectMatrix::from_row_pointers(starts, to_index(cols), format, None),
            }
        }
        .or_throw(env)?;
        terminate(env, m, &layout)
    }

    /// A table of `rows` evenly spaced rows in one segment: row `r` starts `offset + r * rowStride` bytes
    /// into `segment` and has `cols` elements. The core checks the first and last rows against the
    /// segment once (not every row, as `overJsMemory` must). The facade keeps the segment alive.
    // Positional, not an options object: each of its fields would be a named-property read, paid here
    // right after a large allocation, while V8 marks the heap (see `StridedRows` in lib/state.ts).
    #[allow(clippy::too_many_arguments)]
    #[napi(factory)]
    pub fn over_js_rows(
        env: &Env,
        format: &NativeFormat,
        segment: Unknown,
        rows: f64,
        cols: f64,
        offset: f64,
        row_stride: f64,
        layout: Option<TableLayout>,
    ) -> Result<Self> {
        if layout.as_ref().is_some_and(|l| l.row_lengths.is_some()) {
            return Err(throw(
                env,
                invalid_argument("internal: evenly spaced rows are all `cols` long"),
            ));
        }
        let format = format.format.clone();
        let (base, len) = typed_array_bytes(env, &segment)?;
        let (rows, cols) = (to_length(env, rows)?, to_length(env, cols)?);
        let strides = [to_stride(env, row_stride)?, format.itemsize() as isize];
        // SAFETY: the rows are only computed here; the matrix below relies on the facade keeping the
        // segment alive and checking it for detachment, as for `overJsMemory`.
        let plane = unsafe {
            CheckedPlane::strided(
                base,
                len,
                [rows, cols],
                strides,
                to_index(offset),
                format.clone(),
            )
        }
        .or_throw(env)?;
        // SAFETY: as `overJsMemory`: every row lies inside the live segment (checked by the core).
        let m = unsafe {
            IndirectMatrix::from_row_pointers(plane.into_row_starts(), cols, format, None)
        }
        .or_throw(env)?;
        terminate(env, m, &layout)
    }

    /// A matrix over a foreign `T**` at `address`, used in place (`pointer()` returns `address`; every access
    /// reads the row pointer the table holds then); `layout.rowLengths` (one per row) makes it ragged. The
    /// caller of the public API promises that the table and its rows are valid until the matrix is
    /// released or collected.
    #[napi(factory)]
    pub fn from_table(
        env: &Env,
        address: BigInt,
        rows: f64,
        cols: f64,
        format: &NativeFormat,
        layout: Option<TableLayout>,
    ) -> Result<Self> {
        let format = format.format.clone();
        let table = address_of(env, &address)? as usize as *mut *mut u8;
        let rows = to_index(rows);
        let ragged = row_lengths(env, &layout)?;
        // SAFETY: the documented contract of fromPointer: `address` is a valid `T**` of `rows` rows
        // of their lengths for the life of the matrix; the null address is refused by the core.
        let m = unsafe {
            match ragged {
                Some(l) => {
                    lengths_count_rows(env, &l, rows)?;
                    IndirectMatrix::from_ragged_table(table, l, format)
                }
                None => IndirectMatrix::from_table(table, rows, to_index(cols), format),
            }
        }
        .or_throw(env)?;
        terminate(env, m, &layout)
    }

    /// A matrix whose row addresses are copied from `table` (the first `rows` entries), each of `cols`
    /// elements or `layout.rowLengths[r]`.
    #[napi(factory)]
    pub fn from_row_pointers(
        env: &Env,
        table: &[u64],
        rows: f64,
        cols: f64,
        format: &NativeFormat,
        layout: Option<TableLayout>,
    ) -> Result<Self> {
        let format = format.format.clone();
        let rows = to_index(rows).min(table.len());
        let pointers: Vec<*mut u8> = table[..rows]
            .iter()
            .map(|&a| a as usize as *mut u8)
            .collect();
        let ragged = row_lengths(env, &layout)?;
        // SAFETY: the documented contract of fromRowPointers: every address is a valid row of its
        // length for the life of the matrix; null addresses are refused by the core.
        let m = unsafe {
            match ragged {
                Some(l) => {
                    lengths_count_rows(env, &l, rows)?;
                    IndirectMatrix::from_ragged_row_pointers(pointers, l, format)
                }
                None => IndirectMatrix::from_row_pointers(pointers, to_index(cols), format, None),
            }
        }
        .or_throw(env)?;
        terminate(env, m, &layout)
    }

    /// Wraps a C `char **` at `address` in place: `count` strings, or up to its NULL entry when `count` is
    /// undefined; each row's length (`strlen + 1`) is measured now (read them with `rowLengths()`).
    /// Format `'B'`. The caller promises the strings stay valid (and their lengths unchanged) for the life
    /// of the matrix.
    #[napi(factory)]
    pub fn from_string_array(env: &Env, address: BigInt, count: Option<f64>) -> Result<Self> {
        let table = address_of(env, &address)? as usize as *mut *mut u8;
        let count = count.map(|c| to_length(env, c)).transpose()?;
        // SAFETY: the documented contract of fromStringArray: `address` is a `char **` of `count`
        // strings (or ending with a NULL entry), valid for the life of the matrix.
        let m = unsafe { IndirectMatrix::from_c_strings(table, count) }.or_throw(env)?;
        Ok(NativeMatrix { m: Some(m) })
    }

    /// An external ArrayBuffer over the bytes of row `r` as the table holds it now (zero-copy view of native
    /// memory). The facade keeps one per row address, keeps the memory's nanny alive with it and detaches it
    /// on release. `ERR_NO_EXTERNAL_BUFFERS` where the runtime refuses them: never a silent copy.
    #[napi]
    pub fn row_external<'env>(&self, env: &'env Env, r: f64) -> Result<Unknown<'env>> {
        let m = self.inner(env)?;
        let r = to_index(r);
        let row = m.row_pointer(r).or_throw(env)?;
        let len = m.row_nbytes(r).or_throw(env)?;
        external_buffer(env, row.cast(), len, "cannot create a view of the row")
    }

    /// An external ArrayBuffer over the row-pointer table itself (`rows` entries of 8 bytes), so that the facade
    /// reads the row pointers of a table used in place without a call per access. Detached like row views.
    #[napi]
    pub fn table_external<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        let m = self.inner(env)?;
        let len = m.rows() * std::mem::size_of::<*mut u8>();
        external_buffer(
            env,
            m.pointer().cast(),
            len,
            "cannot create a view of the row table",
        )
    }

    /// Whether the table is a foreign one read in place.
    #[napi]
    pub fn in_place(&self, env: &Env) -> Result<bool> {
        Ok(self.inner(env)?.is_in_place())
    }

    /// Whether the rows were given their own lengths.
    #[napi]
    pub fn ragged(&self, env: &Env) -> Result<bool> {
        Ok(self.inner(env)?.is_ragged())
    }

    /// Whether the table ends with an extra NULL entry.
    #[napi]
    pub fn null_terminated(&self, env: &Env) -> Result<bool> {
        Ok(self.inner(env)?.is_null_terminated())
    }

    /// The row count (the NULL terminator, if any, is not counted).
    #[napi]
    pub fn rows(&self, env: &Env) -> Result<f64> {
        Ok(self.inner(env)?.rows() as f64)
    }

    /// The longest row's length.
    #[napi]
    pub fn cols(&self, env: &Env) -> Result<f64> {
        Ok(self.inner(env)?.cols() as f64)
    }

    /// Elements of row `r`.
    #[napi]
    pub fn row_length(&self, env: &Env, r: f64) -> Result<f64> {
        Ok(self.inner(env)?.row_len(to_index(r)).or_throw(env)? as f64)
    }

    /// Every row's length.
    #[napi]
    pub fn row_lengths(&self, env: &Env) -> Result<Vec<f64>> {
        Ok(self
            .inner(env)?
            .row_lengths()
            .into_iter()
            .map(|n| n as f64)
            .collect())
    }

    /// Bytes of every row together.
    #[napi]
    pub fn nbytes(&self, env: &Env) -> Result<f64> {
        Ok(self.inner(env)?.nbytes() as f64)
    }

    /// `ERR_RAGGED` unless every row has one length (for the facade's rectangular-only operations).
    #[napi]
    pub fn require_rectangle(&self, env: &Env) -> Result<()> {
        self.inner(env)?.require_rectangle().or_throw(env)
    }

    /// Every row decoded as UTF-8 up to its first NUL (byte formats only).
    #[napi]
    pub fn to_strings(&self, env: &Env) -> Result<Vec<String>> {
        self.inner(env)?.to_strings().or_throw(env)
    }

    /// A table over the rectangle `[r0, r1) × [c0, c1)` of `parent`, computed and bounds-checked by the
    /// core. The facade keeps the parent alive and releases the child with it.
    #[napi(factory)]
    pub fn sub_matrix(
        env: &Env,
        parent: &NativeMatrix,
        r0: f64,
        r1: f64,
        c0: f64,
        c1: f64,
    ) -> Result<Self> {
        let p = parent.inner(env)?;
        // SAFETY: the rows are rows of `parent`, whose memory the facade keeps alive longer than this object.
        let m = unsafe { p.sub_matrix(to_index(r0), to_index(r1), to_index(c0), to_index(c1)) }
            .or_throw(env)?;
        Ok(NativeMatrix { m: Some(m) })
    }

    fn inner(&self, env: &Env) -> Result<&IndirectMatrix> {
        self.m.as_ref().ok_or_else(|| {
            throw(
                env,
                CoreError::new(ErrorCode::Released, "the matrix was released"),
            )
        })
    }

    fn inner_mut(&mut self, env: &Env) -> Result<&mut IndirectMatrix> {
        self.m.as_mut().ok_or_else(|| {
            throw(
                env,
                CoreError::new(ErrorCode::Released, "the matrix was released"),
            )
        })
    }

    /// The address of the row-pointer table.
    #[napi]
    pub fn pointer(&self, env: &Env) -> Result<u64> {
        Ok(self.inner(env)?.pointer() as u64)
    }

    #[napi]
    pub fn row_pointer(&self, env: &Env, r: f64) -> Result<u64> {
        Ok(self.inner(env)?.row_pointer(to_index(r)).or_throw(env)? as u64)
    }

    /// Every row's address (without the NULL terminator).
    #[napi]
    pub fn row_pointers(&self, env: &Env) -> Result<BigUint64Array> {
        let rows = self.inner(env)?.row_pointers().or_throw(env)?;
        Ok(BigUint64Array::new(
            rows.into_iter().map(|p| p as u64).collect(),
        ))
    }

    #[napi]
    pub fn get(&self, env: &Env, r: f64, c: f64) -> Result<Either4<f64, i64n, u64, bool>> {
        Ok(
            match self
                .inner(env)?
                .get(to_index(r), to_index(c))
                .or_throw(env)?
            {
                Value::Number(x) => Either4::A(x),
                Value::Int64(x) => Either4::B(i64n(x)),
                Value::Uint64(x) => Either4::C(x),
                Value::Bool(b) => Either4::D(b),
            },
        )
    }

    #[napi]
    pub fn set_number(&mut self, env: &Env, r: f64, c: f64, value: f64) -> Result<()> {
        self.inner_mut(env)?
            .set(to_index(r), to_index(c), Input::Number(value))
            .or_throw(env)
    }

    #[napi]
    pub fn set_big_int(&mut self, env: &Env, r: f64, c: f64, value: BigInt) -> Result<()> {
        let bits = bigint_low_bits(&value);
        self.inner_mut(env)?
            .set(to_index(r), to_index(c), Input::BigInt(bits))
            .or_throw(env)
    }

    #[napi]
    pub fn set_bool(&mut self, env: &Env, r: f64, c: f64, value: bool) -> Result<()> {
        self.inner_mut(env)?
            .set(to_index(r), to_index(c), Input::Bool(value))
            .or_throw(env)
    }

    /// Reinterprets the bytes as `format`; returns the new column count (of the longest row).
    #[napi]
    pub fn reinterpret(&mut self, env: &Env, format: &NativeFormat) -> Result<f64> {
        let f: Format = format.format.clone();
        let m = self.inner_mut(env)?;
        m.reinterpret(f);
        Ok(m.cols() as f64)
    }

    #[napi]
    pub fn make_read_only(&mut self, env: &Env) -> Result<()> {
        self.inner_mut(env)?.make_read_only();
        Ok(())
    }

    /// Drops the table (and, for native memory, the nanny's hold). Idempotent.
    #[napi]
    pub fn release(&mut self) {
        self.m = None;
    }
}

/// An external ArrayBuffer over `len` bytes at `data` (no finalizer: the facade ties the memory's lifetime to the
/// buffer and detaches it before the memory is freed); `ERR_NO_EXTERNAL_BUFFERS` where the runtime refuses them.
fn external_buffer<'env>(
    env: &'env Env,
    data: *mut std::ffi::c_void,
    len: usize,
    what: &str,
) -> Result<Unknown<'env>> {
    let mut value = std::ptr::null_mut();
    let status = if REFUSE_EXTERNAL_BUFFERS.load(Ordering::SeqCst) {
        napi::sys::Status::napi_no_external_buffers_allowed
    } else {
        // SAFETY: `data` addresses `len` bytes valid while the matrix's memory is (API contract); the buffer
        // has no finalizer of its own, and the facade detaches it before that memory is freed.
        unsafe {
            napi::sys::napi_create_external_arraybuffer(
                env.raw(),
                data,
                len,
                None,
                std::ptr::null_mut(),
                &mut value,
            )
        }
    };
    if status == napi::sys::Status::napi_no_external_buffers_allowed {
        return Err(throw(
            env,
            CoreError::new(
                ErrorCode::NoExternalBuffers,
                "this runtime forbids external buffers (Electron ≥ 21), so native memory has no zero-copy views here; use get/set, toArray() or copyTo()",
            ),
        ));
    }
    if status != napi::sys::Status::napi_ok {
        return Err(throw(env, invalid_argument(what)));
    }
    // SAFETY: `value` is the ArrayBuffer napi just created in this env.
    Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), value) })
}
