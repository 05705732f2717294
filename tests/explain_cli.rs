//! `jixiao explain` on the seed forms: the derivations users read, snapshotted (numbers checked
//! by hand, see the comments), and the JSON form carrying the same numbers.

use crate::common::jixiao;

const SEED: &str = "tests/fixtures/forms/shenzhen-seed.tsv";

fn explain(extra: &[&str]) -> String {
    let mut args = vec!["explain", SEED, "--year", "2021", "--region", "shenzhen"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = jixiao(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    stdout
}

/// Form 4's deadline "2021年7月前完成": last admissible day 2021-06-30; done 2021-12-03, i.e.
/// 31 (Jul) + 31 + 30 + 31 + 30 (Nov) + 3 = 156 days late; planned 1 Jan – 30 Jun = 181 days;
/// the note explains → late_share_explained 0.5 × 12 = 6.00, as reported (6).
#[test]
fn form_4_deadline_indicator() {
    let text = explain(&["--indicator", "平台搭建完成时间"]);
    assert!(
        text.contains("逾期天数：完成日 2021-12-03 − 最后期限 2021-06-30 = 156 天（逾期）"),
        "{text}"
    );
    assert!(text.contains("deadline_half_score(逾期天数 156, 计划天数 181, 分值 12.0, 有说明 true, p) = 6.00"));
    assert!(text.contains("结果：计算得分 6.00，填报 6：一致"));
    insta::assert_snapshot!(text);
}

/// Form 1's funds: 870996.00 ÷ 890000.00 = 0.978647…; the rule set rounds the rate half-up to
/// 2 places first (p.rate_places = 2) → 0.98; min(0.98, 1) × 10 = 9.80, as reported.
#[test]
fn form_1_funds_score() {
    let text = explain(&["--document", "档案整理", "--indicator", "预算执行"]);
    assert!(text.contains("870996.00 ÷ 890000.00 = 0.97864719…"), "{text}");
    assert!(text.contains("budget_rate(预算数 890000.00, 执行数 870996.00, p) = 0.98"));
    assert!(text.contains("budget_score(执行率 0.98, 分值 10, p) = 9.80"));
    assert!(text.contains("结果：计算得分 9.80，填报 9.80：一致"));
    insta::assert_snapshot!(text);
}

/// Form 1's total: 9.80 + 4 × 12.50 + 2 × 20.00 = 99.80 ≥ 90 → 优.
#[test]
fn form_1_total_and_grade() {
    let text = explain(&["--document", "档案整理", "--indicator", "总分"]);
    assert!(
        text.contains("合计：9.80 + 12.50 + 12.50 + 12.50 + 12.50 + 0.0 + 20.00 + 0.0 + 20.00 = 99.80"),
        "{text}"
    );
    assert!(text.contains("等级：99.80 ≥ 90（“优”档下限） → 优"), "{text}");
}

/// With the reviewer's correction, form 6's cost indicator is explained from the corrected
/// target, and the form's own text is shown beside it.
#[test]
fn form_6_cost_with_the_correction() {
    let text = explain(&[
        "--document",
        "信息基础设施",
        "--indicator",
        "成本指标",
        "--decisions",
        "tests/fixtures/decisions/form6-target.toml",
    ]);
    assert!(
        text.contains(
            "“≤1240000”（E131）  ← 表中原填 “≤124000”，按审核决定更正（tests/fixtures/decisions/form6-target.toml:5:1）"
        ),
        "{text}"
    );
    assert!(text.contains("reverse_ratio_score(目标值 1240000 元, 实际值 1170000 元, 分值 12.5, p) = 12.5"));
    assert!(text.contains("结果：计算得分 12.50，填报 12.5：一致"));
}

/// Without it, the ratio rule gives 124000 ÷ 1170000 × 12.5 = 1.3247… → 1.32.
#[test]
fn json_carries_the_same_numbers() {
    let out = explain(&[
        "--document",
        "信息基础设施",
        "--indicator",
        "成本指标",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let docs = v.as_array().unwrap();
    assert_eq!(docs.len(), 1);
    let ind = &docs[0]["indicators"][0];
    assert_eq!(ind["path"], "产出指标/成本指标/项目成本（元）");
    assert_eq!(ind["kind"], "reverse");
    assert_eq!(ind["target"]["parsed"]["kind"], "quantity");
    assert_eq!(ind["target"]["parsed"]["comparator"], "le");
    assert_eq!(ind["target"]["parsed"]["value"], "124000");
    assert_eq!(ind["formula"]["function"], "reverse_ratio_score");
    assert_eq!(ind["formula"]["file"], "rules/shenzhen-2020/formulas.rhai");
    assert_eq!(ind["formula"]["line"], 19);
    assert_eq!(ind["formula"]["result"], "1.32478632…");
    assert!(
        ind["rounding"]["value"]
            .as_str()
            .unwrap()
            .starts_with("1.3247863247863"),
        "{}",
        ind["rounding"]["value"]
    );
    assert_eq!(ind["rounding"]["result"], "1.32");
    assert_eq!(ind["result"]["computed"], "1.32");
    assert_eq!(ind["result"]["reported"], "12.5");
    assert_eq!(ind["inputs"][0]["at"], "E131");
    assert!(docs[0].get("budget").is_none() && docs[0].get("total").is_none());
}

#[test]
fn a_filter_matching_nothing_is_an_error() {
    let (code, stdout, stderr) = jixiao(&[
        "explain",
        SEED,
        "--year",
        "2021",
        "--region",
        "shenzhen",
        "--indicator",
        "不存在的指标",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("没有名称或路径包含“不存在的指标”的指标"), "{stderr}");
}

/// A placeholder row without a weight ("经济效益指标" left empty on the central form): scoring
/// stops at the blank weight (S4, nothing computed, 0 counted), and explain gives that reason,
/// not the placeholder one, which would have the row scored 0 without a finding.
#[test]
fn a_placeholder_row_without_weight_is_explained_by_its_blank_weight() {
    let (code, text, stderr) = jixiao(&[
        "explain",
        "tests/fixtures/forms/central-2021.tsv",
        "--default-year",
        "2021",
        "--indicator",
        "经济效益指标",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(text.contains("类别：不计分 —— 分值为空，无法计分"), "{text}");
    assert!(
        text.contains("结果：计算得分 —，填报 —：无法按规则计算，也没有填报，按 0 计入"),
        "{text}"
    );
    assert!(text.contains("S4 错误：指标分值为 （空）"), "{text}");
}

#[test]
fn a_reader_that_stops_early_or_a_full_disk_is_no_panic() {
    use std::io::BufRead as _;
    // Before: `explain … | head -1` and `reference codes > /dev/full` exited 101 with a backtrace.
    let mut child = crate::common::jixiao_command()
        .args([
            "explain",
            "tests/fixtures/forms/shenzhen-seed.tsv",
            "--default-year",
            "2020",
            "--region",
            "shenzhen",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("文档"), "{first}");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = crate::common::jixiao_command()
        .args(["reference", "codes"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("无法写入标准输出"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
