//! CSV: one table, UTF-8 with a byte-order mark (so Excel reads the Chinese correctly), CRLF
//! line ends and RFC 4180 quoting. Decimals keep every digit of the JSON report, each column in
//! one format (scores and amounts with at least two places, so `1` never stands beside `1.00`);
//! texts Excel would turn into numbers (a 主管部门 code `0102013`, a 16-digit code) are written
//! as `="…"`, which Excel and LibreOffice show as the text.

use rust_decimal::Decimal;

use super::tables::{Cell, NumberStyle, Value};

/// The start of a CSV file: the UTF-8 byte-order mark and the header line.
pub(crate) fn header(headers: &[&str]) -> String {
    let mut out = String::from('\u{feff}');
    line(&mut out, headers.iter().map(|h| (*h).to_owned()));
    out
}

/// Appends the CSV lines of `rows` to `out`.
pub(crate) fn rows(out: &mut String, rows: &[Vec<Cell>]) {
    for row in rows {
        line(
            out,
            row.iter().map(|cell| match &cell.value {
                Value::Empty => String::new(),
                Value::Text(s) => as_text(s),
                Value::Integer(n) => n.to_string(),
                Value::Number(d, style) => fixed(*d, *style),
            }),
        );
    }
}

/// Renders a table as CSV text, starting with the UTF-8 byte-order mark.
#[cfg(test)]
pub(crate) fn csv(table: &super::tables::Table) -> String {
    let mut out = header(table.headers);
    rows(&mut out, &table.rows);
    out
}

fn line(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}

/// A decimal with at least the places its column shows (scores and amounts 2, rates 4), and
/// every place it has beyond them.
fn fixed(d: Decimal, style: NumberStyle) -> String {
    let places = match style {
        NumberStyle::Score | NumberStyle::Amount => 2,
        NumberStyle::Rate => 4,
    };
    if d.scale() >= places {
        d.to_string()
    } else {
        let places = places as usize;
        format!("{d:.places$}")
    }
}

/// A text cell: one Excel would read as a number and change (leading zeros dropped, digits
/// beyond 15 rounded) is written `="…"`; one it would take for a formula is defused.
fn as_text(s: &str) -> String {
    let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits && ((s.len() > 1 && s.starts_with('0')) || s.len() > 15) {
        return format!("=\"{s}\"");
    }
    defuse(s)
}

/// Text that Excel would take for a formula (`=…`, `+…`, `@…`, `-…` that is not a number) is
/// prefixed with an apostrophe, as OWASP advises against CSV formula injection: project names
/// and indicator texts are user input.
fn defuse(s: &str) -> String {
    let risky = match s.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => s.len() > 1 && s.trim_end_matches('%').parse::<Decimal>().is_err(),
        _ => false,
    };
    if risky { format!("'{s}") } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tables::{Table, Tone};

    fn t(s: &str) -> Cell {
        Cell {
            value: Value::Text(s.into()),
            tone: Tone::Plain,
        }
    }

    #[test]
    fn quotes_as_rfc_4180_and_starts_with_a_bom() {
        let table = Table {
            name: "x",
            headers: &["a", "b"],
            rows: vec![vec![t("逗号,引号\"换行\n"), t("=1+1")], vec![t("-5%"), t("-x")]],
        };
        assert_eq!(
            csv(&table),
            "\u{feff}a,b\r\n\"逗号,引号\"\"换行\n\",'=1+1\r\n-5%,'-x\r\n"
        );
    }

    #[test]
    fn codes_stay_text_and_each_number_column_has_one_format() {
        assert_eq!(as_text("0102013"), "=\"0102013\"");
        assert_eq!(as_text("51000021000000019951"), "=\"51000021000000019951\"");
        assert_eq!(as_text("2021"), "2021");
        assert_eq!(as_text("档案整理"), "档案整理");
        assert_eq!(fixed(Decimal::new(1, 0), NumberStyle::Score), "1.00");
        assert_eq!(fixed(Decimal::new(9975, 3), NumberStyle::Score), "9.975");
        assert_eq!(fixed(Decimal::new(98, 2), NumberStyle::Rate), "0.9800");
        assert_eq!(fixed(Decimal::new(3700700, 0), NumberStyle::Amount), "3700700.00");
    }
}
