//! End-to-end throughput on a large JSON Lines corpus (run with
//! `JIXIAO_CORPUS=/path/corpus.jsonl cargo bench --bench corpus`; make the corpus with
//! `jixiao generate --count 1000000 -o /path/corpus.jsonl`).
//!
//! Prints, as medians of several runs over the same corpus on all cores: bare typed
//! `serde_json` parsing of every line (the floor of any JSON pipeline), and the whole pipeline
//! (parse, validate, select the rule set, score, findings, serialise) — and their ratio, the
//! median of the ratios of runs made in pairs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark"
)]

mod common;

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use common::median;

use jixiao::batch::{BatchOptions, score_json_lines};
use jixiao::decisions::DecisionSet;
use jixiao::document::EvaluationDocument;
use jixiao::policy::select::Catalogue;
use rayon::prelude::*;

fn main() {
    let Ok(path) = std::env::var("JIXIAO_CORPUS") else {
        eprintln!("set JIXIAO_CORPUS to a JSON Lines corpus (jixiao generate --count 1000000 -o corpus.jsonl)");
        return;
    };
    let runs: usize = std::env::var("JIXIAO_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let catalogue = Catalogue::embedded().unwrap();

    // Runs alternate (parse, pipeline, parse, pipeline, …) so that a slow spell of a shared
    // machine falls on both sides of a pair; the ratio reported is the median of the pairs'.
    let mut parse_times = Vec::new();
    let mut pipeline_times = Vec::new();
    let mut ratios = Vec::new();
    let mut count = 0;
    for _ in 0..runs {
        let parse = bare_parse(&path, &mut count);
        let pipeline = whole_pipeline(&path, &catalogue, count);
        ratios.push(pipeline.as_secs_f64() / parse.as_secs_f64());
        parse_times.push(parse);
        pipeline_times.push(pipeline);
    }
    let parse = median(parse_times);
    let pipeline = median(pipeline_times);
    ratios.sort_by(f64::total_cmp);
    let rate = |d: Duration| count as f64 / d.as_secs_f64();
    println!("documents: {count}, threads: {}", rayon::current_num_threads());
    println!(
        "bare typed parse   median {:>8.2} s = {:>8.0} documents/s",
        parse.as_secs_f64(),
        rate(parse)
    );
    println!(
        "whole pipeline     median {:>8.2} s = {:>8.0} documents/s",
        pipeline.as_secs_f64(),
        rate(pipeline)
    );
    let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
    println!(
        "ratio pipeline / bare parse: median of the {runs} pairs {:.2}× (each: {})",
        ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN),
        shown.join(", ")
    );
}

/// Bare typed `serde_json` parsing of every line, in parallel chunks; counts the lines.
fn bare_parse(path: &str, count: &mut usize) -> Duration {
    let t = Instant::now();
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(path).unwrap());
    let mut lines = reader.lines();
    *count = 0;
    loop {
        let chunk: Vec<String> = lines.by_ref().take(4096).map(Result::unwrap).collect();
        if chunk.is_empty() {
            break;
        }
        *count += chunk.len();
        let parsed: usize = chunk
            .par_iter()
            .map(|l| usize::from(serde_json::from_str::<EvaluationDocument>(l).is_ok()))
            .sum();
        assert_eq!(parsed, chunk.len());
    }
    t.elapsed()
}

/// The whole batch pipeline, output discarded; checks every line was scored.
fn whole_pipeline(path: &str, catalogue: &Catalogue, count: usize) -> Duration {
    let t = Instant::now();
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(path).unwrap());
    let stats = score_json_lines(
        reader,
        std::io::sink(),
        catalogue,
        &BatchOptions::default(),
        &DecisionSet::default(),
        |_| {},
        |_| {},
    )
    .unwrap();
    assert_eq!(stats.scored, count);
    t.elapsed()
}
