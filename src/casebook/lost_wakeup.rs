//! `lost-wakeup` — the producer and consumer of 004's 生产者消费者问题 (案例13) and 000 §6
//! (生产者消费者模型), written with a condition variable instead of a queue: the consumer waits
//! on a [`Condition`](crate::Condition) until the producer's item is there. Two ways to get the
//! wait wrong:
//!
//! * `if` instead of `while` around the wait: a wait may return without a notify (a spurious
//!   wakeup, which the contract allows), and the consumer then goes on as if the item were
//!   there. Only a checker that injects spurious wakeups can find it: with none, every wakeup
//!   follows the producer's notify, and the item is there.
//! * A wait with no predicate at all: a notify made while nobody waits is not kept, so a
//!   consumer that starts waiting after the producer has notified sleeps forever.
//!
//! The fix for both: check the condition before the first wait and after every wakeup, with
//! the lock held (`while`, or [`wait_while`](crate::ConditionGuard::wait_while)).

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::{thread, Arc};
use crate::{Condition, ConditionGuard};
use std::time::Duration;

pub(super) const CASE: Case = Case {
    name: "lost-wakeup",
    notes: "004 生产者消费者问题 (案例13); 000 §6 生产者消费者模型 (the consumer waits for the producer)",
    lesson: "wait for a condition, not for a notify: check it before the first wait and after every wakeup",
    variants: &[
        Variant {
            name: "broken",
            describe: "T2 waits once, with `if` instead of `while`, then takes the item T1 puts and notifies",
            expect: Some(FailureKind::Panic),
            run: broken,
            // The bug is there only because a wait may return without a notify.
            spurious: 1,
        },
        Variant {
            name: "broken-early-notify",
            describe: "T1 puts the item and notifies; T2 waits with no check first, so a notify made before it waits is lost",
            expect: Some(FailureKind::Deadlock),
            run: broken_early_notify,
            // A spurious wakeup could rescue this consumer by luck: the lost notify is shown in
            // the executions without one.
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "T2 waits `while` there is no item: it looks before the first wait and after every wakeup",
            expect: None,
            run: fixed,
            // Proven clean with them.
            spurious: 1,
        },
    ],
};

/// The item T1 produces.
const ITEM: u32 = 1;

/// The shared slot: `None` until T1 puts its item.
type Slot = Arc<Condition<Option<u32>>>;

/// Spawns T1, the producer: after `work` (the notes' producer sleeps before each item) it puts
/// the item and notifies, both under the lock (correct in every variant).
fn spawn_producer(slot: &Slot, work: Duration) -> thread::JoinHandle<()> {
    let slot = Arc::clone(slot);
    thread::spawn(move || {
        if !work.is_zero() {
            // On the modelled clock, a spurious wakeup of a consumer already waiting may come
            // first.
            thread::sleep(work);
        }
        let mut g = slot.lock();
        *g = Some(ITEM);
        let woken = g.notify(1);
        trace::event(1, format!("puts item {ITEM}, notifies (wakes {woken})"));
    })
}

/// T2's last step, once its wait is over: takes the item, lets go of the lock and joins T1;
/// panics with the outcome if there was no item.
fn take_item(mut g: ConditionGuard<'_, Option<u32>>, producer: thread::JoinHandle<()>) {
    let item = g.take();
    if let Some(item) = item {
        trace::event(2, format!("takes item {item}"));
    }
    drop(g);
    producer.join().unwrap();
    if item.is_none() {
        panic!("woke with no item");
    }
}

/// How long the producer works before its item (see `spawn_producer`).
const WORK: Duration = Duration::from_millis(10);

fn broken() {
    let slot: Slot = Arc::new(Condition::new(None));
    let producer = spawn_producer(&slot, WORK);
    let mut g = slot.lock();
    if g.is_none() {
        trace::event(2, "no item: waits (`if`: once)");
        g.wait();
        trace::event(2, "wakes, does not look again");
    }
    take_item(g, producer);
}

fn broken_early_notify() {
    let slot: Slot = Arc::new(Condition::new(None));
    // No work: the notify may come before the consumer waits.
    let producer = spawn_producer(&slot, Duration::ZERO);
    let mut g = slot.lock();
    trace::event(2, "waits for the notify (no look first)");
    g.wait();
    // Woken (or spuriously): whatever is there. This variant's failure is the wait that never
    // returns, so it does not check the item (a spurious wakeup would make that a second bug).
    let item = g.take();
    trace::event(2, format!("wakes, takes {item:?}"));
    drop(g);
    producer.join().unwrap();
}

fn fixed() {
    let slot: Slot = Arc::new(Condition::new(None));
    let producer = spawn_producer(&slot, WORK);
    let mut g = slot.lock();
    while g.is_none() {
        trace::event(2, "no item: waits");
        g.wait();
        trace::event(2, "wakes, looks again");
    }
    take_item(g, producer);
}
