//! Model-based test: `verisync::ThreadLocal` on one thread, two objects, against an
//! `Option<u32>` each.
#![cfg(not(any(loom, feature = "shuttle")))]

use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use std::cell::Cell;
use verisync::ThreadLocal;

#[derive(Clone, Debug)]
enum Op {
    Set(usize, u32),
    Get(usize),
    GetOrDefault(usize),
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = [Option<u32>; 2];
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Self::State> {
        Just([None, None]).boxed()
    }

    fn transitions(_: &Self::State) -> BoxedStrategy<Op> {
        prop_oneof![
            (0..2usize, 0..50u32).prop_map(|(i, v)| Op::Set(i, v)),
            (0..2usize).prop_map(Op::Get),
            (0..2usize).prop_map(Op::GetOrDefault),
        ]
        .boxed()
    }

    fn apply(mut m: Self::State, op: &Op) -> Self::State {
        match *op {
            Op::Set(i, v) => m[i] = Some(v),
            Op::Get(_) => {}
            Op::GetOrDefault(i) => m[i] = Some(m[i].unwrap_or(0)),
        }
        m
    }
}

struct Real;

impl StateMachineTest for Real {
    type SystemUnderTest = [ThreadLocal<Cell<u32>>; 2];
    type Reference = Reference;

    fn init_test(_: &[Option<u32>; 2]) -> Self::SystemUnderTest {
        [ThreadLocal::new(), ThreadLocal::new()]
    }

    fn apply(
        locals: Self::SystemUnderTest,
        after: &[Option<u32>; 2],
        op: Op,
    ) -> Self::SystemUnderTest {
        match op {
            Op::Set(i, v) => locals[i].get_or(|| Cell::new(0)).set(v),
            Op::Get(i) => assert_eq!(locals[i].get().map(Cell::get), after[i], "get"),
            Op::GetOrDefault(i) => {
                locals[i].get_or_default();
            }
        }
        for (local, want) in locals.iter().zip(after) {
            assert_eq!(local.get().map(Cell::get), *want);
        }
        locals
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]
    #[test]
    fn thread_local_matches_the_sequential_model(sequential 1..40 => Real);
}
