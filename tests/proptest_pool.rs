//! Model-based test: `verisync::ThreadPool` driven from one thread against its open/closed
//! state and the values submitted. The workers run concurrently, so the model checks what a
//! single submitter can know: submit is refused exactly once the pool is closed, join is
//! refused exactly while it is open, and after a join every task accepted has its own value.
#![cfg(not(any(loom, feature = "shuttle")))]

use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use verisync::{PoolJoinError, Task, ThreadPool};

#[derive(Clone, Debug)]
enum Op {
    Submit(u32),
    Map(Vec<u32>),
    Close,
    Join,
}

#[derive(Clone, Debug, Default)]
struct Model {
    closed: bool,
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model::default()).boxed()
    }

    fn transitions(m: &Model) -> BoxedStrategy<Op> {
        let mut ops = vec![
            (0..1000u32).prop_map(Op::Submit).boxed(),
            Just(Op::Close).boxed(),
            Just(Op::Join).boxed(),
        ];
        if !m.closed {
            ops.push(
                prop::collection::vec(0..100u32, 0..5)
                    .prop_map(Op::Map)
                    .boxed(),
            );
        }
        proptest::strategy::Union::new(ops).boxed()
    }

    fn preconditions(m: &Model, op: &Op) -> bool {
        !matches!(op, Op::Map(_)) || !m.closed
    }

    fn apply(mut m: Model, op: &Op) -> Model {
        if let Op::Close = op {
            m.closed = true;
        }
        m
    }
}

struct Real;

impl StateMachineTest for Real {
    /// The pool and the handles of the tasks it accepted, with the value each must give.
    type SystemUnderTest = (ThreadPool, Vec<(Task<u32>, u32)>);
    type Reference = Reference;

    fn init_test(_: &Model) -> Self::SystemUnderTest {
        (ThreadPool::with_capacity(2, 4), Vec::new())
    }

    fn apply(
        (pool, mut tasks): Self::SystemUnderTest,
        after: &Model,
        op: Op,
    ) -> Self::SystemUnderTest {
        match op {
            Op::Submit(v) => match pool.submit(move || v * 2) {
                Ok(t) => {
                    assert!(!after.closed, "accepted by a closed pool");
                    tasks.push((t, v * 2));
                }
                Err(refused) => {
                    assert!(after.closed, "refused by an open pool");
                    assert_eq!((refused.0)(), v * 2, "the function comes back");
                }
            },
            Op::Map(items) => {
                let want: Vec<u32> = items.iter().map(|x| x + 1).collect();
                assert_eq!(pool.map(items, |x| x + 1).unwrap(), want);
            }
            Op::Close => {
                pool.close();
            }
            Op::Join => match pool.join() {
                Ok(()) => {
                    assert!(after.closed);
                    assert_eq!(pool.queued(), 0);
                    for (t, want) in tasks.drain(..) {
                        assert!(t.is_finished());
                        assert_eq!(t.join().unwrap(), want);
                    }
                }
                Err(e) => {
                    assert_eq!(e, PoolJoinError::Open);
                    assert!(!after.closed);
                }
            },
        }
        (pool, tasks)
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]
    #[test]
    fn pool_matches_the_sequential_model(sequential 1..30 => Real);
}
