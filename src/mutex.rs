//! [`Mutex`]: a mutual-exclusion lock with a timed acquire.
//!
//! std's `Mutex` cannot give up after a while; Python's `Lock.acquire(timeout=…)` can, and the
//! notes' 案例15 escapes a lock-order deadlock with exactly that: take the second lock with a
//! timeout, and on failure release the first and try again.
//!
//! # From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `Lock()` | [`Mutex::new(value)`](Mutex::new), shared with [`Arc`](crate::sync::Arc) |
//! | `with lock:` | `let guard = lock.lock();` |
//! | `lock.acquire(blocking=False)` / `acquire(timeout=t)` | [`try_lock`](Mutex::try_lock) / [`lock_timeout`](Mutex::lock_timeout) |
//! | `lock.release()` | dropping the guard |
//! | `lock.locked()` | [`is_locked`](Mutex::is_locked) |
//!
//! # Design
//!
//! The lock stands on the parking core (`src/park.rs`), as parking_lot's stands on its raw
//! mutex: one atomic word holds a `LOCKED` bit and the core's `WAITERS` flag. While the flag is
//! clear, [`lock`](Mutex::lock) and the release are each one compare-and-swap and take no
//! lock. A contended lock spins a little, then parks; a release that sees the flag wakes the
//! oldest parked thread, usually to retry (a newcomer may take the lock first) and every
//! sixteenth wake by handing the lock straight to it.

use crate::check::blocked;
use crate::park::{RawPark, Word};
use crate::sync::{abandoned, UnsafeCell, Wait};
use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

/// The word's bit above the core's `WAITERS` flag: some thread holds the lock.
const LOCKED: usize = 2;

/// The lock is a single unit: taken by setting [`LOCKED`], freed by clearing it, handed over
/// by leaving it set for the heir.
struct Lock;

impl Word for Lock {
    type Refused = Infallible;

    #[inline]
    fn take(&self, state: usize) -> Option<usize> {
        // `+`, not `|`: the bit is clear, and a mutant of `+` cannot pass for it.
        (state & LOCKED == 0).then_some(state + LOCKED)
    }

    #[inline]
    fn give(&self, _state: usize, _n: usize) -> Result<usize, Infallible> {
        Ok(0)
    }

    #[inline]
    fn hand(&self, _state: usize, _heir: usize) -> usize {
        LOCKED
    }
}

/// A mutual-exclusion lock protecting a `T`, with [`try_lock`](Mutex::try_lock) and
/// [`lock_timeout`](Mutex::lock_timeout).
///
/// Unlike std's, it does not poison: a panic while a guard is alive releases the lock, as
/// Python's `with lock:` does. It is not reentrant: a thread that locks it twice waits for
/// itself forever (the casebook's `self-deadlock`); use [`ReentrantLock`](crate::ReentrantLock)
/// for that.
///
/// # Contract
///
/// At most one guard exists at a time; everything its holder wrote is seen by the next holder
/// (a release happens-before the acquire that takes the lock next). [`lock`](Mutex::lock)
/// waits as long as it takes; [`try_lock`](Mutex::try_lock) and a zero
/// [`lock_timeout`](Mutex::lock_timeout) never wait; a timed-out `lock_timeout` leaves the lock
/// and its other waiters as they were. When nobody waits, taking and releasing the lock is one
/// compare-and-swap each, with no inner lock.
///
/// # Fairness
///
/// **Eventual**, as in parking_lot. A thread that finds the lock free takes it at once, even if
/// others are parked (this is what keeps a contended lock fast). Parked threads are woken
/// oldest first, and every sixteenth wake hands the lock straight to the oldest parked thread,
/// so none is overtaken forever.
///
/// # Examples
///
/// ```
/// use verisync::Mutex;
/// use verisync::sync::{model, thread, Arc};
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
pub struct Mutex<T: ?Sized> {
    /// `LOCKED | WAITERS`.
    raw: RawPark,
    data: UnsafeCell<T>,
}

// SAFETY: the data is reached only through a guard, and at most one guard exists at a time
// (the core's word says who holds the lock); `T: Send` because the value is used from
// whichever thread holds the lock.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above: `&Mutex` hands out `&mut T` to one thread at a time, so `T: Send` suffices.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// Proof that the current thread holds a [`Mutex`]; releases it when dropped.
///
/// It derefs to the protected value and is `!Send`, like std's guard: the lock is released by
/// the thread that took it. Sending one to another thread does not compile:
///
/// ```compile_fail
/// fn send<T: Send>(_: T) {}
/// let m = verisync::Mutex::new(0);
/// send(m.lock());
/// ```
///
/// ```
/// # verisync::sync::model(|| {
/// let m = verisync::Mutex::new(String::from("a"));
/// m.lock().push('b');
/// assert_eq!(*m.lock(), "ab");
/// # });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    _not_send: PhantomData<*const ()>,
}

// SAFETY: a shared guard only gives `&T`, so sharing it across threads needs `T: Sync`.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::Mutex::new(5);
    /// assert_eq!(*m.lock(), 5);
    /// # });
    /// ```
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex::new_as(value, "Mutex")
    }

    /// A mutex of a `what` (an [`Account`](crate::Account)'s balance), made by the caller's
    /// caller: how a model's deadlock report names it.
    #[track_caller]
    pub(crate) fn new_as(value: T, what: &'static str) -> Self {
        Mutex {
            raw: RawPark::new(0, what),
            data: UnsafeCell::new(value),
        }
    }

    /// Names the lock for the deadlock reports of a model (`check`, loom, shuttle): "T1 holds
    /// `a` and waits for `b`". Unnamed, a report names it by the source line that made it.
    /// Nothing is kept outside a model.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let a = verisync::Mutex::new(0).named("a");
    /// assert_eq!(*a.lock(), 0);
    /// # });
    /// ```
    pub fn named(mut self, name: &'static str) -> Self {
        self.raw.name(name);
        self
    }

    /// Consumes the mutex and returns the value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::Mutex::new(9).into_inner(), 9);
    /// # });
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Blocks until the lock is free, then takes it.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::Mutex::new(vec![]);
    /// m.lock().push(1);
    /// assert_eq!(m.lock().len(), 1);
    /// # });
    /// ```
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        if !self.acquire(Wait::Forever) {
            unreachable!("an untimed wait returns only with the lock");
        }
        self.guard()
    }

    /// Takes the lock if it is free now; `None` if another thread holds it. Never blocks.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::Mutex::new(0);
    /// let g = m.lock();
    /// assert!(m.try_lock().is_none());
    /// drop(g);
    /// assert!(m.try_lock().is_some());
    /// # });
    /// ```
    #[inline]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        // Not `then_some(guard)`: that would build (and drop, releasing) a guard on failure.
        self.acquire(Wait::Try).then(|| self.guard())
    }

    /// Waits at most `timeout` for the lock; `None` if it was still held when the time ran
    /// out. The lock and its other waiters are as they were after a wait that gives up.
    ///
    /// Python's `lock.acquire(timeout=…)`. A zero timeout tries once, exactly as
    /// [`try_lock`](Mutex::try_lock) does (no spinning, no parking); a timeout of
    /// [`FOREVER`](crate::sync::FOREVER) or more waits without limit. Under a model checker
    /// both outcomes are explored.
    ///
    /// ```
    /// use std::time::Duration;
    /// use verisync::sync::model;
    ///
    /// model(|| {
    ///     let m = verisync::Mutex::new(0);
    ///     let held = m.lock();
    ///     // This thread holds it, so the timed acquire gives up.
    ///     assert!(m.lock_timeout(Duration::from_millis(1)).is_none());
    ///     drop(held);
    ///     assert!(m.lock_timeout(Duration::from_millis(1)).is_some());
    /// });
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<MutexGuard<'_, T>> {
        self.acquire(Wait::timeout(timeout)).then(|| self.guard())
    }

    /// Whether some thread holds the lock right now (a snapshot, stale as soon as it returns).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::Mutex::new(());
    /// let g = m.lock();
    /// assert!(m.is_locked());
    /// drop(g);
    /// assert!(!m.is_locked());
    /// # });
    /// ```
    pub fn is_locked(&self) -> bool {
        self.raw.state() & LOCKED != 0
    }

    /// How many threads are parked waiting for the lock (a snapshot, stale as soon as it
    /// returns). Takes the internal lock of the parked threads' queue.
    ///
    /// ```
    /// use verisync::Mutex;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let m = Arc::new(Mutex::new(()));
    ///     assert_eq!(m.waiters(), 0);
    ///     let held = m.lock();
    ///     let other = Arc::clone(&m);
    ///     let t = thread::spawn(move || drop(other.lock()));
    ///     while m.waiters() == 0 {
    ///         thread::yield_now();
    ///     }
    ///     drop(held); // wakes the waiter
    ///     t.join().unwrap();
    ///     assert_eq!(m.waiters(), 0);
    /// });
    /// ```
    pub fn waiters(&self) -> usize {
        self.raw.parked()
    }

    /// The value, through a unique borrow: no locking needed.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let mut m = verisync::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(*m.lock(), 2);
    /// # });
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` proves no guard is alive.
        self.data.with_mut(|p| unsafe { &mut *p })
    }

    /// Takes the lock as `wait` allows; a free lock is most likely a bare 0.
    #[inline]
    fn acquire(&self, wait: Wait) -> bool {
        self.raw.acquire(&Lock, 0, wait)
    }

    #[inline]
    fn guard(&self) -> MutexGuard<'_, T> {
        blocked::held(self.raw.site());
        MutexGuard {
            mutex: self,
            _not_send: PhantomData,
        }
    }
}

impl<T: Default> Default for Mutex<T> {
    /// An unlocked mutex holding `T::default()`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m: verisync::Mutex<u8> = Default::default();
    /// assert_eq!(*m.lock(), 0);
    /// # });
    /// ```
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T: ?Sized> fmt::Debug for Mutex<T> {
    /// Shows whether the lock is held (not the value: reading it would take the lock).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::Mutex::new(3);
    /// assert_eq!(format!("{m:?}"), "Mutex { locked: false, .. }");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex")
            .field("locked", &self.is_locked())
            .finish_non_exhaustive()
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this guard is the only one alive, so nobody writes meanwhile.
        self.mutex.data.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard is the only one alive and is borrowed uniquely.
        self.mutex.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if abandoned() {
            return; // a failing model is being torn down: touch nothing of the checker's
        }
        blocked::let_go(self.mutex.raw.site());
        // The holder's word is most likely a bare `LOCKED`.
        let Ok(()) = self.mutex.raw.release(&Lock, 1, LOCKED);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    /// Shows the guarded value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::Mutex::new(3);
    /// assert_eq!(format!("{:?}", m.lock()), "3");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
