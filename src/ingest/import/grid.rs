//! Bytes → cell grids: text decoding (UTF-8, UTF-16 with BOM, GBK/GB18030), delimited text
//! parsing (tab or comma, RFC 4180 quoting) and xlsx reading via calamine.
//!
//! A [`Grid`] is one sheet as text cells, rows and columns 0-based internally; everything shown to
//! users is 1-based. Cells keep their text as written (surrounding whitespace is trimmed later,
//! when values are read). Workbook numbers are written the way Excel shows them where that loses
//! nothing: shortest round-trip digits, padded to the number format's decimals, percentages as
//! percentages.

use std::borrow::Cow;
use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_decimal::Decimal;

use super::{ErrorKind, ImportError};
use crate::model::diagnostic::Loc;
use crate::model::document::CellPos;

/// Longest cell a spreadsheet can hold (Excel's limit); longer cells mean a broken export.
pub const MAX_CELL_CHARS: usize = 32_767;

/// One sheet as text cells, or a window of consecutive rows of one (a form read from a stream).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grid {
    /// Worksheet name; `None` for text files.
    pub sheet: Option<String>,
    /// Sheet row (0-based) of `rows[0]`: 0 for a whole sheet; the first row of the window when
    /// the grid holds one form of a streamed file, so that row numbers stay those of the file.
    pub first_row: usize,
    /// Rows of cells, 0-based from `first_row`; rows may have different lengths.
    pub rows: Vec<Vec<String>>,
    /// Workbook cells holding a formula whose result was never saved (a file written by a
    /// program, not calculated by Excel): blank in `rows`, listed here so the form says so.
    pub uncached_formulas: Vec<UncachedFormula>,
}

/// A workbook cell with a formula and no saved result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncachedFormula {
    /// Sheet row (0-based).
    pub row: usize,
    /// Column (0-based).
    pub col: usize,
    /// The formula as written, with its leading `=`.
    pub formula: String,
}

impl Grid {
    /// True when no cell holds anything but whitespace.
    pub fn is_blank(&self) -> bool {
        self.rows.iter().flatten().all(|c| c.trim().is_empty())
    }

    /// The cells of sheet row `row` (0-based), `None` outside the grid.
    pub fn row(&self, row: usize) -> Option<&[String]> {
        row.checked_sub(self.first_row)
            .and_then(|r| self.rows.get(r))
            .map(Vec::as_slice)
    }

    /// One past the last sheet row (0-based) the grid holds.
    pub fn end_row(&self) -> usize {
        self.first_row + self.rows.len()
    }

    /// The trimmed text of a cell (sheet row and column, 0-based), empty when absent.
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.row(row).and_then(|r| r.get(col)).map_or("", |c| c.trim())
    }

    /// Number of non-empty cells in sheet rows `first..=last` (0-based).
    pub fn count_non_empty(&self, first: usize, last: usize) -> usize {
        (first..=last)
            .filter_map(|r| self.row(r))
            .flatten()
            .filter(|c| !c.trim().is_empty())
            .count()
    }
}

/// Reads a file's bytes into grids, by the extension of `file_name`.
pub fn read_grids(file_name: &str, bytes: &[u8]) -> Result<Vec<Grid>, ImportError> {
    let ext = Path(file_name).extension();
    // A PDF or a scan, whatever its name says: its table is not text the importer can read.
    if bytes.starts_with(b"%PDF")
        || matches!(
            ext.as_str(),
            "pdf" | "ofd" | "jpg" | "jpeg" | "png" | "tif" | "tiff" | "bmp"
        )
    {
        return Err(scan_error(file_name, &ext));
    }
    match ext.as_str() {
        "tsv" | "txt" => {
            let text = decode_text(file_name, bytes)?;
            Ok(vec![parse_delimited(file_name, &text, b'\t')?])
        }
        "csv" => {
            let text = decode_text(file_name, bytes)?;
            Ok(vec![parse_delimited(file_name, &text, b',')?])
        }
        "xlsx" | "xlsm" => read_xlsx(file_name, bytes),
        "xls" | "et" | "ods" | "wps" => Err(ImportError::invalid(
            Loc::file(file_name),
            ErrorKind::UnsupportedFormat,
            format!("不支持 .{ext} 格式；请在 Excel/WPS 中另存为 .xlsx，或导出为制表符分隔的 .txt/.tsv 后再导入"),
        )),
        _ => Err(ImportError::invalid(
            Loc::file(file_name),
            ErrorKind::UnsupportedFormat,
            format!(
                "不支持的文件类型（扩展名 “{}”）；可导入 .xlsx、.csv、.tsv 或 .txt（制表符分隔）",
                if ext.is_empty() { "无" } else { ext.as_str() }
            ),
        )),
    }
}

/// The error for a PDF or a scanned image: reading tables out of them (OCR) is out of scope.
pub(super) fn scan_error(file_name: &str, ext: &str) -> ImportError {
    let what =
        if ext.is_empty() || ext == "pdf" || !matches!(ext, "ofd" | "jpg" | "jpeg" | "png" | "tif" | "tiff" | "bmp") {
            "PDF 文件".to_owned()
        } else {
            format!(".{ext} 文件")
        };
    ImportError::invalid(
        Loc::file(file_name),
        ErrorKind::UnsupportedFormat,
        format!(
            "{what}不能导入：本工具只读取表格文件，不识别 PDF 或扫描图片中的文字（OCR 不在本工具范围内）；请找到自评表原始的 Excel/WPS 文件另存为 .xlsx，或把表格复制到 Excel/WPS 后另存为 .xlsx 或制表符分隔的 .txt 再导入"
        ),
    )
}

/// Lower-case extension of a file name, without the dot.
struct Path<'a>(&'a str);

impl Path<'_> {
    fn extension(&self) -> String {
        std::path::Path::new(self.0)
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    }
}

/// Decodes text: UTF-8 (BOM stripped), UTF-16 with a BOM, else GBK/GB18030 when that decodes
/// without error; binary content and undecodable bytes are rejected.
pub fn decode_text<'a>(file_name: &str, bytes: &'a [u8]) -> Result<Cow<'a, str>, ImportError> {
    let at = Loc::file(file_name);
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest).map(Cow::Borrowed).map_err(|e| {
            ImportError::invalid(
                at.at_row(line_of(rest, e.valid_up_to())),
                ErrorKind::Encoding,
                "文件以 UTF-8 标记开头，但其中有无效的 UTF-8 字节；文件可能已损坏，请重新导出",
            )
        });
    }
    for (bom, encoding) in [
        (b"\xFF\xFE", encoding_rs::UTF_16LE),
        (b"\xFE\xFF", encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return encoding
                .decode_without_bom_handling_and_without_replacement(rest)
                .ok_or_else(|| {
                    ImportError::invalid(
                        at.at_row(utf16_error_line(encoding, rest)),
                        ErrorKind::Encoding,
                        "UTF-16 文本中有无法解码的字节；文件可能已损坏，请另存为 UTF-8 后再导入",
                    )
                });
        }
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(ImportError::invalid(
            at.at_row(line_of(bytes, pos)),
            ErrorKind::Binary,
            format!(
                "这是二进制文件，不是文本表格（第 {} 字节是 NUL）；若是 Excel 工作簿，请使用 .xlsx 扩展名",
                pos + 1
            ),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(utf8) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or_else(|| {
                let pos = utf8.valid_up_to();
                ImportError::invalid(
                    at.at_row(line_of(bytes, pos)),
                    ErrorKind::Encoding,
                    format!(
                        "文件既不是 UTF-8 也不是 GBK/GB18030 编码（第 {} 字节起无法解码）；请在 Excel 或记事本中另存为 UTF-8 编码后再导入",
                        pos + 1
                    ),
                )
            }),
    }
}

/// 1-based line number of byte offset `pos`. Lines end at `\n`, `\r\n` or a lone `\r`, as
/// [`parse_delimited`] ends records (so a file with CR line ends names the right row too); a
/// line break inside a quoted cell counts as well, as a text editor would count it.
fn line_of(bytes: &[u8], pos: usize) -> u32 {
    let head = bytes.get(..pos).unwrap_or(bytes);
    let breaks = head
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && head.get(i + 1) != Some(&b'\n')))
        .count();
    u32::try_from(breaks).unwrap_or(u32::MAX).saturating_add(1)
}

/// 1-based line of the first unit of UTF-16 text (without its BOM) that does not decode: the
/// line breaks of the text decoded before it, counted as [`line_of`] counts them.
fn utf16_error_line(encoding: &'static encoding_rs::Encoding, rest: &[u8]) -> u32 {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(rest.len())
            .unwrap_or(rest.len()),
    );
    // Decoding stops at the first malformed unit (or a full buffer): `text` is what precedes it.
    let _ = decoder.decode_to_string_without_replacement(rest, &mut text, true);
    line_of(text.as_bytes(), text.len())
}

/// Parses delimited text (`delim` is `b'\t'` or `b','`) with RFC 4180 quoting: a field that starts
/// with `"` runs to the matching `"`, `""` inside is a quote, and may span lines. Records end at
/// `\n`, `\r\n` or `\r`. An unterminated quote is an error naming the record and column.
pub fn parse_delimited(file_name: &str, text: &str, delim: u8) -> Result<Grid, ImportError> {
    // Sized up front: a 20 MB file has a quarter million rows, and regrowing that vector costs.
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(text.as_bytes().iter().filter(|&&b| b == b'\n').count() + 1);
    parse_records(file_name, text, delim, 0, &mut |row| rows.push(row))?;
    Ok(Grid {
        sheet: None,
        first_row: 0,
        rows,
        uncached_formulas: Vec::new(),
    })
}

/// Parses whole records of delimited text as [`parse_delimited`] does, handing each row to
/// `sink`; `first_row` (0-based) is the file row of the text's first record, so that errors name
/// file rows when the text is one piece of a file read in pieces. Returns the number of rows.
/// Cutting a file after any `\n` that is not inside a quoted cell and parsing the pieces in order
/// gives the rows of the whole file.
pub fn parse_records(
    file_name: &str,
    text: &str,
    delim: u8,
    first_row: usize,
    sink: &mut dyn FnMut(Vec<String>),
) -> Result<usize, ImportError> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut count = 0usize;
    let mut row: Vec<String> = Vec::new();
    let mut i = 0usize;
    let at = Loc::file(file_name);
    if len == 0 {
        return Ok(0);
    }
    loop {
        let field_row = u32::try_from(first_row + count + 1).unwrap_or(u32::MAX);
        let field_col = u32::try_from(row.len() + 1).unwrap_or(u32::MAX);
        let cell_at = || {
            at.at_cell(CellPos {
                row: field_row,
                column: field_col,
            })
        };
        let field = if bytes.get(i) == Some(&b'"') {
            let mut buf = String::new();
            let mut j = i + 1;
            loop {
                let Some(q) = bytes.get(j..).and_then(|rest| rest.iter().position(|&b| b == b'"')) else {
                    return Err(ImportError::invalid(
                        cell_at(),
                        ErrorKind::Syntax,
                        "引号没有闭合：以双引号开头的单元格一直到文件末尾都没有结束引号；请检查该单元格，或把单元格里的双引号写成两个（\"\"）",
                    ));
                };
                push_quoted(&mut buf, text.get(j..j + q).unwrap_or(""));
                j += q + 1;
                if bytes.get(j) == Some(&b'"') {
                    buf.push('"');
                    j += 1;
                } else {
                    break;
                }
            }
            // Lenient like spreadsheets: text between the closing quote and the delimiter is kept.
            let end = find_field_end(bytes, j, delim);
            buf.push_str(text.get(j..end).unwrap_or(""));
            i = end;
            buf
        } else {
            let end = find_field_end(bytes, i, delim);
            let s = text.get(i..end).unwrap_or("").to_owned();
            i = end;
            s
        };
        if field.len() > MAX_CELL_CHARS && field.chars().count() > MAX_CELL_CHARS {
            return Err(ImportError::invalid(
                cell_at(),
                ErrorKind::CellTooLarge,
                format!(
                    "单元格有 {} 个字符，超过电子表格单元格的上限 {MAX_CELL_CHARS}；文件可能已损坏或分隔符不对，请检查导出设置",
                    field.chars().count()
                ),
            ));
        }
        row.push(field);
        match bytes.get(i) {
            Some(&b) if b == delim => {
                i += 1;
            }
            Some(b'\r') => {
                i += if bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                let width = row.len();
                sink(std::mem::replace(&mut row, Vec::with_capacity(width)));
                count += 1;
                if i >= len {
                    break;
                }
            }
            Some(b'\n') => {
                i += 1;
                let width = row.len();
                sink(std::mem::replace(&mut row, Vec::with_capacity(width)));
                count += 1;
                if i >= len {
                    break;
                }
            }
            _ => {
                sink(std::mem::take(&mut row));
                count += 1;
                break;
            }
        }
    }
    Ok(count)
}

/// Appends text from inside a quoted cell with its line breaks as `\n`, the break a spreadsheet
/// writes inside a cell: a `\r\n` or lone `\r` there comes from converting the whole file's line
/// ends, and must not change the cell (nor the document id made from it).
fn push_quoted(buf: &mut String, part: &str) {
    if part.contains('\r') {
        buf.push_str(&part.replace("\r\n", "\n").replace('\r', "\n"));
    } else {
        buf.push_str(part);
    }
}

/// Index of the delimiter or line break ending the unquoted field starting at `from`.
fn find_field_end(bytes: &[u8], from: usize, delim: u8) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == delim || b == b'\n' || b == b'\r'))
        .map_or(bytes.len(), |p| from + p)
}

/// Reads every sheet of an xlsx workbook.
fn read_xlsx(file_name: &str, bytes: &[u8]) -> Result<Vec<Grid>, ImportError> {
    let at = Loc::file(file_name);
    if !bytes.starts_with(b"PK") {
        return Err(ImportError::invalid(
            at,
            ErrorKind::Workbook,
            "不是有效的 .xlsx 工作簿（文件不是 zip 格式）；文件可能已损坏，或其实是 .xls/文本文件，请用 Excel 另存为 .xlsx",
        ));
    }
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        ImportError::invalid(
            at.clone(),
            ErrorKind::Workbook,
            format!("无法打开工作簿（{e}）；文件可能已损坏或加了密码，请用 Excel 打开后另存为 .xlsx"),
        )
    })?;
    let mut grids = Vec::new();
    for name in book.sheet_names() {
        let sheet_at = Loc::sheet(file_name, Some(&name));
        let range = book.worksheet_range(&name).map_err(|e| {
            ImportError::invalid(
                sheet_at.clone(),
                ErrorKind::Workbook,
                format!("无法读取该工作表（{e}）；请用 Excel 打开后另存为 .xlsx"),
            )
        })?;
        // Styles only serve to show numbers as Excel does; a sheet whose styles cannot be read
        // still imports, with plain shortest digits.
        let styles = book.worksheet_style(&name).ok();
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Vec<String>> = (0..row0).map(|_| Vec::new()).collect();
        for (r, cells) in range.rows().enumerate() {
            let abs_row = row0 + u32::try_from(r).unwrap_or(u32::MAX);
            let mut out: Vec<String> = (0..col0).map(|_| String::new()).collect();
            for (c, data) in cells.iter().enumerate() {
                let abs_col = col0 + u32::try_from(c).unwrap_or(u32::MAX);
                let format = styles
                    .as_ref()
                    .and_then(|s| s.get((abs_row, abs_col)))
                    .and_then(|s| s.number_format.as_ref())
                    .map(|f| f.format_code.as_str());
                out.push(cell_text(data, format));
            }
            while out.last().is_some_and(String::is_empty) {
                out.pop();
            }
            rows.push(out);
        }
        // Formula cells whose result was never saved read as blank: say which they are.
        let mut uncached_formulas = Vec::new();
        if let Ok(formulas) = book.worksheet_formula(&name) {
            let (frow0, fcol0) = formulas.start().unwrap_or((0, 0));
            for (r, c, formula) in formulas.used_cells() {
                let (Ok(row), Ok(col)) = (
                    usize::try_from(frow0 as u64 + r as u64),
                    usize::try_from(fcol0 as u64 + c as u64),
                ) else {
                    continue;
                };
                let blank = rows
                    .get(row)
                    .and_then(|cells| cells.get(col))
                    .is_none_or(|t| t.trim().is_empty());
                if blank && !formula.trim().is_empty() {
                    uncached_formulas.push(UncachedFormula {
                        row,
                        col,
                        formula: format!("={}", formula.trim_start_matches('=')),
                    });
                }
            }
        }
        grids.push(Grid {
            sheet: Some(name),
            first_row: 0,
            rows,
            uncached_formulas,
        });
    }
    if grids.iter().all(Grid::is_blank) {
        return Err(ImportError::invalid(
            at,
            ErrorKind::Empty,
            "工作簿中所有工作表都是空的；请检查是否选错了文件",
        ));
    }
    Ok(grids)
}

/// Text of a workbook cell as it shows, without losing digits.
fn cell_text(data: &Data, format: Option<&str>) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => format_number(&i.to_string(), format),
        Data::Float(f) => format_number(&shortest(*f), format),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
                if hh == 0 && mm == 0 && ss == 0 {
                    format!("{y:04}-{m:02}-{d:02}")
                } else {
                    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
                }
            } else {
                shortest(dt.as_f64())
            }
        }
    }
}

/// Shortest round-trip decimal text of a float (890000.0 → "890000", 0.98 → "0.98").
pub fn shortest(f: f64) -> String {
    if f.is_finite() { format!("{f}") } else { f.to_string() }
}

/// Applies the decimals and percent sign of an Excel number format to plain number text, never
/// rounding away digits: "0.00" pads 890000 to "890000.00"; "0.00%" shows 0.98 as "98.00%".
fn format_number(plain: &str, format: Option<&str>) -> String {
    let Some(code) = format
        .map(visible_format)
        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("general"))
    else {
        return plain.to_owned();
    };
    let percent = code.contains('%');
    let decimals = code.split_once('.').map_or(0, |(_, frac)| {
        frac.chars().take_while(|c| *c == '0' || *c == '#').count()
    });
    let Ok(mut value) = Decimal::from_str(plain) else {
        return plain.to_owned();
    };
    if percent {
        // A number too large to show as a percentage is shown as stored.
        let Some(hundredfold) = value.checked_mul(Decimal::ONE_HUNDRED) else {
            return plain.to_owned();
        };
        value = hundredfold;
    }
    let value = value.normalize();
    let scale = usize::try_from(value.scale()).unwrap_or(0);
    let mut text = if scale < decimals {
        format!("{value:.decimals$}")
    } else {
        value.to_string()
    };
    if percent {
        text.push('%');
    }
    text
}

/// The first section of a number format with quoted text, escapes and `[..]` blocks removed.
fn visible_format(code: &str) -> String {
    let section = code.split(';').next().unwrap_or("");
    let mut out = String::with_capacity(section.len());
    let mut chars = section.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            '[' => {
                for q in chars.by_ref() {
                    if q == ']' {
                        break;
                    }
                }
            }
            '\\' => {
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_show_as_excel_shows_them_without_losing_digits() {
        assert_eq!(shortest(890000.0), "890000");
        assert_eq!(shortest(0.98), "0.98");
        assert_eq!(format_number("890000", Some("0.00")), "890000.00");
        assert_eq!(format_number("870996.125", Some("0.00")), "870996.125");
        assert_eq!(format_number("1", Some("0.00%")), "100.00%");
        assert_eq!(
            format_number("79228162514264337593543950335", Some("0%")),
            "79228162514264337593543950335"
        );
        assert_eq!(format_number("0.98", Some("0%")), "98%");
        assert_eq!(format_number("12.5", Some("General")), "12.5");
        assert_eq!(
            format_number("1420000", Some("#,##0.00_);[Red]\\(#,##0.00\\)")),
            "1420000.00"
        );
    }

    #[test]
    fn delimited_text_handles_quotes_and_line_breaks() {
        let g = parse_delimited("t.csv", "a,\"b,\"\"c\"\"\nd\",e\r\nf\n", b',').unwrap();
        assert_eq!(g.rows, vec![vec!["a", "b,\"c\"\nd", "e"], vec!["f"]]);
        let g = parse_delimited("t.tsv", "\n\nx\t\ty\n", b'\t').unwrap();
        assert_eq!(g.rows, vec![vec![""], vec![""], vec!["x", "", "y"]]);
        let e = parse_delimited("t.csv", "a,\"b\n", b',').unwrap_err();
        assert_eq!(e.kind(), Some(ErrorKind::Syntax));
    }

    #[test]
    fn gbk_text_decodes() {
        let (bytes, _, _) = encoding_rs::GBK.encode("项目名称\t档案整理\n");
        assert_eq!(decode_text("a.tsv", &bytes).unwrap(), "项目名称\t档案整理\n");
        assert_eq!(decode_text("a.tsv", b"\xEF\xBB\xBFabc").unwrap(), "abc");
        assert_eq!(
            decode_text("a.tsv", b"ab\x00c").unwrap_err().kind(),
            Some(ErrorKind::Binary)
        );
        assert_eq!(
            decode_text("a.tsv", b"abc\xff\xfe").unwrap_err().kind(),
            Some(ErrorKind::Encoding)
        );
    }
}
