//! Native fast paths (`jixiao::script::native`): every shipped script function is recognised; an
//! edited one runs in Rhai again; and natives give exactly the scripts' results — the same
//! scorecards, byte for byte, over every shipped rule set's own cases and a generated corpus,
//! and the same value and representation for each template on random arguments.

use std::path::Path;
use std::sync::Arc;

use jixiao::engine::scoring::score_document;
use jixiao::model::document::EvaluationDocument;
use jixiao::policy::{RuleSet, RuleSetFiles, embedded};
use jixiao::runs::ruletest::load_case;
use jixiao::script::ScriptLimits;
use jixiao::script::native::{Builtin, Natives};
use proptest::prelude::*;
use rhai::{Dynamic, Map};
use rust_decimal::Decimal;

fn load(id: &str) -> RuleSet {
    RuleSet::load(embedded::files(id).unwrap()).unwrap()
}

/// The same rule set, every function run in the interpreter.
fn scripts_only(rules: &RuleSet) -> RuleSet {
    let mut copy = RuleSet::load(rules.files.clone()).unwrap();
    Arc::get_mut(&mut copy.scripts).unwrap().clear_natives();
    assert!(copy.scripts.natives().is_empty());
    copy
}

fn script_files(id: &str) -> Vec<(String, String)> {
    embedded::files(id)
        .unwrap()
        .files
        .into_iter()
        .filter(|(n, _)| n.ends_with(".rhai"))
        .collect()
}

fn json(rules: &RuleSet, doc: &EvaluationDocument) -> String {
    serde_json::to_string(&score_document(rules, doc).unwrap()).unwrap()
}

#[test]
fn every_function_of_every_shipped_rule_set_runs_natively() {
    for id in embedded::ids() {
        let rules = load(id);
        let natives = rules.scripts.natives();
        let defined: Vec<String> = rules.scripts.functions().into_iter().map(|f| f.name).collect();
        assert_eq!(natives.names(), defined, "{id}: every script function is a template");
        let f = &rules.formulas;
        for name in [
            &f.budget_rate,
            &f.budget_score,
            &f.forward,
            &f.reverse,
            &f.equal,
            &f.qualitative,
            &f.deadline,
        ] {
            assert!(natives.get(name).is_some(), "{id}: formula {name}");
        }
    }
}

#[test]
fn an_edited_function_runs_in_the_interpreter_and_so_do_its_callers() {
    let files = script_files("cn-mof-2020");
    let edit = |old: &str, new: &str| -> Natives {
        let edited: Vec<(String, String)> = files
            .iter()
            .map(|(n, s)| {
                if s.contains(old) {
                    (n.clone(), s.replacen(old, new, 1))
                } else {
                    (n.clone(), s.clone())
                }
            })
            .collect();
        assert_ne!(edited, files, "{old:?} must occur");
        Natives::recognise(&edited, &ScriptLimits::default())
    };
    let all = Natives::recognise(&files, &ScriptLimits::default());
    assert_eq!(all.get("forward_score"), Some(Builtin::Forward));
    assert_eq!(all.get("equal_score"), Some(Builtin::Equal));

    // Changing the formula itself (a different rounding here) leaves it to Rhai, and equal_score,
    // which calls it, too; the others stay native.
    let changed = edit(
        "        a * weight / target\n",
        "        round_half_up(a * weight / target, 1)\n",
    );
    assert_eq!(changed.get("forward_score"), None);
    assert_eq!(changed.get("equal_score"), None);
    assert_eq!(changed.get("reverse_linear_score"), Some(Builtin::ReverseLinear));

    // Comments and white space do not change what a function does.
    let respaced = edit(
        "let a = max(actual, 0);\n    if a >= target",
        "let a = max(actual, 0);   // 负数按 0 计\n\n        if a >=   target",
    );
    assert_eq!(respaced.get("forward_score"), Some(Builtin::Forward));
    assert_eq!(respaced.get("equal_score"), Some(Builtin::Equal));

    // Nor do comments holding what a hand reader of the text would take for code, or
    // parentheses that say what Rhai reads anyway.
    let commented = edit(
        "let a = max(actual, 0);\n",
        "let a = max(actual, 0); // if { } fn min(a, b) { \"p.rate_places\n    /* } fn g(x) { */\n",
    );
    assert_eq!(commented.get("forward_score"), Some(Builtin::Forward));
    assert_eq!(commented.get("budget_rate"), Some(Builtin::BudgetRateExact));
    let parenthesised = edit("        a * weight / target\n", "        (a * weight) / target\n");
    assert_eq!(parenthesised.get("forward_score"), Some(Builtin::Forward));
    let regrouped = edit("        a * weight / target\n", "        a * (weight / target)\n");
    assert_eq!(regrouped.get("forward_score"), None);

    // Spacing inside a string literal does.
    let message = edit("\"低于\"", "\"低于 \"");
    assert_eq!(message.get("check_rate_reason"), None);
    assert_eq!(message.get("check_note_substance"), Some(Builtin::CheckNoteSubstance));
    let interpolated = edit("`逾期 ${f.days_late} 天完成", "`逾期  ${f.days_late} 天完成");
    assert_eq!(interpolated.get("check_shortfall_explained"), None);

    // A script redefining a host function the templates use changes them all.
    let shadowed = edit("fn budget_rate(", "fn min(a, b) { a }\nfn budget_rate(");
    assert!(shadowed.is_empty());

    // Two definitions under one name: which one Rhai calls is Rhai's business.
    let twice = edit("fn budget_rate(", "fn forward_score(t, a, w) { w }\nfn budget_rate(");
    assert_eq!(twice.get("forward_score"), None);
    assert_eq!(twice.get("budget_rate"), Some(Builtin::BudgetRateExact));
}

#[test]
fn natives_score_every_shipped_case_and_check_fixture_exactly_as_the_scripts_do() {
    let validator = jixiao::ingest::validate::DocumentValidator::shared().unwrap();
    let fixtures: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks"))
        .unwrap()
        .flat_map(|code| std::fs::read_dir(code.unwrap().path()).unwrap())
        .map(|f| {
            let path = f.unwrap().path();
            let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            (validator.check(&value).unwrap(), path)
        })
        .collect();
    let mut compared = 0;
    for id in embedded::ids() {
        let rules = load(id);
        let interpreted = scripts_only(&rules);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("rules")
            .join(id)
            .join("tests");
        for (file, text) in RuleSetFiles::read_folder_tests(dir.parent().unwrap()).unwrap() {
            let case = load_case(&file, &text, Some(&dir)).unwrap();
            assert_eq!(
                json(&rules, &case.document),
                json(&interpreted, &case.document),
                "{id} {file}"
            );
            compared += 1;
        }
        // Every check fixture under every set, whatever set its own year and region select.
        for (doc, path) in &fixtures {
            assert_eq!(json(&rules, doc), json(&interpreted, doc), "{id} {}", path.display());
            compared += 1;
        }
    }
    assert!(compared > 400, "only {compared} documents compared");
}

#[test]
fn natives_score_a_generated_corpus_exactly_as_the_scripts_do() {
    let sets: Vec<(RuleSet, RuleSet)> = embedded::ids()
        .into_iter()
        .map(|id| {
            let rules = load(id);
            let interpreted = scripts_only(&rules);
            (rules, interpreted)
        })
        .collect();
    // Each document under the set its region and year select and under one more set in turn,
    // so every shipped set scores a share of the corpus whatever regions the generator makes.
    let catalogue = jixiao::policy::select::Catalogue::embedded().unwrap();
    let mut per_set = std::collections::BTreeMap::new();
    for (i, doc) in jixiao::runs::generate::generate(11, 3_000).enumerate() {
        let chosen = catalogue.select(doc.year, doc.region.as_deref()).unwrap();
        let selected = sets.iter().find(|(r, _)| r.id == chosen.id).unwrap();
        for (native, interpreted) in [selected, &sets[i % sets.len()]] {
            assert_eq!(
                json(native, &doc),
                json(interpreted, &doc),
                "{} under {}",
                doc.id,
                native.id
            );
            *per_set.entry(native.id.clone()).or_insert(0) += 1;
        }
    }
    assert_eq!(per_set.len(), sets.len(), "every shipped set is exercised: {per_set:?}");
}

#[test]
fn natives_decide_the_usual_cases_themselves() {
    // Facts as scoring builds them, for a deviating indicator with a note and for a clean one.
    let deviating = |key: &str| -> Dynamic {
        match key {
            "target_value" => Dynamic::from_decimal(Decimal::new(100, 0)),
            "actual_value" | "rate" => Dynamic::from_decimal(Decimal::new(2000, 0)),
            "ratio" => Dynamic::from_decimal(Decimal::new(20, 0)),
            "shortfall" => Dynamic::from_decimal(Decimal::new(15, 1)),
            "note_blank" => true.into(),
            "above" | "met" => true.into(),
            "kind" => "forward".into(),
            "note" => "无偏差".into(),
            "target" => "≥100".into(),
            "actual" => "2000".into(),
            _ => Dynamic::UNIT,
        }
    };
    let clean = |key: &str| -> Dynamic {
        match key {
            "note_blank" | "above" => false.into(),
            "ratio" | "rate" => Dynamic::from_decimal(Decimal::ONE),
            "shortfall" => Dynamic::from_decimal(Decimal::ZERO),
            "met" => true.into(),
            _ => deviating(key),
        }
    };
    for rules in sets() {
        for check in rules.checks.iter() {
            let Some(function) = check.function.as_deref() else {
                continue;
            };
            let native = rules.scripts.natives().get(function).unwrap();
            for (what, facts) in [("deviating", &deviating as &dyn Fn(&str) -> Dynamic), ("clean", &clean)] {
                assert!(
                    native.check(facts, &check.script_params).is_some(),
                    "{} {function} decides the {what} case natively",
                    rules.id
                );
            }
        }
        let p = &rules.params_map;
        let natives = rules.scripts.natives();
        let f = &rules.formulas;
        let (t, a, w) = (Decimal::new(95, 0), Decimal::new(90, 0), Decimal::new(10, 0));
        for name in [&f.forward, &f.reverse, &f.equal] {
            assert!(
                natives.get(name).unwrap().quantity(t, a, w, p).is_some(),
                "{} {name}",
                rules.id
            );
        }
        assert!(natives.get(&f.budget_rate).unwrap().budget_rate(t, a, p).is_some());
        assert!(
            natives
                .get(&f.budget_score)
                .unwrap()
                .budget_score(Decimal::ONE, w, p)
                .is_some()
        );
        let q = natives.get(&f.qualitative).unwrap();
        assert!(q.qualitative(Decimal::new(8, 1), Decimal::ONE, w, Some(w), p).is_some());
        assert!(
            natives
                .get(&f.deadline)
                .unwrap()
                .deadline(12, 180, w, true, p)
                .is_some()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Template by template, on random arguments
// ---------------------------------------------------------------------------------------------

/// Decimals of the shapes forms hold, ties and zeros included.
fn decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ZERO),
        Just(Decimal::ONE),
        Just(Decimal::new(100, 2)),
        Just(Decimal::new(-5, 1)),
        (-1_000_000i64..1_000_000, 0u32..5).prop_map(|(m, s)| Decimal::new(m, s)),
        (0i64..200, 0u32..2).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// The exact representation: value and scale.
fn shown(d: Decimal) -> (String, u32) {
    (d.to_string(), d.scale())
}

fn sets() -> Vec<RuleSet> {
    embedded::ids().into_iter().map(load).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn quantity_formulas_match_the_scripts(t in decimal(), a in decimal(), w in decimal()) {
        for rules in sets() {
            for name in [&rules.formulas.forward, &rules.formulas.reverse, &rules.formulas.equal] {
                let native = rules.scripts.natives().get(name).unwrap();
                let p = Dynamic::from_map(rules.params_map.clone());
                let script: Result<Decimal, _> = rules.scripts.call(name, (t, a, w, p));
                if let Some(n) = native.quantity(t, a, w, &rules.params_map) {
                    prop_assert_eq!(shown(n), shown(script.unwrap()), "{} {}({}, {}, {})", rules.id, name, t, a, w);
                }
            }
        }
    }

    #[test]
    fn budget_formulas_match_the_scripts(budget in decimal(), executed in decimal(), w in decimal()) {
        for rules in sets() {
            let f = &rules.formulas;
            let natives = rules.scripts.natives();
            let p = || Dynamic::from_map(rules.params_map.clone());
            let script: Result<Decimal, _> = rules.scripts.call(&f.budget_rate, (budget, executed, p()));
            let native = natives.get(&f.budget_rate).unwrap().budget_rate(budget, executed, &rules.params_map);
            match (native, script) {
                (Some(n), Ok(s)) => prop_assert_eq!(shown(n), shown(s)),
                (Some(n), Err(e)) => prop_assert!(false, "native {} where the script fails: {}", n, e),
                (None, _) => prop_assert!(budget.is_zero(), "only a zero budget is left to the script"),
            }
            let rate = executed;
            let script: Decimal = rules.scripts.call(&f.budget_score, (rate, w, p())).unwrap();
            let native = natives.get(&f.budget_score).unwrap().budget_score(rate, w, &rules.params_map).unwrap();
            prop_assert_eq!(shown(native), shown(script));
        }
    }

    #[test]
    fn qualitative_and_deadline_formulas_match_the_scripts(
        low in 0i64..=100, span in 0i64..=100, w in decimal(), reported in proptest::option::of(decimal()),
        days_late in -30i64..400, planned in 1i64..366, explained in any::<bool>(),
    ) {
        let low = Decimal::new(low, 2);
        let high = (low + Decimal::new(span, 2)).min(Decimal::ONE);
        for rules in sets() {
            let f = &rules.formulas;
            let natives = rules.scripts.natives();
            let p = || Dynamic::from_map(rules.params_map.clone());
            let r = reported.map_or(Dynamic::UNIT, Dynamic::from_decimal);
            let script: Result<Decimal, _> = rules.scripts.call(&f.qualitative, (low, high, w, r, p()));
            let native = natives.get(&f.qualitative).unwrap().qualitative(low, high, w, reported, &rules.params_map);
            match (native, script) {
                (Some(n), Ok(s)) => prop_assert_eq!(shown(n), shown(s)),
                (Some(n), Err(e)) => prop_assert!(false, "native {} where the script fails: {}", n, e),
                (None, Ok(s)) => prop_assert!(false, "script gives {} but native declined", s),
                (None, Err(_)) => {}
            }
            let script: Decimal = rules.scripts.call(&f.deadline, (days_late, planned, w, explained, p())).unwrap();
            let native = natives
                .get(&f.deadline)
                .unwrap()
                .deadline(days_late, planned, w, explained, &rules.params_map)
                .unwrap();
            prop_assert_eq!(shown(native), shown(script));
        }
    }

    #[test]
    fn indicator_checks_match_the_scripts(
        t in decimal(), a in decimal(), ratio in proptest::option::of(decimal()), shortfall in decimal(),
        note_blank in any::<bool>(), above in any::<bool>(), met in proptest::option::of(any::<bool>()),
        late in proptest::option::of(-5i64..40), note in prop_oneof![
            Just(String::new()), Just("无偏差".to_owned()), Just("按计划完成".to_owned()),
            Just("因疫情影响未完成，下一步将加强督促".to_owned()), Just("未完成".to_owned()), ".{0,12}",
        ],
    ) {
        let fact = |key: &str| -> Dynamic {
            match key {
                "target_value" => Dynamic::from_decimal(t),
                "actual_value" => Dynamic::from_decimal(a),
                "ratio" => ratio.map_or(Dynamic::UNIT, Dynamic::from_decimal),
                "shortfall" => Dynamic::from_decimal(shortfall.abs()),
                "note_blank" => note_blank.into(),
                "above" => above.into(),
                "met" => met.map_or(Dynamic::UNIT, Dynamic::from_bool),
                "kind" => if late.is_some() { "deadline".into() } else { "forward".into() },
                "days_late" => late.map_or(Dynamic::UNIT, Dynamic::from_int),
                "note" => note.clone().into(),
                "target" => format!("≥{t}").into(),
                "actual" => a.to_string().into(),
                "rate" => Dynamic::from_decimal(a),
                _ => Dynamic::UNIT,
            }
        };
        for rules in sets() {
            for check in rules.checks.iter() {
                let Some(function) = check.function.as_deref() else { continue };
                let native = rules.scripts.natives().get(function).unwrap();
                let facts: Map = check.facts.iter().map(|k| ((*k).into(), fact(k))).collect();
                let script: Result<Dynamic, _> = rules.scripts.call(
                    function,
                    (Dynamic::from_map(facts), Dynamic::from_map(check.script_params.clone())),
                );
                let Some(n) = native.check(&fact, &check.script_params) else { continue };
                let s = script.unwrap();
                prop_assert_eq!(format!("{n:?}"), format!("{s:?}"), "{} {}", rules.id, function);
            }
        }
    }
}
