//! Renderers of scorecards: a terminal table, Markdown, JSON and JSON Lines; and the
//! finding-code reference ([`codes`]).
//!
//! JSON is the machine-readable contract (`schemas/report.schema.json`): an array with one
//! object per document, decimals as strings.

pub mod codes;
mod table;

use clap::ValueEnum;

use crate::findings::Severity;
use crate::scoring::Scorecard;

pub use table::{block_label, markdown, place, table};

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
}

/// Renders scorecards in the chosen format.
pub fn render(format: Format, cards: &[Scorecard]) -> String {
    match format {
        Format::Table => table(cards),
        Format::Markdown => markdown(cards),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(cards).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Jsonl => cards
            .iter()
            .map(|c| {
                let mut line = serde_json::to_string(c).unwrap_or_default();
                line.push('\n');
                line
            })
            .collect(),
    }
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
