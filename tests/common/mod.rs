//! What the std test files share: waiting, with a deadline, for something another thread
//! should make true promptly (lock_tests.py's `wait_threads_blocked`). Each file uses part of it.
#![allow(dead_code)]

use std::thread;
use std::time::{Duration, Instant};

/// How long to wait for something that should happen promptly before failing.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Waits until `cond` holds, failing after [`PATIENCE`].
pub fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(1));
    }
}
