//! The sequential specification a history is checked against.

use std::fmt::Debug;
use std::hash::Hash;

/// A sequential specification: a plain value (the object's state) and one method that applies
/// an operation to it and says what that operation returns.
///
/// [`apply`](Spec::apply) returns `None` when the operation cannot take effect in this state:
/// a blocking operation that would wait here (a `get` on an empty open queue, an `acquire` with
/// no permit). The checker then tries it at a later point of its interval; one that never
/// finds such a point is not explained. The state after a `None` is discarded.
///
/// The state is hashed and compared: the checker remembers every (operations done, state)
/// pair it has explored and never explores one twice (Lowe's memoisation).
///
/// ```
/// use verisync::lin::Spec;
///
/// /// A register holding one number.
/// #[derive(Clone, Debug, PartialEq, Eq, Hash)]
/// struct Register(u64);
///
/// #[derive(Clone, Debug)]
/// enum Op { Write(u64), Read }
///
/// impl Spec for Register {
///     type Op = Op;
///     type Ret = u64;
///     fn apply(&mut self, op: &Op) -> Option<u64> {
///         match *op {
///             Op::Write(v) => { self.0 = v; Some(v) }
///             Op::Read => Some(self.0),
///         }
///     }
/// }
///
/// let mut r = Register(0);
/// assert_eq!(r.apply(&Op::Write(3)), Some(3));
/// assert_eq!(r.apply(&Op::Read), Some(3));
/// ```
pub trait Spec: Clone + Eq + Hash + Debug {
    /// An operation with its arguments.
    type Op: Clone + Debug;
    /// What an operation returns (the value or the error a caller sees).
    type Ret: Clone + Debug + PartialEq;

    /// Applies `op` to this state and returns its result, or `None` if it would block here.
    fn apply(&mut self, op: &Self::Op) -> Option<Self::Ret>;

    /// The independent parts of the state that `op` reads or writes (accounts of a bank, say),
    /// or `None` if it may touch all of them, which is the default.
    ///
    /// The checker splits a history into groups of operations that touch disjoint parts and
    /// checks each group on its own from this same initial state (P-compositionality): a
    /// history is linearizable exactly when each group is, and the groups are far cheaper to
    /// search than their union. Only return parts for a specification whose operations on
    /// disjoint parts commute and cannot observe one another.
    ///
    /// ```
    /// use verisync::lin::{BankOp, BankSpec, Spec};
    /// let bank = BankSpec::new(vec![10, 0, 5]);
    /// let t = BankOp::Transfer { from: 0, to: 2, amount: 1 };
    /// assert_eq!(bank.partition(&t), Some(vec![0, 2]));
    /// ```
    fn partition(&self, op: &Self::Op) -> Option<Vec<usize>> {
        let _ = op;
        None
    }
}
