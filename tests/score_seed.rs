//! The nine real Shenzhen forms scored under the shipped rule sets: every number the bureau
//! reported is reproduced exactly under `shenzhen-2020` (except form 6's cost indicator, which no
//! rule reaches), and the national set applies its own profile and formulas.

use jixiao::engine::scoring::{IndicatorKind, Scorecard, score_document};
use jixiao::ingest::import::{ImportOptions, import_file};
use jixiao::model::findings::Severity;
use jixiao::policy::{RuleSet, embedded};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::common::jixiao;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/forms/shenzhen-seed.tsv");

fn score_seed(ruleset: &str) -> Vec<Scorecard> {
    let rules = RuleSet::load(embedded::files(ruleset).unwrap()).unwrap();
    let options = ImportOptions {
        default_year: None,
        year: Some(2021),
        region: Some("shenzhen".into()),
        ..ImportOptions::default()
    };
    let docs = import_file(SEED.as_ref(), &options).unwrap();
    assert_eq!(docs.len(), 9);
    docs.iter().map(|d| score_document(&rules, d).unwrap()).collect()
}

#[test]
fn shenzhen_reproduces_every_reported_number_of_forms_other_than_6() {
    let cards = score_seed("shenzhen-2020");
    for (i, card) in cards.iter().enumerate() {
        let form = i + 1;
        assert_eq!(card.ruleset, "shenzhen-2020");
        assert_eq!(card.budget.score, card.budget.reported_score, "form {form} funds score");
        if form == 6 {
            continue;
        }
        for ind in &card.indicators {
            assert_eq!(ind.score, ind.reported_score, "form {form} {}", ind.path());
        }
        assert_eq!(Some(card.total.score), card.total.reported, "form {form} total");
        assert!(
            card.findings.iter().all(|f| f.code != "T1"),
            "form {form}: {:?}",
            card.findings
        );
    }
    let totals: Vec<Decimal> = cards.iter().map(|c| c.total.score).collect();
    assert_eq!(
        totals,
        [
            dec!(99.80),
            dec!(100.00),
            dec!(98.70),
            dec!(92.60),
            dec!(100.00),
            dec!(88.62),
            dec!(99.90),
            dec!(100.00),
            dec!(100.00)
        ]
    );
}

#[test]
fn shenzhen_funds_scores_round_the_rate_before_multiplying() {
    let cards = score_seed("shenzhen-2020");
    assert_eq!(cards[0].budget.rate, Some(dec!(0.98)));
    assert_eq!(cards[0].budget.score, Some(dec!(9.80)));
    assert_eq!(cards[6].budget.score, Some(dec!(9.90)));
}

#[test]
fn shenzhen_gives_form_4_half_points_for_the_explained_late_deadline() {
    let cards = score_seed("shenzhen-2020");
    let deadline = cards[3]
        .indicators
        .iter()
        .find(|i| i.kind == IndicatorKind::Deadline)
        .unwrap();
    assert_eq!(deadline.target, "2021年7月前完成");
    assert_eq!(deadline.days_late, Some(156));
    assert_eq!(deadline.score, Some(dec!(6.00)));
    assert_eq!(deadline.reported_score, Some(dec!(6)));
}

#[test]
fn form_6_cost_overrun_is_recomputed_by_the_ratio_rule() {
    let card = &score_seed("shenzhen-2020")[5];
    let cost = card
        .indicators
        .iter()
        .find(|i| i.level2.as_deref() == Some("成本指标"))
        .unwrap();
    assert_eq!(cost.kind, IndicatorKind::Reverse);
    assert_eq!(cost.target_value, Some(dec!(124000)));
    assert_eq!(cost.actual_value, Some(dec!(1170000)));
    assert_eq!(cost.score, Some(dec!(1.32)));
    assert_eq!(cost.reported_score, Some(dec!(12.5)));
    assert_eq!(card.total.score, dec!(88.62));
    assert_eq!(card.total.reported, Some(dec!(99.8)));
    assert_eq!(card.grade, "良");
    let codes: Vec<&str> = card.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"I4") && codes.contains(&"T1"), "{codes:?}");
}

#[test]
fn form_2_cost_without_comparator_is_lower_is_better() {
    let card = &score_seed("shenzhen-2020")[1];
    let cost = card
        .indicators
        .iter()
        .find(|i| i.level2.as_deref() == Some("成本指标"))
        .unwrap();
    assert_eq!(cost.target, "1499180");
    assert_eq!(cost.kind, IndicatorKind::Reverse);
}

#[test]
fn national_rules_apply_their_own_profile_and_formulas() {
    let cards = score_seed("cn-mof-2020");
    assert!(cards.iter().all(|c| c.ruleset == "cn-mof-2020"));
    // The rate is not rounded first: 870996 / 890000 × 10 = 9.786… → 9.79.
    assert_eq!(cards[0].budget.score, Some(dec!(9.79)));
    // Benefit blocks of 20 points are rescaled to the national 30, satisfaction 20 to 10.
    let satisfaction = cards[0].indicators.iter().find(|i| i.level1 == "满意度指标").unwrap();
    assert_eq!(satisfaction.rescale, Some(dec!(0.5)));
    assert_eq!(satisfaction.score, Some(dec!(10.00)));
    assert!(cards[0].findings.iter().any(|f| f.code == "S2"));
    // Form 6 under the provincial linear rule: A ≥ 2T earns nothing.
    let cost = cards[5]
        .indicators
        .iter()
        .find(|i| i.level2.as_deref() == Some("成本指标"))
        .unwrap();
    assert_eq!(cost.score, Some(dec!(0.00)));
    assert_eq!(cards[5].total.score, dec!(87.33));
    // Form 4's late deadline: planned 181 days, done in 337 → 181/337 × 12 = 6.45.
    let deadline = cards[3]
        .indicators
        .iter()
        .find(|i| i.kind == IndicatorKind::Deadline)
        .unwrap();
    assert_eq!(deadline.score, Some(dec!(6.45)));
}

/// The codes of a scorecard's findings at or above a severity, in report order.
fn codes_at_least(card: &Scorecard, severity: Severity) -> Vec<&str> {
    card.findings
        .iter()
        .filter(|f| f.severity >= severity)
        .map(|f| f.code.as_str())
        .collect()
}

#[test]
fn shenzhen_flags_exactly_what_a_reviewer_would_on_the_seed_forms() {
    let cards = score_seed("shenzhen-2020");
    for form in [1, 2, 3, 5, 7, 9] {
        let card = &cards[form - 1];
        assert!(
            codes_at_least(card, Severity::Warning).is_empty(),
            "form {form} has nothing above info: {:#?}",
            card.findings
        );
    }
    // Form 4: the range written as the satisfaction actual; the late deadline is explained.
    assert_eq!(codes_at_least(&cards[3], Severity::Warning), ["I6"]);
    let i6 = &cards[3].findings.iter().find(|f| f.code == "I6").unwrap();
    assert_eq!(i6.indicator.as_deref(), Some("满意度指标/系统部署更新人员满意度"));
    assert!(i6.message.contains(">=85%"), "{}", i6.message);
    assert!(cards[3].findings.iter().all(|f| f.code != "I7" && f.code != "R1"));
    // Form 6: the cost overrun kept full points, the target is an order of magnitude off, and
    // the total does not add up.
    assert_eq!(codes_at_least(&cards[5], Severity::Warning), ["I4", "I10", "T1"]);
    // Form 8: three times the target, twice, with "无偏差".
    assert_eq!(codes_at_least(&cards[7], Severity::Warning), ["I8", "R2", "I8", "R2"]);
}

#[test]
fn findings_name_the_document_the_indicator_and_the_most_relevant_cell() {
    let cards = score_seed("shenzhen-2020");
    let form8 = &cards[7];
    let cell = |code: &str, nth: usize| {
        let f = form8.findings.iter().filter(|f| f.code == code).nth(nth).unwrap();
        assert_eq!(f.document, form8.id);
        (f.indicator.clone().unwrap(), f.at.unwrap().a1())
    };
    // Form 8's 政务服务检查次数 row is row 172: actual in F, note in I.
    assert_eq!(
        cell("I8", 0),
        ("产出指标/数量指标/政务服务检查次数".to_owned(), "F172".to_owned())
    );
    assert_eq!(
        cell("R2", 0),
        ("产出指标/数量指标/政务服务检查次数".to_owned(), "I172".to_owned())
    );
    let form6 = &cards[5];
    let at = |code: &str| form6.findings.iter().find(|f| f.code == code).unwrap().at.unwrap().a1();
    assert_eq!(at("I4"), "H131", "score cell for a score mismatch");
    assert_eq!(at("I10"), "F131", "actual cell for an order-of-magnitude mismatch");
    assert_eq!(at("T1"), "G136", "the reported total");
    let i10 = form6.findings.iter().find(|f| f.code == "I10").unwrap();
    assert_eq!(i10.values.get("times").map(String::as_str), Some("9.44"));
    assert_eq!(i10.title, "目标值与实际值相差一个数量级");
}

#[test]
fn the_findings_of_every_seed_form_under_each_rule_set_are_snapshotted() {
    for ruleset in ["shenzhen-2020", "cn-mof-2020", "sichuan-2023"] {
        let cards = score_seed(ruleset);
        let findings: Vec<_> = cards.iter().flat_map(|c| c.findings.iter()).collect();
        insta::assert_json_snapshot!(format!("seed_findings_{ruleset}"), findings);
    }
}

#[test]
fn the_report_says_which_rule_set_applied_and_matches_its_schema() {
    let (code, stdout, stderr) = jixiao(&[
        "score",
        "tests/fixtures/forms/shenzhen-seed.tsv",
        "--year",
        "2021",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "form 6 has error findings: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let cards = report.as_array().unwrap();
    assert_eq!(cards.len(), 9);
    assert!(
        cards.iter().all(|c| c["ruleset"] == "cn-mof-2020"),
        "no region → national default"
    );
    let schema = jixiao::report::schemas::report_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // Required contract fields, decimals as strings.
    let first = &cards[0];
    for key in [
        "id",
        "project",
        "year",
        "ruleset",
        "budget",
        "indicators",
        "total",
        "grade",
        "findings",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["total"]["score"], "99.79");
    assert_eq!(first["budget"]["reported_score"], "9.80");
}

#[test]
fn the_region_selects_the_regional_rule_set() {
    let (code, stdout, _) = jixiao(&[
        "score",
        "tests/fixtures/forms/shenzhen-seed.tsv",
        "--year",
        "2021",
        "--region",
        "shenzhen",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn a_year_no_rule_set_covers_is_an_error() {
    let (code, stdout, stderr) = jixiao(&[
        "score",
        "tests/fixtures/forms/shenzhen-seed.tsv",
        "--year",
        "2019",
        "--region",
        "shenzhen",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("没有适用于地区“shenzhen” 2019 年的规则集"), "{stderr}");
    // Nothing scored: no (empty) table.
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn default_year_applies_only_to_forms_that_state_none() {
    let (code, stdout, stderr) = jixiao(&[
        "score",
        "tests/fixtures/forms/shenzhen-seed.tsv",
        "--default-year",
        "2020",
        "--region",
        "shenzhen",
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let years: Vec<i64> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["year"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(years, [2020, 2020, 2021, 2021, 2020, 2020, 2020, 2021, 2020]);
}

#[test]
fn without_any_year_only_the_forms_that_state_none_are_refused() {
    let (code, stdout, stderr) = jixiao(&[
        "score",
        "tests/fixtures/forms/shenzhen-seed.tsv",
        "--region",
        "shenzhen",
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 2);
    let refused: Vec<&str> = stderr.lines().filter(|l| l.contains("请用 --year 指定")).collect();
    assert_eq!(refused.len(), 4, "forms 1, 2, 5, 7 state no year: {stderr}");
    assert!(refused[0].contains("第 3 行"), "names the form's row: {}", refused[0]);
    assert_eq!(stdout.lines().count(), 5, "forms 3, 4, 6, 8, 9 are still scored");
}
