//! The seed forms as xlsx workbooks written by `rust_xlsxwriter`: with text cells, and with the
//! amounts as numeric cells. They must import to the same documents as the TSV (only the file
//! name and sheet differ).

use crate::common::*;
use jixiao::ingest::import::{ErrorKind, Grid, ImportOptions, grid, import_bytes};
use jixiao::model::document::EvaluationDocument;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// How a workbook helper writes a cell.
#[derive(Clone, Copy, PartialEq)]
enum Cells {
    /// Every cell as a string.
    Text,
    /// Amounts (funds rows, 项目金额) as numbers, "0.00"-formatted where two decimals show.
    NumericAmounts,
}

fn is_plain_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.') && s.parse::<f64>().is_ok()
}

/// Writes grid rows into one sheet per `(name, rows)`.
fn workbook(sheets: &[(&str, &[Vec<String>])], mode: Cells) -> Vec<u8> {
    let mut book = Workbook::new();
    let two_decimals = Format::new().set_num_format("0.00");
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        let mut in_funds = false;
        for (r, row) in rows.iter().enumerate() {
            let first = row.iter().map(|c| c.trim()).find(|c| !c.is_empty()).unwrap_or("");
            if first.starts_with("项目资金") {
                in_funds = true;
            } else if first == "年度总体目标" {
                in_funds = false;
            }
            let mut after_amount_label = false;
            for (c, text) in row.iter().enumerate() {
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                let numeric = mode == Cells::NumericAmounts
                    && (in_funds && c >= 2 || after_amount_label)
                    && is_plain_number(text);
                after_amount_label = text == "项目金额";
                let (r, c) = (r as u32, c as u16);
                if numeric {
                    let v: f64 = text.parse().unwrap();
                    if text.split_once('.').is_some_and(|(_, f)| f.len() == 2) {
                        ws.write_number_with_format(r, c, v, &two_decimals).unwrap();
                    } else {
                        ws.write_number(r, c, v).unwrap();
                    }
                } else {
                    ws.write_string(r, c, text).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn tsv_rows() -> Vec<Vec<String>> {
    grids("forms/shenzhen-seed.tsv").remove(0).rows
}

/// The documents, with the file name and sheet blanked so sources compare.
fn docs(file: &str, grids: &[Grid]) -> Vec<EvaluationDocument> {
    forms_with_fallback(file, grids, 2020)
        .into_iter()
        .map(|f| {
            let mut d = f.document;
            let s = d.source.as_mut().unwrap();
            s.file = String::new();
            s.sheet = None;
            d
        })
        .collect()
}

#[test]
fn seed_workbook_with_text_cells_imports_like_the_tsv() {
    let rows = tsv_rows();
    let bytes = workbook(&[("深圳 2020-2021", &rows)], Cells::Text);
    let grids = grid::read_grids("seed.xlsx", &bytes).unwrap();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].sheet.as_deref(), Some("深圳 2020-2021"));
    for form in forms_with_fallback("seed.xlsx", &grids, 2020) {
        assert_nothing_dropped(&grids, &form);
        assert_eq!(
            form.document.source.as_ref().unwrap().sheet.as_deref(),
            Some("深圳 2020-2021")
        );
    }
    let from_xlsx = docs("seed.xlsx", &grids);
    let from_tsv = docs("shenzhen-seed.tsv", &grids_of_tsv());
    assert_eq!(from_xlsx.len(), 9);
    // Exactly the same JSON, including every provenance cell (the sheet keeps the TSV's rows).
    assert_eq!(
        serde_json::to_value(&from_xlsx).unwrap(),
        serde_json::to_value(&from_tsv).unwrap()
    );
}

fn grids_of_tsv() -> Vec<Grid> {
    grids("forms/shenzhen-seed.tsv")
}

#[test]
fn seed_workbook_with_numeric_amounts_imports_like_the_tsv() {
    let rows = tsv_rows();
    let bytes = workbook(&[("Sheet1", &rows)], Cells::NumericAmounts);
    // The helper really wrote numbers.
    {
        use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(&bytes)).unwrap();
        let range = book.worksheet_range("Sheet1").unwrap();
        assert_eq!(range.get_value((7, 2)), Some(&Data::Float(890000.0)));
        assert_eq!(range.get_value((7, 6)), Some(&Data::Float(0.98)));
    }
    let grids = grid::read_grids("seed.xlsx", &bytes).unwrap();
    // Numbers show as Excel shows them: "0.00" keeps two decimals, General the shortest digits.
    assert_eq!(grids[0].cell(7, 2), "890000.00");
    assert_eq!(grids[0].cell(7, 5), "10");
    assert_eq!(grids[0].cell(4, 6), "3700700");
    let from_xlsx = docs("seed.xlsx", &grids);
    let from_tsv = docs("shenzhen-seed.tsv", &grids_of_tsv());
    assert_eq!(
        serde_json::to_value(&from_xlsx).unwrap(),
        serde_json::to_value(&from_tsv).unwrap()
    );
}

#[test]
fn forms_on_several_sheets_keep_their_sheet_and_rows() {
    let rows = tsv_rows();
    // Forms 1–2 (rows 1–45) on one sheet, forms 3–9 on another at their original rows.
    let first: Vec<Vec<String>> = rows[..45].to_vec();
    let mut second: Vec<Vec<String>> = rows.clone();
    for row in second.iter_mut().take(45) {
        row.clear();
    }
    let bytes = workbook(&[("一", &first), ("二", &second)], Cells::Text);
    let opts = ImportOptions {
        default_year: None,
        year: Some(2021),
        region: None,
        ..ImportOptions::default()
    };
    let docs = import_bytes("two.xlsx", &bytes, &opts).unwrap();
    assert_eq!(docs.len(), 9);
    let sheets: Vec<(&str, u32)> = docs
        .iter()
        .map(|d| {
            d.source
                .as_ref()
                .map(|s| (s.sheet.as_deref().unwrap(), s.first_row))
                .unwrap()
        })
        .collect();
    assert_eq!(sheets[0], ("一", 3));
    assert_eq!(sheets[1], ("一", 25));
    assert_eq!(sheets[2], ("二", 47));
    assert_eq!(docs[2].provenance["/funds/total/executed"].row, 52);
}

#[test]
fn workbook_cells_show_as_excel_shows_them() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_number(0, 0, 890000.0).unwrap();
    ws.write_number(0, 1, 0.98).unwrap();
    ws.write_number_with_format(0, 2, 1.0, &Format::new().set_num_format("0.00%"))
        .unwrap();
    ws.write_number_with_format(0, 3, 870996.125, &Format::new().set_num_format("#,##0.00"))
        .unwrap();
    let date = ExcelDateTime::from_ymd(2021, 11, 25).unwrap();
    ws.write_datetime_with_format(0, 4, &date, &Format::new().set_num_format("yyyy-mm-dd"))
        .unwrap();
    ws.write_number(2, 5, 12.5).unwrap();
    ws.write_boolean(0, 6, true).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let g = grid::read_grids("cells.xlsx", &bytes).unwrap().remove(0);
    assert_eq!(g.cell(0, 0), "890000");
    assert_eq!(g.cell(0, 1), "0.98");
    assert_eq!(g.cell(0, 2), "100.00%");
    assert_eq!(g.cell(0, 3), "870996.125", "never round away digits the file holds");
    assert_eq!(g.cell(0, 4), "2021-11-25");
    assert_eq!(g.cell(2, 5), "12.5");
    assert_eq!(g.cell(0, 6), "TRUE");
}

/// Issue 14 item 7: a workbook holding the form sheet and a 说明 sheet imports the form; the
/// 说明 sheet is named as skipped with its cells counted. A workbook whose every sheet holds no
/// form is still an error.
#[test]
fn a_workbook_sheet_with_text_but_no_form_is_skipped_and_named() {
    let rows = tsv_rows();
    let notes = vec![vec!["填表说明：请按模板填写".to_owned(), "第二条".to_owned()]];
    let bytes = workbook(&[("表", &rows), ("说明", &notes)], Cells::Text);
    let opts = ImportOptions {
        year: Some(2020),
        ..ImportOptions::default()
    };
    let docs = import_bytes("mixed.xlsx", &bytes, &opts).unwrap();
    assert_eq!(docs.len(), 9);

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("mixed.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let (code, stdout, stderr) = jixiao(&["import", path.to_str().unwrap(), "--year", "2020", "-o", "-"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 9);
    assert!(
        stderr.contains("mixed.xlsx：工作表“说明”中没有自评表") && stderr.contains("其中 2 个非空单元格未读取"),
        "{stderr}"
    );

    let only_notes = workbook(&[("说明", &notes)], Cells::Text);
    let e = import_bytes("notes.xlsx", &only_notes, &opts).unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NoForm));
    assert!(e.to_string().starts_with("notes.xlsx 工作表“说明”："), "{e}");
}

/// Issue 14 item 7: a formula cell whose result was never saved (a workbook written by a
/// program) is not read as a silent blank: it is listed unmapped with its formula, and the form
/// carries an import issue naming the cell.
#[test]
fn a_formula_without_a_saved_result_is_named() {
    let rows = grids("forms/central-2021.tsv").remove(0).rows;
    let total_row = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "总分"))
        .unwrap();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    // As a program writes a workbook it never calculated: an empty result.
    ws.set_formula_result_default("");
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
            if r as usize == total_row && c == 7 {
                ws.write_formula(r, c, rust_xlsxwriter::Formula::new("SUM(H13:H22)"))
                    .unwrap();
            } else if !text.is_empty() {
                ws.write_string(r, c, text).unwrap();
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let docs = import_bytes(
        "formula.xlsx",
        &bytes,
        &ImportOptions {
            year: Some(2021),
            ..ImportOptions::default()
        },
    )
    .unwrap();
    let doc = &docs[0];
    assert_eq!(doc.total.score_reported, None);
    let cell = doc.unmapped.iter().find(|u| u.text == "=SUM(H13:H22)").unwrap();
    assert_eq!(cell.at.a1(), format!("H{}", total_row + 1));
    assert!(cell.reason.as_deref().unwrap().contains("公式没有保存计算结果"));
    assert!(
        doc.import_issues
            .iter()
            .any(|i| i.detail.contains("没有保存计算结果的公式") && i.detail.contains("=SUM(H13:H22)")),
        "{:?}",
        doc.import_issues
    );
}
