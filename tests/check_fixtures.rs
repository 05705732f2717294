//! The fixture sweep: every document under `tests/fixtures/checks/<CODE>/` is validated against
//! the evaluation schema, scored under the embedded rule set its year and region select (as
//! `jixiao score` would), and must produce a finding of `<CODE>` when its file name starts with
//! `hit` and must not when it starts with `miss`. Adding a case means adding a file; every code
//! jixiao knows must have at least one of each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::collections::BTreeMap;
use std::path::Path;

use jixiao::policy::checks::Code;
use jixiao::policy::select::{Catalogue, SelectionCache};
use jixiao::scoring::score_document;
use jixiao::validate::DocumentValidator;

#[test]
fn every_hit_fixture_triggers_its_code_and_every_miss_fixture_does_not() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks");
    let catalogue = Catalogue::embedded().unwrap();
    let mut cache = SelectionCache::default();
    let validator = DocumentValidator::new().unwrap();
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();

    let mut dirs: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    for dir in dirs {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(Code::from_id(&code).is_some(), "{}: not a finding code", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.ends_with(".json"),
                "{}: fixtures are .json documents",
                file.display()
            );
            let hit = if name.starts_with("hit") {
                true
            } else if name.starts_with("miss") {
                false
            } else {
                panic!("{}: a fixture's name starts with hit or miss", file.display());
            };
            let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let doc = validator
                .check(&value)
                .unwrap_or_else(|e| panic!("{code}/{name} is not a valid evaluation document: {e:?}"));
            let rules = cache.select(&catalogue, doc.year, doc.region.as_deref()).unwrap();
            let card = score_document(&rules, &doc).unwrap_or_else(|e| panic!("{code}/{name}: {e}"));
            for f in &card.findings {
                assert!(
                    !f.message.contains('{') && !f.message.contains('}'),
                    "{code}/{name}: unfilled template: {}",
                    f.message
                );
                assert_eq!(f.document, doc.id, "{code}/{name}: findings name their document");
            }
            let produced = card.findings.iter().any(|f| f.code == code);
            if produced != hit {
                let shown: Vec<String> = card
                    .findings
                    .iter()
                    .map(|f| format!("{} {:?} {}", f.code, f.severity, f.message))
                    .collect();
                failures.push(format!(
                    "{code}/{name} under {}: expected {}{code}, got {shown:#?}",
                    rules.id,
                    if hit { "" } else { "no " }
                ));
            }
            let entry = counts.entry(code.clone()).or_default();
            if hit {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for code in Code::all() {
        let (hits, misses) = counts.get(code.id()).copied().unwrap_or_default();
        assert!(
            hits > 0 && misses > 0,
            "{code}: needs at least one hit*.json and one miss*.json in tests/fixtures/checks/{code}/ (has {hits} and {misses})"
        );
    }
}
