//! `self-deadlock` — 004 案例18: a recursive function that takes a plain lock at every level
//! waits for itself at the second level, and every other thread then waits for it.
//! [`ReentrantLock`](crate::ReentrantLock) lets the holder take the lock again.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::{thread, Arc};
use crate::{Mutex, ReentrantLock};
use std::cell::Cell;

pub(super) const CASE: Case = Case {
    name: "self-deadlock",
    notes: "004 案例18: recursion that takes the same lock at every level",
    lesson: "a lock taken again by its holder must be reentrant (RLock)",
    variants: &[
        Variant {
            name: "broken",
            describe: "T1 and T2 each count down from 1, locking a plain Mutex at every level",
            expect: Some(FailureKind::Deadlock),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "the same recursion through a ReentrantLock",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

/// Recursion depth of each thread: levels 1 and 0, so two locks on the way down.
const DEPTH: u32 = 1;

/// The lock guards nothing here: the level below never gets it, so there is nothing to count.
fn plain(t: usize, lock: &Mutex<()>, level: u32) {
    trace::event(t, format!("asks for the lock (level {level})"));
    let _held = lock.lock();
    trace::event(t, format!("locks (level {level})"));
    if level > 0 {
        plain(t, lock, level - 1); // asks again while holding it
    }
}

fn reentrant(t: usize, lock: &ReentrantLock<Cell<u32>>, level: u32) {
    let calls = lock.lock();
    trace::event(
        t,
        format!("locks (level {level}, held {}x)", lock.hold_count()),
    );
    calls.set(calls.get() + 1);
    if level > 0 {
        reentrant(t, lock, level - 1);
    }
}

fn broken() {
    let lock = Arc::new(Mutex::new(()));
    let other = Arc::clone(&lock);
    let t2 = thread::spawn(move || plain(2, &other, DEPTH));
    plain(1, &lock, DEPTH);
    t2.join().unwrap();
}

fn fixed() {
    let lock = Arc::new(ReentrantLock::new(Cell::new(0)));
    let other = Arc::clone(&lock);
    let t2 = thread::spawn(move || reentrant(2, &other, DEPTH));
    reentrant(1, &lock, DEPTH);
    t2.join().unwrap();
    let calls = lock.lock().get();
    let expected = 2 * (DEPTH + 1);
    if calls != expected {
        panic!("{calls} calls counted, expected {expected}");
    }
}
