//! shuttle explorations of generated plans for `verisync::ThreadPool`: a pool of one or two
//! workers with a small queue; the main thread submits tasks (some panic), cancels some, and
//! closes and joins at the end, under random and PCT. Every task's outcome is exactly one of
//! its value, cancelled (then it never ran, and `cancel` said so) or its panic; every task not
//! cancelled ran exactly once; and a cancel racing the worker reaches both outcomes.
#![cfg(all(feature = "shuttle", not(loom)))]

mod common;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc as StdArc, Mutex as StdMutex};
use verisync::sync::thread;
use verisync::{TaskError, ThreadPool};

/// Per task: whether it panics, and whether (after how many yields) main cancels it.
fn plan() -> impl Strategy<Value = (usize, Vec<(bool, Option<u8>)>)> {
    (
        1..=2usize,
        prop::collection::vec((any::<bool>(), prop::option::of(0..3u8)), 1..=4),
    )
}

/// Keeps the tasks' planned panics off the terminal; any other panic prints as usual.
fn quiet_planned_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() != Some(&"planned") {
            default(info)
        }
    }));
}

fn scenario(workers: usize, tasks: Vec<(bool, Option<u8>)>) -> impl Fn() + Send + Sync + 'static {
    move || {
        let pool = ThreadPool::with_capacity(workers, 2);
        let runs: Vec<_> = tasks
            .iter()
            .map(|_| StdArc::new(AtomicUsize::new(0)))
            .collect();
        let handles: Vec<_> = tasks
            .iter()
            .zip(&runs)
            .enumerate()
            .map(|(i, (&(panics, _), r))| {
                let r = StdArc::clone(r);
                pool.submit(move || {
                    // SeqCst: the test's own bookkeeping, strongest for clarity.
                    r.fetch_add(1, Ordering::SeqCst);
                    if panics {
                        std::panic::panic_any("planned");
                    }
                    i
                })
                .unwrap()
            })
            .collect();
        let said: Vec<Option<bool>> = tasks
            .iter()
            .zip(&handles)
            .map(|(&(_, cancel), h)| {
                cancel.map(|yields| {
                    for _ in 0..yields {
                        thread::yield_now();
                    }
                    h.cancel()
                })
            })
            .collect();
        pool.close();
        pool.join().unwrap();
        for (i, (h, said)) in handles.into_iter().zip(said).enumerate() {
            let (panics, _) = tasks[i];
            // SeqCst: as above.
            let ran = runs[i].load(Ordering::SeqCst);
            match h.join() {
                Ok(v) => assert!(v == i && !panics && ran == 1 && said != Some(true)),
                Err(TaskError::Panicked(_)) => assert!(panics && ran == 1 && said != Some(true)),
                Err(TaskError::Cancelled) => assert!(ran == 0 && said == Some(true)),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn plans_give_each_task_exactly_one_outcome_under_random_and_pct((workers, tasks) in plan()) {
        quiet_planned_panics();
        verisync::check::Builder::new(
            "shuttle_pool/plans_give_each_task_exactly_one_outcome_under_random_and_pct",
        )
        .schedules(50)
        .run(scenario(workers, tasks));
    }
}

#[test]
fn a_cancel_racing_the_worker_reaches_both_outcomes() {
    // About the race of a timeout (or a cancel) with the other thread: a spurious wakeup only
    // adds steps that make one outcome rarer under random seeds. Injection off.
    verisync::sync::set_spurious_wakeups(0);
    for pct in [false, true] {
        let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
        let s = StdArc::clone(&seen);
        let f = move || {
            let pool = ThreadPool::new(1);
            let t = pool.submit(|| 1).unwrap();
            let cancelled = t.cancel();
            assert_eq!(cancelled, matches!(t.join(), Err(TaskError::Cancelled)));
            s.lock().unwrap().insert(cancelled);
        };
        // shuttle directly: each scheduler must reach both outcomes; `check` runs them as one.
        // Seeded, and 3,000 schedules: the worker takes the task before the cancel in about 1 %
        // of random schedules and 2.5 % of PCT's (measured over seeds 0–2), so each sees it
        // dozens of times; unseeded with 300, random missed it in about 1 run in 40 (a gate
        // failed on it).
        common::seeded_schedules(pct, f);
        assert_eq!(seen.lock().unwrap().len(), 2, "pct {pct}: both outcomes");
    }
}
