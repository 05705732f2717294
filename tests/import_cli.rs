//! `jixiao import` through the binary: a folder of documents or JSON Lines, the per-form report
//! of realigned rows, and exit codes.

use crate::common::jixiao;

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
fn a_damaged_form_imports_and_names_its_problem_at_the_cell() {
    let (code, stdout, stderr) = jixiao(&[
        "import",
        "tests/fixtures/import-issues/non-numeric-budget.tsv",
        "--year",
        "2021",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1);
    assert!(stderr.contains("D6：全年预算数 \"abc\" 不是数字，未读取"), "{stderr}");
}

#[test]
fn a_pdf_is_refused_saying_that_ocr_is_out_of_scope() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["form.pdf", "scan.tsv"] {
        let path = dir.path().join(name);
        std::fs::write(&path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n").unwrap();
        let (code, _, stderr) = jixiao(&["import", path.to_str().unwrap(), "--year", "2021"]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("OCR 不在本工具范围内"), "{name}: {stderr}");
    }
}

#[test]
fn json_lines_are_the_documents_of_the_whole_file_import_in_file_order() {
    // 20 copies of the seed with distinct names, except copy 7 repeating copy 6: every good form
    // is written as it is read, each duplicate reported by row, and the run exits 2.
    let seed = std::fs::read_to_string("tests/fixtures/forms/shenzhen-seed.tsv").unwrap();
    let text = (0..20)
        .map(|i| seed.replace("项目名称\t", &format!("项目名称\t{}-", if i == 7 { 6 } else { i })))
        .collect::<Vec<_>>()
        .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.tsv");
    std::fs::write(&path, &text).unwrap();
    let path_text = path.to_str().unwrap();
    let (code, stdout, stderr) = jixiao(&["import", path_text, "--year", "2021", "-o", "-"]);
    let opts = jixiao::ingest::import::ImportOptions {
        year: Some(2021),
        ..Default::default()
    };
    let expected = jixiao::ingest::import::import_bytes_each(path_text, text.as_bytes(), &opts).unwrap();
    let good: Vec<_> = expected.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(good.len(), 171);
    let written: Vec<jixiao::model::document::EvaluationDocument> =
        stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(written.len(), good.len());
    assert!(written.iter().zip(&good).all(|(a, b)| a == *b));
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.matches("开始的表编号相同").count(), 9, "{stderr}");
    assert!(stderr.contains("共导入 171 张表"), "{stderr}");
}

#[test]
fn a_long_project_name_and_a_repeated_id_still_write_every_form() {
    // Before: "File name too long" after about 80 Chinese characters stopped the run, and two
    // forms with one id wrote one file over the other.
    let seed = std::fs::read_to_string(crate::common::fixture("forms/shenzhen-seed.tsv")).unwrap();
    let long = "很长的项目名称".repeat(20);
    let text = seed
        .replacen("项目名称\t档案整理", &format!("项目名称\t{long}"), 1)
        .replacen("项目名称\t电子政务运维", &format!("项目名称\t{long}\u{1b}"), 1);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("forms.tsv");
    let again = dir.path().join("again.tsv");
    std::fs::write(&input, &text).unwrap();
    std::fs::write(&again, &text).unwrap();
    let out = dir.path().join("docs");
    let (code, _, stderr) = jixiao(&[
        "import",
        input.to_str().unwrap(),
        again.to_str().unwrap(),
        "--default-year",
        "2020",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr.matches("本次已写过一次").count(), 9, "{stderr}");
    let files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 18, "every form written: {files:?}");
    for f in &files {
        assert!(f.len() <= 255, "{f}");
        assert!(!f.chars().any(char::is_control), "{f:?}");
    }
    let long_ones: Vec<&String> = files.iter().filter(|f| f.contains("很长的项目名称")).collect();
    assert_eq!(long_ones.len(), 4, "{long_ones:?}");
    assert!(files.iter().any(|f| f.ends_with("-2.json")), "{files:?}");
}

/// Issue 15 item 5: `import` takes folders and quoted globs as `score` does; evaluation
/// documents found in a folder (an earlier import's output) are left out, said once; a folder
/// with no form is an error.
#[test]
fn import_takes_folders_and_globs_as_score_does() {
    let (code, stdout, stderr) = jixiao(&["import", "tests/fixtures/form-variants", "--default-year", "2022"]);
    assert_eq!(code, 0, "{stderr}");
    let from_folder = stdout.lines().count();
    assert!(from_folder >= 5, "{stderr}");
    let (code, stdout, stderr) = jixiao(&["import", "tests/fixtures/form-variants/*.tsv", "--default-year", "2022"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), from_folder);

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("docs");
    let (code, _, stderr) = jixiao(&[
        "import",
        "tests/fixtures/forms/shenzhen-seed.tsv",
        "--default-year",
        "2020",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = jixiao(&["import", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("文件夹中的 9 个评价文档（.json/.jsonl）未读取"),
        "{stderr}"
    );
    assert!(stderr.contains("没有可导入的自评表"), "{stderr}");
}
