//! Model-based test: `Account` against a plain sequential account (proptest-state-machine).
#![cfg(not(any(loom, feature = "shuttle")))]

use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use verisync::{Account, AccountError};

#[derive(Clone, Debug)]
enum Op {
    Deposit(usize, u64),
    Withdraw(usize, u64),
    Transfer(usize, usize, u64),
}

/// The reference: two plain balances.
struct Reference;

impl ReferenceStateMachine for Reference {
    type State = [u64; 2];
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Self::State> {
        // Near u64::MAX too, so that overflow is reached.
        prop_oneof![
            Just([0, 0]),
            (0..100u64, 0..100u64).prop_map(|(a, b)| [a, b]),
            (0..100u64).prop_map(|a| [u64::MAX - a, a]),
        ]
        .boxed()
    }

    fn transitions(_: &Self::State) -> BoxedStrategy<Op> {
        let amount = prop_oneof![
            0..60u64,
            Just(u64::MAX),
            (0..3u64).prop_map(|d| u64::MAX - d)
        ];
        prop_oneof![
            (0..2usize, amount.clone()).prop_map(|(i, n)| Op::Deposit(i, n)),
            (0..2usize, amount.clone()).prop_map(|(i, n)| Op::Withdraw(i, n)),
            (0..2usize, 0..2usize, amount).prop_map(|(i, j, n)| Op::Transfer(i, j, n)),
        ]
        .boxed()
    }

    fn apply(mut s: Self::State, op: &Op) -> Self::State {
        let _ = reference_apply(&mut s, op);
        s
    }
}

/// What the sequential account answers, applying the change only on success.
fn reference_apply(s: &mut [u64; 2], op: &Op) -> Result<Option<u64>, AccountError> {
    match *op {
        Op::Deposit(i, n) => {
            let balance = s[i];
            s[i] = balance.checked_add(n).ok_or(AccountError::Overflow {
                balance,
                deposit: n,
            })?;
            Ok(Some(s[i]))
        }
        Op::Withdraw(i, n) => {
            let balance = s[i];
            s[i] = balance.checked_sub(n).ok_or(AccountError::Overdraft {
                balance,
                requested: n,
            })?;
            Ok(Some(s[i]))
        }
        Op::Transfer(i, j, n) => {
            let from = s[i];
            let after = from.checked_sub(n).ok_or(AccountError::Overdraft {
                balance: from,
                requested: n,
            })?;
            if i != j {
                let to = s[j];
                s[j] = to.checked_add(n).ok_or(AccountError::Overflow {
                    balance: to,
                    deposit: n,
                })?;
                s[i] = after;
            }
            Ok(None)
        }
    }
}

struct Real;

impl StateMachineTest for Real {
    /// The accounts, and the balances they had before the next operation.
    type SystemUnderTest = ([Account; 2], [u64; 2]);
    type Reference = Reference;

    fn init_test(s: &[u64; 2]) -> Self::SystemUnderTest {
        ([Account::new(s[0]), Account::new(s[1])], *s)
    }

    fn apply(
        (sut, before): Self::SystemUnderTest,
        after: &[u64; 2],
        op: Op,
    ) -> Self::SystemUnderTest {
        let mut expected = before;
        let want = reference_apply(&mut expected, &op);
        assert_eq!(&expected, after, "the reference disagrees with itself");
        let got = match op {
            Op::Deposit(i, n) => sut[i].deposit(n).map(Some),
            Op::Withdraw(i, n) => sut[i].withdraw(n).map(Some),
            Op::Transfer(i, j, n) => Account::transfer(&sut[i], &sut[j], n).map(|()| None),
        };
        assert_eq!(got, want, "result of {op:?}");
        assert_eq!(
            [sut[0].balance(), sut[1].balance()],
            expected,
            "after {op:?}"
        );
        (sut, expected)
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]
    #[test]
    fn account_matches_the_sequential_model(sequential 1..40 => Real);
}
