//! Splitting a pass over the cores, and compiling it for 8 lanes where the processor has them.

use rayon::prelude::*;

/// Values per block: 64 KiB of f32, small enough for the L2 cache.
pub const BLOCK: usize = 16_384;

/// Fewer values than this run on the calling thread: waking the pool costs more (measured on W3's
/// 256×100 layers: a split pass spent more time switching threads than computing).
pub const PARALLEL: usize = 4 * BLOCK;

/// Runs `f(start, block)` over `out` in blocks of whole `unit`s (a row's length for row-wise
/// passes, 1 for element-wise ones), in parallel for large passes.
pub fn blocks_mut(out: &mut [f32], unit: usize, f: impl Fn(usize, &mut [f32]) + Sync) {
    let unit = unit.max(1);
    let size = (BLOCK / unit).max(1) * unit;
    if out.len() < PARALLEL {
        return f(0, out);
    }
    out.par_chunks_mut(size)
        .enumerate()
        .for_each(|(i, block)| f(i * size, block));
}

/// Defines `fn name(args)` that runs its body compiled for AVX-512 or AVX2 when the processor has
/// it (16 or 8 f32 lanes instead of SSE2's 4), plainly otherwise. The compiler neither reorders
/// Rust's float arithmetic nor contracts `a·b + c` into a fused multiply-add, so every version
/// rounds identically: results do not depend on the machine.
macro_rules! wide {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn body($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f")]
            fn avx512($($arg: $ty),*) {
                body($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn avx2($($arg: $ty),*) {
                body($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the processor has AVX-512F, checked just above
                return unsafe { avx512($($arg),*) };
            }
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the processor has AVX2, checked just above
                return unsafe { avx2($($arg),*) };
            }
            body($($arg),*)
        }
    };
}
pub(crate) use wide;
