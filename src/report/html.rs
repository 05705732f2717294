//! The HTML report: one self-contained page (inline CSS, inline SVG, a small inline script; no
//! fetched resource of any kind) that works offline and prints. Sections: overview counts, a
//! summary table, the grade distribution, findings by code, and a collapsible drill-down per
//! form with its funds, every indicator computed beside reported, the reviewer decisions applied
//! to it, and its findings.
//!
//! Every text comes from user input or rule sets and is escaped. Key numbers carry ids
//! (`f{n}-total`, `count-errors`, …) and `data-` attributes so tests and scripts can read them;
//! they show the exact decimals of the JSON report.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{dec, differs, finding_place, grade_differs, half_up, percent, waived_count};
use crate::engine::scoring::Scorecard;
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
@media print{button{display:none}details.form{break-inside:avoid}}
"#;

const SCRIPT: &str = r#"
(function () {
  var forms = document.querySelectorAll("details.form");
  function setAll(open) { for (var i = 0; i < forms.length; i++) { forms[i].open = open; } }
  document.getElementById("expand-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("collapse-all").addEventListener("click", function () { setAll(false); });
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

/// Renders the whole page.
pub(crate) fn html(cards: &[Scorecard]) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<meta name=\"generator\" content=\"jixiao {}\">",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("<title>绩效自评表评分结果</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body data-ready=\"0\">\n");
    out.push_str("<h1>绩效自评表评分结果</h1>\n");
    out.push_str(
        "<p class=\"muted\">“计算”为按规则集重新计算的数，“填报”为表中填写的数；\
         <span class=\"bad\">红底</span>表示两者不一致。发现数不含已豁免的发现。</p>\n",
    );
    overview(&mut out, cards);
    summary_table(&mut out, cards);
    grade_chart(&mut out, cards);
    findings_by_code(&mut out, cards);
    out.push_str("<h2 id=\"forms\">逐表明细</h2>\n");
    out.push_str(
        "<p><button type=\"button\" id=\"expand-all\">全部展开</button>\
         <button type=\"button\" id=\"collapse-all\">全部收起</button></p>\n",
    );
    for (n, card) in (1..).zip(cards) {
        form(&mut out, n, card);
    }
    let _ = writeln!(
        out,
        "<p class=\"muted\">由 jixiao {} 生成。</p>",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
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

fn overview(out: &mut String, cards: &[Scorecard]) {
    let sum = |s: Severity| cards.iter().map(|c| c.count(s)).sum::<usize>();
    let (errors, warnings, infos) = (sum(Severity::Error), sum(Severity::Warning), sum(Severity::Info));
    let with_errors = cards.iter().filter(|c| c.count(Severity::Error) > 0).count();
    let mismatched = cards
        .iter()
        .filter(|c| differs(Some(c.total.score), c.total.reported))
        .count();
    // None also when the totals' sum leaves the decimal range (shown as "—").
    let mean = (!cards.is_empty())
        .then(|| crate::model::range::checked_sum(cards.iter().map(|c| c.total.score)))
        .flatten()
        .and_then(|total| total.checked_div(Decimal::from(cards.len())))
        .map(half_up);
    let class = |n: usize, tone: &'static str| if n > 0 { tone } else { "" };
    out.push_str("<h2 id=\"overview\">概况</h2>\n<div class=\"stats\">\n");
    stat(out, "count-forms", "自评表", &cards.len().to_string(), "");
    stat(
        out,
        "count-forms-with-errors",
        "有错误的表",
        &with_errors.to_string(),
        class(with_errors, "bad"),
    );
    stat(
        out,
        "count-total-mismatch",
        "总分与填报不一致",
        &mismatched.to_string(),
        class(mismatched, "bad"),
    );
    stat(out, "count-errors", "错误", &errors.to_string(), class(errors, "bad"));
    stat(
        out,
        "count-warnings",
        "警告",
        &warnings.to_string(),
        class(warnings, "warn"),
    );
    stat(out, "count-infos", "提示", &infos.to_string(), "");
    let waived: usize = cards.iter().map(waived_count).sum();
    let decisions: usize = cards.iter().map(|c| c.decisions.len()).sum();
    stat(out, "count-waived", "已豁免", &waived.to_string(), "");
    stat(out, "count-decisions", "审核决定", &decisions.to_string(), "");
    stat(out, "mean-total", "平均总分（计算）", &dec(mean), "");
    out.push_str("</div>\n");
}

fn summary_table(out: &mut String, cards: &[Scorecard]) {
    out.push_str(
        "<table id=\"summary\">\n<thead><tr><th rowspan=\"2\">序号</th><th rowspan=\"2\">项目</th>\
         <th rowspan=\"2\">主管部门</th><th rowspan=\"2\">年度</th><th rowspan=\"2\">规则集</th>\
         <th colspan=\"2\">预算执行得分</th><th colspan=\"2\">总分</th><th rowspan=\"2\">等级</th>\
         <th colspan=\"3\">发现</th></tr>\n<tr><th>计算</th><th>填报</th><th>计算</th><th>填报</th>\
         <th>错误</th><th>警告</th><th>提示</th></tr></thead>\n<tbody>\n",
    );
    for (n, c) in (1..).zip(cards) {
        let funds_bad = differs(c.budget.score, c.budget.reported_score);
        let total_bad = differs(Some(c.total.score), c.total.reported);
        let _ = write!(
            out,
            "<tr id=\"s{n}\" data-doc=\"{}\"><td class=\"num\">{n}</td><td><a href=\"#form-{n}\">{}</a></td>\
             <td>{}</td><td class=\"num\">{}</td><td>{}</td>",
            escape(&c.id),
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
    out.push_str("</tbody>\n</table>\n");
}

/// Grades in the order the shipped rule sets define them; others follow in order of appearance.
const GRADE_ORDER: [&str; 4] = ["优", "良", "中", "差"];

fn grade_chart(out: &mut String, cards: &[Scorecard]) {
    let mut grades: Vec<(String, usize)> = GRADE_ORDER.iter().map(|g| ((*g).to_owned(), 0)).collect();
    for c in cards {
        match grades.iter_mut().find(|(g, _)| *g == c.grade) {
            Some((_, k)) => *k += 1,
            None => grades.push((c.grade.clone(), 1)),
        }
    }
    let max = grades.iter().map(|(_, k)| *k).max().unwrap_or(0).max(1);
    let (bar, gap, top, plot) = (56usize, 28usize, 24usize, 160usize);
    let width = gap + grades.len() * (bar + gap);
    let height = top + plot + 28;
    out.push_str("<h2 id=\"grades\">等级分布（按计算总分）</h2>\n");
    let _ = writeln!(
        out,
        "<svg id=\"grade-chart\" role=\"img\" aria-labelledby=\"grade-chart-title\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n<title id=\"grade-chart-title\">等级分布</title>"
    );
    let _ = writeln!(
        out,
        "<line x1=\"0\" y1=\"{y}\" x2=\"{width}\" y2=\"{y}\" stroke=\"#57606a\"/>",
        y = top + plot
    );
    for (i, (grade, k)) in grades.iter().enumerate() {
        let x = gap + i * (bar + gap);
        let h = plot * k / max;
        let y = top + plot - h;
        let g = escape(grade);
        let _ = writeln!(
            out,
            "<g class=\"bar\" data-grade=\"{g}\" data-count=\"{k}\"><rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" \
             height=\"{h}\" fill=\"#4f81bd\"/><text x=\"{cx}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"14\">{k}</text>\
             <text x=\"{cx}\" y=\"{ly}\" text-anchor=\"middle\" font-size=\"14\">{g}</text></g>",
            cx = x + bar / 2,
            ty = y.saturating_sub(6).max(14),
            ly = top + plot + 20,
        );
    }
    out.push_str("</svg>\n");
}

#[derive(Default)]
struct CodeStats {
    severity: Option<Severity>,
    unwaived: usize,
    waived: usize,
    forms: BTreeSet<usize>,
    example: String,
}

fn findings_by_code(out: &mut String, cards: &[Scorecard]) {
    let mut codes: BTreeMap<&str, CodeStats> = BTreeMap::new();
    for (n, c) in cards.iter().enumerate() {
        for f in &c.findings {
            let s = codes.entry(f.code.as_str()).or_default();
            s.severity = s.severity.max(Some(f.severity));
            if f.waived {
                s.waived += 1;
            } else {
                s.unwaived += 1;
            }
            s.forms.insert(n);
            if s.example.is_empty() {
                s.example.clone_from(&f.message);
            }
        }
    }
    let mut rows: Vec<(&str, CodeStats)> = codes.into_iter().collect();
    rows.sort_by(|a, b| b.1.severity.cmp(&a.1.severity).then(a.0.cmp(b.0)));
    out.push_str("<h2 id=\"codes\">发现（按代码）</h2>\n");
    if rows.is_empty() {
        out.push_str("<p>没有发现。</p>\n");
        return;
    }
    out.push_str(
        "<table id=\"codes-table\">\n<thead><tr><th>代码</th><th>严重程度</th><th>次数</th>\
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
            "<tr id=\"code-{code}\" data-count=\"{u}\"><td>{code}</td><td{class}>{label}</td>\
             <td class=\"num\">{u}</td><td class=\"num\">{forms}</td><td class=\"num\">{w}</td><td>{ex}</td></tr>",
            u = s.unwaived,
            forms = s.forms.len(),
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
