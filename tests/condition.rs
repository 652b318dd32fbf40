//! std behaviour and stress tests of `verisync::Condition` (CPython `lock_tests.py`'s
//! ConditionTests), plus: a notify with nobody waiting is not kept, a timed-out waiter does
//! not take another's notify, and producers and consumers lose nothing.
#![cfg(not(any(loom, feature = "shuttle")))]

mod common;

use common::{wait_until, PATIENCE};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use verisync::Condition;

#[test]
fn acquire_is_the_locks() {
    // test_acquire
    let c = Condition::new(());
    let g = c.lock();
    assert!(c.try_lock().is_none());
    assert!(c.lock_timeout(Duration::from_millis(1)).is_none());
    drop(g);
    drop(c.try_lock().unwrap());
    drop(c.lock_timeout(Duration::ZERO).unwrap());
    assert_eq!(
        format!("{c:?}"),
        "Condition { locked: false, waiters: 0, .. }"
    );
    let c = Arc::new(c);
    let g = c.lock();
    let c2 = Arc::clone(&c);
    let t = thread::spawn(move || drop(c2.lock()));
    thread::sleep(Duration::from_millis(10));
    assert!(!t.is_finished());
    drop(g);
    t.join().unwrap();
}

/// `n` threads each waiting once (after recording the phase they saw), then recording what
/// they saw on waking.
#[test]
fn notify_n_wakes_exactly_n_and_notify_all_the_rest() {
    // test_notify (_check_notify): the phase is the data; each waiter records it on waking.
    let c = Arc::new(Condition::new(0usize));
    let woke = Arc::new(std::sync::Mutex::new(Vec::new()));
    for _round in 0..2 {
        let waiters: Vec<_> = (0..5)
            .map(|_| {
                let (c, woke) = (Arc::clone(&c), Arc::clone(&woke));
                thread::spawn(move || {
                    let mut g = c.lock();
                    g.wait();
                    woke.lock().unwrap().push(*g);
                })
            })
            .collect();
        wait_until("5 waiters", || c.waiters() == 5);
        woke.lock().unwrap().clear();
        {
            let mut g = c.lock();
            *g = 1;
            assert_eq!(g.notify(3), 3);
        }
        wait_until("3 woken", || woke.lock().unwrap().len() == 3);
        thread::sleep(Duration::from_millis(20));
        assert_eq!(*woke.lock().unwrap(), vec![1, 1, 1], "exactly 3 woken");
        assert_eq!(c.waiters(), 2);
        {
            let mut g = c.lock();
            *g = 2;
            assert_eq!(g.notify_all(), 2);
        }
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(*woke.lock().unwrap(), vec![1, 1, 1, 2, 2]);
        *c.lock() = 0;
    }
    assert_eq!(c.lock().notify_all(), 0);
}

#[test]
fn notify_wakes_the_oldest_waiters_first() {
    let c = Arc::new(Condition::new(()));
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let waiters: Vec<_> = (0..4)
        .map(|i| {
            let (c2, order) = (Arc::clone(&c), Arc::clone(&order));
            let t = thread::spawn(move || {
                let mut g = c2.lock();
                g.wait();
                order.lock().unwrap().push(i);
            });
            wait_until("the next waiter", || c.waiters() == i + 1);
            t
        })
        .collect();
    for i in 0..4 {
        assert_eq!(c.lock().notify(1), 1);
        wait_until("one more woken", || order.lock().unwrap().len() == i + 1);
    }
    for w in waiters {
        w.join().unwrap();
    }
    assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3]);
}

#[test]
fn timeout_returns_false_with_the_lock_held() {
    // test_timeout
    let c = Condition::new(7);
    let mut g = c.lock();
    let start = Instant::now();
    assert!(!g.wait_timeout(Duration::from_millis(50)));
    assert!(start.elapsed() >= Duration::from_millis(50));
    assert!(c.try_lock().is_none());
    assert_eq!(*g, 7);
    assert!(!g.wait_timeout(Duration::ZERO));
    assert!(c.try_lock().is_none());
}

#[test]
fn waitfor_returns_once_the_predicate_holds() {
    // test_waitfor
    let c = Arc::new(Condition::new(0));
    let c2 = Arc::clone(&c);
    let t = thread::spawn(move || {
        let mut g = c2.lock();
        g.wait_while(|n| *n != 4);
        *g
    });
    for _ in 0..4 {
        thread::sleep(Duration::from_millis(5));
        let mut g = c.lock();
        *g += 1;
        g.notify(1);
    }
    assert_eq!(t.join().unwrap(), 4);
}

#[test]
fn waitfor_timeout_gives_up_with_the_predicate_false() {
    // test_waitfor_timeout
    let c = Arc::new(Condition::new(0));
    let c2 = Arc::clone(&c);
    let t = thread::spawn(move || {
        let mut g = c2.lock();
        let start = Instant::now();
        let ok = g.wait_while_timeout(Duration::from_millis(100), |n| *n != 4);
        (ok, start.elapsed(), *g)
    });
    // Notify often, never making the predicate true: the deadline spans the waits.
    for _ in 0..6 {
        thread::sleep(Duration::from_millis(5));
        c.lock().notify(1);
    }
    let (ok, took, n) = t.join().unwrap();
    assert!(!ok);
    assert!(took >= Duration::from_millis(100), "{took:?}");
    assert_eq!(n, 0);
    // And true at once when it already holds, even with a zero timeout.
    assert!(c.lock().wait_while_timeout(Duration::ZERO, |n| *n != 0));
}

#[test]
fn a_notify_with_nobody_waiting_is_not_kept() {
    let c = Arc::new(Condition::new(()));
    assert_eq!(c.lock().notify(1), 0);
    assert_eq!(c.lock().notify_all(), 0);
    // A later waiter still waits.
    assert!(!c.lock().wait_timeout(Duration::from_millis(30)));
    let c2 = Arc::clone(&c);
    let t = thread::spawn(move || c2.lock().wait_timeout(Duration::from_millis(50)));
    assert!(!t.join().unwrap());
}

#[test]
fn a_timed_out_waiter_does_not_take_anothers_notify() {
    for _ in 0..20 {
        let c = Arc::new(Condition::new(()));
        let woken = Arc::new(AtomicUsize::new(0));
        let patient = {
            let (c, woken) = (Arc::clone(&c), Arc::clone(&woken));
            thread::spawn(move || {
                c.lock().wait();
                // SeqCst: the test's own bookkeeping.
                woken.fetch_add(1, Ordering::SeqCst);
            })
        };
        wait_until("the patient waiter", || c.waiters() == 1);
        let hasty = {
            let c = Arc::clone(&c);
            thread::spawn(move || c.lock().wait_timeout(Duration::from_millis(1)))
        };
        // Race the hasty waiter's timeout: one notify, and whoever it woke says so.
        thread::sleep(Duration::from_millis(1));
        let n = c.lock().notify(1);
        assert_eq!(n, 1, "the patient waiter at least was waiting");
        let hasty_woken = hasty.join().unwrap();
        // The patient waiter is older: it was the one notified, never the hasty one.
        assert!(!hasty_woken, "notify(1) went to the older waiter");
        wait_until("the patient waiter woken", || {
            woken.load(Ordering::SeqCst) == 1
        });
        patient.join().unwrap();
        assert_eq!(c.waiters(), 0);
    }
}

#[test]
fn a_notify_racing_a_timeout_is_counted_or_passed_on() {
    // The hasty waiter is the older one here: notify(1) either wakes it (it returns true) or
    // finds it gone and wakes the patient one. Either way exactly one wait ends notified.
    for _ in 0..50 {
        let c = Arc::new(Condition::new(()));
        let hasty = {
            let c = Arc::clone(&c);
            thread::spawn(move || c.lock().wait_timeout(Duration::from_micros(500)))
        };
        wait_until("the hasty waiter", || {
            c.waiters() == 1 || hasty.is_finished()
        });
        let patient = {
            let c = Arc::clone(&c);
            thread::spawn(move || c.lock().wait_timeout(PATIENCE))
        };
        wait_until("both waiters", || c.waiters() == 2 || hasty.is_finished());
        let woke = c.lock().notify(1);
        let hasty_woken = hasty.join().unwrap();
        if hasty_woken {
            assert_eq!(woke, 1);
            assert_eq!(c.lock().notify(1), 1, "the patient one still waits");
        } else if woke == 0 {
            // The hasty one had left and the patient one was not yet in line: nothing was
            // kept for it, so notify it once it is.
            wait_until("the patient one notified", || c.lock().notify(1) == 1);
        }
        assert!(
            patient.join().unwrap(),
            "the patient waiter is woken, not timed out"
        );
    }
}

#[test]
fn producers_and_consumers_lose_nothing() {
    const PRODUCERS: usize = 3;
    const CONSUMERS: usize = 3;
    const EACH: usize = 2000;
    const CAP: usize = 4;
    // The queue and whether the producers are done.
    let c = Arc::new(Condition::new((std::collections::VecDeque::new(), 0usize)));
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let c = Arc::clone(&c);
            thread::spawn(move || {
                for i in 0..EACH {
                    let mut g = c.lock();
                    g.wait_while(|(q, _)| q.len() == CAP);
                    g.0.push_back(p * EACH + i);
                    g.notify(1);
                }
                let mut g = c.lock();
                g.1 += 1;
                g.notify_all();
            })
        })
        .collect();
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let c = Arc::clone(&c);
            thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    let mut g = c.lock();
                    g.wait_while(|(q, done)| q.is_empty() && *done < PRODUCERS);
                    match g.0.pop_front() {
                        Some(x) => {
                            got.push(x);
                            // Room for a producer; a consumer may be woken instead, so wake
                            // everyone (waiters of both kinds share one condition).
                            g.notify_all();
                        }
                        None => return got,
                    }
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    let mut all: Vec<usize> = consumers
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..PRODUCERS * EACH).collect::<Vec<_>>());
    assert_eq!(c.waiters(), 0);
}

#[test]
fn notify_one_at_a_time_loses_no_wakeup() {
    // Every item is announced with notify(1) only: if a notify were lost (or banked and
    // taken by the wrong thread), a consumer would sleep forever and the test would hang.
    const ITEMS: usize = 3000;
    let c = Arc::new(Condition::new((0usize, false)));
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let c = Arc::clone(&c);
            thread::spawn(move || {
                let mut took = 0;
                let mut g = c.lock();
                loop {
                    g.wait_while(|(n, done)| *n == 0 && !*done);
                    if g.0 == 0 {
                        return took;
                    }
                    g.0 -= 1;
                    took += 1;
                }
            })
        })
        .collect();
    for _ in 0..ITEMS {
        let mut g = c.lock();
        g.0 += 1;
        g.notify(1);
    }
    {
        let mut g = c.lock();
        g.1 = true;
        g.notify_all();
    }
    let took: usize = consumers.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(took, ITEMS);
}

#[test]
fn a_guard_debugs_as_its_value() {
    let c = Condition::new(vec![1, 2]);
    let g = c.lock();
    assert_eq!(format!("{g:?}"), "[1, 2]");
}
