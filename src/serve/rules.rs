//! 规则集 in the workbench: an edit of a rule set (parameter values, check severities) is a
//! child set that `extends` it and states only what differs — exactly what an editor would
//! write by hand. The child is loaded and checked as `jixiao check` does ([`lint::check`]),
//! the loaded forms are scored under it and compared as `jixiao diff` does
//! ([`compare_document`]), the parent's test cases run against it as `jixiao test` does, and
//! saving writes it with `new-year`'s writer ([`new_year`]) into the rule-set folder named at
//! start.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::engine::pipeline::score_under;
use crate::policy::lint;
use crate::policy::{POLICY_FILE, RuleSet, RuleSetFiles, RuleSetOrigin};
use crate::report::diagnostics::render_ruleset;
use crate::report::output::write_atomic;
use crate::runs::compare::{compare_document, summarize};
use crate::runs::ruleset_edit::new_year;
use crate::runs::ruletest::{coverage, load_case, render, run_cases};
use crate::serve::state::Workbench;

/// An edit as the rule-set page sends it: `set` is the edited set's id; `p.NAME` fields are
/// parameter values, `s.CODE` fields check severities (`error`, `warning`, `info`, `off`),
/// `w.KEY` fields weights, `formula` Rhai functions that replace the set's own; `id` and `year`
/// name the child when it is saved. Fields equal to the set's own values are no change.
#[derive(Debug, Default)]
pub struct Edit {
    /// The edited set.
    pub set: String,
    /// Parameter name → value as typed.
    pub params: BTreeMap<String, String>,
    /// Check code → severity as chosen.
    pub severities: BTreeMap<String, String>,
    /// Weights: `budget`, `indicators`, `total`, `l1.一级指标` → value as typed.
    pub weights: BTreeMap<String, String>,
    /// Rhai functions that replace the set's functions of the same name.
    pub formula: String,
    /// Id of the child when saved.
    pub id: String,
    /// Budget year of the child when saved.
    pub year: String,
}

impl Edit {
    /// Reads the page's form fields.
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut edit = Edit::default();
        for (key, value) in fields {
            if let Some(name) = key.strip_prefix("p.") {
                edit.params.insert(name.to_owned(), value.trim().to_owned());
            } else if let Some(code) = key.strip_prefix("s.") {
                edit.severities.insert(code.to_owned(), value.trim().to_owned());
            } else if let Some(weight) = key.strip_prefix("w.") {
                edit.weights.insert(weight.to_owned(), value.trim().to_owned());
            } else {
                match key.as_str() {
                    "set" => edit.set = value.trim().to_owned(),
                    "id" => edit.id = value.trim().to_owned(),
                    "year" => edit.year = value.trim().to_owned(),
                    "formula" => edit.formula = value.replace("\r\n", "\n"),
                    _ => {}
                }
            }
        }
        edit
    }
}

/// A severity as written in `policy.toml`.
pub fn severity_key(check: &crate::policy::checks::Check) -> &'static str {
    use crate::model::findings::Severity;
    match check.severity {
        None => "off",
        Some(Severity::Error) => "error",
        Some(Severity::Warning) => "warning",
        Some(Severity::Info) => "info",
    }
}

/// The file a formula edit is written to in the child set.
pub const FORMULA_FILE: &str = "formulas.rhai";

/// The TOML tables that state what `edit` changes in `parent` (nothing for a field equal to
/// the parent's), and each change in words.
pub fn overrides(parent: &RuleSet, edit: &Edit) -> (String, Vec<String>) {
    let quote = |s: &str| toml_edit::Value::from(s).to_string().trim().to_owned();
    let mut text = String::new();
    let mut changes = Vec::new();
    let changed = |key: &str, current: Decimal| {
        edit.weights
            .get(key)
            .filter(|v| !v.is_empty() && v.parse::<Decimal>().ok() != Some(current))
    };
    let mut profile = String::new();
    for (key, label, current) in [
        ("budget", "预算执行分值", parent.budget_weight),
        ("indicators", "绩效指标合计", parent.indicators_weight),
        ("total", "满分", parent.total_weight),
    ] {
        if let Some(value) = changed(key, current) {
            let _ = writeln!(profile, "{key} = {}", quote(value));
            changes.push(format!("{label}：{current} → {value}"));
        }
    }
    let level1: Vec<(String, String)> = parent
        .level1_weights
        .iter()
        .map(|(name, current)| {
            let value = changed(&format!("l1.{name}"), *current);
            if let Some(value) = value {
                changes.push(format!("{name} 分值：{current} → {value}"));
            }
            (name.clone(), value.cloned().unwrap_or_else(|| current.to_string()))
        })
        .collect();
    if level1
        .iter()
        .zip(&parent.level1_weights)
        .any(|((_, v), (_, c))| *v != c.to_string())
    {
        let pairs: Vec<String> = level1
            .iter()
            .map(|(n, v)| format!("{} = {}", quote(n), quote(v)))
            .collect();
        let _ = writeln!(profile, "level1 = {{ {} }}", pairs.join(", "));
    }
    if !profile.is_empty() {
        let _ = write!(text, "\n[profile]\n{profile}");
    }
    for param in &parent.params {
        let Some(value) = edit.params.get(&param.name) else {
            continue;
        };
        if value.is_empty() || value.parse().ok() == Some(param.value) {
            continue;
        }
        let _ = writeln!(text, "\n[params.{}]\nvalue = {}", param.name, quote(value));
        changes.push(format!("参数 {}：{} → {value}", param.name, param.value));
    }
    for check in parent.checks.iter() {
        let code = check.code.id();
        let Some(chosen) = edit.severities.get(code) else {
            continue;
        };
        if chosen.is_empty() || chosen == severity_key(check) {
            continue;
        }
        let _ = writeln!(text, "\n[checks.{code}]\nseverity = {}", quote(chosen));
        changes.push(format!("检查 {code} 严重程度：{} → {chosen}", severity_key(check)));
    }
    (text, changes)
}

/// How a child names its parent in `extends`: an embedded set by id, a folder by its path.
fn extends_spec(parent: &RuleSet) -> String {
    match &parent.files.origin {
        RuleSetOrigin::Embedded => parent.files.name.clone(),
        RuleSetOrigin::Folder(dir) => dir.canonicalize().unwrap_or_else(|_| dir.clone()).display().to_string(),
    }
}

/// What previewing an edit found.
pub struct Preview {
    /// The child's `policy.toml`.
    pub policy: String,
    /// The changes in words.
    pub changes: Vec<String>,
    /// `jixiao check` of the child.
    pub check: String,
    /// The child, when it loads.
    pub child: Option<Arc<RuleSet>>,
    /// `jixiao diff` over the loaded forms scored by the parent; None when the child does not
    /// load.
    pub diff: Option<String>,
}

/// The set `id` of the workbench's catalogue.
pub fn find(bench: &Workbench, id: &str) -> Result<Arc<RuleSet>, String> {
    bench
        .settings
        .catalogue
        .sets()
        .iter()
        .find(|s| s.id == id)
        .cloned()
        .ok_or_else(|| format!("没有编号为“{id}”的规则集"))
}

/// The child of the edit, in memory: checked, loaded, and compared over the loaded forms the
/// parent scores.
pub fn preview(bench: &Workbench, edit: &Edit) -> Result<Preview, String> {
    let parent = find(bench, &edit.set)?;
    let (tables, changes) = overrides(&parent, edit);
    let id = format!("{}-edit", parent.id);
    let quote = |s: &str| toml_edit::Value::from(s).to_string().trim().to_owned();
    let mut policy = format!(
        "[ruleset]\nextends = {}\nid = {}\ntitle = {}\n",
        quote(&extends_spec(&parent)),
        quote(&id),
        quote(&format!("{}（修改）", parent.title)),
    );
    if let Some(region) = &parent.region {
        let _ = writeln!(policy, "region = {}", quote(region));
    }
    let _ = match parent.years.to {
        Some(to) => writeln!(policy, "years = {{ from = {}, to = {to} }}", parent.years.from),
        None => writeln!(policy, "years = {{ from = {} }}", parent.years.from),
    };
    policy.push_str(&tables);
    let place = bench
        .settings
        .rules_dir
        .as_ref()
        .map_or_else(|| PathBuf::from(&id), |dir| dir.join(&id));
    let mut files = vec![(POLICY_FILE.to_owned(), policy.clone())];
    let mut changes = changes;
    if !edit.formula.trim().is_empty() {
        files.push((FORMULA_FILE.to_owned(), edit.formula.clone()));
        changes.push(format!("公式：{FORMULA_FILE} 中的函数替换上级的同名函数"));
    }
    let files = RuleSetFiles {
        origin: RuleSetOrigin::Folder(place),
        name: id.clone(),
        files,
    };
    let diagnostics = lint::check(&files);
    let check = if diagnostics.is_empty() {
        format!("规则集 {id}：没有发现问题\n")
    } else {
        render_ruleset(&id, &diagnostics, false)
    };
    let child = RuleSet::load(files).ok().map(Arc::new);
    let diff = child.as_ref().map(|child| {
        let pipeline = bench.pipeline();
        let mut changes = Vec::new();
        let mut failed = String::new();
        for form in &bench.forms {
            let Some(scored) = form.result.as_ref().ok().filter(|s| s.rules.id == parent.id) else {
                continue;
            };
            // Scripts run with the limits of every run: a runaway formula fails here, per form.
            match score_under(child, &form.document, &pipeline.decisions_for(&form.document)) {
                Ok(new) => changes.push(compare_document(&scored.rules, child, &scored.card, &new)),
                Err(e) => {
                    let _ = writeln!(
                        failed,
                        "* {}（{}）：改动后无法评分：{e}",
                        form.document.project.name, form.document.id
                    );
                }
            }
        }
        let mut text = summarize(&parent.id, &child.id, changes).to_text();
        if !failed.is_empty() {
            text.push_str("\n无法评分的文档\n");
            text.push_str(&failed);
        }
        text
    });
    Ok(Preview {
        policy,
        changes,
        check,
        child,
        diff,
    })
}

/// The parent's test cases run against the child of the edit (`jixiao test`'s report).
pub fn test(bench: &Workbench, edit: &Edit) -> Result<String, String> {
    let parent = find(bench, &edit.set)?;
    let preview = preview(bench, edit)?;
    let Some(child) = preview.child else {
        return Ok(preview.check);
    };
    let (_, tests) = RuleSetFiles::resolve_with_tests(&extends_spec(&parent)).map_err(|e| e.to_string())?;
    let base = match &parent.files.origin {
        RuleSetOrigin::Folder(dir) => Some(dir.join("tests")),
        RuleSetOrigin::Embedded => None,
    };
    let mut cases = Vec::new();
    let mut out = String::new();
    for (name, text) in &tests {
        match load_case(name, text, base.as_deref()) {
            Ok(case) => cases.push(case),
            Err(e) => out.push_str(&crate::report::diagnostics::render(&[e], false)),
        }
    }
    if tests.is_empty() {
        return Ok(format!("规则集 {} 没有测试用例（tests/*.toml）\n", parent.id));
    }
    let results = run_cases(&child, &cases);
    let cov = coverage(&child, &cases, &results, &child.finding_codes());
    out.push_str(&render(&child.id, &results, &cov));
    Ok(out)
}

/// Saves the edit as a new rule set `edit.id` for budget year `edit.year` that extends the
/// edited set, in the rule-set folder named at start: `new-year`'s files (policy, the parent's
/// test cases, the schema) with the edit's tables added. Gives the folder written.
pub fn save(bench: &Workbench, edit: &Edit) -> Result<PathBuf, String> {
    let dir = bench
        .settings
        .rules_dir
        .as_ref()
        .ok_or_else(|| "启动时没有指定规则集文件夹（--rules-dir），不能保存规则集".to_owned())?;
    if !lint::is_safe_name(&edit.id) {
        return Err(format!(
            "新规则集的编号“{}”不可用：只能用字母、数字、- 和 _（它也是文件夹名）",
            edit.id
        ));
    }
    let year: i32 = edit
        .year
        .parse()
        .map_err(|_| format!("适用年度“{}”不是年份", edit.year))?;
    let parent = find(bench, &edit.set)?;
    let preview = preview(bench, edit)?;
    if preview.child.is_none() {
        return Err(format!("改动后的规则集有错误，未保存：\n{}", preview.check));
    }
    let (files, tests) = RuleSetFiles::resolve_with_tests(&extends_spec(&parent)).map_err(|e| e.to_string())?;
    let to = dir.join(&edit.id);
    new_year(&files, &tests, year, &to).map_err(|e| e.to_string())?;
    let (tables, _) = overrides(&parent, edit);
    if !tables.is_empty() {
        let path = to.join(POLICY_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
        write_atomic(&path, format!("{text}{tables}").as_bytes()).map_err(|e| e.to_string())?;
    }
    if !edit.formula.trim().is_empty() {
        write_atomic(&to.join(FORMULA_FILE), edit.formula.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(to)
}

/// The folder of `set` when it may be changed in place: a set read from a folder inside the
/// rule-set folder named at start.
pub fn in_place_folder(bench: &Workbench, set: &RuleSet) -> Option<PathBuf> {
    let RuleSetOrigin::Folder(dir) = &set.files.origin else {
        return None;
    };
    let root = bench.settings.rules_dir.as_deref()?.canonicalize().ok()?;
    let dir = dir.canonicalize().ok()?;
    dir.starts_with(&root).then_some(dir)
}

/// Writes the edit into the edited set's own `policy.toml` (kept as it was written otherwise:
/// comments, order), when the set is a folder inside the rule-set folder; the set is read
/// again and every form rescored. A formula edit is refused here (it would replace the set's
/// script file): it is saved as a child set instead.
pub fn save_in_place(bench: &mut Workbench, edit: &Edit) -> Result<PathBuf, String> {
    use toml_edit::{DocumentMut, InlineTable, value};
    let parent = find(bench, &edit.set)?;
    let dir = in_place_folder(bench, &parent).ok_or_else(|| {
        "只有启动时指定的规则集文件夹（--rules-dir）中的规则集可以原地修改；请另存为继承它的新规则集".to_owned()
    })?;
    if !edit.formula.trim().is_empty() {
        return Err("原地修改不改写公式文件；公式的改动请另存为继承本规则集的新规则集".to_owned());
    }
    let path = dir.join(POLICY_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{} 无法解析：{e}", path.display()))?;
    let (_, changes) = overrides(&parent, edit);
    if changes.is_empty() {
        return Err("没有改动".to_owned());
    }
    for param in &parent.params {
        if let Some(v) = edit
            .params
            .get(&param.name)
            .filter(|v| !v.is_empty() && v.parse().ok() != Some(param.value))
        {
            let own = table(&mut doc, &["params", &param.name])?;
            // One value would sit beside the set's own values by year, which `check` refuses;
            // dropping those silently would lose the years the editor wrote.
            if own.contains_key("by_year") {
                return Err(format!(
                    "参数 {} 在本规则集中按年度取值（by_year），工作台只能写单一的值：请在 {} 中修改各年度的值，                     或另存为继承本规则集的新规则集（新规则集的单一值替换按年度取值）",
                    param.name,
                    path.display()
                ));
            }
            own.insert("value", value(v.as_str()));
        }
    }
    for check in parent.checks.iter() {
        let code = check.code.id();
        if let Some(v) = edit
            .severities
            .get(code)
            .filter(|v| !v.is_empty() && v.as_str() != severity_key(check))
        {
            table(&mut doc, &["checks", code])?.insert("severity", value(v.as_str()));
        }
    }
    for (key, current) in [
        ("budget", parent.budget_weight),
        ("indicators", parent.indicators_weight),
        ("total", parent.total_weight),
    ] {
        if let Some(v) = edit
            .weights
            .get(key)
            .filter(|v| !v.is_empty() && v.parse().ok() != Some(current))
        {
            table(&mut doc, &["profile"])?.insert(key, value(v.as_str()));
        }
    }
    let level1_changed = parent.level1_weights.iter().any(|(name, current)| {
        edit.weights
            .get(&format!("l1.{name}"))
            .is_some_and(|v| !v.is_empty() && v.parse().ok() != Some(*current))
    });
    if level1_changed {
        let mut level1 = InlineTable::new();
        for (name, current) in &parent.level1_weights {
            let typed = edit.weights.get(&format!("l1.{name}")).filter(|v| !v.is_empty());
            level1.insert(name, typed.map_or_else(|| current.to_string(), Clone::clone).into());
        }
        table(&mut doc, &["profile"])?.insert("level1", value(level1));
    }
    let new_text = doc.to_string();
    let mut files = RuleSetFiles::read_folder(&dir).map_err(|e| e.to_string())?;
    if let Some(entry) = files.files.iter_mut().find(|(n, _)| n == POLICY_FILE) {
        entry.1.clone_from(&new_text);
    }
    let name = files.name.clone();
    let diagnostics = lint::check(&files);
    let changed = RuleSet::load(files).map_err(|_| {
        format!(
            "改动后的规则集有错误，未保存：\n{}",
            render_ruleset(&name, &diagnostics, false)
        )
    })?;
    write_atomic(&path, new_text.as_bytes()).map_err(|e| e.to_string())?;
    if bench.settings.catalogue.is_forced() {
        bench.settings.catalogue = crate::policy::select::Catalogue::forced(Arc::new(changed));
    }
    bench.rescore();
    Ok(dir)
}

/// The table at `path` of a policy document, made (as `[a.b]`, its parents implicit) when
/// missing; an error when something else is written there.
fn table<'a>(doc: &'a mut toml_edit::DocumentMut, path: &[&str]) -> Result<&'a mut toml_edit::Table, String> {
    let mut here = doc.as_table_mut();
    for (i, key) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let item = here.entry(key).or_insert_with(|| {
            let mut new = toml_edit::Table::new();
            new.set_implicit(!last);
            toml_edit::Item::Table(new)
        });
        here = item.as_table_mut().ok_or_else(|| {
            format!(
                "policy.toml 中的 {} 不是表，无法原地修改",
                path.get(..=i).unwrap_or(path).join(".")
            )
        })?;
    }
    Ok(here)
}
