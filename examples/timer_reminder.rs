//! 004 案例17 (threading.Timer): run a function once, on its own thread, after a delay.
//!
//! The note names the case without its code; the classic program starts
//! `threading.Timer(6, func)`, where `func` prints `I am running.........`, sleeps 4 s and
//! prints `I am done......`, while the main thread prints `0***************`, `1***…` every
//! 3 s (for ever).
//!
//! Here [`verisync::Timer`] fires after 75 ms and the main thread ticks every 30 ms, five
//! times, so the lines interleave as in Python and the program ends; a second timer is
//! cancelled before it fires (`cancel()` is `true`, `join()` gives `None`).
//!
//! ```text
//! cargo run --example timer_reminder
//! ```

use std::thread;
use std::time::Duration;
use verisync::Timer;

fn func() {
    println!("I am running.........");
    thread::sleep(Duration::from_millis(30));
    println!("I am done......");
}

fn main() {
    let t = Timer::start(Duration::from_millis(75), func);
    for i in 0..5 {
        println!("{i}***************");
        thread::sleep(Duration::from_millis(30));
    }
    t.join().unwrap();

    let late = Timer::start(Duration::from_millis(100), func);
    println!("cancel() = {}", late.cancel());
    println!("join() = {:?}", late.join().unwrap());
}
