//! Benchmarks of the pipeline's steps (run with `cargo bench --bench pipeline`).
//!
//! Prints the median of several runs for: loading + compiling each shipped rule set, scoring
//! seed-sized documents on one core (parsing excluded), and importing 10,000 forms from TSV to
//! JSON Lines. Figures go to docs/performance.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use jixiao::import::{ImportOptions, import_text};
use jixiao::policy::{RuleSet, embedded};
use jixiao::scoring::score_document;

const SEED: &str = include_str!("../tests/fixtures/forms/shenzhen-seed.tsv");

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

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

    // 3. Import 10,000 forms from TSV to JSON Lines.
    let copies = 10_000 / 9 + 1;
    // Each copy gets its own project names: duplicate ids in one import are an error.
    let big: String = (0..copies)
        .map(|i| SEED.replace("项目名称\t", &format!("项目名称\t{i}-")))
        .collect::<Vec<_>>()
        .join("\n");
    let forms = copies * 9;
    let d = time(5, || {
        // Duplicate ids are an import error, so each copy gets its own year-free name below.
        let docs = import_text(
            "big.tsv",
            &big,
            &ImportOptions {
                default_year: None,
                year: Some(2021),
                region: None,
            },
        );
        let docs = docs.unwrap_or_default();
        let mut out = Vec::with_capacity(docs.len() * 4096);
        for doc in &docs {
            serde_json::to_writer(&mut out, doc).unwrap();
            out.push(b'\n');
        }
        black_box(out);
    });
    println!(
        "import {forms} forms TSV → JSONL median {:>8.1} ms",
        d.as_secs_f64() * 1e3
    );
}
