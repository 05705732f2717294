//! `jixiao run CORPUS --baseline DIR [--check | --approve --reason TEXT]`: snapshot compliance
//! runs. Each document's results are recorded in a baseline folder with the run's manifest,
//! compared with later runs, and approved with a reason (`jixiao verify` replays the manifest).

use std::path::{Path, PathBuf};

use crate::cli::flags::RuleFlags;
use crate::cli::inputs::{InputArgs, expand_inputs, is_stdin, load_documents};
use crate::cli::{Outcome, report_error};
use jixiao::engine::pipeline::Pipeline;
use jixiao::report::output::write_atomic;
use jixiao::runs::baseline::{Approval, DocResult, compare, now_text, parse_results, results_text};
use jixiao::runs::manifest::{Manifest, engine, hash_file, layout_hashes, ruleset_hash, sha256_hex};

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
    /// Rule sets and reviewer decisions.
    #[command(flatten)]
    scoring: RuleFlags,
}

/// A scored corpus with what its manifest needs.
pub(crate) struct ScoredCorpus {
    /// Each document's results, in input order.
    pub(crate) results: Vec<DocResult>,
    /// The run's manifest.
    pub(crate) manifest: Manifest,
}

/// Scores the corpus through the pipeline and hashes what the manifest records. `None` (after
/// reporting) when the rules, the decisions or the inputs cannot be used at all.
pub(crate) fn score_corpus(input: &InputArgs, scoring: &RuleFlags, outcome: &mut Outcome) -> Option<ScoredCorpus> {
    let Some((catalogue, decisions)) = scoring.load() else {
        *outcome = Outcome::BadInput;
        return None;
    };
    let Some(import_options) = input.form.import_options() else {
        *outcome = Outcome::BadInput;
        return None;
    };
    let pipeline = Pipeline::new(&catalogue, &decisions);
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
    let documents = load_documents(&expanded, &import_options, outcome);
    let mut results = Vec::with_capacity(documents.len());
    let mut used = std::collections::BTreeSet::new();
    for (origin, doc) in &documents {
        match pipeline.score(doc) {
            Ok(scored) => {
                used.insert(scored.card.ruleset.clone());
                results.push(DocResult::of(&scored.card));
            }
            Err(e) => {
                report_error(format!("{origin}（{}）：{e}", doc.id));
                *outcome = Outcome::BadInput;
            }
        }
    }
    let mut decision_hashes = Vec::new();
    for p in &scoring.decisions {
        match hash_file(p) {
            Ok(h) => decision_hashes.push(h),
            Err(e) => report_error(e),
        }
    }
    let manifest = Manifest {
        engine: engine(),
        inputs,
        rulesets: used.iter().map(|id| ruleset_hash(&catalogue, id)).collect(),
        rules_option: scoring.rules.clone(),
        decisions: decision_hashes,
        year: input.form.year,
        default_year: input.form.default_year,
        region: input.form.region.clone(),
        layouts: match layout_hashes(&input.form.layouts) {
            Ok(h) => h,
            Err(e) => {
                report_error(e);
                *outcome = Outcome::BadInput;
                Vec::new()
            }
        },
        documents: results.len(),
        results_sha256: sha256_hex(results_text(&results).as_bytes()),
        report: None,
    };
    Some(ScoredCorpus { results, manifest })
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

fn record(dir: &Path, scored: &ScoredCorpus, approval: &Approval) -> bool {
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
    let Some(scored) = score_corpus(&args.input, &args.scoring, &mut outcome) else {
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
