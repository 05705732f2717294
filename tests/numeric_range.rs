//! Numbers beyond the range scoring computes with (issue 14, items 1 and 2): a decimal field, a
//! correction or a rule-set constant beyond it is refused where it is written, with its place;
//! a number in a target or actual text beyond it is a located finding; a computation that still
//! overflows (a hostile unit factor, a formula's result) fails its document alone, naming the
//! field or the function, and every command scores the other documents. None of it panics.
//! The property test at the end scores arbitrary documents with extreme decimals under every
//! shipped rule set, natively and in the interpreter, plain and traced, with decisions.

use std::path::{Path, PathBuf};

use crate::common::{fixture, jixiao, jixiao_command, run_command};

/// Every line of stderr that reports an error.
fn errors(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("错误")).collect()
}

/// A copy of the standalone shenzhen-2020 (`fixtures/rulesets/standalone`, the set whole, not
/// as a delta of cn-mof-2020) in `dir`, each `(file, find, replace)` edit applied once.
fn edited_ruleset(dir: &Path, edits: &[(&str, &str, &str)]) {
    let src = crate::common::standalone_shenzhen_dir();
    for file in ["policy.toml", "checks.rhai", "formulas.rhai"] {
        let mut text = std::fs::read_to_string(src.join(file)).unwrap();
        for (_, find, replace) in edits.iter().filter(|(f, _, _)| *f == file) {
            assert!(text.contains(find), "{file} has no {find:?}");
            text = text.replacen(find, replace, 1);
        }
        std::fs::write(dir.join(file), text).unwrap();
    }
}

/// The seed forms imported as JSON Lines (nine documents, 2021).
fn seed_lines(dir: &Path) -> PathBuf {
    let (code, stdout, stderr) = jixiao(&["import", "tests/fixtures/forms/shenzhen-seed.tsv", "--year", "2021"]);
    assert_eq!(code, 0, "{stderr}");
    let path = dir.join("seed.jsonl");
    std::fs::write(&path, stdout).unwrap();
    path
}

/// A fixture document as one JSON line.
fn fixture_line(rel: &str) -> String {
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(fixture(rel)).unwrap()).unwrap();
    serde_json::to_string(&value).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Item 1: user data
// ---------------------------------------------------------------------------------------------

/// Before: `score`, `explain`, `run` and `diff` exited 101 ("Multiplication overflowed" in the
/// unit conversion) on a schema-valid cost target `≤9999999999999999999999999999` 万元.
#[test]
fn a_cost_target_beyond_the_range_is_a_located_finding_in_every_command() {
    let doc = "tests/fixtures/numeric-range/cost-target-28-digits.json";
    let (code, _, stderr) = jixiao(&["validate", doc]);
    assert_eq!(code, 0, "the target is a text; the document is valid: {stderr}");

    let (code, stdout, stderr) = jixiao(&["score", doc, "--format", "json"]);
    assert_eq!(code, 1, "scored, with error findings: {stderr}");
    let cards: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let card = &cards[0];
    let cost = &card["indicators"][1];
    assert_eq!(cost["kind"], "unreadable");
    assert_eq!(cost["counted"], "10", "the reported score is carried");
    let s7 = card["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "S7")
        .expect("an S7 finding");
    assert_eq!(s7["indicator"], "产出指标/成本指标/档案整理成本（万元）");
    assert!(
        s7["message"]
            .as_str()
            .unwrap()
            .contains("数值的整数部分超过 15 位，超出可计算的范围"),
        "{s7}"
    );

    let (code, stdout, stderr) = jixiao(&["explain", doc, "--indicator", "档案整理成本"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("档案整理成本（万元）"), "{stdout}");

    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("baseline");
    let (code, _, stderr) = run_command(jixiao_command().args(["run", doc, "--baseline"]).arg(&baseline));
    assert_eq!(code, 0, "recorded: {stderr}");

    let (code, stdout, stderr) = jixiao(&["diff", "--from", "shenzhen-2020", "--to", "shenzhen-2020", doc]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.is_empty());
}

/// Before: 28-digit weights and funds rows passed `validate` and overflowed (or saturated) the
/// sums in scoring. Now the schema refuses them, naming the document's pointer, in `validate`
/// and in `score`.
#[test]
fn decimal_fields_beyond_the_range_are_refused_with_their_pointer() {
    for (doc, pointers, value) in [
        (
            "tests/fixtures/numeric-range/weights-28-digits.json",
            &["/indicators/0/weight", "/indicators/1/weight"][..],
            "9999999999999999999999999999",
        ),
        (
            "tests/fixtures/numeric-range/funds-rows-28-digits.json",
            &["/funds/parts/0/executed", "/funds/parts/1/executed"][..],
            "79228162514264337593543950335",
        ),
    ] {
        let (code, stdout, stderr) = jixiao(&["validate", doc]);
        assert_eq!(code, 2, "{doc}: {stdout}{stderr}");
        for (command, out) in [
            ("validate", format!("{stdout}{stderr}")),
            ("score", {
                let (code, _, stderr) = jixiao(&["score", doc]);
                assert_eq!(code, 2, "{doc}: {stderr}");
                stderr
            }),
        ] {
            for pointer in pointers {
                let line = out
                    .lines()
                    .find(|l| l.contains(pointer))
                    .unwrap_or_else(|| panic!("{command} {doc}: nothing names {pointer}:\n{out}"));
                assert!(
                    line.contains(&format!("数值 {value} 超出可接受的范围：整数部分最多 15 位")),
                    "{command}: {line}"
                );
            }
        }
    }
}

/// Before: one such document in a 2,001-document JSON Lines file made `score --format jsonl`
/// write nothing ("评分线程意外中止"). Now it is rejected on its line and the 2,000 others are
/// scored.
#[test]
fn one_document_beyond_the_range_leaves_the_other_two_thousand_scored() {
    let tmp = tempfile::tempdir().unwrap();
    let generated = tmp.path().join("generated.jsonl");
    let (code, _, stderr) = run_command(
        jixiao_command()
            .args(["generate", "--count", "2000", "--seed", "14", "-o"])
            .arg(&generated),
    );
    assert_eq!(code, 0, "{stderr}");
    let mut lines: Vec<String> = std::fs::read_to_string(&generated)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    lines.insert(1000, fixture_line("numeric-range/funds-rows-28-digits.json"));
    let corpus = tmp.path().join("corpus.jsonl");
    std::fs::write(&corpus, lines.join("\n") + "\n").unwrap();

    let (code, stdout, stderr) = run_command(jixiao_command().arg("score").arg(&corpus).args(["--format", "jsonl"]));
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout.lines().count(), 2000, "the others are scored: {stderr}");
    let failures = errors(&stderr);
    assert_eq!(failures.len(), 1, "{stderr}");
    let failure = failures[0];
    assert!(failure.contains("第1001行"), "names the line: {failure}");
    assert!(
        failure.contains("2020-0102013-资金28位"),
        "names the document: {failure}"
    );
    assert!(
        failure.contains("/funds/parts/0/executed"),
        "names the field: {failure}"
    );
    assert!(stderr.contains("共评分 2000 个文档："), "{stderr}");
    assert!(stderr.contains("；1 个无法评分"), "{stderr}");
}

/// An imported form with such a cell is not written, and the error names the field and the
/// cell it was read from.
#[test]
fn import_names_the_cell_of_a_value_beyond_the_range() {
    let (code, stdout, stderr) = jixiao(&[
        "import",
        "tests/fixtures/numeric-range/form-executed-28-digits.tsv",
        "--year",
        "2020",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "nothing written: {stdout}");
    let failures = errors(&stderr);
    assert_eq!(failures.len(), 1, "{stderr}");
    assert!(
        failures[0].contains("/funds/parts/0/executed（单元格 E9（第9行第5列））"),
        "{}",
        failures[0]
    );
    assert!(failures[0].contains("超出可接受的范围"), "{}", failures[0]);
}

/// A form scored directly (imported as it is read) is held to the same range: refused with its
/// field and cell, as `import` refuses it. Before: scored with the 28-digit amount.
#[test]
fn scoring_a_form_with_a_value_beyond_the_range_refuses_it_with_its_cell() {
    let (code, stdout, stderr) = jixiao(&[
        "score",
        "tests/fixtures/numeric-range/form-executed-28-digits.tsv",
        "tests/fixtures/forms/central-2021.tsv",
        "--year",
        "2021",
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stdout.lines().count() >= 1,
        "the other file's forms are scored: {stderr}"
    );
    assert!(!stdout.contains("档案整理"), "{stdout}");
    let failures = errors(&stderr);
    assert_eq!(failures.len(), 1, "{stderr}");
    assert!(
        failures[0].contains(
            "/funds/parts/0/executed（单元格 E9（第9行第5列））：数值 9999999999999999999999999999 超出可接受的范围"
        ),
        "{}",
        failures[0]
    );
}

/// `EvaluationDocument::decimals` names every decimal field by the pointer that finds it.
#[test]
fn every_decimal_field_is_named_by_its_pointer() {
    for doc in jixiao::runs::generate::generate(5, 40) {
        let value = serde_json::to_value(&doc).unwrap();
        let decimals = doc.decimals();
        for (pointer, d) in &decimals {
            assert_eq!(
                value.pointer(pointer),
                Some(&serde_json::json!(d.to_string())),
                "{pointer}"
            );
        }
        // Every decimal string of the document is among them (texts such as targets aside).
        let mut strings = Vec::new();
        collect_decimal_strings(&value, "", &mut strings);
        for pointer in strings {
            assert!(decimals.iter().any(|(p, _)| *p == pointer), "{pointer} is not listed");
        }
    }
}

/// Pointers of the fields the schema reads as decimals (numeric strings outside texts).
fn collect_decimal_strings(value: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    const TEXTS: &[&str] = &[
        "target",
        "actual",
        "id",
        "name",
        "label",
        "text",
        "code",
        "department",
        "note",
    ];
    match value {
        serde_json::Value::String(s) => {
            let field = at.rsplit('/').next().unwrap_or("");
            let numeric = !s.is_empty()
                && s.trim_start_matches('-')
                    .split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if numeric && !TEXTS.contains(&field) && !at.starts_with("/provenance") {
                out.push(at.to_owned());
            }
        }
        serde_json::Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| collect_decimal_strings(v, &format!("{at}/{k}"), out)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| collect_decimal_strings(v, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

/// A reviewer's correction is held to the same range as the document it corrects.
#[test]
fn a_correction_beyond_the_range_is_refused_at_its_line() {
    let (code, stdout, stderr) = jixiao(&[
        "score",
        "tests/fixtures/documents/minimal.json",
        "--decisions",
        "tests/fixtures/numeric-range/correction-weight-28-digits.toml",
    ]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("correction-weight-28-digits.toml:9:9"), "{stderr}");
    assert!(stderr.contains("超出可接受的范围"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Defence in depth: documents that bypass validation (library callers)
// ---------------------------------------------------------------------------------------------

/// Typed documents are not validated: sums that overflow are an error naming the field.
/// Before: a panic ("Addition overflowed").
#[test]
fn scoring_a_document_that_bypasses_validation_is_an_error_naming_the_field() {
    use jixiao::engine::explain::explain_document;
    use jixiao::engine::scoring::{ScoreError, score_document};
    use jixiao::model::document::EvaluationDocument;
    use jixiao::policy::{RuleSet, embedded};

    let rules = RuleSet::load(embedded::files("shenzhen-2020").unwrap()).unwrap();
    for (rel, expected) in [
        (
            "numeric-range/funds-rows-28-digits.json",
            "/funds/parts：其中各行的全年执行数之和，结果超出可计算的范围",
        ),
        // The forward formula returns the weight: beyond the range, its result is refused.
        (
            "numeric-range/weights-28-digits.json",
            "函数 forward_score 返回 9999999999999999999999999999，超出可计算的范围",
        ),
    ] {
        // Read past the schema: the value as it is, exactly.
        let mut value: serde_json::Value = serde_json::from_slice(&std::fs::read(fixture(rel)).unwrap()).unwrap();
        let mut big = Vec::new();
        collect_big(&mut value, "", &mut big);
        let mut doc: EvaluationDocument = serde_json::from_value(value).unwrap();
        for (at, text) in big {
            set_decimal(&mut doc, &at, text.parse().unwrap());
        }
        let err = score_document(&rules, &doc).unwrap_err();
        assert!(
            matches!(err, ScoreError::Overflow(_) | ScoreError::Script(_)),
            "{rel}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains(expected), "{rel}: {text}");
        // Names the set, or the set a function is inherited from (forward_score: cn-mof-2020).
        assert!(text.contains("shenzhen-2020") || text.contains("cn-mof-2020"), "{text}");
        let err = explain_document(&rules, &doc, &[], None).unwrap_err();
        assert_eq!(err.to_string(), text, "explain fails the same way");
    }
}

/// Replaces every decimal string with more than 15 integer digits by "0", noting where.
fn collect_big(value: &mut serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::String(s) if s.len() > 15 && s.bytes().all(|b| b.is_ascii_digit()) => {
            out.push((at.to_owned(), std::mem::replace(s, "0".to_owned())));
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                collect_big(v, &format!("{at}/{k}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                collect_big(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn set_decimal(doc: &mut jixiao::model::document::EvaluationDocument, at: &str, value: rust_decimal::Decimal) {
    let parts: Vec<&str> = at.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["indicators", i, "weight"] => doc.indicators[i.parse::<usize>().unwrap()].weight = Some(value),
        ["funds", "parts", i, "executed"] => doc.funds.parts[i.parse::<usize>().unwrap()].executed = Some(value),
        other => panic!("no setter for {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Item 2: hostile rule sets that `check` passes
// ---------------------------------------------------------------------------------------------

/// The largest decimal.
const MAX: &str = "79228162514264337593543950335";

/// Only forms 3 and 4 of the seed have deadline indicators.
fn huge_deadline_formula(dir: &Path) {
    edited_ruleset(
        dir,
        &[(
            "formulas.rhai",
            "    if days_late <= 0 {\n        weight\n    } else if explained {",
            &format!("    if true {{\n        dec(\"{MAX}\")\n    }} else if explained {{"),
        )],
    );
}

fn assert_names_the_formula(failure: &str) {
    assert!(
        failure.contains("规则集 shenzhen-2020 formulas.rhai"),
        "names the rule set and file: {failure}"
    );
    assert!(failure.contains("第 61 行"), "names the function's line: {failure}");
    assert!(
        failure.contains(&format!("函数 deadline_half_score 返回 {MAX}，超出可计算的范围")),
        "says what: {failure}"
    );
}

/// Before: a formula returning `dec("79228162514264337593543950335")` passed `check` and made
/// `score` exit 101 (the score sum overflowed). Now the two documents it scores fail with the
/// function named, the seven others are scored, in every command (`verify` included).
#[test]
fn a_formula_result_beyond_the_range_fails_only_its_documents_in_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hostile");
    std::fs::create_dir(&dir).unwrap();
    huge_deadline_formula(&dir);
    let (code, _, stderr) = run_command(jixiao_command().arg("check").arg(&dir));
    assert_eq!(code, 0, "a formula's result is not known before it runs: {stderr}");

    let seed = seed_lines(tmp.path());
    // Forms (imported as they are read), JSON Lines through the batch path, and a table.
    for (input, format, written) in [
        ("tests/fixtures/forms/shenzhen-seed.tsv", "jsonl", 7),
        (seed.to_str().unwrap(), "jsonl", 7),
        (seed.to_str().unwrap(), "json", 1),
    ] {
        let (code, stdout, stderr) = run_command(
            jixiao_command()
                .args(["score", input, "--year", "2021", "--format", format, "--rules"])
                .arg(&dir),
        );
        assert_eq!(code, 2, "{stderr}");
        if format == "json" {
            let cards: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
            assert_eq!(cards.len(), 7, "{stderr}");
        } else {
            assert_eq!(stdout.lines().count(), written, "{input}: {stderr}");
        }
        let failures = errors(&stderr);
        assert_eq!(failures.len(), 2, "{input}: {stderr}");
        failures.iter().for_each(|f| assert_names_the_formula(f));
    }

    let (code, stdout, stderr) = run_command(jixiao_command().arg("explain").arg(&seed).arg("--rules").arg(&dir));
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(errors(&stderr).len(), 2, "{stderr}");
    errors(&stderr).iter().for_each(|f| assert_names_the_formula(f));
    assert!(!stdout.is_empty(), "the others are explained");

    let (code, _, stderr) = run_command(
        jixiao_command()
            .arg("run")
            .arg(&seed)
            .arg("--baseline")
            .arg(tmp.path().join("baseline"))
            .arg("--rules")
            .arg(&dir),
    );
    assert_eq!(code, 2, "{stderr}");
    let failures = errors(&stderr);
    assert_eq!(failures.len(), 3, "{stderr}");
    failures.iter().take(2).for_each(|f| assert_names_the_formula(f));
    assert!(stderr.contains("有输入无法评分，基线未改动"), "{stderr}");

    // A report written despite the two failures is verified: the same two fail again.
    let report = tmp.path().join("report.json");
    let (code, _, stderr) = run_command(
        jixiao_command()
            .arg("score")
            .arg(&seed)
            .args(["--format", "json", "-o"])
            .arg(&report)
            .arg("--rules")
            .arg(&dir),
    );
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run_command(
        jixiao_command()
            .arg("verify")
            .arg(tmp.path().join("report.json.manifest.json")),
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(errors(&stderr).len(), 2, "{stderr}");
    errors(&stderr).iter().for_each(|f| assert_names_the_formula(f));
    assert!(stderr.contains("重新评分的报告与清单记录一致：7 个文档"), "{stderr}");

    let (code, stdout, stderr) = run_command(
        jixiao_command()
            .args(["diff", "--from", "shenzhen-2020", "--to"])
            .arg(&dir)
            .arg(&seed),
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(errors(&stderr).len(), 2, "{stderr}");
    assert!(!stdout.is_empty(), "the others are compared");
}

/// A unit factor within the range, but so large that a target within the range converts
/// beyond it: the one document fails, naming the field and the factor; the others are scored.
#[test]
fn a_unit_conversion_that_overflows_fails_its_document_naming_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hostile");
    std::fs::create_dir(&dir).unwrap();
    edited_ruleset(
        &dir,
        &[(
            "policy.toml",
            "\"万元\" = { base = \"元\", factor = 10000 }",
            "\"万元\" = { base = \"元\", factor = \"100000000000000\" }",
        )],
    );
    let (code, _, stderr) = run_command(jixiao_command().arg("check").arg(&dir));
    assert_eq!(code, 0, "{stderr}");
    let seed = seed_lines(tmp.path());
    let corpus = tmp.path().join("corpus.jsonl");
    let mut text = std::fs::read_to_string(&seed).unwrap();
    text.push_str(&fixture_line("numeric-range/cost-target-15-digits.json"));
    text.push('\n');
    std::fs::write(&corpus, text).unwrap();
    for format in ["jsonl", "json"] {
        let (code, stdout, stderr) = run_command(
            jixiao_command()
                .arg("score")
                .arg(&corpus)
                .args(["--format", format, "--rules"])
                .arg(&dir),
        );
        assert_eq!(code, 2, "{stderr}");
        let scored = if format == "json" {
            serde_json::from_str::<Vec<serde_json::Value>>(&stdout).unwrap().len()
        } else {
            stdout.lines().count()
        };
        assert_eq!(scored, 9, "{stderr}");
        let failures = errors(&stderr);
        assert_eq!(failures.len(), 1, "{stderr}");
        let failure = failures[0];
        assert!(failure.contains("2020-0102013-成本目标15位"), "{failure}");
        assert!(
            failure.contains("/indicators/1/target：999999999999999 万元按规则集 [units] 的换算系数 100000000000000 换算为元，结果超出可计算的范围"),
            "{failure}"
        );
    }
    let (code, _, stderr) = run_command(
        jixiao_command()
            .arg("explain")
            .arg(fixture("numeric-range/cost-target-15-digits.json"))
            .arg("--rules")
            .arg(&dir),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("/indicators/1/target"), "{stderr}");
}

/// Before: `check` passed a unit factor of 79228162514264337593543950335 and `score` panicked
/// converting 万元; a factor of 0 passed too. Now `check` refuses both at their line, and
/// `score` reports the broken rule set instead of panicking.
#[test]
fn unit_factors_that_cannot_work_are_refused_by_check() {
    for (factor, expected) in [
        (format!("\"{MAX}\""), "超出规则集数值可取的范围"),
        ("0".to_owned(), "换算系数 0 不大于 0"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hostile");
        std::fs::create_dir(&dir).unwrap();
        let edit = format!("\"万元\" = {{ base = \"元\", factor = {factor} }}");
        edited_ruleset(
            &dir,
            &[("policy.toml", "\"万元\" = { base = \"元\", factor = 10000 }", &edit)],
        );
        let (code, stdout, stderr) = run_command(jixiao_command().arg("check").arg(&dir));
        assert_eq!(code, 2, "{factor}: {stdout}{stderr}");
        let out = format!("{stdout}{stderr}");
        assert!(out.contains(expected), "{factor}: {out}");
        assert!(out.contains("policy.toml:"), "{factor}: names the place: {out}");
        let (code, stdout, stderr) = run_command(
            jixiao_command()
                .args([
                    "score",
                    "tests/fixtures/forms/shenzhen-seed.tsv",
                    "--year",
                    "2021",
                    "--rules",
                ])
                .arg(&dir),
        );
        assert_eq!(code, 2, "{factor}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(expected), "{factor}: {stderr}");
    }
}

/// Before: `check` itself panicked adding a 28-digit profile weight to the others.
#[test]
fn a_weight_beyond_the_range_is_refused_by_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hostile");
    std::fs::create_dir(&dir).unwrap();
    edited_ruleset(
        &dir,
        &[(
            "policy.toml",
            "budget = 10\nindicators = 90",
            &format!("budget = \"{MAX}\"\nindicators = \"{MAX}\""),
        )],
    );
    let (code, stdout, stderr) = run_command(jixiao_command().arg("check").arg(&dir));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains("超出规则集数值可取的范围"),
        "{stdout}{stderr}"
    );
}

/// Rhai's own decimal arithmetic is checked: an overflowing script is a runtime error naming
/// the function; the host functions jixiao registers and Rhai's maths functions do not panic on
/// the extremes.
#[test]
fn script_arithmetic_on_the_extremes_is_an_error_not_a_panic() {
    use jixiao::script::{ScriptError, ScriptLimits, ScriptSet};
    use rust_decimal::Decimal;

    let source = format!(
        "fn twice(x) {{ x * 2 }}\nfn plus(x) {{ x + x }}\nfn minus(x) {{ -x - x }}\nfn over(x) {{ x / 0.0000000000000000000000000001 }}\nfn pow(x) {{ x ** 3 }}\nfn lit() {{ dec(\"{MAX}\") * 2 }}\n"
    );
    let set = ScriptSet::compile("t", &[("f.rhai".to_owned(), source)], &ScriptLimits::default()).unwrap();
    for name in ["twice", "plus", "minus", "over", "pow"] {
        let err = set.call::<Decimal>(name, (Decimal::MAX,)).unwrap_err();
        assert!(matches!(err, ScriptError::Runtime { .. }), "{name}: {err:?}");
        assert!(err.to_string().contains("运算结果超出可表示的范围"), "{name}: {err}");
    }
    let err = set.call::<Decimal>("lit", ()).unwrap_err();
    assert!(err.to_string().contains("运算结果超出可表示的范围"), "{err}");

    // Every function a script can call with a decimal: each gives a value or an error.
    let calls = [
        "round_half_up(x, 2)",
        "round_half_even(x, 0)",
        "round_down(x, 30)",
        "round_up(x, 1)",
        "clamp(x, 0, 10)",
        "clamp(x, -x, x)",
        "min(x, 1)",
        "max(x, 1)",
        "abs(x)",
        "floor(x)",
        "ceiling(x)",
        "to_int(x)",
        "round(x, 2)",
        "sqrt(x)",
        "exp(x)",
        "ln(x)",
        "log(x)",
        "x ** 0.5",
        "x ** -2",
        "x % 0.0000000000000000000000000001",
        "dec(x.to_string())",
        "x.int",
        "x.fraction",
        "sign(x)",
        "sin(x)",
        "cos(x)",
        "tan(x)",
    ];
    let fns: String = calls
        .iter()
        .enumerate()
        .map(|(i, c)| format!("fn f{i}(x) {{ {c} }}\n"))
        .collect();
    let set = ScriptSet::compile("t", &[("f.rhai".to_owned(), fns)], &ScriptLimits::default()).unwrap();
    for x in [
        Decimal::MAX,
        Decimal::MIN,
        Decimal::ZERO,
        Decimal::new(1, 28),
        Decimal::new(-1, 28),
        Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, false, 28),
    ] {
        for (i, call) in calls.iter().enumerate() {
            // A value or an error; what matters is that it returns.
            let _ = set
                .call::<rhai::Dynamic>(&format!("f{i}"), (x,))
                .map_err(|e| format!("{call}: {e}"));
        }
    }
}

/// The importer's own sums (a 合计 row read as the total, block weights inferred from stated
/// points, a block cut short) never overflow: forms of every family with every number of their
/// tables made 28 digits long import or are refused, never panic.
#[test]
fn the_importers_sums_of_28_digit_numbers_do_not_panic() {
    let huge = "9999999999999999999999999999";
    for dir in ["forms", "form-variants", "real-forms"] {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(dir);
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "tsv") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Every cell that is a plain number becomes 28 nines (years and texts stay).
            let swollen: String = text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(|line| {
                    let cells: Vec<&str> = line
                        .split('\t')
                        .map(|c| {
                            let t = c.trim();
                            let plain = !t.is_empty()
                                && t.len() < 8
                                && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                                && !(t.len() == 4 && t.starts_with("20"));
                            if plain { huge } else { c }
                        })
                        .collect();
                    format!("{}\n", cells.join("\t"))
                })
                .collect();
            let options = jixiao::ingest::import::ImportOptions {
                default_year: Some(2022),
                ..Default::default()
            };
            let result = std::panic::catch_unwind(|| {
                jixiao::ingest::import::import_text_forms("swollen.tsv", &swollen, &options).map(|forms| forms.len())
            });
            assert!(result.is_ok(), "{}: the importer panicked", path.display());
        }
    }
}

/// Issue 14 item 13: a form cell written as a number too large for an exact decimal ("1e308")
/// is reported as out of range at its cell, not as "不是数字"; the form still imports.
#[test]
fn a_form_cell_beyond_any_decimal_is_out_of_range_not_no_number() {
    let text = std::fs::read_to_string(fixture("forms/shenzhen-seed.tsv")).unwrap();
    let row = "档案整理数量（件）\t15000\t15005\t12.5\t12.5";
    assert!(text.contains(row));
    let edited = text.replacen(row, "档案整理数量（件）\t15000\t15005\t1e308\t12.5", 1);
    let options = jixiao::ingest::import::ImportOptions {
        year: Some(2020),
        ..Default::default()
    };
    let docs = jixiao::ingest::import::import_text("huge.tsv", &edited, &options).unwrap();
    let cell = docs[0].unmapped.iter().find(|u| u.text == "1e308").unwrap();
    assert_eq!(cell.reason.as_deref(), Some("数值超出范围"));
    let issue = docs[0]
        .import_issues
        .iter()
        .find(|i| i.detail.contains("1e308"))
        .unwrap();
    assert!(issue.detail.contains("超出可接受的范围"), "{}", issue.detail);
    assert!(!issue.detail.contains("不是数字"), "{}", issue.detail);
}
