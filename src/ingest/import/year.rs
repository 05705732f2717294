//! Budget-year inference from a form's own text, used only when the caller gives no year.
//!
//! The rule (documented for users in the import error and the README):
//! 1. Candidates are four-digit years 1990–2100 written as "YYYY年" ("2021年", "2021年度",
//!    "2021年12月前").
//! 2. A mention is *historical* and ignored when the text right after it (past an optional
//!    "X月" / "X日" / "度") starts with a purchase/history word — 购置, 购买, 采购, 购入, 建成, 投入使用,
//!    安装, 启用, 上线, 竣工, 以来, 至今, 以前, 之前 … ("更换2015年购置的…") — or when a comparison word
//!    comes right before it — 较, 比, 同比, 自, 从 ("较2020年提升").
//! 3. Sources are ranked: (a) title rows, rows above the first block, and the project name;
//!    (b) the overall goals and the implementation overview; (c) indicator names and targets
//!    (deadlines like "2021年12月前"); (d) indicator actuals ("2021年11月25日").
//!    Notes above the form that carry a filing date ("填报日期：2022年3月15日", "打印", "盖章") are
//!    not sources: forms are filed the year after the budget year.
//!    The first rank that has any non-historical year decides. If that rank names one year, it is
//!    the budget year; if it names several different years, the year is ambiguous and the import
//!    stops asking for `--year`. No rank with a year → the import stops asking for `--year`.

use crate::model::document::CellPos;

/// Rank of a text source, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// Title rows, rows above the first block, project name.
    Title,
    /// Overall goals, overview.
    Goals,
    /// Indicator names and targets (deadlines).
    Targets,
    /// Indicator actuals (completion dates).
    Actuals,
}

impl Rank {
    /// Chinese description for messages.
    pub fn label(self) -> &'static str {
        match self {
            Rank::Title => "标题和项目名称",
            Rank::Goals => "年度总体目标",
            Rank::Targets => "指标名称和指标值",
            Rank::Actuals => "实际完成值",
        }
    }
}

/// Outcome of inference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearGuess {
    /// One year stated by the best-ranked source that states any; the cell of its first mention.
    Found(i32, CellPos),
    /// Nothing states a year.
    Unknown,
    /// The best-ranked source names several years.
    Ambiguous(Rank, Vec<i32>),
}

const HISTORY_AFTER: &[&str] = &[
    "购置",
    "购买",
    "采购",
    "购入",
    "购建",
    "建成",
    "建设的",
    "投入使用",
    "投入运行",
    "投用",
    "安装",
    "启用",
    "上线",
    "竣工",
    "交付",
    "以来",
    "至今",
    "以前",
    "之前",
];
const HISTORY_BEFORE: &[&str] = &["较", "比", "同比", "相比", "自", "从", "对比"];

/// Years stated in `text`, historical mentions excluded, in order.
pub fn years_in(text: &str) -> impl Iterator<Item = i32> + '_ {
    text.match_indices('年').filter_map(move |(pos, _)| {
        let before = text.get(..pos)?;
        let digits = before.get(before.len().checked_sub(4)?..)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let prefix = before.get(..before.len() - 4)?;
        if prefix.chars().next_back().is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        let year: i32 = digits.parse().ok()?;
        if !(1990..=2100).contains(&year) {
            return None;
        }
        if HISTORY_BEFORE.iter().any(|w| prefix.ends_with(w)) {
            return None;
        }
        let after = skip_date_parts(text.get(pos + '年'.len_utf8()..)?);
        if HISTORY_AFTER.iter().any(|w| after.starts_with(w)) {
            return None;
        }
        Some(year)
    })
}

/// Skips "度", "12月", "3日" after a year.
fn skip_date_parts(mut s: &str) -> &str {
    s = s.strip_prefix('度').unwrap_or(s);
    for unit in ['月', '日'] {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0
            && let Some(rest) = s.get(digits..).and_then(|r| r.strip_prefix(unit))
        {
            s = rest;
        }
    }
    s.strip_prefix('底').or_else(|| s.strip_prefix('末')).unwrap_or(s)
}

/// Applies the rule to ranked sources `(rank, text, cell)`.
pub fn infer(sources: &[(Rank, &str, CellPos)]) -> YearGuess {
    for rank in [Rank::Title, Rank::Goals, Rank::Targets, Rank::Actuals] {
        let mut found: Vec<i32> = Vec::new();
        let mut first: Option<(i32, CellPos)> = None;
        for (_, text, at) in sources.iter().filter(|(r, _, _)| *r == rank) {
            for y in years_in(text) {
                if first.is_none() {
                    first = Some((y, *at));
                }
                if !found.contains(&y) {
                    found.push(y);
                }
            }
        }
        match (found.len(), first) {
            (0, _) => {}
            (1, Some((y, at))) => return YearGuess::Found(y, at),
            _ => {
                found.sort_unstable();
                return YearGuess::Ambiguous(rank, found);
            }
        }
    }
    YearGuess::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn historical_mentions_do_not_count() {
        assert_eq!(years_in("更换2015年购置的现已老化的UPS蓄电池").count(), 0);
        assert_eq!(years_in("2021年12月前").collect::<Vec<_>>(), vec![2021]);
        assert_eq!(
            years_in("做好2020年业务系统的安全保障工作").collect::<Vec<_>>(),
            vec![2020]
        );
        assert_eq!(years_in("较2020年提升10%").count(), 0);
        assert_eq!(years_in("2021年度项目支出绩效自评表").collect::<Vec<_>>(), vec![2021]);
        assert_eq!(years_in("12021年").count(), 0);
    }

    #[test]
    fn ranks_decide_and_conflicts_are_reported() {
        let at = CellPos { row: 1, column: 1 };
        let goals = "更换2015年购置的现已老化的UPS蓄电池";
        let srcs = [
            (Rank::Goals, goals, at),
            (Rank::Targets, "2021年12月前", at),
            (Rank::Actuals, "2022年1月", at),
        ];
        assert_eq!(infer(&srcs), YearGuess::Found(2021, at));
        let srcs = [
            (Rank::Title, "2020年电子政务运维", at),
            (Rank::Title, "2021年度自评表", at),
        ];
        assert_eq!(infer(&srcs), YearGuess::Ambiguous(Rank::Title, vec![2020, 2021]));
        assert_eq!(infer(&[(Rank::Goals, "完成运维", at)]), YearGuess::Unknown);
    }
}
