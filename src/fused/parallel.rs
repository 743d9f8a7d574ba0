//! Splitting a pass over the cores, compiling it for 8 or 16 lanes where the processor has them,
//! and keeping the pool's idle workers spinning for the training loop's work ([`hot`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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

/// Defines `fn name(args)` that runs its body compiled for AVX-512 or AVX2 + FMA when the
/// processor has it (16 or 8 f32 lanes instead of SSE2's 4), plainly otherwise. The compiler
/// neither reorders Rust's float arithmetic nor contracts `a·b + c` into a fused multiply-add,
/// and an explicit `mul_add` rounds once on every path (an instruction here, a library call in
/// the plain version), so every version rounds identically: results do not depend on the machine.
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
            #[target_feature(enable = "avx2,fma")]
            fn avx2($($arg: $ty),*) {
                body($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the processor has AVX-512F, checked just above
                return unsafe { avx512($($arg),*) };
            }
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the processor has AVX2 and FMA, checked just above
                return unsafe { avx2($($arg),*) };
            }
            body($($arg),*)
        }
    };
}
pub(crate) use wide;

/// Whether [`hot`] keeps idle workers spinning: on unless `PLAINDNN_SPIN=0` (read once).
pub fn spins() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| crate::environment::switch("PLAINDNN_SPIN"))
}

/// Runs `f` on this thread while every other thread of rayon's pool waits for work by spinning
/// instead of sleeping, as OpenMP's workers do, so a split product's second half starts without a
/// futex wake-up. A helper that has found no work for 2 ms looks only every 50 µs, so a run with
/// nothing to split (W1) is not slowed by it. Off with `PLAINDNN_SPIN=0`.
pub fn hot<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let on = spins();
    let helpers = rayon::current_num_threads().saturating_sub(1);
    if !on || helpers == 0 || spinning() {
        return rayon::scope(|_| f()); // inside `hot` already, the helpers are there
    }
    let done = AtomicBool::new(false);
    rayon::scope(|s| {
        for _ in 0..helpers {
            s.spawn(|_| help(&done));
        }
        HOT.set(true);
        let _stop = Stop(&done); // also when f panics
        f()
    })
}

/// Whether this thread runs inside a [`hot`] call, as its body or as a helper: the pool's other
/// workers are spinning, so splitting work costs less than a futex wake-up.
pub fn spinning() -> bool {
    HOT.get() || HELPING.get()
}

thread_local! {
    /// Whether this thread runs the body of a [`hot`] call.
    static HOT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Whether this thread is a helper of one.
    static HELPING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A helper with no work for this long looks only every [`COOL_POLL`].
const COOL_AFTER: Duration = Duration::from_millis(2);
const COOL_POLL: Duration = Duration::from_micros(50);

/// Takes the pool's jobs as they come until `done`. A thread that picks this up while it is busy
/// itself, with a `hot` call's body or as a helper, leaves at once: it has work of its own.
fn help(done: &AtomicBool) {
    if spinning() {
        return;
    }
    HELPING.set(true);
    let mut idle_since = Instant::now();
    while !done.load(Ordering::Acquire) {
        if rayon::yield_now() == Some(rayon::Yield::Executed) {
            idle_since = Instant::now();
        } else if idle_since.elapsed() > COOL_AFTER {
            std::thread::sleep(COOL_POLL);
        } else {
            (0..32).for_each(|_| std::hint::spin_loop()); // a few hundred cycles between looks
        }
    }
    HELPING.set(false);
}

/// Ends a [`hot`] call when dropped: its helpers stop, and this thread is no longer in it.
struct Stop<'a>(&'a AtomicBool);

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        HOT.set(false);
        self.0.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// `f` on a pool of `threads`, failed if it has not returned within 60 s (a helper that never
    /// stops would hang the test instead).
    fn on_pool<R: Send + 'static>(threads: usize, f: impl FnOnce() -> R + Send + 'static) -> R {
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
            let _ = send.send(pool.expect("a thread pool").install(f));
        });
        receive
            .recv_timeout(Duration::from_secs(60))
            .expect("finished within 60 s")
    }

    /// `second()` as the second half of a join whose first half waits until it has started, so
    /// that it runs on another thread than the caller's.
    fn on_second_half<R: Send>(second: impl FnOnce() -> R + Send) -> R {
        let started = AtomicBool::new(false);
        let (_, result) = rayon::join(
            || {
                while !started.load(Ordering::Acquire) {
                    std::hint::spin_loop();
                }
            },
            || {
                started.store(true, Ordering::Release);
                second()
            },
        );
        result
    }

    /// Whether the second half of a join ran on a helper.
    fn second_half_on_a_helper() -> bool {
        on_second_half(|| HELPING.get())
    }

    #[test]
    fn inside_hot_a_spinning_helper_takes_the_second_half_of_a_join() {
        assert!(on_pool(2, || hot(second_half_on_a_helper)));
        assert!(on_pool(3, || hot(second_half_on_a_helper)));
        // outside, a sleeping worker is woken for it
        assert!(!on_pool(2, second_half_on_a_helper));
    }

    #[test]
    fn hot_returns_the_value_once_its_helpers_have_stopped() {
        for threads in [1, 2, 4] {
            assert_eq!(on_pool(threads, move || hot(|| threads * 10)), threads * 10);
        }
    }

    #[test]
    fn a_hot_call_inside_another_and_from_several_threads_at_once_finishes() {
        let sum = |i: usize| (0..1000usize).into_par_iter().map(|j| i + j).sum::<usize>();
        let want: Vec<usize> = (0..4).map(|i| (0..1000).map(|j| i + j).sum()).collect();
        let (nested, inner) = on_pool(2, move || {
            let nested = hot(|| hot(second_half_on_a_helper));
            let inner: Vec<usize> = (0..4).into_par_iter().map(|i| hot(|| sum(i))).collect();
            (nested, inner)
        });
        assert!(nested, "the nested call still has its helper");
        assert_eq!(inner, want);
        // four threads of their own, each a hot call on one two-thread pool at once
        let all = on_pool(1, move || {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build();
            let pool = std::sync::Arc::new(pool.expect("a thread pool"));
            let callers: Vec<_> = (0..4)
                .map(|i| {
                    let pool = pool.clone();
                    std::thread::spawn(move || pool.install(|| hot(|| sum(i))))
                })
                .collect();
            let joined = callers.into_iter().map(|c| c.join().expect("a caller"));
            joined.collect::<Vec<_>>()
        });
        assert_eq!(all, want);
    }

    #[test]
    fn a_busy_thread_that_picks_up_a_helpers_job_leaves_it_at_once() {
        // never done: a help call that did not leave would hang the test
        static NEVER: AtomicBool = AtomicBool::new(false);
        let still_helping = on_pool(2, || {
            hot(|| {
                help(&NEVER); // on the body's own thread
                on_second_half(|| {
                    help(&NEVER); // on the helper, inside a job it took
                    HELPING.get()
                })
            })
        });
        assert!(still_helping, "the helper's own loop went on");
    }

    #[test]
    fn a_panic_inside_hot_reaches_the_caller_and_the_next_call_has_helpers_again() {
        let (panicked, helped) = on_pool(2, || {
            let caught = std::panic::catch_unwind(|| hot(|| panic!("inside hot")));
            (caught.is_err(), hot(second_half_on_a_helper))
        });
        assert!(panicked);
        assert!(helped);
    }
}
