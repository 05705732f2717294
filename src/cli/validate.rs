//! `jixiao validate FILE...`: schema and policy-free checks over evaluation documents.

use std::path::PathBuf;

use crate::cli::inputs::expand_globs;
use crate::cli::{Outcome, report_error};
use jixiao::ingest::input::read_documents;
use jixiao::ingest::validate::DocumentValidator;

/// Arguments of `jixiao validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 评价文档（.json 或 .jsonl）；可以写通配符（如 'docs/**/*.jsonl'），由 jixiao 自己展开
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: &Args) -> Outcome {
    let validator = match DocumentValidator::shared() {
        Ok(v) => v,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    let mut raw = Vec::new();
    let mut outcome = Outcome::Clean;
    for path in &expand_globs(&args.files, &mut outcome) {
        match read_documents(path) {
            Ok(docs) => raw.extend(docs),
            Err(e) => {
                report_error(e);
                outcome = Outcome::BadInput;
            }
        }
    }
    let (documents, problems) = validator.check_batch(raw);
    for problem in &problems {
        eprintln!("{}", jixiao::report::visible::visible(&problem.to_string()));
    }
    if !problems.is_empty() {
        outcome = Outcome::BadInput;
    }
    eprintln!("共 {} 个文档有效，{} 处问题", documents.len(), problems.len());
    outcome
}
