//! `jixiao reference scripting`: print a generated reference document.

use crate::cli::Outcome;

/// Which reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// 规则脚本参考（docs/scripting-reference.md）
    Scripting,
}

/// Arguments of `jixiao reference`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 哪一份参考文档
    #[arg(value_enum)]
    which: Which,
}

pub fn run(args: &Args) -> Outcome {
    match args.which {
        Which::Scripting => print!("{}", jixiao::reference::scripting_reference()),
    }
    Outcome::Clean
}
