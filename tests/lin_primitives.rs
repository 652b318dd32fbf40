//! Linearizability of verisync's primitives: each scenario records the history of a few threads
//! mixing blocking, try and timed operations, and checks it against the primitive's sequential
//! specification (`verisync::lin`). Written once against the facade: under `cargo test` each
//! runs as a std stress test (`iterations`), under `--features shuttle` as random and PCT
//! schedules (`schedules`). Under loom only the smallest queue shape runs (the others are
//! shuttle's job: loom allows four threads and one of them is the clock's).
#![cfg_attr(loom, allow(dead_code, unused_imports))]

use std::time::Duration;

use verisync::check::Builder;
use verisync::lin::{
    self, BankOp, BankRet, BankSpec, LockOp, LockRet, LockSpec, QueueOp, QueueRet, QueueSpec,
    Recorder, SemaphoreOp, SemaphoreRet, SemaphoreSpec, Spec,
};
use verisync::sync::{thread, Arc};
use verisync::{
    Account, AccountError, BoundedQueue, BoundedSemaphore, GetError, GetTimeoutError,
    JoinableQueue, Mutex, PutError, PutTimeoutError, ReentrantLock, Semaphore, TaskDoneError,
    TryGetError, TryPutError,
};

/// Short enough that timeouts happen in a std run; under a model a timeout is a branch.
const TIMEOUT: Duration = Duration::from_millis(1);
/// std iterations and shuttle schedules (of each scheduler) per scenario: sized so that the
/// whole file stays within a few seconds in each world.
const ITERATIONS: usize = 300;
const SCHEDULES: usize = 400;

fn builder(name: &str) -> Builder {
    Builder::new(name)
        .iterations(ITERATIONS)
        .schedules(SCHEDULES)
}

/// Explores `f` with `b` and fails with the whole counterexample (`Builder::run` would print
/// its first line only) and, under shuttle, the replay token.
fn explore(b: Builder, f: impl Fn() + Send + Sync + 'static) {
    let report = b.explore(f);
    if let Some(failure) = report.failure {
        let token = report
            .replay
            .map_or(String::new(), |t| format!("\nreplay token: {t}"));
        panic!(
            "{}\n(found after {} schedules or iterations){token}",
            failure.message, report.schedules
        );
    }
}

/// Fails the execution (with the shrunk counterexample) unless the history is linearizable.
fn assert_linearizable<S: Spec>(spec: &S, rec: &Recorder<S::Op, S::Ret>) {
    if let Err(e) = lin::check(spec, &rec.history()) {
        panic!("{e}");
    }
}

/// Runs each body of `first` and `rest` on its own thread (numbered from 1, `first` first),
/// joins `first`, runs `between` on this thread (numbered last), then joins `rest`: `rest`
/// may wait for what `between` does (a close, say).
fn threads<T: Send + Sync + 'static>(
    shared: &Arc<T>,
    first: Vec<fn(usize, &T)>,
    rest: Vec<fn(usize, &T)>,
    between: fn(usize, &T),
) {
    let n = first.len();
    let mut handles: Vec<_> = first
        .into_iter()
        .chain(rest)
        .enumerate()
        .map(|(i, body)| {
            let shared = Arc::clone(shared);
            thread::spawn(move || body(i + 1, &shared))
        })
        .collect();
    let rest = handles.split_off(n);
    for h in handles {
        h.join().unwrap();
    }
    between(rest.len() + n + 1, shared);
    for h in rest {
        h.join().unwrap();
    }
}

// ---- BoundedQueue

type Q = (BoundedQueue<u64>, Recorder<QueueOp, QueueRet>);

fn put(t: usize, (q, rec): &Q, v: u64) {
    rec.record(t, QueueOp::Put(v), || match q.put(v) {
        Ok(()) => QueueRet::Done,
        Err(PutError::Closed(_)) => QueueRet::Closed,
    });
}

fn put_timeout(t: usize, (q, rec): &Q, v: u64) {
    rec.record(t, QueueOp::PutTimeout(v), || {
        match q.put_timeout(v, TIMEOUT) {
            Ok(()) => QueueRet::Done,
            Err(PutTimeoutError::Timeout(_)) => QueueRet::TimedOut,
            Err(PutTimeoutError::Closed(_)) => QueueRet::Closed,
        }
    });
}

fn try_put(t: usize, (q, rec): &Q, v: u64) {
    rec.record(t, QueueOp::TryPut(v), || match q.try_put(v) {
        Ok(()) => QueueRet::Done,
        Err(TryPutError::Full(_)) => QueueRet::Full,
        Err(TryPutError::Closed(_)) => QueueRet::Closed,
    });
}

fn get(t: usize, (q, rec): &Q) -> QueueRet {
    rec.record(t, QueueOp::Get, || match q.get() {
        Ok(v) => QueueRet::Got(v),
        Err(GetError::Closed) => QueueRet::Closed,
    })
}

fn get_timeout(t: usize, (q, rec): &Q) {
    rec.record(t, QueueOp::GetTimeout, || match q.get_timeout(TIMEOUT) {
        Ok(v) => QueueRet::Got(v),
        Err(GetTimeoutError::Timeout) => QueueRet::TimedOut,
        Err(GetTimeoutError::Closed) => QueueRet::Closed,
    });
}

fn try_get(t: usize, (q, rec): &Q) {
    rec.record(t, QueueOp::TryGet, || match q.try_get() {
        Ok(v) => QueueRet::Got(v),
        Err(TryGetError::Empty) => QueueRet::Empty,
        Err(TryGetError::Closed) => QueueRet::Closed,
    });
}

fn close(t: usize, (q, rec): &Q) {
    rec.record(t, QueueOp::Close, || QueueRet::WasOpen(q.close()));
}

/// Gets until the queue reports closed and drained (the close that ends it comes from main).
fn drain(t: usize, q: &Q) {
    while get(t, q) != QueueRet::Closed {}
}

#[cfg(not(loom))]
#[test]
fn bounded_queue_put_get_timeouts_close() {
    explore(builder("lin/bounded-queue"), || {
        let q: Arc<Q> = Arc::new((BoundedQueue::new(2), Recorder::new()));
        threads(
            &q,
            vec![
                |t, q| {
                    put(t, q, 11);
                    put_timeout(t, q, 12);
                    try_put(t, q, 13);
                },
                |t, q| {
                    put(t, q, 21);
                    put(t, q, 22);
                },
            ],
            vec![
                |t, q| {
                    get_timeout(t, q);
                    try_get(t, q);
                    drain(t, q);
                },
                |t, q| {
                    get_timeout(t, q);
                    drain(t, q);
                },
            ],
            close,
        );
        assert_linearizable(&QueueSpec::new(2), &q.1);
    });
}

/// The loom shape: one put racing one timed get and a close, capacity 1.
#[cfg(loom)]
#[test]
fn bounded_queue_timed_get_and_close_loom() {
    explore(builder("lin/bounded-queue-loom").preemptions(2), || {
        let q: Arc<Q> = Arc::new((BoundedQueue::new(1), Recorder::new()));
        threads(&q, vec![|t, q| put(t, q, 1)], vec![get_timeout], |t, q| {
            close(t, q);
            try_get(t, q);
        });
        assert_linearizable(&QueueSpec::new(1), &q.1);
    });
}

// ---- JoinableQueue

type J = (JoinableQueue<u64>, Recorder<QueueOp, QueueRet>);

fn task_done(t: usize, (q, rec): &J) {
    rec.record(t, QueueOp::TaskDone, || match q.task_done() {
        Ok(()) => QueueRet::Done,
        Err(TaskDoneError::NothingPending) => QueueRet::NothingPending,
    });
}

#[cfg(not(loom))]
#[test]
fn joinable_queue_task_done_and_join() {
    explore(builder("lin/joinable-queue"), || {
        let q: Arc<J> = Arc::new((JoinableQueue::new(2), Recorder::new()));
        threads(
            &q,
            vec![
                // Producer: two items.
                |t, (q, rec)| {
                    for v in [1, 2] {
                        rec.record(t, QueueOp::Put(v), || match q.put(v) {
                            Ok(()) => QueueRet::Done,
                            Err(PutError::Closed(_)) => QueueRet::Closed,
                        });
                    }
                },
                // Joiner: a timed join, then the blocking one.
                |t, (q, rec)| {
                    rec.record(t, QueueOp::JoinTimeout, || match q.join_timeout(TIMEOUT) {
                        Ok(()) => QueueRet::Done,
                        Err(_) => QueueRet::TimedOut,
                    });
                    rec.record(t, QueueOp::Join, || {
                        q.join();
                        QueueRet::Done
                    });
                },
                // A stray task_done, and a try_get marked done when it gets something.
                |t, j| {
                    task_done(t, j);
                    let (q, rec) = j;
                    let got = rec.record(t, QueueOp::TryGet, || match q.try_get() {
                        Ok(v) => QueueRet::Got(v),
                        Err(TryGetError::Empty) => QueueRet::Empty,
                        Err(TryGetError::Closed) => QueueRet::Closed,
                    });
                    if matches!(got, QueueRet::Got(_)) {
                        task_done(t, j);
                    }
                },
            ],
            // Worker: gets until closed, each item marked done.
            vec![|t, j| {
                let (q, rec) = j;
                while let QueueRet::Got(_) = rec.record(t, QueueOp::Get, || match q.get() {
                    Ok(v) => QueueRet::Got(v),
                    Err(GetError::Closed) => QueueRet::Closed,
                }) {
                    task_done(t, j);
                }
            }],
            |t, (q, rec)| {
                rec.record(t, QueueOp::Close, || QueueRet::WasOpen(q.close()));
            },
        );
        assert_linearizable(&QueueSpec::new(2), &q.1);
    });
}

// ---- Semaphore and BoundedSemaphore

type S = (Semaphore, Recorder<SemaphoreOp, SemaphoreRet>);

/// A permit's drop, recorded as the release it is.
fn give_back(t: usize, rec: &Recorder<SemaphoreOp, SemaphoreRet>, permit: impl FnOnce()) {
    rec.record(t, SemaphoreOp::Release(1), || {
        permit();
        SemaphoreRet::Released
    });
}

#[cfg(not(loom))]
#[test]
fn semaphore_timed_acquire_and_release_n() {
    explore(builder("lin/semaphore"), || {
        let s: Arc<S> = Arc::new((Semaphore::new(1), Recorder::new()));
        threads(
            &s,
            vec![
                |t, (s, rec)| {
                    let c = rec.call(t, SemaphoreOp::Acquire);
                    let p = s.acquire();
                    c.ret(SemaphoreRet::Acquired);
                    give_back(t, rec, || drop(p));
                },
                |t, (s, rec)| {
                    let c = rec.call(t, SemaphoreOp::AcquireTimeout);
                    match s.acquire_timeout(TIMEOUT) {
                        Some(p) => {
                            c.ret(SemaphoreRet::Acquired);
                            give_back(t, rec, || drop(p));
                        }
                        None => c.ret(SemaphoreRet::Refused),
                    }
                },
                |t, (s, rec)| {
                    rec.record(t, SemaphoreOp::Release(2), || match s.release(2) {
                        Ok(()) => SemaphoreRet::Released,
                        Err(_) => SemaphoreRet::OverRelease,
                    });
                    for _ in 0..2 {
                        let c = rec.call(t, SemaphoreOp::TryAcquire);
                        match s.try_acquire() {
                            Some(p) => {
                                p.forget();
                                c.ret(SemaphoreRet::Acquired);
                            }
                            None => c.ret(SemaphoreRet::Refused),
                        }
                    }
                },
            ],
            vec![],
            |_, _| {},
        );
        assert_linearizable(&SemaphoreSpec::new(1), &s.1);
    });
}

type B = (BoundedSemaphore, Recorder<SemaphoreOp, SemaphoreRet>);

/// A bounded semaphore's release, recorded with its verdict (a permit is given back through
/// `forget` + `release(1)`, since a refused drop could not say it was refused).
fn bounded_release(t: usize, (s, rec): &B, n: usize) {
    rec.record(t, SemaphoreOp::Release(n), || match s.release(n) {
        Ok(()) => SemaphoreRet::Released,
        Err(_) => SemaphoreRet::OverRelease,
    });
}

#[cfg(not(loom))]
#[test]
fn bounded_semaphore_over_release() {
    explore(builder("lin/bounded-semaphore"), || {
        let s: Arc<B> = Arc::new((BoundedSemaphore::new(2), Recorder::new()));
        threads(
            &s,
            vec![
                |t, b| {
                    let (s, rec) = b;
                    let c = rec.call(t, SemaphoreOp::Acquire);
                    s.acquire().forget();
                    c.ret(SemaphoreRet::Acquired);
                    bounded_release(t, b, 1);
                },
                |t, b| {
                    let (s, rec) = b;
                    let c = rec.call(t, SemaphoreOp::AcquireTimeout);
                    match s.acquire_timeout(TIMEOUT) {
                        Some(p) => {
                            p.forget();
                            c.ret(SemaphoreRet::Acquired);
                            bounded_release(t, b, 1);
                        }
                        None => c.ret(SemaphoreRet::Refused),
                    }
                },
                // A stray release: refused unless a permit is out.
                |t, b| bounded_release(t, b, 1),
            ],
            vec![],
            |_, _| {},
        );
        assert_linearizable(&SemaphoreSpec::bounded(2), &s.1);
    });
}

// ---- Mutex and ReentrantLock

type M = (Mutex<u64>, Recorder<LockOp, LockRet>);

#[cfg(not(loom))]
#[test]
fn mutex_lock_try_timeout() {
    explore(builder("lin/mutex"), || {
        let m: Arc<M> = Arc::new((Mutex::new(0), Recorder::new()));
        fn locker(t: usize, (m, rec): &M) {
            let c = rec.call(t, LockOp::Lock { thread: t });
            let mut g = m.lock();
            c.ret(LockRet::Locked(1));
            *g += 1;
            rec.record(t, LockOp::Unlock { thread: t }, || {
                drop(g);
                LockRet::Unlocked
            });
        }
        threads(
            &m,
            vec![locker, locker, |t, (m, rec)| {
                let c = rec.call(t, LockOp::LockTimeout { thread: t });
                match m.lock_timeout(TIMEOUT) {
                    Some(g) => {
                        c.ret(LockRet::Locked(1));
                        rec.record(t, LockOp::Unlock { thread: t }, || {
                            drop(g);
                            LockRet::Unlocked
                        });
                    }
                    None => c.ret(LockRet::Refused),
                }
                let c = rec.call(t, LockOp::TryLock { thread: t });
                match m.try_lock() {
                    Some(g) => {
                        c.ret(LockRet::Locked(1));
                        rec.record(t, LockOp::Unlock { thread: t }, || {
                            drop(g);
                            LockRet::Unlocked
                        });
                    }
                    None => c.ret(LockRet::Refused),
                }
            }],
            vec![],
            |_, _| {},
        );
        assert_linearizable(&LockSpec::mutex(), &m.1);
    });
}

type R = (ReentrantLock<()>, Recorder<LockOp, LockRet>);

#[cfg(not(loom))]
#[test]
fn reentrant_lock_reenters_and_excludes() {
    explore(builder("lin/reentrant-lock"), || {
        let l: Arc<R> = Arc::new((ReentrantLock::new(()), Recorder::new()));
        fn nested(t: usize, (l, rec): &R) {
            let c = rec.call(t, LockOp::Lock { thread: t });
            let outer = l.lock();
            c.ret(LockRet::Locked(l.hold_count()));
            let c = rec.call(t, LockOp::LockTimeout { thread: t });
            let inner = l
                .lock_timeout(TIMEOUT)
                .expect("the owner re-enters at once");
            c.ret(LockRet::Locked(l.hold_count()));
            for g in [inner, outer] {
                rec.record(t, LockOp::Unlock { thread: t }, || {
                    drop(g);
                    LockRet::Unlocked
                });
            }
        }
        threads(
            &l,
            vec![nested, nested, |t, (l, rec)| {
                let c = rec.call(t, LockOp::TryLock { thread: t });
                match l.try_lock() {
                    Some(g) => {
                        c.ret(LockRet::Locked(l.hold_count()));
                        rec.record(t, LockOp::Unlock { thread: t }, || {
                            drop(g);
                            LockRet::Unlocked
                        });
                    }
                    None => c.ret(LockRet::Refused),
                }
            }],
            vec![],
            |_, _| {},
        );
        assert_linearizable(&LockSpec::reentrant(), &l.1);
    });
}

// ---- Account

type A = ([Account; 3], Recorder<BankOp, BankRet>);

fn bank_ret<T>(r: Result<T, AccountError>, ok: impl FnOnce(T) -> BankRet) -> BankRet {
    match r {
        Ok(v) => ok(v),
        Err(AccountError::Overdraft { .. }) => BankRet::Overdraft,
        Err(AccountError::Overflow { .. }) => BankRet::Overflow,
    }
}

fn transfer(t: usize, (a, rec): &A, from: usize, to: usize, amount: u64) {
    rec.record(t, BankOp::Transfer { from, to, amount }, || {
        bank_ret(Account::transfer(&a[from], &a[to], amount), |()| {
            BankRet::Done
        })
    });
}

#[cfg(not(loom))]
#[test]
fn accounts_deposit_withdraw_transfer() {
    explore(builder("lin/accounts"), || {
        let a: Arc<A> = Arc::new((
            [Account::new(5), Account::new(0), Account::new(2)],
            Recorder::new(),
        ));
        threads(
            &a,
            vec![
                |t, a| {
                    transfer(t, a, 0, 1, 3);
                    let (acc, rec) = a;
                    rec.record(
                        t,
                        BankOp::Deposit {
                            account: 2,
                            amount: 1,
                        },
                        || bank_ret(acc[2].deposit(1), BankRet::Balance),
                    );
                },
                |t, a| {
                    transfer(t, a, 1, 2, 2);
                    let (acc, rec) = a;
                    rec.record(
                        t,
                        BankOp::Withdraw {
                            account: 0,
                            amount: 4,
                        },
                        || bank_ret(acc[0].withdraw(4), BankRet::Balance),
                    );
                },
                |t, a| {
                    transfer(t, a, 2, 0, 2);
                    let (acc, rec) = a;
                    for account in [1, 0] {
                        rec.record(t, BankOp::Balance { account }, || {
                            BankRet::Balance(acc[account].balance())
                        });
                    }
                },
            ],
            vec![],
            |_, _| {},
        );
        assert_linearizable(&BankSpec::new(vec![5, 0, 2]), &a.1);
    });
}

// ---- the casebook's non-linearizable queue

/// Its broken variant checks the invariant (every item got once) before the history in every
/// execution: each failure found, over several seeds of both schedulers, is the order, never a
/// loss: found by the linearizability checker, missed by the invariant. The fix is clean.
#[cfg(all(feature = "shuttle", not(loom)))]
#[test]
fn non_linearizable_queue_is_found_by_lin_and_missed_by_the_invariant() {
    use verisync::check::Scheduler;
    let case = verisync::casebook::find("non-linearizable-queue").unwrap();
    let (broken, fixed) = (&case.variants[0], &case.variants[1]);
    for seed in 0..5 {
        for scheduler in [
            Scheduler::Random { seed },
            Scheduler::Pct { seed, depth: 3 },
        ] {
            let report = case.explore(broken, scheduler, 200);
            let failure = report.failure.expect("the reordering is found");
            assert!(
                failure
                    .message
                    .contains("nothing lost, but no FIFO order explains it"),
                "{scheduler}: {}",
                failure.message
            );
            assert!(failure.message.contains("not linearizable"));
            let clean = case.explore(fixed, scheduler, 200);
            assert!(clean.is_clean(), "{scheduler}: {:?}", clean.failure);
        }
    }
}

// ---- generated scenarios (Lincheck style)

/// One step of a generated plan: non-blocking and timed operations only, so that every
/// generated scenario ends whatever the schedule.
#[derive(Clone, Copy, Debug)]
enum Step {
    TryPut,
    PutTimeout,
    TryGet,
    GetTimeout,
    Close,
}

#[cfg(not(loom))]
fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        3 => Just(Step::TryPut),
        3 => Just(Step::PutTimeout),
        3 => Just(Step::TryGet),
        3 => Just(Step::GetTimeout),
        1 => Just(Step::Close),
    ]
}

/// Runs `plan` (one list of steps per thread) on a queue of `capacity` and checks the history;
/// items are numbered by thread and step, so every item is distinct.
#[cfg(not(loom))]
fn run_plan(capacity: usize, plan: &[Vec<Step>]) {
    let q: Arc<Q> = Arc::new((BoundedQueue::new(capacity), Recorder::new()));
    let handles: Vec<_> = plan
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, steps)| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                let t = i + 1;
                for (k, s) in steps.into_iter().enumerate() {
                    let item = (t * 100 + k) as u64;
                    match s {
                        Step::TryPut => try_put(t, &q, item),
                        Step::PutTimeout => put_timeout(t, &q, item),
                        Step::TryGet => try_get(t, &q),
                        Step::GetTimeout => get_timeout(t, &q),
                        Step::Close => close(t, &q),
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_linearizable(&QueueSpec::new(capacity), &q.1);
}

#[cfg(not(loom))]
proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// k threads × n operations drawn from the queue's non-blocking and timed operations, each
    /// plan explored (std: iterations, shuttle: random + PCT schedules) and its history
    /// checked; a failing plan shrinks to fewer threads and operations, and the report names
    /// the failing schedule's replay token.
    #[test]
    fn generated_queue_plans_are_linearizable(
        capacity in 1usize..3,
        plan in proptest::collection::vec(proptest::collection::vec(step(), 1..5), 2..4),
    ) {
        let plan = Arc::new(plan);
        explore(
            builder("lin/generated-queue").iterations(20).schedules(50),
            move || run_plan(capacity, &plan),
        );
    }
}

// ---- a long std history

/// The recorder is cheap enough for a stress run: 4 threads × 2,500 operations on one queue
/// (try and timed puts and gets, distinct items), recorded and checked whole.
#[cfg(not(any(loom, feature = "shuttle")))]
#[test]
fn ten_thousand_recorded_queue_operations_check() {
    let q: Arc<Q> = Arc::new((BoundedQueue::new(16), Recorder::new()));
    let handles: Vec<_> = (1..=4)
        .map(|t| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                for k in 0..2_500u64 {
                    let item = t as u64 * 10_000 + k;
                    match (t <= 2, k % 2 == 0) {
                        (true, true) => try_put(t, &q, item),
                        (true, false) => put_timeout(t, &q, item),
                        (false, true) => try_get(t, &q),
                        (false, false) => get_timeout(t, &q),
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let history = q.1.history();
    assert_eq!(history.len(), 10_000);
    let started = std::time::Instant::now();
    assert_linearizable(&QueueSpec::new(16), &q.1);
    println!(
        "10^4 recorded queue operations checked in {:?}",
        started.elapsed()
    );
}
