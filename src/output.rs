//! Writing results: every output file is written atomically (a temporary file in the same
//! folder, then a rename), so an interrupted run never leaves a partial file behind.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A failure to write an output file, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("无法写入 {path}：{source}")]
pub struct WriteError {
    /// The file that could not be written.
    pub path: PathBuf,
    /// The underlying I/O error.
    #[source]
    pub source: std::io::Error,
}

/// Writes `bytes` to `path` atomically: either the whole new content is there, or the old file
/// (or nothing) is.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let wrap = |source| WriteError {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".jixiao-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(wrap)?;
    tmp.write_all(bytes).map_err(wrap)?;
    // A temporary file is private (0600); a report is for colleagues too: keep the mode of the
    // file being replaced, or give the usual 0644 to a new one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(wrap)?;
    }
    tmp.as_file().sync_all().map_err(wrap)?;
    tmp.persist(path).map_err(|e| wrap(e.error))?;
    Ok(())
}
