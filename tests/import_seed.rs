//! The nine real Shenzhen seed forms (`tests/fixtures/forms/shenzhen-seed.tsv`): snapshots of
//! every document, and explicit checks of the rows seed-forms.md calls tricky.

use crate::common::*;
use jixiao::ingest::import::{ErrorKind, ImportOptions, ImportedForm, import_text, import_text_forms};
use jixiao::model::document::{CellPos, EvaluationDocument, Indicator};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const FILE: &str = "shenzhen-seed.tsv";

/// Forms whose text states no year (1, 2, 5, 7 — 0-based 0, 1, 4, 6) are imported with 2020.
fn seed() -> Vec<ImportedForm> {
    let grids = grids("forms/shenzhen-seed.tsv");
    forms_with_fallback(FILE, &grids, 2020)
}

fn doc(n: usize) -> EvaluationDocument {
    seed().swap_remove(n - 1).document
}

fn ind<'a>(d: &'a EvaluationDocument, name: &str) -> &'a Indicator {
    d.indicators
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no indicator {name}"))
}

#[test]
fn seed_documents_match_snapshots() {
    for (k, form) in seed().into_iter().enumerate() {
        insta::assert_json_snapshot!(format!("seed_form_{}", k + 1), form.document);
    }
}

#[test]
fn nothing_is_dropped_from_any_seed_form() {
    let grids = grids("forms/shenzhen-seed.tsv");
    let forms = forms_with_fallback(FILE, &grids, 2020);
    assert_eq!(forms.len(), 9);
    let mut covered = 0;
    for form in &forms {
        assert_nothing_dropped(&grids, form);
        covered += form.consumed.len() + form.document.unmapped.len();
    }
    // Every non-empty cell of the file belongs to exactly one form.
    let total = grids[0].rows.iter().flatten().filter(|c| !c.trim().is_empty()).count();
    assert_eq!(covered, total);
}

#[test]
fn years_come_from_the_forms_own_text() {
    let forms = import_text_forms(FILE, &seed_text(), &ImportOptions::default()).unwrap();
    let years: Vec<Result<i32, String>> = forms
        .iter()
        .map(|f| f.as_ref().map(|f| f.document.year).map_err(ToString::to_string))
        .collect();
    for (n, year) in [(3, 2021), (4, 2021), (6, 2020), (8, 2021), (9, 2020)] {
        assert_eq!(years[n - 1], Ok(year), "form {n}");
    }
    // Form 3's goal mentions "更换2015年购置的…": a purchase, not the budget year; the deadline
    // "2021年12月前" decides.
    let form3 = forms[2].as_ref().unwrap();
    assert_eq!(form3.document.provenance["/year"], CellPos { row: 64, column: 6 });
    // Form 9's project name states it.
    assert_eq!(
        forms[8].as_ref().unwrap().document.provenance["/year"],
        CellPos { row: 184, column: 2 }
    );
    for n in [1, 2, 5, 7] {
        let e = forms[n - 1].as_ref().unwrap_err();
        assert_eq!(e.kind(), Some(ErrorKind::MissingYear));
        assert!(e.to_string().starts_with("shenzhen-seed.tsv 第 "), "{e}");
        assert!(
            e.to_string().ends_with(
                "无法确定预算年度：表中没有写明年度，请用 --year 指定（或用 --default-year 只为没有写明年度的表指定）"
            ),
            "{e}"
        );
    }
    assert_eq!(
        forms[0].as_ref().unwrap_err().to_string(),
        "shenzhen-seed.tsv 第 3 行：无法确定预算年度：表中没有写明年度，请用 --year 指定（或用 --default-year 只为没有写明年度的表指定）"
    );

    let opts = ImportOptions {
        default_year: None,
        year: Some(2020),
        region: Some("shenzhen".into()),
        ..ImportOptions::default()
    };
    let forced = import_text_forms(FILE, &seed_text(), &opts).unwrap();
    for n in [1, 2, 5, 7] {
        let d = &forced[n - 1].as_ref().unwrap().document;
        assert_eq!(d.year, 2020);
        assert_eq!(d.region.as_deref(), Some("shenzhen"));
        assert!(!d.provenance.contains_key("/year"));
    }
}

#[test]
fn whole_file_import_needs_a_year_and_then_reads_nine_forms() {
    let e = import_text(FILE, &seed_text(), &ImportOptions::default()).unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::MissingYear));
    let docs = import_text(
        FILE,
        &seed_text(),
        &ImportOptions {
            default_year: None,
            year: Some(2020),
            region: None,
            ..ImportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(docs.len(), 9);
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids[0], "2020-0102013-档案整理");
    assert_eq!(ids[8], "2020-0102013-2020年电子政务运维");
}

#[test]
fn seed_funds_blocks_read_by_header_labels() {
    let expected = [
        (dec!(890000.00), dec!(870996.00), dec!(0.98), dec!(9.80)),
        (dec!(1420000.00), dec!(1420000.00), dec!(1.00), dec!(10.00)),
        (dec!(280000.00), dec!(242730.00), dec!(0.87), dec!(8.70)),
        (dec!(370000.00), dec!(319200.00), dec!(0.86), dec!(8.60)),
        (dec!(770000.00), dec!(770000.00), dec!(1.00), dec!(10.00)),
        (dec!(1190000.00), dec!(1170000.00), dec!(0.98), dec!(9.80)),
        (dec!(2800000.00), dec!(2784690.56), dec!(0.99), dec!(9.90)),
        (dec!(286540.00), dec!(286540.00), dec!(1.00), dec!(10.00)),
        (dec!(350000.00), dec!(350000.00), dec!(1.00), dec!(10.00)),
    ];
    for (form, (budget, executed, rate, score)) in seed().iter().zip(expected) {
        let f = &form.document.funds;
        assert_eq!(f.unit, "元");
        assert_eq!(f.total.label, "年度资金总额");
        assert_eq!(f.total.budget_adjusted, Some(budget));
        assert_eq!(f.total.executed, Some(executed));
        assert_eq!(f.total.rate_reported, Some(rate));
        assert_eq!(f.total.score_reported, Some(score));
        assert_eq!(f.total.weight, Some(dec!(10)));
        let labels: Vec<&str> = f.parts.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["当年财政拨款", "上年结转资金", "其他资金"]);
        // "—" in 分值/得分 of the 其中 rows means not applicable.
        assert!(f.parts.iter().all(|p| p.weight.is_none() && p.score_reported.is_none()));
    }
    let d1 = doc(1);
    assert_eq!(d1.provenance["/funds/total/executed"], CellPos { row: 8, column: 5 });
    assert_eq!(
        d1.provenance["/funds/parts/0/rate_reported"],
        CellPos { row: 9, column: 7 }
    );
    assert_eq!(d1.project.amount, Some(dec!(3700700)));
    assert_eq!(d1.project.department.as_deref(), Some("0102013"));
    assert_eq!(d1.project.implementer, None);
}

#[test]
fn form3_shifted_rows_are_placed_by_content() {
    let d = doc(3);
    let cost = ind(&d, "项目成本（万元）");
    assert_eq!(cost.level1, "产出指标");
    assert_eq!(cost.level2.as_deref(), Some("成本指标"));
    assert_eq!(cost.target, "31");
    assert_eq!(cost.actual, "24.27");
    assert_eq!(cost.unit.as_deref(), Some("万元"));
    assert_eq!(cost.weight, Some(dec!(7.14)));
    assert_eq!(cost.score_reported, Some(dec!(7.14)));
    // The carried 一级 label comes from row 59.
    assert_eq!(d.provenance["/indicators/6/level1"], CellPos { row: 59, column: 2 });
    assert_eq!(d.provenance["/indicators/6/level2"], CellPos { row: 65, column: 2 });

    let eco: Vec<&Indicator> = d
        .indicators
        .iter()
        .filter(|i| i.level2.as_deref() == Some("生态效益指标"))
        .collect();
    assert_eq!(eco.len(), 1);
    assert_eq!(eco[0].level1, "效益指标");
    assert!(eco[0].placeholder);
    assert_eq!(eco[0].weight, Some(dec!(0.0)));

    let deadline = ind(&d, "局机关机房UPS蓄电池间改造更换完成时间");
    assert_eq!(deadline.target, "2021年12月前");
    assert_eq!(deadline.actual, "2021年11月25日");

    let output: Decimal = d
        .indicators
        .iter()
        .filter(|i| i.level1 == "产出指标")
        .filter_map(|i| i.weight)
        .sum();
    assert_eq!(output, dec!(50.00));
    let weights: Vec<Decimal> = d
        .indicators
        .iter()
        .filter(|i| i.level1 == "产出指标")
        .filter_map(|i| i.weight)
        .collect();
    assert_eq!(
        weights,
        [
            dec!(7.14),
            dec!(7.15),
            dec!(7.15),
            dec!(7.14),
            dec!(7.14),
            dec!(7.14),
            dec!(7.14)
        ]
    );
    let sat = ind(&d, "符合深圳市党政机关网络安全联合检查工作要");
    assert_eq!(sat.level2, None);

    // Every shifted row is reported, by row.
    let rows: Vec<u32> = d.realignments.iter().map(|r| r.row).collect();
    assert_eq!(rows, [59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69]);
    assert!(d.realignments[6].action.contains("成本指标"), "{:?}", d.realignments[6]);
    assert!(d.unmapped.is_empty(), "{:?}", d.unmapped);
    assert_eq!(d.total.score_reported, Some(dec!(98.7)));
}

#[test]
fn form7_extra_cells_are_unmapped_and_reported() {
    let d = doc(7);
    let texts: Vec<(u32, u32, &str)> = d
        .unmapped
        .iter()
        .map(|u| (u.at.row, u.at.column, u.text.as_str()))
        .collect();
    assert_eq!(texts, [(154, 7, "无"), (156, 7, "无")]);
    for row in [154, 156] {
        let r = d.realignments.iter().find(|r| r.row == row).unwrap();
        assert!(r.action.contains("G") && r.action.contains("未映射"), "{r:?}");
    }
    for level2 in ["经济效益指标", "生态效益指标"] {
        let i = d
            .indicators
            .iter()
            .find(|i| i.level2.as_deref() == Some(level2))
            .unwrap();
        assert!(i.placeholder);
        assert_eq!((i.target.as_str(), i.actual.as_str()), ("无", "无"));
        assert_eq!((i.weight, i.score_reported), (Some(dec!(0.0)), Some(dec!(0.0))));
        assert_eq!(i.note.as_deref(), Some("无偏差"));
    }
}

#[test]
fn satisfaction_rows_have_no_level2_in_every_form() {
    for form in seed() {
        let d = &form.document;
        let sat: Vec<&Indicator> = d.indicators.iter().filter(|i| i.level1 == "满意度指标").collect();
        assert_eq!(sat.len(), 1, "{}", d.id);
        assert_eq!(sat[0].level2, None);
        assert_eq!(sat[0].weight, Some(dec!(20.0)));
        assert_eq!(
            d.indicators.len(),
            11 + usize::from(d.project.name.contains("UPS")) * 3 - 3,
            "{}",
            d.id
        );
    }
}

#[test]
fn totals_are_read_by_content_where_columns_differ() {
    for (n, reported) in [
        (1, dec!(99.8)),
        (3, dec!(98.7)),
        (4, dec!(92.6)),
        (6, dec!(99.8)),
        (7, dec!(99.9)),
    ] {
        let d = doc(n);
        assert_eq!(d.total.weight, Some(dec!(100)), "form {n}");
        assert_eq!(d.total.score_reported, Some(reported), "form {n}");
        assert_eq!(d.total.note, None, "form {n}: the \"—\" is not applicable");
    }
    let d4 = doc(4);
    assert_eq!(d4.provenance["/total/weight"], CellPos { row: 92, column: 6 });
    assert_eq!(d4.provenance["/total/score_reported"], CellPos { row: 92, column: 7 });
    assert!(d4.realignments.iter().any(|r| r.row == 92));
    let late = ind(&d4, "平台搭建完成时间");
    assert_eq!((late.weight, late.score_reported), (Some(dec!(12.0)), Some(dec!(6))));
    assert!(late.note.as_deref().unwrap().starts_with("因招投标需求反复变更"));
    assert_eq!(ind(&d4, "系统部署更新人员满意度").actual, ">=85%");
    assert_eq!(
        doc(6).provenance["/total/score_reported"],
        CellPos { row: 136, column: 7 }
    );
}

#[test]
fn units_come_from_names_and_names_stay_as_written() {
    let d = doc(2);
    assert_eq!(ind(&d, "政务服务检查次数（次）").unit.as_deref(), Some("次"));
    assert_eq!(ind(&d, "政务服务指标检查频率（次/月）").unit.as_deref(), Some("次/月"));
    assert_eq!(ind(&d, "项目成本（元）").unit.as_deref(), Some("元"));
    assert_eq!(ind(&d, "项目成本（元）").target, "1499180");
    assert_eq!(ind(&d, "每月政务服务检查报告完成率").unit, None);
    assert_eq!(ind(&doc(6), "项目成本（元）").target, "≤124000");
}

#[test]
fn seed_layout_is_shenzhen_and_documents_round_trip() {
    for form in seed() {
        let d = form.document;
        // The Shenzhen family, recognised by its 项目金额 row.
        let layout = d.layout.as_ref().unwrap();
        assert_eq!(
            (layout.family.as_str(), layout.signature.as_slice()),
            ("shenzhen", &["项目金额".to_owned()][..])
        );
        assert!(d.declared_weights.is_empty() && d.indicator_sum.is_none() && d.narrative.is_empty());
        let json = serde_json::to_string(&d).unwrap();
        let back: EvaluationDocument = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }
}
