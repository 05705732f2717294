//! `jixiao score INPUT...`: recompute every number of each form under its rule set and report.
//! With `-o FILE` the report is written atomically, then a run manifest beside it
//! (`FILE.manifest.json`: engine, rule-set, input and decisions hashes, options, the report's
//! hash) that `jixiao verify` replays with [`verify_report`].

use std::io::{BufRead, IsTerminal as _, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::inputs::{
    InputArgs, expand_inputs, is_stdin, load_catalogue, load_decisions, load_documents, warn_unmatched,
};
use crate::cli::run::{engine, hash_file, note_engine, ruleset_hash};
use crate::cli::{Outcome, report_error};
use jixiao::engine::decisions::{DecisionSet, score_with_decisions};
use jixiao::engine::scoring::Scorecard;
use jixiao::model::findings::Severity;
use jixiao::policy::select::{Catalogue, SelectionCache};
use jixiao::report::output::{AtomicFile, write_atomic};
use jixiao::report::{CsvTable, Format, RenderOptions, render};
use jixiao::runs::baseline::{BackgroundSha256, Hashed, Manifest, ReportRecord, sha256_file};
use jixiao::runs::batch::{BatchOptions, BatchStats, score_json_lines};

/// Arguments of `jixiao score`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// 规则集：内置编号（如 shenzhen-2020）或规则集文件夹路径；不指定时按文档的年度和地区选择
    #[arg(long, value_name = "ID|PATH")]
    rules: Option<String>,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// 写入文件（原子写入）而不是标准输出；同时在旁边写运行清单 FILE.manifest.json，供 jixiao verify 复核
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

/// What producing a report concluded.
struct Produced {
    outcome: Outcome,
    /// Documents scored.
    documents: usize,
    /// The report stopped midway (a write or read failure): an output file must not be kept.
    broken: bool,
    /// SHA-256 of the input files hashed while they were read (JSON Lines), for the manifest.
    input_hashes: Vec<(PathBuf, String)>,
}

impl Produced {
    fn broken(documents: usize) -> Self {
        Self {
            outcome: Outcome::BadInput,
            documents,
            broken: true,
            input_hashes: Vec::new(),
        }
    }
}

/// `--format jsonl`: documents stream through in parallel chunks and their scorecards stream
/// out in input order; memory stays flat whatever the corpus size.
fn stream_json_lines(args: &Args, catalogue: &Catalogue, decisions: &DecisionSet, sink: &mut dyn Write) -> Produced {
    let mut outcome = Outcome::Clean;
    let inputs = expand_inputs(&args.input.inputs, &mut outcome);
    let mut input_hashes = Vec::new();
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
                        let written = serde_json::to_writer(&mut *sink, &card)
                            .map_err(std::io::Error::other)
                            .and_then(|()| sink.write_all(b"\n"));
                        if let Err(e) = written {
                            report_error(format!("写出失败：{e}"));
                            return Produced::broken(totals.scored);
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
        // A file is hashed as it is read, so the manifest need not read it a second time.
        let mut stdin_reader;
        let mut file_reader = None;
        let reader: &mut dyn BufRead = if is_stdin(path) {
            stdin_reader = std::io::BufReader::new(std::io::stdin().lock());
            &mut stdin_reader
        } else {
            match std::fs::File::open(path) {
                Ok(f) => file_reader.insert(std::io::BufReader::with_capacity(
                    1 << 20,
                    HashingReader {
                        inner: f,
                        // Only a run that writes a manifest (`-o`) needs the hash.
                        hasher: args.output.is_some().then(BackgroundSha256::new),
                    },
                )),
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
            &mut *sink,
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
                if let Some(hasher) = file_reader.and_then(|read| read.into_inner().hasher) {
                    match hasher.finish() {
                        Ok(sha256) => input_hashes.push((path.clone(), sha256)),
                        Err(e) => report_error(e),
                    }
                }
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
                return Produced::broken(totals.scored);
            }
        }
    }
    progress.finish_and_clear();
    if totals.rejected > 0 {
        outcome = Outcome::BadInput;
    }
    if let Err(e) = sink.flush() {
        report_error(format!("写出失败：{e}"));
        return Produced::broken(totals.scored);
    }
    if !args.quiet {
        eprintln!("共评分 {} 个文档，{} 个无法评分", totals.scored, totals.rejected);
    }
    if outcome == Outcome::Clean && totals.with_errors > 0 {
        outcome = Outcome::Findings;
    }
    Produced {
        outcome,
        documents: totals.scored,
        broken: false,
        input_hashes,
    }
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

/// Scores every input and writes the report to `sink`: what `jixiao score` prints or writes, and
/// what [`verify_report`] renders again. `created` is the workbook's creation time (`xlsx`).
fn produce(
    args: &Args,
    catalogue: &Catalogue,
    decisions: &DecisionSet,
    created: Option<i64>,
    sink: &mut dyn Write,
) -> Produced {
    if args.format == Format::Jsonl {
        return stream_json_lines(args, catalogue, decisions, sink);
    }
    let mut outcome = Outcome::Clean;
    let documents = load_documents(&args.input, &mut outcome);
    warn_unmatched(decisions, &documents);
    let mut cache = SelectionCache::default();
    let mut cards = Vec::with_capacity(documents.len());
    for (origin, doc) in &documents {
        let rules = match cache.select(catalogue, doc.year, doc.region.as_deref()) {
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
        created,
    };
    let bytes = match render(args.format, &cards, &options) {
        Ok(bytes) => bytes,
        Err(e) => {
            report_error(e);
            return Produced::broken(cards.len());
        }
    };
    if let Err(e) = sink.write_all(&bytes).and_then(|()| sink.flush()) {
        report_error(format!("写出失败：{e}"));
        return Produced::broken(cards.len());
    }
    if outcome == Outcome::Clean && cards.iter().any(|c| args.fail_on.trips(c)) {
        outcome = Outcome::Findings;
    }
    Produced {
        outcome,
        documents: cards.len(),
        broken: false,
        input_hashes: Vec::new(),
    }
}

/// A writer that passes bytes on and hashes them (SHA-256, on a thread of its own), so a
/// streamed report's hash is known without reading the file back. Put it under a `BufWriter`.
struct Hashing<W> {
    inner: W,
    hasher: BackgroundSha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that passes bytes on and, with a hasher, hashes them (SHA-256), so a streamed
/// input's hash is known without reading the file again.
struct HashingReader<R> {
    inner: R,
    hasher: Option<BackgroundSha256>,
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(buf.get(..n).unwrap_or_default());
        }
        Ok(n)
    }
}

/// Unix seconds now.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}

/// `FILE.manifest.json` beside the report `FILE`.
pub fn manifest_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

/// Name of a value of a clap value enum, as typed on the command line.
fn value_name(value: &impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

/// The content hash of every rule set of the catalogue: a `score -o` manifest records them all,
/// and `jixiao verify` compares them.
fn catalogue_hashes(catalogue: &Catalogue) -> Vec<Hashed> {
    catalogue
        .sets()
        .iter()
        .map(|s| ruleset_hash(catalogue, &s.id))
        .collect()
}

/// The manifest of a `score -o` run over `files` (already expanded), whose report has
/// `report_sha256`. `None` (after a warning) when the run cannot be replayed: it read standard
/// input, or an input cannot be read again.
fn score_manifest(
    args: &Args,
    files: &[PathBuf],
    catalogue: &Catalogue,
    created: Option<i64>,
    produced: &Produced,
    report_sha256: String,
) -> Option<Manifest> {
    if files.iter().any(|p| is_stdin(p)) {
        eprintln!("警告：输入中有标准输入（-），无法重新运行，未写运行清单");
        return None;
    }
    let hashed = |paths: &[PathBuf]| -> Option<Vec<Hashed>> {
        paths
            .iter()
            .map(|p| match produced.input_hashes.iter().find(|(read, _)| read == p) {
                Some((_, sha256)) => Some(Hashed {
                    name: p.display().to_string(),
                    sha256: sha256.clone(),
                }),
                None => hash_file(p).map_err(|e| eprintln!("警告：{e}，未写运行清单")).ok(),
            })
            .collect()
    };
    let output = args.output.as_deref()?;
    let file_name = output.file_name()?.to_string_lossy().into_owned();
    Some(Manifest {
        engine: engine(),
        inputs: hashed(files)?,
        rulesets: catalogue_hashes(catalogue),
        rules_option: args.rules.clone(),
        decisions: hashed(&args.decisions)?,
        year: args.input.year,
        default_year: args.input.default_year,
        region: args.input.region.clone(),
        documents: produced.documents,
        results_sha256: report_sha256.clone(),
        report: Some(ReportRecord {
            file: Hashed {
                name: file_name,
                sha256: report_sha256,
            },
            format: value_name(&args.format),
            csv_table: (args.format == Format::Csv).then(|| value_name(&args.csv_table)),
            created,
        }),
    })
}

/// `score -o FILE`: the report is written atomically (nothing appears at `FILE` unless it is
/// complete), then its manifest beside it.
fn write_report(args: &Args, output: &Path, catalogue: &Catalogue, decisions: &DecisionSet) -> Outcome {
    let mut outcome = Outcome::Clean;
    // Expanded once here, so the manifest lists the very files read.
    let files = expand_inputs(&args.input.inputs, &mut outcome);
    let expanded = Args {
        input: InputArgs {
            inputs: files.clone(),
            ..args.input.clone()
        },
        ..args.clone()
    };
    let created = (args.format == Format::Xlsx).then(unix_now);
    let file = match AtomicFile::create(output) {
        Ok(f) => f,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    let mut sink = std::io::BufWriter::with_capacity(
        1 << 20,
        Hashing {
            inner: file,
            hasher: BackgroundSha256::new(),
        },
    );
    let produced = produce(&expanded, catalogue, decisions, created, &mut sink);
    if produced.broken {
        return Outcome::BadInput;
    }
    let written = match sink.into_inner() {
        Ok(hashing) => hashing,
        Err(e) => {
            report_error(format!("写出失败：{}", e.error()));
            return Outcome::BadInput;
        }
    };
    let report_sha256 = match written.hasher.finish() {
        Ok(sha256) => sha256,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    if let Err(e) = written.inner.commit() {
        report_error(format!("写出失败：{e}"));
        return Outcome::BadInput;
    }
    if let Some(manifest) = score_manifest(&expanded, &files, catalogue, created, &produced, report_sha256) {
        let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
        if let Err(e) = write_atomic(&manifest_path(output), text.as_bytes()) {
            report_error(e);
            return Outcome::BadInput;
        }
    }
    outcome.max(produced.outcome)
}

pub fn run(args: &Args) -> Outcome {
    if args.format.is_binary() && args.output.is_none() {
        report_error("--format xlsx 生成的是二进制文件，不能输出到终端：请用 -o 文件名.xlsx 指定输出文件");
        return Outcome::BadInput;
    }
    let Some(catalogue) = load_catalogue(args.rules.as_deref()) else {
        return Outcome::BadInput;
    };
    let Some(decisions) = load_decisions(&args.decisions) else {
        return Outcome::BadInput;
    };
    if let Some(output) = &args.output {
        return write_report(args, output, &catalogue, &decisions);
    }
    let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    produce(args, &catalogue, &decisions, None, &mut stdout).outcome
}

/// `jixiao verify` on a `score -o` manifest (its input and decisions files already checked):
/// the rule sets must hash as recorded, scoring again must render the very bytes recorded,
/// and the report file beside the manifest must still be those bytes. Exit 1 when anything
/// differs.
pub fn verify_report(manifest: &Manifest, report: &ReportRecord, manifest_file: &Path) -> Outcome {
    let (Ok(format), Ok(csv_table)) = (
        Format::from_str(&report.format, false),
        report
            .csv_table
            .as_deref()
            .map_or(Ok(CsvTable::default()), |t| CsvTable::from_str(t, false)),
    ) else {
        report_error(format!(
            "{}：不认识的报告格式 {}",
            manifest_file.display(),
            report.format
        ));
        return Outcome::BadInput;
    };
    let Some(catalogue) = load_catalogue(manifest.rules_option.as_deref()) else {
        return Outcome::BadInput;
    };
    let decision_files: Vec<PathBuf> = manifest.decisions.iter().map(|h| PathBuf::from(&h.name)).collect();
    let Some(decisions) = load_decisions(&decision_files) else {
        return Outcome::BadInput;
    };
    note_engine(manifest);
    let mut differences = Vec::new();
    let rulesets = catalogue_hashes(&catalogue);
    for then in &manifest.rulesets {
        if !rulesets.contains(then) {
            differences.push(format!("规则集 {} 的内容与记录时不同", then.name));
        }
    }
    let args = Args {
        input: InputArgs {
            inputs: manifest.inputs.iter().map(|h| PathBuf::from(&h.name)).collect(),
            year: manifest.year,
            default_year: manifest.default_year,
            region: manifest.region.clone(),
        },
        rules: manifest.rules_option.clone(),
        format,
        output: None,
        csv_table,
        fail_on: FailOn::Never,
        decisions: decision_files,
        quiet: true,
    };
    let mut again = std::io::BufWriter::with_capacity(
        1 << 20,
        Hashing {
            inner: std::io::sink(),
            hasher: BackgroundSha256::new(),
        },
    );
    let produced = produce(&args, &catalogue, &decisions, report.created, &mut again);
    if produced.broken {
        return Outcome::BadInput;
    }
    let again_sha256 = again
        .into_inner()
        .map_err(|e| e.error().to_string())
        .and_then(|hashing| hashing.hasher.finish());
    match again_sha256 {
        Ok(sha256) if sha256 == report.file.sha256 => {}
        Ok(sha256) => differences.push(format!(
            "重新评分得到的报告与清单记录的不同（记录 {}，现在 {sha256}）",
            report.file.sha256
        )),
        Err(e) => {
            report_error(format!("无法为重新评分的报告计算散列：{e}"));
            return Outcome::BadInput;
        }
    }
    let on_disk = manifest_file.with_file_name(&report.file.name);
    match sha256_file(&on_disk) {
        Ok(sha256) if sha256 == report.file.sha256 => {}
        Ok(_) => differences.push(format!(
            "报告文件 {} 的内容与清单记录的不同：评分之后被改动过",
            on_disk.display()
        )),
        Err(e) => differences.push(format!("无法读取报告文件 {}：{e}", on_disk.display())),
    }
    if differences.is_empty() {
        eprintln!(
            "重新评分的报告与清单记录一致：{} 个文档，报告 {}，散列 {}",
            produced.documents,
            on_disk.display(),
            report.file.sha256
        );
        // Findings in the report are what was recorded, not a failure to reproduce it.
        if produced.outcome == Outcome::BadInput {
            Outcome::BadInput
        } else {
            Outcome::Clean
        }
    } else {
        for d in &differences {
            report_error(d);
        }
        report_error("报告未通过复核");
        Outcome::Findings
    }
}
