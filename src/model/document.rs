//! The evaluation document: one 项目支出绩效自评表 as typed data.
//!
//! This module owns the shape every other step agrees on. The importer produces it from
//! spreadsheets, `validate` checks it against `schemas/evaluation.schema.json` (generated from
//! these types), and scoring reads it. Texts are kept exactly as written on the form (the target
//! grammar interprets them later); amounts are exact [`Decimal`]s, written as strings in JSON.
//! Where a field came from a spreadsheet, [`EvaluationDocument::provenance`] maps its JSON pointer
//! to the cell it was read from.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version tag written into every document, so later readers can tell formats apart.
pub const DOCUMENT_FORMAT: &str = "jixiao.evaluation/1";

/// One project's yearly performance self-evaluation form (项目支出绩效自评表).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "项目支出绩效自评表 evaluation document")]
pub struct EvaluationDocument {
    /// Format tag, always `jixiao.evaluation/1`.
    #[serde(default = "default_format")]
    pub format: String,
    /// Stable identifier: given by the author, or derived as `{year}-{department}-{project name}`
    /// (see [`derive_id`]). Unique within a batch.
    #[schemars(length(min = 1, max = 512))]
    pub id: String,
    /// Budget year (预算年度) the form evaluates.
    #[schemars(range(min = 1990, max = 2100))]
    pub year: i32,
    /// Region whose rules apply (e.g. `shenzhen`, `sichuan`); absent means national rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The region the form's place names point to, when it was imported without `--region`
    /// (`rules/regions.toml`; the cell is in the provenance under `/region_inferred`). Used to
    /// choose the rule set only when `region` is absent and a set covers the guess.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_inferred: Option<RegionGuess>,
    /// Which layout family the form was read as, and why; absent for documents that were not
    /// imported from a form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// Where the form was read from, when it was imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceForm>,
    /// Project identity block (项目名称, 项目金额, 主管部门, 实施单位).
    pub project: Project,
    /// Budget execution block (项目资金).
    pub funds: Funds,
    /// Annual overall goal (年度总体目标): expected vs achieved.
    #[serde(default)]
    pub goals: Goals,
    /// Performance indicators (年度绩效指标), in form order.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// Weights written on 一级/二级 headers, e.g. "产出指标(50分)".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_weights: Vec<DeclaredWeight>,
    /// Points the whole indicator table carries as its block label states them
    /// ("年度绩效目标1 (80分)"), where the form states them there.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub indicators_weight: Option<Decimal>,
    /// 二级 blocks of a table without a 分值 column: each block's weight (stated on a label or
    /// inferred, and which) and, where its rows share one 得分 cell, that score. The rows of such
    /// a block carry their share of the block's weight in [`Indicator::weight`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<ScoredBlock>,
    /// The indicator table's own 合计 row, where the layout has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator_sum: Option<IndicatorSum>,
    /// The 总分 row: reported total, grade and note.
    #[serde(default)]
    pub total: Total,
    /// Closing narrative rows (评价结论, 存在问题, 改进措施, …), where present.
    #[serde(default, skip_serializing_if = "Narrative::is_empty")]
    pub narrative: Narrative,
    /// What the importer had to realign to read the form (shifted or extra cells), by row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub realignments: Vec<Realignment>,
    /// Non-empty input cells the importer could not place in any field. Nothing is dropped:
    /// every non-empty cell is either mapped or listed here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmapped: Vec<UnmappedCell>,
    /// What the importer met that a reviewer should know of — a row or header it could not
    /// place, a block the form lacks, a template row left unfilled, a fragment without a project
    /// name, weights the form does not state per indicator — each with its cell. Scoring reports
    /// each as a finding (M1–M5) at the severity the rule set gives it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_issues: Vec<ImportIssue>,
    /// Cell each imported field came from, keyed by the field's JSON pointer
    /// (e.g. `/funds/total/executed` → row 8, column 5).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_keys"
    )]
    pub provenance: BTreeMap<String, CellPos>,
}

/// A map read from JSON whose keys must each appear once: a repeated key (which a map would
/// silently keep the last of) is an error, as in every other object of a document.
fn unique_keys<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, CellPos>, D::Error> {
    struct Unique;
    impl<'de> serde::de::Visitor<'de> for Unique {
        type Value = BTreeMap<String, CellPos>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((key, value)) = map.next_entry::<String, CellPos>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!("duplicate key {key:?}")));
                }
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Unique)
}

fn default_format() -> String {
    DOCUMENT_FORMAT.to_owned()
}

/// A region inferred from a place name on the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionGuess {
    /// Region code (as rule sets name regions: `sichuan`, `hubei` …).
    pub region: String,
    /// The region in words (四川省).
    pub title: String,
    /// The place name found (大英县).
    pub place: String,
    /// The field it was found in (实施单位, 主管部门 or 项目名称).
    pub field: String,
}

/// The layout family (`rules/layouts/<family>.toml`, or an office's own layout file) a form was
/// read as, and why. It decides nothing about scoring: it records how the form was recognised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(from = "LayoutWritten")]
pub struct Layout {
    /// Family id (`central`, `shenzhen`, `sichuan`, `hubei`, `yinchuan`, or an office's own).
    /// Documents written before layouts were files say `standard`, `central` or `sichuan`.
    pub family: String,
    /// The family's title, as its layout file gives it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The family's signature labels seen on the form, in sheet order — why this family was
    /// chosen (the one with the most of them); each one's cell is in the document's provenance
    /// under `/layout/signature/<i>`. Empty when no family's signature label appeared on the form
    /// and it was recorded under the fallback family (the national template).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signature: Vec<String>,
}

/// How a document may write its layout: the record, or the bare name earlier versions wrote.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
enum LayoutWritten {
    /// The record: family, title and the signature labels seen.
    Record(LayoutRecord),
    /// A bare template name, as jixiao wrote it before layouts were files.
    Legacy(LegacyLayout),
}

/// The fields of a [`Layout`] as a document writes them.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LayoutRecord {
    /// Family id (`central`, `shenzhen`, `sichuan`, `hubei`, `yinchuan`, or an office's own).
    family: String,
    /// The family's title, as its layout file gives it.
    #[serde(default)]
    title: String,
    /// The family's signature labels seen on the form, in sheet order; each one's cell is in the
    /// document's provenance under `/layout/signature/<i>`.
    #[serde(default)]
    signature: Vec<String>,
}

/// The template names jixiao wrote before layouts were files.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum LegacyLayout {
    /// The national template as the Shenzhen seed forms use it.
    Standard,
    /// Central/Anhui variant with weights on headers.
    Central,
    /// Sichuan variant.
    Sichuan,
}

impl From<LayoutWritten> for Layout {
    fn from(written: LayoutWritten) -> Self {
        match written {
            LayoutWritten::Record(r) => Layout {
                family: r.family,
                title: r.title,
                signature: r.signature,
            },
            LayoutWritten::Legacy(l) => Layout {
                family: match l {
                    LegacyLayout::Standard => "standard",
                    LegacyLayout::Central => "central",
                    LegacyLayout::Sichuan => "sichuan",
                }
                .to_owned(),
                ..Layout::default()
            },
        }
    }
}

/// The file (and sheet) a form was imported from, and the rows it spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceForm {
    /// Input file as named on the command line.
    pub file: String,
    /// Worksheet name, for workbooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// First row of the form (1-based).
    pub first_row: u32,
    /// Last row of the form (1-based, inclusive).
    pub last_row: u32,
}

/// A cell position in the source sheet, 1-based like a spreadsheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CellPos {
    /// Row number (1-based).
    #[schemars(range(min = 1))]
    pub row: u32,
    /// Column number (1-based; column A is 1).
    #[schemars(range(min = 1))]
    pub column: u32,
}

impl CellPos {
    /// Spreadsheet-style reference such as `C8`.
    pub fn a1(&self) -> String {
        format!("{}{}", column_letters(self.column), self.row)
    }
}

/// Spreadsheet column letters for a 1-based column number (1 → A, 27 → AA).
pub fn column_letters(column: u32) -> String {
    let mut n = column;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

impl std::fmt::Display for CellPos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}（第{}行第{}列）", self.a1(), self.row, self.column)
    }
}

/// Project identity block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// 项目名称, without any budget-code prefix; "（无项目名称）" for a fragment of a form whose
    /// name is not on the page (an import issue of kind `fragment` says so).
    #[schemars(length(min = 1))]
    pub name: String,
    /// Budget project code written before the name ("51000021R000000019951-工资性支出").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// 项目金额 (total project amount, in the funds unit).
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// 主管部门 (supervising department; name or code as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// 实施单位 (implementing unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementer: Option<String>,
}

/// Budget execution block (项目资金): the total row and its 其中 rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Funds {
    /// Unit the amounts are written in, from the block header ("元" or "万元").
    #[serde(default = "default_funds_unit")]
    pub unit: String,
    /// 年度资金总额 / 总额.
    pub total: FundsRow,
    /// 其中 rows (当年财政拨款, 上年结转资金, 其他资金, 财政专户管理资金, 单位资金, …).
    #[serde(default)]
    pub parts: Vec<FundsRow>,
    /// Points the funds block carries as its header states them ("预算执行情况(万元)(20分)",
    /// "得分 (20分*执行率)"), where the form states them there rather than in a 分值 column.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub declared_weight: Option<Decimal>,
}

fn default_funds_unit() -> String {
    "元".to_owned()
}

/// One row of the funds block. Cells holding "—" or "/" (not applicable) are absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FundsRow {
    /// Row label as written, without the "其中：" prefix.
    pub label: String,
    /// 年初预算数.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub budget_initial: Option<Decimal>,
    /// 全年预算数 = 调整后预算数 (the adjusted budget the rate is computed on).
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub budget_adjusted: Option<Decimal>,
    /// 全年执行数 / 预算执行数.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub executed: Option<Decimal>,
    /// 分值 / 权重 (points this row carries; only the total row has one).
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<Decimal>,
    /// 执行率 as reported, as a fraction (0.98; "100.00%" is 1.0000).
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub rate_reported: Option<Decimal>,
    /// 得分 as reported.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub score_reported: Option<Decimal>,
    /// Reason column (原因 / 偏差原因), where the layout has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Annual overall goal (年度总体目标).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Goals {
    /// 预期目标 / 项目年度目标.
    #[serde(default)]
    pub expected: String,
    /// 实际完成情况 / 年度目标完成情况.
    #[serde(default)]
    pub achieved: String,
}

/// One row of the indicator table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// 一级指标 (产出指标, 效益指标, 满意度指标, …), header weights stripped; empty when the
    /// form leaves it blank with nothing to carry down (an import issue says so).
    pub level1: String,
    /// 二级指标 (数量指标, 成本指标, …); absent where the form has none (满意度 rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level2: Option<String>,
    /// 三级指标 name as written (unit parentheses included); empty for a placeholder row, or
    /// a row whose name the form leaves blank (an import issue says so).
    pub name: String,
    /// Unit from the name's parentheses ("（万元）") or a 度量单位 column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Comparator from the layout's own 指标性质 column (=, ≥, ≤, 定性 …), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<String>,
    /// 年度指标值 (target), as written.
    #[serde(default)]
    pub target: String,
    /// 实际完成值 (actual), as written.
    #[serde(default)]
    pub actual: String,
    /// 分值 / 权重. For a row of a [`ScoredBlock`] (a table without a 分值 column), the row's
    /// share of the block's weight: the block's weight split evenly, to two places, the first
    /// rows taking the remainder.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<Decimal>,
    /// 得分 as reported by the budget unit.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub score_reported: Option<Decimal>,
    /// 偏差原因分析及改进措施 / 未完成原因分析, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A placeholder row ("经济效益指标 无 无 无 0.0"): no real indicator, carries no points.
    #[serde(default, skip_serializing_if = "is_false")]
    pub placeholder: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Indicator {
    /// Path shown to users: 一级/二级/三级.
    pub fn path(&self) -> String {
        indicator_path(&self.level1, self.level2.as_deref(), &self.name)
    }
}

/// 一级/二级/三级 (二级 left out when absent), joined without `format!`: every finding about an
/// indicator names it, so this runs a few times per document.
pub fn indicator_path(level1: &str, level2: Option<&str>, name: &str) -> String {
    let mut path = String::with_capacity(level1.len() + level2.map_or(0, |l| l.len() + 1) + name.len() + 1);
    // A row whose 一级 label the form leaves blank has an empty level1: no leading "/".
    path.push_str(level1);
    if let Some(level2) = level2 {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(level2);
    }
    if !path.is_empty() {
        path.push('/');
    }
    // A row whose 三级指标 cell the form leaves blank.
    path.push_str(if name.is_empty() { "（未填写名称）" } else { name });
    path
}

/// A weight written on a 一级 or 二级 header ("产出指标(50分)", "数量指标(10分)").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredWeight {
    /// 一级指标 the weight belongs to.
    pub level1: String,
    /// 二级指标, when the weight is on a level-2 header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level2: Option<String>,
    #[serde(deserialize_with = "strict::decimal")]
    /// The declared points.
    pub weight: Decimal,
}

/// A 二级 block of an indicator table that has no 分值 column (Hubei: "年度绩效目标1 (80分)", one
/// 得分 per 二级 block): its rows, its weight and where that weight comes from, and the score its
/// rows share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoredBlock {
    /// 一级指标 of the block.
    pub level1: String,
    /// 二级指标 of the block, when the form names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level2: Option<String>,
    /// Index of the block's first row in [`EvaluationDocument::indicators`].
    pub first: usize,
    /// Number of rows in the block.
    #[schemars(range(min = 1))]
    pub rows: usize,
    /// The block's points; absent when the form neither states nor lets them be inferred.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<Decimal>,
    /// Where the weight comes from.
    pub weight_basis: WeightBasis,
    /// The one 得分 the block's rows share, as reported; absent when each row has its own (a
    /// one-row block keeps it on the row) or when the block was left unscored.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub score_reported: Option<Decimal>,
}

impl ScoredBlock {
    /// The indices of the block's rows.
    pub fn indices(&self) -> std::ops::Range<usize> {
        self.first..self.first.saturating_add(self.rows)
    }
}

/// Where the weight of a [`ScoredBlock`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WeightBasis {
    /// Written on the block's 二级 label ("数量指标(10分)").
    Stated,
    /// Inferred from the reported scores: the blocks' scores add up to their 一级 weight as the
    /// label states it ("产出指标(40分)"), so each block's score is taken as its weight (full
    /// marks); a block left unscored then carries no weight.
    FromScores,
    /// Inferred as an equal share of the 一级 weight the label states.
    EqualShare,
    /// Neither stated nor inferable: the block has no weight.
    Unknown,
}

impl WeightBasis {
    /// Chinese description for messages and explanations.
    pub fn label(self) -> &'static str {
        match self {
            WeightBasis::Stated => "二级指标标签写明",
            WeightBasis::FromScores => "按各块得分推定（各块得分之和等于一级指标写明的分值，视为满分）",
            WeightBasis::EqualShare => "按一级指标写明的分值平均分配推定",
            WeightBasis::Unknown => "无法确定",
        }
    }
}

/// Something the importer met that a reviewer should know of, at its cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportIssue {
    /// What kind of issue (each kind is a finding code).
    pub kind: ImportIssueKind,
    /// The cell it is about (a row's first cell when it is about a whole row or a missing
    /// block).
    pub at: CellPos,
    /// The text of that cell, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The block a missing-block issue is about, so scoring knows what the form lacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<FormBlock>,
    /// What the importer found and what it did, in Chinese.
    pub detail: String,
}

/// Kinds of [`ImportIssue`], one finding code each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportIssueKind {
    /// A row, header cell or value the importer could not place (finding M1).
    Unrecognised,
    /// The form lacks a block: cut off before the 总分 row, no funds table, … (finding M2).
    Incomplete,
    /// A template row or placeholder left unfilled ("指标2", "……", "(≥**人)"), or a label the
    /// template asks for left blank (finding M3).
    TemplateUnfilled,
    /// Rows of a form whose 项目名称 is not on the page: the tail of a form cut off above
    /// (finding M4).
    Fragment,
    /// The table has no 分值 column: the weights are stated per block or inferred (finding M5).
    WeightsNotStated,
}

/// A block of the form a missing-block [`ImportIssue`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormBlock {
    /// 项目名称.
    Name,
    /// The funds table (项目资金).
    Funds,
    /// The funds table's 年度资金总额 row.
    FundsTotal,
    /// The indicator table (its header or its rows).
    Indicators,
    /// Rows of the indicator table after where the form is cut off.
    IndicatorRows,
    /// The 总分 row.
    Total,
}

impl EvaluationDocument {
    /// Every decimal field that holds a value, with its JSON pointer, in document order: what
    /// the schema's decimal pattern applies to.
    pub fn decimals(&self) -> Vec<(String, Decimal)> {
        let mut out = Vec::new();
        let mut put = |pointer: String, value: Option<Decimal>| {
            if let Some(value) = value {
                out.push((pointer, value));
            }
        };
        put("/project/amount".to_owned(), self.project.amount);
        let rows = std::iter::once(("/funds/total".to_owned(), &self.funds.total)).chain(
            self.funds
                .parts
                .iter()
                .enumerate()
                .map(|(i, row)| (format!("/funds/parts/{i}"), row)),
        );
        for (at, row) in rows {
            put(format!("{at}/budget_initial"), row.budget_initial);
            put(format!("{at}/budget_adjusted"), row.budget_adjusted);
            put(format!("{at}/executed"), row.executed);
            put(format!("{at}/weight"), row.weight);
            put(format!("{at}/rate_reported"), row.rate_reported);
            put(format!("{at}/score_reported"), row.score_reported);
        }
        put("/funds/declared_weight".to_owned(), self.funds.declared_weight);
        for (i, ind) in self.indicators.iter().enumerate() {
            put(format!("/indicators/{i}/weight"), ind.weight);
            put(format!("/indicators/{i}/score_reported"), ind.score_reported);
        }
        for (i, d) in self.declared_weights.iter().enumerate() {
            put(format!("/declared_weights/{i}/weight"), Some(d.weight));
        }
        put("/indicators_weight".to_owned(), self.indicators_weight);
        for (i, block) in self.blocks.iter().enumerate() {
            put(format!("/blocks/{i}/weight"), block.weight);
            put(format!("/blocks/{i}/score_reported"), block.score_reported);
        }
        if let Some(sum) = &self.indicator_sum {
            put("/indicator_sum/weight".to_owned(), sum.weight);
            put("/indicator_sum/score_reported".to_owned(), sum.score_reported);
        }
        put("/total/weight".to_owned(), self.total.weight);
        put("/total/score_reported".to_owned(), self.total.score_reported);
        out
    }

    /// True when the importer found the form cut short (an `incomplete` import issue): its
    /// total is then out of what the form shows, not of the whole form.
    pub fn is_incomplete(&self) -> bool {
        self.import_issues.iter().any(|i| i.kind == ImportIssueKind::Incomplete)
    }

    /// The points a level-1 header of the form declares ("项目效益(35分)"), if it declares any.
    pub fn declared_level1_weight(&self, level1: &str) -> Option<Decimal> {
        self.declared_weights
            .iter()
            .find(|d| d.level1 == level1 && d.level2.is_none())
            .map(|d| d.weight)
    }

    /// True when the form is a fragment without its 项目名称 (a `fragment` import issue).
    pub fn is_fragment(&self) -> bool {
        self.import_issues.iter().any(|i| i.kind == ImportIssueKind::Fragment)
    }

    /// True when the form lacks `block` (an `incomplete` import issue names it).
    pub fn lacks(&self, block: FormBlock) -> bool {
        self.import_issues
            .iter()
            .any(|i| i.kind == ImportIssueKind::Incomplete && i.block == Some(block))
    }
}

/// The indicator table's 合计 row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSum {
    /// Sum of weights as written.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<Decimal>,
    /// Sum of scores as written.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub score_reported: Option<Decimal>,
}

/// The 总分 row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Total {
    /// Full marks as written (normally 100).
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<Decimal>,
    /// 总分 as reported.
    #[serde(
        deserialize_with = "strict::opt_decimal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub score_reported: Option<Decimal>,
    /// 等级 / 评价等级 as reported (优, 良, 中, 差).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade_reported: Option<String>,
    /// Note cell of the total row, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Closing narrative rows, where the layout has them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Narrative {
    /// 项目实施内容及过程概述.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overview: Option<String>,
    /// 评价结论.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
    /// 存在问题.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problems: Option<String>,
    /// 改进措施.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub improvements: Option<String>,
    /// 其他需要说明事项 (other matters the unit wants to state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
}

impl Narrative {
    /// True when no narrative row was present.
    pub fn is_empty(&self) -> bool {
        self.overview.is_none()
            && self.conclusion.is_none()
            && self.problems.is_none()
            && self.improvements.is_none()
            && self.other.is_none()
    }
}

/// Something the importer realigned to read a row (a shifted label, an extra cell).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Realignment {
    /// Source row (1-based).
    pub row: u32,
    /// What was done, in Chinese ("二级指标标签左移一列，已按内容归位").
    pub action: String,
}

/// A non-empty input cell that no field took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnmappedCell {
    /// Where the cell is.
    #[serde(flatten)]
    pub at: CellPos,
    /// Its text as written.
    pub text: String,
    /// Why it was not mapped, in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The stable document id derived from year, department and project name:
/// `{year}-{department}-{name}`, with whitespace and path separators replaced by `_`.
pub fn derive_id(year: i32, department: Option<&str>, name: &str) -> String {
    let clean = |s: &str| -> String {
        s.trim()
            .chars()
            .map(|c| {
                if c.is_whitespace() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect()
    };
    let dept = department
        .map(clean)
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "未知部门".to_owned());
    let id = format!("{year}-{dept}-{}", clean(name));
    // An id longer than the schema allows (a name cell holding a paragraph) is cut, and made
    // unique again by a short digest of the whole.
    if id.chars().count() <= MAX_ID_CHARS {
        return id;
    }
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(id.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let kept: String = id.chars().take(MAX_ID_CHARS - 1 - hex.len()).collect();
    format!("{kept}~{hex}")
}

/// Longest document id, in characters (the schema's `maxLength`).
pub const MAX_ID_CHARS: usize = 512;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_derived_id_never_exceeds_the_schema_length_and_stays_distinct() {
        let long = "很长的项目名称".repeat(200);
        let a = derive_id(2021, Some("部门"), &long);
        let b = derive_id(2021, Some("部门"), &format!("{long}二"));
        assert_eq!(a.chars().count(), MAX_ID_CHARS);
        assert_ne!(a, b);
        assert_eq!(derive_id(2021, None, "档案整理"), "2021-未知部门-档案整理");
    }

    proptest::proptest! {
        /// The one-pass reader accepts exactly `-?digits(.digits)?` and, for short texts,
        /// reads them as `rust_decimal` does: value, scale and sign.
        #[test]
        fn plain_decimals_read_as_rust_decimal_does(text in "-?[0-9]{0,22}(\\.[0-9]{0,8})?|[-0-9.e+ ]{0,6}") {
            let digits = text.strip_prefix('-').unwrap_or(&text);
            let well_formed = !digits.is_empty()
                && digits.split_once('.').map_or(digits.bytes().all(|b| b.is_ascii_digit()), |(a, b)| {
                    !a.is_empty() && !b.is_empty() && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
                });
            match super::strict::read_plain(&text) {
                super::strict::Plain::Malformed => proptest::prop_assert!(!well_formed),
                super::strict::Plain::Long => proptest::prop_assert!(well_formed),
                super::strict::Plain::Short(ours) => {
                    proptest::prop_assert!(well_formed);
                    let expected: rust_decimal::Decimal = text.parse().unwrap();
                    proptest::prop_assert_eq!(ours.serialize(), expected.serialize());
                }
            }
        }
    }

    #[test]
    fn derived_ids_are_readable_and_path_safe() {
        assert_eq!(derive_id(2021, Some("0102013"), "档案整理"), "2021-0102013-档案整理");
        assert_eq!(derive_id(2020, None, "a/b c"), "2020-未知部门-a_b_c");
    }

    #[test]
    fn column_letters_match_spreadsheets() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(CellPos { row: 8, column: 3 }.a1(), "C8");
    }
}

/// Strict decimal reading: a decimal must be a JSON string ("870996.50") within the range of
/// [`crate::model::range`]. A JSON number is refused, because serde reads it through `f64` and
/// may change its digits; the schema says the same, and this keeps the fast typed path exactly
/// as strict as the schema.
mod strict {
    use rust_decimal::Decimal;
    use serde::{Deserializer, de};

    struct DecimalString;

    impl de::Visitor<'_> for DecimalString {
        type Value = Decimal;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a decimal written as a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            // The schema's pattern: at most 15 integer and 28 fraction digits.
            if crate::model::range::judge_text(v) == crate::model::range::TextRange::Beyond {
                return Err(E::custom(format!(
                    "decimal string {v:?} is beyond the accepted range ({})",
                    crate::model::range::RANGE_TEXT
                )));
            }
            match read_plain(v) {
                Plain::Short(value) => Ok(value),
                Plain::Long => v
                    .parse::<Decimal>()
                    .map_err(|_| E::custom(format!("invalid value: string {v:?}, expected a Decimal type"))),
                Plain::Malformed => Err(E::custom(format!("invalid decimal string {v:?}"))),
            }
        }
    }

    /// What [`read_plain`] made of a text.
    pub(super) enum Plain {
        /// Well formed and short: its value.
        Short(Decimal),
        /// Well formed, but zero or more than 18 digits: for `str::parse::<Decimal>`.
        Long,
        /// Not `-?digits(.digits)?`.
        Malformed,
    }

    /// Reads `-?digits(.digits)?` in one pass over the bytes. A text of at most 18 digits gets
    /// its value here, exactly as `str::parse::<Decimal>` reads it (scale kept); zero and longer
    /// texts are left to that parser.
    pub(super) fn read_plain(text: &str) -> Plain {
        let bytes = text.as_bytes();
        let (negative, digits) = match bytes.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, bytes),
        };
        let mut mantissa = 0u64;
        let mut count = 0usize;
        let mut point: Option<usize> = None;
        for (i, &b) in digits.iter().enumerate() {
            match b {
                b'0'..=b'9' => {
                    count += 1;
                    if count <= 18 {
                        mantissa = mantissa * 10 + u64::from(b - b'0');
                    }
                }
                // One point, with digits on both sides.
                b'.' if point.is_none() && i > 0 && i + 1 < digits.len() => point = Some(i),
                _ => return Plain::Malformed,
            }
        }
        if count == 0 {
            return Plain::Malformed;
        }
        if count > 18 || mantissa == 0 {
            return Plain::Long;
        }
        let scale = point.map_or(0, |p| digits.len() - p - 1);
        let Ok(scale) = u32::try_from(scale) else {
            return Plain::Long;
        };
        let value = Decimal::from_i128_with_scale(i128::from(mantissa), scale);
        Plain::Short(if negative { -value } else { value })
    }

    struct OptionalDecimalString;

    impl<'de> de::Visitor<'de> for OptionalDecimalString {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a decimal written as a string, or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            decimal(d).map(Some)
        }
    }

    /// Reads a required decimal from a JSON string only.
    pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_str(DecimalString)
    }

    /// Reads an optional decimal from a JSON string or null only.
    pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_option(OptionalDecimalString)
    }
}
