//! std-backend behaviour of `BoundedQueue` and `JoinableQueue`: the behaviours CPython's
//! `Lib/test/test_queue.py` checks, ported, plus closing, drop counting and a bounded 8×8
//! MPMC stress test with checksums.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use verisync::{
    BoundedQueue, GetError, GetTimeoutError, JoinTimeoutError, JoinableQueue, PutError,
    PutTimeoutError, TaskDoneError, TryGetError, TryPutError,
};

/// How long a helper thread waits before it acts: long enough that a call which did not block
/// would return first, short enough to keep the suite quick.
const DELAY: Duration = Duration::from_millis(30);

/// CPython's `BlockingTestMixin.do_blocking_test`: runs `trigger` on another thread after
/// `DELAY`, calls `block`, and checks that `block` returned only after the trigger acted.
fn blocks_until<R>(block: impl FnOnce() -> R, trigger: impl FnOnce() + Send + 'static) -> R {
    let acted = Arc::new(AtomicBool::new(false));
    let a = Arc::clone(&acted);
    // Before the spawn: the helper's sleep starts after it, so the trigger acts at least DELAY
    // after `start`. Taken after the spawn, a descheduled caller could start its clock late
    // (this failed once in the gate, under load).
    let start = Instant::now();
    let helper = thread::spawn(move || {
        thread::sleep(DELAY);
        // SeqCst: published before the action the blocked call waits for.
        a.store(true, Ordering::SeqCst);
        trigger();
    });
    let result = block();
    // SeqCst: pairs with the store above.
    assert!(
        acted.load(Ordering::SeqCst),
        "the blocking call returned before the other thread acted"
    );
    assert!(start.elapsed() >= DELAY);
    helper.join().unwrap();
    result
}

// ---------------------------------------------------------------------------------------------
// test_queue.py: basic, nowait, timeouts, blocking

#[test]
fn fifo_order_and_sizes_around_capacity() {
    // test_basic / simple_queue_test: fill to capacity checking qsize/empty/full at each step.
    let q = BoundedQueue::new(3);
    assert!(q.is_empty() && !q.is_full());
    assert_eq!((q.len(), q.capacity()), (0, 3));
    for (n, item) in [111, 333, 222].into_iter().enumerate() {
        q.put(item).unwrap();
        assert_eq!(q.len(), n + 1);
        assert!(!q.is_empty());
        assert_eq!(q.is_full(), n + 1 == 3);
    }
    assert_eq!(q.try_put(444), Err(TryPutError::Full(444)));
    assert_eq!(q.len(), 3);
    let got: Vec<i32> = (0..3).map(|_| q.get().unwrap()).collect();
    assert_eq!(got, [111, 333, 222], "not FIFO");
    assert!(q.is_empty() && !q.is_full());
    // Interleaved puts and gets keep FIFO too.
    for i in 0..100 {
        q.put(i).unwrap();
        if i % 3 == 2 {
            assert_eq!(q.get(), Ok(i - 2));
            assert_eq!(q.get(), Ok(i - 1));
            assert_eq!(q.get(), Ok(i));
        }
    }
}

#[test]
fn nonblocking_and_timed_calls_fail_at_the_boundary() {
    let q = BoundedQueue::new(1);
    assert_eq!(q.try_get(), Err(TryGetError::Empty));
    let start = Instant::now();
    assert_eq!(
        q.get_timeout(Duration::from_millis(20)),
        Err(GetTimeoutError::Timeout)
    );
    assert!(
        start.elapsed() >= Duration::from_millis(20),
        "get_timeout returned early"
    );
    q.try_put("a").unwrap();
    assert_eq!(q.try_put("b"), Err(TryPutError::Full("b")));
    let start = Instant::now();
    assert_eq!(
        q.put_timeout("c", Duration::from_millis(20)),
        Err(PutTimeoutError::Timeout("c"))
    );
    assert!(
        start.elapsed() >= Duration::from_millis(20),
        "put_timeout returned early"
    );
    // Nothing refused was added.
    assert_eq!(q.len(), 1);
    assert_eq!(q.try_get(), Ok("a"));
    // And the timed forms succeed at once when they can.
    assert_eq!(q.put_timeout("d", Duration::from_secs(10)), Ok(()));
    assert_eq!(q.get_timeout(Duration::from_secs(10)), Ok("d"));
}

#[test]
fn zero_tiny_and_absurd_timeouts_are_handled() {
    let q = BoundedQueue::new(1);
    for timeout in [Duration::ZERO, Duration::from_nanos(1)] {
        assert_eq!(q.get_timeout(timeout), Err(GetTimeoutError::Timeout));
    }
    q.put(1).unwrap();
    for timeout in [Duration::ZERO, Duration::from_nanos(1)] {
        assert_eq!(q.put_timeout(2, timeout), Err(PutTimeoutError::Timeout(2)));
    }
    // Duration::MAX is "no deadline": no overflow, no panic, and it succeeds when it can ...
    assert_eq!(q.get_timeout(Duration::MAX), Ok(1));
    assert_eq!(q.put_timeout(3, Duration::MAX), Ok(()));
    // ... and waits, without a deadline, for another thread when it cannot.
    let q = Arc::new(q);
    let q2 = Arc::clone(&q);
    let put = blocks_until(
        || q.put_timeout(4, Duration::MAX),
        move || assert_eq!(q2.get(), Ok(3)),
    );
    assert_eq!(put, Ok(()));
    assert_eq!(q.get_timeout(Duration::MAX), Ok(4));
    let q2 = Arc::clone(&q);
    let got = blocks_until(|| q.get_timeout(Duration::MAX), move || q2.put(5).unwrap());
    assert_eq!(got, Ok(5));
    // JoinableQueue::join_timeout too.
    let j = JoinableQueue::new(1);
    assert_eq!(j.join_timeout(Duration::ZERO), Ok(()));
    j.put(1).unwrap();
    for timeout in [Duration::ZERO, Duration::from_nanos(1)] {
        assert_eq!(
            j.join_timeout(timeout),
            Err(JoinTimeoutError::Timeout { unfinished: 1 })
        );
    }
    j.get().unwrap();
    j.task_done().unwrap();
    assert_eq!(j.join_timeout(Duration::MAX), Ok(()));
}

#[test]
fn blocking_put_returns_only_after_a_get() {
    let q = Arc::new(BoundedQueue::new(1));
    q.put(1).unwrap();
    let q2 = Arc::clone(&q);
    blocks_until(|| q.put(2).unwrap(), move || assert_eq!(q2.get(), Ok(1)));
    assert_eq!(q.try_get(), Ok(2));
    // The timed form, with a timeout longer than the helper's delay.
    q.put(3).unwrap();
    let q2 = Arc::clone(&q);
    let put = blocks_until(
        || q.put_timeout(4, Duration::from_secs(10)),
        move || assert_eq!(q2.get(), Ok(3)),
    );
    assert_eq!(put, Ok(()));
}

#[test]
fn blocking_get_returns_only_after_a_put() {
    let q = Arc::new(BoundedQueue::new(1));
    let q2 = Arc::clone(&q);
    let got = blocks_until(|| q.get(), move || q2.put(7).unwrap());
    assert_eq!(got, Ok(7));
    let q2 = Arc::clone(&q);
    let got = blocks_until(
        || q.get_timeout(Duration::from_secs(10)),
        move || q2.put(8).unwrap(),
    );
    assert_eq!(got, Ok(8));
}

#[test]
#[should_panic(expected = "capacity must be at least 1")]
fn capacity_zero_panics_with_a_clear_message() {
    let _ = BoundedQueue::<u8>::new(0);
}

#[test]
#[should_panic(expected = "capacity must be at least 1")]
fn joinable_capacity_zero_panics_too() {
    let _ = JoinableQueue::<u8>::new(0);
}

#[test]
fn a_large_capacity_holds_what_is_put() {
    // Storage is allocated up front: a large capacity costs its slots at once.
    let q = BoundedQueue::new(100_000);
    for i in 0..5000 {
        q.try_put(i).unwrap();
    }
    assert_eq!(q.len(), 5000);
    assert!(!q.is_full());
    assert_eq!(q.try_get(), Ok(0));
}

#[test]
#[should_panic(expected = "is too large")]
fn capacity_usize_max_panics_with_a_clear_message() {
    let _ = BoundedQueue::<u8>::new(usize::MAX);
}

#[test]
fn one_past_the_largest_capacity_panics_naming_the_limit() {
    // `usize::MAX >> 4` slots at most (the stamps need four laps in a word): one more is
    // refused by that limit, before any allocation is attempted.
    let limit = usize::MAX >> 4;
    let panic = std::panic::catch_unwind(|| BoundedQueue::<u8>::new(limit + 1)).unwrap_err();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    let expected = format!(
        "capacity {} is too large: more than {limit} slots",
        limit + 1
    );
    assert!(message.contains(&expected), "{message}");
}

#[test]
#[should_panic(expected = "is too large")]
fn capacity_past_the_allocation_limit_panics_too() {
    // Within the stamp encoding, but `capacity` slots of a kilobyte overflow `isize::MAX`.
    let _ = JoinableQueue::<[u8; 1024]>::new(usize::MAX >> 5);
}

#[test]
#[should_panic(expected = "capacity 1099511627776 is too large")]
fn a_capacity_the_allocator_refuses_panics_with_a_message_instead_of_aborting() {
    // Issue 11 defect 8: 2^40 slots (16 TiB) passed the layout checks and the allocation
    // failure aborted the process; now the allocation is fallible and the failure a panic.
    let _ = BoundedQueue::<u8>::new(1 << 40);
}

// ---------------------------------------------------------------------------------------------
// close

#[test]
fn close_refuses_puts_drains_gets_and_is_idempotent() {
    let q = BoundedQueue::new(3);
    q.put(1).unwrap();
    q.put(2).unwrap();
    assert!(!q.is_closed());
    assert!(q.close());
    assert!(!q.close());
    assert!(q.is_closed());
    assert_eq!(q.put(3), Err(PutError::Closed(3)));
    assert_eq!(q.try_put(3), Err(TryPutError::Closed(3)));
    assert_eq!(
        q.put_timeout(3, Duration::from_secs(1)),
        Err(PutTimeoutError::Closed(3))
    );
    assert_eq!(q.len(), 2);
    assert_eq!(q.try_get(), Ok(1));
    assert_eq!(q.get_timeout(Duration::from_secs(1)), Ok(2));
    assert_eq!(q.get(), Err(GetError::Closed));
    assert_eq!(q.try_get(), Err(TryGetError::Closed));
    assert_eq!(
        q.get_timeout(Duration::from_secs(1)),
        Err(GetTimeoutError::Closed)
    );
    // A closed and full queue reports Closed, not Full: closing is the stronger fact.
    let full = BoundedQueue::new(1);
    full.put(0).unwrap();
    full.close();
    assert_eq!(full.try_put(1), Err(TryPutError::Closed(1)));
    assert_eq!(
        full.put_timeout(1, Duration::ZERO),
        Err(PutTimeoutError::Closed(1))
    );
}

#[test]
fn blocked_putters_and_getters_are_each_woken_in_turn_without_a_close() {
    // Every sleeper must be woken by the gets (puts) alone, with no close to wake anyone:
    // four putters asleep on a full queue all get in as a single consumer gets, and four
    // getters asleep on an empty queue all get an item as a single producer puts. Written for
    // a wake-one design tried for issue 16 (a woken sleeper had to pass the wake on: without
    // that this hung); kept for the wake-all that measured faster.
    let full = Arc::new(BoundedQueue::new(1));
    full.put(0).unwrap();
    let putters: Vec<_> = (1..=4)
        .map(|i| {
            let q = Arc::clone(&full);
            thread::spawn(move || q.put(i).unwrap())
        })
        .collect();
    thread::sleep(DELAY); // let them block
    let mut got: Vec<u32> = (0..5).map(|_| full.get().unwrap()).collect();
    putters.into_iter().for_each(|p| p.join().unwrap());
    got.sort_unstable();
    assert_eq!(got, [0, 1, 2, 3, 4]);

    let empty = Arc::new(BoundedQueue::new(1));
    let getters: Vec<_> = (0..4)
        .map(|_| {
            let q = Arc::clone(&empty);
            thread::spawn(move || q.get().unwrap())
        })
        .collect();
    thread::sleep(DELAY);
    (1..=4).for_each(|i| empty.put(i).unwrap());
    let mut got: Vec<u32> = getters.into_iter().map(|g| g.join().unwrap()).collect();
    got.sort_unstable();
    assert_eq!(got, [1, 2, 3, 4]);
}

#[test]
fn close_wakes_every_blocked_getter_and_putter() {
    let empty = Arc::new(BoundedQueue::<u32>::new(1));
    let full = Arc::new(BoundedQueue::new(1));
    full.put(0).unwrap();
    let started = Arc::new(Barrier::new(9));
    let mut getters = Vec::new();
    let mut putters = Vec::new();
    for i in 0..4 {
        let (q, b) = (Arc::clone(&empty), Arc::clone(&started));
        getters.push(thread::spawn(move || {
            b.wait();
            if i % 2 == 0 {
                q.get().map_err(|_| ())
            } else {
                q.get_timeout(Duration::from_secs(60)).map_err(|_| ())
            }
        }));
        let (q, b) = (Arc::clone(&full), Arc::clone(&started));
        putters.push(thread::spawn(move || {
            b.wait();
            if i % 2 == 0 {
                q.put(i).map_err(PutError::into_inner)
            } else {
                q.put_timeout(i, Duration::from_secs(60))
                    .map_err(PutTimeoutError::into_inner)
            }
        }));
    }
    started.wait();
    thread::sleep(DELAY); // let them block
    let start = Instant::now();
    empty.close();
    full.close();
    for g in getters {
        assert_eq!(g.join().unwrap(), Err(()));
    }
    let mut refused: Vec<u32> = putters
        .into_iter()
        .map(|p| p.join().unwrap().unwrap_err())
        .collect();
    refused.sort_unstable();
    assert_eq!(refused, [0, 1, 2, 3], "every putter gets its item back");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "a waiter slept through close"
    );
    assert_eq!(
        full.get(),
        Ok(0),
        "the item put before close is still there"
    );
}

#[test]
fn iteration_ends_when_closed_and_drained() {
    let q = Arc::new(BoundedQueue::new(2));
    let q2 = Arc::clone(&q);
    let producer = thread::spawn(move || {
        for i in 0..50 {
            q2.put(i).unwrap();
        }
        q2.close();
    });
    let got: Vec<i32> = (&*q).into_iter().collect();
    producer.join().unwrap();
    assert_eq!(got, (0..50).collect::<Vec<_>>());
    // Fused: stays ended.
    let mut it = q.iter();
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
}

// ---------------------------------------------------------------------------------------------
// JoinableQueue: test_queue_task_done, test_queue_join

#[test]
fn task_done_too_often_fails_and_changes_nothing() {
    let q = JoinableQueue::new(2);
    assert_eq!(q.task_done(), Err(TaskDoneError::NothingPending));
    q.put(1).unwrap();
    q.put(2).unwrap();
    // Put but not got: still nothing to mark done.
    assert_eq!(q.task_done(), Err(TaskDoneError::NothingPending));
    assert_eq!(q.unfinished(), 2);
    q.get().unwrap();
    assert_eq!(q.task_done(), Ok(()));
    assert_eq!(q.task_done(), Err(TaskDoneError::NothingPending));
    assert_eq!(q.unfinished(), 1);
    assert_eq!(q.len(), 1);
    q.get().unwrap();
    q.task_done().unwrap();
    assert_eq!(q.unfinished(), 0);
    assert_eq!(q.task_done(), Err(TaskDoneError::NothingPending));
    assert_eq!(q.unfinished(), 0);
}

#[test]
fn tasks_got_and_not_done_are_counted_across_many_laps_of_the_ring() {
    // The count is the ring's positions against a `done` position: many laps of items got
    // before any is marked done must still count one task each.
    let q = JoinableQueue::new(3);
    for n in 0..1000 {
        q.put(n).unwrap();
        assert_eq!(q.get(), Ok(n));
    }
    assert_eq!(q.unfinished(), 1000);
    for left in (0..1000).rev() {
        assert_eq!(q.task_done(), Ok(()));
        assert_eq!(q.unfinished(), left);
    }
    assert_eq!(q.task_done(), Err(TaskDoneError::NothingPending));
    assert!(q.join_timeout(Duration::ZERO).is_ok());
}

/// CPython's `queue_join_test`: workers sum what they get and mark it done; `join` returns
/// only when all of it is summed. Run twice on one queue: join may be called again.
#[test]
fn join_waits_for_every_item_and_can_be_called_twice() {
    let q = Arc::new(JoinableQueue::new(10));
    let sum = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (q, sum) = (Arc::clone(&q), Arc::clone(&sum));
            thread::spawn(move || {
                for n in q.iter() {
                    // SeqCst: read by the joiner after join returns.
                    sum.fetch_add(n, Ordering::SeqCst);
                    q.task_done().unwrap();
                }
            })
        })
        .collect();
    for round in 1..=2 {
        for n in 0..100 {
            q.put(n).unwrap();
        }
        q.join();
        // SeqCst: pairs with the workers' adds.
        assert_eq!(sum.load(Ordering::SeqCst), round * 4950);
        assert_eq!(q.unfinished(), 0);
        q.join(); // again, with nothing unfinished: returns at once
    }
    q.close();
    for w in workers {
        w.join().unwrap();
    }
}

#[test]
fn join_blocks_until_the_last_task_done() {
    let q = Arc::new(JoinableQueue::new(2));
    q.put('a').unwrap();
    q.put('b').unwrap();
    q.get().unwrap();
    q.task_done().unwrap();
    q.get().unwrap();
    let q2 = Arc::clone(&q);
    blocks_until(|| q.join(), move || q2.task_done().unwrap());
    // And with a timeout.
    q.put('c').unwrap();
    q.get().unwrap();
    let q2 = Arc::clone(&q);
    let joined = blocks_until(
        || q.join_timeout(Duration::from_secs(10)),
        move || q2.task_done().unwrap(),
    );
    assert_eq!(joined, Ok(()));
    let start = Instant::now();
    q.put('d').unwrap();
    assert_eq!(
        q.join_timeout(Duration::from_millis(20)),
        Err(JoinTimeoutError::Timeout { unfinished: 1 })
    );
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[test]
fn many_joiners_all_return() {
    let q = Arc::new(JoinableQueue::new(1));
    q.put(()).unwrap();
    let joiners: Vec<_> = (0..4)
        .map(|_| {
            let q = Arc::clone(&q);
            thread::spawn(move || q.join())
        })
        .collect();
    thread::sleep(DELAY);
    q.get().unwrap();
    q.task_done().unwrap();
    for j in joiners {
        j.join().unwrap();
    }
}

#[test]
fn a_join_that_times_out_leaves_the_other_joiners_to_be_woken() {
    // One joiner waits without a timeout; another times out and leaves meanwhile. The one
    // left must still be woken by the last task_done (the joiner that left must not withdraw
    // the announcement that the other still relies on).
    let q = Arc::new(JoinableQueue::new(1));
    q.put(()).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiting = {
        let q = Arc::clone(&q);
        thread::spawn(move || {
            q.join();
            tx.send(()).unwrap();
        })
    };
    thread::sleep(DELAY);
    assert_eq!(
        q.join_timeout(DELAY),
        Err(JoinTimeoutError::Timeout { unfinished: 1 })
    );
    q.get().unwrap();
    q.task_done().unwrap();
    rx.recv_timeout(Duration::from_secs(5))
        .expect("the joiner still waiting is woken by the last task_done");
    waiting.join().unwrap();
}

#[test]
fn close_does_not_release_join() {
    let q = JoinableQueue::new(2);
    q.put(1).unwrap();
    q.close();
    assert!(q.join_timeout(Duration::from_millis(5)).is_err());
    assert_eq!(q.get(), Ok(1)); // drained after close
    q.task_done().unwrap();
    q.join();
}

#[test]
fn a_joinable_queue_is_a_bounded_queue() {
    fn drain(q: &BoundedQueue<u8>) -> Vec<u8> {
        std::iter::from_fn(|| q.try_get().ok()).collect()
    }
    let q = JoinableQueue::new(2);
    q.put(1).unwrap();
    q.put(2).unwrap();
    assert!(q.is_full());
    assert_eq!(drain(&q), [1, 2]); // through Deref
    assert_eq!(q.unfinished(), 2);
    q.task_done().unwrap();
    q.task_done().unwrap();
    q.join();
    q.put(3).unwrap();
    q.close();
    assert_eq!((&q).into_iter().collect::<Vec<_>>(), [3]);
    assert_eq!(drain(q.as_queue()), []);
}

// ---------------------------------------------------------------------------------------------
// Errors and Debug

/// Has no Debug, Clone or PartialEq: the errors must work without them.
struct Opaque(#[allow(dead_code)] u8);

#[test]
fn errors_say_what_happened_and_give_the_item_back() {
    assert_eq!(PutError::Closed(1).to_string(), "put on a closed queue");
    assert_eq!(TryPutError::Full(1).to_string(), "put on a full queue");
    assert_eq!(TryPutError::Closed(1).to_string(), "put on a closed queue");
    assert_eq!(
        PutTimeoutError::Timeout(1).to_string(),
        "put timed out on a full queue"
    );
    assert_eq!(
        GetError::Closed.to_string(),
        "get on a closed and drained queue"
    );
    assert_eq!(TryGetError::Empty.to_string(), "get on an empty queue");
    assert_eq!(
        GetTimeoutError::Timeout.to_string(),
        "get timed out on an empty queue"
    );
    assert_eq!(
        TaskDoneError::NothingPending.to_string(),
        "task_done() called more times than items were got"
    );
    assert_eq!(
        JoinTimeoutError::Timeout { unfinished: 3 }.to_string(),
        "join timed out with 3 unfinished task(s)"
    );
    // Debug without `T: Debug`, like std's SendError.
    let q = BoundedQueue::new(1);
    q.put(Opaque(1)).unwrap();
    let full = q.try_put(Opaque(2)).unwrap_err();
    assert_eq!(format!("{full:?}"), "Full(..)");
    assert!(matches!(full.into_inner(), Opaque(2)));
    let timeout = q.put_timeout(Opaque(3), Duration::ZERO).unwrap_err();
    assert_eq!(format!("{timeout:?}"), "Timeout(..)");
    q.close();
    let closed = q.put(Opaque(4)).unwrap_err();
    assert_eq!(format!("{closed:?}"), "Closed(..)");
    assert!(matches!(closed.into_inner(), Opaque(4)));
    // `unwrap` compiles on every result, and the errors are boxable errors.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(TryPutError::Full(Opaque(5)));
    assert_eq!(boxed.to_string(), "put on a full queue");
    // The queues print their state without `T: Debug`.
    assert_eq!(
        format!("{q:?}"),
        "BoundedQueue { len: 1, capacity: 1, closed: true, .. }"
    );
    // So does the iterator, as the queue it gets from.
    assert_eq!(
        format!("{:?}", q.iter()),
        "Iter { queue: BoundedQueue { len: 1, capacity: 1, closed: true, .. } }"
    );
    let j = JoinableQueue::new(2);
    j.put(Opaque(6)).unwrap();
    assert_eq!(
        format!("{j:?}"),
        "JoinableQueue { len: 1, capacity: 2, closed: false, unfinished: 1, .. }"
    );
}

#[test]
fn queues_and_errors_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<BoundedQueue<String>>();
    send_sync::<JoinableQueue<Vec<u8>>>();
    send_sync::<TryPutError<String>>();
    send_sync::<PutTimeoutError<String>>();
    send_sync::<GetTimeoutError>();
}

// ---------------------------------------------------------------------------------------------
// Drop counting: every item dropped exactly once

/// Counts its drops in a shared table, one slot per id.
struct Tracked {
    id: usize,
    drops: Arc<Vec<AtomicUsize>>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        // SeqCst: the table is read after every thread is joined; any order would do.
        self.drops[self.id].fetch_add(1, Ordering::SeqCst);
    }
}

fn table(n: usize) -> Arc<Vec<AtomicUsize>> {
    Arc::new((0..n).map(|_| AtomicUsize::new(0)).collect())
}

fn counts(drops: &[AtomicUsize]) -> Vec<usize> {
    // SeqCst: as in `Drop`.
    drops.iter().map(|d| d.load(Ordering::SeqCst)).collect()
}

#[test]
fn every_item_is_dropped_exactly_once() {
    let drops = table(8);
    let item = |id| Tracked {
        id,
        drops: Arc::clone(&drops),
    };
    {
        let q = BoundedQueue::new(3);
        q.put(item(0)).unwrap();
        q.put(item(1)).unwrap();
        q.put(item(2)).unwrap();
        // Refused as full: given back, dropped by us, once.
        drop(q.try_put(item(3)).unwrap_err().into_inner());
        drop(q.put_timeout(item(4), Duration::ZERO));
        // Got: dropped by whoever got it.
        drop(q.get().unwrap());
        assert_eq!(counts(&drops), [1, 0, 0, 1, 1, 0, 0, 0]);
        q.close();
        // Refused as closed: the error owns it.
        let refused = q.put(item(5)).unwrap_err();
        assert_eq!(counts(&drops)[5], 0);
        drop(refused);
        drop(q.try_put(item(6)));
        // Item 1 is got after close (drained); item 2 stays in the queue.
        drop(q.get().unwrap());
        assert_eq!(counts(&drops), [1, 1, 0, 1, 1, 1, 1, 0]);
    } // the queue, with item 2 still in it, is dropped here
    assert_eq!(counts(&drops), [1, 1, 1, 1, 1, 1, 1, 0]);
    // A JoinableQueue drops what is left too.
    {
        let j = JoinableQueue::new(1);
        j.put(item(7)).unwrap();
    }
    assert_eq!(counts(&drops), [1; 8]);
}

/// Panics in `drop` when its id is `panic_on`, after counting the drop.
struct Bomb {
    tracked: Tracked,
    panic_on: usize,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.tracked.id == self.panic_on {
            panic!("item {} panics in drop", self.panic_on);
        }
    }
}

#[test]
fn dropping_a_queue_drops_every_item_even_when_one_panics_in_drop() {
    // Issue 11 defect 6: the item after the panicking one used to leak (2 of 4 dropped),
    // where a Vec drops all 4. The ring wraps (two got, four put) so that the items left
    // straddle the end of the slots.
    let drops = table(6);
    let q = BoundedQueue::new(4);
    for id in 0..2 {
        q.put(Bomb {
            tracked: Tracked {
                id,
                drops: Arc::clone(&drops),
            },
            panic_on: 3,
        })
        .unwrap();
    }
    drop(q.get().unwrap());
    drop(q.get().unwrap());
    for id in 2..6 {
        q.put(Bomb {
            tracked: Tracked {
                id,
                drops: Arc::clone(&drops),
            },
            panic_on: 3,
        })
        .unwrap();
    }
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(q)));
    assert!(unwound.is_err(), "the item's panic reaches the dropper");
    assert_eq!(counts(&drops), [1; 6], "every item dropped exactly once");
}

#[test]
fn drops_are_exact_under_concurrency() {
    const N: usize = 2000;
    let drops = table(N);
    let q = Arc::new(BoundedQueue::new(4));
    let producers: Vec<_> = (0..2)
        .map(|p| {
            let (q, drops) = (Arc::clone(&q), Arc::clone(&drops));
            thread::spawn(move || {
                for id in (p..N).step_by(2) {
                    let t = Tracked {
                        id,
                        drops: Arc::clone(&drops),
                    };
                    // Some are refused once the queue closes: dropped here.
                    drop(q.put(t));
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                // Take a few hundred, then stop: the rest stay in the queue or are refused.
                for _ in 0..300 {
                    drop(q.get());
                }
            })
        })
        .collect();
    for c in consumers {
        c.join().unwrap();
    }
    q.close();
    for p in producers {
        p.join().unwrap();
    }
    drop(q);
    assert!(
        counts(&drops).iter().all(|&n| n == 1),
        "{:?}",
        counts(&drops)
    );
}

// ---------------------------------------------------------------------------------------------
// Stress: 8 producers × 8 consumers

#[test]
fn mpmc_stress_loses_nothing_duplicates_nothing_keeps_per_producer_order() {
    const PRODUCERS: usize = 8;
    const CONSUMERS: usize = 8;
    const PER_PRODUCER: usize = 5_000;
    let q = Arc::new(BoundedQueue::new(16));
    let start = Arc::new(Barrier::new(PRODUCERS + CONSUMERS));
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let (q, start) = (Arc::clone(&q), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                for seq in 0..PER_PRODUCER {
                    // Mix the blocking, timed and non-blocking puts.
                    match seq % 3 {
                        0 => q.put((p, seq)).unwrap(),
                        1 => q.put_timeout((p, seq), Duration::from_secs(60)).unwrap(),
                        _ => {
                            let mut item = (p, seq);
                            while let Err(TryPutError::Full(back)) = q.try_put(item) {
                                item = back;
                                thread::yield_now();
                            }
                        }
                    }
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|c| {
            let (q, start) = (Arc::clone(&q), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let mut got = Vec::new();
                loop {
                    let next = match c % 2 {
                        0 => q.get().ok(),
                        _ => match q.get_timeout(Duration::from_millis(50)) {
                            Ok(item) => Some(item),
                            Err(GetTimeoutError::Timeout) => continue,
                            Err(GetTimeoutError::Closed) => None,
                        },
                    };
                    match next {
                        Some(item) => got.push(item),
                        None => break got,
                    }
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    q.close();
    let seen: Vec<Vec<(usize, usize)>> = consumers.into_iter().map(|c| c.join().unwrap()).collect();

    // Per-producer order: each consumer sees each producer's items in increasing order.
    for got in &seen {
        let mut last = [None; PRODUCERS];
        for &(p, seq) in got {
            assert!(last[p] < Some(seq), "producer {p}'s items out of order");
            last[p] = Some(seq);
        }
    }
    // Nothing lost, nothing duplicated: every (producer, seq) exactly once.
    let mut count = vec![0u8; PRODUCERS * PER_PRODUCER];
    for &(p, seq) in seen.iter().flatten() {
        count[p * PER_PRODUCER + seq] += 1;
    }
    assert!(
        count.iter().all(|&n| n == 1),
        "an item was lost or duplicated"
    );
    // Checksum, as the issue asks.
    let sum: usize = seen.iter().flatten().map(|&(_, seq)| seq).sum();
    assert_eq!(sum, PRODUCERS * PER_PRODUCER * (PER_PRODUCER - 1) / 2);
    assert!(q.is_empty());
}

#[test]
fn joinable_stress_join_sees_every_task_done() {
    const WORKERS: usize = 8;
    const ITEMS: usize = 4_000;
    let q = Arc::new(JoinableQueue::<usize>::new(8));
    let done = Arc::new(Mutex::new(vec![false; ITEMS]));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (q, done) = (Arc::clone(&q), Arc::clone(&done));
            thread::spawn(move || {
                for i in q.iter() {
                    let mut d = done.lock().unwrap();
                    assert!(!d[i], "item {i} got twice");
                    d[i] = true;
                    drop(d);
                    q.task_done().unwrap();
                }
            })
        })
        .collect();
    let producers: Vec<_> = (0..4)
        .map(|p| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                for i in (p..ITEMS).step_by(4) {
                    q.put(i).unwrap();
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    q.join();
    assert!(
        done.lock().unwrap().iter().all(|&d| d),
        "join returned early"
    );
    assert_eq!(q.unfinished(), 0);
    q.close();
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(q.task_done(), Err(TaskDoneError::NothingPending));
}

#[test]
fn len_never_exceeds_what_is_in_the_queue_while_another_thread_puts_and_gets() {
    // One thread puts and gets in turn, so the queue never holds more than one item, while
    // this one reads `len` until that thread is done. `len` loads the tail, then the head: a
    // put and a get between the two loads leave the head it reads ahead of the tail it read
    // (a lap ahead, at a lap's end). That reads as empty, never as a full lap of items.
    const ROUNDS: usize = 1_000_000;
    let q = Arc::new(BoundedQueue::new(2));
    let worker = {
        let q = Arc::clone(&q);
        thread::spawn(move || {
            for i in 0..ROUNDS {
                q.put(i).unwrap();
                assert_eq!(q.get(), Ok(i));
            }
        })
    };
    let mut over = None;
    while !worker.is_finished() {
        over = over.or((0..1000).map(|_| q.len()).find(|&len| len > 1));
    }
    worker.join().unwrap();
    assert_eq!(over, None, "len over 1 with at most one item in the queue");
    assert_eq!(q.len(), 0);
}

/// 4 producers × 4 consumers through a queue of `capacity` (1 or 2), blocking puts and gets
/// only, so that most operations go through the sleep/wake path: every item got exactly once
/// (checksum), each producer's items in order, and nobody left asleep.
fn sleep_wake_stress(capacity: usize) {
    const PRODUCERS: usize = 4;
    const CONSUMERS: usize = 4;
    const PER_PRODUCER: usize = 5_000;
    let q = Arc::new(BoundedQueue::<(usize, usize)>::new(capacity));
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                for seq in 0..PER_PRODUCER {
                    q.put((p, seq)).unwrap();
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                let mut last = [None; PRODUCERS];
                let (mut n, mut sum) = (0usize, 0usize);
                for (p, seq) in q.iter() {
                    assert!(last[p] < Some(seq), "producer {p}'s items out of order");
                    last[p] = Some(seq);
                    n += 1;
                    sum += p * PER_PRODUCER + seq;
                }
                (n, sum)
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    q.close();
    let (n, sum) = consumers
        .into_iter()
        .map(|c| c.join().unwrap())
        .fold((0, 0), |(n, s), (cn, cs)| (n + cn, s + cs));
    let total = PRODUCERS * PER_PRODUCER;
    assert_eq!(n, total, "an item was lost or duplicated");
    assert_eq!(
        sum,
        total * (total - 1) / 2,
        "an item was lost or duplicated"
    );
    assert!(q.is_empty());
}

#[test]
fn sleep_wake_stress_capacity_1() {
    sleep_wake_stress(1);
}

#[test]
fn sleep_wake_stress_capacity_2() {
    sleep_wake_stress(2);
}

#[test]
fn close_racing_blocked_putters_and_getters_loses_nothing() {
    // Round after round: putters block on a full queue and getters on an empty one (two
    // queues), then `close` races them. Every put either took effect (and its item is got or
    // left inside) or gave its item back; every getter returns; nothing is dropped twice.
    for round in 0..200 {
        let full = Arc::new(BoundedQueue::new(1));
        full.put(usize::MAX).unwrap();
        let empty = Arc::new(BoundedQueue::<usize>::new(1));
        let putters: Vec<_> = (0..3)
            .map(|i| {
                let q = Arc::clone(&full);
                thread::spawn(move || q.put(i).err().map(PutError::into_inner))
            })
            .collect();
        let getters: Vec<_> = (0..3)
            .map(|_| {
                let q = Arc::clone(&empty);
                thread::spawn(move || q.get())
            })
            .collect();
        let drainer = {
            let q = Arc::clone(&full);
            thread::spawn(move || q.get().ok())
        };
        if round % 2 == 1 {
            thread::yield_now();
        }
        full.close();
        empty.close();
        let refused: Vec<usize> = putters
            .into_iter()
            .filter_map(|p| p.join().unwrap())
            .collect();
        for g in getters {
            assert_eq!(g.join().unwrap(), Err(GetError::Closed));
        }
        let mut seen: Vec<usize> = refused;
        seen.extend(drainer.join().unwrap());
        seen.extend(full.iter());
        seen.sort_unstable();
        assert_eq!(seen, [0, 1, 2, usize::MAX], "round {round}");
    }
}
