//! The baseline workflow through the binary: record, change a rule, `--check` fails with a diff
//! naming the moved documents, `--approve --reason` records it with who/when/why, `--check`
//! passes; and `verify` re-runs a manifest.

use std::path::Path;

use jixiao::runs::baseline::store::current_folder;

use crate::common::{jixiao_command, run_command};

/// `jixiao ARGS` with a known login name, the default reviewer recorded in a baseline's history.
fn jixiao(args: &[&str]) -> (i32, String, String) {
    run_command(jixiao_command().args(args).env("USER", "审核员甲"))
}

fn copy_ruleset(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/shenzhen-2020")).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn record_check_change_approve_check() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = tmp.path().join("rules");
    copy_ruleset(&rules);
    let baseline = tmp.path().join("baseline");
    let (b, r) = (baseline.to_str().unwrap(), rules.to_str().unwrap());
    let seed = "tests/fixtures/forms/shenzhen-seed.tsv";
    let common = [
        "--default-year",
        "2021",
        "--region",
        "shenzhen",
        "--rules",
        r,
        "--baseline",
        b,
    ];

    let (code, _, stderr) = jixiao(&[&["run", seed][..], &common].concat());
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("不存在，已新建并记录本次结果"), "{stderr}");
    let current = || current_folder(&baseline).unwrap().unwrap();
    for f in ["results.jsonl", "manifest.json", "history.jsonl"] {
        assert!(current().join(f).exists(), "{f}");
    }
    // Recording again without a mode is refused.
    assert_eq!(jixiao(&[&["run", seed][..], &common].concat()).0, 2);
    // Unchanged: --check passes.
    let (code, _, stderr) = jixiao(&[&["run", seed, "--check"][..], &common].concat());
    assert_eq!(code, 0, "{stderr}");

    // Late but explained now earns 75%: only form 4 moves.
    let policy = rules.join("policy.toml");
    let text = std::fs::read_to_string(&policy)
        .unwrap()
        .replace("value = \"0.5\"", "value = \"0.75\"");
    std::fs::write(&policy, text).unwrap();
    let (code, stdout, _) = jixiao(&[&["run", seed, "--check"][..], &common].concat());
    assert_eq!(code, 1);
    assert!(
        stdout.contains("~ 2021-0102013-市住房建设局应用系统源码及自动发布管控项目"),
        "{stdout}"
    );
    assert!(stdout.contains("总分：92.60 → 95.60"), "{stdout}");
    assert!(
        stdout.contains("产出指标/时效指标/平台搭建完成时间：6.00 → 9.00"),
        "{stdout}"
    );
    assert!(stdout.contains("+ 发现 T1"), "{stdout}");
    assert!(stdout.contains("与基线相比：1 个文档结果变化"), "{stdout}");

    let (code, _, stderr) = jixiao(
        &[
            &["run", seed, "--approve", "--reason", "2022 年起逾期有说明得 75%"][..],
            &common,
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    let history = std::fs::read_to_string(current().join("history.jsonl")).unwrap();
    let entries: Vec<serde_json::Value> = history.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["who"], "审核员甲");
    assert_eq!(entries[1]["why"], "2022 年起逾期有说明得 75%");
    assert_eq!(entries[1]["changed"], 1);
    assert!(entries[1]["when"].as_str().unwrap().ends_with("UTC"));

    let (code, _, stderr) = jixiao(&[&["run", seed, "--check"][..], &common].concat());
    assert_eq!(code, 0, "{stderr}");

    // The manifest reproduces the approved run: `DIR/manifest.json` is the current generation's.
    let manifest = baseline.join("manifest.json");
    let (code, _, stderr) = jixiao(&["verify", manifest.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("结果与清单记录一致"), "{stderr}");
    // A changed rule set no longer reproduces it.
    let text = std::fs::read_to_string(&policy)
        .unwrap()
        .replace("value = \"0.75\"", "value = \"0.5\"");
    std::fs::write(&policy, text).unwrap();
    let (code, stdout, stderr) = jixiao(&["verify", manifest.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("规则集 shenzhen-2020 的内容与记录时不同"), "{stderr}");
    assert!(stdout.contains("总分：95.60 → 92.60"), "{stdout}");
}
