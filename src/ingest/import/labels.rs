//! What the importer asks of the loaded layouts: which block, column or row a label names, what
//! a header's parentheses carry, which cells mean “not applicable”, which marks an indicator
//! name carries, and which layout family a form's signature labels point to.
//!
//! The tables themselves are data — the layout files under `rules/layouts/` and an office's own
//! (`--layouts`), read, checked and compiled by [`crate::ingest::layout`] into one [`Layouts`],
//! the union of every loaded file: a form that mixes families still imports. This module owns
//! the lookups, each a hash lookup (never a scan over strings per cell), and the one label
//! comparison rule, [`norm`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use ahash::RandomState;
use regex::Regex;
use rust_decimal::Decimal;

use super::value::parse_decimal;

/// Normalises a label for comparison: drops all whitespace (including U+3000), maps `（）：` to
/// `():`. Borrows when nothing changes (the common case). Layout files' labels are normalised
/// the same way when they are loaded.
pub fn norm(s: &str) -> Cow<'_, str> {
    let s = s.trim();
    if s.chars()
        .all(|c| !c.is_whitespace() && !matches!(c, '（' | '）' | '：'))
    {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                '：' => ':',
                other => other,
            })
            .collect(),
    )
}

/// Columns of the funds (项目资金) header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundsCol {
    /// 年初预算数.
    Initial,
    /// 全年预算数 / 调整后预算数.
    Adjusted,
    /// 全年执行数 / 预算执行数.
    Executed,
    /// 分值 / 权重.
    Weight,
    /// 执行率 / 预算执行率.
    Rate,
    /// 得分.
    Score,
    /// 原因.
    Note,
}

/// Columns of the indicator header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IndCol {
    /// 一级指标.
    Level1,
    /// 二级指标.
    Level2,
    /// 三级指标 (the indicator name).
    Name,
    /// 指标性质 (Sichuan comparator column).
    Comparator,
    /// 年度指标值 / 指标值.
    Target,
    /// 度量单位.
    Unit,
    /// 实际完成值 / 完成值.
    Actual,
    /// 分值 / 权重.
    Weight,
    /// 得分.
    Score,
    /// 偏差原因分析及改进措施 / 未完成原因分析.
    Note,
}

impl IndCol {
    /// Chinese name for messages.
    pub fn label(self) -> &'static str {
        match self {
            IndCol::Level1 => "一级指标",
            IndCol::Level2 => "二级指标",
            IndCol::Name => "三级指标",
            IndCol::Comparator => "指标性质",
            IndCol::Target => "指标值",
            IndCol::Unit => "度量单位",
            IndCol::Actual => "完成值",
            IndCol::Weight => "分值",
            IndCol::Score => "得分",
            IndCol::Note => "偏差原因",
        }
    }
}

/// Fields a label/value row can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// 项目名称.
    Name,
    /// 项目金额.
    Amount,
    /// 主管部门.
    Department,
    /// 实施单位.
    Implementer,
    /// 项目年度目标 (Sichuan) → goals.expected.
    GoalExpected,
    /// 年度目标完成情况 (Sichuan) → goals.achieved.
    GoalAchieved,
    /// 项目实施内容及过程概述.
    Overview,
    /// 评价结论.
    Conclusion,
    /// 存在问题.
    Problems,
    /// 改进措施.
    Improvements,
    /// 其他需要说明事项 → narrative.other.
    OtherNotes,
    /// 等级 / 评价等级.
    Grade,
    /// A label the importer knows but does not read (项目负责人, 联系电话 …): the label and its
    /// value are listed as unmapped with a reason.
    Ignored,
}

/// What the first cell of a row says the row is (a label/value row, or the start of a block).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A label/value row filling a field.
    Field(Field),
    /// The 年度总体目标 block.
    GoalsBlock,
    /// The funds block label (项目资金 …).
    FundsBlock,
    /// The indicator block label (年度绩效指标 …).
    IndicatorBlock,
    /// The 总分 row.
    Total,
    /// The indicator table's 合计 row.
    Sum,
}

/// A funds row label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundsRow {
    /// 年度资金总额.
    Total,
    /// A 其中 row.
    Part,
}

/// A 一级/二级 indicator label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A 一级指标.
    One,
    /// A 二级指标; `promotable` when it is read as a 一级指标 if a 二级 label follows it
    /// (成本指标 in the 2021+ national template).
    Two {
        /// Read as 一级 when a 二级 label follows.
        promotable: bool,
    },
}

/// What one pair of trailing parentheses of a header carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParenKind {
    /// A column letter or letter formula: `(A)`, `(B/A)`.
    Letter,
    /// An amount unit: `(万元)`.
    Unit,
    /// Points: `(50分)`.
    Weight,
    /// A scoring formula: `(20分*执行率)`.
    Formula,
}

impl ParenKind {
    /// Every kind, in the order they are tried.
    pub const ALL: [ParenKind; 4] = [
        ParenKind::Letter,
        ParenKind::Unit,
        ParenKind::Weight,
        ParenKind::Formula,
    ];

    /// The key naming this kind in a layout file's `[parentheses]`.
    pub fn key(self) -> &'static str {
        match self {
            ParenKind::Letter => "letter",
            ParenKind::Unit => "unit",
            ParenKind::Weight => "weight",
            ParenKind::Formula => "formula",
        }
    }
}

/// One layout family as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// Family id (`central`, `sichuan`, … or an office's own).
    pub id: String,
    /// Its title, in Chinese.
    pub title: String,
    /// The family it is a variant of (index into [`Layouts::families`]).
    pub parent: Option<usize>,
    /// Recorded when a form shows no family's signature label.
    pub fallback: bool,
}

/// The first characters of a table's labels, one bit per character of the Basic Multilingual
/// Plane: most cells (numbers, sentences) are ruled out before any hashing.
#[derive(Clone, Default)]
pub(crate) struct FirstChars {
    bits: Vec<u64>,
    astral: bool,
}

impl FirstChars {
    /// Notes the first character of a (normalised) label.
    fn insert(&mut self, label: &str) {
        let Some(c) = label.chars().next() else { return };
        let i = c as usize;
        if i >= 1 << 16 {
            self.astral = true;
            return;
        }
        if self.bits.is_empty() {
            self.bits = vec![0; (1 << 16) / 64];
        }
        if let Some(word) = self.bits.get_mut(i / 64) {
            *word |= 1 << (i % 64);
        }
    }

    /// False when no label starts like `text` (its first character folded as [`norm`] folds).
    fn may_start(&self, text: &str) -> bool {
        let c = match text.chars().find(|c| !c.is_whitespace()) {
            Some('（') => '(',
            Some('：') => ':',
            Some(c) => c,
            None => return false,
        };
        let i = c as usize;
        if i >= 1 << 16 {
            return self.astral;
        }
        self.bits.get(i / 64).is_some_and(|word| word & (1 << (i % 64)) != 0)
    }
}

/// Labels (normalised) → what they name, hashed with ahash behind a first-character filter:
/// these are looked up for nearly every cell.
#[derive(Clone)]
pub(crate) struct LabelMap<T> {
    map: HashMap<Box<str>, T, RandomState>,
    first: FirstChars,
}

impl<T> Default for LabelMap<T> {
    fn default() -> Self {
        LabelMap {
            map: HashMap::default(),
            first: FirstChars::default(),
        }
    }
}

impl<T> LabelMap<T> {
    /// Adds a label (keeping what it named when it was already there).
    pub(crate) fn insert(&mut self, label: String, value: T) {
        self.first.insert(&label);
        self.map.entry(label.into_boxed_str()).or_insert(value);
    }

    /// What a label names.
    pub(crate) fn get(&self, label: &str) -> Option<&T> {
        if !self.first.may_start(label) {
            return None;
        }
        self.map.get(label)
    }

    /// What a label names, and the label as the table holds it.
    pub(crate) fn get_key_value(&self, label: &str) -> Option<(&str, &T)> {
        if !self.first.may_start(label) {
            return None;
        }
        self.map.get_key_value(label).map(|(k, v)| (k.as_ref(), v))
    }

    /// What a label names, to change it.
    pub(crate) fn get_mut(&mut self, label: &str) -> Option<&mut T> {
        self.map.get_mut(label)
    }

    /// True for a label of the table.
    pub(crate) fn contains_key(&self, label: &str) -> bool {
        self.get(label).is_some()
    }

    /// What a label names, added as `T::default()` when absent.
    pub(crate) fn entry_or_default(&mut self, label: String) -> &mut T
    where
        T: Default,
    {
        self.first.insert(&label);
        self.map.entry(label.into_boxed_str()).or_default()
    }
}

/// A set of normalised labels.
pub(crate) type LabelSet = LabelMap<()>;

/// Every loaded layout file compiled into one set of lookup tables: the union of their labels,
/// patterns and markers. Built once per run ([`crate::ingest::layout::load`], or the embedded
/// set [`crate::ingest::layout::embedded`]) and shared by every form through
/// [`super::ImportOptions::layouts`].
#[derive(Clone, Default)]
pub struct Layouts {
    /// The families, in load order (embedded ones by file name, then an office's own).
    pub(crate) families: Vec<Family>,
    /// `(name, text)` of every file the tables came from, in load order.
    pub(crate) sources: Vec<(String, String)>,
    /// Title texts (`[form] titles`), any of which a title cell contains.
    pub(crate) titles: Option<Regex>,
    /// Words of a filing note (`[form] filing_words`), matched anywhere in a cell.
    pub(crate) filing_words: Option<Regex>,
    /// What a row's first cell says the row is: `[fields]`, the block labels, 总分, 合计.
    pub(crate) rows: LabelMap<RowKind>,
    /// Sub-headers of the goals block (`[goals] expected / achieved`).
    pub(crate) goal_columns: LabelMap<Field>,
    /// Funds row labels (`[funds] total / parts`).
    pub(crate) funds_rows: LabelMap<FundsRow>,
    /// Prefixes of 其中 rows (`[funds] part_prefixes`).
    pub(crate) part_prefixes: Vec<Box<str>>,
    /// Funds column headers (`[funds.columns]`).
    pub(crate) funds_columns: LabelMap<FundsCol>,
    /// Indicator column headers (`[indicators.columns]`).
    pub(crate) indicator_columns: LabelMap<IndCol>,
    /// 一级 and 二级 indicator labels (`[indicators] level1 / level2`).
    pub(crate) levels: LabelMap<Level>,
    /// Column sets an indicator header must hold, one per layout that states one.
    pub(crate) required: Vec<Vec<IndCol>>,
    /// Grades as written (`[total] grades`).
    pub(crate) grades: LabelSet,
    /// Cells meaning “not applicable” (`[values] not_applicable`), compared trimmed.
    pub(crate) not_applicable: LabelSet,
    /// Names meaning “no indicator here” (`[markers] no_indicator`).
    pub(crate) no_indicator: LabelSet,
    /// Patterns per parenthesis kind, in [`ParenKind::ALL`] order.
    pub(crate) parens: [Vec<Regex>; 4],
    /// Operator spelling → canonical operator, longest spelling first.
    pub(crate) operators: Vec<(Box<str>, Box<str>)>,
    /// First characters of every operator spelling: a name without any needs no rewriting.
    pub(crate) operator_chars: Vec<char>,
    /// Name prefixes, combined into one pattern anchored at the start.
    pub(crate) name_prefixes: Option<Regex>,
    /// Unfilled placeholders, combined into one pattern.
    pub(crate) unfilled: Option<Regex>,
    /// Unfilled template rows, combined into one pattern matching a whole name.
    pub(crate) template_rows: Option<Regex>,
    /// Signature label → the families (indices) whose signature it is.
    pub(crate) signature: LabelMap<Vec<usize>>,
}

impl fmt::Debug for Layouts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layouts")
            .field(
                "families",
                &self.families.iter().map(|fam| fam.id.as_str()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Two sets of layouts are equal when they were compiled from the same files.
impl PartialEq for Layouts {
    fn eq(&self, other: &Self) -> bool {
        self.sources == other.sources
    }
}

impl Eq for Layouts {}

/// A header recognised by its label once its trailing parentheses are set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderLabel<'a> {
    /// The label without the parentheses.
    pub base: &'a str,
    /// The amount unit a `(万元)` states.
    pub unit: Option<&'a str>,
}

/// An indicator name with the layouts' marks and unfilled placeholders taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanName<'a> {
    /// The name to record: as written when nothing was taken out.
    pub name: Cow<'a, str>,
    /// What was taken out, in order (empty when nothing was).
    pub removed: Vec<String>,
}

/// The layout family chosen for a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyChoice<'l> {
    /// The family.
    pub family: &'l Family,
    /// Indices into the seen labels of those that are this family's signature labels.
    pub seen: Vec<usize>,
}

impl Layouts {
    /// The families loaded, in load order.
    pub fn families(&self) -> &[Family] {
        &self.families
    }

    /// `(name, text)` of every file the tables were compiled from, in load order.
    pub fn sources(&self) -> &[(String, String)] {
        &self.sources
    }

    /// True when a (normalised) first cell starts a form: it contains a title.
    pub fn is_title(&self, n: &str) -> bool {
        self.titles.as_ref().is_some_and(|r| r.is_match(n))
    }

    /// True for text above a form that carries a filing note ("填报日期：…"), whose dates are
    /// never the budget year.
    pub fn is_filing_note(&self, text: &str) -> bool {
        self.filing_words.as_ref().is_some_and(|r| r.is_match(text))
    }

    fn row_kind(&self, n: &str) -> Option<RowKind> {
        self.rows.get(n).copied()
    }

    /// Looks up a label/value label; a trailing colon is ignored ("项目名称：").
    pub fn field(&self, n: &str) -> Option<Field> {
        match self.row_kind(n.strip_suffix(':').unwrap_or(n)) {
            Some(RowKind::Field(f)) => Some(f),
            _ => None,
        }
    }

    /// True for the 年度总体目标 block label.
    pub fn is_goals_block(&self, n: &str) -> bool {
        self.row_kind(n) == Some(RowKind::GoalsBlock)
    }

    /// A sub-header of the goals block: 预期目标 → [`Field::GoalExpected`], 实际完成情况 →
    /// [`Field::GoalAchieved`].
    pub fn goal_column(&self, n: &str) -> Option<Field> {
        self.goal_columns.get(n).copied()
    }

    /// The 总分 row label.
    pub fn is_total_label(&self, n: &str) -> bool {
        self.row_kind(n) == Some(RowKind::Total)
    }

    /// The indicator table's 合计 row label.
    pub fn is_sum_label(&self, n: &str) -> bool {
        self.row_kind(n) == Some(RowKind::Sum)
    }

    /// Grades as written ("优", "良好").
    pub fn is_grade(&self, text: &str) -> bool {
        self.grades.contains_key(norm(text).as_ref())
    }

    /// The funds block label ("项目资金 (元)", "资金情况(万元)", "预算执行情况(万元)(20分)"), with the
    /// unit its parentheses state.
    pub fn funds_block<'a>(&self, n: &'a str) -> Option<HeaderLabel<'a>> {
        if self.row_kind(n) == Some(RowKind::FundsBlock) {
            return Some(HeaderLabel { base: n, unit: None });
        }
        self.header(n, |base| self.row_kind(base) == Some(RowKind::FundsBlock))
    }

    /// True when a cell opens the funds block.
    pub fn is_funds_block_label(&self, n: &str) -> bool {
        self.funds_block(n).is_some()
    }

    /// Looks up a funds column header; "全年预算数(A)" and "得分(20分*执行率)" match by their label.
    pub fn funds_column(&self, n: &str) -> Option<FundsCol> {
        if let Some(c) = self.funds_columns.get(n) {
            return Some(*c);
        }
        let header = self.header(n, |base| self.funds_columns.contains_key(base))?;
        self.funds_columns.get(header.base).copied()
    }

    /// The funds row label without its 其中 prefix ("其中：当年财政拨款" → "当年财政拨款").
    pub fn strip_part_prefix<'a>(&self, n: &'a str) -> &'a str {
        for prefix in &self.part_prefixes {
            if let Some(rest) = n.strip_prefix(prefix.as_ref()) {
                return rest.strip_prefix(':').unwrap_or(rest);
            }
        }
        n
    }

    fn funds_row(&self, label: &str) -> Option<FundsRow> {
        self.funds_rows
            .get(label)
            .or_else(|| self.funds_rows.get(label.strip_suffix(':')?))
            .copied()
    }

    /// True for the funds total row label ("年度资金总额", "总额"; a trailing colon is ignored).
    pub fn is_funds_total(&self, label: &str) -> bool {
        self.funds_row(label) == Some(FundsRow::Total)
    }

    /// True for a known 其中 row label (or one still starting with a 其中 prefix): such a row is
    /// a funds row even without amounts.
    pub fn is_funds_part(&self, label: &str) -> bool {
        self.funds_row(label) == Some(FundsRow::Part)
            || self.part_prefixes.iter().any(|p| label.starts_with(p.as_ref()))
    }

    /// Looks up an indicator column header; "指标值(A)" and "全年实际值(B)" match by their label.
    pub fn indicator_column(&self, n: &str) -> Option<IndCol> {
        if let Some(c) = self.indicator_columns.get(n) {
            return Some(*c);
        }
        let header = self.header(n, |base| self.indicator_columns.contains_key(base))?;
        self.indicator_columns.get(header.base).copied()
    }

    /// True for the indicator block label in the header row's first column ("年度绩效指标",
    /// "年度绩效目标1 (80分)").
    pub fn is_indicator_block(&self, n: &str) -> bool {
        self.row_kind(n) == Some(RowKind::IndicatorBlock)
            || self
                .header(n, |base| self.row_kind(base) == Some(RowKind::IndicatorBlock))
                .is_some()
    }

    /// True for a known 一级指标 label (after stripping a declared weight).
    pub fn is_level1(&self, base: &str) -> bool {
        self.levels.get(base) == Some(&Level::One)
    }

    /// True for a known 二级指标 label (after stripping a declared weight).
    pub fn is_level2(&self, base: &str) -> bool {
        matches!(self.levels.get(base), Some(Level::Two { .. }))
    }

    /// True for a 二级 label read as 一级 when a 二级 label follows it ("成本指标").
    pub fn is_level1_when_level2_follows(&self, base: &str) -> bool {
        self.levels.get(base) == Some(&Level::Two { promotable: true })
    }

    /// Splits a declared weight off a normalised 一级/二级 label: "产出指标(50分)" →
    /// ("产出指标", Some(50)). Only parentheses holding points count; anything else stays part
    /// of the label.
    pub fn split_weight<'a>(&self, label: &'a str) -> (&'a str, Option<Decimal>) {
        if let Some((base, inner)) = last_group(label)
            && !base.is_empty()
            && let Some(points) = self.points(ParenKind::Weight, inner)
        {
            return (base, Some(points));
        }
        (label, None)
    }

    /// The points a header's parentheses state, by the layouts' `weight` and `formula` patterns:
    /// "预算执行情况(万元)(20分)" → 20, "得分(20分*执行率)" → 20, "年度绩效目标1(80分)" → 80;
    /// `None` when no parenthesis states points.
    pub fn declared_points(&self, n: &str) -> Option<Decimal> {
        let mut rest = n;
        while let Some((before, inner)) = last_group(rest) {
            let points = self
                .points(ParenKind::Weight, inner)
                .or_else(|| self.points(ParenKind::Formula, inner));
            if points.is_some() {
                return points;
            }
            rest = before;
        }
        None
    }

    /// The first column an indicator header lacks, judged by every loaded layout's `required`
    /// set: `None` when the header satisfies any of them (or none states one); otherwise the
    /// first missing column of the set it comes closest to.
    pub fn missing_indicator_column(&self, has: impl Fn(IndCol) -> bool) -> Option<IndCol> {
        let mut best: Option<(usize, IndCol)> = None;
        for set in &self.required {
            let missing: Vec<IndCol> = set.iter().copied().filter(|c| !has(*c)).collect();
            // A set with nothing missing: the header satisfies a layout.
            let first = missing.first().copied()?;
            if best.is_none_or(|(n, _)| missing.len() < n) {
                best = Some((missing.len(), first));
            }
        }
        best.map(|(_, c)| c)
    }

    /// True for a cell meaning “not applicable” ("/", "—", …): such a cell maps to nothing and
    /// counts as consumed.
    pub fn is_not_applicable(&self, text: &str) -> bool {
        self.not_applicable.contains_key(text.trim())
    }

    /// True for an indicator name meaning “no indicator here” ("无", "/").
    pub fn is_no_indicator(&self, name: &str) -> bool {
        self.no_indicator.contains_key(norm(name).as_ref())
    }

    /// True for an unfilled template row's name ("指标2", "……"); the caller checks the row
    /// carries no value.
    pub fn is_template_row(&self, name: &str) -> bool {
        self.template_rows
            .as_ref()
            .is_some_and(|r| r.is_match(norm(name).as_ref()))
    }

    /// Rewrites every operator spelling to its canonical form ("(>=**人)" → "(≥**人)");
    /// borrows when the text holds none.
    pub fn canonical_operators<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !text.contains(self.operator_chars.as_slice()) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        'scan: while let Some(c) = rest.chars().next() {
            for (spelling, canonical) in &self.operators {
                if let Some(after) = rest.strip_prefix(spelling.as_ref()) {
                    out.push_str(canonical);
                    rest = after;
                    continue 'scan;
                }
            }
            out.push(c);
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
        }
        Cow::Owned(out)
    }

    /// True when a name holds an unfilled template placeholder ("(≥**人)") by the layouts'
    /// `unfilled` patterns.
    pub fn has_unfilled_placeholder(&self, name: &str) -> bool {
        self.unfilled
            .as_ref()
            .is_some_and(|r| r.is_match(&self.canonical_operators(name)))
    }

    /// Takes the layouts' marks (`★★★`, "指标1:") off the start of an indicator name and their
    /// unfilled placeholders ("(≥**人)") out of it. A name that would be left empty stays as
    /// written (it is then a template row or a placeholder, see [`Layouts::is_template_row`]).
    pub fn clean_name<'a>(&self, name: &'a str) -> CleanName<'a> {
        let mut removed = Vec::new();
        let mut text: Cow<'a, str> = Cow::Borrowed(name);
        if let Some(prefixes) = &self.name_prefixes {
            while let Some(m) = prefixes.find(&text).filter(|m| !m.is_empty()) {
                removed.push(m.as_str().to_owned());
                let rest = text.get(m.end()..).unwrap_or_default().to_owned();
                text = Cow::Owned(rest);
            }
        }
        if let Some(unfilled) = &self.unfilled {
            let canonical = self.canonical_operators(&text);
            if unfilled.is_match(&canonical) {
                let mut kept = String::with_capacity(canonical.len());
                let mut last = 0;
                for m in unfilled.find_iter(&canonical).filter(|m| !m.is_empty()) {
                    kept.push_str(canonical.get(last..m.start()).unwrap_or_default());
                    removed.push(m.as_str().to_owned());
                    last = m.end();
                }
                kept.push_str(canonical.get(last..).unwrap_or_default());
                text = Cow::Owned(kept);
            }
        }
        if removed.is_empty() || text.trim().is_empty() {
            return CleanName {
                name: Cow::Borrowed(name),
                removed: Vec::new(),
            };
        }
        CleanName {
            name: Cow::Owned(text.trim().to_owned()),
            removed,
        }
    }

    /// The signature label a cell states, as the layouts write it; `None` for every other
    /// cell (most are ruled out by their first character, before any hashing).
    pub fn signature_label(&self, text: &str) -> Option<&str> {
        let prefixed = || {
            self.part_prefixes
                .iter()
                .any(|p| text.trim_start().starts_with(p.as_ref()))
        };
        if !self.signature.first.may_start(text) && !prefixed() {
            return None;
        }
        let n = norm(text);
        // "年度资金总额：", "其中：本年财政拨款" name their labels too.
        let n = self.strip_part_prefix(n.strip_suffix(':').unwrap_or(&n));
        if let Some((key, _)) = self.signature.get_key_value(n) {
            return Some(key);
        }
        let (base, _) = split_groups(n);
        self.signature.get_key_value(base).map(|(key, _)| key)
    }

    /// The family a form belongs to, given the signature labels seen on it (distinct, in the
    /// order found): the family with the most of them, where a variant (`extends`) whose own
    /// signature shows also counts those of the families it extends; on a tie a variant before
    /// the family it extends, then the first loaded. With none seen, the fallback family.
    pub fn choose_family(&self, seen: &[&str]) -> Option<FamilyChoice<'_>> {
        let owners = |label: &str| self.signature.get(label).map_or(&[][..], Vec::as_slice);
        let mut own = vec![0usize; self.families.len()];
        for label in seen {
            for &f in owners(label) {
                if let Some(c) = own.get_mut(f) {
                    *c += 1;
                }
            }
        }
        let score = |i: usize| -> usize {
            if own.get(i).is_none_or(|&c| c == 0) {
                return 0;
            }
            (0..self.families.len())
                .filter(|&j| j == i || self.extends(i, j))
                .map(|j| own.get(j).copied().unwrap_or(0))
                .sum()
        };
        let scores: Vec<usize> = (0..self.families.len()).map(score).collect();
        let top = scores.iter().copied().max().unwrap_or(0);
        let index = if top == 0 {
            self.families.iter().position(|f| f.fallback)?
        } else {
            // Among the tied, the first (in load order) that no other tied family is a variant of.
            let tied: Vec<usize> = (0..scores.len()).filter(|&i| scores.get(i) == Some(&top)).collect();
            tied.iter()
                .copied()
                .find(|&i| !tied.iter().any(|&j| j != i && self.extends(j, i)))?
        };
        let family = self.families.get(index)?;
        let counts = |f: usize| top > 0 && (f == index || self.extends(index, f));
        let seen = seen
            .iter()
            .enumerate()
            .filter(|(_, label)| owners(label).iter().any(|&f| counts(f)))
            .map(|(k, _)| k)
            .collect();
        Some(FamilyChoice { family, seen })
    }

    /// True when family `a` is a variant (directly or not) of family `b`.
    fn extends(&self, a: usize, b: usize) -> bool {
        let mut at = self.families.get(a).and_then(|f| f.parent);
        for _ in 0..self.families.len() {
            match at {
                Some(p) if p == b => return true,
                Some(p) => at = self.families.get(p).and_then(|f| f.parent),
                None => return false,
            }
        }
        false
    }

    /// The points a parenthesis of `kind` states (its `points` group).
    fn points(&self, kind: ParenKind, inner: &str) -> Option<Decimal> {
        self.patterns(kind).iter().find_map(|r| {
            r.captures(inner)?
                .name("points")
                .and_then(|p| parse_decimal(p.as_str()))
        })
    }

    fn patterns(&self, kind: ParenKind) -> &[Regex] {
        let i = ParenKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        self.parens.get(i).map_or(&[], Vec::as_slice)
    }

    /// What a parenthesis holds, by the layouts' patterns.
    fn paren_kind(&self, inner: &str) -> Option<ParenKind> {
        ParenKind::ALL
            .into_iter()
            .find(|&k| self.patterns(k).iter().any(|r| r.is_match(inner)))
    }

    /// A header whose label (`n` without its trailing parentheses) passes `known`, once every
    /// trailing parenthesis is of a kind the layouts name; the patterns run only for a known
    /// label.
    fn header<'a>(&self, n: &'a str, known: impl Fn(&str) -> bool) -> Option<HeaderLabel<'a>> {
        if !n.ends_with(')') {
            return None;
        }
        let (base, _) = split_groups(n);
        if base.is_empty() || !known(base) {
            return None;
        }
        let mut unit = None;
        let mut rest = n;
        while let Some((before, inner)) = last_group(rest) {
            match self.paren_kind(inner)? {
                ParenKind::Unit => unit = unit.or(Some(inner)),
                ParenKind::Letter | ParenKind::Weight | ParenKind::Formula => {}
            }
            rest = before;
            if rest == base {
                break;
            }
        }
        Some(HeaderLabel { base, unit })
    }
}

/// The last parenthesised group of a normalised label: "得分(20分*执行率)" → ("得分", "20分*执行率").
fn last_group(label: &str) -> Option<(&str, &str)> {
    let stripped = label.strip_suffix(')')?;
    let (base, inner) = stripped.rsplit_once('(')?;
    Some((base, inner))
}

/// A normalised label without every trailing parenthesised group, and how many there were:
/// "预算执行情况(万元)(20分)" → ("预算执行情况", 2).
fn split_groups(label: &str) -> (&str, usize) {
    let mut base = label;
    let mut groups = 0;
    while let Some((before, _)) = last_group(base) {
        base = before;
        groups += 1;
    }
    (base, groups)
}
