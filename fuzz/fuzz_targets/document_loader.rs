//! Arbitrary bytes as JSON Lines and as a JSON document: parsed, validated against the
//! evaluation schema, and every document that passes scored and explained (the traced scoring
//! path) under every embedded rule set. Never panics (a scoring error is a result, not a crash).
#![no_main]

use std::sync::LazyLock;

use jixiao::engine::explain::explain_document;
use jixiao::engine::scoring::score_document;
use jixiao::ingest::input::{parse_json, parse_json_lines};
use jixiao::ingest::validate::DocumentValidator;
use jixiao::policy::{RuleSet, embedded};
use libfuzzer_sys::fuzz_target;

static VALIDATOR: LazyLock<DocumentValidator> = LazyLock::new(|| DocumentValidator::new().expect("schema compiles"));
static RULES: LazyLock<Vec<RuleSet>> = LazyLock::new(|| {
    embedded::ids()
        .iter()
        .map(|id| RuleSet::load(embedded::files(id).expect("embedded rule set")).expect("rule set loads"))
        .collect()
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
                for rules in RULES.iter() {
                    let _ = score_document(rules, &document);
                    let _ = explain_document(rules, &document, &[], None);
                }
            }
            Err(problems) => assert!(!problems.is_empty(), "a rejected document has no problem listed"),
        }
    }
});
