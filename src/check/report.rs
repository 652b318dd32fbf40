//! The one vocabulary for what a run found: [`FailureKind`], [`Failure`], [`Report`].

use std::fmt;
use std::time::Duration;

use super::trace::Event;

/// What kind of failure a run found, or a broken scenario is expected to show.
///
/// ```
/// use verisync::check::FailureKind;
/// assert_eq!(FailureKind::Deadlock.to_string(), "deadlock");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// A thread panicked: an assertion or an invariant check failed (a lost update, an oversell).
    Panic,
    /// Every live thread was blocked waiting for another and none could move.
    Deadlock,
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureKind::Panic => "panic",
            FailureKind::Deadlock => "deadlock",
        })
    }
}

/// A failure a run found: its kind and the checker's message.
///
/// For a [`FailureKind::Panic`] the message is the panic's (`balance 1, expected 2`); for a
/// [`FailureKind::Deadlock`] found under a model, what verisync's types recorded of the blocked
/// threads ("T1 holds `a` and waits for `b`; T2 holds `b` and waits for `a`") and then the
/// checker's own description.
///
/// ```
/// use verisync::check::{Failure, FailureKind};
/// let f = Failure::new(FailureKind::Panic, "total 19, expected 20\nmore detail");
/// assert_eq!(f.headline(), "total 19, expected 20");
/// assert_eq!(f.to_string(), "panic: total 19, expected 20");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// Which kind of failure.
    pub kind: FailureKind,
    /// What the panic or the checker said.
    pub message: String,
}

impl Failure {
    /// A failure of `kind` with `message`.
    ///
    /// ```
    /// use verisync::check::{Failure, FailureKind};
    /// assert_eq!(Failure::new(FailureKind::Deadlock, "stuck").message, "stuck");
    /// ```
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// The failure a checker's panic carries: a deadlock when the checker says so (loom and
    /// shuttle both start their report with "deadlock"), otherwise the scenario's own panic.
    ///
    /// ```
    /// use verisync::check::{Failure, FailureKind};
    /// let stuck = std::panic::catch_unwind(|| panic!("deadlock; threads = [..]")).unwrap_err();
    /// assert_eq!(Failure::from_panic(stuck).kind, FailureKind::Deadlock);
    /// let lost = std::panic::catch_unwind(|| panic!("balance {}", 1)).unwrap_err();
    /// assert_eq!(Failure::from_panic(lost), Failure::new(FailureKind::Panic, "balance 1"));
    /// ```
    pub fn from_panic(payload: Box<dyn std::any::Any + Send>) -> Failure {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic with a non-string payload".to_owned());
        if !message.starts_with("deadlock") {
            return Failure::new(FailureKind::Panic, message);
        }
        // Under a model, verisync's types recorded who holds and waits for what: the cycle
        // goes first, the checker's own words after it.
        match super::blocked::describe() {
            Some(cycle) => Failure::new(FailureKind::Deadlock, format!("{cycle}\n{message}")),
            None => Failure::new(FailureKind::Deadlock, message),
        }
    }

    /// The first line of the message.
    ///
    /// ```
    /// use verisync::check::{Failure, FailureKind};
    /// assert_eq!(Failure::new(FailureKind::Panic, "a\nb").headline(), "a");
    /// ```
    pub fn headline(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.headline())
    }
}

/// Everything one exploration or replay of a scenario produced.
///
/// An exploration stops at its first failure, so `schedules` counts the failing one; a clean one
/// ran all its schedules. The explorer binary only prints this value.
///
/// ```
/// use verisync::check::{FailureKind, Report};
///
/// fn summary(report: &Report) -> String {
///     match &report.failure {
///         None => format!("clean after {} schedules", report.schedules),
///         Some(f) => format!("{} at schedule {}", f.kind, report.schedules),
///     }
/// }
/// # let _ = summary;
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Report {
    /// What went wrong, or `None` when every schedule ran clean.
    pub failure: Option<Failure>,
    /// How many schedules ran, the failing one included: under loom every execution of every
    /// bound tried (the lower bounds that find the failure's fewest preemptions included), under
    /// shuttle the schedules explored up to the failing one (the runs that minimise it are not
    /// counted), in std the iterations.
    pub schedules: usize,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// For a failure, the [`Token`](super::Token) (as text) that replays the failing schedule.
    pub replay: Option<String>,
    /// The failing execution's steps, as the scenario recorded them with
    /// [`trace::event`](super::trace::event); empty when clean.
    pub trace: Vec<Event>,
    /// The preemptions in the reported schedule, where the checker knows it is the fewest that
    /// shows this failure: shuttle's reports are minimised (every schedule with fewer
    /// preemptions was tried), loom's are found by raising the bound from 0. `None` when clean,
    /// in std, or when minimising ran out of budget.
    pub preemptions: Option<usize>,
}

impl Report {
    /// The kind of the failure found, if any.
    ///
    /// ```
    /// use verisync::check::Report;
    /// fn found_deadlock(r: &Report) -> bool {
    ///     r.kind() == Some(verisync::check::FailureKind::Deadlock)
    /// }
    /// # let _ = found_deadlock;
    /// ```
    pub fn kind(&self) -> Option<FailureKind> {
        self.failure.as_ref().map(|f| f.kind)
    }

    /// `true` when no failure was found.
    ///
    /// ```
    /// use verisync::check::Report;
    /// fn passed(r: &Report) -> bool {
    ///     r.is_clean()
    /// }
    /// # let _ = passed;
    /// ```
    pub fn is_clean(&self) -> bool {
        self.failure.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(failure: Option<Failure>) -> Report {
        Report {
            failure,
            schedules: 1,
            elapsed: Duration::ZERO,
            replay: None,
            trace: Vec::new(),
            preemptions: None,
        }
    }

    #[test]
    fn a_failure_is_named_by_its_kind_and_headline() {
        assert_eq!(FailureKind::Panic.to_string(), "panic");
        assert_eq!(FailureKind::Deadlock.to_string(), "deadlock");
        let f = Failure::new(FailureKind::Deadlock, "stuck\nT1 waits for T2");
        assert_eq!(f.headline(), "stuck");
        assert_eq!(f.to_string(), "deadlock: stuck");
        assert_eq!(Failure::new(FailureKind::Panic, "").headline(), "");
    }

    #[test]
    fn a_panic_payload_says_which_kind_of_failure() {
        let from = |payload: Box<dyn std::any::Any + Send>| Failure::from_panic(payload);
        assert_eq!(
            from(Box::new(String::from("balance 1"))),
            Failure::new(FailureKind::Panic, "balance 1")
        );
        // No model in a unit test: nothing on the deadlock board, the checker's words alone.
        assert_eq!(
            from(Box::new("deadlock; threads = []")),
            Failure::new(FailureKind::Deadlock, "deadlock; threads = []")
        );
        assert_eq!(
            from(Box::new(7_u8)),
            Failure::new(FailureKind::Panic, "panic with a non-string payload")
        );
    }

    #[test]
    fn a_report_is_clean_without_a_failure() {
        let clean = report(None);
        assert!(clean.is_clean());
        assert_eq!(clean.kind(), None);
        let failed = report(Some(Failure::new(FailureKind::Deadlock, "stuck")));
        assert!(!failed.is_clean());
        assert_eq!(failed.kind(), Some(FailureKind::Deadlock));
    }
}
