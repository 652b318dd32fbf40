//! Model-based test: `ReentrantLock` against a plain sequential model (proptest-state-machine).
//!
//! The test thread holds a stack of guards, taken by `lock`, `try_lock` and `lock_timeout`
//! (every timeout from zero to `Duration::MAX`) and dropped in any order; the model is just how
//! many it holds and the value behind the lock. Other threads step in one at a time: a
//! `try_lock`, a short `lock_timeout` or a `lock` (when free) from a fresh thread must succeed
//! exactly when the stack is empty, and a handoff (a fresh thread blocks in `lock` while the
//! test thread gives back every hold) must always get in. After every step `hold_count`,
//! `is_held_by_current_thread`, `is_locked`, the value and `Debug` agree with the model.
#![cfg(not(any(loom, feature = "shuttle")))]

use proptest::prelude::*;
use proptest::sample::Index;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::thread;
use std::time::Duration;
use verisync::sync::FOREVER;
use verisync::{ReentrantLock, ReentrantLockGuard};

/// The test thread's timeouts: it never waits (the lock is free or its own), so any will do.
#[derive(Clone, Copy, Debug)]
enum Timeout {
    Zero,
    Short,
    Forever,
    Max,
}

impl Timeout {
    fn duration(self) -> Duration {
        match self {
            Timeout::Zero => Duration::ZERO,
            Timeout::Short => Duration::from_millis(1),
            Timeout::Forever => FOREVER,
            Timeout::Max => Duration::MAX,
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Lock,
    TryLock,
    LockTimeout(Timeout),
    /// Drops the guard at this index of those held (any order, not just the newest).
    Drop(Index),
    /// Adds to the value, through the newest guard or, holding none, a fresh `lock()`.
    Add(u8),
    /// Another thread's `try_lock`; on success it adds 1 and lets go.
    OtherTryLock,
    /// Another thread's `lock_timeout` of this many microseconds; on success it adds 1.
    OtherLockTimeout(u64),
    /// Another thread's `lock`, generated only when the lock is free (it would wait for the
    /// test thread otherwise); it adds 1.
    OtherLock,
    /// Another thread calls `lock` (and by the time the test thread lets go it has probably
    /// queued); the test thread drops every guard, oldest first or newest first; the other
    /// thread gets in and adds 1.
    HandOff {
        oldest_first: bool,
    },
}

/// The reference: the test thread's holds and the value.
#[derive(Clone, Debug, Default)]
struct Model {
    holds: usize,
    value: u64,
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model::default()).boxed()
    }

    fn transitions(s: &Model) -> BoxedStrategy<Op> {
        let timeout = prop_oneof![
            Just(Timeout::Zero),
            Just(Timeout::Short),
            Just(Timeout::Forever),
            Just(Timeout::Max),
        ];
        let mut ops = vec![
            (3, Just(Op::Lock).boxed()),
            (3, Just(Op::TryLock).boxed()),
            (3, timeout.prop_map(Op::LockTimeout).boxed()),
            (6, any::<Index>().prop_map(Op::Drop).boxed()),
            (2, any::<u8>().prop_map(Op::Add).boxed()),
            (2, Just(Op::OtherTryLock).boxed()),
            (
                2,
                prop_oneof![Just(0u64), Just(300)]
                    .prop_map(Op::OtherLockTimeout)
                    .boxed(),
            ),
            (
                1,
                any::<bool>()
                    .prop_map(|oldest_first| Op::HandOff { oldest_first })
                    .boxed(),
            ),
        ];
        if s.holds == 0 {
            ops.push((1, Just(Op::OtherLock).boxed()));
        }
        proptest::strategy::Union::new_weighted(ops).boxed()
    }

    fn preconditions(s: &Model, op: &Op) -> bool {
        !matches!(op, Op::OtherLock) || s.holds == 0
    }

    fn apply(mut s: Model, op: &Op) -> Model {
        match op {
            Op::Lock | Op::TryLock | Op::LockTimeout(_) => s.holds += 1,
            Op::Drop(_) => s.holds = s.holds.saturating_sub(1),
            Op::Add(n) => s.value += u64::from(*n),
            Op::OtherTryLock | Op::OtherLockTimeout(_) if s.holds == 0 => s.value += 1,
            Op::OtherTryLock | Op::OtherLockTimeout(_) => {}
            Op::OtherLock => s.value += 1,
            Op::HandOff { .. } => {
                s.holds = 0;
                s.value += 1;
            }
        }
        s
    }
}

type Lock = ReentrantLock<Cell<u64>>;

/// The lock (leaked, so that the guards can borrow it for the whole case) and the guards the
/// test thread holds, oldest first.
struct Sut {
    lock: &'static Lock,
    guards: Vec<ReentrantLockGuard<'static, Cell<u64>>>,
}

/// How another thread tries to get in.
#[derive(Clone, Copy)]
enum Other {
    Try,
    Timeout(Duration),
    Lock,
}

/// Runs one attempt from a fresh thread; if it gets in it adds 1. Returns the value it left,
/// or `None` if it could not get in.
fn from_another_thread(lock: &'static Lock, how: Other, locked: bool) -> Option<u64> {
    thread::spawn(move || {
        assert_eq!(lock.is_locked(), locked);
        assert!(!lock.is_held_by_current_thread());
        assert_eq!(lock.hold_count(), 0);
        let g = match how {
            Other::Try => lock.try_lock(),
            Other::Timeout(t) => lock.lock_timeout(t),
            Other::Lock => Some(lock.lock()),
        };
        let Some(g) = g else {
            assert_eq!(lock.hold_count(), 0);
            return None;
        };
        assert_eq!(lock.hold_count(), 1);
        g.set(g.get() + 1);
        Some(g.get())
    })
    .join()
    .unwrap()
}

/// Another thread blocks in `lock` while the test thread gives back every hold in `guards`.
fn hand_off(
    lock: &'static Lock,
    mut guards: Vec<ReentrantLockGuard<'static, Cell<u64>>>,
    oldest_first: bool,
) -> u64 {
    let started = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&started);
    let other = thread::spawn(move || {
        flag.store(true, SeqCst);
        let g = lock.lock();
        assert_eq!(lock.hold_count(), 1);
        g.set(g.get() + 1);
        g.get()
    });
    while !started.load(SeqCst) {
        thread::yield_now();
    }
    // Usually enough for the other thread to queue; the outcome is the same either way.
    thread::sleep(Duration::from_micros(200));
    if !oldest_first {
        guards.reverse();
    }
    let mut left = guards.len();
    for g in guards {
        assert!(!other.is_finished(), "got in while a hold was still out");
        drop(g);
        left -= 1;
        assert_eq!(lock.hold_count(), left);
    }
    other.join().unwrap()
}

/// Checks the lock against the model, from the test thread.
fn check(sut: &Sut, m: &Model, after: &Op) {
    let lock = sut.lock;
    assert_eq!(sut.guards.len(), m.holds, "after {after:?}");
    assert_eq!(lock.hold_count(), m.holds, "after {after:?}");
    assert_eq!(
        lock.is_held_by_current_thread(),
        m.holds > 0,
        "after {after:?}"
    );
    assert_eq!(lock.is_locked(), m.holds > 0, "after {after:?}");
    let value = match sut.guards.last() {
        Some(g) => g.get(),
        None => lock.try_lock().expect("free").get(),
    };
    assert_eq!(value, m.value, "after {after:?}");
    // The test thread may always look: the lock is free or its own.
    assert_eq!(
        format!("{lock:?}"),
        format!("ReentrantLock {{ data: Cell {{ value: {} }} }}", m.value)
    );
    assert_eq!(lock.hold_count(), m.holds, "looking changed the count");
}

struct Real;

impl StateMachineTest for Real {
    type SystemUnderTest = Sut;
    type Reference = Reference;

    fn init_test(m: &Model) -> Sut {
        let lock: &'static Lock = Box::leak(Box::new(ReentrantLock::new(Cell::new(m.value))));
        Sut {
            lock,
            guards: Vec::new(),
        }
    }

    fn apply(mut sut: Sut, after: &Model, op: Op) -> Sut {
        let lock = sut.lock;
        let before_holds = sut.guards.len();
        let before_value = match sut.guards.last() {
            Some(g) => g.get(),
            None => lock.try_lock().expect("free").get(),
        };
        let other = |how| from_another_thread(lock, how, before_holds > 0);
        match op {
            Op::Lock => sut.guards.push(lock.lock()),
            Op::TryLock => sut.guards.push(lock.try_lock().expect("free or ours")),
            Op::LockTimeout(t) => sut
                .guards
                .push(lock.lock_timeout(t.duration()).expect("free or ours")),
            Op::Drop(i) => {
                if !sut.guards.is_empty() {
                    drop(sut.guards.remove(i.index(before_holds)));
                }
            }
            Op::Add(n) => {
                let fresh;
                let g = match sut.guards.last() {
                    Some(g) => g,
                    None => {
                        fresh = lock.lock();
                        &fresh
                    }
                };
                g.set(g.get() + u64::from(n));
            }
            Op::OtherTryLock | Op::OtherLockTimeout(_) | Op::OtherLock => {
                let how = match op {
                    Op::OtherTryLock => Other::Try,
                    Op::OtherLockTimeout(us) => Other::Timeout(Duration::from_micros(us)),
                    _ => Other::Lock,
                };
                let got = other(how);
                let want = (before_holds == 0).then_some(before_value + 1);
                assert_eq!(got, want, "{op:?} with {before_holds} holds");
            }
            Op::HandOff { oldest_first } => {
                let guards = std::mem::take(&mut sut.guards);
                assert_eq!(hand_off(lock, guards, oldest_first), before_value + 1);
            }
        }
        check(&sut, after, &op);
        sut
    }

    fn teardown(sut: Sut, m: Model) {
        let lock = sut.lock;
        drop(sut.guards);
        assert!(!lock.is_locked());
        assert_eq!(
            from_another_thread(lock, Other::Try, false),
            Some(m.value + 1)
        );
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]
    #[test]
    fn reentrant_lock_matches_the_sequential_model(sequential 1..40 => Real);
}
