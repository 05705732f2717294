//! Bounds on what a workbook (`.xlsx`, `.xlsm`: a zip archive of XML files) may make jixiao
//! read, checked before calamine opens it. calamine inflates and loads whole worksheets, so a
//! 1 MB workbook whose sheet inflates to a gigabyte of XML (a "zip bomb", or just a gigabyte
//! XML comment) took 2.6 GB of memory. [`check_workbook`] reads the archive's central directory
//! and then inflates each entry into nothing, counting — never trusting the sizes the directory
//! states — and refuses the file, saying why, when it is beyond [`Limits`].

use std::io::{self, Read, Write};
use std::path::Path;

/// What a workbook may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest workbook file, in bytes.
    pub max_file: u64,
    /// Most entries (files) in the archive.
    pub max_entries: usize,
    /// Largest entry once inflated, in bytes.
    pub max_entry: u64,
    /// Largest total of all entries once inflated, in bytes.
    pub max_total: u64,
    /// Highest ratio of inflated to compressed size, for entries over [`Limits::ratio_from`].
    pub max_ratio: u64,
    /// Size (inflated) above which [`Limits::max_ratio`] applies: small entries of repeated
    /// text compress very well and are harmless.
    pub ratio_from: u64,
    /// Most cells (`<c …>` elements) in one worksheet.
    pub max_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file: 256 << 20,
            max_entries: 10_000,
            max_entry: 128 << 20,
            max_total: 512 << 20,
            max_ratio: 100,
            ratio_from: 1 << 20,
            max_cells: 2_000_000,
        }
    }
}

/// Why a workbook is refused, in Chinese (the file name is added by [`WorkbookError`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}：{reason}")]
pub struct WorkbookError {
    /// The workbook as named on the command line.
    pub file: String,
    /// Why it is refused.
    pub reason: String,
}

/// Checks a workbook against [`Limits::default`] (see [`check_workbook_with`]).
///
/// # Errors
/// The workbook is beyond a limit; a file that is not a readable zip archive passes (calamine
/// then says what is wrong with it).
pub fn check_workbook(path: &Path) -> Result<(), WorkbookError> {
    check_workbook_with(path, &Limits::default())
}

/// Whether a path names a workbook by its extension (`.xlsx`, `.xlsm`).
pub fn is_workbook(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("xlsx" | "xlsm")
    )
}

/// Checks a workbook against `limits`: the file's size, the number of entries, then each entry
/// inflated (into nothing, counting bytes and worksheet cells) — the sizes the central
/// directory states are checked too, but an archive can misstate them.
///
/// # Errors
/// The workbook is beyond a limit. A file that is not a zip archive, or whose entries cannot be
/// read, passes: calamine reports it as it always has.
pub fn check_workbook_with(path: &Path, limits: &Limits) -> Result<(), WorkbookError> {
    let Ok(mut file) = crate::model::files::open_regular(path) else {
        return Ok(());
    };
    // Only a zip archive is checked (whatever its name): text files pass at once.
    let mut magic = [0u8; 4];
    if file.read_exact(&mut magic).is_err() || magic != *b"PK\x03\x04" {
        return Ok(());
    }
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    check_archive(&path.display().to_string(), file, size, limits)
}

/// [`check_workbook_with`] for a workbook held in memory (an upload to `jixiao serve`), named
/// `file` in messages.
///
/// # Errors
/// As [`check_workbook_with`].
pub fn check_workbook_bytes(file: &str, bytes: &[u8], limits: &Limits) -> Result<(), WorkbookError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    check_archive(file, io::Cursor::new(bytes), bytes.len() as u64, limits)
}

/// The checks of [`check_workbook_with`] on an archive of `size` bytes read from `reader`.
fn check_archive<R: Read + io::Seek>(file: &str, reader: R, size: u64, limits: &Limits) -> Result<(), WorkbookError> {
    let refuse = |reason: String| WorkbookError {
        file: file.to_owned(),
        reason,
    };
    if size > limits.max_file {
        return Err(refuse(format!(
            "工作簿有 {} 字节，超过上限 {} 字节，不读取",
            size, limits.max_file
        )));
    }
    let Ok(mut archive) = zip::ZipArchive::new(io::BufReader::new(reader)) else {
        return Ok(());
    };
    if archive.len() > limits.max_entries {
        return Err(refuse(format!(
            "工作簿（zip 压缩包）含 {} 个文件，超过上限 {} 个，不读取",
            archive.len(),
            limits.max_entries
        )));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let Ok(mut entry) = archive.by_index(i) else {
            continue;
        };
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let (stated, compressed) = (entry.size(), entry.compressed_size());
        let too_large = |size: String| {
            format!(
                "工作簿中的 {name} 解压后{size}（上限 {} MiB），不读取：可能是“压缩炸弹”或塞入了超大的内容",
                limits.max_entry >> 20
            )
        };
        if stated > limits.max_entry {
            return Err(refuse(too_large(format!("有 {stated} 字节"))));
        }
        let worksheet = name.starts_with("xl/worksheets/") && name.ends_with(".xml");
        let mut counter = Counter {
            bytes: 0,
            cells: 0,
            count_cells: worksheet,
            tail: [0; 2],
        };
        // One byte past the limit tells an entry that inflates further than it states.
        let copied = io::copy(&mut (&mut entry).take(limits.max_entry + 1), &mut counter);
        if copied.is_err() {
            // Not readable as it states: calamine says what is wrong.
            continue;
        }
        let inflated = counter.bytes;
        if inflated > limits.max_entry {
            return Err(refuse(too_large(format!("超过 {} 字节", limits.max_entry))));
        }
        if inflated > limits.ratio_from && inflated > compressed.saturating_mul(limits.max_ratio) {
            return Err(refuse(format!(
                "工作簿中的 {name} 压缩了 {} 倍（{compressed} 字节解压为 {inflated} 字节，上限 {} 倍），不读取：可能是“压缩炸弹”",
                inflated / compressed.max(1),
                limits.max_ratio
            )));
        }
        if counter.cells > limits.max_cells {
            return Err(refuse(format!(
                "工作簿中的工作表 {name} 有 {} 个以上的单元格，超过上限 {} 个，不读取；请把表拆成几个文件",
                limits.max_cells, limits.max_cells
            )));
        }
        total = total.saturating_add(inflated);
        if total > limits.max_total {
            return Err(refuse(format!(
                "工作簿解压后合计超过 {} MiB（上限），不读取",
                limits.max_total >> 20
            )));
        }
    }
    Ok(())
}

/// Counts the bytes written to it and, for a worksheet, its cells (`<c` followed by a space,
/// `>` or `/`), across write boundaries.
struct Counter {
    bytes: u64,
    cells: u64,
    count_cells: bool,
    /// The last two bytes of the previous write.
    tail: [u8; 2],
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes += buf.len() as u64;
        if self.count_cells {
            let mut prev = self.tail;
            for &b in buf {
                if prev == *b"<c" && matches!(b, b' ' | b'>' | b'/') {
                    self.cells += 1;
                }
                prev = [prev[1], b];
            }
            self.tail = prev;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook-like zip with one entry of `size` bytes of `fill`, deflated.
    fn zip_with(dir: &Path, name: &str, entry: &str, size: usize, fill: &[u8]) -> std::path::PathBuf {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).unwrap();
        let mut writer = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        writer.start_file(entry, options).unwrap();
        let chunk: Vec<u8> = fill.iter().copied().cycle().take(1 << 16).collect();
        let mut left = size;
        while left > 0 {
            let n = left.min(chunk.len());
            writer.write_all(&chunk[..n]).unwrap();
            left -= n;
        }
        writer.finish().unwrap();
        path
    }

    #[test]
    fn bombs_and_huge_sheets_are_refused_and_ordinary_archives_pass() {
        let dir = tempfile::tempdir().unwrap();
        let small = Limits {
            max_entry: 4 << 20,
            max_total: 6 << 20,
            max_cells: 1000,
            ..Limits::default()
        };
        let ok = zip_with(
            dir.path(),
            "ok.xlsx",
            "xl/worksheets/sheet1.xml",
            100_000,
            b"<c r=\"A1\"><v>1</v></c>",
        );
        assert_eq!(check_workbook_with(&ok, &Limits::default()), Ok(()));
        let bomb = zip_with(
            dir.path(),
            "bomb.xlsx",
            "xl/worksheets/sheet1.xml",
            5 << 20,
            b"<!-- -->",
        );
        let e = check_workbook_with(&bomb, &small).unwrap_err();
        assert!(
            e.to_string()
                .contains("bomb.xlsx：工作簿中的 xl/worksheets/sheet1.xml 解压后有 5242880 字节（上限 4 MiB）"),
            "{e}"
        );
        let ratio = zip_with(dir.path(), "ratio.xlsx", "xl/sharedStrings.xml", 3 << 20, b"a");
        let e = check_workbook_with(&ratio, &small).unwrap_err();
        assert!(e.reason.contains("压缩了") && e.reason.contains("倍"), "{e}");
        let cells = zip_with(
            dir.path(),
            "cells.xlsx",
            "xl/worksheets/sheet1.xml",
            60_000,
            b"<c r=\"A1\"/>",
        );
        let e = check_workbook_with(&cells, &small).unwrap_err();
        assert!(e.reason.contains("单元格"), "{e}");
        // Not a zip archive: left to calamine.
        let text = dir.path().join("text.xlsx");
        std::fs::write(&text, "not a zip").unwrap();
        assert_eq!(check_workbook_with(&text, &small), Ok(()));
    }
}
