//! Every kernel against the scalar reference [`convert_one`], on random shapes and layouts.

use super::*;
use crate::element::to_uint8_clamp;
use ScalarKind::*;

/// xorshift64*: small, deterministic, good enough to pick shapes, layouts and bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Runs `body` with the AVX2 kernels (where the CPU has them) and with the baseline ones.
fn on_both_isas(mut body: impl FnMut()) {
    body();
    super::simd::FORCE_BASELINE.with(|force| force.set(true));
    body();
    super::simd::FORCE_BASELINE.with(|force| force.set(false));
}

const ORDERS: [ByteOrder; 2] = [ByteOrder::Little, ByteOrder::Big];

/// How a test side lays its elements out.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Dense,
    PaddedRows,
    /// Rows at shuffled places of one block, as an indirect matrix may have them.
    Shuffled,
    ColMajor,
    ColMajorPadded,
    ReversedCols,
    ReversedRows,
    EveryOther,
    /// Source only: every element of a row is the same.
    ZeroCol,
    /// Source only: every row is the same.
    ZeroRow,
    /// Source only: any small strides, elements may overlap.
    Random,
}

const DST_SHAPES: [Shape; 8] = [
    Shape::Dense,
    Shape::PaddedRows,
    Shape::Shuffled,
    Shape::ColMajor,
    Shape::ColMajorPadded,
    Shape::ReversedCols,
    Shape::ReversedRows,
    Shape::EveryOther,
];
const SRC_SHAPES: [Shape; 11] = [
    Shape::Dense,
    Shape::PaddedRows,
    Shape::Shuffled,
    Shape::ColMajor,
    Shape::ColMajorPadded,
    Shape::ReversedCols,
    Shape::ReversedRows,
    Shape::EveryOther,
    Shape::ZeroCol,
    Shape::ZeroRow,
    Shape::Random,
];

/// Element offsets of a side: row starts (relative to the buffer start) and the column stride.
struct Layout {
    rows: Vec<isize>,
    cs: isize,
    /// Buffer bytes needed.
    len: usize,
}

impl Layout {
    fn new(rng: &mut Rng, shape: Shape, rows: usize, cols: usize, size: usize) -> Layout {
        let (r, c, z) = (rows as isize, cols as isize, size as isize);
        let pad = 1 + rng.below(3) as isize;
        let (rs, cs) = match shape {
            Shape::Dense | Shape::Shuffled => (c * z, z),
            Shape::PaddedRows => ((c + pad) * z, z),
            Shape::ColMajor => (z, r * z),
            Shape::ColMajorPadded => (z, (r + pad) * z),
            Shape::ReversedCols => (c * z, -z),
            Shape::ReversedRows => (-c * z, z),
            Shape::EveryOther => (2 * c * z, 2 * z),
            Shape::ZeroCol => (z, 0),
            Shape::ZeroRow => (0, z),
            Shape::Random => {
                let mut pick = || (rng.below(7) as isize - 3) * z + rng.below(2) as isize;
                (pick() * c.max(1), pick())
            }
        };
        let mut starts: Vec<isize> = (0..r).map(|i| i * rs).collect();
        if shape == Shape::Shuffled {
            for i in (1..starts.len()).rev() {
                starts.swap(i, rng.below(i + 1));
            }
        }
        // Shift so that the lowest byte touched is at offset 0, plus a random misalignment.
        let span = if cols == 0 { 0 } else { (c - 1) * cs };
        let lo = starts.iter().map(|&s| s.min(s + span)).min().unwrap_or(0);
        let hi = starts.iter().map(|&s| s.max(s + span)).max().unwrap_or(0);
        let shift = rng.below(8) as isize - lo;
        Layout {
            rows: starts.iter().map(|&s| s + shift).collect(),
            cs,
            len: (hi + shift) as usize + size + 8,
        }
    }

    /// Column-major (`colm`) or row-major lines padded to a multiple of 64 bytes (plus `extra`),
    /// the first element `skew` bytes into the buffer: with `extra = 0` every line has the same
    /// misalignment, which the transposes' cache-line grid then follows (when `skew` keeps the
    /// elements aligned for their size, as a buffer start is).
    fn padded(
        colm: bool,
        rows: usize,
        cols: usize,
        size: usize,
        extra: usize,
        skew: usize,
    ) -> Layout {
        let line = |n: usize| ((n * size).next_multiple_of(64) + extra) as isize;
        let (rs, cs) = if colm {
            (size as isize, line(rows))
        } else {
            (line(cols), size as isize)
        };
        let (r, c) = (rows as isize, cols as isize);
        Layout {
            rows: (0..r).map(|i| skew as isize + i * rs).collect(),
            cs,
            len: skew + ((r - 1) * rs + (c - 1) * cs) as usize + size + 64,
        }
    }

    fn at(&self, r: usize, c: usize) -> usize {
        (self.rows[r] + c as isize * self.cs) as usize
    }

    fn table(&self, buf: &mut [u8]) -> Vec<*mut u8> {
        let base = buf.as_mut_ptr();
        self.rows.iter().map(|&o| base.wrapping_offset(o)).collect()
    }
}

fn random_bytes(rng: &mut Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.next() as u8).collect()
}

/// Values worth checking for each kind, encoded in `order`.
fn edge_elements(kind: ScalarKind, order: ByteOrder) -> Vec<Vec<u8>> {
    let numbers: &[f64] = &[
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        1.5,
        2.5,
        -0.5,
        254.5,
        255.5,
        255.0,
        256.0,
        3.7,
        -3.7,
        127.0,
        128.0,
        -129.0,
        32767.5,
        65535.0,
        65536.0,
        2147483647.0,
        2147483648.0,
        -2147483648.0,
        -2147483649.0,
        4294967295.0,
        4294967297.0,
        1e300,
        -1e300,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        9007199254740993.0,
        9.223372036854776e18,
        -9.223372036854776e18,
        1.8446744073709552e19,
        65504.0,
        65520.0,
        1e-7,
        5.960464477539063e-8,
        2.9802322387695312e-8,
        6.103515625e-5,
        f64::MIN_POSITIVE,
        5e-324,
    ];
    let bigints: &[u64] = &[
        0,
        1,
        u64::MAX,
        i64::MIN as u64,
        i64::MAX as u64,
        255,
        256,
        (1 << 53) + 1,
        (1 << 63) + (1 << 11) + 1,
        0x1_0000_0001,
        0xffff_ffff_8000_0000,
        0x8000_0000,
    ];
    let mut out: Vec<Vec<u8>> = Vec::new();
    match kind {
        I64 | U64 => {
            for &v in bigints {
                let b = encode(kind, order, Input::BigInt(v)).unwrap();
                out.push(b[..8].to_vec());
            }
        }
        Bool => out.extend([vec![0], vec![1], vec![2], vec![255]]),
        F16 => {
            for bits in [
                0x0001u16, 0x03ff, 0x0400, 0x7bff, 0x7c00, 0xfc00, 0x7e01, 0x8001, 0x3c00,
            ] {
                let b = match order {
                    ByteOrder::Little => bits.to_le_bytes(),
                    ByteOrder::Big => bits.to_be_bytes(),
                };
                out.push(b.to_vec());
            }
        }
        _ => {}
    }
    if !kind.is_bigint() && kind != Bool {
        for &x in numbers {
            let b = encode(kind, order, Input::Number(x)).unwrap();
            out.push(b[..kind.size()].to_vec());
        }
    }
    out
}

/// Fills a buffer with random bytes, then puts edge values at random element places of a layout.
fn source_bytes(
    rng: &mut Rng,
    layout: &Layout,
    rows: usize,
    cols: usize,
    op: ElementOp,
) -> Vec<u8> {
    let size = op.src_itemsize();
    let mut buf = random_bytes(rng, layout.len);
    if let ElementOp::Convert {
        from, from_order, ..
    } = op
    {
        let edges = edge_elements(from, from_order);
        for r in 0..rows {
            for c in 0..cols {
                if rng.chance(50) {
                    let e = &edges[rng.below(edges.len())];
                    let at = layout.at(r, c);
                    buf[at..at + size].copy_from_slice(e);
                }
            }
        }
    }
    buf
}

/// Whether `got` and `want` are the same element: the same bytes, or two NaNs of a float target.
fn same_element(op: ElementOp, got: &[u8], want: &[u8]) -> bool {
    if got == want {
        return true;
    }
    match op {
        ElementOp::Convert { to, to_order, .. } if to.is_float() => {
            let nan = |b: &[u8]| matches!(decode(to, to_order, b), Value::Number(x) if x.is_nan());
            nan(got) && nan(want)
        }
        _ => false,
    }
}

/// Copies with `copy_plane` between two separate buffers and checks every byte of the target.
fn check_copy(rng: &mut Rng, op: ElementOp, rows: usize, cols: usize, ss: Shape, ds: Shape) {
    let sl = Layout::new(rng, ss, rows, cols, op.src_itemsize());
    let dl = Layout::new(rng, ds, rows, cols, op.dst_itemsize());
    check_layouts(rng, op, rows, cols, &sl, &dl, &format!("{ss:?} -> {ds:?}"));
}

/// [`check_copy`] between two given layouts.
fn check_layouts(
    rng: &mut Rng,
    op: ElementOp,
    rows: usize,
    cols: usize,
    sl: &Layout,
    dl: &Layout,
    what: &str,
) {
    let (s, d) = (op.src_itemsize(), op.dst_itemsize());
    let mut src = source_bytes(rng, sl, rows, cols, op);
    let mut dst = random_bytes(rng, dl.len);
    let mut want = dst.clone();
    for r in 0..rows {
        for c in 0..cols {
            let at = dl.at(r, c);
            let from = sl.at(r, c);
            want[at..at + d].copy_from_slice(&convert_one(op, &src[from..from + s]));
        }
    }
    let before = src.clone();
    let (st, dt) = (sl.table(&mut src), dl.table(&mut dst));
    // SAFETY: every element address lies inside the buffers, which outlive the copy.
    unsafe {
        copy_plane(
            &Plane {
                rows: &dt,
                col_stride: dl.cs,
            },
            &Plane {
                rows: &st,
                col_stride: sl.cs,
            },
            rows,
            cols,
            op,
        )
    };
    assert_eq!(src, before, "the source changed");
    compare(
        op,
        &dst,
        &want,
        dl,
        rows,
        cols,
        &format!("{op:?} {rows}x{cols} {what}"),
    );
}

fn compare(
    op: ElementOp,
    got: &[u8],
    want: &[u8],
    dl: &Layout,
    rows: usize,
    cols: usize,
    what: &str,
) {
    let d = op.dst_itemsize();
    let mut inside = vec![false; got.len()];
    for r in 0..rows {
        for c in 0..cols {
            let at = dl.at(r, c);
            assert!(
                same_element(op, &got[at..at + d], &want[at..at + d]),
                "{what}: element ({r}, {c}): got {:?}, want {:?}",
                &got[at..at + d],
                &want[at..at + d]
            );
            inside[at..at + d].fill(true);
        }
    }
    for (i, flag) in inside.iter().enumerate() {
        assert!(
            *flag || got[i] == want[i],
            "{what}: byte {i} outside the elements changed"
        );
    }
}

fn random_dims(rng: &mut Rng) -> (usize, usize) {
    let dim = |rng: &mut Rng| match rng.below(10) {
        0 => 0,
        1 => 1,
        2..=6 => 1 + rng.below(12),
        _ => 1 + rng.below(80),
    };
    (dim(rng), dim(rng))
}

fn all_converts() -> Vec<ElementOp> {
    let mut ops = Vec::new();
    for from in ScalarKind::ALL {
        for to in ScalarKind::ALL {
            for from_order in ORDERS {
                for to_order in ORDERS {
                    ops.push(ElementOp::Convert {
                        from,
                        from_order,
                        to,
                        to_order,
                    });
                }
            }
        }
    }
    ops
}

#[test]
fn conversions_match_the_reference_on_every_layout() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    on_both_isas(|| {
        for op in all_converts() {
            for _ in 0..4 {
                let (rows, cols) = random_dims(&mut rng);
                let ss = SRC_SHAPES[rng.below(SRC_SHAPES.len())];
                let ds = DST_SHAPES[rng.below(DST_SHAPES.len())];
                check_copy(&mut rng, op, rows, cols, ss, ds);
            }
            // Long dense runs: several conversion chunks, and the exact fallback of the fast paths.
            check_copy(&mut rng, op, 3, 300, Shape::Dense, Shape::Dense);
        }
    });
}

#[test]
fn raw_and_swap_match_the_reference_on_every_layout() {
    let mut rng = Rng(12345);
    let mut ops: Vec<ElementOp> = [1, 2, 3, 4, 6, 8, 12, 16, 20, 600]
        .map(|itemsize| ElementOp::Raw { itemsize })
        .to_vec();
    ops.extend([2, 3, 4, 8].map(|itemsize| ElementOp::Swap { itemsize }));
    on_both_isas(|| {
        for &op in &ops {
            for ss in SRC_SHAPES {
                for ds in DST_SHAPES {
                    let (rows, cols) = if op.src_itemsize() > 100 {
                        (1 + rng.below(5), 1 + rng.below(5))
                    } else {
                        random_dims(&mut rng)
                    };
                    check_copy(&mut rng, op, rows, cols, ss, ds);
                }
            }
        }
    });
}

#[test]
fn tiles_edges_and_transposes() {
    let mut rng = Rng(777);
    // Shapes around the block and tile edges (blocks of 8 doubles / 16 floats, tiles of 64 / 128;
    // buffered tiles of 32 to 64), both directions, dense and indirect rows.
    let ops = [
        ElementOp::Raw { itemsize: 8 },
        ElementOp::Raw { itemsize: 4 },
        ElementOp::Raw { itemsize: 2 },
        ElementOp::Raw { itemsize: 1 },
        ElementOp::Raw { itemsize: 12 },
        ElementOp::Swap { itemsize: 4 },
        ElementOp::Convert {
            from: F64,
            from_order: ByteOrder::NATIVE,
            to: I32,
            to_order: ByteOrder::Big,
        },
    ];
    on_both_isas(|| {
        for op in ops {
            for (rows, cols) in [
                (7, 9),
                (8, 16),
                (31, 33),
                (32, 32),
                (64, 65),
                (90, 45),
                (1, 200),
                (200, 1),
                (129, 70),
                (17, 140),
            ] {
                let pairs = [
                    (Shape::ColMajor, Shape::Dense),
                    (Shape::Dense, Shape::ColMajor),
                    (Shape::ColMajor, Shape::Shuffled),
                    (Shape::Shuffled, Shape::ColMajor),
                    (Shape::ColMajorPadded, Shape::ColMajor),
                    (Shape::Shuffled, Shape::ColMajorPadded),
                    (Shape::ColMajorPadded, Shape::PaddedRows),
                ];
                for (ss, ds) in pairs {
                    check_copy(&mut rng, op, rows, cols, ss, ds);
                }
            }
        }
    });
}

#[test]
fn transposes_on_cache_line_grids() {
    // Lines a multiple of 64 bytes apart, so that the block grid shifts to the first cache-line
    // (or 16-byte) boundary: the part before it and after the last whole block are covered by
    // overlapping blocks. Skews that break the elements' alignment, and strides 8 bytes off, keep
    // the plain grid. Every item size, both directions, both ISAs.
    let mut rng = Rng(2024);
    on_both_isas(|| {
        for itemsize in [1, 2, 4, 8] {
            let op = ElementOp::Raw { itemsize };
            for (rows, cols) in [
                (16, 16),
                (17, 40),
                (24, 33),
                (71, 64),
                (100, 23),
                (130, 129),
            ] {
                for skew in [0, itemsize, 3 * itemsize, 7 * itemsize, 5, 9] {
                    for extra in [0, 8] {
                        for colm_src in [true, false] {
                            let s = itemsize;
                            let sl = Layout::padded(colm_src, rows, cols, s, extra, skew);
                            let dl = Layout::padded(!colm_src, rows, cols, s, 0, rng.below(64));
                            let what =
                                format!("grid, skew {skew}, extra {extra}, src colm {colm_src}");
                            check_layouts(&mut rng, op, rows, cols, &sl, &dl, &what);
                        }
                    }
                }
            }
        }
    });
}

#[test]
fn large_transposes_stream_whole_lines() {
    // Targets of 4 MiB and more of 8-byte elements whose lines fall on cache lines are written
    // with non-temporal stores, blocks off the grid (the first and last of each line) with plain
    // ones; a skew that misaligns the elements, or target rows out of order, keep plain stores.
    let mut rng = Rng(31337);
    let (rows, cols) = (723, 731);
    assert!(rows * cols * 8 >= transpose::STREAM_MIN_BYTES);
    on_both_isas(|| {
        for skew in [0, 24, 4] {
            for colm_src in [true, false] {
                let sl = Layout::padded(colm_src, rows, cols, 8, 0, 8);
                let mut dl = Layout::padded(!colm_src, rows, cols, 8, 0, skew);
                if skew == 24 && colm_src {
                    // Target rows in shuffled order: not evenly spaced, so not streamed.
                    dl.rows.swap(1, 500);
                }
                let what = format!("streamed, skew {skew}, src colm {colm_src}");
                check_layouts(
                    &mut rng,
                    ElementOp::Raw { itemsize: 8 },
                    rows,
                    cols,
                    &sl,
                    &dl,
                    &what,
                );
            }
        }
    });
}

#[test]
fn block_grids_cover_every_element_once_aligned() {
    for b in [8, 16] {
        for n in b..3 * b + 3 {
            for off in 0..b {
                let g = transpose::Grid::new(n, b, off);
                let mut seen = vec![false; n];
                for k in 0..g.len {
                    let s = g.start(k);
                    assert!(
                        s + b <= n,
                        "n {n} b {b} off {off}: block {k} at {s} overruns"
                    );
                    seen[s..s + b].iter_mut().for_each(|x| *x = true);
                    if k >= g.head && k < g.head + g.whole {
                        assert_eq!(
                            s % b,
                            g.off % b,
                            "n {n} b {b} off {off}: block {k} off the grid"
                        );
                    }
                }
                assert!(
                    seen.iter().all(|&x| x),
                    "n {n} b {b} off {off}: an element is missed"
                );
                // Whole blocks from `off` when one fits there.
                assert_eq!(g.off, if off + b <= n { off } else { 0 });
            }
        }
    }
}

#[test]
fn small_element_transposes_at_block_edges() {
    // 1- and 2-byte register transposes (16 × 16 / 8 × 8 blocks; with AVX2 32 × 16 / 16 × 8 ones,
    // and the baseline's on matrices narrower than 32 / 16 across; 64-element tiles) around every
    // edge, both directions, odd strides and indirect rows; layouts the kernel does not take
    // (reversed rows) go through the other paths and must agree too.
    let mut rng = Rng(4242);
    let dims = [0usize, 1, 15, 16, 17, 31, 32, 33, 48, 65];
    let pairs = [
        (Shape::ColMajor, Shape::Dense),
        (Shape::Dense, Shape::ColMajor),
        (Shape::ColMajorPadded, Shape::Shuffled),
        (Shape::Shuffled, Shape::ColMajorPadded),
        (Shape::ColMajor, Shape::ReversedRows),
        (Shape::ReversedRows, Shape::ColMajorPadded),
    ];
    on_both_isas(|| {
        for itemsize in [1, 2] {
            for rows in dims {
                for cols in dims {
                    for (ss, ds) in pairs {
                        check_copy(&mut rng, ElementOp::Raw { itemsize }, rows, cols, ss, ds);
                    }
                }
            }
        }
    });
}

/// Runs one block kernel of `LI` input lines of `LL` elements of `N` bytes against
/// [`transpose::block_scalar`], input lines `in_stride` bytes apart and output lines at shuffled
/// places of a row table (`out_gap` bytes between neighbours), then the other way round.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn check_block<const N: usize, const LI: usize, const LL: usize>(
    rng: &mut Rng,
    kernel: impl Fn(transpose::Strided, transpose::Table),
    kernel_rows: impl Fn(transpose::Table, transpose::Strided),
) {
    use transpose::{block_scalar, Strided, Table};
    for (in_stride, out_gap) in [
        (LL * N, 0),
        (LL * N + 1, 3),
        (LL * N + 17, 1),
        (LL * N * 5, 7),
    ] {
        let in_len = LI * in_stride + 8;
        let out_line = LI * N + out_gap;
        let out_len = LL * out_line + 8;
        let src = random_bytes(rng, in_len);
        let fresh = random_bytes(rng, out_len);
        let (mut got, mut want) = (fresh.clone(), fresh.clone());
        let mut order: Vec<usize> = (0..LL).collect();
        for i in (1..LL).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let skew = rng.below(8);
        let table = |buf: &mut [u8]| -> Vec<*mut u8> {
            let base = buf.as_mut_ptr();
            order
                .iter()
                .map(|&k| base.wrapping_add(skew + k * out_line))
                .collect()
        };
        let ins = Strided {
            base: src.as_ptr().wrapping_add(skew) as *mut u8,
            stride: in_stride as isize,
        };
        let (gt, wt) = (table(&mut got), table(&mut want));
        // SAFETY: LI input lines of LL elements lie in `src`, LL output lines of LI elements in
        // `got` / `want` (the buffers have room for the skew).
        unsafe {
            kernel(
                ins,
                Table {
                    rows: &gt,
                    offset: 0,
                },
            );
            block_scalar::<N, LI, LL>(
                ins,
                Table {
                    rows: &wt,
                    offset: 0,
                },
            );
        }
        assert_eq!(
            got, want,
            "N={N} {LI}x{LL}, stride {in_stride}, gap {out_gap}"
        );
        // Input lines from a table, output lines strided: the kernel's other caller.
        let in_table: Vec<*mut u8> = (0..LI)
            .rev()
            .map(|k| src.as_ptr().wrapping_add(skew + k * in_stride) as *mut u8)
            .collect();
        let (mut got, mut want) = (fresh.clone(), fresh);
        let outs = |buf: &mut [u8]| Strided {
            base: buf.as_mut_ptr().wrapping_add(skew),
            stride: out_line as isize,
        };
        let (go, wo) = (outs(&mut got), outs(&mut want));
        let ins = Table {
            rows: &in_table,
            offset: 0,
        };
        // SAFETY: as above, the lines swapped between the two kinds of line sets.
        unsafe {
            kernel_rows(ins, go);
            block_scalar::<N, LI, LL>(ins, wo);
        }
        assert_eq!(
            got, want,
            "N={N} {LI}x{LL} from a table, stride {in_stride}"
        );
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn register_transpose_kernels_match_the_scalar_block() {
    use transpose::x86;
    /// The kernel `$f` for both callers of `check_block`.
    macro_rules! check {
        ($rng:expr, $n:literal, $li:literal, $ll:literal, $f:path) => {
            check_block::<$n, $li, $ll>(
                $rng,
                |i, o| {
                    // SAFETY: `check_block` passes lines valid for the block's shape; the CPU has
                    // the kernel's features (SSE2 is baseline; AVX2 checked by the caller).
                    unsafe { $f(i, o) }
                },
                |i, o| {
                    // SAFETY: as above.
                    unsafe { $f(i, o) }
                },
            )
        };
    }
    let mut rng = Rng(99);
    check!(&mut rng, 1, 16, 16, x86::block1_sse2);
    check!(&mut rng, 2, 8, 8, x86::block2_sse2);
    check!(&mut rng, 4, 16, 16, x86::block4_sse);
    check!(&mut rng, 8, 8, 8, x86::block8_sse2::<false, _, _>);
    if std::arch::is_x86_feature_detected!("avx2") {
        check!(&mut rng, 1, 32, 16, x86::block1_avx2);
        check!(&mut rng, 2, 16, 8, x86::block2_avx2);
        check!(&mut rng, 8, 8, 8, x86::block8_avx::<false, _, _>);
        check_streaming_block(&mut rng, |i, o| {
            // SAFETY: lines of 8 elements, output lines 64-byte aligned; the CPU has AVX2.
            unsafe { x86::block8_avx::<true, _, _>(i, o) }
        });
    }
    check_streaming_block(&mut rng, |i, o| {
        // SAFETY: lines of 8 elements, output lines 64-byte aligned; SSE2 is baseline.
        unsafe { x86::block8_sse2::<true, _, _>(i, o) }
    });
}

/// An 8 × 8 block of 8-byte elements with non-temporal stores against
/// [`transpose::block_scalar`]: output lines on cache lines of a row table (64-byte aligned, in a
/// shuffled order), input lines at an odd stride.
#[cfg(target_arch = "x86_64")]
fn check_streaming_block(rng: &mut Rng, kernel: impl Fn(transpose::Strided, transpose::Table)) {
    use transpose::{block_scalar, Strided, Table};
    let src = random_bytes(rng, 8 * 72 + 64);
    let ins = Strided {
        base: src.as_ptr().wrapping_add(3) as *mut u8,
        stride: 72,
    };
    // 64-byte aligned lines with a gap between them, inside an over-allocated buffer.
    let (mut got, mut want) = (random_bytes(rng, 8 * 128 + 64), vec![0; 8 * 128 + 64]);
    let mut order: Vec<usize> = (0..8).collect();
    order.reverse();
    order.swap(2, 5);
    let table = |buf: &mut [u8]| -> Vec<*mut u8> {
        let base = buf.as_mut_ptr();
        let skew = base.align_offset(64);
        order
            .iter()
            .map(|&k| base.wrapping_add(skew + k * 128))
            .collect()
    };
    let (gt, wt) = (table(&mut got), table(&mut want));
    kernel(
        ins,
        Table {
            rows: &gt,
            offset: 0,
        },
    );
    // SAFETY: 8 input lines of 8 elements in `src`, 8 output lines of 8 in `want`.
    unsafe {
        block_scalar::<8, 8, 8>(
            ins,
            Table {
                rows: &wt,
                offset: 0,
            },
        )
    };
    // SAFETY: SSE is baseline on x86-64; orders the kernel's non-temporal stores before the reads.
    unsafe { std::arch::x86_64::_mm_sfence() };
    // The buffers' alignment differs: compare line by line.
    for (&g, &w) in gt.iter().zip(&wt) {
        // SAFETY: each line pointer is valid for 64 bytes of its buffer, no longer written.
        let (g, w) = unsafe {
            (
                std::slice::from_raw_parts(g, 64),
                std::slice::from_raw_parts(w, 64),
            )
        };
        assert_eq!(g, w, "streaming 8 x 8 block");
    }
}

#[test]
fn large_copies_stay_exact() {
    // Copies of several MB: dense, transposed, converted.
    let (rows, cols) = (1100, 1000);
    let src: Vec<f64> = (0..rows * cols).map(|i| i as f64 * 1.5 - 7e5).collect();
    let st = row_table(src.as_ptr() as *mut u8, rows, 8);
    let col_major = Plane {
        rows: &st,
        col_stride: (rows * 8) as isize,
    };
    let mut out = vec![0f64; rows * cols];
    let ot = row_table(out.as_mut_ptr() as *mut u8, rows, (cols * 8) as isize);
    let row_major = Plane {
        rows: &ot,
        col_stride: 8,
    };
    // SAFETY: both tables address `rows × cols` doubles inside `src` / `out`.
    unsafe {
        copy_plane(
            &row_major,
            &col_major,
            rows,
            cols,
            ElementOp::Raw { itemsize: 8 },
        )
    };
    for r in (0..rows).step_by(7) {
        for c in 0..cols {
            assert_eq!(out[r * cols + c], src[c * rows + r], "({r}, {c})");
        }
    }
    let mut ints = vec![0i32; rows * cols];
    let it = row_table(ints.as_mut_ptr() as *mut u8, rows, (cols * 4) as isize);
    let op = ElementOp::Convert {
        from: F64,
        from_order: ByteOrder::NATIVE,
        to: I32,
        to_order: ByteOrder::NATIVE,
    };
    // SAFETY: as above, 4-byte elements on the target.
    unsafe {
        copy_plane(
            &Plane {
                rows: &it,
                col_stride: 4,
            },
            &row_major,
            rows,
            cols,
            op,
        )
    };
    for (i, (&x, &n)) in out.iter().zip(&ints).enumerate() {
        assert_eq!(n, crate::element::to_uint32(x) as i32, "element {i}");
    }
    // A byte transpose past the sharing threshold of strided copies (360 KB).
    let n = 600;
    let bytes: Vec<u8> = (0..n * n).map(|i| (i * 7 % 251) as u8).collect();
    let mut t = vec![0u8; n * n];
    let (bt, tt) = (
        row_table(bytes.as_ptr() as *mut u8, n, 1),
        row_table(t.as_mut_ptr(), n, n as isize),
    );
    // SAFETY: both tables address `n × n` bytes inside `bytes` / `t`.
    unsafe {
        copy_plane(
            &Plane {
                rows: &tt,
                col_stride: 1,
            },
            &Plane {
                rows: &bt,
                col_stride: n as isize,
            },
            n,
            n,
            ElementOp::Raw { itemsize: 1 },
        )
    };
    for r in 0..n {
        for c in 0..n {
            assert_eq!(t[r * n + c], bytes[c * n + r], "byte ({r}, {c})");
        }
    }
}

/// Copies within one buffer and checks against copying from a snapshot.
fn check_overlapping(
    op: ElementOp,
    buf: &mut [u8],
    src: (&[isize], isize),
    dst: (&[isize], isize),
    rows: usize,
    cols: usize,
) {
    let (s, d) = (op.src_itemsize(), op.dst_itemsize());
    let snapshot = buf.to_vec();
    let mut want = buf.to_vec();
    for r in 0..rows {
        for c in 0..cols {
            let from = (src.0[r] + c as isize * src.1) as usize;
            let at = (dst.0[r] + c as isize * dst.1) as usize;
            want[at..at + d].copy_from_slice(&convert_one(op, &snapshot[from..from + s]));
        }
    }
    let base = buf.as_mut_ptr();
    let st: Vec<*mut u8> = src.0.iter().map(|&o| base.wrapping_offset(o)).collect();
    let dt: Vec<*mut u8> = dst.0.iter().map(|&o| base.wrapping_offset(o)).collect();
    // SAFETY: every element address lies inside `buf`.
    unsafe {
        copy_plane(
            &Plane {
                rows: &dt,
                col_stride: dst.1,
            },
            &Plane {
                rows: &st,
                col_stride: src.1,
            },
            rows,
            cols,
            op,
        )
    };
    let dl = Layout {
        rows: dst.0.to_vec(),
        cs: dst.1,
        len: buf.len(),
    };
    compare(
        op,
        buf,
        &want,
        &dl,
        rows,
        cols,
        &format!("overlapping {op:?}"),
    );
}

#[test]
fn overlapping_copies_see_a_snapshot() {
    let mut rng = Rng(4242);
    let n = 40usize;
    let to_i32 = ElementOp::Convert {
        from: F64,
        from_order: ByteOrder::NATIVE,
        to: I32,
        to_order: ByteOrder::NATIVE,
    };
    let to_f64 = ElementOp::Convert {
        from: I16,
        from_order: ByteOrder::Big,
        to: F64,
        to_order: ByteOrder::NATIVE,
    };
    for op in [
        ElementOp::Raw { itemsize: 8 },
        ElementOp::Swap { itemsize: 8 },
        to_i32,
        to_f64,
    ] {
        let (s, d) = (op.src_itemsize() as isize, op.dst_itemsize() as isize);
        let z = s.max(d);
        let mut buf = random_bytes(&mut rng, (n + 2) * n * z as usize);
        let rows_at = |step: isize, first: isize| {
            (0..n as isize)
                .map(|r| first + r * step)
                .collect::<Vec<_>>()
        };
        let row = n as isize * z;
        // Self-copy: identity for raw, element-wise op otherwise (when the sizes agree).
        if s == d {
            let same = rows_at(row, 0);
            check_overlapping(op, &mut buf, (&same, s), (&same, d), n, n);
        }
        // Rows shifted by one, up and down; columns shifted by one element.
        check_overlapping(
            op,
            &mut buf,
            (&rows_at(row, row), s),
            (&rows_at(row, 0), d),
            n,
            n,
        );
        check_overlapping(
            op,
            &mut buf,
            (&rows_at(row, 0), s),
            (&rows_at(row, row), d),
            n,
            n,
        );
        check_overlapping(
            op,
            &mut buf,
            (&rows_at(row, z), s),
            (&rows_at(row, 0), d),
            n,
            n - 1,
        );
        // In-place transpose of a square matrix: the source read column-major over the target.
        if s == d {
            check_overlapping(
                op,
                &mut buf,
                (&rows_at(s, 0), row),
                (&rows_at(row, 0), d),
                n,
                n,
            );
        }
        // Reversal onto itself.
        check_overlapping(
            op,
            &mut buf,
            (&rows_at(row, (n as isize - 1) * z), -z),
            (&rows_at(row, 0), z),
            n,
            n,
        );
    }
    // A self-copy of a layout whose elements overlap each other (column stride 1 for 4-byte items).
    let mut buf = random_bytes(&mut rng, 64);
    check_overlapping(
        ElementOp::Raw { itemsize: 4 },
        &mut buf,
        (&[0, 20], 1),
        (&[0, 20], 1),
        2,
        10,
    );
}

#[test]
fn random_overlaps_in_one_buffer_see_a_snapshot() {
    let mut rng = Rng(99);
    for _ in 0..400 {
        let op = match rng.below(3) {
            0 => ElementOp::Raw {
                itemsize: [1, 2, 4, 8, 12][rng.below(5)],
            },
            1 => ElementOp::Swap {
                itemsize: [2, 4, 8][rng.below(3)],
            },
            _ => {
                let ops = all_converts();
                ops[rng.below(ops.len())]
            }
        };
        let (rows, cols) = (1 + rng.below(20), 1 + rng.below(20));
        let (ss, ds) = (
            SRC_SHAPES[rng.below(SRC_SHAPES.len())],
            DST_SHAPES[rng.below(DST_SHAPES.len())],
        );
        let sl = Layout::new(&mut rng, ss, rows, cols, op.src_itemsize());
        let dl = Layout::new(&mut rng, ds, rows, cols, op.dst_itemsize());
        let len = sl.len.max(dl.len);
        let mut buf = random_bytes(&mut rng, len + 64);
        let (so, do_) = (rng.below(64) as isize, rng.below(64) as isize);
        let src_rows: Vec<isize> = sl.rows.iter().map(|&o| o + so).collect();
        let dst_rows: Vec<isize> = dl.rows.iter().map(|&o| o + do_).collect();
        check_overlapping(
            op,
            &mut buf,
            (&src_rows, sl.cs),
            (&dst_rows, dl.cs),
            rows,
            cols,
        );
    }
}

fn one(from: ScalarKind, to: ScalarKind, src: &[u8]) -> Vec<u8> {
    let op = ElementOp::Convert {
        from,
        from_order: ByteOrder::Little,
        to,
        to_order: ByteOrder::Little,
    };
    let want = convert_one(op, src);
    // And through the kernel, dense and strided.
    for shape in [Shape::Dense, Shape::ColMajor] {
        let mut rng = Rng(1);
        let dl = Layout::new(&mut rng, shape, 1, 3, to.size());
        let mut src3 = [src, src, src].concat();
        let st = [src3.as_mut_ptr()];
        let mut dst = vec![0u8; dl.len];
        let dt = dl.table(&mut dst);
        // SAFETY: 3 source elements of `from.size()` bytes and the target layout's buffer.
        unsafe {
            copy_plane(
                &Plane {
                    rows: &dt,
                    col_stride: dl.cs,
                },
                &Plane {
                    rows: &st,
                    col_stride: from.size() as isize,
                },
                1,
                3,
                op,
            )
        };
        for c in 0..3 {
            let at = dl.at(0, c);
            assert!(
                same_element(op, &dst[at..at + to.size()], &want),
                "{from:?} -> {to:?}"
            );
        }
    }
    want
}

fn num(kind: ScalarKind, x: f64) -> Vec<u8> {
    encode(kind, ByteOrder::Little, Input::Number(x)).unwrap()[..kind.size()].to_vec()
}

fn value(kind: ScalarKind, bytes: &[u8]) -> Value {
    decode(kind, ByteOrder::Little, bytes)
}

#[test]
fn edge_values_convert_as_in_javascript() {
    let n = |x: f64| Value::Number(x);
    let f64_to = |to, x| value(to, &one(F64, to, &num(F64, x)));
    assert_eq!(f64_to(I32, 3.7), n(3.0));
    assert_eq!(f64_to(I32, -3.7), n(-3.0));
    assert_eq!(f64_to(I32, 2f64.powi(32) + 1.0), n(1.0));
    assert_eq!(f64_to(I32, 2f64.powi(31)), n(-2147483648.0));
    assert_eq!(f64_to(I32, -(2f64.powi(31)) - 1.0), n(2147483647.0));
    assert_eq!(f64_to(U32, -1.0), n(4294967295.0));
    assert_eq!(f64_to(I16, 1e300), n(0.0));
    assert_eq!(f64_to(I8, f64::NAN), n(0.0));
    assert_eq!(f64_to(U16, f64::INFINITY), n(0.0));
    assert_eq!(f64_to(I8, 200.0), n(-56.0));
    for (x, want) in [
        (0.5, 0.0),
        (1.5, 2.0),
        (2.5, 2.0),
        (-0.0, 0.0),
        (f64::NAN, 0.0),
        (255.5, 255.0),
    ] {
        assert_eq!(f64_to(U8Clamped, x), n(want), "{x}");
    }
    assert_eq!(f64_to(Bool, f64::NAN), Value::Bool(false));
    assert_eq!(f64_to(Bool, -0.0), Value::Bool(false));
    assert_eq!(f64_to(Bool, 0.1), Value::Bool(true));
    assert_eq!(f64_to(I64, -1.5), Value::Int64(-1));
    assert_eq!(f64_to(U64, -1.0), Value::Uint64(u64::MAX));
    assert_eq!(f64_to(I64, f64::NEG_INFINITY), Value::Int64(0));
    assert_eq!(f64_to(I64, 2f64.powi(64) + 4096.0), Value::Int64(4096));
    match f64_to(F32, f64::NAN) {
        Value::Number(x) => assert!(x.is_nan()),
        v => panic!("{v:?}"),
    }
    // -0 survives float conversions; subnormal halves are exact.
    assert_eq!(one(F64, F32, &num(F64, -0.0)), (-0.0f32).to_le_bytes());
    assert_eq!(
        one(F64, F16, &num(F64, 5.960464477539063e-8)),
        1u16.to_le_bytes()
    );
    assert_eq!(
        one(F64, F16, &num(F64, 2.9802322387695312e-8)),
        0u16.to_le_bytes()
    );
    assert_eq!(
        one(F64, F16, &num(F64, 2f64.powi(-25) * 3.0)),
        2u16.to_le_bytes()
    );
    assert_eq!(
        value(F64, &one(F16, F64, &1u16.to_le_bytes())),
        n(5.960464477539063e-8)
    );
    // 64-bit sources.
    let max = u64::MAX.to_le_bytes();
    let min = (i64::MIN as u64).to_le_bytes();
    assert_eq!(value(I8, &one(U64, I8, &max)), n(-1.0));
    assert_eq!(value(U8, &one(U64, U8, &max)), n(255.0));
    assert_eq!(value(U8Clamped, &one(U64, U8Clamped, &max)), n(255.0));
    assert_eq!(value(U8Clamped, &one(I64, U8Clamped, &max)), n(0.0));
    assert_eq!(value(I32, &one(U64, I32, &max)), n(-1.0));
    assert_eq!(value(U32, &one(I64, U32, &max)), n(4294967295.0));
    assert_eq!(value(F64, &one(U64, F64, &max)), n(18446744073709551615.0));
    assert_eq!(value(F64, &one(I64, F64, &max)), n(-1.0));
    assert_eq!(
        value(F32, &one(U64, F32, &max)),
        n(f64::from(1.8446744e19f32))
    );
    assert_eq!(value(F16, &one(U64, F16, &max)), n(f64::INFINITY));
    assert_eq!(value(Bool, &one(U64, Bool, &max)), Value::Bool(true));
    assert_eq!(value(I64, &one(U64, I64, &max)), Value::Int64(-1));
    assert_eq!(value(I32, &one(I64, I32, &min)), n(0.0));
    assert_eq!(value(I16, &one(I64, I16, &min)), n(0.0));
    assert_eq!(value(U8Clamped, &one(I64, U8Clamped, &min)), n(0.0));
    assert_eq!(value(F64, &one(I64, F64, &min)), n(-9.223372036854776e18));
    assert_eq!(value(F16, &one(I64, F16, &min)), n(f64::NEG_INFINITY));
    assert_eq!(value(U64, &one(I64, U64, &min)), Value::Uint64(1 << 63));
    assert_eq!(
        value(Bool, &one(I64, Bool, &0u64.to_le_bytes())),
        Value::Bool(false)
    );
    // Bool sources are 0 or 1, whatever the byte.
    assert_eq!(value(I32, &one(Bool, I32, &[7])), n(1.0));
    assert_eq!(value(F64, &one(Bool, F64, &[255])), n(1.0));
    assert_eq!(one(Bool, Bool, &[7]), [1]);
    assert_eq!(value(I64, &one(Bool, I64, &[2])), Value::Int64(1));
    // Int sources into narrower and 64-bit targets wrap / extend.
    assert_eq!(value(I8, &one(I32, I8, &num(I32, 300.0))), n(44.0));
    assert_eq!(
        value(U64, &one(I16, U64, &num(I16, -2.0))),
        Value::Uint64(u64::MAX - 1)
    );
    assert_eq!(
        value(U8Clamped, &one(I16, U8Clamped, &num(I16, -2.0))),
        n(0.0)
    );
    assert_eq!(
        value(U8Clamped, &one(I8, U8Clamped, &num(I8, -1.0))),
        n(0.0)
    );
    assert_eq!(
        value(U8Clamped, &one(U16, U8Clamped, &num(U16, 256.0))),
        n(255.0)
    );
}

#[test]
fn clamping_rounds_half_to_even_like_the_reference() {
    let mut rng = Rng(5);
    let mut xs: Vec<f64> = (-20..=1100).map(|k| f64::from(k) / 4.0).collect();
    xs.extend((0..10_000).map(|_| f64::from_bits(rng.next())));
    xs.extend((0..10_000).map(|_| (rng.next() % 600_000) as f64 / 1000.0 - 100.0));
    for x in xs {
        assert_eq!(convert::clamp_u8_for_tests(x), to_uint8_clamp(x), "{x}");
    }
}

#[test]
fn exact_to_uint32_matches_the_reference() {
    let mut rng = Rng(6);
    let mut xs: Vec<f64> = vec![
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.0,
        -1.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for e in 0..1100 {
        let p = 2f64.powi(e - 20);
        xs.extend([
            p,
            -p,
            p + 1.0,
            p - 1.0,
            -p + 0.5,
            p * 1.5,
            p * 0.999_999,
            f64::from_bits(p.to_bits() - 1),
        ]);
    }
    xs.extend((0..100_000).map(|_| f64::from_bits(rng.next())));
    xs.extend((0..100_000).map(|_| (rng.next() as i64 as f64) / 2f64.powi(rng.below(80) as i32)));
    for x in xs {
        assert_eq!(
            convert::to_uint32_for_tests(x),
            crate::element::to_uint32(x),
            "{x:e}"
        );
    }
}

#[test]
fn plan_checks_formats_with_the_contract_codes() {
    let f = |s: &str| Format::parse(s).unwrap();
    let err =
        |a: &str, b: &str, cast, convert| ElementOp::plan(&f(a), &f(b), cast, convert).unwrap_err();
    let e = err("d", "i", false, false);
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::FormatMismatch, "different formats")
    );
    let e = err("d", "i", true, false);
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::ItemsizeMismatch, "different itemsizes")
    );
    let e = err("d", "i", true, true);
    assert_eq!(e.code, ErrorCode::ItemsizeMismatch);
    assert_eq!(
        err("id", "d", false, true).code,
        ErrorCode::FormatUnsupported
    );
    assert_eq!(
        err("d", "4s", false, true).code,
        ErrorCode::FormatUnsupported
    );
    assert_eq!(
        err("id", "di", false, false).code,
        ErrorCode::FormatMismatch
    );
    let ok =
        |a: &str, b: &str, cast, convert| ElementOp::plan(&f(a), &f(b), cast, convert).unwrap();
    assert_eq!(
        ok("i", "int32", false, false),
        ElementOp::Raw { itemsize: 4 }
    );
    assert_eq!(
        ok("<hh4x", "<hh4x", false, true),
        ElementOp::Raw { itemsize: 8 }
    );
    assert_eq!(ok("id", "qd", true, false), ElementOp::Raw { itemsize: 16 });
    assert_eq!(ok("b", "B", true, false), ElementOp::Raw { itemsize: 1 });
    assert_eq!(
        ok("B", "uint8c", false, false),
        ElementOp::Raw { itemsize: 1 }
    );
    assert_eq!(ok(">d", "<d", false, true), ElementOp::Swap { itemsize: 8 });
    assert_eq!(ok(">d", "<q", true, true), ElementOp::Raw { itemsize: 8 });
    assert_eq!(
        ok(">d", "<i", false, true),
        ElementOp::Convert {
            from: F64,
            from_order: ByteOrder::Big,
            to: I32,
            to_order: ByteOrder::Little
        }
    );
    assert_eq!(ok("b", "B", false, true).src_itemsize(), 1);
    let op = ok("h", "d", false, true);
    assert_eq!((op.src_itemsize(), op.dst_itemsize()), (2, 8));
}

#[test]
fn copy_matrix_checks_in_contract_order() {
    let f = |s: &str| Format::parse(s).unwrap();
    let src = IndirectMatrix::new(2, 3, f("d")).unwrap();
    let mut ro = IndirectMatrix::new(3, 3, f("i")).unwrap();
    ro.make_read_only();
    let e = copy_matrix(&mut ro, &src, false, false).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::Readonly, "copying to readonly buffer")
    );
    let mut other = IndirectMatrix::new(3, 2, f("i")).unwrap();
    let e = copy_matrix(&mut other, &src, false, false).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::ShapeMismatch, "different shapes")
    );
    let mut dst = IndirectMatrix::new(2, 3, f("i")).unwrap();
    assert_eq!(
        copy_matrix(&mut dst, &src, false, false).unwrap_err().code,
        ErrorCode::FormatMismatch
    );
    assert_eq!(
        copy_matrix(&mut dst, &src, true, false).unwrap_err().code,
        ErrorCode::ItemsizeMismatch
    );
    let mut rec = IndirectMatrix::new(2, 3, f("ii")).unwrap();
    assert_eq!(
        copy_matrix(&mut rec, &src, false, true).unwrap_err().code,
        ErrorCode::FormatUnsupported
    );
    // Cast: the same bits.
    let mut q = IndirectMatrix::new(2, 3, f("q")).unwrap();
    let mut s2 = IndirectMatrix::new(2, 3, f("d")).unwrap();
    s2.set(1, 2, Input::Number(-2.0)).unwrap();
    copy_matrix(&mut q, &s2, true, false).unwrap();
    assert_eq!(
        q.get(1, 2).unwrap(),
        Value::Int64((-2.0f64).to_bits() as i64)
    );
    // Empty shapes copy nothing and succeed.
    let mut e1 = IndirectMatrix::new(0, 3, f("i")).unwrap();
    copy_matrix(
        &mut e1,
        &IndirectMatrix::new(0, 3, f("d")).unwrap(),
        false,
        true,
    )
    .unwrap();
}

#[test]
fn copy_matrix_rejects_null_rows_before_writing() {
    let f = |s: &str| Format::parse(s).unwrap();
    let mut a = [1i32, 2];
    let mut table = [a.as_mut_ptr() as *mut u8, std::ptr::null_mut()];
    // SAFETY: `table` and `a` outlive the matrix; the null row is never dereferenced.
    let src = unsafe { IndirectMatrix::from_table(table.as_mut_ptr(), 2, 2, f("i")) }.unwrap();
    let mut dst = IndirectMatrix::new(2, 2, f("i")).unwrap();
    assert_eq!(
        copy_matrix(&mut dst, &src, false, false).unwrap_err().code,
        ErrorCode::NullPointer
    );
    assert_eq!(dst.get(0, 0).unwrap(), Value::Number(0.0));
}

#[test]
fn copy_matrix_between_matrices_sharing_memory() {
    let f = |s: &str| Format::parse(s).unwrap();
    let mut data = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
    let p = data.as_mut_ptr() as *mut u8;
    // Rows 0..2 and 1..3 of one 3×2 block.
    // SAFETY: `data` outlives both matrices.
    let (mut dst, src) = unsafe {
        (
            IndirectMatrix::from_row_pointers(row_table(p, 2, 16), 2, f("d"), None).unwrap(),
            IndirectMatrix::from_row_pointers(row_table(p.add(16), 2, 16), 2, f("d"), None)
                .unwrap(),
        )
    };
    copy_matrix(&mut dst, &src, false, false).unwrap();
    drop((dst, src));
    assert_eq!(data, [3.0, 4.0, 5.0, 6.0, 5.0, 6.0]);
}

#[test]
fn lowering_keeps_the_meaning() {
    for op in all_converts() {
        let lowered = op.lower();
        if lowered == op {
            continue;
        }
        for src in edge_elements(op.src_kind(), op.src_order()) {
            let got = convert_one(lowered, &src);
            let want = convert_one(op, &src);
            assert!(
                same_element(op, &got, &want),
                "{op:?} -> {lowered:?} on {src:?}"
            );
        }
    }
}

impl ElementOp {
    fn src_kind(&self) -> ScalarKind {
        match *self {
            ElementOp::Convert { from, .. } => from,
            _ => unreachable!(),
        }
    }
    fn src_order(&self) -> ByteOrder {
        match *self {
            ElementOp::Convert { from_order, .. } => from_order,
            _ => unreachable!(),
        }
    }
}

#[test]
fn streamed_runs_match_plain_runs_at_every_alignment() {
    // The streamed kernel (through the L1 stage, or for swaps into aligned elements straight from
    // registers; non-temporal stores past an unaligned head) gives the bytes of the plain one, for
    // raw copies, swaps and conversions over several stages, element-aligned targets or not.
    let mut rng = Rng(4242);
    let ops = [
        ElementOp::Raw { itemsize: 8 },
        ElementOp::Swap { itemsize: 2 },
        ElementOp::Swap { itemsize: 4 },
        ElementOp::Swap { itemsize: 8 },
        ElementOp::Convert {
            from: I32,
            from_order: ByteOrder::NATIVE,
            to: F64,
            to_order: ByteOrder::NATIVE,
        },
        ElementOp::Convert {
            from: F32,
            from_order: ByteOrder::NATIVE,
            to: F64,
            to_order: ByteOrder::NATIVE,
        },
        ElementOp::Convert {
            from: F64,
            from_order: ByteOrder::NATIVE,
            to: I32,
            to_order: ByteOrder::NATIVE,
        },
    ];
    for op in ops {
        let (s, d) = (op.src_itemsize(), op.dst_itemsize());
        for n in [0, 1, 3, 2048 + 37, 16384 / d * 2 + 5] {
            let src = random_bytes(&mut rng, n * s);
            for skew in [0, 1, 4, 8, 15] {
                let mut want = vec![0u8; n * d + skew];
                let mut got = random_bytes(&mut rng, n * d + skew + 16);
                let tail = got[n * d + skew..].to_vec();
                // SAFETY: each target holds `skew + n * d` bytes, the source `n * s`.
                unsafe {
                    op_run(want.as_mut_ptr().add(skew), src.as_ptr(), n, op);
                    stream::op_run_streamed(got.as_mut_ptr().add(skew), src.as_ptr(), n, op);
                }
                stream::fence();
                assert_eq!(
                    &got[skew..n * d + skew],
                    &want[skew..],
                    "{op:?} n {n} skew {skew}"
                );
                assert_eq!(
                    &got[n * d + skew..],
                    &tail[..],
                    "{op:?}: bytes past the end changed"
                );
            }
        }
    }
}

#[test]
fn streamed_conversion_of_a_large_target_stays_exact() {
    // 32 MiB of doubles: past the streaming threshold, shared with the copy helper.
    let (rows, cols) = (2048, 2048);
    assert!(rows * cols * 8 >= stream::STREAM_MIN_BYTES);
    let src: Vec<i32> = (0..rows * cols)
        .map(|i| (i as i32).wrapping_mul(-7919))
        .collect();
    let mut out = vec![0f64; rows * cols + 1];
    let st = row_table(src.as_ptr() as *mut u8, rows, (cols * 4) as isize);
    // One element in: the target's rows are 8-byte but not 16-byte aligned.
    let ot = row_table(out[1..].as_mut_ptr() as *mut u8, rows, (cols * 8) as isize);
    let op = ElementOp::Convert {
        from: I32,
        from_order: ByteOrder::NATIVE,
        to: F64,
        to_order: ByteOrder::NATIVE,
    };
    // SAFETY: both tables address `rows × cols` elements inside `src` / `out[1..]`.
    unsafe {
        copy_plane(
            &Plane {
                rows: &ot,
                col_stride: 8,
            },
            &Plane {
                rows: &st,
                col_stride: 4,
            },
            rows,
            cols,
            op,
        )
    };
    assert_eq!(out[0], 0.0, "the byte before the target changed");
    for (i, (&x, &n)) in out[1..].iter().zip(&src).enumerate() {
        assert_eq!(x, f64::from(n), "element {i}");
    }
}

#[test]
fn only_targets_whose_elements_are_apart_are_shared() {
    let buf = [0u8; 64];
    let p = buf.as_ptr() as *mut u8;
    let side = |rs: isize, cs: isize, rows: usize| {
        let table = row_table(p, rows, rs);
        let s = Side::new(&table, cs, 4, 2);
        (s.rs, elements_disjoint(&s, 4))
    };
    assert!(side(8, 2, 3).1, "dense rows");
    assert!(side(-8, 2, 3).1, "reversed rows");
    assert!(side(2, 6, 3).1, "column-major");
    assert!(!side(6, 2, 3).1, "rows overlapping the next one");
    assert!(!side(0, 2, 3).1, "every row the same");
    assert!(!side(8, 1, 3).1, "elements overlapping within a row");
    // A table that is not evenly spaced is never shared.
    let table = [p, p.wrapping_add(16), p.wrapping_add(8)];
    assert!(!elements_disjoint(&Side::new(&table, 2, 4, 2), 4));
}

#[test]
fn a_side_bounds_every_row_and_its_slices_match_a_rescan() {
    let buf = [0u8; 4096];
    let p = buf.as_ptr() as *mut u8;
    let at = |offsets: &[usize]| -> Vec<*mut u8> {
        offsets.iter().map(|&o| p.wrapping_add(o)).collect()
    };
    let even = |first: usize, rs: isize, n: usize| -> Vec<*mut u8> {
        (0..n)
            .map(|k| p.wrapping_add(first).wrapping_offset(k as isize * rs))
            .collect()
    };
    let tables = [
        even(100, 40, 9),
        even(1000, -48, 12),
        even(2000, 0, 5),
        at(&[500]),
        at(&[300, 900, 100, 700]),
        at(&[100, 200, 300, 250]),
    ];
    for table in &tables {
        for (cs, cols, size) in [(4isize, 8usize, 4usize), (-8, 5, 8), (2, 1, 2), (96, 3, 1)] {
            let side = Side::new(table, cs, cols, size);
            // Every row's extent, the long way.
            let (lo, hi) = table.iter().fold((usize::MAX, 0), |(lo, hi), &row| {
                let (a, b) = extent(row, cs, cols, size);
                (lo.min(a), hi.max(b))
            });
            assert_eq!((side.lo, side.hi), (lo, hi), "{table:?} cs {cs}");
            let spaced = table.len() > 1
                && table.windows(2).all(|w| {
                    w[1] as isize - w[0] as isize == table[1] as isize - table[0] as isize
                });
            assert_eq!(side.rs.is_some(), spaced, "{table:?}");
            for a in 0..table.len() {
                for b in a + 1..=table.len() {
                    let (s, fresh) = (
                        side.slice(a..b, cols),
                        Side::new(&table[a..b], cs, cols, size),
                    );
                    assert_eq!(
                        (s.lo, s.hi, s.rs),
                        (fresh.lo, fresh.hi, fresh.rs),
                        "{table:?} rows {a}..{b}"
                    );
                }
            }
        }
    }
}
