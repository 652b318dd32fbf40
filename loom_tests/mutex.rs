//! loom models of `verisync::Mutex`: mutual exclusion, and both branches of `lock_timeout`.
#![cfg(loom)]

mod common;

use common::{check, seen};

use std::collections::BTreeSet;
use std::time::Duration;
use verisync::sync::{thread, Arc};
use verisync::Mutex;

#[test]
fn two_threads_never_inside_together() {
    check("mutex/exclusion", 3, || {
        let m = Arc::new(Mutex::new(0u32));
        let m2 = Arc::clone(&m);
        let t = thread::spawn(move || {
            let mut g = m2.lock();
            let seen = *g;
            thread::yield_now();
            *g = seen + 1;
        });
        {
            let mut g = m.lock();
            let seen = *g;
            thread::yield_now();
            *g = seen + 1;
        }
        t.join().unwrap();
        assert_eq!(*m.lock(), 2);
    });
}

#[test]
fn lock_timeout_reaches_both_branches() {
    let outcomes = seen();
    let o = outcomes.clone();
    check("mutex/lock-timeout", 3, move || {
        let m = Arc::new(Mutex::new(0u32));
        let m2 = Arc::clone(&m);
        let holder = thread::spawn(move || *m2.lock() += 1);
        let got = m
            .lock_timeout(Duration::from_millis(5))
            .map(|mut g| *g += 1);
        holder.join().unwrap();
        let total = *m.lock();
        assert_eq!(total, if got.is_some() { 2 } else { 1 });
        o.lock().unwrap().insert(got.is_some());
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}

#[test]
fn try_lock_never_enters_a_held_lock() {
    check("mutex/try-lock", 3, || {
        let m = Arc::new(Mutex::new(false));
        let m2 = Arc::clone(&m);
        let t = thread::spawn(move || {
            if let Some(mut g) = m2.try_lock() {
                assert!(!*g);
                *g = true;
                thread::yield_now();
                *g = false;
            }
        });
        if let Some(mut g) = m.try_lock() {
            assert!(!*g);
            *g = true;
            thread::yield_now();
            *g = false;
        }
        t.join().unwrap();
    });
}
