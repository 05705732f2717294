//! Layout files: what the importer knows about each family of 自评表 templates, as data.
//!
//! A layout file (`rules/layouts/<family>.toml`, embedded in the binary, or an office's own given
//! with `--layouts PATH`) lists the label synonyms of every block, column and row, what a
//! header's parentheses carry, the cells meaning “not applicable”, the spellings of operators and
//! the marks left in indicator names; its format is [`model::LayoutFile`]
//! (`schemas/layout.schema.json`). This module reads the files, checks them and compiles them —
//! in one pass, as a rule set is loaded and checked ([`analyse`]) — into one
//! [`Layouts`], the union of every loaded file, which the importer looks labels up in
//! ([`crate::ingest::import`]'s `labels`).
//!
//! Every problem is a [`Diagnostic`] at file:line:column (`jixiao::layout::…`): TOML errors and
//! unknown keys, empty lists and labels, a label claimed by two roles (in one file or across the
//! loaded files), bad regular expressions, an unknown `extends`, two fallback families. Loading
//! fails on any error ([`LayoutError`]); `jixiao check` prints the same diagnostics.

pub mod model;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use include_dir::{Dir, include_dir};
use regex::Regex;

pub use crate::ingest::import::labels::{Family, Layouts};
use crate::ingest::import::labels::{
    Field, FundsCol, FundsRow, IndCol, LabelMap, LabelSet, Level, ParenKind, RowKind, norm,
};
use crate::model::diagnostic::{Diagnostic, Loc};
use crate::model::located::{Located, toml_message};
use model::{IndicatorRole, LayoutFile, entries};

/// The layouts shipped in `rules/layouts/`.
static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules/layouts");

/// Where the shipped layouts live in the repository (the name their diagnostics carry).
pub const EMBEDDED_FOLDER: &str = "rules/layouts";

/// The text of one layout file and the name it is shown by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutSource {
    /// File as the user names it (`rules/layouts/central.toml`, or the path given).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// The shipped layout files, by file name.
pub fn embedded_sources() -> Vec<LayoutSource> {
    let mut out: Vec<LayoutSource> = EMBEDDED
        .files()
        .filter_map(|f| {
            let file = f.path().file_name()?.to_str()?;
            let text = f.contents_utf8()?;
            file.ends_with(".toml").then(|| LayoutSource {
                name: format!("{EMBEDDED_FOLDER}/{file}"),
                text: text.to_owned(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Reads a layout file, or every `*.toml` file of a folder (by name), from disk.
pub fn read_path(path: &Path) -> Result<Vec<LayoutSource>, Diagnostic> {
    let shown = path.display().to_string();
    let unreadable = |file: &str, e: std::io::Error| {
        Diagnostic::error(
            "jixiao::layout::files",
            Loc::file(file),
            format!("无法读取格式文件（{e}）"),
        )
        .with_help("--layouts 写格式文件（.toml）或放格式文件的文件夹的路径；文件须是 UTF-8 文本")
    };
    if !path.is_dir() {
        let text = std::fs::read_to_string(path).map_err(|e| unreadable(&shown, e))?;
        return Ok(vec![LayoutSource { name: shown, text }]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| unreadable(&shown, e))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Diagnostic::error(
            "jixiao::layout::files",
            Loc::file(shown),
            "文件夹中没有格式文件（*.toml）",
        )
        .with_help("把格式文件放进这个文件夹，或让 --layouts 直接指向格式文件"));
    }
    files
        .iter()
        .map(|f| {
            let name = f.display().to_string();
            let text = std::fs::read_to_string(f).map_err(|e| unreadable(&name, e))?;
            Ok(LayoutSource { name, text })
        })
        .collect()
}

/// The shipped layouts followed by `extra`; a file of `extra` that is a shipped file on disk
/// (`rules/layouts/hubei.toml`, being edited) takes that file's place instead.
fn with_shipped(mut extra: Vec<LayoutSource>) -> Vec<LayoutSource> {
    let key = |name: &str| -> PathBuf {
        Path::new(name)
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    };
    let mut sources = embedded_sources();
    for shipped in &mut sources {
        if let Some(i) = extra.iter().position(|x| key(&x.name) == key(&shipped.name)) {
            *shipped = extra.remove(i);
        }
    }
    sources.extend(extra);
    sources
}

/// Layout files that cannot be used: every diagnostic checking them found (at least one error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutError {
    /// Every diagnostic, errors first.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LayoutError {
    /// The first error on one line; how many more there are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        match self.diagnostics.iter().find(|d| d.is_error()) {
            Some(first) => write!(f, "{first}")?,
            None => f.write_str("格式文件无法使用")?,
        }
        if errors > 1 {
            write!(f, "（另有 {} 个错误）", errors - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for LayoutError {}

/// The shipped layouts, compiled once per process.
pub fn embedded() -> Arc<Layouts> {
    static EMBEDDED_LAYOUTS: OnceLock<Arc<Layouts>> = OnceLock::new();
    // The shipped files are checked by the tests (no diagnostic at all); were one broken, the
    // rest would still be compiled.
    EMBEDDED_LAYOUTS
        .get_or_init(|| Arc::new(analyse(&embedded_sources()).layouts))
        .clone()
}

/// The shipped layouts together with the files or folders `paths` name (`--layouts`), checked
/// and compiled once for the run. With no paths, the shipped layouts.
pub fn load(paths: &[PathBuf]) -> Result<Arc<Layouts>, LayoutError> {
    if paths.is_empty() {
        return Ok(embedded());
    }
    let mut extra = Vec::new();
    for path in paths {
        extra.extend(read_path(path).map_err(|d| LayoutError { diagnostics: vec![d] })?);
    }
    let analysis = analyse(&with_shipped(extra));
    if analysis.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(LayoutError {
            diagnostics: analysis.diagnostics,
        });
    }
    Ok(Arc::new(analysis.layouts))
}

/// What checking layout files found and built.
#[derive(Debug)]
pub struct Analysis {
    /// The tables compiled from every entry that checked out.
    pub layouts: Layouts,
    /// Every problem found: errors first, then by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks layout files (in load order: the shipped ones first) and compiles them into one
/// [`Layouts`]; goes as far as it can, so every problem is found at once.
pub fn analyse(sources: &[LayoutSource]) -> Analysis {
    let mut c = Compiler {
        names: sources.iter().map(|s| s.name.clone()).collect(),
        ..Compiler::default()
    };
    let mut parsed: Vec<(usize, LayoutFile)> = Vec::new();
    for (k, source) in sources.iter().enumerate() {
        c.sources.push(Arc::from(source.text.as_str()));
        match toml::from_str::<LayoutFile>(&source.text) {
            Ok(file) => parsed.push((k, file)),
            Err(e) => {
                let message = e.message().trim().to_owned();
                let help = if message.contains("unknown field") {
                    "检查键名拼写；格式文件只接受 schemas/layout.schema.json 中列出的键（见 docs/layouts.md）"
                } else if message.starts_with("invalid type") {
                    "把值改成此处要求的类型；标签写成字符串数组，如 [\"项目名称\"]"
                } else {
                    "按 TOML 语法修改此处"
                };
                c.error(
                    "jixiao::layout::toml",
                    k,
                    e.span().unwrap_or(0..0),
                    toml_message(&message),
                    help,
                );
            }
        }
    }
    c.families(&parsed);
    for (k, file) in &parsed {
        c.file(*k, file);
    }
    c.finish(&parsed);
    let mut layouts = std::mem::take(&mut c.out);
    layouts.sources = sources.iter().map(|s| (s.name.clone(), s.text.clone())).collect();
    let mut diagnostics = c.problems;
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.loc.file.clone(), d.loc.line_col());
        (b.level, key(a)).cmp(&(a.level, key(b)))
    });
    Analysis { layouts, diagnostics }
}

/// The shipped layouts and the file or folder at `path`, checked together (a label the file
/// claims for another role than a shipped layout does is a conflict): what `jixiao check` prints.
pub fn check_path(path: &Path) -> Vec<Diagnostic> {
    match read_path(path) {
        Ok(extra) => analyse(&with_shipped(extra)).diagnostics,
        Err(d) => vec![d],
    }
}

/// The tables a label can be claimed in: two roles of one table cannot share a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Table {
    /// What a row's first cell says the row is: fields, block labels, 总分, 合计.
    Rows,
    GoalColumns,
    FundsRows,
    FundsColumns,
    IndicatorColumns,
    Levels,
    Operators,
}

/// Who claimed a label first.
#[derive(Debug, Clone)]
struct Claim {
    role: &'static str,
    source: usize,
    span: std::ops::Range<usize>,
}

/// Builds the tables and collects the diagnostics.
#[derive(Default)]
struct Compiler {
    names: Vec<String>,
    sources: Vec<Arc<str>>,
    problems: Vec<Diagnostic>,
    out: Layouts,
    claims: HashMap<(Table, String), Claim>,
    /// Family id → index in `out.families`.
    family_index: HashMap<String, usize>,
    /// Per parsed file, its family index (when its family was accepted).
    file_family: HashMap<usize, usize>,
    /// Labels of `level1_when_level2_follows`, checked once every file is read.
    promotable: Vec<(usize, Located<String>)>,
    /// Pattern sources per combined table: (source, pattern).
    titles: Vec<String>,
    filing: Vec<String>,
    name_prefixes: Vec<String>,
    unfilled: Vec<String>,
    template_rows: Vec<String>,
}

impl Compiler {
    fn loc(&self, source: usize, span: std::ops::Range<usize>) -> Loc {
        let name = self.names.get(source).cloned().unwrap_or_default();
        let loc = Loc::file(name);
        match self.sources.get(source) {
            Some(text) => loc.with_source(text.clone()).at_span(span),
            None => loc.at_span(span),
        }
    }

    fn error(&mut self, code: &'static str, source: usize, span: std::ops::Range<usize>, message: String, help: &str) {
        let loc = self.loc(source, span);
        self.problems
            .push(Diagnostic::error(code, loc, message).with_help(help));
    }

    fn warning(
        &mut self,
        code: &'static str,
        source: usize,
        span: std::ops::Range<usize>,
        message: String,
        help: &str,
    ) {
        let loc = self.loc(source, span);
        self.problems
            .push(Diagnostic::warning(code, loc, message).with_help(help));
    }

    /// Where an earlier claim was written, for messages: `central.toml 第 12 行`.
    fn place(&self, source: usize, span: &std::ops::Range<usize>) -> String {
        let loc = self.loc(source, span.clone());
        match loc.line_col() {
            Some((line, _)) => format!("{} 第 {line} 行", loc.file),
            None => loc.file,
        }
    }

    /// Registers every file's family: ids, `extends`, `fallback`.
    fn families(&mut self, parsed: &[(usize, LayoutFile)]) {
        let id_ok = |id: &str| {
            id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        for (k, file) in parsed {
            let meta = &file.layout;
            let id = meta.family.value.trim().to_owned();
            if !id_ok(&id) {
                self.error(
                    "jixiao::layout::family",
                    *k,
                    meta.family.span.clone(),
                    format!("格式编号“{id}”不合规：只能用小写字母、数字和连字符，以字母开头"),
                    "如 family = \"wuhan-2023\"",
                );
                continue;
            }
            if let Some(&first) = self.family_index.get(&id) {
                let earlier = self.file_of_family(first);
                self.error(
                    "jixiao::layout::family",
                    *k,
                    meta.family.span.clone(),
                    format!("格式编号“{id}”已被 {} 使用", earlier),
                    "每个格式文件用一个不同的编号；要在内置格式上增加写法，另起一个编号并写 extends",
                );
                continue;
            }
            let fallback = meta.fallback.as_ref().is_some_and(|f| f.value);
            if fallback && let Some(other) = self.out.families.iter().position(|f| f.fallback) {
                let other_id = self.out.families.get(other).map(|f| f.id.clone()).unwrap_or_default();
                self.error(
                    "jixiao::layout::fallback",
                    *k,
                    meta.fallback.as_ref().map_or(0..0, |f| f.span.clone()),
                    format!("格式“{other_id}”已经是默认格式（fallback），只能有一个"),
                    "删除 fallback = true：没有特征标签的表记为内置的默认格式",
                );
            }
            let index = self.out.families.len();
            self.family_index.insert(id.clone(), index);
            self.file_family.insert(*k, index);
            self.out.families.push(Family {
                id,
                title: meta.title.trim().to_owned(),
                parent: None,
                fallback: fallback && !self.out.families.iter().any(|f| f.fallback),
            });
        }
        for (k, file) in parsed {
            let (Some(&index), Some(extends)) = (self.file_family.get(k), &file.layout.extends) else {
                continue;
            };
            let parent = extends.value.trim();
            match self.family_index.get(parent).copied() {
                None => {
                    let known: Vec<String> = self
                        .out
                        .families
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != index)
                        .map(|(_, f)| f.id.clone())
                        .collect();
                    self.error(
                        "jixiao::layout::extends",
                        *k,
                        extends.span.clone(),
                        format!("extends 写的格式“{parent}”不存在；已有的格式：{}", known.join("、")),
                        "写一个已有格式的编号，或删除 extends",
                    );
                }
                Some(p) if p == index || self.descends(p, index) => self.error(
                    "jixiao::layout::extends",
                    *k,
                    extends.span.clone(),
                    format!("extends = \"{parent}\" 形成循环：一个格式不能是自己的变体"),
                    "删除 extends，或改成它真正的上级格式",
                ),
                Some(p) => {
                    if let Some(f) = self.out.families.get_mut(index) {
                        f.parent = Some(p);
                    }
                }
            }
        }
    }

    fn file_of_family(&self, index: usize) -> String {
        self.file_family
            .iter()
            .find(|(_, f)| **f == index)
            .and_then(|(k, _)| self.names.get(*k).cloned())
            .unwrap_or_default()
    }

    /// True when `a` is, through `parent` links, a variant of `b`.
    fn descends(&self, a: usize, b: usize) -> bool {
        let mut at = self.out.families.get(a).and_then(|f| f.parent);
        for _ in 0..=self.out.families.len() {
            match at {
                Some(p) if p == b => return true,
                Some(p) => at = self.out.families.get(p).and_then(|f| f.parent),
                None => return false,
            }
        }
        true
    }

    /// Normalised, non-empty labels of a list; an empty list or label is an error.
    fn labels<'f>(&mut self, k: usize, key: &str, list: &'f model::Labels) -> Vec<(&'f Located<String>, String)> {
        let Some(list) = list else { return Vec::new() };
        if list.value.is_empty() {
            self.error(
                "jixiao::layout::empty",
                k,
                list.span.clone(),
                format!("{key} 是空列表"),
                "写上至少一个标签，或删除这个键",
            );
        }
        let mut out: Vec<(&'f Located<String>, String)> = Vec::new();
        for label in &list.value {
            let n = norm(&label.value).into_owned();
            if n.is_empty() {
                self.error(
                    "jixiao::layout::empty",
                    k,
                    label.span.clone(),
                    format!("{key} 中有空标签"),
                    "删除这个空字符串",
                );
                continue;
            }
            if out.iter().any(|(_, o)| *o == n) {
                self.warning(
                    "jixiao::layout::duplicate",
                    k,
                    label.span.clone(),
                    format!("标签“{}”在 {key} 中重复出现", label.value),
                    "删除重复的一个",
                );
                continue;
            }
            out.push((label, n));
        }
        out
    }

    /// Claims `label` for `role` in `table`; a label another role of the table holds is an error
    /// (the first claim stays). True when the label is now (or already was) this role's.
    fn claim(&mut self, table: Table, role: &'static str, k: usize, label: &Located<String>, n: &str) -> bool {
        let key = (table, n.to_owned());
        match self.claims.get(&key).cloned() {
            None => {
                self.claims.insert(
                    key,
                    Claim {
                        role,
                        source: k,
                        span: label.span.clone(),
                    },
                );
                true
            }
            Some(first) if first.role == role => true,
            Some(first) => {
                let earlier = self.place(first.source, &first.span);
                self.error(
                    "jixiao::layout::conflict",
                    k,
                    label.span.clone(),
                    format!(
                        "标签“{}”在 {earlier}已是 {}，不能同时是 {role}",
                        label.value, first.role
                    ),
                    "同一个标签只能表示一种内容：删除其中一处，或改成更具体的写法",
                );
                false
            }
        }
    }

    /// Adds the labels of one role to a map, claiming each in `table`.
    fn put<T: Copy>(
        &mut self,
        k: usize,
        table: Table,
        role: &'static str,
        list: &model::Labels,
        value: T,
        pick: fn(&mut Layouts) -> &mut LabelMap<T>,
    ) {
        for (label, n) in self.labels(k, role, list) {
            if self.claim(table, role, k, label, &n) {
                pick(&mut self.out).insert(n, value);
            }
        }
    }

    /// Adds the labels of a set that has no roles to tell apart.
    fn put_set(
        &mut self,
        k: usize,
        role: &'static str,
        list: &model::Labels,
        normalise: bool,
        pick: fn(&mut Layouts) -> &mut LabelSet,
    ) {
        for (label, n) in self.labels(k, role, list) {
            let key = if normalise { n } else { label.value.trim().to_owned() };
            pick(&mut self.out).insert(key, ());
        }
    }

    /// Checks each pattern of a list compiles; returns them.
    fn patterns(&mut self, k: usize, key: &str, list: &model::Labels, needs_points: bool) -> Vec<(Regex, String)> {
        let mut out = Vec::new();
        let Some(located) = list else { return out };
        if located.value.is_empty() {
            self.error(
                "jixiao::layout::empty",
                k,
                located.span.clone(),
                format!("{key} 是空列表"),
                "写上至少一个正则表达式，或删除这个键",
            );
        }
        for p in &located.value {
            match Regex::new(&p.value) {
                Ok(r) if needs_points && !r.capture_names().any(|n| n == Some("points")) => self.error(
                    "jixiao::layout::pattern",
                    k,
                    p.span.clone(),
                    format!("{key} 的正则表达式没有命名分组 points"),
                    "用 (?P<points>…) 标出分数，如 '^(?P<points>[0-9]+)分$'",
                ),
                Ok(_) if p.value.is_empty() => self.error(
                    "jixiao::layout::empty",
                    k,
                    p.span.clone(),
                    format!("{key} 中有空的正则表达式"),
                    "删除这个空字符串",
                ),
                Ok(r) => out.push((r, p.value.clone())),
                Err(e) => {
                    let detail = e.to_string();
                    let last = detail.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or(&detail);
                    self.error(
                        "jixiao::layout::pattern",
                        k,
                        p.span.clone(),
                        format!(
                            "{key} 中的正则表达式无法使用：{}",
                            last.trim().trim_start_matches("error: ")
                        ),
                        "按正则表达式语法修改（见 docs/layouts.md）；要匹配括号、星号等字符本身，前面加 \\",
                    );
                }
            }
        }
        out
    }

    /// Literal texts matched by containment (titles, filing words).
    fn literals(&mut self, k: usize, key: &'static str, list: &model::Labels, normalise: bool) -> Vec<String> {
        self.labels(k, key, list)
            .into_iter()
            .map(|(label, n)| if normalise { n } else { label.value.trim().to_owned() })
            .collect()
    }

    /// Reads one file's tables.
    fn file(&mut self, k: usize, f: &LayoutFile) {
        let titles = self.literals(k, "form.titles", &f.form.titles, true);
        self.titles.extend(titles);
        let filing = self.literals(k, "form.filing_words", &f.form.filing_words, false);
        self.filing.extend(filing);

        let fields = &f.fields;
        for (role, list, field) in [
            ("fields.name", &fields.name, Field::Name),
            ("fields.amount", &fields.amount, Field::Amount),
            ("fields.department", &fields.department, Field::Department),
            ("fields.implementer", &fields.implementer, Field::Implementer),
            ("fields.goal_expected", &fields.goal_expected, Field::GoalExpected),
            ("fields.goal_achieved", &fields.goal_achieved, Field::GoalAchieved),
            ("fields.overview", &fields.overview, Field::Overview),
            ("fields.conclusion", &fields.conclusion, Field::Conclusion),
            ("fields.problems", &fields.problems, Field::Problems),
            ("fields.improvements", &fields.improvements, Field::Improvements),
            ("fields.other", &fields.other, Field::OtherNotes),
            ("fields.grade", &fields.grade, Field::Grade),
            ("fields.ignored", &fields.ignored, Field::Ignored),
        ] {
            self.put(k, Table::Rows, role, list, RowKind::Field(field), |l| &mut l.rows);
        }
        self.put(
            k,
            Table::Rows,
            "goals.block",
            &f.goals.block,
            RowKind::GoalsBlock,
            |l| &mut l.rows,
        );
        self.put(
            k,
            Table::Rows,
            "funds.block",
            &f.funds.block,
            RowKind::FundsBlock,
            |l| &mut l.rows,
        );
        self.put(
            k,
            Table::Rows,
            "indicators.block",
            &f.indicators.block,
            RowKind::IndicatorBlock,
            |l| &mut l.rows,
        );
        self.put(k, Table::Rows, "total.labels", &f.total.labels, RowKind::Total, |l| {
            &mut l.rows
        });
        self.put(k, Table::Rows, "indicators.sum", &f.indicators.sum, RowKind::Sum, |l| {
            &mut l.rows
        });

        self.put(
            k,
            Table::GoalColumns,
            "goals.expected",
            &f.goals.expected,
            Field::GoalExpected,
            |l| &mut l.goal_columns,
        );
        self.put(
            k,
            Table::GoalColumns,
            "goals.achieved",
            &f.goals.achieved,
            Field::GoalAchieved,
            |l| &mut l.goal_columns,
        );

        self.put(
            k,
            Table::FundsRows,
            "funds.total",
            &f.funds.total,
            FundsRow::Total,
            |l| &mut l.funds_rows,
        );
        self.put(
            k,
            Table::FundsRows,
            "funds.parts",
            &f.funds.parts,
            FundsRow::Part,
            |l| &mut l.funds_rows,
        );
        for (_, n) in self.labels(k, "funds.part_prefixes", &f.funds.part_prefixes) {
            if !self.out.part_prefixes.iter().any(|p| p.as_ref() == n) {
                self.out.part_prefixes.push(n.into_boxed_str());
            }
        }
        let fc = &f.funds.columns;
        for (list, col) in [
            (&fc.initial, FundsCol::Initial),
            (&fc.adjusted, FundsCol::Adjusted),
            (&fc.executed, FundsCol::Executed),
            (&fc.weight, FundsCol::Weight),
            (&fc.rate, FundsCol::Rate),
            (&fc.score, FundsCol::Score),
            (&fc.note, FundsCol::Note),
        ] {
            self.put(k, Table::FundsColumns, funds_role(col), list, col, |l| {
                &mut l.funds_columns
            });
        }
        let ic = &f.indicators.columns;
        for (list, col) in [
            (&ic.level1, IndCol::Level1),
            (&ic.level2, IndCol::Level2),
            (&ic.name, IndCol::Name),
            (&ic.comparator, IndCol::Comparator),
            (&ic.target, IndCol::Target),
            (&ic.unit, IndCol::Unit),
            (&ic.actual, IndCol::Actual),
            (&ic.weight, IndCol::Weight),
            (&ic.score, IndCol::Score),
            (&ic.note, IndCol::Note),
        ] {
            self.put(k, Table::IndicatorColumns, indicator_role(col), list, col, |l| {
                &mut l.indicator_columns
            });
        }
        self.put(
            k,
            Table::Levels,
            "indicators.level1",
            &f.indicators.level1,
            Level::One,
            |l| &mut l.levels,
        );
        self.put(
            k,
            Table::Levels,
            "indicators.level2",
            &f.indicators.level2,
            Level::Two { promotable: false },
            |l| &mut l.levels,
        );
        for (label, _) in self.labels(
            k,
            "indicators.level1_when_level2_follows",
            &f.indicators.level1_when_level2_follows,
        ) {
            self.promotable.push((k, label.clone()));
        }
        if let Some(required) = &f.indicators.required {
            if required.value.is_empty() {
                self.error(
                    "jixiao::layout::empty",
                    k,
                    required.span.clone(),
                    "indicators.required 是空列表".to_owned(),
                    "写上指标表头必须有的列，或删除这个键（不作要求）",
                );
            } else {
                let mut set: Vec<IndCol> = Vec::new();
                for role in &required.value {
                    let col = match role.value {
                        IndicatorRole::Level1 => IndCol::Level1,
                        IndicatorRole::Level2 => IndCol::Level2,
                        IndicatorRole::Comparator => IndCol::Comparator,
                        IndicatorRole::Target => IndCol::Target,
                        IndicatorRole::Unit => IndCol::Unit,
                        IndicatorRole::Actual => IndCol::Actual,
                        IndicatorRole::Weight => IndCol::Weight,
                        IndicatorRole::Score => IndCol::Score,
                        IndicatorRole::Note => IndCol::Note,
                    };
                    if !set.contains(&col) {
                        set.push(col);
                    }
                }
                if !self.out.required.contains(&set) {
                    self.out.required.push(set);
                }
            }
        }
        self.put_set(k, "total.grades", &f.total.grades, true, |l| &mut l.grades);
        self.put_set(k, "values.not_applicable", &f.values.not_applicable, false, |l| {
            &mut l.not_applicable
        });
        self.put_set(k, "markers.no_indicator", &f.markers.no_indicator, true, |l| {
            &mut l.no_indicator
        });

        let p = &f.parentheses;
        for (kind, list) in [
            (ParenKind::Letter, &p.letter),
            (ParenKind::Unit, &p.unit),
            (ParenKind::Weight, &p.weight),
            (ParenKind::Formula, &p.formula),
        ] {
            let compiled = self.patterns(
                k,
                &format!("parentheses.{}", kind.key()),
                list,
                kind == ParenKind::Weight,
            );
            let i = ParenKind::ALL.iter().position(|x| *x == kind).unwrap_or(0);
            if let Some(slot) = self.out.parens.get_mut(i) {
                slot.extend(compiled.into_iter().map(|(r, _)| r));
            }
        }
        let m = &f.markers;
        let prefixes = self.patterns(k, "markers.name_prefixes", &m.name_prefixes, false);
        self.name_prefixes.extend(prefixes.into_iter().map(|(_, s)| s));
        let unfilled = self.patterns(k, "markers.unfilled", &m.unfilled, false);
        self.unfilled.extend(unfilled.into_iter().map(|(_, s)| s));
        let rows = self.patterns(k, "markers.template_rows", &m.template_rows, false);
        self.template_rows.extend(rows.into_iter().map(|(_, s)| s));

        if let Some(ops) = &f.values.operators {
            if ops.value.is_empty() {
                self.error(
                    "jixiao::layout::empty",
                    k,
                    ops.span.clone(),
                    "values.operators 是空表".to_owned(),
                    "写上比较符号及其写法，或删除这个键",
                );
            }
            for (canonical, spellings) in &ops.value {
                if spellings.is_empty() || canonical.trim().is_empty() {
                    let span = find_span(&self.sources, k, canonical, ops.span.start);
                    self.error(
                        "jixiao::layout::empty",
                        k,
                        span,
                        format!("values.operators 中“{canonical}”没有写法"),
                        "写上至少一种写法，如 \"≥\" = [\">=\"]",
                    );
                }
                for spelling in spellings {
                    let s = spelling.value.trim();
                    if s.is_empty() {
                        self.error(
                            "jixiao::layout::empty",
                            k,
                            spelling.span.clone(),
                            "values.operators 中有空的写法".to_owned(),
                            "删除这个空字符串",
                        );
                        continue;
                    }
                    let role: &'static str = match canonical.trim() {
                        "≥" => "values.operators.≥",
                        "≤" => "values.operators.≤",
                        "=" => "values.operators.=",
                        ">" => "values.operators.>",
                        "<" => "values.operators.<",
                        other => {
                            let span = find_span(&self.sources, k, other, ops.span.start);
                            self.error(
                                "jixiao::layout::operator",
                                k,
                                span,
                                format!("“{other}”不是比较符号；标准写法只有 ≥ ≤ = > <"),
                                "把其他写法列在标准写法之下，如 \"≥\" = [\">=\", \"≧\"]",
                            );
                            break;
                        }
                    };
                    if self.claim(Table::Operators, role, k, spelling, s)
                        && !self.out.operators.iter().any(|(sp, _)| sp.as_ref() == s)
                    {
                        self.out.operators.push((
                            s.to_owned().into_boxed_str(),
                            canonical.trim().to_owned().into_boxed_str(),
                        ));
                    }
                }
            }
        }

        if let Some(&family) = self.file_family.get(&k) {
            let signature = self.labels(k, "layout.signature", &f.layout.signature);
            for (label, n) in signature {
                let n = n.strip_suffix(':').unwrap_or(&n).to_owned();
                let owners = self.out.signature.entry_or_default(n.clone());
                if !owners.contains(&family) {
                    owners.push(family);
                }
                if owners.len() > 1 {
                    let others: Vec<String> = owners
                        .iter()
                        .filter(|&&o| o != family)
                        .filter_map(|&o| self.out.families.get(o).map(|f| f.id.clone()))
                        .collect();
                    self.warning(
                        "jixiao::layout::signature",
                        k,
                        label.span.clone(),
                        format!(
                            "特征标签“{}”也是格式 {} 的特征标签，不能用来区分这两种格式",
                            label.value,
                            others.join("、")
                        ),
                        "特征标签应只出现在本格式的表中；删除它，或换一个只有本格式才有的标签",
                    );
                }
            }
            let has_signature = !entries(&f.layout.signature).is_empty();
            let fallback = self.out.families.get(family).is_some_and(|fam| fam.fallback);
            if !has_signature && !fallback {
                self.warning(
                    "jixiao::layout::signature",
                    k,
                    f.layout.family.span.clone(),
                    format!(
                        "格式“{}”没有特征标签（signature），导入的表永远不会记为这个格式",
                        f.layout.family.value
                    ),
                    "在 [layout] 中写 signature = [\"…\"]：只在这个格式的表中出现的标签",
                );
            }
        }
    }

    /// What can only be checked or built once every file is read.
    fn finish(&mut self, parsed: &[(usize, LayoutFile)]) {
        for (k, label) in std::mem::take(&mut self.promotable) {
            let n = norm(&label.value).into_owned();
            match self.out.levels.get_mut(n.as_str()) {
                Some(Level::Two { promotable }) => *promotable = true,
                _ => self.error(
                    "jixiao::layout::promotable",
                    k,
                    label.span.clone(),
                    format!("“{}”没有列在任何格式的 indicators.level2 中", label.value),
                    "level1_when_level2_follows 中的名称必须同时是二级指标名称：把它加进 indicators.level2",
                ),
            }
        }
        if !parsed.is_empty() && !self.out.families.iter().any(|f| f.fallback) {
            let k = parsed.first().map_or(0, |(k, _)| *k);
            self.warning(
                "jixiao::layout::fallback",
                k,
                0..0,
                "没有默认格式（fallback = true）：没有特征标签的表不记录格式".to_owned(),
                "在全国通用格式的文件中写 fallback = true",
            );
        }
        let escaped = |items: &[String]| items.iter().map(|t| regex::escape(t)).collect::<Vec<_>>().join("|");
        self.out.titles = combine(&escaped(&self.titles), "", "");
        self.out.filing_words = combine(&escaped(&self.filing), "", "");
        let alternatives = |items: &[String]| items.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
        self.out.name_prefixes = combine(&alternatives(&self.name_prefixes), "^(?:", ")");
        self.out.unfilled = combine(&alternatives(&self.unfilled), "", "");
        self.out.template_rows = combine(&alternatives(&self.template_rows), "^(?:", ")$");
        self.out
            .operators
            .sort_by_key(|(spelling, _)| std::cmp::Reverse(spelling.len()));
        let mut chars: Vec<char> = self
            .out
            .operators
            .iter()
            .filter_map(|(s, _)| s.chars().next())
            .collect();
        chars.sort_unstable();
        chars.dedup();
        self.out.operator_chars = chars;
    }
}

/// One pattern from alternatives (`None` when there are none); each alternative compiled alone
/// already, so the whole compiles too.
fn combine(alternatives: &str, before: &str, after: &str) -> Option<Regex> {
    if alternatives.is_empty() {
        return None;
    }
    Regex::new(&format!("{before}{alternatives}{after}")).ok()
}

/// Byte span of `needle` in source `k` at or after `from` (for map keys, which TOML does not
/// locate for serde).
fn find_span(sources: &[Arc<str>], k: usize, needle: &str, from: usize) -> std::ops::Range<usize> {
    sources
        .get(k)
        .and_then(|t| t.get(from..))
        .and_then(|t| t.find(needle))
        .map_or(from..from, |i| from + i..from + i + needle.len())
}

/// The key path of a funds column role, for messages.
fn funds_role(col: FundsCol) -> &'static str {
    match col {
        FundsCol::Initial => "funds.columns.initial",
        FundsCol::Adjusted => "funds.columns.adjusted",
        FundsCol::Executed => "funds.columns.executed",
        FundsCol::Weight => "funds.columns.weight",
        FundsCol::Rate => "funds.columns.rate",
        FundsCol::Score => "funds.columns.score",
        FundsCol::Note => "funds.columns.note",
    }
}

/// The key path of an indicator column role, for messages.
fn indicator_role(col: IndCol) -> &'static str {
    match col {
        IndCol::Level1 => "indicators.columns.level1",
        IndCol::Level2 => "indicators.columns.level2",
        IndCol::Name => "indicators.columns.name",
        IndCol::Comparator => "indicators.columns.comparator",
        IndCol::Target => "indicators.columns.target",
        IndCol::Unit => "indicators.columns.unit",
        IndCol::Actual => "indicators.columns.actual",
        IndCol::Weight => "indicators.columns.weight",
        IndCol::Score => "indicators.columns.score",
        IndCol::Note => "indicators.columns.note",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use std::borrow::Cow;

    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn labels_normalise() {
        let l = embedded();
        assert_eq!(norm(" 项目资金 (元)"), "项目资金(元)");
        assert_eq!(norm("产出指标（50分）"), "产出指标(50分)");
        assert_eq!(l.indicator_column("指标值(A)"), Some(IndCol::Target));
        assert_eq!(l.field("项目名称:"), Some(Field::Name));
    }

    #[test]
    fn parentheses_carry_letters_units_weights_and_formulas() {
        let l = embedded();
        assert_eq!(l.funds_column("调整预算数(A)"), Some(FundsCol::Adjusted));
        assert_eq!(l.funds_column("执行率(B/A)"), Some(FundsCol::Rate));
        assert_eq!(l.funds_column("得分(20分*执行率)"), Some(FundsCol::Score));
        assert_eq!(l.funds_column("得分(备注)"), None);
        let block = l.funds_block("预算执行情况(万元)(20分)").unwrap();
        assert_eq!((block.base, block.unit), ("预算执行情况", Some("万元")));
        assert_eq!(l.funds_block("项目资金(元)").unwrap().unit, Some("元"));
        assert_eq!(l.funds_block("资金情况").unwrap().unit, None);
        assert_eq!(l.split_weight("产出指标(50分)"), ("产出指标", Some(Decimal::from(50))));
        assert_eq!(l.split_weight("满意度指标(服务对象)"), ("满意度指标(服务对象)", None));
        assert!(l.is_level2("满意度指标(服务对象)"));
        assert!(l.is_indicator_block("年度绩效目标1(80分)"));
        assert_eq!(l.declared_points("预算执行情况(万元)(20分)"), Some(Decimal::from(20)));
        assert_eq!(l.declared_points("得分(20分*执行率)"), Some(Decimal::from(20)));
        assert_eq!(l.declared_points("年度绩效目标1(80分)"), Some(Decimal::from(80)));
        assert_eq!(l.declared_points("执行率(B/A)"), None);
        assert_eq!(l.declared_points("项目资金(万元)"), None);
        assert!(l.has_unfilled_placeholder("农村低保发放人数(按月平均)(≥**人)"));
        assert!(!l.has_unfilled_placeholder("农村低保发放人数(按月平均)"));
        assert!(l.is_template_row("指标2："));
        assert_eq!(l.indicator_column("档案整理数量(件)"), None);
    }

    #[test]
    fn names_lose_marks_and_unfilled_placeholders() {
        let l = embedded();
        let c = l.clean_name("★★★农村低保发放人数(按月平均)(≥**人)");
        assert_eq!(c.name, "农村低保发放人数(按月平均)");
        assert_eq!(c.removed, ["★★★", "(≥**人)"]);
        assert_eq!(
            l.clean_name("扶贫临时救助标准(<**元/户·年)——一户年最高5300元").name,
            "扶贫临时救助标准——一户年最高5300元"
        );
        assert_eq!(
            l.clean_name("★★★受益建档立卡贫困人口数≥**人").name,
            "受益建档立卡贫困人口数"
        );
        assert_eq!(l.clean_name("受助对象满意度(>=**%)").name, "受助对象满意度");
        assert_eq!(l.clean_name("指标1:居民健康档案").name, "居民健康档案");
        assert_eq!(l.clean_name("指标1工程资金金额").name, "工程资金金额");
        let kept = l.clean_name("指标2");
        assert!(kept.removed.is_empty() && kept.name == "指标2");
        assert!(l.is_template_row("指标2") && l.is_template_row("……") && !l.is_template_row("指标2工程"));
        let plain = l.clean_name("档案整理数量（件）");
        assert!(matches!(plain.name, Cow::Borrowed(_)) && plain.removed.is_empty());
        assert_eq!(l.canonical_operators("≧5 ═ 3 >= 2"), "≥5 = 3 ≥ 2");
    }

    #[test]
    fn a_header_without_a_weight_column_satisfies_the_hubei_layout_only() {
        let l = embedded();
        let missing = |cols: &[IndCol]| l.missing_indicator_column(|c| cols.contains(&c));
        use IndCol::{Actual, Score, Target, Weight};
        assert_eq!(missing(&[Target, Actual, Weight, Score]), None);
        assert_eq!(
            missing(&[Target, Actual, Score]),
            None,
            "the Hubei template has no 分值 column"
        );
        assert_eq!(missing(&[Target, Actual, Weight]), Some(Score));
        assert_eq!(missing(&[Actual, Weight, Score]), Some(Target));
    }

    #[test]
    fn the_family_with_most_signature_labels_wins_and_variants_win_ties() {
        let l = embedded();
        let pick = |labels: &[&str]| l.choose_family(labels).unwrap().family.id.clone();
        assert_eq!(pick(&[]), "central");
        assert_eq!(pick(&["项目金额"]), "shenzhen");
        assert_eq!(pick(&["调整后预算数", "指标性质"]), "sichuan");
        assert_eq!(
            pick(&["评价等级"]),
            "central",
            "a variant counts its parent's labels only when its own show"
        );
        assert_eq!(pick(&["评价等级", "项目金额"]), "shenzhen");
        let choice = l.choose_family(&["项目金额", "调整后预算数", "评价等级"]).unwrap();
        assert_eq!(
            (choice.family.id.as_str(), choice.seen.as_slice()),
            ("shenzhen", &[0, 2][..])
        );
        assert_eq!(l.signature_label("调整后预算数(A)"), Some("调整后预算数"));
        assert_eq!(l.signature_label("890000.00"), None);
        assert_eq!(l.signature_label("其中:本年财政拨款"), Some("本年财政拨款"));
    }

    /// Every header the seven real forms write, as written, read by the shipped layouts.
    #[test]
    fn the_real_forms_headers_are_read() {
        let l = embedded();
        for (header, role) in [
            ("调整预算数(A)", FundsCol::Adjusted),
            ("全年预算数(A)", FundsCol::Adjusted),
            ("全年执行数(B)", FundsCol::Executed),
            ("预算数(A)", FundsCol::Adjusted),
            ("执行数(B)", FundsCol::Executed),
            ("执行率(B/A)", FundsCol::Rate),
            ("得分 (20分*执行率)", FundsCol::Score),
            ("调整后预算数", FundsCol::Adjusted),
            ("预算执行数", FundsCol::Executed),
            ("预算执行率", FundsCol::Rate),
            ("权重", FundsCol::Weight),
        ] {
            assert_eq!(l.funds_column(&norm(header)), Some(role), "{header}");
        }
        for header in [
            "资金情况(万元)",
            "预算执行情况(万元) (20分)",
            "项目资金（万元）",
            "项目资金 (元)",
        ] {
            assert!(l.is_funds_block_label(&norm(header)), "{header}");
        }
        for (header, role) in [
            ("年初目标值(A)", IndCol::Target),
            ("实际完成值(B)", IndCol::Actual),
            ("全年实际值(B)", IndCol::Actual),
            ("指标值(A)", IndCol::Target),
            ("未完成原因分析及改进措施", IndCol::Note),
            ("未完成原因及拟采取的改进措施", IndCol::Note),
            ("指标性质", IndCol::Comparator),
            ("指标值", IndCol::Target),
            ("度量单位", IndCol::Unit),
            ("权重", IndCol::Weight),
            ("分值", IndCol::Weight),
        ] {
            assert_eq!(l.indicator_column(&norm(header)), Some(role), "{header}");
        }
        assert!(l.is_indicator_block(&norm("年度绩效目标1 (80分)")));
        assert_eq!(l.field(&norm("年初设定目标")), Some(Field::GoalExpected));
        assert!(l.is_funds_total(&norm("年度资金总额:")) && l.is_funds_total("年度财政资金总额"));
        assert!(l.is_level1("项目管理") && l.is_level2("投入管理") && l.is_level2("环境效益"));
        assert_eq!(l.strip_part_prefix(&norm("其中：本年财政拨款")), "本年财政拨款");
        assert!(l.is_funds_part("本年财政拨款"));
    }

    #[test]
    fn the_shipped_layouts_are_clean_and_named_after_their_files() {
        let sources = embedded_sources();
        let analysis = analyse(&sources);
        assert!(analysis.diagnostics.is_empty(), "{:#?}", analysis.diagnostics);
        let ids: Vec<&str> = analysis.layouts.families().iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["central", "hubei", "shenzhen", "sichuan", "yinchuan"]);
        for (source, family) in sources.iter().zip(analysis.layouts.families()) {
            assert_eq!(source.name, format!("{EMBEDDED_FOLDER}/{}.toml", family.id));
        }
    }
}
