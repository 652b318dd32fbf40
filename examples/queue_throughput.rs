//! A side-by-side throughput check of [`verisync::BoundedQueue`] and [`verisync::JoinableQueue`]
//! beside `crossbeam_channel::bounded` and its fair `JoinableQueue` peer (the channel plus an
//! atomic task counter and a condvar for `join`), in one process: SPSC, MPSC 4×1 and MPMC 4×4,
//! capacity 1024, `u64` items.
//!
//! ```text
//! cargo run --release --example queue_throughput                # 7 rounds of ~300 ms
//! cargo run --release --example queue_throughput -- 9 500       # rounds, milliseconds a run
//! ```
//!
//! Each run lasts about the given time: producers put as fast as they can until the deadline;
//! then a joinable queue's producer side `join`s (so the count and a parked joiner are part of
//! the run), the queue is closed (the channel's senders dropped) and the consumers drain it.
//! The rate is the number of items got over the time until the last consumer finished. Every
//! round runs each queue once, in the opposite order from the round before; per round the
//! ratios are taken, and the median ratio is printed with its min–max over the rounds, with
//! the load average before and after. On a shared 2-core machine the ratios are what matters.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use verisync::{BoundedQueue, JoinableQueue};

const CAPACITY: usize = 1024;

/// The queues under test.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Bounded,
    Joinable,
    Crossbeam,
    CrossbeamTasks,
}

const KINDS: [Kind; 4] = [
    Kind::Bounded,
    Kind::Joinable,
    Kind::Crossbeam,
    Kind::CrossbeamTasks,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Bounded => "BoundedQueue",
            Kind::Joinable => "JoinableQueue",
            Kind::Crossbeam => "crossbeam",
            Kind::CrossbeamTasks => "crossbeam+tasks",
        }
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

fn add(a: (u64, u64), b: (u64, u64)) -> (u64, u64) {
    (a.0 + b.0, a.1.wrapping_add(b.1))
}

/// The fair peer of `JoinableQueue`: a crossbeam channel, an atomic count of unfinished tasks,
/// and a condvar that `join` sleeps on, notified by the `task_done` that reaches zero while
/// somebody joins: the way most code adds `task_done`/`join` to a channel.
struct Tasks {
    unfinished: AtomicUsize,
    joiners: Mutex<usize>,
    all_done: Condvar,
}

impl Tasks {
    fn new() -> Self {
        Tasks {
            unfinished: AtomicUsize::new(0),
            joiners: Mutex::new(0),
            all_done: Condvar::new(),
        }
    }

    fn put(&self) {
        // Relaxed: counted before the send, which publishes the item.
        self.unfinished.fetch_add(1, Ordering::Relaxed);
    }

    fn task_done(&self) {
        // AcqRel: the work before happens-before a join that sees zero.
        if self.unfinished.fetch_sub(1, Ordering::AcqRel) == 1 {
            let joiners = self.joiners.lock().unwrap();
            if *joiners > 0 {
                self.all_done.notify_all();
            }
        }
    }

    fn join(&self) {
        let mut joiners = self.joiners.lock().unwrap();
        *joiners += 1;
        // Acquire: pairs with task_done's release.
        joiners = self
            .all_done
            .wait_while(joiners, |_| self.unfinished.load(Ordering::Acquire) > 0)
            .unwrap();
        *joiners -= 1;
    }
}

/// Moves items through a fresh `kind` for about `run`; returns items got per second.
fn rate(kind: Kind, producers: usize, consumers: usize, run: Duration) -> f64 {
    let start = Instant::now();
    let deadline = start + run;
    let fold = |(n, s): (u64, u64), i: u64| (n + 1, s.wrapping_add(i));
    let (put, got) = match kind {
        Kind::Bounded | Kind::Joinable => {
            let q = Arc::new(JoinableQueue::new(CAPACITY));
            let joinable = kind == Kind::Joinable;
            let plain = Arc::new(BoundedQueue::new(CAPACITY));
            let cs: Vec<_> = (0..consumers)
                .map(|_| {
                    let (q, plain) = (Arc::clone(&q), Arc::clone(&plain));
                    thread::spawn(move || {
                        if joinable {
                            q.iter().fold((0, 0), |acc, i| {
                                q.task_done().unwrap();
                                fold(acc, i)
                            })
                        } else {
                            plain.iter().fold((0, 0), fold)
                        }
                    })
                })
                .collect();
            let ps: Vec<_> = (0..producers)
                .map(|_| {
                    let (q, plain) = (Arc::clone(&q), Arc::clone(&plain));
                    thread::spawn(move || {
                        produce(deadline, |i| match joinable {
                            true => q.put(i).unwrap(),
                            false => plain.put(i).unwrap(),
                        })
                    })
                })
                .collect();
            let put = ps.into_iter().map(|p| p.join().unwrap()).fold((0, 0), add);
            if joinable {
                q.join();
                assert_eq!(q.unfinished(), 0);
            }
            q.close();
            plain.close();
            let got = cs.into_iter().map(|c| c.join().unwrap()).fold((0, 0), add);
            (put, got)
        }
        Kind::Crossbeam | Kind::CrossbeamTasks => {
            let (tx, rx) = crossbeam_channel::bounded(CAPACITY);
            let tasks = Arc::new(Tasks::new());
            let counted = kind == Kind::CrossbeamTasks;
            let cs: Vec<_> = (0..consumers)
                .map(|_| {
                    let (rx, tasks) = (rx.clone(), Arc::clone(&tasks));
                    thread::spawn(move || {
                        rx.iter().fold((0, 0), |acc, i| {
                            if counted {
                                tasks.task_done();
                            }
                            fold(acc, i)
                        })
                    })
                })
                .collect();
            drop(rx);
            let ps: Vec<_> = (0..producers)
                .map(|_| {
                    let (tx, tasks) = (tx.clone(), Arc::clone(&tasks));
                    thread::spawn(move || {
                        produce(deadline, |i| {
                            if counted {
                                tasks.put();
                            }
                            tx.send(i).unwrap()
                        })
                    })
                })
                .collect();
            let put = ps.into_iter().map(|p| p.join().unwrap()).fold((0, 0), add);
            if counted {
                tasks.join();
            }
            drop(tx);
            let got = cs.into_iter().map(|c| c.join().unwrap()).fold((0, 0), add);
            (put, got)
        }
    };
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(put, got, "{kind:?}: items lost or duplicated");
    got.0 as f64 / secs
}

/// The median and the range of `xs`.
fn spread(mut xs: Vec<f64>) -> (f64, f64, f64) {
    xs.sort_by(f64::total_cmp);
    (xs[xs.len() / 2], xs[0], xs[xs.len() - 1])
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("queue_throughput measures the std build: run it without --cfg loom or --features shuttle");
        return;
    }
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().map_or(7, |a| a.parse().expect("rounds"));
    let run = Duration::from_millis(args.next().map_or(300, |a| a.parse().expect("ms")));
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "capacity {CAPACITY}, {rounds} alternating rounds of ~{run:?}, {cores} core(s); load average before: {}",
        load_average()
    );
    println!("ratio: median [min-max] over the rounds; rates: median M items/s");
    for (name, p, c) in [("SPSC", 1, 1), ("MPSC 4x1", 4, 1), ("MPMC 4x4", 4, 4)] {
        let mut rates = vec![Vec::new(); KINDS.len()];
        for round in 0..rounds {
            let mut order: Vec<usize> = (0..KINDS.len()).collect();
            if round % 2 == 1 {
                order.reverse();
            }
            for k in order {
                rates[k].push(rate(KINDS[k], p, c, run));
            }
        }
        let ratio = |a: usize, b: usize| {
            let r = (0..rounds).map(|i| rates[a][i] / rates[b][i]).collect();
            let (m, lo, hi) = spread(r);
            format!("{m:.2} [{lo:.2}-{hi:.2}]")
        };
        let medians: Vec<String> = KINDS
            .iter()
            .enumerate()
            .map(|(k, kind)| format!("{} {:.2}", kind.name(), spread(rates[k].clone()).0 / 1e6))
            .collect();
        println!("{name:<9} {}", medians.join(" | "));
        println!(
            "{:<9} Joinable/Bounded {} | Joinable/crossbeam+tasks {} | Bounded/crossbeam {}",
            "",
            ratio(1, 0),
            ratio(1, 3),
            ratio(0, 2)
        );
    }
    println!("load average after: {}", load_average());
}
