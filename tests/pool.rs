//! std behaviour and stress tests of `verisync::ThreadPool` (the notes' 002 `Pool` and 003
//! `ThreadPoolExecutor`).
#![cfg(not(any(loom, feature = "shuttle")))]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex as StdMutex};
use std::thread;
use std::time::{Duration, Instant};
use verisync::{Event, PoolJoinError, TaskError, ThreadPool};

#[test]
fn tasks_run_on_the_pools_threads_and_give_their_values() {
    let pool = ThreadPool::new(3);
    let main = thread::current().id();
    let tasks: Vec<_> = (0..10)
        .map(|i| pool.submit(move || (i, thread::current().id())).unwrap())
        .collect();
    let mut workers = BTreeSet::new();
    for (i, t) in tasks.into_iter().enumerate() {
        let (value, on) = t.join().unwrap();
        assert_eq!(value, i);
        assert_ne!(on, main);
        workers.insert(format!("{on:?}"));
    }
    assert!(workers.len() <= 3);
}

#[test]
fn all_workers_run_at_once() {
    // Three tasks that each wait for the other two: only a pool of three parallel workers
    // can finish them.
    let pool = ThreadPool::new(3);
    let meet = Arc::new(Barrier::new(3));
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let meet = Arc::clone(&meet);
            pool.submit(move || meet.wait().is_leader()).unwrap()
        })
        .collect();
    let leaders = tasks.into_iter().map(|t| t.join().unwrap());
    assert_eq!(leaders.filter(|&l| l).count(), 1);
}

#[test]
fn join_on_an_open_pool_is_refused_and_after_close_waits_for_the_queue() {
    // 002: close, then join. The other order is an error instead of a hang.
    let pool = ThreadPool::new(2);
    let done = Arc::new(AtomicUsize::new(0));
    for _ in 0..20 {
        let done = Arc::clone(&done);
        pool.submit(move || {
            thread::sleep(Duration::from_millis(1));
            done.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    }
    assert_eq!(pool.join(), Err(PoolJoinError::Open));
    assert!(pool.close());
    assert!(
        pool.submit(|| ()).is_err(),
        "closed: the function comes back"
    );
    assert_eq!(pool.join(), Ok(()));
    assert_eq!(done.load(Ordering::SeqCst), 20, "every queued task ran");
    assert_eq!(pool.join(), Ok(()), "a second join returns at once");
    assert!(format!("{pool:?}").contains("closed: true"));
}

#[test]
fn a_refused_submit_gives_the_function_back() {
    let pool = ThreadPool::new(1);
    pool.close();
    let refused = pool.submit(|| 41).unwrap_err();
    assert_eq!((refused.0)() + 1, 42);
    assert!(refused.to_string().contains("closed pool"));
}

#[test]
fn a_panicking_task_is_its_own_outcome_and_the_worker_goes_on() {
    let pool = ThreadPool::new(1);
    let bad = pool.submit(|| -> u8 { panic!("task failed") }).unwrap();
    let good = pool.submit(|| 7).unwrap();
    match bad.join() {
        Err(e @ TaskError::Panicked(_)) => {
            assert_eq!(format!("{e:?}"), "Panicked(\"task failed\")");
            assert_eq!(e.to_string(), "the task panicked");
        }
        other => panic!("expected the panic, got {:?}", other.map(|_| ())),
    }
    assert_eq!(good.join().unwrap(), 7, "the same worker ran the next task");
}

#[test]
fn cancel_before_start_means_never_and_after_start_says_false() {
    let pool = ThreadPool::new(1);
    let gate = Arc::new(Event::new());
    let started = Arc::new(Event::new());
    let blocker = {
        let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
        pool.submit(move || {
            started.set();
            gate.wait();
        })
        .unwrap()
    };
    let ran = Arc::new(AtomicUsize::new(0));
    let queued = {
        let ran = Arc::clone(&ran);
        pool.submit(move || ran.fetch_add(1, Ordering::SeqCst))
            .unwrap()
    };
    started.wait();
    assert!(!blocker.cancel(), "already running");
    assert!(queued.cancel());
    assert!(queued.cancel(), "still cancelled");
    assert!(queued.is_finished());
    gate.set();
    assert!(matches!(queued.join(), Err(TaskError::Cancelled)));
    blocker.join().unwrap();
    pool.close();
    pool.join().unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn join_timeout_gives_the_handle_back_until_done() {
    let pool = ThreadPool::new(1);
    let gate = Arc::new(Event::new());
    let g = Arc::clone(&gate);
    let t = pool
        .submit(move || {
            g.wait();
            "late"
        })
        .unwrap();
    let start = Instant::now();
    let t = t.join_timeout(Duration::from_millis(20)).unwrap_err();
    assert!(start.elapsed() >= Duration::from_millis(20));
    assert!(!t.is_finished());
    let t = t.join_timeout(Duration::ZERO).unwrap_err();
    gate.set();
    assert_eq!(
        t.join_timeout(Duration::from_secs(10))
            .ok()
            .unwrap()
            .unwrap(),
        "late"
    );
}

#[test]
fn map_keeps_the_items_order_and_reports_the_first_panic() {
    let pool = ThreadPool::new(4);
    let squares = pool.map(0..100u64, |x| x * x).unwrap();
    assert_eq!(squares, (0..100u64).map(|x| x * x).collect::<Vec<_>>());
    let ran = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&ran);
    let outcome = pool.map(0..10, move |x| {
        r.fetch_add(1, Ordering::SeqCst);
        assert!(x != 3 && x != 7, "item {x}");
        x
    });
    match outcome {
        Err(TaskError::Panicked(p)) => {
            assert!(p.downcast_ref::<String>().unwrap().contains("item 3"));
        }
        _ => panic!("expected the first panic"),
    }
    assert_eq!(ran.load(Ordering::SeqCst), 10, "every item ran regardless");
}

#[test]
fn dropping_the_pool_runs_the_queued_tasks_and_joins_the_workers() {
    let done = Arc::new(AtomicUsize::new(0));
    {
        let pool = ThreadPool::with_capacity(2, 64);
        for _ in 0..50 {
            let done = Arc::clone(&done);
            pool.submit(move || {
                done.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap();
        }
    }
    assert_eq!(done.load(Ordering::SeqCst), 50);
}

#[test]
fn zero_threads_panic_with_a_message() {
    let message = std::panic::catch_unwind(|| ThreadPool::new(0))
        .err()
        .and_then(|p| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(message.contains("at least 1 thread"), "{message}");
}

#[test]
fn auto_traits() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<ThreadPool>();
    send_sync::<verisync::Task<u8>>();
}

#[test]
fn stress_submitters_cancellers_and_panics_lose_nothing() {
    // Four threads submit 500 tasks each into a small queue (submit waits when it is full),
    // cancel every fifth at once, and make every seventh panic: each task's outcome is exactly
    // one of value / cancelled / panicked, and the values that ran are all counted.
    let pool = Arc::new(ThreadPool::with_capacity(3, 8));
    let ran = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(StdMutex::new([0usize; 3]));
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let (pool, ran, tally) = (Arc::clone(&pool), Arc::clone(&ran), Arc::clone(&tally));
            thread::spawn(move || {
                for i in 0..500usize {
                    let ran = Arc::clone(&ran);
                    let t = pool
                        .submit(move || {
                            ran.fetch_add(1, Ordering::SeqCst);
                            assert!(i % 7 != 0, "planned panic");
                            i
                        })
                        .unwrap();
                    let cancelled = i % 5 == 0 && t.cancel();
                    let kind = match t.join() {
                        Ok(v) => {
                            assert_eq!(v, i);
                            0
                        }
                        Err(TaskError::Cancelled) => {
                            assert!(cancelled);
                            1
                        }
                        Err(TaskError::Panicked(_)) => {
                            assert_eq!(i % 7, 0);
                            2
                        }
                    };
                    tally.lock().unwrap()[kind] += 1;
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    let [values, cancelled, panicked] = *tally.lock().unwrap();
    assert_eq!(values + cancelled + panicked, 2000);
    assert_eq!(
        ran.load(Ordering::SeqCst),
        values + panicked,
        "cancelled ones never ran"
    );
    pool.close();
    pool.join().unwrap();
}

#[test]
fn threads_queued_tasks_and_a_refusal_are_reported() {
    let pool = ThreadPool::new(1);
    assert_eq!(pool.threads(), 1);
    assert_eq!(pool.queued(), 0);
    let (gate, started) = (Arc::new(Event::new()), Arc::new(Event::new()));
    let busy = {
        let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
        pool.submit(move || {
            started.set();
            gate.wait();
        })
        .unwrap()
    };
    started.wait(); // the one thread is busy: what comes next waits in the queue
    let waiting: Vec<_> = (0..2).map(|i| pool.submit(move || i).unwrap()).collect();
    // Looked at before the gate opens, asserted after: a failed assertion must not leave the
    // pool's thread blocked (dropping the pool joins it).
    let (queued, shown) = (pool.queued(), format!("{busy:?}"));
    gate.set();
    busy.join().unwrap();
    assert_eq!(queued, 2);
    assert_eq!(shown, "Task { finished: false }");
    let got: Vec<i32> = waiting.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(got, [0, 1]);
    assert_eq!(pool.queued(), 0);
    pool.close();
    let refused = pool.submit(|| 2).unwrap_err();
    assert_eq!(format!("{refused:?}"), "SubmitError(..)");
    pool.join().unwrap();
    let done = ThreadPool::new(3);
    assert_eq!(done.threads(), 3);
    let task = done.submit(|| ()).unwrap();
    done.close();
    done.join().unwrap();
    assert_eq!(format!("{task:?}"), "Task { finished: true }");
}
