//! The notes' concurrency bugs as runnable cases.
//!
//! A [`Case`] is one scenario written once against the [`sync`](crate::sync) facade, in a
//! broken variant and one or more fixed ones. The same function runs under every backend: loom
//! explores it exhaustively, shuttle under random and PCT schedules, std runs it for real. For a
//! broken variant the tests assert that each checker finds the failure and of which kind
//! ([`FailureKind`]); for a fixed one, that none does.
//!
//! A variant signals a failure by panicking with the outcome a learner should read
//! (`balance 1, expected 2`); a deadlock is the checker's to find. Each step worth showing is
//! recorded with [`check::trace::event`](crate::check::trace::event), so that a failing
//! interleaving prints as a table. Exploring and replaying a variant under shuttle
//! (`Case::explore` and `Case::replay`, with the `shuttle` feature) are the
//! [`check`](crate::check) module's, under the scenario name `case/variant`.
//!
//! ```
//! let case = verisync::casebook::find("lost-update").unwrap();
//! assert!(case.variants.iter().any(|v| v.expect.is_some()));
//! assert!(case.variants.iter().any(|v| v.expect.is_none()));
//! ```

use crate::check::FailureKind;

mod check_then_act;
mod empty_then_get;
mod forgotten_task_done;
mod join_before_close;
mod lock_order;
mod lost_update;
mod lost_wakeup;
mod missing_sentinel;
mod non_linearizable_queue;
mod over_release;
mod self_deadlock;
mod self_transfer;
mod timer_cancel_race;

/// What a model's deadlock report must say for the casebook's three lock deadlocks: the case,
/// then the pieces of the report's first line (`loom_tests/casebook.rs` and
/// `tests/shuttle_casebook.rs` assert them).
///
/// ```
/// let (case, parts) = verisync::casebook::LOCK_CYCLES[0];
/// assert_eq!(case, "lock-order-deadlock");
/// assert!(parts[0].contains("holds `a` and waits for `b`"));
/// ```
pub const LOCK_CYCLES: [(&str, &[&str]); 3] = [
    (
        "lock-order-deadlock",
        &[
            "T1 holds `a` and waits for `b`",
            "T2 holds `b` and waits for `a`",
        ],
    ),
    (
        "self-deadlock",
        &[
            "T1 holds the Mutex made at src/casebook/self_deadlock.rs:",
            "which it holds itself",
        ],
    ),
    (
        "self-transfer",
        &[
            "T1 holds the Mutex made at src/casebook/self_transfer.rs:",
            "which it holds itself",
        ],
    ),
];

/// One variant of a case: a function that runs the scenario once.
#[derive(Clone, Copy, Debug)]
pub struct Variant {
    /// `broken`, `fixed`, or `broken-…` / `fixed-…` where a case has several bugs or fixes.
    pub name: &'static str,
    /// What this variant does, in one line.
    pub describe: &'static str,
    /// `Some(kind)` for a broken variant (a checker must find this), `None` for a fixed one.
    /// In the casebook a [`FailureKind::Panic`] is always a race's outcome: the variant's own
    /// invariant check failing.
    pub expect: Option<FailureKind>,
    /// Runs one execution against the facade; panics with the outcome when the invariant fails.
    pub run: fn(),
    /// The spurious wakeups per thread and execution that every checker explores this variant
    /// with ([`set_spurious_wakeups`](crate::sync::set_spurious_wakeups)), the same under loom
    /// and shuttle so that both judge one model: 0 except where the lesson is about them.
    pub spurious: u32,
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

impl Case {
    /// The variant called `name`.
    ///
    /// ```
    /// let case = verisync::casebook::find("lock-order-deadlock").unwrap();
    /// assert!(case.variant("fixed-timeout").is_some());
    /// assert!(case.variant("fixed").is_none());
    /// ```
    pub fn variant(&self, name: &str) -> Option<&'static Variant> {
        self.variants.iter().find(|v| v.name == name)
    }

    /// The scenario name of `variant` (`lost-update/broken`): what its replay tokens are bound to.
    ///
    /// ```
    /// let case = verisync::casebook::find("lost-update").unwrap();
    /// assert_eq!(case.scenario(&case.variants[0]), "lost-update/broken");
    /// ```
    pub fn scenario(&self, variant: &Variant) -> String {
        format!("{}/{}", self.name, variant.name)
    }
}

#[cfg(all(feature = "shuttle", not(loom)))]
impl Case {
    /// Explores `variant` (one of this case's) under shuttle with `scheduler`, for at most
    /// `max_schedules` schedules, stopping at the first failure:
    /// [`check::explore`](crate::check::explore) under the
    /// variant's [scenario name](Case::scenario).
    ///
    /// ```
    /// use verisync::casebook::find;
    /// use verisync::check::{FailureKind, Scheduler};
    ///
    /// let case = find("lost-update").unwrap();
    /// let report = case.explore(&case.variants[0], Scheduler::Random { seed: 1 }, 1000);
    /// assert_eq!(report.kind(), Some(FailureKind::Panic));
    /// assert!(!report.trace.is_empty());
    /// ```
    pub fn explore(
        &self,
        variant: &Variant,
        scheduler: crate::check::Scheduler,
        max_schedules: usize,
    ) -> crate::check::Report {
        crate::sync::with_spurious_wakeups(variant.spurious, || {
            crate::check::explore(
                &self.scenario(variant),
                scheduler,
                max_schedules,
                variant.run,
            )
        })
    }

    /// Runs the one schedule that `token` (from [`Case::explore`]'s report) encodes:
    /// [`check::replay`](crate::check::replay) under the variant's
    /// [scenario name](Case::scenario).
    ///
    /// # Errors
    ///
    /// A [`ReplayError`](crate::check::ReplayError) when the token does not decode, belongs to
    /// another case or variant, or no longer fits the variant.
    ///
    /// ```
    /// use verisync::casebook::find;
    /// use verisync::check::{ReplayError, Scheduler};
    ///
    /// let case = find("check-then-act").unwrap();
    /// let (broken, fixed) = (&case.variants[0], &case.variants[1]);
    /// let found = case.explore(broken, Scheduler::Pct { seed: 3, depth: 3 }, 1000);
    /// let token = found.replay.as_deref().unwrap();
    /// let again = case.replay(broken, token).unwrap();
    /// assert_eq!(again.failure, found.failure);
    /// assert_eq!(again.trace, found.trace);
    /// assert!(matches!(case.replay(fixed, token), Err(ReplayError::Mismatch { .. })));
    /// ```
    pub fn replay(
        &self,
        variant: &Variant,
        token: &str,
    ) -> Result<crate::check::Report, crate::check::ReplayError> {
        crate::sync::with_spurious_wakeups(variant.spurious, || {
            crate::check::replay(&self.scenario(variant), token, variant.run)
        })
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
        timer_cancel_race::CASE,
        join_before_close::CASE,
        lost_wakeup::CASE,
        non_linearizable_queue::CASE,
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
