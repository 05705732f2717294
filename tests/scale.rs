//! Work that grows with the size of a rule set, a decisions file or a rule set's tests stays
//! (near) linear: `check` of tens of thousands of `[params]`, a decisions file of tens of
//! thousands of decisions, and `jixiao test` of a formula that never ends — each used to take
//! minutes (a scan of the whole file per diagnostic or decision, a whole run per probe). The
//! bounds are generous (debug build, a busy machine); `benches/scale.rs` measures the times.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::common::jixiao_command;

/// Runs a command with its output going to files (a pipe would fill and stop it), failing the
/// test when it has not finished within `limit`: exit code, stdout, stderr.
fn run_within(command: &mut std::process::Command, limit: Duration) -> (i32, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let (out, err) = (tmp.path().join("stdout"), tmp.path().join("stderr"));
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code().unwrap_or(-1),
        std::fs::read_to_string(out).unwrap(),
        std::fs::read_to_string(err).unwrap(),
    )
}

/// A copy of `rules/shenzhen-2020` (with its tests) in `dir/name`.
fn copy_rule_set(dir: &Path, name: &str) -> std::path::PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/shenzhen-2020");
    let target = dir.join(name);
    std::fs::create_dir_all(target.join("tests")).unwrap();
    for sub in ["", "tests"] {
        for entry in std::fs::read_dir(source.join(sub)).unwrap() {
            let entry = entry.unwrap();
            if entry.path().is_file() {
                std::fs::copy(entry.path(), target.join(sub).join(entry.file_name())).unwrap();
            }
        }
    }
    target
}

/// Before: about 7 s for 4,000 parameters no script reads (one warning each), each warning
/// scanning the file from its start twice; 50,000 took many minutes.
#[test]
fn checking_fifty_thousand_unused_params_is_quick() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_rule_set(tmp.path(), "shenzhen-2020");
    let policy = dir.join("policy.toml");
    let mut text = std::fs::read_to_string(&policy).unwrap();
    for i in 0..50_000 {
        // Short, to stay under the 4 MiB limit of a policy.toml.
        write!(
            text,
            "\n[params.p{i}]\nvalue = {i}\ndescription = \"x\"\nreference = \"r\"\n"
        )
        .unwrap();
    }
    std::fs::write(&policy, text).unwrap();
    let (code, stdout, stderr) = run_within(jixiao_command().arg("check").arg(&dir), Duration::from_secs(60));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("0 个错误，50000 个警告"),
        "{}",
        &stdout[stdout.len().saturating_sub(300)..]
    );
    // The last warning still points at its own line.
    let last_line = 1 + std::fs::read_to_string(&policy).unwrap().lines().count() - 3;
    assert!(
        stdout.contains(&format!("policy.toml:{last_line}:9")),
        "line {last_line}"
    );
}

/// Before: about 4 s for 4,000 decisions (each one's line found by scanning the file from its
/// start); 50,000 took many minutes.
#[test]
fn fifty_thousand_decisions_are_read_quickly() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("decisions.toml");
    let mut text = String::new();
    for i in 0..50_000 {
        write!(
            text,
            "[[decision]]\nkind = \"waive\"\ndocument = \"doc-{i}\"\ncode = \"I6\"\nreason = \"已核实\"\nreviewer = \"张三\"\ndate = 2024-05-11\n\n"
        )
        .unwrap();
    }
    std::fs::write(&path, text).unwrap();
    let (code, _, stderr) = run_within(
        jixiao_command()
            .args(["score", "tests/fixtures/documents/minimal.json", "--decisions"])
            .arg(&path),
        Duration::from_secs(60),
    );
    assert_eq!(code, 0, "{}", &stderr[..stderr.len().min(2000)]);
    assert_eq!(stderr.matches("审核决定未生效").count(), 50_000);
}

/// Before: every probe of every parameter ran every case again, each until the deadline
/// stopped it: minutes for a formula that never ends. Now each case gets the deadline `score`
/// gives a document, across all of its runs.
#[test]
fn test_stops_a_formula_that_never_ends_as_score_does() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_rule_set(tmp.path(), "shenzhen-2020");
    // Keep two cases.
    let mut cases: Vec<_> = std::fs::read_dir(dir.join("tests"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for extra in cases.iter().skip(2) {
        std::fs::remove_file(extra).unwrap();
    }
    let formulas = dir.join("formulas.rhai");
    let text = std::fs::read_to_string(&formulas).unwrap();
    let head = "fn budget_score(rate, weight, p) {";
    assert!(text.contains(head));
    // Each turn is cheap in operations but not in time, so the deadline stops it.
    let endless = format!(
        "{head}\n    let s = \"\";\n    while true {{\n        s.pad(60000, \"y\");\n        s.truncate(0);\n    }}"
    );
    std::fs::write(&formulas, text.replacen(head, &endless, 1)).unwrap();
    let (code, stdout, stderr) = run_within(jixiao_command().arg("test").arg(&dir), Duration::from_secs(30));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(stdout.matches("脚本运行超时").count(), 2, "{stdout}");
    assert!(stdout.contains("0 passed, 2 failed"), "{stdout}");
}
