//! `jixiao import INPUT...`: spreadsheet exports of 自评表 → evaluation documents.

use std::path::{Path, PathBuf};

use crate::cli::{Outcome, report_error};
use jixiao::document::EvaluationDocument;
use jixiao::import::{ImportOptions, import_file_each};
use jixiao::output::write_atomic;
use jixiao::validate::DocumentValidator;

/// Arguments of `jixiao import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 自评表文件（.tsv/.txt/.csv/.xlsx），一个文件可含多张表
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// 预算年度（覆盖表中写明的年度）；表中没有写明年度时必须指定
    #[arg(long, value_name = "Y")]
    year: Option<i32>,
    /// 表中没有写明预算年度时使用的年度（表中写明的年度优先）
    #[arg(long, value_name = "Y", conflicts_with = "year")]
    default_year: Option<i32>,
    /// 地区代码（如 shenzhen、sichuan），决定评分时使用哪个地区的规则集
    #[arg(long, value_name = "R")]
    region: Option<String>,
    /// 输出：文件夹（每张表一个 JSON 文件）或 -（JSON Lines 写到标准输出，默认）
    #[arg(short = 'o', long, value_name = "DIR|-", default_value = "-")]
    output: String,
}

/// A file name for a document id: the id itself, which `derive_id` keeps path-safe.
fn file_name_for(doc: &EvaluationDocument) -> String {
    let safe: String = doc
        .id
        .chars()
        .map(|c| if matches!(c, '/' | '\\' | '\0') { '_' } else { c })
        .collect();
    format!("{safe}.json")
}

fn describe(doc: &EvaluationDocument) -> String {
    let rows = doc
        .source
        .as_ref()
        .map(|s| format!("第 {}–{} 行", s.first_row, s.last_row))
        .unwrap_or_default();
    let mut line = format!(
        "{} {rows} → {}：{} 个指标，{} 年，{}",
        doc.source.as_ref().map(|s| s.file.as_str()).unwrap_or(""),
        doc.id,
        doc.indicators.iter().filter(|i| !i.placeholder).count(),
        doc.year,
        doc.layout.label()
    );
    if !doc.realignments.is_empty() {
        line.push_str(&format!("；重新对齐 {} 处", doc.realignments.len()));
        for r in &doc.realignments {
            line.push_str(&format!("\n    第 {} 行：{}", r.row, r.action));
        }
    }
    if !doc.unmapped.is_empty() {
        line.push_str(&format!("；未映射单元格 {} 个", doc.unmapped.len()));
        for u in &doc.unmapped {
            line.push_str(&format!(
                "\n    {}：“{}”{}",
                u.at.a1(),
                u.text,
                u.reason.as_deref().map(|r| format!("（{r}）")).unwrap_or_default()
            ));
        }
    }
    line
}

pub fn run(args: &Args) -> Outcome {
    let options = ImportOptions {
        default_year: args.default_year,
        year: args.year,
        region: args.region.clone(),
    };
    let validator = match DocumentValidator::new() {
        Ok(v) => v,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    let to_stdout = args.output == "-";
    let dir = Path::new(&args.output);
    if !to_stdout {
        if let Err(e) = std::fs::create_dir_all(dir) {
            report_error(format!("无法创建输出文件夹 {}：{e}", dir.display()));
            return Outcome::BadInput;
        }
    }
    let mut outcome = Outcome::Clean;
    let mut written = 0usize;
    for path in &args.inputs {
        let forms = match import_file_each(path, &options) {
            Ok(forms) => forms,
            Err(e) => {
                report_error(e);
                outcome = Outcome::BadInput;
                continue;
            }
        };
        for form in forms {
            let doc = match form {
                Ok(doc) => doc,
                Err(e) => {
                    report_error(e);
                    outcome = Outcome::BadInput;
                    continue;
                }
            };
            let value = match serde_json::to_value(&doc) {
                Ok(v) => v,
                Err(e) => {
                    report_error(format!("{}：无法序列化：{e}", doc.id));
                    outcome = Outcome::BadInput;
                    continue;
                }
            };
            if let Err(problems) = validator.check(&value) {
                for (pointer, message) in problems {
                    report_error(format!(
                        "{}（{}）{pointer}：导入结果不符合文档模式：{message}",
                        path.display(),
                        doc.id
                    ));
                }
                outcome = Outcome::BadInput;
                continue;
            }
            eprintln!("{}", describe(&doc));
            if to_stdout {
                println!("{value}");
            } else {
                let target = dir.join(file_name_for(&doc));
                let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
                text.push('\n');
                if let Err(e) = write_atomic(&target, text.as_bytes()) {
                    report_error(e);
                    return Outcome::BadInput;
                }
            }
            written += 1;
        }
    }
    eprintln!("共导入 {written} 张表");
    outcome
}
