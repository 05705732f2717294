//! Inputs shared by the commands that score: evaluation documents (JSON, JSON Lines) and form
//! files imported on the fly, with the import options that go with them; and the reviewer
//! decisions files.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use crate::cli::flags::FormFlags;
use crate::cli::{Outcome, report_error, report_notice, report_warning};
use jixiao::engine::decisions::DecisionSet;
use jixiao::ingest::import::{ImportError, ImportOptions, for_each_form};
use jixiao::ingest::input::{InputKind, Origin, RawDocument, SeenIds, input_kind, read_documents, repeated_id_message};
use jixiao::ingest::validate::DocumentValidator;
use jixiao::model::document::EvaluationDocument;

/// Input files and how to read the forms among them.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// 评价文档（.json/.jsonl）、自评表（.tsv/.txt/.csv/.xlsx，自动导入）、文件夹（逐层读取其中这些文件）、通配符（如 'forms/**/*.tsv'，由 jixiao 自己展开，按路径排序）或 -（从标准输入读 JSON Lines）
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Budget year and region for forms.
    #[command(flatten)]
    pub form: FormFlags,
}

/// True for the `-` that stands for standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// True when an argument is a glob pattern: it contains `*`, `?` or `[`. (An existing file is
/// always taken as it is, even when its name contains one of these.)
fn is_glob(path: &Path) -> bool {
    path.to_str().is_some_and(|s| s.contains(['*', '?', '[']))
}

/// The inputs with each glob pattern replaced by the files it matches (sorted; see
/// [`expand_glob`]). Other arguments, and existing files whose names merely contain `*`, `?` or
/// `[`, are kept as given. A pattern that matches nothing, or that is not a valid pattern, is
/// reported and makes the run exit 2.
pub fn expand_globs(paths: &[PathBuf], outcome: &mut Outcome) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        if is_stdin(path) || path.exists() || !is_glob(path) {
            out.push(path.clone());
            continue;
        }
        match expand_glob(path) {
            Ok(found) if found.is_empty() => {
                report_error(format!("通配符 {} 没有匹配到任何文件", path.display()));
                *outcome = Outcome::BadInput;
            }
            Ok(found) => out.extend(found),
            Err(e) => {
                report_error(format!("找不到输入 {}，它也不是有效的通配符：{e}", path.display()));
                *outcome = Outcome::BadInput;
            }
        }
    }
    out
}

/// The files a glob pattern matches, sorted. The pattern is split into a literal base folder
/// (the leading path components without `*`, `?` or `[`) and a pattern matched against the
/// path below it: `*` and `?` stay within one path component, `**` spans any number of
/// folders, `[abc]` / `[!abc]` match one character. Only files are matched, never folders.
/// Works the same whatever the shell, so `'forms/**/*.tsv'` can be quoted on any system.
pub fn expand_glob(pattern: &Path) -> Result<Vec<PathBuf>, globset::Error> {
    use std::path::Component;
    let mut base = PathBuf::new();
    let mut rest: Vec<String> = Vec::new();
    for component in pattern.components() {
        match component {
            Component::Normal(part) if rest.is_empty() && !is_glob(Path::new(part)) => base.push(part),
            Component::Normal(part) => rest.push(part.to_string_lossy().into_owned()),
            // `..` after the first pattern component cannot be matched by a walk: kept literal.
            Component::ParentDir if !rest.is_empty() => rest.push("..".to_owned()),
            other => base.push(other.as_os_str()),
        }
    }
    let matcher = globset::GlobBuilder::new(&rest.join("/"))
        .literal_separator(true)
        .build()?
        .compile_matcher();
    let depth = if rest.iter().any(|p| p.contains("**")) {
        usize::MAX
    } else {
        rest.len()
    };
    let root = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base.as_path()
    };
    let mut found = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .min_depth(1)
        .max_depth(depth)
        .follow_links(true);
    for entry in walker.into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let text: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matcher.is_match(text.join("/")) {
            found.push(base.join(relative));
        }
    }
    found.sort();
    Ok(found)
}

/// The inputs with each glob pattern expanded (see [`expand_globs`]) and each folder replaced by
/// the files jixiao reads inside it (recursively, sorted, so runs are deterministic). A missing
/// path is reported and skipped.
pub fn expand_inputs(paths: &[PathBuf], outcome: &mut Outcome) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in &expand_globs(paths, outcome) {
        if is_stdin(path) || path.is_file() {
            out.push(path.clone());
        } else if path.is_dir() {
            let found = walk(path);
            if found.is_empty() {
                report_error(format!("文件夹 {} 中没有可读取的评价文档或自评表", path.display()));
                *outcome = Outcome::BadInput;
            }
            out.extend(found);
        } else {
            report_error(format!("找不到输入 {}", path.display()));
            *outcome = Outcome::BadInput;
        }
    }
    without_repeats(out)
}

/// The inputs with every file that was already named (under the same or another path, through
/// a link or a folder) left out after a warning: a file is read once per run.
fn without_repeats(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen: std::collections::HashMap<PathBuf, PathBuf> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        if is_stdin(&path) {
            out.push(path);
            continue;
        }
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        match seen.get(&key) {
            Some(first) => report_warning(format!(
                "{} 与 {} 是同一个文件，只读取一次",
                path.display(),
                first.display()
            )),
            None => {
                seen.insert(key, path.clone());
                out.push(path);
            }
        }
    }
    out
}

/// The files jixiao reads under a folder, recursively and sorted. Links are followed, but a link
/// back to a folder above it (`up -> ..`, `self -> .`) is noticed and not walked again, so the
/// walk always ends.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        match entry {
            Ok(entry) if entry.file_type().is_file() && input_kind(entry.path()).is_some() => {
                found.push(entry.into_path());
            }
            Ok(_) => {}
            Err(e) if e.loop_ancestor().is_some() => {
                report_warning(format!(
                    "{} 链接回上层文件夹，不再进入",
                    e.path()
                        .map_or_else(|| dir.display().to_string(), |p| p.display().to_string())
                ));
            }
            Err(_) => {}
        }
    }
    found.sort();
    found
}

/// The errors for an imported form's decimals beyond the range documents are held to
/// ([`jixiao::model::range`]), each with its field and cell; `None` when all are within it.
fn beyond_range(file: &str, doc: &EvaluationDocument) -> Option<Vec<String>> {
    let refused: Vec<String> = doc
        .decimals()
        .into_iter()
        .filter(|(_, value)| !jixiao::model::range::within(*value))
        .map(|(pointer, value)| {
            let cell = doc
                .provenance
                .get(&pointer)
                .map(|cell| format!("（单元格 {cell}）"))
                .unwrap_or_default();
            format!(
                "{file}（{}）{pointer}{cell}：数值 {value} 超出可接受的范围：{}",
                doc.id,
                jixiao::model::range::RANGE_TEXT
            )
        })
        .collect();
    (!refused.is_empty()).then_some(refused)
}

/// Reads every input into documents, importing forms with `import_options` (loaded once per run
/// from `args.form`, see [`FormFlags::import_options`]); problems are reported and make the run
/// exit 2.
pub fn load_documents(
    args: &InputArgs,
    import_options: &ImportOptions,
    outcome: &mut Outcome,
) -> Vec<(Origin, EvaluationDocument)> {
    load_documents_with(args, import_options, outcome, &mut SeenIds::default())
}

/// [`load_documents`] with the ids already met in this run ([`SeenIds`]): in input order, the
/// first document with an id is kept and every later one (in any file, of any kind) is reported
/// naming both places and left out.
pub fn load_documents_with(
    args: &InputArgs,
    import_options: &ImportOptions,
    outcome: &mut Outcome,
    seen: &mut SeenIds,
) -> Vec<(Origin, EvaluationDocument)> {
    let mut documents = Vec::new();
    for path in &expand_inputs(&args.inputs, outcome) {
        if is_stdin(path) {
            let mut text = String::new();
            match std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
                Ok(_) => validate(
                    args,
                    jixiao::ingest::input::parse_json_lines("-", &text),
                    seen,
                    &mut documents,
                    outcome,
                ),
                Err(e) => {
                    report_error(format!("无法读取标准输入：{e}"));
                    *outcome = Outcome::BadInput;
                }
            }
            continue;
        }
        match input_kind(path) {
            Some(InputKind::Documents) => match read_documents(path) {
                Ok(docs) => validate(args, docs, seen, &mut documents, outcome),
                Err(e) => {
                    report_error(e);
                    *outcome = Outcome::BadInput;
                }
            },
            Some(InputKind::Forms) => {
                // A workbook beyond the archive limits is refused by name before calamine
                // opens it.
                if let Err(e) = jixiao::ingest::archive::check_workbook(path) {
                    report_error(e);
                    *outcome = Outcome::BadInput;
                    continue;
                }
                // Forms are imported one by one as the file is read (see `for_each_form`); the
                // documents are still collected, for scoring. The importer refuses a repeated id
                // within one file; `seen` catches one repeated from another input.
                let file = path.display().to_string();
                let each = |form: Result<EvaluationDocument, ImportError>| {
                    match form {
                        // A value beyond the range validation holds documents to is refused
                        // here too, as `import` refuses to write it: field and cell named.
                        Ok(d) if d.decimals().iter().any(|(_, v)| !jixiao::model::range::within(*v)) => {
                            beyond_range(&file, &d).iter().flatten().for_each(report_error);
                            *outcome = Outcome::BadInput;
                        }
                        Ok(d) => {
                            let origin = Origin {
                                file: file.clone(),
                                line: d.source.as_ref().map(|s| s.first_row as usize),
                                index: None,
                            };
                            if let Some(first) = seen.first_place(&d.id, &origin) {
                                report_error(format!("{origin}：{}", repeated_id_message(&d.id, &first)));
                                *outcome = Outcome::BadInput;
                            } else {
                                documents.push((origin, d));
                            }
                        }
                        Err(e) => {
                            report_error(e);
                            *outcome = Outcome::BadInput;
                        }
                    }
                    ControlFlow::Continue(())
                };
                match for_each_form(path, import_options, each) {
                    Ok(stats) => {
                        for sheet in stats.skipped_sheets {
                            report_notice(format!("{}：{sheet}", path.display()));
                        }
                    }
                    Err(e) => {
                        report_error(e);
                        *outcome = Outcome::BadInput;
                    }
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
    documents
}

/// Validates the documents of one input against the schema and `seen`, keeping the valid ones.
fn validate(
    args: &InputArgs,
    raw: Vec<RawDocument>,
    seen: &mut SeenIds,
    documents: &mut Vec<(Origin, EvaluationDocument)>,
    outcome: &mut Outcome,
) {
    match DocumentValidator::shared() {
        Ok(validator) => {
            let (valid, problems) = validator.check_batch_with(raw, seen);
            for problem in &problems {
                report_error(problem);
            }
            if !problems.is_empty() {
                *outcome = Outcome::BadInput;
            }
            documents.extend(valid.into_iter().map(|(origin, mut doc)| {
                if doc.region.is_none() {
                    doc.region.clone_from(&args.form.region);
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

/// Warns on stderr about decisions whose document is not among `documents`: they are stale for
/// this run and change nothing (and do not affect the exit code).
pub fn warn_unmatched(decisions: &DecisionSet, documents: &[(Origin, EvaluationDocument)]) {
    warn_unmatched_ids(decisions, documents.iter().map(|(_, doc)| doc.id.as_str()));
}

/// [`warn_unmatched`] given the ids of the run's documents (a streamed run keeps only the ids
/// that some decision names).
pub fn warn_unmatched_ids<'a>(decisions: &DecisionSet, ids: impl IntoIterator<Item = &'a str>) {
    for d in decisions.not_in(ids) {
        report_warning(format!(
            "审核决定未生效（{}，{}）：本次运行中没有编号为“{}”的文档",
            d.source,
            d.kind().label(),
            d.document
        ));
    }
}
