//! loom models of `verisync::ThreadPool` (one worker on a `BoundedQueue`, tasks with an
//! `Event` each): a task's writes reach its `join` (the data lives in loom's `UnsafeCell`, so an
//! unordered access is a reported race); a cancel racing the worker is `true` exactly when the
//! task never runs, with both outcomes reached; a panicking task is its own outcome and the
//! worker runs the next; close then join runs every queued task.
#![cfg(loom)]

mod common;

use common::{check, seen, Guarded};

use std::collections::BTreeSet;
use verisync::sync::Arc;
use verisync::{PoolJoinError, TaskError, ThreadPool};

#[test]
fn a_tasks_writes_reach_its_join() {
    check("pool/publish", 3, || {
        let pool = ThreadPool::new(1);
        let data = Arc::new(Guarded::new());
        let d = Arc::clone(&data);
        let t = pool.submit(move || d.bump()).unwrap();
        assert_eq!(t.join().unwrap(), 1);
        assert_eq!(data.get(), 1);
        pool.close();
        pool.join().unwrap();
    });
}

#[test]
fn a_cancel_racing_the_worker_is_true_exactly_when_the_task_never_runs() {
    let outcomes = seen();
    let o = outcomes.clone();
    check("pool/cancel-race", 3, move || {
        let pool = ThreadPool::new(1);
        let t = pool.submit(|| 7).unwrap();
        let cancelled = t.cancel();
        match t.join() {
            Ok(v) => assert!(!cancelled && v == 7),
            Err(TaskError::Cancelled) => assert!(cancelled),
            Err(TaskError::Panicked(_)) => unreachable!("the task does not panic"),
        }
        o.lock().unwrap().insert(cancelled);
    });
    assert_eq!(*outcomes.lock().unwrap(), BTreeSet::from([false, true]));
}

/// Keeps the tasks' planned panics off the terminal (every execution would print one, with a
/// backtrace); any other panic prints as usual.
fn quiet_planned_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() != Some(&"planned") {
            default(info)
        }
    }));
}

#[test]
fn a_panicking_task_leaves_the_worker_to_run_the_next() {
    quiet_planned_panics();
    check("pool/panic", 2, || {
        let pool = ThreadPool::new(1);
        let bad = pool.submit(|| -> u8 { panic!("planned") }).unwrap();
        let good = pool.submit(|| 2).unwrap();
        assert!(matches!(bad.join(), Err(TaskError::Panicked(_))));
        assert_eq!(good.join().unwrap(), 2);
    });
}

#[test]
fn close_then_join_runs_every_queued_task() {
    check("pool/close-join", 3, || {
        let pool = ThreadPool::new(1);
        let tasks: Vec<_> = (0..2).map(|i| pool.submit(move || i).unwrap()).collect();
        assert_eq!(pool.join(), Err(PoolJoinError::Open));
        pool.close();
        pool.join().unwrap();
        assert!(tasks.iter().all(|t| t.is_finished()));
        let values: Vec<i32> = tasks.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(values, [0, 1]);
    });
}
