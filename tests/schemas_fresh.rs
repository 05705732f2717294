//! The committed schemas under `schemas/` must equal what the code generates.

use clap::ValueEnum;
use jixiao::report::schemas::SchemaName;

#[test]
fn committed_schemas_are_up_to_date() {
    for &name in SchemaName::value_variants() {
        let path = format!("{}/schemas/{}", env!("CARGO_MANIFEST_DIR"), name.file_name());
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        let generated = name.to_pretty_json();
        assert!(
            committed == generated,
            "{path} is stale; regenerate it with:\n    cargo run -- schema {} > schemas/{}",
            name.file_name().trim_end_matches(".schema.json"),
            name.file_name()
        );
    }
}

#[test]
fn shipped_policies_point_at_and_satisfy_the_policy_schema() {
    let schema = jixiao::report::schemas::policy_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for id in jixiao::policy::embedded::ids() {
        let path = format!("{}/rules/{id}/policy.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("#:schema ../../schemas/policy.schema.json\n"),
            "{path} must start with the #:schema line for TOML editors"
        );
        let value: serde_json::Value = toml::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} {}", e.instance_path().as_str(), e))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:?}");
    }
}

#[test]
fn the_guides_example_sets_satisfy_the_policy_schema() {
    let schema = jixiao::report::schemas::policy_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let dir = format!("{}/docs/examples", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path().join("policy.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("#:schema ../../../schemas/policy.schema.json\n"),
            "{} must start with the #:schema line for TOML editors",
            path.display()
        );
        let value: serde_json::Value = toml::from_str(&text).unwrap();
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        checked += 1;
    }
    assert!(checked > 0);
    // Only a set that extends another may leave out what it inherits.
    let mut bare = serde_json::json!({ "ruleset": { "id": "x", "title": "x", "years": { "from": 2020 } } });
    assert!(
        !validator.is_valid(&bare),
        "a standalone set needs its profile, rounding, …"
    );
    bare["ruleset"]["extends"] = "cn-mof-2020".into();
    assert!(validator.is_valid(&bare));
    bare["ruleset"].as_object_mut().unwrap().remove("id");
    assert!(!validator.is_valid(&bare), "a child still writes its own id");
}

#[test]
fn shipped_layouts_point_at_and_satisfy_the_layout_schema() {
    let schema = jixiao::report::schemas::layout_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let dir = format!("{}/rules/layouts", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("#:schema ../../schemas/layout.schema.json\n"),
            "{} must start with the #:schema line for TOML editors",
            path.display()
        );
        let value: serde_json::Value = toml::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} {}", e.instance_path().as_str(), e))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        checked += 1;
    }
    assert_eq!(checked, jixiao::ingest::layout::embedded().families().len());
}

#[test]
fn the_scripting_reference_is_up_to_date() {
    let path = format!("{}/docs/scripting-reference.md", env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == jixiao::script::reference::scripting_reference(),
        "{path} is stale; regenerate it with:\n    cargo run -- reference scripting > docs/scripting-reference.md"
    );
}

/// Issue 13 item 5: a check's `severity` is an enum in the policy schema, so TOML editors offer
/// the four values and flag a typo.
#[test]
fn severity_is_an_enum_in_the_policy_schema() {
    let schema = jixiao::report::schemas::policy_schema();
    let level = &schema["definitions"]["Level"];
    assert_eq!(
        level["enum"],
        serde_json::json!(["error", "warning", "info", "off"]),
        "{level}"
    );
}
