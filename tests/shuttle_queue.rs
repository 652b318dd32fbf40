//! shuttle explorations of generated producer/consumer plans over `BoundedQueue` and
//! `JoinableQueue`, under random and PCT schedules. In every execution: the multiset of items
//! got is exactly the multiset put (nothing lost, nothing duplicated, refused items given back),
//! each consumer sees each producer's items in the order they were put, `join` returns only
//! once every item put is done, and once the queue is closed nobody stays blocked (shuttle
//! reports a deadlock otherwise).
#![cfg(all(feature = "shuttle", not(loom)))]

use proptest::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;
use verisync::sync::atomic::{AtomicUsize, Ordering};
use verisync::sync::{thread, Arc};
use verisync::{
    BoundedQueue, GetTimeoutError, JoinableQueue, PutError, PutTimeoutError, TaskDoneError,
    TryGetError, TryPutError,
};

/// `(producer, sequence number)`.
type Item = (usize, usize);

/// How a producer puts: blocking, `try_put` retried after a yield, or `put_timeout` retried.
#[derive(Clone, Copy, Debug)]
enum Put {
    Block,
    Try,
    Timed,
}

/// How a consumer gets, in a loop until the queue reports closed and drained.
#[derive(Clone, Copy, Debug)]
enum Get {
    Block,
    Iter,
    Try,
    Timed,
}

/// Who closes the queue, and when.
#[derive(Clone, Copy, Debug)]
enum Close {
    /// The main thread, once every producer has finished (and, for a joinable queue, once
    /// `join` has returned).
    AfterProducers,
    /// A thread of its own, after this many yields: racing the producers, so some puts may be
    /// refused (and their items given back).
    Racing(usize),
    /// Nobody: consumers wait forever. Only the self-test uses it, to see the deadlock found.
    Never,
}

#[derive(Clone, Debug)]
struct Plan {
    capacity: usize,
    /// One entry per producer: how it puts and how many items.
    producers: Vec<(Put, usize)>,
    /// One entry per consumer.
    consumers: Vec<Get>,
    close: Close,
    /// Use a `JoinableQueue`: consumers call `task_done` per item, main calls `join`.
    joinable: bool,
}

fn plan() -> impl Strategy<Value = Plan> {
    let put = prop_oneof![Just(Put::Block), Just(Put::Try), Just(Put::Timed)];
    let get = prop_oneof![
        Just(Get::Block),
        Just(Get::Iter),
        Just(Get::Try),
        Just(Get::Timed)
    ];
    let close = prop_oneof![
        2 => Just(Close::AfterProducers),
        1 => (0..4usize).prop_map(Close::Racing),
    ];
    (
        1..=3usize,
        prop::collection::vec((put, 0..=3usize), 1..=3),
        prop::collection::vec(get, 1..=2),
        close,
        any::<bool>(),
    )
        .prop_map(|(capacity, producers, consumers, close, joinable)| Plan {
            capacity,
            producers,
            consumers,
            close,
            joinable,
        })
}

/// The queue under test: a plain one, or a joinable one used through `Deref` for the queue
/// operations. Boxed: a queue is a few cache lines (its positions padded), and a joinable one
/// has its task count on a padded line of its own.
enum Queue {
    Plain(Box<BoundedQueue<Item>>),
    Joinable(Box<JoinableQueue<Item>>),
}

impl Queue {
    fn queue(&self) -> &BoundedQueue<Item> {
        match self {
            Queue::Plain(q) => q,
            Queue::Joinable(q) => q,
        }
    }
}

/// Puts producer `p`'s `n` items; returns how many were put before one was refused.
fn produce(q: &BoundedQueue<Item>, p: usize, how: Put, n: usize) -> usize {
    const TICK: Duration = Duration::from_millis(1);
    for seq in 0..n {
        let item = (p, seq);
        let refused = match how {
            Put::Block => q.put(item).err().map(PutError::into_inner),
            Put::Try => loop {
                match q.try_put(item) {
                    Ok(()) => break None,
                    Err(TryPutError::Full(_)) => thread::yield_now(),
                    Err(TryPutError::Closed(back)) => break Some(back),
                }
            },
            Put::Timed => loop {
                match q.put_timeout(item, TICK) {
                    Ok(()) => break None,
                    // Yield, as time passing lets others run: PCT is not fair, and a
                    // timed retry loop that never yields can starve the thread it waits for.
                    Err(PutTimeoutError::Timeout(_)) => thread::yield_now(),
                    Err(PutTimeoutError::Closed(back)) => break Some(back),
                }
            },
        };
        if let Some(back) = refused {
            assert_eq!(back, item, "a refused put gives its own item back");
            return seq;
        }
    }
    n
}

/// Gets until the queue is closed and drained; marks each item done on a joinable queue
/// (counting it in `done` first).
fn consume(q: &Queue, how: Get, done: &AtomicUsize) -> Vec<Item> {
    const TICK: Duration = Duration::from_millis(1);
    let queue = q.queue();
    let mut got = Vec::new();
    let mut take = |item: Item| {
        got.push(item);
        if let Queue::Joinable(j) = q {
            // SeqCst: read by main after `join`; shuttle treats every ordering as SeqCst.
            done.fetch_add(1, Ordering::SeqCst);
            j.task_done().expect("one task_done per item got");
        }
    };
    match how {
        Get::Block => {
            while let Ok(item) = queue.get() {
                take(item);
            }
        }
        Get::Iter => queue.iter().for_each(take),
        Get::Try => loop {
            match queue.try_get() {
                Ok(item) => take(item),
                Err(TryGetError::Empty) => thread::yield_now(),
                Err(TryGetError::Closed) => break,
            }
        },
        Get::Timed => loop {
            match queue.get_timeout(TICK) {
                Ok(item) => take(item),
                // Yield, as in `produce`.
                Err(GetTimeoutError::Timeout) => thread::yield_now(),
                Err(GetTimeoutError::Closed) => break,
            }
        },
    }
    got
}

/// Checks what the consumers got against what the producers put (`sent[p]` items each):
/// every item put was got exactly once, and each consumer saw each producer's items in order.
fn check_outcome(sent: &[usize], got: &[Vec<Item>]) -> Result<(), String> {
    for (c, items) in got.iter().enumerate() {
        let mut last: Vec<Option<usize>> = vec![None; sent.len()];
        for &(p, seq) in items {
            if p >= sent.len() || seq >= sent[p] {
                return Err(format!(
                    "consumer {c} got {:?}, which was never put",
                    (p, seq)
                ));
            }
            if last[p] >= Some(seq) {
                return Err(format!(
                    "consumer {c} got producer {p}'s items out of order: {items:?}"
                ));
            }
            last[p] = Some(seq);
        }
    }
    let mut all: Vec<Item> = got.iter().flatten().copied().collect();
    all.sort_unstable();
    let expected: Vec<Item> = sent
        .iter()
        .enumerate()
        .flat_map(|(p, &n)| (0..n).map(move |seq| (p, seq)))
        .collect();
    if all != expected {
        return Err(format!(
            "got {all:?}, put {expected:?}: an item was lost or duplicated"
        ));
    }
    Ok(())
}

fn scenario(plan: Plan) -> impl Fn() + Send + Sync + 'static {
    move || {
        let q = Arc::new(if plan.joinable {
            Queue::Joinable(Box::new(JoinableQueue::new(plan.capacity)))
        } else {
            Queue::Plain(Box::new(BoundedQueue::new(plan.capacity)))
        });
        let done = Arc::new(AtomicUsize::new(0));
        let producers: Vec<_> = plan
            .producers
            .iter()
            .copied()
            .enumerate()
            .map(|(p, (how, n))| {
                let q = Arc::clone(&q);
                thread::spawn(move || produce(q.queue(), p, how, n))
            })
            .collect();
        let consumers: Vec<_> = plan
            .consumers
            .iter()
            .copied()
            .map(|how| {
                let (q, done) = (Arc::clone(&q), Arc::clone(&done));
                thread::spawn(move || consume(&q, how, &done))
            })
            .collect();
        let closer = match plan.close {
            Close::Racing(yields) => {
                let q = Arc::clone(&q);
                Some(thread::spawn(move || {
                    for _ in 0..yields {
                        thread::yield_now();
                    }
                    q.queue().close();
                }))
            }
            Close::AfterProducers | Close::Never => None,
        };
        let sent: Vec<usize> = producers.into_iter().map(|p| p.join().unwrap()).collect();
        if let Close::AfterProducers = plan.close {
            assert_eq!(
                sent,
                plan.producers.iter().map(|&(_, n)| n).collect::<Vec<_>>(),
                "a put was refused before anyone closed the queue"
            );
        }
        if let Queue::Joinable(j) = &*q {
            j.join();
            // SeqCst: pairs with the consumers' increments.
            let done = done.load(Ordering::SeqCst);
            let put: usize = sent.iter().sum();
            assert_eq!(done, put, "join returned with {done} of {put} items done");
            assert_eq!(j.unfinished(), 0);
        }
        if let Close::AfterProducers = plan.close {
            assert!(q.queue().close());
        }
        if let Some(closer) = closer {
            closer.join().unwrap();
        }
        let got: Vec<Vec<Item>> = consumers.into_iter().map(|c| c.join().unwrap()).collect();
        if let Err(e) = check_outcome(&sent, &got) {
            panic!("{e} (plan {plan:?})");
        }
        let queue = q.queue();
        assert!(queue.is_empty() && queue.is_closed());
        assert_eq!(queue.try_get(), Err(TryGetError::Closed));
        if let Queue::Joinable(j) = &*q {
            assert_eq!(j.task_done(), Err(TaskDoneError::NothingPending));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn plans_conserve_items_and_order_under_random_and_pct_schedules(plan in plan()) {
        verisync::check::Builder::new(
            "shuttle_queue/plans_conserve_items_and_order_under_random_and_pct_schedules",
        )
        .schedules(100)
        .run(scenario(plan));
    }
}

/// The checkers must be able to fail. A consumer of a queue nobody closes waits forever, and
/// shuttle reports the deadlock (on the first schedule: the producer cannot keep it busy).
#[test]
fn a_queue_nobody_closes_is_reported_as_a_deadlock() {
    for joinable in [false, true] {
        let plan = Plan {
            capacity: 1,
            producers: vec![(Put::Block, 2)],
            consumers: vec![Get::Block],
            close: Close::Never,
            joinable,
        };
        // shuttle directly, random only: the test is that shuttle itself reports the deadlock.
        let found = catch_unwind(AssertUnwindSafe(|| {
            shuttle::check_random(scenario(plan.clone()), 10)
        }));
        let message = found.expect_err("the deadlock was not found");
        let text = message
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| message.downcast_ref::<&str>().copied())
            .unwrap_or("");
        assert!(text.contains("deadlock"), "{text}");
    }
}

/// ... and the outcome check rejects a lost, a duplicated, an invented and a reordered item.
#[test]
fn the_outcome_check_rejects_bad_outcomes() {
    let sent = [2, 1];
    assert!(check_outcome(&sent, &[vec![(0, 0), (1, 0)], vec![(0, 1)]]).is_ok());
    assert!(
        check_outcome(&sent, &[vec![(0, 0), (1, 0)]]).is_err(),
        "lost"
    );
    assert!(
        check_outcome(&sent, &[vec![(0, 0), (0, 1), (1, 0)], vec![(1, 0)]]).is_err(),
        "duplicated"
    );
    assert!(
        check_outcome(&sent, &[vec![(0, 0), (0, 1), (1, 0), (1, 1)]]).is_err(),
        "invented"
    );
    assert!(
        check_outcome(&sent, &[vec![(0, 1), (0, 0), (1, 0)]]).is_err(),
        "reordered"
    );
}
