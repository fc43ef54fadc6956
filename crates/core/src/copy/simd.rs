//! Runtime CPU-feature dispatch.
//!
//! The prebuilt binary targets baseline x86-64 (SSE2), so the hot loops are compiled twice: once for
//! the baseline and once inside an `#[target_feature(enable = "avx2")]` function, and [`has_avx2`]
//! picks one at run time. A CPU without AVX2 never executes the AVX2 copy. On aarch64 NEON is part of
//! the baseline, so there is only one version.

/// Whether the AVX2 versions of the kernels may run on this CPU. `is_x86_feature_detected!` caches the
/// CPUID result in an atomic after the first call, so this is a load and a test.
#[inline]
pub(super) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
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
