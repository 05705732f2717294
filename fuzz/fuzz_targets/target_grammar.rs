//! Arbitrary target/actual texts, unit hints and comparator hints through the value grammar.
//! Never panics; quantities re-read from their own rendering give the same value.
//!
//! Input: UTF-8 text `target␟actual␟unit hint␟comparator hint␟default year` split on U+001F
//! (missing fields are `None`; an unparsable year is `None`), so seeds and crash files stay
//! readable and can be written by hand.
#![no_main]

use jixiao::engine::grammar::{Parsed, comparator_from_text, days_late, parse_actual, parse_value, unit_from_name};
use libfuzzer_sys::fuzz_target;

struct Input<'a> {
    target: &'a str,
    actual: &'a str,
    unit_hint: Option<&'a str>,
    comparator_hint: Option<&'a str>,
    default_year: Option<i32>,
}

impl<'a> Input<'a> {
    fn split(text: &'a str) -> Self {
        let mut parts = text.split('\u{1f}');
        let target = parts.next().unwrap_or("");
        let actual = parts.next().unwrap_or("");
        let unit_hint = parts.next().filter(|s| !s.is_empty());
        let comparator_hint = parts.next().filter(|s| !s.is_empty());
        let default_year = parts.next().and_then(|s| s.trim().parse().ok());
        Input {
            target,
            actual,
            unit_hint,
            comparator_hint,
            default_year,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let input = Input::split(text);
    let target = parse_value(input.target, input.unit_hint, input.comparator_hint);
    let actual = parse_actual(input.actual, input.unit_hint);
    for parsed in [&target, &actual] {
        let _ = parsed.is_constraint();
        let _ = parsed.is_value();
        let _ = parsed.fraction();
        let _ = parsed.deadline_day(input.default_year);
        let _ = parsed.actual_day(input.default_year);
        let _ = serde_json::to_string(parsed).expect("Parsed serialises");
    }
    let _ = days_late(&target, &actual, input.default_year);
    let _ = days_late(&actual, &target, input.default_year);
    let _ = unit_from_name(input.target);
    let _ = comparator_from_text(input.target);
    if let Some(hint) = input.comparator_hint {
        let _ = comparator_from_text(hint);
    }

    // An actual is never a constraint only because of a hint.
    assert_eq!(actual, parse_value(input.actual, input.unit_hint, None));

    // Round trip: a quantity rendered as "<comparator><number>" (no unit, no hint) parses back
    // to the same comparator and the same number, scale included.
    if let Parsed::Quantity { comparator, value, .. } = &target {
        let symbol = comparator.map(|c| c.symbol()).unwrap_or("");
        let text = format!("{symbol}{value}");
        match parse_value(&text, None, None) {
            Parsed::Quantity {
                comparator: c2,
                value: v2,
                unit: None,
                percent: false,
            } => {
                assert_eq!((c2, v2.to_string()), (*comparator, value.to_string()), "{text:?}");
            }
            other => panic!("{text:?} (from {:?}) re-parsed as {other:?}", input.target),
        }
    }
});
