//! The `policy.toml` file as written by a finance editor: every key, with its meaning.
//!
//! These types mirror the file one to one (unknown keys are errors) and carry the byte span of
//! the values a later check may complain about, so messages can point at file:line:column.
//! `schemas/policy.schema.json` is generated from them. Turning this raw form into a checked
//! [`crate::policy::RuleSet`] happens in `policy::load`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

pub use crate::model::located::Located;
use crate::model::range;

/// An exact decimal written in TOML as a string ("0.5") or an integer (10). A TOML float
/// (0.5 without quotes) is refused: floats cannot hold most decimals exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dec(pub Decimal);

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Dec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("写成字符串的小数，如 \"0.5\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Dec, E> {
                if range::judge_text(v.trim()) == range::TextRange::Beyond {
                    return Err(out_of_range(v));
                }
                v.trim()
                    .parse::<Decimal>()
                    .map(Dec)
                    .map_err(|_| E::custom(format!("\"{v}\" 不是合法的小数")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Dec, E> {
                in_range(Decimal::from(v), v).map(Dec)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Dec, E> {
                in_range(Decimal::from(v), v).map(Dec)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Dec, E> {
                Err(E::custom(format!(
                    "小数必须写成字符串（加引号），如 \"{v}\"：不加引号的小数会被当作浮点数，失去精度"
                )))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The error for a rule-set number beyond the range scoring computes with.
fn out_of_range<E: serde::de::Error>(written: impl std::fmt::Display) -> E {
    E::custom(format!("{written} 超出规则集数值可取的范围：{}", range::RANGE_TEXT))
}

/// A rule-set number written as a TOML integer, if within the range.
fn in_range<E: serde::de::Error>(value: Decimal, written: impl std::fmt::Display) -> Result<Decimal, E> {
    if range::within(value) {
        Ok(value)
    } else {
        Err(out_of_range(written))
    }
}

impl JsonSchema for Dec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DecimalString".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "精确小数：写成字符串（如 \"0.5\"）或整数（如 10）；不要写不加引号的小数。整数部分最多 15 位（绝对值小于 10^15），小数部分最多 28 位。",
            "anyOf": [
                { "type": "string", "pattern": "^-?[0-9]{1,15}(\\.[0-9]{1,28})?$" },
                { "type": "integer", "minimum": -999_999_999_999_999_i64, "maximum": 999_999_999_999_999_i64 }
            ]
        })
    }
}

/// The whole `policy.toml`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "jixiao 规则集 policy.toml")]
pub struct PolicyFile {
    /// 规则集的身份：编号、名称、地区、适用年度、依据文件。
    pub ruleset: RulesetMeta,
    /// 一级指标权重方案（预算执行率 + 各一级指标）。
    pub profile: Profile,
    /// 舍入方式与位数。
    pub rounding: Rounding,
    /// 等级划分（优、良、中、差）。
    pub grades: Vec<GradeBand>,
    /// 单位换算表：单位 → 基本单位与倍数（如 万元 = 10000 元）。
    #[serde(default)]
    pub units: BTreeMap<String, UnitConversion>,
    /// 定性指标用语及其档次。
    #[serde(default)]
    pub qualitative: Vec<QualitativeTier>,
    /// 指标类别的判定：没有比较符号时按什么方向计分。
    #[serde(default)]
    pub classify: Classify,
    /// 每类指标用哪个脚本函数计分。
    pub formulas: Formulas,
    /// 规则集的具名参数（阈值、系数、位数），脚本里以 `p.名称` 读取。
    #[serde(default)]
    pub params: BTreeMap<String, Param>,
    /// 脚本文件（相对本文件夹），按顺序编译；省略时为文件夹中全部 *.rhai。
    #[serde(default)]
    pub scripts: Vec<String>,
    /// 哪些说明文字等于没有说明（用于时效指标的“有说明”、F4/F5 的原因、R1–R3）。
    #[serde(default)]
    pub notes: Notes,
    /// 审核检查：每个代码（F1–F6、S1–S7、I0–I11、R1–R3、T1–T5、M1–M6）一条，键为代码。
    #[serde(default)]
    pub checks: Located<BTreeMap<CheckKey, RawCheck>>,
}

/// Identity of a rule set.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesetMeta {
    /// 规则集编号，与文件夹同名，如 `shenzhen-2020`。
    pub id: Located<String>,
    /// 规则集名称（中文）。
    pub title: String,
    /// 继承的上级规则集：内置规则集编号（如 `cn-mof-2020`）或相对本文件夹的路径（如 `../cn-mof-2020`）。
    /// 本文件只写与上级不同的部分：`[表]` 逐键合并，数组和行内表 `{ … }` 整体替换；
    /// 同名同参数个数的脚本函数替换上级的。id、title、years、region、default_for_national 不继承。
    #[serde(default)]
    pub extends: Option<Located<String>>,
    /// 适用地区代码（如 `shenzhen`、`sichuan`）；不写表示全国通用。
    #[serde(default)]
    pub region: Option<String>,
    /// 适用的预算年度。
    pub years: Located<YearRange>,
    /// 没有指定地区的文档是否默认使用本规则集（全国规则集设为 true）。
    #[serde(default)]
    pub default_for_national: bool,
    /// 依据的文件与来源。
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// Budget years a rule set covers, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct YearRange {
    /// 起始年度（含）。
    pub from: i32,
    /// 截止年度（含）；不写表示此后各年都适用。
    #[serde(default)]
    pub to: Option<i32>,
}

impl YearRange {
    /// True when `year` falls in the range.
    pub fn covers(&self, year: i32) -> bool {
        year >= self.from && self.to.is_none_or(|to| year <= to)
    }
}

impl std::fmt::Display for YearRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to {
            Some(to) if to == self.from => write!(f, "{}年", self.from),
            Some(to) => write!(f, "{}—{}年", self.from, to),
            None => write!(f, "{}年起", self.from),
        }
    }
}

/// A document a rule set rests on.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// 文件名称或文号。
    pub title: String,
    /// 网址（如有）。
    #[serde(default)]
    pub url: Option<String>,
}

/// The level-1 weight profile.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// 预算执行率的分值（如 10）。
    pub budget: Located<Dec>,
    /// 全部绩效指标的分值合计（如 90）。
    pub indicators: Located<Dec>,
    /// 各一级指标的分值，如 `{ "产出指标" = "50", … }`；不规定各一级指标分值时省略（继承了上级方案而本规则集不规定时写 `{}`）。
    #[serde(default)]
    pub level1: Option<Located<BTreeMap<String, Dec>>>,
    /// 满分（通常 100）。
    #[serde(default = "hundred")]
    pub total: Located<Dec>,
    /// 表中一级指标分值与本方案不同时，是否把该一级指标下的得分按本方案折算。
    #[serde(default)]
    pub rescale: bool,
    /// 预算执行率分值取表中填写的分值（true）还是本方案的分值（false）。
    #[serde(default = "yes")]
    pub budget_weight_from_form: bool,
    /// 依据的条款或做法。
    #[serde(default)]
    pub reference: Option<String>,
}

fn hundred() -> Located<Dec> {
    Located {
        value: Dec(Decimal::ONE_HUNDRED),
        span: 0..0,
    }
}

fn yes() -> bool {
    true
}

/// Rounding of scores and totals.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rounding {
    /// 舍入方式：`half_up`（四舍五入）、`half_even`（银行家舍入）、`down`（截尾）、`up`（进一）。
    pub mode: RoundingMode,
    /// 指标得分、预算执行得分保留的小数位数。
    pub score_places: u32,
    /// 总分保留的小数位数。
    pub total_places: u32,
    /// 依据。
    #[serde(default)]
    pub reference: Option<String>,
}

/// How a number is rounded; every rounding in jixiao names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// 四舍五入 (2.345 → 2.35).
    HalfUp,
    /// 银行家舍入 (2.345 → 2.34).
    HalfEven,
    /// 截尾（向零）.
    Down,
    /// 进一（远离零）.
    Up,
}

impl RoundingMode {
    /// Rounds `x` to `places` decimals in this mode.
    pub fn round(self, x: Decimal, places: u32) -> Decimal {
        use rust_decimal::RoundingStrategy as S;
        let strategy = match self {
            RoundingMode::HalfUp => S::MidpointAwayFromZero,
            RoundingMode::HalfEven => S::MidpointNearestEven,
            RoundingMode::Down => S::ToZero,
            RoundingMode::Up => S::AwayFromZero,
        };
        x.round_dp_with_strategy(places, strategy)
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            RoundingMode::HalfUp => "四舍五入",
            RoundingMode::HalfEven => "银行家舍入",
            RoundingMode::Down => "截尾",
            RoundingMode::Up => "进一",
        }
    }
}

/// One grade band: totals at or above `min` (and below the next band up) get `grade`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    /// 等级名称（优、良、中、差）。
    pub grade: String,
    /// 下限（含）。
    pub min: Located<Dec>,
}

/// A unit and how it converts to its base unit.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitConversion {
    /// 基本单位（如 元）。
    pub base: String,
    /// 1 个本单位 = factor 个基本单位（如 万元 的 factor 为 10000）。
    pub factor: Dec,
}

/// A qualitative tier: the phrases that mean it and the share of the weight it earns.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QualitativeTier {
    /// 档次名称（如 达成年度指标）。
    pub tier: String,
    /// 得分区间下限（占权重的比例，含）。
    pub min: Located<Dec>,
    /// 得分区间上限（占权重的比例，含）。
    pub max: Located<Dec>,
    /// 表示这一档的用语（实际完成值与之相同即归入本档）。
    pub phrases: Vec<String>,
    /// 依据。
    #[serde(default)]
    pub reference: Option<String>,
}

/// How an indicator's direction is decided when its target carries no comparator.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Classify {
    /// 这些二级指标在目标值没有比较符号时按“越低越好”（反向）计分，如 成本指标。
    #[serde(default)]
    pub reverse_level2: Vec<String>,
    /// 实际完成值与目标值文字相同时，定性指标视为达成最高一档。
    #[serde(default = "yes")]
    pub same_text_is_top_tier: bool,
    /// 评价要点式的共性指标（如银川模板“项目决策”“项目管理”下的“完整性”“相关性”）：年度指标值写的是评分要点，
    /// 实际完成值按模板留空，得分由单位对照要点自评。写了本节时，这些一级指标下实际完成值为空的非数值指标
    /// 不算“无法计算”，而在本节的得分区间内按填报得分计。
    #[serde(default)]
    pub criteria: Option<Criteria>,
}

/// Indicators judged against written criteria (评价要点) rather than measured: which level-1
/// blocks hold them, and the band of the weight their self-assigned score may take.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    /// 这些一级指标下的评价要点指标按本节计分（如 `["项目决策", "项目管理"]`）。
    pub level1: Vec<Located<String>>,
    /// 档次名称，用于解释与报告（如 “按评价要点自评”）。
    pub tier: String,
    /// 得分区间下限（占分值的比例，含）。
    pub min: Located<Dec>,
    /// 得分区间上限（占分值的比例，含）。
    pub max: Located<Dec>,
    /// 依据。
    #[serde(default)]
    pub reference: Option<String>,
}

/// Which script function scores which kind of indicator.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Formulas {
    /// 预算执行率：`fn 名称(预算数, 执行数, p)`，返回执行率。
    pub budget_rate: Located<String>,
    /// 预算执行得分：`fn 名称(执行率, 分值, p)`，返回得分。
    pub budget_score: Located<String>,
    /// 正向指标（≥、>）：`fn 名称(目标值, 实际值, 分值, p)`。
    pub forward: Located<String>,
    /// 反向指标（≤、<，如成本）：`fn 名称(目标值, 实际值, 分值, p)`。
    pub reverse: Located<String>,
    /// 等于指标（=）：`fn 名称(目标值, 实际值, 分值, p)`。
    pub equal: Located<String>,
    /// 定性指标：`fn 名称(档次下限, 档次上限, 分值, 填报得分, p)`，填报得分缺失时为 ()。
    pub qualitative: Located<String>,
    /// 时效指标：`fn 名称(逾期天数, 计划天数, 分值, 有说明, p)`；逾期天数 ≤ 0 表示按期。
    pub deadline: Located<String>,
}

impl Formulas {
    /// Every formula slot: the function named, the number of parameters it must take, and its
    /// key in `[formulas]`.
    #[must_use]
    pub fn slots(&self) -> [(&Located<String>, usize, &'static str); 7] {
        [
            (&self.budget_rate, 3, "budget_rate"),
            (&self.budget_score, 3, "budget_score"),
            (&self.forward, 4, "forward"),
            (&self.reverse, 4, "reverse"),
            (&self.equal, 4, "equal"),
            (&self.qualitative, 5, "qualitative"),
            (&self.deadline, 5, "deadline"),
        ]
    }
}

/// A named parameter of the rule set: one value, or values by year (`by_year`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{ "required": ["value"] }, { "required": ["by_year"] }]))]
pub struct Param {
    /// 参数值：小数写成字符串（如 "0.5"），整数可直接写（如 2）。与 by_year 二选一。
    #[serde(default)]
    pub value: Option<Located<Dec>>,
    /// 按年度取值：键为起始年度，值为从该年度起适用的值，按评价文档的预算年度选用，
    /// 如 `by_year = { "2020" = "0.1", "2023" = "0.2" }` 表示 2020—2022 年用 0.1、2023 年起用 0.2。
    /// 年度按先后顺序写；第一个年度不晚于规则集的起始年度；各值同为整数或同为小数。与 value 二选一。
    #[serde(default)]
    #[schemars(schema_with = "by_year_schema")]
    pub by_year: Option<Located<BTreeMap<String, Located<Dec>>>>,
    /// 参数的含义（中文）。
    pub description: String,
    /// 依据的条款或做法（文件、条款号或样表）。
    #[serde(default)]
    pub reference: Option<String>,
}

/// `by_year`: four-digit year keys, decimal values.
fn by_year_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let value = generator.subschema_for::<Dec>();
    schemars::json_schema!({
        "type": "object",
        "propertyNames": { "pattern": "^[0-9]{4}$" },
        "additionalProperties": value,
        "minProperties": 1
    })
}

impl Param {
    /// Where it is written: its value, or its values by year.
    #[must_use]
    pub fn span(&self) -> std::ops::Range<usize> {
        match (&self.value, &self.by_year) {
            (Some(v), _) => v.span.clone(),
            (None, Some(b)) => b.span.clone(),
            (None, None) => 0..0,
        }
    }

    /// Its values: `(None, value)` for a single value, else `(Some(from year), value)` for each
    /// year key that is a year, sorted by year.
    #[must_use]
    pub fn values(&self) -> Vec<(Option<i32>, &Located<Dec>)> {
        let mut out: Vec<(Option<i32>, &Located<Dec>)> = self.value.iter().map(|v| (None, v)).collect();
        if let Some(by_year) = &self.by_year {
            out.extend(
                by_year
                    .value
                    .iter()
                    .filter_map(|(y, v)| y.trim().parse::<i32>().ok().map(|y| (Some(y), v))),
            );
        }
        out.sort_by_key(|(y, _)| *y);
        out
    }

    /// Whether every value is a whole number (scripts then get an integer).
    #[must_use]
    pub fn is_integer(&self) -> bool {
        let values = self.values();
        !values.is_empty() && values.iter().all(|(_, v)| v.value.0.fract().is_zero())
    }
}

/// What counts as "no explanation" in a deviation note or a reason cell.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notes {
    /// 写了等于没写的说明（去掉首尾空白后与之完全相同即视为没有说明），如 "无"、"无偏差"、"/"。空白单元格总是视为没有说明。
    pub blank: Vec<String>,
    /// 依据。
    #[serde(default)]
    pub reference: Option<String>,
}

impl Default for Notes {
    fn default() -> Self {
        Self {
            blank: ["无", "无偏差", "/", "／", "—", "-", "——"]
                .into_iter()
                .map(str::to_owned)
                .collect(),
            reference: None,
        }
    }
}

/// How serious a check's findings are, or `off` to disable the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum Level {
    /// 不检查（关闭本条规则）。
    Off,
    /// 提示：值得知道，无须修改。
    Info,
    /// 警告：可能有误，需要复核。
    Warning,
    /// 错误：与规则或表内数字矛盾。
    Error,
}

/// The four values an editor may write, so TOML editors offer them and flag a typo.
impl JsonSchema for Level {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Level".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "严重程度：error（错误）、warning（警告）、info（提示），或 off（关闭这条检查）。",
            "type": "string",
            "enum": ["error", "warning", "info", "off"]
        })
    }
}

impl TryFrom<String> for Level {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        match value.as_str() {
            "off" => Ok(Level::Off),
            "info" => Ok(Level::Info),
            "warning" => Ok(Level::Warning),
            "error" => Ok(Level::Error),
            other => Err(format!(
                "严重程度“{other}”不存在：只能是 error（错误）、warning（警告）、info（提示）或 off（关闭）"
            )),
        }
    }
}

/// A check parameter as written: a decimal (string or integer), a yes/no, or a list of phrases.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// An exact decimal ("1.3", 5).
    Dec(Decimal),
    /// true / false.
    Bool(bool),
    /// A list of phrases (["无", "无偏差"]).
    List(Vec<String>),
}

impl ParamValue {
    /// Chinese name of the kind, for messages.
    pub fn kind_label(&self) -> &'static str {
        match self {
            ParamValue::Dec(_) => "小数",
            ParamValue::Bool(_) => "是否（true/false）",
            ParamValue::List(_) => "用语列表",
        }
    }
}

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ParamValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("写成字符串的小数（如 \"1.3\"）、整数、true/false，或用语列表（如 [\"无\", \"无偏差\"]）")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ParamValue, E> {
                if range::judge_text(v.trim()) == range::TextRange::Beyond {
                    return Err(out_of_range(v));
                }
                v.trim().parse::<Decimal>().map(ParamValue::Dec).map_err(|_| {
                    E::custom(format!(
                        "\"{v}\" 不是合法的小数；参数只能是小数、true/false 或用语列表（单个用语也请写成列表，如 [\"{v}\"]）"
                    ))
                })
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ParamValue, E> {
                in_range(Decimal::from(v), v).map(ParamValue::Dec)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ParamValue, E> {
                in_range(Decimal::from(v), v).map(ParamValue::Dec)
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ParamValue, E> {
                Ok(ParamValue::Bool(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ParamValue, E> {
                Err(E::custom(format!(
                    "小数必须写成字符串（加引号），如 \"{v}\"：不加引号的小数会被当作浮点数，失去精度"
                )))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ParamValue, A::Error> {
                let mut list = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    list.push(item);
                }
                Ok(ParamValue::List(list))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl JsonSchema for ParamValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CheckParam".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "检查参数：写成字符串的小数（如 \"1.3\"）、整数、true/false，或用语列表。",
            "anyOf": [
                { "type": "string", "pattern": "^-?[0-9]{1,15}(\\.[0-9]{1,28})?$" },
                { "type": "integer", "minimum": -999_999_999_999_999_i64, "maximum": 999_999_999_999_999_i64 },
                { "type": "boolean" },
                { "type": "array", "items": { "type": "string" } }
            ]
        })
    }
}

/// A check parameter as written: one value, or values by year
/// (`{ by_year = { "2020" = "0.9", "2023" = "0.85" } }`) chosen by the document's year.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckParam {
    /// One value for every year.
    One(ParamValue),
    /// Values by year: the year each applies from (as written) and the value.
    ByYear(BTreeMap<String, ParamValue>),
}

impl<'de> Deserialize<'de> for CheckParam {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::IntoDeserializer;
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = CheckParam;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "检查参数：小数、整数、true/false、用语列表，或按年度取值 { by_year = { \"2020\" = 值, … } }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CheckParam, E> {
                ParamValue::deserialize(v.into_deserializer()).map(CheckParam::One)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<CheckParam, E> {
                ParamValue::deserialize(v.into_deserializer()).map(CheckParam::One)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<CheckParam, E> {
                ParamValue::deserialize(v.into_deserializer()).map(CheckParam::One)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<CheckParam, E> {
                ParamValue::deserialize(v.into_deserializer()).map(CheckParam::One)
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<CheckParam, E> {
                ParamValue::deserialize(v.into_deserializer()).map(CheckParam::One)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<CheckParam, A::Error> {
                ParamValue::deserialize(SeqAccessDeserializer::new(seq)).map(CheckParam::One)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<CheckParam, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Dated {
                    by_year: BTreeMap<String, ParamValue>,
                }
                Dated::deserialize(MapAccessDeserializer::new(map)).map(|d| CheckParam::ByYear(d.by_year))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl JsonSchema for CheckParam {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CheckParamByYear".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let one = generator.subschema_for::<ParamValue>();
        schemars::json_schema!({
            "description": "检查参数：一个值，或按年度取值 { by_year = { \"2020\" = 值, \"2023\" = 值 } }（键为起始年度，按评价文档的预算年度选用）。",
            "anyOf": [
                one,
                {
                    "type": "object",
                    "properties": {
                        "by_year": {
                            "type": "object",
                            "propertyNames": { "pattern": "^[0-9]{4}$" },
                            "additionalProperties": one,
                            "minProperties": 1
                        }
                    },
                    "required": ["by_year"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// A check id as written as a key of `[checks]`, with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(transparent)]
pub struct CheckKey(pub toml::Spanned<String>);

impl JsonSchema for CheckKey {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CheckId".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

/// One reviewer check (`[checks.I8]`): its title, severity, message template, reference,
/// thresholds, and for checks whose logic is policy, the script function holding it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    /// 规则名称（中文）。
    pub title: String,
    /// 严重程度：`error`（错误）、`warning`（警告）、`info`（提示），或 `off`（关闭本条规则）。
    pub severity: Located<Level>,
    /// 提示文字模板（中文）。`{名称}` 处填入检查给出的数值，如 `{reported}`、`{computed}`；`{{` 与 `}}` 表示花括号本身。
    pub message: Located<String>,
    /// 依据的条款或做法。
    pub reference: String,
    /// 由脚本判断的检查：脚本函数名，形如 `fn 名称(f, p)`；f 是事实映射，p 是本检查的 params。
    /// 函数返回 () 表示没有发现，返回对象映射表示有发现，映射中的值可在模板中引用。内置检查不写。
    #[serde(default)]
    pub function: Option<Located<String>>,
    /// 本检查的参数（阈值、用语列表），如 `{ over_factor = "1.3" }`；脚本中以 `p.名称` 读取。
    /// 阈值随年度变化时写 `{ min_rate = { by_year = { "2020" = "0.9", "2023" = "0.85" } } }`，按评价文档的预算年度选用。
    #[serde(default)]
    pub params: Located<BTreeMap<String, Located<CheckParam>>>,
}
