//! loom models of `verisync::Barrier` (a verisync `Mutex` and one `Event` per round): a round
//! publishes what each thread did before its wait to every thread of the round (the data lives
//! in loom's `UnsafeCell`, so an unordered access is a reported race), both outcomes of a timed
//! wait with the barrier broken for the other thread, and a reset racing a waiter, which either
//! breaks its round or lets the next one pass.
#![cfg(loom)]

mod common;

use common::{check, seen, Guarded};

use std::collections::BTreeSet;
use std::time::Duration;
use verisync::sync::{thread, Arc};
use verisync::{Barrier, BarrierError};

#[test]
fn a_round_publishes_each_threads_writes_to_the_other() {
    check("barrier/publish", 3, || {
        let b = Arc::new(Barrier::new(2));
        let (mine, theirs) = (Arc::new(Guarded::new()), Arc::new(Guarded::new()));
        let t = {
            let (b, mine, theirs) = (Arc::clone(&b), Arc::clone(&mine), Arc::clone(&theirs));
            thread::spawn(move || {
                theirs.bump();
                let index = b.wait().unwrap();
                assert_eq!(mine.get(), 1);
                index
            })
        };
        mine.bump();
        let index = b.wait().unwrap();
        assert_eq!(theirs.get(), 1);
        assert_eq!(index + t.join().unwrap(), 1, "indices 0 and 1");
    });
}

#[test]
fn a_timed_wait_passes_or_times_out_and_breaks_the_other() {
    let outcomes = seen();
    let o = outcomes.clone();
    check("barrier/timeout", 2, move || {
        let b = Arc::new(Barrier::new(2));
        let b2 = Arc::clone(&b);
        let t = thread::spawn(move || b2.wait());
        let mine = b.wait_timeout(Duration::from_millis(5));
        let theirs = t.join().unwrap();
        match mine {
            Ok(_) => assert!(theirs.is_ok() && !b.is_broken()),
            Err(e) => {
                assert_eq!(e, BarrierError::TimedOut);
                assert_eq!(theirs, Err(BarrierError::Broken));
                assert!(b.is_broken());
            }
        }
        o.lock().unwrap().insert(mine.is_ok());
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}

#[test]
fn a_reset_racing_a_waiter_breaks_its_round_or_lets_the_next_pass() {
    let outcomes = seen();
    let o = outcomes.clone();
    check("barrier/reset", 2, move || {
        let b = Arc::new(Barrier::new(2));
        let b2 = Arc::clone(&b);
        let t = thread::spawn(move || b2.wait());
        b.reset();
        let mine = b.wait_timeout(Duration::from_millis(5));
        let theirs = t.join().unwrap();
        match theirs {
            // It arrived before the reset: its round was broken, and main waited alone.
            Err(e) => {
                assert_eq!(e, BarrierError::Broken);
                assert_eq!(mine, Err(BarrierError::TimedOut));
            }
            // It arrived after: the two met (or main gave up first, which breaks it).
            Ok(i) => assert_eq!(mine, Ok(1 - i)),
        }
        o.lock().unwrap().insert(theirs.is_ok());
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}
