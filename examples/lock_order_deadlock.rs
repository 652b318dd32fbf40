//! 004 案例14 (死锁问题): two threads take two locks in opposite orders.
//!
//! The note names the case without its code; the classic program is `func_1` taking `lock_1`
//! then `lock_2` while `func_2` takes `lock_2` then `lock_1`, each sleeping between the two
//! acquires, and printing `func_1 申请了 lock_1....` / `func_1 等待 lock_2.......`: in Python
//! it hangs there for ever.
//!
//! Here the second acquire is a [`verisync::Mutex::lock_timeout`] of 200 ms used as a
//! watchdog, so the deadlock is *detected* and printed instead of hanging; then the fix, one
//! global order (`lock_1` before `lock_2` in both threads), runs to `done`.
//!
//! ```text
//! cargo run --example lock_order_deadlock
//! ```

use std::sync::Arc;
use std::thread;
use std::time::Duration;
use verisync::Mutex;

const MS: fn(u64) -> Duration = Duration::from_millis;

/// Takes `first` (named `a`), waits 30 ms, then asks for `second` (named `b`) for 200 ms.
fn func(name: &str, first: &Mutex<()>, a: &str, second: &Mutex<()>, b: &str) {
    let _held = first.lock();
    println!("{name} 申请了 {a}....");
    thread::sleep(MS(30));
    println!("{name} 等待 {b}.......");
    match second.lock_timeout(MS(200)) {
        Some(_both) => println!("{name} 申请了 {b}....... {name} done"),
        None => {
            println!("{name} 等了 200 ms 也没得到 {b}: 死锁 (另一个线程拿着 {b}, 在等 {a})");
            thread::sleep(MS(50)); // keep holding `a` until the other thread has timed out too
        }
    }
}

fn run(opposite_orders: bool) {
    let (lock_1, lock_2) = (Arc::new(Mutex::new(())), Arc::new(Mutex::new(())));
    let (l1, l2) = (Arc::clone(&lock_1), Arc::clone(&lock_2));
    let t1 = thread::spawn(move || func("func_1", &l1, "lock_1", &l2, "lock_2"));
    thread::sleep(MS(10)); // func_1 prints first
    let t2 = thread::spawn(move || match opposite_orders {
        true => func("func_2", &lock_2, "lock_2", &lock_1, "lock_1"),
        false => func("func_2", &lock_1, "lock_1", &lock_2, "lock_2"),
    });
    t1.join().unwrap();
    t2.join().unwrap();
}

fn main() {
    println!("-- 相反的加锁顺序 --");
    run(true);
    println!("-- 同一个加锁顺序 (lock_1 先于 lock_2) --");
    run(false);
}
