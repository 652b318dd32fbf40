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
//! A thread that finds the lock held takes the queue's lock, sets the flag with a
//! compare-and-swap on the word, joins a FIFO queue and sleeps. While the flag is set, the
//! owner's last release goes through the queue's lock and hands ownership straight to the
//! thread at the head of the queue, so waiters are served in the order they came and a thread
//! arriving later cannot overtake them. The wakeup cannot be lost: the flag is set on the very
//! word the release changes, so either the release comes first and the waiter sees the lock
//! free, or the flag comes first and the release takes the queue's lock, which the waiter holds
//! until it sleeps.

use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{thread, Condvar, Mutex, UnsafeCell};
use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::time::Duration;

/// The low bit of the word: some thread is queued, so the last release must take the queue's
/// lock and hand over. Thread tokens are even, so the bit is free.
const WAITERS: usize = 1;

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
/// **Fairness:** threads that have to wait are served first come, first served: when the
/// holder lets go, the lock passes to the thread that has waited longest, and a thread
/// arriving meanwhile queues behind it. A thread that finds the lock free takes it at once.
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
    /// Tokens of the threads waiting, oldest first.
    queue: Mutex<VecDeque<usize>>,
    /// Signalled when ownership is handed to a queued thread.
    handed: Condvar,
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
            queue: Mutex::new(VecDeque::new()),
            handed: Condvar::new(),
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
        if !self.try_enter(me) && !self.wait(me, None) {
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
        (self.try_enter(me) || self.wait(me, Some(timeout))).then(|| self.guard())
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
    ///     drop(held); // handed to the waiter
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

    /// Re-enters if `me` holds the lock, or takes it if it is free and nobody is queued.
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
        self.take_free(me).is_ok()
    }

    /// Takes the lock for `me` if the word is 0 (free, nobody queued); else the word seen.
    #[inline]
    fn take_free(&self, me: usize) -> Result<(), usize> {
        // Ordering: Acquire on success: the last owner's writes (Release in `unlock`) must be
        // visible to the new one, and a lock-free release is not ordered by the queue's lock
        // even when called from `wait`; Relaxed on failure: nothing was taken.
        self.state
            .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)?;
        self.set_count(1);
        Ok(())
    }

    /// Queues up behind the current owner and waits to be handed the lock; `false` if
    /// `timeout` ran out first (and then this thread is no longer queued).
    fn wait(&self, me: usize, timeout: Option<Duration>) -> bool {
        let mut queue = self.queue.lock();
        // Ordering: Relaxed: only a first guess, which the exchanges below check.
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state == 0 {
                // Freed since `try_enter` looked, and nobody is queued: take it.
                match self.take_free(me) {
                    Ok(()) => return true,
                    Err(now) => state = now,
                }
            } else if state & WAITERS != 0 {
                break; // the flag is up already: queue behind the others
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
        queue.push_back(me);
        let granted = |_: &mut VecDeque<usize>| self.owner() != me;
        let (mut queue, _) = match timeout {
            None => (self.handed.wait_while(queue, granted), false),
            Some(t) => self.handed.wait_timeout_while(queue, t, granted),
        };
        // Ownership is handed over under the queue's lock, which we hold: this is exact.
        if self.owner() == me {
            // The releaser took us off the queue when it handed over.
            self.set_count(1);
            return true;
        }
        // Timed out, still queued: leave without disturbing the others.
        queue.retain(|&t| t != me);
        if queue.is_empty() {
            // The flag is set and we hold the queue's lock, so nobody else changes the word:
            // the owner's release is blocked on our lock (or has not begun).
            // Ordering: Relaxed: clearing the flag frees nothing, so publishes nothing.
            self.state.store(self.owner(), Ordering::Relaxed);
        }
        false
    }

    /// Gives one hold back; the last one frees the lock or hands it to the oldest waiter.
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
        // takes the lock with Acquire; Relaxed on failure: the flag is set, and the queue's
        // lock orders the handover below.
        if self
            .state
            .compare_exchange(me, 0, Ordering::Release, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        let mut queue = self.queue.lock();
        match queue.pop_front() {
            Some(next) => {
                let flag = if queue.is_empty() { 0 } else { WAITERS };
                // Ordering: Relaxed: the new owner reads the word under the queue's lock,
                // which we release after this store, so the lock orders our writes before its.
                self.state.store(next | flag, Ordering::Relaxed);
                drop(queue);
                // Each waiter checks whether it is the one handed the lock; the rest sleep on.
                self.handed.notify_all();
            }
            None => {
                // The last waiter timed out and left (clearing the flag) before we got here.
                // Ordering: Release: a lock-free `try_enter` (Acquire) may take it next.
                self.state.store(0, Ordering::Release);
            }
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
