//! Reading the inputs of `score` and `explain`: evaluation documents and forms (imported on the
//! fly), validated; and the reviewer decisions files.

use std::path::PathBuf;

use crate::cli::{Outcome, report_error};
use jixiao::decisions::DecisionSet;
use jixiao::document::EvaluationDocument;
use jixiao::import::{ImportOptions, import_file};
use jixiao::input::{InputKind, Origin, input_kind, read_documents};
use jixiao::validate::DocumentValidator;

/// Reads every input into documents; problems are reported and make the run exit 2.
pub(crate) fn load_documents(
    inputs: &[PathBuf],
    year: Option<i32>,
    region: Option<&str>,
    outcome: &mut Outcome,
) -> Vec<(Origin, EvaluationDocument)> {
    let import_options = ImportOptions {
        year,
        region: region.map(str::to_owned),
    };
    let mut raw = Vec::new();
    let mut documents = Vec::new();
    for path in inputs {
        match input_kind(path) {
            Some(InputKind::Documents) => match read_documents(path) {
                Ok(docs) => raw.extend(docs),
                Err(e) => {
                    report_error(e);
                    *outcome = Outcome::BadInput;
                }
            },
            Some(InputKind::Forms) => match import_file(path, &import_options) {
                Ok(docs) => documents.extend(docs.into_iter().map(|d| {
                    let origin = Origin {
                        file: path.display().to_string(),
                        line: d.source.as_ref().map(|s| s.first_row as usize),
                        index: None,
                    };
                    (origin, d)
                })),
                Err(e) => {
                    report_error(e);
                    *outcome = Outcome::BadInput;
                }
            },
            None => {
                report_error(format!(
                    "{}：不认识的文件类型；可读取 .json .jsonl（评价文档）或 .tsv .txt .csv .xlsx（自评表）",
                    path.display()
                ));
                *outcome = Outcome::BadInput;
            }
        }
    }
    if !raw.is_empty() {
        match DocumentValidator::new() {
            Ok(validator) => {
                let (valid, problems) = validator.check_batch(raw);
                for problem in &problems {
                    report_error(problem);
                }
                if !problems.is_empty() {
                    *outcome = Outcome::BadInput;
                }
                documents.extend(valid.into_iter().map(|(origin, mut doc)| {
                    if doc.region.is_none() {
                        doc.region = region.map(str::to_owned);
                    }
                    (origin, doc)
                }));
            }
            Err(e) => {
                report_error(e);
                *outcome = Outcome::BadInput;
            }
        }
    }
    documents
}

/// Reads and checks every decisions file; `None` (after reporting) when one is broken.
pub(crate) fn load_decisions(paths: &[PathBuf]) -> Option<DecisionSet> {
    let mut set = DecisionSet::default();
    for path in paths {
        if let Err(e) = set.load_file(path) {
            report_error(e);
            return None;
        }
    }
    Some(set)
}

/// Warns on stderr about decisions whose document is not among `documents`: they are stale for
/// this run and change nothing (and do not affect the exit code).
pub(crate) fn warn_unmatched(decisions: &DecisionSet, documents: &[(Origin, EvaluationDocument)]) {
    for d in decisions.not_in(documents.iter().map(|(_, doc)| doc.id.as_str())) {
        eprintln!(
            "警告：审核决定未生效（{}，{}）：本次运行中没有编号为“{}”的文档",
            d.source,
            d.kind().label(),
            d.document
        );
    }
}
