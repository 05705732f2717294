//! A corpus generator for tests and benchmarks: varied, realistic evaluation documents derived
//! from the bundled real forms (the nine Shenzhen seed forms, the Sichuan and the central
//! layout), deterministic for a given seed.
//!
//! Each generated document keeps its template's structure (blocks, indicator kinds, units,
//! weights) and varies what differs between real forms: project names and ids, budget years and
//! regions, amounts, execution rates, actual values (met, missed, over-achieved), reported
//! scores (mostly consistent, sometimes not), notes.

use rust_decimal::Decimal;

use crate::ingest::import::{ImportOptions, import_text};
use crate::model::document::{EvaluationDocument, derive_id};

const SHENZHEN: &str = include_str!("../../tests/fixtures/forms/shenzhen-seed.tsv");
const SICHUAN: &str = include_str!("../../tests/fixtures/forms/sichuan-2022.tsv");
const CENTRAL: &str = include_str!("../../tests/fixtures/forms/central-2021.tsv");

/// SplitMix64: tiny, fast and stable across versions (a corpus must be reproducible).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The template documents the generator varies, imported from the bundled forms.
pub fn templates() -> Vec<EvaluationDocument> {
    let mut out = Vec::new();
    let shenzhen = ImportOptions {
        year: Some(2021),
        default_year: None,
        region: Some("shenzhen".into()),
        ..ImportOptions::default()
    };
    let sichuan = ImportOptions {
        year: Some(2023),
        default_year: None,
        region: Some("sichuan".into()),
        ..ImportOptions::default()
    };
    let national = ImportOptions {
        year: Some(2021),
        default_year: None,
        region: None,
        ..ImportOptions::default()
    };
    for (name, text, options) in [
        ("shenzhen-seed.tsv", SHENZHEN, &shenzhen),
        ("sichuan-2022.tsv", SICHUAN, &sichuan),
        ("central-2021.tsv", CENTRAL, &national),
    ] {
        if let Ok(docs) = import_text(name, text, options) {
            out.extend(docs);
        }
    }
    out
}

/// `value × (1 + k/1000)` rounded to the value's own scale.
fn scale(value: Decimal, per_mille: i64) -> Decimal {
    let factor = Decimal::ONE + Decimal::new(per_mille, 3);
    (value * factor).round_dp(value.scale())
}

/// Varies a numeric text ("≥12", "100%", "2021年11月25日" is left alone) by `per_mille`.
fn vary_number_text(text: &str, per_mille: i64) -> String {
    let start = text.find(|c: char| c.is_ascii_digit());
    let Some(start) = start else {
        return text.to_owned();
    };
    let end = text
        .get(start..)
        .unwrap_or_default()
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(text.len(), |e| start + e);
    // Dates and deadlines keep their text.
    if text.contains('年') || text.contains('月') || (text.contains('-') && text.len() > 8) {
        return text.to_owned();
    }
    let Some(number) = text.get(start..end).and_then(|n| n.parse::<Decimal>().ok()) else {
        return text.to_owned();
    };
    let varied = scale(number, per_mille).max(Decimal::ZERO);
    format!(
        "{}{}{}",
        text.get(..start).unwrap_or_default(),
        varied,
        text.get(end..).unwrap_or_default()
    )
}

/// The `index`-th generated document for `seed`: deterministic, unique id.
pub fn generate_one(templates: &[EvaluationDocument], seed: u64, index: u64) -> Option<EvaluationDocument> {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0xA24B_AED4_963E_E407));
    let template = templates.get(usize::try_from(rng.below(templates.len() as u64)).ok()?)?;
    let mut doc = template.clone();
    doc.provenance.clear();
    doc.source = None;
    doc.realignments.clear();
    doc.unmapped.clear();
    doc.project.name = format!("{}（样本{index}）", template.project.name);
    doc.year = match doc.region.as_deref() {
        Some("shenzhen") => 2020 + i32::try_from(rng.below(2)).unwrap_or(0),
        Some("sichuan") => 2023 + i32::try_from(rng.below(3)).unwrap_or(0),
        _ => 2020 + i32::try_from(rng.below(5)).unwrap_or(0),
    };
    doc.id = derive_id(doc.year, doc.project.department.as_deref(), &doc.project.name);

    // Funds: scale the budget, pick an execution rate between 50% and 105%.
    let budget_factor = i64::try_from(rng.below(1500)).unwrap_or(0) - 500;
    let rate_per_mille = 500 + i64::try_from(rng.below(550)).unwrap_or(0);
    let rate = Decimal::new(rate_per_mille, 3);
    for row in std::iter::once(&mut doc.funds.total).chain(doc.funds.parts.iter_mut()) {
        if let Some(b) = row.budget_adjusted {
            let budget = scale(b, budget_factor);
            row.budget_adjusted = Some(budget);
            row.budget_initial = row.budget_initial.map(|i| {
                if rng.chance(90) {
                    budget
                } else {
                    scale(i, budget_factor)
                }
            });
            row.executed = Some((budget * rate).round_dp(2));
            if row.rate_reported.is_some() {
                row.rate_reported = Some(rate.round_dp(2));
            }
        }
    }
    if let (Some(w), Some(_)) = (doc.funds.total.weight, doc.funds.total.score_reported) {
        doc.funds.total.score_reported = Some((rate.min(Decimal::ONE).round_dp(2) * w).round_dp(2));
    }

    // Indicators: most meet their target as written; some miss or overshoot it.
    let mut total = doc.funds.total.score_reported.unwrap_or_default();
    for ind in &mut doc.indicators {
        if ind.placeholder {
            continue;
        }
        let roll = rng.below(100);
        let per_mille = match roll {
            0..=69 => 0,
            70..=84 => -(i64::try_from(rng.below(400)).unwrap_or(0)),
            85..=94 => i64::try_from(rng.below(3000)).unwrap_or(0),
            _ => i64::try_from(rng.below(200)).unwrap_or(0),
        };
        ind.actual = vary_number_text(&ind.actual, per_mille);
        if per_mille != 0 && rng.chance(60) {
            ind.note = Some(
                if per_mille < 0 {
                    "受疫情影响，部分工作延后完成"
                } else {
                    "实际需求增加"
                }
                .to_owned(),
            );
        }
        if let (Some(w), Some(_)) = (ind.weight, ind.score_reported) {
            let reported = if per_mille < 0 && rng.chance(70) {
                (w * Decimal::new(9, 1)).round_dp(2)
            } else {
                w
            };
            ind.score_reported = Some(reported);
        }
        total += ind.score_reported.unwrap_or_default();
    }
    if doc.total.score_reported.is_some() {
        doc.total.score_reported = Some(if rng.chance(90) { total } else { total + Decimal::ONE });
    }
    Some(doc)
}

/// `count` generated documents for `seed`, in order.
pub fn generate(seed: u64, count: u64) -> impl Iterator<Item = EvaluationDocument> {
    let templates = templates();
    (0..count).filter_map(move |i| generate_one(&templates, seed, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_varied_and_ids_are_unique() {
        let a: Vec<EvaluationDocument> = generate(7, 200).collect();
        let b: Vec<EvaluationDocument> = generate(7, 200).collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 200);
        let ids: std::collections::HashSet<&str> = a.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), 200);
        let years: std::collections::HashSet<i32> = a.iter().map(|d| d.year).collect();
        assert!(years.len() >= 3, "{years:?}");
        let regions: std::collections::HashSet<Option<&str>> = a.iter().map(|d| d.region.as_deref()).collect();
        assert_eq!(regions.len(), 3, "shenzhen, sichuan and national templates");
        let templates = templates();
        assert_eq!(templates.len(), 11);
    }

    #[test]
    fn numbers_in_texts_vary_but_dates_do_not() {
        assert_eq!(vary_number_text("≥12", 500), "≥18");
        assert_eq!(vary_number_text("100%", -100), "90%");
        assert_eq!(vary_number_text("2021年11月25日", 300), "2021年11月25日");
        assert_eq!(vary_number_text("有效提升", 300), "有效提升");
    }
}
