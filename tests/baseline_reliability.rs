//! A baseline update is all-or-nothing, locked and tamper-evident (issue 14, items 4 and 5, and
//! the baseline bits of 13), through the binary: a corrupt history is refused and left as it
//! was; a write that fails (or a process killed) midway leaves the previous generation current;
//! concurrent approvals keep every history entry and never mix the files of two runs; a second
//! run waits for the lock and says so; an edited or deleted results file is caught by `--check`
//! and `verify`; `verify` refuses recorded inputs that are not regular files instead of hanging;
//! a blank `--reason` is refused; creating a baseline says so.
//!
//! The helpers read a baseline in either layout (flat files in the folder, or generation
//! folders behind the `current` pointer), so each test also runs against the old layout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jixiao::runs::manifest::{Manifest, sha256_hex};

use crate::common::{jixiao_command, run_command};

/// `jixiao ARGS` with a known login name.
fn jixiao(args: &[&str]) -> (i32, String, String) {
    run_command(jixiao_command().args(args).env("USER", "审核员甲"))
}

/// A generated corpus of `count` documents (seeded), written into `dir`.
fn corpus(dir: &Path, seed: u64, count: usize) -> PathBuf {
    let path = dir.join(format!("corpus-{seed}.jsonl"));
    let (code, _, stderr) = jixiao(&[
        "generate",
        "--count",
        &count.to_string(),
        "--seed",
        &seed.to_string(),
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The folder holding the current results, manifest and history, in either layout.
fn current(baseline: &Path) -> PathBuf {
    match std::fs::read_to_string(baseline.join("current")) {
        Ok(name) => baseline.join("generations").join(name.trim()),
        Err(_) => baseline.to_owned(),
    }
}

/// Every generation folder (the baseline folder itself in the flat layout), oldest first.
fn generations(baseline: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(baseline.join("generations")) else {
        return vec![baseline.to_owned()];
    };
    let mut all: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    all.sort();
    all
}

fn history(folder: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(folder.join("history.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn manifest(folder: &Path) -> Manifest {
    serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap()).unwrap()
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

/// Waits for a child at most `limit`; kills it and fails the test when it is still running.
fn wait_at_most(mut child: std::process::Child, limit: Duration, what: &str) -> (i32, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return (status.code().unwrap_or(-1), stderr);
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_corrupt_history_is_refused_and_left_byte_identical() {
    for (name, bad_line) in [
        ("invalid UTF-8", &b"{\"who\":\"\xff\"}\n"[..]),
        ("not an approval", &b"{\"note\":\"hand-edited\"}\n"[..]),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let input = corpus(tmp.path(), 1, 2);
        let baseline = tmp.path().join("基线");
        let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline)]);
        assert_eq!(code, 0, "{stderr}");
        let history_path = current(&baseline).join("history.jsonl");
        let mut bytes = std::fs::read(&history_path).unwrap();
        bytes.extend_from_slice(bad_line);
        std::fs::write(&history_path, &bytes).unwrap();
        let before = tree(&baseline);

        let other = corpus(tmp.path(), 2, 2);
        let (code, _, stderr) = jixiao(&[
            "run",
            s(&other),
            "--baseline",
            s(&baseline),
            "--approve",
            "--reason",
            "新语料",
        ]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains("history.jsonl"), "{name}: {stderr}");
        assert!(stderr.contains("第 2 行"), "{name}: {stderr}");
        assert!(stderr.contains("基线未改动"), "{name}: {stderr}");
        assert_eq!(tree(&baseline), before, "{name}: the baseline changed");
        // `--check` refuses it too, naming the line, rather than comparing with a damaged baseline.
        let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline), "--check"]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains("第 2 行"), "{name}: {stderr}");
    }
}

#[cfg(unix)]
/// `jixiao ARGS` under a file-size limit of `blocks` (`ulimit -f`), which binds root too: a
/// write past it fails (`SIGXFSZ` ignored) or kills the process (`SIGXFSZ` left alone).
fn jixiao_with_file_limit(blocks: u32, ignore_signal: bool, args: &[&str]) -> (i32, String, String) {
    let trap = if ignore_signal { "trap '' XFSZ; " } else { "" };
    run_command(
        Command::new("sh")
            .arg("-c")
            .arg(format!("{trap}ulimit -f {blocks} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_jixiao"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("USER", "审核员甲"),
    )
}

#[cfg(unix)]
#[test]
fn a_write_failure_midway_leaves_the_previous_baseline_current() {
    let tmp = tempfile::tempdir().unwrap();
    let old = corpus(tmp.path(), 1, 2);
    let new = corpus(tmp.path(), 2, 1);
    let baseline = tmp.path().join("基线");
    let (code, _, stderr) = jixiao(&["run", s(&old), "--baseline", s(&baseline)]);
    assert_eq!(code, 0, "{stderr}");
    // A long reason makes the history the largest file of the next generation, so a size limit
    // lets the new results and manifest be written and stops the history: the old defect's case.
    let long_reason = "原因".repeat(4000);
    let (code, _, stderr) = jixiao(&[
        "run",
        s(&old),
        "--baseline",
        s(&baseline),
        "--approve",
        "--reason",
        &long_reason,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let history_size = std::fs::metadata(current(&baseline).join("history.jsonl"))
        .unwrap()
        .len();
    assert!(history_size > 20_000, "{history_size}");
    let before = tree(&baseline);
    let approve_new = [
        "run",
        s(&new),
        "--baseline",
        s(&baseline),
        "--approve",
        "--reason",
        "新语料",
    ];

    // 8 blocks: 4 KiB (dash) or 8 KiB (bash), more than a one-document results file or manifest,
    // less than the history.
    let (code, _, stderr) = jixiao_with_file_limit(8, true, &approve_new);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("基线未改动"), "{stderr}");
    assert_eq!(
        tree(&baseline),
        before,
        "a failed update left files behind or changed some"
    );
    let (code, _, stderr) = jixiao(&["run", s(&old), "--baseline", s(&baseline), "--check"]);
    assert_eq!(code, 0, "the old results are still the baseline: {stderr}");
    assert!(stderr.contains("与基线一致"), "{stderr}");
    let (code, _, _) = jixiao(&["run", s(&new), "--baseline", s(&baseline), "--check"]);
    assert_eq!(code, 1, "the unapproved results must not be the baseline");

    // Killed midway (SIGXFSZ): the previous generation stays current too.
    let (code, _, stderr) = jixiao_with_file_limit(8, false, &approve_new);
    assert_eq!(code, -1, "killed by SIGXFSZ: {stderr}");
    assert_eq!(history(&current(&baseline)).len(), 2);
    let (code, _, stderr) = jixiao(&["run", s(&old), "--baseline", s(&baseline), "--check"]);
    assert_eq!(code, 0, "{stderr}");

    // And the next approval goes through, leaving no trace of the interrupted ones.
    let (code, _, stderr) = jixiao(&approve_new);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(history(&current(&baseline)).len(), 3);
    let (code, _, stderr) = jixiao(&["run", s(&new), "--baseline", s(&baseline), "--check"]);
    assert_eq!(code, 0, "{stderr}");
    let hidden: Vec<_> = tree(&baseline)
        .into_keys()
        .filter(|p| p.iter().any(|c| c.to_string_lossy().starts_with(".tmp")))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[cfg(unix)]
#[test]
fn concurrent_approvals_keep_every_history_entry_and_never_mix_files() {
    const RUNS: u64 = 6;
    let tmp = tempfile::tempdir().unwrap();
    let corpora: Vec<PathBuf> = (1..=RUNS).map(|seed| corpus(tmp.path(), seed, 3)).collect();
    // What each corpus's results hash to, from a baseline of its own.
    let expected: BTreeMap<String, String> = corpora
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let solo = tmp.path().join(format!("solo-{i}"));
            let (code, _, stderr) = jixiao(&["run", s(c), "--baseline", s(&solo)]);
            assert_eq!(code, 0, "{stderr}");
            (s(c).to_owned(), manifest(&current(&solo)).results_sha256)
        })
        .collect();
    let distinct: std::collections::BTreeSet<_> = expected.values().collect();
    assert_eq!(distinct.len(), corpora.len(), "the corpora must score differently");

    let baseline = tmp.path().join("基线");
    let spawn_all = |extra: &dyn Fn(usize) -> Vec<String>| -> Vec<(i32, String)> {
        let children: Vec<_> = corpora
            .iter()
            .enumerate()
            .map(|(i, c)| {
                jixiao_command()
                    .args(["run", s(c), "--baseline", s(&baseline)])
                    .args(extra(i))
                    .env("USER", "审核员甲")
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        children
            .into_iter()
            .map(|c| wait_at_most(c, Duration::from_secs(120), "a concurrent run"))
            .collect()
    };

    // Recording a new baseline at once from every corpus: one records it, the others are told
    // it exists.
    let outcomes = spawn_all(&|_| Vec::new());
    let recorded = outcomes.iter().filter(|(code, _)| *code == 0).count();
    assert_eq!(recorded, 1, "{outcomes:?}");
    for (code, stderr) in &outcomes {
        assert!(*code == 0 || stderr.contains("已存在"), "{code}: {stderr}");
    }

    // Approving every corpus at once: all go through, one after the other.
    let outcomes = spawn_all(&|i| vec!["--approve".into(), "--reason".into(), format!("第 {i} 次批准")]);
    for (code, stderr) in &outcomes {
        assert_eq!(*code, 0, "{stderr}");
    }
    let entries = history(&current(&baseline));
    assert_eq!(entries.len(), corpora.len() + 1, "{entries:#?}");
    for i in 0..corpora.len() {
        let why = format!("第 {i} 次批准");
        assert_eq!(
            entries.iter().filter(|e| e["why"] == why).count(),
            1,
            "{why}: {entries:#?}"
        );
    }

    // Every generation is one run's files: its results are what its manifest's corpus scores
    // to, its manifest and last approval name that hash, and each history extends the one before.
    let all = generations(&baseline);
    assert_eq!(all.len(), corpora.len() + 1, "{all:?}");
    let mut previous: Option<Vec<serde_json::Value>> = None;
    for folder in &all {
        let m = manifest(folder);
        let results = std::fs::read(folder.join("results.jsonl")).unwrap();
        assert_eq!(sha256_hex(&results), m.results_sha256, "{}", folder.display());
        assert_eq!(m.inputs.len(), 1);
        assert_eq!(expected[&m.inputs[0].name], m.results_sha256, "{}", folder.display());
        let h = history(folder);
        assert_eq!(h.last().unwrap()["results_sha256"], m.results_sha256.as_str());
        if let Some(p) = &previous {
            assert_eq!(&h[..h.len() - 1], &p[..], "{}", folder.display());
        }
        previous = Some(h);
    }
    assert_eq!(previous.unwrap(), entries);
}

#[cfg(unix)]
#[test]
fn a_second_run_waits_for_the_lock_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path(), 1, 1);
    let baseline = tmp.path().join("基线");
    let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline)]);
    assert_eq!(code, 0, "{stderr}");

    // Hold the baseline's lock as another run would.
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(baseline.join(".lock"))
        .unwrap();
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive).unwrap();
    let mut child = jixiao_command()
        .args([
            "run",
            s(&input),
            "--baseline",
            s(&baseline),
            "--approve",
            "--reason",
            "复核",
        ])
        .env("USER", "审核员甲")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its stderr, line by line, as it comes (the run scores first, then reaches the lock).
    let (lines, received) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
            let _ = lines.send(line.unwrap());
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen.iter().any(|l: &String| l.contains("正被另一个 jixiao run 更新")) {
        let left = deadline.saturating_duration_since(Instant::now());
        match received.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => {
                child.kill().unwrap();
                panic!("no word of waiting for the lock within 60 s: {seen:?}");
            }
        }
    }
    // Waiting: nothing written, still running.
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "{seen:?}");
    assert_eq!(history(&current(&baseline)).len(), 1, "the approval did not wait");
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::Unlock).unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    seen.extend(received.try_iter());
    assert_eq!(status.code(), Some(0), "{seen:?}");
    assert_eq!(history(&current(&baseline)).len(), 2);
}

#[test]
fn edited_or_deleted_results_are_caught_by_check_verify_and_approve() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path(), 1, 3);
    let baseline = tmp.path().join("基线");
    let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline)]);
    assert_eq!(code, 0, "{stderr}");
    let manifest_arg = baseline.join("manifest.json");
    let (code, _, stderr) = jixiao(&["verify", s(&manifest_arg)]);
    assert_eq!(code, 0, "{stderr}");
    let results = current(&baseline).join("results.jsonl");
    let original = std::fs::read_to_string(&results).unwrap();

    // Lines reordered: every result still matches by id, so only the hash can tell.
    let reordered: String = original.lines().rev().map(|l| format!("{l}\n")).collect();
    assert_ne!(reordered, original);
    std::fs::write(&results, &reordered).unwrap();
    let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline), "--check"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("与基线一致"), "{stderr}");
    assert!(stderr.contains("results.jsonl"), "{stderr}");
    assert!(stderr.contains("被改动"), "{stderr}");
    let (code, _, stderr) = jixiao(&["verify", s(&manifest_arg)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("results.jsonl"), "{stderr}");
    assert!(stderr.contains("被改动"), "{stderr}");
    // An approval on a tampered baseline is refused too, and changes nothing.
    let before = tree(&baseline);
    let (code, _, stderr) = jixiao(&[
        "run",
        s(&input),
        "--baseline",
        s(&baseline),
        "--approve",
        "--reason",
        "照旧",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("基线未改动"), "{stderr}");
    assert_eq!(tree(&baseline), before);

    // A score edited: the same.
    std::fs::write(&results, original.replacen("\"total\":\"", "\"total\":\"1", 1)).unwrap();
    let (code, _, stderr) = jixiao(&["verify", s(&manifest_arg)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("被改动"), "{stderr}");

    // Deleted: reported, not taken for a missing baseline.
    std::fs::remove_file(&results).unwrap();
    let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline), "--check"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("results.jsonl"), "{stderr}");
    assert!(stderr.contains("不存在"), "{stderr}");
    let (code, _, stderr) = jixiao(&["verify", s(&manifest_arg)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("不存在"), "{stderr}");
    let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline)]);
    assert_eq!(code, 1, "not recorded afresh over the damaged one: {stderr}");

    // Restored: all is well again.
    std::fs::write(&results, &original).unwrap();
    let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline), "--check"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = jixiao(&["verify", s(&manifest_arg)]);
    assert_eq!(code, 0, "{stderr}");
}

#[cfg(unix)]
#[test]
fn verify_refuses_recorded_files_that_are_not_regular_instead_of_hanging() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path(), 1, 1);
    let baseline = tmp.path().join("基线");
    let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline)]);
    assert_eq!(code, 0, "{stderr}");
    let fifo = tmp.path().join("管道");
    let (code, _, stderr) = run_command(Command::new("mkfifo").arg(&fifo));
    assert_eq!(code, 0, "{stderr}");

    let recorded = std::fs::read_to_string(current(&baseline).join("manifest.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&recorded).unwrap();
    for (name, device) in [("/dev/zero", "/dev/zero"), ("FIFO", s(&fifo))] {
        value["inputs"][0]["name"] = device.into();
        let edited = tmp.path().join(format!("edited-{}.json", name.replace('/', "")));
        std::fs::write(&edited, serde_json::to_string_pretty(&value).unwrap()).unwrap();
        let child = jixiao_command()
            .args(["verify", s(&edited)])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (code, stderr) = wait_at_most(child, Duration::from_secs(20), name);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains(device), "{name}: {stderr}");
        assert!(stderr.contains("不是普通文件"), "{name}: {stderr}");
    }

    // The manifest itself a FIFO: refused, not waited on.
    let child = jixiao_command()
        .args(["verify", s(&fifo)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (code, stderr) = wait_at_most(child, Duration::from_secs(20), "a FIFO manifest");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("不是普通文件"), "{stderr}");
}

#[test]
fn a_blank_reason_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path(), 1, 1);
    let baseline = tmp.path().join("基线");
    let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline)]);
    assert_eq!(code, 0, "{stderr}");
    let before = tree(&baseline);
    for blank in ["", "   ", "\u{3000}\t"] {
        let (code, _, stderr) = jixiao(&[
            "run",
            s(&input),
            "--baseline",
            s(&baseline),
            "--approve",
            "--reason",
            blank,
        ]);
        assert_eq!(code, 2, "{blank:?}: {stderr}");
        assert!(stderr.contains("--reason"), "{stderr}");
        assert_eq!(tree(&baseline), before);
    }
}

#[test]
fn recording_a_new_baseline_says_so_and_names_an_unknown_approver() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path(), 1, 1);
    let baseline = tmp.path().join("基线");
    let (code, _, stderr) = run_command(
        jixiao_command()
            .args(["run", s(&input), "--baseline", s(&baseline)])
            .env_remove("USER")
            .env_remove("LOGNAME"),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("基线") && stderr.contains("不存在，已新建"), "{stderr}");
    assert!(stderr.contains("审批人记为“未知”"), "{stderr}");
    assert_eq!(history(&current(&baseline))[0]["who"], "未知");
}

#[test]
fn verify_takes_the_baseline_folder_too() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path(), 1, 2);
    let baseline = tmp.path().join("基线");
    let (code, _, stderr) = jixiao(&["run", s(&input), "--baseline", s(&baseline)]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = jixiao(&["verify", s(&baseline)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("结果与清单记录一致"), "{stderr}");
}

#[test]
fn a_flat_baseline_is_read_and_upgraded_by_the_next_approval() {
    let tmp = tempfile::tempdir().unwrap();
    let old = corpus(tmp.path(), 1, 2);
    let new = corpus(tmp.path(), 2, 2);
    let baseline = tmp.path().join("基线");
    let (code, _, stderr) = jixiao(&["run", s(&old), "--baseline", s(&baseline)]);
    assert_eq!(code, 0, "{stderr}");
    // The layout jixiao wrote before generations: the three files in the folder itself.
    let folder = current(&baseline);
    if folder != baseline {
        for f in ["results.jsonl", "manifest.json", "history.jsonl"] {
            std::fs::copy(folder.join(f), baseline.join(f)).unwrap();
        }
        std::fs::remove_file(baseline.join("current")).unwrap();
        std::fs::remove_dir_all(baseline.join("generations")).unwrap();
    }
    let flat = tree(&baseline);

    let (code, _, stderr) = jixiao(&["run", s(&old), "--baseline", s(&baseline), "--check"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = jixiao(&["verify", s(&baseline.join("manifest.json"))]);
    assert_eq!(code, 0, "{stderr}");

    let (code, _, stderr) = jixiao(&[
        "run",
        s(&new),
        "--baseline",
        s(&baseline),
        "--approve",
        "--reason",
        "新语料",
    ]);
    assert_eq!(code, 0, "{stderr}");
    // The flat files became the first generation, byte for byte; the approval is the second.
    let all = generations(&baseline);
    assert_eq!(all.len(), 2, "{all:?}");
    for f in ["results.jsonl", "manifest.json", "history.jsonl"] {
        assert_eq!(
            std::fs::read(all[0].join(f)).unwrap(),
            flat[Path::new(f)],
            "{f} of the first generation"
        );
        assert!(!baseline.join(f).exists(), "{f} left in the folder");
    }
    assert_eq!(current(&baseline), all[1]);
    assert_eq!(history(&all[1]).len(), 2);
    let (code, _, stderr) = jixiao(&["run", s(&new), "--baseline", s(&baseline), "--check"]);
    assert_eq!(code, 0, "{stderr}");
    // `verify DIR/manifest.json`, as documented, reads the current generation.
    let (code, _, stderr) = jixiao(&["verify", s(&baseline.join("manifest.json"))]);
    assert_eq!(code, 0, "{stderr}");
}
