//! Arbitrary documents with extreme decimals never make jixiao panic (issue 14). Generated
//! documents get decimal fields and target/actual texts replaced by extremes — the largest and
//! smallest decimals, 28-digit values, 28 decimal places, negatives, zero, and values at the edge
//! of the accepted range — and are then, under every shipped rule set, natively and with every
//! function in the interpreter: scored, scored traced and explained, scored with reviewer
//! decisions (corrections and waivers), rendered in every report format, recorded as a baseline
//! result and compared across rule sets. Each either succeeds or fails with an error that names
//! its place (a JSON pointer or a script function); documents the schema accepts are held to
//! the same. Validation itself never panics on them either.

use std::sync::{Arc, OnceLock};

use jixiao::engine::decisions::DecisionSet;
use jixiao::engine::explain::{explain_document, render_text};
use jixiao::engine::pipeline::{score_under, score_under_traced};
use jixiao::engine::scoring::{ScoreError, Scorecard, score_document, score_document_traced};
use jixiao::ingest::validate::DocumentValidator;
use jixiao::model::document::EvaluationDocument;
use jixiao::policy::{RuleSet, embedded};
use jixiao::report::{CsvTable, Format, RenderOptions, render};
use jixiao::runs::baseline::DocResult;
use jixiao::runs::compare::compare_document;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Every shipped rule set twice: as shipped (natives on) and with every function interpreted.
fn rule_sets() -> &'static [(String, RuleSet)] {
    static SETS: OnceLock<Vec<(String, RuleSet)>> = OnceLock::new();
    SETS.get_or_init(|| {
        let mut sets = Vec::new();
        for id in embedded::ids() {
            let native = RuleSet::load(embedded::files(id).unwrap()).unwrap();
            assert!(!native.scripts.natives().is_empty(), "{id} runs natively");
            let mut interpreted = RuleSet::load(native.files.clone()).unwrap();
            Arc::get_mut(&mut interpreted.scripts).unwrap().clear_natives();
            sets.push((format!("{id} (native)"), native));
            sets.push((format!("{id} (interpreted)"), interpreted));
        }
        sets
    })
}

fn templates() -> &'static [EvaluationDocument] {
    static DOCS: OnceLock<Vec<EvaluationDocument>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let mut docs: Vec<EvaluationDocument> = jixiao::runs::generate::generate(7, 24).collect();
        docs.push(serde_json::from_str(include_str!("fixtures/documents/minimal.json")).unwrap());
        docs
    })
}

/// Extreme decimals, and ordinary ones so that some documents stay near real forms.
fn extreme() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::MAX),
        Just(Decimal::MIN),
        Just(Decimal::ZERO),
        Just(Decimal::new(0, 28)),
        Just(Decimal::new(1, 28)),
        Just(Decimal::new(-1, 28)),
        Just(Decimal::from(999_999_999_999_999_i64)),
        Just(Decimal::new(9_999_999_999_999_999, 1)),
        // 28 digits, any sign.
        (any::<u32>(), any::<u32>(), 0x2000_0000u32..=0x3000_0000, any::<bool>())
            .prop_map(|(lo, mid, hi, neg)| Decimal::from_parts(lo, mid, hi, neg, 0)),
        // 28 decimal places.
        (any::<u32>(), any::<u32>(), 0u32..=0x1000_0000, any::<bool>())
            .prop_map(|(lo, mid, hi, neg)| Decimal::from_parts(lo, mid, hi, neg, 28)),
        // Any mantissa and scale.
        (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        // Within the range.
        (-999_999_999_999_999_i64..=999_999_999_999_999, 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        // Ordinary.
        (0i64..=20_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// A target or actual text around an extreme number.
fn text() -> impl Strategy<Value = String> {
    (extreme(), extreme(), 0usize..9).prop_map(|(a, b, shape)| match shape {
        0 => format!("≤{a}"),
        1 => format!("≥{a}万元"),
        2 => format!("{a}%"),
        3 => format!("{a}-{b}"),
        4 => format!("{a}亿元"),
        5 => format!("{a}天内"),
        6 => format!("={a}"),
        7 => format!("{}个月", a.abs()),
        _ => a.to_string(),
    })
}

/// What to change in a template: which template, and per slot an optional new value; when
/// `in_range`, decimals are brought within the range the schema accepts (extremes still: 28
/// decimal places, the range's edge, negatives, zero).
#[derive(Debug, Clone)]
struct Mutation {
    template: usize,
    in_range: bool,
    decimals: Vec<Option<Decimal>>,
    texts: Vec<Option<String>>,
    correction: Option<(Decimal, String)>,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    (
        any::<prop::sample::Index>(),
        any::<bool>(),
        prop::collection::vec(prop::option::weighted(0.3, extreme()), 64),
        prop::collection::vec(prop::option::weighted(0.3, text()), 16),
        prop::option::of((extreme(), text())),
    )
        .prop_map(|(template, in_range, decimals, texts, correction)| Mutation {
            template: template.index(templates().len()),
            in_range,
            decimals,
            texts,
            correction,
        })
}

/// Every decimal field of a document, in a fixed order.
fn decimal_slots(doc: &mut EvaluationDocument) -> Vec<&mut Option<Decimal>> {
    let mut slots: Vec<&mut Option<Decimal>> = Vec::new();
    slots.push(&mut doc.project.amount);
    slots.push(&mut doc.indicators_weight);
    slots.push(&mut doc.funds.declared_weight);
    for row in std::iter::once(&mut doc.funds.total).chain(doc.funds.parts.iter_mut()) {
        slots.push(&mut row.budget_initial);
        slots.push(&mut row.budget_adjusted);
        slots.push(&mut row.executed);
        slots.push(&mut row.weight);
        slots.push(&mut row.rate_reported);
        slots.push(&mut row.score_reported);
    }
    for ind in &mut doc.indicators {
        slots.push(&mut ind.weight);
        slots.push(&mut ind.score_reported);
    }
    for block in &mut doc.blocks {
        slots.push(&mut block.weight);
        slots.push(&mut block.score_reported);
    }
    if let Some(sum) = &mut doc.indicator_sum {
        slots.push(&mut sum.weight);
        slots.push(&mut sum.score_reported);
    }
    slots.push(&mut doc.total.weight);
    slots.push(&mut doc.total.score_reported);
    slots
}

fn apply(m: &Mutation) -> EvaluationDocument {
    let mut doc = templates()[m.template].clone();
    let limit = Decimal::from(1_000_000_000_000_000_i64);
    let fit = |d: Decimal| {
        if m.in_range {
            d.checked_rem(limit).unwrap_or(d)
        } else {
            d
        }
    };
    for (slot, value) in decimal_slots(&mut doc).into_iter().zip(&m.decimals) {
        if let Some(value) = value {
            *slot = Some(fit(*value));
        }
    }
    let mut texts = m.texts.iter();
    for ind in &mut doc.indicators {
        for field in [&mut ind.target, &mut ind.actual] {
            if let Some(Some(text)) = texts.next() {
                field.clone_from(text);
            }
        }
    }
    let declared = m.decimals.last().copied().flatten().map(fit);
    if let (Some(w), Some(first)) = (declared, doc.declared_weights.first_mut()) {
        first.weight = w;
    }
    doc
}

/// Corrections of the first indicator's weight (as written, in or beyond the range) and target,
/// and of the funds' executed amount, and a waiver of every code the card may hold.
fn decisions(doc: &EvaluationDocument, weight: Decimal, target: &str) -> DecisionSet {
    let mut set = DecisionSet::default();
    let Some(first) = doc.indicators.first() else {
        return set;
    };
    let quote = |s: &str| serde_json::to_string(s).unwrap();
    let was = |d: Option<Decimal>| d.map_or_else(|| "\"\"".to_owned(), |d| quote(&d.to_string()));
    let mut text = String::new();
    for (field, was_value, value) in [
        ("weight", was(first.weight), quote(&weight.to_string())),
        ("target", quote(&first.target), quote(target)),
    ] {
        text.push_str(&format!(
            "[[decision]]\nkind = \"correct\"\ndocument = {}\nindicator = {}\nfield = \"{field}\"\nwas = {was_value}\nvalue = {value}\nreason = \"测试\"\nreviewer = \"甲\"\ndate = 2024-05-10\n\n",
            quote(&doc.id),
            quote(&first.path()),
        ));
    }
    text.push_str(&format!(
        "[[decision]]\nkind = \"correct\"\ndocument = {}\nfield = \"funds.executed\"\nwas = {}\nvalue = {}\nreason = \"测试\"\nreviewer = \"甲\"\ndate = 2024-05-10\n\n",
        quote(&doc.id),
        was(doc.funds.total.executed),
        quote(&weight.to_string()),
    ));
    for code in ["S1", "F1", "I3", "T1", "S7", "I6"] {
        text.push_str(&format!(
            "[[decision]]\nkind = \"waive\"\ndocument = {}\ncode = \"{code}\"\nreason = \"测试\"\nreviewer = \"甲\"\ndate = 2024-05-10\n\n",
            quote(&doc.id)
        ));
    }
    // A correction beyond the range is refused with its place: then the waivers alone.
    if let Err(e) = set.add_text("decisions.toml", &text) {
        assert!(e.to_string().contains("decisions.toml"), "{e}");
        let waivers = text
            .split("[[decision]]")
            .filter(|d| d.contains("waive"))
            .collect::<Vec<_>>();
        set = DecisionSet::default();
        set.add_text(
            "decisions.toml",
            &format!("[[decision]]{}", waivers.join("[[decision]]")),
        )
        .unwrap();
    }
    set
}

/// An error names its place: a JSON pointer into the document, or a script function.
fn assert_located(err: &ScoreError, what: &str) {
    let text = err.to_string();
    let located = match err {
        ScoreError::Overflow(o) => o.pointer.starts_with('/') && text.starts_with(&o.pointer),
        ScoreError::Script(_) => text.contains("函数 "),
    };
    assert!(located, "{what}: an error that names no place: {text}");
}

fn render_all(cards: &[Scorecard]) {
    for format in [
        Format::Table,
        Format::Json,
        Format::Jsonl,
        Format::Markdown,
        Format::Csv,
        Format::Xlsx,
        Format::Html,
    ] {
        let options = RenderOptions {
            csv_table: CsvTable::Indicators,
            created: Some(0),
            width: Some(80),
        };
        let _ = render(format, cards, &options);
    }
}

/// How often each outcome was met, so that the test shows it exercised them all.
#[derive(Debug, Default)]
struct Seen {
    scored: usize,
    overflow: usize,
    script: usize,
    schema_valid: usize,
    schema_valid_scored: usize,
    decided: usize,
}

/// One generated document through every path under every rule set.
fn every_path(m: &Mutation, seen: &mut Seen) -> Result<(), TestCaseError> {
    let doc = apply(m);
    let validator = DocumentValidator::shared().unwrap();
    let value = serde_json::to_value(&doc).unwrap();
    let schema_valid = validator.check(&value).is_ok();
    let _ = validator.check_str(&serde_json::to_string(&doc).unwrap());
    seen.schema_valid += usize::from(schema_valid);

    let (weight, target) = m.correction.clone().unwrap_or((Decimal::ONE, "≥1".to_owned()));
    let set = decisions(&doc, weight, &target);
    let decided = set.for_document(&doc.id);
    let mut cards: Vec<(usize, Scorecard)> = Vec::new();
    for (k, (name, rules)) in rule_sets().iter().enumerate() {
        match score_document(rules, &doc) {
            Ok(card) => {
                seen.scored += 1;
                seen.schema_valid_scored += usize::from(schema_valid);
                let (traced, _) = score_document_traced(rules, &doc).unwrap();
                prop_assert_eq!(&traced, &card, "{}: traced scoring gives the same card", name);
                let explanation = explain_document(rules, &doc, &[], None).unwrap();
                let _ = render_text(&[explanation]);
                let _ = DocResult::of(&card);
                cards.push((k, card));
            }
            Err(e) => {
                // What validation accepts is held to the same: an error with its place.
                assert_located(&e, name);
                match e {
                    ScoreError::Overflow(_) => seen.overflow += 1,
                    ScoreError::Script(_) => seen.script += 1,
                }
                let traced = score_document_traced(rules, &doc).unwrap_err();
                prop_assert_eq!(&traced, &e, "{}: traced scoring fails the same way", name);
                prop_assert!(explain_document(rules, &doc, &[], None).is_err());
            }
        }
        match score_under(rules, &doc, &decided) {
            Ok(card) => {
                seen.decided += usize::from(!card.decisions.is_empty());
                let traced = score_under_traced(rules, &doc, &decided).unwrap();
                prop_assert_eq!(&traced.card, &card, "{}: with decisions, traced", name);
                let _ = explain_document(rules, &doc, &decided, None).map(|e| render_text(&[e]));
                render_all(std::slice::from_ref(&card));
            }
            Err(e) => assert_located(&e, name),
        }
    }
    let all: Vec<Scorecard> = cards.iter().map(|(_, c)| c.clone()).collect();
    render_all(&all);
    for pair in cards.windows(2) {
        let [(a, old), (b, new)] = pair else { continue };
        let _ = compare_document(&rule_sets()[*a].1, &rule_sets()[*b].1, old, new);
    }
    Ok(())
}

#[test]
fn extreme_documents_never_panic_in_any_path() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(128));
    let seen = std::cell::RefCell::new(Seen::default());
    runner
        .run(&mutation(), |m| every_path(&m, &mut seen.borrow_mut()))
        .unwrap();
    let seen = seen.into_inner();
    println!("{seen:?}");
    assert!(
        seen.scored > 0 && seen.overflow > 0 && seen.script > 0,
        "every outcome is met: {seen:?}"
    );
    assert!(seen.schema_valid > 0 && seen.schema_valid_scored > 0, "{seen:?}");
    assert!(seen.decided > 0, "decisions are applied: {seen:?}");
}

/// The natives and the interpreter agree on these documents too: the same card, or both fail.
#[test]
fn natives_and_interpreter_agree_on_extreme_documents() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(48));
    runner
        .run(&mutation(), |m| {
            let doc = apply(&m);
            for pair in rule_sets().chunks(2) {
                let [(name, native), (_, interpreted)] = pair else {
                    continue;
                };
                let a = score_document(native, &doc);
                let b = score_document(interpreted, &doc);
                match (&a, &b) {
                    (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "{}", name),
                    (Err(_), Err(_)) => {}
                    _ => prop_assert!(false, "{name}: native {a:?} but interpreted {b:?}"),
                }
            }
            Ok(())
        })
        .unwrap();
}
