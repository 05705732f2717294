//! The commands of docs/policy-guide.md's walkthrough run as written, end with the exit codes
//! the guide states, and show what an editor following the guide sees: each step's output is
//! pinned by a snapshot (`snapshots/tests__policy_guide__step_N.snap`, the temporary folder shown
//! as `guide-work`).

use crate::common::jixiao_command;

#[test]
fn the_guide_walkthrough_runs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let guide = std::fs::read_to_string(format!("{root}/docs/policy-guide.md")).unwrap();
    let section = guide.split("## 实际操作").nth(1).expect("walkthrough section");
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("guide-work");
    let mut ran = 0;
    for line in section.lines().filter(|l| l.starts_with("$ jixiao ")) {
        let (command, comment) = line.split_once('#').unwrap();
        let expected: i32 = comment.trim().trim_start_matches("退出码").trim().parse().unwrap();
        let args: Vec<String> = command
            .split_whitespace()
            .skip(2)
            .map(|a| a.replace("guide-work", work.to_str().unwrap()))
            .collect();
        let out = jixiao_command().args(&args).current_dir(root).output().unwrap();
        ran += 1;
        let shown = |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(work.to_str().unwrap(), "guide-work");
        insta::assert_snapshot!(
            format!("step_{ran}"),
            format!(
                "{}\n退出码 {}\n--- 标准输出\n{}\n--- 标准错误\n{}",
                command.trim(),
                out.status.code().unwrap_or(-1),
                shown(&out.stdout),
                shown(&out.stderr)
            )
        );
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{line}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(ran, 9);
}
