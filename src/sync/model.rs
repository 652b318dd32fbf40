//! The model world: what the facade is under `--cfg loom` or feature `shuttle`. Each item here
//! has a twin of the same shape in `std.rs`; time and the modelled condition variable live in
//! `clock.rs`.

use super::backend;
use super::clock::{self, WaitList, Woke};
use super::{MutexGuard, Wait};
use std::sync::Arc;

pub(super) use backend::sync as imp;

/// Atomic types, [`fence`](atomic::fence) and [`Ordering`](atomic::Ordering) of the selected
/// backend: the checker's here, std's in a normal build.
pub mod atomic {
    pub use super::backend::sync::atomic::{
        fence, AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicU16,
        AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering,
    };
}

/// The atomics verisync's own types use: the checker's, as the public ones are.
pub(crate) mod raw_atomic {
    pub(crate) use super::backend::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
}

/// Threads of the selected backend, plus [`sleep`](thread::sleep), which a model times with its
/// virtual clock, and [`token`](thread::token).
pub mod thread {
    pub use super::super::token::token;
    pub use super::backend::thread::{current, spawn, yield_now, Builder, JoinHandle, Thread};
    pub use std::thread::panicking;

    /// Blocks until this thread is unparked, or returns spuriously: under a model the virtual
    /// clock may end a park that nobody unparked (a bounded number per thread and execution, see
    /// `VERISYNC_SPURIOUS` in the README), as a real `park` may; under shuttle also by
    /// shuttle's own, unbounded, while another thread can run. Wait in a loop.
    pub fn park() {
        let spurious = super::clock::arm_spurious_unpark();
        super::backend::thread::park();
        if let Some(id) = spurious {
            super::clock::disarm_unpark(id);
        }
    }

    /// Puts the current thread to sleep for `dur`: under a model, until the virtual clock
    /// reaches the deadline (other threads run meanwhile, and nothing else wakes it).
    pub fn sleep(dur: std::time::Duration) {
        let lock = super::super::Mutex::new(());
        let cv = super::super::Condvar::new();
        drop(cv.wait_timeout_while(lock.lock(), dur, |_| true));
    }

    super::backend::thread_local! {
        pub(in crate::sync) static TOKEN: std::cell::Cell<usize> = std::cell::Cell::new(0);
        /// Set while a condition wait's `poll` runs after a spurious wakeup.
        pub(super) static SPURIOUS: std::cell::Cell<bool> = std::cell::Cell::new(false);
    }
}

/// Under loom, explores `f` exhaustively up to 3 preemptions, or as many as
/// `LOOM_MAX_PREEMPTIONS` says (loom's own default is no bound, which even a doctest of a
/// thread pool cannot afford); under shuttle, runs it under 100 random schedules.
pub fn model<F>(f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    #[cfg(loom)]
    {
        // `Builder::new` reads loom's environment variables.
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = builder.preemption_bound.or(Some(PREEMPTION_BOUND));
        crate::check::blocked::modelling(|| builder.check(f));
    }
    #[cfg(not(loom))]
    crate::check::blocked::modelling(|| shuttle::check_random(f, 100));
}

/// The preemption bound of [`model`] under loom when `LOOM_MAX_PREEMPTIONS` is not set: 3, as
/// loom's documentation advises for CI (most bugs need at most two or three preemptions).
#[cfg(loom)]
const PREEMPTION_BOUND: usize = 3;

/// A yield: a spinning thread lets the thread it waits for run (the model would otherwise spin
/// forever).
#[inline]
pub fn spin_loop() {
    backend::thread::yield_now();
}

/// Nothing under a model: the checker chooses the schedule (see the std world's).
#[inline(always)]
pub(crate) fn stress_point() {}

/// `true` while this thread unwinds out of a failing model. The checker then tears down the
/// threads still alive outside the model, where touching its objects (unlocking a guard,
/// storing to an atomic) aborts the test binary instead of failing the test; a guard dropped
/// now must let go of nothing, since the execution is over anyway.
#[inline]
pub(crate) fn abandoned() -> bool {
    std::thread::panicking()
}

/// See [`set_spurious_wakeups`](super::set_spurious_wakeups).
pub(super) fn set_spurious_wakeups(per_execution: u32) {
    clock::set_spurious_budget(per_execution);
}

/// Whether the wakeup a condition wait's `poll` is looking at was spurious (injected by the
/// clock: nobody notified). Lets a wait without a predicate of its own (the parking core's)
/// pass the wakeup on, as its contract allows; a predicate wait just checks again.
#[inline]
pub(crate) fn woke_spuriously() -> bool {
    thread::SPURIOUS.with(std::cell::Cell::get)
}

/// Under a model, spinning before parking allows one retry and no yield: the retry path is
/// explored without multiplying the states by the spins, and without a yield, which a checker
/// takes as "run the others first" (so the parking that follows would only ever be explored
/// after the holder let go).
pub(crate) struct Spin {
    retried: bool,
}

impl Spin {
    #[inline]
    pub(crate) fn new() -> Self {
        Spin { retried: false }
    }

    /// Returns `true` once (retry), then `false` (park).
    #[inline]
    pub(crate) fn spin(&mut self) -> bool {
        !std::mem::replace(&mut self.retried, true)
    }
}

/// Under a model, `Backoff` is: a yield where another thread must make progress
/// ([`snooze`](Backoff::snooze)), nothing on a lost compare-exchange ([`spin`](Backoff::spin):
/// whoever won made progress), and completed after one snooze, so that the checker explores
/// the spin-then-sleep path without spinning through its state space.
pub(crate) struct Backoff(std::cell::Cell<bool>);

impl Backoff {
    pub(crate) fn new() -> Self {
        Backoff(std::cell::Cell::new(false))
    }
    pub(crate) fn spin(&self) {}
    pub(crate) fn snooze(&self) {
        spin_loop();
        self.0.set(true);
    }
    pub(crate) fn is_completed(&self) -> bool {
        self.0.get()
    }
}

/// The modelled condition variable under the facade's [`Condvar`](super::Condvar): its waiters
/// and notifications are state (a `notify_one` is a token only threads already waiting may take;
/// `notify_all` wakes exactly the threads already waiting), so nothing the clock does can be a
/// lost wakeup, and a timed wait arms a timer on the virtual clock (`clock.rs`).
pub(super) struct RawCondvar {
    list: Arc<WaitList>,
}

impl RawCondvar {
    pub(super) fn new() -> Self {
        RawCondvar {
            list: Arc::new(WaitList::new()),
        }
    }

    /// See [`Condvar::wait_for`](super::Condvar::wait_for). One timer for the whole wait: each
    /// sleep may or may not time out, which covers every way real time could split the timeout.
    pub(super) fn wait_for<'a, T, R>(
        &self,
        mut guard: MutexGuard<'a, T>,
        wait: Wait,
        poll: &mut dyn FnMut(&mut T) -> Option<R>,
    ) -> (MutexGuard<'a, T>, Option<R>) {
        if let Some(done) = poll(&mut guard) {
            return (guard, Some(done));
        }
        let timer = match wait.remaining() {
            Some(t) if t.is_zero() => return (guard, None),
            Some(t) => clock::arm(&self.list, t),
            None => None,
        };
        let outcome = loop {
            let lock = guard.lock;
            let spurious = clock::arm_spurious(&self.list);
            // Registers as a waiter before the user's lock is released: no lost wakeup.
            let woke = self.list.wait(timer, spurious, move || drop(guard));
            if let Some(id) = spurious {
                clock::disarm(&self.list, id);
            }
            guard = lock.lock();
            // One look at the condition after each wakeup, as in std: a condition with a side
            // effect (announcing the sleep, say) runs exactly as often as it would in production.
            thread::SPURIOUS.with(|s| s.set(woke == Woke::Spuriously));
            let done = poll(&mut guard);
            thread::SPURIOUS.with(|s| s.set(false));
            match done {
                Some(done) => break Some(done),
                None if woke == Woke::TimedOut => break None,
                None => {}
            }
        };
        if let Some(id) = timer {
            clock::disarm(&self.list, id);
        }
        (guard, outcome)
    }

    pub(super) fn notify_one(&self) {
        self.list.notify_one();
    }

    pub(super) fn notify_all(&self) {
        self.list.notify_all();
    }
}
