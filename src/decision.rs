//! [`Decision`]: the one race of a cancellable job, "start" against "cancel", decided once.
//!
//! A [`Timer`](crate::Timer)'s function and a [`ThreadPool`](crate::ThreadPool) task each run
//! unless cancelled first. Both keep one word that leaves `PENDING` exactly once, by a
//! compare-and-swap: to `STARTED` (the thread about to run the function) or to `CANCELLED`
//! (`cancel`). Whichever comes first wins, so a `cancel` that says `true` means the function
//! never runs, however the two race (the casebook's `timer-cancel-race` is this race with a
//! flag checked and set in two steps instead).

use crate::sync::raw_atomic::{AtomicU8, Ordering};

/// Neither started nor cancelled.
const PENDING: u8 = 0;
/// Started: the function runs (or has run).
const STARTED: u8 = 1;
/// Cancelled before it started: the function never runs.
const CANCELLED: u8 = 2;

/// Where a [`Decision`] stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decided {
    Pending,
    Started,
    Cancelled,
}

/// A word that leaves `PENDING` once, for `start` or for `cancel` (see the module docs).
pub(crate) struct Decision(AtomicU8);

impl Decision {
    pub(crate) fn new() -> Self {
        Decision(AtomicU8::new(PENDING))
    }

    /// Moves `PENDING` to `to`; the state found otherwise.
    fn decide(&self, to: u8) -> Result<(), u8> {
        self.0
            .compare_exchange(
                PENDING,
                to,
                // Ordering: Relaxed: the decision rests on the total order of operations on
                // this one word; the function's effects reach whoever waits for them through
                // the timer thread's join or the task's outcome (under its mutex, and its
                // `Event`), never through this word.
                Ordering::Relaxed,
                // Ordering: Relaxed: as above.
                Ordering::Relaxed,
            )
            .map(|_| ())
    }

    /// The caller may run the function: `true` if this call started it, `false` if it was
    /// cancelled first.
    pub(crate) fn start(&self) -> bool {
        self.decide(STARTED).is_ok()
    }

    /// Cancels the function unless it has started: `true` if it will never run (this call or
    /// an earlier one cancelled it), `false` if it started. `cancelled` runs only in the call
    /// that made the decision, so whatever it reports is reported once.
    pub(crate) fn cancel(&self, cancelled: impl FnOnce()) -> bool {
        match self.decide(CANCELLED) {
            Ok(()) => {
                cancelled();
                true
            }
            Err(state) => state == CANCELLED,
        }
    }

    /// Where the race stands now (a snapshot).
    pub(crate) fn get(&self) -> Decided {
        // Ordering: Relaxed: a snapshot; whoever needs the function's effects gets them
        // through a join or the task's outcome.
        match self.0.load(Ordering::Relaxed) {
            PENDING => Decided::Pending,
            STARTED => Decided::Started,
            _ => Decided::Cancelled,
        }
    }
}
