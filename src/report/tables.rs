//! The row tables behind CSV and the workbook: documents (one row per form), indicators (one
//! row per indicator) and findings (one row per finding). Values stay exact decimals here;
//! each renderer decides how to write them.

use rust_decimal::Decimal;

use super::{CsvTable, differs, finding_difference, finding_place, grade_differs, waived_count};
use crate::engine::scoring::Scorecard;
use crate::model::document::CellPos;
use crate::model::findings::Severity;

/// How a number is meant to be shown (the workbook's number format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberStyle {
    /// Points: `0.00`.
    Score,
    /// Money: `#,##0.00`.
    Amount,
    /// A fraction shown as a percentage: `0.00%`.
    Rate,
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// Nothing (a number the form does not state or that cannot be computed).
    Empty,
    /// Text as written.
    Text(String),
    /// A whole number (year, counts).
    Integer(i64),
    /// An exact decimal with its display style.
    Number(Decimal, NumberStyle),
}

/// Emphasis a cell carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Plain.
    Plain,
    /// Wrong: a computed value differs from the reported one, or an error.
    Bad,
    /// Worth a look: warnings.
    Warn,
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    /// Its value.
    pub value: Value,
    /// Its emphasis.
    pub tone: Tone,
}

/// A table: a sheet of the workbook, or the whole of a CSV file (tests).
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// Sheet name.
    pub name: &'static str,
    /// Column headers.
    pub headers: &'static [&'static str],
    /// Rows, each as long as `headers`.
    pub rows: Vec<Vec<Cell>>,
}

fn text(s: impl Into<String>) -> Cell {
    Cell {
        value: Value::Text(s.into()),
        tone: Tone::Plain,
    }
}

fn opt_text(s: Option<&str>) -> Cell {
    s.map_or(
        Cell {
            value: Value::Empty,
            tone: Tone::Plain,
        },
        text,
    )
}

fn int(n: impl TryInto<i64>) -> Cell {
    Cell {
        value: Value::Integer(n.try_into().unwrap_or(i64::MAX)),
        tone: Tone::Plain,
    }
}

fn num(d: Option<Decimal>, style: NumberStyle) -> Cell {
    Cell {
        value: d.map_or(Value::Empty, |d| Value::Number(d, style)),
        tone: Tone::Plain,
    }
}

fn toned(mut cell: Cell, bad: bool) -> Cell {
    if bad {
        cell.tone = Tone::Bad;
    }
    cell
}

fn count(n: usize, tone_if_any: Tone) -> Cell {
    let mut cell = int(n);
    if n > 0 {
        cell.tone = tone_if_any;
    }
    cell
}

/// Headers of the documents table.
pub(crate) const DOCUMENT_HEADERS: &[&str] = &[
    "项目",
    "主管部门",
    "年度",
    "地区",
    "规则集",
    "全年预算数",
    "全年执行数",
    "执行率（计算）",
    "执行率（填报）",
    "预算执行分值",
    "预算执行得分（计算）",
    "预算执行得分（填报）",
    "总分（计算）",
    "总分（填报）",
    "总分差额（计算−填报）",
    "等级（计算）",
    "等级（填报）",
    "错误",
    "警告",
    "提示",
    "已豁免",
    "文档编号",
    "来源文件",
    "来源行",
    "总分单元格",
];

/// Computed less reported, when both are there (and the difference is in range).
fn difference(computed: Option<Decimal>, reported: Option<Decimal>) -> Cell {
    num(
        computed.zip(reported).and_then(|(c, r)| c.checked_sub(r)),
        NumberStyle::Score,
    )
}

/// The source file of an imported form (with its sheet), else empty.
fn source_file(c: &Scorecard) -> Cell {
    opt_text(c.origin.as_ref().map(|o| o.file_and_sheet()).as_deref())
}

/// A cell reference such as `C8`, or empty.
fn cell_ref(at: Option<CellPos>) -> Cell {
    opt_text(at.map(|at| at.a1()).as_deref())
}

/// The row of one document.
pub(crate) fn document_row(c: &Scorecard) -> Vec<Cell> {
    let b = &c.budget;
    let funds_bad = differs(b.score, b.reported_score);
    let total_bad = differs(Some(c.total.score), c.total.reported);
    let grade_bad = grade_differs(c);
    vec![
        text(&c.project),
        opt_text(c.department.as_deref()),
        int(c.year),
        opt_text(c.region.as_deref()),
        text(&c.ruleset),
        num(b.budget, NumberStyle::Amount),
        num(b.executed, NumberStyle::Amount),
        num(b.rate, NumberStyle::Rate),
        num(b.reported_rate, NumberStyle::Rate),
        num(Some(b.weight), NumberStyle::Score),
        toned(num(b.score, NumberStyle::Score), funds_bad),
        toned(num(b.reported_score, NumberStyle::Score), funds_bad),
        toned(num(Some(c.total.score), NumberStyle::Score), total_bad),
        toned(num(c.total.reported, NumberStyle::Score), total_bad),
        toned(difference(Some(c.total.score), c.total.reported), total_bad),
        toned(text(&c.grade), grade_bad),
        toned(opt_text(c.grade_reported.as_deref()), grade_bad),
        count(c.count(Severity::Error), Tone::Bad),
        count(c.count(Severity::Warning), Tone::Warn),
        count(c.count(Severity::Info), Tone::Plain),
        int(waived_count(c)),
        text(&c.id),
        source_file(c),
        opt_text(
            c.origin
                .as_ref()
                .map(|o| format!("{}–{}", o.rows.0, o.rows.1))
                .as_deref(),
        ),
        cell_ref(c.origin.as_ref().and_then(|o| o.total)),
    ]
}

/// Headers of the indicators table.
pub(crate) const INDICATOR_HEADERS: &[&str] = &[
    "项目",
    "一级指标",
    "二级指标",
    "三级指标",
    "目标值",
    "实际值",
    "分值",
    "计算得分",
    "填报得分",
    "得分差额（计算−填报）",
    "计入总分",
    "计分方式",
    "文档编号",
    "来源文件",
    "单元格",
];

/// The rows of one document's indicators.
pub(crate) fn indicator_rows(c: &Scorecard) -> impl Iterator<Item = Vec<Cell>> + '_ {
    c.indicators.iter().enumerate().map(move |(k, i)| {
        let bad = differs(i.score, i.reported_score);
        vec![
            text(&c.project),
            text(&i.level1),
            opt_text(i.level2.as_deref()),
            text(&i.name),
            text(&i.target),
            text(&i.actual),
            num(i.weight, NumberStyle::Score),
            toned(num(i.score, NumberStyle::Score), bad),
            toned(num(i.reported_score, NumberStyle::Score), bad),
            toned(difference(i.score, i.reported_score), bad),
            num(Some(i.counted), NumberStyle::Score),
            text(i.kind.label()),
            text(&c.id),
            source_file(c),
            cell_ref(c.origin.as_ref().and_then(|o| o.indicators.get(k).copied().flatten())),
        ]
    })
}

/// Headers of the findings table.
pub(crate) const FINDING_HEADERS: &[&str] = &[
    "项目",
    "代码",
    "标题",
    "严重程度",
    "指标或区块",
    "单元格",
    "说明",
    "差额（计算−填报）",
    "已豁免",
    "文档编号",
    "来源文件",
];

/// The rows of one document's findings, waived ones included (marked).
pub(crate) fn finding_rows(c: &Scorecard) -> impl Iterator<Item = Vec<Cell>> + '_ {
    c.findings.iter().map(move |f| {
        let tone = match (f.severity, f.waived) {
            (_, true) | (Severity::Info, _) => Tone::Plain,
            (Severity::Error, false) => Tone::Bad,
            (Severity::Warning, false) => Tone::Warn,
        };
        vec![
            text(&c.project),
            text(&f.code),
            text(&f.title),
            Cell {
                value: Value::Text(f.severity.label().to_owned()),
                tone,
            },
            text(finding_place(f)),
            cell_ref(f.at),
            text(&f.message),
            num(finding_difference(f), NumberStyle::Score),
            text(if f.waived { "是" } else { "否" }),
            text(&c.id),
            source_file(c),
        ]
    })
}

/// Headers of the decisions table.
pub(crate) const DECISION_HEADERS: &[&str] = &[
    "项目",
    "决定",
    "内容",
    "单元格",
    "理由",
    "审核人",
    "日期",
    "决定所在位置",
    "文档编号",
];

/// The rows of the reviewer decisions applied to one document (`--decisions`).
pub(crate) fn decision_rows(c: &Scorecard) -> impl Iterator<Item = Vec<Cell>> + '_ {
    c.decisions.iter().map(move |d| {
        vec![
            text(&c.project),
            text(d.kind.label()),
            text(d.summary()),
            cell_ref(d.at),
            text(&d.reason),
            text(&d.reviewer),
            text(&d.date),
            text(&d.source),
            text(&c.id),
        ]
    })
}

/// The tables of a report, in the workbook's order.
pub(crate) const KINDS: [CsvTable; 4] = [
    CsvTable::Documents,
    CsvTable::Indicators,
    CsvTable::Findings,
    CsvTable::Decisions,
];

/// Sheet name and headers of a table.
pub(crate) fn heading(which: CsvTable) -> (&'static str, &'static [&'static str]) {
    match which {
        CsvTable::Documents => ("汇总", DOCUMENT_HEADERS),
        CsvTable::Indicators => ("指标", INDICATOR_HEADERS),
        CsvTable::Findings => ("发现", FINDING_HEADERS),
        CsvTable::Decisions => ("审核决定", DECISION_HEADERS),
    }
}

/// The rows one document adds to a table.
pub(crate) fn rows_of(which: CsvTable, c: &Scorecard) -> Vec<Vec<Cell>> {
    match which {
        CsvTable::Documents => vec![document_row(c)],
        CsvTable::Indicators => indicator_rows(c).collect(),
        CsvTable::Findings => finding_rows(c).collect(),
        CsvTable::Decisions => decision_rows(c).collect(),
    }
}

/// A whole table of `cards`.
#[cfg(test)]
pub(crate) fn table_of(which: CsvTable, cards: &[Scorecard]) -> Table {
    let (name, headers) = heading(which);
    Table {
        name,
        headers,
        rows: cards.iter().flat_map(|c| rows_of(which, c)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scoring::score_document;
    use crate::model::document::EvaluationDocument;
    use crate::policy::{RuleSet, embedded};

    #[test]
    fn mismatched_total_and_indicator_are_marked_bad_and_nothing_else() {
        let mut doc: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/documents/minimal.json")).unwrap();
        doc["total"]["score_reported"] = "98.0".into();
        doc["indicators"][0]["score_reported"] = "45".into();
        let doc: EvaluationDocument = serde_json::from_value(doc).unwrap();
        let rules = RuleSet::load(embedded::files("shenzhen-2020").unwrap()).unwrap();
        let card = score_document(&rules, &doc).unwrap();

        let table = table_of(CsvTable::Documents, std::slice::from_ref(&card));
        let bad: Vec<&str> = DOCUMENT_HEADERS
            .iter()
            .zip(&table.rows[0])
            .filter(|(_, c)| c.tone == Tone::Bad)
            .map(|(h, _)| *h)
            .collect();
        assert_eq!(bad, ["总分（计算）", "总分（填报）", "总分差额（计算−填报）", "错误"]);

        let table = table_of(CsvTable::Indicators, std::slice::from_ref(&card));
        let bad: Vec<(usize, &str)> = table
            .rows
            .iter()
            .enumerate()
            .flat_map(|(r, row)| {
                INDICATOR_HEADERS
                    .iter()
                    .zip(row)
                    .filter(|(_, c)| c.tone == Tone::Bad)
                    .map(move |(h, _)| (r, *h))
            })
            .collect();
        assert_eq!(bad, [(0, "计算得分"), (0, "填报得分"), (0, "得分差额（计算−填报）")]);
    }
}
