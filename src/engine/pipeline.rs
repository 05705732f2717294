//! The one way a document is scored, whatever the command: choose its rule set (or take the one
//! the user forced with `--rules`), apply the reviewers' corrections, score, apply the waivers.
//! `score`, `run`, `verify`, batch runs, `explain`, `diff` and the rule-set test runner all go
//! through here, so a document gets the same scorecard from each of them.
//!
//! Errors are typed ([`PipelineError`]): no rule set covers the document, a script failed, or a
//! computation on the document's numbers overflowed.
//! Callers decide how to show them; none of them is a panic and none stops the other documents.

use std::sync::Arc;

use crate::engine::decisions::{Corrected, Decision, DecisionSet, apply_corrections, apply_waivers};
use crate::engine::scoring::{ScoreError, Scorecard, score_document, score_document_traced, score_owned_document};
use crate::engine::trace::Trace;
use crate::model::document::EvaluationDocument;
use crate::model::findings::Severity;
use crate::model::range::Overflow;
use crate::policy::RuleSet;
use crate::policy::select::{Catalogue, SelectError};
use crate::script::ScriptError;

/// Why one document could not be scored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PipelineError {
    /// No rule set (or more than one) covers the document's year and region.
    #[error(transparent)]
    NoRuleSet(#[from] SelectError),
    /// A rule-set script failed on this document (a broken or hostile policy).
    #[error(transparent)]
    Script(#[from] ScriptError),
    /// A computation on this document's numbers left the decimal range (the message names the
    /// field by its JSON pointer).
    #[error(transparent)]
    Overflow(#[from] Overflow),
}

impl From<ScoreError> for PipelineError {
    fn from(e: ScoreError) -> Self {
        match e {
            ScoreError::Script(e) => Self::Script(e),
            ScoreError::Overflow(e) => Self::Overflow(e),
        }
    }
}

/// A run's scoring context: the rule sets to choose from and the reviewers' decisions.
#[derive(Clone, Copy)]
pub struct Pipeline<'a> {
    catalogue: &'a Catalogue,
    decisions: Option<&'a DecisionSet>,
}

impl<'a> Pipeline<'a> {
    /// Scores under `catalogue`, applying `decisions` (an empty set applies none).
    pub fn new(catalogue: &'a Catalogue, decisions: &'a DecisionSet) -> Self {
        Self {
            catalogue,
            decisions: Some(decisions),
        }
    }

    /// Scores under `catalogue` with no reviewer decisions.
    pub fn without_decisions(catalogue: &'a Catalogue) -> Self {
        Self {
            catalogue,
            decisions: None,
        }
    }

    /// The rule set that applies to `doc`: by its region; with none given, by the region its
    /// place names point to (`region_inferred`) when exactly one set covers that region and
    /// year, else the national set.
    pub fn rules_for(&self, doc: &EvaluationDocument) -> Result<Arc<RuleSet>, SelectError> {
        if doc.region.is_none()
            && let Some(guess) = &doc.region_inferred
            && let Ok(set) = self.catalogue.select(doc.year, Some(&guess.region))
        {
            return Ok(set);
        }
        self.catalogue.select(doc.year, doc.region.as_deref())
    }

    /// The decisions about `doc`, in file order.
    pub fn decisions_for(&self, doc: &EvaluationDocument) -> Vec<&'a Decision> {
        self.decisions.map(|d| d.for_document(&doc.id)).unwrap_or_default()
    }

    /// Scores one document: its rule set, corrections, scoring, waivers.
    pub fn score(&self, doc: &EvaluationDocument) -> Result<Scored, PipelineError> {
        let rules = self.rules_for(doc)?;
        let card = score_under(&rules, doc, &self.decisions_for(doc))?;
        Ok(Scored { rules, card })
    }

    /// [`Pipeline::score`] for a document the caller is done with (a batch run): without
    /// decisions, its texts move into the scorecard instead of being copied. A failure comes
    /// with the document's id.
    pub fn score_owned(&self, doc: EvaluationDocument) -> Result<Scorecard, (PipelineError, String)> {
        let rules = match self.rules_for(&doc) {
            Ok(rules) => rules,
            Err(e) => return Err((e.into(), doc.id)),
        };
        let decisions = self.decisions_for(&doc);
        if decisions.is_empty() {
            let rules = rules.for_year(doc.year);
            return score_owned_document(&rules, doc).map_err(|(e, id)| (e.into(), id));
        }
        score_under(&rules, &doc, &decisions).map_err(|e| (e.into(), doc.id))
    }
}

/// Why `rules` was chosen for `doc`, in Chinese, as `score` tells a run without `--region`
/// ("文档写明地区 …", "按表中地名推断为…", …).
pub fn choice_reason(doc: &EvaluationDocument, rules: &RuleSet) -> String {
    match (&doc.region, &doc.region_inferred) {
        (Some(r), _) => format!("文档写明地区 {r}"),
        (None, Some(g)) if rules.region.as_deref() == Some(g.region.as_str()) => {
            format!("按表中地名推断为{}", g.title)
        }
        (None, Some(g)) => format!("表中地名指向{}，但没有适用的地区规则集", g.title),
        (None, None) => "未写地区，按全国规则集".to_owned(),
    }
}

/// A scored document and the rule set that scored it.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The rule set chosen for the document.
    pub rules: Arc<RuleSet>,
    /// The scorecard.
    pub card: Scorecard,
}

/// The chain after the rule set is chosen: `decisions` correct the document, it is scored under
/// `rules`, and the waivers among `decisions` are applied to the findings. Stale decisions
/// (matching nothing) are reported as `D1` findings. Commands that name the rule set themselves
/// (`diff`, rule-set tests) start here.
pub fn score_under(
    rules: &RuleSet,
    doc: &EvaluationDocument,
    decisions: &[&Decision],
) -> Result<Scorecard, ScoreError> {
    // Parameters with values by year take the document's year's.
    let rules = &*rules.for_year(doc.year);
    if decisions.is_empty() {
        return score_document(rules, doc);
    }
    let corrected = apply_corrections(doc, decisions);
    let mut card = score_document(rules, &corrected.document)?;
    settle_decisions(&mut card, corrected, decisions);
    Ok(card)
}

/// A document scored with scoring's record kept, for `explain`.
#[derive(Debug, Clone)]
pub struct Traced {
    /// The document as scored: corrected by the reviewer's decisions.
    pub document: EvaluationDocument,
    /// The scorecard, exactly as [`score_under`] gives it.
    pub card: Scorecard,
    /// What scoring did, step by step.
    pub trace: Trace,
}

/// [`score_under`] with scoring's [`Trace`] kept, and the corrected document the trace is about:
/// the same steps, so an explanation shows the very scorecard every other command reports.
pub fn score_under_traced(
    rules: &RuleSet,
    doc: &EvaluationDocument,
    decisions: &[&Decision],
) -> Result<Traced, ScoreError> {
    let rules = &*rules.for_year(doc.year);
    let corrected = apply_corrections(doc, decisions);
    let (mut card, trace) = score_document_traced(rules, &corrected.document)?;
    let document = settle_decisions(&mut card, corrected, decisions);
    Ok(Traced { document, card, trace })
}

/// After scoring the corrected document: the waivers applied, the applied decisions recorded
/// in file order, stale ones reported as `D1` findings. Gives back the corrected document.
fn settle_decisions(card: &mut Scorecard, corrected: Corrected, decisions: &[&Decision]) -> EvaluationDocument {
    let (waived, waiver_stale) = apply_waivers(card, &corrected.document, decisions);
    let mut applied = corrected.applied;
    applied.extend(waived);
    applied.sort_by_key(|(index, _)| *index);
    card.decisions = applied.into_iter().map(|(_, rec)| rec).collect();
    card.findings.extend(corrected.stale);
    card.findings.extend(waiver_stale);
    corrected.document
}

/// Threshold of `--fail-on`: which unwaived findings make a run exit with 1. Waived findings
/// never trip it; stale decisions (`D1` warnings) trip it only at `warning`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// 有错误级发现时退出码为 1
    #[default]
    Error,
    /// 有警告或错误级发现时退出码为 1
    Warning,
    /// 发现不影响退出码
    Never,
}

impl FailOn {
    /// Whether `card` has an unwaived finding at or above the threshold.
    pub fn trips(self, card: &Scorecard) -> bool {
        let at_least = match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Never => return false,
        };
        card.findings.iter().any(|f| !f.waived && f.severity >= at_least)
    }
}
