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
    // Our own messages (custom deserializers) are Chinese already.
    if message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        return message.to_owned();
    }
    // The parser's own words (toml's syntax errors), with the original in parentheses.
    let first = message.lines().next().unwrap_or(message).trim();
    let said = if first.contains("duplicate key") {
        "键重复：同一个键在同一个表里只能写一次"
    } else if first.starts_with("key with no value") {
        "键后面缺少 = 和值"
    } else if first.starts_with("unclosed array") || first.starts_with("invalid array") {
        "数组写法不对：缺少 ] 或元素之间缺少逗号"
    } else if first.contains("inline table") {
        "内联表写法不对：缺少 } 或键值之间缺少逗号"
    } else if first.starts_with("invalid table header") {
        "表头写法不对：应为 [表名]，每个表只能出现一次"
    } else if first.starts_with("invalid key") {
        "键的写法不对：含空格或符号的键要加引号"
    } else if first.contains("invalid number") || first.contains("invalid integer") || first.contains("invalid float") {
        "数字写法不对"
    } else if first.starts_with("expected ") || first.starts_with("unexpected") {
        "语法错误"
    } else {
        "TOML 写法有误"
    };
    format!("{said}（{first}）")
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

#[cfg(test)]
mod tests {
    use super::toml_message;

    #[test]
    fn toml_parser_errors_read_in_chinese_with_the_original_in_parentheses() {
        assert_eq!(
            toml_message("duplicate key"),
            "键重复：同一个键在同一个表里只能写一次（duplicate key）"
        );
        assert!(toml_message("key with no value, expected `=`").starts_with("键后面缺少 = 和值（"));
        assert!(toml_message("something new\nmore").starts_with("TOML 写法有误（something new）"));
        // Messages that are Chinese already stay as they are.
        assert_eq!(toml_message("小数必须写成字符串"), "小数必须写成字符串");
    }
}
