//! loom models of `verisync::Mutex` on the parking core: mutual exclusion with each holder's
//! writes seen by the next (the value lives in loom's `UnsafeCell`, so an unordered access is a
//! reported race), a contended lock that parks, both branches of `lock_timeout` (alone, and
//! while another thread waits behind it), a newcomer taking a lock freed for a woken thread but
//! never one handed to it, and three threads. Every `Ordering` of `src/park.rs` weakened fails
//! one of these (see `.ci/mutate-orderings`).
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

#[test]
fn a_parked_thread_is_woken_and_sees_the_holders_writes() {
    // Main holds the lock until T has parked (or, in other executions, is about to): no lost
    // wakeup (loom reports a deadlock otherwise), and T reads main's write after main's
    // release, whether the release found T parked or not.
    check("mutex/park-and-wake", 3, || {
        let m = Arc::new(Mutex::new(0u32));
        let held = m.lock();
        let m2 = Arc::clone(&m);
        let t = thread::spawn(move || {
            let mut g = m2.lock();
            assert_eq!(*g, 1, "the holder's write is not visible");
            *g += 1;
        });
        let mut held = held;
        *held = 1;
        drop(held);
        t.join().unwrap();
        assert_eq!(*m.lock(), 2);
        assert_eq!(m.waiters(), 0);
    });
}

#[test]
fn a_waiter_timing_out_as_the_holder_releases_loses_nothing() {
    // Main holds; T1 waits with a timeout, T2 without. Whatever order the timeout, the release
    // and the wake take, T2 gets the lock (no lost wakeup), every holder sees the previous
    // holder's writes, and nobody is left parked; when T1 has left the queue before main's
    // release, the release finds nobody parked and frees the lock on the lock-free path.
    let outcomes = seen();
    let o = outcomes.clone();
    check("mutex/timeout-vs-release", 2, move || {
        let m = Arc::new(Mutex::new(0u32));
        let mut held = m.lock();
        let m1 = Arc::clone(&m);
        let t1 = thread::spawn(move || {
            m1.lock_timeout(Duration::from_millis(10))
                .map(|mut g| *g += 1)
                .is_some()
        });
        let m2 = Arc::clone(&m);
        let t2 = thread::spawn(move || *m2.lock() += 1);
        *held += 1;
        drop(held);
        let got = t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(*m.lock(), 2 + u32::from(got));
        assert_eq!(m.waiters(), 0);
        o.lock().unwrap().insert(got);
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}

#[test]
fn a_newcomer_may_take_a_lock_freed_for_a_woken_thread_but_never_a_handed_one() {
    // Main holds, T parks. Under a model every second wake is a handoff (`FAIR_EVERY` = 2).
    // Main's first release wakes T to retry and frees the lock, so main's try_lock right after
    // may win it back; then T parks again, and main's second release hands the lock to T
    // without freeing it: main's next try_lock succeeds only after T has had it. T always gets in (loom reports a
    // deadlock otherwise) and sees every write main made before letting go.
    let outcomes = seen();
    let o = outcomes.clone();
    check("mutex/barge-or-handoff", 3, move || {
        let m = Arc::new(Mutex::new(0u32));
        let mut held = m.lock();
        let m2 = Arc::clone(&m);
        let t = thread::spawn(move || *m2.lock() += 10);
        while m.waiters() == 0 {
            verisync::sync::spin_loop();
        }
        *held += 1;
        drop(held);
        let barged = match m.try_lock() {
            // T has not had the lock: it was woken to retry, lost, and parks again.
            Some(mut again) if *again == 1 => {
                *again += 1;
                while m.waiters() == 0 {
                    verisync::sync::spin_loop();
                }
                drop(again); // the second wake: a handoff
                if let Some(g) = m.try_lock() {
                    // Only once T has had the lock handed to it, and let go.
                    assert_eq!(*g, 12, "a newcomer took a handed lock");
                }
                true
            }
            // T came and went before main looked, or holds the lock now.
            _ => false,
        };
        t.join().unwrap();
        assert_eq!(*m.lock(), 11 + u32::from(barged));
        o.lock().unwrap().insert(barged);
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}

#[test]
fn three_threads_one_at_a_time() {
    check("mutex/three-threads", 2, || {
        let m = Arc::new(Mutex::new(0u32));
        let go = |m: &Mutex<u32>| {
            let mut g = m.lock();
            let seen = *g;
            thread::yield_now();
            *g = seen + 1;
        };
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let m = Arc::clone(&m);
                thread::spawn(move || go(&m))
            })
            .collect();
        go(&m);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*m.lock(), 3);
        assert_eq!(m.waiters(), 0);
    });
}

/// Two threads each take the same two mutexes, held by structs in two separate `Arc`s, in
/// one global order. Stop 12 reported a loom "deadlock" here with the order taken from the
/// structs' addresses: heap addresses differ between loom's executions (the order flipped from
/// one execution to the next), and loom replays a schedule recorded in one execution on the
/// assumption that the next does the same thing, so it ran a thread that was blocked and
/// called that a deadlock. A model must be deterministic; with an order fixed at creation (as
/// `Account` now has, `sync::serial`) the same model passes on verisync's `Mutex`.
#[test]
fn two_locks_in_one_order_in_separate_arcs() {
    struct Acc {
        order: u32,
        balance: Mutex<u64>,
    }
    fn transfer(from: &Acc, to: &Acc) {
        let (mut src, mut dst) = if from.order < to.order {
            let s = from.balance.lock();
            (s, to.balance.lock())
        } else {
            let d = to.balance.lock();
            (from.balance.lock(), d)
        };
        *src -= 1;
        *dst += 1;
    }
    check("mutex/one-order-separate-arcs", 3, || {
        let acc = |order| {
            Arc::new(Acc {
                order,
                balance: Mutex::new(5),
            })
        };
        let (a, b) = (acc(0), acc(1));
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let t = thread::spawn(move || transfer(&a2, &b2));
        transfer(&b, &a);
        t.join().unwrap();
        assert_eq!(*a.balance.lock() + *b.balance.lock(), 10);
    });
}

/// With a spurious wakeup injected (issue 13), a thread parked on the lock may be woken though
/// nobody released it: it leaves the queue (lowering the flag if it was alone) and parks again,
/// and neither exclusion nor the holder's release is disturbed.
#[test]
fn a_spurious_wakeup_of_a_parked_locker_changes_nothing() {
    verisync::sync::set_spurious_wakeups(1);
    check("mutex/spurious", 3, || {
        let m = Arc::new(Mutex::new(0u32));
        let m2 = Arc::clone(&m);
        let g = m.lock();
        let t = thread::spawn(move || {
            *m2.lock() += 1;
        });
        // Until the other thread has parked (or given up spinning), hold the lock.
        thread::yield_now();
        drop(g);
        t.join().unwrap();
        assert_eq!(*m.lock(), 1);
        assert_eq!(m.waiters(), 0);
    });
}
