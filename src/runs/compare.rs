//! What a policy change does to a corpus: the same documents scored under two rule sets,
//! compared document by document — totals, grades, the indicators and formulas that moved each
//! one — with a summary of grade transitions and of findings appearing or disappearing per code.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::engine::scoring::Scorecard;
use crate::policy::RuleSet;

/// One number of a document that moved between the two rule sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Movement {
    /// 预算执行, or the indicator path 一级/二级/三级.
    pub item: String,
    /// Score under the old rule set.
    pub old: Option<Decimal>,
    /// Score under the new rule set.
    pub new: Option<Decimal>,
    /// Why, in Chinese: the formula applied under each set and what changed in it.
    pub because: String,
}

/// One document under both rule sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentChange {
    /// Document id.
    pub id: String,
    /// 项目名称.
    pub project: String,
    /// Total under the old set.
    pub old_total: Decimal,
    /// Total under the new set.
    pub new_total: Decimal,
    /// Grade under the old set.
    pub old_grade: String,
    /// Grade under the new set.
    pub new_grade: String,
    /// The numbers that moved, with their reasons.
    pub moved: Vec<Movement>,
    /// Finding codes present only under the new set.
    pub findings_appearing: Vec<String>,
    /// Finding codes present only under the old set.
    pub findings_disappearing: Vec<String>,
}

impl DocumentChange {
    /// True when anything about the document differs.
    pub fn changed(&self) -> bool {
        self.old_total != self.new_total
            || self.old_grade != self.new_grade
            || !self.moved.is_empty()
            || !self.findings_appearing.is_empty()
            || !self.findings_disappearing.is_empty()
    }
}

/// The comparison of a corpus under two rule sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorpusDiff {
    /// Old rule set id.
    pub from: String,
    /// New rule set id.
    pub to: String,
    /// Every document, in input order.
    pub documents: Vec<DocumentChange>,
    /// "优→良" → count, for documents whose grade changed.
    pub grade_transitions: BTreeMap<String, usize>,
    /// Finding code → number of documents where it appears under the new set only.
    pub findings_appearing: BTreeMap<String, usize>,
    /// Finding code → number of documents where it disappears under the new set.
    pub findings_disappearing: BTreeMap<String, usize>,
}

/// Parameters function `name` reads (`p.name`, also through the functions it calls) whose
/// value differs between the two sets.
fn changed_params(old: &RuleSet, new: &RuleSet, name: &str) -> Vec<String> {
    let read = new
        .scripts
        .function_facts_by_name(name)
        .map(|f| new.scripts.params_read(&f.name, f.params.len()))
        .unwrap_or_default();
    new.params
        .iter()
        .filter(|p| read.contains(&p.name))
        .filter_map(|p| match old.param(&p.name) {
            Some(v) if v == p.value => None,
            Some(v) => Some(format!("参数 {} {v} → {}", p.name, p.value)),
            None => Some(format!("参数 {} 新增为 {}", p.name, p.value)),
        })
        .collect()
}

/// Why a score moved: the formula under each set, what changed in it, and any rescaling.
fn explain_formula(
    old: &RuleSet,
    new: &RuleSet,
    old_formula: Option<&str>,
    new_formula: Option<&str>,
    rescale: Option<(Option<Decimal>, Option<Decimal>)>,
) -> String {
    let mut reasons = Vec::new();
    match (old_formula, new_formula) {
        (Some(a), Some(b)) if a != b => reasons.push(format!("计分函数 {a} → {b}")),
        (Some(_), Some(b)) => {
            // Comments and spacing aside: the code as Rhai reads it.
            let form = |rules: &RuleSet| rules.scripts.function_facts_by_name(b).map(|f| f.form.clone());
            if form(old) != form(new) {
                reasons.push(format!("函数 {b} 已修改"));
            }
            reasons.extend(changed_params(old, new, b));
        }
        (None, Some(b)) => reasons.push(format!("新规则集按 {b} 计分")),
        (Some(a), None) => reasons.push(format!("新规则集不再按 {a} 计分")),
        (None, None) => {}
    }
    if let Some((a, b)) = rescale.filter(|(a, b)| a != b) {
        let show = |r: Option<Decimal>| r.map_or("无".into(), |r| r.round_dp(4).normalize().to_string());
        reasons.push(format!("一级指标折算系数 {} → {}", show(a), show(b)));
    }
    if reasons.is_empty() {
        reasons.push("公式与参数未变；分值或舍入方式变化".to_owned());
    }
    reasons.join("；")
}

fn codes(card: &Scorecard) -> BTreeSet<String> {
    card.findings
        .iter()
        .filter(|f| !f.waived)
        .map(|f| f.code.clone())
        .collect()
}

/// Compares one document's scorecards under the old and the new rule set.
pub fn compare_document(old_rules: &RuleSet, new_rules: &RuleSet, old: &Scorecard, new: &Scorecard) -> DocumentChange {
    let mut moved = Vec::new();
    if old.budget.score != new.budget.score {
        let reason = explain_formula(
            old_rules,
            new_rules,
            Some(&old_rules.formulas.budget_score),
            Some(&new_rules.formulas.budget_score),
            None,
        );
        let rate = explain_formula(
            old_rules,
            new_rules,
            Some(&old_rules.formulas.budget_rate),
            Some(&new_rules.formulas.budget_rate),
            None,
        );
        moved.push(Movement {
            item: "预算执行".to_owned(),
            old: old.budget.score,
            new: new.budget.score,
            because: format!("执行率：{rate}；得分：{reason}"),
        });
    }
    for (a, b) in old.indicators.iter().zip(&new.indicators) {
        if a.score != b.score {
            let because = explain_formula(
                old_rules,
                new_rules,
                a.formula.as_deref(),
                b.formula.as_deref(),
                Some((a.rescale, b.rescale)),
            );
            moved.push(Movement {
                item: b.path(),
                old: a.score,
                new: b.score,
                because,
            });
        }
    }
    let (old_codes, new_codes) = (codes(old), codes(new));
    DocumentChange {
        id: new.id.clone(),
        project: new.project.clone(),
        old_total: old.total.score,
        new_total: new.total.score,
        old_grade: old.grade.clone(),
        new_grade: new.grade.clone(),
        moved,
        findings_appearing: new_codes.difference(&old_codes).cloned().collect(),
        findings_disappearing: old_codes.difference(&new_codes).cloned().collect(),
    }
}

/// Builds the corpus summary from per-document changes.
pub fn summarize(from: &str, to: &str, documents: Vec<DocumentChange>) -> CorpusDiff {
    let mut grade_transitions = BTreeMap::new();
    let mut findings_appearing = BTreeMap::new();
    let mut findings_disappearing = BTreeMap::new();
    for d in &documents {
        if d.old_grade != d.new_grade {
            *grade_transitions
                .entry(format!("{}→{}", d.old_grade, d.new_grade))
                .or_insert(0) += 1;
        }
        for c in &d.findings_appearing {
            *findings_appearing.entry(c.clone()).or_insert(0) += 1;
        }
        for c in &d.findings_disappearing {
            *findings_disappearing.entry(c.clone()).or_insert(0) += 1;
        }
    }
    CorpusDiff {
        from: from.to_owned(),
        to: to.to_owned(),
        documents,
        grade_transitions,
        findings_appearing,
        findings_disappearing,
    }
}

fn opt(d: Option<Decimal>) -> String {
    d.map_or_else(|| "—".to_owned(), |d| d.to_string())
}

impl CorpusDiff {
    /// Documents whose result changed.
    pub fn changed(&self) -> impl Iterator<Item = &DocumentChange> {
        self.documents.iter().filter(|d| d.changed())
    }

    /// Plain-text report (Chinese).
    pub fn to_text(&self) -> String {
        self.render(false)
    }

    /// Markdown report (Chinese).
    pub fn to_markdown(&self) -> String {
        self.render(true)
    }

    fn render(&self, markdown: bool) -> String {
        let mut out = String::new();
        let h = |level: usize| {
            if markdown {
                format!("{} ", "#".repeat(level))
            } else {
                String::new()
            }
        };
        let changed: Vec<&DocumentChange> = self.changed().collect();
        let _ = writeln!(out, "{}规则集变化的影响：{} → {}", h(1), self.from, self.to);
        let _ = writeln!(
            out,
            "\n共 {} 个文档，{} 个结果有变化。",
            self.documents.len(),
            changed.len()
        );
        let _ = writeln!(out, "\n{}等级变化", h(2));
        if self.grade_transitions.is_empty() {
            let _ = writeln!(out, "（无）");
        }
        for (t, n) in &self.grade_transitions {
            let _ = writeln!(out, "- {t}：{n}");
        }
        let _ = writeln!(out, "\n{}发现变化（按代码，文档数）", h(2));
        if self.findings_appearing.is_empty() && self.findings_disappearing.is_empty() {
            let _ = writeln!(out, "（无）");
        }
        for (c, n) in &self.findings_appearing {
            let _ = writeln!(out, "- 新出现 {c}：{n}");
        }
        for (c, n) in &self.findings_disappearing {
            let _ = writeln!(out, "- 消失 {c}：{n}");
        }
        let _ = writeln!(out, "\n{}有变化的文档", h(2));
        if changed.is_empty() {
            let _ = writeln!(out, "（无）");
        }
        for d in changed {
            let _ = writeln!(
                out,
                "\n{}{}（{}）：总分 {} → {}，等级 {} → {}",
                if markdown { "### " } else { "* " },
                d.project,
                d.id,
                d.old_total,
                d.new_total,
                d.old_grade,
                d.new_grade
            );
            for m in &d.moved {
                let _ = writeln!(out, "  - {}：{} → {}（{}）", m.item, opt(m.old), opt(m.new), m.because);
            }
            if !d.findings_appearing.is_empty() {
                let _ = writeln!(out, "  - 新出现的发现：{}", d.findings_appearing.join("、"));
            }
            if !d.findings_disappearing.is_empty() {
                let _ = writeln!(out, "  - 消失的发现：{}", d.findings_disappearing.join("、"));
            }
        }
        out
    }
}
