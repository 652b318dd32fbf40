//! # verisync
//!
//! Hand-built blocking concurrency primitives: the toolkit that Python's `threading`,
//! `queue` and `multiprocessing` teach, in Rust, each proven under every interleaving loom can
//! reach, explored at scale by shuttle, and checked against a sequential model by proptest.
//!
//! Every primitive is written once against the backend facade [`sync`], which is `std` in a
//! normal build, loom under `RUSTFLAGS="--cfg loom"` and shuttle under the `shuttle` feature;
//! so a model of your code explores ours too, timeouts included. The [`casebook`] turns the
//! notes' concurrency bugs into runnable cases, each with a broken and a fixed variant.
//!
//! ## The types
//!
//! * **Locks:** [`Mutex`] (with [`lock_timeout`](Mutex::lock_timeout)),
//!   [`ReentrantLock`] (the owner re-enters), and [`Account`], a balance whose deposits,
//!   withdrawals and transfers are atomic and never deadlock.
//! * **Counting:** [`Semaphore`] and [`BoundedSemaphore`], handing out RAII
//!   [`SemaphorePermit`]s.
//! * **Signalling:** [`Event`] (a flag threads wait for), [`Condition`] (a lock bound to the
//!   condition its holders wait for, with `wait`, `notify(n)` and `notify_all`) and
//!   [`Barrier`] (a meeting point that can time out, break and be reset).
//! * **Threads:** [`ThreadPool`] (workers running submitted [`Task`]s), [`Timer`] (a function
//!   run after a delay unless cancelled) and [`ThreadLocal`] (a value per thread and per
//!   object).
//! * **Queues:** [`BoundedQueue`] (blocking, closable, FIFO) and [`JoinableQueue`]
//!   (`task_done`/`join`), whose errors give the item back.
//! * **Checking:** [`sync`] (the facade: threads, atomics, `Arc`, a mutex and condition variable
//!   with modelled timeouts), [`check`] (exploring and replaying a scenario), [`lin`] (recorded
//!   histories checked for linearizability against a sequential model), [`casebook`] (the
//!   notes' bugs).
//!
//! ## Checking your own code
//!
//! A scenario written once against [`sync`] is checked by [`check`] in whichever world the build
//! is: a stress run in std (threads stall at the facade's synchronisation points, so races show
//! on two cores), every interleaving up to a bound under loom, random and PCT schedules under
//! shuttle. One [`check::Report`] comes back: the failure (a deadlock names its cycle: "T1
//! holds `a` and waits for `b`; T2 holds `b` and waits for `a`"), the failing schedule with
//! the fewest preemptions, its steps as a table, a replay token. Here note 001's lost deposit,
//! a load and a store on two threads, is found in every world:
//!
//! ```
//! use verisync::check::Builder;
//! use verisync::sync::atomic::{AtomicUsize, Ordering::Relaxed};
//! use verisync::sync::{thread, Arc};
//!
//! let two_deposits = || {
//!     let n = Arc::new(AtomicUsize::new(0));
//!     let n2 = Arc::clone(&n);
//!     let t = thread::spawn(move || {
//!         let v = n2.load(Relaxed);
//!         n2.store(v + 1, Relaxed);
//!     });
//!     let v = n.load(Relaxed);
//!     n.store(v + 1, Relaxed);
//!     t.join().unwrap();
//!     assert_eq!(n.load(Relaxed), 2, "lost update");
//! };
//! let report = Builder::new("two-deposits").iterations(5_000).explore(two_deposits);
//! assert!(report.failure.unwrap().message.contains("lost update"));
//! ```
//!
//! `examples/check_lost_update.rs` walks through it with its fix, and the README's
//! "Model-checking your own crate" gives the `Cargo.toml` lines.
//!
//! ## From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `threading.Lock()`, `acquire(timeout=t)` | [`Mutex::new`], [`lock`](Mutex::lock), [`lock_timeout`](Mutex::lock_timeout) |
//! | `threading.RLock()` | [`ReentrantLock::new`], [`lock`](ReentrantLock::lock) |
//! | `threading.Semaphore(n)`, `release(n)` | [`Semaphore::new`], [`acquire`](Semaphore::acquire), [`release`](Semaphore::release) |
//! | `threading.BoundedSemaphore(n)` | [`BoundedSemaphore::new`] (an over-release is an `Err`) |
//! | `queue.Queue(maxsize)`, `put`/`get`, `put_nowait`/`get_nowait` | [`BoundedQueue::new`], [`put`](BoundedQueue::put)/[`get`](BoundedQueue::get), [`try_put`](BoundedQueue::try_put)/[`try_get`](BoundedQueue::try_get) |
//! | a `None` sentinel per consumer, `q.shutdown()` | [`BoundedQueue::close`] |
//! | `multiprocessing.JoinableQueue`, `task_done`, `join` | [`JoinableQueue::new`], [`task_done`](JoinableQueue::task_done), [`join`](JoinableQueue::join) |
//! | `threading.Event()`, `set`/`clear`/`wait(timeout=t)` | [`Event::new`], [`set`](Event::set)/[`clear`](Event::clear)/[`wait_timeout`](Event::wait_timeout) |
//! | `threading.Condition()`, `wait`/`wait_for`/`notify(n)`/`notify_all` | [`Condition::new`], [`wait`](ConditionGuard::wait)/[`wait_while`](ConditionGuard::wait_while)/[`notify`](ConditionGuard::notify)/[`notify_all`](ConditionGuard::notify_all) |
//! | `threading.Barrier(n, action)`, `wait(timeout=t)`, `abort`, `reset` | [`Barrier::new`], [`Barrier::with_action`], [`wait_timeout`](Barrier::wait_timeout), [`abort`](Barrier::abort), [`reset`](Barrier::reset) |
//! | `threading.Timer(interval, function)`, `cancel`, `join` | [`Timer::start`], [`cancel`](Timer::cancel), [`join`](Timer::join) |
//! | `multiprocessing.Pool(n)`, `apply_async`, `map`, `close`, `join`; `ThreadPoolExecutor` | [`ThreadPool::new`], [`submit`](ThreadPool::submit), [`map`](ThreadPool::map), [`close`](ThreadPool::close), [`join`](ThreadPool::join) |
//! | `threading.local()` | [`ThreadLocal::new`], [`get_or`](ThreadLocal::get_or) |
//! | 001's `Account` with a lock | [`Account`] |
//! | `threading.Thread`, `time.sleep` | [`sync::thread::spawn`], [`sync::thread::sleep`] |
//!
//! ## Features and cfgs
//!
//! * default: the std world, for production.
//! * `RUSTFLAGS="--cfg loom"`: every type (and [`sync`]) switches to [loom](https://docs.rs/loom);
//!   declare `cfg(loom)` in your `[lints.rust] unexpected_cfgs`; use `verisync::loom`, the loom
//!   verisync was built with, rather than a loom of your own.
//! * feature `shuttle`: every type switches to [shuttle](https://docs.rs/shuttle), and
//!   [`check`] gains its shuttle driver; the explorer binary needs it.
//!
//! Both at once is a compile error. Under either checker, time is virtual: every timed wait is
//! explored both woken and timed out, at a cost of one model thread per execution (see
//! [`sync`]).
#![deny(missing_docs)]
#![warn(rust_2018_idioms)]

pub mod casebook;
pub mod check;
pub mod lin;
pub mod sync;

mod account;
mod barrier;
mod condition;
mod decision;
mod event;
mod mutex;
mod park;
mod pool;
mod queue;
mod reentrant;
mod semaphore;
mod thread_local;
mod timer;

pub use account::{Account, AccountError};
pub use barrier::{Barrier, BarrierError};
pub use condition::{Condition, ConditionGuard};
pub use event::Event;
pub use mutex::{Mutex, MutexGuard};
pub use pool::{PoolJoinError, SubmitError, Task, TaskError, ThreadPool};
pub use queue::{
    BoundedQueue, GetError, GetTimeoutError, Iter, JoinTimeoutError, JoinableQueue, PutError,
    PutTimeoutError, TaskDoneError, TryGetError, TryPutError,
};
pub use reentrant::{ReentrantLock, ReentrantLockGuard};
pub use semaphore::{BoundedSemaphore, ReleaseError, Semaphore, SemaphorePermit};
pub use thread_local::ThreadLocal;
pub use timer::Timer;

/// The loom this build of verisync runs on (under `--cfg loom`): use it for your own models
/// (`verisync::loom::model::Builder`, say) and its version cannot disagree with ours.
#[cfg(loom)]
pub use loom;
/// The shuttle this build of verisync runs on (with the `shuttle` feature): use it for your own
/// explorations (`verisync::shuttle::check_pct`, say) and its version cannot disagree with ours
/// (a second shuttle fails at run time: "accessing a Shuttle primitive outside of a Shuttle
/// test").
#[cfg(all(feature = "shuttle", not(loom)))]
pub use shuttle;
