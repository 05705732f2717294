//! One reading of rule scripts (`jixiao::script::ast`, Rhai's own AST): what looks like code in
//! a comment or a string — `if`, `{`, `}`, `fn g(`, `p.rate_places` — changes neither the
//! coverage probes of `jixiao test`, nor the parameters `explain` lists for a formula, nor
//! which functions run natively (the last in `native_paths`). Coverage probes every function
//! entry, `if`/`else` path and `switch` arm the AST shows, and the instrumented script still
//! gives the script's results.

use std::path::Path;

use jixiao::runs::ruletest::{Branch, instrument};
use jixiao::script::{ScriptLimits, ScriptSet, take_probes};

use crate::common::jixiao;

/// Branches as `function:label`, with the instrumented text.
fn branches(source: &str) -> (Vec<String>, String) {
    let mut id = 1;
    let mut found: Vec<Branch> = Vec::new();
    let out = instrument("t.rhai", source, &ScriptLimits::default(), &mut id, &mut found);
    let labels = found
        .iter()
        .map(|b| format!("{}:{}:{}", b.function, b.line, b.label))
        .collect();
    (labels, out)
}

#[test]
fn comments_and_strings_that_look_like_code_place_no_probes() {
    let plain = "fn f(x, p) {\n    if x > 1 { x } else { 0 }\n}\nfn g(x, p) {\n    if x > 1 { return x; }\n    x\n}\n";
    let trapped = "// fn g(x) { if x { } }\nfn f(x, p) { /* } fn h( { */\n    if x > 1 { x } else { 0 } // else if {\n}\n\
                   fn g(x, p) {\n    let s = \"} else { if p.rate_places {\";\n    let t = `${ #{ a: \"}\" }.a } fn k(`;\n    if x > 1 { return x; }\n    x\n}\n";
    let (plain_labels, _) = branches(plain);
    let (trapped_labels, out) = branches(trapped);
    assert_eq!(
        plain_labels,
        [
            "f:1:入口",
            "f:2:第 2 行 if 条件成立的分支",
            "f:2:第 2 行 else 分支",
            "g:4:入口",
            "g:5:第 5 行 if 条件成立的分支",
            "g:5:第 5 行 if 条件不成立（无 else）的路径",
        ]
    );
    // The same branches, at the lines the trapped text has them.
    assert_eq!(
        trapped_labels,
        [
            "f:2:入口",
            "f:3:第 3 行 if 条件成立的分支",
            "f:3:第 3 行 else 分支",
            "g:5:入口",
            "g:8:第 8 行 if 条件成立的分支",
            "g:8:第 8 行 if 条件不成立（无 else）的路径",
        ]
    );
    // Comments and strings are left as they were.
    assert!(out.contains("// fn g(x) { if x { } }\n"), "{out}");
    assert!(out.contains("\"} else { if p.rate_places {\""), "{out}");
    assert!(out.contains("return x; } else { __probe(6) }"), "{out}");
}

#[test]
fn explain_lists_the_parameters_the_code_reads_not_those_in_comments_or_strings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("child");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("policy.toml"),
        "[ruleset]\nextends = \"shenzhen-2020\"\nid = \"child\"\ntitle = \"子规则集\"\nregion = \"shenzhen\"\nyears = { from = 2020, to = 2021 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("formulas.rhai"),
        "// 执行率不舍入。注释里的 p.rate_places、fn g(x) {、if { 与 } 都不是代码。\nfn budget_rate(budget, executed, p) {\n    let note = \"p.rate_places } fn budget_score(x) { if {\";\n    executed / budget\n}\n",
    )
    .unwrap();
    let explain = |rules: &Path| {
        let (code, stdout, stderr) = jixiao(&[
            "explain",
            "tests/fixtures/forms/shenzhen-seed.tsv",
            "--year",
            "2021",
            "--rules",
            rules.to_str().unwrap(),
            "--document",
            "档案整理",
            "--indicator",
            "预算执行",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let mut calls = Vec::new();
        collect_calls(&json, &mut calls);
        calls
    };
    // The shipped formula reads p.rate_places; the child's only mentions it.
    let shipped = explain(Path::new("rules/shenzhen-2020"));
    assert!(
        shipped.contains(&("budget_rate".to_owned(), 9, vec!["rate_places".to_owned()])),
        "{shipped:?}"
    );
    let child = explain(&dir);
    assert!(child.contains(&("budget_rate".to_owned(), 2, vec![])), "{child:?}");
}

/// Every formula call in an explain JSON: function, line and the parameters it reads.
fn collect_calls(value: &serde_json::Value, out: &mut Vec<(String, u64, Vec<String>)>) {
    match value {
        serde_json::Value::Object(map) => {
            if let (Some(f), Some(line), Some(params)) = (
                map.get("function").and_then(|v| v.as_str()),
                map.get("line").and_then(serde_json::Value::as_u64),
                map.get("params").and_then(|v| v.as_array()),
            ) {
                let names = params
                    .iter()
                    .filter_map(|p| p.get("name").and_then(|n| n.as_str()).map(str::to_owned))
                    .collect();
                out.push((f.to_owned(), line, names));
            }
            for v in map.values() {
                collect_calls(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_calls(v, out)),
        _ => {}
    }
}

#[test]
fn ifs_in_expressions_and_closures_count_for_the_function_around_them() {
    let source =
        "fn f(xs, p) {\n    let y = if p.on { 1 } else {};\n    xs.map(|x| if x > y { x } else { y }).len()\n}\n";
    let (labels, out) = branches(source);
    assert_eq!(
        labels,
        [
            "f:1:入口",
            "f:2:第 2 行 if 条件成立的分支",
            "f:2:第 2 行 else 分支",
            "f:3:第 3 行 if 条件成立的分支",
            "f:3:第 3 行 else 分支",
        ]
    );
    assert!(out.contains("else { __probe(3);}"), "{out}");
    assert!(
        out.contains("|x| if x > y { __probe(4); x } else { __probe(5); y }"),
        "{out}"
    );
}

/// The shipped sets keep the branch counts they had when a hand lexer placed the probes.
#[test]
fn the_shipped_sets_keep_their_branch_counts() {
    for (id, total) in [("cn-mof-2020", 61), ("shenzhen-2020", 62), ("sichuan-2023", 61)] {
        let (code, stdout, stderr) = jixiao(&["test", &format!("rules/{id}"), "--require-coverage"]);
        assert_eq!(code, 0, "{id}: {stdout}{stderr}");
        assert!(
            stdout.contains(&format!("脚本分支：全部 {total} 个都有用例到达")),
            "{id}: {stdout}"
        );
    }
}

#[test]
fn every_switch_arm_is_a_branch_and_a_switch_without_default_has_one_more() {
    let source = "fn tier(x, p) {\n    switch x {\n        1 => \"优\",\n        2 | 3 => { \"良\" }\n        4 => if x > p.y { \"中\" } else { \"差\" }\n        _ => x.to_string() + \"}\",\n    }\n}\nfn grade(x, p) {\n    let g = switch x { 1 => 100 - x * 2, 2 => if x > 1 { 80 } else { 70 } };\n    g\n}\n";
    let (labels, out) = branches(source);
    assert_eq!(
        labels,
        [
            "tier:1:入口",
            "tier:3:第 3 行 switch 分支（第 2 行的 switch）",
            "tier:4:第 4 行 switch 分支（第 2 行的 switch）",
            "tier:5:第 5 行 switch 分支（第 2 行的 switch）",
            "tier:5:第 5 行 if 条件成立的分支",
            "tier:5:第 5 行 else 分支",
            "tier:6:第 6 行 switch 分支（第 2 行的 switch）",
            "grade:9:入口",
            "grade:10:第 10 行 switch 分支（第 10 行的 switch）",
            "grade:10:第 10 行 switch 分支（第 10 行的 switch）",
            "grade:10:第 10 行 if 条件成立的分支",
            "grade:10:第 10 行 else 分支",
            "grade:10:第 10 行 switch 没有匹配的分支（无 _）的路径",
        ]
    );
    // The instrumented script runs and gives the same results, reaching the arms it takes.
    let set = ScriptSet::compile_probed("t", &[("t.rhai".into(), out.clone())], &ScriptLimits::default()).unwrap();
    let p = rhai::Dynamic::from_map(rhai::Map::from([("y".into(), rhai::Dynamic::from_int(4))]));
    let _ = take_probes();
    let r: String = set.call("tier", (4_i64, p.clone())).unwrap();
    assert_eq!(r, "差");
    assert_eq!(take_probes().into_iter().collect::<Vec<_>>(), [1, 4, 6], "{out}");
    let r: String = set.call("tier", (9_i64, p.clone())).unwrap();
    assert_eq!(r, "9}");
    let r: i64 = set.call("grade", (1_i64, p.clone())).unwrap();
    assert_eq!(r, 98);
    let _ = take_probes();
    let r: () = set.call("grade", (7_i64, p)).unwrap();
    assert_eq!(r, ());
    assert_eq!(take_probes().into_iter().collect::<Vec<_>>(), [8, 13], "{out}");
}
