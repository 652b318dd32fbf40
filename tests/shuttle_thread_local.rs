//! shuttle explorations of generated plans for `verisync::ThreadLocal`: two or three threads
//! set and read their values in two objects, under random and PCT. Every read gives back the
//! thread's own last write to that object (or nothing before its first), and the reduction
//! after the joins sees each thread's last write, once.
#![cfg(all(feature = "shuttle", not(loom)))]

use proptest::prelude::*;
use std::cell::Cell;
use verisync::sync::{thread, Arc};
use verisync::ThreadLocal;

#[derive(Clone, Copy, Debug)]
enum Op {
    Set(usize, u32),
    Get(usize),
}

fn plan() -> impl Strategy<Value = Vec<Vec<Op>>> {
    let op = prop_oneof![
        (0..2usize, 1..100u32).prop_map(|(i, v)| Op::Set(i, v)),
        (0..2usize).prop_map(Op::Get),
    ];
    prop::collection::vec(prop::collection::vec(op, 1..=5), 2..=3)
}

fn scenario(plans: Vec<Vec<Op>>) -> impl Fn() + Send + Sync + 'static {
    move || {
        let locals = Arc::new([ThreadLocal::new(), ThreadLocal::new()]);
        let hs: Vec<_> = plans
            .iter()
            .cloned()
            .map(|plan| {
                let locals = Arc::clone(&locals);
                thread::spawn(move || {
                    // The model: this thread's last write to each object.
                    let mut mine: [Option<u32>; 2] = [None, None];
                    for op in plan {
                        match op {
                            Op::Set(i, v) => {
                                locals[i].get_or(|| Cell::new(0)).set(v);
                                mine[i] = Some(v);
                            }
                            Op::Get(i) => {
                                assert_eq!(locals[i].get().map(Cell::get), mine[i], "object {i}");
                            }
                        }
                        thread::yield_now();
                    }
                    mine
                })
            })
            .collect();
        let lasts: Vec<[Option<u32>; 2]> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        let locals = Arc::try_unwrap(locals).unwrap_or_else(|_| panic!("one owner"));
        for (i, local) in locals.into_iter().enumerate() {
            let mut got: Vec<u32> = local.into_values().map(Cell::into_inner).collect();
            let mut want: Vec<u32> = lasts.iter().filter_map(|m| m[i]).collect();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "object {i}: every thread's last write, once");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn plans_keep_each_threads_value_its_own_under_random_and_pct(plans in plan()) {
        verisync::check::Builder::new(
            "shuttle_thread_local/plans_keep_each_threads_value_its_own_under_random_and_pct",
        )
        .schedules(100)
        .run(scenario(plans));
    }
}
