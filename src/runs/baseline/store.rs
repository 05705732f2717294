//! A baseline folder on disk: generations switched atomically, a lock, and the checks that make
//! tampering evident.
//!
//! ```text
//! B/
//!   current                  pointer: the name of the current generation, e.g. "000003"
//!   generations/
//!     000001/  results.jsonl  manifest.json  history.jsonl
//!     000002/  …
//!     000003/  …             one complete, never-modified set per recording or approval
//!   .lock                    held (flock) by a `run` for its whole read-compare-write
//! ```
//!
//! An update writes a complete new generation in a hidden folder (`generations/.tmp-PID`),
//! renames it to the next number, then replaces `current` in one atomic rename: a reader sees
//! the old generation or the new one, never a mixture, and a failure (or a crash) at any point
//! before the rename leaves the old one current. Readers go through `current` only. A folder
//! written before generations existed (the three files directly in `B/`) is still read; its
//! first update copies those files into generation 1 (switched to on its own), then writes the
//! new generation.
//!
//! Every read checks the generation against itself: the results' SHA-256 must be the one the
//! manifest records, the document count must match, and the last approval in the history must
//! be of those results. An edited or deleted file is [`BaselineError::Tampered`]; a history that
//! is not UTF-8 or holds a line that is not an approval is [`BaselineError::Damaged`], named
//! with its line, and nothing is written over it.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{Approval, DocResult, parse_results};
use crate::model::files::{FileError, read_regular};
use crate::report::output::write_atomic;
use crate::runs::manifest::{Manifest, sha256_hex};

/// A generation's results, one [`DocResult`] per line.
pub const RESULTS_FILE: &str = "results.jsonl";
/// A generation's run manifest.
pub const MANIFEST_FILE: &str = "manifest.json";
/// A generation's approval history, one [`Approval`] per line, oldest first.
pub const HISTORY_FILE: &str = "history.jsonl";
/// The pointer file naming the current generation.
pub const POINTER_FILE: &str = "current";
/// The folder holding the generations.
pub const GENERATIONS_DIR: &str = "generations";
/// The lock file.
pub const LOCK_FILE: &str = ".lock";

/// Largest `results.jsonl` read (4 GiB: some four million documents).
const RESULTS_LIMIT: u64 = 4 << 30;
/// Largest `manifest.json` read.
const MANIFEST_LIMIT: u64 = 256 << 20;
/// Largest `history.jsonl` read (some hundreds of thousands of approvals).
const HISTORY_LIMIT: u64 = 64 << 20;
/// Largest pointer file read.
const POINTER_LIMIT: u64 = 4 << 10;

/// Why a baseline cannot be read or updated. The message names the file (and line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    /// A file is missing, or its content is not what the rest of the generation records:
    /// the baseline was changed after it was recorded.
    #[error("{0}")]
    Tampered(String),
    /// A file cannot be read or is not in its format (invalid UTF-8, a line that is not an
    /// approval, a pointer to nothing).
    #[error("{0}")]
    Damaged(String),
    /// The update could not be written or the lock not taken; the previous generation is
    /// still current.
    #[error("{0}")]
    Write(String),
}

impl BaselineError {
    /// True when the baseline was changed after it was recorded (exit 1 for the command line),
    /// false when it cannot be read or written at all (exit 2).
    pub fn is_tampering(&self) -> bool {
        matches!(self, BaselineError::Tampered(_))
    }
}

/// One generation of a baseline, read and checked: what a run is compared with.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The folder holding its files (the baseline folder itself in the flat layout).
    pub folder: PathBuf,
    /// The approved results, in input order.
    pub results: Vec<DocResult>,
    /// The manifest of the run that produced them.
    pub manifest: Manifest,
    /// Every approval so far, oldest first; the last one approved these results.
    pub history: Vec<Approval>,
    /// The files' bytes as read, so an update carries them forward unchanged.
    results_bytes: Vec<u8>,
    manifest_bytes: Vec<u8>,
    history_bytes: Vec<u8>,
    /// Read from the flat layout (the files directly in the baseline folder).
    flat: bool,
}

fn file_error(e: &FileError, what: &str) -> BaselineError {
    match e {
        FileError::Missing { path } => {
            BaselineError::Tampered(format!("{what} {} 不存在：基线记录之后被删除或移走了", path.display()))
        }
        _ => BaselineError::Damaged(format!("{what}：{e}")),
    }
}

/// The folder of the current generation of the baseline `dir`: the generation `current` names,
/// else `dir` itself when it holds the files of the flat layout; `None` when `dir` holds no
/// baseline.
///
/// # Errors
/// The pointer cannot be read, names no generation, or names one that does not exist.
pub fn current_folder(dir: &Path) -> Result<Option<PathBuf>, BaselineError> {
    let pointer = dir.join(POINTER_FILE);
    match read_regular(&pointer, POINTER_LIMIT) {
        Ok(bytes) => {
            let name = std::str::from_utf8(&bytes).unwrap_or("").trim();
            if name.is_empty() || name.len() > 20 || !name.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BaselineError::Damaged(format!(
                    "基线指针 {} 的内容不是版本编号（应为数字，如 000003）",
                    pointer.display()
                )));
            }
            let folder = dir.join(GENERATIONS_DIR).join(name);
            if !folder.is_dir() {
                return Err(BaselineError::Tampered(format!(
                    "基线指针 {} 指向的版本 {} 不存在",
                    pointer.display(),
                    folder.display()
                )));
            }
            Ok(Some(folder))
        }
        Err(FileError::Missing { .. }) => {
            let flat = [RESULTS_FILE, MANIFEST_FILE, HISTORY_FILE]
                .iter()
                .any(|f| std::fs::symlink_metadata(dir.join(f)).is_ok());
            Ok(flat.then(|| dir.to_owned()))
        }
        Err(e) => Err(BaselineError::Damaged(format!("基线指针：{e}"))),
    }
}

/// Reads the current generation of the baseline `dir` (see [`current_folder`]), checked as
/// [`read_generation`] checks it; `None` when `dir` holds no baseline.
///
/// # Errors
/// See [`current_folder`] and [`read_generation`].
pub fn read_current(dir: &Path) -> Result<Option<Generation>, BaselineError> {
    let Some(folder) = current_folder(dir)? else {
        return Ok(None);
    };
    let flat = folder == dir;
    let mut generation = read_generation(&folder)?;
    generation.flat = flat;
    Ok(Some(generation))
}

/// Reads the generation in `folder` and checks it against itself: the results hash to what
/// the manifest records, their number is the manifest's, and the history's last approval is
/// of these results.
///
/// # Errors
/// [`BaselineError::Tampered`] when a file is missing or does not match the others;
/// [`BaselineError::Damaged`] when a file cannot be read or parsed (naming file and line).
pub fn read_generation(folder: &Path) -> Result<Generation, BaselineError> {
    let manifest_path = folder.join(MANIFEST_FILE);
    let manifest_bytes = read_regular(&manifest_path, MANIFEST_LIMIT).map_err(|e| file_error(&e, "基线运行清单"))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| BaselineError::Damaged(format!("{} 不是运行清单：{e}", manifest_path.display())))?;

    let results_path = folder.join(RESULTS_FILE);
    let results_bytes = read_regular(&results_path, RESULTS_LIMIT).map_err(|e| file_error(&e, "基线结果文件"))?;
    let now = sha256_hex(&results_bytes);
    if now != manifest.results_sha256 {
        return Err(BaselineError::Tampered(format!(
            "基线结果文件 {} 的内容与 {} 记录的散列不同（记录 {}，现在 {now}）：基线记录之后被改动过",
            results_path.display(),
            MANIFEST_FILE,
            manifest.results_sha256
        )));
    }
    let results_text = std::str::from_utf8(&results_bytes)
        .map_err(|e| BaselineError::Damaged(format!("{} 不是有效的 UTF-8 文本：{e}", results_path.display())))?;
    let results =
        parse_results(results_text).map_err(|e| BaselineError::Damaged(format!("{}：{e}", folder.display())))?;
    if results.len() != manifest.documents {
        return Err(BaselineError::Tampered(format!(
            "基线结果文件 {} 有 {} 个文档，{} 记录的是 {} 个：基线记录之后被改动过",
            results_path.display(),
            results.len(),
            MANIFEST_FILE,
            manifest.documents
        )));
    }

    let history_path = folder.join(HISTORY_FILE);
    let history_bytes = read_regular(&history_path, HISTORY_LIMIT).map_err(|e| file_error(&e, "基线审批历史"))?;
    let history = parse_history(&history_bytes)
        .map_err(|(line, e)| BaselineError::Damaged(format!("{} 第 {line} 行：{e}", history_path.display())))?;
    match history.last() {
        None => {
            return Err(BaselineError::Tampered(format!(
                "基线审批历史 {} 中没有任何审批记录",
                history_path.display()
            )));
        }
        Some(last) if last.results_sha256 != manifest.results_sha256 => {
            return Err(BaselineError::Tampered(format!(
                "基线审批历史 {} 的最后一条记录批准的结果（散列 {}）不是当前结果（散列 {}）：当前结果没有审批记录",
                history_path.display(),
                last.results_sha256,
                manifest.results_sha256
            )));
        }
        Some(_) => {}
    }
    Ok(Generation {
        folder: folder.to_owned(),
        results,
        manifest,
        history,
        results_bytes,
        manifest_bytes,
        history_bytes,
        flat: false,
    })
}

/// Parses `history.jsonl`: one [`Approval`] per non-blank line. The error is the 1-based line
/// and what is wrong with it.
///
/// # Errors
/// The bytes are not UTF-8, or a line is not an approval.
pub fn parse_history(bytes: &[u8]) -> Result<Vec<Approval>, (usize, String)> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        (line, format!("第 {column} 个字节起不是有效的 UTF-8 文本"))
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str::<Approval>(l).map_err(|e| (i + 1, format!("不是一条审批记录：{e}"))))
        .collect()
}

/// An exclusive or shared `flock` on a baseline's lock file, released when dropped.
#[derive(Debug)]
pub struct BaselineLock {
    _file: File,
}

impl BaselineLock {
    /// Takes the exclusive lock of the baseline `dir` (which must exist), creating the lock
    /// file if needed. When another process holds it, `on_wait` is called once and the call
    /// waits until it is released (a process that dies releases it).
    ///
    /// # Errors
    /// The lock file cannot be opened or locked.
    pub fn exclusive(dir: &Path, on_wait: impl FnOnce()) -> Result<Self, BaselineError> {
        let path = dir.join(LOCK_FILE);
        let failed =
            |e: std::io::Error| BaselineError::Write(format!("无法锁定基线（锁文件 {}）：{e}", path.display()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(failed)?;
        lock(&file, true, on_wait).map_err(failed)?;
        Ok(Self { _file: file })
    }

    /// Takes the shared lock of the baseline `dir` when its lock file exists and can be
    /// opened (waiting, after `on_wait`, while an update holds it); `None` otherwise. Readers
    /// need it only for a baseline being converted from the flat layout: generations
    /// themselves are never modified.
    pub fn shared(dir: &Path, on_wait: impl FnOnce()) -> Option<Self> {
        let file = File::open(dir.join(LOCK_FILE)).ok()?;
        lock(&file, false, on_wait).ok()?;
        Some(Self { _file: file })
    }
}

#[cfg(unix)]
fn lock(file: &File, exclusive: bool, on_wait: impl FnOnce()) -> std::io::Result<()> {
    use rustix::fs::{FlockOperation, flock};
    use rustix::io::Errno;
    let (try_now, wait) = if exclusive {
        (FlockOperation::NonBlockingLockExclusive, FlockOperation::LockExclusive)
    } else {
        (FlockOperation::NonBlockingLockShared, FlockOperation::LockShared)
    };
    match flock(file, try_now) {
        Ok(()) => return Ok(()),
        Err(e) if e == Errno::WOULDBLOCK => on_wait(),
        Err(e) => return Err(e.into()),
    }
    loop {
        match flock(file, wait) {
            Ok(()) => return Ok(()),
            Err(e) if e == Errno::INTR => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// No `flock` outside Unix: updates are still atomic, but not serialised.
#[cfg(not(unix))]
fn lock(_file: &File, _exclusive: bool, _on_wait: impl FnOnce()) -> std::io::Result<()> {
    Ok(())
}

/// What a new generation holds besides the history carried forward.
#[derive(Debug, Clone, Copy)]
pub struct Update<'a> {
    /// The new `results.jsonl` text ([`super::results_text`]).
    pub results: &'a str,
    /// The run's manifest.
    pub manifest: &'a Manifest,
    /// The approval appended to the history.
    pub approval: &'a Approval,
}

/// Writes `update` as the next generation of the baseline `dir` and makes it current in one
/// atomic step; `current` is the generation it replaces (as read under the same lock), whose
/// history it extends byte for byte. Returns the new generation's folder.
///
/// # Errors
/// Anything that cannot be written; the previous generation is then still current, and the
/// unfinished generation is removed.
pub fn commit(
    dir: &Path,
    _lock: &BaselineLock,
    current: Option<&Generation>,
    update: Update<'_>,
) -> Result<PathBuf, BaselineError> {
    let generations = dir.join(GENERATIONS_DIR);
    std::fs::create_dir_all(&generations).map_err(|e| write_error(&generations, &e))?;
    remove_unfinished(&generations);
    if let Some(flat) = current.filter(|g| g.flat) {
        // The flat files become generation 1 as they are, switched to on their own, so the
        // approved results so far stay on record; then the flat copies go.
        let first = write_generation(
            &generations,
            &flat.results_bytes,
            &flat.manifest_bytes,
            &flat.history_bytes,
        )?;
        switch(dir, &first)?;
        for f in [RESULTS_FILE, MANIFEST_FILE, HISTORY_FILE] {
            let _ = std::fs::remove_file(dir.join(f));
        }
    }
    let mut history = current.map(|g| g.history_bytes.clone()).unwrap_or_default();
    if history.last().is_some_and(|&b| b != b'\n') {
        history.push(b'\n');
    }
    let line =
        serde_json::to_string(update.approval).map_err(|e| BaselineError::Write(format!("无法写出审批记录：{e}")))?;
    history.extend_from_slice(line.as_bytes());
    history.push(b'\n');
    let manifest = serde_json::to_string_pretty(update.manifest)
        .map_err(|e| BaselineError::Write(format!("无法写出运行清单：{e}")))?
        + "\n";
    let name = write_generation(&generations, update.results.as_bytes(), manifest.as_bytes(), &history)?;
    switch(dir, &name)?;
    Ok(generations.join(name))
}

fn write_error(path: &Path, e: &dyn std::fmt::Display) -> BaselineError {
    BaselineError::Write(format!("无法写入 {}：{e}", path.display()))
}

/// Removes generations left unfinished by a run that died midway (`.tmp-*`): only the lock
/// holder writes, so none of them is in progress.
fn remove_unfinished(generations: &Path) {
    let Ok(entries) = std::fs::read_dir(generations) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(".tmp-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The number after the highest generation in `generations`.
fn next_number(generations: &Path) -> Result<u64, BaselineError> {
    let entries = std::fs::read_dir(generations).map_err(|e| write_error(generations, &e))?;
    let highest = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u64>().ok()))
        .max()
        .unwrap_or(0);
    highest
        .checked_add(1)
        .ok_or_else(|| BaselineError::Write(format!("{} 中的版本编号已用尽", generations.display())))
}

/// Writes the three files into a hidden folder, flushed to disk, then renames it to the next
/// generation number, which it returns. On failure the hidden folder is removed.
fn write_generation(
    generations: &Path,
    results: &[u8],
    manifest: &[u8],
    history: &[u8],
) -> Result<String, BaselineError> {
    let name = format!("{:06}", next_number(generations)?);
    let unfinished = generations.join(format!(".tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&unfinished);
    let written = (|| {
        std::fs::create_dir(&unfinished).map_err(|e| write_error(&unfinished, &e))?;
        for (file, bytes) in [
            (RESULTS_FILE, results),
            (MANIFEST_FILE, manifest),
            (HISTORY_FILE, history),
        ] {
            let path = unfinished.join(file);
            write_synced(&path, bytes).map_err(|e| write_error(&path, &e))?;
        }
        sync_folder(&unfinished).map_err(|e| write_error(&unfinished, &e))?;
        let target = generations.join(&name);
        std::fs::rename(&unfinished, &target).map_err(|e| write_error(&target, &e))?;
        sync_folder(generations).map_err(|e| write_error(generations, &e))
    })();
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&unfinished);
    }
    written.map(|()| name)
}

/// Points `current` at generation `name`: the pointer is replaced in one rename.
fn switch(dir: &Path, name: &str) -> Result<(), BaselineError> {
    let pointer = dir.join(POINTER_FILE);
    write_atomic(&pointer, format!("{name}\n").as_bytes()).map_err(|e| BaselineError::Write(e.to_string()))?;
    sync_folder(dir).map_err(|e| write_error(&pointer, &e))
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Flushes a folder's entries (new names, renames) to disk.
#[cfg(unix)]
fn sync_folder(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_folder(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_errors_name_the_line() {
        let good = br#"{"who":"a","when":"t","why":"w","changed":0,"results_sha256":"x"}"#;
        let mut bytes = good.to_vec();
        bytes.extend_from_slice(b"\n\nab\xffc\n");
        assert_eq!(parse_history(&bytes).unwrap_err().0, 3);
        assert!(parse_history(&bytes).unwrap_err().1.contains("第 3 个字节"));
        let mut bytes = good.to_vec();
        bytes.extend_from_slice(b"\n{\"note\":1}\n");
        let (line, message) = parse_history(&bytes).unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("不是一条审批记录"), "{message}");
        assert_eq!(parse_history(good).unwrap().len(), 1);
    }

    #[test]
    fn a_pointer_must_name_an_existing_generation() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(current_folder(tmp.path()).unwrap(), None);
        std::fs::write(tmp.path().join(POINTER_FILE), "../../etc\n").unwrap();
        assert!(matches!(current_folder(tmp.path()), Err(BaselineError::Damaged(_))));
        std::fs::write(tmp.path().join(POINTER_FILE), "000002\n").unwrap();
        assert!(matches!(current_folder(tmp.path()), Err(BaselineError::Tampered(_))));
        std::fs::create_dir_all(tmp.path().join(GENERATIONS_DIR).join("000002")).unwrap();
        assert_eq!(
            current_folder(tmp.path()).unwrap(),
            Some(tmp.path().join(GENERATIONS_DIR).join("000002"))
        );
    }
}
