//! Reviewer decisions: corrections of what a form says and waivers of findings, recorded by a
//! reviewer in a TOML file kept outside the form (`jixiao score --decisions FILE`).
//!
//! This module owns the decisions file format (raw TOML with spans → checked [`Decision`]s, errors
//! naming file and line:column), applying corrections to a document before scoring (what was
//! written and what replaced it are both kept), waiving findings after scoring (a waived finding
//! stays listed with `waived: true`), the [`DecisionRecord`]s a scorecard reports, and the
//! `D1` warnings for stale decisions that match nothing.
//!
//! ```toml
//! [[decision]]
//! kind = "correct"                       # 更正表中内容
//! document = "2021-0102013-信息基础设施及数据中心管理"
//! indicator = "产出指标/成本指标/项目成本（元）" # 指标名称或 一级/二级/三级 路径
//! field = "target"
//! was = "≤124000"                        # 可选：表中原来的内容，不同则不应用
//! value = "≤1240000"
//! reason = "表中说明写明年度指标值少写一个 0"
//! reviewer = "张三"
//! date = 2024-05-10
//!
//! [[decision]]
//! kind = "waive"                         # 豁免一条发现
//! document = "…"
//! code = "I6"
//! indicator = "…"                        # 可选：只豁免该指标上的发现
//! reason = "…"
//! reviewer = "…"
//! date = "2024-05-10"
//! ```

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::engine::scoring::Scorecard;
use crate::model::decision_record::{DecisionKind, DecisionRecord, quoted};
use crate::model::diagnostic::{Diagnostic, LineIndex, Loc};
use crate::model::document::EvaluationDocument;
use crate::model::findings::{Finding, Severity};
use crate::model::range;
use crate::policy::model::Located;

/// Finding code of a stale decision: one that matched nothing and changed nothing.
pub const STALE_CODE: &str = "D1";

/// A decisions file that cannot be used: the one [`Loc`] (file, line:column, the file's text),
/// what is wrong and how to fix it; [`DecisionsError::to_diagnostic`] for rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionsError {
    /// Kind of problem: `jixiao::decisions::read`, `…::toml` or `…::decision`.
    pub code: &'static str,
    /// Where: the decisions file as named on the command line, and the place in it.
    pub loc: Loc,
    /// What is wrong, in Chinese.
    pub message: String,
    /// How to fix it, in Chinese.
    pub help: Option<String>,
}

impl DecisionsError {
    /// The error as a diagnostic.
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.code, self.loc.clone(), self.message.clone()).with_help_opt(self.help.clone())
    }
}

impl fmt::Display for DecisionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_diagnostic(), f)
    }
}

impl std::error::Error for DecisionsError {}

/// Which part of the form a correctable field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A field of one indicator row (needs `indicator`).
    Indicator,
    /// A field of the funds block's total row, or of a 其中 row named by `row`.
    Funds,
    /// A field of the 总分 row.
    Total,
}

/// A field a correction may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// 年度指标值.
    Target,
    /// 实际完成值.
    Actual,
    /// Indicator 分值.
    Weight,
    /// Indicator 得分 as reported.
    ScoreReported,
    /// 偏差原因分析.
    Note,
    /// 指标性质 (comparator column).
    Comparator,
    /// 度量单位.
    Unit,
    /// Funds 年初预算数.
    FundsBudgetInitial,
    /// Funds 全年预算数.
    FundsBudgetAdjusted,
    /// Funds 全年执行数.
    FundsExecuted,
    /// Funds 分值.
    FundsWeight,
    /// Funds 执行率 as reported.
    FundsRateReported,
    /// Funds 得分 as reported.
    FundsScoreReported,
    /// Funds reason column.
    FundsNote,
    /// 总分 row full marks.
    TotalWeight,
    /// 总分 as reported.
    TotalScoreReported,
    /// 等级 as reported.
    TotalGradeReported,
    /// Note of the 总分 row.
    TotalNote,
}

/// How a field's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueType {
    /// Text that is always present (may be empty).
    Text,
    /// Text that may be absent.
    OptionalText,
    /// An exact decimal that may be absent.
    Number,
}

/// Every correctable field: key in the decisions file, scope, Chinese label, value type, and
/// the field's name in the document's JSON (for provenance).
const FIELDS: [(Field, &str, Scope, &str, ValueType, &str); 18] = [
    (
        Field::Target,
        "target",
        Scope::Indicator,
        "年度指标值",
        ValueType::Text,
        "target",
    ),
    (
        Field::Actual,
        "actual",
        Scope::Indicator,
        "实际完成值",
        ValueType::Text,
        "actual",
    ),
    (
        Field::Weight,
        "weight",
        Scope::Indicator,
        "分值",
        ValueType::Number,
        "weight",
    ),
    (
        Field::ScoreReported,
        "score_reported",
        Scope::Indicator,
        "得分（填报）",
        ValueType::Number,
        "score_reported",
    ),
    (
        Field::Note,
        "note",
        Scope::Indicator,
        "偏差原因分析",
        ValueType::OptionalText,
        "note",
    ),
    (
        Field::Comparator,
        "comparator",
        Scope::Indicator,
        "指标性质",
        ValueType::OptionalText,
        "comparator",
    ),
    (
        Field::Unit,
        "unit",
        Scope::Indicator,
        "度量单位",
        ValueType::OptionalText,
        "unit",
    ),
    (
        Field::FundsBudgetInitial,
        "funds.budget_initial",
        Scope::Funds,
        "年初预算数",
        ValueType::Number,
        "budget_initial",
    ),
    (
        Field::FundsBudgetAdjusted,
        "funds.budget_adjusted",
        Scope::Funds,
        "全年预算数",
        ValueType::Number,
        "budget_adjusted",
    ),
    (
        Field::FundsExecuted,
        "funds.executed",
        Scope::Funds,
        "全年执行数",
        ValueType::Number,
        "executed",
    ),
    (
        Field::FundsWeight,
        "funds.weight",
        Scope::Funds,
        "预算执行分值",
        ValueType::Number,
        "weight",
    ),
    (
        Field::FundsRateReported,
        "funds.rate_reported",
        Scope::Funds,
        "执行率（填报）",
        ValueType::Number,
        "rate_reported",
    ),
    (
        Field::FundsScoreReported,
        "funds.score_reported",
        Scope::Funds,
        "预算执行得分（填报）",
        ValueType::Number,
        "score_reported",
    ),
    (
        Field::FundsNote,
        "funds.note",
        Scope::Funds,
        "资金说明",
        ValueType::OptionalText,
        "note",
    ),
    (
        Field::TotalWeight,
        "total.weight",
        Scope::Total,
        "满分",
        ValueType::Number,
        "weight",
    ),
    (
        Field::TotalScoreReported,
        "total.score_reported",
        Scope::Total,
        "总分（填报）",
        ValueType::Number,
        "score_reported",
    ),
    (
        Field::TotalGradeReported,
        "total.grade_reported",
        Scope::Total,
        "等级（填报）",
        ValueType::OptionalText,
        "grade_reported",
    ),
    (
        Field::TotalNote,
        "total.note",
        Scope::Total,
        "总分行说明",
        ValueType::OptionalText,
        "note",
    ),
];

impl Field {
    fn entry(self) -> (Field, &'static str, Scope, &'static str, ValueType, &'static str) {
        FIELDS
            .iter()
            .copied()
            .find(|e| e.0 == self)
            .unwrap_or((self, "", Scope::Total, "", ValueType::Text, ""))
    }

    /// The field by its key in the decisions file (`target`, `funds.executed`, `total.score_reported`).
    pub fn from_key(key: &str) -> Option<Self> {
        FIELDS.iter().find(|e| e.1 == key).map(|e| e.0)
    }

    /// Key in the decisions file.
    pub fn key(self) -> &'static str {
        self.entry().1
    }

    /// Part of the form it belongs to.
    pub fn scope(self) -> Scope {
        self.entry().2
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        self.entry().3
    }

    fn value_type(self) -> ValueType {
        self.entry().4
    }

    fn json_name(self) -> &'static str {
        self.entry().5
    }

    /// Every field, in the order the decisions guide lists them.
    pub fn all() -> impl Iterator<Item = Field> {
        FIELDS.iter().map(|e| e.0)
    }

    /// Every key, for help texts.
    pub fn all_keys() -> String {
        FIELDS.iter().map(|e| e.1).collect::<Vec<_>>().join("、")
    }
}

/// A checked value a correction writes into a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A text.
    Text(String),
    /// An exact decimal.
    Number(Decimal),
    /// Nothing: clears an optional field (written `""`).
    Clear,
}

impl FieldValue {
    /// As shown in reports; `None` for [`FieldValue::Clear`].
    pub fn display(&self) -> Option<String> {
        match self {
            FieldValue::Text(s) => Some(s.clone()),
            FieldValue::Number(d) => Some(d.to_string()),
            FieldValue::Clear => None,
        }
    }
}

/// What a checked decision does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Replace a field's value.
    Correct {
        /// The field.
        field: Field,
        /// For funds fields: the label of the 其中 row; `None` is the total row.
        row: Option<String>,
        /// The value the reviewer saw on the form; when given and the form now says something
        /// else, the decision is stale and not applied.
        was: Option<FieldValue>,
        /// The new value.
        value: FieldValue,
    },
    /// Waive findings with this code (on `indicator` when given, else anywhere in the document).
    Waive {
        /// Finding code (`I4`, `T1`, …).
        code: String,
    },
}

/// One checked reviewer decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Where it is written: `file:line:column` of its `[[decision]]` table.
    pub source: String,
    /// Position in the run's decisions (file order), to report in that order.
    pub index: usize,
    /// Document id it applies to.
    pub document: String,
    /// Indicator name or 一级/二级/三级 path, when it is about one indicator.
    pub indicator: Option<String>,
    /// What it does.
    pub action: Action,
    /// Why, in the reviewer's words.
    pub reason: String,
    /// Who decided.
    pub reviewer: String,
    /// When, `YYYY-MM-DD`.
    pub date: String,
}

impl Decision {
    /// The kind of decision.
    pub fn kind(&self) -> DecisionKind {
        match self.action {
            Action::Correct { .. } => DecisionKind::Correct,
            Action::Waive { .. } => DecisionKind::Waive,
        }
    }
}

/// The checked decisions of one run, from one or more files, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionSet {
    /// The decisions.
    pub decisions: Vec<Decision>,
}

impl DecisionSet {
    /// Reads and checks a decisions file, appending its decisions.
    pub fn load_file(&mut self, path: &Path) -> Result<(), DecisionsError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| DecisionsError {
            code: "jixiao::decisions::read",
            loc: Loc::file(name.as_str()),
            message: format!("无法读取：{e}（需要 UTF-8 文本）"),
            help: None,
        })?;
        self.add_text(&name, &text)
    }

    /// Checks the text of a decisions file named `file`, appending its decisions.
    pub fn add_text(&mut self, file: &str, text: &str) -> Result<(), DecisionsError> {
        let parsed = parse(file, text, self.decisions.len())?;
        self.decisions.extend(parsed);
        Ok(())
    }

    /// True when there are no decisions.
    pub fn is_empty(&self) -> bool {
        self.decisions.is_empty()
    }

    /// The decisions about document `id`.
    pub fn for_document(&self, id: &str) -> Vec<&Decision> {
        self.decisions.iter().filter(|d| d.document == id).collect()
    }

    /// Decisions whose document is none of `ids`: stale for this run.
    pub fn not_in<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<&Decision> {
        let ids: std::collections::BTreeSet<&str> = ids.into_iter().collect();
        self.decisions
            .iter()
            .filter(|d| !ids.contains(d.document.as_str()))
            .collect()
    }
}

/// The `[[decision]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    decision: Vec<Located<RawDecision>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDecision {
    kind: Option<Located<String>>,
    document: Option<Located<String>>,
    indicator: Option<Located<String>>,
    field: Option<Located<String>>,
    row: Option<Located<String>>,
    was: Option<Located<toml::Value>>,
    value: Option<Located<toml::Value>>,
    code: Option<Located<String>>,
    reason: Option<Located<String>>,
    reviewer: Option<Located<String>>,
    date: Option<Located<toml::Value>>,
}

struct Checker {
    /// The decisions file, with its text.
    file: Loc,
}

impl Checker {
    fn err(&self, span: &Range<usize>, message: String, help: Option<&str>) -> DecisionsError {
        DecisionsError {
            code: "jixiao::decisions::decision",
            loc: self.file.clone().at_span(span.clone()),
            message,
            help: help.map(str::to_owned),
        }
    }

    fn required(
        &self,
        value: Option<Located<String>>,
        key: &str,
        table: &Range<usize>,
    ) -> Result<Located<String>, DecisionsError> {
        match value {
            Some(v) if !v.value.trim().is_empty() => Ok(Located {
                value: v.value.trim().to_owned(),
                span: v.span,
            }),
            Some(v) => Err(self.err(&v.span, format!("{key} 不能为空"), None)),
            None => Err(self.err(
                table,
                format!("这条决定缺少 {key}"),
                Some("每条决定都要写 kind、document、reason、reviewer、date"),
            )),
        }
    }

    fn forbid<T>(&self, value: &Option<Located<T>>, key: &str, why: &str) -> Result<(), DecisionsError> {
        match value {
            Some(v) => Err(self.err(&v.span, format!("{key} 不适用于{why}"), None)),
            None => Ok(()),
        }
    }

    fn date(&self, value: Option<Located<toml::Value>>, table: &Range<usize>) -> Result<String, DecisionsError> {
        let help = Some("日期写成 2024-05-10（TOML 日期）或 \"2024-05-10\"");
        let Some(v) = value else {
            return Err(self.err(table, "这条决定缺少 date".into(), help));
        };
        let text = match &v.value {
            toml::Value::String(s) => s.trim().to_owned(),
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            other => return Err(self.err(&v.span, format!("date 应为日期，写的是 {other}"), help)),
        };
        if valid_date(&text) {
            Ok(text)
        } else {
            Err(self.err(&v.span, format!("“{text}”不是 YYYY-MM-DD 格式的有效日期"), help))
        }
    }

    fn value(&self, value: &Located<toml::Value>, field: Field, key: &str) -> Result<FieldValue, DecisionsError> {
        let ty = field.value_type();
        let text = match &value.value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => {
                return Err(self.err(
                    &value.span,
                    format!("{key} 的小数必须写成字符串（加引号），如 \"{f}\""),
                    Some("不加引号的小数会被当作浮点数，失去精度"),
                ));
            }
            other => {
                return Err(self.err(&value.span, format!("{key} 应为字符串或整数，写的是 {other}"), None));
            }
        };
        match ty {
            ValueType::Text => Ok(FieldValue::Text(text)),
            ValueType::OptionalText if text.trim().is_empty() => Ok(FieldValue::Clear),
            ValueType::OptionalText => Ok(FieldValue::Text(text)),
            ValueType::Number if text.trim().is_empty() => Ok(FieldValue::Clear),
            ValueType::Number => match range::judge_text(text.trim()) {
                // The range documents are held to: a correction cannot bring in what validation refuses.
                range::TextRange::Beyond => Err(self.err(
                    &value.span,
                    format!(
                        "{}（{}）的数值“{text}”超出可接受的范围：{}",
                        field.key(),
                        field.label(),
                        range::RANGE_TEXT
                    ),
                    Some("评价文档的数值字段也只接受这个范围内的数"),
                )),
                _ => text.trim().parse::<Decimal>().map(FieldValue::Number).map_err(|_| {
                    self.err(
                        &value.span,
                        format!("{}（{}）是数值字段，“{text}”不是合法的小数", field.key(), field.label()),
                        Some("写成 \"0.98\" 或 10 这样的数；写 \"\" 表示清空"),
                    )
                }),
            },
        }
    }
}

/// True for `YYYY-MM-DD` naming a real day.
fn valid_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    match (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) {
        (Ok(y), Ok(m), Ok(d)) => crate::engine::grammar::days_from_civil(y, m, d).is_some(),
        _ => false,
    }
}

fn parse(file: &str, text: &str, first_index: usize) -> Result<Vec<Decision>, DecisionsError> {
    let whole = Loc::file(file).with_source(Arc::from(text));
    let raw: RawFile = toml::from_str(text).map_err(|e| DecisionsError {
        code: "jixiao::decisions::toml",
        loc: match e.span() {
            Some(span) => whole.clone().at_span(span),
            None => whole.clone(),
        },
        message: format!("不是合法的决定文件：{}", e.message().trim()),
        help: Some(format!(
            "每条决定写成一个 [[decision]] 表，可用的键：kind、document、indicator、field、row、was、value、code、reason、reviewer、date；可更正的字段：{}",
            Field::all_keys()
        )),
    })?;
    let cx = Checker { file: whole };
    let mut out = Vec::with_capacity(raw.decision.len());
    // One index of the lines for every decision (not a scan of the file per decision).
    let lines = LineIndex::new(text);
    for (i, located) in raw.decision.into_iter().enumerate() {
        let table = located.span;
        let d = located.value;
        let (line, col) = lines.line_col(text, table.start);
        let kind = cx.required(d.kind, "kind", &table)?;
        let document = cx.required(d.document, "document", &table)?;
        let reason = cx.required(d.reason, "reason", &table)?;
        let reviewer = cx.required(d.reviewer, "reviewer", &table)?;
        let date = cx.date(d.date, &table)?;
        let indicator = match d.indicator {
            Some(v) if v.value.trim().is_empty() => {
                return Err(cx.err(&v.span, "indicator 不能为空".into(), None));
            }
            other => other,
        };
        let action = match kind.value.as_str() {
            "correct" => {
                cx.forbid(&d.code, "code", "更正（code 只用于 kind = \"waive\"）")?;
                let field_key = cx.required(d.field, "field", &table)?;
                let field = Field::from_key(&field_key.value).ok_or_else(|| {
                    cx.err(
                        &field_key.span,
                        format!("不认识的字段“{}”", field_key.value),
                        Some(&format!("可更正的字段：{}", Field::all_keys())),
                    )
                })?;
                match field.scope() {
                    Scope::Indicator => {
                        if indicator.is_none() {
                            return Err(cx.err(
                                &field_key.span,
                                format!("更正指标字段 {} 须用 indicator 写明是哪个指标", field.key()),
                                Some("indicator 写三级指标名称，或 一级/二级/三级 路径"),
                            ));
                        }
                        cx.forbid(&d.row, "row", "指标字段（row 只用于 funds.* 字段）")?;
                    }
                    Scope::Funds => {
                        cx.forbid(&indicator, "indicator", "资金字段")?;
                    }
                    Scope::Total => {
                        cx.forbid(&indicator, "indicator", "总分行字段")?;
                        cx.forbid(&d.row, "row", "总分行字段（row 只用于 funds.* 字段）")?;
                    }
                }
                let Some(value) = d.value else {
                    return Err(cx.err(
                        &table,
                        "更正决定缺少 value（更正后的值）".into(),
                        Some("写 value = \"…\"；清空一个可选字段写 value = \"\""),
                    ));
                };
                let was = d.was.as_ref().map(|w| cx.value(w, field, "was")).transpose()?;
                Action::Correct {
                    field,
                    row: d.row.map(|r| r.value.trim().to_owned()),
                    was,
                    value: cx.value(&value, field, "value")?,
                }
            }
            "waive" => {
                let why = "豁免（kind = \"waive\" 只写 code 和可选的 indicator）";
                cx.forbid(&d.field, "field", why)?;
                cx.forbid(&d.row, "row", why)?;
                cx.forbid(&d.value, "value", why)?;
                cx.forbid(&d.was, "was", why)?;
                let code = cx.required(d.code, "code", &table)?;
                Action::Waive { code: code.value }
            }
            other => {
                return Err(cx.err(
                    &kind.span,
                    format!("不认识的决定类型“{other}”"),
                    Some("kind 写 \"correct\"（更正表中内容）或 \"waive\"（豁免一条发现）"),
                ));
            }
        };
        out.push(Decision {
            source: format!("{file}:{line}:{col}"),
            index: first_index + i,
            document: document.value,
            indicator: indicator.map(|v| v.value.trim().to_owned()),
            action,
            reason: reason.value,
            reviewer: reviewer.value,
            date,
        });
    }
    Ok(out)
}

/// Finds the indicator a decision names: by exact 三级 name or exact path.
/// `Err` carries why it is not applied (no match, or several).
fn resolve_indicator(doc: &EvaluationDocument, text: &str) -> Result<usize, String> {
    let matches: Vec<usize> = doc
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, ind)| ind.name.trim() == text || ind.path() == text)
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("文档中没有名称或路径为“{text}”的指标")),
        many => Err(format!(
            "“{text}”对应 {} 个指标，请写完整的 一级/二级/三级 路径",
            many.len()
        )),
    }
}

/// A mutable view of one field of a document.
enum Slot<'a> {
    Text(&'a mut String),
    OptionalText(&'a mut Option<String>),
    Number(&'a mut Option<Decimal>),
}

impl Slot<'_> {
    fn current(&self) -> FieldValue {
        match self {
            Slot::Text(s) => FieldValue::Text((**s).clone()),
            Slot::OptionalText(s) => (**s).clone().map(FieldValue::Text).unwrap_or(FieldValue::Clear),
            Slot::Number(d) => d.map(FieldValue::Number).unwrap_or(FieldValue::Clear),
        }
    }

    fn set(&mut self, value: &FieldValue) {
        match (self, value) {
            (Slot::Text(s), FieldValue::Text(v)) => v.clone_into(s),
            (Slot::Text(s), _) => s.clear(),
            (Slot::OptionalText(s), FieldValue::Text(v)) => **s = Some(v.clone()),
            (Slot::OptionalText(s), _) => **s = None,
            (Slot::Number(d), FieldValue::Number(v)) => **d = Some(*v),
            (Slot::Number(d), _) => **d = None,
        }
    }
}

/// The field a correction names in `doc`, with its JSON pointer; `Err` says why it is not there.
fn slot<'a>(
    doc: &'a mut EvaluationDocument,
    field: Field,
    indicator: Option<usize>,
    row: Option<&str>,
) -> Result<(Slot<'a>, String), String> {
    match field.scope() {
        Scope::Indicator => {
            let i = indicator.ok_or_else(|| "没有写明指标".to_owned())?;
            let ind = doc.indicators.get_mut(i).ok_or_else(|| "指标不存在".to_owned())?;
            let pointer = format!("/indicators/{i}/{}", field.json_name());
            let slot = match field {
                Field::Target => Slot::Text(&mut ind.target),
                Field::Actual => Slot::Text(&mut ind.actual),
                Field::Weight => Slot::Number(&mut ind.weight),
                Field::ScoreReported => Slot::Number(&mut ind.score_reported),
                Field::Note => Slot::OptionalText(&mut ind.note),
                Field::Comparator => Slot::OptionalText(&mut ind.comparator),
                _ => Slot::OptionalText(&mut ind.unit),
            };
            Ok((slot, pointer))
        }
        Scope::Funds => {
            let (funds_row, pointer) = match row {
                None => (&mut doc.funds.total, "/funds/total".to_owned()),
                Some(label) => {
                    let j = doc
                        .funds
                        .parts
                        .iter()
                        .position(|p| p.label.trim() == label)
                        .ok_or_else(|| format!("资金表中没有“{label}”这一行"))?;
                    let part = doc
                        .funds
                        .parts
                        .get_mut(j)
                        .ok_or_else(|| format!("资金表中没有“{label}”这一行"))?;
                    (part, format!("/funds/parts/{j}"))
                }
            };
            let pointer = format!("{pointer}/{}", field.json_name());
            let slot = match field {
                Field::FundsBudgetInitial => Slot::Number(&mut funds_row.budget_initial),
                Field::FundsBudgetAdjusted => Slot::Number(&mut funds_row.budget_adjusted),
                Field::FundsExecuted => Slot::Number(&mut funds_row.executed),
                Field::FundsWeight => Slot::Number(&mut funds_row.weight),
                Field::FundsRateReported => Slot::Number(&mut funds_row.rate_reported),
                Field::FundsScoreReported => Slot::Number(&mut funds_row.score_reported),
                _ => Slot::OptionalText(&mut funds_row.note),
            };
            Ok((slot, pointer))
        }
        Scope::Total => {
            let pointer = format!("/total/{}", field.json_name());
            let total = &mut doc.total;
            let slot = match field {
                Field::TotalWeight => Slot::Number(&mut total.weight),
                Field::TotalScoreReported => Slot::Number(&mut total.score_reported),
                Field::TotalGradeReported => Slot::OptionalText(&mut total.grade_reported),
                _ => Slot::OptionalText(&mut total.note),
            };
            Ok((slot, pointer))
        }
    }
}

/// Text or number equality (12.5 equals 12.50).
fn same(a: &FieldValue, b: &FieldValue) -> bool {
    match (a, b) {
        (FieldValue::Text(x), FieldValue::Text(y)) => x == y,
        (FieldValue::Number(x), FieldValue::Number(y)) => x == y,
        (FieldValue::Clear, FieldValue::Clear) => true,
        _ => false,
    }
}

/// A document with the reviewer's corrections applied, what was applied, and what was stale.
#[derive(Debug, Clone)]
pub struct Corrected {
    /// The corrected document (scoring reads this one).
    pub document: EvaluationDocument,
    /// Applied corrections, with the old and the new value, as `(decision index, record)`.
    pub applied: Vec<(usize, DecisionRecord)>,
    /// `D1` warnings for corrections that matched nothing or changed nothing.
    pub stale: Vec<Finding>,
}

fn stale_finding(decision: &Decision, indicator: Option<String>, why: &str) -> Finding {
    let finding = Finding::new(
        STALE_CODE,
        Severity::Warning,
        format!(
            "审核决定未生效（{}，{}）：{why}",
            decision.source,
            decision.kind().label()
        ),
    );
    match indicator {
        Some(path) => finding.on_indicator(path),
        None => finding.in_block("decisions"),
    }
}

fn record(decision: &Decision) -> DecisionRecord {
    DecisionRecord {
        kind: decision.kind(),
        source: decision.source.clone(),
        indicator: None,
        field: None,
        row: None,
        field_label: None,
        at: None,
        old: None,
        new: None,
        code: None,
        waived: None,
        reason: decision.reason.clone(),
        reviewer: decision.reviewer.clone(),
        date: decision.date.clone(),
    }
}

/// Applies the corrections among `decisions` to a copy of `doc`, in order.
pub fn apply_corrections(doc: &EvaluationDocument, decisions: &[&Decision]) -> Corrected {
    let mut document = doc.clone();
    let mut applied = Vec::new();
    let mut stale = Vec::new();
    for decision in decisions.iter().filter(|d| d.document == doc.id) {
        let Action::Correct { field, row, was, value } = &decision.action else {
            continue;
        };
        let (index, path) = match &decision.indicator {
            Some(text) => match resolve_indicator(&document, text) {
                Ok(i) => (Some(i), document.indicators.get(i).map(|ind| ind.path())),
                Err(why) => {
                    stale.push(stale_finding(decision, None, &why));
                    continue;
                }
            },
            None => (None, None),
        };
        let (mut slot, pointer) = match slot(&mut document, *field, index, row.as_deref()) {
            Ok(found) => found,
            Err(why) => {
                stale.push(stale_finding(decision, path, &why));
                continue;
            }
        };
        let current = slot.current();
        if let Some(was) = was {
            if !same(&current, was) {
                let why = format!(
                    "表中{}现为{}，不是决定记录的原值{}（表格可能已改过），未应用",
                    field.label(),
                    quoted(current.display().as_deref()),
                    quoted(was.display().as_deref())
                );
                stale.push(stale_finding(decision, path, &why));
                continue;
            }
        }
        if same(&current, value) {
            let why = format!(
                "表中{}已是{}，无需更正",
                field.label(),
                quoted(current.display().as_deref())
            );
            stale.push(stale_finding(decision, path, &why));
            continue;
        }
        slot.set(value);
        let label = match (field.scope(), row) {
            (Scope::Funds, Some(r)) => format!("资金（{r}）{}", field.label()),
            (Scope::Funds, None) => format!("资金（年度资金总额）{}", field.label()),
            _ => field.label().to_owned(),
        };
        let mut rec = record(decision);
        rec.indicator = path;
        rec.field = Some(field.key().to_owned());
        rec.row.clone_from(row);
        rec.field_label = Some(label);
        rec.at = doc.provenance.get(&pointer).copied();
        rec.old = current.display();
        rec.new = value.display();
        applied.push((decision.index, rec));
    }
    Corrected {
        document,
        applied,
        stale,
    }
}

/// Marks the findings the waivers among `decisions` name as waived (they stay listed).
/// Returns the applied waivers as `(decision index, record)` and `D1` warnings for waivers
/// that matched no finding.
pub fn apply_waivers(
    card: &mut Scorecard,
    doc: &EvaluationDocument,
    decisions: &[&Decision],
) -> (Vec<(usize, DecisionRecord)>, Vec<Finding>) {
    let mut applied = Vec::new();
    let mut stale = Vec::new();
    for decision in decisions.iter().filter(|d| d.document == doc.id) {
        let Action::Waive { code } = &decision.action else {
            continue;
        };
        let path = match &decision.indicator {
            Some(text) => match resolve_indicator(doc, text) {
                Ok(i) => doc.indicators.get(i).map(|ind| ind.path()),
                Err(why) => {
                    stale.push(stale_finding(decision, None, &why));
                    continue;
                }
            },
            None => None,
        };
        let mut count = 0;
        for finding in card
            .findings
            .iter_mut()
            .filter(|f| f.code == *code && f.code != STALE_CODE && (path.is_none() || f.indicator == path))
        {
            finding.waived = true;
            count += 1;
        }
        if count == 0 {
            let place = path.as_deref().map(|p| format!("指标“{p}”上")).unwrap_or_default();
            stale.push(stale_finding(
                decision,
                path.clone(),
                &format!("本次评分{place}没有代码为 {code} 的发现，无可豁免"),
            ));
            continue;
        }
        let mut rec = record(decision);
        rec.indicator = path;
        rec.code = Some(code.clone());
        rec.waived = Some(count);
        applied.push((decision.index, rec));
    }
    (applied, stale)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        reason = "tests"
    )]

    use super::*;

    fn parse_one(text: &str) -> Result<Vec<Decision>, DecisionsError> {
        let mut set = DecisionSet::default();
        set.add_text("d.toml", text)?;
        Ok(set.decisions)
    }

    const GOOD: &str = r#"
[[decision]]
kind = "correct"
document = "doc-1"
indicator = "项目成本（元）"
field = "target"
was = "≤124000"
value = "≤1240000"
reason = "少写一个 0"
reviewer = "张三"
date = 2024-05-10

[[decision]]
kind = "waive"
document = "doc-1"
code = "I6"
reason = "满意度调查只给出下限"
reviewer = "李四"
date = "2024-05-11"
"#;

    #[test]
    fn a_good_file_parses_into_typed_decisions() {
        let ds = parse_one(GOOD).unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds[0].source, "d.toml:2:1");
        assert_eq!(ds[0].date, "2024-05-10");
        assert_eq!(
            ds[0].action,
            Action::Correct {
                field: Field::Target,
                row: None,
                was: Some(FieldValue::Text("≤124000".into())),
                value: FieldValue::Text("≤1240000".into()),
            }
        );
        assert_eq!(ds[1].action, Action::Waive { code: "I6".into() });
        assert_eq!(ds[1].date, "2024-05-11");
        assert_eq!(ds[1].index, 1);
    }

    fn error_of(text: &str) -> DecisionsError {
        parse_one(text).unwrap_err()
    }

    #[test]
    fn missing_reviewer_points_at_the_decision_table() {
        let e = error_of(
            "\n\n[[decision]]\nkind = \"waive\"\ndocument = \"x\"\ncode = \"I4\"\nreason = \"r\"\ndate = 2024-01-01\n",
        );
        assert_eq!(e.loc.line_col(), Some((3, 1)));
        assert!(e.message.contains("缺少 reviewer"), "{e}");
        assert!(e.to_string().starts_with("d.toml 第 3 行第 1 列："), "{e}");
    }

    #[test]
    fn a_bad_date_points_at_the_date() {
        let e = error_of(
            "[[decision]]\nkind = \"waive\"\ndocument = \"x\"\ncode = \"I4\"\nreason = \"r\"\nreviewer = \"z\"\ndate = \"2024-02-30\"\n",
        );
        assert_eq!(e.loc.line_col(), Some((7, 8)));
        assert!(e.message.contains("2024-02-30"), "{e}");
        let e = error_of(
            "[[decision]]\nkind = \"waive\"\ndocument = \"x\"\ncode = \"I4\"\nreason = \"r\"\nreviewer = \"z\"\ndate = 2024-02-01T10:00:00\n",
        );
        assert_eq!(e.loc.line_col(), Some((7, 8)));
    }

    #[test]
    fn an_unknown_field_names_the_known_ones() {
        let e = error_of(
            "[[decision]]\nkind = \"correct\"\ndocument = \"x\"\nfield = \"targt\"\nvalue = \"1\"\nreason = \"r\"\nreviewer = \"z\"\ndate = 2024-01-01\n",
        );
        assert_eq!(e.loc.line_col(), Some((4, 9)));
        assert!(e.help.as_deref().unwrap().contains("funds.executed"), "{e}");
    }

    #[test]
    fn an_unknown_key_is_a_toml_error_with_position() {
        let e = error_of("[[decision]]\nkind = \"waive\"\nreviewr = \"z\"\n");
        assert_eq!(e.loc.line_col().map(|p| p.0), Some(3), "{e}");
        assert!(e.message.contains("reviewr"), "{e}");
    }

    #[test]
    fn numbers_must_be_exact() {
        let base = "[[decision]]\nkind = \"correct\"\ndocument = \"x\"\nfield = \"funds.executed\"\nreason = \"r\"\nreviewer = \"z\"\ndate = 2024-01-01\n";
        let e = error_of(&format!("{base}value = 870996.5\n"));
        assert_eq!(e.loc.line_col(), Some((8, 9)));
        assert!(e.message.contains("字符串"), "{e}");
        let e = error_of(&format!("{base}value = \"八十\"\n"));
        assert!(e.message.contains("不是合法的小数"), "{e}");
        let ok = parse_one(&format!("{base}value = \"870996.50\"\n")).unwrap();
        assert!(matches!(
            &ok[0].action,
            Action::Correct { value: FieldValue::Number(d), .. } if d.to_string() == "870996.50"
        ));
    }

    #[test]
    fn scope_rules_are_checked() {
        let base = "[[decision]]\ndocument = \"x\"\nreason = \"r\"\nreviewer = \"z\"\ndate = 2024-01-01\n";
        let e = error_of(&format!(
            "{base}kind = \"correct\"\nfield = \"target\"\nvalue = \"1\"\n"
        ));
        assert!(e.message.contains("indicator"), "{e}");
        let e = error_of(&format!(
            "{base}kind = \"correct\"\nfield = \"total.score_reported\"\nindicator = \"a\"\nvalue = \"1\"\n"
        ));
        assert!(e.message.contains("indicator 不适用于总分行字段"), "{e}");
        let e = error_of(&format!("{base}kind = \"waive\"\ncode = \"I4\"\nvalue = \"1\"\n"));
        assert!(e.message.contains("value 不适用于豁免"), "{e}");
        let e = error_of(&format!("{base}kind = \"accept\"\n"));
        assert!(e.message.contains("accept"), "{e}");
    }

    #[test]
    fn dates_are_checked_by_the_calendar() {
        assert!(valid_date("2024-02-29"));
        assert!(!valid_date("2023-02-29"));
        assert!(!valid_date("2024-5-1"));
        assert!(!valid_date("20240501"));
    }
}
