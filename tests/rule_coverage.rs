//! `jixiao test --require-coverage` over every shipped rule set: each finding rule is fired, each
//! script branch reached, and each threshold (`[params]` and `[checks.CODE] params`) has cases
//! at, just below and just above it. Removing a case that alone covers something must make the
//! command fail and name what is missing, so full coverage cannot silently regress.

use std::path::Path;
use std::process::Command;

fn run_test(dir: &Path, require: bool) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jixiao"));
    cmd.arg("test").arg(dir);
    if require {
        cmd.arg("--require-coverage");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn every_shipped_rule_set_is_fully_covered() {
    for id in jixiao::policy::embedded::ids() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").join(id);
        let (code, out, err) = run_test(&dir, true);
        assert_eq!(code, 0, "{id}:\n{out}\n{err}");
        assert!(out.contains("发现规则：全部"), "{id}:\n{out}");
        assert!(out.contains("脚本分支：全部"), "{id}:\n{out}");
        // Check thresholds are probed too, not only [params].
        assert!(
            out.contains("检查 F4 的参数 min_rate = 0.9：恰在阈值 有，略低于 有，略高于 有"),
            "{id}:\n{out}"
        );
        assert!(
            !out.contains("：恰在阈值 无") && !out.contains("略低于 无") && !out.contains("略高于 无"),
            "{id}:\n{out}"
        );
        assert!(err.is_empty(), "{id}:\n{err}");
    }
}

#[test]
fn removing_the_only_case_for_a_rule_branch_or_threshold_fails() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cn-mof-2020");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cn-mof-2020");
    copy_dir(&source, &dir);
    let (code, _, err) = run_test(&dir, true);
    assert_eq!(code, 0, "the untouched copy is fully covered:\n{err}");

    // Each of these cases alone covers a finding code, a script branch or a threshold side.
    for case in [
        "check-I5-hit-national.toml",
        "equal-zero-met.toml",
        "reverse-2.5-times.toml",
        "funds-parts-off-by-0.01.toml",
    ] {
        std::fs::remove_file(dir.join("tests").join(case)).unwrap();
    }
    let (code, out, _) = run_test(&dir, false);
    assert_eq!(code, 0, "the remaining cases still pass:\n{out}");
    let (code, out, err) = run_test(&dir, true);
    assert_eq!(code, 1, "{out}\n{err}");
    for gap in [
        "覆盖不完整（--require-coverage）",
        "发现规则 I5：没有用例触发",
        "脚本分支 formulas.rhai:42：函数 equal_score 的第 42 行 if 条件成立的分支没有用例到达",
        "参数 reverse_zero_multiple = 2：没有略高于的用例",
        "检查 F1 的参数 tolerance = 0：没有略高于的用例",
    ] {
        assert!(err.contains(gap), "missing “{gap}” in:\n{err}");
    }
}
