//! [`Semaphore`] and [`BoundedSemaphore`]: Python's `threading.Semaphore` and
//! `threading.BoundedSemaphore`, with RAII permits.
//!
//! A semaphore lets at most `n` threads use a resource at once (004 案例16): each user takes a
//! permit before and gives it back after. Here [`acquire`](Semaphore::acquire) returns a
//! [`SemaphorePermit`] that gives the permit back when dropped, so a panic or an early `return`
//! cannot leak it. Where the notes use a semaphore to signal between threads (a producer
//! `release()`s, a consumer `acquire()`s), the consumer [`forget`](SemaphorePermit::forget)s its
//! permit and the producer calls [`release`](Semaphore::release).
//!
//! The casebook's `semaphore-over-release` shows why [`BoundedSemaphore`] exists: a stray
//! `release()` with no acquire before it makes a region guarded for one thread admit two. A
//! bounded semaphore refuses any release that would take it past its initial value.
//!
//! # From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `Semaphore(value)` / `BoundedSemaphore(value)` | [`Semaphore::new`] / [`BoundedSemaphore::new`], shared with [`Arc`](crate::sync::Arc) |
//! | `with sem:` | `let _permit = sem.acquire();` |
//! | `sem.acquire()` (released elsewhere) | `sem.acquire().forget()` |
//! | `sem.acquire(blocking=False)` / `sem.acquire(timeout=t)` | [`try_acquire`](Semaphore::try_acquire) / [`acquire_timeout`](Semaphore::acquire_timeout) |
//! | `sem.release(n=1)` | [`release(n)`](Semaphore::release) |
//! | `ValueError` from `BoundedSemaphore.release` | [`ReleaseError::OverRelease`], count unchanged |
//! | `sem._value` | [`available_permits`](Semaphore::available_permits) |
//!
//! # Design
//!
//! One atomic word holds the number of free permits and a `WAITERS` flag. While the flag is
//! clear, [`acquire`](Semaphore::acquire) and [`release`](Semaphore::release) are each a
//! single compare-and-swap on that word and take no lock. A thread that finds no permit takes
//! the queue's lock, sets the flag, joins a FIFO queue and sleeps on a condition variable. While
//! the flag is set the word holds no permit, and every release goes through the lock, where it
//! hands its permits straight to the threads at the head of the queue.
//!
//! The lost-wakeup race (a waiter decides to sleep just as the last holder releases) cannot
//! happen: the waiter sets the flag with a compare-and-swap on the same word that a release
//! changes, so either the release comes first and the waiter sees its permit, or the flag comes
//! first and the release sees it and takes the lock, which the waiter holds until it sleeps.

use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{Condvar, Mutex};
use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;
use thiserror::Error;

/// The `state` bit that says the queue is not empty (and so that no permit is free).
const WAITERS: usize = 1;
/// One permit in `state`: the count lives above the flag.
const ONE: usize = 2;
/// The most permits a semaphore can count.
const MAX_PERMITS: usize = usize::MAX / ONE;

/// Why a [`release`](Semaphore::release) was refused. The permit count is unchanged, and the
/// error carries the number of permits the caller tried to give back.
///
/// ```
/// # verisync::sync::model(|| {
/// use verisync::{BoundedSemaphore, ReleaseError};
/// let sem = BoundedSemaphore::new(1);
/// assert_eq!(
///     sem.release(1),
///     Err(ReleaseError::OverRelease { released: 1, available: 1, bound: 1 })
/// );
/// assert_eq!(sem.available_permits(), 1);
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ReleaseError {
    /// A [`BoundedSemaphore`] would hold more permits than it started with: more releases than
    /// acquires (Python's `ValueError: Semaphore released too many times`).
    #[error(
        "released too many times: {available} permits free + {released} released would exceed \
         the bound of {bound}"
    )]
    OverRelease {
        /// The number of permits the caller tried to give back.
        released: usize,
        /// The permits free when the release was refused.
        available: usize,
        /// The semaphore's bound (its initial number of permits).
        bound: usize,
    },
    /// A [`Semaphore`]'s count would pass [`Semaphore::MAX_PERMITS`].
    #[error(
        "permit count overflow: {available} permits free + {released} released would exceed \
         the maximum of {max}",
        max = MAX_PERMITS
    )]
    Overflow {
        /// The number of permits the caller tried to give back.
        released: usize,
        /// The permits free when the release was refused.
        available: usize,
    },
}

// ---------------------------------------------------------------------------------------------
// The shared core

/// The semaphore both public types are: a permit word, and a FIFO queue for blocked acquirers.
///
/// Invariants, while `queue`'s lock is held: `state & WAITERS` is set exactly when
/// `queue.waiting` is non-empty, and then `state == WAITERS` (no free permit). Only a holder of
/// the lock sets or clears the flag, and nobody changes a word that has the flag set without the
/// lock (every lock-free exchange expects the flag clear), so a thread that holds the lock and
/// sees the flag owns the word.
struct Raw {
    /// `free permits * ONE | WAITERS`.
    state: AtomicUsize,
    queue: Mutex<Queue>,
    /// Signalled when permits are handed to waiters.
    granted: Condvar,
    /// The most permits `state` may hold: the initial value when bounded, else `MAX_PERMITS`.
    bound: usize,
    bounded: bool,
}

#[derive(Default)]
struct Queue {
    next_ticket: u64,
    /// Tickets of the threads blocked in an acquire, oldest first.
    waiting: VecDeque<u64>,
    /// Tickets that a release has handed a permit, not yet collected by their thread.
    granted: Vec<u64>,
}

impl Raw {
    fn new(permits: usize, bounded: bool) -> Self {
        Raw {
            state: AtomicUsize::new(permits * ONE),
            queue: Mutex::new(Queue::default()),
            granted: Condvar::new(),
            bound: if bounded { permits } else { MAX_PERMITS },
            bounded,
        }
    }

    fn available(&self) -> usize {
        // Ordering: Relaxed: a snapshot for the caller; it orders nothing.
        self.state.load(Ordering::Relaxed) / ONE
    }

    /// Takes a free permit if there is one: the lock-free path.
    #[inline]
    fn try_acquire(&self) -> bool {
        // Ordering: Relaxed: only a first guess, which the exchange below checks.
        let mut state = self.state.load(Ordering::Relaxed);
        // With WAITERS set there is no free permit (and the queue is served first).
        while state & WAITERS == 0 && state >= ONE {
            // Ordering: Acquire on success: the permit was given back by a release (Release),
            // whose writes its new holder must see; Relaxed on failure: we only retry.
            match self.state.compare_exchange_weak(
                state,
                state - ONE,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
        false
    }

    /// Takes a permit, waiting at most `timeout` (`None`: forever). `true` if it got one.
    #[inline]
    fn acquire(&self, timeout: Option<Duration>) -> bool {
        self.try_acquire() || self.acquire_slow(timeout)
    }

    fn acquire_slow(&self, timeout: Option<Duration>) -> bool {
        let mut queue = self.queue.lock();
        // Ordering: Relaxed: only a first guess, which the exchanges below check.
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & WAITERS != 0 {
                break; // others wait already: queue up behind them
            }
            if state >= ONE {
                // A permit came back since the fast path looked, and nobody is queued: take it.
                // Ordering: Acquire on success: as in `try_acquire`, this permit's last
                // release took no lock, so the lock does not order it; Relaxed on failure.
                match self.state.compare_exchange_weak(
                    state,
                    state - ONE,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return true,
                    Err(now) => state = now,
                }
            } else {
                // No permit: raise the flag, so that the next release takes the lock.
                // Ordering: Relaxed: the flag carries no data; a release that sees it takes
                // the lock we hold, which orders everything after it.
                match self.state.compare_exchange_weak(
                    state,
                    WAITERS,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => break,
                    Err(now) => state = now,
                }
            }
        }
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.waiting.push_back(ticket);
        let not_granted = |q: &mut Queue| !q.granted.contains(&ticket);
        let (mut queue, timed_out) = match timeout {
            None => (self.granted.wait_while(queue, not_granted), false),
            Some(t) => self.granted.wait_timeout_while(queue, t, not_granted),
        };
        if timed_out {
            // Not granted, so still queued: leave the queue without disturbing the others.
            queue.waiting.retain(|&t| t != ticket);
            if queue.waiting.is_empty() {
                // We hold the lock and the flag is set, so the word is exactly WAITERS.
                // Ordering: Relaxed: clearing the flag frees no permit, so publishes nothing.
                self.state.store(0, Ordering::Relaxed);
            }
            return false;
        }
        let at = queue.granted.iter().position(|&t| t == ticket);
        if let Some(at) = at {
            queue.granted.swap_remove(at);
        }
        true
    }

    /// The count after adding `n` to `available`, if that stays within the bound.
    #[inline]
    fn add(&self, available: usize, n: usize) -> Result<usize, ReleaseError> {
        match available.checked_add(n) {
            Some(total) if total <= self.bound => Ok(total),
            _ if self.bounded => Err(ReleaseError::OverRelease {
                released: n,
                available,
                bound: self.bound,
            }),
            _ => Err(ReleaseError::Overflow {
                released: n,
                available,
            }),
        }
    }

    /// Adds `n` permits without the lock if nobody waits; `Ok(false)` if somebody does.
    #[inline]
    fn release_fast(&self, n: usize) -> Result<bool, ReleaseError> {
        // Ordering: Relaxed: only a first guess, which the exchange below checks.
        let mut state = self.state.load(Ordering::Relaxed);
        while state & WAITERS == 0 {
            let total = self.add(state / ONE, n)?;
            // Ordering: Release on success: publishes this thread's writes to whoever takes
            // the permit (Acquire); Relaxed on failure: we only retry.
            match self.state.compare_exchange_weak(
                state,
                total * ONE,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(true),
                Err(now) => state = now,
            }
        }
        Ok(false)
    }

    #[inline]
    fn release(&self, n: usize) -> Result<(), ReleaseError> {
        if n == 0 || self.release_fast(n)? {
            return Ok(());
        }
        let mut queue = self.queue.lock();
        // The last waiter may have timed out and left before we got the lock.
        if self.release_fast(n)? {
            return Ok(());
        }
        // The flag is set and we hold the lock: the word is WAITERS, and ours to change.
        self.add(0, n)?;
        let handed = n.min(queue.waiting.len());
        let Queue {
            waiting, granted, ..
        } = &mut *queue;
        granted.extend(waiting.drain(..handed));
        if waiting.is_empty() {
            // Ordering: Release: the permits left over may be taken by a lock-free acquire
            // (Acquire), which must see this thread's writes as if it took them from us.
            self.state.store((n - handed) * ONE, Ordering::Release);
        }
        drop(queue);
        // Each waiter checks for its own ticket; the others go back to sleep.
        self.granted.notify_all();
        Ok(())
    }

    fn waiters(&self) -> usize {
        self.queue.lock().waiting.len()
    }

    /// A permit, waiting as long as it takes (both types' `acquire`).
    #[inline]
    fn permit(&self) -> SemaphorePermit<'_> {
        let got = self.acquire(None);
        debug_assert!(got, "an acquire without a timeout returns with a permit");
        SemaphorePermit { raw: self }
    }

    /// A permit if one is free now (both types' `try_acquire`).
    #[inline]
    fn try_permit(&self) -> Option<SemaphorePermit<'_>> {
        // Not `then_some(permit)`: that would build (and drop, releasing) a permit on failure.
        self.try_acquire().then(|| SemaphorePermit { raw: self })
    }

    /// A permit if one comes within `timeout` (both types' `acquire_timeout`).
    fn permit_timeout(&self, timeout: Duration) -> Option<SemaphorePermit<'_>> {
        self.acquire(Some(timeout))
            .then(|| SemaphorePermit { raw: self })
    }
}

// ---------------------------------------------------------------------------------------------
// The permit

/// One permit of a [`Semaphore`] or [`BoundedSemaphore`], given back when dropped.
///
/// A permit may be sent to another thread and dropped there: a semaphore, unlike a lock, does
/// not care which thread gives a permit back. [`forget`](SemaphorePermit::forget) keeps the
/// permit taken, for a design in which someone else calls `release`.
///
/// If stray releases have already taken a [`BoundedSemaphore`] back to its bound, dropping a
/// permit leaves the count at the bound (the release is refused, as
/// [`BoundedSemaphore::release`] would refuse it); on a [`Semaphore`] at
/// [`MAX_PERMITS`](Semaphore::MAX_PERMITS) likewise.
///
/// ```
/// # verisync::sync::model(|| {
/// let sem = verisync::Semaphore::new(1);
/// {
///     let _permit = sem.acquire();
///     assert_eq!(sem.available_permits(), 0);
/// } // dropped: given back
/// assert_eq!(sem.available_permits(), 1);
/// # });
/// ```
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    raw: &'a Raw,
}

impl SemaphorePermit<'_> {
    /// Keeps the permit taken without giving it back: some thread will call
    /// [`release`](Semaphore::release) for it instead (Python's bare `sem.acquire()`).
    ///
    /// ```
    /// use verisync::sync::{model, thread, Arc};
    /// use verisync::Semaphore;
    ///
    /// // The notes' signalling: the consumer waits until the producer releases.
    /// model(|| {
    ///     let items = Arc::new(Semaphore::new(0));
    ///     let producer = {
    ///         let items = Arc::clone(&items);
    ///         thread::spawn(move || items.release(1).unwrap())
    ///     };
    ///     items.acquire().forget(); // consumed: the producer's release paid for it
    ///     producer.join().unwrap();
    ///     assert_eq!(items.available_permits(), 0);
    /// });
    /// ```
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for SemaphorePermit<'_> {
    #[inline]
    fn drop(&mut self) {
        // Refused only after stray releases (see the type's docs): the count stays at its limit.
        let _ = self.raw.release(1);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit").finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// Semaphore

/// A counting semaphore: at most `permits` holders at once, more as [`release`](Self::release)
/// adds permits.
///
/// Python's `threading.Semaphore`. Releasing without acquiring is allowed and adds a permit
/// (that is how one thread signals another); if that is always a bug in your design, use
/// [`BoundedSemaphore`], which refuses it.
///
/// # Fairness
///
/// Blocked acquirers are served **first in, first out, with direct handoff**: a release while
/// threads are blocked gives its permit straight to the one that has waited longest, and no
/// later arrival, [`try_acquire`](Self::try_acquire) included, can take it first, so a blocked
/// thread waits only for the threads queued before it. While nobody is blocked no queue is
/// kept, and which of two threads arriving together takes a free permit is up to the
/// scheduler. A thread whose [`acquire_timeout`](Self::acquire_timeout) gives up leaves the
/// queue without disturbing the others' order. Handoff costs throughput under heavy contention
/// (each permit waits for its waiter to wake up) in exchange for that bound.
///
/// # Memory ordering
///
/// Giving a permit back happens-before the acquire that takes it, so a semaphore of one
/// permit protects data as a lock does.
///
/// ```
/// use verisync::sync::{model, thread, Arc};
/// use verisync::Semaphore;
///
/// // Two workers, one permit: never both inside.
/// model(|| {
///     let sem = Arc::new(Semaphore::new(1));
///     let s2 = Arc::clone(&sem);
///     let t = thread::spawn(move || {
///         let _p = s2.acquire();
///     });
///     {
///         let _p = sem.acquire();
///         assert_eq!(sem.available_permits(), 0);
///     }
///     t.join().unwrap();
///     assert_eq!(sem.available_permits(), 1);
/// });
/// ```
pub struct Semaphore {
    raw: Raw,
}

impl Semaphore {
    /// The most permits a semaphore can hold (`usize::MAX / 2`): a release past it is
    /// [`ReleaseError::Overflow`], never a wrap.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// use verisync::{ReleaseError, Semaphore};
    /// let sem = Semaphore::new(Semaphore::MAX_PERMITS);
    /// assert!(matches!(sem.release(1), Err(ReleaseError::Overflow { .. })));
    /// # });
    /// ```
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// A semaphore with `permits` free permits (0 is fine: a signal nobody has sent yet).
    ///
    /// # Panics
    ///
    /// If `permits` is more than [`MAX_PERMITS`](Self::MAX_PERMITS).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let sem = verisync::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// # });
    /// ```
    pub fn new(permits: usize) -> Self {
        assert!(
            permits <= MAX_PERMITS,
            "Semaphore::new({permits}): at most Semaphore::MAX_PERMITS ({MAX_PERMITS}) permits"
        );
        Semaphore {
            raw: Raw::new(permits, false),
        }
    }

    /// Blocks until a permit is free, and takes it. The permit is given back when dropped.
    ///
    /// Blocked callers are served in FIFO order (see [Fairness](Self#fairness)).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let sem = verisync::Semaphore::new(2);
    /// let a = sem.acquire();
    /// let b = sem.acquire();
    /// assert_eq!(sem.available_permits(), 0);
    /// drop((a, b));
    /// assert_eq!(sem.available_permits(), 2);
    /// # });
    /// ```
    #[inline]
    pub fn acquire(&self) -> SemaphorePermit<'_> {
        self.raw.permit()
    }

    /// Takes a permit if one is free now; `None` otherwise (Python's `acquire(False)`).
    ///
    /// Never blocks, and never takes a permit that a release has handed to a blocked thread.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let sem = verisync::Semaphore::new(1);
    /// let p = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_none());
    /// drop(p);
    /// assert!(sem.try_acquire().is_some());
    /// # });
    /// ```
    #[inline]
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.raw.try_permit()
    }

    /// Waits at most `timeout` for a permit; `None` if none came in time (Python's
    /// `acquire(timeout=t)`). The semaphore is unchanged by a wait that gives up.
    ///
    /// A timeout of [`FOREVER`](crate::sync::FOREVER) or more waits without a deadline. Under
    /// a model checker both outcomes are explored.
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let sem = verisync::Semaphore::new(1);
    /// let p = sem.acquire_timeout(Duration::from_millis(10)).unwrap();
    /// // This thread holds the only permit: the second wait gives up.
    /// assert!(sem.acquire_timeout(Duration::from_millis(10)).is_none());
    /// drop(p);
    /// assert_eq!(sem.available_permits(), 1);
    /// # });
    /// ```
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<SemaphorePermit<'_>> {
        self.raw.permit_timeout(timeout)
    }

    /// Gives `n` permits (Python 3.9's `release(n)`), waking up to `n` blocked threads, oldest
    /// first. Need not follow an acquire: releasing more than was taken adds permits. `n == 0`
    /// does nothing.
    ///
    /// When nobody is blocked this is one atomic compare-and-swap and takes no lock.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Overflow`] if the count would pass [`MAX_PERMITS`](Self::MAX_PERMITS);
    /// nothing changes.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let sem = verisync::Semaphore::new(0);
    /// sem.release(2).unwrap();
    /// assert_eq!(sem.available_permits(), 2);
    /// # });
    /// ```
    #[inline]
    pub fn release(&self, n: usize) -> Result<(), ReleaseError> {
        self.raw.release(n)
    }

    /// The permits free right now (a snapshot, stale as soon as it returns if other threads
    /// are acquiring or releasing).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let sem = verisync::Semaphore::new(2);
    /// let _p = sem.acquire();
    /// assert_eq!(sem.available_permits(), 1);
    /// # });
    /// ```
    pub fn available_permits(&self) -> usize {
        self.raw.available()
    }

    /// How many threads are blocked in [`acquire`](Self::acquire) or
    /// [`acquire_timeout`](Self::acquire_timeout) right now (a snapshot). Takes the internal
    /// lock.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::Semaphore::new(1).waiters(), 0);
    /// # });
    /// ```
    pub fn waiters(&self) -> usize {
        self.raw.waiters()
    }
}

impl Default for Semaphore {
    /// One permit, as Python's `Semaphore()`.
    fn default() -> Self {
        Semaphore::new(1)
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available", &self.available_permits())
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// BoundedSemaphore

/// A semaphore that never holds more permits than it started with: a
/// [`release`](Self::release) past that bound is refused with
/// [`ReleaseError::OverRelease`] and changes nothing.
///
/// Python's `threading.BoundedSemaphore`. A stray release (one with no acquire before it) is
/// caught when it would take the count past the bound: a release made while every permit is
/// free, say. One made while a permit is out looks like that permit coming back and cannot be
/// told apart; the permit's own return is then the one refused. Otherwise it behaves exactly as
/// a [`Semaphore`], fairness included (FIFO with direct handoff, see
/// [Semaphore's Fairness](Semaphore#fairness)).
///
/// ```
/// # verisync::sync::model(|| {
/// use verisync::{BoundedSemaphore, ReleaseError};
/// let sem = BoundedSemaphore::new(2);
/// let p = sem.acquire();
/// drop(p);
/// assert!(matches!(sem.release(1), Err(ReleaseError::OverRelease { .. })));
/// assert_eq!(sem.available_permits(), 2);
/// # });
/// ```
pub struct BoundedSemaphore {
    raw: Raw,
}

impl BoundedSemaphore {
    /// The largest bound a semaphore can have (`usize::MAX / 2`).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::BoundedSemaphore::MAX_PERMITS, verisync::Semaphore::MAX_PERMITS);
    /// # });
    /// ```
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// A semaphore with `permits` free permits, which is also its bound.
    ///
    /// # Panics
    ///
    /// If `permits` is 0 (a semaphore nobody could ever acquire or release) or more than
    /// [`MAX_PERMITS`](Self::MAX_PERMITS).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let sem = verisync::BoundedSemaphore::new(3);
    /// assert_eq!((sem.available_permits(), sem.bound()), (3, 3));
    /// # });
    /// ```
    pub fn new(permits: usize) -> Self {
        assert!(
            permits > 0,
            "BoundedSemaphore::new(0): a bounded semaphore of 0 permits can never be acquired"
        );
        assert!(
            permits <= MAX_PERMITS,
            "BoundedSemaphore::new({permits}): at most BoundedSemaphore::MAX_PERMITS \
             ({MAX_PERMITS}) permits"
        );
        BoundedSemaphore {
            raw: Raw::new(permits, true),
        }
    }

    /// The bound: the number of permits it was created with.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::BoundedSemaphore::new(4).bound(), 4);
    /// # });
    /// ```
    pub fn bound(&self) -> usize {
        self.raw.bound
    }

    /// Blocks until a permit is free, and takes it. The permit is given back when dropped.
    ///
    /// Blocked callers are served in FIFO order (see [Fairness](Semaphore#fairness)).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let sem = verisync::BoundedSemaphore::new(1);
    /// let p = sem.acquire();
    /// assert_eq!(sem.available_permits(), 0);
    /// drop(p);
    /// assert_eq!(sem.available_permits(), 1);
    /// # });
    /// ```
    #[inline]
    pub fn acquire(&self) -> SemaphorePermit<'_> {
        self.raw.permit()
    }

    /// Takes a permit if one is free now; `None` otherwise (Python's `acquire(False)`).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let sem = verisync::BoundedSemaphore::new(1);
    /// let _p = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_none());
    /// # });
    /// ```
    #[inline]
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.raw.try_permit()
    }

    /// Waits at most `timeout` for a permit; `None` if none came in time. The semaphore is
    /// unchanged by a wait that gives up.
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let sem = verisync::BoundedSemaphore::new(1);
    /// let _p = sem.acquire();
    /// assert!(sem.acquire_timeout(Duration::from_millis(10)).is_none());
    /// # });
    /// ```
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<SemaphorePermit<'_>> {
        self.raw.permit_timeout(timeout)
    }

    /// Gives `n` permits back (for permits [`forget`](SemaphorePermit::forget)-ed earlier),
    /// waking up to `n` blocked threads, oldest first. `n == 0` does nothing.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::OverRelease`] if the free permits would exceed the
    /// [`bound`](Self::bound); nothing changes (all `n` are refused, as in Python).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let sem = verisync::BoundedSemaphore::new(2);
    /// sem.acquire().forget();
    /// assert!(sem.release(2).is_err()); // 1 free + 2 > 2: refused whole
    /// sem.release(1).unwrap();
    /// assert_eq!(sem.available_permits(), 2);
    /// # });
    /// ```
    #[inline]
    pub fn release(&self, n: usize) -> Result<(), ReleaseError> {
        self.raw.release(n)
    }

    /// The permits free right now (a snapshot).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::BoundedSemaphore::new(2).available_permits(), 2);
    /// # });
    /// ```
    pub fn available_permits(&self) -> usize {
        self.raw.available()
    }

    /// How many threads are blocked in an acquire right now (a snapshot). Takes the internal
    /// lock.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::BoundedSemaphore::new(1).waiters(), 0);
    /// # });
    /// ```
    pub fn waiters(&self) -> usize {
        self.raw.waiters()
    }
}

impl Default for BoundedSemaphore {
    /// One permit, as Python's `BoundedSemaphore()`.
    fn default() -> Self {
        BoundedSemaphore::new(1)
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("available", &self.available_permits())
            .field("bound", &self.bound())
            .finish_non_exhaustive()
    }
}
