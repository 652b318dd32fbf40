//! The facade under shuttle: the modelled clock reaches both branches of a timed wait, and a
//! lone timed waiter returns instead of being reported as deadlocked.
#![cfg(all(feature = "shuttle", not(loom)))]

use std::collections::BTreeSet;
use std::sync::{Arc as StdArc, Mutex as StdMutex};
use std::time::Duration;
use verisync::sync::explore::{explore, Scheduler, Verdict};
use verisync::sync::{thread, Arc, Condvar, Mutex};

#[test]
fn lone_timed_waiter_times_out() {
    shuttle::check_random(
        || {
            let (m, cv) = (Mutex::new(0), Condvar::new());
            let (_g, timed_out) =
                cv.wait_timeout_while(m.lock(), Duration::from_secs(1), |n| *n == 0);
            assert!(timed_out);
            thread::sleep(Duration::from_millis(3));
        },
        100,
    );
}

#[test]
fn timed_wait_reaches_both_branches_under_random_and_pct() {
    for scheduler in [
        Scheduler::Random { seed: 5 },
        Scheduler::Pct { seed: 5, depth: 3 },
    ] {
        let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
        let s = seen.clone();
        let report = explore(
            move || {
                let pair = Arc::new((Mutex::new(false), Condvar::new()));
                let p2 = Arc::clone(&pair);
                let t = thread::spawn(move || {
                    *p2.0.lock() = true;
                    p2.1.notify_one();
                });
                let (g, timed_out) =
                    pair.1
                        .wait_timeout_while(pair.0.lock(), Duration::from_millis(5), |r| !*r);
                assert_eq!(timed_out, !*g);
                drop(g);
                t.join().unwrap();
                s.lock().unwrap().insert(timed_out);
            },
            scheduler,
            500,
        );
        assert_eq!(report.verdict, Verdict::Clean, "{scheduler}");
        assert_eq!(
            *seen.lock().unwrap(),
            BTreeSet::from([false, true]),
            "{scheduler}"
        );
    }
}

#[test]
fn an_untimed_lone_waiter_is_still_a_deadlock() {
    // The clock must not hide real hangs: a wait with no timeout and no notifier is reported.
    let report = explore(
        || {
            let (m, cv) = (Mutex::new(0), Condvar::new());
            drop(cv.wait_while(m.lock(), |n| *n == 0));
        },
        Scheduler::Random { seed: 1 },
        10,
    );
    assert!(matches!(report.verdict, Verdict::Deadlock(_)), "{report:?}");
    // So is a "timeout" of FOREVER or more.
    let report = explore(
        || {
            let (m, cv) = (Mutex::new(0), Condvar::new());
            drop(cv.wait_timeout_while(m.lock(), Duration::MAX, |n| *n == 0));
        },
        Scheduler::Random { seed: 1 },
        10,
    );
    assert!(matches!(report.verdict, Verdict::Deadlock(_)), "{report:?}");
}
