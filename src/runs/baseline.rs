//! Snapshot compliance runs: per-document results recorded in a baseline folder, compared with
//! a new run (any change — in data or in rules — shows as a readable diff), approved with a
//! reason kept in the baseline's history; and the run manifest that lets `jixiao verify`
//! reproduce a run exactly.
//!
//! `jixiao score -o FILE` writes the same kind of manifest next to its report
//! (`FILE.manifest.json`), with a [`ReportRecord`] naming the report file, its format and hash;
//! `jixiao verify` then re-scores and compares the report's bytes.
//!
//! A baseline folder holds `results.jsonl` (one [`DocResult`] per line, in input order),
//! `manifest.json` (the [`Manifest`] of the run that produced it) and `history.jsonl`
//! (who approved what, when and why).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

/// A file and its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hashed {
    /// Path as given (inputs, decisions) or rule-set id.
    pub name: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// Everything needed to reproduce a run and to tell whether it reproduced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `jixiao` version that ran.
    pub engine: String,
    /// Input files with their hashes, in order.
    pub inputs: Vec<Hashed>,
    /// Rule sets used (content hash of all their files).
    pub rulesets: Vec<Hashed>,
    /// `--rules` as given, if any.
    pub rules_option: Option<String>,
    /// Decisions files with their hashes.
    pub decisions: Vec<Hashed>,
    /// Import options: year, default year, region.
    pub year: Option<i32>,
    /// See `year`.
    pub default_year: Option<i32>,
    /// See `year`.
    pub region: Option<String>,
    /// Number of documents scored.
    pub documents: usize,
    /// SHA-256 of `results.jsonl` (baseline runs) or of the report file (`jixiao score -o`).
    pub results_sha256: String,
    /// The report file a `jixiao score -o` run wrote; absent from a baseline run's manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportRecord>,
}

/// The report file of a `jixiao score -o` run, as its manifest records it: enough to render it
/// again and to tell whether the file on disk is still what the run wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRecord {
    /// The report's file name (it lives in the manifest's folder) and the SHA-256 of its bytes.
    pub file: Hashed,
    /// `--format` as given on the command line, e.g. `xlsx`.
    pub format: String,
    /// `--csv-table` as given, for `--format csv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_table: Option<String>,
    /// Creation time written into an Excel workbook (Unix seconds), for `--format xlsx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
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

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Hex SHA-256 of a file's content, read in blocks (memory stays flat whatever its size).
///
/// # Errors
/// The file cannot be opened or read.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            break;
        }
        hasher.update(block.get(..n).unwrap_or_default());
    }
    Ok(hex(&hasher.finalize()))
}

/// SHA-256 computed on a thread of its own: [`BackgroundSha256::update`] hands a copy of the
/// bytes over and returns at once, so hashing a large report or corpus does not hold up the
/// thread that reads and writes it. Feed it large blocks (a buffered reader's or writer's).
pub struct BackgroundSha256 {
    blocks: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    hasher: Option<std::thread::JoinHandle<Sha256>>,
}

impl Default for BackgroundSha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl BackgroundSha256 {
    /// Starts the hashing thread.
    #[must_use]
    pub fn new() -> Self {
        let (blocks, received) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
        let hasher = std::thread::spawn(move || {
            let mut hasher = Sha256::new();
            for block in received {
                hasher.update(&block);
            }
            hasher
        });
        Self {
            blocks: Some(blocks),
            hasher: Some(hasher),
        }
    }

    /// Adds bytes to the hash.
    pub fn update(&mut self, bytes: &[u8]) {
        if let Some(blocks) = &self.blocks {
            // The thread only stops when `blocks` is dropped, so the send cannot fail.
            let _ = blocks.send(bytes.to_vec());
        }
    }

    /// The hex SHA-256 of everything added.
    ///
    /// # Errors
    /// The hashing thread died (it cannot, short of running out of memory).
    pub fn finish(mut self) -> Result<String, String> {
        drop(self.blocks.take());
        let hasher = self
            .hasher
            .take()
            .ok_or_else(|| "散列线程不存在（内部错误）".to_owned())?
            .join()
            .map_err(|_| "散列线程意外中止（内部错误）".to_owned())?;
        Ok(hex(&hasher.finalize()))
    }
}

/// Lower-case hex of bytes, e.g. of a digest computed incrementally.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
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
