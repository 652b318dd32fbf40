//! [`ReentrantLock`]: Python's `threading.RLock`, guarding a value.
//!
//! A reentrant lock may be taken again by the thread that holds it (004 案例18): a recursive
//! function, or a method that calls another method of the same object, each taking the lock,
//! do not wait for themselves. Others wait until every hold is given back. std's
//! `ReentrantLock` is still unstable; this one is stable, has [`try_lock`](ReentrantLock::try_lock)
//! and [`lock_timeout`](ReentrantLock::lock_timeout), and is fair.
//!
//! # From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `RLock()` | [`ReentrantLock::new(value)`](ReentrantLock::new), shared with [`Arc`](crate::sync::Arc) |
//! | `with rlock:` | `let guard = lock.lock();` |
//! | `rlock.acquire(blocking=False)` / `acquire(timeout=t)` | [`try_lock`](ReentrantLock::try_lock) / [`lock_timeout`](ReentrantLock::lock_timeout) |
//! | `rlock.release()` | dropping the guard |
//! | `RuntimeError: cannot release un-acquired lock` | does not compile: only a guard releases |
//! | `rlock._is_owned()` / `rlock._recursion_count()` | [`is_held_by_current_thread`](ReentrantLock::is_held_by_current_thread) / [`hold_count`](ReentrantLock::hold_count) |
//!
//! # Design
//!
//! The lock stands on the parking core (`src/park.rs`), as lock_api's `ReentrantMutex` stands
//! on a raw mutex: the core's word holds the owner's [`token`](crate::sync::thread::token) (0
//! when free) and a `WAITERS` flag in its low bit; the hold count lives beside it and only the
//! owner touches it. While the flag is clear, the first [`lock`](ReentrantLock::lock) and the
//! last release are each one compare-and-swap and take no lock; re-entry is a load and an
//! increment. A contended lock spins a little, then parks; the owner's last release wakes the
//! oldest parked thread, usually to retry (a newcomer may take the lock first) and every
//! sixteenth wake by handing the lock straight to it, its token stored as the owner.

use crate::check::blocked;
use crate::park::{RawPark, Word, WAITERS};
use crate::sync::{abandoned, thread, UnsafeCell, Wait};
use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::time::Duration;

/// A lock that the thread holding it may take again, guarding a `T`.
///
/// Each [`lock`](ReentrantLock::lock) returns a [`ReentrantLockGuard`]; the lock is free again
/// when the holder's last guard is dropped. Because a guard may have siblings on the same
/// thread, it gives shared access (`&T`); put a [`Cell`](std::cell::Cell) or
/// [`RefCell`](std::cell::RefCell) inside for mutation, as with std's `ReentrantLock`.
///
/// Releasing a lock you do not hold is impossible by construction: the only way to release is
/// to drop a guard, and a guard exists only on the thread that took the lock (it is `!Send`).
/// CPython's `RuntimeError: cannot release un-acquired lock` is a compile error here.
///
/// **Fairness:** eventual, as in parking_lot. A thread that finds the lock free takes it at
/// once, even if others are parked (this is what keeps a contended lock fast). Parked threads
/// are woken oldest first, and every sixteenth wake hands the lock straight to the oldest parked
/// thread, so none is overtaken forever.
///
/// ```
/// use std::cell::Cell;
/// use verisync::ReentrantLock;
/// use verisync::sync::{model, thread, Arc};
///
/// // 案例18: a recursive function that takes the lock at every level.
/// fn countdown(lock: &ReentrantLock<Cell<u32>>, n: u32) {
///     let guard = lock.lock();
///     guard.set(guard.get() + 1);
///     if n > 0 {
///         countdown(lock, n - 1);
///     }
/// }
///
/// model(|| {
///     let lock = Arc::new(ReentrantLock::new(Cell::new(0)));
///     let other = Arc::clone(&lock);
///     let t = thread::spawn(move || countdown(&other, 2));
///     countdown(&lock, 2);
///     t.join().unwrap();
///     assert_eq!(lock.lock().get(), 6);
/// });
/// ```
pub struct ReentrantLock<T: ?Sized> {
    /// The owner's token, 0 when free, `| WAITERS` while some thread is parked.
    raw: RawPark,
    /// How many guards the owner holds; read and written by the owner only.
    count: UnsafeCell<usize>,
    data: T,
}

/// The word as seen by the thread whose token this is: the lock is a single unit, taken by
/// writing the token in a free word, freed by clearing it, handed over by writing the heir's.
struct Owner(usize);

impl Word for Owner {
    type Refused = Infallible;

    #[inline]
    fn take(&self, state: usize) -> Option<usize> {
        // `+`, not `|`: nobody's token is in `state`, and a mutant of `+` cannot pass for it.
        (state & !WAITERS == 0).then_some(self.0 + state)
    }

    #[inline]
    fn give(&self, _state: usize, _n: usize) -> Result<usize, Infallible> {
        Ok(0)
    }

    #[inline]
    fn hand(&self, _state: usize, heir: usize) -> usize {
        heir
    }
}

// SAFETY: the value is reached only through guards, all on the owning thread, and ownership
// passes between threads with release/acquire on the core's word (or the core's lock); `T: Send`
// because the value is used from whichever thread holds the lock.
unsafe impl<T: ?Sized + Send> Send for ReentrantLock<T> {}
// SAFETY: as above; `T: Send` suffices for sharing the lock since only one thread at a time can
// reach the value, and guards are `!Send`. `count` is touched only by the owner.
unsafe impl<T: ?Sized + Send> Sync for ReentrantLock<T> {}

/// Proof that the current thread holds a [`ReentrantLock`]; gives one hold back when dropped.
///
/// It derefs to `&T` (the owner may hold several guards at once) and is `!Send`: the lock is
/// released by the thread that took it. Sending one to another thread does not compile:
///
/// ```compile_fail
/// fn send<T: Send>(_: T) {}
/// let lock = verisync::ReentrantLock::new(0);
/// send(lock.lock());
/// ```
///
/// ```
/// # verisync::sync::model(|| {
/// let lock = verisync::ReentrantLock::new(String::from("ab"));
/// let outer = lock.lock();
/// let inner = lock.lock();
/// assert_eq!(outer.len() + inner.len(), 4);
/// # });
/// ```
#[must_use = "the hold is given back as soon as the guard is dropped"]
pub struct ReentrantLockGuard<'a, T: ?Sized> {
    lock: &'a ReentrantLock<T>,
    _not_send: PhantomData<*const ()>,
}

// SAFETY: a guard gives only `&T`, so sharing it across threads needs `T: Sync`.
unsafe impl<T: ?Sized + Sync> Sync for ReentrantLockGuard<'_, T> {}

impl<T> ReentrantLock<T> {
    /// Creates a free lock guarding `value`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let lock = verisync::ReentrantLock::new(5);
    /// assert_eq!(*lock.lock(), 5);
    /// # });
    /// ```
    #[track_caller]
    pub fn new(value: T) -> Self {
        ReentrantLock {
            raw: RawPark::new(0, "ReentrantLock"),
            count: UnsafeCell::new(0),
            data: value,
        }
    }

    /// Names the lock for the deadlock reports of a model (see
    /// [`Mutex::named`](crate::Mutex::named)). Nothing is kept outside a model.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let r = verisync::ReentrantLock::new(0).named("r");
    /// assert_eq!(*r.lock(), 0);
    /// # });
    /// ```
    pub fn named(mut self, name: &'static str) -> Self {
        self.raw.name(name);
        self
    }

    /// Consumes the lock and returns the value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::ReentrantLock::new(9).into_inner(), 9);
    /// # });
    /// ```
    pub fn into_inner(self) -> T {
        self.data
    }
}

impl<T: ?Sized> ReentrantLock<T> {
    /// Takes the lock, waiting while another thread holds it; returns at once if this thread
    /// holds it already.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let lock = verisync::ReentrantLock::new(());
    /// let a = lock.lock();
    /// let b = lock.lock(); // the owner re-enters: no wait
    /// assert_eq!(lock.hold_count(), 2);
    /// # drop((a, b));
    /// # });
    /// ```
    #[inline]
    pub fn lock(&self) -> ReentrantLockGuard<'_, T> {
        if !self.enter(Wait::Forever) {
            unreachable!("an untimed wait returns only with the lock");
        }
        self.guard()
    }

    /// Takes the lock if it is free or this thread holds it; `None` if another thread holds it.
    ///
    /// ```
    /// use verisync::ReentrantLock;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let lock = Arc::new(ReentrantLock::new(()));
    ///     let held = lock.lock();
    ///     assert!(lock.try_lock().is_some()); // re-entry
    ///     let other = Arc::clone(&lock);
    ///     assert!(thread::spawn(move || other.try_lock().is_none()).join().unwrap());
    ///     drop(held);
    /// });
    /// ```
    pub fn try_lock(&self) -> Option<ReentrantLockGuard<'_, T>> {
        // Not `then_some(guard)`: that would build (and drop, releasing) a guard on failure.
        self.enter(Wait::Try).then(|| self.guard())
    }

    /// Takes the lock, waiting at most `timeout` while another thread holds it; `None` if the
    /// time ran out first. Re-entry never waits.
    ///
    /// Python's `rlock.acquire(timeout=…)`. A timeout of [`FOREVER`](crate::sync::FOREVER) or
    /// more waits without limit; zero tries once, exactly as [`try_lock`](ReentrantLock::try_lock)
    /// does (no spinning, no parking).
    /// Under a model checker both outcomes are explored.
    ///
    /// ```
    /// use std::time::Duration;
    /// use verisync::ReentrantLock;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let lock = Arc::new(ReentrantLock::new(()));
    ///     let held = lock.lock();
    ///     let other = Arc::clone(&lock);
    ///     let t = thread::spawn(move || other.lock_timeout(Duration::from_millis(5)).is_none());
    ///     assert!(t.join().unwrap(), "held by the main thread throughout");
    ///     drop(held);
    ///     assert!(lock.lock_timeout(Duration::from_millis(5)).is_some());
    /// });
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<ReentrantLockGuard<'_, T>> {
        self.enter(Wait::timeout(timeout)).then(|| self.guard())
    }

    /// Whether the current thread holds the lock.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let lock = verisync::ReentrantLock::new(());
    /// assert!(!lock.is_held_by_current_thread());
    /// let g = lock.lock();
    /// assert!(lock.is_held_by_current_thread());
    /// drop(g);
    /// assert!(!lock.is_held_by_current_thread());
    /// # });
    /// ```
    pub fn is_held_by_current_thread(&self) -> bool {
        self.owner() == thread::token()
    }

    /// How many guards the current thread holds: 0 when another thread holds the lock or none
    /// does.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let lock = verisync::ReentrantLock::new(());
    /// assert_eq!(lock.hold_count(), 0);
    /// let a = lock.lock();
    /// let b = lock.lock();
    /// assert_eq!(lock.hold_count(), 2);
    /// drop(b);
    /// assert_eq!(lock.hold_count(), 1);
    /// drop(a);
    /// assert_eq!(lock.hold_count(), 0);
    /// # });
    /// ```
    pub fn hold_count(&self) -> usize {
        if self.is_held_by_current_thread() {
            // SAFETY: this thread owns the lock, and only the owner touches `count`.
            self.count.with(|c| unsafe { *c })
        } else {
            0
        }
    }

    /// Whether some thread holds the lock (a snapshot, stale as soon as it returns).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let lock = verisync::ReentrantLock::new(());
    /// let g = lock.lock();
    /// assert!(lock.is_locked());
    /// drop(g);
    /// assert!(!lock.is_locked());
    /// # });
    /// ```
    pub fn is_locked(&self) -> bool {
        self.owner() != 0
    }

    /// How many threads are queued waiting for the lock (a snapshot, stale as soon as it
    /// returns).
    ///
    /// ```
    /// use verisync::ReentrantLock;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let lock = Arc::new(ReentrantLock::new(()));
    ///     assert_eq!(lock.waiters(), 0);
    ///     let held = lock.lock();
    ///     let other = Arc::clone(&lock);
    ///     let t = thread::spawn(move || drop(other.lock()));
    ///     while lock.waiters() == 0 {
    ///         thread::yield_now();
    ///     }
    ///     drop(held); // wakes the waiter
    ///     t.join().unwrap();
    ///     assert_eq!(lock.waiters(), 0);
    /// });
    /// ```
    pub fn waiters(&self) -> usize {
        self.raw.parked()
    }

    /// The value, through a unique borrow: no locking needed.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let mut lock = verisync::ReentrantLock::new(1);
    /// *lock.get_mut() = 2;
    /// assert_eq!(*lock.lock(), 2);
    /// # });
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// The owner's token, 0 if free. Exact when the answer is "this thread" (see
    /// `RawPark::state`); a snapshot otherwise.
    #[inline]
    fn owner(&self) -> usize {
        self.raw.state() & !WAITERS
    }

    /// Re-enters if this thread holds the lock; else takes it as `wait` allows (a free lock is
    /// taken at once, parked threads or not).
    #[inline]
    fn enter(&self, wait: Wait) -> bool {
        let me = thread::token();
        if self.owner() == me {
            self.count.with_mut(|c| {
                // SAFETY: this thread owns the lock, and only the owner touches `count`.
                let c = unsafe { &mut *c };
                *c = c
                    .checked_add(1)
                    .expect("ReentrantLock hold count overflowed usize");
            });
            return true;
        }
        // A free lock is most likely 0.
        if !self.raw.acquire(&Owner(me), 0, wait) {
            return false;
        }
        self.set_count(1);
        blocked::held(self.raw.site());
        true
    }

    /// Gives one hold back; the last one frees the lock, waking a parked thread if any.
    #[inline]
    fn unlock(&self) {
        let left = self.count.with_mut(|c| {
            // SAFETY: a guard exists, so this thread owns the lock; only the owner touches it.
            let c = unsafe { &mut *c };
            *c -= 1;
            *c
        });
        if left > 0 {
            return;
        }
        blocked::let_go(self.raw.site());
        let me = thread::token();
        // The owner's word is most likely its bare token.
        let Ok(()) = self.raw.release(&Owner(me), 1, me);
    }

    #[inline]
    fn set_count(&self, n: usize) {
        // SAFETY: called by the thread that has just become the owner; only it touches `count`.
        self.count.with_mut(|c| unsafe { *c = n });
    }

    #[inline]
    fn guard(&self) -> ReentrantLockGuard<'_, T> {
        ReentrantLockGuard {
            lock: self,
            _not_send: PhantomData,
        }
    }
}

impl<T: Default> Default for ReentrantLock<T> {
    /// A free lock guarding `T::default()`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let lock: verisync::ReentrantLock<u8> = Default::default();
    /// assert_eq!(*lock.lock(), 0);
    /// # });
    /// ```
    fn default() -> Self {
        ReentrantLock::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for ReentrantLock<T> {
    /// Shows the value if the lock can be taken now (or is held by this thread), else
    /// `<locked>`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let lock = verisync::ReentrantLock::new(3);
    /// assert_eq!(format!("{lock:?}"), "ReentrantLock { data: 3 }");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ReentrantLock");
        match self.try_lock() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<T: ?Sized> Deref for ReentrantLockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.lock.data
    }
}

impl<T: ?Sized> Drop for ReentrantLockGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if abandoned() {
            return; // a failing model is being torn down: touch nothing of the checker's
        }
        self.lock.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for ReentrantLockGuard<'_, T> {
    /// Shows the guarded value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let lock = verisync::ReentrantLock::new(3);
    /// assert_eq!(format!("{:?}", lock.lock()), "3");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
