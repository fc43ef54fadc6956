//! `NativeMatrix`: the row-pointer table behind every JS matrix. The facade (lib/) validates arguments,
//! keeps the JS memory alive and checks for detached buffers; this class owns the table and touches
//! memory only through the core.

use indirect_buffer::copy::{copy_plane, ElementOp, Plane};
use indirect_buffer::element::{Input, Value};
use indirect_buffer::{Error as CoreError, ErrorCode, IndirectMatrix};
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

/// Where zero-byte rows point when their buffer has no data pointer: a real, aligned address that is
/// never read or written (a zero-byte row has nothing to read).
static EMPTY_ROW: [u64; 2] = [0; 2];

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

/// The row starts of a plane of JS memory described by the facade (row `r` at `offsets[r]` bytes into
/// `segments[segment_of_row[r]]`, elements `col_stride` bytes apart), every element checked to lie inside.
fn js_plane_rows(
    env: &Env,
    segments: &[Unknown],
    segment_of_row: &[u32],
    offsets: &[f64],
    cols: usize,
    col_stride: isize,
    itemsize: usize,
) -> Result<Vec<*mut u8>> {
    let segs = segments
        .iter()
        .map(|s| typed_array_bytes(env, s))
        .collect::<Result<Vec<_>>>()?;
    if segment_of_row.len() != offsets.len() {
        return Err(throw(
            env,
            invalid_argument("internal: one segment and offset per row"),
        ));
    }
    let span = (cols.saturating_sub(1) as isize).checked_mul(col_stride);
    let mut rows = Vec::with_capacity(offsets.len());
    for (&seg, &off) in segment_of_row.iter().zip(offsets) {
        let &(base, len) = segs
            .get(seg as usize)
            .ok_or_else(|| throw(env, invalid_argument("internal: no such segment")))?;
        let off = to_index(off);
        if cols > 0 {
            // The lowest and highest element of the row must lie inside the segment.
            let inside = span.and_then(|span| {
                let lo = (off as isize).checked_add(span.min(0))?;
                let hi = (off as isize)
                    .checked_add(span.max(0))?
                    .checked_add(itemsize as isize)?;
                Some(lo >= 0 && hi as usize <= len)
            });
            if inside != Some(true) {
                return Err(throw(
                    env,
                    invalid_argument("internal: a row lies outside its buffer"),
                ));
            }
        }
        // Rows of no element point at a real, never-read address rather than anywhere past their data.
        rows.push(if cols == 0 || base.is_null() {
            EMPTY_ROW.as_ptr() as *mut u8
        } else {
            base.wrapping_add(off)
        });
    }
    Ok(rows)
}

#[napi]
impl NativeMatrix {
    /// The current row starts of this matrix (an in-place table is read now).
    fn plane_rows(&self, env: &Env) -> Result<Vec<*mut u8>> {
        let m = self.inner(env)?;
        (0..m.rows())
            .map(|r| m.row_pointer(r))
            .collect::<indirect_buffer::Result<Vec<_>>>()
            .or_throw(env)
    }

    /// Copies between this matrix and `other` (`into_self`: other → self, else self → other), with the
    /// element op of the formats and flags. The facade checked read-only targets and shapes.
    #[napi]
    pub fn copy_matrix(
        &self,
        env: &Env,
        other: &NativeMatrix,
        into_self: bool,
        cast: bool,
        convert: bool,
    ) -> Result<()> {
        let (dst, src) = if into_self {
            (self, other)
        } else {
            (other, self)
        };
        let (d, s) = (dst.inner(env)?, src.inner(env)?);
        if (d.rows(), d.cols()) != (s.rows(), s.cols()) {
            return Err(throw(
                env,
                CoreError::new(ErrorCode::ShapeMismatch, "different shapes"),
            ));
        }
        if d.readonly() {
            return Err(throw(
                env,
                CoreError::new(ErrorCode::Readonly, "copying to readonly buffer"),
            ));
        }
        let op = ElementOp::plan(s.format(), d.format(), cast, convert).or_throw(env)?;
        let (dst_rows, src_rows) = (dst.plane_rows(env)?, src.plane_rows(env)?);
        // SAFETY: both tables hold `rows` rows of `cols` elements of their formats (the matrices' contracts);
        // the kernel snapshots the source first when the two overlap.
        unsafe {
            copy_plane(
                &Plane {
                    rows: &dst_rows,
                    col_stride: d.format().itemsize() as isize,
                },
                &Plane {
                    rows: &src_rows,
                    col_stride: s.format().itemsize() as isize,
                },
                d.rows(),
                d.cols(),
                op,
            )
        };
        Ok(())
    }

    /// Copies between this matrix and strided JS memory of `format` (`into_self`: JS → self, else self →
    /// JS); the JS side is described like `overJsMemory`, plus the byte distance between its elements.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn copy_js(
        &self,
        env: &Env,
        segments: Vec<Unknown>,
        segment_of_row: &[u32],
        offsets: &[f64],
        col_stride: f64,
        format: &NativeFormat,
        into_self: bool,
        cast: bool,
        convert: bool,
    ) -> Result<()> {
        let js_format = &format.format;
        let m = self.inner(env)?;
        if offsets.len() != m.rows() {
            return Err(throw(
                env,
                CoreError::new(ErrorCode::ShapeMismatch, "different shapes"),
            ));
        }
        if into_self && m.readonly() {
            return Err(throw(
                env,
                CoreError::new(ErrorCode::Readonly, "copying to readonly buffer"),
            ));
        }
        let op = if into_self {
            ElementOp::plan(js_format, m.format(), cast, convert)
        } else {
            ElementOp::plan(m.format(), js_format, cast, convert)
        }
        .or_throw(env)?;
        let col_stride = col_stride as isize;
        let js_rows = js_plane_rows(
            env,
            &segments,
            segment_of_row,
            offsets,
            m.cols(),
            col_stride,
            js_format.itemsize(),
        )?;
        let own_rows = self.plane_rows(env)?;
        let own = Plane {
            rows: &own_rows,
            col_stride: m.format().itemsize() as isize,
        };
        let js = Plane {
            rows: &js_rows,
            col_stride,
        };
        let (dst, src) = if into_self { (&own, &js) } else { (&js, &own) };
        // SAFETY: the matrix's rows hold `cols` elements (its contract); every element of the JS side lies
        // inside its live segment (checked by `js_plane_rows`); the kernel snapshots overlapping sources.
        unsafe { copy_plane(dst, src, m.rows(), m.cols(), op) };
        Ok(())
    }

    /// A table over JS memory: row `r` starts `offsets[r]` bytes into `segments[segmentOfRow[r]]`.
    /// The caller (the facade) keeps every segment's buffer alive for the life of this object.
    #[napi(factory)]
    pub fn over_js_memory(
        env: &Env,
        format: &NativeFormat,
        cols: f64,
        segments: Vec<Unknown>,
        segment_of_row: &[u32],
        offsets: &[f64],
    ) -> Result<Self> {
        let format = format.format.clone();
        let cols = to_index(cols);
        indirect_buffer::matrix::checked_nbytes(1, cols, format.itemsize()).or_throw(env)?;
        let itemsize = format.itemsize();
        let pointers = js_plane_rows(
            env,
            &segments,
            segment_of_row,
            offsets,
            cols,
            itemsize as isize,
            itemsize,
        )?;
        // SAFETY: every row lies inside a live JS buffer (checked by js_plane_rows) that the facade keeps alive as long
        // as this object; the facade checks for detachment before every call that touches memory.
        let m = unsafe { IndirectMatrix::from_row_pointers(pointers, cols, format, None) }
            .or_throw(env)?;
        Ok(NativeMatrix { m: Some(m) })
    }

    /// A matrix over a foreign `T**` at `address`, used in place (`pointer()` returns `address`; every access
    /// reads the row pointer the table holds then). The facade validated the shape; the caller of the public
    /// API promises that the table and its rows are valid until the matrix is released or collected.
    #[napi(factory)]
    pub fn from_table(
        env: &Env,
        address: BigInt,
        rows: f64,
        cols: f64,
        format: &NativeFormat,
    ) -> Result<Self> {
        let format = format.format.clone();
        let address = address_of(env, &address)?;
        // SAFETY: the public API's contract (API.md, fromPointer): `address` is a valid `T**` of `rows` rows
        // of `cols` elements for the life of the matrix; the null address is refused by `from_table`.
        let m = unsafe {
            IndirectMatrix::from_table(
                address as usize as *mut *mut u8,
                to_index(rows),
                to_index(cols),
                format,
            )
        }
        .or_throw(env)?;
        Ok(NativeMatrix { m: Some(m) })
    }

    /// A matrix whose row addresses are copied from `table` (the first `rows` entries).
    #[napi(factory)]
    pub fn from_row_pointers(
        env: &Env,
        table: &[u64],
        rows: f64,
        cols: f64,
        format: &NativeFormat,
    ) -> Result<Self> {
        let format = format.format.clone();
        let rows = to_index(rows).min(table.len());
        let pointers = table[..rows]
            .iter()
            .map(|&a| a as usize as *mut u8)
            .collect();
        // SAFETY: the public API's contract (API.md, fromRowPointers): every address is a valid row of `cols`
        // elements for the life of the matrix; null addresses are refused by `from_row_pointers`.
        let m =
            unsafe { IndirectMatrix::from_row_pointers(pointers, to_index(cols), format, None) }
                .or_throw(env)?;
        Ok(NativeMatrix { m: Some(m) })
    }

    /// An external ArrayBuffer over the bytes of row `r` as the table holds it now (zero-copy view of native
    /// memory). The facade keeps one per row address, keeps the memory's nanny alive with it and detaches it
    /// on release. `ERR_NO_EXTERNAL_BUFFERS` where the runtime refuses them: never a silent copy.
    #[napi]
    pub fn row_external(&self, env: &Env, r: f64) -> Result<Unknown<'_>> {
        let m = self.inner(env)?;
        let row = m.row_pointer(to_index(r)).or_throw(env)?;
        let len = m.row_nbytes();
        let mut value = std::ptr::null_mut();
        let status = if REFUSE_EXTERNAL_BUFFERS.load(Ordering::SeqCst) {
            napi::sys::Status::napi_no_external_buffers_allowed
        } else {
            // SAFETY: `row` addresses `len` bytes valid while the matrix's memory is (API contract); the
            // buffer has no finalizer of its own: the facade ties the memory's lifetime to it and detaches
            // it before the memory is freed.
            unsafe {
                napi::sys::napi_create_external_arraybuffer(
                    env.raw(),
                    row.cast(),
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
            return Err(throw(
                env,
                invalid_argument("cannot create a view of the row"),
            ));
        }
        // SAFETY: `value` is the ArrayBuffer napi just created in this env.
        Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), value) })
    }

    /// Whether the table is a foreign one read in place.
    #[napi]
    pub fn in_place(&self, env: &Env) -> Result<bool> {
        Ok(self.inner(env)?.is_in_place())
    }

    /// A table over the rectangle `[r0, r1) × [c0, c1)` of `parent` (already validated by the facade).
    /// The facade keeps the parent alive and releases the child with it.
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
        let (r0, r1, c0, c1) = (to_index(r0), to_index(r1), to_index(c0), to_index(c1));
        if r0 > r1 || r1 > p.rows() || c0 > c1 || c1 > p.cols() {
            return Err(throw(
                env,
                CoreError::new(ErrorCode::OutOfBounds, "sub-matrix outside the matrix"),
            ));
        }
        let shift = c0 * p.format().itemsize();
        let pointers = (r0..r1)
            .map(|r| {
                let row = p.row_pointer(r)?;
                // SAFETY: c0 <= cols, so the shifted pointer stays inside (or one past) the row.
                Ok(unsafe { row.add(shift) })
            })
            .collect::<indirect_buffer::Result<Vec<_>>>()
            .or_throw(env)?;
        // SAFETY: the rows are rows of `parent`, which the facade keeps alive longer than this object.
        let mut m = unsafe {
            IndirectMatrix::from_row_pointers(pointers, c1 - c0, p.format().clone(), None)
        }
        .or_throw(env)?;
        if p.readonly() {
            m.make_read_only();
        }
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

    #[napi]
    pub fn row_pointers(&self, env: &Env) -> Result<BigUint64Array> {
        let m = self.inner(env)?;
        let v = (0..m.rows())
            .map(|r| m.row_pointer(r).map(|p| p as u64))
            .collect::<indirect_buffer::Result<Vec<u64>>>()
            .or_throw(env)?;
        Ok(BigUint64Array::new(v))
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

    /// Reinterprets the bytes as `format`; returns the new column count.
    #[napi]
    pub fn reinterpret(&mut self, env: &Env, format: &NativeFormat) -> Result<f64> {
        let f = format.format.clone();
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
