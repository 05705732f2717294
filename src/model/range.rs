//! The range of numbers jixiao computes with: every number that enters scoring — a decimal
//! field of a document or of a reviewer's correction, a number read from a target or actual
//! text, a constant of a rule set, a formula's result — has at most
//! [`MAX_INTEGER_DIGITS`] digits before the point (its magnitude is below 10^15) and at most
//! [`MAX_FRACTION_DIGITS`] after it.
//!
//! 10^15 元 is a thousand 万亿, beyond any project's amount and far beyond any weight, score or
//! rate; below it, the sums a form needs (thousands of rows) and the conversions of the shipped
//! units (亿元 is 10^8) stay well inside the ±7.9×10^28 `rust_decimal` holds. Products and
//! quotients of two such numbers can still leave that range: scoring computes them with checked
//! operations and reports an overflow for the one document (docs/reliability.md).

use rust_decimal::Decimal;

/// Most digits before the decimal point.
pub const MAX_INTEGER_DIGITS: usize = 15;

/// Most digits after the decimal point: all that `rust_decimal` keeps.
pub const MAX_FRACTION_DIGITS: usize = 28;

/// The range in words, for messages.
pub const RANGE_TEXT: &str = "整数部分最多 15 位（绝对值小于 10^15），小数部分最多 28 位";

/// 10^15: every accepted number is below it in magnitude.
const LIMIT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// Whether a value lies within the range (magnitude below 10^15; its scale is at most 28 by
/// construction).
#[must_use]
pub fn within(value: Decimal) -> bool {
    value.abs() < LIMIT
}

/// How a plain decimal text (`-?digits(.digits)?`) stands against the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRange {
    /// Within the range.
    Within,
    /// Well formed, but with more integer or fraction digits than the range allows.
    Beyond,
    /// Not `-?digits(.digits)?`.
    Malformed,
}

/// Judges a plain decimal text by its digits, as the schema's pattern does: the integer part's
/// digits (leading zeros included) and the fraction's.
#[must_use]
pub fn judge_text(text: &str) -> TextRange {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (integer, fraction) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(integer) || fraction.is_some_and(|f| !all_digits(f)) {
        return TextRange::Malformed;
    }
    if integer.len() > MAX_INTEGER_DIGITS || fraction.is_some_and(|f| f.len() > MAX_FRACTION_DIGITS) {
        TextRange::Beyond
    } else {
        TextRange::Within
    }
}

/// Σ of decimals; `None` when the sum leaves the range `rust_decimal` holds.
pub fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, Decimal::checked_add)
}

/// A computation on one document's numbers whose result leaves the range `rust_decimal` holds
/// (about ±7.9×10^28): the document cannot be scored, and this says where and what. Scoring
/// reports it for that document alone, as it does a script that fails on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow {
    /// Rule set the document was being scored under.
    pub ruleset: String,
    /// JSON pointer of the document field the computation is about (`/indicators/3/target`).
    pub pointer: String,
    /// What was computed, with its numbers, in Chinese.
    pub what: String,
}

impl Overflow {
    /// An overflow computing `what` about the field at `pointer`, under `ruleset`.
    pub fn new(ruleset: &str, pointer: impl Into<String>, what: impl Into<String>) -> Self {
        Self {
            ruleset: ruleset.to_owned(),
            pointer: pointer.into(),
            what: what.into(),
        }
    }
}

impl std::fmt::Display for Overflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}：{}，结果超出可计算的范围（精确小数最大约 7.9×10^28；规则集 {}）",
            self.pointer, self.what, self.ruleset
        )
    }
}

impl std::error::Error for Overflow {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_ten_to_the_fifteenth() {
        assert_eq!(LIMIT, Decimal::from(1_000_000_000_000_000_i64));
        assert!(within(Decimal::from(999_999_999_999_999_i64)));
        assert!(within(Decimal::from(-999_999_999_999_999_i64)));
        assert!(!within(Decimal::from(1_000_000_000_000_000_i64)));
        assert!(!within(Decimal::MAX) && !within(Decimal::MIN));
        assert!(within(Decimal::new(1, 28)));
    }

    #[test]
    fn texts_are_judged_by_their_digits() {
        assert_eq!(judge_text("999999999999999.5"), TextRange::Within);
        assert_eq!(judge_text("-0.0000000000000000000000000001"), TextRange::Within);
        assert_eq!(judge_text("1000000000000000"), TextRange::Beyond);
        assert_eq!(judge_text("0000000000000001"), TextRange::Beyond);
        assert_eq!(judge_text("0.00000000000000000000000000001"), TextRange::Beyond);
        for bad in ["", "-", "1.", ".5", "1e5", "1,000", "+1", "١"] {
            assert_eq!(judge_text(bad), TextRange::Malformed, "{bad}");
        }
    }
}
