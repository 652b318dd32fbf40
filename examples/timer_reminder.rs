//! 004 案例17 (threading.Timer): run a function once, on its own thread, after a delay.
//!
//! The note names the case without its code; the classic program starts
//! `threading.Timer(6, func)`, where `func` prints `I am running.........`, sleeps 4 s and
//! prints `I am done......`, while the main thread prints `0***************`, `1***…` every
//! 3 s (for ever).
//!
//! Here [`verisync::Timer`] fires after 125 ms, `func` sleeps 50 ms, and the main thread
//! ticks every 50 ms, five times, so the lines interleave as in Python and the program ends;
//! a second timer is cancelled before it fires (`cancel()` is `true`, `join()` gives `None`).
//!
//! ```text
//! cargo run --example timer_reminder
//! ```

use std::thread;
use std::time::{Duration, Instant};
use verisync::Timer;

fn func() {
    println!("I am running.........");
    thread::sleep(Duration::from_millis(50));
    println!("I am done......");
}

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("timer_reminder is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    let start = Instant::now();
    let t = Timer::start(Duration::from_millis(125), func);
    for i in 0..5 {
        println!("{i}***************");
        // Tick at 50 ms, 100 ms, … from the start, so a late wake-up does not add up.
        let next = start + Duration::from_millis(50 * (i + 1));
        thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    t.join().unwrap();

    let late = Timer::start(Duration::from_millis(100), func);
    println!("cancel() = {}", late.cancel());
    println!("join() = {:?}", late.join().unwrap());
}
