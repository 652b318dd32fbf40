//! `lock-order-deadlock` — 004 案例14: two threads take two locks in opposite orders; each gets
//! its first and waits forever for the other's. Fixed two ways: one global order (what
//! [`Account::transfer`](crate::Account::transfer) does), and 案例15's timed acquire that gives up
//! and releases what it holds.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::{thread, Arc};
use crate::Mutex;
use std::time::Duration;

pub(super) const CASE: Case = Case {
    name: "lock-order-deadlock",
    notes: "004 案例14 (deadlock), 案例15 (acquire with a timeout)",
    lesson: "take locks in one global order, or give up with a timeout and release",
    variants: &[
        Variant {
            name: "broken",
            describe: "T1 locks a then b; T2 locks b then a",
            expect: Some(FailureKind::Deadlock),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed-order",
            describe: "both threads lock a then b",
            expect: None,
            run: fixed_order,
            spurious: 0,
        },
        Variant {
            name: "fixed-timeout",
            describe: "T2 waits for a at most 10 ms holding b, then releases b and gives up",
            expect: None,
            run: fixed_timeout,
            spurious: 0,
        },
    ],
};

type Locks = Arc<(Mutex<u32>, Mutex<u32>)>;

/// Runs T1 (always a then b) beside `t2`, then checks that every unit moved is accounted for.
fn scenario(t2: fn(&Locks)) {
    let locks: Locks = Arc::new((Mutex::new(10).named("a"), Mutex::new(10).named("b")));
    let l1 = Arc::clone(&locks);
    let t1 = thread::spawn(move || {
        let mut a = l1.0.lock();
        trace::event(1, "locks a");
        trace::event(1, "asks for b");
        let mut b = l1.1.lock();
        trace::event(1, "locks b");
        *a -= 1;
        *b += 1;
    });
    t2(&locks);
    t1.join().unwrap();
    let total = *locks.0.lock() + *locks.1.lock();
    if total != 20 {
        panic!("total {total}, expected 20");
    }
}

fn broken() {
    scenario(|locks| {
        let mut b = locks.1.lock();
        trace::event(2, "locks b");
        trace::event(2, "asks for a");
        let mut a = locks.0.lock();
        trace::event(2, "locks a");
        *b -= 1;
        *a += 1;
    })
}

fn fixed_order() {
    scenario(|locks| {
        let mut a = locks.0.lock();
        trace::event(2, "locks a");
        trace::event(2, "asks for b");
        let mut b = locks.1.lock();
        trace::event(2, "locks b");
        *b -= 1;
        *a += 1;
    })
}

fn fixed_timeout() {
    scenario(|locks| {
        let mut b = locks.1.lock();
        trace::event(2, "locks b");
        trace::event(2, "asks for a, for 10 ms");
        match locks.0.lock_timeout(Duration::from_millis(10)) {
            Some(mut a) => {
                trace::event(2, "locks a");
                *b -= 1;
                *a += 1;
            }
            None => trace::event(2, "times out on a, releases b"),
        }
    })
}
