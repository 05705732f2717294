//! Arbitrary bytes as JSON Lines and as a JSON document: parsed, validated against the
//! evaluation schema, and every document that passes scored under the embedded `shenzhen-2020`
//! rule set. Never panics (a scoring error is a result, not a crash).
#![no_main]

use std::sync::LazyLock;

use jixiao::engine::scoring::score_document;
use jixiao::ingest::input::{parse_json, parse_json_lines};
use jixiao::ingest::validate::DocumentValidator;
use jixiao::policy::{RuleSet, embedded};
use libfuzzer_sys::fuzz_target;

static VALIDATOR: LazyLock<DocumentValidator> = LazyLock::new(|| DocumentValidator::new().expect("schema compiles"));
static RULES: LazyLock<RuleSet> = LazyLock::new(|| {
    RuleSet::load(embedded::files("shenzhen-2020").expect("embedded rule set")).expect("rule set loads")
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let raw = parse_json_lines("fuzz.jsonl", &text)
        .into_iter()
        .chain(parse_json("fuzz.json", &text));
    for doc in raw {
        let Ok(value) = doc.value else { continue };
        match VALIDATOR.check(&value) {
            Ok(document) => {
                let _ = score_document(&RULES, &document);
            }
            Err(problems) => assert!(!problems.is_empty(), "a rejected document has no problem listed"),
        }
    }
});
