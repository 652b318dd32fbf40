//! # verisync
//!
//! Hand-built blocking concurrency primitives: the toolkit that Python's `threading`,
//! `queue` and `multiprocessing` teach, in Rust, each proven under every interleaving loom can
//! reach, explored at scale by shuttle, and checked against a sequential model by proptest.
//!
//! Every primitive is written once against the backend facade [`sync`], which is `std` in a
//! normal build, loom under `RUSTFLAGS="--cfg loom"` and shuttle under the `shuttle` feature;
//! so a model of your code explores ours too. The [`casebook`] turns the notes' concurrency bugs
//! into runnable cases, each with a broken and a fixed variant.
#![deny(missing_docs)]
#![warn(rust_2018_idioms)]

pub mod casebook;
pub mod sync;

mod account;
mod mutex;
mod park;
mod queue;
pub use queue::{
    BoundedQueue, GetError, GetTimeoutError, Iter, JoinTimeoutError, JoinableQueue, PutError,
    PutTimeoutError, TaskDoneError, TryGetError, TryPutError,
};
mod reentrant;
pub use reentrant::{ReentrantLock, ReentrantLockGuard};
mod semaphore;
pub use semaphore::{BoundedSemaphore, ReleaseError, Semaphore, SemaphorePermit};

pub use account::{Account, AccountError};
pub use mutex::{Mutex, MutexGuard};
