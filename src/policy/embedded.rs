//! The rule sets shipped in `rules/`, compiled into the binary so it works with no files
//! around it (the layout files in `rules/layouts/` are embedded by [`crate::ingest::layout`]).

use include_dir::{Dir, include_dir};

use super::{RuleSetFiles, RuleSetOrigin};

static RULES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// Ids of every embedded rule set, sorted. `rules/layouts/` holds the layout files
/// ([`crate::ingest::layout`]), not a rule set: a rule set is a folder with a `policy.toml`.
pub fn ids() -> Vec<&'static str> {
    let mut ids: Vec<&str> = RULES
        .dirs()
        .filter(|d| d.get_file(d.path().join(super::POLICY_FILE)).is_some())
        .filter_map(|d| d.path().file_name().and_then(|n| n.to_str()))
        .collect();
    ids.sort_unstable();
    ids
}

/// The files of the embedded rule set `id` (its `policy.toml` and scripts; not its tests).
pub fn files(id: &str) -> Option<RuleSetFiles> {
    let dir = RULES.get_dir(id)?;
    let mut files: Vec<(String, String)> = dir
        .files()
        .filter_map(|f| {
            let name = f.path().file_name()?.to_str()?.to_owned();
            let text = f.contents_utf8()?.to_owned();
            (name.ends_with(".toml") || name.ends_with(".rhai")).then_some((name, text))
        })
        .collect();
    files.sort();
    Some(RuleSetFiles {
        origin: RuleSetOrigin::Embedded,
        name: id.to_owned(),
        files,
    })
}

/// The editor-written test cases of the embedded rule set `id` (`tests/*.toml`), by file name.
pub fn test_files(id: &str) -> Vec<(String, String)> {
    let Some(dir) = RULES.get_dir(format!("{id}/tests")) else {
        return Vec::new();
    };
    let mut files: Vec<(String, String)> = dir
        .files()
        .filter_map(|f| {
            Some((
                f.path().file_name()?.to_str()?.to_owned(),
                f.contents_utf8()?.to_owned(),
            ))
        })
        .filter(|(n, _)| n.ends_with(".toml"))
        .collect();
    files.sort();
    files
}
