//! Splitting a grid into forms, recognising each form's blocks by their labels, and filling the
//! [`EvaluationDocument`].
//!
//! A form starts at a "…绩效自评表" title row or, absent a title, at a 项目名称 row, and ends before
//! the next form starts; rows above the first form belong to it. Inside a form, rows are read in
//! order by what their first cell says: label/value rows (项目名称, 项目金额, 主管部门, 实施单位,
//! 项目年度目标, 评价结论 …), the funds header and its rows, 年度总体目标 with the texts row below
//! it, the indicator header and its rows (placed by `indicators`), 合计, 总分. Columns of the
//! funds and indicator tables come from their header rows' labels, never from fixed positions.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::indicators::{self, Cell, Header};
use super::labels::{Field, FundsCol, IndCol, Layouts, norm};
use super::value::{parse_decimal, parse_rate, split_code, unit_from_name};
use super::year::{self, Rank, YearGuess};
use super::{ErrorKind, Grid, ImportError, ImportOptions, ImportedForm};
use crate::model::diagnostic::Loc;
use crate::model::document::{
    CellPos, DeclaredWeight, EvaluationDocument, Funds, FundsRow, Indicator, IndicatorSum, Layout, Project,
    Realignment, SourceForm, UnmappedCell, column_letters, derive_id,
};

/// Rows of one form in a grid (0-based, inclusive, first and last non-empty rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormSpan {
    /// First non-empty row.
    pub first: usize,
    /// Last non-empty row.
    pub last: usize,
}

/// What a row is to the form-start rule (see [`StartDetector`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStart {
    /// No cell holds anything but whitespace.
    Blank,
    /// The first non-empty row of the sheet: the first form starts here (rows above its title
    /// belong to it).
    First,
    /// A later form starts at this row.
    Next,
    /// The row continues the current form.
    Within,
}

/// The form-start rule, fed one row at a time in sheet order: a form starts at a "…绩效自评表"
/// title row or, absent a title, at a 项目名称 row. Shared by [`split_forms`] and the streaming
/// importer so both split a sheet identically.
#[derive(Debug, Clone, Default)]
pub struct StartDetector {
    content: bool,
    has_title: bool,
    has_name: bool,
    any_start: bool,
}

impl StartDetector {
    /// Classifies the next row of the sheet (titles and 项目名称 labels as `layouts` write them).
    pub fn row(&mut self, layouts: &Layouts, row: &[String]) -> RowStart {
        let Some(first) = row.iter().map(|c| c.trim()).find(|c| !c.is_empty()) else {
            return RowStart::Blank;
        };
        let mut kind = if self.content {
            RowStart::Within
        } else {
            RowStart::First
        };
        self.content = true;
        let n = norm(first);
        if layouts.is_title(&n) {
            if self.has_title || self.has_name {
                kind = RowStart::Next;
                self.has_name = false;
            }
            self.has_title = true;
            self.any_start = true;
        } else if layouts.field(&n) == Some(Field::Name) {
            if self.has_name {
                kind = RowStart::Next;
                self.has_title = false;
            }
            self.has_name = true;
            self.any_start = true;
        }
        kind
    }

    /// True once a row with content has been seen.
    pub fn has_content(&self) -> bool {
        self.content
    }

    /// True once a title or 项目名称 row has been seen; a sheet with content but no start has no
    /// form ([`no_form`]).
    pub fn found_form(&self) -> bool {
        self.any_start
    }
}

/// The error for a sheet with content but neither a title nor a 项目名称 row.
pub fn no_form(at: &Loc) -> ImportError {
    ImportError::invalid(
        at.clone(),
        ErrorKind::NoForm,
        "没有找到项目支出绩效自评表：既没有“项目支出绩效自评表”标题行，也没有“项目名称”行；请检查是否选错了文件或工作表",
    )
}

/// Splits a grid into form spans. A sheet with content but neither a title nor a 项目名称 row is an
/// error.
pub fn split_forms(grid: &Grid, at: &Loc, layouts: &Layouts) -> Result<Vec<FormSpan>, ImportError> {
    let mut starts: Vec<usize> = Vec::new();
    let mut detector = StartDetector::default();
    for (r, row) in (grid.first_row..).zip(&grid.rows) {
        if matches!(detector.row(layouts, row), RowStart::First | RowStart::Next) {
            starts.push(r);
        }
    }
    if !detector.found_form() {
        return Err(no_form(at));
    }
    let mut spans = Vec::with_capacity(starts.len());
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(grid.end_row(), |&next| next);
        let last = (start..end)
            .rev()
            .find(|&r| grid.row(r).is_some_and(|row| row.iter().any(|c| !c.trim().is_empty())))
            .unwrap_or(start);
        spans.push(FormSpan { first: start, last });
    }
    Ok(spans)
}

/// Where the reader is in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the first table.
    Head,
    /// Inside the funds table.
    Funds,
    /// Right after a 年度总体目标 header with 预期目标 / 实际完成情况 columns.
    GoalTexts,
    /// Inside the indicator table.
    Indicators,
    /// After the 总分 row.
    Closing,
}

/// The funds header: columns by kind.
#[derive(Debug, Clone)]
struct FundsHeader {
    cols: Vec<(usize, FundsCol, String)>,
    first_data_col: usize,
    row: usize,
}

/// A carried-down 一级/二级 label and the cell it came from.
#[derive(Debug, Clone)]
struct Carried {
    label: String,
    at: CellPos,
}

/// Reads one form into a document.
pub fn read_form(file: &str, grid: &Grid, span: &FormSpan, opts: &ImportOptions) -> Result<ImportedForm, ImportError> {
    let mut reader = Reader::new(file, grid, span, Arc::clone(&opts.layouts));
    // One buffer for every row's non-empty cells: forms are read by the ten thousand.
    let mut cells = Vec::with_capacity(16);
    for r in span.first..=span.last {
        fill_cells(grid, r, &mut cells);
        reader.row(r, &cells)?;
    }
    reader.finish(opts)
}

struct Reader<'g> {
    grid: &'g Grid,
    lay: Arc<Layouts>,
    span: FormSpan,
    at: Loc,
    doc: EvaluationDocument,
    consumed: Vec<CellPos>,
    reasons: HashMap<CellPos, String>,
    years: Vec<(Rank, &'g str, CellPos)>,
    stage: Stage,
    name_seen: bool,
    funds: Option<Rc<FundsHeader>>,
    funds_total_seen: bool,
    goal_cols: (Option<usize>, Option<usize>),
    header: Option<Rc<Header>>,
    header_row: usize,
    l1: Option<Carried>,
    l2: Option<Carried>,
    total_seen: bool,
}

fn pos(row: usize, col: usize) -> CellPos {
    CellPos {
        row: u32::try_from(row + 1).unwrap_or(u32::MAX),
        column: u32::try_from(col + 1).unwrap_or(u32::MAX),
    }
}

impl<'g> Reader<'g> {
    fn new(file: &str, grid: &'g Grid, span: &FormSpan, lay: Arc<Layouts>) -> Self {
        let doc = EvaluationDocument {
            format: crate::model::document::DOCUMENT_FORMAT.to_owned(),
            id: String::new(),
            year: 0,
            region: None,
            layout: None,
            source: Some(SourceForm {
                file: file.to_owned(),
                sheet: grid.sheet.clone(),
                first_row: pos(span.first, 0).row,
                last_row: pos(span.last, 0).row,
            }),
            project: Project::default(),
            funds: Funds {
                unit: "元".to_owned(),
                ..Funds::default()
            },
            goals: Default::default(),
            indicators: Vec::new(),
            declared_weights: Vec::new(),
            indicator_sum: None,
            total: Default::default(),
            narrative: Default::default(),
            realignments: Vec::new(),
            unmapped: Vec::new(),
            provenance: Default::default(),
        };
        Reader {
            grid,
            lay,
            span: *span,
            at: Loc::sheet(file, grid.sheet.as_deref()),
            doc,
            consumed: Vec::with_capacity(128),
            reasons: HashMap::new(),
            years: Vec::new(),
            stage: Stage::Head,
            name_seen: false,
            funds: None,
            funds_total_seen: false,
            goal_cols: (None, None),
            header: None,
            header_row: 0,
            l1: None,
            l2: None,
            total_seen: false,
        }
    }

    fn take(&mut self, r: usize, c: usize) {
        self.consumed.push(pos(r, c));
    }

    fn map(&mut self, pointer: String, r: usize, c: usize) {
        self.consumed.push(pos(r, c));
        self.doc.provenance.insert(pointer, pos(r, c));
    }

    fn leave(&mut self, r: usize, c: usize, reason: impl Into<String>) {
        self.reasons.insert(pos(r, c), reason.into());
    }

    fn err_cell(&self, r: usize, c: usize, kind: ErrorKind, message: String) -> ImportError {
        ImportError::invalid(self.at.at_cell(pos(r, c)), kind, message)
    }

    fn err_row(&self, r: usize, kind: ErrorKind, message: String) -> ImportError {
        ImportError::invalid(self.at.at_row(pos(r, 0).row), kind, message)
    }

    fn not_a_number(&self, r: usize, c: usize, what: &str, text: &str, example: &str) -> ImportError {
        self.err_cell(
            r,
            c,
            ErrorKind::NotANumber,
            format!("{what} \"{text}\" 不是数字；请填写数字（如 {example}），不适用的填 “/”"),
        )
    }

    fn row(&mut self, r: usize, cells: &[Cell<'g>]) -> Result<(), ImportError> {
        let Some(first) = cells.first().copied() else {
            return Ok(());
        };
        let n = norm(first.text);
        let n = n.as_ref();
        let label_field = self.lay.field(n);
        if is_indicator_header(&self.lay, cells) {
            return self.indicator_header(r, cells);
        }
        match self.stage {
            Stage::Indicators => {
                if self.lay.is_sum_label(n) {
                    return self.sum_row(r, cells);
                }
                if self.lay.is_total_label(n) {
                    return self.total_row(r, cells);
                }
                if label_field.is_some() {
                    self.stage = Stage::Closing;
                    return self.label_row(r, cells);
                }
                return self.indicator_row(r, cells);
            }
            Stage::Closing if label_field.is_none() && !self.lay.is_total_label(n) => {
                for c in cells {
                    self.leave(r, c.col, "总分行之后未识别的内容");
                }
                return Ok(());
            }
            _ => {}
        }
        if self.lay.is_title(n) {
            self.take(r, first.col);
            self.years.push((Rank::Title, first.text, pos(r, first.col)));
            for c in cells.iter().skip(1) {
                self.years.push((Rank::Title, c.text, pos(r, c.col)));
                self.leave(r, c.col, "标题行中的其他文字");
            }
            return Ok(());
        }
        if label_field.is_some() {
            if self.stage != Stage::Head {
                self.stage = Stage::Head;
            }
            return self.label_row(r, cells);
        }
        let funds_labels = cells
            .iter()
            .filter(|c| self.lay.funds_column(&norm(c.text)).is_some())
            .count();
        // Inside the funds table, "项目资金 (元)" on a row without column labels is a merged cell
        // filled down, not a new header.
        if funds_labels >= 3 || (self.lay.is_funds_block_label(n) && !(self.stage == Stage::Funds && funds_labels == 0))
        {
            return self.funds_header(r, cells);
        }
        if self.lay.is_goals_block(n) {
            return self.goals_header(r, cells);
        }
        if self.lay.is_total_label(n) {
            return self.total_row(r, cells);
        }
        match self.stage {
            Stage::Funds => self.funds_row(r, cells),
            Stage::GoalTexts => {
                self.goal_texts(r, cells);
                Ok(())
            }
            _ => {
                let before_blocks = self.funds.is_none() && self.header.is_none();
                for c in cells {
                    // Filing dates ("填报日期：2022年3月15日") are written the year after the
                    // budget year: never evidence of it.
                    if before_blocks && !self.lay.is_filing_note(c.text) {
                        self.years.push((Rank::Title, c.text, pos(r, c.col)));
                    }
                    self.leave(
                        r,
                        c.col,
                        if before_blocks {
                            "表头前未识别的文字"
                        } else {
                            "未识别的行"
                        },
                    );
                }
                Ok(())
            }
        }
    }

    /// Label/value rows: identity, Sichuan goals, narrative, grade.
    fn label_row(&mut self, r: usize, cells: &[Cell<'g>]) -> Result<(), ImportError> {
        let mut current: Option<(Field, &'g str)> = None;
        let mut filled = false;
        for c in cells {
            if let Some(f) = self.lay.field(&norm(c.text)) {
                if f == Field::Ignored {
                    self.leave(r, c.col, format!("本工具不读取“{}”", c.text));
                } else {
                    self.take(r, c.col);
                }
                if f == Field::Name {
                    self.name_seen = true;
                }
                current = Some((f, c.text));
                filled = false;
                continue;
            }
            match current {
                None => self.leave(r, c.col, "行首未识别的文字"),
                Some((Field::Ignored, label)) => self.leave(r, c.col, format!("本工具不读取“{label}”")),
                Some((_, label)) if filled => self.leave(r, c.col, format!("“{label}”后多余的单元格")),
                Some((f, label)) => {
                    filled = true;
                    self.assign(f, label, r, *c)?;
                }
            }
        }
        Ok(())
    }

    fn assign(&mut self, f: Field, label: &str, r: usize, c: Cell<'g>) -> Result<(), ImportError> {
        let pointer = match f {
            Field::Name => "/project/name",
            Field::Amount => "/project/amount",
            Field::Department => "/project/department",
            Field::Implementer => "/project/implementer",
            Field::GoalExpected => "/goals/expected",
            Field::GoalAchieved => "/goals/achieved",
            Field::Overview => "/narrative/overview",
            Field::Conclusion => "/narrative/conclusion",
            Field::Problems => "/narrative/problems",
            Field::Improvements => "/narrative/improvements",
            Field::Grade => "/total/grade_reported",
            Field::Ignored => return Ok(()),
        };
        if let Some(prev) = self.doc.provenance.get(pointer) {
            self.leave(r, c.col, format!("“{label}”已在第 {} 行填写", prev.row));
            return Ok(());
        }
        if self.lay.is_not_applicable(c.text) {
            self.take(r, c.col);
            return Ok(());
        }
        let text = c.text.to_owned();
        match f {
            Field::Name => {
                let (code, name) = split_code(c.text);
                self.doc.project.name = name.to_owned();
                if let Some(code) = code {
                    self.doc.project.code = Some(code.to_owned());
                    self.doc.provenance.insert("/project/code".to_owned(), pos(r, c.col));
                }
                self.years.push((Rank::Title, c.text, pos(r, c.col)));
            }
            Field::Amount => {
                let amount =
                    parse_decimal(c.text).ok_or_else(|| self.not_a_number(r, c.col, label, c.text, "3700700"))?;
                self.doc.project.amount = Some(amount);
            }
            Field::Department => self.doc.project.department = Some(text),
            Field::Implementer => self.doc.project.implementer = Some(text),
            Field::GoalExpected => {
                self.doc.goals.expected = text;
                self.years.push((Rank::Goals, c.text, pos(r, c.col)));
            }
            Field::GoalAchieved => {
                self.doc.goals.achieved = text;
                self.years.push((Rank::Goals, c.text, pos(r, c.col)));
            }
            Field::Overview => {
                self.doc.narrative.overview = Some(text);
                self.years.push((Rank::Goals, c.text, pos(r, c.col)));
            }
            Field::Conclusion => self.doc.narrative.conclusion = Some(text),
            Field::Problems => self.doc.narrative.problems = Some(text),
            Field::Improvements => self.doc.narrative.improvements = Some(text),
            Field::Grade => self.doc.total.grade_reported = Some(text),
            Field::Ignored => {}
        }
        self.map(pointer.to_owned(), r, c.col);
        Ok(())
    }

    fn funds_header(&mut self, r: usize, cells: &[Cell<'g>]) -> Result<(), ImportError> {
        if let Some(prev) = &self.funds {
            return Err(self.err_row(
                r,
                ErrorKind::UnknownRow,
                format!("第二个资金表头（第一个在第 {} 行）；一张自评表只能有一个资金表，若是另一张表，请在前面加上“项目名称”行", prev.row + 1),
            ));
        }
        let mut cols: Vec<(usize, FundsCol, String)> = Vec::new();
        for c in cells {
            let n = norm(c.text);
            if let Some(kind) = self.lay.funds_column(&n) {
                if cols.iter().any(|(_, k, _)| *k == kind) {
                    return Err(self.err_cell(
                        r,
                        c.col,
                        ErrorKind::UnknownColumn,
                        format!("资金表头“{}”与前面的列重复；请删除重复的列", c.text),
                    ));
                }
                cols.push((c.col, kind, c.text.to_owned()));
                self.take(r, c.col);
            } else if let Some(block) = self.lay.funds_block(&n).filter(|_| cols.is_empty()) {
                // The unit its parentheses state ("项目资金（万元）"); 元 when none does.
                match block.unit {
                    Some(unit) => {
                        self.doc.funds.unit = unit.to_owned();
                        self.map("/funds/unit".to_owned(), r, c.col);
                    }
                    None => self.take(r, c.col),
                }
            } else {
                return Err(self.err_cell(
                    r,
                    c.col,
                    ErrorKind::UnknownColumn,
                    format!(
                        "资金表头“{}”无法识别；可识别的列有：年初预算数、全年预算数（调整后预算数）、全年执行数（预算执行数）、分值（权重）、执行率、得分、原因；请改成其中之一",
                        c.text
                    ),
                ));
            }
        }
        let has = |k: FundsCol| cols.iter().any(|(_, kk, _)| *kk == k);
        if !has(FundsCol::Executed) || !(has(FundsCol::Adjusted) || has(FundsCol::Initial)) {
            return Err(self.err_row(
                r,
                ErrorKind::MissingBlock,
                "资金表头缺少“全年预算数”（或“年初预算数”）和“全年执行数”列；请按模板补全表头".to_owned(),
            ));
        }
        let first_data_col = cols.iter().map(|(c, _, _)| *c).min().unwrap_or(0);
        self.funds = Some(Rc::new(FundsHeader {
            cols,
            first_data_col,
            row: r,
        }));
        self.stage = Stage::Funds;
        Ok(())
    }

    fn funds_row(&mut self, r: usize, cells: &[Cell<'g>]) -> Result<(), ImportError> {
        let Some(header) = self.funds.clone() else {
            return Ok(());
        };
        let mut label: Option<(String, usize)> = None;
        for c in cells.iter().filter(|c| c.col < header.first_data_col) {
            let n = norm(c.text);
            // "项目资金 (元)" filled down from a merged cell.
            if label.is_none() && self.lay.is_funds_block_label(&n) {
                self.take(r, c.col);
                continue;
            }
            let stripped = self.lay.strip_part_prefix(&n);
            if label.is_none() && !stripped.is_empty() {
                label = Some((stripped.to_owned(), c.col));
                self.take(r, c.col);
            } else if label.is_none() {
                self.take(r, c.col);
            } else {
                self.leave(r, c.col, "资金行名后多余的单元格");
            }
        }
        let Some((label, label_col)) = label else {
            return Err(self.err_row(
                r,
                ErrorKind::UnknownRow,
                "资金表中这一行没有行名（应为“年度资金总额”或“其中：当年财政拨款”等）；请补上行名".to_owned(),
            ));
        };
        let is_total = !self.funds_total_seen && self.lay.is_funds_total(&label);
        let data: Vec<(Cell<'g>, Option<(FundsCol, &str)>)> = cells
            .iter()
            .filter(|c| c.col >= header.first_data_col)
            .map(|c| {
                (
                    *c,
                    header
                        .cols
                        .iter()
                        .find(|(col, _, _)| *col == c.col)
                        .map(|(_, k, l)| (*k, l.as_str())),
                )
            })
            .collect();
        let known_part = self.lay.is_funds_part(&label);
        if !is_total && !known_part && !data.iter().any(|(_, k)| k.is_some()) {
            return Err(self.err_row(
                r,
                ErrorKind::UnknownRow,
                format!("资金表中无法识别的行“{label}”：没有任何金额；若是说明文字，请移到表格之外"),
            ));
        }
        let base = if is_total {
            "/funds/total".to_owned()
        } else {
            format!("/funds/parts/{}", self.doc.funds.parts.len())
        };
        let mut row = FundsRow {
            label: label.clone(),
            ..FundsRow::default()
        };
        self.doc.provenance.insert(format!("{base}/label"), pos(r, label_col));
        for (c, kind) in data {
            let Some((kind, col_label)) = kind else {
                self.leave(r, c.col, "不在资金表头任何一列之下");
                continue;
            };
            if self.lay.is_not_applicable(c.text) {
                self.take(r, c.col);
                continue;
            }
            let (field, value) = match kind {
                FundsCol::Note => {
                    row.note = Some(c.text.to_owned());
                    self.map(format!("{base}/note"), r, c.col);
                    continue;
                }
                FundsCol::Rate => ("rate_reported", parse_rate(c.text)),
                FundsCol::Initial => ("budget_initial", parse_decimal(c.text)),
                FundsCol::Adjusted => ("budget_adjusted", parse_decimal(c.text)),
                FundsCol::Executed => ("executed", parse_decimal(c.text)),
                FundsCol::Weight => ("weight", parse_decimal(c.text)),
                FundsCol::Score => ("score_reported", parse_decimal(c.text)),
            };
            let example = match kind {
                FundsCol::Rate => "0.98 或 98.00%",
                FundsCol::Weight | FundsCol::Score => "10",
                _ => "890000.00",
            };
            let value = value.ok_or_else(|| self.not_a_number(r, c.col, col_label, c.text, example))?;
            let slot = match kind {
                FundsCol::Rate => &mut row.rate_reported,
                FundsCol::Initial => &mut row.budget_initial,
                FundsCol::Adjusted => &mut row.budget_adjusted,
                FundsCol::Executed => &mut row.executed,
                FundsCol::Weight => &mut row.weight,
                FundsCol::Score | FundsCol::Note => &mut row.score_reported,
            };
            *slot = Some(value);
            self.map(key(&base, field), r, c.col);
        }
        if is_total {
            self.doc.funds.total = row;
            self.funds_total_seen = true;
        } else {
            self.doc.funds.parts.push(row);
        }
        Ok(())
    }

    fn goals_header(&mut self, r: usize, cells: &[Cell<'g>]) -> Result<(), ImportError> {
        // "年度总体目标" filled down from a merged cell onto the texts row.
        if self.stage == Stage::GoalTexts
            && let Some((first, rest)) = cells.split_first()
        {
            self.take(r, first.col);
            self.goal_texts(r, rest);
            return Ok(());
        }
        let mut expected = None;
        let mut achieved = None;
        let mut inline: Vec<Cell<'g>> = Vec::new();
        for (k, c) in cells.iter().enumerate() {
            if k == 0 {
                self.take(r, c.col);
                continue;
            }
            match self.lay.goal_column(&norm(c.text)) {
                Some(Field::GoalExpected) if expected.is_none() => {
                    expected = Some(c.col);
                    self.take(r, c.col);
                }
                Some(Field::GoalAchieved) if achieved.is_none() => {
                    achieved = Some(c.col);
                    self.take(r, c.col);
                }
                _ => inline.push(*c),
            }
        }
        if expected.is_some() || achieved.is_some() {
            for c in inline {
                self.leave(r, c.col, "年度总体目标表头中未识别的文字");
            }
            self.goal_cols = (expected, achieved);
            self.stage = Stage::GoalTexts;
        } else {
            let mut it = inline.into_iter();
            if let Some(c) = it.next() {
                self.assign(Field::GoalExpected, "年度总体目标", r, c)?;
            }
            for c in it {
                self.leave(r, c.col, "年度总体目标后多余的单元格");
            }
            self.stage = Stage::Head;
        }
        Ok(())
    }

    fn goal_texts(&mut self, r: usize, cells: &[Cell<'g>]) {
        let (expected_col, achieved_col) = self.goal_cols;
        let split = achieved_col.or(expected_col.map(|c| c + 1)).unwrap_or(usize::MAX);
        let mut by_col: Vec<(Field, Cell<'g>)> = cells
            .iter()
            .map(|c| {
                (
                    if c.col >= split && achieved_col.is_some() {
                        Field::GoalAchieved
                    } else {
                        Field::GoalExpected
                    },
                    *c,
                )
            })
            .collect();
        // Two texts that both fall on one side are still expected-then-achieved.
        if let [(a, _), (b, _)] = by_col.as_mut_slice()
            && *a == *b
            && expected_col.is_some()
            && achieved_col.is_some()
        {
            *a = Field::GoalExpected;
            *b = Field::GoalAchieved;
        }
        for (f, c) in by_col {
            let label = if f == Field::GoalExpected {
                "预期目标"
            } else {
                "实际完成情况"
            };
            // assign() only fails for amounts; goal texts never do.
            if self.assign(f, label, r, c).is_err() {
                self.leave(r, c.col, "无法读取的目标文字");
            }
        }
        self.stage = Stage::Head;
    }

    fn indicator_header(&mut self, r: usize, cells: &[Cell<'g>]) -> Result<(), ImportError> {
        if self.header.is_some() {
            return Err(self.err_row(
                r,
                ErrorKind::UnknownRow,
                format!(
                    "第二个绩效指标表头（第一个在第 {} 行）；若是另一张表，请在前面加上“项目名称”行",
                    self.header_row + 1
                ),
            ));
        }
        let mut cols: Vec<(usize, &str)> = Vec::new();
        for c in cells {
            let n = norm(c.text);
            if cols.is_empty() && self.lay.is_indicator_block(&n) {
                self.take(r, c.col);
            } else {
                cols.push((c.col, c.text));
            }
        }
        let header = Header::from_cells(&self.lay, &cols).map_err(|(col, msg)| {
            let advice = "；可识别的列有：一级指标、二级指标、三级指标、指标性质、年度指标值（指标值）、度量单位、实际完成值（完成值）、分值（权重）、得分、偏差原因分析及改进措施（未完成原因分析）";
            if col == usize::MAX {
                self.err_row(r, ErrorKind::UnknownColumn, format!("{msg}{advice}"))
            } else {
                self.err_cell(r, col, ErrorKind::UnknownColumn, format!("{msg}{advice}"))
            }
        })?;
        for (col, _) in &cols {
            self.take(r, *col);
        }
        self.header = Some(Rc::new(header));
        self.header_row = r;
        self.stage = Stage::Indicators;
        Ok(())
    }

    fn indicator_row(&mut self, r: usize, cells: &[Cell<'g>]) -> Result<(), ImportError> {
        let Some(header) = self.header.clone() else {
            return Ok(());
        };
        let placed = indicators::place(&self.lay, &header, cells, r)
            .map_err(|msg| self.err_row(r, ErrorKind::UnknownRow, msg))?;
        for c in &placed.repeated {
            self.take(r, c.col);
        }
        let index = self.doc.indicators.len();
        let base = format!("/indicators/{index}");
        if let Some(l1) = &placed.l1 {
            self.take(r, l1.cell.col);
            self.l1 = Some(Carried {
                label: l1.base.clone(),
                at: pos(r, l1.cell.col),
            });
            self.l2 = None;
            if let Some(w) = l1.weight {
                self.declare(l1.base.clone(), None, w, r, l1.cell.col);
            }
        }
        if let Some(l2) = &placed.l2 {
            self.take(r, l2.cell.col);
            self.l2 = Some(Carried {
                label: l2.base.clone(),
                at: pos(r, l2.cell.col),
            });
            if let Some(w) = l2.weight {
                let l1 = self.l1.as_ref().map(|c| c.label.clone()).unwrap_or_default();
                self.declare(l1, Some(l2.base.clone()), w, r, l2.cell.col);
            }
        }
        let Some(l1) = self.l1.clone() else {
            let first = cells.first().map_or("", |c| c.text);
            return Err(self.err_row(
                r,
                ErrorKind::UnknownRow,
                format!("指标表中无法识别的行“{first}”：找不到它所属的一级指标（产出指标、效益指标、满意度指标等）；请补上一级指标，或把说明文字移到表格之外"),
            ));
        };
        if !placed.realigned.is_empty() {
            self.doc.realignments.push(Realignment {
                row: pos(r, 0).row,
                action: format!("{}，已按内容归位", placed.realigned.join("；")),
            });
        }
        let Some(name) = placed.name else {
            // A row of labels only: a placeholder when it names a 二级指标 ("经济效益指标" with no
            // indicator), otherwise just a 一级 header row.
            if let Some(l2) = self.l2.clone().filter(|_| placed.l2.is_some()) {
                self.doc.provenance.insert(format!("{base}/level1"), l1.at);
                self.doc.provenance.insert(format!("{base}/level2"), l2.at);
                self.doc.indicators.push(Indicator {
                    level1: l1.label,
                    level2: Some(l2.label),
                    placeholder: true,
                    ..Indicator::default()
                });
            }
            return Ok(());
        };
        let lay = Arc::clone(&self.lay);
        let clean = lay.clean_name(name.text);
        if !clean.removed.is_empty() {
            self.doc.realignments.push(Realignment {
                row: pos(r, 0).row,
                action: format!(
                    "三级指标“{}”去掉了{}（格式文件中的标记与未填写的模板占位），读作“{}”",
                    name.text,
                    clean.removed.iter().map(|m| format!("“{m}”")).collect::<String>(),
                    clean.name
                ),
            });
        }
        let mut ind = Indicator {
            level1: l1.label.clone(),
            level2: self.l2.as_ref().map(|c| c.label.clone()),
            name: clean.name.into_owned(),
            ..Indicator::default()
        };
        self.doc.provenance.insert(key(&base, "level1"), l1.at);
        if let Some(l2) = &self.l2 {
            self.doc.provenance.insert(key(&base, "level2"), l2.at);
        }
        self.map(key(&base, "name"), r, name.col);
        for (kind, c) in &placed.values {
            if self.lay.is_not_applicable(c.text) && !matches!(kind, IndCol::Target | IndCol::Actual) {
                self.take(r, c.col);
                continue;
            }
            let field = match kind {
                IndCol::Target => {
                    ind.target = c.text.to_owned();
                    "target"
                }
                IndCol::Actual => {
                    ind.actual = c.text.to_owned();
                    "actual"
                }
                IndCol::Comparator => {
                    ind.comparator = Some(c.text.to_owned());
                    "comparator"
                }
                IndCol::Unit => {
                    ind.unit = Some(c.text.to_owned());
                    "unit"
                }
                IndCol::Note => {
                    ind.note = Some(c.text.to_owned());
                    "note"
                }
                IndCol::Weight | IndCol::Score => {
                    let what = if *kind == IndCol::Weight { "分值" } else { "得分" };
                    let v = parse_decimal(c.text).ok_or_else(|| self.not_a_number(r, c.col, what, c.text, "12.5"))?;
                    if *kind == IndCol::Weight {
                        ind.weight = Some(v);
                        "weight"
                    } else {
                        ind.score_reported = Some(v);
                        "score_reported"
                    }
                }
                IndCol::Level1 | IndCol::Level2 | IndCol::Name => continue,
            };
            self.map(key(&base, field), r, c.col);
        }
        for c in &placed.extras {
            self.leave(r, c.col, "多出的单元格（表头没有对应的列）");
        }
        if ind.unit.is_none()
            && let Some(unit) = unit_from_name(&ind.name)
        {
            ind.unit = Some(unit.to_owned());
            self.doc.provenance.insert(format!("{base}/unit"), pos(r, name.col));
        }
        let no_values =
            ind.target.is_empty() && ind.actual.is_empty() && ind.weight.is_none() && ind.score_reported.is_none();
        // "无" / "/" rows, and template rows left unfilled ("指标2", "……").
        ind.placeholder = self.lay.is_no_indicator(name.text) || (no_values && self.lay.is_template_row(name.text));
        if !ind.placeholder && no_values {
            return Err(self.err_row(
                r,
                ErrorKind::UnknownRow,
                format!("指标表中无法识别的行“{}”：既不是指标标签，也没有指标值、完成值或分值；若是说明文字，请移到表格之外", name.text),
            ));
        }
        for (kind, c) in &placed.values {
            if matches!(kind, IndCol::Target) || (*kind == IndCol::Actual) {
                let rank = if *kind == IndCol::Target {
                    Rank::Targets
                } else {
                    Rank::Actuals
                };
                self.years.push((rank, c.text, pos(r, c.col)));
            }
        }
        self.years.push((Rank::Targets, name.text, pos(r, name.col)));
        self.doc.indicators.push(ind);
        Ok(())
    }

    fn declare(&mut self, level1: String, level2: Option<String>, weight: Decimal, r: usize, c: usize) {
        if self
            .doc
            .declared_weights
            .iter()
            .any(|d| d.level1 == level1 && d.level2 == level2)
        {
            return;
        }
        let k = self.doc.declared_weights.len();
        self.doc
            .provenance
            .insert(format!("/declared_weights/{k}/weight"), pos(r, c));
        self.doc
            .declared_weights
            .push(DeclaredWeight { level1, level2, weight });
    }

    /// Numbers of a 合计/总分 row in order, with n/a cells consumed and texts returned.
    fn numbers(&mut self, r: usize, cells: &[Cell<'g>]) -> (Vec<(Decimal, usize)>, Vec<Cell<'g>>) {
        let mut nums = Vec::new();
        let mut texts = Vec::new();
        for c in cells.iter().skip(1) {
            if let Some(v) = parse_decimal(c.text) {
                nums.push((v, c.col));
            } else if self.lay.is_not_applicable(c.text) {
                self.take(r, c.col);
            } else {
                texts.push(*c);
            }
        }
        (nums, texts)
    }

    fn sum_row(&mut self, r: usize, cells: &[Cell<'g>]) -> Result<(), ImportError> {
        if let Some(first) = cells.first() {
            self.take(r, first.col);
        }
        let (nums, texts) = self.numbers(r, cells);
        let mut sum = IndicatorSum::default();
        let mut it = nums.into_iter();
        if let Some((w, c)) = it.next() {
            sum.weight = Some(w);
            self.map("/indicator_sum/weight".to_owned(), r, c);
        }
        if let Some((s, c)) = it.next() {
            sum.score_reported = Some(s);
            self.map("/indicator_sum/score_reported".to_owned(), r, c);
        }
        for (_, c) in it {
            self.leave(r, c, "合计行中多余的数值");
        }
        for c in texts {
            self.leave(r, c.col, "合计行中未识别的文字");
        }
        self.doc.indicator_sum = Some(sum);
        self.total_seen = true;
        Ok(())
    }

    fn total_row(&mut self, r: usize, cells: &[Cell<'g>]) -> Result<(), ImportError> {
        if let Some(first) = cells.first() {
            self.take(r, first.col);
        }
        let (nums, texts) = self.numbers(r, cells);
        let (weight, score) = match nums.as_slice() {
            [] => (None, None),
            [one] => (None, Some(*one)),
            [w, s, rest @ ..] => {
                for (_, c) in rest {
                    self.leave(r, *c, "总分行中多余的数值");
                }
                (Some(*w), Some(*s))
            }
        };
        if let Some((w, c)) = weight {
            self.doc.total.weight = Some(w);
            self.map("/total/weight".to_owned(), r, c);
        }
        if let Some((s, c)) = score {
            self.doc.total.score_reported = Some(s);
            self.map("/total/score_reported".to_owned(), r, c);
        }
        if let (Some(header), Some((_, wc)), Some((_, sc))) = (&self.header, weight, score) {
            let (hw, hs) = (header.col_of(IndCol::Weight), header.col_of(IndCol::Score));
            if (Some(wc), Some(sc)) != (hw, hs) {
                let l = |c: Option<usize>| c.map_or_else(|| "?".to_owned(), |c| column_letters(pos(r, c).column));
                self.doc.realignments.push(Realignment {
                    row: pos(r, 0).row,
                    action: format!(
                        "总分行的满分与得分位于 {}、{} 列（指标表头的分值、得分在 {}、{} 列），已按内容读取",
                        l(Some(wc)),
                        l(Some(sc)),
                        l(hw),
                        l(hs)
                    ),
                });
            }
        }
        let mut grade_label = false;
        for c in texts {
            let n = norm(c.text);
            if self.lay.field(&n) == Some(Field::Grade) {
                self.take(r, c.col);
                grade_label = true;
            } else if (grade_label || self.lay.is_grade(c.text)) && self.doc.total.grade_reported.is_none() {
                self.doc.total.grade_reported = Some(c.text.to_owned());
                self.map("/total/grade_reported".to_owned(), r, c.col);
            } else if self.doc.total.note.is_none() {
                self.doc.total.note = Some(c.text.to_owned());
                self.map("/total/note".to_owned(), r, c.col);
            } else {
                self.leave(r, c.col, "总分行中多余的文字");
            }
        }
        self.total_seen = true;
        self.stage = Stage::Closing;
        Ok(())
    }

    fn form_range(&self) -> String {
        format!("第 {}–{} 行的自评表", self.span.first + 1, self.span.last + 1)
    }

    fn finish(mut self, opts: &ImportOptions) -> Result<ImportedForm, ImportError> {
        let last = self.span.last;
        if !self.name_seen || self.doc.project.name.is_empty() {
            return Err(self.err_row(
                self.span.first,
                ErrorKind::MissingBlock,
                format!(
                    "{}没有“项目名称”（或项目名称是空的）；请补上项目名称",
                    self.form_range()
                ),
            ));
        }
        if self.funds.is_none() {
            return Err(self.err_row(
                last,
                ErrorKind::MissingBlock,
                format!(
                    "{}缺少资金表（“项目资金”表头及年初预算数、全年预算数、全年执行数等列）；表格可能不完整",
                    self.form_range()
                ),
            ));
        }
        if !self.funds_total_seen {
            let header_row = self.funds.as_ref().map_or(last, |f| f.row);
            return Err(self.err_row(
                header_row,
                ErrorKind::MissingBlock,
                "资金表（表头在本行）下面没有“年度资金总额”（或“总额”）行；请补上".to_owned(),
            ));
        }
        if self.header.is_none() {
            return Err(self.err_row(
                last,
                ErrorKind::MissingBlock,
                format!(
                    "{}缺少绩效指标表头（一级指标、二级指标、三级指标、年度指标值、实际完成值、分值、得分）；表格可能被截断，请检查是否复制完整",
                    self.form_range()
                ),
            ));
        }
        if !self.total_seen {
            return Err(self.err_row(
                last,
                ErrorKind::MissingBlock,
                format!("{}缺少“总分”行；表格可能被截断，请检查是否复制完整", self.form_range()),
            ));
        }

        self.doc.year = match opts.year {
            Some(y) => y,
            None => match year::infer(&self.years) {
                YearGuess::Found(y, at) => {
                    self.doc.provenance.insert("/year".to_owned(), at);
                    // A cell saying only the year ("（2022年度）") is the year field itself.
                    if self.reasons.contains_key(&at)
                        && is_year_only(self.grid.cell(
                            (at.row as usize).saturating_sub(1),
                            (at.column as usize).saturating_sub(1),
                        ))
                    {
                        self.reasons.remove(&at);
                        self.consumed.push(at);
                    }
                    y
                }
                YearGuess::Unknown => match opts.default_year {
                    Some(y) => y,
                    None => {
                        return Err(self.err_row(
                            self.span.first,
                            ErrorKind::MissingYear,
                            "无法确定预算年度：表中没有写明年度，请用 --year 指定（或用 --default-year 只为没有写明年度的表指定）"
                                .to_owned(),
                        ));
                    }
                },
                YearGuess::Ambiguous(rank, years) => {
                    let list = years.iter().map(i32::to_string).collect::<Vec<_>>().join("、");
                    return Err(self.err_row(
                        self.span.first,
                        ErrorKind::AmbiguousYear,
                        format!(
                            "无法确定预算年度：{}中写了多个年度（{list}），请用 --year 指定",
                            rank.label()
                        ),
                    ));
                }
            },
        };
        self.doc.region = opts.region.clone();
        self.doc.id = derive_id(
            self.doc.year,
            self.doc.project.department.as_deref(),
            &self.doc.project.name,
        );

        self.consumed.sort_unstable();
        self.consumed.dedup();
        let lay = Arc::clone(&self.lay);
        // Signature labels anywhere on the form, each once, in sheet order: which layout family
        // the form is, and why.
        let mut seen: Vec<(&str, CellPos)> = Vec::new();
        let mut unmapped = Vec::new();
        let mut cells = Vec::with_capacity(16);
        for r in self.span.first..=self.span.last {
            fill_cells(self.grid, r, &mut cells);
            for c in &cells {
                let at = pos(r, c.col);
                if let Some(label) = lay.signature_label(c.text)
                    && !seen.iter().any(|(l, _)| *l == label)
                {
                    seen.push((label, at));
                }
                if self.consumed.binary_search(&at).is_err() {
                    let reason = self.reasons.remove(&at).unwrap_or_else(|| "未识别的单元格".to_owned());
                    unmapped.push(UnmappedCell {
                        at,
                        text: c.text.to_owned(),
                        reason: Some(reason),
                    });
                }
            }
        }
        self.doc.unmapped = unmapped;
        let labels: Vec<&str> = seen.iter().map(|(l, _)| *l).collect();
        if let Some(choice) = lay.choose_family(&labels) {
            let mut signature = Vec::with_capacity(choice.seen.len());
            for (i, (label, at)) in choice.seen.iter().filter_map(|&k| seen.get(k)).enumerate() {
                self.doc.provenance.insert(format!("/layout/signature/{i}"), *at);
                signature.push((*label).to_owned());
            }
            self.doc.layout = Some(Layout {
                family: choice.family.id.clone(),
                title: choice.family.title.clone(),
                signature,
            });
        }
        self.doc.realignments.sort_by_key(|r| r.row);
        Ok(ImportedForm {
            document: self.doc,
            consumed: self.consumed,
        })
    }
}

/// JSON pointer `{base}/{field}`, without the formatting machinery (it runs per cell).
fn key(base: &str, field: &str) -> String {
    let mut k = String::with_capacity(base.len() + field.len() + 1);
    k.push_str(base);
    k.push('/');
    k.push_str(field);
    k
}

/// Puts the non-empty (trimmed) cells of row `r` into `out`.
fn fill_cells<'g>(grid: &'g Grid, r: usize, out: &mut Vec<Cell<'g>>) {
    out.clear();
    if let Some(row) = grid.row(r) {
        out.extend(row.iter().enumerate().filter_map(|(col, text)| {
            let text = text.trim();
            (!text.is_empty()).then_some(Cell { col, text })
        }));
    }
}

/// True when a row is the indicator table header (has 一级 and 三级 column labels).
fn is_indicator_header(layouts: &Layouts, cells: &[Cell<'_>]) -> bool {
    let mut l1 = false;
    let mut name = false;
    for c in cells {
        match layouts.indicator_column(&norm(c.text)) {
            Some(IndCol::Level1) => l1 = true,
            Some(IndCol::Name) => name = true,
            _ => {}
        }
    }
    l1 && name
}

/// True for a cell holding only a year: "2022年", "（2022年度）".
fn is_year_only(text: &str) -> bool {
    let rest: String = text
        .chars()
        .filter(|c| !matches!(c, '(' | ')' | '（' | '）' | '年' | '度') && !c.is_whitespace())
        .collect();
    rest.len() == 4 && rest.bytes().all(|b| b.is_ascii_digit())
}
