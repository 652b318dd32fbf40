//! Model-based test: `verisync::Mutex` on one thread against a plain "held" flag.
#![cfg(not(any(loom, feature = "shuttle")))]

use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use std::time::Duration;
use verisync::{Mutex, MutexGuard};

#[derive(Clone, Debug)]
enum Op {
    TryLock,
    LockTimeout(u64),
    /// `lock()`, only generated when the lock is free (it would wait for itself otherwise).
    Lock,
    Unlock,
    Add(u32),
}

struct Reference;

/// Whether the lock is held, and the value behind it.
impl ReferenceStateMachine for Reference {
    type State = (bool, u64);
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Self::State> {
        Just((false, 0)).boxed()
    }

    fn transitions(&(held, _): &Self::State) -> BoxedStrategy<Op> {
        let mut ops = vec![
            Just(Op::TryLock).boxed(),
            (0..2u64).prop_map(Op::LockTimeout).boxed(),
            Just(Op::Unlock).boxed(),
            (0..5u32).prop_map(Op::Add).boxed(),
        ];
        if !held {
            ops.push(Just(Op::Lock).boxed());
        }
        proptest::strategy::Union::new(ops).boxed()
    }

    fn preconditions(&(held, _): &Self::State, op: &Op) -> bool {
        !matches!(op, Op::Lock) || !held
    }

    fn apply((held, v): Self::State, op: &Op) -> Self::State {
        match op {
            Op::TryLock | Op::LockTimeout(_) | Op::Lock => (true, v),
            Op::Unlock => (false, v),
            Op::Add(n) if held => (true, v + u64::from(*n)),
            Op::Add(_) => (false, v),
        }
    }
}

struct Real;

impl StateMachineTest for Real {
    type SystemUnderTest = (&'static Mutex<u64>, Option<MutexGuard<'static, u64>>);
    type Reference = Reference;

    fn init_test(_: &(bool, u64)) -> Self::SystemUnderTest {
        // Leaked so the guard can live beside it in the state: a few bytes per case.
        (Box::leak(Box::new(Mutex::new(0))), None)
    }

    fn apply(
        (m, mut guard): Self::SystemUnderTest,
        &(held, value): &(bool, u64),
        op: Op,
    ) -> Self::SystemUnderTest {
        let was_held = guard.is_some();
        match op {
            Op::TryLock => {
                let g = m.try_lock();
                assert_eq!(g.is_some(), !was_held, "try_lock");
                guard = guard.or(g);
            }
            Op::LockTimeout(ms) => {
                let g = m.lock_timeout(Duration::from_millis(ms));
                assert_eq!(g.is_some(), !was_held, "lock_timeout");
                guard = guard.or(g);
            }
            Op::Lock => guard = Some(m.lock()),
            Op::Unlock => guard = None,
            Op::Add(n) => {
                if let Some(g) = guard.as_mut() {
                    **g += u64::from(n);
                }
            }
        }
        assert_eq!(guard.is_some(), held);
        assert_eq!(m.is_locked(), held);
        let now = match &guard {
            Some(g) => **g,
            None => *m.try_lock().expect("free"),
        };
        assert_eq!(now, value);
        (m, guard)
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]
    #[test]
    fn mutex_matches_the_sequential_model(sequential 1..40 => Real);
}
