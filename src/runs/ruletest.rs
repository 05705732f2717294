//! `jixiao test`: a rule set's own cases, written by policy editors as TOML files in
//! `rules/<id>/tests/`, each a document (a form pasted from Excel, an inline document, or a
//! file) with the exact results the editor expects; plus coverage — which finding rules, formula
//! outcomes and parameters no case exercises, and whether cases sit at, just below and just
//! above each parameter's value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::engine::pipeline::score_under;
use crate::engine::scoring::Scorecard;
use crate::ingest::import::{ImportOptions, import_text};
use crate::model::diagnostic::{Diagnostic, LineIndex, Loc};
use crate::model::document::EvaluationDocument;
use crate::policy::RuleSet;
use crate::policy::model::{Dec, ParamValue};
use crate::script::ast::{self, ArmKind, Otherwise, Site};
use crate::script::{ScriptLimits, ScriptSet, take_probes};

/// One test case file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// What the case is about.
    pub case: CaseMeta,
    /// The document scored.
    pub input: CaseInput,
    /// The results expected, compared exactly.
    pub expect: Expect,
}

/// Name and description of a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseMeta {
    /// 用例名称。
    pub name: String,
    /// 用例说明：检验哪条规则、哪个阈值。
    #[serde(default)]
    pub description: Option<String>,
}

/// The document of a case: exactly one of `form`, `document` or `file`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// 从 Excel 复制的自评表（制表符分隔）。
    #[serde(default)]
    pub form: Option<String>,
    /// 评价文档（与 JSON 评价文档相同的结构，写成 TOML）。
    #[serde(default)]
    pub document: Option<toml::Value>,
    /// 文件路径（相对于用例文件）：.json 评价文档或 .tsv/.csv/.xlsx 自评表（取第一张表）。
    #[serde(default)]
    pub file: Option<String>,
    /// 评价文档的 JSON 原文（与 .json 评价文档相同）。
    #[serde(default)]
    pub json: Option<String>,
    /// 导入自评表时的预算年度。
    #[serde(default)]
    pub year: Option<i32>,
    /// 导入自评表时的地区。
    #[serde(default)]
    pub region: Option<String>,
}

/// Expected results; anything left out is not compared.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// 预算执行得分。
    #[serde(default)]
    pub funds_score: Option<Dec>,
    /// 各指标得分：键为三级指标名称或 一级/二级/三级 路径。
    #[serde(default)]
    pub indicators: BTreeMap<String, Dec>,
    /// 总分。
    #[serde(default)]
    pub total: Option<Dec>,
    /// 等级。
    #[serde(default)]
    pub grade: Option<String>,
    /// 未豁免的发现代码（完整集合，顺序不限）。
    #[serde(default)]
    pub findings: Option<Vec<String>>,
    /// 必须出现的发现代码（其余不限）。
    #[serde(default)]
    pub findings_include: Vec<String>,
    /// 不得出现的发现代码。
    #[serde(default)]
    pub findings_exclude: Vec<String>,
}

/// One case, loaded.
#[derive(Debug, Clone)]
pub struct Case {
    /// File name inside `tests/`.
    pub file: String,
    /// Parsed content.
    pub spec: CaseFile,
    /// The document.
    pub document: EvaluationDocument,
}

/// Code of the diagnostics about a rule set's test cases.
const CASE_CODE: &str = "jixiao::ruletest::case";

/// Loads a case file (`tests/<file>` of a rule set); `base` is the folder relative paths start
/// from (None for embedded sets). A case that cannot be used is a diagnostic at its place.
pub fn load_case(file: &str, text: &str, base: Option<&Path>) -> Result<Case, Diagnostic> {
    let case_file = Loc::file(format!("tests/{file}")).with_source(Arc::from(text));
    let whole = |message: String| Diagnostic::error(CASE_CODE, case_file.clone(), message);
    let spec: CaseFile = toml::from_str(text).map_err(|e| {
        let loc = match e.span() {
            Some(span) => case_file.clone().at_span(span),
            None => case_file.clone(),
        };
        Diagnostic::error(CASE_CODE, loc, e.message().trim().to_owned())
    })?;
    let validator = || crate::ingest::validate::DocumentValidator::shared().map_err(whole);
    let options = ImportOptions {
        year: spec.input.year,
        default_year: None,
        region: spec.input.region.clone(),
        ..ImportOptions::default()
    };
    let document = match (
        &spec.input.form,
        &spec.input.document,
        &spec.input.file,
        &spec.input.json,
    ) {
        (None, None, None, Some(text)) => {
            let value: serde_json::Value =
                serde_json::from_str(text).map_err(|e| whole(format!("[input.json] 不是合法的 JSON：{e}")))?;
            validator()?.check(&value).map_err(|problems| {
                let list: Vec<String> = problems.iter().map(|(p, m)| format!("{p} {m}")).collect();
                whole(format!("[input.json] 不是合法的评价文档：{}", list.join("；")))
            })?
        }
        (Some(form), None, None, None) => first_form(file, form, &options)?,
        (None, Some(doc), None, None) => {
            let json = serde_json::to_value(doc).map_err(|e| whole(format!("[input.document] 无法转换：{e}")))?;
            validator()?.check(&json).map_err(|problems| {
                let list: Vec<String> = problems.iter().map(|(p, m)| format!("{p} {m}")).collect();
                whole(format!("[input.document] 不是合法的评价文档：{}", list.join("；")))
            })?
        }
        (None, None, Some(path), None) => {
            let base = base.ok_or_else(|| whole("内置规则集的用例不能引用文件，请改用 form 或 document".to_owned()))?;
            let full = base.join(path);
            let other = |message: String| Diagnostic::error(CASE_CODE, Loc::file(full.display().to_string()), message);
            // A case names a file to read: only a regular file (never a FIFO or a device, which
            // could block or stream without end).
            crate::model::files::open_regular(&full).map_err(|e| other(format!("{}，不读取", e.reason())))?;
            if path.ends_with(".json") {
                let text = crate::policy::read_ruleset_text(&full).map_err(other)?;
                let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| other(e.to_string()))?;
                validator()?
                    .check(&value)
                    .map_err(|p| other(format!("不是合法的评价文档：{p:?}")))?
            } else {
                crate::ingest::archive::check_workbook(&full).map_err(|e| other(e.reason))?;
                crate::ingest::import::import_file(&full, &options)
                    .map_err(|e| e.to_diagnostic())?
                    .into_iter()
                    .next()
                    .ok_or_else(|| other("没有自评表".to_owned()))?
            }
        }
        _ => {
            return Err(whole(
                "[input] 中 form、document、json、file 必须且只能写一个".to_owned(),
            ));
        }
    };
    Ok(Case {
        file: file.to_owned(),
        spec,
        document,
    })
}

/// The first form of `[input.form]`; an import error is placed in the form's own rows.
fn first_form(file: &str, form: &str, options: &ImportOptions) -> Result<EvaluationDocument, Diagnostic> {
    import_text(file, form, options)
        .map_err(|e| e.to_diagnostic())?
        .into_iter()
        .next()
        .ok_or_else(|| {
            Diagnostic::error(
                CASE_CODE,
                Loc::file(format!("tests/{file}")),
                "[input.form] 中没有自评表",
            )
        })
}

/// One difference between expected and actual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What was compared ("总分", "指标 平台搭建完成时间", …).
    pub what: String,
    /// Expected, as written in the case.
    pub expected: String,
    /// What the rule set gave.
    pub actual: String,
}

/// Result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// Case file.
    pub file: String,
    /// Case name.
    pub name: String,
    /// Differences; empty when the case passes.
    pub mismatches: Vec<Mismatch>,
    /// The scorecard (None when scoring failed).
    pub card: Option<Scorecard>,
    /// Scoring error, if any.
    pub error: Option<String>,
    /// Script time the case has left for the coverage runs (see [`CaseClock`]).
    pub time_left: Duration,
}

/// Each case's share of script time in one `jixiao test`: the wall-clock budget `score` gives
/// one document ([`crate::script::ScriptLimits::deadline`]), spent across every run of the case
/// — the case itself, branch coverage and each parameter probe — so a script that runs until
/// a limit stops it costs a test about what it costs `score`, not once per probe. A case whose
/// time is spent is not run again (a probe counts it as unchanged); a case that failed is not
/// probed at all (an error cannot show a threshold).
struct CaseClock {
    left: std::cell::RefCell<Vec<Duration>>,
}

impl CaseClock {
    fn new(results: &[CaseResult]) -> Self {
        Self {
            left: std::cell::RefCell::new(results.iter().map(|r| r.time_left).collect()),
        }
    }

    /// Runs `f` for case `i` when the case has time left, and charges it the time taken.
    fn run<R>(&self, i: usize, f: impl FnOnce() -> R) -> Option<R> {
        let left = self.left.borrow().get(i).copied().unwrap_or_default();
        if left.is_zero() {
            return None;
        }
        let started = Instant::now();
        let out = f();
        if let Some(slot) = self.left.borrow_mut().get_mut(i) {
            *slot = left.saturating_sub(started.elapsed());
        }
        Some(out)
    }
}

impl CaseResult {
    /// True when the case passed.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty() && self.error.is_none()
    }
}

fn show(d: Option<Decimal>) -> String {
    d.map_or_else(|| "（无）".to_owned(), |d| d.to_string())
}

/// Compares a scorecard with a case's expectations, exactly.
pub fn compare(expect: &Expect, card: &Scorecard) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let check = |out: &mut Vec<Mismatch>, what: String, expected: Option<Decimal>, actual: Option<Decimal>| {
        if let Some(e) = expected {
            if actual != Some(e) {
                out.push(Mismatch {
                    what,
                    expected: e.to_string(),
                    actual: show(actual),
                });
            }
        }
    };
    check(
        &mut out,
        "预算执行得分".into(),
        expect.funds_score.map(|d| d.0),
        card.budget.score,
    );
    for (key, value) in &expect.indicators {
        let found = card.indicators.iter().find(|i| i.name == *key || i.path() == *key);
        match found {
            Some(ind) => check(&mut out, format!("指标“{key}”得分"), Some(value.0), ind.score),
            None => out.push(Mismatch {
                what: format!("指标“{key}”"),
                expected: value.0.to_string(),
                actual: "表中没有这个指标".into(),
            }),
        }
    }
    check(
        &mut out,
        "总分".into(),
        expect.total.map(|d| d.0),
        Some(card.total.score),
    );
    if let Some(grade) = &expect.grade {
        if *grade != card.grade {
            out.push(Mismatch {
                what: "等级".into(),
                expected: grade.clone(),
                actual: card.grade.clone(),
            });
        }
    }
    let fired: BTreeSet<&str> = card
        .findings
        .iter()
        .filter(|f| !f.waived)
        .map(|f| f.code.as_str())
        .collect();
    for code in &expect.findings_include {
        if !fired.contains(code.as_str()) {
            out.push(Mismatch {
                what: format!("发现 {code}"),
                expected: "出现".into(),
                actual: "没有出现".into(),
            });
        }
    }
    for code in &expect.findings_exclude {
        if fired.contains(code.as_str()) {
            out.push(Mismatch {
                what: format!("发现 {code}"),
                expected: "不出现".into(),
                actual: "出现了".into(),
            });
        }
    }
    if let Some(codes) = &expect.findings {
        let expected: BTreeSet<&str> = codes.iter().map(String::as_str).collect();
        let actual: BTreeSet<&str> = card
            .findings
            .iter()
            .filter(|f| !f.waived)
            .map(|f| f.code.as_str())
            .collect();
        if expected != actual {
            let list = |s: &BTreeSet<&str>| {
                if s.is_empty() {
                    "（无）".to_owned()
                } else {
                    s.iter().copied().collect::<Vec<_>>().join("、")
                }
            };
            let missing: BTreeSet<&str> = expected.difference(&actual).copied().collect();
            let extra: BTreeSet<&str> = actual.difference(&expected).copied().collect();
            out.push(Mismatch {
                what: format!("发现（缺少 {}，多出 {}）", list(&missing), list(&extra)),
                expected: list(&expected),
                actual: list(&actual),
            });
        }
    }
    out
}

/// Runs every case against a rule set.
pub fn run_cases(rules: &RuleSet, cases: &[Case]) -> Vec<CaseResult> {
    let budget = rules.scripts.limits().deadline;
    cases
        .iter()
        .map(|case| {
            let started = Instant::now();
            let scored = score_under(rules, &case.document, &[]);
            let time_left = budget.saturating_sub(started.elapsed());
            match scored {
                Ok(card) => CaseResult {
                    file: case.file.clone(),
                    name: case.spec.case.name.clone(),
                    mismatches: compare(&case.spec.expect, &card),
                    card: Some(card),
                    error: None,
                    time_left,
                },
                Err(e) => CaseResult {
                    file: case.file.clone(),
                    name: case.spec.case.name.clone(),
                    mismatches: Vec::new(),
                    card: None,
                    error: Some(e.to_string()),
                    time_left,
                },
            }
        })
        .collect()
}

/// How the cases exercise a parameter: whether nudging it changes any result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamProbe {
    /// The check whose threshold this is (`[checks.CODE] params`); `None` for `[params]`.
    pub check: Option<String>,
    /// Parameter name.
    pub name: String,
    /// Its value.
    pub value: Decimal,
    /// A case sits exactly at the value (a change by the smallest step moves a result).
    pub at: bool,
    /// A case sits just below (lowering the value by up to 5% moves a result, the smallest step does not).
    pub below: bool,
    /// A case sits just above (raising the value by up to 5% moves a result, the smallest step does not).
    pub above: bool,
}

impl ParamProbe {
    /// How reports name it: "参数 名称" or "检查 I8 的参数 名称".
    pub fn label(&self) -> String {
        match &self.check {
            Some(code) => format!("检查 {code} 的参数 {}", self.name),
            None => format!("参数 {}", self.name),
        }
    }
}

/// What the cases cover.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Finding codes some case produced.
    pub codes_seen: BTreeSet<String>,
    /// Finding codes the rule set can produce that no case produced.
    pub codes_missing: Vec<String>,
    /// Number of script branches (function entries, `if` and `else` paths, `switch` arms).
    pub branches_total: usize,
    /// Script branches no case reaches.
    pub branches_missing: Vec<Branch>,
    /// Per parameter, where the cases sit.
    pub params: Vec<ParamProbe>,
}

fn fingerprint(cards: &[Option<Scorecard>]) -> Vec<String> {
    cards
        .iter()
        .map(|c| {
            c.as_ref()
                .map(|c| serde_json::to_string(c).unwrap_or_default())
                .unwrap_or_default()
        })
        .collect()
}

/// Computes coverage: codes and formula outcomes from the results, and parameter probes by
/// re-running the cases with each parameter nudged (the smallest step and ±5%).
pub fn coverage(rules: &RuleSet, cases: &[Case], results: &[CaseResult], all_codes: &[String]) -> Coverage {
    let mut cov = Coverage::default();
    for card in results.iter().filter_map(|r| r.card.as_ref()) {
        cov.codes_seen.extend(card.findings.iter().map(|f| f.code.clone()));
    }
    cov.codes_missing = all_codes
        .iter()
        .filter(|c| !cov.codes_seen.contains(*c))
        .cloned()
        .collect();
    let clock = CaseClock::new(results);
    let (branches, missing) = branch_coverage(rules, cases, &clock);
    cov.branches_total = branches;
    cov.branches_missing = missing;

    let baseline = fingerprint(&results.iter().map(|r| r.card.clone()).collect::<Vec<_>>());
    let moves = |nudged: &RuleSet| -> bool {
        let cards: Vec<Option<Scorecard>> = cases
            .iter()
            .enumerate()
            .zip(results)
            .map(|((i, c), result)| {
                result.card.as_ref()?;
                match clock.run(i, || score_under(nudged, &c.document, &[])) {
                    Some(scored) => scored.ok(),
                    // Out of time: counted as unchanged.
                    None => result.card.clone(),
                }
            })
            .collect();
        fingerprint(&cards) != baseline
    };
    for p in &rules.params {
        let (at, below, above) = probe(p.value, &|v| moves(&rules.with_param(&p.name, v)));
        cov.params.push(ParamProbe {
            check: None,
            name: p.name.clone(),
            value: p.value,
            at,
            below,
            above,
        });
    }
    // Every numeric threshold of every check that is on: a check switched off cannot move.
    for check in rules.checks.iter().filter(|c| c.severity.is_some()) {
        for (name, value) in &check.params {
            let ParamValue::Dec(value) = value else { continue };
            let (at, below, above) = probe(*value, &|v| moves(&rules.with_check_param(check.code, name, v)));
            cov.params.push(ParamProbe {
                check: Some(check.code.id().to_owned()),
                name: name.clone(),
                value: *value,
                at,
                below,
                above,
            });
        }
    }
    cov
}

/// Probes one threshold: `moves(v)` tells whether setting it to `v` changes any case's result.
/// Integer values (places, counts, whole factors) move by whole steps; others by a hair. A
/// case sits at the value when the smallest step either way moves a result; just below (above)
/// when lowering (raising) it by 5% (at least one step) does, i.e. a case lies in that band.
fn probe(value: Decimal, moves: &dyn Fn(Decimal) -> bool) -> (bool, bool, bool) {
    let integer = value.fract().is_zero();
    // A hair: two places below the value's own, within the 28 places a decimal holds.
    let step = if integer {
        Decimal::ONE
    } else {
        Decimal::try_new(1, (value.scale().max(2) + 2).min(28)).unwrap_or(Decimal::new(1, 28))
    };
    // 5% of the value (never overflows: a factor below 1), at least one step (ten hairs).
    let share = value.abs().checked_mul(Decimal::new(5, 2)).unwrap_or(value.abs());
    let five = if integer {
        share.ceil().max(Decimal::ONE)
    } else {
        share.max(step.checked_mul(Decimal::TEN).unwrap_or(step))
    };
    // A value the decimal range cannot hold moves nothing: it is never set.
    let moved = |v: Option<Decimal>| v.is_some_and(moves);
    let below_near = moved(value.checked_sub(step));
    let above_near = moved(value.checked_add(step));
    let below = if five == step {
        below_near
    } else {
        moved(value.checked_sub(five))
    };
    let above = if five == step {
        above_near
    } else {
        moved(value.checked_add(five))
    };
    (below_near || above_near, below, above)
}

/// Renders results and coverage as the text `jixiao test` prints (Chinese).
pub fn render(ruleset: &str, results: &[CaseResult], cov: &Coverage) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "规则集 {ruleset} 的测试用例：");
    for r in results {
        if r.passed() {
            let _ = writeln!(out, "  通过  {}（{}）", r.name, r.file);
        } else {
            let _ = writeln!(out, "  失败  {}（{}）", r.name, r.file);
            if let Some(e) = &r.error {
                let _ = writeln!(out, "        评分出错：{e}");
            }
            for m in &r.mismatches {
                let _ = writeln!(
                    out,
                    "        {}：\n          - 期望 {}\n          + 实际 {}",
                    m.what, m.expected, m.actual
                );
            }
        }
    }
    let passed = results.iter().filter(|r| r.passed()).count();
    let _ = writeln!(out, "\n覆盖情况：");
    if cov.codes_missing.is_empty() {
        let _ = writeln!(out, "  发现规则：全部 {} 条都有用例触发", cov.codes_seen.len());
    } else {
        let _ = writeln!(out, "  没有用例触发的发现规则：{}", cov.codes_missing.join("、"));
    }
    if cov.branches_missing.is_empty() {
        let _ = writeln!(out, "  脚本分支：全部 {} 个都有用例到达", cov.branches_total);
    } else {
        let _ = writeln!(
            out,
            "  脚本分支：{} 个中有 {} 个没有用例到达：",
            cov.branches_total,
            cov.branches_missing.len()
        );
        for b in &cov.branches_missing {
            let _ = writeln!(out, "    {}:{} 函数 {} 的{}", b.file, b.line, b.function, b.label);
        }
    }
    for p in &cov.params {
        let mark = |b: bool| if b { "有" } else { "无" };
        let _ = writeln!(
            out,
            "  {} = {}：恰在阈值 {}，略低于 {}，略高于 {}",
            p.label(),
            p.value,
            mark(p.at),
            mark(p.below),
            mark(p.above)
        );
    }
    let _ = writeln!(out, "\n{passed} passed, {} failed", results.len() - passed);
    out
}

/// True when coverage is complete: every code, every outcome, and every parameter and check
/// threshold probed at, just below and just above.
pub fn coverage_complete(cov: &Coverage) -> bool {
    coverage_gaps(cov).is_empty()
}

/// What full coverage still lacks, one line each, in Chinese (empty when coverage is complete).
pub fn coverage_gaps(cov: &Coverage) -> Vec<String> {
    let mut gaps: Vec<String> = cov
        .codes_missing
        .iter()
        .map(|c| format!("发现规则 {c}：没有用例触发"))
        .collect();
    gaps.extend(cov.branches_missing.iter().map(|b| {
        format!(
            "脚本分支 {}:{}：函数 {} 的{}没有用例到达",
            b.file, b.line, b.function, b.label
        )
    }));
    for p in &cov.params {
        let sides: Vec<&str> = [(p.at, "恰在阈值"), (p.below, "略低于"), (p.above, "略高于")]
            .into_iter()
            .filter(|(covered, _)| !covered)
            .map(|(_, side)| side)
            .collect();
        if !sides.is_empty() {
            gaps.push(format!("{} = {}：没有{}的用例", p.label(), p.value, sides.join("、")));
        }
    }
    gaps
}

/// A path through a script function that coverage tracks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// Probe id.
    pub id: i64,
    /// Script file.
    pub file: String,
    /// 1-based line where the path starts.
    pub line: usize,
    /// Function it belongs to.
    pub function: String,
    /// Which path, in Chinese ("入口", "第 12 行 if 条件成立的分支", "第 14 行 switch 分支（第 12 行的 switch）").
    pub label: String,
}

/// Instruments a script: a `__probe(id)` call at every function entry, at the start of every
/// `if` and `else` block and of every `switch` arm, an `else { __probe(id) }` where an `if` has
/// no `else`, and a `_ => __probe(id)` arm where a `switch` has no `_`. The places come from
/// Rhai's AST ([`ast::read`]), so comments and strings never count; the script's results are
/// unchanged. An `if` or `switch` inside a closure counts for the function around it. A script
/// that does not parse is returned as it is, without branches.
pub fn instrument(
    file: &str,
    source: &str,
    limits: &ScriptLimits,
    next_id: &mut i64,
    branches: &mut Vec<Branch>,
) -> String {
    let Some(functions) = ast::read(source, limits) else {
        return source.to_owned();
    };
    let mut inserts: Vec<Insert> = Vec::new();
    let mut add = |at: Site, before: bool, text: Text, branch: Option<(usize, &str, String)>| {
        let seq = inserts.len();
        inserts.push(Insert {
            at,
            before,
            seq,
            text,
            branch: branch.map(|(l, f, s)| (l, f.to_owned(), s)),
        });
    };
    for f in &functions {
        let owner = if f.closure {
            functions
                .iter()
                .filter(|g| !g.closure && g.body <= f.body && f.body <= g.body_end)
                .map(|g| g.name.as_str())
                .next_back()
                .unwrap_or(f.name.as_str())
        } else {
            add(
                f.body,
                false,
                Text::Enter,
                Some((f.at.line, &f.name, "入口".to_owned())),
            );
            f.name.as_str()
        };
        for i in &f.ifs {
            let l = i.at.line;
            add(
                i.then_open,
                false,
                Text::Enter,
                Some((l, owner, format!("第 {l} 行 if 条件成立的分支"))),
            );
            match i.otherwise {
                Otherwise::Nothing => add(
                    i.then_close,
                    false,
                    Text::Else,
                    Some((l, owner, format!("第 {l} 行 if 条件不成立（无 else）的路径"))),
                ),
                Otherwise::ElseIf => {}
                Otherwise::Block(open) => {
                    let e = open.line;
                    add(
                        open,
                        false,
                        Text::Enter,
                        Some((e, owner, format!("第 {e} 行 else 分支"))),
                    );
                }
            }
        }
        for switch in &f.switches {
            let (Some(close), false) = (switch.close, switch.arms.is_empty()) else {
                continue;
            };
            let l = switch.at.line;
            for arm in &switch.arms {
                let a = arm.start.line;
                let label = Some((a, owner, format!("第 {a} 行 switch 分支（第 {l} 行的 switch）")));
                match arm.kind {
                    ArmKind::Block { .. } => add(arm.start, false, Text::Enter, label),
                    ArmKind::Expr { end: Some(end), .. } => {
                        add(arm.start, true, Text::Open, label);
                        add(end, true, Text::Close, None);
                    }
                    ArmKind::Expr { end: None, .. } => {}
                }
            }
            if !switch.default {
                let text = Text::Default {
                    comma: switch.needs_comma,
                };
                add(
                    close,
                    true,
                    text,
                    Some((l, owner, format!("第 {l} 行 switch 没有匹配的分支（无 _）的路径"))),
                );
            }
        }
    }
    // In source order; at one place, what goes before the character first, then in the order
    // added (an arm's closing brace before the `_` arm added after it).
    inserts.sort_by_key(|i| (i.at, !i.before, i.seq));
    let lines = LineIndex::new(source);
    let mut out = String::with_capacity(source.len() + inserts.len() * 24);
    let mut copied = 0;
    for insert in inserts {
        let at = lines.offset_of(source, insert.at.line, insert.at.column);
        let cut = if insert.before {
            at
        } else {
            // Just past the brace the AST names.
            source
                .get(at..)
                .and_then(|rest| rest.chars().next())
                .map_or(at, |c| at + c.len_utf8())
        };
        out.push_str(source.get(copied..cut).unwrap_or(""));
        copied = cut.max(copied);
        let id = match insert.branch {
            Some((line, function, label)) => {
                let id = *next_id;
                *next_id += 1;
                branches.push(Branch {
                    id,
                    file: file.to_owned(),
                    line,
                    function,
                    label,
                });
                id
            }
            None => 0,
        };
        out.push_str(&match insert.text {
            Text::Enter => format!(" __probe({id});"),
            Text::Else => format!(" else {{ __probe({id}) }}"),
            Text::Open => format!("{{ __probe({id}); "),
            Text::Close => " }".to_owned(),
            Text::Default { comma } => format!("{} _ => __probe({id}) ", if comma { "," } else { "" }),
        });
    }
    out.push_str(source.get(copied..).unwrap_or(""));
    out
}

/// Text [`instrument`] adds at one place.
struct Insert {
    at: Site,
    /// Before the character at `at` (else just after it).
    before: bool,
    /// Order of adding, for places that coincide.
    seq: usize,
    text: Text,
    /// The branch it marks: line, function, label.
    branch: Option<(usize, String, String)>,
}

/// What [`instrument`] adds.
enum Text {
    /// ` __probe(id);` after a `{`.
    Enter,
    /// ` else { __probe(id) }` after the `}` of an `if` without `else`.
    Else,
    /// `{ __probe(id); ` before a `switch` arm's expression…
    Open,
    /// …and ` }` after it.
    Close,
    /// A `_ => __probe(id)` arm before the `}` of a `switch` without one.
    Default { comma: bool },
}

/// Runs the cases on an instrumented copy of the rule set's scripts; returns the number of
/// branches and those no case reached.
fn branch_coverage(rules: &RuleSet, cases: &[Case], clock: &CaseClock) -> (usize, Vec<Branch>) {
    let mut next_id = 1;
    let mut branches = Vec::new();
    let files: Vec<(String, String)> = rules
        .script_files
        .iter()
        .map(|(n, t)| {
            (
                n.clone(),
                instrument(n, t, rules.scripts.limits(), &mut next_id, &mut branches),
            )
        })
        .collect();
    // Inherited functions the set replaces or never reaches are not part of it.
    let defined = rules.scripts.functions();
    branches.retain(|b| defined.iter().any(|f| f.name == b.function && f.file == b.file));
    let Ok(mut probed) = ScriptSet::compile_probed(&rules.id, &files, rules.scripts.limits()) else {
        return (branches.len(), branches);
    };
    probed.without(&rules.dropped_functions);
    let mut copy = rules.clone();
    copy.scripts = std::sync::Arc::new(probed);
    let _ = take_probes();
    for (i, case) in cases.iter().enumerate() {
        let _ = clock.run(i, || score_under(&copy, &case.document, &[]));
    }
    let hit = take_probes();
    let total = branches.len();
    (total, branches.into_iter().filter(|b| !hit.contains(&b.id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_threshold_probe_reports_each_side_and_the_gaps_name_it() {
        // Cases at 1.3 and at 1.33: results move at the smallest step and within 5% above.
        let cases = [Decimal::new(13, 1), Decimal::new(133, 2)];
        let value = Decimal::new(13, 1);
        let fires = |limit: Decimal| cases.iter().map(|&c| c > limit).collect::<Vec<_>>();
        let baseline = fires(value);
        let moves = |v: Decimal| fires(v) != baseline;
        let (at, below, above) = probe(value, &moves);
        assert!(at && below && above);
        // Without the case at 1.33 nothing sits just above.
        let only = |limit: Decimal| Decimal::new(13, 1) > limit;
        let (at, below, above) = probe(value, &|v| only(v) != only(value));
        assert!(at && below && !above);
        let cov = Coverage {
            params: vec![ParamProbe {
                check: Some("I8".into()),
                name: "over_factor".into(),
                value,
                at,
                below,
                above,
            }],
            ..Coverage::default()
        };
        assert_eq!(
            coverage_gaps(&cov),
            ["检查 I8 的参数 over_factor = 1.3：没有略高于的用例"]
        );
        assert!(!coverage_complete(&cov));
    }

    #[test]
    fn instrumentation_marks_every_path_and_keeps_results() {
        let src = "// 注释 { if\nfn f(a, b) {\n    if a > b { a } else if a == b { 0 } else { b }\n}\nfn g(x) {\n    if x > 1 { return \"}\"; }\n    x\n}\n";
        let mut id = 1;
        let mut branches = Vec::new();
        let out = instrument(
            "t.rhai",
            src,
            &crate::script::ScriptLimits::default(),
            &mut id,
            &mut branches,
        );
        let labels: Vec<String> = branches.iter().map(|b| format!("{}:{}", b.function, b.label)).collect();
        assert_eq!(
            labels,
            [
                "f:入口",
                "f:第 3 行 if 条件成立的分支",
                "f:第 3 行 if 条件成立的分支",
                "f:第 3 行 else 分支",
                "g:入口",
                "g:第 6 行 if 条件成立的分支",
                "g:第 6 行 if 条件不成立（无 else）的路径",
            ]
        );
        assert!(out.contains("return \"}\"; } else { __probe(7) }"), "{out}");
        let set =
            ScriptSet::compile_probed("t", &[("t.rhai".into(), out)], &crate::script::ScriptLimits::default()).unwrap();
        let _ = take_probes();
        let r: i64 = set.call("f", (1_i64, 1_i64)).unwrap();
        assert_eq!(r, 0);
        assert_eq!(take_probes().into_iter().collect::<Vec<_>>(), [1, 3]);
        let r: String = set.call("g", (5_i64,)).unwrap();
        assert_eq!(r, "}");
    }
}
