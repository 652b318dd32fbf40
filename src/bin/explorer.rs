//! The casebook explorer: runs every case of the notes under shuttle's random and PCT
//! schedulers and shows, per variant, what was found, after how many schedules, how long it
//! took, and the failing interleaving as a table a learner can read next to the notes.
//!
//! ```text
//! cargo run --release --features shuttle                      # every case
//! cargo run --release --features shuttle -- --case lost-update
//! cargo run --release --features shuttle -- --variant broken  # every case's broken variant
//! cargo run --release --features shuttle -- --list
//! cargo run --release --features shuttle -- --case lost-update --variant broken --replay TOKEN
//! ```
//!
//! Exit status: 0 when every explored broken variant was found (with the expected kind of
//! failure) and every fixed one ran clean, or when a replay reproduced its failure; 1 when a
//! broken variant went unfound or a fixed one failed, or when a replay ran clean; 2 on a usage
//! error or a token that does not decode or does not belong to the case and variant given.
//!
//! The explorer is a thin printer over [`verisync::check`] and [`verisync::casebook`]: each
//! exploration or replay returns one `check::Report`, printed here.
//!
//! # Keeping shuttle quiet
//!
//! shuttle writes a line or two to stderr for every failure it meets (through its panic hook and
//! plain `eprintln!`, whatever its `Config` says), and the explorer meets a failure in every
//! broken variant. So the explorer runs its work in a child process, itself again with
//! `VERISYNC_EXPLORER_WORKER` set, whose stdout is the terminal's and whose stderr is a pipe
//! back to the parent. The child writes its own stderr messages as records that start with
//! [`MARK`]; the parent shows those and drops everything else, unless the child crashes, when it
//! shows the tail of what it dropped. `VERISYNC_EXPLORER_VERBOSE=1` runs everything in one
//! process with shuttle's output left on stderr. This needs neither `libc` nor `unsafe`.

use std::collections::{HashSet, VecDeque};
use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use verisync::casebook::{self, Case, Variant};
use verisync::check::{trace, Failure, FailureKind, ReplayError, Report, Scheduler, Token};

const USAGE: &str = "\
usage: verisync-explorer [--case NAME]... [--variant VARIANT] [--schedules N] [--seed S] [--list]
       verisync-explorer --case NAME --variant VARIANT --replay TOKEN

  --case NAME       explore only this case (repeatable); see --list
  --variant VARIANT explore only the variants called VARIANT (broken, fixed, ...)
  --schedules N     schedules per scheduler and variant (default 1000)
  --seed S          seed of the random and PCT schedulers (default 1)
  --list            list the cases and their variants
  --replay TOKEN    run the one schedule TOKEN encodes (printed under a failure)
  -h, --help        print this and exit

exit status: 0 all as expected (a replay reproduced its failure); 1 a broken variant
went unfound or a fixed one failed (a replay ran clean); 2 a usage error or a bad token";

/// Set in the child process that does the work.
const WORKER: &str = "VERISYNC_EXPLORER_WORKER";
/// Set by a user to run in one process with shuttle's own output visible.
const VERBOSE: &str = "VERISYNC_EXPLORER_VERBOSE";
/// Starts each of the worker's own stderr records; then `P` (progress, written as is) or `E` (a
/// line of a message).
const MARK: u8 = 0x1e;
/// How many of the lines it dropped the parent keeps, to show if the worker crashes.
const KEEP: usize = 200;

/// Where the explorer's own stderr output goes.
#[derive(Clone, Copy)]
enum Stderr {
    /// Straight to stderr (a single process).
    Direct,
    /// As marked records, for the parent to pick out of shuttle's output.
    Worker,
}

impl Stderr {
    /// Progress, redrawn in place: no newline.
    fn progress(self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = match self {
            Stderr::Direct => write!(err, "{text}"),
            Stderr::Worker => writeln!(err, "{}P{text}", MARK as char),
        };
        let _ = err.flush();
    }

    /// A message, one or more lines.
    fn message(self, text: &str) {
        let mut err = std::io::stderr().lock();
        for line in text.lines() {
            let _ = match self {
                Stderr::Direct => writeln!(err, "{line}"),
                Stderr::Worker => writeln!(err, "{}E{line}", MARK as char),
            };
        }
    }
}

struct Options {
    cases: Vec<String>,
    variant: Option<String>,
    replay: Option<String>,
    schedules: usize,
    seed: u64,
    list: bool,
    help: bool,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        cases: Vec::new(),
        variant: None,
        replay: None,
        schedules: 1000,
        seed: 1,
        list: false,
        help: false,
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
            "-h" | "--help" => o.help = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let mut cases = Vec::new();
    for name in &o.cases {
        cases.push(casebook::find(name).ok_or(format!("no case named {name:?} (see --list)"))?);
    }
    if o.replay.is_some() && (o.cases.len() != 1 || o.variant.is_none()) {
        return Err("--replay needs exactly one --case and a --variant".into());
    }
    if let Some(variant) = &o.variant {
        // A case named on the command line must have the variant; without --case, some case must.
        for case in &cases {
            if case.variant(variant).is_none() {
                let names: Vec<_> = case.variants.iter().map(|v| v.name).collect();
                return Err(format!(
                    "case {} has no variant {variant:?} (it has {})",
                    case.name,
                    names.join(", ")
                ));
            }
        }
        if cases.is_empty()
            && !casebook::cases()
                .iter()
                .any(|c| c.variant(variant).is_some())
        {
            return Err(format!("no case has a variant {variant:?} (see --list)"));
        }
    }
    Ok(o)
}

fn millis(d: Duration) -> String {
    if d < Duration::from_millis(10) {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// The learner's word for a kind of failure. In the casebook a panic is always a variant's own
/// invariant check failing because of a race (its `Variant::expect` docs say so).
fn word(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Deadlock => "deadlock",
        _ => "race",
    }
}

fn outcome_text(failure: Option<&Failure>) -> String {
    match failure {
        None => "clean".into(),
        // The checker's own words when nothing recorded who holds what; else the cycle.
        Some(f) if f.kind == FailureKind::Deadlock && f.headline().starts_with("deadlock") => {
            "deadlock: every thread waits for another".into()
        }
        Some(f) if f.kind == FailureKind::Deadlock => format!("deadlock: {}", f.headline()),
        Some(f) => f.headline().to_owned(),
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn print_failure(case: &Case, variant: &Variant, report: &Report) {
    let outcome = outcome_text(report.failure.as_ref());
    println!(
        "{}",
        indent(&trace::table(&report.trace, &outcome), "      ")
    );
    println!(
        "      in one line: {}",
        trace::line(&report.trace, &outcome)
    );
    if let Some(token) = &report.replay {
        println!(
            "      replay: cargo run --release --features shuttle -- --case {} --variant {} --replay {token}",
            case.name, variant.name
        );
    }
}

/// Explores one variant under one scheduler, prints the verdict (and the failure, the first
/// time it is shown or when it is not the one expected); returns whether it met its expectation.
fn explore_one(
    case: &Case,
    variant: &Variant,
    scheduler: Scheduler,
    schedules: usize,
    stats: &mut Stats,
) -> bool {
    let report = case.explore(variant, scheduler, schedules);
    stats.schedules += report.schedules;
    stats.time += report.elapsed;
    let ok = report.kind() == variant.expect;
    println!("{}", verdict(scheduler, &report, variant.expect));
    if report.failure.is_some() && stats.first_showing(case, variant, ok) {
        print_failure(case, variant, &report);
    }
    ok
}

/// The line saying what one scheduler found in a variant expected to fail with `expect`
/// (`None`: expected clean), marked where that is not what was expected.
fn verdict(scheduler: Scheduler, report: &Report, expect: Option<FailureKind>) -> String {
    let label = format!("{:<9}", scheduler.to_string());
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    match (report.kind(), expect) {
        (None, _) => format!(
            "    {label} clean after {} schedule{} ({}){}",
            report.schedules,
            plural(report.schedules),
            millis(report.elapsed),
            if expect.is_none() {
                ""
            } else {
                "  <- NOT FOUND"
            }
        ),
        (Some(kind), expect) => {
            let note = match expect {
                Some(e) if e == kind => String::new(),
                Some(e) => format!("  <- expected a {}", word(e)),
                None => "  <- a FIXED variant failed".into(),
            };
            let fewest = match report.preemptions {
                Some(n) => format!(", shown with {n} preemption{}, the fewest", plural(n)),
                None => String::new(),
            };
            format!(
                "    {label} {} found at schedule {} ({}){fewest}{note}",
                word(kind),
                report.schedules,
                millis(report.elapsed)
            )
        }
    }
}

/// What the explorer counts over a run.
#[derive(Default)]
struct Stats {
    schedules: usize,
    time: Duration,
    /// The variants whose failure table has been printed.
    shown: HashSet<(&'static str, &'static str)>,
    /// Broken variants found by every scheduler, of all broken variants explored.
    found: usize,
    broken: usize,
    /// Fixed variants clean under every scheduler, of all fixed variants explored.
    clean: usize,
    fixed: usize,
}

impl Stats {
    /// Whether to print a variant's failure table: the first time it fails, and whenever the
    /// failure is not the one expected (once per scheduler that met the variant suffices).
    fn first_showing(&mut self, case: &Case, variant: &Variant, ok: bool) -> bool {
        self.shown.insert((case.name, variant.name)) || !ok
    }

    /// Counts a variant that each scheduler found as expected (`true`) or not.
    fn tally(&mut self, expect: Option<FailureKind>, oks: &[bool]) {
        let all = usize::from(oks.iter().all(|&ok| ok));
        match expect {
            Some(_) => (self.broken, self.found) = (self.broken + 1, self.found + all),
            None => (self.fixed, self.clean) = (self.fixed + 1, self.clean + all),
        }
    }

    /// Every broken variant found and every fixed one clean.
    fn passed(&self) -> bool {
        self.found == self.broken && self.clean == self.fixed
    }

    /// The summary line, after `elapsed` of wall time.
    fn summary(&self, elapsed: Duration) -> String {
        let rate = self.schedules as f64 / self.time.as_secs_f64().max(1e-9);
        format!(
            "summary: {}/{} broken variants found by both schedulers, \
             {}/{} fixed variants clean; {} schedules in {} ({rate:.0} schedules/s)",
            self.found,
            self.broken,
            self.clean,
            self.fixed,
            self.schedules,
            millis(elapsed)
        )
    }
}

fn list() {
    for case in casebook::cases() {
        println!("{:<22} {}", case.name, case.notes);
        for v in case.variants {
            let expect = match v.expect {
                Some(kind) => format!("broken: a {}", word(kind)),
                None => "fixed".into(),
            };
            println!("    {:<14} {:<16} {}", v.name, expect, v.describe);
        }
    }
}

/// The case and variant a token was printed for, if it is one of the casebook's.
fn owner(token: &str) -> Option<(&'static Case, &'static Variant)> {
    let token = Token::parse(token).ok()?;
    casebook::cases().iter().find_map(|case| {
        let variant = case
            .variants
            .iter()
            .find(|v| token.belongs_to(&case.scenario(v)))?;
        Some((case, variant))
    })
}

fn replay(case: &Case, variant: &Variant, token: &str, stderr: Stderr) -> ExitCode {
    let here = format!("case {} variant {}", case.name, variant.name);
    let refuse = |text: String| {
        stderr.message(&format!("verisync-explorer: {text}"));
        ExitCode::from(2)
    };
    let report = match case.replay(variant, token) {
        Ok(report) => report,
        Err(ReplayError::Undecodable { reason }) => {
            return refuse(format!(
                "this token does not decode ({reason}); copy the whole token from a `replay:` line"
            ))
        }
        Err(ReplayError::Mismatch { .. }) => {
            let whose = match owner(token) {
                Some((c, v)) => format!("it was printed for case {} variant {}", c.name, v.name),
                None => "it was printed for no case and variant of this casebook".into(),
            };
            return refuse(format!("this token does not belong to {here}: {whose}"));
        }
        Err(ReplayError::Diverged { detail, .. }) => {
            return refuse(format!(
                "this token belongs to {here}, but its schedule no longer fits the variant \
                 ({detail}); explore it again for a fresh token"
            ))
        }
        Err(other) => return refuse(other.to_string()),
    };
    println!("{} / {}: {}", case.name, variant.name, variant.describe);
    match report.kind() {
        None => {
            println!("    the schedule ran clean: it reproduced no failure");
            ExitCode::FAILURE
        }
        Some(kind) => {
            println!("    {} reproduced ({})", word(kind), millis(report.elapsed));
            print_failure(case, variant, &report);
            ExitCode::SUCCESS
        }
    }
}

fn explore_all(options: &Options, stderr: Stderr) -> ExitCode {
    let selected: Vec<&Case> = if options.cases.is_empty() {
        casebook::cases().iter().collect()
    } else {
        options
            .cases
            .iter()
            .filter_map(|n| casebook::find(n))
            .collect()
    };
    let chosen = |case: &Case| -> Vec<&'static Variant> {
        match &options.variant {
            None => case.variants.iter().collect(),
            Some(name) => case.variant(name).into_iter().collect(),
        }
    };
    let selected: Vec<(&Case, Vec<&Variant>)> = selected
        .into_iter()
        .map(|c| (c, chosen(c)))
        .filter(|(_, vs)| !vs.is_empty())
        .collect();
    let schedulers = [
        Scheduler::Random { seed: options.seed },
        Scheduler::Pct {
            seed: options.seed,
            depth: 3,
        },
    ];
    let runs: usize = selected.iter().map(|(_, vs)| vs.len()).sum::<usize>() * schedulers.len();
    let started = Instant::now();
    let mut stats = Stats::default();
    let mut done = 0;
    println!(
        "verisync casebook: {} case(s), shuttle random + PCT, up to {} schedules each\n",
        selected.len(),
        options.schedules
    );
    for (case, variants) in &selected {
        println!("{} — {}", case.name, case.notes);
        println!("  lesson: {}", case.lesson);
        for variant in variants {
            println!("  {} — {}", variant.name, variant.describe);
            let oks: Vec<bool> = schedulers
                .iter()
                .map(|&scheduler| {
                    done += 1;
                    stderr.progress(&format!(
                        "\r[{done}/{runs}] {} / {} / {scheduler}   ",
                        case.name, variant.name
                    ));
                    explore_one(case, variant, scheduler, options.schedules, &mut stats)
                })
                .collect();
            stats.tally(variant.expect, &oks);
        }
        println!();
    }
    stderr.progress(&format!("\r{:60}\r", ""));
    println!("{}", stats.summary(started.elapsed()));
    if stats.passed() {
        ExitCode::SUCCESS
    } else {
        println!("FAILED: a broken variant went unfound or a fixed one failed");
        ExitCode::FAILURE
    }
}

/// The explorer proper: parse, then list, replay or explore.
fn work(stderr: Stderr) -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            stderr.message(&format!("verisync-explorer: {e}\n{USAGE}"));
            return ExitCode::from(2);
        }
    };
    if options.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if options.list {
        list();
        return ExitCode::SUCCESS;
    }
    match (&options.replay, &options.variant) {
        (Some(token), Some(variant)) => {
            let case = casebook::find(&options.cases[0]).expect("checked in parse");
            let variant = case.variant(variant).expect("checked in parse");
            replay(case, variant, token, stderr)
        }
        _ => explore_all(&options, stderr),
    }
}

/// Runs [`work`] in a child process and shows only the child's own stderr records (see the
/// module docs); exits as the child did.
fn supervise() -> ExitCode {
    let child = std::env::current_exe().and_then(|exe| {
        Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(WORKER, "1")
            .stdin(Stdio::inherit())
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .spawn()
    });
    let mut child = match child {
        Ok(child) => child,
        // No child process: do the work here, shuttle's output and all.
        Err(_) => return work(Stderr::Direct),
    };
    let mut dropped = VecDeque::new();
    if let Some(pipe) = child.stderr.take() {
        let mut err = std::io::stderr();
        for line in BufReader::new(pipe).split(b'\n') {
            let Ok(line) = line else { break };
            match line.split_first() {
                Some((&MARK, [b'P', text @ ..])) => {
                    let _ = err.write_all(text);
                    let _ = err.flush();
                }
                Some((&MARK, [b'E', text @ ..])) => {
                    let _ = err.write_all(text);
                    let _ = err.write_all(b"\n");
                }
                _ => keep_last(&mut dropped, String::from_utf8_lossy(&line).into_owned()),
            }
        }
    }
    let status = match child.wait() {
        Ok(status) => status,
        Err(e) => {
            eprintln!("verisync-explorer: lost the worker process: {e}");
            return ExitCode::from(101);
        }
    };
    match status.code() {
        Some(code @ 0..=2) => ExitCode::from(code as u8),
        _ => {
            eprintln!("verisync-explorer: the worker process failed ({status}); its stderr ended:");
            for line in dropped {
                eprintln!("  {line}");
            }
            ExitCode::from(101)
        }
    }
}

/// Keeps `line` and at most the [`KEEP`] - 1 lines before it.
fn keep_last(kept: &mut VecDeque<String>, line: String) {
    if kept.len() == KEEP {
        kept.pop_front();
    }
    kept.push_back(line);
}

fn main() -> ExitCode {
    if std::env::var_os(WORKER).is_some() {
        // Every broken variant panics. The default hook would capture a backtrace for each under
        // RUST_BACKTRACE (a quarter of a second for the first): say only what panicked, to the
        // parent, which shows it if this process crashes. Set before shuttle's first run, which
        // wraps whatever hook is there.
        std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
        work(Stderr::Worker)
    } else if std::env::var_os(VERBOSE).is_some() {
        work(Stderr::Direct)
    } else {
        supervise()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<Options, String> {
        parse(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn the_defaults_and_every_option_are_read() {
        let o = parsed(&[]).unwrap();
        assert!(o.cases.is_empty() && o.variant.is_none() && o.replay.is_none());
        assert_eq!(
            (o.schedules, o.seed, o.list, o.help),
            (1000, 1, false, false)
        );
        let o = parsed(&[
            "--case",
            "lost-update",
            "--case",
            "self-deadlock",
            "--variant",
            "broken",
            "--schedules",
            "7",
            "--seed",
            "9",
            "--list",
            "-h",
        ])
        .unwrap();
        assert_eq!(o.cases, ["lost-update", "self-deadlock"]);
        assert_eq!(o.variant.as_deref(), Some("broken"));
        assert_eq!((o.schedules, o.seed, o.list, o.help), (7, 9, true, true));
        assert!(parsed(&["--help"]).unwrap().help);
        let o = parsed(&[
            "--case",
            "lost-update",
            "--variant",
            "fixed",
            "--replay",
            "T",
        ])
        .unwrap();
        assert_eq!(o.replay.as_deref(), Some("T"));
    }

    #[test]
    fn a_usage_error_says_what_is_wrong() {
        let error = |args: &[&str]| parsed(args).err().expect("an error");
        assert_eq!(error(&["--case"]), "--case needs a value");
        assert_eq!(error(&["--seed"]), "--seed needs a value");
        assert!(error(&["--schedules", "many"]).starts_with("--schedules: "));
        assert!(error(&["--seed", "-1"]).starts_with("--seed: "));
        assert_eq!(
            error(&["--schedules", "0"]),
            "--schedules must be at least 1"
        );
        assert_eq!(error(&["--cases"]), "unknown argument \"--cases\"");
        assert_eq!(
            error(&["--case", "no-such"]),
            "no case named \"no-such\" (see --list)"
        );
        let needs = "--replay needs exactly one --case and a --variant";
        assert_eq!(error(&["--replay", "T"]), needs);
        assert_eq!(error(&["--case", "lost-update", "--replay", "T"]), needs);
        assert_eq!(error(&["--variant", "broken", "--replay", "T"]), needs);
        let two = ["--case", "lost-update", "--case", "self-deadlock"];
        assert_eq!(
            error(&[&two[..], &["--variant", "broken", "--replay", "T"]].concat()),
            needs
        );
        assert_eq!(
            error(&["--case", "lost-update", "--variant", "fixed-timeout"]),
            "case lost-update has no variant \"fixed-timeout\" (it has broken, fixed)"
        );
        assert_eq!(
            error(&["--variant", "nonesuch"]),
            "no case has a variant \"nonesuch\" (see --list)"
        );
        // A variant some case has is fine without --case.
        assert!(parsed(&["--variant", "fixed-timeout"]).is_ok());
    }

    #[test]
    fn times_under_10_ms_keep_two_decimals() {
        assert_eq!(millis(Duration::from_micros(1234)), "1.23 ms");
        assert_eq!(millis(Duration::from_micros(9_990)), "9.99 ms");
        assert_eq!(millis(Duration::from_millis(10)), "10 ms");
        assert_eq!(millis(Duration::from_micros(12_700)), "12 ms");
    }

    #[test]
    fn an_outcome_reads_as_a_learner_would_say_it() {
        assert_eq!(word(FailureKind::Deadlock), "deadlock");
        assert_eq!(word(FailureKind::Panic), "race");
        assert_eq!(outcome_text(None), "clean");
        let failure = |kind, message: &str| Failure::new(kind, message);
        assert_eq!(
            outcome_text(Some(&failure(
                FailureKind::Deadlock,
                "deadlock! every task blocked"
            ))),
            "deadlock: every thread waits for another"
        );
        assert_eq!(
            outcome_text(Some(&failure(
                FailureKind::Deadlock,
                "T1 holds `a` and waits for `b`\nmore"
            ))),
            "deadlock: T1 holds `a` and waits for `b`"
        );
        assert_eq!(
            outcome_text(Some(&failure(
                FailureKind::Panic,
                "balance 1, expected 2\nat x.rs"
            ))),
            "balance 1, expected 2"
        );
        assert_eq!(indent("a\nb", "  "), "  a\n  b");
    }

    #[test]
    fn a_token_names_the_case_and_variant_it_was_printed_for() {
        let case = casebook::find("check-then-act").unwrap();
        let broken = &case.variants[0];
        let found = case.explore(broken, Scheduler::Pct { seed: 3, depth: 3 }, 1000);
        let token = found.replay.expect("the broken variant is found");
        let (c, v) = owner(&token).expect("a casebook token");
        assert_eq!((c.name, v.name), ("check-then-act", "broken"));
        assert!(owner("garbage").is_none());
    }

    /// The verdict lines, on real reports judged against the expectation given: the variant's
    /// own, or another to see each mark.
    #[test]
    fn a_verdict_says_what_was_found_and_marks_the_unexpected() {
        let random = Scheduler::Random { seed: 1 };
        let lost = casebook::find("lost-update").unwrap();
        let race = lost.explore(&lost.variants[0], random, 1000);
        let line = verdict(random, &race, Some(FailureKind::Panic));
        assert!(
            line.starts_with(&format!(
                "    random    race found at schedule {} (",
                race.schedules
            )),
            "{line}"
        );
        assert!(
            line.ends_with("), shown with 1 preemption, the fewest"),
            "{line}"
        );
        let line = verdict(random, &race, Some(FailureKind::Deadlock));
        assert!(
            line.ends_with("the fewest  <- expected a deadlock"),
            "{line}"
        );
        let line = verdict(random, &race, None);
        assert!(
            line.ends_with("the fewest  <- a FIXED variant failed"),
            "{line}"
        );

        let stuck = casebook::find("self-deadlock").unwrap();
        let deadlock = stuck.explore(&stuck.variants[0], random, 1000);
        let line = verdict(random, &deadlock, Some(FailureKind::Deadlock));
        assert!(line.contains(" deadlock found at schedule "), "{line}");
        assert!(
            line.ends_with(", shown with 0 preemptions, the fewest"),
            "{line}"
        );

        for (schedules, said) in [(1, "1 schedule ("), (3, "3 schedules (")] {
            let clean = lost.explore(&lost.variants[1], random, schedules);
            let line = verdict(random, &clean, None);
            assert!(
                line.starts_with(&format!("    random    clean after {said}"))
                    && line.ends_with(')'),
                "{line}"
            );
            let line = verdict(random, &clean, Some(FailureKind::Panic));
            assert!(line.ends_with(")  <- NOT FOUND"), "{line}");
        }
    }

    #[test]
    fn a_failure_is_shown_the_first_time_and_whenever_it_is_unexpected() {
        let case = casebook::find("lost-update").unwrap();
        let (broken, fixed) = (&case.variants[0], &case.variants[1]);
        let mut stats = Stats::default();
        assert!(stats.first_showing(case, broken, true));
        assert!(!stats.first_showing(case, broken, true));
        assert!(stats.first_showing(case, broken, false));
        assert!(stats.first_showing(case, fixed, true));
    }

    #[test]
    fn the_tally_counts_a_variant_as_met_only_if_every_scheduler_met_it() {
        let mut stats = Stats::default();
        assert!(stats.passed());
        stats.tally(Some(FailureKind::Panic), &[true, true]);
        stats.tally(None, &[true, true]);
        assert!(stats.passed());
        stats.tally(Some(FailureKind::Deadlock), &[true, false]);
        assert!(!stats.passed());
        let mut fixed_failed = Stats::default();
        fixed_failed.tally(None, &[false, true]);
        assert!(!fixed_failed.passed());
        stats.schedules = 3000;
        stats.time = Duration::from_millis(1500);
        assert_eq!(
            stats.summary(Duration::from_secs(2)),
            "summary: 1/2 broken variants found by both schedulers, 1/1 fixed variants clean; \
             3000 schedules in 2000 ms (2000 schedules/s)"
        );
    }

    #[test]
    fn a_crashed_worker_s_last_lines_are_kept() {
        let mut kept = VecDeque::new();
        for n in 0..KEEP + 5 {
            keep_last(&mut kept, n.to_string());
        }
        assert_eq!(kept.len(), KEEP);
        assert_eq!(kept.front().map(String::as_str), Some("5"));
        assert_eq!(kept.back(), Some(&(KEEP + 4).to_string()));
    }
}
