//! `jixiao check PATH`: check a rule set, or layout files, without any document.
//!
//! PATH is a rule-set folder (it holds `policy.toml`) or an embedded rule-set id; a layout file
//! (`*.toml`) or a folder of them is checked together with the shipped layouts, since the
//! importer reads them all together (a label the file claims for another role than a shipped
//! layout does is a conflict).

use std::path::Path;

use crate::cli::{Outcome, report_policy_error};
use jixiao::ingest::layout;
use jixiao::model::diagnostic::{Diagnostic, DiagnosticRecord};
use jixiao::policy::lint::check;
use jixiao::policy::{POLICY_FILE, RuleSetFiles};
use jixiao::report::diagnostics::{colour_stdout, render_layouts, render_ruleset};

/// Output formats of `jixiao check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// 带源码摘录的诊断（默认）
    Text,
    /// JSON
    Json,
}

/// Arguments of `jixiao check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 规则集文件夹或内置规则集编号；或自评表格式文件（.toml）、放格式文件的文件夹
    #[arg(value_name = "PATH|ID")]
    path: String,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
}

/// True when PATH names layout files rather than a rule set: a `.toml` file other than
/// `policy.toml`, or a folder of `.toml` files without `policy.toml` and without scripts.
fn is_layouts(path: &Path) -> bool {
    if path.is_file() {
        return path.file_name().is_none_or(|n| n != POLICY_FILE);
    }
    if !path.is_dir() || path.join(POLICY_FILE).exists() {
        return false;
    }
    let extensions: Vec<String> = std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some(e.path().extension()?.to_string_lossy().into_owned()))
        .collect();
    extensions.iter().any(|e| e == "toml") && !extensions.iter().any(|e| e == "rhai")
}

pub fn run(args: &Args) -> Outcome {
    let path = Path::new(&args.path);
    let (problems, rendered) = if is_layouts(path) {
        let problems = layout::check_path(path);
        let rendered = render_layouts(&problems, colour_stdout());
        (problems, rendered)
    } else {
        // `check rules/x/policy.toml` checks the rule set the file belongs to.
        let spec = match path.parent() {
            Some(folder) if path.is_file() => folder.display().to_string(),
            _ => args.path.clone(),
        };
        let files = match RuleSetFiles::resolve(&spec) {
            Ok(files) => files,
            Err(e) => {
                report_policy_error(&e);
                return Outcome::BadInput;
            }
        };
        let problems = check(&files);
        let rendered = render_ruleset(&files.name, &problems, colour_stdout());
        (problems, rendered)
    };
    match args.format {
        CheckFormat::Text => print!("{rendered}"),
        CheckFormat::Json => {
            let records: Vec<DiagnosticRecord> = problems.iter().map(Diagnostic::record).collect();
            println!("{}", serde_json::to_string_pretty(&records).unwrap_or_default());
        }
    }
    if problems.iter().any(Diagnostic::is_error) {
        Outcome::BadInput
    } else {
        Outcome::Clean
    }
}
