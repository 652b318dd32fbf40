//! [`ThreadPool`]: a fixed set of worker threads running submitted tasks, the notes'
//! `multiprocessing.Pool` (002) and `ThreadPoolExecutor` (003), on verisync's own queue.
//!
//! # From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `Pool(processes=n)`, `ThreadPoolExecutor(max_workers=n)` | [`ThreadPool::new(n)`](ThreadPool::new) |
//! | `pool.apply_async(f)`, `executor.submit(f)` | [`submit(f)`](ThreadPool::submit): a [`Task`] handle |
//! | `result.get()` / `get(timeout=t)`, `future.result()` | [`Task::join`] / [`Task::join_timeout`] |
//! | `future.cancel()` / `future.done()` | [`Task::cancel`] / [`Task::is_finished`] |
//! | `pool.map(f, items)` | [`map(items, f)`](ThreadPool::map), in the items' order |
//! | `pool.close(); pool.join()` | [`close`](ThreadPool::close); [`join`](ThreadPool::join), an `Err` while the pool is open |
//!
//! # Design
//!
//! The workers loop over a [`BoundedQueue`] of jobs until it is closed and drained. A job is a
//! task's shared state plus its function: a decision (`src/decision.rs`) that one
//! compare-and-swap makes, started (the worker) or cancelled (`cancel`), as in
//! [`Timer`](crate::Timer),
//! a slot for the outcome, and an [`Event`] set once the outcome is there. A worker runs the
//! function under `catch_unwind`, so a panicking task becomes that task's outcome and the worker
//! goes on to the next job.

use crate::decision::Decision;
use crate::sync::thread::{self, JoinHandle};
use crate::sync::{Arc, Mutex, Wait};
use crate::{BoundedQueue, Event};
use std::any::Any;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;
use thiserror::Error;

/// Why a task gave no value.
#[derive(Error)]
pub enum TaskError {
    /// The task was cancelled before it started.
    #[error("the task was cancelled before it started")]
    Cancelled,
    /// The task panicked; the payload is the panic's, as [`std::thread::JoinHandle::join`]
    /// gives it.
    #[error("the task panicked")]
    Panicked(Box<dyn Any + Send + 'static>),
}

impl fmt::Debug for TaskError {
    /// The variant, with a panic's message when it is a string.
    ///
    /// ```
    /// assert_eq!(format!("{:?}", verisync::TaskError::Cancelled), "Cancelled");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Cancelled => f.write_str("Cancelled"),
            TaskError::Panicked(p) => {
                let message = p
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| p.downcast_ref::<String>().map(String::as_str));
                f.debug_tuple("Panicked")
                    .field(&message.unwrap_or("<non-string payload>"))
                    .finish()
            }
        }
    }
}

/// Why [`ThreadPool::submit`] did not take the task: the pool is closed. The function is given
/// back.
#[derive(Error)]
#[error("submit on a closed pool")]
pub struct SubmitError<F>(pub F);

impl<F> fmt::Debug for SubmitError<F> {
    /// Prints without `F: Debug` (a closure is not), so `unwrap()` always works.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// pool.close();
    /// let refused = pool.submit(|| 1).unwrap_err();
    /// assert_eq!(format!("{refused:?}"), "SubmitError(..)");
    /// # pool.join().unwrap();
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubmitError(..)")
    }
}

/// Why [`ThreadPool::join`] did not wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum PoolJoinError {
    /// The pool is still open: joining it would wait forever for work that may yet come (the
    /// casebook's `join-before-close`). Call [`close`](ThreadPool::close) first.
    #[error("join on an open pool: call close() first, or it would wait forever")]
    Open,
}

/// What a task's handle and its job share.
struct TaskState<R> {
    decision: Decision,
    outcome: Mutex<Option<Result<R, TaskError>>>,
    /// Set once `outcome` is filled.
    done: Event,
}

impl<R> TaskState<R> {
    fn finish(&self, outcome: Result<R, TaskError>) {
        *self.outcome.lock() = Some(outcome);
        self.done.set();
    }
}

/// A job in the queue: runs its task unless it was cancelled.
type Job = Box<dyn FnOnce() + Send>;

/// A fixed number of worker threads running submitted tasks, in submission order.
///
/// # Contract
///
/// * [`submit`](ThreadPool::submit) queues a task and returns its [`Task`] handle; it waits
///   while the queue is full (`capacity` tasks waiting), and gives the function back once the
///   pool is closed.
/// * A task that panics becomes that task's [`TaskError::Panicked`]; its worker goes on, and
///   no other task is lost.
/// * [`close`](ThreadPool::close) refuses new tasks; the queued ones still run.
///   [`join`](ThreadPool::join) on a closed pool waits until every queued task has run and the
///   workers have exited; on an open one it returns [`PoolJoinError::Open`] at once (Python's
///   "call close before join", checked instead of hanging).
/// * Dropping the pool closes it, lets the queued tasks run, and joins the workers.
///
/// # Memory ordering
///
/// What the submitter did before `submit` happens-before the task runs; what the task did
/// happens-before its `join` returns.
///
/// # Examples
///
/// The notes' 002: a pool runs the tasks submitted to it, then is closed and joined (one
/// worker here, so that a model checker explores it in moments).
///
/// ```
/// use verisync::ThreadPool;
///
/// # verisync::sync::model(|| {
/// let pool = ThreadPool::new(1);
/// let tasks: Vec<_> = (2..4).map(|i| pool.submit(move || i * i).unwrap()).collect();
/// pool.close();
/// pool.join().unwrap();
/// let squares: Vec<i32> = tasks.into_iter().map(|t| t.join().unwrap()).collect();
/// assert_eq!(squares, [4, 9]);
/// # });
/// ```
pub struct ThreadPool {
    queue: Arc<BoundedQueue<Job>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
    size: usize,
}

impl ThreadPool {
    /// A pool of `threads` workers whose queue holds up to `16 * threads` waiting tasks.
    ///
    /// # Panics
    ///
    /// If `threads` is 0, or a thread cannot be spawned.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// assert_eq!(pool.threads(), 1);
    /// # });
    /// ```
    pub fn new(threads: usize) -> Self {
        Self::with_capacity(threads, threads.saturating_mul(16))
    }

    /// A pool of `threads` workers whose queue holds up to `capacity` waiting tasks (a
    /// `submit` beyond that waits for a worker to take one).
    ///
    /// # Panics
    ///
    /// If `threads` or `capacity` is 0, or a thread cannot be spawned.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::with_capacity(1, 1);
    /// assert_eq!(pool.submit(|| "ok").unwrap().join().unwrap(), "ok");
    /// # });
    /// ```
    pub fn with_capacity(threads: usize, capacity: usize) -> Self {
        assert!(
            threads > 0,
            "ThreadPool::new: a pool needs at least 1 thread"
        );
        let queue: Arc<BoundedQueue<Job>> = Arc::new(BoundedQueue::new(capacity));
        let workers = (0..threads)
            .map(|_| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || {
                    for job in queue.iter() {
                        job();
                    }
                })
            })
            .collect();
        ThreadPool {
            queue,
            workers: Mutex::new(workers),
            size: threads,
        }
    }

    /// Queues `task` and returns its handle; waits while the queue is full.
    ///
    /// # Errors
    ///
    /// [`SubmitError`], with `task` given back, if the pool is closed.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// let t = pool.submit(|| 6 * 7).unwrap();
    /// assert_eq!(t.join().unwrap(), 42);
    /// # });
    /// ```
    pub fn submit<R, F>(&self, task: F) -> Result<Task<R>, SubmitError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let shared = Arc::new(TaskState {
            decision: Decision::new(),
            outcome: Mutex::new(None),
            done: Event::new(),
        });
        // The function waits in a slot the job can take it from, so that a refused job can
        // give it back.
        let slot = Arc::new(Mutex::new(Some(task)));
        let job: Job = {
            let (shared, slot) = (Arc::clone(&shared), Arc::clone(&slot));
            Box::new(move || {
                let Some(task) = slot.lock().take() else {
                    return;
                };
                if !shared.decision.start() {
                    return; // cancelled: its outcome is set already
                }
                let outcome =
                    panic::catch_unwind(AssertUnwindSafe(task)).map_err(TaskError::Panicked);
                shared.finish(outcome);
            })
        };
        match self.queue.put(job) {
            Ok(()) => Ok(Task { shared }),
            Err(refused) => {
                drop(refused); // the job, which still holds the other reference to the slot
                let task = slot.lock().take().expect("a refused job never ran");
                Err(SubmitError(task))
            }
        }
    }

    /// Runs `f` on every item in the pool and returns the results in the items' order, once
    /// all are done.
    ///
    /// # Errors
    ///
    /// The first (in the items' order) [`TaskError`]: a panic of `f`. Every item is run
    /// regardless.
    ///
    /// # Panics
    ///
    /// If the pool is closed.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// assert_eq!(pool.map(1..=2, |x| x * 10).unwrap(), [10, 20]);
    /// # });
    /// ```
    pub fn map<I, R, F>(&self, items: I, f: F) -> Result<Vec<R>, TaskError>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> R + Send + Sync + 'static,
        R: Send + 'static,
    {
        let f = Arc::new(f);
        let tasks: Vec<Task<R>> = items
            .into_iter()
            .map(|item| {
                let f = Arc::clone(&f);
                self.submit(move || f(item))
                    .unwrap_or_else(|_| panic!("ThreadPool::map on a closed pool"))
            })
            .collect();
        let outcomes: Vec<Result<R, TaskError>> = tasks.into_iter().map(Task::join).collect();
        outcomes.into_iter().collect()
    }

    /// Refuses new tasks from now on; those queued still run. Returns `true` if this call
    /// closed it.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// assert!(pool.close());
    /// assert!(!pool.close());
    /// assert!(pool.submit(|| ()).is_err());
    /// # pool.join().unwrap();
    /// # });
    /// ```
    pub fn close(&self) -> bool {
        self.queue.close()
    }

    /// Waits until every queued task has run and the workers have exited. Returns at once if
    /// another `join` did that already.
    ///
    /// # Errors
    ///
    /// [`PoolJoinError::Open`] if the pool has not been [`close`](ThreadPool::close)d: the
    /// workers would wait for more work forever.
    ///
    /// ```
    /// use verisync::{PoolJoinError, ThreadPool};
    /// # verisync::sync::model(|| {
    /// let pool = ThreadPool::new(1);
    /// assert_eq!(pool.join(), Err(PoolJoinError::Open));
    /// pool.close();
    /// assert_eq!(pool.join(), Ok(()));
    /// # });
    /// ```
    pub fn join(&self) -> Result<(), PoolJoinError> {
        if !self.queue.is_closed() {
            return Err(PoolJoinError::Open);
        }
        let workers = std::mem::take(&mut *self.workers.lock());
        for w in workers {
            // A worker never panics: every job catches its task's panic.
            let _ = w.join();
        }
        Ok(())
    }

    /// How many worker threads the pool has.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::ThreadPool::new(1).threads(), 1);
    /// # });
    /// ```
    pub fn threads(&self) -> usize {
        self.size
    }

    /// How many tasks are queued and not yet taken by a worker (a snapshot).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// pool.close();
    /// assert_eq!(pool.queued(), 0);
    /// # pool.join().unwrap();
    /// # });
    /// ```
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}

impl Drop for ThreadPool {
    /// Closes the pool, lets the queued tasks run, and joins the workers.
    fn drop(&mut self) {
        if crate::sync::abandoned() {
            return; // a failing model is being torn down: touch nothing
        }
        self.close();
        let _ = self.join();
    }
}

impl fmt::Debug for ThreadPool {
    /// Shows the threads, the queued tasks and whether it is closed.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// assert_eq!(format!("{pool:?}"), "ThreadPool { threads: 1, queued: 0, closed: false }");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("threads", &self.size)
            .field("queued", &self.queued())
            .field("closed", &self.queue.is_closed())
            .finish()
    }
}

/// The handle of a task submitted to a [`ThreadPool`].
///
/// ```
/// # verisync::sync::model(|| {
/// let pool = verisync::ThreadPool::new(1);
/// let t = pool.submit(|| "done").unwrap();
/// assert_eq!(t.join().unwrap(), "done");
/// # });
/// ```
pub struct Task<R> {
    shared: Arc<TaskState<R>>,
}

impl<R> Task<R> {
    /// Waits for the task: its value.
    ///
    /// # Errors
    ///
    /// [`TaskError::Cancelled`] if it was cancelled, [`TaskError::Panicked`] if it panicked.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// assert_eq!(pool.submit(|| 1).unwrap().join().unwrap(), 1);
    /// # });
    /// ```
    pub fn join(self) -> Result<R, TaskError> {
        let joined = self.join_as(Wait::Forever);
        joined.unwrap_or_else(|_| unreachable!("an untimed wait returns only once done"))
    }

    /// Waits at most `timeout` for the task. A zero timeout looks once.
    ///
    /// # Errors
    ///
    /// The outer `Err` gives the handle back if the time ran out; the inner result is as for
    /// [`join`](Task::join).
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// let t = pool.submit(|| 5).unwrap();
    /// let value = match t.join_timeout(Duration::ZERO) {
    ///     Ok(outcome) => outcome.unwrap(),
    ///     Err(t) => t.join().unwrap(), // not done in time: the handle comes back
    /// };
    /// assert_eq!(value, 5);
    /// # });
    /// ```
    pub fn join_timeout(self, timeout: Duration) -> Result<Result<R, TaskError>, Task<R>> {
        self.join_as(Wait::timeout(timeout))
    }

    fn join_as(self, wait: Wait) -> Result<Result<R, TaskError>, Task<R>> {
        if !self.shared.done.wait_until(wait) {
            return Err(self);
        }
        let outcome = self.shared.outcome.lock().take();
        Ok(outcome.expect("the outcome is set before done, and only its one handle takes it"))
    }

    /// Whether the task has an outcome: it ran, panicked, or was cancelled (a snapshot).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// let t = pool.submit(|| ()).unwrap();
    /// pool.close();
    /// pool.join().unwrap();
    /// assert!(t.is_finished());
    /// # });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.shared.done.is_set()
    }

    /// Cancels the task if no worker has started it: `true` if it will never run (cancelled
    /// by this call or an earlier one), `false` once it has started.
    ///
    /// ```
    /// use verisync::{TaskError, ThreadPool};
    /// # verisync::sync::model(|| {
    /// let pool = ThreadPool::new(1);
    /// let t = pool.submit(|| 1).unwrap();
    /// let cancelled = t.cancel(); // races the worker: a model explores both
    /// match t.join() {
    ///     Err(TaskError::Cancelled) => assert!(cancelled),
    ///     outcome => assert_eq!(outcome.unwrap(), 1),
    /// }
    /// # });
    /// ```
    pub fn cancel(&self) -> bool {
        self.shared
            .decision
            .cancel(|| self.shared.finish(Err(TaskError::Cancelled)))
    }
}

impl<R> fmt::Debug for Task<R> {
    /// Shows whether the task has finished.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let pool = verisync::ThreadPool::new(1);
    /// let t = pool.submit(|| ()).unwrap();
    /// pool.close();
    /// pool.join().unwrap();
    /// assert_eq!(format!("{t:?}"), "Task { finished: true }");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("finished", &self.is_finished())
            .finish()
    }
}
