//! 001, 示例「多线程,同时访问一个变量出现错误」and its fix with a lock: `AddMoneyThread`.
//!
//! The Python starts ten threads that each deposit 1元 into one `Account` whose `deposit`
//! reads the balance, sleeps 0.01 s, then writes the sum back: every thread reads 0, so the
//! note prints `账户余额为：1元`. With a `Lock` around the read-sleep-write it prints `10元`.
//!
//! Here the broken account is a plain `AtomicU64` with a separate load and store (a sleep of
//! 10 ms between them, as in the note); the fixed one is [`verisync::Account`], whose
//! `deposit` is one critical section. The first balance **may vary** from run to run (it is a
//! race: usually 1, anything from 1 to 10 is possible); the second is always 10.
//!
//! ```text
//! cargo run --example add_money_thread
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use verisync::Account;

/// Ten threads run `deposit(1)` each; returns when all have finished.
fn ten_deposits(deposit: impl Fn() + Send + Sync + 'static) {
    let deposit = Arc::new(deposit);
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let deposit = Arc::clone(&deposit);
            thread::spawn(move || deposit())
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("add_money_thread is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    let start = Instant::now();
    // Without a lock: read, sleep, write back (the note's first program).
    let unlocked = Arc::new(AtomicU64::new(0));
    let account = Arc::clone(&unlocked);
    ten_deposits(move || {
        let new_balance = account.load(Ordering::SeqCst) + 1;
        thread::sleep(Duration::from_millis(10));
        account.store(new_balance, Ordering::SeqCst);
    });
    println!("账户余额为：{}元", unlocked.load(Ordering::SeqCst));
    println!("耗时为:{}", start.elapsed().as_secs());

    // With the lock: verisync::Account::deposit reads and writes in one critical section.
    let start = Instant::now();
    let locked = Arc::new(Account::new(0));
    let account = Arc::clone(&locked);
    ten_deposits(move || {
        account.deposit(1).unwrap();
    });
    println!("账户余额为：{}元", locked.balance());
    println!("耗时为:{}", start.elapsed().as_secs());
}
