//! loom models of `ReentrantLock`: mutual exclusion with re-entry, each owner's writes seen by
//! the next, three threads never inside at once, both branches of `try_lock` and
//! `lock_timeout`, a waiter timing out while the owner releases (the path where the last
//! release finds the queue empty), and a newcomer taking a lock freed for a woken thread. The
//! lock's orderings live in the parking core: every `Ordering` in `src/park.rs` weakened fails
//! one of these, or of the Mutex and Semaphore models (see `.ci/mutate-orderings`).
#![cfg(loom)]

mod common;

use common::{check, seen, Guarded};

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc as StdArc;
use std::time::Duration;
use verisync::sync::{thread, Arc};
use verisync::ReentrantLock;

/// Takes the lock twice (outer, then re-entered), bumping the data at each level, and checks
/// the hold count on the way in and out.
fn enter_twice(lock: &ReentrantLock<Guarded>) {
    let outer = lock.lock();
    let before = outer.get();
    outer.bump();
    {
        let inner = lock.lock();
        assert_eq!(lock.hold_count(), 2);
        inner.bump();
        assert_eq!(inner.get(), before + 2, "another thread got in between");
    }
    assert_eq!(lock.hold_count(), 1);
    assert!(lock.is_held_by_current_thread());
}

#[test]
fn reentry_excludes_others_and_publishes() {
    check("reentrant/reentry-publishes", 3, || {
        let lock = Arc::new(ReentrantLock::new(Guarded::new()));
        let other = Arc::clone(&lock);
        let t = thread::spawn(move || enter_twice(&other));
        enter_twice(&lock);
        assert_eq!(lock.hold_count(), 0);
        t.join().unwrap();
        assert_eq!(lock.lock().get(), 4);
        assert!(!lock.is_locked());
    });
}

#[test]
fn three_threads_one_at_a_time() {
    check("reentrant/three-threads", 2, || {
        let lock = Arc::new(ReentrantLock::new(Guarded::new()));
        let inside = StdArc::new(AtomicUsize::new(0));
        let go = |lock: &ReentrantLock<Guarded>, inside: &AtomicUsize| {
            let g = lock.lock();
            // Relaxed: loom runs every thread on one OS thread; this counts, it orders nothing.
            assert_eq!(
                inside.fetch_add(1, Ordering::Relaxed),
                0,
                "two owners at once"
            );
            g.bump();
            inside.fetch_sub(1, Ordering::Relaxed);
        };
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (lock, inside) = (Arc::clone(&lock), StdArc::clone(&inside));
                thread::spawn(move || go(&lock, &inside))
            })
            .collect();
        go(&lock, &inside);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(lock.lock().get(), 3);
    });
}

#[test]
fn try_lock_succeeds_or_fails_and_never_blocks() {
    let outcomes = seen();
    let o = outcomes.clone();
    check("reentrant/try-lock", 3, move || {
        let lock = Arc::new(ReentrantLock::new(Guarded::new()));
        let other = Arc::clone(&lock);
        let t = thread::spawn(move || other.try_lock().map(|g| g.bump()).is_some());
        enter_twice(&lock);
        let got = t.join().unwrap();
        assert_eq!(lock.lock().get(), 2 + usize::from(got));
        o.lock().unwrap().insert(got);
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}

#[test]
fn lock_timeout_reaches_both_branches_and_leaves_the_lock_usable() {
    let outcomes = seen();
    let o = outcomes.clone();
    check("reentrant/lock-timeout", 3, move || {
        let lock = Arc::new(ReentrantLock::new(Guarded::new()));
        let other = Arc::clone(&lock);
        let t = thread::spawn(move || {
            other
                .lock_timeout(Duration::from_millis(10))
                .map(|g| g.bump())
                .is_some()
        });
        enter_twice(&lock);
        let got = t.join().unwrap();
        // Whatever happened, nobody is left queued: a new thread takes it without waiting.
        let other = Arc::clone(&lock);
        assert!(thread::spawn(move || other.try_lock().is_some())
            .join()
            .unwrap());
        assert_eq!(lock.lock().get(), 2 + usize::from(got));
        o.lock().unwrap().insert(got);
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}

#[test]
fn a_waiter_timing_out_as_the_owner_releases_loses_nothing() {
    // Main owns; T1 queues with a timeout, T2 queues without one. Whatever order the timeout,
    // the release and the handover take, T2 gets the lock (no lost wakeup: loom reports a
    // deadlock otherwise) and sees every earlier owner's write; and when T1 has left the queue
    // before main's release, the release finds the queue empty and frees the lock with a store
    // that T2's lock-free acquire must see.
    let outcomes = seen();
    let o = outcomes.clone();
    check("reentrant/timeout-vs-release", 2, move || {
        let lock = Arc::new(ReentrantLock::new(Guarded::new()));
        let held = lock.lock();
        let l1 = Arc::clone(&lock);
        let t1 = thread::spawn(move || {
            l1.lock_timeout(Duration::from_millis(10))
                .map(|g| g.bump())
                .is_some()
        });
        let l2 = Arc::clone(&lock);
        let t2 = thread::spawn(move || {
            l2.lock().bump();
        });
        held.bump();
        drop(held);
        let got = t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(lock.lock().get(), 2 + usize::from(got));
        o.lock().unwrap().insert(got);
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}

#[test]
fn a_newcomer_may_take_a_lock_freed_for_a_woken_thread() {
    // Main owns, T parks. Main's release wakes T to retry (the first wake is never a handoff)
    // and frees the lock, so main's own try_lock right after may win it back; then T parks
    // again and main's next release (a handoff under a model, where every second wake is one)
    // serves it. Both outcomes are reached, every owner sees the previous owner's writes, and
    // T always gets in (loom reports a deadlock otherwise).
    let outcomes = seen();
    let o = outcomes.clone();
    check("reentrant/barge-or-retry", 3, move || {
        let lock = Arc::new(ReentrantLock::new(Guarded::new()));
        let held = lock.lock();
        let other = Arc::clone(&lock);
        let t = thread::spawn(move || {
            other.lock().bump();
        });
        while lock.waiters() == 0 {
            verisync::sync::spin_loop();
        }
        held.bump();
        drop(held);
        let barged = lock.try_lock().map(|g| g.bump()).is_some();
        t.join().unwrap();
        assert_eq!(lock.lock().get(), 2 + usize::from(barged));
        o.lock().unwrap().insert(barged);
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}
