//! Placing one indicator-table row by content.
//!
//! Exports and copy-pastes shift cells: a merged 一级 cell loses its blank, an extra blank or "无"
//! cell appears between columns. So a row is read by content, with the header as a guide:
//! 1. Leading label cells are classified by what they say (known 一级/二级 labels, or a label-like
//!    text in the header's 一级/二级 column), wherever they sit; the next cell is the name.
//! 2. The remaining cells are mapped onto the header's value columns by a uniform column shift.
//!    The shift suggested by the content — the rightmost adjacent pair of numbers followed only by
//!    text is 分值 and 得分 — is tried first, then 0, ±1, ±2. A shift fits when every cell lands
//!    on a value column and 分值/得分 receive numbers (shift 0 accepts anything there, so a bad
//!    分值 is reported as “not a number” rather than as an unplaceable row).
//! 3. If no shift fits, the numeric anchor decides 分值/得分/说明; cells before it go to 指标值 /
//!    完成值 … by their own column or by the anchor's shift, and whatever is left is *extra*
//!    (reported as unmapped, with a realignment).
//!
//! A row whose first cell after its labels sits in a value column, right of the header's 三级指标
//! column, while the 分值/得分 pair says the row is not shifted, has no name: its cells are the
//! values (a form that left 三级指标 blank).
//!
//! The caller records every difference from the header's columns as a realignment.

use rust_decimal::Decimal;

use super::labels::{IndCol, Layouts, norm};
use super::value::parse_decimal;
use crate::model::document::column_letters;

/// Column layout of an indicator header row (0-based columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// 一级指标 column.
    pub l1: Option<usize>,
    /// 二级指标 column.
    pub l2: Option<usize>,
    /// 三级指标 column.
    pub name: usize,
    /// Value columns (指标性质 … 偏差原因), sorted by column.
    pub slots: Vec<(usize, IndCol)>,
}

/// A header built from its cells, with the cells it could not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltHeader {
    /// The layout, when the header has a 三级指标 column.
    pub header: Option<Header>,
    /// Cells that are no indicator column label, or repeat one: `(column, why)` in Chinese.
    pub unknown: Vec<(usize, String)>,
    /// Value columns the header lacks, in Chinese (“分值”): what the form does not state.
    pub missing: Vec<IndCol>,
    /// The first column the header lacks that every loaded layout's `required` set names
    /// (`None` when the header has all the columns of some layout).
    pub unlike_any_layout: Option<IndCol>,
}

impl Header {
    /// Builds the layout from `(column, label)` header cells (block labels like "年度绩效指标"
    /// are skipped by the caller). A cell that is no column label, or repeats one, is listed
    /// and left out; only a header without a 三级指标 column gives no layout. 指标值, 完成值,
    /// 分值 and 得分 columns the header lacks are listed: a form without a 分值 column states
    /// its weights per block, if at all.
    pub fn from_cells(layouts: &Layouts, cells: &[(usize, &str)]) -> BuiltHeader {
        let mut l1 = None;
        let mut l2 = None;
        let mut name = None;
        let mut slots: Vec<(usize, IndCol)> = Vec::new();
        let mut unknown = Vec::new();
        for &(col, text) in cells {
            let Some(kind) = layouts.indicator_column(&norm(text)) else {
                unknown.push((col, format!("指标表头“{text}”无法识别，该列未读取")));
                continue;
            };
            let seen = match kind {
                IndCol::Level1 => l1.is_some(),
                IndCol::Level2 => l2.is_some(),
                IndCol::Name => name.is_some(),
                other => slots.iter().any(|(_, k)| *k == other),
            };
            if seen {
                unknown.push((col, format!("指标表头“{text}”与前面的列重复，该列未读取")));
                continue;
            }
            match kind {
                IndCol::Level1 => l1 = Some(col),
                IndCol::Level2 => l2 = Some(col),
                IndCol::Name => name = Some(col),
                other => slots.push((col, other)),
            }
        }
        slots.sort_unstable();
        let missing = [IndCol::Target, IndCol::Actual, IndCol::Weight, IndCol::Score]
            .into_iter()
            .filter(|needed| !slots.iter().any(|(_, k)| k == needed))
            .collect();
        let unlike_any_layout = layouts.missing_indicator_column(|needed| match needed {
            IndCol::Level1 => l1.is_some(),
            IndCol::Level2 => l2.is_some(),
            IndCol::Name => name.is_some(),
            other => slots.iter().any(|(_, k)| *k == other),
        });
        BuiltHeader {
            header: name.map(|name| Header { l1, l2, name, slots }),
            unknown,
            missing,
            unlike_any_layout,
        }
    }

    /// Column of a value slot.
    pub fn col_of(&self, kind: IndCol) -> Option<usize> {
        self.slots.iter().find(|(_, k)| *k == kind).map(|(c, _)| *c)
    }

    fn slot_at(&self, col: isize) -> Option<IndCol> {
        let col = usize::try_from(col).ok()?;
        self.slots.iter().find(|(c, _)| *c == col).map(|(_, k)| *k)
    }
}

/// A non-empty cell of the row: 0-based column and trimmed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell<'a> {
    /// Column (0-based).
    pub col: usize,
    /// Trimmed text.
    pub text: &'a str,
}

/// A 一级/二级 label cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label<'a> {
    /// The cell.
    pub cell: Cell<'a>,
    /// Normalised label without a declared weight.
    pub base: String,
    /// Weight declared on the label ("产出指标(50分)").
    pub weight: Option<Decimal>,
}

/// How a row was placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement<'a> {
    /// 一级 label written on this row.
    pub l1: Option<Label<'a>>,
    /// 二级 label written on this row.
    pub l2: Option<Label<'a>>,
    /// The indicator name cell; `None` for a row of labels only, or for a row whose 三级指标
    /// cell is blank while its values are filled (then `values` is not empty).
    pub name: Option<Cell<'a>>,
    /// Value cells by column kind.
    pub values: Vec<(IndCol, Cell<'a>)>,
    /// Cells that fit no column.
    pub extras: Vec<Cell<'a>>,
    /// What differs from the header's columns, in Chinese (empty when the row is where the header
    /// says).
    pub realigned: Vec<String>,
    /// Cells repeating a merged label ("年度绩效指标" filled down column A, "满意度指标" filled
    /// across the 一级 and 二级 columns): recognised, carrying nothing new.
    pub repeated: Vec<Cell<'a>>,
}

/// Places one row; `level1_carried` tells whether a 一级 label is carried down from the rows
/// above. `Err` explains, in Chinese, why the cells cannot be mapped onto the header.
pub fn place<'a>(
    layouts: &Layouts,
    header: &Header,
    cells: &[Cell<'a>],
    row: usize,
    level1_carried: bool,
) -> Result<Placement<'a>, String> {
    let numeric = |c: &Cell<'_>| parse_decimal(c.text).is_some();
    let fits_number = |c: &Cell<'_>| numeric(c) || layouts.is_not_applicable(c.text);
    // Rightmost adjacent pair of numbers followed only by non-numbers: 分值 and 得分 (only a
    // header with both columns has such a pair).
    let anchor_in = |rest: &[Cell<'_>]| {
        header.col_of(IndCol::Weight)?;
        header.col_of(IndCol::Score)?;
        (0..rest.len().saturating_sub(1)).rev().find(|&j| {
            rest.get(j).is_some_and(numeric)
                && rest.get(j + 1).is_some_and(numeric)
                && rest.get(j + 2..).unwrap_or(&[]).iter().all(|c| !numeric(c))
        })
    };
    let weight_col = header.col_of(IndCol::Weight).unwrap_or(header.name + 1);
    let shift_of = |rest: &[Cell<'_>], j: usize| rest.get(j).map(|c| signed(c.col) - signed(weight_col));

    let mut i = 0;
    let mut l1: Option<Label<'a>> = None;
    let mut l2: Option<Label<'a>> = None;
    let mut repeated: Vec<Cell<'a>> = Vec::new();
    while let Some(cell) = cells.get(i) {
        let n = norm(cell.text);
        let (base, weight) = layouts.split_weight(&n);
        let label = || Label {
            cell: *cell,
            base: base.to_owned(),
            weight,
        };
        let has_more = cells.len() > i + 1;
        // A text in the header's 一级/二级 column of a row whose 三级指标 column is filled too
        // is a label, whatever it says ("项目目标", "读者") — unless the 分值/得分 pair shows the
        // row shifted so that the text is its name.
        // (Worked out only for a text that is no known label: it scans the rest of the row.)
        let in_label_column = || {
            let later = cells.get(i + 1..).unwrap_or(&[]);
            let shift = anchor_in(later).and_then(|j| shift_of(later, j)).unwrap_or(0);
            (Some(cell.col) == header.l1 || Some(cell.col) == header.l2)
                && signed(cell.col) - shift != signed(header.name)
                && later.iter().any(|c| signed(c.col) - shift == signed(header.name))
        };
        // A label filled across the label columns ("满意度指标" in 一级 and 二级), not a name that
        // happens to repeat its 二级 label ("读者满意度" / "读者满意度").
        let repeats_label = cell.col < header.name
            && (l1.as_ref().is_some_and(|l| l.base == base) || l2.as_ref().is_some_and(|l| l.base == base));
        if has_more && (repeats_label || (i == 0 && layouts.is_indicator_block(base))) {
            repeated.push(*cell);
        } else if l1.is_none()
            && l2.is_none()
            && layouts.is_level1(base)
            // Under a carried 一级 label, a 一级 word in the 二级 column is a 二级 label (Yinchuan:
            // 项目效益 / 满意度指标(10分)).
            && !(level1_carried && Some(cell.col) == header.l2 && header.l1.is_some_and(|l| l < cell.col))
        {
            l1 = Some(label());
        } else if l2.is_none() && layouts.is_level2(base) {
            let next_is_level2 = cells.get(i + 1).is_some_and(|next| {
                let nn = norm(next.text);
                layouts.is_level2(layouts.split_weight(&nn).0)
            });
            // National 2021+ templates use 成本指标 as a 一级 label with 经济成本指标 … under it.
            if l1.is_none() && layouts.is_level1_when_level2_follows(base) && next_is_level2 {
                l1 = Some(label());
            } else {
                l2 = Some(label());
            }
        } else if has_more
            && cell.col < header.name
            && (base.ends_with("指标") || weight.is_some() || in_label_column())
        {
            // An unknown label, accepted only where the header puts labels and only if it reads
            // like one ("…指标", "…(10分)").
            if l1.is_none() && l2.is_none() && Some(cell.col) == header.l1 {
                l1 = Some(label());
            } else if l2.is_none() && Some(cell.col) == header.l2 {
                l2 = Some(label());
            } else {
                break;
            }
        } else {
            break;
        }
        i += 1;
    }

    let mut placement = Placement {
        l1,
        l2,
        name: None,
        values: Vec::new(),
        extras: Vec::new(),
        realigned: Vec::new(),
        repeated,
    };
    let Some(name) = cells.get(i).copied() else {
        describe_labels(header, &mut placement, row);
        return Ok(placement);
    };

    // The first cell right of the 三级指标 column, in a row the 分值/得分 pair shows unshifted
    // (or shifted less than the cell is), is a value: the row has no name.
    let with_name = cells.get(i..).unwrap_or(&[]);
    let nameless = name.col > header.name
        && header.slot_at(signed(name.col)).is_some()
        && anchor_in(with_name)
            .and_then(|j| shift_of(with_name, j))
            .is_some_and(|s| signed(name.col) - s > signed(header.name));
    let rest = if nameless {
        with_name
    } else {
        placement.name = Some(name);
        cells.get(i + 1..).unwrap_or(&[])
    };
    let anchor = anchor_in(rest);
    let anchor_shift = anchor.and_then(|j| shift_of(rest, j));

    let mut shifts: Vec<isize> = anchor_shift.into_iter().collect();
    for s in [0, 1, -1, 2, -2] {
        if !shifts.contains(&s) {
            shifts.push(s);
        }
    }
    let fit = |s: isize| -> Option<Vec<(IndCol, Cell<'a>)>> {
        let mut out = Vec::with_capacity(rest.len());
        for c in rest {
            let kind = header.slot_at(signed(c.col) - s)?;
            if s != 0 && matches!(kind, IndCol::Weight | IndCol::Score) && !fits_number(c) {
                return None;
            }
            out.push((kind, *c));
        }
        Some(out)
    };
    if let Some(values) = shifts.iter().find_map(|&s| fit(s)) {
        placement.values = values;
    } else {
        let (Some(j), Some(s)) = (anchor, anchor_shift) else {
            return Err(format!(
                "无法把本行的单元格对应到指标表头的列（{}）；请检查这一行是否错位或多了单元格",
                describe_cells(rest, row)
            ));
        };
        let mut taken: Vec<IndCol> = Vec::new();
        let mut values: Vec<(IndCol, Cell<'a>)> = Vec::new();
        let mut extras: Vec<Cell<'a>> = Vec::new();
        let pre_slot = |col: isize| {
            header
                .slot_at(col)
                .filter(|k| !matches!(k, IndCol::Weight | IndCol::Score | IndCol::Note))
        };
        for c in rest.get(..j).unwrap_or(&[]) {
            let kind = pre_slot(signed(c.col))
                .filter(|k| !taken.contains(k))
                .or_else(|| pre_slot(signed(c.col) - s).filter(|k| !taken.contains(k)));
            match kind {
                Some(k) => {
                    taken.push(k);
                    values.push((k, *c));
                }
                None => extras.push(*c),
            }
        }
        let mut tail = rest.get(j..).unwrap_or(&[]).iter();
        for kind in [IndCol::Weight, IndCol::Score] {
            if let Some(c) = tail.next() {
                values.push((kind, *c));
            }
        }
        for c in tail {
            if header.col_of(IndCol::Note).is_some() && !values.iter().any(|(k, _)| *k == IndCol::Note) {
                values.push((IndCol::Note, *c));
            } else {
                extras.push(*c);
            }
        }
        placement.values = values;
        placement.extras = extras;
    }
    describe_labels(header, &mut placement, row);
    Ok(placement)
}

/// Describes, in Chinese, every cell that sits elsewhere than the header says: labels, the name,
/// value cells (grouped when they moved together), extra cells. A row whose cells all moved by
/// the same amount is described as a whole.
fn describe_labels(header: &Header, placement: &mut Placement<'_>, row: usize) {
    // Fast path, taken by almost every row: everything sits where the header says.
    let in_place = placement.extras.is_empty()
        && placement.l1.as_ref().is_none_or(|l| Some(l.cell.col) == header.l1)
        && placement.l2.as_ref().is_none_or(|l| Some(l.cell.col) == header.l2)
        && placement.name.is_none_or(|n| n.col == header.name)
        && placement
            .values
            .iter()
            .all(|(k, c)| header.col_of(*k).is_none_or(|e| e == c.col));
    if in_place {
        placement.realigned.clear();
        return;
    }
    let delta = |col: usize, expected: usize| signed(col) - signed(expected);
    let mut moved: Vec<(String, usize, usize, isize)> = Vec::new();
    for (label, expected, what) in [
        (&placement.l1, header.l1, "一级指标"),
        (&placement.l2, header.l2, "二级指标"),
    ] {
        if let (Some(l), Some(e)) = (label, expected) {
            moved.push((format!("{what}“{}”", l.cell.text), l.cell.col, e, delta(l.cell.col, e)));
        }
    }
    if let Some(name) = placement.name {
        moved.push((
            "三级指标".to_owned(),
            name.col,
            header.name,
            delta(name.col, header.name),
        ));
    }
    let mut value_moves: Vec<(IndCol, isize)> = Vec::new();
    for (kind, cell) in &placement.values {
        if let Some(e) = header.col_of(*kind) {
            value_moves.push((*kind, delta(cell.col, e)));
        }
    }
    let mut notes = Vec::new();
    let all: Vec<isize> = moved
        .iter()
        .map(|m| m.3)
        .chain(value_moves.iter().map(|v| v.1))
        .collect();
    let uniform = all.first().copied().filter(|d| *d != 0 && all.iter().all(|x| x == d));
    if let (Some(d), true) = (uniform, placement.extras.is_empty()) {
        notes.push(format!("整行{}", shift_words(d)));
    } else {
        for (what, col, expected, d) in &moved {
            if *d != 0 {
                notes.push(format!(
                    "{what}在 {}（表头为 {} 列）",
                    cell_ref(*col, row),
                    letters(*expected)
                ));
            }
        }
        let shifted: Vec<&(IndCol, isize)> = value_moves.iter().filter(|v| v.1 != 0).collect();
        if let Some(first) = shifted.first()
            && shifted.iter().all(|v| v.1 == first.1)
        {
            let kinds = shifted.iter().map(|v| v.0.label()).collect::<Vec<_>>().join("、");
            notes.push(format!("{kinds}{}", shift_words(first.1)));
        } else {
            for (kind, d) in shifted {
                notes.push(format!("{}{}", kind.label(), shift_words(*d)));
            }
        }
    }
    if !placement.extras.is_empty() {
        notes.push(format!(
            "多出 {}（表头没有对应的列，列入未映射单元格）",
            describe_cells(&placement.extras, row)
        ));
    }
    placement.realigned = notes;
}

fn signed(col: usize) -> isize {
    isize::try_from(col).unwrap_or(isize::MAX)
}

fn shift_words(s: isize) -> String {
    if s > 0 {
        format!("右移 {s} 列")
    } else {
        format!("左移 {} 列", -s)
    }
}

fn letters(col: usize) -> String {
    column_letters(u32::try_from(col + 1).unwrap_or(u32::MAX))
}

fn cell_ref(col: usize, row: usize) -> String {
    format!("{}{}", letters(col), row + 1)
}

fn describe_cells(cells: &[Cell<'_>], row: usize) -> String {
    cells
        .iter()
        .map(|c| format!("{}“{}”", cell_ref(c.col, row), c.text))
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::layout::embedded;

    fn header() -> Header {
        let labels = [
            "年度绩效指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ];
        let cells: Vec<(usize, &str)> = labels.iter().copied().enumerate().skip(1).collect();
        Header::from_cells(&embedded(), &cells).header.unwrap()
    }

    fn cells(row: &str) -> Vec<Cell<'_>> {
        row.split('|')
            .enumerate()
            .filter(|(_, t)| !t.trim().is_empty())
            .map(|(col, text)| Cell { col, text })
            .collect()
    }

    fn value<'a>(p: &Placement<'a>, k: IndCol) -> Option<&'a str> {
        p.values.iter().find(|(kk, _)| *kk == k).map(|(_, c)| c.text)
    }

    #[test]
    fn aligned_row_needs_no_realignment() {
        let p = place(
            &embedded(),
            &header(),
            &cells("|产出指标|数量指标|档案整理数量（件）|15000|15005|12.5|12.5|无偏差"),
            14,
            false,
        )
        .unwrap();
        assert_eq!(p.l1.as_ref().map(|l| l.base.as_str()), Some("产出指标"));
        assert_eq!(value(&p, IndCol::Target), Some("15000"));
        assert_eq!(value(&p, IndCol::Score), Some("12.5"));
        assert!(p.realigned.is_empty());
    }

    #[test]
    fn shifted_and_extra_cells_are_placed_by_content() {
        let h = header();
        let p = place(
            &embedded(),
            &h,
            &cells("|产出指标|数量指标|完成局机关机房UPS蓄电池间消防改造||2|2|7.14|7.14|无偏差"),
            58,
            false,
        )
        .unwrap();
        assert_eq!(value(&p, IndCol::Target), Some("2"));
        assert_eq!(value(&p, IndCol::Weight), Some("7.14"));
        assert_eq!(value(&p, IndCol::Note), Some("无偏差"));
        assert!(!p.realigned.is_empty());

        let p = place(
            &embedded(),
            &h,
            &cells("|成本指标|项目成本（万元）||31|24.27|7.14|7.14|无偏差|"),
            64,
            false,
        )
        .unwrap();
        assert!(p.l1.is_none());
        assert_eq!(p.l2.as_ref().map(|l| l.base.as_str()), Some("成本指标"));
        assert_eq!(value(&p, IndCol::Actual), Some("24.27"));

        let p = place(
            &embedded(),
            &h,
            &cells("|效益指标|经济效益指标|无|无|无|无|0.0|0.0|无偏差"),
            153,
            false,
        )
        .unwrap();
        assert_eq!(p.extras.len(), 1);
        assert_eq!(p.extras.first().map(|c| c.col), Some(6));
        assert_eq!(value(&p, IndCol::Weight), Some("0.0"));

        let p = place(
            &embedded(),
            &h,
            &cells("|产出指标|数量指标|政务服务检查次数|≥12|12|12.5||无偏差"),
            10,
            false,
        )
        .unwrap();
        assert_eq!(value(&p, IndCol::Weight), Some("12.5"));
        assert_eq!(value(&p, IndCol::Score), None);
        assert!(p.realigned.is_empty());
    }
}
