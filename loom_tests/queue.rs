//! loom models of `BoundedQueue` and `JoinableQueue`: SPSC and 2×2 MPMC put/get/close
//! (nothing lost, nothing duplicated, FIFO, nobody left waiting), `close` waking blocked
//! getters and putters, both branches of every timed wait, and `join` returning exactly when
//! every item is done.
#![cfg(loom)]

mod common;

use common::{check, seen, Seen};

use std::time::Duration;
use verisync::sync::atomic::{AtomicUsize, Ordering};
use verisync::sync::{thread, Arc};
use verisync::{
    BoundedQueue, GetError, GetTimeoutError, JoinTimeoutError, JoinableQueue, PutError,
    PutTimeoutError,
};

/// Asserts that a timed wait was explored in both branches.
fn assert_both(outcomes: &Seen<&'static str>) {
    let outcomes = outcomes.lock().unwrap();
    assert!(
        outcomes.contains("woken"),
        "the woken branch was never explored"
    );
    assert!(
        outcomes.contains("timed out"),
        "the timed-out branch was never explored"
    );
}

fn drain<T>(q: &BoundedQueue<T>) -> Vec<T> {
    std::iter::from_fn(|| q.try_get().ok()).collect()
}

#[test]
fn spsc_put_get_close_keeps_fifo_and_ends() {
    // Capacity 1 and two items: the producer waits for the consumer, the consumer for the
    // producer, and the close must end the consumer's loop after both items, never before.
    check("queue/spsc", 3, || {
        let q = Arc::new(BoundedQueue::new(1));
        let q2 = Arc::clone(&q);
        let producer = thread::spawn(move || {
            q2.put(1).unwrap();
            q2.put(2).unwrap();
            assert!(q2.close());
        });
        let got: Vec<i32> = q.iter().collect();
        assert_eq!(got, [1, 2]);
        producer.join().unwrap();
        assert!(q.is_empty() && q.is_closed());
    });
}

#[test]
fn mpmc_two_by_two_loses_and_duplicates_nothing() {
    // Two producers and two consumers, one op each, capacity 1 (so a put may wait and a get
    // may wait): both items got, once each, and nobody left waiting.
    check("queue/mpmc-2x2", 2, || {
        let q = Arc::new(BoundedQueue::new(1));
        let producers: Vec<_> = (1..=2)
            .map(|i| {
                let q = Arc::clone(&q);
                thread::spawn(move || q.put(i).unwrap())
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let q = Arc::clone(&q);
                thread::spawn(move || q.get())
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        let mut got: Vec<i32> = consumers
            .into_iter()
            .map(|c| c.join().unwrap().expect("nobody closes the queue"))
            .collect();
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
        assert!(q.is_empty());
    });
}

#[test]
fn close_wakes_a_waiting_getter() {
    check("queue/close-wakes-getter", 3, || {
        let q = Arc::new(BoundedQueue::<u8>::new(1));
        let q2 = Arc::clone(&q);
        let getter = thread::spawn(move || q2.get());
        q.close();
        assert_eq!(getter.join().unwrap(), Err(GetError::Closed));
    });
}

#[test]
fn close_wakes_a_waiting_putter_and_leaves_items_to_drain() {
    // The queue is full (holds 'a'); T1 puts 'b' (waits), T2 gets, main closes. Whatever the
    // order, 'a' is got, 'b' is either in the queue or given back, and nobody hangs.
    let outcomes: Seen<&'static str> = seen();
    let o = outcomes.clone();
    check("queue/close-wakes-putter", 3, move || {
        let q = Arc::new(BoundedQueue::new(1));
        q.put('a').unwrap();
        let q1 = Arc::clone(&q);
        let putter = thread::spawn(move || q1.put('b'));
        let q2 = Arc::clone(&q);
        let getter = thread::spawn(move || q2.get());
        q.close();
        assert_eq!(getter.join().unwrap(), Ok('a'));
        let outcome = match putter.join().unwrap() {
            Ok(()) => {
                assert_eq!(drain(&q), ['b']);
                "put"
            }
            Err(PutError::Closed(item)) => {
                assert_eq!(item, 'b');
                assert!(q.is_empty());
                "refused"
            }
        };
        o.lock().unwrap().insert(outcome);
    });
    let outcomes = outcomes.lock().unwrap();
    assert!(
        outcomes.contains("put") && outcomes.contains("refused"),
        "{outcomes:?}"
    );
}

#[test]
fn get_timeout_is_woken_or_times_out() {
    let outcomes: Seen<&'static str> = seen();
    let o = outcomes.clone();
    check("queue/get-timeout", 3, move || {
        let q = Arc::new(BoundedQueue::new(1));
        let q2 = Arc::clone(&q);
        let putter = thread::spawn(move || q2.put(7).unwrap());
        let got = q.get_timeout(Duration::from_millis(10));
        putter.join().unwrap();
        // A timed-out get took nothing: the item is still there.
        let outcome = match got {
            Ok(7) => {
                assert!(q.is_empty());
                "woken"
            }
            Err(GetTimeoutError::Timeout) => {
                assert_eq!(drain(&q), [7]);
                "timed out"
            }
            other => panic!("unexpected {other:?}"),
        };
        o.lock().unwrap().insert(outcome);
    });
    assert_both(&outcomes);
}

#[test]
fn get_timeout_sees_close_or_times_out() {
    let outcomes: Seen<&'static str> = seen();
    let o = outcomes.clone();
    check("queue/get-timeout-close", 3, move || {
        let q = Arc::new(BoundedQueue::<u8>::new(1));
        let q2 = Arc::clone(&q);
        let closer = thread::spawn(move || q2.close());
        let got = q.get_timeout(Duration::from_millis(10));
        assert!(closer.join().unwrap());
        let outcome = match got {
            Err(GetTimeoutError::Closed) => "woken",
            Err(GetTimeoutError::Timeout) => "timed out",
            Ok(item) => panic!("got {item} from a queue nobody put into"),
        };
        o.lock().unwrap().insert(outcome);
    });
    assert_both(&outcomes);
}

#[test]
fn put_timeout_is_woken_or_times_out() {
    let outcomes: Seen<&'static str> = seen();
    let o = outcomes.clone();
    check("queue/put-timeout", 3, move || {
        let q = Arc::new(BoundedQueue::new(1));
        q.put(1).unwrap();
        let q2 = Arc::clone(&q);
        let getter = thread::spawn(move || q2.get().unwrap());
        let put = q.put_timeout(2, Duration::from_millis(10));
        assert_eq!(getter.join().unwrap(), 1);
        let outcome = match put {
            Ok(()) => {
                assert_eq!(drain(&q), [2]);
                "woken"
            }
            Err(PutTimeoutError::Timeout(2)) => {
                assert!(q.is_empty());
                "timed out"
            }
            other => panic!("unexpected {other:?}"),
        };
        o.lock().unwrap().insert(outcome);
    });
    assert_both(&outcomes);
}

#[test]
fn join_returns_exactly_when_every_item_is_done() {
    // Two items, one worker, two joiners (main and T2): neither joiner may return before the
    // worker has finished both jobs, and both must return.
    check("queue/join", 3, || {
        let q = Arc::new(JoinableQueue::new(2));
        let finished = Arc::new(AtomicUsize::new(0));
        q.put(1).unwrap();
        q.put(2).unwrap();
        let worker = {
            let (q, finished) = (Arc::clone(&q), Arc::clone(&finished));
            thread::spawn(move || {
                for _ in 0..2 {
                    q.get().unwrap();
                    // Relaxed: `task_done` and `join` order it through the queue's lock.
                    finished.fetch_add(1, Ordering::Relaxed);
                    q.task_done().unwrap();
                }
            })
        };
        let joiner = {
            let (q, finished) = (Arc::clone(&q), Arc::clone(&finished));
            thread::spawn(move || {
                q.join();
                // Relaxed: as above.
                assert_eq!(finished.load(Ordering::Relaxed), 2);
            })
        };
        q.join();
        // Relaxed: as above.
        assert_eq!(finished.load(Ordering::Relaxed), 2);
        assert_eq!(q.unfinished(), 0);
        worker.join().unwrap();
        joiner.join().unwrap();
        assert!(q.task_done().is_err());
    });
}

#[test]
fn join_timeout_is_woken_or_times_out() {
    let outcomes: Seen<&'static str> = seen();
    let o = outcomes.clone();
    check("queue/join-timeout", 3, move || {
        let q = Arc::new(JoinableQueue::new(1));
        q.put(1).unwrap();
        let q2 = Arc::clone(&q);
        let worker = thread::spawn(move || {
            q2.get().unwrap();
            q2.task_done().unwrap();
        });
        let joined = q.join_timeout(Duration::from_millis(10));
        let outcome = match joined {
            Ok(()) => {
                assert_eq!(q.unfinished(), 0);
                "woken"
            }
            Err(JoinTimeoutError::Timeout { unfinished: 1 }) => "timed out",
            other => panic!("unexpected {other:?}"),
        };
        worker.join().unwrap();
        assert_eq!(q.unfinished(), 0);
        o.lock().unwrap().insert(outcome);
    });
    assert_both(&outcomes);
}
