//! jixiao's integration tests: one test binary (`cargo test --test tests`) whose modules are the
//! files beside this one, each opening with what it covers, sharing the helpers in `common`
//! (running the `jixiao` binary, fixtures, the outcome check of an import). Cargo builds no other
//! test target from `tests/` (`autotests = false` in Cargo.toml), so a new file needs its `mod`
//! line below, which the test at the end checks. Run one module with
//! `cargo test --test tests <module>::`. Fixtures are under `tests/fixtures/`, insta snapshots
//! under `tests/snapshots/` as `tests__<module>__<name>.snap`.
//!
//! - Import: forms and workbooks to documents; broken or hostile input never panics.
//! - Validation: the fast typed path judges documents as the JSON Schema does.
//! - Scoring: the seed forms, an independent oracle, native paths, checks, decisions, scripts,
//!   and explain showing the scorecard's numbers.
//! - Rule sets and layout files (through the binary): `check`, `test --require-coverage`, hostile
//!   scripts, editing, `--layouts`, and the one diagnostic every command prints for a broken rule
//!   set, layout file or decisions file.
//! - Commands (through the binary): the other subcommands and the report files they write.
//! - Generated files: the committed finding-code reference and schemas are up to date.
//! - Source tree: the library's folders use only earlier stages, and no modules form a cycle.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on the first surprise"
)]

mod common;

// Import.
mod archive_limits;
mod fuzz_regressions;
mod import_malformed;
mod import_perf;
mod import_regional;
mod import_seed;
mod import_stream;
mod import_xlsx;

// Validation.
mod document_inputs;
mod validate_fast_path;

// Scoring.
mod check_fixtures;
mod check_policy;
mod decisions;
mod explain_matches_scoring;
mod native_paths;
mod numeric_properties;
mod numeric_range;
mod oracle;
mod real_forms;
mod ruleset_files;
mod score_seed;
mod script_sandbox;

// Rule sets and layout files.
mod ast_reading;
mod check_layouts;
mod check_rulesets;
mod editor_workflow;
mod hostile_policy;
mod layouts_guide;
mod policy_guide;
mod rule_coverage;
mod ruleset_extends;
mod same_diagnostic;
mod scale;

// Commands.
mod baseline_cli;
mod baseline_reliability;
mod batch_cli;
mod cli_language;
mod control_characters;
mod explain_cli;
mod glob_inputs;
mod import_cli;
mod repeated_ids;
mod report_files;
mod report_html;
mod score_cli;
mod score_manifest;
mod serve_browser;
mod serve_http;
mod validate_cli;

// Generated files.
mod codes_doc;
mod schemas_fresh;

// Source tree.
mod architecture;

/// Cargo builds no target from the other files in `tests/` (`autotests = false`), so a file
/// without its `mod` line above would never be compiled or run: this names any such file.
#[test]
fn every_file_in_tests_is_a_module_of_this_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let declared = std::fs::read_to_string(dir.join("tests.rs")).unwrap();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let (Some(stem), Some("rs")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|e| e.to_str()),
        ) else {
            continue;
        };
        if stem != "tests" && !declared.lines().any(|line| line == format!("mod {stem};")) {
            missing.push(format!("tests/{stem}.rs"));
        }
    }
    assert!(
        missing.is_empty(),
        "not declared as `mod <name>;` in tests/tests.rs, so never run: {missing:?}"
    );
}
