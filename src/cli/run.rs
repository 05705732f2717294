//! `jixiao run CORPUS --baseline DIR [--check | --approve --reason TEXT]` (snapshot compliance
//! runs) and `jixiao verify MANIFEST` (re-run a recorded run and confirm identical results; a
//! manifest written by `jixiao score -o` is replayed by [`crate::cli::score::verify_report`]).

use std::path::{Path, PathBuf};

use crate::cli::inputs::{InputArgs, expand_inputs, is_stdin, load_catalogue, load_decisions, load_documents};
use crate::cli::{Outcome, report_error};
use jixiao::engine::decisions::score_with_decisions;
use jixiao::policy::select::Catalogue;
use jixiao::report::output::write_atomic;
use jixiao::runs::baseline::{
    Approval, DocResult, Hashed, Manifest, compare, now_text, parse_results, results_text, sha256_file, sha256_hex,
};

/// Arguments of `jixiao run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// 基线文件夹：保存每个文档的结果、运行清单和审批历史
    #[arg(long, value_name = "DIR")]
    baseline: PathBuf,
    /// 与基线对比：有差异时列出并以退出码 1 结束，不修改基线
    #[arg(long, conflicts_with = "approve")]
    check: bool,
    /// 接受本次结果为新基线（须用 --reason 说明原因）
    #[arg(long, requires = "reason")]
    approve: bool,
    /// 接受新结果的原因（记入基线历史）
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// 审批人（默认取登录名）
    #[arg(long, value_name = "NAME")]
    reviewer: Option<String>,
    /// 规则集：内置编号或文件夹；不指定时按文档的年度和地区选择
    #[arg(long, value_name = "ID|PATH")]
    rules: Option<String>,
    /// 审核决定文件（可多次指定）
    #[arg(long, value_name = "FILE")]
    decisions: Vec<PathBuf>,
}

/// Arguments of `jixiao verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// 运行清单：基线文件夹中的 manifest.json，或 jixiao score -o 文件 写在输出文件旁的 文件.manifest.json
    #[arg(value_name = "MANIFEST")]
    manifest: PathBuf,
}

/// A file's name as given and the SHA-256 of its content.
pub(crate) fn hash_file(path: &Path) -> Result<Hashed, String> {
    let sha256 = sha256_file(path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
    Ok(Hashed {
        name: path.display().to_string(),
        sha256,
    })
}

/// The content hash of a rule set of the catalogue: every file's name and text, in order.
pub(crate) fn ruleset_hash(catalogue: &Catalogue, id: &str) -> Hashed {
    let mut bytes = Vec::new();
    if let Some(set) = catalogue.sets().iter().find(|s| s.id == id) {
        for (name, text) in &set.files.files {
            bytes.extend_from_slice(name.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(text.as_bytes());
            bytes.push(0);
        }
    }
    Hashed {
        name: id.to_owned(),
        sha256: sha256_hex(&bytes),
    }
}

/// A scored corpus with what its manifest needs.
struct Scored {
    results: Vec<DocResult>,
    manifest: Manifest,
}

fn score_corpus(
    input: &InputArgs,
    rules: Option<&str>,
    decisions_paths: &[PathBuf],
    outcome: &mut Outcome,
) -> Option<Scored> {
    let Some(catalogue) = load_catalogue(rules) else {
        *outcome = Outcome::BadInput;
        return None;
    };
    let decisions = load_decisions(decisions_paths)?;
    let files = expand_inputs(&input.inputs, outcome);
    if files.iter().any(|p| is_stdin(p)) {
        report_error("基线运行需要可以重新读取的输入文件，不能使用标准输入（-）");
        *outcome = Outcome::BadInput;
        return None;
    }
    let mut inputs = Vec::new();
    for f in &files {
        match hash_file(f) {
            Ok(h) => inputs.push(h),
            Err(e) => {
                report_error(e);
                *outcome = Outcome::BadInput;
            }
        }
    }
    let expanded = InputArgs {
        inputs: files,
        ..input.clone()
    };
    let documents = load_documents(&expanded, outcome);
    let mut results = Vec::with_capacity(documents.len());
    let mut used = std::collections::BTreeSet::new();
    for (origin, doc) in &documents {
        let scored = catalogue
            .select(doc.year, doc.region.as_deref())
            .map_err(|e| e.to_string())
            .and_then(|r| score_with_decisions(&r, doc, &decisions.for_document(&doc.id)).map_err(|e| e.to_string()));
        match scored {
            Ok(card) => {
                used.insert(card.ruleset.clone());
                results.push(DocResult::of(&card));
            }
            Err(e) => {
                report_error(format!("{origin}（{}）：{e}", doc.id));
                *outcome = Outcome::BadInput;
            }
        }
    }
    let mut decision_hashes = Vec::new();
    for p in decisions_paths {
        match hash_file(p) {
            Ok(h) => decision_hashes.push(h),
            Err(e) => report_error(e),
        }
    }
    let manifest = Manifest {
        engine: engine(),
        inputs,
        rulesets: used.iter().map(|id| ruleset_hash(&catalogue, id)).collect(),
        rules_option: rules.map(str::to_owned),
        decisions: decision_hashes,
        year: input.year,
        default_year: input.default_year,
        region: input.region.clone(),
        documents: results.len(),
        results_sha256: sha256_hex(results_text(&results).as_bytes()),
        report: None,
    };
    Some(Scored { results, manifest })
}

fn write(path: &Path, text: &str) -> bool {
    match write_atomic(path, text.as_bytes()) {
        Ok(()) => true,
        Err(e) => {
            report_error(e);
            false
        }
    }
}

fn record(dir: &Path, scored: &Scored, approval: &Approval) -> bool {
    if let Err(e) = std::fs::create_dir_all(dir) {
        report_error(format!("无法创建基线文件夹 {}：{e}", dir.display()));
        return false;
    }
    let history_path = dir.join("history.jsonl");
    let mut history = std::fs::read_to_string(&history_path).unwrap_or_default();
    history.push_str(&serde_json::to_string(approval).unwrap_or_default());
    history.push('\n');
    write(&dir.join("results.jsonl"), &results_text(&scored.results))
        && write(
            &dir.join("manifest.json"),
            &(serde_json::to_string_pretty(&scored.manifest).unwrap_or_default() + "\n"),
        )
        && write(&history_path, &history)
}

fn reviewer(given: Option<&String>) -> String {
    given
        .cloned()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .unwrap_or_else(|| "未知".to_owned())
}

pub fn run(args: &Args) -> Outcome {
    let mut outcome = Outcome::Clean;
    let Some(scored) = score_corpus(&args.input, args.rules.as_deref(), &args.decisions, &mut outcome) else {
        return Outcome::BadInput;
    };
    if outcome == Outcome::BadInput {
        report_error("有输入无法评分，基线未改动");
        return outcome;
    }
    let results_path = args.baseline.join("results.jsonl");
    let existing = match std::fs::read_to_string(&results_path) {
        Ok(text) => match parse_results(&text) {
            Ok(r) => Some(r),
            Err(e) => {
                report_error(format!("{}：{e}", results_path.display()));
                return Outcome::BadInput;
            }
        },
        Err(_) => None,
    };
    match (existing, args.check, args.approve) {
        (None, true, _) => {
            report_error(format!(
                "基线 {} 还不存在：先不带 --check 运行一次以记录基线",
                args.baseline.display()
            ));
            Outcome::BadInput
        }
        (Some(base), true, _) => {
            let diff = compare(&base, &scored.results);
            if diff.is_empty() {
                eprintln!("与基线一致：{} 个文档", scored.results.len());
                Outcome::Clean
            } else {
                print!("{}", diff.render());
                eprintln!("与基线不一致；确认无误后用 --approve --reason \"原因\" 接受新结果");
                Outcome::Findings
            }
        }
        (Some(_), false, false) => {
            report_error(format!(
                "基线 {} 已存在：用 --check 与之对比，或用 --approve --reason \"原因\" 接受新结果",
                args.baseline.display()
            ));
            Outcome::BadInput
        }
        (existing, false, approve) => {
            let changed = existing
                .as_ref()
                .map_or(scored.results.len(), |b| compare(b, &scored.results).count());
            let why = if approve {
                args.reason.clone().unwrap_or_default()
            } else {
                "初次记录基线".to_owned()
            };
            let approval = Approval {
                who: reviewer(args.reviewer.as_ref()),
                when: now_text(),
                why,
                changed,
                results_sha256: scored.manifest.results_sha256.clone(),
            };
            if !record(&args.baseline, &scored, &approval) {
                return Outcome::BadInput;
            }
            eprintln!(
                "已{}基线 {}：{} 个文档（{} 个有变化），审批人 {}",
                if approve { "更新" } else { "记录" },
                args.baseline.display(),
                scored.results.len(),
                changed,
                approval.who
            );
            Outcome::Clean
        }
    }
}

/// Whether every input and decisions file a manifest lists is still there with the same
/// content; each difference is reported.
pub(crate) fn recorded_files_unchanged(manifest: &Manifest) -> bool {
    let mut problems = 0;
    for input in &manifest.inputs {
        match hash_file(Path::new(&input.name)) {
            Ok(h) if h.sha256 == input.sha256 => {}
            Ok(_) => {
                report_error(format!("输入 {} 的内容与清单记录的不同", input.name));
                problems += 1;
            }
            Err(e) => {
                report_error(e);
                problems += 1;
            }
        }
    }
    for d in &manifest.decisions {
        match hash_file(Path::new(&d.name)) {
            Ok(h) if h.sha256 == d.sha256 => {}
            _ => {
                report_error(format!("审核决定文件 {} 缺失或已改变", d.name));
                problems += 1;
            }
        }
    }
    problems == 0
}

/// The engine a manifest records: `jixiao` and its version.
pub(crate) fn engine() -> String {
    format!("jixiao {}", env!("CARGO_PKG_VERSION"))
}

/// Notes on stderr that the engine version differs from the recorded one (the results may
/// still agree; verify decides on those).
pub(crate) fn note_engine(manifest: &Manifest) {
    let now = engine();
    if manifest.engine != now {
        eprintln!("引擎版本不同：记录时 {}，现在 {now}", manifest.engine);
    }
}

pub fn verify(args: &VerifyArgs) -> Outcome {
    let text = match std::fs::read_to_string(&args.manifest) {
        Ok(t) => t,
        Err(e) => {
            report_error(format!("无法读取 {}：{e}", args.manifest.display()));
            return Outcome::BadInput;
        }
    };
    let manifest: Manifest = match serde_json::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            report_error(format!("{} 不是运行清单：{e}", args.manifest.display()));
            return Outcome::BadInput;
        }
    };
    if !recorded_files_unchanged(&manifest) {
        return Outcome::BadInput;
    }
    if let Some(report) = &manifest.report {
        return crate::cli::score::verify_report(&manifest, report, &args.manifest);
    }
    let input = InputArgs {
        inputs: manifest.inputs.iter().map(|h| PathBuf::from(&h.name)).collect(),
        year: manifest.year,
        default_year: manifest.default_year,
        region: manifest.region.clone(),
    };
    let decisions: Vec<PathBuf> = manifest.decisions.iter().map(|h| PathBuf::from(&h.name)).collect();
    let mut outcome = Outcome::Clean;
    let Some(again) = score_corpus(&input, manifest.rules_option.as_deref(), &decisions, &mut outcome) else {
        return Outcome::BadInput;
    };
    for (then, now) in manifest.rulesets.iter().zip(&again.manifest.rulesets) {
        if then != now {
            eprintln!("规则集 {} 的内容与记录时不同", then.name);
        }
    }
    note_engine(&manifest);
    if again.manifest.results_sha256 == manifest.results_sha256 && again.manifest.rulesets == manifest.rulesets {
        eprintln!(
            "重新运行的结果与清单记录一致：{} 个文档，结果散列 {}",
            again.results.len(),
            manifest.results_sha256
        );
        outcome
    } else {
        let recorded = args.manifest.with_file_name("results.jsonl");
        if let Some(base) = std::fs::read_to_string(&recorded)
            .ok()
            .and_then(|t| parse_results(&t).ok())
        {
            print!("{}", compare(&base, &again.results).render());
        }
        report_error("重新运行的结果与清单记录不一致");
        Outcome::Findings
    }
}
