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

    /// A shuttle schedule of `steps` for tasks of `width` bits, then `pad` ones (that many
    /// more random steps) or zeros: its bytes, and how many bits of padding its last byte has.
    fn encode(width: u64, steps: &[Option<u64>], extra: u64, pad_ones: bool) -> (Vec<u8>, u64) {
        fn leb(mut n: u64, out: &mut Vec<u8>) {
            loop {
                let low = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    return out.push(low);
                }
                out.push(low | 0x80);
            }
        }
        let mut bits = Vec::new();
        for step in steps {
            match step {
                None => bits.push(true),
                Some(task) => {
                    bits.push(false);
                    bits.extend((0..width).map(|b| task >> b & 1 == 1));
                }
            }
        }
        let pad = (8 - bits.len() % 8) % 8;
        bits.resize(bits.len() + pad, pad_ones);
        let mut out = vec![SCHEDULE_MAGIC];
        leb(width, &mut out);
        leb(steps.len() as u64 + extra, &mut out);
        leb(300, &mut out); // the seed
        out.extend(bits.chunks(8).map(|byte| {
            (byte.iter().enumerate()).fold(0u8, |b, (i, &bit)| b | u8::from(bit) << i)
        }));
        (out, pad as u64)
    }

    #[test]
    fn a_schedule_decodes_exactly_when_its_bits_hold_every_step() {
        let crossing = [Some(17), None, Some(3), Some(30), None, None, Some(9)];
        let cases: [(u64, Vec<Option<u64>>); 6] = [
            (1, vec![Some(1), None, Some(0), None]),
            (3, vec![Some(5), Some(2)]),
            (32, [vec![Some(0xdead_beef)], vec![None; 7]].concat()),
            (5, crossing.to_vec()),
            (2, vec![]),
            (4, vec![None; 200]),
        ];
        for (width, steps) in &cases {
            let (exact, pad) = encode(*width, steps, 0, false);
            assert_eq!(check_schedule(&exact), Ok(()), "{width} {steps:?}");
            // One step more reads the zero padding as a task: it fits only if the padding
            // holds its bits.
            let (more, _) = encode(*width, steps, 1, false);
            let fits = pad > *width;
            assert_eq!(check_schedule(&more).is_ok(), fits, "{width} {steps:?} +1");
            // Padded with ones, each padding bit is a random step, and no more.
            let (ones, _) = encode(*width, steps, pad, true);
            assert_eq!(check_schedule(&ones), Ok(()), "{width} {steps:?} +{pad}");
            let (past, _) = encode(*width, steps, pad + 1, true);
            assert!(check_schedule(&past).is_err(), "{width} {steps:?} +{pad}+1");
            if !steps.is_empty() {
                let cut = &exact[..exact.len() - 1];
                assert!(check_schedule(cut).is_err(), "{width} {steps:?} cut");
            }
        }
        for width in [0, 33] {
            assert_eq!(
                check_schedule(&encode(width, &[None], 0, true).0),
                Err("its task-id width is out of range")
            );
        }
        let mut wrong = encode(1, &[None], 0, true).0;
        wrong[0] = 0x92;
        assert!(check_schedule(&wrong).is_err());
        assert!(check_schedule(&[]).is_err());
    }

    #[test]
    fn a_varint_is_leb128_of_at_most_64_bits() {
        let read = |bytes: &[u8]| {
            let mut rest = bytes;
            varint(&mut rest).map(|n| (n, rest.len()))
        };
        assert_eq!(read(&[0x05, 0x07]), Ok((5, 1)));
        assert_eq!(read(&[0xac, 0x02]), Ok((300, 0)));
        let max = [[0xff; 9].as_slice(), &[0x01]].concat();
        assert_eq!(read(&max), Ok((u64::MAX, 0)));
        let over = [[0xff; 9].as_slice(), &[0x02]].concat();
        assert_eq!(read(&over), Err("a number in it overflows 64 bits"));
        let long = [[0x80; 10].as_slice(), &[0x00]].concat();
        assert_eq!(read(&long), Err("a number in it overflows 64 bits"));
        assert_eq!(read(&[0x80]), Err("it is cut off"));
        assert_eq!(read(&[]), Err("it is cut off"));
    }

    #[test]
    fn a_token_keeps_its_schedule_in_lower_case() {
        let token = Token::parse("aefd3536 9101010000").unwrap();
        assert_eq!(token.schedule(), "9101010000");
        assert_eq!(Token::parse("AEFD35369101010000"), Ok(token.clone()));
        assert_eq!("aefd35369101010000".parse(), Ok(token));
    }

    #[test]
    fn the_tag_is_fnv_1a() {
        assert_eq!(tag(""), 0x811c_9dc5);
        assert_eq!(tag("a"), 0xe40c_292c);
    }
}
