//! `self-transfer` — a transfer that locks the source and then the destination deadlocks on
//! `transfer(a, a, n)`: the second lock is the one it already holds (004 案例18's self-deadlock,
//! met through a bank). [`Account::transfer`](crate::Account::transfer) takes one lock when both
//! sides are the same account.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::{thread, Arc};
use crate::{Account, Mutex};

pub(super) const CASE: Case = Case {
    name: "self-transfer",
    notes: "004 案例14/18: a lock taken twice by its holder",
    lesson: "a transfer must notice that both sides are the same account",
    variants: &[
        Variant {
            name: "broken",
            describe: "T1 transfers a -> a, T2 transfers a -> b; both lock source then destination",
            expect: Some(FailureKind::Deadlock),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "the same transfers through Account::transfer",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

fn naive_transfer(t: usize, from: (&str, &Mutex<u64>), to: (&str, &Mutex<u64>), n: u64) {
    let mut src = from.1.lock();
    trace::event(t, format!("locks {}", from.0));
    trace::event(t, format!("asks for {}", to.0));
    let mut dst = to.1.lock();
    trace::event(t, format!("locks {}", to.0));
    *src -= n;
    *dst += n;
}

fn broken() {
    let accounts = Arc::new((Mutex::new(10), Mutex::new(10)));
    let acc = Arc::clone(&accounts);
    let t2 = thread::spawn(move || naive_transfer(2, ("a", &acc.0), ("b", &acc.1), 1));
    naive_transfer(1, ("a", &accounts.0), ("a", &accounts.0), 1);
    t2.join().unwrap();
}

fn fixed() {
    let accounts = Arc::new((Account::new(10), Account::new(10)));
    let acc = Arc::clone(&accounts);
    let t2 = thread::spawn(move || {
        Account::transfer(&acc.0, &acc.1, 1).unwrap();
        trace::event(2, "transfers a -> b");
    });
    Account::transfer(&accounts.0, &accounts.0, 1).unwrap();
    trace::event(1, "transfers a -> a");
    t2.join().unwrap();
    let total = accounts.0.balance() + accounts.1.balance();
    if total != 20 {
        panic!("total {total}, expected 20");
    }
}
