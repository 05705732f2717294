//! Recording a baseline run: the one step `jixiao run --baseline` and the workbench
//! (`jixiao serve --baseline`) both take to write a new generation — creating the baseline on
//! the first run, approving the changes with a reason later — and the manifest that lets
//! `jixiao verify` replay it.
//!
//! [`record`] holds the baseline's exclusive lock for its whole read-compare-write: it reads
//! the current generation (a tampered or damaged baseline is refused, unchanged), refuses to
//! replace an existing baseline without a reason, and writes the next generation with
//! [`store::commit`] (atomic: the old generation stays current until the switch).

use std::collections::BTreeSet;
use std::path::Path;

use super::store::{self, BaselineError, BaselineLock, Generation, Update, read_current};
use super::{Approval, DocResult, compare, now_text, results_text};
use crate::policy::select::Catalogue;
use crate::runs::manifest::{Hashed, Manifest, current_directory, engine, ruleset_hash, sha256_hex};

/// What a baseline run read besides its rule sets: the files a manifest records for `verify`.
#[derive(Debug, Clone, Default)]
pub struct RunInputs {
    /// Input files with their hashes, in the order their documents were scored.
    pub inputs: Vec<Hashed>,
    /// `--rules` as given, if any.
    pub rules_option: Option<String>,
    /// Decisions files with their hashes.
    pub decisions: Vec<Hashed>,
    /// `--year`.
    pub year: Option<i32>,
    /// `--default-year`.
    pub default_year: Option<i32>,
    /// `--region`.
    pub region: Option<String>,
    /// The office's own layout files with their hashes.
    pub layouts: Vec<Hashed>,
}

impl RunInputs {
    /// The manifest of a baseline run that gave `results` from these inputs: the rule sets
    /// the results name, hashed from `catalogue`, and the hash of `results.jsonl`.
    pub fn manifest(self, catalogue: &Catalogue, results: &[DocResult]) -> Manifest {
        let used: BTreeSet<&str> = results.iter().map(|r| r.ruleset.as_str()).collect();
        Manifest {
            engine: engine(),
            inputs: self.inputs,
            rulesets: used.iter().map(|id| ruleset_hash(catalogue, id)).collect(),
            rules_option: self.rules_option,
            decisions: self.decisions,
            year: self.year,
            default_year: self.default_year,
            region: self.region,
            layouts: self.layouts,
            documents: results.len(),
            results_sha256: sha256_hex(results_text(results).as_bytes()),
            report: None,
            directory: current_directory(),
        }
    }
}

/// Why a recording was refused. Nothing was written in any case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The baseline folder could not be created.
    #[error("无法创建基线文件夹 {folder}：{reason}")]
    Create {
        /// The folder.
        folder: String,
        /// Why.
        reason: String,
    },
    /// The baseline could not be locked or read (tampered, damaged, unreadable).
    #[error("{0}")]
    Unreadable(BaselineError),
    /// The baseline exists and no approval reason was given.
    #[error("基线已存在：接受新结果须说明原因")]
    Exists,
    /// The new generation could not be written; the previous one is still current.
    #[error("{0}")]
    Write(BaselineError),
}

/// What was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The new generation's name (e.g. `000002`).
    pub version: String,
    /// True when this run created the baseline.
    pub created: bool,
    /// The approval appended to the history.
    pub approval: Approval,
}

/// Records `results` (with their `manifest`) as the next generation of the baseline `dir`,
/// creating the folder when needed. `approve` is the reason for replacing the current
/// results; without it only a baseline that does not exist yet is recorded (its reason is
/// “初次记录基线”). `reviewer` is who approves. `on_wait` is called once when another process
/// holds the lock.
///
/// # Errors
/// See [`RecordError`]; the baseline is unchanged.
pub fn record(
    dir: &Path,
    results: &[DocResult],
    manifest: &Manifest,
    approve: Option<&str>,
    reviewer: &str,
    on_wait: impl FnOnce(),
) -> Result<Recorded, RecordError> {
    std::fs::create_dir_all(dir).map_err(|e| RecordError::Create {
        folder: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let lock = BaselineLock::exclusive(dir, on_wait).map_err(RecordError::Unreadable)?;
    let existing: Option<Generation> = read_current(dir).map_err(RecordError::Unreadable)?;
    if existing.is_some() && approve.is_none() {
        return Err(RecordError::Exists);
    }
    let changed = existing
        .as_ref()
        .map_or(results.len(), |b| compare(&b.results, results).count());
    let approval = Approval {
        who: reviewer.to_owned(),
        when: now_text(),
        why: approve.unwrap_or("初次记录基线").to_owned(),
        changed,
        results_sha256: manifest.results_sha256.clone(),
    };
    let update = Update {
        results: &results_text(results),
        manifest,
        approval: &approval,
    };
    let folder = store::commit(dir, &lock, existing.as_ref(), update).map_err(RecordError::Write)?;
    let version = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Recorded {
        version,
        created: existing.is_none(),
        approval,
    })
}
