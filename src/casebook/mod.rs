//! The notes' concurrency bugs as runnable cases.
//!
//! A [`Case`] is one scenario written once against the [`sync`](crate::sync) facade, in a
//! broken variant and one or more fixed ones. The same function runs under every backend: loom
//! explores it exhaustively, shuttle under random and PCT schedules, std runs it for real. For a
//! broken variant the tests assert that each checker finds the failure and of which kind
//! ([`Failure`]); for a fixed one, that none does.
//!
//! A variant signals a failure by panicking with the outcome a learner should read
//! (`balance 1, expected 2`); a deadlock is the checker's to find. Each step worth showing is
//! recorded with [`trace::event`], so that a failing interleaving prints as a table.
//!
//! ```
//! let case = verisync::casebook::find("lost-update").unwrap();
//! assert!(case.variants.iter().any(|v| v.expect.is_some()));
//! assert!(case.variants.iter().any(|v| v.expect.is_none()));
//! ```

pub mod trace;

mod check_then_act;
mod empty_then_get;
mod forgotten_task_done;
mod lock_order;
mod lost_update;
mod missing_sentinel;
mod over_release;
mod self_deadlock;
mod self_transfer;

/// How a broken variant goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Failure {
    /// An invariant is violated (the variant's assertion panics): a lost update, an oversell.
    Race,
    /// Every thread waits for another and none can move.
    Deadlock,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Failure::Race => "race",
            Failure::Deadlock => "deadlock",
        })
    }
}

/// One variant of a case: a function that runs the scenario once.
#[derive(Clone, Copy, Debug)]
pub struct Variant {
    /// `broken`, `fixed`, or `fixed-…` where a case has several fixes.
    pub name: &'static str,
    /// What this variant does, in one line.
    pub describe: &'static str,
    /// `Some(kind)` for a broken variant (a checker must find this), `None` for a fixed one.
    pub expect: Option<Failure>,
    /// Runs one execution against the facade; panics with the outcome when the invariant fails.
    pub run: fn(),
}

/// A bug from the notes, with its variants.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// The case's name on the command line (`lost-update`).
    pub name: &'static str,
    /// Where in the notes it comes from.
    pub notes: &'static str,
    /// The lesson, in one line.
    pub lesson: &'static str,
    /// The broken variant first, then the fixes.
    pub variants: &'static [Variant],
}

#[cfg(all(feature = "shuttle", not(loom)))]
impl Variant {
    /// Explores this variant under shuttle with `scheduler`, for at most `max_schedules`
    /// schedules, stopping at the first failure. Returns the report and the failing
    /// interleaving's [`trace`] (empty when clean).
    ///
    /// ```
    /// use verisync::casebook::find;
    /// use verisync::sync::explore::{Scheduler, Verdict};
    ///
    /// let broken = find("lost-update").unwrap().variants[0];
    /// let (report, trace) = broken.explore(Scheduler::Random { seed: 1 }, 1000);
    /// assert!(matches!(report.verdict, Verdict::Panicked(_)));
    /// assert!(!trace.is_empty());
    /// ```
    pub fn explore(
        &self,
        scheduler: crate::sync::explore::Scheduler,
        max_schedules: usize,
    ) -> (crate::sync::explore::Report, Vec<trace::Event>) {
        let run = self.run;
        let report = crate::sync::explore::explore(
            move || {
                trace::start();
                run()
            },
            scheduler,
            max_schedules,
        );
        (report, trace::take())
    }

    /// Runs the one schedule that `token` (from [`Variant::explore`]'s report) encodes.
    ///
    /// ```
    /// use verisync::casebook::find;
    /// use verisync::sync::explore::Scheduler;
    ///
    /// let broken = find("check-then-act").unwrap().variants[0];
    /// let (found, trace) = broken.explore(Scheduler::Pct { seed: 3, depth: 3 }, 1000);
    /// let (again, retrace) = broken.replay(found.replay.as_deref().unwrap());
    /// assert_eq!(again.verdict, found.verdict);
    /// assert_eq!(retrace, trace);
    /// ```
    pub fn replay(&self, token: &str) -> (crate::sync::explore::Report, Vec<trace::Event>) {
        let run = self.run;
        let report = crate::sync::explore::replay(
            move || {
                trace::start();
                run()
            },
            token,
        );
        (report, trace::take())
    }

    /// The kind of failure a shuttle verdict is, if any.
    ///
    /// ```
    /// use verisync::casebook::{Failure, Variant};
    /// use verisync::sync::explore::Verdict;
    /// assert_eq!(Variant::classify(&Verdict::Deadlock("x".into())), Some(Failure::Deadlock));
    /// assert_eq!(Variant::classify(&Verdict::Clean), None);
    /// ```
    pub fn classify(verdict: &crate::sync::explore::Verdict) -> Option<Failure> {
        use crate::sync::explore::Verdict;
        match verdict {
            Verdict::Clean => None,
            Verdict::Panicked(_) => Some(Failure::Race),
            Verdict::Deadlock(_) => Some(Failure::Deadlock),
        }
    }
}

/// Every case, in the order the explorer shows them.
///
/// ```
/// let names: Vec<_> = verisync::casebook::cases().iter().map(|c| c.name).collect();
/// assert!(names.contains(&"lock-order-deadlock"));
/// ```
pub fn cases() -> &'static [Case] {
    const CASES: &[Case] = &[
        lost_update::CASE,
        check_then_act::CASE,
        lock_order::CASE,
        self_deadlock::CASE,
        self_transfer::CASE,
        over_release::CASE,
        missing_sentinel::CASE,
        empty_then_get::CASE,
        forgotten_task_done::CASE,
    ];
    CASES
}

/// The case called `name`.
///
/// ```
/// assert!(verisync::casebook::find("self-transfer").is_some());
/// assert!(verisync::casebook::find("no-such-case").is_none());
/// ```
pub fn find(name: &str) -> Option<&'static Case> {
    cases().iter().find(|c| c.name == name)
}
