//! std behaviour and stress tests of `verisync::Barrier` (CPython `lock_tests.py`'s
//! BarrierTests).
#![cfg(not(any(loom, feature = "shuttle")))]

mod common;

use common::wait_until;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::thread;
use std::time::{Duration, Instant};
use verisync::{Barrier, BarrierError};

/// Runs `f(i)` on `n` threads and returns their results in thread order.
fn on_threads<R: Send + 'static>(
    n: usize,
    f: impl Fn(usize) -> R + Send + Sync + 'static,
) -> Vec<R> {
    let f = Arc::new(f);
    let hs: Vec<_> = (0..n)
        .map(|i| {
            let f = Arc::clone(&f);
            thread::spawn(move || f(i))
        })
        .collect();
    hs.into_iter().map(|h| h.join().unwrap()).collect()
}

const N: usize = 5;

#[test]
fn every_round_lets_all_parties_through_together() {
    // test_barrier: no thread starts round r + 1 before every thread finished round r.
    let b = Arc::new(Barrier::new(N));
    let arrived = Arc::new(AtomicUsize::new(0));
    let (b2, a2) = (Arc::clone(&b), Arc::clone(&arrived));
    on_threads(N, move |_| {
        for round in 0..10 {
            // SeqCst: the test's own bookkeeping, strongest for clarity.
            a2.fetch_add(1, Ordering::SeqCst);
            b2.wait().unwrap();
            assert!(
                a2.load(Ordering::SeqCst) >= (round + 1) * N,
                "passed before all arrived"
            );
            b2.wait().unwrap();
        }
    });
    assert_eq!(arrived.load(Ordering::SeqCst), 10 * N);
    assert_eq!(b.n_waiting(), 0);
}

#[test]
fn each_round_hands_out_every_index_once() {
    // test_wait_return
    let b = Arc::new(Barrier::new(N));
    let b2 = Arc::clone(&b);
    let results = on_threads(N, move |_| {
        (0..3).map(|_| b2.wait().unwrap()).collect::<Vec<_>>()
    });
    for round in 0..3 {
        let indices: BTreeSet<usize> = results.iter().map(|r| r[round]).collect();
        assert_eq!(indices, (0..N).collect());
    }
}

#[test]
fn the_action_runs_once_per_round_before_anyone_goes() {
    // test_action
    let runs = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&runs);
    let b = Arc::new(Barrier::with_action(N, move || {
        r.fetch_add(1, Ordering::SeqCst);
    }));
    let (b2, r2) = (Arc::clone(&b), Arc::clone(&runs));
    on_threads(N, move |_| {
        for round in 1..=4 {
            b2.wait().unwrap();
            assert!(r2.load(Ordering::SeqCst) >= round);
        }
    });
    assert_eq!(runs.load(Ordering::SeqCst), 4);
}

#[test]
fn abort_breaks_the_waiters_and_every_later_wait_until_reset() {
    // test_abort
    let b = Arc::new(Barrier::new(N));
    let b2 = Arc::clone(&b);
    let waiters = thread::spawn(move || on_threads(N - 1, move |_| b2.wait()));
    wait_until("N - 1 waiting", || b.n_waiting() == N - 1);
    b.abort();
    assert!(waiters
        .join()
        .unwrap()
        .iter()
        .all(|r| *r == Err(BarrierError::Broken)));
    assert!(b.is_broken());
    assert_eq!(b.wait(), Err(BarrierError::Broken));
    b.reset();
    assert!(!b.is_broken());
    let b2 = Arc::clone(&b);
    assert!(on_threads(N, move |_| b2.wait()).iter().all(Result::is_ok));
}

#[test]
fn reset_breaks_the_waiting_round_and_leaves_the_barrier_usable() {
    // test_reset
    let b = Arc::new(Barrier::new(N));
    let b2 = Arc::clone(&b);
    let waiters = thread::spawn(move || on_threads(N - 1, move |_| b2.wait()));
    wait_until("N - 1 waiting", || b.n_waiting() == N - 1);
    b.reset();
    assert!(waiters
        .join()
        .unwrap()
        .iter()
        .all(|r| *r == Err(BarrierError::Broken)));
    assert!(!b.is_broken());
    assert_eq!(b.n_waiting(), 0);
    let b2 = Arc::clone(&b);
    assert!(on_threads(N, move |_| b2.wait()).iter().all(Result::is_ok));
}

#[test]
fn a_timeout_breaks_the_barrier_for_everyone() {
    // test_timeout: the timed-out thread says so; the others are broken.
    let b = Arc::new(Barrier::new(N));
    let b2 = Arc::clone(&b);
    let others = thread::spawn(move || on_threads(N - 2, move |_| b2.wait()));
    wait_until("N - 2 waiting", || b.n_waiting() == N - 2);
    let start = Instant::now();
    assert_eq!(
        b.wait_timeout(Duration::from_millis(30)),
        Err(BarrierError::TimedOut)
    );
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert!(others
        .join()
        .unwrap()
        .iter()
        .all(|r| *r == Err(BarrierError::Broken)));
    assert!(b.is_broken());
}

#[test]
fn a_zero_timeout_passes_only_for_the_last_party() {
    let b = Arc::new(Barrier::new(2));
    let b2 = Arc::clone(&b);
    let first = thread::spawn(move || b2.wait());
    wait_until("one waiting", || b.n_waiting() == 1);
    assert_eq!(b.wait_timeout(Duration::ZERO), Ok(1));
    assert_eq!(first.join().unwrap(), Ok(0));
    assert_eq!(b.wait_timeout(Duration::ZERO), Err(BarrierError::TimedOut));
    assert!(b.is_broken());
}

#[test]
fn a_panicking_action_breaks_the_round_and_reaches_its_thread() {
    let b = Arc::new(Barrier::with_action(2, || panic!("the action failed")));
    let b2 = Arc::clone(&b);
    let first = thread::spawn(move || b2.wait());
    wait_until("one waiting", || b.n_waiting() == 1);
    let b3 = Arc::clone(&b);
    let last = thread::spawn(move || b3.wait()).join();
    assert!(
        last.is_err(),
        "the action's panic is resumed in the last thread"
    );
    assert_eq!(first.join().unwrap(), Err(BarrierError::Broken));
    assert!(b.is_broken());
}

#[test]
fn one_party_passes_at_once_and_zero_parties_panic() {
    let b = Barrier::new(1);
    assert_eq!(b.wait(), Ok(0));
    assert_eq!(b.wait_timeout(Duration::ZERO), Ok(0));
    assert_eq!(b.parties(), 1);
    let message = std::panic::catch_unwind(|| Barrier::new(0))
        .err()
        .and_then(|p| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(message.contains("parties must be at least 1"), "{message}");
    assert_eq!(
        format!("{b:?}"),
        "Barrier { parties: 1, n_waiting: 0, broken: false, .. }"
    );
    assert!(BarrierError::TimedOut.to_string().contains("timed out"));
}

#[test]
fn auto_traits() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Barrier>();
    send_sync::<BarrierError>();
}

#[test]
fn stress_rounds_with_timeouts_and_resets_never_hang() {
    // Threads loop on a barrier whose waits sometimes time out; whoever sees it broken resets
    // it. Nothing hangs; every Ok index is in range; the counts of passes add up per round.
    let b = Arc::new(Barrier::new(3));
    let log = Arc::new(StdMutex::new(Vec::new()));
    let (b2, l2) = (Arc::clone(&b), Arc::clone(&log));
    on_threads(3, move |i| {
        for k in 0..300 {
            let r = if (i + k) % 7 == 0 {
                b2.wait_timeout(Duration::from_micros(200))
            } else {
                b2.wait_timeout(Duration::from_millis(200))
            };
            match r {
                Ok(index) => assert!(index < 3),
                Err(_) => b2.reset(),
            }
            l2.lock().unwrap().push(r.is_ok());
        }
    });
    assert_eq!(log.lock().unwrap().len(), 900);
}
