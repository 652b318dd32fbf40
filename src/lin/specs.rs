//! The sequential models of verisync's primitives, one [`Spec`] each.
//!
//! Each follows the rules of the [module docs](super#blocking-and-timed-operations): a
//! blocking operation returns `None` (not here) where it would wait, a timed one that gave up
//! returns its timeout only in a state where it would have waited, and a try returns its
//! refusal only where the blocking form would have waited.

use std::collections::VecDeque;

use super::Spec;

/// An operation on a [`BoundedQueue`](crate::BoundedQueue) or a
/// [`JoinableQueue`](crate::JoinableQueue), items named by `u64` tags.
///
/// ```
/// use verisync::lin::QueueOp;
/// assert_ne!(QueueOp::Put(1), QueueOp::TryPut(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueueOp {
    /// `put(item)`: waits while full.
    Put(u64),
    /// `try_put(item)`.
    TryPut(u64),
    /// `put_timeout(item, t)`.
    PutTimeout(u64),
    /// `get()`: waits while empty and open.
    Get,
    /// `try_get()`.
    TryGet,
    /// `get_timeout(t)`.
    GetTimeout,
    /// `close()`.
    Close,
    /// `task_done()` (JoinableQueue).
    TaskDone,
    /// `join()` (JoinableQueue): waits while a task is unfinished.
    Join,
    /// `join_timeout(t)` (JoinableQueue).
    JoinTimeout,
}

/// What a [`QueueOp`] returned.
///
/// ```
/// use verisync::lin::QueueRet;
/// assert_ne!(QueueRet::Got(1), QueueRet::Got(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueueRet {
    /// A put, `task_done` or join that succeeded.
    Done,
    /// A get that returned this item.
    Got(u64),
    /// `try_put` on a full queue.
    Full,
    /// `try_get` on an empty queue.
    Empty,
    /// A timed operation that gave up.
    TimedOut,
    /// A put, or a get on a drained queue, refused because the queue is closed.
    Closed,
    /// `close()`: whether this call closed it (`false`: it was closed already).
    WasOpen(bool),
    /// `task_done()` with no item got and not yet done.
    NothingPending,
}

/// The sequential model of a bounded FIFO queue that can be closed, with a
/// [`JoinableQueue`](crate::JoinableQueue)'s task counts (they are never observed by a plain
/// [`BoundedQueue`](crate::BoundedQueue)'s operations).
///
/// ```
/// use verisync::lin::{QueueOp, QueueRet, QueueSpec, Spec};
/// let mut q = QueueSpec::new(1);
/// assert_eq!(q.apply(&QueueOp::Put(4)), Some(QueueRet::Done));
/// assert_eq!(q.apply(&QueueOp::Put(5)), None); // full: a blocking put waits
/// assert_eq!(q.apply(&QueueOp::TryPut(5)), Some(QueueRet::Full));
/// assert_eq!(q.apply(&QueueOp::Get), Some(QueueRet::Got(4)));
/// assert_eq!(q.apply(&QueueOp::GetTimeout), Some(QueueRet::TimedOut));
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct QueueSpec {
    items: VecDeque<u64>,
    capacity: usize,
    closed: bool,
    /// Put and not yet done (Python's `unfinished_tasks`).
    unfinished: usize,
    /// Got and not yet done: what `task_done` may still mark.
    undone: usize,
}

impl Clone for QueueSpec {
    /// A copy of the state.
    ///
    /// ```
    /// use verisync::lin::QueueSpec;
    /// assert_eq!(QueueSpec::new(3).clone(), QueueSpec::new(3));
    /// ```
    fn clone(&self) -> Self {
        QueueSpec {
            items: self.items.clone(),
            ..*self
        }
    }

    /// Copies `source` into this state, reusing its allocation: the checker's trial steps.
    ///
    /// ```
    /// use verisync::lin::QueueSpec;
    /// let mut q = QueueSpec::new(1);
    /// q.clone_from(&QueueSpec::new(2));
    /// assert_eq!(q, QueueSpec::new(2));
    /// ```
    fn clone_from(&mut self, source: &Self) {
        self.items.clone_from(&source.items);
        self.capacity = source.capacity;
        self.closed = source.closed;
        self.unfinished = source.unfinished;
        self.undone = source.undone;
    }
}

impl QueueSpec {
    /// An empty open queue holding at most `capacity` items.
    ///
    /// ```
    /// use verisync::lin::{QueueOp, QueueRet, QueueSpec, Spec};
    /// assert_eq!(QueueSpec::new(2).apply(&QueueOp::TryGet), Some(QueueRet::Empty));
    /// ```
    pub fn new(capacity: usize) -> Self {
        QueueSpec {
            items: VecDeque::new(),
            capacity,
            closed: false,
            unfinished: 0,
            undone: 0,
        }
    }

    fn push(&mut self, item: u64) -> QueueRet {
        self.items.push_back(item);
        self.unfinished += 1;
        QueueRet::Done
    }

    fn pop(&mut self) -> Option<QueueRet> {
        let item = self.items.pop_front()?;
        self.undone += 1;
        Some(QueueRet::Got(item))
    }
}

impl Spec for QueueSpec {
    type Op = QueueOp;
    type Ret = QueueRet;

    fn apply(&mut self, op: &QueueOp) -> Option<QueueRet> {
        let full = self.items.len() >= self.capacity;
        Some(match *op {
            QueueOp::Put(_) | QueueOp::TryPut(_) | QueueOp::PutTimeout(_) if self.closed => {
                QueueRet::Closed
            }
            QueueOp::Put(item) => {
                if full {
                    return None;
                }
                self.push(item)
            }
            QueueOp::TryPut(_) if full => QueueRet::Full,
            QueueOp::PutTimeout(_) if full => QueueRet::TimedOut,
            QueueOp::TryPut(item) | QueueOp::PutTimeout(item) => self.push(item),
            QueueOp::Get | QueueOp::TryGet | QueueOp::GetTimeout => match self.pop() {
                Some(got) => got,
                None if self.closed => QueueRet::Closed,
                None if *op == QueueOp::TryGet => QueueRet::Empty,
                None if *op == QueueOp::GetTimeout => QueueRet::TimedOut,
                None => return None,
            },
            QueueOp::Close => QueueRet::WasOpen(!std::mem::replace(&mut self.closed, true)),
            QueueOp::TaskDone if self.undone == 0 => QueueRet::NothingPending,
            QueueOp::TaskDone => {
                self.undone -= 1;
                self.unfinished -= 1;
                QueueRet::Done
            }
            QueueOp::Join | QueueOp::JoinTimeout if self.unfinished == 0 => QueueRet::Done,
            QueueOp::JoinTimeout => QueueRet::TimedOut,
            QueueOp::Join => return None,
        })
    }
}

/// An operation on a [`Semaphore`](crate::Semaphore) or a
/// [`BoundedSemaphore`](crate::BoundedSemaphore).
///
/// ```
/// use verisync::lin::SemaphoreOp;
/// assert_eq!(SemaphoreOp::Release(2), SemaphoreOp::Release(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SemaphoreOp {
    /// `acquire()`: waits for a permit.
    Acquire,
    /// `try_acquire()`.
    TryAcquire,
    /// `acquire_timeout(t)`.
    AcquireTimeout,
    /// `release(n)`, or a permit's drop (`Release(1)`).
    Release(usize),
}

/// What a [`SemaphoreOp`] returned.
///
/// ```
/// use verisync::lin::SemaphoreRet;
/// assert_ne!(SemaphoreRet::Acquired, SemaphoreRet::Refused);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SemaphoreRet {
    /// A permit was taken.
    Acquired,
    /// `try_acquire` or `acquire_timeout` got no permit.
    Refused,
    /// A release succeeded.
    Released,
    /// A release refused whole: past a bounded semaphore's bound, or past
    /// [`Semaphore::MAX_PERMITS`](crate::Semaphore::MAX_PERMITS).
    OverRelease,
}

/// The sequential model of a counting semaphore: the free permits, and the bound a
/// [`BoundedSemaphore`](crate::BoundedSemaphore) keeps them under.
///
/// ```
/// use verisync::lin::{SemaphoreOp, SemaphoreRet, SemaphoreSpec, Spec};
/// let mut s = SemaphoreSpec::bounded(1);
/// assert_eq!(s.apply(&SemaphoreOp::Acquire), Some(SemaphoreRet::Acquired));
/// assert_eq!(s.apply(&SemaphoreOp::Acquire), None); // no permit: waits
/// assert_eq!(s.apply(&SemaphoreOp::Release(2)), Some(SemaphoreRet::OverRelease));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SemaphoreSpec {
    permits: usize,
    bound: Option<usize>,
}

impl SemaphoreSpec {
    /// A [`Semaphore`](crate::Semaphore) with `permits` free.
    ///
    /// ```
    /// use verisync::lin::{SemaphoreOp, SemaphoreRet, SemaphoreSpec, Spec};
    /// let mut s = SemaphoreSpec::new(0);
    /// assert_eq!(s.apply(&SemaphoreOp::Release(3)), Some(SemaphoreRet::Released));
    /// ```
    pub fn new(permits: usize) -> Self {
        SemaphoreSpec {
            permits,
            bound: None,
        }
    }

    /// The most permits the count may reach: the bound, or `Semaphore::MAX_PERMITS`.
    fn max(&self) -> usize {
        self.bound.unwrap_or(crate::Semaphore::MAX_PERMITS)
    }

    /// A [`BoundedSemaphore`](crate::BoundedSemaphore) with `permits` free, never more.
    ///
    /// ```
    /// use verisync::lin::{SemaphoreOp, SemaphoreRet, SemaphoreSpec, Spec};
    /// let mut s = SemaphoreSpec::bounded(2);
    /// assert_eq!(s.apply(&SemaphoreOp::Release(1)), Some(SemaphoreRet::OverRelease));
    /// ```
    pub fn bounded(permits: usize) -> Self {
        SemaphoreSpec {
            permits,
            bound: Some(permits),
        }
    }
}

impl Spec for SemaphoreSpec {
    type Op = SemaphoreOp;
    type Ret = SemaphoreRet;

    fn apply(&mut self, op: &SemaphoreOp) -> Option<SemaphoreRet> {
        Some(match *op {
            SemaphoreOp::Acquire if self.permits == 0 => return None,
            SemaphoreOp::TryAcquire | SemaphoreOp::AcquireTimeout if self.permits == 0 => {
                SemaphoreRet::Refused
            }
            SemaphoreOp::Acquire | SemaphoreOp::TryAcquire | SemaphoreOp::AcquireTimeout => {
                self.permits -= 1;
                SemaphoreRet::Acquired
            }
            SemaphoreOp::Release(n) => match self.permits.checked_add(n) {
                Some(after) if after <= self.max() => {
                    self.permits = after;
                    SemaphoreRet::Released
                }
                _ => SemaphoreRet::OverRelease,
            },
        })
    }
}

/// An operation on a lock: a [`Mutex`](crate::Mutex) (whose specification ignores `thread`)
/// or a [`ReentrantLock`](crate::ReentrantLock), by the thread numbered `thread`.
///
/// ```
/// use verisync::lin::LockOp;
/// assert_ne!(LockOp::Lock { thread: 1 }, LockOp::Lock { thread: 2 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockOp {
    /// `lock()`: waits while another holds it (a mutex: while anyone does).
    Lock {
        /// The caller.
        thread: usize,
    },
    /// `try_lock()`.
    TryLock {
        /// The caller.
        thread: usize,
    },
    /// `lock_timeout(t)`.
    LockTimeout {
        /// The caller.
        thread: usize,
    },
    /// A guard's drop.
    Unlock {
        /// The caller.
        thread: usize,
    },
}

/// What a [`LockOp`] returned.
///
/// ```
/// use verisync::lin::LockRet;
/// assert_ne!(LockRet::Locked(1), LockRet::Refused);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockRet {
    /// The lock was taken; the caller's hold count after it (always 1 for a mutex).
    Locked(usize),
    /// `try_lock` or `lock_timeout` did not get it.
    Refused,
    /// A guard was dropped.
    Unlocked,
    /// An unlock by a thread that does not hold the lock (impossible through the guards).
    NotHeld,
}

/// The sequential model of a lock: the owner and its hold count. A plain mutex
/// ([`LockSpec::mutex`]) is not reentrant: its owner's second `lock` waits, like anyone's.
///
/// ```
/// use verisync::lin::{LockOp, LockRet, LockSpec, Spec};
/// let mut l = LockSpec::reentrant();
/// assert_eq!(l.apply(&LockOp::Lock { thread: 1 }), Some(LockRet::Locked(1)));
/// assert_eq!(l.apply(&LockOp::Lock { thread: 1 }), Some(LockRet::Locked(2)));
/// assert_eq!(l.apply(&LockOp::Lock { thread: 2 }), None); // waits for T1
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LockSpec {
    reentrant: bool,
    owner: Option<usize>,
    count: usize,
}

impl LockSpec {
    /// A free [`Mutex`](crate::Mutex).
    ///
    /// ```
    /// use verisync::lin::{LockOp, LockRet, LockSpec, Spec};
    /// let mut m = LockSpec::mutex();
    /// m.apply(&LockOp::Lock { thread: 1 });
    /// assert_eq!(m.apply(&LockOp::TryLock { thread: 1 }), Some(LockRet::Refused));
    /// ```
    pub fn mutex() -> Self {
        LockSpec {
            reentrant: false,
            owner: None,
            count: 0,
        }
    }

    /// A free [`ReentrantLock`](crate::ReentrantLock).
    ///
    /// ```
    /// use verisync::lin::{LockOp, LockRet, LockSpec, Spec};
    /// let mut l = LockSpec::reentrant();
    /// assert_eq!(l.apply(&LockOp::Unlock { thread: 1 }), Some(LockRet::NotHeld));
    /// ```
    pub fn reentrant() -> Self {
        LockSpec {
            reentrant: true,
            ..LockSpec::mutex()
        }
    }
}

impl Spec for LockSpec {
    type Op = LockOp;
    type Ret = LockRet;

    fn apply(&mut self, op: &LockOp) -> Option<LockRet> {
        let (LockOp::Lock { thread }
        | LockOp::TryLock { thread }
        | LockOp::LockTimeout { thread }
        | LockOp::Unlock { thread }) = *op;
        let free = match self.owner {
            None => true,
            Some(owner) => self.reentrant && owner == thread,
        };
        Some(match *op {
            LockOp::Unlock { .. } if self.owner != Some(thread) => LockRet::NotHeld,
            LockOp::Unlock { .. } => {
                self.count -= 1;
                if self.count == 0 {
                    self.owner = None;
                }
                LockRet::Unlocked
            }
            _ if free => {
                self.owner = Some(thread);
                self.count += 1;
                LockRet::Locked(self.count)
            }
            LockOp::Lock { .. } => return None,
            LockOp::TryLock { .. } | LockOp::LockTimeout { .. } => LockRet::Refused,
        })
    }
}

/// An operation on a bank of [`Account`](crate::Account)s, named by their index.
///
/// ```
/// use verisync::lin::BankOp;
/// let op = BankOp::Deposit { account: 0, amount: 5 };
/// assert_eq!(op, BankOp::Deposit { account: 0, amount: 5 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BankOp {
    /// `accounts[account].deposit(amount)`.
    Deposit {
        /// Which account.
        account: usize,
        /// How much.
        amount: u64,
    },
    /// `accounts[account].withdraw(amount)`.
    Withdraw {
        /// Which account.
        account: usize,
        /// How much.
        amount: u64,
    },
    /// `Account::transfer(&accounts[from], &accounts[to], amount)`.
    Transfer {
        /// The account debited.
        from: usize,
        /// The account credited.
        to: usize,
        /// How much.
        amount: u64,
    },
    /// `accounts[account].balance()`.
    Balance {
        /// Which account.
        account: usize,
    },
}

/// What a [`BankOp`] returned.
///
/// ```
/// use verisync::lin::BankRet;
/// assert_ne!(BankRet::Balance(1), BankRet::Done);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BankRet {
    /// A deposit's or withdrawal's new balance, or a balance read.
    Balance(u64),
    /// A transfer that succeeded.
    Done,
    /// Refused: the account held less than asked for.
    Overdraft,
    /// Refused: the deposit would pass `u64::MAX`.
    Overflow,
    /// An account index past the bank's end.
    NoSuchAccount,
}

/// The sequential model of a bank of accounts: their balances. Operations on disjoint accounts
/// are independent, so [`partition`](Spec::partition) names the accounts each touches and
/// the checker splits a history by them.
///
/// ```
/// use verisync::lin::{BankOp, BankRet, BankSpec, Spec};
/// let mut bank = BankSpec::new(vec![10, 0]);
/// let t = BankOp::Transfer { from: 0, to: 1, amount: 4 };
/// assert_eq!(bank.apply(&t), Some(BankRet::Done));
/// assert_eq!(bank.apply(&BankOp::Balance { account: 1 }), Some(BankRet::Balance(4)));
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BankSpec {
    balances: Vec<u64>,
}

impl Clone for BankSpec {
    /// A copy of the balances.
    ///
    /// ```
    /// use verisync::lin::BankSpec;
    /// assert_eq!(BankSpec::new(vec![1, 2]).clone(), BankSpec::new(vec![1, 2]));
    /// ```
    fn clone(&self) -> Self {
        BankSpec {
            balances: self.balances.clone(),
        }
    }

    /// Copies `source` into this state, reusing its allocation: the checker's trial steps.
    ///
    /// ```
    /// use verisync::lin::BankSpec;
    /// let mut b = BankSpec::new(vec![0, 0]);
    /// b.clone_from(&BankSpec::new(vec![3, 4]));
    /// assert_eq!(b, BankSpec::new(vec![3, 4]));
    /// ```
    fn clone_from(&mut self, source: &Self) {
        self.balances.clone_from(&source.balances);
    }
}

impl BankSpec {
    /// Accounts with these opening balances.
    ///
    /// ```
    /// use verisync::lin::{BankOp, BankRet, BankSpec, Spec};
    /// let mut bank = BankSpec::new(vec![3]);
    /// let w = BankOp::Withdraw { account: 0, amount: 4 };
    /// assert_eq!(bank.apply(&w), Some(BankRet::Overdraft));
    /// ```
    pub fn new(balances: Vec<u64>) -> Self {
        BankSpec { balances }
    }
}

impl Spec for BankSpec {
    type Op = BankOp;
    type Ret = BankRet;

    fn apply(&mut self, op: &BankOp) -> Option<BankRet> {
        let n = self.balances.len();
        let out_of_range = match *op {
            BankOp::Transfer { from, to, .. } => from >= n || to >= n,
            BankOp::Deposit { account, .. }
            | BankOp::Withdraw { account, .. }
            | BankOp::Balance { account } => account >= n,
        };
        if out_of_range {
            return Some(BankRet::NoSuchAccount);
        }
        let b = &mut self.balances;
        Some(match *op {
            BankOp::Deposit { account, amount } => match b[account].checked_add(amount) {
                Some(now) => {
                    b[account] = now;
                    BankRet::Balance(now)
                }
                None => BankRet::Overflow,
            },
            BankOp::Withdraw { account, amount } => match b[account].checked_sub(amount) {
                Some(now) => {
                    b[account] = now;
                    BankRet::Balance(now)
                }
                None => BankRet::Overdraft,
            },
            BankOp::Transfer { from, to, amount } => {
                let Some(src) = b[from].checked_sub(amount) else {
                    return Some(BankRet::Overdraft);
                };
                if from == to {
                    return Some(BankRet::Done);
                }
                let Some(dst) = b[to].checked_add(amount) else {
                    return Some(BankRet::Overflow);
                };
                b[from] = src;
                b[to] = dst;
                BankRet::Done
            }
            BankOp::Balance { account } => BankRet::Balance(b[account]),
        })
    }

    fn partition(&self, op: &BankOp) -> Option<Vec<usize>> {
        Some(match *op {
            BankOp::Transfer { from, to, .. } if from != to => vec![from, to],
            BankOp::Transfer { from: account, .. }
            | BankOp::Deposit { account, .. }
            | BankOp::Withdraw { account, .. }
            | BankOp::Balance { account } => vec![account],
        })
    }
}
