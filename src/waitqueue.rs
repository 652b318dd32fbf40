//! The parked threads of a [`ReentrantLock`](crate::ReentrantLock) or a
//! [`Semaphore`](crate::Semaphore): a FIFO of sleepers, each woken on its own.
//!
//! Both primitives keep their fast paths in one atomic word with a `WAITERS` bit that is set
//! exactly while this queue is non-empty (both change only under the queue's lock). A thread
//! that has spun without success parks here; a release that sees the bit takes the lock and
//! wakes the head of the queue, in one of two ways:
//!
//! * [`Wake::Retry`]: the lock (permit) is made free in the word and the woken thread competes
//!   for it with everyone else, like a newcomer. A thread that arrives meanwhile (or the releaser
//!   itself) may take it first; the woken thread then parks again **at the front**. This is
//!   what keeps a contended lock busy: the releaser does not wait for a sleeping thread to be
//!   scheduled before anyone may use the lock again (a strict handoff makes every acquire a
//!   context switch, a lock convoy).
//! * [`Wake::Handed`]: every [`FAIR_EVERY`]th wake, the lock (permit) is handed straight to the
//!   head of the queue without ever being free. So no parked thread is overtaken forever: the
//!   head is served within `FAIR_EVERY` wakes, and re-parking at the front keeps the order in
//!   which threads first parked.
//!
//! Each sleeper waits on its own condition variable (with the queue's lock), so a wake costs
//! one targeted notification, not a herd.

use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{Arc, Condvar, MutexGuard, Wait, CHECKED};
use std::collections::VecDeque;

/// The low bit of the primitive's word: threads are parked here, so a release must take the
/// queue's lock and wake one. Set and cleared only under the queue's lock, exactly while the
/// queue is non-empty. (A lock's owner tokens are even; a semaphore counts permits above it.)
pub(crate) const WAITERS: usize = 1;

/// How a parked thread was woken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wake {
    /// The lock (or a permit) was made free: try again, competing with newcomers.
    Retry,
    /// The lock (or a permit) was handed to this thread: it owns it already.
    Handed,
}

/// One wake in this many is a handoff. Under a model every second one, so that a model of two
/// or three wakes explores both kinds.
pub(crate) const FAIR_EVERY: u32 = if CHECKED { 2 } else { 16 };

/// The sleepers, oldest first, and the wakes not yet collected by their threads.
#[derive(Default)]
pub(crate) struct WaitQueue {
    /// The parked threads' tokens, each with the condition variable it sleeps on.
    parked: VecDeque<(usize, Arc<Condvar>)>,
    /// Threads woken (taken off `parked`) that have not yet returned from [`park`].
    woken: Vec<(usize, Wake)>,
    /// Wakes since the last handoff.
    retries: u32,
}

impl WaitQueue {
    /// How many threads are parked.
    pub(crate) fn len(&self) -> usize {
        self.parked.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.parked.is_empty()
    }

    /// How the next wake is to be made: a [`Wake::Handed`] every [`FAIR_EVERY`] wakes.
    pub(crate) fn next_wake(&mut self) -> Wake {
        self.retries += 1;
        if self.retries >= FAIR_EVERY {
            self.retries = 0;
            Wake::Handed
        } else {
            Wake::Retry
        }
    }

    /// Takes the oldest sleeper off the queue and records `how` it is woken; returns its token
    /// and the condition variable to notify (after the queue's lock is let go, preferably).
    pub(crate) fn wake(&mut self, how: Wake) -> Option<(usize, Arc<Condvar>)> {
        let (token, cv) = self.parked.pop_front()?;
        self.woken.push((token, how));
        Some((token, cv))
    }

    /// Parks the calling thread `me` (front of the queue if `front`, else back) until woken,
    /// or until `wait` runs out. Returns the queue's guard and how this thread
    /// was woken, or `None` if it timed out: then it is off the queue already, and if it left
    /// the queue empty it has lowered [`WAITERS`] in `state`.
    ///
    /// The caller has set `WAITERS` in `state` under this same guard, so the release that will
    /// wake it must take the lock after this thread sleeps: the wakeup cannot be lost.
    pub(crate) fn park<'a>(
        mut queue: MutexGuard<'a, WaitQueue>,
        state: &AtomicUsize,
        me: usize,
        front: bool,
        wait: Wait,
    ) -> (MutexGuard<'a, WaitQueue>, Option<Wake>) {
        let cv = Arc::new(Condvar::new());
        if front {
            queue.parked.push_front((me, Arc::clone(&cv)));
        } else {
            queue.parked.push_back((me, Arc::clone(&cv)));
        }
        let (mut queue, _) = cv.wait_for(queue, wait, |q| {
            q.woken.iter().any(|&(t, _)| t == me).then_some(())
        });
        // Under the lock the answer is exact: woken (and off `parked`) or still parked.
        match queue.woken.iter().position(|&(t, _)| t == me) {
            Some(at) => {
                let (_, how) = queue.woken.swap_remove(at);
                (queue, Some(how))
            }
            None => {
                queue.parked.retain(|(t, _)| *t != me);
                if queue.parked.is_empty() {
                    // Nobody else can raise or lower the flag meanwhile (we hold the queue's
                    // lock), but a newcomer may take a free lock or permit from the word at the
                    // same time, so the bit is cleared with an RMW.
                    // Ordering: Relaxed: the flag carries no data, and an RMW continues the
                    // release sequence of the store that freed the lock or permit (if any).
                    state.fetch_and(!WAITERS, Ordering::Relaxed);
                }
                (queue, None)
            }
        }
    }
}
