//! `missing-sentinel` — 000's `read()` (`while True: print(q.get())`) and 004 案例23–24: the
//! producer puts its items and finishes, but nothing tells the consumer so; it waits in `get`
//! for an item that will never come. Python's cure is a sentinel (`None`) put once per
//! consumer; [`BoundedQueue::close`](crate::BoundedQueue::close) makes it unnecessary: gets
//! drain what is left and then report that the queue is closed.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::{thread, Arc};
use crate::BoundedQueue;

pub(super) const CASE: Case = Case {
    name: "missing-sentinel",
    notes:
        "000 `read()` loops on `q.get()` forever; 004 案例23 (sentinel), 案例24 (its improvement)",
    lesson: "a consumer must be told that no more items will come: close the queue",
    variants: &[
        Variant {
            name: "broken",
            describe: "T1 puts 2 items and finishes; T2 gets until the queue says it is closed",
            expect: Some(FailureKind::Deadlock),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "T1 puts 2 items, then closes the queue; T2 drains it and stops",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

const ITEMS: u32 = 2;

/// T1 produces `ITEMS` into a queue of capacity 1 (so it waits for T2 at times) and then
/// calls `finish`; T2 (this thread) consumes until the queue reports closed and drained.
fn scenario(finish: fn(&BoundedQueue<u32>)) {
    let queue = Arc::new(BoundedQueue::new(1));
    let q1 = Arc::clone(&queue);
    let producer = thread::spawn(move || {
        for i in 1..=ITEMS {
            q1.put(i).expect("nobody else closes the queue");
            trace::event(1, format!("puts {i}"));
        }
        finish(&q1);
    });
    let mut got = Vec::new();
    loop {
        trace::event(2, "calls get()");
        match queue.get() {
            Ok(i) => {
                trace::event(2, format!("gets {i}"));
                got.push(i);
            }
            Err(_) => {
                trace::event(2, "sees closed, stops");
                break;
            }
        }
    }
    producer.join().unwrap();
    if got != (1..=ITEMS).collect::<Vec<_>>() {
        panic!("got {got:?}, expected 1..={ITEMS} in order");
    }
}

fn broken() {
    scenario(|_| trace::event(1, "finishes without a word"));
}

fn fixed() {
    scenario(|q| {
        q.close();
        trace::event(1, "closes the queue");
    });
}
