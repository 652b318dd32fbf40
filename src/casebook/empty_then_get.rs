//! `empty-then-get` — 003's reader, `while not q.empty(): q.get()`: the check and the get are
//! two steps, so two readers can both see the last item, and the one that loses the race waits
//! in `get` for an item that will never come.
//! [`BoundedQueue::try_get`](crate::BoundedQueue::try_get) checks and takes in one step.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::{thread, Arc};
use crate::BoundedQueue;

pub(super) const CASE: Case = Case {
    name: "empty-then-get",
    notes: "003 `read_task`: `while not q.empty(): q.get(True, 2)`",
    lesson: "checking then acting is two steps: take the item in one (`try_get`)",
    variants: &[
        Variant {
            name: "broken",
            describe: "one item; T1 and T2 each loop `while !q.is_empty() { q.get() }`",
            expect: Some(FailureKind::Deadlock),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "one item; T1 and T2 each loop `while let Ok(i) = q.try_get()`",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

/// The queue starts with one item and is never closed (nothing more will be put, but the
/// readers do not know that, as in the notes); `reader` runs as T1 here and as T2 beside it.
fn scenario(reader: fn(usize, &BoundedQueue<u32>) -> Vec<u32>) {
    let queue = Arc::new(BoundedQueue::new(1));
    queue.put(1).expect("a new queue is open and empty");
    let q2 = Arc::clone(&queue);
    let t2 = thread::spawn(move || reader(2, &q2));
    let mut got = reader(1, &queue);
    got.extend(t2.join().unwrap());
    if got != [1] {
        panic!("the readers got {got:?}, expected [1]");
    }
}

fn broken() {
    scenario(|t, q| {
        let mut got = Vec::new();
        loop {
            let seen = q.len(); // `q.empty()`
            if seen == 0 {
                trace::event(t, "sees 0 items, stops");
                break;
            }
            trace::event(t, format!("sees {seen} item, calls get()"));
            let i = q.get().expect("nobody closes the queue");
            trace::event(t, format!("gets {i}"));
            got.push(i);
        }
        got
    });
}

fn fixed() {
    scenario(|t, q| {
        let mut got = Vec::new();
        while let Ok(i) = q.try_get() {
            trace::event(t, format!("gets {i}"));
            got.push(i);
        }
        trace::event(t, "finds it empty, stops");
        got
    });
}
