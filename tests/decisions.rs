//! Reviewer decisions (`--decisions`): form 6's cost target corrected to ≤1240000 makes the form
//! consistent; waivers keep findings listed but stop them counting; stale decisions are
//! reported and change no number; a broken decisions file stops the run with file:line:column.

use std::path::{Path, PathBuf};

use jixiao::engine::decisions::DecisionSet;
use jixiao::engine::pipeline::score_under;
use jixiao::engine::scoring::Scorecard;
use jixiao::ingest::import::{ImportOptions, import_file};
use jixiao::model::decision_record::DecisionKind;
use jixiao::model::document::{CellPos, EvaluationDocument};
use jixiao::model::findings::Severity;
use jixiao::policy::{RuleSet, embedded};
use rust_decimal_macros::dec;

use crate::common::jixiao;

const SEED: &str = "tests/fixtures/forms/shenzhen-seed.tsv";
const FORM6: &str = "2021-0102013-信息基础设施及数据中心管理";
const TARGET: &str = "tests/fixtures/decisions/form6-target.toml";
const WAIVE: &str = "tests/fixtures/decisions/form6-waive.toml";
const STALE: &str = "tests/fixtures/decisions/stale.toml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn seed_documents() -> Vec<EvaluationDocument> {
    let options = ImportOptions {
        year: Some(2021),
        region: Some("shenzhen".into()),
        ..ImportOptions::default()
    };
    import_file(&root().join(SEED), &options).unwrap()
}

fn score_form6(files: &[&str]) -> Scorecard {
    let rules = RuleSet::load(embedded::files("shenzhen-2020").unwrap()).unwrap();
    let mut set = DecisionSet::default();
    for f in files {
        let text = std::fs::read_to_string(root().join(f)).unwrap();
        set.add_text(f, &text).unwrap();
    }
    let docs = seed_documents();
    let doc = docs.iter().find(|d| d.id == FORM6).unwrap();
    score_under(&rules, doc, &set.for_document(FORM6)).unwrap()
}

#[test]
fn correcting_form_6_cost_target_reproduces_the_reported_total() {
    let card = score_form6(&[TARGET]);
    let cost = card
        .indicators
        .iter()
        .find(|i| i.level2.as_deref() == Some("成本指标"))
        .unwrap();
    assert_eq!(cost.target, "≤1240000");
    assert_eq!(cost.target_value, Some(dec!(1240000)));
    assert_eq!(cost.score, Some(dec!(12.50)));
    assert_eq!(card.total.score, dec!(99.80));
    assert_eq!(card.total.reported, Some(dec!(99.8)));
    assert_eq!(card.grade, "优");
    assert_eq!(card.count(Severity::Error), 0, "{:?}", card.findings);
    assert!(card.findings.is_empty(), "{:?}", card.findings);

    assert_eq!(card.decisions.len(), 1);
    let d = &card.decisions[0];
    assert_eq!(d.kind, DecisionKind::Correct);
    assert_eq!(d.indicator.as_deref(), Some("产出指标/成本指标/项目成本（元）"));
    assert_eq!(d.field.as_deref(), Some("target"));
    assert_eq!(d.old.as_deref(), Some("≤124000"));
    assert_eq!(d.new.as_deref(), Some("≤1240000"));
    assert_eq!(d.reviewer, "王审核");
    assert_eq!(d.date, "2024-05-10");
    assert_eq!(d.source, format!("{TARGET}:5:1"));
    // The cell the wrong target was written in (column E of the form's cost row).
    assert_eq!(d.at, Some(CellPos { row: 131, column: 5 }));
}

#[test]
fn waivers_keep_findings_listed_but_not_counted() {
    let card = score_form6(&[WAIVE]);
    // Nothing was corrected: the numbers are those of the form as written.
    assert_eq!(card.total.score, dec!(88.62));
    let codes: Vec<(&str, bool)> = card.findings.iter().map(|f| (f.code.as_str(), f.waived)).collect();
    // I10 (target and actual an order of magnitude apart, a warning) and R3 (the note has no
    // improvement measure, info) are not waived: they stay listed and counted.
    assert_eq!(codes, [("I4", true), ("I10", false), ("R3", false), ("T1", true)]);
    assert_eq!(card.count(Severity::Error), 0);
    let waived: Vec<(Option<&str>, Option<usize>)> =
        card.decisions.iter().map(|d| (d.code.as_deref(), d.waived)).collect();
    assert_eq!(waived, [(Some("I4"), Some(1)), (Some("T1"), Some(1))]);
}

#[test]
fn stale_decisions_are_warnings_and_change_nothing() {
    let with_stale = score_form6(&[TARGET, STALE]);
    let alone = score_form6(&[TARGET]);
    assert_eq!(with_stale.total, alone.total);
    assert_eq!(with_stale.indicators, alone.indicators);
    assert_eq!(with_stale.decisions, alone.decisions);
    let stale: Vec<&str> = with_stale
        .findings
        .iter()
        .filter(|f| f.code == "D1")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(stale.len(), 3, "{stale:?}");
    assert!(
        stale[0].contains(&format!("{STALE}:13:1")) && stale[0].contains("项目成本（万元）"),
        "{}",
        stale[0]
    );
    assert!(stale[1].contains("实际完成值已是“1170000”"), "{}", stale[1]);
    assert!(stale[2].contains("没有代码为 T2 的发现"), "{}", stale[2]);
    assert!(with_stale.findings.iter().all(|f| f.severity == Severity::Warning));
}

#[test]
fn a_correction_whose_was_differs_from_the_form_is_stale() {
    let rules = RuleSet::load(embedded::files("shenzhen-2020").unwrap()).unwrap();
    let text = std::fs::read_to_string(root().join(TARGET))
        .unwrap()
        .replace("was = \"≤124000\"", "was = \"≤12400\"");
    let mut set = DecisionSet::default();
    set.add_text("edited.toml", &text).unwrap();
    let docs = seed_documents();
    let doc = docs.iter().find(|d| d.id == FORM6).unwrap();
    let card = score_under(&rules, doc, &set.for_document(FORM6)).unwrap();
    assert!(card.decisions.is_empty());
    assert_eq!(card.total.score, dec!(88.62));
    let d1 = card.findings.iter().find(|f| f.code == "D1").unwrap();
    assert!(d1.message.contains("不是决定记录的原值“≤12400”"), "{}", d1.message);
}

/// Imports the seed into a temporary folder and returns it with form 6's document path.
fn form6_document() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap().to_owned();
    let (code, _, stderr) = jixiao(&["import", SEED, "--year", "2021", "--region", "shenzhen", "-o", &out]);
    assert_eq!(code, 0, "{stderr}");
    let path = dir.path().join(format!("{FORM6}.json"));
    assert!(path.exists(), "{}", path.display());
    (dir, path)
}

#[test]
fn form_6_alone_with_the_correction_exits_0_and_reports_the_decision() {
    let (_dir, form6) = form6_document();
    let form6 = form6.to_str().unwrap();

    let (code, _, stderr) = jixiao(&["score", form6]);
    assert_eq!(code, 1, "without the decision form 6 has error findings: {stderr}");

    let (code, stdout, stderr) = jixiao(&["score", form6, "--decisions", TARGET, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let validator = jsonschema::validator_for(&jixiao::report::schemas::report_schema()).unwrap();
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let card = &report[0];
    assert_eq!(card["total"]["score"], "99.80");
    assert_eq!(card["total"]["reported"], "99.8");
    assert_eq!(card["findings"], serde_json::json!([]));
    let decision = &card["decisions"][0];
    assert_eq!(decision["kind"], "correct");
    assert_eq!(decision["field"], "target");
    assert_eq!(decision["old"], "≤124000");
    assert_eq!(decision["new"], "≤1240000");
    assert_eq!(decision["reviewer"], "王审核");
    assert_eq!(decision["date"], "2024-05-10");
    assert_eq!(decision["at"], serde_json::json!({"row": 131, "column": 5}));

    let (code, table, _) = jixiao(&["score", form6, "--decisions", TARGET]);
    assert_eq!(code, 0);
    assert!(table.contains("审核决定："), "{table}");
    assert!(
        table.contains("更正 产出指标/成本指标/项目成本（元） 年度指标值：“≤124000” → “≤1240000”"),
        "{table}"
    );
    assert!(table.contains("审核人：王审核，2024-05-10"), "{table}");

    let (code, markdown, _) = jixiao(&["score", form6, "--decisions", TARGET, "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        markdown.contains("- **审核决定** 更正 产出指标/成本指标/项目成本（元） 年度指标值：“≤124000” → “≤1240000”"),
        "{markdown}"
    );
}

#[test]
fn waived_findings_do_not_trip_the_exit_code() {
    let (_dir, form6) = form6_document();
    let (code, stdout, stderr) = jixiao(&[
        "score",
        form6.to_str().unwrap(),
        "--decisions",
        WAIVE,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let findings = report[0]["findings"].as_array().unwrap();
    let waived: Vec<&str> = findings
        .iter()
        .filter(|f| f["waived"] == true)
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(waived, ["I4", "T1"]);
    assert!(
        findings.iter().all(|f| f["waived"] == true || f["severity"] != "error"),
        "what is left below error does not trip the default --fail-on error"
    );
}

#[test]
fn stale_decisions_warn_and_trip_only_fail_on_warning() {
    let (_dir, form6) = form6_document();
    let form6 = form6.to_str().unwrap();
    let (code, stdout, stderr) = jixiao(&["score", form6, "--decisions", TARGET, "--decisions", STALE]);
    assert_eq!(code, 0, "stale decisions are warnings: {stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "警告：审核决定未生效（{STALE}:4:1，豁免）：本次运行中没有编号为“2019-0102013-不存在的项目”的文档"
        )),
        "{stderr}"
    );
    assert!(stdout.contains("0/3/0"), "three D1 warnings: {stdout}");
    let (code, _, _) = jixiao(&[
        "score",
        form6,
        "--decisions",
        TARGET,
        "--decisions",
        STALE,
        "--fail-on",
        "warning",
    ]);
    assert_eq!(code, 1);
    // A decision about a document not in the run alone never changes the exit code.
    let dir = tempfile::tempdir().unwrap();
    let only_missing = dir.path().join("missing.toml");
    std::fs::write(
        &only_missing,
        "[[decision]]\nkind = \"waive\"\ndocument = \"nope\"\ncode = \"T1\"\nreason = \"r\"\nreviewer = \"z\"\ndate = 2024-01-01\n",
    )
    .unwrap();
    let (code, _, stderr) = jixiao(&[
        "score",
        form6,
        "--decisions",
        TARGET,
        "--decisions",
        only_missing.to_str().unwrap(),
        "--fail-on",
        "warning",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("“nope”"), "{stderr}");
}

#[test]
fn a_broken_decisions_file_stops_the_run_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "# 缺少审核人\n[[decision]]\nkind = \"correct\"\ndocument = \"x\"\nindicator = \"a\"\nfield = \"target\"\nvalue = \"1\"\nreason = \"r\"\ndate = 2024-01-01\n",
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    let (code, stdout, stderr) = jixiao(&["score", SEED, "--year", "2021", "--decisions", bad]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "{stdout}");
    // The caret diagnostic every command prints: the message, then the place once.
    assert!(stderr.contains("× 这条决定缺少 reviewer\n"), "{stderr}");
    assert!(stderr.contains(&format!("╭─[{bad}:2:1]")), "{stderr}");
}
