//! Schedule noise for the std world's stress runs ([`check`](crate::check) in a plain build).
//!
//! On real threads a race shows only when the scheduler happens to stop a thread inside its
//! window, which on two cores is rare: a load and a store a nanosecond apart. While a stress run
//! is active, every synchronisation point of the facade (each atomic operation, a spawn, the
//! parking core's slow paths) may stall its thread for a moment (a yield, or a short spin), so
//! that the other threads run inside the window. Outside a stress run a point costs one relaxed
//! load of a flag nobody writes.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Stress runs in progress in this process (any thread).
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// Whether a stress run is in progress.
#[inline(always)]
pub(crate) fn active() -> bool {
    // Relaxed: a hint; a point that misses the start or end of a run only stalls or doesn't.
    ACTIVE.load(Ordering::Relaxed) != 0
}

/// A synchronisation point: may stall the calling thread while a stress run is in progress.
#[inline(always)]
pub(crate) fn point() {
    if active() {
        stall();
    }
}

/// Marks a stress run in progress until dropped.
pub(crate) struct Run(());

impl Run {
    pub(crate) fn start() -> Run {
        // Relaxed: a counter; see `active`.
        ACTIVE.fetch_add(1, Ordering::Relaxed);
        Run(())
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        // Relaxed: as in `start`.
        ACTIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

std::thread_local! {
    /// This thread's noise generator (xorshift64*), seeded on first use.
    static RNG: Cell<u64> = const { Cell::new(0) };
}

/// A random number for this thread.
pub(crate) fn random() -> u64 {
    RNG.with(|r| {
        let mut x = r.get();
        if x == 0 {
            // Distinct per thread and per process run: a counter, an address and the clock.
            static SEEDS: AtomicUsize = AtomicUsize::new(0);
            // Relaxed: uniqueness only.
            let n = SEEDS.fetch_add(1, Ordering::Relaxed) as u64;
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            x = seed(n, t, r as *const _ as u64);
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        r.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    })
}

/// A generator's first state, from a counter, the clock and an address: odd (xorshift never
/// leaves 0), and moved by each of the three whatever the others are, so that two threads
/// differing in any one of them do not share their noise.
fn seed(n: u64, t: u64, address: u64) -> u64 {
    (n.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ t ^ address) | 1
}

/// The noise: nothing most of the time; sometimes a yield, which lets a thread waiting for this
/// core run; sometimes a spin of up to a few microseconds, long enough for a thread on the
/// other core to run through a short window.
#[cold]
#[inline(never)]
fn stall() {
    match noise(random()) {
        None => std::thread::yield_now(),
        Some(spins) => {
            for _ in 0..spins {
                std::hint::spin_loop();
            }
        }
    }
}

/// The stall a random number `r` asks for: `None` for a yield, else how many spins.
fn noise(r: u64) -> Option<u64> {
    match r % 32 {
        0..=3 => None,
        4..=7 => Some((r >> 8) % 2048),
        // Now and then long enough for a thread being started meanwhile to arrive.
        8 => Some((r >> 8) % 65536),
        _ => Some(0),
    }
}

/// [`std::thread::spawn`], which during a [`check`](crate::check) stress run may hold the parent
/// until the child is running: a new thread otherwise starts tens of microseconds late, after a
/// short parent has finished, and the two never overlap. Under loom and shuttle the facade gives
/// the checker's `spawn`.
///
/// ```
/// # verisync::sync::model(|| {
/// let t = verisync::sync::thread::spawn(|| 6 * 7);
/// assert_eq!(t.join().unwrap(), 42);
/// # });
/// ```
pub fn spawn<F, T>(f: F) -> std::thread::JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    if !active() {
        return std::thread::spawn(f);
    }
    let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = std::sync::Arc::clone(&started);
    let handle = std::thread::spawn(move || {
        // Release: pairs with the parent's Acquire; it orders nothing of the scenario's.
        seen.store(true, Ordering::Release);
        point();
        f()
    });
    if coin() {
        hold_until(&started);
    }
    point();
    handle
}

/// Heads or tails.
fn coin() -> bool {
    random() & 1 == 0
}

/// Yields until `flag` is set.
fn hold_until(flag: &std::sync::atomic::AtomicBool) {
    // Acquire: see the store that set it.
    while !flag.load(Ordering::Acquire) {
        std::thread::yield_now();
    }
}

/// The facade's atomic types in the std world: std's, each operation a [`point`] first.
pub mod atomic {
    use super::point;
    pub use std::sync::atomic::Ordering;
    use std::sync::atomic::Ordering as O;

    /// An atomic fence ([`std::sync::atomic::fence`]), a synchronisation point first.
    ///
    /// ```
    /// use verisync::sync::atomic::{fence, Ordering};
    /// # verisync::sync::model(|| {
    /// fence(Ordering::SeqCst);
    /// # });
    /// ```
    #[inline]
    pub fn fence(order: O) {
        point();
        std::sync::atomic::fence(order);
    }

    macro_rules! atomic {
        ($name:ident, $t:ty, $doc_value:expr, $($int:tt)?) => {
            #[doc = concat!("std's [`", stringify!($name), "`](std::sync::atomic::",
                stringify!($name), "), with the same methods; during a [`check`](crate::check) ",
                "stress run each operation is a point where the thread may stall, so that races ",
                "show on few cores. Under loom and shuttle the facade gives the checker's type.")]
            ///
            /// ```
            #[doc = concat!("use verisync::sync::atomic::{", stringify!($name), ", Ordering};")]
            /// # verisync::sync::model(|| {
            #[doc = concat!("let a = ", stringify!($name), "::new(", $doc_value, ");")]
            #[doc = concat!("a.store(", $doc_value, ", Ordering::Relaxed);")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Relaxed), ", $doc_value, ");")]
            /// # });
            /// ```
            #[repr(transparent)]
            #[derive(Default)]
            pub struct $name(std::sync::atomic::$name);

            impl $name {
                /// A new atomic holding `v`.
                #[inline]
                pub const fn new(v: $t) -> Self {
                    $name(std::sync::atomic::$name::new(v))
                }
                /// The value, through a unique reference (no point: nothing is shared).
                #[inline]
                pub fn get_mut(&mut self) -> &mut $t {
                    self.0.get_mut()
                }
                /// The value, consuming the atomic.
                #[inline]
                pub fn into_inner(self) -> $t {
                    self.0.into_inner()
                }
                /// Loads the value.
                #[inline]
                pub fn load(&self, order: O) -> $t {
                    point();
                    self.0.load(order)
                }
                /// Stores `v`.
                #[inline]
                pub fn store(&self, v: $t, order: O) {
                    point();
                    self.0.store(v, order)
                }
                /// Stores `v`, returning the previous value.
                #[inline]
                pub fn swap(&self, v: $t, order: O) -> $t {
                    point();
                    self.0.swap(v, order)
                }
                /// Stores `new` if the value is `current`; the previous value either way.
                #[inline]
                pub fn compare_exchange(
                    &self,
                    current: $t,
                    new: $t,
                    success: O,
                    failure: O,
                ) -> Result<$t, $t> {
                    point();
                    self.0.compare_exchange(current, new, success, failure)
                }
                /// Like `compare_exchange`, but may fail spuriously.
                #[inline]
                pub fn compare_exchange_weak(
                    &self,
                    current: $t,
                    new: $t,
                    success: O,
                    failure: O,
                ) -> Result<$t, $t> {
                    point();
                    self.0.compare_exchange_weak(current, new, success, failure)
                }
                /// Applies `f` until it stores its result or returns `None`.
                #[inline]
                pub fn fetch_update<F>(&self, set: O, fetch: O, f: F) -> Result<$t, $t>
                where
                    F: FnMut($t) -> Option<$t>,
                {
                    point();
                    self.0.fetch_update(set, fetch, f)
                }
                /// Bitwise and; the previous value.
                #[inline]
                pub fn fetch_and(&self, v: $t, order: O) -> $t {
                    point();
                    self.0.fetch_and(v, order)
                }
                /// Bitwise nand; the previous value.
                #[inline]
                pub fn fetch_nand(&self, v: $t, order: O) -> $t {
                    point();
                    self.0.fetch_nand(v, order)
                }
                /// Bitwise or; the previous value.
                #[inline]
                pub fn fetch_or(&self, v: $t, order: O) -> $t {
                    point();
                    self.0.fetch_or(v, order)
                }
                /// Bitwise xor; the previous value.
                #[inline]
                pub fn fetch_xor(&self, v: $t, order: O) -> $t {
                    point();
                    self.0.fetch_xor(v, order)
                }
                $(atomic!(@int $int $t);)?
            }

            impl From<$t> for $name {
                #[inline]
                fn from(v: $t) -> Self {
                    $name::new(v)
                }
            }

            impl std::fmt::Debug for $name {
                /// Like std's: the value, loaded Relaxed (no point: a look, not a step).
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    std::fmt::Debug::fmt(&self.0, f)
                }
            }
        };
        (@int int $t:ty) => {
            /// Adds `v` (wrapping); the previous value.
            #[inline]
            pub fn fetch_add(&self, v: $t, order: O) -> $t {
                point();
                self.0.fetch_add(v, order)
            }
            /// Subtracts `v` (wrapping); the previous value.
            #[inline]
            pub fn fetch_sub(&self, v: $t, order: O) -> $t {
                point();
                self.0.fetch_sub(v, order)
            }
            /// Stores the maximum of the value and `v`; the previous value.
            #[inline]
            pub fn fetch_max(&self, v: $t, order: O) -> $t {
                point();
                self.0.fetch_max(v, order)
            }
            /// Stores the minimum of the value and `v`; the previous value.
            #[inline]
            pub fn fetch_min(&self, v: $t, order: O) -> $t {
                point();
                self.0.fetch_min(v, order)
            }
        };
    }

    atomic!(AtomicBool, bool, "true",);
    atomic!(AtomicU8, u8, "7", int);
    atomic!(AtomicU16, u16, "7", int);
    atomic!(AtomicU32, u32, "7", int);
    atomic!(AtomicU64, u64, "7", int);
    atomic!(AtomicUsize, usize, "7", int);
    atomic!(AtomicI8, i8, "-7", int);
    atomic!(AtomicI16, i16, "-7", int);
    atomic!(AtomicI32, i32, "-7", int);
    atomic!(AtomicI64, i64, "-7", int);
    atomic!(AtomicIsize, isize, "-7", int);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::atomic::AtomicBool;
    use std::thread;
    use std::time::Duration;

    /// This thread's generator state: a stall draws a random number, which moves it.
    fn rng() -> u64 {
        RNG.with(Cell::get)
    }

    #[test]
    fn points_fences_and_spawns_stall_only_during_a_run() {
        // Only `check::run` starts a run, and no other unit test of the library calls it, so
        // `active` is this test's alone.
        assert!(!active());
        let before = rng();
        point();
        atomic::fence(Ordering::SeqCst);
        crate::sync::stress_point();
        spawn(|| ()).join().unwrap();
        assert_eq!(rng(), before, "no run: no stall, no coin tossed");
        let run = Run::start();
        assert!(active());
        let before = rng();
        point();
        assert_ne!(rng(), before, "a point stalls");
        let before = rng();
        atomic::fence(Ordering::SeqCst);
        assert_ne!(rng(), before, "a fence is a point");
        let before = rng();
        crate::sync::stress_point();
        assert_ne!(rng(), before, "so is the primitives' own");
        let before = rng();
        spawn(|| ()).join().unwrap();
        assert_ne!(rng(), before, "a spawn tosses its coin");
        drop(run);
        assert!(!active(), "the run is over");
    }

    #[test]
    fn random_numbers_do_not_repeat_and_each_thread_has_its_own() {
        let mine: HashSet<u64> = (0..1000).map(|_| random()).collect();
        assert_eq!(mine.len(), 1000);
        // Fresh threads, each seeding its generator on first use.
        let theirs: HashSet<u64> = thread::scope(|s| {
            let threads: Vec<_> = (0..16).map(|_| s.spawn(|| [random(), random()])).collect();
            threads
                .into_iter()
                .flat_map(|t| t.join().unwrap())
                .collect()
        });
        assert_eq!(theirs.len(), 32);
    }

    #[test]
    fn a_seed_is_odd_and_moves_with_each_of_its_inputs() {
        let inputs = [
            (0, 0, 0),
            (0, 0, 1),
            (1, u64::MAX, u64::MAX),
            (7, 0, 0x7f00),
            (3, 1 << 40, 0),
        ];
        for (n, t, address) in inputs {
            let s = seed(n, t, address);
            assert_eq!(s & 1, 1, "{n} {t} {address}");
            assert_ne!(s, seed(n + 1, t, address), "{n} {t} {address}: n");
            assert_ne!(s, seed(n, t ^ 2, address), "{n} {t} {address}: t");
            assert_ne!(s, seed(n, t, address ^ 2), "{n} {t} {address}: address");
        }
    }

    #[test]
    fn the_generator_is_xorshift64_star() {
        // From state 1: the reference values (Vigna's xorshift64*, shifts 12, 25, 27).
        RNG.with(|r| r.set(1));
        let numbers = [random(), random(), random()];
        assert_eq!(
            numbers,
            [
                0x47e4_ce4b_896c_dd1d,
                0xabcf_a6a8_e079_651d,
                0xb9d1_0d8f_eb73_1f57
            ]
        );
        assert_eq!(rng(), 0xd_0040_0320_2803);
    }

    #[test]
    fn noise_is_a_yield_or_a_spin_as_long_as_the_number_asks() {
        // `r % 32` picks a yield, a short spin, a long one or nothing; `r >> 8` the length.
        for (r, stall) in [
            (0, None),
            (3, None),
            (34, None),
            (4 | 5 << 8, Some(5)),
            (36 | 5 << 8, Some(5)), // 36 % 32 == 4
            (7 | 2047 << 8, Some(2047)),
            (6 | 2049 << 8, Some(1)),
            (8 | 3000 << 8, Some(3000)),
            (8 | 65537 << 8, Some(1)),
            (9 | 5 << 8, Some(0)),
            (31 | 5 << 8, Some(0)),
        ] {
            assert_eq!(noise(r), stall, "noise({r:#x})");
        }
    }

    #[test]
    fn a_coin_shows_both_faces() {
        let heads = (0..1000).filter(|_| coin()).count();
        assert!(0 < heads && heads < 1000, "{heads} heads in 1000 tosses");
    }

    #[test]
    fn a_hold_ends_once_the_flag_is_set_and_not_before() {
        hold_until(&AtomicBool::new(true)); // set already: returns at once
        let flag = AtomicBool::new(false);
        thread::scope(|s| {
            s.spawn(|| {
                thread::sleep(Duration::from_millis(20));
                flag.store(true, Ordering::Release);
            });
            hold_until(&flag);
            assert!(flag.load(Ordering::Relaxed), "held until the flag was set");
        });
    }
}
