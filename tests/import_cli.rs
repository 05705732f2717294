//! `jixiao import` through the binary: a folder of documents or JSON Lines, the per-form report
//! of realigned rows, and exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::process::Command;

fn jixiao(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn imports_to_a_folder_one_valid_document_per_form() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("docs");
    let (code, stdout, stderr) = jixiao(&[
        "import",
        "tests/fixtures/forms/shenzhen-seed.tsv",
        "--default-year",
        "2020",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 9);
    assert!(
        files.contains(&"2021-0102013-机房UPS电池更换及蓄电池间消防整改.json".to_owned()),
        "{files:?}"
    );
    // The documents validate.
    let paths: Vec<String> = files.iter().map(|f| out.join(f).display().to_string()).collect();
    let mut args = vec!["validate"];
    args.extend(paths.iter().map(String::as_str));
    let (code, _, stderr) = jixiao(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("共 9 个文档有效，0 处问题"), "{stderr}");
}

#[test]
fn reports_realigned_rows_and_unmapped_cells_per_form() {
    let (code, stdout, stderr) = jixiao(&[
        "import",
        "tests/fixtures/forms/shenzhen-seed.tsv",
        "--default-year",
        "2020",
        "-o",
        "-",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 9);
    assert!(
        stderr.contains("第 65 行：二级指标“成本指标”在 B65（表头为 C 列）"),
        "{stderr}"
    );
    assert!(stderr.contains("G154：“无”"), "form 7's extra cell is listed: {stderr}");
    assert!(stderr.contains("共导入 9 张表"), "{stderr}");
}

#[test]
fn a_malformed_form_is_bad_input_naming_file_and_row() {
    let (code, _, stderr) = jixiao(&[
        "import",
        "tests/fixtures/malformed/non-numeric-budget.tsv",
        "--year",
        "2021",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("non-numeric-budget.tsv 第 6 行 D 列"), "{stderr}");
}
