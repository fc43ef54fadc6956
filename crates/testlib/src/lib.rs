//! A tiny C-ABI library for the tests, the demo and the benchmarks: native consumers and producers of
//! `T**` row tables, built from the repository so that no system C compiler is needed. It stands in for
//! the real C libraries (libpng, audio resamplers, solvers) that users call through koffi.
//!
//! Every function trusts its caller as C would: `rows` row pointers, each with `cols` elements (or the
//! lengths it is given), or a table that ends with a NULL entry.

#![allow(clippy::missing_safety_doc)]

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::ffi::{c_char, CStr, CString};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Sums a `double**` matrix.
#[no_mangle]
pub unsafe extern "C" fn sum2d(table: *const *const f64, rows: usize, cols: usize) -> f64 {
    let mut total = 0.0;
    for r in 0..rows {
        // SAFETY: the caller passes `rows` valid row pointers of `cols` doubles each.
        let row = unsafe { std::slice::from_raw_parts(*table.add(r), cols) };
        total += row.iter().sum::<f64>();
    }
    total
}

/// Calls `before()` (a JS callback: it may allocate and collect garbage), then sums like `sum2d`. The tests
/// use it to show that a table stays valid through JS code that runs inside the native call.
#[no_mangle]
pub unsafe extern "C" fn sum2d_after(
    table: *const *const f64,
    rows: usize,
    cols: usize,
    before: extern "C" fn(),
) -> f64 {
    before();
    // SAFETY: as in `sum2d`: the caller passes `rows` valid row pointers of `cols` doubles each.
    unsafe { sum2d(table, rows, cols) }
}

/// Writes `value + r * cols + c` into every element of a `double**` matrix.
#[no_mangle]
pub unsafe extern "C" fn fill2d(table: *const *mut f64, rows: usize, cols: usize, value: f64) {
    for r in 0..rows {
        // SAFETY: as in `sum2d`, and the rows are writable.
        let row = unsafe { std::slice::from_raw_parts_mut(*table.add(r), cols) };
        for (c, x) in row.iter_mut().enumerate() {
            *x = value + (r * cols + c) as f64;
        }
    }
}

/// Multiplies every element of a `double**` matrix by `factor`, sleeping `sleep_ms` first: the slow
/// consumer of the asynchronous-call tests (koffi runs it on a worker thread).
#[no_mangle]
pub unsafe extern "C" fn scale2d_slow(
    table: *const *mut f64,
    rows: usize,
    cols: usize,
    factor: f64,
    sleep_ms: u32,
) -> f64 {
    std::thread::sleep(std::time::Duration::from_millis(u64::from(sleep_ms)));
    let mut total = 0.0;
    for r in 0..rows {
        // SAFETY: as in `fill2d`.
        let row = unsafe { std::slice::from_raw_parts_mut(*table.add(r), cols) };
        for x in row.iter_mut() {
            *x *= factor;
            total += *x;
        }
    }
    total
}

/// Sums an `int32_t**` matrix (as a double, so that large sums stay exact).
#[no_mangle]
pub unsafe extern "C" fn sum2d_i32(table: *const *const i32, rows: usize, cols: usize) -> f64 {
    let mut total = 0.0;
    for r in 0..rows {
        // SAFETY: as in `sum2d`, for int32 rows.
        let row = unsafe { std::slice::from_raw_parts(*table.add(r), cols) };
        total += row.iter().map(|&x| f64::from(x)).sum::<f64>();
    }
    total
}

/// Reads one byte of row `r` at byte offset `offset`: lets tests see exactly what native code sees.
#[no_mangle]
pub unsafe extern "C" fn byte_at(table: *const *const u8, r: usize, offset: usize) -> u8 {
    // SAFETY: the caller passes a valid table with a row `r` of more than `offset` bytes.
    unsafe { *(*table.add(r)).add(offset) }
}

/// Returns row pointer `r` of a table, as native code would read it.
#[no_mangle]
pub unsafe extern "C" fn row_at(table: *const *const u8, r: usize) -> *const u8 {
    // SAFETY: the caller passes a valid table with at least `r + 1` entries.
    unsafe { *table.add(r) }
}

static LIVE_MATRICES: AtomicUsize = AtomicUsize::new(0);

fn row_layout(cols: usize) -> Layout {
    // Rows of at least one element so that every row pointer is a real allocation.
    Layout::array::<f64>(cols.max(1)).expect("row size overflows")
}

fn table_layout(rows: usize) -> Layout {
    Layout::array::<*mut f64>(rows.max(1)).expect("table size overflows")
}

/// Allocates a zeroed `double**` matrix (a table plus one allocation per row), as C libraries return them.
/// Free it with `free2d`.
#[no_mangle]
pub unsafe extern "C" fn make2d(rows: usize, cols: usize) -> *mut *mut f64 {
    // SAFETY: both layouts have a non-zero size.
    unsafe {
        let table = alloc_zeroed(table_layout(rows)) as *mut *mut f64;
        if table.is_null() {
            return table;
        }
        for r in 0..rows {
            *table.add(r) = alloc_zeroed(row_layout(cols)) as *mut f64;
        }
        LIVE_MATRICES.fetch_add(1, Ordering::SeqCst);
        table
    }
}

/// Frees a matrix made by `make2d` with the same `rows` and `cols`.
#[no_mangle]
pub unsafe extern "C" fn free2d(table: *mut *mut f64, rows: usize, cols: usize) {
    if table.is_null() {
        return;
    }
    // SAFETY: `table` came from `make2d(rows, cols)` and is freed once.
    unsafe {
        for r in 0..rows {
            dealloc(*table.add(r) as *mut u8, row_layout(cols));
        }
        dealloc(table as *mut u8, table_layout(rows));
    }
    LIVE_MATRICES.fetch_sub(1, Ordering::SeqCst);
}

/// How many `make2d` matrices are not yet freed: lets tests prove that a nanny freed exactly once.
#[no_mangle]
pub extern "C" fn live2d() -> usize {
    LIVE_MATRICES.load(Ordering::SeqCst)
}

// --- ragged tables, string lists and NULL-terminated tables ---------------------------------------------

/// Counts the entries of a NULL-terminated table before its NULL, as C code that takes `argv`-style
/// lists does: the way tests see that a table really ends with a NULL entry.
#[no_mangle]
pub unsafe extern "C" fn count_null_terminated(table: *const *const u8) -> usize {
    if table.is_null() {
        return 0;
    }
    let mut n = 0;
    // SAFETY: the caller passes a table that ends with a NULL entry.
    while !unsafe { *table.add(n) }.is_null() {
        n += 1;
    }
    n
}

/// Sums a ragged `double**` table: row `r` has `lengths[r]` doubles.
#[no_mangle]
pub unsafe extern "C" fn sum_ragged(
    table: *const *const f64,
    rows: usize,
    lengths: *const usize,
) -> f64 {
    let mut total = 0.0;
    for r in 0..rows {
        // SAFETY: the caller passes `rows` row pointers and `rows` lengths; row `r` has `lengths[r]` doubles
        // (a zero-length row may point anywhere: nothing is read from it).
        let row = unsafe {
            let len = *lengths.add(r);
            if len == 0 {
                continue;
            }
            std::slice::from_raw_parts(*table.add(r), len)
        };
        total += row.iter().sum::<f64>();
    }
    total
}

/// Writes `value + r * 1000 + c` into every element of a ragged `double**` table (row `r` has `lengths[r]`
/// doubles): native writes that JS must see through its views.
#[no_mangle]
pub unsafe extern "C" fn fill_ragged(
    table: *const *mut f64,
    rows: usize,
    lengths: *const usize,
    value: f64,
) {
    for r in 0..rows {
        // SAFETY: as in `sum_ragged`, and the rows are writable.
        let row = unsafe {
            let len = *lengths.add(r);
            if len == 0 {
                continue;
            }
            std::slice::from_raw_parts_mut(*table.add(r), len)
        };
        for (c, x) in row.iter_mut().enumerate() {
            *x = value + (r * 1000 + c) as f64;
        }
    }
}

/// The total `strlen` of the strings of a NULL-terminated `char**` (the NULL excluded).
#[no_mangle]
pub unsafe extern "C" fn strv_total_len(strv: *const *const c_char) -> usize {
    let mut total = 0;
    // SAFETY: the caller passes a NULL-terminated table of NUL-terminated strings.
    unsafe {
        for r in 0..count_null_terminated(strv.cast()) {
            total += CStr::from_ptr(*strv.add(r)).to_bytes().len();
        }
    }
    total
}

/// Upper-cases the ASCII letters of the first `count` strings of a `char**` in place: native writes into
/// string rows.
#[no_mangle]
pub unsafe extern "C" fn strv_upcase(strv: *const *mut c_char, count: usize) {
    for r in 0..count {
        // SAFETY: the caller passes `count` writable NUL-terminated strings.
        unsafe {
            // As bytes: `c_char` is `i8` on x86-64 and `u8` on arm64 Linux.
            let mut p = (*strv.add(r)).cast::<u8>();
            while *p != 0 {
                *p = (*p).to_ascii_uppercase();
                p = p.add(1);
            }
        }
    }
}

static LIVE_STRVS: AtomicUsize = AtomicUsize::new(0);

/// Splits `text` at every `sep` byte into a NULL-terminated `char**` that this library allocates, as
/// `g_strsplit` does (`"a,,b"` gives `"a"`, `""`, `"b"`; `""` gives one empty string). Free it with
/// `free_strv`. Returns NULL for a NULL `text`.
#[no_mangle]
pub unsafe extern "C" fn make_strv(text: *const c_char, sep: c_char) -> *mut *mut c_char {
    if text.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: the caller passes a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(text) }.to_bytes();
    let mut table: Vec<*mut c_char> = bytes
        .split(|&b| b == sep.to_ne_bytes()[0])
        // The pieces come from a C string, so none holds a NUL byte.
        .map(|piece| CString::new(piece).map_or(std::ptr::null_mut(), CString::into_raw))
        .collect();
    table.push(std::ptr::null_mut());
    LIVE_STRVS.fetch_add(1, Ordering::SeqCst);
    Box::into_raw(table.into_boxed_slice()).cast()
}

/// Frees a list made by `make_strv` (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn free_strv(strv: *mut *mut c_char) {
    if strv.is_null() {
        return;
    }
    // SAFETY: `strv` came from `make_strv` and is freed once: its strings came from `CString::into_raw`
    // and the table is a boxed slice of the entries plus the NULL.
    unsafe {
        let n = count_null_terminated(strv.cast());
        for r in 0..n {
            drop(CString::from_raw(*strv.add(r)));
        }
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
            strv,
            n + 1,
        )));
    }
    LIVE_STRVS.fetch_sub(1, Ordering::SeqCst);
}

/// How many `make_strv` lists are not yet freed.
#[no_mangle]
pub extern "C" fn live_strv() -> usize {
    LIVE_STRVS.load(Ordering::SeqCst)
}
