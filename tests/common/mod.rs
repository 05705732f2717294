//! Helpers shared by the integration tests: running the `jixiao` binary, and fixtures for the
//! import tests. Not every test file uses every helper, hence `allow(dead_code)`.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use jixiao::document::CellPos;
use jixiao::import::{Grid, ImportError, ImportOptions, ImportedForm, grid, import_forms};

/// The `jixiao` binary built for these tests, as a command run from the crate root (so fixture
/// paths such as `tests/fixtures/forms/shenzhen-seed.tsv` resolve).
pub fn jixiao_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jixiao"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// Runs a command to completion: its exit code (-1 when killed by a signal), stdout and stderr.
pub fn run_command(command: &mut Command) -> (i32, String, String) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `jixiao ARGS` from the crate root: exit code, stdout, stderr.
pub fn jixiao(args: &[&str]) -> (i32, String, String) {
    run_command(jixiao_command().args(args))
}

/// Path of a fixture under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// Reads a fixture's bytes.
pub fn fixture_bytes(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap()
}

/// Grids of a fixture, read by its extension.
pub fn grids(rel: &str) -> Vec<Grid> {
    let name = Path::new(rel).file_name().unwrap().to_string_lossy().into_owned();
    grid::read_grids(&name, &fixture_bytes(rel)).unwrap()
}

/// Imports each form of a fixture; forms that do not state their year are imported with
/// `fallback_year` (as a user passing `--year` for them would).
pub fn forms_with_fallback(file: &str, grids: &[Grid], fallback_year: i32) -> Vec<ImportedForm> {
    let opts = ImportOptions::default();
    let first = import_forms(file, grids, &opts).unwrap();
    let again = import_forms(
        file,
        grids,
        &ImportOptions {
            default_year: None,
            year: Some(fallback_year),
            ..opts
        },
    )
    .unwrap();
    first
        .into_iter()
        .zip(again)
        .map(|(a, b)| match a {
            Ok(f) => f,
            Err(e) if e.kind() == Some(jixiao::import::ErrorKind::MissingYear) => b.unwrap(),
            Err(e) => panic!("{e}"),
        })
        .collect()
}

/// The non-empty cells of rows `first..=last` (1-based) of the grid the form came from.
pub fn non_empty_cells(grids: &[Grid], form: &ImportedForm) -> BTreeSet<CellPos> {
    let source = form.document.source.as_ref().unwrap();
    let grid = grids.iter().find(|g| g.sheet == source.sheet).unwrap();
    let mut out = BTreeSet::new();
    for r in source.first_row..=source.last_row {
        let row = &grid.rows[(r - 1) as usize];
        for (c, text) in row.iter().enumerate() {
            if !text.trim().is_empty() {
                out.insert(CellPos {
                    row: r,
                    column: c as u32 + 1,
                });
            }
        }
    }
    out
}

/// Nothing dropped: consumed and unmapped cells partition the form's non-empty cells, and every
/// provenance entry points at a non-empty cell of the form.
pub fn assert_nothing_dropped(grids: &[Grid], form: &ImportedForm) {
    let all = non_empty_cells(grids, form);
    let consumed: BTreeSet<CellPos> = form.consumed.iter().copied().collect();
    assert_eq!(consumed.len(), form.consumed.len(), "a cell was consumed twice");
    let unmapped: BTreeSet<CellPos> = form.document.unmapped.iter().map(|u| u.at).collect();
    assert_eq!(
        unmapped.len(),
        form.document.unmapped.len(),
        "a cell was listed twice as unmapped"
    );
    assert!(consumed.is_disjoint(&unmapped), "a cell is both consumed and unmapped");
    let union: BTreeSet<CellPos> = consumed.union(&unmapped).copied().collect();
    assert_eq!(
        union, all,
        "consumed + unmapped must be exactly the non-empty cells of {}",
        form.document.id
    );
    assert_eq!(all.len(), form.consumed.len() + form.document.unmapped.len());
    for (pointer, at) in &form.document.provenance {
        assert!(
            all.contains(at),
            "{pointer} points at {at}, which is not a non-empty cell of the form"
        );
    }
}

/// The seed file's text.
pub fn seed_text() -> String {
    String::from_utf8(fixture_bytes("forms/shenzhen-seed.tsv")).unwrap()
}

/// Renders an import error for snapshots.
pub fn show(e: &ImportError) -> String {
    format!("{:?}: {e}", e.kind())
}
