//! Model-based test: `BoundedQueue` and `JoinableQueue` against a `VecDeque` with a capacity,
//! a closed flag and task counts (proptest-state-machine), single-threaded. Every operation's
//! result must match the model's, and after every operation `len`, `is_empty`, `is_full`,
//! `capacity`, `is_closed` and `unfinished` must too.
#![cfg(not(any(loom, feature = "shuttle")))]

use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use std::collections::VecDeque;
use std::time::Duration;
use verisync::{
    BoundedQueue, GetError, GetTimeoutError, JoinTimeoutError, JoinableQueue, PutError,
    PutTimeoutError, TaskDoneError, TryGetError, TryPutError,
};

/// A timeout: none at all, a short real wait, or no deadline (offered only where the call
/// cannot block, since nothing else runs).
#[derive(Clone, Copy, Debug)]
enum Tick {
    Zero,
    Short,
    Max,
}

impl Tick {
    fn duration(self) -> Duration {
        match self {
            Tick::Zero => Duration::ZERO,
            Tick::Short => Duration::from_micros(200),
            Tick::Max => Duration::MAX,
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Put(u32),
    TryPut(u32),
    PutTimeout(u32, Tick),
    Get,
    TryGet,
    GetTimeout(Tick),
    Close,
    TaskDone,
    Join,
    JoinTimeout(Tick),
}

/// The sequential reference.
#[derive(Clone, Debug)]
struct Model {
    capacity: usize,
    joinable: bool,
    items: VecDeque<u32>,
    closed: bool,
    /// Items got and not yet marked done.
    pending: usize,
    /// Items put and not yet marked done.
    unfinished: usize,
}

impl Model {
    fn full(&self) -> bool {
        self.items.len() >= self.capacity
    }
}

/// An operation's result, in the real API's types.
#[derive(Debug, PartialEq)]
enum Out {
    Put(Result<(), PutError<u32>>),
    TryPut(Result<(), TryPutError<u32>>),
    PutTimeout(Result<(), PutTimeoutError<u32>>),
    Get(Result<u32, GetError>),
    TryGet(Result<u32, TryGetError>),
    GetTimeout(Result<u32, GetTimeoutError>),
    Close(bool),
    TaskDone(Result<(), TaskDoneError>),
    Join,
    JoinTimeout(Result<(), JoinTimeoutError>),
}

/// Why the model refuses a put or a get, before the variant names it.
enum No {
    Blocked,
    Closed,
}

fn model_put(m: &mut Model, v: u32) -> Result<(), No> {
    if m.closed {
        return Err(No::Closed);
    }
    if m.full() {
        return Err(No::Blocked);
    }
    m.items.push_back(v);
    if m.joinable {
        m.unfinished += 1;
    }
    Ok(())
}

fn model_get(m: &mut Model) -> Result<u32, No> {
    match m.items.pop_front() {
        Some(v) => {
            if m.joinable {
                m.pending += 1;
            }
            Ok(v)
        }
        None if m.closed => Err(No::Closed),
        None => Err(No::Blocked),
    }
}

/// What the model answers to `op`, changing itself as the queue would.
fn model_apply(m: &mut Model, op: &Op) -> Out {
    match *op {
        Op::Put(v) => Out::Put(model_put(m, v).map_err(|_| PutError::Closed(v))),
        Op::TryPut(v) => Out::TryPut(model_put(m, v).map_err(|why| match why {
            No::Blocked => TryPutError::Full(v),
            No::Closed => TryPutError::Closed(v),
        })),
        Op::PutTimeout(v, _) => Out::PutTimeout(model_put(m, v).map_err(|why| match why {
            No::Blocked => PutTimeoutError::Timeout(v),
            No::Closed => PutTimeoutError::Closed(v),
        })),
        Op::Get => Out::Get(model_get(m).map_err(|_| GetError::Closed)),
        Op::TryGet => Out::TryGet(model_get(m).map_err(|why| match why {
            No::Blocked => TryGetError::Empty,
            No::Closed => TryGetError::Closed,
        })),
        Op::GetTimeout(_) => Out::GetTimeout(model_get(m).map_err(|why| match why {
            No::Blocked => GetTimeoutError::Timeout,
            No::Closed => GetTimeoutError::Closed,
        })),
        Op::Close => Out::Close(!std::mem::replace(&mut m.closed, true)),
        Op::TaskDone => Out::TaskDone(if m.pending == 0 {
            Err(TaskDoneError::NothingPending)
        } else {
            m.pending -= 1;
            m.unfinished -= 1;
            Ok(())
        }),
        Op::Join => Out::Join,
        Op::JoinTimeout(_) => Out::JoinTimeout(match m.unfinished {
            0 => Ok(()),
            unfinished => Err(JoinTimeoutError::Timeout { unfinished }),
        }),
    }
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        (1..=4usize, any::<bool>())
            .prop_map(|(capacity, joinable)| Model {
                capacity,
                joinable,
                items: VecDeque::new(),
                closed: false,
                pending: 0,
                unfinished: 0,
            })
            .boxed()
    }

    /// Only operations that return in a single thread: a blocking call is offered only when
    /// it would not block, and a timeout without deadline likewise.
    fn transitions(m: &Model) -> BoxedStrategy<Op> {
        let v = 0..1000u32;
        let put_can_return = m.closed || !m.full();
        let get_can_return = m.closed || !m.items.is_empty();
        let tick = |can_return: bool| {
            if can_return {
                prop_oneof![Just(Tick::Zero), Just(Tick::Short), Just(Tick::Max)].boxed()
            } else {
                prop_oneof![Just(Tick::Zero), Just(Tick::Short)].boxed()
            }
        };
        let mut ops: Vec<(u32, BoxedStrategy<Op>)> = vec![
            (4, v.clone().prop_map(Op::TryPut).boxed()),
            (
                2,
                (v.clone(), tick(put_can_return))
                    .prop_map(|(v, t)| Op::PutTimeout(v, t))
                    .boxed(),
            ),
            (4, Just(Op::TryGet).boxed()),
            (2, tick(get_can_return).prop_map(Op::GetTimeout).boxed()),
            (1, Just(Op::Close).boxed()),
        ];
        if put_can_return {
            ops.push((3, v.prop_map(Op::Put).boxed()));
        }
        if get_can_return {
            ops.push((3, Just(Op::Get).boxed()));
        }
        if m.joinable {
            ops.push((3, Just(Op::TaskDone).boxed()));
            ops.push((1, tick(m.unfinished == 0).prop_map(Op::JoinTimeout).boxed()));
            if m.unfinished == 0 {
                ops.push((1, Just(Op::Join).boxed()));
            }
        }
        proptest::strategy::Union::new_weighted(ops).boxed()
    }

    fn apply(mut m: Model, op: &Op) -> Model {
        model_apply(&mut m, op);
        m
    }
}

/// Boxed: a queue is a few padded cache lines, a joinable one a few more.
enum Queue {
    Plain(Box<BoundedQueue<u32>>),
    Joinable(Box<JoinableQueue<u32>>),
}

impl Queue {
    fn queue(&self) -> &BoundedQueue<u32> {
        match self {
            Queue::Plain(q) => q,
            Queue::Joinable(q) => q,
        }
    }

    fn joinable(&self) -> &JoinableQueue<u32> {
        match self {
            Queue::Joinable(q) => q,
            Queue::Plain(_) => panic!("a task operation was generated for a plain queue"),
        }
    }
}

struct Real;

impl StateMachineTest for Real {
    /// The queue, and the model as it was before the next operation.
    type SystemUnderTest = (Queue, Model);
    type Reference = Reference;

    fn init_test(m: &Model) -> Self::SystemUnderTest {
        let q = if m.joinable {
            Queue::Joinable(Box::new(JoinableQueue::new(m.capacity)))
        } else {
            Queue::Plain(Box::new(BoundedQueue::new(m.capacity)))
        };
        (q, m.clone())
    }

    fn apply((sut, before): Self::SystemUnderTest, after: &Model, op: Op) -> Self::SystemUnderTest {
        let mut expected = before;
        let want = model_apply(&mut expected, &op);
        let q = sut.queue();
        let got = match op {
            Op::Put(v) => Out::Put(q.put(v)),
            Op::TryPut(v) => Out::TryPut(q.try_put(v)),
            Op::PutTimeout(v, t) => Out::PutTimeout(q.put_timeout(v, t.duration())),
            Op::Get => Out::Get(q.get()),
            Op::TryGet => Out::TryGet(q.try_get()),
            Op::GetTimeout(t) => Out::GetTimeout(q.get_timeout(t.duration())),
            Op::Close => Out::Close(q.close()),
            Op::TaskDone => Out::TaskDone(sut.joinable().task_done()),
            Op::Join => {
                sut.joinable().join();
                Out::Join
            }
            Op::JoinTimeout(t) => Out::JoinTimeout(sut.joinable().join_timeout(t.duration())),
        };
        assert_eq!(got, want, "result of {op:?}");
        assert_eq!(
            expected.items, after.items,
            "the reference disagrees with itself"
        );
        (sut, expected)
    }

    fn check_invariants((sut, m): &Self::SystemUnderTest, _: &Model) {
        let q = sut.queue();
        assert_eq!(q.len(), m.items.len(), "len");
        assert_eq!(q.is_empty(), m.items.is_empty(), "is_empty");
        assert_eq!(q.is_full(), m.full(), "is_full");
        assert_eq!(q.capacity(), m.capacity, "capacity");
        assert_eq!(q.is_closed(), m.closed, "is_closed");
        if let Queue::Joinable(j) = sut {
            assert_eq!(j.unfinished(), m.unfinished, "unfinished");
        }
    }

    /// At the end of a run, what is left comes out in the model's order once closed.
    fn teardown((sut, m): Self::SystemUnderTest, _: Model) {
        let q = sut.queue();
        q.close();
        let rest: Vec<u32> = q.iter().collect();
        assert_eq!(rest, Vec::from(m.items), "the items left");
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]
    #[test]
    fn queues_match_the_sequential_model(sequential 1..50 => Real);
}
