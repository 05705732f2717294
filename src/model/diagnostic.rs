//! One place and one diagnostic for every boundary where input can be wrong.
//!
//! A [`Loc`] says where something is: a file, and in it a span of text (line:column), a cell of
//! a sheet, or a JSON pointer into a document — with the file's text when it is at hand, so a
//! renderer can underline the place. A [`Diagnostic`] says what is wrong there, in Chinese, with
//! a help text, a severity and a code (`jixiao::policy::weights`); it implements
//! [`miette::Diagnostic`], so every boundary — rule-set TOML, Rhai scripts, decisions files,
//! imported forms, evaluation documents — is rendered the same way
//! ([`crate::report::diagnostics`]). The typed errors of each boundary carry a [`Loc`] and turn
//! into a [`Diagnostic`]; none formats a location of its own.
//!
//! Modelled on cedar-policy's one `Loc` (a span plus the source it indexes) and gorules/zen's
//! parse → IR + every diagnostic.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use serde::Serialize;

use crate::model::document::{CellPos, column_letters};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Worth a look; the input still works.
    Warning,
    /// The input cannot be used as it is.
    Error,
}

/// Where inside a file a [`Loc`] points.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Place {
    /// The file as a whole.
    File,
    /// A span of a text file, with its 1-based line and column (in characters) of the start.
    Text {
        /// Byte span in the file's text.
        span: Range<usize>,
        /// Line, starting at 1.
        line: usize,
        /// Column in characters, starting at 1.
        column: usize,
    },
    /// A sheet, row and cell of a workbook or delimited table (all 1-based).
    Cell {
        /// Worksheet, for workbooks.
        sheet: Option<String>,
        /// Row, when the problem concerns one.
        row: Option<u32>,
        /// Column, when the problem concerns one cell.
        column: Option<u32>,
    },
    /// A JSON pointer into a document, with the document's line (JSON Lines) or position in an
    /// array file when known.
    Pointer {
        /// 1-based line of the document in a JSON Lines file.
        line: Option<usize>,
        /// 0-based position of the document in a JSON array file.
        index: Option<usize>,
        /// JSON pointer (`""` for the whole document).
        pointer: String,
    },
}

/// A place in a file: the one location type of the crate.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    /// Rule set the file belongs to (folder name or embedded id), when it is one of a rule
    /// set's files; `file` is then relative to the rule set.
    pub ruleset: Option<String>,
    /// File as the user names it (a path given on the command line, or a file of a rule set).
    /// Empty when the place is the rule set as a whole.
    pub file: String,
    /// Where in the file.
    pub place: Place,
    /// The file's text, when it is text and at hand (for underlining the place).
    pub source: Option<Arc<str>>,
}

impl fmt::Debug for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loc")
            .field("ruleset", &self.ruleset)
            .field("file", &self.file)
            .field("place", &self.place)
            .field("source", &self.source.as_ref().map(|s| s.len()))
            .finish()
    }
}

impl Loc {
    /// A whole file.
    pub fn file(file: impl Into<String>) -> Self {
        Self {
            ruleset: None,
            file: file.into(),
            place: Place::File,
            source: None,
        }
    }

    /// A file of a rule set (`file` empty for the rule set as a whole).
    pub fn in_ruleset(ruleset: impl Into<String>, file: impl Into<String>) -> Self {
        Self {
            ruleset: Some(ruleset.into()),
            ..Self::file(file)
        }
    }

    /// The same file, with its text attached (for underlining).
    #[must_use]
    pub fn with_source(mut self, source: Arc<str>) -> Self {
        self.source = Some(source);
        self
    }

    /// The same file, narrowed to a byte span of its text; line and column are computed from
    /// the attached text (1:1 without it).
    #[must_use]
    pub fn at_span(mut self, span: Range<usize>) -> Self {
        let (line, column) = self
            .source
            .as_ref()
            .map_or((1, 1), |text| LineIndex::of(text).line_col(text, span.start));
        self.place = Place::Text { span, line, column };
        self
    }

    /// The same file, narrowed to a 1-based line and column; the span (one character) is
    /// computed from the attached text (empty without it).
    #[must_use]
    pub fn at_line_col(mut self, line: usize, column: usize) -> Self {
        let span = self.source.as_ref().map_or(0..0, |text| {
            let start = LineIndex::of(text).offset_of(text, line, column);
            let end = text
                .get(start..)
                .and_then(|t| t.chars().next())
                .map_or(start, |c| start + c.len_utf8());
            start..end
        });
        self.place = Place::Text { span, line, column };
        self
    }

    /// A place in a sheet of a file (`sheet` is `None` for text tables).
    pub fn sheet(file: impl Into<String>, sheet: Option<&str>) -> Self {
        Self {
            place: Place::Cell {
                sheet: sheet.map(str::to_owned),
                row: None,
                column: None,
            },
            ..Self::file(file)
        }
    }

    /// The same sheet narrowed to a row (1-based).
    #[must_use]
    pub fn at_row(&self, row: u32) -> Self {
        Self {
            place: Place::Cell {
                sheet: self.sheet_name().map(str::to_owned),
                row: Some(row),
                column: None,
            },
            ..self.clone()
        }
    }

    /// The same sheet narrowed to a cell.
    #[must_use]
    pub fn at_cell(&self, cell: CellPos) -> Self {
        Self {
            place: Place::Cell {
                sheet: self.sheet_name().map(str::to_owned),
                row: Some(cell.row),
                column: Some(cell.column),
            },
            ..self.clone()
        }
    }

    /// A JSON pointer into the document at `line` (JSON Lines) or `index` (array file) of `file`.
    pub fn pointer(
        file: impl Into<String>,
        line: Option<usize>,
        index: Option<usize>,
        pointer: impl Into<String>,
    ) -> Self {
        Self {
            place: Place::Pointer {
                line,
                index,
                pointer: pointer.into(),
            },
            ..Self::file(file)
        }
    }

    /// The worksheet, for a place in a workbook.
    pub fn sheet_name(&self) -> Option<&str> {
        match &self.place {
            Place::Cell { sheet, .. } => sheet.as_deref(),
            _ => None,
        }
    }

    /// The row (1-based), for a place in a sheet.
    pub fn row(&self) -> Option<u32> {
        match &self.place {
            Place::Cell { row, .. } => *row,
            _ => None,
        }
    }

    /// The cell column (1-based), for a place in a sheet.
    pub fn cell_column(&self) -> Option<u32> {
        match &self.place {
            Place::Cell { column, .. } => *column,
            _ => None,
        }
    }

    /// Line and column (1-based) of a place in a text file.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        match &self.place {
            Place::Text { line, column, .. } => Some((*line, *column)),
            _ => None,
        }
    }

    /// Byte span of a place in a text file.
    pub fn span(&self) -> Option<Range<usize>> {
        match &self.place {
            Place::Text { span, .. } => Some(span.clone()),
            _ => None,
        }
    }

    /// The name a renderer shows above the excerpt: `ruleset/file`, or the file.
    pub fn name(&self) -> String {
        match (&self.ruleset, self.file.is_empty()) {
            (Some(ruleset), true) => ruleset.clone(),
            (Some(ruleset), false) => format!("{ruleset}/{}", self.file),
            (None, _) => self.file.clone(),
        }
    }

    /// The span to underline: a place in a text file whose text is attached, widened to at
    /// least one character and kept inside the text.
    pub fn excerpt_span(&self) -> Option<Range<usize>> {
        let source = self.source.as_deref()?;
        let Place::Text { span, .. } = &self.place else {
            return None;
        };
        if source.is_empty() {
            return None;
        }
        let len = source.len();
        let mut start = span.start.min(len);
        let mut end = span.end.max(start + 1).min(len);
        if start >= end {
            start = end.saturating_sub(1);
        }
        while !source.is_char_boundary(start) && start > 0 {
            start -= 1;
        }
        while !source.is_char_boundary(end) && end < len {
            end += 1;
        }
        Some(start..end)
    }
}

impl fmt::Display for Loc {
    /// `规则集 R file 第 L 行第 C 列`, `file 工作表“S” 第 R 行 X 列`, `file 第N行 /pointer`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ruleset) = &self.ruleset {
            write!(f, "规则集 {ruleset}")?;
            if !self.file.is_empty() {
                f.write_str(" ")?;
            }
        }
        f.write_str(&self.file)?;
        match &self.place {
            Place::File => Ok(()),
            Place::Text { line, column, .. } => write!(f, " 第 {line} 行第 {column} 列"),
            Place::Cell { sheet, row, column } => {
                if let Some(sheet) = sheet {
                    write!(f, " 工作表“{sheet}”")?;
                }
                if let Some(row) = row {
                    write!(f, " 第 {row} 行")?;
                    if let Some(column) = column {
                        write!(f, " {} 列", column_letters(*column))?;
                    }
                }
                Ok(())
            }
            Place::Pointer { line, index, pointer } => {
                if let Some(line) = line {
                    write!(f, " 第{line}行")?;
                }
                if let Some(index) = index {
                    write!(f, " 第{}个文档", index + 1)?;
                }
                let pointer = if pointer.is_empty() { "/" } else { pointer };
                write!(f, " {pointer}")
            }
        }
    }
}

impl SourceCode for Loc {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let source = self.source.as_ref().ok_or(MietteError::OutOfBounds)?;
        // miette finds lines by reading the text it is given from its start: it is given only
        // the lines around the span, so each excerpt costs those lines, not the whole file
        // (thousands of diagnostics in one large file stay linear).
        let index = LineIndex::of(source);
        let start = span.offset();
        let end = start.saturating_add(span.len());
        if end > source.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = index.line_of(start).saturating_sub(context_lines_before);
        let last = index.line_of(end).saturating_add(context_lines_after);
        let from = index.start_of(first);
        let to = index.start_of(last.saturating_add(1)).min(source.len());
        let window = source.get(from..to).ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((start - from).into(), span.len());
        let inner = window
            .as_bytes()
            .read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// Where each line of a text starts, to turn byte offsets into lines and columns (and back) in
/// logarithmic time: a rule set with thousands of diagnostics in one file would otherwise scan
/// the file once per diagnostic.
#[derive(Debug)]
pub struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { starts }
    }

    /// The index of an attached text, built once per text (the last few texts are kept).
    pub fn of(text: &Arc<str>) -> Arc<Self> {
        use std::sync::{Mutex, Weak};
        type Cache = Mutex<Vec<(Weak<str>, Arc<LineIndex>)>>;
        static CACHE: Cache = Mutex::new(Vec::new());
        let Ok(mut cache) = CACHE.lock() else {
            return Arc::new(Self::new(text));
        };
        cache.retain(|(weak, _)| weak.strong_count() > 0);
        if let Some((_, index)) = cache
            .iter()
            .find(|(weak, _)| weak.upgrade().is_some_and(|t| Arc::ptr_eq(&t, text)))
        {
            return index.clone();
        }
        let index = Arc::new(Self::new(text));
        if cache.len() >= 16 {
            cache.remove(0);
        }
        cache.push((Arc::downgrade(text), index.clone()));
        index
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// Byte offset where a 0-based line starts (`usize::MAX` past the last line).
    pub fn start_of(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(usize::MAX)
    }

    /// 1-based line and column (in characters) of a byte offset, as [`line_col`].
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.start_of(line).min(offset);
        let column = text.get(start..offset).map_or(offset - start, |t| t.chars().count());
        (line + 1, column + 1)
    }

    /// Byte offset of 1-based `line`:`column` (characters), as [`offset_of`].
    pub fn offset_of(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(start) = line.checked_sub(1).and_then(|l| self.starts.get(l).copied()) else {
            return text.len();
        };
        let end = self.start_of(line).min(text.len());
        let this = text.get(start..end).unwrap_or_default();
        start
            + this
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(this.len(), |(b, _)| b)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

/// Byte offset of 1-based `line`:`column` (characters) in `text`; the end of the text when the
/// place lies beyond it.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// One problem at one place, in Chinese: what every boundary of the crate reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Kind of problem, namespaced by boundary: `jixiao::policy::weights`,
    /// `jixiao::script::compile`, `jixiao::decisions::toml`, `jixiao::import::not-a-number`,
    /// `jixiao::document::schema`.
    pub code: &'static str,
    /// Severity.
    pub level: Level,
    /// What is wrong, in Chinese.
    pub message: String,
    /// How to fix it, in Chinese.
    pub help: Option<String>,
    /// Text under the caret (default “此处”).
    pub label: Option<String>,
    /// Where.
    pub loc: Loc,
}

impl Diagnostic {
    /// An error at `loc`.
    pub fn error(code: &'static str, loc: Loc, message: impl Into<String>) -> Self {
        Self {
            code,
            level: Level::Error,
            message: message.into(),
            help: None,
            label: None,
            loc,
        }
    }

    /// A warning at `loc`.
    pub fn warning(code: &'static str, loc: Loc, message: impl Into<String>) -> Self {
        Self {
            level: Level::Warning,
            ..Self::error(code, loc, message)
        }
    }

    /// The same diagnostic with a help text.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same diagnostic with a help text, when there is one.
    #[must_use]
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// The same diagnostic with the text shown under the caret.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// The last part of the code (`weights` of `jixiao::policy::weights`).
    pub fn kind(&self) -> &'static str {
        self.code.rsplit("::").next().unwrap_or(self.code)
    }

    /// Whether a renderer can show the place as an underlined excerpt of the file's text.
    pub fn has_excerpt(&self) -> bool {
        self.loc.excerpt_span().is_some()
    }

    /// The fields programs read (`jixiao check --format json`, error records): level, code,
    /// kind, file, line, column, message, help.
    pub fn record(&self) -> DiagnosticRecord {
        let (line, column) = match &self.loc.place {
            Place::Text { line, column, .. } => (Some(*line), Some(*column as u64)),
            Place::Cell { row, column, .. } => (row.map(|r| r as usize), column.map(u64::from)),
            Place::Pointer { line, .. } => (*line, None),
            Place::File => (None, None),
        };
        DiagnosticRecord {
            level: self.level,
            code: self.code,
            kind: self.kind(),
            ruleset: self.loc.ruleset.clone(),
            file: self.loc.file.clone(),
            sheet: self.loc.sheet_name().map(str::to_owned),
            line,
            column,
            pointer: match &self.loc.place {
                Place::Pointer { pointer, .. } => Some(pointer.clone()),
                _ => None,
            },
            message: self.message.clone(),
            help: self.help.clone(),
        }
    }
}

impl Diagnostic {
    /// The place and what is there, without the help: `{loc}（{label}）：{message}` — the
    /// label (`函数 f 的定义处`) is shown when set, since a line has no caret to put it under.
    pub fn located_message(&self) -> String {
        match &self.label {
            Some(label) => format!("{}（{label}）：{}", self.loc, self.message),
            None => format!("{}：{}", self.loc, self.message),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// One line, the location once: `{loc}（{label}）：{message}（{help}）`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.located_message())?;
        if let Some(help) = &self.help {
            write!(f, "（{help}）")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.has_excerpt().then_some(&self.loc as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.loc.excerpt_span()?;
        let label = self.label.clone().unwrap_or_else(|| "此处".to_owned());
        Some(Box::new(std::iter::once(LabeledSpan::at(span, label))))
    }
}

/// The fields of a [`Diagnostic`] programs read, flat (for JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagnosticRecord {
    /// Severity.
    pub level: Level,
    /// Full code (`jixiao::policy::weights`).
    pub code: &'static str,
    /// Last part of the code (`weights`).
    pub kind: &'static str,
    /// Rule set, for a rule set's files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ruleset: Option<String>,
    /// File (relative to the rule set for a rule set's files).
    pub file: String,
    /// Worksheet, for a place in a workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based line (text, JSON Lines) or row (sheet).
    pub line: Option<usize>,
    /// 1-based column (characters in text, cell column in a sheet).
    pub column: Option<u64>,
    /// JSON pointer, for a place in a document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::*;

    #[test]
    fn a_text_place_is_shown_once_with_its_line_and_column() {
        let text: Arc<str> = Arc::from("a = 1\nb = \"二\"\n");
        let loc = Loc::in_ruleset("r", "policy.toml").with_source(text).at_span(10..13);
        assert_eq!(loc.line_col(), Some((2, 5)));
        assert_eq!(loc.to_string(), "规则集 r policy.toml 第 2 行第 5 列");
        assert_eq!(loc.name(), "r/policy.toml");
        let d = Diagnostic::error("jixiao::policy::toml", loc, "坏了").with_help("改好");
        assert_eq!(d.to_string(), "规则集 r policy.toml 第 2 行第 5 列：坏了（改好）");
        assert_eq!(d.kind(), "toml");
        assert_eq!(d.record().line, Some(2));
    }

    #[test]
    fn line_and_column_find_their_span_and_back() {
        let text = "ab\n二三四\n";
        let at = offset_of(text, 2, 2);
        assert_eq!(&text[at..at + 3], "三");
        assert_eq!(line_col(text, at), (2, 2));
        let loc = Loc::file("f.rhai").with_source(Arc::from(text)).at_line_col(2, 2);
        assert_eq!(loc.span(), Some(at..at + 3));
    }

    #[test]
    fn cells_and_pointers_read_as_before() {
        let loc = Loc::sheet("a.xlsx", Some("表1")).at_cell(CellPos { row: 6, column: 4 });
        assert_eq!(loc.to_string(), "a.xlsx 工作表“表1” 第 6 行 D 列");
        let loc = Loc::pointer("d.jsonl", Some(2), None, "");
        assert_eq!(loc.to_string(), "d.jsonl 第2行 /");
    }

    #[test]
    fn the_excerpt_span_stays_inside_the_text() {
        let loc = Loc::file("f").with_source(Arc::from("ab")).at_span(5..5);
        assert_eq!(loc.excerpt_span(), Some(1..2));
        assert_eq!(Loc::file("f").at_span(0..1).excerpt_span(), None);
    }
}
