//! std behaviour and stress tests of `verisync::Mutex` (CPython `lock_tests.py`'s Lock cases).
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use verisync::Mutex;

#[test]
fn try_lock_when_free_and_when_held() {
    let m = Arc::new(Mutex::new(1));
    let g = m.try_lock().expect("free");
    assert!(m.is_locked());
    drop(g);
    let m2 = Arc::clone(&m);
    let held = m.lock();
    // Another thread's try_lock fails while this one holds it.
    assert!(thread::spawn(move || m2.try_lock().is_none())
        .join()
        .unwrap());
    drop(held);
    assert!(!m.is_locked());
}

#[test]
fn a_contended_lock_waits_until_released() {
    let m = Arc::new(Mutex::new(0));
    let entered = Arc::new(AtomicBool::new(false));
    let g = m.lock();
    let (m2, e2) = (Arc::clone(&m), Arc::clone(&entered));
    let t = thread::spawn(move || {
        *m2.lock() += 1;
        e2.store(true, Ordering::SeqCst);
    });
    thread::sleep(Duration::from_millis(50));
    assert!(!entered.load(Ordering::SeqCst), "entered while held");
    drop(g);
    t.join().unwrap();
    assert!(entered.load(Ordering::SeqCst));
    assert_eq!(*m.lock(), 1);
}

#[test]
fn lock_timeout_gives_up_after_about_its_timeout_and_the_lock_still_works() {
    let m = Arc::new(Mutex::new(()));
    let g = m.lock();
    let m2 = Arc::clone(&m);
    let waited = thread::spawn(move || {
        let start = Instant::now();
        assert!(m2.lock_timeout(Duration::from_millis(80)).is_none());
        start.elapsed()
    })
    .join()
    .unwrap();
    assert!(
        waited >= Duration::from_millis(80),
        "gave up early: {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "gave up late: {waited:?}");
    drop(g);
    assert!(m.lock_timeout(Duration::ZERO).is_some());
    assert!(m.lock_timeout(Duration::MAX).is_some());
}

/// Issue 11 defect 7: a zero timeout tries once, as `try_lock` does: with the lock held by
/// another thread, no spinning and no parking.
#[test]
fn a_zero_timeout_costs_what_try_lock_costs() {
    let m = Mutex::new(());
    let held = m.lock();
    thread::scope(|s| {
        s.spawn(|| {
            // The fastest of five rounds, so that a round spent descheduled cannot fail it.
            let took = (0..5)
                .map(|_| {
                    let start = Instant::now();
                    for _ in 0..1000 {
                        assert!(m.lock_timeout(Duration::ZERO).is_none());
                    }
                    start.elapsed()
                })
                .min()
                .unwrap();
            assert!(
                took < Duration::from_millis(5),
                "1000 zero-timeout locks took {took:?} (the fastest of five rounds)"
            );
        });
    });
    drop(held);
}

#[test]
fn lock_timeout_succeeds_when_released_in_time() {
    let m = Arc::new(Mutex::new(0));
    let g = m.lock();
    let m2 = Arc::clone(&m);
    let t = thread::spawn(move || {
        m2.lock_timeout(Duration::from_secs(10))
            .map(|mut g| *g += 1)
    });
    thread::sleep(Duration::from_millis(20));
    drop(g);
    assert!(t.join().unwrap().is_some());
    assert_eq!(*m.lock(), 1);
}

#[test]
fn a_panic_while_locked_releases_the_lock() {
    let m = Arc::new(Mutex::new(5));
    let m2 = Arc::clone(&m);
    let r = thread::spawn(move || {
        let _g = m2.lock();
        panic!("boom");
    })
    .join();
    assert!(r.is_err());
    assert_eq!(*m.lock(), 5);
}

#[test]
fn get_mut_into_inner_default_debug() {
    let mut m: Mutex<Vec<u8>> = Mutex::default();
    m.get_mut().push(1);
    assert_eq!(format!("{m:?}"), "Mutex { locked: false, .. }");
    let g = m.lock();
    assert_eq!(format!("{g:?}"), "[1]");
    drop(g);
    assert_eq!(m.into_inner(), vec![1]);
}

/// Many threads mixing lock, try_lock and lock_timeout: never two inside at once, and every
/// increment made inside is kept.
#[test]
fn stress_mutual_exclusion() {
    let m = Arc::new(Mutex::new(0u64));
    let inside = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (m, inside) = (Arc::clone(&m), Arc::clone(&inside));
            thread::spawn(move || {
                let mut done = 0u64;
                for i in 0..5_000u64 {
                    let g = match (t + i) % 3 {
                        0 => Some(m.lock()),
                        1 => m.try_lock(),
                        _ => m.lock_timeout(Duration::from_micros(50)),
                    };
                    if let Some(mut g) = g {
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                        *g += 1;
                        done += 1;
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                }
                done
            })
        })
        .collect();
    let done: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(*m.lock(), done);
}
