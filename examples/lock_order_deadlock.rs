//! 004 案例14 (死锁问题): two threads take two locks in opposite orders.
//!
//! The note names the case without its code; the classic program is `func_1` taking `lock_1`
//! then `lock_2` while `func_2` takes `lock_2` then `lock_1`, each sleeping between the two
//! acquires, and printing `func_1 申请了 lock_1....` / `func_1 等待 lock_2.......`: in Python
//! it hangs there for ever.
//!
//! Here the second acquire is a [`verisync::Mutex::lock_timeout`] of 200 ms used as a
//! watchdog, so the deadlock is *detected* and printed instead of hanging (a `Barrier` makes
//! sure both threads hold their first lock before either asks for the second, so both always
//! report it; the order of the two threads' lines may differ on a loaded machine); then the
//! fix, one global order (`lock_1` before `lock_2` in both threads), runs to `done`.
//!
//! ```text
//! cargo run --example lock_order_deadlock
//! ```

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;
use verisync::Mutex;

const MS: fn(u64) -> Duration = Duration::from_millis;

/// Takes `first` (named `a`), then asks for `second` (named `b`) for at most 200 ms. With a
/// `barrier`, both threads hold their first lock before either asks (the deadlock is certain),
/// and neither lets go of it until both have given up.
fn func(
    name: &str,
    first: &Mutex<()>,
    a: &str,
    second: &Mutex<()>,
    b: &str,
    barrier: Option<&Barrier>,
) {
    let _held = first.lock();
    println!("{name} 申请了 {a}....");
    if let Some(barrier) = barrier {
        barrier.wait();
    }
    thread::sleep(MS(if name == "func_1" { 20 } else { 30 })); // func_1 asks first
    println!("{name} 等待 {b}.......");
    match second.lock_timeout(MS(200)) {
        Some(_both) => println!("{name} 申请了 {b}....... {name} done"),
        None => println!("{name} 等了 200 ms 也没得到 {b}: 死锁 (另一个线程拿着 {b}, 在等 {a})"),
    }
    if let Some(barrier) = barrier {
        barrier.wait();
    }
}

fn run(opposite_orders: bool) {
    let (lock_1, lock_2) = (Arc::new(Mutex::new(())), Arc::new(Mutex::new(())));
    let (l1, l2) = (Arc::clone(&lock_1), Arc::clone(&lock_2));
    // Only when the orders are opposite: with one order, func_2 waits for lock_1 before the barrier.
    let barrier = opposite_orders.then(|| Arc::new(Barrier::new(2)));
    let b1 = barrier.clone();
    let t1 = thread::spawn(move || func("func_1", &l1, "lock_1", &l2, "lock_2", b1.as_deref()));
    thread::sleep(MS(10)); // func_1's lines first
    let b2 = barrier.as_deref();
    match opposite_orders {
        true => func("func_2", &lock_2, "lock_2", &lock_1, "lock_1", b2),
        false => func("func_2", &lock_1, "lock_1", &lock_2, "lock_2", b2),
    }
    t1.join().unwrap();
}

fn main() {
    if verisync::sync::CHECKED {
        eprintln!("lock_order_deadlock is the notes' program, run in a normal build: leave out --cfg loom and --features shuttle (the casebook explorer is how to see it under a checker)");
        std::process::exit(2);
    }
    println!("-- 相反的加锁顺序 --");
    run(true);
    println!("-- 同一个加锁顺序 (lock_1 先于 lock_2) --");
    run(false);
}
