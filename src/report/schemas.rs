//! The JSON Schemas jixiao publishes, generated from the Rust types that own each format: the
//! evaluation document ([`crate::ingest::schema`]), the JSON report, a rule set's `policy.toml`
//! and a layout file (`rules/layouts/*.toml`).
//!
//! `schemas/*.schema.json` in the repository are these, committed; a test fails when they are
//! stale and names the command that regenerates them (`jixiao schema evaluation > …`).

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::engine::scoring::Scorecard;
use crate::ingest::schema::evaluation_schema;

/// The schemas `jixiao schema NAME` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaName {
    /// The evaluation document (`schemas/evaluation.schema.json`).
    Evaluation,
    /// The report of `jixiao score --format json` (`schemas/report.schema.json`).
    Report,
    /// A rule set's `policy.toml` (`schemas/policy.schema.json`, draft-07 for TOML editors).
    Policy,
    /// A layout file (`schemas/layout.schema.json`, draft-07 for TOML editors).
    Layout,
}

impl SchemaName {
    /// File name of the committed copy under `schemas/`.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaName::Evaluation => "evaluation.schema.json",
            SchemaName::Report => "report.schema.json",
            SchemaName::Policy => "policy.schema.json",
            SchemaName::Layout => "layout.schema.json",
        }
    }

    /// The schema as a JSON value.
    pub fn generate(self) -> Value {
        match self {
            SchemaName::Evaluation => evaluation_schema(),
            SchemaName::Report => report_schema(),
            SchemaName::Policy => policy_schema(),
            SchemaName::Layout => layout_schema(),
        }
    }

    /// The schema as pretty-printed JSON with a trailing newline, exactly as committed.
    pub fn to_pretty_json(self) -> String {
        let mut text = serde_json::to_string_pretty(&self.generate()).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// JSON Schema (draft 2020-12) of the JSON report: an array of [`Scorecard`]s.
pub fn report_schema() -> Value {
    let settings = SchemaSettings::draft2020_12().for_serialize();
    let generator = settings.into_generator();
    let mut value = generator.into_root_schema_for::<Vec<Scorecard>>().to_value();
    if let Value::Object(map) = &mut value {
        map.insert(
            "title".into(),
            Value::String("jixiao 评分报告（jixiao score --format json）".into()),
        );
    }
    value
}

/// JSON Schema (draft-07, which TOML language servers such as Taplo / Even Better TOML read
/// best) of a rule set's `policy.toml`, with the Chinese descriptions editors see on hover.
/// A `policy.toml` whose first line is `#:schema ./policy.schema.json` gets completion and
/// checking in the editor.
pub fn policy_schema() -> Value {
    let generator = SchemaSettings::draft07().into_generator();
    let mut value = generator
        .into_root_schema_for::<crate::policy::model::PolicyFile>()
        .to_value();
    if let Value::Object(map) = &mut value {
        map.insert("title".into(), Value::String("jixiao 规则集 policy.toml".into()));
    }
    allow_extends(&mut value);
    value
}

/// A set that extends another (`[ruleset] extends`) writes only what differs: for such a file
/// nothing is required but `[ruleset]`'s own keys. The schema says so with `if`/`then`/`else`:
/// the `then` branch reads every table through a copy of its definition (`…Partial`) that
/// requires nothing; a set extending none is checked as before (`else`).
fn allow_extends(value: &mut Value) {
    let Value::Object(root) = value else { return };
    if let Some(Value::Object(defs)) = root.get_mut("definitions") {
        let partial: Vec<(String, Value)> = defs
            .iter()
            .map(|(name, def)| {
                let mut def = def.clone();
                relax(&mut def, name == "RulesetMeta");
                (format!("{name}Partial"), def)
            })
            .collect();
        defs.extend(partial);
    }
    let mut full = serde_json::Map::new();
    for key in ["properties", "required", "additionalProperties"] {
        if let Some(v) = root.remove(key) {
            full.insert(key.to_owned(), v);
        }
    }
    let mut partial = Value::Object(full.clone());
    relax(&mut partial, false);
    if let Value::Object(partial) = &mut partial {
        partial.insert("required".into(), serde_json::json!(["ruleset"]));
    }
    root.insert(
        "if".into(),
        serde_json::json!({ "properties": { "ruleset": { "required": ["extends"] } }, "required": ["ruleset"] }),
    );
    root.insert("then".into(), partial);
    root.insert("else".into(), Value::Object(full));
}

/// Drops every `required` (but at the top of `keep` definitions) and points every reference at
/// the `…Partial` copy.
fn relax(value: &mut Value, keep: bool) {
    match value {
        Value::Object(map) => {
            if !keep {
                map.remove("required");
            }
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                if reference.starts_with("#/definitions/") && !reference.ends_with("Partial") {
                    reference.push_str("Partial");
                }
            }
            for (key, v) in map.iter_mut() {
                if key != "required" {
                    relax(v, false);
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                relax(v, false);
            }
        }
        _ => {}
    }
}

/// JSON Schema (draft-07, for TOML language servers) of a layout file, with the Chinese
/// descriptions editors see on hover. A layout file whose first line is
/// `#:schema ../../schemas/layout.schema.json` (or the path to this file) gets completion and
/// checking in the editor.
pub fn layout_schema() -> Value {
    let generator = SchemaSettings::draft07().into_generator();
    let mut value = generator
        .into_root_schema_for::<crate::ingest::layout::model::LayoutFile>()
        .to_value();
    if let Value::Object(map) = &mut value {
        map.insert("title".into(), Value::String("jixiao 自评表格式文件（layout）".into()));
    }
    value
}
