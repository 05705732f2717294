//! The one check of a rule set's files, run by loading ([`super::RuleSet::load`]) and by
//! `jixiao check` alike: TOML errors and unknown keys, script compile errors, weights that do not
//! add up, grades that can never be given, qualitative tiers with gaps or overlaps, functions
//! named but never defined, reviewer checks, integer division in formulas — errors — and
//! parameters without a reference, functions and parameters nothing uses — warnings. Every
//! problem is a [`Diagnostic`] pointing at file:line:column with a help line, in Chinese.
//!
//! Like a compiler front end, [`analyse`] goes as far as it can and returns what it built (the
//! parsed policy, the compiled scripts, the checked reviewer checks) together with every
//! diagnostic; a load fails when any of them is an error.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::checks::Checks;
use super::model::PolicyFile;
use super::{POLICY_FILE, RuleSetFiles};
use crate::model::diagnostic::{Diagnostic, Loc, offset_of};
use crate::model::located::toml_message;
use crate::script::{ScriptLimits, ScriptSet};

/// What checking a rule set's files found and built.
pub struct Analysis {
    /// `policy.toml` as parsed, when it parses.
    pub raw: Option<PolicyFile>,
    /// The scripts compiled into one set (named by the policy's id), when they compile.
    pub scripts: Option<ScriptSet>,
    /// The reviewer checks, when `[checks]` has no error.
    pub checks: Option<Checks>,
    /// Every problem found: errors first, then by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
}

/// Where problems go, with the rule set's files for placing them.
struct Collector<'a> {
    files: &'a RuleSetFiles,
    /// Each file's text, shared by the diagnostics that point into it.
    sources: Vec<(String, Arc<str>)>,
    problems: Vec<Diagnostic>,
}

impl Collector<'_> {
    fn text(&self, file: &str) -> &str {
        self.files.get(file).unwrap_or_default()
    }

    /// A file of the rule set, with its text attached.
    fn loc(&self, file: &str) -> Loc {
        let loc = Loc::in_ruleset(&self.files.name, file);
        match self.sources.iter().find(|(n, _)| n == file) {
            Some((_, text)) => loc.with_source(text.clone()),
            None => loc,
        }
    }

    /// A byte span of a file of the rule set.
    fn at(&self, file: &str, span: Range<usize>) -> Loc {
        self.loc(file).at_span(span)
    }

    fn error(&mut self, kind: &'static str, span: Range<usize>, message: String, help: &str) {
        let loc = self.at(POLICY_FILE, span);
        self.problems
            .push(Diagnostic::error(kind, loc, message).with_help(help));
    }

    fn warning(&mut self, kind: &'static str, span: Range<usize>, message: String, help: &str) {
        let loc = self.at(POLICY_FILE, span);
        self.problems
            .push(Diagnostic::warning(kind, loc, message).with_help(help));
    }
}

/// Byte span of the first occurrence of `needle` in `text` at or after `from` (for values the raw
/// model does not locate).
fn find_span(text: &str, needle: &str, from: usize) -> Range<usize> {
    text.get(from..)
        .and_then(|t| t.find(needle))
        .map_or(from..from, |i| from + i..from + i + needle.len())
}

/// Checks a rule set's files and returns every problem found, errors first by file and line.
pub fn check(files: &RuleSetFiles) -> Vec<Diagnostic> {
    analyse(files, &ScriptLimits::default()).diagnostics
}

/// Checks a rule set's files once: parses `policy.toml`, compiles the scripts (with `limits`),
/// checks the reviewer checks, and finds every problem on the way.
pub fn analyse(files: &RuleSetFiles, limits: &ScriptLimits) -> Analysis {
    let mut c = Collector {
        files,
        sources: files
            .files
            .iter()
            .map(|(n, t)| (n.clone(), Arc::from(t.as_str())))
            .collect(),
        problems: Vec::new(),
    };
    let mut analysis = Analysis {
        raw: None,
        scripts: None,
        checks: None,
        diagnostics: Vec::new(),
    };
    if !files.files.iter().any(|(n, _)| n == POLICY_FILE) {
        let loc = c.loc(POLICY_FILE);
        analysis.diagnostics.push(
            Diagnostic::error("jixiao::policy::missing", loc, "规则集文件夹里没有 policy.toml")
                .with_help("每个规则集都要有一个 policy.toml"),
        );
        return analysis;
    }
    let text = c.text(POLICY_FILE).to_owned();
    let raw: Option<PolicyFile> = match toml::from_str::<PolicyFile>(&text) {
        Ok(raw) => Some(raw),
        Err(e) => {
            let message = e.message().trim().to_owned();
            let help = if message.contains("unknown field") {
                "检查键名拼写；policy.toml 只接受 schemas/policy.schema.json 中列出的键"
            } else if message.contains("必须写成字符串") {
                "给小数加上引号，如 value = \"0.5\""
            } else if message.starts_with("invalid type") {
                "把值改成此处要求的类型；各键的类型见 schemas/policy.schema.json"
            } else if message.contains("严重程度") {
                "写 severity = \"error\"、\"warning\"、\"info\"，或 \"off\" 关闭这条检查"
            } else {
                "按 TOML 语法修改此处"
            };
            c.error(
                "jixiao::policy::toml",
                e.span().unwrap_or(0..0),
                toml_message(&message),
                help,
            );
            None
        }
    };

    // The scripts: those `scripts` lists, or every `.rhai` file.
    let mut scripts: Vec<(String, String)> = Vec::new();
    match &raw {
        Some(r) if !r.scripts.is_empty() => {
            for script in &r.scripts {
                match files.files.iter().find(|(n, _)| n == script) {
                    Some(file) => scripts.push(file.clone()),
                    None => c.error(
                        "jixiao::policy::scripts",
                        find_span(&text, &format!("\"{script}\""), 0),
                        format!("scripts 中列出的脚本 {script} 不存在"),
                        "把脚本文件放进规则集文件夹，或从 scripts 中删除它",
                    ),
                }
            }
        }
        _ => scripts.extend(files.files.iter().filter(|(n, _)| n.ends_with(".rhai")).cloned()),
    }
    let compiled = compile(&mut c, raw.as_ref(), &scripts, limits);
    for (file, source) in &scripts {
        lint_script(&mut c, raw.as_ref(), file, source);
    }

    if let Some(raw) = &raw {
        analysis.checks = check_policy(&mut c, raw, &text, compiled.as_ref(), &scripts);
    }
    let mut problems = c.problems;
    problems.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.loc.file.clone(), d.loc.line_col());
        (b.level, key(a)).cmp(&(a.level, key(b)))
    });
    analysis.raw = raw;
    analysis.scripts = compiled;
    analysis.diagnostics = problems;
    analysis
}

/// Compiles the scripts into one set named by the policy's id (the name runtime errors give).
/// When that fails, each file is compiled on its own so that every file's errors are found; when
/// each compiles alone, the set's own error (a function defined in two files) is the one.
fn compile(
    c: &mut Collector,
    raw: Option<&PolicyFile>,
    scripts: &[(String, String)],
    limits: &ScriptLimits,
) -> Option<ScriptSet> {
    let id = raw.map_or(c.files.name.as_str(), |r| r.ruleset.id.value.as_str());
    let whole = match ScriptSet::compile(id, scripts, limits) {
        Ok(set) => return Some(set),
        Err(e) => e,
    };
    let before = c.problems.len();
    for file in scripts {
        if let Err(e) = ScriptSet::compile(id, std::slice::from_ref(file), limits) {
            let d = placed_in_folder(c, e.to_diagnostic());
            c.problems
                .push(d.with_help("按 Rhai 语法修改此处；eval 和 import 在规则脚本中不可用"));
        }
    }
    if c.problems.len() == before {
        let d = placed_in_folder(c, whole.to_diagnostic());
        c.problems.push(d.with_help("同一个函数名只能在一个脚本文件中定义"));
    }
    None
}

/// A script diagnostic named by the rule set's folder (what the editor opens), not its id.
fn placed_in_folder(c: &Collector, mut d: Diagnostic) -> Diagnostic {
    d.loc.ruleset = Some(c.files.name.clone());
    d
}

/// The checks of a parsed policy (and its compiled scripts, when they compile); the checked
/// reviewer checks when `[checks]` has no error.
fn check_policy(
    c: &mut Collector,
    raw: &PolicyFile,
    text: &str,
    scripts: Option<&ScriptSet>,
    script_files: &[(String, String)],
) -> Option<Checks> {
    // Weights.
    let p = &raw.profile;
    let (budget, indicators, total) = (p.budget.value.0, p.indicators.value.0, p.total.value.0);
    if budget + indicators != total {
        c.error(
            "jixiao::policy::weights",
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
                "jixiao::policy::weights",
                level1.span.clone(),
                format!("各一级指标分值合计为 {sum}，不等于绩效指标分值 {indicators}"),
                "调整 [profile] level1 中各一级指标的分值",
            );
        }
        for (name, w) in &level1.value {
            if w.0 <= Decimal::ZERO {
                let span = find_span(text, name, level1.span.start);
                c.error(
                    "jixiao::policy::weights",
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
                "jixiao::policy::grades",
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
                "jixiao::policy::grades",
                g.min.span.clone(),
                format!(
                    "等级“{}”的下限 {} 高于满分 {total}，永远不会被评定",
                    g.grade, g.min.value.0
                ),
                "把下限改为不超过满分的值",
            );
        }
    }
    if raw.grades.is_empty() {
        c.error(
            "jixiao::policy::grades",
            0..0,
            "没有等级划分 [[grades]]".into(),
            "写出各等级及其下限，如 [[grades]] grade = \"优\" min = \"90\"；最低一档的下限为 0",
        );
    } else if !raw.grades.iter().any(|g| g.min.value.0 <= Decimal::ZERO) {
        let span = raw.grades.last().map_or(0..0, |g| g.min.span.clone());
        c.error(
            "jixiao::policy::grades",
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
                "jixiao::policy::tiers",
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
                "jixiao::policy::tiers",
                high.min.span.clone(),
                format!(
                    "定性档次之间有空档：“{}”止于 {}，“{}”始于 {}",
                    low.tier, low.max.value.0, high.tier, high.min.value.0
                ),
                "让相邻档次首尾相接（上一档的 max 等于下一档的 min）",
            );
        } else if low.max.value.0 > high.min.value.0 {
            c.error(
                "jixiao::policy::tiers",
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
                "jixiao::policy::tiers",
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
                    "jixiao::policy::tiers",
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
                    "jixiao::policy::function",
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
        let all_text: String = script_files.iter().map(|(_, t)| t.as_str()).collect();
        for info in scripts.functions() {
            let called = all_text.matches(&format!("{}(", info.name)).count() > 1;
            if !used.contains(info.name.as_str()) && !called {
                let at = offset_of(c.text(&info.file), info.line.unwrap_or(1), info.column.unwrap_or(1));
                let loc = c.at(&info.file, at..at + 2);
                c.problems.push(
                    Diagnostic::warning(
                        "jixiao::script::unreachable",
                        loc,
                        format!(
                            "函数 {} 没有被 policy.toml 引用，也没有被其他函数调用，永远不会执行",
                            info.name
                        ),
                    )
                    .with_help("在 [formulas] 或某个 [checks.代码] 的 function 中引用它，或删除它"),
                );
            }
        }
    }

    // Reviewer checks: every code once, functions that exist, templates that use only values
    // the check gives.
    let checks = scripts.and_then(|scripts| {
        let name = c.files.name.clone();
        let source = c.sources.iter().find(|(n, _)| n == POLICY_FILE).map(|(_, t)| t.clone());
        let at = |span: Range<usize>| {
            let loc = Loc::in_ruleset(&name, POLICY_FILE);
            match &source {
                Some(text) => loc.with_source(text.clone()).at_span(span),
                None => loc.at_span(span),
            }
        };
        super::checks::load(&raw.checks, scripts, script_files, &at, &mut c.problems)
    });

    // Parameters carry their reference; those no script reads are unreachable.
    let scripts_text: String = script_files.iter().map(|(_, t)| t.as_str()).collect();
    for (name, param) in &raw.params {
        if param.reference.as_deref().is_none_or(|r| r.trim().is_empty()) {
            c.warning(
                "jixiao::policy::reference",
                param.value.span.clone(),
                format!("参数 {name} 没有写依据（reference）"),
                "写明它依据的文件、条款或做法，如 reference = \"财预〔2020〕10号 第X条\"",
            );
        }
        if !scripts_text.contains(&format!("p.{name}")) && !BUILTIN_PARAMS.contains(&name.as_str()) {
            c.warning(
                "jixiao::policy::unreachable",
                param.value.span.clone(),
                format!("参数 {name} 没有被任何脚本读取（p.{name}），改它不会有任何效果"),
                "在脚本中使用它，或删除它",
            );
        }
    }
    checks
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
                let loc = c.at(file, at..at + 1);
                c.problems.push(
                    Diagnostic::error(
                        "jixiao::script::integer-division",
                        loc,
                        format!("整数相除会舍去小数：{left_operand} / {right_operand}"),
                    )
                    .with_help(format!("改写为 dec({left_operand}) / {right_operand}，得到精确小数")),
                );
            }
        }
        offset += line.len();
    }
}
