//! Linearizability checkers side by side, on the same recorded histories: verisync's
//! `lin::check` (Wing & Gong + Lowe's memo + P-compositional split), todc-utils' `WGLChecker`
//! (Wing & Gong + Lowe's memo, over a vector of entries), stateright's `LinearizabilityTester`
//! (backtracking over per-thread histories, no memo) and the `lincheck` crate's
//! `LinearizabilityChecker` (backtracking over the happens-before graph's topological orders,
//! no memo).
//!
//! ```text
//! cargo bench --bench lin                    # 10^2 .. 10^5 operations, 5 alternating runs
//! cargo bench --bench lin -- --runs 7 --max 10000 --timeout-s 60
//! ```
//!
//! Two histories per size, each recorded once from a real run of verisync's types on four
//! threads: a `BoundedQueue` (capacity 16; two producers with `try_put`/`put_timeout`, two
//! consumers with `try_get`/`get_timeout`, distinct items) and a bank of four `Account`s
//! (deposits, withdrawals, balance reads and transfers between random accounts). todc-utils
//! and stateright are fed the history's calls and returns in time order; lincheck's recorder
//! can only stamp operations as they happen, so the history is replayed through it on four
//! threads that take turns in the recorded order (the same precedence relation; only the check
//! is timed). The four must agree on every history.
//!
//! Each run times verisync's checker in this process and each peer in a child process that
//! loads the history from `target/lin-bench/` (neither peer can be interrupted, and either can
//! run for minutes or exhaust memory on one history: the child is stopped after `--timeout-s`,
//! default 30), in turn; a check shorter than 20 ms is repeated and averaged. A peer that was
//! stopped, or whose median times 100 would pass the timeout (both grow at least
//! quadratically), is not run at the larger sizes; lincheck is not run past 10^3 operations
//! (its happens-before graph has n²/2 edges, and a queue history of 10^4 operations took it
//! past 6 GB). The table gives verisync's median time, and per peer its median time and the
//! ratio peer / verisync as median [min..max] over the runs.

#[cfg(not(any(loom, feature = "shuttle")))]
mod bench {
    use std::collections::HashMap;
    use std::hint::black_box;
    use std::io::Read as _;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::thread;
    use std::time::{Duration, Instant};

    use lincheck::recorder::Recorder as _;
    use verisync::lin::{
        self, BankOp, BankRet, BankSpec, History, QueueOp, QueueRet, QueueSpec, Recorder, Spec,
    };
    use verisync::{Account, AccountError, BoundedQueue};

    const CAPACITY: usize = 16;
    const ACCOUNTS: usize = 4;
    const OPENING: u64 = 100;

    // -----------------------------------------------------------------------------------------
    // Recording

    /// A small deterministic generator per thread (the bench needs no statistical quality).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    const WAIT: Duration = Duration::from_micros(50);

    fn record_queue(n: usize) -> History<QueueOp, QueueRet> {
        let q = Arc::new((BoundedQueue::new(CAPACITY), Recorder::new()));
        let per = n / 4;
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let q = Arc::clone(&q);
                thread::spawn(move || {
                    let (queue, rec) = &*q;
                    let mut rng = Lcg(t as u64 + 1);
                    for i in 0..per {
                        let item = (t * per + i) as u64;
                        if t < 2 {
                            if rng.below(2) == 0 {
                                rec.record(t + 1, QueueOp::TryPut(item), || {
                                    match queue.try_put(item) {
                                        Ok(()) => QueueRet::Done,
                                        Err(_) => QueueRet::Full,
                                    }
                                });
                            } else {
                                rec.record(t + 1, QueueOp::PutTimeout(item), || {
                                    match queue.put_timeout(item, WAIT) {
                                        Ok(()) => QueueRet::Done,
                                        Err(_) => QueueRet::TimedOut,
                                    }
                                });
                            }
                        } else if rng.below(2) == 0 {
                            rec.record(t + 1, QueueOp::TryGet, || match queue.try_get() {
                                Ok(v) => QueueRet::Got(v),
                                Err(_) => QueueRet::Empty,
                            });
                        } else {
                            rec.record(t + 1, QueueOp::GetTimeout, || {
                                match queue.get_timeout(WAIT) {
                                    Ok(v) => QueueRet::Got(v),
                                    Err(_) => QueueRet::TimedOut,
                                }
                            });
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        q.1.history()
    }

    fn record_bank(n: usize) -> History<BankOp, BankRet> {
        let bank = Arc::new((
            std::array::from_fn::<_, ACCOUNTS, _>(|_| Account::new(OPENING)),
            Recorder::new(),
        ));
        let per = n / 4;
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let bank = Arc::clone(&bank);
                thread::spawn(move || {
                    let (accounts, rec) = &*bank;
                    let mut rng = Lcg(t as u64 + 11);
                    let ret = |r: Result<u64, AccountError>| match r {
                        Ok(b) => BankRet::Balance(b),
                        Err(AccountError::Overdraft { .. }) => BankRet::Overdraft,
                        Err(AccountError::Overflow { .. }) => BankRet::Overflow,
                    };
                    for _ in 0..per {
                        let a = rng.below(ACCOUNTS as u64) as usize;
                        let amount = 1 + rng.below(30);
                        let op = match rng.below(4) {
                            0 => BankOp::Deposit { account: a, amount },
                            1 => BankOp::Withdraw { account: a, amount },
                            2 => BankOp::Balance { account: a },
                            _ => BankOp::Transfer {
                                from: a,
                                to: rng.below(ACCOUNTS as u64) as usize,
                                amount,
                            },
                        };
                        rec.record(t + 1, op, || match op {
                            BankOp::Deposit { account, amount } => {
                                ret(accounts[account].deposit(amount))
                            }
                            BankOp::Withdraw { account, amount } => {
                                ret(accounts[account].withdraw(amount))
                            }
                            BankOp::Balance { account } => {
                                BankRet::Balance(accounts[account].balance())
                            }
                            BankOp::Transfer { from, to, amount } => {
                                match Account::transfer(&accounts[from], &accounts[to], amount) {
                                    Ok(()) => BankRet::Done,
                                    Err(e) => ret(Err(e)),
                                }
                            }
                        });
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        bank.1.history()
    }

    // -----------------------------------------------------------------------------------------
    // The peers' views of the same specifications

    /// stateright's reference object: a step is valid where verisync's spec gives that result.
    #[derive(Clone, Debug)]
    struct Sr<S>(S);

    impl<S: Spec> stateright::semantics::SequentialSpec for Sr<S> {
        type Op = S::Op;
        type Ret = Option<S::Ret>;
        fn invoke(&mut self, op: &S::Op) -> Option<S::Ret> {
            let mut next = self.0.clone();
            let ret = next.apply(op);
            if ret.is_some() {
                self.0 = next;
            }
            ret
        }
    }

    fn stateright_check<S: Spec>(init: &S, h: &History<S::Op, S::Ret>) -> bool {
        use stateright::semantics::{ConsistencyTester, LinearizabilityTester};
        let mut events: Vec<(u64, bool, usize)> = Vec::new();
        for (i, op) in h.operations().iter().enumerate() {
            events.push((op.call, false, i));
            events.push((op.ret_at.expect("complete"), true, i));
        }
        events.sort_unstable();
        let mut tester = LinearizabilityTester::new(Sr(init.clone()));
        for (_, ret, i) in events {
            let op = &h.operations()[i];
            let fed = if ret {
                tester.on_return(op.thread, op.ret.clone()).map(|_| ())
            } else {
                tester.on_invoke(op.thread, op.op.clone()).map(|_| ())
            };
            fed.expect("a well-formed history");
        }
        tester.is_consistent()
    }

    /// lincheck's sequential spec: `Default` is the bench's initial state.
    struct Lc<S>(S);

    impl Default for Lc<QueueSpec> {
        fn default() -> Self {
            Lc(QueueSpec::new(CAPACITY))
        }
    }

    impl Default for Lc<BankSpec> {
        fn default() -> Self {
            Lc(BankSpec::new(vec![OPENING; ACCOUNTS]))
        }
    }

    impl<S: Spec> lincheck::SequentialSpec for Lc<S>
    where
        Lc<S>: Default,
    {
        type Op = S::Op;
        type Ret = Option<S::Ret>;
        fn exec(&mut self, op: S::Op) -> Option<S::Ret> {
            let mut next = self.0.clone();
            let ret = next.apply(&op);
            if ret.is_some() {
                self.0 = next;
            }
            ret
        }
    }

    /// The history replayed through lincheck's recorder: one real thread per history thread,
    /// taking turns in the recorded order of calls and returns.
    fn lincheck_execution<S: Spec>(
        h: &History<S::Op, S::Ret>,
    ) -> lincheck::Execution<S::Op, Option<S::Ret>>
    where
        S::Op: Send + Sync,
        S::Ret: Send + Sync,
    {
        let ops = h.operations();
        let mut events: Vec<(u64, bool, usize)> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            events.push((op.call, false, i));
            events.push((op.ret_at.expect("complete"), true, i));
        }
        events.sort_unstable();
        let mut turn_of: HashMap<(usize, bool), usize> = HashMap::new();
        for (k, &(_, ret, i)) in events.iter().enumerate() {
            turn_of.insert((i, ret), k);
        }
        let mut by_thread: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, op) in ops.iter().enumerate() {
            by_thread.entry(op.thread).or_default().push(i);
        }
        let recorder = lincheck::recorder::record_parallel_part();
        let turn = AtomicUsize::new(0);
        let wait = |k: usize| {
            // Acquire: pairs with the Release below, so each turn sees the previous stamps.
            while turn.load(Ordering::Acquire) != k {
                thread::yield_now();
            }
        };
        thread::scope(|s| {
            for mine in by_thread.values() {
                let mut rec = recorder.record_thread();
                let (turn, turn_of, wait) = (&turn, &turn_of, &wait);
                s.spawn(move || {
                    for &i in mine {
                        let (call, ret) = (turn_of[&(i, false)], turn_of[&(i, true)]);
                        wait(call);
                        rec.record(ops[i].op.clone(), || {
                            // Release: hands the turn on after this call's stamp.
                            turn.store(call + 1, Ordering::Release);
                            wait(ret);
                            ops[i].ret.clone()
                        });
                        // Release: as above, after the return's stamp.
                        turn.store(ret + 1, Ordering::Release);
                    }
                });
            }
        });
        recorder.finish()
    }

    /// todc-utils' specification: a type with a fixed initial state, operations that carry
    /// their result, and a step that says whether it is valid.
    struct Todc<S>(std::marker::PhantomData<S>);

    trait Initial: Spec {
        fn initial() -> Self;
    }

    impl Initial for QueueSpec {
        fn initial() -> Self {
            QueueSpec::new(CAPACITY)
        }
    }

    impl Initial for BankSpec {
        fn initial() -> Self {
            BankSpec::new(vec![OPENING; ACCOUNTS])
        }
    }

    impl<S: Initial> todc_utils::Specification for Todc<S> {
        type State = S;
        type Operation = (S::Op, S::Ret);
        fn init() -> S {
            S::initial()
        }
        fn apply((op, ret): &(S::Op, S::Ret), state: &S) -> (bool, S) {
            let mut next = state.clone();
            let valid = next.apply(op).is_some_and(|got| got == *ret);
            (valid, next)
        }
    }

    fn todc_history<S: Spec>(h: &History<S::Op, S::Ret>) -> todc_utils::History<(S::Op, S::Ret)> {
        use todc_utils::Action;
        let ops = h.operations();
        let mut events: Vec<(u64, bool, usize)> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            events.push((op.call, false, i));
            events.push((op.ret_at.expect("complete"), true, i));
        }
        events.sort_unstable();
        let actions = events
            .into_iter()
            .map(|(_, ret, i)| {
                let pair = (ops[i].op.clone(), ops[i].ret.clone().expect("complete"));
                let action = if ret {
                    Action::Response(pair)
                } else {
                    Action::Call(pair)
                };
                (ops[i].thread, action)
            })
            .collect();
        todc_utils::History::from_actions(actions)
    }

    // -----------------------------------------------------------------------------------------
    // A history on disk: a peer runs in a child process, which the bench can stop at a timeout
    // (neither peer can be interrupted, and either can run for minutes or exhaust memory).

    trait Codec: Sized {
        fn enc(&self) -> String;
        fn dec(words: &[&str]) -> Self;
    }

    fn num<T: std::str::FromStr>(w: &str) -> T {
        w.parse().ok().expect("a number written by enc")
    }

    impl Codec for QueueOp {
        fn enc(&self) -> String {
            match *self {
                QueueOp::TryPut(v) => format!("tp {v}"),
                QueueOp::PutTimeout(v) => format!("pt {v}"),
                QueueOp::TryGet => "tg".into(),
                QueueOp::GetTimeout => "gt".into(),
                other => unreachable!("the bench records no {other:?}"),
            }
        }
        fn dec(w: &[&str]) -> Self {
            match w[0] {
                "tp" => QueueOp::TryPut(num(w[1])),
                "pt" => QueueOp::PutTimeout(num(w[1])),
                "tg" => QueueOp::TryGet,
                _ => QueueOp::GetTimeout,
            }
        }
    }

    impl Codec for QueueRet {
        fn enc(&self) -> String {
            match *self {
                QueueRet::Done => "d".into(),
                QueueRet::Got(v) => format!("g {v}"),
                QueueRet::Full => "f".into(),
                QueueRet::Empty => "e".into(),
                QueueRet::TimedOut => "t".into(),
                other => unreachable!("the bench records no {other:?}"),
            }
        }
        fn dec(w: &[&str]) -> Self {
            match w[0] {
                "d" => QueueRet::Done,
                "g" => QueueRet::Got(num(w[1])),
                "f" => QueueRet::Full,
                "e" => QueueRet::Empty,
                _ => QueueRet::TimedOut,
            }
        }
    }

    impl Codec for BankOp {
        fn enc(&self) -> String {
            match *self {
                BankOp::Deposit { account, amount } => format!("d {account} {amount}"),
                BankOp::Withdraw { account, amount } => format!("w {account} {amount}"),
                BankOp::Balance { account } => format!("b {account}"),
                BankOp::Transfer { from, to, amount } => format!("t {from} {to} {amount}"),
            }
        }
        fn dec(w: &[&str]) -> Self {
            match w[0] {
                "d" => BankOp::Deposit {
                    account: num(w[1]),
                    amount: num(w[2]),
                },
                "w" => BankOp::Withdraw {
                    account: num(w[1]),
                    amount: num(w[2]),
                },
                "b" => BankOp::Balance { account: num(w[1]) },
                _ => BankOp::Transfer {
                    from: num(w[1]),
                    to: num(w[2]),
                    amount: num(w[3]),
                },
            }
        }
    }

    impl Codec for BankRet {
        fn enc(&self) -> String {
            match *self {
                BankRet::Balance(v) => format!("b {v}"),
                BankRet::Done => "d".into(),
                BankRet::Overdraft => "o".into(),
                BankRet::Overflow => "v".into(),
                BankRet::NoSuchAccount => "n".into(),
            }
        }
        fn dec(w: &[&str]) -> Self {
            match w[0] {
                "b" => BankRet::Balance(num(w[1])),
                "d" => BankRet::Done,
                "o" => BankRet::Overdraft,
                "v" => BankRet::Overflow,
                _ => BankRet::NoSuchAccount,
            }
        }
    }

    /// One operation a line: `thread call return | op | result`.
    fn save<Op: Codec, Ret: Codec>(h: &History<Op, Ret>, path: &Path) {
        let mut text = String::new();
        for o in h.operations() {
            let ret = o.ret.as_ref().expect("complete");
            let at = o.ret_at.expect("complete");
            text.push_str(&format!(
                "{} {} {at} | {} | {}\n",
                o.thread,
                o.call,
                o.op.enc(),
                ret.enc()
            ));
        }
        std::fs::write(path, text).expect("the bench writes its history under target/");
    }

    fn load<Op: Codec, Ret: Codec>(path: &Path) -> History<Op, Ret> {
        let text = std::fs::read_to_string(path).expect("the parent wrote it");
        let mut h = History::new();
        for line in text.lines() {
            let parts: Vec<Vec<&str>> = line.split(" | ").map(|p| p.split(' ').collect()).collect();
            let (t, call, at) = (num(parts[0][0]), num(parts[0][1]), num(parts[0][2]));
            h.push(t, Op::dec(&parts[1]), Ret::dec(&parts[2]), call, at)
                .expect("a well-formed history");
        }
        h
    }

    /// The child's side: check the history at `path` with `peer` once, print the time.
    fn child<S>(peer: &str, init: &S, path: &Path)
    where
        S: Initial + Send + Sync,
        S::Op: Codec + Send + Sync,
        S::Ret: Codec + Send + Sync,
        Lc<S>: Default,
    {
        let h: History<S::Op, S::Ret> = load(path);
        let (t, ok) = if peer == "stateright" {
            deep(|| time(&mut || stateright_check(init, &h)))
        } else if peer == "todc-utils" {
            let th = todc_history::<S>(&h);
            deep(|| time(&mut || todc_utils::WGLChecker::<Todc<S>>::is_linearizable(th.clone())))
        } else {
            let exec = lincheck_execution::<S>(&h);
            deep(|| time(&mut || lincheck::checker::LinearizabilityChecker::<Lc<S>>::check(&exec)))
        };
        println!("RESULT {t} {ok}");
    }

    /// The parent's side: the seconds `peer` took on the history at `path`, `None` if it ran
    /// past `timeout`. Panics if it disagrees (every history is of a correct run).
    fn peer_time(peer: &str, shape: &str, path: &Path, timeout: Duration) -> Option<f64> {
        let mut child = Command::new(std::env::current_exe().expect("the bench binary"))
            .args(["--child", peer, shape])
            .arg(path)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the bench runs itself");
        let started = Instant::now();
        loop {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            if started.elapsed() > timeout {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            thread::sleep(Duration::from_millis(5));
        }
        let mut out = String::new();
        child
            .stdout
            .take()
            .expect("piped")
            .read_to_string(&mut out)
            .expect("utf-8");
        let result = out.lines().find_map(|l| l.strip_prefix("RESULT "));
        let words: Vec<&str> = result.expect("the child reports").split(' ').collect();
        assert_eq!(
            words[1],
            "true",
            "{peer} rejects the {shape} history at {}",
            path.display()
        );
        Some(num(words[0]))
    }

    // -----------------------------------------------------------------------------------------
    // Timing

    /// Seconds per call of `f` (repeated until 20 ms have passed), and its answer.
    fn time(f: &mut dyn FnMut() -> bool) -> (f64, bool) {
        let started = Instant::now();
        let mut n = 0u32;
        let mut answer;
        loop {
            answer = black_box(f());
            n += 1;
            if started.elapsed() >= Duration::from_millis(20) {
                break;
            }
        }
        (started.elapsed().as_secs_f64() / f64::from(n), answer)
    }

    /// Runs `f` on a thread with a deep stack: both peers recurse once per operation.
    fn deep<T: Send>(f: impl FnOnce() -> T + Send) -> T {
        thread::scope(|s| {
            thread::Builder::new()
                .stack_size(4 << 30)
                .spawn_scoped(s, f)
                .expect("a thread with a 4 GiB stack reservation")
                .join()
                .expect("the checker does not panic")
        })
    }

    struct Row {
        name: String,
        ours: Vec<f64>,
        peers: Vec<(&'static str, Vec<Option<f64>>)>,
    }

    fn median(v: &[f64]) -> f64 {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    fn fmt_time(s: f64) -> String {
        match s {
            s if s >= 1.0 => format!("{s:.2} s"),
            s if s >= 1e-3 => format!("{:.2} ms", s * 1e3),
            s => format!("{:.1} µs", s * 1e6),
        }
    }

    /// Times verisync's checker in this process and each allowed peer in a child process,
    /// alternately, `runs` times; disallows a peer for the larger sizes once it times out or
    /// once 100 times its median would pass the timeout (both grow at least quadratically).
    fn measure<S>(
        shape: &'static str,
        n: usize,
        init: &S,
        h: &History<S::Op, S::Ret>,
        opts: &Opts,
        allowed: &mut HashMap<&'static str, bool>,
    ) -> Row
    where
        S: Spec + Send + Sync,
        S::Op: Codec + Send + Sync,
        S::Ret: Codec + Send + Sync,
    {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/lin-bench");
        std::fs::create_dir_all(&dir).expect("target/ is writable");
        let path = dir.join(format!("{shape}-{n}.txt"));
        save(h, &path);
        let mut row = Row {
            name: format!("{shape} {n}"),
            ours: Vec::new(),
            peers: vec![
                ("todc-utils", Vec::new()),
                ("stateright", Vec::new()),
                ("lincheck", Vec::new()),
            ],
        };
        for _ in 0..opts.runs {
            let (t, ok) = time(&mut || lin::check(init, h).is_ok());
            assert!(
                ok,
                "{}: verisync rejects a history of a correct run",
                row.name
            );
            row.ours.push(t);
            for (peer, times) in &mut row.peers {
                if allowed[*peer] && (*peer != "lincheck" || n <= 1_000) {
                    let t = peer_time(peer, shape, &path, opts.timeout);
                    times.push(t);
                    if t.is_none() {
                        allowed.insert(peer, false);
                    }
                }
            }
        }
        for (peer, times) in &row.peers {
            let done: Vec<f64> = times.iter().flatten().copied().collect();
            if !done.is_empty() && median(&done) * 100.0 > opts.timeout.as_secs_f64() {
                allowed.insert(peer, false);
            }
        }
        row
    }

    struct Opts {
        runs: usize,
        max: usize,
        timeout: Duration,
    }

    pub fn main() {
        let mut opts = Opts {
            runs: 5,
            max: 100_000,
            timeout: Duration::from_secs(30),
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.first().map(String::as_str) == Some("--child") {
            let path = Path::new(&args[3]);
            match args[2].as_str() {
                "queue" => child(&args[1], &QueueSpec::new(CAPACITY), path),
                _ => child(&args[1], &BankSpec::new(vec![OPENING; ACCOUNTS]), path),
            }
            return;
        }
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut num = || it.next().and_then(|v| v.parse::<u64>().ok());
            match a.as_str() {
                "--runs" => opts.runs = num().map_or(opts.runs, |r| r.max(1) as usize),
                "--max" => opts.max = num().map_or(opts.max, |m| m as usize),
                "--timeout-s" => opts.timeout = num().map_or(opts.timeout, Duration::from_secs),
                _ => {} // criterion-style flags from `cargo bench`
            }
        }
        let mut rows = Vec::new();
        for shape in ["queue", "bank"] {
            let mut allowed: HashMap<&'static str, bool> = [
                ("todc-utils", true),
                ("stateright", true),
                ("lincheck", true),
            ]
            .into();
            let sizes: &[usize] = if shape == "queue" {
                &[100, 1_000, 10_000, 100_000]
            } else {
                &[100, 400, 1_000, 10_000, 100_000]
            };
            for &n in sizes.iter().filter(|&&n| n <= opts.max) {
                eprintln!("{shape} {n} ...");
                rows.push(if shape == "queue" {
                    let h = record_queue(n);
                    measure(shape, n, &QueueSpec::new(CAPACITY), &h, &opts, &mut allowed)
                } else {
                    let h = record_bank(n);
                    let spec = BankSpec::new(vec![OPENING; ACCOUNTS]);
                    measure(shape, n, &spec, &h, &opts, &mut allowed)
                });
            }
        }
        println!(
            "| history | verisync | todc-utils | ratio | stateright | ratio | lincheck | ratio |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for row in &rows {
            let ours = median(&row.ours);
            let mut line = format!("| {} | {} |", row.name, fmt_time(ours));
            for (_, times) in &row.peers {
                if times.is_empty() {
                    line.push_str(" not run | — |");
                } else if times.iter().any(Option::is_none) {
                    let limit = opts.timeout.as_secs_f64();
                    line.push_str(&format!(
                        " > {limit:.0} s (stopped) | > {:.0} |",
                        limit / ours
                    ));
                } else {
                    let times: Vec<f64> = times.iter().flatten().copied().collect();
                    let mut ratios: Vec<f64> =
                        times.iter().zip(&row.ours).map(|(p, o)| p / o).collect();
                    ratios.sort_by(f64::total_cmp);
                    line.push_str(&format!(
                        " {} | **{:.1}** [{:.1}..{:.1}] |",
                        fmt_time(median(&times)),
                        median(&ratios),
                        ratios[0],
                        ratios[ratios.len() - 1]
                    ));
                }
            }
            println!("{line}");
        }
        println!(
            "({} alternating runs; ratio = peer / verisync, median [min..max]; peers stopped \
             after {} s)",
            opts.runs,
            opts.timeout.as_secs()
        );
    }
}

#[cfg(not(any(loom, feature = "shuttle")))]
fn main() {
    bench::main();
}

#[cfg(any(loom, feature = "shuttle"))]
fn main() {
    eprintln!(
        "the lin bench measures the std build: run it without --cfg loom or --features shuttle"
    );
}
