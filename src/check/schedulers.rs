//! verisync's own shuttle schedulers (feature `shuttle`): [`Blocks`], which makes an exploration
//! splittable into shards, and [`BoundedDfs`], which enumerates the schedules with at most `k`
//! preemptions and so finds a failing schedule with as few preemptions as possible.

use std::cell::RefCell;
use std::rc::Rc;

use shuttle::scheduler::{
    DataSource, PctScheduler, RandomScheduler, Schedule, Scheduler, Task, TaskId,
};
use shuttle_engine::scheduler::data::fixed::FixedDataSource;

/// Schedules per block: each block of an exploration is seeded on its own, so a shard can run
/// some blocks and skip the others without running them.
pub(super) const BLOCK: usize = 100;

/// The seed of block `block` of an exploration seeded `seed` (SplitMix64's finaliser: nearby
/// seeds and blocks give unrelated streams).
pub(super) fn block_seed(seed: u64, block: usize) -> u64 {
    let mut z = seed ^ (block as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Which scheduler each block runs.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    Random,
    Pct { depth: usize },
}

/// An exploration of `total` schedules cut into blocks of [`BLOCK`], block `b` run by a fresh
/// scheduler seeded [`block_seed`]`(seed, b)`; shard `index` of `count` runs the blocks
/// `b ≡ index (mod count)`. So the shards of one exploration together run exactly the schedules
/// the whole exploration runs, whatever the number of shards.
pub(super) struct Blocks {
    kind: Kind,
    seed: u64,
    total: usize,
    /// The blocks this shard runs, next first.
    todo: std::vec::IntoIter<usize>,
    inner: Option<Box<dyn Scheduler>>,
}

impl Blocks {
    pub(super) fn new(kind: Kind, seed: u64, total: usize, index: usize, count: usize) -> Self {
        let count = count.max(1);
        let blocks = total.div_ceil(BLOCK);
        let todo: Vec<usize> = (0..blocks).filter(|b| b % count == index % count).collect();
        Blocks {
            kind,
            seed,
            total,
            todo: todo.into_iter(),
            inner: None,
        }
    }

    fn next_block(&mut self) -> Option<Box<dyn Scheduler>> {
        let block = self.todo.next()?;
        let size = BLOCK.min(self.total - block * BLOCK);
        let seed = block_seed(self.seed, block);
        Some(match self.kind {
            Kind::Random => Box::new(RandomScheduler::new_from_seed(seed, size)),
            Kind::Pct { depth } => Box::new(PctScheduler::new_from_seed(seed, depth, size)),
        })
    }
}

impl Scheduler for Blocks {
    fn new_execution(&mut self) -> Option<Schedule> {
        loop {
            if let Some(inner) = self.inner.as_mut() {
                if let Some(schedule) = inner.new_execution() {
                    return Some(schedule);
                }
            }
            self.inner = Some(self.next_block()?);
        }
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        self.inner
            .as_mut()
            .and_then(|s| s.next_task(runnable, current, is_yielding))
    }

    fn next_u64(&mut self) -> u64 {
        self.inner.as_mut().map_or(0, |s| s.next_u64())
    }
}

/// One scheduling decision on the current path of a [`BoundedDfs`].
struct Choice {
    /// The tasks that could run, in the order tried: the current task first when it can go
    /// on; after a yield, only the task that the yield hands over to.
    options: Vec<TaskId>,
    /// Whether choosing each option preempts the current task.
    preempts: Vec<bool>,
    /// The option taken on this path.
    taken: usize,
    /// Preemptions on the path before this decision.
    before: usize,
}

/// What a [`BoundedDfs`] shares with its caller, which reads it between executions.
#[derive(Debug, Default)]
pub(super) struct DfsState {
    /// Preemptions of the execution running or just ended.
    pub(super) preemptions: usize,
    /// Decisions of the execution running or just ended.
    pub(super) steps: usize,
    /// Executions started.
    pub(super) executions: usize,
}

/// Depth-first search over every schedule with at most `bound` preemptions (a switch away from a
/// task that could have gone on and did not yield), tried in the order "fewest switches first"
/// at each step: the first failing schedule it meets is found with no preemption more than the
/// bound allows. Iterating the bound 0, 1, 2, … finds a failing schedule with the fewest
/// preemptions there are. Stops after `budget` executions or when the space is exhausted.
///
/// Stateless search: each execution replays the recorded path up to the deepest decision with an
/// option left, takes that option, then goes on without preempting. That needs the scenario to
/// make the same decisions each time, which shuttle requires anyway.
pub(super) struct BoundedDfs {
    bound: usize,
    budget: usize,
    path: Vec<Choice>,
    at: usize,
    started: bool,
    /// Whether an option was ever left out for exceeding the bound.
    pruned: bool,
    /// The same random draws in every execution: the search replays a recorded path, so a
    /// scenario that draws (`shuttle::rand`) must draw again what it drew.
    data: FixedDataSource,
    state: Rc<RefCell<DfsState>>,
}

impl BoundedDfs {
    pub(super) fn new(bound: usize, budget: usize, state: Rc<RefCell<DfsState>>) -> Self {
        BoundedDfs {
            bound,
            budget,
            path: Vec::new(),
            at: 0,
            started: false,
            pruned: false,
            data: FixedDataSource::initialize(0),
            state,
        }
    }

    /// Moves the path to the next schedule within the bound; `false` when none is left.
    fn advance(&mut self) -> bool {
        // Decisions past where the last execution stopped belong to no schedule.
        self.path.truncate(self.at);
        while let Some(choice) = self.path.last_mut() {
            for i in choice.taken + 1..choice.options.len() {
                if choice.before + usize::from(choice.preempts[i]) <= self.bound {
                    choice.taken = i;
                    return true;
                }
                self.pruned = true;
            }
            self.path.pop();
        }
        false
    }

    /// Whether the search left a schedule out for having more preemptions than the bound.
    pub(super) fn pruned(&self) -> bool {
        self.pruned
    }
}

impl Scheduler for BoundedDfs {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.state.borrow().executions >= self.budget {
            return None;
        }
        if std::mem::replace(&mut self.started, true) && !self.advance() {
            return None;
        }
        self.at = 0;
        let mut state = self.state.borrow_mut();
        state.executions += 1;
        state.preemptions = 0;
        state.steps = 0;
        Some(Schedule::new(self.data.reinitialize()))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let choice = if let Some(choice) = self.path.get(self.at) {
            choice
        } else {
            let mut ids: Vec<TaskId> = runnable.iter().map(|t| t.id()).collect();
            ids.sort_by_key(|&id| usize::from(id));
            let can_go_on = current.filter(|c| ids.contains(c));
            if let (Some(c), true) = (can_go_on, is_yielding) {
                // A yield asks for another thread: the next one after it in id order, and no
                // choice. Branching at every turn of a spin loop would multiply the schedules
                // without adding a distinct interleaving of the scenario's own steps.
                // After the last id, the first: `c` itself when nobody else can run.
                let after = ids.iter().position(|&id| usize::from(id) > usize::from(c));
                ids = vec![ids[after.unwrap_or(0)]];
            } else if let Some(c) = can_go_on {
                ids.retain(|&id| id != c);
                ids.insert(0, c);
            }
            // Switching away from a task that could go on and did not ask to yield.
            let preempts = ids
                .iter()
                .map(|&id| !is_yielding && can_go_on.is_some_and(|c| c != id))
                .collect();
            let before = self.state.borrow().preemptions;
            self.path.push(Choice {
                options: ids,
                preempts,
                taken: 0,
                before,
            });
            &self.path[self.at]
        };
        let next = choice.options[choice.taken];
        if !runnable.iter().any(|t| t.id() == next) {
            // The scenario did not repeat itself: stop this execution rather than guess.
            return None;
        }
        let mut state = self.state.borrow_mut();
        state.preemptions = choice.before + usize::from(choice.preempts[choice.taken]);
        state.steps += 1;
        self.at += 1;
        Some(next)
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::block_seed;

    #[test]
    fn a_block_seed_is_splitmix64_of_the_seed_and_the_block() {
        // SplitMix64 from state 0 gives these first three outputs (its published values): the
        // finaliser of block·γ, with γ its golden-ratio increment.
        assert_eq!(block_seed(0, 1), 0xe220_a839_7b1d_cdaf);
        assert_eq!(block_seed(0, 2), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(block_seed(0, 3), 0x06c4_5d18_8009_454f);
        // The seed enters by xor (reference values from a Python rendering of the same mix).
        assert_eq!(block_seed(1, 0), 0x5692_161d_100b_05e5);
        assert_eq!(block_seed(1, 1), 0xe4d9_7177_1b65_2c20);
        assert_eq!(block_seed(0xdead, 5), 0x2421_05d2_6c3d_8cc4);
    }
}
