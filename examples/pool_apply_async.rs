//! 002, 「进程池」: `multiprocessing.Pool(processes=3)`, eight `apply_async` calls, then
//! `close()` before `join()`.
//!
//! The Python's `funcpro(msg)` prints `start HH i`, sleeps 3 s and prints `end HH i`; the pool
//! keeps three running at a time; `pool.close()` then `pool.join()`, then `结束`. The note
//! warns that `join` before `close` is an error (in fact it waits for ever).
//!
//! Here a [`verisync::ThreadPool`] of three workers and 30 ms tasks. `join()` on the open
//! pool is first shown to return `Err(Open)` instead of hanging; then `close()`, `join()`
//! and `结束`. The start/end lines interleave in an order that varies between runs, as the
//! Python's do; the `Err(Open)` line and `结束` (after every `end`) are fixed.
//!
//! ```text
//! cargo run --example pool_apply_async
//! ```

use std::thread;
use std::time::Duration;
use verisync::ThreadPool;

fn funcpro(msg: String) {
    println!("start {msg}");
    thread::sleep(Duration::from_millis(30));
    println!("end {msg}");
}

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("pool_apply_async is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    let pool = ThreadPool::new(3);
    println!("join() before close(): {:?}", pool.join());
    for i in 0..8 {
        let msg = format!("HH {i}");
        // apply_async: the Task handle is not needed, the pool runs it regardless.
        pool.submit(move || funcpro(msg)).unwrap();
    }
    pool.close(); // 进程池关闭后不在接收新的请求
    pool.join().unwrap(); // 调用join之前先调用close
    println!("结束");
}
