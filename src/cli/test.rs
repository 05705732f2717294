//! `jixiao test PATH`: run a rule set's own test cases (`tests/*.toml`) and report coverage.

use std::path::Path;

use crate::cli::{Outcome, report_diagnostics, report_error, report_policy_error, write_stdout};
use jixiao::policy::{RuleSet, RuleSetFiles};
use jixiao::runs::ruletest::{coverage, coverage_gaps, load_case, render, run_cases};

/// Arguments of `jixiao test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 规则集文件夹或内置规则集编号
    #[arg(value_name = "PATH|ID")]
    path: String,
    /// 覆盖不完整时以退出码 1 结束，并列出缺少用例的发现规则、脚本分支和阈值
    #[arg(long)]
    require_coverage: bool,
}

pub fn run(args: &Args) -> Outcome {
    let (files, tests) = match RuleSetFiles::resolve_with_tests(&args.path) {
        Ok(f) => f,
        Err(e) => {
            report_policy_error(&e);
            return Outcome::BadInput;
        }
    };
    let base = Path::new(&args.path)
        .is_dir()
        .then(|| Path::new(&args.path).join("tests"));
    let rules = match RuleSet::load(files) {
        Ok(r) => r,
        Err(e) => {
            report_policy_error(&e);
            return Outcome::BadInput;
        }
    };
    let mut cases = Vec::new();
    let mut outcome = Outcome::Clean;
    for (name, text) in &tests {
        match load_case(name, text, base.as_deref()) {
            Ok(case) => cases.push(case),
            Err(e) => {
                report_diagnostics(&[e]);
                outcome = Outcome::BadInput;
            }
        }
    }
    if tests.is_empty() {
        report_error(format!("规则集 {} 没有测试用例（tests/*.toml）", rules.id));
        return Outcome::BadInput;
    }
    let results = run_cases(&rules, &cases);
    let cov = coverage(&rules, &cases, &results, &rules.finding_codes());
    outcome = outcome.max(write_stdout(&render(&rules.id, &results, &cov)));
    if outcome == Outcome::BadInput {
        return outcome;
    }
    if results.iter().any(|r| !r.passed()) {
        outcome = Outcome::Findings;
    }
    if args.require_coverage {
        let gaps = coverage_gaps(&cov);
        if !gaps.is_empty() {
            eprintln!("覆盖不完整（--require-coverage）：{} 处缺少用例：", gaps.len());
            for gap in &gaps {
                eprintln!("  {gap}");
            }
            outcome = Outcome::Findings;
        }
    }
    outcome
}
