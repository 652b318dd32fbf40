//! `check::run` and `check::Builder` (issue 14): one scenario, written once against the facade,
//! checked in whichever world the build is — `cargo test`, `RUSTFLAGS="--cfg loom" cargo test`,
//! `cargo test --features shuttle` all run this file.

#[cfg(any(loom, feature = "shuttle"))]
use verisync::check::FailureKind;
use verisync::check::{self, Builder};
use verisync::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use verisync::sync::{thread, Arc};

/// Two threads add 1 each: with one `fetch_add` (fixed) or a load and a store (racy).
fn increments(racy: bool) -> impl Fn() + Send + Sync + 'static {
    fn bump(n: &AtomicUsize, racy: bool) {
        if racy {
            let v = n.load(Relaxed);
            n.store(v + 1, Relaxed);
        } else {
            n.fetch_add(1, Relaxed);
        }
    }
    move || {
        let n = Arc::new(AtomicUsize::new(0));
        let t = {
            let n = Arc::clone(&n);
            thread::spawn(move || bump(&n, racy))
        };
        bump(&n, racy);
        t.join().unwrap();
        assert_eq!(n.load(Relaxed), 2, "lost update");
    }
}

/// Two threads take two locks in opposite orders.
#[cfg(any(loom, feature = "shuttle"))]
fn opposite_lock_orders() {
    use verisync::Mutex;
    let (a, b) = (
        Arc::new(Mutex::new(()).named("a")),
        Arc::new(Mutex::new(()).named("b")),
    );
    let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
    let t = thread::spawn(move || {
        let _b = b2.lock();
        let _a = a2.lock();
    });
    {
        let _a = a.lock();
        let _b = b.lock();
    }
    t.join().unwrap();
}

#[test]
fn the_fixed_scenario_passes_in_every_world() {
    check::run(increments(false));
}

#[test]
fn a_clean_report_counts_the_whole_budget() {
    let report = Builder::new("fixed")
        .iterations(20)
        .schedules(20)
        .explore(increments(false));
    assert!(report.is_clean(), "{report:?}");
    assert!(report.replay.is_none() && report.trace.is_empty());
    if verisync::sync::BACKEND == "std" {
        assert_eq!(report.schedules, 20);
    } else if verisync::sync::BACKEND == "shuttle" {
        assert_eq!(report.schedules, 40, "random, then PCT");
    } else {
        assert!(report.schedules > 1, "loom explored one execution");
    }
}

#[cfg(any(loom, feature = "shuttle"))]
#[test]
fn the_racy_scenario_is_found_under_a_model() {
    let report = Builder::new("racy").explore(increments(true));
    assert_eq!(report.kind(), Some(FailureKind::Panic), "{report:?}");
    assert!(report.failure.unwrap().message.contains("lost update"));
    // Under shuttle the failure can be replayed from its token.
    if let Some(token) = report.replay {
        #[cfg(feature = "shuttle")]
        assert!(check::replay("racy", &token, increments(true))
            .unwrap()
            .kind()
            .is_some());
        let _ = token;
    }
}

#[cfg(any(loom, feature = "shuttle"))]
#[test]
#[should_panic(expected = "racy: panic: assertion `left == right` failed: lost update")]
fn run_fails_the_test_naming_the_scenario_and_the_failure() {
    Builder::new("racy").run(increments(true));
}

#[cfg(any(loom, feature = "shuttle"))]
#[test]
fn a_lock_order_deadlock_is_found_as_a_deadlock() {
    let report = Builder::new("lock-order").explore(opposite_lock_orders);
    assert_eq!(report.kind(), Some(FailureKind::Deadlock), "{report:?}");
    // The report names the cycle: each thread, what it holds and what it waits for, the locks
    // by the names they were given.
    let named = report.failure.unwrap();
    let named = named.headline();
    assert!(named.contains("holds `a` and waits for `b`"), "{named}");
    assert!(named.contains("holds `b` and waits for `a`"), "{named}");
    // One preemption is the fewest that deadlocks (each thread takes its first lock).
    assert_eq!(report.preemptions, Some(1), "{named}");
}

/// A loom report counts every execution it ran, those at the lower bounds that find the
/// failure's fewest preemptions included.
#[cfg(loom)]
#[test]
fn a_loom_report_counts_every_execution_it_ran() {
    use std::sync::atomic::{AtomicUsize as StdAtomic, Ordering as StdOrdering};
    // A std counter: it outlives the executions and is no part of the model.
    static RUNS: StdAtomic = StdAtomic::new(0);
    let racy = increments(true);
    let report = Builder::new("racy").explore(move || {
        // Relaxed: a tally on the checker's one OS thread.
        RUNS.fetch_add(1, StdOrdering::Relaxed);
        racy()
    });
    assert!(report.kind().is_some(), "{report:?}");
    // Relaxed: as above.
    let runs = RUNS.load(StdOrdering::Relaxed);
    assert_eq!(report.schedules, runs, "{report:?}");
}

#[cfg(any(loom, feature = "shuttle"))]
#[test]
fn the_racy_scenario_is_shown_with_its_fewest_preemptions() {
    let report = Builder::new("racy").explore(increments(true));
    // shuttle's threads see every store at once: the lost update needs one thread stopped
    // between its load and its store. loom models Relaxed memory: the spawned thread may load
    // the 0 that main's store has not yet replaced for it, with no preemption at all.
    let fewest = if cfg!(loom) { 0 } else { 1 };
    assert_eq!(report.preemptions, Some(fewest), "{report:?}");
}

#[test]
fn a_shard_runs_its_share() {
    use verisync::check::Shard;
    let report = Builder::new("shard")
        .iterations(20)
        .schedules(300)
        .shard(Shard::new(2, 4).unwrap())
        .explore(increments(false));
    assert!(report.is_clean(), "{report:?}");
    match verisync::sync::BACKEND {
        "std" => assert_eq!(report.schedules, 5),
        // Block 1 of blocks 0..3, under random and under PCT.
        "shuttle" => assert_eq!(report.schedules, 200),
        // loom's search is whole in shard 1 and nothing in the others.
        _ => assert_eq!(report.schedules, 0),
    }
}

/// The std stress run stalls threads at the facade's synchronisation points, so a race of two
/// short threads on 2 cores is found in a few iterations (a load and a store a nanosecond
/// apart: never found in 1,000,000 iterations without the stalls; 1–42 with them, measured).
#[cfg(not(any(loom, feature = "shuttle")))]
#[test]
fn the_std_stress_run_finds_the_two_thread_race() {
    let report = Builder::new("racy")
        .iterations(5_000)
        .explore(increments(true));
    assert_eq!(report.kind(), Some(check::FailureKind::Panic), "{report:?}");
}

#[test]
#[should_panic(expected = "scenario: panic: always")]
fn check_run_fails_the_test_when_the_scenario_fails_in_every_world() {
    check::run(|| panic!("always"));
}

#[test]
fn a_scenario_with_one_thread_is_clean_in_every_world() {
    // shuttle's PCT refuses a closure that never runs two threads; `check` counts it clean.
    check::run(|| assert_eq!(1 + 1, 2));
}

#[test]
fn a_time_limit_ends_a_clean_exploration_early() {
    use std::time::Duration;
    let report = Builder::new("limited")
        .iterations(10_000_000)
        .schedules(10_000_000)
        .time_limit(Duration::from_millis(300))
        .explore(increments(false));
    assert!(report.is_clean(), "{report:?}");
    // Generous: the limit is checked between runs, and shuttle checks it per scheduler.
    assert!(report.elapsed < Duration::from_secs(20), "{report:?}");
    if verisync::sync::BACKEND != "loom" {
        // loom may exhaust this small model before the limit; the others never would. They
        // explore until the limit, not short of it.
        assert!(report.schedules < 10_000_000, "{report:?}");
        assert!(report.schedules > 0, "{report:?}");
        assert!(report.elapsed >= Duration::from_millis(300), "{report:?}");
    }
}

#[test]
fn each_setter_sets_its_own_setting() {
    use std::time::Duration;
    use verisync::check::Shard;
    let b = Builder::new("s")
        .iterations(7)
        .preemptions(2)
        .schedules(9)
        .seed(11)
        .shard(Shard::new(2, 4).unwrap())
        .time_limit(Duration::from_secs(60));
    let shown = format!("{b:?}");
    for setting in [
        "name: \"s\"",
        "iterations: 7",
        "preemptions: 2",
        "schedules: 9",
        "seed: 11",
        "index: 2, count: 4",
        "time_limit: Some(60s)",
    ] {
        assert!(shown.contains(setting), "{setting} not in {shown}");
    }
}

/// In std a failure found by the stress run fails the test too, and says where to see the
/// interleaving (real threads leave no trace).
#[cfg(not(any(loom, feature = "shuttle")))]
#[test]
#[should_panic(
    expected = "always: panic: boom (found by std after 1 iterations)\nto see the interleaving, \
                run the test with `--features shuttle`"
)]
fn run_fails_the_test_in_std_and_says_where_to_see_the_interleaving() {
    Builder::new("always").run(|| panic!("boom"));
}

/// `VERISYNC_REPLAY` replays the token's own scenario instead of exploring it. Run in a child
/// process: setting an environment variable while other tests read theirs is not safe.
#[cfg(feature = "shuttle")]
#[test]
fn verisync_replay_replays_the_scenario_it_belongs_to() {
    let found = Builder::new("replayed").explore(increments(true));
    let token = found.replay.expect("a token");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["replay_child", "--exact", "--ignored", "--nocapture"])
        .env("VERISYNC_REPLAY", &token)
        .output()
        .expect("the test binary runs itself");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("REPLAYED 1 schedule: panic"), "{text}");
}

/// The child of the test above.
#[cfg(feature = "shuttle")]
#[test]
#[ignore = "run by verisync_replay_replays_the_scenario_it_belongs_to with VERISYNC_REPLAY set"]
fn replay_child() {
    let replayed = Builder::new("replayed").explore(increments(true));
    // Another scenario of the same run is explored as usual: the token is not its own.
    let other = Builder::new("other")
        .schedules(10)
        .explore(increments(false));
    assert_eq!(other.schedules, 20);
    println!(
        "REPLAYED {} schedule: {}",
        replayed.schedules,
        replayed.kind().map_or("clean".into(), |k| k.to_string())
    );
}

/// Each of two threads adds a random 1–3 (drawn from shuttle's randomness, as a user's random
/// workload would be) to a counter it reads and writes under separate locks: a lost update.
#[cfg(feature = "shuttle")]
fn drawing_race() {
    use shuttle::rand::{thread_rng, Rng};
    use verisync::sync::Mutex;
    let counter = Arc::new(Mutex::new(0u32));
    let adders: Vec<_> = (1..=2)
        .map(|t| {
            let c = Arc::clone(&counter);
            thread::spawn(move || {
                let add: u32 = thread_rng().gen_range(1..4);
                let seen = *c.lock();
                check::trace::event(t, format!("draws {add}, reads {seen}"));
                *c.lock() = seen + add;
                add
            })
        })
        .collect();
    let total: u32 = adders.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(*counter.lock(), total, "lost update");
}

/// The minimising search and the replay draw what the failing schedule drew: the report's
/// trace (draws included) is the one its token replays.
#[cfg(feature = "shuttle")]
#[test]
fn a_drawing_scenario_replays_its_minimised_failure_with_the_same_draws() {
    for seed in 0..20 {
        let found = check::explore(
            "drawing",
            check::Scheduler::Random { seed },
            1000,
            drawing_race,
        );
        assert_eq!(found.kind(), Some(FailureKind::Panic), "seed {seed}");
        assert_eq!(found.preemptions, Some(1), "seed {seed}: {:?}", found.trace);
        let token = found.replay.as_deref().unwrap();
        let again = check::replay("drawing", token, drawing_race).unwrap();
        assert_eq!(again.failure, found.failure, "seed {seed}");
        assert_eq!(again.trace, found.trace, "seed {seed}");
    }
}
