//! Models written the way a user writes them: plain `loom::model` over code that uses verisync's
//! types, timeouts included. Each one was a crash (issue 11) before the facade's clock became
//! one thread per execution that holds nothing of loom's while it waits:
//!
//! * a thread making many timed waits in a row spent one loom thread slot per wait, and loom
//!   (5 threads at most) aborted after about four;
//! * a model whose assertion failed after a timed wait aborted the whole test binary ("cannot
//!   access Loom execution state from outside a Loom model"), so `#[should_panic]` could not work
//!   and the rest of the binary never ran.
#![cfg(loom)]

use std::time::Duration;
use verisync::sync::{thread, Arc};
use verisync::{BoundedQueue, GetTimeoutError, ReentrantLock, Semaphore};

fn bounded(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(preemptions);
    b.check(f);
}

#[test]
fn five_timeouts_in_a_row_in_one_thread() {
    bounded(3, || {
        let lock = Arc::new(ReentrantLock::new(()));
        let held = lock.lock();
        let other = Arc::clone(&lock);
        let timeouts = thread::spawn(move || {
            (0..5)
                .filter(|_| other.lock_timeout(Duration::from_millis(1)).is_none())
                .count()
        });
        // The lock stays held until the other thread is done: each of its waits times out.
        assert_eq!(timeouts.join().unwrap(), 5);
        drop(held);
    });
}

#[test]
fn five_sleeps_in_a_row() {
    bounded(3, || {
        for _ in 0..5 {
            thread::sleep(Duration::from_millis(1));
        }
    });
}

#[test]
fn many_timed_out_acquires_in_one_thread() {
    bounded(2, || {
        let sem = Semaphore::new(0);
        for _ in 0..8 {
            assert!(sem.acquire_timeout(Duration::from_millis(1)).is_none());
        }
    });
}

#[test]
fn producer_and_consumer_polling_get_timeout() {
    bounded(3, || {
        let q = Arc::new(BoundedQueue::new(1));
        let consumer = {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    match q.get_timeout(Duration::from_millis(1)) {
                        Ok(v) => got.push(v),
                        Err(GetTimeoutError::Timeout) => {}
                        Err(GetTimeoutError::Closed) => return got,
                    }
                }
            })
        };
        q.put(1).unwrap();
        q.put(2).unwrap();
        q.close();
        assert_eq!(consumer.join().unwrap(), vec![1, 2]);
    });
}

#[test]
#[should_panic(expected = "the user's own assertion")]
fn a_failing_model_that_made_a_timed_wait_fails_as_a_test() {
    bounded(2, || {
        let sem = Arc::new(Semaphore::new(0));
        let waiter = {
            let sem = Arc::clone(&sem);
            // Still parked (or timing out) when the assertion below fails.
            thread::spawn(move || drop(sem.acquire_timeout(Duration::from_millis(5))))
        };
        assert!(sem.acquire_timeout(Duration::from_millis(1)).is_none());
        // Any failing assertion in a user's model: it must fail this test, not abort the binary.
        assert_eq!(1 + 1, 3, "the user's own assertion");
        waiter.join().unwrap();
    });
}

#[test]
#[should_panic(expected = "the user's own assertion")]
fn a_failing_model_with_a_thread_blocked_in_a_timed_wait_fails_as_a_test() {
    bounded(2, || {
        let lock = Arc::new(ReentrantLock::new(()));
        let held = lock.lock();
        let waiter = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || drop(lock.lock_timeout(Duration::from_secs(1))))
        };
        thread::yield_now();
        assert_eq!(0, 1, "the user's own assertion");
        drop(held);
        waiter.join().unwrap();
    });
}

#[test]
fn four_threads_of_your_own_with_timed_waits_leave_room_for_the_clock() {
    // loom allows 5 threads: the model's main thread, three spawned ones, and the one clock.
    bounded(2, || {
        let threads: Vec<_> = (1..=3)
            .map(|ms| thread::spawn(move || thread::sleep(Duration::from_millis(ms))))
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    });
}

/// Two threads take two locks of type `$mutex` in opposite orders (004 案例14).
macro_rules! lock_order_deadlock {
    ($mutex:ty) => {
        bounded(2, || {
            let a = Arc::new(<$mutex>::new(0));
            let b = Arc::new(<$mutex>::new(0));
            let t = {
                let (a, b) = (Arc::clone(&a), Arc::clone(&b));
                thread::spawn(move || {
                    let _b = b.lock();
                    *a.lock() += 1;
                })
            };
            {
                let _a = a.lock();
                *b.lock() += 1;
            }
            t.join().unwrap();
        })
    };
}

#[test]
#[should_panic(expected = "deadlock")]
fn a_lock_order_deadlock_fails_as_a_test() {
    // 004 案例14 in a user's own model: loom reports the deadlock, and the threads it abandons
    // (each holding one verisync lock and waiting for the other) are torn down without
    // aborting the binary.
    lock_order_deadlock!(verisync::Mutex<i32>);
}

#[test]
#[should_panic(expected = "deadlock")]
fn a_reentrant_lock_order_deadlock_fails_as_a_test() {
    bounded(2, || {
        let a = Arc::new(ReentrantLock::new(()));
        let b = Arc::new(ReentrantLock::new(()));
        let t = {
            let (a, b) = (Arc::clone(&a), Arc::clone(&b));
            thread::spawn(move || {
                let _b = b.lock();
                let _a = a.lock();
            })
        };
        {
            let _a = a.lock();
            let _b = b.lock();
        }
        t.join().unwrap();
    });
}

#[test]
#[should_panic(expected = "deadlock")]
fn a_lock_order_deadlock_on_the_facade_mutex_fails_as_a_test() {
    // The same deadlock on `verisync::sync::Mutex`, which is loom's own under loom: its guards
    // unlock while loom tears the model down (loom's unlock takes no scheduling step), so the
    // facade guard needs no care of its own there.
    lock_order_deadlock!(verisync::sync::Mutex<i32>);
}

#[test]
#[should_panic(expected = "the user's own assertion")]
fn a_failing_model_holding_a_facade_guard_with_a_thread_blocked_on_it_fails_as_a_test() {
    bounded(2, || {
        let m = Arc::new(verisync::sync::Mutex::new(0));
        let t = {
            let m = Arc::clone(&m);
            thread::spawn(move || *m.lock() += 1)
        };
        let g = m.lock();
        assert!(*g > 5, "the user's own assertion");
        drop(g);
        t.join().unwrap();
    });
}
