//! `jixiao new-year --from ID|PATH --year Y --to PATH`: start a rule set for a new budget year
//! as a small folder that extends the previous year's set, ready to override what changes.

use std::path::PathBuf;

use crate::cli::{Outcome, report_policy_error};
use jixiao::policy::{RuleSet, RuleSetFiles};
use jixiao::runs::ruleset_edit::new_year;

/// Arguments of `jixiao new-year`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 上一年度的规则集（新规则集继承它）：内置编号或文件夹
    #[arg(long, value_name = "ID|PATH")]
    from: String,
    /// 新规则集适用的预算年度
    #[arg(long, value_name = "Y")]
    year: i32,
    /// 新规则集文件夹（文件夹名即新规则集编号，如 rules/shenzhen-2022）
    #[arg(long, value_name = "PATH")]
    to: PathBuf,
}

pub fn run(args: &Args) -> Outcome {
    let (files, tests) = match RuleSetFiles::resolve_with_tests(&args.from) {
        Ok(f) => f,
        Err(e) => {
            report_policy_error(&e);
            return Outcome::BadInput;
        }
    };
    let report = match new_year(&files, &tests, args.year, &args.to) {
        Ok(r) => r,
        Err(e) => {
            report_policy_error(&e);
            return Outcome::BadInput;
        }
    };
    eprintln!(
        "已建立规则集 {}（{}），继承 {}，只需写与之不同的部分：",
        report.id,
        args.to.display(),
        files.name
    );
    for change in &report.changes {
        eprintln!("  {change}");
    }
    eprintln!("  写入文件：{}", report.files.join("、"));
    // The new set must load as it is: a broken one is reported now, not at the next run.
    match RuleSetFiles::read_folder(&args.to).and_then(RuleSet::load) {
        Ok(_) => {
            eprintln!("新规则集可以直接使用：jixiao score … --rules {}", args.to.display());
            Outcome::Clean
        }
        Err(e) => {
            report_policy_error(&e);
            Outcome::BadInput
        }
    }
}
