//! shuttle over the casebook: random and PCT each FIND every broken variant (with the right
//! kind of failure) and replay it from its token; every fixed variant runs its schedules clean.
#![cfg(all(feature = "shuttle", not(loom)))]

use verisync::casebook::{cases, find};
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

/// A token of a complete clean run of `case`'s fixed variant: the schedule of an exploration
/// that fails only at its very end, recorded under the fixed variant's scenario name.
fn clean_token(case: &str) -> String {
    let case = find(case).unwrap();
    let fixed = case.variants.iter().find(|v| v.expect.is_none()).unwrap();
    let run = fixed.run;
    let report = check::explore(
        &case.scenario(fixed),
        Scheduler::Random { seed: 1 },
        1,
        move || {
            run();
            panic!("end of the recorded run");
        },
    );
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
