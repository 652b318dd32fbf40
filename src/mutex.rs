//! [`Mutex`]: a mutual-exclusion lock with a timed acquire.
//!
//! std's `Mutex` cannot give up after a while; Python's `Lock.acquire(timeout=…)` can, and the
//! notes' 案例15 escapes a lock-order deadlock with exactly that: take the second lock with a
//! timeout, and on failure release the first and try again.

use crate::sync::{Condvar, Mutex as Inner, UnsafeCell};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

/// A mutual-exclusion lock protecting a `T`, with [`try_lock`](Mutex::try_lock) and
/// [`lock_timeout`](Mutex::lock_timeout).
///
/// Unlike std's, it does not poison: a panic while a guard is alive releases the lock, as
/// Python's `with lock:` does. It is not reentrant: a thread that locks it twice waits for
/// itself forever (the casebook's `self-deadlock`); use [`ReentrantLock`](crate::ReentrantLock) for that.
///
/// Waiters are woken one at a time; a thread arriving as the lock is released may take it
/// before a woken waiter (barging), which is what makes the uncontended path cheap.
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
pub struct Mutex<T> {
    locked: Inner<bool>,
    unlocked: Condvar,
    data: UnsafeCell<T>,
}

// SAFETY: the data is reached only through a guard, and at most one guard exists at a time
// (`locked` is set by whoever holds it, under `Inner`'s lock).
unsafe impl<T: Send> Send for Mutex<T> {}
// SAFETY: as above: `&Mutex` hands out `&mut T` to one thread at a time, so `T: Send` suffices.
unsafe impl<T: Send> Sync for Mutex<T> {}

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
pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
    _not_send: PhantomData<*const ()>,
}

// SAFETY: a shared guard only gives `&T`, so sharing it across threads needs `T: Sync`.
unsafe impl<T: Sync> Sync for MutexGuard<'_, T> {}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::Mutex::new(5);
    /// assert_eq!(*m.lock(), 5);
    /// # });
    /// ```
    pub fn new(value: T) -> Self {
        Mutex {
            locked: Inner::new(false),
            unlocked: Condvar::new(),
            data: UnsafeCell::new(value),
        }
    }

    /// Blocks until the lock is free, then takes it.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let m = verisync::Mutex::new(vec![]);
    /// m.lock().push(1);
    /// assert_eq!(m.lock().len(), 1);
    /// # });
    /// ```
    pub fn lock(&self) -> MutexGuard<'_, T> {
        let mut locked = self.unlocked.wait_while(self.locked.lock(), |l| *l);
        *locked = true;
        self.guard()
    }

    /// Takes the lock if it is free now; `None` if another thread holds it.
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
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        let mut locked = self.locked.lock();
        if *locked {
            return None;
        }
        *locked = true;
        Some(self.guard())
    }

    /// Waits at most `timeout` for the lock; `None` if it was still held when the time ran out.
    ///
    /// Python's `lock.acquire(timeout=…)`. Under a model checker both outcomes are explored.
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
        let (mut locked, timed_out) =
            self.unlocked
                .wait_timeout_while(self.locked.lock(), timeout, |l| *l);
        if timed_out {
            return None;
        }
        *locked = true;
        Some(self.guard())
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
        *self.locked.lock()
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

    fn guard(&self) -> MutexGuard<'_, T> {
        MutexGuard {
            mutex: self,
            _not_send: PhantomData,
        }
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex")
            .field("locked", &self.is_locked())
            .finish_non_exhaustive()
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard is the only one alive, so nobody writes meanwhile.
        self.mutex.data.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard is the only one alive and is borrowed uniquely.
        self.mutex.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        *self.mutex.locked.lock() = false;
        self.mutex.unlocked.notify_one();
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
