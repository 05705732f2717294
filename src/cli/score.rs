//! `jixiao score INPUT...`: recompute every number of each form under its rule set and report.
//! With `-o FILE` the report is written atomically, with a run manifest beside it
//! (`FILE.manifest.json`: engine, rule-set, input and decisions hashes, options, the report's
//! hash) that `jixiao verify` replays ([`crate::cli::verify`]).

use std::io::{BufRead, IsTerminal as _, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::flags::RuleFlags;
use crate::cli::inputs::{
    InputArgs, expand_inputs, is_stdin, load_documents, load_documents_with, warn_unmatched, warn_unmatched_ids,
};
use crate::cli::{Outcome, report_error};
use jixiao::engine::decisions::DecisionSet;
use jixiao::engine::pipeline::choice_reason;
use jixiao::engine::pipeline::{FailOn, Pipeline};
use jixiao::engine::scoring::Scorecard;
use jixiao::ingest::import::ImportOptions;
use jixiao::ingest::input::SeenIds;
use jixiao::policy::select::Catalogue;
use jixiao::report::html::{Details, detail_folder_name};
use jixiao::report::output::{AtomicFile, WriteError};
use jixiao::report::{self, CsvTable, Format, RenderError, RenderOptions, ReportWriter, render};
use jixiao::runs::batch::{BatchOptions, BatchStats, Encoder, score_lines, worst_index};
use jixiao::runs::manifest::{
    BackgroundSha256, Hashed, HashingReader, HashingWriter, Manifest, ReportRecord, catalogue_hashes, engine,
    hash_file, layout_hashes, manifest_path,
};

/// Arguments of `jixiao score`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Rule sets and reviewer decisions.
    #[command(flatten)]
    pub(crate) scoring: RuleFlags,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// 写入文件（原子写入）而不是标准输出；同时在旁边写运行清单 FILE.manifest.json，供 jixiao verify 复核
    #[arg(short = 'o', long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// --format csv 写哪张表：documents 每表一行、indicators 每指标一行、findings 每条发现一行、decisions 每个审核决定一行
    #[arg(long, value_enum, default_value_t = CsvTable::Documents)]
    pub(crate) csv_table: CsvTable,
    /// 达到此严重程度的发现使退出码为 1：error、warning 或 never
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub(crate) fail_on: FailOn,
    /// 不显示进度条和结尾的计数行
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

/// What producing a report concluded.
pub(crate) struct Produced {
    pub(crate) outcome: Outcome,
    /// Documents scored.
    pub(crate) documents: usize,
    /// The report stopped midway (a write or read failure): an output file must not be kept.
    pub(crate) broken: bool,
    /// SHA-256 of the input files hashed while they were read (JSON Lines), for the manifest.
    pub(crate) input_hashes: Vec<(PathBuf, String)>,
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

/// `--format jsonl|csv|xlsx|html`: documents stream through in parallel chunks and their
/// scorecards go to the report in input order as they are scored ([`ReportWriter`]); memory
/// stays flat whatever the corpus size. `details` is where a corpus HTML report puts its
/// detail pages.
fn stream_report(
    args: &Args,
    (catalogue, decisions, import_options): (&Catalogue, &DecisionSet, &ImportOptions),
    options: &RenderOptions,
    details: Option<Details>,
    sink: &mut (dyn Write + Send),
) -> Produced {
    let mut outcome = Outcome::Clean;
    let inputs = expand_inputs(&args.input.inputs, &mut outcome);
    let mut input_hashes = Vec::new();
    // Progress by input bytes: the share of the corpus read, and the time left at this pace.
    let total_bytes: u64 = inputs
        .iter()
        .filter(|p| !is_stdin(p))
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let progress = progress_bar(
        args.quiet,
        total_bytes,
        "{wide_bar} {percent}% {msg} 用时 {elapsed} 剩余约 {eta}",
    );
    let format = args.format;
    // Without --region and --rules, which set each document got and why, said once per run.
    let tally_choices = format != Format::Jsonl && args.input.form.region.is_none() && !catalogue.is_forced();
    let batch = BatchOptions {
        default_region: args.input.form.region.clone(),
        fail_on: args.fail_on,
        tally_choices,
        ..BatchOptions::default()
    };
    let encode = |card: &Scorecard, out: &mut Vec<u8>| report::encode(format, options.csv_table, card, out);
    let encoder = Encoder {
        encode: &encode,
        keep_cards: report::keeps_cards(format),
    };
    let mut writer = match ReportWriter::new(format, options, details) {
        Ok(w) => w,
        Err(e) => {
            report_error(e);
            return Produced::broken(0);
        }
    };
    if let Err(e) = writer.start(sink) {
        report_error(e);
        return Produced::broken(0);
    }
    let pipeline = Pipeline::new(catalogue, decisions);
    let mut totals = BatchStats::default();
    // One rule for repeated ids across the run, whatever the input's kind (see `SeenIds`).
    let mut seen = SeenIds::default();
    let mut bytes = Vec::new();
    for path in &inputs {
        let name = path.display().to_string();
        let lines = is_stdin(path) || matches!(path.extension().and_then(|e| e.to_str()), Some("jsonl" | "ndjson"));
        if !lines {
            // Forms and whole-JSON files are read as before, then scored one by one.
            let one = InputArgs {
                inputs: vec![path.clone()],
                ..args.input.clone()
            };
            progress.inc(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0));
            for (origin, doc) in load_documents_with(&one, import_options, &mut outcome, &mut seen) {
                match pipeline.score(&doc) {
                    Ok(scored) => {
                        let card = scored.card;
                        let choice =
                            tally_choices.then(|| (scored.rules.id.clone(), choice_reason(&doc, &scored.rules)));
                        totals.count(worst_index(&card), args.fail_on.trips(&card), choice);
                        if !decisions.for_document(&card.id).is_empty() {
                            totals.decided.push(card.id.clone());
                        }
                        bytes.clear();
                        let written = encode(&card, &mut bytes)
                            .map_err(|e| RenderError::Io(std::io::Error::other(e)))
                            .and_then(|()| writer.add(&bytes, Some(&card), sink));
                        if let Err(e) = written {
                            report_error(e);
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
                        inner: Counted {
                            inner: f,
                            progress: progress.clone(),
                        },
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
        let result = score_lines(
            reader,
            catalogue,
            &batch,
            decisions,
            (&name, &mut seen),
            encoder,
            |bytes, card| writer.add(bytes, card.as_deref(), sink).map_err(std::io::Error::other),
            |r| {
                let id = r.id.as_deref().map(|i| format!("（{i}）")).unwrap_or_default();
                progress.suspend(|| report_error(format!("{name} 第{}行{id}：{}", r.line, r.reason)));
            },
            |n| progress.set_message(format!("已评分 {} 个文档", base + n)),
        );
        match result {
            Ok(stats) => {
                if let Some(hasher) = file_reader.and_then(|read| read.into_inner().hasher) {
                    match hasher.finish() {
                        Ok(sha256) => input_hashes.push((path.clone(), sha256)),
                        Err(e) => report_error(e),
                    }
                }
                totals.add(stats);
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
    warn_unmatched_ids(decisions, totals.decided.iter().map(String::as_str));
    if let Err(e) = writer.finish(sink) {
        report_error(e);
        return Produced::broken(totals.scored);
    }
    if let Err(e) = sink.flush() {
        report_error(format!("写出失败：{e}"));
        return Produced::broken(totals.scored);
    }
    if !args.quiet && (format == Format::Jsonl || (args.output.is_some() && totals.scored > 0)) {
        eprintln!("{}", closing_counts(totals.scored, totals.by_worst, totals.rejected));
    }
    if format != Format::Jsonl {
        if totals.scored == 0 && outcome == Outcome::Clean {
            crate::cli::report_notice("没有任何文档可评分（输入中没有评价文档或自评表）");
        }
        note_choices(&totals.choices);
    }
    if outcome == Outcome::Clean && totals.tripped > 0 {
        outcome = Outcome::Findings;
    }
    Produced {
        outcome,
        documents: totals.scored,
        broken: false,
        input_hashes,
    }
}

/// Says which rule set each document got and why, when `--region` and `--rules` are absent.
fn note_choices(choices: &[(String, String, usize)]) {
    if choices.is_empty() {
        return;
    }
    let said: Vec<String> = choices
        .iter()
        .map(|(id, why, n)| format!("{id} 用于 {n} 张表（{why}）"))
        .collect();
    crate::cli::report_notice(format!(
        "未指定 --region：{}；用 --region 或 --rules 可改",
        said.join("；")
    ));
}

/// A progress bar on standard error of `len` units drawn with `template`, or a hidden one when
/// `--quiet` or standard error is no terminal.
fn progress_bar(quiet: bool, len: u64, template: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar
}

/// A reader that advances a progress bar by the bytes read.
struct Counted<R> {
    inner: R,
    progress: ProgressBar,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.inc(u64::try_from(n).unwrap_or(0));
        Ok(n)
    }
}

/// "共评分 N 个文档：有错误 a，最重为警告 b，最重为提示 c，没有发现 d；M 个无法评分".
fn closing_counts(scored: usize, by_worst: [usize; 4], unscored: usize) -> String {
    let [errors, warnings, infos, none] = by_worst;
    let unscored = if unscored > 0 {
        format!("；{unscored} 个无法评分")
    } else {
        String::new()
    };
    format!(
        "共评分 {scored} 个文档：有错误 {errors}，最重为警告 {warnings}，最重为提示 {infos}，没有发现 {none}{unscored}"
    )
}

/// Columns of the terminal standard output is, when it is one.
fn terminal_width() -> Option<usize> {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    let size = rustix::termios::tcgetwinsize(&stdout).ok()?;
    Some(usize::from(size.ws_col)).filter(|w| *w >= 40)
}

/// Scores every input and writes the report to `sink`: what `jixiao score` prints or writes, and
/// what [`crate::cli::verify`] renders again. `created` is the workbook's creation time (`xlsx`);
/// `details` is where a corpus HTML report puts its detail pages.
pub(crate) fn produce(
    args: &Args,
    (catalogue, decisions, import_options): (&Catalogue, &DecisionSet, &ImportOptions),
    created: Option<i64>,
    details: Option<Details>,
    sink: &mut (dyn Write + Send),
) -> Produced {
    let options = RenderOptions {
        csv_table: args.csv_table,
        created,
        // The terminal table fits the terminal it is printed on.
        width: args.output.is_none().then(terminal_width).flatten(),
    };
    if matches!(args.format, Format::Jsonl | Format::Csv | Format::Xlsx | Format::Html) {
        return stream_report(args, (catalogue, decisions, import_options), &options, details, sink);
    }
    let mut outcome = Outcome::Clean;
    let documents = load_documents(&args.input, import_options, &mut outcome);
    warn_unmatched(decisions, &documents);
    let pipeline = Pipeline::new(catalogue, decisions);
    let mut cards = Vec::with_capacity(documents.len());
    let mut unscored = 0usize;
    let progress = progress_bar(
        args.quiet || documents.len() < 1000,
        u64::try_from(documents.len()).unwrap_or(u64::MAX),
        "{wide_bar} {pos}/{len} 张表 用时 {elapsed} 剩余约 {eta}",
    );
    // Without --region and --rules, which set each document got and why, said once per run.
    let tally_choices = args.input.form.region.is_none() && !catalogue.is_forced();
    let mut counts = BatchStats::default();
    for (origin, doc) in &documents {
        progress.inc(1);
        match pipeline.score(doc) {
            Ok(scored) => {
                let choice = tally_choices.then(|| (scored.rules.id.clone(), choice_reason(doc, &scored.rules)));
                counts.count(worst_index(&scored.card), false, choice);
                cards.push(scored.card);
            }
            Err(e) => {
                progress.suspend(|| report_error(format!("{origin}（{}）：{e}", doc.id)));
                unscored += 1;
                outcome = Outcome::BadInput;
            }
        }
    }
    progress.finish_and_clear();
    if !args.quiet && !cards.is_empty() && args.output.is_some() {
        eprintln!("{}", closing_counts(counts.scored, counts.by_worst, unscored));
    }
    note_choices(&counts.choices);
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
    if cards.is_empty() && outcome == Outcome::Clean {
        crate::cli::report_notice("没有任何文档可评分（输入中没有评价文档或自评表）");
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

/// Unix seconds now.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}

/// Name of a value of a clap value enum, as typed on the command line.
fn value_name(value: &impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
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
        rules_option: args.scoring.rules.clone(),
        decisions: hashed(&args.scoring.decisions)?,
        year: args.input.form.year,
        default_year: args.input.form.default_year,
        region: args.input.form.region.clone(),
        layouts: layout_hashes(&args.input.form.layouts)
            .map_err(|e| eprintln!("警告：{e}，未写运行清单"))
            .ok()?,
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
        directory: jixiao::runs::manifest::current_directory(),
    })
}

/// The folder of a corpus HTML report's detail pages, `FILE.d` beside `FILE`: written as a
/// hidden temporary folder beside it and renamed into place just before the page, so the page
/// and its details appear together.
struct DetailFolder {
    temp: tempfile::TempDir,
    /// The page's file name.
    page: String,
}

impl DetailFolder {
    fn create(output: &Path) -> Result<Self, String> {
        let dir = jixiao::report::output::folder_of(output);
        let page = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{page}.d-"))
            .tempdir_in(dir)
            .map_err(|e| format!("无法在 {} 中建立临时文件夹：{e}", dir.display()))?;
        Ok(Self { temp, page })
    }

    /// Where the HTML report writes its detail pages.
    fn details(&self) -> Details {
        let temp = self.temp.path().to_owned();
        Details {
            folder: detail_folder_name(&self.page),
            page: self.page.clone(),
            write: Box::new(move |name, bytes| std::fs::write(temp.join(name), bytes)),
        }
    }
}

/// Puts a report in place: first its detail folder, when it has one (replacing an older one),
/// then the file. A single-page HTML report removes a detail folder an earlier run left, which
/// would describe an older report.
fn commit_report(report: AtomicFile, folder: Option<DetailFolder>, output: &Path) -> Result<(), String> {
    let target = output.with_file_name(detail_folder_name(
        &output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    ));
    let used = folder
        .as_ref()
        .is_some_and(|f| std::fs::read_dir(f.temp.path()).is_ok_and(|mut d| d.next().is_some()));
    if folder.is_some() && std::fs::symlink_metadata(&target).is_ok() {
        // The older folder is moved aside first, so the new one can take its name.
        let aside = folder
            .as_ref()
            .map(|f| PathBuf::from(format!("{}-old", f.temp.path().display())))
            .unwrap_or_default();
        std::fs::rename(&target, &aside)
            .and_then(|()| std::fs::remove_dir_all(&aside))
            .map_err(|e| format!("无法替换旧的明细文件夹 {}：{e}", target.display()))?;
    }
    if let Some(folder) = folder.filter(|_| used) {
        std::fs::rename(folder.temp.path(), &target)
            .map_err(|e| format!("无法写出明细文件夹 {}：{e}", target.display()))?;
    }
    report.commit().map_err(|e| {
        if used {
            let _ = std::fs::remove_dir_all(&target);
        }
        format!("写出失败：{e}")
    })
}

/// `score -o FILE`: the report and its manifest beside it are written in full, then put in
/// place (nothing appears at `FILE` unless it is complete, and the report is removed again if
/// its manifest cannot be put in place).
fn write_report(
    args: &Args,
    output: &Path,
    catalogue: &Catalogue,
    decisions: &DecisionSet,
    import_options: &ImportOptions,
) -> Outcome {
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
        HashingWriter {
            inner: file,
            hasher: BackgroundSha256::new(),
        },
    );
    // A corpus HTML report's detail pages go to a temporary folder, renamed into place with it.
    let folder = match (args.format == Format::Html)
        .then(|| DetailFolder::create(output))
        .transpose()
    {
        Ok(folder) => folder,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    let details = folder.as_ref().map(DetailFolder::details);
    let produced = produce(
        &expanded,
        (catalogue, decisions, import_options),
        created,
        details,
        &mut sink,
    );
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
    let manifest_file = manifest_path(output);
    let Some(manifest) = score_manifest(&expanded, &files, catalogue, created, &produced, report_sha256) else {
        if let Err(e) = commit_report(written.inner, folder, output) {
            report_error(e);
            return Outcome::BadInput;
        }
        // An older manifest there would describe an older report.
        if std::fs::symlink_metadata(&manifest_file).is_ok() && std::fs::remove_file(&manifest_file).is_ok() {
            eprintln!(
                "警告：已删除旧的运行清单 {}（它记录的是上一次的报告）",
                manifest_file.display()
            );
        }
        return outcome.max(produced.outcome);
    };
    // The report and its manifest are both written in full before either appears, then put in
    // place one after the other; should the manifest not go in place, the report goes too, so
    // a report is never left without the manifest that lets `verify` check it.
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    let manifest_written = AtomicFile::create(&manifest_file).and_then(|mut file| {
        file.write_all(text.as_bytes()).map_err(|source| WriteError {
            path: manifest_file.clone(),
            source,
        })?;
        file.sync()?;
        Ok(file)
    });
    let manifest_written = match manifest_written {
        Ok(file) => file,
        Err(e) => {
            report_error(e);
            report_error(format!("未写出报告 {}：没有运行清单", output.display()));
            return Outcome::BadInput;
        }
    };
    if let Err(e) = commit_report(written.inner, folder, output) {
        report_error(e);
        return Outcome::BadInput;
    }
    if let Err(e) = manifest_written.commit() {
        report_error(e);
        let _ = std::fs::remove_file(output);
        report_error(format!(
            "已删除刚写出的报告 {}：它的运行清单写不进去，没有清单的报告无法复核",
            output.display()
        ));
        return Outcome::BadInput;
    }
    outcome.max(produced.outcome)
}

pub fn run(args: &Args) -> Outcome {
    if args.format.is_binary() && args.output.is_none() {
        report_error("--format xlsx 生成的是二进制文件，不能输出到终端：请用 -o 文件名.xlsx 指定输出文件");
        return Outcome::BadInput;
    }
    let Some((catalogue, decisions)) = args.scoring.load() else {
        return Outcome::BadInput;
    };
    if !args.input.form.region_is_known(&catalogue) {
        return Outcome::BadInput;
    }
    let Some(import_options) = args.input.form.import_options() else {
        return Outcome::BadInput;
    };
    if let Some(output) = &args.output {
        return write_report(args, output, &catalogue, &decisions, &import_options);
    }
    let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
    produce(args, (&catalogue, &decisions, &import_options), None, None, &mut stdout).outcome
}
