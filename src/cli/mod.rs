//! The command line: argument parsing and dispatch, one file per subcommand.
//!
//! Exit codes: 0 clean, 1 findings at or above the threshold, 2 bad input or bad policy.

mod codes;
mod import;
mod schema;
mod score;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// What a run concluded; decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Everything read and nothing at or above the threshold.
    Clean,
    /// Findings at or above the threshold.
    Findings,
    /// Bad input or bad policy somewhere in the run.
    BadInput,
}

impl Outcome {
    /// The process exit code for this outcome.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::from(0),
            Outcome::Findings => ExitCode::from(1),
            Outcome::BadInput => ExitCode::from(2),
        }
    }
}

/// jixiao（绩效）：项目支出绩效自评表评分与合规检查。
#[derive(Debug, Parser)]
#[command(name = "jixiao", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 输出发现代码一览（Markdown，即 docs/finding-codes.md）（print the finding-code reference）
    Codes,
    /// 导入自评表：TSV/CSV/xlsx → 评价文档（import spreadsheet exports of forms）
    Import(import::Args),
    /// 输出 JSON Schema（print a generated JSON Schema）
    Schema(schema::Args),
    /// 评分：按规则集重新计算每张表的每个数字（score forms under their rule sets）
    Score(score::Args),
    /// 校验评价文档（validate evaluation documents against the schema）
    Validate(validate::Args),
}

/// Runs the parsed command line and returns its outcome.
pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Codes => codes::run(),
        Command::Import(args) => import::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Score(args) => score::run(&args),
        Command::Validate(args) => validate::run(&args),
    }
}

/// Prints a user-facing error line to stderr.
pub(crate) fn report_error(message: impl std::fmt::Display) {
    eprintln!("错误：{message}");
}
