//! A layout file (`rules/layouts/<family>.toml`, or an office's own given with `--layouts`) as
//! written: every key, with its meaning.
//!
//! These types mirror the file one to one (unknown keys are errors) and keep the byte span of
//! every label and pattern, so that checking them ([`super::analyse`]) can point at
//! file:line:column. `schemas/layout.schema.json` is generated from them; the field comments are
//! the descriptions a TOML editor shows, in Chinese, for the finance staff who write these files.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::model::located::Located;

/// A list of labels (or patterns) as written, with the span of the whole list (to point at an
/// empty one) and of each entry.
pub type Labels = Option<Located<Vec<Located<String>>>>;

/// The entries of a list, empty when the key is absent.
pub fn entries(labels: &Labels) -> &[Located<String>] {
    labels.as_ref().map_or(&[], |l| l.value.as_slice())
}

/// One layout file: how one family of 自评表 templates writes its blocks, columns and rows.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "jixiao 自评表格式文件（layout）")]
pub struct LayoutFile {
    /// 这个格式是什么：编号、名称、依据、特征标签。
    pub layout: LayoutMeta,
    /// 一张表从哪里开始：标题行，以及表头前不算年度依据的填报说明。
    #[serde(default)]
    pub form: FormSection,
    /// “标签 | 内容”行（项目名称、主管部门、评价结论……）：标签 → 文档中的字段。
    #[serde(default)]
    pub fields: FieldsSection,
    /// 年度总体目标块：块标签与“预期目标 / 实际完成情况”两列的表头。
    #[serde(default)]
    pub goals: GoalsSection,
    /// 资金表（项目资金）：块标签、各列表头、总额行与“其中”行。
    #[serde(default)]
    pub funds: FundsSection,
    /// 绩效指标表：块标签、各列表头、一级/二级指标名称、必需的列、合计行。
    #[serde(default)]
    pub indicators: IndicatorsSection,
    /// 总分行与等级。
    #[serde(default)]
    pub total: TotalSection,
    /// 表头括号里写的是什么：列字母（A）、金额单位（万元）、分值（80分）、计分公式（20分*执行率）。
    #[serde(default)]
    pub parentheses: ParenthesesSection,
    /// 单元格的写法：表示“不适用”的符号，比较符号的各种写法。
    #[serde(default)]
    pub values: ValuesSection,
    /// 三级指标名称中的标记与模板残留：★、“指标1:”前缀、未填写的占位“(≥**人)”、未填写的模板行“指标2”“……”。
    #[serde(default)]
    pub markers: MarkersSection,
}

/// What the layout is, and how a form is recognised as one of its family.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutMeta {
    /// 格式编号：小写字母、数字和连字符，如 `central`、`hubei`；内置格式与文件同名。导入的文档在 `layout.family` 中记录它。
    pub family: Located<String>,
    /// 格式名称（中文），如“湖北省 项目自评表”；`explain` 显示它。
    pub title: String,
    /// 说明：哪些地区、哪些年份的表用这个格式，与上级格式有什么不同。
    #[serde(default)]
    pub description: Option<String>,
    /// 模板的出处（文件号或网址）。
    #[serde(default)]
    pub reference: Option<String>,
    /// 这个格式是哪个格式的变体（如深圳样表是 `central` 的变体）。表中出现了变体自己的特征标签时，上级格式的特征标签也计入变体；得数相同时变体优先。
    #[serde(default)]
    pub extends: Option<Located<String>>,
    /// 表中没有出现任何格式的特征标签时，记为本格式（所有格式中只能有一个）。
    #[serde(default)]
    pub fallback: Option<Located<bool>>,
    /// 特征标签：只在这个格式的表中出现的标签。导入时出现最多特征标签的格式记为表的格式，并记下看到了哪些。
    #[serde(default)]
    pub signature: Labels,
}

/// Where a form starts.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormSection {
    /// 标题行：第一个单元格包含其中任一写法的行开始一张新表，如“绩效自评表”。
    #[serde(default)]
    pub titles: Labels,
    /// 表头前的文字若包含其中任一词（如“填报日期”“盖章”），其中的年份不作为预算年度的依据（表一般在次年填报）。
    #[serde(default)]
    pub filing_words: Labels,
}

/// Label/value rows: the label in the first cell, the value in the next.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldsSection {
    /// 项目名称（一张表从第一个项目名称行或标题行开始）。
    #[serde(default)]
    pub name: Labels,
    /// 项目金额。
    #[serde(default)]
    pub amount: Labels,
    /// 主管部门。
    #[serde(default)]
    pub department: Labels,
    /// 实施单位。
    #[serde(default)]
    pub implementer: Labels,
    /// 写成一行的年度目标（如四川的“项目年度目标”、银川的“年初设定目标”）→ 预期目标。
    #[serde(default)]
    pub goal_expected: Labels,
    /// 写成一行的目标完成情况（如四川的“年度目标完成情况”）→ 实际完成情况。
    #[serde(default)]
    pub goal_achieved: Labels,
    /// 项目实施内容及过程概述。
    #[serde(default)]
    pub overview: Labels,
    /// 评价结论。
    #[serde(default)]
    pub conclusion: Labels,
    /// 存在问题。
    #[serde(default)]
    pub problems: Labels,
    /// 改进措施。
    #[serde(default)]
    pub improvements: Labels,
    /// 其他需要说明事项。
    #[serde(default)]
    pub other: Labels,
    /// 评价等级（写在单独一行或总分行中）。
    #[serde(default)]
    pub grade: Labels,
    /// 认识但不读取的行（项目负责人、联系电话……）：标签和内容列入未映射单元格，注明“本工具不读取”。
    #[serde(default)]
    pub ignored: Labels,
}

/// The 年度总体目标 block.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalsSection {
    /// 块标签，如“年度总体目标”：下一行（或同一行）是目标文字。
    #[serde(default)]
    pub block: Labels,
    /// 块标签同一行中“预期目标”一列的表头。
    #[serde(default)]
    pub expected: Labels,
    /// 块标签同一行中“实际完成情况”一列的表头。
    #[serde(default)]
    pub achieved: Labels,
}

/// The funds table.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FundsSection {
    /// 块标签，如“项目资金”“资金情况”（括号里的单位、分值按 [parentheses] 读取）。
    #[serde(default)]
    pub block: Labels,
    /// 资金总额行的行名，如“年度资金总额”“总额”。
    #[serde(default)]
    pub total: Labels,
    /// “其中”行的行名，如“当年财政拨款”“上年结转资金”；这些行没有金额也算资金行。
    #[serde(default)]
    pub parts: Labels,
    /// 行名前的“其中”写法（后面可带冒号），读取时去掉。
    #[serde(default)]
    pub part_prefixes: Labels,
    /// 资金表各列的表头。
    #[serde(default)]
    pub columns: FundsColumns,
}

/// Funds column headers by role.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FundsColumns {
    /// 年初预算数。
    #[serde(default)]
    pub initial: Labels,
    /// 全年预算数（调整后预算，计算执行率的分母）。
    #[serde(default)]
    pub adjusted: Labels,
    /// 全年执行数。
    #[serde(default)]
    pub executed: Labels,
    /// 分值（预算执行的满分）。
    #[serde(default)]
    pub weight: Labels,
    /// 执行率。
    #[serde(default)]
    pub rate: Labels,
    /// 得分。
    #[serde(default)]
    pub score: Labels,
    /// 原因说明。
    #[serde(default)]
    pub note: Labels,
}

/// A column of the indicator table, as `required` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorRole {
    /// 一级指标。
    Level1,
    /// 二级指标。
    Level2,
    /// 指标性质（比较符号单独一列）。
    Comparator,
    /// 年度指标值。
    Target,
    /// 度量单位。
    Unit,
    /// 实际完成值。
    Actual,
    /// 分值。
    Weight,
    /// 得分。
    Score,
    /// 偏差原因。
    Note,
}

/// The indicator table.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorsSection {
    /// 指标表头第一个单元格中的块标签，如“年度绩效指标”“年度绩效目标1”（括号里的分值按 [parentheses] 读取）。
    #[serde(default)]
    pub block: Labels,
    /// 一级指标名称，如“产出指标”（括号里的分值记为声明的权重）。
    #[serde(default)]
    pub level1: Labels,
    /// 二级指标名称，如“数量指标”。
    #[serde(default)]
    pub level2: Labels,
    /// 既可能是二级、也可能是一级的名称（如“成本指标”）：后面紧跟一个二级指标名称时按一级读取。必须同时列在 level2 中。
    #[serde(default)]
    pub level1_when_level2_follows: Labels,
    /// 指标表头必须有的列（三级指标一列总是必需的）。表头满足任一格式的要求即可；不写时不作要求。
    #[serde(default)]
    pub required: Option<Located<Vec<Located<IndicatorRole>>>>,
    /// 指标表自己的合计行的行名，如“合计”。
    #[serde(default)]
    pub sum: Labels,
    /// 指标表各列的表头。
    #[serde(default)]
    pub columns: IndicatorColumns,
}

/// Indicator column headers by role.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorColumns {
    /// 一级指标。
    #[serde(default)]
    pub level1: Labels,
    /// 二级指标。
    #[serde(default)]
    pub level2: Labels,
    /// 三级指标（指标名称）。
    #[serde(default)]
    pub name: Labels,
    /// 指标性质（比较符号单独一列，如四川：≥、≤、=、定性）。
    #[serde(default)]
    pub comparator: Labels,
    /// 年度指标值。
    #[serde(default)]
    pub target: Labels,
    /// 度量单位。
    #[serde(default)]
    pub unit: Labels,
    /// 实际完成值。
    #[serde(default)]
    pub actual: Labels,
    /// 分值 / 权重。
    #[serde(default)]
    pub weight: Labels,
    /// 得分。
    #[serde(default)]
    pub score: Labels,
    /// 偏差原因分析及改进措施。
    #[serde(default)]
    pub note: Labels,
}

/// The 总分 row.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TotalSection {
    /// 总分行的行名，如“总分”：这一行之后是结尾的评价结论等。
    #[serde(default)]
    pub labels: Labels,
    /// 等级的写法，如“优”“良好”：总分行中这样的单元格记为填报的等级。
    #[serde(default)]
    pub grades: Labels,
}

/// What the parentheses at the end of a header carry. Each entry is a regular expression matched
/// against the text inside one pair of parentheses; a header is recognised by its label once
/// every trailing pair is one of these kinds.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParenthesesSection {
    /// 列字母或字母公式，如 `(A)`、`(B/A)`：读取时忽略。正则表达式。
    #[serde(default)]
    pub letter: Labels,
    /// 金额单位，如 `(万元)`：资金表的金额单位。正则表达式。
    #[serde(default)]
    pub unit: Labels,
    /// 分值，如 `(50分)`：一级/二级指标上的记为声明的权重。正则表达式，必须有命名分组 `points`（分数）。
    #[serde(default)]
    pub weight: Labels,
    /// 计分公式，如 `(20分*执行率)`：读取时识别，不据此计分（计分由规则集决定）。正则表达式，可有命名分组 `points`。
    #[serde(default)]
    pub formula: Labels,
}

/// How cells write values.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValuesSection {
    /// 表示“不适用”的单元格写法，如 `/`、`—`：读作空，不算未映射。
    #[serde(default)]
    pub not_applicable: Labels,
    /// 比较符号的标准写法 → 其他写法，如 `"≥" = [">=", "≧"]`。识别名称中的标记与占位时先统一写法；指标值、完成值按原文保存，由评分时的文法读取。
    #[serde(default)]
    pub operators: Option<Located<BTreeMap<String, Vec<Located<String>>>>>,
}

/// Marks and template residue in indicator names.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkersSection {
    /// 三级指标写成这些时表示“没有指标”（占位行，如“无”“/”）。
    #[serde(default)]
    pub no_indicator: Labels,
    /// 名称开头的标记，读取时去掉，如 `^[★☆]+`、`^指标[0-9]+[:：]?`。正则表达式，只在名称开头匹配。
    #[serde(default)]
    pub name_prefixes: Labels,
    /// 名称中未填写的模板占位，读取时去掉，如 `[(（][≥≤<>=]*\*+[^()（）]*[)）]` 匹配“(≥**人)”。正则表达式，先统一比较符号写法再匹配。
    #[serde(default)]
    pub unfilled: Labels,
    /// 未填写的模板行：三级指标整个是这样（如“指标2”“……”）且没有任何数值的行是占位行。正则表达式，须整个名称匹配。
    #[serde(default)]
    pub template_rows: Labels,
}
