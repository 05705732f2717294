//! `jixiao reference scripting|codes`: print a generated reference document.

use crate::cli::{Outcome, report_error, write_stdout};
use jixiao::policy::{RuleSet, embedded};
use jixiao::report::codes::codes_markdown;

/// Which reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// 规则脚本参考（docs/scripting-reference.md）
    Scripting,
    /// 发现代码一览（docs/finding-codes.md），按内置规则集生成
    Codes,
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
        Which::Scripting => write_stdout(&jixiao::script::reference::scripting_reference()),
        Which::Codes => {
            let mut sets = Vec::new();
            for id in embedded::ids() {
                let Some(files) = embedded::files(id) else { continue };
                match RuleSet::load(files) {
                    Ok(set) => sets.push(set),
                    Err(e) => {
                        report_error(e);
                        return Outcome::BadInput;
                    }
                }
            }
            let refs: Vec<&RuleSet> = sets.iter().collect();
            write_stdout(&codes_markdown(&refs))
        }
    }
}
