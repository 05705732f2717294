//! The Excel workbook: sheets 汇总 (one row per form), 指标 (one row per indicator), 发现
//! (one row per finding) and 审核决定 (one row per applied reviewer decision), with bold frozen headers, autofilters, sized columns, the number
//! formats finance staff expect, and computed values that differ from the reported ones
//! highlighted.
//!
//! Numbers are written as Excel numbers, not text. Scores stay exact decimals until this
//! module: each is converted once, here, to the nearest binary float (the only number type an
//! xlsx cell holds) by parsing its exact decimal text — correctly rounded, unlike
//! `rust_decimal`'s own `to_f64`, which is why `rust_xlsxwriter`'s `rust_decimal` feature is
//! not used.

use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet};
use unicode_width::UnicodeWidthStr;

use super::RenderError;
use super::tables::{self, NumberStyle, Tone, Value};
use crate::engine::scoring::Scorecard;

/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;
/// Widest column, in Excel character units.
const MAX_WIDTH: usize = 60;

/// The workbook's bytes; `created` (Unix seconds) is the creation time in its document
/// properties, now when `None`. The same cards and time give the same bytes.
#[cfg(test)]
pub(crate) fn workbook(cards: &[Scorecard], created: Option<i64>) -> Result<Vec<u8>, RenderError> {
    workbook_with_sheet_rows(cards, created, MAX_DATA_ROWS)
}

/// [`workbook`] with at most `sheet_rows` data rows a sheet (tests use a small number).
#[cfg(test)]
fn workbook_with_sheet_rows(
    cards: &[Scorecard],
    created: Option<i64>,
    sheet_rows: usize,
) -> Result<Vec<u8>, RenderError> {
    let mut book = WorkbookWriter::with_sheet_rows(created, sheet_rows)?;
    for card in cards {
        book.add(card)?;
    }
    let mut bytes = Vec::new();
    book.finish(&mut bytes)?;
    Ok(bytes)
}

/// A workbook written as the scorecards arrive: each card's rows go straight to the sheets of
/// the four tables, each sheet row by row to a temporary file (constant memory), so memory does
/// not grow with the number of cards. A table longer than a sheet holds continues on
/// `发现(2)`, `发现(3)`…, placed after its first sheet.
pub(crate) struct WorkbookWriter {
    book: Workbook,
    styles: Styles,
    created: Option<i64>,
    sheet_rows: usize,
    /// Per table (in [`tables::KINDS`] order): its sheets so far.
    sheets: [Vec<SheetState>; 4],
    /// Rule sets met, for the document properties.
    rulesets: std::collections::BTreeSet<String>,
    cards: usize,
}

/// One sheet being written.
struct SheetState {
    /// Index in the workbook.
    index: usize,
    name: String,
    /// Data rows written below the header.
    rows: usize,
    /// Widest cell of each column so far, in Excel character units.
    widths: Vec<usize>,
}

impl WorkbookWriter {
    /// A workbook with the four tables' sheets and their header rows.
    pub(crate) fn new(created: Option<i64>) -> Result<Self, RenderError> {
        Self::with_sheet_rows(created, MAX_DATA_ROWS)
    }

    fn with_sheet_rows(created: Option<i64>, sheet_rows: usize) -> Result<Self, RenderError> {
        let mut writer = Self {
            book: Workbook::new(),
            styles: Styles::new(),
            created,
            sheet_rows: sheet_rows.max(1),
            sheets: Default::default(),
            rulesets: std::collections::BTreeSet::new(),
            cards: 0,
        };
        for k in 0..tables::KINDS.len() {
            writer.add_sheet(k)?;
        }
        Ok(writer)
    }

    /// Starts the next sheet of table `k`, with its header row.
    fn add_sheet(&mut self, k: usize) -> Result<(), RenderError> {
        let which = tables::KINDS.get(k).copied().unwrap_or_default();
        let (table, headers) = tables::heading(which);
        let Some(sheets) = self.sheets.get_mut(k) else {
            return Ok(());
        };
        let name = if sheets.is_empty() {
            table.to_owned()
        } else {
            format!("{table}({})", sheets.len() + 1)
        };
        let sheet = self.book.add_worksheet_with_constant_memory()?;
        sheet.set_name(&name)?;
        for (col, header) in (0u16..).zip(headers) {
            sheet.write_string_with_format(0, col, *header, &self.styles.header)?;
        }
        let index = self.book.worksheets_mut().len().saturating_sub(1);
        sheets.push(SheetState {
            index,
            name,
            rows: 0,
            widths: headers.iter().map(|h| h.width()).collect(),
        });
        Ok(())
    }

    /// Writes the rows of one card to the four tables.
    pub(crate) fn add(&mut self, card: &Scorecard) -> Result<(), RenderError> {
        self.cards += 1;
        if !self.rulesets.contains(&card.ruleset) {
            self.rulesets.insert(card.ruleset.clone());
        }
        for (k, which) in tables::KINDS.into_iter().enumerate() {
            for cells in tables::rows_of(which, card) {
                let full = self
                    .sheets
                    .get(k)
                    .and_then(|s| s.last())
                    .is_some_and(|s| s.rows >= self.sheet_rows);
                if full {
                    self.add_sheet(k)?;
                }
                let Some(state) = self.sheets.get_mut(k).and_then(|s| s.last_mut()) else {
                    continue;
                };
                state.rows += 1;
                let row = u32::try_from(state.rows).unwrap_or(u32::MAX);
                let sheet = self.book.worksheet_from_index(state.index)?;
                write_row(sheet, row, &cells, &mut state.widths, &self.styles)?;
            }
        }
        Ok(())
    }

    /// Finishes every sheet (column widths, filter, frozen header, print setup), names the
    /// workbook in its document properties and writes it to `sink`.
    pub(crate) fn finish(mut self, sink: &mut (dyn std::io::Write + Send)) -> Result<(), RenderError> {
        for state in self.sheets.iter().flatten() {
            let sheet = self.book.worksheet_from_index(state.index)?;
            finish_sheet(sheet, state)?;
        }
        // Continuation sheets follow their table's first sheet.
        let order: Vec<&str> = self.sheets.iter().flatten().map(|s| s.name.as_str()).collect();
        self.book
            .worksheets_mut()
            .sort_by_key(|sheet| order.iter().position(|n| *n == sheet.name()));
        // Document properties (文件 → 信息): what the workbook is and which rule sets scored it.
        let rulesets: Vec<&str> = self.rulesets.iter().map(String::as_str).collect();
        let mut properties = DocProperties::new()
            .set_title("项目支出绩效自评表评分结果")
            .set_subject(format!("规则集：{}", rulesets.join("、")))
            .set_comment(format!(
                "jixiao {} 生成，{} 张表",
                env!("CARGO_PKG_VERSION"),
                self.cards
            ));
        if let Some(seconds) = self.created {
            properties = properties.set_creation_datetime(&ExcelDateTime::from_timestamp(seconds)?);
        }
        self.book.set_properties(&properties);
        self.book.save_to_writer(sink)?;
        Ok(())
    }
}

/// Data rows one sheet holds below its header (Excel's 1,048,576 rows less one).
const MAX_DATA_ROWS: usize = 1_048_575;

/// The formats of one workbook.
struct Styles {
    header: Format,
    /// Indexed by tone, then style: plain text/integers first.
    cells: [[Format; 4]; 3],
}

impl Styles {
    fn new() -> Self {
        let base = Format::new().set_border(FormatBorder::Thin);
        let by_style = |f: Format| {
            [
                f.clone(),
                f.clone().set_num_format("0.00"),
                f.clone().set_num_format("#,##0.00"),
                f.set_num_format("0.00%"),
            ]
        };
        Self {
            header: base.clone().set_bold().set_background_color(Color::RGB(0xDDEBF7)),
            cells: [
                by_style(base.clone()),
                // Excel's own "Bad" and "Neutral" cell styles.
                by_style(
                    base.clone()
                        .set_background_color(Color::RGB(0xFFC7CE))
                        .set_font_color(Color::RGB(0x9C0006)),
                ),
                by_style(
                    base.set_background_color(Color::RGB(0xFFEB9C))
                        .set_font_color(Color::RGB(0x9C5700)),
                ),
            ],
        }
    }

    fn of(&self, tone: Tone, style: Option<NumberStyle>) -> &Format {
        let by_tone = match tone {
            Tone::Plain => &self.cells[0],
            Tone::Bad => &self.cells[1],
            Tone::Warn => &self.cells[2],
        };
        match style {
            None => &by_tone[0],
            Some(NumberStyle::Score) => &by_tone[1],
            Some(NumberStyle::Amount) => &by_tone[2],
            Some(NumberStyle::Rate) => &by_tone[3],
        }
    }
}

/// The float Excel stores for an exact decimal: the nearest one, by parsing its decimal text.
fn excel_number(d: Decimal) -> Result<f64, RenderError> {
    d.to_string()
        .parse::<f64>()
        .map_err(|_| RenderError::Number(d.to_string()))
}

/// How wide a cell shows, in Excel character units (CJK characters count two).
fn shown_width(value: &Value) -> usize {
    match value {
        Value::Empty => 0,
        Value::Text(s) => s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0),
        Value::Integer(n) => n.to_string().len(),
        Value::Number(d, style) => {
            let digits = d.trunc().abs().to_string().len();
            match style {
                NumberStyle::Score => digits + 3,
                NumberStyle::Amount => digits + digits.saturating_sub(1) / 3 + 3,
                NumberStyle::Rate => digits + 6,
            }
        }
    }
}

/// Writes one data row.
fn write_row(
    sheet: &mut Worksheet,
    row: u32,
    cells: &[tables::Cell],
    widths: &mut [usize],
    styles: &Styles,
) -> Result<(), RenderError> {
    for ((col, cell), width) in (0u16..).zip(cells).zip(widths.iter_mut()) {
        *width = (*width).max(shown_width(&cell.value));
        match &cell.value {
            Value::Empty => {
                sheet.write_blank(row, col, styles.of(cell.tone, None))?;
            }
            Value::Text(s) => {
                let s: String = s.chars().take(MAX_CELL_CHARS).collect();
                sheet.write_string_with_format(row, col, s, styles.of(cell.tone, None))?;
            }
            Value::Integer(n) => {
                // i64 → f64 is exact for every count and year a report holds.
                #[expect(clippy::cast_precision_loss, reason = "years and counts are small")]
                let n = *n as f64;
                sheet.write_number_with_format(row, col, n, styles.of(cell.tone, None))?;
            }
            Value::Number(d, style) => {
                sheet.write_number_with_format(row, col, excel_number(*d)?, styles.of(cell.tone, Some(*style)))?;
            }
        }
    }
    Ok(())
}

/// Column widths, the filter over the header and rows, the frozen header and the print setup.
fn finish_sheet(sheet: &mut Worksheet, state: &SheetState) -> Result<(), RenderError> {
    for (col, width) in (0u16..).zip(&state.widths) {
        // Two units of padding; the filter button needs room beside the header.
        let width = u16::try_from((*width + 4).min(MAX_WIDTH)).unwrap_or(20);
        sheet.set_column_width(col, width)?;
    }
    let last_row = u32::try_from(state.rows).unwrap_or(u32::MAX);
    let last_col = u16::try_from(state.widths.len().saturating_sub(1)).unwrap_or(0);
    sheet.autofilter(0, 0, last_row, last_col)?;
    sheet.set_freeze_panes(1, 0)?;
    // Printed: landscape, as wide as one page, the header row on every page.
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_table_longer_than_a_sheet_continues_on_numbered_sheets() {
        use calamine::Reader as _;
        let doc: crate::model::document::EvaluationDocument =
            serde_json::from_str(include_str!("../../tests/fixtures/documents/minimal.json")).unwrap();
        let rules = crate::policy::RuleSet::load(crate::policy::embedded::files("shenzhen-2020").unwrap()).unwrap();
        let card = crate::engine::scoring::score_document(&rules, &doc).unwrap();
        let cards = vec![card.clone(), card.clone(), card];
        let bytes = workbook_with_sheet_rows(&cards, Some(0), 2).unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let names = book.sheet_names();
        // Each table's continuation sheets follow its first sheet, tables in their order.
        assert_eq!(names[..2], ["汇总", "汇总(2)"], "{names:?}");
        let table_of = |name: &str| {
            ["汇总", "指标", "发现", "审核决定"]
                .iter()
                .position(|t| name == *t || name.starts_with(&format!("{t}(")))
                .unwrap()
        };
        let order: Vec<usize> = names.iter().map(|n| table_of(n)).collect();
        assert!(order.is_sorted(), "{names:?}");
        assert!(names.iter().any(|n| n == "指标(2)"), "{names:?}");
        let rows = |book: &mut calamine::Xlsx<_>, name: &str| book.worksheet_range(name).unwrap().height();
        // Header plus two rows, then header plus the third.
        assert_eq!(rows(&mut book, "汇总"), 3);
        assert_eq!(rows(&mut book, "汇总(2)"), 2);
    }

    #[test]
    fn the_workbook_says_what_it_is_and_prints_landscape_with_its_header_on_every_page() {
        use std::io::Read as _;
        let doc: crate::model::document::EvaluationDocument =
            serde_json::from_str(include_str!("../../tests/fixtures/documents/minimal.json")).unwrap();
        let rules = crate::policy::RuleSet::load(crate::policy::embedded::files("shenzhen-2020").unwrap()).unwrap();
        let card = crate::engine::scoring::score_document(&rules, &doc).unwrap();
        let bytes = workbook(&[card], Some(0)).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = |name: &str| {
            let mut s = String::new();
            archive.by_name(name).unwrap().read_to_string(&mut s).unwrap();
            s
        };
        let core = text("docProps/core.xml");
        assert!(core.contains("项目支出绩效自评表评分结果"), "{core}");
        assert!(core.contains("规则集：shenzhen-2020"), "{core}");
        let sheet = text("xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"orientation="landscape""#), "{sheet}");
        assert!(sheet.contains(r#"fitToHeight="0""#), "{sheet}");
        let book = text("xl/workbook.xml");
        assert!(book.contains("_xlnm.Print_Titles"), "{book}");
    }

    #[test]
    fn decimals_become_the_nearest_float() {
        assert_eq!(excel_number(dec!(88.62)).unwrap(), 88.62);
        assert_eq!(excel_number(dec!(0.1)).unwrap(), 0.1);
        assert_eq!(excel_number(dec!(1190000.00)).unwrap(), 1_190_000.0);
    }
}
