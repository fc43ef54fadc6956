//! One helper thread that shares large copies with the calling thread.
//!
//! A single core cannot keep enough cache misses in flight to use the memory bandwidth of the machine;
//! two can. The copy is cut into chunks of rows; the caller and the helper take chunks from a shared
//! counter until none is left, so a helper that wakes late (or not at all, on a busy machine) costs
//! nothing but the chunks it did not take. The helper is started by the first large copy and then
//! sleeps on a condition variable: no thread is started per copy, nothing runs between copies, and
//! nothing keeps a process alive. A copy that finds the helper busy (another thread's copy) runs
//! alone. Measured in one process after the benchmark's warm-up (2 cores), against one-thread
//! memcpy: 1000 × 1000 'd' copy 0.88 → 1.6–1.7×, 4000 × 4000 0.99 → 1.4×, int32 → float64
//! 4000 × 4000 0.70 → 1.5×, the 1-byte transpose 0.15–0.20 → 0.31×. An earlier try that spawned a
//! thread per copy and split it in two halves lost to one thread whenever the other core was busy:
//! the caller then waited for the late half. Here it takes the late chunks itself.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

/// The smallest copy, in target bytes, shared with the helper: below it the wake-up (a few
/// microseconds) is a large part of the copy.
pub(super) const SHARE_MIN_BYTES: usize = 1 << 20;

/// One copy cut into `chunks` pieces, `task(k)` doing piece `k`.
struct Job {
    next: AtomicUsize,
    chunks: usize,
    /// `&dyn Fn(usize) + Sync` with its lifetime erased: the caller keeps the job (and the closure)
    /// alive until the helper has let go of it (see [`for_each_chunk`]).
    task: *const (dyn Fn(usize) + Sync + 'static),
    helper_panicked: AtomicBool,
}

impl Job {
    /// Takes pieces until none is left.
    fn work(&self) {
        loop {
            let k = self.next.fetch_add(1, Ordering::Relaxed);
            if k >= self.chunks {
                return;
            }
            // SAFETY: the closure outlives every use of the job (see `task`).
            unsafe { (*self.task)(k) };
        }
    }
}

/// The address of a posted job, handed to the helper under the lock.
struct Posted(*const Job);

// SAFETY: the job is only read through shared references (atomics and a `Sync` closure), and the
// caller keeps it alive while the helper may hold this pointer.
unsafe impl Send for Posted {}

struct Slots {
    /// A job waiting for the helper.
    posted: Option<Posted>,
    /// The address of the job the helper is working on.
    running: Option<usize>,
}

static SLOTS: Mutex<Slots> = Mutex::new(Slots {
    posted: None,
    running: None,
});
static WORK: Condvar = Condvar::new();
static DONE: Condvar = Condvar::new();
static HELPER: OnceLock<bool> = OnceLock::new();

fn slots() -> MutexGuard<'static, Slots> {
    // The data under the lock is two plain fields, consistent at every unlock: poisoning is harmless.
    SLOTS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether the helper runs (started on the first call; false if the system refused a thread).
fn helper_running() -> bool {
    *HELPER.get_or_init(|| {
        std::thread::Builder::new()
            .name("indirect-buffer-copy".into())
            .spawn(helper)
            .is_ok()
    })
}

fn helper() {
    loop {
        let job = {
            let mut s = slots();
            loop {
                if let Some(p) = s.posted.take() {
                    s.running = Some(p.0 as usize);
                    break p.0;
                }
                s = WORK.wait(s).unwrap_or_else(PoisonError::into_inner);
            }
        };
        // SAFETY: the poster waits for `running` to change before the job goes away.
        let job = unsafe { &*job };
        if catch_unwind(AssertUnwindSafe(|| job.work())).is_err() {
            job.helper_panicked.store(true, Ordering::Relaxed);
        }
        slots().running = None;
        DONE.notify_all();
    }
}

/// Runs `task(0) … task(chunks - 1)`, each exactly once, on this thread and the helper; returns when
/// all have run. Without a helper (or with it busy) all run here, in order.
///
/// # Panics
/// If a task panicked (on either thread).
pub(super) fn for_each_chunk(chunks: usize, task: &(dyn Fn(usize) + Sync)) {
    if chunks < 2 || !helper_running() {
        return (0..chunks).for_each(task);
    }
    // SAFETY: only the lifetime is erased; this function does not return while the helper may
    // still call the closure (it waits below until the helper has let go of the job).
    let task: *const (dyn Fn(usize) + Sync + 'static) = unsafe { std::mem::transmute(task) };
    let job = Job {
        next: AtomicUsize::new(0),
        chunks,
        task,
        helper_panicked: AtomicBool::new(false),
    };
    let id = &job as *const Job;
    {
        let mut s = slots();
        if s.posted.is_some() || s.running.is_some() {
            drop(s);
            return job.work();
        }
        s.posted = Some(Posted(id));
    }
    WORK.notify_one();
    // A panic here must not leave the frame while the helper may still hold the job.
    let here = catch_unwind(AssertUnwindSafe(|| job.work()));
    let mut s = slots();
    if s.posted.as_ref().is_some_and(|p| p.0 == id) {
        // The helper never picked it up; every piece ran here.
        s.posted = None;
    }
    while s.running == Some(id as usize) {
        s = DONE.wait(s).unwrap_or_else(PoisonError::into_inner);
    }
    drop(s);
    if let Err(panic) = here {
        std::panic::resume_unwind(panic);
    }
    assert!(
        !job.helper_panicked.load(Ordering::Relaxed),
        "a copy kernel panicked on the helper thread"
    );
}

#[cfg(test)]
mod tests {
    use super::for_each_chunk;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn runs_each_once(chunks: usize) {
        let counts: Vec<AtomicUsize> = (0..chunks).map(|_| AtomicUsize::new(0)).collect();
        for_each_chunk(chunks, &|k| {
            counts[k].fetch_add(1, Ordering::Relaxed);
        });
        for (k, n) in counts.iter().enumerate() {
            assert_eq!(n.load(Ordering::Relaxed), 1, "chunk {k} of {chunks}");
        }
    }

    #[test]
    fn every_chunk_runs_exactly_once() {
        for chunks in 0..40 {
            runs_each_once(chunks);
        }
    }

    #[test]
    fn copies_from_several_threads_at_once_each_complete() {
        // Whoever finds the helper busy runs alone; every call still runs all of its chunks.
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| (0..300).for_each(|i| runs_each_once(2 + i % 9)));
            }
        });
    }

    #[test]
    fn a_panicking_chunk_panics_the_call_after_the_helper_let_go() {
        for _ in 0..20 {
            let ran = AtomicUsize::new(0);
            let result = std::panic::catch_unwind(|| {
                for_each_chunk(8, &|k| {
                    ran.fetch_add(1, Ordering::Relaxed);
                    assert!(k != 3, "chunk 3 fails");
                })
            });
            assert!(result.is_err());
            // The helper is free again: the next call completes normally.
            runs_each_once(8);
        }
    }
}
