//! The non-blocking queues under test, described once for both benches (`curve` and
//! `primitives` include this file): `offer` hands the item back when full, `poll` finds nothing
//! when empty; the benches spin on both with `crossbeam_utils::Backoff`.

use verisync::{BoundedQueue, TryGetError};

/// A non-blocking queue of `u64`s.
pub trait Spinning: Send + Sync + 'static {
    fn with_capacity(cap: usize) -> Self;
    fn offer(&self, v: u64) -> Result<(), u64>;
    fn poll(&self) -> Option<u64>;
}

impl Spinning for BoundedQueue<u64> {
    fn with_capacity(cap: usize) -> Self {
        BoundedQueue::new(cap)
    }
    fn offer(&self, v: u64) -> Result<(), u64> {
        self.try_put(v).map_err(|e| e.into_inner())
    }
    fn poll(&self) -> Option<u64> {
        match self.try_get() {
            Ok(v) => Some(v),
            Err(TryGetError::Empty) => None,
            Err(TryGetError::Closed) => unreachable!("never closed"),
        }
    }
}

impl Spinning for crossbeam_queue::ArrayQueue<u64> {
    fn with_capacity(cap: usize) -> Self {
        Self::new(cap)
    }
    fn offer(&self, v: u64) -> Result<(), u64> {
        self.push(v)
    }
    fn poll(&self) -> Option<u64> {
        self.pop()
    }
}
