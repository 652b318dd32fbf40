//! The linearizability checker on hand-written histories: each rule for blocking and timed
//! operations (the `lin` module docs) on both sides of its accept/reject boundary, the
//! P-compositional split, pending operations, and the shrunk counterexample.
#![cfg(not(any(loom, feature = "shuttle")))]

use verisync::lin::{
    self, BankOp, BankRet, BankSpec, History, LockOp, LockRet, LockSpec, QueueOp, QueueRet,
    QueueSpec, SemaphoreOp, SemaphoreRet, SemaphoreSpec, Spec,
};

/// A history from `(thread, op, result, call, return)` rows; a return of `u64::MAX` is pending.
fn h<Op, Ret>(rows: Vec<(usize, Op, Ret, u64, u64)>) -> History<Op, Ret> {
    let mut h = History::new();
    for (thread, op, ret, call, at) in rows {
        if at == u64::MAX {
            h.push_pending(thread, op, call);
        } else {
            h.push(thread, op, ret, call, at).unwrap();
        }
    }
    h
}

const P: u64 = u64::MAX;

fn ok<S: Spec>(spec: S, history: &History<S::Op, S::Ret>) {
    if let Err(e) = lin::check(&spec, history) {
        panic!("expected linearizable, got {e}");
    }
}

fn bad<S: Spec>(spec: S, history: &History<S::Op, S::Ret>) -> lin::NotLinearizable {
    match lin::check(&spec, history) {
        Ok(w) => panic!("expected a counterexample, got the order {:?}", w.order()),
        Err(e) => e,
    }
}

use QueueOp::*;
use QueueRet::{Closed, Done, Empty, Full, Got, NothingPending, TimedOut, WasOpen};

// ---- queue: FIFO and plain gets

#[test]
fn fifo_in_real_time_order_is_required() {
    let reordered = h(vec![
        (1, Put(1), Done, 0, 1),
        (1, Put(2), Done, 2, 3),
        (2, Get, Got(2), 4, 5),
    ]);
    bad(QueueSpec::new(2), &reordered);
    // The same puts overlapping: either order explains the get.
    let overlapping = h(vec![
        (1, Put(1), Done, 0, 3),
        (3, Put(2), Done, 1, 2),
        (2, Get, Got(2), 4, 5),
    ]);
    ok(QueueSpec::new(2), &overlapping);
}

#[test]
fn a_get_needs_its_item_put_before_it_returns() {
    ok(
        QueueSpec::new(1),
        &h(vec![(2, Get, Got(7), 0, 3), (1, Put(7), Done, 2, 4)]),
    );
    bad(
        QueueSpec::new(1),
        &h(vec![(2, Get, Got(7), 0, 1), (1, Put(7), Done, 2, 4)]),
    );
}

// ---- timed-out gets: the two boundary cases

#[test]
fn timed_out_get_while_an_item_was_certainly_there_is_rejected() {
    let e = bad(
        QueueSpec::new(1),
        &h(vec![
            (1, Put(1), Done, 0, 1),
            (2, GetTimeout, TimedOut, 2, 3),
        ]),
    );
    assert!(e.to_string().contains("GetTimeout"), "{e}");
}

#[test]
fn timed_out_get_overlapping_the_get_of_the_last_item_is_accepted() {
    ok(
        QueueSpec::new(1),
        &h(vec![
            (1, Put(1), Done, 0, 1),
            (2, Get, Got(1), 2, 5),
            (3, GetTimeout, TimedOut, 3, 4),
        ]),
    );
    // The get of the last item returned before the timed get started: still fine (empty).
    ok(
        QueueSpec::new(1),
        &h(vec![
            (1, Put(1), Done, 0, 1),
            (2, Get, Got(1), 2, 3),
            (3, GetTimeout, TimedOut, 4, 5),
        ]),
    );
    // Overlapping a put only: the queue was empty before the put took effect.
    ok(
        QueueSpec::new(1),
        &h(vec![
            (1, Put(1), Done, 0, 3),
            (2, GetTimeout, TimedOut, 1, 2),
        ]),
    );
}

#[test]
fn try_get_refusal_needs_an_empty_instant() {
    bad(
        QueueSpec::new(2),
        &h(vec![(1, Put(1), Done, 0, 1), (2, TryGet, Empty, 2, 3)]),
    );
    ok(
        QueueSpec::new(2),
        &h(vec![(1, Put(1), Done, 0, 3), (2, TryGet, Empty, 1, 2)]),
    );
}

// ---- blocking and timed puts

#[test]
fn blocking_put_takes_effect_once_inside_its_interval() {
    // Capacity 1, full: the second put can only have gone in after the get made room.
    ok(
        QueueSpec::new(1),
        &h(vec![
            (1, Put(1), Done, 0, 1),
            (1, Put(2), Done, 2, 6),
            (2, Get, Got(1), 3, 4),
            (2, Get, Got(2), 7, 8),
        ]),
    );
    // ... but not if it returned before any get started: it never had room.
    bad(
        QueueSpec::new(1),
        &h(vec![
            (1, Put(1), Done, 0, 1),
            (1, Put(2), Done, 2, 3),
            (2, Get, Got(1), 4, 5),
        ]),
    );
}

#[test]
fn timed_out_and_refused_puts_need_a_full_instant() {
    let full = vec![(1, Put(1), Done, 0, 1)];
    let mut timed = full.clone();
    timed.push((2, PutTimeout(2), TimedOut, 2, 3));
    ok(QueueSpec::new(1), &h(timed.clone()));
    bad(QueueSpec::new(2), &h(timed));
    let mut tried = full;
    tried.push((2, TryPut(2), Full, 2, 3));
    ok(QueueSpec::new(1), &h(tried.clone()));
    bad(QueueSpec::new(2), &h(tried));
}

// ---- close

#[test]
fn close_refuses_later_puts_and_drains_before_refusing_gets() {
    ok(
        QueueSpec::new(2),
        &h(vec![
            (1, Put(1), Done, 0, 1),
            (1, Close, WasOpen(true), 2, 3),
            (2, Put(2), Closed, 4, 5),
            (2, Get, Got(1), 6, 7),
            (2, Get, Closed, 8, 9),
        ]),
    );
    // A put that started after the close returned cannot succeed...
    bad(
        QueueSpec::new(2),
        &h(vec![
            (1, Close, WasOpen(true), 0, 1),
            (2, Put(2), Done, 2, 3),
        ]),
    );
    // ... but one concurrent with it may fall on either side.
    ok(
        QueueSpec::new(2),
        &h(vec![
            (1, Close, WasOpen(true), 0, 3),
            (2, Put(2), Done, 1, 2),
            (2, Get, Got(2), 4, 5),
        ]),
    );
    // A get refused as closed while an item was still there is rejected: gets drain first.
    bad(
        QueueSpec::new(2),
        &h(vec![
            (1, Put(1), Done, 0, 1),
            (1, Close, WasOpen(true), 2, 3),
            (2, Get, Closed, 4, 5),
        ]),
    );
    // Only one close closes it.
    bad(
        QueueSpec::new(1),
        &h(vec![
            (1, Close, WasOpen(true), 0, 1),
            (2, Close, WasOpen(true), 2, 3),
        ]),
    );
}

#[test]
fn a_blocked_get_ends_by_the_close_not_by_a_timeout() {
    ok(
        QueueSpec::new(1),
        &h(vec![
            (2, Get, Closed, 0, 3),
            (1, Close, WasOpen(true), 1, 2),
        ]),
    );
    // A blocking get on an open empty queue has no instant to take effect.
    bad(QueueSpec::new(1), &h(vec![(2, Get, Closed, 0, 1)]));
    // Nor does it ever time out: only a timed get does.
    bad(QueueSpec::new(1), &h(vec![(2, Get, TimedOut, 0, 1)]));
    ok(QueueSpec::new(1), &h(vec![(2, GetTimeout, TimedOut, 0, 1)]));
}

// ---- task_done / join

#[test]
fn task_done_is_refused_only_when_nothing_got_is_undone() {
    ok(
        QueueSpec::new(1),
        &h(vec![
            (1, Put(1), Done, 0, 1),
            (1, TaskDone, NothingPending, 2, 3),
        ]),
    );
    bad(
        QueueSpec::new(1),
        &h(vec![
            (1, Put(1), Done, 0, 1),
            (1, Get, Got(1), 2, 3),
            (1, TaskDone, NothingPending, 4, 5),
        ]),
    );
    // Overlapping the get: may have come first.
    ok(
        QueueSpec::new(1),
        &h(vec![
            (1, Put(1), Done, 0, 1),
            (1, Get, Got(1), 2, 5),
            (2, TaskDone, NothingPending, 3, 4),
        ]),
    );
}

#[test]
fn join_returns_only_at_an_instant_with_nothing_unfinished() {
    let base = vec![(1, Put(1), Done, 0, 1), (2, Get, Got(1), 2, 3)];
    let mut early = base.clone();
    early.push((3, Join, Done, 4, 5));
    bad(QueueSpec::new(1), &h(early));
    let mut overlapping = base.clone();
    overlapping.push((2, TaskDone, Done, 6, 7));
    overlapping.push((3, Join, Done, 4, 8));
    ok(QueueSpec::new(1), &h(overlapping));
    let mut timed = base.clone();
    timed.push((3, JoinTimeout, TimedOut, 4, 5));
    ok(QueueSpec::new(1), &h(timed));
    let mut late = base;
    late.push((2, TaskDone, Done, 4, 5));
    late.push((3, JoinTimeout, TimedOut, 6, 7));
    bad(QueueSpec::new(1), &h(late));
}

// ---- semaphores

#[test]
fn semaphore_timed_acquire_refusal_needs_no_free_permit() {
    use SemaphoreOp::*;
    use SemaphoreRet::*;
    let free = h(vec![(1, AcquireTimeout, Refused, 0, 1)]);
    bad(SemaphoreSpec::new(1), &free);
    ok(SemaphoreSpec::new(0), &free);
    // Overlapping another's acquire of the only permit: fine.
    ok(
        SemaphoreSpec::new(1),
        &h(vec![
            (1, Acquire, Acquired, 0, 3),
            (2, AcquireTimeout, Refused, 1, 2),
        ]),
    );
    // release(n) lets n blocked acquirers through, and not n + 1.
    let three = |n| {
        h(vec![
            (1, Release(n), Released, 0, 1),
            (2, Acquire, Acquired, 2, 3),
            (3, Acquire, Acquired, 2, 3),
            (4, TryAcquire, Acquired, 4, 5),
        ])
    };
    ok(SemaphoreSpec::new(0), &three(3));
    bad(SemaphoreSpec::new(0), &three(2));
    // A plain semaphore refuses a release past MAX_PERMITS, as the real one does.
    let max = verisync::Semaphore::MAX_PERMITS;
    let past = h(vec![(1, Release(1), OverRelease, 0, 1)]);
    ok(SemaphoreSpec::new(max), &past);
    bad(SemaphoreSpec::new(max - 1), &past);
}

#[test]
fn bounded_semaphore_over_release_needs_an_instant_past_the_bound() {
    use SemaphoreOp::*;
    use SemaphoreRet::*;
    // One permit out of two: releasing 2 would pass the bound, releasing 1 would not.
    let hist = |n, released| {
        h(vec![
            (1, Acquire, Acquired, 0, 1),
            (2, Release(n), released, 2, 3),
        ])
    };
    ok(SemaphoreSpec::bounded(2), &hist(2, OverRelease));
    bad(SemaphoreSpec::bounded(2), &hist(2, Released));
    bad(SemaphoreSpec::bounded(2), &hist(1, OverRelease));
    ok(SemaphoreSpec::bounded(2), &hist(1, Released));
    // Concurrent with the acquire, the release may come first and find both permits free.
    ok(
        SemaphoreSpec::bounded(2),
        &h(vec![
            (1, Acquire, Acquired, 0, 3),
            (2, Release(1), OverRelease, 1, 2),
        ]),
    );
}

// ---- locks

#[test]
fn a_lock_has_one_owner_and_a_reentrant_one_counts() {
    let l = |thread| LockOp::Lock { thread };
    let u = |thread| LockOp::Unlock { thread };
    let two_owners = h(vec![
        (1, l(1), LockRet::Locked(1), 0, 1),
        (2, l(2), LockRet::Locked(1), 2, 3),
    ]);
    bad(LockSpec::mutex(), &two_owners);
    bad(LockSpec::reentrant(), &two_owners);
    let handover = h(vec![
        (1, l(1), LockRet::Locked(1), 0, 1),
        (2, l(2), LockRet::Locked(1), 2, 5),
        (1, u(1), LockRet::Unlocked, 3, 4),
    ]);
    ok(LockSpec::mutex(), &handover);
    let reenter = h(vec![
        (1, l(1), LockRet::Locked(1), 0, 1),
        (1, l(1), LockRet::Locked(2), 2, 3),
        (2, LockOp::LockTimeout { thread: 2 }, LockRet::Refused, 4, 7),
        (1, u(1), LockRet::Unlocked, 5, 6),
    ]);
    ok(LockSpec::reentrant(), &reenter);
    bad(LockSpec::mutex(), &reenter);
    // Timed out although the owner let go of its last hold before it started: rejected.
    let late = h(vec![
        (1, l(1), LockRet::Locked(1), 0, 1),
        (1, u(1), LockRet::Unlocked, 2, 3),
        (2, LockOp::LockTimeout { thread: 2 }, LockRet::Refused, 4, 5),
    ]);
    bad(LockSpec::reentrant(), &late);
    // An unlock by a thread that holds nothing is refused, and changes nothing.
    let stranger = h(vec![
        (1, l(1), LockRet::Locked(1), 0, 1),
        (2, u(2), LockRet::NotHeld, 2, 3),
        (3, u(3), LockRet::NotHeld, 4, 5),
        (1, u(1), LockRet::Unlocked, 6, 7),
        (2, u(2), LockRet::NotHeld, 8, 9),
    ]);
    ok(LockSpec::mutex(), &stranger);
    ok(LockSpec::reentrant(), &stranger);
}

// ---- pending operations

#[test]
fn a_pending_operation_may_or_may_not_have_taken_effect() {
    // A put still running explains a get of its item...
    ok(
        QueueSpec::new(1),
        &h(vec![(1, Put(3), Done, 0, P), (2, Get, Got(3), 1, 2)]),
    );
    // ... and a get still running need not have taken anything.
    ok(
        QueueSpec::new(1),
        &h(vec![
            (1, Put(3), Done, 0, 1),
            (2, Get, Done, 2, P),
            (3, TryGet, Got(3), 3, 4),
        ]),
    );
}

// ---- the bank: P-compositionality

#[test]
fn bank_transfers_are_atomic_and_split_by_account() {
    use BankOp::*;
    let t = |from, to, amount| Transfer { from, to, amount };
    // A read that sees the money gone from both accounts at once is rejected.
    bad(
        BankSpec::new(vec![10, 0]),
        &h(vec![
            (1, t(0, 1, 4), BankRet::Done, 0, 5),
            (2, Balance { account: 0 }, BankRet::Balance(6), 1, 2),
            (2, Balance { account: 1 }, BankRet::Balance(0), 3, 4),
            (3, Balance { account: 0 }, BankRet::Balance(6), 6, 7),
        ]),
    );
    // An account out of range on either side of a transfer is no such account.
    for (from, to) in [(0, 2), (2, 0), (2, 2)] {
        ok(
            BankSpec::new(vec![10, 0]),
            &h(vec![(1, t(from, to, 1), BankRet::NoSuchAccount, 0, 1)]),
        );
    }
    // Two independent pairs: a witness that respects real time across the pairs.
    let w = lin::check(
        &BankSpec::new(vec![5, 0, 5, 0]),
        &h(vec![
            (1, t(0, 1, 5), BankRet::Done, 0, 1),
            (2, t(2, 3, 5), BankRet::Done, 2, 3),
            (
                1,
                Withdraw {
                    account: 1,
                    amount: 5,
                },
                BankRet::Balance(0),
                4,
                5,
            ),
            (
                2,
                Withdraw {
                    account: 0,
                    amount: 1,
                },
                BankRet::Overdraft,
                6,
                7,
            ),
        ]),
    )
    .unwrap();
    assert_eq!(w.order(), &[0, 1, 2, 3]);
}

// ---- the counterexample

#[test]
fn the_counterexample_is_the_failing_window_after_the_last_quiet_moment() {
    // Fifty fine put/get pairs, then a reordering, then fifty more pairs.
    let mut rows = Vec::new();
    let mut now = 0;
    let pair = |rows: &mut Vec<_>, now: &mut u64, v| {
        rows.push((1, Put(v), Done, *now, *now + 1));
        rows.push((2, Get, Got(v), *now + 2, *now + 3));
        *now += 4;
    };
    for v in 0..50 {
        pair(&mut rows, &mut now, v);
    }
    rows.push((1, Put(100), Done, now, now + 1));
    rows.push((1, Put(101), Done, now + 2, now + 3));
    rows.push((2, Get, Got(101), now + 4, now + 5));
    rows.push((2, Get, Got(100), now + 6, now + 7));
    now += 8;
    for v in 200..250 {
        pair(&mut rows, &mut now, v);
    }
    let e = bad(QueueSpec::new(4), &h(rows));
    // The last quiet moment is after the two puts: from a queue holding [100, 101], a get of
    // 101 is the whole counterexample.
    assert_eq!(e.operations(), &[102], "{e}");
    assert!(e.start().contains("items: [100, 101]"), "{e}");
    let text = e.to_string();
    assert!(text.contains("T2") && text.contains("Got(101)"), "{text}");
    assert!(
        e.table().contains("Got(101)") && text.ends_with(e.table()),
        "{text}"
    );
    assert!(
        !text.contains("Got(100)") && !text.contains("Got(249)"),
        "{text}"
    );
}

#[test]
fn a_ten_thousand_operation_queue_history_checks_fast() {
    // Four threads, each op overlapping its neighbours': a put by T1/T2, a get by T3/T4.
    let mut rows = Vec::new();
    for k in 0..2500u64 {
        let t = 4 * k;
        rows.push((1 + (k % 2) as usize, Put(2 * k), Done, t, t + 5));
        rows.push((2 - (k % 2) as usize, Put(2 * k + 1), Done, t + 1, t + 6));
        rows.push((3, Get, Got(2 * k), t + 2, t + 7));
        rows.push((4, Get, Got(2 * k + 1), t + 3, t + 8));
    }
    let history = h(rows);
    let started = std::time::Instant::now();
    ok(QueueSpec::new(8), &history);
    println!("10^4-operation queue history: {:?}", started.elapsed());
}

// ---- the checker against brute force

/// Whether some order of `h` explains it, by trying every order that respects real time
/// (pending operations may be left out): the definition, with no memo and no split.
fn brute<S: Spec>(state: &S, h: &History<S::Op, S::Ret>, done: &mut Vec<bool>) -> bool {
    let ops = h.operations();
    if ops
        .iter()
        .zip(done.iter())
        .all(|(o, &d)| d || o.is_pending())
    {
        return true;
    }
    for i in 0..ops.len() {
        let blocked = ops
            .iter()
            .enumerate()
            .any(|(j, p)| !done[j] && j != i && p.ret_at.is_some_and(|r| r < ops[i].call));
        if done[i] || blocked {
            continue;
        }
        let mut next = state.clone();
        let fits = match (next.apply(&ops[i].op), &ops[i].ret) {
            (Some(got), Some(want)) => got == *want,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if fits {
            done[i] = true;
            if brute(&next, h, done) {
                return true;
            }
            done[i] = false;
        }
    }
    false
}

/// A witness must respect real time and give every operation in it its result.
fn valid_witness<S: Spec>(spec: &S, h: &History<S::Op, S::Ret>, order: &[usize]) -> bool {
    let ops = h.operations();
    let mut state = spec.clone();
    for (k, &i) in order.iter().enumerate() {
        let later_returned_first = order[k + 1..]
            .iter()
            .any(|&j| ops[j].ret_at.is_some_and(|r| r < ops[i].call));
        let fits = match (state.apply(&ops[i].op), &ops[i].ret) {
            (Some(got), Some(want)) => got == *want,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if later_returned_first || !fits {
            return false;
        }
    }
    let mut all: Vec<usize> = order.to_vec();
    all.sort_unstable();
    all.dedup();
    all.len() == order.len() && (0..ops.len()).all(|i| ops[i].is_pending() || order.contains(&i))
}

mod agreement {
    use super::*;
    use proptest::prelude::*;

    /// Small queue histories: operations and results from small domains, so that about half
    /// are linearizable; some pending.
    fn queue_history() -> impl Strategy<Value = History<QueueOp, QueueRet>> {
        let op = prop_oneof![
            (0u64..3).prop_map(Put),
            (0u64..3).prop_map(TryPut),
            Just(Get),
            Just(TryGet),
            Just(GetTimeout),
            Just(Close),
            Just(TaskDone),
            Just(JoinTimeout),
        ];
        let ret = prop_oneof![
            Just(Done),
            (0u64..3).prop_map(Got),
            Just(Full),
            Just(Empty),
            Just(TimedOut),
            Just(Closed),
            any::<bool>().prop_map(WasOpen),
            Just(NothingPending),
        ];
        let row = (1usize..4, op, ret, 0u64..12, 0u64..6, 0u8..8);
        proptest::collection::vec(row, 0..7).prop_map(|rows| {
            let mut h = History::new();
            for (thread, op, ret, call, len, pending) in rows {
                if pending == 0 {
                    h.push_pending(thread, op, call);
                } else {
                    h.push(thread, op, ret, call, call + len).unwrap();
                }
            }
            h
        })
    }

    fn bank_history() -> impl Strategy<Value = History<BankOp, BankRet>> {
        let op = prop_oneof![
            (0usize..3, 1u64..3).prop_map(|(account, amount)| BankOp::Deposit { account, amount }),
            (0usize..3, 1u64..3).prop_map(|(account, amount)| BankOp::Withdraw { account, amount }),
            (0usize..3, 0usize..3, 1u64..3).prop_map(|(from, to, amount)| BankOp::Transfer {
                from,
                to,
                amount
            }),
            (0usize..3).prop_map(|account| BankOp::Balance { account }),
        ];
        let ret = prop_oneof![
            (0u64..5).prop_map(BankRet::Balance),
            Just(BankRet::Done),
            Just(BankRet::Overdraft),
        ];
        let row = (1usize..4, op, ret, 0u64..12, 0u64..6);
        proptest::collection::vec(row, 0..7).prop_map(|rows| {
            let mut h = History::new();
            for (thread, op, ret, call, len) in rows {
                h.push(thread, op, ret, call, call + len).unwrap();
            }
            h
        })
    }

    fn agree<S: Spec>(spec: &S, h: &History<S::Op, S::Ret>) -> Result<(), TestCaseError> {
        let expected = brute(spec, h, &mut vec![false; h.len()]);
        match lin::check(spec, h) {
            Ok(w) => {
                prop_assert!(expected, "accepted, brute force rejects: {h:?}");
                prop_assert!(
                    valid_witness(spec, h, w.order()),
                    "bad witness {:?}",
                    w.order()
                );
            }
            Err(e) => {
                prop_assert!(!expected, "rejected, brute force accepts: {h:?}\n{e}");
                // The shrunk window fails on its own, from the state it names: checked here
                // by its being non-empty and inside the history.
                prop_assert!(!e.operations().is_empty());
                prop_assert!(e.operations().iter().all(|&i| i < h.len()));
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn queue_verdicts_match_brute_force(h in queue_history(), cap in 1usize..3) {
            agree(&QueueSpec::new(cap), &h)?;
        }

        #[test]
        fn bank_verdicts_match_brute_force_despite_the_split(h in bank_history()) {
            agree(&BankSpec::new(vec![2, 0, 1]), &h)?;
        }
    }
}

/// A specification that keeps the default `partition`: one register, no parts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Register(u64);

impl Spec for Register {
    type Op = Option<u64>; // Some(v): write v; None: read
    type Ret = u64;
    fn apply(&mut self, op: &Option<u64>) -> Option<u64> {
        if let Some(v) = *op {
            self.0 = v;
        }
        Some(self.0)
    }
}

#[test]
fn a_spec_without_parts_may_touch_everything() {
    // The default: the checker must not split the history of such a spec.
    assert_eq!(Register(0).partition(&Some(1)), None);
    assert_eq!(Register(0).partition(&None), None);
    // A write of 2 overlapping a read that saw 2: linearizable only as one group.
    ok(
        Register(0),
        &h(vec![(1, Some(2), 2, 0, 3), (2, None, 2, 1, 2)]),
    );
    // A read of a value nobody wrote is not.
    bad(
        Register(0),
        &h(vec![(1, Some(2), 2, 0, 1), (2, None, 7, 2, 3)]),
    );
}

#[test]
fn a_history_keeps_its_operations_and_a_recorder_stamps_in_order() {
    let mut hist = History::<QueueOp, QueueRet>::new();
    assert!(hist.is_empty());
    assert_eq!(hist.len(), 0);
    hist.push(1, TryGet, Empty, 0, 1).unwrap();
    hist.push_pending(2, Get, 2);
    assert!(!hist.is_empty() && hist.len() == 2);
    assert_eq!(
        hist.push(1, TryGet, Empty, 5, 4),
        Err(lin::HistoryError::ReturnBeforeCall { call: 5, ret: 4 })
    );
    assert_eq!(hist.len(), 2, "a refused push leaves the history unchanged");
    // Collecting a history's operations gives the same history.
    let again: History<_, _> = hist.operations().iter().cloned().collect();
    assert_eq!(again.operations(), hist.operations());
    assert_eq!(again.len(), 2);

    // A recorder stamps calls and returns from one clock: 0 call, 1 call, 2 return, 3 return.
    let rec = lin::Recorder::<QueueOp, QueueRet>::new();
    assert!(rec.history().is_empty());
    let first = rec.call(1, Put(1));
    let second = rec.call(2, Get);
    second.ret(Got(1));
    first.ret(Done);
    let _pending = rec.call(3, Close);
    let ops = rec.history();
    let ops = ops.operations();
    assert_eq!(
        (ops[0].call, ops[0].ret_at, ops[0].ret),
        (0, Some(3), Some(Done))
    );
    assert_eq!(
        (ops[1].call, ops[1].ret_at, ops[1].ret),
        (1, Some(2), Some(Got(1)))
    );
    assert_eq!((ops[2].call, ops[2].ret_at, ops[2].ret), (4, None, None));
    assert!(ops[2].is_pending() && !ops[0].is_pending());
    assert_eq!(rec.record(4, TryGet, || Empty), Empty);
    assert_eq!(rec.history().operations()[3].ret_at, Some(6));
}

#[test]
fn a_counterexample_starts_from_every_state_the_quiet_prefix_can_end_in() {
    // Eight overlapping writes, then (after a quiet moment) a read of a value nobody wrote:
    // the prefix can end in any of eight states, and the read fails from each.
    let mut rows: Vec<_> = (1..=8).map(|v| (v as usize, Some(v), v, v, 20)).collect();
    rows.push((9, None, 99, 30, 31));
    let e = bad(Register(0), &h(rows.clone()));
    assert_eq!(e.operations(), &[8], "{e}");
    assert!(
        e.start().starts_with("any of [") && e.start().contains("Register(8)"),
        "{e}"
    );
    // Nine: more states than the checker collects, so it starts from the beginning.
    rows.insert(8, (10, Some(10), 10, 10, 20));
    let e = bad(Register(0), &h(rows));
    assert_eq!(e.operations().len(), 10, "{e}");
    assert_eq!(e.start(), "Register(0)", "{e}");
}

#[test]
fn a_counterexample_holds_only_the_failing_group() {
    use BankOp::*;
    // A transfer between accounts 0 and 1 spans the whole history; a balance of account 2
    // that nobody could have seen is the bug. Split by account, the transfer is not in it.
    let e = bad(
        BankSpec::new(vec![5, 0, 5]),
        &h(vec![
            (
                1,
                Transfer {
                    from: 0,
                    to: 1,
                    amount: 5,
                },
                BankRet::Done,
                0,
                100,
            ),
            (2, Balance { account: 2 }, BankRet::Balance(99), 5, 6),
        ]),
    );
    assert_eq!(e.operations(), &[1], "{e}");
    assert!(!e.table().contains("Transfer"), "{e}");
}

#[test]
fn operations_that_touch_are_concurrent_so_no_quiet_moment_falls_between_them() {
    // A write returning at 5 and a read called at 5 overlap at that instant: the read's bad
    // value is shown with the write, from the initial state, not after it.
    let e = bad(
        Register(0),
        &h(vec![(1, Some(1), 1, 0, 5), (2, None, 7, 5, 6)]),
    );
    assert_eq!(e.operations(), &[0, 1], "{e}");
    assert_eq!(e.start(), "Register(0)", "{e}");
}
