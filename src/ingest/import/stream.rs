//! Delimited text (`.tsv`/`.txt`/`.csv`) imported form by form as the file is read, so memory
//! stays flat in the number of forms.
//!
//! The file is read twice. A first pass checks, in fixed memory, everything the whole-file import
//! would reject before reading any form: the encoding (UTF-8 with or without BOM; a NUL byte makes
//! the file binary), unterminated quotes and oversized cells. When it passes, the second pass
//! reads records line by line (a quoted cell may span lines), splits them into forms with the same
//! [`StartDetector`] as [`form::split_forms`] and imports each form as soon as the next one starts
//! — rows keep their file numbers, so messages and provenance are those of the whole-file import.
//! The first pass is what makes the outcome identical: a file-level error is reported before any
//! form, never after some forms were already handed out.
//!
//! Text that is not plain UTF-8 (GBK/GB18030, UTF-16 with BOM) is decoded whole first — decoding
//! GBK in pieces is possible but not worth the risk — and its forms are then split and imported
//! one by one from the decoded text: memory grows with the file's size, not with its grid of
//! cells. Files the first pass flags are imported whole, which gives the exact error.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::Path;

use super::form::{self, FormSpan, RowStart, StartDetector};
use super::grid::{self, MAX_CELL_CHARS};
use super::{ErrorKind, Grid, ImportError, ImportOptions, ImportedForm, ReadMode};
use crate::model::diagnostic::Loc;

/// What is done with each form: its import result in, whether to go on out.
pub(super) type Sink<'s> = dyn FnMut(Result<ImportedForm, ImportError>) -> ControlFlow<()> + 's;

/// The delimiter of a text file by its extension; `None` for files that are not delimited text.
pub(super) fn delimiter(file_name: &str) -> Option<u8> {
    let ext = Path::new(file_name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "tsv" | "txt" => Some(b'\t'),
        "csv" => Some(b','),
        _ => None,
    }
}

/// Imports every form of the delimited text file at `path`, handing each to `sink` in file order
/// as soon as it is read. `Err` is a file-level error, reported before any form.
pub(super) fn for_each_text_form(
    path: &Path,
    name: &str,
    delim: u8,
    opts: &ImportOptions,
    sink: &mut Sink<'_>,
) -> Result<ReadMode, ImportError> {
    let io = |source| ImportError::Io {
        file: name.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let scan = prescan(&mut file, delim).map_err(io)?;
    if scan.pdf {
        return Err(grid::scan_error(name, "pdf"));
    }
    if let Some(skip) = scan.streamable() {
        file.seek(SeekFrom::Start(skip)).map_err(io)?;
        stream_forms(name, BufReader::with_capacity(1 << 16, file), delim, opts, sink)?;
        return Ok(ReadMode::Streamed);
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io)?;
    drop(file);
    let text = grid::decode_text(name, &bytes)?.into_owned();
    drop(bytes);
    let mut syntax = Syntax::new(delim);
    syntax.feed(text.as_bytes());
    if syntax.clean() {
        stream_forms(name, text.as_bytes(), delim, opts, sink)?;
        return Ok(ReadMode::DecodedWhole);
    }
    // The first pass flagged the text: the whole-file parser gives the exact error (or, for a
    // long field that is not over the limit after all, the grid).
    let grid = grid::parse_delimited(name, &text, delim)?;
    drop(text);
    for form in super::import_forms(name, std::slice::from_ref(&grid), opts)? {
        if sink(form).is_break() {
            break;
        }
    }
    Ok(ReadMode::WholeFile)
}

/// What the first pass found.
#[derive(Debug)]
struct Scan {
    /// Length of a UTF-8 byte-order mark at the start (0 or 3).
    bom: u64,
    /// A UTF-16 byte-order mark: decoded whole.
    utf16: bool,
    /// A NUL byte anywhere.
    nul: bool,
    /// The file starts as a PDF does (`%PDF`), whatever its name.
    pdf: bool,
    /// The bytes after any BOM are valid UTF-8.
    utf8: bool,
    /// Quoting and cell sizes.
    syntax: Syntax,
}

impl Scan {
    /// The number of bytes to skip when the file can be streamed as it is, as UTF-8 text that
    /// [`grid::decode_text`] would accept unchanged and [`grid::parse_delimited`] without error.
    fn streamable(&self) -> Option<u64> {
        let decodes = if self.bom > 0 {
            self.utf8
        } else {
            !self.utf16 && !self.nul && self.utf8
        };
        (decodes && self.syntax.clean()).then_some(self.bom)
    }
}

/// Reads `buf.len()` bytes or up to the end of the file; returns how many were read.
fn fill(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while let Some(rest) = buf.get_mut(n..).filter(|r| !r.is_empty()) {
        match file.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The first pass: encoding and syntax in fixed memory.
fn prescan(file: &mut File, delim: u8) -> std::io::Result<Scan> {
    const CHUNK: usize = 1 << 16;
    let mut buf = vec![0u8; CHUNK + 4];
    let mut scan = Scan {
        bom: 0,
        utf16: false,
        nul: false,
        pdf: false,
        utf8: true,
        syntax: Syntax::new(delim),
    };
    // `carry` bytes of an incomplete UTF-8 sequence wait at the start of `buf`.
    let mut carry = 0usize;
    let mut first = true;
    while let Some(space) = buf.get_mut(carry..carry + CHUNK) {
        let n = fill(file, space)?;
        if n == 0 {
            break;
        }
        let mut start = 0;
        if first {
            first = false;
            let head = buf.get(..n).unwrap_or_default();
            if head.starts_with(b"%PDF") {
                scan.pdf = true;
                return Ok(scan);
            }
            if head.starts_with(b"\xEF\xBB\xBF") {
                scan.bom = 3;
                start = 3;
            } else if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
                scan.utf16 = true;
                return Ok(scan);
            }
        }
        let new = buf.get(carry + start..carry + n).unwrap_or_default();
        scan.nul |= new.contains(&0);
        scan.syntax.feed(new);
        if scan.utf8 {
            let filled = buf.get(start..carry + n).unwrap_or_default();
            carry = match std::str::from_utf8(filled) {
                Ok(_) => 0,
                Err(e) if e.error_len().is_none() => {
                    let valid = start + e.valid_up_to();
                    buf.copy_within(valid..carry + n, 0);
                    carry + n - valid
                }
                Err(_) => {
                    scan.utf8 = false;
                    0
                }
            };
        }
    }
    if carry > 0 {
        scan.utf8 = false;
    }
    Ok(scan)
}

/// Where the quote-aware reader is in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// At the start of a field.
    Start,
    /// Inside a field that did not start with a quote (or after a quoted part).
    Plain,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: a closing quote, or the first of `""`.
    AfterQuote,
}

/// Follows the quoting of delimited text byte by byte, as [`grid::parse_records`] reads it: tells
/// whether a line break is inside a quoted cell, and notices fields too long to be a cell.
#[derive(Debug, Clone)]
struct Syntax {
    delim: u8,
    state: Field,
    /// Bytes of the current field as written (quotes included): never less than its text.
    field_len: usize,
    oversized: bool,
}

impl Syntax {
    fn new(delim: u8) -> Self {
        Syntax {
            delim,
            state: Field::Start,
            field_len: 0,
            oversized: false,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let ends_field = b == self.delim || b == b'\n' || b == b'\r';
            self.state = match self.state {
                Field::Start | Field::Plain | Field::AfterQuote if ends_field => Field::Start,
                Field::Start if b == b'"' => Field::Quoted,
                Field::Quoted if b == b'"' => Field::AfterQuote,
                Field::Quoted => Field::Quoted,
                Field::AfterQuote if b == b'"' => Field::Quoted,
                Field::Start | Field::Plain | Field::AfterQuote => Field::Plain,
            };
            if self.state == Field::Start {
                self.field_len = 0;
            } else {
                self.field_len += 1;
                self.oversized |= self.field_len > MAX_CELL_CHARS;
            }
        }
    }

    /// True inside a quoted cell: a line break here is part of the cell.
    fn in_quotes(&self) -> bool {
        self.state == Field::Quoted
    }

    /// True when the text so far, taken as the whole file, parses without error.
    fn clean(&self) -> bool {
        !self.oversized && !self.in_quotes()
    }
}

/// Reads records from `reader` line by line, splits them into forms and imports each as soon as
/// the next one starts. `reader` holds UTF-8 text without BOM.
fn stream_forms<R: BufRead>(
    name: &str,
    mut reader: R,
    delim: u8,
    opts: &ImportOptions,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let io = |source| ImportError::Io {
        file: name.to_owned(),
        source,
    };
    let mut splitter = Splitter {
        file: name,
        opts,
        detector: StartDetector::default(),
        window: Vec::new(),
        first: 0,
        last: 0,
        next_row: 0,
    };
    let mut syntax = Syntax::new(delim);
    let mut pending: Vec<u8> = Vec::with_capacity(4096);
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(4);
    loop {
        let from = pending.len();
        let n = reader.read_until(b'\n', &mut pending).map_err(io)?;
        syntax.feed(pending.get(from..).unwrap_or_default());
        let eof = n == 0;
        if pending.is_empty() || (!eof && (syntax.in_quotes() || pending.last() != Some(&b'\n'))) {
            if eof {
                break;
            }
            continue;
        }
        let text = std::str::from_utf8(&pending).map_err(|_| {
            ImportError::invalid(
                Loc::file(name).at_row(u32::try_from(splitter.next_row + 1).unwrap_or(u32::MAX)),
                ErrorKind::Encoding,
                "文件在读取过程中发生了变化，其中有无效的 UTF-8 字节；请重新导出后再导入",
            )
        })?;
        grid::parse_records(name, text, delim, splitter.next_row, &mut |row| rows.push(row))?;
        pending.clear();
        for row in rows.drain(..) {
            if let Some(form) = splitter.push(row) {
                if sink(form).is_break() {
                    return Ok(());
                }
            }
        }
        if eof {
            break;
        }
    }
    if let Some(form) = splitter.finish()? {
        // The last form: whether the caller wants more no longer matters.
        let _ = sink(form);
    }
    Ok(())
}

/// Collects the rows of the form being read; hands out a form when the next one starts.
struct Splitter<'a> {
    file: &'a str,
    opts: &'a ImportOptions,
    detector: StartDetector,
    /// Rows of the current form from `first` on (blank rows before the first content are not
    /// kept: they belong to no form).
    window: Vec<Vec<String>>,
    /// File row (0-based) of `window[0]`.
    first: usize,
    /// Last row with content of the current form.
    last: usize,
    /// File row (0-based) of the next row pushed.
    next_row: usize,
}

impl Splitter<'_> {
    /// Takes the next row of the file; returns the previous form when this row starts a new one.
    fn push(&mut self, row: Vec<String>) -> Option<Result<ImportedForm, ImportError>> {
        let r = self.next_row;
        self.next_row += 1;
        match self.detector.row(&self.opts.layouts, &row) {
            // A form longer than any real form is refused when it ends (`read_form`); its rows
            // beyond the limit are not kept, so memory stays bounded.
            RowStart::Blank => {
                if self.detector.has_content() && self.window.len() <= form::MAX_FORM_ROWS {
                    self.window.push(row);
                }
                None
            }
            RowStart::First => {
                self.first = r;
                self.last = r;
                self.window.push(row);
                None
            }
            RowStart::Within => {
                self.last = r;
                if self.window.len() <= form::MAX_FORM_ROWS {
                    self.window.push(row);
                }
                None
            }
            RowStart::Next => {
                let form = self.read();
                self.first = r;
                self.last = r;
                self.window.push(row);
                Some(form)
            }
        }
    }

    /// Imports the rows collected so far as one form and empties the window.
    fn read(&mut self) -> Result<ImportedForm, ImportError> {
        let mut rows = std::mem::take(&mut self.window);
        rows.truncate(self.last + 1 - self.first);
        let grid = Grid {
            sheet: None,
            first_row: self.first,
            rows,
            uncached_formulas: Vec::new(),
        };
        let span = FormSpan {
            first: self.first,
            last: self.last,
        };
        form::read_form(self.file, &grid, &span, self.opts)
    }

    /// The last form at the end of the file, or the error for a file with no form.
    fn finish(mut self) -> Result<Option<Result<ImportedForm, ImportError>>, ImportError> {
        if !self.detector.has_content() {
            return Err(super::empty_file(self.file));
        }
        if !self.detector.found_form() {
            return Err(form::no_form(&Loc::sheet(self.file, None)));
        }
        Ok(Some(self.read()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_in_pieces(text: &str, delim: u8) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut syntax = Syntax::new(delim);
        let mut pending = String::new();
        let mut row0 = 0;
        for line in text.split_inclusive('\n') {
            pending.push_str(line);
            syntax.feed(line.as_bytes());
            if !syntax.in_quotes() && pending.ends_with('\n') {
                row0 += grid::parse_records("t", &pending, delim, row0, &mut |r| out.push(r)).unwrap();
                pending.clear();
            }
        }
        grid::parse_records("t", &pending, delim, row0, &mut |r| out.push(r)).unwrap();
        out
    }

    #[test]
    fn records_read_in_pieces_are_the_records_of_the_whole_text() {
        for text in [
            "a,\"b,\"\"c\"\"\nd\",e\r\nf\n",
            "\n\nx,,y\n",
            "a\r\nb\rc\n\"q\"x,\"\n\n\"\n",
            "a,b",
            "\"x\"\"\ny\"\n\n",
        ] {
            let whole = grid::parse_delimited("t", text, b',').unwrap().rows;
            assert_eq!(rows_in_pieces(text, b','), whole, "{text:?}");
        }
    }

    #[test]
    fn quote_tracking_follows_the_parser() {
        let mut s = Syntax::new(b'\t');
        s.feed(b"a\t\"b\nc");
        assert!(s.in_quotes());
        s.feed(b"\"\"d\"\tx\"y\n");
        assert!(!s.in_quotes() && s.clean());
        s.feed(b"\"open");
        assert!(!s.clean());
    }
}
