//! The facade on std: predicate waits, timed waits that time out on time and not before,
//! absurd timeouts that neither panic nor fire.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use verisync::sync::{Condvar, Mutex, BACKEND, CHECKED};

#[test]
fn the_std_build_is_std() {
    assert_eq!(BACKEND, "std");
    const { assert!(!CHECKED) };
}

#[test]
fn a_timed_wait_times_out_after_its_timeout() {
    let (m, cv) = (Mutex::new(0), Condvar::new());
    let start = Instant::now();
    let (g, timed_out) = cv.wait_timeout_while(m.lock(), Duration::from_millis(50), |n| *n == 0);
    assert!(timed_out);
    assert_eq!(*g, 0);
    assert!(start.elapsed() >= Duration::from_millis(50));
    drop(g);
    let (_, timed_out) = cv.wait_timeout_while(m.lock(), Duration::ZERO, |n| *n == 0);
    assert!(timed_out);
}

#[test]
fn a_timed_wait_returns_when_the_condition_clears() {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let p2 = Arc::clone(&pair);
    let t = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        *p2.0.lock() = true;
        p2.1.notify_all();
    });
    // Duration::MAX: no deadline, and no overflow panic computing one.
    let (g, timed_out) = pair
        .1
        .wait_timeout_while(pair.0.lock(), Duration::MAX, |r| !*r);
    assert!(!timed_out && *g);
    drop(g);
    t.join().unwrap();
}

#[test]
fn notify_one_wakes_a_waiter() {
    let pair = Arc::new((Mutex::new(0u32), Condvar::new()));
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let p = Arc::clone(&pair);
            thread::spawn(move || {
                let mut g = p.1.wait_while(p.0.lock(), |n| *n == 0);
                *g -= 1;
            })
        })
        .collect();
    // Let them fall asleep first, so that only the notifications can wake them.
    thread::sleep(Duration::from_millis(50));
    for _ in 0..4 {
        *pair.0.lock() += 1;
        pair.1.notify_one();
    }
    for w in waiters {
        w.join().unwrap();
    }
    assert_eq!(*pair.0.lock(), 0);
}

#[test]
fn try_lock_debug_and_into_inner() {
    let m = Mutex::new(3);
    let g = m.lock();
    assert!(m.try_lock().is_none());
    assert_eq!(format!("{m:?}"), "Mutex { data: \"<locked>\" }");
    drop(g);
    assert_eq!(format!("{m:?}"), "Mutex { data: 3 }");
    assert_eq!(m.into_inner(), 3);
}

#[test]
fn thread_tokens_are_even_stable_and_never_shared() {
    let mine = verisync::sync::thread::token();
    assert!(mine != 0 && mine.is_multiple_of(2));
    assert_eq!(mine, verisync::sync::thread::token());
    let others: Vec<usize> = (0..4)
        .map(|_| thread::spawn(verisync::sync::thread::token).join().unwrap())
        .collect();
    let mut all = others.clone();
    all.push(mine);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 5, "{others:?} and {mine}");
    // Tokens grow with the threads that ask: a later thread's is larger than an earlier one's.
    assert!(others.windows(2).all(|w| w[0] < w[1]), "{others:?}");
}

#[test]
fn dropping_a_guard_unlocks_and_a_guard_debugs_as_its_value() {
    let m = Mutex::new(vec![1, 2]);
    let g = m.lock();
    assert_eq!(format!("{g:?}"), "[1, 2]");
    assert!(m.try_lock().is_none());
    drop(g);
    assert!(m.try_lock().is_some());
}

#[test]
fn a_zero_timeout_tries_once_without_sleeping() {
    let (m, cv) = (Mutex::new(0), Condvar::new());
    let start = Instant::now();
    for _ in 0..1000 {
        let (_g, timed_out) = cv.wait_timeout_while(m.lock(), Duration::ZERO, |n| *n == 0);
        assert!(timed_out);
    }
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn model_runs_the_closure_once_in_std_and_a_condvar_debugs_by_name() {
    let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let r = Arc::clone(&runs);
    verisync::sync::model(move || {
        r.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(runs.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert_eq!(format!("{:?}", Condvar::new()), "Condvar { .. }");
}
