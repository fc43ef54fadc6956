//! The copy helper thread stays awake only briefly after a copy, then sleeps: a process that
//! stopped copying spends no CPU on it. Its own test binary (its own process), so that no other
//! test's copies keep the helper busy while its CPU time is read.

#![cfg(target_os = "linux")]

use std::time::Duration;

use indirect_buffer::copy::{copy_plane, row_table, ElementOp, Plane};

/// The helper thread's CPU time (user + system, in clock ticks), from `/proc`.
fn helper_ticks() -> Option<u64> {
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        let comm = std::fs::read_to_string(dir.join("comm")).ok()?;
        // The thread is "indirect-buffer-copy"; the kernel keeps the first 15 bytes of a name.
        if comm.trim_end() != "indirect-buffer" {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        // Fields after the parenthesised name: state is the 3rd field, utime and stime the 14th and 15th.
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split(' ').collect();
        return Some(fields[11].parse::<u64>().ok()? + fields[12].parse::<u64>().ok()?);
    }
    None
}

#[test]
fn the_helper_sleeps_soon_after_the_last_copy() {
    // 1000 × 1000 bytes transposed: large enough to be shared with the helper.
    let n = 1000;
    let mut src = vec![1u8; n * n];
    let mut dst = vec![0u8; n * n];
    let sp = row_table(src.as_mut_ptr(), n, 1);
    let dp = row_table(dst.as_mut_ptr(), n, n as isize);
    let (src_plane, dst_plane) = (
        Plane {
            rows: &sp,
            col_stride: n as isize,
        },
        Plane {
            rows: &dp,
            col_stride: 1,
        },
    );
    for _ in 0..200 {
        // SAFETY: both tables address n × n elements inside their buffers, which do not overlap.
        unsafe { copy_plane(&dst_plane, &src_plane, n, n, ElementOp::Raw { itemsize: 1 }) };
    }
    assert!(dst.iter().all(|&b| b == 1));
    let before = helper_ticks().expect("the helper thread runs after large copies");
    std::thread::sleep(Duration::from_millis(500));
    let after = helper_ticks().expect("the helper thread is still there");
    // A helper that kept spinning would use the whole half second: 50 ticks at 100 Hz.
    assert!(
        after - before <= 3,
        "the helper used {} ticks of CPU in 500 ms without copies",
        after - before
    );
}
