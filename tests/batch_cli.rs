//! Corpus runs through the binary: parallel scoring is byte-identical to a single-threaded run,
//! bad lines are reported and skipped, and a run killed midway leaves no output file.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::jixiao_command;

fn generate(dir: &std::path::Path, count: u64) -> std::path::PathBuf {
    let corpus = dir.join("corpus.jsonl");
    let status = jixiao_command()
        .args(["generate", "--count", &count.to_string(), "--seed", "42", "-o"])
        .arg(&corpus)
        .status()
        .unwrap();
    assert!(status.success());
    corpus
}

#[test]
fn parallel_output_is_byte_identical_to_a_single_threaded_run() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = generate(tmp.path(), 10_000);
    let run = |threads: &str, out: &str| {
        let out = tmp.path().join(out);
        let output = jixiao_command()
            .env("RAYON_NUM_THREADS", threads)
            .args(["score", "--format", "jsonl", "--quiet", "--fail-on", "never"])
            .arg(&corpus)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read(out).unwrap()
    };
    let parallel = run("2", "parallel.jsonl");
    let single = run("1", "single.jsonl");
    assert_eq!(parallel.iter().filter(|&&b| b == b'\n').count(), 10_000);
    assert!(parallel == single, "outputs differ");
}

#[test]
fn a_bad_line_is_reported_and_the_others_are_scored() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = generate(tmp.path(), 20);
    let mut text = std::fs::read_to_string(&corpus).unwrap();
    text = text.replacen("\"year\":", "\"year\":\"oops\",\"x\":", 1);
    text.push_str("not json\n");
    let output = jixiao_command()
        .args(["score", "-", "--format", "jsonl", "--fail-on", "never"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stdout.lines().count(), 19, "{stderr}");
    assert!(stderr.contains("- 第1行"), "names the line: {stderr}");
    assert!(stderr.contains("- 第21行：不是合法的 JSON"), "{stderr}");
    assert!(stderr.contains("共评分 19 个文档："), "{stderr}");
    assert!(stderr.contains("；2 个无法评分"), "{stderr}");
}

#[test]
fn a_run_killed_midway_leaves_no_output_file() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = generate(tmp.path(), 30_000);
    let out_dir = tmp.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("scores.jsonl");
    let mut child = jixiao_command()
        .args(["score", "--format", "jsonl", "--quiet"])
        .arg(&corpus)
        .arg("-o")
        .arg(&out)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Let it work a while, then kill it hard (SIGKILL: no destructor runs).
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(700));
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        still_running,
        "the run finished in {:?}; make the corpus larger",
        started.elapsed()
    );
    let left: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "partial files left behind: {left:?}");
}

#[test]
fn an_unwritable_output_is_a_clear_error() {
    let output = jixiao_command()
        .args([
            "score",
            "tests/fixtures/documents/minimal.json",
            "--format",
            "jsonl",
            "-o",
            "/proc/no-such-dir/out.jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/proc/no-such-dir/out.jsonl"), "{stderr}");
}
