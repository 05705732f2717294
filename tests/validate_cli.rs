//! `jixiao validate` through the binary: exit codes and every problem listed with file,
//! line and JSON pointer.

use crate::common::{self, jixiao};

#[test]
fn a_valid_document_passes() {
    let (code, _, stderr) = jixiao(&["validate", "tests/fixtures/documents/minimal.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("共 1 个文档有效，0 处问题"), "{stderr}");
}

#[test]
fn every_problem_is_listed_with_file_line_and_pointer() {
    let (code, _, stderr) = jixiao(&["validate", "tests/fixtures/documents/invalid-several.jsonl"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_missing_file_is_bad_input() {
    let (code, _, stderr) = jixiao(&["validate", "tests/fixtures/documents/no-such-file.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-file.json"), "{stderr}");
}

/// Regression: a JSON Lines file saved with a UTF-8 byte-order mark (Windows Notepad writes
/// one) had its first document reported as “不是合法的 JSON”.
#[test]
fn a_json_lines_file_with_a_bom_validates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.jsonl");
    let minimal: serde_json::Value = serde_json::from_slice(&common::fixture_bytes("documents/minimal.json")).unwrap();
    let line = serde_json::to_string(&minimal).unwrap();
    std::fs::write(&path, format!("\u{feff}{line}\r\n")).unwrap();
    let (code, _, stderr) = jixiao(&["validate", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("共 1 个文档有效，0 处问题"), "{stderr}");
}

#[test]
fn a_json_lines_line_that_is_not_utf8_is_one_bad_document_everywhere() {
    // Before: `validate` and the table format refused the whole file for one bad byte, while
    // `--format jsonl` rejected only that line.
    let minimal: serde_json::Value = serde_json::from_slice(&common::fixture_bytes("documents/minimal.json")).unwrap();
    let line = |id: &str| {
        let mut doc = minimal.clone();
        doc["id"] = id.into();
        serde_json::to_string(&doc).unwrap().into_bytes()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docs.jsonl");
    let mut bytes = line("a");
    bytes.extend_from_slice(b"\n{\"id\": \"\xff\"}\n");
    bytes.extend(line("c"));
    bytes.push(b'\n');
    std::fs::write(&path, bytes).unwrap();
    let path = path.to_str().unwrap();
    let (code, _, stderr) = jixiao(&["validate", path]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("第2行") && stderr.contains("UTF-8"), "{stderr}");
    assert!(stderr.contains("共 2 个文档有效"), "{stderr}");
    for format in ["json", "jsonl"] {
        let (code, stdout, stderr) = jixiao(&["score", path, "--format", format]);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stdout.contains("\"a\"") && stdout.contains("\"c\""),
            "{format}: {stdout}"
        );
        assert!(stderr.contains("UTF-8"), "{stderr}");
    }
}
