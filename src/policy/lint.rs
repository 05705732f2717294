//! `jixiao check`: every problem of a rule set found without any document — TOML errors and
//! unknown keys, script compile errors, weights that do not add up, qualitative tiers with gaps
//! or overlaps, functions named but never defined, parameters without a reference, integer
//! division in formulas, rules that can never apply — each pointing at file:line:column with a
//! help line, in Chinese, rendered by miette.

use std::collections::BTreeSet;
use std::ops::Range;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report};
use rust_decimal::Decimal;
use serde::Serialize;

use super::model::PolicyFile;
use super::{POLICY_FILE, PolicyError, RuleSetFiles, line_col};
use crate::script::{ScriptLimits, ScriptSet};

/// How serious a rule-set problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Worth a look; the rule set still works.
    Warning,
    /// The rule set cannot be used as it is.
    Error,
}

/// One problem in one file of a rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Severity.
    pub level: Level,
    /// Short code of the kind of problem (`toml`, `weights`, `tiers`, …).
    pub kind: &'static str,
    /// File inside the rule set.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Byte span in the file.
    #[serde(skip)]
    pub span: Range<usize>,
    /// What is wrong, in Chinese.
    pub message: String,
    /// How to fix it, in Chinese.
    pub help: Option<String>,
}

struct Collector<'a> {
    files: &'a RuleSetFiles,
    problems: Vec<Problem>,
}

impl Collector<'_> {
    fn text(&self, file: &str) -> &str {
        self.files
            .files
            .iter()
            .find(|(n, _)| n == file)
            .map(|(_, t)| t.as_str())
            .unwrap_or_default()
    }

    fn push(
        &mut self,
        level: Level,
        kind: &'static str,
        file: &str,
        span: Range<usize>,
        message: String,
        help: Option<String>,
    ) {
        let (line, column) = line_col(self.text(file), span.start);
        self.problems.push(Problem {
            level,
            kind,
            file: file.to_owned(),
            line,
            column,
            span,
            message,
            help,
        });
    }

    fn error(&mut self, kind: &'static str, span: Range<usize>, message: String, help: &str) {
        self.push(Level::Error, kind, POLICY_FILE, span, message, Some(help.to_owned()));
    }

    fn warning(&mut self, kind: &'static str, span: Range<usize>, message: String, help: &str) {
        self.push(Level::Warning, kind, POLICY_FILE, span, message, Some(help.to_owned()));
    }
}

/// Byte offset of 1-based `line`:`column` (characters) in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// Span of the first occurrence of `needle` in `text` at or after `from` (for values the raw
/// model does not locate).
fn find_span(text: &str, needle: &str, from: usize) -> Range<usize> {
    text.get(from..)
        .and_then(|t| t.find(needle))
        .map_or(from..from, |i| from + i..from + i + needle.len())
}

/// Checks a rule set's files and returns every problem found, errors first by file and line.
pub fn check(files: &RuleSetFiles) -> Vec<Problem> {
    let mut c = Collector {
        files,
        problems: Vec::new(),
    };
    let text = c.text(POLICY_FILE).to_owned();
    if !files.files.iter().any(|(n, _)| n == POLICY_FILE) {
        c.push(
            Level::Error,
            "missing",
            POLICY_FILE,
            0..0,
            "规则集文件夹里没有 policy.toml".into(),
            Some("每个规则集都要有一个 policy.toml".into()),
        );
        return c.problems;
    }
    let raw: Option<PolicyFile> = match toml::from_str::<PolicyFile>(&text) {
        Ok(raw) => Some(raw),
        Err(e) => {
            let message = e.message().trim().to_owned();
            let help = if message.contains("unknown field") {
                "检查键名拼写；policy.toml 只接受 schemas/policy.schema.json 中列出的键"
            } else if message.contains("必须写成字符串") {
                "给小数加上引号，如 value = \"0.5\""
            } else if message.contains("严重程度") {
                "写 severity = \"error\"、\"warning\"、\"info\"，或 \"off\" 关闭这条检查"
            } else {
                "按 TOML 语法修改此处"
            };
            c.error("toml", e.span().unwrap_or(0..0), translate_toml(&message), help);
            None
        }
    };

    // Scripts compile (each file on its own, so every file's errors are found).
    let scripts: Vec<(String, String)> = match &raw {
        Some(r) if !r.scripts.is_empty() => r
            .scripts
            .iter()
            .filter_map(|s| files.files.iter().find(|(n, _)| n == s).cloned())
            .collect(),
        _ => files
            .files
            .iter()
            .filter(|(n, _)| n.ends_with(".rhai"))
            .cloned()
            .collect(),
    };
    let mut compiled = None;
    let mut compile_ok = true;
    for (file, source) in &scripts {
        if let Err(e) = ScriptSet::compile(
            &files.name,
            std::slice::from_ref(&(file.clone(), source.clone())),
            &ScriptLimits::default(),
        ) {
            compile_ok = false;
            let (line, column) = e.location().map_or((1, 1), |l| (l.line, l.column));
            let span = offset_of(source, line, column);
            c.push(
                Level::Error,
                "script",
                file,
                span..span + 1,
                e.to_string(),
                Some("按 Rhai 语法修改此处；eval 和 import 在规则脚本中不可用".into()),
            );
        }
    }
    if compile_ok {
        match ScriptSet::compile(&files.name, &scripts, &ScriptLimits::default()) {
            Ok(set) => compiled = Some(set),
            Err(e) => {
                let file = e.location().map(|l| l.file).unwrap_or_default();
                c.push(
                    Level::Error,
                    "script",
                    &file,
                    0..0,
                    e.to_string(),
                    Some("同一个函数名只能在一个脚本文件中定义".into()),
                );
            }
        }
    }
    for (file, source) in &scripts {
        lint_script(&mut c, raw.as_ref(), file, source);
    }

    if let Some(raw) = &raw {
        check_policy(&mut c, raw, &text, compiled.as_ref());
    }
    c.problems
        .sort_by(|a, b| (b.level, &a.file, a.line, a.column).cmp(&(a.level, &b.file, b.line, b.column)));
    c.problems
}

fn translate_toml(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let field = rest.split(',').next().unwrap_or(rest);
        let expected = rest.split_once("expected ").map(|(_, e)| e).unwrap_or_default();
        let expected = expected.strip_prefix("one of ").unwrap_or(expected).replace(", ", "、");
        return format!("不认识的键 {field}；此处可用的键：{expected}");
    }
    if message.starts_with("invalid basic string") || message.starts_with("invalid literal string") {
        return "字符串没有结束：缺少右引号".to_owned();
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("缺少必填的键 {rest}");
    }
    message.to_owned()
}

fn check_policy(c: &mut Collector, raw: &PolicyFile, text: &str, scripts: Option<&ScriptSet>) {
    // Weights.
    let p = &raw.profile;
    let (budget, indicators, total) = (p.budget.value.0, p.indicators.value.0, p.total.value.0);
    if budget + indicators != total {
        c.error(
            "weights",
            p.indicators.span.clone(),
            format!(
                "权重合计为 {}（预算执行 {budget} + 绩效指标 {indicators}），不等于满分 {total}",
                budget + indicators
            ),
            "调整 [profile] 的 budget、indicators 或 total，使预算执行与绩效指标之和等于满分",
        );
    }
    if let Some(level1) = &p.level1 {
        let sum: Decimal = level1.value.values().map(|d| d.0).sum();
        if sum != indicators {
            c.error(
                "weights",
                level1.span.clone(),
                format!("各一级指标分值合计为 {sum}，不等于绩效指标分值 {indicators}"),
                "调整 [profile] level1 中各一级指标的分值",
            );
        }
        for (name, w) in &level1.value {
            if w.0 <= Decimal::ZERO {
                let span = find_span(text, name, level1.span.start);
                c.error(
                    "weights",
                    span,
                    format!("一级指标“{name}”的分值 {} 不大于 0", w.0),
                    "分值必须为正数；不考核的一级指标请删除",
                );
            }
        }
    }

    // Grades: ordered, reachable.
    let mut seen = BTreeSet::new();
    for g in &raw.grades {
        if !seen.insert(g.min.value.0) {
            c.error(
                "grades",
                g.min.span.clone(),
                format!(
                    "等级“{}”的下限 {} 与另一等级相同，永远不会被评定",
                    g.grade, g.min.value.0
                ),
                "每个等级的下限必须不同",
            );
        }
        if g.min.value.0 > total {
            c.error(
                "grades",
                g.min.span.clone(),
                format!(
                    "等级“{}”的下限 {} 高于满分 {total}，永远不会被评定",
                    g.grade, g.min.value.0
                ),
                "把下限改为不超过满分的值",
            );
        }
    }
    if !raw.grades.iter().any(|g| g.min.value.0 <= Decimal::ZERO) {
        let span = raw.grades.last().map_or(0..0, |g| g.min.span.clone());
        c.error(
            "grades",
            span,
            "没有下限为 0 的等级：低分的表将没有等级".into(),
            "最低一档（如“差”）的下限应为 0",
        );
    }

    // Qualitative tiers: within [0, 1], no gaps, no overlaps, no phrase in two tiers.
    let mut tiers: Vec<_> = raw.qualitative.iter().collect();
    tiers.sort_by_key(|t| t.min.value.0);
    for t in &tiers {
        if t.min.value.0 > t.max.value.0 || t.min.value.0 < Decimal::ZERO || t.max.value.0 > Decimal::ONE {
            c.error(
                "tiers",
                t.min.span.clone(),
                format!(
                    "定性档次“{}”的区间 [{}, {}] 不合法",
                    t.tier, t.min.value.0, t.max.value.0
                ),
                "区间是占分值的比例，应满足 0 ≤ min ≤ max ≤ 1",
            );
        }
    }
    for pair in tiers.windows(2) {
        let (Some(low), Some(high)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        if low.max.value.0 < high.min.value.0 {
            c.error(
                "tiers",
                high.min.span.clone(),
                format!(
                    "定性档次之间有空档：“{}”止于 {}，“{}”始于 {}",
                    low.tier, low.max.value.0, high.tier, high.min.value.0
                ),
                "让相邻档次首尾相接（上一档的 max 等于下一档的 min）",
            );
        } else if low.max.value.0 > high.min.value.0 {
            c.error(
                "tiers",
                high.min.span.clone(),
                format!(
                    "定性档次重叠：“{}”止于 {}，“{}”始于 {}",
                    low.tier, low.max.value.0, high.tier, high.min.value.0
                ),
                "让相邻档次首尾相接（上一档的 max 等于下一档的 min）",
            );
        }
    }
    if let (Some(first), Some(last)) = (tiers.first(), tiers.last()) {
        if first.min.value.0 != Decimal::ZERO || last.max.value.0 != Decimal::ONE {
            c.error(
                "tiers",
                first.min.span.clone(),
                format!(
                    "定性档次没有覆盖 0—1 的全部区间（{}—{}）",
                    first.min.value.0, last.max.value.0
                ),
                "最低一档从 0 开始，最高一档到 1 为止",
            );
        }
    }
    let mut phrases = BTreeSet::new();
    for t in &raw.qualitative {
        for phrase in &t.phrases {
            if !phrases.insert(phrase.as_str()) {
                let span = find_span(text, &format!("\"{phrase}\""), t.min.span.start);
                c.error(
                    "tiers",
                    span,
                    format!("用语“{phrase}”出现在两个档次中，后一个永远不会生效"),
                    "每个用语只能属于一个档次",
                );
            }
        }
    }

    // Functions named in [formulas] exist with the right number of parameters.
    if let Some(scripts) = scripts {
        for (located, arity, key) in raw.formulas.slots() {
            if !scripts.has_function(&located.value, arity) {
                c.error(
                    "function",
                    located.span.clone(),
                    format!(
                        "[formulas] {key} 指定的函数 {}（{arity} 个参数）在脚本中没有定义",
                        located.value
                    ),
                    &format!(
                        "在 .rhai 脚本中定义 fn {}(…)，参数个数为 {arity}，或改用已定义的函数名",
                        located.value
                    ),
                );
            }
        }
        let mut used: BTreeSet<&str> = raw.formulas.slots().iter().map(|(l, _, _)| l.value.as_str()).collect();
        used.extend(
            raw.checks
                .value
                .values()
                .filter_map(|check| check.function.as_ref().map(|f| f.value.as_str())),
        );
        let all_text: String = c
            .files
            .files
            .iter()
            .filter(|(n, _)| n.ends_with(".rhai"))
            .map(|(_, t)| t.as_str())
            .collect();
        for info in scripts.functions() {
            let called = all_text.matches(&format!("{}(", info.name)).count() > 1;
            if !used.contains(info.name.as_str()) && !called {
                let source = c.text(&info.file).to_owned();
                let at = offset_of(&source, info.line.unwrap_or(1), info.column.unwrap_or(1));
                c.push(
                    Level::Warning,
                    "unreachable",
                    &info.file,
                    at..at + 2,
                    format!(
                        "函数 {} 没有被 policy.toml 引用，也没有被其他函数调用，永远不会执行",
                        info.name
                    ),
                    Some("在 [formulas] 或某个 [checks.代码] 的 function 中引用它，或删除它".into()),
                );
            }
        }
    }

    // Reviewer checks: every code once, functions that exist, templates that use only values
    // the check gives (the loader's own validation, reported here at its place).
    if let Some(scripts) = scripts {
        let script_files: Vec<(String, String)> = c
            .files
            .files
            .iter()
            .filter(|(n, _)| n.ends_with(".rhai"))
            .cloned()
            .collect();
        let name = c.files.name.clone();
        let err = |span: Range<usize>, message: String| PolicyError::at(&name, POLICY_FILE, text, span, message);
        if let Err(e) = super::checks::load(&raw.checks, scripts, &script_files, &err) {
            let help = e
                .help
                .clone()
                .unwrap_or_else(|| "按 docs/finding-codes.md 修改此处".to_owned());
            c.error("checks", e.span.clone().unwrap_or(0..0), e.message, &help);
        }
    }

    // Parameters carry their reference; those no script reads are unreachable.
    let scripts_text: String = c
        .files
        .files
        .iter()
        .filter(|(n, _)| n.ends_with(".rhai"))
        .map(|(_, t)| t.as_str())
        .collect();
    for (name, param) in &raw.params {
        if param.reference.as_deref().is_none_or(|r| r.trim().is_empty()) {
            c.warning(
                "reference",
                param.value.span.clone(),
                format!("参数 {name} 没有写依据（reference）"),
                "写明它依据的文件、条款或做法，如 reference = \"财预〔2020〕10号 第X条\"",
            );
        }
        if !scripts_text.contains(&format!("p.{name}")) && !BUILTIN_PARAMS.contains(&name.as_str()) {
            c.warning(
                "unreachable",
                param.value.span.clone(),
                format!("参数 {name} 没有被任何脚本读取（p.{name}），改它不会有任何效果"),
                "在脚本中使用它，或删除它",
            );
        }
    }
}

/// Parameters of `[params]` the engine itself reads (not scripts). Thresholds of reviewer
/// checks live in each `[checks.代码]` table's own `params`.
const BUILTIN_PARAMS: [&str; 0] = [];

/// Integer division in a formula truncates (`10 / 4 == 2`): flag `a / b` where both sides are
/// integer literals or integer-valued parameters.
fn lint_script(c: &mut Collector, raw: Option<&PolicyFile>, file: &str, source: &str) {
    let int_params: BTreeSet<String> = raw
        .map(|r| {
            r.params
                .iter()
                .filter(|(_, p)| p.value.value.0.fract().is_zero())
                .map(|(n, _)| format!("p.{n}"))
                .collect()
        })
        .unwrap_or_default();
    let is_int = |operand: &str| -> bool {
        let o = operand.trim().trim_matches(|ch| ch == '(' || ch == ')');
        (!o.is_empty() && o.chars().all(|ch| ch.is_ascii_digit() || ch == '_')) || int_params.contains(o)
    };
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let code = line.split("//").next().unwrap_or_default();
        for (i, _) in code.match_indices('/') {
            let left = code.get(..i).unwrap_or_default().trim_end();
            let right = code.get(i + 1..).unwrap_or_default().trim_start();
            let left_operand = left
                .rsplit(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '.'))
                .next()
                .unwrap_or_default();
            let right_operand = right
                .split(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '.'))
                .next()
                .unwrap_or_default();
            if is_int(left_operand) && is_int(right_operand) {
                let at = offset + i;
                c.push(
                    Level::Error,
                    "integer-division",
                    file,
                    at..at + 1,
                    format!("整数相除会舍去小数：{left_operand} / {right_operand}"),
                    Some(format!("改写为 dec({left_operand}) / {right_operand}，得到精确小数")),
                );
            }
        }
        offset += line.len();
    }
}

/// Renders problems as miette diagnostics (no colour), each with its source excerpt.
pub fn render(files: &RuleSetFiles, problems: &[Problem]) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    for p in problems {
        let source = files
            .files
            .iter()
            .find(|(n, _)| *n == p.file)
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        let mut diagnostic = MietteDiagnostic::new(p.message.clone())
            .with_code(format!("jixiao::{}", p.kind))
            .with_severity(match p.level {
                Level::Error => miette::Severity::Error,
                Level::Warning => miette::Severity::Warning,
            });
        if let Some(help) = &p.help {
            diagnostic = diagnostic.with_help(help.clone());
        }
        if !source.is_empty() {
            let mut start = p.span.start.min(source.len());
            let end = p.span.end.max(start + 1).min(source.len());
            if start >= end {
                start = end.saturating_sub(1);
            }
            diagnostic = diagnostic.with_label(LabeledSpan::at(start..end, "此处"));
        }
        let name = format!("{}/{}", files.name, p.file);
        let report = Report::new(diagnostic).with_source_code(NamedSource::new(name, source));
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    let errors = problems.iter().filter(|p| p.level == Level::Error).count();
    out.push_str(&format!(
        "规则集 {}：{} 个错误，{} 个警告\n",
        files.name,
        errors,
        problems.len() - errors
    ));
    out
}
