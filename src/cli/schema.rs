//! `jixiao schema NAME`: prints a generated JSON Schema.

use crate::cli::{Outcome, write_stdout};
use jixiao::report::schemas::SchemaName;

/// Arguments of `jixiao schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 哪个模式（which schema）
    #[arg(value_enum)]
    name: SchemaName,
}

pub fn run(args: &Args) -> Outcome {
    write_stdout(&args.name.to_pretty_json())
}
