//! Running a rule set's reviewer checks on one document: turning what a check found into a
//! located [`Finding`] (the policy's title, severity and message template filled with the
//! check's values; the document, indicator path or block and source cell), calling scripted
//! checks with their facts, and the native checks that look at the whole document (weights
//! structure, narrative).
//!
//! Scoring ([`crate::engine::scoring`]) decides *when* a check's question arises; this module decides
//! nothing about policy: severities, thresholds and phrases come from
//! [`crate::policy::checks::Check`], and scripted checks decide in Rhai.

use std::collections::BTreeMap;

use rhai::Dynamic;
use rust_decimal::Decimal;

use crate::model::decimal_text;
use crate::model::document::{CellPos, EvaluationDocument, FormBlock, ImportIssueKind};
use crate::model::findings::Finding;
use crate::model::range::{Overflow, checked_sum};
use crate::policy::RuleSet;
use crate::policy::checks::{Check, Code};
use crate::script::{Running, ScriptError};

/// A value a native check gives to its message.
#[derive(Debug, Clone)]
pub enum Val<'v> {
    /// A decimal, shown as written (its own scale).
    Dec(Decimal),
    /// A decimal that may be missing ("（空）").
    Opt(Option<Decimal>),
    /// An integer.
    Int(i64),
    /// A text.
    Str(&'v str),
    /// An owned text.
    Text(String),
}

impl Val<'_> {
    fn show(&self) -> String {
        match self {
            Val::Dec(d) | Val::Opt(Some(d)) => decimal_text::text(d),
            Val::Opt(None) => EMPTY.to_owned(),
            Val::Int(i) => i.to_string(),
            Val::Str(s) => (*s).to_owned(),
            Val::Text(s) => s.clone(),
        }
    }
}

/// How a missing value is shown in a message.
const EMPTY: &str = "（空）";

/// Where a finding points: the indicator (by index) or the block, and the field whose source
/// cell is the most relevant. Cheap to make: the JSON pointer is built only for a finding.
#[derive(Debug, Clone, Copy)]
pub struct Place<'p> {
    indicator: Option<usize>,
    block: &'static str,
    field: &'p str,
    /// The cell itself, when the finding is about a cell rather than a field (import issues).
    cell: Option<CellPos>,
}

impl<'p> Place<'p> {
    /// A field of an indicator row (`actual`, `score_reported`, `note`, …).
    pub fn indicator(index: usize, field: &'p str) -> Self {
        Self {
            indicator: Some(index),
            block: "indicators",
            field,
            cell: None,
        }
    }

    /// A field of a block, by JSON pointer (`/funds/total/rate_reported`).
    pub fn block(block: &'static str, pointer: &'p str) -> Self {
        Self {
            indicator: None,
            block,
            field: pointer,
            cell: None,
        }
    }

    /// A cell of the form, named directly (an import issue's cell).
    pub fn cell(block: &'static str, at: CellPos) -> Self {
        Self {
            indicator: None,
            block,
            field: "",
            cell: Some(at),
        }
    }

    fn pointer(&self) -> String {
        match self.indicator {
            Some(i) => format!("/indicators/{i}/{}", self.field),
            None => self.field.to_owned(),
        }
    }
}

/// Collects the findings of one document.
pub struct Emitter<'a> {
    rules: &'a RuleSet,
    doc: &'a EvaluationDocument,
    /// Findings so far, in the order the checks ran.
    pub findings: Vec<Finding>,
}

impl<'a> Emitter<'a> {
    /// An emitter for `doc` under `rules`.
    pub fn new(rules: &'a RuleSet, doc: &'a EvaluationDocument) -> Self {
        Self {
            rules,
            doc,
            findings: Vec::new(),
        }
    }

    /// The rule set the checks come from.
    pub fn rules(&self) -> &'a RuleSet {
        self.rules
    }

    /// Whether a check is on.
    #[inline]
    pub fn on(&self, code: Code) -> bool {
        self.rules.checks.is_on(code)
    }

    /// Records a native check's finding (nothing when the policy switched the check off).
    pub fn emit(&mut self, code: Code, place: Place<'_>, values: &[(&str, Val)]) {
        let Some(check) = self.rules.checks.enabled(code) else {
            return;
        };
        let shown: Vec<(&str, String)> = values.iter().map(|(k, v)| (*k, v.show())).collect();
        let message = check
            .message
            .render(|name| shown.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))
            // Load time checks every placeholder against the values the code declares.
            .unwrap_or_else(|missing| format!("{}（模板值 {{{missing}}} 缺失）", check.message.source()));
        let values = shown.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        self.push(check, place, message, values);
    }

    /// Calls a scripted check's function and records its finding, if any. `fact` gives each
    /// fact by name; only the facts the function reads (and the message uses) are built.
    ///
    /// # Errors
    /// A script failure, a return value that is neither `()` nor a map, or a message template
    /// asking for a value neither the facts nor the returned map hold: the policy is broken.
    pub fn run_script(
        &mut self,
        code: Code,
        place: Place<'_>,
        fact: &dyn Fn(&str) -> Dynamic,
    ) -> Result<(), ScriptError> {
        let Some(check) = self.rules.checks.enabled(code) else {
            return Ok(());
        };
        let Some(function) = check.function.as_deref() else {
            return Ok(());
        };
        let native = self
            .rules
            .scripts
            .natives()
            .get(function)
            .and_then(|n| n.check(fact, &check.script_params));
        let result: Dynamic = match native {
            Some(result) => result,
            None => {
                let facts: rhai::Map = check.facts.iter().map(|k| ((*k).into(), fact(k))).collect();
                self.rules.scripts.call(
                    function,
                    (Dynamic::from_map(facts), Dynamic::from_map(check.script_params.clone())),
                )?
            }
        };
        if result.is_unit() {
            return Ok(());
        }
        let actual = result.type_name();
        let Some(returned) = result.try_cast::<rhai::Map>() else {
            return Err(ScriptError::WrongReturnType {
                at: self.rules.scripts.definition_loc(function),
                function: function.to_owned(),
                expected: "()（没有发现）或对象映射（有发现）".to_owned(),
                actual: actual.to_owned(),
            });
        };
        let mut values = BTreeMap::new();
        for (k, v) in &returned {
            values.insert(k.to_string(), show_dynamic(v));
        }
        let message = check.message.render(|name| {
            if let Some(v) = values.get(name) {
                return Some(v.clone());
            }
            let known = check.code.info().values.contains(&name);
            let shown = known.then(|| show_dynamic(&fact(name)))?;
            values.insert(name.to_owned(), shown.clone());
            Some(shown)
        });
        let message = message.map_err(|missing| ScriptError::Runtime {
            at: self.rules.scripts.definition_loc(function),
            running: Some(Running {
                name: function.to_owned(),
                at_definition: true,
            }),
            message: format!("检查 {code} 的提示模板用到 {{{missing}}}，但函数 {function} 没有返回它，事实中也没有"),
        })?;
        self.push(check, place, message, values);
        Ok(())
    }

    /// The source cell of a place: its field's cell or, when that cell is empty on the form,
    /// its row's label. None for documents written as JSON, which have no cells.
    fn source_cell(&self, place: &Place<'_>) -> Option<CellPos> {
        if place.cell.is_some() {
            return place.cell;
        }
        let provenance = &self.doc.provenance;
        if provenance.is_empty() {
            return None;
        }
        provenance.get(&place.pointer()).copied().or_else(|| {
            let row = match place.indicator {
                Some(i) => format!("/indicators/{i}/name"),
                None => {
                    let parent = place.field.rsplit_once('/').map_or("", |(p, _)| p);
                    format!("{parent}/label")
                }
            };
            provenance.get(&row).copied()
        })
    }

    fn push(&mut self, check: &Check, place: Place<'_>, message: String, values: BTreeMap<String, String>) {
        let Some(severity) = check.severity else {
            return;
        };
        let at = self.source_cell(&place);
        let indicator = place
            .indicator
            .and_then(|i| self.doc.indicators.get(i))
            .map(|ind| ind.path());
        self.findings.push(Finding {
            code: check.code.id().to_owned(),
            title: check.title.clone(),
            severity,
            message,
            document: self.doc.id.clone(),
            indicator,
            block: Some(place.block.to_owned()),
            at,
            values,
            waived: false,
        });
    }
}

/// A script value as shown in a message: decimals without trailing zeros (87.00 → 87),
/// integers as written, `()` as "（空）", booleans as 是/否, lists joined with "、".
fn show_dynamic(value: &Dynamic) -> String {
    if value.is_unit() {
        return EMPTY.to_owned();
    }
    if let Ok(d) = value.as_decimal() {
        return decimal_text::text(&d.normalize());
    }
    if let Ok(b) = value.as_bool() {
        return if b { "是" } else { "否" }.to_owned();
    }
    if let Ok(s) = value.as_immutable_string_ref() {
        return s.to_string();
    }
    if let Ok(array) = value.as_array_ref() {
        return array.iter().map(show_dynamic).collect::<Vec<_>>().join("、");
    }
    value.to_string()
}

/// A decimal fact, or `()` when missing.
pub fn dec_or_unit(value: Option<Decimal>) -> Dynamic {
    value.map_or(Dynamic::UNIT, Dynamic::from_decimal)
}

/// The import issues of the document, each a finding at its cell: M1 (unrecognised), M2 (form
/// incomplete), M3 (template left unfilled), M4 (no project name), M5 (weights not stated per
/// indicator).
pub fn import_issues(em: &mut Emitter) {
    let doc = em.doc;
    for issue in &doc.import_issues {
        let code = match issue.kind {
            ImportIssueKind::Unrecognised => Code::M1,
            ImportIssueKind::Incomplete => Code::M2,
            ImportIssueKind::TemplateUnfilled => Code::M3,
            ImportIssueKind::Fragment => Code::M4,
            ImportIssueKind::WeightsNotStated => Code::M5,
        };
        em.emit(
            code,
            Place::cell("import", issue.at),
            &[
                ("cell", Val::Text(issue.at.a1())),
                ("text", Val::Str(issue.text.as_deref().unwrap_or(EMPTY))),
                ("detail", Val::Str(&issue.detail)),
            ],
        );
    }
}

/// Weights structure: S1 (total of weights; not for a form the importer found cut short, whose
/// weights cannot add up — T5 judges its total), S3 (declared header weights), S5 (required
/// level-1/level-2; not for a form cut short or on another scheme), S6 (share of one indicator).
///
/// # Errors
/// A sum of the form's weights that leaves the decimal range.
pub fn structure(em: &mut Emitter, budget_weight: Decimal, scheme_differs: bool) -> Result<(), Overflow> {
    let rules = em.rules;
    let doc = em.doc;
    let overflow = |pointer: &str, what: &str| Overflow::new(&rules.id, pointer, what);
    if em.on(Code::S1) && !doc.is_incomplete() {
        let indicators = checked_sum(doc.indicators.iter().filter_map(|i| i.weight))
            .ok_or_else(|| overflow("/indicators", "各指标分值之和"))?;
        let sum = budget_weight
            .checked_add(indicators)
            .ok_or_else(|| overflow("/total/weight", "预算执行分值与各指标分值之和"))?;
        if sum != rules.total_weight {
            em.emit(
                Code::S1,
                Place::block("total", "/total/weight"),
                &[
                    ("budget_weight", Val::Dec(budget_weight)),
                    ("indicators", Val::Dec(indicators)),
                    ("sum", Val::Dec(sum)),
                    ("total", Val::Dec(rules.total_weight)),
                ],
            );
        }
    }
    if let Some(check) = rules.checks.enabled(Code::S3) {
        let tolerance = check.dec("tolerance").unwrap_or_default();
        // The last 一级 block of a table cut off inside it lacks rows, not weight (M2 says so).
        let cut_off = doc
            .lacks(FormBlock::IndicatorRows)
            .then(|| doc.indicators.last().map(|i| i.level1.as_str()))
            .flatten();
        for (k, declared) in doc.declared_weights.iter().enumerate() {
            if cut_off == Some(declared.level1.as_str()) {
                continue;
            }
            let pointer = format!("/declared_weights/{k}/weight");
            let sum = checked_sum(
                doc.indicators
                    .iter()
                    .filter(|i| {
                        i.level1 == declared.level1
                            && declared.level2.as_ref().is_none_or(|l2| i.level2.as_ref() == Some(l2))
                    })
                    .filter_map(|i| i.weight),
            )
            .and_then(|sum| sum.checked_sub(declared.weight).map(|difference| (sum, difference)));
            let Some((sum, difference)) = sum else {
                return Err(overflow(&pointer, "表头写明的分值与其下各指标分值之和的差"));
            };
            if difference.abs() > tolerance {
                let parent = match &declared.level2 {
                    Some(l2) => format!("{}/{l2}", declared.level1),
                    None => declared.level1.clone(),
                };
                em.emit(
                    Code::S3,
                    Place::block("indicators", &pointer),
                    &[
                        ("parent", Val::Text(parent)),
                        ("declared", Val::Dec(declared.weight)),
                        ("sum", Val::Dec(sum)),
                    ],
                );
            }
        }
    }
    // What a form cut short, or laid out on another scheme (M6), lacks is no sign of a missing
    // block: M2 or M6 says why.
    if let Some(check) = rules
        .checks
        .enabled(Code::S5)
        .filter(|_| !doc.is_incomplete() && !scheme_differs)
    {
        let real = || doc.indicators.iter().filter(|i| !i.placeholder);
        let mut missing = Vec::new();
        for name in check.list("level1") {
            if !real().any(|i| i.level1.ends_with(name.as_str())) {
                missing.push(("一级指标", name.clone()));
            }
        }
        for name in check.list("level2") {
            if !real().any(|i| i.level2.as_deref().is_some_and(|l2| l2.ends_with(name.as_str()))) {
                missing.push(("二级指标", name.clone()));
            }
        }
        for (level, name) in missing {
            em.emit(
                Code::S5,
                Place::block("indicators", "/indicators"),
                &[("missing", Val::Text(name)), ("level", Val::Str(level))],
            );
        }
    }
    if let Some(check) = rules.checks.enabled(Code::S6) {
        let total = rules.total_weight;
        let limit = check.dec("max_share").unwrap_or(Decimal::ONE);
        let hundred = Decimal::ONE_HUNDRED;
        if !total.is_zero() {
            for (k, ind) in doc.indicators.iter().enumerate() {
                let Some(weight) = ind.weight.filter(|_| !ind.placeholder) else {
                    continue;
                };
                let pointer = format!("/indicators/{k}/weight");
                let share = weight
                    .checked_div(total)
                    .ok_or_else(|| overflow(&pointer, "指标分值占满分的比例"))?;
                if share > limit {
                    let (Some(share_pct), Some(limit_pct)) = (share.checked_mul(hundred), limit.checked_mul(hundred))
                    else {
                        return Err(overflow(&pointer, "指标分值占满分的百分比"));
                    };
                    em.emit(
                        Code::S6,
                        Place::indicator(k, "weight"),
                        &[
                            ("path", Val::Text(ind.path())),
                            ("weight", Val::Dec(weight)),
                            ("total", Val::Dec(total)),
                            ("share_pct", Val::Dec(share_pct.round_dp(2).normalize())),
                            ("limit_pct", Val::Dec(limit_pct.normalize())),
                        ],
                    );
                }
            }
        }
    }
    Ok(())
}

/// The narrative fields of a document with their JSON pointers and Chinese names.
fn narrative_fields(doc: &EvaluationDocument) -> Vec<(&'static str, &'static str, Option<&str>)> {
    let n = &doc.narrative;
    vec![
        (
            "/goals/expected",
            "年度总体目标·预期目标",
            Some(doc.goals.expected.as_str()),
        ),
        (
            "/goals/achieved",
            "年度总体目标·实际完成情况",
            Some(doc.goals.achieved.as_str()),
        ),
        ("/narrative/overview", "项目实施内容及过程概述", n.overview.as_deref()),
        ("/narrative/conclusion", "评价结论", n.conclusion.as_deref()),
        ("/narrative/problems", "存在问题", n.problems.as_deref()),
        ("/narrative/improvements", "改进措施", n.improvements.as_deref()),
    ]
}

/// T3 (narrative blank or still the template's instructions) and T4 (narrative amounts that
/// disagree with the funds block).
pub fn narrative(em: &mut Emitter) {
    let doc = em.doc;
    let rules = em.rules;
    if let Some(check) = rules.checks.enabled(Code::T3) {
        let instructions = check.list("instructions");
        let mut found = Vec::new();
        // A fragment (M4) shows no goals or narrative because they are on the part cut off.
        let fragment = doc.is_fragment();
        for (pointer, field, text) in narrative_fields(doc) {
            let Some(text) = text else { continue };
            let problem = if text.trim().is_empty() {
                if fragment {
                    continue;
                }
                Some("为空".to_owned())
            } else {
                instructions
                    .iter()
                    .find(|p| !p.is_empty() && text.contains(p.as_str()))
                    .map(|p| format!("仍是模板中的填写说明（含“{p}”）"))
            };
            if let Some(problem) = problem {
                found.push((pointer, field, text.trim().to_owned(), problem));
            }
        }
        for (pointer, field, text, problem) in found {
            em.emit(
                Code::T3,
                Place::block("narrative", pointer),
                &[
                    ("field", Val::Str(field)),
                    ("text", Val::Text(text)),
                    ("problem", Val::Text(problem)),
                ],
            );
        }
    }
    if let Some(check) = rules.checks.enabled(Code::T4) {
        let keywords = check.list("keywords");
        let window = check
            .dec("window")
            .and_then(|w| usize::try_from(w.trunc().mantissa()).ok())
            .unwrap_or(0);
        let total = &doc.funds.total;
        let factor = if doc.funds.unit.contains('万') {
            Decimal::from(10_000)
        } else {
            Decimal::ONE
        };
        let stated = [total.budget_initial, total.budget_adjusted, total.executed];
        if stated.iter().all(Option::is_none) {
            return;
        }
        // A figure that overflows in 元 cannot agree with any amount a text can hold: left out.
        let figures: Vec<Decimal> = stated
            .into_iter()
            .flatten()
            .filter_map(|f| f.checked_mul(factor))
            .collect();
        let mut found = Vec::new();
        for (pointer, field, text) in narrative_fields(doc) {
            let Some(text) = text else { continue };
            for amount in amounts(text) {
                let before: String = text
                    .get(..amount.start)
                    .unwrap_or("")
                    .chars()
                    .rev()
                    .take(window)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                if !keywords.iter().any(|k| !k.is_empty() && before.contains(k.as_str())) {
                    continue;
                }
                let agrees = figures.iter().any(|f| {
                    f.checked_div(amount.unit_factor)
                        .is_some_and(|in_unit| rules.rounding_mode.round(in_unit, amount.value.scale()) == amount.value)
                });
                if !agrees {
                    found.push((pointer, field, format!("{before}{}", amount.written), amount.written));
                    break;
                }
            }
        }
        for (pointer, field, excerpt, written) in found {
            em.emit(
                Code::T4,
                Place::block("narrative", pointer),
                &[
                    ("field", Val::Str(field)),
                    ("amount", Val::Text(written)),
                    ("budget", Val::Opt(total.budget_adjusted)),
                    ("executed", Val::Opt(total.executed)),
                    ("text", Val::Text(excerpt)),
                ],
            );
        }
    }
}

/// An amount of money written in a text ("87.1万元").
#[derive(Debug, Clone, PartialEq)]
struct Amount {
    /// Byte offset where the number starts.
    start: usize,
    /// The number as written (scale kept).
    value: Decimal,
    /// 10000 for 万元, 1 for 元.
    unit_factor: Decimal,
    /// The amount as written, unit included.
    written: String,
}

/// Amounts followed by 元 or 万元 in a text.
fn amounts(text: &str) -> Vec<Amount> {
    let mut out = Vec::new();
    let mut iter = text.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        if !c.is_ascii_digit() {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, d)) = iter.peek() {
            if d.is_ascii_digit() || d == '.' || d == ',' {
                end = i + d.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        let rest = text.get(end..).unwrap_or("").trim_start();
        let (unit, factor) = if rest.starts_with("万元") {
            ("万元", Decimal::from(10_000))
        } else if rest.starts_with('元') {
            ("元", Decimal::ONE)
        } else {
            continue;
        };
        let number = text.get(start..end).unwrap_or("").replace(',', "");
        if let Ok(value) = number.trim_end_matches('.').parse::<Decimal>() {
            out.push(Amount {
                start,
                value,
                unit_factor: factor,
                written: format!("{number}{unit}"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_with_their_units() {
        let found = amounts("预算资金89万元，实际支出870,996.00元，共3个项目，2021年");
        let shown: Vec<(String, String)> = found.iter().map(|a| (a.value.to_string(), a.written.clone())).collect();
        assert_eq!(
            shown,
            [
                ("89".to_owned(), "89万元".to_owned()),
                ("870996.00".to_owned(), "870996.00元".to_owned())
            ]
        );
    }
}
