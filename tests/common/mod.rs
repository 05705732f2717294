//! Helpers shared by the integration tests: running the `jixiao` binary, fixtures for the
//! import tests, and the outcome check of an import (a located error, or documents that
//! validate and score).

pub mod workbench;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use jixiao::engine::scoring::score_document;
use jixiao::ingest::import::{ErrorKind, Grid, ImportError, ImportOptions, ImportedForm, grid, import_forms};
use jixiao::ingest::validate::DocumentValidator;
use jixiao::model::document::{CellPos, EvaluationDocument};
use jixiao::policy::select::{Catalogue, SelectError, SelectionCache};

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

/// Runs a command like [`run_command`], failing the test (after killing it) when it has not
/// finished within `limit`: for inputs that once made a command hang.
pub fn run_command_within(command: &mut Command, limit: std::time::Duration) -> (i32, String, String) {
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    // Both pipes are drained while waiting: a command that writes more than a pipe holds
    // (64 KB) would otherwise block on a full pipe and never finish.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    (
        status.code().unwrap_or(-1),
        stdout.join().unwrap(),
        stderr.join().unwrap(),
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
            Err(e) if e.kind() == Some(jixiao::ingest::import::ErrorKind::MissingYear) => b.unwrap(),
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

/// Kinds that concern the whole file, where no row can be named.
pub fn file_level(kind: Option<ErrorKind>) -> bool {
    matches!(
        kind,
        Some(ErrorKind::Empty | ErrorKind::UnsupportedFormat | ErrorKind::Workbook | ErrorKind::NoForm) | None
    )
}

/// Asserts that an import error is located: its text starts with the file name, and names the
/// row (“第 N 行”, the row of its location) unless its kind concerns the whole file.
pub fn assert_located(file: &str, e: &ImportError) {
    let text = e.to_string();
    assert!(
        text.starts_with(file),
        "{file}: the error does not start with the file: {text}"
    );
    if !file_level(e.kind()) {
        let row = e
            .location()
            .row()
            .unwrap_or_else(|| panic!("{file}: {:?} error without a row: {text}", e.kind()));
        assert!(
            text.contains(&format!(" 第 {row} 行")),
            "{file}: the text does not name row {row}: {text}"
        );
    }
}

thread_local! {
    /// The embedded rule sets and the selection cache, loaded once per test thread.
    static RULES: RefCell<(Catalogue, SelectionCache)> =
        RefCell::new((Catalogue::embedded().unwrap(), SelectionCache::default()));
}

/// Asserts that an imported document is what `jixiao import` would write and `jixiao score`
/// would accept: serialized to JSON it validates against the evaluation schema and reads back
/// unchanged, and it scores without error under the embedded rule set its year and region
/// select. A year and region no rule set covers is the one allowed failure (the user sees “no
/// rule set” from `score`, not a broken document), and only when truly no set covers them.
pub fn assert_document_validates_and_scores(file: &str, doc: &EvaluationDocument) {
    let value = serde_json::to_value(doc).unwrap();
    let back = DocumentValidator::shared()
        .unwrap()
        .check(&value)
        .unwrap_or_else(|problems| panic!("{file}: {} fails the schema: {problems:?}\n{value:#}", doc.id));
    assert_eq!(&back, doc, "{file}: {} reads back differently", doc.id);
    RULES.with_borrow_mut(
        |(catalogue, cache)| match cache.select(catalogue, doc.year, doc.region.as_deref()) {
            Ok(rules) => {
                let card = score_document(&rules, doc)
                    .unwrap_or_else(|e| panic!("{file}: {} does not score under {}: {e}", doc.id, rules.id));
                assert_eq!(card.id, doc.id);
                assert_eq!(card.ruleset, rules.id);
                for f in &card.findings {
                    assert_eq!(f.document, doc.id, "{file}: a finding names another document");
                }
            }
            Err(SelectError::NotCovered { .. }) => assert!(
                !catalogue.sets().iter().any(|s| s.years.covers(doc.year)
                    && match doc.region.as_deref() {
                        Some(r) => s.region.as_deref() == Some(r),
                        None => s.region.is_none() && s.default_for_national,
                    }),
                "{file}: {} ({}, {:?}) selects no rule set although one covers it",
                doc.id,
                doc.year,
                doc.region
            ),
            Err(e) => panic!("{file}: {}: {e}", doc.id),
        },
    );
}

/// Asserts every outcome of importing `file`: an error is located ([`assert_located`]); the
/// documents of a success each validate and score ([`assert_document_validates_and_scores`]).
/// With the file's `grids`, the same import form by form agrees with the whole-file result, and
/// every form it reads — also those of a file that fails as a whole because of another form —
/// validates, scores and keeps nothing dropped ([`assert_nothing_dropped`]), and every form that
/// fails is located. Returns the result for more specific checks.
pub fn assert_import_outcome(
    file: &str,
    result: Result<Vec<EvaluationDocument>, ImportError>,
    grids: Option<&[Grid]>,
    opts: &ImportOptions,
) -> Result<Vec<EvaluationDocument>, ImportError> {
    match &result {
        Err(e) => assert_located(file, e),
        Ok(docs) => {
            assert!(!docs.is_empty(), "{file}: imported no document and gave no error");
            if grids.is_none() {
                for doc in docs {
                    assert_document_validates_and_scores(file, doc);
                }
            }
        }
    }
    let Some(grids) = grids else {
        return result;
    };
    match import_forms(file, grids, opts) {
        Ok(forms) => {
            for form in &forms {
                match form {
                    Ok(form) => {
                        assert_nothing_dropped(grids, form);
                        assert_document_validates_and_scores(file, &form.document);
                    }
                    Err(e) => assert_located(file, e),
                }
            }
            if let Ok(docs) = &result {
                let read: Vec<&EvaluationDocument> = forms
                    .iter()
                    .map(|f| &f.as_ref().unwrap_or_else(|e| panic!("{file}: {e}")).document)
                    .collect();
                assert_eq!(read, docs.iter().collect::<Vec<_>>(), "{file}: form by form differs");
            }
        }
        Err(e) => {
            assert_located(file, &e);
            assert!(result.is_err(), "{file}: imported whole, but form by form fails: {e}");
        }
    }
    result
}

/// The folder of `shenzhen-2020` as it was before it extended `cn-mof-2020`: one standalone set
/// (policy, formulas, checks) for the tests that patch a rule set's text to break it.
pub fn standalone_shenzhen_dir() -> PathBuf {
    fixture("rulesets/standalone/shenzhen-2020")
}

/// [`standalone_shenzhen_dir`]'s files as if embedded (named `shenzhen-2020`).
pub fn standalone_shenzhen() -> jixiao::policy::RuleSetFiles {
    let mut files = jixiao::policy::RuleSetFiles::read_folder(&standalone_shenzhen_dir()).unwrap();
    files.origin = jixiao::policy::RuleSetOrigin::Embedded;
    files
}
