//! Glob patterns as inputs, expanded by jixiao itself (Windows shells do not expand them, and a
//! quoted `'forms/**/*.tsv'` must work anywhere): sorted, deterministic, files only; a pattern
//! that matches nothing is a clear error (exit 2); an existing file whose name contains `[` is
//! taken as it is.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{self, jixiao};

/// Writes the minimal fixture document under `dir/rel` with its id replaced by `id`.
fn document(dir: &Path, rel: &str, id: &str) -> PathBuf {
    let text = std::fs::read_to_string(common::fixture("documents/minimal.json")).unwrap();
    let original: Value = serde_json::from_str(&text).unwrap();
    let old_id = original["id"].as_str().unwrap();
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text.replacen(old_id, id, 1)).unwrap();
    path
}

/// Document ids of a `--format json` score report, in report order.
fn ids(stdout: &str) -> Vec<String> {
    let cards: Vec<Value> = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    cards.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

/// A small tree: `b.json` and `a.json` at the top, `sub/c.json`, `sub/deeper/d.json`, and a
/// file jixiao would not read.
fn tree() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    document(tmp.path(), "forms/b.json", "文档B");
    document(tmp.path(), "forms/a.json", "文档A");
    document(tmp.path(), "forms/sub/c.json", "文档C");
    document(tmp.path(), "forms/sub/deeper/d.json", "文档D");
    std::fs::write(tmp.path().join("forms/notes.txt.bak"), "不是表格").unwrap();
    tmp
}

fn score(pattern: &str) -> (i32, String, String) {
    jixiao(&["score", pattern, "--format", "json", "--fail-on", "never"])
}

#[test]
fn a_quoted_recursive_glob_is_expanded_sorted_by_path() {
    let tmp = tree();
    let pattern = format!("{}/forms/**/*.json", tmp.path().display());
    let (code, stdout, stderr) = score(&pattern);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&stdout), ["文档A", "文档B", "文档C", "文档D"]);
    // The same as listing the files in that order, byte for byte.
    let forms = tmp.path().join("forms");
    let listed: Vec<String> = ["a.json", "b.json", "sub/c.json", "sub/deeper/d.json"]
        .iter()
        .map(|f| forms.join(f).display().to_string())
        .collect();
    let mut args = vec!["score", "--format", "json", "--fail-on", "never"];
    args.extend(listed.iter().map(String::as_str));
    let (_, by_hand, _) = jixiao(&args);
    assert_eq!(stdout, by_hand);
}

#[test]
fn star_stays_within_one_folder_and_question_mark_and_brackets_match_one_character() {
    let tmp = tree();
    let forms = tmp.path().join("forms");
    let (code, stdout, stderr) = score(&format!("{}/*.json", forms.display()));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&stdout), ["文档A", "文档B"]);
    let (_, stdout, _) = score(&format!("{}/?.json", forms.display()));
    assert_eq!(ids(&stdout), ["文档A", "文档B"]);
    let (_, stdout, _) = score(&format!("{}/[b].json", forms.display()));
    assert_eq!(ids(&stdout), ["文档B"]);
    let (_, stdout, _) = score(&format!("{}/*/c.json", forms.display()));
    assert_eq!(ids(&stdout), ["文档C"]);
}

#[test]
fn a_relative_glob_is_expanded_from_the_working_directory() {
    // From the crate root, as users type it.
    let (code, stdout, stderr) = jixiao(&["validate", "tests/fixtures/documents/*.json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("共 1 个文档有效"), "{stderr}");
}

#[test]
fn a_glob_matching_nothing_is_a_chinese_error_naming_it() {
    let tmp = tree();
    let pattern = format!("{}/forms/**/*.xlsx", tmp.path().display());
    for command in ["score", "explain", "validate"] {
        let (code, _, stderr) = jixiao(&[command, &pattern]);
        assert_eq!(code, 2, "{command}: {stderr}");
        assert!(
            stderr.contains(&format!("通配符 {pattern} 没有匹配到任何文件")),
            "{command}: {stderr}"
        );
    }
    // One pattern matching nothing fails the run even when another input is fine.
    let good = format!("{}/forms/a.json", tmp.path().display());
    let (code, _, stderr) = jixiao(&["score", &good, &pattern]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn an_invalid_pattern_is_reported() {
    let tmp = tree();
    let pattern = format!("{}/forms/[a.json", tmp.path().display());
    let (code, _, stderr) = score(&pattern);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("不是有效的通配符"), "{stderr}");
    assert!(stderr.contains(&pattern), "{stderr}");
}

#[test]
fn an_existing_file_with_a_bracket_in_its_name_is_taken_as_it_is() {
    let tmp = tree();
    // As a pattern, `[1]` would match a file named `表1.json`; that file exists too, but the
    // argument names an existing file, which wins.
    document(tmp.path(), "forms/表1.json", "按通配符匹配的文档");
    let literal = document(tmp.path(), "forms/表[1].json", "名字带方括号的文档");
    let (code, stdout, stderr) = score(literal.to_str().unwrap());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&stdout), ["名字带方括号的文档"]);
}

#[test]
fn globs_work_for_diff_and_run() {
    let tmp = tree();
    let pattern = format!("{}/forms/sub/**/*.json", tmp.path().display());
    let (code, stdout, stderr) = jixiao(&[
        "diff",
        "--from",
        "shenzhen-2020",
        "--to",
        "shenzhen-2020",
        &pattern,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("文档C") && stdout.contains("文档D"), "{stdout}");
    assert!(!stdout.contains("文档A"), "{stdout}");

    let baseline = tmp.path().join("baseline");
    let (code, _, stderr) = jixiao(&["run", &pattern, "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let current = jixiao::runs::baseline::store::current_folder(&baseline)
        .unwrap()
        .unwrap();
    let results = std::fs::read_to_string(current.join("results.jsonl")).unwrap();
    let recorded: Vec<String> = results
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(recorded, ["文档C", "文档D"]);
}

#[test]
fn links_back_up_the_tree_end_the_walk_and_each_file_is_read_once() {
    // Before: `self -> .` scored a form 41 times, `up -> ..` never ended, and a file named twice
    // was scored twice without a word.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("forms");
    document(&root, "a.json", "doc-a");
    document(&root, "sub/b.json", "doc-b");
    std::os::unix::fs::symlink(".", root.join("self")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("b.json", root.join("sub/alias.json")).unwrap();
    let root_text = root.to_str().unwrap();
    let a = root.join("a.json");
    let (code, stdout, stderr) = jixiao(&["score", root_text, a.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&stdout), ["doc-a", "doc-b"], "{stderr}");
    assert!(stderr.contains("链接回上层文件夹"), "{stderr}");
    assert_eq!(stderr.matches("是同一个文件，只读取一次").count(), 2, "{stderr}");
}
