//! Reading files the user names indirectly — rule-set files and test cases, inputs and decisions
//! files named in a manifest, a baseline's results, manifest and history — safely: only regular files are opened (a FIFO
//! would block, `/dev/zero` never ends, a folder is not content), and whole-file reads are
//! bounded in size. The check is made on the opened file, so a path swapped for a FIFO between
//! a look and the open cannot make a run wait.

use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Why a recorded file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Nothing at the path.
    #[error("无法读取 {path}：文件不存在")]
    Missing {
        /// The path.
        path: PathBuf,
    },
    /// Something other than a regular file at the path.
    #[error("{path} 不是普通文件（是{kind}），不能作为记录的文件读取")]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is, in Chinese (文件夹, 命名管道（FIFO）, 设备文件…).
        kind: &'static str,
    },
    /// A regular file larger than the reader accepts.
    #[error("{path} 有 {size} 字节，超过上限 {limit} 字节，未读取")]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Any other failure to open or read.
    #[error("无法读取 {path}：{source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl FileError {
    /// The reason alone, without the path, for a message that names the file its own way.
    pub fn reason(&self) -> String {
        match self {
            FileError::Missing { .. } => "文件不存在".to_owned(),
            FileError::NotRegular { kind, .. } => format!("不是普通文件（是{kind}）"),
            FileError::TooLarge { size, limit, .. } => format!("有 {size} 字节，超过上限 {limit} 字节"),
            FileError::Io { source, .. } => source.to_string(),
        }
    }

    fn io(path: &Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            FileError::Missing { path: path.to_owned() }
        } else {
            FileError::Io {
                path: path.to_owned(),
                source,
            }
        }
    }
}

/// What a file that is not regular is, in Chinese.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "文件夹";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "命名管道（FIFO）";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "设备文件";
        }
        if file_type.is_socket() {
            return "套接字";
        }
    }
    "特殊文件"
}

/// Opens `path` for reading if, once open, it is a regular file (a symbolic link to one is
/// fine). On Unix the open does not block on a FIFO (`O_NONBLOCK`, which regular files ignore).
///
/// # Errors
/// The path is missing, not a regular file, or cannot be opened.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    #[cfg(unix)]
    let file = {
        use rustix::fs::{Mode, OFlags};
        rustix::fs::open(path, OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC, Mode::empty())
            .map(File::from)
            .map_err(|e| FileError::io(path, e.into()))?
    };
    #[cfg(not(unix))]
    let file = File::open(path).map_err(|e| FileError::io(path, e))?;
    let meta = file.metadata().map_err(|e| FileError::io(path, e))?;
    if meta.is_file() {
        Ok(file)
    } else {
        Err(FileError::NotRegular {
            path: path.to_owned(),
            kind: kind_of(meta.file_type()),
        })
    }
}

/// The bytes of the regular file at `path`, refused when it holds more than `limit` bytes.
///
/// # Errors
/// See [`open_regular`]; also a file larger than `limit`, or a failed read.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let file = open_regular(path)?;
    let size = file.metadata().map_err(|e| FileError::io(path, e))?.len();
    if size > limit {
        return Err(FileError::TooLarge {
            path: path.to_owned(),
            size,
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // One byte past the limit tells a file that grew after the size was read.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::io(path, e))?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limit {
        return Err(FileError::TooLarge {
            path: path.to_owned(),
            size: read,
            limit,
        });
    }
    Ok(bytes)
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex(&sha2::Sha256::digest(bytes))
}

/// Lower-case hex of bytes, e.g. of a digest computed incrementally.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_refused_and_limits_hold() {
        let tmp = tempfile::tempdir().unwrap();
        let err = read_regular(tmp.path(), 10).unwrap_err();
        assert!(matches!(err, FileError::NotRegular { kind: "文件夹", .. }), "{err}");
        let file = tmp.path().join("a.txt");
        std::fs::write(&file, "0123456789").unwrap();
        assert_eq!(read_regular(&file, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read_regular(&file, 9),
            Err(FileError::TooLarge { size: 10, .. })
        ));
        let missing = tmp.path().join("none");
        assert!(matches!(read_regular(&missing, 9), Err(FileError::Missing { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_at_once() {
        let err = read_regular(Path::new("/dev/zero"), 1 << 30).unwrap_err();
        assert!(
            matches!(
                err,
                FileError::NotRegular {
                    kind: "设备文件", ..
                }
            ),
            "{err}"
        );
    }
}
