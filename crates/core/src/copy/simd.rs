//! Runtime CPU-feature dispatch.
//!
//! The prebuilt binary targets baseline x86-64 (SSE2), so the hot loops are compiled twice: once for
//! the baseline and once inside an `#[target_feature(enable = "avx2")]` function, and [`has_avx2`]
//! picks one at run time. A CPU without AVX2 never executes the AVX2 copy. On aarch64 NEON is part of
//! the baseline, so there is only one version.

/// Whether the AVX2 versions of the kernels may run on this CPU. `is_x86_feature_detected!` caches the
/// CPUID result in an atomic after the first call, so this is a load and a test.
#[inline]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(super) fn has_avx2() -> bool {
    #[cfg(test)]
    if FORCE_BASELINE.with(|force| force.get()) {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether SSSE3 (`pshufb`) may be used: every x86-64 CPU since 2006 but the very first ones.
#[inline]
#[cfg(target_arch = "x86_64")]
pub(super) fn has_ssse3() -> bool {
    #[cfg(test)]
    if FORCE_BASELINE.with(|force| force.get()) {
        return false;
    }
    std::arch::is_x86_feature_detected!("ssse3")
}

#[cfg(test)]
thread_local! {
    /// Set by tests to run the baseline kernels on this thread even where AVX2 is available.
    pub(super) static FORCE_BASELINE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Declares `$name`, which runs `$body` compiled for AVX2 when the CPU has it and for the baseline
/// otherwise. `$body` must only call `#[inline(always)]` functions for them to get the AVX2 code too.
macro_rules! multiversion {
    (
        $(#[$meta:meta])*
        $vis:vis unsafe fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block
    ) => {
        $(#[$meta])*
        $vis unsafe fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            unsafe fn avx2($($arg: $ty),*) $body

            #[inline(always)]
            unsafe fn baseline($($arg: $ty),*) $body

            #[cfg(target_arch = "x86_64")]
            if $crate::copy::simd::has_avx2() {
                // SAFETY: the CPU supports AVX2 (checked just above); the caller upholds `$name`'s contract.
                return unsafe { avx2($($arg),*) };
            }
            // SAFETY: the caller upholds `$name`'s contract.
            unsafe { baseline($($arg),*) }
        }
    };
}

pub(super) use multiversion;
