//! The one check of a rule set's files, run by loading ([`super::RuleSet::load`]) and by
//! `jixiao check` alike: TOML errors and unknown keys, script compile errors, weights that do not
//! add up, grades that can never be given, qualitative tiers with gaps or overlaps, functions
//! named but never defined, reviewer checks — errors — and parameters without a reference,
//! functions and parameters nothing uses — warnings. Every problem is a [`Diagnostic`] pointing
//! at file:line:column with a help line, in Chinese.
//!
//! The scripts are read through Rhai's own AST ([`crate::script::ast`]), never as text, so
//! comments and strings do not count: calls of functions that exist nowhere (with a did-you-mean)
//! or with a number of arguments no definition takes, reads of parameters (`p.name`) their table
//! does not define, integer division where both sides can be integers, formulas whose result
//! can be a non-number, forbidden calls — errors — and `[params]` no script reads — a warning.
//!
//! A set that extends another ([`super::inherit`]) is checked as it applies, with what it
//! inherits: a missing parent or a cycle in `extends` (errors at the `extends` value), an
//! override equal to what it inherits (a warning at its line), values by year (`by_year`) out of
//! order, of mixed kinds or leaving years without a value (errors). Each problem is placed in
//! the file it comes from, the set's own or a parent's; warnings about a parent's own files are
//! left to the parent's check.
//!
//! Like a compiler front end, [`analyse`] goes as far as it can and returns what it built (the
//! parsed policy, the compiled scripts, the checked reviewer checks) together with every
//! diagnostic; a load fails when any of them is an error.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::checks::Checks;
use super::inherit::{self, Chain};
use super::model::PolicyFile;
use super::{POLICY_FILE, RuleSetFiles};
use crate::model::diagnostic::{Diagnostic, LineIndex, Loc, offset_of};
use crate::model::located::toml_message;
use crate::script::ast::{self, Arity, FunctionFacts, NonNumber, Returned, Site, Why};
use crate::script::{SCRIPT_FUNCTIONS, ScriptLimits, ScriptSet};

/// What checking a rule set's files found and built.
pub struct Analysis {
    /// `policy.toml` as parsed (merged with the sets it extends), when it parses.
    pub raw: Option<PolicyFile>,
    /// The scripts compiled into one set (named by the policy's id), when they compile.
    pub scripts: Option<ScriptSet>,
    /// The reviewer checks, when `[checks]` has no error.
    pub checks: Option<Checks>,
    /// Every problem found: errors first, then by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// The set with the sets it extends ([`inherit`]).
    pub chain: Chain,
    /// The script files compiled, in order (inherited ones as `parent/file`).
    pub script_files: Vec<(String, String)>,
    /// Inherited script functions the set never reaches, left out of [`Analysis::scripts`].
    pub dropped: BTreeSet<(String, usize)>,
}

impl Analysis {
    /// An analysis that stopped before parsing: only these diagnostics.
    fn nothing_but(diagnostics: Vec<Diagnostic>, chain: &Chain) -> Self {
        Analysis {
            raw: None,
            scripts: None,
            checks: None,
            diagnostics,
            chain: chain.clone(),
            script_files: Vec::new(),
            dropped: BTreeSet::new(),
        }
    }
}

/// Where problems go, with the rule set's files for placing them.
struct Collector<'a> {
    files: &'a RuleSetFiles,
    chain: &'a Chain,
    /// Each file's text by key (inherited files as `parent/file`), shared by the diagnostics
    /// that point into it.
    sources: Vec<(String, Arc<str>)>,
    problems: Vec<Diagnostic>,
}

impl Collector<'_> {
    fn text(&self, file: &str) -> &str {
        self.sources.iter().find(|(n, _)| n == file).map_or("", |(_, t)| &**t)
    }

    /// A file of the rule set (or, named `parent/file`, of a set it extends), with its text.
    fn loc(&self, file: &str) -> Loc {
        let loc = match file.split_once('/') {
            Some((ruleset, name)) => Loc::in_ruleset(ruleset, name),
            None => Loc::in_ruleset(&self.files.name, file),
        };
        match self.sources.iter().find(|(n, _)| n == file) {
            Some((_, text)) => loc.with_source(text.clone()),
            None => loc,
        }
    }

    /// Byte offset of a 1-based line and column of a file of the rule set.
    fn offset_of(&self, file: &str, line: usize, column: usize) -> usize {
        match self.sources.iter().find(|(n, _)| n == file) {
            Some((_, text)) => LineIndex::of(text).offset_of(text, line, column),
            None => offset_of(self.text(file), line, column),
        }
    }

    /// A byte span of a file of the rule set.
    fn at(&self, file: &str, span: Range<usize>) -> Loc {
        self.loc(file).at_span(span)
    }

    /// A span of the joined policy text ([`Chain::joined`]) in the `policy.toml` it falls in.
    fn error(&mut self, kind: &'static str, span: Range<usize>, message: String, help: &str) {
        let loc = self.chain.at(span);
        self.problems
            .push(Diagnostic::error(kind, loc, message).with_help(help));
    }

    fn warning(&mut self, kind: &'static str, span: Range<usize>, message: String, help: &str) {
        let loc = self.chain.at(span);
        self.problems
            .push(Diagnostic::warning(kind, loc, message).with_help(help));
    }
}

/// Whether a rule-set id can name a folder and a file everywhere: ASCII letters, digits, `-`,
/// `_` and `.`, starting with a letter or digit (so never `..`, a hidden name or a path), at
/// most 64 characters.
pub fn is_safe_name(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A sum of weights for a message; "超出可计算的范围" when it overflowed.
fn shown_sum(sum: Option<Decimal>) -> String {
    sum.map_or_else(|| "超出可计算的范围".to_owned(), |s| s.to_string())
}

/// Byte span of the first occurrence of `needle` in `text` at or after `from` (for values the raw
/// model does not locate).
fn find_span(text: &str, needle: &str, from: usize) -> Range<usize> {
    text.get(from..)
        .and_then(|t| t.find(needle))
        .map_or(from..from, |i| from + i..from + i + needle.len())
}

/// Whether [min, max] is a band of shares of a weight: 0 ≤ min ≤ max ≤ 1 (qualitative tiers and
/// `[classify.criteria]`).
fn is_share_band(min: Decimal, max: Decimal) -> bool {
    Decimal::ZERO <= min && min <= max && max <= Decimal::ONE
}

/// Checks a rule set's files and returns every problem found, errors first by file and line.
pub fn check(files: &RuleSetFiles) -> Vec<Diagnostic> {
    analyse(files, &ScriptLimits::default()).diagnostics
}

/// Checks a rule set's files once: parses `policy.toml`, compiles the scripts (with `limits`),
/// checks the reviewer checks, and finds every problem on the way.
pub fn analyse(files: &RuleSetFiles, limits: &ScriptLimits) -> Analysis {
    let (chain, chain_problems) = Chain::resolve(files);
    let mut sources = Vec::new();
    for (i, layer) in chain.layers.iter().enumerate() {
        for (n, t) in &layer.files.files {
            sources.push((chain.script_key(i, n), Arc::from(t.as_str())));
        }
    }
    let mut c = Collector {
        files,
        chain: &chain,
        sources,
        problems: chain_problems,
    };
    if !files.files.iter().any(|(n, _)| n == POLICY_FILE) {
        let loc = c.loc(POLICY_FILE);
        let diagnostics = vec![
            Diagnostic::error("jixiao::policy::missing", loc, "规则集文件夹里没有 policy.toml")
                .with_help("每个规则集都要有一个 policy.toml"),
        ];
        return Analysis::nothing_but(diagnostics, &chain);
    }
    if !c.problems.is_empty() {
        // The chain is broken (a parent missing, a cycle): what the set inherits is unknown, so
        // nothing else can be checked.
        return Analysis::nothing_but(c.problems, &chain);
    }
    let merged = inherit::merge(&chain);
    for (span, message) in &merged.errors {
        let help = if message.contains("unknown field") {
            "检查键名拼写；policy.toml 只接受 schemas/policy.schema.json 中列出的键"
        } else if message.contains("必须写成字符串") {
            "给小数加上引号，如 value = \"0.5\""
        } else if message.starts_with("invalid type") {
            "把值改成此处要求的类型；各键的类型见 schemas/policy.schema.json"
        } else if message.contains("超出规则集数值可取的范围") {
            "改为范围内的数：分值、换算系数、档次、参数都不需要这么大（或这么多位小数）的数"
        } else if message.contains("严重程度") {
            "写 severity = \"error\"、\"warning\"、\"info\"，或 \"off\" 关闭这条检查"
        } else if message.starts_with("missing field") && chain.extends() {
            "继承其他规则集（extends）时，[ruleset] 的 id、title、years 要自己写，不从上级继承；其余的键不写就沿用上级"
        } else {
            "按 TOML 语法修改此处"
        };
        c.error("jixiao::policy::toml", span.clone(), toml_message(message), help);
    }
    for (path, span) in &merged.unchanged {
        c.warning(
            "jixiao::policy::unchanged",
            span.clone(),
            format!("{path} 与上级规则集的值相同，写了等于没写"),
            "删除这一行，让它从上级规则集继承；只写与上级不同的部分",
        );
    }
    let mut raw = merged.raw;
    let text = chain.joined.clone();

    // The scripts of each set of the chain: those its `scripts` lists, or every `.rhai` file.
    let mut scripts: Vec<(String, String)> = Vec::new();
    for (i, layer) in chain.layers.iter().enumerate() {
        match merged.scripts.get(i).and_then(Option::as_ref).filter(|l| !l.is_empty()) {
            Some(list) => {
                for (script, span) in list {
                    match layer.files.files.iter().find(|(n, _)| n == script) {
                        Some((n, t)) => scripts.push((chain.script_key(i, n), t.clone())),
                        None => c.error(
                            "jixiao::policy::scripts",
                            span.clone(),
                            format!("scripts 中列出的脚本 {script} 不存在"),
                            "把脚本文件放进规则集文件夹，或从 scripts 中删除它",
                        ),
                    }
                }
            }
            None => scripts.extend(
                layer
                    .files
                    .files
                    .iter()
                    .filter(|(n, _)| n.ends_with(".rhai"))
                    .map(|(n, t)| (chain.script_key(i, n), t.clone())),
            ),
        }
    }
    let mut compiled = compile(&mut c, raw.as_ref(), &scripts, limits);
    let mut facts = Facts::read(&scripts, limits, compiled.as_ref());
    let mut dropped = BTreeSet::new();
    if chain.extends() {
        facts.drop_overridden(&chain);
        if let Some(raw) = raw.as_mut() {
            dropped = facts.drop_unreached(&chain, raw);
            if let Some(set) = compiled.as_mut() {
                set.without(&dropped);
            }
            let tables = tables(raw, &facts);
            if let Some(read) = params_read(&facts, &tables) {
                raw.params
                    .retain(|name, p| !chain.inherited(p.span().start) || read.contains(name.as_str()));
            }
        }
    }
    script_lints(&mut c, raw.as_ref(), &facts, compiled.is_some());

    let checks = match &raw {
        Some(raw) => check_policy(&mut c, raw, &text, compiled.as_ref(), &facts),
        None => None,
    };
    let mut problems = c.problems;
    // What the sets it extends are warned of is theirs to fix: their own check says it.
    problems.retain(|d| d.is_error() || d.loc.ruleset.as_deref().is_none_or(|r| r == files.name));
    problems.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.loc.file.clone(), d.loc.line_col());
        (b.level, key(a)).cmp(&(a.level, key(b)))
    });
    Analysis {
        raw,
        scripts: compiled,
        checks,
        diagnostics: problems,
        chain,
        script_files: scripts,
        dropped,
    }
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
            let d = placed_in_folder(c, id, e.to_diagnostic());
            c.problems
                .push(d.with_help("按 Rhai 语法修改此处；eval 和 import 在规则脚本中不可用"));
        }
    }
    if c.problems.len() == before {
        let d = placed_in_folder(c, id, whole.to_diagnostic());
        c.problems.push(d.with_help("同一个函数名只能在一个脚本文件中定义"));
    }
    None
}

/// A script diagnostic of the set's own files named by the rule set's folder (what the editor
/// opens), not its id; one in a file it inherits keeps the name of the set it comes from.
fn placed_in_folder(c: &Collector, id: &str, mut d: Diagnostic) -> Diagnostic {
    if d.loc.ruleset.as_deref() == Some(id) {
        d.loc.ruleset = Some(c.files.name.clone());
    }
    d
}

/// The checks of a parsed policy (and its compiled scripts, when they compile); the checked
/// reviewer checks when `[checks]` has no error.
fn check_policy(
    c: &mut Collector,
    raw: &PolicyFile,
    text: &str,
    scripts: Option<&ScriptSet>,
    facts: &Facts,
) -> Option<Checks> {
    // Identity: an id usable as a file name, a year range that covers some year.
    let id = &raw.ruleset.id;
    if !is_safe_name(&id.value) {
        c.error(
            "jixiao::policy::ruleset",
            id.span.clone(),
            format!("规则集编号 {:?} 不是安全的名称：编号用作文件夹名和文件名", id.value),
            "编号只能由英文字母、数字和 - _ . 组成，以字母或数字开头，最长 64 个字符，如 shenzhen-2020",
        );
    }
    // An editor's folder named otherwise than its id: `--rules` names the folder, reports and
    // `explain` the id, and `extends` the id or the folder — say so before they diverge.
    if let super::RuleSetOrigin::Folder(dir) = &c.files.origin
        && let Some(folder) = dir.file_name().map(|f| f.to_string_lossy().into_owned())
        && is_safe_name(&id.value)
        && folder != id.value
    {
        c.warning(
            "jixiao::policy::folder-name",
            id.span.clone(),
            format!("文件夹名“{folder}”与规则集编号“{}”不同", id.value),
            "把文件夹改名为编号（或把编号改成文件夹名）：--rules 用文件夹，评分结果和 explain 用编号，二者一致才不会混淆",
        );
    }
    let years = &raw.ruleset.years;
    if let Some(to) = years.value.to {
        if years.value.from > to {
            c.error(
                "jixiao::policy::ruleset",
                years.span.clone(),
                format!(
                    "适用年度的起始年度 {} 晚于截止年度 {to}：规则集不适用于任何年度",
                    years.value.from
                ),
                "把 years 写成 { from = 起始年度, to = 截止年度 }，起始年度不晚于截止年度",
            );
        }
    }

    // Weights.
    let p = &raw.profile;
    let (budget, indicators, total) = (p.budget.value.0, p.indicators.value.0, p.total.value.0);
    // Each weight is within the range (the model refuses others), so the sums are too; checked
    // all the same, an overflow being a sum that cannot equal anything.
    let sum = budget.checked_add(indicators);
    if sum != Some(total) {
        c.error(
            "jixiao::policy::weights",
            p.indicators.span.clone(),
            format!(
                "权重合计为 {}（预算执行 {budget} + 绩效指标 {indicators}），不等于满分 {total}",
                shown_sum(sum)
            ),
            "调整 [profile] 的 budget、indicators 或 total，使预算执行与绩效指标之和等于满分",
        );
    }
    // `level1 = {}` says there is no scheme (a set extending one that has).
    if let Some(level1) = p.level1.as_ref().filter(|l| !l.value.is_empty()) {
        let sum = level1
            .value
            .values()
            .try_fold(Decimal::ZERO, |sum, d| sum.checked_add(d.0));
        if sum != Some(indicators) {
            c.error(
                "jixiao::policy::weights",
                level1.span.clone(),
                format!(
                    "各一级指标分值合计为 {}，不等于绩效指标分值 {indicators}",
                    shown_sum(sum)
                ),
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

    // Units: a factor of 0 or below turns every amount into 0 or its opposite.
    let units_start = text.find("[units]").unwrap_or(0);
    for (name, unit) in &raw.units {
        if unit.factor.0 <= Decimal::ZERO {
            c.error(
                "jixiao::policy::units",
                find_span(text, &format!("\"{name}\""), units_start),
                format!(
                    "单位“{name}”的换算系数 {} 不大于 0：按它换算，任何数值都会变成 0 或负数",
                    unit.factor.0
                ),
                "换算系数是 1 个本单位等于多少个基本单位（如 万元 为 10000），必须为正数",
            );
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
        if !is_share_band(t.min.value.0, t.max.value.0) {
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
    if let Some(criteria) = &raw.classify.criteria {
        let (min, max) = (criteria.min.value.0, criteria.max.value.0);
        if !is_share_band(min, max) {
            let at = if min < Decimal::ZERO {
                &criteria.min
            } else {
                &criteria.max
            };
            c.error(
                "jixiao::policy::tiers",
                at.span.clone(),
                format!("[classify.criteria] 的得分区间 [{min}, {max}] 不合法"),
                "区间是占分值的比例，应满足 0 ≤ min ≤ max ≤ 1",
            );
        }
        let scheme = raw.profile.level1.as_ref().map(|l| &l.value);
        for level1 in &criteria.level1 {
            if scheme.is_some_and(|s| !s.is_empty() && !s.contains_key(&level1.value)) {
                c.warning(
                    "jixiao::policy::criteria",
                    level1.span.clone(),
                    format!(
                        "[classify.criteria] 列出的一级指标“{}”不在 [profile] level1 方案中，可能永远不会用到",
                        level1.value
                    ),
                    "写方案中的一级指标名称（不带分值），如 \"项目决策\"",
                );
            }
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
        for info in scripts.functions() {
            let called = facts.is_called_elsewhere(&info.name);
            if !used.contains(info.name.as_str()) && !called {
                let at = c.offset_of(&info.file, info.line.unwrap_or(1), info.column.unwrap_or(1));
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
        let chain = c.chain;
        let at = |span: Range<usize>| chain.at(span);
        super::checks::load(&raw.checks, scripts, &at, &mut c.problems)
    });

    dated_params(c, raw, text);

    // Parameters carry their reference (those no script reads: [`script_lints`]).
    for (name, param) in &raw.params {
        if param.reference.as_deref().is_none_or(|r| r.trim().is_empty()) {
            c.warning(
                "jixiao::policy::reference",
                param.span(),
                format!("参数 {name} 没有写依据（reference）"),
                "写明它依据的文件、条款或做法，如 reference = \"财预〔2020〕10号 第X条\"",
            );
        }
    }
    checks
}

/// Each parameter has one value or values by year; values by year are keyed by years written in
/// order, all whole or all fractions, cover every year of the set from its first, and each is
/// used in some year of it.
fn dated_params(c: &mut Collector, raw: &PolicyFile, text: &str) {
    let years = raw.ruleset.years.value;
    for (name, param) in &raw.params {
        let Some(by_year) = &param.by_year else {
            if param.value.is_none() {
                c.error(
                    "jixiao::policy::param",
                    find_span(text, &format!("params.{name}"), 0),
                    format!("参数 {name} 没有值"),
                    "写 value = 值，或按年度取值 by_year = { \"2020\" = 值, … }",
                );
            }
            continue;
        };
        if param.value.is_some() {
            c.error(
                "jixiao::policy::param",
                by_year.span.clone(),
                format!("参数 {name} 同时写了 value 和 by_year"),
                "二选一：一个值写 value，按年度变化的值写 by_year",
            );
            continue;
        }
        let mut dated: Vec<(i32, &super::model::Located<super::model::Dec>)> = Vec::new();
        for (key, value) in &by_year.value {
            match key.trim().parse::<i32>() {
                Ok(year) if (1900..=2200).contains(&year) => dated.push((year, value)),
                _ => c.error(
                    "jixiao::policy::param",
                    value.span.clone(),
                    format!("参数 {name} 的 by_year 中“{key}”不是年度"),
                    "by_year 的键写四位年度，如 \"2023\" = \"0.2\"",
                ),
            }
        }
        if dated.is_empty() {
            c.error(
                "jixiao::policy::param",
                by_year.span.clone(),
                format!("参数 {name} 的 by_year 没有任何年度的值"),
                "写出各年度起适用的值，如 by_year = { \"2020\" = \"0.1\", \"2023\" = \"0.2\" }",
            );
            continue;
        }
        // Written in order: the spans of the values sorted by year go forward.
        for pair in dated.windows(2) {
            if let [(earlier, a), (later, b)] = pair {
                if a.span.start > b.span.start {
                    c.error(
                        "jixiao::policy::param",
                        b.span.clone(),
                        format!("参数 {name} 的 by_year 没有按年度先后书写：{later} 写在了 {earlier} 之前"),
                        "按年度从早到晚书写，便于核对",
                    );
                }
            }
        }
        let whole = dated.iter().filter(|(_, v)| v.value.0.fract().is_zero()).count();
        if whole != 0 && whole != dated.len() {
            c.error(
                "jixiao::policy::param",
                by_year.span.clone(),
                format!("参数 {name} 的 by_year 中有的值是整数，有的是小数"),
                "各年度的值类型要一致（脚本读到的类型不随年度变化）：都写整数，或都写小数（如 \"1.0\" 写作 \"1.00\" 也算整数，请改写为同一类）",
            );
        }
        if let Some((first, value)) = dated.first() {
            if *first > years.from {
                c.error(
                    "jixiao::policy::param",
                    value.span.clone(),
                    format!(
                        "参数 {name} 的 by_year 从 {first} 年起才有值，规则集适用的 {}没有值",
                        super::model::YearRange {
                            from: years.from,
                            to: Some(first - 1)
                        }
                    ),
                    "把第一个年度改为规则集的起始年度（[ruleset] years 的 from）",
                );
            }
        }
        // Each value applies to some year of the set: not after its last year, and not replaced
        // by a later one before its first.
        for (i, (year, value)) in dated.iter().enumerate() {
            let next = dated.get(i + 1).map(|(y, _)| *y);
            let after_end = years.to.is_some_and(|to| *year > to);
            let before_start = next.is_some_and(|n| n <= years.from);
            if after_end || before_start {
                c.warning(
                    "jixiao::policy::param",
                    value.span.clone(),
                    format!("参数 {name} 的 {year} 年起的值在规则集适用的年度（{years}）中用不到"),
                    "删除这个年度的值，或调整规则集的适用年度",
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the scripts' ASTs show
// ---------------------------------------------------------------------------------------------

/// Functions Rhai's packages provide that a rule script must not call, and why: the engine
/// refuses them at run time too ([`crate::script`]), this finds them before any form is scored.
const FORBIDDEN_CALLS: &[(&str, &str)] = &[("sleep", "sleep 会让评分停下等待，规则脚本不允许等待")];

/// The scripts read through Rhai's AST ([`ast::read`]), file by file, with the look-ups the
/// lints make for every function built once (so they stay linear in the number of functions).
struct Facts {
    /// Each script file with its functions (`None` when it does not parse: [`compile`] reports
    /// it).
    files: Vec<(String, Option<Vec<FunctionFacts>>)>,
    /// (name, arity) of each named function (not a closure) → (file, function) indexes of the
    /// first with that signature.
    by_signature: HashMap<(String, usize), (usize, usize)>,
    /// Names some function calls or names in `Fn("name")`, with the one caller when only one
    /// function does (`None` when several do).
    callers: HashMap<String, Option<String>>,
}

impl Facts {
    /// Reads the scripts, or takes what compiling them already read.
    fn read(scripts: &[(String, String)], limits: &ScriptLimits, compiled: Option<&ScriptSet>) -> Self {
        let files: Vec<(String, Option<Vec<FunctionFacts>>)> = match compiled {
            Some(set) => set
                .file_facts()
                .iter()
                .map(|(file, functions)| (file.clone(), Some(functions.clone())))
                .collect(),
            None => scripts
                .iter()
                .map(|(file, source)| (file.clone(), ast::read(source, limits)))
                .collect(),
        };
        let mut by_signature = HashMap::new();
        let mut callers: HashMap<String, Option<String>> = HashMap::new();
        for (i, (_, functions)) in files.iter().enumerate() {
            for (j, f) in functions.iter().flatten().enumerate() {
                if !f.closure {
                    by_signature.entry((f.name.clone(), f.params.len())).or_insert((i, j));
                }
                let called = f.calls.iter().map(|c| &c.name).chain(f.fn_refs.iter().map(|(n, _)| n));
                for name in called {
                    match callers.get_mut(name) {
                        Some(caller) if caller.as_deref() != Some(f.name.as_str()) => *caller = None,
                        Some(_) => {}
                        None => {
                            callers.insert(name.clone(), Some(f.name.clone()));
                        }
                    }
                }
            }
        }
        Self {
            files,
            by_signature,
            callers,
        }
    }

    /// Whether every file parsed: only then is a name defined nowhere really undefined.
    fn complete(&self) -> bool {
        self.files.iter().all(|(_, functions)| functions.is_some())
    }

    /// Every function (closures included) with its file.
    fn functions(&self) -> impl Iterator<Item = (&str, &FunctionFacts)> {
        self.files
            .iter()
            .filter_map(|(file, functions)| functions.as_ref().map(|f| (file.as_str(), f)))
            .flat_map(|(file, functions)| functions.iter().map(move |f| (file, f)))
    }

    /// The named function (not a closure) with `arity` parameters, with its file.
    fn function(&self, name: &str, arity: usize) -> Option<(&str, &FunctionFacts)> {
        let &(i, j) = self.by_signature.get(&(name.to_owned(), arity))?;
        let (file, functions) = self.files.get(i)?;
        Some((file.as_str(), functions.as_ref()?.get(j)?))
    }

    /// Leaves out the functions of an inherited file that a later set of the chain replaces
    /// (same name and number of parameters).
    fn drop_overridden(&mut self, chain: &Chain) {
        let layer = |file: &str| layer_index(chain, file);
        let defined: Vec<(usize, String, usize)> = self
            .functions()
            .filter(|(_, f)| !f.closure)
            .map(|(file, f)| (layer(file), f.name.clone(), f.params.len()))
            .collect();
        for (file, functions) in &mut self.files {
            let here = layer(file);
            if let Some(functions) = functions {
                functions.retain(|f| {
                    f.closure
                        || !defined
                            .iter()
                            .any(|(l, n, a)| *l > here && *n == f.name && *a == f.params.len())
                });
            }
        }
    }

    /// Leaves out the inherited functions the set never reaches from `[formulas]`, its checks'
    /// functions and its own scripts; returns them.
    fn drop_unreached(&mut self, chain: &Chain, raw: &PolicyFile) -> BTreeSet<(String, usize)> {
        let own = chain.layers.len().saturating_sub(1);
        let mut todo: Vec<String> = raw.formulas.slots().iter().map(|(l, _, _)| l.value.clone()).collect();
        todo.extend(
            raw.checks
                .value
                .values()
                .filter_map(|check| check.function.as_ref().map(|f| f.value.clone())),
        );
        todo.extend(
            self.functions()
                .filter(|(file, f)| f.closure || layer_index(chain, file) == own)
                .map(|(_, f)| f.name.clone()),
        );
        let mut reached: BTreeSet<String> = BTreeSet::new();
        while let Some(name) = todo.pop() {
            if !reached.insert(name.clone()) {
                continue;
            }
            for (_, f) in self.functions().filter(|(_, f)| f.name == name) {
                todo.extend(f.calls.iter().map(|c| c.name.clone()));
                todo.extend(f.fn_refs.iter().map(|(n, _)| n.clone()));
            }
        }
        let mut dropped = BTreeSet::new();
        for (_, functions) in &mut self.files {
            if let Some(functions) = functions {
                functions.retain(|f| {
                    let keep = f.closure || reached.contains(&f.name);
                    if !keep {
                        dropped.insert((f.name.clone(), f.params.len()));
                    }
                    keep
                });
            }
        }
        dropped
    }

    /// Whether another function calls `name` or names it in `Fn("name")`.
    fn is_called_elsewhere(&self, name: &str) -> bool {
        match self.callers.get(name) {
            Some(Some(only)) => only != name,
            Some(None) => true,
            None => false,
        }
    }
}

/// Where a function's parameters object (its last parameter) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Table<'a> {
    /// `[params]` of policy.toml: formula functions get it.
    Params,
    /// The `params` of `[checks.CODE]`: that check's function gets it.
    Check(&'a str),
}

impl Table<'_> {
    /// Where the table is written, for messages.
    fn label(self) -> String {
        match self {
            Table::Params => "[params]".to_owned(),
            Table::Check(code) => format!("[checks.{code}] 的 params"),
        }
    }

    /// The names the table defines.
    fn names(self, raw: &PolicyFile) -> Vec<&str> {
        match self {
            Table::Params => raw.params.keys().map(String::as_str).collect(),
            Table::Check(code) => check_params(raw, code)
                .map(|params| params.keys().map(String::as_str).collect())
                .unwrap_or_default(),
        }
    }

    /// Whether the table defines `name` as an integer (scripts then get an integer).
    fn is_integer(self, raw: &PolicyFile, name: &str) -> bool {
        match self {
            Table::Params => raw.params.get(name).is_some_and(super::model::Param::is_integer),
            Table::Check(code) => check_params(raw, code)
                .and_then(|params| params.get(name))
                .is_some_and(|v| {
                    let whole = |p: &super::model::ParamValue| matches!(p, super::model::ParamValue::Dec(d) if d.fract().is_zero());
                    match &v.value {
                        super::model::CheckParam::One(p) => whole(p),
                        super::model::CheckParam::ByYear(values) => !values.is_empty() && values.values().all(whole),
                    }
                }),
        }
    }
}

/// The `params` of `[checks.CODE]`.
fn check_params<'r>(
    raw: &'r PolicyFile,
    code: &str,
) -> Option<&'r std::collections::BTreeMap<String, super::model::Located<super::model::CheckParam>>> {
    raw.checks
        .value
        .iter()
        .find(|(key, _)| key.0.get_ref() == code)
        .map(|(_, check)| &check.params.value)
}

/// Which tables each script function's parameters object comes from: `[params]` for the
/// functions `[formulas]` names, a check's `params` for the function its `[checks.CODE]` names,
/// and, for a function another one passes its parameters object on to (as the last argument),
/// the caller's.
fn tables<'r>(raw: &'r PolicyFile, facts: &Facts) -> BTreeMap<(String, usize), BTreeSet<Table<'r>>> {
    let mut tables: BTreeMap<(String, usize), BTreeSet<Table<'r>>> = BTreeMap::new();
    for (located, arity, _) in raw.formulas.slots() {
        tables
            .entry((located.value.clone(), arity))
            .or_default()
            .insert(Table::Params);
    }
    for (key, check) in &raw.checks.value {
        if let Some(function) = &check.function {
            tables
                .entry((function.value.clone(), 2))
                .or_default()
                .insert(Table::Check(key.0.get_ref().as_str()));
        }
    }
    // Passed on: at most one round per function.
    for _ in 0..=facts.functions().count() {
        let mut grew = false;
        for (_, f) in facts.functions() {
            let (Some(from), Some(uses)) = (tables.get(&(f.name.clone(), f.params.len())).cloned(), f.params_use())
            else {
                continue;
            };
            for callee in &uses.passed_to {
                let to = tables.entry(callee.clone()).or_default();
                let before = to.len();
                to.extend(from.iter().copied());
                grew |= to.len() > before;
            }
        }
        if !grew {
            break;
        }
    }
    tables
}

/// The checks of the scripts that read their AST: forbidden, undefined and wrongly called
/// functions, unknown and unused parameters, integer division, formulas whose result can be a
/// non-number. Those that need every function of the rule set run only when the scripts
/// compile (`compiled`): a script that does not is reported by [`compile`] alone.
fn script_lints(c: &mut Collector, raw: Option<&PolicyFile>, facts: &Facts, compiled: bool) {
    forbidden_calls(c, facts);
    let tables = raw.map(|raw| tables(raw, facts)).unwrap_or_default();
    if compiled && facts.complete() {
        undefined_calls(c, facts);
        if let Some(raw) = raw {
            unknown_params(c, raw, facts, &tables);
            unused_params(c, raw, facts, &tables);
            non_number_results(c, raw, facts);
        }
    }
    integer_division(c, raw, facts, &tables);
}

/// A place in a script file, `chars` characters long.
fn script_loc(c: &Collector, file: &str, at: Site, chars: usize) -> Loc {
    let text = c.text(file);
    let start = c.offset_of(file, at.line, at.column);
    let end = text.get(start..).map_or(start, |rest| {
        start + rest.char_indices().nth(chars.max(1)).map_or(rest.len(), |(i, _)| i)
    });
    c.at(file, start..end)
}

/// Reports every call of a [`FORBIDDEN_CALLS`] function, at its line and column.
fn forbidden_calls(c: &mut Collector, facts: &Facts) {
    let mut found = Vec::new();
    for (file, f) in facts.functions() {
        for call in &f.calls {
            if let Some((name, why)) = FORBIDDEN_CALLS.iter().find(|(name, _)| call.name == *name) {
                found.push((file.to_owned(), call.at, *name, *why));
            }
        }
    }
    for (file, at, name, why) in found {
        let loc = script_loc(c, &file, at, name.chars().count());
        c.problems.push(
            Diagnostic::error(
                "jixiao::script::forbidden-call",
                loc,
                format!("不允许调用 {name}：{why}"),
            )
            .with_help(format!("删除对 {name} 的调用")),
        );
    }
}

/// "1、2 或 3".
fn counts(set: &BTreeSet<usize>) -> String {
    let all: Vec<String> = set.iter().map(ToString::to_string).collect();
    match all.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} 或 {last}", rest.join("、")),
        _ => all.join(""),
    }
}

/// Calls of functions that exist nowhere (not in the rule set's scripts, not registered by
/// jixiao, not in Rhai's packages the engine loads), and calls with a number of arguments no
/// definition takes.
fn undefined_calls(c: &mut Collector, facts: &Facts) {
    let engine = ast::engine_functions();
    let mut script: BTreeMap<&str, Vec<&FunctionFacts>> = BTreeMap::new();
    for (_, f) in facts.functions().filter(|(_, f)| !f.closure) {
        script.entry(f.name.as_str()).or_default().push(f);
    }
    let map_keys: BTreeSet<&str> = facts
        .functions()
        .flat_map(|(_, f)| f.map_keys.iter().map(String::as_str))
        .collect();
    let mut problems = Vec::new();
    for (file, f) in facts.functions() {
        for call in &f.calls {
            let name = call.name.as_str();
            if FORBIDDEN_CALLS.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let defined = script.get(name);
            let builtin = engine.get(name);
            // A script function called as a method `x.f(a)` gets `x` as `this`, not as a
            // parameter; a registered one gets it as its first parameter.
            let script_args = call.args - usize::from(call.method);
            if defined.is_some_and(|d| d.iter().any(|d| d.params.len() == script_args))
                || builtin.is_some_and(|b| b.accepts(call.args))
            {
                continue;
            }
            let (kind, message, help) = if let Some(definitions) = defined {
                let arities: BTreeSet<usize> = definitions.iter().map(|d| d.params.len()).collect();
                let shapes: Vec<String> = definitions
                    .iter()
                    .map(|d| format!("fn {}({})", d.name, d.params.join(", ")))
                    .collect();
                let this = if call.method {
                    "（写成 x.f(…) 时，x 是函数里的 this，不算参数）"
                } else {
                    ""
                };
                (
                    "jixiao::script::arity",
                    format!(
                        "函数 {name} 定义为 {} 个参数，此处传了 {script_args} 个{this}",
                        counts(&arities),
                    ),
                    format!("按定义传参数：{}", shapes.join("；")),
                )
            } else if let Some(Arity::Exactly(arities)) = builtin {
                let object = if call.method {
                    "（写成 x.f(…) 时，x 算第一个参数）"
                } else {
                    ""
                };
                let signature = SCRIPT_FUNCTIONS
                    .iter()
                    .find(|d| d.name == name)
                    .map_or_else(String::new, |d| format!("：{}", d.signature));
                (
                    "jixiao::script::arity",
                    format!(
                        "函数 {name} 需要 {} 个参数，此处传了 {} 个{object}",
                        counts(arities),
                        call.args
                    ),
                    format!("按规则脚本参考（jixiao reference scripting）中的写法调用{signature}"),
                )
            } else if call.method && map_keys.contains(name) {
                // `m.f()` may call a function pointer stored under key `f` of an object map.
                continue;
            } else {
                let candidates = script.keys().copied().chain(engine.keys().map(String::as_str));
                let help = match did_you_mean(name, candidates) {
                    Some(near) => format!("是不是要写 {near}？"),
                    None => format!(
                        "在 .rhai 脚本中定义 fn {name}(…)，或改用规则脚本参考（jixiao reference scripting）中列出的函数"
                    ),
                };
                (
                    "jixiao::script::undefined-function",
                    format!("函数 {name} 不存在：规则集的脚本没有定义它，jixiao 和 Rhai 也不提供，评分时会出错"),
                    help,
                )
            };
            problems.push((file.to_owned(), call.at, name.chars().count(), kind, message, help));
        }
    }
    // A function pointer `Fn("name")` calls `name` when it is called: the name must exist too
    // (a function the sandbox leaves out, such as `timestamp`, fails only then).
    for (file, f) in facts.functions() {
        for (name, at) in &f.fn_refs {
            if script.contains_key(name.as_str()) || engine.contains_key(name) {
                continue;
            }
            let candidates = script.keys().copied().chain(engine.keys().map(String::as_str));
            let help = match did_you_mean(name, candidates) {
                Some(near) => format!("是不是要写 Fn(\"{near}\")？"),
                None => format!(
                    "在 .rhai 脚本中定义 fn {name}(…)，或改用规则脚本参考（jixiao reference scripting）中列出的函数"
                ),
            };
            problems.push((
                file.to_owned(),
                *at,
                name.chars().count() + 2,
                "jixiao::script::undefined-function",
                format!("Fn(\"{name}\") 指向的函数 {name} 不存在：规则集的脚本没有定义它，jixiao 和 Rhai 也不提供，调用时会出错"),
                help,
            ));
        }
    }
    for (file, at, chars, kind, message, help) in problems {
        let loc = script_loc(c, &file, at, chars);
        c.problems.push(Diagnostic::error(kind, loc, message).with_help(help));
    }
}

/// Reads of a parameters object (`p.name`) that its table does not define: they read `()`.
fn unknown_params(
    c: &mut Collector,
    raw: &PolicyFile,
    facts: &Facts,
    tables: &BTreeMap<(String, usize), BTreeSet<Table>>,
) {
    let mut problems = Vec::new();
    for (file, f) in facts.functions().filter(|(_, f)| !f.closure) {
        let (Some(uses), Some(from)) = (f.params_use(), tables.get(&(f.name.clone(), f.params.len()))) else {
            continue;
        };
        let known: BTreeSet<&str> = from.iter().flat_map(|t| t.names(raw)).collect();
        let labels: Vec<String> = from.iter().map(|t| t.label()).collect();
        for (name, at) in &uses.reads {
            if known.contains(name.as_str()) {
                continue;
            }
            let p = &uses.name;
            let message = format!(
                "{p}.{name} 读取的参数 {name} 在 {} 中没有定义，读到的是空值 ()，评分时会出错或算错",
                labels.join("、")
            );
            let help = match did_you_mean(name, known.iter().copied()) {
                Some(near) => format!("是不是要写 {p}.{near}？"),
                None if known.is_empty() => format!("在 {} 中加上 {name}", labels.join("、")),
                None => format!(
                    "在 {} 中加上 {name}，或改用已有的参数：{}",
                    labels.join("、"),
                    known.iter().copied().collect::<Vec<_>>().join("、")
                ),
            };
            problems.push((file.to_owned(), *at, name.chars().count(), message, help));
        }
    }
    for (file, at, chars, message, help) in problems {
        let loc = script_loc(c, &file, at, chars);
        c.problems
            .push(Diagnostic::error("jixiao::script::unknown-param", loc, message).with_help(help));
    }
}

/// Which set of the chain a script key (`file` or `parent/file`) belongs to.
fn layer_index(chain: &Chain, file: &str) -> usize {
    let own = chain.layers.len().saturating_sub(1);
    match file.split_once('/') {
        Some((name, _)) => chain
            .layers
            .iter()
            .take(own)
            .rposition(|l| l.files.name == name)
            .unwrap_or(own),
        None => own,
    }
}

/// `[params]` no script reads: changing them changes nothing. A function passing its parameters
/// object on to anything but a script function may read any of them.
fn unused_params(
    c: &mut Collector,
    raw: &PolicyFile,
    facts: &Facts,
    tables: &BTreeMap<(String, usize), BTreeSet<Table>>,
) {
    let Some(read) = params_read(facts, tables) else {
        return;
    };
    for (name, param) in &raw.params {
        if !read.contains(name.as_str()) {
            c.warning(
                "jixiao::policy::unreachable",
                param.span(),
                format!("参数 {name} 没有被任何脚本读取（p.{name}），改它不会有任何效果"),
                "在脚本中使用它，或删除它（只写在注释或字符串里的 p.名称 不算读取）",
            );
        }
    }
}

/// The `[params]` the scripts read; `None` when a function may read any of them.
fn params_read(facts: &Facts, tables: &BTreeMap<(String, usize), BTreeSet<Table>>) -> Option<BTreeSet<String>> {
    let mut read: BTreeSet<String> = BTreeSet::new();
    for (_, f) in facts.functions().filter(|(_, f)| !f.closure) {
        let Some(uses) = f.params_use() else {
            continue;
        };
        match tables.get(&(f.name.clone(), f.params.len())) {
            // Reached from [formulas]: what it reads is read; what it may read, too.
            Some(from) if from.contains(&Table::Params) && uses.escapes => return None,
            Some(from) if from.contains(&Table::Params) => {}
            Some(_) => continue,
            // Reached from nowhere (reported as unreachable): its reads still count.
            None => {}
        }
        read.extend(uses.reads.iter().map(|(name, _)| name.clone()));
    }
    Some(read)
}

/// Integer division truncates (`10 / 4 == 2`): `a / b` where the AST shows both sides are
/// integers — literals, local variables bound to integers, integral parameters, arithmetic of
/// those.
fn integer_division(
    c: &mut Collector,
    raw: Option<&PolicyFile>,
    facts: &Facts,
    tables: &BTreeMap<(String, usize), BTreeSet<Table>>,
) {
    let mut problems = Vec::new();
    for (file, f) in facts.functions() {
        let from: Vec<Table> = match tables.get(&(f.name.clone(), f.params.len())) {
            Some(from) => from.iter().copied().collect(),
            None => vec![Table::Params],
        };
        for d in &f.divisions {
            let (Some(left), Some(right)) = (&d.left.integer_if, &d.right.integer_if) else {
                continue;
            };
            let integral = left
                .iter()
                .chain(right)
                .all(|name| raw.is_some_and(|raw| from.iter().any(|t| t.is_integer(raw, name))));
            if integral {
                problems.push((file.to_owned(), d.at, d.left.text.clone(), d.right.text.clone()));
            }
        }
    }
    for (file, at, left, right) in problems {
        let loc = script_loc(c, &file, at, 1);
        let inner = left
            .strip_prefix('(')
            .and_then(|t| t.strip_suffix(')'))
            .unwrap_or(&left);
        c.problems.push(
            Diagnostic::error(
                "jixiao::script::integer-division",
                loc,
                format!("整数相除会舍去小数：{left} / {right}"),
            )
            .with_help(format!("改写为 dec({inner}) / {right}，得到精确小数")),
        );
    }
}

/// A formula function (or a script function whose result it returns) that can end with a value
/// that is plainly not a number: a string, `()`, a comparison, an `if` without `else`, a `let`.
fn non_number_results(c: &mut Collector, raw: &PolicyFile, facts: &Facts) {
    let mut seen: BTreeSet<(String, Site)> = BTreeSet::new();
    let mut problems = Vec::new();
    for (located, arity, key) in raw.formulas.slots() {
        let Some(start) = facts.function(&located.value, arity) else {
            continue;
        };
        let mut visited: BTreeSet<(String, usize)> = BTreeSet::new();
        let mut stack = vec![start];
        while let Some((file, f)) = stack.pop() {
            if !visited.insert((f.name.clone(), f.params.len())) {
                continue;
            }
            for r in &f.returns {
                match r {
                    Returned::Call { name, args, .. } => stack.extend(facts.function(name, *args)),
                    Returned::Value { kind, why, at } => {
                        if seen.insert((file.to_owned(), *at)) {
                            let via = if f.name == located.value {
                                String::new()
                            } else {
                                format!("（经由它调用的 {}）", f.name)
                            };
                            problems.push((file.to_owned(), *at, *kind, *why, key, located.value.clone(), via));
                        }
                    }
                }
            }
        }
    }
    for (file, at, kind, why, key, name, via) in problems {
        let whose = format!("[formulas] {key} 的函数 {name}{via}");
        let label = kind.label();
        let (message, help, chars) = match (why, kind) {
            (Why::Value, NonNumber::Text) => (
                format!("{whose} 在此处返回{label}，而得分必须是数字"),
                "数字不加引号：写 0，不写 \"0\"",
                1,
            ),
            (Why::Value, NonNumber::Bool) => (
                format!("{whose} 在此处返回{label}（比较的结果是 true/false），而得分必须是数字"),
                "返回一个数字；要按条件取值，写 if 条件 { 数 } else { 数 }",
                1,
            ),
            (Why::Value, _) => (
                format!("{whose} 在此处返回{label}，而得分必须是数字"),
                "返回一个数字，如 0",
                1,
            ),
            (Why::NoElse, _) => (
                format!("{whose} 的 if 没有 else：条件不成立时返回空值 ()，而得分必须是数字"),
                "补上 else 分支，让条件不成立时也得出一个数字",
                2,
            ),
            (Why::NoDefault, _) => (
                format!("{whose} 的 switch 没有 _ 分支：没有分支匹配时返回空值 ()，而得分必须是数字"),
                "补上 _ => 数字 分支",
                6,
            ),
            (Why::Empty, _) => (
                format!("{whose} 的函数体（或分支）是空的，返回空值 ()，而得分必须是数字"),
                "写出计算结果的表达式",
                1,
            ),
            (Why::Statement, _) => (
                format!("{whose} 在此处以语句（let、赋值或循环）结束，返回空值 ()，而得分必须是数字"),
                "函数的最后一行应是结果的表达式（如 score），不加 let",
                1,
            ),
            (Why::BareReturn, _) => (
                format!("{whose} 的 return 没有写返回值，返回空值 ()，而得分必须是数字"),
                "写 return 数字;",
                6,
            ),
        };
        let loc = script_loc(c, &file, at, chars);
        c.problems
            .push(Diagnostic::error("jixiao::script::non-number", loc, message).with_help(help));
    }
}

/// The candidate nearest to `name` in edits, when it is near enough to be a slip of the hand
/// (a misspelt function, parameter or `--region`).
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous.get(j).map_or(usize::MAX, |d| d + usize::from(ca != *cb));
            let delete = previous.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insert = current.last().map_or(usize::MAX, |d| d + 1);
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_slips_only() {
        let names = ["round_half_up", "round_half_even", "round_down", "min", "max"];
        assert_eq!(did_you_mean("round_halfup", names), Some("round_half_up"));
        assert_eq!(did_you_mean("rounddown", names), Some("round_down"));
        assert_eq!(did_you_mean("percent", names), None);
        assert_eq!(did_you_mean("mx", names), Some("max"));
        assert_eq!(edit_distance("late_share_explaind", "late_share_explained"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    /// The standalone Shenzhen rule set (as it was before it extended cn-mof-2020) with `find`
    /// replaced by `replace` in `file`, checked: each diagnostic's code and message.
    fn check_edited(edits: &[(&str, &str, &str)]) -> Vec<(String, String)> {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rulesets/standalone/shenzhen-2020");
        let mut files = RuleSetFiles::read_folder(&dir).unwrap();
        for (file, find, replace) in edits {
            let (_, text) = files.files.iter_mut().find(|(n, _)| n == file).unwrap();
            assert!(text.contains(find), "{file} lacks {find}");
            *text = text.replacen(find, replace, 1);
        }
        check(&files)
            .into_iter()
            .map(|d| (d.code.to_string(), d.message.clone()))
            .collect()
    }

    #[test]
    fn calls_the_engine_resolves_are_not_reported() {
        let found = check_edited(&[
            (
                "formulas.rhai",
                "// 预算执行得分",
                "fn twice() { this * 2 }\n\n// 预算执行得分",
            ),
            (
                "formulas.rhai",
                "    min(rate, 1) * weight\n",
                "    let m = #{ half: |x| x / 2 };\n    m.half(min(rate, 1) * weight).twice().round_half_up(2)\n",
            ),
        ]);
        assert_eq!(found, []);
    }

    #[test]
    fn a_script_function_called_as_a_method_takes_this_besides_its_parameters() {
        let found = check_edited(&[(
            "formulas.rhai",
            "forward_score(target, actual, weight, p)\n    }",
            "target.forward_score(actual, weight, p)\n    }",
        )]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .1
                .contains("定义为 4 个参数，此处传了 3 个（写成 x.f(…) 时，x 是函数里的 this"),
            "{found:?}"
        );
        // With `this` and four parameters it resolves.
        let resolves = check_edited(&[(
            "formulas.rhai",
            "forward_score(target, actual, weight, p)\n    }",
            "target.forward_score(target, actual, weight, p)\n    }",
        )]);
        assert_eq!(resolves, []);
    }

    #[test]
    fn params_passed_on_or_escaping_are_followed_or_trusted() {
        // Passed on to a helper as the last argument: the helper's reads count.
        let passed = check_edited(&[
            ("formulas.rhai", "weight * p.late_share_explained", "late(weight, p)"),
            (
                "formulas.rhai",
                "// 正向指标",
                "fn late(w, settings) { w * settings.late_share_explained }\n\n// 正向指标",
            ),
        ]);
        assert_eq!(passed, []);
        // The helper reads a parameter [params] lacks: reported in the helper.
        let typo = check_edited(&[
            ("formulas.rhai", "weight * p.late_share_explained", "late(weight, p)"),
            (
                "formulas.rhai",
                "// 正向指标",
                "fn late(w, q) { w * q.late_share_explaind }\n\n// 正向指标",
            ),
        ]);
        assert!(
            typo.iter().any(|(code, m)| code == "jixiao::script::unknown-param"
                && m.starts_with("q.late_share_explaind 读取的参数")),
            "{typo:?}"
        );
        // Copied into another variable: it may read anything, so nothing is unused.
        let copied = check_edited(&[
            ("formulas.rhai", "weight * p.late_share_explained", "weight * 0"),
            (
                "formulas.rhai",
                "let lo = low * weight;",
                "let q = p;\n    let lo = low * weight;",
            ),
        ]);
        assert_eq!(copied, []);
    }

    #[test]
    fn integer_division_needs_both_sides_integers() {
        let none = check_edited(&[(
            "formulas.rhai",
            "    min(rate, 1) * weight\n",
            "    let nine = 9;\n    let d = dec(nine);\n    min(rate, 1) * weight * (d / 10) * (weight / 10) * (10.0 / 4)\n",
        )]);
        assert_eq!(none, []);
        let param = check_edited(&[(
            "formulas.rhai",
            "    min(rate, 1) * weight\n",
            "    min(rate, 1) * weight / (p.rate_places / 2)\n",
        )]);
        assert_eq!(param.len(), 1, "{param:?}");
        assert_eq!(param[0].1, "整数相除会舍去小数：p.rate_places / 2");
    }

    #[test]
    fn counts_read_as_chinese() {
        assert_eq!(counts(&BTreeSet::from([2])), "2");
        assert_eq!(counts(&BTreeSet::from([1, 2, 3])), "1、2 或 3");
    }
}
