//! `jixiao check PATH`: check a rule set without any document.

use crate::cli::{Outcome, report_error};
use jixiao::policy::RuleSetFiles;
use jixiao::policy::lint::{Level, check, render};

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
        Ok((files, _)) => files,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    let problems = check(&files);
    match args.format {
        CheckFormat::Text => print!("{}", render(&files, &problems)),
        CheckFormat::Json => println!("{}", serde_json::to_string_pretty(&problems).unwrap_or_default()),
    }
    if problems.iter().any(|p| p.level == Level::Error) {
        Outcome::BadInput
    } else {
        Outcome::Clean
    }
}
