//! What a run records so that `jixiao verify` can reproduce it exactly: the [`Manifest`] (engine,
//! content hashes of inputs, rule sets and decisions files, the options, the results' hash) and
//! the hashing that fills it — of files, of rule sets in a catalogue, and of streams as they
//! are read or written, so a large input or report is never read twice.
//!
//! A baseline folder keeps its manifest as `manifest.json` ([`crate::runs::baseline`]);
//! `jixiao score -o FILE` writes one beside its report (`FILE.manifest.json`), with a
//! [`ReportRecord`] naming the report file, its format and hash.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::files::{FileError, open_regular};
use crate::policy::select::Catalogue;

/// A file and its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hashed {
    /// Path as given (inputs, decisions) or rule-set id.
    pub name: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// Everything needed to reproduce a run and to tell whether it reproduced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `jixiao` version that ran.
    pub engine: String,
    /// Input files with their hashes, in order.
    pub inputs: Vec<Hashed>,
    /// Rule sets used (content hash of all their files).
    pub rulesets: Vec<Hashed>,
    /// `--rules` as given, if any.
    pub rules_option: Option<String>,
    /// Decisions files with their hashes.
    pub decisions: Vec<Hashed>,
    /// Import options: year, default year, region.
    pub year: Option<i32>,
    /// See `year`.
    pub default_year: Option<i32>,
    /// See `year`.
    pub region: Option<String>,
    /// The office's own layout files (`--layouts`) with their hashes, each file of a folder
    /// listed; the shipped layouts are part of the engine version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layouts: Vec<Hashed>,
    /// Number of documents scored.
    pub documents: usize,
    /// SHA-256 of `results.jsonl` (baseline runs) or of the report file (`jixiao score -o`).
    pub results_sha256: String,
    /// The report file a `jixiao score -o` run wrote; absent from a baseline run's manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportRecord>,
    /// The folder the run was started in (absolute): relative file names above are relative to
    /// it, so that `jixiao verify` finds them from anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
}

/// The folder a run starts in, as a manifest records it.
pub fn current_directory() -> Option<String> {
    std::env::current_dir().ok().map(|d| d.display().to_string())
}

/// The manifest with each relative file name it records (inputs, decisions, layout files, a
/// `--rules` folder) made to name the file wherever `jixiao verify` was started: the name as
/// written when it names a file from here, else from the folder the run was started in
/// (`directory`), else from the manifest's own folder or one above it. `Err` names each file
/// found nowhere, with where it was looked for.
pub fn resolve_recorded(manifest: &Manifest, manifest_dir: &Path) -> Result<Manifest, Vec<String>> {
    // The folder the run started in, then the manifest's folder and the folders above it (a
    // project moved whole: its report folder sits where it sat in the project). What is found
    // is then checked against its recorded hash.
    let manifest_dir = std::fs::canonicalize(manifest_dir).unwrap_or_else(|_| manifest_dir.to_owned());
    let bases: Vec<PathBuf> = manifest
        .directory
        .iter()
        .map(PathBuf::from)
        .chain(manifest_dir.ancestors().map(Path::to_path_buf))
        .collect();
    let mut missing = Vec::new();
    let mut find = |name: &str, what: &str| -> String {
        let path = Path::new(name);
        if path.exists() || path.is_absolute() {
            return name.to_owned();
        }
        if let Some(found) = bases.iter().map(|b| b.join(path)).find(|p| p.exists()) {
            return found.display().to_string();
        }
        let looked: Vec<String> = std::iter::once(name.to_owned())
            .chain(bases.iter().take(2).map(|b| b.join(path).display().to_string()))
            .collect();
        missing.push(format!(
            "找不到清单记录的{what} {name}（查找了：{}，以及清单所在文件夹的上级文件夹）",
            looked.join("、")
        ));
        name.to_owned()
    };
    let mut resolved = manifest.clone();
    for input in &mut resolved.inputs {
        input.name = find(&input.name, "输入");
    }
    for decision in &mut resolved.decisions {
        decision.name = find(&decision.name, "审核决定文件");
    }
    for layout in &mut resolved.layouts {
        layout.name = find(&layout.name, "格式文件");
    }
    // `--rules` is an embedded id or a folder: only a folder is looked for.
    if let Some(rules) = &resolved.rules_option
        && (rules.contains('/') || rules.contains('\\') || rules.starts_with('.'))
    {
        resolved.rules_option = Some(find(rules, "规则集文件夹"));
    }
    if missing.is_empty() { Ok(resolved) } else { Err(missing) }
}

/// The report file of a `jixiao score -o` run, as its manifest records it: enough to render it
/// again and to tell whether the file on disk is still what the run wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRecord {
    /// The report's file name (it lives in the manifest's folder) and the SHA-256 of its bytes.
    pub file: Hashed,
    /// `--format` as given on the command line, e.g. `xlsx`.
    pub format: String,
    /// `--csv-table` as given, for `--format csv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_table: Option<String>,
    /// Creation time written into an Excel workbook (Unix seconds), for `--format xlsx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
}

/// Hex SHA-256 of a regular file's content, read in blocks (memory stays flat whatever its
/// size). Anything else — a FIFO, a device such as `/dev/zero`, a folder — is refused at once
/// rather than read ([`crate::model::files::open_regular`]).
///
/// # Errors
/// The file is missing, not a regular file, or cannot be read.
pub fn sha256_file(path: &std::path::Path) -> Result<String, FileError> {
    use std::io::Read as _;
    let mut file = open_regular(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut block).map_err(|source| FileError::Io {
            path: path.to_owned(),
            source,
        })?;
        if n == 0 {
            break;
        }
        hasher.update(block.get(..n).unwrap_or_default());
    }
    Ok(hex(&hasher.finalize()))
}

/// SHA-256 computed on a thread of its own: [`BackgroundSha256::update`] hands a copy of the
/// bytes over and returns at once, so hashing a large report or corpus does not hold up the
/// thread that reads and writes it. Feed it large blocks (a buffered reader's or writer's).
pub struct BackgroundSha256 {
    blocks: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    hasher: Option<std::thread::JoinHandle<Sha256>>,
}

impl Default for BackgroundSha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl BackgroundSha256 {
    /// Starts the hashing thread.
    #[must_use]
    pub fn new() -> Self {
        let (blocks, received) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
        let hasher = std::thread::spawn(move || {
            let mut hasher = Sha256::new();
            for block in received {
                hasher.update(&block);
            }
            hasher
        });
        Self {
            blocks: Some(blocks),
            hasher: Some(hasher),
        }
    }

    /// Adds bytes to the hash.
    pub fn update(&mut self, bytes: &[u8]) {
        if let Some(blocks) = &self.blocks {
            // The thread only stops when `blocks` is dropped, so the send cannot fail.
            let _ = blocks.send(bytes.to_vec());
        }
    }

    /// The hex SHA-256 of everything added.
    ///
    /// # Errors
    /// The hashing thread died (it cannot, short of running out of memory).
    pub fn finish(mut self) -> Result<String, String> {
        drop(self.blocks.take());
        let hasher = self
            .hasher
            .take()
            .ok_or_else(|| "散列线程不存在（内部错误）".to_owned())?
            .join()
            .map_err(|_| "散列线程意外中止（内部错误）".to_owned())?;
        Ok(hex(&hasher.finalize()))
    }
}

pub use crate::model::files::{hex, sha256_hex};

/// A file's name as given and the SHA-256 of its content; the error says, in Chinese, which
/// file could not be read and why (missing, not a regular file, unreadable).
pub fn hash_file(path: &Path) -> Result<Hashed, String> {
    let sha256 = sha256_file(path).map_err(|e| e.to_string())?;
    Ok(Hashed {
        name: path.display().to_string(),
        sha256,
    })
}

/// The content hash of a rule set of the catalogue: every file's name and text, in order, those
/// of the sets it extends first (a change to a parent changes what the set does).
pub fn ruleset_hash(catalogue: &Catalogue, id: &str) -> Hashed {
    let mut bytes = Vec::new();
    if let Some(set) = catalogue.sets().iter().find(|s| s.id == id) {
        let parents = set.inherited.iter().flat_map(|p| {
            p.files
                .iter()
                .map(move |(name, text)| (format!("{}/{name}", p.name), text))
        });
        let own = set.files.files.iter().map(|(name, text)| (name.clone(), text));
        for (name, text) in parents.chain(own) {
            bytes.extend_from_slice(name.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(text.as_bytes());
            bytes.push(0);
        }
    }
    Hashed {
        name: id.to_owned(),
        sha256: sha256_hex(&bytes),
    }
}

/// The content hash of every rule set of the catalogue: a `score -o` manifest records them all,
/// and `jixiao verify` compares them.
pub fn catalogue_hashes(catalogue: &Catalogue) -> Vec<Hashed> {
    catalogue
        .sets()
        .iter()
        .map(|s| ruleset_hash(catalogue, &s.id))
        .collect()
}

/// The engine a manifest records: `jixiao` and its version.
pub fn engine() -> String {
    format!("jixiao {}", env!("CARGO_PKG_VERSION"))
}

/// What differs between the files a manifest lists (inputs, decisions files, layout files) and the files now
/// on disk, one Chinese sentence each; empty when every file is there with the same content.
pub fn changed_recorded_files(manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    for input in &manifest.inputs {
        match hash_file(Path::new(&input.name)) {
            Ok(h) if h.sha256 == input.sha256 => {}
            Ok(_) => problems.push(format!("输入 {} 的内容与清单记录的不同", input.name)),
            Err(e) => problems.push(e),
        }
    }
    for d in &manifest.decisions {
        match hash_file(Path::new(&d.name)) {
            Ok(h) if h.sha256 == d.sha256 => {}
            Ok(_) => problems.push(format!("审核决定文件 {} 已改变", d.name)),
            Err(e) => problems.push(format!("审核决定文件：{e}")),
        }
    }
    for l in &manifest.layouts {
        match hash_file(Path::new(&l.name)) {
            Ok(h) if h.sha256 == l.sha256 => {}
            _ => problems.push(format!("格式文件 {} 缺失或已改变", l.name)),
        }
    }
    problems
}

/// The layout files `--layouts` names (each file of a folder), with their hashes, for the
/// manifest; `Err` names a file that cannot be read.
pub fn layout_hashes(paths: &[PathBuf]) -> Result<Vec<Hashed>, String> {
    let mut out = Vec::new();
    for path in paths {
        let sources = crate::ingest::layout::read_path(path).map_err(|d| d.to_string())?;
        out.extend(sources.into_iter().map(|s| Hashed {
            sha256: sha256_hex(s.text.as_bytes()),
            name: s.name,
        }));
    }
    Ok(out)
}

/// `FILE.manifest.json` beside the report `FILE`.
pub fn manifest_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

/// A writer that passes bytes on and hashes them (SHA-256, on a thread of its own), so a
/// streamed report's hash is known without reading the file back. Put it under a `BufWriter`.
pub struct HashingWriter<W> {
    /// Where the bytes go.
    pub inner: W,
    /// The hash of every byte written so far.
    pub hasher: BackgroundSha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that passes bytes on and, with a hasher, hashes them (SHA-256), so a streamed
/// input's hash is known without reading the file again.
pub struct HashingReader<R> {
    /// Where the bytes come from.
    pub inner: R,
    /// The hash of every byte read so far, when one is wanted.
    pub hasher: Option<BackgroundSha256>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(buf.get(..n).unwrap_or_default());
        }
        Ok(n)
    }
}
