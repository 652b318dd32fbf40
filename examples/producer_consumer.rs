//! 000, 「使用队列实现进程间通信」: a producer puts 0..9 into a queue, a consumer gets them.
//!
//! The Python's `write` puts `i`, prints `插入 %d` and sleeps 0.5 s, ten times; `read` loops
//! `while True: print("弹出 %d" % q.get())`, so it never ends and `p2.join()` hangs (the
//! casebook's `missing-sentinel`).
//!
//! Here two threads share a [`verisync::BoundedQueue`]; the producer sleeps 50 ms and, when
//! done, calls `close()`, so the consumer's `for i in &*q` ends and the program finishes. The
//! producer prints `插入 i` just *before* its put (the Python prints after, a race with the
//! consumer's `弹出 i`), so the lines alternate (unless the reader is kept off a CPU for
//! 50 ms).
//!
//! ```text
//! cargo run --example producer_consumer
//! ```

use std::sync::Arc;
use std::thread;
use std::time::Duration;
use verisync::BoundedQueue;

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("producer_consumer is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    let q = Arc::new(BoundedQueue::new(10));
    let (wq, rq) = (Arc::clone(&q), Arc::clone(&q));
    let write = thread::spawn(move || {
        for i in 0..10 {
            println!("插入 {i}");
            wq.put(i).unwrap();
            thread::sleep(Duration::from_millis(50));
        }
        wq.close(); // instead of a sentinel: the reader ends once it has drained the queue
    });
    let read = thread::spawn(move || {
        for i in &*rq {
            println!("弹出 {i}");
        }
    });
    write.join().unwrap();
    read.join().unwrap();
}
