//! `jixiao check` over broken rule sets: each fixture in `tests/fixtures/broken-rulesets/`
//! patches a copy of the standalone shenzhen-2020 (`tests/fixtures/rulesets/standalone`, the set
//! as it was before it extended cn-mof-2020) to break it one way; the rendered diagnostic (no
//! colour) is snapshot-tested and must point at the file and line. Adding a case = adding a file.

use std::path::Path;

use crate::common::jixiao_command;

#[derive(serde::Deserialize)]
struct Fixture {
    patch: Vec<Patch>,
}

#[derive(serde::Deserialize)]
struct Patch {
    file: String,
    find: String,
    replace: String,
}

fn check(dir: &Path) -> (i32, String) {
    let out = jixiao_command().arg("check").arg(dir).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn shipped_rule_sets_are_clean() {
    for id in jixiao::policy::embedded::ids() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").join(id);
        let (code, out) = check(&dir);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("0 个错误，0 个警告"), "{out}");
    }
}

#[test]
fn each_broken_rule_set_is_diagnosed_at_its_place() {
    let source = crate::common::standalone_shenzhen_dir();
    insta::glob!("fixtures/broken-rulesets/*.toml", |fixture_path| {
        let fixture: Fixture = toml::from_str(&std::fs::read_to_string(fixture_path).unwrap()).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        // Named as its id (shenzhen-2020), so no folder-name warning joins each diagnosis.
        let dir = tmp.path().join("shenzhen-2020");
        std::fs::create_dir(&dir).unwrap();
        for entry in std::fs::read_dir(&source).unwrap() {
            let entry = entry.unwrap();
            if entry.path().is_file() {
                std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
            }
        }
        for patch in &fixture.patch {
            let path = dir.join(&patch.file);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.contains(&patch.find),
                "{}: {} does not contain {:?}",
                fixture_path.display(),
                patch.file,
                patch.find
            );
            std::fs::write(&path, text.replacen(&patch.find, &patch.replace, 1)).unwrap();
        }
        let (code, out) = check(&dir);
        let expects_error = !out.contains("0 个错误");
        assert_eq!(code, if expects_error { 2 } else { 0 }, "{out}");
        assert!(out.contains("shenzhen-2020/"), "names the file: {out}");
        assert!(out.contains('│'), "shows the source excerpt: {out}");
        insta::assert_snapshot!(out);
    });
}

/// Issue 13 item 5: an editor's folder named otherwise than its `[ruleset] id` gets a warning at
/// the id (exit 0: the set still works).
#[test]
fn a_folder_named_otherwise_than_its_id_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("myset");
    std::fs::create_dir(&dir).unwrap();
    for entry in std::fs::read_dir(crate::common::standalone_shenzhen_dir()).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    let (code, out) = check(&dir);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("jixiao::policy::folder-name"), "{out}");
    assert!(out.contains("文件夹名“myset”与规则集编号“shenzhen-2020”不同"), "{out}");
    assert!(out.contains("myset/policy.toml:7:6"), "{out}");
}
