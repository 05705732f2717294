//! The JSON Schemas jixiao publishes, generated from the Rust types that own each format.
//!
//! `schemas/*.schema.json` in the repository are these, committed; a test fails when they are
//! stale and names the command that regenerates them (`jixiao schema evaluation > …`).

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::document::EvaluationDocument;

/// The schemas `jixiao schema NAME` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaName {
    /// The evaluation document (`schemas/evaluation.schema.json`).
    Evaluation,
}

impl SchemaName {
    /// File name of the committed copy under `schemas/`.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaName::Evaluation => "evaluation.schema.json",
        }
    }

    /// The schema as a JSON value.
    pub fn generate(self) -> Value {
        match self {
            SchemaName::Evaluation => evaluation_schema(),
        }
    }

    /// The schema as pretty-printed JSON with a trailing newline, exactly as committed.
    pub fn to_pretty_json(self) -> String {
        let mut text = serde_json::to_string_pretty(&self.generate()).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// JSON Schema (draft 2020-12) of [`EvaluationDocument`]. Decimals must be strings.
pub fn evaluation_schema() -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<EvaluationDocument>();
    let mut value = schema.to_value();
    strings_for_decimals(&mut value);
    value
}

/// The pattern schemars gives decimals under its deserialize contract (it also admits JSON
/// numbers, which serde reads through `f64` and may round). jixiao wants exact strings only.
const LENIENT_DECIMAL_PATTERN: &str = r"^-?\d+(\.\d+)?([eE]\d+)?$";
/// Decimal strings jixiao accepts: an optional minus, digits, an optional fraction.
pub const DECIMAL_PATTERN: &str = r"^-?\d+(\.\d+)?$";

fn strings_for_decimals(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("pattern").and_then(Value::as_str) == Some(LENIENT_DECIMAL_PATTERN) {
                let nullable = map
                    .get("type")
                    .and_then(Value::as_array)
                    .is_some_and(|types| types.iter().any(|t| t == "null"));
                let ty = if nullable {
                    serde_json::json!(["string", "null"])
                } else {
                    serde_json::json!("string")
                };
                map.insert("type".into(), ty);
                map.insert("pattern".into(), Value::String(DECIMAL_PATTERN.into()));
                map.entry("description")
                    .or_insert_with(|| Value::String("精确小数，写成字符串，如 \"890000.00\"".into()));
            }
            map.values_mut().for_each(strings_for_decimals);
        }
        Value::Array(items) => items.iter_mut().for_each(strings_for_decimals),
        _ => {}
    }
}
