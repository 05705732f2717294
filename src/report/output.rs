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

/// The folder a file path is in: its parent, or `.` for a bare file name.
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` atomically: either the whole new content is there, or the old file
/// (or nothing) is.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|source| WriteError {
        path: path.to_owned(),
        source,
    })?;
    file.commit()
}

/// An output file written as a stream and made visible only when complete.
///
/// On Linux the data goes to an anonymous file (`O_TMPFILE`) in the target's folder, linked
/// under the target's name by [`AtomicFile::commit`]: a run killed midway — even by SIGKILL —
/// leaves nothing behind. Where the file system cannot make anonymous files, a hidden
/// temporary file in the same folder is renamed at the end instead (removed on drop).
pub struct AtomicFile {
    target: PathBuf,
    inner: Inner,
}

enum Inner {
    Anonymous(std::fs::File),
    Named(tempfile::NamedTempFile),
}

impl AtomicFile {
    /// Starts writing `path`; nothing is visible at `path` until [`AtomicFile::commit`].
    pub fn create(path: &Path) -> Result<Self, WriteError> {
        let wrap = |source| WriteError {
            path: path.to_owned(),
            source,
        };
        let dir = folder_of(path);
        let mode = std::fs::metadata(path).map(|m| permissions_mode(&m)).unwrap_or(0o644);
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            if let Ok(fd) = rustix::fs::open(
                dir,
                OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
                Mode::from_raw_mode(mode),
            ) {
                return Ok(Self {
                    target: path.to_owned(),
                    inner: Inner::Anonymous(std::fs::File::from(fd)),
                });
            }
        }
        let tmp = tempfile::Builder::new()
            .prefix(".jixiao-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(wrap)?;
        set_mode(tmp.as_file(), mode).map_err(wrap)?;
        Ok(Self {
            target: path.to_owned(),
            inner: Inner::Named(tmp),
        })
    }

    /// Flushes the data written so far to disk, so that a full disk shows here rather than at
    /// [`AtomicFile::commit`]; the file is still invisible.
    pub fn sync(&self) -> Result<(), WriteError> {
        let file = match &self.inner {
            Inner::Anonymous(f) => f,
            Inner::Named(f) => f.as_file(),
        };
        file.sync_all().map_err(|source| WriteError {
            path: self.target.clone(),
            source,
        })
    }

    /// Flushes the data to disk and makes the file appear at its path (replacing any old one).
    pub fn commit(self) -> Result<(), WriteError> {
        let target = self.target;
        let wrap = |source| WriteError {
            path: target.clone(),
            source,
        };
        match self.inner {
            Inner::Named(tmp) => {
                tmp.as_file().sync_all().map_err(wrap)?;
                tmp.persist(&target).map_err(|e| wrap(e.error))?;
            }
            Inner::Anonymous(file) => {
                file.sync_all().map_err(wrap)?;
                link_anonymous(&file, &target).map_err(wrap)?;
            }
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.inner {
            Inner::Anonymous(f) => f.write(buf),
            Inner::Named(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.inner {
            Inner::Anonymous(f) => f.flush(),
            Inner::Named(f) => f.flush(),
        }
    }
}

/// Links an `O_TMPFILE` file under `target`: linked beside it under a hidden name first, then
/// renamed over `target`, so an existing file is replaced in one step.
#[cfg(target_os = "linux")]
fn link_anonymous(file: &std::fs::File, target: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let dir = folder_of(target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hidden = dir.join(format!(".{name}.jixiao-{}", std::process::id()));
    let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    rustix::fs::linkat(
        rustix::fs::CWD,
        proc_path.as_str(),
        rustix::fs::CWD,
        &hidden,
        rustix::fs::AtFlags::SYMLINK_FOLLOW,
    )?;
    std::fs::rename(&hidden, target).inspect_err(|_| {
        let _ = std::fs::remove_file(&hidden);
    })
}

#[cfg(not(target_os = "linux"))]
fn link_anonymous(_file: &std::fs::File, _target: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("anonymous files exist only on Linux"))
}

#[cfg(unix)]
fn permissions_mode(m: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn permissions_mode(_: &std::fs::Metadata) -> u32 {
    0o644
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &std::fs::File, _: u32) -> std::io::Result<()> {
    Ok(())
}
