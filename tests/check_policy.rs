//! Reviewer checks in `policy.toml`: every shipped rule set declares every code; a broken
//! `[checks]` section is a `PolicyError` at file:line:column; a policy can switch a check off,
//! re-grade it or change its threshold, and the seed forms' findings follow.

use jixiao::engine::scoring::{Scorecard, score_document};
use jixiao::ingest::import::{ImportOptions, import_file};
use jixiao::model::diagnostic::Diagnostic;
use jixiao::model::findings::Severity;
use jixiao::policy::checks::{Code, Logic};
use jixiao::policy::{PolicyError, RuleSet, embedded};

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/forms/shenzhen-seed.tsv");

fn shenzhen_policy() -> String {
    let files = crate::common::standalone_shenzhen();
    files.files.iter().find(|(n, _)| n == "policy.toml").unwrap().1.clone()
}

/// Loads shenzhen-2020 with its policy.toml replaced; the first error when it does not load.
fn load_with(policy: &str) -> Result<RuleSet, Diagnostic> {
    let mut files = crate::common::standalone_shenzhen();
    for (name, text) in &mut files.files {
        if name == "policy.toml" {
            *text = policy.to_owned();
        }
    }
    RuleSet::load(files).map_err(|e: PolicyError| e.first_error().cloned().unwrap())
}

/// The policy with `old` (which must occur exactly once) replaced by `new`.
fn edit(old: &str, new: &str) -> String {
    let policy = shenzhen_policy();
    assert_eq!(policy.matches(old).count(), 1, "{old:?} must occur once");
    policy.replace(old, new)
}

/// 1-based line and column of the first occurrence of `needle` in `text`.
fn line_col_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap();
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, col)
}

fn score_seed(rules: &RuleSet) -> Vec<Scorecard> {
    let options = ImportOptions {
        default_year: None,
        year: Some(2021),
        region: Some("shenzhen".into()),
        ..ImportOptions::default()
    };
    let docs = import_file(SEED.as_ref(), &options).unwrap();
    docs.iter().map(|d| score_document(rules, d).unwrap()).collect()
}

#[test]
fn every_shipped_rule_set_declares_every_code() {
    for id in embedded::ids() {
        let rules = RuleSet::load(embedded::files(id).unwrap()).unwrap();
        for code in Code::all() {
            let check = rules.checks.get(code).unwrap();
            assert_eq!(check.code, code);
            assert!(!check.title.is_empty(), "{id} {code}: title");
            assert!(!check.reference.is_empty(), "{id} {code}: reference");
            // A shipped check may be off only when its reference says why it is switched off.
            assert!(
                check.severity.is_some() || check.reference.contains("故关闭本检查"),
                "{id} {code}: a shipped check is on, or its reference says why it is off (…故关闭本检查)"
            );
            assert_eq!(
                check.function.is_some(),
                code.info().logic == Logic::Script,
                "{id} {code}: scripted checks name their function"
            );
        }
    }
}

#[test]
fn a_function_that_does_not_exist_is_an_error_at_its_place() {
    let policy = edit(
        "function = \"check_over_achievement\"",
        "function = \"check_over_achievment\"",
    );
    let err = load_with(&policy).unwrap_err();
    assert_eq!(err.loc.file, "policy.toml");
    assert_eq!(
        err.loc.line_col(),
        Some(line_col_of(&policy, "\"check_over_achievment\""))
    );
    assert!(err.message.contains("I8"), "{err}");
    assert!(err.message.contains("check_over_achievment"), "{err}");
    assert!(
        err.help.as_deref().unwrap().contains("fn check_over_achievment(f, p)"),
        "{err}"
    );
}

#[test]
fn an_unknown_check_id_is_an_error_at_its_header() {
    let policy = format!(
        "{}\n[checks.I99]\ntitle = \"x\"\nseverity = \"error\"\nmessage = \"x\"\nreference = \"x\"\n",
        shenzhen_policy()
    );
    let err = load_with(&policy).unwrap_err();
    assert!(err.message.contains("未知的检查代码“I99”"), "{err}");
    assert_eq!(err.loc.line_col().unwrap().0, line_col_of(&policy, "[checks.I99]").0);
    assert!(err.help.as_deref().unwrap().contains("I10"), "{err}");
}

#[test]
fn a_placeholder_the_check_never_gives_is_an_error() {
    // Native check: T1 gives reported, computed and difference.
    let policy = edit(
        "message = \"总分 {reported} 与按规则计算的 {computed} 不一致（差 {difference}）\"",
        "message = \"总分 {reported} 与 {expected} 不一致\"",
    );
    let err = load_with(&policy).unwrap_err();
    assert!(err.message.contains("{expected}"), "{err}");
    assert!(err.message.contains("T1"), "{err}");
    assert_eq!(err.loc.line_col(), Some(line_col_of(&policy, "{expected}")));
    assert!(err.help.as_deref().unwrap().contains("difference"), "{err}");

    // Scripted check: I8's message may use facts and what its function returns (times, limit).
    let policy = edit("的 {times} 倍（超过 {limit} 倍）", "的 {times} 倍（超过 {limt} 倍）");
    let err = load_with(&policy).unwrap_err();
    assert!(err.message.contains("{limt}") && err.message.contains("I8"), "{err}");
    let help = err.help.as_deref().unwrap();
    assert!(help.contains("limit") && help.contains("target_value"), "{help}");
}

#[test]
fn a_bad_severity_is_an_error_in_chinese() {
    let policy = shenzhen_policy().replacen("severity = \"error\"", "severity = \"fatal\"", 1);
    let err = load_with(&policy).unwrap_err();
    assert!(err.message.contains("严重程度“fatal”不存在"), "{err}");
    assert_eq!(err.loc.line_col().unwrap().0, line_col_of(&policy, "\"fatal\"").0);
}

#[test]
fn a_missing_check_and_other_misuse_are_errors() {
    let policy = shenzhen_policy();
    let start = policy.find("[checks.T4]").unwrap();
    let err = load_with(&policy[..start]).unwrap_err();
    assert!(err.message.contains("缺少检查 T4"), "{err}");
    assert!(err.help.as_deref().unwrap().contains("severity = \"off\""), "{err}");

    // A native check cannot name a function.
    let policy = edit(
        "reference = \"自评表口径：总分 = 预算执行得分 + 各绩效指标得分\"",
        "reference = \"x\"\nfunction = \"check_over_achievement\"",
    );
    let err = load_with(&policy).unwrap_err();
    assert!(err.message.contains("T1 是内置检查"), "{err}");

    // A native check's parameters are its own, of the right kind.
    let policy = edit("params = { max_share = \"0.3\" }", "params = { max_shares = \"0.3\" }");
    let err = load_with(&policy).unwrap_err();
    assert!(err.message.contains("S6 没有参数 max_shares"), "{err}");
    let policy = edit("params = { max_share = \"0.3\" }", "params = { max_share = [\"0.3\"] }");
    let err = load_with(&policy).unwrap_err();
    assert!(err.message.contains("应是小数"), "{err}");
    // Decimals are strings: a TOML float is refused.
    let policy = edit("params = { max_share = \"0.3\" }", "params = { max_share = 0.3 }");
    let err = load_with(&policy).unwrap_err();
    assert!(err.message.contains("小数必须写成字符串"), "{err}");
}

#[test]
fn a_policy_can_switch_a_check_off() {
    let i8_block = "severity = \"warning\"\nmessage = \"实际完成值 {actual}";
    let policy = edit(i8_block, "severity = \"off\"\nmessage = \"实际完成值 {actual}");
    let rules = load_with(&policy).unwrap();
    let cards = score_seed(&rules);
    let form8: Vec<&str> = cards[7].findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(form8, ["R2", "R2"], "I8 is off, R2 still on");
}

#[test]
fn a_policy_can_re_grade_a_check_and_change_its_threshold() {
    let rules = load_with(&edit(
        "severity = \"warning\"\nmessage = \"实际完成值 {actual}",
        "severity = \"error\"\nmessage = \"实际完成值 {actual}",
    ))
    .unwrap();
    let cards = score_seed(&rules);
    let i8s: Vec<Severity> = cards[7]
        .findings
        .iter()
        .filter(|f| f.code == "I8")
        .map(|f| f.severity)
        .collect();
    assert_eq!(i8s, [Severity::Error, Severity::Error]);

    // Form 6's target and actual are 9.44× apart: flagged at 5×, not at 10×.
    let rules = load_with(&edit("params = { factor = 5 }", "params = { factor = 10 }")).unwrap();
    let cards = score_seed(&rules);
    assert!(cards[5].findings.iter().all(|f| f.code != "I10"));
    // Form 8's actual is 3× its target: flagged over 1.3×, not over 3×.
    let rules = load_with(&edit(
        "function = \"check_over_achievement\"\nparams = { over_factor = \"1.3\" }",
        "function = \"check_over_achievement\"\nparams = { over_factor = \"3\" }",
    ))
    .unwrap();
    let cards = score_seed(&rules);
    assert!(cards[7].findings.iter().all(|f| f.code != "I8"));
}

#[test]
fn a_template_value_a_script_forgets_stops_the_run() {
    // The function returns a map without `limit`, which the message uses: the policy is broken,
    // and the run says so instead of printing a blank.
    let mut files = crate::common::standalone_shenzhen();
    for (name, text) in &mut files.files {
        if name == "checks.rhai" {
            *text = text.replace(
                "#{ times: round_half_up(f.ratio, 2), limit: p.over_factor }",
                "{ let m = #{ times: round_half_up(f.ratio, 2) }; m.limit = p.over_factor; m.remove(\"limit\"); m }",
            );
        }
    }
    let rules = RuleSet::load(files).unwrap();
    let options = ImportOptions {
        default_year: None,
        year: Some(2021),
        region: Some("shenzhen".into()),
        ..ImportOptions::default()
    };
    let docs = import_file(SEED.as_ref(), &options).unwrap();
    let err = score_document(&rules, &docs[7]).unwrap_err().to_string();
    assert!(
        err.contains("{limit}") && err.contains("check_over_achievement"),
        "{err}"
    );
}

/// Every fact `docs/finding-codes.md` lists for scripted checks reaches them: a policy whose F4
/// and R3 messages name every funds and indicator fact shows each one's value for a form with a
/// low rate and a deduction whose note has no improvement measure (F4 and R3 both fire). A fact
/// the engine stopped passing would show as （空） and fail the snapshot.
#[test]
fn every_documented_fact_reaches_a_scripted_check() {
    // The facts are read from the documentation's two tables: the promise is what is tested.
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/finding-codes.md")).unwrap();
    let facts_of = |heading: &str| -> Vec<String> {
        let section = docs.split(heading).nth(1).unwrap().split("\n## ").next().unwrap();
        section
            .lines()
            .filter_map(|l| {
                l.strip_prefix("| `f.")?
                    .split_once('`')
                    .map(|(name, _)| name.to_owned())
            })
            .collect()
    };
    let indicator = facts_of("## 脚本检查的事实：指标");
    let funds = facts_of("## 脚本检查的事实：项目资金");
    assert!(indicator.len() >= 20 && funds.len() >= 9, "{indicator:?} {funds:?}");
    let template = |facts: &[String]| {
        facts
            .iter()
            .map(|f| format!("{f}={{{f}}}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let policy = shenzhen_policy()
        .replacen(
            "message = \"预算执行率 {rate_pct}% {direction} {bound_pct}%，却没有说明原因\"",
            &format!("message = \"{}\"", template(&funds)),
            1,
        )
        .replacen(
            "message = \"偏差原因“{note}”{why}\"",
            &format!("message = \"{}\"", template(&indicator)),
            1,
        );
    let rules = load_with(&policy).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/checks/R3/hit-no-measure.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let total = &mut value["funds"]["total"];
    total["budget_initial"] = "900000.00".into();
    total["executed"] = "800000.00".into();
    total["rate_reported"] = "0.80".into();
    total["score_reported"] = "8.00".into();
    let doc = jixiao::ingest::validate::DocumentValidator::shared()
        .unwrap()
        .check(&value)
        .unwrap();
    let card = score_document(&rules, &doc).unwrap();
    let shown: Vec<String> = card
        .findings
        .iter()
        .filter(|f| f.code == "F4" || f.code == "R3")
        .map(|f| format!("{}: {}", f.code, f.message))
        .collect();
    assert_eq!(shown.len(), 2, "{:#?}", card.findings);
    insta::assert_snapshot!(shown.join("\n"));
}
