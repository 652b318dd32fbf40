//! 004 案例22 (生产者消费者模型, JoinableQueue): the producer waits until every item is done.
//!
//! The note names the case without its code; the classic program starts a daemon consumer
//! process that loops `item = q.get(); print(item); q.task_done()`, puts `[1, 2, 3, 4]` from
//! the main process and calls `q.join()`, which returns once the consumer has called
//! `task_done` for all four: it prints `1 2 3 4`, then the main process goes on.
//!
//! Here a [`verisync::JoinableQueue`] and a consumer thread; `join()` returns exactly when
//! every item put is done. Instead of a daemon left running, the queue is then closed and the
//! consumer's `for item in &*q` loop ends.
//!
//! ```text
//! cargo run --example joinable_queue_workers
//! ```

use std::sync::Arc;
use std::thread;
use verisync::JoinableQueue;

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("joinable_queue_workers is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    let q = Arc::new(JoinableQueue::new(4));
    let input_q = Arc::clone(&q);
    let consumer = thread::spawn(move || {
        for item in &*input_q {
            println!("{item}");
            input_q.task_done().unwrap();
        }
        println!("消费者: 队列已关闭, 退出");
    });

    for item in [1, 2, 3, 4] {
        q.put(item).unwrap();
    }
    q.join(); // every item put has had its task_done
    println!("q.join() 返回: 四个产品都已处理");
    q.close();
    consumer.join().unwrap();
}
