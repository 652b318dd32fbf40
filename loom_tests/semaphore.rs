//! loom models of `Semaphore` and `BoundedSemaphore`: the holder bound and permit conservation
//! with three threads, no lost wakeup between a waiter parking and a release, barging on a retried
//! permit but never on a handed one,
//! both branches of `acquire_timeout`, bounded releases racing at the bound, and a release
//! happening-before the acquire that takes its permit (with the Mutex and ReentrantLock models,
//! the models that fail if any `Ordering` of the parking core, `src/park.rs`, is weakened: see
//! `.ci/mutate-orderings`).
#![cfg(loom)]

mod common;

use common::{check, seen, Guarded, Seen};

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc as StdArc;
use std::time::Duration;
use verisync::sync::{thread, Arc};
use verisync::{BoundedSemaphore, Semaphore};

#[test]
fn one_permit_excludes_and_publishes() {
    // A semaphore of one permit as a lock: each holder's write is seen by the next holder.
    // Covers the lock-free acquire and release, and the acquire that finds a permit under the
    // queue's lock (a release between its lock-free look and its locked one).
    check("semaphore/one-permit-publishes", 3, || {
        let shared = Arc::new((Semaphore::new(1), Guarded::new()));
        let s2 = Arc::clone(&shared);
        let t = thread::spawn(move || {
            let _p = s2.0.acquire();
            s2.1.bump();
        });
        {
            let _p = shared.0.acquire();
            shared.1.bump();
        }
        t.join().unwrap();
        let _p = shared.0.acquire();
        assert_eq!(shared.1.get(), 2);
    });
}

#[test]
fn permits_left_over_by_a_handoff_are_published() {
    // Main writes, then releases 2 while T1 is (perhaps) queued: one permit is handed to T1
    // under the lock, the other is left in the word for T2, which may take it without the lock.
    // T2 must see main's write all the same.
    check("semaphore/leftover-publishes", 2, || {
        let shared = Arc::new((Semaphore::new(0), Guarded::new()));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let s = Arc::clone(&shared);
                thread::spawn(move || {
                    s.0.acquire().forget();
                    assert_eq!(s.1.get(), 1);
                })
            })
            .collect();
        shared.1.bump();
        shared.0.release(2).unwrap();
        for r in readers {
            r.join().unwrap();
        }
        assert_eq!(shared.0.available_permits(), 0);
        assert_eq!(shared.0.waiters(), 0);
    });
}

#[test]
fn never_more_holders_than_permits_and_permits_conserved() {
    // Three threads, two permits: at most two inside at once, and both permits free at the end.
    check("semaphore/holder-bound-3-threads", 2, || {
        let shared = Arc::new((Semaphore::new(2), StdArc::new(AtomicUsize::new(0))));
        let enter = |s: &(Semaphore, StdArc<AtomicUsize>)| {
            let _p = s.0.acquire();
            // Relaxed: loom runs every model thread on one OS thread; a plain tally.
            let inside = s.1.fetch_add(1, Ordering::Relaxed) + 1;
            assert!(inside <= 2, "{inside} holders of 2 permits");
            // This thread's own permit is out (a stale read may miss the others').
            assert!(s.0.available_permits() <= 1);
            // Relaxed: as above.
            s.1.fetch_sub(1, Ordering::Relaxed);
        };
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let s = Arc::clone(&shared);
                thread::spawn(move || enter(&s))
            })
            .collect();
        enter(&shared);
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(shared.0.available_permits(), 2);
        assert_eq!(shared.0.waiters(), 0);
    });
}

#[test]
fn a_release_wakes_a_blocked_acquirer() {
    // The lost-wakeup race: T1 finds no permit and queues up while main releases. Whatever
    // the interleaving, T1 gets the permit (loom reports a deadlock otherwise).
    check("semaphore/no-lost-wakeup", 3, || {
        let sem = Arc::new(Semaphore::new(0));
        let s2 = Arc::clone(&sem);
        let t = thread::spawn(move || s2.acquire().forget());
        sem.release(1).unwrap();
        t.join().unwrap();
        assert_eq!(sem.available_permits(), 0);
        assert_eq!(sem.waiters(), 0);
    });
}

#[test]
fn release_n_wakes_n_waiters() {
    check("semaphore/release-n-wakes-n", 2, || {
        let sem = Arc::new(Semaphore::new(0));
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let s = Arc::clone(&sem);
                thread::spawn(move || s.acquire().forget())
            })
            .collect();
        sem.release(2).unwrap();
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(sem.available_permits(), 0);
        assert_eq!(sem.waiters(), 0);
    });
}

#[test]
fn a_newcomer_may_take_a_retried_permit_but_never_a_handed_one() {
    // T1 and T2 park. Under a model every second wake is a handoff (`FAIR_EVERY` = 2): main's
    // first release wakes T1 to retry (the permit goes to the word, open to anyone), the second
    // hands its permit straight to T2 (never in the word). So of main's two try_acquires, at
    // most one can succeed, and only by beating T1 to its permit; whatever happens, both
    // parked threads end up served (loom reports a deadlock otherwise).
    let outcomes = seen();
    let o = outcomes.clone();
    check("semaphore/barge-or-handoff", 2, move || {
        let sem = Arc::new(Semaphore::new(0));
        let ts: Vec<_> = (1..=2)
            .map(|i| {
                let s = Arc::clone(&sem);
                let t = thread::spawn(move || s.acquire().forget());
                while sem.waiters() < i {
                    verisync::sync::spin_loop();
                }
                t
            })
            .collect();
        sem.release(1).unwrap();
        sem.release(1).unwrap();
        let took = usize::from(sem.try_acquire().map(|p| p.forget()).is_some())
            + usize::from(sem.try_acquire().map(|p| p.forget()).is_some());
        assert!(
            took <= 1,
            "a newcomer took a permit handed to a parked thread"
        );
        sem.release(took).unwrap();
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!((sem.available_permits(), sem.waiters()), (0, 0));
        o.lock().unwrap().insert(took);
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([0, 1]));
}

#[test]
fn acquire_timeout_explores_both_branches_and_loses_no_permit() {
    let outcomes: Seen<bool> = seen();
    let o = outcomes.clone();
    check("semaphore/timeout-both-branches", 3, move || {
        let sem = Arc::new(Semaphore::new(0));
        let s2 = Arc::clone(&sem);
        let t = thread::spawn(move || s2.release(1).unwrap());
        let got = sem.acquire_timeout(Duration::from_millis(10));
        let timed_out = got.is_none();
        if let Some(p) = got {
            p.forget();
        }
        t.join().unwrap();
        // Conserved: the one permit was taken, or it is still free.
        assert_eq!(sem.available_permits(), usize::from(timed_out));
        assert_eq!(sem.waiters(), 0);
        o.lock().unwrap().insert(timed_out);
    });
    let outcomes = outcomes.lock().unwrap();
    assert!(
        outcomes.contains(&true),
        "the timed-out branch was never explored"
    );
    assert!(
        outcomes.contains(&false),
        "the acquired branch was never explored"
    );
}

#[test]
fn a_waiter_timing_out_does_not_strand_the_one_behind_it() {
    // T1 waits with a timeout, T2 without; main releases one permit. If T1 gives up, T2 must
    // still get the permit (loom reports a deadlock otherwise); if T1 takes it, main releases
    // another for T2. Both orders of queueing and both branches of T1's wait are explored.
    let outcomes: Seen<bool> = seen();
    let o = outcomes.clone();
    check("semaphore/timeout-beside-waiter", 2, move || {
        let sem = Arc::new(Semaphore::new(0));
        let s1 = Arc::clone(&sem);
        let t1 = thread::spawn(move || {
            let got = s1.acquire_timeout(Duration::from_millis(10));
            let timed_out = got.is_none();
            if let Some(p) = got {
                p.forget();
            }
            timed_out
        });
        let s2 = Arc::clone(&sem);
        let t2 = thread::spawn(move || s2.acquire().forget());
        sem.release(1).unwrap();
        let timed_out = t1.join().unwrap();
        if !timed_out {
            sem.release(1).unwrap();
        }
        t2.join().unwrap();
        assert_eq!(sem.available_permits(), 0);
        assert_eq!(sem.waiters(), 0);
        o.lock().unwrap().insert(timed_out);
    });
    assert_eq!(
        outcomes.lock().unwrap().len(),
        2,
        "both branches of T1's wait"
    );
}

#[test]
fn bounded_releases_racing_at_the_bound_admit_exactly_one() {
    // One permit is out (forgotten); T1 and main both give one back: exactly one is accepted,
    // and the count ends at the bound.
    check("semaphore/bounded-race", 3, || {
        let sem = Arc::new(BoundedSemaphore::new(1));
        sem.acquire().forget();
        let s2 = Arc::clone(&sem);
        let t = thread::spawn(move || s2.release(1).is_ok());
        let mine = sem.release(1).is_ok();
        let theirs = t.join().unwrap();
        assert!(mine != theirs, "accepted: main {mine}, T1 {theirs}");
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn bounded_refusal_while_a_waiter_is_queued_changes_nothing() {
    // T1 is (perhaps) queued on an empty bounded semaphore; main's release(2) exceeds the bound
    // either way and is refused whole; its release(1) then reaches T1.
    check("semaphore/bounded-refusal-queued", 3, || {
        let sem = Arc::new(BoundedSemaphore::new(1));
        sem.acquire().forget();
        let s2 = Arc::clone(&sem);
        let t = thread::spawn(move || s2.acquire().forget());
        assert!(sem.release(2).is_err());
        sem.release(1).unwrap();
        t.join().unwrap();
        assert_eq!(sem.available_permits(), 0);
        assert_eq!(sem.waiters(), 0);
    });
}

#[test]
fn permits_released_between_the_fast_and_the_slow_look_are_all_counted() {
    // T1's lock-free look finds no permit; main releases three before T1's look under the
    // queue's lock, which then takes one of the three and must leave exactly two (and no
    // WAITERS flag, with nobody queued). cargo-mutants' `state / ONE` for `state - ONE` in
    // that branch survived every std test; this is the model that catches it.
    check("semaphore/slow-path-takes-one-of-many", 3, || {
        let s = Arc::new(Semaphore::new(0));
        let s2 = Arc::clone(&s);
        let t = thread::spawn(move || s2.acquire().forget());
        s.release(3).unwrap();
        t.join().unwrap();
        assert_eq!(s.available_permits(), 2);
        assert_eq!(s.waiters(), 0);
        let (a, b) = (s.try_acquire(), s.try_acquire());
        assert!(a.is_some() && b.is_some(), "two permits left to take");
        assert!(s.try_acquire().is_none());
    });
}
