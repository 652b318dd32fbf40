//! The checker: Wing & Gong's search with Lowe's memoisation, split by P-compositionality, and
//! the shrinking of a failure to a small window that no order explains.

use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::hash::{BuildHasherDefault, Hasher};

use thiserror::Error;

use super::{History, Operation, Spec};

/// A witness that a history is linearizable: an order of its operations, consistent with
/// their real-time order, in which the specification gives every one the result it returned.
///
/// ```
/// use verisync::lin::{self, History, QueueOp, QueueRet, QueueSpec};
/// let mut h = History::new();
/// h.push(1, QueueOp::Get, QueueRet::Got(7), 0, 3).unwrap();
/// h.push(2, QueueOp::Put(7), QueueRet::Done, 1, 2).unwrap();
/// let w = lin::check(&QueueSpec::new(1), &h).unwrap();
/// assert_eq!(w.order(), &[1, 0]); // the put, then the get
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linearization {
    order: Vec<usize>,
}

impl Linearization {
    /// The operations' indices in the history, in the order that explains it. A pending
    /// operation appears only if it took effect.
    ///
    /// ```
    /// use verisync::lin::{self, History, QueueOp, QueueRet, QueueSpec};
    /// let mut h = History::new();
    /// h.push(1, QueueOp::TryGet, QueueRet::Empty, 0, 1).unwrap();
    /// assert_eq!(lin::check(&QueueSpec::new(1), &h).unwrap().order(), &[0]);
    /// ```
    pub fn order(&self) -> &[usize] {
        &self.order
    }
}

/// A history that no order explains, shrunk to a small window that still fails: the first
/// moment the history stops being explainable (its shortest failing prefix), and from the
/// last quiet moment before it (no operation running) whose possible states all fail.
///
/// Its `Display` is a per-thread table of that window, one row per operation in call order.
///
/// ```
/// use verisync::lin::{self, History, QueueOp, QueueRet, QueueSpec};
/// let mut h = History::new();
/// h.push(1, QueueOp::Put(1), QueueRet::Done, 0, 1).unwrap();
/// h.push(1, QueueOp::Put(2), QueueRet::Done, 2, 3).unwrap();
/// h.push(2, QueueOp::Get, QueueRet::Got(2), 4, 5).unwrap();
/// let err = lin::check(&QueueSpec::new(2), &h).unwrap_err();
/// // The window starts after the puts, from the queue they left: [1, 2].
/// assert_eq!(err.operations(), &[2]);
/// assert!(err.start().contains("items: [1, 2]"));
/// assert!(err.to_string().contains("Got(2)"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "not linearizable: no order of these {} operations explains their results, \
     starting from {start}\n{table}",
    .operations.len()
)]
pub struct NotLinearizable {
    operations: Vec<usize>,
    start: String,
    table: String,
}

impl NotLinearizable {
    /// The indices, in the history, of the operations in the failing window.
    ///
    /// ```
    /// use verisync::lin::{self, History, QueueOp, QueueRet, QueueSpec};
    /// let mut h = History::new();
    /// h.push(1, QueueOp::Get, QueueRet::Got(9), 0, 1).unwrap();
    /// assert_eq!(lin::check(&QueueSpec::new(1), &h).unwrap_err().operations(), &[0]);
    /// ```
    pub fn operations(&self) -> &[usize] {
        &self.operations
    }

    /// The state (or states) the window starts from, as the specification's `Debug` prints it.
    ///
    /// ```
    /// use verisync::lin::{self, History, QueueOp, QueueRet, QueueSpec};
    /// let mut h = History::new();
    /// h.push(1, QueueOp::TryGet, QueueRet::Got(9), 0, 1).unwrap();
    /// let err = lin::check(&QueueSpec::new(1), &h).unwrap_err();
    /// assert!(err.start().contains("QueueSpec"));
    /// ```
    pub fn start(&self) -> &str {
        &self.start
    }

    /// The window as a table: one column per thread, one row per operation, each shown as
    /// `[call, return] operation → result` (`…` for one still running).
    ///
    /// ```
    /// use verisync::lin::{self, History, QueueOp, QueueRet, QueueSpec};
    /// let mut h = History::new();
    /// h.push(2, QueueOp::TryGet, QueueRet::Got(9), 0, 1).unwrap();
    /// let err = lin::check(&QueueSpec::new(1), &h).unwrap_err();
    /// assert!(err.table().contains("T2"));
    /// ```
    pub fn table(&self) -> &str {
        &self.table
    }
}

/// Checks `history` against the sequential specification `spec` (its initial state): returns
/// an order that explains every result, or the smallest failing window found.
///
/// The search is Wing & Gong's, with Lowe's memoisation of every (set of operations done,
/// state) pair already explored, after splitting the history by
/// [`Spec::partition`] where the specification allows it.
///
/// # Errors
///
/// [`NotLinearizable`] when no order explains the history.
///
/// ```
/// use verisync::lin::{self, History, SemaphoreOp, SemaphoreRet, SemaphoreSpec};
/// let mut h = History::new();
/// h.push(1, SemaphoreOp::Acquire, SemaphoreRet::Acquired, 0, 1).unwrap();
/// h.push(2, SemaphoreOp::TryAcquire, SemaphoreRet::Acquired, 2, 3).unwrap();
/// assert!(lin::check(&SemaphoreSpec::new(1), &h).is_err()); // one permit, two holders
/// assert!(lin::check(&SemaphoreSpec::new(2), &h).is_ok());
/// ```
pub fn check<S: Spec>(
    spec: &S,
    history: &History<S::Op, S::Ret>,
) -> Result<Linearization, NotLinearizable> {
    let ops = history.operations();
    let mut points: Vec<(u64, usize, usize)> = Vec::with_capacity(ops.len());
    for group in partition(spec, ops) {
        let sub: Vec<&Operation<S::Op, S::Ret>> = group.iter().map(|&i| &ops[i]).collect();
        match search(spec, &sub, Goal::First) {
            Outcome::Order(order) => {
                // Give each operation a point inside its interval, increasing along the order;
                // sorting every group's points then respects real time across groups too.
                let mut at = 0;
                for (rank, &local) in order.iter().enumerate() {
                    at = at.max(sub[local].call);
                    points.push((at, rank, group[local]));
                }
            }
            Outcome::Fail => return Err(shrink(spec, &sub, &group)),
            Outcome::States(_) => unreachable!("asked for the first order"),
        }
    }
    points.sort_unstable();
    Ok(Linearization {
        order: points.into_iter().map(|(_, _, i)| i).collect(),
    })
}

/// The history's operations in groups that touch disjoint parts, each in call order.
fn partition<S: Spec>(spec: &S, ops: &[Operation<S::Op, S::Ret>]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by_key(|&i| (ops[i].call, i));
    let mut parent: Vec<usize> = (0..ops.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<usize, usize, BuildHasherDefault<Fx>> = HashMap::default();
    let mut everything: Option<usize> = None;
    for &i in &order {
        let parts = spec.partition(&ops[i].op);
        let joins: Vec<usize> = match parts {
            None => match everything {
                Some(first) => vec![first],
                None => {
                    everything = Some(i);
                    Vec::new()
                }
            },
            Some(parts) => parts
                .into_iter()
                .map(|p| *owner.entry(p).or_insert(i))
                .collect(),
        };
        for j in joins {
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            parent[a] = b;
        }
    }
    // An operation that may touch everything joins every group.
    if let Some(first) = everything {
        for &i in &order {
            let (a, b) = (root(&mut parent, i), root(&mut parent, first));
            parent[a] = b;
        }
    }
    let mut groups: HashMap<usize, Vec<usize>, BuildHasherDefault<Fx>> = HashMap::default();
    for &i in &order {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    groups.sort_unstable_by_key(|g| g[0]);
    groups
}

/// What a search should look for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Goal {
    /// Stop at the first order that explains everything.
    First,
    /// Every state an explaining order can end in, up to this many.
    AllStates(usize),
}

enum Outcome<S> {
    Order(Vec<usize>),
    States(Vec<S>),
    Fail,
}

/// A small, fast hasher for the memo's keys (std's SipHash guards against attackers that a
/// history does not have): FxHash's multiply-rotate.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// The operations done so far, as a bitset kept canonical and short for the memo: every
/// operation below `low` is done, so a key holds only the words from `low`'s to the last set.
struct Done {
    words: Vec<u64>,
    low: usize,
    high_word: usize,
}

impl Done {
    fn new(n: usize) -> Self {
        Done {
            words: vec![0; n.div_ceil(64) + 1],
            low: 0,
            high_word: 0,
        }
    }
    fn is_set(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 == 1
    }
    fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
        self.high_word = self.high_word.max(i / 64);
        while self.is_set(self.low) {
            self.low += 1;
        }
    }
    fn clear(&mut self, i: usize) {
        self.words[i / 64] &= !(1 << (i % 64));
        self.low = self.low.min(i);
        while self.high_word > self.low / 64 && self.words[self.high_word] == 0 {
            self.high_word -= 1;
        }
    }
    /// The memo's key: inline while the done operations above `low` span two words or fewer,
    /// which with a few threads is nearly always (no allocation per step).
    fn key(&self) -> Key {
        let from = self.low / 64;
        let words = &self.words[from..=self.high_word.max(from)];
        match *words {
            [a] => Key::Short(from, [a, 0]),
            [a, b] => Key::Short(from, [a, b]),
            _ => Key::Long(from, words.into()),
        }
    }
}

/// A set of done operations, canonical: equal sets give equal keys.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    Short(usize, [u64; 2]),
    Long(usize, Box<[u64]>),
}

/// Wing & Gong's search over `ops` (in call order) from `init`, with Lowe's memo.
///
/// The calls and returns form one list in time order. Walking it, a call may be linearized
/// now if the specification gives its result: it is then lifted out of the list (with its
/// return) and the walk restarts; reaching a return means an operation that has returned
/// was never linearized, so the last choice is undone and the walk goes on after it.
fn search<S: Spec>(init: &S, ops: &[&Operation<S::Op, S::Ret>], goal: Goal) -> Outcome<S> {
    let n = ops.len();
    // Nodes 0..n are calls, n..2n returns, and 2n the head: the list is a ring through it, so
    // a walk that passes the last event meets the head, a node that is not a call, like a
    // return.
    let head = 2 * n;
    let mut events: Vec<(u64, u8, usize)> = Vec::with_capacity(2 * n);
    for (i, op) in ops.iter().enumerate() {
        events.push((op.call, 0, i));
        // A pending operation's return is after everything; at equal instants calls come
        // first, so that touching intervals are concurrent.
        events.push((op.ret_at.unwrap_or(u64::MAX), 1, n + i));
    }
    events.sort_unstable();
    let mut next = vec![head; 2 * n + 1];
    let mut prev = vec![head; 2 * n + 1];
    let mut last = head;
    for &(_, _, node) in &events {
        next[last] = node;
        prev[node] = last;
        last = node;
    }
    next[last] = head;
    prev[head] = last;

    let mut unexplained = ops.iter().filter(|o| !o.is_pending()).count();
    let mut memo: HashSet<(Key, S), BuildHasherDefault<Fx>> = HashSet::default();
    // States no longer needed, kept for their allocations: a trial step overwrites one
    // (`clone_from`) instead of allocating a new state.
    let mut spare: Vec<S> = Vec::new();
    // The memo pays off only once the search backtracks: until then every pair is new. Pairs of
    // the first path are memoised when met again after a backtrack, so at most that path's
    // length of work is done twice, and a history explained without backtracking costs no
    // memo at all.
    let mut memoise = false;
    let mut done = Done::new(n);
    let mut stack: Vec<(usize, S)> = Vec::new();
    let mut state = init.clone();
    let mut states: Vec<S> = Vec::new();
    let mut entry = next[head];

    loop {
        if unexplained == 0 {
            match goal {
                Goal::First => return Outcome::Order(stack.iter().map(|&(i, _)| i).collect()),
                Goal::AllStates(limit) => {
                    if !states.contains(&state) {
                        states.push(state.clone());
                        if states.len() > limit {
                            return Outcome::Fail;
                        }
                    }
                    // Pending operations may still be linearized after this point; with the
                    // histories shrink asks about (quiet prefixes) there are none.
                    entry = head;
                }
            }
        }
        if entry < n {
            let op = ops[entry];
            let mut after = match spare.pop() {
                Some(mut s) => {
                    s.clone_from(&state);
                    s
                }
                None => state.clone(),
            };
            let explained = match (after.apply(&op.op), &op.ret) {
                (Some(got), Some(want)) => got == *want,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if explained {
                done.set(entry);
                if !memoise || memo.insert((done.key(), after.clone())) {
                    stack.push((entry, std::mem::replace(&mut state, after)));
                    if !op.is_pending() {
                        unexplained -= 1;
                    }
                    for node in [entry, n + entry] {
                        next[prev[node]] = next[node];
                        prev[next[node]] = prev[node];
                    }
                    entry = next[head];
                    continue;
                }
                done.clear(entry);
            }
            spare.push(after);
            entry = next[entry];
        } else {
            // A return (or the head, past the last event): undo the last choice, and try the
            // next call after it.
            memoise = true;
            let Some((i, before)) = stack.pop() else {
                return match goal {
                    Goal::AllStates(_) if !states.is_empty() => Outcome::States(states),
                    _ => Outcome::Fail,
                };
            };
            spare.push(std::mem::replace(&mut state, before));
            done.clear(i);
            if !ops[i].is_pending() {
                unexplained += 1;
            }
            for node in [n + i, i] {
                next[prev[node]] = node;
                prev[next[node]] = node;
            }
            entry = next[i];
        }
    }
}

/// The operations of `ops` (in call order) as they were at instant `t`: those called by then,
/// the ones still running at `t` pending.
fn prefix<Op: Clone, Ret: Clone>(ops: &[&Operation<Op, Ret>], t: u64) -> Vec<Operation<Op, Ret>> {
    ops.iter()
        .take_while(|o| o.call <= t)
        .map(|o| {
            let mut o = (*o).clone();
            if o.ret_at.is_none_or(|r| r > t) {
                o.ret = None;
                o.ret_at = None;
            }
            o
        })
        .collect()
}

/// The failing group `ops` (in call order; `ids` their indices in the history) shrunk to a
/// small failing window, printed.
fn shrink<S: Spec>(spec: &S, ops: &[&Operation<S::Op, S::Ret>], ids: &[usize]) -> NotLinearizable {
    let fails = |from: &S, window: &[Operation<S::Op, S::Ret>]| {
        let refs: Vec<_> = window.iter().collect();
        matches!(search(from, &refs, Goal::First), Outcome::Fail)
    };
    // The shortest failing prefix (failing is monotone in the cut: every prefix of an
    // explained history is explained).
    let mut cuts: Vec<u64> = ops
        .iter()
        .flat_map(|o| [Some(o.call), o.ret_at])
        .flatten()
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let (mut lo, mut hi) = (0, cuts.len().saturating_sub(1));
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fails(spec, &prefix(ops, cuts[mid])) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let window = prefix(ops, cuts.get(lo).copied().unwrap_or(u64::MAX));
    // The latest quiet moment inside it (every earlier operation returned before every later
    // one was called) from whose every possible state the rest still fails.
    let mut quiet = Vec::new();
    let mut latest_ret = 0;
    for k in 1..window.len() {
        latest_ret = latest_ret.max(window[k - 1].ret_at.unwrap_or(u64::MAX));
        if latest_ret < window[k].call {
            quiet.push(k);
        }
    }
    let mut start = (0, vec![spec.clone()]);
    for &k in quiet.iter().rev().take(8) {
        let before: Vec<_> = window[..k].iter().collect();
        let Outcome::States(states) = search(spec, &before, Goal::AllStates(8)) else {
            continue;
        };
        if states.iter().all(|s| fails(s, &window[k..])) {
            start = (k, states);
            break;
        }
    }
    let (k, states) = start;
    let shown = &window[k..];
    let start = match states.as_slice() {
        [one] => format!("{one:?}"),
        many => format!("any of {many:?}"),
    };
    NotLinearizable {
        operations: ids[k..window.len()].to_vec(),
        start,
        table: table(shown),
    }
}

fn table<Op: fmt::Debug, Ret: fmt::Debug>(ops: &[Operation<Op, Ret>]) -> String {
    let mut threads: Vec<usize> = ops.iter().map(|o| o.thread).collect();
    threads.sort_unstable();
    threads.dedup();
    let cell = |o: &Operation<Op, Ret>| match (&o.ret, o.ret_at) {
        (Some(r), Some(at)) => format!("[{}, {at}] {:?} → {r:?}", o.call, o.op),
        _ => format!("[{}, …] {:?} → …", o.call, o.op),
    };
    let width = ops
        .iter()
        .map(|o| cell(o).chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let pad = |s: &str| format!("{s}{}", " ".repeat(width - s.chars().count()));
    let mut out = String::new();
    let header: Vec<String> = threads.iter().map(|t| pad(&format!("T{t}"))).collect();
    let _ = writeln!(out, "  {}", header.join(" | ").trim_end());
    let rule: Vec<String> = threads.iter().map(|_| "-".repeat(width)).collect();
    let _ = write!(out, "  {}", rule.join("-+-"));
    for o in ops {
        let cells: Vec<String> = threads
            .iter()
            .map(|&t| {
                pad(&if t == o.thread {
                    cell(o)
                } else {
                    String::new()
                })
            })
            .collect();
        let _ = write!(out, "\n  {}", cells.join(" | ").trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The memo's key names the set of done operations: equal sets, equal keys; different
    /// sets, different keys (a collision would prune a branch never explored, and reject a
    /// linearizable history); and inline while the set above `low` spans two words or fewer.
    #[test]
    fn done_keys_name_their_set_exactly_and_stay_inline_when_dense() {
        let n = 300;
        let mut done = Done::new(n);
        let mut set = BTreeSet::new();
        let mut seen: HashMap<Key, BTreeSet<usize>> = HashMap::new();
        // A deterministic pseudo-random walk (xorshift) that sets or clears one operation a
        // step, so that the sets spread over all five words and `low` moves both ways.
        let mut x: u64 = 1;
        for _ in 0..5_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = (x % n as u64) as usize;
            if set.contains(&i) {
                done.clear(i);
                set.remove(&i);
            } else {
                done.set(i);
                set.insert(i);
            }
            for j in 0..n {
                assert_eq!(done.is_set(j), set.contains(&j), "bit {j} of {set:?}");
            }
            let key = done.key();
            if let Some(other) = seen.get(&key) {
                assert_eq!(other, &set, "two sets share a key");
            }
            seen.insert(key, set.clone());
        }
        assert!(seen.len() > 500, "the walk visited many sets");
        // Everything below 200 done and a few just above: two words past `low`, inline.
        let mut dense = Done::new(400);
        for i in (0..200).chain([205, 250]) {
            dense.set(i);
        }
        assert!(matches!(dense.key(), Key::Short(3, _)), "one word");
        dense.set(260);
        assert!(matches!(dense.key(), Key::Short(3, _)), "two words");
        dense.set(330);
        assert!(matches!(dense.key(), Key::Long(3, _)), "three words");
        dense.clear(330);
        dense.clear(260);
        assert!(matches!(dense.key(), Key::Short(3, _)), "back to one word");
        dense.clear(10);
        assert!(matches!(dense.key(), Key::Long(0, _)), "a hole far below");
    }

    /// The memo's hasher is FxHash's multiply-rotate, one 64-bit word at a time.
    #[test]
    fn the_hasher_is_fxhash() {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let hash = |f: &dyn Fn(&mut Fx)| {
            let mut h = Fx::default();
            f(&mut h);
            h.finish()
        };
        assert_eq!(hash(&|h| h.write_u64(1)), K);
        assert_eq!(hash(&|h| h.write_usize(2)), 2u64.wrapping_mul(K));
        let two = (K.rotate_left(5) ^ u64::MAX).wrapping_mul(K);
        assert_eq!(
            hash(&|h| {
                h.write_u64(1);
                h.write_u64(u64::MAX);
            }),
            two
        );
        // Bytes: little-endian words, the last one padded with zeros.
        let mut bytes = 1u64.to_le_bytes().to_vec();
        bytes.push(0xff);
        assert_eq!(
            hash(&|h| h.write(&bytes)),
            (K.rotate_left(5) ^ 0xff).wrapping_mul(K)
        );
    }
}
