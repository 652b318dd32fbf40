//! [`Wait`]: what a caller's timeout means, decided once at the public edge.
//!
//! Every blocking call of verisync takes either no timeout or a `Duration`. Three meanings hide
//! in that `Duration`, and each primitive used to work them out on its own:
//!
//! * zero: try once and return (Python's `blocking=False`, `put_nowait`), never sleep;
//! * [`FOREVER`] or more, or a deadline too far to represent: no timeout at all (a model must
//!   report such a wait as a hang, not let the clock fire it);
//! * anything else: wait until a deadline, which a wait made of several sleeps (a thread woken
//!   to retry, who lost the race) keeps across them.
//!
//! A public method turns its `Duration` into a [`Wait`] once ([`Wait::timeout`]) and passes it
//! all the way down to [`Condvar::wait_for`](super::Condvar::wait_for).

use super::FOREVER;
use std::time::Duration;

/// How long a blocking call may wait (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// A zero timeout: look once, never sleep.
    Try,
    /// Until a deadline.
    Until(Deadline),
    /// No timeout.
    Forever,
}

/// When a timed wait ends: an instant in std; under a model, where time is virtual, the timeout
/// itself (each sleep of the wait may or may not time out, which covers every way real time
/// could split the timeout among the sleeps).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Deadline {
    #[cfg(not(any(loom, feature = "shuttle")))]
    at: std::time::Instant,
    #[cfg(any(loom, feature = "shuttle"))]
    timeout: Duration,
}

impl Wait {
    /// The wait a caller's `timeout` asks for: zero is [`Wait::Try`], [`FOREVER`] or more (or a
    /// deadline std cannot represent: "never", not a panic) is [`Wait::Forever`].
    #[inline]
    pub(crate) fn timeout(timeout: Duration) -> Wait {
        if timeout.is_zero() {
            return Wait::Try;
        }
        if timeout >= FOREVER {
            return Wait::Forever;
        }
        #[cfg(not(any(loom, feature = "shuttle")))]
        return match std::time::Instant::now().checked_add(timeout) {
            Some(at) => Wait::Until(Deadline { at }),
            None => Wait::Forever,
        };
        #[cfg(any(loom, feature = "shuttle"))]
        Wait::Until(Deadline { timeout })
    }

    /// `true` for [`Wait::Try`]: the caller must not sleep at all.
    #[inline]
    pub(crate) fn is_try(self) -> bool {
        self == Wait::Try
    }

    /// How long a sleep may last now: `None` without a timeout, zero once the deadline is past
    /// (or for [`Wait::Try`]).
    pub(crate) fn remaining(self) -> Option<Duration> {
        match self {
            Wait::Try => Some(Duration::ZERO),
            Wait::Forever => None,
            #[cfg(not(any(loom, feature = "shuttle")))]
            Wait::Until(d) => Some(d.at.saturating_duration_since(std::time::Instant::now())),
            #[cfg(any(loom, feature = "shuttle"))]
            Wait::Until(d) => Some(d.timeout),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_try_forever_and_beyond_are_forever_the_rest_a_deadline() {
        assert_eq!(Wait::timeout(Duration::ZERO), Wait::Try);
        assert!(Wait::timeout(Duration::ZERO).is_try());
        assert_eq!(Wait::timeout(FOREVER), Wait::Forever);
        assert_eq!(Wait::timeout(Duration::MAX), Wait::Forever);
        let w = Wait::timeout(Duration::from_secs(5));
        assert!(matches!(w, Wait::Until(_)));
        assert!(!w.is_try());
        let left = w.remaining().unwrap();
        assert!(left > Duration::from_secs(4) && left <= Duration::from_secs(5));
        assert_eq!(Wait::Try.remaining(), Some(Duration::ZERO));
        assert_eq!(Wait::Forever.remaining(), None);
    }

    #[test]
    fn forever_is_a_century() {
        assert_eq!(FOREVER.as_secs(), 3_153_600_000);
    }

    #[test]
    #[cfg(not(any(loom, feature = "shuttle")))]
    fn a_deadline_in_the_past_leaves_zero() {
        let w = Wait::timeout(Duration::from_nanos(1));
        std::thread::sleep(Duration::from_millis(1));
        assert_eq!(w.remaining(), Some(Duration::ZERO));
    }
}
