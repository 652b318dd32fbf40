//! std behaviour and stress tests of `Account`.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::Duration;
use verisync::{Account, AccountError};

#[test]
fn deposit_and_withdraw_return_the_new_balance() {
    let a = Account::new(10);
    assert_eq!(a.deposit(5), Ok(15));
    assert_eq!(a.withdraw(15), Ok(0));
    assert_eq!(a.balance(), 0);
}

#[test]
fn overdraft_is_an_error_that_changes_nothing() {
    let a = Account::new(3);
    let err = a.withdraw(4).unwrap_err();
    assert_eq!(
        err,
        AccountError::Overdraft {
            balance: 3,
            requested: 4
        }
    );
    assert_eq!(
        err.to_string(),
        "overdraft: cannot take 4 from a balance of 3"
    );
    assert_eq!(a.balance(), 3);
}

#[test]
fn overflow_is_an_error_that_changes_nothing() {
    let a = Account::new(u64::MAX);
    let err = a.deposit(1).unwrap_err();
    assert_eq!(
        err,
        AccountError::Overflow {
            balance: u64::MAX,
            deposit: 1
        }
    );
    assert!(err.to_string().contains("overflow"));
    assert_eq!(a.balance(), u64::MAX);
    assert_eq!(a.deposit(0), Ok(u64::MAX));
}

#[test]
fn transfer_moves_money_or_nothing() {
    let (a, b) = (Account::new(10), Account::new(u64::MAX - 5));
    assert_eq!(
        Account::transfer(&a, &b, 6),
        Err(AccountError::Overflow {
            balance: u64::MAX - 5,
            deposit: 6
        })
    );
    assert_eq!((a.balance(), b.balance()), (10, u64::MAX - 5));
    assert_eq!(
        Account::transfer(&a, &b, 11),
        Err(AccountError::Overdraft {
            balance: 10,
            requested: 11
        })
    );
    Account::transfer(&a, &b, 5).unwrap();
    assert_eq!((a.balance(), b.balance()), (5, u64::MAX));
    // Both directions, whatever the accounts' addresses.
    Account::transfer(&b, &a, 5).unwrap();
    assert_eq!((a.balance(), b.balance()), (10, u64::MAX - 5));
}

#[test]
fn transfer_to_self_checks_funds_and_changes_nothing() {
    let a = Account::new(7);
    assert_eq!(Account::transfer(&a, &a, 7), Ok(()));
    assert_eq!(a.balance(), 7);
    assert_eq!(
        Account::transfer(&a, &a, 8),
        Err(AccountError::Overdraft {
            balance: 7,
            requested: 8
        })
    );
    assert_eq!(a.balance(), 7);
}

#[test]
fn debug_and_default() {
    assert_eq!(Account::default().balance(), 0);
    assert_eq!(format!("{:?}", Account::new(4)), "Account { balance: 4 }");
}

/// The notes' AddMoneyThread with real threads: 10 depositors (and many more deposits each),
/// no update is lost.
#[test]
fn ten_depositors_lose_nothing() {
    let acct = Arc::new(Account::new(0));
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let acct = Arc::clone(&acct);
            thread::spawn(move || {
                for _ in 0..10_000 {
                    acct.deposit(1).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(acct.balance(), 100_000);
}

/// Many threads, mixed deposits, withdrawals and transfers in both directions between four
/// accounts (self-transfers included): no deadlock, and money is conserved exactly.
#[test]
fn stress_mixed_operations_conserve_money() {
    const THREADS: u64 = 8;
    const OPS: u64 = 20_000;
    let accounts: Arc<Vec<Account>> = Arc::new((0..4).map(|_| Account::new(1_000)).collect());
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let accounts = Arc::clone(&accounts);
            thread::spawn(move || {
                // Net effect of this thread's deposits and withdrawals.
                let mut net: i64 = 0;
                let mut x = t.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                for _ in 0..OPS {
                    // xorshift: cheap, deterministic per thread.
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let (i, j, n) = ((x % 4) as usize, ((x >> 8) % 4) as usize, (x >> 16) % 50);
                    match (x >> 40) % 3 {
                        0 => {
                            accounts[i].deposit(n).unwrap();
                            net += n as i64;
                        }
                        1 => {
                            if accounts[i].withdraw(n).is_ok() {
                                net -= n as i64;
                            }
                        }
                        _ => {
                            let _ = Account::transfer(&accounts[i], &accounts[j], n);
                        }
                    }
                }
                net
            })
        })
        .collect();
    let net: i64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let total: u64 = accounts.iter().map(Account::balance).sum();
    assert_eq!(total as i64, 4_000 + net);
}

/// 004 案例14 on real threads: two threads transferring between the same two accounts in
/// opposite directions at once never deadlock, because `transfer` takes the two locks in one
/// global order. (Taking `from` first deadlocks here within a few thousand transfers; only the
/// loom model checked this before.)
#[test]
fn opposite_transfers_at_once_never_deadlock() {
    const TRANSFERS: u64 = 200_000;
    let a = Arc::new(Account::new(TRANSFERS));
    let b = Arc::new(Account::new(TRANSFERS));
    let start = Arc::new(Barrier::new(2));
    let (done, finished) = mpsc::channel();
    for (from, to) in [(a.clone(), b.clone()), (b.clone(), a.clone())] {
        let (start, done) = (start.clone(), done.clone());
        // Detached: a deadlocked pair must fail the test below, not hang it.
        thread::spawn(move || {
            start.wait();
            for _ in 0..TRANSFERS {
                Account::transfer(&from, &to, 1).unwrap();
            }
            let _ = done.send(());
        });
    }
    for _ in 0..2 {
        finished
            .recv_timeout(Duration::from_secs(10))
            .expect("opposite transfers deadlocked: each holds the lock the other needs");
    }
    assert_eq!(a.balance() + b.balance(), 2 * TRANSFERS);
}
