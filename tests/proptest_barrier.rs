//! Model-based test: `verisync::Barrier` on one thread against its parties and a "broken" flag.
//! One thread can pass only a barrier of one party; with more, its waits time out (breaking
//! the barrier) or find it broken.
#![cfg(not(any(loom, feature = "shuttle")))]

use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use std::time::Duration;
use verisync::{Barrier, BarrierError};

#[derive(Clone, Debug)]
enum Op {
    WaitTimeout(u64),
    /// `wait()`, only generated when it cannot block (one party, or broken).
    Wait,
    Abort,
    Reset,
}

/// The parties and whether the barrier is broken.
#[derive(Clone, Debug)]
struct Model {
    parties: usize,
    broken: bool,
}

impl Model {
    fn wait(&mut self) -> Result<usize, BarrierError> {
        if self.broken {
            Err(BarrierError::Broken)
        } else if self.parties == 1 {
            Ok(0)
        } else {
            self.broken = true;
            Err(BarrierError::TimedOut)
        }
    }
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        (1..=3usize)
            .prop_map(|parties| Model {
                parties,
                broken: false,
            })
            .boxed()
    }

    fn transitions(m: &Model) -> BoxedStrategy<Op> {
        let mut ops = vec![
            (0..2u64).prop_map(Op::WaitTimeout).boxed(),
            Just(Op::Abort).boxed(),
            Just(Op::Reset).boxed(),
        ];
        if m.parties == 1 || m.broken {
            ops.push(Just(Op::Wait).boxed());
        }
        proptest::strategy::Union::new(ops).boxed()
    }

    fn preconditions(m: &Model, op: &Op) -> bool {
        !matches!(op, Op::Wait) || m.parties == 1 || m.broken
    }

    fn apply(mut m: Model, op: &Op) -> Model {
        match op {
            Op::WaitTimeout(_) | Op::Wait => {
                let _ = m.wait();
            }
            Op::Abort => m.broken = true,
            Op::Reset => m.broken = false,
        }
        m
    }
}

struct Real;

impl StateMachineTest for Real {
    type SystemUnderTest = (Barrier, Model);
    type Reference = Reference;

    fn init_test(m: &Model) -> Self::SystemUnderTest {
        (Barrier::new(m.parties), m.clone())
    }

    fn apply(
        (b, mut expected): Self::SystemUnderTest,
        after: &Model,
        op: Op,
    ) -> Self::SystemUnderTest {
        match op {
            Op::WaitTimeout(ms) => {
                let want = expected.wait();
                assert_eq!(
                    b.wait_timeout(Duration::from_millis(ms)),
                    want,
                    "wait_timeout"
                );
            }
            Op::Wait => {
                let want = expected.wait();
                assert_eq!(b.wait(), want, "wait");
            }
            Op::Abort => {
                b.abort();
                expected.broken = true;
            }
            Op::Reset => {
                b.reset();
                expected.broken = false;
            }
        }
        assert_eq!(expected.broken, after.broken);
        assert_eq!(b.is_broken(), after.broken, "is_broken");
        assert_eq!(b.n_waiting(), 0);
        assert_eq!(b.parties(), after.parties);
        (b, expected)
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]
    #[test]
    fn barrier_matches_the_sequential_model(sequential 1..40 => Real);
}
