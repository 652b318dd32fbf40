//! The casebook explorer: runs every case of the notes under shuttle's random and PCT
//! schedulers and shows, per variant, what was found, after how many schedules, how long it
//! took, and the failing interleaving as a table a learner can read next to the notes.
//!
//! ```text
//! cargo run --release --features shuttle                      # every case
//! cargo run --release --features shuttle -- --case lost-update
//! cargo run --release --features shuttle -- --list
//! cargo run --release --features shuttle -- --case lost-update --variant broken --replay TOKEN
//! ```
//!
//! Exit status: 0 when every broken variant was found (with the expected kind of failure) and
//! every fixed variant ran clean; 1 otherwise; 2 on a usage error.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use verisync::casebook::{self, trace, Case, Failure, Variant};
use verisync::sync::explore::{Report, Scheduler, Verdict};

const USAGE: &str = "\
usage: verisync-explorer [--case NAME]... [--schedules N] [--seed S] [--list]
       verisync-explorer --case NAME --variant VARIANT --replay TOKEN

  --case NAME       explore only this case (repeatable); see --list
  --schedules N     schedules per scheduler and variant (default 1000)
  --seed S          seed of the random and PCT schedulers (default 1)
  --list            list the cases and their variants
  --replay TOKEN    run the one schedule TOKEN encodes (printed under a failure)";

struct Options {
    cases: Vec<String>,
    variant: Option<String>,
    replay: Option<String>,
    schedules: usize,
    seed: u64,
    list: bool,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        cases: Vec::new(),
        variant: None,
        replay: None,
        schedules: 1000,
        seed: 1,
        list: false,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--case" => o.cases.push(value("--case")?),
            "--variant" => o.variant = Some(value("--variant")?),
            "--replay" => o.replay = Some(value("--replay")?),
            "--schedules" => {
                o.schedules = value("--schedules")?
                    .parse()
                    .map_err(|e| format!("--schedules: {e}"))?;
                if o.schedules == 0 {
                    return Err("--schedules must be at least 1".into());
                }
            }
            "--seed" => {
                o.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            "--list" => o.list = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    for name in &o.cases {
        if casebook::find(name).is_none() {
            return Err(format!("no case named {name:?} (see --list)"));
        }
    }
    if o.replay.is_some() && (o.cases.len() != 1 || o.variant.is_none()) {
        return Err("--replay needs exactly one --case and a --variant".into());
    }
    Ok(o)
}

/// Points stderr at /dev/null while alive: shuttle prints every failure it meets, and the
/// explorer reports failures itself.
struct Silence(libc::c_int);

impl Silence {
    fn new() -> Option<Silence> {
        // SAFETY: plain fd calls; every fd opened here is closed or restored in `drop`.
        unsafe {
            let saved = libc::dup(2);
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            if saved < 0 || null < 0 {
                return None;
            }
            libc::dup2(null, 2);
            libc::close(null);
            Some(Silence(saved))
        }
    }
}

impl Drop for Silence {
    fn drop(&mut self) {
        // SAFETY: restores the stderr saved in `new`.
        unsafe {
            libc::dup2(self.0, 2);
            libc::close(self.0);
        }
    }
}

fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let _silence = Silence::new();
    f()
}

fn millis(d: Duration) -> String {
    if d < Duration::from_millis(10) {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{} ms", d.as_millis())
    }
}

fn outcome_text(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Clean => "clean".into(),
        Verdict::Panicked(m) => m.lines().next().unwrap_or("").to_owned(),
        Verdict::Deadlock(_) => "deadlock: every thread waits for another".into(),
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn print_failure(case: &Case, variant: &Variant, report: &Report, events: &[trace::Event]) {
    let outcome = outcome_text(&report.verdict);
    println!("{}", indent(&trace::table(events, &outcome), "      "));
    println!("      in one line: {}", trace::line(events, &outcome));
    if let Some(token) = &report.replay {
        println!(
            "      replay: cargo run --release --features shuttle -- --case {} --variant {} --replay {token}",
            case.name, variant.name
        );
    }
}

/// Explores one variant under one scheduler; returns whether it met its expectation.
fn explore_one(
    case: &Case,
    variant: &Variant,
    scheduler: Scheduler,
    schedules: usize,
    stats: &mut Stats,
) -> bool {
    let (report, events) = quietly(|| variant.explore(scheduler, schedules));
    stats.schedules += report.schedules;
    stats.time += report.elapsed;
    let found = Variant::classify(&report.verdict);
    let label = format!("{:<9}", scheduler.to_string());
    let ok = found == variant.expect;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    match (found, variant.expect) {
        (None, _) => println!(
            "    {label} clean after {} schedule{} ({}){}",
            report.schedules,
            plural(report.schedules),
            millis(report.elapsed),
            if ok { "" } else { "  <- NOT FOUND" }
        ),
        (Some(kind), expect) => {
            let verdict = match kind {
                Failure::Race => "race found",
                Failure::Deadlock => "deadlock found",
            };
            let note = match expect {
                Some(e) if e == kind => String::new(),
                Some(e) => format!("  <- expected a {e}"),
                None => "  <- a FIXED variant failed".into(),
            };
            println!(
                "    {label} {verdict} at schedule {} ({}){note}",
                report.schedules,
                millis(report.elapsed)
            );
            if stats.shown.insert((case.name, variant.name)) || !ok {
                print_failure(case, variant, &report, &events);
            }
        }
    }
    ok
}

#[derive(Default)]
struct Stats {
    schedules: usize,
    time: Duration,
    shown: std::collections::HashSet<(&'static str, &'static str)>,
}

fn list() {
    for case in casebook::cases() {
        println!("{:<22} {}", case.name, case.notes);
        for v in case.variants {
            let expect = match v.expect {
                Some(kind) => format!("broken: a {kind}"),
                None => "fixed".into(),
            };
            println!("    {:<14} {:<16} {}", v.name, expect, v.describe);
        }
    }
}

fn replay(case: &Case, variant_name: &str, token: &str) -> ExitCode {
    let Some(variant) = case.variants.iter().find(|v| v.name == variant_name) else {
        let names: Vec<_> = case.variants.iter().map(|v| v.name).collect();
        eprintln!(
            "case {} has no variant {variant_name:?} (it has {})",
            case.name,
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    let (report, events) = quietly(|| variant.replay(token));
    println!("{} / {}: {}", case.name, variant.name, variant.describe);
    match report.verdict {
        Verdict::Clean => {
            println!("    the schedule ran clean");
            println!("{}", indent(&trace::table(&events, "clean"), "      "));
        }
        _ => print_failure(case, variant, &report, &events),
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("verisync-explorer: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if e.is_empty() { 0 } else { 2 });
        }
    };
    if options.list {
        list();
        return ExitCode::SUCCESS;
    }
    // Shuttle reports each failure through the panic hook; the explorer reports them itself.
    std::panic::set_hook(Box::new(|_| {}));
    if let Some(token) = &options.replay {
        let case = casebook::find(&options.cases[0]).expect("checked in parse");
        return replay(case, options.variant.as_deref().unwrap_or(""), token);
    }

    let selected: Vec<&Case> = if options.cases.is_empty() {
        casebook::cases().iter().collect()
    } else {
        options
            .cases
            .iter()
            .filter_map(|n| casebook::find(n))
            .collect()
    };
    let schedulers = [
        Scheduler::Random { seed: options.seed },
        Scheduler::Pct {
            seed: options.seed,
            depth: 3,
        },
    ];
    let runs: usize = selected.iter().map(|c| c.variants.len()).sum::<usize>() * schedulers.len();
    let started = Instant::now();
    let mut stats = Stats::default();
    let (mut found, mut broken, mut clean, mut fixed) = (0, 0, 0, 0);
    let mut done = 0;
    println!(
        "verisync casebook: {} case(s), shuttle random + PCT, up to {} schedules each\n",
        selected.len(),
        options.schedules
    );
    for case in &selected {
        println!("{} — {}", case.name, case.notes);
        println!("  lesson: {}", case.lesson);
        for variant in case.variants {
            println!("  {} — {}", variant.name, variant.describe);
            let mut all_ok = true;
            for scheduler in schedulers {
                done += 1;
                eprint!(
                    "\r[{done}/{runs}] {} / {} / {scheduler}   ",
                    case.name, variant.name
                );
                let _ = std::io::stderr().flush();
                all_ok &= explore_one(case, variant, scheduler, options.schedules, &mut stats);
            }
            match variant.expect {
                Some(_) => {
                    broken += 1;
                    found += usize::from(all_ok);
                }
                None => {
                    fixed += 1;
                    clean += usize::from(all_ok);
                }
            }
        }
        println!();
    }
    eprint!("\r{:60}\r", "");
    let rate = stats.schedules as f64 / stats.time.as_secs_f64().max(1e-9);
    println!(
        "summary: {found}/{broken} broken variants found by both schedulers, \
         {clean}/{fixed} fixed variants clean; {} schedules in {} ({rate:.0} schedules/s)",
        stats.schedules,
        millis(started.elapsed())
    );
    if found == broken && clean == fixed {
        ExitCode::SUCCESS
    } else {
        println!("FAILED: a broken variant went unfound or a fixed one failed");
        ExitCode::FAILURE
    }
}
