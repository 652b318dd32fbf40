//! Replay tokens bound to their scenario, and why a replay can be refused.
//!
//! A token is one word of hex digits: 8 digits of a tag, the 32-bit FNV-1a hash of the
//! scenario's name (`lost-update/broken`), then shuttle's own serialisation of the schedule
//! (its format: a 0x91 magic byte, three LEB128 varints — task-id width in bits, number of steps,
//! seed — then the steps as a bit string). The tag is what lets a replay tell "a token of another
//! scenario" from "a failure": it is a guard against mistakes, not against forgery. A token is
//! decoded here completely before shuttle sees it, because shuttle's own decoder panics (or
//! indexes out of bounds) on a truncated one.

use std::fmt;
use std::str::FromStr;

/// Why a token could not be replayed. A refused token says nothing about the scenario: it is
/// never reported as a failure.
///
/// ```
/// use verisync::check::{ReplayError, Token};
/// assert!(matches!(Token::parse("garbage"), Err(ReplayError::Undecodable { .. })));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The text is not a token: not hex, too short, or not a complete shuttle schedule.
    #[error("this token does not decode: {reason}")]
    Undecodable {
        /// What is wrong with it.
        reason: String,
    },
    /// The token decodes but was recorded in another scenario (another case or variant).
    #[error("this token does not belong to scenario {scenario}")]
    Mismatch {
        /// The scenario it was replayed against.
        scenario: String,
    },
    /// The token belongs to this scenario, but the run did not follow its schedule (a thread the
    /// schedule names could not run, or the schedule ended early or was left over): the code
    /// changed since the token was printed.
    #[error(
        "this token belongs to scenario {scenario} but its schedule no longer fits it: {detail}"
    )]
    Diverged {
        /// The scenario it was replayed against.
        scenario: String,
        /// Where the run left the schedule.
        detail: String,
    },
}

/// A failing schedule bound to the scenario that produced it; what a [`Report`] carries, as
/// text, in `replay`.
///
/// ```
/// use verisync::check::Token;
/// // Recorded in scenario "demo": the tag aefd3536, then a schedule of one step (task 0).
/// let token = Token::parse("aefd3536 9101010000").unwrap();
/// assert!(token.belongs_to("demo"));
/// assert_eq!(token.to_string(), "aefd35369101010000");
/// ```
///
/// [`Report`]: super::Report
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    tag: u32,
    schedule: String,
}

const TAG_DIGITS: usize = 8;
const SCHEDULE_MAGIC: u8 = 0x91;

impl Token {
    /// Binds shuttle's serialised `schedule` to `scenario`.
    #[cfg_attr(not(all(feature = "shuttle", not(loom))), allow(dead_code))]
    pub(crate) fn new(scenario: &str, schedule: &str) -> Token {
        Token {
            tag: tag(scenario),
            schedule: schedule.chars().filter(|c| !c.is_whitespace()).collect(),
        }
    }

    /// Decodes a token's text (whitespace ignored, so a token wrapped across lines still reads).
    ///
    /// # Errors
    ///
    /// [`ReplayError::Undecodable`] when the text is not hex, is too short, or does not hold a
    /// complete schedule.
    ///
    /// ```
    /// use verisync::check::{ReplayError, Token};
    /// let err = Token::parse("12345678").unwrap_err();
    /// assert!(matches!(err, ReplayError::Undecodable { .. }));
    /// assert!(err.to_string().starts_with("this token does not decode"));
    /// ```
    pub fn parse(text: &str) -> Result<Token, ReplayError> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let undecodable = |reason: &str| ReplayError::Undecodable {
            reason: reason.to_owned(),
        };
        if text.is_empty() {
            return Err(undecodable("it is empty"));
        }
        if !text.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(undecodable("it is not hexadecimal"));
        }
        if text.len() <= TAG_DIGITS || !text.len().is_multiple_of(2) {
            return Err(undecodable("it is too short or cut off"));
        }
        let (tag_text, schedule) = text.split_at(TAG_DIGITS);
        let tag = u32::from_str_radix(tag_text, 16).map_err(|_| undecodable("bad tag"))?;
        let bytes: Vec<u8> = (0..schedule.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&schedule[i..i + 2], 16))
            .collect::<Result<_, _>>()
            .map_err(|_| undecodable("it is not hexadecimal"))?;
        check_schedule(&bytes).map_err(undecodable)?;
        Ok(Token {
            tag,
            schedule: schedule.to_ascii_lowercase(),
        })
    }

    /// `true` when this token was recorded in the scenario called `scenario`.
    ///
    /// ```
    /// use verisync::check::Token;
    /// let token = Token::parse("aefd35369101010000").unwrap();
    /// assert!(token.belongs_to("demo"));
    /// assert!(!token.belongs_to("lost-update/broken"));
    /// ```
    pub fn belongs_to(&self, scenario: &str) -> bool {
        self.tag == tag(scenario)
    }

    /// Shuttle's serialisation of the schedule, validated.
    #[cfg_attr(not(all(feature = "shuttle", not(loom))), allow(dead_code))]
    pub(crate) fn schedule(&self) -> &str {
        &self.schedule
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}{}", self.tag, self.schedule)
    }
}

impl FromStr for Token {
    type Err = ReplayError;

    fn from_str(text: &str) -> Result<Token, ReplayError> {
        Token::parse(text)
    }
}

/// FNV-1a, 32 bits: small, stable across Rust versions and platforms (std's hashers are not).
fn tag(scenario: &str) -> u32 {
    scenario.bytes().fold(0x811c_9dc5, |hash: u32, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// Checks that `bytes` hold a complete shuttle schedule (see the module docs for the format).
fn check_schedule(bytes: &[u8]) -> Result<(), &'static str> {
    let (&magic, mut rest) = bytes.split_first().ok_or("it holds no schedule")?;
    if magic != SCHEDULE_MAGIC {
        return Err("it is not a shuttle schedule (wrong version byte)");
    }
    let width = varint(&mut rest)?;
    let steps = varint(&mut rest)?;
    let _seed = varint(&mut rest)?;
    if width == 0 || width > 32 {
        return Err("its task-id width is out of range");
    }
    let bits = rest.len() as u64 * 8;
    let mut offset = 0u64;
    for _ in 0..steps {
        let byte = rest
            .get((offset / 8) as usize)
            .ok_or("its schedule is cut off")?;
        let random = byte >> (offset % 8) & 1 == 1;
        offset += if random { 1 } else { 1 + width };
        if offset > bits {
            return Err("its schedule is cut off");
        }
    }
    Ok(())
}

/// Reads one LEB128 varint (at most 64 bits) off the front of `bytes`.
fn varint(bytes: &mut &[u8]) -> Result<u64, &'static str> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first().ok_or("it is cut off")?;
        *bytes = rest;
        let low = u64::from(byte & 0x7f);
        if shift == 63 && low > 1 {
            return Err("a number in it overflows 64 bits");
        }
        value |= low << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a number in it overflows 64 bits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_through_its_text() {
        let token = Token::new("lost-update/broken", "91020cadffa88dc8b8c7b0b4010044512000");
        let text = token.to_string();
        assert_eq!(Token::parse(&text), Ok(token.clone()));
        assert!(token.belongs_to("lost-update/broken"));
        assert!(!token.belongs_to("lost-update/fixed"));
        // Wrapped across lines, as shuttle wraps long schedules, it still reads.
        let wrapped = format!("{}\n{}", &text[..10], &text[10..]);
        assert_eq!(Token::parse(&wrapped), Ok(token));
    }

    #[test]
    fn every_cut_of_a_token_is_undecodable_not_a_panic() {
        let text = Token::new("x", "91020cadffa88dc8b8c7b0b4010044512000").to_string();
        for end in 0..text.len() {
            assert!(
                matches!(
                    Token::parse(&text[..end]),
                    Err(ReplayError::Undecodable { .. })
                ),
                "{}",
                &text[..end]
            );
        }
    }

    #[test]
    fn the_tag_is_fnv_1a() {
        assert_eq!(tag(""), 0x811c_9dc5);
        assert_eq!(tag("a"), 0xe40c_292c);
    }
}
