//! Inputs for the fuzz targets (`fuzz/`, see `docs/fuzzing.md`), replayed with asserted outcomes.
//!
//! `tests/fixtures/fuzz/<target>/` holds inputs for the fuzz target `<target>`, each run through
//! the target's code path and compared with its expected outcome in this file's table for that
//! target (what a user would see: the documents imported or the located error, the values
//! parsed, the documents scored or rejected and why). No fuzz run has found a crash yet
//! (`docs/fuzzing.md`), so the files are hand-made, named after the edge case they exercise:
//! encodings and line ends, limits (cell size, decimal digits, nesting depth, i32 years), broken
//! and truncated input, and the defects found while writing these tests (marked “it was …” in
//! the tables). A crash file a fuzz run finds goes there too. Adding a file without an entry
//! fails `every_fuzz_file_has_an_expected_outcome`; an entry without its file fails too.
//!
//! The committed seed corpora (`fuzz/corpus/<target>/`) go through the same paths with the
//! targets' general properties asserted: an import fails with a located error or gives documents
//! that validate against the schema, score under their rule set and keep nothing dropped; an
//! actual parses as its target without the comparator hint and quantities re-read from their
//! own rendering give the same value; a JSON document is either rejected with at least one
//! problem at a pointer into it, or validates and scores.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jixiao::engine::grammar::{Comparator, Parsed, days_late, parse_actual, parse_value};
use jixiao::engine::scoring::score_document;
use jixiao::ingest::import::{ErrorKind, ImportOptions, grid, import_bytes};
use jixiao::ingest::input::{RawDocument, parse_json, parse_json_lines};
use jixiao::ingest::validate::DocumentValidator;
use jixiao::policy::{RuleSet, embedded};

use crate::common;

/// The files of `dir/<target>/`, sorted by name.
fn files_in(dir: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p: PathBuf| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

/// The inputs kept under `tests/fixtures/fuzz/` for one target.
fn fuzz_files(target: &str) -> Vec<(String, Vec<u8>)> {
    files_in("tests/fixtures/fuzz", target)
}

/// The committed seed corpus of one target.
fn corpus_files(target: &str) -> Vec<(String, Vec<u8>)> {
    files_in("fuzz/corpus", target)
}

/// The file names of a table.
fn names<T>(table: &[(&'static str, T)]) -> BTreeSet<&'static str> {
    let names: BTreeSet<&str> = table.iter().map(|(n, _)| *n).collect();
    assert_eq!(names.len(), table.len(), "a file is listed twice");
    names
}

#[test]
fn every_fuzz_file_has_an_expected_outcome() {
    for (target, expected) in [
        ("import_form", names(IMPORT_FORM)),
        ("target_grammar", names(TARGET_GRAMMAR)),
        ("document_loader", names(DOCUMENT_LOADER)),
    ] {
        let on_disk: BTreeSet<String> = fuzz_files(target).into_iter().map(|(n, _)| n).collect();
        let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
        let unlisted: Vec<&&str> = on_disk.difference(&expected).collect();
        let missing: Vec<&&str> = expected.difference(&on_disk).collect();
        assert!(
            unlisted.is_empty(),
            "tests/fixtures/fuzz/{target}/: no expected outcome for {unlisted:?}; add an entry to the table"
        );
        assert!(
            missing.is_empty(),
            "tests/fixtures/fuzz/{target}/: no file for {missing:?}"
        );
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut dirs: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort_unstable();
    assert_eq!(
        dirs,
        ["document_loader", "import_form", "target_grammar"],
        "one folder per fuzz target"
    );
}

// ---- import_form ------------------------------------------------------------------------------

/// What importing a file gave, as a user sees it.
#[derive(Debug, PartialEq)]
enum Imported {
    /// Documents: how many, the first one's 项目名称, and the unmapped cells of all of them.
    Docs {
        count: usize,
        project: &'static str,
        unmapped: usize,
    },
    /// An error of this kind at this place (`Location` as displayed: file, row, column).
    Fails(ErrorKind, &'static str),
}

/// Inputs of `import_form`: the first byte picks the extension as in
/// `fuzz/fuzz_targets/import_form.rs` (byte % 4: 0 .tsv, 1 .csv, 2 .xlsx, 3 .txt; these files
/// use the ASCII digits `0`–`3`), the rest is the file. “The form” is the first form of
/// `tests/fixtures/forms/shenzhen-seed.tsv` (its rows 3–23, 档案整理), which imports with
/// nothing unmapped. Imported with `--year 2021`, as the target imports.
const IMPORT_FORM: &[(&str, Imported)] = &[
    // Encodings and line ends of the form: the same document as the plain file.
    ("bom-crlf-form.tsv", FORM),
    ("lone-cr-form.tsv", FORM),
    ("utf16be-form.tsv", FORM),
    ("gbk-form.txt", FORM),
    // The 档案整理 cell quoted as "档案\r\n整理": a line break inside a cell reads as \n
    // (it was kept as \r\n, so converting a file's line ends changed the document id).
    (
        "quoted-multiline-project-name.csv",
        Imported::Docs {
            count: 1,
            project: "档案\n整理",
            unmapped: 0,
        },
    ),
    // A note to the right of the 年度资金总额 row: kept as an unmapped cell, not dropped.
    (
        "extra-note-right-of-funds-row.tsv",
        Imported::Docs {
            count: 1,
            project: "档案整理",
            unmapped: 1,
        },
    ),
    // The form twice: the second one (from row 22) has the first one's id.
    (
        "same-form-twice.tsv",
        Imported::Fails(ErrorKind::Duplicate, "fuzz.tsv 第 22 行"),
    ),
    // Bytes that are not text, with CR line ends: the row is counted by CR too (it was row 1).
    (
        "nul-on-row-3-lone-cr.tsv",
        Imported::Fails(ErrorKind::Binary, "fuzz.tsv 第 3 行"),
    ),
    (
        "invalid-bytes-on-row-4-lone-cr.txt",
        Imported::Fails(ErrorKind::Encoding, "fuzz.txt 第 4 行"),
    ),
    (
        "invalid-utf8-after-bom-on-row-3.tsv",
        Imported::Fails(ErrorKind::Encoding, "fuzz.tsv 第 3 行"),
    ),
    // An unpaired surrogate in UTF-16: located at its row (it named no row).
    (
        "utf16le-unpaired-surrogate-on-row-2.txt",
        Imported::Fails(ErrorKind::Encoding, "fuzz.txt 第 2 行"),
    ),
    (
        "unterminated-quote-spanning-lines.csv",
        Imported::Fails(ErrorKind::Syntax, "fuzz.csv 第 2 行 A 列"),
    ),
    // 32,768 characters in one cell, one over a spreadsheet cell's limit.
    (
        "cell-one-over-the-limit.tsv",
        Imported::Fails(ErrorKind::CellTooLarge, "fuzz.tsv 第 1 行 B 列"),
    ),
    // Nothing after the extension byte; only separators and white space.
    ("pick-byte-only.tsv", Imported::Fails(ErrorKind::Empty, "fuzz.tsv")),
    ("whitespace-only.csv", Imported::Fails(ErrorKind::Empty, "fuzz.csv")),
    // A form cut short: a title without 项目名称, a 项目名称 row without the rest.
    (
        "title-only.tsv",
        Imported::Fails(ErrorKind::MissingBlock, "fuzz.tsv 第 1 行"),
    ),
    (
        "project-name-row-only.tsv",
        Imported::Fails(ErrorKind::MissingBlock, "fuzz.tsv 第 1 行"),
    ),
    // Not a workbook: the zip signature alone, and text under an .xlsx name.
    ("zip-magic-only.xlsx", Imported::Fails(ErrorKind::Workbook, "fuzz.xlsx")),
    (
        "text-named-xlsx.xlsx",
        Imported::Fails(ErrorKind::Workbook, "fuzz.xlsx"),
    ),
];

/// The seed's first form, imported.
const FORM: Imported = Imported::Docs {
    count: 1,
    project: "档案整理",
    unmapped: 0,
};

/// The name the fuzz target gives the file, from its first byte.
fn import_name(pick: u8) -> &'static str {
    ["fuzz.tsv", "fuzz.csv", "fuzz.xlsx", "fuzz.txt"][usize::from(pick) % 4]
}

/// The options the fuzz target imports with.
fn import_options() -> ImportOptions {
    ImportOptions {
        year: Some(2021),
        default_year: None,
        region: None,
        ..ImportOptions::default()
    }
}

/// Runs `import_form`'s path on one input and asserts the general outcome (a located error, or
/// documents that validate, score and keep nothing dropped); `None` for an empty input, which the
/// target skips.
fn import_form(data: &[u8]) -> Option<Imported> {
    let (&pick, bytes) = data.split_first()?;
    let name = import_name(pick);
    let opts = import_options();
    let grids = grid::read_grids(name, bytes);
    let result = common::assert_import_outcome(name, import_bytes(name, bytes, &opts), grids.as_deref().ok(), &opts);
    Some(match result {
        Ok(docs) => Imported::Docs {
            count: docs.len(),
            project: docs[0].project.name.clone().leak(),
            unmapped: docs.iter().map(|d| d.unmapped.len()).sum(),
        },
        Err(e) => Imported::Fails(e.kind().unwrap(), e.location().to_string().leak()),
    })
}

#[test]
fn import_form_fuzz_files_give_their_expected_outcome() {
    let mut wrong = Vec::new();
    for (file, data) in fuzz_files("import_form") {
        let Some((_, expected)) = IMPORT_FORM.iter().find(|(n, _)| *n == file) else {
            continue;
        };
        let got = import_form(&data).unwrap_or_else(|| panic!("{file}: empty"));
        if &got != expected {
            wrong.push(format!("{file}: expected {expected:?}, got {got:?}"));
        } else if *expected == FORM {
            // Not only alike: exactly the plain form's documents, rows included.
            let (&pick, bytes) = data.split_first().unwrap();
            let name = import_name(pick);
            let docs = import_bytes(name, bytes, &import_options()).unwrap();
            if serde_json::to_value(&docs).unwrap() != plain_form(name) {
                wrong.push(format!("{file}: not the plain form's document"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The documents of the seed's first form (its rows 3–23) as plain UTF-8 text with LF line
/// ends, imported as `name`, serialized.
fn plain_form(name: &str) -> serde_json::Value {
    let text: String = common::seed_text()
        .lines()
        .skip(2)
        .take(21)
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        text.starts_with("项目支出绩效自评表\n") && text.contains("\n总分\t"),
        "{text}"
    );
    serde_json::to_value(import_bytes(name, text.as_bytes(), &import_options()).unwrap()).unwrap()
}

#[test]
fn import_form_seed_corpus_fails_located_or_imports_valid_documents() {
    for (file, data) in corpus_files("import_form") {
        let outcome = import_form(&data);
        // The corpus holds the fixtures: the forms, the damaged forms (imported with their
        // problems as issues) and the real forms from other regions import, the malformed files
        // do not, except the one whose only fault is an ambiguous year (the target's
        // `--year 2021` settles it).
        let imports = ["forms-", "xlsx-", "import-issues-", "real-forms-"]
            .iter()
            .any(|p| file.starts_with(p))
            || file == "malformed-ambiguous-year.tsv";
        match outcome {
            Some(Imported::Docs { .. }) => assert!(imports, "{file}: {outcome:?}"),
            Some(Imported::Fails(..)) => assert!(!imports, "{file}: {outcome:?}"),
            None => panic!("{file}: empty"),
        }
    }
}

// ---- target_grammar ---------------------------------------------------------------------------

/// What the grammar made of a `target␟actual␟unit hint␟comparator hint␟default year` input.
#[derive(Debug, PartialEq)]
enum Read {
    /// Not UTF-8: the target skips it.
    NotUtf8,
    /// The target and the actual as JSON (`Parsed`'s serde form, decimals as written), and the
    /// days the actual is late for the target.
    Parsed {
        target: &'static str,
        actual: &'static str,
        days_late: Option<i64>,
    },
}

/// Inputs of `target_grammar`, split on U+001F as the target splits them.
const TARGET_GRAMMAR: &[(&str, Read)] = &[
    // Comparators and percentages written every way.
    (
        "percent-with-yishang-suffix",
        parsed(
            r#"{"kind":"quantity","comparator":"ge","value":"95","unit":null,"percent":true}"#,
            r#"{"kind":"quantity","comparator":null,"value":"98","unit":null,"percent":true}"#,
            None,
        ),
    ),
    (
        "full-width-comparator-and-digits",
        parsed(
            r#"{"kind":"quantity","comparator":"ge","value":"95","unit":null,"percent":true}"#,
            r#"{"kind":"quantity","comparator":null,"value":"96.5","unit":null,"percent":true}"#,
            None,
        ),
    ),
    (
        "zero-width-space-and-nbsp",
        parsed(
            r#"{"kind":"quantity","comparator":"ge","value":"50","unit":"个","percent":false}"#,
            r#"{"kind":"quantity","comparator":null,"value":"50","unit":"个","percent":false}"#,
            None,
        ),
    ),
    (
        "currency-and-thousands-separators",
        parsed(
            r#"{"kind":"quantity","comparator":null,"value":"1499180.50","unit":"元","percent":false}"#,
            r#"{"kind":"quantity","comparator":null,"value":"1499180","unit":null,"percent":false}"#,
            None,
        ),
    ),
    // The smallest decimal a percentage can hold keeps its scale.
    (
        "percent-at-the-smallest-scale",
        parsed(
            r#"{"kind":"quantity","comparator":null,"value":"0.0000000000000000000000000001","unit":null,"percent":true}"#,
            r#"{"kind":"quantity","comparator":null,"value":"0","unit":null,"percent":true}"#,
            None,
        ),
    ),
    // Hints from a 度量单位 and a 指标性质 column fill the target; the actual takes only the unit.
    (
        "percent-unit-hint-and-positive-column",
        parsed(
            r#"{"kind":"quantity","comparator":"ge","value":"95","unit":null,"percent":true}"#,
            r#"{"kind":"quantity","comparator":null,"value":"96","unit":null,"percent":true}"#,
            None,
        ),
    ),
    (
        "reverse-column-with-unit-hint",
        parsed(
            r#"{"kind":"quantity","comparator":"le","value":"93.69","unit":"万元","percent":false}"#,
            r#"{"kind":"quantity","comparator":null,"value":"87.1","unit":"万元","percent":false}"#,
            None,
        ),
    ),
    // A span of time with ≥ is a quantity; without a comparator, a duration.
    (
        "ge-duration-is-a-quantity",
        parsed(
            r#"{"kind":"quantity","comparator":"ge","value":"3","unit":"天","percent":false}"#,
            r#"{"kind":"duration","within":false,"amount":"2","unit":"day"}"#,
            None,
        ),
    ),
    (
        "one-and-a-half-months",
        parsed(
            r#"{"kind":"duration","within":true,"amount":"1.5","unit":"month"}"#,
            r#"{"kind":"duration","within":false,"amount":"1","unit":"month"}"#,
            None,
        ),
    ),
    // Deadlines: "7月前" is before July begins (the documented example, 156 days late), a
    // deadline naming a day includes it.
    (
        "month-deadline-vs-day-156-days-late",
        parsed(
            r#"{"kind":"date","relation":"before","date":{"year":2021,"month":7,"day":null}}"#,
            r#"{"kind":"date","relation":"on","date":{"year":2021,"month":12,"day":3}}"#,
            Some(156),
        ),
    ),
    (
        "day-deadline-is-inclusive",
        parsed(
            r#"{"kind":"date","relation":"by_end","date":{"year":null,"month":12,"day":31}}"#,
            r#"{"kind":"date","relation":"on","date":{"year":2021,"month":12,"day":31}}"#,
            Some(0),
        ),
    ),
    // 29 February without a year: no deadline in a common default year, one in a leap year.
    (
        "feb-29-in-a-common-default-year",
        parsed(FEB_29_BY_END, FEB_28_ON, None),
    ),
    (
        "feb-29-in-a-leap-default-year",
        parsed(FEB_29_BY_END, FEB_28_ON, Some(-1)),
    ),
    // Default years at the ends of i32: the day arithmetic does not overflow.
    ("default-year-i32-max", parsed(DEC_BY_END, DEC_1_ON, Some(-30))),
    ("default-year-i32-min", parsed(DEC_BY_END, DEC_1_ON, Some(-30))),
    // Broken values say why.
    (
        "comparator-without-number",
        parsed(
            r#"{"kind":"unparsable","reason":"比较符号后缺少数值"}"#,
            r#"{"kind":"empty"}"#,
            None,
        ),
    ),
    (
        "double-decimal-point",
        parsed(
            r#"{"kind":"unparsable","reason":"数值中小数点重复"}"#,
            r#"{"kind":"quantity","comparator":null,"value":"12.5","unit":null,"percent":false}"#,
            None,
        ),
    ),
    (
        "number-beyond-28-digits",
        parsed(
            r#"{"kind":"unparsable","reason":"数值超出可精确表示的范围（最多28位有效数字）"}"#,
            r#"{"kind":"quantity","comparator":null,"value":"1","unit":null,"percent":false}"#,
            None,
        ),
    ),
    (
        "year-beyond-i32",
        parsed(
            r#"{"kind":"unparsable","reason":"数值后有无法识别的内容：12月前"}"#,
            r#"{"kind":"date","relation":"on","date":{"year":2021,"month":12,"day":1}}"#,
            None,
        ),
    ),
    (
        "contradictory-comparators",
        parsed(
            r#"{"kind":"unparsable","reason":"比较符号前后矛盾"}"#,
            r#"{"kind":"quantity","comparator":null,"value":"95","unit":null,"percent":true}"#,
            None,
        ),
    ),
    (
        "reversed-range",
        parsed(
            r#"{"kind":"unparsable","reason":"区间下限大于上限"}"#,
            r#"{"kind":"quantity","comparator":null,"value":"88","unit":null,"percent":true}"#,
            None,
        ),
    ),
    ("nil-markers", parsed(r#"{"kind":"nil"}"#, r#"{"kind":"nil"}"#, None)),
    (
        "empty-input",
        parsed(r#"{"kind":"empty"}"#, r#"{"kind":"empty"}"#, None),
    ),
    ("not-utf8", Read::NotUtf8),
];

const FEB_29_BY_END: &str = r#"{"kind":"date","relation":"by_end","date":{"year":null,"month":2,"day":29}}"#;
const FEB_28_ON: &str = r#"{"kind":"date","relation":"on","date":{"year":null,"month":2,"day":28}}"#;
const DEC_BY_END: &str = r#"{"kind":"date","relation":"by_end","date":{"year":null,"month":12,"day":null}}"#;
const DEC_1_ON: &str = r#"{"kind":"date","relation":"on","date":{"year":null,"month":12,"day":1}}"#;

/// A [`Read::Parsed`] entry.
const fn parsed(target: &'static str, actual: &'static str, days_late: Option<i64>) -> Read {
    Read::Parsed {
        target,
        actual,
        days_late,
    }
}

/// Runs `target_grammar`'s path on one input and asserts its general properties: every accessor
/// answers, an actual is the text parsed without the comparator hint, and a quantity rendered
/// as comparator and number parses back to the same comparator and number (scale included).
fn target_grammar(data: &[u8]) -> Read {
    let Ok(text) = std::str::from_utf8(data) else {
        return Read::NotUtf8;
    };
    let mut parts = text.split('\u{1f}');
    let target_text = parts.next().unwrap_or("");
    let actual_text = parts.next().unwrap_or("");
    let unit = parts.next().filter(|s| !s.is_empty());
    let comparator = parts.next().filter(|s| !s.is_empty());
    let year = parts.next().and_then(|s| s.trim().parse().ok());
    let target = parse_value(target_text, unit, comparator);
    let actual = parse_actual(actual_text, unit);
    for p in [&target, &actual] {
        let _ = (p.deadline_day(year), p.actual_day(year), p.is_constraint());
        assert!(!(p.is_constraint() && p.is_value()), "{p:?}");
        let percent = matches!(p, Parsed::Quantity { percent: true, .. });
        assert_eq!(p.fraction().is_some(), percent, "{p:?}");
    }
    assert_eq!(actual, parse_value(actual_text, unit, None));
    if let Parsed::Quantity { comparator, value, .. } = &target {
        let rendered = format!("{}{value}", comparator.map_or("", Comparator::symbol));
        match parse_value(&rendered, None, None) {
            Parsed::Quantity {
                comparator: c2,
                value: v2,
                unit: None,
                percent: false,
            } => assert_eq!((c2, v2.to_string()), (*comparator, value.to_string()), "{rendered:?}"),
            other => panic!("{rendered:?} (from {target_text:?}) re-parsed as {other:?}"),
        }
    }
    let _ = days_late(&actual, &target, year);
    Read::Parsed {
        target: serde_json::to_string(&target).unwrap().leak(),
        actual: serde_json::to_string(&actual).unwrap().leak(),
        days_late: days_late(&target, &actual, year),
    }
}

#[test]
fn target_grammar_fuzz_files_give_their_expected_outcome() {
    let mut wrong = Vec::new();
    for (file, data) in fuzz_files("target_grammar") {
        let Some((_, expected)) = TARGET_GRAMMAR.iter().find(|(n, _)| *n == file) else {
            continue;
        };
        let got = target_grammar(&data);
        if &got != expected {
            wrong.push(format!("{file}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn target_grammar_seed_corpus_keeps_the_targets_properties() {
    for (file, data) in corpus_files("target_grammar") {
        assert!(
            matches!(target_grammar(&data), Read::Parsed { .. }),
            "{file}: the seeds are UTF-8"
        );
    }
}

// ---- document_loader --------------------------------------------------------------------------

/// Inputs of `document_loader`: what became of each document read from the bytes
/// (decoded as lossy UTF-8) as JSON Lines (“第N行”) and as one JSON file (“json”, “json
/// 第N个”), in that order: not JSON, rejected by the validator at these JSON pointers, or
/// scored under `shenzhen-2020` (the target's rule set) with this total. The valid document
/// in these files (`fz-1`, `fz-2`) is 档案整理 with one quantity indicator.
const DOCUMENT_LOADER: &[(&str, &[&str])] = &[
    // A BOM before the first JSON Lines line (it made that document “not JSON”).
    (
        "bom-before-first-line.jsonl",
        &["第1行 fz-1 总分 99.80", "json fz-1 总分 99.80"],
    ),
    (
        "crlf-line-ends.jsonl",
        &["第1行 fz-1 总分 99.80", "第2行 fz-2 总分 99.80", "json 不是 JSON"],
    ),
    (
        "blank-and-garbage-lines.jsonl",
        &["第3行 不是 JSON", "第4行 fz-1 总分 99.80", "json 不是 JSON"],
    ),
    // Invalid UTF-8 inside a string is decoded lossily (by the target) into U+FFFD.
    (
        "invalid-utf8-in-project-name.jsonl",
        &["第1行 fz-1 总分 99.80", "json fz-1 总分 99.80"],
    ),
    // A number where a document belongs is told an object is wanted (it was told to quote
    // the number, as for a decimal).
    (
        "array-with-a-number-element.json",
        &[
            "第1行 被拒 /：类型不对，应为对象",
            "json 第1个 fz-1 总分 99.80",
            "json 第2个 被拒 /：类型不对，应为对象",
        ],
    ),
    (
        "number-instead-of-decimal-string.json",
        &[
            "第1行 被拒 /funds/total/executed：数值 870996.5 要写成字符串（加引号，如 \"870996.5\"），以免精度丢失",
            "json 被拒 /funds/total/executed：数值 870996.5 要写成字符串（加引号，如 \"870996.5\"），以免精度丢失",
        ],
    ),
    (
        "decimal-beyond-28-digits.json",
        &[
            "第1行 被拒 /funds/total/executed：数值 99999999999999999999999999999999 超出可接受的范围：整数部分最多 15 位（绝对值小于 10^15），小数部分最多 28 位",
            "json 被拒 /funds/total/executed：数值 99999999999999999999999999999999 超出可接受的范围：整数部分最多 15 位（绝对值小于 10^15），小数部分最多 28 位",
        ],
    ),
    (
        "year-before-1990.json",
        &["第1行 被拒 /year：不能小于 1990", "json 被拒 /year：不能小于 1990"],
    ),
    (
        "empty-id.json",
        &["第1行 被拒 /id：长度不能少于 1", "json 被拒 /id：长度不能少于 1"],
    ),
    (
        "unknown-field.json",
        &[
            "第1行 被拒 /：不认识的字段：colour（请检查拼写）",
            "json 被拒 /：不认识的字段：colour（请检查拼写）",
        ],
    ),
    // Not JSON: an unpaired surrogate escape, 200 nested arrays (over serde_json's depth limit,
    // not a stack overflow), a number literal out of f64's range, nothing at all.
    ("lone-surrogate-escape.json", &["第1行 不是 JSON", "json 不是 JSON"]),
    ("nested-200-deep.json", &["第1行 不是 JSON", "json 不是 JSON"]),
    (
        "number-literal-out-of-range.json",
        &["第1行 不是 JSON", "json 不是 JSON"],
    ),
    ("empty-input.json", &["json 不是 JSON"]),
];

/// Where a raw document came from, as the outcome lines name it.
fn place(raw: &RawDocument) -> String {
    match (raw.origin.line, raw.origin.index) {
        (Some(line), _) => format!("第{line}行"),
        (None, Some(i)) => format!("json 第{}个", i + 1),
        (None, None) => "json".to_owned(),
    }
}

/// Runs `document_loader`'s path on one input and asserts its general outcome: a rejected
/// document lists at least one problem, each at a pointer into the document; a valid one scores
/// under `shenzhen-2020` (as the target scores it) and validates and scores as
/// `common::assert_document_validates_and_scores` checks (under the rule set it selects).
/// Returns one line per document.
fn document_loader(data: &[u8]) -> Vec<String> {
    let validator = DocumentValidator::shared().unwrap();
    let rules = RuleSet::load(embedded::files("shenzhen-2020").unwrap()).unwrap();
    let text = String::from_utf8_lossy(data);
    let raw = parse_json_lines("fuzz.jsonl", &text)
        .into_iter()
        .chain(parse_json("fuzz.json", &text));
    raw.map(|doc| {
        let at = place(&doc);
        let value = match doc.value {
            Ok(value) => value,
            Err(message) => {
                assert!(message.starts_with("不是合法的 JSON"), "{at}: {message}");
                return format!("{at} 不是 JSON");
            }
        };
        match validator.check(&value) {
            Ok(document) => {
                let card = score_document(&rules, &document).unwrap_or_else(|e| panic!("{at}: {e}"));
                common::assert_document_validates_and_scores(&at, &document);
                format!("{at} {} 总分 {}", document.id, card.total.score)
            }
            Err(problems) => {
                assert!(!problems.is_empty(), "{at}: rejected without a problem");
                for p in problems.iter().map(|(p, _)| p) {
                    assert!(value.pointer(p).is_some(), "{at}: {p} is not in the document");
                }
                let problems: Vec<String> = problems
                    .iter()
                    .map(|(p, m)| format!("{}：{m}", if p.is_empty() { "/" } else { p }))
                    .collect();
                format!("{at} 被拒 {}", problems.join("；"))
            }
        }
    })
    .collect()
}

#[test]
fn document_loader_fuzz_files_give_their_expected_outcome() {
    let mut wrong = Vec::new();
    for (file, data) in fuzz_files("document_loader") {
        let Some((_, expected)) = DOCUMENT_LOADER.iter().find(|(n, _)| *n == file) else {
            continue;
        };
        let got = document_loader(&data);
        if got != *expected {
            wrong.push(format!("{file}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn document_loader_seed_corpus_is_rejected_located_or_scores() {
    for (file, data) in corpus_files("document_loader") {
        let outcomes = document_loader(&data);
        assert!(!outcomes.is_empty(), "{file}");
        // The seeds are the documents jixiao writes, and the invalid fixture: only that one
        // has rejected documents.
        let rejected = outcomes.iter().any(|o| o.contains("被拒"));
        assert_eq!(rejected, file.starts_with("invalid-"), "{file}: {outcomes:#?}");
    }
}

/// The `ruleset_loader` seeds go the target's way: split at U+001E into `policy.toml`,
/// `formulas.rhai`, `checks.rhai` (a part left out is `cn-mof-2020`'s), checked and loaded. The
/// shipped sets load and score the central form; the broken-rule-set patches (a `policy.toml`
/// fragment each) are diagnosed, never a panic.
#[test]
fn ruleset_loader_seed_corpus_loads_or_is_diagnosed() {
    use jixiao::policy::{RuleSet, RuleSetFiles, RuleSetOrigin, embedded, lint};
    let base = embedded::files("cn-mof-2020").unwrap();
    let central = jixiao::ingest::import::import_text(
        "central.tsv",
        &String::from_utf8(crate::common::fixture_bytes("forms/central-2021.tsv")).unwrap(),
        &ImportOptions {
            year: Some(2021),
            ..ImportOptions::default()
        },
    )
    .unwrap();
    let seeds = corpus_files("ruleset_loader");
    assert!(seeds.len() >= 3);
    for (file, data) in seeds {
        let text = String::from_utf8_lossy(&data);
        let mut parts = text.split('\u{1e}');
        let files = ["policy.toml", "formulas.rhai", "checks.rhai"]
            .into_iter()
            .map(|name| {
                let own = parts.next().map(str::to_owned);
                let inherited = || base.files.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone());
                (name.to_owned(), own.or_else(inherited).unwrap_or_default())
            })
            .collect();
        let set = RuleSetFiles {
            origin: RuleSetOrigin::Embedded,
            name: "fuzz".to_owned(),
            files,
        };
        let _ = lint::check(&set);
        let loaded = RuleSet::load(set);
        if ["cn-mof-2020", "shenzhen-2020", "sichuan-2023"].contains(&file.as_str()) {
            let rules = loaded.unwrap_or_else(|e| panic!("{file}: {e}"));
            jixiao::engine::scoring::score_document(&rules, &central[0]).unwrap();
        }
    }
}
