//! The std world: what the facade is in a normal build (neither `--cfg loom` nor feature
//! `shuttle`). Each item here has a twin of the same shape in `model.rs`.

use super::{MutexGuard, Wait};

pub(super) use std::sync as imp;

/// Atomic types, [`fence`](atomic::fence) and [`Ordering`](atomic::Ordering) of the selected
/// backend: std's here, the checker's under a model.
///
/// ```
/// use verisync::sync::atomic::{AtomicUsize, Ordering};
/// # verisync::sync::model(|| {
/// let n = AtomicUsize::new(1);
/// n.fetch_add(1, Ordering::Relaxed);
/// assert_eq!(n.load(Ordering::Relaxed), 2);
/// # });
/// ```
///
/// In std each type is std's behind a thin wrapper whose every operation is a point where a
/// [`check`](crate::check) stress run may stall the thread (and costs one relaxed load of a flag
/// otherwise).
pub mod atomic {
    pub use super::super::stress::atomic::{
        fence, AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicU16,
        AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering,
    };
}

/// The atomics verisync's own types use: std's, unwrapped, so that their fast paths pay nothing
/// for the stress points (the parking core's slow paths have points of their own).
pub(crate) mod raw_atomic {
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
}

/// Threads of the selected backend, plus [`sleep`](thread::sleep), which a model times with its
/// virtual clock, and [`token`](thread::token).
pub mod thread {
    pub use super::super::stress::spawn;
    pub use super::super::token::token;
    pub use std::thread::{
        current, panicking, park, sleep, yield_now, Builder, JoinHandle, Thread,
    };

    std::thread_local! {
        pub(in crate::sync) static TOKEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }
}

/// Runs `f` once in the std build; under loom explores it exhaustively up to 3 preemptions
/// (`LOOM_MAX_PREEMPTIONS` overrides the bound; loom's own default is none, which is more
/// than a doctest of a thread pool can afford); under shuttle runs it under 100 random
/// schedules.
///
/// It is how verisync's own doctests run in every build, and a convenient entry point for a
/// model of your own code.
///
/// ```
/// use verisync::sync::{model, thread, Arc, Mutex};
///
/// model(|| {
///     let n = Arc::new(Mutex::new(0));
///     let n2 = Arc::clone(&n);
///     let t = thread::spawn(move || *n2.lock() += 1);
///     *n.lock() += 1;
///     t.join().unwrap();
///     assert_eq!(*n.lock(), 2);
/// });
/// ```
pub fn model<F>(f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    f();
}

/// A hint inside a spin loop: the CPU's `pause` in std; a yield under a model, so that a
/// spinning thread lets the thread it waits for run (a model would otherwise spin forever).
///
/// ```
/// # verisync::sync::model(|| {
/// verisync::sync::spin_loop();
/// # });
/// ```
#[inline]
pub fn spin_loop() {
    std::hint::spin_loop();
}

/// A synchronisation point of verisync's own types (a lock or permit asked for): where a
/// [`check`](crate::check) stress run may stall the thread (see `stress.rs`).
#[inline(always)]
pub(crate) fn stress_point() {
    super::stress::point();
}

/// `true` while this thread unwinds out of a failing model, where nothing of the checker may be
/// touched: never in std, where a guard dropped by a panic must release its lock.
#[inline]
pub(crate) fn abandoned() -> bool {
    false
}

/// See [`set_spurious_wakeups`](super::set_spurious_wakeups): nothing to set in std.
pub(super) fn set_spurious_wakeups(_per_execution: u32) {}

/// Whether the wakeup a condition wait's `poll` is looking at was spurious: never in std, where
/// std's condition variable's own spurious wakeups look like any other (the poll checks again).
/// Under a model the clock injects them (`clock.rs`).
#[inline]
pub(crate) fn woke_spuriously() -> bool {
    false
}

/// Bounded spinning before a thread parks, for the locks' contended paths: parking_lot's
/// `SpinWait` schedule, three short `pause` rounds (2, 4, 8) and then yields, ten steps in all;
/// then the caller parks. Few pauses and many yields: on a machine with few cores the holder
/// may need our core to finish, and a spinner that only pauses keeps it from running. In the
/// quiet A/B of issue 16 it beat crossbeam's `Backoff::snooze` schedule (seven `pause` rounds
/// up to 64, then four yields) on every contended lock row: `Mutex` 2 / 4 threads 1.11-1.25 /
/// 1.20-1.37 of `parking_lot` against 0.98-1.21 / 0.78-1.20, `ReentrantLock` 1.24-1.44 /
/// 1.42-1.57 against 1.08-1.35 / 1.03-1.25 (BENCHMARKS.md).
pub(crate) struct Spin {
    step: u32,
}

/// The steps of a [`Spin`]; the first [`PAUSE_STEPS`] pause, the rest yield.
const SPIN_STEPS: u32 = 10;
const PAUSE_STEPS: u32 = 3;

impl Spin {
    #[inline]
    pub(crate) fn new() -> Self {
        Spin { step: 0 }
    }

    /// Waits a little and returns `true`, or returns `false` once the spinning is over.
    #[inline]
    pub(crate) fn spin(&mut self) -> bool {
        if self.step >= SPIN_STEPS {
            return false;
        }
        self.step += 1;
        match pauses(self.step) {
            Some(n) => (0..n).for_each(|_| spin_loop()),
            None => std::thread::yield_now(),
        }
        true
    }
}

/// What step `step` (from 1) of a [`Spin`] does: `Some(n)`, `n` `pause`s; `None`, a yield.
#[inline]
fn pauses(step: u32) -> Option<u32> {
    (step <= PAUSE_STEPS).then(|| 1 << step)
}

/// Spinning while another thread is halfway through an operation (the queue's ring), and for a
/// short while before sleeping: crossbeam's `Backoff`.
pub(crate) use crossbeam_utils::Backoff;

/// std's condition variable under the facade's [`Condvar`](super::Condvar).
pub(super) struct RawCondvar(std::sync::Condvar);

impl RawCondvar {
    pub(super) fn new() -> Self {
        RawCondvar(std::sync::Condvar::new())
    }

    /// See [`Condvar::wait_for`](super::Condvar::wait_for): the deadline is real time, so a
    /// wait woken to find `poll` still pending sleeps again for what is left.
    pub(super) fn wait_for<'a, T, R>(
        &self,
        mut guard: MutexGuard<'a, T>,
        wait: Wait,
        poll: &mut dyn FnMut(&mut T) -> Option<R>,
    ) -> (MutexGuard<'a, T>, Option<R>) {
        let outcome = loop {
            if let Some(done) = poll(&mut guard) {
                break Some(done);
            }
            let left = match wait.remaining() {
                Some(left) if left.is_zero() => break None,
                left => left,
            };
            let inner = guard.take();
            guard.put(match left {
                None => self.0.wait(inner).unwrap_or_else(|e| e.into_inner()),
                Some(left) => match self.0.wait_timeout(inner, left) {
                    Ok((g, _)) => g,
                    Err(e) => e.into_inner().0,
                },
            });
        };
        (guard, outcome)
    }

    pub(super) fn notify_one(&self) {
        self.0.notify_one();
    }

    pub(super) fn notify_all(&self) {
        self.0.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::{pauses, Spin};

    #[test]
    fn a_spin_spins_a_while_then_says_park() {
        let mut spin = Spin::new();
        let rounds = std::iter::from_fn(|| spin.spin().then_some(()))
            .take(1000)
            .count();
        // parking_lot's schedule: three `pause` rounds and seven yields, then done.
        assert_eq!(rounds, 10, "{rounds} rounds");
        assert!(!spin.spin(), "and stays done");
    }

    #[test]
    fn a_spin_pauses_2_4_8_times_then_yields() {
        assert_eq!([1, 2, 3].map(pauses), [Some(2), Some(4), Some(8)]);
        assert_eq!([4, 10].map(pauses), [None, None]);
    }
}
