//! Editor workflows on rule-set folders: copying a set to a new budget year (`new-year`) and
//! comparing two sets key by key and script function by function (`diff --rules-only`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use similar::{ChangeTag, TextDiff};

use crate::policy::inherit::{self, Chain};
use crate::policy::{POLICY_FILE, PolicyError, RuleSet, RuleSetFiles, RuleSetOrigin};
use crate::report::output::write_atomic;
use crate::script::ast;

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

/// Writes a small rule set in the new folder `to` for budget year `year` that extends `from`
/// (`[ruleset] extends`): its own id (the folder name), title with the year updated, region,
/// covered years — everything else is inherited, to be overridden key by key where the new
/// year differs. `from`'s test cases are copied (they stay per set), and the policy schema is
/// written beside it for TOML editors.
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
    let doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| policy_error(&from.name, format!("policy.toml 无法解析：{e}")))?;
    let ruleset = doc
        .get("ruleset")
        .and_then(|r| r.as_table_like())
        .ok_or_else(|| policy_error(&from.name, "policy.toml 缺少 [ruleset]".into()))?;
    let text_of = |key: &str| ruleset.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let old_id = text_of("id").unwrap_or_default();
    let old_title = text_of("title").unwrap_or_else(|| old_id.clone());
    let title = replace_years(&old_title, year);
    let region = text_of("region");
    let national = ruleset
        .get("default_for_national")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let old_years = ruleset
        .get("years")
        .map(|v| v.to_string().trim().to_owned())
        .unwrap_or_default();

    std::fs::create_dir_all(to).map_err(|e| policy_error(&id, format!("无法创建 {}：{e}", to.display())))?;
    let extends = match &from.origin {
        RuleSetOrigin::Embedded => from.name.clone(),
        RuleSetOrigin::Folder(dir) => relative_path(to, dir),
    };
    let quote = |s: &str| toml_edit::Value::from(s).to_string().trim().to_owned();
    let mut policy = String::new();
    let _ = writeln!(policy, "#:schema ./policy.schema.json");
    let _ = writeln!(policy, "# {title}");
    let _ = writeln!(
        policy,
        "# 继承 {}（extends）：只写与之不同的部分。要改的键照 {} 的写法写在对应的表下，",
        from.name, from.name
    );
    let _ = writeln!(
        policy,
        "# 如 [params.名称] value = \"新值\"、[checks.F4] severity = \"error\"；要改的函数在本文件夹新建 .rhai 文件写同名函数。"
    );
    let _ = writeln!(policy, "\n[ruleset]");
    let _ = writeln!(policy, "extends = {}", quote(&extends));
    let _ = writeln!(policy, "id = {}", quote(&id));
    let _ = writeln!(policy, "title = {}", quote(&title));
    if let Some(region) = &region {
        let _ = writeln!(policy, "region = {}", quote(region));
    }
    let _ = writeln!(policy, "years = {{ from = {year}, to = {year} }}");
    if national {
        let _ = writeln!(policy, "default_for_national = true");
    }
    let changes = vec![
        format!("继承：extends = {}", quote(&extends)),
        format!("编号：{old_id} → {id}"),
        format!("名称：{old_title} → {title}"),
        format!("适用年度：{old_years} → {{ from = {year}, to = {year} }}"),
    ];

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

/// `target` as a path relative to the folder `from` (`../shenzhen-2020`), or absolute when
/// the two share no root.
fn relative_path(from: &Path, target: &Path) -> String {
    let (Ok(from), Ok(target)) = (from.canonicalize(), target.canonicalize()) else {
        return target.display().to_string();
    };
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = target.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return target.display().to_string();
    }
    let mut parts: Vec<String> = vec!["..".to_owned(); a.len() - common];
    parts.extend(
        b.iter()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
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

/// Script functions of a rule set with those it inherits, by name: the text from the comment
/// block above its `fn` line to the next function; a set's function replaces the one it inherits.
fn functions(files: &RuleSetFiles) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    let dropped = RuleSet::load(files.clone())
        .map(|rules| rules.dropped_functions.clone())
        .unwrap_or_default();
    let (chain, _) = Chain::resolve(files);
    for (file, text) in &inherit::script_files(&chain) {
        let file = match chain.script_file(file) {
            Some((layer, name)) if file.contains('/') => layer.path(&name),
            _ => file.clone(),
        };
        let lines: Vec<&str> = text.lines().collect();
        // Each function's `fn` line, as Rhai's tokenizer finds it.
        let definitions = ast::definitions(text);
        let starts: Vec<usize> = definitions.iter().map(|d| d.at.line.saturating_sub(1)).collect();
        for ((k, &start), definition) in starts.iter().enumerate().zip(&definitions) {
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
            let name = definition.name.clone();
            let body = lines.get(begin..stop).map(|ls| ls.join("\n")).unwrap_or_default();
            // An inherited function the set never reaches is not part of it.
            if dropped.iter().any(|(n, _)| *n == name) {
                continue;
            }
            out.insert(name, (file.clone(), body));
        }
    }
    out
}

/// How two rule sets differ, parameter by parameter and script function by script function,
/// in Chinese: `policy.toml` keys added, removed or changed, then each function added, removed
/// or changed with a line diff.
///
/// A set that extends another is compared as it applies, with what it inherits: a set beside
/// the set it extends shows exactly what it overrides.
///
/// What a set inherits but never uses (functions it never reaches, parameters no function of it
/// reads: [`crate::policy::inherit`]) is not part of it, and not compared.
pub fn diff_rulesets(a: &RuleSetFiles, b: &RuleSetFiles) -> String {
    let parse = |files: &RuleSetFiles| -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let (chain, _) = Chain::resolve(files);
        if let Some(value) = inherit::merged_value(&chain) {
            flatten(&value, "", &mut out);
        }
        if let Ok(rules) = RuleSet::load(files.clone()) {
            out.retain(|key, _| {
                key.strip_prefix("params.")
                    .and_then(|rest| rest.split('.').next())
                    .is_none_or(|name| rules.params.iter().any(|p| p.name == name))
            });
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
