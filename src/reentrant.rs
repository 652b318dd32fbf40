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
//! One atomic word holds the owner's [`token`](crate::sync::thread::token) (0 when free) and a
//! `WAITERS` flag in its low bit; the hold count lives beside it and only the owner touches it.
//! While the flag is clear, the first [`lock`](ReentrantLock::lock) and the last release are
//! each one compare-and-swap and take no lock; re-entry is a load and an increment.
//!
//! A thread that finds the lock held spins a little (the holder is often about to let go), then
//! takes the queue's lock, sets the flag with a compare-and-swap on the word and parks in the
//! queue (each parked thread on its own condition variable). While the flag is set, the owner's last release takes the
//! queue's lock and wakes the oldest parked thread: usually by freeing the lock and letting it
//! retry (a newcomer may take the lock first; the woken thread then parks again at the front),
//! and every sixteenth wake by handing the lock straight to it. Freeing rather than handing
//! over keeps a contended lock busy instead of idle while a sleeping thread is scheduled; the
//! periodic handoff bounds how often a parked thread can be overtaken. The wakeup cannot be
//! lost: the flag is set on the very word the release changes, so either the release comes
//! first and the parking thread sees the lock free, or the flag comes first and the release
//! takes the queue's lock, which the parking thread holds until it sleeps.

use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{thread, Mutex, Spin, UnsafeCell, Wait};
use crate::waitqueue::{WaitQueue, Wake, WAITERS};
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
    /// The owner's token, 0 when free, `| WAITERS` while some thread is queued.
    state: AtomicUsize,
    /// How many guards the owner holds; read and written by the owner only.
    count: UnsafeCell<usize>,
    /// The parked threads.
    queue: Mutex<WaitQueue>,
    data: T,
}

// SAFETY: the value is reached only through guards, all on the owning thread, and ownership
// passes between threads with release/acquire on `state` (or the queue's lock); `T: Send`
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
    pub fn new(value: T) -> Self {
        ReentrantLock {
            state: AtomicUsize::new(0),
            count: UnsafeCell::new(0),
            queue: Mutex::new(WaitQueue::default()),
            data: value,
        }
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
        let me = thread::token();
        if !self.try_enter(me) && !self.wait(me, Wait::Forever) {
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
        self.try_enter(thread::token()).then(|| self.guard())
    }

    /// Takes the lock, waiting at most `timeout` while another thread holds it; `None` if the
    /// time ran out first. Re-entry never waits.
    ///
    /// Python's `rlock.acquire(timeout=…)`. A timeout of [`FOREVER`](crate::sync::FOREVER) or
    /// more waits without limit; zero behaves like [`try_lock`](ReentrantLock::try_lock).
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
        let me = thread::token();
        let wait = Wait::timeout(timeout);
        // A zero timeout tries once, like `try_lock`: no spinning, no parking.
        (self.try_enter(me) || (!wait.is_try() && self.wait(me, wait))).then(|| self.guard())
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
        self.queue.lock().len()
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

    /// The owner's token, 0 if free.
    #[inline]
    fn owner(&self) -> usize {
        // Ordering: Relaxed: a thread reading its own token here reads its own latest write to
        // the owner bits (only the owner clears them, and no other thread writes its token), so
        // the answer to "is it me?" is exact; any other answer is a snapshot.
        self.state.load(Ordering::Relaxed) & !WAITERS
    }

    /// Re-enters if `me` holds the lock, or takes it if it is free (parked threads or not).
    #[inline]
    fn try_enter(&self, me: usize) -> bool {
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
        match self.take_free(0, me) {
            Ok(()) => true,
            // Free, with threads parked: a newcomer may take it before them (see the docs).
            Err(WAITERS) => self.take_free(WAITERS, me).is_ok(),
            Err(_) => false,
        }
    }

    /// Takes the lock for `me` if the word is `free` (0, or `WAITERS`: nobody owns it), keeping
    /// the flag as it is; else the word seen.
    #[inline]
    fn take_free(&self, free: usize, me: usize) -> Result<(), usize> {
        // Ordering: Acquire on success: the last owner's writes (Release in `unlock`, or in
        // `wake_one` for a lock freed with parked threads) must be visible to the new one;
        // Relaxed on failure: nothing was taken.
        self.state
            .compare_exchange(free, me | free, Ordering::Acquire, Ordering::Relaxed)?;
        self.set_count(1);
        Ok(())
    }

    /// Spins, then parks until the lock is handed over or can be taken; `false` if the
    /// deadline passed first (and then this thread is no longer parked).
    #[cold]
    fn wait(&self, me: usize, wait: Wait) -> bool {
        // A thread woken to retry that loses the race parks again at the front.
        let mut front = false;
        loop {
            let mut spin = Spin::new();
            while spin.spin() {
                // Ordering: Relaxed: only a first guess, which the exchange checks.
                match self.state.load(Ordering::Relaxed) {
                    0 if self.take_free(0, me).is_ok() => return true,
                    // Others are parked: spinning beside them would only delay them.
                    s if s & WAITERS != 0 => break,
                    _ => {}
                }
            }
            let queue = self.queue.lock();
            // Ordering: Relaxed: only a first guess, which the exchanges below check.
            let mut state = self.state.load(Ordering::Relaxed);
            loop {
                if state & !WAITERS == 0 {
                    // Free: take it.
                    match self.take_free(state, me) {
                        Ok(()) => return true,
                        Err(now) => state = now,
                    }
                } else if state & WAITERS != 0 {
                    break; // the flag is up already
                } else {
                    // Raise the flag, so that the owner's last release takes the queue's lock.
                    // Ordering: Relaxed: the flag carries no data; a release that sees it takes
                    // the lock we hold, which orders everything after it.
                    match self.state.compare_exchange(
                        state,
                        state | WAITERS,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => break,
                        Err(now) => state = now,
                    }
                }
            }
            let (_queue, woken) = WaitQueue::park(queue, &self.state, me, front, wait);
            match woken {
                Some(Wake::Handed) => {
                    // Ownership was stored under the queue's lock, which we hold again.
                    self.set_count(1);
                    return true;
                }
                Some(Wake::Retry) => front = true,
                None => return false,
            }
        }
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
        let me = thread::token();
        // Ordering: Release on success: publishes this owner's writes to the next one, who
        // takes the lock with Acquire; Relaxed on failure: the flag is set, and `wake_one`
        // publishes instead.
        if self
            .state
            .compare_exchange(me, 0, Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            self.wake_one();
        }
    }

    /// The last release with the flag up: frees the lock and wakes the head of the queue to
    /// retry, or hands the lock straight to it (every `FAIR_EVERY`th wake).
    #[cold]
    fn wake_one(&self) {
        let mut queue = self.queue.lock();
        // We own the lock and hold the queue's lock: nobody else can change the word now (a
        // newcomer takes only a free lock, the flag moves only under the queue's lock).
        let how = if queue.is_empty() {
            None // the last parked thread timed out and left, lowering the flag
        } else {
            Some(queue.next_wake())
        };
        let woken = how.and_then(|how| queue.wake(how));
        let flag = if queue.is_empty() { 0 } else { WAITERS };
        match (how, &woken) {
            (Some(Wake::Handed), Some((next, _))) => {
                // Ordering: Relaxed: the new owner reads the word under the queue's lock, which
                // we let go after this store, so the lock orders our writes before its.
                self.state.store(next | flag, Ordering::Relaxed);
            }
            _ => {
                // Ordering: Release: a newcomer may take the free lock without the queue's lock
                // (Acquire), and must see this owner's writes.
                self.state.store(flag, Ordering::Release);
            }
        }
        drop(queue);
        if let Some((_, cv)) = woken {
            cv.notify_one();
        }
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
