//! `jixiao score -o FILE` writes a run manifest beside the report (`FILE.manifest.json`), and
//! `jixiao verify` re-scores from it and compares the report's bytes: a report edited after the
//! run, a changed input or a changed rule set is caught.

use std::path::{Path, PathBuf};

use jixiao::runs::manifest::{Manifest, sha256_hex};

use crate::common::{self, jixiao, jixiao_command, run_command};

const SEED: &str = "tests/fixtures/forms/shenzhen-seed.tsv";

/// `jixiao score SEED … -o OUT EXTRA…`, from the crate root.
fn score_to(out: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "score",
        SEED,
        "--default-year",
        "2021",
        "--region",
        "shenzhen",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    jixiao(&args)
}

fn manifest_of(out: &Path) -> (PathBuf, Manifest) {
    let path = PathBuf::from(format!("{}.manifest.json", out.display()));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, serde_json::from_str(&text).unwrap())
}

fn verify(manifest: &Path) -> (i32, String, String) {
    jixiao(&["verify", manifest.to_str().unwrap()])
}

#[test]
fn score_o_writes_a_manifest_that_verify_accepts_and_a_tampered_report_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("评分结果.json");
    let (code, stdout, stderr) = score_to(&out, &["--format", "json"]);
    assert_eq!(code, 1, "form 6 has error findings: {stderr}");
    assert!(stdout.is_empty());

    let (manifest_path, manifest) = manifest_of(&out);
    let report = manifest.report.as_ref().expect("a score manifest names its report");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(report.file.name, "评分结果.json");
    assert_eq!(report.file.sha256, sha256_hex(&bytes));
    assert_eq!(report.format, "json");
    assert_eq!(manifest.inputs.len(), 1);
    assert_eq!(manifest.inputs[0].name, SEED);
    assert_eq!(
        manifest.inputs[0].sha256,
        sha256_hex(&std::fs::read(common::fixture("forms/shenzhen-seed.tsv")).unwrap())
    );
    assert_eq!(manifest.documents, 9);
    assert_eq!(
        (manifest.default_year, manifest.region.as_deref()),
        (Some(2021), Some("shenzhen"))
    );
    assert!(manifest.engine.starts_with("jixiao "), "{}", manifest.engine);
    assert!(!manifest.rulesets.is_empty());

    // The report is what verify renders again: exit 0, even though the report has findings.
    let (code, _, stderr) = verify(&manifest_path);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("重新评分的报告与清单记录一致：9 个文档"), "{stderr}");

    // Edited after the run: verify fails and says which file.
    let mut edited = bytes.clone();
    edited.extend_from_slice(b" ");
    std::fs::write(&out, &edited).unwrap();
    let (code, _, stderr) = verify(&manifest_path);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("评分结果.json 的内容与清单记录的不同：评分之后被改动过"),
        "{stderr}"
    );
    assert!(stderr.contains("报告未通过复核"), "{stderr}");

    // Gone: also a failure, naming the file.
    std::fs::remove_file(&out).unwrap();
    let (code, _, stderr) = verify(&manifest_path);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("无法读取报告文件"), "{stderr}");
}

#[test]
fn an_excel_workbook_verifies_byte_for_byte() {
    // The workbook carries its creation time; the manifest records it so the bytes can match.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("评分结果.xlsx");
    let (code, _, stderr) = score_to(&out, &["--format", "xlsx"]);
    assert_eq!(code, 1, "{stderr}");
    let (manifest_path, manifest) = manifest_of(&out);
    let report = manifest.report.unwrap();
    assert_eq!(report.format, "xlsx");
    assert!(report.created.is_some());
    // Verify in a later second than the run, so "now" would give other bytes.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, _, stderr) = verify(&manifest_path);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn csv_tables_and_streamed_json_lines_verify_too() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("指标.csv");
    let (code, _, stderr) = score_to(&csv, &["--format", "csv", "--csv-table", "indicators"]);
    assert_eq!(code, 1, "{stderr}");
    let (manifest_path, manifest) = manifest_of(&csv);
    assert_eq!(manifest.report.unwrap().csv_table.as_deref(), Some("indicators"));
    assert_eq!(verify(&manifest_path).0, 0);

    let lines = tmp.path().join("scores.jsonl");
    let (code, _, stderr) = score_to(&lines, &["--format", "jsonl", "--quiet"]);
    assert_eq!(code, 1, "{stderr}");
    let (manifest_path, manifest) = manifest_of(&lines);
    assert_eq!(manifest.documents, 9);
    assert_eq!(
        manifest.report.unwrap().file.sha256,
        sha256_hex(&std::fs::read(&lines).unwrap())
    );
    let (code, _, stderr) = verify(&manifest_path);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_changed_input_or_rule_set_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("forms.tsv");
    std::fs::copy(common::fixture("forms/shenzhen-seed.tsv"), &input).unwrap();
    let rules = tmp.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/shenzhen-2020")).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), rules.join(entry.file_name())).unwrap();
        }
    }
    let out = tmp.path().join("report.md");
    let (code, _, stderr) = jixiao(&[
        "score",
        input.to_str().unwrap(),
        "--year",
        "2021",
        "--rules",
        rules.to_str().unwrap(),
        "--format",
        "markdown",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let (manifest_path, manifest) = manifest_of(&out);
    assert_eq!(manifest.rules_option.as_deref(), rules.to_str());
    assert_eq!(verify(&manifest_path).0, 0);

    // A rule-set edit that changes no score still changes the rule set: verify says so.
    let policy = rules.join("policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, format!("# 编辑人员加的注释\n{text}")).unwrap();
    let (code, _, stderr) = verify(&manifest_path);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("规则集 shenzhen-2020 的内容与记录时不同"), "{stderr}");
    std::fs::write(&policy, text).unwrap();
    assert_eq!(verify(&manifest_path).0, 0);

    // A changed input cannot be replayed: exit 2, as for a baseline manifest.
    let mut form = std::fs::read_to_string(&input).unwrap();
    form.push('\n');
    std::fs::write(&input, form).unwrap();
    let (code, _, stderr) = verify(&manifest_path);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("的内容与清单记录的不同"), "{stderr}");
}

#[test]
fn standard_input_gets_no_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.json");
    let document = std::fs::read_to_string(common::fixture("documents/minimal.json")).unwrap();
    let line = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&document).unwrap()).unwrap();
    let mut child = jixiao_command()
        .args(["score", "-", "--format", "json", "--fail-on", "never", "-o"])
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("{line}\n").as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(out.exists());
    assert!(!Path::new(&format!("{}.manifest.json", out.display())).exists());
    assert!(stderr.contains("无法重新运行，未写运行清单"), "{stderr}");
}

#[test]
fn a_baseline_manifest_still_verifies() {
    // The manifest gained an optional field; a baseline run's manifest has none and verify
    // takes the baseline path (`DIR/manifest.json`, the current generation's) as before.
    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("baseline");
    let (code, _, stderr) = run_command(jixiao_command().args([
        "run",
        SEED,
        "--default-year",
        "2021",
        "--region",
        "shenzhen",
        "--baseline",
        baseline.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    let current = jixiao::runs::baseline::store::current_folder(&baseline)
        .unwrap()
        .unwrap();
    let text = std::fs::read_to_string(current.join("manifest.json")).unwrap();
    assert!(!text.contains("\"report\""), "{text}");
    let (code, _, stderr) = verify(&baseline.join("manifest.json"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("重新运行的结果与清单记录一致"), "{stderr}");
}

#[test]
fn a_manifest_that_cannot_be_written_leaves_no_report_behind() {
    // A folder where the manifest must go: the report can be written, its manifest cannot be
    // put in place (as on a disk that fills up between the two). Root cannot write there either.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("评分结果.json");
    let blocker = PathBuf::from(format!("{}.manifest.json", out.display()));
    std::fs::create_dir(&blocker).unwrap();
    std::fs::write(blocker.join("占位"), "x").unwrap();
    let (code, _, stderr) = score_to(&out, &["--format", "json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("manifest.json"), "{stderr}");
    assert!(!out.exists(), "a report without its manifest was left: {stderr}");

    // With the folder gone, the same command writes both.
    std::fs::remove_dir_all(&blocker).unwrap();
    let (code, _, stderr) = score_to(&out, &["--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let (manifest_path, _) = manifest_of(&out);
    assert_eq!(verify(&manifest_path).0, 0);
}

/// A run read with an office's own layout file records the file and its hash: `verify` reads the
/// forms with it again, and refuses when the file changed since.
#[test]
fn the_manifest_records_the_layout_files_the_forms_were_read_with() {
    let tmp = tempfile::tempdir().unwrap();
    let layouts = tmp.path().join("office.toml");
    std::fs::copy(common::fixture("layouts/huangshi-library.toml"), &layouts).unwrap();
    let out = tmp.path().join("report.json");
    let (code, _, stderr) = jixiao(&[
        "score",
        "tests/fixtures/layouts/hubei-huangshi-practice.tsv",
        "--layouts",
        layouts.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "never",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (manifest_path, manifest) = manifest_of(&out);
    assert_eq!(manifest.layouts.len(), 1);
    assert_eq!(manifest.layouts[0].name, layouts.display().to_string());
    assert_eq!(
        manifest.layouts[0].sha256,
        sha256_hex(&std::fs::read(&layouts).unwrap())
    );
    let (code, _, stderr) = verify(&manifest_path);
    assert_eq!(code, 0, "{stderr}");

    let text = std::fs::read_to_string(&layouts).unwrap();
    std::fs::write(&layouts, text.replace("读者", "读者们")).unwrap();
    let (code, _, stderr) = verify(&manifest_path);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("格式文件") && stderr.contains("缺失或已改变"),
        "{stderr}"
    );
}
