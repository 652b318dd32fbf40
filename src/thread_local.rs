//! [`ThreadLocal`]: a value per thread and per object, Python's `threading.local()`.
//!
//! std's `thread_local!` makes one static per thread; Python's `local()` is an object, and
//! every instance has its own value in each thread (the notes' 000: each thread's
//! `local.num` is its own). This is that object.
//!
//! # From Python
//!
//! | Python | verisync |
//! |---|---|
//! | `data = threading.local()` | [`ThreadLocal::new()`](ThreadLocal::new), shared with [`Arc`](crate::sync::Arc) |
//! | `data.x = v` / `data.x` | [`get_or(‖ init)`](ThreadLocal::get_or) with a `Cell`/`RefCell` inside, [`get`](ThreadLocal::get) |
//! | (no equivalent: the values die with their threads) | [`iter_mut`](ThreadLocal::iter_mut), [`into_values`](ThreadLocal::into_values): every thread's value, for a final reduction |
//!
//! # Design
//!
//! A map from the facade's thread [`token`](crate::sync::thread::token) (never reused, so a
//! new thread never sees a dead one's value) to a boxed value, behind the facade's mutex. A
//! value is created by its own thread, outside the lock (so `init` may use the same
//! `ThreadLocal`), and never moves or drops until the object does: so `get` can hand out a
//! reference that outlives the lock. Values are dropped with the object, not with their
//! threads. Each access takes the lock once: this is a teaching-sized design, not a
//! contention-free one.

use crate::sync::{thread, Mutex};
use std::collections::HashMap;
use std::fmt;

/// A value per thread, per object: each thread that touches a `ThreadLocal` gets its own `T`,
/// created on first use, and sees only that one.
///
/// # Contract
///
/// * [`get_or`](ThreadLocal::get_or) returns this thread's value, creating it with `init` the
///   first time (once per thread per object); [`get`](ThreadLocal::get) returns it if it
///   exists. No thread can reach another's value through `&self`.
/// * With exclusive access (`&mut self`, `self`: every other thread is done with it),
///   [`iter_mut`](ThreadLocal::iter_mut) and [`into_values`](ThreadLocal::into_values) visit
///   every thread's value, in no particular order.
/// * Values live until the `ThreadLocal` is dropped (or consumed), even after their threads
///   exit, and are dropped exactly once.
///
/// # Memory ordering
///
/// A value is written and read by its own thread only, until `&mut self` or `self`, which the
/// caller can only get after synchronizing with every thread that used it (joining them, or
/// the last `Arc`).
///
/// # Examples
///
/// The notes' 000: each thread's number is its own.
///
/// ```
/// use std::cell::Cell;
/// use verisync::ThreadLocal;
/// use verisync::sync::{model, thread, Arc};
///
/// model(|| {
///     let local = Arc::new(ThreadLocal::new());
///     let workers: Vec<_> = (1..=2)
///         .map(|n| {
///             let local = Arc::clone(&local);
///             thread::spawn(move || {
///                 local.get_or(|| Cell::new(0)).set(n);
///                 thread::yield_now();
///                 local.get_or(|| Cell::new(0)).get() // still its own
///             })
///         })
///         .collect();
///     let seen: Vec<u32> = workers.into_iter().map(|w| w.join().unwrap()).collect();
///     assert_eq!(seen, [1, 2]);
///     let local = Arc::try_unwrap(local).unwrap();
///     let total: u32 = local.into_values().map(Cell::into_inner).sum();
///     assert_eq!(total, 3);
/// });
/// ```
pub struct ThreadLocal<T: Send> {
    values: Mutex<HashMap<usize, Box<T>>>,
}

// SAFETY: through `&self` a thread reaches only its own value (keyed by its never-reused
// token), so a `T` is never shared between threads (`T: Sync` is not needed); values move to
// the thread that drops or consumes the object, hence `T: Send`.
unsafe impl<T: Send> Sync for ThreadLocal<T> {}

impl<T: Send> ThreadLocal<T> {
    /// An object with no values yet.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let local = verisync::ThreadLocal::<u8>::new();
    /// assert!(local.get().is_none());
    /// # });
    /// ```
    pub fn new() -> Self {
        ThreadLocal {
            values: Mutex::new(HashMap::new()),
        }
    }

    /// This thread's value, if it has one.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let local = verisync::ThreadLocal::new();
    /// assert_eq!(local.get(), None);
    /// local.get_or(|| 5);
    /// assert_eq!(local.get(), Some(&5));
    /// # });
    /// ```
    pub fn get(&self) -> Option<&T> {
        let values = self.values.lock();
        let value: *const T = &**values.get(&thread::token())?;
        drop(values);
        // SAFETY: the box is this thread's; it never moves or drops while `&self` lives
        // (entries leave only through `&mut self` or `self`), and no other thread reaches it.
        Some(unsafe { &*value })
    }

    /// This thread's value, created with `init` if it has none (`init` runs without the
    /// object's lock held, so it may use this `ThreadLocal` too; a value it creates for this
    /// thread is kept, and `init`'s own result dropped).
    ///
    /// ```
    /// use std::cell::RefCell;
    /// # verisync::sync::model(|| {
    /// let names = verisync::ThreadLocal::new();
    /// names.get_or(|| RefCell::new(Vec::new())).borrow_mut().push("a");
    /// names.get_or(|| RefCell::new(Vec::new())).borrow_mut().push("b");
    /// assert_eq!(*names.get().unwrap().borrow(), ["a", "b"]);
    /// # });
    /// ```
    pub fn get_or(&self, init: impl FnOnce() -> T) -> &T {
        if let Some(value) = self.get() {
            return value;
        }
        let fresh = Box::new(init());
        let mut values = self.values.lock();
        let value: *const T = &**values.entry(thread::token()).or_insert(fresh);
        drop(values);
        // SAFETY: as in `get`.
        unsafe { &*value }
    }

    /// This thread's value, `T::default()` the first time.
    ///
    /// ```
    /// use std::cell::Cell;
    /// # verisync::sync::model(|| {
    /// let hits: verisync::ThreadLocal<Cell<u32>> = Default::default();
    /// hits.get_or_default().set(hits.get_or_default().get() + 1);
    /// assert_eq!(hits.get_or_default().get(), 1);
    /// # });
    /// ```
    pub fn get_or_default(&self) -> &T
    where
        T: Default,
    {
        self.get_or(T::default)
    }

    /// Every thread's value, to change or read (no other thread can be using the object).
    ///
    /// ```
    /// use verisync::ThreadLocal;
    /// use verisync::sync::{model, thread, Arc};
    ///
    /// model(|| {
    ///     let local = Arc::new(ThreadLocal::new());
    ///     let l2 = Arc::clone(&local);
    ///     thread::spawn(move || { l2.get_or(|| 10); }).join().unwrap();
    ///     local.get_or(|| 1);
    ///     let mut local = Arc::try_unwrap(local).unwrap();
    ///     local.iter_mut().for_each(|v| *v *= 2);
    ///     let mut all: Vec<i32> = local.iter_mut().map(|v| *v).collect();
    ///     all.sort();
    ///     assert_eq!(all, [2, 20]);
    /// });
    /// ```
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.values.get_mut().values_mut().map(|b| &mut **b)
    }

    /// Consumes the object, giving every thread's value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let local = verisync::ThreadLocal::new();
    /// local.get_or(|| "main's");
    /// assert_eq!(local.into_values().collect::<Vec<_>>(), ["main's"]);
    /// # });
    /// ```
    pub fn into_values(self) -> impl Iterator<Item = T> {
        self.values.into_inner().into_values().map(|b| *b)
    }
}

impl<T: Send> Default for ThreadLocal<T> {
    /// An object with no values yet.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let local: verisync::ThreadLocal<u8> = Default::default();
    /// assert!(local.get().is_none());
    /// # });
    /// ```
    fn default() -> Self {
        ThreadLocal::new()
    }
}

impl<T: Send + fmt::Debug> fmt::Debug for ThreadLocal<T> {
    /// Shows this thread's value (the others belong to their threads).
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let local = verisync::ThreadLocal::new();
    /// local.get_or(|| 3);
    /// assert_eq!(format!("{local:?}"), "ThreadLocal { mine: Some(3), .. }");
    /// # });
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadLocal")
            .field("mine", &self.get())
            .finish_non_exhaustive()
    }
}
