//! End-to-end throughput on a large JSON Lines corpus (run with
//! `JIXIAO_CORPUS=/path/corpus.jsonl cargo bench --bench corpus`; make the corpus with
//! `jixiao generate --count 1000000 -o /path/corpus.jsonl`).
//!
//! Times, on all cores, over the same corpus:
//! - **bare parse, straightforward**: read the lines (`BufRead::lines`), then parse each chunk
//!   of lines into typed documents with `serde_json` in parallel — reading and parsing take
//!   turns, as a plain parse-only program would do it;
//! - **bare parse, overlapped**: the same parse, with the lines read on a thread of their own
//!   while the pool parses the previous chunk — the same shape as the pipeline, so the floor
//!   of any JSON pipeline on this machine;
//! - **the whole pipeline** (read, parse, validate, select the rule set, score, findings,
//!   serialise; output discarded).
//!
//! The three run in turn, several times, so that a slow spell of a shared machine falls on
//! all three; the ratios printed are the medians of the ratios within each round.
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

use jixiao::engine::decisions::DecisionSet;
use jixiao::model::document::EvaluationDocument;
use jixiao::policy::select::Catalogue;
use jixiao::runs::batch::{BatchOptions, score_json_lines};
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

    let mut plain_times = Vec::new();
    let mut overlapped_times = Vec::new();
    let mut pipeline_times = Vec::new();
    let mut plain_ratios = Vec::new();
    let mut overlapped_ratios = Vec::new();
    let mut count = 0;
    for _ in 0..runs {
        let plain = bare_parse(&path, &mut count);
        let overlapped = bare_parse_overlapped(&path, count);
        let pipeline = whole_pipeline(&path, &catalogue, count);
        plain_ratios.push(pipeline.as_secs_f64() / plain.as_secs_f64());
        overlapped_ratios.push(pipeline.as_secs_f64() / overlapped.as_secs_f64());
        plain_times.push(plain);
        overlapped_times.push(overlapped);
        pipeline_times.push(pipeline);
    }
    let rate = |d: Duration| count as f64 / d.as_secs_f64();
    println!(
        "documents: {count}, threads: {}, rounds: {runs}",
        rayon::current_num_threads()
    );
    for (name, times) in [
        ("bare parse, straightforward", plain_times),
        ("bare parse, overlapped", overlapped_times),
        ("whole pipeline", pipeline_times),
    ] {
        let m = median(times);
        println!(
            "{name:<28} median {:>8.2} s = {:>8.0} documents/s",
            m.as_secs_f64(),
            rate(m)
        );
    }
    for (name, ratios) in [("straightforward", plain_ratios), ("overlapped", overlapped_ratios)] {
        let mut sorted = ratios;
        sorted.sort_by(f64::total_cmp);
        let shown: Vec<String> = sorted.iter().map(|r| format!("{r:.2}")).collect();
        println!(
            "ratio pipeline / bare parse ({name}): median {:.2}× (rounds: {})",
            sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN),
            shown.join(", ")
        );
    }
}

/// Lines per chunk of the overlapped bare parse (the pipeline's own chunk size).
const CHUNK: usize = 1024;

/// Lines per chunk of the straightforward bare parse (larger, so it waits on the pool less often).
const PLAIN_CHUNK: usize = 4096;

/// Parses one chunk of lines in parallel; every line must parse.
fn parse_chunk(chunk: &[String]) {
    let parsed: usize = chunk
        .par_iter()
        .map(|l| usize::from(serde_json::from_str::<EvaluationDocument>(l).is_ok()))
        .sum();
    assert_eq!(parsed, chunk.len());
}

/// Straightforward bare parse: read a chunk of lines, parse it in parallel, repeat; counts the
/// lines.
fn bare_parse(path: &str, count: &mut usize) -> Duration {
    let t = Instant::now();
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(path).unwrap());
    let mut lines = reader.lines();
    *count = 0;
    loop {
        let chunk: Vec<String> = lines.by_ref().take(PLAIN_CHUNK).map(Result::unwrap).collect();
        if chunk.is_empty() {
            break;
        }
        *count += chunk.len();
        parse_chunk(&chunk);
    }
    t.elapsed()
}

/// Overlapped bare parse: a reader thread reads the next chunks while the pool parses.
fn bare_parse_overlapped(path: &str, count: usize) -> Duration {
    let t = Instant::now();
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<String>>(2);
    let parsed = std::thread::scope(|scope| {
        scope.spawn(move || {
            let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(path).unwrap());
            let mut lines = reader.lines();
            loop {
                let chunk: Vec<String> = lines.by_ref().take(CHUNK).map(Result::unwrap).collect();
                if chunk.is_empty() || send.send(chunk).is_err() {
                    break;
                }
            }
        });
        let mut parsed = 0;
        for chunk in receive {
            parse_chunk(&chunk);
            parsed += chunk.len();
        }
        parsed
    });
    assert_eq!(parsed, count);
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
        (path, &mut jixiao::ingest::input::SeenIds::default()),
        |_| {},
        |_| {},
    )
    .unwrap();
    assert_eq!(stats.scored, count);
    t.elapsed()
}
