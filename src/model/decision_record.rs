//! What a scorecard reports of the reviewer decisions applied to a document: the kind (correct
//! or waive) and, for each, what, where, old → new, and who decided why. The decisions file and
//! applying it are [`crate::engine::decisions`].

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::document::CellPos;

/// What a decision does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Corrects a field of the form before scoring.
    Correct,
    /// Waives a finding after scoring.
    Waive,
}

impl DecisionKind {
    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            DecisionKind::Correct => "更正",
            DecisionKind::Waive => "豁免",
        }
    }
}

/// An applied decision as the scorecard reports it: what, where, old → new, and who decided why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct DecisionRecord {
    /// `correct` or `waive`.
    pub kind: DecisionKind,
    /// Where the decision is written (`file:line:column`).
    pub source: String,
    /// Indicator path 一级/二级/三级, when the decision is about one indicator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// Corrected field (`target`, `funds.executed`, `total.score_reported`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For funds fields of a 其中 row: its label (absent for the 年度资金总额 row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// Chinese label of the corrected field (年度指标值, 全年执行数, …), with the funds row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_label: Option<String>,
    /// Source cell of the corrected field, when the form came from a spreadsheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<CellPos>,
    /// What the form said (`null` when the field was empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// What replaced it (`null` when the correction clears the field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// Waived finding code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Number of findings the waiver marked waived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<usize>,
    /// Why.
    pub reason: String,
    /// Who.
    pub reviewer: String,
    /// When (`YYYY-MM-DD`).
    pub date: String,
}

impl DecisionRecord {
    /// One line in Chinese: "更正 产出指标/…/项目成本（元） 年度指标值：“≤124000” → “≤1240000”".
    pub fn summary(&self) -> String {
        let place = self.indicator.as_deref().map(|p| format!(" {p}")).unwrap_or_default();
        match self.kind {
            DecisionKind::Correct => format!(
                "更正{place} {}：{} → {}",
                self.field_label.as_deref().unwrap_or(""),
                quoted(self.old.as_deref()),
                quoted(self.new.as_deref())
            ),
            DecisionKind::Waive => format!(
                "豁免{place} 发现 {}（{} 条）",
                self.code.as_deref().unwrap_or(""),
                self.waived.unwrap_or(0)
            ),
        }
    }

    /// "理由：…；审核人：…，日期" with the source.
    pub fn attribution(&self) -> String {
        format!(
            "理由：{}；审核人：{}，{}；见 {}",
            self.reason, self.reviewer, self.date, self.source
        )
    }
}

/// A value in Chinese quotes, or “（空）” when absent, as summaries show corrected fields.
pub(crate) fn quoted(value: Option<&str>) -> String {
    match value {
        Some(v) => format!("“{v}”"),
        None => "（空）".to_owned(),
    }
}
