//! Rule sets that extend another (`[ruleset] extends`) and parameters with values by year
//! (`by_year`), through the binary: what `check` says of a missing parent, a cycle, an override
//! that changes nothing, an error in a parent and mistakes in values by year (each at its file
//! and line); a child's formula replacing its parent's; values chosen by the document's year and
//! shown by `explain`; embedded children needing no files on disk.

use std::path::Path;

use crate::common::{jixiao, jixiao_command, run_command};

const SEED: &str = "tests/fixtures/forms/shenzhen-seed.tsv";

/// Writes a rule-set folder `dir` with its files.
fn folder(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// `jixiao check DIR`: exit code and stdout with the temporary folder shown as `tmp`.
fn check(dir: &Path, tmp: &Path) -> (i32, String) {
    let out = jixiao_command().arg("check").arg(dir).output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).replace(tmp.to_str().unwrap(), "tmp");
    (out.status.code().unwrap_or(-1), shown)
}

const CHILD_HEAD: &str = "[ruleset]\nextends = \"shenzhen-2020\"\nid = \"child\"\ntitle = \"子规则集\"\nregion = \"shenzhen\"\nyears = { from = 2020, to = 2021 }\n";

#[test]
fn a_missing_parent_is_an_error_at_the_extends_value() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("child");
    folder(
        &dir,
        &[(
            "policy.toml",
            "[ruleset]\nextends = \"shenzhen-2019\"\nid = \"child\"\ntitle = \"子规则集\"\nyears = { from = 2022 }\n",
        )],
    );
    let (code, out) = check(&dir, tmp.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("child/policy.toml:2:"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_cycle_in_extends_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    folder(
        &a,
        &[(
            "policy.toml",
            "[ruleset]\nextends = \"../b\"\nid = \"a\"\ntitle = \"甲\"\nyears = { from = 2022 }\n",
        )],
    );
    folder(
        &b,
        &[(
            "policy.toml",
            "[ruleset]\nextends = \"../a\"\nid = \"b\"\ntitle = \"乙\"\nyears = { from = 2022 }\n",
        )],
    );
    let (code, out) = check(&a, tmp.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("a → b → a"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn an_override_that_changes_nothing_is_a_warning_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("child");
    let policy = format!(
        "{CHILD_HEAD}\n[rounding]\nmode = \"half_up\"\n\n[params.late_share_explained]\nvalue = \"0.5\"\n\n[checks.F4]\nseverity = \"info\"\n\n[checks.I6]\nseverity = \"error\"\n"
    );
    folder(&dir, &[("policy.toml", &policy)]);
    let (code, out) = check(&dir, tmp.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 个错误，3 个警告"), "three unchanged, I6 changed: {out}");
    insta::assert_snapshot!(out);
}

#[test]
fn an_error_in_a_parent_on_disk_is_shown_in_the_parents_file() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().join("parent");
    let source = crate::common::standalone_shenzhen_dir();
    let formulas = std::fs::read_to_string(source.join("formulas.rhai"))
        .unwrap()
        .replace("    min(rate, 1) * weight\n", "    min(rate, 1) * weight +\n");
    folder(
        &parent,
        &[
            (
                "policy.toml",
                &std::fs::read_to_string(source.join("policy.toml")).unwrap(),
            ),
            (
                "checks.rhai",
                &std::fs::read_to_string(source.join("checks.rhai")).unwrap(),
            ),
            ("formulas.rhai", &formulas),
        ],
    );
    let child = tmp.path().join("child");
    folder(
        &child,
        &[("policy.toml", &CHILD_HEAD.replace("\"shenzhen-2020\"", "\"../parent\""))],
    );
    let (code, out) = check(&child, tmp.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("parent/formulas.rhai"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_childs_function_replaces_the_parents_and_explain_names_its_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("child");
    folder(
        &dir,
        &[
            ("policy.toml", CHILD_HEAD),
            (
                "formulas.rhai",
                "// 时效指标：逾期一律不得分（替换 shenzhen-2020 的同名函数）。\nfn deadline_half_score(days_late, planned_days, weight, explained, p) {\n    if days_late <= 0 { weight } else { 0 }\n}\n",
            ),
        ],
    );
    let (code, out) = check(&dir, tmp.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 个错误，0 个警告"), "{out}");
    let (code, stdout, stderr) = jixiao(&[
        "explain",
        SEED,
        "--default-year",
        "2021",
        "--rules",
        dir.to_str().unwrap(),
        "--document",
        "市住房建设局",
        "--indicator",
        "平台搭建完成时间",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let stdout = stdout.replace(tmp.path().to_str().unwrap(), "tmp");
    assert!(
        stdout.contains("deadline_half_score（tmp/child/formulas.rhai:2）"),
        "{stdout}"
    );
    assert!(stdout.contains("= 0\n"), "{stdout}");
    assert!(
        stdout.contains("继承 rules/shenzhen-2020，再继承 rules/cn-mof-2020"),
        "{stdout}"
    );
}

#[test]
fn values_by_year_follow_the_documents_year_and_explain_names_the_year() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("child");
    let policy = format!(
        "{CHILD_HEAD}\n[params.late_share_explained]\nby_year = {{ \"2020\" = \"0.5\", \"2021\" = \"0.25\" }}\nreference = \"示例：2021 年度起逾期已说明的得四分之一\"\n"
    );
    folder(&dir, &[("policy.toml", &policy)]);
    let (code, out) = check(&dir, tmp.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 个错误，0 个警告"), "{out}");
    let rules = dir.to_str().unwrap();
    // Form 4 is a 2021 form: its late but explained deadline earns 12 × 0.25 = 3.
    let (_, stdout, stderr) = jixiao(&[
        "explain",
        SEED,
        "--default-year",
        "2021",
        "--rules",
        rules,
        "--document",
        "市住房建设局",
        "--indicator",
        "平台搭建完成时间",
    ]);
    assert!(
        stdout.contains("p.late_share_explained = 0.25（2021 年起的值）"),
        "{stdout}{stderr}"
    );
    assert!(stdout.contains("child/policy.toml:9］"), "{stdout}");
    assert!(stdout.contains("= 3.00\n"), "{stdout}");
    // The same set scores a document of 2020 with the 2020 value, one of 2021 with 2021's.
    let files = jixiao::policy::RuleSetFiles::read_folder(&dir).unwrap();
    let set = jixiao::policy::RuleSet::load(files).unwrap();
    assert_eq!(
        set.for_year(2020).param("late_share_explained"),
        Some("0.5".parse().unwrap())
    );
    assert_eq!(
        set.for_year(2021).param("late_share_explained"),
        Some("0.25".parse().unwrap())
    );
    assert_eq!(
        set.for_year(2030).param("late_share_explained"),
        Some("0.25".parse().unwrap())
    );
    assert!(
        matches!(set.for_year(2020), std::borrow::Cow::Borrowed(_)),
        "resolved for its first year"
    );
    assert!(
        matches!(set.for_year(2022), std::borrow::Cow::Borrowed(_)),
        "the set of each year a value starts is made once, at load"
    );
}

#[test]
fn mistakes_in_values_by_year_are_placed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("child");
    let policy = format!(
        "{CHILD_HEAD}\n[params.late_share_explained]\nby_year = {{ \"2021\" = \"0.4\", \"2020\" = \"0.5\" }}\n\n[params.late_share_unexplained]\nby_year = {{ \"2021\" = 0, \"二〇二二\" = \"0.1\" }}\n\n[params.rate_places]\nvalue = 2\nby_year = {{ \"2020\" = 2 }}\n"
    );
    folder(&dir, &[("policy.toml", &policy)]);
    let (code, out) = check(&dir, tmp.path());
    assert_eq!(code, 2, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn embedded_sets_that_extend_need_no_files_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    for id in ["shenzhen-2020", "sichuan-2023"] {
        let (code, stdout, stderr) = run_command(
            jixiao_command()
                .args(["test", id, "--require-coverage"])
                .current_dir(tmp.path()),
        );
        assert_eq!(code, 0, "{id}: {stdout}{stderr}");
    }
}

/// The shipped sets rewritten as deltas of cn-mof-2020 apply as the standalone sets they replaced
/// (kept in `tests/fixtures/rulesets/standalone`): `diff --rules-only` finds only the `extends`
/// line, and in functions only comments.
#[test]
fn the_shipped_deltas_apply_as_the_standalone_sets_they_replaced() {
    for id in ["shenzhen-2020", "sichuan-2023"] {
        let old = crate::common::fixture(&format!("rulesets/standalone/{id}"));
        let (code, stdout, stderr) = jixiao(&["diff", "--from", old.to_str().unwrap(), "--to", id, "--rules-only"]);
        assert_eq!(code, 0, "{stderr}");
        let (policy, functions) = stdout.split_once("## 脚本函数").unwrap();
        let changes: Vec<&str> = policy.lines().filter(|l| l.starts_with(['~', '+', '-'])).collect();
        assert_eq!(
            changes,
            ["+ ruleset.extends：\"cn-mof-2020\"（新增）"],
            "{id}: {stdout}"
        );
        for line in functions.lines() {
            if let Some(changed) = line.strip_prefix("    - ").or_else(|| line.strip_prefix("    + ")) {
                assert!(
                    changed.trim_start().starts_with("//"),
                    "{id}: only comments differ: {line}"
                );
            }
            assert!(
                !line.starts_with(['+', '-']),
                "{id}: no function added or removed: {line}"
            );
        }
    }
}

#[test]
fn a_checks_threshold_may_take_values_by_year() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("child");
    let policy = format!(
        "{CHILD_HEAD}\n[checks.F4]\nseverity = \"warning\"\nparams = {{ min_rate = {{ by_year = {{ \"2020\" = \"0.9\", \"2021\" = \"0.99\" }} }}, max_rate = 1 }}\n"
    );
    folder(&dir, &[("policy.toml", &policy)]);
    let (code, out) = check(&dir, tmp.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 个错误，0 个警告"), "{out}");
    let set = jixiao::policy::RuleSet::load(jixiao::policy::RuleSetFiles::read_folder(&dir).unwrap()).unwrap();
    let min_rate = |year: i32| {
        set.for_year(year)
            .checks
            .iter()
            .find(|c| c.code.id() == "F4")
            .and_then(|c| c.dec("min_rate"))
    };
    assert_eq!(min_rate(2020), Some("0.9".parse().unwrap()));
    assert_eq!(min_rate(2021), Some("0.99".parse().unwrap()));
    // Form 1 (2021) executed 97.86% of its budget without a reason: below 2021's 99%.
    let (_, stdout, _) = jixiao(&[
        "score",
        SEED,
        "--default-year",
        "2021",
        "--rules",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let (_, before, _) = jixiao(&[
        "score",
        SEED,
        "--default-year",
        "2021",
        "--region",
        "shenzhen",
        "--format",
        "json",
    ]);
    assert!(
        stdout.matches("\"F4\"").count() > before.matches("\"F4\"").count(),
        "2021's higher threshold finds more: {stdout}"
    );
    // A value of another kind in one year is an error at the parameter.
    let mixed = format!(
        "{CHILD_HEAD}\n[checks.F4]\nparams = {{ min_rate = {{ by_year = {{ \"2020\" = \"0.9\", \"2021\" = [\"无\"] }} }}, max_rate = 1 }}\n"
    );
    folder(&dir, &[("policy.toml", &mixed)]);
    let (code, out) = check(&dir, tmp.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("by_year 中各年度的值类型不一致"), "{out}");
}
