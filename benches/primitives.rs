//! verisync's primitives beside their peers, in the same run (criterion).
//!
//! ```text
//! cargo bench --bench primitives                 # everything, ~2.5 minutes on 2 cores
//! cargo bench --bench primitives -- queue_spsc   # one group (criterion's filter)
//! ```
//!
//! Groups, each with ours and its peers (`BENCHMARKS.md` has the numbers and how to read them):
//!
//! * `reentrant_acquire`: [`verisync::ReentrantLock`] first acquire + release vs
//!   `parking_lot::ReentrantMutex` and `std::sync::Mutex`, 1 thread (`t1`) and 2 threads
//!   contending (`t2`);
//! * `reentrant_depth3`: re-entry with two holds already taken (`reenter`: take and give back
//!   the third) and the whole nest of three from a free lock (`nest3`), vs `parking_lot` only
//!   (a `std::sync::Mutex` cannot re-enter);
//! * `semaphore`: [`verisync::Semaphore`] (1 permit) acquire + drop vs
//!   `async_lock::Semaphore::acquire_blocking` and a `Mutex<usize>` + `Condvar` semaphore;
//! * `queue_roundtrip`: one thread, put then get of one item (capacity 1024) on
//!   [`verisync::BoundedQueue`] vs `crossbeam_channel::bounded`, `std::sync::mpsc::sync_channel`
//!   and `flume::bounded`; and our `try_put`/`try_get` vs `crossbeam_queue::ArrayQueue`;
//! * `queue_spsc`, `queue_mpsc4` (4 producers, 1 consumer), `queue_mpmc4x4`: throughput at
//!   capacity 1 and 1024, one criterion iteration = one item through the queue, so the times are
//!   per item and the throughput is items/s (`mpsc` is absent from MPMC: its receiver is not
//!   `Clone`); the non-blocking pair spins with `crossbeam_utils::Backoff` when full or empty;
//!   at capacity 1024 also [`verisync::JoinableQueue`] (`get` then `task_done`) beside its
//!   fair peer `crossbeam_tasks` (the channel, an atomic task count and a `join` condvar);
//! * `mutex`: [`verisync::Mutex`] lock + bump a counter + unlock vs `std::sync::Mutex` and
//!   `parking_lot::Mutex`, 1 thread (`t1`) and 2 threads contending (`t2`);
//! * `event`: [`verisync::Event`] vs the event most Rust code writes, a `bool` under a mutex
//!   with a condition variable (std's, and parking_lot's): `t1` is one thread's set + wait +
//!   clear (the uncontended paths), `pingpong` one round trip between two threads that each
//!   wait for the other's event (a wakeup each way);
//! * `condition`: [`verisync::Condition`] vs a `Mutex` + `Condvar` pair (std's, parking_lot's):
//!   `t1` is lock + `notify(1)` with nobody waiting + unlock, `pingpong` one round trip of two
//!   threads taking turns on a shared flag (wait while it is not my turn, flip, notify);
//! * `pool`: [`verisync::ThreadPool`] vs the pool most Rust code writes by hand (workers
//!   looping on a `crossbeam_channel`, a one-slot channel per task for its result):
//!   `roundtrip` submits one empty task to a one-worker pool and joins it, `batch` submits 1000
//!   to a four-worker pool and joins them all (one criterion iteration = one task);
//! * `account`: [`verisync::Account::deposit`] vs a `std::sync::Mutex<u64>`, a
//!   `parking_lot::Mutex<u64>` and the floor, one `AtomicU64::fetch_add`.
//!
//! Contended runs (`t2`, the queue shapes) split `iters` operations among the threads and time
//! from a barrier to the last join: the reported time is wall time per operation, whoever did it.
//!
//! After criterion's own report, a summary prints each row's median beside its best peer's and
//! the ratio (> 1: verisync is faster), read back from criterion's `estimates.json` files.

#[cfg(not(any(loom, feature = "shuttle")))]
#[path = "common/queues.rs"]
mod queues;

#[cfg(not(any(loom, feature = "shuttle")))]
mod bench {
    use super::queues::Spinning;
    use criterion::measurement::WallTime;
    use criterion::{Bencher, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
    use crossbeam_channel as cb;
    use crossbeam_utils::Backoff;
    use std::cell::Cell;
    use std::hint::black_box;
    use std::ops::Deref;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{mpsc, Arc, Barrier, Condvar, Mutex};
    use std::thread;
    use std::time::{Duration, Instant, SystemTime};
    use verisync::{Account, BoundedQueue, JoinableQueue, ReentrantLock, Semaphore};

    // -----------------------------------------------------------------------------------------
    // The hand-rolled peer: a counting semaphore the way most Rust code writes one.

    /// A `Mutex<usize>` + `Condvar` counting semaphore.
    pub struct CondvarSemaphore {
        permits: Mutex<usize>,
        cv: Condvar,
    }

    /// Gives its permit back when dropped.
    pub struct CondvarPermit<'a>(&'a CondvarSemaphore);

    impl CondvarSemaphore {
        pub fn new(permits: usize) -> Self {
            CondvarSemaphore {
                permits: Mutex::new(permits),
                cv: Condvar::new(),
            }
        }

        pub fn acquire(&self) -> CondvarPermit<'_> {
            let mut n = self
                .cv
                .wait_while(self.permits.lock().unwrap(), |n| *n == 0)
                .unwrap();
            *n -= 1;
            CondvarPermit(self)
        }
    }

    impl Drop for CondvarPermit<'_> {
        fn drop(&mut self) {
            *self.0.permits.lock().unwrap() += 1;
            self.0.cv.notify_one();
        }
    }

    /// An event the way most Rust code writes one: a flag under a mutex, a condition variable
    /// notified on set. `M` picks std's or parking_lot's pair.
    pub struct CondvarEvent<M, C> {
        set: M,
        cv: C,
    }

    /// What the `event` group needs of an event.
    trait EventLike: Send + Sync {
        fn new_event() -> Self;
        fn set(&self);
        fn clear(&self);
        fn wait(&self);
    }

    impl EventLike for verisync::Event {
        fn new_event() -> Self {
            verisync::Event::new()
        }
        fn set(&self) {
            verisync::Event::set(self)
        }
        fn clear(&self) {
            verisync::Event::clear(self)
        }
        fn wait(&self) {
            verisync::Event::wait(self)
        }
    }

    impl EventLike for CondvarEvent<Mutex<bool>, Condvar> {
        fn new_event() -> Self {
            CondvarEvent {
                set: Mutex::new(false),
                cv: Condvar::new(),
            }
        }
        fn set(&self) {
            *self.set.lock().unwrap() = true;
            self.cv.notify_all();
        }
        fn clear(&self) {
            *self.set.lock().unwrap() = false;
        }
        fn wait(&self) {
            drop(
                self.cv
                    .wait_while(self.set.lock().unwrap(), |s| !*s)
                    .unwrap(),
            );
        }
    }

    impl EventLike for CondvarEvent<parking_lot::Mutex<bool>, parking_lot::Condvar> {
        fn new_event() -> Self {
            CondvarEvent {
                set: parking_lot::Mutex::new(false),
                cv: parking_lot::Condvar::new(),
            }
        }
        fn set(&self) {
            *self.set.lock() = true;
            self.cv.notify_all();
        }
        fn clear(&self) {
            *self.set.lock() = false;
        }
        fn wait(&self) {
            let mut set = self.set.lock();
            self.cv.wait_while(&mut set, |s| !*s);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Running `iters` operations on several threads.

    /// Splits `n` into `k` shares that differ by at most one.
    fn share(n: u64, k: usize, i: usize) -> u64 {
        n / k as u64 + u64::from((i as u64) < n % k as u64)
    }

    /// The span from the earliest start to the latest end. Each thread reads its own clock: a
    /// coordinator's clock would start late if it were descheduled after the barrier (two
    /// cores, three threads), and a short sample could then read as almost no time at all.
    fn span(spans: impl IntoIterator<Item = (Instant, Instant)>) -> Duration {
        let (starts, ends): (Vec<_>, Vec<_>) = spans.into_iter().unzip();
        let (start, end) = (starts.iter().min().unwrap(), ends.iter().max().unwrap());
        end.duration_since(*start)
    }

    /// Runs `op` `iters` times in all, split among `threads` threads started together; returns
    /// the wall time from the first thread's start to the last thread's end.
    fn on_threads(threads: usize, iters: u64, op: impl Fn() + Sync) -> Duration {
        if threads == 1 {
            let start = Instant::now();
            for _ in 0..iters {
                op();
            }
            return start.elapsed();
        }
        let barrier = Barrier::new(threads);
        thread::scope(|s| {
            let (barrier, op) = (&barrier, &op);
            let hs: Vec<_> = (0..threads)
                .map(|i| {
                    s.spawn(move || {
                        barrier.wait();
                        let start = Instant::now();
                        for _ in 0..share(iters, threads, i) {
                            op();
                        }
                        (start, Instant::now())
                    })
                })
                .collect();
            span(hs.into_iter().map(|h| h.join().unwrap()))
        })
    }

    /// Moves `n` items from `producers` threads to `consumers` threads; `sender()` and
    /// `receiver()` are called once per thread for its endpoint. Returns the wall time from the
    /// first thread's start to the last thread's end, and checks that every item arrived exactly once (by
    /// count and sum).
    fn transfer<S, R>(
        producers: usize,
        consumers: usize,
        n: u64,
        mut sender: impl FnMut() -> S,
        mut receiver: impl FnMut() -> R,
    ) -> Duration
    where
        S: FnMut(u64) + Send + 'static,
        R: FnMut() -> u64 + Send + 'static,
    {
        let barrier = Arc::new(Barrier::new(producers + consumers));
        let ps: Vec<_> = (0..producers)
            .map(|i| {
                let (b, mut send, k) = (Arc::clone(&barrier), sender(), share(n, producers, i));
                thread::spawn(move || {
                    b.wait();
                    let start = Instant::now();
                    for v in 0..k {
                        send(v);
                    }
                    (start, Instant::now(), k * k.saturating_sub(1) / 2)
                })
            })
            .collect();
        let cs: Vec<_> = (0..consumers)
            .map(|i| {
                let (b, mut recv, k) = (Arc::clone(&barrier), receiver(), share(n, consumers, i));
                thread::spawn(move || {
                    b.wait();
                    let start = Instant::now();
                    let sum = (0..k).fold(0u64, |sum, _| sum.wrapping_add(recv()));
                    (start, Instant::now(), sum)
                })
            })
            .collect();
        let (mut spans, mut put, mut got) = (Vec::new(), 0u64, 0u64);
        for h in ps {
            let (start, end, sum) = h.join().unwrap();
            spans.push((start, end));
            put = put.wrapping_add(sum);
        }
        for h in cs {
            let (start, end, sum) = h.join().unwrap();
            spans.push((start, end));
            got = got.wrapping_add(sum);
        }
        assert_eq!(put, got, "items lost or duplicated");
        span(spans)
    }

    /// A blocking queue under test, described once: how to open one with a receiving handle
    /// for each of `consumers` threads, a put and a get.
    trait Blocking {
        /// A producer's handle, cloned for each producer.
        type Tx: Clone + Send + 'static;
        /// A consumer's handle.
        type Rx: Send + 'static;
        fn open(cap: usize, consumers: usize) -> (Self::Tx, Vec<Self::Rx>);
        fn put(tx: &Self::Tx, v: u64);
        fn get(rx: &Self::Rx) -> u64;
    }

    /// [`BoundedQueue`]'s blocking `put` and `get`.
    struct Verisync;

    impl Blocking for Verisync {
        type Tx = Arc<BoundedQueue<u64>>;
        type Rx = Arc<BoundedQueue<u64>>;
        fn open(cap: usize, consumers: usize) -> (Self::Tx, Vec<Self::Rx>) {
            let q = Arc::new(BoundedQueue::new(cap));
            let rxs = (0..consumers).map(|_| Arc::clone(&q)).collect();
            (q, rxs)
        }
        fn put(q: &Self::Tx, v: u64) {
            q.put(v).unwrap()
        }
        fn get(q: &Self::Rx) -> u64 {
            q.get().unwrap()
        }
    }

    /// [`JoinableQueue`]: a blocking `put`, and `get` followed by `task_done`.
    struct Joinable;

    impl Blocking for Joinable {
        type Tx = Arc<JoinableQueue<u64>>;
        type Rx = Arc<JoinableQueue<u64>>;
        fn open(cap: usize, consumers: usize) -> (Self::Tx, Vec<Self::Rx>) {
            let q = Arc::new(JoinableQueue::new(cap));
            let rxs = (0..consumers).map(|_| Arc::clone(&q)).collect();
            (q, rxs)
        }
        fn put(q: &Self::Tx, v: u64) {
            q.put(v).unwrap()
        }
        fn get(q: &Self::Rx) -> u64 {
            let v = q.get().unwrap();
            q.task_done().unwrap();
            v
        }
    }

    /// `JoinableQueue`'s fair peer: a crossbeam channel, an atomic count of unfinished tasks
    /// raised before each send, and a `join` condvar notified by the `task_done` that reaches
    /// zero while somebody joins (the way most code adds `task_done`/`join` to a channel).
    struct Tasks {
        unfinished: AtomicU64,
        joiners: Mutex<usize>,
        all_done: Condvar,
    }

    impl Tasks {
        fn task_done(&self) {
            // AcqRel: the work before happens-before a join that sees zero.
            if self.unfinished.fetch_sub(1, Ordering::AcqRel) == 1 {
                let joiners = self.joiners.lock().unwrap();
                if *joiners > 0 {
                    self.all_done.notify_all();
                }
            }
        }
    }

    struct CrossbeamTasks;

    impl Blocking for CrossbeamTasks {
        type Tx = (cb::Sender<u64>, Arc<Tasks>);
        type Rx = (cb::Receiver<u64>, Arc<Tasks>);
        fn open(cap: usize, consumers: usize) -> (Self::Tx, Vec<Self::Rx>) {
            let (tx, rx) = cb::bounded(cap);
            let tasks = Arc::new(Tasks {
                unfinished: AtomicU64::new(0),
                joiners: Mutex::new(0),
                all_done: Condvar::new(),
            });
            let rxs = (0..consumers)
                .map(|_| (rx.clone(), Arc::clone(&tasks)))
                .collect();
            ((tx, tasks), rxs)
        }
        fn put((tx, tasks): &Self::Tx, v: u64) {
            // Relaxed: counted before the send, which publishes the item.
            tasks.unfinished.fetch_add(1, Ordering::Relaxed);
            tx.send(v).unwrap()
        }
        fn get((rx, tasks): &Self::Rx) -> u64 {
            let v = rx.recv().unwrap();
            tasks.task_done();
            v
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
                fn get(rx: &$rx) -> u64 {
                    rx.recv().unwrap()
                }
            }
        };
    }

    channel!(Crossbeam: cb::Sender<u64>, cb::Receiver<u64>, |cap, n| {
        let (tx, rx) = cb::bounded(cap);
        (tx, (0..n).map(|_| rx.clone()).collect())
    });
    channel!(Flume: flume::Sender<u64>, flume::Receiver<u64>, |cap, n| {
        let (tx, rx) = flume::bounded(cap);
        (tx, (0..n).map(|_| rx.clone()).collect())
    });
    channel!(Mpsc: mpsc::SyncSender<u64>, mpsc::Receiver<u64>, |cap, n| {
        assert!(n == 1, "mpsc has one receiver");
        let (tx, rx) = mpsc::sync_channel(cap);
        (tx, vec![rx])
    });

    /// Moves `n` `u64`s through a fresh blocking `Q` of `cap`.
    fn blocking<Q: Blocking>(cap: usize, producers: usize, consumers: usize, n: u64) -> Duration {
        let (tx, rxs) = Q::open(cap, consumers);
        let mut rxs = rxs.into_iter();
        transfer(
            producers,
            consumers,
            n,
            || {
                let tx = tx.clone();
                move |v| Q::put(&tx, v)
            },
            || {
                let rx = rxs.next().expect("a receiver per consumer");
                move || Q::get(&rx)
            },
        )
    }

    /// Moves `n` `u64`s through a fresh non-blocking `Q` of `cap`, spinning with `Backoff`
    /// while it is full or empty.
    fn spinning<Q: Spinning>(cap: usize, producers: usize, consumers: usize, n: u64) -> Duration {
        let q = Arc::new(Q::with_capacity(cap));
        transfer(
            producers,
            consumers,
            n,
            || {
                let q = Arc::clone(&q);
                move |mut v| {
                    let backoff = Backoff::new();
                    while let Err(back) = q.offer(v) {
                        v = back;
                        backoff.snooze();
                    }
                }
            },
            || {
                let q = Arc::clone(&q);
                move || {
                    let backoff = Backoff::new();
                    loop {
                        if let Some(v) = q.poll() {
                            return v;
                        }
                        backoff.snooze();
                    }
                }
            },
        )
    }

    /// One thread, put then get of one item, on a blocking `Q` of `cap`.
    fn roundtrip_blocking<Q: Blocking>(b: &mut Bencher<'_>, cap: usize) {
        let (tx, rxs) = Q::open(cap, 1);
        b.iter(|| {
            Q::put(&tx, black_box(1u64));
            Q::get(&rxs[0])
        })
    }

    /// One thread, `offer` then `poll` of one item, on a non-blocking `Q` of `cap`.
    fn roundtrip_spinning<Q: Spinning>(b: &mut Bencher<'_>, cap: usize) {
        let q = Q::with_capacity(cap);
        b.iter(|| {
            q.offer(black_box(1u64)).unwrap();
            q.poll().unwrap()
        })
    }

    /// The queues and channels under test.
    #[derive(Clone, Copy)]
    enum Queue {
        Ours,
        OursJoinable,
        CrossbeamTasks,
        OursTry,
        Crossbeam,
        Mpsc,
        Flume,
        Array,
    }

    const QUEUES: [Queue; 6] = [
        Queue::Ours,
        Queue::Crossbeam,
        Queue::Mpsc,
        Queue::Flume,
        Queue::OursTry,
        Queue::Array,
    ];

    /// The task-counting queues, measured at capacity 1024 beside the plain ones.
    const JOINABLE: [Queue; 2] = [Queue::OursJoinable, Queue::CrossbeamTasks];

    type ArrayQueue = crossbeam_queue::ArrayQueue<u64>;

    impl Queue {
        fn name(self) -> &'static str {
            match self {
                Queue::Ours => "verisync",
                Queue::OursJoinable => "verisync_joinable",
                Queue::CrossbeamTasks => "crossbeam_tasks",
                Queue::OursTry => "verisync_try",
                Queue::Crossbeam => "crossbeam",
                Queue::Mpsc => "mpsc",
                Queue::Flume => "flume",
                Queue::Array => "array_queue",
            }
        }

        /// Whether several threads may receive (`mpsc`'s receiver is not `Clone`).
        fn multi_consumer(self) -> bool {
            !matches!(self, Queue::Mpsc)
        }

        /// Moves `n` `u64`s through a fresh queue of `cap`.
        fn run(self, cap: usize, producers: usize, consumers: usize, n: u64) -> Duration {
            let run = match self {
                Queue::Ours => blocking::<Verisync>,
                Queue::OursJoinable => blocking::<Joinable>,
                Queue::CrossbeamTasks => blocking::<CrossbeamTasks>,
                Queue::OursTry => spinning::<BoundedQueue<u64>>,
                Queue::Crossbeam => blocking::<Crossbeam>,
                Queue::Mpsc => blocking::<Mpsc>,
                Queue::Flume => blocking::<Flume>,
                Queue::Array => spinning::<ArrayQueue>,
            };
            run(cap, producers, consumers, n)
        }

        /// One thread, put then get of one item, on a fresh queue of `cap`.
        fn roundtrip(self, b: &mut Bencher<'_>, cap: usize) {
            let roundtrip = match self {
                Queue::Ours => roundtrip_blocking::<Verisync>,
                Queue::OursJoinable => roundtrip_blocking::<Joinable>,
                Queue::CrossbeamTasks => roundtrip_blocking::<CrossbeamTasks>,
                Queue::OursTry => roundtrip_spinning::<BoundedQueue<u64>>,
                Queue::Crossbeam => roundtrip_blocking::<Crossbeam>,
                Queue::Mpsc => roundtrip_blocking::<Mpsc>,
                Queue::Flume => roundtrip_blocking::<Flume>,
                Queue::Array => roundtrip_spinning::<ArrayQueue>,
            };
            roundtrip(b, cap)
        }
    }

    // -----------------------------------------------------------------------------------------
    // The groups

    const THREADS: [usize; 2] = [1, 2];

    fn tag(threads: usize) -> String {
        format!("t{threads}")
    }

    /// Benches `op` as `name/t<threads>`: `iters` calls split among `threads` threads on one
    /// instance (flat sampling when contended).
    fn threaded(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, t: usize, op: impl Fn() + Sync) {
        g.sampling_mode(if t > 1 {
            SamplingMode::Flat
        } else {
            SamplingMode::Auto
        });
        g.bench_function(BenchmarkId::new(name, tag(t)), |b| {
            b.iter_custom(|n| on_threads(t, n, &op))
        });
    }

    /// A re-entrant lock's operation, once locked: bump the count.
    fn bump(g: impl Deref<Target = Cell<u64>>) {
        g.set(g.get() + 1);
    }

    /// A re-entrant lock under test.
    trait Reentrant {
        fn new_lock() -> Self;
        fn enter(&self) -> impl Deref<Target = Cell<u64>> + '_;
    }

    impl Reentrant for ReentrantLock<Cell<u64>> {
        fn new_lock() -> Self {
            ReentrantLock::new(Cell::new(0))
        }
        fn enter(&self) -> impl Deref<Target = Cell<u64>> + '_ {
            self.lock()
        }
    }

    impl Reentrant for parking_lot::ReentrantMutex<Cell<u64>> {
        fn new_lock() -> Self {
            parking_lot::ReentrantMutex::new(Cell::new(0))
        }
        fn enter(&self) -> impl Deref<Target = Cell<u64>> + '_ {
            self.lock()
        }
    }

    /// `name/reenter` (a third hold taken and given back while two are held) and `name/nest3`
    /// (three holds from a free lock).
    fn depth3<L: Reentrant>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str) {
        let l = L::new_lock();
        g.bench_function(BenchmarkId::new(name, "reenter"), |b| {
            let (_a, _b) = (l.enter(), l.enter());
            b.iter(|| bump(l.enter()))
        });
        g.bench_function(BenchmarkId::new(name, "nest3"), |b| {
            b.iter(|| {
                let (_a, _b, g) = (l.enter(), l.enter(), l.enter());
                bump(g)
            })
        });
    }

    fn reentrant(c: &mut Criterion) {
        let mut g = c.benchmark_group("reentrant_acquire");
        g.throughput(Throughput::Elements(1));
        for t in THREADS {
            let ours = ReentrantLock::<Cell<u64>>::new_lock();
            threaded(&mut g, "verisync", t, || bump(ours.lock()));
            let pl = parking_lot::ReentrantMutex::<Cell<u64>>::new_lock();
            threaded(&mut g, "parking_lot", t, || bump(pl.lock()));
            let std = Mutex::new(0u64);
            threaded(&mut g, "std_mutex", t, || *std.lock().unwrap() += 1);
        }
        g.finish();

        let mut g = c.benchmark_group("reentrant_depth3");
        g.throughput(Throughput::Elements(1));
        depth3::<ReentrantLock<Cell<u64>>>(&mut g, "verisync");
        depth3::<parking_lot::ReentrantMutex<Cell<u64>>>(&mut g, "parking_lot");
        g.finish();
    }

    fn semaphore(c: &mut Criterion) {
        let mut g = c.benchmark_group("semaphore");
        g.throughput(Throughput::Elements(1));
        for t in THREADS {
            let ours = Semaphore::new(1);
            threaded(&mut g, "verisync", t, || drop(black_box(ours.acquire())));
            let al = async_lock::Semaphore::new(1);
            threaded(&mut g, "async_lock", t, || {
                drop(black_box(al.acquire_blocking()))
            });
            let cv = CondvarSemaphore::new(1);
            threaded(&mut g, "mutex_condvar", t, || drop(black_box(cv.acquire())));
        }
        g.finish();
    }

    fn queue_roundtrip(c: &mut Criterion) {
        let mut g = c.benchmark_group("queue_roundtrip");
        g.throughput(Throughput::Elements(1));
        for q in QUEUES {
            g.bench_function(BenchmarkId::new(q.name(), "t1"), |b| q.roundtrip(b, 1024));
        }
        g.finish();
    }

    /// The throughput shapes: group name, producers, consumers.
    const SHAPES: [(&str, usize, usize); 3] = [
        ("queue_spsc", 1, 1),
        ("queue_mpsc4", 4, 1),
        ("queue_mpmc4x4", 4, 4),
    ];
    const CAPS: [usize; 2] = [1, 1024];

    fn queue_throughput(c: &mut Criterion) {
        for (group, producers, consumers) in SHAPES {
            let mut g = c.benchmark_group(group);
            g.throughput(Throughput::Elements(1));
            g.sampling_mode(SamplingMode::Flat);
            for cap in CAPS {
                let joinable = JOINABLE.iter().filter(|_| cap == 1024);
                for &q in QUEUES.iter().chain(joinable) {
                    if consumers > 1 && !q.multi_consumer() {
                        continue;
                    }
                    g.bench_function(BenchmarkId::new(q.name(), format!("cap{cap}")), |b| {
                        b.iter_custom(|n| q.run(cap, producers, consumers, n))
                    });
                }
            }
            g.finish();
        }
    }

    fn mutex(c: &mut Criterion) {
        let mut g = c.benchmark_group("mutex");
        g.throughput(Throughput::Elements(1));
        for t in THREADS {
            let ours = verisync::Mutex::new(0u64);
            threaded(&mut g, "verisync", t, || *black_box(&ours).lock() += 1);
            let pl = parking_lot::Mutex::new(0u64);
            threaded(&mut g, "parking_lot", t, || *black_box(&pl).lock() += 1);
            let std = Mutex::new(0u64);
            threaded(&mut g, "std_mutex", t, || {
                *black_box(&std).lock().unwrap() += 1
            });
        }
        g.finish();
    }

    /// `name/t1`: set, wait (returns at once), clear. `name/pingpong`: one round trip, two
    /// threads each waiting for the other's event and clearing it before answering.
    fn event_rows<E: EventLike>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str) {
        let e = E::new_event();
        g.sampling_mode(SamplingMode::Auto);
        g.bench_function(BenchmarkId::new(name, "t1"), |b| {
            b.iter(|| {
                black_box(&e).set();
                e.wait();
                e.clear();
            })
        });
        g.sampling_mode(SamplingMode::Flat);
        g.bench_function(BenchmarkId::new(name, "pingpong"), |b| {
            b.iter_custom(|n| {
                let (ping, pong) = (E::new_event(), E::new_event());
                thread::scope(|s| {
                    s.spawn(|| {
                        for _ in 0..n {
                            ping.wait();
                            ping.clear();
                            pong.set();
                        }
                    });
                    let start = Instant::now();
                    for _ in 0..n {
                        ping.set();
                        pong.wait();
                        pong.clear();
                    }
                    start.elapsed()
                })
            })
        });
    }

    fn event(c: &mut Criterion) {
        let mut g = c.benchmark_group("event");
        g.throughput(Throughput::Elements(1));
        event_rows::<verisync::Event>(&mut g, "verisync");
        event_rows::<CondvarEvent<Mutex<bool>, Condvar>>(&mut g, "std_condvar");
        event_rows::<CondvarEvent<parking_lot::Mutex<bool>, parking_lot::Condvar>>(
            &mut g,
            "parking_lot_condvar",
        );
        g.finish();
    }

    /// The hand-written pool: workers loop on a channel of boxed jobs; each task sends its
    /// result on a one-slot channel of its own.
    struct ChannelPool {
        jobs: Option<cb::Sender<Box<dyn FnOnce() + Send>>>,
        workers: Vec<thread::JoinHandle<()>>,
    }

    impl ChannelPool {
        fn new(threads: usize) -> Self {
            let (jobs, rx) = cb::unbounded::<Box<dyn FnOnce() + Send>>();
            let workers = (0..threads)
                .map(|_| {
                    let rx = rx.clone();
                    thread::spawn(move || {
                        for job in rx {
                            job();
                        }
                    })
                })
                .collect();
            ChannelPool {
                jobs: Some(jobs),
                workers,
            }
        }

        fn submit<R: Send + 'static>(
            &self,
            f: impl FnOnce() -> R + Send + 'static,
        ) -> cb::Receiver<R> {
            let (tx, rx) = cb::bounded(1);
            let job = Box::new(move || {
                let _ = tx.send(f());
            });
            self.jobs.as_ref().unwrap().send(job).unwrap();
            rx
        }
    }

    impl Drop for ChannelPool {
        fn drop(&mut self) {
            drop(self.jobs.take());
            for w in self.workers.drain(..) {
                w.join().unwrap();
            }
        }
    }

    fn pool(c: &mut Criterion) {
        let mut g = c.benchmark_group("pool");
        g.throughput(Throughput::Elements(1));
        g.sampling_mode(SamplingMode::Flat);
        let ours = verisync::ThreadPool::new(1);
        g.bench_function(BenchmarkId::new("verisync", "roundtrip"), |b| {
            b.iter(|| ours.submit(|| black_box(1)).unwrap().join().unwrap())
        });
        let peer = ChannelPool::new(1);
        g.bench_function(BenchmarkId::new("channel_pool", "roundtrip"), |b| {
            b.iter(|| peer.submit(|| black_box(1)).recv().unwrap())
        });
        let ours = verisync::ThreadPool::with_capacity(4, 1024);
        g.bench_function(BenchmarkId::new("verisync", "batch"), |b| {
            b.iter_custom(|n| {
                let start = Instant::now();
                let mut left = n;
                while left > 0 {
                    let k = left.min(1000);
                    let tasks: Vec<_> = (0..k)
                        .map(|i| ours.submit(move || black_box(i)).unwrap())
                        .collect();
                    for t in tasks {
                        black_box(t.join().unwrap());
                    }
                    left -= k;
                }
                start.elapsed()
            })
        });
        let peer = ChannelPool::new(4);
        g.bench_function(BenchmarkId::new("channel_pool", "batch"), |b| {
            b.iter_custom(|n| {
                let start = Instant::now();
                let mut left = n;
                while left > 0 {
                    let k = left.min(1000);
                    let tasks: Vec<_> = (0..k).map(|i| peer.submit(move || black_box(i))).collect();
                    for t in tasks {
                        black_box(t.recv().unwrap());
                    }
                    left -= k;
                }
                start.elapsed()
            })
        });
        g.finish();
    }

    /// What the `condition` group needs: a flag of whose turn it is, under a lock with a
    /// condition; `turn(me)` waits for my turn, hands it over and notifies.
    trait TurnTaking: Send + Sync {
        fn new_turns() -> Self;
        fn notify_nobody(&self);
        fn turn(&self, me: bool);
    }

    impl TurnTaking for verisync::Condition<bool> {
        fn new_turns() -> Self {
            verisync::Condition::new(false)
        }
        fn notify_nobody(&self) {
            black_box(self.lock().notify(1));
        }
        fn turn(&self, me: bool) {
            let mut g = self.lock();
            g.wait_while(|t| *t != me);
            *g = !me;
            g.notify(1);
        }
    }

    impl TurnTaking for (Mutex<bool>, Condvar) {
        fn new_turns() -> Self {
            (Mutex::new(false), Condvar::new())
        }
        fn notify_nobody(&self) {
            let g = self.0.lock().unwrap();
            self.1.notify_one();
            drop(black_box(g));
        }
        fn turn(&self, me: bool) {
            let mut g = self
                .1
                .wait_while(self.0.lock().unwrap(), |t| *t != me)
                .unwrap();
            *g = !me;
            self.1.notify_one();
        }
    }

    impl TurnTaking for (parking_lot::Mutex<bool>, parking_lot::Condvar) {
        fn new_turns() -> Self {
            (parking_lot::Mutex::new(false), parking_lot::Condvar::new())
        }
        fn notify_nobody(&self) {
            let g = self.0.lock();
            self.1.notify_one();
            drop(black_box(g));
        }
        fn turn(&self, me: bool) {
            let mut g = self.0.lock();
            self.1.wait_while(&mut g, |t| *t != me);
            *g = !me;
            self.1.notify_one();
        }
    }

    fn condition_rows<C: TurnTaking>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str) {
        let c = C::new_turns();
        g.sampling_mode(SamplingMode::Auto);
        g.bench_function(BenchmarkId::new(name, "t1"), |b| {
            b.iter(|| c.notify_nobody())
        });
        g.sampling_mode(SamplingMode::Flat);
        g.bench_function(BenchmarkId::new(name, "pingpong"), |b| {
            b.iter_custom(|n| {
                let turns = C::new_turns();
                thread::scope(|s| {
                    s.spawn(|| {
                        for _ in 0..n {
                            turns.turn(true);
                        }
                    });
                    let start = Instant::now();
                    for _ in 0..n {
                        turns.turn(false);
                    }
                    start.elapsed()
                })
            })
        });
    }

    fn condition(c: &mut Criterion) {
        let mut g = c.benchmark_group("condition");
        g.throughput(Throughput::Elements(1));
        condition_rows::<verisync::Condition<bool>>(&mut g, "verisync");
        condition_rows::<(Mutex<bool>, Condvar)>(&mut g, "std_condvar");
        condition_rows::<(parking_lot::Mutex<bool>, parking_lot::Condvar)>(
            &mut g,
            "parking_lot_condvar",
        );
        g.finish();
    }

    fn account(c: &mut Criterion) {
        let mut g = c.benchmark_group("account");
        g.throughput(Throughput::Elements(1));
        for t in THREADS {
            let ours = Account::new(0);
            threaded(&mut g, "verisync", t, || {
                black_box(ours.deposit(black_box(1)).unwrap());
            });
            let std = Mutex::new(0u64);
            threaded(&mut g, "std_mutex", t, || {
                let mut g = std.lock().unwrap();
                *g = g.checked_add(black_box(1)).unwrap();
                black_box(*g);
            });
            let pl = parking_lot::Mutex::new(0u64);
            threaded(&mut g, "parking_lot", t, || {
                let mut g = pl.lock();
                *g = g.checked_add(black_box(1)).unwrap();
                black_box(*g);
            });
            let atomic = AtomicU64::new(0);
            threaded(&mut g, "atomic", t, || {
                black_box(atomic.fetch_add(black_box(1), Ordering::AcqRel));
            });
        }
        g.finish();
    }

    // -----------------------------------------------------------------------------------------
    // The summary: ours beside the best peer, read back from criterion's files.

    /// One summary row: a group and parameter, our function, the peers, and an optional floor
    /// (shown, but not a peer: nothing that locks can match it).
    struct Row {
        group: &'static str,
        param: String,
        ours: &'static str,
        peers: &'static [&'static str],
        floor: Option<&'static str>,
    }

    fn rows() -> Vec<Row> {
        let mut rows = Vec::new();
        let row = |group, param: &str, ours, peers, floor| Row {
            group,
            param: param.to_string(),
            ours,
            peers,
            floor,
        };
        for t in THREADS {
            rows.push(row(
                "reentrant_acquire",
                &tag(t),
                "verisync",
                &["parking_lot", "std_mutex"],
                None,
            ));
        }
        for p in ["reenter", "nest3"] {
            rows.push(row(
                "reentrant_depth3",
                p,
                "verisync",
                &["parking_lot"],
                None,
            ));
        }
        for t in THREADS {
            rows.push(row(
                "semaphore",
                &tag(t),
                "verisync",
                &["async_lock", "mutex_condvar"],
                None,
            ));
        }
        const BLOCKING: &[&str] = &["crossbeam", "mpsc", "flume"];
        rows.push(row("queue_roundtrip", "t1", "verisync", BLOCKING, None));
        rows.push(row(
            "queue_roundtrip",
            "t1",
            "verisync_try",
            &["array_queue"],
            None,
        ));
        for (group, _, _) in SHAPES {
            for cap in CAPS {
                let p = format!("cap{cap}");
                rows.push(row(group, &p, "verisync", BLOCKING, None));
                rows.push(row(group, &p, "verisync_try", &["array_queue"], None));
            }
            // JoinableQueue beside its fair peer, and beside the plain queue it wraps.
            let p = "cap1024";
            rows.push(row(
                group,
                p,
                "verisync_joinable",
                &["crossbeam_tasks"],
                None,
            ));
            rows.push(row(group, p, "verisync_joinable", &["verisync"], None));
        }
        for t in THREADS {
            rows.push(row(
                "mutex",
                &tag(t),
                "verisync",
                &["parking_lot", "std_mutex"],
                None,
            ));
        }
        for p in ["t1", "pingpong"] {
            rows.push(row(
                "event",
                p,
                "verisync",
                &["std_condvar", "parking_lot_condvar"],
                None,
            ));
        }
        for p in ["t1", "pingpong"] {
            rows.push(row(
                "condition",
                p,
                "verisync",
                &["std_condvar", "parking_lot_condvar"],
                None,
            ));
        }
        for p in ["roundtrip", "batch"] {
            rows.push(row("pool", p, "verisync", &["channel_pool"], None));
        }
        for t in THREADS {
            rows.push(row(
                "account",
                &tag(t),
                "verisync",
                &["parking_lot", "std_mutex"],
                Some("atomic"),
            ));
        }
        rows
    }

    /// Criterion's output directory, set explicitly so the summary knows where to read:
    /// `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else `<target>/criterion` from
    /// this executable's path (`<target>/release/deps/primitives-…`).
    fn output_dir() -> PathBuf {
        if let Some(home) = std::env::var_os("CRITERION_HOME") {
            return home.into();
        }
        if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
            return PathBuf::from(t).join("criterion");
        }
        std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("criterion")))
            .unwrap_or_else(|| PathBuf::from("target/criterion"))
    }

    /// The median and mean time per iteration, in ns, of a benchmark measured since `since`.
    fn estimates_ns(
        dir: &Path,
        group: &str,
        function: &str,
        param: &str,
        since: SystemTime,
    ) -> Option<(f64, f64)> {
        let file = dir
            .join(group)
            .join(function)
            .join(param)
            .join("new")
            .join("estimates.json");
        if std::fs::metadata(&file).ok()?.modified().ok()? < since {
            return None; // left over from an earlier run (filtered out of this one)
        }
        let text = std::fs::read_to_string(&file).ok()?;
        // {"mean":{…,"point_estimate":123.4,…},"median":{…,"point_estimate":120.1,…},…}
        let point = |key: &str| -> Option<f64> {
            let from = &text[text.find(&format!("\"{key}\""))?..];
            let at = from.find("\"point_estimate\":")? + "\"point_estimate\":".len();
            let num: String = from[at..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
                .collect();
            num.parse().ok()
        };
        Some((point("median")?, point("mean")?))
    }

    /// The median alone.
    fn median_ns(
        dir: &Path,
        group: &str,
        function: &str,
        param: &str,
        since: SystemTime,
    ) -> Option<f64> {
        estimates_ns(dir, group, function, param, since).map(|(median, _)| median)
    }

    fn human(ns: f64) -> String {
        if ns >= 1e6 {
            format!("{:.2} ms", ns / 1e6)
        } else if ns >= 1e3 {
            format!("{:.2} µs", ns / 1e3)
        } else {
            format!("{ns:.1} ns")
        }
    }

    fn summary(dir: &Path, since: SystemTime) {
        println!();
        println!("## verisync vs best peer (median time per op; ratio = best peer / ours, > 1: verisync faster)");
        println!();
        println!("| group | case | verisync | time | best peer | time | ratio | floor | note |");
        println!("|---|---|---|---:|---|---:|---:|---:|---|");
        for r in rows() {
            let Some((ours, ours_mean)) = estimates_ns(dir, r.group, r.ours, &r.param, since)
            else {
                continue;
            };
            // A mean far above the median: some samples fell into a much slower mode.
            let note = if ours_mean > 2.0 * ours {
                format!("bimodal: mean {}", human(ours_mean))
            } else {
                String::new()
            };
            let best = r
                .peers
                .iter()
                .filter_map(|p| Some((*p, median_ns(dir, r.group, p, &r.param, since)?)))
                .min_by(|a, b| a.1.total_cmp(&b.1));
            let floor = r
                .floor
                .and_then(|f| {
                    Some(format!(
                        "{f} {}",
                        human(median_ns(dir, r.group, f, &r.param, since)?)
                    ))
                })
                .unwrap_or_default();
            let (peer, peer_t, ratio) = match best {
                Some((p, t)) => (p, human(t), format!("{:.2}", t / ours)),
                None => ("-", "-".into(), "-".into()),
            };
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.group,
                r.param,
                r.ours,
                human(ours),
                peer,
                peer_t,
                ratio,
                floor,
                note
            );
        }
    }

    pub fn main() {
        let since = SystemTime::now();
        let dir = output_dir();
        let mut c = Criterion::default()
            .output_directory(&dir)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_millis(1500))
            .nresamples(10_000)
            .configure_from_args();
        reentrant(&mut c);
        semaphore(&mut c);
        mutex(&mut c);
        event(&mut c);
        condition(&mut c);
        pool(&mut c);
        account(&mut c);
        queue_roundtrip(&mut c);
        queue_throughput(&mut c);
        c.final_summary();
        summary(&dir, since);
    }
}

#[cfg(not(any(loom, feature = "shuttle")))]
fn main() {
    bench::main();
}

#[cfg(any(loom, feature = "shuttle"))]
fn main() {
    eprintln!("the primitives bench measures the std build: run it without --cfg loom or --features shuttle");
}
