//! The importer: tabular 项目支出绩效自评表 (TSV, CSV, xlsx) → [`EvaluationDocument`]s.
//!
//! This module owns the public import API, dispatch by file extension, and the one error type of
//! the import boundary ([`ImportError`]), which carries the one [`Loc`] — file, sheet, row and
//! column — and says in Chinese what is wrong and what to do. Reading bytes into cell grids lives in
//! [`grid`]; splitting a grid into forms and recognising their blocks by label lives in `form`,
//! with the indicator-row placement in `indicators`, year inference in `year` and cell value
//! parsing in `value`. Which labels name which block, column or row is data — the layout files
//! ([`crate::ingest::layout`]), looked up through `labels`.
//!
//! Policies the importer follows (documented here because users see their effects):
//! - **Nothing is dropped.** Every non-empty cell of a form's rows is either consumed (mapped into
//!   a field, or a label/“not applicable” cell the layout expects) or listed in
//!   [`EvaluationDocument::unmapped`] with a reason. Rows above the first form (e.g. "附件2",
//!   "填报单位：…") belong to the first form and are unmapped there unless recognised. A sheet with
//!   content but no form is an error, never skipped silently.
//! - **Year.** [`ImportOptions::year`] wins; otherwise the year the form itself states (see
//!   `year` for the rule); otherwise an error asking for `--year`. Never a silent guess.
//! - **One cell never costs the form.** A row, header cell or value the importer cannot place,
//!   a block the form lacks (cut off before the 总分 row), an unfilled template row, a missing
//!   项目名称: the form is still imported with whatever can be placed, the cells are listed as
//!   unmapped, and [`EvaluationDocument::import_issues`] says what was met, at which cell —
//!   scoring reports each as a finding (M1–M5) at the severity the rule set gives it. Errors are
//!   left for what leaves nothing to import: a file that cannot be read, a sheet without any form,
//!   a form start with no table under it, an unknown budget year, a duplicate form. Rows it had to
//!   realign by content are listed in [`EvaluationDocument::realignments`].

mod form;
pub mod grid;
mod indicators;
pub(crate) mod labels;
mod stream;
mod value;
mod year;

use std::collections::HashMap;
use std::fmt;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use crate::model::diagnostic::{Diagnostic, Loc};
use crate::model::document::{CellPos, EvaluationDocument};

pub use grid::Grid;
use labels::Layouts;

/// Caller's choices for an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// Budget year to use for every form, overriding what the forms state (`--year`).
    pub year: Option<i32>,
    /// Budget year for forms whose text states none (`--default-year`); a year the form states
    /// wins over it, and `year` wins over both.
    pub default_year: Option<i32>,
    /// Region whose rules apply (`--region`), copied into [`EvaluationDocument::region`].
    pub region: Option<String>,
    /// The layouts the forms are read with, loaded once per run (`--layouts`, see
    /// [`crate::ingest::layout::load`]); by default the shipped ones.
    pub layouts: Arc<Layouts>,
}

impl Default for ImportOptions {
    /// No year or region given; the shipped layouts.
    fn default() -> Self {
        ImportOptions {
            year: None,
            default_year: None,
            region: None,
            layouts: crate::ingest::layout::embedded(),
        }
    }
}

/// One imported form together with the cells the importer consumed reading it.
///
/// `consumed` and the document's `unmapped` list partition the non-empty cells of the form's rows
/// (`source.first_row ..= source.last_row`): the “nothing dropped” guarantee, checkable by tests.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedForm {
    /// The document read from the form.
    pub document: EvaluationDocument,
    /// Every non-empty cell mapped into a field or recognised as a label / “not applicable” mark,
    /// sorted by row then column.
    pub consumed: Vec<CellPos>,
}

/// What kind of problem an [`ImportError::Invalid`] reports (for programs; people read the
/// message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file extension is not one the importer reads.
    UnsupportedFormat,
    /// The file (or every sheet) is empty.
    Empty,
    /// The file is binary, not text.
    Binary,
    /// The text is neither UTF-8 nor GBK/GB18030.
    Encoding,
    /// CSV/TSV syntax error (unterminated quote).
    Syntax,
    /// A cell longer than a spreadsheet cell can be.
    CellTooLarge,
    /// The workbook cannot be opened or read.
    Workbook,
    /// No 项目支出绩效自评表 in a sheet that has content.
    NoForm,
    /// A form start (a title or 项目名称 row) followed by neither a funds table nor an
    /// indicator table: nothing to import. (A form that has either is imported with whatever
    /// it lacks reported as an import issue, never refused.)
    MissingBlock,
    /// The budget year is neither given nor stated on the form.
    MissingYear,
    /// The form states several budget years and none wins by the rule.
    AmbiguousYear,
    /// Two forms of one import have the same document id.
    Duplicate,
    /// A form with more rows than any self-evaluation form has ([`form::MAX_FORM_ROWS`]).
    FormTooLong,
}

/// Everything that can stop an import. Messages are Chinese, say what is wrong and what to do;
/// the place is the one [`Loc`] (file, sheet, row, cell), named once in the one-line text and in
/// the [`Diagnostic`] ([`ImportError::to_diagnostic`]).
#[derive(Debug)]
pub enum ImportError {
    /// The file could not be read from disk.
    Io {
        /// File name as given.
        file: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The content is wrong at a place.
    Invalid {
        /// Where.
        at: Loc,
        /// What kind of problem.
        kind: ErrorKind,
        /// What is wrong and what to do, in Chinese.
        message: String,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_diagnostic(), f)
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ImportError::Io { source, .. } => Some(source),
            ImportError::Invalid { .. } => None,
        }
    }
}

impl ErrorKind {
    /// Diagnostic code of this kind of problem (`jixiao::import::not-a-number`).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::UnsupportedFormat => "jixiao::import::unsupported-format",
            ErrorKind::Empty => "jixiao::import::empty",
            ErrorKind::Binary => "jixiao::import::binary",
            ErrorKind::Encoding => "jixiao::import::encoding",
            ErrorKind::Syntax => "jixiao::import::syntax",
            ErrorKind::CellTooLarge => "jixiao::import::cell-too-large",
            ErrorKind::Workbook => "jixiao::import::workbook",
            ErrorKind::NoForm => "jixiao::import::no-form",
            ErrorKind::MissingBlock => "jixiao::import::missing-block",
            ErrorKind::MissingYear => "jixiao::import::missing-year",
            ErrorKind::AmbiguousYear => "jixiao::import::ambiguous-year",
            ErrorKind::Duplicate => "jixiao::import::duplicate",
            ErrorKind::FormTooLong => "jixiao::import::form-too-long",
        }
    }
}

impl ImportError {
    /// A content error at `at`.
    pub(crate) fn invalid(at: Loc, kind: ErrorKind, message: impl Into<String>) -> Self {
        ImportError::Invalid {
            at,
            kind,
            message: message.into(),
        }
    }

    /// The kind of a content error; `None` for I/O errors.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            ImportError::Io { .. } => None,
            ImportError::Invalid { kind, .. } => Some(*kind),
        }
    }

    /// Where the error is; for I/O errors only the file.
    pub fn location(&self) -> Loc {
        match self {
            ImportError::Io { file, .. } => Loc::file(file.as_str()),
            ImportError::Invalid { at, .. } => at.clone(),
        }
    }

    /// The error as a diagnostic (code `jixiao::import::…`).
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            ImportError::Io { file, source } => Diagnostic::error(
                "jixiao::import::io",
                Loc::file(file.as_str()),
                format!("无法读取文件（{source}）；请检查路径是否正确、文件是否可读"),
            ),
            ImportError::Invalid { at, kind, message } => Diagnostic::error(kind.code(), at.clone(), message.clone()),
        }
    }
}

/// Reads the file at `path` and imports every form in it; the file name in messages and in
/// `source` is the path as given.
pub fn import_file(path: &Path, opts: &ImportOptions) -> Result<Vec<EvaluationDocument>, ImportError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        file: name.clone(),
        source,
    })?;
    import_bytes(&name, &bytes, opts)
}

/// Imports every form of a file's content, dispatching on the extension of `file_name`:
/// `.tsv`/`.txt` (tab-separated), `.csv` (comma-separated, RFC 4180 quoting), `.xlsx`/`.xlsm`.
pub fn import_bytes(
    file_name: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Vec<EvaluationDocument>, ImportError> {
    let grids = grid::read_grids(file_name, bytes)?;
    import_grids(file_name, &grids, opts)
}

/// Imports every form of tab-separated text (what a spreadsheet copy-paste or `.tsv` export
/// gives). `file_name` is used in messages and `source` only.
pub fn import_text(file_name: &str, text: &str, opts: &ImportOptions) -> Result<Vec<EvaluationDocument>, ImportError> {
    let grid = grid::parse_delimited(file_name, text, b'\t')?;
    import_grids(file_name, std::slice::from_ref(&grid), opts)
}

/// Imports every form of already-read grids; fails on the first form that cannot be read and on
/// duplicate document ids.
pub fn import_grids(
    file_name: &str,
    grids: &[Grid],
    opts: &ImportOptions,
) -> Result<Vec<EvaluationDocument>, ImportError> {
    let forms = import_forms(file_name, grids, opts)?;
    let mut docs = Vec::with_capacity(forms.len());
    for form in forms {
        docs.push(form?.document);
    }
    check_duplicates(file_name, &docs)?;
    Ok(docs)
}

/// Imports each form independently: the outer error is about the file (encoding, syntax, no form
/// at all), the inner results are one per form in file order, so a caller can report every bad
/// form at once. No duplicate check (see [`import_grids`]). A workbook sheet without a form is
/// skipped when another sheet holds one ([`import_workbook_forms`] names it).
pub fn import_forms(
    file_name: &str,
    grids: &[Grid],
    opts: &ImportOptions,
) -> Result<Vec<Result<ImportedForm, ImportError>>, ImportError> {
    Ok(import_workbook_forms(file_name, grids, opts)?.forms)
}

/// A sheet of a workbook that holds no form while another sheet does (a 说明 sheet beside the
/// form): skipped, and named with the count of its non-empty cells, so nothing goes unsaid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedSheet {
    /// The sheet's name.
    pub sheet: String,
    /// Its non-empty cells, none of them read.
    pub cells: usize,
}

impl fmt::Display for SkippedSheet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "工作表“{}”中没有自评表（没有“…自评表”标题行、“项目名称”行或绩效指标表头），其中 {} 个非空单元格未读取；其他工作表照常导入",
            self.sheet, self.cells
        )
    }
}

/// The forms of a file's grids, and the sheets skipped for holding none.
#[derive(Debug)]
pub struct WorkbookForms {
    /// One result per form, in sheet and row order.
    pub forms: Vec<Result<ImportedForm, ImportError>>,
    /// Sheets without a form, when another sheet has one.
    pub skipped_sheets: Vec<SkippedSheet>,
}

/// [`import_forms`], also naming the sheets skipped: a sheet without any form is an error only
/// when no sheet of the file holds one.
pub fn import_workbook_forms(
    file_name: &str,
    grids: &[Grid],
    opts: &ImportOptions,
) -> Result<WorkbookForms, ImportError> {
    if grids.iter().all(Grid::is_blank) {
        return Err(empty_file(file_name));
    }
    let mut forms = Vec::new();
    let mut skipped_sheets = Vec::new();
    let mut first_error = None;
    for grid in grids.iter().filter(|g| !g.is_blank()) {
        let at = Loc::sheet(file_name, grid.sheet.as_deref());
        match form::split_forms(grid, &at, &opts.layouts) {
            Ok(spans) => {
                for span in spans {
                    forms.push(form::read_form(file_name, grid, &span, opts));
                }
            }
            Err(e) if e.kind() == Some(ErrorKind::NoForm) && grid.sheet.is_some() => {
                first_error.get_or_insert(e);
                skipped_sheets.push(SkippedSheet {
                    sheet: grid.sheet.clone().unwrap_or_default(),
                    cells: grid.rows.iter().flatten().filter(|c| !c.trim().is_empty()).count(),
                });
            }
            Err(e) => return Err(e),
        }
    }
    if forms.is_empty()
        && let Some(e) = first_error
    {
        return Err(e);
    }
    Ok(WorkbookForms { forms, skipped_sheets })
}

/// Like [`import_forms`] for tab-separated text.
pub fn import_text_forms(
    file_name: &str,
    text: &str,
    opts: &ImportOptions,
) -> Result<Vec<Result<ImportedForm, ImportError>>, ImportError> {
    let grid = grid::parse_delimited(file_name, text, b'\t')?;
    import_forms(file_name, std::slice::from_ref(&grid), opts)
}

/// The error for a file without any cell content.
fn empty_file(file_name: &str) -> ImportError {
    ImportError::invalid(
        Loc::file(file_name),
        ErrorKind::Empty,
        "文件是空的，没有任何单元格内容；请检查是否选错了文件",
    )
}

/// How [`for_each_form`] read a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// UTF-8 delimited text read line by line: memory flat in the number of forms.
    Streamed,
    /// Delimited text in GBK/GB18030 or UTF-16, decoded whole, then split and imported form by
    /// form: memory grows with the file's size (its text), not with its cells.
    DecodedWhole,
    /// Read whole into grids first: workbooks (calamine loads a sheet at once), and text the first
    /// pass found broken (to give the exact error).
    WholeFile,
}

/// What [`for_each_form`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportStats {
    /// Forms handed to the callback (imported or not).
    pub forms: usize,
    /// Of those, forms imported without error.
    pub imported: usize,
    /// How the file was read.
    pub mode: ReadMode,
    /// True when the callback asked to stop before the end of the file.
    pub stopped: bool,
    /// Sheets of a workbook skipped for holding no form (another sheet holds one).
    pub skipped_sheets: Vec<SkippedSheet>,
}

/// Imports a file form by form, handing each form's result to `each` as soon as it is read, in
/// file order; `each` returns [`ControlFlow::Break`] to stop early.
///
/// Delimited text (`.tsv`/`.txt`/`.csv`) is streamed: the file is read incrementally and each form
/// imported when the next one starts, so memory stays flat in the number of forms (only a digest
/// of each id seen is kept, to reject duplicates: 24 bytes per form plus hash-table slack); see
/// [`ReadMode`] for the cases read whole (`.xlsx`, GBK).
/// The results are exactly those of the whole-file [`import_bytes_each`]: the same documents,
/// with the same row numbers in messages and provenance, and the same errors. A file-level error
/// (unreadable, binary, bad encoding, unterminated quote, empty, no form) is the `Err` returned,
/// and is always found before any form is handed out.
pub fn for_each_form<F>(path: &Path, opts: &ImportOptions, mut each: F) -> Result<ImportStats, ImportError>
where
    F: FnMut(Result<EvaluationDocument, ImportError>) -> ControlFlow<()>,
{
    let name = path.display().to_string();
    let mut seen = Seen::default();
    let (mut forms, mut imported, mut stopped) = (0usize, 0usize, false);
    let mut sink = |form: Result<ImportedForm, ImportError>| {
        forms += 1;
        let result = form.and_then(|f| seen.check(&name, f.document));
        imported += usize::from(result.is_ok());
        let flow = each(result);
        stopped |= flow.is_break();
        flow
    };
    let mut skipped_sheets = Vec::new();
    let mode = match stream::delimiter(&name) {
        Some(delim) => stream::for_each_text_form(path, &name, delim, opts, &mut sink)?,
        None => {
            let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
                file: name.clone(),
                source,
            })?;
            let grids = grid::read_grids(&name, &bytes)?;
            drop(bytes);
            let read = import_workbook_forms(&name, &grids, opts)?;
            skipped_sheets = read.skipped_sheets;
            for form in read.forms {
                if sink(form).is_break() {
                    break;
                }
            }
            ReadMode::WholeFile
        }
    };
    Ok(ImportStats {
        forms,
        imported,
        mode,
        stopped,
        skipped_sheets,
    })
}

/// Imports a file form by form: one result per form, so one bad form (no year, a broken
/// row, a duplicate) is reported while the others are still read. The outer error is for a
/// file that cannot be read at all. Collects what [`for_each_form`] hands out.
pub fn import_file_each(
    path: &Path,
    opts: &ImportOptions,
) -> Result<Vec<Result<EvaluationDocument, ImportError>>, ImportError> {
    let mut out = Vec::new();
    for_each_form(path, opts, |form| {
        out.push(form);
        ControlFlow::Continue(())
    })?;
    Ok(out)
}

/// Imports a file's content form by form, whole: reads every cell into grids, then every form
/// (the reference [`for_each_form`] is checked against). Results as [`import_file_each`].
pub fn import_bytes_each(
    file_name: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Vec<Result<EvaluationDocument, ImportError>>, ImportError> {
    let grids = grid::read_grids(file_name, bytes)?;
    let forms = import_forms(file_name, &grids, opts)?;
    let mut seen = Seen::default();
    Ok(forms
        .into_iter()
        .map(|form| form.and_then(|f| seen.check(file_name, f.document)))
        .collect())
}

/// The ids imported so far and where each form started: enough to name both forms of a
/// duplicate without keeping the documents, in 24 bytes per form. Ids are kept as 128-bit
/// digests (SHA-256, truncated), not as text: a collision between two different ids, which would
/// report a false duplicate, is far less likely than a disk error.
#[derive(Debug, Default)]
struct Seen {
    /// Digest of an id → (index into `sheets`, first row).
    ids: HashMap<[u8; 16], (u32, u32)>,
    /// Sheet names met so far (`None` for text files).
    sheets: Vec<Option<String>>,
}

impl Seen {
    /// `doc`, or the duplicate error when its id was seen before.
    fn check(&mut self, file_name: &str, doc: EvaluationDocument) -> Result<EvaluationDocument, ImportError> {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(doc.id.as_bytes());
        let mut key = [0u8; 16];
        for (k, d) in key.iter_mut().zip(digest.iter()) {
            *k = *d;
        }
        if let Some(&(sheet, row)) = self.ids.get(&key) {
            let sheet = self.sheets.get(sheet as usize).cloned().flatten();
            return Err(duplicate_error(file_name, &(sheet, row), &doc));
        }
        let (sheet, row) = place(&doc);
        let index = match self.sheets.iter().rposition(|s| *s == sheet) {
            Some(i) => i,
            None => {
                self.sheets.push(sheet);
                self.sheets.len() - 1
            }
        };
        self.ids.insert(key, (u32::try_from(index).unwrap_or(u32::MAX), row));
        Ok(doc)
    }
}

/// Sheet and first row of a form.
type Place = (Option<String>, u32);

/// Where a document's form starts.
fn place(d: &EvaluationDocument) -> Place {
    d.source.as_ref().map_or((None, 0), |s| (s.sheet.clone(), s.first_row))
}

/// Rejects two documents with the same id, naming the rows (and sheets) of both.
fn check_duplicates(file_name: &str, docs: &[EvaluationDocument]) -> Result<(), ImportError> {
    let mut seen: HashMap<&str, &EvaluationDocument> = HashMap::with_capacity(docs.len());
    for doc in docs {
        if let Some(first) = seen.insert(doc.id.as_str(), doc) {
            return Err(duplicate_error(file_name, &place(first), doc));
        }
    }
    Ok(())
}

/// The error for `doc` repeating the id of `first`.
fn duplicate_error(file_name: &str, first: &Place, doc: &EvaluationDocument) -> ImportError {
    let (sheet_a, row_a) = first.clone();
    let (sheet_b, row_b) = place(doc);
    let first_place = match sheet_a {
        Some(s) if Some(&s) != sheet_b.as_ref() => format!("工作表“{s}”第 {row_a} 行"),
        _ => format!("第 {row_a} 行"),
    };
    let at = Loc::sheet(file_name, sheet_b.as_deref()).at_row(row_b);
    ImportError::invalid(
        at,
        ErrorKind::Duplicate,
        format!(
            "本表与{first_place}开始的表编号相同（{}）：年度、主管部门和项目名称都一样；请删除重复的表，或核对项目名称和年度",
            doc.id
        ),
    )
}
