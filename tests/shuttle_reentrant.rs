//! shuttle explorations of generated plans for `verisync::ReentrantLock`: 2 or 3 threads, each
//! a short list of entries (taken by `lock`, `try_lock` or `lock_timeout`, re-entered to depth
//! 1 to 3 by every means, the holds given back newest or oldest first), under random and PCT
//! schedules.
//!
//! At every step the thread checks the invariants: never two owners at once (an "inside"
//! counter), `hold_count` equal to the depth it is at and `is_held_by_current_thread` while
//! inside, both 0/false outside, nobody else writing the value while it is inside; at the end
//! the value equals the number of successful entries and re-entries. A deadlock (every thread
//! blocked) is reported by shuttle as a panic, so a clean run also means none was reached.
//!
//! The bookkeeping uses std atomics, which shuttle does not schedule around: an owner counts
//! itself in right after its first hold and out right before its last release, so the counter
//! can only under-count owners, never over-count them.
#![cfg(all(feature = "shuttle", not(loom)))]

use proptest::prelude::*;
use std::cell::Cell;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc as StdArc, Mutex as StdMutex};
use std::time::Duration;
use verisync::check::{explore, FailureKind, Scheduler};
use verisync::sync::{thread, Arc};
use verisync::{ReentrantLock, ReentrantLockGuard};

#[derive(Clone, Copy, Debug)]
enum Take {
    Lock,
    TryLock,
    /// `lock_timeout` of this many (virtual) milliseconds.
    LockTimeout(u64),
}

/// One entry: take the lock, re-enter it to `depth` holds, give them back.
#[derive(Clone, Copy, Debug)]
struct Entry {
    take: Take,
    depth: usize,
    newest_first: bool,
}

fn plan() -> impl Strategy<Value = Vec<Vec<Entry>>> {
    let take = prop_oneof![
        Just(Take::Lock),
        Just(Take::TryLock),
        (0..20u64).prop_map(Take::LockTimeout),
    ];
    let entry = (take, 1..=3usize, any::<bool>()).prop_map(|(take, depth, newest_first)| Entry {
        take,
        depth,
        newest_first,
    });
    prop::collection::vec(prop::collection::vec(entry, 1..=3), 2..=3)
}

type Lock = ReentrantLock<Cell<usize>>;

/// Re-enters the lock the caller holds, a different way at each level; it never fails.
fn reenter(lock: &Lock, level: usize) -> ReentrantLockGuard<'_, Cell<usize>> {
    match level % 3 {
        0 => lock.lock(),
        1 => lock.try_lock().expect("re-entry by try_lock failed"),
        _ => lock
            .lock_timeout(Duration::ZERO)
            .expect("re-entry by lock_timeout failed"),
    }
}

/// One thread's entries; returns how many holds it got (each added 1 to the value).
fn run_entries(lock: &Lock, inside: &AtomicUsize, entries: &[Entry]) -> usize {
    let mut holds = 0;
    for &entry in entries {
        assert_eq!(lock.hold_count(), 0);
        assert!(!lock.is_held_by_current_thread());
        let first = match entry.take {
            Take::Lock => Some(lock.lock()),
            Take::TryLock => lock.try_lock(),
            Take::LockTimeout(ms) => lock.lock_timeout(Duration::from_millis(ms)),
        };
        let Some(first) = first else {
            assert!(!matches!(entry.take, Take::Lock));
            assert_eq!(lock.hold_count(), 0, "a failed attempt left a hold");
            assert!(!lock.is_held_by_current_thread());
            continue;
        };
        assert_eq!(inside.fetch_add(1, SeqCst), 0, "two owners at once");
        let base = first.get();
        first.set(base + 1);
        let mut guards = vec![first];
        for level in 2..=entry.depth {
            // Let the others run (and try to get in) between the levels.
            thread::yield_now();
            let g = reenter(lock, level);
            assert_eq!(lock.hold_count(), level);
            assert!(lock.is_held_by_current_thread());
            g.set(g.get() + 1);
            guards.push(g);
        }
        holds += entry.depth;
        thread::yield_now();
        assert_eq!(
            guards[0].get(),
            base + entry.depth,
            "another thread wrote inside"
        );
        while guards.len() > 1 {
            if entry.newest_first {
                guards.pop();
            } else {
                drop(guards.remove(0));
            }
            assert_eq!(lock.hold_count(), guards.len());
            assert!(lock.is_held_by_current_thread());
            assert!(lock.is_locked());
            thread::yield_now();
        }
        assert_eq!(inside.fetch_sub(1, SeqCst), 1);
        drop(guards);
        assert_eq!(lock.hold_count(), 0);
        assert!(!lock.is_held_by_current_thread());
    }
    holds
}

fn scenario(plans: Vec<Vec<Entry>>) -> impl Fn() + Send + Sync + 'static {
    move || {
        let lock = Arc::new(ReentrantLock::new(Cell::new(0)));
        // Outside the model's world: a plain count of owners.
        let inside = StdArc::new(AtomicUsize::new(0));
        let handles: Vec<_> = plans
            .iter()
            .cloned()
            .map(|entries| {
                let (lock, inside) = (Arc::clone(&lock), StdArc::clone(&inside));
                thread::spawn(move || run_entries(&lock, &inside, &entries))
            })
            .collect();
        let holds: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert!(!lock.is_locked());
        assert_eq!(
            lock.lock().get(),
            holds,
            "an increment was lost in {plans:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn plans_keep_the_invariants_under_random_and_pct_schedules(plans in plan()) {
        verisync::check::Builder::new(
            "shuttle_reentrant/plans_keep_the_invariants_under_random_and_pct_schedules",
        )
        .schedules(100)
        .run(scenario(plans));
    }
}

/// A contended `lock_timeout` reaches both outcomes under the modelled clock (handed the lock
/// before its timer fires, or timed out first), and either way the lock ends up free with
/// the right value.
#[test]
fn a_contended_lock_timeout_reaches_both_outcomes() {
    // About the clock's two branches: a spurious wakeup (one more step before the timer can
    // fire) only makes the timed-out one rarer. Injection off.
    verisync::sync::set_spurious_wakeups(0);
    for scheduler in [
        Scheduler::Random { seed: 11 },
        Scheduler::Pct { seed: 11, depth: 3 },
    ] {
        let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
        let s = StdArc::clone(&seen);
        let executions = AtomicUsize::new(0);
        let report = explore("reentrant/handoff-or-timeout", scheduler, 300, move || {
            let lock = Arc::new(ReentrantLock::new(Cell::new(0)));
            let held = lock.lock();
            let other = Arc::clone(&lock);
            let t = thread::spawn(move || {
                let got = other.lock_timeout(Duration::from_millis(10));
                if let Some(g) = &got {
                    assert_eq!(g.get(), 1, "the owner's write was not seen");
                    g.set(2);
                }
                assert_eq!(other.hold_count(), usize::from(got.is_some()));
                got.is_some()
            });
            // Time for the other thread to queue and for the clock to fire, or not: PCT
            // reaches the handoff with few yields, random the timeout with many.
            for _ in 0..executions.fetch_add(1, SeqCst) % 7 {
                thread::yield_now();
            }
            held.set(1);
            drop(held);
            let got = t.join().unwrap();
            s.lock().unwrap().insert(got);
            assert!(!lock.is_locked());
            assert_eq!(lock.lock().get(), if got { 2 } else { 1 });
        });
        assert_eq!(report.failure, None, "{scheduler}: {report:?}");
        assert_eq!(
            *seen.lock().unwrap(),
            BTreeSet::from([false, true]),
            "{scheduler} missed an outcome"
        );
    }
}

/// The checker sees the lock's blocking: two threads taking two locks in opposite orders
/// (re-entering the first on the way) are reported deadlocked, not left spinning. Re-entry
/// alone never is: one thread taking both locks in both orders is clean.
#[test]
fn lock_order_inversion_is_reported_as_a_deadlock() {
    fn take_both(first: &ReentrantLock<()>, second: &ReentrantLock<()>) {
        let _a = first.lock();
        let _again = first.lock();
        thread::yield_now();
        let _b = second.lock();
    }
    let inverted = || {
        let (a, b) = (
            Arc::new(ReentrantLock::new(())),
            Arc::new(ReentrantLock::new(())),
        );
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let t = thread::spawn(move || take_both(&b2, &a2));
        take_both(&a, &b);
        t.join().unwrap();
    };
    let report = explore(
        "reentrant/inverted",
        Scheduler::Pct { seed: 3, depth: 3 },
        1000,
        inverted,
    );
    assert_eq!(
        report.kind(),
        Some(FailureKind::Deadlock),
        "the inversion was not reported: {report:?}"
    );

    let one_thread = || {
        let (a, b) = (ReentrantLock::new(()), ReentrantLock::new(()));
        take_both(&a, &b);
        let _held = b.lock();
        take_both(&b, &a);
        assert_eq!(b.hold_count(), 1);
    };
    let report = explore(
        "reentrant/one-thread",
        Scheduler::Random { seed: 3 },
        50,
        one_thread,
    );
    assert_eq!(report.failure, None, "{report:?}");
}
