//! What `validate` and `score` (table, JSON and JSON Lines formats alike) refuse in an
//! evaluation document, with the place and a Chinese reason: a key repeated within one object
//! (JSON keeps only the last, silently), a format version this jixiao does not know, numbers
//! beyond an exact decimal's range (said to be out of range, not "not a decimal").

use crate::common::jixiao;

const DIR: &str = "tests/fixtures/strict-documents";

/// `validate`, then `score` in three formats: each exit code and stderr.
fn every_reader(file: &str) -> Vec<(String, i32, String, String)> {
    let path = format!("{DIR}/{file}");
    let mut out = Vec::new();
    let (code, stdout, stderr) = jixiao(&["validate", &path]);
    out.push(("validate".to_owned(), code, stdout, stderr));
    for format in ["table", "json", "jsonl"] {
        let (code, stdout, stderr) = jixiao(&["score", &path, "--format", format]);
        out.push((format!("score --format {format}"), code, stdout, stderr));
    }
    out
}

/// Before: `{"id": "first-id", "id": "…"}` was read as the second id, silently.
#[test]
fn a_key_repeated_in_one_object_is_refused_with_its_pointer() {
    for (how, code, _, stderr) in every_reader("repeated-id-key.json") {
        assert_eq!(code, 2, "{how}: {stderr}");
        assert!(stderr.contains("重复的键：/id"), "{how}: {stderr}");
    }
    // In an array file, only the element with the repeated key is refused, named by position
    // and by the pointer inside it.
    for (how, code, stdout, stderr) in every_reader("repeated-key-in-second.json") {
        assert_eq!(code, 2, "{how}: {stderr}");
        assert!(
            stderr.contains("第2个文档") && stderr.contains("重复的键：/funds/total/executed"),
            "{how}: {stderr}"
        );
        if how.starts_with("score") {
            assert!(
                stdout.contains("2020-0102013-档案整理") && !stdout.contains("second"),
                "{how}"
            );
        }
    }
    // A repeated key in a map of the document (provenance) on the fast path of JSON Lines.
    for (how, code, stdout, stderr) in every_reader("repeated-provenance.jsonl") {
        assert_eq!(code, 2, "{how}: {stderr}");
        assert!(
            stderr.contains("第2行") && stderr.contains("重复的键：/provenance/~1project~1name"),
            "{how}: {stderr}"
        );
        if how.starts_with("score") {
            assert!(stdout.contains("p1") && !stdout.contains("\"p2\""), "{how}: {stdout}");
        }
    }
}

/// Before: any `format` string was accepted and the document read as version 1.
#[test]
fn a_format_version_jixiao_does_not_know_is_refused() {
    for (how, code, stdout, stderr) in every_reader("format-2.json") {
        assert_eq!(code, 2, "{how}: {stderr}");
        assert!(
            stderr.contains("/format") && stderr.contains("\"jixiao.evaluation/2\" 不是这一版 jixiao 认识的文档格式"),
            "{how}: {stderr}"
        );
        assert!(!stdout.contains("档案整理"), "{how}: not scored");
    }
}

/// Before: "1e308" was "不是合法的小数" (a string) or to be written "1e+308" (a number, which
/// would then be refused as not a decimal).
#[test]
fn numbers_beyond_an_exact_decimal_are_out_of_range() {
    for file in ["exponent-string.json", "exponent-number.json"] {
        for (how, code, _, stderr) in every_reader(file) {
            assert_eq!(code, 2, "{file} {how}: {stderr}");
            assert!(
                stderr.contains("/funds/total/executed") && stderr.contains("超出可接受的范围"),
                "{file} {how}: {stderr}"
            );
        }
    }
    // In range, an exponent is refused with the plain decimal to write instead.
    let (code, _, stderr) = jixiao(&["validate", &format!("{DIR}/exponent-in-range.json")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("科学记数法，请写成普通小数 \"870000\""), "{stderr}");
}

/// A UTF-8 byte-order mark (Windows Notepad writes one) is accepted before a `.json` document
/// and before the first line of a `.jsonl` file, by every reader.
#[test]
fn a_byte_order_mark_is_accepted_in_json_and_json_lines() {
    let minimal = std::fs::read_to_string("tests/fixtures/documents/minimal.json").unwrap();
    let line: serde_json::Value = serde_json::from_str(&minimal).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bom.json");
    let lines = dir.path().join("bom.jsonl");
    std::fs::write(&json, format!("\u{feff}{minimal}")).unwrap();
    std::fs::write(&lines, format!("\u{feff}{line}\n")).unwrap();
    for path in [&json, &lines] {
        let path = path.to_str().unwrap();
        let (code, _, stderr) = jixiao(&["validate", path]);
        assert_eq!(code, 0, "{path}: {stderr}");
        for format in ["table", "jsonl"] {
            let (code, stdout, stderr) = jixiao(&["score", path, "--format", format]);
            assert!(code <= 1, "{path} {format}: {stderr}");
            assert!(stdout.contains("档案整理"), "{path} {format}: {stdout}");
        }
    }
}
