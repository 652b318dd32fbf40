//! std behaviour and stress tests of `verisync::Event` (CPython `lock_tests.py`'s EventTests).
#![cfg(not(any(loom, feature = "shuttle")))]

mod common;

use common::{wait_until, PATIENCE};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};
use verisync::Event;

/// `n` threads each running `f` on the event, started together.
fn spawn_n<R: Send + 'static>(
    e: &Arc<Event>,
    n: usize,
    f: impl Fn(&Event) -> R + Send + Sync + 'static,
) -> Vec<thread::JoinHandle<R>> {
    let f = Arc::new(f);
    (0..n)
        .map(|_| {
            let (e, f) = (Arc::clone(e), Arc::clone(&f));
            thread::spawn(move || f(&e))
        })
        .collect()
}

#[test]
fn is_set_follows_set_and_clear_and_repeats_change_nothing() {
    // test_is_set
    let e = Event::new();
    assert!(!e.is_set());
    e.set();
    assert!(e.is_set());
    e.set();
    assert!(e.is_set());
    e.clear();
    assert!(!e.is_set());
    e.clear();
    assert!(!e.is_set());
    assert_eq!(format!("{e:?}"), "Event { set: false }");
}

#[test]
fn set_lets_every_waiter_go_and_again_after_clear() {
    // _check_notify, run twice on one event (test_notify)
    let e = Arc::new(Event::new());
    for _ in 0..2 {
        let waiters = spawn_n(&e, 5, |e| e.wait());
        wait_until("5 parked waiters", || e.waiters() == 5);
        e.set();
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(e.waiters(), 0);
        e.clear();
    }
}

#[test]
fn a_timed_wait_times_out_while_clear_and_returns_true_once_set() {
    // test_timeout
    let e = Arc::new(Event::new());
    let timeout = Duration::from_millis(50);
    let results = spawn_n(&e, 5, move |e| {
        let zero = e.wait_timeout(Duration::ZERO);
        let start = Instant::now();
        let timed = e.wait_timeout(timeout);
        (zero, timed, start.elapsed())
    });
    for r in results {
        let (zero, timed, took) = r.join().unwrap();
        assert!(!zero && !timed);
        assert!(
            took >= timeout,
            "returned after {took:?}, before its timeout"
        );
    }
    e.set();
    let results = spawn_n(&e, 5, move |e| e.wait_timeout(timeout));
    assert!(results.into_iter().all(|r| r.join().unwrap()));
}

#[test]
fn a_set_then_clear_still_lets_every_waiter_go() {
    // test_set_and_clear (CPython issue #13502): the waiters may run again only after the
    // clear, and must still see that they were let go.
    let e = Arc::new(Event::new());
    let waiters = spawn_n(&e, 5, |e| e.wait_timeout(PATIENCE));
    wait_until("5 parked waiters", || e.waiters() == 5);
    e.set();
    e.clear();
    for w in waiters {
        assert!(w.join().unwrap(), "a waiter let go by the set timed out");
    }
    assert!(!e.is_set());
}

#[test]
fn a_pulse_lets_parked_waiters_go_whatever_the_generation_was() {
    // Waiters woken by a set that is cleared before they look go because the generation
    // moved on from the one each saw first. Here that generation is not the initial one (a
    // pulse came before), each round's release hands the set straight to one of its 16
    // waiters (every 16th wake of an event's queue does, `park.rs`'s `FAIR_EVERY`), rounds of
    // one pulse follow each other, and in a round of two pulses both come before the waiters
    // look: each round, every waiter must go.
    for rounds in [[1, 2].as_slice(), &[1, 1, 2]] {
        let e = Arc::new(Event::new());
        e.set();
        e.clear();
        for &pulses in rounds {
            let waiters = spawn_n(&e, 16, |e| e.wait_timeout(PATIENCE));
            wait_until("16 parked waiters", || e.waiters() == 16);
            for _ in 0..pulses {
                e.set();
                e.clear();
            }
            for w in waiters {
                assert!(w.join().unwrap(), "a waiter let go by a pulse timed out");
            }
        }
        assert!(!e.is_set());
    }
}

#[test]
fn a_waiter_that_comes_after_the_clear_waits_for_the_next_set() {
    let e = Arc::new(Event::new());
    e.set();
    e.clear();
    let e2 = Arc::clone(&e);
    let late = thread::spawn(move || e2.wait_timeout(Duration::from_millis(30)));
    assert!(!late.join().unwrap());
    let e2 = Arc::clone(&e);
    let late = thread::spawn(move || e2.wait());
    wait_until("the late waiter parked", || e.waiters() == 1);
    e.set();
    late.join().unwrap();
}

#[test]
fn a_zero_timeout_only_looks() {
    let e = Event::new();
    let start = Instant::now();
    for _ in 0..10_000 {
        assert!(!e.wait_timeout(Duration::ZERO));
    }
    // Ten thousand looks: far below one millisecond each even on a loaded machine (a look
    // that spun or parked would take microseconds to milliseconds).
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(e.waiters(), 0);
}

#[test]
fn a_timed_out_waiter_leaves_and_the_others_still_wake() {
    let e = Arc::new(Event::new());
    let patient = spawn_n(&e, 2, |e| e.wait_timeout(PATIENCE));
    let e2 = Arc::clone(&e);
    let hasty = thread::spawn(move || e2.wait_timeout(Duration::from_millis(20)));
    assert!(!hasty.join().unwrap());
    wait_until("2 parked waiters", || e.waiters() == 2);
    e.set();
    assert!(patient.into_iter().all(|p| p.join().unwrap()));
}

#[test]
fn set_publishes_what_the_setter_wrote() {
    for _ in 0..200 {
        let e = Arc::new(Event::new());
        let data = Arc::new(AtomicUsize::new(0));
        let (e2, d2) = (Arc::clone(&e), Arc::clone(&data));
        let setter = thread::spawn(move || {
            d2.store(42, Ordering::Relaxed);
            e2.set();
        });
        e.wait();
        assert_eq!(data.load(Ordering::Relaxed), 42);
        setter.join().unwrap();
    }
}

#[test]
fn auto_traits_and_default() {
    fn send_sync<T: Send + Sync + Unpin + std::panic::UnwindSafe>() {}
    send_sync::<Event>();
    assert!(!Event::default().is_set());
}

#[test]
fn stress_every_waiter_goes_by_the_last_set() {
    // Setters and clearers race with waiters (some timed); at the end one more set lets
    // every untimed waiter go. Nothing hangs, nothing panics, and every untimed waiter
    // returns.
    const WAITERS: usize = 6;
    const ROUNDS: usize = 2_000;
    let e = Arc::new(Event::new());
    let start = Arc::new(Barrier::new(WAITERS + 2));
    let flipper = {
        let (e, start) = (Arc::clone(&e), Arc::clone(&start));
        thread::spawn(move || {
            start.wait();
            for i in 0..ROUNDS {
                e.set();
                if i % 3 != 0 {
                    e.clear();
                }
                thread::yield_now();
            }
        })
    };
    let waiters: Vec<_> = (0..WAITERS)
        .map(|i| {
            let (e, start) = (Arc::clone(&e), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let mut went = 0;
                for _ in 0..ROUNDS / 10 {
                    if i % 2 == 0 {
                        e.wait();
                        went += 1;
                    } else if e.wait_timeout(Duration::from_micros(50)) {
                        went += 1;
                    }
                }
                went
            })
        })
        .collect();
    start.wait();
    flipper.join().unwrap();
    e.set(); // the last set: every untimed waiter still inside goes
    for (i, w) in waiters.into_iter().enumerate() {
        let went = w.join().unwrap();
        if i % 2 == 0 {
            assert_eq!(went, ROUNDS / 10);
        }
    }
    assert_eq!(e.waiters(), 0);
}
