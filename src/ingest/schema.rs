//! The JSON Schema of the evaluation document, generated from [`EvaluationDocument`]: what
//! [`crate::ingest::validate`] checks every input against, with decimals as exact strings.
//!
//! `schemas/evaluation.schema.json` is this, committed; [`crate::report::schemas`] lists every
//! schema jixiao publishes.

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::model::document::EvaluationDocument;
use crate::model::range::RANGE_TEXT;

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
/// Decimal strings jixiao accepts: an optional minus, at most 15 digits, an optional fraction of
/// at most 28 digits — the range of [`crate::model::range`]. The typed fast path
/// ([`crate::ingest::validate::DocumentValidator::check_str`]) reads the same texts.
pub const DECIMAL_PATTERN: &str = r"^-?[0-9]{1,15}(\.[0-9]{1,28})?$";

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
                // Every decimal states the range it must lie in.
                let range = format!("精确小数，写成字符串，如 \"890000.00\"；{RANGE_TEXT}。");
                let description = match map.get("description").and_then(Value::as_str) {
                    Some(own) => format!("{own}\n\n{range}"),
                    None => range,
                };
                map.insert("description".into(), Value::String(description));
            }
            map.values_mut().for_each(strings_for_decimals);
        }
        Value::Array(items) => items.iter_mut().for_each(strings_for_decimals),
        _ => {}
    }
}
