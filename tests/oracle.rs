//! The independent oracle: the scoring arithmetic of the shipped rule sets (`cn-mof-2020`,
//! `shenzhen-2020`, `sichuan-2023`, `hubei-2022`, `anhui-2019`, `yinchuan-2021` with its criteria
//! indicators) written a second time, from the rule text
//! (`财预〔2020〕10号`, the provincial system's formulas, the seed bureau's practice, each set's
//! `policy.toml` comments and `[params]`), and a property test comparing it with
//! [`jixiao::engine::scoring::score_document`] on generated documents.
//!
//! What it owns: funds rate and score (with Shenzhen's rate rounded first and the cap at 100%),
//! forward, reverse (linear to zero at 2T, or the ratio T/A), equal, the qualitative clamp into
//! a tier's band, deadlines (planned ÷ actual duration, or a share of the weight when late),
//! the level-1 rescale to the profile, the roll-up into the total, the grade, and every
//! rounding mode a policy can name. The oracle shares no code with the engine: it computes on
//! exact fractions ([`Q`], `i128` numerator and denominator) and rounds them itself; the only
//! engine calls are those that build a document, load a rule set and score.
//!
//! Documents are generated as data (kind, target, actual, unit, weight, dates, phrase, reported
//! score), written into cell texts as forms write them ("≥12", "≤100万元", "=0", "95%",
//! "2021年7月前完成", "2021年12月3日", a tier phrase), validated like any input and scored.
//! The generator aims at what separates rounding modes and boundary readings: exact ties at the
//! rounding digit, A = T, A = 2T, one cent either side, T = 0, negative actuals, funds rates of
//! exactly 90% / 100% / above, Shenzhen rate ties (0.865), two-decimal weights split 7.14/7.15,
//! level-1 weights that differ from the profile, grades at their band edges.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};
use std::sync::Arc;

use jixiao::engine::scoring::{Scorecard, score_document};
use jixiao::ingest::validate::DocumentValidator;
use jixiao::model::document::EvaluationDocument;
use jixiao::policy::{RuleSet, embedded};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rust_decimal::Decimal;
use serde_json::{Value, json};

// =============================================================================================
// Exact fractions
// =============================================================================================

/// An exact rational number, always reduced, denominator positive.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Q {
    n: i128,
    d: i128,
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Q {
    const ZERO: Q = Q { n: 0, d: 1 };
    const ONE: Q = Q { n: 1, d: 1 };

    fn new(n: i128, d: i128) -> Q {
        assert!(d != 0, "the oracle divided by zero");
        let g = gcd(n, d).max(1);
        let sign = if d < 0 { -1 } else { 1 };
        Q {
            n: sign * n / g,
            d: sign * d / g,
        }
    }

    fn int(i: i128) -> Q {
        Q { n: i, d: 1 }
    }

    fn dec(x: Decimal) -> Q {
        Q::new(x.mantissa(), 10i128.pow(x.scale()))
    }

    /// Whether the decimal expansion ends (the denominator has no prime factor but 2 and 5).
    fn terminates(self) -> bool {
        let mut d = self.d;
        while d % 2 == 0 {
            d /= 2;
        }
        while d % 5 == 0 {
            d /= 5;
        }
        d == 1
    }

    fn floor(self) -> i128 {
        self.n.div_euclid(self.d)
    }

    fn abs(self) -> Q {
        Q {
            n: self.n.abs(),
            d: self.d,
        }
    }

    /// The decimal with exactly `places` decimals; None unless the value has that many or fewer.
    fn to_decimal(self, places: u32) -> Option<Decimal> {
        let scale = 10i128.pow(places);
        let scaled = self.n.checked_mul(scale)?;
        (scaled % self.d == 0).then(|| Decimal::from_i128_with_scale(scaled / self.d, places))
    }

    /// The decimal with the fewest decimals (up to 20) that is this value.
    fn to_decimal_min(self) -> Decimal {
        (0..=20)
            .find_map(|p| self.to_decimal(p))
            .unwrap_or_else(|| panic!("{self:?} has no short decimal expansion"))
    }
}

impl Add for Q {
    type Output = Q;
    fn add(self, o: Q) -> Q {
        Q::new(
            self.n
                .checked_mul(o.d)
                .and_then(|a| o.n.checked_mul(self.d).and_then(|b| a.checked_add(b)))
                .expect("oracle overflow"),
            self.d.checked_mul(o.d).expect("oracle overflow"),
        )
    }
}

impl Neg for Q {
    type Output = Q;
    fn neg(self) -> Q {
        Q { n: -self.n, d: self.d }
    }
}

impl Sub for Q {
    type Output = Q;
    fn sub(self, o: Q) -> Q {
        self + (-o)
    }
}

impl Mul for Q {
    type Output = Q;
    fn mul(self, o: Q) -> Q {
        let (g1, g2) = (gcd(self.n, o.d).max(1), gcd(o.n, self.d).max(1));
        Q::new(
            (self.n / g1).checked_mul(o.n / g2).expect("oracle overflow"),
            (self.d / g2).checked_mul(o.d / g1).expect("oracle overflow"),
        )
    }
}

impl Div for Q {
    type Output = Q;
    fn div(self, o: Q) -> Q {
        assert!(o.n != 0, "the oracle divided by zero");
        self * Q::new(o.d, o.n)
    }
}

impl Ord for Q {
    fn cmp(&self, o: &Q) -> Ordering {
        (self.n * o.d).cmp(&(o.n * self.d))
    }
}

impl PartialOrd for Q {
    fn partial_cmp(&self, o: &Q) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl fmt::Debug for Q {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (0..=16).find_map(|p| self.to_decimal(p)) {
            Some(d) => write!(f, "{d}"),
            None => write!(f, "{}/{}", self.n, self.d),
        }
    }
}

fn q(s: &str) -> Q {
    Q::dec(s.parse().unwrap())
}

// =============================================================================================
// Rounding, written from the policy schema's words
// =============================================================================================

/// `[rounding] mode`: 四舍五入, 银行家舍入, 截尾（向零）, 进一（远离零）.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    HalfUp,
    HalfEven,
    Down,
    Up,
}

impl Mode {
    const ALL: [Mode; 4] = [Mode::HalfUp, Mode::HalfEven, Mode::Down, Mode::Up];

    fn toml(self) -> &'static str {
        match self {
            Mode::HalfUp => "half_up",
            Mode::HalfEven => "half_even",
            Mode::Down => "down",
            Mode::Up => "up",
        }
    }
}

/// `x` rounded to `places` decimals: the magnitude is cut, then raised by one unit of the last
/// place when the mode says so, and the sign put back (so "half up" and "up" go away from zero).
fn round(x: Q, places: u32, mode: Mode) -> Q {
    let unit = 10i128.pow(places);
    let magnitude = x.abs() * Q::int(unit);
    let whole = magnitude.floor();
    let rest = magnitude - Q::int(whole);
    let half = Q::new(1, 2);
    let raise = match mode {
        Mode::HalfUp => rest >= half,
        Mode::HalfEven => rest > half || (rest == half && whole % 2 == 1),
        Mode::Down => false,
        Mode::Up => rest > Q::ZERO,
    };
    let rounded = whole + i128::from(raise);
    Q::new(if x < Q::ZERO { -rounded } else { rounded }, unit)
}

/// Whether `x` sits exactly halfway between two values of `places` decimals.
fn is_tie(x: Q, places: u32) -> bool {
    let scaled = x.abs() * Q::int(10i128.pow(places));
    scaled - Q::int(scaled.floor()) == Q::new(1, 2)
}

// =============================================================================================
// What the oracle knows of each rule set (from its policy text, not from the engine)
// =============================================================================================

/// `[formulas] reverse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reverse {
    /// 省级系统 selfreverseindex: A ≤ T → w; T < A < 2T → (1 − (A − T) ÷ T) × w; A ≥ 2T → 0
    /// (`reverse_zero_multiple = 2`).
    Linear,
    /// 样表 6 / the T/A template: A ≤ T → w; above → T ÷ A × w.
    Ratio,
}

/// `[formulas] deadline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Deadline {
    /// On time → w; late → 计划工期 ÷ 实际工期 × w, the duration counted from 1 January of the
    /// budget year.
    Proportional,
    /// 样表 4: on time → w; late and explained → w × 0.5 (`late_share_explained`); late without a
    /// reason → w × 0 (`late_share_unexplained`).
    Shares,
}

/// One shipped rule set as its `policy.toml` and `formulas.rhai` state it.
#[derive(Debug)]
struct Policy {
    id: &'static str,
    region: Option<&'static str>,
    /// `[profile] budget`: the points of 预算执行.
    budget_weight: i128,
    /// `[profile] budget_weight_from_form`: the form's 分值 of 预算执行 replaces `budget`.
    budget_weight_from_form: bool,
    /// Shenzhen: 执行率 rounded half-up to `rate_places` = 2 before it is multiplied (样表 1:
    /// 870996 ÷ 890000 → 0.98 → 9.80). Elsewhere the rate is not rounded.
    rate_places: Option<u32>,
    /// `[profile] level1`.
    level1: &'static [(&'static str, i128)],
    /// `[profile] rescale`: scores of a level-1 block whose form weights differ from the profile
    /// are scaled by profile ÷ form.
    rescale: bool,
    reverse: Reverse,
    deadline: Deadline,
    /// `[classify.criteria] level1`: under these blocks a qualitative indicator whose actual
    /// is blank is scored as reported within [0, w] (银川 评价要点), not left unreadable.
    criteria: &'static [&'static str],
}

const CN_MOF: Policy = Policy {
    id: "cn-mof-2020",
    region: None,
    budget_weight: 10,
    budget_weight_from_form: false,
    rate_places: None,
    level1: &[("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)],
    rescale: true,
    reverse: Reverse::Linear,
    deadline: Deadline::Proportional,
    criteria: &[],
};

const SHENZHEN: Policy = Policy {
    id: "shenzhen-2020",
    region: Some("shenzhen"),
    budget_weight: 10,
    budget_weight_from_form: true,
    rate_places: Some(2),
    level1: &[("产出指标", 50), ("效益指标", 20), ("满意度指标", 20)],
    rescale: false,
    reverse: Reverse::Ratio,
    deadline: Deadline::Shares,
    criteria: &[],
};

const SICHUAN: Policy = Policy {
    id: "sichuan-2023",
    region: Some("sichuan"),
    budget_weight: 10,
    budget_weight_from_form: true,
    rate_places: None,
    level1: &[],
    rescale: false,
    reverse: Reverse::Linear,
    deadline: Deadline::Proportional,
    criteria: &[],
};

const HUBEI: Policy = Policy {
    id: "hubei-2022",
    region: Some("hubei"),
    budget_weight: 20,
    budget_weight_from_form: true,
    rate_places: None,
    level1: &[("产出指标", 40), ("效益指标", 30), ("满意度指标", 10)],
    rescale: false,
    reverse: Reverse::Linear,
    deadline: Deadline::Proportional,
    criteria: &[],
};

const ANHUI: Policy = Policy {
    id: "anhui-2019",
    region: Some("anhui"),
    budget_weight: 10,
    budget_weight_from_form: false,
    rate_places: None,
    level1: &[("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)],
    rescale: true,
    reverse: Reverse::Ratio,
    deadline: Deadline::Proportional,
    criteria: &[],
};

const YINCHUAN: Policy = Policy {
    id: "yinchuan-2021",
    region: Some("yinchuan"),
    budget_weight: 0,
    budget_weight_from_form: true,
    rate_places: None,
    level1: &[("项目决策", 10), ("项目管理", 25), ("项目产出", 30), ("项目效益", 35)],
    rescale: false,
    reverse: Reverse::Linear,
    deadline: Deadline::Proportional,
    criteria: &["项目决策", "项目管理"],
};

/// The sets state the following identically.
///
/// `[params] budget_rate_cap = 1` (cn-mof, sichuan) and `min(rate, 1)` (shenzhen): a rate above
/// 100% earns no more than the weight.
const RATE_CAP: i128 = 1;

/// `[[qualitative]]`: tier, band as shares of the weight (both ends included), phrases.
const TIERS: [(&str, &str, &str, &[&str]); 3] = [
    (
        "达成年度指标",
        "0.8",
        "1",
        &[
            "达成年度指标",
            "达成预期指标",
            "达成预期目标",
            "有效提升",
            "有效提高",
            "有效维护",
            "显著提升",
            "明显提升",
            "已完成",
            "完成",
            "良好",
            "好",
        ],
    ),
    (
        "部分达成年度指标并具有一定效果",
        "0.6",
        "0.8",
        &[
            "部分达成年度指标并具有一定效果",
            "部分达成",
            "基本达成",
            "基本完成",
            "有所提升",
            "有所提高",
            "一般",
            "较好",
        ],
    ),
    (
        "未达成年度指标且效果较差",
        "0",
        "0.6",
        &["未达成年度指标且效果较差", "未达成", "未完成", "较差", "差"],
    ),
];

/// `[classify] reverse_level2`: a target without a comparator under these is lower-is-better.
const REVERSE_LEVEL2: [&str; 4] = ["成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标"];

/// `[notes] blank`: notes that explain nothing.
const BLANK_NOTES: [&str; 8] = ["无", "无偏差", "/", "／", "—", "-", "——", "无。"];

/// `[[grades]]`: a total at or above `min` (and below the next band up) gets the grade.
const GRADES: [(&str, i128); 4] = [("优", 90), ("良", 80), ("中", 60), ("差", 0)];

/// `[units]` the generator writes: unit → (base, factor).
fn unit_factor(unit: &str) -> Option<(&'static str, i128)> {
    match unit {
        "元" => Some(("元", 1)),
        "万元" => Some(("元", 10_000)),
        "亿元" => Some(("元", 100_000_000)),
        "天" | "日" => Some(("天", 1)),
        _ => None,
    }
}

/// `[rounding]`: the shipped sets all say half_up, 2 places for scores and for the total;
/// the tests also load each set with this section rewritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rounding {
    mode: Mode,
    score_places: u32,
    total_places: u32,
}

const SHIPPED: Rounding = Rounding {
    mode: Mode::HalfUp,
    score_places: 2,
    total_places: 2,
};

/// The rounding sections the property tests load every set with.
fn roundings() -> Vec<Rounding> {
    let mut all: Vec<Rounding> = Mode::ALL.iter().map(|&mode| Rounding { mode, ..SHIPPED }).collect();
    all.push(Rounding {
        mode: Mode::HalfUp,
        score_places: 1,
        total_places: 1,
    });
    all.push(Rounding {
        mode: Mode::HalfEven,
        score_places: 2,
        total_places: 1,
    });
    all.push(Rounding {
        mode: Mode::Down,
        score_places: 3,
        total_places: 2,
    });
    all
}

/// A shipped rule set as embedded, with its `[rounding]` section rewritten to `r` (the shipped
/// set itself, untouched, when `r` is what it ships).
fn load(policy: &Policy, r: Rounding) -> RuleSet {
    let mut files = embedded::files(policy.id).unwrap();
    if r != SHIPPED {
        let (_, text) = files.files.iter_mut().find(|(n, _)| n == "policy.toml").unwrap();
        // A set that extends another and inherits its rounding gets the shipped keys back to rewrite.
        if !text.contains("mode = \"half_up\"") {
            let keys = "mode = \"half_up\"\nscore_places = 2\ntotal_places = 2\n";
            *text = match text.find("[rounding]\n") {
                Some(at) => format!(
                    "{}[rounding]\n{keys}{}",
                    &text[..at],
                    &text[at + "[rounding]\n".len()..]
                ),
                None => format!("{text}\n[rounding]\n{keys}"),
            };
        }
        for (from, to) in [
            ("mode = \"half_up\"", format!("mode = \"{}\"", r.mode.toml())),
            ("score_places = 2", format!("score_places = {}", r.score_places)),
            ("total_places = 2", format!("total_places = {}", r.total_places)),
        ] {
            assert_eq!(
                text.matches(from).count(),
                1,
                "{}: the oracle expects `{from}` once in [rounding]",
                policy.id
            );
            *text = text.replace(from, &to);
        }
    }
    RuleSet::load(files).unwrap()
}

// =============================================================================================
// Documents as data
// =============================================================================================

/// A target's comparator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

/// Where a quantity's unit is written.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Unit {
    /// Bare numbers.
    None,
    /// "95%" on both sides (a percentage stays in percent).
    Percent,
    /// In the indicator name's parentheses ("项目成本（万元）"), or in a 度量单位 column in
    /// the Sichuan layout.
    Named(&'static str),
    /// After each number ("≤100万元", "950000元"); the two may differ.
    Inline { target: &'static str, actual: &'static str },
}

/// A deadline as a target states it.
#[derive(Clone, Copy, Debug)]
enum Due {
    /// "2021年7月前完成" / "2021年7月前": before the month begins.
    MonthBefore { year: i32, month: u32, verb: bool },
    /// "2021年12月底前": by the month's last day.
    MonthEnd { year: i32, month: u32 },
    /// "2021年12月15日前": by the end of that day.
    Day { year: i32, month: u32, day: u32 },
}

#[derive(Clone, Debug)]
enum Body {
    Quantity {
        cmp: Option<Cmp>,
        /// Which spelling of the comparator the text uses.
        spelling: usize,
        target: Decimal,
        actual: Decimal,
        unit: Unit,
    },
    Qualitative {
        target: &'static str,
        actual: &'static str,
    },
    Deadline {
        due: Due,
        done: (i32, u32, u32),
    },
    /// A placeholder row ("经济效益指标 无").
    Placeholder,
}

#[derive(Clone, Debug)]
struct Ind {
    level1: &'static str,
    level2: Option<&'static str>,
    name: String,
    weight: Option<Decimal>,
    reported: Option<Decimal>,
    note: Option<&'static str>,
    body: Body,
}

#[derive(Clone, Debug)]
struct Funds {
    budget: Option<Decimal>,
    executed: Option<Decimal>,
    weight: Option<Decimal>,
    reported: Option<Decimal>,
}

#[derive(Clone, Debug)]
struct Form {
    year: i32,
    /// Comparators in a 指标性质 column and units in a 度量单位 column (四川样式).
    sichuan_layout: bool,
    funds: Funds,
    indicators: Vec<Ind>,
}

// ---- calendar, for the oracle and for writing dates ------------------------------------------

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn month_days(year: i32, month: u32) -> u32 {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if month == 2 && is_leap(year) {
        29
    } else {
        DAYS[month as usize - 1]
    }
}

/// Day number counted from 1 January of year 1 (that day is 1).
fn ordinal(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - 1;
    let before_year = 365 * y + y / 4 - y / 100 + y / 400;
    let before_month: u32 = (1..month).map(|m| month_days(year, m)).sum();
    before_year + i64::from(before_month) + i64::from(day)
}

fn civil(n: i64) -> (i32, u32, u32) {
    let mut year = 1900;
    while ordinal(year + 1, 1, 1) <= n {
        year += 1;
    }
    let mut month = 1;
    while month < 12 && ordinal(year, month + 1, 1) <= n {
        month += 1;
    }
    let day = u32::try_from(n - ordinal(year, month, 1) + 1).unwrap();
    (year, month, day)
}

impl Due {
    /// The last admissible day. "X月前" (no day) is before the month begins; "X月底前" is its
    /// last day; "X日前" includes the named day (the engine's documented reading, `grammar.rs`).
    fn last_day(self) -> i64 {
        match self {
            Due::MonthBefore { year, month, .. } => ordinal(year, month, 1) - 1,
            Due::MonthEnd { year, month } => ordinal(year, month, month_days(year, month)),
            Due::Day { year, month, day } => ordinal(year, month, day),
        }
    }

    fn text(self) -> String {
        match self {
            Due::MonthBefore { year, month, verb } => {
                format!("{year}年{month}月前{}", if verb { "完成" } else { "" })
            }
            Due::MonthEnd { year, month } => format!("{year}年{month}月底前"),
            Due::Day { year, month, day } => format!("{year}年{month}月{day}日前"),
        }
    }
}

// ---- writing a form's cells --------------------------------------------------------------------

impl Cmp {
    fn symbol(self) -> &'static str {
        match self {
            Cmp::Ge => "≥",
            Cmp::Gt => ">",
            Cmp::Le => "≤",
            Cmp::Lt => "<",
            Cmp::Eq => "=",
        }
    }

    /// The ways forms write "{x} with this comparator".
    fn spell(self, x: &str, spelling: usize) -> String {
        let forms: &[&str] = match self {
            Cmp::Ge => &["≥{}", ">={}", "不低于{}", "{}以上", "≥{}"],
            Cmp::Gt => &[">{}", "超过{}", "高于{}"],
            Cmp::Le => &["≤{}", "<={}", "不超过{}", "{}以内", "≤{}"],
            Cmp::Lt => &["<{}", "低于{}", "小于{}"],
            Cmp::Eq => &["={}", "＝{}", "等于{}"],
        };
        forms[spelling % forms.len()].replace("{}", x)
    }
}

fn render_indicator(form: &Form, ind: &Ind) -> Value {
    let mut name = ind.name.clone();
    let (mut unit_column, mut comparator_column) = (None, None);
    let (target, actual) = match &ind.body {
        Body::Quantity {
            cmp,
            spelling,
            target,
            actual,
            unit,
        } => {
            let (t, a) = match unit {
                Unit::None => (target.to_string(), actual.to_string()),
                Unit::Percent if form.sichuan_layout => {
                    unit_column = Some("%");
                    (target.to_string(), actual.to_string())
                }
                Unit::Percent => (format!("{target}%"), format!("{actual}%")),
                Unit::Named(u) if form.sichuan_layout => {
                    unit_column = Some(*u);
                    (target.to_string(), actual.to_string())
                }
                Unit::Named(u) => {
                    name = format!("{name}（{u}）");
                    (target.to_string(), actual.to_string())
                }
                Unit::Inline { target: tu, actual: au } => (format!("{target}{tu}"), format!("{actual}{au}")),
            };
            let t = match cmp {
                Some(c) if form.sichuan_layout => {
                    comparator_column = Some(c.symbol());
                    t
                }
                Some(c) => c.spell(&t, *spelling),
                None => t,
            };
            (t, a)
        }
        Body::Qualitative { target, actual } => {
            if form.sichuan_layout {
                comparator_column = Some("定性");
            }
            ((*target).to_owned(), (*actual).to_owned())
        }
        Body::Deadline { due, done } => (due.text(), format!("{}年{}月{}日", done.0, done.1, done.2)),
        Body::Placeholder => ("无".to_owned(), "无".to_owned()),
    };
    let mut v = json!({
        "level1": ind.level1,
        "name": name,
        "target": target,
        "actual": actual,
    });
    let o = v.as_object_mut().unwrap();
    if let Some(l2) = ind.level2 {
        o.insert("level2".into(), json!(l2));
    }
    if let Some(u) = unit_column {
        o.insert("unit".into(), json!(u));
    }
    if let Some(c) = comparator_column {
        o.insert("comparator".into(), json!(c));
    }
    if let Some(w) = ind.weight {
        o.insert("weight".into(), json!(w.to_string()));
    }
    if let Some(r) = ind.reported {
        o.insert("score_reported".into(), json!(r.to_string()));
    }
    if let Some(n) = ind.note {
        o.insert("note".into(), json!(n));
    }
    if matches!(ind.body, Body::Placeholder) {
        o.insert("placeholder".into(), json!(true));
    }
    v
}

fn render(form: &Form, policy: &Policy) -> Value {
    let f = &form.funds;
    let mut total = json!({ "label": "年度资金总额" });
    let o = total.as_object_mut().unwrap();
    for (key, value) in [
        ("budget_initial", f.budget),
        ("budget_adjusted", f.budget),
        ("executed", f.executed),
        ("weight", f.weight),
        ("score_reported", f.reported),
    ] {
        if let Some(v) = value {
            o.insert(key.into(), json!(v.to_string()));
        }
    }
    json!({
        "id": "oracle",
        "year": form.year,
        "region": policy.region,
        "project": { "name": "生成的自评表" },
        "funds": { "unit": "元", "total": total },
        "goals": { "expected": "完成年度目标。", "achieved": "已完成年度目标。" },
        "indicators": form.indicators.iter().map(|i| render_indicator(form, i)).collect::<Vec<_>>(),
    })
}

fn document(form: &Form, policy: &Policy) -> EvaluationDocument {
    let value = render(form, policy);
    DocumentValidator::shared()
        .unwrap()
        .check(&value)
        .unwrap_or_else(|e| panic!("generated document is invalid: {e:?}\n{value:#}"))
}

// =============================================================================================
// The oracle
// =============================================================================================

/// The values an engine may show for one rounded number.
///
/// The first is the rule's value computed exactly. Where the rule divides and the quotient has
/// no finite decimal expansion (1 ÷ 3), a decimal engine works on the quotient cut to its
/// precision (rust_decimal: 28 digits); the rounded result can then differ from the exact one
/// only when the exact value sits exactly on a boundary of the rounding mode (a tie for the half
/// modes, a value with no more places than kept for `down` / `up`), and then only by one unit
/// of the last place. Those values follow the first; the sweeps accept them and count them.
/// Only the funds score still takes this path: its rate is a formula of its own (`budget_rate`)
/// whose quotient `budget_score` receives. Indicator scores and the level-1 rescale multiply
/// before they divide and must match exactly
/// ([`exact_ties_on_repeating_quotients_round_as_the_rule_says`]).
#[derive(Clone, Debug)]
struct Accept(Vec<Q>);

impl Accept {
    fn exact(&self) -> Q {
        self.0[0]
    }

    fn contains(&self, x: Q) -> bool {
        self.0.contains(&x)
    }
}

/// Rounds candidates of an unrounded value; `inexact`: the value came through a quotient with no
/// finite expansion.
fn rounded(values: &[Q], inexact: bool, places: u32, mode: Mode) -> Accept {
    let nudge = Q::new(1, 10i128.pow(24));
    let mut out: Vec<Q> = Vec::new();
    for &v in values {
        let mut near = vec![round(v, places, mode)];
        if inexact {
            near.push(round(v - nudge, places, mode));
            near.push(round(v + nudge, places, mode));
        }
        for x in near {
            if !out.contains(&x) {
                out.push(x);
            }
        }
    }
    Accept(out)
}

#[derive(Debug)]
struct WantIndicator {
    kind: &'static str,
    /// The computed score (None when it cannot be computed).
    score: Option<Accept>,
    /// What enters the total when it is not the score: the reported score (0 when blank).
    carried: Option<Q>,
    /// The exact unrounded value (before any rescale), for the statistics.
    raw: Option<Q>,
    rescaled: bool,
}

#[derive(Debug)]
struct Want {
    budget_weight: Q,
    rate: Option<(Q, bool)>,
    budget_score: Option<Accept>,
    budget_reported: Option<Q>,
    budget_raw: Option<Q>,
    indicators: Vec<WantIndicator>,
}

fn is_explained(note: Option<&str>) -> bool {
    note.map(str::trim)
        .is_some_and(|n| !n.is_empty() && !BLANK_NOTES.contains(&n))
}

fn base_value(value: Decimal, unit: Option<&str>) -> Q {
    let factor = unit.and_then(unit_factor).map_or(1, |(_, f)| f);
    Q::dec(value) * Q::int(factor)
}

/// The unrounded score of one indicator and whether a non-terminating quotient went into it;
/// None when the rule cannot score it (the reported score is then carried).
fn raw_score(policy: &Policy, form: &Form, ind: &Ind, w: Q) -> Option<(&'static str, Q)> {
    match &ind.body {
        Body::Quantity {
            cmp,
            target,
            actual,
            unit,
            ..
        } => {
            let (tu, au) = match unit {
                Unit::None | Unit::Percent => (None, None),
                Unit::Named(u) => (Some(*u), Some(*u)),
                Unit::Inline { target, actual } => (Some(*target), Some(*actual)),
            };
            let base = |u: Option<&'static str>| u.map(|u| unit_factor(u).map_or(u, |(b, _)| b));
            if let (Some(t), Some(a)) = (base(tu), base(au)) {
                if t != a {
                    // Incomparable units (S7): no score.
                    return None;
                }
            }
            let t = base_value(*target, tu);
            let a_written = base_value(*actual, au);
            // "A (negative → 0)".
            let a = a_written.max(Q::ZERO);
            let kind = match cmp {
                Some(Cmp::Ge | Cmp::Gt) => "forward",
                Some(Cmp::Le | Cmp::Lt) => "reverse",
                Some(Cmp::Eq) => "equal",
                None if ind.level2.is_some_and(|l2| REVERSE_LEVEL2.contains(&l2)) => "reverse",
                None => "forward",
            };
            // 正向: A ≥ T → w; else A/T·w (no bonus above w).
            let forward = || if a >= t { w } else { a / t * w };
            let v = match kind {
                "forward" => forward(),
                // 等于: T = 0 → (A ≤ 0 ? w : 0); else as 正向.
                "equal" if t == Q::ZERO => {
                    if a_written <= Q::ZERO {
                        w
                    } else {
                        Q::ZERO
                    }
                }
                "equal" => forward(),
                _ if a <= t => w,
                _ => match policy.reverse {
                    Reverse::Linear if a >= Q::int(2) * t => Q::ZERO,
                    Reverse::Linear => (Q::ONE - (a - t) / t) * w,
                    // A score lies in [0, w] (I1), so a target at or below 0 that the actual
                    // exceeds earns 0 rather than T/A·w ≤ 0.
                    Reverse::Ratio if t <= Q::ZERO => Q::ZERO,
                    Reverse::Ratio => t / a * w,
                },
            };
            Some((kind, v))
        }
        Body::Qualitative { target, actual } => {
            if actual.is_empty() && policy.criteria.contains(&ind.level1) {
                let v = ind.reported.map_or(w, |r| Q::dec(r).max(Q::ZERO).min(w));
                return Some(("qualitative", v));
            }
            let top = &TIERS[0];
            let tier = TIERS
                .iter()
                .find(|(_, _, _, phrases)| phrases.contains(actual))
                .or_else(|| (actual == target).then_some(top))?;
            let (lo, hi) = (q(tier.1) * w, q(tier.2) * w);
            let v = match ind.reported {
                None => hi,
                Some(r) => Q::dec(r).max(lo).min(hi),
            };
            Some(("qualitative", v))
        }
        Body::Deadline { due, done } => {
            let deadline = due.last_day();
            let late = ordinal(done.0, done.1, done.2) - deadline;
            if late <= 0 {
                return Some(("deadline", w));
            }
            match policy.deadline {
                Deadline::Proportional => {
                    // Planned duration: 1 January of the budget year to the deadline, both
                    // included, at least one day.
                    let planned = (deadline - ordinal(form.year, 1, 1) + 1).max(1);
                    Some(("deadline", Q::new(i128::from(planned), i128::from(planned + late)) * w))
                }
                Deadline::Shares => {
                    let share = if is_explained(ind.note) { q("0.5") } else { Q::ZERO };
                    Some(("deadline", share * w))
                }
            }
        }
        Body::Placeholder => unreachable!("placeholders are not scored"),
    }
}

/// The profile weight of a level-1 name: the name itself, or the profile key it ends with
/// ("服务对象满意度指标" → "满意度指标"), the engine's documented matching.
fn profile_weight(policy: &Policy, level1: &str) -> Option<i128> {
    policy
        .level1
        .iter()
        .find(|(k, _)| *k == level1)
        .or_else(|| policy.level1.iter().find(|(k, _)| level1.ends_with(k)))
        .map(|(_, w)| *w)
}

fn oracle(policy: &Policy, r: Rounding, form: &Form) -> Want {
    let f = &form.funds;
    let budget_weight = match (policy.budget_weight_from_form, f.weight) {
        (true, Some(w)) => Q::dec(w),
        _ => Q::int(policy.budget_weight),
    };
    let (mut rate, mut budget_score, mut budget_raw) = (None, None, None);
    if let (Some(b), Some(e)) = (f.budget, f.executed) {
        if !b.is_zero() {
            // 执行率 = 全年执行数 ÷ 全年预算数 (the adjusted budget).
            let quotient = Q::dec(e) / Q::dec(b);
            let (value, inexact) = match policy.rate_places {
                Some(p) => (round(quotient, p, Mode::HalfUp), false),
                None => (quotient, !quotient.terminates()),
            };
            // 得分 = min(执行率, 1) × 分值.
            let raw = value.min(Q::int(RATE_CAP)) * budget_weight;
            rate = Some((value, inexact));
            budget_raw = Some(raw);
            budget_score = Some(rounded(&[raw], inexact, r.score_places, r.mode));
        }
    }

    // Level-1 rescale factors: profile ÷ the sum of the form's weights in the block.
    let mut factors: Vec<(&str, Q)> = Vec::new();
    if policy.rescale {
        let mut sums: Vec<(&str, Q)> = Vec::new();
        for ind in &form.indicators {
            let w = ind.weight.map_or(Q::ZERO, Q::dec);
            match sums.iter_mut().find(|(l1, _)| *l1 == ind.level1) {
                Some(entry) => entry.1 = entry.1 + w,
                None => sums.push((ind.level1, w)),
            }
        }
        for (l1, sum) in sums {
            if let Some(profile) = profile_weight(policy, l1) {
                if sum != Q::ZERO && sum != Q::int(profile) {
                    factors.push((l1, Q::int(profile) / sum));
                }
            }
        }
    }

    let indicators = form
        .indicators
        .iter()
        .map(|ind| {
            let reported = ind.reported.map_or(Q::ZERO, Q::dec);
            let carried = |kind, score| WantIndicator {
                kind,
                score,
                carried: Some(reported),
                raw: None,
                rescaled: false,
            };
            let Some(w) = ind.weight else {
                return carried("unscored", None);
            };
            if matches!(ind.body, Body::Placeholder) {
                return carried("unscored", Some(Accept(vec![Q::ZERO])));
            }
            let Some((kind, raw)) = raw_score(policy, form, ind, Q::dec(w)) else {
                return carried("unreadable", None);
            };
            // The engine multiplies before it divides (A × w ÷ T, score × profile ÷ form), so
            // an indicator's score is exact even where a quotient alone would not be: one value.
            let mut score = rounded(&[raw], false, r.score_places, r.mode);
            let factor = factors.iter().find(|(l1, _)| *l1 == ind.level1).map(|(_, f)| *f);
            if let Some(factor) = factor {
                let scaled: Vec<Q> = score.0.iter().map(|&s| s * factor).collect();
                score = rounded(&scaled, false, r.score_places, r.mode);
            }
            WantIndicator {
                kind,
                score: Some(score),
                carried: None,
                raw: Some(raw),
                rescaled: factor.is_some(),
            }
        })
        .collect();

    Want {
        budget_weight,
        rate,
        budget_score,
        budget_reported: f.reported.map(Q::dec),
        budget_raw,
        indicators,
    }
}

fn grade_of(total: Q) -> &'static str {
    GRADES
        .iter()
        .find(|(_, min)| total >= Q::int(*min))
        .map_or("—", |(g, _)| g)
}

// =============================================================================================
// Comparing
// =============================================================================================

/// What a run met, so a test can show (and assert) that the generator reached the edges.
#[derive(Debug, Default)]
struct Stats {
    documents: usize,
    indicators: usize,
    kinds: std::collections::BTreeMap<&'static str, usize>,
    /// Exact values halfway between two values of the kept places (where the half modes part
    /// from each other and from down / up), on terminating quotients: one value accepted.
    ties: usize,
    /// Execution quotients exactly halfway at the second decimal (0.865), where Shenzhen's
    /// rounding of the rate first decides the score.
    rate_ties: usize,
    /// Funds rates of exactly 0.9, 1, and above 1.
    rate_edges: [usize; 3],
    rescaled: usize,
    carried: usize,
    /// Totals exactly on a grade's lower bound.
    grade_edges: usize,
    /// Values where the engine's value is not the exact one but one unit off, on a non-terminating
    /// quotient whose exact value is a boundary of the mode ([`Accept`]).
    precision_limited: Vec<String>,
}

fn check_scale(what: &str, x: Decimal, places: u32) -> Result<(), String> {
    if x.scale() == places {
        Ok(())
    } else {
        Err(format!("{what} {x} is shown with {} decimals, not {places}", x.scale()))
    }
}

fn compare(card: &Scorecard, want: &Want, r: Rounding, stats: &mut Stats) -> Result<(), String> {
    stats.documents += 1;
    let b = &card.budget;
    if Q::dec(b.weight) != want.budget_weight {
        return Err(format!("funds weight {} ≠ {:?}", b.weight, want.budget_weight));
    }
    match (b.rate, want.rate) {
        (None, None) => {}
        (Some(got), Some((exact, inexact))) => {
            let ok = if inexact {
                (Q::dec(got) - exact).abs() < Q::new(1, 10i128.pow(20))
            } else {
                Q::dec(got) == exact
            };
            if !ok {
                return Err(format!("funds rate {got} ≠ {exact:?}"));
            }
            if exact == q("0.9") {
                stats.rate_edges[0] += 1;
            } else if exact == Q::ONE {
                stats.rate_edges[1] += 1;
            } else if exact > Q::ONE {
                stats.rate_edges[2] += 1;
            }
        }
        (got, want) => return Err(format!("funds rate {got:?}, oracle {want:?}")),
    }
    if let (Some(b), Some(e), Some((_, false))) = (b.budget, b.executed, want.rate) {
        if is_tie(Q::dec(e) / Q::dec(b), 2) {
            stats.rate_ties += 1;
        }
    }
    let budget_counted = match (b.score, &want.budget_score) {
        (None, None) => want.budget_reported.unwrap_or(Q::ZERO),
        (Some(got), Some(accept)) => {
            check_scale("funds score", got, r.score_places)?;
            let g = Q::dec(got);
            if !accept.contains(g) {
                return Err(format!("funds score {got} ≠ {:?} (rate {:?})", accept.exact(), b.rate));
            }
            if g != accept.exact() {
                stats.precision_limited.push(format!(
                    "funds score {got}, exact {:?} (unrounded {:?}, {r:?})",
                    accept.exact(),
                    want.budget_raw
                ));
            }
            if accept.0.len() == 1 && want.budget_raw.is_some_and(|raw| is_tie(raw, r.score_places)) {
                stats.ties += 1;
            }
            g
        }
        (got, want) => return Err(format!("funds score {got:?}, oracle {want:?}")),
    };

    if card.indicators.len() != want.indicators.len() {
        return Err("indicator count differs".into());
    }
    let mut sum = budget_counted;
    for (i, (got, w)) in card.indicators.iter().zip(&want.indicators).enumerate() {
        stats.indicators += 1;
        *stats.kinds.entry(w.kind).or_default() += 1;
        let at = format!(
            "indicator {i} ({} → {}, weight {:?})",
            got.target, got.actual, got.weight
        );
        if got.kind.id() != w.kind {
            return Err(format!("{at}: kind {} ≠ {}", got.kind.id(), w.kind));
        }
        let score = match (got.score, &w.score) {
            (None, None) => None,
            (Some(s), Some(accept)) => {
                if w.kind != "unscored" {
                    check_scale(&format!("{at}: score"), s, r.score_places)?;
                }
                let g = Q::dec(s);
                if !accept.contains(g) {
                    return Err(format!(
                        "{at}: score {s} ≠ oracle {:?} (unrounded {:?}{})",
                        accept.exact(),
                        w.raw,
                        if w.rescaled { ", rescaled" } else { "" }
                    ));
                }
                if g != accept.exact() {
                    stats.precision_limited.push(format!(
                        "{at}: {s}, exact {:?} (unrounded {:?}{}, {r:?})",
                        accept.exact(),
                        w.raw,
                        if w.rescaled { ", rescaled" } else { "" }
                    ));
                }
                Some(g)
            }
            (s, accept) => return Err(format!("{at}: score {s:?}, oracle {accept:?}")),
        };
        if w.score.as_ref().is_some_and(|a| a.0.len() == 1) && w.raw.is_some_and(|raw| is_tie(raw, r.score_places)) {
            stats.ties += 1;
        }
        if w.rescaled {
            stats.rescaled += 1;
        }
        let counted = match w.carried {
            Some(c) => {
                stats.carried += 1;
                c
            }
            None => score.unwrap(),
        };
        if Q::dec(got.counted) != counted {
            return Err(format!("{at}: counted {} ≠ oracle {counted:?}", got.counted));
        }
        sum = sum + counted;
    }

    // 总分 = funds score + Σ indicator scores, rounded as [rounding] total_places says.
    let total = round(sum, r.total_places, r.mode);
    check_scale("total", card.total.score, r.total_places)?;
    if Q::dec(card.total.score) != total {
        return Err(format!("total {} ≠ oracle {total:?} (sum {sum:?})", card.total.score));
    }
    let grade = grade_of(total);
    if card.grade != grade {
        return Err(format!("grade {} ≠ oracle {grade} (total {total:?})", card.grade));
    }
    if GRADES.iter().any(|(_, min)| total == Q::int(*min)) {
        stats.grade_edges += 1;
    }
    Ok(())
}

/// Scores `form` under `rules` and compares with the oracle; the error shows the document.
fn check_form(policy: &Policy, r: Rounding, rules: &RuleSet, form: &Form, stats: &mut Stats) -> Result<(), String> {
    let doc = document(form, policy);
    let card = score_document(rules, &doc).map_err(|e| e.to_string())?;
    let want = oracle(policy, r, form);
    compare(&card, &want, r, stats)
        .map_err(|e| format!("{} with {r:?}: {e}\ndocument: {:#}", policy.id, render(form, policy)))
}

// =============================================================================================
// Generating forms
// =============================================================================================

fn dec(mantissa: i64, scale: u32) -> Decimal {
    Decimal::new(mantissa, scale)
}

/// Cents of a weight (weights have at most two decimals).
fn cents(w: Decimal) -> i64 {
    i64::try_from((Q::dec(w) * Q::int(100)).floor()).unwrap()
}

fn level1_names() -> impl Strategy<Value = [&'static str; 3]> {
    prop_oneof![
        6 => Just(["产出指标", "效益指标", "满意度指标"]),
        2 => Just(["产出指标", "效益指标", "服务对象满意度指标"]),
        1 => Just(["产出指标", "其他指标", "满意度指标"]),
    ]
}

/// A block's weight total: a profile's, one that rescales evenly (×1.25, ×0.5, ×1.5 …), or any.
fn block_total() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        3 => prop::sample::select(vec![50i64, 30, 10, 20]).prop_map(|v| dec(v, 0)),
        2 => prop::sample::select(vec![8i64, 16, 40, 60, 25, 7, 45, 12]).prop_map(|v| dec(v, 0)),
        1 => Just(dec(125, 1)),
        1 => (100i64..=6000).prop_map(|c| dec(c, 2)),
    ]
}

/// Weights of one block: the total split in cents as forms do (50 over 7 → 7.15, 7.15, 7.14 …),
/// or each drawn on its own.
fn block_weights() -> impl Strategy<Value = Vec<Decimal>> {
    prop_oneof![
        3 => (block_total(), 1usize..=4).prop_map(|(total, n)| {
            let c = cents(total);
            let n_i = i64::try_from(n).unwrap();
            let (base, extra) = (c / n_i, c % n_i);
            (0..n_i).map(|i| dec(base + i64::from(i < extra), 2)).collect()
        }),
        1 => prop::collection::vec(
            prop_oneof![(1i64..=30).prop_map(|v| dec(v, 0)), (50i64..=2500).prop_map(|c| dec(c, 2))],
            1..=3
        ),
    ]
}

/// A target value (no sign): counts, amounts, two-decimal values, percentages.
fn magnitude() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        3 => (1i64..=100).prop_map(|v| dec(v, 0)),
        2 => (1i64..=2_000_000).prop_map(|v| dec(v, 0)),
        2 => (1i64..=100_000).prop_map(|v| dec(v, 2)),
        1 => (500i64..=1000).prop_map(|v| dec(v, 1)),
        1 => Just(dec(124_000, 0)),
    ]
}

/// An actual relative to a target `t`: on it, a cent either side, 2T and around it, 1.5T,
/// 9.4T, zero, negative, or a random share of T.
fn actual_near(t: Decimal) -> BoxedStrategy<Decimal> {
    let cent = dec(1, 2);
    let tq = Q::dec(t);
    let times = move |n: i128, d: i128| (tq * Q::new(n, d)).to_decimal_min();
    prop_oneof![
        3 => Just(t),
        1 => Just(t - cent),
        1 => Just(t + cent),
        2 => Just(times(2, 1)),
        1 => Just(times(2, 1) - cent),
        1 => Just(times(2, 1) + cent),
        1 => Just(times(3, 2)),
        1 => Just(times(47, 5)),
        1 => Just(Decimal::ZERO),
        1 => (1i64..=500).prop_map(|v| -dec(v, 1)),
        4 => (0i128..=3000).prop_map(move |k| times(k, 1000)),
        3 => (0i64..=5_000_000).prop_map(|c| dec(c, 2)),
    ]
    .boxed()
}

/// (target, actual) with A/T·w, T/A·w or (1 − (A − T)/T)·w exactly x.xx5 for weight `w`:
/// a tie at the third decimal, on a terminating quotient.
///
/// With W the weight in cents split as W = W₂₅·Wᵣ (W₂₅ of 2s and 5s, Wᵣ prime to 10), the
/// quotient r = (10u + 5) ÷ (10·W₂₅), 0 ≤ u < W₂₅, terminates, lies in (0, 1), and
/// r·w = (10u + 5)·Wᵣ ÷ 1000 ends in 5 at the third decimal.
fn tie_pair(w: Decimal, formula: u8) -> BoxedStrategy<(Decimal, Decimal)> {
    let (mut w25, mut rest) = (1i128, i128::from(cents(w)).max(1));
    for p in [2, 5] {
        while rest % p == 0 {
            rest /= p;
            w25 *= p;
        }
    }
    (0..w25, magnitude())
        .prop_map(move |(u, base)| {
            let r = Q::new(10 * u + 5, 10 * w25);
            let base = Q::dec(base);
            let (t, a) = match formula {
                // A ÷ T = r.
                0 => (base, r * base),
                // T ÷ A = r.
                1 => (r * base, base),
                // 1 − (A − T) ÷ T = r.
                _ => (base, (Q::int(2) - r) * base),
            };
            (t.to_decimal_min(), a.to_decimal_min())
        })
        .boxed()
}

fn unit_plan() -> impl Strategy<Value = Unit> {
    prop_oneof![
        4 => Just(Unit::None),
        2 => Just(Unit::Percent),
        2 => prop::sample::select(vec!["个", "次", "件", "万元", "元"]).prop_map(Unit::Named),
        1 => prop::sample::select(vec!["个", "万元", "元"]).prop_map(|u| Unit::Inline { target: u, actual: u }),
        1 => Just(Unit::Inline { target: "万元", actual: "元" }),
        1 => Just(Unit::Inline { target: "元", actual: "万元" }),
    ]
}

/// The actual as written in its own unit (950000元 for 95万元).
fn written_actual(actual: Decimal, unit: &Unit) -> Decimal {
    match unit {
        Unit::Inline { target, actual: au } if target != au => {
            let (ft, fa) = (unit_factor(target).unwrap().1, unit_factor(au).unwrap().1);
            (Q::dec(actual) * Q::new(ft, fa)).to_decimal_min()
        }
        _ => actual,
    }
}

fn quantity(w: Decimal) -> BoxedStrategy<(Option<Cmp>, Option<&'static str>, Body)> {
    let cmp = prop_oneof![
        3 => Just((Some(Cmp::Ge), Some("数量指标"))),
        1 => Just((Some(Cmp::Gt), Some("质量指标"))),
        2 => Just((None, Some("数量指标"))),
        3 => Just((Some(Cmp::Le), Some("成本指标"))),
        1 => Just((Some(Cmp::Lt), Some("质量指标"))),
        2 => Just((None, Some("成本指标"))),
        1 => Just((None, Some("经济成本指标"))),
        2 => Just((Some(Cmp::Eq), Some("质量指标"))),
    ];
    let values = prop_oneof![
        6 => magnitude().prop_flat_map(|t| (Just(t), actual_near(t))),
        1 => (magnitude(), 1i64..=100).prop_map(|(t, a)| (-t.min(dec(100, 0)), dec(a, 0))),
        1 => prop::sample::select(vec![dec(0, 0), dec(-1, 0), dec(1, 2), dec(3, 0)]).prop_map(|a| (Decimal::ZERO, a)),
        2 => tie_pair(w, 0),
        2 => tie_pair(w, 1),
        2 => tie_pair(w, 2),
    ];
    (cmp, values, unit_plan(), 0usize..8)
        .prop_map(|((cmp, level2), (t, a), unit, spelling)| {
            // Percentages of amounts in the millions are not what forms write; keep them plain.
            let unit = if unit == Unit::Percent && t.abs() > dec(1000, 0) {
                Unit::None
            } else {
                unit
            };
            let actual = written_actual(a, &unit);
            (
                cmp,
                level2,
                Body::Quantity {
                    cmp,
                    spelling,
                    target: t,
                    actual,
                    unit,
                },
            )
        })
        .boxed()
}

const QUALITATIVE_TARGETS: [&str; 4] = ["有效提升", "达成年度指标", "社会效益明显", "持续提升服务水平"];

fn qualitative(w: Decimal) -> BoxedStrategy<(Body, Option<Decimal>)> {
    let all_phrases: Vec<&'static str> = TIERS.iter().flat_map(|t| t.3.iter().copied()).collect();
    let actual = prop_oneof![
        6 => prop::sample::select(all_phrases).prop_map(Some),
        2 => Just(None),
        1 => Just(Some("尚待评估")),
    ];
    let wq = Q::dec(w);
    let band = prop::sample::select(vec!["0", "0.6", "0.8", "1"]).prop_map(move |s| (q(s) * wq).to_decimal_min());
    let c = cents(w).max(1);
    let reported = prop_oneof![
        2 => Just(None),
        3 => band.clone().prop_map(Some),
        1 => band.prop_map(|b| Some(b - dec(1, 2))),
        3 => (0..=c).prop_map(|v| Some(dec(v, 2))),
        3 => (0..c).prop_map(|v| Some(dec(10 * v + 5, 3))),
        1 => (1i64..=500).prop_map(|v| Some(-dec(v, 2))),
        1 => (1i64..=500).prop_map(move |v| Some(w + dec(v, 2))),
    ];
    (prop::sample::select(QUALITATIVE_TARGETS.to_vec()), actual, reported)
        .prop_map(|(target, actual, reported)| {
            (
                Body::Qualitative {
                    target,
                    actual: actual.unwrap_or(target),
                },
                reported,
            )
        })
        .boxed()
}

fn deadline(year: i32) -> BoxedStrategy<Body> {
    let due = prop_oneof![
        3 => (1u32..=12, any::<bool>()).prop_map(move |(month, verb)| Due::MonthBefore { year, month, verb }),
        2 => (1u32..=12).prop_map(move |month| Due::MonthEnd { year, month }),
        1 => (1u32..=12, 1u32..=31).prop_map(move |(month, day)| Due::Day {
            year,
            month,
            day: day.min(month_days(year, month)),
        }),
    ];
    let offset = prop_oneof![
        2 => Just(0i64),
        2 => -60i64..0,
        1 => Just(1i64),
        3 => 1i64..=200,
        // Late by the planned duration (planned ÷ actual = 1/2), or three times it (1/4).
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
    ];
    (due, offset)
        .prop_map(move |(due, offset)| {
            let last = due.last_day();
            let planned = (last - ordinal(year, 1, 1) + 1).max(1);
            let late = match offset {
                i64::MIN => planned,
                i64::MAX => 3 * planned,
                o => o,
            };
            Body::Deadline {
                due,
                done: civil(last + late),
            }
        })
        .boxed()
}

const NOTES: [Option<&str>; 6] = [
    None,
    Some("无偏差"),
    Some(" 无 "),
    Some(""),
    Some("受疫情影响进度延后，下一步将加强进度管理。"),
    Some("系统上线推迟，已说明原因。"),
];

fn indicator(level1: &'static str, weight: Option<Decimal>, year: i32) -> BoxedStrategy<Ind> {
    let w = weight.unwrap_or(Decimal::ONE);
    let name = |base: &str| base.to_owned();
    let reported = prop_oneof![2 => Just(None), 3 => (0i64..=3000).prop_map(|c| Some(dec(c, 2)))];
    let note = prop::sample::select(NOTES.to_vec());
    prop_oneof![
        8 => (quantity(w), reported.clone(), note.clone()).prop_map(move |((_, level2, body), reported, note)| Ind {
            level1,
            level2,
            name: name("指标数量"),
            weight,
            reported,
            note,
            body,
        }),
        3 => (qualitative(w), note.clone(), any::<bool>()).prop_map(move |((body, reported), note, l2)| Ind {
            level1,
            level2: l2.then_some("社会效益指标"),
            name: "提升行政审批效率".into(),
            weight,
            reported,
            note,
            body,
        }),
        3 => (deadline(year), reported.clone(), note).prop_map(move |(body, reported, note)| Ind {
            level1,
            level2: Some("时效指标"),
            name: "系统上线时间".into(),
            weight,
            reported,
            note,
            body,
        }),
        1 => reported.clone().prop_map(move |reported| Ind {
            level1,
            level2: Some("经济效益指标"),
            name: "无".into(),
            weight,
            reported,
            note: Some("无偏差"),
            body: Body::Placeholder,
        }),
        // Units that cannot be compared (S7): the reported score is carried.
        1 => reported.prop_map(move |reported| Ind {
            level1,
            level2: Some("数量指标"),
            name: "检查次数".into(),
            weight,
            reported,
            note: None,
            body: Body::Quantity {
                cmp: Some(Cmp::Ge),
                spelling: 0,
                target: dec(12, 0),
                actual: dec(12, 0),
                unit: Unit::Inline { target: "个", actual: "次" },
            },
        }),
    ]
    .boxed()
}

/// Funds: a rate of exactly 90%, 100% or above, a tie at the second (Shenzhen's pre-rounding)
/// or third decimal of the rate, a random execution, or no usable budget.
fn funds() -> impl Strategy<Value = Funds> {
    let exact = prop_oneof![
        3 => prop::sample::select(vec!["0.9", "1", "1.05", "1.2", "0.5", "0", "0.98", "0.865", "0.875"]).prop_map(q),
        // x.xx5 at the third decimal (Shenzhen's rate tie) and x.xxx5 at the fourth (a score tie
        // at weight 10).
        3 => (500i128..1000).prop_map(|k| Q::new(10 * k + 5, 10_000)),
        2 => (50i128..100).prop_map(|k| Q::new(10 * k + 5, 1000)),
    ];
    let planned = (exact, 1i64..=5000).prop_map(|(rate, c)| {
        let budget = dec(c * 10_000, 0);
        (Some(budget), Some((rate * Q::dec(budget)).to_decimal_min()))
    });
    let random = (1i64..=300_000_000, 0i64..=130).prop_map(|(b, pct)| {
        let budget = dec(b, 2);
        let executed = (Q::dec(budget) * Q::new(i128::from(pct), 100)).floor();
        (
            Some(budget),
            Some(dec(i64::try_from(executed).unwrap(), 2) + dec(b % 97, 2)),
        )
    });
    let broken = prop_oneof![
        Just((None, Some(dec(1000, 0)))),
        Just((Some(Decimal::ZERO), Some(dec(1000, 0)))),
        Just((Some(dec(1000, 0)), None)),
    ];
    let amounts = prop_oneof![5 => planned, 4 => random, 1 => broken];
    let weight = prop_oneof![
        5 => Just(Some(dec(10, 0))),
        1 => Just(None),
        2 => prop::sample::select(vec![dec(125, 1), dec(8, 0), dec(15, 0), dec(715, 2)]).prop_map(Some),
    ];
    let reported = prop_oneof![Just(None), (0i64..=1000).prop_map(|c| Some(dec(c, 2)))];
    (amounts, weight, reported).prop_map(|((budget, executed), weight, reported)| Funds {
        budget,
        executed,
        weight,
        reported,
    })
}

fn form() -> impl Strategy<Value = Form> {
    let blocks = (level1_names(), block_weights(), block_weights(), block_weights());
    (2020i32..=2024, any::<bool>(), funds(), blocks, 0u8..16).prop_flat_map(
        |(year, sichuan_layout, funds, (names, w1, w2, w3), holes)| {
            let mut slots: Vec<(&'static str, Option<Decimal>)> = Vec::new();
            for (name, weights) in names.iter().zip([w1, w2, w3]) {
                slots.extend(weights.into_iter().map(|w| (*name, Some(w))));
            }
            // Now and then a blank weight or a zero weight on a real indicator.
            match holes {
                0 => slots[0].1 = None,
                1 => {
                    let last = slots.len() - 1;
                    slots[last].1 = Some(Decimal::ZERO);
                }
                _ => {}
            }
            let indicators: Vec<BoxedStrategy<Ind>> = slots
                .into_iter()
                .map(|(level1, w)| indicator(level1, w, year))
                .collect();
            indicators.prop_map(move |indicators| Form {
                year,
                sichuan_layout,
                funds: funds.clone(),
                indicators,
            })
        },
    )
}

// =============================================================================================
// The property tests
// =============================================================================================

/// The rule sets a sweep scores with: every rounding section, each both with the native fast
/// paths and with every formula run in the Rhai interpreter.
fn variants(policy: &Policy) -> Vec<(Rounding, &'static str, RuleSet)> {
    let mut out = Vec::new();
    for r in roundings() {
        out.push((r, "native", load(policy, r)));
        let mut scripted = load(policy, r);
        Arc::get_mut(&mut scripted.scripts).unwrap().clear_natives();
        out.push((r, "scripts", scripted));
    }
    out
}

/// Runs `cases` forms drawn from `forms` through `policy`, each under one of its variants.
fn sweep(policy: &Policy, forms: impl Strategy<Value = Form>, cases: u32) -> Stats {
    let variants = variants(policy);
    let stats = RefCell::new(Stats::default());
    // ORACLE_CASES=N runs N forms per sweep instead (a longer hunt).
    let cases = std::env::var("ORACLE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&(forms, 0..variants.len()), |(form, v)| {
        let (r, path, rules) = &variants[v];
        check_form(policy, *r, rules, &form, &mut stats.borrow_mut())
            .map_err(|e| TestCaseError::fail(format!("{path}: {e}")))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let stats = stats.into_inner();
    eprintln!(
        "\n{}: {} documents, {} indicators {:?}; ties {}, rate ties {}, rates 0.9/1/>1 {:?}, rescaled {}, \
         carried {}, totals on a grade edge {}, precision-limited {}",
        policy.id,
        stats.documents,
        stats.indicators,
        stats.kinds,
        stats.ties,
        stats.rate_ties,
        stats.rate_edges,
        stats.rescaled,
        stats.carried,
        stats.grade_edges,
        stats.precision_limited.len()
    );
    for p in stats.precision_limited.iter().take(3) {
        eprintln!("  precision-limited: {p}");
    }
    stats
}

/// Forms per rule set in the main sweep.
const CASES: u32 = 4000;

fn assert_reached(stats: &Stats) {
    assert!(stats.ties >= 200, "too few exact ties: {}", stats.ties);
    assert!(
        stats.rate_edges.iter().all(|&n| n >= 20),
        "rates 0.9/1/>1: {:?}",
        stats.rate_edges
    );
    for kind in [
        "forward",
        "reverse",
        "equal",
        "qualitative",
        "deadline",
        "unscored",
        "unreadable",
    ] {
        assert!(
            stats.kinds.get(kind).copied().unwrap_or(0) >= 200,
            "too few {kind}: {:?}",
            stats.kinds
        );
    }
}

#[test]
fn national_rule_agrees_with_the_oracle() {
    let stats = sweep(&CN_MOF, form(), CASES);
    assert_reached(&stats);
    assert!(stats.rescaled >= 1000, "too few rescaled scores: {}", stats.rescaled);
}

#[test]
fn shenzhen_rule_agrees_with_the_oracle() {
    let stats = sweep(&SHENZHEN, form(), CASES);
    assert_reached(&stats);
    assert!(
        stats.rate_ties >= 100,
        "too few Shenzhen rate ties: {}",
        stats.rate_ties
    );
}

#[test]
fn sichuan_rule_agrees_with_the_oracle() {
    let stats = sweep(&SICHUAN, form(), CASES);
    assert_reached(&stats);
}

/// Hubei: 预算执行 20 from the form or the scheme, level-1 weights as written (no rescale).
#[test]
fn hubei_rule_agrees_with_the_oracle() {
    let stats = sweep(&HUBEI, form(), CASES);
    assert_reached(&stats);
}

/// Yinchuan: its own level-1 names, and criteria indicators (blank actual under 项目决策 and
/// 项目管理) scored as reported within [0, w]; the same indicators under 项目产出 stay unreadable.
#[test]
fn yinchuan_rule_agrees_with_the_oracle() {
    let renamed = form().prop_flat_map(|form| {
        let criteria = prop::collection::vec(
            (
                prop::sample::select(vec!["项目决策", "项目管理", "项目产出"]),
                prop::sample::select(vec![dec(2, 0), dec(4, 0), dec(25, 1)]),
                prop_oneof![Just(None), (0i64..=500).prop_map(|c| Some(dec(c, 2)))],
            ),
            1..5,
        );
        (Just(form), criteria).prop_map(|(mut form, criteria)| {
            for ind in &mut form.indicators {
                ind.level1 = match ind.level1 {
                    "产出指标" => "项目产出",
                    "效益指标" | "服务对象满意度指标" => "项目效益",
                    "满意度指标" => "项目管理",
                    other => other,
                };
            }
            for (i, (level1, weight, reported)) in criteria.into_iter().enumerate() {
                form.indicators.insert(
                    i,
                    Ind {
                        level1,
                        level2: Some("项目目标"),
                        name: format!("完整性{i}"),
                        weight: Some(weight),
                        reported,
                        note: None,
                        body: Body::Qualitative {
                            target: "目标明确、内容细化、目标量化",
                            actual: "",
                        },
                    },
                );
            }
            form
        })
    });
    let stats = sweep(&YINCHUAN, renamed, CASES / 2);
    assert!(stats.documents >= 1000, "{}", stats.documents);
    assert!(
        stats.kinds.get("qualitative").copied().unwrap_or(0) >= 2000,
        "{:?}",
        stats.kinds
    );
    assert!(
        stats.kinds.get("unreadable").copied().unwrap_or(0) >= 200,
        "{:?}",
        stats.kinds
    );
}

/// Anhui: the national scheme, rescaled, with reverse indicators scored T ÷ A.
#[test]
fn anhui_rule_agrees_with_the_oracle() {
    let stats = sweep(&ANHUI, form(), CASES);
    assert_reached(&stats);
    assert!(stats.rescaled >= 1000, "too few rescaled scores: {}", stats.rescaled);
}

// ---- totals at the grade bounds ---------------------------------------------------------------

fn full_marks(level1: &'static str, weight: i64) -> Ind {
    Ind {
        level1,
        level2: Some("数量指标"),
        name: "检查次数".into(),
        weight: Some(dec(weight, 0)),
        reported: None,
        note: Some("无偏差"),
        body: Body::Quantity {
            cmp: Some(Cmp::Ge),
            spelling: 0,
            target: dec(12, 0),
            actual: dec(12, 0),
            unit: Unit::None,
        },
    }
}

fn funds_at(rate_percent: i64) -> Funds {
    Funds {
        budget: Some(dec(1_000_000, 0)),
        executed: Some(dec(10_000 * rate_percent, 0)),
        weight: Some(dec(10, 0)),
        reported: None,
    }
}

/// A form at its profile's weights whose only lost points are those of one qualitative
/// indicator of weight 50: total = 50 + its score.
fn edge_form(policy: &Policy, reported: Decimal, phrase: &'static str, year: i32) -> Form {
    let (benefit, satisfaction) = match policy.level1 {
        [_, (_, b), (_, s)] => (i64::try_from(*b).unwrap(), i64::try_from(*s).unwrap()),
        _ => (20, 20),
    };
    Form {
        year,
        sichuan_layout: false,
        funds: funds_at(100),
        indicators: vec![
            Ind {
                level1: "产出指标",
                level2: Some("质量指标"),
                name: "系统运行质量".into(),
                weight: Some(dec(50, 0)),
                reported: Some(reported),
                note: Some("部分功能未上线，下一步将加快建设。"),
                body: Body::Qualitative {
                    target: "有效提升",
                    actual: phrase,
                },
            },
            full_marks("效益指标", benefit),
            full_marks("满意度指标", satisfaction),
        ],
    }
}

/// Reported qualitative scores putting the total on, and just around, 90, 80 and 60, with a
/// tier phrase whose band holds it (both ends of a band included).
fn edge_forms(policy: &'static Policy) -> impl Strategy<Value = Form> {
    let deltas = prop::sample::select(vec![
        "0", "-0.01", "0.01", "-0.005", "0.005", "-0.001", "0.004", "-0.0051",
    ]);
    (
        prop::sample::select(vec![40i64, 30, 10]),
        deltas,
        any::<prop::sample::Index>(),
        2020i32..=2024,
    )
        .prop_map(move |(edge, delta, pick, year)| {
            let reported = dec(edge, 0) + delta.parse::<Decimal>().unwrap();
            let r = Q::dec(reported) / Q::int(50);
            let fitting: Vec<&'static str> = TIERS
                .iter()
                .filter(|(_, lo, hi, _)| q(lo) <= r && r <= q(hi))
                .map(|t| *pick.get(t.3))
                .collect();
            edge_form(policy, reported, fitting[pick.index(fitting.len())], year)
        })
}

#[test]
fn grades_at_their_bounds_agree_with_the_oracle() {
    for policy in [&CN_MOF, &SHENZHEN, &SICHUAN] {
        let stats = sweep(policy, edge_forms(policy), 300);
        assert!(
            stats.grade_edges >= 60,
            "{}: totals on a grade bound: {}",
            policy.id,
            stats.grade_edges
        );
    }
}

// ---- hand-computed examples from the brief ---------------------------------------------------

/// A form at `policy`'s profile weights: `ind` (in 产出指标) plus full-marks indicators filling
/// every block, funds at `funds`.
fn pinned_form(policy: &Policy, funds: Funds, ind: Ind) -> Form {
    let (output, benefit, satisfaction) = match policy.level1 {
        [(_, o), (_, b), (_, s)] => (*o, *b, *s),
        _ => (50, 20, 20),
    };
    let rest = Q::int(output) - ind.weight.map_or(Q::ZERO, Q::dec);
    let mut filler = full_marks("产出指标", 0);
    filler.weight = Some(rest.to_decimal(2).unwrap());
    let benefit = full_marks("效益指标", i64::try_from(benefit).unwrap());
    let satisfaction = full_marks("满意度指标", i64::try_from(satisfaction).unwrap());
    Form {
        year: 2021,
        sichuan_layout: false,
        funds,
        indicators: vec![ind, filler, benefit, satisfaction],
    }
}

fn quantity_ind(level2: &'static str, cmp: Option<Cmp>, target: &str, actual: &str, weight: &str) -> Ind {
    Ind {
        level1: "产出指标",
        level2: Some(level2),
        name: "项目指标".into(),
        weight: Some(weight.parse().unwrap()),
        reported: None,
        note: Some("已说明偏差原因，下一步将加强管理。"),
        body: Body::Quantity {
            cmp,
            spelling: 0,
            target: target.parse().unwrap(),
            actual: actual.parse().unwrap(),
            unit: Unit::None,
        },
    }
}

fn deadline_ind(due: Due, done: (i32, u32, u32), weight: &str, note: &'static str) -> Ind {
    Ind {
        level1: "产出指标",
        level2: Some("时效指标"),
        name: "系统上线时间".into(),
        weight: Some(weight.parse().unwrap()),
        reported: None,
        note: Some(note),
        body: Body::Deadline { due, done },
    }
}

/// Scores `form` under `policy` with the rounding section `r`: the engine's scorecard and the
/// oracle's expectations.
fn pinned(policy: &Policy, r: Rounding, form: &Form) -> (Scorecard, Want) {
    let rules = load(policy, r);
    let card = score_document(&rules, &document(form, policy)).unwrap();
    let want = oracle(policy, r, form);
    (card, want)
}

fn first_score(card: &Scorecard) -> Decimal {
    card.indicators[0].score.unwrap()
}

fn oracle_first(want: &Want) -> Q {
    want.indicators[0].score.as_ref().unwrap().exact()
}

#[test]
fn seed_form_1_rate_is_rounded_before_scoring_in_shenzhen_only() {
    let funds = Funds {
        budget: Some(dec(890_000, 0)),
        executed: Some(dec(870_996, 0)),
        weight: Some(dec(10, 0)),
        reported: Some(dec(980, 2)),
    };
    let form = pinned_form(&SHENZHEN, funds.clone(), full_marks("产出指标", 10));
    let (card, want) = pinned(&SHENZHEN, SHIPPED, &form);
    assert_eq!(want.rate.unwrap().0, q("0.98"));
    assert_eq!(want.budget_score.as_ref().unwrap().exact(), q("9.8"));
    assert_eq!(card.budget.rate.unwrap().to_string(), "0.98");
    assert_eq!(card.budget.score.unwrap().to_string(), "9.80");
    assert_eq!(card.total.score.to_string(), "99.80");
    compare(&card, &want, SHIPPED, &mut Stats::default()).unwrap();

    // The national rule multiplies the unrounded rate: 9.786… → 9.79.
    let form = pinned_form(&CN_MOF, funds, full_marks("产出指标", 10));
    let (card, want) = pinned(&CN_MOF, SHIPPED, &form);
    assert_eq!(want.budget_score.as_ref().unwrap().exact(), q("9.79"));
    assert_eq!(card.budget.score.unwrap().to_string(), "9.79");
    compare(&card, &want, SHIPPED, &mut Stats::default()).unwrap();
}

#[test]
fn seed_form_6_cost_overrun_scores_by_each_sets_reverse_rule() {
    let cost = quantity_ind("成本指标", Some(Cmp::Le), "124000", "1170000", "12.5");
    // Shenzhen: T ÷ A × w = 124000 ÷ 1170000 × 12.5 = 1.3247… → 1.32.
    let form = pinned_form(&SHENZHEN, funds_at(98), cost.clone());
    let (card, want) = pinned(&SHENZHEN, SHIPPED, &form);
    assert_eq!(oracle_first(&want), q("1.32"));
    assert_eq!(first_score(&card).to_string(), "1.32");
    compare(&card, &want, SHIPPED, &mut Stats::default()).unwrap();
    // National (provincial system's linear rule): A ≥ 2T → 0.
    let form = pinned_form(&CN_MOF, funds_at(98), cost);
    let (card, want) = pinned(&CN_MOF, SHIPPED, &form);
    assert_eq!(oracle_first(&want), Q::ZERO);
    assert_eq!(first_score(&card).to_string(), "0.00");
    compare(&card, &want, SHIPPED, &mut Stats::default()).unwrap();
}

#[test]
fn reverse_at_one_and_a_half_targets_is_half_linear_and_two_thirds_by_ratio() {
    let ind = quantity_ind("成本指标", None, "100", "150", "12");
    let form = pinned_form(&CN_MOF, funds_at(100), ind.clone());
    let (card, want) = pinned(&CN_MOF, SHIPPED, &form);
    assert_eq!(oracle_first(&want), q("6"));
    assert_eq!(first_score(&card).to_string(), "6.00");
    compare(&card, &want, SHIPPED, &mut Stats::default()).unwrap();
    let form = pinned_form(&SHENZHEN, funds_at(100), ind);
    let (card, want) = pinned(&SHENZHEN, SHIPPED, &form);
    assert_eq!(oracle_first(&want), q("8"));
    assert_eq!(first_score(&card).to_string(), "8.00");
    compare(&card, &want, SHIPPED, &mut Stats::default()).unwrap();
}

#[test]
fn seed_form_4_late_deadline_is_half_in_shenzhen_and_proportional_nationally() {
    let due = Due::MonthBefore {
        year: 2021,
        month: 7,
        verb: true,
    };
    let late = deadline_ind(due, (2021, 12, 3), "12", "系统需求变更导致延期，已加快进度。");
    let form = pinned_form(&SHENZHEN, funds_at(86), late.clone());
    let (card, want) = pinned(&SHENZHEN, SHIPPED, &form);
    assert_eq!(oracle_first(&want), q("6"));
    assert_eq!(first_score(&card).to_string(), "6.00");
    compare(&card, &want, SHIPPED, &mut Stats::default()).unwrap();
    // Without a reason Shenzhen gives nothing.
    let mut blank = late.clone();
    blank.note = Some("无偏差");
    let form = pinned_form(&SHENZHEN, funds_at(86), blank);
    let (card, want) = pinned(&SHENZHEN, SHIPPED, &form);
    assert_eq!(oracle_first(&want), Q::ZERO);
    assert_eq!(first_score(&card).to_string(), "0.00");
    // Nationally: planned 1 January – 30 June = 181 days, 156 days late: 181 ÷ 337 × 12 = 6.445… → 6.45.
    let form = pinned_form(&CN_MOF, funds_at(86), late);
    let (card, want) = pinned(&CN_MOF, SHIPPED, &form);
    assert_eq!(oracle_first(&want), q("6.45"));
    assert_eq!(first_score(&card).to_string(), "6.45");
    assert_eq!(card.indicators[0].days_late, Some(156));
    compare(&card, &want, SHIPPED, &mut Stats::default()).unwrap();
}

#[test]
fn the_tie_4_165_rounds_by_the_named_mode() {
    // A ÷ T × w = 1 ÷ 2 × 8.33 = 4.165 exactly.
    let ind = quantity_ind("数量指标", Some(Cmp::Ge), "2", "1", "8.33");
    for (mode, want_text) in [
        (Mode::HalfUp, "4.17"),
        (Mode::HalfEven, "4.16"),
        (Mode::Down, "4.16"),
        (Mode::Up, "4.17"),
    ] {
        let r = Rounding { mode, ..SHIPPED };
        for policy in [&CN_MOF, &SHENZHEN, &SICHUAN] {
            let form = pinned_form(policy, funds_at(100), ind.clone());
            let (card, want) = pinned(policy, r, &form);
            assert_eq!(oracle_first(&want), q(want_text), "{} {mode:?}", policy.id);
            assert_eq!(first_score(&card).to_string(), want_text, "{} {mode:?}", policy.id);
            compare(&card, &want, r, &mut Stats::default()).unwrap();
        }
    }
}

#[test]
fn national_rescale_rounds_the_score_then_the_scaled_score() {
    // 满意度指标 written as 20 points against the profile's 10: every score is halved.
    // 1 ÷ 2 × 8.33 = 4.165 → 4.17, then × 10/20 = 2.085 → 2.09 (rescaling the unrounded
    // score would give 2.0825 → 2.08).
    let mut form = pinned_form(&CN_MOF, funds_at(100), full_marks("产出指标", 50));
    form.indicators.pop();
    let mut partial = quantity_ind("数量指标", Some(Cmp::Ge), "2", "1", "8.33");
    partial.level1 = "满意度指标";
    let mut rest = full_marks("满意度指标", 0);
    rest.weight = Some("11.67".parse().unwrap());
    form.indicators.extend([partial, rest]);
    let (card, want) = pinned(&CN_MOF, SHIPPED, &form);
    let scaled = card.indicators.iter().find(|i| i.level1 == "满意度指标").unwrap();
    assert_eq!(scaled.score.unwrap().to_string(), "2.09");
    assert_eq!(scaled.rescale, Some("0.5".parse().unwrap()));
    compare(&card, &want, SHIPPED, &mut Stats::default()).unwrap();
}

// ---- where the engine and the oracle part -----------------------------------------------------

/// Exact ties on repeating quotients, under the shipped rule sets (half-up, 2 places) and one
/// `down` variant. An engine that divides first (`A ÷ T × w`, `score × (profile ÷ form)`) cuts
/// the quotient to 28 digits, lands a hair below or above the exact value, and rounds an exact
/// tie (or, for `down` / `up`, an exact value of two decimals) to the other side; this found
/// that jixiao did. The shipped formulas and the rescale now multiply first (`A × w ÷ T`,
/// `score × profile ÷ form`), which keeps every such value exact.
#[test]
fn exact_ties_on_repeating_quotients_round_as_the_rule_says() {
    let down = Rounding {
        mode: Mode::Down,
        ..SHIPPED
    };
    let cases: Vec<(&str, &Policy, Rounding, Form)> = vec![
        (
            "forward 5 of ≥6, weight 7.17: 5.975",
            &SICHUAN,
            SHIPPED,
            pinned_form(
                &SICHUAN,
                funds_at(100),
                quantity_ind("数量指标", Some(Cmp::Ge), "6", "5", "7.17"),
            ),
        ),
        (
            "reverse linear 104.45 against ≤75, weight 7.5: 4.555",
            &SICHUAN,
            SHIPPED,
            pinned_form(
                &SICHUAN,
                funds_at(100),
                quantity_ind("成本指标", Some(Cmp::Le), "75", "104.45", "7.5"),
            ),
        ),
        (
            "reverse ratio 6 against ≤5, weight 7.17: 5.975",
            &SHENZHEN,
            SHIPPED,
            pinned_form(
                &SHENZHEN,
                funds_at(100),
                quantity_ind("成本指标", Some(Cmp::Le), "5", "6", "7.17"),
            ),
        ),
        (
            "deadline 2021年12月底前 done 2022年3月14日 (365 ÷ 438 = 5/6), weight 7.17: 5.975",
            &SICHUAN,
            SHIPPED,
            pinned_form(
                &SICHUAN,
                funds_at(100),
                deadline_ind(
                    Due::MonthEnd { year: 2021, month: 12 },
                    (2022, 3, 14),
                    "7.17",
                    "设备到货延迟，已加快进度。",
                ),
            ),
        ),
        ("national rescale 7.17 × 50/60: 5.975", &CN_MOF, SHIPPED, {
            let mut form = pinned_form(&CN_MOF, funds_at(100), full_marks("产出指标", 0));
            form.indicators[0].weight = Some("7.17".parse().unwrap());
            form.indicators[1].weight = Some("52.83".parse().unwrap());
            form
        }),
        (
            "forward 1 of ≥3, weight 3, rounding down: 1.00",
            &SICHUAN,
            down,
            pinned_form(
                &SICHUAN,
                funds_at(100),
                quantity_ind("数量指标", Some(Cmp::Ge), "3", "1", "3"),
            ),
        ),
    ];
    let mut wrong = Vec::new();
    for (what, policy, r, form) in &cases {
        let (card, want) = pinned(policy, *r, form);
        let exact = oracle_first(&want);
        let got = first_score(&card);
        if Q::dec(got) != exact {
            wrong.push(format!("{} {what}: engine {got}, rule {exact:?}", policy.id));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
