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
//! The semaphore stands on the parking core (`src/park.rs`): one atomic word holds the number
//! of free permits and a `WAITERS` flag. While the flag is clear,
//! [`acquire`](Semaphore::acquire) and [`release`](Semaphore::release) are each a single
//! compare-and-swap on that word and take no lock. A thread that finds no permit spins a
//! little, then raises the flag and parks. While the flag is set a release goes through the
//! core's lock, where it wakes at most `min(n, parked)` threads, oldest first: usually by
//! putting its permits in the word and letting them retry (a newcomer may take a permit first;
//! a woken thread that loses parks again at the front), and every sixteenth wake by handing the
//! permit straight to the woken thread. So a contended semaphore never sits with a free permit
//! waiting for a sleeping thread to be scheduled (a lock convoy), no parked thread is overtaken
//! forever, and a release costs what the threads it wakes cost, whatever `n` is.

use crate::park::{RawPark, Word};
use crate::sync::{abandoned, Wait};
use std::fmt;
use std::time::Duration;
use thiserror::Error;

/// One permit in `state`: the count lives above the `WAITERS` flag.
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

/// The semaphore both public types are: a permit word on the parking core.
///
/// The word is `free permits * ONE | WAITERS`. Free permits may sit in the word beside the flag
/// (made free for woken threads to retry, and open to newcomers too).
struct Raw {
    park: RawPark,
    /// The most permits the word may hold: the initial value when bounded, else `MAX_PERMITS`.
    bound: usize,
    bounded: bool,
}

/// A permit is a unit of the word: taken one at a time, given back `n` at a time within the
/// bound, and handed to a parked thread by never entering the word at all.
impl Word for Raw {
    type Refused = ReleaseError;

    #[inline]
    fn take(&self, state: usize) -> Option<usize> {
        (state >= ONE).then(|| state - ONE)
    }

    #[inline]
    fn give(&self, state: usize, n: usize) -> Result<usize, ReleaseError> {
        Ok(self.add(state / ONE, n)? * ONE)
    }

    #[inline]
    fn hand(&self, state: usize, _heir: usize) -> usize {
        state
    }
}

impl Raw {
    #[track_caller]
    fn new(permits: usize, bounded: bool) -> Self {
        let what = if bounded {
            "BoundedSemaphore"
        } else {
            "Semaphore"
        };
        Raw {
            park: RawPark::new(permits * ONE, what),
            bound: if bounded { permits } else { MAX_PERMITS },
            bounded,
        }
    }

    fn available(&self) -> usize {
        self.park.state() / ONE
    }

    /// Takes a permit, waiting as `wait` allows; `true` if it got one.
    #[inline]
    fn acquire(&self, wait: Wait) -> bool {
        self.park.acquire(self, self.park.state(), wait)
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

    /// Gives `n` permits back, waking up to `min(n, parked)` threads.
    #[inline]
    fn release(&self, n: usize) -> Result<(), ReleaseError> {
        if n == 0 {
            return Ok(());
        }
        self.park.release(self, n, self.park.state())
    }

    fn waiters(&self) -> usize {
        self.park.parked()
    }

    /// A permit, waiting as long as it takes (both types' `acquire`).
    #[inline]
    fn permit(&self) -> SemaphorePermit<'_> {
        let got = self.acquire(Wait::Forever);
        debug_assert!(got, "an acquire without a timeout returns with a permit");
        SemaphorePermit { raw: self }
    }

    /// A permit if one is free now (both types' `try_acquire`).
    #[inline]
    fn try_permit(&self) -> Option<SemaphorePermit<'_>> {
        // Not `then_some(permit)`: that would build (and drop, releasing) a permit on failure.
        self.acquire(Wait::Try)
            .then(|| SemaphorePermit { raw: self })
    }

    /// A permit if one comes within `timeout` (both types' `acquire_timeout`).
    fn permit_timeout(&self, timeout: Duration) -> Option<SemaphorePermit<'_>> {
        self.acquire(Wait::timeout(timeout))
            .then(|| SemaphorePermit { raw: self })
    }
}

/// The public methods both types share, written once.
macro_rules! shared_methods {
    ($T:ident) => {
        impl $T {
            /// Blocks until a permit is free, and takes it. The permit is given back when
            /// dropped.
            ///
            /// Parked callers are woken oldest first (see [Fairness](Semaphore#fairness)).
            ///
            /// ```
            /// # verisync::sync::model(|| {
            #[doc = concat!("let sem = verisync::", stringify!($T), "::new(2);")]
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

            /// Takes a permit if one is free now; `None` otherwise (Python's
            /// `acquire(False)`).
            ///
            /// Never blocks. It may take a free permit before a parked thread does (see
            /// [Fairness](Semaphore#fairness)), never one handed to a parked thread.
            ///
            /// ```
            /// # verisync::sync::model(|| {
            #[doc = concat!("let sem = verisync::", stringify!($T), "::new(1);")]
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
            /// A zero timeout tries once, exactly as [`try_acquire`](Self::try_acquire) does
            /// (no spinning, no parking); a timeout of [`FOREVER`](crate::sync::FOREVER) or
            /// more waits without a deadline. Under a model checker both outcomes are
            /// explored.
            ///
            /// ```
            /// use std::time::Duration;
            /// # verisync::sync::model(|| {
            #[doc = concat!("let sem = verisync::", stringify!($T), "::new(1);")]
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

            /// The permits free right now (a snapshot, stale as soon as it returns if other
            /// threads are acquiring or releasing).
            ///
            /// ```
            /// # verisync::sync::model(|| {
            #[doc = concat!("let sem = verisync::", stringify!($T), "::new(2);")]
            /// let _p = sem.acquire();
            /// assert_eq!(sem.available_permits(), 1);
            /// # });
            /// ```
            pub fn available_permits(&self) -> usize {
                self.raw.available()
            }

            /// How many threads are blocked in [`acquire`](Self::acquire) or
            /// [`acquire_timeout`](Self::acquire_timeout) right now (a snapshot). Takes the
            /// internal lock.
            ///
            /// ```
            /// # verisync::sync::model(|| {
            #[doc = concat!("assert_eq!(verisync::", stringify!($T), "::new(1).waiters(), 0);")]
            /// # });
            /// ```
            pub fn waiters(&self) -> usize {
                self.raw.waiters()
            }
        }

        impl Default for $T {
            #[doc = concat!("One permit, as Python's `", stringify!($T), "()`.")]
            ///
            /// ```
            /// # verisync::sync::model(|| {
            #[doc = concat!("let sem = verisync::", stringify!($T), "::default();")]
            /// assert_eq!(sem.available_permits(), 1);
            /// # });
            /// ```
            fn default() -> Self {
                $T::new(1)
            }
        }
    };
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
        if abandoned() {
            return; // a failing model is being torn down: touch nothing of the checker's
        }
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
/// **Eventual**, as in parking_lot. A thread that finds a permit free takes it, even while others
/// are parked: that keeps a contended semaphore busy instead of idle while a sleeping thread is
/// scheduled. Parked threads are woken oldest first (a woken thread that loses the permit to a
/// newcomer parks again at the front), and every sixteenth wake hands the permit straight to the
/// oldest parked thread, so none is overtaken forever. A thread whose
/// [`acquire_timeout`](Self::acquire_timeout) gives up leaves the queue without disturbing the
/// others' order.
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
    #[track_caller]
    pub fn new(permits: usize) -> Self {
        assert!(
            permits <= MAX_PERMITS,
            "Semaphore::new({permits}): at most Semaphore::MAX_PERMITS ({MAX_PERMITS}) permits"
        );
        Semaphore {
            raw: Raw::new(permits, false),
        }
    }

    /// Gives `n` permits (Python 3.9's `release(n)`), waking up to `n` blocked threads, oldest
    /// first. Need not follow an acquire: releasing more than was taken adds permits. `n == 0`
    /// does nothing.
    ///
    /// When nobody is blocked this is one atomic compare-and-swap and takes no lock; otherwise
    /// it costs what waking `min(n, blocked)` threads costs, whatever `n` is.
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
}

shared_methods!(Semaphore);

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
/// a [`Semaphore`], fairness included (see [Semaphore's Fairness](Semaphore#fairness)).
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
    #[track_caller]
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
}

shared_methods!(BoundedSemaphore);

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("available", &self.available_permits())
            .field("bound", &self.bound())
            .finish_non_exhaustive()
    }
}
