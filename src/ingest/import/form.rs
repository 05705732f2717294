//! Splitting a grid into forms, recognising each form's blocks by their labels, and filling the
//! [`EvaluationDocument`].
//!
//! A form starts at a "…自评表" title row or, absent a title, at a 项目名称 row, and ends before
//! the next form starts; rows above the first form belong to it. A title or 项目名称 row after a
//! form's indicator table starts the next form too: a page holding the tail of one form (no name
//! of its own) and the head of the next gives two forms. Inside a form, rows are read in order by
//! what their first cell says: label/value rows (项目名称, 项目金额, 主管部门, 实施单位, 项目年度目标,
//! 评价结论 …), the funds header and its rows, 年度总体目标 with the texts row below it, the
//! indicator header and its rows (placed by `indicators`), 合计, 总分. Columns of the funds and
//! indicator tables come from their header rows' labels, never from fixed positions.
//!
//! Nothing is dropped for a cell the reader cannot place: the cell (or row, or header cell) is
//! listed as unmapped with its reason, and the document carries an [`ImportIssue`] saying what
//! was met and what was done — a row or header it could not place (`unrecognised`), a block the
//! form lacks (`incomplete`), a template row left unfilled (`template_unfilled`), a missing
//! 项目名称 (`fragment`), weights the table does not state per indicator (`weights_not_stated`).
//! Only a span with neither a funds table nor an indicator table holds no form (an error), and
//! the budget year must be known.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::indicators::{self, Cell, Header};
use super::labels::{Field, FundsCol, IndCol, Layouts, norm};
use super::value::{
    is_number_out_of_range, parse_chinese_number, parse_decimal, parse_rate, split_code, unit_from_name,
};
use super::year::{self, Rank, YearGuess};
use super::{ErrorKind, Grid, ImportError, ImportOptions, ImportedForm};
use crate::model::diagnostic::Loc;
use crate::model::document::{
    CellPos, DeclaredWeight, EvaluationDocument, FormBlock, Funds, FundsRow, ImportIssue, ImportIssueKind, Indicator,
    IndicatorSum, Layout, Project, Realignment, ScoredBlock, SourceForm, UnmappedCell, WeightBasis, column_letters,
    derive_id,
};

/// The 项目名称 of a form that states none (a fragment; the import issue says so).
pub const NO_NAME: &str = "（无项目名称）";

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

/// The form-start rule, fed one row at a time in sheet order: a form starts at a "…自评表"
/// title row or, absent a title, at a 项目名称 row; after a form's indicator header, a title or
/// 项目名称 row starts the next form. Shared by [`split_forms`] and the streaming importer so
/// both split a sheet identically.
#[derive(Debug, Clone, Default)]
pub struct StartDetector {
    content: bool,
    has_title: bool,
    has_name: bool,
    body: bool,
    any_start: bool,
}

impl StartDetector {
    /// Classifies the next row of the sheet (titles, 项目名称 labels and indicator headers as
    /// `layouts` write them).
    pub fn row(&mut self, layouts: &Layouts, row: &[String]) -> RowStart {
        let mut texts = row.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
        let Some(first) = texts.next() else {
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
            if self.has_title || self.has_name || self.body {
                kind = RowStart::Next;
                self.has_name = false;
            }
            self.body = false;
            self.has_title = true;
            self.any_start = true;
        } else if layouts.field(&n) == Some(Field::Name) {
            if self.has_name || self.body {
                kind = RowStart::Next;
                self.has_title = false;
            }
            self.body = false;
            self.has_name = true;
            self.any_start = true;
        } else if !self.body
            && (layouts.indicator_column(&n) == Some(IndCol::Level1)
                || (layouts.is_indicator_block(&n)
                    && texts
                        .next()
                        .is_some_and(|c| layouts.indicator_column(&norm(c)) == Some(IndCol::Level1))))
        {
            // The indicator header: what follows is the form's body, and a sheet holding only
            // the tail of a form (from its indicator header on) holds a form.
            self.body = true;
            self.any_start = true;
        }
        kind
    }

    /// True once a row with content has been seen.
    pub fn has_content(&self) -> bool {
        self.content
    }

    /// True once a title, 项目名称 or indicator header row has been seen; a sheet with content
    /// but none of them has no form ([`no_form`]).
    pub fn found_form(&self) -> bool {
        self.any_start
    }
}

/// The error for a sheet with content but neither a title, a 项目名称 row nor an indicator table.
pub fn no_form(at: &Loc) -> ImportError {
    ImportError::invalid(
        at.clone(),
        ErrorKind::NoForm,
        "没有找到项目支出绩效自评表：既没有“…自评表”标题行，也没有“项目名称”行或绩效指标表头；请检查是否选错了文件或工作表",
    )
}

/// Splits a grid into form spans. A sheet with content but no form start is an error.
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

/// A carried-down 一级/二级 label and the cell it came from (none for a 一级 label the form
/// leaves blank).
#[derive(Debug, Clone)]
struct Carried {
    label: String,
    at: Option<CellPos>,
}

/// Template residue met while reading the indicator table, reported once per kind at the end.
#[derive(Debug, Clone, Default)]
struct TemplateResidue {
    /// Rows that are unfilled template rows ("指标2", "……"): first cell and name.
    unfilled: Vec<(CellPos, String)>,
    /// Names still holding a placeholder ("(≥**人)").
    placeholders: Vec<(CellPos, String)>,
    /// Rows with values but no 三级指标 name: the row's first value cell.
    nameless: Vec<CellPos>,
    /// Rows with no 一级指标 written or carried: the row's first cell.
    no_level1: Vec<CellPos>,
}

/// Consecutive rows the reader could not place, reported as one issue.
#[derive(Debug, Clone)]
struct UnknownRun {
    first: usize,
    last: usize,
    at: CellPos,
    text: String,
}

/// Most rows one form may span: real forms have well under two hundred; a span longer than this
/// is other data pasted into the sheet, refused before it is read (memory stays bounded).
pub const MAX_FORM_ROWS: usize = 5_000;

/// The error for a form spanning more than [`MAX_FORM_ROWS`] rows (0-based first and last).
pub fn form_too_long(file: &str, sheet: Option<&str>, first: usize, last: usize) -> ImportError {
    ImportError::invalid(
        Loc::sheet(file, sheet).at_cell(CellPos {
            row: u32::try_from(first + 1).unwrap_or(u32::MAX),
            column: 1,
        }),
        ErrorKind::FormTooLong,
        format!(
            "第 {}–{} 行的自评表有 {} 行，超过一张自评表可有的 {MAX_FORM_ROWS} 行，未读取；请检查是否把其他数据（明细、清单）放在了同一张表中，把它们移到别的工作表或文件",
            first + 1,
            last + 1,
            last + 1 - first
        ),
    )
}

/// Reads one form into a document.
pub fn read_form(file: &str, grid: &Grid, span: &FormSpan, opts: &ImportOptions) -> Result<ImportedForm, ImportError> {
    if span.last.saturating_sub(span.first) >= MAX_FORM_ROWS {
        return Err(form_too_long(file, grid.sheet.as_deref(), span.first, span.last));
    }
    let mut reader = Reader::new(file, grid, span, Arc::clone(&opts.layouts));
    // One buffer for every row's non-empty cells: forms are read by the ten thousand.
    let mut cells = Vec::with_capacity(16);
    for r in span.first..=span.last {
        fill_cells(grid, r, &mut cells);
        reader.row(r, &cells);
    }
    reader.finish(opts)
}

struct Reader<'g> {
    grid: &'g Grid,
    /// The layouts the form is read with (labels, markers, families).
    lay: Arc<Layouts>,
    span: FormSpan,
    at: Loc,
    doc: EvaluationDocument,
    consumed: Vec<CellPos>,
    reasons: HashMap<CellPos, String>,
    years: Vec<(Rank, &'g str, CellPos)>,
    stage: Stage,
    name_seen: bool,
    title_seen: bool,
    funds: Option<Rc<FundsHeader>>,
    funds_total_seen: bool,
    /// The 年度资金总额 row's 执行率 cell: text and place.
    funds_rate: Option<(&'g str, CellPos)>,
    goal_cols: (Option<usize>, Option<usize>),
    header: Option<Rc<Header>>,
    header_row: usize,
    header_seen: bool,
    no_weight_column: bool,
    l1: Option<Carried>,
    l2: Option<Carried>,
    total_seen: bool,
    /// A row was read after the indicator table (合计, 总分, a closing label row).
    after_table: bool,
    template: TemplateResidue,
    unknown: Option<UnknownRun>,
}

fn pos(row: usize, col: usize) -> CellPos {
    CellPos {
        row: u32::try_from(row + 1).unwrap_or(u32::MAX),
        column: u32::try_from(col + 1).unwrap_or(u32::MAX),
    }
}

/// "第 3、5–7 行": rows (1-based, sorted) with runs joined.
fn rows_text(rows: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(&start) = rows.get(i) {
        let mut end = start;
        while rows.get(i + 1) == Some(&(end + 1)) {
            end += 1;
            i += 1;
        }
        parts.push(if end == start {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
        i += 1;
    }
    format!("第 {} 行", parts.join("、"))
}

impl<'g> Reader<'g> {
    fn new(file: &str, grid: &'g Grid, span: &FormSpan, lay: Arc<Layouts>) -> Self {
        let doc = EvaluationDocument {
            format: crate::model::document::DOCUMENT_FORMAT.to_owned(),
            id: String::new(),
            year: 0,
            region: None,
            region_inferred: None,
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
            indicators_weight: None,
            blocks: Vec::new(),
            indicator_sum: None,
            total: Default::default(),
            narrative: Default::default(),
            realignments: Vec::new(),
            unmapped: Vec::new(),
            import_issues: Vec::new(),
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
            title_seen: false,
            funds: None,
            funds_total_seen: false,
            funds_rate: None,
            goal_cols: (None, None),
            header: None,
            header_row: 0,
            header_seen: false,
            no_weight_column: false,
            l1: None,
            l2: None,
            total_seen: false,
            after_table: false,
            template: TemplateResidue::default(),
            unknown: None,
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

    fn err_row(&self, r: usize, kind: ErrorKind, message: String) -> ImportError {
        ImportError::invalid(self.at.at_row(pos(r, 0).row), kind, message)
    }

    /// [`Reader::issue`] at a row's first cell, quoting it.
    fn row_issue(
        &mut self,
        kind: ImportIssueKind,
        r: usize,
        cells: &[Cell<'_>],
        block: Option<FormBlock>,
        detail: String,
    ) {
        let first = cells.first();
        let at = pos(r, first.map_or(0, |c| c.col));
        self.issue(kind, at, first.map(|c| c.text), block, detail);
    }

    /// Records an import issue.
    fn issue(
        &mut self,
        kind: ImportIssueKind,
        at: CellPos,
        text: Option<&str>,
        block: Option<FormBlock>,
        detail: String,
    ) {
        self.doc.import_issues.push(ImportIssue {
            kind,
            at,
            text: text.map(str::to_owned),
            block,
            detail,
        });
    }

    /// A cell the reader cannot use: unmapped with `reason`, and an `unrecognised` issue.
    fn unusable_cell(&mut self, r: usize, c: Cell<'g>, reason: &str, detail: String) {
        self.leave(r, c.col, reason);
        self.issue(ImportIssueKind::Unrecognised, pos(r, c.col), Some(c.text), None, detail);
    }

    /// A row the reader cannot place: every cell unmapped with `reason`, one `unrecognised`
    /// issue at its first cell.
    fn unusable_row(&mut self, r: usize, cells: &[Cell<'g>], reason: &str, detail: String) {
        for c in cells {
            self.leave(r, c.col, reason);
        }
        if let Some(first) = cells.first() {
            self.issue(
                ImportIssueKind::Unrecognised,
                pos(r, first.col),
                Some(first.text),
                None,
                detail,
            );
        }
    }

    /// A cell that must hold a number does not: unmapped, with an issue.
    fn not_a_number(&mut self, r: usize, c: Cell<'g>, what: &str, example: &str) {
        if is_number_out_of_range(c.text) {
            return self.unusable_cell(
                r,
                c,
                "数值超出范围",
                format!(
                    "{what} \"{}\" 超出可接受的范围（{}），未读取；请检查是否多写了位数",
                    c.text,
                    crate::model::range::RANGE_TEXT
                ),
            );
        }
        self.unusable_cell(
            r,
            c,
            "应为数字",
            format!(
                "{what} \"{}\" 不是数字，未读取；请填写数字（如 {example}），不适用的填 “/”",
                c.text
            ),
        );
    }

    /// Reports the run of unrecognised rows so far, if any, as one issue.
    fn flush_unknown(&mut self) {
        if let Some(run) = self.unknown.take() {
            let rows = if run.first == run.last {
                format!("第 {} 行", run.first + 1)
            } else {
                format!("第 {}–{} 行", run.first + 1, run.last + 1)
            };
            self.issue(
                ImportIssueKind::Unrecognised,
                run.at,
                Some(&run.text),
                None,
                format!("{rows}无法识别（不是自评表中已知的行），已列入未映射单元格；若是说明文字，请移到表格之外"),
            );
        }
    }

    fn row(&mut self, r: usize, cells: &[Cell<'g>]) {
        let Some(first) = cells.first().copied() else {
            return;
        };
        let n = norm(first.text);
        let n = n.as_ref();
        let label_field = self.lay.field(n);
        if is_indicator_header(&self.lay, cells) {
            self.flush_unknown();
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
                    self.after_table = true;
                    return self.label_row(r, cells);
                }
                return self.indicator_row(r, cells);
            }
            Stage::Closing if label_field.is_none() && !self.lay.is_total_label(n) => {
                for c in cells {
                    self.leave(r, c.col, "总分行之后未识别的内容");
                }
                return;
            }
            _ => {}
        }
        if self.lay.is_title(n) {
            self.flush_unknown();
            self.title_seen = true;
            self.take(r, first.col);
            self.years.push((Rank::Title, first.text, pos(r, first.col)));
            for c in cells.iter().skip(1) {
                self.years.push((Rank::Title, c.text, pos(r, c.col)));
                self.leave(r, c.col, "标题行中的其他文字");
            }
            return;
        }
        if label_field.is_some() {
            self.flush_unknown();
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
            self.flush_unknown();
            return self.funds_header(r, cells);
        }
        if self.lay.is_goals_block(n) {
            self.flush_unknown();
            return self.goals_header(r, cells);
        }
        if self.lay.is_total_label(n) {
            self.flush_unknown();
            return self.total_row(r, cells);
        }
        match self.stage {
            Stage::Funds => self.funds_row(r, cells),
            Stage::GoalTexts => self.goal_texts(r, cells),
            _ => {
                let before_blocks = self.funds.is_none() && !self.header_seen;
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
                // Text above the form (附件2, 填报单位) is expected; a row between its blocks is not.
                if !before_blocks && !self.total_seen {
                    match &mut self.unknown {
                        Some(run) if run.last + 1 == r => run.last = r,
                        _ => {
                            self.flush_unknown();
                            self.unknown = Some(UnknownRun {
                                first: r,
                                last: r,
                                at: pos(r, first.col),
                                text: first.text.to_owned(),
                            });
                        }
                    }
                }
            }
        }
    }

    /// Label/value rows: identity, Sichuan goals, narrative, grade.
    fn label_row(&mut self, r: usize, cells: &[Cell<'g>]) {
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
                    self.assign(f, label, r, *c);
                }
            }
        }
    }

    fn assign(&mut self, f: Field, label: &str, r: usize, c: Cell<'g>) {
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
            Field::OtherNotes => "/narrative/other",
            Field::Grade => "/total/grade_reported",
            Field::Ignored => return,
        };
        if let Some(prev) = self.doc.provenance.get(pointer) {
            self.leave(r, c.col, format!("“{label}”已在第 {} 行填写", prev.row));
            return;
        }
        if self.lay.is_not_applicable(c.text) {
            self.take(r, c.col);
            return;
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
                let Some(amount) = parse_decimal(c.text) else {
                    return self.not_a_number(r, c, label, "3700700");
                };
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
            Field::OtherNotes => self.doc.narrative.other = Some(text),
            Field::Grade => self.doc.total.grade_reported = Some(text),
            Field::Ignored => {}
        }
        self.map(pointer.to_owned(), r, c.col);
    }

    /// Records the funds weight a header states ("(20分)", "(20分*执行率)"), once.
    fn declare_funds_weight(&mut self, r: usize, c: Cell<'g>, weight: Decimal) {
        match self.doc.funds.declared_weight {
            None => {
                self.doc.funds.declared_weight = Some(weight);
                self.doc
                    .provenance
                    .insert("/funds/declared_weight".to_owned(), pos(r, c.col));
            }
            Some(first) if first != weight => self.issue(
                ImportIssueKind::Unrecognised,
                pos(r, c.col),
                Some(c.text),
                None,
                format!(
                    "资金表头“{}”写的分值 {weight} 与前面写明的 {first} 分不同；按 {first} 分读取",
                    c.text
                ),
            ),
            Some(_) => {}
        }
    }

    fn funds_header(&mut self, r: usize, cells: &[Cell<'g>]) {
        if let Some(prev) = &self.funds {
            let detail = format!(
                "第 {} 行是第二个资金表头（第一个在第 {} 行），整行未读取；一张自评表只能有一个资金表，若是另一张表，请在前面加上“项目名称”行",
                r + 1,
                prev.row + 1
            );
            return self.unusable_row(r, cells, "第二个资金表头", detail);
        }
        let mut cols: Vec<(usize, FundsCol, String)> = Vec::new();
        for c in cells {
            let n = norm(c.text);
            if let Some(kind) = self.lay.funds_column(&n) {
                if cols.iter().any(|(_, k, _)| *k == kind) {
                    self.unusable_cell(
                        r,
                        *c,
                        "资金表头重复的列",
                        format!("资金表头“{}”与前面的列重复，该列未读取；请删除重复的列", c.text),
                    );
                    continue;
                }
                if let Some(w) = self.lay.declared_points(&n) {
                    self.declare_funds_weight(r, *c, w);
                }
                cols.push((c.col, kind, c.text.to_owned()));
                self.take(r, c.col);
            } else if let Some(block) = self.lay.funds_block(&n).filter(|_| cols.is_empty()) {
                if let Some(w) = self.lay.declared_points(&n) {
                    self.declare_funds_weight(r, *c, w);
                }
                // The unit its parentheses state ("项目资金（万元）"); 元 when none does.
                match block.unit {
                    Some(unit) => {
                        self.doc.funds.unit = unit.to_owned();
                        self.map("/funds/unit".to_owned(), r, c.col);
                    }
                    None => self.take(r, c.col),
                }
            } else {
                self.unusable_cell(
                    r,
                    *c,
                    "资金表头无法识别",
                    format!(
                        "资金表头“{}”无法识别，该列未读取；可识别的列有：年初预算数、全年预算数（调整后预算数）、全年执行数（预算执行数）、分值（权重）、执行率、得分、原因",
                        c.text
                    ),
                );
            }
        }
        let has = |k: FundsCol| cols.iter().any(|(_, kk, _)| *kk == k);
        let lacking: Vec<&str> = [
            (!(has(FundsCol::Adjusted) || has(FundsCol::Initial))).then_some("“全年预算数”（或“年初预算数”）"),
            (!has(FundsCol::Executed)).then_some("“全年执行数”"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !lacking.is_empty() {
            self.row_issue(
                ImportIssueKind::Incomplete,
                r,
                cells,
                Some(FormBlock::Funds),
                format!(
                    "资金表头缺少{}列，预算执行率无法计算；请按模板补全表头",
                    lacking.join("和")
                ),
            );
        }
        let first_data_col = cols.iter().map(|(c, _, _)| *c).min().unwrap_or(usize::MAX);
        self.funds = Some(Rc::new(FundsHeader {
            cols,
            first_data_col,
            row: r,
        }));
        self.stage = Stage::Funds;
    }

    /// Reads an amount: a number, or a number followed by the unit ("4753.66万元"), which must
    /// agree with the block's unit (and states it when the header does not).
    fn amount(&mut self, r: usize, c: Cell<'g>) -> Result<Decimal, String> {
        let text = c.text.trim();
        let Some(number) = text.strip_suffix("万元") else {
            return parse_decimal(text).ok_or_else(|| "不是数字".to_owned());
        };
        let value = parse_decimal(number).ok_or_else(|| "不是数字".to_owned())?;
        let stated = self.doc.provenance.contains_key("/funds/unit");
        if self.doc.funds.unit == "万元" {
            return Ok(value);
        }
        if stated {
            return Err(format!(
                "写的单位（万元）与资金表头的单位（{}）不同",
                self.doc.funds.unit
            ));
        }
        self.doc.funds.unit = "万元".to_owned();
        self.doc.provenance.insert("/funds/unit".to_owned(), pos(r, c.col));
        Ok(value)
    }

    fn funds_row(&mut self, r: usize, cells: &[Cell<'g>]) {
        let Some(header) = self.funds.clone() else {
            return;
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
            let stripped = stripped.trim_end_matches(':');
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
            return self.unusable_row(
                r,
                cells,
                "资金表中没有行名的行",
                format!(
                    "资金表第 {} 行没有行名（应为“年度资金总额”或“其中：当年财政拨款”等），整行未读取；请补上行名",
                    r + 1
                ),
            );
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
            let detail =
                format!("资金表中无法识别的行“{label}”：没有任何金额，整行未读取；若是说明文字，请移到表格之外");
            return self.unusable_row(r, cells, "资金表中无法识别的行", detail);
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
                FundsCol::Rate => ("rate_reported", parse_rate(c.text).ok_or_else(|| "不是数字".to_owned())),
                FundsCol::Initial => ("budget_initial", self.amount(r, c)),
                FundsCol::Adjusted => ("budget_adjusted", self.amount(r, c)),
                FundsCol::Executed => ("executed", self.amount(r, c)),
                FundsCol::Weight => ("weight", parse_decimal(c.text).ok_or_else(|| "不是数字".to_owned())),
                FundsCol::Score => (
                    "score_reported",
                    parse_decimal(c.text).ok_or_else(|| "不是数字".to_owned()),
                ),
            };
            let example = match kind {
                FundsCol::Rate => "0.98 或 98.00%",
                FundsCol::Weight | FundsCol::Score => "10",
                _ => "890000.00",
            };
            let value = match value {
                Ok(v) => v,
                Err(why) if why == "不是数字" => {
                    self.not_a_number(r, c, col_label, example);
                    continue;
                }
                Err(why) => {
                    self.unusable_cell(
                        r,
                        c,
                        "金额单位与表头不同",
                        format!("{col_label} \"{}\" {why}，未读取", c.text),
                    );
                    continue;
                }
            };
            let slot = match kind {
                FundsCol::Rate => &mut row.rate_reported,
                FundsCol::Initial => &mut row.budget_initial,
                FundsCol::Adjusted => &mut row.budget_adjusted,
                FundsCol::Executed => &mut row.executed,
                FundsCol::Weight => &mut row.weight,
                FundsCol::Score | FundsCol::Note => &mut row.score_reported,
            };
            *slot = Some(value);
            if is_total && kind == FundsCol::Rate {
                self.funds_rate = Some((c.text, pos(r, c.col)));
            }
            self.map(key(&base, field), r, c.col);
        }
        if is_total {
            self.doc.funds.total = row;
            self.funds_total_seen = true;
        } else {
            self.doc.funds.parts.push(row);
        }
    }

    fn goals_header(&mut self, r: usize, cells: &[Cell<'g>]) {
        // "年度总体目标" filled down from a merged cell onto the texts row.
        if self.stage == Stage::GoalTexts
            && let Some((first, rest)) = cells.split_first()
        {
            self.take(r, first.col);
            self.goal_texts(r, rest);
            return;
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
                self.assign(Field::GoalExpected, "年度总体目标", r, c);
            }
            for c in it {
                self.leave(r, c.col, "年度总体目标后多余的单元格");
            }
            self.stage = Stage::Head;
        }
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
            self.assign(f, label, r, c);
        }
        self.stage = Stage::Head;
    }

    fn indicator_header(&mut self, r: usize, cells: &[Cell<'g>]) {
        if self.header_seen {
            let detail = format!(
                "第 {} 行是第二个绩效指标表头（第一个在第 {} 行），整行未读取；若是另一张表，请在前面加上“项目名称”行",
                r + 1,
                self.header_row + 1
            );
            return self.unusable_row(r, cells, "第二个绩效指标表头", detail);
        }
        self.header_seen = true;
        self.header_row = r;
        let mut cols: Vec<(usize, &str)> = Vec::new();
        for c in cells {
            let n = norm(c.text);
            if cols.is_empty() && self.lay.is_indicator_block(&n) {
                if let Some(w) = self.lay.declared_points(&n) {
                    self.doc.indicators_weight = Some(w);
                    self.map("/indicators_weight".to_owned(), r, c.col);
                } else {
                    self.take(r, c.col);
                }
            } else {
                cols.push((c.col, c.text));
            }
        }
        let built = Header::from_cells(&self.lay, &cols);
        let unknown: Vec<usize> = built.unknown.iter().map(|(col, _)| *col).collect();
        for (col, text) in &cols {
            if !unknown.contains(col) {
                self.take(r, *col);
            } else if let Some((_, why)) = built.unknown.iter().find(|(c, _)| c == col) {
                let why = why.clone();
                self.unusable_cell(
                    r,
                    Cell { col: *col, text },
                    "指标表头无法识别",
                    format!(
                        "{why}；可识别的列有：一级指标、二级指标、三级指标、指标性质、年度指标值（指标值）、度量单位、实际完成值（完成值）、分值（权重）、得分、偏差原因分析及改进措施（未完成原因分析）"
                    ),
                );
            }
        }
        self.stage = Stage::Indicators;
        let Some(header) = built.header else {
            self.row_issue(
                ImportIssueKind::Incomplete,
                r,
                cells,
                Some(FormBlock::Indicators),
                "绩效指标表头缺少“三级指标”列，指标表无法读取，其下各行列入未映射单元格".to_owned(),
            );
            return;
        };
        self.no_weight_column = built.missing.contains(&IndCol::Weight);
        // A column every loaded layout has (分值 aside: a form without it states its weights per
        // block, its own import issue).
        if let Some(lacking) = built.unlike_any_layout.filter(|c| *c != IndCol::Weight) {
            self.row_issue(
                ImportIssueKind::Unrecognised,
                r,
                cells,
                Some(FormBlock::Indicators),
                format!(
                    "绩效指标表头没有“{}”列（已加载的格式都有这一列），各指标的这一项无法读取；若表头写法不同，请在格式文件中加入它",
                    lacking.label()
                ),
            );
        }
        self.header = Some(Rc::new(header));
    }

    fn indicator_row(&mut self, r: usize, cells: &[Cell<'g>]) {
        let Some(header) = self.header.clone() else {
            for c in cells {
                self.leave(r, c.col, "指标表头无法读取，本行未读取");
            }
            return;
        };
        let carried = self.l1.as_ref().is_some_and(|l| !l.label.is_empty());
        let placed = match indicators::place(&self.lay, &header, cells, r, carried) {
            Ok(placed) => placed,
            Err(msg) => {
                let detail = format!("指标表第 {} 行无法读取，整行未读取：{msg}", r + 1);
                return self.unusable_row(r, cells, "无法对应到指标表头的行", detail);
            }
        };
        let has_values = !placed.values.is_empty();
        // An unfilled template row ("指标2", "……"): its labels are read, the row is no
        // indicator.
        if let Some(name) = placed.name
            && !has_values
            && self.lay.is_template_row(name.text)
        {
            self.labels(r, &placed);
            for c in &placed.repeated {
                self.take(r, c.col);
            }
            for c in cells.iter().filter(|c| c.col >= name.col) {
                self.leave(r, c.col, "未填写的模板行");
            }
            self.template.unfilled.push((pos(r, name.col), name.text.to_owned()));
            return;
        }
        // A name with nothing else on a row that writes no label: text, not an indicator.
        if let Some(name) = placed.name
            && placed.values.is_empty()
            && placed.l1.is_none()
            && placed.l2.is_none()
            && !self.lay.is_no_indicator(name.text)
        {
            let detail = format!(
                "指标表中无法识别的行“{}”：既不是指标标签，也没有指标值、完成值或分值，未读取；若是说明文字，请移到表格之外",
                name.text
            );
            return self.unusable_row(r, cells, "指标表中无法识别的行", detail);
        }
        for c in &placed.repeated {
            self.take(r, c.col);
        }
        self.labels(r, &placed);
        let index = self.doc.indicators.len();
        let base = format!("/indicators/{index}");
        // No 一级 label written or carried: read under an empty one, and say so.
        let l1 = self
            .l1
            .get_or_insert_with(|| Carried {
                label: String::new(),
                at: None,
            })
            .clone();
        if l1.label.is_empty() {
            let first = cells.first().map_or(0, |c| c.col);
            self.template.no_level1.push(pos(r, first));
        }
        if !placed.realigned.is_empty() {
            self.doc.realignments.push(Realignment {
                row: pos(r, 0).row,
                action: format!("{}，已按内容归位", placed.realigned.join("；")),
            });
        }
        if placed.name.is_none() && placed.values.is_empty() {
            // A row of labels only: a placeholder when it names a 二级指标 ("经济效益指标" with no
            // indicator), otherwise just a 一级 header row.
            if let Some(l2) = self.l2.clone().filter(|_| placed.l2.is_some()) {
                if let Some(at) = l1.at {
                    self.doc.provenance.insert(format!("{base}/level1"), at);
                }
                if let Some(at) = l2.at {
                    self.doc.provenance.insert(format!("{base}/level2"), at);
                }
                self.doc.indicators.push(Indicator {
                    level1: l1.label,
                    level2: Some(l2.label),
                    placeholder: true,
                    ..Indicator::default()
                });
            }
            return;
        }
        // The name without the layouts' marks ("★★★", "指标1:") and unfilled placeholders
        // ("(≥**人)"), each taken out said so.
        let lay = Arc::clone(&self.lay);
        let clean = placed.name.map(|n| (n, lay.clean_name(n.text)));
        if let Some((name, clean)) = &clean
            && !clean.removed.is_empty()
        {
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
            name: clean.map(|(_, c)| c.name.into_owned()).unwrap_or_default(),
            ..Indicator::default()
        };
        if let Some(at) = l1.at {
            self.doc.provenance.insert(key(&base, "level1"), at);
        }
        if let Some(at) = self.l2.as_ref().and_then(|l2| l2.at) {
            self.doc.provenance.insert(key(&base, "level2"), at);
        }
        match placed.name {
            Some(name) => {
                self.map(key(&base, "name"), r, name.col);
                if self.lay.has_unfilled_placeholder(name.text) {
                    self.template
                        .placeholders
                        .push((pos(r, name.col), name.text.to_owned()));
                }
            }
            None => {
                let first = placed.values.first().map_or(0, |(_, c)| c.col);
                self.template.nameless.push(pos(r, first));
            }
        }
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
                    let Some(v) = parse_decimal(c.text) else {
                        self.not_a_number(r, *c, what, "12.5");
                        continue;
                    };
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
        if let Some(name) = placed.name {
            // Read from the name as written: an unfilled "(≥**人)" at its end states no unit, and
            // must not leave the parenthesis before it ("(按月平均)") read as one.
            if ind.unit.is_none()
                && let Some(unit) = unit_from_name(name.text)
            {
                ind.unit = Some(unit.to_owned());
                self.doc.provenance.insert(format!("{base}/unit"), pos(r, name.col));
            }
            ind.placeholder = self.lay.is_no_indicator(name.text);
            self.years.push((Rank::Targets, name.text, pos(r, name.col)));
        }
        for (kind, c) in &placed.values {
            if matches!(kind, IndCol::Target | IndCol::Actual) {
                let rank = if *kind == IndCol::Target {
                    Rank::Targets
                } else {
                    Rank::Actuals
                };
                self.years.push((rank, c.text, pos(r, c.col)));
            }
        }
        self.doc.indicators.push(ind);
    }

    /// Carries the 一级/二级 labels a row writes and records the weights they declare.
    fn labels(&mut self, r: usize, placed: &indicators::Placement<'_>) {
        if let Some(l1) = &placed.l1 {
            self.take(r, l1.cell.col);
            self.l1 = Some(Carried {
                label: l1.base.clone(),
                at: Some(pos(r, l1.cell.col)),
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
                at: Some(pos(r, l2.cell.col)),
            });
            if let Some(w) = l2.weight {
                let l1 = self.l1.as_ref().map(|c| c.label.clone()).unwrap_or_default();
                self.declare(l1, Some(l2.base.clone()), w, r, l2.cell.col);
            }
        }
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

    fn sum_row(&mut self, r: usize, cells: &[Cell<'g>]) {
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
        self.after_table = true;
    }

    fn total_row(&mut self, r: usize, cells: &[Cell<'g>]) {
        if let Some(first) = cells.first() {
            self.take(r, first.col);
        }
        let (nums, texts) = self.numbers(r, cells);
        // One number under the indicator header's 分值 column (not its 得分 column) is the full
        // marks with the score left blank, not a reported total of that size.
        let in_weight_column = |col: usize| {
            self.header
                .as_ref()
                .is_some_and(|h| h.col_of(IndCol::Weight) == Some(col) && h.col_of(IndCol::Score) != Some(col))
        };
        let (weight, mut score) = match nums.as_slice() {
            [] => (None, None),
            [one] if in_weight_column(one.1) => (Some(*one), None),
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
        // A total written in Chinese numerals ("九十八分"): read, and said so.
        let mut texts = texts;
        if score.is_none()
            && let Some(k) = texts.iter().position(|c| parse_chinese_number(c.text).is_some())
        {
            let c = texts.remove(k);
            if let Some(v) = parse_chinese_number(c.text) {
                score = Some((v, c.col));
                self.doc.realignments.push(Realignment {
                    row: pos(r, 0).row,
                    action: format!(
                        "总分写成中文数字“{}”（{}），读作 {}",
                        c.text,
                        column_letters(pos(r, c.col).column),
                        v.normalize()
                    ),
                });
            }
        }
        if let Some((s, c)) = score {
            self.doc.total.score_reported = Some(s);
            self.map("/total/score_reported".to_owned(), r, c);
        }
        if let (Some(header), Some((_, wc)), Some((_, sc))) = (&self.header, weight, score) {
            let (hw, hs) = (header.col_of(IndCol::Weight), header.col_of(IndCol::Score));
            // A table without a 分值 column has no place for the full marks to be compared with.
            if hw.is_some() && (Some(wc), Some(sc)) != (hw, hs) {
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
        // A 自评得分 line above the tables (Yinchuan) does not end the form.
        if self.header_seen {
            self.stage = Stage::Closing;
            self.after_table = true;
        }
    }

    fn form_range(&self) -> String {
        format!("第 {}–{} 行的自评表", self.span.first + 1, self.span.last + 1)
    }

    /// A form with a 合计 row but no 总分 row, whose 合计 weight is the funds' plus the
    /// indicators' (Sichuan: 合计 100 = 权重 10 + 90): the 合计 row is the form's total.
    fn sum_row_as_total(&mut self) {
        let Some(sum) = self.doc.indicator_sum.clone() else {
            return;
        };
        let (Some(weight), Some(funds)) = (sum.weight, self.doc.funds.total.weight) else {
            return;
        };
        // (Sums of numbers beyond any real form's are not worked out: validation refuses them.)
        let Some(indicators) = checked_sum(self.doc.indicators.iter().filter_map(|i| i.weight)) else {
            return;
        };
        if self.doc.total.weight.is_some()
            || self.doc.total.score_reported.is_some()
            || indicators.is_zero()
            || funds.checked_add(indicators) != Some(weight)
        {
            return;
        }
        self.doc.total.weight = Some(weight);
        self.doc.total.score_reported = sum.score_reported;
        for (from, to) in [("weight", "weight"), ("score_reported", "score_reported")] {
            if let Some(at) = self.doc.provenance.get(&format!("/indicator_sum/{from}")).copied() {
                self.doc.provenance.insert(format!("/total/{to}"), at);
            }
        }
        if let Some(at) = self.doc.provenance.get("/indicator_sum/weight").copied() {
            self.doc.realignments.push(Realignment {
                row: at.row,
                action: format!(
                    "表中没有总分行；合计行的分值 {} 等于预算执行 {} 分与各指标 {} 分之和，作为总分读取",
                    weight.normalize(),
                    funds.normalize(),
                    indicators.normalize()
                ),
            });
        }
    }

    /// The issues about what the form lacks.
    fn missing_blocks(&mut self) {
        let first = pos(self.span.first, 0);
        let last = pos(self.span.last, 0);
        let range = self.form_range();
        if self.funds.is_none() {
            self.issue(
                ImportIssueKind::Incomplete,
                first,
                None,
                Some(FormBlock::Funds),
                format!(
                    "{range}没有资金表（“项目资金”表头及年初预算数、全年预算数、全年执行数等列）：预算执行无法评分"
                ),
            );
        } else if !self.funds_total_seen {
            let at = pos(self.funds.as_ref().map_or(self.span.first, |f| f.row), 0);
            self.issue(
                ImportIssueKind::Incomplete,
                at,
                None,
                Some(FormBlock::FundsTotal),
                "资金表（表头在本行）下面没有“年度资金总额”（或“总额”）行：预算执行无法评分；请补上".to_owned(),
            );
        }
        if !self.header_seen {
            self.issue(
                ImportIssueKind::Incomplete,
                last,
                None,
                Some(FormBlock::Indicators),
                format!(
                    "{range}没有绩效指标表头（一级指标、二级指标、三级指标、年度指标值、实际完成值、分值、得分）：表格可能被截断，指标无法读取"
                ),
            );
        } else if self.header.is_some() && self.doc.indicators.is_empty() {
            self.issue(
                ImportIssueKind::Incomplete,
                pos(self.header_row, 0),
                None,
                Some(FormBlock::IndicatorRows),
                "绩效指标表头（在本行）之下没有指标行：表格在此被截断".to_owned(),
            );
        } else if !self.after_table
            && let Some(last_ind) = self.doc.indicators.last()
        {
            // Cut off inside the table: the last 一级 block carries fewer points than its label
            // states ("项目效益(35分)" over rows worth 25).
            let level1 = last_ind.level1.clone();
            let declared = self.doc.declared_level1_weight(&level1);
            let rows = checked_sum(
                self.doc
                    .indicators
                    .iter()
                    .filter(|i| i.level1 == level1)
                    .filter_map(|i| i.weight),
            );
            if let Some(declared) = declared
                && let Some(rows) = rows
                && rows < declared
                && !self.no_weight_column
            {
                self.issue(
                    ImportIssueKind::Incomplete,
                    last,
                    None,
                    Some(FormBlock::IndicatorRows),
                    format!(
                        "“{level1}”写明 {} 分，表中其下指标只有 {} 分，且表格在第 {} 行结束：其余 {} 分的指标可能被截断",
                        declared.normalize(),
                        rows.normalize(),
                        last.row,
                        declared.checked_sub(rows).unwrap_or_default().normalize()
                    ),
                );
            }
        }
        if !self.total_seen {
            self.issue(
                ImportIssueKind::Incomplete,
                last,
                None,
                Some(FormBlock::Total),
                format!("{range}没有“总分”行：表格可能被截断；总分按表中已有的内容计算，不是整张表的总分"),
            );
        }
    }

    /// The template residue met, one issue per kind.
    fn template_issues(&mut self) {
        let t = std::mem::take(&mut self.template);
        let rows = |cells: &[CellPos]| rows_text(&cells.iter().map(|c| c.row).collect::<Vec<_>>());
        if let Some((at, text)) = t.unfilled.first() {
            let mut names: Vec<&str> = Vec::new();
            for (_, n) in &t.unfilled {
                if !names.contains(&n.as_str()) {
                    names.push(n);
                }
            }
            let cells: Vec<CellPos> = t.unfilled.iter().map(|(c, _)| *c).collect();
            let detail = format!(
                "{}是模板中未填写的指标行（{}），不作为指标读取，列入未映射单元格；不用的模板行请删除",
                rows(&cells),
                names.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join("、")
            );
            self.issue(ImportIssueKind::TemplateUnfilled, *at, Some(text), None, detail);
        }
        if let Some((at, text)) = t.placeholders.first() {
            let cells: Vec<CellPos> = t.placeholders.iter().map(|(c, _)| *c).collect();
            let detail = format!(
                "{}的三级指标名称中仍留有模板的占位符（如“{text}”中的 **）：指标名称应写实际内容，占位符请删除",
                rows(&cells)
            );
            self.issue(ImportIssueKind::TemplateUnfilled, *at, Some(text), None, detail);
        }
        if let Some(at) = t.nameless.first() {
            let detail = format!(
                "{}的三级指标名称为空，只填了指标值等；已按无名称的指标读取，请补上指标名称",
                rows(&t.nameless)
            );
            self.issue(ImportIssueKind::TemplateUnfilled, *at, None, None, detail);
        }
        if let Some(at) = t.no_level1.first() {
            let detail = format!(
                "{}没有一级指标（一级指标栏为空，上面也没有可沿用的）；已按空的一级指标读取，这些指标不计入任何一级指标的分值",
                rows(&t.no_level1)
            );
            self.issue(ImportIssueKind::TemplateUnfilled, *at, None, None, detail);
        }
    }

    /// An indicator measuring the budget execution rate (the Yinchuan template scores it inside
    /// 项目管理) whose 完成值 is blank takes the rate the funds table reports, from its cell.
    fn budget_rate_indicator(&mut self) {
        let Some((text, at)) = self.funds_rate else {
            return;
        };
        for (i, ind) in self.doc.indicators.iter_mut().enumerate() {
            if ind.actual.trim().is_empty() && norm(&ind.name).contains("预算执行率") {
                ind.actual = text.to_owned();
                self.doc.provenance.insert(format!("/indicators/{i}/actual"), at);
                let row = self
                    .doc
                    .provenance
                    .get(&format!("/indicators/{i}/name"))
                    .map_or(at.row, |c| c.row);
                self.doc.realignments.push(Realignment {
                    row,
                    action: format!(
                        "指标“{}”的实际完成值为空，取资金表年度资金总额的执行率（{} 单元格“{text}”）",
                        ind.name,
                        at.a1()
                    ),
                });
            }
        }
    }

    fn finish(mut self, opts: &ImportOptions) -> Result<ImportedForm, ImportError> {
        self.flush_unknown();
        if self.funds.is_none() && !self.header_seen {
            let what = if self.name_seen {
                "只有项目名称等表头信息"
            } else if self.title_seen {
                "只有标题"
            } else {
                "没有可识别的内容"
            };
            return Err(self.err_row(
                self.span.first,
                ErrorKind::MissingBlock,
                format!(
                    "{}{what}，没有资金表，也没有绩效指标表：不是一张完整的自评表；请检查是否复制完整",
                    self.form_range()
                ),
            ));
        }
        let fragment = self.doc.project.name.is_empty();
        if fragment {
            let detail = if self.name_seen || self.title_seen {
                format!(
                    "{}没有项目名称（“项目名称”行缺失或为空）；已按无名称的表读取，文档编号按行号生成；请补上项目名称",
                    self.form_range()
                )
            } else {
                format!(
                    "{}没有项目名称，也没有标题：可能是上一张表被截断后留下的后半部分（表格片段）；已按无名称的表读取，文档编号按行号生成",
                    self.form_range()
                )
            };
            self.issue(
                ImportIssueKind::Fragment,
                pos(self.span.first, 0),
                None,
                Some(FormBlock::Name),
                detail,
            );
        }
        self.sum_row_as_total();
        self.missing_blocks();
        self.template_issues();
        self.budget_rate_indicator();
        // No 分值 column, or one left blank on every row: the weights are the blocks'.
        let real = || self.doc.indicators.iter().filter(|i| !i.placeholder);
        if real().next().is_some() && (self.no_weight_column || real().all(|i| i.weight.is_none())) {
            let blank_column = !self.no_weight_column;
            self.no_weight_column = true;
            self.weight_blocks(blank_column);
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
        // Without --region, the region the form's place names point to (recorded, not imposed).
        if self.doc.region.is_none()
            && let Some((guess, pointer)) = crate::ingest::region::infer(&self.doc)
        {
            if let Some(at) = self.doc.provenance.get(pointer).copied() {
                self.doc.provenance.insert("/region_inferred".to_owned(), at);
            }
            self.doc.region_inferred = Some(guess);
        }
        let name = if fragment {
            self.doc.project.name = NO_NAME.to_owned();
            format!("无项目名称的表格（第{}-{}行）", self.span.first + 1, self.span.last + 1)
        } else {
            self.doc.project.name.clone()
        };
        self.doc.id = derive_id(self.doc.year, self.doc.project.department.as_deref(), &name);

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
        // Formula cells without a saved result: blank to the reader, listed with the formula.
        let uncached: Vec<_> = self
            .grid
            .uncached_formulas
            .iter()
            .filter(|f| (self.span.first..=self.span.last).contains(&f.row))
            .collect();
        if let Some(first) = uncached.first() {
            let cells: Vec<String> = uncached
                .iter()
                .map(|f| format!("{}（{}）", pos(f.row, f.col).a1(), f.formula))
                .collect();
            for f in &uncached {
                unmapped.push(UnmappedCell {
                    at: pos(f.row, f.col),
                    text: f.formula.clone(),
                    reason: Some("公式没有保存计算结果，按空白读取".to_owned()),
                });
            }
            unmapped.sort_by_key(|u| u.at);
            self.issue(
                ImportIssueKind::Unrecognised,
                pos(first.row, first.col),
                Some(&first.formula),
                None,
                format!(
                    "{} 个单元格是没有保存计算结果的公式：{}；这些单元格按空白读取。文件可能由程序生成、未经 Excel 计算，请用 Excel 打开、保存后再导入",
                    cells.len(),
                    cells.join("、")
                ),
            );
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

    /// A table without a 分值 column: groups its rows into 二级 blocks, gives each block its
    /// weight (stated on the 二级 label, or inferred from the 一级 label's weight and the blocks'
    /// scores, or an equal share of it), each row its share, and says how in one issue.
    fn weight_blocks(&mut self, blank_column: bool) {
        // Consecutive real rows with the same 一级/二级: a block, whose rows share one 得分 when
        // only its first row has one (or none has), else each row keeps its own.
        let mut groups: Vec<(usize, usize, bool)> = Vec::new();
        let inds = &self.doc.indicators;
        let mut i = 0;
        while i < inds.len() {
            let Some(start) = inds.get(i) else { break };
            if start.placeholder {
                i += 1;
                continue;
            }
            let mut end = i + 1;
            while inds
                .get(end)
                .is_some_and(|n| !n.placeholder && n.level1 == start.level1 && n.level2 == start.level2)
            {
                end += 1;
            }
            let scored = inds
                .get(i..end)
                .unwrap_or(&[])
                .iter()
                .filter(|n| n.score_reported.is_some())
                .count();
            let shared = scored <= 1 && inds.get(i).is_some_and(|n| n.score_reported.is_some() || scored == 0);
            groups.push((i, end - i, shared));
            i = end;
        }

        let mut blocks: Vec<ScoredBlock> = Vec::new();
        let mut summary: Vec<String> = Vec::new();
        let mut unscored: Vec<(CellPos, String)> = Vec::new();
        let mut level1s: Vec<String> = Vec::new();
        for (first, _, _) in &groups {
            if let Some(l1) = self.doc.indicators.get(*first).map(|n| n.level1.clone())
                && !level1s.contains(&l1)
            {
                level1s.push(l1);
            }
        }
        for level1 in level1s {
            let members: Vec<(usize, usize, bool)> = groups
                .iter()
                .copied()
                .filter(|(f, _, _)| self.doc.indicators.get(*f).is_some_and(|n| n.level1 == level1))
                .collect();
            let declared = |l2: Option<&String>| {
                self.doc
                    .declared_weights
                    .iter()
                    .position(|d| d.level1 == level1 && d.level2.as_ref() == l2)
            };
            let level1_weight = declared(None)
                .and_then(|k| self.doc.declared_weights.get(k))
                .map(|d| d.weight);
            let mut rows: Vec<BlockDraft> = Vec::new();
            for (first, n, shared) in members {
                let ind = self.doc.indicators.get(first);
                // The block's score: the one its rows share, else the sum of its rows' own.
                let own: Vec<Option<Decimal>> = self
                    .doc
                    .indicators
                    .get(first..first + n)
                    .unwrap_or(&[])
                    .iter()
                    .map(|i| i.score_reported)
                    .collect();
                let score = if shared {
                    ind.and_then(|i| i.score_reported)
                } else {
                    own.iter().copied().sum::<Option<Decimal>>()
                };
                let level2 = ind.and_then(|i| i.level2.clone());
                let stated = if level2.is_some() {
                    declared(level2.as_ref()).and_then(|k| self.doc.declared_weights.get(k).map(|d| (d.weight, k)))
                } else {
                    None
                };
                rows.push(BlockDraft {
                    first,
                    rows: n,
                    level2,
                    stated,
                    score,
                    shared,
                });
            }
            let open: Vec<&BlockDraft> = rows.iter().filter(|r| r.stated.is_none()).collect();
            // Sums beyond any real form's (validation refuses such numbers) infer nothing.
            let stated_sum = checked_sum(rows.iter().filter_map(|r| r.stated.map(|s| s.0)));
            let scored_sum = checked_sum(open.iter().filter_map(|r| r.score));
            let remaining = level1_weight.zip(stated_sum).and_then(|(w, s)| w.checked_sub(s));
            let remaining = remaining.filter(|_| scored_sum.is_some());
            let scored_sum = scored_sum.unwrap_or_default();
            let basis = match remaining {
                _ if open.is_empty() => WeightBasis::Stated,
                Some(rest) if open.iter().any(|r| r.score.is_some()) && scored_sum == rest => WeightBasis::FromScores,
                Some(rest) if rest > Decimal::ZERO => WeightBasis::EqualShare,
                _ => WeightBasis::Unknown,
            };
            let share = match (basis, remaining) {
                (WeightBasis::EqualShare, Some(rest)) => {
                    let count = Decimal::from(u32::try_from(open.len()).unwrap_or(u32::MAX));
                    Some((rest / count).round_dp(2))
                }
                _ => None,
            };
            let mut parts: Vec<String> = Vec::new();
            for BlockDraft {
                first,
                rows: n,
                level2,
                stated,
                score,
                shared,
            } in rows
            {
                let (weight, this_basis) = match stated {
                    Some((w, _)) => (Some(w), WeightBasis::Stated),
                    None => match basis {
                        WeightBasis::FromScores => (score, if score.is_some() { basis } else { WeightBasis::Unknown }),
                        WeightBasis::EqualShare => (share, basis),
                        _ => (None, WeightBasis::Unknown),
                    },
                };
                let block_name = level2.clone().unwrap_or_else(|| level1.clone());
                let k = blocks.len();
                // Where the weight was read or inferred from.
                let weight_cell = match (this_basis, stated) {
                    (WeightBasis::Stated, Some((_, d))) => self
                        .doc
                        .provenance
                        .get(&format!("/declared_weights/{d}/weight"))
                        .copied(),
                    (WeightBasis::FromScores, _) => self
                        .doc
                        .provenance
                        .get(&format!("/indicators/{first}/score_reported"))
                        .copied(),
                    (WeightBasis::EqualShare, _) => declared(None).and_then(|d| {
                        self.doc
                            .provenance
                            .get(&format!("/declared_weights/{d}/weight"))
                            .copied()
                    }),
                    _ => None,
                };
                if let Some(cell) = weight_cell {
                    self.doc.provenance.insert(format!("/blocks/{k}/weight"), cell);
                }
                let shared_score = if n > 1 && shared {
                    if let Some(cell) = self
                        .doc
                        .provenance
                        .remove(&format!("/indicators/{first}/score_reported"))
                    {
                        self.doc.provenance.insert(format!("/blocks/{k}/score_reported"), cell);
                    }
                    self.doc.indicators.get_mut(first).and_then(|i| i.score_reported.take())
                } else {
                    None
                };
                match weight {
                    Some(w) => parts.push(format!("{block_name} {}", w.normalize())),
                    None => {
                        parts.push(format!("{block_name} 无分值"));
                        let at = self
                            .doc
                            .provenance
                            .get(&format!("/indicators/{first}/name"))
                            .or_else(|| self.doc.provenance.get(&format!("/indicators/{first}/level2")))
                            .copied()
                            .unwrap_or_else(|| pos(self.header_row, 0));
                        if score.is_none() {
                            unscored.push((at, block_name.clone()));
                        }
                    }
                }
                let shares = weight.map(|w| split_weight(w, n));
                for (j, row) in (first..first + n).enumerate() {
                    if let Some(ind) = self.doc.indicators.get_mut(row) {
                        ind.weight = shares.as_ref().and_then(|s| s.get(j).copied());
                    }
                }
                blocks.push(ScoredBlock {
                    level1: level1.clone(),
                    level2,
                    first,
                    rows: n,
                    weight,
                    weight_basis: this_basis,
                    score_reported: shared_score,
                });
            }
            let head = match level1_weight {
                Some(w) => format!("{}（写明 {} 分）", display_level1(&level1), w.normalize()),
                None => format!("{}（未写明分值）", display_level1(&level1)),
            };
            summary.push(format!("{head}：{}，{}", parts.join("、"), basis.label()));
        }
        let at = pos(self.header_row, 0);
        let shared = blocks.iter().any(|b| b.score_reported.is_some());
        self.issue(
            ImportIssueKind::WeightsNotStated,
            at,
            None,
            None,
            format!(
                "指标表{}{}，各块分值：{}；各行分值按所在块的分值平均分摊",
                if blank_column {
                    "的“分值”栏全部空白"
                } else {
                    "没有“分值”列"
                },
                if shared {
                    "，得分按二级指标成块填写"
                } else {
                    ""
                },
                summary.join("；")
            ),
        );
        for (at, name) in unscored {
            self.issue(
                ImportIssueKind::WeightsNotStated,
                at,
                Some(name.as_str()),
                None,
                format!(
                    "“{name}”一块既没有得分也推不出分值：这一块未计分（或与其他块合并计分），请核实并补上分值和得分"
                ),
            );
        }
        self.doc.blocks = blocks;
    }
}

/// A 二级 block being weighed: its rows, label, the weight its label states (and which declared
/// weight that is), and its reported score (the one its rows share, or the sum of their own).
struct BlockDraft {
    first: usize,
    rows: usize,
    level2: Option<String>,
    stated: Option<(Decimal, usize)>,
    score: Option<Decimal>,
    /// The rows share the first row's 得分 (else each has its own).
    shared: bool,
}

/// A 一级 label for messages ("（一级指标为空）" when blank).
fn display_level1(level1: &str) -> &str {
    if level1.is_empty() {
        "（一级指标为空）"
    } else {
        level1
    }
}

/// The sum of `values`, `None` when it leaves the decimal range.
fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, Decimal::checked_add)
}

/// `total` split over `rows`: two places, the first rows taking the remainder.
fn split_weight(total: Decimal, rows: usize) -> Vec<Decimal> {
    let Ok(n) = u32::try_from(rows.max(1)) else {
        return vec![total];
    };
    let count = Decimal::from(n);
    let cent = Decimal::new(1, 2);
    let base = (total / count).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
    let mut rest = total - base * count;
    (0..rows)
        .map(|_| {
            if rest >= cent {
                rest -= cent;
                (base + cent).normalize()
            } else {
                base.normalize()
            }
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn weights_split_to_cents_with_the_remainder_first() {
        assert_eq!(split_weight(dec!(10), 3), [dec!(3.34), dec!(3.33), dec!(3.33)]);
        assert_eq!(split_weight(dec!(10), 2), [dec!(5), dec!(5)]);
        assert_eq!(split_weight(dec!(7.5), 1), [dec!(7.5)]);
        let parts = split_weight(dec!(12.5), 7);
        assert_eq!(parts.iter().sum::<Decimal>(), dec!(12.5));
    }

    #[test]
    fn rows_are_listed_with_runs_joined() {
        assert_eq!(rows_text(&[3, 5, 6, 7, 9]), "第 3、5–7、9 行");
    }
}
