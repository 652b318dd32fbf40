//! 004 案例16 (semaphore): at most three threads use the resource at once.
//!
//! The note names the case without its code; the classic program makes a
//! `threading.Semaphore(3)` and starts eight threads that each print `Thread-N get
//! semaphore`, sleep, release and print `Thread-N release semaphore`.
//!
//! Here [`verisync::Semaphore`] with 3 permits; each thread holds its permit 30 ms. Which
//! threads get in first varies from run to run, as in Python; the last line, the most
//! holders seen at once, is always 3.
//!
//! ```text
//! cargo run --example semaphore_limit
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;
use verisync::Semaphore;

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("semaphore_limit is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    let semaphore = Arc::new(Semaphore::new(3));
    let (inside, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let threads: Vec<_> = (1..=8)
        .map(|i| {
            let (semaphore, inside, most) = (semaphore.clone(), inside.clone(), most.clone());
            thread::spawn(move || {
                let permit = semaphore.acquire();
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                println!("Thread-{i} get semaphore");
                thread::sleep(Duration::from_millis(30));
                inside.fetch_sub(1, Ordering::SeqCst);
                drop(permit);
                println!("Thread-{i} release semaphore");
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    println!(
        "同时持有信号量的线程最多 {} 个",
        most.load(Ordering::SeqCst)
    );
}
