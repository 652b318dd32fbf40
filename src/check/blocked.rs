//! Who holds what and who waits for what, as verisync's types record it under a model, so that
//! a deadlock report names its cycle: "T1 holds `a` and waits for `b`; T2 holds `b` and waits
//! for `a`" instead of "every thread waits for another".
//!
//! Each type that can block keeps a [`Site`]: what it is and where it was made (or the name it
//! was given with `named`). A lock records [`held`] and [`let_go`]; a thread about to sleep
//! holds a [`Waiting`] while it sleeps. The board lives in a std thread-local of the OS thread
//! that runs the model: loom and shuttle run every thread of an execution there, and a checker's
//! report is read there too, right after the failing execution stops. It is cleared when an
//! execution starts ([`trace::start`](super::trace::start)); a clean execution leaves it empty
//! anyway (every lock let go, every wait over).
//!
//! In std nothing is recorded (a deadlock hangs; nothing reads a board) and a [`Site`] is empty.

#[cfg(any(loom, feature = "shuttle"))]
pub(crate) use model::*;
#[cfg(not(any(loom, feature = "shuttle")))]
pub(crate) use std_world::*;

#[cfg(not(any(loom, feature = "shuttle")))]
mod std_world {
    /// Nothing to know in std.
    #[derive(Debug, Default)]
    pub(crate) struct Site;

    impl Site {
        #[inline(always)]
        pub(crate) fn new(_what: &'static str) -> Site {
            Site
        }
        #[inline(always)]
        pub(crate) fn name(&mut self, _name: &'static str) {}
        #[inline(always)]
        pub(crate) fn is_a(&mut self, _what: &'static str) {}
    }

    #[inline(always)]
    pub(crate) fn held(_site: &Site) {}
    #[inline(always)]
    pub(crate) fn let_go(_site: &Site) {}
    #[inline(always)]
    pub(crate) fn waiting(_site: &Site) -> Waiting {
        Waiting
    }
    #[inline(always)]
    pub(crate) fn waiting_for(_site: &Site, _what: &'static str) -> Waiting {
        Waiting
    }
    #[inline(always)]
    pub(crate) fn label(_thread: usize) {}
    #[inline(always)]
    pub(crate) fn reset() {}
    pub(crate) fn describe() -> Option<String> {
        None
    }

    /// Nothing to undo in std.
    pub(crate) struct Waiting;
}

#[cfg(any(loom, feature = "shuttle"))]
mod model {
    use std::cell::RefCell;
    use std::fmt::Write;
    use std::panic::Location;

    /// What a blocking object is, for a report: its kind, where it was made, its name if given.
    #[derive(Debug)]
    pub(crate) struct Site {
        /// Creation order (as [`serial`](crate::sync::serial)): the same in every execution.
        id: u64,
        what: &'static str,
        at: &'static Location<'static>,
        name: Option<&'static str>,
    }

    impl Site {
        /// A site for a `what` (`"Mutex"`) made by the caller's caller.
        #[track_caller]
        pub(crate) fn new(what: &'static str) -> Site {
            Site {
                id: crate::sync::serial(),
                what,
                at: Location::caller(),
                name: None,
            }
        }

        pub(crate) fn name(&mut self, name: &'static str) {
            self.name = Some(name);
        }

        /// What it is, when the type that made it is part of another (a `JoinableQueue`'s
        /// `BoundedQueue`).
        pub(crate) fn is_a(&mut self, what: &'static str) {
            self.what = what;
        }

        /// `prefix` (`"an item from "`, or nothing) and the site, for the board: no text is
        /// made until a report asks for it.
        fn entry(&self, prefix: &'static str) -> Entry {
            Entry {
                id: self.id,
                what: self.what,
                at: self.at,
                name: self.name,
                prefix,
            }
        }
    }

    #[derive(Clone, Copy, Debug)]
    struct Entry {
        id: u64,
        what: &'static str,
        at: &'static Location<'static>,
        name: Option<&'static str>,
        prefix: &'static str,
    }

    impl Entry {
        fn text(&self) -> String {
            match self.name {
                Some(name) => format!("{}`{name}`", self.prefix),
                None => format!(
                    "{}the {} made at {}:{}",
                    self.prefix,
                    self.what,
                    self.at.file(),
                    self.at.line()
                ),
            }
        }
    }

    #[derive(Default)]
    struct Board {
        /// (thread, what it holds), in the order taken.
        holds: Vec<(usize, Entry)>,
        /// (thread, what it waits for).
        waits: Vec<(usize, Entry)>,
        /// thread token → the number the scenario's trace calls it by.
        labels: Vec<(usize, usize)>,
        /// Threads in order of first appearance, for those without a label.
        seen: Vec<usize>,
    }

    impl Board {
        fn saw(&mut self, thread: usize) {
            if !self.seen.contains(&thread) {
                self.seen.push(thread);
            }
        }

        fn name(&self, thread: usize) -> String {
            match self.labels.iter().find(|(t, _)| *t == thread) {
                Some((_, n)) => format!("T{n}"),
                None => {
                    let k = self.seen.iter().position(|&t| t == thread).unwrap_or(0);
                    format!("thread #{}", k + 1)
                }
            }
        }

        fn held_by(&self, thread: usize) -> Vec<&Entry> {
            self.holds
                .iter()
                .filter(|(t, _)| *t == thread)
                .map(|(_, e)| e)
                .collect()
        }

        fn holder(&self, id: u64) -> Option<usize> {
            self.holds.iter().find(|(_, e)| e.id == id).map(|(t, _)| *t)
        }

        fn waits_for(&self, thread: usize) -> Option<&Entry> {
            self.waits
                .iter()
                .find(|(t, _)| *t == thread)
                .map(|(_, e)| e)
        }

        /// "T1 holds `a` and waits for `b`".
        fn line(&self, thread: usize) -> String {
            let mut s = self.name(thread);
            let held = self.held_by(thread);
            if !held.is_empty() {
                let held: Vec<String> = held.iter().map(|e| e.text()).collect();
                let _ = write!(s, " holds {} and", held.join(", "));
            }
            if let Some(w) = self.waits_for(thread) {
                let _ = write!(s, " waits for {}", w.text());
                if self.holder(w.id) == Some(thread) {
                    s.push_str(", which it holds itself");
                }
            }
            s
        }

        /// A cycle of threads each waiting for a lock the next one holds, if there is one.
        fn cycle(&self) -> Option<Vec<usize>> {
            for &(start, _) in &self.waits {
                let mut path = vec![start];
                let mut at = start;
                while let Some(next) = self.waits_for(at).and_then(|w| self.holder(w.id)) {
                    if let Some(i) = path.iter().position(|&t| t == next) {
                        return Some(path[i..].to_vec());
                    }
                    path.push(next);
                    at = next;
                }
            }
            None
        }

        fn describe(&self) -> Option<String> {
            if self.waits.is_empty() {
                return None;
            }
            let threads = match self.cycle() {
                Some(cycle) => cycle,
                None => self.waits.iter().map(|(t, _)| *t).collect(),
            };
            let lines: Vec<String> = threads.iter().map(|&t| self.line(t)).collect();
            Some(lines.join("; "))
        }
    }

    std::thread_local! {
        static BOARD: RefCell<Board> = RefCell::new(Board::default());
        /// Whether `check` is running a model on this OS thread: only then may a trace event
        /// ask the checker which thread it is on (outside a model that panics).
        static MODELLING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Runs `f` (a checker's whole exploration) with trace events labelling their threads.
    pub(crate) fn modelling<R>(f: impl FnOnce() -> R) -> R {
        struct Restore(bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                MODELLING.with(|m| m.set(self.0));
            }
        }
        let _restore = Restore(MODELLING.with(|m| m.replace(true)));
        f()
    }

    fn me() -> usize {
        crate::sync::thread::token()
    }

    /// The calling thread took the lock of `site`.
    pub(crate) fn held(site: &Site) {
        let thread = me();
        BOARD.with(|b| {
            let mut b = b.borrow_mut();
            b.saw(thread);
            b.holds.push((thread, site.entry("")));
        });
    }

    /// The calling thread let go of the lock of `site` (the newest hold of it).
    pub(crate) fn let_go(site: &Site) {
        let thread = me();
        BOARD.with(|b| {
            let mut b = b.borrow_mut();
            if let Some(i) = b
                .holds
                .iter()
                .rposition(|(t, e)| *t == thread && e.id == site.id)
            {
                b.holds.remove(i);
            }
        });
    }

    /// The calling thread is about to sleep until `site` lets it go; over when dropped.
    pub(crate) fn waiting(site: &Site) -> Waiting {
        waiting_for(site, "")
    }

    /// The same, for `what` of `site` (`"an item from "`): not a lock, so in no cycle.
    pub(crate) fn waiting_for(site: &Site, what: &'static str) -> Waiting {
        let thread = me();
        BOARD.with(|b| {
            let mut b = b.borrow_mut();
            b.saw(thread);
            b.waits.retain(|(t, _)| *t != thread);
            b.waits.push((thread, site.entry(what)));
        });
        Waiting { thread }
    }

    /// The calling thread is the one the scenario's trace calls `T{label}` (noted only inside
    /// a `check` exploration: see [`modelling`]).
    pub(crate) fn label(label: usize) {
        if !MODELLING.with(|m| m.get()) {
            return;
        }
        let thread = me();
        BOARD.with(|b| {
            let mut b = b.borrow_mut();
            if !b.labels.iter().any(|(t, _)| *t == thread) {
                b.labels.push((thread, label));
            }
        });
    }

    /// A new execution: nothing held, nobody waiting.
    pub(crate) fn reset() {
        BOARD.with(|b| *b.borrow_mut() = Board::default());
    }

    /// The blocked threads as the board last saw them: the cycle of locks if there is one
    /// ("T1 holds `a` and waits for `b`; T2 holds `b` and waits for `a`"), else every waiting
    /// thread with what it holds and waits for. `None` when nobody waits.
    pub(crate) fn describe() -> Option<String> {
        BOARD.with(|b| b.borrow().describe())
    }

    /// A thread's wait in progress, recorded on the board.
    pub(crate) struct Waiting {
        thread: usize,
    }

    impl Drop for Waiting {
        fn drop(&mut self) {
            if crate::sync::abandoned() {
                return; // the failing execution's board is what its report reads
            }
            let thread = self.thread;
            BOARD.with(|b| b.borrow_mut().waits.retain(|(t, _)| *t != thread));
        }
    }

    // The shuttle build's: the model test below runs under shuttle.
    #[cfg(all(test, not(loom)))]
    mod tests {
        use super::*;

        fn named(name: &'static str) -> Site {
            let mut site = Site::new("Mutex");
            site.name(name);
            site
        }

        /// A board of (thread, held) and (thread, waited for); threads 10, 20, 30 are T1-T3.
        fn board(holds: &[(usize, &Site)], waits: &[(usize, &Site)]) -> Board {
            let mut b = Board::default();
            for &(t, _) in waits.iter().chain(holds) {
                b.saw(t);
            }
            b.holds = holds.iter().map(|&(t, s)| (t, s.entry(""))).collect();
            b.waits = waits.iter().map(|&(t, s)| (t, s.entry(""))).collect();
            b.labels = vec![(10, 1), (20, 2), (30, 3)];
            b
        }

        #[test]
        fn a_lock_order_cycle_names_each_thread_what_it_holds_and_waits_for() {
            let (a, b) = (named("a"), named("b"));
            let board = board(&[(10, &a), (20, &b)], &[(10, &b), (20, &a)]);
            assert_eq!(
                board.describe().unwrap(),
                "T1 holds `a` and waits for `b`; T2 holds `b` and waits for `a`"
            );
        }

        #[test]
        fn the_cycle_is_reported_without_the_threads_queued_behind_it() {
            let (a, b, c) = (named("a"), named("b"), named("c"));
            // T3 holds c and waits for a, which is in T1 and T2's cycle.
            let board = board(
                &[(10, &a), (20, &b), (30, &c)],
                &[(30, &a), (10, &b), (20, &a)],
            );
            assert_eq!(board.cycle(), Some(vec![10, 20]));
            assert_eq!(
                board.describe().unwrap(),
                "T1 holds `a` and waits for `b`; T2 holds `b` and waits for `a`"
            );
        }

        #[test]
        fn a_lock_waited_for_by_its_own_holder_says_so() {
            let a = named("a");
            let board = board(&[(10, &a)], &[(10, &a)]);
            assert_eq!(board.cycle(), Some(vec![10]));
            assert_eq!(
                board.describe().unwrap(),
                "T1 holds `a` and waits for `a`, which it holds itself"
            );
        }

        #[test]
        fn without_a_cycle_every_waiting_thread_is_listed_in_order() {
            let (a, q) = (named("a"), Site::new("BoundedQueue"));
            let mut board = board(&[(10, &a)], &[(20, &a)]);
            board.waits.push((40, q.entry("an item from ")));
            board.saw(40);
            assert_eq!(board.cycle(), None);
            let at = format!("{}:{}", q.at.file(), q.at.line());
            assert!(at.starts_with("src/check/blocked.rs:"), "{at}");
            assert_eq!(
                board.describe().unwrap(),
                format!(
                    "T2 waits for `a`; thread #3 waits for an item from the BoundedQueue made \
                     at {at}"
                )
            );
            // Unlabelled threads are numbered by first appearance on the board.
            assert_eq!(board.name(40), "thread #3");
            assert_eq!(Board::default().describe(), None, "nobody waits");
        }

        #[test]
        fn a_site_made_inside_another_type_is_reported_as_that_type() {
            let mut site = Site::new("BoundedQueue");
            site.is_a("JoinableQueue");
            assert!(site
                .entry("")
                .text()
                .starts_with("the JoinableQueue made at "));
        }

        #[test]
        fn the_board_follows_holds_waits_and_labels_inside_a_model() {
            shuttle::check_random(
                || {
                    reset();
                    let (a, b) = (named("a"), named("b"));
                    assert_eq!(describe(), None);
                    held(&a);
                    held(&b);
                    held(&a); // a reentrant hold
                    let_go(&a); // lets go of the newest hold of `a` only
                    modelling(|| ()); // and puts back "not modelling" when it returns
                    label(7); // outside `modelling`: not noted
                    let wait = waiting(&b);
                    assert_eq!(
                        describe().unwrap(),
                        "thread #1 holds `a`, `b` and waits for `b`, which it holds itself"
                    );
                    modelling(|| label(7));
                    assert!(describe().unwrap().starts_with("T7 holds `a`, `b` and"));
                    drop(wait);
                    assert_eq!(describe(), None, "a wait that is over leaves the board");
                    let jobs = named("jobs");
                    let _item = waiting_for(&jobs, "an item from ");
                    assert_eq!(
                        describe().unwrap(),
                        "T7 holds `a`, `b` and waits for an item from `jobs`"
                    );
                    // The first hold of `a`, not the newer hold of `b`.
                    let_go(&a);
                    assert_eq!(
                        describe().unwrap(),
                        "T7 holds `b` and waits for an item from `jobs`"
                    );
                    reset();
                    assert_eq!(describe(), None);
                },
                1,
            );
        }

        #[test]
        fn each_thread_has_its_own_holds_waits_and_label() {
            use crate::sync::thread;
            use std::sync::Arc;
            shuttle::check_random(
                || {
                    reset();
                    modelling(|| {
                        let (a, b, jobs) = (Arc::new(named("a")), named("b"), named("jobs"));
                        label(1);
                        held(&a);
                        let _item = waiting_for(&jobs, "an item from ");
                        let a2 = Arc::clone(&a);
                        let seen = thread::spawn(move || {
                            label(2);
                            held(&b);
                            let _wait = waiting(&a2);
                            describe()
                        })
                        .join()
                        .unwrap();
                        // No cycle (`jobs` is held by nobody): every waiting thread, in order.
                        assert_eq!(
                            seen.unwrap(),
                            "T1 holds `a` and waits for an item from `jobs`; \
                             T2 holds `b` and waits for `a`"
                        );
                    });
                },
                1,
            );
        }
    }
}
