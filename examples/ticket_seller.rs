//! 003, 多线程示例: ten threads buy movie tickets from a pool of 100 under one lock.
//!
//! The Python holds `mutex` while it copies `n` to `temp`, sleeps 0.5 s, and writes
//! `temp - 1` back, printing `购买成功，剩余 %d 张电影票` each time: 99 down to 90, in order,
//! because the whole check-and-sell is one critical section.
//!
//! Here the count lives inside a [`verisync::Mutex`], so it cannot be touched without the
//! lock; the sleep is 10 ms. The output is the note's, line for line.
//!
//! ```text
//! cargo run --example ticket_seller
//! ```

use std::sync::Arc;
use std::thread;
use std::time::Duration;
use verisync::Mutex;

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("ticket_seller is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    let n = Arc::new(Mutex::new(100u32)); // 共 100 张电影票
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let n = Arc::clone(&n);
            thread::spawn(move || {
                let mut n = n.lock(); // 上锁
                let temp = *n; // 赋值给临时变量
                thread::sleep(Duration::from_millis(10));
                *n = temp - 1; // 数量减 1
                println!("购买成功，剩余 {} 张电影票", *n);
            }) // 释放锁: the guard drops here
        })
        .collect();
    for th in threads {
        th.join().unwrap();
    }
}
