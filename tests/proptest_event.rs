//! Model-based test: `verisync::Event` on one thread against a plain "set" flag.
#![cfg(not(any(loom, feature = "shuttle")))]

use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use std::time::Duration;
use verisync::Event;

#[derive(Clone, Debug)]
enum Op {
    Set,
    Clear,
    IsSet,
    WaitTimeout(u64),
    /// `wait()`, only generated when the event is set (it would wait for itself otherwise).
    Wait,
}

struct Reference;

/// Whether the event is set.
impl ReferenceStateMachine for Reference {
    type State = bool;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<bool> {
        Just(false).boxed()
    }

    fn transitions(&set: &bool) -> BoxedStrategy<Op> {
        let mut ops = vec![
            Just(Op::Set).boxed(),
            Just(Op::Clear).boxed(),
            Just(Op::IsSet).boxed(),
            (0..2u64).prop_map(Op::WaitTimeout).boxed(),
        ];
        if set {
            ops.push(Just(Op::Wait).boxed());
        }
        proptest::strategy::Union::new(ops).boxed()
    }

    fn preconditions(&set: &bool, op: &Op) -> bool {
        !matches!(op, Op::Wait) || set
    }

    fn apply(set: bool, op: &Op) -> bool {
        match op {
            Op::Set => true,
            Op::Clear => false,
            Op::IsSet | Op::WaitTimeout(_) | Op::Wait => set,
        }
    }
}

struct Real;

impl StateMachineTest for Real {
    type SystemUnderTest = Event;
    type Reference = Reference;

    fn init_test(_: &bool) -> Event {
        Event::new()
    }

    fn apply(e: Event, &set: &bool, op: Op) -> Event {
        match op {
            Op::Set => e.set(),
            Op::Clear => e.clear(),
            Op::IsSet => {}
            Op::WaitTimeout(ms) => {
                assert_eq!(
                    e.wait_timeout(Duration::from_millis(ms)),
                    set,
                    "wait_timeout"
                );
            }
            Op::Wait => e.wait(),
        }
        assert_eq!(e.is_set(), set, "is_set");
        assert_eq!(e.waiters(), 0);
        assert_eq!(format!("{e:?}"), format!("Event {{ set: {set} }}"));
        e
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]
    #[test]
    fn event_matches_the_sequential_model(sequential 1..40 => Real);
}
