//! `timer-cancel-race` — 004 案例17: a timer whose `cancel()` only sets a flag that the timer's
//! thread checks once its delay is over. If the thread has already looked (and started the
//! function) when the flag is set, `cancel()` still answers "cancelled" and the function runs
//! anyway: the check and the act are two steps. [`Timer`](crate::Timer) decides the race with
//! one compare-and-swap, so `cancel()` is `true` exactly when the function never runs.

use super::{Case, Variant};
use crate::check::{trace, FailureKind};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{thread, Arc};
use crate::Timer;
use std::time::Duration;

pub(super) const CASE: Case = Case {
    name: "timer-cancel-race",
    notes: "004 案例17 (threading.Timer: start, cancel)",
    lesson: "a cancel must decide the race with the timer, not just raise a flag the timer may have read already",
    variants: &[
        Variant {
            name: "broken",
            describe: "T2, the timer, checks a cancel flag after its delay, then runs; T1 sets the flag and says it cancelled",
            expect: Some(FailureKind::Panic),
            run: broken,
            spurious: 0,
        },
        Variant {
            name: "fixed",
            describe: "verisync::Timer: cancel() and the timer's start are decided by one compare-and-swap",
            expect: None,
            run: fixed,
            spurious: 0,
        },
    ],
};

/// The delay. The race is between its end and the cancel, whatever its length; zero keeps the
/// timer's side short, so that random schedules find the race as often as PCT does (with a
/// modelled delay the clock's steps make the cancel win almost every random schedule).
const DELAY: Duration = Duration::ZERO;

fn broken() {
    let cancelled = Arc::new(AtomicBool::new(false));
    let ran = Arc::new(AtomicBool::new(false));
    let timer = {
        let (cancelled, ran) = (Arc::clone(&cancelled), Arc::clone(&ran));
        thread::spawn(move || {
            thread::sleep(DELAY);
            trace::event(2, "delay over: looks at the cancel flag");
            // Ordering: SeqCst: the bug is the gap between this look and the run, not memory
            // ordering; the strongest ordering keeps it that way.
            if !cancelled.load(Ordering::SeqCst) {
                trace::event(2, "flag clear: runs the function");
                ran.store(true, Ordering::SeqCst);
            }
        })
    };
    // Ordering: SeqCst: as above.
    cancelled.store(true, Ordering::SeqCst);
    trace::event(1, "cancel(): sets the flag, answers \"cancelled\"");
    let said_cancelled = true;
    timer.join().unwrap();
    // Ordering: SeqCst: as above (the join orders it anyway).
    if said_cancelled && ran.load(Ordering::SeqCst) {
        panic!("cancel() said \"cancelled\", and the function ran");
    }
}

fn fixed() {
    let ran = Arc::new(AtomicBool::new(false));
    let r = Arc::clone(&ran);
    let timer = Timer::start(DELAY, move || {
        // Ordering: SeqCst: the test's own flag; the timer's join orders it.
        r.store(true, Ordering::SeqCst);
    });
    let said_cancelled = timer.cancel();
    trace::event(1, format!("cancel() -> {said_cancelled}"));
    let outcome = timer.join().unwrap();
    trace::event(1, format!("join() -> {outcome:?}"));
    // Ordering: SeqCst: as above.
    let ran = ran.load(Ordering::SeqCst);
    if said_cancelled == ran || outcome.is_some() != ran {
        panic!("cancel() said {said_cancelled}, and the function ran: {ran}");
    }
}
