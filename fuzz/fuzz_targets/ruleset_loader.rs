//! Arbitrary rule sets: the input is split at U+001E into `policy.toml`, `formulas.rhai` and
//! `checks.rhai` (a part left out is the embedded `cn-mof-2020`'s), loaded and checked as
//! `jixiao check` and `--rules PATH` do, and when the set loads, the seed documents are scored
//! and explained under it (decimals included in what a hostile formula returns). Never panics,
//! and a script that runs away is stopped by the engine's limits (libFuzzer's `-timeout`
//! catches one that is not).
#![no_main]

use std::sync::LazyLock;

use jixiao::engine::explain::explain_document;
use jixiao::engine::scoring::score_document;
use jixiao::ingest::import::{ImportOptions, import_text};
use jixiao::model::document::EvaluationDocument;
use jixiao::policy::{RuleSet, RuleSetFiles, RuleSetOrigin, embedded, lint};
use libfuzzer_sys::fuzz_target;

/// Two seed forms (the first of the Shenzhen seed and the central form), imported once.
static DOCUMENTS: LazyLock<Vec<EvaluationDocument>> = LazyLock::new(|| {
    let options = ImportOptions {
        year: Some(2021),
        ..ImportOptions::default()
    };
    let central = include_str!("../../tests/fixtures/forms/central-2021.tsv");
    let seed = include_str!("../../tests/fixtures/forms/shenzhen-seed.tsv");
    let mut documents = import_text("central.tsv", central, &options).expect("the central form imports");
    let seed = import_text("seed.tsv", seed, &options).expect("the seed forms import");
    documents.extend(seed.into_iter().take(1));
    documents
});

static BASE: LazyLock<RuleSetFiles> = LazyLock::new(|| embedded::files("cn-mof-2020").expect("embedded rule set"));

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1e}');
    let mut files: Vec<(String, String)> = Vec::new();
    for name in ["policy.toml", "formulas.rhai", "checks.rhai"] {
        let own = parts.next();
        let content = match own {
            Some(t) => t.to_owned(),
            None => BASE
                .files
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.clone())
                .unwrap_or_default(),
        };
        files.push((name.to_owned(), content));
    }
    let set = RuleSetFiles {
        origin: RuleSetOrigin::Embedded,
        name: "fuzz".to_owned(),
        files,
    };
    // `jixiao check`: diagnostics, never a panic.
    let _ = lint::check(&set);
    let Ok(rules) = RuleSet::load(set) else { return };
    for doc in DOCUMENTS.iter() {
        let _ = score_document(&rules, doc);
        let _ = explain_document(&rules, doc, &[], None);
    }
});
