//! [`JoinableQueue`] and its task count.
//!
//! The count needs the items put, got and marked done. The ring already counts the first two:
//! its `tail` is one past every position a put has claimed, its `head` one past every position
//! a get has claimed, and every claim ends in an item published or moved out. So the count is
//! one word of its own, `done`: the position the tasks marked done have reached, moved on with
//! the ring's own `next` (so that positions, not counters, are compared, and nothing wraps
//! differently), with a `JOINER` bit below the positions. `tail - done` tasks are unfinished,
//! `head - done` may still be marked done. A put and a get thus cost nothing more than in a
//! plain queue, and `task_done` one read-modify-write on a word that only consumers write.
//!
//! A put is counted when it claims its slot, before its item is published, so no get can mark
//! a task done before it counts. A `task_done` moves `done` on and takes the joiners' lock only
//! when it finds `JOINER` set and no task left unfinished. A joiner sets `JOINER` with a
//! `fetch_or` on `done` under that lock, and sleeps only if tasks are unfinished: the
//! read-modify-writes on `done` are totally ordered, so the last `task_done` comes after the
//! `fetch_or` (it sees `JOINER`, and the lock makes its wakeup wait until the joiner sleeps) or
//! before it (the joiner acquires it, and sees every put of the tasks done, so it counts none
//! unfinished). The last joiner to leave clears `JOINER` under the lock, so that a queue nobody
//! joins never takes it.

use super::ring::Ring;
use super::{BoundedQueue, Iter, JoinTimeoutError, TaskDoneError};
use crate::check::blocked;
use crate::sync::raw_atomic::{AtomicUsize, Ordering};
use crate::sync::{Condvar, Mutex, Wait};
use crossbeam_utils::CachePadded;
use std::fmt;
use std::ops::Deref;
use std::time::Duration;

/// In `done`: a thread may be in [`JoinableQueue::join`], to be woken when no task is left.
/// Ring positions are multiples of a step above their flag bits, so the bit is free.
const JOINER: usize = 1;

/// How far the tasks marked done have got, as a position of the queue's ring, and `JOINER`.
struct TaskCount {
    done: CachePadded<AtomicUsize>,
}

impl TaskCount {
    fn new() -> Self {
        // The ring's positions start at 0, as `head` and `tail` do.
        TaskCount {
            done: CachePadded::new(AtomicUsize::new(0)),
        }
    }

    /// Marks one task done: `Ok(true)` if a joiner may be waiting and no task seems left
    /// unfinished (the caller wakes the joiners, who look again).
    fn done<T>(&self, ring: &Ring<T>) -> Result<bool, TaskDoneError> {
        let before = self
            .done
            .fetch_update(
                // Ordering: Release: what this thread did for the task happens-before the
                // return of a join that acquires `done` (every later change of it is a
                // read-modify-write, in this release sequence).
                Ordering::Release,
                // Ordering: Acquire: a `done` moved on by another consumer comes with its get,
                // which `head` must then show, or this check would refuse a task it got.
                Ordering::Acquire,
                |d| {
                    let done = d & !JOINER;
                    let got = ring.get_position();
                    (ring.items_between(done, got) > 0).then(|| ring.next(done) | (d & JOINER))
                },
            )
            .map_err(|_| TaskDoneError::NothingPending)?;
        if before & JOINER == 0 {
            return Ok(false);
        }
        // A stale `tail` is behind, so it can only wake a joiner too early (it looks again),
        // never leave it asleep.
        let done = ring.next(before & !JOINER);
        Ok(ring.items_between(done, ring.put_position()) <= 0)
    }

    /// Items put and not yet done.
    fn unfinished<T>(&self, ring: &Ring<T>) -> usize {
        // Ordering: Acquire: pairs with `done`'s Release: the work of the tasks counted done
        // happens-before what the caller does next, and their puts are seen in `tail`.
        let done = self.done.load(Ordering::Acquire) & !JOINER;
        // Never negative: every put of a task counted done happened-before, as above.
        ring.items_between(done, ring.put_position()).max(0) as usize
    }

    /// Under the joiners' lock: announces a joiner; `Some` if no task is unfinished.
    fn announce_joiner<T>(&self, ring: &Ring<T>) -> Option<()> {
        // Ordering: Acquire: as in `unfinished`. The announcement itself rests on the total
        // order of read-modify-writes on `done` and on the lock.
        let done = self.done.fetch_or(JOINER, Ordering::Acquire) & !JOINER;
        (ring.put_position() == done).then_some(())
    }

    /// Under the joiners' lock, when the last joiner leaves: task_done need not wake anyone.
    fn no_joiner(&self) {
        // Ordering: Relaxed: joiners set and clear the bit under the lock; a `task_done` that
        // misses it comes after the clear in the word's order, when nobody waits.
        self.done.fetch_and(!JOINER, Ordering::Relaxed);
    }
}

/// A [`BoundedQueue`] that also counts tasks: multiprocessing's `JoinableQueue`.
///
/// Every item put is a task. A consumer calls [`task_done`](JoinableQueue::task_done) once
/// for each item it got, when it has finished with it, and [`join`](JoinableQueue::join)
/// returns exactly when every item put so far has been marked done. A producer can thus hand
/// out work and wait for all of it to be finished without knowing who does it or counting
/// replies.
///
/// Every [`BoundedQueue`] method (`put`, `get`, `try_get`, `close`, `iter`, …) is available
/// through `Deref`, and `&JoinableQueue<T>` passes where a `&BoundedQueue<T>` is expected.
///
/// # Contract
///
/// * `task_done` more often than items were got is an error ([`TaskDoneError`]) that changes
///   nothing (the gets that count are those that happened-before it: in its own thread, or in
///   one it synchronized with); Python raises `ValueError` only past the number put.
/// * [`join`](JoinableQueue::join) returns when the count of unfinished tasks (put, not yet
///   done) is zero, at once if it already is; it can be called again, and by many threads.
/// * [`close`](BoundedQueue::close) does not release `join`: items already in a closed queue
///   can still be got and must still be marked done.
///
/// # Memory ordering
///
/// What a thread did before its `task_done` happens-before the return of a `join` (or an
/// [`unfinished`](JoinableQueue::unfinished) of zero) that it released.
///
/// # Cost
///
/// A put and a get cost what they cost in a [`BoundedQueue`]: the ring's positions already
/// count the items put and got. A `task_done` is one read-modify-write on a word of the queue's
/// own that only consumers write. No lock is taken unless a thread is in `join`.
///
/// # Examples
///
/// The notes' 案例22: the main thread puts the work, a consumer does it, and `join` waits for
/// all of it; then `close` lets the consumer's loop end.
///
/// ```
/// use verisync::JoinableQueue;
/// use verisync::sync::{model, thread, Arc};
///
/// model(|| {
///     let q = Arc::new(JoinableQueue::new(2));
///     let consumer = {
///         let q = Arc::clone(&q);
///         thread::spawn(move || {
///             for job in q.iter() {
///                 let _ = job * 2; // the work
///                 q.task_done().unwrap(); // one per item got
///             }
///         })
///     };
///     q.put(1).unwrap();
///     q.put(2).unwrap();
///     q.join(); // both jobs are done when this returns
///     assert_eq!(q.unfinished(), 0);
///     q.close();
///     consumer.join().unwrap();
/// });
/// ```
pub struct JoinableQueue<T> {
    queue: BoundedQueue<T>,
    /// How many tasks are done, against the ring's counts of items put and got.
    tasks: TaskCount,
    /// The threads inside a `join` that may sleep.
    joiners: Mutex<usize>,
    /// Joiners sleep here for the count of unfinished tasks to reach zero.
    all_done: Condvar,
}

impl<T> JoinableQueue<T> {
    /// Creates an empty, open queue that holds at most `capacity` items, with no tasks.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0 or too large, as [`BoundedQueue::new`].
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let q = verisync::JoinableQueue::<u8>::new(4);
    /// assert_eq!(q.capacity(), 4);
    /// assert_eq!(q.unfinished(), 0);
    /// # });
    /// ```
    #[track_caller]
    pub fn new(capacity: usize) -> Self {
        let mut queue = BoundedQueue::new(capacity);
        queue.site.is_a("JoinableQueue");
        JoinableQueue {
            queue,
            tasks: TaskCount::new(),
            joiners: Mutex::new(0),
            all_done: Condvar::new(),
        }
    }

    /// Marks one item got as done. When no unfinished task is left, every thread in
    /// [`join`](JoinableQueue::join) returns.
    ///
    /// # Errors
    ///
    /// [`TaskDoneError::NothingPending`] if every item got has already been marked done; the
    /// counts are unchanged.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let q = verisync::JoinableQueue::new(1);
    /// q.put("job").unwrap();
    /// assert!(q.task_done().is_err()); // not got yet
    /// q.get().unwrap();
    /// assert_eq!(q.task_done(), Ok(()));
    /// assert!(q.task_done().is_err()); // once per item
    /// # });
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        if self.tasks.done(&self.queue.ring)? {
            self.wake_joiners();
        }
        Ok(())
    }

    #[cold]
    fn wake_joiners(&self) {
        // A joiner holds the lock from its announcement until it sleeps: no lost wakeup.
        drop(self.joiners.lock());
        self.all_done.notify_all();
    }

    /// Waits until every item put has been marked done; returns at once if none is unfinished.
    ///
    /// ```
    /// use verisync::JoinableQueue;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let q = Arc::new(JoinableQueue::new(1));
    ///     q.join(); // nothing put yet
    ///     q.put(7).unwrap();
    ///     let q2 = Arc::clone(&q);
    ///     let worker = thread::spawn(move || {
    ///         let job = q2.get().unwrap();
    ///         q2.task_done().unwrap();
    ///         job
    ///     });
    ///     q.join(); // returns once the worker marked 7 done
    ///     assert_eq!(q.unfinished(), 0);
    ///     assert_eq!(worker.join().unwrap(), 7);
    /// });
    /// ```
    pub fn join(&self) {
        let joined = self.wait_done(Wait::Forever);
        debug_assert!(joined.is_ok());
    }

    /// Like [`join`](JoinableQueue::join), but waits at most `timeout`. A zero timeout does
    /// not wait; a timeout of [`FOREVER`](crate::sync::FOREVER) or more waits like `join`.
    ///
    /// # Errors
    ///
    /// [`JoinTimeoutError::Timeout`], with the count of unfinished tasks, if some were still
    /// unfinished when the time ran out.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// use std::time::Duration;
    /// let q = verisync::JoinableQueue::new(1);
    /// assert!(q.join_timeout(Duration::from_millis(5)).is_ok());
    /// q.put(1).unwrap();
    /// assert!(q.join_timeout(Duration::from_millis(5)).is_err()); // nobody does the job
    /// # });
    /// ```
    pub fn join_timeout(&self, timeout: Duration) -> Result<(), JoinTimeoutError> {
        self.wait_done(Wait::timeout(timeout))
            .map_err(|unfinished| JoinTimeoutError::Timeout { unfinished })
    }

    /// Waits as `wait` allows for no task to be unfinished; the count left if time ran out.
    fn wait_done(&self, wait: Wait) -> Result<(), usize> {
        let (tasks, ring) = (&self.tasks, &self.queue.ring);
        match tasks.unfinished(ring) {
            0 => return Ok(()),
            left if wait.is_try() => return Err(left),
            _ => {}
        }
        let mut joiners = self.joiners.lock();
        *joiners += 1;
        let _asleep = blocked::waiting_for(&self.queue.site, "every task done of ");
        let (mut joiners, joined) = self
            .all_done
            .wait_for(joiners, wait, |_| tasks.announce_joiner(ring));
        *joiners -= 1;
        if *joiners == 0 {
            tasks.no_joiner();
        }
        drop(joiners);
        match joined.map_or_else(|| tasks.unfinished(ring), |()| 0) {
            0 => Ok(()),
            left => Err(left),
        }
    }

    /// The number of items put and not yet marked done (Python's `unfinished_tasks`). A zero
    /// seen here orders the tasks' work before the caller's next steps, as `join` does.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let q = verisync::JoinableQueue::new(2);
    /// q.put('a').unwrap();
    /// q.get().unwrap();
    /// assert_eq!(q.unfinished(), 1); // got, not done
    /// q.task_done().unwrap();
    /// assert_eq!(q.unfinished(), 0);
    /// # });
    /// ```
    pub fn unfinished(&self) -> usize {
        self.tasks.unfinished(&self.queue.ring)
    }

    /// The plain queue inside, as `Deref` gives it: for code that takes a `&BoundedQueue<T>`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// fn drain(q: &verisync::BoundedQueue<u8>) -> usize {
    ///     std::iter::from_fn(|| q.try_get().ok()).count()
    /// }
    /// let q = verisync::JoinableQueue::new(2);
    /// q.put(1).unwrap();
    /// assert_eq!(drain(q.as_queue()), 1);
    /// assert_eq!(q.unfinished(), 1); // got, but not done
    /// # });
    /// ```
    pub fn as_queue(&self) -> &BoundedQueue<T> {
        &self.queue
    }
}

impl<T> Deref for JoinableQueue<T> {
    type Target = BoundedQueue<T>;

    fn deref(&self) -> &BoundedQueue<T> {
        &self.queue
    }
}

impl<T> fmt::Debug for JoinableQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinableQueue")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .field("unfinished", &self.unfinished())
            .finish_non_exhaustive()
    }
}

impl<'a, T> IntoIterator for &'a JoinableQueue<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.queue.iter()
    }
}

#[cfg(all(test, not(any(loom, feature = "shuttle"))))]
mod tests {
    use super::*;
    use std::thread;

    /// `done`'s `JOINER` bit now.
    fn joiner_flagged<T>(q: &JoinableQueue<T>) -> bool {
        q.tasks.done.load(Ordering::Relaxed) & JOINER != 0
    }

    #[test]
    fn with_nobody_joining_the_last_task_done_takes_no_lock() {
        // The joiners' lock is held throughout: a `task_done` that went for it would hang
        // here (so a mutant that wakes absent joiners times out).
        let q = JoinableQueue::new(2);
        q.put(1).unwrap();
        assert_eq!(q.get(), Ok(1));
        let joiners = q.joiners.lock();
        thread::scope(|s| s.spawn(|| q.task_done()).join().unwrap()).unwrap();
        assert_eq!(q.unfinished(), 0);
        drop(joiners);
    }

    #[test]
    fn a_zero_timeout_join_takes_no_lock() {
        // As above: a zero-timeout join that went for the joiners' lock would hang here.
        let q = JoinableQueue::new(2);
        q.put(1).unwrap();
        let joiners = q.joiners.lock();
        let joined = thread::scope(|s| s.spawn(|| q.join_timeout(Duration::ZERO)).join());
        assert_eq!(
            joined.unwrap(),
            Err(JoinTimeoutError::Timeout { unfinished: 1 })
        );
        assert!(
            !joiner_flagged(&q),
            "a zero timeout never announces a joiner"
        );
        drop(joiners);
    }

    #[test]
    fn the_last_joiner_to_leave_clears_the_joiner_flag() {
        let q = JoinableQueue::new(2);
        q.put(1).unwrap();
        thread::scope(|s| {
            let joiner = s.spawn(|| q.join());
            // Set under the joiners' lock by the joiner, which then sleeps until the task is
            // done (the task is unfinished, so it cannot return before).
            while !joiner_flagged(&q) {
                thread::yield_now();
            }
            assert_eq!(q.get(), Ok(1));
            q.task_done().unwrap();
            joiner.join().unwrap();
        });
        assert_eq!(*q.joiners.lock(), 0, "nobody is joining");
        assert!(!joiner_flagged(&q), "so a task_done need not wake anyone");
    }
}
