//! Linearizability: is a recorded concurrent history explained by some sequential order?
//!
//! The invariant tests ask whether anything was lost; this module asks the stronger question.
//! A concurrent history is *linearizable* when each operation can be given one instant inside
//! its interval (between its call and its return) at which it takes effect, such that running
//! the operations one at a time in that order through a plain sequential model gives every
//! operation the result it actually returned. A queue that hands out every item exactly once
//! but sometimes out of order passes the first test and fails this one.
//!
//! The pieces, one file each:
//!
//! * [`Recorder`] and [`History`]: each operation's thread, arguments, result, and call and
//!   return instants on one logical clock, cheap enough to run inside stress tests and models.
//! * [`Spec`]: a sequential specification, a plain type with one method applying an operation.
//!   verisync's own are [`QueueSpec`] (`BoundedQueue` and `JoinableQueue`), [`SemaphoreSpec`]
//!   (`Semaphore` and `BoundedSemaphore`), [`LockSpec`] (`Mutex` and `ReentrantLock`) and
//!   [`BankSpec`] (`Account`s with transfers).
//! * [`check`]: Wing & Gong's search with Lowe's memoisation, split by P-compositionality
//!   ([`Spec::partition`]); it returns a [`Linearization`] or, shrunk to a small failing window
//!   and printed per thread, a [`NotLinearizable`].
//!
//! ```
//! use verisync::lin::{self, History, QueueOp, QueueRet, QueueSpec};
//!
//! // T1 puts 1 then 2; T2's get, which starts after both puts returned, gets 2.
//! let mut h = History::new();
//! h.push(1, QueueOp::Put(1), QueueRet::Done, 0, 1).unwrap();
//! h.push(1, QueueOp::Put(2), QueueRet::Done, 2, 3).unwrap();
//! h.push(2, QueueOp::Get, QueueRet::Got(2), 4, 5).unwrap();
//! let err = lin::check(&QueueSpec::new(2), &h).unwrap_err();
//! println!("{err}");
//! ```
//!
//! # Blocking and timed operations
//!
//! A sequential model has no waiting, so each kind of operation needs a rule saying which
//! instants of its interval may explain it. Each is one line of its [`Spec::apply`]:
//!
//! * **Blocking** (`put`, `get`, `acquire`, `lock`, `join`): the operation takes effect once,
//!   at one instant inside its interval at which the model lets it proceed (the queue not full
//!   for `put`; not empty, or closed, for `get`; a permit free; the lock free or, for a
//!   reentrant lock, its own; no unfinished task for `join`). At any other instant
//!   [`apply`](Spec::apply) returns `None`. The time it spent waiting is not an event.
//! * **Timed out** (`get_timeout`, `put_timeout`, `acquire_timeout`, `lock_timeout`,
//!   `join_timeout` that gave up): explained if at some instant inside its interval the
//!   blocking form would have waited: the queue empty and open (for a get), full and open (for
//!   a put), no permit, the lock held (a reentrant lock: by another thread), a task unfinished.
//!   A timed-out get while an item was certainly there all along is rejected; one that
//!   overlapped the get of the last item is accepted. A timed operation that succeeded is a
//!   blocking one that took effect.
//! * **Try** (`try_get`, `try_put`, `try_acquire`, `try_lock`): like a timed operation with a
//!   zero timeout; its refusal needs an instant at which it would have had to wait.
//! * **`close`** takes effect at one instant: puts after it are refused, gets after it drain
//!   what is left and are then refused; a put or get concurrent with it may fall on either
//!   side. A get blocked on an empty queue when it closes is explained by the close (it
//!   returns `Closed`), never by a timeout.
//! * **`task_done`** takes effect at one instant and is refused exactly when every item got
//!   before that instant is already done; **`join`** is blocking, **`join_timeout`** timed, as
//!   above, on the count of items put and not done.
//! * **Releases and unlocks** (`release(n)`, a permit's or guard's drop) never wait: they take
//!   effect at one instant, and a `BoundedSemaphore` release refused for passing the bound
//!   needs an instant at which it would pass it.
//! * **Pending** operations (called, not returned when the history was taken) may take effect
//!   at any instant after their call, with any result, or not at all.
//!
//! # Cost
//!
//! The search is exponential in the worst case (the problem is NP-complete), but Lowe's
//! memoisation makes it near-linear in the length of a history in which each operation
//! overlaps only a few others, which is what stress tests and models mostly record: the
//! operations that may be linearized next stay within about one per thread. One operation that
//! overlaps thousands (its thread descheduled mid-call) costs about the square of that span
//! when its effect can fall at many places in it (a put: where its item joined the queue).
//! Histories of independent parts (accounts without transfers between them) are split and
//! checked part by part.

mod checker;
mod history;
mod spec;
mod specs;

pub use checker::{check, Linearization, NotLinearizable};
pub use history::{Call, History, HistoryError, Operation, Recorder};
pub use spec::Spec;
pub use specs::{
    BankOp, BankRet, BankSpec, LockOp, LockRet, LockSpec, QueueOp, QueueRet, QueueSpec,
    SemaphoreOp, SemaphoreRet, SemaphoreSpec,
};
