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
//! A bounded lock-free ring in the style of Dmitry Vyukov's MPMC queue (and of crossbeam's
//! `ArrayQueue`), with parking for the threads that must wait. `capacity` slots are allocated
//! up front; each is a *stamp* and a cell for one item. Two words, `head` (the next position
//! to get) and `tail` (the next to put), each on its own cache line, count positions: a
//! position is a slot index plus a lap, and a slot's stamp says which position may use it
//! next. A put claims `tail` with a compare-exchange when the slot's stamp says the slot is
//! free for this lap, writes the item, and publishes it by storing `stamp = position + 1`
//! (Release); a get claims `head` when the stamp says the item of this lap is there (Acquire),
//! moves the item out, and frees the slot for the next lap the same way. Neither takes a lock.
//! A get that finds its slot claimed by a put still writing, or a put that finds its slot
//! claimed by a get still moving out, spins until the other is done (a few instructions; it
//! yields under a model); "full" and "empty" are decided from the positions, so nobody spins
//! on an operation that has not claimed anything.
//!
//! **Sleeping without losing a wakeup.** The low bits of the two words are flags:
//! `GETTERS_ASLEEP` and `CLOSED` in `tail`, `PUTTERS_ASLEEP` in `head`. A getter that finds
//! the queue empty spins a little, then takes the queue's sleep lock and sets
//! `GETTERS_ASLEEP` with a `fetch_or` on `tail`, which returns the latest tail. It sleeps only
//! if that tail is still the head it found empty; otherwise a put has claimed a slot since,
//! and it tries again. A put's compare-exchange on `tail` clears the flag and sees whether it
//! was set; if so, after publishing its item, the put takes the sleep lock and wakes every
//! sleeping getter. The read-modify-writes on `tail` are totally ordered, so either the put's
//! comes after the getter's `fetch_or` (it sees the flag and wakes the getter, which holds the
//! sleep lock until it waits, so the wakeup cannot slip in before the wait), or before it (the
//! getter's `fetch_or` returns the advanced tail and the getter does not sleep). The same
//! holds for putters on a full queue, with `PUTTERS_ASLEEP` in `head` set by putters and seen
//! by gets. [`close`](BoundedQueue::close) sets `CLOSED` in `tail` and wakes everyone under
//! the sleep lock; a put's compare-exchange expects `CLOSED` clear, so every put either took
//! effect before the close or is refused. None of this needs `SeqCst`: the decisions rest on
//! the order of read-modify-writes on one word and on the lock; the items travel through their
//! slot's stamp. loom checks every ordering (`loom_tests/queue.rs`).
//!
//! A [`JoinableQueue`] keeps its task counts under a mutex that plain queues never take; a put
//! raises the count of unfinished tasks after claiming its slot and before publishing the
//! item, so no getter can mark the task done before it is counted.

use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{Backoff, Condvar, Mutex, UnsafeCell};
use crossbeam_utils::CachePadded;
use std::fmt;
use std::iter::FusedIterator;
use std::mem::MaybeUninit;
use std::ops::Deref;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::time::Duration;
use thiserror::Error;

/// In `tail`: a getter may be asleep, waiting for a put to wake it.
const GETTERS_ASLEEP: usize = 1;
/// In `tail`: the queue is closed; never cleared.
const CLOSED: usize = 2;
/// In `head`: a putter may be asleep, waiting for a get to wake it.
const PUTTERS_ASLEEP: usize = 1;
/// The flag bits of `head` and `tail`; positions and stamps are multiples of `STEP`.
const FLAGS: usize = 3;
/// One position: positions live above the flag bits.
const STEP: usize = FLAGS + 1;
/// The largest capacity: with `STEP` and a lap at least twice the capacity, this leaves room
/// for at least four laps in a word, so that a lap cannot be mistaken for another.
const MAX_CAPACITY: usize = usize::MAX >> 4;

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
    /// The next position to get, and `PUTTERS_ASLEEP`.
    head: CachePadded<AtomicUsize>,
    /// The next position to put, `GETTERS_ASLEEP` and `CLOSED`.
    tail: CachePadded<AtomicUsize>,
    slots: Box<[Slot<T>]>,
    /// Positions in one lap, times `STEP`: a power of two above `capacity * STEP`, so that a
    /// position splits into a lap (high bits) and an index (low bits).
    one_lap: usize,
    /// Taken only to go to sleep and to wake sleepers.
    sleep: Mutex<()>,
    /// Getters sleep here for an item (or for the queue to close).
    not_empty: Condvar,
    /// Putters sleep here for a free slot (or for the queue to close).
    not_full: Condvar,
    /// The task counts of a [`JoinableQueue`]; `None` in a plain queue.
    tasks: Option<Mutex<Tasks>>,
}

/// One cell of the ring.
struct Slot<T> {
    /// `position` when the slot is free for the put at `position`; `position + STEP` once
    /// that put has published its item; `position + one_lap` once the item has been got (free
    /// for the put one lap later).
    stamp: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: items move between threads through the queue (hence `T: Send`), and a slot's value
// is touched only by the one thread that claimed its position, ordered after the previous user
// of the slot by the stamp's Release store and Acquire load. `&BoundedQueue` hands out no `&T`,
// so `T: Sync` is not needed.
unsafe impl<T: Send> Send for BoundedQueue<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for BoundedQueue<T> {}
// A panic never leaves a half-done operation behind (no user code runs inside one), as with
// the std `Mutex` the queue used to be built on.
impl<T> UnwindSafe for BoundedQueue<T> {}
impl<T> RefUnwindSafe for BoundedQueue<T> {}

/// A [`JoinableQueue`]'s task counts.
#[derive(Default)]
struct Tasks {
    /// Items put and not yet marked done.
    unfinished: usize,
    /// Items got and not yet marked done.
    pending: usize,
    /// Threads inside a wait for `unfinished == 0`: a notification is sent only when somebody
    /// waits.
    joiners: usize,
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

/// Why a [`push`](BoundedQueue::push) did not go through.
enum PushError<T> {
    /// Full, with the head position found: no get had claimed it.
    Full(T, usize),
    Closed(T),
}

/// Why a [`pop`](BoundedQueue::pop) found nothing.
enum PopError {
    /// Empty, with the position found at both ends: no put had claimed it.
    Empty(usize),
    /// Empty and closed: drained.
    Closed,
}

impl<T> BoundedQueue<T> {
    /// Creates an empty, open queue that holds at most `capacity` items. Storage for all
    /// `capacity` items is allocated here, up front (as `crossbeam_channel::bounded` and
    /// `crossbeam_queue::ArrayQueue` do): put and get never allocate.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0 (Python's `Queue(0)` means unbounded; a queue that can hold nothing
    /// would block every put forever), or if it is too large to allocate up front: more than
    /// `usize::MAX >> 4` items, or more bytes than an allocation may have (`isize::MAX`). Pass
    /// the most items you mean to hold, not `usize::MAX`.
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
        assert!(
            capacity <= MAX_CAPACITY && std::alloc::Layout::array::<Slot<T>>(capacity).is_ok(),
            "BoundedQueue::new: capacity {capacity} is too large (storage is allocated up front; pass the most items the queue should hold)"
        );
        // Room for index `capacity` (the stamp of a full last slot): at most 2^60 * STEP.
        let one_lap = (capacity + 1).next_power_of_two() * STEP;
        let slots = (0..capacity)
            .map(|i| Slot {
                stamp: AtomicUsize::new(i * STEP),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        BoundedQueue {
            head: CachePadded::new(AtomicUsize::new(0)),
            tail: CachePadded::new(AtomicUsize::new(0)),
            slots,
            one_lap,
            sleep: Mutex::new(()),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            tasks: joinable.then(|| Mutex::new(Tasks::default())),
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
        // Ordering: Release: what this thread did before closing happens-before every put
        // and get that reports the queue closed (they acquire `tail` when they see CLOSED).
        let before = self.tail.fetch_or(CLOSED, Ordering::Release);
        if before & CLOSED != 0 {
            return false;
        }
        // Everyone asleep wakes and sees CLOSED: a sleeper holds the sleep lock from its last
        // look at the queue until it waits, so the wakeup cannot come in between.
        drop(self.sleep.lock());
        self.not_empty.notify_all();
        self.not_full.notify_all();
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
        // Ordering: Relaxed: a snapshot of a flag that is never cleared; it orders nothing.
        self.tail.load(Ordering::Relaxed) & CLOSED != 0
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
        // Ordering: Relaxed: a snapshot, stale as soon as it returns; ops that happened-before
        // this call are seen (coherence), and `distance` clamps what concurrent ones skew.
        let tail = self.tail.load(Ordering::Relaxed);
        // Ordering: Relaxed: as above.
        let head = self.head.load(Ordering::Relaxed);
        self.distance(head & !FLAGS, tail & !FLAGS)
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
        self.len() == 0
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
        self.len() == self.capacity()
    }

    /// The most items the queue holds (Python's `maxsize`).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::BoundedQueue::<u8>::new(8).capacity(), 8);
    /// # });
    /// ```
    pub fn capacity(&self) -> usize {
        self.slots.len()
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

    /// The slot that `position` uses.
    #[inline]
    fn slot(&self, position: usize) -> &Slot<T> {
        &self.slots[(position & (self.one_lap - 1)) / STEP]
    }

    /// The position after `position`: the next index, or index 0 of the next lap.
    #[inline]
    fn next(&self, position: usize) -> usize {
        let index = position & (self.one_lap - 1);
        if index + STEP < self.slots.len() * STEP {
            position + STEP
        } else {
            (position & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    /// The number of items between `head` and `tail` (positions), clamped to
    /// `0..=capacity`: two loads of different words need not be a consistent snapshot.
    fn distance(&self, head: usize, tail: usize) -> usize {
        let lap = !(self.one_lap - 1);
        let laps = (tail & lap).wrapping_sub(head & lap);
        let (h, t) = (head & !lap, tail & !lap);
        let capacity = self.slots.len();
        match laps {
            0 => t.saturating_sub(h) / STEP,
            l if l == self.one_lap => {
                (capacity * STEP + t).saturating_sub(h).min(capacity * STEP) / STEP
            }
            // Tail more than a lap ahead: a stale head.
            l if (l as isize) > 0 => capacity,
            // Head ahead of tail: a stale tail.
            _ => 0,
        }
    }

    /// Puts `item` if there is room, without waiting (but spinning while another thread is
    /// halfway through an operation on the slot it needs). `Ok(true)` means that getters may
    /// be asleep: the caller must [`wake`](Self::wake) them (it may hold the sleep lock, so
    /// `push` cannot).
    ///
    /// The common case (the slot is free and the first claim wins) is small enough to be
    /// inlined into the caller; the rest is [`push_contended`](Self::push_contended).
    #[inline]
    fn push(&self, item: T) -> Result<bool, PushError<T>> {
        // Ordering: Relaxed: a guess at the position, confirmed by the claim.
        let tail = self.tail.load(Ordering::Relaxed);
        let position = tail & !FLAGS;
        let slot = self.slot(position);
        // Expecting `tail` as loaded means expecting CLOSED clear.
        if tail & CLOSED == 0 && self.stamp(slot) == position && self.claim(&self.tail, tail) {
            self.fill(slot, position, item);
            return Ok(tail & GETTERS_ASLEEP != 0);
        }
        self.push_contended(item)
    }

    /// [`push`](Self::push) when the first look did not do: closed, full, a lost claim, or a
    /// slot still being emptied.
    #[cold]
    fn push_contended(&self, item: T) -> Result<bool, PushError<T>> {
        let backoff = Backoff::new();
        // Ordering: Relaxed: as in `push`.
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            if tail & CLOSED != 0 {
                // Ordering: Acquire, pairs with `close`'s Release: what the closing thread did
                // before `close` happens-before this refusal (every later value of `tail` is
                // a read-modify-write, so it is in `close`'s release sequence).
                self.tail.load(Ordering::Acquire);
                return Err(PushError::Closed(item));
            }
            let position = tail & !FLAGS;
            let slot = self.slot(position);
            if self.stamp(slot) == position {
                // The slot is free for this lap: claim the position.
                if self.claim(&self.tail, tail) {
                    self.fill(slot, position, item);
                    return Ok(tail & GETTERS_ASLEEP != 0);
                }
                backoff.spin();
            } else {
                // The slot is not free yet: full if no get has claimed the position a lap
                // back (the slot's item, published or still being written). Otherwise a get
                // is moving that item out, or our `tail` is stale: look again. (Deciding "full"
                // from the positions, rather than waiting for a put still writing, means that
                // only a get halfway through ever makes a put spin.)
                // Ordering: Relaxed: only compared. If a get that freed a slot happened-before
                // this put, coherence shows its claim here.
                let head = self.head.load(Ordering::Relaxed) & !FLAGS;
                if head.wrapping_add(self.one_lap) == position {
                    return Err(PushError::Full(item, head));
                }
                backoff.snooze();
            }
            // Ordering: Relaxed: as in `push`.
            tail = self.tail.load(Ordering::Relaxed);
        }
    }

    /// Gets the item at the front if there is one, without waiting (but spinning while a put
    /// is halfway through publishing the item it needs). With the item comes whether putters
    /// may be asleep, to be woken by the caller (as in [`push`](Self::push)). The common case
    /// is inlined, as in `push`.
    #[inline]
    fn pop(&self) -> Result<(T, bool), PopError> {
        // Ordering: Relaxed: a guess at the position, confirmed by the claim.
        let head = self.head.load(Ordering::Relaxed);
        let position = head & !FLAGS;
        let slot = self.slot(position);
        if self.stamp(slot) == position + STEP && self.claim(&self.head, head) {
            return Ok((self.empty(slot, position), head & PUTTERS_ASLEEP != 0));
        }
        self.pop_contended()
    }

    /// [`pop`](Self::pop) when the first look did not do: empty, closed, a lost claim, or an
    /// item still being written.
    #[cold]
    fn pop_contended(&self) -> Result<(T, bool), PopError> {
        let backoff = Backoff::new();
        // Ordering: Relaxed: as in `pop`.
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            let position = head & !FLAGS;
            let slot = self.slot(position);
            if self.stamp(slot) == position + STEP {
                // The item of this lap is there: claim it.
                if self.claim(&self.head, head) {
                    return Ok((self.empty(slot, position), head & PUTTERS_ASLEEP != 0));
                }
                backoff.spin();
            } else {
                // No item of this lap yet: empty if no put has claimed this position.
                // Otherwise a put is writing the item, or our `head` is stale: look again.
                // Ordering: Acquire: if it shows CLOSED, pairs with `close`'s Release (see
                // `push_contended`). Otherwise only compared: a put that happened-before this
                // get would have shown its stamp above.
                let tail = self.tail.load(Ordering::Acquire);
                if tail & !FLAGS == position {
                    return Err(if tail & CLOSED != 0 {
                        PopError::Closed
                    } else {
                        PopError::Empty(position)
                    });
                }
                backoff.snooze();
            }
            // Ordering: Relaxed: as in `pop`.
            head = self.head.load(Ordering::Relaxed);
        }
    }

    /// A slot's stamp: which position may use it next, and whether its item is there.
    #[inline(always)]
    fn stamp(&self, slot: &Slot<T>) -> usize {
        // Ordering: Acquire, pairs with the Release store of the last user of the slot: a put
        // sees the previous get's move out of it before writing; a get sees the put's write
        // of the item before moving it out.
        slot.stamp.load(Ordering::Acquire)
    }

    /// Claims the position in `word` (`head` or `tail`) that was `seen` there (with CLOSED
    /// clear), moving it on by one and clearing the sleepers' flag (the caller wakes those it
    /// announced). A change since, a close included, fails the claim.
    #[inline(always)]
    fn claim(&self, word: &AtomicUsize, seen: usize) -> bool {
        word.compare_exchange_weak(
            seen,
            self.next(seen & !FLAGS),
            // Ordering: Relaxed: the claim orders nothing; the slot was acquired through its
            // stamp, and only the claimer can change the stamp now. The sleep protocol rests
            // on the total order of read-modify-writes on the word and on the sleep lock,
            // not on this ordering.
            Ordering::Relaxed,
            // Ordering: Relaxed: the caller looks again.
            Ordering::Relaxed,
        )
        .is_ok()
    }

    /// Writes `item` into the slot claimed at `position` and publishes it.
    #[inline(always)]
    fn fill(&self, slot: &Slot<T>, position: usize, item: T) {
        if let Some(tasks) = &self.tasks {
            // Counted before the item is visible: a getter cannot mark it done before it is
            // unfinished.
            tasks.lock().unfinished += 1;
        }
        // SAFETY: the claim gives this thread the slot until it publishes the stamp below; the
        // previous item was moved out (its stamp was acquired before the claim).
        slot.value.with_mut(|p| unsafe { (*p).write(item) });
        // Ordering: Release: publishes the item to the get that acquires this stamp.
        slot.stamp.store(position + STEP, Ordering::Release);
    }

    /// Moves the item out of the slot claimed at `position` and frees the slot for the put
    /// one lap later.
    #[inline(always)]
    fn empty(&self, slot: &Slot<T>, position: usize) -> T {
        // SAFETY: the claim gives this thread the slot until it frees it below; the item was
        // published (its stamp was acquired before the claim).
        let item = slot.value.with_mut(|p| unsafe { (*p).assume_init_read() });
        // Ordering: Release: orders our move out before the next lap's put into the slot,
        // which acquires this stamp.
        slot.stamp
            .store(position.wrapping_add(self.one_lap), Ordering::Release);
        item
    }

    /// Wakes every thread asleep on `cv` if `announced` (a flag was seen set). Taking the sleep
    /// lock first is what makes the flag protocol sound: a sleeper holds it from setting its
    /// flag until it waits.
    #[inline]
    fn wake(&self, cv: &Condvar, announced: bool) {
        if announced {
            self.wake_all(cv);
        }
    }

    #[cold]
    fn wake_all(&self, cv: &Condvar) {
        drop(self.sleep.lock());
        cv.notify_all();
    }

    /// Called under the sleep lock, from a wait's predicate: tries to put `item`; if the
    /// queue is full, announces a sleeping putter. Returns `None` (sleep, `item` kept) if no
    /// get has claimed a slot since the queue was found full, so that the next one sees
    /// the flag; otherwise the outcome.
    fn put_or_announce(&self, item: &mut Option<T>) -> Option<Result<(), Refusal>> {
        loop {
            let Some(value) = item.take() else {
                unreachable!("a put's predicate runs again after it returned false")
            };
            match self.push(value) {
                Ok(announced) => {
                    if announced {
                        // We hold the sleep lock already.
                        self.not_empty.notify_all();
                    }
                    return Some(Ok(()));
                }
                Err(PushError::Closed(value)) => {
                    *item = Some(value);
                    return Some(Err(Refusal::Closed));
                }
                Err(PushError::Full(value, head)) => {
                    *item = Some(value);
                    // Ordering: Relaxed: whether a get's claim comes before or after this in
                    // `head`'s modification order decides everything (see the module docs);
                    // the sleep lock orders the wakeup, the stamps the data.
                    let now = self.head.fetch_or(PUTTERS_ASLEEP, Ordering::Relaxed);
                    if now & !FLAGS == head {
                        return None;
                    }
                    // A get claimed a slot since: try again.
                }
            }
        }
    }

    /// Called under the sleep lock, from a wait's predicate: tries to get an item; if the
    /// queue is empty and open, announces a sleeping getter. Returns `None` (sleep) if no put
    /// has claimed a slot since the queue was found empty, so that the next one sees the flag;
    /// otherwise the outcome.
    fn get_or_announce(&self) -> Option<Result<T, Refusal>> {
        loop {
            match self.pop() {
                Ok((item, announced)) => {
                    if announced {
                        // We hold the sleep lock already.
                        self.not_full.notify_all();
                    }
                    return Some(Ok(item));
                }
                Err(PopError::Closed) => return Some(Err(Refusal::Closed)),
                Err(PopError::Empty(position)) => {
                    // Ordering: Relaxed: as in `put_or_announce`, with `tail` and puts.
                    let now = self.tail.fetch_or(GETTERS_ASLEEP, Ordering::Relaxed);
                    if now & !FLAGS == position && now & CLOSED == 0 {
                        return None;
                    }
                    // A put claimed a slot, or the queue closed, since: try again.
                }
            }
        }
    }

    /// One attempt, inlined into the caller; a full queue goes to [`put_slow`](Self::put_slow).
    #[inline]
    fn put_inner(&self, item: T, wait: Wait) -> Result<(), (Refusal, T)> {
        match self.push(item) {
            Ok(announced) => {
                self.wake(&self.not_empty, announced);
                Ok(())
            }
            Err(PushError::Closed(item)) => Err((Refusal::Closed, item)),
            Err(PushError::Full(item, _)) => self.put_slow(item, wait),
        }
    }

    /// The queue was full: spin and try again for a while, then sleep, as `wait` allows.
    #[cold]
    fn put_slow(&self, item: T, wait: Wait) -> Result<(), (Refusal, T)> {
        let backoff = Backoff::new();
        let mut item = item;
        loop {
            match wait {
                Wait::No => return Err((Refusal::WouldBlock, item)),
                Wait::For(timeout) if timeout.is_zero() => return Err((Refusal::WouldBlock, item)),
                _ if backoff.is_completed() => break,
                _ => backoff.snooze(),
            }
            item = match self.push(item) {
                Ok(announced) => {
                    self.wake(&self.not_empty, announced);
                    return Ok(());
                }
                Err(PushError::Closed(item)) => return Err((Refusal::Closed, item)),
                Err(PushError::Full(item, _)) => item,
            };
        }
        // Full for a while: sleep until a get frees a slot (or the queue closes).
        let mut item = Some(item);
        let mut outcome = None;
        self.sleep_while(&self.not_full, wait, |_| {
            outcome = self.put_or_announce(&mut item);
            outcome.is_none()
        });
        match outcome {
            Some(Ok(())) => Ok(()),
            Some(Err(why)) => Err((why, item.expect("a refused put keeps its item"))),
            // Timed out, after a last attempt (the predicate runs once more then).
            None => Err((
                Refusal::WouldBlock,
                item.expect("a refused put keeps its item"),
            )),
        }
    }

    /// One attempt, inlined into the caller; an empty queue goes to [`get_slow`](Self::get_slow).
    #[inline]
    fn get_inner(&self, wait: Wait) -> Result<T, Refusal> {
        let item = match self.pop() {
            Ok((item, announced)) => {
                self.wake(&self.not_full, announced);
                item
            }
            Err(PopError::Closed) => return Err(Refusal::Closed),
            Err(PopError::Empty(_)) => self.get_slow(wait)?,
        };
        if let Some(tasks) = &self.tasks {
            tasks.lock().pending += 1;
        }
        Ok(item)
    }

    /// The queue was empty: spin and try again for a while, then sleep, as `wait` allows.
    #[cold]
    fn get_slow(&self, wait: Wait) -> Result<T, Refusal> {
        let backoff = Backoff::new();
        loop {
            match wait {
                Wait::No => return Err(Refusal::WouldBlock),
                Wait::For(timeout) if timeout.is_zero() => return Err(Refusal::WouldBlock),
                _ if backoff.is_completed() => {
                    // Empty for a while: sleep until a put (or `close`).
                    let mut outcome = None;
                    self.sleep_while(&self.not_empty, wait, |_| {
                        outcome = self.get_or_announce();
                        outcome.is_none()
                    });
                    // `None`: timed out, after a last attempt.
                    return outcome.unwrap_or(Err(Refusal::WouldBlock));
                }
                _ => backoff.snooze(),
            }
            match self.pop() {
                Ok((item, announced)) => {
                    self.wake(&self.not_full, announced);
                    return Ok(item);
                }
                Err(PopError::Closed) => return Err(Refusal::Closed),
                Err(PopError::Empty(_)) => {}
            }
        }
    }

    /// Sleeps on `cv` under the sleep lock while `blocked` (which announces the sleeper)
    /// says so, for as long as `wait` allows.
    fn sleep_while(&self, cv: &Condvar, wait: Wait, blocked: impl FnMut(&mut ()) -> bool) {
        let guard = self.sleep.lock();
        match wait {
            Wait::For(timeout) => drop(cv.wait_timeout_while(guard, timeout, blocked)),
            _ => drop(cv.wait_while(guard, blocked)),
        }
    }
}

impl<T> Drop for BoundedQueue<T> {
    fn drop(&mut self) {
        // Drops the items left inside, once each.
        while self.pop().is_ok() {}
    }
}

impl<T> fmt::Debug for BoundedQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedQueue")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
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
        let mut st = self.tasks().lock();
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
        let mut st = self.tasks().lock();
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
        let mut st = self.tasks().lock();
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
        self.tasks().lock().unfinished
    }

    /// The task counts, which every joinable queue has.
    fn tasks(&self) -> &Mutex<Tasks> {
        match &self.queue.tasks {
            Some(tasks) => tasks,
            None => unreachable!("a JoinableQueue is built with task counts"),
        }
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
