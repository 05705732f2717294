//! Inferring a form's region from the place names it states, when `--region` is not given.
//!
//! The place names are data (`rules/regions.toml`, embedded): for each region code a rule set may
//! name, the province, city and county names that mark it. The 实施单位, 主管部门 and 项目名称 of an
//! imported form are searched in that order; the first region (in file order: cities before
//! their provinces) with a place name found is the guess. The guess is recorded in the document
//! ([`RegionGuess`], with the cell in its provenance under `/region_inferred`) and used to choose
//! the rule set only when one covers it (see `engine::pipeline`); `--region` always wins.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::document::{EvaluationDocument, RegionGuess};

/// The embedded place-name table.
const REGIONS_TOML: &str = include_str!("../../rules/regions.toml");

/// `rules/regions.toml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    region: Vec<RegionPlaces>,
}

/// One region and the place names that mark it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPlaces {
    /// Region code, as rule sets' `[ruleset] region` names it.
    pub code: String,
    /// The region in words.
    pub title: String,
    /// Place names, any of which a field may contain.
    pub places: Vec<String>,
}

/// The embedded regions, parsed once (a test keeps the file valid).
pub fn regions() -> &'static [RegionPlaces] {
    static REGIONS: OnceLock<Vec<RegionPlaces>> = OnceLock::new();
    REGIONS.get_or_init(|| {
        toml::from_str::<RegionsFile>(REGIONS_TOML)
            .map(|f| f.region)
            .unwrap_or_default()
    })
}

/// The fields searched, in order: JSON pointer and the name shown to users.
const FIELDS: [(&str, &str); 3] = [
    ("/project/implementer", "实施单位"),
    ("/project/department", "主管部门"),
    ("/project/name", "项目名称"),
];

/// The region the place names on a document point to, and the pointer of the field that says
/// so; `None` when no field names a known place.
pub fn infer(doc: &EvaluationDocument) -> Option<(RegionGuess, &'static str)> {
    for (pointer, field) in FIELDS {
        let text = match pointer {
            "/project/implementer" => doc.project.implementer.as_deref(),
            "/project/department" => doc.project.department.as_deref(),
            _ => Some(doc.project.name.as_str()),
        };
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        for region in regions() {
            if let Some(place) = region
                .places
                .iter()
                .find(|p| !p.is_empty() && text.contains(p.as_str()))
            {
                return Some((
                    RegionGuess {
                        region: region.code.clone(),
                        title: region.title.clone(),
                        place: place.clone(),
                        field: field.to_owned(),
                    },
                    pointer,
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_parses_and_codes_are_distinct() {
        let parsed: RegionsFile = toml::from_str(REGIONS_TOML).unwrap();
        assert!(parsed.region.len() >= 6);
        let mut codes: Vec<&str> = parsed.region.iter().map(|r| r.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), parsed.region.len());
    }

    fn doc(implementer: &str, department: &str, name: &str) -> EvaluationDocument {
        let mut d: EvaluationDocument = serde_json::from_str(
            r#"{"id":"x","year":2022,"project":{"name":"x"},"funds":{"total":{"label":"年度资金总额"}},"indicators":[],"total":{}}"#,
        )
        .unwrap();
        d.project.implementer = Some(implementer.to_owned()).filter(|s| !s.is_empty());
        d.project.department = Some(department.to_owned()).filter(|s| !s.is_empty());
        d.project.name = name.to_owned();
        d
    }

    #[test]
    fn the_first_field_naming_a_place_decides_and_cities_come_before_provinces() {
        let (g, at) = infer(&doc("黄石市图书馆", "黄石市文化和旅游局", "共享工程")).unwrap();
        assert_eq!(
            (g.region.as_str(), g.place.as_str(), at),
            ("hubei", "黄石", "/project/implementer")
        );
        let (g, at) = infer(&doc("某某县水利局", "安徽省某某水利厅", "农村饮水")).unwrap();
        assert_eq!((g.region.as_str(), at), ("anhui", "/project/department"));
        let (g, _) = infer(&doc("", "广东省深圳市住房和建设局", "")).unwrap();
        assert_eq!(g.region, "shenzhen");
        assert!(infer(&doc("某某单位", "0102013", "档案整理")).is_none());
    }
}
