//! Human-readable renderers: an aligned terminal table (CJK-width aware) and Markdown.

use rust_decimal::Decimal;
use unicode_width::UnicodeWidthStr;

use super::{dec, finding_counts};
use crate::engine::scoring::Scorecard;
use crate::model::findings::Finding;

/// Computed value, with the reported one after a slash when they differ ("1.32≠12.5").
fn pair(computed: Option<Decimal>, reported: Option<Decimal>) -> String {
    match (computed, reported) {
        (Some(c), Some(r)) if c == r => c.to_string(),
        (Some(c), Some(r)) => format!("{c}≠{r}"),
        (c, r) => format!("{}/{}", dec(c), dec(r)),
    }
}

const HEADERS: [&str; 8] = [
    "项目",
    "年度",
    "规则集",
    "预算执行得分",
    "总分",
    "等级",
    "发现(错/警/提)",
    "文档",
];

fn rows(cards: &[Scorecard]) -> Vec<[String; 8]> {
    cards
        .iter()
        .map(|c| {
            [
                c.project.clone(),
                c.year.to_string(),
                c.ruleset.clone(),
                pair(c.budget.score, c.budget.reported_score),
                match c.total.max_reachable {
                    // A form cut short: what it shows, and the most the whole form could reach.
                    Some(max) => format!("{}（不完整，最高{max}）", pair(Some(c.total.score), c.total.reported)),
                    None => pair(Some(c.total.score), c.total.reported),
                },
                c.grade.clone(),
                finding_counts(c),
                c.id.clone(),
            ]
        })
        .collect()
}

/// `text` cut to at most `width` columns, ending in “…” when cut.
fn cut(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// An aligned text table, one line per document; "a≠b" marks a computed value that differs
/// from the reported one. With `width` (a terminal's), the 项目 column is cut with “…” and,
/// if that is not enough, the 文档 column left out, so that lines fit. Below it, each document's error findings with their titles
/// and the difference between computed and reported, and how to see a derivation.
pub fn table(cards: &[Scorecard], width: Option<usize>) -> String {
    // Nothing scored: no table (what went wrong was said on standard error).
    if cards.is_empty() {
        return String::new();
    }
    let mut rows = rows(cards);
    let mut widths = HEADERS.map(UnicodeWidthStr::width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    // Columns shown: all, or without 文档 when even cut the table is wider than the terminal.
    let mut shown = HEADERS.len();
    if let Some(limit) = width {
        let natural = widths;
        let total =
            |widths: &[usize], shown: usize| widths.iter().take(shown).sum::<usize>() + 2 * shown.saturating_sub(1);
        // Cuts columns (index, narrowest) in turn until the lines fit.
        let squeeze = |widths: &mut [usize; 8], shown: usize, cuts: &[(usize, usize)]| {
            for &(column, narrowest) in cuts {
                let over = total(widths, shown).saturating_sub(limit);
                if let Some(w) = widths.get_mut(column) {
                    let floor = narrowest.max(HEADERS.get(column).map_or(0, |h| h.width()));
                    *w = (*w).saturating_sub(over).max(floor.min(*w));
                }
            }
        };
        // The 项目 column is cut first; the 文档 column is shown whole or not at all (a cut id
        // names nothing), and without it the 项目 column gets back what it can.
        squeeze(&mut widths, shown, &[(0, 12)]);
        if total(&widths, shown) > limit {
            shown -= 1;
            widths = natural;
            squeeze(&mut widths, shown, &[(0, 8)]);
        }
        for row in &mut rows {
            for (cell, w) in row.iter_mut().zip(widths) {
                if cell.width() > w {
                    *cell = cut(cell, w);
                }
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).take(shown).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(cell);
            if i + 1 < shown {
                out.push_str(&" ".repeat(w.saturating_sub(cell.width())));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(&HEADERS.map(str::to_owned));
    out.push_str(&line(&widths.map(|w| "─".repeat(w))));
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push_str(&format!(
        "共 {} 个文档；“a≠b”表示按规则计算为 a、表中填报为 b\n",
        cards.len()
    ));
    error_findings(&mut out, cards);
    let decided: Vec<&Scorecard> = cards.iter().filter(|c| !c.decisions.is_empty()).collect();
    if !decided.is_empty() {
        out.push_str("\n审核决定：\n");
        for card in decided {
            out.push_str(&format!("  {}\n", card.id));
            for d in &card.decisions {
                out.push_str(&format!("    {}（{}）\n", d.summary(), d.attribution()));
            }
        }
    }
    out
}

/// Documents whose error findings the table lists in full; the rest are counted.
const LISTED_DOCUMENTS: usize = 20;

/// The error findings of each document (not waived), with title, place and the difference
/// between computed and reported where the finding states both; then how to see why.
fn error_findings(out: &mut String, cards: &[Scorecard]) {
    let is_error = |f: &&Finding| f.severity == crate::model::findings::Severity::Error && !f.waived;
    let with_errors: Vec<&Scorecard> = cards
        .iter()
        .filter(|c| c.findings.iter().any(|f| is_error(&f)))
        .collect();
    if with_errors.is_empty() {
        return;
    }
    out.push_str("\n错误发现：\n");
    for card in with_errors.iter().take(LISTED_DOCUMENTS) {
        out.push_str(&format!("  {}（{}）\n", card.project, card.id));
        for f in card.findings.iter().filter(is_error) {
            // (T1 states its difference in its message already.)
            let difference = match super::finding_difference(f) {
                _ if f.message.contains("（差 ") => String::new(),
                Some(d) => format!("（计算−填报 = {}）", d.normalize()),
                None => String::new(),
            };
            out.push_str(&format!(
                "    {} {}｜{}：{}{difference}\n",
                f.code,
                f.title,
                place(f),
                f.message
            ));
        }
    }
    if let Some(more) = with_errors.len().checked_sub(LISTED_DOCUMENTS).filter(|n| *n > 0) {
        out.push_str(&format!(
            "  ……另有 {more} 张表有错误发现；完整清单用 --format markdown、csv --csv-table findings 或 xlsx\n"
        ));
    }
    if let Some(first) = with_errors.first() {
        out.push_str(&format!(
            "每个数的来历：jixiao explain 输入文件 --document 文档编号（可加 --indicator 指标名称），如 --document {}\n",
            first.id
        ));
    }
}

/// Where a finding points, for people: the indicator path or the block, and the cell.
pub fn place(f: &Finding) -> String {
    let what = super::finding_place(f);
    match &f.at {
        Some(at) => format!("{what} {}", at.a1()),
        None => what,
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown summary table followed by each document's findings.
pub fn markdown(cards: &[Scorecard]) -> String {
    let mut out = String::from("# 绩效自评表评分结果\n\n");
    out.push_str(&format!("| {} |\n", HEADERS.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(HEADERS.len())));
    for row in rows(cards) {
        let cells: Vec<String> = row.iter().map(|c| md_escape(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    for card in cards
        .iter()
        .filter(|c| !c.findings.is_empty() || !c.decisions.is_empty())
    {
        out.push_str(&format!(
            "\n## {}（{}）\n\n",
            md_escape(&card.project),
            md_escape(&card.id)
        ));
        for d in &card.decisions {
            out.push_str(&format!(
                "- **审核决定** {}（{}）\n",
                md_escape(&d.summary()),
                md_escape(&d.attribution())
            ));
        }
        for f in &card.findings {
            let waived = if f.waived { "（已豁免）" } else { "" };
            out.push_str(&format!(
                "- **{}** {}{} {}｜{}：{}\n",
                f.code,
                f.severity.label(),
                waived,
                md_escape(&f.title),
                md_escape(&place(f)),
                md_escape(&f.message)
            ));
        }
    }
    out
}
