//! shuttle explorations of generated plans: per-thread sequences of deposits, withdrawals and
//! transfers, run under random and PCT schedules. Every execution must conserve money and be
//! explained by some serial order of the same operations (each thread's in program order).
#![cfg(all(feature = "shuttle", not(loom)))]

use proptest::prelude::*;
use std::sync::{Arc as StdArc, Mutex as StdMutex};
use verisync::sync::{thread, Arc};
use verisync::{Account, AccountError};

#[derive(Clone, Copy, Debug)]
enum Op {
    Deposit(usize, u64),
    Withdraw(usize, u64),
    Transfer(usize, usize, u64),
}

type Outcome = Result<Option<u64>, AccountError>;

const INITIAL: [u64; 2] = [5, u64::MAX - 5];

fn op() -> impl Strategy<Value = Op> {
    let n = prop_oneof![0..8u64, Just(u64::MAX)];
    prop_oneof![
        (0..2usize, n.clone()).prop_map(|(i, n)| Op::Deposit(i, n)),
        (0..2usize, n.clone()).prop_map(|(i, n)| Op::Withdraw(i, n)),
        (0..2usize, 0..2usize, n).prop_map(|(i, j, n)| Op::Transfer(i, j, n)),
    ]
}

fn plan() -> impl Strategy<Value = Vec<Vec<Op>>> {
    prop::collection::vec(prop::collection::vec(op(), 1..=3), 2..=3)
}

fn run_on(accounts: &[Account; 2], op: Op) -> Outcome {
    match op {
        Op::Deposit(i, n) => accounts[i].deposit(n).map(Some),
        Op::Withdraw(i, n) => accounts[i].withdraw(n).map(Some),
        Op::Transfer(i, j, n) => Account::transfer(&accounts[i], &accounts[j], n).map(|()| None),
    }
}

fn credit(balance: u64, deposit: u64) -> Result<u64, AccountError> {
    balance
        .checked_add(deposit)
        .ok_or(AccountError::Overflow { balance, deposit })
}

fn debit(balance: u64, requested: u64) -> Result<u64, AccountError> {
    balance
        .checked_sub(requested)
        .ok_or(AccountError::Overdraft { balance, requested })
}

/// The sequential reference: applies `op` to plain balances, changing them only on success.
fn model(s: &mut [u64; 2], op: Op) -> Outcome {
    match op {
        Op::Deposit(i, n) => {
            s[i] = credit(s[i], n)?;
            Ok(Some(s[i]))
        }
        Op::Withdraw(i, n) => {
            s[i] = debit(s[i], n)?;
            Ok(Some(s[i]))
        }
        Op::Transfer(i, j, n) => {
            let from = debit(s[i], n)?;
            if i != j {
                s[j] = credit(s[j], n)?;
                s[i] = from;
            }
            Ok(None)
        }
    }
}

/// Is there an interleaving of the threads' plans (each in program order) that, run serially
/// from `state`, gives exactly `results` and ends in `end`?
fn serializable(
    plans: &[Vec<Op>],
    results: &[Vec<Outcome>],
    pos: &mut Vec<usize>,
    state: [u64; 2],
    end: [u64; 2],
) -> bool {
    if pos.iter().zip(plans).all(|(&p, plan)| p == plan.len()) {
        return state == end;
    }
    for t in 0..plans.len() {
        if pos[t] == plans[t].len() {
            continue;
        }
        let mut s = state;
        if model(&mut s, plans[t][pos[t]]) != results[t][pos[t]] {
            continue;
        }
        pos[t] += 1;
        let ok = serializable(plans, results, pos, s, end);
        pos[t] -= 1;
        if ok {
            return true;
        }
    }
    false
}

fn scenario(plans: Vec<Vec<Op>>) -> impl Fn() + Send + Sync + 'static {
    move || {
        let accounts = Arc::new([Account::new(INITIAL[0]), Account::new(INITIAL[1])]);
        let results = StdArc::new(StdMutex::new(vec![Vec::new(); plans.len()]));
        let handles: Vec<_> = plans
            .iter()
            .cloned()
            .enumerate()
            .map(|(t, plan)| {
                let (accounts, results) = (Arc::clone(&accounts), StdArc::clone(&results));
                thread::spawn(move || {
                    for op in plan {
                        let out = run_on(&accounts, op);
                        results.lock().unwrap()[t].push(out);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let end = [accounts[0].balance(), accounts[1].balance()];
        let results = results.lock().unwrap();
        // Conservation: only successful deposits add and withdrawals remove.
        let (mut added, mut removed) = (0u128, 0u128);
        for (plan, outs) in plans.iter().zip(results.iter()) {
            for (op, out) in plan.iter().zip(outs) {
                match (op, out) {
                    (Op::Deposit(_, n), Ok(_)) => added += u128::from(*n),
                    (Op::Withdraw(_, n), Ok(_)) => removed += u128::from(*n),
                    _ => {}
                }
            }
        }
        let total = |b: [u64; 2]| u128::from(b[0]) + u128::from(b[1]);
        assert_eq!(
            total(end) + removed,
            total(INITIAL) + added,
            "money not conserved"
        );
        let mut pos = vec![0; plans.len()];
        assert!(
            serializable(&plans, &results, &mut pos, INITIAL, end),
            "no serial order explains {results:?} ending in {end:?} for {plans:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn plans_are_serializable_under_random_and_pct_schedules(plans in plan()) {
        verisync::check::Builder::new(
            "shuttle_account/plans_are_serializable_under_random_and_pct_schedules",
        )
        .schedules(100)
        .run(scenario(plans));
    }
}

/// The checker itself must be able to fail: a plan whose recorded results are impossible in
/// any serial order is rejected.
#[test]
fn the_serializability_check_rejects_impossible_results() {
    let plans = vec![vec![Op::Withdraw(0, 5)], vec![Op::Withdraw(0, 5)]];
    // Both withdrawals of the whole balance claiming success is impossible.
    let results = vec![vec![Ok(Some(0))], vec![Ok(Some(0))]];
    assert!(!serializable(
        &plans,
        &results,
        &mut vec![0, 0],
        INITIAL,
        [0, INITIAL[1]]
    ));
    let results = vec![
        vec![Ok(Some(0))],
        vec![Err(AccountError::Overdraft {
            balance: 0,
            requested: 5,
        })],
    ];
    assert!(serializable(
        &plans,
        &results,
        &mut vec![0, 0],
        INITIAL,
        [0, INITIAL[1]]
    ));
}
