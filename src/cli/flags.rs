//! The flags several commands share, each defined once here with one help text: how forms
//! are read ([`FormFlags`]: year, region, layout files) and which rules and reviewer decisions
//! score them ([`RuleFlags`]).
//! A command flattens the groups it takes (`#[command(flatten)]`).

use std::path::PathBuf;

use jixiao::engine::decisions::DecisionSet;
use jixiao::ingest::import::ImportOptions;
use jixiao::ingest::layout;
use jixiao::policy::lint::did_you_mean;
use jixiao::policy::select::Catalogue;

use crate::cli::{report_diagnostics, report_layout_error, report_policy_error};

/// How forms are read when they are imported on the fly: the budget year, the region and the
/// layout files.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FormFlags {
    /// 导入自评表时使用的预算年度（覆盖表中写明的年度）
    #[arg(long, value_name = "Y")]
    pub year: Option<i32>,
    /// 表中没有写明预算年度时使用的年度（表中写明的年度优先）
    #[arg(long, value_name = "Y", conflicts_with = "year")]
    pub default_year: Option<i32>,
    /// 地区代码（如 shenzhen、sichuan）：导入自评表时写入文档，也用于没有写地区的评价文档，决定使用哪个地区的规则集
    #[arg(long, value_name = "R")]
    pub region: Option<String>,
    /// 本单位的自评表格式文件（.toml）或放格式文件的文件夹（可多次指定）：与内置格式一起用于识别表头和行；写法见 docs/layouts.md
    #[arg(long, value_name = "PATH")]
    pub layouts: Vec<PathBuf>,
}

impl FormFlags {
    /// The import options these flags give, with the layouts loaded once for the run; a broken
    /// layout file is reported as `jixiao check` reports it (None: exit 2).
    pub fn import_options(&self) -> Option<ImportOptions> {
        let layouts = match layout::load(&self.layouts) {
            Ok(l) => l,
            Err(e) => {
                report_layout_error(&e);
                return None;
            }
        };
        Some(ImportOptions {
            default_year: self.default_year,
            year: self.year,
            region: self.region.clone(),
            layouts,
        })
    }
}

impl FormFlags {
    /// False (after one error naming the nearest valid regions) when `--region` names a region
    /// no rule set of `catalogue` covers; a forced `--rules` set takes any region.
    pub fn region_is_known(&self, catalogue: &Catalogue) -> bool {
        let Some(region) = self.region.as_deref() else {
            return true;
        };
        let known = catalogue.regions();
        if catalogue.is_forced() || known.contains(&region) {
            return true;
        }
        let suggestion = did_you_mean(region, known.iter().copied())
            .map(|k| format!("是不是 {k}？"))
            .unwrap_or_default();
        crate::cli::report_error(format!(
            "没有地区“{region}”的规则集；{suggestion}可用的地区：{}（不写 --region 时按全国规则集，或按表中地名推断）",
            known.join("、")
        ));
        false
    }
}

/// Which rule sets score the documents and which reviewer decisions apply.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RuleFlags {
    /// 规则集：内置编号（如 shenzhen-2020）或规则集文件夹路径；不指定时按文档的年度和地区选择
    #[arg(long, value_name = "ID|PATH")]
    pub rules: Option<String>,
    /// 审核决定文件（TOML，可多次指定）：先按其中的更正修改表中内容，评分后豁免其中的发现；未生效的决定记为警告 D1
    #[arg(long, value_name = "FILE")]
    pub decisions: Vec<PathBuf>,
}

impl RuleFlags {
    /// The rule sets and decisions, loaded; a broken rule set or decisions file is reported
    /// (None: exit 2).
    pub fn load(&self) -> Option<(Catalogue, DecisionSet)> {
        let catalogue = load_catalogue(self.rules.as_deref())?;
        let decisions = load_decisions(&self.decisions)?;
        Some((catalogue, decisions))
    }
}

/// The rule sets a run uses: the one `--rules ID|PATH` forces, or every embedded set chosen
/// per document by year and region. A broken rule set is reported (None: exit 2).
pub fn load_catalogue(rules: Option<&str>) -> Option<Catalogue> {
    let loaded = match rules {
        Some(spec) => Catalogue::load_one(spec).map(Catalogue::forced),
        None => Catalogue::embedded(),
    };
    loaded.map_err(|e| report_policy_error(&e)).ok()
}

/// The reviewer decisions of the given files, in file order; a broken file is reported (None:
/// exit 2).
pub fn load_decisions(paths: &[PathBuf]) -> Option<DecisionSet> {
    let mut set = DecisionSet::default();
    for path in paths {
        if let Err(e) = set.load_file(path) {
            report_diagnostics(&[e.to_diagnostic()]);
            return None;
        }
    }
    Some(set)
}
