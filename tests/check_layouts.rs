//! Layout files through `jixiao check` and `--layouts`: the shipped layouts are clean, an
//! office's own file is checked together with them, and each broken file in
//! `tests/fixtures/broken-layouts/` (one mistake each, said in its first comment) is diagnosed at
//! its file:line:column — the rendered diagnostic (no colour) is snapshot-tested. Adding a case =
//! adding a file. Every command that imports prints the same diagnostic for a broken `--layouts`.

use crate::common::{jixiao, jixiao_command};

#[test]
fn shipped_layouts_and_an_offices_own_file_are_clean() {
    for path in [
        "rules/layouts",
        "rules/layouts/hubei.toml",
        "tests/fixtures/layouts/huangshi-library.toml",
    ] {
        let (code, out, err) = jixiao(&["check", path]);
        assert_eq!(code, 0, "{path}: {out}{err}");
        assert!(out.contains("格式文件：0 个错误，0 个警告"), "{path}: {out}");
    }
}

#[test]
fn each_broken_layout_is_diagnosed_at_its_place() {
    insta::glob!("fixtures/broken-layouts/*.toml", |path| {
        let rel = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let out = jixiao_command().args(["check", &rel]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let errors = !stdout.contains("0 个错误");
        assert_eq!(out.status.code(), Some(if errors { 2 } else { 0 }), "{stdout}");
        assert!(
            stdout.contains(&format!("[{rel}:")),
            "names the file with line and column: {stdout}"
        );
        assert!(stdout.contains('│'), "shows the source excerpt: {stdout}");
        insta::assert_snapshot!(stdout);
    });
}

#[test]
fn a_broken_layout_file_stops_every_command_that_imports_with_checks_diagnostic() {
    let broken = "tests/fixtures/broken-layouts/conflict-with-shipped.toml";
    let (_, checked, _) = jixiao(&["check", broken]);
    let form = "tests/fixtures/forms/central-2021.tsv";
    for command in [
        vec!["import", form, "--layouts", broken],
        vec!["score", form, "--layouts", broken],
        vec!["explain", form, "--layouts", broken],
    ] {
        let (code, stdout, stderr) = jixiao(&command);
        assert_eq!(code, 2, "{command:?}: {stderr}");
        assert!(stdout.is_empty(), "{command:?}: {stdout}");
        assert_eq!(stderr, checked, "{command:?}");
    }
}

#[test]
fn an_offices_layout_file_reads_its_own_labels() {
    let form = "tests/fixtures/layouts/hubei-huangshi-practice.tsv";
    let office = "tests/fixtures/layouts/huangshi-library.toml";
    // Without the office's file, its funds header 实际支出数(B) is no column: the form imports,
    // the cell and the amount under it are unmapped, and the budget execution has no rate.
    let (code, stdout, stderr) = jixiao(&["import", form, "-o", "-"]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let unmapped: Vec<&str> = doc["unmapped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["text"].as_str().unwrap())
        .collect();
    assert!(unmapped.contains(&"实际支出数(B)"), "{unmapped:?}");
    assert!(doc["funds"]["total"]["executed"].is_null(), "{}", doc["funds"]);
    assert!(stderr.contains("C9：资金表头“实际支出数(B)”无法识别"), "{stderr}");
    let (code, stdout, stderr) = jixiao(&["import", form, "--layouts", office, "-o", "-"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("实际支出数"), "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(doc["funds"]["total"]["executed"], "5", "{}", doc["funds"]);
    let last = doc["indicators"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["level2"].as_str(), last["name"].as_str()),
        (Some("读者"), Some("在网络上设置读者满意度调查"))
    );
    // Its own signature label and those of the family it extends: recorded as its layout.
    assert_eq!(doc["layout"]["family"], "huangshi-library");
    assert_eq!(doc["layout"]["signature"][0], "项目类别");
    assert!(
        doc["layout"]["signature"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "读者")
    );
    // A folder of layout files works the same.
    let (code, _, stderr) = jixiao(&["import", form, "--layouts", "tests/fixtures/layouts", "-o", "-"]);
    assert_eq!(code, 0, "{stderr}");
}
