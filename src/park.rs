//! The parking core every blocking primitive of verisync stands on: [`Mutex`](crate::Mutex),
//! [`ReentrantLock`](crate::ReentrantLock), [`Semaphore`](crate::Semaphore),
//! [`BoundedSemaphore`](crate::BoundedSemaphore), [`Event`](crate::Event) and
//! [`Condition`](crate::Condition) (which queues its waiters here without using the word:
//! [`RawPark::wait_in_line`], [`RawPark::wake`]).
//!
//! In the style of `lock_api`: a small raw layer, [`RawPark`], under thin safe types. A
//! primitive keeps its whole state in one atomic word that the core owns, and tells the core
//! what the word means through the [`Word`] trait: how to take a unit from it (a lock, a
//! permit), how to give units back, how to hand one straight to a parked thread. Everything
//! else is written here, once:
//!
//! * the lock-free paths: a take is one compare-and-swap from the caller's guess of the word,
//!   a release one compare-and-swap while nobody is parked;
//! * the slow acquire: spin a little, then take the queue's lock, raise the `WAITERS` bit in
//!   the word and park, until woken to retry, handed the unit, or out of time;
//! * the slow release: wake at most `min(n, parked)` threads, oldest first (never a loop of
//!   `n` steps), in one of two ways:
//!   - **retry**: the unit is made free in the word and the woken thread competes for it like a
//!     newcomer. One that arrives meanwhile (or the releaser itself) may take it first; the
//!     woken thread then parks again **at the front**. This keeps a contended lock busy: the
//!     releaser does not wait for a sleeping thread to be scheduled before anyone may use the
//!     lock again (a strict handoff makes every contended acquire a context switch: a convoy);
//!   - **handoff**: every [`FAIR_EVERY`]th wake, the unit goes straight to the head of the
//!     queue without ever being free. So no parked thread is overtaken forever: the head is
//!     served within `FAIR_EVERY` wakes, and re-parking at the front keeps the order in which
//!     threads first parked.
//!
//! The `WAITERS` bit (the word's low bit) is set exactly while the queue is non-empty, and
//! changes only under the queue's lock. A release that sees it takes that lock; a thread about
//! to park sets it with a compare-and-swap on the very word a release changes, and holds the
//! queue's lock until it sleeps. So the wakeup cannot be lost: either the release comes first
//! and the parking thread sees the unit free, or the bit comes first and the release waits for
//! the lock, which it gets only once the thread sleeps.
//!
//! Each sleeper waits on its own condition variable (with the queue's lock), so a wake costs
//! one targeted notification, not a herd.

use crate::check::blocked::{self, Site};
use crate::sync::raw_atomic::{AtomicUsize, Ordering};
use crate::sync::{
    stress_point, thread, woke_spuriously, Arc, Condvar, Mutex, MutexGuard, Spin, Wait, CHECKED,
};
use std::collections::VecDeque;

/// The low bit of every word: threads are parked, so a release must take the queue's lock
/// and wake one. A word's own meaning lives in the bits above it.
pub(crate) const WAITERS: usize = 1;

/// Whether `state` says threads are parked: the one reading of [`WAITERS`], shared by the
/// paths that must take the queue's lock and the spin that only makes way for parked threads.
#[inline(always)]
fn has_waiters(state: usize) -> bool {
    state & WAITERS != 0
}

/// One wake in this many is a handoff. Under a model every second one, so that a model of two
/// or three wakes explores both kinds.
pub(crate) const FAIR_EVERY: u32 = if CHECKED { 2 } else { 16 };

/// What a primitive's word means: the one thing a primitive tells the core.
///
/// Every function is pure (a word in, a word out). The core alone raises and lowers the
/// [`WAITERS`] bit: [`take`](Word::take) must keep it as it found it, and the words
/// [`give`](Word::give) and [`hand`](Word::hand) return must not set it (the core adds it where
/// threads stay parked).
pub(crate) trait Word {
    /// Why [`give`](Word::give) may refuse units (a bounded semaphore at its bound); a lock
    /// never refuses and says [`Infallible`](std::convert::Infallible).
    type Refused;

    /// The word once the caller has taken one unit from `state` (its `WAITERS` bit kept);
    /// `None` if `state` has none free.
    fn take(&self, state: usize) -> Option<usize>;

    /// The word with `n` (at least 1) more units free, without `WAITERS`; refused if it cannot
    /// hold them. The core calls it on the word it saw, and, having checked it so under the
    /// queue's lock, on words holding fewer free units with at most `n`: it must not refuse
    /// those.
    fn give(&self, state: usize, n: usize) -> Result<usize, Self::Refused>;

    /// The word once one unit is handed to the parked thread `heir` (its
    /// [`token`](crate::sync::thread::token)) instead of being made free; its `WAITERS` bit is
    /// ignored.
    fn hand(&self, state: usize, heir: usize) -> usize;
}

/// How a parked thread was woken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wake {
    /// A unit was made free: try again, competing with newcomers.
    Retry,
    /// A unit was handed to this thread: it has it already.
    Handed,
}

/// Why a parked thread left the queue without being woken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Left {
    /// Its wait ran out.
    TimedOut,
    /// A spurious wakeup (under a model, injected by the facade's clock): nobody woke it.
    Spuriously,
}

/// The sleepers, oldest first, and the wakes not yet collected by their threads.
#[derive(Default)]
struct Queue {
    /// The parked threads' tokens, each with the condition variable it sleeps on.
    parked: VecDeque<(usize, Arc<Condvar>)>,
    /// Threads woken (taken off `parked`) that have not yet returned from [`RawPark::park`].
    woken: Vec<(usize, Wake)>,
    /// Wakes since the last handoff.
    retries: u32,
}

impl Queue {
    /// Takes the oldest sleeper off the queue and decides how it is woken: a
    /// [`Wake::Handed`] every [`FAIR_EVERY`] wakes. Returns its token, how, and the condition
    /// variable to notify once the queue's lock is let go.
    fn wake_oldest(&mut self) -> Option<(usize, Wake, Arc<Condvar>)> {
        let (token, cv) = self.parked.pop_front()?;
        self.retries += 1;
        let how = if self.retries >= FAIR_EVERY {
            self.retries = 0;
            Wake::Handed
        } else {
            Wake::Retry
        };
        self.woken.push((token, how));
        Some((token, how, cv))
    }
}

/// The threads woken by one release, notified once the queue's lock is let go. One is kept
/// inline: a lock's release wakes at most one, and should not allocate to do it.
#[derive(Default)]
struct Woken {
    first: Option<Arc<Condvar>>,
    rest: Vec<Arc<Condvar>>,
}

impl Woken {
    fn push(&mut self, cv: Arc<Condvar>) {
        match self.first {
            None => self.first = Some(cv),
            Some(_) => self.rest.push(cv),
        }
    }

    fn notify(self) {
        for cv in self.first.into_iter().chain(self.rest) {
            cv.notify_one();
        }
    }
}

/// A primitive's word and the threads parked on it (see the module docs).
pub(crate) struct RawPark {
    /// The primitive's state, [`WAITERS`] in the low bit.
    state: AtomicUsize,
    queue: Mutex<Queue>,
    /// What this is and where it was made, for a model's deadlock report.
    site: Site,
}

impl RawPark {
    /// A word holding `state` (its [`WAITERS`] bit clear), nobody parked: the core of a `what`
    /// (`"Mutex"`) made by the caller's caller, as a model's deadlock report names it.
    #[track_caller]
    pub(crate) fn new(state: usize, what: &'static str) -> Self {
        debug_assert_eq!(state & WAITERS, 0, "nobody is parked yet");
        RawPark {
            state: AtomicUsize::new(state),
            queue: Mutex::new(Queue::default()),
            site: Site::new(what),
        }
    }

    /// What this is, for a model's deadlock report ([`blocked`]).
    pub(crate) fn site(&self) -> &Site {
        &self.site
    }

    /// The name a model's deadlock report gives it instead of where it was made.
    pub(crate) fn name(&mut self, name: &'static str) {
        self.site.name(name);
    }

    /// The word now: a snapshot.
    #[inline]
    pub(crate) fn state(&self) -> usize {
        // Ordering: Relaxed: a snapshot that orders nothing (a caller reading its own token
        // reads it exactly: it was stored by this thread, or seen under the queue's lock).
        self.state.load(Ordering::Relaxed)
    }

    /// The word now, acquired: what the thread that last gave units back (a release, Release
    /// ordered) did before is seen by the caller.
    #[inline]
    pub(crate) fn state_acquire(&self) -> usize {
        // Ordering: Acquire, pairs with the Release of `give_fast` and `release_slow`: a
        // caller that reads a state a release wrote sees what the releaser did before it.
        self.state.load(Ordering::Acquire)
    }

    /// Clears `bits` (never [`WAITERS`]) in the word, waking nobody.
    #[inline]
    pub(crate) fn clear(&self, bits: usize) {
        debug_assert_eq!(bits & WAITERS, 0, "only the core lowers WAITERS");
        // Ordering: Relaxed: clearing publishes nothing; as a read-modify-write it continues
        // the release sequence of the release before it, and every later look at the word
        // (its modification order) sees it.
        self.state.fetch_and(!bits, Ordering::Relaxed);
    }

    /// How many threads are parked (a snapshot). Takes the queue's lock.
    pub(crate) fn parked(&self) -> usize {
        self.queue.lock().parked.len()
    }

    /// Takes a unit if the word has one free, parked threads or not (so a newcomer may take a
    /// unit freed for a woken thread): the lock-free path. `state` is the caller's guess of
    /// the word (a lock guesses "free"); `Err` holds the word seen with nothing free.
    #[inline]
    pub(crate) fn take<W: Word>(&self, w: &W, mut state: usize) -> Result<(), usize> {
        while let Some(new) = w.take(state) {
            // Ordering: Acquire on success: the unit was given back by a release (Release, in
            // `give_fast` or `release_slow`), whose writes its new holder must see; Relaxed on
            // failure: nothing was taken, we only look again.
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return Ok(()),
                Err(now) => state = now,
            }
        }
        Err(state)
    }

    /// Takes a unit, waiting as `wait` allows: [`Wait::Try`] tries once (no spinning, no
    /// parking). `true` if it got one; `false` only once the wait ran out, and then this
    /// thread is not parked.
    #[inline]
    pub(crate) fn acquire<W: Word>(&self, w: &W, guess: usize, wait: Wait) -> bool {
        stress_point();
        self.take(w, guess).is_ok() || (!wait.is_try() && self.acquire_slow(w, wait))
    }

    /// Spins, then parks until a unit is handed over or can be taken, or `wait` runs out.
    #[cold]
    fn acquire_slow<W: Word>(&self, w: &W, wait: Wait) -> bool {
        let me = thread::token();
        // A thread woken to retry that loses the race parks again at the front.
        let mut front = false;
        loop {
            let mut spin = Spin::new();
            while spin.spin() {
                let state = self.state();
                if has_waiters(state) {
                    break; // others are parked: spinning beside them would only delay them
                }
                if self.take(w, state).is_ok() {
                    return true;
                }
            }
            let queue = self.queue.lock();
            let mut state = self.state();
            loop {
                // A unit came back since we last looked: take it.
                state = match self.take(w, state) {
                    Ok(()) => return true,
                    Err(now) => now,
                };
                // Raise the flag (if others are parked it is up already, and this changes
                // nothing), so that the next release takes the queue's lock.
                // Ordering: Relaxed: the flag carries no data; a release that sees it takes
                // the lock we hold, which orders everything after it.
                match self.state.compare_exchange_weak(
                    state,
                    state | WAITERS,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => break,
                    Err(now) => state = now,
                }
            }
            match self.park(queue, me, front, wait) {
                Ok(Wake::Handed) => return true,
                Ok(Wake::Retry) => front = true,
                // Nobody woke it: back in line where it was going (front or back).
                Err(Left::Spuriously) => {}
                Err(Left::TimedOut) => return false,
            }
        }
    }

    /// Parks the calling thread `me` (at the front of the queue if `front`, else at the back)
    /// until woken, or until `wait` runs out or a spurious wakeup ends the sleep: then (`Err`)
    /// it is off the queue, and if it left the queue empty it has lowered [`WAITERS`].
    ///
    /// The caller has raised `WAITERS` under this same guard, so the release that will wake
    /// it takes the lock after this thread sleeps: the wakeup cannot be lost.
    fn park(
        &self,
        mut queue: MutexGuard<'_, Queue>,
        me: usize,
        front: bool,
        wait: Wait,
    ) -> Result<Wake, Left> {
        let cv = Arc::new(Condvar::new());
        if front {
            queue.parked.push_front((me, Arc::clone(&cv)));
        } else {
            queue.parked.push_back((me, Arc::clone(&cv)));
        }
        let (mut queue, how) = {
            // On a model's board while it sleeps, for a deadlock report.
            let _asleep = blocked::waiting(&self.site);
            cv.wait_for(queue, wait, |q| {
                match q.woken.iter().position(|&(t, _)| t == me) {
                    Some(at) => Some(Ok(q.woken.swap_remove(at).1)),
                    None => woke_spuriously().then_some(Err(Left::Spuriously)),
                }
            })
        };
        let how = how.unwrap_or(Err(Left::TimedOut));
        if how.is_err() {
            // Not woken, and (under the lock, exactly) still parked: leave.
            queue.parked.retain(|(t, _)| *t != me);
            if queue.parked.is_empty() {
                // Nobody else raises or lowers the flag meanwhile (we hold the queue's lock),
                // but a newcomer may take a free unit from the word at the same time, so the
                // bit is cleared with an RMW.
                // Ordering: Relaxed: the flag carries no data, and an RMW continues the
                // release sequence of the store that freed a unit (if any).
                self.state.fetch_and(!WAITERS, Ordering::Relaxed);
            }
        }
        how
    }

    /// Parks the calling thread at the back of the queue, runs `enqueued` once it is in line
    /// (under the queue's lock, before it sleeps), and sleeps until [`wake`](RawPark::wake)
    /// takes it off the queue or a spurious wakeup ends the sleep (`true`), or `wait` runs out
    /// (`false`); it is off the queue either way.
    ///
    /// A condition variable's wait: `enqueued` lets go of the caller's lock, so a notifier that
    /// takes that lock after it finds this thread in line (and takes the queue's lock after it
    /// sleeps): no notify is lost, and none reaches a thread that was not yet waiting. A
    /// `RawPark` used this way never uses its word (no unit is taken or given; `WAITERS` stays
    /// clear) and touches no atomic here: the queue's lock orders everything.
    pub(crate) fn wait_in_line(&self, wait: Wait, enqueued: impl FnOnce()) -> bool {
        let queue = self.queue.lock();
        enqueued();
        // Only `wake` takes threads off this queue, and it always hands: never `Retry`. A
        // spurious wakeup (under a model) returns as a wake does: a condition variable's
        // contract allows it, and a caller that waits in a loop must not notice.
        self.park(queue, thread::token(), false, wait) != Err(Left::TimedOut)
    }

    /// Wakes the `n` oldest threads parked by [`wait_in_line`](RawPark::wait_in_line), or all
    /// of them if fewer: each is handed its wake (it cannot be overtaken, nor time out once
    /// taken off the queue). Returns how many it woke; with nobody parked it does nothing, so
    /// nothing is kept for a later waiter.
    pub(crate) fn wake(&self, n: usize) -> usize {
        let mut queue = self.queue.lock();
        let wakes = n.min(queue.parked.len());
        let mut woken = Woken::default();
        for _ in 0..wakes {
            let Some((token, cv)) = queue.parked.pop_front() else {
                break; // cannot happen: `wakes` counted them
            };
            queue.woken.push((token, Wake::Handed));
            woken.push(cv);
        }
        drop(queue);
        woken.notify();
        wakes
    }

    /// Gives `n` units back, waking up to `n` parked threads: the lock-free path while nobody
    /// is parked. `state` is the caller's guess of the word (a lock's owner guesses "mine").
    /// Refused (nothing changed, nobody woken) if the word cannot hold them.
    #[inline]
    pub(crate) fn release<W: Word>(&self, w: &W, n: usize, guess: usize) -> Result<(), W::Refused> {
        match self.give_fast(w, n, guess)? {
            None => Ok(()),
            Some(_) => self.release_slow(w, n),
        }
    }

    /// Adds `n` units to the word if nobody is parked: `None` once done, else the word seen
    /// with [`WAITERS`] set.
    #[inline]
    fn give_fast<W: Word>(
        &self,
        w: &W,
        n: usize,
        mut state: usize,
    ) -> Result<Option<usize>, W::Refused> {
        while !has_waiters(state) {
            let new = w.give(state, n)?;
            debug_assert!(!has_waiters(new), "Word::give set WAITERS");
            // Ordering: Release on success: publishes this thread's writes to whoever takes a
            // unit next (Acquire, in `take`); Relaxed on failure: we only look again.
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return Ok(None),
                Err(now) => state = now,
            }
        }
        Ok(Some(state))
    }

    /// A release with threads parked: wakes `min(n, parked)` of them, oldest first. Most are
    /// woken to retry, their units made free in the word (where a newcomer may take one
    /// first); every `FAIR_EVERY`th wake hands its unit straight to the woken thread instead.
    /// Units with nobody left to wake are made free too.
    #[cold]
    fn release_slow<W: Word>(&self, w: &W, n: usize) -> Result<(), W::Refused> {
        let mut queue = self.queue.lock();
        // The last parked thread may have timed out and left (lowering the flag) before we
        // got the lock.
        let Some(state) = self.give_fast(w, n, self.state())? else {
            return Ok(());
        };
        // The flag is up and we hold the queue's lock: only takes change the word now, and
        // they only lower what it holds, so units accepted here are still accepted below.
        w.give(state, n)?;
        let wakes = n.min(queue.parked.len());
        let (mut woken, mut heir, mut handed) = (Woken::default(), None, 0);
        for _ in 0..wakes {
            let Some((token, how, cv)) = queue.wake_oldest() else {
                break; // cannot happen: `wakes` counted them
            };
            if how == Wake::Handed {
                heir = Some(token);
                handed += 1;
            }
            woken.push(cv);
        }
        let freed = n - handed;
        let flag = if queue.parked.is_empty() { 0 } else { WAITERS };
        let mut state = state;
        loop {
            let mut new = match heir {
                Some(heir) => w.hand(state, heir),
                None => state,
            };
            if freed > 0 {
                new = w.give(new, freed)?; // never refused: checked above with at least as much
            }
            // `+`, not `|`: the bit is clear, and a mutant of `+` cannot pass for `|`.
            let new = (new & !WAITERS) + flag;
            // Ordering: Release on success: freed units may be taken without the queue's lock
            // (Acquire, in `take`), whose taker must see this thread's writes (a handed unit
            // needs nothing: its thread looks under the queue's lock, which we let go after
            // this); Relaxed on failure: we only look again.
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        drop(queue);
        woken.notify();
        Ok(())
    }
}

#[cfg(all(test, not(any(loom, feature = "shuttle"))))]
mod tests {
    use super::*;
    use std::convert::Infallible;

    /// A lock's word, as `Mutex` has it: `LOCKED` above the flag.
    struct Lock;
    const LOCKED: usize = 2;

    impl Word for Lock {
        type Refused = Infallible;
        fn take(&self, state: usize) -> Option<usize> {
            (state & LOCKED == 0).then_some(state + LOCKED)
        }
        fn give(&self, _: usize, _: usize) -> Result<usize, Infallible> {
            Ok(0)
        }
        fn hand(&self, _: usize, _: usize) -> usize {
            LOCKED
        }
    }

    #[test]
    fn with_nobody_parked_a_release_takes_no_lock() {
        // The queue's lock is held throughout: a release that went for it would hang here
        // (so a mutant that sends every release down the slow path times out).
        let raw = Arc::new(RawPark::new(0, "test"));
        assert!(raw.acquire(&Lock, 0, Wait::Try));
        let queue = raw.queue.lock();
        let r = Arc::clone(&raw);
        std::thread::spawn(move || r.release(&Lock, 1, LOCKED).unwrap())
            .join()
            .unwrap();
        assert_eq!(raw.state(), 0);
        drop(queue);
    }

    #[test]
    fn with_a_thread_parked_a_release_wakes_it_and_lowers_the_flag() {
        let raw = Arc::new(RawPark::new(0, "test"));
        assert!(raw.acquire(&Lock, 0, Wait::Try));
        let r = Arc::clone(&raw);
        let waiter = std::thread::spawn(move || {
            assert!(r.acquire(&Lock, 0, Wait::Forever));
            r.release(&Lock, 1, LOCKED).unwrap();
        });
        while raw.parked() == 0 {
            std::thread::yield_now();
        }
        assert!(has_waiters(raw.state()));
        raw.release(&Lock, 1, LOCKED).unwrap();
        waiter.join().unwrap();
        assert_eq!(raw.state(), 0, "free, and the flag down with nobody parked");
    }
}
