//! Throughput check of the in-memory import: 10,000 forms from TSV text. Run with
//! `cargo test --release --test tests import_perf:: -- --ignored --nocapture` (the debug run only
//! checks it works). The figures of record — file to JSON Lines through `jixiao import`, and peak memory —
//! come from `cargo bench --bench pipeline`; see docs/performance.md.

use jixiao::ingest::import::{ImportOptions, import_text};

use crate::common;

/// The seed's form 3 (the one with shifted cells) repeated `n` times with distinct names.
fn many_forms(n: usize) -> String {
    let text = common::seed_text();
    let lines: Vec<&str> = text.lines().collect();
    let form3 = lines[46..70].join("\n");
    let mut out = String::with_capacity(form3.len() * n + n * 8);
    for k in 0..n {
        out.push_str(&form3.replace("机房UPS电池更换及蓄电池间消防整改", &format!("机房UPS电池更换{k}")));
        out.push('\n');
    }
    out
}

#[test]
#[ignore = "timing; run in release"]
fn ten_thousand_forms() {
    let text = many_forms(10_000);
    let (start, cpu) = (std::time::Instant::now(), thread_cpu_ms());
    let docs = import_text("many.tsv", &text, &ImportOptions::default()).unwrap();
    let (elapsed, cpu) = (start.elapsed(), thread_cpu_ms().zip(cpu).map(|(b, a)| b - a));
    assert_eq!(docs.len(), 10_000);
    println!(
        "imported {} forms ({} bytes) in {elapsed:?} (thread CPU time {cpu:?} ms)",
        docs.len(),
        text.len()
    );
}

#[test]
fn hundred_forms_import() {
    let docs = import_text("many.tsv", &many_forms(100), &ImportOptions::default()).unwrap();
    assert_eq!(docs.len(), 100);
    assert!(docs.iter().all(|d| d.year == 2021 && d.indicators.len() == 11));
}

#[test]
#[ignore = "timing; run in release"]
fn phases() {
    let text = many_forms(10_000);
    let t = std::time::Instant::now();
    let grid = jixiao::ingest::import::grid::parse_delimited("many.tsv", &text, b'\t').unwrap();
    println!("parse {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let forms =
        jixiao::ingest::import::import_forms("many.tsv", std::slice::from_ref(&grid), &ImportOptions::default())
            .unwrap();
    println!("forms {:?} ({})", t.elapsed(), forms.len());
    let t = std::time::Instant::now();
    drop(forms);
    drop(grid);
    println!("drop {:?}", t.elapsed());
}

/// User + system CPU time of this thread in milliseconds (Linux only), so a busy machine does
/// not distort the number.
fn thread_cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10)
}
