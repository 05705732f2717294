//! The HTML report: a self-contained page (inline CSS, inline SVG, a small inline script; no
//! fetched resource of any kind) that works offline and prints. Sections: overview counts, a
//! summary table, the grade distribution, the distribution of computed − reported totals,
//! departments, findings by code with their titles, and a collapsible drill-down per form with
//! its funds, every indicator computed beside reported, the reviewer decisions applied to it,
//! and its findings. Beyond [`SINGLE_PAGE_FORMS`] forms the page keeps only bounded aggregates
//! and the worst forms, and the drill-downs go to detail pages in a folder beside it
//! ([`HtmlWriter`]).
//!
//! Every text comes from user input or rule sets and is escaped. Key numbers carry ids
//! (`f{n}-total`, `count-errors`, …) and `data-` attributes so tests and scripts can read them;
//! they show the exact decimals of the JSON report.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{RenderError, dec, differs, finding_place, grade_differs, half_up, percent, visible, waived_count};
use crate::engine::scoring::Scorecard;
use crate::model::files::sha256_hex;
use crate::model::findings::Severity;

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Money with thousands separators and two decimals.
fn amount(d: Option<Decimal>) -> String {
    let Some(d) = d else {
        return "—".to_owned();
    };
    let s = format!("{:.2}", half_up(d).abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if d.is_sign_negative() && !d.is_zero() { "-" } else { "" };
    format!("{sign}{grouped}.{frac}")
}

/// A `<td>` holding a number; `bad` marks a computed value that differs from the reported one.
fn num_td(id: Option<String>, value: &str, bad: bool) -> String {
    let class = if bad { "num bad" } else { "num" };
    match id {
        Some(id) => format!("<td class=\"{class}\" id=\"{id}\">{}</td>", escape(value)),
        None => format!("<td class=\"{class}\">{}</td>", escape(value)),
    }
}

const STYLE: &str = r#"
:root{--bad:#9c0006;--bad-bg:#ffc7ce;--warn:#9c5700;--warn-bg:#ffeb9c;--line:#d0d7de;--head:#ddebf7;--muted:#57606a}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1240px;padding:16px 24px 48px;font:14px/1.5 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;color:#1f2328;background:#fff}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid var(--head);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
.muted{color:var(--muted)}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.stat{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:110px}
.stat .label{display:block;color:var(--muted);font-size:12px}.stat .value{font-size:22px;font-weight:600}
.stat.bad .value{color:var(--bad)}.stat.warn .value{color:var(--warn)}
table{border-collapse:collapse;width:100%;margin:4px 0 8px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--head);font-weight:600;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.bad,span.bad{background:var(--bad-bg);color:var(--bad)}td.warn{background:var(--warn-bg);color:var(--warn)}
tr.waived td{color:var(--muted);text-decoration:line-through}
details.form{border:1px solid var(--line);border-radius:6px;margin:8px 0}
details.form>summary{cursor:pointer;padding:8px 12px;background:#f6f8fa;border-radius:6px}
details.form[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
details.form .body{padding:4px 12px 12px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
.tag{display:inline-block;border-radius:4px;padding:0 6px;margin-left:6px;font-size:12px;border:1px solid var(--line)}
.tag.bad{background:var(--bad-bg);color:var(--bad);border-color:var(--bad-bg)}.tag.warn{background:var(--warn-bg);color:var(--warn);border-color:var(--warn-bg)}
button{font:inherit;padding:2px 10px;margin-right:6px}
svg text{font-family:inherit}
svg{max-width:100%;height:auto}
@page{size:A4 landscape;margin:12mm}
@media print{button{display:none}body{max-width:none;padding:0;font-size:11px}a{color:inherit;text-decoration:none}thead{display:table-header-group}tr,details.form,svg{break-inside:avoid}h2,h3{break-after:avoid}}
"#;

const SCRIPT: &str = r#"
(function () {
  var forms = document.querySelectorAll("details.form");
  function setAll(open) { for (var i = 0; i < forms.length; i++) { forms[i].open = open; } }
  var expand = document.getElementById("expand-all"), collapse = document.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setAll(false); }); }
  function openTarget() {
    var el = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  window.addEventListener("beforeprint", function () { setAll(true); });
  openTarget();
  document.body.setAttribute("data-ready", "1");
})();
"#;

/// Forms up to which the report is one self-contained page with every form's detail; beyond
/// it the page holds bounded aggregates and the worst forms, and the details go to pages of
/// [`DETAIL_FORMS`] forms in a folder beside it ([`Details`]).
pub const SINGLE_PAGE_FORMS: usize = 200;
/// Forms on one detail page of a corpus report.
pub const DETAIL_FORMS: usize = 100;
/// Forms the worst-forms table of a corpus report lists.
pub const WORST_FORMS: usize = 100;
/// Departments the department table lists (most forms first); the rest are summed in one row.
pub const DEPARTMENTS: usize = 50;

/// The folder of the detail pages of the report page `page` (a file name): `page.d`.
pub fn detail_folder_name(page: &str) -> String {
    format!("{page}.d")
}

/// Writes one file of a detail folder: its name and bytes.
pub type PageWriter = Box<dyn FnMut(&str, &[u8]) -> std::io::Result<()> + Send>;

/// Where the detail pages of a corpus report go: the folder beside the page, and a writer of
/// each of its files.
pub struct Details {
    /// The folder's name as the page links it (relative to the page), e.g. `报告.html.d`.
    pub folder: String,
    /// The page's own file name, for the detail pages' link back.
    pub page: String,
    /// Writes one file of the folder: its name and bytes.
    pub write: PageWriter,
}

/// Bounded aggregates of a report: counts, sums, grades, findings by code, departments and the
/// distribution of computed − reported totals. Their size depends on the codes, grades and
/// departments met, never on the number of forms.
struct Aggregates {
    forms: usize,
    with_errors: usize,
    mismatched: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    waived: usize,
    decisions: usize,
    /// Sum of computed totals; `None` once it leaves the decimal range.
    total_sum: Option<Decimal>,
    grades: Vec<(String, usize)>,
    codes: BTreeMap<String, CodeStats>,
    departments: BTreeMap<String, DepartmentStats>,
    /// Forms by computed − reported total, in the bins of [`DIFFERENCE_BINS`]; the last counts
    /// forms that state no total.
    differences: [usize; DIFFERENCE_BINS.len() + 1],
}

/// A bin of a distribution: its label and whether a value falls in it.
type Bin = (&'static str, fn(Decimal) -> bool);

/// Bins of computed − reported totals: the label and the test of each.
const DIFFERENCE_BINS: [Bin; 9] = [
    ("≤ −10", |d| d <= Decimal::from(-10)),
    ("−10 ~ −5", |d| d > Decimal::from(-10) && d <= Decimal::from(-5)),
    ("−5 ~ −1", |d| d > Decimal::from(-5) && d <= Decimal::from(-1)),
    ("−1 ~ 0", |d| d > Decimal::from(-1) && d < Decimal::ZERO),
    ("0（一致）", |d| d.is_zero()),
    ("0 ~ 1", |d| d > Decimal::ZERO && d < Decimal::ONE),
    ("1 ~ 5", |d| d >= Decimal::ONE && d < Decimal::from(5)),
    ("5 ~ 10", |d| d >= Decimal::from(5) && d < Decimal::from(10)),
    ("≥ 10", |d| d >= Decimal::from(10)),
];

#[derive(Default)]
struct DepartmentStats {
    forms: usize,
    with_errors: usize,
    mismatched: usize,
    total_sum: Option<Decimal>,
}

impl Aggregates {
    fn new() -> Self {
        Self {
            forms: 0,
            with_errors: 0,
            mismatched: 0,
            errors: 0,
            warnings: 0,
            infos: 0,
            waived: 0,
            decisions: 0,
            total_sum: Some(Decimal::ZERO),
            grades: GRADE_ORDER.iter().map(|g| ((*g).to_owned(), 0)).collect(),
            codes: BTreeMap::new(),
            departments: BTreeMap::new(),
            differences: [0; DIFFERENCE_BINS.len() + 1],
        }
    }

    fn add(&mut self, c: &Scorecard) {
        let errors = c.count(Severity::Error);
        let mismatched = differs(Some(c.total.score), c.total.reported);
        self.forms += 1;
        self.with_errors += usize::from(errors > 0);
        self.mismatched += usize::from(mismatched);
        self.errors += errors;
        self.warnings += c.count(Severity::Warning);
        self.infos += c.count(Severity::Info);
        self.waived += waived_count(c);
        self.decisions += c.decisions.len();
        self.total_sum = self.total_sum.and_then(|s| s.checked_add(c.total.score));
        match self.grades.iter_mut().find(|(g, _)| *g == c.grade) {
            Some((_, k)) => *k += 1,
            None => self.grades.push((c.grade.clone(), 1)),
        }
        let mut met: BTreeSet<&str> = BTreeSet::new();
        for f in &c.findings {
            let s = match self.codes.get_mut(f.code.as_str()) {
                Some(s) => s,
                None => self.codes.entry(f.code.clone()).or_default(),
            };
            s.severity = s.severity.max(Some(f.severity));
            if f.waived {
                s.waived += 1;
            } else {
                s.unwaived += 1;
            }
            if met.insert(f.code.as_str()) {
                s.forms += 1;
            }
            if s.example.is_empty() {
                s.example.clone_from(&f.message);
                s.title.clone_from(&f.title);
            }
        }
        let department = c.department.as_deref().unwrap_or("（未填写）");
        let d = match self.departments.get_mut(department) {
            Some(d) => d,
            None => self
                .departments
                .entry(department.to_owned())
                .or_insert_with(|| DepartmentStats {
                    total_sum: Some(Decimal::ZERO),
                    ..DepartmentStats::default()
                }),
        };
        d.forms += 1;
        d.with_errors += usize::from(errors > 0);
        d.mismatched += usize::from(mismatched);
        d.total_sum = d.total_sum.and_then(|s| s.checked_add(c.total.score));
        let bin = c
            .total
            .reported
            .and_then(|r| c.total.score.checked_sub(r))
            .and_then(|d| DIFFERENCE_BINS.iter().position(|(_, within)| within(d)))
            .unwrap_or(DIFFERENCE_BINS.len());
        if let Some(k) = self.differences.get_mut(bin) {
            *k += 1;
        }
    }
}

/// A form of the worst-forms table, and how it ranks: most errors first, then the largest
/// difference between computed and reported total, then input order.
struct Ranked {
    n: usize,
    errors: usize,
    gap: Decimal,
    /// The summary row, rendered once it ranks.
    row: String,
}

impl Ranked {
    fn before(&self, other: &Ranked) -> bool {
        (other.errors, other.gap, self.n) < (self.errors, self.gap, other.n)
    }
}

/// The HTML report written as the scorecards arrive (see the module's header): up to
/// [`SINGLE_PAGE_FORMS`] forms it is one page with every detail, as for a handful of forms;
/// past that, each form's detail goes to the folder beside the page as it comes, and the page
/// holds aggregates and the [`WORST_FORMS`] worst forms, linked to their details.
pub struct HtmlWriter {
    details: Option<Details>,
    stats: Aggregates,
    /// The first cards, while the report may still be one page.
    held: Vec<Scorecard>,
    /// Corpus: the detail page being filled, and the forms on it.
    page: String,
    on_page: usize,
    /// Corpus: each detail page written (file name, first and last form, SHA-256).
    pages: Vec<(String, usize, usize, String)>,
    worst: Vec<Ranked>,
}

impl HtmlWriter {
    /// A report whose detail pages, for a corpus, go to `details`.
    pub fn new(details: Option<Details>) -> Self {
        Self {
            details,
            stats: Aggregates::new(),
            held: Vec::new(),
            page: String::new(),
            on_page: 0,
            pages: Vec::new(),
            worst: Vec::new(),
        }
    }

    /// Adds the next form.
    pub fn add(&mut self, card: &Scorecard) -> Result<(), RenderError> {
        self.stats.add(card);
        if self.stats.forms <= SINGLE_PAGE_FORMS {
            self.held.push(card.clone());
            return Ok(());
        }
        if self.details.is_none() {
            return Err(RenderError::HtmlNeedsFolder(SINGLE_PAGE_FORMS));
        }
        // The report is a corpus: the forms held so far go to detail pages first.
        for (n, held) in (1..).zip(std::mem::take(&mut self.held)) {
            self.detail(n, &held)?;
        }
        self.detail(self.stats.forms, card)
    }

    /// Adds form `n` to the current detail page (writing the page when it is full) and to the
    /// worst forms, if it ranks.
    fn detail(&mut self, n: usize, card: &Scorecard) -> Result<(), RenderError> {
        form(&mut self.page, n, card);
        self.on_page += 1;
        if self.on_page == DETAIL_FORMS {
            self.write_page(n)?;
        }
        let ranked = Ranked {
            n,
            errors: card.count(Severity::Error),
            gap: card
                .total
                .reported
                .and_then(|r| card.total.score.checked_sub(r))
                .map_or(Decimal::ZERO, |d| d.abs()),
            row: String::new(),
        };
        if self.worst.len() < WORST_FORMS || self.worst.last().is_some_and(|last| ranked.before(last)) {
            let at = self
                .worst
                .iter()
                .position(|w| ranked.before(w))
                .unwrap_or(self.worst.len());
            let link = format!("{}#form-{n}", self.page_link(n));
            let mut row = String::new();
            summary_row(&mut row, n, card, &link);
            self.worst.insert(at, Ranked { row, ..ranked });
            self.worst.truncate(WORST_FORMS);
        }
        Ok(())
    }

    /// The link from the page to the detail page of form `n`.
    fn page_link(&self, n: usize) -> String {
        let folder = self.details.as_ref().map_or("", |d| d.folder.as_str());
        format!("{folder}/{}", page_name(n))
    }

    /// Writes the detail page that ends with form `last`.
    fn write_page(&mut self, last: usize) -> Result<(), RenderError> {
        let first = last + 1 - self.on_page;
        let name = page_name(first);
        let back = self.details.as_ref().map_or(String::new(), |d| d.page.clone());
        let mut out = String::new();
        head(&mut out, &format!("逐表明细：第 {first}–{last} 张"));
        let _ = writeln!(
            out,
            "<p><a id=\"back\" href=\"../{}\">← 返回汇总</a> · <a href=\"index.html\">全部明细页</a></p>",
            escape(&back)
        );
        out.push_str(
            "<p><button type=\"button\" id=\"expand-all\">全部展开</button>\
             <button type=\"button\" id=\"collapse-all\">全部收起</button></p>\n",
        );
        out.push_str(&std::mem::take(&mut self.page));
        foot(&mut out);
        let bytes = visible::visible(&out).into_owned().into_bytes();
        if let Some(details) = &mut self.details {
            (details.write)(&name, &bytes)?;
        }
        self.pages.push((name, first, last, sha256_hex(&bytes)));
        self.on_page = 0;
        Ok(())
    }

    /// Writes the last detail page and the folder's index (a corpus), then the page to `sink`.
    pub fn finish(mut self, sink: &mut dyn std::io::Write) -> Result<(), RenderError> {
        let corpus = self.stats.forms > SINGLE_PAGE_FORMS;
        if corpus && self.on_page > 0 {
            self.write_page(self.stats.forms)?;
        }
        // The index is written first: the page links it with its SHA-256.
        let index_sha256 = if corpus { self.write_index()? } else { String::new() };
        let mut out = String::new();
        head(&mut out, "绩效自评表评分结果");
        out.push_str(
            "<p class=\"muted\">“计算”为按规则集重新计算的数，“填报”为表中填写的数；\
             <span class=\"bad\">红底</span>表示两者不一致。发现数不含已豁免的发现。</p>\n",
        );
        overview(&mut out, &self.stats);
        if corpus {
            let _ = writeln!(
                out,
                "<h2 id=\"worst\">最需要查看的 {} 张表</h2>\n<p class=\"muted\">按错误数、计算与填报总分之差排列；\
                 全部 {} 张表的明细在<a id=\"details-index\" href=\"{}/index.html\" data-sha256=\"{index_sha256}\">明细页</a>\
                 （每页 {DETAIL_FORMS} 张）。</p>",
                self.worst.len(),
                self.stats.forms,
                escape(self.details.as_ref().map_or("", |d| d.folder.as_str())),
            );
            summary_head(&mut out);
            for w in &self.worst {
                out.push_str(&w.row);
            }
            out.push_str("</tbody>\n</table>\n");
        } else {
            summary_head(&mut out);
            for (n, c) in (1..).zip(&self.held) {
                summary_row(&mut out, n, c, &format!("#form-{n}"));
            }
            out.push_str("</tbody>\n</table>\n");
        }
        grade_chart(&mut out, &self.stats.grades);
        difference_chart(&mut out, &self.stats.differences);
        departments(&mut out, &self.stats.departments);
        findings_by_code(&mut out, &self.stats.codes);
        if !corpus {
            out.push_str("<h2 id=\"forms\">逐表明细</h2>\n");
            out.push_str(
                "<p><button type=\"button\" id=\"expand-all\">全部展开</button>\
                 <button type=\"button\" id=\"collapse-all\">全部收起</button></p>\n",
            );
            for (n, card) in (1..).zip(&self.held) {
                form(&mut out, n, card);
            }
        }
        foot(&mut out);
        sink.write_all(visible::visible(&out).as_bytes())?;
        Ok(())
    }

    /// Writes the folder's index: every detail page with its forms and SHA-256 (so the page's
    /// own hash, which covers the index's, covers every detail page); gives the index's SHA-256.
    fn write_index(&mut self) -> Result<String, RenderError> {
        let mut out = String::new();
        head(&mut out, "逐表明细页");
        let back = self.details.as_ref().map_or(String::new(), |d| d.page.clone());
        let _ = writeln!(
            out,
            "<p><a id=\"back\" href=\"../{}\">← 返回汇总</a></p>\n<ul id=\"pages\">",
            escape(&back)
        );
        for (name, first, last, sha256) in &self.pages {
            let _ = writeln!(
                out,
                "<li><a href=\"{name}\" data-sha256=\"{sha256}\">第 {first}–{last} 张</a></li>"
            );
        }
        out.push_str("</ul>\n");
        foot(&mut out);
        let bytes = visible::visible(&out).into_owned().into_bytes();
        if let Some(details) = &mut self.details {
            (details.write)("index.html", &bytes)?;
        }
        Ok(sha256_hex(&bytes))
    }
}

/// File name of the detail page holding form `n`.
fn page_name(n: usize) -> String {
    format!(
        "forms-{:06}.html",
        (n.saturating_sub(1) / DETAIL_FORMS) * DETAIL_FORMS + 1
    )
}

/// The document's head and title.
fn head(out: &mut String, title: &str) {
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<meta name=\"generator\" content=\"jixiao {}\">",
        env!("CARGO_PKG_VERSION")
    );
    let _ = write!(out, "<title>{}</title>\n<style>", escape(title));
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body data-ready=\"0\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(title));
}

/// The closing line, the script and the end of the document.
fn foot(out: &mut String) {
    let _ = writeln!(
        out,
        "<p class=\"muted\">由 jixiao {} 生成。</p>",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
}

fn stat(out: &mut String, id: &str, label: &str, value: &str, class: &str) {
    let _ = writeln!(
        out,
        "<div class=\"{class}\"><span class=\"label\">{label}</span>\
         <span class=\"value\" id=\"{id}\" data-value=\"{v}\">{v}</span></div>",
        v = escape(value),
        class = if class.is_empty() {
            "stat".to_owned()
        } else {
            format!("stat {class}")
        },
    );
}

fn overview(out: &mut String, s: &Aggregates) {
    // None also when the totals' sum leaves the decimal range (shown as "—").
    let mean = (s.forms > 0)
        .then_some(s.total_sum)
        .flatten()
        .and_then(|total| total.checked_div(Decimal::from(s.forms)))
        .map(half_up);
    let class = |n: usize, tone: &'static str| if n > 0 { tone } else { "" };
    out.push_str("<h2 id=\"overview\">概况</h2>\n<div class=\"stats\">\n");
    stat(out, "count-forms", "自评表", &s.forms.to_string(), "");
    stat(
        out,
        "count-forms-with-errors",
        "有错误的表",
        &s.with_errors.to_string(),
        class(s.with_errors, "bad"),
    );
    stat(
        out,
        "count-total-mismatch",
        "总分与填报不一致",
        &s.mismatched.to_string(),
        class(s.mismatched, "bad"),
    );
    stat(
        out,
        "count-errors",
        "错误",
        &s.errors.to_string(),
        class(s.errors, "bad"),
    );
    stat(
        out,
        "count-warnings",
        "警告",
        &s.warnings.to_string(),
        class(s.warnings, "warn"),
    );
    stat(out, "count-infos", "提示", &s.infos.to_string(), "");
    stat(out, "count-waived", "已豁免", &s.waived.to_string(), "");
    stat(out, "count-decisions", "审核决定", &s.decisions.to_string(), "");
    stat(out, "mean-total", "平均总分（计算）", &dec(mean), "");
    out.push_str("</div>\n");
}

fn summary_head(out: &mut String) {
    out.push_str(
        "<table id=\"summary\">\n<thead><tr><th rowspan=\"2\">序号</th><th rowspan=\"2\">项目</th>\
         <th rowspan=\"2\">主管部门</th><th rowspan=\"2\">年度</th><th rowspan=\"2\">规则集</th>\
         <th colspan=\"2\">预算执行得分</th><th colspan=\"2\">总分</th><th rowspan=\"2\">等级</th>\
         <th colspan=\"3\">发现</th></tr>\n<tr><th>计算</th><th>填报</th><th>计算</th><th>填报</th>\
         <th>错误</th><th>警告</th><th>提示</th></tr></thead>\n<tbody>\n",
    );
}

/// One form's row of the summary table, its project linking to `link` (its detail).
fn summary_row(out: &mut String, n: usize, c: &Scorecard, link: &str) {
    let funds_bad = differs(c.budget.score, c.budget.reported_score);
    let total_bad = differs(Some(c.total.score), c.total.reported);
    let _ = write!(
        out,
        "<tr id=\"s{n}\" data-doc=\"{}\"><td class=\"num\">{n}</td><td><a href=\"{}\">{}</a></td>\
         <td>{}</td><td class=\"num\">{}</td><td>{}</td>",
        escape(&c.id),
        escape(link),
        escape(&c.project),
        escape(c.department.as_deref().unwrap_or("—")),
        c.year,
        escape(&c.ruleset),
    );
    out.push_str(&num_td(Some(format!("s{n}-funds")), &dec(c.budget.score), funds_bad));
    out.push_str(&num_td(None, &dec(c.budget.reported_score), funds_bad));
    out.push_str(&num_td(
        Some(format!("s{n}-total")),
        &c.total.score.to_string(),
        total_bad,
    ));
    out.push_str(&num_td(
        Some(format!("s{n}-total-reported")),
        &dec(c.total.reported),
        total_bad,
    ));
    let grade_class = if grade_differs(c) { " class=\"bad\"" } else { "" };
    let _ = write!(out, "<td id=\"s{n}-grade\"{grade_class}>{}</td>", escape(&c.grade));
    for (key, severity, tone) in [
        ("errors", Severity::Error, "bad"),
        ("warnings", Severity::Warning, "warn"),
        ("infos", Severity::Info, ""),
    ] {
        let k = c.count(severity);
        let class = if k > 0 && !tone.is_empty() {
            format!("num {tone}")
        } else {
            "num".to_owned()
        };
        let _ = write!(out, "<td class=\"{class}\" id=\"s{n}-{key}\">{k}</td>");
    }
    out.push_str("</tr>\n");
}

/// Grades in the order the shipped rule sets define them; others follow in order of appearance.
const GRADE_ORDER: [&str; 4] = ["优", "良", "中", "差"];

fn grade_chart(out: &mut String, grades: &[(String, usize)]) {
    out.push_str("<h2 id=\"grades\">等级分布（按计算总分）</h2>\n");
    bar_chart(
        out,
        ("grade-chart", "等级分布", "grade"),
        grades.iter().map(|(g, k)| (g.as_str(), *k)),
    );
}

fn difference_chart(out: &mut String, differences: &[usize]) {
    out.push_str(
        "<h2 id=\"differences\">总分差额分布（计算−填报）</h2>\n<p class=\"muted\">每张表按规则集重新计算的总分减去表中填报的总分；\
         “未填报”为表中没有填写总分。</p>\n",
    );
    let labels = DIFFERENCE_BINS.iter().map(|(label, _)| *label).chain(["未填报"]);
    bar_chart(
        out,
        ("difference-chart", "总分差额分布", "bin"),
        labels.zip(differences.iter().copied()),
    );
}

/// A bar chart in inline SVG: `(id, title, attribute)` name the chart, its title and the `data-`
/// attribute that holds each bar's label.
fn bar_chart<'a>(
    out: &mut String,
    (id, title, attribute): (&str, &str, &str),
    bars: impl Iterator<Item = (&'a str, usize)>,
) {
    let bars: Vec<(&str, usize)> = bars.collect();
    let max = bars.iter().map(|(_, k)| *k).max().unwrap_or(0).max(1);
    let (bar, gap, top, plot) = (56usize, 28usize, 24usize, 160usize);
    let width = gap + bars.len() * (bar + gap);
    let height = top + plot + 28;
    let _ = writeln!(
        out,
        "<svg id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n<title id=\"{id}-title\">{title}</title>"
    );
    let _ = writeln!(
        out,
        "<line x1=\"0\" y1=\"{y}\" x2=\"{width}\" y2=\"{y}\" stroke=\"#57606a\"/>",
        y = top + plot
    );
    for (i, (label, k)) in bars.iter().enumerate() {
        let x = gap + i * (bar + gap);
        let h = plot * k / max;
        let y = top + plot - h;
        let g = escape(label);
        let _ = writeln!(
            out,
            "<g class=\"bar\" data-{attribute}=\"{g}\" data-count=\"{k}\"><rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" \
             height=\"{h}\" fill=\"#4f81bd\"/><text x=\"{cx}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"14\">{k}</text>\
             <text x=\"{cx}\" y=\"{ly}\" text-anchor=\"middle\" font-size=\"14\">{g}</text></g>",
            cx = x + bar / 2,
            ty = y.saturating_sub(6).max(14),
            ly = top + plot + 20,
        );
    }
    out.push_str("</svg>\n");
}

fn departments(out: &mut String, departments: &BTreeMap<String, DepartmentStats>) {
    let mut rows: Vec<(&String, &DepartmentStats)> = departments.iter().collect();
    rows.sort_by(|a, b| b.1.forms.cmp(&a.1.forms).then(a.0.cmp(b.0)));
    out.push_str("<h2 id=\"departments\">按主管部门</h2>\n");
    let shown = rows.len().min(DEPARTMENTS);
    if rows.len() > shown {
        let _ = writeln!(
            out,
            "<p class=\"muted\">共 {} 个主管部门，列出表数最多的 {shown} 个，其余合为一行。</p>",
            rows.len()
        );
    }
    out.push_str(
        "<table id=\"departments-table\">\n<thead><tr><th>主管部门</th><th>自评表</th><th>有错误的表</th>\
         <th>总分与填报不一致</th><th>平均总分（计算）</th></tr></thead>\n<tbody>\n",
    );
    let row = |out: &mut String, name: &str, d: &DepartmentStats| {
        let mean = d
            .total_sum
            .filter(|_| d.forms > 0)
            .and_then(|t| t.checked_div(Decimal::from(d.forms)))
            .map(half_up);
        let _ = writeln!(
            out,
            "<tr data-department=\"{name}\" data-count=\"{forms}\"><td>{name}</td><td class=\"num\">{forms}</td>\
             <td class=\"num{eb}\">{e}</td><td class=\"num{mb}\">{m}</td><td class=\"num\">{mean}</td></tr>",
            name = escape(name),
            forms = d.forms,
            e = d.with_errors,
            eb = if d.with_errors > 0 { " bad" } else { "" },
            m = d.mismatched,
            mb = if d.mismatched > 0 { " bad" } else { "" },
            mean = dec(mean),
        );
    };
    for (name, d) in rows.iter().take(shown) {
        row(out, name, d);
    }
    if rows.len() > shown {
        let mut rest = DepartmentStats {
            total_sum: Some(Decimal::ZERO),
            ..DepartmentStats::default()
        };
        for (_, d) in rows.iter().skip(shown) {
            rest.forms += d.forms;
            rest.with_errors += d.with_errors;
            rest.mismatched += d.mismatched;
            rest.total_sum = rest.total_sum.zip(d.total_sum).and_then(|(a, b)| a.checked_add(b));
        }
        row(out, &format!("其余 {} 个部门", rows.len() - shown), &rest);
    }
    out.push_str("</tbody>\n</table>\n");
}

#[derive(Default)]
struct CodeStats {
    severity: Option<Severity>,
    unwaived: usize,
    waived: usize,
    /// Forms with the code.
    forms: usize,
    title: String,
    example: String,
}

fn findings_by_code(out: &mut String, codes: &BTreeMap<String, CodeStats>) {
    let mut rows: Vec<(&String, &CodeStats)> = codes.iter().collect();
    rows.sort_by(|a, b| b.1.severity.cmp(&a.1.severity).then(a.0.cmp(b.0)));
    out.push_str("<h2 id=\"codes\">发现（按代码）</h2>\n");
    if rows.is_empty() {
        out.push_str("<p>没有发现。</p>\n");
        return;
    }
    out.push_str(
        "<table id=\"codes-table\">\n<thead><tr><th>代码</th><th>标题</th><th>严重程度</th><th>次数</th>\
         <th>涉及表数</th><th>已豁免</th><th>示例</th></tr></thead>\n<tbody>\n",
    );
    for (code, s) in rows {
        let (label, class) = match s.severity {
            Some(Severity::Error) => ("错误", " class=\"bad\""),
            Some(Severity::Warning) => ("警告", " class=\"warn\""),
            _ => ("提示", ""),
        };
        let code = escape(code);
        let _ = writeln!(
            out,
            "<tr id=\"code-{code}\" data-count=\"{u}\"><td>{code}</td><td>{title}</td><td{class}>{label}</td>\
             <td class=\"num\">{u}</td><td class=\"num\">{forms}</td><td class=\"num\">{w}</td><td>{ex}</td></tr>",
            title = escape(&s.title),
            u = s.unwaived,
            forms = s.forms,
            w = s.waived,
            ex = escape(&s.example),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn form(out: &mut String, n: usize, c: &Scorecard) {
    let (e, w, i) = (
        c.count(Severity::Error),
        c.count(Severity::Warning),
        c.count(Severity::Info),
    );
    let total_bad = differs(Some(c.total.score), c.total.reported);
    let _ = write!(
        out,
        "<details class=\"form\" id=\"form-{n}\" data-doc=\"{}\"{}>\n<summary><b>{n}. {}</b>（{}）· 总分 \
         <span id=\"f{n}-total\"{}>{}</span> · 等级 <span id=\"f{n}-grade\">{}</span>",
        escape(&c.id),
        // Forms with something to fix or a reviewer decision open by default: what a reviewer
        // reads first.
        if e + w > 0 || !c.decisions.is_empty() {
            " open"
        } else {
            ""
        },
        escape(&c.project),
        c.year,
        if total_bad { " class=\"bad\"" } else { "" },
        c.total.score,
        escape(&c.grade),
    );
    let _ = write!(
        out,
        "<span class=\"tag{}\">错误 <span id=\"f{n}-errors\">{e}</span></span>\
         <span class=\"tag{}\">警告 <span id=\"f{n}-warnings\">{w}</span></span>\
         <span class=\"tag\">提示 <span id=\"f{n}-infos\">{i}</span></span></summary>\n<div class=\"body\">\n",
        if e > 0 { " bad" } else { "" },
        if w > 0 { " warn" } else { "" },
    );
    let _ = writeln!(
        out,
        "<dl class=\"meta\"><dt>文档编号</dt><dd>{}</dd><dt>主管部门</dt><dd>{}</dd><dt>年度</dt><dd>{}</dd>\
         <dt>地区</dt><dd>{}</dd><dt>规则集</dt><dd id=\"f{n}-ruleset\">{}</dd></dl>",
        escape(&c.id),
        escape(c.department.as_deref().unwrap_or("—")),
        c.year,
        escape(c.region.as_deref().unwrap_or("—")),
        escape(&c.ruleset),
    );

    let b = &c.budget;
    let funds_bad = differs(b.score, b.reported_score);
    out.push_str(
        "<h3>预算执行</h3>\n<table>\n<thead><tr><th>全年预算数</th><th>全年执行数</th><th>执行率（计算）</th>\
         <th>执行率（填报）</th><th>分值</th><th>得分（计算）</th><th>得分（填报）</th></tr></thead>\n<tbody><tr>",
    );
    out.push_str(&num_td(None, &amount(b.budget), false));
    out.push_str(&num_td(None, &amount(b.executed), false));
    out.push_str(&num_td(None, &percent(b.rate), false));
    out.push_str(&num_td(None, &percent(b.reported_rate), false));
    out.push_str(&num_td(None, &b.weight.to_string(), false));
    out.push_str(&num_td(Some(format!("f{n}-funds")), &dec(b.score), funds_bad));
    out.push_str(&num_td(
        Some(format!("f{n}-funds-reported")),
        &dec(b.reported_score),
        funds_bad,
    ));
    out.push_str("</tr></tbody>\n</table>\n");

    out.push_str(
        "<h3>绩效指标</h3>\n<table>\n<thead><tr><th>一级指标</th><th>二级指标</th><th>三级指标</th>\
         <th>目标值</th><th>实际值</th><th>分值</th><th>计算得分</th><th>填报得分</th><th>计入总分</th>\
         <th>计分方式</th></tr></thead>\n<tbody>\n",
    );
    for ind in &c.indicators {
        let bad = differs(ind.score, ind.reported_score);
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            escape(&ind.level1),
            escape(ind.level2.as_deref().unwrap_or("")),
            escape(&ind.name),
            escape(&ind.target),
            escape(&ind.actual),
        );
        out.push_str(&num_td(None, &dec(ind.weight), false));
        out.push_str(&num_td(None, &dec(ind.score), bad));
        out.push_str(&num_td(None, &dec(ind.reported_score), bad));
        out.push_str(&num_td(None, &ind.counted.to_string(), false));
        let _ = writeln!(out, "<td>{}</td></tr>", ind.kind.label());
    }
    out.push_str("</tbody>\n</table>\n");

    let grade_bad = grade_differs(c);
    let _ = writeln!(
        out,
        "<h3>总分</h3>\n<table>\n<thead><tr><th>总分（计算）</th><th>总分（填报）</th><th>等级（计算）</th>\
         <th>等级（填报）</th></tr></thead>\n<tbody><tr>{}{}<td{gc}>{}</td><td{gc}>{}</td></tr></tbody>\n</table>",
        num_td(None, &c.total.score.to_string(), total_bad),
        num_td(Some(format!("f{n}-total-reported")), &dec(c.total.reported), total_bad),
        escape(&c.grade),
        escape(c.grade_reported.as_deref().unwrap_or("—")),
        gc = if grade_bad { " class=\"bad\"" } else { "" },
    );

    if !c.decisions.is_empty() {
        let _ = writeln!(out, "<h3>审核决定（{} 条）</h3>", c.decisions.len());
        out.push_str(
            "<table class=\"decisions\">\n<thead><tr><th>决定</th><th>内容</th><th>单元格</th><th>理由</th>\
             <th>审核人</th><th>日期</th><th>决定所在位置</th></tr></thead>\n<tbody>\n",
        );
        for d in &c.decisions {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                d.kind.label(),
                escape(&d.summary()),
                d.at.map(|at| at.a1()).unwrap_or_default(),
                escape(&d.reason),
                escape(&d.reviewer),
                escape(&d.date),
                escape(&d.source),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let _ = writeln!(
        out,
        "<h3>发现（{} 条，其中已豁免 {} 条）</h3>",
        c.findings.len(),
        waived_count(c)
    );
    if c.findings.is_empty() {
        out.push_str("<p>没有发现。</p>\n");
    } else {
        out.push_str(
            "<table>\n<thead><tr><th>代码</th><th>严重程度</th><th>指标或区块</th><th>单元格</th>\
             <th>说明</th><th>已豁免</th></tr></thead>\n<tbody>\n",
        );
        for f in &c.findings {
            let class = match (f.severity, f.waived) {
                (Severity::Error, false) => " class=\"bad\"",
                (Severity::Warning, false) => " class=\"warn\"",
                _ => "",
            };
            let _ = writeln!(
                out,
                "<tr{}><td>{}</td><td{class}>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if f.waived { " class=\"waived\"" } else { "" },
                escape(&f.code),
                f.severity.label(),
                escape(&finding_place(f)),
                f.at.map(|at| at.a1()).unwrap_or_default(),
                escape(&f.message),
                if f.waived { "是" } else { "否" },
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</div>\n</details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    /// The report of `n` copies of one scored form, and the detail files it wrote.
    fn report_of(n: usize) -> (String, Vec<(String, String)>) {
        let doc: crate::model::document::EvaluationDocument =
            serde_json::from_str(include_str!("../../tests/fixtures/documents/minimal.json")).unwrap();
        let rules = crate::policy::RuleSet::load(crate::policy::embedded::files("shenzhen-2020").unwrap()).unwrap();
        let card = crate::engine::scoring::score_document(&rules, &doc).unwrap();
        let files = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let written = std::sync::Arc::clone(&files);
        let mut writer = HtmlWriter::new(Some(Details {
            folder: "r.html.d".to_owned(),
            page: "r.html".to_owned(),
            write: Box::new(move |name, bytes| {
                written
                    .lock()
                    .unwrap()
                    .push((name.to_owned(), String::from_utf8(bytes.to_vec()).unwrap()));
                Ok(())
            }),
        }));
        for _ in 0..n {
            writer.add(&card).unwrap();
        }
        let mut page = Vec::new();
        writer.finish(&mut page).unwrap();
        let files = files.lock().unwrap().clone();
        (String::from_utf8(page).unwrap(), files)
    }

    /// Up to [`SINGLE_PAGE_FORMS`] forms the report is one page with every form; one more and
    /// the details go to pages of [`DETAIL_FORMS`] forms (the last one short) and an index.
    #[test]
    fn one_page_up_to_the_limit_then_detail_pages() {
        let (page, files) = report_of(SINGLE_PAGE_FORMS);
        assert!(files.is_empty());
        assert!(page.contains(&format!("id=\"form-{SINGLE_PAGE_FORMS}\"")));
        assert!(!page.contains("r.html.d/"));

        let (page, files) = report_of(SINGLE_PAGE_FORMS + 1);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "forms-000001.html",
                "forms-000101.html",
                "forms-000201.html",
                "index.html"
            ]
        );
        assert!(!page.contains("<details"), "no form detail on the summary page");
        assert!(page.contains("href=\"r.html.d/index.html\""));
        let last = &files[2].1;
        assert!(last.contains("id=\"form-201\"") && !last.contains("id=\"form-200\""));
        assert!(files[0].1.contains("id=\"form-1\"") && files[0].1.contains("id=\"form-100\""));
        // Every form ranks alike, so the worst 100 are the first 100, in input order.
        assert_eq!(page.matches("<tr id=\"s").count(), WORST_FORMS);
        assert!(page.contains("href=\"r.html.d/forms-000001.html#form-1\""));
        assert!(!page.contains("#form-101\""));
        // The index names each page's forms and SHA-256, and the page the index's.
        let index = &files[3].1;
        assert!(index.contains(&format!("data-sha256=\"{}\"", sha256_hex(files[1].1.as_bytes()))));
        assert!(page.contains(&format!("data-sha256=\"{}\"", sha256_hex(index.as_bytes()))));
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn formats_money_and_rates() {
        assert_eq!(amount(Some(dec!(1190000))), "1,190,000.00");
        assert_eq!(amount(Some(dec!(-1234.5))), "-1,234.50");
        assert_eq!(amount(Some(dec!(999.999))), "1,000.00");
        assert_eq!(percent(Some(dec!(0.98))), "98.00%");
        assert_eq!(percent(Some(dec!(0.983193))), "98.32%");
    }
}
