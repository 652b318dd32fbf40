//! [`Timer`]: a function run once after a delay on its own thread, unless cancelled first;
//! Python's `threading.Timer` (the notes' 004, 案例17).
//!
//! # From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `t = threading.Timer(interval, function); t.start()` | [`Timer::start(interval, function)`](Timer::start) |
//! | `t.cancel()` | [`cancel`](Timer::cancel), which says whether the function will never run |
//! | `t.join()` | [`join`](Timer::join): the function's value, `None` if cancelled, `Err` if it panicked |
//!
//! # Design
//!
//! The timer's thread waits for a cancel [`Event`] with the delay as its timeout, so the
//! delay runs on the facade's clock: under a model checker "cancelled in time" and "fired
//! first" are both explored. Whether the function runs is decided by one compare-and-swap
//! (`src/decision.rs`, shared with the thread pool's tasks): cancelled (by `cancel`) or started
//! (by the thread once the delay is over): whichever comes first wins, so a `cancel` that
//! returns `true` means the function never runs, however the two race.

use crate::decision::{Decided, Decision};
use crate::sync::thread::{self, JoinHandle};
use crate::sync::{Arc, Wait};
use crate::Event;
use std::fmt;
use std::time::Duration;

/// What the timer's thread and its handle share.
struct Shared {
    decision: Decision,
    /// Set by `cancel`, to end the thread's wait early.
    cancelled: Event,
}

/// A function that runs once, on a thread of its own, after a delay, unless
/// [`cancel`](Timer::cancel)led first.
///
/// # Contract
///
/// * The function starts no earlier than `delay` after [`start`](Timer::start), at most once.
/// * [`cancel`](Timer::cancel) returns `true` exactly when the function will never run (this
///   call or an earlier one cancelled it in time), `false` once it has started.
/// * [`join`](Timer::join) waits for the thread: `Ok(Some(value))` if the function ran,
///   `Ok(None)` if it was cancelled, `Err` with the panic if the function panicked. A
///   cancelled timer's `join` returns without waiting out the delay.
/// * Dropping a `Timer` does not cancel it (Python's doesn't either): the function still runs
///   after the delay, on its own thread.
///
/// # Memory ordering
///
/// What the caller did before `start` happens-before the function runs; what the function
/// did happens-before `join` returns.
///
/// # Examples
///
/// The notes' 案例17: a reminder that fires unless it is cancelled first. An hour is long
/// enough to change one's mind in real time; a model checker, whose time is virtual, also
/// explores the timer firing first, so the example holds either way.
///
/// ```
/// use std::time::Duration;
/// use verisync::Timer;
///
/// # verisync::sync::model(|| {
/// let reminder = Timer::start(Duration::from_secs(3600), || "time's up");
/// let cancelled = reminder.cancel();
/// let expected = if cancelled { None } else { Some("time's up") };
/// assert_eq!(reminder.join().unwrap(), expected);
///
/// let soon = Timer::start(Duration::ZERO, || 42);
/// assert_eq!(soon.join().unwrap(), Some(42));
/// # });
/// ```
pub struct Timer<R> {
    shared: Arc<Shared>,
    thread: JoinHandle<Option<R>>,
}

impl<R: Send + 'static> Timer<R> {
    /// Starts a timer that runs `function` on its own thread once `delay` has passed, unless
    /// cancelled first. A delay of [`FOREVER`](crate::sync::FOREVER) or more never fires.
    ///
    /// # Panics
    ///
    /// If the thread cannot be spawned (as [`std::thread::spawn`] does).
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let t = verisync::Timer::start(Duration::from_millis(5), || 1 + 1);
    /// assert_eq!(t.join().unwrap(), Some(2));
    /// # });
    /// ```
    pub fn start(delay: Duration, function: impl FnOnce() -> R + Send + 'static) -> Self {
        let shared = Arc::new(Shared {
            decision: Decision::new(),
            cancelled: Event::new(),
        });
        let s = Arc::clone(&shared);
        let thread = thread::spawn(move || {
            let cancelled_early = s.cancelled.wait_until(Wait::timeout(delay));
            if cancelled_early || !s.decision.start() {
                return None;
            }
            Some(function())
        });
        Timer { shared, thread }
    }

    /// Cancels the timer if its function has not started: `true` if the function will never
    /// run (cancelled by this call or an earlier one), `false` if it has started or finished.
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let t = verisync::Timer::start(Duration::from_secs(60), || ());
    /// let cancelled = t.cancel(); // true unless the timer fired first (a model explores both)
    /// assert_eq!(t.cancel(), cancelled); // a second cancel says the same
    /// assert_eq!(t.join().unwrap().is_none(), cancelled);
    /// # });
    /// ```
    pub fn cancel(&self) -> bool {
        self.shared.decision.cancel(|| self.shared.cancelled.set())
    }

    /// Waits for the timer's thread: `Some` with the function's value if it ran, `None` if it
    /// was cancelled first.
    ///
    /// # Errors
    ///
    /// The function's panic, as [`std::thread::JoinHandle::join`] gives it.
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let t = verisync::Timer::start(Duration::ZERO, || 6 * 7);
    /// assert_eq!(t.join().unwrap(), Some(42));
    /// # });
    /// ```
    pub fn join(self) -> std::thread::Result<Option<R>> {
        self.thread.join()
    }
}

impl<R> fmt::Debug for Timer<R> {
    /// Shows whether the function is pending, cancelled or started.
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let t = verisync::Timer::start(Duration::from_secs(60), || ());
    /// let state = if t.cancel() { "cancelled" } else { "started" };
    /// assert_eq!(format!("{t:?}"), format!("Timer {{ state: {state:?}, .. }}"));
    /// # t.join().unwrap();
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.shared.decision.get() {
            Decided::Pending => "pending",
            Decided::Cancelled => "cancelled",
            Decided::Started => "started",
        };
        f.debug_struct("Timer")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}
