//! loom models of the facade itself: the modelled clock reaches both branches of a timed wait,
//! a lone timed waiter returns, and `notify_one` wakes exactly one waiter.
#![cfg(loom)]

mod common;

use common::{check, seen, Seen};

use std::time::Duration;
use verisync::sync::{thread, Arc, Condvar, Mutex};

#[test]
fn lone_timed_waiter_times_out_instead_of_deadlocking() {
    check("facade/lone-timed-waiter", 3, || {
        let m = Mutex::new(0);
        let cv = Condvar::new();
        let (g, timed_out) = cv.wait_timeout_while(m.lock(), Duration::from_secs(1), |n| *n == 0);
        assert!(timed_out);
        assert_eq!(*g, 0);
    });
}

#[test]
fn sleep_returns_under_the_model() {
    check("facade/sleep", 3, || {
        thread::sleep(Duration::from_millis(5))
    });
}

#[test]
fn timed_wait_explores_woken_and_timed_out() {
    // (timed out, how many times the condition was looked at)
    let outcomes: Seen<(bool, usize)> = seen();
    let o = outcomes.clone();
    check("facade/both-branches", 3, move || {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = Arc::clone(&pair);
        let setter = thread::spawn(move || {
            *p2.0.lock() = true;
            p2.1.notify_one();
        });
        let mut looks = 0;
        let (g, timed_out) =
            pair.1
                .wait_timeout_while(pair.0.lock(), Duration::from_millis(10), |ready| {
                    looks += 1;
                    !*ready
                });
        // Timed out means the flag was still clear when the clock fired.
        assert_eq!(timed_out, !*g);
        drop(g);
        setter.join().unwrap();
        o.lock().unwrap().insert((timed_out, looks));
    });
    let outcomes = outcomes.lock().unwrap();
    assert!(
        outcomes.contains(&(true, 2)),
        "the timed-out branch (after a sleep) was never explored: {outcomes:?}"
    );
    assert!(
        outcomes.contains(&(false, 2)),
        "the branch woken by the notification (after a sleep) was never explored: {outcomes:?}"
    );
}

#[test]
fn a_zero_timeout_never_lets_go_of_the_lock() {
    // A zero timeout looks once and returns, holding the lock throughout: nobody can change
    // the value between the caller's store and its return.
    check("facade/zero-timeout", 3, || {
        let pair = Arc::new((Mutex::new(0), Condvar::new()));
        let p2 = Arc::clone(&pair);
        let other = thread::spawn(move || *p2.0.lock() = 2);
        let mut g = pair.0.lock();
        *g = 1;
        let (g, timed_out) = pair.1.wait_timeout_while(g, Duration::ZERO, |_| true);
        assert!(timed_out);
        assert_eq!(*g, 1, "the lock was let go during a zero-timeout wait");
        drop(g);
        other.join().unwrap();
    });
}

#[test]
fn an_absurd_timeout_is_no_timeout() {
    check("facade/absurd-timeout", 3, || {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = Arc::clone(&pair);
        let setter = thread::spawn(move || {
            *p2.0.lock() = true;
            p2.1.notify_all();
        });
        let (g, timed_out) = pair
            .1
            .wait_timeout_while(pair.0.lock(), Duration::MAX, |r| !*r);
        assert!(!timed_out && *g);
        drop(g);
        setter.join().unwrap();
    });
}

#[test]
fn notify_one_wakes_one_of_two_waiters() {
    // Two waiters each consume one unit; one notify_one per unit must let both finish.
    check("facade/notify-one", 3, || {
        let pair = Arc::new((Mutex::new(0u32), Condvar::new()));
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let p = Arc::clone(&pair);
                thread::spawn(move || {
                    let mut g = p.1.wait_while(p.0.lock(), |units| *units == 0);
                    *g -= 1;
                })
            })
            .collect();
        for _ in 0..2 {
            *pair.0.lock() += 1;
            pair.1.notify_one();
        }
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(*pair.0.lock(), 0);
    });
}

#[test]
fn notify_one_is_not_buffered() {
    // A notify with nobody waiting is lost: a waiter arriving later (with the flag still clear)
    // must not take it. It then times out rather than returning woken.
    check("facade/not-buffered", 3, || {
        let pair = Arc::new((Mutex::new(()), Condvar::new()));
        pair.1.notify_one();
        let (_g, timed_out) =
            pair.1
                .wait_timeout_while(pair.0.lock(), Duration::from_millis(1), |_| true);
        assert!(timed_out);
    });
}

/// Spurious wakeups (issue 13): neither checker injects one on its own, so the facade does,
/// at most `set_spurious_wakeups` per execution (1 by default).
#[test]
fn a_park_nobody_unparks_returns_spuriously() {
    // Without injection this is a deadlock (the next test); with it, the clock ends the park.
    verisync::sync::set_spurious_wakeups(1);
    check("facade/spurious-park", 3, thread::park);
}

#[test]
#[should_panic(expected = "deadlock")]
fn with_injection_off_a_lone_park_is_a_deadlock() {
    verisync::sync::set_spurious_wakeups(0);
    check("facade/no-spurious-park", 3, thread::park);
}

#[test]
fn a_predicate_wait_absorbs_a_spurious_wakeup() {
    // The waiter is woken spuriously in some executions (counted by the poll's side effect: the
    // predicate runs once more than the notifications explain) and still returns only once the
    // flag is set.
    let polls: Seen<usize> = seen();
    let p = polls.clone();
    verisync::sync::set_spurious_wakeups(1);
    check("facade/spurious-predicate", 3, move || {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = Arc::clone(&pair);
        let setter = thread::spawn(move || {
            *p2.0.lock() = true;
            p2.1.notify_one();
        });
        let mut looks = 0;
        let g = pair.1.wait_while(pair.0.lock(), |ready| {
            looks += 1;
            !*ready
        });
        assert!(*g);
        drop(g);
        setter.join().unwrap();
        p.lock().unwrap().insert(looks);
    });
    // 1: the flag was set before the first look; 2: woken by the notify; 3: a spurious wakeup
    // first found the flag clear, and the waiter slept again.
    assert_eq!(
        *polls.lock().unwrap(),
        std::collections::BTreeSet::from([1, 2, 3])
    );
}

#[test]
fn model_runs_the_closure_once_per_execution_and_explores_more_than_one() {
    // `verisync::sync::model` is loom's `model` with verisync's default bound: two threads
    // storing to one atomic are explored in more than one execution, each running the closure.
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    verisync::sync::model(|| {
        RUNS.fetch_add(1, SeqCst);
        let x = Arc::new(verisync::sync::atomic::AtomicUsize::new(0));
        let x2 = Arc::clone(&x);
        let t = thread::spawn(move || x2.store(1, verisync::sync::atomic::Ordering::SeqCst));
        x.store(2, verisync::sync::atomic::Ordering::SeqCst);
        t.join().unwrap();
    });
    assert!(RUNS.load(SeqCst) > 1, "{} executions", RUNS.load(SeqCst));
}

#[test]
fn a_sleep_outlasts_a_shorter_timer_armed_before_it() {
    // Modelled time is one clock whose timers fire earliest deadline first, and a sleep is such
    // a timer: a thread that sleeps 10 ms goes on only after a 5 ms wait armed before its sleep
    // began has timed out, so a notification sent after the sleep never reaches that wait.
    // Its condition never becomes false: the waiter looks once before it sleeps and once after
    // each wakeup, so a third look means the notification woke it before its timer fired.
    let looks: Seen<usize> = seen();
    let l = looks.clone();
    check("facade/sleep-is-a-timer", 3, move || {
        // (the waiter is in its wait, looks)
        let pair = Arc::new((Mutex::new((false, 0)), Condvar::new(), Condvar::new()));
        let p2 = Arc::clone(&pair);
        let waiter = thread::spawn(move || {
            let (m, cv, ready) = &*p2;
            let mut g = m.lock();
            g.0 = true;
            ready.notify_one();
            let (g, timed_out) = cv.wait_timeout_while(g, Duration::from_millis(5), |s| {
                s.1 += 1;
                true
            });
            assert!(timed_out);
            g.1
        });
        let (m, cv, ready) = &*pair;
        // The waiter holds the lock until its wait lets go of it: its timer is armed by then.
        drop(ready.wait_while(m.lock(), |s| !s.0));
        thread::sleep(Duration::from_millis(10));
        cv.notify_one();
        l.lock().unwrap().insert(waiter.join().unwrap());
    });
    let looks = looks.lock().unwrap();
    assert_eq!(
        *looks,
        [2].into(),
        "a notification sent after the sleep reached the earlier, shorter wait"
    );
}
