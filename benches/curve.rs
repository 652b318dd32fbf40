//! Contention curves: throughput (ops/s) of each verisync primitive and its peers at 1, 2, 4,
//! 8 and 16 threads, printed as a table and written as CSV. A self-contained executable with no
//! criterion: build it once (statically, if it is to travel) and run it on a machine with more
//! cores, no toolchain needed there. `BENCHMARKS.md` has the recipe.
//!
//! ```text
//! cargo bench --bench curve -- --threads 1,2        # here: 2 cores
//! cargo bench --bench curve -- --point-ms 500       # 1,2,4,8,16 threads, 0.5 s a point
//! cargo bench --bench curve -- --threads 1,2 --cap 1 queue   # rows named *queue*, capacity 1
//! ```
//!
//! Options: `--threads 1,2,4` (default `1,2,4,8,16`), `--point-ms N` (default 200: how long
//! each point runs), `--cap N` (queue capacity, default 1024), `--out PATH` (default
//! `bench-out/curve.csv`), `--quick` (threads 1,2 and 20 ms points: a smoke run); a bare word
//! keeps only the rows whose `primitive/impl` contains it. Invoked by `cargo bench` (which
//! passes criterion-style `--bench`) without `--threads` or `--point-ms`, it runs `--quick`,
//! so that a plain `cargo bench` stays short; other `-`-flags (criterion's) are ignored.
//!
//! Each point starts `threads` threads together and lets them run for the point's time, then
//! counts the operations done (for a queue: the items got, after the producers stopped and the
//! consumers drained) over the time until the last thread finished. The shapes:
//!
//! * `reentrant_lock`, `semaphore` (one permit), `account`: every thread loops on one
//!   acquire + release (one deposit of 1), all on the same instance;
//! * `queue` (blocking put/get) and `queue_try` (non-blocking, spinning with
//!   `crossbeam_utils::Backoff`): at 1 thread a put then a get of one item; at `n` threads,
//!   `n / 2` producers and `n - n / 2` consumers (`mpsc` appears only with one consumer).

#[cfg(not(any(loom, feature = "shuttle")))]
mod curve {
    use crossbeam_utils::Backoff;
    use std::cell::Cell;
    use std::fmt::Write as _;
    use std::hint::black_box;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::{mpsc, Arc, Barrier, Condvar, Mutex};
    use std::thread;
    use std::time::{Duration, Instant};
    use verisync::{Account, BoundedQueue, ReentrantLock, Semaphore, TryGetError};

    // -----------------------------------------------------------------------------------------
    // Options

    struct Opts {
        threads: Vec<usize>,
        point: Duration,
        cap: usize,
        out: PathBuf,
        filters: Vec<String>,
    }

    const USAGE: &str = "usage: curve [--threads 1,2,4,8,16] [--point-ms 200] [--cap 1024] \
                         [--out bench-out/curve.csv] [--quick] [FILTER…]";

    fn parse() -> Result<Opts, String> {
        let given = |flag: &str| std::env::args().any(|a| a == flag);
        let mut opts = Opts {
            threads: vec![1, 2, 4, 8, 16],
            point: Duration::from_millis(200),
            cap: 1024,
            out: PathBuf::from("bench-out/curve.csv"),
            filters: Vec::new(),
        };
        let (mut quick, mut timed, mut cargo_bench) = (false, false, false);
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--threads" => {
                    opts.threads = value("--threads")?
                        .split(',')
                        .map(|t| match t.trim().parse::<usize>() {
                            Ok(n) if n > 0 => Ok(n),
                            _ => Err(format!("--threads: not a thread count: {t:?}")),
                        })
                        .collect::<Result<_, _>>()?;
                    timed = true;
                }
                "--point-ms" => {
                    let ms: u64 = value("--point-ms")?
                        .parse()
                        .map_err(|e| format!("--point-ms: {e}"))?;
                    opts.point = Duration::from_millis(ms.max(1));
                    timed = true;
                }
                "--cap" => {
                    opts.cap = match value("--cap")?.parse() {
                        Ok(n) if n > 0 => n,
                        _ => return Err("--cap: a capacity of at least 1".into()),
                    };
                }
                "--out" => {
                    opts.out = value("--out")?.into();
                }
                "--quick" => quick = true,
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                // What cargo bench passes, to criterion or to libtest.
                "--bench" => cargo_bench = true,
                a if a.starts_with('-') => eprintln!("curve: ignoring {a}"),
                a => opts.filters.push(a.to_string()),
            }
        }
        // `cargo bench` passes `--bench`: unless told how long and how wide, keep it short.
        // Given values win over `--quick`'s.
        if quick || (cargo_bench && !timed) {
            if !given("--threads") {
                opts.threads = vec![1, 2];
            }
            if !given("--point-ms") {
                opts.point = Duration::from_millis(20);
            }
        }
        Ok(opts)
    }

    // -----------------------------------------------------------------------------------------
    // Running a point

    /// Operations done and the seconds they took.
    #[derive(Clone, Copy)]
    struct Point {
        ops: u64,
        secs: f64,
    }

    /// Seconds since the earliest of `starts`. Each thread reads its own clock when it starts:
    /// the coordinator's would start late if it were descheduled after the barrier.
    fn since_first(starts: &[Instant]) -> f64 {
        starts
            .iter()
            .min()
            .map_or(0.0, |s| s.elapsed().as_secs_f64())
    }

    /// Between two looks at the stop flag.
    const CHUNK: u64 = 64;

    /// `threads` threads loop on `op` for `point`; all of them, on one instance.
    fn hammer(threads: usize, point: Duration, op: impl Fn() + Sync) -> Point {
        let stop = AtomicBool::new(false);
        let barrier = Barrier::new(threads + 1);
        thread::scope(|s| {
            let hs: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        let start = Instant::now();
                        let mut n = 0;
                        while !stop.load(Ordering::Relaxed) {
                            for _ in 0..CHUNK {
                                op();
                            }
                            n += CHUNK;
                        }
                        (start, n)
                    })
                })
                .collect();
            barrier.wait();
            thread::sleep(point);
            stop.store(true, Ordering::Relaxed);
            let (starts, counts): (Vec<Instant>, Vec<u64>) =
                hs.into_iter().map(|h| h.join().unwrap()).unzip();
            Point {
                ops: counts.iter().sum(),
                secs: since_first(&starts),
            }
        })
    }

    /// A queue's endpoints for one run: a put per producer thread, a get per consumer thread
    /// (`None` once the run is over and the queue drained), and what ends the run once every
    /// producer has stopped (a channel needs nothing: its senders drop with their threads).
    type Run<P, C> = (Vec<P>, Vec<C>, Box<dyn FnOnce() + Send>);

    /// Moves items for `point`: one thread doing put + get, or `threads / 2` producers and the
    /// rest consumers. The count is of items got; the time runs to the last consumer's end.
    /// `make(producers, consumers)` builds a fresh queue and its endpoints.
    fn pump<P, C>(
        threads: usize,
        point: Duration,
        make: impl FnOnce(usize, usize) -> Run<P, C>,
    ) -> Point
    where
        P: FnMut(u64) + Send,
        C: FnMut() -> Option<u64> + Send,
    {
        if threads == 1 {
            let (mut ps, mut cs, finish) = make(1, 1);
            let (put, get) = (&mut ps[0], &mut cs[0]);
            let start = Instant::now();
            let mut n = 0;
            while start.elapsed() < point {
                for i in 0..CHUNK {
                    put(i);
                    black_box(get());
                }
                n += CHUNK;
            }
            let secs = start.elapsed().as_secs_f64();
            drop((ps, cs));
            finish();
            return Point { ops: n, secs };
        }
        let (producers, consumers) = (threads / 2, threads - threads / 2);
        let (ps, cs, finish) = make(producers, consumers);
        let stop = AtomicBool::new(false);
        let barrier = Barrier::new(threads + 1);
        thread::scope(|s| {
            let (stop, barrier) = (&stop, &barrier);
            let ps: Vec<_> = ps
                .into_iter()
                .map(|mut put| {
                    s.spawn(move || {
                        barrier.wait();
                        let start = Instant::now();
                        let mut n = 0;
                        while !stop.load(Ordering::Relaxed) {
                            for i in 0..CHUNK {
                                put(i);
                            }
                            n += CHUNK;
                        }
                        (start, n)
                    })
                })
                .collect();
            let cs: Vec<_> = cs
                .into_iter()
                .map(|mut get| {
                    s.spawn(move || {
                        barrier.wait();
                        let start = Instant::now();
                        let mut n = 0u64;
                        while let Some(v) = get() {
                            black_box(v);
                            n += 1;
                        }
                        (start, n)
                    })
                })
                .collect();
            barrier.wait();
            thread::sleep(point);
            stop.store(true, Ordering::Relaxed);
            let (mut starts, puts): (Vec<Instant>, Vec<u64>) =
                ps.into_iter().map(|h| h.join().unwrap()).unzip();
            finish();
            let (starts_c, gots): (Vec<Instant>, Vec<u64>) =
                cs.into_iter().map(|h| h.join().unwrap()).unzip();
            starts.extend(starts_c);
            let (put, got) = (puts.iter().sum::<u64>(), gots.iter().sum::<u64>());
            assert_eq!(put, got, "items lost or duplicated");
            Point {
                ops: got,
                secs: since_first(&starts),
            }
        })
    }

    /// `n` copies of `x`.
    fn copies<T: Clone>(x: &T, n: usize) -> Vec<T> {
        (0..n).map(|_| x.clone()).collect()
    }

    /// A put that spins (with backoff) while the queue is full.
    fn spin_put(
        try_put: impl Fn(u64) -> Result<(), u64> + Send + 'static,
    ) -> impl FnMut(u64) + Send {
        move |mut v| {
            let backoff = Backoff::new();
            while let Err(back) = try_put(v) {
                v = back;
                backoff.snooze();
            }
        }
    }

    /// A get that spins (with backoff) while the queue is empty, until `done` is raised and
    /// the queue drained (every put happened before `done` was raised).
    fn spin_get(
        try_get: impl Fn() -> Option<u64> + Send + 'static,
        done: Arc<AtomicBool>,
    ) -> impl FnMut() -> Option<u64> + Send {
        move || {
            let backoff = Backoff::new();
            loop {
                if let Some(v) = try_get() {
                    return Some(v);
                }
                if done.load(Ordering::Acquire) {
                    return try_get();
                }
                backoff.snooze();
            }
        }
    }

    fn ours_blocking(
        cap: usize,
        p: usize,
        c: usize,
    ) -> Run<impl FnMut(u64) + Send, impl FnMut() -> Option<u64> + Send> {
        let q = Arc::new(BoundedQueue::new(cap));
        let ps = copies(&q, p)
            .into_iter()
            .map(|q| move |v| q.put(v).unwrap())
            .collect();
        let cs = copies(&q, c)
            .into_iter()
            .map(|q| move || q.get().ok())
            .collect();
        (
            ps,
            cs,
            Box::new(move || {
                q.close();
            }),
        )
    }

    fn ours_try(
        cap: usize,
        p: usize,
        c: usize,
    ) -> Run<impl FnMut(u64) + Send, impl FnMut() -> Option<u64> + Send> {
        let q = Arc::new(BoundedQueue::new(cap));
        let done = Arc::new(AtomicBool::new(false));
        let ps = copies(&q, p)
            .into_iter()
            .map(|q| spin_put(move |v| q.try_put(v).map_err(|e| e.into_inner())))
            .collect();
        let cs = copies(&q, c)
            .into_iter()
            .map(|q| {
                let try_get = move || match q.try_get() {
                    Ok(v) => Some(v),
                    Err(TryGetError::Empty) => None,
                    Err(TryGetError::Closed) => unreachable!("never closed"),
                };
                spin_get(try_get, Arc::clone(&done))
            })
            .collect();
        (
            ps,
            cs,
            Box::new(move || done.store(true, Ordering::Release)),
        )
    }

    fn array_queue(
        cap: usize,
        p: usize,
        c: usize,
    ) -> Run<impl FnMut(u64) + Send, impl FnMut() -> Option<u64> + Send> {
        let q = Arc::new(crossbeam_queue::ArrayQueue::new(cap));
        let done = Arc::new(AtomicBool::new(false));
        let ps = copies(&q, p)
            .into_iter()
            .map(|q| spin_put(move |v| q.push(v)))
            .collect();
        let cs = copies(&q, c)
            .into_iter()
            .map(|q| spin_get(move || q.pop(), Arc::clone(&done)))
            .collect();
        (
            ps,
            cs,
            Box::new(move || done.store(true, Ordering::Release)),
        )
    }

    fn crossbeam(
        cap: usize,
        p: usize,
        c: usize,
    ) -> Run<impl FnMut(u64) + Send, impl FnMut() -> Option<u64> + Send> {
        let (tx, rx) = crossbeam_channel::bounded(cap);
        let ps = copies(&tx, p)
            .into_iter()
            .map(|tx| move |v| tx.send(v).unwrap())
            .collect();
        let cs = copies(&rx, c)
            .into_iter()
            .map(|rx| move || rx.recv().ok())
            .collect();
        (ps, cs, Box::new(|| ()))
    }

    fn flume(
        cap: usize,
        p: usize,
        c: usize,
    ) -> Run<impl FnMut(u64) + Send, impl FnMut() -> Option<u64> + Send> {
        let (tx, rx) = flume::bounded(cap);
        let ps = copies(&tx, p)
            .into_iter()
            .map(|tx| move |v| tx.send(v).unwrap())
            .collect();
        let cs = copies(&rx, c)
            .into_iter()
            .map(|rx| move || rx.recv().ok())
            .collect();
        (ps, cs, Box::new(|| ()))
    }

    fn mpsc(
        cap: usize,
        p: usize,
        c: usize,
    ) -> Run<impl FnMut(u64) + Send, impl FnMut() -> Option<u64> + Send> {
        assert_eq!(c, 1, "mpsc has one receiver");
        let (tx, rx) = mpsc::sync_channel(cap);
        let ps = copies(&tx, p)
            .into_iter()
            .map(|tx| move |v| tx.send(v).unwrap())
            .collect();
        let cs = vec![move || rx.recv().ok()];
        (ps, cs, Box::new(|| ()))
    }

    // -----------------------------------------------------------------------------------------
    // The subjects

    /// How a row counts: ours, a peer, or a floor (shown, not a peer).
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Role {
        Ours,
        Peer,
        Floor,
    }

    impl Role {
        fn name(self) -> &'static str {
            match self {
                Role::Ours => "ours",
                Role::Peer => "peer",
                Role::Floor => "floor",
            }
        }
    }

    struct Subject {
        primitive: &'static str,
        name: &'static str,
        role: Role,
        /// `None` where the shape does not fit it (mpsc with several consumers).
        run: Box<dyn Fn(usize, Duration) -> Option<Point>>,
    }

    /// A `Mutex<usize>` + `Condvar` counting semaphore, the way most Rust code writes one.
    struct CondvarSemaphore {
        permits: Mutex<usize>,
        cv: Condvar,
    }

    impl CondvarSemaphore {
        fn acquire_release(&self) {
            let mut n = self
                .cv
                .wait_while(self.permits.lock().unwrap(), |n| *n == 0)
                .unwrap();
            *n -= 1;
            drop(n);
            black_box(());
            *self.permits.lock().unwrap() += 1;
            self.cv.notify_one();
        }
    }

    fn subjects(cap: usize) -> Vec<Subject> {
        use Role::*;
        let mut v: Vec<Subject> = Vec::new();
        let mut add =
            |primitive, name, role, run: Box<dyn Fn(usize, Duration) -> Option<Point>>| {
                v.push(Subject {
                    primitive,
                    name,
                    role,
                    run,
                })
            };

        add(
            "reentrant_lock",
            "verisync",
            Ours,
            Box::new(|t, p| {
                let l = ReentrantLock::new(Cell::new(0u64));
                Some(hammer(t, p, || {
                    let g = l.lock();
                    g.set(g.get() + 1);
                }))
            }),
        );
        add(
            "reentrant_lock",
            "parking_lot",
            Peer,
            Box::new(|t, p| {
                let l = parking_lot::ReentrantMutex::new(Cell::new(0u64));
                Some(hammer(t, p, || {
                    let g = l.lock();
                    g.set(g.get() + 1);
                }))
            }),
        );
        add(
            "reentrant_lock",
            "std_mutex",
            Peer,
            Box::new(|t, p| {
                let l = Mutex::new(0u64);
                Some(hammer(t, p, || *l.lock().unwrap() += 1))
            }),
        );

        add(
            "semaphore",
            "verisync",
            Ours,
            Box::new(|t, p| {
                let s = Semaphore::new(1);
                Some(hammer(t, p, || drop(black_box(s.acquire()))))
            }),
        );
        add(
            "semaphore",
            "async_lock",
            Peer,
            Box::new(|t, p| {
                let s = async_lock::Semaphore::new(1);
                Some(hammer(t, p, || drop(black_box(s.acquire_blocking()))))
            }),
        );
        add(
            "semaphore",
            "mutex_condvar",
            Peer,
            Box::new(|t, p| {
                let s = CondvarSemaphore {
                    permits: Mutex::new(1),
                    cv: Condvar::new(),
                };
                Some(hammer(t, p, || s.acquire_release()))
            }),
        );

        add(
            "account",
            "verisync",
            Ours,
            Box::new(|t, p| {
                let a = Account::new(0);
                Some(hammer(t, p, || {
                    black_box(a.deposit(black_box(1)).unwrap());
                }))
            }),
        );
        add(
            "account",
            "std_mutex",
            Peer,
            Box::new(|t, p| {
                let a = Mutex::new(0u64);
                Some(hammer(t, p, || {
                    let mut g = a.lock().unwrap();
                    *g = g.checked_add(black_box(1)).unwrap();
                    black_box(*g);
                }))
            }),
        );
        add(
            "account",
            "atomic",
            Floor,
            Box::new(|t, p| {
                let a = AtomicU64::new(0);
                Some(hammer(t, p, || {
                    black_box(a.fetch_add(black_box(1), Ordering::AcqRel));
                }))
            }),
        );

        add(
            "queue",
            "verisync",
            Ours,
            Box::new(move |t, p| Some(pump(t, p, |np, nc| ours_blocking(cap, np, nc)))),
        );
        add(
            "queue",
            "crossbeam",
            Peer,
            Box::new(move |t, p| Some(pump(t, p, |np, nc| crossbeam(cap, np, nc)))),
        );
        add(
            "queue",
            "mpsc",
            Peer,
            Box::new(move |t, p| (t - t / 2 == 1).then(|| pump(t, p, |np, nc| mpsc(cap, np, nc)))),
        );
        add(
            "queue",
            "flume",
            Peer,
            Box::new(move |t, p| Some(pump(t, p, |np, nc| flume(cap, np, nc)))),
        );
        add(
            "queue_try",
            "verisync_try",
            Ours,
            Box::new(move |t, p| Some(pump(t, p, |np, nc| ours_try(cap, np, nc)))),
        );
        add(
            "queue_try",
            "array_queue",
            Peer,
            Box::new(move |t, p| Some(pump(t, p, |np, nc| array_queue(cap, np, nc)))),
        );
        v
    }

    // -----------------------------------------------------------------------------------------
    // Report

    fn cpu_model() -> String {
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|m| m.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into())
    }

    fn mops(p: &Option<Point>) -> String {
        match p {
            Some(p) => format!("{:.2}", p.ops as f64 / p.secs / 1e6),
            None => "-".into(),
        }
    }

    pub fn main() {
        let opts = match parse() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        };
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let keep = |s: &Subject| {
            let id = format!("{}/{}", s.primitive, s.name);
            opts.filters.is_empty() || opts.filters.iter().any(|f| id.contains(f.as_str()))
        };
        let subjects: Vec<_> = subjects(opts.cap).into_iter().filter(keep).collect();
        println!(
            "verisync contention curves: {} core(s), {}; {:?} a point; queue capacity {}; threads {:?}",
            cores,
            cpu_model(),
            opts.point,
            opts.cap,
            opts.threads
        );
        let mut csv = String::from("primitive,impl,role,threads,ops,secs,ops_per_sec\n");
        let started = Instant::now();
        let mut primitive = "";
        let mut block: Vec<(&Subject, Vec<Option<Point>>)> = Vec::new();
        let flush = |block: &mut Vec<(&Subject, Vec<Option<Point>>)>| {
            if block.is_empty() {
                return;
            }
            print_block(block, &opts.threads);
            block.clear();
        };
        for s in &subjects {
            if s.primitive != primitive {
                flush(&mut block);
                primitive = s.primitive;
            }
            let mut points = Vec::new();
            for &t in &opts.threads {
                let p = (s.run)(t, opts.point);
                if let Some(p) = p {
                    let _ = writeln!(
                        csv,
                        "{},{},{},{},{},{:.6},{:.0}",
                        s.primitive,
                        s.name,
                        s.role.name(),
                        t,
                        p.ops,
                        p.secs,
                        p.ops as f64 / p.secs
                    );
                }
                points.push(p);
            }
            block.push((s, points));
        }
        flush(&mut block);
        if let Some(dir) = opts.out.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("curve: cannot create {}: {e}", dir.display());
            }
        }
        match std::fs::write(&opts.out, csv) {
            Ok(()) => println!(
                "\nwrote {} ({:.1} s)",
                opts.out.display(),
                started.elapsed().as_secs_f64()
            ),
            Err(e) => eprintln!("curve: cannot write {}: {e}", opts.out.display()),
        }
    }

    /// One primitive's rows: M ops/s at each thread count, then ours / best peer.
    fn print_block(block: &[(&Subject, Vec<Option<Point>>)], threads: &[usize]) {
        let primitive = block[0].0.primitive;
        let mut head = format!("\n{primitive:<16} {:<14}", "M ops/s");
        for t in threads {
            let _ = write!(head, " {:>9}", format!("{t} thr"));
        }
        println!("{head}");
        for (s, points) in block {
            let mut line = format!(
                "{:<16} {:<14}",
                "",
                format!(
                    "{}{}",
                    s.name,
                    match s.role {
                        Role::Floor => " (floor)",
                        _ => "",
                    }
                )
            );
            for p in points {
                let _ = write!(line, " {:>9}", mops(p));
            }
            println!("{line}");
        }
        let rate = |p: &Option<Point>| p.map(|p| p.ops as f64 / p.secs);
        let mut line = format!("{:<16} {:<14}", "", "ours/best peer");
        for i in 0..threads.len() {
            let ours = block
                .iter()
                .find(|(s, _)| s.role == Role::Ours)
                .and_then(|(_, ps)| rate(&ps[i]));
            let best = block
                .iter()
                .filter(|(s, _)| s.role == Role::Peer)
                .filter_map(|(_, ps)| rate(&ps[i]))
                .max_by(f64::total_cmp);
            let cell = match (ours, best) {
                (Some(o), Some(b)) => format!("{:.2}", o / b),
                _ => "-".into(),
            };
            let _ = write!(line, " {cell:>9}");
        }
        println!("{line}");
    }
}

#[cfg(not(any(loom, feature = "shuttle")))]
fn main() {
    curve::main();
}

#[cfg(any(loom, feature = "shuttle"))]
fn main() {
    eprintln!(
        "the curve runner measures the std build: run it without --cfg loom or --features shuttle"
    );
}
