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
//! Three layers, one file each below this one, which holds the public API and the sleeping:
//!
//! * `queue/ring.rs`, the stamped ring (Dmitry Vyukov's bounded MPMC queue, as crossbeam's
//!   `ArrayQueue`): every `unsafe` and atomic position of the queue. A put claims `tail` with a
//!   compare-exchange, writes its slot and publishes it through the slot's stamp; a get claims
//!   `head` and frees the slot the same way. Neither takes a lock. "Full" and "empty" are
//!   decided from the positions, so a thread waits only for an operation that has claimed its
//!   slot and not yet published it (it spins in std and blocks under a model).
//! * `queue/error.rs`, the errors, which give the item back.
//! * `queue/joinable.rs`, [`JoinableQueue`] and its task count: one atomic word of its own
//!   (how far `task_done` has got, as a ring position), read against the ring's `head` and
//!   `tail`, which already count the items got and put; and a lock taken only when the last
//!   task is done while a thread is in `join`.
//!
//! **Sleeping without losing a wakeup.** The low bits of the ring's two words are flags:
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

mod error;
mod joinable;
mod ring;

pub use error::{
    GetError, GetTimeoutError, JoinTimeoutError, PutError, PutTimeoutError, TaskDoneError,
    TryGetError, TryPutError,
};
pub use joinable::JoinableQueue;

use crate::check::blocked::{self, Site};
use crate::sync::{Backoff, Condvar, Mutex, Wait};
use ring::{PopError, PushError, Ring};
use std::fmt;
use std::iter::FusedIterator;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::time::Duration;

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
    ring: Ring<T>,
    /// Taken only to go to sleep and to wake sleepers.
    sleep: Mutex<()>,
    /// Getters sleep here for an item (or for the queue to close).
    not_empty: Condvar,
    /// Putters sleep here for a free slot (or for the queue to close).
    not_full: Condvar,
    /// What the queue is, for a model's deadlock report.
    pub(super) site: Site,
}

// A panic never leaves a half-done operation behind (no user code runs inside one), as with
// the std `Mutex` the queue used to be built on.
impl<T> UnwindSafe for BoundedQueue<T> {}
impl<T> RefUnwindSafe for BoundedQueue<T> {}

/// Why an operation did not go through.
#[derive(Clone, Copy)]
enum Refusal {
    /// Would have had to wait (`Wait::Try`), or waited the whole timeout.
    WouldBlock,
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
    /// `usize::MAX >> 4` items, more bytes than an allocation may have (`isize::MAX`), or more
    /// than the allocator can give (the message names the capacity; the process does not
    /// abort). Pass the most items you mean to hold, not `usize::MAX`.
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
    #[track_caller]
    pub fn new(capacity: usize) -> Self {
        BoundedQueue {
            ring: Ring::new(capacity),
            sleep: Mutex::new(()),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            site: Site::new("BoundedQueue"),
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
        self.put_inner(item, Wait::Try)
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
        self.put_inner(item, Wait::timeout(timeout))
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
        self.get_inner(Wait::Try).map_err(|why| match why {
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
        self.get_inner(Wait::timeout(timeout))
            .map_err(|why| match why {
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
        if !self.ring.close() {
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
        self.ring.is_closed()
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
        self.ring.len()
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
        self.ring.capacity()
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

    /// One attempt, inlined into the caller; a full queue goes to [`put_slow`](Self::put_slow).
    #[inline]
    fn put_inner(&self, item: T, wait: Wait) -> Result<(), (Refusal, T)> {
        match self.ring.push(item) {
            Ok(announced) => {
                self.wake(&self.not_empty, announced);
                Ok(())
            }
            Err(PushError::Closed(item)) => Err((Refusal::Closed, item)),
            Err(PushError::Full(item, _)) if wait.is_try() => Err((Refusal::WouldBlock, item)),
            Err(PushError::Full(item, _)) => self.put_slow(item, wait),
        }
    }

    /// The queue was full: spin and try again for a while, then sleep, as `wait` allows.
    #[cold]
    fn put_slow(&self, mut item: T, wait: Wait) -> Result<(), (Refusal, T)> {
        // The try_ forms never wait, not even the spin below: `put_inner` refuses them.
        debug_assert!(
            !wait.is_try(),
            "a put that may not wait went down the waiting path"
        );
        let backoff = Backoff::new();
        while !backoff.is_completed() {
            backoff.snooze();
            item = match self.ring.push(item) {
                Ok(announced) => {
                    self.wake(&self.not_empty, announced);
                    return Ok(());
                }
                Err(PushError::Closed(item)) => return Err((Refusal::Closed, item)),
                Err(PushError::Full(item, _)) => item,
            };
        }
        // Full for a while: sleep until a get frees a slot (or the queue closes). Between
        // attempts the item waits in `held`.
        let mut held = Some(item);
        let _asleep = blocked::waiting_for(&self.site, "room in ");
        let (_, outcome) = self
            .not_full
            .wait_for(self.sleep.lock(), wait, |_| self.put_or_announce(&mut held));
        match outcome {
            Some(done) => done,
            // Timed out: the last attempt left the item in `held`.
            None => Err((
                Refusal::WouldBlock,
                held.expect("a put keeps its item until done"),
            )),
        }
    }

    /// One attempt, inlined into the caller; an empty queue goes to [`get_slow`](Self::get_slow).
    #[inline]
    fn get_inner(&self, wait: Wait) -> Result<T, Refusal> {
        match self.ring.pop() {
            Ok((item, announced)) => {
                self.wake(&self.not_full, announced);
                Ok(item)
            }
            Err(PopError::Closed) => Err(Refusal::Closed),
            Err(PopError::Empty(_)) if wait.is_try() => Err(Refusal::WouldBlock),
            Err(PopError::Empty(_)) => self.get_slow(wait),
        }
    }

    /// The queue was empty: spin and try again for a while, then sleep, as `wait` allows.
    #[cold]
    fn get_slow(&self, wait: Wait) -> Result<T, Refusal> {
        // As in `put_slow`: `get_inner` refuses the try_ forms.
        debug_assert!(
            !wait.is_try(),
            "a get that may not wait went down the waiting path"
        );
        let backoff = Backoff::new();
        while !backoff.is_completed() {
            backoff.snooze();
            match self.ring.pop() {
                Ok((item, announced)) => {
                    self.wake(&self.not_full, announced);
                    return Ok(item);
                }
                Err(PopError::Closed) => return Err(Refusal::Closed),
                Err(PopError::Empty(_)) => {}
            }
        }
        // Empty for a while: sleep until a put (or `close`).
        let _asleep = blocked::waiting_for(&self.site, "an item from ");
        let (_, outcome) = self
            .not_empty
            .wait_for(self.sleep.lock(), wait, |_| self.get_or_announce());
        outcome.unwrap_or(Err(Refusal::WouldBlock))
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

    /// Called under the sleep lock, from a wait's poll: tries to put the item `held`; if the
    /// queue is full, announces a sleeping putter. `None` (sleep, the item back in `held`) if
    /// no get has claimed a slot since the queue was found full, so that the next one sees the
    /// flag; otherwise the outcome.
    fn put_or_announce(&self, held: &mut Option<T>) -> Option<Result<(), (Refusal, T)>> {
        let mut item = held.take()?;
        loop {
            match self.ring.push(item) {
                Ok(announced) => {
                    if announced {
                        // We hold the sleep lock already.
                        self.not_empty.notify_all();
                    }
                    return Some(Ok(()));
                }
                Err(PushError::Closed(item)) => return Some(Err((Refusal::Closed, item))),
                Err(PushError::Full(value, head)) => {
                    if self.ring.announce_putter(head) {
                        *held = Some(value);
                        return None;
                    }
                    // A get claimed a slot since: try again.
                    item = value;
                }
            }
        }
    }

    /// Called under the sleep lock, from a wait's poll: tries to get an item; if the queue is
    /// empty and open, announces a sleeping getter. `None` (sleep) if no put has claimed a slot
    /// since the queue was found empty, so that the next one sees the flag; otherwise the
    /// outcome.
    fn get_or_announce(&self) -> Option<Result<T, Refusal>> {
        loop {
            match self.ring.pop() {
                Ok((item, announced)) => {
                    if announced {
                        // We hold the sleep lock already.
                        self.not_full.notify_all();
                    }
                    return Some(Ok(item));
                }
                Err(PopError::Closed) => return Some(Err(Refusal::Closed)),
                Err(PopError::Empty(position)) => {
                    if self.ring.announce_getter(position) {
                        return None;
                    }
                    // A put claimed a slot since, or the queue closed: try again.
                }
            }
        }
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
