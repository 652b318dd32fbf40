//! `forgotten-task-done` — 004 案例22: the producer puts its jobs and calls `q.join()`, which
//! returns when every job put has been marked done; a consumer that gets the jobs but never
//! calls `task_done` leaves `join` waiting forever. The fix is one
//! [`task_done`](crate::JoinableQueue::task_done) per item got, once the job is finished.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{thread, Arc};
use crate::JoinableQueue;

pub(super) const CASE: Case = Case {
    name: "forgotten-task-done",
    notes: "004 案例22 (JoinableQueue: producer `q.join()`, consumer `q.task_done()`)",
    lesson: "every item got must be marked done once, after its work, or `join` waits forever",
    variants: &[
        Variant {
            name: "broken",
            describe: "T1 puts 2 jobs and joins; T2 does each job but never calls task_done",
            expect: Some(FailureKind::Deadlock),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "T2 calls task_done after each job; T1's join returns, then it closes",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

const JOBS: usize = 2;

struct Shared {
    queue: JoinableQueue<usize>,
    /// Jobs whose work is finished; `join` must not return before this reaches `JOBS`.
    finished: AtomicUsize,
}

/// T1 (this thread) puts `JOBS` jobs, joins, checks that all were finished, and closes the
/// queue; T2 gets jobs until the queue is closed, calling `after_job` after each one's work.
fn scenario(after_job: fn(&JoinableQueue<usize>)) {
    let shared = Arc::new(Shared {
        queue: JoinableQueue::new(JOBS),
        finished: AtomicUsize::new(0),
    });
    let s2 = Arc::clone(&shared);
    let consumer = thread::spawn(move || {
        // `for job in s2.queue.iter()`, with each step traced.
        loop {
            trace::event(2, "calls get()");
            let Ok(job) = s2.queue.get() else {
                trace::event(2, "sees closed, stops");
                break;
            };
            trace::event(2, format!("gets job {job}, does it"));
            // Relaxed: `task_done` below takes the queue's lock, and `join` takes it after
            // the count reaches zero, so the joiner sees this increment anyway.
            s2.finished.fetch_add(1, Ordering::Relaxed);
            after_job(&s2.queue);
        }
    });
    for job in 1..=JOBS {
        shared
            .queue
            .put(job)
            .expect("the queue is open until T1 closes it");
        trace::event(1, format!("puts job {job}"));
    }
    trace::event(1, "calls join()");
    shared.queue.join();
    // Relaxed: `join` returned after the last `task_done`, through the queue's lock.
    let finished = shared.finished.load(Ordering::Relaxed);
    trace::event(
        1,
        format!("join returns: {finished} of {JOBS} jobs finished"),
    );
    if finished != JOBS {
        panic!("join returned with {finished} of {JOBS} jobs finished");
    }
    shared.queue.close();
    consumer.join().unwrap();
}

fn broken() {
    scenario(|_| trace::event(2, "forgets task_done()"));
}

fn fixed() {
    scenario(|q| {
        trace::event(2, "calls task_done()");
        q.task_done().expect("one task_done per job got");
    });
}
