//! Reading cell values: exact decimals, rates, units in names, budget codes before project names.
//! (Which cells mean “not applicable” and what a header's parentheses carry are layout data, see
//! `labels`.)

use std::str::FromStr;

use rust_decimal::Decimal;

/// Parses an exact decimal: ASCII or full-width digits, optional sign, thousands separators
/// ("1,420,000.00"), scientific notation from CSV exports, and a trailing "元".
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    let t = t.strip_suffix('元').unwrap_or(t).trim_end();
    if t.is_empty() {
        return None;
    }
    let simple = t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'));
    if simple {
        if t.starts_with('+') {
            return Decimal::from_str(t.get(1..)?).ok();
        }
        return Decimal::from_str(t).ok();
    }
    let mut ascii = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '0'..='9' | '.' | '-' | 'e' | 'E' | '+' => ascii.push(c),
            '０'..='９' => ascii.push(char::from(b'0' + u8::try_from(u32::from(c) - u32::from('０')).ok()?)),
            '．' => ascii.push('.'),
            '－' => ascii.push('-'),
            ',' | '，' => {}
            _ => return None,
        }
    }
    let ascii = ascii.strip_prefix('+').unwrap_or(&ascii);
    if ascii.contains(['e', 'E']) {
        Decimal::from_scientific(ascii).ok()
    } else {
        Decimal::from_str(ascii).ok()
    }
}

/// True for a text written as a number (digits, a point, a sign, an exponent, thousands
/// separators) that [`parse_decimal`] still cannot read: one too large or too long for an exact
/// decimal ("1e308"), to be reported as out of range rather than as no number.
pub fn is_number_out_of_range(text: &str) -> bool {
    let t = text.trim();
    let t = t.strip_suffix('元').unwrap_or(t).trim_end();
    t.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        && t.chars().all(|c| {
            c.is_ascii_digit()
                || ('０'..='９').contains(&c)
                || matches!(c, '.' | '．' | '-' | '－' | '+' | 'e' | 'E' | ',' | '，')
        })
        && parse_decimal(t).is_none()
}

/// Parses a rate as a fraction: "0.98" → 0.98, "100.00%" → 1.0000 (scale kept, +2).
pub fn parse_rate(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if let Some(num) = t.strip_suffix('%').or_else(|| t.strip_suffix('％')) {
        let d = parse_decimal(num)?;
        let mut out = d;
        out.set_scale(d.scale() + 2).ok()?;
        return Some(out);
    }
    parse_decimal(t)
}

/// The unit in an indicator name's trailing parentheses: "档案整理数量（件）" → "件",
/// "检查频率（次/月）" → "次/月". Only short, digit-free contents count as units.
pub fn unit_from_name(name: &str) -> Option<&str> {
    let t = name.trim();
    let (open, close) = if t.ends_with('）') {
        ('（', '）')
    } else if t.ends_with(')') {
        ('(', ')')
    } else {
        return None;
    };
    let inner_end = t.len() - close.len_utf8();
    let start = t.get(..inner_end)?.rfind(open)? + open.len_utf8();
    let unit = t.get(start..inner_end)?.trim();
    let ok = !unit.is_empty()
        && unit.chars().count() <= 6
        && !unit.chars().any(|c| {
            c.is_ascii_digit()
                // A template's placeholder ("(≥**人)") is no unit.
                || matches!(c, '（' | '(' | '，' | ',' | '；' | '。' | '*' | '＊' | '≥' | '≤' | '<' | '>' | '=')
        });
    ok.then_some(unit)
}

/// Reads a score written in Chinese numerals, as a 总分 cell sometimes is: "九十八" → 98,
/// "九十八点五分" → 98.5, "一百" → 100, "八十" → 80. Digits 零〇一二两三四五六七八九, the units
/// 十 and 百, an optional 点 with digits after it and a trailing 分; anything else is `None`.
pub fn parse_chinese_number(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let text = text.strip_suffix('分').unwrap_or(text);
    let digit = |c: char| -> Option<i64> {
        match c {
            '零' | '〇' => Some(0),
            '两' => Some(2),
            _ => "一二三四五六七八九".chars().position(|d| d == c).map(|i| i as i64 + 1),
        }
    };
    let (whole, fraction) = match text.split_once('点') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    if whole.is_empty() {
        return None;
    }
    let (mut total, mut pending, mut last_unit) = (0i64, None::<i64>, i64::MAX);
    for c in whole.chars() {
        let unit = match c {
            '百' => 100,
            '十' => 10,
            // "一百零五": a 零 after a unit only marks the empty tens.
            '零' | '〇' if last_unit < i64::MAX && pending.is_none() => continue,
            _ => {
                if pending.is_some() {
                    return None;
                }
                pending = Some(digit(c)?);
                continue;
            }
        };
        if unit >= last_unit {
            return None;
        }
        // "十" alone is ten; "零" before a unit makes no sense.
        let n = pending.take().unwrap_or(1);
        total += n * unit;
        last_unit = unit;
    }
    total += pending.unwrap_or(0);
    let mut value = Decimal::from(total);
    if let Some(fraction) = fraction {
        if fraction.is_empty() {
            return None;
        }
        let mut digits = String::with_capacity(fraction.len());
        for c in fraction.chars() {
            digits.push(char::from_digit(u32::try_from(digit(c)?).ok()?, 10)?);
        }
        value = format!("{total}.{digits}").parse().ok()?;
    }
    Some(value)
}

/// Splits a budget code written before a project name: "51000021R000000019951-工资性支出" →
/// (Some("51000021R000000019951"), "工资性支出"). A code is at least 10 ASCII letters/digits with
/// at least 6 digits, followed by a dash, underscore or space.
pub fn split_code(name: &str) -> (Option<&str>, &str) {
    let t = name.trim();
    let code_len = t.bytes().take_while(u8::is_ascii_alphanumeric).count();
    if code_len >= 10
        && let Some(code) = t.get(..code_len)
        && code.bytes().filter(u8::is_ascii_digit).count() >= 6
        && let Some(rest) = t.get(code_len..)
    {
        let rest_trimmed = rest.trim_start_matches(['-', '－', '—', '_', ' ', '\u{3000}']);
        if rest_trimmed.len() < rest.len() && !rest_trimmed.is_empty() {
            return (Some(code), rest_trimmed);
        }
    }
    (None, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_decimal("890000.00"), Some(dec!(890000.00)));
        assert_eq!(parse_decimal("1,420,000.00"), Some(dec!(1420000.00)));
        assert_eq!(parse_decimal("１２.５"), Some(dec!(12.5)));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal("≥12"), None);
        assert_eq!(parse_decimal("1.2E+3"), Some(dec!(1200)));
        assert_eq!(parse_rate("100.00%"), Some(dec!(1.0000)));
        assert_eq!(parse_rate("100.00%").map(|d| d.to_string()), Some("1.0000".to_owned()));
        assert_eq!(parse_rate("0.98"), Some(dec!(0.98)));
    }

    #[test]
    fn names_units_weights_codes() {
        assert_eq!(unit_from_name("档案整理数量（件）"), Some("件"));
        assert_eq!(unit_from_name("政务服务指标检查频率（次/月）"), Some("次/月"));
        assert_eq!(unit_from_name("档案材料完整率"), None);
        assert_eq!(unit_from_name("完成时间（2021年）"), None);
        assert_eq!(unit_from_name("测评频率（次/年）"), Some("次/年"));
        assert_eq!(unit_from_name("农村低保发放人数(按月平均)(≥**人)"), None);
        assert!(is_number_out_of_range("1e308"));
        assert!(is_number_out_of_range("99999999999999999999999999999999"));
        assert!(!is_number_out_of_range("12.5"));
        assert!(!is_number_out_of_range("十二"));
        assert_eq!(parse_chinese_number("九十八"), Some(dec!(98)));
        assert_eq!(parse_chinese_number("九十八点五分"), Some(dec!(98.5)));
        assert_eq!(parse_chinese_number("一百"), Some(dec!(100)));
        assert_eq!(parse_chinese_number("一百分"), Some(dec!(100)));
        assert_eq!(parse_chinese_number("八十"), Some(dec!(80)));
        assert_eq!(parse_chinese_number("十五"), Some(dec!(15)));
        assert_eq!(parse_chinese_number("一百零五"), Some(dec!(105)));
        assert_eq!(parse_chinese_number("优"), None);
        assert_eq!(parse_chinese_number("十十"), None);
        assert_eq!(parse_chinese_number("九八"), None);
        assert_eq!(parse_chinese_number("点五"), None);
        assert_eq!(parse_chinese_number(""), None);
        assert_eq!(
            split_code("51000021R000000019951-工资性支出"),
            (Some("51000021R000000019951"), "工资性支出")
        );
        assert_eq!(split_code("2021年电子政务运维"), (None, "2021年电子政务运维"));
    }
}
