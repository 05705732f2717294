//! Hostile rule sets through the binary: a script that loops, recurses, grows a string, imports a
//! file or calls `eval` fails within a second with an error naming the rule set, the script file
//! and the line; the other documents are still scored and the run exits 2.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::jixiao_command;

/// Copies the standalone shenzhen-2020 fixture into a temporary folder, replacing the deadline formula's body.
fn hostile_ruleset(dir: &Path, deadline_body: &str, extra: &str) {
    let src = crate::common::standalone_shenzhen_dir();
    for file in ["policy.toml", "checks.rhai"] {
        std::fs::copy(src.join(file), dir.join(file)).unwrap();
    }
    let formulas = std::fs::read_to_string(src.join("formulas.rhai")).unwrap();
    let start = formulas.find("fn deadline_half_score").unwrap();
    let kept = &formulas[..start];
    let script = format!(
        "{extra}\n{kept}fn deadline_half_score(days_late, planned_days, weight, explained, p) {{\n{deadline_body}\n}}\n"
    );
    std::fs::write(dir.join("formulas.rhai"), script).unwrap();
}

fn score_with(dir: &Path) -> (i32, String, String, Duration) {
    let started = Instant::now();
    let out = jixiao_command()
        .args([
            "score",
            "tests/fixtures/forms/shenzhen-seed.tsv",
            "--year",
            "2021",
            "--format",
            "jsonl",
            "--rules",
        ])
        .arg(dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
        started.elapsed(),
    )
}

/// Runtime attacks: only forms 3 and 4 have deadline indicators, so they fail and the seven
/// others are scored.
fn assert_runtime_attack_contained(body: &str, expected: &str, line: usize) {
    let dir = tempfile::tempdir().unwrap();
    hostile_ruleset(dir.path(), body, "");
    let (code, stdout, stderr, elapsed) = score_with(dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout.lines().count(), 7, "the other documents are scored: {stderr}");
    let failures: Vec<&str> = stderr.lines().filter(|l| l.starts_with("错误")).collect();
    assert_eq!(failures.len(), 2, "{stderr}");
    for failure in failures {
        assert!(failure.contains("shenzhen-2020"), "names the rule set: {failure}");
        assert!(failure.contains("formulas.rhai"), "names the file: {failure}");
        assert!(
            failure.contains(&format!("第 {line} 行")),
            "names line {line}: {failure}"
        );
        assert!(failure.contains(expected), "says what happened ({expected}): {failure}");
    }
    assert!(elapsed < Duration::from_secs(3), "two documents failed in {elapsed:?}");
}

/// Line of the deadline function's definition in the generated script. Rhai does not report
/// where inside a function a limit tripped, so the error names the function's definition.
fn body_line() -> usize {
    let formulas = std::fs::read_to_string(crate::common::standalone_shenzhen_dir().join("formulas.rhai")).unwrap();
    let start = formulas.find("fn deadline_half_score").unwrap();
    formulas[..start].lines().count() + 2
}

#[test]
fn an_endless_loop_is_stopped() {
    assert_runtime_attack_contained("    loop { }", "运算次数", body_line());
}

#[test]
fn deep_recursion_is_stopped() {
    assert_runtime_attack_contained(
        "    deadline_half_score(days_late + 1, planned_days, weight, explained, p)",
        "调用",
        body_line(),
    );
}

#[test]
fn a_huge_string_is_stopped() {
    assert_runtime_attack_contained("    let s = \"x\";\n    loop { s += s; }", "字符串", body_line());
}

fn assert_compile_attack_refused(extra: &str, expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    hostile_ruleset(dir.path(), "    weight", extra);
    let (code, stdout, stderr, elapsed) = score_with(dir.path());
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("formulas.rhai:2:"), "names file and line: {stderr}");
    assert!(stderr.contains(expected), "{stderr}");
    assert!(elapsed < Duration::from_secs(3));
}

#[test]
fn importing_a_file_is_refused() {
    assert_compile_attack_refused("\nimport \"/etc/passwd\" as secrets;", "import");
}

#[test]
fn eval_is_refused() {
    assert_compile_attack_refused("\nfn sneaky() { eval(\"1 + 1\") }", "eval");
}

#[test]
fn sleep_is_refused_before_any_form_is_scored() {
    // Before: `sleep(1000000000)` in a formula held a document past its deadline indefinitely.
    assert_compile_attack_refused("\nfn sleepy() { sleep(1000000000); 1 }", "不允许调用 sleep");
}

#[test]
fn sleep_reached_through_a_function_pointer_fails_at_once() {
    // The call is hidden from the static check; the engine refuses it when it runs.
    assert_runtime_attack_contained(
        "    let f = Fn(\"sleep\");\n    f.call(1000000000);\n    weight",
        "不允许调用 sleep",
        body_line() + 2,
    );
}
