//! `jixiao explain INPUT...`: the derivation of every number of each form, in Chinese
//! (or as JSON with `--format json`).

use std::path::PathBuf;

use crate::cli::flags::RuleFlags;
use crate::cli::inputs::{InputArgs, load_documents, warn_unmatched};
use crate::cli::{Outcome, report_error, write_stdout};
use jixiao::engine::explain::{BUDGET_ITEM, Explanation, TOTAL_ITEM, explain_document, render_text};
use jixiao::engine::pipeline::Pipeline;
use jixiao::report::output::write_atomic;

/// Arguments of `jixiao explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// 只解释名称或路径（一级/二级/三级）包含 TEXT 的指标；“预算执行”选预算执行，“总分”选总分与等级
    #[arg(long, value_name = "TEXT")]
    indicator: Option<String>,
    /// 只解释编号或项目名称包含 TEXT 的文档
    #[arg(long, value_name = "TEXT")]
    document: Option<String>,
    /// Rule sets and reviewer decisions.
    #[command(flatten)]
    rules: RuleFlags,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
    /// 写入文件（原子写入）而不是标准输出
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Output formats of `jixiao explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// 中文文字说明（默认）
    Text,
    /// JSON 数组，每个文档一个对象，内容与文字说明相同
    Json,
}

pub fn run(args: &Args) -> Outcome {
    let mut outcome = Outcome::Clean;
    let Some((catalogue, decisions)) = args.rules.load() else {
        return Outcome::BadInput;
    };
    if !args.input.form.region_is_known(&catalogue) {
        return Outcome::BadInput;
    }
    let Some(import_options) = args.input.form.import_options() else {
        return Outcome::BadInput;
    };
    let pipeline = Pipeline::new(&catalogue, &decisions);
    let mut documents = load_documents(&args.input, &import_options, &mut outcome);
    warn_unmatched(&decisions, &documents);
    if let Some(wanted) = &args.document {
        documents.retain(|(_, doc)| doc.id.contains(wanted.as_str()) || doc.project.name.contains(wanted.as_str()));
        if documents.is_empty() {
            report_error(format!("没有编号或项目名称包含“{wanted}”的文档"));
            return Outcome::BadInput;
        }
    }
    let mut explanations: Vec<Explanation> = Vec::with_capacity(documents.len());
    for (origin, doc) in &documents {
        let rules = match pipeline.rules_for(doc) {
            Ok(r) => r,
            Err(e) => {
                report_error(format!("{origin}（{}）：{e}", doc.id));
                outcome = Outcome::BadInput;
                continue;
            }
        };
        match explain_document(&rules, doc, &pipeline.decisions_for(doc), args.indicator.as_deref()) {
            Ok(e) if e.is_empty() => {}
            Ok(e) => explanations.push(e),
            Err(e) => {
                report_error(format!("{origin}（{}）：{e}", doc.id));
                outcome = Outcome::BadInput;
            }
        }
    }
    if let Some(text) = &args.indicator {
        if explanations.is_empty() && outcome == Outcome::Clean {
            report_error(format!(
                "没有名称或路径包含“{text}”的指标（预算执行写“{}”，总分写“{TOTAL_ITEM}”）",
                BUDGET_ITEM.split('/').next().unwrap_or(BUDGET_ITEM)
            ));
            return Outcome::BadInput;
        }
    }
    let text = match args.format {
        ExplainFormat::Text => render_text(&explanations),
        ExplainFormat::Json => {
            let mut s = serde_json::to_string_pretty(&explanations).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomic(path, text.as_bytes()) {
                report_error(e);
                return Outcome::BadInput;
            }
        }
        None => return outcome.max(write_stdout(&text)),
    }
    outcome
}
