//! `lost-update` — 001's `AddMoneyThread` (ten deposits of 1 end with a balance of 1) and 002's
//! `num += 1`: a read-modify-write split into a read and a write lets two threads read the same
//! old balance, and one deposit vanishes.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::atomic::{AtomicU64, Ordering};
use crate::sync::{thread, Arc};
use crate::Account;

pub(super) const CASE: Case = Case {
    name: "lost-update",
    notes: "001 AddMoneyThread (10 deposits of 1 end at 1); 002 `num += 1` without a lock",
    lesson: "a read-modify-write of shared state must be one critical section",
    variants: &[
        Variant {
            name: "broken",
            describe: "two threads deposit 1 each: read the balance, then write balance + 1",
            expect: Some(FailureKind::Panic),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "the same two deposits through Account::deposit",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

const DEPOSITORS: u64 = 2;

fn broken() {
    let balance = Arc::new(AtomicU64::new(0));
    let depositors: Vec<_> = (1..=DEPOSITORS as usize)
        .map(|t| {
            let balance = Arc::clone(&balance);
            thread::spawn(move || {
                // Relaxed: the bug is the gap between the read and the write, not their order.
                let seen = balance.load(Ordering::Relaxed);
                trace::event(t, format!("reads {seen}"));
                // Relaxed: as above; `seen + 1` cannot overflow from 0 with two depositors.
                balance.store(seen + 1, Ordering::Relaxed);
                trace::event(t, format!("writes {}", seen + 1));
            })
        })
        .collect();
    for d in depositors {
        d.join().unwrap();
    }
    // Relaxed: the joins above already ordered every write before this read.
    let got = balance.load(Ordering::Relaxed);
    if got != DEPOSITORS {
        panic!("balance {got}, expected {DEPOSITORS}");
    }
}

fn fixed() {
    let account = Arc::new(Account::new(0));
    let depositors: Vec<_> = (1..=DEPOSITORS as usize)
        .map(|t| {
            let account = Arc::clone(&account);
            thread::spawn(move || {
                let now = account.deposit(1).expect("no overflow from 0");
                trace::event(t, format!("deposits 1 (balance {now})"));
            })
        })
        .collect();
    for d in depositors {
        d.join().unwrap();
    }
    let got = account.balance();
    if got != DEPOSITORS {
        panic!("balance {got}, expected {DEPOSITORS}");
    }
}
