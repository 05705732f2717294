//! Benchmarks of the pipeline's steps (run with `cargo bench --bench pipeline`).
//!
//! Prints the median of several runs for: loading + compiling each shipped rule set, scoring
//! seed-sized documents on one core (parsing excluded), importing 10,000 forms from a TSV file to
//! JSON Lines (through the library, and through the `jixiao import` binary end to end), and the
//! binary's peak memory for 1,000, 10,000 and 100,000 forms (CPU time and peak RSS come from
//! `/usr/bin/time` when installed). Figures and commands are in docs/performance.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark"
)]

mod common;

use std::hint::black_box;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::median;

use jixiao::engine::scoring::score_document;
use jixiao::ingest::import::{ImportOptions, for_each_form, import_text};
use jixiao::policy::{RuleSet, embedded};

const SEED: &str = include_str!("../tests/fixtures/forms/shenzhen-seed.tsv");

fn time<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    f(); // warm-up
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    // 1. Rule-set load + compile.
    for id in embedded::ids() {
        let d = time(15, || {
            black_box(RuleSet::load(embedded::files(id).unwrap()).unwrap());
        });
        println!("load+compile {id:<14} median {:>8.2} ms", d.as_secs_f64() * 1e3);
    }

    // 2. Scoring on one core, documents already parsed.
    let rules = RuleSet::load(embedded::files("shenzhen-2020").unwrap()).unwrap();
    let options = ImportOptions {
        default_year: None,
        year: Some(2021),
        region: Some("shenzhen".into()),
        ..ImportOptions::default()
    };
    let seed = import_text("seed.tsv", SEED, &options).unwrap();
    let docs: Vec<_> = seed.iter().cycle().take(20_000).cloned().collect();
    let d = time(7, || {
        for doc in &docs {
            black_box(score_document(&rules, doc).unwrap());
        }
    });
    println!(
        "score {} seed documents (1 core) median {:>8.1} ms = {:>8.0} documents/s",
        docs.len(),
        d.as_secs_f64() * 1e3,
        docs.len() as f64 / d.as_secs_f64()
    );
    // The same with every reviewer check switched off: what the checks cost. Timed right after
    // the run above, so a busy machine slows both alike.
    let mut files = embedded::files("shenzhen-2020").unwrap();
    for (name, text) in &mut files.files {
        if name == "policy.toml" {
            for level in ["error", "warning", "info"] {
                *text = text.replace(&format!("severity = \"{level}\""), "severity = \"off\"");
            }
        }
    }
    let quiet = RuleSet::load(files).unwrap();
    let d_off = time(7, || {
        for doc in &docs {
            black_box(score_document(&quiet, doc).unwrap());
        }
    });
    println!(
        "score {} seed documents, checks off   median {:>8.1} ms = {:>8.0} documents/s (checks cost {:.0}%)",
        docs.len(),
        d_off.as_secs_f64() * 1e3,
        docs.len() as f64 / d_off.as_secs_f64(),
        (d.as_secs_f64() / d_off.as_secs_f64() - 1.0) * 100.0
    );

    // 3. Import 10,000 forms from TSV to JSON Lines, and 4. peak memory against the number of
    // forms. The TSV files are written to a temporary folder (kept, and its path printed, when
    // JIXIAO_BENCH_KEEP is set, to rerun the commands by hand).
    let dir = tempfile::Builder::new().prefix("jixiao-bench-").tempdir().unwrap();
    let dir = if std::env::var_os("JIXIAO_BENCH_KEEP").is_some() {
        let kept = dir.keep();
        println!("TSV files kept in {}", kept.display());
        kept
    } else {
        dir.path().to_owned()
    };
    let big = write_forms(&dir, 10_000);
    let forms = forms_in(10_000);
    let opts = ImportOptions {
        default_year: None,
        year: Some(2021),
        region: None,
        ..ImportOptions::default()
    };
    // 3a. The library, one thread: streaming import + JSON Lines serialization, no schema check.
    let d = time(5, || {
        let mut out = std::io::BufWriter::new(std::io::sink());
        let stats = for_each_form(&big, &opts, |doc| {
            serde_json::to_writer(&mut out, &doc.unwrap()).unwrap();
            out.write_all(b"\n").unwrap();
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(stats.imported, forms);
    });
    println!(
        "import {forms} forms TSV → JSONL (library, 1 thread, for_each_form + serde_json) median {:>8.1} ms",
        d.as_secs_f64() * 1e3
    );
    // 3b. The binary end to end (the real code path: import thread + schema check and writing
    // thread), stdout to /dev/null.
    let exe = env!("CARGO_BIN_EXE_jixiao");
    let runs: Vec<Run> = (0..5).map(|_| run_import(exe, &big)).collect();
    println!(
        "import {forms} forms TSV → JSONL (`jixiao import {} --year 2021 -o - > /dev/null`) {}",
        big.display(),
        Run::summary(&runs)
    );
    // 4. Peak memory against the number of forms.
    for n in [1_000, 10_000, 100_000] {
        let file = if n == 10_000 { big.clone() } else { write_forms(&dir, n) };
        let runs: Vec<Run> = (0..3).map(|_| run_import(exe, &file)).collect();
        println!("import {:>7} forms: {}", forms_in(n), Run::summary(&runs));
        if n != 10_000 {
            std::fs::remove_file(&file).ok();
        }
    }
}

/// Copies of the seed (9 forms each) needed for at least `n` forms.
fn copies_for(n: usize) -> usize {
    n.div_ceil(9)
}

/// Forms in the file [`write_forms`] writes for `n`.
fn forms_in(n: usize) -> usize {
    copies_for(n) * 9
}

/// Writes `forms-N.tsv`: copies of the seed, each with its own project names (duplicate ids in
/// one import are an error), one line break between copies.
fn write_forms(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join(format!("forms-{n}.tsv"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..copies_for(n) {
        if i > 0 {
            out.write_all(b"\n").unwrap();
        }
        out.write_all(SEED.replace("项目名称\t", &format!("项目名称\t{i}-")).as_bytes())
            .unwrap();
    }
    out.flush().unwrap();
    path
}

/// One run of the binary: wall time, and when `/usr/bin/time` is there, CPU time and peak RSS.
struct Run {
    wall: Duration,
    cpu: Option<Duration>,
    max_rss_kb: Option<u64>,
}

impl Run {
    /// Medians of several runs.
    fn summary(runs: &[Run]) -> String {
        let wall = median(runs.iter().map(|r| r.wall).collect());
        let mut text = format!("wall median {:>8.1} ms", wall.as_secs_f64() * 1e3);
        let cpu: Vec<Duration> = runs.iter().filter_map(|r| r.cpu).collect();
        if cpu.len() == runs.len() {
            text.push_str(&format!(
                ", user+sys median {:>8.1} ms",
                median(cpu).as_secs_f64() * 1e3
            ));
        }
        let mut rss: Vec<u64> = runs.iter().filter_map(|r| r.max_rss_kb).collect();
        if rss.len() == runs.len() {
            rss.sort_unstable();
            text.push_str(&format!(
                ", peak RSS median {:>6.1} MB",
                rss[rss.len() / 2] as f64 / 1024.0
            ));
        }
        text.push_str(&format!(" ({} runs)", runs.len()));
        text
    }
}

/// Runs `jixiao import FILE --year 2021 -o -` with stdout and stderr to /dev/null.
fn run_import(exe: &str, file: &Path) -> Run {
    let time = Path::new("/usr/bin/time");
    let report = file.with_extension("time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%U %S %M").arg("-o").arg(&report).arg(exe);
        c
    } else {
        Command::new(exe)
    };
    cmd.args(["import"]).arg(file).args(["--year", "2021", "-o", "-"]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let t = Instant::now();
    let status = cmd.status().unwrap();
    let wall = t.elapsed();
    assert!(status.success(), "jixiao import {} failed: {status}", file.display());
    let (mut cpu, mut max_rss_kb) = (None, None);
    if let Ok(text) = std::fs::read_to_string(&report) {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if let [user, sys, rss] = fields[fields.len().saturating_sub(3)..] {
            let secs = user.parse::<f64>().unwrap() + sys.parse::<f64>().unwrap();
            cpu = Some(Duration::from_secs_f64(secs));
            max_rss_kb = rss.parse().ok();
        }
        std::fs::remove_file(&report).ok();
    }
    Run { wall, cpu, max_rss_kb }
}
