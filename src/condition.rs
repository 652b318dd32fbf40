//! [`Condition`]: a lock bound to the condition its holders wait for, Python's
//! `threading.Condition`.
//!
//! # From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `threading.Condition()` (and the data it guards) | [`Condition::new(value)`](Condition::new), shared with [`Arc`](crate::sync::Arc) |
//! | `with cond:` / `cond.acquire(blocking=False)` / `acquire(timeout=t)` | [`lock`](Condition::lock) / [`try_lock`](Condition::try_lock) / [`lock_timeout`](Condition::lock_timeout) |
//! | `cond.wait()` / `cond.wait(timeout=t)` | [`guard.wait()`](ConditionGuard::wait) / [`guard.wait_timeout(t)`](ConditionGuard::wait_timeout) |
//! | `cond.wait_for(predicate)` / `wait_for(predicate, timeout=t)` | [`guard.wait_while(\|v\| !predicate)`](ConditionGuard::wait_while) / [`wait_while_timeout`](ConditionGuard::wait_while_timeout) |
//! | `cond.notify(n)` / `cond.notify_all()` | [`guard.notify(n)`](ConditionGuard::notify) / [`guard.notify_all()`](ConditionGuard::notify_all) |
//! | `RuntimeError: cannot wait on un-acquired lock` | does not compile: only a guard waits or notifies |
//!
//! # Design
//!
//! Two parts, both on the parking core (`src/park.rs`): the lock is verisync's
//! [`Mutex`](crate::Mutex), and the waiters queue on a second [`RawPark`] whose word is never
//! used. A `wait` joins that queue *while still holding the lock* and lets go of the lock only
//! once it is in line (`RawPark::wait_in_line`); a notify is made holding the lock, so it sees
//! exactly the threads that called `wait` before it, in the order they called it. `notify(n)`
//! takes the `n` oldest off the queue and hands each its wake (`RawPark::wake`): nobody else
//! can take a wake meant for them, and with nobody in line it does nothing, so no notify is
//! kept for a later waiter. A timed wait that runs out leaves the queue under the queue's lock:
//! either a notify took it off first (then it counts as woken and returns `true`), or it is
//! gone before the notify looks (and the notify goes to the next thread in line).

use crate::mutex::{Mutex, MutexGuard};
use crate::park::RawPark;
use crate::sync::{UnsafeCell, Wait};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

/// A lock protecting a `T`, bound to a condition its holders wait for: a holder
/// [`wait`](ConditionGuard::wait)s, letting go of the lock, until another holder
/// [`notify`](ConditionGuard::notify)s it.
///
/// Python's `threading.Condition`: the notes' producers and consumers wait on it for "not
/// full" and "not empty". Waiting and notifying are methods of the guard, so doing either
/// without holding the lock does not compile.
///
/// # Contract
///
/// * The lock is a [`Mutex`](crate::Mutex) (not reentrant, no poisoning, a timed acquire).
/// * [`wait`](ConditionGuard::wait) lets go of the lock and sleeps until notified; it holds
///   the lock again when it returns. [`wait_timeout`](ConditionGuard::wait_timeout) also
///   returns once the time runs out: `false` then, `true` if notified (or woken spuriously).
///   A waiter that is notified just as its time runs out counts as woken (`true`): the notify
///   is never thrown away with it, and the notifier's count includes it. A zero timeout returns
///   `false` at once without letting go of the lock.
/// * [`notify(n)`](ConditionGuard::notify) wakes at most `n` of the threads waiting when it is
///   called, and says how many; [`notify_all`](ConditionGuard::notify_all) wakes all of them.
///   With nobody waiting a notify does nothing: it is not kept for a later waiter.
/// * Wakeups may be spurious: a `wait` may return though nobody notified it. In a normal
///   build this implementation has none, but under loom and shuttle the facade injects them
///   (see [`set_spurious_wakeups`](crate::sync::set_spurious_wakeups)), so a model finds code
///   that relies on there being none. A woken thread must also take the lock again, after
///   which the condition may no longer hold: wait in a loop, or with
///   [`wait_while`](ConditionGuard::wait_while).
///
/// # Fairness
///
/// Waiters are notified strictly oldest first, in the order they called `wait` (a notify wakes
/// exactly the threads it counts). Taking the lock again after the wake is the
/// [`Mutex`](crate::Mutex)'s eventual fairness: a woken waiter competes with newcomers.
///
/// # Memory ordering
///
/// Everything goes through the lock: what a thread did before letting go of the lock (by
/// dropping its guard or by waiting) happens-before whatever the next holder does, so a
/// woken waiter sees what the notifier wrote before it let go of the lock.
///
/// # Examples
///
/// A consumer waits for the producer's item:
///
/// ```
/// use verisync::Condition;
/// use verisync::sync::{model, thread, Arc};
///
/// model(|| {
///     let items = Arc::new(Condition::new(Vec::new()));
///     let consumer = {
///         let items = Arc::clone(&items);
///         thread::spawn(move || {
///             let mut g = items.lock();
///             g.wait_while(|v| v.is_empty());
///             g.pop().unwrap()
///         })
///     };
///     let mut g = items.lock();
///     g.push("item");
///     g.notify(1);
///     drop(g);
///     assert_eq!(consumer.join().unwrap(), "item");
/// });
/// ```
pub struct Condition<T: ?Sized> {
    /// The threads waiting, oldest first (the word is unused).
    waiters: RawPark,
    /// How many threads are between getting in line and taking the lock back: at least the
    /// number in line. Read and written only with `lock` held, so a notify that finds it zero
    /// skips the queue's lock: nobody can be in line.
    waiting: UnsafeCell<usize>,
    lock: Mutex<T>,
}

// SAFETY: `waiting` is touched only by the holder of `lock` (which orders every access after
// the previous holder's); the rest is `Mutex<T>`'s and `RawPark`'s, which are Sync for
// `T: Send`.
unsafe impl<T: ?Sized + Send> Sync for Condition<T> {}

/// Proof that the current thread holds a [`Condition`]'s lock; releases it when dropped.
/// Waiting and notifying go through it.
///
/// It derefs to the protected value and is `!Send`, like [`MutexGuard`](crate::MutexGuard).
///
/// ```
/// # verisync::sync::model(|| {
/// let c = verisync::Condition::new(String::from("a"));
/// c.lock().push('b');
/// assert_eq!(*c.lock(), "ab");
/// # });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct ConditionGuard<'a, T: ?Sized> {
    condition: &'a Condition<T>,
    /// `None` only inside a wait, after the lock was let go and before it is taken again.
    guard: Option<MutexGuard<'a, T>>,
}

impl<T> Condition<T> {
    /// Creates a condition whose unlocked lock holds `value`, nobody waiting.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::Condition::new(5);
    /// assert_eq!(*c.lock(), 5);
    /// # });
    /// ```
    #[track_caller]
    pub fn new(value: T) -> Self {
        Condition {
            waiters: RawPark::new(0, "Condition"),
            waiting: UnsafeCell::new(0),
            lock: Mutex::new(value),
        }
    }

    /// Consumes the condition and returns the value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::Condition::new(9).into_inner(), 9);
    /// # });
    /// ```
    pub fn into_inner(self) -> T {
        self.lock.into_inner()
    }
}

impl<T: ?Sized> Condition<T> {
    /// Blocks until the lock is free, then takes it.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::Condition::new(vec![]);
    /// c.lock().push(1);
    /// assert_eq!(c.lock().len(), 1);
    /// # });
    /// ```
    #[inline]
    pub fn lock(&self) -> ConditionGuard<'_, T> {
        self.guard(self.lock.lock())
    }

    /// Takes the lock if it is free now; `None` if another thread holds it. Never blocks.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::Condition::new(0);
    /// let g = c.lock();
    /// assert!(c.try_lock().is_none());
    /// drop(g);
    /// assert!(c.try_lock().is_some());
    /// # });
    /// ```
    #[inline]
    pub fn try_lock(&self) -> Option<ConditionGuard<'_, T>> {
        self.lock.try_lock().map(|g| self.guard(g))
    }

    /// Waits at most `timeout` for the lock; `None` if it was still held when the time ran
    /// out. A zero timeout tries once, as [`try_lock`](Condition::try_lock) does.
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let c = verisync::Condition::new(0);
    /// let held = c.lock();
    /// assert!(c.lock_timeout(Duration::from_millis(1)).is_none());
    /// drop(held);
    /// assert!(c.lock_timeout(Duration::from_millis(1)).is_some());
    /// # });
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<ConditionGuard<'_, T>> {
        self.lock.lock_timeout(timeout).map(|g| self.guard(g))
    }

    /// How many threads are waiting to be notified (a snapshot, stale as soon as it returns;
    /// threads waiting for the lock itself are not counted). Takes the internal lock of the
    /// waiters' queue.
    ///
    /// ```
    /// use verisync::Condition;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let c = Arc::new(Condition::new(false));
    ///     let c2 = Arc::clone(&c);
    ///     let t = thread::spawn(move || c2.lock().wait_while(|done| !*done));
    ///     while c.waiters() == 0 {
    ///         thread::yield_now();
    ///     }
    ///     let mut g = c.lock();
    ///     *g = true;
    ///     // 1, unless a spurious wakeup (which a model injects) has it out of line just now.
    ///     assert!(g.notify_all() <= 1);
    ///     drop(g);
    ///     t.join().unwrap();
    ///     assert_eq!(c.waiters(), 0);
    /// });
    /// ```
    pub fn waiters(&self) -> usize {
        self.waiters.parked()
    }

    /// The value, through a unique borrow: no locking needed.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let mut c = verisync::Condition::new(1);
    /// *c.get_mut() = 2;
    /// assert_eq!(*c.lock(), 2);
    /// # });
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.lock.get_mut()
    }

    #[inline]
    fn guard<'a>(&'a self, guard: MutexGuard<'a, T>) -> ConditionGuard<'a, T> {
        ConditionGuard {
            condition: self,
            guard: Some(guard),
        }
    }
}

impl<T: ?Sized> ConditionGuard<'_, T> {
    /// Lets go of the lock and sleeps until notified, then takes the lock again.
    ///
    /// Python's `cond.wait()`. Wait in a loop that checks what you wait for (or use
    /// [`wait_while`](ConditionGuard::wait_while)): another thread may take the lock first
    /// and change it.
    ///
    /// ```
    /// use verisync::Condition;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let c = Arc::new(Condition::new(0));
    ///     let c2 = Arc::clone(&c);
    ///     let t = thread::spawn(move || {
    ///         let mut g = c2.lock();
    ///         *g = 1;
    ///         g.notify_all();
    ///     });
    ///     let mut g = c.lock();
    ///     while *g == 0 {
    ///         g.wait();
    ///     }
    ///     assert_eq!(*g, 1);
    ///     drop(g);
    ///     t.join().unwrap();
    /// });
    /// ```
    pub fn wait(&mut self) {
        let woken = self.wait_until(Wait::Forever);
        debug_assert!(
            woken,
            "an untimed wait returns only when woken (or spuriously)"
        );
    }

    /// Lets go of the lock and sleeps until notified or until `timeout` has passed, then takes
    /// the lock again (in both cases): `true` if notified (or woken spuriously, see the type's
    /// contract), `false` if the time ran out. A thread notified just as its time runs out
    /// returns `true`. A zero timeout returns
    /// `false` at once, never letting go of the lock; [`FOREVER`](crate::sync::FOREVER) or
    /// more waits like [`wait`](ConditionGuard::wait). Under a model checker both outcomes are
    /// explored.
    ///
    /// Python's `cond.wait(timeout=t)`, which returns the same flag.
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let c = verisync::Condition::new(());
    /// let mut g = c.lock();
    /// let woken = g.wait_timeout(Duration::from_millis(5));
    /// // Nobody notifies: it times out (a model also explores a spurious wakeup: `true`).
    /// assert!(!woken || verisync::sync::CHECKED);
    /// assert!(c.try_lock().is_none()); // held again
    /// # });
    /// ```
    pub fn wait_timeout(&mut self, timeout: Duration) -> bool {
        self.wait_until(Wait::timeout(timeout))
    }

    /// Waits (as [`wait`](ConditionGuard::wait) does) for as long as `condition` holds of the
    /// value; returns with the lock held and `condition` false. It is checked before the first
    /// wait and after every wakeup, with the lock held.
    ///
    /// Python's `cond.wait_for(predicate)`, with the predicate negated (as std's
    /// `Condvar::wait_while`): wait *while* the queue is empty.
    ///
    /// ```
    /// use verisync::Condition;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let c = Arc::new(Condition::new(0));
    ///     let c2 = Arc::clone(&c);
    ///     let t = thread::spawn(move || {
    ///         let mut g = c2.lock();
    ///         *g += 1;
    ///         g.notify(1);
    ///     });
    ///     let mut g = c.lock();
    ///     g.wait_while(|n| *n == 0);
    ///     assert_eq!(*g, 1);
    ///     drop(g);
    ///     t.join().unwrap();
    /// });
    /// ```
    pub fn wait_while(&mut self, mut condition: impl FnMut(&mut T) -> bool) {
        while condition(&mut **self) {
            self.wait();
        }
    }

    /// Waits for as long as `condition` holds of the value, at most `timeout` in all: `true`
    /// once `condition` is false, `false` if the time ran out while it still held (checked
    /// once more after the last wait). The lock is held on return either way; a zero timeout
    /// only looks.
    ///
    /// Python's `cond.wait_for(predicate, timeout=t)`, predicate negated; the flag is the
    /// predicate's last value, as Python returns it.
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let c = verisync::Condition::new(3);
    /// let mut g = c.lock();
    /// assert!(g.wait_while_timeout(Duration::from_millis(5), |n| *n == 0)); // 3 != 0
    /// assert!(!g.wait_while_timeout(Duration::from_millis(5), |n| *n > 0)); // nobody helps
    /// # });
    /// ```
    pub fn wait_while_timeout(
        &mut self,
        timeout: Duration,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> bool {
        // One deadline for every wait of the loop.
        let wait = Wait::timeout(timeout);
        while condition(&mut **self) {
            if !self.wait_until(wait) {
                return !condition(&mut **self);
            }
        }
        true
    }

    /// Wakes at most `n` of the threads waiting on this condition, oldest first, and returns
    /// how many it woke (fewer than `n` only if fewer were waiting). Each takes the lock again
    /// once this guard lets go of it. With nobody waiting it does nothing: a later `wait` still
    /// waits.
    ///
    /// Python's `cond.notify(n)`.
    ///
    /// ```
    /// use verisync::Condition;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let c = Arc::new(Condition::new(false));
    ///     assert_eq!(c.lock().notify(1), 0); // nobody waits: nothing is kept
    ///     let c2 = Arc::clone(&c);
    ///     let t = thread::spawn(move || c2.lock().wait_while(|go| !*go));
    ///     let mut g = c.lock();
    ///     *g = true;
    ///     let woken = g.notify(2);
    ///     assert!(woken <= 1); // 0 if the thread has not started waiting yet
    ///     drop(g);
    ///     t.join().unwrap();
    /// });
    /// ```
    pub fn notify(&mut self, n: usize) -> usize {
        if self.waiting() == 0 {
            return 0; // nobody in line: no need for the queue's lock
        }
        self.condition.waiters.wake(n)
    }

    /// Wakes every thread waiting on this condition; returns how many.
    ///
    /// Python's `cond.notify_all()`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::Condition::new(());
    /// assert_eq!(c.lock().notify_all(), 0);
    /// # });
    /// ```
    pub fn notify_all(&mut self) -> usize {
        self.notify(usize::MAX)
    }

    /// The count of threads between getting in line and taking the lock back.
    fn waiting(&self) -> usize {
        // SAFETY: this guard holds the lock, and only the lock's holder touches the count.
        self.condition.waiting.with(|w| unsafe { *w })
    }

    /// Adds `delta` (1 or -1) to the count of waiting threads.
    fn count_waiting(&mut self, delta: isize) {
        // SAFETY: as in `waiting`.
        self.condition
            .waiting
            .with_mut(|w| unsafe { *w = w.read().wrapping_add_signed(delta) });
    }

    /// Waits to be notified as `wait` allows; `true` if notified or woken spuriously, `false` if
    /// out of time. Holds the lock on return.
    fn wait_until(&mut self, wait: Wait) -> bool {
        if wait.is_try() {
            return false; // a zero timeout: nothing to wait for, and the lock is never let go
        }
        self.count_waiting(1);
        let guard = self.guard.take();
        // In line before the lock is let go: a notifier (who holds the lock) sees this thread.
        let woken = self
            .condition
            .waiters
            .wait_in_line(wait, move || drop(guard));
        self.guard = Some(self.condition.lock.lock());
        self.count_waiting(-1);
        woken
    }

    #[inline]
    fn held(&self) -> &MutexGuard<'_, T> {
        match &self.guard {
            Some(g) => g,
            None => unreachable!("a guard holds the lock outside its own waits"),
        }
    }
}

impl<T: Default> Default for Condition<T> {
    /// An unlocked condition holding `T::default()`, nobody waiting.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c: verisync::Condition<u8> = Default::default();
    /// assert_eq!(*c.lock(), 0);
    /// # });
    /// ```
    fn default() -> Self {
        Condition::new(T::default())
    }
}

impl<T: ?Sized> fmt::Debug for Condition<T> {
    /// Shows whether the lock is held and how many threads wait to be notified (not the value:
    /// reading it would take the lock).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::Condition::new(3);
    /// assert_eq!(format!("{c:?}"), "Condition { locked: false, waiters: 0, .. }");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("locked", &self.lock.is_locked())
            .field("waiters", &self.waiters())
            .finish_non_exhaustive()
    }
}

impl<T: ?Sized> Deref for ConditionGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        self.held()
    }
}

impl<T: ?Sized> DerefMut for ConditionGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        match &mut self.guard {
            Some(g) => g,
            None => unreachable!("a guard holds the lock outside its own waits"),
        }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for ConditionGuard<'_, T> {
    /// Shows the guarded value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::Condition::new(3);
    /// assert_eq!(format!("{:?}", c.lock()), "3");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(all(test, not(any(loom, feature = "shuttle"))))]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn with_nobody_waiting_a_notify_takes_no_queue_lock() {
        let c = Condition::new(0);
        // A wait that times out (nobody notifies) counts itself in and out again.
        let mut g = c.lock();
        g.wait_timeout(Duration::from_millis(1));
        assert_eq!(g.waiting(), 0, "nobody is waiting now");
        drop(g);
        // `wait_in_line` calls its closure with the waiters' queue locked: a notify that went
        // for that lock would hang here (so a mutant that keeps the count above 0 times out).
        let timed_out = !c
            .waiters
            .wait_in_line(Wait::timeout(Duration::from_millis(1)), || {
                let woken = thread::scope(|s| s.spawn(|| c.lock().notify_all()).join().unwrap());
                assert_eq!(woken, 0);
            });
        assert!(timed_out, "nobody woke the test's own place in line");
    }
}
