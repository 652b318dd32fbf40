//! [`Barrier`]: a meeting point for a fixed number of threads, Python's `threading.Barrier`.
//!
//! std's `Barrier` cannot time out, break, or be reset; CPython's can, and this one does all
//! of it.
//!
//! # From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `threading.Barrier(parties)` / `Barrier(parties, action)` | [`Barrier::new`] / [`Barrier::with_action`] |
//! | `barrier.wait()` / `barrier.wait(timeout=t)` (the arrival index) | [`wait`](Barrier::wait) / [`wait_timeout`](Barrier::wait_timeout) (`Ok(index)`) |
//! | `BrokenBarrierError` | [`BarrierError::Broken`], and [`BarrierError::TimedOut`] for the thread whose wait broke it |
//! | `barrier.abort()` / `barrier.reset()` | [`abort`](Barrier::abort) / [`reset`](Barrier::reset) |
//! | `parties` / `n_waiting` / `broken` | [`parties`](Barrier::parties) / [`n_waiting`](Barrier::n_waiting) / [`is_broken`](Barrier::is_broken) |
//!
//! # Design
//!
//! A [`Mutex`](crate::Mutex) (the parking core) guards the count of threads arrived and the
//! current *generation*: one round of the barrier, with an [`Event`] its waiters sleep on and
//! a flag saying whether it ended broken. The last thread to arrive runs the action, starts the
//! next generation and sets the event of the one that ended; breaking (a timeout, a panicking
//! action, `abort`, `reset` with threads waiting) flags the generation broken and sets its
//! event. The event is set only under the lock, so a thread that holds the lock knows whether
//! its generation has ended. Each waiter holds its own generation, so it reads its round's
//! outcome however late it runs.

use crate::sync::raw_atomic::{AtomicBool, Ordering};
use crate::sync::{Arc, Wait};
use crate::{Event, Mutex, MutexGuard};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;
use thiserror::Error;

/// Why a [`Barrier`] wait did not pass.
///
/// ```
/// # verisync::sync::model(|| {
/// use verisync::{Barrier, BarrierError};
/// let b = Barrier::new(2);
/// assert_eq!(b.wait_timeout(std::time::Duration::ZERO), Err(BarrierError::TimedOut));
/// assert_eq!(b.wait(), Err(BarrierError::Broken)); // broken until reset
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum BarrierError {
    /// The barrier is broken: a wait timed out, the action panicked, or it was aborted or
    /// reset while this thread waited. It stays broken until [`reset`](Barrier::reset).
    #[error(
        "the barrier is broken (a wait timed out, the action panicked, or it was aborted or reset)"
    )]
    Broken,
    /// This thread's wait timed out, and broke the barrier for the others.
    #[error("the barrier wait timed out, which broke the barrier")]
    TimedOut,
}

/// One round of the barrier.
struct Generation {
    /// Set when the round ends, passed or broken; only under the barrier's lock.
    ended: Event,
    /// Whether the round ended broken.
    broken: AtomicBool,
}

impl Generation {
    fn new() -> Arc<Self> {
        Arc::new(Generation {
            ended: Event::new(),
            broken: AtomicBool::new(false),
        })
    }

    fn outcome(&self, index: usize) -> Result<usize, BarrierError> {
        // Ordering: Relaxed: stored before `ended` was set (a Release) and loaded after a wait
        // or a look under the barrier's lock that saw it set (an Acquire).
        if self.broken.load(Ordering::Relaxed) {
            Err(BarrierError::Broken)
        } else {
            Ok(index)
        }
    }
}

struct State {
    /// Threads arrived in the current generation.
    count: usize,
    generation: Arc<Generation>,
    /// The current generation ended broken; cleared by `reset`.
    broken: bool,
}

/// A meeting point for `parties` threads: each [`wait`](Barrier::wait) blocks until `parties`
/// threads have called it, then all of them go, and the barrier is ready for the next round.
///
/// # Contract
///
/// * A round passes when its `parties`-th thread arrives: every thread of the round returns
///   `Ok(index)`, its arrival order (0 for the first, `parties - 1` for the last, which runs
///   the action first, if there is one).
/// * A round breaks when a wait times out (that thread gets [`BarrierError::TimedOut`]), the
///   action panics (the last thread resumes the panic), or [`abort`](Barrier::abort) is
///   called; every thread waiting, and every later wait, gets [`BarrierError::Broken`] until
///   [`reset`](Barrier::reset). `reset` with threads waiting breaks their round for them, then
///   makes the barrier whole and empty.
/// * A zero timeout waits for nobody: unless this thread completes the round, it breaks it.
///
/// # Fairness
///
/// A passing round releases all of its threads at once.
///
/// # Memory ordering
///
/// Everything each thread of a round did before its `wait` (and the action) happens-before
/// every `wait` of that round returns.
///
/// # Panics
///
/// [`Barrier::new`] and [`Barrier::with_action`] panic if `parties` is 0. A panic in the
/// action is resumed in the thread that ran it, after the barrier is broken.
///
/// # Examples
///
/// Two workers finish their first phase before either starts the second:
///
/// ```
/// use verisync::Barrier;
/// use verisync::sync::{model, thread, Arc};
///
/// model(|| {
///     let b = Arc::new(Barrier::new(2));
///     let b2 = Arc::clone(&b);
///     let t = thread::spawn(move || b2.wait().unwrap());
///     let mine = b.wait().unwrap();
///     let theirs = t.join().unwrap();
///     assert_eq!(mine + theirs, 1); // indices 0 and 1, in arrival order
/// });
/// ```
pub struct Barrier {
    parties: usize,
    action: Option<Box<dyn Fn() + Send + Sync>>,
    state: Mutex<State>,
}

impl Barrier {
    /// A barrier for `parties` threads.
    ///
    /// # Panics
    ///
    /// If `parties` is 0: no round could ever pass.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let b = verisync::Barrier::new(1);
    /// assert_eq!(b.wait(), Ok(0)); // one party: every wait passes at once
    /// # });
    /// ```
    pub fn new(parties: usize) -> Self {
        Self::build(parties, None)
    }

    /// A barrier for `parties` threads whose last arrival in each round runs `action` before
    /// the round's threads go (Python's `Barrier(parties, action=…)`).
    ///
    /// # Panics
    ///
    /// If `parties` is 0.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// # verisync::sync::model(|| {
    /// let rounds = std::sync::Arc::new(AtomicUsize::new(0));
    /// let r = rounds.clone();
    /// let b = verisync::Barrier::with_action(1, move || {
    ///     r.fetch_add(1, Ordering::Relaxed);
    /// });
    /// b.wait().unwrap();
    /// b.wait().unwrap();
    /// assert_eq!(rounds.load(Ordering::Relaxed), 2);
    /// # });
    /// ```
    pub fn with_action(parties: usize, action: impl Fn() + Send + Sync + 'static) -> Self {
        Self::build(parties, Some(Box::new(action)))
    }

    fn build(parties: usize, action: Option<Box<dyn Fn() + Send + Sync>>) -> Self {
        assert!(
            parties > 0,
            "Barrier::new: parties must be at least 1 (a barrier for nobody never opens)"
        );
        Barrier {
            parties,
            action,
            state: Mutex::new(State {
                count: 0,
                generation: Generation::new(),
                broken: false,
            }),
        }
    }

    /// Waits until `parties` threads have called `wait` in this round; `Ok` with this thread's
    /// arrival index.
    ///
    /// # Errors
    ///
    /// [`BarrierError::Broken`] if the barrier is broken, or breaks while this thread waits.
    ///
    /// ```
    /// use verisync::Barrier;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let b = Arc::new(Barrier::new(2));
    ///     let b2 = Arc::clone(&b);
    ///     let t = thread::spawn(move || b2.wait());
    ///     assert!(b.wait().is_ok());
    ///     assert!(t.join().unwrap().is_ok());
    /// });
    /// ```
    pub fn wait(&self) -> Result<usize, BarrierError> {
        self.wait_as(Wait::Forever)
    }

    /// Like [`wait`](Barrier::wait), but waits at most `timeout`; a timeout breaks the barrier
    /// (as in CPython). A zero timeout passes only if this thread completes the round;
    /// [`FOREVER`](crate::sync::FOREVER) or more waits like `wait`. Under a model checker both
    /// outcomes are explored.
    ///
    /// # Errors
    ///
    /// [`BarrierError::TimedOut`] if the time ran out (the barrier is broken now), or
    /// [`BarrierError::Broken`] as for `wait`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use verisync::{Barrier, BarrierError};
    /// # verisync::sync::model(|| {
    /// let b = Barrier::new(2);
    /// assert_eq!(b.wait_timeout(Duration::from_millis(5)), Err(BarrierError::TimedOut));
    /// assert!(b.is_broken());
    /// # });
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> Result<usize, BarrierError> {
        self.wait_as(Wait::timeout(timeout))
    }

    fn wait_as(&self, wait: Wait) -> Result<usize, BarrierError> {
        let mut state = self.state.lock();
        if state.broken {
            return Err(BarrierError::Broken);
        }
        let index = state.count;
        state.count += 1;
        let generation = Arc::clone(&state.generation);
        if state.count == self.parties {
            self.pass(state);
            return Ok(index);
        }
        drop(state);
        if generation.ended.wait_until(wait) {
            return generation.outcome(index);
        }
        // Out of time; but the round may have ended since (its event is set under the lock).
        let mut state = self.state.lock();
        if generation.ended.is_set() {
            return generation.outcome(index);
        }
        Self::break_round(&mut state);
        Err(BarrierError::TimedOut)
    }

    /// The round's last thread: runs the action, starts the next round, lets this one go.
    fn pass(&self, mut state: MutexGuard<'_, State>) {
        if let Some(action) = &self.action {
            if let Err(panic) = panic::catch_unwind(AssertUnwindSafe(action)) {
                Self::break_round(&mut state);
                drop(state);
                panic::resume_unwind(panic);
            }
        }
        let ended = std::mem::replace(&mut state.generation, Generation::new());
        state.count = 0;
        ended.ended.set();
    }

    /// Breaks the current round (under the lock): its waiters and every later wait get
    /// `Broken` until `reset`.
    fn break_round(state: &mut State) {
        state.broken = true;
        state.count = 0;
        // Ordering: Relaxed: published by the event's set just below (see `outcome`).
        state.generation.broken.store(true, Ordering::Relaxed);
        state.generation.ended.set();
    }

    /// Breaks the barrier: every thread waiting, and every later wait, gets
    /// [`BarrierError::Broken`] until [`reset`](Barrier::reset).
    ///
    /// ```
    /// use verisync::{Barrier, BarrierError};
    /// # verisync::sync::model(|| {
    /// let b = Barrier::new(2);
    /// b.abort();
    /// assert_eq!(b.wait(), Err(BarrierError::Broken));
    /// # });
    /// ```
    pub fn abort(&self) {
        Self::break_round(&mut self.state.lock());
    }

    /// Makes the barrier whole and empty again. Threads waiting in the current round get
    /// [`BarrierError::Broken`].
    ///
    /// ```
    /// use verisync::Barrier;
    /// # verisync::sync::model(|| {
    /// let b = Barrier::new(1);
    /// b.abort();
    /// assert!(b.is_broken());
    /// b.reset();
    /// assert_eq!(b.wait(), Ok(0));
    /// # });
    /// ```
    pub fn reset(&self) {
        let mut state = self.state.lock();
        if state.count > 0 {
            Self::break_round(&mut state);
        }
        state.generation = Generation::new();
        state.count = 0;
        state.broken = false;
    }

    /// How many threads must meet for a round to pass.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::Barrier::new(3).parties(), 3);
    /// # });
    /// ```
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// How many threads are waiting in the current round (a snapshot).
    ///
    /// ```
    /// use verisync::Barrier;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let b = Arc::new(Barrier::new(2));
    ///     assert_eq!(b.n_waiting(), 0);
    ///     let b2 = Arc::clone(&b);
    ///     let t = thread::spawn(move || b2.wait());
    ///     while b.n_waiting() == 0 {
    ///         thread::yield_now();
    ///     }
    ///     b.wait().unwrap();
    ///     t.join().unwrap().unwrap();
    ///     assert_eq!(b.n_waiting(), 0);
    /// });
    /// ```
    pub fn n_waiting(&self) -> usize {
        self.state.lock().count
    }

    /// Whether the barrier is broken (until [`reset`](Barrier::reset)).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let b = verisync::Barrier::new(2);
    /// assert!(!b.is_broken());
    /// b.abort();
    /// assert!(b.is_broken());
    /// # });
    /// ```
    pub fn is_broken(&self) -> bool {
        self.state.lock().broken
    }
}

impl fmt::Debug for Barrier {
    /// Shows the parties, the threads waiting and whether it is broken.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let b = verisync::Barrier::new(2);
    /// assert_eq!(format!("{b:?}"), "Barrier { parties: 2, n_waiting: 0, broken: false, .. }");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("n_waiting", &state.count)
            .field("broken", &state.broken)
            .finish_non_exhaustive()
    }
}
