//! loom models of `verisync::Timer`: a cancel racing the end of the delay (the modelled clock
//! fires it or not) returns `true` exactly when the function never runs, and both outcomes are
//! reached; a timer joined without a cancel always runs its function once.
#![cfg(loom)]

mod common;

use common::{check, seen};

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc as StdArc;
use std::time::Duration;
use verisync::Timer;

#[test]
fn cancel_is_true_exactly_when_the_function_never_runs() {
    let outcomes = seen();
    let o = outcomes.clone();
    check("timer/cancel-race", 3, move || {
        // A std counter: only read after the join, which orders it.
        let runs = StdArc::new(AtomicUsize::new(0));
        let r = StdArc::clone(&runs);
        let t = Timer::start(Duration::from_millis(5), move || {
            r.fetch_add(1, Ordering::Relaxed);
        });
        let cancelled = t.cancel();
        let ran = t.join().unwrap().is_some();
        assert_eq!(
            cancelled, !ran,
            "cancel said {cancelled}, the function ran: {ran}"
        );
        assert_eq!(runs.load(Ordering::Relaxed), usize::from(ran));
        o.lock().unwrap().insert(cancelled);
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}

#[test]
fn an_uncancelled_timer_runs_once() {
    check("timer/fires", 3, || {
        let t = Timer::start(Duration::from_millis(5), || 7);
        assert_eq!(t.join().unwrap(), Some(7));
    });
}
