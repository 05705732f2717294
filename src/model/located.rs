//! A value of a TOML file together with the byte range it was written at, so a later check can
//! point at file:line:column, and TOML errors said in Chinese: what rule-set files
//! (`policy.toml`, decisions) and layout files share.

use std::ops::Range;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

/// A value together with where it was written in its TOML file (byte range).
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Byte range in the file.
    pub span: Range<usize>,
}

impl<T: Default> Default for Located<T> {
    fn default() -> Self {
        Located {
            value: T::default(),
            span: 0..0,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = toml::Spanned::<T>::deserialize(deserializer)?;
        Ok(Located {
            span: spanned.span(),
            value: spanned.into_inner(),
        })
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// A TOML parse or type error of a jixiao file (rule set, layout) in Chinese: unknown keys with
/// the keys allowed there, unterminated strings, missing keys, wrong types.
pub fn toml_message(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let field = rest.split(',').next().unwrap_or(rest);
        let expected = rest.split_once("expected ").map(|(_, e)| e).unwrap_or_default();
        let expected = expected.strip_prefix("one of ").unwrap_or(expected).replace(", ", "、");
        return format!("不认识的键 {field}；此处可用的键：{expected}");
    }
    if message.starts_with("invalid basic string") || message.starts_with("invalid literal string") {
        return "字符串没有结束：缺少右引号".to_owned();
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("缺少必填的键 {rest}");
    }
    if let Some((found, expected)) = message
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        return format!(
            "类型不对：此处应为{}，写的是{}",
            type_words(expected),
            value_words(found)
        );
    }
    message.to_owned()
}

/// Chinese for the type serde expected (`u32`, `a string`, …).
fn type_words(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "不小于 0 的整数".to_owned(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "整数".to_owned(),
        "a string" | "a borrowed string" => "字符串".to_owned(),
        "a boolean" => "true 或 false".to_owned(),
        "a sequence" => "数组 [ … ]".to_owned(),
        "a map" => "表 { … }".to_owned(),
        other => other.to_owned(),
    }
}

/// Chinese for the value serde found (`string "二"`, `integer \`5\``, …).
fn value_words(found: &str) -> String {
    let unquote = |s: &str| s.trim_matches('`').to_owned();
    if let Some(s) = found.strip_prefix("string ") {
        return format!("字符串 {s}");
    }
    if let Some(s) = found.strip_prefix("integer ") {
        return format!("整数 {}", unquote(s));
    }
    if let Some(s) = found.strip_prefix("floating point ") {
        return format!("小数 {}", unquote(s));
    }
    if let Some(s) = found.strip_prefix("boolean ") {
        return format!("布尔值 {}", unquote(s));
    }
    match found {
        "sequence" => "数组".to_owned(),
        "map" => "表".to_owned(),
        other => other.to_owned(),
    }
}
