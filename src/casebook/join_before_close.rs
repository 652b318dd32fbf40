//! `join-before-close` — 002's `multiprocessing.Pool`: "call `close()` before `join()`". A pool
//! joined while it is still open waits for its workers, and the workers wait for more work
//! that nobody will send: every thread waits for another. [`ThreadPool`](crate::ThreadPool)
//! refuses a `join` on an open pool with an `Err` instead, and `close()` then `join()` runs
//! what is queued and returns.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::{thread, Arc};
use crate::{BoundedQueue, PoolJoinError, ThreadPool};

pub(super) const CASE: Case = Case {
    name: "join-before-close",
    notes: "002 (multiprocessing.Pool: apply_async, close, join)",
    lesson: "a pool must be closed before it is joined, or its workers wait for work forever",
    variants: &[
        Variant {
            name: "broken",
            describe: "T1 hands a task to worker T2 over a queue, then joins T2 without closing the queue",
            expect: Some(FailureKind::Deadlock),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "verisync::ThreadPool: join on the open pool is refused; close() then join() returns",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

fn broken() {
    let jobs = Arc::new(BoundedQueue::new(2));
    let worker = {
        let jobs = Arc::clone(&jobs);
        thread::spawn(move || {
            for job in jobs.iter() {
                trace::event(2, format!("runs task {job}, waits for the next"));
            }
        })
    };
    jobs.put(1).unwrap();
    trace::event(1, "apply_async(task 1)");
    trace::event(1, "join(), without close()");
    worker.join().unwrap();
}

fn fixed() {
    let pool = ThreadPool::new(1);
    let task = pool.submit(|| 1).unwrap();
    trace::event(1, "apply_async(task 1)");
    if pool.join() != Err(PoolJoinError::Open) {
        panic!("join on an open pool was not refused");
    }
    trace::event(1, "join() before close(): refused");
    pool.close();
    trace::event(1, "close()");
    pool.join().unwrap();
    trace::event(1, "join(): the queued task ran, the workers exited");
    if task.join().unwrap() != 1 {
        panic!("the task's value was lost");
    }
}
