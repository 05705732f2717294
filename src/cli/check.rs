//! `jixiao check PATH`: check a rule set without any document.

use crate::cli::{Outcome, report_policy_error};
use jixiao::model::diagnostic::{Diagnostic, DiagnosticRecord};
use jixiao::policy::RuleSetFiles;
use jixiao::policy::lint::check;
use jixiao::report::diagnostics::{colour_stdout, render_ruleset};

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
    /// 规则集文件夹或内置规则集编号
    #[arg(value_name = "PATH|ID")]
    path: String,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
}

pub fn run(args: &Args) -> Outcome {
    let files = match RuleSetFiles::resolve(&args.path) {
        Ok(files) => files,
        Err(e) => {
            report_policy_error(&e);
            return Outcome::BadInput;
        }
    };
    let problems = check(&files);
    match args.format {
        CheckFormat::Text => print!("{}", render_ruleset(&files.name, &problems, colour_stdout())),
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
