//! Contention curves: throughput (ops/s) of each verisync primitive and its peers at 1, 2, 4,
//! 8 and 16 threads, printed as a table, written as CSV and plotted (one SVG per primitive,
//! beside the CSV: `bench-out/curve-<primitive>.svg`). A self-contained executable with no
//! criterion: build it once (statically, if it is to travel) and run it on a machine with more
//! cores, no toolchain needed there. `BENCHMARKS.md` has the recipe.
//!
//! ```text
//! cargo bench --bench curve -- --threads 1,2        # here: 2 cores
//! cargo bench --bench curve -- --point-ms 500       # 1,2,4,8,16 threads, 0.5 s a point
//! cargo bench --bench curve -- --threads 1,2 --cap 1 queue   # rows named *queue*, capacity 1
//! cargo bench --bench curve -- --threads 1,2,4 --cap 1,1024 --runs 6 --point-ms 250  # issue 16
//! cargo bench --bench curve -- --plot-only host.csv --machine "16 cores, Xeon …"  # just plot
//! ```
//!
//! Options: `--threads 1,2,4` (default `1,2,4,8,16`), `--point-ms N` (default 200: how long
//! each point runs), `--cap 1,1024` (queue capacities, default 1024; with several, each queue
//! row is run at each and named `queue_cap1`, …), `--runs N` (default 1: each point is run N
//! times, the row's implementations in one order and then the other, and the ratio printed is
//! the median of the runs' ratios, ours ÷ that run's best peer, with its min–max; a Markdown
//! summary follows, and the load average is printed before each block), `--out PATH` (default
//! `bench-out/curve.csv`), `--quick` (threads 1,2 and 20 ms points: a smoke run); a bare word
//! keeps only the rows whose `primitive/impl` contains it. Invoked by `cargo bench` (which
//! passes criterion-style `--bench`) without `--threads` or `--point-ms`, it runs `--quick`,
//! so that a plain `cargo bench` stays short; other `-`-flags (criterion's) are ignored.
//! `--plot-only PATH.csv` runs nothing: it writes `PATH-<primitive>.svg` (the CSV's stem, then
//! the primitive) from a CSV taken earlier, here or elsewhere; `--machine TEXT` names the
//! machine in the titles (the CSV does not record it).
//!
//! A plot: x = threads (log2 scale), y = M ops/s from 0, one line per implementation, ours
//! thick, a floor dashed; the title names the primitive, the machine (available parallelism
//! and `/proc/cpuinfo`'s model name) and the point's duration.
//!
//! Each point starts `threads` threads together and lets them run for the point's time, then
//! counts the operations done (for a queue: the items got, after the producers stopped and the
//! consumers drained) over the time until the last thread finished. The shapes:
//!
//! * `reentrant_lock`, `semaphore` (one permit), `mutex`, `account`: every thread loops on one
//!   acquire + release (one deposit of 1), all on the same instance; `reentrant_depth3` takes
//!   three nested holds and gives them back;
//! * `queue` (blocking put/get) and `queue_try` (non-blocking, spinning with
//!   `crossbeam_utils::Backoff`): at 1 thread a put then a get of one item; at `n` threads,
//!   `n / 2` producers and `n - n / 2` consumers (`mpsc` appears only with one consumer);
//!   `queue_mpsc`: `n - 1` producers and one consumer, from 3 threads;
//! * `joinable`, `joinable_mpsc`: the same shapes through a `JoinableQueue` (each get followed
//!   by `task_done`, the run ended by `join` and `close`) beside each channel plus the count a
//!   user would add: an atomic count of unfinished tasks and a mutex and condvar for `join`.

#[cfg(not(any(loom, feature = "shuttle")))]
#[path = "common/queues.rs"]
mod queues;

#[cfg(not(any(loom, feature = "shuttle")))]
mod curve {
    use super::queues::Spinning;
    use crossbeam_channel as cb;
    use crossbeam_utils::Backoff;
    use std::cell::Cell;
    use std::fmt::Write as _;
    use std::hint::black_box;
    use std::ops::Deref;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use std::sync::{mpsc, Arc, Barrier, Condvar, Mutex};
    use std::thread;
    use std::time::{Duration, Instant};
    use verisync::{Account, BoundedQueue, JoinableQueue, ReentrantLock, Semaphore};

    // -----------------------------------------------------------------------------------------
    // Options

    struct Opts {
        threads: Vec<usize>,
        point: Duration,
        /// Queue capacities: each queue row is run at each.
        caps: Vec<usize>,
        /// Runs of every point, peers first and ours first alternately.
        runs: usize,
        out: PathBuf,
        filters: Vec<String>,
        /// Plot this CSV (taken here or elsewhere) and run nothing.
        plot_only: Option<PathBuf>,
        /// With `--plot-only`: the machine the CSV was taken on, for the plots' titles.
        machine: Option<String>,
    }

    const USAGE: &str = "usage: curve [--threads 1,2,4,8,16] [--point-ms 200] [--cap 1024[,1…]] \
                         [--runs 1] [--out bench-out/curve.csv] [--quick] [FILTER…]\n       \
                         curve --plot-only PATH.csv [--machine TEXT]";

    fn parse() -> Result<Opts, String> {
        let given = |flag: &str| std::env::args().any(|a| a == flag);
        let mut opts = Opts {
            threads: vec![1, 2, 4, 8, 16],
            point: Duration::from_millis(200),
            caps: vec![1024],
            runs: 1,
            out: PathBuf::from("bench-out/curve.csv"),
            filters: Vec::new(),
            plot_only: None,
            machine: None,
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
                    opts.caps = value("--cap")?
                        .split(',')
                        .map(|c| match c.trim().parse::<usize>() {
                            Ok(n) if n > 0 => Ok(n),
                            _ => Err(format!("--cap: not a capacity of at least 1: {c:?}")),
                        })
                        .collect::<Result<_, _>>()?;
                }
                "--runs" => {
                    opts.runs = match value("--runs")?.parse() {
                        Ok(n) if n > 0 => n,
                        _ => return Err("--runs: a count of at least 1".into()),
                    };
                }
                "--out" => {
                    opts.out = value("--out")?.into();
                }
                "--plot-only" => opts.plot_only = Some(value("--plot-only")?.into()),
                "--machine" => opts.machine = Some(value("--machine")?),
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

    /// How a queue row splits its threads into producers and consumers.
    #[derive(Clone, Copy)]
    enum Split {
        /// One thread doing put + get; at `n` threads, `n / 2` producers and the rest
        /// consumers (SPSC at 2, MPMC from 4).
        Even,
        /// `n - 1` producers and one consumer: MPSC, from 3 threads (fewer: no point).
        OneConsumer,
    }

    impl Split {
        fn of(self, threads: usize) -> Option<(usize, usize)> {
            match self {
                Split::Even => Some((threads / 2, threads - threads / 2)),
                Split::OneConsumer => (threads >= 3).then(|| (threads - 1, 1)),
            }
        }
    }

    /// Moves items for `point`: one thread doing put + get, or `producers` and `consumers`
    /// threads. The count is of items got; the time runs to the last consumer's end.
    /// `make(producers, consumers)` builds a fresh queue and its endpoints.
    fn pump<P, C>(
        (producers, consumers): (usize, usize),
        point: Duration,
        make: impl FnOnce(usize, usize) -> Run<P, C>,
    ) -> Point
    where
        P: FnMut(u64) + Send,
        C: FnMut() -> Option<u64> + Send,
    {
        if producers == 0 {
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
        let (ps, cs, finish) = make(producers, consumers);
        let stop = AtomicBool::new(false);
        let barrier = Barrier::new(producers + consumers + 1);
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

    /// A blocking queue under test, described once: how to open one with a receiving handle
    /// for each of `consumers` threads, a put, a get, and what ends a run.
    trait Blocking {
        /// A producer's handle, cloned for each producer.
        type Tx: Clone + Send + 'static;
        /// A consumer's handle.
        type Rx: Send + 'static;
        fn open(cap: usize, consumers: usize) -> (Self::Tx, Vec<Self::Rx>);
        fn put(tx: &Self::Tx, v: u64);
        /// `None` once the queue is closed (or its senders gone) and drained.
        fn get(rx: &Self::Rx) -> Option<u64>;
        /// What ends the run once every producer has stopped. A channel needs nothing: its
        /// senders drop with their threads (this one, here).
        fn finish(tx: Self::Tx) -> Box<dyn FnOnce() + Send> {
            drop(tx);
            Box::new(|| ())
        }
    }

    /// A run's endpoints on a fresh `Q`: `p` putters, `c` getters.
    fn blocking<Q: Blocking>(
        cap: usize,
        p: usize,
        c: usize,
    ) -> Run<impl FnMut(u64) + Send, impl FnMut() -> Option<u64> + Send> {
        let (tx, rxs) = Q::open(cap, c);
        let ps = copies(&tx, p)
            .into_iter()
            .map(|tx| move |v| Q::put(&tx, v))
            .collect();
        let cs = rxs.into_iter().map(|rx| move || Q::get(&rx)).collect();
        (ps, cs, Q::finish(tx))
    }

    /// [`BoundedQueue`]'s blocking `put` and `get`; the run ends when it is closed.
    struct Verisync;

    impl Blocking for Verisync {
        type Tx = Arc<BoundedQueue<u64>>;
        type Rx = Arc<BoundedQueue<u64>>;
        fn open(cap: usize, consumers: usize) -> (Self::Tx, Vec<Self::Rx>) {
            let q = Arc::new(BoundedQueue::new(cap));
            (Arc::clone(&q), copies(&q, consumers))
        }
        fn put(q: &Self::Tx, v: u64) {
            q.put(v).unwrap()
        }
        fn get(q: &Self::Rx) -> Option<u64> {
            q.get().ok()
        }
        fn finish(q: Self::Tx) -> Box<dyn FnOnce() + Send> {
            Box::new(move || {
                q.close();
            })
        }
    }

    /// A channel peer: opened its own way (`|cap, consumers| -> (sender, receivers)`); `send`
    /// and `recv` are the same calls on each.
    macro_rules! channel {
        ($peer:ident: $tx:ty, $rx:ty, |$cap:ident, $n:ident| $open:expr) => {
            struct $peer;

            impl Blocking for $peer {
                type Tx = $tx;
                type Rx = $rx;
                fn open($cap: usize, $n: usize) -> ($tx, Vec<$rx>) {
                    $open
                }
                fn put(tx: &$tx, v: u64) {
                    tx.send(v).unwrap()
                }
                fn get(rx: &$rx) -> Option<u64> {
                    rx.recv().ok()
                }
            }
        };
    }

    channel!(Crossbeam: cb::Sender<u64>, cb::Receiver<u64>, |cap, n| {
        let (tx, rx) = cb::bounded(cap);
        (tx, copies(&rx, n))
    });
    channel!(Flume: flume::Sender<u64>, flume::Receiver<u64>, |cap, n| {
        let (tx, rx) = flume::bounded(cap);
        (tx, copies(&rx, n))
    });
    channel!(Mpsc: mpsc::SyncSender<u64>, mpsc::Receiver<u64>, |cap, n| {
        assert_eq!(n, 1, "mpsc has one receiver");
        let (tx, rx) = mpsc::sync_channel(cap);
        (tx, vec![rx])
    });

    /// A row that only exists with one consumer (std's `sync_channel` has one receiver).
    fn one_consumer(run: RunFn, split: Split) -> RunFn {
        Box::new(move |t, p| match split.of(t) {
            Some((_, 1)) => run(t, p),
            _ => None,
        })
    }

    /// [`JoinableQueue`]: a get is followed by its `task_done`; the run ends with a `join`
    /// (every task done) and a close.
    struct Joinable;

    impl Blocking for Joinable {
        type Tx = Arc<JoinableQueue<u64>>;
        type Rx = Arc<JoinableQueue<u64>>;
        fn open(cap: usize, consumers: usize) -> (Self::Tx, Vec<Self::Rx>) {
            let q = Arc::new(JoinableQueue::new(cap));
            (Arc::clone(&q), copies(&q, consumers))
        }
        fn put(q: &Self::Tx, v: u64) {
            q.put(v).unwrap()
        }
        fn get(q: &Self::Rx) -> Option<u64> {
            let v = q.get().ok()?;
            q.task_done().unwrap();
            Some(v)
        }
        fn finish(q: Self::Tx) -> Box<dyn FnOnce() + Send> {
            Box::new(move || {
                q.join();
                q.close();
            })
        }
    }

    /// The count of unfinished tasks a user would put beside a channel to get `task_done` and
    /// `join`: an atomic count, and a lock and condition variable for the joiner.
    #[derive(Default)]
    struct Tasks {
        unfinished: AtomicUsize,
        lock: Mutex<()>,
        all_done: Condvar,
    }

    impl Tasks {
        fn add(&self) {
            // Relaxed: the count is only compared with zero after every put is done.
            self.unfinished.fetch_add(1, Ordering::Relaxed);
        }
        fn done(&self) {
            if self.unfinished.fetch_sub(1, Ordering::AcqRel) == 1 {
                // The joiner holds the lock from its look until it sleeps: no lost wake.
                drop(self.lock.lock().unwrap());
                self.all_done.notify_all();
            }
        }
        fn join(&self) {
            let mut g = self.lock.lock().unwrap();
            while self.unfinished.load(Ordering::Acquire) != 0 {
                g = self.all_done.wait(g).unwrap();
            }
        }
    }

    /// The channel `Q` with a [`Tasks`] count: the fair peer of a [`JoinableQueue`].
    struct Counted<Q>(std::marker::PhantomData<Q>);

    impl<Q: Blocking> Blocking for Counted<Q> {
        type Tx = (Q::Tx, Arc<Tasks>);
        type Rx = (Q::Rx, Arc<Tasks>);
        fn open(cap: usize, consumers: usize) -> (Self::Tx, Vec<Self::Rx>) {
            let (tx, rxs) = Q::open(cap, consumers);
            let tasks = Arc::new(Tasks::default());
            let rxs = rxs.into_iter().map(|rx| (rx, Arc::clone(&tasks))).collect();
            ((tx, tasks), rxs)
        }
        fn put((tx, tasks): &Self::Tx, v: u64) {
            tasks.add();
            Q::put(tx, v)
        }
        fn get((rx, tasks): &Self::Rx) -> Option<u64> {
            let v = Q::get(rx)?;
            tasks.done();
            Some(v)
        }
        fn finish((tx, tasks): Self::Tx) -> Box<dyn FnOnce() + Send> {
            Box::new(move || {
                tasks.join();
                Q::finish(tx)();
            })
        }
    }

    /// A run's endpoints on a fresh `Q`, spinning: `p` putters, `c` getters; the run ends when
    /// `done` is raised.
    fn spinning<Q: Spinning>(
        cap: usize,
        p: usize,
        c: usize,
    ) -> Run<impl FnMut(u64) + Send, impl FnMut() -> Option<u64> + Send> {
        let q = Arc::new(Q::with_capacity(cap));
        let done = Arc::new(AtomicBool::new(false));
        let ps = copies(&q, p)
            .into_iter()
            .map(|q| spin_put(move |v| q.offer(v)))
            .collect();
        let cs = copies(&q, c)
            .into_iter()
            .map(|q| spin_get(move || q.poll(), Arc::clone(&done)))
            .collect();
        (
            ps,
            cs,
            Box::new(move || done.store(true, Ordering::Release)),
        )
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

    /// A row's run: `threads` threads for a point's time; `None` where the shape does not fit.
    type RunFn = Box<dyn Fn(usize, Duration) -> Option<Point>>;

    struct Subject {
        primitive: String,
        name: &'static str,
        role: Role,
        run: RunFn,
    }

    /// A `Mutex<usize>` + `Condvar` counting semaphore, the way most Rust code writes one.
    struct CondvarSemaphore {
        permits: Mutex<usize>,
        cv: Condvar,
    }

    impl CondvarSemaphore {
        fn one() -> Self {
            CondvarSemaphore {
                permits: Mutex::new(1),
                cv: Condvar::new(),
            }
        }

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

    /// A row where every thread loops on `op` over one instance, made afresh for each point.
    fn hammered<T: Sync + 'static>(
        make: impl Fn() -> T + 'static,
        op: impl Fn(&T) + Sync + 'static,
    ) -> RunFn {
        Box::new(move |t, p| {
            let x = make();
            Some(hammer(t, p, || op(&x)))
        })
    }

    /// A queue row: `make(cap, producers, consumers)` builds each point's queue and endpoints;
    /// `split` says how many of each a point's threads are.
    fn pumped<P, C>(cap: usize, split: Split, make: fn(usize, usize, usize) -> Run<P, C>) -> RunFn
    where
        P: FnMut(u64) + Send + 'static,
        C: FnMut() -> Option<u64> + Send + 'static,
    {
        Box::new(move |t, p| Some(pump(split.of(t)?, p, |np, nc| make(cap, np, nc))))
    }

    /// A re-entrant lock's operation, once locked: bump the count.
    fn bump(g: impl Deref<Target = Cell<u64>>) {
        g.set(g.get() + 1);
    }

    fn subjects(caps: &[usize]) -> Vec<Subject> {
        use Role::*;
        let mut v: Vec<Subject> = Vec::new();
        let mut add = |primitive: String, name, role, run| {
            v.push(Subject {
                primitive,
                name,
                role,
                run,
            })
        };
        let new_reentrant = || ReentrantLock::new(Cell::new(0u64));
        add(
            "reentrant_lock".into(),
            "verisync",
            Ours,
            hammered(new_reentrant, |l| bump(l.lock())),
        );
        let new_pl = || parking_lot::ReentrantMutex::new(Cell::new(0u64));
        add(
            "reentrant_lock".into(),
            "parking_lot",
            Peer,
            hammered(new_pl, |l| bump(l.lock())),
        );
        let std_mutex = hammered(|| Mutex::new(0u64), |l| *l.lock().unwrap() += 1);
        add("reentrant_lock".into(), "std_mutex", Peer, std_mutex);

        // Three nested holds and their release: a re-entrant lock's own work.
        let nest3 = |l: &ReentrantLock<Cell<u64>>| {
            let (a, b) = (l.lock(), l.lock());
            bump(l.lock());
            drop((b, a));
        };
        add(
            "reentrant_depth3".into(),
            "verisync",
            Ours,
            hammered(new_reentrant, nest3),
        );
        let nest3 = |l: &parking_lot::ReentrantMutex<Cell<u64>>| {
            let (a, b) = (l.lock(), l.lock());
            bump(l.lock());
            drop((b, a));
        };
        add(
            "reentrant_depth3".into(),
            "parking_lot",
            Peer,
            hammered(new_pl, nest3),
        );

        let ours = hammered(|| Semaphore::new(1), |s| drop(black_box(s.acquire())));
        add("semaphore".into(), "verisync", Ours, ours);
        let async_lock = hammered(
            || async_lock::Semaphore::new(1),
            |s| drop(black_box(s.acquire_blocking())),
        );
        add("semaphore".into(), "async_lock", Peer, async_lock);
        let condvar = hammered(CondvarSemaphore::one, CondvarSemaphore::acquire_release);
        add("semaphore".into(), "mutex_condvar", Peer, condvar);

        let ours = hammered(|| verisync::Mutex::new(0u64), |m| *m.lock() += 1);
        add("mutex".into(), "verisync", Ours, ours);
        let pl = hammered(|| parking_lot::Mutex::new(0u64), |m| *m.lock() += 1);
        add("mutex".into(), "parking_lot", Peer, pl);
        let std_mutex = hammered(|| Mutex::new(0u64), |m| *m.lock().unwrap() += 1);
        add("mutex".into(), "std_mutex", Peer, std_mutex);

        let ours = hammered(
            || Account::new(0),
            |a| {
                black_box(a.deposit(black_box(1)).unwrap());
            },
        );
        add("account".into(), "verisync", Ours, ours);
        let std_mutex = hammered(
            || Mutex::new(0u64),
            |a| {
                let mut g = a.lock().unwrap();
                *g = g.checked_add(black_box(1)).unwrap();
                black_box(*g);
            },
        );
        add("account".into(), "std_mutex", Peer, std_mutex);
        let pl = hammered(
            || parking_lot::Mutex::new(0u64),
            |a| {
                let mut g = a.lock();
                *g = g.checked_add(black_box(1)).unwrap();
                black_box(*g);
            },
        );
        add("account".into(), "parking_lot", Peer, pl);
        let atomic = hammered(
            || AtomicU64::new(0),
            |a| {
                black_box(a.fetch_add(black_box(1), Ordering::AcqRel));
            },
        );
        add("account".into(), "atomic", Floor, atomic);

        for &cap in caps {
            // With one capacity the rows keep their plain names (and plots theirs).
            let at = |base: &str| -> String {
                match caps.len() {
                    1 => base.into(),
                    _ => format!("{base}_cap{cap}"),
                }
            };
            for (base, split) in [("queue", Split::Even), ("queue_mpsc", Split::OneConsumer)] {
                let row = at(base);
                add(
                    row.clone(),
                    "verisync",
                    Ours,
                    pumped(cap, split, blocking::<Verisync>),
                );
                let crossbeam = pumped(cap, split, blocking::<Crossbeam>);
                add(row.clone(), "crossbeam", Peer, crossbeam);
                add(
                    row.clone(),
                    "mpsc",
                    Peer,
                    one_consumer(pumped(cap, split, blocking::<Mpsc>), split),
                );
                add(row, "flume", Peer, pumped(cap, split, blocking::<Flume>));
            }
            let row = at("queue_try");
            let ours_try = pumped(cap, Split::Even, spinning::<BoundedQueue<u64>>);
            add(row.clone(), "verisync_try", Ours, ours_try);
            let array_queue = pumped(
                cap,
                Split::Even,
                spinning::<crossbeam_queue::ArrayQueue<u64>>,
            );
            add(row, "array_queue", Peer, array_queue);
            for (base, split) in [
                ("joinable", Split::Even),
                ("joinable_mpsc", Split::OneConsumer),
            ] {
                let row = at(base);
                add(
                    row.clone(),
                    "verisync",
                    Ours,
                    pumped(cap, split, blocking::<Joinable>),
                );
                let crossbeam = pumped(cap, split, blocking::<Counted<Crossbeam>>);
                add(row.clone(), "crossbeam+count", Peer, crossbeam);
                let mpsc = one_consumer(pumped(cap, split, blocking::<Counted<Mpsc>>), split);
                add(row.clone(), "mpsc+count", Peer, mpsc);
                add(
                    row,
                    "flume+count",
                    Peer,
                    pumped(cap, split, blocking::<Counted<Flume>>),
                );
            }
        }
        v
    }

    // -----------------------------------------------------------------------------------------
    // Plots: one SVG per primitive, made from the CSV's text (this run's, or one read back).

    /// One implementation's curve: (threads, ops/s) points.
    struct Curve {
        name: String,
        role: String,
        points: Vec<(usize, f64)>,
    }

    /// The CSV's curves grouped by primitive, in the CSV's order, and the `secs` column.
    type Curves = (Vec<(String, Vec<Curve>)>, Vec<f64>);

    fn read_csv(text: &str) -> Result<Curves, String> {
        let mut lines = text.lines().enumerate();
        let head: Vec<&str> = lines.next().ok_or("empty CSV")?.1.split(',').collect();
        let col = |name: &str| {
            let at = head.iter().position(|c| c.trim() == name);
            at.ok_or(format!("the CSV has no {name} column"))
        };
        let cols = [
            col("primitive")?,
            col("impl")?,
            col("role")?,
            col("threads")?,
        ];
        let (rate, secs) = (col("ops_per_sec")?, col("secs")?);
        let (mut out, mut all_secs): (Vec<(String, Vec<Curve>)>, _) = (Vec::new(), Vec::new());
        for (n, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            let bad = || format!("CSV line {}: {line:?}", n + 1);
            let [p, i, r, t] = cols.map(|k| f.get(k).copied().unwrap_or(""));
            let num = |k: usize| f.get(k).and_then(|v| v.parse::<f64>().ok()).ok_or_else(bad);
            let threads = t.parse::<usize>().map_err(|_| bad())?;
            let (rate, secs) = (num(rate)?, num(secs)?);
            all_secs.push(secs);
            let k = match out.iter().position(|(q, _)| q == p) {
                Some(k) => k,
                None => {
                    out.push((p.to_string(), Vec::new()));
                    out.len() - 1
                }
            };
            let curves = &mut out[k].1;
            match curves.iter_mut().find(|c| c.name == i) {
                Some(c) => c.points.push((threads, rate)),
                None => curves.push(Curve {
                    name: i.to_string(),
                    role: r.to_string(),
                    points: vec![(threads, rate)],
                }),
            }
        }
        // Several runs of a point (`--runs`): plot their median.
        for curve in out.iter_mut().flat_map(|(_, cs)| cs.iter_mut()) {
            curve.points.sort_by_key(|&(t, _)| t);
            let runs = std::mem::take(&mut curve.points);
            for same in runs.chunk_by(|a, b| a.0 == b.0) {
                let mut rates: Vec<f64> = same.iter().map(|&(_, r)| r).collect();
                curve
                    .points
                    .push((same[0].0, median(&mut rates).unwrap_or(0.0)));
            }
        }
        Ok((out, all_secs))
    }

    /// Writes `<stem>-<primitive>.svg` beside `csv_path` for each primitive in `csv`; `note`
    /// gives a primitive's subtitle. Returns the paths written.
    fn write_plots(
        csv_path: &Path,
        curves: &[(String, Vec<Curve>)],
        note: impl Fn(&str) -> String,
    ) -> Result<Vec<PathBuf>, String> {
        let stem = csv_path
            .file_stem()
            .map_or("curve".into(), |s| s.to_string_lossy());
        let mut written = Vec::new();
        for (primitive, cs) in curves {
            let path = csv_path.with_file_name(format!("{stem}-{primitive}.svg"));
            std::fs::write(&path, svg(primitive, cs, &note(primitive)))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
        Ok(written)
    }

    /// `s` with XML's special characters escaped.
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    /// A step of 1, 2, 2.5 or 5 × 10^k at least `raw`, and the decimals its multiples need.
    fn nice_step(raw: f64) -> (f64, usize) {
        if raw.is_nan() || raw <= 0.0 {
            return (1.0, 0);
        }
        let mag = 10f64.powf(raw.log10().floor());
        let step = mag
            * [1.0, 2.0, 2.5, 5.0, 10.0]
                .into_iter()
                .find(|m| m * mag >= raw)
                .unwrap_or(10.0);
        let exact = |d: usize| {
            let v = step * 10f64.powi(d as i32);
            (v - v.round()).abs() < 1e-6 * v.max(1.0)
        };
        (step, (0..6).find(|&d| exact(d)).unwrap_or(6))
    }

    /// One primitive's curves as a self-contained SVG line chart: x = threads on a log2 scale,
    /// y = M ops/s from 0; ours drawn thick, a floor dashed; a legend on the right.
    fn svg(primitive: &str, curves: &[Curve], subtitle: &str) -> String {
        const OURS: &str = "#d62728";
        const FLOOR: &str = "#7f7f7f";
        const PEERS: [&str; 5] = ["#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
        let (width, height) = (780.0, 430.0);
        let (left, right, top, bottom) = (70.0, 600.0, 66.0, 370.0);
        let mut threads: Vec<usize> = curves
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.0))
            .collect();
        threads.sort_unstable();
        threads.dedup();
        let lg = |t: usize| (t.max(1) as f64).log2();
        let (lo, hi) = (lg(threads[0]), lg(threads[threads.len() - 1]));
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        };
        // Inset by 24 px, so that the end points stand clear of the axis and of the legend.
        let x = |t: usize| left + 24.0 + (lg(t) - lo) / (hi - lo) * (right - left - 48.0);
        let most = curves
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.1 / 1e6));
        let most = most.fold(0.0, f64::max);
        let (step, decimals) = nice_step(most / 5.0);
        let ticks = (most / step).ceil().max(1.0) as usize;
        let y = |m: f64| bottom - m / (step * ticks as f64) * (bottom - top);

        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{left}" y="24" font-size="16" font-weight="bold">{}: throughput by thread count</text>"#,
            esc(primitive)
        );
        let _ = writeln!(
            s,
            r##"<text x="{left}" y="44" fill="#444">{}</text>"##,
            esc(subtitle)
        );
        for k in 0..=ticks {
            let (v, at) = (k as f64 * step, y(k as f64 * step));
            let _ = writeln!(
                s,
                r##"<line x1="{left}" y1="{at:.1}" x2="{right}" y2="{at:.1}" stroke="#e4e4e4"/><text x="{}" y="{:.1}" text-anchor="end">{v:.decimals$}</text>"##,
                left - 8.0,
                at + 4.0
            );
        }
        for &t in &threads {
            let at = x(t);
            let _ = writeln!(
                s,
                r##"<line x1="{at:.1}" y1="{top}" x2="{at:.1}" y2="{bottom}" stroke="#f0f0f0"/><text x="{at:.1}" y="{}" text-anchor="middle">{t}</text>"##,
                bottom + 18.0
            );
        }
        let _ = writeln!(
            s,
            r#"<path d="M{left} {top}V{bottom}H{right}" fill="none" stroke="black"/>"#
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">threads (log2 scale)</text>"#,
            (left + right) / 2.0,
            bottom + 40.0
        );
        let _ = writeln!(
            s,
            r#"<text transform="translate(20 {}) rotate(-90)" text-anchor="middle">M ops/s</text>"#,
            (top + bottom) / 2.0
        );
        let mut peers = PEERS.iter().cycle();
        for (k, c) in curves.iter().enumerate() {
            let (ours, floor) = (c.role == "ours", c.role == "floor");
            let (colour, stroke, r, dash) = if ours {
                (OURS, 3.5, 4.5, "")
            } else if floor {
                (FLOOR, 1.5, 3.0, r#" stroke-dasharray="6 4""#)
            } else {
                (*peers.next().unwrap(), 1.5, 3.0, "")
            };
            let mut pts = c.points.clone();
            pts.sort_by_key(|p| p.0);
            let line: Vec<String> = pts
                .iter()
                .map(|&(t, v)| format!("{:.1},{:.1}", x(t), y(v / 1e6)))
                .collect();
            let _ = writeln!(
                s,
                r#"<g stroke="{colour}" fill="{colour}"><polyline points="{}" fill="none" stroke-width="{stroke}"{dash}/>"#,
                line.join(" ")
            );
            for &(t, v) in &pts {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="{r}"/>"#,
                    x(t),
                    y(v / 1e6)
                );
            }
            let ly = top + 8.0 + 22.0 * k as f64;
            let _ = writeln!(
                s,
                r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke-width="{stroke}"{dash}/><circle cx="{}" cy="{ly}" r="{r}"/></g>"#,
                right + 20.0,
                right + 48.0,
                right + 34.0
            );
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{}"{}>{}{}</text>"#,
                right + 56.0,
                ly + 4.0,
                if ours { r#" font-weight="bold""# } else { "" },
                esc(&c.name),
                if floor { " (floor)" } else { "" }
            );
        }
        s.push_str("</svg>\n");
        s
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

    pub fn main() {
        let opts = match parse() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        };
        if let Some(csv) = &opts.plot_only {
            let plotted = plot_only(csv, opts.machine.as_deref());
            std::process::exit(report_plots(plotted));
        }
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let keep = |s: &Subject| {
            let id = format!("{}/{}", s.primitive, s.name);
            opts.filters.is_empty() || opts.filters.iter().any(|f| id.contains(f.as_str()))
        };
        let subjects: Vec<_> = subjects(&opts.caps).into_iter().filter(keep).collect();
        println!(
            "verisync contention curves: {} core(s), {}; {:?} a point; queue capacity {:?}; \
             threads {:?}; {} run(s) of each point, peers first and ours first alternately",
            cores,
            cpu_model(),
            opts.point,
            opts.caps,
            opts.threads,
            opts.runs,
        );
        println!("load average at the start: {}", load_average());
        let mut csv = String::from("primitive,impl,role,threads,ops,secs,ops_per_sec,run\n");
        let started = Instant::now();
        let mut summary = Vec::new();
        // One primitive's subjects at a time: each point is run `runs` times, the whole row
        // (ours and every peer) in one go, alternately in one order and the other, so that
        // ours and its peers share the machine's state as nearly as possible.
        for group in subjects.chunk_by(|a, b| a.primitive == b.primitive) {
            let load = load_average();
            let mut points = vec![vec![Vec::new(); opts.threads.len()]; group.len()];
            for (ti, &t) in opts.threads.iter().enumerate() {
                for run in 0..opts.runs {
                    let mut order: Vec<usize> = (0..group.len()).collect();
                    if run % 2 == 1 {
                        order.reverse();
                    }
                    for i in order {
                        let s = &group[i];
                        let p = (s.run)(t, opts.point);
                        if let Some(p) = p {
                            let _ = writeln!(
                                csv,
                                "{},{},{},{},{},{:.6},{:.0},{}",
                                s.primitive,
                                s.name,
                                s.role.name(),
                                t,
                                p.ops,
                                p.secs,
                                p.ops as f64 / p.secs,
                                run
                            );
                        }
                        points[i][ti].push(p);
                    }
                }
            }
            let block: Vec<_> = group.iter().zip(points).collect();
            summary.extend(print_block(&block, &opts.threads, &load));
        }
        if opts.runs > 1 {
            print_summary(&summary, opts.runs);
        }
        println!("load average at the end: {}", load_average());
        if let Some(dir) = opts.out.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("curve: cannot create {}: {e}", dir.display());
            }
        }
        match std::fs::write(&opts.out, &csv) {
            Ok(()) => println!(
                "\nwrote {} ({:.1} s)",
                opts.out.display(),
                started.elapsed().as_secs_f64()
            ),
            Err(e) => eprintln!("curve: cannot write {}: {e}", opts.out.display()),
        }
        let machine = format!("{cores} cores (available_parallelism), {}", cpu_model());
        let point = format!("{} ms a point", opts.point.as_millis());
        let plotted = read_csv(&csv).and_then(|(curves, _)| {
            let caps = opts.caps.iter().map(|c| c.to_string()).collect::<Vec<_>>();
            write_plots(&opts.out, &curves, |p| {
                match p.starts_with("queue") || p.starts_with("joinable") {
                    true if caps.len() == 1 => format!("{machine}; {point}; capacity {}", caps[0]),
                    true => format!("{machine}; {point}; capacities {}", caps.join(", ")),
                    false => format!("{machine}; {point}"),
                }
            })
        });
        report_plots(plotted);
    }

    /// `--plot-only`: the plots of a CSV taken earlier, here or on another machine.
    fn plot_only(csv: &Path, machine: Option<&str>) -> Result<Vec<PathBuf>, String> {
        let text = std::fs::read_to_string(csv)
            .map_err(|e| format!("cannot read {}: {e}", csv.display()))?;
        let (curves, mut secs) = read_csv(&text)?;
        secs.sort_by(f64::total_cmp);
        let point = match secs.get(secs.len() / 2) {
            Some(s) => format!("~{:.0} ms a point (median secs)", s * 1e3),
            None => "no points".into(),
        };
        let machine = machine.unwrap_or("machine not given (--machine)");
        write_plots(csv, &curves, |_| format!("{machine}; {point}"))
    }

    /// Prints what was plotted, or why not; the exit status to give.
    fn report_plots(plotted: Result<Vec<PathBuf>, String>) -> i32 {
        match plotted {
            Ok(paths) => {
                for p in paths {
                    println!("wrote {}", p.display());
                }
                0
            }
            Err(e) => {
                eprintln!("curve: plots: {e}");
                1
            }
        }
    }

    /// `/proc/loadavg`'s three load averages, or why not.
    fn load_average() -> String {
        std::fs::read_to_string("/proc/loadavg").map_or_else(
            |e| format!("unknown ({e})"),
            |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        )
    }

    /// The median of `v` (sorted here); `None` if empty.
    fn median(v: &mut [f64]) -> Option<f64> {
        v.sort_by(f64::total_cmp);
        match v.len() {
            0 => None,
            n if n % 2 == 1 => Some(v[n / 2]),
            n => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
        }
    }

    /// One row of the summary: a primitive at a thread count, ours against the best peer.
    struct Row {
        primitive: String,
        threads: usize,
        ours: f64,
        peer: &'static str,
        peer_rate: f64,
        /// Each run's ours ÷ that run's best peer, sorted.
        ratios: Vec<f64>,
    }

    /// A subject's points: for each thread count, one per run (`None` where the shape does
    /// not fit).
    type Points = Vec<Vec<Option<Point>>>;

    /// One primitive's rows: the median M ops/s at each thread count, then the median of the
    /// runs' ratios (ours ÷ the best peer of the same run) with their range. Returns the
    /// rows for the summary.
    fn print_block(block: &[(&Subject, Points)], threads: &[usize], load: &str) -> Vec<Row> {
        let primitive = &block[0].0.primitive;
        let mut head = format!("\n{primitive:<16} {:<16}", "M ops/s");
        for t in threads {
            let _ = write!(head, " {:>15}", format!("{t} thr"));
        }
        println!("{head}    (load average {load})");
        let rates = |ps: &[Option<Point>]| -> Vec<f64> {
            ps.iter().flatten().map(|p| p.ops as f64 / p.secs).collect()
        };
        for (s, points) in block {
            let name = match s.role {
                Role::Floor => format!("{} (floor)", s.name),
                _ => s.name.to_string(),
            };
            let mut line = format!("{:<16} {name:<16}", "");
            for ps in points {
                let cell = median(&mut rates(ps)).map_or("-".into(), |r| format!("{:.2}", r / 1e6));
                let _ = write!(line, " {cell:>15}");
            }
            println!("{line}");
        }
        let mut rows = Vec::new();
        let mut line = format!("{:<16} {:<16}", "", "ours/best peer");
        for (ti, &t) in threads.iter().enumerate() {
            let rate = |p: &Option<Point>| p.map(|p| p.ops as f64 / p.secs);
            let ours = block.iter().find(|(s, _)| s.role == Role::Ours);
            let peers: Vec<_> = block.iter().filter(|(s, _)| s.role == Role::Peer).collect();
            let runs = ours.map_or(0, |(_, ps)| ps[ti].len());
            let mut ratios: Vec<f64> = (0..runs)
                .filter_map(|r| {
                    let o = rate(&ours?.1[ti][r])?;
                    let best = peers
                        .iter()
                        .filter_map(|(_, ps)| rate(&ps[ti][r]))
                        .max_by(f64::total_cmp)?;
                    Some(o / best)
                })
                .collect();
            let cell = match median(&mut ratios) {
                None => "-".into(),
                Some(m) if ratios.len() == 1 => format!("{m:.2}"),
                Some(m) => format!("{m:.2} ({:.2}-{:.2})", ratios[0], ratios[ratios.len() - 1]),
            };
            let _ = write!(line, " {cell:>15}");
            let best = peers
                .iter()
                .filter_map(|(s, ps)| Some((s.name, median(&mut rates(&ps[ti]))?)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let (Some((_, ps)), Some((peer, peer_rate)), false) = (ours, best, ratios.is_empty())
            {
                rows.push(Row {
                    primitive: primitive.clone(),
                    threads: t,
                    ours: median(&mut rates(&ps[ti])).unwrap_or(0.0),
                    peer,
                    peer_rate,
                    ratios,
                });
            }
        }
        println!("{line}");
        rows
    }

    /// Every row as a Markdown table: ahead only where the whole spread is at or above 1.
    fn print_summary(rows: &[Row], runs: usize) {
        println!(
            "\nSummary ({runs} runs a point; ratio = ours ÷ the best peer of the same run, \
             median (min-max); M ops/s are medians)\n"
        );
        println!("| row | threads | verisync M ops/s | best peer | M ops/s | ratio | |");
        println!("|---|---:|---:|---|---:|---:|---|");
        for r in rows {
            let (lo, hi) = (r.ratios[0], r.ratios[r.ratios.len() - 1]);
            let m = median(&mut r.ratios.clone()).unwrap_or(0.0);
            let verdict = match (lo >= 1.0, m >= 1.0) {
                (true, _) => "ahead",
                (false, true) => "ahead by median",
                (false, false) => "behind",
            };
            println!(
                "| `{}` | {} | {:.2} | `{}` | {:.2} | **{m:.2}** ({lo:.2}–{hi:.2}) | {verdict} |",
                r.primitive,
                r.threads,
                r.ours / 1e6,
                r.peer,
                r.peer_rate / 1e6,
            );
        }
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
