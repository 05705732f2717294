//! Scoring: a [`RuleSet`] applied to an [`EvaluationDocument`] gives a [`Scorecard`] —
//! every number of the form recomputed beside the number the form reports.
//!
//! Rust holds the machinery (parsing texts, choosing the kind of each indicator from the
//! policy's classification, unit conversion through the policy's table, sums); every formula,
//! weight, threshold and rounding comes from the rule set. Pure: no I/O.
//!
//! Asked to ([`score_document_traced`]), scoring also keeps a [`Trace`] of each derivation as it
//! makes it — values read, kinds and tiers chosen and why, formula calls, roundings — which
//! [`crate::engine::explain`] renders. The plain path keeps no such record.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use crate::engine::grammar::{self, Comparator, Parsed};
use crate::engine::review::{self, Emitter, Place, Val, dec_or_unit};
use crate::engine::trace::{
    Call, Conversion, Counted, Day, DeadlineDays, FormulaRole, FundsDerivation, FundsWeight, IndicatorDerivation,
    KindReason, Reading, RescaleStep, Rounding, TierBy, TierPick, TotalDerivation, Trace, UnitHint, UnitSource, Value,
};
use crate::model::decision_record::DecisionRecord;
use crate::model::document::{CellPos, EvaluationDocument, FormBlock, Indicator};
use crate::model::findings::{Finding, Severity};
use crate::model::range::{self, Overflow, checked_sum};
use crate::policy::checks::Code;
use crate::policy::{RuleSet, Tier};
use crate::script::ScriptError;

/// Why one document could not be scored under its rule set: a script failed on it (a broken or
/// hostile policy), or a computation on its numbers left the range decimals hold. Either way
/// the document alone fails, with the place named; the others are scored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreError {
    /// A rule-set script failed (or returned a number beyond the range).
    #[error(transparent)]
    Script(#[from] ScriptError),
    /// A computation overflowed.
    #[error(transparent)]
    Overflow(#[from] Overflow),
}

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
    /// Id as scripts see it in `f.kind` (`forward`, `reverse`, …).
    pub fn id(self) -> &'static str {
        match self {
            IndicatorKind::Forward => "forward",
            IndicatorKind::Reverse => "reverse",
            IndicatorKind::Equal => "equal",
            IndicatorKind::Qualitative => "qualitative",
            IndicatorKind::Deadline => "deadline",
            IndicatorKind::Unscored => "unscored",
            IndicatorKind::Unreadable => "unreadable",
        }
    }

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
    #[serde(serialize_with = "crate::model::decimal_text::serialize_opt")]
    pub rate: Option<Decimal>,
    /// 得分 computed by the policy (None when it cannot be computed).
    #[serde(serialize_with = "crate::model::decimal_text::serialize_opt")]
    pub score: Option<Decimal>,
    /// Points the block carries.
    #[serde(serialize_with = "crate::model::decimal_text::serialize")]
    pub weight: Decimal,
    /// 执行率 as reported.
    #[serde(serialize_with = "crate::model::decimal_text::serialize_opt")]
    pub reported_rate: Option<Decimal>,
    /// 得分 as reported.
    #[serde(serialize_with = "crate::model::decimal_text::serialize_opt")]
    pub reported_score: Option<Decimal>,
    /// 全年预算数 used.
    #[serde(serialize_with = "crate::model::decimal_text::serialize_opt")]
    pub budget: Option<Decimal>,
    /// 全年执行数 used.
    #[serde(serialize_with = "crate::model::decimal_text::serialize_opt")]
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
    #[serde(serialize_with = "crate::model::decimal_text::serialize_opt")]
    pub weight: Option<Decimal>,
    /// Computed score (after any rescaling); None when it cannot be computed.
    #[serde(serialize_with = "crate::model::decimal_text::serialize_opt")]
    pub score: Option<Decimal>,
    /// Reported score.
    #[serde(serialize_with = "crate::model::decimal_text::serialize_opt")]
    pub reported_score: Option<Decimal>,
    /// How it was scored.
    pub kind: IndicatorKind,
    /// Script function applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// Target in the base unit, as passed to the formula.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::decimal_text::serialize_opt"
    )]
    pub target_value: Option<Decimal>,
    /// Actual in the base unit, as passed to the formula.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::decimal_text::serialize_opt"
    )]
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
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::decimal_text::serialize_opt"
    )]
    pub rescale: Option<Decimal>,
    /// Score that enters the total: the computed one, or the reported one when none could be
    /// computed (a finding says so).
    #[serde(serialize_with = "crate::model::decimal_text::serialize")]
    pub counted: Decimal,
}

impl IndicatorScore {
    /// Path 一级/二级/三级.
    pub fn path(&self) -> String {
        crate::model::document::indicator_path(&self.level1, self.level2.as_deref(), &self.name)
    }
}

/// Total, computed and reported.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TotalScore {
    /// Funds score + Σ indicator scores, rounded as the policy says.
    #[serde(serialize_with = "crate::model::decimal_text::serialize")]
    pub score: Decimal,
    /// 总分 as reported.
    #[serde(serialize_with = "crate::model::decimal_text::serialize_opt")]
    pub reported: Option<Decimal>,
    /// True when the importer found the form cut short (finding M2): `score` is the total of
    /// what the form shows, not of the whole form.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    /// For an incomplete form, the most the whole form could total: `score` plus the points of
    /// what is missing (the rule set's full marks less the weights the form shows).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::model::decimal_text::serialize_opt"
    )]
    pub max_reachable: Option<Decimal>,
}

/// Where an imported form and its reported numbers were read from: the document's `source`
/// and the cells its provenance names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardOrigin {
    /// Input file as named on the command line.
    pub file: String,
    /// Worksheet, for workbooks.
    pub sheet: Option<String>,
    /// First and last row of the form (1-based, inclusive).
    pub rows: (u32, u32),
    /// Cell of the reported total.
    pub total: Option<CellPos>,
    /// Cell of each indicator's reported score (else of its name), in form order.
    pub indicators: Vec<Option<CellPos>>,
}

impl CardOrigin {
    /// The origin of `doc`, when it was imported from a form.
    fn of(doc: &EvaluationDocument) -> Option<Box<Self>> {
        let source = doc.source.as_ref()?;
        let cell = |pointer: &str| doc.provenance.get(pointer).copied();
        Some(Box::new(Self {
            file: source.file.clone(),
            sheet: source.sheet.clone(),
            rows: (source.first_row, source.last_row),
            total: cell("/total/score_reported"),
            indicators: (0..doc.indicators.len())
                .map(|i| {
                    cell(&format!("/indicators/{i}/score_reported")).or_else(|| cell(&format!("/indicators/{i}/name")))
                })
                .collect(),
        }))
    }

    /// The file, and the sheet of a workbook: `自评表.xlsx（Sheet1）`.
    pub fn file_and_sheet(&self) -> String {
        match &self.sheet {
            Some(sheet) => format!("{}（{sheet}）", self.file),
            None => self.file.clone(),
        }
    }
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
    /// in file order; empty when the run has no `--decisions`.
    pub decisions: Vec<DecisionRecord>,
    /// Where an imported form was read from, for the reports people open (workbook, CSV); not
    /// in the JSON report, since the evaluation document records it.
    #[serde(skip)]
    pub origin: Option<Box<CardOrigin>>,
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

/// Scores one document under one rule set. A script failure (a broken or hostile policy)
/// fails this document only, with an error naming rule set, file and line; so does a
/// computation that overflows, with an error naming the field (its JSON pointer).
pub fn score_document(rules: &RuleSet, doc: &EvaluationDocument) -> Result<Scorecard, ScoreError> {
    let (mut card, _) = score_without_texts(rules, doc, false)?;
    copy_texts(&mut card, doc);
    Ok(card)
}

/// [`score_document`] keeping the record of every derivation it makes ([`Trace`]), for
/// [`crate::engine::explain`] to render. The scorecard is the one [`score_document`] gives.
pub fn score_document_traced(rules: &RuleSet, doc: &EvaluationDocument) -> Result<(Scorecard, Trace), ScoreError> {
    let (mut card, trace) = score_without_texts(rules, doc, true)?;
    copy_texts(&mut card, doc);
    Ok((card, trace))
}

/// Copies the texts the scorecard repeats from the document.
fn copy_texts(card: &mut Scorecard, doc: &EvaluationDocument) {
    card.id.clone_from(&doc.id);
    card.project.clone_from(&doc.project.name);
    card.department.clone_from(&doc.project.department);
    card.region.clone_from(&doc.region);
    card.grade_reported.clone_from(&doc.total.grade_reported);
    card.origin = CardOrigin::of(doc);
    for (out, ind) in card.indicators.iter_mut().zip(&doc.indicators) {
        out.level1.clone_from(&ind.level1);
        out.level2.clone_from(&ind.level2);
        out.name.clone_from(&ind.name);
        out.target.clone_from(&ind.target);
        out.actual.clone_from(&ind.actual);
    }
}

/// [`score_document`] for a document the caller is done with (a batch run): the texts the
/// scorecard repeats (id, project, names, targets, actuals) move into it instead of being
/// copied. A failure comes with the document's id.
pub fn score_owned_document(rules: &RuleSet, doc: EvaluationDocument) -> Result<Scorecard, (ScoreError, String)> {
    let mut card = match score_without_texts(rules, &doc, false) {
        Ok((card, _)) => card,
        Err(e) => return Err((e, doc.id)),
    };
    card.origin = CardOrigin::of(&doc);
    card.id = doc.id;
    card.project = doc.project.name;
    card.department = doc.project.department;
    card.region = doc.region;
    card.grade_reported = doc.total.grade_reported;
    for (out, ind) in card.indicators.iter_mut().zip(doc.indicators) {
        out.level1 = ind.level1;
        out.level2 = ind.level2;
        out.name = ind.name;
        out.target = ind.target;
        out.actual = ind.actual;
    }
    Ok(card)
}

/// Everything of the scorecard but the texts copied from the document (left empty), and the
/// trace: its derivations are recorded only when `traced` (untraced, it holds just the funds
/// weight's source and the parts of the total, which cost nothing to keep).
fn score_without_texts(
    rules: &RuleSet,
    doc: &EvaluationDocument,
    traced: bool,
) -> Result<(Scorecard, Trace), ScoreError> {
    let _deadline = rules.scripts.begin_document();
    let overflow = |pointer: &str, what: &str| Overflow::new(&rules.id, pointer, what);
    let mut em = Emitter::new(rules, doc);
    review::import_issues(&mut em);
    // A form laid out on another scheme is scored on the weights it states, not rescaled.
    let scheme = scheme_difference(rules, doc)?;
    if let Some(s) = &scheme {
        em.emit(
            Code::M6,
            Place::block(s.block, s.pointer.as_str()),
            &[
                ("form", Val::Str(&s.form)),
                ("profile", Val::Str(&s.profile)),
                ("differences", Val::Str(&s.differences)),
                (
                    "handling",
                    Val::Str(
                        if s.split_differs || rules.level1_weights.is_empty() || !rules.rescale {
                            "按表中写明的分值评分，不按规则集方案折算"
                        } else {
                            "规则集方案中没有的一级指标按表中的分值计分，其余一级指标仍按规则集方案折算"
                        },
                    ),
                ),
            ],
        );
    }

    let (budget, funds) = score_budget(rules, doc, &mut em, traced)?;
    review::structure(&mut em, budget.weight, scheme.is_some())?;

    // A form that splits its points between funds and indicators otherwise than the profile
    // is judged on its own weights: rescaling one part to the profile would mix two schemes.
    let mut deviations = if scheme.as_ref().is_some_and(|s| s.split_differs) {
        Vec::new()
    } else {
        level1_deviations(rules, &doc.indicators)?
    };
    // A cut-off form whose last level-1 header declares the scheme's points ("项目效益(35分)")
    // but whose rows hold fewer is short because the rest is missing (M2 says so): that is
    // neither a scheme of its own (S2) nor a reason to scale what is there up.
    if doc.is_incomplete()
        && let Some(last) = doc.indicators.last()
    {
        deviations.retain(|d| {
            !(d.level1 == last.level1
                && d.scale.form < d.scale.profile
                && doc.declared_level1_weight(d.level1) == Some(d.scale.profile))
        });
    }
    let mut rescale: BTreeMap<&str, Rescale> = BTreeMap::new();
    for d in &deviations {
        em.emit(
            Code::S2,
            Place::indicator(d.first, "weight"),
            &[
                ("level1", Val::Str(d.level1)),
                ("form", Val::Dec(d.scale.form.normalize())),
                ("profile", Val::Dec(d.scale.profile)),
                ("factor", Val::Dec(d.scale.factor.round_dp(4).normalize())),
            ],
        );
        if rules.rescale {
            rescale.insert(d.level1, d.scale);
        }
    }
    let mut indicators = Vec::with_capacity(doc.indicators.len());
    let mut derivations = Vec::new();
    for (i, ind) in doc.indicators.iter().enumerate() {
        let scaling = rescale.get(ind.level1.as_str()).copied();
        // Its record, when traced, filled in as it is scored; the plain path passes none.
        let mut derivation = traced.then(blank_derivation);
        let scored = score_indicator(rules, doc, i, ind, scaling, derivation.as_mut(), &mut em)?;
        indicators.push(scored);
        derivations.extend(derivation);
    }
    shared_block_scores(rules, doc, &mut indicators, &mut derivations, &mut em)?;

    let funds_part = budget.score.or(budget.reported_score).unwrap_or_default();
    let sum = checked_sum(indicators.iter().map(|s| s.counted))
        .and_then(|indicators| funds_part.checked_add(indicators))
        .ok_or_else(|| overflow("/total", "总分（预算执行得分与各指标得分之和）"))?;
    let total = rules.round_total(sum);
    let reported_total = doc.total.score_reported;
    let incomplete = doc.is_incomplete();
    // What a form cut short could reach: its total plus the points its missing part carries.
    // Rows shown without any score (computed or reported) could still get their full weight.
    let max_reachable = if incomplete {
        let too_big = || overflow("/total", "表未完整时可达到的最高分（总分加缺少部分的分值）");
        // Weights as the total counts them: a rescaled block at the profile's weight.
        let rescaled: Option<Vec<Decimal>> = indicators
            .iter()
            .filter_map(|s| s.weight.map(|w| w.checked_mul(s.rescale.unwrap_or(Decimal::ONE))))
            .collect();
        let shown = rescaled
            .and_then(checked_sum)
            .and_then(|w| budget.weight.checked_add(w))
            .ok_or_else(too_big)?;
        let missing = rules
            .total_weight
            .checked_sub(shown)
            .ok_or_else(too_big)?
            .max(Decimal::ZERO);
        let unscored = checked_sum(
            indicators
                .iter()
                .filter(|s| s.score.is_none() && s.reported_score.is_none() && s.counted.is_zero())
                .filter_map(|s| s.weight),
        )
        .and_then(|rows| {
            rows.checked_add(if budget.score.is_none() && budget.reported_score.is_none() {
                budget.weight
            } else {
                Decimal::ZERO
            })
        })
        .ok_or_else(too_big)?;
        let extra = missing.checked_add(unscored).ok_or_else(too_big)?;
        let max = sum
            .checked_add(missing)
            .and_then(|x| x.checked_add(unscored))
            .ok_or_else(too_big)?;
        Some((extra, rules.round_total(max)))
    } else {
        None
    };
    if let (Some(reported), Some((missing, max))) = (reported_total, max_reachable) {
        if reported < total || reported > max {
            em.emit(
                Code::T5,
                Place::block("total", "/total/score_reported"),
                &[
                    ("reported", Val::Dec(reported)),
                    ("computed", Val::Dec(total)),
                    ("missing", Val::Dec(missing.normalize())),
                    ("max", Val::Dec(max)),
                ],
            );
        }
    } else if let Some(reported) = reported_total {
        if reported != total {
            let difference = reported
                .checked_sub(total)
                .ok_or_else(|| overflow("/total/score_reported", "填报总分与计算总分之差"))?;
            em.emit(
                Code::T1,
                Place::block("total", "/total/score_reported"),
                &[
                    ("reported", Val::Dec(reported)),
                    ("computed", Val::Dec(total)),
                    ("difference", Val::Dec(difference.normalize())),
                ],
            );
        }
    }
    let band = rules.grades.iter().find(|(_, min)| total >= *min);
    let grade = band.map_or("—", |(g, _)| g.as_str()).to_owned();
    // A form cut short may still earn any grade its reachable totals fall in.
    let reachable = |stated: &str| match max_reachable {
        Some((_, max)) => rules.grades.iter().enumerate().any(|(k, (g, min))| {
            let upper = k
                .checked_sub(1)
                .and_then(|up| rules.grades.get(up))
                .map(|(_, min)| *min);
            g == stated && *min <= max && upper.is_none_or(|upper| upper > total)
        }),
        None => false,
    };
    if let Some(stated) = &doc.total.grade_reported {
        if stated.trim() != grade && !reachable(stated.trim()) {
            em.emit(
                Code::T2,
                Place::block("total", "/total/grade_reported"),
                &[
                    ("reported", Val::Str(stated.trim())),
                    ("computed", Val::Str(&grade)),
                    ("total", Val::Dec(total)),
                ],
            );
        }
    }
    review::narrative(&mut em);

    let trace = Trace {
        funds,
        indicators: derivations,
        total: TotalDerivation {
            funds: funds_part,
            funds_computed: budget.score.is_some(),
            sum,
            rounding: rounding(rules, sum, total, rules.total_places),
            band_min: band.map(|(_, min)| *min),
        },
    };
    let card = Scorecard {
        id: String::new(),
        project: String::new(),
        department: None,
        year: doc.year,
        region: None,
        ruleset: rules.id.clone(),
        budget,
        indicators,
        total: TotalScore {
            score: total,
            reported: reported_total,
            incomplete,
            max_reachable: max_reachable.map(|(_, max)| max),
        },
        grade,
        grade_reported: None,
        findings: em.findings,
        decisions: Vec::new(),
        origin: None,
    };
    Ok((card, trace))
}

/// The record of a rounding by the rule set's mode.
fn rounding(rules: &RuleSet, before: Decimal, after: Decimal, places: u32) -> Rounding {
    Rounding {
        before,
        after,
        places,
        mode: rules.rounding_mode,
    }
}

fn params(rules: &RuleSet) -> rhai::Dynamic {
    rhai::Dynamic::from_map(rules.params_map.clone())
}

/// Calls formula `name`: natively when it is a shipped template the native code can decide
/// ([`crate::script::native`]), otherwise in Rhai with the arguments `args` builds. A result
/// beyond the range scoring computes with ([`crate::model::range`]) is the formula's error:
/// sums and differences of in-range numbers cannot overflow, and the function is named.
fn call_formula<A: rhai::FuncArgs>(
    rules: &RuleSet,
    name: &str,
    native: impl FnOnce(crate::script::native::Builtin, &rhai::Map) -> Option<Decimal>,
    args: impl FnOnce() -> A,
) -> Result<Decimal, ScriptError> {
    let value = match rules
        .scripts
        .natives()
        .get(name)
        .and_then(|n| native(n, &rules.params_map))
    {
        Some(value) => value,
        None => rules.scripts.call(name, args())?,
    };
    if range::within(value) {
        Ok(value)
    } else {
        Err(ScriptError::ResultOutOfRange {
            at: rules.scripts.definition_loc(name),
            function: name.to_owned(),
            value: crate::model::decimal_text::text(&value),
        })
    }
}

/// The funds block; its derivation is recorded when `traced`.
fn score_budget(
    rules: &RuleSet,
    doc: &EvaluationDocument,
    em: &mut Emitter,
    traced: bool,
) -> Result<(BudgetScore, FundsDerivation), ScoreError> {
    let row = &doc.funds.total;
    let funds = |pointer: &'static str| Place::block("funds", pointer);
    let in_indicators = funds_in_indicators(doc);
    let (weight, source) = match (rules.budget_weight_from_form, row.weight, doc.funds.declared_weight) {
        _ if in_indicators => (Decimal::ZERO, FundsWeight::InIndicators),
        (_, _, Some(w)) => (w, FundsWeight::Declared),
        (true, Some(w), None) => (w, FundsWeight::Form),
        (true, None, None) => (rules.budget_weight, FundsWeight::ProfileFormBlank),
        (false, _, None) => (rules.budget_weight, FundsWeight::Profile),
    };
    let absent = doc.lacks(FormBlock::Funds) || doc.lacks(FormBlock::FundsTotal);
    let mut rec = FundsDerivation {
        weight: source,
        absent,
        quotient: None,
        rate: None,
        rate_shown: None,
        score: None,
        rounding: None,
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
    // The form lacks the funds table (a fragment) or its total row: nothing to check; M2 says so.
    if absent {
        return Ok((out, rec));
    }
    funds_sums(doc, em)?;
    let f6 = [
        ("budget", Val::Opt(row.budget_adjusted)),
        ("executed", Val::Opt(row.executed)),
        ("weight", Val::Dec(weight)),
    ];
    let (Some(budget), Some(executed)) = (row.budget_adjusted, row.executed) else {
        em.emit(Code::F6, funds("/funds/total/budget_adjusted"), &f6);
        return Ok((out, rec));
    };
    if budget.is_zero() {
        if weight > Decimal::ZERO {
            em.emit(Code::F6, funds("/funds/total/budget_adjusted"), &f6);
        }
        return Ok((out, rec));
    }
    let rate = call_formula(
        rules,
        &rules.formulas.budget_rate,
        |n, p| n.budget_rate(budget, executed, p),
        || (budget, executed, params(rules)),
    )?;
    let raw = call_formula(
        rules,
        &rules.formulas.budget_score,
        |n, p| n.budget_score(rate, weight, p),
        || (rate, weight, params(rules)),
    )?;
    let score = rules.round_score(raw);
    out.rate = Some(rate);
    out.score = Some(score);
    if traced {
        rec.quotient = executed.checked_div(budget);
        rec.rate = Some(Call {
            role: FormulaRole::BudgetRate,
            function: rules.formulas.budget_rate.clone(),
            args: vec![Value::Dec(budget), Value::Dec(executed)],
            result: rate,
        });
        rec.score = Some(Call {
            role: FormulaRole::BudgetScore,
            function: rules.formulas.budget_score.clone(),
            args: vec![Value::Dec(rate), Value::Dec(weight)],
            result: raw,
        });
        rec.rounding = Some(rounding(rules, raw, score, rules.score_places));
    }
    if let Some(reported) = row.rate_reported {
        // The form shows the rate at its own precision; compare at that precision.
        let shown = rules.rounding_mode.round(rate, reported.scale());
        if traced {
            rec.rate_shown = Some(rounding(rules, rate, shown, reported.scale()));
        }
        if shown != reported && em.on(Code::F2) {
            // Shown in the message only: none when it cannot be computed (no initial budget,
            // a zero one, or a quotient beyond the decimal range).
            let initial_rate = match row.budget_initial {
                Some(initial) if !initial.is_zero() => executed
                    .checked_div(initial)
                    .map(|rate| rules.rounding_mode.round(rate, reported.scale())),
                _ => None,
            };
            em.emit(
                Code::F2,
                funds("/funds/total/rate_reported"),
                &[
                    ("reported", Val::Dec(reported)),
                    ("computed", Val::Dec(shown)),
                    ("executed", Val::Dec(executed)),
                    ("budget", Val::Dec(budget)),
                    ("initial_rate", Val::Opt(initial_rate)),
                ],
            );
        }
    }
    let adjusted = row.budget_initial.is_some_and(|initial| initial != budget);
    // At exactly 100% the rate is neither below a threshold nor above 100%: no question arises.
    let off_full = rate != Decimal::ONE;
    if (off_full && em.on(Code::F4)) || (adjusted && em.on(Code::F5)) {
        let note = row.note.as_deref().unwrap_or("").trim();
        let fact = |key: &str| -> rhai::Dynamic {
            match key {
                "rate" => rhai::Dynamic::from_decimal(rate),
                "reported_rate" => dec_or_unit(row.rate_reported),
                "budget" => rhai::Dynamic::from_decimal(budget),
                "initial" => dec_or_unit(row.budget_initial),
                "executed" => rhai::Dynamic::from_decimal(executed),
                "weight" => rhai::Dynamic::from_decimal(weight),
                "score" => rhai::Dynamic::from_decimal(score),
                "note" => note.into(),
                "note_blank" => (!rules.note_explains(Some(note))).into(),
                _ => rhai::Dynamic::UNIT,
            }
        };
        if off_full {
            em.run_script(Code::F4, funds("/funds/total/rate_reported"), &fact)?;
        }
        if adjusted {
            em.run_script(Code::F5, funds("/funds/total/budget_initial"), &fact)?;
        }
    }
    if let Some(reported) = row.score_reported {
        if reported != score || reported > weight {
            em.emit(
                Code::F3,
                funds("/funds/total/score_reported"),
                &[
                    ("reported", Val::Dec(reported)),
                    ("computed", Val::Dec(score)),
                    ("weight", Val::Dec(weight)),
                ],
            );
        }
    }
    Ok((out, rec))
}

/// Names of an indicator that scores the budget execution rate inside the indicator table (the
/// Yinchuan template's 项目管理/投入管理/预算执行率): the funds table then carries no points of its
/// own.
const BUDGET_RATE_INDICATORS: &[&str] = &["预算执行率", "资金执行率"];

/// True for an indicator that scores the budget execution rate.
fn is_budget_rate_indicator(name: &str) -> bool {
    BUDGET_RATE_INDICATORS.iter().any(|n| name.contains(n))
}

/// True when the budget execution is scored as an indicator and the funds table carries no
/// points: the table has neither 分值 nor 得分, no header states its weight, and an indicator
/// with a weight scores the execution rate.
fn funds_in_indicators(doc: &EvaluationDocument) -> bool {
    let row = &doc.funds.total;
    row.weight.is_none()
        && row.score_reported.is_none()
        && doc.funds.declared_weight.is_none()
        && doc
            .indicators
            .iter()
            .any(|i| i.weight.is_some() && is_budget_rate_indicator(&i.name))
}

/// How a form's scheme differs from the rule set's, for M6.
struct SchemeDifference {
    /// The form's scheme, in words ("预算执行 20、产出指标 40 …").
    form: String,
    /// The rule set's scheme, in words.
    profile: String,
    /// What differs, in words.
    differences: String,
    /// The form splits its points between the funds table and the indicators otherwise than
    /// the profile: no 一级 block is rescaled to the profile.
    split_differs: bool,
    /// Block and JSON pointer of the first difference.
    block: &'static str,
    pointer: String,
}

/// The ways a form's scheme differs from the rule set's profile: 一级 names the profile does not
/// know (项目决策, 项目管理 …), or a funds or indicator-table weight a header states otherwise
/// (预算执行情况(20分), 年度绩效目标(80分)). `None` when the rule set can judge the form on its
/// own scheme.
fn scheme_difference(rules: &RuleSet, doc: &EvaluationDocument) -> Result<Option<SchemeDifference>, Overflow> {
    let mut differences: Vec<String> = Vec::new();
    let mut first: Option<(&'static str, String)> = None;
    // The form's 一级 blocks in order, with their weights (declared, else the sum of the rows).
    let mut level1: Vec<(&str, Decimal, usize)> = Vec::new();
    for (i, ind) in doc.indicators.iter().enumerate() {
        if ind.placeholder || ind.level1.is_empty() {
            continue;
        }
        let w = ind.weight.unwrap_or_default();
        match level1.iter_mut().find(|(l, _, _)| *l == ind.level1) {
            Some(entry) => {
                entry.1 = entry.1.checked_add(w).ok_or_else(|| {
                    Overflow::new(
                        &rules.id,
                        format!("/indicators/{i}/weight"),
                        format!("一级指标“{}”各行分值之和", ind.level1),
                    )
                })?;
            }
            None => level1.push((ind.level1.as_str(), w, i)),
        }
    }
    for entry in &mut level1 {
        if let Some(declared) = doc.declared_level1_weight(entry.0) {
            entry.1 = declared;
        }
    }
    if !rules.level1_weights.is_empty() {
        for (name, _, i) in &level1 {
            if profile_weight(rules, name).is_none() {
                differences.push(format!("一级指标“{name}”不在规则集方案中"));
                first.get_or_insert(("indicators", format!("/indicators/{i}/level1")));
            }
        }
    }
    let unknown_names = differences.len();
    if let Some(w) = doc.funds.declared_weight
        && w != rules.budget_weight
    {
        differences.push(format!(
            "表头写明预算执行 {} 分，规则集为 {} 分",
            w.normalize(),
            rules.budget_weight
        ));
        first.get_or_insert(("funds", "/funds/declared_weight".to_owned()));
    }
    let profile_indicators = rules.total_weight.checked_sub(rules.budget_weight).ok_or_else(|| {
        Overflow::new(
            &rules.id,
            "/indicators_weight",
            "规则集的绩效指标分值（满分减预算执行分值）",
        )
    })?;
    if let Some(w) = doc.indicators_weight
        && w != profile_indicators
    {
        differences.push(format!(
            "表头写明绩效指标 {} 分，规则集为 {profile_indicators} 分",
            w.normalize()
        ));
        first.get_or_insert(("indicators", "/indicators_weight".to_owned()));
    }
    // Rescaling is off when the funds/indicator split differs, or when no 一级 block of the form
    // is one the profile knows.
    let split_differs = differences.len() > unknown_names || (unknown_names > 0 && unknown_names == level1.len());
    let Some((block, pointer)) = first else {
        return Ok(None);
    };
    let funds_weight = match doc.funds.declared_weight.or(doc.funds.total.weight) {
        Some(w) => w.normalize().to_string(),
        None if funds_in_indicators(doc) => "在指标表中计分".to_owned(),
        None => "未写明".to_owned(),
    };
    let mut form = vec![format!("预算执行 {funds_weight}")];
    form.extend(level1.iter().map(|(n, w, _)| format!("{n} {}", w.normalize())));
    let mut profile = vec![format!("预算执行 {}", rules.budget_weight)];
    if rules.level1_weights.is_empty() {
        profile.push(format!("绩效指标 {profile_indicators}"));
    } else {
        profile.extend(rules.level1_weights.iter().map(|(n, w)| format!("{n} {w}")));
    }
    Ok(Some(SchemeDifference {
        form: form.join("、"),
        profile: profile.join("、"),
        differences: differences.join("；"),
        split_differs,
        block,
        pointer,
    }))
}

/// The 二级 blocks whose rows share one reported 得分 (a table without a 分值 column): I11 when
/// the block's reported score differs from the sum of its rows' computed scores; when a row
/// cannot be computed, the block's reported score is carried instead (I0), spread over its rows
/// by their weights.
fn shared_block_scores(
    rules: &RuleSet,
    doc: &EvaluationDocument,
    indicators: &mut [IndicatorScore],
    derivations: &mut [IndicatorDerivation],
    em: &mut Emitter,
) -> Result<(), Overflow> {
    for (k, block) in doc.blocks.iter().enumerate() {
        let Some(reported) = block.score_reported else {
            continue;
        };
        let rows = block.indices();
        let Some(scored) = indicators.get(rows.clone()) else {
            continue;
        };
        let pointer = format!("/blocks/{k}/score_reported");
        let name = crate::model::document::indicator_path(&block.level1, None, block.level2.as_deref().unwrap_or(""));
        let too_big = |what: &str| Overflow::new(&rules.id, pointer.as_str(), format!("“{name}”{what}"));
        if scored.iter().all(|s| s.score.is_some()) {
            let computed = checked_sum(scored.iter().filter_map(|s| s.score)).ok_or_else(|| too_big("各行得分之和"))?;
            if computed != reported {
                em.emit(
                    Code::I11,
                    Place::block("indicators", &pointer),
                    &[
                        ("block", Val::Text(name)),
                        ("reported", Val::Dec(reported)),
                        ("computed", Val::Dec(computed)),
                        ("weight", Val::Opt(block.weight)),
                        ("basis", Val::Str(block.weight_basis.label())),
                    ],
                );
            }
            continue;
        }
        em.emit(
            Code::I0,
            Place::block("indicators", &pointer),
            &[("reported", Val::Dec(reported))],
        );
        let weights: Vec<Decimal> = scored.iter().map(|s| s.weight.unwrap_or_default()).collect();
        let whole = checked_sum(weights.iter().copied()).ok_or_else(|| too_big("各行分值之和"))?;
        for (j, row) in rows.enumerate() {
            let share = match weights.get(j) {
                Some(w) if !whole.is_zero() => reported
                    .checked_mul(*w)
                    .and_then(|x| x.checked_div(whole))
                    .ok_or_else(|| too_big("填报得分按分值分到各行"))?,
                _ if j == 0 => reported,
                _ => Decimal::ZERO,
            };
            if let Some(s) = indicators.get_mut(row) {
                s.counted = share;
            }
            if let Some(d) = derivations.get_mut(row) {
                d.counted = Counted::Block;
            }
        }
    }
    Ok(())
}

/// F1: each amount column of 年度资金总额 equals the sum of its 其中 rows.
fn funds_sums(doc: &EvaluationDocument, em: &mut Emitter) -> Result<(), Overflow> {
    let Some(check) = em_check(em, Code::F1) else {
        return Ok(());
    };
    let funds = &doc.funds;
    if funds.parts.is_empty() {
        return Ok(());
    }
    let ruleset = em.rules().id.as_str();
    let tolerance = check.dec("tolerance").unwrap_or_default();
    type Column = fn(&crate::model::document::FundsRow) -> Option<Decimal>;
    let columns: [(&str, &str, Column); 3] = [
        ("budget_initial", "年初预算数", |r| r.budget_initial),
        ("budget_adjusted", "全年预算数", |r| r.budget_adjusted),
        ("executed", "全年执行数", |r| r.executed),
    ];
    for (field, label, get) in columns {
        let Some(total) = get(&funds.total) else { continue };
        let parts: Vec<Decimal> = funds.parts.iter().filter_map(get).collect();
        if parts.is_empty() {
            continue;
        }
        let sum = checked_sum(parts)
            .ok_or_else(|| Overflow::new(ruleset, "/funds/parts", format!("其中各行的{label}之和")))?;
        let difference = total.checked_sub(sum).ok_or_else(|| {
            Overflow::new(
                ruleset,
                format!("/funds/total/{field}"),
                format!("年度资金总额的{label}与其中各行之和的差"),
            )
        })?;
        if difference.abs() > tolerance {
            em.emit(
                Code::F1,
                Place::block("funds", &format!("/funds/total/{field}")),
                &[
                    ("column", Val::Str(label)),
                    ("total", Val::Dec(total)),
                    ("sum", Val::Dec(sum)),
                    ("difference", Val::Dec(difference.normalize())),
                ],
            );
        }
    }
    Ok(())
}

fn em_check<'r>(em: &Emitter<'r>, code: Code) -> Option<&'r crate::policy::checks::Check> {
    em.rules().checks.enabled(code)
}

/// How a level-1 block's scores are brought to the profile's weight: × profile ÷ form.
#[derive(Debug, Clone, Copy)]
struct Rescale {
    /// Profile weight.
    profile: Decimal,
    /// Sum of the block's weights on the form.
    form: Decimal,
    /// profile ÷ form, for the report and the S2 message.
    factor: Decimal,
}

impl Rescale {
    /// `score × profile ÷ form`, multiplied first so that an exact result (a tie at the
    /// rounding digit) is not lost to a 28-digit quotient such as 50 ÷ 60; when the product
    /// leaves the decimal range, `score × factor`. None when that overflows too.
    fn apply(self, score: Decimal) -> Option<Decimal> {
        score
            .checked_mul(self.profile)
            .and_then(|x| x.checked_div(self.form))
            .or_else(|| score.checked_mul(self.factor))
    }
}

/// A level-1 block whose weights on the form differ from the policy's profile.
struct Level1Deviation<'a> {
    level1: &'a str,
    /// Index of its first indicator.
    first: usize,
    /// Its weights on the form against the profile's.
    scale: Rescale,
}

/// Level-1 blocks whose declared weights differ from the policy's profile (in form order).
fn level1_deviations<'a>(rules: &RuleSet, indicators: &'a [Indicator]) -> Result<Vec<Level1Deviation<'a>>, Overflow> {
    if rules.level1_weights.is_empty() {
        return Ok(Vec::new());
    }
    // (level-1, first real indicator of it, sum of weights)
    let mut declared: Vec<(&str, usize, Decimal)> = Vec::new();
    for (i, ind) in indicators.iter().enumerate() {
        let w = ind.weight.unwrap_or_default();
        match declared.iter_mut().find(|(l1, _, _)| *l1 == ind.level1) {
            Some(entry) => {
                entry.2 = entry.2.checked_add(w).ok_or_else(|| {
                    Overflow::new(
                        &rules.id,
                        format!("/indicators/{i}/weight"),
                        format!("一级指标“{}”各行分值之和", ind.level1),
                    )
                })?;
                // Point at a real indicator rather than a placeholder row ("经济效益指标 无").
                if indicators.get(entry.1).is_some_and(|first| first.placeholder) && !ind.placeholder {
                    entry.1 = i;
                }
            }
            None => declared.push((ind.level1.as_str(), i, w)),
        }
    }
    let mut deviations = Vec::new();
    for (level1, first, form) in declared {
        let Some(profile) = profile_weight(rules, level1) else {
            continue;
        };
        if form.is_zero() || form == profile {
            continue;
        }
        let factor = profile.checked_div(form).ok_or_else(|| {
            Overflow::new(
                &rules.id,
                format!("/indicators/{first}/weight"),
                format!("一级指标“{level1}”折算为规则集分值的系数（{profile} ÷ 表中分值之和 {form}）"),
            )
        })?;
        deviations.push(Level1Deviation {
            level1,
            first,
            scale: Rescale { profile, form, factor },
        });
    }
    Ok(deviations)
}

/// The profile's weight for a level-1 name: exact match, else the profile key the name ends
/// with ("服务对象满意度指标" → "满意度指标").
fn profile_weight(rules: &RuleSet, level1: &str) -> Option<Decimal> {
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

/// A number read from a text, in its base unit.
struct Quantity<'p> {
    /// The number as read (a range's lower bound).
    read: Decimal,
    /// Its unit as read.
    unit_read: Option<&'p str>,
    /// A percentage (stays in percent).
    percent: bool,
    /// Read from a range.
    range_low: bool,
    /// The text states no unit; the target's is taken.
    unit_from_target: bool,
    /// The `[units]` factor applied, if the unit is in the table.
    factor: Option<Decimal>,
    /// The base unit ("%" for a percentage).
    unit: Option<String>,
    /// The number in the base unit.
    value: Decimal,
}

impl Quantity<'_> {
    /// The record of the conversion.
    fn conversion(&self) -> Conversion {
        Conversion {
            value: self.read,
            unit: self.unit_read.map(str::to_owned),
            percent: self.percent,
            range_low: self.range_low,
            unit_from_target: self.unit_from_target,
            factor: self.unit.clone().zip(self.factor),
            result: self.value,
        }
    }
}

/// A number and its unit converted to the base unit through the policy's `[units]` (unknown
/// units stay as they are); percentages stay in percent. Err: the conversion overflows, in
/// words.
fn to_base<'p>(
    rules: &RuleSet,
    read: Decimal,
    unit_read: Option<&'p str>,
    percent: bool,
    range_low: bool,
) -> Result<Quantity<'p>, String> {
    let (unit, factor, value) = if percent {
        (Some("%".to_owned()), None, read)
    } else {
        match unit_read {
            Some(u) => match rules.units.get(u) {
                Some((base, factor)) => {
                    let value = read
                        .checked_mul(*factor)
                        .ok_or_else(|| format!("{read} {u}按规则集 [units] 的换算系数 {factor} 换算为{base}"))?;
                    (Some(base.clone()), Some(*factor), value)
                }
                None => (Some(u.to_owned()), None, read),
            },
            None => (None, None, read),
        }
    };
    Ok(Quantity {
        read,
        unit_read,
        percent,
        range_low,
        unit_from_target: false,
        factor,
        unit,
        value,
    })
}

/// Reads a quantity (or the bound of a constraint, or a duration in days) as a number; Err:
/// its conversion to the base unit overflows, in words.
fn quantity<'p>(rules: &RuleSet, parsed: &'p Parsed) -> Result<Option<Quantity<'p>>, String> {
    match parsed {
        Parsed::Quantity {
            value, unit, percent, ..
        } => to_base(rules, *value, unit.as_deref(), *percent, false).map(Some),
        Parsed::Range { low, unit, percent, .. } => to_base(rules, *low, unit.as_deref(), *percent, true).map(Some),
        Parsed::Duration { amount, unit, .. } => to_base(rules, *amount, Some(unit.label()), false, false).map(Some),
        _ => Ok(None),
    }
}

struct IndicatorContext<'a> {
    rules: &'a RuleSet,
    ind: &'a Indicator,
    index: usize,
    /// The document's budget year.
    year: i32,
}

impl IndicatorContext<'_> {
    fn place<'f>(&self, field: &'f str) -> Place<'f> {
        Place::indicator(self.index, field)
    }

    /// An overflow computing `what` about this indicator's `field`.
    fn overflow(&self, field: &str, what: impl Into<String>) -> Overflow {
        Overflow::new(&self.rules.id, format!("/indicators/{}/{field}", self.index), what)
    }

    /// I6: the actual is not a value.
    fn i6(&self, em: &mut Emitter, problem: &str) {
        em.emit(
            Code::I6,
            self.place("actual"),
            &[
                ("target", Val::Str(&self.ind.target)),
                ("actual", Val::Str(&self.ind.actual)),
                ("problem", Val::Str(problem)),
            ],
        );
    }

    /// S7: the target is not a usable value.
    fn s7(&self, em: &mut Emitter, problem: &str) {
        em.emit(
            Code::S7,
            self.place("target"),
            &[
                ("target", Val::Str(&self.ind.target)),
                ("actual", Val::Str(&self.ind.actual)),
                ("problem", Val::Str(problem)),
            ],
        );
    }
}

/// One indicator; its derivation is recorded in `rec`, if given.
fn score_indicator(
    rules: &RuleSet,
    doc: &EvaluationDocument,
    index: usize,
    ind: &Indicator,
    rescale: Option<Rescale>,
    mut rec: Option<&mut IndicatorDerivation>,
    em: &mut Emitter,
) -> Result<IndicatorScore, ScoreError> {
    let cx = IndicatorContext {
        rules,
        ind,
        index,
        year: doc.year,
    };
    let unit_hint = ind.unit.clone().or_else(|| grammar::unit_from_name(&ind.name));
    let target = grammar::parse_value(&ind.target, unit_hint.as_deref(), ind.comparator.as_deref());
    let actual = grammar::parse_actual(&ind.actual, unit_hint.as_deref());
    if let Some(r) = rec.as_deref_mut() {
        record_readings(r, doc, ind, unit_hint.as_deref(), &target, &actual);
    }
    let mut out = IndicatorScore {
        // The texts as written are filled in by `score_document` or `score_owned_document`.
        level1: String::new(),
        level2: None,
        name: String::new(),
        target: String::new(),
        actual: String::new(),
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
        em.emit(Code::S4, cx.place("weight"), &[("weight", Val::Opt(None))]);
        out.counted = ind.score_reported.unwrap_or_default();
        if let Some(r) = rec.as_deref_mut() {
            r.kind = KindReason::NoWeight;
        }
        return Ok(out);
    };
    if ind.placeholder || (weight.is_zero() && matches!(target, Parsed::Nil | Parsed::Empty)) {
        out.score = Some(Decimal::ZERO);
        out.counted = ind.score_reported.unwrap_or_default();
        if let Some(r) = rec.as_deref_mut() {
            r.kind = if ind.placeholder {
                KindReason::Placeholder
            } else {
                KindReason::ZeroWeightNoTarget
            };
        }
        return Ok(out);
    }
    if weight <= Decimal::ZERO {
        em.emit(Code::S4, cx.place("weight"), &[("weight", Val::Dec(weight))]);
    }

    let raw = match &target {
        Parsed::Date { .. } => score_deadline(&cx, &target, &actual, weight, &mut out, em, rec.as_deref_mut())?,
        Parsed::Qualitative { phrase } => {
            score_qualitative(&cx, phrase, &actual, weight, &mut out, em, rec.as_deref_mut())?
        }
        Parsed::Quantity { .. } | Parsed::Range { .. } | Parsed::Duration { .. } => {
            score_quantity(&cx, &target, &actual, weight, &mut out, em, rec.as_deref_mut())?
        }
        Parsed::Empty | Parsed::Nil => {
            cx.s7(em, "为空，但该指标有分值");
            None
        }
        Parsed::Unparsable { reason } => {
            cx.s7(em, &format!("无法解析：{reason}"));
            None
        }
    };
    let Some(raw) = raw else {
        out.kind = IndicatorKind::Unreadable;
        out.counted = ind.score_reported.unwrap_or_default();
        if let Some(reported) = ind.score_reported {
            em.emit(
                Code::I0,
                cx.place("score_reported"),
                &[("reported", Val::Dec(reported))],
            );
        }
        if let Some(r) = rec.as_deref_mut() {
            r.kind = KindReason::Unreadable;
        }
        return Ok(out);
    };
    let unscaled = rules.round_score(raw);
    let mut score = unscaled;
    if let Some(r) = rec.as_deref_mut() {
        r.rounding = Some(rounding(rules, raw, unscaled, rules.score_places));
        r.counted = Counted::Computed;
    }
    if let Some(scale) = rescale {
        let rescaled = scale.apply(score).ok_or_else(|| {
            cx.overflow(
                "weight",
                format!(
                    "得分 {score} 按一级指标“{}”折算为规则集分值（× {} ÷ {}）",
                    ind.level1, scale.profile, scale.form
                ),
            )
        })?;
        score = rules.round_score(rescaled);
        out.rescale = Some(scale.factor);
        if let Some(r) = rec {
            r.rescale = Some(RescaleStep {
                score: unscaled,
                profile: scale.profile,
                form: scale.form,
                factor: scale.factor,
                rounding: rounding(rules, rescaled, score, rules.score_places),
            });
        }
    }
    out.score = Some(score);
    out.counted = score;
    score_checks(&cx, &out, unscaled, weight, em);
    policy_checks(&cx, &target, &out, unscaled, weight, em)?;
    Ok(out)
}

/// An indicator's record before scoring has read anything; filled in as scoring proceeds.
fn blank_derivation() -> IndicatorDerivation {
    IndicatorDerivation {
        unit_hint: None,
        target: Reading {
            parsed: Parsed::Empty,
            day: None,
        },
        actual: Reading {
            parsed: Parsed::Empty,
            day: None,
        },
        kind: KindReason::Unreadable,
        target_conversion: None,
        actual_conversion: None,
        deadline: None,
        tier: None,
        call: None,
        rounding: None,
        rescale: None,
        counted: Counted::Reported,
    }
}

/// Records an indicator's unit hint and the readings of its texts (the day a date stands for
/// in the budget year included).
fn record_readings(
    r: &mut IndicatorDerivation,
    doc: &EvaluationDocument,
    ind: &Indicator,
    unit_hint: Option<&str>,
    target: &Parsed,
    actual: &Parsed,
) {
    let year = Some(doc.year);
    r.unit_hint = unit_hint.map(|unit| UnitHint {
        unit: unit.to_owned(),
        source: match &ind.unit {
            None => UnitSource::Name,
            Some(column) if grammar::unit_from_name(&ind.name).as_ref() == Some(column) => UnitSource::ColumnAndName,
            Some(_) => UnitSource::Column,
        },
    });
    r.target = Reading {
        parsed: target.clone(),
        day: target.deadline_day(year).map(Day),
    };
    r.actual = Reading {
        parsed: actual.clone(),
        day: actual.actual_day(year).map(Day),
    };
}

/// I1 (score out of range) and the score-mismatch codes I2–I5, I7. `score` is the computed
/// score before any rescaling to the policy's profile: the reported score is on the form's own
/// weights, so the two are compared on that scale whether or not the policy rescales.
fn score_checks(cx: &IndicatorContext, out: &IndicatorScore, score: Decimal, weight: Decimal, em: &mut Emitter) {
    let reported = cx.ind.score_reported;
    let values = |reported: Option<Decimal>| {
        [
            ("reported", Val::Opt(reported)),
            ("computed", Val::Dec(score)),
            ("weight", Val::Dec(weight)),
            ("target", Val::Str(&cx.ind.target)),
            ("actual", Val::Str(&cx.ind.actual)),
            ("kind", Val::Str(out.kind.label())),
        ]
    };
    let out_of_range = reported.is_some_and(|r| r > weight || r < Decimal::ZERO);
    if out_of_range {
        em.emit(Code::I1, cx.place("score_reported"), &values(reported));
    }
    let late = out.days_late.is_some_and(|d| d > 0);
    if out.kind == IndicatorKind::Deadline && late {
        let explained = cx.rules.note_explains(cx.ind.note.as_deref());
        let mismatch = reported.is_some_and(|r| r != score);
        if mismatch || reported == Some(weight) || !explained {
            em.emit(
                Code::I7,
                cx.place("score_reported"),
                &[
                    ("target", Val::Str(&cx.ind.target)),
                    ("actual", Val::Str(&cx.ind.actual)),
                    ("days_late", Val::Int(out.days_late.unwrap_or_default())),
                    ("reported", Val::Opt(reported)),
                    ("computed", Val::Dec(score)),
                    ("weight", Val::Dec(weight)),
                    ("note", Val::Str(cx.ind.note.as_deref().unwrap_or("").trim())),
                ],
            );
        }
        return;
    }
    let Some(reported) = reported else { return };
    if reported == score || out_of_range {
        return;
    }
    let code = match out.kind {
        IndicatorKind::Qualitative => Code::I5,
        IndicatorKind::Reverse => Code::I4,
        _ if score == weight && reported < score => Code::I2,
        _ => Code::I3,
    };
    em.emit(code, cx.place("score_reported"), &values(Some(reported)));
}

/// The scripted indicator checks (I8, I9, I10, R1–R3), each called only when its question
/// arises; the facts map is built once, and only if some check is called.
fn policy_checks(
    cx: &IndicatorContext,
    target: &Parsed,
    out: &IndicatorScore,
    score: Decimal,
    weight: Decimal,
    em: &mut Emitter,
) -> Result<(), ScoreError> {
    let (t, a) = (out.target_value, out.actual_value);
    // `x ≥ y × 2` where `y × 2` overflows is false: x is below anything that large.
    let at_least_twice = |x: Decimal, y: Decimal| y.checked_mul(Decimal::TWO).is_some_and(|twice| x >= twice);
    let values = t.zip(a);
    // The checks that compare the two values divide one by the other (the `ratio` fact, I10's
    // multiple): a quotient beyond the decimal range is this document's overflow, named here,
    // rather than a check script's arithmetic error.
    if let Some((t, a)) = values
        && t > Decimal::ZERO
        && a >= Decimal::ZERO
    {
        let ratio_read = em.on(Code::I8) || em.on(Code::R2) || em.on(Code::I10);
        let multiple_read = em.on(Code::I10) && a > Decimal::ZERO;
        if (ratio_read && a.checked_div(t).is_none()) || (multiple_read && t.checked_div(a).is_none()) {
            return Err(cx
                .overflow("actual", format!("实际完成值 {a} 与年度指标值 {t} 相除"))
                .into());
        }
    }
    let quantitative = matches!(
        out.kind,
        IndicatorKind::Forward | IndicatorKind::Reverse | IndicatorKind::Equal
    );
    let shortfall = score < weight;
    let late = out.days_late.is_some_and(|d| d > 0);
    let deviates = values.is_some_and(|(t, a)| t != a) || shortfall || late;
    let note_blank = !cx.rules.note_explains(cx.ind.note.as_deref());
    // A note can contradict the numbers when the actual is above a higher-is-better target,
    // when the target is missed, or when the note says something at all.
    let above = matches!(out.kind, IndicatorKind::Forward | IndicatorKind::Equal) && values.is_some_and(|(t, a)| a > t);
    let missed = shortfall || late;
    if quantitative {
        if let (Some(t), Some(check)) = (t, cx.rules.checks.enabled(Code::I9)) {
            target_edge(cx, out.kind, t, target, check, em);
        }
    }
    let calls: [(Code, bool, &str); 5] = [
        (
            Code::I8,
            matches!(out.kind, IndicatorKind::Forward | IndicatorKind::Equal)
                && values.is_some_and(|(t, a)| t > Decimal::ZERO && a > t),
            "actual",
        ),
        (
            Code::I10,
            // Less than twofold apart is never an order of magnitude.
            values.is_some_and(|(t, a)| {
                t > Decimal::ZERO && a > Decimal::ZERO && (at_least_twice(a, t) || at_least_twice(t, a))
            }),
            "actual",
        ),
        (Code::R1, shortfall || late, "note"),
        (Code::R2, above || missed || !note_blank, "note"),
        (Code::R3, missed && !note_blank, "note"),
    ];
    let facts = IndicatorFacts {
        cx,
        target,
        out,
        score,
        weight,
        note_blank,
        deviates,
    };
    for (code, applies, field) in calls {
        if applies && em.on(code) {
            em.run_script(code, cx.place(field), &|key| facts.get(key))?;
        }
    }
    Ok(())
}

/// I9: a target at the edge of what its value can be, so that any actual meets it (or none
/// can). Native: it would run on every quantitative indicator; its threshold is the policy's.
fn target_edge(
    cx: &IndicatorContext,
    kind: IndicatorKind,
    t: Decimal,
    target: &Parsed,
    check: &crate::policy::checks::Check,
    em: &mut Emitter,
) {
    let percent = matches!(
        target,
        Parsed::Quantity { percent: true, .. } | Parsed::Range { percent: true, .. }
    );
    let floor = check.dec("forward_floor").unwrap_or_default();
    let hundred = Decimal::ONE_HUNDRED;
    let problem = match kind {
        IndicatorKind::Forward if t <= floor => format!("不大于 {floor}：任何完成值都能达到，目标没有意义"),
        IndicatorKind::Forward if percent && t > hundred => "超过 100%：比例不可能达到".to_owned(),
        IndicatorKind::Reverse if percent && t >= hundred => {
            "是不低于 100% 的上限：任何完成值都能达到，目标没有意义".to_owned()
        }
        _ => return,
    };
    em.emit(
        Code::I9,
        cx.place("target"),
        &[
            ("target", Val::Str(&cx.ind.target)),
            ("actual", Val::Str(&cx.ind.actual)),
            ("problem", Val::Text(problem)),
        ],
    );
}

/// The facts scripted indicator checks receive as `f` (see `INDICATOR_FACTS` in
/// `policy::checks`), each built only when a check reads it.
struct IndicatorFacts<'a> {
    cx: &'a IndicatorContext<'a>,
    target: &'a Parsed,
    out: &'a IndicatorScore,
    score: Decimal,
    weight: Decimal,
    note_blank: bool,
    deviates: bool,
}

impl IndicatorFacts<'_> {
    fn get(&self, key: &str) -> rhai::Dynamic {
        use rhai::Dynamic as D;
        let ind = self.cx.ind;
        let out = self.out;
        let (t, a) = (out.target_value, out.actual_value);
        match key {
            "path" => ind.path().into(),
            "level1" => ind.level1.clone().into(),
            "level2" => ind.level2.clone().unwrap_or_default().into(),
            "name" => ind.name.clone().into(),
            "kind" => out.kind.id().into(),
            "comparator" => self.target.comparator().map_or("", Comparator::symbol).into(),
            "target" => ind.target.clone().into(),
            "actual" => ind.actual.clone().into(),
            "note" => ind.note.as_deref().unwrap_or("").trim().to_owned().into(),
            "note_blank" => self.note_blank.into(),
            "target_value" => dec_or_unit(t),
            "actual_value" => dec_or_unit(a),
            "unit" => out.unit.clone().unwrap_or_default().into(),
            "percent" => matches!(
                self.target,
                Parsed::Quantity { percent: true, .. } | Parsed::Range { percent: true, .. }
            )
            .into(),
            "weight" => D::from_decimal(self.weight),
            "score" => D::from_decimal(self.score),
            "reported" => dec_or_unit(ind.score_reported),
            "met" => match (out.kind, t, a) {
                (IndicatorKind::Forward, Some(t), Some(a)) => D::from_bool(a >= t),
                (IndicatorKind::Reverse, Some(t), Some(a)) => D::from_bool(a <= t),
                (IndicatorKind::Equal, Some(t), Some(a)) => D::from_bool(a == t || (t.is_zero() && a <= t)),
                (IndicatorKind::Deadline, _, _) => D::from_bool(out.days_late.is_some_and(|d| d <= 0)),
                (IndicatorKind::Qualitative, _, _) => {
                    D::from_bool(out.tier.as_deref() == self.cx.rules.tiers.first().map(|t| t.name.as_str()))
                }
                _ => D::UNIT,
            },
            // `()` where it cannot be computed, a quotient beyond the decimal range included.
            "ratio" => match (t, a) {
                (Some(t), Some(a)) if t > Decimal::ZERO && a >= Decimal::ZERO => {
                    a.checked_div(t).map_or(D::UNIT, D::from_decimal)
                }
                _ => D::UNIT,
            },
            "deviates" => self.deviates.into(),
            "above" => (matches!(out.kind, IndicatorKind::Forward | IndicatorKind::Equal)
                && t.zip(a).is_some_and(|(t, a)| a > t && t > Decimal::ZERO))
            .into(),
            "days_late" => out.days_late.map_or(D::UNIT, D::from_int),
            "shortfall" => self
                .weight
                .checked_sub(self.score)
                .map_or(D::UNIT, |d| D::from_decimal(d.max(Decimal::ZERO))),
            _ => D::UNIT,
        }
    }
}

fn score_quantity(
    cx: &IndicatorContext,
    target: &Parsed,
    actual: &Parsed,
    weight: Decimal,
    out: &mut IndicatorScore,
    em: &mut Emitter,
    rec: Option<&mut IndicatorDerivation>,
) -> Result<Option<Decimal>, ScoreError> {
    let rules = cx.rules;
    let Some(target_read) = quantity(rules, target).map_err(|what| cx.overflow("target", what))? else {
        return Ok(None);
    };
    // Same text on both sides ("一个月内" / "一个月内") is met as written.
    let same_text = cx.ind.target.trim() == cx.ind.actual.trim();
    let actual_read = match actual {
        _ if actual.is_value() => quantity(rules, actual),
        Parsed::Empty | Parsed::Nil => {
            cx.i6(em, "为空");
            Ok(None)
        }
        _ if actual.is_constraint() => {
            if !same_text || !matches!(target, Parsed::Duration { .. }) {
                cx.i6(em, "是一个范围或条件，不是实际数值；按其界值计算");
            }
            quantity(rules, actual)
        }
        _ => {
            cx.i6(em, "不是数值，无法与年度指标值比较");
            Ok(None)
        }
    }
    .map_err(|what| cx.overflow("actual", what))?;
    let Some(mut actual_read) = actual_read else {
        return Ok(None);
    };
    // "≤90万元" against "90": an actual without a unit is in the target's ("90" 万元).
    if actual_read.unit_read.is_none()
        && !actual_read.percent
        && !target_read.percent
        && let Some(unit) = target_read.unit_read
    {
        actual_read = Quantity {
            unit_from_target: true,
            ..to_base(rules, actual_read.read, Some(unit), false, actual_read.range_low)
                .map_err(|what| cx.overflow("actual", what))?
        };
    }
    if let (Some(t), Some(a)) = (&target_read.unit, &actual_read.unit) {
        if t != a {
            cx.s7(em, &format!("的单位（{t}）与实际完成值的单位（{a}）不一致，无法比较"));
            return Ok(None);
        }
    }
    let comparator = match target {
        Parsed::Duration { .. } => Some(Comparator::Le),
        Parsed::Range { .. } => Some(Comparator::Ge),
        _ => target.comparator(),
    };
    let reverse_level2 = match (comparator, &cx.ind.level2) {
        (None, Some(l2)) if rules.reverse_level2.contains(l2) => Some(l2),
        _ => None,
    };
    let (kind, formula, role) = match comparator {
        Some(Comparator::Ge | Comparator::Gt) => {
            (IndicatorKind::Forward, &rules.formulas.forward, FormulaRole::Forward)
        }
        Some(Comparator::Le | Comparator::Lt) => {
            (IndicatorKind::Reverse, &rules.formulas.reverse, FormulaRole::Reverse)
        }
        Some(Comparator::Eq) => (IndicatorKind::Equal, &rules.formulas.equal, FormulaRole::Equal),
        None if reverse_level2.is_some() => (IndicatorKind::Reverse, &rules.formulas.reverse, FormulaRole::Reverse),
        None => (IndicatorKind::Forward, &rules.formulas.forward, FormulaRole::Forward),
    };
    let (target_value, actual_value) = (target_read.value, actual_read.value);
    let score = call_formula(
        rules,
        formula,
        |n, p| n.quantity(target_value, actual_value, weight, p),
        || (target_value, actual_value, weight, params(rules)),
    )?;
    if let Some(r) = rec {
        r.kind = match (target, comparator) {
            (Parsed::Duration { .. }, _) => KindReason::Duration,
            (Parsed::Range { .. }, _) => KindReason::Range,
            (_, Some(comparator)) => KindReason::Comparator {
                comparator,
                // The grammar takes the 指标性质 column's comparator only when the text has none.
                from_column: cx.ind.comparator.is_some() && grammar::comparator_from_text(&cx.ind.target).is_none(),
            },
            (_, None) => match reverse_level2 {
                Some(l2) => KindReason::ReverseLevel2 { level2: l2.clone() },
                None => KindReason::NoComparator,
            },
        };
        r.target_conversion = Some(target_read.conversion());
        r.actual_conversion = Some(actual_read.conversion());
        r.call = Some(Call {
            role,
            function: formula.clone(),
            args: vec![Value::Dec(target_value), Value::Dec(actual_value), Value::Dec(weight)],
            result: score,
        });
    }
    out.kind = kind;
    out.formula = Some(formula.clone());
    out.target_value = Some(target_value);
    out.actual_value = Some(actual_value);
    out.unit = target_read.unit.or(actual_read.unit);
    Ok(Some(score))
}

/// How a qualitative actual got its tier.
#[derive(Debug, Clone, Copy)]
enum TierChoice<'r> {
    /// The actual is one of the tier's phrases.
    ByPhrase(&'r Tier),
    /// The actual repeats the target's text, and the rule set puts that in the top tier
    /// (`[classify] same_text_is_top_tier`).
    SameTextAsTarget(&'r Tier),
    /// The actual is blank in a level-1 block the rule set scores by written criteria
    /// (`[classify.criteria]`).
    Criteria(&'r Tier),
}

impl<'r> TierChoice<'r> {
    /// The tier chosen, and how.
    fn tier(self) -> (&'r Tier, TierBy) {
        match self {
            TierChoice::ByPhrase(t) => (t, TierBy::Phrase),
            TierChoice::SameTextAsTarget(t) => (t, TierBy::SameTextAsTarget),
            TierChoice::Criteria(t) => (t, TierBy::Criteria),
        }
    }
}

/// The tier of a qualitative actual: the tier whose phrases include it or, when the rule set
/// says so, the top tier for an actual that repeats the target, or the criteria band for a blank
/// actual under a level-1 block scored by criteria. None: not in the vocabulary.
fn classify_tier<'r>(
    rules: &'r RuleSet,
    level1: &str,
    actual_phrase: &str,
    target_phrase: &str,
) -> Option<TierChoice<'r>> {
    if actual_phrase.is_empty()
        && let Some(criteria) = &rules.criteria
        && criteria.level1.iter().any(|l| l == level1)
    {
        return Some(TierChoice::Criteria(&criteria.tier));
    }
    if let Some(tier) = rules
        .tiers
        .iter()
        .find(|t| t.phrases.iter().any(|p| p == actual_phrase))
    {
        return Some(TierChoice::ByPhrase(tier));
    }
    (rules.same_text_is_top_tier && actual_phrase == target_phrase)
        .then(|| rules.tiers.first().map(TierChoice::SameTextAsTarget))
        .flatten()
}

/// Planned duration of a deadline indicator in days: from 1 January of the budget year to the
/// deadline (a day number), inclusive; at least 1. Returns the first day too.
fn planned_days(year: i32, deadline: i64) -> (i64, i64) {
    let year_start = grammar::days_from_civil(year, 1, 1).unwrap_or(deadline);
    (year_start, (deadline - year_start + 1).max(1))
}

fn score_qualitative(
    cx: &IndicatorContext,
    target_phrase: &str,
    actual: &Parsed,
    weight: Decimal,
    out: &mut IndicatorScore,
    em: &mut Emitter,
    rec: Option<&mut IndicatorDerivation>,
) -> Result<Option<Decimal>, ScriptError> {
    let rules = cx.rules;
    let actual_phrase = match actual {
        Parsed::Qualitative { phrase } => phrase.as_str(),
        _ => cx.ind.actual.trim(),
    };
    let Some((tier, by)) = classify_tier(rules, &cx.ind.level1, actual_phrase, target_phrase).map(TierChoice::tier)
    else {
        cx.i6(
            em,
            if actual_phrase.is_empty() {
                "为空"
            } else {
                "不在规则集的定性用语中，无法确定档次"
            },
        );
        return Ok(None);
    };
    out.kind = IndicatorKind::Qualitative;
    out.formula = Some(rules.formulas.qualitative.clone());
    out.tier = Some(tier.name.clone());
    let reported = cx.ind.score_reported;
    let score = call_formula(
        rules,
        &rules.formulas.qualitative,
        |n, p| n.qualitative(tier.min, tier.max, weight, reported, p),
        || {
            let reported = reported.map_or(rhai::Dynamic::UNIT, rhai::Dynamic::from_decimal);
            (tier.min, tier.max, weight, reported, params(rules))
        },
    )?;
    if let Some(r) = rec {
        r.kind = KindReason::Qualitative;
        r.tier = Some(TierPick {
            name: tier.name.clone(),
            min: tier.min,
            max: tier.max,
            phrase: actual_phrase.to_owned(),
            by,
            weight,
            band: tier.min.checked_mul(weight).zip(tier.max.checked_mul(weight)),
        });
        r.call = Some(Call {
            role: FormulaRole::Qualitative,
            function: rules.formulas.qualitative.clone(),
            args: vec![
                Value::Dec(tier.min),
                Value::Dec(tier.max),
                Value::Dec(weight),
                reported.map_or(Value::Unit, Value::Dec),
            ],
            result: score,
        });
    }
    Ok(Some(score))
}

fn score_deadline(
    cx: &IndicatorContext,
    target: &Parsed,
    actual: &Parsed,
    weight: Decimal,
    out: &mut IndicatorScore,
    em: &mut Emitter,
    rec: Option<&mut IndicatorDerivation>,
) -> Result<Option<Decimal>, ScriptError> {
    let rules = cx.rules;
    let year = Some(cx.year);
    let Some(deadline) = target.deadline_day(year) else {
        cx.s7(em, "不是可以核对的期限");
        return Ok(None);
    };
    let Some(done) = actual.actual_day(year) else {
        cx.i6(em, "不是完成日期，无法核对是否按期");
        return Ok(None);
    };
    let days_late = done - deadline;
    let (year_start, planned) = planned_days(cx.year, deadline);
    out.kind = IndicatorKind::Deadline;
    out.formula = Some(rules.formulas.deadline.clone());
    out.days_late = Some(days_late);
    let explained = rules.note_explains(cx.ind.note.as_deref());
    let score = call_formula(
        rules,
        &rules.formulas.deadline,
        |n, p| n.deadline(days_late, planned, weight, explained, p),
        || (days_late, planned, weight, explained, params(rules)),
    )?;
    if let Some(r) = rec {
        r.kind = KindReason::Deadline;
        r.deadline = Some(DeadlineDays {
            deadline: Day(deadline),
            done: Day(done),
            days_late,
            year_start: Day(year_start),
            planned,
            explained,
        });
        r.call = Some(Call {
            role: FormulaRole::Deadline,
            function: rules.formulas.deadline.clone(),
            args: vec![
                Value::Int(days_late),
                Value::Int(planned),
                Value::Dec(weight),
                Value::Bool(explained),
            ],
            result: score,
        });
    }
    Ok(Some(score))
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        reason = "tests"
    )]

    use super::*;
    use crate::policy::embedded;

    fn minimal() -> (RuleSet, EvaluationDocument) {
        let rules = RuleSet::load(embedded::files("shenzhen-2020").unwrap()).unwrap();
        let doc = serde_json::from_str(include_str!("../../tests/fixtures/documents/minimal.json")).unwrap();
        (rules, doc)
    }

    #[test]
    fn the_plain_path_records_no_derivation() {
        let (rules, doc) = minimal();
        let (card, trace) = score_without_texts(&rules, &doc, false).unwrap();
        assert!(trace.indicators.is_empty());
        let funds = &trace.funds;
        assert_eq!(funds.weight, FundsWeight::Form);
        assert!(funds.quotient.is_none() && funds.rate.is_none() && funds.rate_shown.is_none());
        assert!(funds.score.is_none() && funds.rounding.is_none());
        // What costs nothing to keep is the total's parts, as the scorecard has them.
        assert_eq!(trace.total.rounding.after, card.total.score);
    }

    #[test]
    fn the_traced_path_records_every_derivation_and_scores_the_same() {
        let (rules, doc) = minimal();
        let (plain, _) = score_without_texts(&rules, &doc, false).unwrap();
        let (card, trace) = score_without_texts(&rules, &doc, true).unwrap();
        assert_eq!(card, plain);
        assert_eq!(trace.indicators.len(), doc.indicators.len());

        // 870996.00 ÷ 890000.00, rounded by the rate formula to 0.98; × 10 = 9.80.
        let funds = &trace.funds;
        let rate = funds.rate.as_ref().unwrap();
        assert_eq!(rate.role, FormulaRole::BudgetRate);
        assert_eq!(
            rate.args,
            [
                Value::Dec(Decimal::new(89_000_000, 2)),
                Value::Dec(Decimal::new(87_099_600, 2))
            ]
        );
        assert_eq!(Some(rate.result), card.budget.rate);
        assert_eq!(
            funds.quotient,
            Some(Decimal::new(87_099_600, 2) / Decimal::new(89_000_000, 2))
        );
        assert_eq!(funds.rate_shown.unwrap().after, Decimal::new(98, 2));
        assert_eq!(funds.rounding.unwrap().after, card.budget.score.unwrap());

        // 15005 件 against 15000: no comparator, not a cost → forward, full marks.
        let count = &trace.indicators[0];
        assert_eq!(count.kind, KindReason::NoComparator);
        assert_eq!(count.unit_hint.as_ref().unwrap().source, UnitSource::ColumnAndName);
        assert_eq!(count.target_conversion.as_ref().unwrap().factor, None);
        let call = count.call.as_ref().unwrap();
        assert_eq!(call.role, FormulaRole::Forward);
        assert_eq!(call.args[2], Value::Dec(Decimal::new(50, 0)));
        assert_eq!(count.counted, Counted::Computed);
        assert_eq!(Some(count.rounding.unwrap().after), card.indicators[0].score);

        // "有效提高" repeated as the actual: the phrase of the top tier.
        let words = &trace.indicators[1];
        assert_eq!(words.kind, KindReason::Qualitative);
        let tier = words.tier.as_ref().unwrap();
        assert_eq!((tier.by, tier.name.as_str()), (TierBy::Phrase, "达成年度指标"));
        assert_eq!(
            tier.band,
            Some((Decimal::new(16, 0), Decimal::new(20, 0))),
            "0.8 × 20.0 and 1 × 20.0, as decimals compare"
        );

        let total = &trace.total;
        assert!(total.funds_computed);
        assert_eq!(total.rounding.after, card.total.score);
        assert_eq!(total.band_min, Some(Decimal::new(90, 0)));
    }
}
