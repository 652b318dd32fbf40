//! std behaviour and stress tests of `verisync::Timer` (CPython `test_threading`'s
//! TimerTests, and the notes' 案例17).
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use verisync::Timer;

#[test]
fn the_function_runs_once_after_the_delay() {
    let start = Instant::now();
    let t = Timer::start(Duration::from_millis(30), move || start.elapsed());
    let ran_after = t.join().unwrap().expect("not cancelled");
    assert!(
        ran_after >= Duration::from_millis(30),
        "ran after {ran_after:?}"
    );
}

#[test]
fn a_cancel_in_time_means_it_never_runs_and_join_does_not_wait_the_delay() {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&runs);
    let t = Timer::start(Duration::from_secs(3600), move || {
        r.fetch_add(1, Ordering::SeqCst);
    });
    assert!(t.cancel());
    assert!(t.cancel(), "still cancelled");
    assert_eq!(format!("{t:?}"), "Timer { state: \"cancelled\", .. }");
    let start = Instant::now();
    assert_eq!(t.join().unwrap(), None);
    assert!(start.elapsed() < Duration::from_secs(60));
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[test]
fn a_cancel_after_it_started_says_so() {
    let t = Timer::start(Duration::ZERO, || 7);
    while format!("{t:?}").contains("pending") {
        std::thread::yield_now();
    }
    assert!(!t.cancel());
    assert_eq!(format!("{t:?}"), "Timer { state: \"started\", .. }");
    assert_eq!(t.join().unwrap(), Some(7));
}

#[test]
fn a_panicking_function_reaches_join() {
    let t = Timer::start(Duration::ZERO, || -> u8 { panic!("boom") });
    let err = t.join().unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"boom"));
}

#[test]
fn a_dropped_timer_still_fires() {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&runs);
    drop(Timer::start(Duration::from_millis(5), move || {
        r.fetch_add(1, Ordering::SeqCst);
    }));
    let start = Instant::now();
    while runs.load(Ordering::SeqCst) == 0 {
        assert!(start.elapsed() < Duration::from_secs(10), "never fired");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn auto_traits() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Timer<u8>>();
}

#[test]
fn stress_cancel_says_true_exactly_when_the_function_never_ran() {
    // Cancels racing the end of short delays: `cancel()` is true iff the function did not run.
    let mut outcomes = [0usize; 2];
    for i in 0..400 {
        let runs = Arc::new(AtomicUsize::new(0));
        let r = Arc::clone(&runs);
        let t = Timer::start(Duration::from_micros(i % 50), move || {
            r.fetch_add(1, Ordering::SeqCst);
        });
        if i % 4 == 0 {
            // Some cancels come surely late: after the function ran.
            while runs.load(Ordering::SeqCst) == 0 {
                std::thread::yield_now();
            }
        } else if i % 4 == 1 {
            std::thread::yield_now();
        }
        let cancelled = t.cancel();
        let ran = t.join().unwrap().is_some();
        assert_eq!(cancelled, !ran);
        assert_eq!(runs.load(Ordering::SeqCst), usize::from(ran));
        outcomes[usize::from(ran)] += 1;
    }
    assert!(outcomes[1] >= 100, "{outcomes:?}");
}
