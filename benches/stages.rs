//! Where a batch run's time goes, stage by stage, on one thread: run with
//! `JIXIAO_CORPUS=/path/corpus.jsonl cargo bench --bench stages` (make the corpus with
//! `jixiao generate --count 20000 -o /path/corpus.jsonl`; `JIXIAO_LIMIT` caps the documents read).
//!
//! Each stage runs over every document in turn and is timed on its own, several times; the
//! medians are printed as microseconds per document: bare typed parsing, parsing with the
//! schema's value constraints (`check_str`), rule-set selection, scoring with findings, and
//! serialising the scorecard (with serde_json, and with sonic-rs as batch runs do).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark"
)]

mod common;

use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use common::median;

use jixiao::engine::scoring::score_document;
use jixiao::ingest::validate::DocumentValidator;
use jixiao::model::document::EvaluationDocument;
use jixiao::policy::select::Catalogue;

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        black_box(f());
        times.push(t.elapsed());
    }
    median(times)
}

/// Consumes every item, keeping the optimiser from skipping the work.
fn consume<T>(items: impl Iterator<Item = T>) -> usize {
    items.fold(0, |n, item| {
        black_box(item);
        n + 1
    })
}

fn main() {
    let Ok(path) = std::env::var("JIXIAO_CORPUS") else {
        eprintln!("set JIXIAO_CORPUS to a JSON Lines corpus (jixiao generate --count 20000 -o corpus.jsonl)");
        return;
    };
    let env_usize =
        |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let runs = env_usize("JIXIAO_RUNS", 5);
    let limit = env_usize("JIXIAO_LIMIT", 20_000);
    let reader = BufReader::new(std::fs::File::open(&path).unwrap());
    let lines: Vec<String> = reader.lines().take(limit).map(Result::unwrap).collect();
    let n = lines.len();
    let catalogue = Catalogue::embedded().unwrap();
    let validator = DocumentValidator::new().unwrap();

    let parse = time(runs, || {
        consume(
            lines
                .iter()
                .map(|l| serde_json::from_str::<EvaluationDocument>(l).unwrap()),
        )
    });
    let check = time(runs, || consume(lines.iter().map(|l| validator.check_str(l).unwrap())));
    let docs: Vec<EvaluationDocument> = lines.iter().map(|l| validator.check_str(l).unwrap()).collect();
    let select = time(runs, || {
        consume(
            docs.iter()
                .map(|d| catalogue.select(d.year, d.region.as_deref()).unwrap()),
        )
    });
    let rules: Vec<_> = docs
        .iter()
        .map(|d| catalogue.select(d.year, d.region.as_deref()).unwrap())
        .collect();
    let score = time(runs, || {
        consume(docs.iter().zip(&rules).map(|(d, r)| score_document(r, d).unwrap()))
    });
    let cards: Vec<_> = docs
        .iter()
        .zip(&rules)
        .map(|(d, r)| score_document(r, d).unwrap())
        .collect();
    let serialise_serde_json = time(runs, || {
        cards
            .iter()
            .map(|c| serde_json::to_vec(c).unwrap().len())
            .sum::<usize>()
    });
    let serialise = time(runs, || {
        let mut line = Vec::new();
        cards
            .iter()
            .map(|c| {
                line.clear();
                jixiao::runs::batch::append_json_line(&mut line, c).unwrap();
                line.len()
            })
            .sum::<usize>()
    });

    let per_doc = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!("documents: {n}, runs: {runs}, one thread; medians in µs per document");
    for (stage, d) in [
        ("bare typed parse", parse),
        ("parse + value constraints (check_str)", check),
        ("select rule set", select),
        ("score + findings", score),
        ("serialise scorecard (serde_json)", serialise_serde_json),
        ("serialise scorecard (batch: sonic-rs)", serialise),
    ] {
        println!("{stage:<40} {:>8.2}", per_doc(d));
    }
    println!(
        "{:<40} {:>8.2}",
        "pipeline (check + select + score + serialise)",
        per_doc(check + select + score + serialise)
    );
}
