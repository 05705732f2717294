//! The workbench's pages, server-rendered with maud (checked at compile time, escaped by
//! default). Every number shown is a field of a [`Scorecard`] or a line of an
//! [`Explanation`](crate::engine::explain::Explanation) rendered by `explain`'s own
//! [`render_text`](crate::engine::explain::render_text): the pages format, they never compute.
//!
//! Numbers that have a derivation are links (`/explain?…`), so they are reachable by keyboard
//! and work without script; `app.js` opens them in the side panel instead.

use maud::{DOCTYPE, Markup, html};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::engine::scoring::Scorecard;
use crate::model::findings::{Finding, Severity};
use crate::report::{dec, differs, finding_place, percent};
use crate::serve::state::{Form, Workbench};

/// A page: the header with its navigation, then `body`.
pub fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · jixiao 工作台" }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body {
                header {
                    a.brand href="/" { "jixiao 工作台" }
                    nav aria-label="主菜单" { a href="/" { "评分" } " " a href="/rules" { "规则集" } }
                }
                main { (body) }
            }
        }
    }
}

/// A page saying what went wrong, with a way back.
pub fn message(title: &str, text: &str, back: &str) -> Markup {
    page(
        title,
        html! {
            h1 { (title) }
            pre.message role="alert" { (text) }
            p { a href=(back) { "返回" } }
        },
    )
}

/// The page for a request without the token.
pub fn forbidden() -> Markup {
    message(
        "需要令牌",
        "这个工作台只接受带令牌的访问：请打开启动 jixiao serve 时终端上打印的完整网址（含 ?token=…）。\n(A token is required: open the URL printed by jixiao serve.)",
        "/",
    )
}

/// A query-string value, percent-encoded.
pub fn enc(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// The filters of the scored table (all optional; empty means any).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Filter {
    /// `error`, `warning` or `info`: forms with an unwaived finding of that severity.
    #[serde(default)]
    pub severity: String,
    /// Forms with a finding of this code.
    #[serde(default)]
    pub code: String,
    /// 主管部门.
    #[serde(default)]
    pub department: String,
    /// Rule set id.
    #[serde(default)]
    pub ruleset: String,
}

/// The forms the filter keeps (with their place among all loaded forms); forms that could not
/// be scored are always shown.
pub fn shown<'a>(bench: &'a Workbench, filter: &Filter) -> Vec<(usize, &'a Form)> {
    bench
        .forms
        .iter()
        .enumerate()
        .filter(|(_, f)| f.result.as_ref().is_ok_and(|s| filter.keeps(&s.card)) || f.result.is_err())
        .collect()
}

impl Filter {
    /// The filter as a query string (for the export links).
    fn query(&self) -> String {
        [
            ("severity", &self.severity),
            ("code", &self.code),
            ("department", &self.department),
            ("ruleset", &self.ruleset),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// Whether a scored form passes the filter.
    fn keeps(&self, card: &Scorecard) -> bool {
        let severity = match self.severity.as_str() {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        };
        severity.is_none_or(|s| card.count(s) > 0)
            && (self.code.is_empty() || card.findings.iter().any(|f| f.code == self.code))
            && (self.department.is_empty() || card.department.as_deref() == Some(self.department.as_str()))
            && (self.ruleset.is_empty() || card.ruleset == self.ruleset)
    }
}

/// A `<select>` of a filter: "全部" then each choice (value, label).
fn select(name: &str, label: &str, current: &str, choices: &[(String, String)]) -> Markup {
    html! {
        label {
            (label) " "
            select name=(name) {
                option value="" selected[current.is_empty()] { "全部" }
                @for (value, text) in choices {
                    option value=(value) selected[current == value] { (text) }
                }
            }
        }
    }
}

/// The distinct values `f` gives over the scored forms, sorted.
fn distinct(bench: &Workbench, f: impl Fn(&Scorecard) -> Vec<String>) -> Vec<(String, String)> {
    let mut values: Vec<String> = bench
        .forms
        .iter()
        .filter_map(|form| form.result.as_ref().ok())
        .flat_map(|s| f(&s.card))
        .collect();
    values.sort();
    values.dedup();
    values.into_iter().map(|v| (v.clone(), v)).collect()
}

/// The main page (评分): loading files, what could not be read, the filters and the scored
/// table.
pub fn table(bench: &Workbench, filter: &Filter) -> Markup {
    let severities: Vec<(String, String)> = [Severity::Error, Severity::Warning, Severity::Info]
        .iter()
        .map(|s| (format!("{s:?}").to_lowercase(), format!("有{}", s.label())))
        .collect();
    let codes = distinct(bench, |c| c.findings.iter().map(|f| f.code.clone()).collect());
    let departments = distinct(bench, |c| c.department.iter().cloned().collect());
    let rulesets = distinct(bench, |c| vec![c.ruleset.clone()]);
    let shown = shown(bench, filter);
    let query = filter.query();
    page(
        "评分",
        html! {
            h1 { "评分" }
            section.load aria-label="读取表格" {
                div #drop.drop tabindex="0" {
                    "把自评表（TSV/CSV/xlsx）或评价文档（JSON/JSON Lines）拖到这里，或 "
                    label.button { "选择文件" input #pick-files type="file" multiple; }
                    " "
                    label.button { "选择文件夹" input #pick-folder type="file" multiple webkitdirectory; }
                }
                p #upload-status role="status" {}
                @if !bench.listed.is_empty() {
                    details {
                        summary { "表格文件夹中的文件（" (bench.listed.len()) "）" }
                        ul.files {
                            @for name in &bench.listed {
                                li {
                                    form method="post" action="/open" {
                                        input type="hidden" name="path" value=(name);
                                        button type="submit" { "重新读取" }
                                        " " (name)
                                    }
                                }
                            }
                        }
                    }
                }
                form method="post" action="/clear" { button type="submit" { "清空已读取的表" } }
            }
            @if !bench.problems.is_empty() {
                section.problems aria-label="无法读取" {
                    h2 { "无法读取（" (bench.problems.len()) "）" }
                    ul { @for p in &bench.problems { li { pre { (p) } } } }
                }
            }
            @let unmatched = bench.unmatched_decisions();
            @if !unmatched.is_empty() {
                section.problems aria-label="未生效的审核决定" {
                    h2 { "未生效的审核决定（" (unmatched.len()) "）" }
                    ul { @for d in &unmatched { li { (d.source) "：" (d.kind().label()) "，已读取的表中没有编号为“" (d.document) "”的文档" } } }
                }
            }
            form.filters method="get" action="/" {
                (select("severity", "严重程度", &filter.severity, &severities))
                (select("code", "发现代码", &filter.code, &codes))
                (select("department", "主管部门", &filter.department, &departments))
                (select("ruleset", "规则集", &filter.ruleset, &rulesets))
                button type="submit" { "筛选" }
            }
            p #count { "共 " (bench.forms.len()) " 张表，显示 " (shown.len()) " 张" }
            p.exports {
                "导出所显示的表："
                a #export-xlsx href=(format!("/export/report.xlsx?{query}")) download { "Excel 工作簿（xlsx）" } " · "
                a #export-html href=(format!("/export/report.html?{query}")) download { "网页报告（html）" }
                @if bench.settings.baseline.is_some() { " · " a #baseline-check href="/baseline" { "基线：核对与记录（全部已读取的表）" } }
            }
            table #scored {
                thead {
                    tr {
                        th { "序号" } th { "项目名称" } th { "主管部门" } th { "规则集" }
                        th.num { "预算执行" } th.num { "总分（计算）" } th.num { "总分（填报）" }
                        th { "等级" } th.num { "错误" } th.num { "警告" } th.num { "提示" }
                    }
                }
                tbody {
                    @for (i, form) in &shown {
                        @match &form.result {
                            Ok(scored) => {
                                @let c = &scored.card;
                                @let href = format!("/form?id={}", enc(&c.id));
                                tr data-id=(c.id) {
                                    td.num { (i + 1) }
                                    td { a href=(href) { (c.project) } }
                                    td { (c.department.as_deref().unwrap_or("—")) }
                                    td { (c.ruleset) }
                                    td.num { (dec(c.budget.score)) }
                                    td.num.bad[differs(Some(c.total.score), c.total.reported)] { (c.total.score) }
                                    td.num { (dec(c.total.reported)) }
                                    td { (c.grade) }
                                    td.num { (c.count(Severity::Error)) }
                                    td.num { (c.count(Severity::Warning)) }
                                    td.num { (c.count(Severity::Info)) }
                                }
                            }
                            Err(e) => {
                                tr data-id=(form.document.id) {
                                    td.num { (i + 1) }
                                    td { (form.document.project.name) }
                                    td colspan="9" { "无法评分：" (e) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A number that has a derivation: a link to it.
fn explained(id: &str, item: &str, text: &str, bad: bool) -> Markup {
    let href = format!("/explain?id={}&item={item}", enc(id));
    html! { a.num.explain.bad[bad] href=(href) data-item=(item) { (text) } }
}

/// One finding as a list item, with a button that prefills a waiver of it.
fn finding(id: &str, f: &Finding) -> Markup {
    html! {
        li.finding.(format!("{:?}", f.severity).to_lowercase()) {
            span.code { (f.code) } " "
            span.severity { (f.severity.label()) } " "
            @if f.waived { span.waived { "已豁免" } " " }
            span.place { (finding_place(f)) @if let Some(at) = &f.at { " " (at.a1()) } } "："
            (f.message)
            @if !f.waived && f.code != "D1" {
                " "
                button.waive type="button" data-document=(id) data-code=(f.code)
                    data-indicator=(f.indicator.as_deref().unwrap_or("")) { "豁免…" }
            }
        }
    }
}

/// A form: its funds and indicator tables with computed beside reported (each computed number
/// opens its derivation), the total, the findings, the reviewer decisions applied, the cells
/// the importer could not place, and the form to record a decision.
pub fn form(bench: &Workbench, form: &Form) -> Markup {
    let doc = &form.document;
    let body = match &form.result {
        Err(e) => html! { p.bad role="alert" { "无法评分：" (e) } },
        Ok(scored) => {
            let c = &scored.card;
            let b = &c.budget;
            html! {
                p.meta { "文档编号 " code #doc-id { (c.id) } " · " (c.year) " 年度 · 规则集 " (scored.rules.id) "（" (scored.rules.title) "）· 来自 " (form.file) }
                div.columns {
                    div.tables {
                        h2 { "预算执行" }
                        table #funds {
                            thead { tr { th.num { "全年预算数" } th.num { "全年执行数" } th.num { "执行率（计算）" } th.num { "执行率（填报）" } th.num { "分值" } th.num { "得分（计算）" } th.num { "得分（填报）" } } }
                            tbody { tr {
                                td.num { (dec(b.budget)) } td.num { (dec(b.executed)) }
                                td { (explained(&c.id, "budget", &percent(b.rate), differs(b.rate, b.reported_rate))) }
                                td.num { (percent(b.reported_rate)) }
                                td.num { (b.weight) }
                                td { (explained(&c.id, "budget", &dec(b.score), differs(b.score, b.reported_score))) }
                                td.num { (dec(b.reported_score)) }
                            } }
                        }
                        h2 { "绩效指标" }
                        table #indicators {
                            thead { tr { th { "一级指标" } th { "二级指标" } th { "三级指标" } th { "年度指标值" } th { "实际完成值" } th.num { "分值" } th.num { "得分（计算）" } th.num { "得分（填报）" } th { "发现" } } }
                            tbody {
                                @for (i, ind) in c.indicators.iter().enumerate() {
                                    @let path = crate::model::document::indicator_path(&ind.level1, ind.level2.as_deref(), &ind.name);
                                    tr {
                                        td { (ind.level1) } td { (ind.level2.as_deref().unwrap_or("")) } td { (ind.name) }
                                        td { (ind.target) } td { (ind.actual) }
                                        td.num { (dec(ind.weight)) }
                                        td { (explained(&c.id, &format!("i{i}"), &dec(ind.score), differs(ind.score, ind.reported_score))) }
                                        td.num { (dec(ind.reported_score)) }
                                        td { @for f in c.findings.iter().filter(|f| f.indicator.as_deref() == Some(path.as_str())) { span.code.waived[f.waived] title=(f.message) { (f.code) } " " } }
                                    }
                                }
                            }
                        }
                        h2 { "总分与等级" }
                        table #total {
                            thead { tr { th.num { "总分（计算）" } th.num { "总分（填报）" } th { "等级（计算）" } th { "等级（填报）" } } }
                            tbody { tr {
                                td { (explained(&c.id, "total", &c.total.score.to_string(), differs(Some(c.total.score), c.total.reported))) }
                                td.num { (dec(c.total.reported)) }
                                td { (c.grade) } td { (c.grade_reported.as_deref().unwrap_or("—")) }
                            } }
                        }
                        h2 { "发现（" (c.findings.len()) "）" }
                        ul #findings { @for f in &c.findings { (finding(&c.id, f)) } }
                        @if !c.decisions.is_empty() {
                            h2 { "已应用的审核决定" }
                            ul #decisions { @for d in &c.decisions {
                                li { (d.kind.label()) " " (d.field_label.as_deref().or(d.code.as_deref()).unwrap_or("")) " "
                                    @if let Some(ind) = &d.indicator { (ind) " " }
                                    @if d.old.is_some() || d.new.is_some() { (d.old.as_deref().unwrap_or("")) " → " (d.new.as_deref().unwrap_or("")) " " }
                                    "（" (d.reason) "，" (d.reviewer) "，" (d.date) "；" (d.source) "）" }
                            } }
                        }
                        @if !doc.unmapped.is_empty() {
                            h2 { "未放入任何字段的单元格（" (doc.unmapped.len()) "）" }
                            table #unmapped {
                                thead { tr { th { "单元格" } th { "内容" } th { "原因" } } }
                                tbody { @for cell in &doc.unmapped { tr { td { (cell.at.a1()) } td { (cell.text) } td { (cell.reason.as_deref().unwrap_or("")) } } } }
                            }
                        }
                        (decision_form(bench, c))
                    }
                    aside #explain-panel aria-live="polite" {
                        h2 { "推导" }
                        p.muted { "点击带下划线的计算值，查看它的来历（单元格、解析、公式及其所在文件与行、参数、舍入）和其上的发现。" }
                    }
                }
            }
        }
    };
    page(
        &doc.project.name,
        html! {
            p { a href="/" { "← 返回评分表" } }
            h1 { (doc.project.name) }
            (body)
        },
    )
}

/// The baseline page: the check of the loaded forms (`text`) and the form that records them
/// as the baseline's next version.
pub fn baseline(bench: &Workbench, text: &str) -> Markup {
    page(
        "基线核对",
        html! {
            h1 { "基线核对" }
            pre #baseline { (text) }
            @if let Some(dir) = &bench.settings.baseline {
                section #baseline-run-section aria-label="记录基线" {
                    h2 { "记录基线" }
                    p.muted {
                        "把全部已读取的表的结果记为基线 " code { (dir.display()) } " 的新版本，与 jixiao run … --baseline 相同："
                        "基线还不存在时新建；已存在时即批准新结果，须写明原因。只能记录从表格文件夹读取的表（上传的表无法由 jixiao verify 重演）。"
                    }
                    form #baseline-run method="post" action="/baseline/record" {
                        label { "原因（批准新结果时必填）" input name="reason" size="40"; }
                        label { "审批人 " input name="reviewer" required; }
                        button type="submit" { "记录基线" }
                    }
                }
            }
            p { a href="/" { "返回" } }
        },
    )
}

/// The form to record a reviewer's decision about a document.
fn decision_form(bench: &Workbench, c: &Scorecard) -> Markup {
    let Some(path) = &bench.settings.decisions_path else {
        return html! { p.muted { "启动时没有指定审核决定文件（--decisions 文件），不能在此记录审核决定。" } };
    };
    let fields: Vec<(&str, &str)> = crate::engine::decisions::Field::all()
        .map(|f| (f.key(), f.label()))
        .collect();
    html! {
        section #decide-section aria-label="记录审核决定" {
            h2 { "记录审核决定" }
            p.muted { "保存到 " code { (path.display()) } "，jixiao score --decisions 可直接读取。" }
            form #decide method="post" action="/decide" {
                input type="hidden" name="document" value=(c.id);
                label { "决定 " select name="kind" { option value="waive" { "豁免发现" } option value="correct" { "更正表中内容" } } }
                label { "发现代码 " input name="code" size="6"; }
                label { "指标（名称或路径，可空）" input name="indicator" size="40"; }
                label { "字段（更正）" select name="field" { option value="" { "—" } @for (key, label) in &fields { option value=(key) { (label) "（" (key) "）" } } } }
                label { "其中行（资金，可空）" input name="row"; }
                label { "原值（可空）" input name="was"; }
                label { "新值（更正）" input name="value"; }
                label { "理由 " input name="reason" required size="40"; }
                label { "审核人 " input name="reviewer" required; }
                label { "日期 " input name="date" type="date" required; }
                button type="submit" { "保存审核决定" }
            }
        }
    }
}

/// The derivation of one number (`item`: `budget`, `total` or `i{n}` for the n-th indicator)
/// as `explain` renders it, and the findings on it: the side panel's content.
pub fn explanation(text: &str, findings: &[Finding], id: &str) -> Markup {
    html! {
        div #derivation {
            pre.derivation { (text) }
            @if !findings.is_empty() {
                h3 { "其上的发现" }
                ul { @for f in findings { (finding(id, f)) } }
            }
        }
    }
}

/// The rule sets (规则集): one row each, linking to its page.
pub fn rulesets(bench: &Workbench) -> Markup {
    page(
        "规则集",
        html! {
            h1 { "规则集" }
            table #rulesets {
                thead { tr { th { "编号" } th { "名称" } th { "地区" } th { "适用年度" } th { "继承" } } }
                tbody {
                    @for set in bench.settings.catalogue.sets() {
                        tr {
                            td { a href=(format!("/rules/set?id={}", enc(&set.id))) { (set.id) } }
                            td { (set.title) }
                            td { (set.region.as_deref().unwrap_or("全国")) }
                            td { (years(&set.years)) }
                            td { @for parent in set.inherited.iter().rev() { (parent.name) " " } }
                        }
                    }
                }
            }
            @match &bench.settings.rules_dir {
                Some(dir) => p.muted { "保存的规则集写在 " code { (dir.display()) } " 中。" },
                None => p.muted { "启动时没有指定规则集文件夹（--rules-dir），改动可以预览、测试，但不能保存。" },
            }
        },
    )
}

/// A weight's row with its box.
fn weight_row(edit: &crate::serve::rules::Edit, key: &str, label: &str, current: rust_decimal::Decimal) -> Markup {
    let value = edit.weights.get(key).cloned().unwrap_or_else(|| current.to_string());
    html! { tr { td { (label) } td.num { input name=(format!("w.{key}")) value=(value) size="6" aria-label=(label); } } }
}

/// "2020—2021", "2023 起".
fn years(range: &crate::policy::model::YearRange) -> String {
    match range.to {
        Some(to) if to == range.from => range.from.to_string(),
        Some(to) => format!("{}—{to}", range.from),
        None => format!("{} 起", range.from),
    }
}

/// What the rule-set page shows below the edit form.
#[derive(Default)]
pub struct RuleOutcome<'a> {
    /// The child of the edit, checked and compared.
    pub preview: Option<&'a crate::serve::rules::Preview>,
    /// The test report.
    pub tests: Option<&'a str>,
    /// A message (saved, or why not).
    pub message: Option<&'a str>,
}

/// A rule set's page: weights, parameters (value, description, reference, where written) and
/// checks (severity, message), each editable; then what the edit does.
pub fn ruleset(
    bench: &Workbench,
    set: &crate::policy::RuleSet,
    edit: &crate::serve::rules::Edit,
    outcome: &RuleOutcome<'_>,
) -> Markup {
    use crate::serve::rules::severity_key;
    let next_year = set.years.to.unwrap_or(set.years.from) + 1;
    let severities = [
        ("error", "错误"),
        ("warning", "警告"),
        ("info", "提示"),
        ("off", "关闭"),
    ];
    page(
        &set.id,
        html! {
            p { a href="/rules" { "← 全部规则集" } }
            h1 { (set.title) }
            p.meta { "编号 " code { (set.id) } " · 地区 " (set.region.as_deref().unwrap_or("全国")) " · 适用年度 " (years(&set.years))
                " · 舍入 " (set.rounding_mode.label()) "，得分 " (set.score_places) " 位、总分 " (set.total_places) " 位" }
            p { "等级：" @for (grade, min) in &set.grades { (grade) " ≥ " (min) "　" } }
            div.columns {
                div {
                    form #rule-edit method="post" action="/rules/preview" {
                        input type="hidden" name="set" value=(set.id);
                        h2 { "权重" }
                        table #weights {
                            thead { tr { th { "项目" } th.num { "分值" } } }
                            tbody {
                                (weight_row(edit, "budget", "预算执行", set.budget_weight))
                                @for (level1, weight) in &set.level1_weights { (weight_row(edit, &format!("l1.{level1}"), level1, *weight)) }
                                (weight_row(edit, "indicators", "绩效指标合计", set.indicators_weight))
                                (weight_row(edit, "total", "满分", set.total_weight))
                            }
                        }
                        @if set.budget_weight_from_form { p.muted { "本规则集的预算执行按表中写明的分值计分。" } }
                        h2 { "参数" }
                        table #params {
                            thead { tr { th { "名称" } th { "值" } th { "说明" } th { "依据" } th { "写在" } } }
                            tbody {
                                @for param in &set.params {
                                    @let field = format!("p.{}", param.name);
                                    @let value = edit.params.get(&param.name).cloned().unwrap_or_else(|| param.value.to_string());
                                    tr {
                                        td { code { (param.name) } }
                                        td { input name=(field) value=(value) size="8" aria-label=(param.name); }
                                        td { (param.description) }
                                        td { (param.reference.as_deref().unwrap_or("—")) }
                                        td.muted { (set.place(&format!("params.{}", param.name)).unwrap_or("")) }
                                    }
                                }
                            }
                        }
                        h2 { "检查（发现代码）" }
                        table #checks {
                            thead { tr { th { "代码" } th { "名称" } th { "严重程度" } th { "提示" } th { "依据" } } }
                            tbody {
                                @for check in set.checks.iter() {
                                    @let code = check.code.id();
                                    @let current = edit.severities.get(code).map_or(severity_key(check), String::as_str);
                                    tr {
                                        td { code { (code) } }
                                        td { (check.title) }
                                        td { select name=(format!("s.{code}")) aria-label=(format!("{code} 严重程度")) {
                                            @for (key, label) in severities { option value=(key) selected[current == key] { (label) } }
                                        } }
                                        td { (check.message.source()) }
                                        td { (check.reference) }
                                    }
                                }
                            }
                        }
                        h2 { "公式" }
                        p.muted { "在此写 Rhai 函数，替换本规则集的同名函数（参数个数相同）；留空则不改公式。本规则集的公式如下。" }
                        details {
                            summary { "本规则集的脚本（" (set.script_files.len()) " 个文件）" }
                            @for (name, text) in &set.script_files { h3 { (name) } pre.derivation { (text) } }
                        }
                        textarea name="formula" rows="8" cols="90" aria-label="替换的公式（Rhai）" { (edit.formula) }
                        p.actions {
                            button type="submit" formaction="/rules/preview" { "预览改动（检查与对比）" } " "
                            button type="submit" formaction="/rules/test" { "运行本规则集的测试" }
                        }
                        fieldset {
                            legend { "保存为继承本规则集的新规则集（extends）" }
                            label { "新编号 " input name="id" value=(if edit.id.is_empty() { format!("{}-edit", set.id) } else { edit.id.clone() }); }
                            " "
                            label { "适用年度 " input name="year" size="6" value=(if edit.year.is_empty() { set.years.from.to_string() } else { edit.year.clone() }); }
                            " "
                            button type="submit" formaction="/rules/save" disabled[bench.settings.rules_dir.is_none()] { "保存" }
                        }
                        @if let Some(dir) = crate::serve::rules::in_place_folder(bench, set) {
                            p { button #save-in-place type="submit" formaction="/rules/save-in-place" { "原地保存到 " (dir.display()) } }
                        }
                    }
                    form #new-year method="post" action="/rules/save" {
                        input type="hidden" name="set" value=(set.id);
                        input type="hidden" name="id" value=(format!("{}-{next_year}", set.id.rsplit_once('-').map_or(set.id.as_str(), |(stem, _)| stem)));
                        input type="hidden" name="year" value=(next_year);
                        button type="submit" disabled[bench.settings.rules_dir.is_none()] { "新年度（new-year " (next_year) "）" }
                    }
                }
                aside #rule-panel {
                    h2 { "改动的效果" }
                    p.muted { "改动参数、权重、严重程度或公式后，这里显示检查结果和对已读取的表的影响。" }
                    div #rule-outcome aria-live="polite" {
                        @if let Some(message) = outcome.message { pre.message #rule-message role="status" { (message) } }
                        @if let Some(tests) = outcome.tests { h2 { "测试结果" } pre #tests { (tests) } }
                        @if let Some(preview) = outcome.preview {
                            section #preview {
                                h2 { "改动" }
                                @if preview.changes.is_empty() { p { "（没有改动）" } }
                                ul #changes { @for c in &preview.changes { li { (c) } } }
                                h2 { "检查（jixiao check）" }
                                pre #check { (preview.check) }
                                h2 { "对已读取的表的影响（jixiao diff）" }
                                @match &preview.diff {
                                    Some(diff) => pre #diff { (diff) },
                                    None => p.bad { "改动后的规则集无法载入，见上面的检查结果。" },
                                }
                                details { summary { "子规则集的 policy.toml" } pre { (preview.policy) } }
                            }
                        }
                    }
                }
            }
        },
    )
}
