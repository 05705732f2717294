//! `jixiao diff --from A --to B CORPUS...`: what a rule-set change does to a corpus, or with
//! `--rules-only`, how two rule sets differ parameter by parameter and script by script.

use std::path::PathBuf;

use crate::cli::flags::FormFlags;
use crate::cli::inputs::{InputArgs, load_documents};
use crate::cli::{Outcome, report_error, report_policy_error, write_stdout};
use jixiao::engine::pipeline::score_under;
use jixiao::policy::{RuleSet, RuleSetFiles};
use jixiao::report::output::write_atomic;
use jixiao::runs::compare::{compare_document, summarize};
use jixiao::runs::ruleset_edit::diff_rulesets;

/// Output formats of `jixiao diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// 文本（默认）
    Table,
    /// Markdown
    Markdown,
    /// JSON
    Json,
}

/// Arguments of `jixiao diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 原规则集：内置编号或文件夹
    #[arg(long, value_name = "ID|PATH")]
    from: String,
    /// 新规则集：内置编号或文件夹
    #[arg(long, value_name = "ID|PATH")]
    to: String,
    /// 只比较两个规则集本身（参数、脚本函数），不评分
    #[arg(long)]
    rules_only: bool,
    /// 用来比较的文档：评价文档（.json/.jsonl）、自评表（.tsv/.txt/.csv/.xlsx）、文件夹或通配符（如 'forms/**/*.tsv'）
    #[arg(required_unless_present = "rules_only")]
    corpus: Vec<PathBuf>,
    /// Budget year and region for forms.
    #[command(flatten)]
    form: FormFlags,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    format: DiffFormat,
    /// 写入文件（原子写入）而不是标准输出
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn emit(args: &Args, text: &str) -> Outcome {
    match &args.output {
        Some(path) => match write_atomic(path, text.as_bytes()) {
            Ok(()) => Outcome::Clean,
            Err(e) => {
                report_error(e);
                Outcome::BadInput
            }
        },
        None => write_stdout(text),
    }
}

pub fn run(args: &Args) -> Outcome {
    let (from_files, to_files) = match (RuleSetFiles::resolve(&args.from), RuleSetFiles::resolve(&args.to)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            report_policy_error(&e);
            return Outcome::BadInput;
        }
    };
    if args.rules_only {
        return emit(args, &diff_rulesets(&from_files, &to_files));
    }
    let (old, new) = match (RuleSet::load(from_files), RuleSet::load(to_files)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            report_policy_error(&e);
            return Outcome::BadInput;
        }
    };
    let Some(import_options) = args.form.import_options() else {
        return Outcome::BadInput;
    };
    let mut outcome = Outcome::Clean;
    let input = InputArgs {
        inputs: args.corpus.clone(),
        form: args.form.clone(),
    };
    let documents = load_documents(&input, &import_options, &mut outcome);
    let mut changes = Vec::with_capacity(documents.len());
    for (origin, doc) in &documents {
        match (score_under(&old, doc, &[]), score_under(&new, doc, &[])) {
            (Ok(a), Ok(b)) => changes.push(compare_document(&old, &new, &a, &b)),
            (Err(e), _) | (_, Err(e)) => {
                report_error(format!("{origin}（{}）：{e}", doc.id));
                outcome = Outcome::BadInput;
            }
        }
    }
    let diff = summarize(&old.id, &new.id, changes);
    let text = match args.format {
        DiffFormat::Table => diff.to_text(),
        DiffFormat::Markdown => diff.to_markdown(),
        DiffFormat::Json => {
            let mut s = serde_json::to_string_pretty(&diff).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let written = emit(args, &text);
    outcome.max(written)
}
