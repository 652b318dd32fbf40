//! Superseded by [`crate::check`]: the shuttle driver moved there. This shim keeps the old
//! `explore(f, scheduler, n)` and its `Verdict` for the test files that still call them
//! (`tests/shuttle_facade.rs`, `tests/shuttle_reentrant.rs`) and goes once they move to
//! [`check::explore`](crate::check::explore) and [`Report::failure`](crate::check::Report).
//! It has no `replay`: use [`check::replay`](crate::check::replay), which refuses a bad token.

use crate::check::FailureKind;
pub use crate::check::Scheduler;

use std::time::Duration;

/// What an exploration found (superseded by [`check::Failure`](crate::check::Failure)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every schedule ran to the end without a panic or a deadlock.
    Clean,
    /// A schedule panicked (an assertion failed); the panic's message.
    Panicked(String),
    /// A schedule deadlocked: every live thread was blocked; shuttle's description.
    Deadlock(String),
}

/// The result of [`explore`] (superseded by [`check::Report`](crate::check::Report)).
#[derive(Clone, Debug)]
pub struct Report {
    /// What was found.
    pub verdict: Verdict,
    /// How many schedules ran, the failing one included.
    pub schedules: usize,
    /// Wall time of the whole exploration.
    pub elapsed: Duration,
    /// For a failure, the token that `check::replay` takes (under the scenario name `""`).
    pub replay: Option<String>,
}

/// [`check::explore`](crate::check::explore) under the scenario name `""`, with the old report.
///
/// ```
/// use verisync::sync::explore::{explore, Scheduler, Verdict};
/// let report = explore(|| assert_eq!(1 + 1, 2), Scheduler::Random { seed: 1 }, 10);
/// assert_eq!(report.verdict, Verdict::Clean);
/// ```
pub fn explore<F>(f: F, scheduler: Scheduler, max_schedules: usize) -> Report
where
    F: Fn() + Send + Sync + 'static,
{
    let report = crate::check::explore("", scheduler, max_schedules, f);
    let verdict = match report.failure {
        None => Verdict::Clean,
        Some(f) if f.kind == FailureKind::Deadlock => Verdict::Deadlock(f.message),
        Some(f) => Verdict::Panicked(f.message),
    };
    Report {
        verdict,
        schedules: report.schedules,
        elapsed: report.elapsed,
        replay: report.replay,
    }
}
