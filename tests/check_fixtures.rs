//! The fixture sweep: every document under `tests/fixtures/checks/<CODE>/` is validated against
//! the evaluation schema and scored under the embedded rule set its year and region select (as
//! `jixiao score` would). A file whose name starts with `hit` must produce a finding of `<CODE>`,
//! one starting with `miss` must not, and every code jixiao knows has at least one of each.
//!
//! Beyond the code it is about, each fixture's whole outcome is pinned by an insta snapshot
//! (`snapshots/tests__check_fixtures__outcome@<CODE>__<file>.snap`): the rule set, the funds
//! score, the total and grade (computed beside reported), and every finding with its severity,
//! place (indicator path or block, and cell), waived flag and message. A new, lost or changed
//! finding anywhere fails until the snapshot is reviewed. Adding a case means adding a file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use jixiao::engine::scoring::{Scorecard, score_document};
use jixiao::ingest::validate::DocumentValidator;
use jixiao::policy::checks::Code;
use jixiao::policy::select::{Catalogue, SelectionCache};

/// What a reviewer sees of one scored fixture, one line per fact.
fn outcome(card: &Scorecard) -> String {
    let show = |d: Option<rust_decimal::Decimal>| d.map_or_else(|| "—".to_owned(), |d| d.to_string());
    let mut out = String::new();
    writeln!(out, "规则集 {}", card.ruleset).unwrap();
    writeln!(
        out,
        "预算执行 执行率 {} 得分 {}（填报 {}）",
        show(card.budget.rate),
        show(card.budget.score),
        show(card.budget.reported_score)
    )
    .unwrap();
    writeln!(
        out,
        "总分 {}（填报 {}） 等级 {}（填报 {}）",
        card.total.score,
        show(card.total.reported),
        card.grade,
        card.grade_reported.as_deref().unwrap_or("—")
    )
    .unwrap();
    writeln!(out, "发现 {} 条", card.findings.len()).unwrap();
    for f in &card.findings {
        let place = f
            .indicator
            .clone()
            .or_else(|| f.block.clone())
            .unwrap_or_else(|| "—".to_owned());
        let cell = f.at.map_or_else(String::new, |at| format!(" {at}"));
        let waived = if f.waived { " 已豁免" } else { "" };
        writeln!(
            out,
            "- {} {} [{place}{cell}]{waived}：{}",
            f.code,
            f.severity.label(),
            f.message
        )
        .unwrap();
    }
    out
}

#[test]
fn every_fixture_hits_or_misses_its_code_and_its_whole_outcome_is_pinned() {
    let catalogue = Catalogue::embedded().unwrap();
    let cache = Mutex::new(SelectionCache::default());
    let validator = DocumentValidator::new().unwrap();
    let counts: Mutex<BTreeMap<String, (usize, usize)>> = Mutex::default();
    let failures: Mutex<Vec<String>> = Mutex::default();

    insta::glob!("fixtures/checks/*/*", |file| {
        let code = file
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(Code::from_id(&code).is_some(), "{}: not a finding code", file.display());
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
        let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let doc = validator
            .check(&value)
            .unwrap_or_else(|e| panic!("{code}/{name} is not a valid evaluation document: {e:?}"));
        let rules = cache
            .lock()
            .unwrap()
            .select(&catalogue, doc.year, doc.region.as_deref())
            .unwrap();
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
            failures.lock().unwrap().push(format!(
                "{code}/{name} under {}: expected {}{code}, got\n{}",
                rules.id,
                if hit { "" } else { "no " },
                outcome(&card)
            ));
        }
        let mut counts = counts.lock().unwrap();
        let entry = counts.entry(code).or_default();
        if hit {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
        insta::assert_snapshot!("outcome", outcome(&card));
    });

    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let counts = counts.into_inner().unwrap();
    for code in Code::all() {
        let (hits, misses) = counts.get(code.id()).copied().unwrap_or_default();
        assert!(
            hits > 0 && misses > 0,
            "{code}: needs at least one hit*.json and one miss*.json in tests/fixtures/checks/{code}/ (has {hits} and {misses})"
        );
    }
}
