//! shuttle explorations of generated plans for `verisync::Condition`: notifier threads notify
//! some, notify all, update the value and try the lock; waiter threads wait, with and without
//! timeouts. Under random and PCT: nothing deadlocks (every untimed wait still inside is woken
//! by the main thread's final `notify_all`), a notify never wakes more than it was asked to nor
//! more than were in line, and every wake a notify counts is returned by exactly one wait
//! (nothing kept, nothing lost). Then both outcomes of `wait_timeout` racing a notify, reached.
#![cfg(all(feature = "shuttle", not(loom)))]

mod common;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc as StdArc, Mutex as StdMutex};
use std::time::Duration;
use verisync::sync::{thread, Arc};
use verisync::Condition;

#[derive(Clone, Copy, Debug)]
enum Tell {
    Notify(usize),
    NotifyAll,
    Update,
    TryLock,
}

#[derive(Clone, Copy, Debug)]
enum Wait {
    Wait,
    WaitTimeout(u64),
}

/// What the threads share under the condition's lock.
#[derive(Debug, Default)]
struct Shared {
    /// The sum of every notify's count.
    granted: usize,
    /// Waits that returned notified.
    woken: usize,
    /// Updates made by notifiers.
    value: usize,
    /// The notifiers are done and the final `notify_all` is made: untimed waits stop here.
    done: bool,
}

fn plan() -> impl Strategy<Value = (Vec<Vec<Tell>>, Vec<Vec<Wait>>)> {
    let tell = prop_oneof![
        (0..3usize).prop_map(Tell::Notify),
        Just(Tell::NotifyAll),
        Just(Tell::Update),
        Just(Tell::TryLock),
    ];
    let wait = prop_oneof![Just(Wait::Wait), (0..20u64).prop_map(Wait::WaitTimeout)];
    (
        prop::collection::vec(prop::collection::vec(tell, 1..=4), 1..=2),
        prop::collection::vec(prop::collection::vec(wait, 1..=3), 1..=2),
    )
}

fn scenario(tellers: Vec<Vec<Tell>>, waiters: Vec<Vec<Wait>>) -> impl Fn() + Send + Sync + 'static {
    move || {
        let c = Arc::new(Condition::new(Shared::default()));
        let tells: Vec<_> = tellers
            .iter()
            .cloned()
            .map(|plan| {
                let c = Arc::clone(&c);
                thread::spawn(move || {
                    for op in plan {
                        match op {
                            Tell::Notify(n) => {
                                let mut g = c.lock();
                                // Holding the lock, nobody can join the line: only leave it.
                                let in_line = c.waiters();
                                let woke = g.notify(n);
                                assert!(woke <= n && woke <= in_line, "{woke} of {n}/{in_line}");
                                g.granted += woke;
                            }
                            Tell::NotifyAll => {
                                let mut g = c.lock();
                                let in_line = c.waiters();
                                let woke = g.notify_all();
                                assert!(woke <= in_line);
                                assert_eq!(c.waiters(), 0, "notify_all leaves nobody in line");
                                g.granted += woke;
                            }
                            Tell::Update => c.lock().value += 1,
                            Tell::TryLock => {
                                if let Some(mut g) = c.try_lock() {
                                    assert!(!g.done);
                                    assert_eq!(g.notify(0), 0);
                                }
                            }
                        }
                    }
                })
            })
            .collect();
        let waits: Vec<_> = waiters
            .iter()
            .cloned()
            .map(|plan| {
                let c = Arc::clone(&c);
                thread::spawn(move || {
                    for op in plan {
                        let mut g = c.lock();
                        if g.done {
                            return; // nobody would notify an untimed wait now
                        }
                        let value = g.value;
                        let woken = match op {
                            Wait::Wait => {
                                g.wait();
                                true
                            }
                            Wait::WaitTimeout(ms) => g.wait_timeout(Duration::from_millis(ms)),
                        };
                        // The lock is held again either way, and values only grow.
                        assert!(g.value >= value);
                        if woken {
                            g.woken += 1;
                            assert!(g.woken <= g.granted, "woken without a notify counting it");
                        }
                    }
                })
            })
            .collect();
        for t in tells {
            t.join().unwrap();
        }
        {
            let mut g = c.lock();
            g.done = true;
            g.granted += g.notify_all();
        }
        for w in waits {
            w.join().unwrap();
        }
        let g = c.lock();
        assert_eq!(
            g.woken, g.granted,
            "every counted wake returned by exactly one wait"
        );
        assert_eq!(c.waiters(), 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    // These plans count each return from `wait` as a notification, which a spurious wakeup is
    // not: injection off here (`tests/shuttle_facade.rs` reaches the spurious branch).
    #[test]
    fn plans_lose_and_keep_no_notify_under_random_and_pct((tellers, waiters) in plan()) {
        verisync::sync::set_spurious_wakeups(0);
        verisync::check::Builder::new(
            "shuttle_condition/plans_lose_and_keep_no_notify_under_random_and_pct",
        )
        .schedules(100)
        .run(scenario(tellers, waiters));
    }
}

/// A notify racing an older waiter's timeout goes to it (it returns `true`) or to the younger
/// one, never nowhere, under both schedulers.
#[test]
fn a_notify_racing_a_timeout_loses_no_wakeup() {
    let scenario = || {
        // Whether the patient waiter has called wait, and whether it was woken.
        let c = Arc::new(Condition::new((false, false)));
        let mut g = c.lock();
        let patient = {
            let c = Arc::clone(&c);
            thread::spawn(move || {
                let mut g = c.lock();
                g.0 = true;
                g.wait();
                g.1 = true;
            })
        };
        let notifier = {
            let c = Arc::clone(&c);
            thread::spawn(move || loop {
                let mut g = c.lock();
                if g.0 {
                    break g.notify(1);
                }
                drop(g);
                thread::yield_now();
            })
        };
        let hasty_woken = g.wait_timeout(Duration::from_millis(5));
        drop(g);
        assert_eq!(notifier.join().unwrap(), 1);
        if hasty_woken {
            assert_eq!(c.lock().notify(1), 1);
        }
        patient.join().unwrap();
        assert!(c.lock().1);
        assert_eq!(c.waiters(), 0);
    };
    // The patient waiter's return stands for its notification: injection off.
    // `check` runs its models on this thread, so the setting holds for them.
    verisync::sync::set_spurious_wakeups(0);
    verisync::check::Builder::new("shuttle_condition/a_notify_racing_a_timeout_loses_no_wakeup")
        .schedules(300)
        .run(scenario);
}

/// `wait_timeout` racing a notify reaches both outcomes under the modelled clock, and the
/// notifier's count is exactly the waiter's wake (injection off: a spurious wake counts for no
/// notify; `tests/shuttle_facade.rs` reaches that branch).
#[test]
fn wait_timeout_reaches_both_outcomes() {
    let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
    let runs = StdArc::new(AtomicUsize::new(0));
    let scenario = {
        let (seen, runs) = (StdArc::clone(&seen), StdArc::clone(&runs));
        move || {
            let c = Arc::new(Condition::new(()));
            let c2 = Arc::clone(&c);
            let waiter = thread::spawn(move || c2.lock().wait_timeout(Duration::from_millis(10)));
            // Time for the waiter to get in line and for the clock to fire, or not.
            // SeqCst: the test's own bookkeeping.
            for _ in 0..runs.fetch_add(1, Ordering::SeqCst) % 7 {
                thread::yield_now();
            }
            let woke = c.lock().notify(1);
            let woken = waiter.join().unwrap();
            assert_eq!(woke, usize::from(woken));
            assert_eq!(c.waiters(), 0);
            seen.lock().unwrap().insert(woken);
        }
    };
    verisync::sync::set_spurious_wakeups(0);
    // shuttle directly: this test tallies outcomes across schedules; `check` reports failures only.
    common::seeded_schedules(false, scenario.clone());
    common::seeded_schedules(true, scenario);
    assert_eq!(*seen.lock().unwrap(), BTreeSet::from([false, true]));
}
