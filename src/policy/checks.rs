//! Reviewer checks as policy: the catalogue of finding codes jixiao knows (F1–F6, S1–S7,
//! I0–I11, R1–R3, T1–T5, and M1–M6 about how the form was read), and each rule set's `[checks.<CODE>]` turned into a checked [`Check`]:
//! severity (or off), Chinese message template, reference, thresholds, and — for checks whose
//! logic is policy — the Rhai function holding it.
//!
//! Which code is native (structural arithmetic and parse results, in Rust) and which is
//! scripted (a `fn name(f, p)` in the rule set's scripts) is fixed here, in [`CODES`]; what each
//! one may put into its message ([`CodeInfo::values`]) too, so a template asking for a value the
//! check never gives is a load error, not a blank in a report.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use rust_decimal::Decimal;

use super::model::{CheckKey, CheckParam, Level, Located, ParamValue, RawCheck};
use crate::model::diagnostic::{Diagnostic, Loc};
use crate::model::findings::Severity;
use crate::script::ScriptSet;
use crate::script::ast::FunctionFacts;

/// Every finding code, in report order (funds, structure, indicators, explanations, totals, the
/// form as read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs, reason = "the codes are documented in CODES")]
pub enum Code {
    F1,
    F2,
    F3,
    F4,
    F5,
    F6,
    S1,
    S2,
    S3,
    S4,
    S5,
    S6,
    S7,
    I0,
    I1,
    I2,
    I3,
    I4,
    I5,
    I6,
    I7,
    I8,
    I9,
    I10,
    I11,
    R1,
    R2,
    R3,
    T1,
    T2,
    T3,
    T4,
    T5,
    M1,
    M2,
    M3,
    M4,
    M5,
    M6,
}

/// Where a check's logic lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logic {
    /// Built into jixiao (arithmetic on the form, parse results); switched and parametrised
    /// from the policy.
    Native,
    /// A function `fn name(f, p)` in the rule set's scripts: `f` the facts map, `p` the check's
    /// params; returns `()` for no finding or a map of values for the message.
    Script,
}

/// The kind of a native check's parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A decimal.
    Dec,
    /// A list of phrases.
    List,
}

/// A parameter a native check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// Name in `params`.
    pub name: &'static str,
    /// Kind.
    pub kind: ParamKind,
    /// Whether the policy must give it.
    pub required: bool,
    /// Meaning, in Chinese.
    pub description: &'static str,
}

/// What jixiao knows about one code, independent of any rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The code.
    pub code: Code,
    /// Its id as written in policies and reports (`I8`).
    pub id: &'static str,
    /// Native or scripted.
    pub logic: Logic,
    /// What the check looks at, in Chinese (for the generated code reference).
    pub checks: &'static str,
    /// For scripted checks: when jixiao calls the function (the structural precondition).
    pub when: &'static str,
    /// Values the message template may use: for native checks what the check gives, for
    /// scripted checks the facts in `f` (the function may add its own).
    pub values: &'static [&'static str],
    /// Parameters a native check reads (scripted checks read whatever their script reads).
    pub params: &'static [ParamSpec],
    /// The source cell the finding points at, in Chinese.
    pub cell: &'static str,
}

const INDICATOR_FACTS: &[&str] = &[
    "path",
    "level1",
    "level2",
    "name",
    "kind",
    "comparator",
    "target",
    "actual",
    "note",
    "note_blank",
    "target_value",
    "actual_value",
    "unit",
    "percent",
    "weight",
    "score",
    "reported",
    "met",
    "ratio",
    "above",
    "deviates",
    "days_late",
    "shortfall",
];

const FUNDS_FACTS: &[&str] = &[
    "rate",
    "reported_rate",
    "budget",
    "initial",
    "executed",
    "weight",
    "score",
    "note",
    "note_blank",
];

/// What each fact of a scripted indicator check (I8, I10, R1–R3) means, for the generated
/// code reference.
pub const INDICATOR_FACT_DOCS: &[(&str, &str)] = &[
    ("path", "指标路径 一级/二级/三级（字符串）"),
    ("level1", "一级指标（字符串）"),
    ("level2", "二级指标（字符串，没有时为 \"\"）"),
    ("name", "三级指标名称（字符串）"),
    (
        "kind",
        "计分方式：forward（正向）、reverse（反向）、equal（等于）、qualitative（定性）、deadline（时效）",
    ),
    ("comparator", "年度指标值的比较符号（≥、≤、=、>、<，没有时为 \"\"）"),
    ("target", "年度指标值，按表中所写（字符串）"),
    ("actual", "实际完成值，按表中所写（字符串）"),
    ("note", "偏差原因分析及改进措施（字符串，去掉首尾空白）"),
    ("note_blank", "偏差原因是否等于没写（空白或 [notes] blank 中的写法）"),
    (
        "target_value",
        "年度指标值换算到基本单位后的数值（小数；读不出时为 ()）",
    ),
    (
        "actual_value",
        "实际完成值换算到基本单位后的数值（小数；读不出时为 ()）",
    ),
    ("unit", "基本单位（如 元、天、%；没有时为 \"\"）"),
    ("percent", "年度指标值是否为百分比"),
    ("weight", "分值（小数）"),
    ("score", "按规则计算的得分（折算前，小数）"),
    ("reported", "填报得分（小数；没有时为 ()）"),
    (
        "met",
        "是否达到目标（正向：实际 ≥ 目标；反向：实际 ≤ 目标；时效：按期；定性：最高一档；读不出时为 ()）",
    ),
    ("ratio", "实际值 ÷ 目标值（目标值大于 0 时；否则为 ()）"),
    ("above", "正向或等于指标的实际值是否高于目标值"),
    ("deviates", "是否有偏差：实际值不等于目标值、扣了分或逾期"),
    ("days_late", "逾期天数（时效指标；≤ 0 表示按期；其他指标为 ()）"),
    ("shortfall", "分值减按规则得分（不小于 0）"),
];

/// What each fact of a scripted funds check (F4, F5) means.
pub const FUNDS_FACT_DOCS: &[(&str, &str)] = &[
    ("rate", "按规则计算的预算执行率（小数，如 0.87）"),
    ("reported_rate", "填报的执行率（小数；没有时为 ()）"),
    ("budget", "全年预算数（调整后预算数）"),
    ("initial", "年初预算数（没有时为 ()）"),
    ("executed", "全年执行数"),
    ("weight", "预算执行的分值"),
    ("score", "按规则计算的预算执行得分"),
    ("note", "资金表原因栏（字符串；没有时为 \"\"）"),
    ("note_blank", "原因栏是否等于没写"),
];

const MISMATCH_VALUES: &[&str] = &["reported", "computed", "weight", "target", "actual", "kind"];

/// What every import finding (M1–M5) gives its message: the cell (A1), its text ("（空）" when
/// it has none) and what the importer found and did.
const IMPORT_VALUES: &[&str] = &["cell", "text", "detail"];

const fn native(
    code: Code,
    id: &'static str,
    checks: &'static str,
    values: &'static [&'static str],
    params: &'static [ParamSpec],
    cell: &'static str,
) -> CodeInfo {
    CodeInfo {
        code,
        id,
        logic: Logic::Native,
        checks,
        when: "",
        values,
        params,
        cell,
    }
}

const fn script(
    code: Code,
    id: &'static str,
    checks: &'static str,
    when: &'static str,
    values: &'static [&'static str],
    cell: &'static str,
) -> CodeInfo {
    CodeInfo {
        code,
        id,
        logic: Logic::Script,
        checks,
        when,
        values,
        params: &[],
        cell,
    }
}

const fn list(name: &'static str, required: bool, description: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        kind: ParamKind::List,
        required,
        description,
    }
}

const fn dec(name: &'static str, required: bool, description: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        kind: ParamKind::Dec,
        required,
        description,
    }
}

/// The catalogue, in [`Code`] order.
pub const CODES: [CodeInfo; 39] = [
    native(
        Code::F1,
        "F1",
        "年度资金总额的年初预算数、全年预算数、全年执行数与其中各行之和不等（逐列核对）",
        &["column", "total", "sum", "difference"],
        &[dec("tolerance", false, "允许的差额（元），默认 0")],
        "年度资金总额该列的单元格",
    ),
    native(
        Code::F2,
        "F2",
        "填报的执行率与 全年执行数 ÷ 全年预算数（按规则集的执行率公式，按填报的位数舍入）不一致；initial_rate 是按年初预算数算出的执行率",
        &["reported", "computed", "executed", "budget", "initial_rate"],
        &[],
        "执行率单元格",
    ),
    native(
        Code::F3,
        "F3",
        "填报的预算执行得分与规则集公式算出的得分不一致（含超过分值）",
        &["reported", "computed", "weight"],
        &[],
        "预算执行得分单元格",
    ),
    script(
        Code::F4,
        "F4",
        "预算执行率低于规则集的下限或高于上限，且没有说明原因",
        "能算出执行率且执行率不恰好等于 100% 时，每份文档调用一次",
        FUNDS_FACTS,
        "执行率单元格",
    ),
    script(
        Code::F5,
        "F5",
        "年初预算数与全年预算数（调整后）不同，即年中调整了预算，却没有说明调整原因",
        "年初预算数与全年预算数都有且不相等时调用",
        FUNDS_FACTS,
        "年初预算数单元格",
    ),
    native(
        Code::F6,
        "F6",
        "缺少全年预算数或全年执行数，或全年预算数为 0 而预算执行有分值：无法计算执行率",
        &["budget", "executed", "weight"],
        &[],
        "全年预算数单元格",
    ),
    native(
        Code::S1,
        "S1",
        "预算执行分值与各指标分值之和不等于规则集的满分",
        &["budget_weight", "indicators", "sum", "total"],
        &[],
        "总分行的分值单元格",
    ),
    native(
        Code::S2,
        "S2",
        "某一级指标在表中的分值合计与规则集 [profile.level1] 方案不同（规则集折算时 factor 为折算倍数）",
        &["level1", "form", "profile", "factor"],
        &[],
        "该一级指标第一行的分值单元格",
    ),
    native(
        Code::S3,
        "S3",
        "表头写明的一级/二级指标分值（如“产出指标(50分)”）与其下各指标分值之和不等",
        &["parent", "declared", "sum"],
        &[dec("tolerance", false, "允许的差额（分），默认 0")],
        "写明分值的表头单元格",
    ),
    native(
        Code::S4,
        "S4",
        "指标的分值为空，或不大于 0（占位行“无”除外）",
        &["weight"],
        &[],
        "分值单元格",
    ),
    native(
        Code::S5,
        "S5",
        "规则集要求的一级指标或二级指标在表中没有（按名称结尾匹配，如“服务对象满意度指标”算作“满意度指标”；占位行不算）",
        &["missing", "level"],
        &[
            list("level1", true, "必须有的一级指标"),
            list("level2", true, "必须有的二级指标"),
        ],
        "无（整张指标表）",
    ),
    native(
        Code::S6,
        "S6",
        "单个指标的分值占满分的比例超过 max_share（每个超过的指标各一条）",
        &["path", "weight", "total", "share_pct", "limit_pct"],
        &[dec(
            "max_share",
            true,
            "单个指标分值占满分的最高比例（如 0.3），恰好等于不提示",
        )],
        "该指标的分值单元格",
    ),
    native(
        Code::S7,
        "S7",
        "年度指标值为空、无法解析、不是可核对的期限，或其单位与实际完成值的单位不一致",
        &["target", "actual", "problem"],
        &[],
        "年度指标值单元格",
    ),
    native(
        Code::I0,
        "I0",
        "无法按规则计算某指标的得分，总分中暂按填报得分计入（原因见同一指标的 S7、I6）",
        &["reported"],
        &[],
        "得分单元格",
    ),
    native(
        Code::I1,
        "I1",
        "填报得分大于分值或小于 0",
        MISMATCH_VALUES,
        &[],
        "得分单元格",
    ),
    native(
        Code::I2,
        "I2",
        "已完成目标（按规则应得满分），填报得分却被扣减",
        MISMATCH_VALUES,
        &[],
        "得分单元格",
    ),
    native(
        Code::I3,
        "I3",
        "未完成目标，填报得分与按完成比例计算的得分不符",
        MISMATCH_VALUES,
        &[],
        "得分单元格",
    ),
    native(
        Code::I4,
        "I4",
        "反向指标（成本等越低越好）超出目标值却未按规则扣分，或未超出却被扣分",
        MISMATCH_VALUES,
        &[],
        "得分单元格",
    ),
    native(
        Code::I5,
        "I5",
        "定性指标的填报得分不在实际完成情况所属档次的得分区间内",
        MISMATCH_VALUES,
        &[],
        "得分单元格",
    ),
    native(
        Code::I6,
        "I6",
        "实际完成值为空，或不是一个实际数值/日期（如“>=85%”这样的范围、对“≤30万元”写“完成”、不在定性用语中的说法）",
        &["target", "actual", "problem"],
        &[],
        "实际完成值单元格",
    ),
    native(
        Code::I7,
        "I7",
        "时效指标逾期完成，却得满分、得分与规则不符或没有说明原因",
        &[
            "target",
            "actual",
            "days_late",
            "reported",
            "computed",
            "weight",
            "note",
        ],
        &[],
        "得分单元格",
    ),
    script(
        Code::I8,
        "I8",
        "实际完成值远高于目标值（正向、等于指标）：目标可能定得过低，须说明原因",
        "正向或等于指标，目标值大于 0 且实际值大于目标值时调用",
        INDICATOR_FACTS,
        "实际完成值单元格",
    ),
    native(
        Code::I9,
        "I9",
        "年度指标值没有意义或轻易即可达到：正向指标的目标值不大于 forward_floor（如“≥0”）；反向百分比指标的上限不低于 100%；正向百分比指标的目标超过 100%（不可能达到）",
        &["target", "actual", "problem"],
        &[dec(
            "forward_floor",
            true,
            "正向指标的目标值不大于此值即视为轻易达到（如 0）",
        )],
        "年度指标值单元格",
    ),
    script(
        Code::I10,
        "I10",
        "年度指标值与实际完成值相差一个数量级：可能是笔误或单位错误（元与万元）",
        "目标值与实际值都大于 0 且相差 2 倍或以上时调用（相差不到 2 倍不可能是数量级之差）",
        INDICATOR_FACTS,
        "实际完成值单元格",
    ),
    native(
        Code::I11,
        "I11",
        "二级指标一块共用一个得分（表中没有分值列）：填报的块得分与按规则计算的块内各指标得分之和不一致",
        &["block", "reported", "computed", "weight", "basis"],
        &[],
        "该块的得分单元格",
    ),
    script(
        Code::R1,
        "R1",
        "扣了分或未完成目标，偏差原因却为空或写了等于没写（[notes] blank）",
        "按规则得分低于分值、或逾期时调用",
        INDICATOR_FACTS,
        "偏差原因单元格",
    ),
    script(
        Code::R2,
        "R2",
        "偏差说明与数字矛盾（写“无偏差”而实际远离目标；写“未完成”而已完成）",
        "正向或等于指标的实际值高于目标值、按规则扣了分或逾期、或偏差说明不是空话时调用",
        INDICATOR_FACTS,
        "偏差原因单元格",
    ),
    script(
        Code::R3,
        "R3",
        "扣分或逾期时的偏差说明只是套话，或没有改进措施",
        "按规则扣了分或逾期、且偏差说明不是空话时调用（达到目标时无须改进措施）",
        INDICATOR_FACTS,
        "偏差原因单元格",
    ),
    native(
        Code::T1,
        "T1",
        "填报的总分不等于 预算执行得分 + 各指标得分（按规则重新计算）",
        &["reported", "computed", "difference"],
        &[],
        "总分单元格",
    ),
    native(
        Code::T2,
        "T2",
        "填报的等级与按规则计算的总分所对应的等级不一致",
        &["reported", "computed", "total"],
        &[],
        "等级单元格",
    ),
    native(
        Code::T3,
        "T3",
        "年度总体目标（预期目标、实际完成情况）或表中的评价结论、存在问题、改进措施为空，或仍是模板中的填写说明",
        &["field", "text", "problem"],
        &[list(
            "instructions",
            true,
            "表示“这是模板里的填写说明”的用语（包含即算）",
        )],
        "该栏的单元格",
    ),
    native(
        Code::T4,
        "T4",
        "文字部分（实际完成情况、评价结论等）写的预算或执行金额与资金表不一致：金额前若干字内有关键词时，按所写精度与年初预算数、全年预算数、全年执行数逐一比较",
        &["field", "amount", "budget", "executed", "text"],
        &[
            list("keywords", true, "金额前出现这些词时才核对（如 预算、执行、支出）"),
            dec("window", true, "关键词与金额之间最多相隔的字数"),
        ],
        "该栏的单元格",
    ),
    native(
        Code::T5,
        "T5",
        "表格不完整（被截断）时，填报的总分不在表中已有内容可能得到的范围内：低于已算出的得分，或高于已算出的得分加上缺少部分的分值（满分减去表中已有的分值）",
        &["reported", "computed", "missing", "max"],
        &[],
        "总分单元格",
    ),
    native(
        Code::M1,
        "M1",
        "导入时有无法识别或无法读取的行、表头单元格或数值（如不是数字的分值）：已列入未映射单元格，表中其余内容照常读取",
        IMPORT_VALUES,
        &[],
        "无法识别的单元格（整行时为该行第一个单元格）",
    ),
    native(
        Code::M2,
        "M2",
        "表格不完整：缺少总分行、资金表、资金总额行、绩效指标表头或指标行，或最后一个一级指标的指标少于其写明的分值（表格被截断）；按已有的内容评分，总分标为不完整",
        IMPORT_VALUES,
        &[],
        "表格的第一行或最后一行（缺少资金总额行时为资金表头）",
    ),
    native(
        Code::M3,
        "M3",
        "模板内容没有填写或没有删除：未填写的模板行（“指标2”“……”）、指标名称中留下的占位符（“(≥**人)”）、空的三级指标名称或空的一级指标",
        IMPORT_VALUES,
        &[],
        "第一处模板内容的单元格",
    ),
    native(
        Code::M4,
        "M4",
        "没有项目名称：缺少“项目名称”行，或是上一张表被截断后留下的后半部分（表格片段）；按无名称的表评分",
        IMPORT_VALUES,
        &[],
        "表格的第一行",
    ),
    native(
        Code::M5,
        "M5",
        "指标表没有分值列：各二级指标块的分值取自标签写明的分值，或由一级指标写明的分值推定（按得分推定或平均分配），并说明是哪一种；既无得分也推不出分值的块单独提示",
        IMPORT_VALUES,
        &[],
        "指标表头（未计分的块为其第一行的指标名称）",
    ),
    native(
        Code::M6,
        "M6",
        "表式方案与规则集不同：一级指标名称不在规则集 [profile.level1] 中（如“项目决策”“项目管理”），或表头写明的预算执行、指标表分值与规则集的不同（如预算执行 20 分、指标 80 分）。预算执行与指标的分值划分不同时按表中写明的分值评分，不折算；只是一级指标名称不同时，规则集方案中没有的一级指标按表中分值计分，其余照常折算",
        &["form", "profile", "differences", "handling"],
        &[],
        "第一处不同的单元格",
    ),
];

impl Code {
    /// Every code, in report order.
    pub fn all() -> impl Iterator<Item = Code> {
        CODES.iter().map(|c| c.code)
    }

    /// Everything jixiao knows about the code.
    pub fn info(self) -> &'static CodeInfo {
        // CODES is in Code order; the fallback is unreachable but keeps the lint quiet.
        CODES.get(self as usize).unwrap_or(&CODES[0])
    }

    /// The code as written (`I8`).
    pub fn id(self) -> &'static str {
        self.info().id
    }

    /// The code of an id, if jixiao knows it.
    pub fn from_id(id: &str) -> Option<Code> {
        CODES.iter().find(|c| c.id == id).map(|c| c.code)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// A message template: text with `{name}` placeholders, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Value(String),
}

impl Template {
    /// Parses a template; `{{` and `}}` stand for braces. Errors give the byte offset of the
    /// problem and what it is.
    pub fn parse(source: &str) -> Result<Self, (usize, String)> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err((i, "“{” 没有对应的 “}”".to_owned()));
                    }
                    let name = name.trim().to_owned();
                    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        return Err((
                            i,
                            format!("“{{{name}}}” 不是合法的值名称（只能用英文字母、数字和下划线）"),
                        ));
                    }
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Value(name));
                }
                '}' => return Err((i, "多余的 “}”；花括号本身请写成 “}}”".to_owned())),
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Self {
            source: source.to_owned(),
            parts,
        })
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Names of the values it uses, in order of first use.
    pub fn placeholders(&self) -> Vec<&str> {
        let mut seen = Vec::new();
        for part in &self.parts {
            if let Part::Value(name) = part {
                if !seen.contains(&name.as_str()) {
                    seen.push(name.as_str());
                }
            }
        }
        seen
    }

    /// Fills the placeholders; `Err(name)` for the first value `lookup` does not have.
    pub fn render(&self, mut lookup: impl FnMut(&str) -> Option<String>) -> Result<String, &str> {
        let mut out = String::with_capacity(self.source.len() + 16);
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Value(name) => match lookup(name) {
                    Some(v) => out.push_str(&v),
                    None => return Err(name),
                },
            }
        }
        Ok(out)
    }
}

/// One check of a rule set, checked.
#[derive(Debug, Clone)]
pub struct Check {
    /// The code.
    pub code: Code,
    /// Title (Chinese).
    pub title: String,
    /// Severity; `None` when the policy switched the check off.
    pub severity: Option<Severity>,
    /// Message template.
    pub message: Template,
    /// Clause or practice it implements.
    pub reference: String,
    /// Script function, for scripted checks that are on.
    pub function: Option<String>,
    /// Parameters: for values by year, those of the year the set was resolved for
    /// ([`Checks::for_year`]).
    pub params: BTreeMap<String, ParamValue>,
    /// Parameters with values by year: each value with the year it applies from, ascending.
    pub by_year: BTreeMap<String, Vec<(i32, ParamValue)>>,
    /// The parameters as the map scripts receive as `p`.
    pub script_params: rhai::Map,
    /// For scripted checks: the facts the function reads (`f.name`), so only those are built
    /// for each call (the message's own values are built only for a finding); every fact when
    /// the function's use of `f` cannot be read from its text (it passes `f` on, say).
    pub facts: Vec<&'static str>,
}

impl Check {
    /// A decimal parameter.
    pub fn dec(&self, name: &str) -> Option<Decimal> {
        match self.params.get(name) {
            Some(ParamValue::Dec(d)) => Some(*d),
            _ => None,
        }
    }

    /// A list parameter (empty when absent).
    pub fn list(&self, name: &str) -> &[String] {
        match self.params.get(name) {
            Some(ParamValue::List(l)) => l,
            _ => &[],
        }
    }
}

/// Every check of a rule set, one per code.
#[derive(Debug, Clone)]
pub struct Checks {
    /// In [`Code`] order.
    list: Vec<Check>,
}

impl Checks {
    /// The check of a code.
    pub fn get(&self, code: Code) -> Option<&Check> {
        self.list.get(code as usize)
    }

    /// The check of a code when it is on.
    #[inline]
    pub fn enabled(&self, code: Code) -> Option<&Check> {
        self.get(code).filter(|c| c.severity.is_some())
    }

    /// Whether a code is on.
    #[inline]
    pub fn is_on(&self, code: Code) -> bool {
        self.enabled(code).is_some()
    }

    /// Every check, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &Check> {
        self.list.iter()
    }

    /// A copy with one decimal parameter of one check set to `value` (as written and as
    /// scripts see it, for every year): for probing how results depend on a check's threshold.
    pub fn with_param(&self, code: Code, name: &str, value: Decimal) -> Checks {
        let mut copy = self.clone();
        if let Some(check) = copy.list.iter_mut().find(|c| c.code == code) {
            let new = ParamValue::Dec(value);
            check.script_params.insert(name.into(), param_dynamic(&new));
            check.params.insert(name.to_owned(), new);
            check.by_year.remove(name);
        }
        copy
    }

    /// Whether a check parameter has values by year.
    pub fn is_dated(&self) -> bool {
        self.list.iter().any(|c| !c.by_year.is_empty())
    }

    /// Every year a check parameter's value by year starts.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.list
            .iter()
            .flat_map(|c| c.by_year.values().flat_map(|v| v.iter().map(|(y, _)| *y)))
    }

    /// Whether every check parameter with values by year has the value of `year`.
    pub fn resolved_for(&self, year: i32) -> bool {
        self.list.iter().all(|c| {
            c.by_year
                .iter()
                .all(|(name, values)| c.params.get(name) == applying(values, year))
        })
    }

    /// The checks as they apply in `year`: each parameter with values by year takes the value
    /// of the latest year not after `year` (the first when `year` is before them all).
    pub fn for_year(&self, year: i32) -> Checks {
        let mut copy = self.clone();
        for check in &mut copy.list {
            let chosen: Vec<(String, ParamValue)> = check
                .by_year
                .iter()
                .filter_map(|(name, values)| applying(values, year).map(|v| (name.clone(), v.clone())))
                .collect();
            for (name, value) in chosen {
                check.script_params.insert(name.as_str().into(), param_dynamic(&value));
                check.params.insert(name, value);
            }
        }
        copy
    }
}

/// The value by year that applies in `year`.
fn applying(values: &[(i32, ParamValue)], year: i32) -> Option<&ParamValue> {
    values
        .iter()
        .rev()
        .find(|(from, _)| *from <= year)
        .or_else(|| values.first())
        .map(|(_, v)| v)
}

fn param_dynamic(value: &ParamValue) -> rhai::Dynamic {
    match value {
        ParamValue::Dec(d) => super::param_dynamic(*d),
        ParamValue::Bool(b) => rhai::Dynamic::from_bool(*b),
        ParamValue::List(l) => rhai::Dynamic::from_array(l.iter().map(|s| rhai::Dynamic::from(s.clone())).collect()),
    }
}

/// Checks `[checks]` of a policy against the catalogue and the compiled scripts, pushing every
/// problem found to `out` (`at` places a byte span of `policy.toml`). `None` when any was an
/// error.
pub(super) fn load(
    raw: &Located<BTreeMap<CheckKey, RawCheck>>,
    scripts: &ScriptSet,
    at: &dyn Fn(Range<usize>) -> Loc,
    out: &mut Vec<Diagnostic>,
) -> Option<Checks> {
    let errors_before = out.iter().filter(|d| d.is_error()).count();
    let mut error = |span: Range<usize>, message: String, help: Option<String>| {
        out.push(Diagnostic::error(CHECKS_CODE, at(span), message).with_help_opt(help));
    };
    let mut found: BTreeMap<Code, (Range<usize>, &RawCheck)> = BTreeMap::new();
    for (key, check) in &raw.value {
        let id = key.0.get_ref();
        let Some(code) = Code::from_id(id) else {
            error(
                key.0.span(),
                format!("未知的检查代码“{id}”"),
                Some(format!(
                    "可用的代码：{}",
                    Code::all().map(Code::id).collect::<Vec<_>>().join("、")
                )),
            );
            continue;
        };
        found.insert(code, (key.0.span(), check));
    }
    let missing: Vec<&str> = Code::all().filter(|c| !found.contains_key(c)).map(Code::id).collect();
    if !missing.is_empty() {
        error(
            raw.span.clone(),
            format!("[checks] 缺少检查 {}", missing.join("、")),
            Some(
                "每个代码都要写一节 [checks.代码]（title、severity、message、reference）；不需要的检查写 severity = \"off\""
                    .to_owned(),
            ),
        );
    }

    let mut list = Vec::with_capacity(CODES.len());
    for info in &CODES {
        let Some((key_span, rawc)) = found.get(&info.code) else {
            continue;
        };
        let severity = match rawc.severity.value {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        };
        let message = match Template::parse(&rawc.message.value) {
            Ok(message) => message,
            Err((offset, why)) => {
                // +1 skips the opening quote of the TOML string.
                let at = rawc.message.span.start + 1 + offset;
                error(at..at + 1, format!("检查 {} 的 message 模板有误：{why}", info.id), None);
                continue;
            }
        };

        let mut function = None;
        match (info.logic, &rawc.function) {
            (Logic::Native, Some(f)) => {
                error(
                    f.span.clone(),
                    format!("{} 是内置检查，不能指定脚本函数 {}", info.id, f.value),
                    Some("删除 function；内置检查只能用 severity、message 和 params 调整".to_owned()),
                );
                continue;
            }
            (Logic::Script, None) if severity.is_some() => {
                error(
                    key_span.clone(),
                    format!("检查 {} 由脚本判断，但没有写 function", info.id),
                    Some(format!(
                        "写 function = \"函数名\"，并在 .rhai 脚本中定义 fn 函数名(f, p)；不需要本检查时写 severity = \"off\"（{}）",
                        info.when
                    )),
                );
                continue;
            }
            (Logic::Script, Some(f)) => {
                if !scripts.has_function(&f.value, 2) {
                    error(
                        f.span.clone(),
                        format!("检查 {} 指定的函数 {}（2 个参数）在脚本中没有定义", info.id, f.value),
                        Some(format!(
                            "在 .rhai 脚本中定义 fn {}(f, p)：f 是事实映射，p 是本检查的 params；返回 () 表示没有发现，返回对象映射表示有发现",
                            f.value
                        )),
                    );
                    continue;
                }
                function = Some(f.value.clone());
            }
            (Logic::Script | Logic::Native, None) => {}
        }

        let mut params = BTreeMap::new();
        let mut by_year: BTreeMap<String, Vec<(i32, ParamValue)>> = BTreeMap::new();
        let mut params_ok = true;
        for (name, written) in &rawc.params.value {
            // Values by year: years as keys, values of one kind; the first year's value stands
            // until the set is resolved for a document's year.
            let value = match &written.value {
                CheckParam::One(v) => Located {
                    value: v.clone(),
                    span: written.span.clone(),
                },
                CheckParam::ByYear(map) => {
                    let mut dated: Vec<(i32, ParamValue)> = Vec::new();
                    for (year, v) in map {
                        match year.trim().parse::<i32>() {
                            Ok(y) if (1900..=2200).contains(&y) => dated.push((y, v.clone())),
                            _ => {
                                error(
                                    written.span.clone(),
                                    format!("检查 {} 的参数 {name} 的 by_year 中“{year}”不是年度", info.id),
                                    Some("by_year 的键写四位年度，如 \"2023\" = \"0.85\"".to_owned()),
                                );
                                params_ok = false;
                            }
                        }
                    }
                    dated.sort_by_key(|(y, _)| *y);
                    let kinds: BTreeSet<&str> = dated.iter().map(|(_, v)| v.kind_label()).collect();
                    let whole = dated
                        .iter()
                        .filter(|(_, v)| matches!(v, ParamValue::Dec(d) if d.fract().is_zero()))
                        .count();
                    if kinds.len() > 1 || (whole != 0 && whole != dated.len() && kinds.len() == 1) {
                        error(
                            written.span.clone(),
                            format!("检查 {} 的参数 {name} 的 by_year 中各年度的值类型不一致", info.id),
                            Some("各年度的值要同为整数、同为小数、同为 true/false 或同为用语列表".to_owned()),
                        );
                        params_ok = false;
                        continue;
                    }
                    let Some((_, first)) = dated.first().cloned() else {
                        if map.is_empty() {
                            error(
                                written.span.clone(),
                                format!("检查 {} 的参数 {name} 的 by_year 没有任何年度的值", info.id),
                                None,
                            );
                        }
                        params_ok = false;
                        continue;
                    };
                    // Every value is checked for its kind below through the first; the others
                    // are of the same kind.
                    by_year.insert(name.clone(), dated);
                    Located {
                        value: first,
                        span: written.span.clone(),
                    }
                }
            };
            if info.logic == Logic::Native {
                let Some(spec) = info.params.iter().find(|p| p.name == name) else {
                    let known: Vec<&str> = info.params.iter().map(|p| p.name).collect();
                    error(
                        value.span.clone(),
                        format!("检查 {} 没有参数 {name}", info.id),
                        Some(if known.is_empty() {
                            format!("{} 不读取任何参数；删除 params", info.id)
                        } else {
                            format!("{} 的参数：{}", info.id, known.join("、"))
                        }),
                    );
                    params_ok = false;
                    continue;
                };
                let ok = matches!(
                    (spec.kind, &value.value),
                    (ParamKind::Dec, ParamValue::Dec(_)) | (ParamKind::List, ParamValue::List(_))
                );
                if !ok {
                    let want = match spec.kind {
                        ParamKind::Dec => "小数",
                        ParamKind::List => "用语列表",
                    };
                    error(
                        value.span.clone(),
                        format!(
                            "检查 {} 的参数 {name} 应是{want}，不是{}",
                            info.id,
                            value.value.kind_label()
                        ),
                        None,
                    );
                    params_ok = false;
                    continue;
                }
            }
            params.insert(name.clone(), value.value.clone());
        }
        if !params_ok {
            continue;
        }
        if info.logic == Logic::Native && severity.is_some() {
            if let Some(spec) = info.params.iter().find(|p| p.required && !params.contains_key(p.name)) {
                error(
                    rawc.params.span.clone().start.max(key_span.start)..key_span.end.max(rawc.params.span.end),
                    format!("检查 {} 缺少参数 {}（{}）", info.id, spec.name, spec.description),
                    None,
                );
                continue;
            }
        }

        let read = function
            .as_deref()
            .filter(|_| severity.is_some())
            .and_then(|f| scripts.function_facts_by_name(f));
        let returned = read.map(|f| f.map_keys.clone()).unwrap_or_default();
        let mut facts: Vec<&'static str> = Vec::new();
        if let Some(read) = read {
            match facts_read(read) {
                Some(read) => facts.extend(info.values.iter().filter(|v| read.contains(**v))),
                None => facts.extend(info.values.iter()),
            }
        }

        // Every value the template asks for must be one the check gives.
        if severity.is_some() {
            let unknown = message
                .placeholders()
                .into_iter()
                .find(|name| !info.values.contains(name) && !returned.contains(*name));
            if let Some(name) = unknown {
                let offset = rawc.message.value.find(&format!("{{{name}")).unwrap_or(0);
                let at = rawc.message.span.start + 1 + offset;
                let mut available: Vec<String> = info.values.iter().map(|v| (*v).to_owned()).collect();
                available.extend(returned.iter().cloned());
                error(
                    at..at + name.len() + 2,
                    format!("检查 {} 的 message 用到 {{{name}}}，但这条检查不给出 {name}", info.id),
                    Some(format!("可用的值：{}", available.join("、"))),
                );
                continue;
            }
        }

        let script_params: rhai::Map = params
            .iter()
            .map(|(k, v)| (k.as_str().into(), param_dynamic(v)))
            .collect();
        list.push(Check {
            code: info.code,
            title: rawc.title.clone(),
            severity,
            message,
            reference: rawc.reference.clone(),
            function,
            params,
            by_year,
            script_params,
            facts,
        });
    }
    let errors_now = out.iter().filter(|d| d.is_error()).count();
    (errors_now == errors_before).then_some(Checks { list })
}

/// Code of the diagnostics about `[checks]`.
const CHECKS_CODE: &str = "jixiao::policy::checks";

/// The facts a check function reads: the names after `f.` (or in `f["…"]`) where `f` is its
/// first parameter. `None` when `f` is used otherwise (passed on, copied, a method called on
/// it): then it may read anything.
fn facts_read(function: &FunctionFacts) -> Option<BTreeSet<String>> {
    let Some(uses) = function.uses.first() else {
        return Some(BTreeSet::new());
    };
    if uses.escapes || !uses.passed_to.is_empty() {
        return None;
    }
    Some(uses.reads.iter().map(|(name, _)| name.clone()).collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_in_code_order() {
        for (i, info) in CODES.iter().enumerate() {
            assert_eq!(info.code as usize, i, "{}", info.id);
            assert_eq!(format!("{:?}", info.code), info.id);
            assert_eq!(Code::from_id(info.id), Some(info.code));
        }
    }

    #[test]
    fn every_fact_is_documented() {
        for (facts, docs) in [(INDICATOR_FACTS, INDICATOR_FACT_DOCS), (FUNDS_FACTS, FUNDS_FACT_DOCS)] {
            let documented: Vec<&str> = docs.iter().map(|d| d.0).collect();
            assert_eq!(facts, documented.as_slice());
        }
    }

    #[test]
    fn templates_parse_placeholders_and_escapes() {
        let t = Template::parse("得分 {reported} 与 {computed} {{不}} 一致 {reported}").unwrap();
        assert_eq!(t.placeholders(), ["reported", "computed"]);
        let out = t
            .render(|k| Some(if k == "reported" { "1" } else { "2" }.to_owned()))
            .unwrap();
        assert_eq!(out, "得分 1 与 2 {不} 一致 1");
        assert_eq!(t.render(|_| None), Err("reported"));
        assert!(Template::parse("缺 {reported").is_err());
        assert!(Template::parse("多 }").is_err());
        assert!(Template::parse("{实际}").is_err());
    }

    fn read_one(source: &str) -> FunctionFacts {
        crate::script::ast::read(source, &crate::script::ScriptLimits::default())
            .unwrap()
            .into_iter()
            .next()
            .unwrap()
    }

    #[test]
    fn the_facts_a_function_reads_are_found_in_its_code() {
        let read = facts_read(&read_one(
            "fn c(f, p) {\n  // f.in_comment\n  if f.note_blank && f.ratio > p.x { #{ t: `${f.target} f.in_text` } } else { () }\n}\n",
        ))
        .unwrap();
        let read: Vec<&str> = read.iter().map(String::as_str).collect();
        assert_eq!(read, ["note_blank", "ratio", "target"]);
        // `f` passed on: it may read anything.
        assert_eq!(facts_read(&read_one("fn c(f, p) { helper(f) }")), None);
        // Names that merely contain the letter are not uses.
        assert_eq!(
            facts_read(&read_one("fn c(f, p) { let off = 1; if off > 0 { p.x } }"))
                .unwrap()
                .len(),
            0
        );
    }

    #[test]
    fn returned_keys_are_read_from_map_literals_and_assignments() {
        let f = read_one(
            "fn f(f, p) {\n  let r = #{ ratio: round(x, 2), \"note\": f.note, nested: #{ inner: 1 } };\n  r.extra = 1;\n  // #{ commented: 1 }\n  if a == b { #{ why: \"x:y\" } }\n}",
        );
        let keys: Vec<&str> = f.map_keys.iter().map(String::as_str).collect();
        assert_eq!(keys, ["extra", "inner", "nested", "note", "ratio", "why"]);
    }
}
