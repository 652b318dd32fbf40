//! shuttle over the casebook: random and PCT each FIND every broken variant (with the right
//! kind of failure) and replay it from its token; every fixed variant runs its schedules clean.
#![cfg(all(feature = "shuttle", not(loom)))]

use verisync::casebook::{cases, Variant};
use verisync::sync::explore::{Scheduler, Verdict};

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
                let (report, trace) = v.explore(scheduler, SCHEDULES);
                println!(
                    "shuttle {}/{} {scheduler}: {:?} after {} schedules",
                    case.name,
                    v.name,
                    Variant::classify(&report.verdict),
                    report.schedules
                );
                assert_eq!(
                    Variant::classify(&report.verdict),
                    v.expect,
                    "{}/{} under {scheduler}: {:?}",
                    case.name,
                    v.name,
                    report.verdict
                );
                assert!(!trace.is_empty(), "{}/{}: no trace", case.name, v.name);
                // The token reproduces the same failure and the same interleaving.
                let (again, retrace) = v.replay(report.replay.as_deref().unwrap());
                assert_eq!(
                    Variant::classify(&again.verdict),
                    v.expect,
                    "{}/{}: replay",
                    case.name,
                    v.name
                );
                assert_eq!(retrace, trace, "{}/{}: replayed trace", case.name, v.name);
            }
        }
    }
}

#[test]
fn fixed_variants_run_clean() {
    for case in cases() {
        for v in case.variants.iter().filter(|v| v.expect.is_none()) {
            for scheduler in schedulers() {
                let (report, _) = v.explore(scheduler, SCHEDULES);
                assert_eq!(
                    report.verdict,
                    Verdict::Clean,
                    "{}/{} under {scheduler}",
                    case.name,
                    v.name
                );
                assert_eq!(report.schedules, SCHEDULES);
            }
        }
    }
}
