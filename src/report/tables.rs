//! The row tables behind CSV and the workbook: documents (one row per form), indicators (one
//! row per indicator) and findings (one row per finding). Values stay exact decimals here;
//! each renderer decides how to write them.

use rust_decimal::Decimal;

use super::{CsvTable, differs, finding_place, grade_differs, waived_count};
use crate::engine::scoring::Scorecard;
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

/// A table: a sheet of the workbook, or the whole of a CSV file.
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
    "等级（计算）",
    "等级（填报）",
    "错误",
    "警告",
    "提示",
    "已豁免",
    "文档编号",
];

/// One row per document.
pub(crate) fn documents(cards: &[Scorecard]) -> Table {
    let rows = cards
        .iter()
        .map(|c| {
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
                toned(text(&c.grade), grade_bad),
                toned(opt_text(c.grade_reported.as_deref()), grade_bad),
                count(c.count(Severity::Error), Tone::Bad),
                count(c.count(Severity::Warning), Tone::Warn),
                count(c.count(Severity::Info), Tone::Plain),
                int(waived_count(c)),
                text(&c.id),
            ]
        })
        .collect();
    Table {
        name: "汇总",
        headers: DOCUMENT_HEADERS,
        rows,
    }
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
    "计入总分",
    "计分方式",
    "文档编号",
];

/// One row per indicator of every document.
pub(crate) fn indicators(cards: &[Scorecard]) -> Table {
    let rows = cards
        .iter()
        .flat_map(|c| {
            c.indicators.iter().map(move |i| {
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
                    num(Some(i.counted), NumberStyle::Score),
                    text(i.kind.label()),
                    text(&c.id),
                ]
            })
        })
        .collect();
    Table {
        name: "指标",
        headers: INDICATOR_HEADERS,
        rows,
    }
}

/// Headers of the findings table.
pub(crate) const FINDING_HEADERS: &[&str] = &[
    "项目",
    "代码",
    "严重程度",
    "指标或区块",
    "单元格",
    "说明",
    "已豁免",
    "文档编号",
];

/// One row per finding of every document, waived ones included (marked).
pub(crate) fn findings(cards: &[Scorecard]) -> Table {
    let rows = cards
        .iter()
        .flat_map(|c| {
            c.findings.iter().map(move |f| {
                let tone = match (f.severity, f.waived) {
                    (_, true) | (Severity::Info, _) => Tone::Plain,
                    (Severity::Error, false) => Tone::Bad,
                    (Severity::Warning, false) => Tone::Warn,
                };
                vec![
                    text(&c.project),
                    text(&f.code),
                    Cell {
                        value: Value::Text(f.severity.label().to_owned()),
                        tone,
                    },
                    text(finding_place(f)),
                    opt_text(f.at.map(|at| at.a1()).as_deref()),
                    text(&f.message),
                    text(if f.waived { "是" } else { "否" }),
                    text(&c.id),
                ]
            })
        })
        .collect();
    Table {
        name: "发现",
        headers: FINDING_HEADERS,
        rows,
    }
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

/// One row per reviewer decision applied to a document (`--decisions`).
pub(crate) fn decisions(cards: &[Scorecard]) -> Table {
    let rows = cards
        .iter()
        .flat_map(|c| {
            c.decisions.iter().map(move |d| {
                vec![
                    text(&c.project),
                    text(d.kind.label()),
                    text(d.summary()),
                    opt_text(d.at.map(|at| at.a1()).as_deref()),
                    text(&d.reason),
                    text(&d.reviewer),
                    text(&d.date),
                    text(&d.source),
                    text(&c.id),
                ]
            })
        })
        .collect();
    Table {
        name: "审核决定",
        headers: DECISION_HEADERS,
        rows,
    }
}

/// The table `--csv-table` names.
pub(crate) fn table_of(which: CsvTable, cards: &[Scorecard]) -> Table {
    match which {
        CsvTable::Documents => documents(cards),
        CsvTable::Indicators => indicators(cards),
        CsvTable::Findings => findings(cards),
        CsvTable::Decisions => decisions(cards),
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

        let table = documents(std::slice::from_ref(&card));
        let bad: Vec<&str> = DOCUMENT_HEADERS
            .iter()
            .zip(&table.rows[0])
            .filter(|(_, c)| c.tone == Tone::Bad)
            .map(|(h, _)| *h)
            .collect();
        assert_eq!(bad, ["总分（计算）", "总分（填报）", "错误"]);

        let table = indicators(std::slice::from_ref(&card));
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
        assert_eq!(bad, [(0, "计算得分"), (0, "填报得分")]);
    }
}
