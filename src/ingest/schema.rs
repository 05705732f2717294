//! The JSON Schema of the evaluation document, generated from [`EvaluationDocument`]: what
//! [`crate::ingest::validate`] checks every input against, with decimals as exact strings.
//!
//! `schemas/evaluation.schema.json` is this, committed; [`crate::report::schemas`] lists every
//! schema jixiao publishes.

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::model::document::EvaluationDocument;

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
