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
//! The items that differ by world live one world to a file: `sync/std.rs` (a normal build) and
//! `sync/model.rs` (loom or shuttle), with time and the modelled condition variable in
//! `sync/clock.rs`. This root holds what is written once for all worlds: the infallible
//! [`Mutex`], the [`Condvar`] with its one internal wait, [`thread::token`], the cell, and what a
//! timeout means (`sync/wait.rs`).
//!
//! # Time inside a model
//!
//! Neither loom nor shuttle models time: their `wait_timeout` never times out, and a lone timed
//! waiter is reported as a deadlock. verisync models it with a **virtual clock driven by one
//! clock thread per execution** (`sync/clock.rs`): every timed wait is explored both woken and
//! timed out, a thread in a timed wait is never reported as deadlocked, and a model pays at most
//! one extra model thread per execution however many timed waits it makes (loom allows 5
//! threads including the model's main thread, so a model with timed waits has room for four of
//! its own, main included). A timeout of zero tries once, and one of [`FOREVER`] or more is no timeout, in every
//! world. `loom_tests/facade.rs`, `loom_tests/user_models.rs` and `tests/shuttle_facade.rs` prove
//! that both branches are reached, that a lone timed waiter returns, and that a failing model
//! fails as a test instead of aborting.
//!
//! # `Arc`
//!
//! [`Arc`] is std's in every world (shuttle's is std's too): its reference counts are std's to
//! get right, and a checker's `Arc` left on the stack of a thread that a failing model abandons
//! would abort the test binary instead of failing the test.

#[cfg(all(loom, feature = "shuttle"))]
compile_error!(
    "verisync: `--cfg loom` and feature `shuttle` each select a model checker; build with one of them"
);

#[cfg(loom)]
use loom as backend;
#[cfg(all(feature = "shuttle", not(loom)))]
use shuttle as backend;

#[cfg(not(any(loom, feature = "shuttle")))]
#[path = "sync/std.rs"]
mod world;
#[cfg(any(loom, feature = "shuttle"))]
#[path = "sync/model.rs"]
mod world;

#[cfg(not(loom))]
mod cell;
#[cfg(any(loom, feature = "shuttle"))]
mod clock;
#[cfg(not(any(loom, feature = "shuttle")))]
pub(crate) mod stress;
mod wait;

#[cfg(not(loom))]
pub use cell::UnsafeCell;
#[cfg(loom)]
pub use loom::cell::UnsafeCell;
pub use std::sync::Arc;
/// std's, as [`Arc`] is, in every world.
pub use std::sync::Weak;
// The one doc of both arms: a re-export's doc is the re-export's own, and each arm is one.
#[doc = include_str!("sync/thread_local.md")]
#[cfg(any(loom, feature = "shuttle"))]
pub use backend::thread_local;
#[cfg(all(feature = "shuttle", not(loom)))]
pub(crate) use clock::with_spurious_budget as with_spurious_wakeups;
#[doc = include_str!("sync/thread_local.md")]
#[cfg(not(any(loom, feature = "shuttle")))]
pub use std::thread_local;
pub(crate) use wait::Wait;
pub(crate) use world::raw_atomic;
pub(crate) use world::{abandoned, stress_point, woke_spuriously, Backoff, Spin};
pub use world::{atomic, model, spin_loop, thread};

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::time::Duration;
use world::imp;

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

/// Sets how many spurious wakeups a model checker may inject per thread and execution into the
/// models run from this thread (the thread that calls `loom::model`, `shuttle::check_*` or [`model`]);
/// without it, `VERISYNC_SPURIOUS` decides, and without that, 1 under shuttle and 0 under loom
/// (whose exhaustive exploration pays for each: about ten times the executions for one, in
/// the casebook's models). Does nothing in std.
///
/// With a budget, every condition wait and every [`thread::park`] may end without a
/// notification, as real ones may (loom never does on its own; shuttle only in a `park`, while
/// another thread can run): the facade's virtual
/// clock wakes the waiter at a point the checker chooses. Waits with a predicate check it
/// again; [`Condition::wait`](crate::Condition) and `park` return, so a caller that waits with
/// `if` instead of `while` fails its model. The budget keeps exploration finite: once it is
/// spent, a thread nobody will wake is reported as deadlocked. Set 0 for a model whose point
/// is something else and that a spurious wakeup would only slow down. Call it before the model
/// runs: each wait is granted its spurious wakeup, or not, when it begins.
///
/// ```
/// use verisync::sync::{model, set_spurious_wakeups};
/// use verisync::Condition;
///
/// set_spurious_wakeups(1);
/// model(|| {
///     let c = Condition::new(false);
///     let mut g = c.lock();
///     // Nobody notifies: under a model the wait may end spuriously (or time out).
///     let _ = g.wait_timeout(std::time::Duration::from_millis(1));
///     assert!(!*g);
/// });
/// ```
pub fn set_spurious_wakeups(per_execution: u32) {
    world::set_spurious_wakeups(per_execution);
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

mod token {
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
        super::world::thread::TOKEN.with(|t| {
            if t.get() == 0 {
                let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // 2^63 threads cannot be started, so the shift never wraps to a reused name.
                t.set(n << 1);
            }
            t.get()
        })
    }
}

/// A number never returned before in this process, larger than every earlier one: an order
/// for objects that must be locked in one global order ([`Account::transfer`](crate::Account)).
///
/// Not an address: heap addresses differ between a checker's executions of one model, and
/// loom and shuttle replay a schedule on the assumption that the model does the same thing
/// each time. A lock order by address flips between executions, and loom then replays a
/// schedule recorded for the other order and reports a deadlock that cannot happen. Serials
/// keep creation order, which is the same in every execution of a model.
pub(crate) fn serial() -> u64 {
    // A plain std counter in every backend, as for `token`: it orders nothing between threads
    // (the objects it numbers are shared by other means). Relaxed: uniqueness and this
    // thread's creation order need only the atomicity of the increment.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

// ---------------------------------------------------------------------------------------------
// Mutex

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
    // `None` only while lent to a condition variable's wait. No `Drop` of its own: dropping
    // the backend's guard unlocks, which the checkers' own guards make safe while a failing
    // model is torn down (loom's unlock takes no scheduling step, shuttle's stops scheduling
    // once the test failed; loom_user_models'
    // `a_lock_order_deadlock_on_the_facade_mutex_fails_as_a_test`). verisync's own locks
    // unlock with atomics a checker schedules, and need `abandoned` for that.
    inner: Option<imp::MutexGuard<'a, T>>,
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
        stress_point();
        MutexGuard {
            lock: self,
            inner: Some(self.inner.lock().unwrap_or_else(|e| e.into_inner())),
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
        stress_point();
        match self.inner.try_lock() {
            Ok(inner) => Some(MutexGuard {
                lock: self,
                inner: Some(inner),
            }),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(MutexGuard {
                lock: self,
                inner: Some(e.into_inner()),
            }),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    /// The value, through a unique borrow: no locking needed.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let mut m = verisync::sync::Mutex::new(3);
    /// *m.get_mut() += 1;
    /// assert_eq!(m.into_inner(), 4);
    /// # });
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut().unwrap_or_else(|e| e.into_inner())
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

// Only the std world lends the guard out (a modelled wait drops and retakes it instead).
#[cfg_attr(any(loom, feature = "shuttle"), allow(dead_code))]
impl<'a, T> MutexGuard<'a, T> {
    /// Lends the backend's guard to a condition variable's wait; [`put`](Self::put) returns it.
    fn take(&mut self) -> imp::MutexGuard<'a, T> {
        self.inner
            .take()
            .expect("a guard is lent to one wait at a time")
    }

    fn put(&mut self, inner: imp::MutexGuard<'a, T>) {
        self.inner = Some(inner);
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner
            .as_ref()
            .expect("the guard is back from its wait")
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner
            .as_mut()
            .expect("the guard is back from its wait")
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
    inner: world::RawCondvar,
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
            inner: world::RawCondvar::new(),
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
        self.inner.wait_for(guard, wait, &mut poll)
    }

    /// Wakes one thread now waiting on this condition variable, if any (not buffered).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// verisync::sync::Condvar::new().notify_one();
    /// # });
    /// ```
    pub fn notify_one(&self) {
        self.inner.notify_one();
    }

    /// Wakes every thread now waiting on this condition variable.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// verisync::sync::Condvar::new().notify_all();
    /// # });
    /// ```
    pub fn notify_all(&self) {
        self.inner.notify_all();
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

#[cfg(test)]
mod tests {
    use super::serial;

    #[test]
    fn serials_only_grow() {
        let serials: Vec<u64> = (0..4).map(|_| serial()).collect();
        assert!(serials.windows(2).all(|w| w[0] < w[1]), "{serials:?}");
    }
}
