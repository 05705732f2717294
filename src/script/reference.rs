//! Generated reference documents for policy editors: the functions scripts may call, and the
//! signature each kind of formula must have. `docs/scripting-reference.md` is this output,
//! committed and checked up to date by a test.

use std::fmt::Write as _;

use crate::script::SCRIPT_FUNCTIONS;

/// Formula slots of `[formulas]`: key, parameters, what the function returns.
pub const FORMULA_SLOTS: &[(&str, &str, &str)] = &[
    ("budget_rate", "(预算数, 执行数, p)", "预算执行率（小数，如 0.98）"),
    ("budget_score", "(执行率, 分值, p)", "预算执行得分"),
    ("forward", "(目标值, 实际值, 分值, p)", "正向指标（≥、>）得分"),
    ("reverse", "(目标值, 实际值, 分值, p)", "反向指标（≤、<、成本）得分"),
    ("equal", "(目标值, 实际值, 分值, p)", "等于指标（=）得分"),
    (
        "qualitative",
        "(档次下限, 档次上限, 分值, 填报得分, p)",
        "定性指标得分；填报得分缺失时为 ()",
    ),
    (
        "deadline",
        "(逾期天数, 计划天数, 分值, 有说明, p)",
        "时效指标得分；逾期天数 ≤ 0 表示按期，有说明为 true/false",
    ),
];

/// The scripting reference as Markdown (Chinese).
pub fn scripting_reference() -> String {
    let mut out = String::new();
    out.push_str("# 规则脚本参考（自动生成）\n\n");
    out.push_str(
        "本文件由 `jixiao reference scripting > docs/scripting-reference.md` 生成，`cargo test` 检查它是否最新。\n\n",
    );
    out.push_str("## 脚本里的数\n\n");
    out.push_str("- 带小数点的字面量是**精确小数**（`0.1 + 0.2 == 0.3`），不存在浮点数。\n");
    out.push_str("- 不带小数点的字面量是**整数**：整数相除会舍去小数（`10 / 4 == 2`），比例请写 `dec(10) / 4` 或 `10.0 / 4`。`jixiao check` 会指出整数相除。\n");
    out.push_str("- 舍入必须写明方式：`round_half_up`（四舍五入）、`round_half_even`（银行家舍入）、`round_down`、`round_up`。Rhai 自带的 `round` 是银行家舍入，不要用来实现“四舍五入”。\n");
    out.push_str("- `p` 是 policy.toml 中 `[params]` 的全部参数：`p.名称`。整数参数是整数，其余是小数。\n\n");
    out.push_str("## 计分函数的参数约定（policy.toml 的 [formulas]）\n\n| 键 | 函数参数 | 返回 |\n|---|---|---|\n");
    for (key, params, returns) in FORMULA_SLOTS {
        let _ = writeln!(out, "| `{key}` | `fn 名称{params}` | {returns} |");
    }
    out.push_str("\n## 可以调用的函数\n\n| 函数 | 说明 | 例子 | 结果 | 来源 |\n|---|---|---|---|---|\n");
    for f in SCRIPT_FUNCTIONS {
        let _ = writeln!(
            out,
            "| `{}` | {} | `{}` | `{}` | {} |",
            f.signature.replace('|', "\\|"),
            f.description.replace('|', "\\|"),
            f.example.replace('|', "\\|"),
            f.result.replace('|', "\\|"),
            if f.builtin { "Rhai 自带" } else { "jixiao 提供" }
        );
    }
    out.push_str("\n## 沙箱限制\n\n脚本不能读写文件、不能 `import`、不能 `eval`；每次调用的运算次数、调用层数、字符串与数组大小都有上限，每个文档有 1 秒的时间上限。超出限制时，该文档评分失败，错误信息给出规则集、脚本文件和行号，其余文档照常评分。\n");
    out.push_str("\n## 数值范围\n\n小数运算都经过检查：结果超出精确小数的范围（约 ±7.9×10^28）时（如 `dec(\"79228162514264337593543950335\") * 2`），该文档评分失败，错误为“运算结果超出可表示的范围”，给出脚本文件和行号。`[formulas]` 中公式的返回值还须在评分可用的范围内（整数部分最多 15 位，即绝对值小于 10^15），否则该文档评分失败，错误指出函数及其返回值。其余文档照常评分。\n");
    out
}
