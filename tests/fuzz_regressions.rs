//! Inputs the fuzzers (`fuzz/`, see `docs/fuzzing.md`) found crashing, kept as regression tests.
//! Each file under `tests/fixtures/fuzz/<target>/` is run through the same code path as the fuzz
//! target `<target>` and must give a sensible result instead of a panic. Adding a case means
//! adding the crash file there (named after what it exercises). The committed seed corpora
//! (`fuzz/corpus/<target>/`) go through the same paths, so the harness logic (the “nothing
//! dropped” check in particular) is exercised by `cargo test` even while no crash is on file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod common;

use std::path::{Path, PathBuf};

use jixiao::grammar::{days_late, parse_actual, parse_value};
use jixiao::import::{ImportOptions, grid, import_bytes, import_forms};
use jixiao::input::{parse_json, parse_json_lines};
use jixiao::policy::{RuleSet, embedded};
use jixiao::scoring::score_document;
use jixiao::validate::DocumentValidator;

/// The crash files of one target, sorted.
fn cases(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<(PathBuf, Vec<u8>)> = [root.join("tests/fixtures/fuzz"), root.join("fuzz/corpus")]
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir.join(target)).ok())
        .flatten()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs for {target}");
    out
}

/// The first byte picks the extension, as in `fuzz/fuzz_targets/import_form.rs`.
fn import_name(pick: u8) -> &'static str {
    ["fuzz.tsv", "fuzz.csv", "fuzz.xlsx", "fuzz.txt"][usize::from(pick) % 4]
}

#[test]
fn import_form_crashes_import_or_fail_naming_the_file() {
    let opts = ImportOptions {
        year: Some(2021),
        default_year: None,
        region: None,
    };
    for (path, data) in cases("import_form") {
        let Some((&pick, bytes)) = data.split_first() else {
            continue;
        };
        let name = import_name(pick);
        match import_bytes(name, bytes, &opts) {
            Ok(docs) => {
                let grids = grid::read_grids(name, bytes).unwrap();
                for form in import_forms(name, &grids, &opts).unwrap() {
                    common::assert_nothing_dropped(&grids, &form.unwrap());
                }
                assert!(!docs.is_empty(), "{}", path.display());
            }
            Err(e) => assert!(e.to_string().contains(name), "{}: {e}", path.display()),
        }
    }
}

#[test]
fn target_grammar_crashes_parse() {
    for (path, data) in cases("target_grammar") {
        let Ok(text) = std::str::from_utf8(&data) else { continue };
        let mut parts = text.split('\u{1f}');
        let target = parts.next().unwrap_or("");
        let actual = parts.next().unwrap_or("");
        let unit = parts.next().filter(|s| !s.is_empty());
        let comparator = parts.next().filter(|s| !s.is_empty());
        let year = parts.next().and_then(|s| s.trim().parse().ok());
        let t = parse_value(target, unit, comparator);
        let a = parse_actual(actual, unit);
        for p in [&t, &a] {
            let _ = (
                p.deadline_day(year),
                p.actual_day(year),
                p.fraction(),
                p.is_constraint(),
            );
        }
        let _ = days_late(&t, &a, year);
        let _ = days_late(&a, &t, year);
        eprintln!("{}: {t:?} / {a:?}", path.display());
    }
}

#[test]
fn document_loader_crashes_validate_and_score() {
    let validator = DocumentValidator::new().unwrap();
    let rules = RuleSet::load(embedded::files("shenzhen-2020").unwrap()).unwrap();
    for (path, data) in cases("document_loader") {
        let text = String::from_utf8_lossy(&data);
        let raw = parse_json_lines("fuzz.jsonl", &text)
            .into_iter()
            .chain(parse_json("fuzz.json", &text));
        for doc in raw {
            let Ok(value) = doc.value else { continue };
            match validator.check(&value) {
                Ok(document) => {
                    let _ = score_document(&rules, &document);
                }
                Err(problems) => assert!(!problems.is_empty(), "{}", path.display()),
            }
        }
    }
}
