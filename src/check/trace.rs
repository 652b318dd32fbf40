//! What each thread of a scenario did, in the order a checker ran it.
//!
//! A scenario calls [`event`] at each step a reader should see (`T1 reads 0`). Under loom and
//! shuttle every model thread runs on the one OS thread that drives the checker, so a
//! thread-local log holds exactly one execution's interleaving, in order; the driver
//! (`check::explore` and `check::replay`, with the `shuttle` feature) calls
//! [`start`] before each execution and [`take`] after the run, into its
//! [`Report`](super::Report). In the std build each OS thread keeps its own fragment, which
//! nobody reads.

use std::cell::RefCell;
use std::fmt::Write as _;

/// One step of one thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The thread's number in the case (1 for `T1`).
    pub thread: usize,
    /// What it did, in the learner's words (`reads 0`).
    pub what: String,
}

thread_local! {
    static LOG: RefCell<Vec<Event>> = const { RefCell::new(Vec::new()) };
}

/// Clears the log: the next events belong to a new execution.
///
/// ```
/// use verisync::check::trace;
/// trace::event(1, "reads 0");
/// trace::start();
/// assert!(trace::take().is_empty());
/// ```
pub fn start() {
    LOG.with(|l| l.borrow_mut().clear());
    super::blocked::reset();
}

/// Records that thread `thread` did `what`.
///
/// ```
/// use verisync::check::trace;
/// trace::start();
/// trace::event(2, format!("writes {}", 1));
/// assert_eq!(trace::take()[0].what, "writes 1");
/// ```
pub fn event(thread: usize, what: impl Into<String>) {
    let what = what.into();
    super::blocked::label(thread);
    LOG.with(|l| l.borrow_mut().push(Event { thread, what }));
}

/// Takes the events recorded since [`start`].
///
/// ```
/// use verisync::check::trace;
/// trace::start();
/// trace::event(1, "locks a");
/// assert_eq!(trace::take().len(), 1);
/// assert!(trace::take().is_empty());
/// ```
pub fn take() -> Vec<Event> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// The interleaving on one line: `T1 reads 0 | T2 reads 0 | T1 writes 1 → balance 1, expected 2`.
///
/// ```
/// use verisync::check::trace::{line, Event};
/// let ev = vec![
///     Event { thread: 1, what: "reads 0".into() },
///     Event { thread: 2, what: "reads 0".into() },
/// ];
/// assert_eq!(line(&ev, "lost"), "T1 reads 0 | T2 reads 0 → lost");
/// ```
pub fn line(events: &[Event], outcome: &str) -> String {
    let steps: Vec<String> = events
        .iter()
        .map(|e| format!("T{} {}", e.thread, e.what))
        .collect();
    format!("{} → {}", steps.join(" | "), outcome)
}

/// The interleaving as a table with one column per thread and one row per step, time running
/// down, followed by the outcome.
///
/// ```
/// use verisync::check::trace::{table, Event};
/// let ev = vec![
///     Event { thread: 1, what: "reads 0".into() },
///     Event { thread: 2, what: "reads 0".into() },
/// ];
/// let t = table(&ev, "balance 1, expected 2");
/// assert!(t.contains("T1"));
/// assert!(t.lines().last().unwrap().contains("balance 1, expected 2"));
/// ```
pub fn table(events: &[Event], outcome: &str) -> String {
    let threads = events.iter().map(|e| e.thread).max().unwrap_or(0);
    let width = events
        .iter()
        .map(|e| e.what.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = String::new();
    let header: Vec<String> = (1..=threads)
        .map(|t| format!("{:<width$}", format!("T{t}")))
        .collect();
    let _ = writeln!(out, "  {}", header.join(" | ").trim_end());
    let rule: Vec<String> = (1..=threads).map(|_| "-".repeat(width)).collect();
    let _ = writeln!(out, "  {}", rule.join("-+-"));
    for e in events {
        let cells: Vec<String> = (1..=threads)
            .map(|t| {
                let text = if t == e.thread { e.what.as_str() } else { "" };
                format!("{text:<width$}")
            })
            .collect();
        let _ = writeln!(out, "  {}", cells.join(" | ").trim_end());
    }
    let _ = write!(out, "  → {outcome}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(thread: usize, what: &str) -> Event {
        Event {
            thread,
            what: what.into(),
        }
    }

    #[test]
    fn the_log_keeps_this_threads_events_in_order_until_taken_or_restarted() {
        start();
        event(1, "reads 0");
        event(2, String::from("reads 0"));
        assert_eq!(take(), [ev(1, "reads 0"), ev(2, "reads 0")]);
        assert!(take().is_empty(), "take empties the log");
        event(1, "locks a");
        start();
        event(2, "locks b");
        assert_eq!(
            take(),
            [ev(2, "locks b")],
            "start drops the last execution's events"
        );
    }

    #[test]
    fn a_line_and_a_table_show_every_step_in_order_and_the_outcome() {
        let events = [ev(1, "reads 0"), ev(2, "reads 0"), ev(1, "writes 1")];
        assert_eq!(
            line(&events, "balance 1"),
            "T1 reads 0 | T2 reads 0 | T1 writes 1 → balance 1"
        );
        let table_lines = [
            "  T1       | T2",
            "  ---------+---------",
            "  reads 0  |",
            "           | reads 0",
            "  writes 1 |",
            "  → balance 1",
        ];
        assert_eq!(table(&events, "balance 1"), table_lines.join("\n"));
        // Columns are at least four wide, and a thread that did nothing keeps its column.
        assert_eq!(
            table(&[ev(2, "ok")], "done"),
            ["  T1   | T2", "  -----+-----", "       | ok", "  → done"].join("\n")
        );
        assert_eq!(table(&[], "nothing"), "  \n  \n  → nothing");
    }
}
