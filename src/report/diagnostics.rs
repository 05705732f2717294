//! The one rendering of [`Diagnostic`]s for people: miette's graphical report — code, message,
//! the file's text with the place underlined, help — in Chinese, naming the location once (in
//! the excerpt's header when the file's text is at hand, else before the message). Every
//! command prints broken rule sets, scripts and decisions files through [`render`], so the same
//! problem looks the same whichever command found it.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use crate::model::diagnostic::{Diagnostic, Loc, Place};
use crate::report::visible::{visible, visible_same_length};

/// Width the report is wrapped at.
const WIDTH: usize = 100;

/// How a diagnostic shows in the graphical report: the message alone when the excerpt names
/// the place, else the place before the message.
struct Shown<'a>(&'a Diagnostic);

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d.has_excerpt() || is_nowhere(&d.loc) {
            f.write_str(&d.message)
        } else {
            f.write_str(&d.located_message())
        }
    }
}

/// A location that names nothing (no rule set, no file, no place).
fn is_nowhere(loc: &Loc) -> bool {
    loc.ruleset.is_none() && loc.file.is_empty() && loc.place == Place::File
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        miette::Diagnostic::code(self.0)
    }

    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.0)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        miette::Diagnostic::help(self.0)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        miette::Diagnostic::source_code(self.0)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        miette::Diagnostic::labels(self.0)
    }
}

/// Renders diagnostics one after another, each followed by a blank line; `colour` for a
/// terminal, plain characters otherwise (files, pipes, tests).
pub fn render(diagnostics: &[Diagnostic], colour: bool) -> String {
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(WIDTH);
    let mut out = String::new();
    let mut sources = Sources::default();
    for d in diagnostics {
        // Rendering into a String cannot fail but for a formatter error, which it never raises.
        let _ = handler.render_report(&mut out, &Shown(&safe(d, &mut sources)));
        out.push('\n');
    }
    out
}

/// Each file text met while rendering, with its [`visible_same_length`] copy when it needs one:
/// a file is scanned once however many diagnostics point into it.
#[derive(Default)]
struct Sources(Vec<(Arc<str>, Option<Arc<str>>)>);

impl Sources {
    /// The text to show for `source`: itself when it has no control characters.
    fn shown(&mut self, source: &Arc<str>) -> Arc<str> {
        if let Some((_, replaced)) = self.0.iter().find(|(s, _)| Arc::ptr_eq(s, source)) {
            return replaced.clone().unwrap_or_else(|| source.clone());
        }
        let replaced = match visible_same_length(source) {
            Cow::Borrowed(_) => None,
            Cow::Owned(text) => Some(Arc::from(text)),
        };
        self.0.push((source.clone(), replaced.clone()));
        replaced.unwrap_or_else(|| source.clone())
    }
}

/// The diagnostic with every text it shows made [`visible`]: message, help, label, names, and
/// the file's text (same length, so the underlined span stays in place). A cell or a rule-set
/// file holding ESC or BEL then shows it instead of acting on the terminal.
fn safe<'d>(d: &'d Diagnostic, sources: &mut Sources) -> Cow<'d, Diagnostic> {
    let texts = [
        Some(d.message.as_str()),
        d.help.as_deref(),
        d.label.as_deref(),
        Some(d.loc.file.as_str()),
    ];
    let place = match &d.loc.place {
        Place::Cell { sheet, .. } => sheet.as_deref(),
        Place::Pointer { pointer, .. } => Some(pointer.as_str()),
        _ => None,
    };
    let clean = |t: &str| matches!(visible_same_length(t), Cow::Borrowed(_));
    let source = d.loc.source.as_ref().map(|s| (s, sources.shown(s)));
    let all_clean = texts
        .iter()
        .chain([&place, &d.loc.ruleset.as_deref()])
        .flatten()
        .all(|t| clean(t))
        && source.as_ref().is_none_or(|(s, shown)| Arc::ptr_eq(s, shown));
    if all_clean {
        return Cow::Borrowed(d);
    }
    let show = |t: &str| visible(t).into_owned();
    let mut d = d.clone();
    d.message = show(&d.message);
    d.help = d.help.as_deref().map(show);
    d.label = d.label.as_deref().map(show);
    d.loc.file = show(&d.loc.file);
    d.loc.ruleset = d.loc.ruleset.as_deref().map(show);
    match &mut d.loc.place {
        Place::Cell { sheet: Some(sheet), .. } => *sheet = show(sheet),
        Place::Pointer { pointer, .. } => *pointer = show(pointer),
        _ => {}
    }
    if let Some((_, shown)) = source {
        d.loc.source = Some(shown);
    }
    Cow::Owned(d)
}

/// Renders what checking a rule set found: every diagnostic, then a count of errors and warnings
/// (what `jixiao check` prints, and every command that cannot load the rule set).
pub fn render_ruleset(ruleset: &str, diagnostics: &[Diagnostic], colour: bool) -> String {
    let mut out = render(diagnostics, colour);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    out.push_str(&format!(
        "规则集 {ruleset}：{errors} 个错误，{} 个警告\n",
        diagnostics.len() - errors
    ));
    out
}

/// Renders what checking layout files found: every diagnostic, then a count of errors and
/// warnings (what `jixiao check` prints for a layout file or folder, and every command given a
/// broken `--layouts`).
pub fn render_layouts(diagnostics: &[Diagnostic], colour: bool) -> String {
    let mut out = render(diagnostics, colour);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    out.push_str(&format!(
        "格式文件：{errors} 个错误，{} 个警告\n",
        diagnostics.len() - errors
    ));
    out
}

/// Whether output written to stderr should be coloured: a terminal, and `NO_COLOR` unset.
pub fn colour_stderr() -> bool {
    use std::io::IsTerminal as _;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Whether output written to stdout should be coloured: a terminal, and `NO_COLOR` unset.
pub fn colour_stdout() -> bool {
    use std::io::IsTerminal as _;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::sync::Arc;

    use super::*;

    #[test]
    fn the_place_is_named_once() {
        let text: Arc<str> = Arc::from("a = 1\nb = x\n");
        let loc = Loc::in_ruleset("r", "policy.toml").with_source(text).at_span(10..11);
        let d = Diagnostic::error("jixiao::policy::toml", loc, "坏了").with_help("改好");
        let out = render(std::slice::from_ref(&d), false);
        assert!(out.contains("× 坏了\n"), "{out}");
        assert!(out.contains("[r/policy.toml:2:5]"), "{out}");
        assert!(out.contains("help: 改好"), "{out}");
        assert_eq!(out.matches("2:5").count() + out.matches("第 2 行").count(), 1, "{out}");

        let d = Diagnostic::error("jixiao::import::empty", Loc::sheet("a.tsv", None).at_row(3), "空的");
        let out = render(std::slice::from_ref(&d), false);
        assert!(out.contains("× a.tsv 第 3 行：空的"), "{out}");
    }
}
