//! Snapshot compliance runs: per-document results recorded in a baseline folder, compared with
//! a new run (any change — in data or in rules — shows as a readable diff), approved with a
//! reason kept in the baseline's history. The run manifest beside the results is
//! [`crate::runs::manifest`].
//!
//! A baseline keeps, per recording or approval, one generation: `results.jsonl` (one
//! [`DocResult`] per line, in input order), `manifest.json` (the
//! [`crate::runs::manifest::Manifest`] of the run that produced it) and `history.jsonl` (who
//! approved what, when and why, every approval so far). [`store`] lays generations out on disk,
//! switches between them atomically under a lock, and checks each one against itself when it
//! is read.

pub mod record;
pub mod store;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::engine::scoring::Scorecard;

/// What a baseline keeps of one document: the numbers and findings a reviewer approves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocResult {
    /// Document id.
    pub id: String,
    /// Rule set applied.
    pub ruleset: String,
    /// Funds score.
    pub budget: Option<Decimal>,
    /// Indicator path → score.
    pub indicators: BTreeMap<String, Option<Decimal>>,
    /// Total.
    pub total: Decimal,
    /// Grade.
    pub grade: String,
    /// Unwaived findings as "CODE 严重程度 指标或区块".
    pub findings: Vec<String>,
}

impl DocResult {
    /// The baseline view of a scorecard.
    pub fn of(card: &Scorecard) -> Self {
        let mut findings: Vec<String> = card
            .findings
            .iter()
            .filter(|f| !f.waived)
            .map(|f| {
                format!(
                    "{} {} {}",
                    f.code,
                    f.severity.label(),
                    f.indicator.as_deref().or(f.block.as_deref()).unwrap_or("")
                )
                .trim_end()
                .to_owned()
            })
            .collect();
        findings.sort();
        Self {
            id: card.id.clone(),
            ruleset: card.ruleset.clone(),
            budget: card.budget.score,
            indicators: card.indicators.iter().map(|i| (i.path(), i.score)).collect(),
            total: card.total.score,
            grade: card.grade.clone(),
            findings,
        }
    }
}

/// One approval in a baseline's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// Who approved (`--reviewer`, else the login name).
    pub who: String,
    /// When, as Unix seconds and UTC text.
    pub when: String,
    /// Why.
    pub why: String,
    /// Documents whose results changed with this approval.
    pub changed: usize,
    /// SHA-256 of the approved `results.jsonl`.
    pub results_sha256: String,
}

/// `results.jsonl` text for results, one per line, in order.
pub fn results_text(results: &[DocResult]) -> String {
    results
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
        .collect()
}

/// Reads `results.jsonl`.
pub fn parse_results(text: &str) -> Result<Vec<DocResult>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("results.jsonl 第 {} 行：{e}", i + 1)))
        .collect()
}

/// How a new run differs from the baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineDiff {
    /// Per changed document, its lines of differences.
    pub changed: Vec<(String, Vec<String>)>,
    /// Ids only in the new run.
    pub added: Vec<String>,
    /// Ids only in the baseline.
    pub removed: Vec<String>,
}

impl BaselineDiff {
    /// True when the new run equals the baseline.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }

    /// Number of documents that differ in any way.
    pub fn count(&self) -> usize {
        self.changed.len() + self.added.len() + self.removed.len()
    }

    /// Readable diff (Chinese).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (id, lines) in &self.changed {
            let _ = writeln!(out, "~ {id}");
            for l in lines {
                let _ = writeln!(out, "    {l}");
            }
        }
        for id in &self.added {
            let _ = writeln!(out, "+ {id}（基线中没有）");
        }
        for id in &self.removed {
            let _ = writeln!(out, "- {id}（本次运行中没有）");
        }
        let _ = writeln!(
            out,
            "与基线相比：{} 个文档结果变化，新增 {} 个，缺少 {} 个",
            self.changed.len(),
            self.added.len(),
            self.removed.len()
        );
        out
    }
}

fn show(d: Option<Decimal>) -> String {
    d.map_or_else(|| "—".to_owned(), |d| d.to_string())
}

/// Compares a new run with the baseline, document by document (matched by id).
pub fn compare(baseline: &[DocResult], new: &[DocResult]) -> BaselineDiff {
    let old: BTreeMap<&str, &DocResult> = baseline.iter().map(|r| (r.id.as_str(), r)).collect();
    let fresh: BTreeMap<&str, &DocResult> = new.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut diff = BaselineDiff::default();
    for r in new {
        let Some(b) = old.get(r.id.as_str()) else {
            diff.added.push(r.id.clone());
            continue;
        };
        let mut lines = Vec::new();
        if b.ruleset != r.ruleset {
            lines.push(format!("规则集：{} → {}", b.ruleset, r.ruleset));
        }
        if b.total != r.total || b.grade != r.grade {
            lines.push(format!(
                "总分：{} → {}，等级：{} → {}",
                b.total, r.total, b.grade, r.grade
            ));
        }
        if b.budget != r.budget {
            lines.push(format!("预算执行：{} → {}", show(b.budget), show(r.budget)));
        }
        for (path, score) in &r.indicators {
            match b.indicators.get(path) {
                Some(old_score) if old_score != score => {
                    lines.push(format!("{path}：{} → {}", show(*old_score), show(*score)))
                }
                None => lines.push(format!("{path}：新增指标，{}", show(*score))),
                _ => {}
            }
        }
        for path in b.indicators.keys().filter(|p| !r.indicators.contains_key(*p)) {
            lines.push(format!("{path}：指标已不在文档中"));
        }
        for f in r.findings.iter().filter(|f| !b.findings.contains(f)) {
            lines.push(format!("+ 发现 {f}"));
        }
        for f in b.findings.iter().filter(|f| !r.findings.contains(f)) {
            lines.push(format!("- 发现 {f}"));
        }
        if !lines.is_empty() {
            diff.changed.push((r.id.clone(), lines));
        }
    }
    diff.removed = baseline
        .iter()
        .filter(|b| !fresh.contains_key(b.id.as_str()))
        .map(|b| b.id.clone())
        .collect();
    diff
}

/// Current UTC time as Unix seconds and `YYYY-MM-DD HH:MM:SS UTC`.
pub fn now_text() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    let (y, m, d) = crate::engine::grammar::civil_from_days(days).unwrap_or((1970, 1, 1));
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, total: i64, findings: &[&str]) -> DocResult {
        DocResult {
            id: id.into(),
            ruleset: "r".into(),
            budget: Some(Decimal::TEN),
            indicators: [("产出指标/数量指标/x".to_owned(), Some(Decimal::from(total - 10)))]
                .into_iter()
                .collect(),
            total: Decimal::from(total),
            grade: if total >= 90 { "优" } else { "良" }.into(),
            findings: findings.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn compare_names_moved_documents_points_grades_and_findings() {
        let base = vec![
            result("a", 95, &[]),
            result("b", 92, &["T1 错误 total"]),
            result("gone", 90, &[]),
        ];
        let new = vec![result("a", 95, &[]), result("b", 85, &[]), result("new", 70, &[])];
        let diff = compare(&base, &new);
        assert_eq!(diff.added, ["new"]);
        assert_eq!(diff.removed, ["gone"]);
        assert_eq!(diff.changed.len(), 1);
        assert_eq!(
            diff.changed[0].1,
            [
                "总分：92 → 85，等级：优 → 良",
                "产出指标/数量指标/x：82 → 75",
                "- 发现 T1 错误 total"
            ]
        );
        assert!(compare(&base, &base).is_empty());
    }
}
