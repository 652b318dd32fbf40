//! Histories: what each thread called, with what, what came back, and when.

use std::sync::{Mutex, MutexGuard, PoisonError};

use thiserror::Error;

/// One operation of a [`History`]: who called it, with what, what came back, and its interval.
///
/// `call` and `ret` are instants on one clock; operation `a` *precedes* `b` when
/// `a.ret < b.call`, and two operations whose intervals touch or overlap are concurrent.
/// `ret` is `None` for an operation still running when the history was taken (*pending*): it
/// may have taken effect, with whatever result, or not at all.
///
/// ```
/// use verisync::lin::{Operation, QueueOp, QueueRet};
/// let op = Operation {
///     thread: 1,
///     op: QueueOp::Get,
///     ret: Some(QueueRet::Got(7)),
///     call: 3,
///     ret_at: Some(5),
/// };
/// assert!(!op.is_pending());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation<Op, Ret> {
    /// The calling thread's number (1 for `T1`), as the scenario names it.
    pub thread: usize,
    /// The operation and its arguments.
    pub op: Op,
    /// What it returned; `None` while pending.
    pub ret: Option<Ret>,
    /// When it was called.
    pub call: u64,
    /// When it returned; `None` while pending.
    pub ret_at: Option<u64>,
}

impl<Op, Ret> Operation<Op, Ret> {
    /// Whether the operation had not returned when the history was taken.
    ///
    /// ```
    /// use verisync::lin::{Operation, QueueOp, QueueRet};
    /// let op: Operation<QueueOp, QueueRet> =
    ///     Operation { thread: 1, op: QueueOp::Get, ret: None, call: 0, ret_at: None };
    /// assert!(op.is_pending());
    /// ```
    pub fn is_pending(&self) -> bool {
        self.ret_at.is_none()
    }
}

/// Why an operation cannot join a [`History`].
///
/// ```
/// use verisync::lin::{History, HistoryError, QueueOp, QueueRet};
/// let mut h = History::new();
/// let err = h.push(1, QueueOp::Get, QueueRet::Got(1), 5, 4);
/// assert_eq!(err, Err(HistoryError::ReturnBeforeCall { call: 5, ret: 4 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum HistoryError {
    /// The operation returned before it was called.
    #[error("an operation cannot return (at {ret}) before it is called (at {call})")]
    ReturnBeforeCall {
        /// The call instant given.
        call: u64,
        /// The return instant given.
        ret: u64,
    },
}

/// A concurrent history: operations with their call and return instants, in any order.
///
/// Written by hand for a test (with [`push`](History::push) and
/// [`push_pending`](History::push_pending)), or taken from a [`Recorder`].
///
/// ```
/// use verisync::lin::{History, QueueOp, QueueRet};
/// let mut h = History::new();
/// h.push(1, QueueOp::Put(1), QueueRet::Done, 0, 2).unwrap();
/// h.push(2, QueueOp::Get, QueueRet::Got(1), 1, 3).unwrap();
/// assert_eq!(h.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History<Op, Ret> {
    ops: Vec<Operation<Op, Ret>>,
}

impl<Op, Ret> Default for History<Op, Ret> {
    /// An empty history.
    ///
    /// ```
    /// use verisync::lin::{History, QueueOp, QueueRet};
    /// assert!(History::<QueueOp, QueueRet>::default().is_empty());
    /// ```
    fn default() -> Self {
        History { ops: Vec::new() }
    }
}

impl<Op, Ret> History<Op, Ret> {
    /// An empty history.
    ///
    /// ```
    /// use verisync::lin::{History, QueueOp, QueueRet};
    /// assert!(History::<QueueOp, QueueRet>::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a completed operation: `thread` called `op` at `call` and got `ret` at `ret_at`.
    ///
    /// # Errors
    ///
    /// [`HistoryError::ReturnBeforeCall`] if `ret_at < call`; the history is unchanged.
    ///
    /// ```
    /// use verisync::lin::{History, QueueOp, QueueRet};
    /// let mut h = History::new();
    /// h.push(1, QueueOp::TryGet, QueueRet::Empty, 0, 1).unwrap();
    /// assert!(h.push(1, QueueOp::TryGet, QueueRet::Empty, 3, 2).is_err());
    /// ```
    pub fn push(
        &mut self,
        thread: usize,
        op: Op,
        ret: Ret,
        call: u64,
        ret_at: u64,
    ) -> Result<(), HistoryError> {
        if ret_at < call {
            return Err(HistoryError::ReturnBeforeCall { call, ret: ret_at });
        }
        self.ops.push(Operation {
            thread,
            op,
            ret: Some(ret),
            call,
            ret_at: Some(ret_at),
        });
        Ok(())
    }

    /// Adds an operation called at `call` that had not returned when the history was taken.
    ///
    /// ```
    /// use verisync::lin::{History, QueueOp, QueueRet};
    /// let mut h = History::<QueueOp, QueueRet>::new();
    /// h.push_pending(2, QueueOp::Get, 4);
    /// assert!(h.operations()[0].is_pending());
    /// ```
    pub fn push_pending(&mut self, thread: usize, op: Op, call: u64) {
        self.ops.push(Operation {
            thread,
            op,
            ret: None,
            call,
            ret_at: None,
        });
    }

    /// The operations, in the order they were added (an operation's index here is its id in a
    /// [`Linearization`](super::Linearization) and a [`NotLinearizable`](super::NotLinearizable)).
    ///
    /// ```
    /// use verisync::lin::{History, QueueOp, QueueRet};
    /// let mut h = History::new();
    /// h.push(3, QueueOp::Close, QueueRet::WasOpen(true), 0, 1).unwrap();
    /// assert_eq!(h.operations()[0].thread, 3);
    /// ```
    pub fn operations(&self) -> &[Operation<Op, Ret>] {
        &self.ops
    }

    /// The number of operations.
    ///
    /// ```
    /// use verisync::lin::{History, QueueOp, QueueRet};
    /// assert_eq!(History::<QueueOp, QueueRet>::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether there is no operation.
    ///
    /// ```
    /// use verisync::lin::{History, QueueOp, QueueRet};
    /// assert!(History::<QueueOp, QueueRet>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

impl<Op, Ret> FromIterator<Operation<Op, Ret>> for History<Op, Ret> {
    /// A history of these operations (a pending one keeps `ret` and `ret_at` both `None`).
    ///
    /// ```
    /// use verisync::lin::{History, Operation, QueueOp, QueueRet};
    /// let (op, ret) = (QueueOp::TryGet, Some(QueueRet::Empty));
    /// let op = Operation { thread: 1, op, ret, call: 0, ret_at: Some(1) };
    /// let h: History<_, _> = std::iter::once(op).collect();
    /// assert_eq!(h.len(), 1);
    /// ```
    fn from_iter<I: IntoIterator<Item = Operation<Op, Ret>>>(iter: I) -> Self {
        History {
            ops: iter.into_iter().collect(),
        }
    }
}

/// An operation whose call [`Recorder::call`] has stamped: [`ret`](Call::ret) stamps its
/// return. It borrows its recorder, so a return cannot be recorded into another history, nor
/// twice; one dropped without `ret` leaves the operation pending.
///
/// ```
/// use verisync::lin::{QueueOp, QueueRet, Recorder};
/// let rec = Recorder::new();
/// let call = rec.call(1, QueueOp::TryGet);
/// call.ret(QueueRet::Empty);
/// assert!(!rec.history().operations()[0].is_pending());
/// ```
#[derive(Debug)]
#[must_use = "an operation whose return is not recorded stays pending"]
pub struct Call<'r, Op, Ret> {
    recorder: &'r Recorder<Op, Ret>,
    index: usize,
}

impl<Op, Ret> Call<'_, Op, Ret> {
    /// Stamps the return of this operation, with its result.
    ///
    /// ```
    /// use verisync::lin::{QueueOp, QueueRet, Recorder};
    /// let rec = Recorder::new();
    /// let c = rec.call(1, QueueOp::TryPut(3));
    /// c.ret(QueueRet::Done);
    /// assert_eq!(rec.history().operations()[0].ret, Some(QueueRet::Done));
    /// ```
    pub fn ret(self, ret: Ret) {
        let mut log = self.recorder.log();
        let at = log.clock;
        log.clock += 1;
        let op = &mut log.ops[self.index];
        op.ret = Some(ret);
        op.ret_at = Some(at);
    }
}

/// Records a [`History`] while threads run: each operation's call and return, stamped by one
/// logical clock.
///
/// The clock is a counter behind a `std` mutex, read and advanced once at each call and each
/// return, in every world, never the facade's. In a std run the mutex orders the stamps with
/// the operations they surround: a return stamped before a call happens before it, so the
/// history never claims a precedence that the run did not have. Under loom and shuttle, which
/// run one model thread at a time, the stamps are the order the model ran the steps in, and
/// the model never sees the recorder (it adds no interleavings and no synchronisation to
/// explore). Cost: one uncontended lock per stamp, a few tens of nanoseconds.
///
/// Share it between threads in an [`Arc`](crate::sync::Arc).
///
/// ```
/// use verisync::lin::{self, QueueOp, QueueRet, QueueSpec, Recorder};
/// use verisync::sync::{model, thread, Arc};
/// use verisync::BoundedQueue;
///
/// model(|| {
///     let shared = Arc::new((BoundedQueue::new(2), Recorder::new()));
///     let s2 = Arc::clone(&shared);
///     let producer = thread::spawn(move || {
///         let (q, rec) = &*s2;
///         rec.record(1, QueueOp::Put(5), || { q.put(5).unwrap(); QueueRet::Done });
///     });
///     let (q, rec) = &*shared;
///     rec.record(2, QueueOp::Get, || QueueRet::Got(q.get().unwrap()));
///     producer.join().unwrap();
///     assert!(lin::check(&QueueSpec::new(2), &rec.history()).is_ok());
/// });
/// ```
#[derive(Debug)]
pub struct Recorder<Op, Ret> {
    log: Mutex<Log<Op, Ret>>,
}

#[derive(Debug)]
struct Log<Op, Ret> {
    clock: u64,
    ops: Vec<Operation<Op, Ret>>,
}

impl<Op, Ret> Default for Recorder<Op, Ret> {
    /// An empty recorder.
    ///
    /// ```
    /// use verisync::lin::{QueueOp, QueueRet, Recorder};
    /// assert!(Recorder::<QueueOp, QueueRet>::default().history().is_empty());
    /// ```
    fn default() -> Self {
        Recorder {
            log: Mutex::new(Log {
                clock: 0,
                ops: Vec::new(),
            }),
        }
    }
}

impl<Op, Ret> Recorder<Op, Ret> {
    fn log(&self) -> MutexGuard<'_, Log<Op, Ret>> {
        // A panic elsewhere cannot leave the log half-written (every update is one push or one
        // field store), so a poisoned lock still holds a consistent log.
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<Op: Clone, Ret: Clone> Recorder<Op, Ret> {
    /// An empty recorder.
    ///
    /// ```
    /// use verisync::lin::{QueueOp, QueueRet, Recorder};
    /// let rec = Recorder::<QueueOp, QueueRet>::new();
    /// assert!(rec.history().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Stamps the call of `op` by `thread`, just before the caller performs it.
    ///
    /// ```
    /// use verisync::lin::{QueueOp, QueueRet, Recorder};
    /// let rec = Recorder::<QueueOp, QueueRet>::new();
    /// let _pending = rec.call(1, QueueOp::Get); // never returns: stays pending
    /// assert!(rec.history().operations()[0].is_pending());
    /// ```
    pub fn call(&self, thread: usize, op: Op) -> Call<'_, Op, Ret> {
        let mut log = self.log();
        let call = log.clock;
        log.clock += 1;
        log.ops.push(Operation {
            thread,
            op,
            ret: None,
            call,
            ret_at: None,
        });
        Call {
            recorder: self,
            index: log.ops.len() - 1,
        }
    }

    /// Records `thread` performing `op` by running `f`, which performs it and says what came
    /// back: a call stamp before `f`, a return stamp after. Returns that result too.
    ///
    /// ```
    /// use verisync::lin::{QueueOp, QueueRet, Recorder};
    /// let rec = Recorder::new();
    /// let r = rec.record(1, QueueOp::TryGet, || QueueRet::Empty);
    /// assert_eq!(r, QueueRet::Empty);
    /// ```
    pub fn record(&self, thread: usize, op: Op, f: impl FnOnce() -> Ret) -> Ret {
        let call = self.call(thread, op);
        let ret = f();
        call.ret(ret.clone());
        ret
    }

    /// The history so far (operations still running are pending in it).
    ///
    /// ```
    /// use verisync::lin::{QueueOp, QueueRet, Recorder};
    /// let rec = Recorder::new();
    /// rec.record(1, QueueOp::Close, || QueueRet::WasOpen(true));
    /// assert_eq!(rec.history().len(), 1);
    /// ```
    pub fn history(&self) -> History<Op, Ret> {
        History {
            ops: self.log().ops.clone(),
        }
    }
}
