//! Choosing the rule set for a document: the one whose region and years cover it, or the one
//! the user forces with `--rules ID|PATH`. Never another year's or region's rules silently.

use std::collections::HashMap;
use std::sync::Arc;

use super::{PolicyError, RuleSet, RuleSetFiles, embedded};

/// Why no rule set could be chosen for a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// Nothing covers the year and region.
    #[error("没有适用于{region} {year} 年的规则集（已有：{available}）；可用 --rules 指定一个规则集")]
    NotCovered {
        /// Region asked for, in words.
        region: String,
        /// Year asked for.
        year: i32,
        /// What exists, for the message.
        available: String,
    },
    /// Several sets cover the same year and region.
    #[error("{region} {year} 年有多个规则集适用（{candidates}）；请用 --rules 指定其一")]
    Ambiguous {
        /// Region asked for, in words.
        region: String,
        /// Year asked for.
        year: i32,
        /// The competing ids.
        candidates: String,
    },
}

/// The rule sets a run may use, loaded once each, and how to pick one per document.
pub struct Catalogue {
    sets: Vec<Arc<RuleSet>>,
    forced: Option<Arc<RuleSet>>,
}

impl Catalogue {
    /// Every embedded rule set, loaded and compiled.
    pub fn embedded() -> Result<Self, PolicyError> {
        let mut sets = Vec::new();
        for id in embedded::ids() {
            if let Some(files) = embedded::files(id) {
                sets.push(Arc::new(RuleSet::load(files)?));
            }
        }
        Ok(Self { sets, forced: None })
    }

    /// Loads one rule set by embedded id or folder path (`--rules ID|PATH`).
    pub fn load_one(spec: &str) -> Result<Arc<RuleSet>, PolicyError> {
        let files = RuleSetFiles::resolve(spec)?;
        Ok(Arc::new(RuleSet::load(files)?))
    }

    /// A catalogue that gives every document the same rule set.
    pub fn forced(set: Arc<RuleSet>) -> Self {
        Self {
            sets: vec![set.clone()],
            forced: Some(set),
        }
    }

    /// All rule sets in the catalogue.
    pub fn sets(&self) -> &[Arc<RuleSet>] {
        &self.sets
    }

    /// True when `--rules` forces one set on every document (regions then choose nothing).
    pub fn is_forced(&self) -> bool {
        self.forced.is_some()
    }

    /// The regions some set of the catalogue covers, each once, in set order.
    pub fn regions(&self) -> Vec<&str> {
        let mut regions: Vec<&str> = Vec::new();
        for region in self.sets.iter().filter_map(|s| s.region.as_deref()) {
            if !regions.contains(&region) {
                regions.push(region);
            }
        }
        regions
    }

    /// The rule set for a document of `year` in `region` (`None` = national).
    pub fn select(&self, year: i32, region: Option<&str>) -> Result<Arc<RuleSet>, SelectError> {
        if let Some(set) = &self.forced {
            return Ok(set.clone());
        }
        let region_words = match region {
            Some(r) => format!("地区“{r}”"),
            None => "全国（未指定地区）".to_owned(),
        };
        let candidates: Vec<&Arc<RuleSet>> = self
            .sets
            .iter()
            .filter(|s| s.years.covers(year))
            .filter(|s| match region {
                Some(r) => s.region.as_deref() == Some(r),
                None => s.region.is_none() && s.default_for_national,
            })
            .collect();
        match candidates.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(SelectError::NotCovered {
                region: region_words,
                year,
                available: self
                    .sets
                    .iter()
                    .map(|s| format!("{}（{}）", s.id, s.coverage()))
                    .collect::<Vec<_>>()
                    .join("，"),
            }),
            many => Err(SelectError::Ambiguous {
                region: region_words,
                year,
                candidates: many.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join("、"),
            }),
        }
    }
}

/// Memoises rule-set lookups by (year, region) for large runs.
#[derive(Default)]
pub struct SelectionCache {
    map: HashMap<(i32, Option<String>), Result<Arc<RuleSet>, SelectError>>,
}

impl SelectionCache {
    /// Selects through the cache.
    pub fn select(
        &mut self,
        catalogue: &Catalogue,
        year: i32,
        region: Option<&str>,
    ) -> Result<Arc<RuleSet>, SelectError> {
        self.map
            .entry((year, region.map(str::to_owned)))
            .or_insert_with(|| catalogue.select(year, region))
            .clone()
    }
}
