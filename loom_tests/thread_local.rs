//! loom models of `verisync::ThreadLocal`: two threads creating their values at once (the map
//! behind the facade's mutex) each see only their own, and a reduction after the joins sees
//! every value as its thread left it (the values live in loom's `UnsafeCell`, so an access not
//! ordered after the writer's is a reported race).
#![cfg(loom)]

mod common;

use common::{check, Guarded};

use verisync::sync::{thread, Arc};
use verisync::ThreadLocal;

#[test]
fn two_threads_each_get_their_own_and_the_reduction_sees_both() {
    check("thread-local/own-values", 3, || {
        let local = Arc::new(ThreadLocal::new());
        let workers: Vec<_> = (1..=2)
            .map(|n| {
                let local = Arc::clone(&local);
                thread::spawn(move || {
                    let mine: &Guarded = local.get_or(Guarded::new);
                    for _ in 0..n {
                        mine.bump();
                    }
                    thread::yield_now();
                    local.get().unwrap().get()
                })
            })
            .collect();
        let seen: Vec<usize> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        assert_eq!(seen, [1, 2]);
        let local = Arc::try_unwrap(local).unwrap_or_else(|_| panic!("one owner"));
        assert_eq!(local.into_values().map(|g| g.get()).sum::<usize>(), 3);
    });
}

#[test]
fn the_main_threads_value_is_its_own() {
    check("thread-local/main-and-one", 3, || {
        let local = Arc::new(ThreadLocal::new());
        let l2 = Arc::clone(&local);
        let t = thread::spawn(move || *l2.get_or(|| 2));
        assert_eq!(*local.get_or(|| 1), 1);
        assert_eq!(t.join().unwrap(), 2);
        assert_eq!(local.get(), Some(&1));
    });
}
