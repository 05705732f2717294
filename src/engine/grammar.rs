//! The target grammar: what the texts in a form's 年度指标值 (target) and 实际完成值 (actual)
//! cells mean, as typed values.
//!
//! This module owns the reading of one cell text into a [`Parsed`] value — a quantity with an
//! optional comparator ("≥50个", "95%以上"), a range ("85%-90%"), a date or deadline
//! ("2021年7月前完成"), a duration ("3个工作日内"), a qualitative phrase ("有效提升"), nothing to
//! measure ("无", "/"), or a text that tries to be a value and is broken. It also owns the small
//! civil-calendar arithmetic needed to compare deadlines with completion dates, and reading the
//! unit out of an indicator name ("档案整理数量（件）" → "件").
//!
//! It returns raw typed facts only: no unit conversion, no policy, no scoring, no I/O. Decimals
//! are parsed exactly from the text (never through `f64`). Parsing never panics: any input text
//! yields some [`Parsed`].
//!
//! Semantics chosen where Chinese usage is ambiguous (each documented on the item it affects):
//! - "以上", "以下", "以内" include the stated number (as 《民法典》第一千二百五十九条 defines them);
//!   "超过", "不满", "大于", "小于", "高于", "低于" exclude it.
//! - "X日前" with a day is inclusive (by the end of that day, as official deadlines read);
//!   "X月前" / "X年前" without a day mean before that month / year begins. See [`DateRelation`].
//! - "年底", "年末", "年内" are the end of December; "上半年" the end of June; "12月初"/"上旬",
//!   "中旬", "下旬" the 10th, 20th and last day of the month.
//! - "N月" after an Arabic number is a calendar month ("3月内" = by the end of March); a span of
//!   months is written "N个月".

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::range;

/// A comparison a target states about the actual value ("≥95%": the actual must be ≥ 95%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// ≥, 不低于, 不少于, 以上 … (the stated number included).
    Ge,
    /// ＞, 大于, 高于, 超过 … (the stated number excluded).
    Gt,
    /// ≤, 不超过, 不高于, 以下, 以内 … (the stated number included).
    Le,
    /// ＜, 小于, 低于, 不满 … (the stated number excluded).
    Lt,
    /// =, 等于.
    Eq,
}

impl Comparator {
    /// Whether `lhs <comparator> rhs` holds, e.g. `Ge.holds(actual, target)` is `actual ≥ target`.
    pub fn holds(self, lhs: Decimal, rhs: Decimal) -> bool {
        match self {
            Comparator::Ge => lhs >= rhs,
            Comparator::Gt => lhs > rhs,
            Comparator::Le => lhs <= rhs,
            Comparator::Lt => lhs < rhs,
            Comparator::Eq => lhs == rhs,
        }
    }

    /// The mathematical symbol, for messages: "≥", "＞", "≤", "＜", "=".
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Ge => "≥",
            Comparator::Gt => ">",
            Comparator::Le => "≤",
            Comparator::Lt => "<",
            Comparator::Eq => "=",
        }
    }

    /// True for ≥ and ＞ (a lower bound on the actual: higher is better).
    pub fn is_lower_bound(self) -> bool {
        matches!(self, Comparator::Ge | Comparator::Gt)
    }

    /// True for ≤ and ＜ (an upper bound on the actual: lower is better).
    pub fn is_upper_bound(self) -> bool {
        matches!(self, Comparator::Le | Comparator::Lt)
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// How a written date relates to the event it dates (completion of the work).
///
/// The admissible days each relation allows are computed by [`Parsed::deadline_day`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateRelation {
    /// The event happens within the stated period: "2021年11月25日", "2021-12-03", "2021年12月".
    /// As a target, the last admissible day is the period's last day; as an actual, the event's
    /// day is taken as the period's first day (see [`Parsed::actual_day`]).
    On,
    /// Strictly before the stated period begins: "2021年7月前(完成)", "7月之前", "2022年以前".
    /// The last admissible day is the day before the period's first day (2021-06-30 for
    /// "2021年7月前"). The parser never produces `Before` for a text naming a day: "12月31日前"
    /// is read [`DateRelation::ByEnd`] (official deadlines include the named day).
    Before,
    /// No later than the last day of the stated period: "12月底前", "2021年底前", "年内",
    /// "2021年12月31日前", "上半年" (to 6月底). A date with neither year nor month ("月底前",
    /// a recurring monthly deadline) has no single last day.
    ByEnd,
    /// After the stated period ends: "2021年7月后". No last admissible day.
    After,
}

/// A calendar date as written, possibly partial: "2021年12月" has no day, "12月底前" no year.
///
/// Invariant kept by the parser: a day is only present with a month, months are 1–12 and days
/// exist in their month (29 February only when the year is unknown or a leap year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CivilDate {
    /// Year, when written ("2021年…").
    pub year: Option<i32>,
    /// Month 1–12, when written.
    pub month: Option<u32>,
    /// Day of month, when written.
    pub day: Option<u32>,
}

impl CivilDate {
    /// Ordinal day (days since 1970-01-01, see [`days_from_civil`]) of the first day of the
    /// period this date names: the day itself, the 1st of the month, or 1 January.
    ///
    /// `default_year` is used when the text named no year. `None` when the year is still unknown,
    /// when neither year nor month was written (a recurring date), or the date does not exist in
    /// the resolved year (29 February of a common year).
    pub fn first_day(&self, default_year: Option<i32>) -> Option<i64> {
        let (year, month, day) = self.resolve(default_year)?;
        days_from_civil(year, month.unwrap_or(1), day.unwrap_or(1))
    }

    /// Ordinal day of the last day of the period this date names: the day itself, the month's
    /// last day, or 31 December. `None` in the same cases as [`CivilDate::first_day`].
    pub fn last_day(&self, default_year: Option<i32>) -> Option<i64> {
        let (year, month, day) = self.resolve(default_year)?;
        let month = month.unwrap_or(12);
        let day = match day {
            Some(d) => d,
            None => days_in_month(year, month)?,
        };
        days_from_civil(year, month, day)
    }

    fn resolve(&self, default_year: Option<i32>) -> Option<(i32, Option<u32>, Option<u32>)> {
        if self.year.is_none() && self.month.is_none() {
            return None;
        }
        if self.day.is_some() && self.month.is_none() {
            return None;
        }
        Some((self.year.or(default_year)?, self.month, self.day))
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(y) = self.year {
            write!(f, "{y}年")?;
        }
        if let Some(m) = self.month {
            write!(f, "{m}月")?;
        }
        if let Some(d) = self.day {
            write!(f, "{d}日")?;
        }
        Ok(())
    }
}

/// The unit of a [`Parsed::Duration`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    /// 分钟.
    Minute,
    /// 小时.
    Hour,
    /// 天, 日, 自然日 (calendar days).
    Day,
    /// 工作日 (working days).
    WorkingDay,
    /// 周, 星期.
    Week,
    /// 个月 (and 月 after a Chinese numeral or 半: "一月内", "半月").
    Month,
    /// 年.
    Year,
}

impl DurationUnit {
    /// The Chinese unit word: "分钟", "小时", "天", "工作日", "周", "个月", "年".
    pub fn label(self) -> &'static str {
        match self {
            DurationUnit::Minute => "分钟",
            DurationUnit::Hour => "小时",
            DurationUnit::Day => "天",
            DurationUnit::WorkingDay => "工作日",
            DurationUnit::Week => "周",
            DurationUnit::Month => "个月",
            DurationUnit::Year => "年",
        }
    }
}

/// What a target or actual cell text says, as a typed value.
///
/// Produced by [`parse_value`]. Values are kept as written (a percentage keeps 100 for "100%");
/// converting units and comparing is the scorer's business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Parsed {
    /// The cell is blank (or only whitespace).
    Empty,
    /// The cell says there is nothing to measure: "无", "/", "／", "-", "—", "——", "N/A".
    Nil,
    /// A number, possibly with a comparator and a unit: "15000", "≥50个", "≤90万元", "100%",
    /// "95%以上", ">=85%", "1次/年".
    Quantity {
        /// The comparison, from the text ("≥", "不低于", "以上" …) or else from the
        /// comparator hint; `None` when neither states one.
        comparator: Option<Comparator>,
        /// The number exactly as written (100 for "100%", 374093.0 keeps its scale).
        value: Decimal,
        /// The unit written after the number ("个", "万元", "次/年"), or else the unit hint;
        /// `None` for a percentage or when neither gives one.
        unit: Option<String>,
        /// The number is a percentage ("%", "％", "百分比", "百分之…", or a "%" unit hint);
        /// [`Parsed::fraction`] gives value / 100.
        percent: bool,
    },
    /// An interval of admissible values, both ends included: "85%-90%", "85%～90%", "85-90%",
    /// "3至5个". A unit or "%" written on one end applies to both.
    Range {
        /// Lower end as written.
        low: Decimal,
        /// Upper end as written (≥ `low`).
        high: Decimal,
        /// The unit written on either end, or else the unit hint.
        unit: Option<String>,
        /// Both ends are percentages.
        percent: bool,
    },
    /// A date or deadline: "2021年7月前完成", "2021年11月25日", "2021-12-03", "12月底前".
    Date {
        /// How the event relates to the stated date.
        relation: DateRelation,
        /// The date as written (partial when the text is).
        date: CivilDate,
    },
    /// A span of time: "一个月内", "3个工作日内", "30天内", "两周内", "半年内", "≤3天".
    /// A time span with ≥ or ＞ is a [`Parsed::Quantity`] with the unit word instead.
    Duration {
        /// The text bounds the span from above ("内", "以内", "≤", "不超过"): "within".
        within: bool,
        /// Number of units (0.5 for "半", 1.5 for "一个半月").
        amount: Decimal,
        /// The unit of time.
        unit: DurationUnit,
    },
    /// A qualitative statement: "有效提升", "达成预期指标", "较好", "完成".
    Qualitative {
        /// The text with widths folded, whitespace collapsed and trailing punctuation removed.
        phrase: String,
    },
    /// The text tries to be a value but is broken: "≥", "≥abc", "12..5", "1,2,3,", "12 15".
    Unparsable {
        /// Why, in Chinese, e.g. "比较符号后缺少数值".
        reason: String,
    },
}

impl Parsed {
    /// True when the text states a bound or an interval rather than a single measured value:
    /// a quantity with ≥ ＞ ≤ ＜ (written or hinted), a range, a date with 前/底前/后, or a
    /// duration "…内". An actual value (实际完成值) that is a constraint — ">=85%" — is not
    /// a measurement. An "=" comparator is not a constraint.
    ///
    /// Parse actuals with [`parse_actual`] (no comparator hint) so that a hint meant for the
    /// target does not turn the actual into a constraint.
    pub fn is_constraint(&self) -> bool {
        match self {
            Parsed::Quantity { comparator, .. } => {
                matches!(comparator, Some(c) if *c != Comparator::Eq)
            }
            Parsed::Range { .. } => true,
            Parsed::Date { relation, .. } => *relation != DateRelation::On,
            Parsed::Duration { within, .. } => *within,
            Parsed::Empty | Parsed::Nil | Parsed::Qualitative { .. } | Parsed::Unparsable { .. } => false,
        }
    }

    /// True when the text is a single measured value: a quantity without comparator (or with
    /// "="), a date [`DateRelation::On`], or a duration not marked "内". Qualitative phrases,
    /// constraints, blanks and broken texts are not.
    pub fn is_value(&self) -> bool {
        match self {
            Parsed::Quantity { .. } | Parsed::Date { .. } | Parsed::Duration { .. } => !self.is_constraint(),
            _ => false,
        }
    }

    /// The comparator of a quantity, if any.
    pub fn comparator(&self) -> Option<Comparator> {
        match self {
            Parsed::Quantity { comparator, .. } => *comparator,
            _ => None,
        }
    }

    /// The unit of a quantity or range (written or hinted), if any.
    pub fn unit(&self) -> Option<&str> {
        match self {
            Parsed::Quantity { unit, .. } | Parsed::Range { unit, .. } => unit.as_deref(),
            _ => None,
        }
    }

    /// The number of a quantity as written (100 for "100%").
    pub fn number(&self) -> Option<Decimal> {
        match self {
            Parsed::Quantity { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// The fraction a percentage quantity stands for: 1 for "100%", 0.955 for "95.5%".
    /// `None` for anything but a percentage quantity.
    pub fn fraction(&self) -> Option<Decimal> {
        match self {
            Parsed::Quantity {
                value, percent: true, ..
            } => percent_to_fraction(*value),
            _ => None,
        }
    }

    /// The last admissible day of a deadline, as an ordinal day ([`days_from_civil`]).
    ///
    /// For [`DateRelation::On`] and [`DateRelation::ByEnd`] the last day of the stated period,
    /// for [`DateRelation::Before`] the day before the period's first day, for
    /// [`DateRelation::After`] none. `default_year` fills a missing year; `None` when the year
    /// is still unknown, the date is recurring ("月底前"), or `self` is not a date.
    pub fn deadline_day(&self, default_year: Option<i32>) -> Option<i64> {
        match self {
            Parsed::Date { relation, date } => match relation {
                DateRelation::On | DateRelation::ByEnd => date.last_day(default_year),
                DateRelation::Before => date.first_day(default_year)?.checked_sub(1),
                DateRelation::After => None,
            },
            _ => None,
        }
    }

    /// The day an actual date states, as an ordinal day ([`days_from_civil`]).
    ///
    /// Only for [`DateRelation::On`] (a "前"/"底前" date is a constraint, not a completion day).
    /// A partial date ("2021年12月") gives the first day of its period, so lateness computed from
    /// it is a lower bound. `None` when the year is unknown and no `default_year` is given.
    pub fn actual_day(&self, default_year: Option<i32>) -> Option<i64> {
        match self {
            Parsed::Date {
                relation: DateRelation::On,
                date,
            } => date.first_day(default_year),
            _ => None,
        }
    }
}

/// Days an actual completion date lies after a target deadline: positive when late, zero or
/// negative when on time ("2021年7月前完成" vs "2021年12月3日" → 156).
///
/// `None` unless `target` has a [`Parsed::deadline_day`] and `actual` an [`Parsed::actual_day`]
/// (both resolved with `default_year` when they name no year).
pub fn days_late(target: &Parsed, actual: &Parsed, default_year: Option<i32>) -> Option<i64> {
    let deadline = target.deadline_day(default_year)?;
    let done = actual.actual_day(default_year)?;
    done.checked_sub(deadline)
}

/// value / 100, exactly when the scale allows (100 → 1.00, 95.5 → 0.955).
pub fn percent_to_fraction(value: Decimal) -> Option<Decimal> {
    let mut shifted = value;
    if shifted.set_scale(value.scale() + 2).is_ok() {
        return Some(shifted);
    }
    value.checked_div(Decimal::ONE_HUNDRED)
}

/// Whether `year` is a leap year in the proleptic Gregorian calendar.
pub fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Number of days in `month` (1–12) of `year`; `None` for a month outside 1–12.
pub fn days_in_month(year: i32, month: u32) -> Option<u32> {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 => Some(if is_leap_year(year) { 29 } else { 28 }),
        _ => None,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`);
/// `None` when the date does not exist.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> Option<i64> {
    if day == 0 || day > days_in_month(year, month)? {
        return None;
    }
    let m = i64::from(month);
    let d = i64::from(day);
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The (year, month, day) of an ordinal day from [`days_from_civil`] (its inverse);
/// `None` when the year does not fit an `i32`.
pub fn civil_from_days(days: i64) -> Option<(i32, u32, u32)> {
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some((
        i32::try_from(year).ok()?,
        u32::try_from(month).ok()?,
        u32::try_from(day).ok()?,
    ))
}

/// The unit in an indicator name: its last parenthesised group, full-width （） or ASCII ().
///
/// "档案整理数量（件）" → "件", "政务服务指标检查频率（次/月）" → "次/月", "项目成本（万元）" →
/// "万元". Widths are folded ("（次／月）" → "次/月"). `None` when the name has no non-empty group.
pub fn unit_from_name(name: &str) -> Option<String> {
    // Only a closing parenthesis (ASCII or full-width) can end a unit; most names have none.
    if !name.contains([')', '）']) {
        return None;
    }
    let folded = normalize(name);
    let close = folded.rfind(')')?;
    let head = folded.get(..close)?;
    let open = head.rfind('(')?;
    let inner = head.get(open + 1..)?.trim();
    if inner.is_empty() { None } else { Some(inner.to_owned()) }
}

/// Reads the comparator a 指标性质 column (or any short text) states: "≥", ">=", "不低于",
/// "＝", "正向" (→ ≥), "反向" (→ ≤) …; `None` for "定性", "定量" and anything else.
pub fn comparator_from_text(text: &str) -> Option<Comparator> {
    let norm: String = normalize(text).chars().filter(|c| !c.is_whitespace()).collect();
    let mut cur = Cursor::new(&norm);
    if let Some(c) = cur.eat_longest(SYMBOLS).or_else(|| cur.eat_longest(WORDS)) {
        return Some(c);
    }
    if let Some(c) = cur.eat_longest(SUFFIXES).filter(|_| cur.at_end()) {
        return Some(c);
    }
    if norm.contains("正向") {
        Some(Comparator::Ge)
    } else if norm.contains("反向") {
        Some(Comparator::Le)
    } else {
        None
    }
}

/// Parses a target (年度指标值) or actual (实际完成值) cell text into a typed value.
///
/// - `unit_hint`: the unit from the indicator name's parentheses ([`unit_from_name`]) or a
///   度量单位 column ("万元", "次/月", "%"); used for a number written without a unit. A "%" or
///   "百分比" hint marks the number as a percentage.
/// - `comparator_hint`: a 指标性质 column ("≥", "=", "正向", "定性" …, see
///   [`comparator_from_text`]); used for a quantity written without a comparator.
///
/// Never panics. Plain prose is [`Parsed::Qualitative`]; a text that starts like a value (a
/// comparator symbol, a number) but does not finish like one is [`Parsed::Unparsable`].
pub fn parse_value(text: &str, unit_hint: Option<&str>, comparator_hint: Option<&str>) -> Parsed {
    parse_cache::get_or_parse(text, unit_hint, comparator_hint, parse_uncached)
}

/// [`parse_value`] without the cache.
fn parse_uncached(text: &str, unit_hint: Option<&str>, comparator_hint: Option<&str>) -> Parsed {
    let norm = normalize(text);
    if norm.is_empty() {
        return Parsed::Empty;
    }
    if is_nil(&norm) {
        return Parsed::Nil;
    }
    let hints = Hints::new(unit_hint, comparator_hint);
    if let Some(parsed) = parse_date(&norm) {
        return parsed;
    }
    if let Some(parsed) = parse_numeric(&norm, &hints) {
        return parsed;
    }
    if let Some(parsed) = parse_cn_duration(&norm, &hints) {
        return parsed;
    }
    Parsed::Qualitative {
        phrase: phrase_of(&norm),
    }
}

/// Parses an actual (实际完成值) text: [`parse_value`] without a comparator hint, so that
/// [`Parsed::is_constraint`] reflects only what the text itself says.
pub fn parse_actual(text: &str, unit_hint: Option<&str>) -> Parsed {
    parse_value(text, unit_hint, None)
}

/// A per-thread memo of [`parse_value`]: the result depends on the three texts only, and
/// forms repeat the same targets and actuals ("≥95%", "100%", "按时完成", "有效提升") from
/// project to project, so a batch run parses each distinct text once per thread. Bounded: it
/// starts afresh after [`parse_cache::CAPACITY`] distinct entries.
mod parse_cache {
    use ahash::RandomState;
    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::Parsed;

    /// Distinct (text, unit hint, comparator hint) entries kept per thread.
    pub const CAPACITY: usize = 4096;

    struct Entry {
        text: Box<str>,
        unit_hint: Option<Box<str>>,
        comparator_hint: Option<Box<str>>,
        parsed: Parsed,
    }

    #[derive(Default)]
    struct Cache {
        hasher: RandomState,
        len: usize,
        /// Keyed by the entry's hash; looked up again with ahash (SipHash cost as much as a
        /// small parse).
        buckets: HashMap<u64, Vec<Entry>, RandomState>,
    }

    thread_local! {
        static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
    }

    /// The cached result for the three texts, or `parse`'s, remembered.
    pub fn get_or_parse(
        text: &str,
        unit_hint: Option<&str>,
        comparator_hint: Option<&str>,
        parse: fn(&str, Option<&str>, Option<&str>) -> Parsed,
    ) -> Parsed {
        CACHE.with(|cache| {
            let Ok(mut cache) = cache.try_borrow_mut() else {
                return parse(text, unit_hint, comparator_hint);
            };
            let key = cache.hasher.hash_one((text, unit_hint, comparator_hint));
            let same = |e: &&Entry| {
                &*e.text == text
                    && e.unit_hint.as_deref() == unit_hint
                    && e.comparator_hint.as_deref() == comparator_hint
            };
            if let Some(hit) = cache.buckets.get(&key).and_then(|b| b.iter().find(same)) {
                return hit.parsed.clone();
            }
            let parsed = parse(text, unit_hint, comparator_hint);
            if cache.len >= CAPACITY {
                cache.buckets.clear();
                cache.len = 0;
            }
            cache.len += 1;
            cache.buckets.entry(key).or_default().push(Entry {
                text: text.into(),
                unit_hint: unit_hint.map(Into::into),
                comparator_hint: comparator_hint.map(Into::into),
                parsed: parsed.clone(),
            });
            parsed
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/// Folds full-width forms to ASCII, maps all whitespace to one space, drops zero-width
/// characters, trims, and turns "。" between digits into a decimal point (a trailing "。" is
/// sentence punctuation and is dropped).
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for ch in text.chars() {
        let mapped = match ch {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(ch) - 0xFEE0).unwrap_or(ch),
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => continue,
            '\u{2212}' | '\u{2010}' | '\u{2011}' | '\u{FE63}' => '-',
            '\u{FE6A}' => '%',
            '\u{301C}' => '~',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if mapped == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(mapped);
            last_space = false;
        }
    }
    let mut trimmed = out.trim().to_owned();
    while let Some(stripped) = trimmed.strip_suffix('。') {
        trimmed = stripped.trim_end().to_owned();
    }
    // "１２３。５" → "123.5": an ideographic full stop between digits is a decimal point.
    let chars: Vec<char> = trimmed.chars().collect();
    let mut result = String::with_capacity(trimmed.len());
    for (i, ch) in chars.iter().enumerate() {
        let prev_digit = i
            .checked_sub(1)
            .and_then(|p| chars.get(p))
            .is_some_and(char::is_ascii_digit);
        let next_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if *ch == '。' && prev_digit && next_digit {
            result.push('.');
        } else {
            result.push(*ch);
        }
    }
    result
}

fn is_nil(norm: &str) -> bool {
    if norm == "无" || norm.eq_ignore_ascii_case("n/a") || norm.eq_ignore_ascii_case("na") {
        return true;
    }
    norm.chars()
        .all(|c| matches!(c, '/' | '\\' | '-' | '—' | '–' | '―' | '─' | '_'))
}

fn phrase_of(norm: &str) -> String {
    norm.trim_end_matches(['.', '!', '?', ';', ',', '、'])
        .trim_end()
        .to_owned()
}

struct Hints {
    comparator: Option<Comparator>,
    unit: Option<String>,
    percent: bool,
}

impl Hints {
    fn new(unit_hint: Option<&str>, comparator_hint: Option<&str>) -> Self {
        let comparator = comparator_hint.and_then(comparator_from_text);
        let unit = unit_hint
            .map(|u| normalize(u).chars().filter(|c| !c.is_whitespace()).collect::<String>())
            .filter(|u| !u.is_empty());
        let percent = unit.as_deref().is_some_and(|u| u == "%" || u == "百分比");
        Hints {
            comparator,
            unit: if percent { None } else { unit },
            percent,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const SYMBOLS: &[(&str, Comparator)] = &[
    (">=", Comparator::Ge),
    ("=>", Comparator::Ge),
    ("≥", Comparator::Ge),
    ("≧", Comparator::Ge),
    ("⩾", Comparator::Ge),
    ("≮", Comparator::Ge),
    ("<=", Comparator::Le),
    ("=<", Comparator::Le),
    ("≤", Comparator::Le),
    ("≦", Comparator::Le),
    ("⩽", Comparator::Le),
    ("≯", Comparator::Le),
    (">", Comparator::Gt),
    ("<", Comparator::Lt),
    ("==", Comparator::Eq),
    ("=", Comparator::Eq),
    // A box-drawing double line some exports put for "=" (issue 12: "═100%").
    ("═", Comparator::Eq),
];

const WORDS: &[(&str, Comparator)] = &[
    ("大于等于", Comparator::Ge),
    ("大于或等于", Comparator::Ge),
    ("不低于", Comparator::Ge),
    ("不少于", Comparator::Ge),
    ("不小于", Comparator::Ge),
    ("至少", Comparator::Ge),
    ("最少", Comparator::Ge),
    ("达到", Comparator::Ge),
    ("小于等于", Comparator::Le),
    ("小于或等于", Comparator::Le),
    ("不高于", Comparator::Le),
    ("不超过", Comparator::Le),
    ("不大于", Comparator::Le),
    ("不多于", Comparator::Le),
    ("最多", Comparator::Le),
    ("至多", Comparator::Le),
    ("大于", Comparator::Gt),
    ("高于", Comparator::Gt),
    ("多于", Comparator::Gt),
    ("超过", Comparator::Gt),
    ("小于", Comparator::Lt),
    ("低于", Comparator::Lt),
    ("少于", Comparator::Lt),
    ("不满", Comparator::Lt),
    ("等于", Comparator::Eq),
];

const SUFFIXES: &[(&str, Comparator)] = &[
    ("及以上", Comparator::Ge),
    ("以上", Comparator::Ge),
    ("及以下", Comparator::Le),
    ("以下", Comparator::Le),
    ("及以内", Comparator::Le),
    ("以内", Comparator::Le),
    ("之内", Comparator::Le),
    ("内", Comparator::Le),
];

const PERCENT: &[(&str, ())] = &[("%", ()), ("百分比", ())];

const RANGE_SEPS: &[(&str, ())] = &[
    ("-", ()),
    ("~", ()),
    ("—", ()),
    ("——", ()),
    ("–", ()),
    ("至", ()),
    ("到", ()),
];

/// Words that may close a value or date ("2021年7月前完成", "100%完成", "30天内办结").
const VERBS: &[(&str, ())] = &[
    ("完成", ()),
    ("完工", ()),
    ("达标", ()),
    ("到位", ()),
    ("办结", ()),
    ("完毕", ()),
    ("验收", ()),
    ("交付", ()),
    ("上线", ()),
];

/// Characters that end a unit word.
const UNIT_STOP: &[char] = &[
    '-', '~', '—', '–', '―', '<', '>', '=', '≥', '≤', '≧', '≦', '%', ',', ';', ':', '、', '.', '(', ')', '!', '?', '"',
    '\'', '至',
];

/// Longest unit word accepted after a number ("千瓦时/年" is 5); longer text is prose.
const MAX_UNIT_CHARS: usize = 6;

/// Duration unit words after an Arabic number (a leading "个" is stripped first).
const DURATION_UNITS: &[(&str, DurationUnit)] = &[
    ("分钟", DurationUnit::Minute),
    ("小时", DurationUnit::Hour),
    ("天", DurationUnit::Day),
    ("日", DurationUnit::Day),
    ("自然日", DurationUnit::Day),
    ("日历日", DurationUnit::Day),
    ("工作日", DurationUnit::WorkingDay),
    ("周", DurationUnit::Week),
    ("星期", DurationUnit::Week),
    ("年", DurationUnit::Year),
];

/// Duration unit words after a Chinese numeral, where "月" alone means a month's span.
const CN_DURATION_UNITS: &[(&str, DurationUnit)] = &[
    ("分钟", DurationUnit::Minute),
    ("小时", DurationUnit::Hour),
    ("天", DurationUnit::Day),
    ("日", DurationUnit::Day),
    ("自然日", DurationUnit::Day),
    ("日历日", DurationUnit::Day),
    ("工作日", DurationUnit::WorkingDay),
    ("周", DurationUnit::Week),
    ("星期", DurationUnit::Week),
    ("月", DurationUnit::Month),
    ("年", DurationUnit::Year),
];

// ---------------------------------------------------------------------------------------------
// Cursor

struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    fn new(s: &str) -> Self {
        Cursor {
            chars: s.chars().collect(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(i, c)| self.peek_at(i) == Some(c))
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.starts_with(s) {
            self.pos += s.chars().count();
            true
        } else {
            false
        }
    }

    /// Matches the longest table entry at the cursor without consuming it.
    fn match_longest<T: Copy>(&self, table: &[(&str, T)]) -> Option<(usize, T)> {
        table
            .iter()
            .filter(|(word, _)| self.starts_with(word))
            .map(|(word, value)| (word.chars().count(), *value))
            .max_by_key(|(len, _)| *len)
    }

    fn eat_longest<T: Copy>(&mut self, table: &[(&str, T)]) -> Option<T> {
        let (len, value) = self.match_longest(table)?;
        self.pos += len;
        Some(value)
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn rest(&self) -> String {
        self.chars.get(self.pos..).unwrap_or_default().iter().collect()
    }

    fn eat_verbs(&mut self) {
        while self.eat_longest(VERBS).is_some() {}
    }

    /// Exactly `n` ASCII digits not followed by another digit.
    fn fixed_digits(&mut self, n: usize) -> Option<u32> {
        let start = self.pos;
        let mut value: u32 = 0;
        for _ in 0..n {
            let d = self.peek().and_then(|c| c.to_digit(10));
            match d {
                Some(d) => {
                    value = value * 10 + d;
                    self.pos += 1;
                }
                None => {
                    self.pos = start;
                    return None;
                }
            }
        }
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos = start;
            return None;
        }
        Some(value)
    }

    /// One or two ASCII digits not followed by another digit.
    fn small_number(&mut self) -> Option<u32> {
        self.fixed_digits(2).or_else(|| self.fixed_digits(1))
    }

    /// Whether a number (with optional sign) starts `offset` chars ahead, after spaces.
    fn number_follows(&self, offset: usize) -> bool {
        let mut i = offset;
        while self.peek_at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        if matches!(self.peek_at(i), Some('-' | '+')) {
            i += 1;
        }
        match self.peek_at(i) {
            Some(c) if c.is_ascii_digit() => true,
            Some('.') => self.peek_at(i + 1).is_some_and(|c| c.is_ascii_digit()),
            _ => false,
        }
    }

    /// An Arabic number: optional sign, digits with optional thousands separators, optional
    /// fraction. `None` (cursor unchanged) when no number starts here.
    fn number(&mut self) -> Option<Result<Decimal, String>> {
        if !self.number_follows(0) || self.peek().is_some_and(char::is_whitespace) {
            return None;
        }
        let mut literal = String::new();
        match self.peek() {
            Some('-') => {
                literal.push('-');
                self.pos += 1;
            }
            Some('+') => self.pos += 1,
            _ => {}
        }
        let mut int_digits = String::new();
        let mut groups: Vec<usize> = Vec::new();
        let mut group_len = 0usize;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                int_digits.push(c);
                group_len += 1;
                self.pos += 1;
            } else if c == ',' && group_len > 0 {
                if !self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
                    let reason = if groups.is_empty() {
                        "数值中的逗号位置不正确"
                    } else {
                        "千位分隔符位置不正确"
                    };
                    return Some(Err(reason.to_owned()));
                }
                groups.push(group_len);
                group_len = 0;
                self.pos += 1;
            } else {
                break;
            }
        }
        if !groups.is_empty() {
            groups.push(group_len);
            let first_ok = groups.first().is_some_and(|g| (1..=3).contains(g));
            let rest_ok = groups.iter().skip(1).all(|g| *g == 3);
            if !first_ok || !rest_ok {
                return Some(Err("千位分隔符位置不正确".to_owned()));
            }
        }
        let mut frac_digits = String::new();
        if self.peek() == Some('.') {
            if self.peek_at(1) == Some('.') {
                return Some(Err("数值中小数点重复".to_owned()));
            }
            self.pos += 1;
            while let Some(c) = self.peek().filter(char::is_ascii_digit) {
                frac_digits.push(c);
                self.pos += 1;
            }
            if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
                return Some(Err("数值中有多个小数点".to_owned()));
            }
            if self.peek() == Some(',') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
                return Some(Err("千位分隔符位置不正确".to_owned()));
            }
        }
        if int_digits.is_empty() {
            literal.push('0');
        } else {
            literal.push_str(&int_digits);
        }
        if !frac_digits.is_empty() {
            literal.push('.');
            literal.push_str(&frac_digits);
        }
        let value = match Decimal::from_str_exact(&literal) {
            Ok(value) => value,
            Err(_) => return Some(Err("数值超出可精确表示的范围（最多28位有效数字）".to_owned())),
        };
        // Within rust_decimal, but beyond what scoring computes with (a unit factor could not
        // convert it): the same range as a document's decimal fields.
        if int_digits.len() > range::MAX_INTEGER_DIGITS {
            return Some(Err(format!(
                "数值的整数部分超过 {} 位，超出可计算的范围",
                range::MAX_INTEGER_DIGITS
            )));
        }
        Some(Ok(value))
    }

    /// A unit word after a number: "个", "万元", "次/年", "(件)". Stops before range signs,
    /// comparator suffixes ("以上", "以内" …), closing verbs ("完成" …), digits and spaces.
    fn unit(&mut self) -> Option<String> {
        if self.peek() == Some('(') {
            let start = self.pos;
            self.pos += 1;
            let mut inner = String::new();
            while let Some(c) = self.peek() {
                self.pos += 1;
                if c == ')' {
                    let inner = inner.trim().to_owned();
                    if !inner.is_empty() && !inner.chars().any(|c| c.is_ascii_digit()) {
                        return Some(inner);
                    }
                    break;
                }
                inner.push(c);
            }
            self.pos = start;
            return None;
        }
        let mut unit = String::new();
        while let Some(c) = self.peek() {
            if c.is_whitespace() || c.is_ascii_digit() || UNIT_STOP.contains(&c) {
                break;
            }
            if unit.is_empty() && c == '/' {
                break;
            }
            if self.match_longest(SUFFIXES).is_some() || self.match_longest(VERBS).is_some() {
                break;
            }
            if c == '到' && self.number_follows(1) {
                break;
            }
            unit.push(c);
            self.pos += 1;
        }
        if unit.is_empty() { None } else { Some(unit) }
    }

    /// A Chinese numeral ("一", "两", "十二", "一百零五") or "半"; at most 8 characters.
    fn cn_number(&mut self) -> Option<Decimal> {
        let start = self.pos;
        let mut total: u64 = 0;
        let mut current: u64 = 0;
        let mut seen = false;
        while let Some(c) = self.peek() {
            let digit = match c {
                '零' | '〇' => Some(0),
                '一' => Some(1),
                '二' | '两' => Some(2),
                '三' => Some(3),
                '四' => Some(4),
                '五' => Some(5),
                '六' => Some(6),
                '七' => Some(7),
                '八' => Some(8),
                '九' => Some(9),
                _ => None,
            };
            let multiplier = match c {
                '十' => Some(10),
                '百' => Some(100),
                '千' => Some(1000),
                _ => None,
            };
            if let Some(d) = digit {
                current = d;
            } else if let Some(m) = multiplier {
                let base = if current == 0 { 1 } else { current };
                total += base * m;
                current = 0;
            } else {
                break;
            }
            seen = true;
            self.pos += 1;
            if self.pos - start > 8 {
                self.pos = start;
                return None;
            }
        }
        if seen {
            return Some(Decimal::from(total + current));
        }
        if self.eat("半") {
            return Some(Decimal::new(5, 1));
        }
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Dates

fn unparsable(reason: impl Into<String>) -> Parsed {
    Parsed::Unparsable { reason: reason.into() }
}

/// Relation words after a day ("25日前" is inclusive: by the end of the 25th).
const DAY_RELATIONS: &[(&str, DateRelation)] = &[
    ("前", DateRelation::ByEnd),
    ("之前", DateRelation::ByEnd),
    ("以前", DateRelation::ByEnd),
    ("内", DateRelation::ByEnd),
    ("以内", DateRelation::ByEnd),
    ("之内", DateRelation::ByEnd),
    ("后", DateRelation::After),
    ("之后", DateRelation::After),
    ("以后", DateRelation::After),
];

/// Relation words after a month ("7月前" = before July begins; "12月底前" = by 31 December).
const MONTH_RELATIONS: &[(&str, DateRelation)] = &[
    ("前", DateRelation::Before),
    ("之前", DateRelation::Before),
    ("以前", DateRelation::Before),
    ("底", DateRelation::ByEnd),
    ("底前", DateRelation::ByEnd),
    ("底之前", DateRelation::ByEnd),
    ("底以前", DateRelation::ByEnd),
    ("末", DateRelation::ByEnd),
    ("末前", DateRelation::ByEnd),
    ("内", DateRelation::ByEnd),
    ("以内", DateRelation::ByEnd),
    ("之内", DateRelation::ByEnd),
    ("份内", DateRelation::ByEnd),
    ("份前", DateRelation::Before),
    ("份", DateRelation::On),
    ("后", DateRelation::After),
    ("之后", DateRelation::After),
    ("以后", DateRelation::After),
];

/// Relation words after "YYYY年" with no month ("2022年前" = by 31 December 2021).
const YEAR_RELATIONS: &[(&str, DateRelation)] = &[
    ("前", DateRelation::Before),
    ("之前", DateRelation::Before),
    ("以前", DateRelation::Before),
    ("后", DateRelation::After),
    ("之后", DateRelation::After),
    ("以后", DateRelation::After),
];

/// Period words after "YYYY年" (or "年…" without a year): the month whose end they name.
const YEAR_PERIODS: &[(&str, u32)] = &[
    ("底", 12),
    ("底前", 12),
    ("底之前", 12),
    ("底以前", 12),
    ("末", 12),
    ("末前", 12),
    ("内", 12),
    ("以内", 12),
    ("之内", 12),
    ("度内", 12),
    ("终", 12),
    ("中", 6),
];

/// Period words that start a date with no year ("年底前", "上半年", "月底前").
const BARE_PERIODS: &[(&str, Option<u32>)] = &[
    ("年底", Some(12)),
    ("年底前", Some(12)),
    ("年底之前", Some(12)),
    ("年底以前", Some(12)),
    ("年末", Some(12)),
    ("年末前", Some(12)),
    ("年内", Some(12)),
    ("年度内", Some(12)),
    ("本年内", Some(12)),
    ("本年度内", Some(12)),
    ("本年底前", Some(12)),
    ("当年", Some(12)),
    ("年中", Some(6)),
    ("上半年", Some(6)),
    ("下半年", Some(12)),
    ("月底", None),
    ("月底前", None),
    ("月末", None),
    ("每月底前", None),
    ("每月末", None),
];

/// Parts of a month ("12月上旬", "12月初"): read as [`DateRelation::ByEnd`] of the part's last
/// day (10th, 20th, month end).
const TEN_DAY_PERIODS: &[(&str, Option<u32>)] =
    &[("初", Some(10)), ("上旬", Some(10)), ("中旬", Some(20)), ("下旬", None)];

/// Half-year words after "YYYY年".
const HALF_YEARS: &[(&str, u32)] = &[("上半年", 6), ("下半年", 12), ("年中", 6), ("年底", 12)];

const PERIOD_TAILS: &[(&str, ())] = &[
    ("前", ()),
    ("之前", ()),
    ("以前", ()),
    ("内", ()),
    ("末", ()),
    ("底", ()),
];

fn is_plausible_year(year: u32) -> bool {
    (1900..=2199).contains(&year)
}

/// A date text, or `None` when the text is not shaped like one.
fn parse_date(norm: &str) -> Option<Parsed> {
    let compact: String = norm.chars().filter(|c| !c.is_whitespace()).collect();
    let mut cur = Cursor::new(&compact);
    let _ = cur.eat("于") || cur.eat("在");
    let start = cur.pos;
    if let Some(parsed) = numeric_date(&mut cur) {
        return Some(parsed);
    }
    cur.pos = start;
    cjk_date(&mut cur)
}

/// "2021-12-03", "2021/12/3", "2021.12.3", "2021-12" (not "2021.12": that is a decimal).
fn numeric_date(cur: &mut Cursor) -> Option<Parsed> {
    let year = cur.fixed_digits(4).filter(|y| is_plausible_year(*y))?;
    let sep = cur.peek().filter(|c| matches!(c, '-' | '/' | '.'))?;
    cur.pos += 1;
    let month = cur.small_number()?;
    let day = if cur.peek() == Some(sep) {
        cur.pos += 1;
        Some(cur.small_number()?)
    } else {
        None
    };
    if sep == '.' && day.is_none() {
        return None;
    }
    let relation = match day {
        Some(_) => cur.eat_longest(DAY_RELATIONS),
        None => cur.eat_longest(MONTH_RELATIONS),
    }
    .unwrap_or(DateRelation::On);
    cur.eat_verbs();
    if !cur.at_end() {
        return None;
    }
    Some(checked_date(relation, i32::try_from(year).ok(), Some(month), day))
}

/// "2021年7月前完成", "2021年11月25日", "12月底前", "2021年底前", "年底前", "上半年".
fn cjk_date(cur: &mut Cursor) -> Option<Parsed> {
    let pos0 = cur.pos;
    let year = match cur.fixed_digits(4) {
        Some(y) if is_plausible_year(y) && cur.eat("年") => i32::try_from(y).ok(),
        _ => {
            cur.pos = pos0;
            None
        }
    };
    if year.is_some() {
        let half = cur.eat_longest(HALF_YEARS);
        let period = half.or_else(|| cur.eat_longest(YEAR_PERIODS));
        if let Some(month) = period {
            if half.is_some() {
                cur.eat_longest(PERIOD_TAILS);
            }
            cur.eat_verbs();
            return cur
                .at_end()
                .then(|| checked_date(DateRelation::ByEnd, year, Some(month), None));
        }
    } else if let Some(month) = cur.eat_longest(BARE_PERIODS) {
        cur.eat_longest(PERIOD_TAILS);
        cur.eat_verbs();
        return cur
            .at_end()
            .then(|| checked_date(DateRelation::ByEnd, None, month, None));
    }
    if year.is_some() {
        // "2021年度": the budget year itself.
        let _ = cur.eat("度");
    }
    let before_month = cur.pos;
    let month = match cur.small_number() {
        Some(m) if cur.eat("月") => Some(m),
        _ => {
            cur.pos = before_month;
            None
        }
    };
    let relation;
    let mut day = None;
    if month.is_some() {
        let before_day = cur.pos;
        day = match cur.small_number() {
            Some(d) if cur.eat("日") || cur.eat("号") => Some(d),
            _ => {
                cur.pos = before_day;
                None
            }
        };
        if day.is_none() {
            if let Some(bound) = cur.eat_longest(TEN_DAY_PERIODS) {
                day = bound;
                cur.eat_longest(PERIOD_TAILS);
                cur.eat_verbs();
                return cur
                    .at_end()
                    .then(|| checked_date(DateRelation::ByEnd, year, month, day));
            }
        }
        relation = match day {
            Some(_) => cur.eat_longest(DAY_RELATIONS),
            None => cur.eat_longest(MONTH_RELATIONS),
        }
        .unwrap_or(DateRelation::On);
    } else if year.is_some() {
        relation = cur.eat_longest(YEAR_RELATIONS).unwrap_or(DateRelation::On);
    } else {
        return None;
    }
    cur.eat_verbs();
    if !cur.at_end() {
        return None;
    }
    Some(checked_date(relation, year, month, day))
}

/// Builds a date after checking its month and day exist (29 February needs a leap or
/// unknown year).
fn checked_date(relation: DateRelation, year: Option<i32>, month: Option<u32>, day: Option<u32>) -> Parsed {
    if let Some(m) = month {
        if !(1..=12).contains(&m) {
            return unparsable(format!("月份无效：{m}月"));
        }
        if let Some(d) = day {
            let max = days_in_month(year.unwrap_or(2000), m).unwrap_or(31);
            if d == 0 || d > max {
                return unparsable(format!("日期不存在：{m}月{d}日"));
            }
        }
    }
    Parsed::Date {
        relation,
        date: CivilDate { year, month, day },
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers, ranges, Arabic-numeral durations

/// A numeric text (quantity, range or Arabic-numeral duration); `None` when the text does not
/// start like a number (it may then be prose).
fn parse_numeric(norm: &str, hints: &Hints) -> Option<Parsed> {
    let mut cur = Cursor::new(norm);
    let _ = cur.eat("在");
    let symbol = cur.eat_longest(SYMBOLS);
    let word = if symbol.is_none() { cur.eat_longest(WORDS) } else { None };
    let prefix = symbol.or(word);
    cur.skip_ws();
    let pre_percent = cur.eat("百分之");
    let yuan = !pre_percent && (cur.eat("¥") || cur.eat("￥"));
    let first = match cur.number() {
        Some(Ok(v)) => v,
        Some(Err(reason)) => return Some(unparsable(reason)),
        None if pre_percent => return Some(unparsable("“百分之”后缺少数值")),
        None if yuan => return Some(unparsable("货币符号后缺少数值")),
        None if symbol.is_some() || (word.is_some() && cur.at_end()) => {
            return Some(unparsable("比较符号后缺少数值"));
        }
        None => return None,
    };
    cur.skip_ws();
    let pct1 = pre_percent || cur.eat_longest(PERCENT).is_some();
    let unit1 = if pct1 {
        None
    } else {
        cur.skip_ws();
        cur.unit()
    };
    if yuan && (pct1 || unit1.as_deref().is_some_and(|u| u != "元")) {
        return Some(unparsable("货币符号与单位不一致"));
    }
    let unit1 = if yuan { Some("元".to_owned()) } else { unit1 };

    // A range: "85%-90%", "3至5个".
    let before_sep = cur.pos;
    cur.skip_ws();
    if cur.match_longest(RANGE_SEPS).is_some() {
        let is_dao = cur.starts_with("到");
        if !is_dao || cur.number_follows(1) {
            cur.eat_longest(RANGE_SEPS);
            cur.skip_ws();
            let second = match cur.number() {
                Some(Ok(v)) => v,
                Some(Err(reason)) => return Some(unparsable(reason)),
                None => return Some(unparsable("区间缺少上限")),
            };
            cur.skip_ws();
            let pct2 = cur.eat_longest(PERCENT).is_some();
            let unit2 = if pct2 {
                None
            } else {
                cur.skip_ws();
                cur.unit()
            };
            let low = End {
                value: first,
                percent: pct1,
                unit: unit1,
            };
            let high = End {
                value: second,
                percent: pct2,
                unit: unit2,
            };
            return Some(finish_range(&mut cur, prefix, low, high, hints));
        }
    }
    cur.pos = before_sep;

    cur.skip_ws();
    let suffix = cur.eat_longest(SUFFIXES);
    cur.eat_verbs();
    cur.skip_ws();
    if !cur.at_end() {
        return Some(leftover_error(&cur, unit1.is_none() && !pct1));
    }
    let comparator = match (prefix, suffix) {
        (Some(p), Some(s)) if p != s && !same_direction(p, s) => {
            return Some(unparsable("比较符号前后矛盾"));
        }
        (Some(p), _) => Some(p),
        (None, Some(s)) => Some(s),
        (None, None) => hints.comparator,
    };
    if let Some(u) = &unit1 {
        if u.chars().count() > MAX_UNIT_CHARS {
            return Some(unparsable(format!("数值后的文字不像单位：{u}")));
        }
        if let Some((unit, extra)) = duration_unit(u) {
            if !matches!(comparator, Some(Comparator::Ge | Comparator::Gt)) {
                return Some(Parsed::Duration {
                    within: matches!(comparator, Some(Comparator::Le | Comparator::Lt)),
                    amount: first.checked_add(extra).unwrap_or(first),
                    unit,
                });
            }
        }
    }
    let (unit, percent) = if pct1 {
        (None, true)
    } else if unit1.is_some() {
        (unit1, false)
    } else {
        (hints.unit.clone(), hints.percent)
    };
    Some(Parsed::Quantity {
        comparator,
        value: first,
        unit,
        percent,
    })
}

fn same_direction(a: Comparator, b: Comparator) -> bool {
    (a.is_lower_bound() && b.is_lower_bound()) || (a.is_upper_bound() && b.is_upper_bound())
}

fn leftover_error(cur: &Cursor, bare_number: bool) -> Parsed {
    let rest = cur.rest();
    if bare_number && rest.starts_with(|c: char| c.is_ascii_digit()) {
        unparsable("两个数值之间缺少区间符号")
    } else {
        unparsable(format!("数值后有无法识别的内容：{rest}"))
    }
}

/// One end of a range as written.
struct End {
    value: Decimal,
    percent: bool,
    unit: Option<String>,
}

fn finish_range(cur: &mut Cursor, prefix: Option<Comparator>, low: End, high: End, hints: &Hints) -> Parsed {
    let End {
        value: low,
        percent: pct1,
        unit: unit1,
    } = low;
    let End {
        value: high,
        percent: pct2,
        unit: unit2,
    } = high;
    cur.skip_ws();
    if cur.eat_longest(SUFFIXES).is_some() || prefix.is_some() {
        return unparsable("区间不应再带比较符号");
    }
    cur.eat_verbs();
    cur.skip_ws();
    if !cur.at_end() {
        return leftover_error(cur, false);
    }
    if (pct1 && unit2.is_some()) || (pct2 && unit1.is_some()) {
        return unparsable("区间两端单位不一致");
    }
    let unit = match (unit1, unit2) {
        (Some(a), Some(b)) if a != b => return unparsable("区间两端单位不一致"),
        (Some(a), _) => Some(a),
        (None, Some(b)) => Some(b),
        (None, None) => None,
    };
    if unit.as_deref().is_some_and(|u| u.chars().count() > MAX_UNIT_CHARS) {
        return unparsable("数值后的文字不像单位");
    }
    if low > high {
        return unparsable("区间下限大于上限");
    }
    let written_percent = pct1 || pct2;
    let (unit, percent) = if written_percent || unit.is_some() {
        (unit, written_percent)
    } else {
        (hints.unit.clone(), hints.percent)
    };
    Parsed::Range {
        low,
        high,
        unit,
        percent,
    }
}

/// A duration unit word after an Arabic number, with 0.5 to add for "个半月"-style words.
fn duration_unit(unit: &str) -> Option<(DurationUnit, Decimal)> {
    let (rest, had_ge) = match unit.strip_prefix('个') {
        Some(r) => (r, true),
        None => (unit, false),
    };
    let (rest, extra) = match rest.strip_prefix('半') {
        Some(r) => (r, Decimal::new(5, 1)),
        None => (rest, Decimal::ZERO),
    };
    // "个月" is a span; a bare "月" after an Arabic number is a calendar month (a date).
    if rest == "月" && (had_ge || !extra.is_zero()) {
        return Some((DurationUnit::Month, extra));
    }
    DURATION_UNITS
        .iter()
        .find(|(word, _)| *word == rest)
        .map(|(_, u)| (*u, extra))
}

// ---------------------------------------------------------------------------------------------
// Chinese-numeral durations

/// "一个月内", "两周内", "半年内", "一个半月", "不超过三个工作日"; `None` when not one.
fn parse_cn_duration(norm: &str, hints: &Hints) -> Option<Parsed> {
    let compact: String = norm.chars().filter(|c| !c.is_whitespace()).collect();
    let mut cur = Cursor::new(&compact);
    let _ = cur.eat("在");
    let prefix = cur.eat_longest(SYMBOLS).or_else(|| cur.eat_longest(WORDS));
    let number_was_half = cur.starts_with("半");
    let mut amount = cur.cn_number()?;
    let _ = cur.eat("个");
    if !number_was_half && cur.eat("半") {
        amount = amount.checked_add(Decimal::new(5, 1))?;
    }
    let unit = cur.eat_longest(CN_DURATION_UNITS)?;
    if unit == DurationUnit::Year && !number_was_half && cur.eat("半") {
        amount = amount.checked_add(Decimal::new(5, 1))?;
    }
    let suffix = cur.eat_longest(SUFFIXES);
    cur.eat_verbs();
    if !cur.at_end() {
        return None;
    }
    let comparator = match (prefix, suffix) {
        (Some(p), Some(s)) if p != s && !same_direction(p, s) => {
            return Some(unparsable("比较符号前后矛盾"));
        }
        (Some(p), _) => Some(p),
        (None, Some(s)) => Some(s),
        (None, None) => hints.comparator,
    };
    if matches!(comparator, Some(Comparator::Ge | Comparator::Gt)) {
        return Some(Parsed::Quantity {
            comparator,
            value: amount,
            unit: Some(unit.label().to_owned()),
            percent: false,
        });
    }
    Some(Parsed::Duration {
        within: matches!(comparator, Some(Comparator::Le | Comparator::Lt)),
        amount,
        unit,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn p(text: &str) -> Parsed {
        parse_value(text, None, None)
    }

    fn qty(c: Option<Comparator>, value: Decimal, unit: Option<&str>, percent: bool) -> Parsed {
        Parsed::Quantity {
            comparator: c,
            value,
            unit: unit.map(str::to_owned),
            percent,
        }
    }

    fn date(relation: DateRelation, y: Option<i32>, m: Option<u32>, d: Option<u32>) -> Parsed {
        Parsed::Date {
            relation,
            date: CivilDate {
                year: y,
                month: m,
                day: d,
            },
        }
    }

    fn dur(within: bool, amount: Decimal, unit: DurationUnit) -> Parsed {
        Parsed::Duration { within, amount, unit }
    }

    fn qual(phrase: &str) -> Parsed {
        Parsed::Qualitative {
            phrase: phrase.to_owned(),
        }
    }

    fn reason(parsed: Parsed) -> String {
        match parsed {
            Parsed::Unparsable { reason } => reason,
            other => panic!("expected Unparsable, got {other:?}"),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> i64 {
        days_from_civil(y, m, d).unwrap()
    }

    use Comparator::{Eq as CEq, Ge, Gt, Le, Lt};
    use DateRelation::{After, Before, ByEnd, On};

    // ---- every target/actual text of seeds/000_5fb69b45dc18677b.txt ----

    #[test]
    fn seed_plain_numbers() {
        for (text, value) in [
            ("15000", dec!(15000)),
            ("15005", dec!(15005)),
            ("87.1", dec!(87.1)),
            ("12", dec!(12)),
            ("1", dec!(1)),
            ("1499180", dec!(1499180)),
            ("1420000.0", dec!(1420000.0)),
            ("2", dec!(2)),
            ("31", dec!(31)),
            ("24.27", dec!(24.27)),
            ("5", dec!(5)),
            ("46", dec!(46)),
            ("31.92", dec!(31.92)),
            ("80.8", dec!(80.8)),
            ("77", dec!(77)),
            ("1170000", dec!(1170000)),
            ("278.47", dec!(278.47)),
            ("3", dec!(3)),
            ("286540", dec!(286540)),
            ("374093.0", dec!(374093.0)),
            ("350000.0", dec!(350000.0)),
        ] {
            assert_eq!(p(text), qty(None, value, None, false), "{text}");
        }
        // the scale written is kept
        assert_eq!(p("374093.0").number().unwrap().scale(), 1);
    }

    #[test]
    fn seed_comparators_and_percentages() {
        assert_eq!(p("≤93.69"), qty(Some(Le), dec!(93.69), None, false));
        assert_eq!(p("≥12"), qty(Some(Ge), dec!(12), None, false));
        assert_eq!(p("≥1"), qty(Some(Ge), dec!(1), None, false));
        assert_eq!(p("≤124000"), qty(Some(Le), dec!(124000), None, false));
        assert_eq!(p("≤295"), qty(Some(Le), dec!(295), None, false));
        assert_eq!(p("100%"), qty(None, dec!(100), None, true));
        assert_eq!(p(">=85%"), qty(Some(Ge), dec!(85), None, true));
        assert!(p(">=85%").is_constraint());
        assert!(!p("100%").is_constraint());
    }

    #[test]
    fn seed_dates_durations_phrases_nil() {
        assert_eq!(p("一个月内"), dur(true, dec!(1), DurationUnit::Month));
        assert_eq!(p("2021年12月前"), date(Before, Some(2021), Some(12), None));
        assert_eq!(p("2021年11月25日"), date(On, Some(2021), Some(11), Some(25)));
        assert_eq!(p("2021年7月前完成"), date(Before, Some(2021), Some(7), None));
        assert_eq!(p("2021年12月3日"), date(On, Some(2021), Some(12), Some(3)));
        for phrase in ["有效提高", "有效提升", "有效维护", "无偏差"] {
            assert_eq!(p(phrase), qual(phrase));
        }
        assert_eq!(p("无"), Parsed::Nil);
        assert_eq!(p(""), Parsed::Empty);
    }

    #[test]
    fn seed_deadlines() {
        // Form 3: "2021年12月前" met by "2021年11月25日" (deadline 30 November).
        let t3 = p("2021年12月前");
        assert_eq!(t3.deadline_day(None), Some(day(2021, 11, 30)));
        assert_eq!(days_late(&t3, &p("2021年11月25日"), None), Some(-5));
        // Form 4: "2021年7月前完成" missed by "2021年12月3日": 156 days after 30 June.
        let t4 = p("2021年7月前完成");
        assert_eq!(t4.deadline_day(None), Some(day(2021, 6, 30)));
        assert_eq!(days_late(&t4, &p("2021年12月3日"), None), Some(156));
    }

    #[test]
    fn seed_units_from_names() {
        for (name, unit) in [
            ("档案整理数量（件）", "件"),
            ("档案整理成本（万元）", "万元"),
            ("项目成本（元）", "元"),
            ("政务服务检查次数（次）", "次"),
            ("政务服务指标检查频率（次/月）", "次/月"),
            ("信息系统登记保护测评频率（次/年）", "次/年"),
            ("信息系统登记保护测评数量（个）", "个"),
            ("项目资金 (元)", "元"),
            ("出具深圳市住房和建设局网站健康情况监测报告的频率（次/月）", "次/月"),
        ] {
            assert_eq!(unit_from_name(name).as_deref(), Some(unit), "{name}");
        }
        assert_eq!(unit_from_name("档案材料完整率"), None);
        assert_eq!(unit_from_name("无"), None);
        assert_eq!(unit_from_name("成本（）"), None);
        assert_eq!(unit_from_name("频率（次／月） "), Some("次/月".to_owned()));
        assert_eq!(unit_from_name("数量（个）（件）"), Some("件".to_owned()));
    }

    #[test]
    fn seed_hints_fill_units() {
        assert_eq!(
            parse_value("15000", Some("件"), None),
            qty(None, dec!(15000), Some("件"), false)
        );
        assert_eq!(
            parse_value("≤93.69", unit_from_name("档案整理成本（万元）").as_deref(), None),
            qty(Some(Le), dec!(93.69), Some("万元"), false)
        );
        // an inline unit wins over the hint; a percentage takes no unit
        assert_eq!(
            parse_value("≤90万元", Some("元"), None),
            qty(Some(Le), dec!(90), Some("万元"), false)
        );
        assert_eq!(parse_value("100%", Some("件"), None), qty(None, dec!(100), None, true));
        assert_eq!(parse_value("95", Some("%"), None), qty(None, dec!(95), None, true));
        assert_eq!(parse_value("95", Some("％"), None), qty(None, dec!(95), None, true));
        assert_eq!(parse_value("95", Some("  "), None), qty(None, dec!(95), None, false));
    }

    // ---- domain-rules.md phrases ----

    #[test]
    fn domain_rules_phrases() {
        assert_eq!(p("≥50个"), qty(Some(Ge), dec!(50), Some("个"), false));
        assert_eq!(p("≤90万元"), qty(Some(Le), dec!(90), Some("万元"), false));
        assert_eq!(p("≥100百分比"), qty(Some(Ge), dec!(100), None, true));
        assert_eq!(p("达成预期指标"), qual("达成预期指标"));
        assert_eq!(p("100.00%"), qty(None, dec!(100.00), None, true));
        assert_eq!(p("≤30万元"), qty(Some(Le), dec!(30), Some("万元"), false));
        assert_eq!(p("完成"), qual("完成"));
        assert_eq!(p("≤1240000"), qty(Some(Le), dec!(1240000), None, false));
        assert_eq!(p("—"), Parsed::Nil);
        assert_eq!(p("/"), Parsed::Nil);
        assert_eq!(p("较好"), qual("较好"));
    }

    // ---- comparators ----

    #[test]
    fn comparator_symbols() {
        for (text, c) in [
            ("≥5", Ge),
            ("≤5", Le),
            ("=5", CEq),
            ("==5", CEq),
            (">5", Gt),
            ("<5", Lt),
            (">=5", Ge),
            ("<=5", Le),
            ("＞5", Gt),
            ("＜5", Lt),
            ("≧5", Ge),
            ("≦5", Le),
            ("＝5", CEq),
            ("＞＝5", Ge),
            ("≥ 5", Ge),
            ("═5", CEq),
        ] {
            assert_eq!(p(text), qty(Some(c), dec!(5), None, false), "{text}");
        }
    }

    #[test]
    fn comparator_words() {
        for (text, c) in [
            ("不低于5", Ge),
            ("不少于5", Ge),
            ("不小于5", Ge),
            ("不高于5", Le),
            ("不超过5", Le),
            ("不大于5", Le),
            ("大于5", Gt),
            ("小于5", Lt),
            ("大于等于5", Ge),
            ("小于等于5", Le),
            ("高于5", Gt),
            ("低于5", Lt),
            ("达到5", Ge),
            ("超过5", Gt),
            ("至少5", Ge),
            ("等于5", CEq),
        ] {
            assert_eq!(p(text), qty(Some(c), dec!(5), None, false), "{text}");
        }
        assert_eq!(p("不低于95%"), qty(Some(Ge), dec!(95), None, true));
        assert_eq!(p("达到100%"), qty(Some(Ge), dec!(100), None, true));
        assert_eq!(p("不超过30万元"), qty(Some(Le), dec!(30), Some("万元"), false));
    }

    #[test]
    fn comparator_suffixes() {
        assert_eq!(p("95%以上"), qty(Some(Ge), dec!(95), None, true));
        assert_eq!(p("95%及以上"), qty(Some(Ge), dec!(95), None, true));
        assert_eq!(p("5%以下"), qty(Some(Le), dec!(5), None, true));
        assert_eq!(p("50个以上"), qty(Some(Ge), dec!(50), Some("个"), false));
        assert_eq!(p("10万元以内"), qty(Some(Le), dec!(10), Some("万元"), false));
        assert_eq!(p("3天以内"), dur(true, dec!(3), DurationUnit::Day));
        // prefix and suffix that agree are fine; disagreeing ones are broken
        assert_eq!(p("≥95%以上"), qty(Some(Ge), dec!(95), None, true));
        assert_eq!(reason(p("≥95%以下")), "比较符号前后矛盾");
    }

    #[test]
    fn comparator_hint_used_only_without_inline_comparator() {
        assert_eq!(parse_value("1", None, Some("≥")), qty(Some(Ge), dec!(1), None, false));
        assert_eq!(parse_value("1", None, Some("＝")), qty(Some(CEq), dec!(1), None, false));
        assert_eq!(
            parse_value("1", None, Some("正向")),
            qty(Some(Ge), dec!(1), None, false)
        );
        assert_eq!(
            parse_value("1", None, Some("反向")),
            qty(Some(Le), dec!(1), None, false)
        );
        assert_eq!(parse_value("1", None, Some("定性")), qty(None, dec!(1), None, false));
        assert_eq!(parse_value("≤5", None, Some("≥")), qty(Some(Le), dec!(5), None, false));
        assert_eq!(
            parse_value("30天", None, Some("≤")),
            dur(true, dec!(30), DurationUnit::Day)
        );
        assert_eq!(parse_actual("12", Some("次")), qty(None, dec!(12), Some("次"), false));
        assert!(!parse_actual("12", None).is_constraint());
    }

    #[test]
    fn comparator_from_text_reads_columns() {
        assert_eq!(comparator_from_text("≥"), Some(Ge));
        assert_eq!(comparator_from_text(" ＜ "), Some(Lt));
        assert_eq!(comparator_from_text("大于等于"), Some(Ge));
        assert_eq!(comparator_from_text("以上"), Some(Ge));
        assert_eq!(comparator_from_text("正向指标"), Some(Ge));
        assert_eq!(comparator_from_text("反向指标"), Some(Le));
        assert_eq!(comparator_from_text("定性"), None);
        assert_eq!(comparator_from_text("定量"), None);
        assert_eq!(comparator_from_text("内容"), None);
        assert_eq!(comparator_from_text(""), None);
    }

    #[test]
    fn comparator_holds() {
        assert!(Ge.holds(dec!(12), dec!(12)));
        assert!(!Gt.holds(dec!(12), dec!(12)));
        assert!(Le.holds(dec!(87.1), dec!(93.69)));
        assert!(!Lt.holds(dec!(93.69), dec!(93.69)));
        assert!(CEq.holds(dec!(374093.0), dec!(374093)));
        assert_eq!(Ge.to_string(), "≥");
    }

    // ---- numbers ----

    #[test]
    fn thousands_separators_and_full_width() {
        assert_eq!(p("1,499,180"), qty(None, dec!(1499180), None, false));
        assert_eq!(p("1，499，180"), qty(None, dec!(1499180), None, false));
        assert_eq!(p("1,499,180.50元"), qty(None, dec!(1499180.50), Some("元"), false));
        assert_eq!(p("１２３．５"), qty(None, dec!(123.5), None, false));
        assert_eq!(p("１２３。５"), qty(None, dec!(123.5), None, false));
        assert_eq!(p("９５％"), qty(None, dec!(95), None, true));
        assert_eq!(p("100%。"), qty(None, dec!(100), None, true));
        assert_eq!(p("≥１２个"), qty(Some(Ge), dec!(12), Some("个"), false));
    }

    #[test]
    fn negative_and_signed_numbers() {
        assert_eq!(p("-5"), qty(None, dec!(-5), None, false));
        assert_eq!(p("−5.5"), qty(None, dec!(-5.5), None, false));
        assert_eq!(p("－3%"), qty(None, dec!(-3), None, true));
        assert_eq!(p("≥-2"), qty(Some(Ge), dec!(-2), None, false));
        assert_eq!(p("+7"), qty(None, dec!(7), None, false));
        assert_eq!(p(".5"), qty(None, dec!(0.5), None, false));
        assert_eq!(p("-5~5"), range(dec!(-5), dec!(5), None, false));
    }

    #[test]
    fn percentages() {
        assert_eq!(p("95 %"), qty(None, dec!(95), None, true));
        assert_eq!(p("百分之95"), qty(None, dec!(95), None, true));
        assert_eq!(p("100%完成"), qty(None, dec!(100), None, true));
        assert_eq!(p("100%到位"), qty(None, dec!(100), None, true));
        assert_eq!(p("100%").fraction(), Some(dec!(1)));
        assert_eq!(p("95.5%").fraction(), Some(dec!(0.955)));
        assert_eq!(p(">=85%").fraction(), Some(dec!(0.85)));
        assert_eq!(p("85").fraction(), None);
        assert_eq!(p("85").number(), Some(dec!(85)));
        assert_eq!(percent_to_fraction(Decimal::new(1, 28)), Some(Decimal::ZERO));
    }

    #[test]
    fn inline_units() {
        assert_eq!(p("12次"), qty(None, dec!(12), Some("次"), false));
        assert_eq!(p("1次/年"), qty(None, dec!(1), Some("次/年"), false));
        assert_eq!(p("≤124000元"), qty(Some(Le), dec!(124000), Some("元"), false));
        assert_eq!(p("12 次"), qty(None, dec!(12), Some("次"), false));
        assert_eq!(p("15000（件）"), qty(None, dec!(15000), Some("件"), false));
        assert_eq!(p("2TB"), qty(None, dec!(2), Some("TB"), false));
        assert_eq!(p("12次完成"), qty(None, dec!(12), Some("次"), false));
        assert_eq!(p("¥100"), qty(None, dec!(100), Some("元"), false));
        assert_eq!(p("￥1,000元"), qty(None, dec!(1000), Some("元"), false));
        assert_eq!(reason(p("¥100万元")), "货币符号与单位不一致");
        assert_eq!(reason(p("¥")), "货币符号后缺少数值");
        assert_eq!(p("100元/人"), qty(None, dec!(100), Some("元/人"), false));
        assert_eq!(p("≥50 个"), qty(Some(Ge), dec!(50), Some("个"), false));
        assert_eq!(p("≥1").unit(), None);
        assert_eq!(p("≥50个").unit(), Some("个"));
    }

    #[test]
    fn whitespace_is_trimmed() {
        assert_eq!(p("\u{3000}≥12\u{a0} "), qty(Some(Ge), dec!(12), None, false));
        assert_eq!(p("\t100%\n"), qty(None, dec!(100), None, true));
        assert_eq!(p("\u{feff}12"), qty(None, dec!(12), None, false));
        assert_eq!(p("  \u{3000} "), Parsed::Empty);
        assert_eq!(p("  有效  提升 "), qual("有效 提升"));
    }

    #[test]
    fn nil_forms() {
        for text in ["无", "/", "／", "—", "-", "——", "－", " 无 ", "N/A", "\\", "–"] {
            assert_eq!(p(text), Parsed::Nil, "{text}");
        }
        assert!(!Parsed::Nil.is_constraint());
        assert!(!Parsed::Nil.is_value());
    }

    // ---- ranges ----

    fn range(low: Decimal, high: Decimal, unit: Option<&str>, percent: bool) -> Parsed {
        Parsed::Range {
            low,
            high,
            unit: unit.map(str::to_owned),
            percent,
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(p("85%-90%"), range(dec!(85), dec!(90), None, true));
        assert_eq!(p("85%～90%"), range(dec!(85), dec!(90), None, true));
        assert_eq!(p("85%~90%"), range(dec!(85), dec!(90), None, true));
        assert_eq!(p("85-90%"), range(dec!(85), dec!(90), None, true));
        assert_eq!(p("85% - 90%"), range(dec!(85), dec!(90), None, true));
        assert_eq!(p("85%—90%"), range(dec!(85), dec!(90), None, true));
        assert_eq!(p("85%至90%"), range(dec!(85), dec!(90), None, true));
        assert_eq!(p("3至5个"), range(dec!(3), dec!(5), Some("个"), false));
        assert_eq!(p("3个至5个"), range(dec!(3), dec!(5), Some("个"), false));
        assert_eq!(p("3到5次"), range(dec!(3), dec!(5), Some("次"), false));
        assert_eq!(p("2020-2021"), range(dec!(2020), dec!(2021), None, false));
        assert_eq!(
            parse_value("3-5", Some("万元"), None),
            range(dec!(3), dec!(5), Some("万元"), false)
        );
        assert_eq!(
            parse_value("85-90", Some("%"), None),
            range(dec!(85), dec!(90), None, true)
        );
        assert!(p("85%-90%").is_constraint());
        assert!(!p("85%-90%").is_value());
    }

    #[test]
    fn broken_ranges() {
        assert_eq!(reason(p("85%-")), "区间缺少上限");
        assert_eq!(reason(p("3至")), "区间缺少上限");
        assert_eq!(reason(p("90%-85%")), "区间下限大于上限");
        assert_eq!(reason(p("3个-5元")), "区间两端单位不一致");
        assert_eq!(reason(p("3%-5元")), "区间两端单位不一致");
        assert_eq!(reason(p("≥85%-90%")), "区间不应再带比较符号");
        assert_eq!(reason(p("85%-90%以上")), "区间不应再带比较符号");
    }

    // ---- dates ----

    #[test]
    fn date_forms() {
        assert_eq!(p("2021-12-03"), date(On, Some(2021), Some(12), Some(3)));
        assert_eq!(p("2021/12/3"), date(On, Some(2021), Some(12), Some(3)));
        assert_eq!(p("2021.12.3"), date(On, Some(2021), Some(12), Some(3)));
        assert_eq!(p("2021-12"), date(On, Some(2021), Some(12), None));
        assert_eq!(p("2021.12"), qty(None, dec!(2021.12), None, false));
        assert_eq!(p("12月底前"), date(ByEnd, None, Some(12), None));
        assert_eq!(p("2021年底前"), date(ByEnd, Some(2021), Some(12), None));
        assert_eq!(p("年底前"), date(ByEnd, None, Some(12), None));
        assert_eq!(p("年内完成"), date(ByEnd, None, Some(12), None));
        assert_eq!(p("月底前"), date(ByEnd, None, None, None));
        assert_eq!(p("2021年12月31日前"), date(ByEnd, Some(2021), Some(12), Some(31)));
        assert_eq!(p("7月前"), date(Before, None, Some(7), None));
        assert_eq!(p("2021年7月之前"), date(Before, Some(2021), Some(7), None));
        assert_eq!(p("于2021年6月30日前完成"), date(ByEnd, Some(2021), Some(6), Some(30)));
        assert_eq!(p("2021年上半年"), date(ByEnd, Some(2021), Some(6), None));
        assert_eq!(p("2021年"), date(On, Some(2021), None, None));
        assert_eq!(p("2022年前"), date(Before, Some(2022), None, None));
        assert_eq!(p("2021年7月后"), date(After, Some(2021), Some(7), None));
        assert_eq!(p("2021年12月3号"), date(On, Some(2021), Some(12), Some(3)));
        assert_eq!(p("2021 年 12 月 3 日"), date(On, Some(2021), Some(12), Some(3)));
        assert_eq!(p("２０２１年１２月"), date(On, Some(2021), Some(12), None));
        assert_eq!(p("11月25日"), date(On, None, Some(11), Some(25)));
        assert_eq!(p("2021年度"), date(On, Some(2021), None, None));
        assert_eq!(p("2021年度内"), date(ByEnd, Some(2021), Some(12), None));
        assert_eq!(p("12月初"), date(ByEnd, None, Some(12), Some(10)));
        assert_eq!(p("2021年12月中旬前完成"), date(ByEnd, Some(2021), Some(12), Some(20)));
        assert_eq!(p("12月下旬"), date(ByEnd, None, Some(12), None));
        assert_eq!(p("2021.12.31前"), date(ByEnd, Some(2021), Some(12), Some(31)));
        assert_eq!(p("3月内"), date(ByEnd, None, Some(3), None));
        assert_eq!(p("20211231"), qty(None, dec!(20211231), None, false));
    }

    #[test]
    fn broken_dates() {
        assert_eq!(reason(p("2021年13月")), "月份无效：13月");
        assert_eq!(reason(p("2021年2月30日")), "日期不存在：2月30日");
        assert_eq!(reason(p("2021-02-29")), "日期不存在：2月29日");
        assert_eq!(p("2020-02-29"), date(On, Some(2020), Some(2), Some(29)));
        assert_eq!(p("2月29日"), date(On, None, Some(2), Some(29)));
    }

    #[test]
    fn deadline_and_actual_days() {
        let by_end = p("12月底前");
        assert_eq!(by_end.deadline_day(None), None);
        assert_eq!(by_end.deadline_day(Some(2021)), Some(day(2021, 12, 31)));
        assert_eq!(p("2021年底前").deadline_day(None), Some(day(2021, 12, 31)));
        assert_eq!(p("年底前").deadline_day(Some(2020)), Some(day(2020, 12, 31)));
        assert_eq!(p("2021年12月31日前").deadline_day(None), Some(day(2021, 12, 31)));
        assert_eq!(p("2021年3月前").deadline_day(None), Some(day(2021, 2, 28)));
        assert_eq!(p("2020年3月前").deadline_day(None), Some(day(2020, 2, 29)));
        assert_eq!(p("2021年2月").deadline_day(None), Some(day(2021, 2, 28)));
        assert_eq!(p("2022年前").deadline_day(None), Some(day(2021, 12, 31)));
        assert_eq!(p("2021年").deadline_day(None), Some(day(2021, 12, 31)));
        assert_eq!(p("2021年上半年").deadline_day(None), Some(day(2021, 6, 30)));
        assert_eq!(p("2021年7月后").deadline_day(None), None);
        assert_eq!(p("月底前").deadline_day(Some(2021)), None);
        assert_eq!(p("2月29日").deadline_day(Some(2021)), None);
        assert_eq!(p("2月29日").deadline_day(Some(2024)), Some(day(2024, 2, 29)));
        assert_eq!(p("12").deadline_day(Some(2021)), None);

        assert_eq!(p("2021年12月").actual_day(None), Some(day(2021, 12, 1)));
        assert_eq!(p("11月25日").actual_day(None), None);
        assert_eq!(p("11月25日").actual_day(Some(2021)), Some(day(2021, 11, 25)));
        assert_eq!(p("2021年12月前").actual_day(None), None);
        assert!(p("2021年12月前").is_constraint());
        assert!(p("2021年12月3日").is_value());

        assert_eq!(days_late(&p("7月前完成"), &p("12月3日"), None), None);
        assert_eq!(days_late(&p("7月前完成"), &p("12月3日"), Some(2021)), Some(156));
        assert_eq!(days_late(&p("12月底前"), &p("2021-12-31"), Some(2021)), Some(0));
        assert_eq!(days_late(&p("12月底前"), &p("2022-01-01"), Some(2021)), Some(1));
        assert_eq!(days_late(&p("100%"), &p("2021-12-31"), Some(2021)), None);
    }

    #[test]
    fn civil_day_arithmetic() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(days_from_civil(1969, 12, 31), Some(-1));
        assert_eq!(days_from_civil(2021, 2, 29), None);
        assert_eq!(days_from_civil(2021, 13, 1), None);
        assert_eq!(days_from_civil(2021, 1, 0), None);
        assert_eq!(civil_from_days(0), Some((1970, 1, 1)));
        assert_eq!(civil_from_days(day(2021, 12, 3)), Some((2021, 12, 3)));
        assert!(is_leap_year(2000) && is_leap_year(2024));
        assert!(!is_leap_year(1900) && !is_leap_year(2021));
        assert_eq!(days_in_month(2021, 2), Some(28));
        assert_eq!(
            CivilDate {
                year: Some(2021),
                month: Some(7),
                day: None
            }
            .to_string(),
            "2021年7月"
        );
    }

    // ---- durations ----

    #[test]
    fn durations() {
        assert_eq!(p("3个工作日内"), dur(true, dec!(3), DurationUnit::WorkingDay));
        assert_eq!(p("30天内"), dur(true, dec!(30), DurationUnit::Day));
        assert_eq!(p("30日内"), dur(true, dec!(30), DurationUnit::Day));
        assert_eq!(p("两周内"), dur(true, dec!(2), DurationUnit::Week));
        assert_eq!(p("半年内"), dur(true, dec!(0.5), DurationUnit::Year));
        assert_eq!(p("半个月内"), dur(true, dec!(0.5), DurationUnit::Month));
        assert_eq!(p("一个半月"), dur(false, dec!(1.5), DurationUnit::Month));
        assert_eq!(p("一年半"), dur(false, dec!(1.5), DurationUnit::Year));
        assert_eq!(p("十二个月"), dur(false, dec!(12), DurationUnit::Month));
        assert_eq!(p("三个工作日内完成"), dur(true, dec!(3), DurationUnit::WorkingDay));
        assert_eq!(p("24小时内"), dur(true, dec!(24), DurationUnit::Hour));
        assert_eq!(p("12个月"), dur(false, dec!(12), DurationUnit::Month));
        assert_eq!(p("1个半月"), dur(false, dec!(1.5), DurationUnit::Month));
        assert_eq!(p("3年"), dur(false, dec!(3), DurationUnit::Year));
        assert_eq!(p("≤3天"), dur(true, dec!(3), DurationUnit::Day));
        assert_eq!(p("不超过三天"), dur(true, dec!(3), DurationUnit::Day));
        assert_eq!(p("30天内办结"), dur(true, dec!(30), DurationUnit::Day));
        assert_eq!(p("≥3天"), qty(Some(Ge), dec!(3), Some("天"), false));
        assert_eq!(p("不少于一个月"), qty(Some(Ge), dec!(1), Some("个月"), false));
        assert!(p("一个月内").is_constraint());
        assert!(p("12个月").is_value());
        assert_eq!(DurationUnit::WorkingDay.label(), "工作日");
    }

    #[test]
    fn chinese_words_that_are_not_durations() {
        assert_eq!(p("一般"), qual("一般"));
        assert_eq!(p("十分满意"), qual("十分满意"));
        assert_eq!(p("一致"), qual("一致"));
        assert_eq!(p("半"), qual("半"));
        assert_eq!(p("不低于上年水平"), qual("不低于上年水平"));
        assert_eq!(p("达到预期"), qual("达到预期"));
    }

    // ---- broken values ----

    #[test]
    fn unparsable_values() {
        assert_eq!(reason(p("≥")), "比较符号后缺少数值");
        assert_eq!(reason(p("≥abc")), "比较符号后缺少数值");
        assert_eq!(reason(p("＞")), "比较符号后缺少数值");
        assert_eq!(reason(p(">=较好")), "比较符号后缺少数值");
        assert_eq!(reason(p("不低于")), "比较符号后缺少数值");
        assert_eq!(reason(p("12..5")), "数值中小数点重复");
        assert_eq!(reason(p("12.5.3")), "数值中有多个小数点");
        assert_eq!(reason(p("1,2,3,")), "千位分隔符位置不正确");
        assert_eq!(reason(p("1,2,3")), "千位分隔符位置不正确");
        assert_eq!(reason(p("12,5")), "千位分隔符位置不正确");
        assert_eq!(reason(p("12,")), "数值中的逗号位置不正确");
        assert_eq!(reason(p("12 15")), "两个数值之间缺少区间符号");
        assert_eq!(reason(p("12 15个")), "两个数值之间缺少区间符号");
        assert_eq!(reason(p("12、15")), "数值后有无法识别的内容：、15");
        assert_eq!(reason(p("100%个")), "数值后有无法识别的内容：个");
        assert_eq!(reason(p("百分之")), "“百分之”后缺少数值");
        assert_eq!(
            reason(p("5个项目全部按时完成验收")),
            "数值后的文字不像单位：个项目全部按时"
        );
        assert_eq!(p("5个平台"), qty(None, dec!(5), Some("个平台"), false));
        assert_eq!(
            reason(p("123456789012345678901234567890")),
            "数值超出可精确表示的范围（最多28位有效数字）"
        );
        assert_eq!(
            reason(p("≤9999999999999999999999999999")),
            "数值的整数部分超过 15 位，超出可计算的范围"
        );
        assert_eq!(
            p("999,999,999,999,999.5万元"),
            qty(None, dec!(999999999999999.5), Some("万元"), false)
        );
        let broken = p("≥");
        assert!(!broken.is_constraint() && !broken.is_value());
    }

    #[test]
    fn prose_is_qualitative() {
        assert_eq!(p("有效提升。"), qual("有效提升"));
        assert_eq!(p("符合GB/T 22239-2019要求"), qual("符合GB/T 22239-2019要求"));
        assert_eq!(p("每月10日前"), qual("每月10日前"));
        assert_eq!(p("%"), qual("%"));
        let q = p("较好");
        assert!(!q.is_constraint() && !q.is_value());
        assert_eq!(q.comparator(), None);
        assert_eq!(q.fraction(), None);
    }

    #[test]
    fn serde_shape() {
        let json = serde_json::to_value(p("≥50个")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "quantity", "comparator": "ge", "value": "50",
                "unit": "个", "percent": false})
        );
        let back: Parsed = serde_json::from_value(json).unwrap();
        assert_eq!(back, p("≥50个"));
    }

    // ---- properties ----
    //
    // Any text (and texts built from the grammar's own words) gives a value that keeps what the
    // doc comments promise: accessors agree with the variant, `parse_actual` is `parse_value`
    // without the comparator hint, hints fill only what the text leaves open, quantities
    // round-trip through their rendering, dates keep the calendar invariant and their deadline
    // and completion days follow `DateRelation`, and written dates give the calendar's days.

    /// Any decimal at all, or one within the range scoring computes with (most whole decimals
    /// are beyond it).
    fn arb_decimal() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
                .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
            (-999_999_999_999_999_i64..=999_999_999_999_999, 0u32..=28)
                .prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale)),
        ]
    }

    /// What every parsed value promises, whatever the text: the accessors agree with the
    /// variant, a constraint is never also a single value, dates keep the calendar invariant
    /// and their days follow [`DateRelation`], and the serialized form reads back the same.
    fn check_promises(parsed: &Parsed, year: i32) -> Result<(), TestCaseError> {
        let y = Some(year);
        prop_assert!(!(parsed.is_constraint() && parsed.is_value()), "{:?}", parsed);
        match parsed {
            Parsed::Quantity {
                comparator,
                value,
                percent,
                ..
            } => {
                prop_assert_eq!(parsed.number(), Some(*value));
                prop_assert_eq!(parsed.comparator(), *comparator);
                let fraction = if *percent {
                    value.checked_div(Decimal::ONE_HUNDRED)
                } else {
                    None
                };
                prop_assert_eq!(parsed.fraction(), fraction);
            }
            Parsed::Range { low, high, .. } => {
                prop_assert!(low <= high, "{:?}", parsed);
                prop_assert!(parsed.is_constraint());
            }
            Parsed::Date { relation, date } => {
                prop_assert!(date.day.is_none() || date.month.is_some(), "{:?}", date);
                if let Some(m) = date.month {
                    prop_assert!((1..=12).contains(&m), "{:?}", date);
                    if let Some(d) = date.day {
                        // 29 February only with a leap year or none.
                        let last = days_in_month(date.year.unwrap_or(2000), m).unwrap();
                        prop_assert!((1..=last).contains(&d), "{:?}", date);
                    }
                }
                let (first, last) = (date.first_day(y), date.last_day(y));
                prop_assert!(first <= last, "{:?}", date);
                let (deadline, done) = match relation {
                    DateRelation::On => (last, first),
                    DateRelation::ByEnd => (last, None),
                    DateRelation::Before => (first.and_then(|f| f.checked_sub(1)), None),
                    DateRelation::After => (None, None),
                };
                prop_assert_eq!(parsed.deadline_day(y), deadline);
                prop_assert_eq!(parsed.actual_day(y), done);
                prop_assert_eq!(parsed.is_constraint(), *relation != DateRelation::On);
            }
            Parsed::Unparsable { reason } => prop_assert!(!reason.is_empty()),
            Parsed::Empty | Parsed::Nil | Parsed::Qualitative { .. } | Parsed::Duration { .. } => {}
        }
        if !matches!(parsed, Parsed::Quantity { .. }) {
            prop_assert_eq!(parsed.number(), None);
            prop_assert_eq!(parsed.fraction(), None);
        }
        if !matches!(parsed, Parsed::Date { .. }) {
            prop_assert_eq!(parsed.deadline_day(y), None);
            prop_assert_eq!(parsed.actual_day(y), None);
        }
        prop_assert_eq!(
            days_late(parsed, parsed, y),
            parsed
                .actual_day(y)
                .zip(parsed.deadline_day(y))
                .and_then(|(a, d)| a.checked_sub(d))
        );
        let back: Parsed = serde_json::from_value(serde_json::to_value(parsed).unwrap()).unwrap();
        prop_assert_eq!(&back, parsed);
        Ok(())
    }

    /// Texts of the grammar's characters, and texts joined from its words and numbers (which
    /// reach dates, ranges and durations far more often than single characters do).
    fn grammar_like_text() -> impl Strategy<Value = String> {
        const WORDS: &[&str] = &[
            "2021",
            "2024",
            "年",
            "12",
            "2",
            "29",
            "31",
            "7",
            "月",
            "日",
            "前",
            "底",
            "上半年",
            "以前",
            "≥",
            "≤",
            ">=",
            "＜",
            "不低于",
            "95",
            "0.5",
            "100",
            "１２",
            "%",
            "％",
            "以上",
            "以内",
            "个",
            "万元",
            "次/年",
            "至",
            "-",
            "~",
            "内",
            "天",
            "工作日",
            "一个",
            "半",
            "两",
            "周",
            "完成",
            "无",
            " ",
            "-5",
            "1,000",
        ];
        prop_oneof![
            "[0-9０-９一二两三十半.,，%％≥≤<>=＞＜至到~～\\-—年月日天周个前底内以上下 /无]{0,16}",
            proptest::collection::vec(proptest::sample::select(WORDS), 0..6).prop_map(|w| w.concat()),
        ]
    }

    #[test]
    fn the_cache_starts_afresh_when_full() {
        for i in 0..parse_cache::CAPACITY * 2 + 7 {
            let text = format!("≥{i}");
            assert_eq!(parse_value(&text, None, None), parse_uncached(&text, None, None));
        }
        assert_eq!(parse_value("≥5", None, None), parse_uncached("≥5", None, None));
    }

    proptest! {
        /// Any text with any hints: some value (never a panic) that keeps the promises of the
        /// items' doc comments.
        #[test]
        fn any_text_gives_a_value_keeping_its_promises(
            s in any::<String>(),
            u in any::<Option<String>>(),
            c in any::<Option<String>>(),
            year in -3000i32..3000,
        ) {
            let parsed = parse_value(&s, u.as_deref(), c.as_deref());
            check_promises(&parsed, year)?;
            // A blank cell is Empty, whatever the hints.
            if s.trim().is_empty() {
                prop_assert_eq!(&parsed, &Parsed::Empty);
            }
            // An actual is the text without the comparator hint.
            prop_assert_eq!(parse_actual(&s, u.as_deref()), parse_value(&s, u.as_deref(), None));
            // A unit read from a name is never empty.
            prop_assert!(!unit_from_name(&s).is_some_and(|u| u.is_empty()));
        }

        #[test]
        fn the_cache_gives_what_parsing_gives(
            texts in proptest::collection::vec("[0-9一二三十.%≥≤<>=至年月日天前内以上 无达成]{0,8}", 1..40),
            u in proptest::option::of("万元|%|件"),
            c in proptest::option::of("≥|≤|="),
        ) {
            // Every text twice (a miss, then a hit), in and out of order.
            for text in texts.iter().chain(texts.iter().rev()) {
                prop_assert_eq!(
                    parse_value(text, u.as_deref(), c.as_deref()),
                    parse_uncached(text, u.as_deref(), c.as_deref())
                );
            }
            // A different hint is a different entry.
            for text in &texts {
                prop_assert_eq!(parse_value(text, None, None), parse_uncached(text, None, None));
            }
        }

        /// Texts made of the grammar's own words, with the hints a 度量单位 "万元" and a
        /// 指标性质 "≥" column give: the hints fill only what the text leaves open, quantities
        /// round-trip through their rendering, and the day arithmetic of dates is consistent.
        #[test]
        fn grammar_like_strings_keep_their_promises(
            s in grammar_like_text(),
            year in 1990i32..2100,
        ) {
            let target = parse_value(&s, Some("万元"), Some("≥"));
            let actual = parse_actual(&s, Some("万元"));
            check_promises(&target, year)?;
            check_promises(&actual, year)?;
            // The comparator hint turns a bare quantity into a lower bound and changes nothing
            // else; a quantity always has a comparator (the text's or the hint's) and either a
            // unit (the text's or the hint's) or a percent sign.
            if let Parsed::Quantity { comparator: None, value, unit, percent } = &actual {
                prop_assert_eq!(&target, &qty(Some(Ge), *value, unit.as_deref(), *percent));
            }
            if let Parsed::Quantity { comparator, unit, percent, .. } = &target {
                prop_assert!(comparator.is_some(), "{:?}", target);
                prop_assert!(unit.is_some() != *percent, "{:?}", target);
            }
            // Round trip: a quantity rendered as comparator, number and unit or "%" parses back
            // to the same comparator, number (scale included), unit and percent.
            for parsed in [&target, &actual] {
                if let Parsed::Quantity { comparator, value, unit, percent } = parsed {
                    let text = format!(
                        "{}{value}{}",
                        comparator.map_or("", Comparator::symbol),
                        if *percent { "%" } else { unit.as_deref().unwrap_or("") }
                    );
                    let back = p(&text);
                    prop_assert_eq!(&back, parsed, "{:?} from {:?}", text, s);
                    prop_assert_eq!(back.number().map(|v| v.scale()), Some(value.scale()));
                }
            }
            // A date without a year moves by a whole year with the default year; one with a
            // year ignores it. An actual on the very date a target names is never late.
            if let Parsed::Date { date, relation } = &target {
                let (this, next) = (target.deadline_day(Some(year)), target.deadline_day(Some(year + 1)));
                if date.year.is_some() {
                    prop_assert_eq!(this, next);
                } else if let (Some(a), Some(b)) = (this, next) {
                    prop_assert!((365..=366).contains(&(b - a)), "{:?}: {} → {}", target, a, b);
                }
                if *relation == DateRelation::On {
                    if let Some(late) = days_late(&target, &target, Some(year)) {
                        prop_assert!(late <= 0, "{:?} is {} days late on itself", target, late);
                    }
                }
            }
        }

        /// A written full date, a month deadline "…月前", a "…月底前" and a day deadline
        /// "…日前" give exactly the days the calendar says.
        #[test]
        fn written_dates_give_their_calendar_days(y in 1990i32..2100, m in 1u32..=12, d in 1u32..=31) {
            let last = days_in_month(y, m).unwrap();
            let on = p(&format!("{y}年{m}月{d}日"));
            let by_day = p(&format!("{y}年{m}月{d}日前"));
            if d > last {
                prop_assert!(matches!(on, Parsed::Unparsable { .. } | Parsed::Qualitative { .. }), "{:?}", on);
            } else {
                let day = days_from_civil(y, m, d);
                prop_assert_eq!(on.actual_day(None), day);
                prop_assert_eq!(on.deadline_day(None), day);
                prop_assert_eq!(by_day.deadline_day(None), day);
                prop_assert_eq!(by_day.actual_day(None), None);
            }
            let first = days_from_civil(y, m, 1).unwrap();
            let month_end = days_from_civil(y, m, last).unwrap();
            prop_assert_eq!(p(&format!("{y}年{m}月前")).deadline_day(None), Some(first - 1));
            prop_assert_eq!(p(&format!("{y}年{m}月底前")).deadline_day(None), Some(month_end));
            prop_assert_eq!(p(&format!("{y}年{m}月")).actual_day(None), Some(first));
            prop_assert_eq!(p(&format!("{m}月底前")).deadline_day(Some(y)), Some(month_end));
        }

        #[test]
        fn ge_round_trips_any_decimal_in_range(d in arb_decimal()) {
            let parsed = parse_value(&format!("≥{d}"), None, None);
            if range::within(d) {
                prop_assert_eq!(parsed, qty(Some(Ge), d, None, false));
            } else {
                prop_assert_eq!(reason(parsed), "数值的整数部分超过 15 位，超出可计算的范围");
            }
        }

        #[test]
        fn plain_decimal_with_unit_hint_round_trips_in_range(d in arb_decimal()) {
            let parsed = parse_value(&d.to_string(), Some("元"), None);
            if range::within(d) {
                prop_assert_eq!(parsed.number(), Some(d));
                prop_assert_eq!(parsed.unit(), Some("元"));
            } else {
                prop_assert_eq!(reason(parsed), "数值的整数部分超过 15 位，超出可计算的范围");
            }
        }

        #[test]
        fn civil_days_round_trip(n in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(n).unwrap();
            prop_assert_eq!(days_from_civil(y, m, d), Some(n));
        }
    }
}
