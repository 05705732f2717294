//! `jixiao import INPUT...`: spreadsheet exports of 自评表 → evaluation documents, each written as
//! soon as its form is read.

use std::io::{BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use crate::cli::flags::FormFlags;
use crate::cli::inputs::expand_inputs;
use crate::cli::{Outcome, report_error, report_notice};
use jixiao::ingest::import::{ImportError, SkippedSheet, for_each_form};
use jixiao::ingest::input::{InputKind, input_kind};
use jixiao::ingest::validate::DocumentValidator;
use jixiao::model::document::EvaluationDocument;
use jixiao::report::output::write_atomic;

/// Arguments of `jixiao import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 自评表文件（.tsv/.txt/.csv/.xlsx，一个文件可含多张表）、文件夹（逐层查找其中的自评表）或加引号的通配符（如 '表格/**/*.xlsx'）
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Budget year and region for the forms.
    #[command(flatten)]
    form: FormFlags,
    /// 输出：文件夹（每张表一个 JSON 文件）或 -（JSON Lines 写到标准输出，默认）
    #[arg(short = 'o', long, value_name = "DIR|-", default_value = "-")]
    output: String,
}

/// Longest file name written for a document, in bytes, before `.json`: file systems allow 255
/// bytes, and a Chinese character takes three.
const MAX_NAME_BYTES: usize = 200;

/// A file name for a document id: the id with path separators and control characters replaced,
/// cut at a character boundary when too long for the file system (then marked with a short hash
/// of the whole id, so two long ids that share their start still get different names), and made
/// unique among `taken` with a `-2`, `-3`… suffix (then `true`).
fn file_name_for(doc: &EvaluationDocument, taken: &mut std::collections::HashSet<String>) -> (String, bool) {
    let safe: String = doc
        .id
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let stem = if safe.len() > MAX_NAME_BYTES {
        let mut cut = MAX_NAME_BYTES - 9;
        while !safe.is_char_boundary(cut) {
            cut -= 1;
        }
        let hash = jixiao::runs::manifest::sha256_hex(doc.id.as_bytes());
        format!(
            "{}~{}",
            safe.get(..cut).unwrap_or_default(),
            hash.get(..8).unwrap_or_default()
        )
    } else {
        safe
    };
    let mut name = format!("{stem}.json");
    let mut n = 1;
    while !taken.insert(name.clone()) {
        n += 1;
        name = format!("{stem}-{n}.json");
    }
    (name, n > 1)
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
        doc.layout.as_ref().map_or("格式未记录", |l| if l.title.is_empty() {
            &l.family
        } else {
            &l.title
        })
    );
    if let Some(g) = doc.region_inferred.as_ref().filter(|_| doc.region.is_none()) {
        line.push_str(&format!("，地区推断为{}（{}中的“{}”）", g.title, g.field, g.place));
    }
    if !doc.realignments.is_empty() {
        line.push_str(&format!("；重新对齐 {} 处", doc.realignments.len()));
        for r in &doc.realignments {
            line.push_str(&format!("\n    第 {} 行：{}", r.row, r.action));
        }
    }
    if !doc.import_issues.is_empty() {
        line.push_str(&format!("；导入问题 {} 个", doc.import_issues.len()));
        for i in &doc.import_issues {
            line.push_str(&format!("\n    {}：{}", i.at.a1(), i.detail));
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

/// Where imported documents go.
enum Sink {
    /// JSON Lines on standard output, buffered.
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    /// One pretty-printed JSON file per form in a folder, and the names already written.
    Dir(PathBuf, std::collections::HashSet<String>),
}

impl Sink {
    /// Writes one checked document; gives the file name when it had to differ from the id's
    /// (an id already written in this run).
    fn write(&mut self, doc: &EvaluationDocument, value: &serde_json::Value) -> Result<Option<String>, String> {
        match self {
            Sink::Stdout(out) => serde_json::to_writer(&mut *out, value)
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
                .map(|()| None)
                .map_err(|e| format!("无法写入标准输出：{e}")),
            Sink::Dir(dir, taken) => {
                let (name, renamed) = file_name_for(doc, taken);
                let target = dir.join(&name);
                let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
                text.push('\n');
                write_atomic(&target, text.as_bytes()).map_err(|e| e.to_string())?;
                Ok(renamed.then_some(name))
            }
        }
    }

    fn flush(&mut self) -> Result<(), String> {
        match self {
            Sink::Stdout(out) => out.flush().map_err(|e| format!("无法写入标准输出：{e}")),
            Sink::Dir(..) => Ok(()),
        }
    }
}

/// What the reading thread hands to the writing thread.
#[expect(
    clippy::large_enum_variant,
    reason = "nearly every item is a form; boxing it buys nothing"
)]
enum Item<'a> {
    /// One form of an input, imported or not.
    Form(&'a Path, Result<EvaluationDocument, ImportError>),
    /// An input that could not be read at all.
    File(ImportError),
    /// A workbook sheet skipped for holding no form.
    Skipped(&'a Path, SkippedSheet),
}

/// Forms in flight between the threads: enough to keep both busy, few enough that memory stays
/// flat (a document is tens of kilobytes).
const IN_FLIGHT: usize = 64;

/// Imports each input form by form, writing each document as soon as it is read. Two threads: one
/// reads and imports forms (delimited text is streamed, so memory does not grow with the number
/// of forms), the other checks each document against the schema and writes it, in file order.
pub fn run(args: &Args) -> Outcome {
    let Some(options) = args.form.import_options() else {
        return Outcome::BadInput;
    };
    // Folders and globs as `score` takes them; evaluation documents found in a folder (such as
    // an earlier import's output) are not forms and are left out, said once.
    let mut inputs_outcome = Outcome::Clean;
    let mut documents_left = 0usize;
    let inputs: Vec<PathBuf> = expand_inputs(&args.inputs, &mut inputs_outcome)
        .into_iter()
        .filter(|p| {
            let document = input_kind(p) == Some(InputKind::Documents) && !args.inputs.contains(p);
            documents_left += usize::from(document);
            !document
        })
        .collect();
    if documents_left > 0 {
        report_notice(format!(
            "文件夹中的 {documents_left} 个评价文档（.json/.jsonl）未读取：import 只读取自评表；评分请用 jixiao score"
        ));
    }
    if inputs.is_empty() {
        if inputs_outcome == Outcome::Clean {
            report_error("没有可导入的自评表（.tsv/.txt/.csv/.xlsx）");
        }
        return Outcome::BadInput;
    }
    let validator = match DocumentValidator::shared() {
        Ok(v) => v,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    let mut sink = if args.output == "-" {
        Sink::Stdout(BufWriter::with_capacity(1 << 16, std::io::stdout().lock()))
    } else {
        let dir = PathBuf::from(&args.output);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            report_error(format!("无法创建输出文件夹 {}：{e}", dir.display()));
            return Outcome::BadInput;
        }
        Sink::Dir(dir, std::collections::HashSet::new())
    };
    // A workbook beyond the archive limits is refused by name before calamine opens it.
    let inputs: Vec<PathBuf> = inputs
        .into_iter()
        .filter(|path| match jixiao::ingest::archive::check_workbook(path) {
            Ok(()) => true,
            Err(e) => {
                report_error(e);
                inputs_outcome = Outcome::BadInput;
                false
            }
        })
        .collect();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Item<'_>>(IN_FLIGHT);
        let options = &options;
        let inputs = &inputs;
        let reader = std::thread::Builder::new()
            .name("import".to_owned())
            .spawn_scoped(scope, move || {
                for path in inputs {
                    let sent = for_each_form(path, options, |form| {
                        if tx.send(Item::Form(path, form)).is_ok() {
                            ControlFlow::Continue(())
                        } else {
                            ControlFlow::Break(())
                        }
                    });
                    let gone = match sent {
                        Ok(stats) => {
                            stats.stopped
                                || stats
                                    .skipped_sheets
                                    .into_iter()
                                    .any(|s| tx.send(Item::Skipped(path, s)).is_err())
                        }
                        Err(e) => tx.send(Item::File(e)).is_err(),
                    };
                    if gone {
                        break;
                    }
                }
            });
        if let Err(e) = reader {
            report_error(format!("无法启动导入线程：{e}"));
            return Outcome::BadInput;
        }
        let written = write_all(rx, validator, &mut sink);
        if inputs_outcome == Outcome::BadInput {
            Outcome::BadInput
        } else {
            written
        }
    })
}

/// The writing side: checks each document against the schema and writes it; reports every bad
/// form and input as it comes.
fn write_all(rx: Receiver<Item<'_>>, validator: &DocumentValidator, sink: &mut Sink) -> Outcome {
    // Progress and per-form notes go to stderr, buffered too: one line per form adds up.
    let mut notes = BufWriter::new(std::io::stderr().lock());
    let mut outcome = Outcome::Clean;
    let mut written = 0usize;
    let mut write_failed = None;
    for item in rx {
        let (path, doc) = match item {
            Item::Form(path, Ok(doc)) => (path, doc),
            Item::Form(_, Err(e)) | Item::File(e) => {
                let _ = notes.flush();
                report_error(e);
                outcome = Outcome::BadInput;
                continue;
            }
            Item::Skipped(path, sheet) => {
                let _ = notes.flush();
                report_notice(format!("{}：{sheet}", path.display()));
                continue;
            }
        };
        let value = match serde_json::to_value(&doc) {
            Ok(v) => v,
            Err(e) => {
                let _ = notes.flush();
                report_error(format!("{}：无法序列化：{e}", doc.id));
                outcome = Outcome::BadInput;
                continue;
            }
        };
        if let Err(problems) = validator.check_schema(&value) {
            let _ = notes.flush();
            for (pointer, message) in problems {
                // The cell the field was read from, where the importer recorded it.
                let cell = doc
                    .provenance
                    .get(&pointer)
                    .map(|cell| format!("（单元格 {cell}）"))
                    .unwrap_or_default();
                report_error(format!(
                    "{}（{}）{pointer}{cell}：导入结果不符合文档模式：{message}",
                    path.display(),
                    doc.id
                ));
            }
            outcome = Outcome::BadInput;
            continue;
        }
        // Project names and cell texts may hold control characters: shown, never acting.
        let _ = writeln!(notes, "{}", jixiao::report::visible::visible(&describe(&doc)));
        let written_as = sink.write(&doc, &value);
        if let Ok(Some(name)) = &written_as {
            let note = format!("注意：编号 {} 的文档本次已写过一次，这一份写为 {name}", doc.id);
            let _ = writeln!(notes, "{}", jixiao::report::visible::visible(&note));
        }
        if let Err(e) = written_as {
            if matches!(sink, Sink::Stdout(_)) {
                // Standard output is gone: dropping the receiver stops the reading thread.
                write_failed = Some(e);
                break;
            }
            // One form that cannot be written to the folder does not stop the others.
            let _ = notes.flush();
            report_error(format!("{}（{}）：{e}", path.display(), doc.id));
            outcome = Outcome::BadInput;
            continue;
        }
        written += 1;
    }
    if let Err(e) = sink.flush() {
        write_failed.get_or_insert(e);
    }
    let _ = writeln!(notes, "共导入 {written} 张表");
    let _ = notes.flush();
    if let Some(e) = write_failed {
        report_error(e);
        return Outcome::BadInput;
    }
    outcome
}
