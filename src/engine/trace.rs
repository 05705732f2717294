//! The record scoring keeps of what it did, when asked
//! ([`crate::engine::scoring::score_document_traced`]): for the funds block, each indicator and
//! the total, the values it used, the choices it made and why, each rule-set formula it called
//! with its arguments and result, and each rounding with its value before and after.
//!
//! Only scoring writes a [`Trace`]; [`crate::engine::explain`] renders one and computes nothing
//! of its own, so an explanation cannot drift from the scorecard. Untraced, scoring keeps only
//! what costs nothing to keep (where the funds weight came from, the parts of the total) and
//! drops it: no formula call, reading or indicator derivation is recorded, so batch runs pay for
//! no record. Pure data: no I/O.

use std::fmt;

use rust_decimal::Decimal;

use crate::engine::grammar::{self, Comparator, Parsed};
use crate::policy::model::RoundingMode;

/// The record of one document's scoring, in the order scoring worked.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The budget-execution block.
    pub funds: FundsDerivation,
    /// One derivation per indicator, in form order (empty when scoring was not traced).
    pub indicators: Vec<IndicatorDerivation>,
    /// The total and its grade.
    pub total: TotalDerivation,
}

/// How the budget-execution block was scored. Untraced, only [`FundsDerivation::weight`] is
/// filled.
#[derive(Debug, Clone, PartialEq)]
pub struct FundsDerivation {
    /// Where the points the block carries came from.
    pub weight: FundsWeight,
    /// The form lacks the funds table or its 年度资金总额 row: nothing was computed.
    pub absent: bool,
    /// 全年执行数 ÷ 全年预算数 as an exact quotient, beside the rule set's rate formula (None
    /// when the rate was not computed).
    pub quotient: Option<Decimal>,
    /// The rate formula (`[formulas] budget_rate`); None when budget or execution is missing or
    /// the budget is zero.
    pub rate: Option<Call>,
    /// The computed rate rounded to the precision the form reports its rate in, as compared
    /// with it (F2); None when the form reports no rate.
    pub rate_shown: Option<Rounding>,
    /// The score formula (`[formulas] budget_score`).
    pub score: Option<Call>,
    /// The rounding of the score formula's result to the score places.
    pub rounding: Option<Rounding>,
}

/// Where the funds block's points came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundsWeight {
    /// The form's own 分值 (`[profile] budget_weight_from_form = true`).
    Form,
    /// The profile's `budget`, because the form leaves 分值 blank although the rule set would
    /// take it from the form.
    ProfileFormBlank,
    /// The profile's `budget`; the rule set does not read the form's 分值.
    Profile,
    /// The weight a header of the funds table states ("预算执行情况(万元)(20分)", "得分(20分*执行率)"):
    /// the form's own scheme, whatever the profile says (M6 when they differ).
    Declared,
    /// None: the funds table has neither 分值 nor 得分, and an indicator scores the budget
    /// execution rate inside the indicator table (the Yinchuan template).
    InIndicators,
}

/// How one indicator was scored.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorDerivation {
    /// The unit a number written without one is read in, and where it came from.
    pub unit_hint: Option<UnitHint>,
    /// The grammar's reading of the target (年度指标值).
    pub target: Reading,
    /// The grammar's reading of the actual (实际完成值).
    pub actual: Reading,
    /// Why the indicator got its kind.
    pub kind: KindReason,
    /// The target converted to the base unit (quantitative kinds).
    pub target_conversion: Option<Conversion>,
    /// The actual converted to the base unit (quantitative kinds).
    pub actual_conversion: Option<Conversion>,
    /// The days a deadline indicator was judged by.
    pub deadline: Option<DeadlineDays>,
    /// The tier a qualitative actual was put in.
    pub tier: Option<TierPick>,
    /// The scoring formula called.
    pub call: Option<Call>,
    /// The rounding of the formula's result to the score places.
    pub rounding: Option<Rounding>,
    /// The rescaling of the rounded score to the profile's level-1 weight.
    pub rescale: Option<RescaleStep>,
    /// Why the score entering the total is what it is.
    pub counted: Counted,
}

/// A unit hint and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitHint {
    /// The unit ("万元", "%").
    pub unit: String,
    /// Where it was found.
    pub source: UnitSource,
}

/// Where a unit hint was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitSource {
    /// The 度量单位 column.
    Column,
    /// The parentheses of the indicator's name ("项目成本（元）").
    Name,
    /// The 度量单位 column, saying what the name's parentheses say too.
    ColumnAndName,
}

/// A target or actual text as the grammar read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The reading.
    pub parsed: Parsed,
    /// For a date, the day it stands for in the budget year: the last admissible day of a
    /// target, the completion day of an actual; None when it names no such day.
    pub day: Option<Day>,
}

/// Why an indicator got its kind (and, for the unscored kinds, why nothing was computed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindReason {
    /// 分值 is blank: nothing can be computed.
    NoWeight,
    /// A placeholder row ("无"): not an indicator.
    Placeholder,
    /// 分值 is 0 and there is no target.
    ZeroWeightNoTarget,
    /// The target or actual could not be read as the rule set requires (findings say why).
    Unreadable,
    /// The target is a date or deadline.
    Deadline,
    /// The target is words: scored by the tier of the actual.
    Qualitative,
    /// The target is a duration: not to be exceeded.
    Duration,
    /// The target is a range: its lower bound is to be reached.
    Range,
    /// The target states a comparator.
    Comparator {
        /// The comparator.
        comparator: Comparator,
        /// Whether it came from the 指标性质 column rather than the target's own text.
        from_column: bool,
    },
    /// No comparator, and the level-2 name is in `[classify] reverse_level2`.
    ReverseLevel2 {
        /// The level-2 name.
        level2: String,
    },
    /// No comparator, and the level-2 name is not in `[classify] reverse_level2`.
    NoComparator,
}

/// A number brought to its base unit through `[units]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The number as read (a range's lower bound).
    pub value: Decimal,
    /// Its unit as read (a duration's unit name); None when it has none.
    pub unit: Option<String>,
    /// A percentage: compared in percent, not converted.
    pub percent: bool,
    /// Read from a range: its lower bound.
    pub range_low: bool,
    /// The text states no unit: the unit is the target's ("≤90万元" / "90").
    pub unit_from_target: bool,
    /// The `[units]` entry applied (base unit, factor); None when the unit is not in the table
    /// (or there is no unit, or a percentage).
    pub factor: Option<(String, Decimal)>,
    /// The number in the base unit, as passed to the formula.
    pub result: Decimal,
}

/// A day, counted as [`grammar::days_from_civil`] counts; shown as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(pub i64);

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match grammar::civil_from_days(self.0) {
            Some((y, m, d)) => write!(f, "{y:04}-{m:02}-{d:02}"),
            None => write!(f, "{}", self.0),
        }
    }
}

/// The days a deadline indicator was judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineDays {
    /// The last admissible day.
    pub deadline: Day,
    /// The completion day.
    pub done: Day,
    /// done − deadline (≤ 0 is on time).
    pub days_late: i64,
    /// 1 January of the budget year, where the planned duration starts.
    pub year_start: Day,
    /// Planned duration in days, both ends included.
    pub planned: i64,
    /// Whether 偏差原因分析 explains anything (not blank, not one of `[notes] blank`).
    pub explained: bool,
}

/// The tier a qualitative actual was put in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierPick {
    /// Tier name.
    pub name: String,
    /// Lower share of the weight.
    pub min: Decimal,
    /// Upper share of the weight.
    pub max: Decimal,
    /// The actual's phrase.
    pub phrase: String,
    /// How the phrase led to the tier.
    pub by: TierBy,
    /// The indicator's weight.
    pub weight: Decimal,
    /// The tier's band in points (min × weight, max × weight); None on an overflow.
    pub band: Option<(Decimal, Decimal)>,
}

/// How a qualitative actual got its tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierBy {
    /// The phrase is one of the tier's phrases.
    Phrase,
    /// The actual repeats the target's text, which `[classify] same_text_is_top_tier` puts in
    /// the top tier.
    SameTextAsTarget,
    /// The actual is blank under a level-1 block that `[classify.criteria]` scores by written
    /// criteria: the reported score counts within the criteria band.
    Criteria,
}

/// A rule-set formula called, with its arguments and result.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Its role in `[formulas]`.
    pub role: FormulaRole,
    /// Function name.
    pub function: String,
    /// Arguments, in order (the parameter map `p`, always last, not listed).
    pub args: Vec<Value>,
    /// What it returned, before any rounding.
    pub result: Decimal,
}

/// The roles of `[formulas]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormulaRole {
    /// `budget_rate(budget, executed, p)`.
    BudgetRate,
    /// `budget_score(rate, weight, p)`.
    BudgetScore,
    /// `forward(target, actual, weight, p)`.
    Forward,
    /// `reverse(target, actual, weight, p)`.
    Reverse,
    /// `equal(target, actual, weight, p)`.
    Equal,
    /// `qualitative(low, high, weight, reported, p)`.
    Qualitative,
    /// `deadline(days_late, planned_days, weight, explained, p)`.
    Deadline,
}

impl FormulaRole {
    /// Its key in `[formulas]`.
    pub fn key(self) -> &'static str {
        match self {
            FormulaRole::BudgetRate => "budget_rate",
            FormulaRole::BudgetScore => "budget_score",
            FormulaRole::Forward => "forward",
            FormulaRole::Reverse => "reverse",
            FormulaRole::Equal => "equal",
            FormulaRole::Qualitative => "qualitative",
            FormulaRole::Deadline => "deadline",
        }
    }
}

/// A formula argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A decimal.
    Dec(Decimal),
    /// An integer.
    Int(i64),
    /// A flag.
    Bool(bool),
    /// Nothing (`()` in Rhai).
    Unit,
}

/// One rounding by the rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounding {
    /// Before.
    pub before: Decimal,
    /// After.
    pub after: Decimal,
    /// Places kept.
    pub places: u32,
    /// Mode.
    pub mode: RoundingMode,
}

/// The rescaling of an indicator's score to the profile's level-1 weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RescaleStep {
    /// The score rescaled: the formula's result rounded to the score places.
    pub score: Decimal,
    /// The level-1 block's weight in the profile.
    pub profile: Decimal,
    /// The sum of the block's weights on the form.
    pub form: Decimal,
    /// profile ÷ form.
    pub factor: Decimal,
    /// score × profile ÷ form, rounded to the score places.
    pub rounding: Rounding,
}

/// Why an indicator's counted score is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// The computed score.
    Computed,
    /// The reported score (0 when none), since nothing was computed.
    Reported,
    /// The row's share (by weight) of the score its 二级 block reports for all its rows, since a
    /// row of the block could not be computed.
    Block,
}

/// How the total was formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotalDerivation {
    /// The funds block's share: its computed score, or the reported one when none was computed.
    pub funds: Decimal,
    /// Whether [`TotalDerivation::funds`] is the computed score.
    pub funds_computed: bool,
    /// Funds share + each indicator's counted score.
    pub sum: Decimal,
    /// The sum rounded to the total places.
    pub rounding: Rounding,
    /// The lower bound of the grade band the total falls in (the grade is the scorecard's);
    /// None when it is below every band.
    pub band_min: Option<Decimal>,
}
