//! 000, 7. 「ThreadLocal实现线程之间数据私有化」: one `local` object, a private `num` per thread.
//!
//! The Python makes `local = threading.local()` and three threads run `add_num(num, times)`:
//! `local.num = num`, then `times` increments, then print
//! `线程名称：Thread-N | 数字结果：%d`; the results are 100100, 0 and 100000, since no thread
//! sees another's `num`.
//!
//! Here one shared [`verisync::ThreadLocal`] holds a `Cell<i64>` per thread. Each thread
//! returns its line and the main thread prints them in thread order (the Python prints from
//! the threads, in whatever order they finish).
//!
//! ```text
//! cargo run --example thread_local_num
//! ```

use std::cell::Cell;
use std::sync::Arc;
use std::thread;
use verisync::ThreadLocal;

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("thread_local_num is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    let local = Arc::new(ThreadLocal::<Cell<i64>>::new()); // 创建ThreadLocal对象
    let threads: Vec<_> = [(100, 100000), (-100000, 100000), (50000, 50000)]
        .into_iter()
        .enumerate()
        .map(|(i, (num, times))| {
            let local = Arc::clone(&local);
            let name = format!("Thread-{}", i + 1);
            thread::Builder::new()
                .name(name)
                .spawn(move || {
                    let num_here = local.get_or(|| Cell::new(0));
                    num_here.set(num); // local.num = num
                    for _ in 0..times {
                        num_here.set(num_here.get() + 1);
                    }
                    let name = thread::current().name().unwrap().to_owned();
                    format!("线程名称：{name} | 数字结果：{}", num_here.get())
                })
                .unwrap()
        })
        .collect();
    for thread in threads {
        println!("{}", thread.join().unwrap());
    }
}
