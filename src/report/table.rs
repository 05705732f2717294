//! Human-readable renderers: an aligned terminal table (CJK-width aware) and Markdown.

use rust_decimal::Decimal;
use unicode_width::UnicodeWidthStr;

use super::finding_counts;
use crate::engine::scoring::Scorecard;
use crate::model::findings::Finding;

fn dec(value: Option<Decimal>) -> String {
    value.map(|d| d.to_string()).unwrap_or_else(|| "—".to_owned())
}

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

/// An aligned text table, one line per document; "a≠b" marks a computed value that differs
/// from the reported one.
pub fn table(cards: &[Scorecard]) -> String {
    let rows = rows(cards);
    let mut widths = HEADERS.map(UnicodeWidthStr::width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(cell);
            if i + 1 < cells.len() {
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
