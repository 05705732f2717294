//! Renderers of scorecards: a terminal table, Markdown, JSON, JSON Lines, and the files people
//! open — CSV, an Excel workbook and a self-contained HTML page; and the finding-code
//! reference ([`codes`]); and the one rendering of [`diagnostics`] for people.
//!
//! JSON is the machine-readable contract (`schemas/report.schema.json`): an array with one
//! object per document, decimals as strings. CSV and the workbook are built from the same
//! row tables ([`tables`]), so a column means the same thing in both.

pub mod codes;
mod csv;
pub mod diagnostics;
mod html;
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
    /// 单个离线可用的 HTML 网页：汇总、等级分布图、发现统计、逐表明细
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
}

/// Renders scorecards in the chosen format, as the bytes of the file or of standard output.
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
        Format::Jsonl => cards
            .iter()
            .map(|c| {
                let mut line = serde_json::to_string(c).unwrap_or_default();
                line.push('\n');
                line
            })
            .collect::<String>()
            .into_bytes(),
        Format::Csv => visible::visible_keeping_crlf(&csv::csv(&tables::table_of(options.csv_table, cards)))
            .into_owned()
            .into_bytes(),
        Format::Xlsx => xlsx::workbook(cards, options.created)?,
        Format::Html => visible::visible(&html::html(cards)).into_owned().into_bytes(),
    })
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
