//! The shuttle driver (feature `shuttle`): [`explore`] a scenario under random or PCT schedules,
//! [`replay`] one token's schedule, each returning one [`Report`].
//!
//! Neither panics on a failure of the scenario: the failure is the report's. Neither prints
//! anything of its own; shuttle still writes a line or two to stderr per failure (through its
//! panic hook and `eprintln!`), which a test harness captures. The explorer binary keeps those
//! off the terminal by running its work in a child process (see `src/bin/explorer.rs`).

use std::cell::RefCell;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use shuttle::scheduler::{DataSource, RandomDataSource, Schedule, Task, TaskId};
use shuttle::{Config, FailurePersistence, Runner};
use shuttle_engine::runtime::execution::CurrentSchedule;
use shuttle_engine::scheduler::serialization::{deserialize_schedule, serialize_schedule};
use shuttle_engine::scheduler::ScheduleStep;

use super::schedulers::{Blocks, BoundedDfs, DfsState, Kind};
use super::{trace, Failure, ReplayError, Report, Shard, Token};

/// Which shuttle scheduler explores the schedules.
///
/// ```
/// use verisync::check::Scheduler;
/// assert_eq!(Scheduler::Pct { seed: 1, depth: 3 }.to_string(), "pct(d=3)");
/// ```
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

impl fmt::Display for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scheduler::Random { .. } => f.write_str("random"),
            Scheduler::Pct { depth, .. } => write!(f, "pct(d={depth})"),
        }
    }
}

/// Explores the scenario `f`, called `scenario`, under `scheduler` for at most `max_schedules`
/// schedules, stopping at the first failure. `f` runs once per schedule, inside shuttle; the
/// report's replay token is bound to `scenario`.
///
/// ```
/// use verisync::check::{explore, trace, FailureKind, Scheduler};
/// use verisync::sync::{thread, Arc, Mutex};
///
/// fn racy() {
///     let n = Arc::new(Mutex::new(0));
///     let n2 = Arc::clone(&n);
///     let t = thread::spawn(move || {
///         let seen = *n2.lock();
///         trace::event(2, format!("reads {seen}"));
///         *n2.lock() = seen + 1;
///     });
///     let seen = *n.lock();
///     trace::event(1, format!("reads {seen}"));
///     *n.lock() = seen + 1;
///     t.join().unwrap();
///     assert_eq!(*n.lock(), 2, "lost update");
/// }
/// let report = explore("racy", Scheduler::Random { seed: 7 }, 1000, racy);
/// assert_eq!(report.kind(), Some(FailureKind::Panic));
/// assert!(report.replay.is_some() && !report.trace.is_empty());
///
/// let clean = explore("sums", Scheduler::Random { seed: 1 }, 10, || assert_eq!(1 + 1, 2));
/// assert!(clean.is_clean());
/// assert_eq!(clean.schedules, 10);
/// ```
pub fn explore<F>(scenario: &str, scheduler: Scheduler, max_schedules: usize, f: F) -> Report
where
    F: Fn() + Send + Sync + 'static,
{
    explore_shard(scenario, scheduler, max_schedules, Shard::WHOLE, f)
}

/// Like [`explore`], but runs only shard `shard` of the exploration: the exploration is cut into
/// blocks of 100 schedules, each seeded on its own from the scheduler's seed, and shard `i` of
/// `k` runs every `k`-th block from the `i`-th. The `k` shards of one exploration together run
/// exactly the schedules the whole of it runs, so `k` machines (a CI matrix, `VERISYNC_SHARD`)
/// can share one large exploration.
///
/// ```
/// use verisync::check::{explore_shard, Scheduler, Shard};
/// let half = explore_shard("sums", Scheduler::Random { seed: 1 }, 300, Shard::new(2, 2).unwrap(),
///     || assert_eq!(1 + 1, 2));
/// assert_eq!(half.schedules, 100); // block 1 of blocks 0, 1 and 2
/// ```
pub fn explore_shard<F>(
    scenario: &str,
    scheduler: Scheduler,
    max_schedules: usize,
    shard: Shard,
    f: F,
) -> Report
where
    F: Fn() + Send + Sync + 'static,
{
    explore_limited(scenario, scheduler, max_schedules, shard, None, f)
}

/// [`explore_shard`], stopping after `time_limit` of wall time if given.
pub(super) fn explore_limited<F>(
    scenario: &str,
    scheduler: Scheduler,
    max_schedules: usize,
    shard: Shard,
    time_limit: Option<Duration>,
    f: F,
) -> Report
where
    F: Fn() + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let mut config = quiet_config();
    config.max_time = time_limit;
    let started = Instant::now();
    let (kind, seed) = match scheduler {
        Scheduler::Random { seed } => (Kind::Random, seed),
        Scheduler::Pct { seed, depth } => (Kind::Pct { depth }, seed),
    };
    let (index, count) = (shard.index() - 1, shard.count());
    let body = Arc::clone(&f);
    let (run, schedules) = run_counted(
        move || body(),
        |body| {
            let blocks = Blocks::new(kind, seed, max_schedules, index, count);
            Runner::new(blocks, config).run(body);
        },
    );
    let mut report = match run {
        Ok(()) => Report {
            failure: None,
            schedules,
            elapsed: started.elapsed(),
            replay: None,
            trace: Vec::new(),
            preemptions: None,
        },
        Err(failure) => {
            let schedule = serialize_schedule(&CurrentSchedule::get_schedule());
            let token = Token::new(scenario, &schedule).to_string();
            Report {
                failure: Some(failure),
                schedules,
                elapsed: started.elapsed(),
                replay: Some(token),
                trace: trace::take(),
                preemptions: None,
            }
        }
    };
    if let Some(failure) = report.failure.clone() {
        if let Some(min) = minimise(scenario, &f, &failure, &MINIMISE) {
            report.failure = Some(min.failure);
            report.replay = Some(min.token);
            report.trace = min.trace;
            report.preemptions = Some(min.preemptions);
        }
        report.elapsed = started.elapsed();
    }
    report
}

/// How far a minimisation may go.
struct Limits {
    /// Executions it may spend, over all its preemption bounds.
    executions: usize,
    /// Wall time it may spend: a scenario of many steps can make 20,000 executions cost
    /// minutes. Stopped early, it keeps the fewest-preemption schedule found, if any.
    time: Duration,
    /// Executions spent looking for a shorter schedule once the fewest preemptions are known.
    shorten: usize,
}

/// The limits of every report's minimisation.
const MINIMISE: Limits = Limits {
    executions: 20_000,
    time: Duration::from_secs(5),
    shorten: 500,
};

/// A failing schedule with as few preemptions as there are.
struct Minimal {
    failure: Failure,
    token: String,
    trace: Vec<trace::Event>,
    preemptions: usize,
    steps: usize,
}

/// Looks for a schedule that fails like `found` (the same kind) with the fewest preemptions:
/// every schedule with 0 preemptions, then with at most 1, and so on (a bounded depth-first
/// search, [`BoundedDfs`]); among the first bound that fails, the first of the shortest
/// failing schedules met until the first one at least [`Limits::shorten`] executions after the
/// first.
/// `None` when the limits were reached first (the report keeps the schedule it found).
fn minimise<F>(scenario: &str, f: &Arc<F>, found: &Failure, limits: &Limits) -> Option<Minimal>
where
    F: Fn() + Send + Sync + 'static,
{
    let mut spent = 0;
    let started = Instant::now();
    for bound in 0.. {
        let state = Rc::new(RefCell::new(DfsState::default()));
        // The search stops its runner when this bound's share of the budget is spent.
        let dfs = Rc::new(RefCell::new(BoundedDfs::new(
            bound,
            limits.executions - spent,
            Rc::clone(&state),
        )));
        let mut best: Option<Minimal> = None;
        let mut shorten_until = None;
        loop {
            let body = Arc::clone(f);
            let dfs = SharedDfs(Rc::clone(&dfs));
            let (run, _) = run_counted(
                move || body(),
                |body| {
                    Runner::new(dfs, quiet_config()).run(body);
                },
            );
            let executions = state.borrow().executions;
            match run {
                // The bound's schedules or the budget ran out.
                Ok(()) => break,
                Err(failure) if failure.kind == found.kind => {
                    let (preemptions, steps) = {
                        let s = state.borrow();
                        (s.preemptions, s.steps)
                    };
                    let shorter = best.as_ref().is_none_or(|b| steps < b.steps);
                    if shorter {
                        let schedule = serialize_schedule(&CurrentSchedule::get_schedule());
                        best = Some(Minimal {
                            failure,
                            token: Token::new(scenario, &schedule).to_string(),
                            trace: trace::take(),
                            preemptions,
                            steps,
                        });
                    }
                    let until = *shorten_until.get_or_insert(executions + limits.shorten);
                    if executions >= until {
                        break;
                    }
                }
                // Another failure on the way (a deadlock while looking for a panic): not this bug.
                Err(_) => {}
            }
            if started.elapsed() > limits.time {
                break;
            }
        }
        spent += state.borrow().executions;
        // Found; or out of budget; or no schedule was left out for having too many
        // preemptions, so a larger bound has nothing new to try.
        if best.is_some()
            || spent >= limits.executions
            || started.elapsed() > limits.time
            || !dfs.borrow().pruned()
        {
            return best;
        }
    }
    None
}

/// A [`BoundedDfs`] several [`Runner`]s share in turn: a runner stops at the first failure, and
/// the search goes on from there in the next one.
struct SharedDfs(Rc<RefCell<BoundedDfs>>);

impl shuttle::scheduler::Scheduler for SharedDfs {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.0.borrow_mut().new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        self.0
            .borrow_mut()
            .next_task(runnable, current, is_yielding)
    }

    fn next_u64(&mut self) -> u64 {
        self.0.borrow_mut().next_u64()
    }
}

/// Runs the scenario `f`, called `scenario`, once under the schedule that `token` (a
/// [`Report::replay`] from [`explore`]) encodes.
///
/// `Ok` with a failure: the token reproduced it. `Ok` and clean: the run followed the whole
/// schedule (and then finished with no choice left to make) and nothing failed: the scenario's
/// outcome no longer depends on it. The token is checked before anything runs, and the run is
/// checked to follow it step by step.
///
/// # Errors
///
/// * [`ReplayError::Undecodable`]: `token` is not a token.
/// * [`ReplayError::Mismatch`]: it was recorded in another scenario.
/// * [`ReplayError::Diverged`]: it belongs to `scenario`, but the run could not follow its
///   schedule (a thread it names could not run, or steps were missing or left over).
///
/// ```
/// use verisync::check::{explore, replay, ReplayError, Scheduler};
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
/// let found = explore("racy", Scheduler::Random { seed: 7 }, 1000, racy);
/// let token = found.replay.as_deref().unwrap();
/// let again = replay("racy", token, racy).unwrap();
/// assert_eq!(again.failure, found.failure);
///
/// assert!(matches!(replay("other", token, racy), Err(ReplayError::Mismatch { .. })));
/// assert!(matches!(replay("racy", "junk", racy), Err(ReplayError::Undecodable { .. })));
/// ```
pub fn replay<F>(scenario: &str, token: &str, f: F) -> Result<Report, ReplayError>
where
    F: Fn() + Send + Sync + 'static,
{
    let token = Token::parse(token)?;
    if !token.belongs_to(scenario) {
        return Err(ReplayError::Mismatch {
            scenario: scenario.to_owned(),
        });
    }
    let schedule = deserialize_schedule(token.schedule()).ok_or(ReplayError::Undecodable {
        reason: "shuttle cannot read its schedule".to_owned(),
    })?;
    let steps = schedule.steps.len();
    let progress = Rc::new(RefCell::new(Progress::default()));
    let replayer = Replayer {
        data: RandomDataSource::initialize(schedule.seed),
        schedule,
        started: false,
        progress: Rc::clone(&progress),
    };
    let started = Instant::now();
    let (run, schedules) = run_counted(f, |body| {
        Runner::new(replayer, quiet_config()).run(body);
    });
    let elapsed = started.elapsed();
    let progress = progress.take();
    let diverged = |detail: String| ReplayError::Diverged {
        scenario: scenario.to_owned(),
        detail,
    };
    if let Some(detail) = progress.diverged {
        return Err(diverged(detail));
    }
    let failure = run.err();
    if failure.is_none() && progress.at < steps {
        return Err(diverged(format!(
            "the run ended after {} of its {steps} steps",
            progress.at
        )));
    }
    let trace = if failure.is_some() {
        trace::take()
    } else {
        Vec::new()
    };
    Ok(Report {
        failure,
        schedules,
        elapsed,
        replay: Some(token.to_string()),
        trace,
        preemptions: None,
    })
}

fn quiet_config() -> Config {
    let mut config = Config::new();
    // The report carries the token; nothing needs printing.
    config.failure_persistence = FailurePersistence::None;
    config
}

/// Runs `f` through `runner`, starting a fresh [`trace`] before each execution; returns the
/// failure that ended the run, if any, and how many executions ran.
fn run_counted<F, R>(f: F, runner: R) -> (Result<(), Failure>, usize)
where
    F: Fn() + Send + Sync + 'static,
    R: FnOnce(Box<dyn Fn() + Send + Sync>),
{
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let body: Box<dyn Fn() + Send + Sync> = Box::new(move || {
        // Relaxed: a plain tally, read after the runner returns on this same OS thread.
        counter.fetch_add(1, Ordering::Relaxed);
        trace::start();
        f()
    });
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        super::blocked::modelling(|| runner(body))
    }));
    // Relaxed: see above.
    let schedules = count.load(Ordering::Relaxed);
    // shuttle words every deadlock it reports "deadlock! blocked tasks: …" or "deadlock while
    // dropping …"; everything else is a panic of the scenario.
    let outcome = outcome.map_err(Failure::from_panic);
    (outcome, schedules)
}

/// How far a replay followed its schedule.
#[derive(Default)]
struct Progress {
    /// Steps of the schedule taken.
    at: usize,
    /// Where and how the run left the schedule, if it did.
    diverged: Option<String>,
}

/// Replays one schedule, like shuttle's `ReplayScheduler`, but where that one panics when the
/// run leaves the schedule (and the panic reads like a failure of the scenario), this one
/// records where and stops the execution.
struct Replayer {
    schedule: Schedule,
    data: RandomDataSource,
    started: bool,
    progress: Rc<RefCell<Progress>>,
}

impl Replayer {
    fn leave(&self, detail: String) {
        let mut progress = self.progress.borrow_mut();
        if progress.diverged.is_none() {
            progress.diverged = Some(detail);
        }
    }
}

impl shuttle::scheduler::Scheduler for Replayer {
    fn new_execution(&mut self) -> Option<Schedule> {
        if std::mem::replace(&mut self.started, true) {
            return None;
        }
        Some(Schedule::new(self.data.reinitialize()))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        _current: Option<TaskId>,
        _is_yielding: bool,
    ) -> Option<TaskId> {
        let at = self.progress.borrow().at;
        if self.progress.borrow().diverged.is_some() {
            return None;
        }
        let threads = || {
            runnable
                .iter()
                .map(|t| usize::from(t.id()).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.schedule.steps.get(at) {
            // A run that fails records no step past its failure; one that no longer fails there
            // may go on while it has no choice to make (a scenario's main thread finishing, say).
            None if runnable.len() == 1 => Some(runnable[0].id()),
            None => {
                let left = threads();
                self.leave(format!(
                    "its {at} steps ran out while tasks {left} could run"
                ));
                None
            }
            Some(ScheduleStep::Random) => {
                self.leave(format!(
                    "step {at} is a random choice, but the run asked which task runs next"
                ));
                None
            }
            Some(&ScheduleStep::Task(next)) => {
                if runnable.iter().any(|t| t.id() == next) {
                    self.progress.borrow_mut().at += 1;
                    Some(next)
                } else {
                    let left = threads();
                    self.leave(format!(
                        "step {at} runs task {}, but only tasks {left} could run",
                        usize::from(next)
                    ));
                    None
                }
            }
        }
    }

    fn next_u64(&mut self) -> u64 {
        let at = self.progress.borrow().at;
        if matches!(self.schedule.steps.get(at), Some(ScheduleStep::Random)) {
            self.progress.borrow_mut().at += 1;
        } else {
            self.leave(format!(
                "the run asked for a random choice at step {at}, which the schedule does not have"
            ));
        }
        self.data.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::FailureKind;
    use crate::sync::{thread, Arc as SyncArc, Mutex};

    fn racy() {
        let n = SyncArc::new(Mutex::new(0));
        let n2 = SyncArc::clone(&n);
        let t = thread::spawn(move || {
            let seen = *n2.lock();
            *n2.lock() = seen + 1;
        });
        let seen = *n.lock();
        *n.lock() = seen + 1;
        t.join().unwrap();
        assert_eq!(*n.lock(), 2, "lost update");
    }

    fn two_threads_clean() {
        let n = SyncArc::new(Mutex::new(0));
        let n2 = SyncArc::clone(&n);
        let t = thread::spawn(move || *n2.lock() += 1);
        *n.lock() += 1;
        t.join().unwrap();
    }

    #[test]
    fn a_replayed_token_reproduces_its_failure() {
        let found = explore("racy", Scheduler::Pct { seed: 2, depth: 3 }, 1000, racy);
        assert_eq!(found.kind(), Some(FailureKind::Panic));
        let again = replay("racy", found.replay.as_deref().unwrap(), racy).unwrap();
        assert_eq!(again.failure, found.failure);
        assert_eq!(again.schedules, 1);
        assert_eq!(again.replay, found.replay);
    }

    #[test]
    fn a_bad_token_is_an_error_never_a_verdict() {
        let found = explore("racy", Scheduler::Random { seed: 7 }, 1000, racy);
        let token = found.replay.unwrap();
        assert!(matches!(
            replay("racy", "garbage", racy),
            Err(ReplayError::Undecodable { .. })
        ));
        assert!(matches!(
            replay("racy", &token[..token.len() - 2], racy),
            Err(ReplayError::Undecodable { .. })
        ));
        assert_eq!(
            replay("other", &token, racy).unwrap_err(),
            ReplayError::Mismatch {
                scenario: "other".into()
            }
        );
    }

    #[test]
    fn a_schedule_that_no_longer_fits_is_diverged() {
        // The token of a two-thread race, replayed (under the same name) against a scenario
        // with one thread: the schedule names a task that never exists.
        let found = explore("same", Scheduler::Random { seed: 7 }, 1000, racy);
        let token = found.replay.unwrap();
        let err = replay("same", &token, || {}).unwrap_err();
        assert!(matches!(err, ReplayError::Diverged { .. }), "{err:?}");
    }

    #[test]
    fn a_schedule_that_fits_and_fails_nothing_replays_clean() {
        // Record a complete clean run's schedule by failing at its very end.
        let found = explore("clean", Scheduler::Random { seed: 3 }, 1, || {
            two_threads_clean();
            panic!("stop here");
        });
        let token = found.replay.unwrap();
        let again = replay("clean", &token, two_threads_clean).unwrap();
        assert!(again.is_clean(), "{again:?}");
        assert!(again.trace.is_empty());
    }

    std::thread_local! {
        /// The search under test, for a scenario to read its preemptions (shuttle runs every
        /// task of an execution on this OS thread).
        static SEARCH: RefCell<Option<Rc<RefCell<DfsState>>>> = const { RefCell::new(None) };
        /// The preemptions of each execution that lost the update.
        static LOST_AT: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
        /// Each execution's schedule, serialised.
        static SEEN: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    /// `racy`, with three steps per thread so that schedules with 0, 1, 2 and more preemptions
    /// all exist; panics when `panic`, else records the preemptions it took to lose the update.
    fn racy_steps(panic: bool) {
        let n = SyncArc::new(Mutex::new(0));
        let n2 = SyncArc::clone(&n);
        let t = thread::spawn(move || {
            let seen = *n2.lock();
            thread::yield_now();
            *n2.lock() = seen + 1;
        });
        drop(n.lock());
        let seen = *n.lock();
        *n.lock() = seen + 1;
        t.join().unwrap();
        let total = *n.lock();
        if total != 2 {
            if panic {
                panic!("lost update: {total}");
            }
            let preemptions = SEARCH.with(|s| s.borrow().as_ref().unwrap().borrow().preemptions);
            LOST_AT.with(|l| l.borrow_mut().push(preemptions));
        }
    }

    #[test]
    fn a_minimised_failure_has_the_fewest_preemptions_of_all_failing_schedules() {
        // Brute force: every schedule (no bound), noting the preemptions of each one that fails.
        let state = Rc::new(RefCell::new(DfsState::default()));
        SEARCH.with(|s| *s.borrow_mut() = Some(Rc::clone(&state)));
        let all = BoundedDfs::new(usize::MAX, usize::MAX, Rc::clone(&state));
        Runner::new(all, quiet_config()).run(|| racy_steps(false));
        let lost = LOST_AT.with(|l| l.take());
        let executions = state.borrow().executions;
        assert!(
            !lost.is_empty(),
            "{executions} schedules, none lost the update"
        );
        let fewest = *lost.iter().min().unwrap();
        assert!(
            lost.iter().any(|&p| p > fewest),
            "every failing schedule is minimal"
        );

        // The random search finds one; the report's is the minimum.
        let found = explore("racy-steps", Scheduler::Random { seed: 5 }, 1000, || {
            racy_steps(true)
        });
        assert_eq!(found.kind(), Some(FailureKind::Panic));
        assert_eq!(
            found.preemptions,
            Some(fewest),
            "brute force over {executions}"
        );
        // Its token replays the minimal schedule, with the same outcome and trace.
        let token = found.replay.as_deref().unwrap();
        let again = replay("racy-steps", token, || racy_steps(true)).unwrap();
        assert_eq!(again.failure, found.failure);
    }

    #[test]
    fn a_failure_with_no_schedule_to_spare_keeps_the_one_found() {
        // Panics in every schedule, so the minimum is the first, non-preempting one: 0.
        let found = explore("always", Scheduler::Random { seed: 1 }, 10, || {
            two_threads_clean();
            panic!("always");
        });
        assert_eq!(found.preemptions, Some(0));
        assert_eq!(found.schedules, 1);
    }

    fn record_schedule() {
        two_threads_clean();
        let schedule = serialize_schedule(&CurrentSchedule::get_schedule());
        SEEN.with(|s| s.borrow_mut().push(schedule));
    }

    #[test]
    fn shards_of_an_exploration_run_exactly_its_schedules() {
        for scheduler in [
            Scheduler::Random { seed: 9 },
            Scheduler::Pct { seed: 9, depth: 3 },
        ] {
            let whole = explore("shards", scheduler, 450, record_schedule);
            assert_eq!(whole.schedules, 450);
            let mut all = SEEN.with(|s| s.take());
            let mut parts = Vec::new();
            let mut count = 0;
            for i in 1..=3 {
                let shard = Shard::new(i, 3).unwrap();
                count += explore_shard("shards", scheduler, 450, shard, record_schedule).schedules;
                parts.extend(SEEN.with(|s| s.take()));
            }
            assert_eq!(count, 450);
            all.sort();
            parts.sort();
            assert_eq!(parts, all, "{scheduler}");
            // And the schedules differ from one another (not one schedule 450 times).
            all.dedup();
            assert!(all.len() > 2, "{scheduler}: {} distinct", all.len());
        }
    }

    #[test]
    fn each_schedule_draws_its_own_randomness() {
        // shuttle's `rand` draws from the scheduler running the schedule.
        std::thread_local! {
            static DRAWN: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
        }
        let clean = explore("draws", Scheduler::Random { seed: 4 }, 20, || {
            use shuttle::rand::RngCore;
            let drawn = shuttle::rand::thread_rng().next_u64();
            DRAWN.with(|d| d.borrow_mut().push(drawn));
        });
        assert!(clean.is_clean(), "{clean:?}");
        let mut drawn = DRAWN.with(|d| d.take());
        assert_eq!(drawn.len(), 20);
        drawn.sort_unstable();
        drawn.dedup();
        assert!(drawn.len() > 15, "{drawn:?}");
    }

    #[test]
    fn a_bounded_search_reaches_its_bound_and_never_exceeds_it() {
        std::thread_local! {
            /// The most preemptions an execution of the search under test took.
            static MOST: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
        }
        let mut executions = Vec::new();
        for bound in [0, 1, 2, usize::MAX] {
            let state = Rc::new(RefCell::new(DfsState::default()));
            SEARCH.with(|s| *s.borrow_mut() = Some(Rc::clone(&state)));
            MOST.with(|m| m.set(0));
            let dfs = Rc::new(RefCell::new(BoundedDfs::new(
                bound,
                usize::MAX,
                Rc::clone(&state),
            )));
            Runner::new(SharedDfs(Rc::clone(&dfs)), quiet_config()).run(|| {
                racy_steps(false);
                let now = SEARCH.with(|s| s.borrow().as_ref().unwrap().borrow().preemptions);
                MOST.with(|m| m.set(m.get().max(now)));
            });
            LOST_AT.with(|l| l.take());
            let most = MOST.with(std::cell::Cell::get);
            // The decisions of the last execution are counted.
            assert!(state.borrow().steps > 0, "{:?}", state.borrow());
            if bound == usize::MAX {
                assert!(
                    !dfs.borrow().pruned(),
                    "nothing is left out without a bound"
                );
                assert!(most > 2, "{most}");
            } else {
                assert_eq!(most, bound, "the most preemptions under bound {bound}");
                assert!(dfs.borrow().pruned(), "bound {bound} left schedules out");
            }
            executions.push(state.borrow().executions);
        }
        // Each bound explores every schedule of the one below, and more.
        assert!(executions.windows(2).all(|w| w[0] < w[1]), "{executions:?}");
    }

    #[test]
    fn a_bounded_search_hands_a_yield_to_another_thread() {
        // Each thread spins with yields until the other has set its flag: a yield that went back
        // to the yielding thread would spin forever. The spawned thread has the higher id, so
        // its yields wrap around to main.
        let state = Rc::new(RefCell::new(DfsState::default()));
        let dfs = BoundedDfs::new(1, usize::MAX, Rc::clone(&state));
        Runner::new(dfs, quiet_config()).run(|| {
            use crate::sync::atomic::{
                AtomicBool,
                Ordering::{Acquire, Release},
            };
            let spin_until = |flag: &AtomicBool| {
                while !flag.load(Acquire) {
                    thread::yield_now();
                }
            };
            let (ready, go) = (
                SyncArc::new(AtomicBool::new(false)),
                SyncArc::new(AtomicBool::new(false)),
            );
            let (r2, g2) = (SyncArc::clone(&ready), SyncArc::clone(&go));
            let t = thread::spawn(move || {
                r2.store(true, Release);
                spin_until(&g2);
            });
            spin_until(&ready);
            go.store(true, Release);
            t.join().unwrap();
        });
        assert!(state.borrow().executions > 1);
    }

    #[test]
    fn a_bounded_search_draws_the_same_randomness_in_every_execution() {
        // The search replays a recorded path, so a scenario must repeat itself: its random
        // draws too (and they are still random draws, not a constant).
        std::thread_local! {
            static DRAWS: RefCell<Vec<(u64, u64)>> = const { RefCell::new(Vec::new()) };
        }
        let state = Rc::new(RefCell::new(DfsState::default()));
        let dfs = BoundedDfs::new(1, usize::MAX, Rc::clone(&state));
        Runner::new(dfs, quiet_config()).run(|| {
            use shuttle::rand::RngCore;
            two_threads_clean();
            let mut rng = shuttle::rand::thread_rng();
            let drawn = (rng.next_u64(), rng.next_u64());
            DRAWS.with(|d| d.borrow_mut().push(drawn));
        });
        let draws = DRAWS.with(|d| d.take());
        assert!(draws.len() > 1, "{draws:?}");
        assert!(draws.iter().all(|d| *d == draws[0]), "{draws:?}");
        assert_ne!(draws[0].0, draws[0].1);
    }

    /// A failing schedule, as [`Minimal`] holds it: steps, preemptions, and its token in a
    /// scenario called "minimised".
    type Kept = (usize, usize, String);

    /// Every execution of an exhaustive search at `bound` of `scenario`, in the order the search
    /// runs them: `Some` for one that failed, `None` for a clean one.
    fn every_execution(bound: usize, scenario: fn()) -> Vec<Option<Kept>> {
        let state = Rc::new(RefCell::new(DfsState::default()));
        let dfs = Rc::new(RefCell::new(BoundedDfs::new(
            bound,
            usize::MAX,
            Rc::clone(&state),
        )));
        let mut all = Vec::new();
        loop {
            let before = state.borrow().executions;
            let search = SharedDfs(Rc::clone(&dfs));
            let (run, _) = run_counted(scenario, |body| {
                Runner::new(search, quiet_config()).run(body);
            });
            let s = state.borrow();
            let clean = s.executions - before - usize::from(run.is_err());
            all.extend(std::iter::repeat_n(None, clean));
            match run {
                Ok(()) => return all,
                Err(_) => {
                    let schedule = serialize_schedule(&CurrentSchedule::get_schedule());
                    let token = Token::new("minimised", &schedule).to_string();
                    all.push(Some((s.steps, s.preemptions, token)));
                }
            }
        }
    }

    std::thread_local! {
        /// Executions of the scenario under test.
        static CALLS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// A failure of the kind a panic is, to minimise for.
    fn a_panic() -> Failure {
        Failure::from_panic(Box::new("a panic".to_owned()))
    }

    /// Minimises `scenario`'s panic within `limits`: how many executions it ran, and the
    /// schedule it kept.
    fn minimised(scenario: fn(), limits: &Limits) -> (usize, Option<Kept>) {
        CALLS.with(|c| c.set(0));
        let counted = Arc::new(move || {
            CALLS.with(|c| c.set(c.get() + 1));
            scenario();
        });
        let min = minimise("minimised", &counted, &a_panic(), limits);
        let calls = CALLS.with(std::cell::Cell::get);
        (calls, min.map(|m| (m.steps, m.preemptions, m.token)))
    }

    /// A lost update whose failing schedules differ in length: the second thread takes three
    /// more steps when it finds the first one already begun.
    fn lost_update() {
        use crate::sync::atomic::{AtomicBool, Ordering::SeqCst};
        let n = SyncArc::new(Mutex::new(0));
        let begun = SyncArc::new(AtomicBool::new(false));
        let (n1, begun1) = (SyncArc::clone(&n), SyncArc::clone(&begun));
        let t1 = thread::spawn(move || {
            begun1.store(true, SeqCst);
            let seen = *n1.lock();
            *n1.lock() = seen + 1;
        });
        let n2 = SyncArc::clone(&n);
        let t2 = thread::spawn(move || {
            if begun.load(SeqCst) {
                (0..3).for_each(|_| drop(n2.lock()));
            }
            let seen = *n2.lock();
            *n2.lock() = seen + 1;
        });
        t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(*n.lock(), 2, "lost update");
    }

    #[test]
    fn a_minimisation_keeps_the_shortest_failure_of_its_window_within_its_budget() {
        // `lost_update` fails under no schedule without a preemption and under several with one,
        // of different lengths, the first of them not the shortest.
        let bound0 = every_execution(0, lost_update);
        let bound1 = every_execution(1, lost_update);
        assert!(bound0.iter().all(Option::is_none), "{bound0:?}");
        let failing: Vec<(usize, &Kept)> = (1..)
            .zip(bound1.iter())
            .filter_map(|(i, run)| run.as_ref().map(|r| (i, r)))
            .collect();
        assert!(failing.iter().all(|(_, (_, p, _))| *p == 1), "{failing:?}");
        let (first, first_kept) = failing[0];
        // The first of the shortest: a later one as short is not shorter.
        let shortest = failing
            .iter()
            .min_by_key(|(_, (steps, _, _))| *steps)
            .unwrap()
            .1;
        assert!(shortest.0 < first_kept.0, "{failing:?}");
        let tied = failing.iter().filter(|(_, k)| k.0 == shortest.0).count();
        assert!(tied > 1, "{failing:?}");
        let e0 = bound0.len();

        // Time never ends these: the call counts compared are the budget's and the window's.
        let no_deadline = Limits {
            time: Duration::from_secs(60),
            ..MINIMISE
        };
        // What `minimise` is documented to do, from the searches' executions.
        let expected = |budget: usize, shorten: usize| {
            if budget <= e0 {
                return (budget, None);
            }
            let mut best: Option<Kept> = None;
            let mut until = None;
            for (executions, run) in (1..).zip(bound1.iter()).take(budget - e0) {
                if let Some(kept) = run {
                    if best.as_ref().is_none_or(|b| kept.0 < b.0) {
                        best = Some(kept.clone());
                    }
                    if executions >= *until.get_or_insert(executions + shorten) {
                        return (e0 + executions, best);
                    }
                }
            }
            (e0 + bound1.len().min(budget - e0), best)
        };
        let all = bound1.len() + e0;
        let budgets = [
            e0 - 1,
            e0,
            e0 + first - 1,
            e0 + first,
            e0 + first + 2,
            all,
            MINIMISE.executions,
        ];
        for budget in budgets {
            for shorten in [0, 1, 2, 3, 5, 8, bound1.len()] {
                let limits = Limits {
                    executions: budget,
                    shorten,
                    ..no_deadline
                };
                assert_eq!(
                    minimised(lost_update, &limits),
                    expected(budget, shorten),
                    "budget {budget}, shorten {shorten}; bound 0: {e0} executions, bound 1: {failing:?} failed of {}",
                    bound1.len()
                );
            }
        }
        // With no window the first failure is kept; with the whole bound, the shortest.
        let limits = |shorten| Limits {
            shorten,
            ..no_deadline
        };
        assert_eq!(
            minimised(lost_update, &limits(0)).1.as_ref(),
            Some(first_kept)
        );
        assert_eq!(
            minimised(lost_update, &limits(all)).1.as_ref(),
            Some(shortest)
        );
    }

    /// Two threads each take a lock, main joins them and then panics: every schedule fails, and
    /// more than one has no preemption (main blocked in `join` lets either run first).
    fn always_fails() {
        let m = SyncArc::new(Mutex::new(()));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let m = SyncArc::clone(&m);
                thread::spawn(move || drop(m.lock()))
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        panic!("always");
    }

    #[test]
    fn a_minimisation_stops_at_its_time_limit() {
        let bound0 = every_execution(0, always_fails);
        assert!(
            bound0.len() > 1 && bound0.iter().all(Option::is_some),
            "{bound0:?}"
        );
        let no_time = Limits {
            time: Duration::ZERO,
            ..MINIMISE
        };
        // Out of time after its first failure, before its window: that one is kept.
        assert_eq!(minimised(always_fails, &no_time), (1, bound0[0].clone()));
        // Out of time after a bound that found nothing: no schedule, and no further bound.
        let e0 = every_execution(0, lost_update).len();
        assert_eq!(minimised(lost_update, &no_time), (e0, None));
    }

    #[test]
    fn shard_i_of_k_runs_every_kth_block_from_the_ith() {
        let ran = |i| {
            let shard = Shard::new(i, 3).unwrap();
            explore_shard("thirds", Scheduler::Random { seed: 1 }, 450, shard, || {}).schedules
        };
        // Blocks 0 and 3, 1 and 4 (the last, of 50), then 2.
        assert_eq!((ran(1), ran(2), ran(3)), (200, 150, 100));
    }

    /// Panics in every schedule that gets to the end, and deadlocks in those where the two
    /// threads take their two locks in opposite orders at once (which takes a preemption).
    fn deadlocks_or_panics() {
        let (a, b) = (SyncArc::new(Mutex::new(())), SyncArc::new(Mutex::new(())));
        let (a2, b2) = (SyncArc::clone(&a), SyncArc::clone(&b));
        let t = thread::spawn(move || {
            let _b = b2.lock();
            drop(a2.lock());
        });
        {
            let _a = a.lock();
            drop(b.lock());
        }
        t.join().unwrap();
        panic!("got to the end");
    }

    #[test]
    fn a_minimisation_looks_for_the_kind_of_failure_found() {
        let deadlock = explore(
            "either",
            Scheduler::Random { seed: 1 },
            1000,
            deadlocks_or_panics,
        );
        // Every schedule without a preemption panics: the deadlock needs one.
        assert_eq!(deadlock.kind(), Some(FailureKind::Deadlock), "{deadlock:?}");
        assert_eq!(deadlock.preemptions, Some(1));
        let f = Arc::new(deadlocks_or_panics);
        let min = minimise("either", &f, &a_panic(), &MINIMISE).unwrap();
        assert_eq!((min.failure.kind, min.preemptions), (FailureKind::Panic, 0));
    }

    #[test]
    fn a_scheduler_is_named_by_its_kind() {
        // The name heads the explorer's verdict lines; the seed is the report's.
        assert_eq!(Scheduler::Random { seed: 1 }.to_string(), "random");
        assert_eq!(Scheduler::Pct { seed: 1, depth: 2 }.to_string(), "pct(d=2)");
    }

    #[test]
    fn failure_persistence_is_off() {
        // shuttle would print each failing schedule to stderr; the report carries the token.
        assert!(matches!(
            quiet_config().failure_persistence,
            FailurePersistence::None
        ));
    }

    #[test]
    fn a_diverged_replay_says_where_it_left_its_schedule() {
        // A schedule that runs main where main waits for its thread.
        let found = explore("same", Scheduler::Random { seed: 7 }, 1000, racy);
        let err = replay("same", found.replay.as_deref().unwrap(), || {
            thread::spawn(|| {}).join().unwrap();
        })
        .unwrap_err();
        assert_eq!(
            err,
            ReplayError::Diverged {
                scenario: "same".into(),
                detail: "step 2 runs task 0, but only tasks 1 could run".into()
            }
        );
        // A schedule that ends where the scenario still has a choice to make.
        let found = explore("same", Scheduler::Random { seed: 7 }, 1, || {
            panic!("at once")
        });
        let err = replay("same", found.replay.as_deref().unwrap(), two_threads_clean).unwrap_err();
        assert_eq!(
            err,
            ReplayError::Diverged {
                scenario: "same".into(),
                detail: "its 1 steps ran out while tasks 0, 1 could run".into()
            }
        );
    }

    #[test]
    fn a_deadlock_is_reported_as_one() {
        let report = explore("stuck", Scheduler::Random { seed: 1 }, 10, || {
            let m = SyncArc::new(Mutex::new(()));
            let _held = m.lock();
            let m2 = SyncArc::clone(&m);
            thread::spawn(move || drop(m2.lock())).join().unwrap();
        });
        assert_eq!(report.kind(), Some(FailureKind::Deadlock));
        assert_eq!(report.schedules, 1);
    }
}
