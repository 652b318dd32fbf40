//! The backend facade: the one module that names a backend.
//!
//! Every primitive in verisync imports its locks, condition variables, atomics, cells and
//! threads from here, never from `std` directly. That single rule is what lets the same source
//! run in three worlds:
//!
//! | build | backend | what it is for |
//! |---|---|---|
//! | default | `std` (+ `crossbeam-utils` where padding pays) | production |
//! | `RUSTFLAGS="--cfg loom"` | [loom](https://docs.rs/loom) | exhaustive exploration, weak memory included |
//! | `--features shuttle` | [shuttle](https://docs.rs/shuttle) | randomized and PCT exploration of large shapes |
//!
//! The module is public so that your own models see inside ours: write your concurrent code
//! against `verisync::sync` and a loom or shuttle model of it explores our internals too.
//!
//! # The surface
//!
//! All three backends offer the same items: [`Mutex`] with an infallible [`Mutex::lock`]
//! (verisync never panics while holding an internal lock, so poisoning carries no information
//! inside it); [`Condvar`] with a predicate wait and a timed predicate wait; [`UnsafeCell`] in
//! loom's `with`/`with_mut` shape; [`atomic`]; [`Arc`]; [`thread`]; [`spin_loop`] (a CPU hint in
//! std, a yield under a model so that spinning cannot starve the thread it waits for); and
//! [`model`], which runs a closure once in std and explores it under a checker.
//!
//! # Time inside a model
//!
//! Neither loom nor shuttle models time: their `wait_timeout` never times out, and a lone timed
//! waiter is reported as a deadlock. verisync models it with a **virtual clock driven by a clock
//! thread**:
//!
//! * A timed wait arms a timer at `now + timeout` in virtual time (a timeout of [`FOREVER`] or
//!   more is no timeout, in every backend) and, if no clock thread is running in this execution, spawns
//!   one. The clock thread is an ordinary model thread: it fires pending timers earliest-deadline
//!   first, advancing virtual time to each deadline, and exits when none is pending.
//! * Because the checker may schedule the clock thread at any point, every timed wait is
//!   explored in **both** branches: woken by a notification before the clock fires, and timed out
//!   (the clock fired first, perhaps while other threads were still running).
//! * A thread in a timed wait is never reported as deadlocked: while its timer is pending the
//!   clock thread is runnable, fires it, and the waiter returns timed out.
//! * Under a model, [`Condvar`] is built from the checker's own mutex and condition variable,
//!   with notifications as state (a `notify_one` is a token only threads already waiting may
//!   take; `notify_all` wakes exactly the threads already waiting), so nothing the clock does can
//!   be a lost wakeup.
//!
//! The cost is one model thread per busy period of the clock: loom allows 5 threads including
//! the model's main thread, so a loom model with timed waits has room for three of its own.
//! `loom_tests/facade.rs` and `tests/shuttle_facade.rs` prove that both branches are reached and
//! that a lone timed waiter returns.

#[cfg(all(loom, feature = "shuttle"))]
compile_error!(
    "verisync: `--cfg loom` and feature `shuttle` each select a model checker; build with one of them"
);

#[cfg(loom)]
use loom as backend;
#[cfg(all(feature = "shuttle", not(loom)))]
use shuttle as backend;

#[cfg(all(feature = "shuttle", not(loom)))]
pub mod explore;

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

/// Which backend this build of verisync runs on: `"std"`, `"loom"` or `"shuttle"`.
///
/// ```
/// # verisync::sync::model(|| {
/// assert!(["std", "loom", "shuttle"].contains(&verisync::sync::BACKEND));
/// # });
/// ```
pub const BACKEND: &str = if cfg!(loom) {
    "loom"
} else if cfg!(feature = "shuttle") {
    "shuttle"
} else {
    "std"
};

/// `true` when this build runs under a model checker (loom or shuttle).
///
/// ```
/// # verisync::sync::model(|| {
/// assert_eq!(verisync::sync::CHECKED, verisync::sync::BACKEND != "std");
/// # });
/// ```
pub const CHECKED: bool = cfg!(any(loom, feature = "shuttle"));

/// Atomic types and [`Ordering`](atomic::Ordering) of the selected backend.
pub mod atomic {
    #[cfg(not(any(loom, feature = "shuttle")))]
    pub use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

    #[cfg(any(loom, feature = "shuttle"))]
    pub use super::backend::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
}

/// The selected backend's reference-counted pointer.
#[cfg(not(any(loom, feature = "shuttle")))]
pub use std::sync::Arc;

/// The selected backend's reference-counted pointer.
#[cfg(any(loom, feature = "shuttle"))]
pub use backend::sync::Arc;

/// Threads of the selected backend, plus a [`sleep`](thread::sleep) that a model can time.
pub mod thread {
    #[cfg(not(any(loom, feature = "shuttle")))]
    pub use std::thread::{current, panicking, park, sleep, spawn, yield_now, JoinHandle, Thread};

    #[cfg(any(loom, feature = "shuttle"))]
    pub use super::backend::thread::{current, park, spawn, yield_now, JoinHandle, Thread};
    #[cfg(any(loom, feature = "shuttle"))]
    pub use std::thread::panicking;

    /// Puts the current thread to sleep for `dur`; under a model, until the virtual clock
    /// reaches the deadline (other threads run meanwhile, and nothing else wakes it).
    #[cfg(any(loom, feature = "shuttle"))]
    pub fn sleep(dur: std::time::Duration) {
        let lock = super::Mutex::new(());
        let cv = super::Condvar::new();
        drop(cv.wait_timeout_while(lock.lock(), dur, |_| true));
    }

    #[cfg(not(any(loom, feature = "shuttle")))]
    std::thread_local! {
        static TOKEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }
    #[cfg(any(loom, feature = "shuttle"))]
    super::backend::thread_local! {
        static TOKEN: std::cell::Cell<usize> = std::cell::Cell::new(0);
    }

    /// A number naming the current thread: non-zero, even, and never given to another thread
    /// of this process, even after this one exits (unlike a thread-local's address).
    ///
    /// Lock owners are recorded as tokens; the low bit is left free for a flag.
    ///
    /// ```
    /// use verisync::sync::{model, thread};
    ///
    /// model(|| {
    ///     let mine = thread::token();
    ///     assert_eq!(mine, thread::token());
    ///     assert!(mine != 0 && mine % 2 == 0);
    ///     assert_ne!(thread::spawn(thread::token).join().unwrap(), mine);
    /// });
    /// ```
    #[inline]
    pub fn token() -> usize {
        // A plain std counter in every backend: it hands out names and orders nothing, so a
        // model need not explore it (and under loom and shuttle all threads share one OS
        // thread anyway). Relaxed: uniqueness needs only the atomicity of the increment.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
        TOKEN.with(|t| {
            if t.get() == 0 {
                let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // 2^63 threads cannot be started, so the shift never wraps to a reused name.
                t.set(n << 1);
            }
            t.get()
        })
    }
}

/// A timeout this long or longer is no timeout, in every backend: a wait that long is a hang,
/// and a model must report it as one rather than let the clock fire it.
///
/// ```
/// # verisync::sync::model(|| {
/// assert!(verisync::sync::FOREVER.as_secs() >= 100 * 365 * 24 * 3600);
/// # });
/// ```
pub const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

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
    #[cfg(not(any(loom, feature = "shuttle")))]
    std::hint::spin_loop();
    #[cfg(any(loom, feature = "shuttle"))]
    backend::thread::yield_now();
}

/// Bounded spinning before a thread parks, for the locks' contended paths.
///
/// In std it is crossbeam's [`Backoff::snooze`](crossbeam_utils::Backoff::snooze) schedule
/// (exponential `pause` rounds, then a few `yield_now`s: on a machine with few cores the holder
/// may need our core to finish) until it is completed; then the caller parks. Under a model it
/// allows one retry and no yield: the retry path is explored without multiplying the states by
/// the spins, and without a yield, which a checker takes as "run the others first" (so the
/// parking that follows would only ever be explored after the holder let go).
pub(crate) struct Spin {
    #[cfg(not(any(loom, feature = "shuttle")))]
    backoff: crossbeam_utils::Backoff,
    #[cfg(any(loom, feature = "shuttle"))]
    retried: bool,
}

impl Spin {
    #[inline]
    pub(crate) fn new() -> Self {
        Spin {
            #[cfg(not(any(loom, feature = "shuttle")))]
            backoff: crossbeam_utils::Backoff::new(),
            #[cfg(any(loom, feature = "shuttle"))]
            retried: false,
        }
    }

    /// Waits a little and returns `true`, or returns `false` once the spinning is over.
    #[inline]
    pub(crate) fn spin(&mut self) -> bool {
        #[cfg(not(any(loom, feature = "shuttle")))]
        {
            if self.backoff.is_completed() {
                return false;
            }
            self.backoff.snooze();
            true
        }
        #[cfg(any(loom, feature = "shuttle"))]
        !std::mem::replace(&mut self.retried, true)
    }
}

/// Spinning while another thread is halfway through an operation (the queue's ring), and for a
/// short while before sleeping: crossbeam's `Backoff` in std.
#[cfg(not(any(loom, feature = "shuttle")))]
pub(crate) use crossbeam_utils::Backoff;

/// Under a model, `Backoff` is: a yield where another thread must make progress
/// ([`snooze`](Backoff::snooze)), nothing on a lost compare-exchange ([`spin`](Backoff::spin):
/// whoever won made progress), and completed after one snooze, so that the checker explores
/// the spin-then-sleep path without spinning through its state space.
#[cfg(any(loom, feature = "shuttle"))]
pub(crate) struct Backoff(std::cell::Cell<bool>);

#[cfg(any(loom, feature = "shuttle"))]
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

mod wait;
pub(crate) use wait::Wait;

/// Runs `f` once in the std build; under loom explores it exhaustively (`loom::model`, which
/// honours `LOOM_MAX_PREEMPTIONS`); under shuttle runs it under 100 random schedules.
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
    #[cfg(loom)]
    loom::model(f);
    #[cfg(all(feature = "shuttle", not(loom)))]
    shuttle::check_random(f, 100);
    #[cfg(not(any(loom, feature = "shuttle")))]
    f();
}

// ---------------------------------------------------------------------------------------------
// Mutex

#[cfg(not(any(loom, feature = "shuttle")))]
use std::sync as imp;

#[cfg(any(loom, feature = "shuttle"))]
use backend::sync as imp;

/// A mutual-exclusion lock whose [`lock`](Mutex::lock) cannot fail.
///
/// It is the selected backend's mutex with poisoning taken out: verisync holds its internal
/// locks only around code that cannot panic, so a poisoned lock would carry no information.
///
/// ```
/// # verisync::sync::model(|| {
/// use verisync::sync::Mutex;
///
/// let m = Mutex::new(1);
/// *m.lock() += 1;
/// assert_eq!(m.into_inner(), 2);
/// # });
/// ```
pub struct Mutex<T> {
    inner: imp::Mutex<T>,
}

/// The guard of a [`Mutex`]; the lock is released when it is dropped.
///
/// ```
/// # verisync::sync::model(|| {
/// let m = verisync::sync::Mutex::new(vec![1]);
/// let mut g = m.lock();
/// g.push(2);
/// assert_eq!(*g, [1, 2]);
/// # });
/// ```
pub struct MutexGuard<'a, T> {
    // Kept so that a modelled condition variable can release and retake the lock.
    #[cfg_attr(not(any(loom, feature = "shuttle")), allow(dead_code))]
    lock: &'a Mutex<T>,
    inner: imp::MutexGuard<'a, T>,
}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::sync::Mutex::new("x");
    /// assert_eq!(*m.lock(), "x");
    /// # });
    /// ```
    pub fn new(value: T) -> Self {
        Mutex {
            inner: imp::Mutex::new(value),
        }
    }

    /// Blocks until the lock is free, then takes it.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::sync::Mutex::new(0);
    /// *m.lock() = 5;
    /// assert_eq!(*m.lock(), 5);
    /// # });
    /// ```
    pub fn lock(&self) -> MutexGuard<'_, T> {
        MutexGuard {
            lock: self,
            inner: self.inner.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Takes the lock if it is free right now; `None` if another guard holds it.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::sync::Mutex::new(0);
    /// let g = m.lock();
    /// assert!(m.try_lock().is_none());
    /// drop(g);
    /// assert!(m.try_lock().is_some());
    /// # });
    /// ```
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        match self.inner.try_lock() {
            Ok(inner) => Some(MutexGuard { lock: self, inner }),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(MutexGuard {
                lock: self,
                inner: e.into_inner(),
            }),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    /// Consumes the mutex and returns its value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::sync::Mutex::new(3).into_inner(), 3);
    /// # });
    /// ```
    pub fn into_inner(self) -> T {
        self.inner.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.try_lock() {
            Some(g) => f.debug_struct("Mutex").field("data", &&*g).finish(),
            None => f.debug_struct("Mutex").field("data", &"<locked>").finish(),
        }
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

// ---------------------------------------------------------------------------------------------
// Condvar

/// A condition variable paired with a [`Mutex`], with predicate waits and a timed predicate
/// wait that a model checker explores in both branches (see the module docs).
///
/// Every wait takes a predicate, so spurious wakeups never reach the caller.
///
/// ```
/// use verisync::sync::{model, thread, Arc, Condvar, Mutex};
///
/// model(|| {
///     let pair = Arc::new((Mutex::new(false), Condvar::new()));
///     let p2 = Arc::clone(&pair);
///     let t = thread::spawn(move || {
///         *p2.0.lock() = true;
///         p2.1.notify_all();
///     });
///     let g = pair.1.wait_while(pair.0.lock(), |ready| !*ready);
///     assert!(*g);
///     drop(g);
///     t.join().unwrap();
/// });
/// ```
pub struct Condvar {
    #[cfg(not(any(loom, feature = "shuttle")))]
    inner: std::sync::Condvar,
    #[cfg(any(loom, feature = "shuttle"))]
    list: imp::Arc<modelled::WaitList>,
}

impl Condvar {
    /// Creates a condition variable with no waiters.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let cv = verisync::sync::Condvar::new();
    /// cv.notify_all(); // nobody waits: a no-op
    /// # });
    /// ```
    pub fn new() -> Self {
        Condvar {
            #[cfg(not(any(loom, feature = "shuttle")))]
            inner: std::sync::Condvar::new(),
            #[cfg(any(loom, feature = "shuttle"))]
            list: imp::Arc::new(modelled::WaitList::new()),
        }
    }

    /// Releases the lock and blocks while `condition` holds, retaking the lock to re-check it
    /// after every wakeup; returns with the lock held and `condition` false.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// use verisync::sync::{Condvar, Mutex};
    /// let (m, cv) = (Mutex::new(1), Condvar::new());
    /// // The condition is already false: returns at once.
    /// let g = cv.wait_while(m.lock(), |n| *n == 0);
    /// assert_eq!(*g, 1);
    /// # });
    /// ```
    pub fn wait_while<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        let (guard, done) = self.wait_for(guard, Wait::Forever, |v| (!condition(v)).then_some(()));
        debug_assert!(done.is_some());
        guard
    }

    /// Like [`wait_while`](Condvar::wait_while), but gives up once `timeout` has passed with
    /// `condition` still true. Returns the guard and `true` if it timed out (the condition
    /// still holds), `false` if the condition became false.
    ///
    /// A timeout of [`FOREVER`] or more (`Duration::MAX`, say) waits without a deadline.
    ///
    /// ```
    /// use std::time::Duration;
    /// use verisync::sync::{model, Condvar, Mutex};
    ///
    /// model(|| {
    ///     let (m, cv) = (Mutex::new(0), Condvar::new());
    ///     // Nobody will change the value: the wait times out (under a model too).
    ///     let (g, timed_out) = cv.wait_timeout_while(m.lock(), Duration::from_millis(1), |n| *n == 0);
    ///     assert!(timed_out);
    ///     assert_eq!(*g, 0);
    /// });
    /// ```
    pub fn wait_timeout_while<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> (MutexGuard<'a, T>, bool) {
        let (guard, done) = self.wait_for(guard, Wait::timeout(timeout), |v| {
            (!condition(v)).then_some(())
        });
        (guard, done.is_none())
    }

    /// The one wait every blocking path of verisync goes through: calls `poll` with the lock
    /// held, and sleeps until it returns `Some(outcome)`; returns the guard and that outcome, or
    /// `None` once `wait` has run out (a [`Wait::Try`] polls once and never sleeps).
    ///
    /// `poll` runs exactly once before each sleep and once after each wakeup, as a condition
    /// does in std, so a poll with a side effect (announcing the sleep, say) runs as often
    /// under a model as in production.
    pub(crate) fn wait_for<'a, T, R>(
        &self,
        guard: MutexGuard<'a, T>,
        wait: Wait,
        mut poll: impl FnMut(&mut T) -> Option<R>,
    ) -> (MutexGuard<'a, T>, Option<R>) {
        self.wait_until(guard, wait, &mut poll)
    }

    /// Wakes one thread now waiting on this condition variable, if any (not buffered).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// verisync::sync::Condvar::new().notify_one();
    /// # });
    /// ```
    pub fn notify_one(&self) {
        #[cfg(not(any(loom, feature = "shuttle")))]
        self.inner.notify_one();
        #[cfg(any(loom, feature = "shuttle"))]
        self.list.notify_one();
    }

    /// Wakes every thread now waiting on this condition variable.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// verisync::sync::Condvar::new().notify_all();
    /// # });
    /// ```
    pub fn notify_all(&self) {
        #[cfg(not(any(loom, feature = "shuttle")))]
        self.inner.notify_all();
        #[cfg(any(loom, feature = "shuttle"))]
        self.list.notify_all();
    }

    #[cfg(not(any(loom, feature = "shuttle")))]
    fn wait_until<'a, T, R>(
        &self,
        guard: MutexGuard<'a, T>,
        wait: Wait,
        poll: &mut dyn FnMut(&mut T) -> Option<R>,
    ) -> (MutexGuard<'a, T>, Option<R>) {
        let MutexGuard { lock, mut inner } = guard;
        let outcome = loop {
            if let Some(done) = poll(&mut inner) {
                break Some(done);
            }
            match wait.remaining() {
                None => inner = self.inner.wait(inner).unwrap_or_else(|e| e.into_inner()),
                Some(left) if left.is_zero() => break None,
                Some(left) => {
                    inner = match self.inner.wait_timeout(inner, left) {
                        Ok((g, _)) => g,
                        Err(e) => e.into_inner().0,
                    };
                }
            }
        };
        (MutexGuard { lock, inner }, outcome)
    }

    #[cfg(any(loom, feature = "shuttle"))]
    fn wait_until<'a, T, R>(
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
            Some(t) => modelled::arm(&self.list, t),
            None => None,
        };
        // One look at the condition before each wait, as in std: a condition with a side
        // effect (announcing the sleep, say) runs exactly as often as it would in production.
        let outcome = loop {
            let lock = guard.lock;
            // Registers as a waiter before the user's lock is released: no lost wakeup.
            if self.list.wait(timer, move || drop(guard)) {
                guard = lock.lock();
                break poll(&mut guard);
            }
            guard = lock.lock();
            if let Some(done) = poll(&mut guard) {
                break Some(done);
            }
        };
        if let Some(id) = timer {
            modelled::disarm(&self.list, id);
        }
        (guard, outcome)
    }
}

impl Default for Condvar {
    fn default() -> Self {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar").finish_non_exhaustive()
    }
}

/// The modelled condition variable and virtual clock (see the module docs).
#[cfg(any(loom, feature = "shuttle"))]
mod modelled {
    use super::backend::sync::{Arc, Condvar, Mutex, MutexGuard};
    use super::backend::thread;
    use std::time::Duration;

    /// One condition variable's waiters, with notifications kept as state.
    pub(super) struct WaitList {
        state: Mutex<WaitState>,
        cv: Condvar,
    }

    #[derive(Default)]
    struct WaitState {
        next_ticket: u64,
        /// Tickets of the threads now waiting.
        waiting: Vec<u64>,
        /// `notify_all` wakes every ticket below this.
        woken_below: u64,
        /// `notify_one` tokens: a token `k` may be taken by one waiting ticket below `k`.
        tokens: Vec<u64>,
        /// Timers armed on this list, and whether each has fired.
        timers: Vec<(u64, bool)>,
    }

    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    impl WaitList {
        pub(super) fn new() -> Self {
            WaitList {
                state: Mutex::new(WaitState::default()),
                cv: Condvar::new(),
            }
        }

        /// Registers as a waiter, runs `release` (drops the user's guard), and blocks until
        /// notified or until `timer` fires. Returns `true` if the timer fired.
        pub(super) fn wait(&self, timer: Option<u64>, release: impl FnOnce()) -> bool {
            let mut st = lock(&self.state);
            let ticket = st.next_ticket;
            st.next_ticket += 1;
            st.waiting.push(ticket);
            release();
            let timed_out = loop {
                if let Some(id) = timer {
                    if st.timers.iter().any(|&(t, fired)| t == id && fired) {
                        break true;
                    }
                }
                if ticket < st.woken_below {
                    break false;
                }
                // Take the earliest token this ticket is eligible for.
                let eligible = st
                    .tokens
                    .iter()
                    .enumerate()
                    .filter(|&(_, &k)| ticket < k)
                    .min_by_key(|&(_, &k)| k)
                    .map(|(i, _)| i);
                if let Some(i) = eligible {
                    st.tokens.swap_remove(i);
                    break false;
                }
                st = self.cv.wait(st).unwrap_or_else(|e| e.into_inner());
            };
            st.waiting.retain(|&t| t != ticket);
            // A token nobody still waiting may take is gone: notifications are not buffered.
            let WaitState {
                waiting, tokens, ..
            } = &mut *st;
            tokens.retain(|&k| waiting.iter().any(|&t| t < k));
            timed_out
        }

        pub(super) fn notify_one(&self) {
            let mut st = lock(&self.state);
            let unserved = st.waiting.iter().filter(|&&t| t >= st.woken_below).count();
            if st.tokens.len() < unserved {
                let k = st.next_ticket;
                st.tokens.push(k);
                // Every waiter re-checks; the checker decides which one takes the token.
                self.cv.notify_all();
            }
        }

        pub(super) fn notify_all(&self) {
            let mut st = lock(&self.state);
            if !st.waiting.is_empty() {
                st.woken_below = st.next_ticket;
                st.tokens.clear();
                self.cv.notify_all();
            }
        }

        fn fire(&self, id: u64) {
            let mut st = lock(&self.state);
            if let Some(timer) = st.timers.iter_mut().find(|(t, _)| *t == id) {
                timer.1 = true;
                self.cv.notify_all();
            }
        }
    }

    struct Timer {
        id: u64,
        deadline: Duration,
        list: Arc<WaitList>,
    }

    #[derive(Default)]
    struct Clock {
        now: Duration,
        next_id: u64,
        pending: Vec<Timer>,
        running: bool,
    }

    super::backend::lazy_static! {
        // One clock per execution: the checker resets it between executions. loom drops its
        // statics when the model's closure returns, maybe before the clock thread is done, so
        // the clock thread holds its own `Arc`.
        static ref CLOCK: Arc<Mutex<Clock>> = Arc::new(Mutex::new(Clock::default()));
    }

    /// Arms a timer `timeout` from now on `list`; `None` if the deadline is past the clock's
    /// range (such a wait never times out). Starts the clock thread if none is running.
    pub(super) fn arm(list: &Arc<WaitList>, timeout: Duration) -> Option<u64> {
        let shared: Arc<Mutex<Clock>> = Arc::clone(&CLOCK);
        let mut clock = lock(&shared);
        let deadline = clock.now.checked_add(timeout)?;
        let id = clock.next_id;
        clock.next_id += 1;
        lock(&list.state).timers.push((id, false));
        clock.pending.push(Timer {
            id,
            deadline,
            list: Arc::clone(list),
        });
        if !clock.running {
            clock.running = true;
            let shared = Arc::clone(&shared);
            drop(thread::spawn(move || run_clock(&shared)));
        }
        Some(id)
    }

    /// Forgets timer `id`, fired or not.
    pub(super) fn disarm(list: &WaitList, id: u64) {
        lock(&CLOCK).pending.retain(|t| t.id != id);
        lock(&list.state).timers.retain(|&(t, _)| t != id);
    }

    /// The clock thread: fires pending timers earliest first; exits when none is left.
    fn run_clock(shared: &Mutex<Clock>) {
        loop {
            let timer = {
                let mut clock = lock(shared);
                let Some(next) =
                    (0..clock.pending.len()).min_by_key(|&i| clock.pending[i].deadline)
                else {
                    clock.running = false;
                    return;
                };
                let timer = clock.pending.swap_remove(next);
                clock.now = clock.now.max(timer.deadline);
                timer
            };
            timer.list.fire(timer.id);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// UnsafeCell

#[cfg(loom)]
pub use loom::cell::UnsafeCell;

/// An `UnsafeCell` in loom's shape: access goes through [`with`](UnsafeCell::with) and
/// [`with_mut`](UnsafeCell::with_mut), so that loom can check every access for a data race.
///
/// ```
/// # verisync::sync::model(|| {
/// let c = verisync::sync::UnsafeCell::new(1);
/// // SAFETY: nothing else can reach `c`.
/// c.with_mut(|p| unsafe { *p += 1 });
/// assert_eq!(c.with(|p| unsafe { *p }), 2);
/// # });
/// ```
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    /// Wraps `value`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::sync::UnsafeCell::new(0u8);
    /// assert_eq!(c.into_inner(), 0);
    /// # });
    /// ```
    pub const fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// Consumes the cell and returns the value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::sync::UnsafeCell::new("v").into_inner(), "v");
    /// # });
    /// ```
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

#[cfg(not(loom))]
impl<T: ?Sized> UnsafeCell<T> {
    /// Calls `f` with a shared pointer to the value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::sync::UnsafeCell::new(7);
    /// assert_eq!(c.with(|p| unsafe { *p }), 7);
    /// # });
    /// ```
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Calls `f` with a unique pointer to the value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::sync::UnsafeCell::new(7);
    /// c.with_mut(|p| unsafe { *p = 8 });
    /// assert_eq!(c.into_inner(), 8);
    /// # });
    /// ```
    #[inline]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
