//! `jixiao verify MANIFEST`: run a recorded run again and confirm it gives the same results —
//! a baseline's manifest (`DIR/manifest.json` or the folder `DIR` itself: the current
//! generation's, read through the baseline's pointer; or one generation's
//! `DIR/generations/N/manifest.json`) or the `FILE.manifest.json` that `jixiao score -o FILE`
//! writes beside its report, whose report bytes must come out identical. A baseline's results
//! file must still hash as its manifest records, and its history must approve those results.
//! Only regular files are read: a manifest or recorded input that is a FIFO or a device is an
//! error, not a wait.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clap::ValueEnum as _;

use crate::cli::flags::{FormFlags, RuleFlags, load_catalogue, load_decisions};
use crate::cli::inputs::InputArgs;
use crate::cli::run::score_corpus;
use crate::cli::score::{self, produce};
use crate::cli::{Outcome, report_error, write_stdout};
use jixiao::engine::pipeline::FailOn;
use jixiao::model::files::read_regular;
use jixiao::report::html::{Details, detail_folder_name};
use jixiao::report::{CsvTable, Format};
use jixiao::runs::baseline::compare;
use jixiao::runs::baseline::store::{MANIFEST_FILE, POINTER_FILE, current_folder, read_generation};
use jixiao::runs::manifest::{
    BackgroundSha256, HashingWriter, Manifest, ReportRecord, catalogue_hashes, changed_recorded_files, engine,
    resolve_recorded, sha256_file, sha256_hex,
};

/// Arguments of `jixiao verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 运行清单：基线文件夹（或其中的 manifest.json，指当前版本），或 jixiao score -o 文件 写在输出文件旁的 文件.manifest.json
    #[arg(value_name = "MANIFEST")]
    manifest: PathBuf,
}

/// The form flags a manifest recorded.
fn manifest_form(manifest: &Manifest) -> FormFlags {
    FormFlags {
        year: manifest.year,
        default_year: manifest.default_year,
        region: manifest.region.clone(),
        layouts: manifest.layouts.iter().map(|h| PathBuf::from(&h.name)).collect(),
    }
}

/// Notes on stderr that the engine version differs from the recorded one (the results may
/// still agree; verify decides on those).
fn note_engine(manifest: &Manifest) {
    let now = engine();
    if manifest.engine != now {
        eprintln!("引擎版本不同：记录时 {}，现在 {now}", manifest.engine);
    }
}

/// Largest manifest read.
const MANIFEST_LIMIT: u64 = 256 << 20;

/// The manifest file `given` stands for: a baseline folder, or `manifest.json` in a baseline
/// folder that has a pointer, means the current generation's manifest; anything else is the
/// file itself.
fn manifest_file(given: &Path) -> Result<PathBuf, String> {
    let baseline = if given.is_dir() {
        Some(given)
    } else {
        given
            .parent()
            .filter(|dir| given.file_name() == Some(MANIFEST_FILE.as_ref()) && dir.join(POINTER_FILE).exists())
    };
    let Some(dir) = baseline else {
        return Ok(given.to_owned());
    };
    match current_folder(dir) {
        Ok(Some(folder)) => {
            if folder != dir {
                eprintln!("基线 {} 的当前版本：{}", dir.display(), folder.display());
            }
            Ok(folder.join(MANIFEST_FILE))
        }
        Ok(None) => Err(format!("{} 不是基线文件夹：其中没有基线", dir.display())),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs `jixiao verify`.
pub fn run(args: &Args) -> Outcome {
    let path = match manifest_file(&args.manifest) {
        Ok(path) => path,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    let bytes = match read_regular(&path, MANIFEST_LIMIT) {
        Ok(bytes) => bytes,
        Err(e) => {
            report_error(e);
            return Outcome::BadInput;
        }
    };
    let manifest: Manifest = match serde_json::from_slice(&bytes) {
        Ok(m) => m,
        Err(e) => {
            report_error(format!("{} 不是运行清单：{e}", path.display()));
            return Outcome::BadInput;
        }
    };
    // The files it records, found wherever verify was started (see `resolve_recorded`).
    let recorded_manifest = manifest;
    let manifest_dir = jixiao::report::output::folder_of(&path).to_owned();
    let manifest = match resolve_recorded(&recorded_manifest, &manifest_dir) {
        Ok(m) => m,
        Err(missing) => {
            missing.iter().for_each(report_error);
            return Outcome::BadInput;
        }
    };
    let changed = changed_recorded_files(&manifest);
    if !changed.is_empty() {
        changed.iter().for_each(report_error);
        return Outcome::BadInput;
    }
    if let Some(report) = &manifest.report {
        return verify_report(&manifest, report, &path);
    }
    // A baseline's generation: its results and history must still be what it recorded.
    let folder = jixiao::report::output::folder_of(&path);
    let recorded = match read_generation(folder) {
        Ok(generation) if generation.manifest == recorded_manifest => generation,
        Ok(_) => {
            report_error(format!("{} 在复核期间被改动", path.display()));
            return Outcome::BadInput;
        }
        Err(e) => {
            report_error(&e);
            report_error("基线未通过复核");
            return if e.is_tampering() {
                Outcome::Findings
            } else {
                Outcome::BadInput
            };
        }
    };
    let input = InputArgs {
        inputs: manifest.inputs.iter().map(|h| PathBuf::from(&h.name)).collect(),
        form: manifest_form(&manifest),
    };
    let scoring = RuleFlags {
        rules: manifest.rules_option.clone(),
        decisions: manifest.decisions.iter().map(|h| PathBuf::from(&h.name)).collect(),
    };
    let mut outcome = Outcome::Clean;
    let Some(again) = score_corpus(&input, &scoring, &mut outcome) else {
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
        let written = write_stdout(&compare(&recorded.results, &again.results).render());
        report_error("重新运行的结果与清单记录不一致");
        written.max(Outcome::Findings)
    }
}

/// `jixiao verify` on a `score -o` manifest (its input and decisions files already checked):
/// the rule sets must hash as recorded, scoring again must render the very bytes recorded,
/// and the report file beside the manifest must still be those bytes. Exit 1 when anything
/// differs.
fn verify_report(manifest: &Manifest, report: &ReportRecord, manifest_file: &Path) -> Outcome {
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
    let args = score::Args {
        input: InputArgs {
            inputs: manifest.inputs.iter().map(|h| PathBuf::from(&h.name)).collect(),
            form: manifest_form(manifest),
        },
        scoring: RuleFlags {
            rules: manifest.rules_option.clone(),
            decisions: decision_files,
        },
        format,
        output: None,
        csv_table,
        fail_on: FailOn::Never,
        quiet: true,
    };
    let mut again = std::io::BufWriter::with_capacity(
        1 << 20,
        HashingWriter {
            inner: std::io::sink(),
            hasher: BackgroundSha256::new(),
        },
    );
    let Some(import_options) = args.input.form.import_options() else {
        return Outcome::BadInput;
    };
    // A corpus HTML report's detail pages are rendered again too, and hashed.
    let pages: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let details = (format == Format::Html).then(|| {
        let pages = Arc::clone(&pages);
        Details {
            folder: detail_folder_name(&report.file.name),
            page: report.file.name.clone(),
            write: Box::new(move |name, bytes| {
                if let Ok(mut pages) = pages.lock() {
                    pages.push((name.to_owned(), sha256_hex(bytes)));
                }
                Ok(())
            }),
        }
    });
    let produced = produce(
        &args,
        (&catalogue, &decisions, &import_options),
        report.created,
        details,
        &mut again,
    );
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
        Err(e) => differences.push(format!("无法读取报告文件 {}：{}", on_disk.display(), e.reason())),
    }
    let folder = manifest_file.with_file_name(detail_folder_name(&report.file.name));
    for (name, sha256) in pages.lock().map(|p| p.clone()).unwrap_or_default() {
        let on_disk = folder.join(&name);
        match sha256_file(&on_disk) {
            Ok(found) if found == sha256 => {}
            Ok(_) => differences.push(format!(
                "明细页 {} 与重新生成的不同：评分之后被改动过",
                on_disk.display()
            )),
            Err(e) => differences.push(format!("无法读取明细页 {}：{}", on_disk.display(), e.reason())),
        }
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
