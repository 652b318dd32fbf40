//! `check-then-act` — 003's ticket seller: `if n > 0 { n -= 1 }` with the check and the act in
//! different critical sections lets two sellers both see the last ticket, and both sell it.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::{thread, Arc, Mutex};

pub(super) const CASE: Case = Case {
    name: "check-then-act",
    notes: "003 ticket selling (`n` tickets, ten buyers, `n = temp - 1`)",
    lesson: "the check and the act it guards must happen under one lock",
    variants: &[
        Variant {
            name: "broken",
            describe:
                "two sellers, one ticket: check `left > 0` under the lock, release, then sell",
            expect: Some(FailureKind::Panic),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "the same sellers hold the lock across the check and the sale",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

const TICKETS: i64 = 1;
const SELLERS: usize = 2;

fn sellers(sell: fn(usize, &Mutex<i64>) -> bool) {
    let left = Arc::new(Mutex::new(TICKETS));
    let handles: Vec<_> = (1..=SELLERS)
        .map(|t| {
            let left = Arc::clone(&left);
            thread::spawn(move || sell(t, &left))
        })
        .collect();
    let sold = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|&sold| sold)
        .count() as i64;
    let left = *left.lock();
    // Each sale takes one ticket: selling more than existed and a negative count are one fact.
    if sold > TICKETS {
        panic!("sold {sold} tickets, only {TICKETS} existed ({left} left)");
    }
}

fn broken() {
    sellers(|t, left| {
        let seen = *left.lock();
        trace::event(t, format!("sees {seen} left"));
        if seen <= 0 {
            return false;
        }
        let mut n = left.lock();
        *n -= 1;
        trace::event(t, format!("sells one ({} left)", *n));
        true
    })
}

fn fixed() {
    sellers(|t, left| {
        let mut n = left.lock();
        trace::event(t, format!("sees {} left", *n));
        if *n <= 0 {
            return false;
        }
        *n -= 1;
        trace::event(t, format!("sells one ({} left)", *n));
        true
    })
}
