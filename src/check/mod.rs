//! Checking a scenario: what a run found, in one vocabulary, and how to run it again.
//!
//! A *scenario* is a closure written against the [`sync`](crate::sync) facade (threads, `Arc`,
//! atomics, verisync's types) and named by a short string (`lost-update/broken`). This module is
//! the tooling that runs one and says what happened:
//!
//! * [`Failure`] and [`FailureKind`]: what went wrong — a panic (an assertion or invariant
//!   failed) or a deadlock. The casebook's expectations ([`Variant::expect`]) and every run's
//!   findings use these same types.
//! * [`Report`]: everything one run produced — the failure if any, how many schedules it took,
//!   how long, the replay token, and the failing execution's [`trace`].
//! * [`trace`]: the steps each thread took, recorded by the scenario, printed as a table.
//! * [`Token`] and [`ReplayError`]: a replay token is a failing schedule bound to the scenario
//!   that produced it; replaying it against any other scenario is refused, not run.
//! * [`run`] and [`Builder`]: one scenario checked in whichever world the build is — a stress
//!   test in std, every interleaving under loom, random and PCT schedules under shuttle — with
//!   one [`Report`] ([`Builder::explore`]) or a failing test ([`run`]).
//! * With the `shuttle` feature: `explore` (random or PCT schedules until the first failure,
//!   under a `Scheduler`) and `replay` (exactly the schedule a token encodes).
//!
//! ```
//! use verisync::check::{Failure, FailureKind};
//!
//! let found = Failure::new(FailureKind::Panic, "balance 1, expected 2");
//! assert_eq!(found.kind, FailureKind::Panic);
//! assert_eq!(found.to_string(), "panic: balance 1, expected 2");
//! ```
//!
//! [`Variant::expect`]: crate::casebook::Variant::expect

pub(crate) mod blocked;
mod report;
mod run;
mod shard;
mod token;
pub mod trace;

pub use report::{Failure, FailureKind, Report};
pub use run::{run, Builder};
pub use shard::Shard;
pub use token::{ReplayError, Token};

#[cfg(all(feature = "shuttle", not(loom)))]
mod schedulers;
#[cfg(all(feature = "shuttle", not(loom)))]
pub(crate) mod shuttle;
#[cfg(all(feature = "shuttle", not(loom)))]
pub use self::shuttle::{explore, explore_shard, replay, Scheduler};
