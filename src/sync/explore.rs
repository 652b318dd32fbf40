//! Drive shuttle over a closure and report what it found (feature `shuttle` only).
//!
//! This is how the casebook explorer and the shuttle tests run a scenario: under one scheduler
//! (random or PCT, seeded so a run is repeatable), for at most a number of schedules, stopping at
//! the first failure, and returning a [`Report`] instead of panicking: the verdict, how many
//! schedules it took, how long, and the token that replays the failing schedule exactly.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use shuttle::scheduler::{PctScheduler, RandomScheduler};
use shuttle::{Config, FailurePersistence, Runner};

/// Which shuttle scheduler explores the schedules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheduler {
    /// Uniformly random choice at every step, from `seed`.
    Random {
        /// The seed; the same seed explores the same schedules.
        seed: u64,
    },
    /// Probabilistic concurrency testing (PCT): random priorities with `depth - 1` priority
    /// change points, which finds bugs of depth `depth` with a known probability.
    Pct {
        /// The seed; the same seed explores the same schedules.
        seed: u64,
        /// The bug depth PCT targets (2 or 3 covers the notes' cases).
        depth: usize,
    },
}

impl std::fmt::Display for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scheduler::Random { .. } => f.write_str("random"),
            Scheduler::Pct { depth, .. } => write!(f, "pct(d={depth})"),
        }
    }
}

/// What an exploration found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every schedule ran to the end without a panic or a deadlock.
    Clean,
    /// A schedule panicked (an assertion failed); the panic's message.
    Panicked(String),
    /// A schedule deadlocked: every live thread was blocked; shuttle's description.
    Deadlock(String),
}

/// The result of [`explore`] or [`replay`].
#[derive(Clone, Debug)]
pub struct Report {
    /// What was found.
    pub verdict: Verdict,
    /// How many schedules ran, the failing one included.
    pub schedules: usize,
    /// Wall time of the whole exploration.
    pub elapsed: Duration,
    /// For a failure, the token that [`replay`] takes to run the failing schedule again.
    pub replay: Option<String>,
}

/// Explores `f` under `scheduler` for at most `max_schedules` schedules, stopping at the first
/// failure. `f` runs once per schedule, inside shuttle.
///
/// ```
/// use verisync::sync::explore::{explore, Scheduler, Verdict};
/// let report = explore(|| assert_eq!(1 + 1, 2), Scheduler::Random { seed: 1 }, 10);
/// assert_eq!(report.verdict, Verdict::Clean);
/// assert_eq!(report.schedules, 10);
/// ```
pub fn explore<F>(f: F, scheduler: Scheduler, max_schedules: usize) -> Report
where
    F: Fn() + Send + Sync + 'static,
{
    let config = quiet_config();
    match scheduler {
        Scheduler::Random { seed } => run(f, |body| {
            Runner::new(RandomScheduler::new_from_seed(seed, max_schedules), config).run(body)
        }),
        Scheduler::Pct { seed, depth } => run(f, |body| {
            Runner::new(
                PctScheduler::new_from_seed(seed, depth, max_schedules),
                config,
            )
            .run(body)
        }),
    }
}

/// Runs `f` once under the schedule that `token` (a [`Report::replay`]) encodes.
///
/// ```
/// use verisync::sync::explore::{explore, replay, Scheduler, Verdict};
/// use verisync::sync::{thread, Arc, Mutex};
///
/// fn racy() {
///     let n = Arc::new(Mutex::new(0));
///     let n2 = Arc::clone(&n);
///     let t = thread::spawn(move || {
///         let seen = *n2.lock();
///         *n2.lock() = seen + 1;
///     });
///     let seen = *n.lock();
///     *n.lock() = seen + 1;
///     t.join().unwrap();
///     assert_eq!(*n.lock(), 2, "lost update");
/// }
/// let found = explore(racy, Scheduler::Random { seed: 7 }, 1000);
/// assert!(matches!(found.verdict, Verdict::Panicked(_)));
/// let again = replay(racy, found.replay.as_deref().unwrap());
/// assert_eq!(again.verdict, found.verdict);
/// ```
pub fn replay<F>(f: F, token: &str) -> Report
where
    F: Fn() + Send + Sync + 'static,
{
    let token = token.to_owned();
    run(f, move |body| {
        shuttle::replay(body, &token);
        1
    })
}

fn quiet_config() -> Config {
    let mut config = Config::new();
    // The report carries the token; nothing needs printing.
    config.failure_persistence = FailurePersistence::None;
    config
}

fn run<F, R>(f: F, runner: R) -> Report
where
    F: Fn() + Send + Sync + 'static,
    R: FnOnce(Box<dyn Fn() + Send + Sync>) -> usize,
{
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let body: Box<dyn Fn() + Send + Sync> = Box::new(move || {
        // Relaxed: a plain tally, read after the runner returns on this same OS thread.
        counter.fetch_add(1, Ordering::Relaxed);
        f()
    });
    let start = Instant::now();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| runner(body)));
    let elapsed = start.elapsed();
    // Relaxed: see above.
    let schedules = count.load(Ordering::Relaxed);
    match outcome {
        Ok(_) => Report {
            verdict: Verdict::Clean,
            schedules,
            elapsed,
            replay: None,
        },
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic with a non-string payload".to_owned());
            let schedule = shuttle_engine::runtime::execution::CurrentSchedule::get_schedule();
            let token = shuttle_engine::scheduler::serialization::serialize_schedule(&schedule);
            let verdict = if message.starts_with("deadlock!") {
                Verdict::Deadlock(message)
            } else {
                Verdict::Panicked(message)
            };
            Report {
                verdict,
                schedules,
                elapsed,
                replay: Some(token),
            }
        }
    }
}
