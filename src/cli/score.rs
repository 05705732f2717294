//! `jixiao score INPUT...`: recompute every number of each form under its rule set and report.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use crate::cli::inputs::{InputArgs, load_decisions, load_documents, warn_unmatched};
use crate::cli::{Outcome, report_error};
use jixiao::decisions::score_with_decisions;
use jixiao::findings::Severity;
use jixiao::output::write_atomic;
use jixiao::policy::select::{Catalogue, SelectionCache};
use jixiao::report::{CsvTable, Format, RenderOptions, render};
use jixiao::scoring::Scorecard;

/// Arguments of `jixiao score`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// 规则集：内置编号（如 shenzhen-2020）或规则集文件夹路径；不指定时按文档的年度和地区选择
    #[arg(long, value_name = "ID|PATH")]
    rules: Option<String>,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// 写入文件（原子写入）而不是标准输出
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// --format csv 写哪张表：documents 每表一行、indicators 每指标一行、findings 每条发现一行、decisions 每个审核决定一行
    #[arg(long, value_enum, default_value_t = CsvTable::Documents)]
    csv_table: CsvTable,
    /// 达到此严重程度的发现使退出码为 1：error、warning 或 never
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// 审核决定文件（TOML，可多次指定）：更正表中内容、豁免发现；未生效的决定记为警告 D1
    #[arg(long, value_name = "FILE")]
    decisions: Vec<PathBuf>,
}

/// Threshold of `--fail-on`. Waived findings never trip it; stale decisions (`D1` warnings)
/// trip it only at `warning`, and stale decisions about documents not in the run are warnings
/// on stderr that never change the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// 有错误级发现时退出码为 1
    Error,
    /// 有警告或错误级发现时退出码为 1
    Warning,
    /// 发现不影响退出码
    Never,
}

impl FailOn {
    fn trips(self, card: &Scorecard) -> bool {
        let at_least = match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Never => return false,
        };
        card.findings.iter().any(|f| !f.waived && f.severity >= at_least)
    }
}

pub fn run(args: &Args) -> Outcome {
    if args.format.is_binary() && args.output.is_none() {
        report_error("--format xlsx 生成的是二进制文件，不能输出到终端：请用 -o 文件名.xlsx 指定输出文件");
        return Outcome::BadInput;
    }
    let mut outcome = Outcome::Clean;
    let catalogue = match &args.rules {
        Some(spec) => Catalogue::load_one(spec).map(|set| Catalogue::forced(Arc::clone(&set))),
        None => Catalogue::embedded(),
    };
    let catalogue = match catalogue {
        Ok(c) => c,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    let Some(decisions) = load_decisions(&args.decisions) else {
        return Outcome::BadInput;
    };
    let documents = load_documents(&args.input, &mut outcome);
    warn_unmatched(&decisions, &documents);
    let mut cache = SelectionCache::default();
    let mut cards = Vec::with_capacity(documents.len());
    for (origin, doc) in &documents {
        let rules = match cache.select(&catalogue, doc.year, doc.region.as_deref()) {
            Ok(r) => r,
            Err(e) => {
                report_error(format!("{origin}（{}）：{e}", doc.id));
                outcome = Outcome::BadInput;
                continue;
            }
        };
        match score_with_decisions(&rules, doc, &decisions.for_document(&doc.id)) {
            Ok(card) => cards.push(card),
            Err(e) => {
                report_error(format!("{origin}（{}）：{e}", doc.id));
                outcome = Outcome::BadInput;
            }
        }
    }
    let options = RenderOptions {
        csv_table: args.csv_table,
    };
    let bytes = match render(args.format, &cards, &options) {
        Ok(bytes) => bytes,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    let written = match &args.output {
        Some(path) => write_atomic(path, &bytes).map_err(|e| e.to_string()),
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| format!("无法写入标准输出：{e}")),
    };
    if let Err(e) = written {
        report_error(e);
        return Outcome::BadInput;
    }
    if outcome == Outcome::Clean && cards.iter().any(|c| args.fail_on.trips(c)) {
        outcome = Outcome::Findings;
    }
    outcome
}
