//! shuttle explorations of generated plans for `verisync::Mutex`: per-thread sequences of
//! lock / try_lock / lock_timeout, under random and PCT. At every step at most one thread is
//! inside, and every increment made inside is kept.
#![cfg(all(feature = "shuttle", not(loom)))]

use proptest::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc as StdArc;
use std::time::Duration;
use verisync::sync::{thread, Arc};
use verisync::Mutex;

#[derive(Clone, Copy, Debug)]
enum Op {
    Lock,
    TryLock,
    LockTimeout(u64),
}

fn plan() -> impl Strategy<Value = Vec<Vec<Op>>> {
    let op = prop_oneof![
        Just(Op::Lock),
        Just(Op::TryLock),
        (0..20u64).prop_map(Op::LockTimeout)
    ];
    prop::collection::vec(prop::collection::vec(op, 1..=4), 2..=3)
}

fn scenario(plans: Vec<Vec<Op>>) -> impl Fn() + Send + Sync + 'static {
    move || {
        let m = Arc::new(Mutex::new(0usize));
        // Outside the model's world: a plain counter of threads inside the critical section.
        let inside = StdArc::new(AtomicUsize::new(0));
        let handles: Vec<_> = plans
            .iter()
            .cloned()
            .map(|plan| {
                let (m, inside) = (Arc::clone(&m), StdArc::clone(&inside));
                thread::spawn(move || {
                    let mut entered = 0;
                    for op in plan {
                        let guard = match op {
                            Op::Lock => Some(m.lock()),
                            Op::TryLock => m.try_lock(),
                            Op::LockTimeout(ms) => m.lock_timeout(Duration::from_millis(ms)),
                        };
                        if let Some(mut g) = guard {
                            // SeqCst: the test's own bookkeeping, strongest for clarity.
                            assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two inside");
                            thread::yield_now();
                            *g += 1;
                            entered += 1;
                            // SeqCst: as above.
                            inside.fetch_sub(1, Ordering::SeqCst);
                        }
                    }
                    entered
                })
            })
            .collect();
        let entered: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(*m.lock(), entered);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn plans_keep_mutual_exclusion_under_random(plans in plan()) {
        shuttle::check_random(scenario(plans), 100);
    }

    #[test]
    fn plans_keep_mutual_exclusion_under_pct(plans in plan()) {
        shuttle::check_pct(scenario(plans), 100, 3);
    }
}
