//! Time and waiting inside a model (loom or shuttle): the modelled condition variable's waiters
//! and the virtual clock that times them out.
//!
//! # How a timed wait ends under a model
//!
//! Neither checker models time. Here a timed wait arms a **timer** at `now + timeout` in virtual
//! time, and **one clock thread per execution** fires the pending timers, earliest deadline
//! first, advancing virtual time to each. The clock is an ordinary model thread, so the checker
//! may run it at any point: every timed wait is explored both woken by a notification and timed
//! out (perhaps while other threads still run). While a timer is pending the clock is runnable,
//! so a thread in a timed wait is never reported as deadlocked; a thread in an untimed wait
//! that nobody will wake is.
//!
//! Under loom the clock thread is started by the first timed wait that really sleeps and lives
//! until the model's closure returns: while no timer is pending it parks, and it exits when
//! loom drops the execution's statics as the closure returns. So a loom model costs **at most
//! one extra model thread per execution, however many timed waits it makes** (loom allows 5
//! threads including the model's main thread, and counts every thread ever started: a model
//! with timed waits has room for four of its own, main included). A thread still making timed
//! waits after the model's closure has returned should be joined by it: a late timed wait would
//! start a second clock that nothing stops. Under shuttle, which has no thread limit but wants
//! every thread finished when the closure returns, the clock exits as soon as no timer is
//! pending, and the next timed wait starts another.
//!
//! # Spurious wakeups
//!
//! Real condition variables and `park` may return without a notification. loom never does
//! (its issue #1); shuttle only in a bare `park` while another thread can run (the waits here
//! absorb those: they park in a loop that checks their state), so code that waits on a
//! condition with `if` instead of `while` passes both.
//! Here every wait, and every [`park`](super::world::thread::park), also arms a **spurious
//! timer** with no deadline of its own: the clock may fire it at any point, and its waiter then
//! returns as if notified, though nobody notified it. Only [`spurious_budget`] of them fire per
//! thread and execution (by default 1 under shuttle and 0 under loom, see
//! [`DEFAULT_SPURIOUS`]): exploration stays finite, a thread that nobody will wake is still
//! reported as deadlocked once its budget is spent, and one thread's wakeups (a lock's parked
//! waiter's, say) never use up another's. The facade's predicate waits absorb them (the predicate is checked again);
//! `Condition::wait` and the facade's `thread::park` pass them on, as their contracts allow.
//!
//! # Why nothing here holds a checker's object while it waits
//!
//! When a model fails (an assertion, a deadlock), the checker unwinds the stacks of the threads
//! still alive, outside the model; a checker's `Arc` or lock guard dropped there aborts the test
//! binary ("cannot access Loom execution state from outside a Loom model") instead of failing
//! the test. So the waiters and the clock block with the checker's `park`, holding no lock
//! guard; the shared state lives in plain `std` `Arc`s (reference counts a model need not
//! explore) around the checker's mutexes, which have no destructor of their own.

use super::backend::sync::{Mutex, MutexGuard};
use super::backend::thread::{self, Thread};
use std::sync::Arc;
use std::time::Duration;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One condition variable's waiters, with notifications kept as state.
pub(super) struct WaitList {
    state: Mutex<WaitState>,
}

struct Waiter {
    ticket: u64,
    thread: Thread,
    timer: Option<u64>,
    spurious: Option<u64>,
}

/// How a [`WaitList::wait`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Woke {
    /// By a notification.
    Notified,
    /// Its timer fired.
    TimedOut,
    /// Its spurious timer fired: nobody notified it.
    Spuriously,
}

#[derive(Default)]
struct WaitState {
    next_ticket: u64,
    /// The threads now waiting, oldest first.
    waiting: Vec<Waiter>,
    /// `notify_all` wakes every ticket below this.
    woken_below: u64,
    /// `notify_one` tokens: a token `k` may be taken by one waiting ticket below `k`.
    tokens: Vec<u64>,
    /// Timers armed on this list, and whether each has fired (perhaps before its waiter got
    /// to wait).
    timers: Vec<(u64, bool)>,
}

impl WaitState {
    /// The threads a `notify_one` token may be taken by: all unserved waiters (the checker
    /// decides which one takes it).
    fn unserved(&self) -> impl Iterator<Item = &Waiter> {
        self.waiting.iter().filter(|w| w.ticket >= self.woken_below)
    }

    /// Ends the wait of `ticket`.
    fn leave(&mut self, ticket: u64) {
        self.waiting.retain(|w| w.ticket != ticket);
        // A token nobody still waiting may take is gone: notifications are not buffered.
        let WaitState {
            waiting, tokens, ..
        } = self;
        tokens.retain(|&k| waiting.iter().any(|w| w.ticket < k));
    }
}

impl WaitList {
    pub(super) fn new() -> Self {
        WaitList {
            state: Mutex::new(WaitState::default()),
        }
    }

    /// Registers as a waiter, runs `release` (drops the user's guard), and blocks until
    /// notified, or until `timer` or `spurious` fires.
    pub(super) fn wait(
        &self,
        timer: Option<u64>,
        spurious: Option<u64>,
        release: impl FnOnce(),
    ) -> Woke {
        let ticket = {
            let mut st = lock(&self.state);
            let ticket = st.next_ticket;
            st.next_ticket += 1;
            st.waiting.push(Waiter {
                ticket,
                thread: thread::current(),
                timer,
                spurious,
            });
            ticket
        };
        // Registered before the user's lock is let go: a notification sent after that finds
        // this waiter (and unparks it, which a later `park` sees), so none is lost.
        release();
        loop {
            {
                let mut st = lock(&self.state);
                if let Some(woke) = Self::served(&mut st, ticket, timer, spurious) {
                    st.leave(ticket);
                    return woke;
                }
            }
            // A wakeup meant for an earlier wait of this thread may end this park early; the
            // loop looks again.
            thread::park();
        }
    }

    /// How the wait of `ticket` has ended (taking a token if notified that way), or `None` to
    /// keep waiting. A fired timer wins over a notification (whose token stays for another
    /// waiter), and a notification over a spurious wakeup.
    fn served(
        st: &mut WaitState,
        ticket: u64,
        timer: Option<u64>,
        spurious: Option<u64>,
    ) -> Option<Woke> {
        let fired =
            |st: &WaitState, t: Option<u64>| t.is_some_and(|id| st.timers.contains(&(id, true)));
        if fired(st, timer) {
            return Some(Woke::TimedOut);
        }
        if ticket < st.woken_below {
            return Some(Woke::Notified);
        }
        // Take the earliest token this ticket is eligible for.
        let eligible = st
            .tokens
            .iter()
            .enumerate()
            .filter(|&(_, &k)| ticket < k)
            .min_by_key(|&(_, &k)| k)
            .map(|(i, _)| i);
        match eligible {
            Some(i) => {
                st.tokens.swap_remove(i);
                Some(Woke::Notified)
            }
            None => fired(st, spurious).then_some(Woke::Spuriously),
        }
    }

    pub(super) fn notify_one(&self) {
        let wake: Vec<Thread> = {
            let mut st = lock(&self.state);
            if st.tokens.len() >= st.unserved().count() {
                return;
            }
            let k = st.next_ticket;
            st.tokens.push(k);
            // Every waiter re-checks; the checker decides which one takes the token.
            st.unserved().map(|w| w.thread.clone()).collect()
        };
        wake.iter().for_each(Thread::unpark);
    }

    pub(super) fn notify_all(&self) {
        let wake: Vec<Thread> = {
            let mut st = lock(&self.state);
            let wake: Vec<Thread> = st.unserved().map(|w| w.thread.clone()).collect();
            st.woken_below = st.next_ticket;
            st.tokens.clear();
            wake
        };
        wake.iter().for_each(Thread::unpark);
    }

    fn fire(&self, id: u64) {
        let wake = {
            let mut st = lock(&self.state);
            let Some(timer) = st.timers.iter_mut().find(|(t, _)| *t == id) else {
                return; // disarmed meanwhile: its waiter was woken and has left
            };
            timer.1 = true;
            // The waiter may not be waiting yet: it then sees the flag before it parks.
            let waiter = st
                .waiting
                .iter()
                .find(|w| w.timer == Some(id) || w.spurious == Some(id));
            waiter.map(|w| w.thread.clone())
        };
        if let Some(t) = wake {
            t.unpark();
        }
    }
}

/// What firing a timer does.
enum Target {
    /// Ends its waiter's wait on this list (timed out, or spuriously).
    List(Arc<WaitList>),
    /// Unparks this thread (a spurious return from `park`).
    Unpark(Thread),
}

struct Timer {
    id: u64,
    deadline: Duration,
    target: Target,
    /// For a spurious timer, the thread it would wake ([`token`](super::thread::token)): it
    /// fires only while that thread's budget lasts.
    spurious: Option<usize>,
}

/// Spurious wakeups per thread and execution unless told otherwise: 1 under shuttle, whose
/// random and PCT schedules pay nothing for it; 0 under loom, where the clock thread that fires them joins
/// every model that waits and multiplies its executions (the casebook's fixed variants: 9-10x
/// on the small ones, `missing-sentinel` 924 -> 8,195; over 40x on `forgotten-task-done`,
/// 6,769 executions in 5.6 s without, unfinished after 4 minutes with). Ask for them there.
const DEFAULT_SPURIOUS: u32 = if cfg!(loom) { 0 } else { 1 };

std::thread_local! {
    /// `set_spurious_wakeups`'s value: a std thread-local of the OS thread that runs the
    /// models (loom and shuttle run every model thread on the thread that called them).
    static BUDGET_HERE: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// Sets how many spurious wakeups may fire per thread and execution in models run from this OS
/// thread.
pub(super) fn set_spurious_budget(per_execution: u32) {
    BUDGET_HERE.with(|b| b.set(Some(per_execution)));
}

/// Runs `f` with `per_execution` as this OS thread's budget, then puts back what was set before.
#[cfg(not(loom))] // for the casebook's shuttle exploration
pub(crate) fn with_spurious_budget<R>(per_execution: u32, f: impl FnOnce() -> R) -> R {
    let before = BUDGET_HERE.with(|b| b.replace(Some(per_execution)));
    let out = f();
    BUDGET_HERE.with(|b| b.set(before));
    out
}

/// How many spurious wakeups may fire per thread and execution: what `set_spurious_wakeups`
/// set on this OS thread, else `VERISYNC_SPURIOUS` if it holds a number, else [`DEFAULT_SPURIOUS`].
pub(crate) fn spurious_budget() -> u32 {
    if let Some(n) = BUDGET_HERE.with(std::cell::Cell::get) {
        return n;
    }
    static BUDGET: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *BUDGET.get_or_init(|| {
        std::env::var("VERISYNC_SPURIOUS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_SPURIOUS)
    })
}

#[derive(Default)]
struct ClockState {
    now: Duration,
    next_id: u64,
    pending: Vec<Timer>,
    /// Whether the clock thread has been spawned.
    started: bool,
    /// The clock thread, once it runs (it records itself before it can first be idle).
    thread: Option<Thread>,
    /// The clock thread is parked (or about to park) with nothing pending.
    idle: bool,
    /// The model's closure has returned: the clock thread exits once idle.
    done: bool,
    /// Spurious wakeups fired in this execution, by thread token.
    spurious_fired: Vec<(usize, u32)>,
}

impl ClockState {
    /// Whether `thread` may still be woken spuriously in this execution.
    fn spurious_left(&self, thread: usize) -> bool {
        let fired = self.spurious_fired.iter().find(|(t, _)| *t == thread);
        fired.map_or(0, |&(_, n)| n) < spurious_budget()
    }

    fn spent_spurious(&mut self, thread: usize) {
        match self.spurious_fired.iter_mut().find(|(t, _)| *t == thread) {
            Some((_, n)) => *n += 1,
            None => self.spurious_fired.push((thread, 1)),
        }
    }
}

/// The per-execution clock (see the module docs).
struct Clock(Arc<Mutex<ClockState>>);

impl Drop for Clock {
    fn drop(&mut self) {
        // loom drops its statics when the model's closure returns, on the main thread: tell the
        // lingering clock thread to finish, since loom wants every thread finished.
        // A failing model's statics are dropped outside the model, where nothing of the checker
        // may be touched.
        #[cfg(loom)]
        if !super::abandoned() {
            let thread = {
                let mut clock = lock(&self.0);
                clock.done = true;
                clock.thread.clone()
            };
            if let Some(t) = thread {
                t.unpark();
            }
        }
    }
}

super::backend::lazy_static! {
    // One clock per execution: the checker resets its statics between executions.
    static ref CLOCK: Clock = Clock(Arc::new(Mutex::new(ClockState::default())));
}

/// Arms a timer `timeout` from now on `list`; `None` if the deadline is past the clock's range
/// (such a wait never times out). Starts the clock thread if there is none yet.
pub(super) fn arm(list: &Arc<WaitList>, timeout: Duration) -> Option<u64> {
    arm_timer(Some(timeout), Target::List(Arc::clone(list)))
}

/// Arms a spurious timer for the next wait on `list` (the clock may fire it at any point, and
/// its waiter returns though nobody notified it); `None` once this execution's budget of
/// spurious wakeups is spent.
pub(super) fn arm_spurious(list: &Arc<WaitList>) -> Option<u64> {
    arm_timer(None, Target::List(Arc::clone(list)))
}

/// Arms a spurious unpark of the current thread, for a `park` about to start; `None` once this
/// execution's budget of spurious wakeups is spent.
pub(super) fn arm_spurious_unpark() -> Option<u64> {
    arm_timer(None, Target::Unpark(thread::current()))
}

/// Arms a timer: at `timeout` from now, or a spurious one (no deadline: fired before any
/// later timer, at whatever point the checker runs the clock).
fn arm_timer(timeout: Option<Duration>, target: Target) -> Option<u64> {
    // With no budget, nothing of the model is touched: not even the clock's lock, whose every
    // acquisition is a step the checker would explore.
    if timeout.is_none() && spurious_budget() == 0 {
        return None;
    }
    let shared = Arc::clone(&CLOCK.0);
    // A spurious timer is armed by the thread it would wake.
    let spurious = timeout.is_none().then(super::thread::token);
    let (id, start, wake) = {
        let mut clock = lock(&shared);
        if spurious.is_some_and(|t| !clock.spurious_left(t)) {
            return None;
        }
        let deadline = clock.now.checked_add(timeout.unwrap_or(Duration::ZERO))?;
        let id = clock.next_id;
        clock.next_id += 1;
        if let Target::List(list) = &target {
            lock(&list.state).timers.push((id, false));
        }
        clock.pending.push(Timer {
            id,
            deadline,
            target,
            spurious,
        });
        let start = !std::mem::replace(&mut clock.started, true);
        // The clock records itself before it can first be idle, so an idle clock has a handle.
        let wake = if std::mem::take(&mut clock.idle) {
            clock.thread.clone()
        } else {
            None
        };
        (id, start, wake)
    };
    if start {
        let clock = Arc::clone(&shared);
        drop(thread::spawn(move || run_clock(&clock)));
    }
    if let Some(t) = wake {
        t.unpark();
    }
    Some(id)
}

/// Forgets timer `id` of `list`, fired or not.
pub(super) fn disarm(list: &WaitList, id: u64) {
    lock(&CLOCK.0).pending.retain(|t| t.id != id);
    lock(&list.state).timers.retain(|&(t, _)| t != id);
}

/// Forgets the spurious unpark `id`, fired or not.
pub(super) fn disarm_unpark(id: u64) {
    lock(&CLOCK.0).pending.retain(|t| t.id != id);
}

/// Whether an idle clock thread parks until the model's closure returns (loom: it counts every
/// thread ever started against its limit of 5, so one clock must serve the whole execution) or
/// exits at once (shuttle: it has no such limit, but wants every thread finished when the
/// model's closure returns, and drops its statics only afterwards).
const LINGER: bool = cfg!(loom);

/// The clock thread: fires pending timers earliest first; parks while none is pending.
fn run_clock(shared: &Mutex<ClockState>) {
    lock(shared).thread = Some(thread::current());
    loop {
        let next = {
            let mut clock = lock(shared);
            let earliest = (0..clock.pending.len()).min_by_key(|&i| clock.pending[i].deadline);
            match earliest {
                Some(i) => {
                    let timer = clock.pending.swap_remove(i);
                    clock.now = clock.now.max(timer.deadline);
                    // A spurious timer is armed only while its thread's budget lasts, and a
                    // thread has one at a time (armed as a wait begins, disarmed as it ends).
                    if let Some(t) = timer.spurious {
                        clock.spent_spurious(t);
                    }
                    Some(timer)
                }
                None if clock.done || !LINGER => {
                    // A later timed wait starts another clock (under shuttle only).
                    clock.started = false;
                    clock.thread = None;
                    return;
                }
                None => {
                    clock.idle = true;
                    None
                }
            }
        };
        match next {
            Some(Timer {
                target: Target::List(list),
                id,
                ..
            }) => list.fire(id),
            Some(Timer {
                target: Target::Unpark(t),
                ..
            }) => t.unpark(),
            // An unpark meant for an earlier park may end this one early; the loop looks again.
            None => thread::park(),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    //! The wait list's bookkeeping, inside one shuttle execution (a waiter holds its thread's
    //! handle, which only a model thread has).
    use super::*;

    /// A list's state with waiters of tickets `waiting` and tokens `tokens`.
    fn state(waiting: &[u64], tokens: &[u64]) -> WaitState {
        WaitState {
            waiting: waiting
                .iter()
                .map(|&ticket| Waiter {
                    ticket,
                    thread: thread::current(),
                    timer: None,
                    spurious: None,
                })
                .collect(),
            tokens: tokens.to_vec(),
            ..WaitState::default()
        }
    }

    fn tickets(st: &WaitState) -> Vec<u64> {
        st.waiting.iter().map(|w| w.ticket).collect()
    }

    #[test]
    fn a_waiter_that_leaves_takes_with_it_the_tokens_only_it_could_take() {
        shuttle::check_random(
            || {
                // Token 1 was sent while only ticket 0 waited; token 3 while 0, 1 and 2 did.
                let mut st = state(&[0, 1, 2], &[1, 3]);
                st.leave(0);
                assert_eq!((tickets(&st), st.tokens.clone()), (vec![1, 2], vec![3]));
                st.leave(2);
                assert_eq!((tickets(&st), st.tokens.clone()), (vec![1], vec![3]));
                st.leave(1);
                assert_eq!((tickets(&st), st.tokens.clone()), (vec![], vec![]));
            },
            1,
        );
    }

    #[test]
    fn a_token_is_taken_only_by_a_ticket_that_waited_when_it_was_sent() {
        shuttle::check_random(
            || {
                // Ticket 1 arrived after token 1 was sent (`notify_one` with only ticket 0
                // waiting): it may not take it; ticket 0 may.
                let mut st = state(&[0, 1], &[1]);
                assert_eq!(WaitList::served(&mut st, 1, None, None), None);
                assert_eq!(st.tokens, vec![1]);
                assert_eq!(
                    WaitList::served(&mut st, 0, None, None),
                    Some(Woke::Notified)
                );
                assert_eq!(st.tokens, vec![]);
            },
            1,
        );
    }

    #[test]
    fn firing_a_timer_marks_that_timer_only() {
        shuttle::check_random(
            || {
                let list = WaitList::new();
                lock(&list.state).timers = vec![(4, false), (5, false), (6, false)];
                list.fire(5);
                assert_eq!(
                    lock(&list.state).timers,
                    vec![(4, false), (5, true), (6, false)]
                );
                list.fire(7); // disarmed meanwhile: nothing to mark
                assert_eq!(
                    lock(&list.state).timers,
                    vec![(4, false), (5, true), (6, false)]
                );
            },
            1,
        );
    }
}
