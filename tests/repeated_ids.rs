//! One rule for repeated document ids, whatever the input and the output format: within a run,
//! the first document with an id is scored; every later one is an error naming its own line and
//! the first one's, is not scored, and makes the run exit 2 (docs/reliability.md).

use crate::common::jixiao;

const REPEATED: &str = "tests/fixtures/repeated-ids/repeated.jsonl";
const ALSO_C: &str = "tests/fixtures/repeated-ids/also-c.json";

/// The ids of the scorecards in a report, in order: JSON Lines or a JSON array.
fn scored_ids(format: &str, stdout: &str) -> Vec<String> {
    let cards: Vec<serde_json::Value> = if format == "jsonl" {
        stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    } else {
        serde_json::from_str(stdout).unwrap()
    };
    cards.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

/// Before: `validate` and the table format refused line 3 and line 5, while `--format jsonl`
/// scored all three documents with id "a".
#[test]
fn a_repeated_id_in_json_lines_is_scored_once_in_every_format() {
    let (code, _, stderr) = jixiao(&["validate", REPEATED]);
    assert_eq!(code, 2, "{stderr}");
    for line in [3, 5] {
        assert!(
            stderr.contains(&format!(
                "{REPEATED} 第{line}行 /id：id \"a\" 重复：与 {REPEATED} 第1行 的文档相同"
            )),
            "{stderr}"
        );
    }
    for format in ["json", "jsonl"] {
        let (code, stdout, stderr) = jixiao(&["score", REPEATED, "--format", format]);
        assert_eq!(code, 2, "{format}: {stderr}");
        assert_eq!(scored_ids(format, &stdout), ["a", "b", "c"], "{format}: {stdout}");
        // The first one is the one scored.
        assert!(stdout.contains("第一个") && !stdout.contains("第二个"), "{format}");
        for line in [3, 5] {
            assert!(
                stderr.contains(&format!("第{line}行")) && stderr.contains(&format!("与 {REPEATED} 第1行 的文档相同")),
                "{format}: {stderr}"
            );
        }
    }
}

/// Ids are unique across the inputs of a run too: a document in a second file repeating an id
/// of the first is refused in both output formats, naming the first file's line.
#[test]
fn an_id_repeated_in_another_input_is_refused_in_every_format() {
    for format in ["json", "jsonl"] {
        let (code, stdout, stderr) = jixiao(&["score", REPEATED, ALSO_C, "--format", format]);
        assert_eq!(code, 2, "{format}: {stderr}");
        assert_eq!(scored_ids(format, &stdout), ["a", "b", "c"], "{format}: {stdout}");
        assert!(!stdout.contains("另一个文件"), "{format}");
        assert!(
            stderr.contains(ALSO_C) && stderr.contains(&format!("与 {REPEATED} 第4行 的文档相同")),
            "{format}: {stderr}"
        );
    }
}
