//! Times the copy kernels against `copy_from_slice` (memcpy) of the same bytes.
//!
//! `cargo run --release -p indirect-buffer --example kernels [filter]`
//!
//! Each line is the best of several runs (the machine is shared and noisy); the ratio is memcpy time
//! over kernel time, so 1.0 is memcpy speed and higher is faster.

use std::hint::black_box;
use std::time::{Duration, Instant};

use indirect_buffer::copy::{copy_plane, row_table, ElementOp, Plane};
use indirect_buffer::{ByteOrder, ScalarKind};

/// The best time of `runs` calls of `f` (after one warm-up call).
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn runs_for(bytes: usize) -> usize {
    (2_000_000_000 / bytes.max(1)).clamp(5, 200)
}

/// A buffer of `n` bytes, touched so that page faults stay out of the timings.
fn buffer(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A source buffer whose elements are plausible values of `op`'s source kind (numbers within
/// ±500000 for floats, so conversions take their common path), not random bit patterns.
fn source(n: usize, op: ElementOp) -> Vec<u8> {
    let mut b = buffer(n, 1);
    if let ElementOp::Convert { from, .. } = op {
        let x = |i: usize| ((i * 7919) % 1_000_003) as f64 * 1.000_37 - 500_000.0;
        match from {
            ScalarKind::F64 => {
                for (i, e) in b.chunks_exact_mut(8).enumerate() {
                    e.copy_from_slice(&x(i).to_ne_bytes());
                }
            }
            ScalarKind::F32 => {
                for (i, e) in b.chunks_exact_mut(4).enumerate() {
                    e.copy_from_slice(&(x(i) as f32).to_ne_bytes());
                }
            }
            _ => {}
        }
    }
    b
}

struct Case {
    name: String,
    rows: usize,
    cols: usize,
    op: ElementOp,
    /// Source and target (row stride, col stride) in elements; row stride None = rows scattered.
    src: (isize, isize),
    dst: (isize, isize),
    /// Bytes of the memcpy it is compared with.
    reference_bytes: usize,
}

fn f64s(a: ScalarKind, b: ScalarKind) -> ElementOp {
    ElementOp::Convert {
        from: a,
        from_order: ByteOrder::NATIVE,
        to: b,
        to_order: ByteOrder::NATIVE,
    }
}

fn run_case(c: &Case) {
    let (s, d) = (c.op.src_itemsize(), c.op.dst_itemsize());
    let extent = |(rs, cs): (isize, isize), size: usize| {
        (((c.rows as isize - 1) * rs + (c.cols as isize - 1) * cs) as usize + 1) * size
    };
    let mut src = source(extent(c.src, s), c.op);
    let mut dst = buffer(extent(c.dst, d), 2);
    let st = row_table(src.as_mut_ptr(), c.rows, c.src.0 * s as isize);
    let dt = row_table(dst.as_mut_ptr(), c.rows, c.dst.0 * d as isize);
    let (sp, dp) = (
        Plane {
            rows: &st,
            col_stride: c.src.1 * s as isize,
        },
        Plane {
            rows: &dt,
            col_stride: c.dst.1 * d as isize,
        },
    );
    let a = buffer(c.reference_bytes, 3);
    let mut b = buffer(c.reference_bytes, 4);
    let runs = runs_for(c.reference_bytes);
    let mut t_ref = Duration::MAX;
    let mut t_ker = Duration::MAX;
    // Interleave the two so that noise hits both alike.
    for _ in 0..3 {
        t_ref = t_ref.min(best(runs / 3 + 1, || b.copy_from_slice(black_box(&a))));
        // SAFETY: the tables address elements inside `src` and `dst`.
        t_ker = t_ker.min(best(runs / 3 + 1, || unsafe {
            copy_plane(black_box(&dp), black_box(&sp), c.rows, c.cols, c.op)
        }));
    }
    black_box((&dst, &b));
    println!(
        "{:<46} kernel {:>12.3} µs  memcpy {:>12.3} µs  ratio {:>5.2}",
        c.name,
        t_ker.as_secs_f64() * 1e6,
        t_ref.as_secs_f64() * 1e6,
        t_ref.as_secs_f64() / t_ker.as_secs_f64()
    );
}

fn main() {
    use ScalarKind::*;
    let filter = std::env::args().nth(1).unwrap_or_default();
    let raw8 = ElementOp::Raw { itemsize: 8 };
    let mut cases = Vec::new();
    for n in [1000usize, 4000] {
        let b = n * n * 8;
        cases.push(Case {
            name: format!("raw f64 {n}x{n} dense (merged)"),
            rows: n,
            cols: n,
            op: raw8,
            src: (n as isize, 1),
            dst: (n as isize, 1),
            reference_bytes: b,
        });
        cases.push(Case {
            name: format!("raw f64 {n}x{n} padded rows"),
            rows: n,
            cols: n,
            op: raw8,
            src: (n as isize + 8, 1),
            dst: (n as isize + 3, 1),
            reference_bytes: b,
        });
    }
    for n in [1000usize, 1024, 2000, 4000, 4096] {
        let b = n * n * 8;
        cases.push(Case {
            name: format!("transpose f64 {n}x{n} (src col-major)"),
            rows: n,
            cols: n,
            op: raw8,
            src: (1, n as isize),
            dst: (n as isize, 1),
            reference_bytes: b,
        });
        cases.push(Case {
            name: format!("transpose f64 {n}x{n} (dst col-major)"),
            rows: n,
            cols: n,
            op: raw8,
            src: (n as isize, 1),
            dst: (1, n as isize),
            reference_bytes: b,
        });
    }
    for n in [1000usize, 4096] {
        cases.push(Case {
            name: format!("transpose i32 {n}x{n} (src col-major)"),
            rows: n,
            cols: n,
            op: ElementOp::Raw { itemsize: 4 },
            src: (1, n as isize),
            dst: (n as isize, 1),
            reference_bytes: n * n * 4,
        });
    }
    for n in [1000usize, 4000] {
        for (name, op, reference) in [
            ("f64->i32", f64s(F64, I32), 8),
            ("i32->f64", f64s(I32, F64), 8),
            ("f32->f64", f64s(F32, F64), 8),
            ("f64->f32", f64s(F64, F32), 8),
            ("i16->f32", f64s(I16, F32), 4),
            ("f64->u8c", f64s(F64, U8Clamped), 8),
            ("swap i32", ElementOp::Swap { itemsize: 4 }, 4),
            ("swap f64", ElementOp::Swap { itemsize: 8 }, 8),
            ("raw i32", ElementOp::Raw { itemsize: 4 }, 4),
        ] {
            cases.push(Case {
                name: format!("{name} {n}x{n} dense (ref memcpy {reference}B/elt)"),
                rows: n,
                cols: n,
                op,
                src: (n as isize, 1),
                dst: (n as isize, 1),
                reference_bytes: n * n * reference,
            });
        }
    }
    for (name, op, sizes) in [
        (
            "u8",
            ElementOp::Raw { itemsize: 1 },
            &[1000usize, 1024, 4096][..],
        ),
        ("u16", ElementOp::Raw { itemsize: 2 }, &[1000, 1024, 4096]),
        ("record12", ElementOp::Raw { itemsize: 12 }, &[1000]),
        ("swap f64", ElementOp::Swap { itemsize: 8 }, &[1000]),
    ] {
        for &n in sizes {
            for (side, src, dst) in [
                ("src", (1, n as isize), (n as isize, 1)),
                ("dst", (n as isize, 1), (1, n as isize)),
            ] {
                cases.push(Case {
                    name: format!("transpose {name} {n}x{n} ({side} col-major)"),
                    rows: n,
                    cols: n,
                    op,
                    src,
                    dst,
                    reference_bytes: n * n * op.dst_itemsize(),
                });
            }
        }
    }
    cases.push(Case {
        name: "f64->i32 1000x1000 transposed".into(),
        rows: 1000,
        cols: 1000,
        op: f64s(F64, I32),
        src: (1, 1000),
        dst: (1000, 1),
        reference_bytes: 8_000_000,
    });
    for (rows, cols) in [(1usize, 1usize), (4, 4), (1, 1000)] {
        cases.push(Case {
            name: format!("raw f64 {rows}x{cols} (fixed cost)"),
            rows,
            cols,
            op: raw8,
            src: (cols as isize, 1),
            dst: (cols as isize, 1),
            reference_bytes: rows * cols * 8,
        });
    }
    for c in cases.iter().filter(|c| c.name.contains(&filter)) {
        run_case(c);
    }
}
