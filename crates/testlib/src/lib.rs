//! A tiny C-ABI library for the tests, the demo and the benchmarks: native consumers and producers of
//! `T**` row tables, built from the repository so that no system C compiler is needed. It stands in for
//! the real C libraries (libpng, audio resamplers, solvers) that users call through koffi.
//!
//! Every function trusts its caller as C would: `rows` row pointers, each with `cols` elements.

#![allow(clippy::missing_safety_doc)]

use std::alloc::{alloc_zeroed, dealloc, Layout};
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
