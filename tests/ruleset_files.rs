//! A rule-set folder is read safely: only regular `.toml` / `.rhai` files of bounded size are
//! opened, a FIFO or device under a rule-set name is refused without being opened (it could
//! block or stream without end), `score --rules` reads no test cases at all, and a test case
//! that is not UTF-8 is an error naming it rather than a silently skipped case.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::{jixiao_command, run_command_within};

/// A copy of the standalone shenzhen-2020 fixture (its policy and scripts, no tests) in a temporary folder.
fn ruleset_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = crate::common::standalone_shenzhen_dir();
    for file in ["policy.toml", "formulas.rhai", "checks.rhai"] {
        std::fs::copy(src.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::create_dir(dir.path().join("tests")).unwrap();
    dir
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs jixiao with `args` (the rule-set folder where `{}` stands), failing the test when it
/// has not finished within 20 s.
fn run_bounded(args: &[&str], dir: &Path) -> (i32, String, String) {
    let mut command = jixiao_command();
    for arg in args {
        if *arg == "{}" {
            command.arg(dir);
        } else {
            command.arg(arg);
        }
    }
    run_command_within(&mut command, Duration::from_secs(20))
}

const SCORE: &[&str] = &[
    "score",
    "tests/fixtures/forms/shenzhen-seed.tsv",
    "--year",
    "2021",
    "--format",
    "jsonl",
    "--rules",
    "{}",
];

#[test]
fn a_fifo_among_the_test_cases_blocks_nothing() {
    let dir = ruleset_copy();
    mkfifo(&dir.path().join("tests/zz.toml"));
    // Before: check, test and score --rules all waited for a writer on the FIFO.
    let (code, _, stderr) = run_bounded(&["check", "{}"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run_bounded(SCORE, dir.path());
    assert_eq!(stdout.lines().count(), 9, "{stderr}");
    assert_eq!(code, 1, "findings, no input error: {stderr}");
    let (code, _, stderr) = run_bounded(&["test", "{}"], dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("tests/zz.toml"), "names the case file: {stderr}");
    assert!(stderr.contains("不是普通文件"), "{stderr}");
}

#[test]
fn score_does_not_read_what_the_tests_folder_links_to() {
    let dir = ruleset_copy();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("tests/notes.txt")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("tests/zero.toml")).unwrap();
    // Before: every `score --rules` read /dev/zero through tests/notes.txt until memory ran out.
    let (code, stdout, stderr) = run_bounded(SCORE, dir.path());
    assert_eq!((code, stdout.lines().count()), (1, 9), "{stderr}");
    let (code, _, stderr) = run_bounded(&["test", "{}"], dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("tests/zero.toml") && stderr.contains("不是普通文件"),
        "{stderr}"
    );
}

#[test]
fn a_device_under_a_script_name_is_refused_by_name() {
    let dir = ruleset_copy();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("more.rhai")).unwrap();
    let (code, stdout, stderr) = run_bounded(SCORE, dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("more.rhai") && stderr.contains("不是普通文件"),
        "{stderr}"
    );
}

#[test]
fn a_test_case_that_is_not_utf8_is_an_error_not_a_skip() {
    let dir = ruleset_copy();
    // "用例" in GBK.
    std::fs::write(dir.path().join("tests/gbk.toml"), b"# \xd3\xc3\xc0\xfd\n").unwrap();
    let (code, _, stderr) = run_bounded(&["test", "{}"], dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("tests/gbk.toml") && stderr.contains("UTF-8"),
        "{stderr}"
    );
}

#[test]
fn a_case_input_file_that_is_a_device_is_refused() {
    let dir = ruleset_copy();
    std::fs::write(
        dir.path().join("tests/zero.toml"),
        "[case]\nname = \"zero\"\n\n[input]\nfile = \"/dev/zero\"\n\n[expect]\ntotal = \"100\"\n",
    )
    .unwrap();
    let (code, _, stderr) = run_bounded(&["test", "{}"], dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("不是普通文件"), "{stderr}");
}

/// Before: `policy.toml -> /etc/passwd` made `check` print the first lines of /etc/passwd as
/// the excerpt of a TOML syntax error. A rule-set file linked out of its folder is refused by
/// name, its content never shown; a link within the folder is still followed.
#[test]
fn a_rule_set_file_linked_out_of_its_folder_is_refused_without_its_content() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.toml");
    std::fs::write(&secret, "root:x:0:0:root:/root:/bin/bash\nsecret-line = 1\n").unwrap();
    let dir = ruleset_copy();
    std::fs::remove_file(dir.path().join("policy.toml")).unwrap();
    std::os::unix::fs::symlink(&secret, dir.path().join("policy.toml")).unwrap();
    for args in [&["check", "{}"][..], SCORE] {
        let (code, stdout, stderr) = run_bounded(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        let all = format!("{stdout}{stderr}");
        assert!(
            !all.contains("root:x") && !all.contains("secret-line"),
            "{args:?}: {all}"
        );
        assert!(
            all.contains("policy.toml") && all.contains("规则集文件夹之外"),
            "{args:?}: {all}"
        );
    }
    // A link inside the folder is read as before.
    let dir = ruleset_copy();
    std::fs::rename(dir.path().join("checks.rhai"), dir.path().join("checks.txt")).unwrap();
    std::os::unix::fs::symlink("checks.txt", dir.path().join("checks.rhai")).unwrap();
    let (code, stdout, stderr) = run_bounded(&["check", "{}"], dir.path());
    assert_eq!(code, 0, "{stdout}{stderr}");
}
