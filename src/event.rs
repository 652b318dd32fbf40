//! [`Event`]: a flag that threads wait for, Python's `threading.Event`.
//!
//! # From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `threading.Event()` | [`Event::new()`](Event::new), shared with [`Arc`](crate::sync::Arc) |
//! | `event.set()` / `event.clear()` / `event.is_set()` | [`set`](Event::set) / [`clear`](Event::clear) / [`is_set`](Event::is_set) |
//! | `event.wait()` / `event.wait(timeout=t)` | [`wait`](Event::wait) / [`wait_timeout`](Event::wait_timeout) |
//!
//! # Design
//!
//! The event stands on the parking core (`src/park.rs`). Its word holds a `SET` bit and,
//! above it, a *generation* that every `set` of a clear event moves on by one. A waiter
//! remembers the generation it first saw and may go as soon as the event is set **or** the
//! generation has moved: so a `set` immediately followed by a `clear` still lets every thread
//! that was waiting go, as CPython's does, even a thread that only gets to look again after
//! the `clear`. A `set` is a release of the core that wakes every parked thread; while
//! nobody waits it is one compare-and-swap and takes no lock.

use crate::park::{RawPark, Word, WAITERS};
use crate::sync::Wait;
use std::convert::Infallible;
use std::fmt;
use std::time::Duration;

/// The word's bit above the core's `WAITERS` flag: the event is set.
const SET: usize = 2;
/// One `set` of a clear event: the generation lives above `SET`.
const GENERATION: usize = 4;
/// The generation bits of the word: every bit from `GENERATION` up.
const GENERATIONS: usize = !(GENERATION - 1);

/// A thread waiting on the event, which first saw the generation `seen`.
struct Waiter {
    seen: usize,
}

impl Word for Waiter {
    type Refused = Infallible;

    /// The event lets the waiter go if it is set, or was set since the waiter first looked;
    /// it stays as it is.
    #[inline]
    fn take(&self, state: usize) -> Option<usize> {
        (state & SET != 0 || state & GENERATIONS != self.seen).then_some(state)
    }

    /// `set`: a clear event becomes set, in the next generation; a set one stays as it is.
    #[inline]
    fn give(&self, state: usize, _n: usize) -> Result<usize, Infallible> {
        let state = state & !WAITERS;
        Ok(if state & SET != 0 {
            state
        } else {
            // `+`, not `|`: the bit is clear (and the generation moves on, wrapping after
            // 2^62 sets: a waiter would have to sleep through exactly that many to miss one).
            (state + SET).wrapping_add(GENERATION)
        })
    }

    /// A waiter woken by handoff just goes; the `give` that follows sets the event.
    #[inline]
    fn hand(&self, state: usize, _heir: usize) -> usize {
        state & !WAITERS
    }
}

/// A flag that threads can wait for: [`set`](Event::set) lets every waiting thread go, and
/// every later [`wait`](Event::wait) return at once, until [`clear`](Event::clear).
///
/// Python's `threading.Event`: the notes' producers signal "done" or "ready" with it instead
/// of polling a shared variable.
///
/// # Contract
///
/// * [`wait`](Event::wait) returns once the event is set, at once if it is set already. A
///   thread that was waiting when [`set`](Event::set) was called goes, even if
///   [`clear`](Event::clear) follows before it runs again (CPython's behaviour).
/// * [`wait_timeout`](Event::wait_timeout) returns `true` in the same cases, `false` if the
///   time ran out first; a zero timeout looks once without waiting.
/// * `set` on a set event and `clear` on a clear one change nothing.
///
/// # Fairness
///
/// A `set` wakes every parked waiter at once; nobody is left behind.
///
/// # Memory ordering
///
/// What a thread did before `set` happens-before the return of every `wait` (or
/// `wait_timeout` returning `true`, or `is_set` returning `true`) that it let go.
///
/// # Examples
///
/// A worker waits for the main thread to say "go":
///
/// ```
/// use verisync::Event;
/// use verisync::sync::{model, thread, Arc};
///
/// model(|| {
///     let go = Arc::new(Event::new());
///     let worker = {
///         let go = Arc::clone(&go);
///         thread::spawn(move || {
///             go.wait();
///             "started"
///         })
///     };
///     go.set();
///     assert_eq!(worker.join().unwrap(), "started");
///     assert!(go.is_set());
/// });
/// ```
pub struct Event {
    /// `SET`, the generation, and the core's `WAITERS`.
    raw: RawPark,
}

impl Event {
    /// Creates a clear event.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert!(!verisync::Event::new().is_set());
    /// # });
    /// ```
    #[track_caller]
    pub fn new() -> Self {
        Event {
            raw: RawPark::new(0, "Event"),
        }
    }

    /// Sets the event, letting every waiting thread go; later waits return at once until
    /// [`clear`](Event::clear).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let e = verisync::Event::new();
    /// e.set();
    /// e.set(); // no change
    /// assert!(e.is_set());
    /// e.wait(); // returns at once
    /// # });
    /// ```
    #[inline]
    pub fn set(&self) {
        // Every parked thread is woken: `n` is "all of them".
        let Ok(()) = self
            .raw
            .release(&Waiter { seen: 0 }, usize::MAX, self.raw.state());
    }

    /// Clears the event: later waits wait for the next [`set`](Event::set). Threads already
    /// let go by a `set` still go.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let e = verisync::Event::new();
    /// e.set();
    /// e.clear();
    /// assert!(!e.is_set());
    /// assert!(!e.wait_timeout(std::time::Duration::ZERO));
    /// # });
    /// ```
    #[inline]
    pub fn clear(&self) {
        self.raw.clear(SET);
    }

    /// Whether the event is set. `true` orders what the thread that set it did before the
    /// `set` before what the caller does next.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let e = verisync::Event::new();
    /// assert!(!e.is_set());
    /// e.set();
    /// assert!(e.is_set());
    /// # });
    /// ```
    #[inline]
    pub fn is_set(&self) -> bool {
        self.raw.state_acquire() & SET != 0
    }

    /// Waits until the event is set; returns at once if it is.
    ///
    /// ```
    /// use verisync::Event;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let ready = Arc::new(Event::new());
    ///     let r = Arc::clone(&ready);
    ///     let t = thread::spawn(move || r.set());
    ///     ready.wait();
    ///     t.join().unwrap();
    /// });
    /// ```
    #[inline]
    pub fn wait(&self) {
        let went = self.wait_until(Wait::Forever);
        debug_assert!(went, "an untimed wait returns only once let go");
    }

    /// Waits until the event is set, at most `timeout`: `true` if it was set (or was set and
    /// cleared while this thread waited), `false` if the time ran out. A zero timeout looks
    /// once without waiting; [`FOREVER`](crate::sync::FOREVER) or more waits like
    /// [`wait`](Event::wait). Under a model checker both outcomes are explored.
    ///
    /// Python's `event.wait(timeout=t)`, which returns the same flag.
    ///
    /// ```
    /// use std::time::Duration;
    /// # verisync::sync::model(|| {
    /// let e = verisync::Event::new();
    /// assert!(!e.wait_timeout(Duration::from_millis(5))); // nobody sets it
    /// e.set();
    /// assert!(e.wait_timeout(Duration::from_millis(5)));
    /// # });
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_until(Wait::timeout(timeout))
    }

    /// How many threads are parked waiting (a snapshot, stale as soon as it returns). Takes
    /// the internal lock of the parked threads' queue.
    ///
    /// ```
    /// use verisync::Event;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let e = Arc::new(Event::new());
    ///     let e2 = Arc::clone(&e);
    ///     let t = thread::spawn(move || e2.wait());
    ///     while e.waiters() == 0 {
    ///         thread::yield_now();
    ///     }
    ///     e.set();
    ///     t.join().unwrap();
    ///     assert_eq!(e.waiters(), 0);
    /// });
    /// ```
    pub fn waiters(&self) -> usize {
        self.raw.parked()
    }

    /// Waits as `wait` allows; `true` once let go.
    #[inline]
    pub(crate) fn wait_until(&self, wait: Wait) -> bool {
        let state = self.raw.state();
        let me = Waiter {
            seen: state & GENERATIONS,
        };
        self.raw.acquire(&me, state, wait)
    }
}

impl Default for Event {
    /// A clear event.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let e: verisync::Event = Default::default();
    /// assert!(!e.is_set());
    /// # });
    /// ```
    fn default() -> Self {
        Event::new()
    }
}

impl fmt::Debug for Event {
    /// Shows whether the event is set.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let e = verisync::Event::new();
    /// e.set();
    /// assert_eq!(format!("{e:?}"), "Event { set: true }");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish()
    }
}

#[cfg(all(test, not(any(loom, feature = "shuttle"))))]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug)]
    enum Op {
        /// A `set` with nobody parked: the core's lock-free path.
        Set,
        /// A `set` whose wakes include a handoff: the core's slow path hands one unit, then
        /// gives the rest.
        SetHandingOff,
        Clear,
    }

    fn apply(state: usize, op: Op) -> usize {
        let w = Waiter { seen: 0 };
        let Ok(state) = match op {
            Op::Set => w.give(state, usize::MAX),
            Op::SetHandingOff => w.give(w.hand(state | WAITERS, 1), usize::MAX - 1),
            Op::Clear => Ok(state & !SET),
        };
        state
    }

    /// A waiter woken by a `set` may look again only after later `set`s and `clear`s: it must
    /// still go. Every sequence of up to five operations from a new event, the waiter parking
    /// at each point where the event is clear, whichever path each `set` took.
    #[test]
    fn a_waiter_woken_by_a_set_goes_whatever_sets_and_clears_follow() {
        let ops = [Op::Set, Op::SetHandingOff, Op::Clear];
        for len in 0..=5u32 {
            for n in 0..ops.len().pow(len) {
                let script: Vec<Op> = (0..len as usize)
                    .map(|i| ops[n / ops.len().pow(i as u32) % ops.len()])
                    .collect();
                let mut states = vec![0];
                for &op in &script {
                    states.push(apply(*states.last().unwrap(), op));
                }
                let end = *states.last().unwrap();
                for (at, &state) in states.iter().enumerate() {
                    let waiter = Waiter {
                        seen: state & GENERATIONS,
                    };
                    let set_later = script[at..].iter().any(|op| !matches!(op, Op::Clear));
                    if waiter.take(state).is_none() && set_later {
                        assert!(
                            waiter.take(end).is_some(),
                            "a waiter parked after {:?} is stranded by {:?} (word {end:#x})",
                            &script[..at],
                            &script[at..],
                        );
                    }
                }
            }
        }
    }
}
