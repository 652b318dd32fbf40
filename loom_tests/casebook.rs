//! loom over the casebook: every broken variant is FOUND (with the right kind of failure), every
//! fixed variant is explored to exhaustion without one.
//!
//! A broken variant fails inside loom, and loom's deadlock panic can unwind through loom objects
//! and abort the process; so each broken variant runs in a child process (this same test
//! binary, running the ignored `child` test), and the parent reads its verdict from the output.
#![cfg(loom)]

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use verisync::casebook::{cases, find};
use verisync::check::{Builder, Failure, FailureKind};

/// The preemption bound of the casebook models (2–3 keeps a loom model fast; see the README).
const PREEMPTIONS: usize = 3;

/// The bound for a variant explored with `spurious` wakeups per thread: one lower with any.
/// Each injected wakeup is a choice at every point a thread waits, which multiplies the
/// interleavings: lost-wakeup's fix (the only such variant) takes 46,196 executions and about
/// three minutes of the gate's debug build at bound 3, 2,739 and 3 s at bound 2. Its broken
/// variants fail with 0 and 1 preemptions, so bound 2 still covers their depth with one to spare.
fn bound(spurious: u32) -> usize {
    if spurious > 0 {
        PREEMPTIONS - 1
    } else {
        PREEMPTIONS
    }
}

/// Explores `run` to exhaustion under preemption bound `bound`; returns the number of executions.
fn exhaust(run: fn(), bound: usize) -> usize {
    let count = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&count);
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(bound);
    builder.check(move || {
        // Relaxed: a tally; loom runs every execution on this OS thread.
        c.fetch_add(1, Ordering::Relaxed);
        run()
    });
    // Relaxed: as above.
    count.load(Ordering::Relaxed)
}

#[test]
fn every_fixed_variant_is_clean_under_every_interleaving() {
    for case in cases() {
        for v in case.variants.iter().filter(|v| v.expect.is_none()) {
            // The spurious wakeups the variant is explored with (lost-wakeup's fix: proven
            // clean with them injected).
            verisync::sync::set_spurious_wakeups(v.spurious);
            let bound = bound(v.spurious);
            let start = Instant::now();
            let n = exhaust(v.run, bound);
            println!(
                "loom {}/{}: clean in {n} executions, {:?} (preemption bound {bound})",
                case.name,
                v.name,
                start.elapsed()
            );
            assert!(
                n > 1,
                "{}/{} explored only {n} execution",
                case.name,
                v.name
            );
        }
    }
}

/// What the child process reported about a broken variant, explored with `spurious` wakeups per
/// thread and execution (`VERISYNC_SPURIOUS`: under loom the facade injects none unless asked).
fn run_child(case: &str, variant: &str, spurious: u32) -> (Option<FailureKind>, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("VERISYNC_CASE", case)
        .env("VERISYNC_VARIANT", variant)
        .env("RUST_BACKTRACE", "0")
        .env("VERISYNC_SPURIOUS", spurious.to_string())
        .output()
        .expect("the test binary runs itself");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let found = if out.status.success() && text.contains("VERDICT clean") {
        None
    } else if text.contains("deadlock; threads") {
        Some(FailureKind::Deadlock)
    } else if text.contains("VERDICT race") || text.contains("panicked") {
        Some(FailureKind::Panic)
    } else {
        panic!("the child for {case}/{variant} said nothing readable:\n{text}");
    };
    (found, text)
}

#[test]
fn every_broken_variant_is_found_with_its_kind() {
    for case in cases() {
        for v in case.variants.iter() {
            let Some(expect) = v.expect else { continue };
            let start = Instant::now();
            let (found, text) = run_child(case.name, v.name, v.spurious);
            let at = text
                .lines()
                .find_map(|l| l.split("LOOM found at execution ").nth(1))
                .unwrap_or("?")
                .to_owned();
            println!(
                "loom {}/{}: {} found at execution {at}, {:?}",
                case.name,
                v.name,
                found.map_or("nothing".into(), |f| f.to_string()),
                start.elapsed()
            );
            assert_eq!(
                found,
                Some(expect),
                "loom did not find the {expect} in {}/{}:\n{text}",
                case.name,
                v.name
            );
            if let Some(cycle) = verisync::casebook::LOCK_CYCLES
                .iter()
                .find(|c| c.0 == case.name)
            {
                let named = text
                    .lines()
                    .find_map(|l| l.strip_prefix("CYCLE "))
                    .unwrap_or("");
                assert!(
                    cycle.1.iter().all(|part| named.contains(part)),
                    "{}: the deadlock does not name its cycle: {named:?}",
                    case.name
                );
            }
        }
    }
}

/// `lost-wakeup/broken` waits with `if` instead of `while`: it is found only because a wait may
/// return without a notify. With no spurious wakeups injected (`VERISYNC_SPURIOUS=0`) every
/// wakeup follows the producer's notify, and every interleaving is clean.
#[test]
fn lost_wakeup_with_if_is_found_only_with_spurious_wakeups() {
    let (found, text) = run_child("lost-wakeup", "broken", 0);
    println!(
        "loom lost-wakeup/broken with VERISYNC_SPURIOUS=0: {}",
        found.map_or("nothing".into(), |f| f.to_string())
    );
    assert_eq!(found, None, "found without spurious wakeups:\n{text}");
}

/// The child half: explores one broken variant and reports. Run by the test above.
#[test]
#[ignore = "run as a child process by every_broken_variant_is_found_with_its_kind"]
fn child() {
    let case = std::env::var("VERISYNC_CASE").expect("VERISYNC_CASE");
    let variant = std::env::var("VERISYNC_VARIANT").expect("VERISYNC_VARIANT");
    let v = *find(&case)
        .and_then(|c| c.variants.iter().find(|v| v.name == variant))
        .expect("a known case and variant");
    // The wakeups the parent asked for (the facade reads the same variable).
    let spurious = std::env::var("VERISYNC_SPURIOUS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let count = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&count);
    // Says at which execution the failure came, before loom unwinds (or aborts).
    let hook_count = Arc::clone(&count);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Relaxed: read on the thread that counted.
        println!(
            "LOOM found at execution {}",
            hook_count.load(Ordering::Relaxed)
        );
        // A deadlock names its cycle (what verisync's types recorded), before any abort.
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        let failure = Failure::from_panic(Box::new(message));
        if failure.kind == FailureKind::Deadlock {
            println!("CYCLE {}", failure.headline());
        }
        default_hook(info);
    }));
    // `check` explores it (and, once found, again at lower bounds: the report's schedule has the
    // fewest preemptions); the report's deadlock names its cycle.
    let report = Builder::new(format!("{case}/{variant}"))
        .preemptions(bound(spurious))
        .explore(move || {
            // Relaxed: a tally, as in `exhaust`.
            c.fetch_add(1, Ordering::Relaxed);
            (v.run)()
        });
    match report.failure {
        None => println!("VERDICT clean"),
        Some(f) => {
            if f.kind == FailureKind::Deadlock {
                println!("CYCLE {}", f.headline());
            }
            println!(
                "VERDICT race ({f}), fewest preemptions {:?}",
                report.preemptions
            );
        }
    }
}
