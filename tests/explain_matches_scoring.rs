//! `explain` shows what scoring did, never a second computation of its own: over every check
//! fixture (under the rule set it selects), the seed forms and the central form (under every
//! embedded rule set, with formulas run natively and in the interpreter) and the seed forms
//! with the reviewer decisions of `tests/fixtures/decisions`, each number explain shows as
//! computed is the scorecard's, and traced scoring gives the scorecard plain scoring gives.

use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;

use jixiao::engine::decisions::{Decision, DecisionSet, apply_corrections};
use jixiao::engine::explain::{Explanation, explain_document};
use jixiao::engine::pipeline::score_under;
use jixiao::engine::scoring::{IndicatorKind, Scorecard, score_document, score_document_traced};
use jixiao::ingest::import::{ImportOptions, import_file};
use jixiao::ingest::validate::DocumentValidator;
use jixiao::model::document::EvaluationDocument;
use jixiao::model::findings::Finding;
use jixiao::policy::select::Catalogue;
use jixiao::policy::{RuleSet, embedded};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// How explain shows a computed decimal: in full, or cut to 8 places with "…" when longer.
fn shown(d: Decimal) -> String {
    let cut = d.round_dp_with_strategy(8, rust_decimal::RoundingStrategy::ToZero);
    if d.scale() > 8 && cut != d {
        format!("{}…", cut.normalize())
    } else {
        d.to_string()
    }
}

fn findings_where(card: &Scorecard, keep: impl Fn(&Finding) -> bool) -> Vec<Finding> {
    card.findings.iter().filter(|f| keep(f)).cloned().collect()
}

/// Every number `e` shows as computed against `card`, the scorecard of the same document.
fn assert_shows_the_scorecard(e: &Explanation, card: &Scorecard, what: &str) {
    assert_eq!(e.id, card.id, "{what}");
    assert_eq!(e.decisions, card.decisions, "{what}");

    let b = e.budget.as_ref().unwrap();
    let s = &card.budget;
    assert_eq!(b.weight.value, s.weight.to_string(), "{what}: funds weight");
    assert_eq!(b.result.computed, s.score, "{what}: funds score");
    assert_eq!(b.result.reported, s.reported_score, "{what}");
    assert_eq!(
        b.rate_formula.as_ref().map(|f| f.result.clone()),
        s.rate.map(shown),
        "{what}: funds rate"
    );
    assert_eq!(b.rounding.as_ref().map(|r| r.result), s.score, "{what}: funds rounding");
    if let (Some(f), Some(r)) = (&b.score_formula, &b.rounding) {
        assert_eq!(
            f.result,
            shown(r.value),
            "{what}: the score formula's result is what is rounded"
        );
        assert_eq!(f.arguments[0].value, shown(s.rate.unwrap()), "{what}: the rate scored");
    }
    assert_eq!(b.rate_formula.is_some(), b.score_formula.is_some(), "{what}");
    assert_eq!(
        b.findings,
        findings_where(card, |f| f.block.as_deref() == Some("funds")),
        "{what}"
    );

    assert_eq!(e.indicators.len(), card.indicators.len(), "{what}");
    for (x, s) in e.indicators.iter().zip(&card.indicators) {
        let what = format!("{what} {}", s.path());
        assert_eq!(x.path, s.path(), "{what}");
        assert_eq!(x.kind, s.kind, "{what}: kind");
        assert_eq!(x.result.computed, s.score, "{what}: score");
        assert_eq!(x.result.reported, s.reported_score, "{what}");
        assert_eq!(x.counted, s.counted, "{what}: counted");
        assert_eq!(
            x.formula.as_ref().map(|f| f.function.as_str()),
            s.formula.as_deref(),
            "{what}: formula"
        );
        match (&x.rounding, &x.rescale) {
            (Some(r), None) => {
                assert_eq!(s.rescale, None, "{what}");
                assert_eq!(Some(r.result), s.score, "{what}: rounding");
            }
            (Some(r), Some(step)) => {
                let factor = s.rescale.unwrap();
                assert!(
                    step.expression
                        .ends_with(&format!("；{} × {}", r.result, shown(factor))),
                    "{what}: {}",
                    step.expression
                );
                assert!(
                    step.value.starts_with(&format!("{}（", s.score.unwrap())),
                    "{what}: {}",
                    step.value
                );
            }
            (None, None) => assert!(x.formula.is_none() && s.rescale.is_none(), "{what}"),
            (None, Some(_)) => panic!("{what}: a rescale without a rounding"),
        }
        if let (Some(f), Some(r)) = (&x.formula, &x.rounding) {
            assert_eq!(
                f.result,
                shown(r.value),
                "{what}: the formula's result is what is rounded"
            );
        }
        let unit = s.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        match s.kind {
            IndicatorKind::Forward | IndicatorKind::Reverse | IndicatorKind::Equal => {
                let (t, a) = (s.target_value.unwrap(), s.actual_value.unwrap());
                let f = x.formula.as_ref().unwrap();
                assert_eq!(f.arguments[0].value, format!("{t}{unit}"), "{what}: target value");
                assert_eq!(f.arguments[1].value, format!("{a}{unit}"), "{what}: actual value");
                assert_eq!(f.arguments[2].value, s.weight.unwrap().to_string(), "{what}: weight");
                assert_eq!(x.conversions.len(), 2, "{what}");
                assert!(x.conversions[0].value.starts_with(&t.to_string()), "{what}");
                assert!(x.conversions[1].value.starts_with(&a.to_string()), "{what}");
            }
            IndicatorKind::Deadline => {
                let days = s.days_late.unwrap();
                let f = x.formula.as_ref().unwrap();
                assert_eq!(f.arguments[0].value, days.to_string(), "{what}: days late");
                assert!(x.steps[0].value.starts_with(&format!("{days} 天")), "{what}");
            }
            IndicatorKind::Qualitative => {
                let tier = s.tier.as_deref().unwrap();
                assert!(x.steps[0].value.starts_with(&format!("{tier}：")), "{what}: tier");
            }
            IndicatorKind::Unscored | IndicatorKind::Unreadable => {
                assert!(
                    x.formula.is_none() && x.conversions.is_empty() && x.steps.is_empty(),
                    "{what}"
                );
            }
        }
        assert_eq!(
            x.findings,
            findings_where(card, |f| f.indicator.as_deref() == Some(s.path().as_str())),
            "{what}"
        );
    }

    let t = e.total.as_ref().unwrap();
    assert_eq!(t.result.computed, Some(card.total.score), "{what}: total");
    assert_eq!(t.result.reported, card.total.reported, "{what}");
    assert_eq!(t.rounding.result, card.total.score, "{what}: total rounding");
    assert_eq!(
        t.sum.value,
        t.rounding.value.to_string(),
        "{what}: the sum is what is rounded"
    );
    let funds = card.budget.score.or(card.budget.reported_score).unwrap_or_default();
    assert_eq!(t.terms[0].value, funds.to_string(), "{what}: funds term");
    let counted: Vec<String> = card.indicators.iter().map(|s| s.counted.to_string()).collect();
    let terms: Vec<String> = t.terms[1..].iter().map(|a| a.value.clone()).collect();
    assert_eq!(terms, counted, "{what}: indicator terms");
    let sum: Decimal = t.terms.iter().map(|a| a.value.parse::<Decimal>().unwrap()).sum();
    assert_eq!(sum, t.rounding.value, "{what}: the terms add up to the sum");
    assert_eq!(t.grade.value, card.grade, "{what}: grade");
    assert_eq!(
        t.findings,
        findings_where(card, |f| f.block.as_deref() == Some("total")),
        "{what}"
    );
}

/// Explains `doc` and checks it against the scorecard scoring gives it (with `decisions`);
/// without decisions, traced scoring must give the plain scorecard too.
fn check(rules: &RuleSet, doc: &EvaluationDocument, decisions: &[&Decision], what: &str) {
    let card = score_under(rules, doc, decisions).unwrap_or_else(|e| panic!("{what}: {e}"));
    let corrected = apply_corrections(doc, decisions).document;
    let (traced, trace) = score_document_traced(rules, &corrected).unwrap();
    assert_eq!(trace.indicators.len(), corrected.indicators.len(), "{what}");
    if decisions.is_empty() {
        assert_eq!(traced, card, "{what}: traced scoring changed the scorecard");
    }
    let e = explain_document(rules, doc, decisions, None).unwrap();
    assert_shows_the_scorecard(&e, &card, what);
}

/// The embedded rule set `id`, and the same with every function run in the interpreter.
fn both_paths(id: &str) -> [(String, RuleSet); 2] {
    let native = RuleSet::load(embedded::files(id).unwrap()).unwrap();
    let mut interpreted = RuleSet::load(native.files.clone()).unwrap();
    Arc::get_mut(&mut interpreted.scripts).unwrap().clear_natives();
    assert!(interpreted.scripts.natives().is_empty());
    [(id.to_owned(), native), (format!("{id} (interpreted)"), interpreted)]
}

fn import(rel: &str, year: i32, region: Option<&str>) -> Vec<EvaluationDocument> {
    let options = ImportOptions {
        default_year: None,
        year: Some(year),
        region: region.map(str::to_owned),
        ..ImportOptions::default()
    };
    import_file(&Path::new(ROOT).join(rel), &options).unwrap()
}

#[test]
fn explain_shows_the_scorecard_of_every_check_fixture() {
    let catalogue = Catalogue::embedded().unwrap();
    let validator = DocumentValidator::new().unwrap();
    let mut files: Vec<_> = glob_fixtures();
    files.sort();
    assert!(files.len() > 60, "{} fixtures", files.len());
    for file in files {
        let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let doc = validator.check(&value).unwrap();
        let rules = catalogue.select(doc.year, doc.region.as_deref()).unwrap();
        check(&rules, &doc, &[], &file.display().to_string());
    }
}

fn glob_fixtures() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for code in std::fs::read_dir(Path::new(ROOT).join("tests/fixtures/checks")).unwrap() {
        for file in std::fs::read_dir(code.unwrap().path()).unwrap() {
            out.push(file.unwrap().path());
        }
    }
    out
}

#[test]
fn explain_shows_the_scorecard_of_the_seed_and_central_forms_under_every_rule_set() {
    let seed = import("tests/fixtures/forms/shenzhen-seed.tsv", 2021, Some("shenzhen"));
    let central = import("tests/fixtures/forms/central-2021.tsv", 2021, None);
    assert_eq!(seed.len(), 9);
    for id in embedded::ids() {
        for (name, rules) in both_paths(id) {
            for doc in seed.iter().chain(&central) {
                check(&rules, doc, &[], &format!("{} under {name}", doc.id));
            }
        }
    }
}

#[test]
fn explain_shows_the_scorecard_after_reviewer_decisions() {
    let seed = import("tests/fixtures/forms/shenzhen-seed.tsv", 2021, Some("shenzhen"));
    for file in ["form6-target.toml", "form6-waive.toml", "stale.toml"] {
        let mut set = DecisionSet::default();
        set.load_file(&Path::new(ROOT).join("tests/fixtures/decisions").join(file))
            .unwrap();
        for (name, rules) in both_paths("shenzhen-2020") {
            for doc in &seed {
                let decisions = set.for_document(&doc.id);
                check(&rules, doc, &decisions, &format!("{} with {file} under {name}", doc.id));
            }
        }
    }
}

/// Plain scoring (what batch runs use) is the traced scorecard without the trace.
#[test]
fn plain_scoring_gives_the_traced_scorecard() {
    let rules = RuleSet::load(embedded::files("shenzhen-2020").unwrap()).unwrap();
    for doc in import("tests/fixtures/forms/shenzhen-seed.tsv", 2021, Some("shenzhen")) {
        let (traced, trace) = score_document_traced(&rules, &doc).unwrap();
        assert_eq!(traced, score_document(&rules, &doc).unwrap());
        assert_eq!(trace.indicators.len(), doc.indicators.len());
        assert!(trace.funds.rate.is_some() && trace.funds.score.is_some());
    }
}
