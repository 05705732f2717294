//! One broken input, one diagnostic: every command that reads a broken rule set (`check`,
//! `score`, `test`, `run`, `explain`, `diff`) or a broken decisions file (`score`, `run`,
//! `explain`) prints the same caret diagnostic for it — message, the place once, the source
//! excerpt, help. The diagnostic itself is snapshot-tested once per broken input.

use std::path::Path;

use crate::common::jixiao;

const FORM: &str = "tests/fixtures/forms/shenzhen-seed.tsv";
const BROKEN_DECISIONS: &str = "tests/fixtures/decisions/broken-missing-reviewer.toml";

/// A copy of the standalone shenzhen-2020 fixture named `broken` inside `tmp`, with `find` replaced by
/// `replace` (once) in `file`.
fn broken_rule_set(tmp: &Path, file: &str, find: &str, replace: &str) -> String {
    let source = crate::common::standalone_shenzhen_dir();
    // Named as its id, so the only diagnostic is the one the test is about.
    let dir = tmp.join("shenzhen-2020");
    std::fs::create_dir(&dir).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(find).count(), 1, "{find:?} must occur once in {file}");
    std::fs::write(&path, text.replacen(find, replace, 1)).unwrap();
    dir.to_str().unwrap().to_owned()
}

/// Runs every command that loads the rule set at `dir`; asserts each exits 2 and prints to
/// stderr exactly what `jixiao check` prints to stdout. Returns that text.
fn same_for_every_command(dir: &str) -> String {
    let (code, expected, _) = jixiao(&["check", dir]);
    assert_eq!(code, 2, "{expected}");
    assert!(expected.contains("╭─[shenzhen-2020/"), "shows the excerpt: {expected}");
    let baseline = tempfile::tempdir().unwrap();
    let baseline = baseline.path().join("baseline");
    let commands: Vec<Vec<&str>> = vec![
        vec!["score", FORM, "--year", "2021", "--rules", dir],
        vec!["score", FORM, "--year", "2021", "--format", "jsonl", "--rules", dir],
        vec!["test", dir],
        vec![
            "run",
            FORM,
            "--year",
            "2021",
            "--rules",
            dir,
            "--baseline",
            baseline.to_str().unwrap(),
        ],
        vec!["explain", FORM, "--year", "2021", "--rules", dir],
        vec!["diff", "--from", "shenzhen-2020", "--to", dir, FORM, "--year", "2021"],
    ];
    for args in commands {
        let (code, stdout, stderr) = jixiao(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert_eq!(stderr, expected, "{args:?} prints what check prints");
    }
    expected
}

#[test]
fn a_type_error_in_policy_toml_is_one_diagnostic_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = broken_rule_set(tmp.path(), "policy.toml", "score_places = 2", "score_places = \"两位\"");
    let out = same_for_every_command(&dir);
    assert_eq!(out.matches("policy.toml").count(), 1, "the place once: {out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_syntax_error_in_formulas_rhai_is_one_diagnostic_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = broken_rule_set(
        tmp.path(),
        "formulas.rhai",
        "weight * p.late_share_explained",
        "weight * p.late_share_explained +",
    );
    let out = same_for_every_command(&dir);
    assert_eq!(out.matches("formulas.rhai").count(), 1, "the place once: {out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_broken_decisions_file_is_one_diagnostic_everywhere() {
    let baseline = tempfile::tempdir().unwrap();
    let baseline = baseline.path().join("baseline");
    let commands: Vec<Vec<&str>> = vec![
        vec!["score", FORM, "--year", "2021", "--decisions", BROKEN_DECISIONS],
        vec![
            "score",
            FORM,
            "--year",
            "2021",
            "--format",
            "jsonl",
            "--decisions",
            BROKEN_DECISIONS,
        ],
        vec![
            "run",
            FORM,
            "--year",
            "2021",
            "--decisions",
            BROKEN_DECISIONS,
            "--baseline",
            baseline.to_str().unwrap(),
        ],
        vec!["explain", FORM, "--year", "2021", "--decisions", BROKEN_DECISIONS],
    ];
    let mut seen: Option<String> = None;
    for args in commands {
        let (code, stdout, stderr) = jixiao(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        match &seen {
            Some(first) => assert_eq!(&stderr, first, "{args:?} prints what score prints"),
            None => seen = Some(stderr),
        }
    }
    let out = seen.unwrap();
    assert!(out.contains("╭─["), "shows the excerpt: {out}");
    assert_eq!(
        out.matches("broken-missing-reviewer.toml").count(),
        1,
        "the place once: {out}"
    );
    insta::assert_snapshot!(out);
}
