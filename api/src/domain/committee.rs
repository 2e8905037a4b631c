//! 评委会 rules with no database in sight: the national defaults (职称评审管理暂行规定, 2019), the
//! verifiable draw, and how a closed session's votes become a result.
//!
//! ## The draw (`sha256-chacha20-fisher-yates/v1`)
//!
//! Anyone holding a draw's record — the seed, the sorted candidate list and the count — recomputes
//! its output:
//!
//! 1. `key = SHA-256("zhicheng/draw/v1\n" ‖ seed ‖ "\n" ‖ candidate₁ ‖ "\n" ‖ … ‖ candidateₙ)`;
//! 2. a ChaCha20 stream (`rand_chacha::ChaCha20Rng::from_seed(key)`, 20 rounds, stream 0) gives
//!    64-bit words (`next_u64`, little-endian pairs of 32-bit words);
//! 3. a partial Fisher–Yates shuffle: for `i` in `0..count`, `j = i + below(n - i)` and swap
//!    positions `i` and `j`; `below(b)` takes words until one is under `⌊2⁶⁴ / b⌋ · b` and answers
//!    it modulo `b` (no modulo bias);
//! 4. the output is the first `count` positions, in that order.
//!
//! Nothing else is read: the same record gives the same experts on any machine, in any year.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{DomainError, Level};

/// The name stored with every draw.
pub const DRAW_ALGORITHM: &str = "sha256-chacha20-fisher-yates/v1";

/// A level's rank: an expert reviews at or below the rank of their own title.
pub fn rank(level: Level) -> u8 {
    match level {
        Level::Senior => 5,
        Level::DeputySenior => 4,
        Level::Intermediate => 3,
        Level::Assistant => 2,
        Level::Staff => 1,
    }
}

/// The national minimum of a committee session's members: 25 for 正高级, 17 for 副高级, 11 for
/// 中级 and below.
pub fn national_minimum(level: Level) -> u32 {
    match level {
        Level::Senior => 25,
        Level::DeputySenior => 17,
        Level::Intermediate | Level::Assistant | Level::Staff => 11,
    }
}

/// A share such as two thirds, compared without floating point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Fraction {
    pub numerator: u32,
    pub denominator: u32,
}

impl Fraction {
    pub const TWO_THIRDS: Fraction = Fraction { numerator: 2, denominator: 3 };

    /// A share of at least `floor` and at most the whole (a committee may be stricter than the
    /// national rule, never laxer).
    pub fn parse(numerator: u32, denominator: u32, floor: Fraction) -> Result<Self, DomainError> {
        if denominator == 0 || denominator > 1000 || numerator > denominator {
            return Err(DomainError::new("比例须在0到1之间"));
        }
        let share = Fraction { numerator, denominator };
        if !share.reaches(floor) {
            return Err(DomainError::new(format!("比例不得低于国家规定的{}/{}", floor.numerator, floor.denominator)));
        }
        Ok(share)
    }

    /// Whether `self ≥ other`.
    pub fn reaches(self, other: Fraction) -> bool {
        u64::from(self.numerator) * u64::from(other.denominator)
            >= u64::from(other.numerator) * u64::from(self.denominator)
    }

    /// Whether `part` is at least this share of `whole`.
    pub fn met_by(self, part: u32, whole: u32) -> bool {
        u64::from(part) * u64::from(self.denominator) >= u64::from(self.numerator) * u64::from(whole)
    }

    /// The fewest of `whole` that meet the share.
    pub fn least_of(self, whole: u32) -> u32 {
        (0..=whole).find(|part| self.met_by(*part, whole)).unwrap_or(whole)
    }
}

/// A committee's minimum for a level: odd and at least the national minimum.
pub fn check_minimum(level: Level, members: u32) -> Result<u32, DomainError> {
    let national = national_minimum(level);
    if members < national {
        return Err(DomainError::new(format!("{}评审会人数不得少于{}人", level.label(), national)));
    }
    if members.is_multiple_of(2) {
        return Err(DomainError::new("评审会人数须为单数"));
    }
    if members > 999 {
        return Err(DomainError::new("评审会人数过多"));
    }
    Ok(members)
}

/// Draws `count` of `candidates` (sorted, distinct) from `seed` by [`DRAW_ALGORITHM`].
pub fn draw(seed: &str, candidates: &[String], count: usize) -> Vec<String> {
    let mut hasher = Sha256::new();
    hasher.update(b"zhicheng/draw/v1\n");
    hasher.update(seed.as_bytes());
    for candidate in candidates {
        hasher.update(b"\n");
        hasher.update(candidate.as_bytes());
    }
    let key: [u8; 32] = hasher.finalize().into();
    let mut rng = ChaCha20Rng::from_seed(key);
    let mut pool: Vec<String> = candidates.to_vec();
    let count = count.min(pool.len());
    for i in 0..count {
        let j = i + below(&mut rng, (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(count);
    pool
}

/// A uniform number in `0..bound` (bound ≥ 1) by rejection, without modulo bias.
fn below(rng: &mut ChaCha20Rng, bound: u64) -> u64 {
    let zone = (u64::MAX / bound) * bound;
    loop {
        let word = rng.next_u64();
        if word < zone {
            return word % bound;
        }
    }
}

/// 同意 / 不同意 / 弃权.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Agree,
    Disagree,
    Abstain,
}

impl Choice {
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Agree => "agree",
            Choice::Disagree => "disagree",
            Choice::Abstain => "abstain",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "agree" => Some(Choice::Agree),
            "disagree" => Some(Choice::Disagree),
            "abstain" => Some(Choice::Abstain),
            _ => None,
        }
    }
}

/// A declaration's result when its session closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 评审通过.
    Passed,
    /// 评审未通过.
    Failed,
    /// 评审无效: attendance below quorum.
    Void,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Void => "void",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Passed => "评审通过",
            Outcome::Failed => "评审未通过",
            Outcome::Void => "评审无效",
        }
    }
}

/// What a closed session counted for one declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Drawn experts who may vote on it: the session's members less those who recused.
    pub eligible: u32,
    /// Those of them who voted at all (同意, 不同意 or 弃权): attendance.
    pub present: u32,
    pub agree: u32,
}

/// The session's rule: void below `quorum` of the eligible present; else passed when the 同意
/// votes reach `pass` of those present.
pub fn outcome(tally: Tally, quorum: Fraction, pass: Fraction) -> Outcome {
    if tally.present == 0 || tally.eligible == 0 || !quorum.met_by(tally.present, tally.eligible) {
        Outcome::Void
    } else if pass.met_by(tally.agree, tally.present) {
        Outcome::Passed
    } else {
        Outcome::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Fraction = Fraction::TWO_THIRDS;

    fn ids(n: usize) -> Vec<String> {
        let mut ids: Vec<String> = (0..n).map(|i| format!("expert-{i:03}")).collect();
        ids.sort();
        ids
    }

    #[test]
    fn the_national_minimums_are_the_defaults_and_must_be_odd() {
        assert_eq!(national_minimum(Level::Senior), 25);
        assert_eq!(national_minimum(Level::DeputySenior), 17);
        assert_eq!(national_minimum(Level::Intermediate), 11);
        assert_eq!(national_minimum(Level::Staff), 11);
        assert!(check_minimum(Level::Senior, 24).is_err());
        assert!(check_minimum(Level::Senior, 26).is_err());
        assert_eq!(check_minimum(Level::Senior, 25), Ok(25));
        assert!(check_minimum(Level::DeputySenior, 15).is_err());
        assert!(check_minimum(Level::Intermediate, 12).is_err());
        assert_eq!(check_minimum(Level::Intermediate, 13), Ok(13));
    }

    #[test]
    fn shares_below_two_thirds_are_refused() {
        assert!(Fraction::parse(1, 2, T).is_err());
        assert!(Fraction::parse(3, 2, T).is_err());
        assert!(Fraction::parse(2, 0, T).is_err());
        assert_eq!(Fraction::parse(3, 4, T), Ok(Fraction { numerator: 3, denominator: 4 }));
        assert_eq!(Fraction::parse(4, 6, T), Ok(Fraction { numerator: 4, denominator: 6 }));
        assert_eq!(T.least_of(11), 8);
        assert_eq!(T.least_of(15), 10);
        assert_eq!(T.least_of(9), 6);
    }

    #[test]
    fn exactly_two_thirds_passes_and_one_fewer_fails() {
        // 9 present of 11: 6 同意 is exactly two thirds.
        assert_eq!(outcome(Tally { eligible: 11, present: 9, agree: 6 }, T, T), Outcome::Passed);
        assert_eq!(outcome(Tally { eligible: 11, present: 9, agree: 5 }, T, T), Outcome::Failed);
        // 弃权 counts as present, not as 同意.
        assert_eq!(outcome(Tally { eligible: 11, present: 11, agree: 7 }, T, T), Outcome::Failed);
        assert_eq!(outcome(Tally { eligible: 11, present: 11, agree: 8 }, T, T), Outcome::Passed);
    }

    #[test]
    fn attendance_one_below_quorum_voids() {
        // 15 drawn: 10 is exactly two thirds.
        assert_eq!(outcome(Tally { eligible: 15, present: 10, agree: 10 }, T, T), Outcome::Passed);
        assert_eq!(outcome(Tally { eligible: 15, present: 9, agree: 9 }, T, T), Outcome::Void);
        // 11 drawn: two thirds is 7⅓, so 8 are needed.
        assert_eq!(outcome(Tally { eligible: 11, present: 8, agree: 8 }, T, T), Outcome::Passed);
        assert_eq!(outcome(Tally { eligible: 11, present: 7, agree: 7 }, T, T), Outcome::Void);
        assert_eq!(outcome(Tally { eligible: 11, present: 0, agree: 0 }, T, T), Outcome::Void);
        // A recusal lowers the number the quorum is taken of.
        assert_eq!(outcome(Tally { eligible: 10, present: 7, agree: 7 }, T, T), Outcome::Passed);
    }

    #[test]
    fn a_draw_is_a_function_of_its_record() {
        let candidates = ids(40);
        let first = draw("seed-a", &candidates, 11);
        assert_eq!(first.len(), 11);
        assert_eq!(first, draw("seed-a", &candidates, 11));
        let mut distinct = first.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 11, "no expert twice");
        assert!(first.iter().all(|id| candidates.contains(id)));
        assert_ne!(first, draw("seed-b", &candidates, 11), "another seed, another draw");
        let mut fewer = candidates.clone();
        fewer.pop();
        assert_ne!(first, draw("seed-a", &fewer, 11), "the candidate list is part of the record");
        // A fixed vector, so a change of the algorithm (or of rand_chacha's stream) is noticed.
        assert_eq!(draw("zhicheng", &ids(5), 3), ["expert-004", "expert-000", "expert-001"]);
    }

    #[test]
    fn every_candidate_can_be_drawn() {
        let candidates = ids(12);
        let mut seen = std::collections::HashSet::new();
        for seed in 0..200 {
            seen.extend(draw(&seed.to_string(), &candidates, 3));
        }
        assert_eq!(seen.len(), 12);
    }
}
