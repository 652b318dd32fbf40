//! A user's scenario, written once and checked in whichever world the build is: note 001's
//! `AddMoneyThread` (two deposits of 1 that end at 1), found, then fixed with `Account`.
//!
//! ```text
//! cargo run --example check_lost_update                        # std: a stress run with stalls
//! cargo run --example check_lost_update --features shuttle     # random + PCT, minimised table
//! RUSTFLAGS="--cfg loom" cargo run --example check_lost_update --target-dir target-loom
//! ```
//!
//! Exit status 0 when the broken scenario is found and the fixed one is clean, 1 otherwise.

use verisync::check::{trace, Builder, Report};
use verisync::sync::atomic::{AtomicU64, Ordering::Relaxed};
use verisync::sync::{thread, Arc};
use verisync::Account;

/// The notes' deposit: read the balance, then write it back plus one. Two of these race.
fn deposit_by_hand(balance: &AtomicU64, who: usize) {
    let seen = balance.load(Relaxed);
    trace::event(who, format!("reads {seen}"));
    balance.store(seen + 1, Relaxed);
    trace::event(who, format!("writes {}", seen + 1));
}

fn broken() {
    let balance = Arc::new(AtomicU64::new(0));
    let b = Arc::clone(&balance);
    let t = thread::spawn(move || deposit_by_hand(&b, 1));
    deposit_by_hand(&balance, 2);
    t.join().unwrap();
    let end = balance.load(Relaxed);
    assert_eq!(end, 2, "balance {end}, expected 2");
}

fn fixed() {
    let account = Arc::new(Account::new(0));
    let a = Arc::clone(&account);
    let t = thread::spawn(move || a.deposit(1).unwrap());
    account.deposit(1).unwrap();
    t.join().unwrap();
    assert_eq!(account.balance(), 2);
}

fn show(name: &str, report: &Report) {
    let world = verisync::sync::BACKEND;
    match &report.failure {
        None => println!(
            "{name}: clean after {} run(s) ({world}, {:?})",
            report.schedules, report.elapsed
        ),
        Some(failure) => {
            println!(
                "{name}: {failure} after {} run(s) ({world})",
                report.schedules
            );
            if let Some(n) = report.preemptions {
                println!("  shown with {n} preemption(s), the fewest that fail");
            }
            if !report.trace.is_empty() {
                println!("{}", trace::table(&report.trace, failure.headline()));
            }
            if let Some(token) = &report.replay {
                println!("  replay: verisync::check::replay(\"{name}\", \"{token}\", broken)");
            }
            if world == "std" {
                println!("  (std has no trace: run it with --features shuttle for the table)");
            }
        }
    }
}

fn main() {
    // The report carries the failure; the panic's own printing would only repeat it.
    std::panic::set_hook(Box::new(|_| {}));
    let found = Builder::new("lost-update/broken").explore(broken);
    show("lost-update/broken", &found);
    let clean = Builder::new("lost-update/fixed").explore(fixed);
    show("lost-update/fixed", &clean);
    let ok = !found.is_clean() && clean.is_clean();
    std::process::exit(if ok { 0 } else { 1 });
}
