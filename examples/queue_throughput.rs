//! A quick throughput check of [`verisync::BoundedQueue`] beside `crossbeam_channel::bounded`,
//! in the same process: SPSC and 4 producers × 4 consumers, capacity 1024, `u64` items.
//!
//! ```text
//! cargo run --release --example queue_throughput
//! ```
//!
//! Each run lasts about `RUN`: producers put as fast as they can until the deadline, then the
//! queue is closed (the channel's senders dropped) and the consumers drain it. The rate is the
//! number of items got over the time until the last consumer finished; each shape runs
//! `ROUNDS` times per queue, alternating, and the median is printed with the ratio
//! ours / crossbeam's. A quick look, not a benchmark suite: on a shared 2-core machine the
//! ratios are what matters, and the 4×4 shape is mostly a measure of contention and of the
//! scheduler.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use verisync::BoundedQueue;

const CAPACITY: usize = 1024;
const RUN: Duration = Duration::from_millis(400);
const ROUNDS: usize = 5;

/// Items got and the seconds it took; the sum is checked against what was put.
struct Outcome {
    items: u64,
    secs: f64,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.items as f64 / self.secs
    }
}

/// Producers put `0, 1, 2, …` until `deadline`, checking the clock every 256 items; returns
/// how many each put and their sum.
fn produce(deadline: Instant, mut put: impl FnMut(u64)) -> (u64, u64) {
    let (mut n, mut sum) = (0u64, 0u64);
    while Instant::now() < deadline {
        for _ in 0..256 {
            put(n);
            sum = sum.wrapping_add(n);
            n += 1;
        }
    }
    (n, sum)
}

fn ours(producers: usize, consumers: usize) -> Outcome {
    let q = Arc::new(BoundedQueue::new(CAPACITY));
    let start = Instant::now();
    let deadline = start + RUN;
    let ps: Vec<_> = (0..producers)
        .map(|_| {
            let q = Arc::clone(&q);
            thread::spawn(move || produce(deadline, |i| q.put(i).unwrap()))
        })
        .collect();
    let cs: Vec<_> = (0..consumers)
        .map(|_| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                q.iter()
                    .fold((0u64, 0u64), |(n, s), i| (n + 1, s.wrapping_add(i)))
            })
        })
        .collect();
    let put = ps.into_iter().map(|p| p.join().unwrap()).fold((0, 0), add);
    q.close();
    let got = cs.into_iter().map(|c| c.join().unwrap()).fold((0, 0), add);
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(put, got, "items lost or duplicated");
    Outcome { items: got.0, secs }
}

fn crossbeam(producers: usize, consumers: usize) -> Outcome {
    let (tx, rx) = crossbeam_channel::bounded(CAPACITY);
    let start = Instant::now();
    let deadline = start + RUN;
    let ps: Vec<_> = (0..producers)
        .map(|_| {
            let tx = tx.clone();
            thread::spawn(move || produce(deadline, |i| tx.send(i).unwrap()))
        })
        .collect();
    drop(tx);
    let cs: Vec<_> = (0..consumers)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || {
                rx.iter()
                    .fold((0u64, 0u64), |(n, s), i| (n + 1, s.wrapping_add(i)))
            })
        })
        .collect();
    drop(rx);
    let put = ps.into_iter().map(|p| p.join().unwrap()).fold((0, 0), add);
    let got = cs.into_iter().map(|c| c.join().unwrap()).fold((0, 0), add);
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(put, got, "items lost or duplicated");
    Outcome { items: got.0, secs }
}

fn add(a: (u64, u64), b: (u64, u64)) -> (u64, u64) {
    (a.0 + b.0, a.1.wrapping_add(b.1))
}

fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("queue_throughput measures the std build: run it without --cfg loom or --features shuttle");
        return;
    }
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "BoundedQueue vs crossbeam_channel::bounded, capacity {CAPACITY}, {ROUNDS} rounds of ~{RUN:?}, {cores} core(s)"
    );
    for (name, p, c) in [("SPSC", 1, 1), ("MPMC 4x4", 4, 4)] {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            a.push(ours(p, c).rate());
            b.push(crossbeam(p, c).rate());
        }
        let (a, b) = (median(a), median(b));
        println!(
            "{name:<9} BoundedQueue {:>7.2} M items/s | crossbeam {:>7.2} M items/s | ratio {:.2}",
            a / 1e6,
            b / 1e6,
            a / b
        );
    }
}
