//! How `check` and reading decisions grow with the size of their input: run with
//! `cargo bench --bench scale`. For each size n the median of 5 runs is printed, with the time
//! per item; work that grows linearly keeps the time per item flat as n grows (the functions
//! row grows with Rhai's own parser, which looks each name up among the functions defined so
//! far). `tests/scale.rs` checks the same inputs finish, with generous bounds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark"
)]

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use common::median;
use jixiao::engine::decisions::DecisionSet;
use jixiao::policy::RuleSetFiles;
use jixiao::policy::lint;
use jixiao::report::diagnostics::render;

/// `rules/shenzhen-2020` with `extra` appended to `policy.toml` and `script` as `extra.rhai`.
fn rule_set(dir: &Path, extra: &str, script: &str) -> RuleSetFiles {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/shenzhen-2020");
    for file in ["policy.toml", "formulas.rhai", "checks.rhai"] {
        std::fs::copy(source.join(file), dir.join(file)).unwrap();
    }
    let policy = dir.join("policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap() + extra;
    std::fs::write(&policy, text).unwrap();
    if !script.is_empty() {
        std::fs::write(dir.join("extra.rhai"), script).unwrap();
    }
    RuleSetFiles::read_folder(dir).unwrap()
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
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

fn row(what: &str, n: usize, t: Duration) {
    println!(
        "{what:<34} n = {n:>6}  {:>9.1} ms  {:>7.2} µs/item",
        t.as_secs_f64() * 1e3,
        t.as_secs_f64() * 1e6 / n as f64
    );
}

fn main() {
    for n in [1_000, 4_000, 16_000] {
        let dir = tempfile::tempdir().unwrap();
        let mut params = String::new();
        for i in 0..n {
            write!(
                params,
                "\n[params.p{i}]\nvalue = {i}\ndescription = \"x\"\nreference = \"r\"\n"
            )
            .unwrap();
        }
        let files = rule_set(dir.path(), &params, "");
        let t = time(5, || {
            let diagnostics = lint::check(&files);
            assert_eq!(diagnostics.len(), n);
            std::hint::black_box(render(&diagnostics, false));
        });
        row("check: unused [params] (rendered)", n, t);
    }
    for n in [1_000, 4_000, 16_000] {
        let dir = tempfile::tempdir().unwrap();
        let mut script = String::new();
        for i in 0..n {
            writeln!(script, "fn f{i}(x) {{ f{}(x) }}", i + 1).unwrap();
        }
        writeln!(script, "fn f{n}(x) {{ x }}").unwrap();
        let files = rule_set(dir.path(), "", &script);
        let t = time(5, || {
            std::hint::black_box(lint::check(&files));
        });
        row("check: script functions", n, t);
    }
    for n in [1_000, 4_000, 16_000] {
        let mut text = String::new();
        for i in 0..n {
            write!(
                text,
                "[[decision]]\nkind = \"waive\"\ndocument = \"doc-{i}\"\ncode = \"I6\"\nreason = \"r\"\nreviewer = \"张三\"\ndate = 2024-05-11\n\n"
            )
            .unwrap();
        }
        let t = time(5, || {
            let mut set = DecisionSet::default();
            set.add_text("decisions.toml", &text).unwrap();
            std::hint::black_box(set);
        });
        row("decisions file", n, t);
    }
}
