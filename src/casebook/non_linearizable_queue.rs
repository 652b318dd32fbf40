//! `non-linearizable-queue` — a queue with a "fast path" that hands out every item exactly once,
//! but not always in order: each producer puts into its own lane (producers never contend), and
//! `get` looks first in the lane last put into (likeliest to be hot in cache). From one thread
//! it is FIFO; from two, after `put(1)` returns and then `put(2)` runs, a `get` returns 2.
//!
//! The invariant tests cannot see it: the items got are exactly the items put, nothing lost and
//! nothing duplicated. Only a check of the recorded history against a sequential FIFO queue
//! ([`lin::check`](crate::lin::check)) can: no order of the operations that respects their real
//! time explains a get of 2 before 1. Each execution checks the invariant first, so a failure
//! that reports the order (and not a loss) is one the invariant missed.

use std::collections::VecDeque;

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::lin::{self, QueueOp, QueueRet, QueueSpec, Recorder};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{thread, Arc, Mutex};
use crate::BoundedQueue;

pub(super) const CASE: Case = Case {
    name: "non-linearizable-queue",
    notes: "not in the notes: a bug only the linearizability checker finds",
    lesson: "nothing lost is not enough: check the history against a sequential model",
    variants: &[
        Variant {
            name: "broken",
            describe:
                "T1 puts 1, T2 puts 2, each into its own lane; T3 gets twice, last lane first",
            expect: Some(FailureKind::Panic),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "the same puts and gets through one BoundedQueue",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

/// The broken queue: a lane per producer, and a hint naming the lane last put into.
struct Lanes {
    lanes: [Mutex<VecDeque<u64>>; 2],
    hint: AtomicUsize,
}

impl Lanes {
    fn put(&self, lane: usize, item: u64) {
        self.lanes[lane].lock().push_back(item);
        // Relaxed: only a hint; the bug is the order it imposes, not its visibility.
        self.hint.store(lane, Ordering::Relaxed);
    }

    /// The fast path: the hinted lane first, then the other. Returns the lane and whether it
    /// was the hinted one, with the item.
    fn try_get(&self) -> Option<(usize, bool, u64)> {
        // Relaxed: a hint, as above.
        let first = self.hint.load(Ordering::Relaxed);
        [first, 1 - first].into_iter().find_map(|lane| {
            let item = self.lanes[lane].lock().pop_front()?;
            Some((lane, lane == first, item))
        })
    }
}

type Log = Recorder<QueueOp, QueueRet>;

/// T1 puts 1 and T2 puts 2 (through `put`); T3, once both have returned, gets twice (through
/// `get`, recording what came back). Then the invariant, then the history.
fn scenario<Q: Send + Sync + 'static>(
    queue: Q,
    put: fn(&Q, usize, u64),
    get: fn(&Q) -> Option<(String, u64)>,
) {
    let shared = Arc::new((queue, Log::new()));
    let producers: Vec<_> = [(1, 1), (2, 2)]
        .into_iter()
        .map(|(t, item)| {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                let (q, log) = &*shared;
                log.record(t, QueueOp::TryPut(item), || {
                    put(q, t, item);
                    QueueRet::Done
                });
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    let (q, log) = &*shared;
    let mut got = Vec::new();
    for _ in 0..2 {
        let ret = log.record(3, QueueOp::TryGet, || match get(q) {
            Some((how, item)) => {
                trace::event(3, format!("gets {item}{how}"));
                got.push(item);
                QueueRet::Got(item)
            }
            None => QueueRet::Empty,
        });
        if ret == QueueRet::Empty {
            trace::event(3, "finds it empty");
        }
    }
    // The invariant tests' question: every item arrived, exactly once.
    let mut sorted = got.clone();
    sorted.sort_unstable();
    if sorted != [1, 2] {
        panic!("the consumer got {got:?}, expected 1 and 2 once each");
    }
    // The linearizability checker's question: does some order explain the results?
    if let Err(e) = lin::check(&QueueSpec::new(2), &log.history()) {
        panic!("got {got:?}: nothing lost, but no FIFO order explains it\n{e}");
    }
}

fn broken() {
    let lanes = Lanes {
        lanes: [Mutex::new(VecDeque::new()), Mutex::new(VecDeque::new())],
        hint: AtomicUsize::new(0),
    };
    scenario(
        lanes,
        |q, t, item| {
            q.put(t - 1, item);
            trace::event(t, format!("puts {item} into lane {}", t - 1));
        },
        |q| {
            q.try_get().map(|(lane, hinted, item)| {
                let why = if hinted {
                    "the hinted lane"
                } else {
                    "the other lane"
                };
                (format!(" ({why}, {lane})"), item)
            })
        },
    );
}

fn fixed() {
    scenario(
        BoundedQueue::new(2),
        |q, t, item| {
            q.try_put(item).expect("room for both items");
            trace::event(t, format!("puts {item}"));
        },
        |q| q.try_get().ok().map(|item| (String::new(), item)),
    );
}
