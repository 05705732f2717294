//! `jixiao score INPUT...`: recompute every number of each form under its rule set and report.

use std::io::{BufRead, IsTerminal as _, Write};
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::inputs::{
    InputArgs, expand_inputs, is_stdin, load_catalogue, load_decisions, load_documents, warn_unmatched,
};
use crate::cli::{Outcome, report_error};
use jixiao::batch::{BatchOptions, BatchStats, score_json_lines};
use jixiao::decisions::{DecisionSet, score_with_decisions};
use jixiao::findings::Severity;
use jixiao::output::{AtomicFile, write_atomic};
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
    /// 不显示进度和汇总（--format jsonl 时）
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Threshold of `--fail-on`. Waived findings never trip it; stale decisions (`D1` warnings)
/// trip it only at `warning`, and stale decisions about documents not in the run are warnings
/// on stderr that never change the exit code.
/// Where streamed lines go: standard output, or a file that appears only when complete.
enum Sink<'a> {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'a>>),
    File(std::io::BufWriter<AtomicFile>),
}

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::File(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::File(w) => w.flush(),
        }
    }
}

impl Sink<'_> {
    /// Flushes; a file is made visible only now.
    fn finish(self) -> Result<(), String> {
        match self {
            Sink::Stdout(mut w) => w.flush().map_err(|e| e.to_string()),
            Sink::File(w) => w
                .into_inner()
                .map_err(|e| e.error().to_string())?
                .commit()
                .map_err(|e| e.to_string()),
        }
    }
}

/// `--format jsonl`: documents stream through in parallel chunks and their scorecards stream
/// out in input order; memory stays flat whatever the corpus size.
fn stream_json_lines(args: &Args, catalogue: &Catalogue, decisions: &DecisionSet) -> Outcome {
    let mut outcome = Outcome::Clean;
    let inputs = expand_inputs(&args.input.inputs, &mut outcome);
    let mut sink = match &args.output {
        Some(path) => match AtomicFile::create(path) {
            Ok(f) => Sink::File(std::io::BufWriter::with_capacity(1 << 20, f)),
            Err(e) => {
                report_error(e);
                return Outcome::BadInput;
            }
        },
        None => Sink::Stdout(std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock())),
    };
    let progress = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed_precise}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    };
    let options = BatchOptions {
        default_region: args.input.region.clone(),
        ..BatchOptions::default()
    };
    let mut totals = BatchStats::default();
    for path in &inputs {
        let name = path.display().to_string();
        let lines = is_stdin(path) || matches!(path.extension().and_then(|e| e.to_str()), Some("jsonl" | "ndjson"));
        if !lines {
            // Forms and whole-JSON files are read as before, then written as lines.
            let one = InputArgs {
                inputs: vec![path.clone()],
                ..args.input.clone()
            };
            for (origin, doc) in load_documents(&one, &mut outcome) {
                let scored = catalogue
                    .select(doc.year, doc.region.as_deref())
                    .map_err(|e| e.to_string())
                    .and_then(|rules| {
                        score_with_decisions(&rules, &doc, &decisions.for_document(&doc.id)).map_err(|e| e.to_string())
                    });
                match scored {
                    Ok(card) => {
                        totals.scored += 1;
                        if args.fail_on.trips(&card) {
                            totals.with_errors += 1;
                        }
                        let written = serde_json::to_writer(&mut sink, &card)
                            .map_err(std::io::Error::other)
                            .and_then(|()| sink.write_all(b"\n"));
                        if let Err(e) = written {
                            report_error(format!("写出失败：{e}"));
                            return Outcome::BadInput;
                        }
                    }
                    Err(e) => {
                        report_error(format!("{origin}（{}）：{e}", doc.id));
                        outcome = Outcome::BadInput;
                    }
                }
            }
            continue;
        }
        let reader: Box<dyn BufRead> = if is_stdin(path) {
            Box::new(std::io::BufReader::new(std::io::stdin().lock()))
        } else {
            match std::fs::File::open(path) {
                Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
                Err(e) => {
                    report_error(format!("无法读取 {name}：{e}"));
                    outcome = Outcome::BadInput;
                    continue;
                }
            }
        };
        let base = totals.read;
        let result = score_json_lines(
            reader,
            &mut sink,
            catalogue,
            &options,
            decisions,
            |r| {
                let id = r.id.as_deref().map(|i| format!("（{i}）")).unwrap_or_default();
                progress.suspend(|| report_error(format!("{name} 第{}行{id}：{}", r.line, r.reason)));
            },
            |n| progress.set_message(format!("已读取 {} 个文档", base + n)),
        );
        match result {
            Ok(stats) => {
                totals.read += stats.read;
                totals.scored += stats.scored;
                totals.rejected += stats.rejected;
                totals.with_errors += match args.fail_on {
                    FailOn::Error => stats.with_errors,
                    FailOn::Warning => stats.with_errors + stats.with_warnings,
                    FailOn::Never => 0,
                };
            }
            Err(e) => {
                report_error(format!("{name}：{e}"));
                return Outcome::BadInput;
            }
        }
    }
    progress.finish_and_clear();
    if totals.rejected > 0 {
        outcome = Outcome::BadInput;
    }
    if let Err(e) = sink.finish() {
        report_error(format!("写出失败：{e}"));
        return Outcome::BadInput;
    }
    if !args.quiet {
        eprintln!("共评分 {} 个文档，{} 个无法评分", totals.scored, totals.rejected);
    }
    if outcome == Outcome::Clean && totals.with_errors > 0 {
        outcome = Outcome::Findings;
    }
    outcome
}

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
    let Some(catalogue) = load_catalogue(args.rules.as_deref()) else {
        return Outcome::BadInput;
    };
    let Some(decisions) = load_decisions(&args.decisions) else {
        return Outcome::BadInput;
    };
    if args.format == Format::Jsonl {
        return stream_json_lines(args, &catalogue, &decisions);
    }
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
