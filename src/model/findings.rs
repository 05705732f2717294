//! Findings: what is wrong or worth a reviewer's look in a document — data in the report,
//! never an error that stops the run. Each names its rule (code, title, severity from the
//! policy), the document, the indicator path or block, the source cell, and the values the
//! check produced.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::document::CellPos;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; nothing to fix.
    Info,
    /// Probably wrong; a reviewer should look.
    Warning,
    /// Wrong: the form contradicts the rules or itself.
    Error,
}

impl Severity {
    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Warning => "警告",
            Severity::Error => "错误",
        }
    }
}

/// One finding about one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Rule code (F1–F6, S1–S7, I0–I11, R1–R3, T1–T5, M1–M6).
    pub code: String,
    /// The rule's title, from the policy.
    #[serde(default)]
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// What is wrong, in Chinese, with the numbers (the policy's template, filled).
    pub message: String,
    /// Id of the document the finding is about.
    #[serde(default)]
    pub document: String,
    /// Indicator path 一级/二级/三级, when the finding is about one indicator.
    pub indicator: Option<String>,
    /// Block of the form (`funds`, `indicators`, `total`, …) when not about one indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    /// Source cell, when the form came from a spreadsheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<CellPos>,
    /// The values the check produced (those the message used, and any a script returned),
    /// as shown in the message.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// Whether a reviewer's decision waived it.
    pub waived: bool,
}

impl Finding {
    /// A new, unwaived finding.
    pub fn new(code: &str, severity: Severity, message: String) -> Self {
        Self {
            code: code.to_owned(),
            title: String::new(),
            severity,
            message,
            document: String::new(),
            indicator: None,
            block: None,
            at: None,
            values: BTreeMap::new(),
            waived: false,
        }
    }

    /// Attaches the indicator path.
    pub fn on_indicator(mut self, path: String) -> Self {
        self.indicator = Some(path);
        self
    }

    /// Attaches the block name.
    pub fn in_block(mut self, block: &str) -> Self {
        self.block = Some(block.to_owned());
        self
    }

    /// Attaches the source cell.
    pub fn at(mut self, at: Option<CellPos>) -> Self {
        self.at = at;
        self
    }
}
