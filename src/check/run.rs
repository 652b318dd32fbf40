//! [`run`] and [`Builder`]: a scenario written once, checked in whichever world the build is.
//!
//! The scenario is a closure against the [`sync`](crate::sync) facade. What checking it means
//! depends on the build, not on the test:
//!
//! | build | what [`Builder::explore`] does | budget |
//! |---|---|---|
//! | `cargo test` | runs it again and again on real threads (a stress test) | [`iterations`](Builder::iterations), 1,000 |
//! | `RUSTFLAGS="--cfg loom"` | explores every interleaving up to a preemption bound | [`preemptions`](Builder::preemptions), 3 |
//! | `--features shuttle` | random schedules, then PCT schedules | [`schedules`](Builder::schedules) of each, 1,000 |
//!
//! Each stops at the first failure and returns one [`Report`]; [`run`] and [`Builder::run`]
//! panic with it instead, so a test fails, and `#[should_panic]` works for a bug expected to be
//! found. The environment overrides the builder, for a CI job that wants more:
//! `VERISYNC_ITERATIONS`, `VERISYNC_SCHEDULES`, `VERISYNC_SEED`, `VERISYNC_SHARD`,
//! `VERISYNC_TIME_LIMIT` (seconds), and loom's own `LOOM_MAX_PREEMPTIONS`. Under shuttle,
//! `VERISYNC_REPLAY=<token>` replays the failing schedule of the scenario the token belongs to
//! instead of exploring it (a token that does not decode, or no longer fits, fails the test; the
//! run's other scenarios are explored as usual).
//!
//! In std a deadlock hangs (nothing can see it from outside); a failing assertion is found when
//! real scheduling hits it. While a std run is in progress every synchronisation point of the
//! facade (atomic operations, spawns, lock acquisitions) may stall its thread for a moment, so
//! that short races show on two cores too; still, the models are where a race is certain to be
//! found. Under loom and shuttle the report carries the failing execution's
//! [`trace`](super::trace) (the schedule with the fewest preemptions that fails); under shuttle
//! also the replay token.

use super::{Report, Shard};
use std::time::Duration;

/// How a scenario is checked in each world (see the module docs); [`Builder::default`] is what
/// [`run`] uses.
///
/// ```
/// use verisync::check::Builder;
/// use verisync::sync::{thread, Arc, atomic::{AtomicUsize, Ordering}};
///
/// let report = Builder::new("two-increments").iterations(50).explore(|| {
///     let n = Arc::new(AtomicUsize::new(0));
///     let n2 = Arc::clone(&n);
///     let t = thread::spawn(move || n2.fetch_add(1, Ordering::Relaxed));
///     n.fetch_add(1, Ordering::Relaxed);
///     t.join().unwrap();
///     assert_eq!(n.load(Ordering::Relaxed), 2);
/// });
/// assert!(report.is_clean());
/// ```
#[derive(Clone, Debug)]
pub struct Builder {
    name: String,
    iterations: usize,
    preemptions: usize,
    schedules: usize,
    seed: u64,
    shard: Shard,
    time_limit: Option<Duration>,
}

impl Default for Builder {
    /// A scenario called `scenario`: 1,000 iterations, 3 preemptions, 1,000 schedules, seed 0.
    ///
    /// ```
    /// let b = verisync::check::Builder::default();
    /// assert!(format!("{b:?}").contains("iterations: 1000"));
    /// ```
    fn default() -> Self {
        Builder::new("scenario")
    }
}

impl Builder {
    /// Defaults, for the scenario called `name` (the name a replay token is bound to).
    ///
    /// ```
    /// let b = verisync::check::Builder::new("lost-update");
    /// assert!(format!("{b:?}").contains("lost-update"));
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        Builder {
            name: name.into(),
            iterations: 1000,
            preemptions: 3,
            schedules: 1000,
            seed: 0,
            shard: Shard::WHOLE,
            time_limit: None,
        }
    }

    /// How many times a std build runs the scenario (`VERISYNC_ITERATIONS` overrides).
    ///
    /// ```
    /// let b = verisync::check::Builder::new("s").iterations(10);
    /// assert!(format!("{b:?}").contains("iterations: 10"));
    /// ```
    pub fn iterations(mut self, n: usize) -> Self {
        self.iterations = n;
        self
    }

    /// loom's preemption bound (`LOOM_MAX_PREEMPTIONS` overrides): 2 or 3 finds most bugs in
    /// seconds; every one more multiplies the executions.
    ///
    /// ```
    /// let b = verisync::check::Builder::new("s").preemptions(2);
    /// assert!(format!("{b:?}").contains("preemptions: 2"));
    /// ```
    pub fn preemptions(mut self, n: usize) -> Self {
        self.preemptions = n;
        self
    }

    /// How many schedules shuttle tries under each scheduler (`VERISYNC_SCHEDULES` overrides).
    ///
    /// ```
    /// let b = verisync::check::Builder::new("s").schedules(200);
    /// assert!(format!("{b:?}").contains("schedules: 200"));
    /// ```
    pub fn schedules(mut self, n: usize) -> Self {
        self.schedules = n;
        self
    }

    /// shuttle's seed (`VERISYNC_SEED` overrides): the same seed explores the same schedules.
    ///
    /// ```
    /// let b = verisync::check::Builder::new("s").seed(7);
    /// assert!(format!("{b:?}").contains("seed: 7"));
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Runs only shard `shard` of the exploration (`VERISYNC_SHARD=i/k` overrides), so that `k`
    /// machines share one large exploration: under shuttle, shard `i` runs every `k`-th block
    /// of 100 schedules (`check::explore_shard`, with the `shuttle` feature), and the shards
    /// together run exactly the schedules of the whole; in std, `1/k` of the iterations; under
    /// loom, whose search cannot be split by seed, shard 1 runs the whole model and the others
    /// nothing.
    ///
    /// ```
    /// use verisync::check::{Builder, Shard};
    /// let b = Builder::new("s").shard(Shard::new(2, 4).unwrap());
    /// assert!(format!("{b:?}").contains("index: 2, count: 4"));
    /// ```
    pub fn shard(mut self, shard: Shard) -> Self {
        self.shard = shard;
        self
    }

    /// Stops exploring once `limit` of wall time has passed (`VERISYNC_TIME_LIMIT`, in seconds,
    /// overrides): a clean report then counts the runs made so far. In std the iterations stop;
    /// under loom, `loom::model::Builder::max_duration`; under shuttle, its `Config::max_time`
    /// for each scheduler.
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = verisync::check::Builder::new("s").time_limit(Duration::from_secs(60));
    /// assert!(format!("{b:?}").contains("time_limit: Some(60s)"));
    /// ```
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// The builder with the environment's overrides applied (an unreadable value is ignored).
    fn with_env(&self) -> Builder {
        self.with_overrides(|name| std::env::var(name).ok())
    }

    /// The builder with the overrides `lookup` gives for the variables' names.
    fn with_overrides(&self, lookup: impl Fn(&str) -> Option<String>) -> Builder {
        fn parsed<T: std::str::FromStr>(value: Option<String>) -> Option<T> {
            value?.trim().parse().ok()
        }
        Builder {
            name: self.name.clone(),
            iterations: parsed(lookup("VERISYNC_ITERATIONS")).unwrap_or(self.iterations),
            preemptions: parsed(lookup("LOOM_MAX_PREEMPTIONS")).unwrap_or(self.preemptions),
            schedules: parsed(lookup("VERISYNC_SCHEDULES")).unwrap_or(self.schedules),
            seed: parsed(lookup("VERISYNC_SEED")).unwrap_or(self.seed),
            shard: parsed(lookup("VERISYNC_SHARD")).unwrap_or(self.shard),
            time_limit: parsed::<f64>(lookup("VERISYNC_TIME_LIMIT"))
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
                .or(self.time_limit),
        }
    }

    /// Checks `f` in this build's world (see the module docs) and returns what it found: the
    /// first failure, or clean after the whole budget.
    ///
    /// ```
    /// use verisync::check::Builder;
    /// let report = Builder::new("sums").iterations(3).schedules(3).explore(|| assert_eq!(1 + 1, 2));
    /// assert!(report.is_clean());
    /// ```
    pub fn explore<F>(&self, f: F) -> Report
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.with_env().explore_here(f)
    }

    /// Like [`explore`](Builder::explore), but panics with the report when it finds a failure:
    /// the test fails, naming the scenario, the failure, how far it got and how to replay it.
    ///
    /// ```
    /// use verisync::check::Builder;
    /// Builder::new("sums").iterations(3).schedules(3).run(|| assert_eq!(1 + 1, 2));
    /// ```
    pub fn run<F>(&self, f: F)
    where
        F: Fn() + Send + Sync + 'static,
    {
        let report = self.explore(f);
        if let Some(failure) = &report.failure {
            let replay = report
                .replay
                .as_ref()
                .map_or(String::new(), |t| format!("\nreplay token: {t}"));
            let trace = if report.trace.is_empty() {
                String::new()
            } else {
                format!(
                    "\n{}",
                    super::trace::line(&report.trace, failure.headline())
                )
            };
            // Real threads leave no trace: say where to see the interleaving.
            let hunt = if cfg!(any(loom, feature = "shuttle")) {
                ""
            } else {
                "\nto see the interleaving, run the test with `--features shuttle` (a table and \
                 a replay token) or under RUSTFLAGS=\"--cfg loom\""
            };
            panic!(
                "{}: {failure} (found by {} after {} {}){trace}{replay}{hunt}",
                self.name,
                crate::sync::BACKEND,
                report.schedules,
                UNIT
            );
        }
    }

    #[cfg(not(any(loom, feature = "shuttle")))]
    fn explore_here<F>(&self, f: F) -> Report
    where
        F: Fn() + Send + Sync + 'static,
    {
        use super::Failure;
        use std::panic::{self, AssertUnwindSafe};
        let started = std::time::Instant::now();
        // Every synchronisation point may stall its thread while this runs (`sync/stress.rs`).
        let _noise = crate::sync::stress::Run::start();
        let mut failure = None;
        let mut iterations = 0;
        let share = self.iterations.div_ceil(self.shard.count());
        let out_of_time = || self.time_limit.is_some_and(|l| started.elapsed() >= l);
        while iterations < share && failure.is_none() && !out_of_time() {
            iterations += 1;
            failure = panic::catch_unwind(AssertUnwindSafe(&f))
                .err()
                .map(Failure::from_panic);
        }
        Report {
            failure,
            schedules: iterations,
            elapsed: started.elapsed(),
            replay: None,
            trace: Vec::new(),
            preemptions: None,
        }
    }

    #[cfg(loom)]
    fn explore_here<F>(&self, f: F) -> Report
    where
        F: Fn() + Send + Sync + 'static,
    {
        let started = std::time::Instant::now();
        let f = std::sync::Arc::new(f);
        let mut report = Report {
            failure: None,
            schedules: 0,
            elapsed: std::time::Duration::ZERO,
            replay: None,
            trace: Vec::new(),
            preemptions: None,
        };
        if self.shard.index() != 1 {
            return report; // loom's search is not split: shard 1 runs it whole
        }
        let (mut failure, mut count, mut trace) =
            loom_bounded(&self.name, &f, self.preemptions, self.time_limit);
        if failure.is_some() {
            // Found within the bound: the lowest bound that still finds it is the fewest
            // preemptions the failure needs, and its execution is the one to show.
            for bound in 0..self.preemptions {
                let (f_at, c_at, t_at) = loom_bounded(&self.name, &f, bound, self.time_limit);
                count += c_at;
                if f_at.as_ref().map(|x| x.kind) == failure.as_ref().map(|x| x.kind) {
                    (failure, trace) = (f_at, t_at);
                    report.preemptions = Some(bound);
                    break;
                }
            }
            report.preemptions.get_or_insert(self.preemptions);
        }
        report.failure = failure;
        report.schedules = count;
        report.trace = trace;
        report.elapsed = started.elapsed();
        report
    }

    #[cfg(all(feature = "shuttle", not(loom)))]
    fn explore_here<F>(&self, f: F) -> Report
    where
        F: Fn() + Send + Sync + 'static,
    {
        use super::ReplayError;
        let f = std::sync::Arc::new(f);
        // A token in VERISYNC_REPLAY replays its own scenario's failing schedule instead of
        // exploring; the other scenarios of the run are explored as usual.
        if let Ok(token) = std::env::var("VERISYNC_REPLAY") {
            let again = std::sync::Arc::clone(&f);
            match super::replay(&self.name, token.trim(), move || again()) {
                Ok(report) => return report,
                Err(ReplayError::Mismatch { .. }) => {}
                Err(refused) => panic!("{}: VERISYNC_REPLAY: {refused}", self.name),
            }
        }
        use super::Scheduler;
        let mut total: Option<Report> = None;
        for scheduler in [
            Scheduler::Random { seed: self.seed },
            Scheduler::Pct {
                seed: self.seed,
                depth: 3,
            },
        ] {
            let f = std::sync::Arc::clone(&f);
            let mut report = super::shuttle::explore_limited(
                &self.name,
                scheduler,
                self.schedules,
                self.shard,
                self.time_limit,
                move || f(),
            );
            // PCT refuses a scenario that never runs two threads at once; such a scenario has
            // one schedule, which the random run has checked.
            let single = |r: &Report| {
                r.failure.as_ref().is_some_and(|f| {
                    f.message
                        .contains("test closure did not exercise any concurrency")
                })
            };
            if matches!(scheduler, Scheduler::Pct { .. }) && single(&report) {
                break;
            }
            if let Some(before) = total {
                report.schedules += before.schedules;
                report.elapsed += before.elapsed;
            }
            let failed = !report.is_clean();
            total = Some(report);
            if failed {
                break;
            }
        }
        total.expect("two schedulers ran")
    }
}

/// A note for stderr once a loom exploration has run `secs` seconds (`executions` so far),
/// at 30 s and then each time the time doubles (`next` holds the next threshold): a model that
/// will take hours should say so while it runs, and say what shrinks it. `None` before then.
#[cfg(any(loom, all(test, not(feature = "shuttle"))))]
fn progress_note(
    name: &str,
    bound: usize,
    executions: usize,
    secs: u64,
    next: &mut u64,
) -> Option<String> {
    if secs < *next {
        return None;
    }
    *next = (*next * 2).max(secs + 1);
    Some(format!(
        "verisync::check: `{name}` is still exploring under loom: {executions} executions in {secs} s \
         at preemption bound {bound}. Each preemption more multiplies the executions: a smaller \
         bound (Builder::preemptions, LOOM_MAX_PREEMPTIONS) or fewer threads shrinks the model; \
         Builder::time_limit or VERISYNC_TIME_LIMIT stops it early (clean then means clean as \
         far as it went)."
    ))
}

/// One loom exploration of `f` at preemption bound `bound`: the failure if any, the executions
/// run, and the failing execution's trace.
#[cfg(loom)]
fn loom_bounded<F>(
    name: &str,
    f: &std::sync::Arc<F>,
    bound: usize,
    time_limit: Option<Duration>,
) -> (Option<super::Failure>, usize, Vec<super::trace::Event>)
where
    F: Fn() + Send + Sync + 'static,
{
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let f = Arc::clone(f);
    let (name, started) = (name.to_string(), std::time::Instant::now());
    // loom runs every execution on this OS thread, one after another.
    let next_note = std::sync::Mutex::new(30);
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(bound);
    builder.max_duration = time_limit;
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        super::blocked::modelling(|| {
            builder.check(move || {
                // Relaxed: a tally; loom runs every execution on this OS thread.
                let executions = counter.fetch_add(1, Ordering::Relaxed);
                let secs = started.elapsed().as_secs();
                let mut next = next_note.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(note) = progress_note(&name, bound, executions, secs, &mut next) {
                    eprintln!("{note}");
                }
                drop(next);
                super::trace::start();
                f()
            })
        })
    }));
    let failure = outcome.err().map(super::Failure::from_panic);
    let trace = if failure.is_some() {
        super::trace::take()
    } else {
        Vec::new()
    };
    // Relaxed: as above.
    (failure, count.load(Ordering::Relaxed), trace)
}

/// What one unit of a [`Report::schedules`] is in this build.
const UNIT: &str = if cfg!(loom) {
    "executions"
} else if cfg!(feature = "shuttle") {
    "schedules"
} else {
    "iterations"
};

/// Checks `f` with [`Builder::default`]: a stress test in std, every interleaving up to 3
/// preemptions under loom, random and PCT schedules under shuttle; panics if a failure is
/// found (see [`Builder::run`]).
///
/// ```
/// use verisync::check;
/// use verisync::sync::{thread, Arc, atomic::{AtomicUsize, Ordering::Relaxed}};
///
/// check::run(|| {
///     let n = Arc::new(AtomicUsize::new(0));
///     let t = { let n = n.clone(); thread::spawn(move || n.fetch_add(1, Relaxed)) };
///     n.fetch_add(1, Relaxed);
///     t.join().unwrap();
///     assert_eq!(n.load(Relaxed), 2);
/// });
/// ```
pub fn run<F>(f: F)
where
    F: Fn() + Send + Sync + 'static,
{
    Builder::default().run(f);
}

#[cfg(all(test, not(any(loom, feature = "shuttle"))))]
mod tests {
    use super::{progress_note, Builder};
    use crate::check::Shard;
    use std::time::Duration;

    #[test]
    fn the_environment_overrides_the_builder_and_an_unreadable_value_is_ignored() {
        let b = Builder::new("s").time_limit(Duration::from_secs(5));
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                let found = pairs.iter().find(|(n, _)| *n == name);
                found.map(|(_, v)| v.to_string())
            }
        };
        let all = b.with_overrides(env(&[
            ("VERISYNC_ITERATIONS", " 7 "),
            ("LOOM_MAX_PREEMPTIONS", "2"),
            ("VERISYNC_SCHEDULES", "9"),
            ("VERISYNC_SEED", "11"),
            ("VERISYNC_SHARD", "2/4"),
            ("VERISYNC_TIME_LIMIT", "0.5"),
        ]));
        assert_eq!(
            (all.iterations, all.preemptions, all.schedules, all.seed),
            (7, 2, 9, 11)
        );
        assert_eq!(all.shard, Shard::new(2, 4).unwrap());
        assert_eq!(all.time_limit, Some(Duration::from_millis(500)));
        assert_eq!(all.name, "s");
        // Zero is a limit; a negative, infinite or unreadable one keeps the builder's.
        let zero = b.with_overrides(env(&[("VERISYNC_TIME_LIMIT", "0")]));
        assert_eq!(zero.time_limit, Some(Duration::ZERO));
        for bad in ["-1", "inf", "NaN", "soon"] {
            let kept = b.with_overrides(move |n: &str| {
                (n == "VERISYNC_TIME_LIMIT" || n == "VERISYNC_ITERATIONS").then(|| bad.to_string())
            });
            assert_eq!(kept.time_limit, Some(Duration::from_secs(5)), "{bad}");
            assert_eq!(kept.iterations, 1000, "{bad}");
        }
    }

    #[test]
    fn a_long_loom_exploration_says_so_at_30_s_then_at_each_doubling() {
        let mut next = 30;
        assert_eq!(progress_note("m", 3, 10, 29, &mut next), None);
        let note = progress_note("m", 3, 1234, 30, &mut next).expect("a note at 30 s");
        assert!(
            note.contains("`m`") && note.contains("1234 executions in 30 s"),
            "{note}"
        );
        assert!(note.contains("preemption bound 3") && note.contains("VERISYNC_TIME_LIMIT"));
        assert_eq!(next, 60);
        assert_eq!(progress_note("m", 3, 2000, 59, &mut next), None);
        assert!(progress_note("m", 3, 3000, 61, &mut next).is_some());
        assert_eq!(next, 120);
        // A long execution that jumps past several thresholds notes once.
        assert!(progress_note("m", 3, 4000, 500, &mut next).is_some());
        assert_eq!(next, 501);
    }
}
