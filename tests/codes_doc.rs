//! `docs/finding-codes.md` is generated from the shipped rule sets; this test fails when it is
//! stale and says how to regenerate it.

use jixiao::policy::{RuleSet, embedded};
use jixiao::report::codes::{REGENERATE, codes_markdown};

#[test]
fn the_finding_code_reference_is_up_to_date() {
    let sets: Vec<RuleSet> = embedded::ids()
        .into_iter()
        .map(|id| RuleSet::load(embedded::files(id).unwrap()).unwrap())
        .collect();
    let refs: Vec<&RuleSet> = sets.iter().collect();
    let expected = codes_markdown(&refs);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/finding-codes.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == expected,
        "docs/finding-codes.md is stale (or missing): regenerate it with\n\n    {REGENERATE}\n"
    );
    // Every code has its section.
    for info in &jixiao::policy::checks::CODES {
        assert!(committed.contains(&format!("\n## {}\n", info.id)), "{}", info.id);
    }
}
