//! Scoring: a [`RuleSet`] applied to an [`EvaluationDocument`] gives a [`Scorecard`] —
//! every number of the form recomputed beside the number the form reports.
//!
//! Rust holds the machinery (parsing texts, choosing the kind of each indicator from the
//! policy's classification, unit conversion through the policy's table, sums); every formula,
//! weight, threshold and rounding comes from the rule set. Pure: no I/O.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use crate::decisions::DecisionRecord;
use crate::document::{CellPos, EvaluationDocument, Indicator};
use crate::findings::{Finding, Severity};
use crate::grammar::{self, Comparator, Parsed};
use crate::policy::RuleSet;
use crate::script::ScriptError;

/// How an indicator is scored; chosen from its target text and the policy's classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// Higher is better (≥, >, or no comparator outside the policy's reverse list).
    Forward,
    /// Lower is better (≤, <, cost indicators, durations).
    Reverse,
    /// Must equal the target (=).
    Equal,
    /// Judged in words, scored within the tier the actual's phrase belongs to.
    Qualitative,
    /// A completion deadline.
    Deadline,
    /// A placeholder row or a row without weight: nothing to score.
    Unscored,
    /// The texts could not be read as the policy requires; the reported score is carried.
    Unreadable,
}

impl IndicatorKind {
    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            IndicatorKind::Forward => "正向指标",
            IndicatorKind::Reverse => "反向指标",
            IndicatorKind::Equal => "等于指标",
            IndicatorKind::Qualitative => "定性指标",
            IndicatorKind::Deadline => "时效指标",
            IndicatorKind::Unscored => "不计分",
            IndicatorKind::Unreadable => "无法计算",
        }
    }
}

/// The budget-execution block, computed and reported.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BudgetScore {
    /// 执行率 computed by the policy's rate formula (None when the budget is missing or zero).
    pub rate: Option<Decimal>,
    /// 得分 computed by the policy (None when it cannot be computed).
    pub score: Option<Decimal>,
    /// Points the block carries.
    pub weight: Decimal,
    /// 执行率 as reported.
    pub reported_rate: Option<Decimal>,
    /// 得分 as reported.
    pub reported_score: Option<Decimal>,
    /// 全年预算数 used.
    pub budget: Option<Decimal>,
    /// 全年执行数 used.
    pub executed: Option<Decimal>,
}

/// One indicator, computed and reported.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct IndicatorScore {
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: Option<String>,
    /// 三级指标.
    pub name: String,
    /// Target as written.
    pub target: String,
    /// Actual as written.
    pub actual: String,
    /// 分值.
    pub weight: Option<Decimal>,
    /// Computed score (after any rescaling); None when it cannot be computed.
    pub score: Option<Decimal>,
    /// Reported score.
    pub reported_score: Option<Decimal>,
    /// How it was scored.
    pub kind: IndicatorKind,
    /// Script function applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// Target in the base unit, as passed to the formula.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_value: Option<Decimal>,
    /// Actual in the base unit, as passed to the formula.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_value: Option<Decimal>,
    /// Base unit of the two values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Days late (deadline indicators; ≤ 0 is on time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_late: Option<i64>,
    /// Qualitative tier of the actual.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Factor applied to fit the policy's level-1 weight (when the policy rescales).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rescale: Option<Decimal>,
    /// Score that enters the total: the computed one, or the reported one when none could be
    /// computed (a finding says so).
    pub counted: Decimal,
}

impl IndicatorScore {
    /// Path 一级/二级/三级.
    pub fn path(&self) -> String {
        match &self.level2 {
            Some(l2) => format!("{}/{}/{}", self.level1, l2, self.name),
            None => format!("{}/{}", self.level1, self.name),
        }
    }
}

/// Total, computed and reported.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TotalScore {
    /// Funds score + Σ indicator scores, rounded as the policy says.
    pub score: Decimal,
    /// 总分 as reported.
    pub reported: Option<Decimal>,
}

/// The result of scoring one document: the report contract of `jixiao score --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Scorecard {
    /// Document id.
    pub id: String,
    /// 项目名称.
    pub project: String,
    /// 主管部门.
    pub department: Option<String>,
    /// Budget year.
    pub year: i32,
    /// Region of the document.
    pub region: Option<String>,
    /// Rule set applied.
    pub ruleset: String,
    /// Budget execution.
    pub budget: BudgetScore,
    /// Indicators in form order.
    pub indicators: Vec<IndicatorScore>,
    /// Total.
    pub total: TotalScore,
    /// Grade of the computed total.
    pub grade: String,
    /// Grade as reported, when the form states one.
    pub grade_reported: Option<String>,
    /// Findings.
    pub findings: Vec<Finding>,
    /// Reviewer decisions applied to this document (corrections before scoring, waivers after),
    /// in file order; empty when the run has no `--decisions`. See [`crate::decisions`].
    pub decisions: Vec<DecisionRecord>,
}

impl Scorecard {
    /// Number of unwaived findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity && !f.waived)
            .count()
    }
}

/// Texts that say nothing: no explanation given.
const EMPTY_NOTES: [&str; 6] = ["", "无", "无偏差", "/", "—", "-"];

/// Whether a deviation note explains anything.
pub fn note_explains(note: Option<&str>) -> bool {
    note.map(str::trim).is_some_and(|n| !EMPTY_NOTES.contains(&n))
}

/// Scores one document under one rule set. A script failure (a broken or hostile policy)
/// fails this document only, with an error naming rule set, file and line.
pub fn score_document(rules: &RuleSet, doc: &EvaluationDocument) -> Result<Scorecard, ScriptError> {
    let _deadline = rules.scripts.begin_document();
    let mut findings = Vec::new();
    let at = |pointer: String| doc.provenance.get(&pointer).copied();

    let budget = score_budget(rules, doc, &mut findings)?;

    let rescale = level1_rescale(rules, &doc.indicators);
    for (level1, factor) in &rescale {
        let profile = profile_weight(rules, level1).unwrap_or_default();
        findings.push(
            Finding::new(
                "S2",
                Severity::Info,
                format!(
                    "一级指标“{level1}”在表中合计 {} 分，规则集方案为 {profile} 分，得分按 {} 倍折算",
                    (profile / factor).round_dp(2).normalize(),
                    factor.round_dp(4).normalize()
                ),
            )
            .in_block("indicators"),
        );
    }
    let mut indicators = Vec::with_capacity(doc.indicators.len());
    for (i, ind) in doc.indicators.iter().enumerate() {
        let factor = rescale.get(ind.level1.as_str()).copied();
        let scored = score_indicator(
            rules,
            doc,
            ind,
            factor,
            at(format!("/indicators/{i}/score_reported")),
            &mut findings,
        )?;
        indicators.push(scored);
    }

    let sum: Decimal = budget.score.or(budget.reported_score).unwrap_or_default()
        + indicators.iter().map(|s| s.counted).sum::<Decimal>();
    let total = rules.round_total(sum);
    let reported_total = doc.total.score_reported;
    if let Some(reported) = reported_total {
        if reported != total {
            findings.push(
                Finding::new(
                    "T1",
                    Severity::Error,
                    format!(
                        "总分 {reported} 与按规则计算的 {total} 不一致（差 {}）",
                        (reported - total).normalize()
                    ),
                )
                .in_block("total")
                .at(at("/total/score_reported".into())),
            );
        }
    }
    let grade = rules.grade_of(total).unwrap_or("—").to_owned();
    if let Some(stated) = &doc.total.grade_reported {
        if stated.trim() != grade {
            findings.push(
                Finding::new(
                    "T2",
                    Severity::Error,
                    format!("填报等级“{stated}”与总分 {total} 对应的等级“{grade}”不一致"),
                )
                .in_block("total")
                .at(at("/total/grade_reported".into())),
            );
        }
    }

    Ok(Scorecard {
        id: doc.id.clone(),
        project: doc.project.name.clone(),
        department: doc.project.department.clone(),
        year: doc.year,
        region: doc.region.clone(),
        ruleset: rules.id.clone(),
        budget,
        indicators,
        total: TotalScore {
            score: total,
            reported: reported_total,
        },
        grade,
        grade_reported: doc.total.grade_reported.clone(),
        findings,
        decisions: Vec::new(),
    })
}

fn params(rules: &RuleSet) -> rhai::Dynamic {
    rhai::Dynamic::from_map(rules.params_map.clone())
}

fn score_budget(
    rules: &RuleSet,
    doc: &EvaluationDocument,
    findings: &mut Vec<Finding>,
) -> Result<BudgetScore, ScriptError> {
    let row = &doc.funds.total;
    let at = |field: &str| doc.provenance.get(&format!("/funds/total/{field}")).copied();
    let weight = match (rules.budget_weight_from_form, row.weight) {
        (true, Some(w)) => w,
        _ => rules.budget_weight,
    };
    let mut out = BudgetScore {
        rate: None,
        score: None,
        weight,
        reported_rate: row.rate_reported,
        reported_score: row.score_reported,
        budget: row.budget_adjusted,
        executed: row.executed,
    };
    let (Some(budget), Some(executed)) = (row.budget_adjusted, row.executed) else {
        findings.push(
            Finding::new(
                "F6",
                Severity::Error,
                "缺少全年预算数或全年执行数，无法计算预算执行率".into(),
            )
            .in_block("funds")
            .at(at("budget_adjusted")),
        );
        return Ok(out);
    };
    if budget.is_zero() {
        if weight > Decimal::ZERO {
            findings.push(
                Finding::new(
                    "F6",
                    Severity::Error,
                    format!("全年预算数为 0，预算执行却有分值 {weight}"),
                )
                .in_block("funds")
                .at(at("budget_adjusted")),
            );
        }
        return Ok(out);
    }
    let rate: Decimal = rules
        .scripts
        .call(&rules.formulas.budget_rate, (budget, executed, params(rules)))?;
    let score: Decimal = rules
        .scripts
        .call(&rules.formulas.budget_score, (rate, weight, params(rules)))?;
    let score = rules.round_score(score);
    out.rate = Some(rate);
    out.score = Some(score);
    if let Some(reported) = row.rate_reported {
        // The form shows the rate at its own precision; compare at that precision.
        let shown = rules.rounding_mode.round(rate, reported.scale());
        if shown != reported {
            findings.push(
                Finding::new(
                    "F2",
                    Severity::Error,
                    format!("执行率 {reported} 与按全年预算数计算的 {shown}（{executed} ÷ {budget}）不一致"),
                )
                .in_block("funds")
                .at(at("rate_reported")),
            );
        }
    }
    let explained = note_explains(row.note.as_deref());
    if let Some(threshold) = rules.param("reason_rate_threshold") {
        if rate < threshold && !explained {
            findings.push(
                Finding::new(
                    "F4",
                    Severity::Error,
                    format!(
                        "预算执行率 {} 低于 {}，但没有说明原因",
                        percent(rate),
                        percent(threshold)
                    ),
                )
                .in_block("funds")
                .at(at("rate_reported")),
            );
        }
    }
    if rules.param("adjustment_reason_required").is_some_and(|v| !v.is_zero()) {
        if let Some(initial) = row.budget_initial {
            if initial != budget && !explained {
                findings.push(
                    Finding::new(
                        "F5",
                        Severity::Error,
                        format!("年初预算数 {initial} 调整为 {budget}，但没有说明调整原因"),
                    )
                    .in_block("funds")
                    .at(at("budget_initial")),
                );
            }
        }
    }
    if let Some(reported) = row.score_reported {
        if reported != score {
            findings.push(
                Finding::new(
                    "F3",
                    Severity::Error,
                    format!("预算执行得分 {reported} 与按规则计算的 {score} 不一致"),
                )
                .in_block("funds")
                .at(at("score_reported")),
            );
        }
    }
    Ok(out)
}

/// A fraction as a percentage with two decimals (0.8619 → "86.19%").
fn percent(fraction: Decimal) -> String {
    format!("{}%", (fraction * Decimal::ONE_HUNDRED).round_dp(2).normalize())
}

/// Per level-1 name, the factor that maps the form's block weight onto the policy's profile,
/// when the policy rescales and the two differ.
fn level1_rescale<'a>(rules: &RuleSet, indicators: &'a [Indicator]) -> BTreeMap<&'a str, Decimal> {
    let mut factors = BTreeMap::new();
    if !rules.rescale {
        return factors;
    }
    let mut declared: BTreeMap<&str, Decimal> = BTreeMap::new();
    for ind in indicators {
        *declared.entry(ind.level1.as_str()).or_default() += ind.weight.unwrap_or_default();
    }
    for (level1, sum) in declared {
        if let Some(profile) = profile_weight(rules, level1) {
            if !sum.is_zero() && sum != profile {
                factors.insert(level1, profile / sum);
            }
        }
    }
    factors
}

/// The profile's weight for a level-1 name: exact match, else the profile key the name ends
/// with ("服务对象满意度指标" → "满意度指标").
pub fn profile_weight(rules: &RuleSet, level1: &str) -> Option<Decimal> {
    rules
        .level1_weights
        .get(level1)
        .or_else(|| {
            rules
                .level1_weights
                .iter()
                .find(|(k, _)| level1.ends_with(k.as_str()))
                .map(|(_, v)| v)
        })
        .copied()
}

/// A number and its unit converted to the base unit; percentages stay in percent.
fn to_base(rules: &RuleSet, value: Decimal, unit: Option<&str>, percent: bool) -> (Option<String>, Decimal) {
    if percent {
        return (Some("%".to_owned()), value);
    }
    match unit {
        Some(u) => {
            let (base, v) = rules.to_base_unit(value, u);
            (Some(base), v)
        }
        None => (None, value),
    }
}

/// Reads a quantity (or the bound of a constraint, or a duration in days) as a number.
fn quantity(rules: &RuleSet, parsed: &Parsed) -> Option<(Option<String>, Decimal)> {
    match parsed {
        Parsed::Quantity {
            value, unit, percent, ..
        } => Some(to_base(rules, *value, unit.as_deref(), *percent)),
        Parsed::Range { low, unit, percent, .. } => Some(to_base(rules, *low, unit.as_deref(), *percent)),
        Parsed::Duration { amount, unit, .. } => Some(to_base(rules, *amount, Some(unit.label()), false)),
        _ => None,
    }
}

struct IndicatorContext<'a> {
    rules: &'a RuleSet,
    ind: &'a Indicator,
    path: String,
    at: Option<CellPos>,
}

impl IndicatorContext<'_> {
    fn finding(&self, code: &str, severity: Severity, message: String) -> Finding {
        Finding::new(code, severity, message)
            .on_indicator(self.path.clone())
            .at(self.at)
    }
}

fn score_indicator(
    rules: &RuleSet,
    doc: &EvaluationDocument,
    ind: &Indicator,
    rescale: Option<Decimal>,
    at: Option<CellPos>,
    findings: &mut Vec<Finding>,
) -> Result<IndicatorScore, ScriptError> {
    let cx = IndicatorContext {
        rules,
        ind,
        path: ind.path(),
        at,
    };
    let unit_hint = ind.unit.clone().or_else(|| grammar::unit_from_name(&ind.name));
    let target = grammar::parse_value(&ind.target, unit_hint.as_deref(), ind.comparator.as_deref());
    let actual = grammar::parse_actual(&ind.actual, unit_hint.as_deref());
    let mut out = IndicatorScore {
        level1: ind.level1.clone(),
        level2: ind.level2.clone(),
        name: ind.name.clone(),
        target: ind.target.clone(),
        actual: ind.actual.clone(),
        weight: ind.weight,
        score: None,
        reported_score: ind.score_reported,
        kind: IndicatorKind::Unscored,
        formula: None,
        target_value: None,
        actual_value: None,
        unit: None,
        days_late: None,
        tier: None,
        rescale: None,
        counted: Decimal::ZERO,
    };
    let Some(weight) = ind.weight else {
        findings.push(cx.finding("S4", Severity::Error, "分值为空".into()));
        out.counted = ind.score_reported.unwrap_or_default();
        return Ok(out);
    };
    if ind.placeholder || (weight.is_zero() && matches!(target, Parsed::Nil | Parsed::Empty)) {
        out.score = Some(Decimal::ZERO);
        out.counted = ind.score_reported.unwrap_or_default();
        return Ok(out);
    }

    let raw = match &target {
        Parsed::Date { .. } => score_deadline(&cx, doc, &target, &actual, weight, &mut out, findings)?,
        Parsed::Qualitative { phrase } => score_qualitative(&cx, phrase, &actual, weight, &mut out, findings)?,
        Parsed::Quantity { .. } | Parsed::Range { .. } | Parsed::Duration { .. } => {
            score_quantity(&cx, &target, &actual, weight, &mut out, findings)?
        }
        Parsed::Empty | Parsed::Nil => {
            findings.push(cx.finding("S7", Severity::Error, format!("有分值 {weight} 但没有年度指标值")));
            None
        }
        Parsed::Unparsable { reason } => {
            findings.push(cx.finding(
                "S7",
                Severity::Error,
                format!("年度指标值“{}”无法解析：{reason}", ind.target),
            ));
            None
        }
    };
    let Some(raw) = raw else {
        out.kind = IndicatorKind::Unreadable;
        out.counted = ind.score_reported.unwrap_or_default();
        if ind.score_reported.is_some() {
            findings.push(cx.finding(
                "I0",
                Severity::Warning,
                format!(
                    "无法按规则计算得分，合计中暂按填报得分 {} 计入",
                    ind.score_reported.unwrap_or_default()
                ),
            ));
        }
        return Ok(out);
    };
    let mut score = rules.round_score(raw);
    if let Some(factor) = rescale {
        score = rules.round_score(score * factor);
        out.rescale = Some(factor);
    }
    out.score = Some(score);
    out.counted = score;
    if let Some(reported) = ind.score_reported {
        if reported != score && rescale.is_none() {
            findings.push(mismatch_finding(&cx, &out, reported, score, weight));
        }
    }
    Ok(out)
}

fn mismatch_finding(
    cx: &IndicatorContext,
    out: &IndicatorScore,
    reported: Decimal,
    score: Decimal,
    weight: Decimal,
) -> Finding {
    let code = match out.kind {
        IndicatorKind::Reverse if reported > score => "I4",
        IndicatorKind::Qualitative => "I5",
        IndicatorKind::Deadline if reported > score => "I7",
        _ if score == weight && reported < score => "I2",
        _ if reported > weight || reported < Decimal::ZERO => "I1",
        _ => "I3",
    };
    let what = match code {
        "I4" => "反向指标超出目标值却未按规则扣分",
        "I2" => "已完成目标却被扣分",
        "I5" => "定性得分不在该档次的区间内",
        "I7" => "逾期完成却未按规则扣分",
        "I1" => "得分超出分值范围",
        _ => "未完成目标的得分与完成比例不符",
    };
    cx.finding(
        code,
        Severity::Error,
        format!("{what}：得分 {reported} 与按规则计算的 {score} 不一致"),
    )
}

fn score_quantity(
    cx: &IndicatorContext,
    target: &Parsed,
    actual: &Parsed,
    weight: Decimal,
    out: &mut IndicatorScore,
    findings: &mut Vec<Finding>,
) -> Result<Option<Decimal>, ScriptError> {
    let rules = cx.rules;
    let Some((target_unit, target_value)) = quantity(rules, target) else {
        return Ok(None);
    };
    // Same text on both sides ("一个月内" / "一个月内") is met as written.
    let same_text = cx.ind.target.trim() == cx.ind.actual.trim();
    let actual_read = match actual {
        _ if actual.is_value() => quantity(rules, actual),
        Parsed::Empty | Parsed::Nil => {
            findings.push(cx.finding("I6", Severity::Error, "实际完成值为空".into()));
            None
        }
        _ if actual.is_constraint() => {
            if !same_text || !matches!(target, Parsed::Duration { .. }) {
                findings.push(cx.finding(
                    "I6",
                    Severity::Warning,
                    format!(
                        "实际完成值“{}”是一个范围或条件，不是实际数值；按其界值计算",
                        cx.ind.actual
                    ),
                ));
            }
            quantity(rules, actual)
        }
        _ => {
            findings.push(cx.finding(
                "I6",
                Severity::Error,
                format!(
                    "实际完成值“{}”不是数值，无法与年度指标值“{}”比较",
                    cx.ind.actual, cx.ind.target
                ),
            ));
            None
        }
    };
    let Some((actual_unit, actual_value)) = actual_read else {
        return Ok(None);
    };
    if let (Some(t), Some(a)) = (&target_unit, &actual_unit) {
        if t != a {
            findings.push(cx.finding(
                "S7",
                Severity::Error,
                format!("年度指标值的单位（{t}）与实际完成值的单位（{a}）不一致，无法比较"),
            ));
            return Ok(None);
        }
    }
    let comparator = match target {
        Parsed::Duration { .. } => Some(Comparator::Le),
        Parsed::Range { .. } => Some(Comparator::Ge),
        _ => target.comparator(),
    };
    let (kind, formula) = match comparator {
        Some(Comparator::Ge | Comparator::Gt) => (IndicatorKind::Forward, &rules.formulas.forward),
        Some(Comparator::Le | Comparator::Lt) => (IndicatorKind::Reverse, &rules.formulas.reverse),
        Some(Comparator::Eq) => (IndicatorKind::Equal, &rules.formulas.equal),
        None if cx
            .ind
            .level2
            .as_ref()
            .is_some_and(|l2| rules.reverse_level2.contains(l2)) =>
        {
            (IndicatorKind::Reverse, &rules.formulas.reverse)
        }
        None => (IndicatorKind::Forward, &rules.formulas.forward),
    };
    out.kind = kind;
    out.formula = Some(formula.clone());
    out.target_value = Some(target_value);
    out.actual_value = Some(actual_value);
    out.unit = target_unit.or(actual_unit);
    let score: Decimal = rules
        .scripts
        .call(formula, (target_value, actual_value, weight, params(rules)))?;
    Ok(Some(score))
}

fn score_qualitative(
    cx: &IndicatorContext,
    target_phrase: &str,
    actual: &Parsed,
    weight: Decimal,
    out: &mut IndicatorScore,
    findings: &mut Vec<Finding>,
) -> Result<Option<Decimal>, ScriptError> {
    let rules = cx.rules;
    let actual_phrase = match actual {
        Parsed::Qualitative { phrase } => phrase.as_str(),
        _ => cx.ind.actual.trim(),
    };
    let tier = rules
        .tiers
        .iter()
        .find(|t| t.phrases.iter().any(|p| p == actual_phrase))
        .or_else(|| {
            (rules.same_text_is_top_tier && actual_phrase == target_phrase)
                .then(|| rules.tiers.first())
                .flatten()
        });
    let Some(tier) = tier else {
        findings.push(cx.finding(
            "I5",
            Severity::Warning,
            format!("实际完成情况“{}”不在规则集的定性用语中，无法确定档次", cx.ind.actual),
        ));
        return Ok(None);
    };
    out.kind = IndicatorKind::Qualitative;
    out.formula = Some(rules.formulas.qualitative.clone());
    out.tier = Some(tier.name.clone());
    let reported = match cx.ind.score_reported {
        Some(r) => rhai::Dynamic::from_decimal(r),
        None => rhai::Dynamic::UNIT,
    };
    let score: Decimal = rules.scripts.call(
        &rules.formulas.qualitative,
        (tier.min, tier.max, weight, reported, params(rules)),
    )?;
    Ok(Some(score))
}

fn score_deadline(
    cx: &IndicatorContext,
    doc: &EvaluationDocument,
    target: &Parsed,
    actual: &Parsed,
    weight: Decimal,
    out: &mut IndicatorScore,
    findings: &mut Vec<Finding>,
) -> Result<Option<Decimal>, ScriptError> {
    let rules = cx.rules;
    let year = Some(doc.year);
    let Some(deadline) = target.deadline_day(year) else {
        findings.push(cx.finding(
            "S7",
            Severity::Error,
            format!("年度指标值“{}”不是可以核对的期限", cx.ind.target),
        ));
        return Ok(None);
    };
    let Some(done) = actual.actual_day(year) else {
        findings.push(cx.finding(
            "I6",
            Severity::Error,
            format!("实际完成值“{}”不是完成日期，无法核对是否按期", cx.ind.actual),
        ));
        return Ok(None);
    };
    let days_late = done - deadline;
    // Planned duration: from the start of the budget year to the deadline, inclusive.
    let year_start = grammar::days_from_civil(doc.year, 1, 1).unwrap_or(deadline);
    let planned = (deadline - year_start + 1).max(1);
    out.kind = IndicatorKind::Deadline;
    out.formula = Some(rules.formulas.deadline.clone());
    out.days_late = Some(days_late);
    let explained = note_explains(cx.ind.note.as_deref());
    let score: Decimal = rules.scripts.call(
        &rules.formulas.deadline,
        (days_late, planned, weight, explained, params(rules)),
    )?;
    Ok(Some(score))
}
