//! 004 案例18 (可重入锁): a lock that one thread may take again, for recursive calls.
//!
//! The note names the case without its code; the classic program takes a
//! `threading.RLock()` in a function that calls itself (a plain `Lock` would wait for itself
//! for ever), and has several threads do so.
//!
//! Here [`verisync::ReentrantLock`] guards a counter (a `Cell`, since the guard gives `&T`):
//! the main thread recurses three levels deep and prints the hold count at each, then five
//! threads each recurse three levels; the final count is 3 + 5 × 3 = 18.
//!
//! ```text
//! cargo run --example reentrant_lock
//! ```

use std::cell::Cell;
use std::sync::Arc;
use std::thread;
use verisync::ReentrantLock;

/// Takes the lock at every level: `levels` nested holds by one thread.
fn recurse(lock: &ReentrantLock<Cell<u32>>, levels: u32, print: bool) {
    let guard = lock.lock();
    guard.set(guard.get() + 1);
    if print {
        println!("第 {levels} 层: hold_count = {}", lock.hold_count());
    }
    if levels > 1 {
        recurse(lock, levels - 1, print);
    }
}

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("reentrant_lock is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    let lock = Arc::new(ReentrantLock::new(Cell::new(0)));
    recurse(&lock, 3, true);
    println!("释放后 hold_count = {}", lock.hold_count());
    let threads: Vec<_> = (0..5)
        .map(|_| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || recurse(&lock, 3, false))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    println!("五个线程各递归 3 层, 计数 = {}", lock.lock().get());
}
