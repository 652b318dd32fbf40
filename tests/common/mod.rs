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

/// Runs `f` under shuttle's random scheduler (`pct` false) or PCT at depth 3, seed 1, for 3,000
/// schedules: deterministic, and enough for an outcome of 1 % of schedules to appear dozens of
/// times (the "both outcomes" tests; unseeded runs of 300 missed such an outcome now and then).
#[cfg(feature = "shuttle")]
pub fn seeded_schedules(pct: bool, f: impl Fn() + Send + Sync + 'static) {
    use shuttle::scheduler::{PctScheduler, RandomScheduler};
    let config = shuttle::Config::new();
    if pct {
        shuttle::Runner::new(PctScheduler::new_from_seed(1, 3, 3000), config).run(f);
    } else {
        shuttle::Runner::new(RandomScheduler::new_from_seed(1, 3000), config).run(f);
    }
}
