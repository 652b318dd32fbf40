//! The stamped ring under [`BoundedQueue`](super::BoundedQueue): every `unsafe`, every
//! `MaybeUninit` and every atomic of the queue's positions, in one file a reviewer can read alone.
//!
//! The algorithm is Dmitry Vyukov's bounded MPMC queue
//! (<https://www.1024cores.net/home/lock-free-algorithms/queues/bounded-mpmc-queue>) in the form
//! of crossbeam's `ArrayQueue` (`crossbeam-queue/src/array_queue.rs`). `capacity` slots are
//! allocated up front; each is a *stamp* and a cell for one item. `head` (the next position to
//! get) and `tail` (the next to put), each on its own cache line, count positions: a slot index
//! plus a lap. A slot's stamp says which position may use it next: `position` when it is free
//! for the put at `position`, `position + STEP` once that put has published its item,
//! `position + one_lap` once the item has been got (free for the put one lap later).
//!
//! A put claims `tail` with a compare-exchange when the stamp says the slot is free for this
//! lap, writes the item and stores the next stamp (Release); a get claims `head` when the stamp
//! (Acquire) says the item is there, moves it out and frees the slot the same way. Only the
//! claimer touches a slot's cell until it stores the stamp. "Full" and "empty" are decided from
//! the positions, so a thread waits only for an operation that has claimed its slot and not yet
//! stored the stamp. It spins in std. Under a model it blocks until the stamp moves (it flags
//! the stamp, and the storer, whose store is a swap under a model, wakes it), since loom
//! explores two threads yield-spinning on a third without bound.
//!
//! The low bits of `head` and `tail` are the queue's flags (their protocol is in `super`'s
//! docs): `GETTERS_ASLEEP` and `CLOSED` in `tail`, `PUTTERS_ASLEEP` in `head`. A claim clears
//! the sleepers' flag and reports whether it was set; a claim expects `CLOSED` clear.

use crate::sync::raw_atomic::{AtomicUsize, Ordering};
use crate::sync::{abandoned, spin_loop, Backoff, Condvar, Mutex, UnsafeCell, Wait, CHECKED};
use crossbeam_utils::CachePadded;
use std::mem::{self, MaybeUninit};

/// In `tail`: a getter may be asleep, waiting for a put to wake it.
const GETTERS_ASLEEP: usize = 1;
/// In `tail`: the queue is closed; never cleared.
const CLOSED: usize = 2;
/// In `head`: a putter may be asleep, waiting for a get to wake it.
const PUTTERS_ASLEEP: usize = 1;
/// The flag bits of `head` and `tail`; positions and stamps are multiples of `STEP`.
const FLAGS: usize = 3;
/// One position: positions live above the flag bits.
const STEP: usize = FLAGS + 1;
/// In a stamp, under a model only: a thread in `await_step` waits for the stamp to be stored.
const STEP_AWAITED: usize = 1;
/// The largest capacity: with `STEP` and a lap at least twice the capacity, this leaves room
/// for at least four laps in a word, so that a lap cannot be mistaken for another.
const MAX_CAPACITY: usize = usize::MAX >> 4;

/// Why a [`push`](Ring::push) did not go through.
pub(super) enum PushError<T> {
    /// Full, with the head position found: no get had claimed it.
    Full(T, usize),
    Closed(T),
}

/// Why a [`pop`](Ring::pop) found nothing.
pub(super) enum PopError {
    /// Empty, with the position found at both ends: no put had claimed it.
    Empty(usize),
    /// Empty and closed: drained.
    Closed,
}

pub(super) struct Ring<T> {
    /// The next position to get, and `PUTTERS_ASLEEP`.
    head: CachePadded<AtomicUsize>,
    /// The next position to put, `GETTERS_ASLEEP` and `CLOSED`.
    tail: CachePadded<AtomicUsize>,
    slots: Box<[Slot<T>]>,
    /// Positions in one lap, times `STEP`: a power of two above `capacity * STEP`, so that a
    /// position splits into a lap (high bits) and an index (low bits).
    one_lap: usize,
    /// Under a model only: threads in [`await_step`](Self::await_step) sleep here until the
    /// stamp they wait for is stored.
    step_lock: Mutex<()>,
    step_cv: Condvar,
}

struct Slot<T> {
    stamp: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: items move between threads through the ring (hence `T: Send`), and a slot's value is
// touched only by the one thread that claimed its position, ordered after the previous user of
// the slot by the stamp's Release store and Acquire load. The ring hands out no `&T`, so
// `T: Sync` is not needed.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Ring<T> {}

impl<T> Ring<T> {
    /// An empty, open ring of `capacity` slots, allocated here.
    pub(super) fn new(capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "BoundedQueue::new: capacity must be at least 1 (a queue that holds nothing would block every put)"
        );
        let mut slots = Vec::new();
        let reserved = match capacity {
            c if c > MAX_CAPACITY => Err(format!("more than {MAX_CAPACITY} slots")),
            c => slots.try_reserve_exact(c).map_err(|e| e.to_string()),
        };
        if let Err(why) = reserved {
            panic!("BoundedQueue::new: capacity {capacity} is too large: {why} (storage is allocated up front; pass the most items the queue should hold)");
        }
        slots.extend((0..capacity).map(|i| Slot {
            stamp: AtomicUsize::new(i * STEP),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }));
        Ring {
            head: CachePadded::new(AtomicUsize::new(0)),
            tail: CachePadded::new(AtomicUsize::new(0)),
            slots: slots.into_boxed_slice(),
            // Room for index `capacity` (the stamp of a full last slot): at most 2^60 * STEP.
            one_lap: (capacity + 1).next_power_of_two() * STEP,
            step_lock: Mutex::new(()),
            step_cv: Condvar::new(),
        }
    }

    pub(super) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// The number of items now, clamped to `0..=capacity`: two loads of different words need
    /// not be a consistent snapshot.
    pub(super) fn len(&self) -> usize {
        // Ordering: Relaxed: a snapshot, stale as soon as it returns; ops that happened-before
        // this call are seen (coherence), and the clamping below absorbs concurrent ones.
        let tail = self.tail.load(Ordering::Relaxed) & !FLAGS;
        // Ordering: Relaxed: as above.
        let head = self.head.load(Ordering::Relaxed) & !FLAGS;
        let lap = !(self.one_lap - 1);
        let (h, t) = (head & !lap, tail & !lap);
        let capacity = self.capacity() * STEP;
        match (tail & lap).wrapping_sub(head & lap) {
            0 => t.saturating_sub(h) / STEP,
            l if l == self.one_lap => (capacity + t).saturating_sub(h).min(capacity) / STEP,
            // Tail more than a lap ahead: a stale head.
            l if (l as isize) > 0 => self.capacity(),
            // Head ahead of tail: a stale tail.
            _ => 0,
        }
    }

    pub(super) fn is_closed(&self) -> bool {
        // Ordering: Relaxed: a snapshot of a flag that is never cleared; it orders nothing.
        self.tail.load(Ordering::Relaxed) & CLOSED != 0
    }

    /// Sets `CLOSED`; `true` if this call set it.
    pub(super) fn close(&self) -> bool {
        // Ordering: Release: what this thread did before closing happens-before every put
        // and get that reports the queue closed (they acquire `tail` when they see CLOSED).
        self.tail.fetch_or(CLOSED, Ordering::Release) & CLOSED == 0
    }

    /// Puts `item` if there is room, without sleeping. `Ok(true)` means that getters may be
    /// asleep: the caller must wake them. The common case (the slot is free and the first claim
    /// wins) is inlined; the rest is [`push_contended`](Self::push_contended).
    #[inline]
    pub(super) fn push(&self, item: T) -> Result<bool, PushError<T>> {
        // Ordering: Relaxed: a guess at the position, confirmed by the claim.
        let tail = self.tail.load(Ordering::Relaxed);
        let position = tail & !FLAGS;
        let slot = self.slot(position);
        // Expecting `tail` as loaded means expecting CLOSED clear.
        if tail & CLOSED == 0 && self.stamp(slot) == position && self.claim(&self.tail, tail) {
            self.fill(slot, position, item);
            return Ok(tail & GETTERS_ASLEEP != 0);
        }
        self.push_contended(item)
    }

    #[cold]
    fn push_contended(&self, item: T) -> Result<bool, PushError<T>> {
        let backoff = Backoff::new();
        // Ordering: Relaxed: as in `push`.
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            if tail & CLOSED != 0 {
                // Ordering: Acquire, pairs with `close`'s Release: what the closing thread did
                // before `close` happens-before this refusal (every later value of `tail` is
                // a read-modify-write, so it is in `close`'s release sequence).
                self.tail.load(Ordering::Acquire);
                return Err(PushError::Closed(item));
            }
            let position = tail & !FLAGS;
            let slot = self.slot(position);
            let stamp = self.stamp(slot);
            if stamp == position {
                if self.claim(&self.tail, tail) {
                    self.fill(slot, position, item);
                    return Ok(tail & GETTERS_ASLEEP != 0);
                }
                backoff.spin();
            } else {
                // Full if no get has claimed the position a lap back (its item, published or
                // being written). Otherwise that get is moving the item out, or `tail` is stale.
                // Ordering: Relaxed: only compared. If a get that freed a slot happened-before
                // this put, coherence shows its claim here.
                let head = self.head.load(Ordering::Relaxed) & !FLAGS;
                if head.wrapping_add(self.one_lap) == position {
                    return Err(PushError::Full(item, head));
                }
                if stamp == position.wrapping_sub(self.one_lap).wrapping_add(STEP) {
                    // The get of the last lap's item has claimed it and not yet freed the slot.
                    self.await_step(slot, stamp, &backoff);
                } else {
                    backoff.snooze();
                }
            }
            // Ordering: Relaxed: as in `push`.
            tail = self.tail.load(Ordering::Relaxed);
        }
    }

    /// Gets the item at the front if there is one, without sleeping. With the item comes
    /// whether putters may be asleep, to be woken by the caller (as in [`push`](Self::push)).
    #[inline]
    pub(super) fn pop(&self) -> Result<(T, bool), PopError> {
        // Ordering: Relaxed: a guess at the position, confirmed by the claim.
        let head = self.head.load(Ordering::Relaxed);
        let position = head & !FLAGS;
        let slot = self.slot(position);
        if self.stamp(slot) == position + STEP && self.claim(&self.head, head) {
            return Ok((self.empty(slot, position), head & PUTTERS_ASLEEP != 0));
        }
        self.pop_contended()
    }

    #[cold]
    fn pop_contended(&self) -> Result<(T, bool), PopError> {
        let backoff = Backoff::new();
        // Ordering: Relaxed: as in `pop`.
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            let position = head & !FLAGS;
            let slot = self.slot(position);
            let stamp = self.stamp(slot);
            if stamp == position + STEP {
                if self.claim(&self.head, head) {
                    return Ok((self.empty(slot, position), head & PUTTERS_ASLEEP != 0));
                }
                backoff.spin();
            } else {
                // Empty if no put has claimed this position. Otherwise a put is writing the
                // item, or `head` is stale.
                // Ordering: Acquire: if it shows CLOSED, pairs with `close`'s Release (see
                // `push_contended`). Otherwise only compared: a put that happened-before this
                // get would have shown its stamp above.
                let tail = self.tail.load(Ordering::Acquire);
                if tail & !FLAGS == position {
                    return Err(if tail & CLOSED != 0 {
                        PopError::Closed
                    } else {
                        PopError::Empty(position)
                    });
                }
                if stamp == position {
                    // The put of this position has claimed it and not yet published its item.
                    self.await_step(slot, stamp, &backoff);
                } else {
                    backoff.snooze();
                }
            }
            // Ordering: Relaxed: as in `pop`.
            head = self.head.load(Ordering::Relaxed);
        }
    }

    /// Announces a sleeping putter, which found the ring full at `head`: `true` if it may
    /// sleep (no get has claimed a slot since, so the next one sees the flag).
    pub(super) fn announce_putter(&self, head: usize) -> bool {
        // Ordering: Relaxed: whether a get's claim comes before or after this in `head`'s
        // modification order decides everything; the sleep lock orders the wakeup, the stamps
        // the data.
        self.head.fetch_or(PUTTERS_ASLEEP, Ordering::Relaxed) & !FLAGS == head
    }

    /// Announces a sleeping getter, which found the ring empty at `position`: `true` if it may
    /// sleep (no put has claimed a slot since, and the ring is open).
    pub(super) fn announce_getter(&self, position: usize) -> bool {
        // Ordering: Relaxed: as in `announce_putter`, with `tail` and puts; a CLOSED seen here
        // is acquired by the `pop` that follows.
        let now = self.tail.fetch_or(GETTERS_ASLEEP, Ordering::Relaxed);
        now & !FLAGS == position && now & CLOSED == 0
    }

    /// The slot that `position` uses.
    #[inline]
    fn slot(&self, position: usize) -> &Slot<T> {
        &self.slots[(position & (self.one_lap - 1)) / STEP]
    }

    /// The position of the next put: one past every position a put has claimed. Every claim
    /// ends in a published item, so this counts the items put (a `JoinableQueue`'s tasks).
    #[inline]
    pub(super) fn put_position(&self) -> usize {
        // Ordering: Relaxed: a position, only compared; a caller that needs the puts before
        // it acquires another word first (see `JoinableQueue`).
        self.tail.load(Ordering::Relaxed) & !FLAGS
    }

    /// The position of the next get: one past every position a get has claimed (each claim
    /// ends in an item moved out), so this counts the items got.
    #[inline]
    pub(super) fn get_position(&self) -> usize {
        // Ordering: Relaxed: as in `put_position`.
        self.head.load(Ordering::Relaxed) & !FLAGS
    }

    /// How many positions `later` is past `earlier` (two positions of this ring, flags
    /// cleared): negative if it is behind. Exact while they are less than `usize::MAX /
    /// one_lap / 2` laps apart (2^59 items at the least).
    #[inline]
    pub(super) fn items_between(&self, earlier: usize, later: usize) -> isize {
        let index = self.one_lap - 1;
        // `one_lap` is a power of two: an arithmetic shift divides the (signed, exact) multiple.
        let laps = ((later & !index).wrapping_sub(earlier & !index) as isize)
            >> self.one_lap.trailing_zeros();
        let indices = ((later & index) / STEP) as isize - ((earlier & index) / STEP) as isize;
        laps.wrapping_mul(self.capacity() as isize)
            .wrapping_add(indices)
    }

    /// The position after `position`: the next index, or index 0 of the next lap.
    #[inline]
    pub(super) fn next(&self, position: usize) -> usize {
        let index = position & (self.one_lap - 1);
        if index + STEP < self.slots.len() * STEP {
            position + STEP
        } else {
            (position & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    /// A slot's stamp: which position may use it next, and whether its item is there.
    #[inline(always)]
    fn stamp(&self, slot: &Slot<T>) -> usize {
        // Ordering: Acquire, pairs with the Release store of the last user of the slot: a put
        // sees the previous get's move out of it before writing; a get sees the put's write
        // of the item before moving it out.
        let stamp = slot.stamp.load(Ordering::Acquire);
        if CHECKED {
            stamp & !STEP_AWAITED
        } else {
            stamp
        }
    }

    /// Stores a slot's next stamp with `order` (written at each call, so that each is
    /// justified and weakened on its own). Under a model it is a swap, which sees whether a
    /// thread in [`await_step`](Self::await_step) flagged the stamp, and wakes it; a store in
    /// std, where nobody flags stamps.
    #[inline(always)]
    fn set_stamp(&self, slot: &Slot<T>, stamp: usize, order: Ordering) {
        if CHECKED {
            if slot.stamp.swap(stamp, order) & STEP_AWAITED != 0 {
                drop(self.step_lock.lock());
                self.step_cv.notify_all();
            }
        } else {
            slot.stamp.store(stamp, order);
        }
    }

    /// Claims the position in `word` (`head` or `tail`) that was `seen` there (with CLOSED
    /// clear), moving it on by one and clearing the sleepers' flag (the caller wakes those it
    /// announced). A change since, a close included, fails the claim.
    #[inline(always)]
    fn claim(&self, word: &AtomicUsize, seen: usize) -> bool {
        word.compare_exchange_weak(
            seen,
            self.next(seen & !FLAGS),
            // Ordering: Relaxed: the claim orders nothing; the slot was acquired through its
            // stamp, and only the claimer can change the stamp now. The sleep protocol rests
            // on the total order of read-modify-writes on the word and on the sleep lock.
            Ordering::Relaxed,
            // Ordering: Relaxed: the caller looks again.
            Ordering::Relaxed,
        )
        .is_ok()
    }

    /// Writes `item` into the slot claimed at `position` and publishes it.
    #[inline(always)]
    fn fill(&self, slot: &Slot<T>, position: usize, item: T) {
        // SAFETY: the claim gives this thread the slot until it publishes the stamp below; the
        // previous item was moved out (its stamp was acquired before the claim).
        slot.value.with_mut(|p| unsafe { (*p).write(item) });
        // Ordering: Release: publishes the item to the get that acquires this stamp.
        self.set_stamp(slot, position + STEP, Ordering::Release);
    }

    /// Moves the item out of the slot claimed at `position` and frees the slot for the put
    /// one lap later.
    #[inline(always)]
    fn empty(&self, slot: &Slot<T>, position: usize) -> T {
        // SAFETY: the claim gives this thread the slot until it frees it below; the item was
        // published (its stamp was acquired before the claim).
        let item = slot.value.with_mut(|p| unsafe { (*p).assume_init_read() });
        // Ordering: Release: orders our move out before the next lap's put into the slot,
        // which acquires this stamp.
        self.set_stamp(slot, position.wrapping_add(self.one_lap), Ordering::Release);
        item
    }

    /// Waits for the thread that claimed `slot` to store its next stamp (the stamp is `seen`
    /// now). In std it spins (a few instructions). Under a model it yields once (so that the
    /// checker runs the others first), then flags the stamp (unless it has moved, or another
    /// waiter flagged it) and sleeps until the storer's [`set_stamp`](Self::set_stamp) wakes
    /// it: the read-modify-writes of the stamp are totally ordered, so either the store comes
    /// first (the flagging fails: no sleep) or it sees the flag and wakes the sleepers under
    /// the lock, which a sleeper holds from its last look until it sleeps.
    #[cold]
    fn await_step(&self, slot: &Slot<T>, seen: usize, backoff: &Backoff) {
        if CHECKED {
            spin_loop();
            let flagged = seen | STEP_AWAITED;
            let now = slot.stamp.compare_exchange(
                seen,
                flagged,
                // Ordering: Relaxed: the caller acquires the stamp when it looks again.
                Ordering::Relaxed,
                // Ordering: Relaxed: as above.
                Ordering::Relaxed,
            );
            if now.is_ok() || now == Err(flagged) {
                let moved = |_: &mut ()| (self.stamp(slot) != seen).then_some(());
                let (_, moved) = self
                    .step_cv
                    .wait_for(self.step_lock.lock(), Wait::Forever, moved);
                debug_assert!(moved.is_some());
            }
        } else {
            backoff.snooze();
        }
    }

    /// Drops the items left inside, once each, even if one of their `drop`s panics: the rest
    /// are still dropped (a second panic aborts), as `Vec` and `VecDeque` do.
    fn drop_items(&self) {
        /// Armed around each item's drop: if it panics, drops the rest while unwinding.
        struct Rest<'a, T>(&'a Ring<T>);
        impl<T> Drop for Rest<'_, T> {
            fn drop(&mut self) {
                self.0.drop_items();
            }
        }
        while let Ok((item, _)) = self.pop() {
            let rest = Rest(self);
            drop(item);
            mem::forget(rest);
        }
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        if abandoned() {
            return; // a failing model is being torn down: leave the items, touch nothing
        }
        self.drop_items();
    }
}

#[cfg(all(test, not(any(loom, feature = "shuttle"))))]
mod tests {
    use super::*;

    #[test]
    fn items_between_counts_positions_across_laps_and_behind() {
        for capacity in [1, 3, 4, 1000] {
            let ring = Ring::<u8>::new(capacity);
            let mut positions = vec![0];
            for _ in 0..5 * capacity + 2 {
                positions.push(ring.next(*positions.last().unwrap()));
            }
            for (i, &a) in positions.iter().enumerate() {
                for (j, &b) in positions.iter().enumerate() {
                    assert_eq!(ring.items_between(a, b), j as isize - i as isize);
                }
            }
        }
    }

    #[test]
    fn positions_count_the_items_put_and_got() {
        let ring = Ring::new(3);
        for n in 1..=10 {
            assert!(ring.push(n).is_ok());
            assert_eq!(ring.items_between(0, ring.put_position()), n);
            assert_eq!(ring.pop().ok().map(|(item, _)| item), Some(n));
            assert_eq!(ring.items_between(0, ring.get_position()), n);
        }
    }
}
