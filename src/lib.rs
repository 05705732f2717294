//! jixiao (绩效): a rule engine that scores 项目支出绩效自评表 (project expenditure performance
//! self-evaluation forms).
//!
//! The folders follow the flow of data, each depending only on the ones before it:
//!
//! 1. [`model`]: the shared vocabulary — the evaluation document, findings, decision records,
//!    exact decimal text.
//! 2. [`ingest`]: forms in — JSON input, spreadsheet import, the document schema, validation.
//! 3. [`script`]: the sandboxed Rhai engine, its host functions and the native fast paths.
//! 4. [`policy`]: rule-set folders (TOML + Rhai) read, checked and selected per document.
//! 5. [`engine`]: one document under one rule set — text grammar, scoring, reviewer checks,
//!    reviewer decisions, and explanations of every number.
//! 6. [`report`]: results out — tables, csv, xlsx, html, schemas, atomic output files.
//! 7. [`runs`]: work over many documents or rule-set folders — batch runs, baselines,
//!    comparisons, a rule set's own tests, editor workflows, generated corpora.
//! 8. [`serve`]: the local browser workbench (`jixiao serve`) — pages over all of the above,
//!    computing nothing itself.
//!
//! The command line (`src/cli/`, one file per command) sits on top, in the binary.

pub mod engine;
pub mod ingest;
pub mod model;
pub mod policy;
pub mod report;
pub mod runs;
pub mod script;
pub mod serve;
