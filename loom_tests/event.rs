//! loom models of `verisync::Event` on the parking core: a set publishes the setter's writes to
//! every waiter it lets go (through `wait` and through `is_set`; the data lives in loom's
//! `UnsafeCell`, so an unordered access is a reported race), a set wakes every parked waiter, a
//! set followed at once by a clear still lets a parked waiter go (CPython's issue #13502), and
//! both branches of `wait_timeout`. The orderings are the core's (`src/park.rs`): weakening
//! them fails these models too (see `.ci/mutate-orderings`).
#![cfg(loom)]

mod common;

use common::{check, seen, Guarded};

use std::collections::BTreeSet;
use std::time::Duration;
use verisync::sync::{thread, Arc};
use verisync::Event;

#[test]
fn set_publishes_the_setters_writes_to_the_waiter() {
    check("event/publish-wait", 3, || {
        let e = Arc::new(Event::new());
        let data = Arc::new(Guarded::new());
        let (e2, d2) = (Arc::clone(&e), Arc::clone(&data));
        let setter = thread::spawn(move || {
            d2.bump();
            e2.set();
        });
        e.wait();
        assert_eq!(data.get(), 1);
        setter.join().unwrap();
    });
}

#[test]
fn is_set_publishes_the_setters_writes() {
    check("event/publish-is-set", 3, || {
        let e = Arc::new(Event::new());
        let data = Arc::new(Guarded::new());
        let (e2, d2) = (Arc::clone(&e), Arc::clone(&data));
        let setter = thread::spawn(move || {
            d2.bump();
            e2.set();
        });
        while !e.is_set() {
            thread::yield_now();
        }
        assert_eq!(data.get(), 1);
        setter.join().unwrap();
    });
}

#[test]
fn one_set_wakes_two_parked_waiters() {
    check("event/two-waiters", 2, || {
        let e = Arc::new(Event::new());
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let e = Arc::clone(&e);
                thread::spawn(move || e.wait())
            })
            .collect();
        e.set();
        for w in waiters {
            w.join().unwrap();
        }
        assert!(e.is_set());
        assert_eq!(e.waiters(), 0);
    });
}

#[test]
fn a_set_then_clear_lets_a_parked_waiter_go() {
    // The waiter is parked before the set; the set wakes it to look again (under a model
    // every other wake is a retry), and by then the clear may have run: it must still go,
    // because the generation moved.
    check("event/set-then-clear", 3, || {
        let e = Arc::new(Event::new());
        let e2 = Arc::clone(&e);
        let waiter = thread::spawn(move || e2.wait());
        while e.waiters() == 0 {
            thread::yield_now();
        }
        e.set();
        e.clear();
        waiter.join().unwrap();
        assert!(!e.is_set());
    });
}

#[test]
fn wait_timeout_reaches_both_branches() {
    let outcomes = seen();
    let o = outcomes.clone();
    check("event/wait-timeout", 3, move || {
        let e = Arc::new(Event::new());
        let e2 = Arc::clone(&e);
        let setter = thread::spawn(move || e2.set());
        let went = e.wait_timeout(Duration::from_millis(5));
        setter.join().unwrap();
        assert!(e.is_set());
        o.lock().unwrap().insert(went);
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}

#[test]
fn a_timed_out_waiter_leaves_the_other_to_be_woken() {
    check("event/timeout-and-waiter", 2, || {
        let e = Arc::new(Event::new());
        let e2 = Arc::clone(&e);
        let patient = thread::spawn(move || e2.wait());
        let _ = e.wait_timeout(Duration::from_millis(5));
        e.set();
        patient.join().unwrap();
        assert_eq!(e.waiters(), 0);
    });
}
