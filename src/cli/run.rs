//! `jixiao run CORPUS --baseline DIR [--check | --approve --reason TEXT]`: snapshot compliance
//! runs. Each document's results are recorded in a baseline folder with the run's manifest,
//! compared with later runs, and approved with a reason (`jixiao verify` replays the manifest).
//!
//! The corpus is scored first; then, holding the baseline's lock, the current generation is
//! read (and checked: a tampered or damaged baseline stops the run, unchanged) and compared,
//! and a recording or approval is written as a new generation switched to in one step
//! ([`jixiao::runs::baseline::store`]). A second `run` on the same baseline waits for the lock.

use std::path::PathBuf;

use crate::cli::flags::RuleFlags;
use crate::cli::inputs::{InputArgs, expand_inputs, is_stdin, load_documents};
use crate::cli::{Outcome, report_error, write_stdout};
use jixiao::engine::pipeline::Pipeline;
use jixiao::runs::baseline::record::{self, RecordError, RunInputs};
use jixiao::runs::baseline::store::{BaselineError, BaselineLock, read_current};
use jixiao::runs::baseline::{DocResult, compare};
use jixiao::runs::manifest::{Manifest, hash_file, layout_hashes};

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
    if !input.form.region_is_known(&catalogue) {
        *outcome = Outcome::BadInput;
        return None;
    }
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
    let mut readable = Vec::with_capacity(files.len());
    for f in files {
        match hash_file(&f) {
            Ok(h) => {
                inputs.push(h);
                readable.push(f);
            }
            // Not scored either: it cannot be recorded, and reading a FIFO or device could block.
            Err(e) => {
                report_error(e);
                *outcome = Outcome::BadInput;
            }
        }
    }
    let expanded = InputArgs {
        inputs: readable,
        ..input.clone()
    };
    let documents = load_documents(&expanded, &import_options, outcome);
    let mut results = Vec::with_capacity(documents.len());
    for (origin, doc) in &documents {
        match pipeline.score(doc) {
            Ok(scored) => results.push(DocResult::of(&scored.card)),
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
    let layouts = match layout_hashes(&input.form.layouts) {
        Ok(h) => h,
        Err(e) => {
            report_error(e);
            *outcome = Outcome::BadInput;
            Vec::new()
        }
    };
    let manifest = RunInputs {
        inputs,
        rules_option: scoring.rules.clone(),
        decisions: decision_hashes,
        year: input.form.year,
        default_year: input.form.default_year,
        region: input.form.region.clone(),
        layouts,
    }
    .manifest(&catalogue, &results);
    Some(ScoredCorpus { results, manifest })
}

/// The reviewer recorded: `--reviewer`, else the login name, else 未知 (and whether it is known).
fn reviewer(given: Option<&String>) -> (String, bool) {
    match given
        .cloned()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|name| !name.trim().is_empty())
    {
        Some(name) => (name, true),
        None => ("未知".to_owned(), false),
    }
}

/// Reports why the baseline cannot be used: exit 1 when it was changed after it was recorded,
/// 2 when it cannot be read.
fn baseline_refused(error: &BaselineError, then: &str) -> Outcome {
    report_error(error);
    if error.is_tampering() {
        report_error(format!(
            "基线未通过校验（记录之后被改动、删除或缺少审批记录），{then}；请从备份恢复该基线文件夹，或换一个新的基线文件夹重新记录"
        ));
        Outcome::Findings
    } else {
        report_error(then);
        Outcome::BadInput
    }
}

fn waiting(dir: &std::path::Path) {
    eprintln!("基线 {} 正被另一个 jixiao run 更新，等待它完成……", dir.display());
}

/// `--check`: compare with the current generation; never writes.
fn check(args: &Args, scored: &ScoredCorpus) -> Outcome {
    let _lock = BaselineLock::shared(&args.baseline, || waiting(&args.baseline));
    let base = match read_current(&args.baseline) {
        Ok(Some(base)) => base,
        Ok(None) => {
            report_error(format!(
                "基线 {} 还不存在：先不带 --check 运行一次以记录基线",
                args.baseline.display()
            ));
            return Outcome::BadInput;
        }
        Err(e) => return baseline_refused(&e, "未与之对比"),
    };
    let diff = compare(&base.results, &scored.results);
    if diff.is_empty() {
        eprintln!("与基线一致：{} 个文档", scored.results.len());
        Outcome::Clean
    } else {
        let written = write_stdout(&diff.render());
        eprintln!("与基线不一致；确认无误后用 --approve --reason \"原因\" 接受新结果");
        written.max(Outcome::Findings)
    }
}

/// Recording a new baseline, or `--approve`: [`record`](jixiao::runs::baseline::record::record)
/// reads the current generation under the exclusive lock, then writes the next one and
/// switches to it.
fn record(args: &Args, scored: &ScoredCorpus) -> Outcome {
    let (who, known) = reviewer(args.reviewer.as_ref());
    let approve = args.reason.as_deref().filter(|_| args.approve);
    let recorded = match record::record(&args.baseline, &scored.results, &scored.manifest, approve, &who, || {
        waiting(&args.baseline)
    }) {
        Ok(recorded) => recorded,
        Err(RecordError::Unreadable(e)) => return baseline_refused(&e, "基线未改动"),
        Err(RecordError::Exists) => {
            report_error(format!(
                "基线 {} 已存在：用 --check 与之对比，或用 --approve --reason \"原因\" 接受新结果",
                args.baseline.display()
            ));
            return Outcome::BadInput;
        }
        Err(e @ RecordError::Create { .. }) => {
            report_error(e);
            return Outcome::BadInput;
        }
        Err(RecordError::Write(e)) => {
            report_error(e);
            report_error("基线未改动：当前版本仍是上一次记录或批准的结果");
            return Outcome::BadInput;
        }
    };
    if !known {
        eprintln!(
            "警告：没有 --reviewer，也取不到登录名（USER、LOGNAME），审批人记为“未知”；可用 --reviewer 姓名 指定"
        );
    }
    let version = &recorded.version;
    if recorded.created {
        eprintln!(
            "基线 {} 不存在，已新建并记录本次结果（版本 {version}）：{} 个文档，审批人 {}；以后用 --check 对比，用 --approve --reason \"原因\" 接受新结果",
            args.baseline.display(),
            scored.results.len(),
            recorded.approval.who
        );
    } else {
        eprintln!(
            "已更新基线 {}（版本 {version}）：{} 个文档（{} 个有变化），审批人 {}",
            args.baseline.display(),
            scored.results.len(),
            recorded.approval.changed,
            recorded.approval.who
        );
    }
    Outcome::Clean
}

/// Runs `jixiao run`.
pub fn run(args: &Args) -> Outcome {
    if args.approve && args.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        report_error("--reason 不能为空：请写明接受新结果的原因（记入基线历史）");
        return Outcome::BadInput;
    }
    if args.reviewer.as_deref().is_some_and(|r| r.trim().is_empty()) {
        report_error("--reviewer 不能为空：请写审批人的姓名，或不给 --reviewer 以使用登录名");
        return Outcome::BadInput;
    }
    let mut outcome = Outcome::Clean;
    let Some(scored) = score_corpus(&args.input, &args.scoring, &mut outcome) else {
        return Outcome::BadInput;
    };
    if outcome == Outcome::BadInput {
        report_error("有输入无法评分，基线未改动");
        return outcome;
    }
    if args.check {
        check(args, &scored)
    } else {
        record(args, &scored)
    }
}
