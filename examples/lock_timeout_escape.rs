//! 004 案例15 (锁的等待时间): `acquire(timeout=…)` breaks the lock-order deadlock of 案例14.
//!
//! The note names the case without its code; the classic program is 案例14's two threads
//! with `func_1`'s second acquire given a timeout: it prints `func_1 没得到 lock_2`, releases
//! `lock_1`, and so `func_2`, which waits without a timeout, gets `lock_1` and finishes.
//!
//! Here `func_1` uses [`verisync::Mutex::lock_timeout`] (50 ms) and `func_2` a plain `lock`;
//! a `Barrier` makes sure each holds its first lock before either asks for the second, so
//! `func_1` always gives up and `func_2` always finishes; short sleeps order the lines.
//!
//! ```text
//! cargo run --example lock_timeout_escape
//! ```

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;
use verisync::Mutex;

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("lock_timeout_escape is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    let (lock_1, lock_2) = (Arc::new(Mutex::new(())), Arc::new(Mutex::new(())));
    let (l1, l2) = (Arc::clone(&lock_1), Arc::clone(&lock_2));
    // Both hold their first lock before either asks for the second: the deadlock is certain.
    let both_hold = Arc::new(Barrier::new(2));
    let b1 = Arc::clone(&both_hold);
    let func_1 = thread::spawn(move || {
        let held = l1.lock();
        println!("func_1 申请了 lock_1....");
        b1.wait();
        println!("func_1 等待 lock_2.......");
        match l2.lock_timeout(Duration::from_millis(50)) {
            Some(_) => println!("func_1 得到 lock_2"),
            None => println!("func_1 没得到 lock_2, 释放 lock_1"),
        }
        drop(held);
    });
    thread::sleep(Duration::from_millis(10));
    let func_2 = thread::spawn(move || {
        let held = lock_2.lock();
        println!("func_2 申请了 lock_2....");
        both_hold.wait();
        thread::sleep(Duration::from_millis(10)); // func_1 asks first
        println!("func_2 等待 lock_1.......");
        let _both = lock_1.lock(); // no timeout: waits until func_1 gives up
        println!("func_2 得到了 lock_1");
        drop(held);
        println!("func_2 done..........");
    });
    func_1.join().unwrap();
    func_2.join().unwrap();
}
