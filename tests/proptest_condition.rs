//! Model-based test: `verisync::Condition` on one thread against a plain value. With only one
//! thread nobody else ever waits: every notify wakes nobody and returns 0, every timed wait
//! times out with the lock held again, and the value follows the updates.
#![cfg(not(any(loom, feature = "shuttle")))]

use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use std::time::Duration;
use verisync::Condition;

#[derive(Clone, Debug)]
enum Op {
    /// `lock()`, then store the value.
    Set(u8),
    /// `try_lock()` (always free here), then add to the value.
    TryAdd(u8),
    /// `lock_timeout(ms)`, then look.
    LockTimeout(u64),
    /// `notify(n)` with nobody waiting.
    Notify(usize),
    /// `notify_all()` with nobody waiting.
    NotifyAll,
    /// `wait_timeout(ms)`: nobody notifies, so `false`, lock held again.
    WaitTimeout(u64),
    /// `wait_while_timeout(ms, v != target)`: `true` at once if the value is `target`.
    WaitWhileTimeout(u64, u8),
}

struct Reference;

/// The value the condition's lock protects.
impl ReferenceStateMachine for Reference {
    type State = u8;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<u8> {
        Just(0).boxed()
    }

    fn transitions(_: &u8) -> BoxedStrategy<Op> {
        prop_oneof![
            any::<u8>().prop_map(Op::Set),
            any::<u8>().prop_map(Op::TryAdd),
            (0..2u64).prop_map(Op::LockTimeout),
            (0..4usize).prop_map(Op::Notify),
            Just(Op::NotifyAll),
            (0..2u64).prop_map(Op::WaitTimeout),
            ((0..2u64), (0..4u8)).prop_map(|(ms, t)| Op::WaitWhileTimeout(ms, t)),
        ]
        .boxed()
    }

    fn apply(v: u8, op: &Op) -> u8 {
        match op {
            Op::Set(x) => *x,
            Op::TryAdd(x) => v.wrapping_add(*x),
            _ => v,
        }
    }
}

struct Real;

impl StateMachineTest for Real {
    type SystemUnderTest = Condition<u8>;
    type Reference = Reference;

    fn init_test(_: &u8) -> Condition<u8> {
        Condition::new(0)
    }

    fn apply(c: Condition<u8>, &after: &u8, op: Op) -> Condition<u8> {
        match op {
            Op::Set(x) => *c.lock() = x,
            Op::TryAdd(x) => {
                let mut g = c.try_lock().expect("nobody holds it");
                *g = g.wrapping_add(x);
            }
            Op::LockTimeout(ms) => {
                let g = c.lock_timeout(Duration::from_millis(ms)).expect("free");
                assert!(c.try_lock().is_none(), "held");
                assert_eq!(*g, after);
            }
            Op::Notify(n) => assert_eq!(c.lock().notify(n), 0, "nobody waits"),
            Op::NotifyAll => assert_eq!(c.lock().notify_all(), 0, "nobody waits"),
            Op::WaitTimeout(ms) => {
                let mut g = c.lock();
                assert!(
                    !g.wait_timeout(Duration::from_millis(ms)),
                    "nobody notifies"
                );
                assert!(c.try_lock().is_none(), "held again");
                assert_eq!(*g, after);
            }
            Op::WaitWhileTimeout(ms, target) => {
                let mut g = c.lock();
                let ok = g.wait_while_timeout(Duration::from_millis(ms), |v| *v != target);
                assert_eq!(ok, after == target);
                assert!(c.try_lock().is_none(), "held again");
            }
        }
        assert_eq!(*c.lock(), after, "value");
        assert_eq!(c.waiters(), 0);
        assert_eq!(
            format!("{c:?}"),
            "Condition { locked: false, waiters: 0, .. }"
        );
        c
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]
    #[test]
    fn condition_matches_the_sequential_model(sequential 1..40 => Real);
}
