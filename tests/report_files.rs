//! The report files people open — the Excel workbook and CSV — read back and compared with the
//! JSON report of the same run, cell by cell.

use std::path::Path;
use std::process::Output;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

use crate::common::jixiao_command;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/forms/shenzhen-seed.tsv");

fn score(extra: &[&str]) -> Output {
    jixiao_command()
        .args(["score", SEED, "--default-year", "2020", "--region", "shenzhen"])
        .args(extra)
        .output()
        .unwrap()
}

/// The JSON report of the seed run: the reference every other format is compared with.
fn json_report() -> Vec<Value> {
    let out = score(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "form 6 has error findings");
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

fn count(doc: &Value, severity: &str) -> usize {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == severity && f["waived"] == false)
        .count()
}

fn waived(doc: &Value) -> usize {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived"] == true)
        .count()
}

/// Where each seed form was read from, as the documents table shows it: the file, its rows and
/// the cell of the reported total (from the imported documents' source and provenance).
fn sources() -> Vec<[Value; 3]> {
    let options = jixiao::ingest::import::ImportOptions {
        default_year: Some(2020),
        region: Some("shenzhen".to_owned()),
        ..Default::default()
    };
    jixiao::ingest::import::import_file(Path::new(SEED), &options)
        .unwrap()
        .into_iter()
        .map(|f| {
            let source = f.source.unwrap();
            let total = f.provenance["/total/score_reported"].a1();
            [
                source.file.into(),
                format!("{}–{}", source.first_row, source.last_row).into(),
                total.into(),
            ]
        })
        .collect()
}

/// The documents-table row the JSON report implies, field by field, as JSON values: decimals
/// as their exact strings, texts as strings, counts and years as numbers, absent as null; then
/// where the form came from (`source`).
fn expected_document_row(doc: &Value, source: &[Value; 3]) -> Vec<Value> {
    let b = &doc["budget"];
    let decimal = |v: &Value| v.as_str().map(|s| s.parse::<rust_decimal::Decimal>().unwrap());
    let difference = match (decimal(&doc["total"]["score"]), decimal(&doc["total"]["reported"])) {
        (Some(c), Some(r)) => Value::String((c - r).to_string()),
        _ => Value::Null,
    };
    let mut row = vec![
        doc["project"].clone(),
        doc["department"].clone(),
        doc["year"].clone(),
        doc["region"].clone(),
        doc["ruleset"].clone(),
        b["budget"].clone(),
        b["executed"].clone(),
        b["rate"].clone(),
        b["reported_rate"].clone(),
        b["weight"].clone(),
        b["score"].clone(),
        b["reported_score"].clone(),
        doc["total"]["score"].clone(),
        doc["total"]["reported"].clone(),
        difference,
        doc["grade"].clone(),
        doc["grade_reported"].clone(),
        count(doc, "error").into(),
        count(doc, "warning").into(),
        count(doc, "info").into(),
        waived(doc).into(),
        doc["id"].clone(),
    ];
    row.extend(source.iter().cloned());
    row
}

/// Columns of the documents table that hold decimals (written as Excel numbers).
const DECIMAL_COLUMNS: [usize; 10] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

fn text(cell: &Data) -> &str {
    match cell {
        Data::String(s) => s,
        _ => "",
    }
}

fn cell_matches(cell: &Data, want: &Value, decimal: bool) -> bool {
    match (cell, want) {
        (Data::Empty, Value::Null) => true,
        (Data::Float(f), Value::String(s)) if decimal => *f == s.parse::<f64>().unwrap(),
        (Data::Float(f), Value::Number(n)) => Some(*f) == n.as_f64(),
        (Data::Int(i), Value::Number(n)) => Some(*i) == n.as_i64(),
        (Data::String(s), Value::String(w)) if !decimal => s == w,
        _ => false,
    }
}

#[test]
fn workbook_summary_matches_the_json_report_cell_by_cell() {
    let docs = json_report();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("报告.xlsx");
    let out = score(&["--format", "xlsx", "-o", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    // Only the workbook and its run manifest: no temporary file left beside them.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["报告.xlsx", "报告.xlsx.manifest.json"]);

    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["汇总", "指标", "发现", "审核决定"]);

    let summary = book.worksheet_range("汇总").unwrap();
    assert_eq!(summary.height(), docs.len() + 1);
    let headers: Vec<String> = summary.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(headers[0], "项目");
    assert_eq!(headers[12], "总分（计算）");
    assert_eq!(headers[13], "总分（填报）");
    assert_eq!(headers[14], "总分差额（计算−填报）");
    assert_eq!(headers[22..], ["来源文件", "来源行", "总分单元格"]);
    let sources = sources();
    assert_eq!(sources.len(), docs.len());
    for ((doc, row), source) in docs.iter().zip(summary.rows().skip(1)).zip(&sources) {
        let want = expected_document_row(doc, source);
        assert_eq!(row.len(), want.len(), "{}", doc["id"]);
        for (col, (cell, want)) in row.iter().zip(&want).enumerate() {
            assert!(
                cell_matches(cell, want, DECIMAL_COLUMNS.contains(&col)),
                "{} column {} ({}): workbook {cell:?}, JSON {want}",
                doc["id"],
                col,
                headers[col]
            );
        }
    }

    let indicators: usize = docs.iter().map(|d| d["indicators"].as_array().unwrap().len()).sum();
    let findings: usize = docs.iter().map(|d| d["findings"].as_array().unwrap().len()).sum();
    let sheet = book.worksheet_range("指标").unwrap();
    assert_eq!(sheet.height(), indicators + 1);
    // Scores are numbers, not text.
    let form6_cost = sheet
        .rows()
        .find(|r| text(&r[3]) == "项目成本（元）" && text(&r[12]).contains("信息基础设施"))
        .unwrap();
    assert_eq!(form6_cost[7], Data::Float(1.32));
    assert_eq!(form6_cost[8], Data::Float(12.5));
    // Computed − reported, and the cell the reported score was read from.
    assert_eq!(form6_cost[9], Data::Float(-11.18));
    assert_eq!(text(&form6_cost[13]), SEED);
    assert!(
        text(&form6_cost[14]).starts_with(char::is_alphabetic),
        "{:?}",
        form6_cost[14]
    );
    let sheet = book.worksheet_range("发现").unwrap();
    assert_eq!(sheet.height(), findings + 1);
    let t1 = sheet.rows().find(|r| text(&r[1]) == "T1").unwrap();
    assert_eq!(t1[2].to_string(), "总分与重算结果不符");
    assert_eq!(t1[3].to_string(), "错误");
    assert_eq!(t1[4].to_string(), "总分");
    assert_eq!(t1[5].to_string(), "G136");
    // Form 6 reports 99.8 where 88.62 is computed.
    assert_eq!(t1[7], Data::Float(-11.18));
    // The T1 finding points at the cell the documents table names as the reported total's.
    let form6 = summary.rows().find(|r| text(&r[21]) == text(&t1[9])).unwrap();
    assert_eq!(text(&form6[24]), "G136");
}

/// A CSV field as its value: `="0102013"` is the text `0102013`; numbers compare by value
/// (`12.50` is `12.5`: each CSV column has one number format).
fn same_value(field: &str, want: &str) -> bool {
    let field = field
        .strip_prefix("=\"")
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(field);
    match (
        field.parse::<rust_decimal::Decimal>(),
        want.parse::<rust_decimal::Decimal>(),
    ) {
        // A code with a leading zero is text ("0102013"), compared as written.
        (Ok(a), Ok(b)) if !(want.len() > 1 && want.starts_with('0') && !want.starts_with("0.")) => a == b,
        _ => field == want,
    }
}

fn csv_records(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let body = bytes
        .strip_prefix("\u{feff}".as_bytes())
        .expect("UTF-8 byte-order mark");
    let mut reader = csv::Reader::from_reader(body);
    let headers = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let records = reader.records().map(Result::unwrap).collect();
    (headers, records)
}

#[test]
fn csv_documents_match_the_json_report() {
    let docs = json_report();
    let out = score(&["--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\r\n"),
        "RFC 4180 line ends"
    );
    let (headers, records) = csv_records(&out.stdout);
    assert_eq!(headers[0], "项目");
    assert_eq!(records.len(), docs.len());
    for ((doc, record), source) in docs.iter().zip(&records).zip(&sources()) {
        let want = expected_document_row(doc, source);
        assert_eq!(record.len(), want.len());
        for (col, (field, want)) in record.iter().zip(&want).enumerate() {
            let want = match want {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            // Decimals keep the JSON report's value ("99.8" as "99.80"); codes stay text.
            assert!(
                same_value(field, &want),
                "{} column {}: {field} ≠ {want}",
                doc["id"],
                headers[col]
            );
        }
    }
}

#[test]
fn csv_indicator_and_finding_tables_have_a_row_each() {
    let docs = json_report();
    let out = score(&["--format", "csv", "--csv-table", "indicators"]);
    let (headers, records) = csv_records(&out.stdout);
    assert_eq!(headers[1..4], ["一级指标", "二级指标", "三级指标"]);
    let indicators: Vec<&Value> = docs.iter().flat_map(|d| d["indicators"].as_array().unwrap()).collect();
    assert_eq!(records.len(), indicators.len());
    for (ind, record) in indicators.iter().zip(&records) {
        assert_eq!(&record[3], ind["name"].as_str().unwrap());
        assert_eq!(&record[4], ind["target"].as_str().unwrap());
        assert!(same_value(&record[7], ind["score"].as_str().unwrap_or("")));
        assert!(same_value(&record[8], ind["reported_score"].as_str().unwrap_or("")));
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("发现.csv");
    let out = score(&[
        "--format",
        "csv",
        "--csv-table",
        "findings",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(out.stdout.is_empty());
    let (_, records) = csv_records(&std::fs::read(&path).unwrap());
    let findings: Vec<&Value> = docs.iter().flat_map(|d| d["findings"].as_array().unwrap()).collect();
    assert_eq!(records.len(), findings.len());
    for (f, record) in findings.iter().zip(&records) {
        assert_eq!(&record[1], f["code"].as_str().unwrap());
        assert_eq!(&record[2], f["title"].as_str().unwrap());
        assert_eq!(&record[6], f["message"].as_str().unwrap());
    }
}

#[test]
fn workbook_needs_an_output_file() {
    let out = score(&["--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("-o"), "{stderr}");
    assert!(stderr.contains("二进制"), "{stderr}");
}

#[test]
fn an_unwritable_output_fails_with_exit_2_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("没有这个文件夹").join("报告.xlsx");
    let out = score(&["--format", "xlsx", "-o", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法写入"));
    assert!(!Path::new(&missing).exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn reviewer_decisions_get_a_sheet_and_a_csv_table() {
    let decisions = |name: &str| format!("{}/tests/fixtures/decisions/{name}", env!("CARGO_MANIFEST_DIR"));
    let (waive, target) = (decisions("form6-waive.toml"), decisions("form6-target.toml"));
    let run = |extra: &[&str]| {
        let mut args = vec!["score", SEED, "--year", "2021", "--region", "shenzhen"];
        args.extend_from_slice(&["--decisions", &waive, "--decisions", &target]);
        args.extend_from_slice(extra);
        jixiao_command().args(&args).output().unwrap()
    };
    let docs: Vec<Value> = serde_json::from_slice(&run(&["--format", "json"]).stdout).unwrap();
    let applied: Vec<&Value> = docs.iter().flat_map(|d| d["decisions"].as_array().unwrap()).collect();
    assert!(!applied.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("决定.xlsx");
    run(&["--format", "xlsx", "-o", path.to_str().unwrap()]);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let sheet = book.worksheet_range("审核决定").unwrap();
    assert_eq!(sheet.height(), applied.len() + 1);
    for (d, row) in applied.iter().zip(sheet.rows().skip(1)) {
        assert_eq!(text(&row[4]), d["reason"].as_str().unwrap());
        assert_eq!(text(&row[5]), d["reviewer"].as_str().unwrap());
        assert_eq!(text(&row[7]), d["source"].as_str().unwrap());
    }
    // Waived findings are listed, marked, and counted apart from the others.
    let summary = book.worksheet_range("汇总").unwrap();
    for (doc, row) in docs.iter().zip(summary.rows().skip(1)) {
        assert_eq!(row[20], Data::Float(waived(doc) as f64), "{}", doc["id"]);
    }

    let out = run(&["--format", "csv", "--csv-table", "decisions"]);
    let (headers, records) = csv_records(&out.stdout);
    assert_eq!(headers[1], "决定");
    assert_eq!(records.len(), applied.len());
}

/// Issue 15 item 2: the terminal table fits the terminal's width (long names cut with “…”), and
/// below it lists each form's error findings with their titles and differences, and how to see
/// a derivation with `explain`.
#[test]
fn the_terminal_table_fits_its_width_and_lists_error_findings() {
    use unicode_width::UnicodeWidthStr;
    let options = jixiao::ingest::import::ImportOptions {
        year: Some(2020),
        region: Some("shenzhen".to_owned()),
        ..Default::default()
    };
    let docs = jixiao::ingest::import::import_file(Path::new(SEED), &options).unwrap();
    let catalogue = jixiao::policy::select::Catalogue::embedded().unwrap();
    let pipeline = jixiao::engine::pipeline::Pipeline::without_decisions(&catalogue);
    let cards: Vec<_> = docs.iter().map(|d| pipeline.score(d).unwrap().card).collect();

    let wide = jixiao::report::table(&cards, None);
    let widest = wide.lines().take(11).map(UnicodeWidthStr::width).max().unwrap();
    assert!(widest > 100, "{wide}");
    for width in [80, 100] {
        let text = jixiao::report::table(&cards, Some(width));
        // The header, the rule and the nine rows fit; the long project name is cut.
        for line in text.lines().take(11) {
            assert!(line.width() <= width, "{width}: {line}");
        }
        assert!(text.contains('…'), "{text}");
        assert!(text.contains("88.62≠99.8"), "{text}");
    }
    // Below the table: form 6's errors, with title and difference, and the explain hint.
    assert!(
        wide.contains("错误发现：\n  信息基础设施及数据中心管理（2020-0102013-信息基础设施及数据中心管理）"),
        "{wide}"
    );
    assert!(
        wide.contains("I4 反向指标超出目标而未扣分｜产出指标/成本指标/项目成本（元） H131"),
        "{wide}"
    );
    assert!(wide.contains("（计算−填报 = -11.18）"), "{wide}");
    assert!(wide.contains("jixiao explain 输入文件 --document 文档编号"), "{wide}");
}

/// Issue 15 item 1: what Excel would mangle stays as written — the 主管部门 code `0102013` is
/// `="0102013"` (shown as text), and a score column has one format (`12.50` beside `1.00`).
#[test]
fn csv_keeps_codes_as_text_and_one_number_format_per_column() {
    let out = score(&["--format", "csv"]);
    let (headers, records) = csv_records(&out.stdout);
    let department = headers.iter().position(|h| h == "主管部门").unwrap();
    assert_eq!(&records[0][department], "=\"0102013\"");
    let out = score(&["--format", "csv", "--csv-table", "indicators"]);
    let (_, records) = csv_records(&out.stdout);
    for record in &records {
        for col in [7, 8] {
            let field = &record[col];
            if !field.is_empty() {
                let places = field.split_once('.').map_or(0, |(_, f)| f.len());
                assert!(places >= 2, "{field}");
            }
        }
    }
}

/// The CSV tables of the seed run as users see them (issue 15 items 1 and 6): the difference
/// columns, the finding titles and where each form and number came from (the input named as on
/// the command line, relative here).
#[test]
fn csv_tables_of_the_seed_as_users_see_them() {
    for table in ["documents", "findings"] {
        let out = jixiao_command()
            .args([
                "score",
                "tests/fixtures/forms/shenzhen-seed.tsv",
                "--default-year",
                "2020",
            ])
            .args(["--region", "shenzhen", "--format", "csv", "--csv-table", table])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        insta::assert_snapshot!(format!("csv_{table}"), text.replace("\r\n", "\n"));
    }
}
