//! shuttle explorations of `verisync::Timer`: generated plans of timers (delays on the
//! modelled clock) with cancels from another thread, under random and PCT: each `cancel` is
//! `true` exactly when its function never ran, and no function runs twice. Then the cancel
//! race reaching both outcomes.
#![cfg(all(feature = "shuttle", not(loom)))]

mod common;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc as StdArc, Mutex as StdMutex};
use std::time::Duration;
use verisync::sync::{thread, Arc};
use verisync::Timer;

/// Per timer: its delay in ms, and whether (and after how many yields) it is cancelled.
fn plan() -> impl Strategy<Value = Vec<(u64, Option<u8>)>> {
    prop::collection::vec((0..20u64, prop::option::of(0..3u8)), 1..=3)
}

fn scenario(plan: Vec<(u64, Option<u8>)>) -> impl Fn() + Send + Sync + 'static {
    move || {
        let runs: Vec<_> = plan
            .iter()
            .map(|_| StdArc::new(AtomicUsize::new(0)))
            .collect();
        let timers: Vec<_> = plan
            .iter()
            .zip(&runs)
            .map(|(&(ms, _), r)| {
                let r = StdArc::clone(r);
                Arc::new(Timer::start(Duration::from_millis(ms), move || {
                    // SeqCst: the test's own bookkeeping, strongest for clarity.
                    r.fetch_add(1, Ordering::SeqCst)
                }))
            })
            .collect();
        // Another thread cancels some of them, after a few yields each.
        let cancels: Vec<_> = plan.iter().map(|&(_, c)| c).collect();
        let canceller = {
            let timers = timers.clone();
            thread::spawn(move || {
                let mut said = Vec::new();
                for (t, c) in timers.iter().zip(cancels) {
                    said.push(c.map(|yields| {
                        for _ in 0..yields {
                            thread::yield_now();
                        }
                        t.cancel()
                    }));
                }
                said
            })
        };
        let said = canceller.join().unwrap();
        for ((t, r), said) in timers.into_iter().zip(&runs).zip(said) {
            let t = Arc::try_unwrap(t).unwrap_or_else(|_| panic!("one owner left"));
            let ran = t.join().unwrap().is_some();
            // SeqCst: as above.
            assert_eq!(
                r.load(Ordering::SeqCst),
                usize::from(ran),
                "ran at most once"
            );
            if let Some(cancelled) = said {
                assert_eq!(cancelled, !ran, "cancel said {cancelled}, ran: {ran}");
            } else {
                assert!(ran, "an uncancelled timer always runs");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn plans_cancel_exactly_what_never_runs_under_random_and_pct(plan in plan()) {
        verisync::check::Builder::new(
            "shuttle_timer/plans_cancel_exactly_what_never_runs_under_random_and_pct",
        )
        .schedules(100)
        .run(scenario(plan));
    }
}

/// The cancel race reaches both outcomes under both schedulers.
#[test]
fn the_cancel_race_reaches_both_outcomes() {
    // About the race of the delay and the cancel: a spurious wakeup of the timer's wait only
    // makes one outcome rarer. Injection off.
    verisync::sync::set_spurious_wakeups(0);
    for pct in [false, true] {
        let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
        let runs = StdArc::new(AtomicUsize::new(0));
        let s = StdArc::clone(&seen);
        let f = move || {
            let t = Timer::start(Duration::from_millis(5), || ());
            // Time for the timer's thread to wait and for the clock to fire, or not: every
            // other run main sleeps past the delay first (on the modelled clock the timer's
            // deadline comes first), which makes "fired first" common; yields alone reached it
            // in about 1 % of random schedules, and 300 of them missed it now and then.
            // SeqCst: the test's own bookkeeping.
            let run = runs.fetch_add(1, Ordering::SeqCst);
            if run % 2 == 1 {
                thread::sleep(Duration::from_millis(10));
            }
            for _ in 0..run % 20 {
                thread::yield_now();
            }
            let cancelled = t.cancel();
            assert_eq!(cancelled, t.join().unwrap().is_none());
            s.lock().unwrap().insert(cancelled);
        };
        // shuttle directly: each scheduler must reach both outcomes; `check` runs them as one.
        common::seeded_schedules(pct, f);
        assert_eq!(seen.lock().unwrap().len(), 2, "pct {pct}: both outcomes");
    }
}
