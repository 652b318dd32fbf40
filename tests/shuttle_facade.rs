//! The facade under shuttle: the modelled clock reaches both branches of a timed wait, and a
//! lone timed waiter returns instead of being reported as deadlocked.
#![cfg(all(feature = "shuttle", not(loom)))]

use std::collections::BTreeSet;
use std::sync::{Arc as StdArc, Mutex as StdMutex};
use std::time::Duration;
use verisync::check::{explore, FailureKind, Scheduler};
use verisync::sync::{thread, Arc, Condvar, Mutex};

#[test]
fn lone_timed_waiter_times_out() {
    // shuttle directly: random only, as this test always was; `check` always adds a PCT pass.
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
    // A model of the clock's two branches: a spurious wakeup (one more look at the flag, which
    // the setter has often set by then) only makes the timed-out branch rarer. Injection off.
    verisync::sync::set_spurious_wakeups(0);
    for scheduler in [
        Scheduler::Random { seed: 5 },
        Scheduler::Pct { seed: 5, depth: 3 },
    ] {
        let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
        let s = seen.clone();
        let report = explore("facade/both-branches", scheduler, 500, move || {
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
        });
        assert_eq!(report.failure, None, "{scheduler}");
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
    let report = explore("facade/untimed", Scheduler::Random { seed: 1 }, 10, || {
        let (m, cv) = (Mutex::new(0), Condvar::new());
        drop(cv.wait_while(m.lock(), |n| *n == 0));
    });
    assert_eq!(report.kind(), Some(FailureKind::Deadlock), "{report:?}");
    // So is a "timeout" of FOREVER or more.
    let report = explore("facade/forever", Scheduler::Random { seed: 1 }, 10, || {
        let (m, cv) = (Mutex::new(0), Condvar::new());
        drop(cv.wait_timeout_while(m.lock(), Duration::MAX, |n| *n == 0));
    });
    assert_eq!(report.kind(), Some(FailureKind::Deadlock), "{report:?}");
}

#[test]
fn many_timed_waits_in_a_row_each_end() {
    // The clock exits when idle under shuttle and the next timed wait starts another: a thread
    // making many timed waits in a row (sleeps, timed-out acquires) finishes every one.
    // shuttle directly: random only, as this test always was; `check` always adds a PCT pass.
    shuttle::check_random(
        || {
            let sem = verisync::Semaphore::new(0);
            for _ in 0..6 {
                thread::sleep(Duration::from_millis(1));
                assert!(sem.acquire_timeout(Duration::from_millis(1)).is_none());
            }
        },
        50,
    );
}

#[test]
#[should_panic(expected = "the user's own assertion")]
fn a_failing_model_that_made_a_timed_wait_fails_as_a_test() {
    // shuttle directly: the test is that shuttle's own `check_random` fails (random only).
    shuttle::check_random(
        || {
            let sem = Arc::new(verisync::Semaphore::new(0));
            let s2 = Arc::clone(&sem);
            let waiter = thread::spawn(move || drop(s2.acquire_timeout(Duration::from_millis(5))));
            assert!(sem.acquire_timeout(Duration::from_millis(1)).is_none());
            assert_eq!(1 + 1, 3, "the user's own assertion");
            waiter.join().unwrap();
        },
        10,
    );
}

/// Spurious wakeups (issue 13), injected by the facade under shuttle too: a `park` nobody
/// unparks returns, and a `Condition::wait_timeout` nobody counted returns `true`, under both
/// schedulers; with injection off the lone park is a deadlock.
#[test]
fn spurious_wakeups_are_reached_under_random_and_pct() {
    use verisync::Condition;
    verisync::sync::set_spurious_wakeups(1);
    for scheduler in [
        Scheduler::Random { seed: 7 },
        Scheduler::Pct { seed: 7, depth: 3 },
    ] {
        let report = explore("facade/spurious-park", scheduler, 50, thread::park);
        assert_eq!(report.failure, None, "{scheduler}: a lone park must return");
        let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
        let s = seen.clone();
        let report = explore("facade/spurious-condition", scheduler, 500, move || {
            let c = Arc::new(Condition::new(false));
            let c2 = Arc::clone(&c);
            let notifier = thread::spawn(move || {
                let mut g = c2.lock();
                *g = true;
                g.notify(1)
            });
            let mut g = c.lock();
            let woken = g.wait_timeout(Duration::from_millis(5));
            drop(g);
            let notified = notifier.join().unwrap();
            assert!(notified == 0 || woken);
            s.lock().unwrap().insert((woken, notified));
        });
        assert_eq!(report.failure, None, "{scheduler}");
        assert!(
            seen.lock().unwrap().contains(&(true, 0)),
            "{scheduler}: the spurious branch (woken, nobody counted it) was never reached: {:?}",
            seen.lock().unwrap()
        );
    }
    verisync::sync::set_spurious_wakeups(0);
    let report = explore(
        "facade/no-spurious-park",
        Scheduler::Random { seed: 7 },
        5,
        thread::park,
    );
    assert_eq!(report.kind(), Some(FailureKind::Deadlock), "{report:?}");
}

#[test]
fn a_threads_spurious_wakeups_stop_at_its_budget() {
    // Two per thread and execution: a wait nobody notifies looks at its condition once, then
    // once after each of two spurious wakeups, and is then reported as deadlocked. (A plain
    // `thread::park` would not show it: shuttle's own park returns spuriously whenever another
    // thread can run, and the clock can.)
    verisync::sync::set_spurious_wakeups(2);
    // Every schedule deadlocks, so each seed's exploration is one schedule: 20 of them, since
    // in some the clock fires a spurious timer before its waiter parks and in others after.
    // One waiter alone, then two (each with its own two wakeups).
    type Looks = StdArc<StdMutex<BTreeSet<(usize, usize)>>>;
    let wait = |who: usize, looked: Looks| {
        move || {
            let (m, cv) = (Mutex::new(()), Condvar::new());
            let mut n = 0;
            drop(cv.wait_while(m.lock(), |_| {
                n += 1;
                looked.lock().unwrap().insert((who, n));
                true
            }));
        }
    };
    for threads in [1, 2] {
        for seed in 0..20 {
            let looks: Looks = StdArc::default();
            let l = looks.clone();
            let report = explore(
                "facade/spurious-budget",
                Scheduler::Random { seed },
                1,
                move || {
                    let others: Vec<_> = (1..threads)
                        .map(|who| thread::spawn(wait(who, l.clone())))
                        .collect();
                    wait(0, l.clone())();
                    others.into_iter().for_each(|t| t.join().unwrap());
                },
            );
            assert_eq!(report.kind(), Some(FailureKind::Deadlock), "{report:?}");
            let each = (0..threads).flat_map(|who| [(who, 1), (who, 2), (who, 3)]);
            assert_eq!(
                *looks.lock().unwrap(),
                BTreeSet::from_iter(each),
                "{threads} threads, seed {seed}"
            );
        }
    }
}

/// A timed wait nobody notifies, counting its looks at the condition: 2 when it times out, 3
/// when a spurious wakeup came first.
fn timed_wait_looks() -> usize {
    let (m, cv) = (Mutex::new(()), Condvar::new());
    let mut looks = 0;
    let (_g, timed_out) = cv.wait_timeout_while(m.lock(), Duration::from_millis(5), |_| {
        looks += 1;
        true
    });
    assert!(timed_out);
    looks
}

#[test]
fn a_wait_ended_by_its_waker_leaves_its_spurious_wakeup_unspent() {
    // Each wait arms a spurious timer, and forgets it when the wait ends: one that ended by a
    // notification (or an unpark) has not used the thread's one spurious wakeup, so a timed wait
    // after it may still be woken spuriously. Nothing forgotten, the stale timer would fire
    // later and spend it.
    verisync::sync::set_spurious_wakeups(1);
    for first in ["park", "condvar"] {
        let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
        let s = seen.clone();
        let report = explore(
            "facade/unspent",
            Scheduler::Random { seed: 1 },
            1000,
            move || {
                let pair = Arc::new((Mutex::new(false), Condvar::new()));
                let (p2, main) = (Arc::clone(&pair), thread::current());
                let waker = thread::spawn(move || {
                    *p2.0.lock() = true;
                    p2.1.notify_one();
                    main.unpark();
                });
                // Looks at the flag before the wait ended: 1 means no wait at all.
                let first_looks = if first == "park" {
                    thread::park();
                    2
                } else {
                    let mut looks = 0;
                    drop(pair.1.wait_while(pair.0.lock(), |set| {
                        looks += 1;
                        !*set
                    }));
                    looks
                };
                waker.join().unwrap();
                s.lock().unwrap().insert((first_looks, timed_wait_looks()));
            },
        );
        assert_eq!(report.failure, None, "{first}: {report:?}");
        assert!(
            seen.lock().unwrap().contains(&(2, 3)),
            "{first}: no spurious wakeup after a wait that ended otherwise: {:?}",
            seen.lock().unwrap()
        );
    }
}

#[test]
fn a_park_that_ends_leaves_other_threads_timers_armed() {
    // A timed waiter times out in every schedule, while another thread parks and returns:
    // ending a park forgets its own spurious timer only.
    verisync::sync::set_spurious_wakeups(1);
    let report = explore(
        "facade/park-beside-a-timed-wait",
        Scheduler::Random { seed: 1 },
        1000,
        || {
            let t = thread::spawn(timed_wait_looks);
            thread::park();
            t.join().unwrap();
        },
    );
    assert_eq!(report.failure, None, "{report:?}");
}
