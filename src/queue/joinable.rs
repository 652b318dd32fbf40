//! [`JoinableQueue`] and its task count.
//!
//! The count lives in every [`BoundedQueue`] and only a joinable one uses it (a plain queue's
//! is [`untracked`](TaskCount::untracked)). A put raises it through the ring's
//! [`BeforePublish`] hook, after claiming its slot and before publishing the item, so that no
//! get can mark the task done before it counts. The counts sit under a mutex that plain queues
//! never take.

use super::ring::BeforePublish;
use super::{BoundedQueue, Iter, JoinTimeoutError, TaskDoneError};
use crate::sync::{Condvar, Mutex, Wait};
use std::fmt;
use std::ops::Deref;
use std::time::Duration;

/// A queue's task count; its hooks do nothing in a plain queue.
pub(super) struct TaskCount {
    tracked: bool,
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    /// Items put and not yet marked done.
    unfinished: usize,
    /// Items got and not yet marked done.
    pending: usize,
    /// Threads inside a wait for `unfinished == 0`: a notification is sent only when somebody
    /// waits.
    joiners: usize,
}

impl TaskCount {
    /// The count of a plain queue: never touched.
    pub(super) fn untracked() -> Self {
        Self::new(false)
    }

    fn tracked() -> Self {
        Self::new(true)
    }

    fn new(tracked: bool) -> Self {
        TaskCount {
            tracked,
            counts: Mutex::new(Counts::default()),
        }
    }

    /// After a get took an item: one more task may be marked done.
    #[inline]
    pub(super) fn got(&self) {
        if self.tracked {
            self.counts.lock().pending += 1;
        }
    }
}

impl BeforePublish for TaskCount {
    #[inline]
    fn before_publish(&self) {
        if self.tracked {
            self.counts.lock().unfinished += 1;
        }
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
///   nothing; Python raises `ValueError` only past the number put.
/// * [`join`](JoinableQueue::join) returns when the count of unfinished tasks (put, not yet
///   done) is zero, at once if it already is; it can be called again, and by many threads.
/// * [`close`](BoundedQueue::close) does not release `join`: items already in a closed queue
///   can still be got and must still be marked done.
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
    /// Joiners wait here for the count of unfinished tasks to reach zero.
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
    pub fn new(capacity: usize) -> Self {
        JoinableQueue {
            queue: BoundedQueue::build(capacity, TaskCount::tracked()),
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
        let mut counts = self.counts().lock();
        if counts.pending == 0 {
            return Err(TaskDoneError::NothingPending);
        }
        counts.pending -= 1;
        counts.unfinished -= 1;
        let wake = counts.unfinished == 0 && counts.joiners > 0;
        drop(counts);
        if wake {
            self.all_done.notify_all();
        }
        Ok(())
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
        let mut counts = self.counts().lock();
        if counts.unfinished > 0 && !wait.is_try() {
            counts.joiners += 1;
            (counts, _) = self
                .all_done
                .wait_for(counts, wait, |c| (c.unfinished == 0).then_some(()));
            counts.joiners -= 1;
        }
        match counts.unfinished {
            0 => Ok(()),
            left => Err(left),
        }
    }

    /// The number of items put and not yet marked done (Python's `unfinished_tasks`).
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
        self.counts().lock().unfinished
    }

    fn counts(&self) -> &Mutex<Counts> {
        &self.queue.tasks.counts
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
