//! The command line speaks Chinese (issue 15 item 4): help headings, the help and version
//! flags, the usage line and every argument mistake are Chinese, English only in parentheses;
//! a mistake is one message and exit 2, help and version exit 0.

use crate::common::jixiao;

/// ASCII words of three letters or more outside parentheses, backquotes and `<…>`/`[…]`
/// placeholders: English a user would have to read.
fn english_outside_parentheses(text: &str) -> Vec<String> {
    let mut depth = 0i32;
    let mut word = String::new();
    let mut found = Vec::new();
    // Flags written in prose ("--check") are what one types, not English to read.
    let mut without_flags = String::with_capacity(text.len());
    let mut in_flag = false;
    let mut previous = ' ';
    for c in text.chars() {
        if c == '-' && previous == '-' {
            in_flag = true;
        } else if in_flag && !(c.is_ascii_alphanumeric() || c == '-') {
            in_flag = false;
        }
        if !in_flag {
            without_flags.push(c);
        }
        previous = c;
    }
    for c in without_flags.chars() {
        match c {
            '(' | '（' | '<' | '[' | '`' | '“' => depth += 1,
            ')' | '）' | '>' | ']' | '”' => depth -= 1,
            _ => {}
        }
        if c.is_ascii_alphabetic() && depth <= 0 {
            word.push(c);
        } else {
            if word.len() >= 3 {
                found.push(std::mem::take(&mut word));
            }
            word.clear();
        }
    }
    found
}

#[test]
fn help_and_usage_are_chinese() {
    let (code, stdout, _) = jixiao(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("用法：jixiao <命令>"), "{stdout}");
    assert!(stdout.contains("命令:") && stdout.contains("选项:"), "{stdout}");
    assert!(stdout.contains("-h, --help     显示帮助"), "{stdout}");
    for line in stdout.lines() {
        // Command names and flags are what one types; the rest is Chinese.
        let prose = if line.starts_with("  ") {
            // "  check   检查规则集…", "  -h, --help   显示帮助…": the name, then prose.
            let words: Vec<&str> = line.split_whitespace().filter(|w| !w.starts_with('-')).collect();
            words.get(1..).unwrap_or_default().join(" ")
        } else {
            line.to_owned()
        };
        let english: Vec<String> = english_outside_parentheses(&prose)
            .into_iter()
            .filter(|w| {
                !matches!(
                    w.as_str(),
                    "jixiao" | "TOML" | "JSON" | "Schema" | "TSV" | "CSV" | "xlsx"
                )
            })
            .collect();
        assert!(english.is_empty(), "{line}: {english:?}");
    }
    let (code, stdout, _) = jixiao(&["score", "-h"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("用法：jixiao score [选项] <INPUTS>..."), "{stdout}");
    assert!(stdout.contains("参数:"), "{stdout}");
    let (code, stdout, _) = jixiao(&["--version"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("jixiao "), "{stdout}");
}

#[test]
fn argument_mistakes_are_one_chinese_message_and_exit_2() {
    for (args, expected) in [
        (vec!["score", "x.tsv", "--bogus"], "错误：不认识的参数 --bogus"),
        (vec!["scor"], "错误：不认识的命令 scor；是不是 score？"),
        (
            vec!["score", "x.tsv", "--format", "xml"],
            "错误：参数 --format <FORMAT> 的值“xml”无效；可用的值：table, json",
        ),
        (
            vec!["score", "x.tsv", "--year", "abc"],
            "错误：参数 --year <Y> 的值“abc”无效（应为整数）",
        ),
        (
            vec!["score", "x.tsv", "--year", "2020", "--default-year", "2020"],
            "不能与 --default-year <Y> 同时使用",
        ),
        (vec!["score"], "错误：缺少必需的参数：<INPUTS>..."),
    ] {
        let (code, stdout, stderr) = jixiao(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("error:") && !stderr.contains("Usage:"),
            "{args:?}: {stderr}"
        );
    }
}
