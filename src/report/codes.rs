//! The finding-code reference (`docs/finding-codes.md`), generated from the catalogue of codes
//! and the rule sets that configure them: `jixiao codes` prints it.

use std::fmt::Write as _;

use crate::model::findings::Severity;
use crate::policy::RuleSet;
use crate::policy::checks::{CODES, Check, CodeInfo, FUNDS_FACT_DOCS, INDICATOR_FACT_DOCS, Logic, ParamKind};
use crate::policy::model::ParamValue;

/// The command that regenerates `docs/finding-codes.md`.
pub const REGENERATE: &str = "cargo run -- reference codes > docs/finding-codes.md";

fn severity_label(check: Option<&Check>) -> &'static str {
    match check.and_then(|c| c.severity) {
        Some(Severity::Error) => "错误",
        Some(Severity::Warning) => "警告",
        Some(Severity::Info) => "提示",
        None => "关闭",
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn param_text(value: &ParamValue) -> String {
    match value {
        ParamValue::Dec(d) => d.to_string(),
        ParamValue::Bool(b) => b.to_string(),
        ParamValue::List(l) => l.iter().map(|s| format!("“{s}”")).collect::<Vec<_>>().join("、"),
    }
}

fn logic_text(info: &CodeInfo, sets: &[&RuleSet]) -> String {
    match info.logic {
        Logic::Native => "内置（jixiao 代码），由 severity、message、params 调整".to_owned(),
        Logic::Script => {
            let mut functions: Vec<String> = sets
                .iter()
                .filter_map(|s| s.checks.get(info.code)?.function.clone())
                .map(|f| format!("`{f}`"))
                .collect();
            functions.dedup();
            format!("脚本：规则集 checks.rhai 中的 {}(f, p)", functions.join("、"))
        }
    }
}

/// The reference, in Chinese Markdown, for the given rule sets (in the order given).
pub fn codes_markdown(sets: &[&RuleSet]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# 发现代码一览");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "> 本文件由 `{REGENERATE}` 根据内置规则集生成，请勿手工修改；`tests/codes_doc.rs` 在它过期时失败。"
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "每条审核检查是规则集 `policy.toml` 中的一节 `[checks.代码]`：`title`（名称）、`severity`（`error` 错误、\
         `warning` 警告、`info` 提示，或 `off` 关闭）、`message`（提示模板，`{{名称}}` 处填入检查给出的数值）、\
         `reference`（依据）、`params`（阈值与用语，小数写成字符串）；由脚本判断的检查另有 `function`，\
         即规则集 `checks.rhai` 中的函数 `fn 名称(f, p)`：`f` 是事实映射，`p` 是本检查的 `params`，返回 `()` 表示\
         没有发现，返回对象映射表示有发现，映射中的值也可在模板中引用。脚本只读取实际用到的事实（`f.名称`），\
         jixiao 只为它们取值。"
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "依据中写“审核实践”“自评表口径”“省级系统做法”的是通行做法，不是文件原文；写“（大意）”的是文件要求的概括。"
    );
    let _ = writeln!(out);

    // Overview table.
    let _ = write!(out, "| 代码 | 名称 | 判断方式 |");
    for set in sets {
        let _ = write!(out, " {} |", set.id);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "|---|---|---|{}", "---|".repeat(sets.len()));
    for info in &CODES {
        let title = sets
            .first()
            .and_then(|s| s.checks.get(info.code))
            .map_or("", |c| c.title.as_str());
        let logic = match info.logic {
            Logic::Native => "内置",
            Logic::Script => "脚本",
        };
        let _ = write!(
            out,
            "| [{}](#{}) | {} | {logic} |",
            info.id,
            info.id.to_lowercase(),
            cell(title)
        );
        for set in sets {
            let _ = write!(out, " {} |", severity_label(set.checks.get(info.code)));
        }
        let _ = writeln!(out);
    }

    for info in &CODES {
        let title = sets
            .first()
            .and_then(|s| s.checks.get(info.code))
            .map_or("", |c| c.title.as_str());
        let _ = writeln!(out);
        let _ = writeln!(out, "## {}", info.id);
        let _ = writeln!(out);
        let _ = writeln!(out, "**{}**", title);
        let _ = writeln!(out);
        let _ = writeln!(out, "- 检查内容：{}", info.checks);
        let _ = writeln!(out, "- 判断方式：{}", logic_text(info, sets));
        if info.logic == Logic::Script {
            let _ = writeln!(out, "- 调用时机：{}", info.when);
        }
        let _ = writeln!(out, "- 指向的单元格：{}", info.cell);
        let values: Vec<String> = info.values.iter().map(|v| format!("`{{{v}}}`")).collect();
        match info.logic {
            Logic::Native => {
                let _ = writeln!(out, "- 提示模板可用的值：{}", values.join(" "));
            }
            Logic::Script => {
                let _ = writeln!(
                    out,
                    "- 事实 `f`（也可在提示模板中引用）：{}；另加函数返回的值",
                    values.join(" ")
                );
            }
        }
        for spec in info.params {
            let kind = match spec.kind {
                ParamKind::Dec => "小数",
                ParamKind::List => "用语列表",
            };
            let required = if spec.required { "必填" } else { "可省略" };
            let _ = writeln!(
                out,
                "- 参数 `{}`（{kind}，{required}）：{}",
                spec.name, spec.description
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "| 规则集 | 严重程度 | 参数 | 提示模板 | 依据 |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for set in sets {
            let Some(check) = set.checks.get(info.code) else {
                continue;
            };
            let params: Vec<String> = check
                .params
                .iter()
                .map(|(k, v)| format!("`{k}` = {}", param_text(v)))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                set.id,
                severity_label(Some(check)),
                cell(&params.join("；")),
                cell(check.message.source()),
                cell(&check.reference)
            );
        }
    }

    for (heading, docs) in [
        ("脚本检查的事实：指标（I8、I10、R1–R3）", INDICATOR_FACT_DOCS),
        ("脚本检查的事实：项目资金（F4、F5）", FUNDS_FACT_DOCS),
    ] {
        let _ = writeln!(out);
        let _ = writeln!(out, "## {heading}");
        let _ = writeln!(out);
        let _ = writeln!(out, "| 事实 | 含义 |");
        let _ = writeln!(out, "|---|---|");
        for (name, meaning) in docs {
            let _ = writeln!(out, "| `f.{name}` | {} |", cell(meaning));
        }
    }
    out
}
