//! CSV: one table, UTF-8 with a byte-order mark (so Excel reads the Chinese correctly), CRLF
//! line ends and RFC 4180 quoting. Decimals are written exactly as in the JSON report.

use rust_decimal::Decimal;

use super::tables::{Table, Value};

/// Renders a table as CSV text, starting with the UTF-8 byte-order mark.
pub(crate) fn csv(table: &Table) -> String {
    let mut out = String::from('\u{feff}');
    line(&mut out, table.headers.iter().map(|h| (*h).to_owned()));
    for row in &table.rows {
        line(
            &mut out,
            row.iter().map(|cell| match &cell.value {
                Value::Empty => String::new(),
                Value::Text(s) => defuse(s),
                Value::Integer(n) => n.to_string(),
                Value::Number(d, _) => d.to_string(),
            }),
        );
    }
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
    use crate::report::tables::{Cell, Tone};

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
}
