//! One helper thread that shares large copies with the calling thread.
//!
//! A single core cannot keep enough cache misses in flight to use the memory bandwidth of the machine;
//! two can. The copy is cut into chunks of rows; the caller and the helper take chunks from a shared
//! counter until none is left, so a helper that wakes late (or not at all, on a busy machine) costs
//! nothing but the chunks it did not take. The helper is started by the first large copy; after
//! each copy it stays awake for [`LINGER`], then sleeps on a condition variable: no thread is
//! started per copy, nothing runs between copies further apart than that, and nothing keeps a
//! process alive. A copy that finds the helper busy (another thread's copy) runs alone. A caller
//! that has run out of chunks waits for the helper's last one awake, for up to [`SPIN`], before it
//! sleeps: in a VM a sleeping thread takes tens of µs to wake, and a 1000 × 1000 'B' transpose
//! (65 µs alone) took 92 µs shared when the caller slept, 48–54 µs awake (AMD Zen 4, 2 vCPUs).
//! Measured in one process after the benchmark's warm-up (2 cores), against one-thread
//! memcpy: 1000 × 1000 'd' copy 0.88 → 1.6–1.7×, 4000 × 4000 0.99 → 1.4×, int32 → float64
//! 4000 × 4000 0.70 → 1.5×, the 1-byte transpose 0.15–0.20 → 0.31×. An earlier try that spawned a
//! thread per copy and split it in two halves lost to one thread whenever the other core was busy:
//! the caller then waited for the late half. Here it takes the late chunks itself.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// The smallest copy, in target bytes, shared with the helper: below it the wake-up (a few
/// microseconds) is a large part of the copy.
pub(super) const SHARE_MIN_BYTES: usize = 1 << 20;

/// How long a caller that has run out of chunks waits awake for the helper to finish its last
/// one, before it sleeps.
const SPIN: Duration = Duration::from_micros(200);

/// How long the helper watches for the next copy, awake, after finishing one. In a VM a sleeping
/// thread took tens of µs to wake, most of a 1 MB copy, so in a loop of copies the helper took a
/// third of the chunks; awake it takes half. 1000 × 1000 'B' transpose (kernel, 40 interleaved
/// rounds, AMD Zen 4 2 vCPUs): 0.35 → 0.55× one-thread memcpy; 30, 50, 100 and 200 µs measured
/// alike. At most this much of one core is spent after a copy that took tens of µs itself.
const LINGER: Duration = Duration::from_micros(50);

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

/// A job waiting for the helper.
static POSTED: Mutex<Option<Posted>> = Mutex::new(None);
/// The address of the job the helper is working on (0: none). Set under the lock when the helper
/// takes a job; cleared without it the moment the helper lets go, so that a caller can wait for
/// that awake.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
/// Whether `POSTED` holds a job (written under its lock): what a lingering helper watches.
static PENDING: AtomicBool = AtomicBool::new(false);
static WORK: Condvar = Condvar::new();
static DONE: Condvar = Condvar::new();
static HELPER: OnceLock<bool> = OnceLock::new();

fn posted() -> MutexGuard<'static, Option<Posted>> {
    // The data under the lock is one plain field, consistent at every unlock: poisoning is harmless.
    POSTED.lock().unwrap_or_else(PoisonError::into_inner)
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
        let linger_until = Instant::now() + LINGER;
        while !PENDING.load(Ordering::Relaxed) && Instant::now() < linger_until {
            spin();
        }
        let job = {
            let mut posted = posted();
            loop {
                if let Some(p) = posted.take() {
                    PENDING.store(false, Ordering::Relaxed);
                    RUNNING.store(p.0 as usize, Ordering::Relaxed);
                    break p.0;
                }
                posted = WORK.wait(posted).unwrap_or_else(PoisonError::into_inner);
            }
        };
        // SAFETY: the poster waits for `RUNNING` to be cleared before the job goes away.
        let job = unsafe { &*job };
        if catch_unwind(AssertUnwindSafe(|| job.work())).is_err() {
            job.helper_panicked.store(true, Ordering::Relaxed);
        }
        // The last use of the job: from here on its caller may return (Release: after the writes
        // of the helper's chunks).
        RUNNING.store(0, Ordering::Release);
        // Taking the lock orders this after a sleeping caller's check of `RUNNING`.
        drop(posted());
        DONE.notify_all();
    }
}

/// A short busy wait (64 `pause`s), which leaves the core to a sibling hardware thread.
#[inline]
fn spin() {
    for _ in 0..64 {
        std::hint::spin_loop();
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
        let mut posted = posted();
        if posted.is_some() || RUNNING.load(Ordering::Relaxed) != 0 {
            drop(posted);
            return job.work();
        }
        *posted = Some(Posted(id));
        PENDING.store(true, Ordering::Relaxed);
    }
    WORK.notify_one();
    // A panic here must not leave the frame while the helper may still hold the job.
    let here = catch_unwind(AssertUnwindSafe(|| job.work()));
    {
        let mut posted = posted();
        if posted.as_ref().is_some_and(|p| p.0 == id) {
            // The helper never picked it up; every piece ran here.
            *posted = None;
            PENDING.store(false, Ordering::Relaxed);
        }
    }
    // Acquire: the helper's chunks are written once it lets go.
    let helper_has_it = || RUNNING.load(Ordering::Acquire) == id as usize;
    // The helper is finishing its last chunk of this job: wait for that awake first (a sleeping
    // caller's wake-up costs tens of µs in a VM), then asleep.
    let spin_until = Instant::now() + SPIN;
    while helper_has_it() && Instant::now() < spin_until {
        spin();
    }
    let mut posted = posted();
    while helper_has_it() {
        posted = DONE.wait(posted).unwrap_or_else(PoisonError::into_inner);
    }
    drop(posted);
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
    fn a_caller_waits_asleep_for_a_chunk_longer_than_its_spin() {
        // Chunks of 2 ms: the helper holds one well past the caller's spin, so the caller waits on
        // the condition variable; every chunk has run when the call returns.
        for _ in 0..5 {
            let counts: Vec<AtomicUsize> = (0..4).map(|_| AtomicUsize::new(0)).collect();
            for_each_chunk(4, &|k| {
                std::thread::sleep(std::time::Duration::from_millis(2));
                counts[k].fetch_add(1, Ordering::Relaxed);
            });
            assert!(counts.iter().all(|n| n.load(Ordering::Relaxed) == 1));
        }
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
