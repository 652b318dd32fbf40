//! 004 案例23–24 (队列中哨兵的使用, 哨兵的改进): telling consumers that the producer is done.
//!
//! The note names the cases without their code; the classic programs: 案例23 puts one `None`
//! after the data and the consumer stops when it gets it; 案例24, with several consumers,
//! must put one `None` *per consumer* (one sentinel stops only one of them; the others wait
//! for ever).
//!
//! Here 案例23 is a `BoundedQueue<Option<_>>` with `None` as the sentinel, and 案例24's
//! improvement is verisync's `close()`: no sentinel at all, however many consumers; each
//! `for item in &*q` ends once the queue is drained. Two consumers share the items, so which
//! one gets which varies; the totals printed are fixed.
//!
//! ```text
//! cargo run --example sentinel_vs_close
//! ```

use std::sync::Arc;
use std::thread;
use verisync::BoundedQueue;

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("sentinel_vs_close is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    // 案例23: one consumer, one sentinel.
    let q = Arc::new(BoundedQueue::new(8));
    let input_q = Arc::clone(&q);
    let consumer = thread::spawn(move || {
        while let Some(item) = input_q.get().unwrap() {
            println!("消费: {item}");
        }
        println!("收到哨兵 None, 消费者结束");
    });
    for item in [1, 2, 3, 4] {
        q.put(Some(item)).unwrap();
    }
    q.put(None).unwrap(); // 哨兵
    consumer.join().unwrap();

    // 案例24's improvement: close() ends every consumer, with no sentinel per consumer.
    let q = Arc::new(BoundedQueue::new(8));
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let q = Arc::clone(&q);
            thread::spawn(move || (&*q).into_iter().collect::<Vec<i32>>())
        })
        .collect();
    for item in 1..=6 {
        q.put(item).unwrap();
    }
    q.close();
    let mut all: Vec<i32> = consumers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    all.sort();
    println!("close() 之后两个消费者都结束了, 共取出 {all:?}");
}
