//! The source tree follows the flow of data, and this test keeps it so: every `crate::` path in
//! `src/` is read, each module's dependencies are collected, and the test fails when a folder
//! uses a later stage (say `engine/` reaching into `runs/`) or when modules depend on each
//! other in a cycle. Run it with `--nocapture` to print the graph:
//! `cargo test --test tests architecture -- --nocapture`.
//!
//! Only `crate::` paths count: a folder's `mod.rs` and its own files may refer to each other
//! with `super::` (the folder's shared types live in its `mod.rs`), which is the folder's own
//! business, not a dependency between stages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The library's stages in data-flow order; each may use only itself and earlier ones. The
/// command line (`src/cli/`, in the binary) comes last and may use them all.
const STAGES: &[&str] = &[
    "model", "ingest", "script", "policy", "engine", "report", "runs", "serve", "cli",
];

/// Module path (`engine::scoring`) → the module paths its `crate::` paths name.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn module_path(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts.join("::")
}

/// Source text without comments (line comments, doc comments) and string literals, so that a
/// path in a comment or a message is not taken for a dependency.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            // A char literal (`'"'`, `'\''`), not a lifetime (`'a`).
            '\'' => {
                let ahead: String = chars.clone().take(12).collect();
                let len = if ahead.starts_with('\\') {
                    ahead
                        .char_indices()
                        .skip(1)
                        .find(|&(_, c)| c == '\'')
                        .map(|(i, _)| i + 1)
                } else {
                    let mut it = ahead.chars();
                    match (it.next(), it.next()) {
                        (Some(c), Some('\'')) => Some(c.len_utf8() + 1),
                        _ => None,
                    }
                };
                match len {
                    Some(n) => {
                        let skipped: String = chars.by_ref().take(ahead[..n].chars().count()).collect();
                        debug_assert!(skipped.ends_with('\''));
                        out.push_str("' '");
                    }
                    None => out.push(c),
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every `crate::a::b…` path in `code`, with `use crate::{a::x, b::{y, z}}` groups expanded.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
        let tree = tree.trim();
        if tree.is_empty() {
            return;
        }
        if let Some(inner) = tree.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(prefix, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            expand(prefix, &inner[start..], out);
            return;
        }
        match tree.find("::{") {
            Some(i) => {
                let mut p = prefix.to_vec();
                p.extend(tree[..i].split("::").map(|s| s.trim().to_owned()));
                expand(&p, &tree[i + 2..], out);
            }
            None => {
                let mut p = prefix.to_vec();
                let path = tree.split(" as ").next().unwrap_or(tree);
                p.extend(path.split("::").map(|s| s.trim().to_owned()));
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().next_back();
        let after = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            rest = after;
            continue;
        }
        if after.starts_with('{') {
            let mut depth = 0;
            let end = after
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(after.len(), |(i, _)| i + 1);
            expand(&[], &after[..end], &mut out);
            rest = &after[end..];
        } else {
            let end = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(after.len());
            let path: Vec<String> = after[..end]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            out.push(path);
            rest = &after[end..];
        }
    }
    out
}

/// The module graph of the library (`src/` but the binary) and of the command line
/// (`src/cli/`, whose `crate::` is the binary; its `jixiao::` paths are the library's).
fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            files.insert(module_path(&src, entry.path()), code_only(&text));
        }
    }
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    // The longest module that a path names (`engine::scoring::Scorecard` → `engine::scoring`).
    let owner = |path: &[String]| -> Option<String> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].join("::"))
            .find(|m| modules.contains(m))
    };
    let mut graph = Graph::new();
    for (module, code) in &files {
        if module.is_empty() || module == "main" {
            continue;
        }
        // In the binary, `crate::cli::…` is the command line and `jixiao::…` the library: both
        // name modules of the one tree.
        let paths = if module.starts_with("cli") {
            crate_paths(&code.replace("jixiao::", "crate::"))
        } else {
            crate_paths(code)
        };
        let deps = graph.entry(module.clone()).or_default();
        for path in paths {
            if let Some(target) = owner(&path).filter(|t| t != module && !t.is_empty()) {
                deps.insert(target);
            }
        }
    }
    graph
}

fn stage_of(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

/// The cycles of a graph (strongly connected components of more than one node).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct Tarjan<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.found
}

#[test]
fn stages_depend_only_on_earlier_stages_and_modules_form_no_cycle() {
    let graph = graph();
    let mut by_stage: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (module, deps) in &graph {
        println!("{module} → {}", deps.iter().cloned().collect::<Vec<_>>().join(", "));
        for dep in deps {
            by_stage.entry(stage_of(module)).or_default().insert(stage_of(dep));
        }
    }
    println!();
    let mut upward = Vec::new();
    for stage in STAGES {
        let uses: Vec<&str> = by_stage
            .get(stage)
            .map(|s| s.iter().copied().filter(|d| d != stage).collect())
            .unwrap_or_default();
        println!("{stage} → {}", uses.join(", "));
        let rank = |s: &str| STAGES.iter().position(|x| *x == s);
        for dep in uses {
            match (rank(stage), rank(dep)) {
                (Some(a), Some(b)) if b < a => {}
                _ => upward.push(format!("{stage} → {dep}")),
            }
        }
    }
    let unknown: Vec<&String> = graph.keys().filter(|m| !STAGES.contains(&stage_of(m))).collect();
    assert!(unknown.is_empty(), "modules outside the stage folders: {unknown:?}");
    assert!(upward.is_empty(), "stages that use a later stage: {upward:?}");
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "modules that depend on each other in a cycle: {found:?}"
    );
}

#[test]
fn the_path_reader_sees_grouped_imports_and_inline_paths() {
    let code = code_only(
        "use crate::{engine::scoring::{A, B}, model::document as d};\n// crate::runs::batch\nfn f<'a>() { let q = '\"'; crate::policy::select::x(\"crate::report\") }",
    );
    let paths: Vec<String> = crate_paths(&code).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        paths,
        [
            "engine::scoring::A",
            "engine::scoring::B",
            "model::document",
            "policy::select::x"
        ]
    );
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycles(&g), [vec!["a".to_owned(), "b".to_owned()]]);
}
