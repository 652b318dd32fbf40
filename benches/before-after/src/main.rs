//! verisync now (`new`) beside verisync at an earlier commit (`old`, see `run`) and the peers,
//! in one process: each group's implementations run in alternating order, ROUNDS times; the
//! time per operation is the median [min..max], and "speed" is how many times faster `new` is
//! (> 1: `new` faster), from the medians and (per-round) from each round's pair.
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

const ROUNDS: usize = 15;

fn time(n: u64, f: &mut dyn FnMut(u64)) -> f64 {
    let t = Instant::now();
    f(n);
    t.elapsed().as_nanos() as f64 / n as f64
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn group(name: &str, n: u64, mut impls: Vec<(&str, Box<dyn FnMut(u64)>)>) {
    let mut res: Vec<Vec<f64>> = vec![vec![]; impls.len()];
    for (_, f) in impls.iter_mut() {
        time(n / 4, f); // warm-up
    }
    for r in 0..ROUNDS {
        let k = impls.len();
        for j in 0..k {
            let i = if r % 2 == 0 { j } else { k - 1 - j };
            let t = time(n, &mut impls[i].1);
            res[i].push(t);
        }
    }
    let base = stats(res[0].clone()).0;
    for (i, (label, _)) in impls.iter().enumerate() {
        let (m, lo, hi) = stats(res[i].clone());
        // per-round ratio of impl 0 (ours, new) over this impl: > 1 = ours faster
        let ratios: Vec<f64> = (0..ROUNDS).map(|r| res[i][r] / res[0][r]).collect();
        let (rm, rlo, rhi) = stats(ratios);
        println!(
            "{name:<22} {label:<14} {m:8.2} ns [{lo:6.2}..{hi:6.2}]  new/this speed {:.2} (per-round {rm:.2} [{rlo:.2}..{rhi:.2}])",
            m / base
        );
    }
}

fn two_threads(n: u64, f: Arc<dyn Fn() + Send + Sync>) {
    let per = n / 2;
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let f = f.clone();
            std::thread::spawn(move || {
                for _ in 0..per {
                    f()
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
}

macro_rules! t2 {
    ($e:expr, $body:expr) => {{
        let m = Arc::new($e);
        Box::new(move |n| {
            let m = m.clone();
            two_threads(n, Arc::new(move || $body(&*m)))
        }) as Box<dyn FnMut(u64)>
    }};
}

fn main() {
    let n = 20_000_000;
    let which: Vec<String> = std::env::args().skip(1).collect();
    let on = |g: &str| which.is_empty() || which.iter().any(|w| g.starts_with(w.as_str()));
    if on("mutex_t1") {
        let a = new::Mutex::new(0u64);
        let b = old::Mutex::new(0u64);
        let c = parking_lot::Mutex::new(0u64);
        let d = std::sync::Mutex::new(0u64);
        group(
            "mutex_t1",
            n,
            vec![
                (
                    "new",
                    Box::new(move |n| {
                        for _ in 0..n {
                            *black_box(&a).lock() += 1
                        }
                    }),
                ),
                (
                    "old",
                    Box::new(move |n| {
                        for _ in 0..n {
                            *black_box(&b).lock() += 1
                        }
                    }),
                ),
                (
                    "parking_lot",
                    Box::new(move |n| {
                        for _ in 0..n {
                            *black_box(&c).lock() += 1
                        }
                    }),
                ),
                (
                    "std",
                    Box::new(move |n| {
                        for _ in 0..n {
                            *black_box(&d).lock().unwrap() += 1
                        }
                    }),
                ),
            ],
        );
    }
    if on("mutex_t2") {
        let n = 4_000_000;
        group(
            "mutex_t2",
            n,
            vec![
                (
                    "new",
                    t2!(new::Mutex::new(0u64), |m: &new::Mutex<u64>| *m.lock() += 1),
                ),
                (
                    "old",
                    t2!(old::Mutex::new(0u64), |m: &old::Mutex<u64>| *m.lock() += 1),
                ),
                (
                    "parking_lot",
                    t2!(parking_lot::Mutex::new(0u64), |m: &parking_lot::Mutex<
                        u64,
                    >| *m
                        .lock() +=
                        1),
                ),
                (
                    "std",
                    t2!(std::sync::Mutex::new(0u64), |m: &std::sync::Mutex<u64>| {
                        *m.lock().unwrap() += 1
                    }),
                ),
            ],
        );
    }
    if on("reentrant_t1") {
        let a = new::ReentrantLock::new(0u64);
        let b = old::ReentrantLock::new(0u64);
        let c = parking_lot::ReentrantMutex::new(0u64);
        group(
            "reentrant_t1",
            n,
            vec![
                (
                    "new",
                    Box::new(move |n| {
                        for _ in 0..n {
                            black_box(*black_box(&a).lock());
                        }
                    }),
                ),
                (
                    "old",
                    Box::new(move |n| {
                        for _ in 0..n {
                            black_box(*black_box(&b).lock());
                        }
                    }),
                ),
                (
                    "parking_lot",
                    Box::new(move |n| {
                        for _ in 0..n {
                            black_box(*black_box(&c).lock());
                        }
                    }),
                ),
            ],
        );
    }
    if on("reenter") {
        let a = new::ReentrantLock::new(0u64);
        let b = old::ReentrantLock::new(0u64);
        let c = parking_lot::ReentrantMutex::new(0u64);
        group(
            "reenter",
            n,
            vec![
                (
                    "new",
                    Box::new(move |n| {
                        let _g = (a.lock(), a.lock());
                        for _ in 0..n {
                            black_box(*black_box(&a).lock());
                        }
                    }),
                ),
                (
                    "old",
                    Box::new(move |n| {
                        let _g = (b.lock(), b.lock());
                        for _ in 0..n {
                            black_box(*black_box(&b).lock());
                        }
                    }),
                ),
                (
                    "parking_lot",
                    Box::new(move |n| {
                        let _g = (c.lock(), c.lock());
                        for _ in 0..n {
                            black_box(*black_box(&c).lock());
                        }
                    }),
                ),
            ],
        );
    }
    if on("semaphore_t1") {
        let a = new::Semaphore::new(1);
        let b = old::Semaphore::new(1);
        group(
            "semaphore_t1",
            n,
            vec![
                (
                    "new",
                    Box::new(move |n| {
                        for _ in 0..n {
                            drop(black_box(black_box(&a).acquire()));
                        }
                    }),
                ),
                (
                    "old",
                    Box::new(move |n| {
                        for _ in 0..n {
                            drop(black_box(black_box(&b).acquire()));
                        }
                    }),
                ),
            ],
        );
    }
    if on("account_t1") {
        let a = new::Account::new(0);
        let b = old::Account::new(0);
        let c = std::sync::Mutex::new(0u64);
        group(
            "account_t1",
            n,
            vec![
                (
                    "new",
                    Box::new(move |n| {
                        for _ in 0..n {
                            black_box(black_box(&a).deposit(1).unwrap());
                        }
                    }),
                ),
                (
                    "old",
                    Box::new(move |n| {
                        for _ in 0..n {
                            black_box(black_box(&b).deposit(1).unwrap());
                        }
                    }),
                ),
                (
                    "std_mutex",
                    Box::new(move |n| {
                        for _ in 0..n {
                            let mut g = black_box(&c).lock().unwrap();
                            *g = g.checked_add(1).unwrap();
                            black_box(*g);
                        }
                    }),
                ),
            ],
        );
    }
    if on("jrt") {
        let a = new::JoinableQueue::new(1024);
        let b = old::JoinableQueue::new(1024);
        let c = new::BoundedQueue::new(1024);
        group(
            "joinable_roundtrip_t1",
            n,
            vec![
                (
                    "new_joinable",
                    Box::new(move |n| {
                        for i in 0..n {
                            a.put(i).unwrap();
                            black_box(a.get().unwrap());
                            a.task_done().unwrap();
                        }
                    }),
                ),
                (
                    "old_joinable",
                    Box::new(move |n| {
                        for i in 0..n {
                            b.put(i).unwrap();
                            black_box(b.get().unwrap());
                            b.task_done().unwrap();
                        }
                    }),
                ),
                (
                    "new_bounded",
                    Box::new(move |n| {
                        for i in 0..n {
                            c.put(i).unwrap();
                            black_box(c.get().unwrap());
                        }
                    }),
                ),
            ],
        );
    }
    if on("joinable") {
        // SPSC at capacity 1024: producer puts n items, consumer gets + task_done; then join.
        let n = 4_000_000;
        macro_rules! spsc {
            ($q:expr, $done:expr) => {{
                Box::new(move |n: u64| {
                    let q = Arc::new($q);
                    let c = {
                        let q = q.clone();
                        std::thread::spawn(move || {
                            for _ in 0..n {
                                black_box(q.get().unwrap());
                                $done(&*q);
                            }
                        })
                    };
                    for i in 0..n {
                        q.put(i).unwrap();
                    }
                    c.join().unwrap();
                }) as Box<dyn FnMut(u64)>
            }};
        }
        group(
            "joinable_spsc1024",
            n,
            vec![
                (
                    "new_joinable",
                    spsc!(new::JoinableQueue::new(1024), |q: &new::JoinableQueue<
                        u64,
                    >| q
                        .task_done()
                        .unwrap()),
                ),
                (
                    "old_joinable",
                    spsc!(old::JoinableQueue::new(1024), |q: &old::JoinableQueue<
                        u64,
                    >| q
                        .task_done()
                        .unwrap()),
                ),
                (
                    "new_bounded",
                    spsc!(new::BoundedQueue::new(1024), |_q: &new::BoundedQueue<
                        u64,
                    >| ()),
                ),
                // The cost of any consumer-side read-modify-write in this shape: a plain queue
                // whose consumer does one uncontended compare-exchange per item, and a joinable
                // queue whose consumer never calls task_done.
                (
                    "new_joinable_nodone",
                    spsc!(new::JoinableQueue::new(1024), |_q: &new::JoinableQueue<
                        u64,
                    >| ()),
                ),
                (
                    "new_bounded_cas",
                    spsc!(new::BoundedQueue::new(1024), |_q: &new::BoundedQueue<
                        u64,
                    >| {
                        static X: std::sync::atomic::AtomicU64 =
                            std::sync::atomic::AtomicU64::new(0);
                        let _ = X.fetch_update(
                            std::sync::atomic::Ordering::Release,
                            std::sync::atomic::Ordering::Acquire,
                            |x| Some(x + 1),
                        );
                    }),
                ),
            ],
        );
    }
}
