//! What `jixiao score` says around its report (issue 15 item 5): a region typo is one error with
//! the nearest valid name, nothing scored prints no table, and without `--region` the rule set
//! each form got, and why, is stated once.

use crate::common::jixiao;

const SEED: &str = "tests/fixtures/forms/shenzhen-seed.tsv";

#[test]
fn a_region_typo_is_one_error_with_the_nearest_region() {
    let (code, stdout, stderr) = jixiao(&["score", SEED, "--default-year", "2020", "--region", "shenzen"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("没有地区“shenzen”的规则集；是不是 shenzhen？"),
        "{stderr}"
    );
    // A forced rule set takes any region.
    let (code, _, stderr) = jixiao(&[
        "score",
        SEED,
        "--default-year",
        "2020",
        "--region",
        "shenzen",
        "--rules",
        "shenzhen-2020",
    ]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn nothing_scored_prints_no_table() {
    let (code, stdout, stderr) = jixiao(&["score", "tests/fixtures/no-such-folder/*.tsv"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("没有匹配到任何文件"), "{stderr}");
}

#[test]
fn without_a_region_the_rule_set_chosen_and_why_is_stated() {
    let (_, _, stderr) = jixiao(&["score", SEED, "--default-year", "2020"]);
    assert!(
        stderr.contains("提示：未指定 --region：cn-mof-2020 用于 9 张表（未写地区，按全国规则集）"),
        "{stderr}"
    );
    let (_, _, stderr) = jixiao(&["score", SEED, "--default-year", "2020", "--region", "shenzhen"]);
    assert!(!stderr.contains("未指定 --region"), "{stderr}");
    let (_, _, stderr) = jixiao(&["score", "tests/fixtures/form-variants/sichuan-tail-and-head-2023.tsv"]);
    assert!(stderr.contains("sichuan-2023 用于"), "{stderr}");
    assert!(stderr.contains("按表中地名推断为四川省"), "{stderr}");
}

/// A run written to a file closes with the documents counted by their worst finding.
#[test]
fn a_run_to_a_file_closes_with_counts_by_worst_severity() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("评分.csv");
    let (code, _, stderr) = jixiao(&[
        "score",
        SEED,
        "--default-year",
        "2020",
        "--region",
        "shenzhen",
        "--format",
        "csv",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("共评分 9 个文档：有错误 1，最重为警告 2，最重为提示 1，没有发现 5"),
        "{stderr}"
    );
}

/// The JSON Lines batch closes with the same counts by worst finding as the other formats.
#[test]
fn a_json_lines_run_closes_with_the_same_counts_by_worst_severity() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = jixiao(&["import", SEED, "--default-year", "2020", "--region", "shenzhen"]);
    assert_eq!(code, 0, "{stderr}");
    let lines = tmp.path().join("seed.jsonl");
    std::fs::write(&lines, stdout).unwrap();
    let (code, _, stderr) = jixiao(&["score", lines.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("共评分 9 个文档：有错误 1，最重为警告 2，最重为提示 1，没有发现 5"),
        "{stderr}"
    );
}
