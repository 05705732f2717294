//! Malformed inputs: each gives an `ImportError` naming the file (and the row, where there is
//! one) and saying what to do — never a panic. Messages are snapshotted for review.
//! Adding a case means adding a file to `tests/fixtures/malformed/`.
//!
//! Damaged forms (`tests/fixtures/import-issues/`: a cell that is no number, an unknown header,
//! a row that fits no column, a missing block …) are no longer refused: each imports with what
//! can be placed, and the same clear message, at the same cell, is an import issue of the
//! document (a finding when scored). Their documents, issues and unmapped cells are
//! snapshotted.
//!
//! The property tests (random grids of form words, the seed with cells overwritten, random
//! bytes under every extension) assert every outcome, as `common::assert_import_outcome` checks
//! it: an error names the file, and the row unless it concerns the whole file; a success gives
//! documents that validate against the evaluation schema, read back unchanged and score under
//! the rule set their year and region select, and every form read keeps nothing dropped.
//! A UTF-8 BOM and CRLF / CR line ends give exactly the documents of the plain LF file, line
//! breaks inside quoted cells included.

use crate::common::*;
use jixiao::ingest::import::{ErrorKind, ImportError, ImportOptions, grid, import_bytes, import_text};
use jixiao::model::document::{EvaluationDocument, FormBlock, ImportIssueKind};
use proptest::prelude::*;
use rust_xlsxwriter::Workbook;

fn fail(file: &str, bytes: &[u8]) -> ImportError {
    match import_bytes(file, bytes, &ImportOptions::default()) {
        Ok(docs) => panic!("{file} imported {} documents, expected an error", docs.len()),
        Err(e) => e,
    }
}

#[test]
fn malformed_fixtures_give_located_errors() {
    insta::glob!("fixtures/malformed/*", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let e = fail(&name, &std::fs::read(path).unwrap());
        let text = e.to_string();
        assert!(text.starts_with(&name), "{text}");
        if !file_level(e.kind()) {
            assert!(
                text.contains(" 第 ") && text.contains(" 行"),
                "{name}: no row in “{text}”"
            );
        }
        insta::assert_snapshot!(show(&e));
    });
}

#[test]
fn malformed_cases_have_the_expected_kind_and_place() {
    let case = |file: &str| fail(file, &fixture_bytes(&format!("malformed/{file}")));
    let e = case("duplicate-form.tsv");
    assert_eq!(e.kind(), Some(ErrorKind::Duplicate));
    assert!(
        e.to_string()
            .starts_with("duplicate-form.tsv 第 23 行：本表与第 1 行开始的表编号相同"),
        "{e}"
    );
    assert_eq!(case("ambiguous-year.tsv").kind(), Some(ErrorKind::AmbiguousYear));
    let e = case("unterminated-quote.csv");
    assert_eq!(e.kind(), Some(ErrorKind::Syntax));
    assert!(
        e.to_string()
            .starts_with("unterminated-quote.csv 第 9 行 A 列：引号没有闭合"),
        "{e}"
    );
    assert_eq!(case("not-gbk.tsv").kind(), Some(ErrorKind::Encoding));
    assert!(case("not-gbk.tsv").to_string().starts_with("not-gbk.tsv 第 2 行："));
    assert_eq!(case("empty.tsv").kind(), Some(ErrorKind::Empty));
    assert_eq!(case("blank.csv").kind(), Some(ErrorKind::Empty));
    assert_eq!(case("form.pdf").kind(), Some(ErrorKind::UnsupportedFormat));
    assert_eq!(case("old-excel.xls").kind(), Some(ErrorKind::UnsupportedFormat));
    assert_eq!(case("corrupt.xlsx").kind(), Some(ErrorKind::Workbook));
    assert_eq!(case("text-named.xlsx").kind(), Some(ErrorKind::Workbook));
}

/// One damaged form, imported: its single document.
fn damaged(file: &str) -> EvaluationDocument {
    let docs = import_bytes(
        file,
        &fixture_bytes(&format!("import-issues/{file}")),
        &ImportOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{file} is refused: {e}"));
    assert_eq!(docs.len(), 1, "{file}");
    docs.into_iter().next().unwrap()
}

/// The issue of `kind` at `cell` (A1) of a document, with its detail.
fn issue_at(doc: &EvaluationDocument, kind: ImportIssueKind, cell: &str) -> String {
    doc.import_issues
        .iter()
        .find(|i| i.kind == kind && i.at.a1() == cell)
        .unwrap_or_else(|| panic!("{}: no {kind:?} issue at {cell}: {:#?}", doc.id, doc.import_issues))
        .detail
        .clone()
}

/// What a reviewer sees of an imported damaged form: the document, its issues and unmapped
/// cells, one line each.
fn issues_shown(doc: &EvaluationDocument) -> String {
    let mut out = format!(
        "{}：{} 个指标，资金总额行 {}，总分 {}\n",
        doc.id,
        doc.indicators.len(),
        if doc.funds.total.label.is_empty() { "无" } else { "有" },
        doc.total
            .score_reported
            .map_or_else(|| "无".to_owned(), |s| s.to_string())
    );
    for i in &doc.import_issues {
        out.push_str(&format!("问题 {:?} {}：{}\n", i.kind, i.at.a1(), i.detail));
    }
    for u in &doc.unmapped {
        out.push_str(&format!(
            "未映射 {}“{}”：{}\n",
            u.at.a1(),
            u.text,
            u.reason.as_deref().unwrap_or("")
        ));
    }
    out
}

#[test]
fn damaged_forms_import_with_their_problem_as_a_located_issue() {
    insta::glob!("fixtures/import-issues/*", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc = damaged(&name);
        assert!(!doc.import_issues.is_empty(), "{name}: imported without an issue");
        let source = doc.source.as_ref().unwrap();
        for i in &doc.import_issues {
            assert!(
                (source.first_row..=source.last_row).contains(&i.at.row),
                "{name}: {i:?} lies outside the form"
            );
        }
        assert_document_validates_and_scores(&name, &doc);
        insta::assert_snapshot!(issues_shown(&doc));
    });
}

#[test]
fn damaged_forms_keep_the_old_message_at_the_old_cell() {
    use ImportIssueKind::*;
    let detail = issue_at(&damaged("non-numeric-budget.tsv"), Unrecognised, "D6");
    assert!(detail.starts_with("全年预算数 \"abc\" 不是数字"), "{detail}");
    let detail = issue_at(&damaged("weight-not-number.tsv"), Unrecognised, "G13");
    assert!(detail.starts_with("分值 \"十二点五\" 不是数字"), "{detail}");
    let doc = damaged("weight-not-number.tsv");
    assert_eq!(doc.indicators[0].weight, None, "the cell is not guessed");
    assert_eq!(doc.indicators[0].score_reported, Some(rust_decimal_macros::dec!(12.5)));
    let detail = issue_at(&damaged("unknown-funds-column.tsv"), Unrecognised, "D5");
    assert!(detail.starts_with("资金表头“预算调整数”无法识别"), "{detail}");
    let detail = issue_at(&damaged("unknown-indicator-row.tsv"), Unrecognised, "B18");
    assert!(
        detail.starts_with("指标表中无法识别的行“填表说明：请按实际情况填写”"),
        "{detail}"
    );
    issue_at(&damaged("unplaceable-indicator-row.tsv"), Unrecognised, "C14");
    issue_at(&damaged("second-funds-header.tsv"), Unrecognised, "A10");
    let doc = damaged("truncated.tsv");
    assert!(doc.is_incomplete() && doc.lacks(FormBlock::Indicators) && doc.lacks(FormBlock::Total));
    assert!(damaged("missing-indicator-header.tsv").lacks(FormBlock::Indicators));
    assert!(damaged("missing-funds-total.tsv").lacks(FormBlock::FundsTotal));
    let doc = damaged("no-project-name.tsv");
    assert_eq!(doc.project.name, "（无项目名称）");
    assert!(issue_at(&doc, Fragment, "A1").contains("没有项目名称"));
}

#[test]
fn binary_file_is_rejected() {
    let mut bytes = b"PK\x03\x04 not really".to_vec();
    bytes.extend([0u8, 1, 2, 3, 0xff, 0xfe, b'\n', 0]);
    let e = fail("image.tsv", &bytes);
    assert_eq!(e.kind(), Some(ErrorKind::Binary));
    insta::assert_snapshot!("binary_file", show(&e));
}

/// Regression: errors found in the raw bytes (NUL, undecodable bytes) named row 1 in a file
/// with CR line ends (only `\n` was counted), and an undecodable UTF-16 unit named no row at
/// all.
#[test]
fn byte_level_errors_name_their_row_whatever_the_line_ends() {
    let row = |name: &str, bytes: &[u8]| {
        let e = fail(name, bytes);
        assert_located(name, &e);
        (e.kind().unwrap(), e.location().row())
    };
    for end in ["\n", "\r\n", "\r"] {
        let text = |last: &[u8]| [format!("a{end}b{end}c{end}").as_bytes(), last].concat();
        assert_eq!(row("nul.tsv", &text(b"d\0")), (ErrorKind::Binary, Some(4)), "{end:?}");
        assert_eq!(
            row("bad.txt", &text(b"d\xff\xfe")),
            (ErrorKind::Encoding, Some(4)),
            "{end:?}"
        );
        let bom = [b"\xEF\xBB\xBF".as_slice(), &text(b"\xc3(")].concat();
        assert_eq!(row("bom.tsv", &bom), (ErrorKind::Encoding, Some(4)), "{end:?}");
        let units: Vec<u16> = format!("a{end}b{end}")
            .encode_utf16()
            .chain([0xD800, u16::from(b'c')])
            .collect();
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(units.iter().flat_map(|u| u.to_le_bytes()))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(units.iter().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(row("utf16le.txt", &le), (ErrorKind::Encoding, Some(3)), "{end:?}");
        assert_eq!(row("utf16be.txt", &be), (ErrorKind::Encoding, Some(3)), "{end:?}");
    }
    let e = fail("utf16le.txt", &[0xFF, 0xFE, 0x00, 0xDC]);
    assert_eq!(
        e.to_string(),
        "utf16le.txt 第 1 行：UTF-16 文本中有无法解码的字节；文件可能已损坏，请另存为 UTF-8 后再导入"
    );
}

#[test]
fn a_ten_megabyte_cell_is_rejected() {
    let mut text = String::from("项目支出绩效自评表\n项目名称\t");
    text.push_str(&"很".repeat(10 * 1024 * 1024 / 3));
    text.push('\n');
    let e = fail("huge.tsv", text.as_bytes());
    assert_eq!(e.kind(), Some(ErrorKind::CellTooLarge));
    assert!(e.to_string().starts_with("huge.tsv 第 2 行 B 列："), "{e}");
    insta::assert_snapshot!("huge_cell", show(&e));
    // Same in a CSV, inside quotes.
    let csv = format!("项目名称,\"{}\"\n", "x".repeat(10 * 1024 * 1024));
    assert_eq!(fail("huge.csv", csv.as_bytes()).kind(), Some(ErrorKind::CellTooLarge));
}

#[test]
fn a_workbook_without_a_form_is_rejected() {
    let mut book = Workbook::new();
    book.add_worksheet()
        .set_name("汇总")
        .unwrap()
        .write_string(0, 0, "2021年项目支出汇总")
        .unwrap();
    let e = fail("summary.xlsx", &book.save_to_buffer().unwrap());
    assert_eq!(e.kind(), Some(ErrorKind::NoForm));
    insta::assert_snapshot!("workbook_without_form", show(&e));

    let mut empty = Workbook::new();
    empty.add_worksheet();
    assert_eq!(
        fail("empty.xlsx", &empty.save_to_buffer().unwrap()).kind(),
        Some(ErrorKind::Empty)
    );
}

#[test]
fn gbk_text_imports() {
    let bytes = fixture_bytes("forms/gbk-form-8.txt");
    assert!(std::str::from_utf8(&bytes).is_err());
    let docs = import_bytes("gbk-form-8.txt", &bytes, &ImportOptions::default()).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].project.name, "2021年电子政务运维");
    assert_eq!(docs[0].year, 2021);
    assert_eq!(docs[0].indicators[0].target, "≥1");
}

#[test]
fn quoted_csv_imports() {
    let docs = import_bytes(
        "quoted-form-8.csv",
        &fixture_bytes("forms/quoted-form-8.csv"),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(
        docs[0].goals.expected,
        "完成2021年新增电子政务系统的运维, 含\"等保\"测评。"
    );
    assert_eq!(docs[0].total.score_reported, Some(rust_decimal_macros::dec!(100)));
}

/// The same bytes with `\n` line ends turned into `\r\n` or `\r`, each with and without a
/// UTF-8 BOM. Only for files without line breaks inside quoted cells (a break inside a cell
/// is cell content, not a line end).
fn line_end_variants(lf: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let with = |from: u8, to: &[u8]| -> Vec<u8> {
        lf.iter()
            .flat_map(|&b| if b == from { to.to_vec() } else { vec![b] })
            .collect()
    };
    let bom = |bytes: Vec<u8>| [b"\xEF\xBB\xBF".as_slice(), &bytes].concat();
    vec![
        ("CRLF", with(b'\n', b"\r\n")),
        ("CR", with(b'\n', b"\r")),
        ("BOM", bom(lf.to_vec())),
        ("BOM+CRLF", bom(with(b'\n', b"\r\n"))),
        ("BOM+CR", bom(with(b'\n', b"\r"))),
    ]
}

#[test]
fn a_utf8_bom_and_crlf_or_cr_line_ends_give_exactly_the_plain_documents() {
    let opts = ImportOptions {
        default_year: Some(2020),
        year: None,
        region: None,
        ..ImportOptions::default()
    };
    for (rel, forms) in [
        ("forms/shenzhen-seed.tsv", 9),
        ("forms/central-2021.tsv", 1),
        ("forms/sichuan-2022.tsv", 1),
        ("forms/quoted-form-8.csv", 1),
        ("multi-line-cells.csv", 1),
    ] {
        let name = rel.rsplit('/').next().unwrap();
        // The plain file: LF line ends, no BOM (quoted-form-8.csv is stored with CRLF).
        let lf: Vec<u8> = if name == "multi-line-cells.csv" {
            // Line breaks inside quoted cells (the project name, a goal) are converted with the
            // file's line ends, as a text editor or git converts them: they must still read `\n`.
            String::from_utf8(fixture_bytes("forms/quoted-form-8.csv"))
                .unwrap()
                .replace('\r', "")
                .replace("\"2021年电子政务运维\"", "\"2021年\n电子政务运维\"")
                .replace("完成2021年", "完成\n2021年")
                .into_bytes()
        } else {
            fixture_bytes(rel).into_iter().filter(|&b| b != b'\r').collect()
        };
        assert!(!lf.starts_with(b"\xEF\xBB\xBF"), "{rel}");
        let plain = import_bytes(name, &lf, &opts).unwrap();
        assert_eq!(plain.len(), forms, "{rel}");
        if name == "multi-line-cells.csv" {
            assert_eq!(plain[0].project.name, "2021年\n电子政务运维");
            assert_eq!(plain[0].id, "2021-0102013-2021年_电子政务运维");
            assert!(
                plain[0].goals.expected.starts_with("完成\n2021年"),
                "{:?}",
                plain[0].goals
            );
        }
        let plain_json = serde_json::to_value(&plain).unwrap();
        for (variant, bytes) in line_end_variants(&lf) {
            let docs = import_bytes(name, &bytes, &opts).unwrap_or_else(|e| panic!("{rel} {variant}: {e}"));
            // Row numbers, provenance and unmapped cells included: neither changes any row.
            assert_eq!(
                serde_json::to_value(&docs).unwrap(),
                plain_json,
                "{rel} with {variant} differs from the plain file"
            );
        }
    }
    // The BOM is not read as text: the seed's first cell is the title, not "\u{feff}项目…".
    let bom = line_end_variants(&fixture_bytes("forms/shenzhen-seed.tsv"))
        .swap_remove(2)
        .1;
    let grids = grid::read_grids("bom.tsv", &bom).unwrap();
    assert!(
        !grids[0].rows[0][0].starts_with('\u{feff}'),
        "{:?}",
        grids[0].rows[0][0]
    );
}

/// Reads `bytes` as `name` (grids, then the whole import) and asserts the outcome with
/// [`assert_import_outcome`]; when the file cannot be read into grids, the import must fail
/// with that same located error.
fn check_bytes(name: &str, bytes: &[u8], opts: &ImportOptions) -> Result<usize, ImportError> {
    let whole = import_bytes(name, bytes, opts);
    match grid::read_grids(name, bytes) {
        Ok(grids) => assert_import_outcome(name, whole, Some(&grids), opts).map(|d| d.len()),
        Err(e) => {
            assert_located(name, &e);
            let whole = whole.map(|d| d.len()).unwrap_err();
            assert_eq!(whole.to_string(), e.to_string(), "{name}");
            Err(whole)
        }
    }
}

/// Like [`check_bytes`] for tab-separated text given as a string (`import_text`).
fn check_text(name: &str, text: &str, opts: &ImportOptions) -> Result<usize, ImportError> {
    let whole = import_text(name, text, opts);
    match grid::parse_delimited(name, text, b'\t') {
        Ok(g) => assert_import_outcome(name, whole, Some(std::slice::from_ref(&g)), opts).map(|d| d.len()),
        Err(e) => {
            assert_located(name, &e);
            let whole = whole.map(|d| d.len()).unwrap_err();
            assert_eq!(whole.to_string(), e.to_string(), "{name}");
            Err(whole)
        }
    }
}

const VOCAB: &[&str] = &[
    "",
    "",
    "",
    "项目支出绩效自评表",
    "项目名称",
    "档案整理",
    "项目金额",
    "主管部门",
    "项目资金 (元)",
    "年初预算数",
    "全年预算数",
    "全年执行数",
    "分值",
    "执行率",
    "得分",
    "年度资金总额",
    "其中：当年财政拨款",
    "890000.00",
    "—",
    "/",
    "年度总体目标",
    "预期目标",
    "实际完成情况",
    "年度绩效指标",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "偏差原因分析及改进措施",
    "产出指标",
    "数量指标",
    "成本指标",
    "满意度指标",
    "无",
    "12.5",
    "2021年12月前",
    "总分",
    "合计",
    "100",
    "\"",
    "评价结论",
    "产出指标(50分)",
    "≥12",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any grid of form-like cells, as TSV text and as CSV bytes, gives a located error or
    /// documents that validate and score, with nothing dropped.
    #[test]
    fn arbitrary_grids_fail_located_or_import_valid_documents(
        rows in prop::collection::vec(prop::collection::vec(0..VOCAB.len(), 0..11), 0..40),
        default_year in prop::option::of(2019..2024i32),
    ) {
        let text: String = rows
            .iter()
            .map(|r| r.iter().map(|&i| VOCAB[i]).collect::<Vec<_>>().join("\t"))
            .collect::<Vec<_>>()
            .join("\n");
        let opts = ImportOptions { default_year, year: None, region: None, ..ImportOptions::default() };
        let _ = check_text("fuzz.tsv", &text, &opts);
        let _ = check_bytes("fuzz.csv", text.replace('\t', ",").as_bytes(), &opts);
    }

    /// Rows of a sample form (the Shenzhen seed, the central and the Sichuan layout) with random
    /// cells blanked or overwritten with form words: a located error or documents that validate
    /// and score under the rule set their year and region select (national or regional), with
    /// nothing dropped.
    #[test]
    fn damaged_forms_fail_located_or_import_valid_documents(
        sample in 0usize..3,
        damage in prop::collection::vec((0usize..202, 0usize..10, 0..VOCAB.len()), 0..30),
        regional in any::<bool>(),
    ) {
        let (rel, year, region) = [
            ("forms/shenzhen-seed.tsv", 2020, "shenzhen"),
            ("forms/central-2021.tsv", 2021, "shenzhen"),
            ("forms/sichuan-2022.tsv", 2023, "sichuan"),
        ][sample];
        let text = String::from_utf8(fixture_bytes(rel)).unwrap();
        let mut rows: Vec<Vec<String>> = text.lines().map(|l| l.split('\t').map(str::to_owned).collect()).collect();
        let height = rows.len();
        for (r, c, v) in damage {
            if let Some(cell) = rows.get_mut(r % height).and_then(|row| row.get_mut(c)) {
                *cell = VOCAB[v].to_owned();
            }
        }
        let text = rows.iter().map(|r| r.join("\t")).collect::<Vec<_>>().join("\n");
        let opts = ImportOptions {
            default_year: None,
            year: Some(year),
            region: regional.then(|| region.to_owned()),
            ..ImportOptions::default()
        };
        let _ = check_text("damaged.tsv", &text, &opts);
    }

    /// Arbitrary bytes under every extension: a located error, or documents that validate and
    /// score, with nothing dropped.
    #[test]
    fn arbitrary_bytes_fail_located_or_import_valid_documents(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let opts = ImportOptions { default_year: Some(2021), year: None, region: None, ..ImportOptions::default() };
        for name in ["x.tsv", "x.csv", "x.xlsx", "x.txt"] {
            let _ = check_bytes(name, &bytes, &opts);
        }
    }
}

/// Issue 14 item 9: a "form" spanning more rows than any form has (100k indicator rows pasted
/// in) is refused with its rows named, streamed or read whole alike, while the next form of the
/// file imports; its rows are not all held in memory.
#[test]
fn a_form_longer_than_any_form_is_refused_and_the_next_imports() {
    let central = std::fs::read_to_string(fixture("forms/central-2021.tsv")).unwrap();
    let row = central
        .lines()
        .find(|l| l.contains("新建改造供水工程数量"))
        .unwrap()
        .to_owned();
    let mut text = String::new();
    for line in central.lines() {
        if line == row {
            for k in 0..20_000 {
                text.push_str(&row.replace("新建改造供水工程数量", &format!("新建改造供水工程数量{k}")));
                text.push('\n');
            }
        } else {
            text.push_str(line);
            text.push('\n');
        }
    }
    text.push_str(&central);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("long.tsv");
    std::fs::write(&path, &text).unwrap();
    let options = ImportOptions {
        year: Some(2021),
        ..ImportOptions::default()
    };
    let streamed = jixiao::ingest::import::import_file_each(&path, &options).unwrap();
    let whole = jixiao::ingest::import::import_bytes_each("long.tsv", text.as_bytes(), &options).unwrap();
    for results in [&streamed, &whole] {
        assert_eq!(results.len(), 2);
        let e = results[0].as_ref().unwrap_err();
        assert_eq!(e.kind(), Some(ErrorKind::FormTooLong));
        assert!(e.to_string().contains("超过一张自评表可有的 5000 行"), "{e}");
        assert!(results[1].is_ok());
    }
}

/// A project name holding a paragraph gives an id cut to the schema's 512 characters (with a
/// digest keeping it distinct), so the document still validates. Found by the property test.
#[test]
fn a_very_long_project_name_gives_an_id_the_schema_accepts() {
    let seed = std::fs::read_to_string(fixture("forms/central-2021.tsv")).unwrap();
    let long = "农村饮水安全巩固提升工程".repeat(60);
    let text = seed.replacen("农村饮水安全巩固提升工程", &long, 1);
    let options = ImportOptions {
        year: Some(2021),
        ..ImportOptions::default()
    };
    let docs = import_text("long-name.tsv", &text, &options).unwrap();
    assert_eq!(docs[0].id.chars().count(), 512);
    assert_eq!(docs[0].project.name, long);
    let value = serde_json::to_value(&docs[0]).unwrap();
    jixiao::ingest::validate::DocumentValidator::new()
        .unwrap()
        .check(&value)
        .unwrap_or_else(|e| panic!("{e:?}"));
}
