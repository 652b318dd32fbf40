//! The queue's errors. Each one that refuses an item gives it back (`into_inner`), and prints
//! without `T: Debug`, like std's `SendError`, so that `unwrap()` always works.

use std::fmt;
use thiserror::Error;

/// Why [`put`](crate::BoundedQueue::put) gave the item back.
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

/// Why [`try_put`](crate::BoundedQueue::try_put) gave the item back.
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

/// Why [`put_timeout`](crate::BoundedQueue::put_timeout) gave the item back.
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

/// Why [`get`](crate::BoundedQueue::get) returned no item.
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

/// Why [`try_get`](crate::BoundedQueue::try_get) returned no item.
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

/// Why [`get_timeout`](crate::BoundedQueue::get_timeout) returned no item.
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

/// Why [`JoinableQueue::task_done`](crate::JoinableQueue::task_done) was refused; the count of
/// pending tasks is unchanged.
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

/// Why [`JoinableQueue::join_timeout`](crate::JoinableQueue::join_timeout) returned before every
/// item was done.
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
