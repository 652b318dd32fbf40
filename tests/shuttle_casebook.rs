//! shuttle over the casebook: random and PCT each FIND every broken variant (with the right
//! kind of failure) and replay it from its token; every fixed variant runs its schedules clean.
#![cfg(all(feature = "shuttle", not(loom)))]

use verisync::casebook::{cases, find, Case, Variant};
use verisync::check::{self, ReplayError, Scheduler};

const SCHEDULES: usize = 1000;

fn schedulers() -> [Scheduler; 2] {
    [
        Scheduler::Random { seed: 1 },
        Scheduler::Pct { seed: 1, depth: 3 },
    ]
}

#[test]
fn broken_variants_are_found_by_random_and_pct() {
    for case in cases() {
        for v in case.variants.iter().filter(|v| v.expect.is_some()) {
            for scheduler in schedulers() {
                let report = case.explore(v, scheduler, SCHEDULES);
                println!(
                    "shuttle {}/{} {scheduler}: {:?} after {} schedules",
                    case.name,
                    v.name,
                    report.kind(),
                    report.schedules
                );
                assert_eq!(
                    report.kind(),
                    v.expect,
                    "{}/{} under {scheduler}: {:?}",
                    case.name,
                    v.name,
                    report.failure
                );
                assert!(
                    !report.trace.is_empty(),
                    "{}/{}: no trace",
                    case.name,
                    v.name
                );
                // A deadlock names what each thread holds and waits for; a lock cycle, its
                // cycle; and the schedule shown has the fewest preemptions that fail.
                if let Some(f) = report
                    .failure
                    .as_ref()
                    .filter(|f| f.kind == verisync::check::FailureKind::Deadlock)
                {
                    let named = f.headline();
                    assert!(named.contains(" waits for "), "{}: {named}", case.name);
                    if let Some(cycle) = verisync::casebook::LOCK_CYCLES
                        .iter()
                        .find(|c| c.0 == case.name)
                    {
                        assert!(
                            cycle.1.iter().all(|part| named.contains(part)),
                            "{}: {named}",
                            case.name
                        );
                    }
                }
                assert!(
                    report.preemptions.is_some(),
                    "{}/{}: not minimised",
                    case.name,
                    v.name
                );
                // The token reproduces the same failure and the same interleaving.
                let token = report.replay.as_deref().unwrap();
                let again = case.replay(v, token).unwrap();
                assert_eq!(
                    again.failure, report.failure,
                    "{}/{}: replay",
                    case.name, v.name
                );
                assert_eq!(
                    again.trace, report.trace,
                    "{}/{}: replayed trace",
                    case.name, v.name
                );
            }
        }
    }
}

#[test]
fn fixed_variants_run_clean() {
    for case in cases() {
        for v in case.variants.iter().filter(|v| v.expect.is_none()) {
            for scheduler in schedulers() {
                let report = case.explore(v, scheduler, SCHEDULES);
                assert_eq!(
                    report.failure, None,
                    "{}/{} under {scheduler}",
                    case.name, v.name
                );
                assert!(report.trace.is_empty() && report.replay.is_none());
                assert_eq!(report.schedules, SCHEDULES);
            }
        }
    }
}

/// A token replayed against another variant, even of the same case, is refused before anything
/// runs: never reported as a finding.
#[test]
fn a_token_replays_only_in_its_own_case_and_variant() {
    let lost = find("lost-update").unwrap();
    let deadlock = find("lock-order-deadlock").unwrap();
    let found = deadlock.explore(
        &deadlock.variants[0],
        Scheduler::Random { seed: 1 },
        SCHEDULES,
    );
    let token = found.replay.as_deref().unwrap();
    for (case, v) in [
        (lost, &lost.variants[0]),
        (lost, &lost.variants[1]),
        (deadlock, &deadlock.variants[1]),
    ] {
        assert_eq!(
            case.replay(v, token).unwrap_err(),
            ReplayError::Mismatch {
                scenario: case.scenario(v)
            }
        );
    }
    for bad in ["", "garbage", &token[..token.len() / 2]] {
        assert!(
            matches!(
                deadlock.replay(&deadlock.variants[0], bad),
                Err(ReplayError::Undecodable { .. })
            ),
            "{bad:?}"
        );
    }
}

/// One schedule of `v`, with no spurious wakeups, run to its end and reported as a failure
/// there (`ran to its end`) unless the variant failed before: the first random schedule of
/// seed 1, minimised to its fewest preemptions like every failure explored.
fn run_to_its_end(case: &Case, v: &Variant) -> check::Report {
    verisync::sync::set_spurious_wakeups(0);
    let run = v.run;
    check::explore(
        &case.scenario(v),
        Scheduler::Random { seed: 1 },
        1,
        move || {
            run();
            panic!("ran to its end");
        },
    )
}

/// A token of a complete clean run of `case`'s fixed variant, recorded under its scenario name.
fn clean_token(case: &str) -> String {
    let case = find(case).unwrap();
    let fixed = case.variants.iter().find(|v| v.expect.is_none()).unwrap();
    let report = run_to_its_end(case, fixed);
    report.replay.expect("the recording fails at its end")
}

#[test]
fn a_token_that_fits_and_fails_nothing_replays_clean() {
    let case = find("lost-update").unwrap();
    let report = case
        .replay(&case.variants[1], &clean_token("lost-update"))
        .unwrap();
    assert!(report.is_clean(), "{:?}", report.failure);
}

// ---- The explorer binary, run as a user runs it. ----

use std::process::Command;

/// Runs the explorer with `args`; returns its exit code, stdout and stderr.
fn explorer(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_verisync-explorer"))
        .args(args)
        .output()
        .expect("the explorer runs");
    (
        out.status.code().expect("the explorer exits, not killed"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The token printed on the `replay:` line of `case`'s broken variant.
fn printed_token(case: &str) -> String {
    let (code, out, err) = explorer(&["--case", case, "--schedules", "1000"]);
    assert_eq!(code, 0, "exploring {case}:\n{out}\n{err}");
    out.lines()
        .find_map(|l| l.split(" --replay ").nth(1))
        .unwrap_or_else(|| panic!("no replay line for {case}:\n{out}"))
        .trim()
        .to_owned()
}

/// What shuttle itself prints about a failure; none of it may reach the user.
fn assert_no_shuttle_chatter(stderr: &str) {
    for noise in [
        "panicked",
        "Task failed",
        "Test deadlocked",
        "deadlock!",
        "failing schedule",
        "Task {",
    ] {
        assert!(
            !stderr.contains(noise),
            "shuttle's {noise:?} on stderr:\n{stderr}"
        );
    }
}

#[test]
fn replay_that_reproduces_the_failure_exits_0_and_prints_the_table() {
    for case in ["lost-update", "lock-order-deadlock"] {
        let token = printed_token(case);
        let (code, out, err) =
            explorer(&["--case", case, "--variant", "broken", "--replay", &token]);
        assert_eq!(code, 0, "{case}:\n{out}\n{err}");
        assert!(
            out.contains("T1") && out.contains("T2"),
            "{case}: no table:\n{out}"
        );
        assert!(
            out.contains(&token),
            "{case}: the replay line is missing:\n{out}"
        );
        assert_no_shuttle_chatter(&err);
    }
}

#[test]
fn replay_of_an_undecodable_token_exits_2_and_says_it_does_not_decode() {
    let token = printed_token("lost-update");
    let truncated = &token[..token.len() / 2];
    let last_gone = &token[..token.len() - 2];
    for bad in [
        "garbage",
        "",
        "91",
        "0123456789abcdef",
        truncated,
        last_gone,
    ] {
        let (code, out, err) = explorer(&[
            "--case",
            "lost-update",
            "--variant",
            "broken",
            "--replay",
            bad,
        ]);
        assert_eq!(code, 2, "{bad:?}:\n{out}\n{err}");
        assert!(err.contains("this token does not decode"), "{bad:?}: {err}");
        assert!(!out.contains('→'), "{bad:?}: a table was printed:\n{out}");
        assert_no_shuttle_chatter(&err);
    }
}

#[test]
fn replay_of_another_variants_token_exits_2_and_names_the_mismatch() {
    let deadlock = printed_token("lock-order-deadlock");
    for (case, variant) in [
        ("lost-update", "broken"),
        ("lost-update", "fixed"),
        ("lock-order-deadlock", "fixed-order"),
    ] {
        let (code, out, err) =
            explorer(&["--case", case, "--variant", variant, "--replay", &deadlock]);
        assert_eq!(code, 2, "{case}/{variant}:\n{out}\n{err}");
        assert!(
            err.contains(&format!(
                "this token does not belong to case {case} variant {variant}"
            )),
            "{case}/{variant}: {err}"
        );
        assert!(
            err.contains("lock-order-deadlock variant broken"),
            "{case}/{variant}: the token's own case is not named: {err}"
        );
        assert!(
            !out.contains('→'),
            "{case}/{variant}: a table was printed:\n{out}"
        );
        assert!(
            out.len() + err.len() < 2000,
            "{case}/{variant}: a dump:\n{out}\n{err}"
        );
    }
}

#[test]
fn replay_that_runs_clean_exits_1() {
    let token = clean_token("lost-update");
    let (code, out, err) = explorer(&[
        "--case",
        "lost-update",
        "--variant",
        "fixed",
        "--replay",
        &token,
    ]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("reproduced no failure"), "{out}");
    assert_no_shuttle_chatter(&err);
}

#[test]
fn help_prints_usage_to_stdout_and_exits_0() {
    for flag in ["--help", "-h"] {
        let (code, out, err) = explorer(&[flag]);
        assert_eq!(code, 0, "{flag}: {err}");
        assert!(out.contains("usage: verisync-explorer"), "{flag}: {out}");
        assert!(err.is_empty(), "{flag}: {err}");
    }
    let (code, out, err) = explorer(&["--no-such-flag"]);
    assert_eq!(code, 2);
    assert!(
        out.is_empty() && err.contains("usage: verisync-explorer"),
        "{err}"
    );
}

#[test]
fn variant_without_replay_explores_only_that_variant() {
    let (code, out, err) = explorer(&["--case", "lock-order-deadlock", "--variant", "fixed-order"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("  fixed-order — "), "{out}");
    assert!(
        !out.contains("  broken — ") && !out.contains("  fixed-timeout — "),
        "{out}"
    );
    // One variant, two schedulers: two runs in the progress count (with two variants, as in
    // the test above, `variants × schedulers` and `variants + schedulers` are both 4).
    assert!(
        err.contains("\r[2/2] lock-order-deadlock / fixed-order / pct(d=3)"),
        "{err:?}"
    );
    assert!(out.contains("0/0 broken variants found"), "{out}");
    assert!(out.contains("1/1 fixed variants clean"), "{out}");

    // Without --case, every case that has the variant.
    let (code, out, err) = explorer(&["--variant", "broken", "--schedules", "200"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains("  fixed — "), "{out}");
    let broken = cases()
        .iter()
        .filter(|c| c.variant("broken").is_some())
        .count();
    assert!(
        out.contains(&format!("{broken}/{broken} broken variants found")),
        "{out}"
    );
    assert!(out.contains("0/0 fixed variants clean"), "{out}");
    assert_no_shuttle_chatter(&err);

    // A variant that no selected case has is a usage error.
    let (code, _, err) = explorer(&["--case", "lost-update", "--variant", "fixed-order"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("lost-update has no variant \"fixed-order\""),
        "{err}"
    );
}

#[test]
fn exploring_shows_progress_on_stderr_and_each_failure_once() {
    let (code, out, err) = explorer(&["--case", "lost-update", "--schedules", "200"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for (n, what) in [
        (1, "broken / random"),
        (2, "broken / pct(d=3)"),
        (3, "fixed / random"),
        (4, "fixed / pct(d=3)"),
    ] {
        assert!(
            err.contains(&format!("\r[{n}/4] lost-update / {what}")),
            "{err:?}"
        );
    }
    assert_no_shuttle_chatter(&err);
    // The broken variant's interleaving once, though both schedulers found it; none for the
    // fixed variant.
    assert_eq!(out.matches("in one line:").count(), 1, "{out}");
    assert_eq!(out.matches("replay: cargo run").count(), 1, "{out}");
    // The summary counts every schedule the verdict lines report.
    let reported: usize = out
        .lines()
        .filter_map(|l| {
            let after = l
                .split_once("found at schedule ")
                .or_else(|| l.split_once("clean after "))?
                .1;
            after.split(' ').next()?.parse::<usize>().ok()
        })
        .sum();
    assert!(reported > 400, "{out}");
    assert!(
        out.contains(&format!("clean; {reported} schedules in ")),
        "{reported}: {out}"
    );
}

#[test]
fn list_names_every_case_and_variant_with_what_it_expects() {
    let (code, out, err) = explorer(&["--list"]);
    assert_eq!(code, 0, "{err}");
    for case in cases() {
        assert!(
            out.contains(&format!("{:<22} {}\n", case.name, case.notes)),
            "{}: {out}",
            case.name
        );
        for v in case.variants {
            let expect = match v.expect {
                Some(check::FailureKind::Deadlock) => "broken: a deadlock",
                Some(_) => "broken: a race",
                None => "fixed",
            };
            assert!(
                out.contains(&format!("    {:<14} {expect:<16} {}\n", v.name, v.describe)),
                "{}/{}: {out}",
                case.name,
                v.name
            );
        }
    }
}

/// `lost-wakeup/broken` waits with `if` instead of `while`: shuttle finds it only because the
/// facade injects spurious wakeups (the variant asks for one per thread and execution). With
/// none, every wakeup follows the producer's notify, and no schedule fails.
#[test]
fn lost_wakeup_with_if_is_found_only_with_spurious_wakeups() {
    let case = find("lost-wakeup").unwrap();
    let broken = case.variant("broken").unwrap();
    assert_eq!(broken.spurious, 1);
    for scheduler in schedulers() {
        verisync::sync::set_spurious_wakeups(0);
        let report = check::explore(&case.scenario(broken), scheduler, 1000, broken.run);
        assert_eq!(
            report.kind(),
            None,
            "{scheduler}: found without spurious wakeups"
        );
        let report = case.explore(broken, scheduler, 1000);
        assert_eq!(
            report.kind(),
            Some(check::FailureKind::Panic),
            "{scheduler}"
        );
    }
}

/// The learner's one-line trace of [`run_to_its_end`] and how it ended, with its preemptions.
fn one_run(case: &Case, v: &Variant) -> String {
    let report = run_to_its_end(case, v);
    let failure = report
        .failure
        .expect("every run fails, at its end if not before");
    let preemptions = report.preemptions.expect("minimised");
    let shown = format!(
        "{} ({preemptions} preemptions)",
        check::trace::line(&report.trace, failure.headline())
    );
    // The line a lock was made on moves with every edit of its file: not part of the lesson.
    let mut parts = shown.split(".rs:");
    let mut out = parts.next().unwrap_or_default().to_owned();
    for part in parts {
        out.push_str(".rs");
        out.push_str(part.trim_start_matches(|c: char| c.is_ascii_digit()));
    }
    out
}

/// What each variant does in one schedule: the steps of its lesson and its outcome. The tests
/// above say that a broken variant fails under some schedule and a fixed one under none; this
/// says that each does the work its description promises (a fixed variant that skipped its
/// work, or a broken one that failed for a reason other than its race, passes those).
#[test]
fn each_variant_takes_the_steps_of_its_lesson() {
    let expected: &[(&str, &str, &str)] = &[
        ("lost-update", "broken", "T1 reads 0 | T1 writes 1 | T2 reads 1 | T2 writes 2 → ran to its end (0 preemptions)"),
        ("lost-update", "fixed", "T1 deposits 1 (balance 1) | T2 deposits 1 (balance 2) → ran to its end (0 preemptions)"),
        ("check-then-act", "broken", "T1 sees 1 left | T1 sells one (0 left) | T2 sees 0 left → ran to its end (0 preemptions)"),
        ("check-then-act", "fixed", "T1 sees 1 left | T1 sells one (0 left) | T2 sees 0 left → ran to its end (0 preemptions)"),
        ("lock-order-deadlock", "broken", "T2 locks b | T2 asks for a | T1 locks a | T1 asks for b → T1 holds `a` and waits for `b`; T2 holds `b` and waits for `a` (1 preemptions)"),
        ("lock-order-deadlock", "fixed-order", "T2 locks a | T2 asks for b | T2 locks b | T1 locks a | T1 asks for b | T1 locks b → ran to its end (0 preemptions)"),
        ("lock-order-deadlock", "fixed-timeout", "T2 locks b | T2 asks for a, for 10 ms | T2 locks a | T1 locks a | T1 asks for b | T1 locks b → ran to its end (0 preemptions)"),
        ("self-deadlock", "broken", "T1 asks for the lock (level 1) | T1 locks (level 1) | T1 asks for the lock (level 0) | T2 asks for the lock (level 1) → T1 holds the Mutex made at src/casebook/self_deadlock.rs and waits for the Mutex made at src/casebook/self_deadlock.rs, which it holds itself (0 preemptions)"),
        ("self-deadlock", "fixed", "T1 locks (level 1, held 1x) | T1 locks (level 0, held 2x) | T2 locks (level 1, held 1x) | T2 locks (level 0, held 2x) → ran to its end (0 preemptions)"),
        ("self-transfer", "broken", "T1 locks a | T1 asks for a → T1 holds the Mutex made at src/casebook/self_transfer.rs and waits for the Mutex made at src/casebook/self_transfer.rs, which it holds itself (0 preemptions)"),
        ("self-transfer", "fixed", "T1 transfers a -> a | T2 transfers a -> b → ran to its end (0 preemptions)"),
        ("semaphore-over-release", "broken", "T1 releases without acquiring (2 permits free) | T1 enters (1 inside) | T1 leaves | T2 enters (1 inside) | T2 leaves → ran to its end (0 preemptions)"),
        ("semaphore-over-release", "fixed", "T1 release refused: released too many times: 1 permits free + 1 released would exceed the bound of 1 | T1 enters (1 inside) | T1 leaves | T2 enters (1 inside) | T2 leaves → ran to its end (0 preemptions)"),
        ("missing-sentinel", "broken", "T2 calls get() | T1 puts 1 | T2 gets 1 | T2 calls get() | T1 puts 2 | T1 finishes without a word | T2 gets 2 | T2 calls get() → T2 waits for an item from the BoundedQueue made at src/casebook/missing_sentinel.rs (0 preemptions)"),
        ("missing-sentinel", "fixed", "T2 calls get() | T1 puts 1 | T2 gets 1 | T2 calls get() | T1 puts 2 | T1 closes the queue | T2 gets 2 | T2 calls get() | T2 sees closed, stops → ran to its end (0 preemptions)"),
        ("empty-then-get", "broken", "T1 sees 1 item, calls get() | T1 gets 1 | T1 sees 0 items, stops | T2 sees 0 items, stops → ran to its end (0 preemptions)"),
        ("empty-then-get", "fixed", "T1 gets 1 | T1 finds it empty, stops | T2 finds it empty, stops → ran to its end (0 preemptions)"),
        ("forgotten-task-done", "broken", "T1 puts job 1 | T1 puts job 2 | T1 calls join() | T2 calls get() | T2 gets job 1, does it | T2 forgets task_done() | T2 calls get() | T2 gets job 2, does it | T2 forgets task_done() | T2 calls get() → T1 waits for every task done of the JoinableQueue made at src/casebook/forgotten_task_done.rs; T2 waits for an item from the JoinableQueue made at src/casebook/forgotten_task_done.rs (0 preemptions)"),
        ("forgotten-task-done", "fixed", "T1 puts job 1 | T1 puts job 2 | T1 calls join() | T2 calls get() | T2 gets job 1, does it | T2 calls task_done() | T2 calls get() | T2 gets job 2, does it | T2 calls task_done() | T2 calls get() | T1 join returns: 2 of 2 jobs finished | T2 sees closed, stops → ran to its end (0 preemptions)"),
        ("timer-cancel-race", "broken", "T1 cancel(): sets the flag, answers \"cancelled\" | T2 delay over: looks at the cancel flag → ran to its end (0 preemptions)"),
        ("timer-cancel-race", "fixed", "T1 cancel() -> true | T1 join() -> None → ran to its end (0 preemptions)"),
        ("join-before-close", "broken", "T1 apply_async(task 1) | T1 join(), without close() | T2 runs task 1, waits for the next → T2 waits for an item from the BoundedQueue made at src/casebook/join_before_close.rs (0 preemptions)"),
        ("join-before-close", "fixed", "T1 apply_async(task 1) | T1 join() before close(): refused | T1 close() | T1 join(): the queued task ran, the workers exited → ran to its end (0 preemptions)"),
        ("lost-wakeup", "broken", "T2 no item: waits (`if`: once) | T1 puts item 1, notifies (wakes 1) | T2 wakes, does not look again | T2 takes item 1 → ran to its end (0 preemptions)"),
        ("lost-wakeup", "broken-early-notify", "T2 waits for the notify (no look first) | T1 puts item 1, notifies (wakes 1) | T2 wakes, takes Some(1) → ran to its end (0 preemptions)"),
        ("lost-wakeup", "fixed", "T2 no item: waits | T1 puts item 1, notifies (wakes 1) | T2 wakes, looks again | T2 takes item 1 → ran to its end (0 preemptions)"),
        ("non-linearizable-queue", "broken", "T1 puts 1 into lane 0 | T2 puts 2 into lane 1 | T3 gets 2 (the hinted lane, 1) | T3 gets 1 (the other lane, 0) → got [2, 1]: nothing lost, but no FIFO order explains it (0 preemptions)"),
        ("non-linearizable-queue", "fixed", "T1 puts 1 | T2 puts 2 | T3 gets 1 | T3 gets 2 → ran to its end (0 preemptions)"),
    ];
    let mut missing = Vec::new();
    for case in cases() {
        for v in case.variants {
            let got = one_run(case, v);
            match expected.iter().find(|e| e.0 == case.name && e.1 == v.name) {
                Some(e) => assert_eq!(got, e.2, "{}/{}", case.name, v.name),
                None => missing.push(format!("(\"{}\", \"{}\", {got:?}),", case.name, v.name)),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no expected run for:\n{}",
        missing.join("\n")
    );
}
