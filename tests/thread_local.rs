//! std behaviour and stress tests of `verisync::ThreadLocal` (CPython `test_threading_local`'s
//! behaviours, and the notes' 000).
#![cfg(not(any(loom, feature = "shuttle")))]

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use verisync::ThreadLocal;

#[test]
fn each_thread_sees_only_its_own_value() {
    // 000: every thread sets local.num and reads its own back after the others wrote.
    let local = Arc::new(ThreadLocal::new());
    let all_set = Arc::new(Barrier::new(4));
    let hs: Vec<_> = (0..4)
        .map(|n| {
            let (local, all_set) = (Arc::clone(&local), Arc::clone(&all_set));
            thread::spawn(move || {
                local.get_or(|| Cell::new(0)).set(n);
                all_set.wait();
                local.get().unwrap().get()
            })
        })
        .collect();
    let seen: Vec<i32> = hs.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(seen, [0, 1, 2, 3]);
    assert!(local.get().is_none(), "the main thread never touched it");
}

#[test]
fn instances_are_independent() {
    let (a, b) = (ThreadLocal::new(), ThreadLocal::new());
    a.get_or(|| 1);
    assert_eq!(b.get(), None);
    b.get_or(|| 2);
    assert_eq!((a.get(), b.get()), (Some(&1), Some(&2)));
}

#[test]
fn init_runs_once_per_thread_and_may_use_the_same_object() {
    let calls = AtomicUsize::new(0);
    let local = ThreadLocal::new();
    let v = local.get_or(|| {
        calls.fetch_add(1, Ordering::SeqCst);
        RefCell::new(vec![1])
    });
    v.borrow_mut().push(2);
    assert_eq!(*local.get_or(|| unreachable!()).borrow(), [1, 2]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // An init that itself creates this thread's value: the first value stays.
    let nested = ThreadLocal::new();
    let v = nested.get_or(|| {
        nested.get_or(|| "inner");
        "outer"
    });
    assert_eq!(*v, "inner");
}

#[test]
fn every_value_is_dropped_once_with_the_object_even_after_its_thread_exits() {
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let local = Arc::new(ThreadLocal::new());
    for _ in 0..5 {
        let (local, drops) = (Arc::clone(&local), Arc::clone(&drops));
        thread::spawn(move || {
            local.get_or(|| Counted(drops));
        })
        .join()
        .unwrap();
    }
    assert_eq!(
        drops.load(Ordering::SeqCst),
        0,
        "alive until the object drops"
    );
    drop(local);
    assert_eq!(drops.load(Ordering::SeqCst), 5);
}

#[test]
fn a_final_reduction_sees_every_threads_value() {
    let local = Arc::new(ThreadLocal::new());
    let hs: Vec<_> = (1..=8u64)
        .map(|n| {
            let local = Arc::clone(&local);
            thread::spawn(move || {
                for _ in 0..n {
                    let c = local.get_or(|| Cell::new(0u64));
                    c.set(c.get() + 1);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    let mut local = Arc::try_unwrap(local).unwrap_or_else(|_| panic!("one owner"));
    assert_eq!(local.iter_mut().map(|c| c.get()).sum::<u64>(), 36);
    local.iter_mut().for_each(|c| c.set(0));
    assert_eq!(local.into_values().map(Cell::into_inner).sum::<u64>(), 0);
}

#[test]
fn debug_shows_this_threads_value_and_auto_traits() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<ThreadLocal<Cell<u8>>>();
    let local: ThreadLocal<u8> = ThreadLocal::new();
    assert_eq!(format!("{local:?}"), "ThreadLocal { mine: None, .. }");
    local.get_or_default();
    assert_eq!(format!("{local:?}"), "ThreadLocal { mine: Some(0), .. }");
}

#[test]
fn stress_many_threads_many_objects() {
    let locals: Arc<Vec<ThreadLocal<Cell<usize>>>> =
        Arc::new((0..4).map(|_| ThreadLocal::new()).collect());
    let hs: Vec<_> = (0..8)
        .map(|t| {
            let locals = Arc::clone(&locals);
            thread::spawn(move || {
                for i in 0..2_000 {
                    let c = locals[i % 4].get_or(|| Cell::new(t * 1_000_000));
                    c.set(c.get() + 1);
                }
                for l in locals.iter() {
                    assert_eq!(l.get().unwrap().get(), t * 1_000_000 + 500);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
}

#[test]
fn into_values_gives_every_threads_value_once() {
    let local = ThreadLocal::new();
    local.get_or(|| 1usize);
    thread::scope(|s| {
        for n in [10, 100] {
            let local = &local;
            s.spawn(move || {
                local.get_or(|| n);
            });
        }
    });
    let mut values: Vec<usize> = local.into_values().collect();
    values.sort_unstable();
    assert_eq!(values, [1, 10, 100]);
}
