//! Renderers of scorecards: a terminal table, Markdown, JSON, JSON Lines, and the files people
//! open — CSV, an Excel workbook and an HTML page (with detail pages beside it for a corpus),
//! the last four written as the scorecards arrive ([`ReportWriter`]); and the finding-code
//! reference ([`codes`]); and the one rendering of [`diagnostics`] for people.
//!
//! JSON is the machine-readable contract (`schemas/report.schema.json`): an array with one
//! object per document, decimals as strings. CSV and the workbook are built from the same
//! row tables ([`tables`]), so a column means the same thing in both.

pub mod codes;
mod csv;
pub mod diagnostics;
pub mod html;
pub mod output;
pub mod schemas;
mod table;
mod tables;
pub mod visible;
mod xlsx;

use clap::ValueEnum;

use crate::engine::scoring::Scorecard;
use crate::model::findings::Severity;

pub use table::{markdown, place, table};

/// Output formats of `jixiao score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// 终端表格（默认）
    Table,
    /// JSON 数组，每个文档一个对象
    Json,
    /// JSON Lines，每行一个文档
    Jsonl,
    /// Markdown 表格与发现清单
    Markdown,
    /// CSV（UTF-8 带 BOM，Excel 可直接打开），每个文档一行（另见 --csv-table）
    Csv,
    /// Excel 工作簿：汇总、指标、发现、审核决定四张工作表（须用 -o 指定文件）
    Xlsx,
    /// 离线可用的 HTML 网页：汇总、分布图、发现统计、逐表明细（超过 200 张表时明细写在旁边的 文件.html.d/，须用 -o）
    Html,
}

impl Format {
    /// Whether the output is binary and so must go to a file (`-o`), never to a terminal.
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx)
    }
}

/// Which table `--format csv` writes: CSV holds one table, the workbook holds all three.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum CsvTable {
    /// 每个文档一行（与工作簿的“汇总”表相同）
    #[default]
    Documents,
    /// 每个指标一行（与工作簿的“指标”表相同）
    Indicators,
    /// 每条发现一行（与工作簿的“发现”表相同）
    Findings,
    /// 每个审核决定一行（与工作簿的“审核决定”表相同）
    Decisions,
}

/// Options of the renderers that have any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Table written by `--format csv`.
    pub csv_table: CsvTable,
    /// Creation time written into an Excel workbook's document properties, in Unix seconds;
    /// `None` is now. A run manifest records it, so that `jixiao verify` can rebuild the very
    /// same bytes.
    pub created: Option<i64>,
    /// Columns the terminal table may take (the terminal's width); `None` leaves it unlimited,
    /// as for a pipe or a file.
    pub width: Option<usize>,
}

/// A report that could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The workbook writer refused the data.
    #[error("无法生成 Excel 工作簿：{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A decimal has no floating-point value Excel could store.
    #[error("数值 {0} 无法写入 Excel（超出 Excel 数值范围）")]
    Number(String),
    /// Writing the report failed.
    #[error("写出失败：{0}")]
    Io(#[from] std::io::Error),
    /// An HTML report of more forms than one page holds, with nowhere to put its detail pages.
    #[error("HTML 报告超过 {0} 张表，逐表明细要写在报告旁的文件夹里：请用 -o 文件名.html 指定输出文件")]
    HtmlNeedsFolder(usize),
}

/// Renders scorecards in the chosen format, as the bytes of the file or of standard output.
/// (A corpus too large for one HTML page needs [`ReportWriter`] with a folder for its detail pages.)
pub fn render(format: Format, cards: &[Scorecard], options: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    Ok(match format {
        // Text reports show control characters from the forms rather than let them act
        // (`visible`); JSON escapes them, and the workbook writer encodes them.
        Format::Table => visible::visible(&table(cards, options.width)).into_owned().into_bytes(),
        Format::Markdown => visible::visible(&markdown(cards)).into_owned().into_bytes(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(cards).unwrap_or_default();
            s.push('\n');
            s.into_bytes()
        }
        Format::Jsonl | Format::Csv | Format::Xlsx | Format::Html => {
            let mut out = Vec::new();
            let mut writer = ReportWriter::new(format, options, None)?;
            writer.start(&mut out)?;
            let mut bytes = Vec::new();
            for card in cards {
                bytes.clear();
                encode(format, options.csv_table, card, &mut bytes)
                    .map_err(|e| RenderError::Io(std::io::Error::other(e)))?;
                writer.add(&bytes, Some(card), &mut out)?;
            }
            writer.finish(&mut out)?;
            out
        }
    })
}

/// Whether a streamed report in `format` needs the scorecards themselves ([`ReportWriter::add`]),
/// not only what [`encode`] made of them.
pub fn keeps_cards(format: Format) -> bool {
    !matches!(format, Format::Jsonl | Format::Csv)
}

/// Appends what one scorecard becomes in a streamed report, on any thread: its JSON line, or
/// its CSV rows of `csv_table` (control characters shown, as in [`visible`]); nothing for the
/// formats that render cards themselves.
///
/// # Errors
/// Only if a scorecard cannot be serialised (an internal error).
pub fn encode(format: Format, csv_table: CsvTable, card: &Scorecard, out: &mut Vec<u8>) -> Result<(), String> {
    match format {
        Format::Jsonl => append_json_line(out, card).map_err(|e| e.to_string()),
        Format::Csv => {
            let mut lines = String::new();
            csv::rows(&mut lines, &tables::rows_of(csv_table, card));
            out.extend_from_slice(visible::visible_keeping_crlf(&lines).as_bytes());
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A report written as the scorecards arrive in input order, so that memory does not grow with
/// the corpus: JSON Lines and CSV write what [`encode`] made of each card; the workbook writes
/// each card's rows to its sheets at once; the HTML report keeps bounded aggregates and writes
/// each form's detail as it comes ([`html::HtmlWriter`]). The terminal table, Markdown and JSON
/// are rendered whole at the end.
pub struct ReportWriter {
    kind: Kind,
}

enum Kind {
    /// JSON Lines and CSV: the encoded bytes, written as they come; the CSV header first.
    Bytes(Option<String>),
    Xlsx(Box<xlsx::WorkbookWriter>),
    Html(Box<html::HtmlWriter>),
    /// Rendered whole at the end.
    Whole(Format, RenderOptions, Vec<Scorecard>),
}

impl ReportWriter {
    /// A writer of `format`; `details` is where a corpus HTML report puts its detail pages
    /// (without it, an HTML report too large for one page is an error).
    pub fn new(format: Format, options: &RenderOptions, details: Option<html::Details>) -> Result<Self, RenderError> {
        let kind = match format {
            Format::Jsonl => Kind::Bytes(None),
            Format::Csv => Kind::Bytes(Some(csv::header(tables::heading(options.csv_table).1))),
            Format::Xlsx => Kind::Xlsx(Box::new(xlsx::WorkbookWriter::new(options.created)?)),
            Format::Html => Kind::Html(Box::new(html::HtmlWriter::new(details))),
            Format::Table | Format::Markdown | Format::Json => Kind::Whole(format, *options, Vec::new()),
        };
        Ok(Self { kind })
    }

    /// Writes what comes before the first card (the CSV header).
    pub fn start(&mut self, sink: &mut dyn std::io::Write) -> Result<(), RenderError> {
        if let Kind::Bytes(Some(header)) = &self.kind {
            sink.write_all(header.as_bytes())?;
        }
        Ok(())
    }

    /// Adds one card: `bytes` is what [`encode`] made of it, `card` the card itself (needed
    /// when [`keeps_cards`]).
    pub fn add(
        &mut self,
        bytes: &[u8],
        card: Option<&Scorecard>,
        sink: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        match (&mut self.kind, card) {
            (Kind::Bytes(_), _) => sink.write_all(bytes)?,
            (Kind::Xlsx(book), Some(card)) => book.add(card)?,
            (Kind::Html(page), Some(card)) => page.add(card)?,
            (Kind::Whole(_, _, cards), Some(card)) => cards.push(card.clone()),
            (_, None) => {}
        }
        Ok(())
    }

    /// Writes what comes after the last card: the workbook, the HTML page, a whole report.
    pub fn finish(self, sink: &mut (dyn std::io::Write + Send)) -> Result<(), RenderError> {
        match self.kind {
            Kind::Bytes(_) => {}
            Kind::Xlsx(book) => book.finish(sink)?,
            Kind::Html(page) => page.finish(sink)?,
            Kind::Whole(format, options, cards) => sink.write_all(&render(format, &cards, &options)?)?,
        }
        Ok(())
    }
}

/// Appends a scorecard to `buffer` as one JSON line, as batch runs write it. sonic-rs writes
/// exactly serde_json's bytes (tested below), about a fifth faster (`benches/stages.rs`; tested in `runs::batch`). A
/// scorecard cannot fail to serialise (no map has non-string keys); were it to, `buffer` is
/// left as it was.
///
/// # Errors
/// Only if serialising fails.
pub fn append_json_line(buffer: &mut Vec<u8>, card: &Scorecard) -> Result<(), sonic_rs::Error> {
    let start = buffer.len();
    match sonic_rs::to_writer(&mut *buffer, card) {
        Ok(()) => {
            buffer.push(b'\n');
            Ok(())
        }
        Err(e) => {
            buffer.truncate(start);
            Err(e)
        }
    }
}

/// A decimal as written, "—" when missing.
pub fn dec(d: Option<rust_decimal::Decimal>) -> String {
    d.map_or_else(|| "—".to_owned(), |d| d.to_string())
}

/// Two decimals, half away from zero (四舍五入), for display only.
pub fn half_up(d: rust_decimal::Decimal) -> rust_decimal::Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// A fraction shown as a percentage with two decimals (display only; the JSON keeps it exact);
/// "—" when missing or beyond the decimal range as a percentage.
pub fn percent(d: Option<rust_decimal::Decimal>) -> String {
    d.and_then(|d| d.checked_mul(rust_decimal::Decimal::ONE_HUNDRED))
        .map_or_else(|| "—".to_owned(), |pct| format!("{:.2}%", half_up(pct)))
}

/// "错误 1 / 警告 2 / 提示 0" style counts.
pub fn finding_counts(card: &Scorecard) -> String {
    format!(
        "{}/{}/{}",
        card.count(Severity::Error),
        card.count(Severity::Warning),
        card.count(Severity::Info)
    )
}

/// Number of findings of a card that a reviewer's decision waived.
pub fn waived_count(card: &Scorecard) -> usize {
    card.findings.iter().filter(|f| f.waived).count()
}

/// Chinese name of a block of the form (`funds` → 预算执行); unknown names are shown as they are.
pub fn block_label(block: &str) -> &str {
    match block {
        "funds" => "预算执行",
        "indicators" => "绩效指标",
        "total" => "总分",
        "project" => "项目信息",
        "narrative" => "文字部分",
        "import" => "表格导入",
        other => other,
    }
}

/// Where a finding points: the indicator path, else the block's Chinese name.
pub fn finding_place(finding: &crate::model::findings::Finding) -> String {
    match (&finding.indicator, &finding.block) {
        (Some(path), _) => path.clone(),
        (None, Some(block)) => block_label(block).to_owned(),
        (None, None) => String::new(),
    }
}

/// Computed less reported for a finding that states both (`computed` and `reported` among its
/// values, as exact decimals); `None` otherwise.
pub fn finding_difference(finding: &crate::model::findings::Finding) -> Option<rust_decimal::Decimal> {
    let value = |key: &str| finding.values.get(key)?.parse::<rust_decimal::Decimal>().ok();
    value("computed")?.checked_sub(value("reported")?)
}

/// Whether a computed number differs from the number the form reports (both present; compared
/// as exact decimals, so `12.50` equals `12.5`).
pub fn differs(computed: Option<rust_decimal::Decimal>, reported: Option<rust_decimal::Decimal>) -> bool {
    matches!((computed, reported), (Some(c), Some(r)) if c != r)
}

/// Whether the form states a grade other than the one its computed total earns.
pub fn grade_differs(card: &Scorecard) -> bool {
    card.grade_reported
        .as_deref()
        .is_some_and(|stated| stated.trim() != card.grade)
}
