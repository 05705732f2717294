//! The label tables the importer recognises blocks, columns and rows by, and label normalisation.
//!
//! Labels are compared after [`norm`]: whitespace removed, full-width brackets and colons made
//! ASCII. Every table is a plain slice so that adding a regional synonym is a one-line change.

use std::borrow::Cow;

/// Normalises a label for comparison: drops all whitespace (including U+3000), maps `（）：` to
/// `():`. Borrows when nothing changes (the common case).
pub fn norm(s: &str) -> Cow<'_, str> {
    let s = s.trim();
    if s.chars()
        .all(|c| !c.is_whitespace() && !matches!(c, '（' | '）' | '：'))
    {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                '：' => ':',
                other => other,
            })
            .collect(),
    )
}

/// Title text that starts a form.
pub const FORM_TITLE: &str = "绩效自评表";

/// Title texts that start a form: a first cell containing one of them is a title row
/// ("2022年度共享工程项目自评表", "绩效目标自评表 (2019年度)").
pub const FORM_TITLES: &[&str] = &[FORM_TITLE, "绩效目标自评表", "项目自评表", "支出绩效自评表"];

/// True when a normalised first cell is a form title.
pub fn is_form_title(label: &str) -> bool {
    FORM_TITLES.iter().any(|t| label.contains(t))
}

/// 一级指标 labels (normalised, without declared weights).
pub const LEVEL1: &[&str] = &[
    "产出指标",
    "效益指标",
    "满意度指标",
    "项目决策",
    "项目过程",
    "项目管理",
    "项目产出",
    "项目效益",
];

/// 二级指标 labels. "成本指标" is a level-2 label in the national template but a level-1 label in
/// templates that put 经济成本指标 … under it; the indicator reader resolves that by content.
pub const LEVEL2: &[&str] = &[
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "环境效益指标",
    "生态环境效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
    "满意度指标(服务对象)",
    "经济成本指标",
    "社会成本指标",
    "生态环境成本指标",
    "项目立项",
    "绩效目标",
    "资金投入",
    "资金管理",
    "组织实施",
    "预算执行",
    "经济效益",
    "社会效益",
    "生态效益",
    "环境效益",
    "可持续影响",
    "服务对象满意度",
    "项目目标",
    "投入管理",
    "财务管理",
    "项目实施",
];

/// Cells of an indicator row that mean “no indicator here” in the name column.
pub const PLACEHOLDER_NAMES: &[&str] = &["无", "/", "—", "——", "-", "－", "／", "无此项"];

/// True for a known level-1 label (after stripping a declared weight).
pub fn is_level1(label: &str) -> bool {
    LEVEL1.contains(&label)
}

/// True for a known level-2 label (after stripping a declared weight).
pub fn is_level2(label: &str) -> bool {
    LEVEL2.contains(&label)
}

/// Columns of the funds (项目资金) header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundsCol {
    /// 年初预算数.
    Initial,
    /// 全年预算数 / 调整后预算数.
    Adjusted,
    /// 全年执行数 / 预算执行数.
    Executed,
    /// 分值 / 权重.
    Weight,
    /// 执行率 / 预算执行率.
    Rate,
    /// 得分.
    Score,
    /// 原因.
    Note,
}

/// Funds header labels → column kind. The Sichuan spellings mark the Sichuan layout.
pub const FUNDS_COLUMNS: &[(&str, FundsCol)] = &[
    ("年初预算数", FundsCol::Initial),
    ("年初预算", FundsCol::Initial),
    ("年初预算金额", FundsCol::Initial),
    ("全年预算数", FundsCol::Adjusted),
    ("调整预算数", FundsCol::Adjusted),
    ("预算数", FundsCol::Adjusted),
    ("全年预算", FundsCol::Adjusted),
    ("调整后预算数", FundsCol::Adjusted),
    ("调整后预算", FundsCol::Adjusted),
    ("全年执行数", FundsCol::Executed),
    ("预算执行数", FundsCol::Executed),
    ("执行数", FundsCol::Executed),
    ("实际执行数", FundsCol::Executed),
    ("全年实际执行数", FundsCol::Executed),
    ("分值", FundsCol::Weight),
    ("权重", FundsCol::Weight),
    ("执行率", FundsCol::Rate),
    ("预算执行率", FundsCol::Rate),
    ("得分", FundsCol::Score),
    ("原因", FundsCol::Note),
    ("偏差原因", FundsCol::Note),
    ("原因说明", FundsCol::Note),
    ("未完成原因", FundsCol::Note),
    ("执行偏差原因", FundsCol::Note),
];

/// Funds header labels used only by the Sichuan template.
pub const SICHUAN_FUNDS_LABELS: &[&str] = &["调整后预算数", "调整后预算", "预算执行数", "预算执行率", "权重"];

/// Looks up a funds column label; a trailing parenthesis ("全年预算数(A)", "执行率(B/A)",
/// "得分(20分*执行率)") is not part of the label.
pub fn funds_column(label: &str) -> Option<FundsCol> {
    let base = strip_parenthesis(label);
    FUNDS_COLUMNS.iter().find(|(l, _)| *l == base).map(|(_, c)| *c)
}

/// A label without its trailing parenthesised groups: "执行率(B/A)" → "执行率",
/// "预算执行情况(万元)(20分)" → "预算执行情况". The input is normalised (ASCII parentheses).
pub fn strip_parenthesis(label: &str) -> &str {
    let mut base = label;
    while let Some(stripped) = base.strip_suffix(')')
        && let Some((before, _)) = stripped.rsplit_once('(')
        && !before.is_empty()
    {
        base = before;
    }
    base
}

/// True when a cell opens the funds block ("项目资金 (元)", "项目资金（万元）", "年度资金",
/// "预算执行情况(万元)(20分)").
pub fn is_funds_block_label(label: &str) -> bool {
    label.starts_with("项目资金")
        || label.starts_with("年度资金(")
        || label == "资金情况"
        || label.starts_with("资金情况(")
        || FUNDS_BLOCK_LABELS.contains(&strip_parenthesis(label))
}

/// Further labels that open the funds block (compared without their parentheses).
pub const FUNDS_BLOCK_LABELS: &[&str] = &["预算执行情况", "项目资金情况", "资金使用情况"];

/// Labels of the funds total row.
pub const FUNDS_TOTAL: &[&str] = &[
    "年度资金总额",
    "资金总额",
    "总额",
    "合计",
    "年度资金合计",
    "资金合计",
    "年度财政资金总额",
    "财政资金总额",
];

/// Labels of the funds 其中 rows (a row with another label must carry at least one amount).
pub const FUNDS_PARTS: &[&str] = &[
    "当年财政拨款",
    "上年结转资金",
    "其他资金",
    "财政资金",
    "财政拨款",
    "财政专户管理资金",
    "单位资金",
    "单位自筹",
    "自筹资金",
    "上级补助",
    "本年财政拨款",
];

/// Columns of the indicator header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IndCol {
    /// 一级指标.
    Level1,
    /// 二级指标.
    Level2,
    /// 三级指标 (the indicator name).
    Name,
    /// 指标性质 (Sichuan comparator column).
    Comparator,
    /// 年度指标值 / 指标值.
    Target,
    /// 度量单位.
    Unit,
    /// 实际完成值 / 完成值.
    Actual,
    /// 分值 / 权重.
    Weight,
    /// 得分.
    Score,
    /// 偏差原因分析及改进措施 / 未完成原因分析.
    Note,
}

impl IndCol {
    /// Chinese name for messages.
    pub fn label(self) -> &'static str {
        match self {
            IndCol::Level1 => "一级指标",
            IndCol::Level2 => "二级指标",
            IndCol::Name => "三级指标",
            IndCol::Comparator => "指标性质",
            IndCol::Target => "指标值",
            IndCol::Unit => "度量单位",
            IndCol::Actual => "完成值",
            IndCol::Weight => "分值",
            IndCol::Score => "得分",
            IndCol::Note => "偏差原因",
        }
    }
}

/// Indicator header labels → column kind.
pub const INDICATOR_COLUMNS: &[(&str, IndCol)] = &[
    ("一级指标", IndCol::Level1),
    ("一级", IndCol::Level1),
    ("二级指标", IndCol::Level2),
    ("二级", IndCol::Level2),
    ("三级指标", IndCol::Name),
    ("三级", IndCol::Name),
    ("指标性质", IndCol::Comparator),
    ("年度指标值", IndCol::Target),
    ("指标值", IndCol::Target),
    ("年度目标值", IndCol::Target),
    ("年初目标值", IndCol::Target),
    ("目标值", IndCol::Target),
    ("预期指标值", IndCol::Target),
    ("度量单位", IndCol::Unit),
    ("计量单位", IndCol::Unit),
    ("单位", IndCol::Unit),
    ("实际完成值", IndCol::Actual),
    ("完成值", IndCol::Actual),
    ("全年实际值", IndCol::Actual),
    ("实际值", IndCol::Actual),
    ("全年实际完成值", IndCol::Actual),
    ("分值", IndCol::Weight),
    ("权重", IndCol::Weight),
    ("得分", IndCol::Score),
    ("自评得分", IndCol::Score),
    ("偏差原因分析及改进措施", IndCol::Note),
    ("未完成原因分析", IndCol::Note),
    ("未完成原因分析及改进措施", IndCol::Note),
    ("未完成原因及拟采取的改进措施", IndCol::Note),
    ("偏差原因分析及拟采取的改进措施", IndCol::Note),
    ("偏差原因分析", IndCol::Note),
    ("偏差原因", IndCol::Note),
    ("原因分析", IndCol::Note),
    ("备注", IndCol::Note),
];

/// Looks up an indicator column label; "指标值(A)" and "全年实际值(B)" match without the letter.
pub fn indicator_column(label: &str) -> Option<IndCol> {
    let base = strip_letter_suffix(label);
    INDICATOR_COLUMNS.iter().find(|(l, _)| *l == base).map(|(_, c)| *c)
}

/// "指标值(A)" → "指标值".
fn strip_letter_suffix(label: &str) -> &str {
    if let Some(stripped) = label.strip_suffix(')')
        && let Some((base, inner)) = stripped.rsplit_once('(')
        && inner.len() == 1
        && inner.chars().all(|c| c.is_ascii_alphabetic())
    {
        return base;
    }
    label
}

/// Cell naming the indicator block in the header row's first column.
pub const INDICATOR_BLOCK: &[&str] = &["年度绩效指标", "绩效指标", "年度绩效指标完成情况", "年度绩效目标"];

/// True for a cell naming the indicator block, its declared weight and a trailing number left
/// out ("年度绩效目标1 (80分)" → "年度绩效目标").
pub fn is_indicator_block(label: &str) -> bool {
    let base = strip_parenthesis(label).trim_end_matches(|c: char| c.is_ascii_digit());
    INDICATOR_BLOCK.contains(&base)
}

/// Fields a label/value row can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// 项目名称.
    Name,
    /// 项目金额.
    Amount,
    /// 主管部门.
    Department,
    /// 实施单位.
    Implementer,
    /// 项目年度目标 (Sichuan) → goals.expected.
    GoalExpected,
    /// 年度目标完成情况 (Sichuan) → goals.achieved.
    GoalAchieved,
    /// 项目实施内容及过程概述.
    Overview,
    /// 评价结论.
    Conclusion,
    /// 存在问题.
    Problems,
    /// 改进措施.
    Improvements,
    /// 其他需要说明事项.
    OtherNotes,
    /// 等级 / 评价等级.
    Grade,
    /// A label the importer knows but does not read (项目负责人, 联系电话 …): the label and its
    /// value are listed as unmapped with a reason.
    Ignored,
}

/// Label/value labels → field.
pub const FIELD_LABELS: &[(&str, Field)] = &[
    ("项目名称", Field::Name),
    ("项目金额", Field::Amount),
    ("项目总金额", Field::Amount),
    ("项目总额", Field::Amount),
    ("主管部门", Field::Department),
    ("主管部门及代码", Field::Department),
    ("主管部门(代码)", Field::Department),
    ("实施单位", Field::Implementer),
    ("项目实施单位", Field::Implementer),
    ("项目单位", Field::Implementer),
    ("项目年度目标", Field::GoalExpected),
    ("年度目标", Field::GoalExpected),
    ("年初设定目标", Field::GoalExpected),
    ("年度目标完成情况", Field::GoalAchieved),
    ("项目实施内容及过程概述", Field::Overview),
    ("实施内容及过程概述", Field::Overview),
    ("评价结论", Field::Conclusion),
    ("自评结论", Field::Conclusion),
    ("存在问题", Field::Problems),
    ("存在的问题", Field::Problems),
    ("主要问题", Field::Problems),
    ("改进措施", Field::Improvements),
    ("改进意见", Field::Improvements),
    ("整改措施", Field::Improvements),
    ("其他需要说明事项", Field::OtherNotes),
    ("其他需要说明的事项", Field::OtherNotes),
    ("其他说明事项", Field::OtherNotes),
    ("等级", Field::Grade),
    ("评价等级", Field::Grade),
    ("自评等级", Field::Grade),
    ("项目负责人", Field::Ignored),
    ("联系电话", Field::Ignored),
    ("填报人", Field::Ignored),
    ("填表人", Field::Ignored),
    ("填报日期", Field::Ignored),
    ("填报单位", Field::Ignored),
    ("审核人", Field::Ignored),
    ("项目类别", Field::Ignored),
    ("项目属性", Field::Ignored),
    ("项目类型", Field::Ignored),
    ("主要领导签字", Field::Ignored),
];

/// Looks up a label/value label; a trailing colon is ignored ("项目名称：").
pub fn field(label: &str) -> Option<Field> {
    let base = label.strip_suffix(':').unwrap_or(label);
    FIELD_LABELS.iter().find(|(l, _)| *l == base).map(|(_, f)| *f)
}

/// The 年度总体目标 block label.
pub fn is_goals_block(label: &str) -> bool {
    matches!(label, "年度总体目标" | "总体目标" | "年度目标完成情况对比")
}

/// Sub-header cells of the goals block.
pub fn goal_column(label: &str) -> Option<Field> {
    match label {
        "预期目标" | "年度预期目标" | "年初设定目标" => Some(Field::GoalExpected),
        "实际完成情况" | "目标实际完成情况" | "年度实际完成情况" | "年度总体目标完成情况综述" | "全年实际完成情况" => {
            Some(Field::GoalAchieved)
        }
        _ => None,
    }
}

/// The 总分 row label.
pub fn is_total_label(label: &str) -> bool {
    matches!(label, "总分" | "总得分" | "自评总分" | "总计" | "自评得分")
}

/// Names of unfilled template rows: "指标2", "指标1：", "……". A name made of 指标 and a number
/// (and a colon) or of ellipsis marks only.
pub fn is_template_row_name(name: &str) -> bool {
    let n = name.trim_end_matches([':', '：']);
    if !n.is_empty() && n.chars().all(|c| matches!(c, '…' | '.' | '。' | '·' | '⋯')) {
        return true;
    }
    n.strip_prefix("指标")
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
}

/// Placeholder marks a template leaves in a cell for the unit to fill in ("(≥**人)").
pub const TEMPLATE_MARKS: &[&str] = &["**", "＊＊", "××"];

/// The indicator table's 合计 row label.
pub fn is_sum_label(label: &str) -> bool {
    matches!(label, "合计" | "小计" | "指标合计")
}

/// Grades as written.
pub fn is_grade(text: &str) -> bool {
    matches!(
        text,
        "优" | "良" | "中" | "差" | "优秀" | "良好" | "合格" | "不合格" | "及格" | "不及格"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_normalise() {
        assert_eq!(norm(" 项目资金 (元)"), "项目资金(元)");
        assert_eq!(norm("产出指标（50分）"), "产出指标(50分)");
        assert_eq!(indicator_column("指标值(A)"), Some(IndCol::Target));
        assert_eq!(field("项目名称:"), Some(Field::Name));
    }
}
