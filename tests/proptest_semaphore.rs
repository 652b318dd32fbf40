//! Model-based test: `Semaphore` and `BoundedSemaphore` against a plain sequential counter
//! (proptest-state-machine), single-threaded: acquires of every kind, permits dropped and
//! forgotten, releases (over the bound and past `MAX_PERMITS` included), `available_permits`.
#![cfg(not(any(loom, feature = "shuttle")))]

use proptest::prelude::*;
use proptest::sample::Index;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use std::time::Duration;
use verisync::{BoundedSemaphore, ReleaseError, Semaphore, SemaphorePermit};

const MAX: usize = Semaphore::MAX_PERMITS;

#[derive(Clone, Debug)]
enum Op {
    /// Blocking acquire; generated only when a permit is free (it would block forever).
    Acquire,
    TryAcquire,
    /// A timed acquire with a tiny timeout: gives up at once when nothing is free.
    AcquireTimeout,
    /// Drops the permit at this index of those held (gives it back).
    Drop(Index),
    /// Forgets the permit at this index (keeps it taken).
    Forget(Index),
    Release(usize),
}

/// The reference: a counter, a bound, and how many permits the test holds.
#[derive(Clone, Debug)]
struct Model {
    bounded: bool,
    bound: usize,
    available: usize,
    held: usize,
}

impl Model {
    /// What `release(n)` answers, applying it on success.
    fn release(&mut self, n: usize) -> Result<(), ReleaseError> {
        if n == 0 {
            return Ok(());
        }
        let available = self.available;
        match available.checked_add(n) {
            Some(total) if total <= self.bound => {
                self.available = total;
                Ok(())
            }
            _ if self.bounded => Err(ReleaseError::OverRelease {
                released: n,
                available,
                bound: self.bound,
            }),
            _ => Err(ReleaseError::Overflow {
                released: n,
                available,
            }),
        }
    }

    /// Takes a permit if one is free.
    fn take(&mut self) -> bool {
        if self.available == 0 {
            return false;
        }
        self.available -= 1;
        self.held += 1;
        true
    }
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        prop_oneof![
            (0..5usize).prop_map(|n| Model {
                bounded: false,
                bound: MAX,
                available: n,
                held: 0,
            }),
            (1..5usize).prop_map(|n| Model {
                bounded: true,
                bound: n,
                available: n,
                held: 0,
            }),
            // Near the top, so that overflow is reached.
            (0..3usize).prop_map(|d| Model {
                bounded: false,
                bound: MAX,
                available: MAX - d,
                held: 0,
            }),
        ]
        .boxed()
    }

    fn transitions(_: &Model) -> BoxedStrategy<Op> {
        let n = prop_oneof![0..4usize, Just(MAX), Just(usize::MAX)];
        prop_oneof![
            Just(Op::Acquire),
            Just(Op::TryAcquire),
            Just(Op::AcquireTimeout),
            any::<Index>().prop_map(Op::Drop),
            any::<Index>().prop_map(Op::Forget),
            n.prop_map(Op::Release),
        ]
        .boxed()
    }

    fn preconditions(s: &Model, op: &Op) -> bool {
        !matches!(op, Op::Acquire) || s.available > 0
    }

    fn apply(mut s: Model, op: &Op) -> Model {
        match op {
            Op::Acquire | Op::TryAcquire | Op::AcquireTimeout => {
                s.take();
            }
            Op::Drop(_) if s.held > 0 => {
                s.held -= 1;
                // A refused give-back (stray releases filled the count) leaves it at its limit.
                let _ = s.release(1);
            }
            Op::Forget(_) if s.held > 0 => s.held -= 1,
            Op::Drop(_) | Op::Forget(_) => {}
            Op::Release(n) => {
                let _ = s.release(*n);
            }
        }
        s
    }
}

#[derive(Clone, Copy)]
enum Sem {
    Plain(&'static Semaphore),
    Bounded(&'static BoundedSemaphore),
}

impl Sem {
    fn try_acquire(self) -> Option<SemaphorePermit<'static>> {
        match self {
            Sem::Plain(s) => s.try_acquire(),
            Sem::Bounded(s) => s.try_acquire(),
        }
    }
    fn acquire(self) -> SemaphorePermit<'static> {
        match self {
            Sem::Plain(s) => s.acquire(),
            Sem::Bounded(s) => s.acquire(),
        }
    }
    fn acquire_timeout(self) -> Option<SemaphorePermit<'static>> {
        let t = Duration::from_micros(50);
        match self {
            Sem::Plain(s) => s.acquire_timeout(t),
            Sem::Bounded(s) => s.acquire_timeout(t),
        }
    }
    fn release(self, n: usize) -> Result<(), ReleaseError> {
        match self {
            Sem::Plain(s) => s.release(n),
            Sem::Bounded(s) => s.release(n),
        }
    }
    fn available(self) -> usize {
        match self {
            Sem::Plain(s) => s.available_permits(),
            Sem::Bounded(s) => s.available_permits(),
        }
    }
    fn waiters(self) -> usize {
        match self {
            Sem::Plain(s) => s.waiters(),
            Sem::Bounded(s) => s.waiters(),
        }
    }
}

/// The semaphore (leaked, so that permits can borrow it for the whole test), the permits the
/// test holds, and the model as it was before the next operation.
struct Sut {
    sem: Sem,
    held: Vec<SemaphorePermit<'static>>,
    model: Model,
}

struct Real;

impl StateMachineTest for Real {
    type SystemUnderTest = Sut;
    type Reference = Reference;

    fn init_test(s: &Model) -> Sut {
        let sem = if s.bounded {
            let b: &'static BoundedSemaphore = Box::leak(Box::new(BoundedSemaphore::new(s.bound)));
            assert_eq!(b.bound(), s.bound);
            Sem::Bounded(b)
        } else {
            Sem::Plain(Box::leak(Box::new(Semaphore::new(s.available))))
        };
        Sut {
            sem,
            held: Vec::new(),
            model: s.clone(),
        }
    }

    fn apply(mut sut: Sut, after: &Model, op: Op) -> Sut {
        let mut expected = sut.model.clone();
        let sem = sut.sem;
        match &op {
            Op::Acquire => {
                assert!(expected.take());
                sut.held.push(sem.acquire());
            }
            Op::TryAcquire | Op::AcquireTimeout => {
                let got = if matches!(op, Op::TryAcquire) {
                    sem.try_acquire()
                } else {
                    sem.acquire_timeout()
                };
                assert_eq!(got.is_some(), expected.take(), "{op:?}");
                sut.held.extend(got);
            }
            Op::Drop(i) | Op::Forget(i) if !sut.held.is_empty() => {
                let permit = sut.held.swap_remove(i.index(sut.held.len()));
                expected.held -= 1;
                if matches!(op, Op::Drop(_)) {
                    drop(permit);
                    let _ = expected.release(1);
                } else {
                    permit.forget();
                }
            }
            Op::Drop(_) | Op::Forget(_) => {}
            Op::Release(n) => {
                let want = expected.release(*n);
                assert_eq!(sem.release(*n), want, "{op:?}");
            }
        }
        assert_eq!(
            (expected.available, expected.held),
            (after.available, after.held),
            "the reference disagrees with itself"
        );
        assert_eq!(sem.available(), expected.available, "after {op:?}");
        assert_eq!(sut.held.len(), expected.held);
        assert_eq!(sem.waiters(), 0);
        sut.model = expected;
        sut
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]
    #[test]
    fn semaphores_match_the_sequential_model(sequential 1..40 => Real);
}
