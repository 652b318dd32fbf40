//! What the loom models of every primitive share: the explorer with a stated preemption bound,
//! a place to collect the outcomes executions saw, and data that only a lock holder may touch.
//! Each test binary uses part of it.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc as StdArc, Mutex as StdMutex};
use std::time::Instant;
use verisync::sync::UnsafeCell;

/// Explores `f` exhaustively up to `preemptions`; prints and returns the number of executions.
pub fn check(name: &str, preemptions: usize, f: impl Fn() + Sync + Send + 'static) -> usize {
    let count = StdArc::new(AtomicUsize::new(0));
    let c = count.clone();
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(preemptions);
    let start = Instant::now();
    b.check(move || {
        // Relaxed: a tally on loom's single OS thread.
        c.fetch_add(1, Ordering::Relaxed);
        f()
    });
    // Relaxed: as above.
    let n = count.load(Ordering::Relaxed);
    println!(
        "loom {name}: {n} executions, {:?} (preemption bound {preemptions})",
        start.elapsed()
    );
    n
}

/// Collects what each execution saw; std types, so they outlive the executions.
pub type Seen<T> = StdArc<StdMutex<BTreeSet<T>>>;

pub fn seen<T: Ord>() -> Seen<T> {
    StdArc::new(StdMutex::new(BTreeSet::new()))
}

/// Data that only the holder of a lock (or of a semaphore's single permit) may touch. loom
/// checks every access for a data race: an access not ordered after the previous holder's is
/// reported, so a release that does not happen-before the next acquire fails the model.
pub struct Guarded(UnsafeCell<usize>);

// SAFETY: the models touch the cell only while holding the lock or permit (which is the claim
// under test: loom reports any access that races).
unsafe impl Sync for Guarded {}

impl Guarded {
    pub fn new() -> Self {
        Guarded(UnsafeCell::new(0))
    }

    pub fn bump(&self) -> usize {
        // SAFETY: called only by the holder.
        self.0.with_mut(|p| unsafe {
            *p += 1;
            *p
        })
    }

    pub fn get(&self) -> usize {
        // SAFETY: as above.
        self.0.with(|p| unsafe { *p })
    }
}
