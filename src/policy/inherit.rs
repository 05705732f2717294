//! Rule sets that extend another: `[ruleset] extends = "<内置编号或文件夹>"`.
//!
//! A child set writes only what differs from its parent. Each `policy.toml` of the chain is
//! parsed on its own, then the tables are merged key by key, the child winning: a `[table]`
//! (`[profile]`, `[params.x]`, `[checks.F4]`) merges key by key, while a value — a string, a
//! number, an array (`[[grades]]`, `sources`) or an inline table (`level1 = { … }`) — is replaced
//! whole. The identity keys of `[ruleset]` ([`OWN_KEYS`]) and `scripts` are never inherited.
//! Scripts: the parent's functions come first and a child's function with the same name and
//! number of parameters replaces the parent's; inherited functions (and inherited `[params]`)
//! the child never reaches are left out ([`super::lint`]).
//!
//! The policy texts of the chain are laid end to end in one joined text ([`Chain::joined`]), each
//! parsed at its own offset, so every span of the merged policy names one file and a place in
//! it ([`Chain::at`]): diagnostics, `explain` and `check` point at the file a value came from.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::model::PolicyFile;
use super::{POLICY_FILE, RuleSetFiles, RuleSetOrigin, embedded};
use crate::model::diagnostic::{Diagnostic, Loc, line_col};

/// The deepest chain of `extends` followed.
const MAX_DEPTH: usize = 8;

/// Keys of `[ruleset]` that name the set itself: a child writes its own, never inherits them.
pub const OWN_KEYS: &[&str] = &["id", "title", "years", "region", "default_for_national", "extends"];

/// Keys of one `[params.x]` that stand for one another: a child writing one drops the parent's
/// other (a plain value replaced by values per year, or back).
const EXCLUSIVE: &[(&str, &str)] = &[("value", "by_year"), ("by_year", "value")];

/// One rule set of a chain.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Its files.
    pub files: RuleSetFiles,
    /// Where its `policy.toml` starts in [`Chain::joined`].
    pub base: usize,
    /// Its `policy.toml` ("" when it has none).
    pub policy: Arc<str>,
}

impl Layer {
    /// A file of this set as a path an editor can open (`rules/cn-mof-2020/policy.toml` for an
    /// embedded set).
    #[must_use]
    pub fn path(&self, file: &str) -> String {
        file_path(&self.files, file)
    }
}

/// A file of a rule set as a path an editor can open.
#[must_use]
pub fn file_path(files: &RuleSetFiles, file: &str) -> String {
    match &files.origin {
        RuleSetOrigin::Embedded => format!("rules/{}/{file}", files.name),
        RuleSetOrigin::Folder(dir) => dir.join(file).display().to_string(),
    }
}

/// A rule set with the sets it extends, root first and the set itself last.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Root first; the set itself last (one layer when it extends nothing).
    pub layers: Vec<Layer>,
    /// Every layer's `policy.toml`, laid end to end with a newline between.
    pub joined: String,
}

impl Chain {
    /// Follows `extends` from `files` to the root. A missing parent, a cycle or too deep a
    /// chain is an error at the `extends` value; the chain then stops there.
    #[must_use]
    pub fn resolve(files: &RuleSetFiles) -> (Self, Vec<Diagnostic>) {
        let mut stack = vec![files.clone()];
        let mut seen = vec![identity(files)];
        let mut problems = Vec::new();
        while let Some(current) = stack.last() {
            let Some(text) = current.get(POLICY_FILE) else { break };
            let Some((spec, span)) = extends_of(text) else { break };
            let loc = Loc::in_ruleset(&current.name, POLICY_FILE)
                .with_source(Arc::from(text))
                .at_span(span);
            if stack.len() > MAX_DEPTH {
                problems.push(
                    Diagnostic::error(
                        "jixiao::policy::extends",
                        loc,
                        format!("extends 继承超过 {MAX_DEPTH} 层"),
                    )
                    .with_help("让规则集直接继承更上层的规则集，减少层数"),
                );
                break;
            }
            match parent_of(current, &spec) {
                Err(message) => {
                    problems.push(Diagnostic::error("jixiao::policy::extends", loc, message).with_help(
                        "写内置规则集的编号（如 \"cn-mof-2020\"），或相对本规则集文件夹的路径（如 \"../cn-mof-2020\"）",
                    ));
                    break;
                }
                Ok(parent) => {
                    let id = identity(&parent);
                    if let Some(first) = seen.iter().position(|s| *s == id) {
                        let mut names: Vec<&str> = stack.iter().skip(first).map(|f| f.name.as_str()).collect();
                        names.push(parent.name.as_str());
                        problems.push(
                            Diagnostic::error(
                                "jixiao::policy::extends",
                                loc,
                                format!("extends 形成循环：{}", names.join(" → ")),
                            )
                            .with_help("规则集不能直接或间接继承自己；删掉其中一处 extends"),
                        );
                        break;
                    }
                    seen.push(id);
                    stack.push(parent);
                }
            }
        }
        stack.reverse();
        let mut joined = String::new();
        let mut layers = Vec::new();
        for files in stack {
            let policy: Arc<str> = Arc::from(files.get(POLICY_FILE).unwrap_or_default());
            let base = joined.len();
            joined.push_str(&policy);
            joined.push('\n');
            layers.push(Layer { files, base, policy });
        }
        (Self { layers, joined }, problems)
    }

    /// Whether the set extends another.
    #[must_use]
    pub fn extends(&self) -> bool {
        self.layers.len() > 1
    }

    /// The set itself.
    #[must_use]
    pub fn own(&self) -> Option<&Layer> {
        self.layers.last()
    }

    /// Index of the layer whose `policy.toml` holds the joined offset `offset`.
    #[must_use]
    pub fn layer_at(&self, offset: usize) -> usize {
        self.layers.iter().rposition(|l| l.base <= offset).unwrap_or(0)
    }

    /// Whether the joined offset lies in a file the set inherits (not its own).
    #[must_use]
    pub fn inherited(&self, offset: usize) -> bool {
        self.layer_at(offset) + 1 < self.layers.len()
    }

    /// A span of the joined policy text as a place in the `policy.toml` it falls in.
    #[must_use]
    pub fn at(&self, span: Range<usize>) -> Loc {
        let Some(layer) = self.layers.get(self.layer_at(span.start)) else {
            return Loc::in_ruleset("", POLICY_FILE);
        };
        // Within the file: a span the merge made may run past it.
        let len = layer.policy.len();
        let start = (span.start - layer.base).min(len);
        let end = span.end.saturating_sub(layer.base).clamp(start, len);
        Loc::in_ruleset(&layer.files.name, POLICY_FILE)
            .with_source(layer.policy.clone())
            .at_span(start..end)
    }

    /// `rules/cn-mof-2020/policy.toml:95` for a span of the joined policy text.
    #[must_use]
    pub fn place(&self, span: &Range<usize>) -> String {
        let Some(layer) = self.layers.get(self.layer_at(span.start)) else {
            return String::new();
        };
        let (line, _) = line_col(&layer.policy, (span.start - layer.base).min(layer.policy.len()));
        format!("{}:{line}", layer.path(POLICY_FILE))
    }

    /// The script key of a layer's file: the own set's files by name, an inherited one as
    /// `parent/file`.
    #[must_use]
    pub fn script_key(&self, layer: usize, file: &str) -> String {
        match self.layers.get(layer) {
            Some(l) if layer + 1 < self.layers.len() => format!("{}/{file}", l.files.name),
            _ => file.to_owned(),
        }
    }

    /// The layer and file of a script key.
    #[must_use]
    pub fn script_file(&self, key: &str) -> Option<(&Layer, String)> {
        match key.split_once('/') {
            Some((name, file)) => self
                .layers
                .iter()
                .rev()
                .skip(1)
                .find(|l| l.files.name == name)
                .map(|l| (l, file.to_owned())),
            None => self.own().map(|l| (l, key.to_owned())),
        }
    }
}

/// What identifies a set in a chain, to find cycles.
fn identity(files: &RuleSetFiles) -> String {
    match &files.origin {
        RuleSetOrigin::Embedded => format!("内置:{}", files.name),
        RuleSetOrigin::Folder(dir) => dir.canonicalize().unwrap_or_else(|_| dir.clone()).display().to_string(),
    }
}

/// `[ruleset] extends` of a policy text, with the span of its value.
#[must_use]
pub fn extends_of(text: &str) -> Option<(String, Range<usize>)> {
    let root = DeTable::parse(text).ok()?;
    let ruleset = root.get_ref().get("ruleset")?;
    let extends = ruleset.get_ref().as_table()?.get("extends")?;
    Some((extends.get_ref().as_str()?.to_owned(), extends.span()))
}

/// The parent named by `spec`: a folder relative to the child's folder, else an embedded set.
fn parent_of(child: &RuleSetFiles, spec: &str) -> Result<RuleSetFiles, String> {
    if let RuleSetOrigin::Folder(dir) = &child.origin {
        let path = dir.join(spec);
        if path.is_dir() {
            return RuleSetFiles::read_folder(&path).map_err(|e| format!("上级规则集 {spec} 无法读取：{e}"));
        }
    }
    let id = match &child.origin {
        // Beside the other embedded sets, "../cn-mof-2020" names "cn-mof-2020".
        RuleSetOrigin::Embedded => spec.strip_prefix("../").unwrap_or(spec),
        RuleSetOrigin::Folder(_) => spec,
    };
    embedded::files(id).ok_or_else(|| {
        let at = match &child.origin {
            RuleSetOrigin::Folder(dir) => format!("，也不是文件夹 {}", Path::new(dir).join(spec).display()),
            RuleSetOrigin::Embedded => String::new(),
        };
        format!(
            "找不到上级规则集“{spec}”：它不是内置规则集（{}）{at}",
            embedded::ids().join("、")
        )
    })
}

/// A `scripts = [ … ]` list: each file name with the joined span of its string.
pub type ScriptList = Vec<(String, Range<usize>)>;

/// A chain's policy, merged and read.
#[derive(Debug, Default)]
pub struct Merged {
    /// The merged policy, when every file parses and the merge reads as a policy.
    pub raw: Option<PolicyFile>,
    /// TOML errors: joined span and serde's message.
    pub errors: Vec<(Range<usize>, String)>,
    /// Each layer's own `scripts` list (name and joined span), when it writes one.
    pub scripts: Vec<Option<ScriptList>>,
    /// Overrides that change nothing: the key's path (`checks.F4.severity`) and the joined span
    /// of the child's key and value.
    pub unchanged: Vec<(String, Range<usize>)>,
}

/// Parses every `policy.toml` of the chain at its offset and merges them, the child winning.
#[must_use]
pub fn merge(chain: &Chain) -> Merged {
    let (raw, mut out) = merge_as::<PolicyFile>(chain);
    out.raw = raw;
    out
}

/// The chain's policy merged, as a plain TOML value (what `diff --rules-only` compares).
#[must_use]
pub fn merged_value(chain: &Chain) -> Option<toml::Value> {
    merge_as::<toml::Value>(chain).0
}

/// Parses and merges the chain's policies, and reads the merged table as a `T`.
fn merge_as<T: serde::de::DeserializeOwned>(chain: &Chain) -> (Option<T>, Merged) {
    let mut out = Merged::default();
    let padded: Vec<String> = chain
        .layers
        .iter()
        .map(|l| {
            let mut text = " ".repeat(l.base);
            text.push_str(&l.policy);
            text
        })
        .collect();
    let mut tables = Vec::new();
    for (text, layer) in padded.iter().zip(&chain.layers) {
        match DeTable::parse(text) {
            Ok(table) => {
                out.scripts.push(scripts_of(table.get_ref()));
                tables.push(table);
            }
            Err(e) => {
                out.scripts.push(None);
                out.errors.push((
                    e.span().unwrap_or(layer.base..layer.base),
                    e.message().trim().to_owned(),
                ));
            }
        }
    }
    if !out.errors.is_empty() {
        return (None, out);
    }
    let mut tables = tables.into_iter();
    let Some(first) = tables.next() else { return (None, out) };
    let mut span = first.span();
    let mut merged = first.into_inner();
    for table in tables {
        // What names the parent, and its script list, stay with it.
        merged.remove("scripts");
        if let Some(ruleset) = merged.get_mut("ruleset") {
            if let DeValue::Table(t) = ruleset.get_mut() {
                for key in OWN_KEYS {
                    t.remove(*key);
                }
            }
        }
        span = table.span();
        merge_tables(&mut merged, table.into_inner(), &chain.joined, "", &mut out.unchanged);
    }
    match T::deserialize(toml::de::Deserializer::from(Spanned::new(span, merged))) {
        Ok(value) => (Some(value), out),
        Err(e) => {
            out.errors
                .push((e.span().unwrap_or(0..0), e.message().trim().to_owned()));
            (None, out)
        }
    }
}

/// Script files of the chain in order, inherited ones named `parent/file`: each set's every
/// `.rhai` file (what `diff --rules-only` compares; loading follows `scripts` lists).
#[must_use]
pub fn script_files(chain: &Chain) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, layer) in chain.layers.iter().enumerate() {
        for (name, text) in layer.files.files.iter().filter(|(n, _)| n.ends_with(".rhai")) {
            out.push((chain.script_key(i, name), text.clone()));
        }
    }
    out
}

/// A layer's own `scripts = [ … ]`.
fn scripts_of(table: &DeTable) -> Option<ScriptList> {
    let list = table.get("scripts")?;
    let DeValue::Array(items) = list.get_ref() else {
        return None;
    };
    Some(
        items
            .iter()
            .filter_map(|i| i.get_ref().as_str().map(|s| (s.to_owned(), i.span())))
            .collect(),
    )
}

/// Whether a table value is written inline (`{ … }`): then it is a value, replaced whole.
fn inline(joined: &str, value: &Spanned<DeValue>) -> bool {
    joined.as_bytes().get(value.span().start) == Some(&b'{')
}

/// Merges `from` (the child's) into `into` (what the parents make), key by key.
fn merge_tables<'a>(
    into: &mut DeTable<'a>,
    from: DeTable<'a>,
    joined: &str,
    path: &str,
    unchanged: &mut Vec<(String, Range<usize>)>,
) {
    let written: BTreeSet<String> = from.keys().map(|k| k.get_ref().to_string()).collect();
    if path.strip_prefix("params.").is_some_and(|name| !name.contains('.')) {
        for (key, other) in EXCLUSIVE {
            if written.contains(*key) && !written.contains(*other) {
                into.remove(*other);
            }
        }
    }
    for (key, value) in from {
        let name = key.get_ref().to_string();
        let here = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        match into.remove(name.as_str()) {
            Some(old)
                if old.get_ref().is_table()
                    && value.get_ref().is_table()
                    && !inline(joined, &old)
                    && !inline(joined, &value) =>
            {
                let span = value.span();
                if let (DeValue::Table(mut parent), DeValue::Table(child)) = (old.into_inner(), value.into_inner()) {
                    merge_tables(&mut parent, child, joined, &here, unchanged);
                    into.insert(key, Spanned::new(span, DeValue::Table(parent)));
                }
            }
            Some(old) => {
                if same(old.get_ref(), value.get_ref()) {
                    unchanged.push((here, key.span().start..value.span().end));
                }
                into.insert(key, value);
            }
            None => {
                into.insert(key, value);
            }
        }
    }
}

/// Whether two TOML values are written the same (spans aside).
fn same(a: &DeValue, b: &DeValue) -> bool {
    match (a, b) {
        (DeValue::String(x), DeValue::String(y)) => x == y,
        (DeValue::Integer(x), DeValue::Integer(y)) => x.as_str() == y.as_str() && x.radix() == y.radix(),
        (DeValue::Float(x), DeValue::Float(y)) => x.as_str() == y.as_str(),
        (DeValue::Boolean(x), DeValue::Boolean(y)) => x == y,
        (DeValue::Datetime(x), DeValue::Datetime(y)) => x == y,
        (DeValue::Array(x), DeValue::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(x, y)| same(x.get_ref(), y.get_ref()))
        }
        (DeValue::Table(x), DeValue::Table(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.get(k.get_ref().as_ref())
                        .is_some_and(|w| same(v.get_ref(), w.get_ref()))
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(name: &str, policy: &str) -> RuleSetFiles {
        RuleSetFiles {
            origin: RuleSetOrigin::Embedded,
            name: name.to_owned(),
            files: vec![(POLICY_FILE.to_owned(), policy.to_owned())],
        }
    }

    /// A chain of policy texts, root first, as [`Chain::resolve`] lays them out.
    fn chain_of(texts: &[&str]) -> Chain {
        let mut joined = String::new();
        let mut layers = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let base = joined.len();
            joined.push_str(text);
            joined.push('\n');
            layers.push(Layer {
                files: files(&format!("set{i}"), text),
                base,
                policy: Arc::from(*text),
            });
        }
        Chain { layers, joined }
    }

    #[test]
    fn tables_merge_key_by_key_and_values_replace_whole() {
        let chain = chain_of(&[
            "[ruleset]\nid = \"p\"\ndefault_for_national = true\nsources = [{ title = \"甲\" }, { title = \"乙\" }]\n[profile]\nbudget = 10\nlevel1 = { \"产出指标\" = 50, \"效益指标\" = 40 }\n[params.x]\nvalue = 1\ndescription = \"x\"\n",
            "[ruleset]\nid = \"c\"\nsources = [{ title = \"丙\" }]\n[profile]\nlevel1 = { \"产出指标\" = 90 }\n[params.x]\nby_year = { \"2020\" = 1, \"2023\" = 2 }\n",
        ]);
        let value = merged_value(&chain).unwrap();
        let get = |path: &str| {
            path.split('.')
                .try_fold(&value, |v, k| v.get(k))
                .map(ToString::to_string)
        };
        assert_eq!(get("ruleset.id").as_deref(), Some("\"c\""));
        assert_eq!(
            get("ruleset.default_for_national"),
            None,
            "identity keys are not inherited"
        );
        assert_eq!(
            value["ruleset"]["sources"].as_array().map(Vec::len),
            Some(1),
            "arrays replace whole"
        );
        assert_eq!(get("profile.budget").as_deref(), Some("10"), "tables merge key by key");
        assert_eq!(
            value["profile"]["level1"].as_table().map(|t| t.len()),
            Some(1),
            "inline tables replace whole"
        );
        assert_eq!(get("params.x.value"), None, "by_year replaces value");
        assert_eq!(get("params.x.description").as_deref(), Some("\"x\""));
    }

    #[test]
    fn an_override_equal_to_the_parent_is_found_in_the_childs_file() {
        let chain = chain_of(&[
            "[rounding]\nmode = \"half_up\"\nscore_places = 2\n",
            "[rounding]\nmode = \"half_up\"\nscore_places = 3\n",
        ]);
        let merged = merge(&chain);
        let [(path, span)] = merged.unchanged.as_slice() else {
            panic!("{:?}", merged.unchanged)
        };
        assert_eq!(path, "rounding.mode");
        assert!(!chain.inherited(span.start));
        assert_eq!(chain.at(span.clone()).line_col(), Some((2, 1)));
    }

    #[test]
    fn inline_tables_start_with_a_brace_and_header_tables_do_not() {
        let text = "[a]\nx = 1\n[b]\ny = { z = 1 }\n";
        let root = DeTable::parse(text).unwrap();
        let a = root.get_ref().get("a").unwrap();
        let b = root.get_ref().get("b").unwrap();
        let y = b.get_ref().as_table().unwrap().get("y").unwrap();
        assert!(!inline(text, a));
        assert!(!inline(text, b));
        assert!(inline(text, y));
    }

    #[test]
    fn a_child_naming_a_missing_parent_gets_an_error_at_the_value() {
        let child = files("child", "[ruleset]\nextends = \"no-such-set\"\n");
        let (chain, problems) = Chain::resolve(&child);
        assert_eq!(chain.layers.len(), 1);
        let [problem] = problems.as_slice() else {
            panic!("{problems:?}")
        };
        assert!(problem.message.contains("no-such-set"), "{}", problem.message);
        assert_eq!(problem.loc.line_col(), Some((2, 11)));
    }
}
