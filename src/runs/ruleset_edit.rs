//! Editor workflows on rule-set folders: copying a set to a new budget year (`new-year`) and
//! comparing two sets key by key and script function by function (`diff --rules-only`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use similar::{ChangeTag, TextDiff};

use crate::policy::{POLICY_FILE, PolicyError, RuleSetFiles};
use crate::report::output::write_atomic;

/// What `new-year` wrote, for the message shown to the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewYearReport {
    /// New rule-set id (the folder name).
    pub id: String,
    /// Files written, relative to the new folder.
    pub files: Vec<String>,
    /// Metadata changes made, in Chinese ("years: 2020—2021年 → 2022年").
    pub changes: Vec<String>,
}

fn policy_error(ruleset: &str, message: String) -> PolicyError {
    PolicyError::files(ruleset, POLICY_FILE, message)
}

/// Replaces every four-digit year (1990–2100) in `text` by `year`.
fn replace_years(text: &str, year: i32) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let window: String = chars.iter().skip(i).take(4).collect();
        let before_digit = i > 0 && chars.get(i - 1).is_some_and(char::is_ascii_digit);
        let after_digit = chars.get(i + 4).is_some_and(char::is_ascii_digit);
        if window.len() == 4
            && window.chars().all(|c| c.is_ascii_digit())
            && !before_digit
            && !after_digit
            && window.parse::<i32>().is_ok_and(|y| (1990..=2100).contains(&y))
        {
            // A range "2020—2021" collapses to one year.
            out.push_str(&year.to_string());
            i += 4;
            let dash = chars.get(i).copied();
            if matches!(dash, Some('—' | '-' | '–' | '~' | '～' | '至')) {
                let next: String = chars.iter().skip(i + 1).take(4).collect();
                if next.len() == 4 && next.chars().all(|c| c.is_ascii_digit()) {
                    i += 5;
                }
            }
            continue;
        }
        if let Some(c) = chars.get(i) {
            out.push(*c);
        }
        i += 1;
    }
    out
}

/// Copies the rule set `from` into the new folder `to` for budget year `year`: every policy,
/// script and test file, with `[ruleset]` id (the folder name), title years and covered years
/// updated, comments kept, and the policy schema written beside it for TOML editors.
pub fn new_year(
    from: &RuleSetFiles,
    tests: &[(String, String)],
    year: i32,
    to: &Path,
) -> Result<NewYearReport, PolicyError> {
    let id = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if id.is_empty() {
        return Err(policy_error(
            &from.name,
            format!("目标文件夹 {} 没有名字", to.display()),
        ));
    }
    if to.exists() && std::fs::read_dir(to).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(policy_error(
            &from.name,
            format!(
                "目标文件夹 {} 已存在且不为空；为免覆盖编辑人员的文件，请换一个文件夹",
                to.display()
            ),
        ));
    }
    let text = from
        .files
        .iter()
        .find(|(n, _)| n == POLICY_FILE)
        .map(|(_, t)| t.as_str())
        .ok_or_else(|| policy_error(&from.name, "缺少 policy.toml".into()))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| policy_error(&from.name, format!("policy.toml 无法解析：{e}")))?;
    let mut changes = Vec::new();
    let ruleset = doc
        .get_mut("ruleset")
        .and_then(|r| r.as_table_like_mut())
        .ok_or_else(|| policy_error(&from.name, "policy.toml 缺少 [ruleset]".into()))?;
    let old_id = ruleset
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    ruleset.insert("id", toml_edit::value(id.clone()));
    changes.push(format!("编号：{old_id} → {id}"));
    if let Some(title) = ruleset.get("title").and_then(|v| v.as_str()).map(str::to_owned) {
        let new_title = replace_years(&title, year);
        if new_title != title {
            changes.push(format!("名称：{title} → {new_title}"));
            ruleset.insert("title", toml_edit::value(new_title));
        }
    }
    let old_years = ruleset
        .get("years")
        .map(|v| v.to_string().trim().to_owned())
        .unwrap_or_default();
    let mut years = toml_edit::InlineTable::new();
    years.insert("from", i64::from(year).into());
    years.insert("to", i64::from(year).into());
    ruleset.insert("years", toml_edit::value(years));
    changes.push(format!("适用年度：{old_years} → {{ from = {year}, to = {year} }}"));

    let mut policy = doc.to_string();
    // The schema line points at a copy beside the policy, so the folder is self-contained.
    let schema_line = "#:schema ./policy.schema.json";
    policy = match policy.strip_prefix("#:schema") {
        Some(rest) => format!(
            "{schema_line}{}",
            rest.split_once('\n').map(|(_, r)| format!("\n{r}")).unwrap_or_default()
        ),
        None => format!("{schema_line}\n{policy}"),
    };

    let write = |rel: &str, content: &str| -> Result<(), PolicyError> {
        let path = to.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| policy_error(&id, format!("无法创建 {}：{e}", parent.display())))?;
        }
        write_atomic(&path, content.as_bytes()).map_err(|e| policy_error(&id, e.to_string()))
    };
    let mut files = Vec::new();
    write(POLICY_FILE, &policy)?;
    files.push(POLICY_FILE.to_owned());
    for (name, content) in from.files.iter().filter(|(n, _)| n != POLICY_FILE) {
        write(name, content)?;
        files.push(name.clone());
    }
    for (name, content) in tests {
        let rel = format!("tests/{name}");
        write(&rel, content)?;
        files.push(rel);
    }
    write(
        "policy.schema.json",
        &crate::report::schemas::SchemaName::Policy.to_pretty_json(),
    )?;
    files.push("policy.schema.json".to_owned());
    Ok(NewYearReport { id, files, changes })
}

/// Flattens a TOML document into `key.path → value` lines (arrays of tables indexed by their
/// `id`/`grade`/`tier` field when they have one, else by position).
fn flatten(value: &toml::Value, prefix: &str, out: &mut BTreeMap<String, String>) {
    match value {
        toml::Value::Table(table) => {
            for (k, v) in table {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(v, &key, out);
            }
        }
        toml::Value::Array(items) if items.iter().all(toml::Value::is_table) && !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                let label = ["grade", "tier", "id", "title"]
                    .iter()
                    .find_map(|k| item.get(k).and_then(toml::Value::as_str))
                    .map(str::to_owned)
                    .unwrap_or_else(|| i.to_string());
                flatten(item, &format!("{prefix}[{label}]"), out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// Script functions of a rule set, by name: the text from the comment block above `fn name(`
/// to the next function.
fn functions(files: &RuleSetFiles) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for (file, text) in files.files.iter().filter(|(n, _)| n.ends_with(".rhai")) {
        let lines: Vec<&str> = text.lines().collect();
        let starts: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with("fn "))
            .map(|(i, _)| i)
            .collect();
        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(lines.len());
            let mut begin = start;
            while begin > 0 && lines.get(begin - 1).is_some_and(|l| l.trim_start().starts_with("//")) {
                begin -= 1;
            }
            // The comment block above the next function belongs to it.
            let mut stop = end;
            while stop > start + 1
                && lines
                    .get(stop - 1)
                    .is_some_and(|l| l.trim_start().starts_with("//") || l.trim().is_empty())
            {
                stop -= 1;
            }
            let name = lines
                .get(start)
                .and_then(|l| l.trim_start().strip_prefix("fn "))
                .and_then(|l| l.split('(').next())
                .unwrap_or_default()
                .trim()
                .to_owned();
            let body = lines.get(begin..stop).map(|ls| ls.join("\n")).unwrap_or_default();
            out.insert(name, (file.clone(), body));
        }
    }
    out
}

/// How two rule sets differ, parameter by parameter and script function by script function,
/// in Chinese: `policy.toml` keys added, removed or changed, then each function added, removed
/// or changed with a line diff.
pub fn diff_rulesets(a: &RuleSetFiles, b: &RuleSetFiles) -> String {
    let parse = |files: &RuleSetFiles| -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Some(value) = files
            .files
            .iter()
            .find(|(n, _)| n == POLICY_FILE)
            .and_then(|(_, t)| toml::from_str::<toml::Value>(t).ok())
        {
            flatten(&value, "", &mut out);
        }
        out
    };
    let (ka, kb) = (parse(a), parse(b));
    let mut out = String::new();
    let _ = writeln!(out, "规则集差异：{} → {}", a.name, b.name);
    let _ = writeln!(out, "\n## policy.toml");
    let mut policy_changes = 0;
    for key in ka.keys().chain(kb.keys().filter(|k| !ka.contains_key(*k))) {
        match (ka.get(key), kb.get(key)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => {
                policy_changes += 1;
                let _ = writeln!(out, "~ {key}：{x} → {y}");
            }
            (Some(x), None) => {
                policy_changes += 1;
                let _ = writeln!(out, "- {key}：{x}（删除）");
            }
            (None, Some(y)) => {
                policy_changes += 1;
                let _ = writeln!(out, "+ {key}：{y}（新增）");
            }
            (None, None) => {}
        }
    }
    if policy_changes == 0 {
        let _ = writeln!(out, "（无差异）");
    }
    let _ = writeln!(out, "\n## 脚本函数");
    let (fa, fb) = (functions(a), functions(b));
    let mut script_changes = 0;
    for name in fa.keys().chain(fb.keys().filter(|k| !fa.contains_key(*k))) {
        match (fa.get(name), fb.get(name)) {
            (Some((_, x)), Some((file, y))) if x != y => {
                script_changes += 1;
                let _ = writeln!(out, "~ {name}（{file}）");
                for change in TextDiff::from_lines(x.as_str(), y.as_str()).iter_all_changes() {
                    let sign = match change.tag() {
                        ChangeTag::Delete => "-",
                        ChangeTag::Insert => "+",
                        ChangeTag::Equal => " ",
                    };
                    let _ = write!(out, "    {sign} {}", change.value());
                    if change.missing_newline() {
                        out.push('\n');
                    }
                }
            }
            (Some((file, _)), None) => {
                script_changes += 1;
                let _ = writeln!(out, "- {name}（{file}，删除）");
            }
            (None, Some((file, _))) => {
                script_changes += 1;
                let _ = writeln!(out, "+ {name}（{file}，新增）");
            }
            _ => {}
        }
    }
    if script_changes == 0 {
        let _ = writeln!(out, "（无差异）");
    }
    let _ = writeln!(out, "\n共 {policy_changes} 处参数差异，{script_changes} 个函数差异");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_in_titles_are_replaced() {
        assert_eq!(
            replace_years("深圳市规则（2020—2021 年度）", 2022),
            "深圳市规则（2022 年度）"
        );
        assert_eq!(replace_years("四川省（2023 年起）", 2024), "四川省（2024 年起）");
        assert_eq!(replace_years("编号 123456", 2024), "编号 123456");
    }
}
