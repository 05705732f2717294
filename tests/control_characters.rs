//! Control characters that forms and documents may hold (ESC starts a terminal sequence, BEL
//! rings, C1 U+009B is a one-character ESC [) are shown — ␛, ␇, � — and never reach the
//! terminal, a text report or a file name raw. The documents themselves keep the text as it is.

use crate::common::{jixiao, jixiao_command, run_command};

const DIR: &str = "tests/fixtures/control-characters";

fn acting(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
}

/// Before: the project name's ESC [31m turned the terminal red in `score`'s table and in every
/// text report.
#[test]
fn text_reports_show_control_characters_instead_of_acting() {
    for format in ["table", "markdown", "csv", "html"] {
        let (code, stdout, stderr) = jixiao(&["score", &format!("{DIR}/escapes.json"), "--format", format]);
        assert!(code <= 1, "{format}: {stderr}");
        assert!(!acting(&stdout), "{format}: {stdout:?}");
        assert!(stdout.contains("档案整理␛[31m红字␇"), "{format}: {stdout}");
    }
    // JSON keeps the text, escaped.
    let (_, stdout, _) = jixiao(&["score", &format!("{DIR}/escapes.json"), "--format", "json"]);
    assert!(stdout.contains("\\u001b[31m红字\\u0007"), "{stdout}");
    // CSV keeps its CRLF line ends.
    let (_, stdout, _) = jixiao(&["score", &format!("{DIR}/escapes.json"), "--format", "csv"]);
    assert!(stdout.contains("\r\n"), "{stdout:?}");
}

/// Before: the id's ESC ] 0 ; … BEL (which sets a terminal's title) reached the terminal in the
/// repeated-id error.
#[test]
fn error_messages_show_control_characters_instead_of_acting() {
    for format in ["table", "jsonl"] {
        let (code, _, stderr) = jixiao(&["score", &format!("{DIR}/escapes-twice.jsonl"), "--format", format]);
        assert_eq!(code, 2, "{format}: {stderr}");
        assert!(!acting(&stderr), "{format}: {stderr:?}");
        assert!(stderr.contains("esc-␛]0;pwned␇-id"), "{format}: {stderr}");
    }
    let (code, _, stderr) = jixiao(&["validate", &format!("{DIR}/escapes-twice.jsonl")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!acting(&stderr) && stderr.contains("␛]0;pwned␇"), "{stderr:?}");
}

/// `import` notes each form on stderr and names each file after the document's id: neither
/// carries the project name's control characters.
#[test]
fn import_notes_and_file_names_show_no_control_characters() {
    let out = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_command(
        jixiao_command()
            .args(["import", &format!("{DIR}/form.tsv"), "--year", "2021", "-o"])
            .arg(out.path()),
    );
    assert!(code <= 1, "{stderr}");
    assert!(!acting(&stderr), "{stderr:?}");
    assert!(stderr.contains("档案␛[31m整理␇"), "{stderr}");
    let names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 9, "{names:?}");
    assert!(names.iter().all(|n| !acting(n)), "{names:?}");
    // The document keeps the name as the form has it.
    let name = names.iter().find(|n| n.contains("[31m")).unwrap();
    let doc = std::fs::read_to_string(out.path().join(name)).unwrap();
    assert!(doc.contains("档案\\u001b[31m整理\\u0007"), "{doc}");
}

/// A rule-set file with an ESC in it: `check` shows the line with the character replaced and
/// the caret still under the right place.
#[test]
fn diagnostics_show_control_characters_instead_of_acting() {
    let dir = tempfile::tempdir().unwrap();
    let source = crate::common::standalone_shenzhen_dir();
    for file in ["policy.toml", "formulas.rhai", "checks.rhai"] {
        std::fs::copy(source.join(file), dir.path().join(file)).unwrap();
    }
    let policy = dir.path().join("policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        text.replacen("[profile]", "# \u{1b}[2J\u{7}\n[profile]\nwrong = \u{1b}", 1),
    )
    .unwrap();
    let (code, stdout, stderr) = run_command(jixiao_command().arg("check").arg(dir.path()));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(!acting(&stdout) && !acting(&stderr), "{stdout:?}{stderr:?}");
    assert!(stdout.contains("# ?[2J?"), "{stdout}");
}
