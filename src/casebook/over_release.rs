//! `semaphore-over-release` — 004 案例16: a semaphore guards a region for `n` threads, and one
//! stray `release()` with no `acquire()` before it (an extra release at start-up, in an error
//! path…) quietly makes it `n + 1`. A plain [`Semaphore`] takes the extra permit; a
//! [`BoundedSemaphore`] refuses it, so the region still admits one thread at a time.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::{thread, Arc, Mutex};
use crate::{BoundedSemaphore, ReleaseError, Semaphore, SemaphorePermit};

pub(super) const CASE: Case = Case {
    name: "semaphore-over-release",
    notes: "004 案例16: a semaphore lets at most n threads use a resource at once",
    lesson: "a release with no acquire adds a permit; a BoundedSemaphore refuses it",
    variants: &[
        Variant {
            name: "broken",
            describe: "a region for 1 thread behind Semaphore::new(1); T1 releases once without \
                       acquiring, then T1 and T2 each enter",
            expect: Some(FailureKind::Panic),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "the same, behind BoundedSemaphore::new(1): the stray release is refused",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

/// How many threads the region is for.
const SLOTS: usize = 1;

/// What the scenario needs of a semaphore.
trait Gate: Send + Sync + 'static {
    fn enter(&self) -> SemaphorePermit<'_>;
    fn stray_release(&self) -> Result<(), ReleaseError>;
    fn available(&self) -> usize;
}

impl Gate for Semaphore {
    fn enter(&self) -> SemaphorePermit<'_> {
        self.acquire()
    }
    fn stray_release(&self) -> Result<(), ReleaseError> {
        self.release(1)
    }
    fn available(&self) -> usize {
        self.available_permits()
    }
}

impl Gate for BoundedSemaphore {
    fn enter(&self) -> SemaphorePermit<'_> {
        self.acquire()
    }
    fn stray_release(&self) -> Result<(), ReleaseError> {
        self.release(1)
    }
    fn available(&self) -> usize {
        self.available_permits()
    }
}

/// Threads inside the region now, and the most there ever were.
type Region = Mutex<(usize, usize)>;

fn worker(t: usize, gate: &impl Gate, region: &Region) {
    let permit = gate.enter();
    let inside = {
        let mut r = region.lock();
        r.0 += 1;
        r.1 = r.1.max(r.0);
        r.0
    };
    trace::event(t, format!("enters ({inside} inside)"));
    region.lock().0 -= 1;
    trace::event(t, "leaves");
    drop(permit);
}

fn scenario<G: Gate>(gate: Arc<G>) {
    let region = Arc::new(Region::default());
    match gate.stray_release() {
        Ok(()) => trace::event(
            1,
            format!(
                "releases without acquiring ({} permits free)",
                gate.available()
            ),
        ),
        Err(e) => trace::event(1, format!("release refused: {e}")),
    }
    let t2 = {
        let (gate, region) = (Arc::clone(&gate), Arc::clone(&region));
        thread::spawn(move || worker(2, &*gate, &region))
    };
    worker(1, &*gate, &region);
    t2.join().unwrap();
    let most = region.lock().1;
    if most > SLOTS {
        panic!("{most} threads inside a region for {SLOTS}");
    }
}

fn broken() {
    scenario(Arc::new(Semaphore::new(SLOTS)));
}

fn fixed() {
    scenario(Arc::new(BoundedSemaphore::new(SLOTS)));
}
