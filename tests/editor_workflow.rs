//! The policy editor's loop through the binary: start a new year's set that extends the old one,
//! override what changes, see how it differs from the old one and what the change does to the
//! seed forms.

use std::path::Path;

use crate::common::jixiao;

/// Appends overrides to a child set's `policy.toml`.
fn append(path: &Path, text: &str) {
    let mut old = std::fs::read_to_string(path).unwrap();
    old.push_str(text);
    std::fs::write(path, old).unwrap();
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} does not contain {from}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// `jixiao diff --from shenzhen-2020 --to DIR` over the seed forms, as JSON.
fn seed_diff(dir: &str) -> serde_json::Value {
    let (code, stdout, stderr) = jixiao(&[
        "diff",
        "--from",
        "shenzhen-2020",
        "--to",
        dir,
        "tests/fixtures/forms/shenzhen-seed.tsv",
        "--default-year",
        "2021",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn new_year_writes_a_small_set_that_extends_the_previous_year() {
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("shenzhen-2022");
    let (code, _, stderr) = jixiao(&[
        "new-year",
        "--from",
        "shenzhen-2020",
        "--year",
        "2022",
        "--to",
        to.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let policy = std::fs::read_to_string(to.join("policy.toml")).unwrap();
    assert!(policy.starts_with("#:schema ./policy.schema.json\n"), "{policy}");
    assert!(policy.contains("extends = \"shenzhen-2020\""), "{policy}");
    assert!(policy.contains("id = \"shenzhen-2022\""));
    assert!(policy.contains("region = \"shenzhen\""));
    assert!(policy.contains("years = { from = 2022, to = 2022 }"));
    assert!(policy.contains("深圳市项目支出绩效自评规则（2022 年度）"));
    assert!(policy.lines().count() < 20, "a small child, not a copy: {policy}");
    assert!(!to.join("formulas.rhai").exists(), "scripts are inherited, not copied");
    assert!(to.join("policy.schema.json").exists());
    assert!(
        to.join("tests/form4-late-deadline.toml").exists(),
        "test cases stay per set"
    );
    // It scores the seed forms exactly as the set it extends.
    let diff = seed_diff(to.to_str().unwrap());
    assert!(
        diff["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["old_total"] == d["new_total"]),
        "{diff}"
    );
    // Refuses to overwrite.
    let (code, _, stderr) = jixiao(&[
        "new-year",
        "--from",
        "shenzhen-2020",
        "--year",
        "2022",
        "--to",
        to.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("已存在且不为空"), "{stderr}");
}

#[test]
fn diff_shows_parameter_changes_and_their_effect_on_the_corpus() {
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("shenzhen-2022");
    let dir = to.to_str().unwrap();
    assert_eq!(
        jixiao(&["new-year", "--from", "shenzhen-2020", "--year", "2022", "--to", dir]).0,
        0
    );
    // Late but explained now earns 75% instead of half the points.
    append(
        &to.join("policy.toml"),
        "\n[params.late_share_explained]\nvalue = \"0.75\"\n",
    );

    let (code, stdout, stderr) = jixiao(&["diff", "--from", "shenzhen-2020", "--to", dir, "--rules-only"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("~ params.late_share_explained.value：\"0.5\" → \"0.75\""),
        "{stdout}"
    );
    assert!(stdout.contains("0 个函数差异"), "{stdout}");

    let diff = seed_diff(dir);
    let changed: Vec<&serde_json::Value> = diff["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["old_total"] != d["new_total"])
        .collect();
    assert_eq!(changed.len(), 1, "only form 4 has a late deadline");
    let form4 = changed[0];
    assert_eq!(form4["old_total"], "92.60");
    assert_eq!(form4["new_total"], "95.60");
    let moved = &form4["moved"][0];
    assert_eq!(moved["item"], "产出指标/时效指标/平台搭建完成时间");
    assert_eq!(moved["new"], "9.00");
    assert!(
        moved["because"]
            .as_str()
            .unwrap()
            .contains("late_share_explained 0.5 → 0.75")
    );
    assert_eq!(
        diff["findings_appearing"]["T1"], 1,
        "the form's reported 92.6 no longer matches"
    );
}

#[test]
fn diff_between_two_embedded_sets_summarises_grades_and_findings() {
    let (code, stdout, stderr) = jixiao(&[
        "diff",
        "--from",
        "shenzhen-2020",
        "--to",
        "cn-mof-2020",
        "tests/fixtures/forms/shenzhen-seed.tsv",
        "--default-year",
        "2021",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn every_shipped_rule_set_passes_its_own_cases() {
    for id in jixiao::policy::embedded::ids() {
        let (code, stdout, stderr) = jixiao(&["test", id]);
        assert_eq!(code, 0, "{id}: {stdout}{stderr}");
        assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    }
}

#[test]
fn an_editor_rolls_shenzhen_to_2022_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("shenzhen-2022");
    let dir = to.to_str().unwrap();
    // 1. Copy to a new year.
    assert_eq!(
        jixiao(&["new-year", "--from", "shenzhen-2020", "--year", "2022", "--to", dir]).0,
        0
    );
    // 2. Override a weight (profile: satisfaction 20 → 15, benefits 20 → 25) and a threshold
    //    (late but explained: half → 75%).
    append(
        &to.join("policy.toml"),
        "\n[profile]\nlevel1 = { \"产出指标\" = 50, \"效益指标\" = 25, \"满意度指标\" = 15 }\n\n[params.late_share_explained]\nvalue = \"0.75\"\n",
    );
    // 3. Override a formula, broken on purpose: check names the file and line.
    std::fs::write(
        to.join("formulas.rhai"),
        "// 时效指标：同 2020 年，只是写法不同。\nfn deadline_half_score(days_late, planned_days, weight, explained, p) {\n    if days_late <= 0 {\n        weight\n    } else if explained {\n        weight * p.late_share_explained +\n    } else {\n        weight * p.late_share_unexplained\n    }\n}\n",
    )
    .unwrap();
    let (code, stdout, _) = jixiao(&["check", dir]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("shenzhen-2022/formulas.rhai:"), "{stdout}");
    // The place is named once, in the excerpt's header, not again in the message.
    assert!(stdout.contains("× 语法错误："), "{stdout}");
    assert_eq!(stdout.matches("formulas.rhai").count(), 1, "{stdout}");
    // 4. Fix it: clean again.
    edit(
        &to.join("formulas.rhai"),
        "weight * p.late_share_explained +",
        "weight * p.late_share_explained",
    );
    let (code, stdout, _) = jixiao(&["check", dir]);
    assert_eq!(code, 0, "{stdout}");
    // 5. The editor keeps the seed-form cases for the new year; the form-4 case now fails with
    //    a readable diff, and the new weights show as S2 on forms filled with the old ones.
    for entry in std::fs::read_dir(to.join("tests")).unwrap() {
        let path = entry.unwrap().path();
        if !path.file_name().unwrap().to_string_lossy().starts_with("form") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let (code, stdout, _) = jixiao(&["test", dir]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("失败  样表4：逾期完成并说明原因，时效指标得一半"),
        "{stdout}"
    );
    assert!(
        stdout.contains("指标“平台搭建完成时间”得分：\n          - 期望 6.00\n          + 实际 9.00"),
        "{stdout}"
    );
    assert!(
        stdout.contains("总分：\n          - 期望 92.60\n          + 实际 95.60"),
        "{stdout}"
    );
    assert!(stdout.contains("多出 S2"), "the weight change is visible: {stdout}");
    // 6. Update the cases to the new rules: they pass.
    let case = to.join("tests/form4-late-deadline.toml");
    edit(&case, "total = \"92.60\"", "total = \"95.60\"");
    edit(
        &case,
        "\"平台搭建完成时间\" = \"6.00\"",
        "\"平台搭建完成时间\" = \"9.00\"",
    );
    edit(
        &case,
        "findings = [\"F4\", \"I6\"]",
        "findings_include = [\"F4\", \"I6\", \"S2\", \"T1\"]",
    );
    edit(
        &to.join("tests/form1-rate-rounding.toml"),
        "findings = []",
        "findings = [\"S2\"]",
    );
    edit(
        &to.join("tests/form6-cost-overrun.toml"),
        "findings = [",
        "findings = [\"S2\", ",
    );
    let (code, stdout, _) = jixiao(&["test", dir]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("3 passed, 0 failed"), "{stdout}");
    // 7. What the change does to the seed forms: only form 4 moves; no grade changes.
    let diff = seed_diff(dir);
    let moved: Vec<&str> = diff["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["old_total"] != d["new_total"])
        .map(|d| d["project"].as_str().unwrap())
        .collect();
    assert_eq!(moved, ["市住房建设局应用系统源码及自动发布管控项目"]);
    assert_eq!(diff["grade_transitions"], serde_json::json!({}));
}
