//! Explanations: for every number of a form, its derivation in Chinese — the cells as written
//! (with their A1 position), how the texts were read, which kind of indicator and why, unit
//! conversion, the rule set's formula (file, line and the comment written above it), the
//! parameters it reads, intermediate values, rounding, and the result beside the reported value;
//! then the total and the grade band (`jixiao explain`).
//!
//! Every number comes from one traced scoring of the document
//! ([`crate::engine::scoring::score_document_traced`]): the scorecard and the [`Trace`] scoring
//! kept of each derivation — readings, kinds and tiers and why, conversions, deadline days,
//! formula calls with their arguments and results, roundings. This module renders them; it calls
//! no formula, reads no text with the grammar, classifies nothing, converts no unit and rounds
//! nothing. What it reads itself is only for display: the input cells and where they are on the
//! form, and the source of each formula (file, line, comment, the parameters it reads). Pure: no
//! I/O. [`render_text`] gives the human form, the types serialize as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::engine::decisions::Decision;
use crate::engine::grammar::{Comparator, DateRelation, Parsed};
use crate::engine::pipeline::{Traced, score_under_traced};
use crate::engine::scoring::{IndicatorKind, IndicatorScore, ScoreError, Scorecard};
use crate::engine::trace::{
    self, Call, Conversion, DeadlineDays, FormulaRole, FundsDerivation, FundsWeight, IndicatorDerivation, KindReason,
    Rounding, TierBy, TierPick, TotalDerivation, UnitSource, Value,
};
use crate::model::decision_record::DecisionRecord;
use crate::model::document::{CellPos, EvaluationDocument, Indicator, Layout, RegionGuess};
use crate::model::findings::Finding;
use crate::policy::model::RoundingMode;
use crate::policy::{RuleSet, RuleSetOrigin};

/// Name under which `--indicator` selects the budget-execution block.
pub const BUDGET_ITEM: &str = "预算执行/年度资金总额";
/// Name under which `--indicator` selects the total.
pub const TOTAL_ITEM: &str = "总分";

/// How a document's region was inferred, for explain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionInference {
    /// The guess the importer recorded.
    pub guess: RegionGuess,
    /// The cell the place name was found in (A1 style), when known.
    pub cell: Option<String>,
    /// True when the rule set applied is the inferred region's.
    pub used: bool,
}

/// The derivation of the numbers of one form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Document id.
    pub id: String,
    /// 项目名称.
    pub project: String,
    /// Budget year.
    pub year: i32,
    /// The layout family the form was read as, and the signature labels that decided it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// The region the form's place names point to (no `--region` given), where it was found,
    /// and whether the rule set applied is that region's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_inferred: Option<RegionInference>,
    /// Rule set applied.
    pub ruleset: RuleSetInfo,
    /// Rounding the rule set prescribes.
    pub rounding: RoundingInfo,
    /// Reviewer decisions applied before the derivation (corrections) and after it (waivers).
    pub decisions: Vec<DecisionRecord>,
    /// Budget execution (absent when filtered out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetExplanation>,
    /// Indicators (those the filter selects).
    pub indicators: Vec<IndicatorExplanation>,
    /// Total and grade (absent when filtered out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<TotalExplanation>,
    /// Where each check behind a finding shown was written (`F4` →
    /// `rules/shenzhen-2020/policy.toml:33`): the set's own file or one it extends.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, String>,
}

/// Which rule set, and where its files are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSetInfo {
    /// Id (`shenzhen-2020`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Folder of its files (`rules/shenzhen-2020` for an embedded set).
    pub location: String,
    /// Folders of the sets it extends, nearest first (`[ruleset] extends`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extends: Vec<String>,
}

/// The rule set's rounding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundingInfo {
    /// Mode.
    pub mode: RoundingMode,
    /// Chinese name of the mode.
    pub mode_label: String,
    /// Places of indicator and funds scores.
    pub score_places: u32,
    /// Places of the total.
    pub total_places: u32,
}

/// One input cell as written on the form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputCell {
    /// Field name in the document (`target`, `executed`, …).
    pub field: String,
    /// Chinese label (年度指标值, 全年执行数, …).
    pub label: String,
    /// The value scoring read (after any correction); `None` when the cell is empty.
    pub value: Option<String>,
    /// Source cell, spreadsheet style (`E20`), when imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// When a reviewer corrected it: what the form said, and the decision's source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected: Option<Correction>,
}

/// What a correction replaced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    /// The form's own value.
    pub written: Option<String>,
    /// Where the decision is written.
    pub source: String,
}

/// One step of a derivation: what, how, and the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What is computed (逾期天数, 执行率, …).
    pub what: String,
    /// How: the expression with the numbers ("870996.00 ÷ 890000.00").
    pub expression: String,
    /// The value, with a unit where it has one.
    pub value: String,
}

impl Step {
    fn new(what: &str, expression: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            what: what.to_owned(),
            expression: expression.into(),
            value: value.into(),
        }
    }
}

/// A rule-set function called with its arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormulaCall {
    /// Its role in `[formulas]` (`budget_rate`, `deadline`, …).
    pub role: String,
    /// Function name.
    pub function: String,
    /// File defining it, as a path (`rules/shenzhen-2020/formulas.rhai`).
    pub file: Option<String>,
    /// Line of its `fn` keyword.
    pub line: Option<usize>,
    /// The comment block written above the function (it states the clause it implements).
    pub comment: Vec<String>,
    /// Arguments passed, in order (the parameter map `p` last, not listed).
    pub arguments: Vec<Argument>,
    /// Parameters the function (and the functions it calls) refer to as `p.name`, whichever
    /// branch the call took.
    pub params: Vec<ParamUse>,
    /// What it returned, before rounding.
    pub result: String,
}

/// One argument of a formula call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Argument {
    /// Meaning, in Chinese (目标值, 分值, …).
    pub name: String,
    /// Value.
    pub value: String,
}

/// A rule-set parameter a formula reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamUse {
    /// Name (`p.name` in scripts).
    pub name: String,
    /// Value.
    pub value: Decimal,
    /// Meaning.
    pub description: String,
    /// Clause or practice it implements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// For a value by year (`by_year`), the year the value applied from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Where it was written (`rules/cn-mof-2020/policy.toml:90`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

/// A rounding applied by the policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundingStep {
    /// Before.
    pub value: Decimal,
    /// Mode.
    pub mode: RoundingMode,
    /// Places.
    pub places: u32,
    /// After.
    pub result: Decimal,
}

/// A computed number beside the reported one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Computed (None when the rules could not compute it).
    pub computed: Option<Decimal>,
    /// As reported on the form.
    pub reported: Option<Decimal>,
    /// Whether they agree, in Chinese.
    pub verdict: String,
}

/// The budget-execution block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetExplanation {
    /// The cells of the 年度资金总额 row.
    pub inputs: Vec<InputCell>,
    /// The points the block carries and where they come from.
    pub weight: Step,
    /// Intermediate values computed outside the rule set (the raw quotient).
    pub steps: Vec<Step>,
    /// The rate formula.
    pub rate_formula: Option<FormulaCall>,
    /// The reported rate against the computed one, at the reported precision.
    pub rate_check: Option<String>,
    /// The score formula.
    pub score_formula: Option<FormulaCall>,
    /// Rounding of the score.
    pub rounding: Option<RoundingStep>,
    /// Computed vs reported score.
    pub result: Outcome,
    /// Findings about the block.
    pub findings: Vec<Finding>,
}

/// A target or actual text and how it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    /// Text as scored.
    pub text: String,
    /// The grammar's reading.
    pub parsed: Parsed,
    /// The reading in Chinese.
    pub description: String,
}

/// One indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorExplanation {
    /// Path 一级/二级/三级.
    pub path: String,
    /// The cells of its row.
    pub inputs: Vec<InputCell>,
    /// The unit numbers without a unit are read in, and where it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_hint: Option<String>,
    /// The target as read.
    pub target: Reading,
    /// The actual as read.
    pub actual: Reading,
    /// How it is scored.
    pub kind: IndicatorKind,
    /// Chinese name of the kind.
    pub kind_label: String,
    /// Why this kind.
    pub kind_reason: String,
    /// Unit conversions to the base unit.
    pub conversions: Vec<Step>,
    /// Intermediate values (deadline days, tier, …).
    pub steps: Vec<Step>,
    /// The formula applied.
    pub formula: Option<FormulaCall>,
    /// Rounding of the formula's result.
    pub rounding: Option<RoundingStep>,
    /// Rescaling to the profile's level-1 weight, when the policy rescales.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rescale: Option<Step>,
    /// Computed vs reported score.
    pub result: Outcome,
    /// For a row of a 二级 block sharing one 得分 (a table without a 分值 column): the block's
    /// weight, where it comes from and how its score is counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    /// The score that enters the total.
    pub counted: Decimal,
    /// Findings about this indicator.
    pub findings: Vec<Finding>,
}

/// The total and the grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalExplanation {
    /// The terms summed: funds score and each indicator's counted score.
    pub terms: Vec<Argument>,
    /// The sum written out.
    pub sum: Step,
    /// Rounding of the total.
    pub rounding: RoundingStep,
    /// Computed vs reported total.
    pub result: Outcome,
    /// The grade bands, highest first (grade, minimum).
    pub bands: Vec<Argument>,
    /// The grade of the computed total, and why.
    pub grade: Step,
    /// Reported grade vs computed, when the form states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade_check: Option<String>,
    /// For a form the importer found cut short (M2): what the total covers and the most the
    /// whole form could reach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
    /// Findings about the total.
    pub findings: Vec<Finding>,
}

/// Explains one document under `rules`, with the reviewer's `decisions` applied. `filter`
/// keeps only items whose name or path contains it (indicators, [`BUDGET_ITEM`],
/// [`TOTAL_ITEM`]). The document is scored once, traced, and the trace rendered. A script
/// failure is an error, as in scoring.
pub fn explain_document(
    rules: &RuleSet,
    doc: &EvaluationDocument,
    decisions: &[&Decision],
    filter: Option<&str>,
) -> Result<Explanation, ScoreError> {
    // Parameters with values by year show the document's year's.
    let rules = &*rules.for_year(doc.year);
    let Traced {
        document: corrected,
        card,
        trace,
    } = score_under_traced(rules, doc, decisions)?;
    let wants = |name: &str| filter.is_none_or(|f| name.contains(f));
    let cx = Context {
        rules,
        doc: &corrected,
        card: &card,
    };
    let budget = wants(BUDGET_ITEM).then(|| cx.budget(&trace.funds, &trace.total));
    let mut indicators = Vec::new();
    let rows = corrected.indicators.iter().zip(&card.indicators).zip(&trace.indicators);
    for (i, ((ind, scored), derivation)) in rows.enumerate() {
        if wants(&ind.path()) {
            indicators.push(cx.indicator(i, ind, scored, derivation));
        }
    }
    let total = wants(TOTAL_ITEM).then(|| cx.total(&trace.total));
    let shown = budget
        .iter()
        .flat_map(|b| &b.findings)
        .chain(indicators.iter().flat_map(|i| &i.findings))
        .chain(total.iter().flat_map(|t| &t.findings));
    let checks: BTreeMap<String, String> = shown
        .filter_map(|f| {
            rules
                .place(&format!("checks.{}", f.code))
                .map(|place| (f.code.clone(), place.to_owned()))
        })
        .collect();
    Ok(Explanation {
        checks,
        id: card.id.clone(),
        project: card.project.clone(),
        year: card.year,
        layout: doc.layout.clone(),
        region_inferred: doc
            .region_inferred
            .as_ref()
            .filter(|_| doc.region.is_none())
            .map(|guess| RegionInference {
                guess: guess.clone(),
                cell: doc.provenance.get("/region_inferred").map(CellPos::a1),
                used: rules.region.as_deref() == Some(guess.region.as_str()),
            }),
        ruleset: RuleSetInfo {
            id: rules.id.clone(),
            title: rules.title.clone(),
            location: folder(&rules.files),
            extends: rules.inherited.iter().rev().map(folder).collect(),
        },
        rounding: RoundingInfo {
            mode: rules.rounding_mode,
            mode_label: rules.rounding_mode.label().to_owned(),
            score_places: rules.score_places,
            total_places: rules.total_places,
        },
        decisions: card.decisions.clone(),
        budget,
        indicators,
        total,
    })
}

impl Explanation {
    /// True when the filter left nothing to explain.
    pub fn is_empty(&self) -> bool {
        self.budget.is_none() && self.indicators.is_empty() && self.total.is_none()
    }
}

/// The folder of a rule set's files (`rules/shenzhen-2020` for an embedded set).
fn folder(files: &crate::policy::RuleSetFiles) -> String {
    match &files.origin {
        RuleSetOrigin::Embedded => format!("rules/{}", files.name),
        RuleSetOrigin::Folder(dir) => dir.display().to_string(),
    }
}

/// A decimal for display: long quotients cut to 8 places with "…".
fn num(d: Decimal) -> String {
    if d.scale() > 8 {
        let cut = d.round_dp_with_strategy(8, rust_decimal::RoundingStrategy::ToZero);
        if cut != d {
            return format!("{}…", cut.normalize());
        }
    }
    d.to_string()
}

fn opt_num(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn outcome(computed: Option<Decimal>, reported: Option<Decimal>, counted: Decimal) -> Outcome {
    let verdict = match (computed, reported) {
        (Some(c), Some(r)) if c == r => "一致".to_owned(),
        (Some(c), Some(r)) => match r.checked_sub(c) {
            Some(difference) => format!("不一致：填报 {r}，按规则计算 {c}，差 {}", difference.normalize()),
            None => format!("不一致：填报 {r}，按规则计算 {c}，差超出可计算的范围"),
        },
        (Some(_), None) => "表中没有填报".to_owned(),
        (None, Some(r)) => format!("无法按规则计算，合计中按填报的 {r} 计入"),
        (None, None) => format!("无法按规则计算，也没有填报，按 {counted} 计入"),
    };
    Outcome {
        computed,
        reported,
        verdict,
    }
}

fn rounding_step(r: &Rounding) -> RoundingStep {
    RoundingStep {
        value: r.before,
        mode: r.mode,
        places: r.places,
        result: r.after,
    }
}

/// The arguments of a recorded call, named for its role; `unit` follows the two values of a
/// quantitative formula.
fn arguments(call: &Call, unit: Option<&str>) -> Vec<Argument> {
    let names: &[&str] = match call.role {
        FormulaRole::BudgetRate => &["预算数", "执行数"],
        FormulaRole::BudgetScore => &["执行率", "分值"],
        FormulaRole::Forward | FormulaRole::Reverse | FormulaRole::Equal => &["目标值", "实际值", "分值"],
        FormulaRole::Qualitative => &["档次下限", "档次上限", "分值", "填报得分"],
        FormulaRole::Deadline => &["逾期天数", "计划天数", "分值", "有说明"],
    };
    let quantitative = matches!(
        call.role,
        FormulaRole::Forward | FormulaRole::Reverse | FormulaRole::Equal
    );
    call.args
        .iter()
        .zip(names)
        .enumerate()
        .map(|(i, (value, name))| {
            let mut value = match value {
                // The rate may be a long quotient (a rule set whose rate is not rounded).
                Value::Dec(d) if call.role == FormulaRole::BudgetScore && i == 0 => num(*d),
                Value::Dec(d) => d.to_string(),
                Value::Int(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Unit => "()".to_owned(),
            };
            if let Some(u) = unit.filter(|_| quantitative && i < 2) {
                let _ = write!(value, " {u}");
            }
            Argument {
                name: (*name).to_owned(),
                value,
            }
        })
        .collect()
}

struct Context<'a> {
    rules: &'a RuleSet,
    doc: &'a EvaluationDocument,
    card: &'a Scorecard,
}

impl Context<'_> {
    fn cell(
        &self,
        pointer_base: &str,
        field: &str,
        label: &str,
        value: Option<String>,
        indicator: Option<&str>,
    ) -> InputCell {
        let pointer = format!("{pointer_base}/{field}");
        let decision_field = match pointer_base {
            "/funds/total" => format!("funds.{field}"),
            "/total" => format!("total.{field}"),
            _ => field.to_owned(),
        };
        let corrected = self
            .card
            .decisions
            .iter()
            .filter(|d| {
                d.field.as_deref() == Some(decision_field.as_str())
                    && d.indicator.as_deref() == indicator
                    && d.row.is_none()
            })
            .map(|d| Correction {
                written: d.old.clone(),
                source: d.source.clone(),
            })
            .next();
        InputCell {
            field: field.to_owned(),
            label: label.to_owned(),
            value,
            at: self.doc.provenance.get(&pointer).map(|p| p.a1()),
            corrected,
        }
    }

    /// A recorded call with the function's location, comment and the parameters it reads.
    fn call(&self, call: &Call, unit: Option<&str>) -> FormulaCall {
        let function = call.function.as_str();
        // The parameter map `p` is the last argument, not recorded.
        let source = FunctionSource::find(self.rules, function, call.args.len() + 1);
        let params = source
            .as_ref()
            .map(|s| s.params_read(self.rules))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|name| self.rules.params.iter().find(|p| p.name == name))
            .map(|p| ParamUse {
                name: p.name.clone(),
                value: p.value,
                description: p.description.clone(),
                reference: p.reference.clone(),
                year: p.year,
                place: self.rules.place(&format!("params.{}", p.name)).map(str::to_owned),
            })
            .collect();
        FormulaCall {
            role: call.role.key().to_owned(),
            function: function.to_owned(),
            file: source.as_ref().map(|s| s.path.clone()),
            line: source.as_ref().and_then(|s| s.line),
            comment: source.map(|s| s.comment).unwrap_or_default(),
            arguments: arguments(call, unit),
            params,
            result: num(call.result),
        }
    }

    /// For a row of a 二级 block that shares one 得分 (a table without a 分值 column): where its
    /// weight comes from and how the block's score enters the total.
    fn block_of(&self, i: usize, d: &IndicatorDerivation) -> Option<String> {
        let block = self.doc.blocks.iter().find(|b| b.indices().contains(&i))?;
        let name = block.level2.as_deref().unwrap_or(&block.level1);
        let weight = block
            .weight
            .map_or_else(|| "没有分值".to_owned(), |w| format!("分值 {}", w.normalize()));
        let mut text = format!(
            "表中没有分值列：本行属于“{name}”一块（{weight}，{}，{} 行平均分摊）",
            block.weight_basis.label(),
            block.rows
        );
        if let Some(reported) = block.score_reported {
            text.push_str(&format!("；该块共用一个填报得分 {reported}"));
            if d.counted == crate::engine::trace::Counted::Block {
                text.push_str("，块中有无法计算的指标，该块按填报得分计入，按分值占比分摊到各行");
            } else {
                text.push_str("，与块内各行按规则计算的得分之和比较（I11）");
            }
        }
        Some(text)
    }

    fn findings_where(&self, keep: impl Fn(&Finding) -> bool) -> Vec<Finding> {
        self.card.findings.iter().filter(|f| keep(f)).cloned().collect()
    }

    fn budget(&self, f: &FundsDerivation, total: &TotalDerivation) -> BudgetExplanation {
        let row = &self.doc.funds.total;
        let b = &self.card.budget;
        let base = "/funds/total";
        let inputs = vec![
            self.cell(base, "budget_initial", "年初预算数", opt_num(row.budget_initial), None),
            self.cell(
                base,
                "budget_adjusted",
                "全年预算数",
                opt_num(row.budget_adjusted),
                None,
            ),
            self.cell(base, "executed", "全年执行数", opt_num(row.executed), None),
            self.cell(base, "weight", "分值", opt_num(row.weight), None),
            self.cell(
                base,
                "rate_reported",
                "执行率（填报）",
                opt_num(row.rate_reported),
                None,
            ),
            self.cell(
                base,
                "score_reported",
                "得分（填报）",
                opt_num(row.score_reported),
                None,
            ),
            self.cell(base, "note", "说明", row.note.clone(), None),
        ];
        let weight = match f.weight {
            FundsWeight::Form => Step::new(
                "分值",
                "取表中填写的分值（规则集 [profile] budget_weight_from_form = true）",
                b.weight.to_string(),
            ),
            FundsWeight::ProfileFormBlank => Step::new(
                "分值",
                format!("表中没有填写分值，取规则集 [profile] budget = {}", b.weight),
                b.weight.to_string(),
            ),
            FundsWeight::Profile => Step::new(
                "分值",
                format!("取规则集 [profile] budget = {}（不看表中填写的分值）", b.weight),
                b.weight.to_string(),
            ),
            FundsWeight::Declared => Step::new(
                "分值",
                format!("取资金表表头写明的 {} 分（表中自己的方案）", b.weight),
                b.weight.to_string(),
            ),
            FundsWeight::InIndicators => Step::new(
                "分值",
                "资金表没有分值和得分栏，预算执行率在指标表中作为指标计分，资金表不另计分".to_owned(),
                b.weight.to_string(),
            ),
        };
        let mut steps = Vec::new();
        if f.absent {
            steps.push(Step::new(
                "资金表",
                "表中没有资金表或年度资金总额行，预算执行无法评分（见发现 M2）".to_owned(),
                "—".to_owned(),
            ));
        }
        if let (Some(quotient), Some(budget), Some(executed)) = (f.quotient, b.budget, b.executed) {
            steps.push(Step::new(
                "执行率（直接相除）",
                format!("全年执行数 ÷ 全年预算数 = {executed} ÷ {budget}"),
                num(quotient),
            ));
        }
        let rate_check = f.rate_shown.as_ref().zip(b.reported_rate).map(|(shown, reported)| {
            let places = shown.places;
            let verdict = if shown.after == reported { "一致" } else { "不一致" };
            format!(
                "填报执行率 {reported}（{places} 位小数）；计算的执行率 {} 按{}保留 {places} 位为 {}：{verdict}",
                num(shown.before),
                shown.mode.label(),
                shown.after
            )
        });
        BudgetExplanation {
            inputs,
            weight,
            steps,
            rate_formula: f.rate.as_ref().map(|c| self.call(c, None)),
            rate_check,
            score_formula: f.score.as_ref().map(|c| self.call(c, None)),
            rounding: f.rounding.as_ref().map(rounding_step),
            // What the total counts for the block: its score, or the reported one.
            result: outcome(b.score, b.reported_score, total.funds),
            findings: self.findings_where(|f| f.block.as_deref() == Some("funds")),
        }
    }

    fn indicator(
        &self,
        i: usize,
        ind: &Indicator,
        scored: &IndicatorScore,
        d: &IndicatorDerivation,
    ) -> IndicatorExplanation {
        let path = ind.path();
        let base = format!("/indicators/{i}");
        let p = Some(path.as_str());
        let mut inputs = vec![
            self.cell(&base, "target", "年度指标值", Some(ind.target.clone()), p),
            self.cell(&base, "actual", "实际完成值", Some(ind.actual.clone()), p),
            self.cell(&base, "weight", "分值", opt_num(ind.weight), p),
            self.cell(&base, "score_reported", "得分（填报）", opt_num(ind.score_reported), p),
            self.cell(&base, "note", "偏差原因分析", ind.note.clone(), p),
        ];
        if ind.unit.is_some() {
            inputs.push(self.cell(&base, "unit", "度量单位", ind.unit.clone(), p));
        }
        if ind.comparator.is_some() {
            inputs.push(self.cell(&base, "comparator", "指标性质", ind.comparator.clone(), p));
        }
        let unit_hint = d.unit_hint.as_ref().map(|h| match h.source {
            UnitSource::Name | UnitSource::ColumnAndName => {
                format!("{}（取自指标名称“{}”的括号）", h.unit, ind.name)
            }
            UnitSource::Column => format!("{}（取自度量单位列）", h.unit),
        });
        let conversions = [
            ("年度指标值", &d.target_conversion),
            ("实际完成值", &d.actual_conversion),
        ]
        .into_iter()
        .filter_map(|(what, c)| c.as_ref().map(|c| conversion_step(what, c)))
        .collect();
        let mut steps = Vec::new();
        if let Some(days) = &d.deadline {
            deadline_steps(ind, days, &mut steps);
        }
        if let Some(tier) = &d.tier {
            tier_steps(tier, &mut steps);
        }
        let rescale = d.rescale.as_ref().map(|r| {
            Step::new(
                "折算",
                format!(
                    "一级指标“{}”在规则集方案中为 {} 分，表中合计不同；{} × {}",
                    ind.level1,
                    r.profile,
                    r.score,
                    num(r.factor)
                ),
                format!(
                    "{}（{}保留 {} 位）",
                    r.rounding.after,
                    r.rounding.mode.label(),
                    r.rounding.places
                ),
            )
        });
        IndicatorExplanation {
            path: path.clone(),
            inputs,
            unit_hint,
            target: Reading {
                text: ind.target.clone(),
                parsed: d.target.parsed.clone(),
                description: describe(&d.target, true),
            },
            actual: Reading {
                text: ind.actual.clone(),
                parsed: d.actual.parsed.clone(),
                description: describe(&d.actual, false),
            },
            kind: scored.kind,
            kind_label: scored.kind.label().to_owned(),
            kind_reason: self.kind_reason(scored.kind, d),
            conversions,
            steps,
            formula: d.call.as_ref().map(|c| self.call(c, scored.unit.as_deref())),
            rounding: d.rounding.as_ref().map(rounding_step),
            rescale,
            result: {
                let mut result = outcome(scored.score, scored.reported_score, scored.counted);
                if d.counted == crate::engine::trace::Counted::Block {
                    result.verdict = format!("按所在块的填报得分分摊计入 {}", scored.counted);
                }
                result
            },
            block: self.block_of(i, d),
            counted: scored.counted,
            findings: self.findings_where(|f| f.indicator.as_deref() == Some(path.as_str())),
        }
    }

    /// Why the indicator has its kind, from the reason scoring recorded.
    fn kind_reason(&self, kind: IndicatorKind, d: &IndicatorDerivation) -> String {
        let formula = d
            .call
            .as_ref()
            .map(|c| format!("（规则集 [formulas] {} = “{}”）", c.role.key(), c.function))
            .unwrap_or_default();
        let why = match &d.kind {
            KindReason::Placeholder => return "占位行（表中写“无”），不是实际指标，不计分".into(),
            KindReason::NoWeight => return "分值为空，无法计分".into(),
            KindReason::ZeroWeightNoTarget => return "分值为 0 且没有年度指标值，不计分".into(),
            KindReason::Unreadable => return "年度指标值或实际完成值无法按规则读取，见下列发现".into(),
            KindReason::Deadline => return format!("年度指标值是日期或期限，按时效指标计分{formula}"),
            KindReason::Qualitative => {
                return format!("年度指标值是定性表述，按实际完成情况所属档次计分{formula}");
            }
            KindReason::Duration => "年度指标值是时长，按不超过该时长计".to_owned(),
            KindReason::Range => "年度指标值是区间，按不低于其下限计".to_owned(),
            KindReason::Comparator {
                comparator,
                from_column,
            } => {
                let from = if *from_column {
                    "指标性质列写明"
                } else {
                    "年度指标值写明"
                };
                format!("{from}比较符号 {}", comparator.symbol())
            }
            KindReason::ReverseLevel2 { level2 } => format!(
                "年度指标值没有比较符号；二级指标“{level2}”列在规则集 [classify] reverse_level2（{}）中",
                self.rules.reverse_level2.join("、")
            ),
            KindReason::NoComparator => {
                "年度指标值没有比较符号，二级指标也不在规则集 [classify] reverse_level2 中".to_owned()
            }
        };
        let direction = match kind {
            IndicatorKind::Reverse => "越低越好",
            IndicatorKind::Equal => "应等于目标值",
            _ => "越高越好",
        };
        format!("{why}，按{}（{direction}）计分{formula}", kind.label())
    }

    fn total(&self, t: &TotalDerivation) -> TotalExplanation {
        let card = self.card;
        let mut terms = vec![Argument {
            name: if t.funds_computed {
                "预算执行得分".into()
            } else {
                "预算执行得分（无法计算，按填报）".into()
            },
            value: t.funds.to_string(),
        }];
        terms.extend(card.indicators.iter().map(|s| Argument {
            name: s.path(),
            value: s.counted.to_string(),
        }));
        let expression = terms.iter().map(|t| t.value.as_str()).collect::<Vec<_>>().join(" + ");
        let total = card.total.score;
        let bands: Vec<Argument> = self
            .rules
            .grades
            .iter()
            .map(|(g, min)| Argument {
                name: g.clone(),
                value: format!("≥ {min}"),
            })
            .collect();
        let grade = match t.band_min {
            Some(min) => Step::new(
                "等级",
                format!("{total} ≥ {min}（“{}”档下限）", card.grade),
                card.grade.clone(),
            ),
            None => Step::new("等级", format!("{total} 低于所有等级的下限"), card.grade.clone()),
        };
        let grade_check = card.grade_reported.as_ref().map(|stated| {
            if stated.trim() == card.grade {
                format!("填报等级“{stated}”：一致")
            } else {
                format!("填报等级“{stated}”：不一致，按计算总分应为“{}”", card.grade)
            }
        });
        let incomplete = card.total.max_reachable.map(|max| {
            format!(
                "表格不完整（见发现 M2）：{total} 只是表中已有内容的得分；缺少的部分按满分 {} 减去表中已有的分值计，整张表最高可得 {max}",
                self.rules.total_weight
            )
        });
        TotalExplanation {
            incomplete,
            terms,
            sum: Step::new("合计", expression, t.sum.to_string()),
            rounding: rounding_step(&t.rounding),
            result: outcome(Some(total), card.total.reported, total),
            bands,
            grade,
            grade_check,
            findings: self.findings_where(|f| f.block.as_deref() == Some("total")),
        }
    }
}

/// A recorded conversion to the base unit, as a step.
fn conversion_step(what: &str, c: &Conversion) -> Step {
    let note = match (c.range_low, c.unit_from_target) {
        (true, _) => "区间取下限 ",
        (false, true) => "没有写单位，按年度指标值的单位：",
        (false, false) => "",
    };
    let value = c.value;
    if c.percent {
        return Step::new(
            what,
            format!("{note}{value}%，百分数按 % 直接比较"),
            format!("{} %", c.result),
        );
    }
    match (&c.unit, &c.factor) {
        (Some(u), Some((base, factor))) => Step::new(
            what,
            format!("{note}{value} {u} × {factor}（规则集 [units] “{u}” = {factor} {base}）"),
            format!("{} {base}", c.result),
        ),
        (Some(u), None) => Step::new(
            what,
            format!("{note}{value} {u}，单位“{u}”不在规则集 [units] 换算表中，按原值"),
            format!("{} {u}", c.result),
        ),
        (None, _) => Step::new(what, format!("{note}{value}，没有单位，按原值"), c.result.to_string()),
    }
}

/// The recorded days of a deadline indicator, and whether its note explains, as steps.
fn deadline_steps(ind: &Indicator, d: &DeadlineDays, steps: &mut Vec<Step>) {
    let days_late = d.days_late;
    steps.push(Step::new(
        "逾期天数",
        format!("完成日 {} − 最后期限 {}", d.done, d.deadline),
        if days_late > 0 {
            format!("{days_late} 天（逾期）")
        } else {
            format!("{days_late} 天（按期，≤ 0）")
        },
    ));
    steps.push(Step::new(
        "计划天数",
        format!("预算年度首日 {} 至最后期限 {}，含首尾", d.year_start, d.deadline),
        format!("{} 天", d.planned),
    ));
    steps.push(Step::new(
        "有说明",
        match ind.note.as_deref().map(str::trim) {
            Some(_) if d.explained => "偏差原因分析有内容（不是空白，也不是规则集 [notes] blank 中的写法）".to_owned(),
            Some(n) => format!("偏差原因分析为“{n}”，不算说明"),
            None => "偏差原因分析为空".to_owned(),
        },
        if d.explained { "是" } else { "否" },
    ));
}

/// The recorded tier of a qualitative actual, and its band in points, as steps.
fn tier_steps(t: &TierPick, steps: &mut Vec<Step>) {
    let phrase = &t.phrase;
    let how = match t.by {
        TierBy::Phrase => format!("“{phrase}”是规则集 [[qualitative]] “{}”档的用语", t.name),
        TierBy::SameTextAsTarget => format!(
            "实际完成情况与年度指标值文字相同（“{phrase}”），按规则集 [classify] same_text_is_top_tier 归入最高档“{}”",
            t.name
        ),
        TierBy::Criteria => format!(
            "年度指标值是评价要点，实际完成值按模板留空：按规则集 [classify.criteria] 归入“{}”，在得分区间内按填报得分计",
            t.name
        ),
    };
    steps.push(Step::new(
        "档次",
        how,
        format!("{}：分值的 {}—{}", t.name, t.min, t.max),
    ));
    if let Some((low, high)) = t.band {
        let weight = t.weight;
        steps.push(Step::new(
            "得分区间",
            format!("[{} × {weight}, {} × {weight}]", t.min, t.max),
            format!("[{low}, {high}]"),
        ));
    }
}

/// How a target (`as_target`) or actual text was read, in Chinese.
fn describe(reading: &trace::Reading, as_target: bool) -> String {
    match &reading.parsed {
        Parsed::Empty => "空白".into(),
        Parsed::Nil => "“无”之类：没有可衡量的内容".into(),
        Parsed::Quantity {
            comparator,
            value,
            unit,
            percent,
        } => {
            let cmp = comparator.map(|c| format!("{} ", c.symbol())).unwrap_or_default();
            let unit = if *percent {
                "%".to_owned()
            } else {
                unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
            };
            let note = if comparator.is_none() && as_target {
                "（没有比较符号）"
            } else if comparator.is_some_and(|c| c != Comparator::Eq) && !as_target {
                "（带比较符号：是条件而不是实际数值）"
            } else {
                ""
            };
            format!("数值 {cmp}{value}{unit}{note}")
        }
        Parsed::Range {
            low,
            high,
            unit,
            percent,
        } => {
            let unit = if *percent {
                "%".to_owned()
            } else {
                unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
            };
            format!("区间 {low}—{high}{unit}")
        }
        Parsed::Date { relation, date } => {
            let rel = match relation {
                DateRelation::On => "当日/当期",
                DateRelation::Before => "之前（不含该期间）",
                DateRelation::ByEnd => "底前（含该期间最后一天）",
                DateRelation::After => "之后",
            };
            match (as_target, reading.day) {
                (true, Some(day)) => format!("期限：{date}{rel}，最后期限 {day}"),
                (true, None) => format!("期限：{date}{rel}，没有确定的最后期限"),
                (false, Some(day)) => format!("日期 {date}，完成日 {day}"),
                (false, None) => format!("日期 {date}{rel}，不是确定的完成日"),
            }
        }
        Parsed::Duration { within, amount, unit } => {
            format!("时长 {amount} {}{}", unit.label(), if *within { "以内" } else { "" })
        }
        Parsed::Qualitative { phrase } => format!("定性表述“{phrase}”"),
        Parsed::Unparsable { reason } => format!("无法解析：{reason}"),
    }
}

/// A script function's place in the rule-set files.
struct FunctionSource {
    path: String,
    line: Option<usize>,
    comment: Vec<String>,
    /// Name and arity, to find what the AST shows of it
    /// ([`crate::script::ScriptSet::function_facts`]).
    name: String,
    arity: usize,
}

impl FunctionSource {
    fn find(rules: &RuleSet, name: &str, arity: usize) -> Option<Self> {
        let functions = rules.scripts.functions();
        let info = functions
            .iter()
            .find(|f| f.name == name && f.arity == arity)
            .or_else(|| functions.iter().find(|f| f.name == name))?;
        let path = rules.file_path(&info.file);
        // The `//` lines just above the `fn` line: comments are not code, so the AST keeps none.
        let comment = match info.line {
            Some(line) if line >= 1 => {
                let text = rules.script_text(&info.file).unwrap_or("");
                let lines: Vec<&str> = text.lines().collect();
                let above = lines.get(..line - 1).unwrap_or(&[]);
                let mut comment: Vec<String> = above
                    .iter()
                    .rev()
                    .take_while(|l| l.trim_start().starts_with("//"))
                    .map(|l| l.trim_start().trim_start_matches('/').trim().to_owned())
                    .collect();
                comment.reverse();
                comment
            }
            _ => Vec::new(),
        };
        Some(Self {
            path,
            line: info.line,
            comment,
            name: info.name.clone(),
            arity: info.arity,
        })
    }

    /// Parameter names read from the parameters object here and in the script functions it
    /// calls ([`crate::script::ScriptSet::params_read`]).
    fn params_read(&self, rules: &RuleSet) -> Vec<String> {
        rules.scripts.params_read(&self.name, self.arity)
    }
}

fn rounding_text(r: &RoundingStep) -> String {
    format!(
        "{} → {}保留 {} 位 = {}",
        num(r.value),
        r.mode.label(),
        r.places,
        r.result
    )
}

fn write_inputs(out: &mut String, inputs: &[InputCell]) {
    out.push_str("  填报内容：\n");
    let width = inputs.iter().map(|c| c.label.chars().count()).max().unwrap_or(0);
    for c in inputs {
        let pad = " ".repeat((width - c.label.chars().count()) * 2);
        let value = match &c.value {
            Some(v) => format!("“{v}”"),
            None => "（空）".into(),
        };
        let at = c.at.as_deref().map(|a| format!("（{a}）")).unwrap_or_default();
        let _ = write!(out, "    {}{pad}  {value}{at}", c.label);
        if let Some(corr) = &c.corrected {
            let written = corr
                .written
                .as_deref()
                .map(|w| format!("“{w}”"))
                .unwrap_or_else(|| "（空）".into());
            let _ = write!(out, "  ← 表中原填 {written}，按审核决定更正（{}）", corr.source);
        }
        out.push('\n');
    }
}

fn write_steps(out: &mut String, title: &str, steps: &[Step]) {
    if steps.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}：");
    for s in steps {
        let _ = writeln!(out, "    {}：{} = {}", s.what, s.expression, s.value);
    }
}

fn write_formula(out: &mut String, f: &FormulaCall) {
    let place = match (&f.file, f.line) {
        (Some(file), Some(line)) => format!("{file}:{line}"),
        (Some(file), None) => file.clone(),
        _ => "位置未知".into(),
    };
    let _ = writeln!(out, "  公式：[formulas] {} = {}（{place}）", f.role, f.function);
    for line in &f.comment {
        let _ = writeln!(out, "    // {line}");
    }
    let args: Vec<String> = f.arguments.iter().map(|a| format!("{} {}", a.name, a.value)).collect();
    let _ = writeln!(out, "    {}({}, p) = {}", f.function, args.join(", "), f.result);
    if !f.params.is_empty() {
        out.push_str("    函数用到的参数：\n");
        for p in &f.params {
            let _ = write!(out, "      p.{} = {}", p.name, p.value);
            if let Some(year) = p.year {
                let _ = write!(out, "（{year} 年起的值）");
            }
            let _ = write!(out, "：{}", p.description);
            if let Some(r) = &p.reference {
                let _ = write!(out, "（依据：{r}）");
            }
            if let Some(place) = &p.place {
                let _ = write!(out, "［{place}］");
            }
            out.push('\n');
        }
    }
}

fn write_findings(out: &mut String, findings: &[Finding], checks: &BTreeMap<String, String>) {
    if findings.is_empty() {
        return;
    }
    out.push_str("  相关发现：\n");
    for f in findings {
        let waived = if f.waived { "（已豁免）" } else { "" };
        let _ = write!(out, "    {} {}{}：{}", f.code, f.severity.label(), waived, f.message);
        if let Some(place) = checks.get(&f.code) {
            let _ = write!(out, "［规则 {place}］");
        }
        out.push('\n');
    }
}

fn write_result(out: &mut String, what: &str, r: &Outcome) {
    let computed = r.computed.map(|c| c.to_string()).unwrap_or_else(|| "—".into());
    let reported = r.reported.map(|c| c.to_string()).unwrap_or_else(|| "—".into());
    let _ = writeln!(out, "  结果：计算{what} {computed}，填报 {reported}：{}", r.verdict);
}

/// Renders explanations as Chinese text for the terminal.
pub fn render_text(explanations: &[Explanation]) -> String {
    let mut out = String::new();
    for (n, e) in explanations.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "文档 {}（{}，{} 年度）", e.id, e.project, e.year);
        if let Some(l) = &e.layout {
            // A document written before layouts were files names its family only.
            let why = match (l.title.as_str(), l.signature.as_slice()) {
                ("", _) => String::new(),
                (title, []) => format!("《{title}》；表中没有任何格式的特征标签，记为默认格式"),
                (title, seen) => format!("《{title}》；依据表中的特征标签：{}", seen.join("、")),
            };
            let _ = writeln!(out, "格式 {}{why}", l.family);
        }
        if let Some(r) = &e.region_inferred {
            let cell = r.cell.as_ref().map(|c| format!("（{c}）")).unwrap_or_default();
            let effect = if r.used {
                "，按该地区的规则集评分"
            } else {
                "；没有恰好一个规则集适用于该地区和年度，按全国规则集评分"
            };
            let _ = writeln!(
                out,
                "地区 {}（未指定 --region：由{}{cell}中的“{}”推断{effect}；用 --region 可改）",
                r.guess.title, r.guess.field, r.guess.place
            );
        }
        let _ = writeln!(
            out,
            "规则集 {}《{}》（{}）；舍入：{}，得分保留 {} 位，总分保留 {} 位",
            e.ruleset.id,
            e.ruleset.title,
            std::iter::once(e.ruleset.location.clone())
                .chain(e.ruleset.extends.iter().enumerate().map(|(i, f)| {
                    let again = if i == 0 { "" } else { "再" };
                    format!("{again}继承 {f}")
                }))
                .collect::<Vec<_>>()
                .join("，"),
            e.rounding.mode_label,
            e.rounding.score_places,
            e.rounding.total_places
        );
        if !e.decisions.is_empty() {
            out.push_str("审核决定：\n");
            for d in &e.decisions {
                let _ = writeln!(out, "  {}（{}）", d.summary(), d.attribution());
            }
        }
        if let Some(b) = &e.budget {
            let _ = writeln!(out, "\n▸ {BUDGET_ITEM}");
            write_inputs(&mut out, &b.inputs);
            let _ = writeln!(out, "  分值：{}，{}", b.weight.value, b.weight.expression);
            write_steps(&mut out, "计算", &b.steps);
            if let Some(f) = &b.rate_formula {
                write_formula(&mut out, f);
            }
            if let Some(check) = &b.rate_check {
                let _ = writeln!(out, "  核对执行率：{check}");
            }
            if let Some(f) = &b.score_formula {
                write_formula(&mut out, f);
            }
            if let Some(r) = &b.rounding {
                let _ = writeln!(out, "  舍入：{}", rounding_text(r));
            }
            write_result(&mut out, "得分", &b.result);
            write_findings(&mut out, &b.findings, &e.checks);
        }
        for i in &e.indicators {
            let _ = writeln!(out, "\n▸ 指标 {}", i.path);
            write_inputs(&mut out, &i.inputs);
            if let Some(h) = &i.unit_hint {
                let _ = writeln!(out, "  单位：{h}");
            }
            out.push_str("  解析：\n");
            let _ = writeln!(out, "    年度指标值 “{}” → {}", i.target.text, i.target.description);
            let _ = writeln!(out, "    实际完成值 “{}” → {}", i.actual.text, i.actual.description);
            let _ = writeln!(out, "  类别：{} —— {}", i.kind_label, i.kind_reason);
            write_steps(&mut out, "单位换算", &i.conversions);
            write_steps(&mut out, "计算", &i.steps);
            if let Some(f) = &i.formula {
                write_formula(&mut out, f);
            }
            if let Some(r) = &i.rounding {
                let _ = writeln!(out, "  舍入：{}", rounding_text(r));
            }
            if let Some(s) = &i.rescale {
                let _ = writeln!(out, "  {}：{} = {}", s.what, s.expression, s.value);
            }
            write_result(&mut out, "得分", &i.result);
            if let Some(block) = &i.block {
                let _ = writeln!(out, "  {block}");
            }
            if i.result.computed.is_none() || i.block.is_some() {
                let _ = writeln!(out, "  计入合计：{}", i.counted);
            }
            write_findings(&mut out, &i.findings, &e.checks);
        }
        if let Some(t) = &e.total {
            let _ = writeln!(out, "\n▸ {TOTAL_ITEM}");
            out.push_str("  各项：\n");
            for term in &t.terms {
                let _ = writeln!(out, "    {}  {}", term.value, term.name);
            }
            let _ = writeln!(out, "  合计：{} = {}", t.sum.expression, t.sum.value);
            let _ = writeln!(out, "  舍入：{}", rounding_text(&t.rounding));
            write_result(&mut out, "总分", &t.result);
            let bands: Vec<String> = t.bands.iter().map(|b| format!("{} {}", b.name, b.value)).collect();
            let _ = writeln!(out, "  等级划分：{}", bands.join("，"));
            let _ = writeln!(out, "  等级：{} → {}", t.grade.expression, t.grade.value);
            if let Some(check) = &t.grade_check {
                let _ = writeln!(out, "  {check}");
            }
            if let Some(note) = &t.incomplete {
                let _ = writeln!(out, "  {note}");
            }
            write_findings(&mut out, &t.findings, &e.checks);
        }
    }
    out
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

    #[test]
    fn long_quotients_are_cut_with_an_ellipsis() {
        let q = Decimal::from(870_996) / Decimal::from(890_000);
        assert_eq!(num(q), "0.97864719…");
        assert_eq!(num(Decimal::new(980, 3)), "0.980");
    }
}
