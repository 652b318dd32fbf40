//! [`BoundedQueue`] and [`JoinableQueue`]: Python's `queue.Queue(maxsize)` and
//! `multiprocessing.JoinableQueue`, closable.
//!
//! The notes pass work between threads through a queue and meet three bugs doing it, each a
//! case in the [casebook](crate::casebook):
//!
//! * `missing-sentinel` (000's `read()`, 004 案例23–24): the consumer loops on `get()` forever
//!   after the producer has finished, because nothing tells it that no more items will come.
//!   Python's cure is a sentinel value (`None`) put once per consumer. Here the producer calls
//!   [`close`](BoundedQueue::close): gets drain what is left and then report
//!   [`GetError::Closed`], so `for item in &queue` simply ends.
//! * `empty-then-get` (003's `while not q.empty(): q.get()`): two readers both see one item and
//!   both call `get`; one of them waits forever. [`try_get`](BoundedQueue::try_get) checks and
//!   takes in one step.
//! * `forgotten-task-done` (案例22): `join()` waits for every item to be marked done, and a
//!   consumer that skips `task_done` makes it wait forever. [`JoinableQueue::task_done`] once
//!   per item got.
//!
//! # From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `Queue(maxsize)` | [`BoundedQueue::new(capacity)`](BoundedQueue::new), shared with [`Arc`](crate::sync::Arc) |
//! | `q.put(x)` / `q.put(x, timeout=t)` / `q.put_nowait(x)` | [`put`](BoundedQueue::put) / [`put_timeout`](BoundedQueue::put_timeout) / [`try_put`](BoundedQueue::try_put) |
//! | `q.get()` / `q.get(timeout=t)` / `q.get_nowait()` | [`get`](BoundedQueue::get) / [`get_timeout`](BoundedQueue::get_timeout) / [`try_get`](BoundedQueue::try_get) |
//! | `queue.Full` / `queue.Empty` | the error's `Full(item)` / `Empty` variant; the item comes back |
//! | `q.qsize()` / `q.empty()` / `q.full()` / `q.maxsize` | [`len`](BoundedQueue::len) / [`is_empty`](BoundedQueue::is_empty) / [`is_full`](BoundedQueue::is_full) / [`capacity`](BoundedQueue::capacity) |
//! | `q.shutdown()` (3.13), or a sentinel per consumer | [`close`](BoundedQueue::close) |
//! | `JoinableQueue()`, `q.task_done()`, `q.join()` | [`JoinableQueue`], [`task_done`](JoinableQueue::task_done), [`join`](JoinableQueue::join) / [`join_timeout`](JoinableQueue::join_timeout) |
//!
//! # Design
//!
//! One [`Mutex`] around a `VecDeque` and two condition variables, `not_empty` and `not_full`
//! (plus `all_done` in a [`JoinableQueue`]), as CPython's `queue.py` has. Wakeups are
//! precise: the queue counts the threads waiting on each condition, a put wakes one waiting
//! getter and a get one waiting putter (and nobody, without a system call, when nobody waits),
//! and only [`close`](BoundedQueue::close) and the last `task_done` wake everyone. Every wait
//! re-checks its condition under the lock, so a thread that barges in between a wakeup and the
//! woken thread's return can never make an item or a slot go unnoticed.

use crate::sync::{Condvar, Mutex, MutexGuard};
use std::collections::VecDeque;
use std::fmt;
use std::iter::FusedIterator;
use std::ops::Deref;
use std::time::Duration;
use thiserror::Error;

/// Storage reserved up front: up to this many slots, so that a huge capacity costs nothing
/// until it is used.
const PREALLOCATE: usize = 1024;

// ---------------------------------------------------------------------------------------------
// Errors

/// Why [`put`](BoundedQueue::put) gave the item back.
///
/// ```
/// # verisync::sync::model(|| {
/// use verisync::{BoundedQueue, PutError};
/// let q = BoundedQueue::new(1);
/// q.close();
/// assert_eq!(q.put("job"), Err(PutError::Closed("job")));
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Error)]
pub enum PutError<T> {
    /// The queue is closed: nothing more may be put. The item is given back.
    #[error("put on a closed queue")]
    Closed(T),
}

/// Why [`try_put`](BoundedQueue::try_put) gave the item back.
///
/// ```
/// # verisync::sync::model(|| {
/// use verisync::{BoundedQueue, TryPutError};
/// let q = BoundedQueue::new(1);
/// q.try_put(1).unwrap();
/// assert_eq!(q.try_put(2), Err(TryPutError::Full(2)));
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Error)]
pub enum TryPutError<T> {
    /// The queue is at capacity. The item is given back.
    #[error("put on a full queue")]
    Full(T),
    /// The queue is closed: nothing more may be put. The item is given back.
    #[error("put on a closed queue")]
    Closed(T),
}

/// Why [`put_timeout`](BoundedQueue::put_timeout) gave the item back.
///
/// ```
/// # verisync::sync::model(|| {
/// use std::time::Duration;
/// use verisync::{BoundedQueue, PutTimeoutError};
/// let q = BoundedQueue::new(1);
/// q.put(1).unwrap();
/// assert_eq!(q.put_timeout(2, Duration::ZERO), Err(PutTimeoutError::Timeout(2)));
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Error)]
pub enum PutTimeoutError<T> {
    /// The queue stayed full for the whole timeout. The item is given back.
    #[error("put timed out on a full queue")]
    Timeout(T),
    /// The queue is closed (or was closed while waiting). The item is given back.
    #[error("put on a closed queue")]
    Closed(T),
}

/// Why [`get`](BoundedQueue::get) returned no item.
///
/// ```
/// # verisync::sync::model(|| {
/// use verisync::{BoundedQueue, GetError};
/// let q = BoundedQueue::<u8>::new(1);
/// q.close();
/// assert_eq!(q.get(), Err(GetError::Closed));
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum GetError {
    /// The queue is closed and every item in it has been got.
    #[error("get on a closed and drained queue")]
    Closed,
}

/// Why [`try_get`](BoundedQueue::try_get) returned no item.
///
/// ```
/// # verisync::sync::model(|| {
/// use verisync::{BoundedQueue, TryGetError};
/// let q = BoundedQueue::<u8>::new(1);
/// assert_eq!(q.try_get(), Err(TryGetError::Empty));
/// q.close();
/// assert_eq!(q.try_get(), Err(TryGetError::Closed));
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum TryGetError {
    /// The queue is empty now (it is not closed, so more may come).
    #[error("get on an empty queue")]
    Empty,
    /// The queue is closed and every item in it has been got.
    #[error("get on a closed and drained queue")]
    Closed,
}

/// Why [`get_timeout`](BoundedQueue::get_timeout) returned no item.
///
/// ```
/// # verisync::sync::model(|| {
/// use std::time::Duration;
/// use verisync::{BoundedQueue, GetTimeoutError};
/// let q = BoundedQueue::<u8>::new(1);
/// assert_eq!(q.get_timeout(Duration::ZERO), Err(GetTimeoutError::Timeout));
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum GetTimeoutError {
    /// The queue stayed empty for the whole timeout.
    #[error("get timed out on an empty queue")]
    Timeout,
    /// The queue is closed and every item in it has been got.
    #[error("get on a closed and drained queue")]
    Closed,
}

/// Why [`JoinableQueue::task_done`] was refused; the count of pending tasks is unchanged.
///
/// ```
/// # verisync::sync::model(|| {
/// use verisync::{JoinableQueue, TaskDoneError};
/// let q = JoinableQueue::<u8>::new(1);
/// assert_eq!(q.task_done(), Err(TaskDoneError::NothingPending));
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum TaskDoneError {
    /// Every item got has already been marked done: `task_done` was called more often than
    /// items were got (Python raises `ValueError`).
    #[error("task_done() called more times than items were got")]
    NothingPending,
}

/// Why [`JoinableQueue::join_timeout`] returned before every item was done.
///
/// ```
/// # verisync::sync::model(|| {
/// use std::time::Duration;
/// use verisync::{JoinTimeoutError, JoinableQueue};
/// let q = JoinableQueue::new(1);
/// q.put(1).unwrap();
/// assert_eq!(q.join_timeout(Duration::ZERO), Err(JoinTimeoutError::Timeout { unfinished: 1 }));
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum JoinTimeoutError {
    /// Time ran out with `unfinished` items put but not yet marked done.
    #[error("join timed out with {unfinished} unfinished task(s)")]
    Timeout {
        /// Items put and not yet marked done when the wait gave up.
        unfinished: usize,
    },
}

macro_rules! item_error_impls {
    ($name:ident { $($variant:ident),+ }, $call:literal) => {
        impl<T> $name<T> {
            /// The item that was refused, given back.
            ///
            /// ```
            /// # verisync::sync::model(|| {
            /// let q = verisync::BoundedQueue::new(1);
            /// q.close();
            #[doc = concat!("let err = q.", $call, ".unwrap_err();")]
            /// assert_eq!(err.into_inner(), 7);
            /// # });
            /// ```
            pub fn into_inner(self) -> T {
                match self {
                    $($name::$variant(item))|+ => item,
                }
            }
        }

        // Like std's `SendError`: printable without `T: Debug`, so `unwrap()` always works.
        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $($name::$variant(_) => f.write_str(concat!(stringify!($variant), "(..)")),)+
                }
            }
        }
    };
}

item_error_impls!(PutError { Closed }, "put(7)");
item_error_impls!(TryPutError { Full, Closed }, "try_put(7)");
item_error_impls!(
    PutTimeoutError { Timeout, Closed },
    "put_timeout(7, std::time::Duration::ZERO)"
);

// ---------------------------------------------------------------------------------------------
// BoundedQueue

/// A FIFO queue of at most `capacity` items that many threads share (through an
/// [`Arc`](crate::sync::Arc)) to put and get, blocking while it is full or empty: Python's
/// `queue.Queue(maxsize)`, with [`close`](BoundedQueue::close) instead of a sentinel.
///
/// # BoundedQueue vs a channel
///
/// `crossbeam_channel::bounded` and `std::sync::mpsc::sync_channel` split a queue into sender
/// and receiver halves, and end it when every sender is dropped. A `BoundedQueue` is one
/// object, like Python's: whoever holds it may put, get, look at [`len`](BoundedQueue::len),
/// and [`close`](BoundedQueue::close) it explicitly, whether or not other producers are still
/// alive. Use a channel when ownership of the ends is what you want to express; use this when
/// you port Python code, need `task_done`/`join` ([`JoinableQueue`]), or want the shutdown to
/// be a decision rather than a side effect of dropping.
///
/// # Contract
///
/// * **FIFO**: items are got in the order their puts took effect.
/// * **Blocking**: [`put`](BoundedQueue::put) waits while the queue is full,
///   [`get`](BoundedQueue::get) while it is empty; the `try_` forms never wait, the `_timeout`
///   forms wait at most the given time (a zero timeout does not wait; `Duration::MAX` waits
///   without a deadline). Under loom and shuttle both outcomes of a timed wait are explored.
/// * **Closing**: after [`close`](BoundedQueue::close) every put fails and gives its item
///   back, blocked putters included; gets drain what is left and then fail with `Closed`.
/// * **Ownership**: every item is dropped exactly once: by whoever got it, by whoever was
///   given it back in an error, or with the queue.
/// * **Fairness**: none promised. A woken waiter re-checks the queue under the lock, and a
///   thread arriving meanwhile may take the item or slot first (the woken one then waits
///   again); no item and no slot is ever left unnoticed while somebody waits for it.
///
/// # Examples
///
/// The notes' producer and consumer (000's `write`/`read`), with `close` ending the consumer:
///
/// ```
/// use verisync::BoundedQueue;
/// use verisync::sync::{model, thread, Arc};
///
/// model(|| {
///     let q = Arc::new(BoundedQueue::new(1));
///     let producer = {
///         let q = Arc::clone(&q);
///         thread::spawn(move || {
///             for i in 0..2 {
///                 q.put(i).unwrap(); // waits while the queue is full
///             }
///             q.close(); // no sentinel needed
///         })
///     };
///     let got: Vec<i32> = q.iter().collect(); // ends once closed and drained
///     assert_eq!(got, [0, 1]);
///     producer.join().unwrap();
/// });
/// ```
pub struct BoundedQueue<T> {
    state: Mutex<State<T>>,
    /// Getters wait here for an item (or for the queue to close).
    not_empty: Condvar,
    /// Putters wait here for a free slot (or for the queue to close).
    not_full: Condvar,
    capacity: usize,
    /// Whether puts and gets keep the task counts (a [`JoinableQueue`]'s inner queue).
    joinable: bool,
}

/// Everything the lock protects.
struct State<T> {
    items: VecDeque<T>,
    closed: bool,
    /// Threads inside a wait on `not_empty` / `not_full` / `all_done`: a notification is sent
    /// only when somebody waits.
    getters: usize,
    putters: usize,
    joiners: usize,
    /// Items put and not yet marked done (kept only when `joinable`).
    unfinished: usize,
    /// Items got and not yet marked done (kept only when `joinable`).
    pending: usize,
}

/// How long an operation may wait.
#[derive(Clone, Copy)]
enum Wait {
    No,
    For(Duration),
    Forever,
}

/// Why an operation did not go through.
#[derive(Clone, Copy)]
enum Refusal {
    /// Would have had to wait (`Wait::No`), or waited the whole timeout.
    WouldBlock,
    Closed,
}

impl<T> BoundedQueue<T> {
    /// Creates an empty, open queue that holds at most `capacity` items.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0. (Python's `Queue(0)` means unbounded; a queue that can hold nothing
    /// would block every put forever. For an effectively unbounded queue pass `usize::MAX`:
    /// storage grows as items arrive.)
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let q = verisync::BoundedQueue::<String>::new(5);
    /// assert_eq!(q.capacity(), 5);
    /// assert!(q.is_empty());
    /// # });
    /// ```
    ///
    /// ```should_panic
    /// # verisync::sync::model(|| {
    /// let _ = verisync::BoundedQueue::<u8>::new(0); // panics
    /// # });
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::build(capacity, false)
    }

    fn build(capacity: usize, joinable: bool) -> Self {
        assert!(
            capacity > 0,
            "BoundedQueue::new: capacity must be at least 1 (a queue that holds nothing would block every put)"
        );
        BoundedQueue {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity.min(PREALLOCATE)),
                closed: false,
                getters: 0,
                putters: 0,
                joiners: 0,
                unfinished: 0,
                pending: 0,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity,
            joinable,
        }
    }

    /// Puts `item` at the back, waiting while the queue is full.
    ///
    /// # Errors
    ///
    /// [`PutError::Closed`] with the item if the queue is closed, before or during the wait.
    ///
    /// ```
    /// use verisync::BoundedQueue;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let q = Arc::new(BoundedQueue::new(1));
    ///     q.put('a').unwrap();
    ///     let q2 = Arc::clone(&q);
    ///     let t = thread::spawn(move || q2.put('b')); // waits until 'a' is got
    ///     assert_eq!(q.get(), Ok('a'));
    ///     t.join().unwrap().unwrap();
    ///     assert_eq!(q.get(), Ok('b'));
    /// });
    /// ```
    pub fn put(&self, item: T) -> Result<(), PutError<T>> {
        self.put_inner(item, Wait::Forever)
            .map_err(|(_, item)| PutError::Closed(item))
    }

    /// Puts `item` at the back if there is room now; never waits (Python's `put_nowait`).
    ///
    /// # Errors
    ///
    /// [`TryPutError::Closed`] if the queue is closed (checked first), else
    /// [`TryPutError::Full`] if it is at capacity; either gives the item back.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// use verisync::{BoundedQueue, TryPutError};
    /// let q = BoundedQueue::new(1);
    /// assert_eq!(q.try_put(1), Ok(()));
    /// assert_eq!(q.try_put(2), Err(TryPutError::Full(2)));
    /// q.close();
    /// assert_eq!(q.try_put(3), Err(TryPutError::Closed(3)));
    /// # });
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
        self.put_inner(item, Wait::No)
            .map_err(|(why, item)| match why {
                Refusal::WouldBlock => TryPutError::Full(item),
                Refusal::Closed => TryPutError::Closed(item),
            })
    }

    /// Puts `item` at the back, waiting at most `timeout` for room.
    ///
    /// A zero timeout does not wait; a timeout of [`FOREVER`](crate::sync::FOREVER) or more
    /// (`Duration::MAX`) waits like [`put`](BoundedQueue::put).
    ///
    /// # Errors
    ///
    /// [`PutTimeoutError::Closed`] if the queue is or becomes closed, else
    /// [`PutTimeoutError::Timeout`] if it stayed full; either gives the item back.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// use std::time::Duration;
    /// use verisync::{BoundedQueue, PutTimeoutError};
    /// let q = BoundedQueue::new(1);
    /// assert_eq!(q.put_timeout(1, Duration::from_millis(5)), Ok(()));
    /// // Nobody gets: the second put gives up.
    /// assert_eq!(q.put_timeout(2, Duration::from_millis(5)), Err(PutTimeoutError::Timeout(2)));
    /// # });
    /// ```
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutTimeoutError<T>> {
        self.put_inner(item, Wait::For(timeout))
            .map_err(|(why, item)| match why {
                Refusal::WouldBlock => PutTimeoutError::Timeout(item),
                Refusal::Closed => PutTimeoutError::Closed(item),
            })
    }

    /// Takes the item at the front, waiting while the queue is empty and open.
    ///
    /// # Errors
    ///
    /// [`GetError::Closed`] once the queue is closed and drained. Items put before
    /// [`close`](BoundedQueue::close) are still got first.
    ///
    /// ```
    /// use verisync::{BoundedQueue, GetError};
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let q = Arc::new(BoundedQueue::new(2));
    ///     let q2 = Arc::clone(&q);
    ///     let t = thread::spawn(move || q2.get()); // waits for the put
    ///     q.put(5).unwrap();
    ///     assert_eq!(t.join().unwrap(), Ok(5));
    ///     q.close();
    ///     assert_eq!(q.get(), Err(GetError::Closed));
    /// });
    /// ```
    pub fn get(&self) -> Result<T, GetError> {
        self.get_inner(Wait::Forever).map_err(|_| GetError::Closed)
    }

    /// Takes the item at the front if there is one now; never waits (Python's `get_nowait`).
    ///
    /// Checking and taking are one step, which is what 003's `while not q.empty(): q.get()`
    /// lacks (the casebook's `empty-then-get`): loop with `while let Ok(item) = q.try_get()`.
    ///
    /// # Errors
    ///
    /// [`TryGetError::Empty`] if the queue is empty and open, [`TryGetError::Closed`] if it is
    /// empty and closed.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// use verisync::{BoundedQueue, TryGetError};
    /// let q = BoundedQueue::new(2);
    /// q.put(1).unwrap();
    /// assert_eq!(q.try_get(), Ok(1));
    /// assert_eq!(q.try_get(), Err(TryGetError::Empty));
    /// # });
    /// ```
    pub fn try_get(&self) -> Result<T, TryGetError> {
        self.get_inner(Wait::No).map_err(|why| match why {
            Refusal::WouldBlock => TryGetError::Empty,
            Refusal::Closed => TryGetError::Closed,
        })
    }

    /// Takes the item at the front, waiting at most `timeout` for one.
    ///
    /// A zero timeout does not wait; a timeout of [`FOREVER`](crate::sync::FOREVER) or more
    /// (`Duration::MAX`) waits like [`get`](BoundedQueue::get).
    ///
    /// # Errors
    ///
    /// [`GetTimeoutError::Timeout`] if the queue stayed empty and open,
    /// [`GetTimeoutError::Closed`] if it is (or became) closed and drained.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// use std::time::Duration;
    /// use verisync::{BoundedQueue, GetTimeoutError};
    /// let q = BoundedQueue::<u8>::new(1);
    /// assert_eq!(q.get_timeout(Duration::from_millis(5)), Err(GetTimeoutError::Timeout));
    /// # });
    /// ```
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, GetTimeoutError> {
        self.get_inner(Wait::For(timeout)).map_err(|why| match why {
            Refusal::WouldBlock => GetTimeoutError::Timeout,
            Refusal::Closed => GetTimeoutError::Closed,
        })
    }

    /// Closes the queue (Python 3.13's `shutdown()`): from now on every put fails and gives its
    /// item back, and gets drain what is left and then fail with `Closed`. Every thread
    /// waiting in a put or get is woken. Idempotent; returns `true` if this call closed it.
    ///
    /// It replaces the sentinel of the notes' 案例23–24: a consumer learns that no more items
    /// will come from the queue itself, however many consumers there are.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// use verisync::{BoundedQueue, GetError, PutError};
    /// let q = BoundedQueue::new(2);
    /// q.put(1).unwrap();
    /// assert!(q.close());
    /// assert!(!q.close()); // already closed
    /// assert_eq!(q.put(2), Err(PutError::Closed(2)));
    /// assert_eq!(q.get(), Ok(1)); // drained first
    /// assert_eq!(q.get(), Err(GetError::Closed));
    /// # });
    /// ```
    pub fn close(&self) -> bool {
        let mut st = self.state.lock();
        if st.closed {
            return false;
        }
        st.closed = true;
        let (getters, putters) = (st.getters > 0, st.putters > 0);
        drop(st);
        if getters {
            self.not_empty.notify_all();
        }
        if putters {
            self.not_full.notify_all();
        }
        true
    }

    /// Whether [`close`](BoundedQueue::close) has been called.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let q = verisync::BoundedQueue::<u8>::new(1);
    /// assert!(!q.is_closed());
    /// q.close();
    /// assert!(q.is_closed());
    /// # });
    /// ```
    pub fn is_closed(&self) -> bool {
        self.state.lock().closed
    }

    /// The number of items in the queue now (Python's `qsize()`); stale as soon as it returns
    /// if other threads put or get.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let q = verisync::BoundedQueue::new(3);
    /// q.put('x').unwrap();
    /// q.put('y').unwrap();
    /// assert_eq!(q.len(), 2);
    /// # });
    /// ```
    pub fn len(&self) -> usize {
        self.state.lock().items.len()
    }

    /// Whether the queue holds no item now (Python's `empty()`). Do not check and then
    /// [`get`](BoundedQueue::get): another thread may take the item in between (the casebook's
    /// `empty-then-get`); use [`try_get`](BoundedQueue::try_get).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let q = verisync::BoundedQueue::new(1);
    /// assert!(q.is_empty());
    /// q.put(()).unwrap();
    /// assert!(!q.is_empty());
    /// # });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.state.lock().items.is_empty()
    }

    /// Whether the queue holds `capacity` items now (Python's `full()`); stale as soon as it
    /// returns, like [`is_empty`](BoundedQueue::is_empty).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let q = verisync::BoundedQueue::new(1);
    /// assert!(!q.is_full());
    /// q.put(()).unwrap();
    /// assert!(q.is_full());
    /// # });
    /// ```
    pub fn is_full(&self) -> bool {
        self.state.lock().items.len() >= self.capacity
    }

    /// The most items the queue holds (Python's `maxsize`).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::BoundedQueue::<u8>::new(8).capacity(), 8);
    /// # });
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// An iterator that [`get`](BoundedQueue::get)s items, waiting for each, until the queue is
    /// closed and drained. `for item in &queue` does the same.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let q = verisync::BoundedQueue::new(3);
    /// for i in 1..=3 {
    ///     q.put(i).unwrap();
    /// }
    /// q.close();
    /// assert_eq!(q.iter().sum::<i32>(), 6);
    /// # });
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { queue: self }
    }

    fn put_inner(&self, item: T, wait: Wait) -> Result<(), (Refusal, T)> {
        let mut st = self.state.lock();
        if !st.closed && st.items.len() >= self.capacity {
            let timed_out;
            (st, timed_out) = self.wait_for(&self.not_full, st, wait, Role::Putter);
            if timed_out {
                return Err((Refusal::WouldBlock, item));
            }
        }
        if st.closed {
            return Err((Refusal::Closed, item));
        }
        st.items.push_back(item);
        if self.joinable {
            st.unfinished += 1;
        }
        let wake = st.getters > 0;
        drop(st);
        if wake {
            self.not_empty.notify_one();
        }
        Ok(())
    }

    fn get_inner(&self, wait: Wait) -> Result<T, Refusal> {
        let mut st = self.state.lock();
        if !st.closed && st.items.is_empty() {
            let timed_out;
            (st, timed_out) = self.wait_for(&self.not_empty, st, wait, Role::Getter);
            if timed_out {
                return Err(Refusal::WouldBlock);
            }
        }
        // Not empty, or closed (and then empty means drained).
        let item = st.items.pop_front().ok_or(Refusal::Closed)?;
        if self.joinable {
            st.pending += 1;
        }
        let wake = st.putters > 0;
        drop(st);
        if wake {
            self.not_full.notify_one();
        }
        Ok(item)
    }

    /// Called with `role`'s condition true (the queue is open and full for a putter, open and
    /// empty for a getter): waits on `cv` while it holds, counted among `role`'s waiters.
    /// Returns the guard and whether it gave up with the condition still true (at once for
    /// `Wait::No` and a zero timeout, never for `Wait::Forever`).
    fn wait_for<'a>(
        &self,
        cv: &Condvar,
        mut st: MutexGuard<'a, State<T>>,
        wait: Wait,
        role: Role,
    ) -> (MutexGuard<'a, State<T>>, bool) {
        let capacity = self.capacity;
        let blocked = move |s: &mut State<T>| {
            !s.closed
                && match role {
                    Role::Putter => s.items.len() >= capacity,
                    Role::Getter => s.items.is_empty(),
                }
        };
        let timed_out;
        match wait {
            // The caller found the condition true, and the lock is still held.
            Wait::No => return (st, true),
            Wait::For(timeout) if timeout.is_zero() => return (st, true),
            Wait::For(timeout) => {
                *role.waiters(&mut st) += 1;
                (st, timed_out) = cv.wait_timeout_while(st, timeout, blocked);
            }
            Wait::Forever => {
                *role.waiters(&mut st) += 1;
                st = cv.wait_while(st, blocked);
                timed_out = false;
            }
        }
        *role.waiters(&mut st) -= 1;
        (st, timed_out)
    }
}

/// Which condition a waiter waits for.
#[derive(Clone, Copy)]
enum Role {
    Putter,
    Getter,
}

impl Role {
    /// The count of threads waiting in this role.
    fn waiters<T>(self, s: &mut State<T>) -> &mut usize {
        match self {
            Role::Putter => &mut s.putters,
            Role::Getter => &mut s.getters,
        }
    }
}

impl<T> fmt::Debug for BoundedQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state.lock();
        f.debug_struct("BoundedQueue")
            .field("len", &st.items.len())
            .field("capacity", &self.capacity)
            .field("closed", &st.closed)
            .finish_non_exhaustive()
    }
}

impl<'a, T> IntoIterator for &'a BoundedQueue<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// The iterator of [`BoundedQueue::iter`]: gets items, waiting for each, until the queue is
/// closed and drained.
///
/// ```
/// # verisync::sync::model(|| {
/// let q = verisync::BoundedQueue::new(2);
/// q.put("a").unwrap();
/// q.close();
/// let mut it = q.iter();
/// assert_eq!(it.next(), Some("a"));
/// assert_eq!(it.next(), None);
/// # });
/// ```
pub struct Iter<'a, T> {
    queue: &'a BoundedQueue<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.queue.get().ok()
    }
}

// Once closed and drained, a queue stays so.
impl<T> FusedIterator for Iter<'_, T> {}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").field("queue", self.queue).finish()
    }
}

// ---------------------------------------------------------------------------------------------
// JoinableQueue

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
    /// If `capacity` is 0, as [`BoundedQueue::new`].
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
            queue: BoundedQueue::build(capacity, true),
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
        let mut st = self.queue.state.lock();
        if st.pending == 0 {
            return Err(TaskDoneError::NothingPending);
        }
        st.pending -= 1;
        st.unfinished -= 1;
        let wake = st.unfinished == 0 && st.joiners > 0;
        drop(st);
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
        let mut st = self.queue.state.lock();
        if st.unfinished > 0 {
            st.joiners += 1;
            st = self.all_done.wait_while(st, |s| s.unfinished > 0);
            st.joiners -= 1;
        }
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
        let mut st = self.queue.state.lock();
        if st.unfinished > 0 && !timeout.is_zero() {
            st.joiners += 1;
            let timed_out;
            (st, timed_out) = self
                .all_done
                .wait_timeout_while(st, timeout, |s| s.unfinished > 0);
            st.joiners -= 1;
            debug_assert_eq!(timed_out, st.unfinished > 0);
        }
        match st.unfinished {
            0 => Ok(()),
            unfinished => Err(JoinTimeoutError::Timeout { unfinished }),
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
        self.queue.state.lock().unfinished
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
        let st = self.queue.state.lock();
        f.debug_struct("JoinableQueue")
            .field("len", &st.items.len())
            .field("capacity", &self.queue.capacity)
            .field("closed", &st.closed)
            .field("unfinished", &st.unfinished)
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
