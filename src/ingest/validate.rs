//! Validation of evaluation documents: the JSON Schema (compiled once) plus the checks that need
//! no policy — decimals that parse, ids unique across the batch.
//!
//! Every problem names the file (and line or array element), the JSON pointer and what is wrong,
//! in Chinese. All problems are listed, not only the first.

use std::fmt;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::ingest::input::{Origin, RawDocument, SeenIds, repeated_id_message, repeated_keys, repeated_keys_message};
use crate::ingest::schema::evaluation_schema;
use crate::model::diagnostic::{Diagnostic, Loc};
use crate::model::document::{DOCUMENT_FORMAT, EvaluationDocument};
use crate::model::range;

/// One thing wrong with one document: the one [`Loc`] (file, line or array element, JSON
/// pointer) and what is wrong; [`Problem::to_diagnostic`] for rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: the document's file, its line or array element, and the JSON pointer into it.
    pub loc: Loc,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl Problem {
    fn new(origin: &Origin, pointer: impl Into<String>, message: String) -> Self {
        Self {
            loc: Loc::pointer(origin.file.as_str(), origin.line, origin.index, pointer),
            message,
        }
    }

    /// The problem as a diagnostic (code `jixiao::document::invalid`).
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error("jixiao::document::invalid", self.loc.clone(), self.message.clone())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_diagnostic(), f)
    }
}

/// The evaluation-document validator: the schema is compiled once and reused for every document.
pub struct DocumentValidator {
    schema: jsonschema::Validator,
}

impl DocumentValidator {
    /// Compiles the evaluation schema.
    pub fn new() -> Result<Self, String> {
        let schema =
            jsonschema::validator_for(&evaluation_schema()).map_err(|e| format!("内部错误：文档模式无法编译：{e}"))?;
        Ok(Self { schema })
    }

    /// The validator of this process, compiled on first use: the schema is built into the
    /// binary and never changes. Compiling it costs about half a millisecond, which a run over
    /// thousands of JSON Lines files, or a rule set's test cases, paid once per file or case.
    pub fn shared() -> Result<&'static Self, String> {
        static SHARED: std::sync::OnceLock<Result<DocumentValidator, String>> = std::sync::OnceLock::new();
        SHARED.get_or_init(Self::new).as_ref().map_err(Clone::clone)
    }

    /// Checks one JSON value against the schema only, listing every problem as
    /// `(JSON pointer, message)`: for a value serialized from an [`EvaluationDocument`], which
    /// needs no reading back.
    pub fn check_schema(&self, value: &Value) -> Result<(), Vec<(String, String)>> {
        if !self.schema.is_valid(value) {
            let mut problems: Vec<(String, String)> = self
                .schema
                .iter_errors(value)
                .map(|e| {
                    let message = match (e.kind(), e.instance().as_ref()) {
                        (ValidationErrorKind::Type { kind }, Value::Number(n)) if wants_string(kind) => {
                            let written = n.to_string();
                            match plain_decimal(&written) {
                                Some(Ok(plain)) if range::judge_text(&plain) != range::TextRange::Beyond => {
                                    format!("数值 {n} 要写成字符串（加引号，如 \"{plain}\"），以免精度丢失")
                                }
                                Some(_) => beyond_range_message(&written),
                                None => format!("数值 {n} 要写成字符串（加引号），以免精度丢失"),
                            }
                        }
                        (ValidationErrorKind::Pattern { pattern }, Value::String(text))
                            if pattern == crate::ingest::schema::DECIMAL_PATTERN
                                && range::judge_text(text) == range::TextRange::Beyond =>
                        {
                            beyond_range_message(text)
                        }
                        // An exponent (`1e308`, `8.7e5`): beyond the range, or the plain decimal
                        // to write instead.
                        (ValidationErrorKind::Pattern { pattern }, Value::String(text))
                            if pattern == crate::ingest::schema::DECIMAL_PATTERN && text.contains(['e', 'E']) =>
                        {
                            match plain_decimal(text) {
                                Some(Ok(plain)) if range::judge_text(&plain) != range::TextRange::Beyond => {
                                    format!("{text:?} 是科学记数法，请写成普通小数 \"{plain}\"")
                                }
                                Some(_) => beyond_range_message(text),
                                None => describe(e.kind(), &e.to_string()),
                            }
                        }
                        (kind, _) => describe(kind, &e.to_string()),
                    };
                    (e.instance_path().as_str().to_owned(), message)
                })
                .collect();
            problems.sort();
            problems.dedup();
            return Err(problems);
        }
        Ok(())
    }

    /// Checks one JSON value and turns it into a typed document, or lists every problem
    /// as `(JSON pointer, message)`.
    pub fn check(&self, value: &Value) -> Result<EvaluationDocument, Vec<(String, String)>> {
        self.check_schema(value)?;
        if let Some(format) = value.get("format").and_then(Value::as_str) {
            if format != DOCUMENT_FORMAT {
                return Err(vec![("/format".to_owned(), unknown_format_message(format))]);
            }
        }
        serde_path_to_error::deserialize::<_, EvaluationDocument>(value).map_err(|e| {
            let pointer = path_to_pointer(&e.path().to_string());
            let inner = e.inner().to_string();
            let message = if inner.contains("expected a Decimal") {
                "数值超出精确小数的范围（最多 28 位有效数字）".to_owned()
            } else {
                format!("无法读取：{inner}")
            };
            vec![(pointer, message)]
        })
    }

    /// Checks one document given as JSON text. Fast path: a strict typed parse (unknown fields,
    /// types and decimal strings are refused by the types themselves) plus the schema's few value
    /// constraints; only a document that fails it is parsed again for the schema's located
    /// messages. Accepts exactly what [`DocumentValidator::check`] accepts.
    pub fn check_str(&self, text: &str) -> Result<EvaluationDocument, Vec<(String, String)>> {
        if let Ok(doc) = serde_json::from_str::<EvaluationDocument>(text) {
            if meets_value_constraints(&doc) {
                return Ok(doc);
            }
        }
        match serde_json::from_str::<Value>(text) {
            Ok(value) => match repeated_keys(text).as_slice() {
                [] => self.check(&value),
                repeated => Err(vec![(String::new(), repeated_keys_message(repeated))]),
            },
            Err(e) => Err(vec![(
                String::new(),
                format!("不是合法的 JSON（第 {} 列）：{e}", e.column()),
            )]),
        }
    }

    /// Validates a batch: every document, then id uniqueness across the batch.
    /// Returns the documents that passed, in input order, and every problem found.
    pub fn check_batch(&self, raw: Vec<RawDocument>) -> (Vec<(Origin, EvaluationDocument)>, Vec<Problem>) {
        self.check_batch_with(raw, &mut SeenIds::default())
    }

    /// [`DocumentValidator::check_batch`] with the ids already met in this run: a document
    /// whose id is in `seen` (or repeats one earlier in `raw`) is a problem naming where the id
    /// was met first, and is left out; the first one is kept.
    pub fn check_batch_with(
        &self,
        raw: Vec<RawDocument>,
        seen: &mut SeenIds,
    ) -> (Vec<(Origin, EvaluationDocument)>, Vec<Problem>) {
        let mut documents = Vec::new();
        let mut problems = Vec::new();
        for RawDocument { origin, value } in raw {
            let value = match value {
                Ok(v) => v,
                Err(message) => {
                    problems.push(Problem::new(&origin, "", message));
                    continue;
                }
            };
            match self.check(&value) {
                Ok(doc) => {
                    if let Some(first) = seen.first_place(&doc.id, &origin) {
                        problems.push(Problem::new(&origin, "/id", repeated_id_message(&doc.id, &first)));
                        continue;
                    }
                    documents.push((origin, doc));
                }
                Err(list) => problems.extend(
                    list.into_iter()
                        .map(|(pointer, message)| Problem::new(&origin, pointer, message)),
                ),
            }
        }
        (documents, problems)
    }
}

/// The message for a document in a format this jixiao does not know.
fn unknown_format_message(format: &str) -> String {
    format!(
        "格式 {format:?} 不是这一版 jixiao 认识的文档格式（只认识 {DOCUMENT_FORMAT}）：文档可能由更新或更旧的 jixiao 写出，请用对应版本的 jixiao，或重新导入自评表"
    )
}

/// The schema's constraints that the Rust types do not carry (lengths, ranges, the format).
fn meets_value_constraints(doc: &EvaluationDocument) -> bool {
    let id_len = doc.id.chars().count();
    doc.format == DOCUMENT_FORMAT
        && (1..=512).contains(&id_len)
        && (1990..=2100).contains(&doc.year)
        && !doc.project.name.is_empty()
        && doc.provenance.values().all(|c| c.row >= 1 && c.column >= 1)
        && doc.unmapped.iter().all(|u| u.at.row >= 1 && u.at.column >= 1)
}

/// A long value shortened for a message: its first 40 characters and how long it is.
fn shortened(text: &str) -> String {
    let count = text.chars().count();
    if count <= 40 {
        return text.to_owned();
    }
    let head: String = text.chars().take(40).collect();
    format!("{head}…（共 {count} 个字符）")
}

/// serde_path_to_error writes `funds.total.executed` or `indicators[3].weight`; users get pointers.
fn path_to_pointer(path: &str) -> String {
    if path == "." || path.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(bracket) = rest.find('[') {
            let (name, idx) = rest.split_at(bracket);
            if !name.is_empty() {
                out.push('/');
                out.push_str(name);
            }
            rest = idx;
            for index in rest.split('[').filter(|s| !s.is_empty()) {
                out.push('/');
                out.push_str(index.trim_end_matches(']'));
            }
        } else {
            out.push('/');
            out.push_str(rest);
        }
    }
    out
}

/// Chinese wording for the schema errors users meet; anything rarer keeps the English text.
fn describe(kind: &ValidationErrorKind, english: &str) -> String {
    match kind {
        ValidationErrorKind::Required { property } => format!("缺少必填字段 {property}"),
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            format!("不认识的字段：{}（请检查拼写）", unexpected.join("、"))
        }
        ValidationErrorKind::Type { kind } => {
            let wanted = match kind {
                TypeKind::Single(t) => type_name(&t.to_string()),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| type_name(&t.to_string()))
                    .collect::<Vec<_>>()
                    .join("或"),
            };
            format!("类型不对，应为{wanted}")
        }
        ValidationErrorKind::Pattern { pattern } if pattern == crate::ingest::schema::DECIMAL_PATTERN => {
            "不是合法的小数（应写成字符串，如 \"890000.00\"，不带千分位和单位）".to_owned()
        }
        ValidationErrorKind::Pattern { pattern } => format!("格式不符合 {pattern}"),
        ValidationErrorKind::Enum { options } => format!("取值只能是 {options} 之一"),
        ValidationErrorKind::Minimum { limit } => format!("不能小于 {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("不能大于 {limit}"),
        ValidationErrorKind::MinLength { limit } => format!("长度不能少于 {limit}"),
        ValidationErrorKind::MaxLength { limit } => format!("长度不能超过 {limit}"),
        _ => english.to_owned(),
    }
}

fn type_name(t: &str) -> String {
    match t {
        "string" => "字符串".into(),
        "number" => "数字".into(),
        "integer" => "整数".into(),
        "object" => "对象".into(),
        "array" => "数组".into(),
        "boolean" => "布尔值".into(),
        "null" => "null".into(),
        other => other.into(),
    }
}

/// Whether a type error's expected types include a string: only then is a number the decimal
/// that should have been quoted.
/// A number written with or without an exponent (`1e308`, `2.5E-3`): `Some(Ok(plain))` with the
/// plain decimal it stands for, `Some(Err(()))` when not even an exact decimal holds it (28
/// significant digits, about ±7.9 × 10²⁸), `None` when it is not a number at all.
fn plain_decimal(text: &str) -> Option<Result<String, ()>> {
    use std::str::FromStr as _;
    let t = text.trim();
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(at) => (t.get(..at)?, Some(t.get(at + 1..)?)),
        None => (t, None),
    };
    let digits = mantissa.strip_prefix('-').unwrap_or(mantissa);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let numeric = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        });
    if !numeric {
        return None;
    }
    let value = match exponent {
        Some(_) => rust_decimal::Decimal::from_scientific(t),
        None => rust_decimal::Decimal::from_str(t),
    };
    Some(value.map(|d| d.normalize().to_string()).map_err(|_| ()))
}

/// The message for a number beyond the range documents are held to ([`range`]).
fn beyond_range_message(text: &str) -> String {
    format!("数值 {} 超出可接受的范围：{}", shortened(text), range::RANGE_TEXT)
}

fn wants_string(kind: &TypeKind) -> bool {
    match kind {
        TypeKind::Single(t) => t.to_string() == "string",
        TypeKind::Multiple(ts) => ts.iter().any(|t| t.to_string() == "string"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a number where an object (a whole document, an indicator) belongs was told
    /// to be written as a string, as if it were a decimal.
    #[test]
    fn only_a_number_where_a_string_belongs_is_told_to_be_quoted() {
        let validator = DocumentValidator::new().unwrap();
        let problems = |value: Value| validator.check(&value).unwrap_err();
        assert_eq!(
            problems(serde_json::json!(5)),
            [(String::new(), "类型不对，应为对象".to_owned())]
        );
        let mut doc = serde_json::json!({
            "id": "a", "year": 2021, "project": {"name": "甲"},
            "funds": {"total": {"label": "年度资金总额", "executed": 870996.5}},
            "indicators": [7]
        });
        assert_eq!(
            problems(doc.clone()),
            [
                (
                    "/funds/total/executed".to_owned(),
                    "数值 870996.5 要写成字符串（加引号，如 \"870996.5\"），以免精度丢失".to_owned()
                ),
                ("/indicators/0".to_owned(), "类型不对，应为对象".to_owned()),
            ]
        );
        doc["indicators"] = serde_json::json!([]);
        doc["funds"]["total"]["executed"] = serde_json::json!("870996.5");
        assert!(validator.check(&doc).is_ok());
    }

    #[test]
    fn serde_paths_become_pointers() {
        assert_eq!(path_to_pointer("funds.total.executed"), "/funds/total/executed");
        assert_eq!(path_to_pointer("indicators[3].weight"), "/indicators/3/weight");
        assert_eq!(path_to_pointer("."), "");
    }
}
