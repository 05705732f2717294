//! Regional layouts written from domain-rules.md: a Sichuan form and a central/Anhui form.
//! Plus the “nothing dropped” sweep over every fixture form. The seven real forms from other
//! regions are in `real_forms`.

use crate::common::*;
use jixiao::ingest::import::{ImportOptions, import_file};
use jixiao::model::document::{CellPos, DeclaredWeight, EvaluationDocument, Indicator};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn import(rel: &str) -> EvaluationDocument {
    let mut docs = import_file(
        &fixture(rel),
        &ImportOptions {
            default_year: None,
            year: None,
            region: Some("test".into()),
            ..ImportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(docs.len(), 1);
    let mut d = docs.remove(0);
    // The absolute path differs per machine; keep the file name only.
    let s = d.source.as_mut().unwrap();
    s.file = std::path::Path::new(&s.file)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    d
}

fn ind<'a>(d: &'a EvaluationDocument, name: &str) -> &'a Indicator {
    d.indicators
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no indicator {name}"))
}

#[test]
fn every_fixture_form_drops_nothing() {
    insta::glob!("fixtures/forms/*", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let grids = jixiao::ingest::import::grid::read_grids(&name, &std::fs::read(path).unwrap()).unwrap();
        let forms = forms_with_fallback(&name, &grids, 2020);
        assert!(!forms.is_empty());
        let mut covered = 0;
        for form in &forms {
            assert_nothing_dropped(&grids, form);
            covered += form.consumed.len() + form.document.unmapped.len();
        }
        let total = grids
            .iter()
            .flat_map(|g| g.rows.iter().flatten())
            .filter(|c| !c.trim().is_empty())
            .count();
        assert_eq!(covered, total, "{name}: every non-empty cell belongs to one form");
    });
}

#[test]
fn sichuan_form_snapshot() {
    insta::assert_json_snapshot!("sichuan_2022", import("forms/sichuan-2022.tsv"));
}

#[test]
fn central_form_snapshot() {
    insta::assert_json_snapshot!("central_2021", import("forms/central-2021.tsv"));
}

#[test]
fn sichuan_layout_is_read_by_its_own_labels() {
    let d = import("forms/sichuan-2022.tsv");
    let layout = d.layout.as_ref().unwrap();
    assert_eq!(layout.family, "sichuan");
    assert!(
        ["调整后预算数", "预算执行数", "预算执行率", "指标性质", "度量单位"]
            .iter()
            .all(|l| layout.signature.iter().any(|s| s == l)),
        "{layout:?}"
    );
    assert_eq!(d.year, 2022);
    assert_eq!(d.provenance["/year"], CellPos { row: 2, column: 1 });
    assert_eq!(d.region.as_deref(), Some("test"));
    assert_eq!(d.project.code.as_deref(), Some("51000021R000000019951"));
    assert_eq!(d.project.name, "工资性支出");
    assert_eq!(d.id, "2022-四川省某某厅-工资性支出");
    assert_eq!(d.project.implementer.as_deref(), Some("四川省某某事务中心"));

    let f = &d.funds;
    assert_eq!(f.unit, "万元");
    assert_eq!(f.total.label, "总额");
    assert_eq!(f.total.budget_initial, Some(dec!(120.00)));
    assert_eq!(f.total.budget_adjusted, Some(dec!(118.50)));
    assert_eq!(f.total.executed, Some(dec!(116.13)));
    assert_eq!(f.total.rate_reported.map(|r| r.to_string()).as_deref(), Some("0.9800"));
    assert_eq!(f.total.weight, Some(dec!(10)));
    assert_eq!(f.total.note.as_deref(), Some("年中人员调出2人，调减预算1.50万元"));
    let labels: Vec<&str> = f.parts.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["财政资金", "财政专户管理资金", "单位资金", "其他资金"]);
    assert!(
        f.parts.iter().all(|p| p.weight.is_none() && p.score_reported.is_none()),
        "\"/\" is not applicable"
    );
    assert_eq!(f.parts[1].rate_reported, None);

    assert!(d.goals.expected.starts_with("保障单位在职人员基本工资"));
    assert!(d.goals.achieved.starts_with("全年按月足额发放"));
    assert!(d.narrative.overview.as_deref().unwrap().starts_with("按照年初预算"));
    assert!(d.narrative.conclusion.is_some() && d.narrative.problems.is_some() && d.narrative.improvements.is_some());

    let people = ind(&d, "保障在职人数");
    assert_eq!(
        (
            people.comparator.as_deref(),
            people.target.as_str(),
            people.unit.as_deref()
        ),
        (Some("≥"), "52", Some("人"))
    );
    assert_eq!(people.actual, "50");
    assert_eq!(d.provenance["/indicators/0/unit"], CellPos { row: 17, column: 7 });
    let timely = ind(&d, "工资发放及时性");
    assert_eq!(
        (timely.comparator.as_deref(), timely.unit.as_deref()),
        (Some("定性"), None)
    );
    let cost = ind(&d, "人均年工资成本");
    assert_eq!(
        (cost.level1.as_str(), cost.level2.as_deref()),
        ("成本指标", Some("经济成本指标"))
    );
    assert_eq!(cost.comparator.as_deref(), Some("≤"));
    let sat = ind(&d, "在职人员满意度");
    assert_eq!(sat.level2.as_deref(), Some("服务对象满意度指标"));
    let weights: Decimal = d.indicators.iter().filter_map(|i| i.weight).sum();
    assert_eq!(weights, dec!(90));
    let sum = d.indicator_sum.as_ref().unwrap();
    assert_eq!((sum.weight, sum.score_reported), (Some(dec!(90)), Some(dec!(87.25))));
    assert_eq!(
        (d.total.weight, d.total.score_reported),
        (Some(dec!(100)), Some(dec!(97.05)))
    );
    assert!(d.realignments.is_empty(), "{:?}", d.realignments);

    // 项目负责人 / 联系电话 are known but not read: listed, with a reason.
    let unmapped: Vec<(u32, &str)> = d.unmapped.iter().map(|u| (u.at.row, u.text.as_str())).collect();
    assert_eq!(
        unmapped,
        [(6, "项目负责人"), (6, "张某"), (6, "联系电话"), (6, "028-8600XXXX")]
    );
    assert!(
        d.unmapped
            .iter()
            .all(|u| u.reason.as_deref().unwrap().contains("本工具不读取"))
    );
}

#[test]
fn central_layout_reads_header_weights_inline_units_and_placeholders() {
    let d = import("forms/central-2021.tsv");
    let layout = d.layout.as_ref().unwrap();
    assert_eq!(
        (layout.family.as_str(), layout.signature.as_slice()),
        ("central", &["评价等级".to_owned()][..])
    );
    assert_eq!(d.year, 2021);
    assert_eq!(d.funds.unit, "万元");
    assert_eq!(d.funds.total.rate_reported, Some(dec!(0.96)));
    assert_eq!(d.funds.parts[1].rate_reported, None, "\"—\" is not applicable");

    let declared: Vec<(String, Option<String>, Decimal)> = d
        .declared_weights
        .iter()
        .map(|DeclaredWeight { level1, level2, weight }| (level1.clone(), level2.clone(), *weight))
        .collect();
    let w = |l1: &str, l2: Option<&str>, v: Decimal| (l1.to_owned(), l2.map(str::to_owned), v);
    assert_eq!(
        declared,
        [
            w("产出指标", None, dec!(50)),
            w("产出指标", Some("数量指标"), dec!(20)),
            w("产出指标", Some("质量指标"), dec!(15)),
            w("产出指标", Some("时效指标"), dec!(5)),
            w("产出指标", Some("成本指标"), dec!(10)),
            w("效益指标", None, dec!(30)),
            w("效益指标", Some("社会效益指标"), dec!(20)),
            w("效益指标", Some("可持续影响指标"), dec!(10)),
            w("满意度指标", None, dec!(10)),
            w("满意度指标", Some("服务对象满意度指标"), dec!(10)),
        ]
    );
    // Labels are stripped of their weights; the second 数量 row carries both labels down.
    let people = ind(&d, "受益人口");
    assert_eq!(
        (people.level1.as_str(), people.level2.as_deref()),
        ("产出指标", Some("数量指标"))
    );
    assert_eq!(
        (people.target.as_str(), people.actual.as_str(), people.unit.as_deref()),
        ("≥5万人", "5.2万人", None)
    );
    assert_eq!(ind(&d, "工程验收合格率").target, "≥100百分比");
    assert_eq!(ind(&d, "工程总投资").target, "≤500万元");
    assert_eq!(ind(&d, "工程长效运行").actual, "部分达成预期指标");

    // "经济效益指标" with no indicator, and the "/" row: placeholders.
    let eco = d
        .indicators
        .iter()
        .find(|i| i.level2.as_deref() == Some("经济效益指标"))
        .unwrap();
    assert!(eco.placeholder && eco.name.is_empty() && eco.weight.is_none());
    let green = d
        .indicators
        .iter()
        .find(|i| i.level2.as_deref() == Some("生态效益指标"))
        .unwrap();
    assert!(green.placeholder && green.weight.is_none() && green.score_reported.is_none());

    let weights: Decimal = d.indicators.iter().filter_map(|i| i.weight).sum();
    assert_eq!(weights, dec!(90));
    assert_eq!(d.total.weight, Some(dec!(100)));
    assert_eq!(d.total.score_reported, Some(dec!(97.6)));
    assert_eq!(d.total.grade_reported.as_deref(), Some("优"));
    // "附件2" above the title is kept as unmapped; "（2021年度）" is the year.
    assert_eq!(d.unmapped.len(), 1);
    assert_eq!(
        (d.unmapped[0].at, d.unmapped[0].text.as_str()),
        (CellPos { row: 1, column: 1 }, "附件2")
    );
    assert_eq!(d.provenance["/year"], CellPos { row: 3, column: 1 });
    assert_eq!(d.source.as_ref().map(|s| (s.first_row, s.last_row)), Some((1, 27)));
}

#[test]
fn every_imported_document_validates_against_the_schema() {
    let validator = jixiao::ingest::validate::DocumentValidator::new().unwrap();
    for rel in [
        "forms/shenzhen-seed.tsv",
        "forms/sichuan-2022.tsv",
        "forms/central-2021.tsv",
        "forms/gbk-form-8.txt",
        "forms/quoted-form-8.csv",
    ] {
        let name = std::path::Path::new(rel)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for form in forms_with_fallback(&name, &grids(rel), 2020) {
            let value = serde_json::to_value(&form.document).unwrap();
            let back = validator.check(&value).unwrap_or_else(|p| panic!("{rel}: {p:?}"));
            assert_eq!(back, form.document);
        }
    }
}

/// A sheet where someone unmerged the merged cells with “fill”: labels repeat on every row.
#[test]
fn merged_cells_filled_down_read_the_same() {
    let text = seed_text();
    let lines: Vec<&str> = text.lines().collect();
    // Form 8 (rows 160–180), with every blank label cell filled from above / from the left.
    let mut rows: Vec<Vec<String>> = lines[159..180]
        .iter()
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    for row in rows.iter_mut() {
        match row[0].as_str() {
            _ if row.len() < 4 => {}
            "" if row[1] == "年度资金总额" || row[1].starts_with("其中") || row[1].ends_with("资金") => {
                row[0] = "项目资金 (元)".to_owned()
            }
            "" if row.iter().filter(|c| !c.is_empty()).count() == 2 && row[1].starts_with("完成") => {
                row[0] = "年度总体目标".to_owned()
            }
            "" if row.len() > 3 && !row[3].is_empty() => row[0] = "年度绩效指标".to_owned(),
            "满意度指标" => row[1] = "满意度指标".to_owned(),
            _ => {}
        }
    }
    let mut l1 = String::new();
    let mut l2 = String::new();
    for row in rows.iter_mut().filter(|r| r[0] == "年度绩效指标" && r[3] != "三级指标") {
        if row[1].is_empty() {
            row[1] = l1.clone();
        } else {
            l1 = row[1].clone();
        }
        if row[2].is_empty() {
            row[2] = l2.clone();
        } else {
            l2 = row[2].clone();
        }
    }
    let filled = rows.iter().map(|r| r.join("\t")).collect::<Vec<_>>().join("\n");
    let original = lines[159..180].join("\n");
    let opts = ImportOptions::default();
    let a = jixiao::ingest::import::import_text_forms("filled.tsv", &filled, &opts)
        .unwrap()
        .remove(0)
        .unwrap();
    let b = jixiao::ingest::import::import_text_forms("filled.tsv", &original, &opts)
        .unwrap()
        .remove(0)
        .unwrap();
    let strip = |d: &EvaluationDocument| {
        let mut d = d.clone();
        d.provenance.clear();
        d.realignments.clear();
        d
    };
    assert_eq!(strip(&a.document), strip(&b.document));
    assert!(a.document.unmapped.is_empty(), "{:?}", a.document.unmapped);
    assert!(a.consumed.len() > b.consumed.len());
}

#[test]
fn a_filing_date_above_the_form_is_not_the_budget_year() {
    let text = String::from_utf8(fixture_bytes("forms/central-2021.tsv")).unwrap();
    let dated = text.replacen(
        "（2021年度）",
        "填报单位：某某县水利局（盖章）    填报日期：2022年3月15日",
        1,
    );
    let docs = jixiao::ingest::import::import_text("dated.tsv", &dated, &ImportOptions::default()).unwrap();
    // The title row no longer states a year; the goals do not; the deadline "2021年11月底前" does.
    assert_eq!(docs[0].year, 2021);
    assert_eq!(docs[0].provenance["/year"], CellPos { row: 17, column: 5 });
    assert!(docs[0].unmapped.iter().any(|u| u.text.starts_with("填报单位")));
}

/// Issue 14 item 7: the 总分 row. With its 得分 cell blank, the one number left is the full marks
/// under the 分值 column, not a reported total (which made a false T1); a total written in
/// Chinese numerals is read, and the reading is said.
#[test]
fn the_total_row_reads_full_marks_blank_scores_and_chinese_numerals() {
    let text = String::from_utf8(fixture_bytes("forms/central-2021.tsv")).unwrap();
    let total = "总分\t\t\t\t\t\t100\t97.6\t";
    assert!(text.contains(total));
    let options = ImportOptions {
        year: Some(2021),
        ..ImportOptions::default()
    };

    let blank = text.replacen(total, "总分\t\t\t\t\t\t100\t\t", 1);
    let docs = jixiao::ingest::import::import_text("blank.tsv", &blank, &options).unwrap();
    assert_eq!(docs[0].total.weight, Some(dec!(100)));
    assert_eq!(docs[0].total.score_reported, None);
    assert_eq!(docs[0].provenance["/total/weight"], CellPos { row: 24, column: 7 });
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("blank.tsv");
    std::fs::write(&path, &blank).unwrap();
    let (_, stdout, stderr) = jixiao(&[
        "score",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let codes: Vec<&str> = report[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"T1"), "{codes:?}");

    let chinese = text.replacen(total, "总分\t\t\t\t\t\t100\t九十七点六分\t", 1);
    let docs = jixiao::ingest::import::import_text("chinese.tsv", &chinese, &options).unwrap();
    assert_eq!(docs[0].total.score_reported, Some(dec!(97.6)));
    assert_eq!(
        docs[0].provenance["/total/score_reported"],
        CellPos { row: 24, column: 8 }
    );
    assert!(
        docs[0]
            .realignments
            .iter()
            .any(|r| r.action.contains("九十七点六分") && r.action.contains("97.6")),
        "{:?}",
        docs[0].realignments
    );
    assert!(docs[0].total.note.is_none());
}
