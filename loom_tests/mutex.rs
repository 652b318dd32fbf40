//! loom models of `verisync::Mutex`: mutual exclusion, and both branches of `lock_timeout`.
#![cfg(loom)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc as StdArc, Mutex as StdMutex};
use std::time::{Duration, Instant};
use verisync::sync::{thread, Arc};
use verisync::Mutex;

fn check(name: &str, f: impl Fn() + Sync + Send + 'static) {
    let count = StdArc::new(AtomicUsize::new(0));
    let c = count.clone();
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(3);
    let start = Instant::now();
    b.check(move || {
        // Relaxed: a tally on loom's single OS thread.
        c.fetch_add(1, Ordering::Relaxed);
        f()
    });
    // Relaxed: as above.
    let n = count.load(Ordering::Relaxed);
    println!("loom mutex/{name}: {n} executions, {:?}", start.elapsed());
}

#[test]
fn two_threads_never_inside_together() {
    check("exclusion", || {
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
    let outcomes = StdArc::new(StdMutex::new(BTreeSet::new()));
    let o = outcomes.clone();
    check("lock-timeout", move || {
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
    check("try-lock", || {
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
