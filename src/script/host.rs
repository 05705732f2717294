//! The functions jixiao gives policy scripts (`dec`, the explicitly named roundings, `clamp`),
//! their reference entries for editors ([`SCRIPT_FUNCTIONS`]), and the decimal helpers the
//! native paths share with them so that both round and clamp alike.

use rhai::{Dynamic, Engine, EvalAltResult, INT, ImmutableString};
use rust_decimal::{Decimal, RoundingStrategy};

// ---------------------------------------------------------------------------------------------
// Host function reference
// ---------------------------------------------------------------------------------------------

/// One function available to policy scripts, for the generated scripting reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptFunctionDoc {
    /// Name as written in scripts.
    pub name: &'static str,
    /// Signature(s), e.g. `round_half_up(x: 数, places: 整数) -> 小数`.
    pub signature: &'static str,
    /// What it does, in Chinese, for policy editors.
    pub description: &'static str,
    /// A script expression using it…
    pub example: &'static str,
    /// …and what that expression evaluates to (checked by a unit test).
    pub result: &'static str,
    /// `true` when Rhai's standard packages provide the function; `false` when jixiao registers it.
    pub builtin: bool,
}

/// Every function jixiao registers for scripts, plus the Rhai built-ins a scoring formula
/// typically needs. "数" means an integer or a decimal.
pub const SCRIPT_FUNCTIONS: &[ScriptFunctionDoc] = &[
    ScriptFunctionDoc {
        name: "dec",
        signature: "dec(x: 整数 | 小数 | 字符串) -> 小数",
        description: "转换为精确小数。整数字面量（如 10）是整数，整数相除会截断（10 / 4 == 2）；\
                      需要小数结果时写 dec(10) / 4 或 10.0 / 4。字符串按十进制精确解析。",
        example: "dec(10) / 4",
        result: "2.50",
        builtin: false,
    },
    ScriptFunctionDoc {
        name: "round_half_up",
        signature: "round_half_up(x: 数, places: 整数) -> 小数",
        description: "四舍五入到 places 位小数（中点远离零：2.345 → 2.35，-2.345 → -2.35）。\
                      places 不能为负数。",
        example: "round_half_up(2.345, 2)",
        result: "2.35",
        builtin: false,
    },
    ScriptFunctionDoc {
        name: "round_half_even",
        signature: "round_half_even(x: 数, places: 整数) -> 小数",
        description: "银行家舍入（四舍六入五成双）到 places 位小数：2.345 → 2.34，2.355 → 2.36。",
        example: "round_half_even(2.345, 2)",
        result: "2.34",
        builtin: false,
    },
    ScriptFunctionDoc {
        name: "round_down",
        signature: "round_down(x: 数, places: 整数) -> 小数",
        description: "截断到 places 位小数（向零舍去）：2.349 → 2.34，-2.349 → -2.34。",
        example: "round_down(2.349, 2)",
        result: "2.34",
        builtin: false,
    },
    ScriptFunctionDoc {
        name: "round_up",
        signature: "round_up(x: 数, places: 整数) -> 小数",
        description: "进位到 places 位小数（远离零）：2.341 → 2.35，-2.341 → -2.35。",
        example: "round_up(2.341, 2)",
        result: "2.35",
        builtin: false,
    },
    ScriptFunctionDoc {
        name: "clamp",
        signature: "clamp(x: 数, lo: 数, hi: 数) -> 数",
        description: "把 x 限制在 [lo, hi] 区间内；三个参数都是整数时返回整数，否则返回小数。\
                      lo 大于 hi 时报错。",
        example: "clamp(12.5, 0, 10)",
        result: "10",
        builtin: false,
    },
    ScriptFunctionDoc {
        name: "min",
        signature: "min(a: 数, b: 数) -> 数",
        description: "两数中较小者；整数与小数混用时返回小数。",
        example: "min(3, 2.5)",
        result: "2.5",
        builtin: true,
    },
    ScriptFunctionDoc {
        name: "max",
        signature: "max(a: 数, b: 数) -> 数",
        description: "两数中较大者；整数与小数混用时返回小数。",
        example: "max(3, 2.5)",
        result: "3",
        builtin: true,
    },
    ScriptFunctionDoc {
        name: "abs",
        signature: "abs(x: 数) -> 数",
        description: "绝对值。",
        example: "abs(-1.25)",
        result: "1.25",
        builtin: true,
    },
    ScriptFunctionDoc {
        name: "floor",
        signature: "floor(x: 小数) -> 小数",
        description: "不大于 x 的最大整数（仍为小数类型）。",
        example: "floor(2.7)",
        result: "2",
        builtin: true,
    },
    ScriptFunctionDoc {
        name: "ceiling",
        signature: "ceiling(x: 小数) -> 小数",
        description: "不小于 x 的最小整数（仍为小数类型）。",
        example: "ceiling(2.1)",
        result: "3",
        builtin: true,
    },
    ScriptFunctionDoc {
        name: "to_int",
        signature: "to_int(x: 小数) -> 整数",
        description: "去掉小数部分，转换为整数。",
        example: "to_int(2.9)",
        result: "2",
        builtin: true,
    },
    ScriptFunctionDoc {
        name: "round",
        signature: "round(x: 小数, places: 整数) -> 小数",
        description: "Rhai 自带的舍入，采用银行家舍入（2.345 → 2.34），不是四舍五入。\
                      请改用名称写明舍入方式的 round_half_up 或 round_half_even。",
        example: "round(2.345, 2)",
        result: "2.34",
        builtin: true,
    },
];

fn numeric(value: &Dynamic, function: &str) -> Result<Decimal, Box<EvalAltResult>> {
    if let Ok(i) = value.as_int() {
        return Ok(Decimal::from(i));
    }
    if let Ok(d) = value.as_decimal() {
        return Ok(d);
    }
    Err(format!("{function} 的参数必须是数字，实际是{}", type_label(value.type_name())).into())
}

/// `x` rounded to `places` decimals with `strategy`; `function` names the caller in the error
/// for negative places.
pub fn round_with(
    function: &str,
    x: Decimal,
    places: INT,
    strategy: RoundingStrategy,
) -> Result<Decimal, Box<EvalAltResult>> {
    if places < 0 {
        return Err(format!("{function} 的小数位数不能为负数：{places}").into());
    }
    // rust_decimal keeps at most 28 fractional digits: rounding to more places changes nothing.
    let places = u32::try_from(places).unwrap_or(u32::MAX);
    Ok(x.round_dp_with_strategy(places, strategy))
}

fn register_rounding(engine: &mut Engine, name: &'static str, strategy: RoundingStrategy) {
    engine.register_fn(name, move |x: Decimal, places: INT| {
        round_with(name, x, places, strategy)
    });
    engine.register_fn(name, move |x: INT, places: INT| {
        round_with(name, Decimal::from(x), places, strategy)
    });
}

/// `x` limited to `[lo, hi]`; an error when `lo > hi`.
pub fn clamp_decimal(x: Decimal, lo: Decimal, hi: Decimal) -> Result<Decimal, Box<EvalAltResult>> {
    if lo > hi {
        return Err(format!("clamp 的下限 {lo} 大于上限 {hi}").into());
    }
    Ok(x.clamp(lo, hi))
}

/// What a script calling `sleep` is told.
const SLEEP_REFUSED: &str = "不允许调用 sleep：规则脚本不允许等待";

pub(super) fn register_host_functions(engine: &mut Engine) {
    engine.register_fn("dec", |x: INT| Decimal::from(x));
    engine.register_fn("dec", |x: Decimal| x);
    engine.register_fn("dec", |s: ImmutableString| -> Result<Decimal, Box<EvalAltResult>> {
        s.trim()
            .parse::<Decimal>()
            .map_err(|e| format!("dec 无法把 \"{s}\" 解析为小数：{e}").into())
    });

    // Rhai's core package can block a thread (`sleep`): a rule script must never wait, and the
    // per-document deadline is only noticed between operations, not during a sleep. These
    // take precedence over the package's functions of the same name.
    engine.register_fn("sleep", |_: INT| -> Result<(), Box<EvalAltResult>> {
        Err(SLEEP_REFUSED.into())
    });
    engine.register_fn("sleep", |_: Decimal| -> Result<(), Box<EvalAltResult>> {
        Err(SLEEP_REFUSED.into())
    });

    register_rounding(engine, "round_half_up", RoundingStrategy::MidpointAwayFromZero);
    register_rounding(engine, "round_half_even", RoundingStrategy::MidpointNearestEven);
    register_rounding(engine, "round_down", RoundingStrategy::ToZero);
    register_rounding(engine, "round_up", RoundingStrategy::AwayFromZero);

    engine.register_fn("clamp", |x: INT, lo: INT, hi: INT| -> Result<INT, Box<EvalAltResult>> {
        if lo > hi {
            return Err(format!("clamp 的下限 {lo} 大于上限 {hi}").into());
        }
        Ok(x.clamp(lo, hi))
    });
    // Any other mix of integers and decimals: compute in Decimal.
    engine.register_fn(
        "clamp",
        |x: Dynamic, lo: Dynamic, hi: Dynamic| -> Result<Decimal, Box<EvalAltResult>> {
            clamp_decimal(numeric(&x, "clamp")?, numeric(&lo, "clamp")?, numeric(&hi, "clamp")?)
        },
    );
}

/// Chinese name of a Rhai or Rust type, for messages.
pub(super) fn type_label(name: &str) -> String {
    let short = name.rsplit("::").next().unwrap_or(name);
    match short {
        "i64" | "INT" => "整数".to_owned(),
        "Decimal" | "decimal" => "小数".to_owned(),
        "bool" => "布尔值".to_owned(),
        "ImmutableString" | "String" | "string" | "str" | "&str" => "字符串".to_owned(),
        "char" => "字符".to_owned(),
        "()" => "空值 ()".to_owned(),
        "Array" | "array" | "Vec<Dynamic>" => "数组".to_owned(),
        "Map" | "map" => "对象映射".to_owned(),
        "Dynamic" => "任意值".to_owned(),
        other => other.to_owned(),
    }
}
