//! [`Account`]: the bank account of the notes (001 `AddMoneyThread`), made atomic.
//!
//! In the notes, ten threads each deposit 1 into an unlocked account and the balance ends at 1:
//! every thread read the old balance before any wrote the new one (the casebook's
//! `lost-update`). Here each operation is one critical section, overdraw and overflow are
//! errors that change nothing, and [`Account::transfer`] takes two accounts' locks in one global
//! order, so opposite transfers cannot deadlock (`lock-order-deadlock`) and a transfer to the
//! same account cannot lock it twice (`self-transfer`).

use crate::sync::serial;
use crate::Mutex;
use std::cmp::Ordering;
use std::fmt;
use thiserror::Error;

/// Why an [`Account`] operation was refused. Nothing was changed, and the error carries the
/// amount the caller asked for.
///
/// ```
/// # verisync::sync::model(|| {
/// use verisync::{Account, AccountError};
/// let a = Account::new(5);
/// assert_eq!(a.withdraw(7), Err(AccountError::Overdraft { balance: 5, requested: 7 }));
/// assert_eq!(a.balance(), 5);
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum AccountError {
    /// The account holds less than was asked for.
    #[error("overdraft: cannot take {requested} from a balance of {balance}")]
    Overdraft {
        /// The balance when the request was refused.
        balance: u64,
        /// The amount that was asked for (the caller's value, given back).
        requested: u64,
    },
    /// The deposit would take the balance past `u64::MAX`.
    #[error("overflow: cannot add {deposit} to a balance of {balance}")]
    Overflow {
        /// The balance when the request was refused.
        balance: u64,
        /// The amount that was offered (the caller's value, given back).
        deposit: u64,
    },
}

/// A balance in whole units that many threads may change at once without losing an update.
///
/// Every operation is atomic: it happens entirely before or entirely after any other on the
/// same account. Money is never created or destroyed by a concurrent mix of deposits,
/// withdrawals and transfers: only a deposit adds and only a withdrawal removes.
///
/// ```
/// use verisync::Account;
/// use verisync::sync::{model, thread, Arc};
///
/// // The notes' AddMoneyThread, two depositors: the balance is 2 in every interleaving.
/// model(|| {
///     let acct = Arc::new(Account::new(0));
///     let a2 = Arc::clone(&acct);
///     let t = thread::spawn(move || a2.deposit(1).unwrap());
///     acct.deposit(1).unwrap();
///     t.join().unwrap();
///     assert_eq!(acct.balance(), 2);
/// });
/// ```
pub struct Account {
    balance: Mutex<u64>,
    /// This account's place in the one global lock order of [`Account::transfer`]: its
    /// creation order, not its address (see `sync::serial`: an order by address differs
    /// between a checker's executions, and loom then reports a deadlock that cannot happen).
    serial: u64,
}

impl Account {
    /// Opens an account holding `balance`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::Account::new(10).balance(), 10);
    /// # });
    /// ```
    #[track_caller]
    pub fn new(balance: u64) -> Self {
        Account {
            balance: Mutex::new_as(balance, "Account"),
            serial: serial(),
        }
    }

    /// The balance now (stale as soon as it returns if other threads are changing it).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let a = verisync::Account::new(3);
    /// a.deposit(4).unwrap();
    /// assert_eq!(a.balance(), 7);
    /// # });
    /// ```
    #[inline]
    pub fn balance(&self) -> u64 {
        *self.balance.lock()
    }

    /// Adds `amount`; returns the new balance.
    ///
    /// # Errors
    ///
    /// [`AccountError::Overflow`] if the balance would pass `u64::MAX`; the balance is unchanged.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// use verisync::{Account, AccountError};
    /// let a = Account::new(u64::MAX - 1);
    /// assert_eq!(a.deposit(1), Ok(u64::MAX));
    /// assert_eq!(a.deposit(1), Err(AccountError::Overflow { balance: u64::MAX, deposit: 1 }));
    /// # });
    /// ```
    #[inline]
    pub fn deposit(&self, amount: u64) -> Result<u64, AccountError> {
        let mut balance = self.balance.lock();
        *balance = credit(*balance, amount)?;
        Ok(*balance)
    }

    /// Takes `amount` out; returns the new balance.
    ///
    /// # Errors
    ///
    /// [`AccountError::Overdraft`] if the balance is less than `amount`; the balance is
    /// unchanged.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let a = verisync::Account::new(10);
    /// assert_eq!(a.withdraw(4), Ok(6));
    /// assert!(a.withdraw(7).is_err());
    /// assert_eq!(a.balance(), 6);
    /// # });
    /// ```
    #[inline]
    pub fn withdraw(&self, amount: u64) -> Result<u64, AccountError> {
        let mut balance = self.balance.lock();
        *balance = debit(*balance, amount)?;
        Ok(*balance)
    }

    /// Moves `amount` from `from` to `to`, atomically with respect to every other operation on
    /// either account.
    ///
    /// Never deadlocks: the two locks are always taken in one global order (the order in which
    /// the accounts were created, the same in every run of a model), so two
    /// opposite transfers cannot each hold the lock the other needs; a transfer from an account
    /// to itself takes its lock once and changes nothing (after checking the funds).
    ///
    /// # Errors
    ///
    /// [`AccountError::Overdraft`] if `from` holds less than `amount`, or
    /// [`AccountError::Overflow`] if `to` would pass `u64::MAX`; neither balance changes.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// use verisync::Account;
    /// let (a, b) = (Account::new(10), Account::new(0));
    /// Account::transfer(&a, &b, 4).unwrap();
    /// assert_eq!((a.balance(), b.balance()), (6, 4));
    /// Account::transfer(&a, &a, 6).unwrap(); // to itself: no deadlock, no change
    /// assert_eq!(a.balance(), 6);
    /// assert!(Account::transfer(&b, &a, 5).is_err());
    /// # });
    /// ```
    pub fn transfer(from: &Account, to: &Account, amount: u64) -> Result<(), AccountError> {
        // One global order, the older account first; the same account is locked once.
        let (mut src, mut dst) = match from.serial.cmp(&to.serial) {
            Ordering::Equal => {
                let balance = from.balance.lock();
                return debit(*balance, amount).map(|_| ());
            }
            Ordering::Less => {
                let src = from.balance.lock();
                (src, to.balance.lock())
            }
            Ordering::Greater => {
                let dst = to.balance.lock();
                (from.balance.lock(), dst)
            }
        };
        let new_src = debit(*src, amount)?;
        let new_dst = credit(*dst, amount)?;
        *src = new_src;
        *dst = new_dst;
        Ok(())
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

impl Default for Account {
    /// An empty account.
    fn default() -> Self {
        Account::new(0)
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("balance", &self.balance())
            .finish()
    }
}
