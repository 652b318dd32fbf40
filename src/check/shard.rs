//! [`Shard`]: which part of an exploration this run takes, so that several machines can share
//! one large exploration with the standard test runner.

use std::fmt;

/// One shard of an exploration: the `index`-th (from 1) of `count` (see [`Builder::shard`](super::Builder::shard)).
///
/// ```
/// use verisync::check::Shard;
/// assert_eq!("2/4".parse::<Shard>().unwrap(), Shard::new(2, 4).unwrap());
/// assert!("5/4".parse::<Shard>().is_err() && Shard::new(0, 4).is_none());
/// assert_eq!(Shard::WHOLE.to_string(), "1/1");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    /// The whole exploration: shard 1 of 1.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Shard `index` (from 1) of `count`; `None` unless `1 <= index <= count`.
    ///
    /// ```
    /// assert!(verisync::check::Shard::new(3, 3).is_some());
    /// ```
    pub fn new(index: usize, count: usize) -> Option<Shard> {
        (1..=count)
            .contains(&index)
            .then_some(Shard { index, count })
    }

    /// Which shard, from 1.
    ///
    /// ```
    /// assert_eq!(verisync::check::Shard::new(2, 3).unwrap().index(), 2);
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// Of how many.
    ///
    /// ```
    /// assert_eq!(verisync::check::Shard::new(2, 3).unwrap().count(), 3);
    /// ```
    pub fn count(&self) -> usize {
        self.count
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `i/k`, as nextest's `--partition count:i/k` and a CI matrix write it.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("a shard is `i/k` with 1 <= i <= k, not `{s}`");
        let (i, k) = s.trim().split_once('/').ok_or_else(bad)?;
        let i = i.trim().parse().map_err(|_| bad())?;
        let k = k.trim().parse().map_err(|_| bad())?;
        Shard::new(i, k).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn a_shard_parses_prints_and_names_its_part() {
        let shard: Shard = " 2 / 3 ".parse().unwrap();
        assert_eq!((shard.index(), shard.count()), (2, 3));
        assert_eq!(shard.to_string(), "2/3");
        assert_eq!("3/3".parse(), Ok(Shard::new(3, 3).unwrap()));
        for bad in ["0/3", "4/3", "2", "a/3", "2/b", ""] {
            let refused = bad.parse::<Shard>().unwrap_err();
            assert!(refused.contains(&format!("`{bad}`")), "{refused}");
        }
    }
}
