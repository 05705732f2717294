//! `jixiao score INPUT...`: recompute every number of each form under its rule set and report.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;

use crate::cli::{Outcome, report_error};
use jixiao::document::EvaluationDocument;
use jixiao::findings::Severity;
use jixiao::import::{ImportError, ImportOptions, for_each_form};
use jixiao::input::{InputKind, Origin, input_kind, read_documents};
use jixiao::output::write_atomic;
use jixiao::policy::select::{Catalogue, SelectionCache};
use jixiao::report::{Format, render};
use jixiao::scoring::{Scorecard, score_document};
use jixiao::validate::DocumentValidator;

/// Arguments of `jixiao score`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 评价文档（.json/.jsonl）或自评表（.tsv/.txt/.csv/.xlsx，自动导入）
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// 规则集：内置编号（如 shenzhen-2020）或规则集文件夹路径；不指定时按文档的年度和地区选择
    #[arg(long, value_name = "ID|PATH")]
    rules: Option<String>,
    /// 导入自评表时使用的预算年度（覆盖表中写明的年度）
    #[arg(long, value_name = "Y")]
    year: Option<i32>,
    /// 表中没有写明预算年度时使用的年度（表中写明的年度优先）
    #[arg(long, value_name = "Y", conflicts_with = "year")]
    default_year: Option<i32>,
    /// 导入自评表时使用的地区代码（如 shenzhen），也用于没有写地区的评价文档
    #[arg(long, value_name = "R")]
    region: Option<String>,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// 写入文件（原子写入）而不是标准输出
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// 达到此严重程度的发现使退出码为 1：error、warning 或 never
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
}

/// Threshold of `--fail-on`.
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

/// Reads every input into documents; problems are reported and make the run exit 2.
fn load(args: &Args, outcome: &mut Outcome) -> Vec<(Origin, EvaluationDocument)> {
    let import_options = ImportOptions {
        default_year: args.default_year,
        year: args.year,
        region: args.region.clone(),
    };
    let mut raw = Vec::new();
    let mut documents = Vec::new();
    for path in &args.inputs {
        match input_kind(path) {
            Some(InputKind::Documents) => match read_documents(path) {
                Ok(docs) => raw.extend(docs),
                Err(e) => {
                    report_error(e);
                    *outcome = Outcome::BadInput;
                }
            },
            Some(InputKind::Forms) => {
                let file = path.display().to_string();
                let each = |form: Result<EvaluationDocument, ImportError>| {
                    match form {
                        Ok(d) => {
                            let origin = Origin {
                                file: file.clone(),
                                line: d.source.as_ref().map(|s| s.first_row as usize),
                                index: None,
                            };
                            documents.push((origin, d));
                        }
                        Err(e) => {
                            report_error(e);
                            *outcome = Outcome::BadInput;
                        }
                    }
                    ControlFlow::Continue(())
                };
                if let Err(e) = for_each_form(path, &import_options, each) {
                    report_error(e);
                    *outcome = Outcome::BadInput;
                }
            }
            None => {
                report_error(format!(
                    "{}：不认识的文件类型；可读取 .json .jsonl（评价文档）或 .tsv .txt .csv .xlsx（自评表）",
                    path.display()
                ));
                *outcome = Outcome::BadInput;
            }
        }
    }
    if !raw.is_empty() {
        match DocumentValidator::new() {
            Ok(validator) => {
                let (valid, problems) = validator.check_batch(raw);
                for problem in &problems {
                    report_error(problem);
                }
                if !problems.is_empty() {
                    *outcome = Outcome::BadInput;
                }
                documents.extend(valid.into_iter().map(|(origin, mut doc)| {
                    if doc.region.is_none() {
                        doc.region.clone_from(&args.region);
                    }
                    (origin, doc)
                }));
            }
            Err(e) => {
                report_error(e);
                *outcome = Outcome::BadInput;
            }
        }
    }
    documents
}

pub fn run(args: &Args) -> Outcome {
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
    let documents = load(args, &mut outcome);
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
        match score_document(&rules, doc) {
            Ok(card) => cards.push(card),
            Err(e) => {
                report_error(format!("{origin}（{}）：{e}", doc.id));
                outcome = Outcome::BadInput;
            }
        }
    }
    let text = render(args.format, &cards);
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomic(path, text.as_bytes()) {
                report_error(e);
                return Outcome::BadInput;
            }
        }
        None => print!("{text}"),
    }
    if outcome == Outcome::Clean && cards.iter().any(|c| args.fail_on.trips(c)) {
        outcome = Outcome::Findings;
    }
    outcome
}
