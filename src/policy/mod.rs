//! Rule sets: a folder of `policy.toml` + `*.rhai` scripts turned into a checked, immutable
//! [`RuleSet`] whose scripts are compiled once.
//!
//! The raw file format lives in [`model`]; reviewer checks (`[checks.<CODE>]`) are checked in
//! [`checks`]; a set may extend another and write only what differs ([`inherit`]); the rule sets
//! shipped in `rules/` are embedded in the binary ([`embedded`]); [`select`] picks the set that
//! covers a document's year and region. Parameters may take values by year (`by_year`), chosen
//! by the document's year ([`RuleSet::for_year`]).
//! Loading and `jixiao check` run the same check ([`lint::analyse`]); a broken rule set is a
//! [`PolicyError`] holding every [`Diagnostic`] found, each naming its file and line:column —
//! never a finding.

pub mod checks;
pub mod embedded;
pub mod inherit;
pub mod lint;
pub mod model;
pub mod select;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::model::diagnostic::{Diagnostic, Loc};
use crate::model::files::read_regular;
use crate::script::{ScriptLimits, ScriptSet};
use model::{RoundingMode, YearRange};

/// File name of the policy inside a rule-set folder.
pub const POLICY_FILE: &str = "policy.toml";

/// Where a rule set was loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSetOrigin {
    /// Compiled into the binary from `rules/<id>/`.
    Embedded,
    /// An editor's folder on disk.
    Folder(PathBuf),
}

/// The text files of one rule set, before checking: `policy.toml`, scripts, and anything else.
#[derive(Debug, Clone)]
pub struct RuleSetFiles {
    /// Where they came from.
    pub origin: RuleSetOrigin,
    /// Name used in messages (folder name or embedded id).
    pub name: String,
    /// `(relative path, text)`, sorted by path.
    pub files: Vec<(String, String)>,
}

impl RuleSetFiles {
    /// Reads every text file of a rule-set folder (not descending into `tests/`): the
    /// `.toml` and `.rhai` files, each a regular file of at most [`MAX_RULESET_FILE`] bytes of
    /// UTF-8 text — anything else with those names is an error naming it, never read.
    pub fn read_folder(dir: &Path) -> Result<Self, PolicyError> {
        let name = folder_name(dir);
        let entries = std::fs::read_dir(dir)
            .map_err(|e| PolicyError::files(&name, "", format!("无法读取文件夹 {}：{e}", dir.display())))?;
        let mut files = Vec::new();
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            if !(file_name.ends_with(".toml") || file_name.ends_with(".rhai")) || entry.path().is_dir() {
                continue;
            }
            let text = read_ruleset_text(&entry.path())
                .and_then(|text| stays_inside(dir, &entry.path()).map(|()| text))
                .map_err(|e| PolicyError::files(&name, &file_name, e))?;
            files.push((file_name, text));
        }
        files.sort();
        Ok(Self {
            origin: RuleSetOrigin::Folder(dir.to_owned()),
            name,
            files,
        })
    }

    /// Reads the editor-written test cases (`tests/*.toml`) of a rule-set folder, with the same
    /// limits as [`RuleSetFiles::read_folder`]; other files in `tests/` are not opened.
    pub fn read_folder_tests(dir: &Path) -> Result<Vec<(String, String)>, PolicyError> {
        let name = folder_name(dir);
        let Ok(entries) = std::fs::read_dir(dir.join("tests")) else {
            return Ok(Vec::new());
        };
        let mut files = Vec::new();
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            if !file_name.ends_with(".toml") {
                continue;
            }
            let relative = format!("tests/{file_name}");
            let text = read_ruleset_text(&entry.path())
                .and_then(|text| stays_inside(dir, &entry.path()).map(|()| text))
                .map_err(|e| PolicyError::files(&name, &relative, e))?;
            files.push((file_name, text));
        }
        files.sort();
        Ok(files)
    }

    /// The files of a rule set named by embedded id or folder path (`--rules ID|PATH`). Its
    /// test cases are not read (see [`RuleSetFiles::resolve_with_tests`]).
    pub fn resolve(spec: &str) -> Result<Self, PolicyError> {
        let path = Path::new(spec);
        if path.is_dir() {
            return Self::read_folder(path);
        }
        embedded::files(spec).ok_or_else(|| not_found(spec))
    }

    /// [`RuleSetFiles::resolve`] with the rule set's test cases (`jixiao test`, `new-year`).
    pub fn resolve_with_tests(spec: &str) -> Result<(Self, Vec<(String, String)>), PolicyError> {
        let path = Path::new(spec);
        if path.is_dir() {
            return Ok((Self::read_folder(path)?, Self::read_folder_tests(path)?));
        }
        match embedded::files(spec) {
            Some(files) => Ok((files, embedded::test_files(spec))),
            None => Err(not_found(spec)),
        }
    }

    fn get(&self, file: &str) -> Option<&str> {
        self.files.iter().find(|(n, _)| n == file).map(|(_, t)| t.as_str())
    }
}

/// Largest rule-set file jixiao reads (policy, script or test case): rule sets are small text,
/// so anything larger is refused rather than read.
pub const MAX_RULESET_FILE: u64 = 4 << 20;

/// The text of a rule-set file: a regular file (a symlink only when it leads to one), at most
/// [`MAX_RULESET_FILE`] bytes, UTF-8 ([`read_regular`]: a FIFO or device is refused at once, so
/// it can neither block nor stream without end). The error is a Chinese sentence.
pub(crate) fn read_ruleset_text(path: &Path) -> Result<String, String> {
    let bytes = read_regular(path, MAX_RULESET_FILE).map_err(|e| format!("{}，不读取", e.reason()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "不是 UTF-8 文本（第 {} 个字节起）；请另存为 UTF-8 编码",
            e.utf8_error().valid_up_to() + 1
        )
    })
}

/// Refuses a file of a rule-set folder that is a symbolic link leading out of the folder: a
/// rule set (perhaps someone else's) must not make jixiao read a file elsewhere — such as
/// `/etc/passwd` under the name `policy.toml` — and show its lines in a syntax error. Links
/// within the folder (and a linked folder as a whole) are followed as before.
fn stays_inside(dir: &Path, path: &Path) -> Result<(), String> {
    let linked = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !linked {
        return Ok(());
    }
    match (std::fs::canonicalize(dir), std::fs::canonicalize(path)) {
        (Ok(root), Ok(target)) if target.starts_with(&root) => Ok(()),
        (_, Ok(target)) => Err(format!(
            "是指向规则集文件夹之外（{}）的符号链接，不读取：规则集的文件必须放在规则集文件夹中",
            target.display()
        )),
        (_, Err(e)) => Err(format!("无法确定符号链接指向哪里：{e}")),
    }
}

/// The name a rule-set folder goes by in messages: its last component.
fn folder_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

fn not_found(spec: &str) -> PolicyError {
    PolicyError::files(
        spec,
        "",
        format!(
            "找不到：它既不是内置规则集（{}），也不是文件夹",
            embedded::ids().join("、")
        ),
    )
}

/// A rule set that cannot be used. Every variant carries [`Diagnostic`]s, each with its one
/// [`Loc`]; render them with [`crate::report::diagnostics::render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// The rule set's files could not be found, read or written.
    Files(Box<Diagnostic>),
    /// The files were read, and checking them ([`lint::analyse`]) found errors.
    Invalid {
        /// Rule set name (folder or embedded id).
        ruleset: String,
        /// Every diagnostic the check found, errors first (at least one error).
        diagnostics: Vec<Diagnostic>,
    },
}

impl PolicyError {
    /// A problem with the rule set's files as a whole (`file` empty for the folder).
    pub(crate) fn files(ruleset: &str, file: &str, message: String) -> Self {
        PolicyError::Files(Box::new(Diagnostic::error(
            "jixiao::policy::files",
            Loc::in_ruleset(ruleset, file),
            message,
        )))
    }

    /// Every diagnostic, errors first.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            PolicyError::Files(d) => std::slice::from_ref(&**d),
            PolicyError::Invalid { diagnostics, .. } => diagnostics,
        }
    }

    /// The first error.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.diagnostics().iter().find(|d| d.is_error())
    }
}

impl fmt::Display for PolicyError {
    /// The first error on one line; how many more there are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.diagnostics().iter().filter(|d| d.is_error()).count();
        match self.first_error() {
            Some(first) => write!(f, "{first}")?,
            None => f.write_str("规则集无法使用")?,
        }
        if errors > 1 {
            write!(f, "（另有 {} 个错误）", errors - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// A named parameter, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Name scripts read it by (`p.name`).
    pub name: String,
    /// Value: for values by year, the one of the year the set was resolved for
    /// ([`RuleSet::for_year`]; the set's first year until then).
    pub value: Decimal,
    /// Values by year (`by_year`): each value with the year it applies from, ascending; empty
    /// for a single value.
    pub by_year: Vec<(i32, Decimal)>,
    /// For values by year, the year the value in force applies from.
    pub year: Option<i32>,
    /// Meaning.
    pub description: String,
    /// Clause or practice it implements.
    pub reference: Option<String>,
}

/// One qualitative tier, checked: phrases and the share of the weight it earns.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Tier name.
    pub name: String,
    /// Lower bound of the score share (inclusive).
    pub min: Decimal,
    /// Upper bound of the score share (inclusive).
    pub max: Decimal,
    /// Phrases meaning this tier.
    pub phrases: Vec<String>,
}

/// `[classify.criteria]`: indicators judged against written criteria in these level-1 blocks,
/// scored as reported within the tier's band.
#[derive(Debug, Clone, PartialEq)]
pub struct CriteriaTier {
    /// Level-1 names (as the importer records them, weight marks removed).
    pub level1: Vec<String>,
    /// The band, as a tier without phrases.
    pub tier: Tier,
}

/// Names of the script functions that score each kind of indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaNames {
    /// Execution rate.
    pub budget_rate: String,
    /// Execution score.
    pub budget_score: String,
    /// ≥ / > indicators.
    pub forward: String,
    /// ≤ / < indicators.
    pub reverse: String,
    /// = indicators.
    pub equal: String,
    /// Qualitative indicators.
    pub qualitative: String,
    /// Deadlines.
    pub deadline: String,
}

/// A checked, immutable rule set with its scripts compiled once (shared by clones).
#[derive(Clone)]
pub struct RuleSet {
    /// Id (`shenzhen-2020`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Region code; `None` for national sets.
    pub region: Option<String>,
    /// Budget years covered.
    pub years: YearRange,
    /// Default for documents with no region.
    pub default_for_national: bool,
    /// Source documents (title, url).
    pub sources: Vec<(String, Option<String>)>,
    /// Funds (budget execution) points in the profile.
    pub budget_weight: Decimal,
    /// Points of all indicators together.
    pub indicators_weight: Decimal,
    /// Level-1 weights in the profile (empty when the policy sets none).
    pub level1_weights: BTreeMap<String, Decimal>,
    /// Full marks.
    pub total_weight: Decimal,
    /// Rescale level-1 blocks whose declared weights differ from the profile.
    pub rescale: bool,
    /// Use the form's own 分值 for budget execution.
    pub budget_weight_from_form: bool,
    /// Rounding mode used everywhere the policy rounds.
    pub rounding_mode: RoundingMode,
    /// Places for indicator and funds scores.
    pub score_places: u32,
    /// Places for the total.
    pub total_places: u32,
    /// Grade bands, highest minimum first.
    pub grades: Vec<(String, Decimal)>,
    /// Unit → (base unit, factor).
    pub units: BTreeMap<String, (String, Decimal)>,
    /// Qualitative tiers, best first.
    pub tiers: Vec<Tier>,
    /// Level-2 names scored lower-is-better when the target has no comparator.
    pub reverse_level2: Vec<String>,
    /// Actual text equal to target text counts as the top qualitative tier.
    pub same_text_is_top_tier: bool,
    /// Level-1 blocks whose criteria indicators (blank actual, text target) are scored as
    /// reported within a band (`[classify.criteria]`), and that band as a tier.
    pub criteria: Option<CriteriaTier>,
    /// Script function per indicator kind.
    pub formulas: FormulaNames,
    /// Named parameters.
    pub params: Vec<Parameter>,
    /// The parameters as the map scripts receive as `p`.
    pub params_map: rhai::Map,
    /// Whether a parameter has values by year ([`RuleSet::for_year`]).
    pub dated: bool,
    /// For a set with values by year, the set resolved for each year a value starts (made once,
    /// at load; empty in those copies themselves).
    pub year_sets: Arc<Vec<(i32, Arc<RuleSet>)>>,
    /// Note texts that explain nothing ("无", "无偏差", "/"); a blank cell never explains.
    pub blank_notes: Vec<String>,
    /// Reviewer checks, one per finding code.
    pub checks: checks::Checks,
    /// Compiled scripts.
    pub scripts: Arc<ScriptSet>,
    /// The files it was built from.
    pub files: RuleSetFiles,
    /// The sets it extends (`[ruleset] extends`), root first; empty when it extends none.
    pub inherited: Vec<RuleSetFiles>,
    /// Its script files in compile order, inherited ones named `parent/file`.
    pub script_files: Vec<(String, String)>,
    /// Inherited script functions it never reaches, left out of its scripts.
    pub dropped_functions: Arc<std::collections::BTreeSet<(String, usize)>>,
    /// Where each formula, parameter and check was written: `formulas.forward`,
    /// `params.rate_places`, `checks.F4` → `rules/cn-mof-2020/policy.toml:95`.
    pub places: Arc<BTreeMap<String, String>>,
    /// The warnings checking its files found (it has no errors, or it would not have loaded).
    pub warnings: Arc<Vec<Diagnostic>>,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSet")
            .field("id", &self.id)
            .field("years", &self.years)
            .finish_non_exhaustive()
    }
}

impl RuleSet {
    /// Loads and checks a rule set from its files; compiles its scripts.
    pub fn load(files: RuleSetFiles) -> Result<Self, PolicyError> {
        Self::load_with_limits(files, &ScriptLimits::default())
    }

    /// As [`RuleSet::load`], with explicit script limits.
    ///
    /// The files go through the one check of a rule set ([`lint::analyse`], what `jixiao check`
    /// runs): any error fails the load with every diagnostic found; warnings are kept in
    /// [`RuleSet::warnings`].
    pub fn load_with_limits(files: RuleSetFiles, limits: &ScriptLimits) -> Result<Self, PolicyError> {
        let lint::Analysis {
            raw,
            scripts,
            checks,
            diagnostics,
            chain,
            script_files,
            dropped,
        } = lint::analyse(&files, limits);
        let (Some(raw), Some(scripts), Some(checks)) = (raw, scripts, checks) else {
            return Err(PolicyError::Invalid {
                ruleset: files.name.clone(),
                diagnostics,
            });
        };
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(PolicyError::Invalid {
                ruleset: files.name.clone(),
                diagnostics,
            });
        }

        let total = raw.profile.total.value.0;
        let budget_weight = raw.profile.budget.value.0;
        let indicators_weight = raw.profile.indicators.value.0;
        let mut grades: Vec<(String, Decimal)> = raw.grades.iter().map(|g| (g.grade.clone(), g.min.value.0)).collect();
        grades.sort_by_key(|g| std::cmp::Reverse(g.1));
        let tiers: Vec<Tier> = raw
            .qualitative
            .iter()
            .map(|t| Tier {
                name: t.tier.clone(),
                min: t.min.value.0,
                max: t.max.value.0,
                phrases: t.phrases.clone(),
            })
            .collect();
        let first_year = raw.ruleset.years.value.from;
        let params: Vec<Parameter> = raw
            .params
            .iter()
            .map(|(name, p)| {
                let by_year: Vec<(i32, Decimal)> = p
                    .values()
                    .into_iter()
                    .filter_map(|(y, v)| y.map(|y| (y, v.value.0)))
                    .collect();
                let mut param = Parameter {
                    name: name.clone(),
                    value: p.value.as_ref().map_or(Decimal::ZERO, |v| v.value.0),
                    by_year,
                    year: None,
                    description: p.description.clone(),
                    reference: p.reference.clone(),
                };
                param.resolve(first_year);
                param
            })
            .collect();
        let params_map: rhai::Map = params
            .iter()
            .map(|p| (p.name.as_str().into(), param_dynamic(p.value)))
            .collect();
        let f = &raw.formulas;
        let mut places = BTreeMap::new();
        for (located, _, key) in f.slots() {
            places.insert(format!("formulas.{key}"), chain.place(&located.span));
        }
        for (name, p) in &raw.params {
            places.insert(format!("params.{name}"), chain.place(&p.span()));
        }
        for key in raw.checks.value.keys() {
            places.insert(format!("checks.{}", key.0.get_ref()), chain.place(&key.0.span()));
        }
        let inherited: Vec<RuleSetFiles> = chain
            .layers
            .iter()
            .take(chain.layers.len().saturating_sub(1))
            .map(|l| l.files.clone())
            .collect();

        let mut set = RuleSet {
            id: raw.ruleset.id.value.clone(),
            title: raw.ruleset.title.clone(),
            region: raw.ruleset.region.clone(),
            years: raw.ruleset.years.value,
            default_for_national: raw.ruleset.default_for_national,
            sources: raw
                .ruleset
                .sources
                .iter()
                .map(|s| (s.title.clone(), s.url.clone()))
                .collect(),
            budget_weight,
            indicators_weight,
            level1_weights: raw
                .profile
                .level1
                .as_ref()
                .map(|l| l.value.iter().map(|(k, v)| (k.clone(), v.0)).collect())
                .unwrap_or_default(),
            total_weight: total,
            rescale: raw.profile.rescale,
            budget_weight_from_form: raw.profile.budget_weight_from_form,
            rounding_mode: raw.rounding.mode,
            score_places: raw.rounding.score_places,
            total_places: raw.rounding.total_places,
            grades,
            units: raw
                .units
                .iter()
                .map(|(k, u)| (k.clone(), (u.base.clone(), u.factor.0)))
                .collect(),
            tiers,
            reverse_level2: raw.classify.reverse_level2.clone(),
            same_text_is_top_tier: raw.classify.same_text_is_top_tier,
            criteria: raw.classify.criteria.as_ref().map(|c| CriteriaTier {
                level1: c.level1.iter().map(|l| l.value.clone()).collect(),
                tier: Tier {
                    name: c.tier.clone(),
                    min: c.min.value.0,
                    max: c.max.value.0,
                    phrases: Vec::new(),
                },
            }),
            formulas: FormulaNames {
                budget_rate: f.budget_rate.value.clone(),
                budget_score: f.budget_score.value.clone(),
                forward: f.forward.value.clone(),
                reverse: f.reverse.value.clone(),
                equal: f.equal.value.clone(),
                qualitative: f.qualitative.value.clone(),
                deadline: f.deadline.value.clone(),
            },
            dated: params.iter().any(|p| !p.by_year.is_empty()) || checks.is_dated(),
            year_sets: Arc::default(),
            params,
            params_map,
            blank_notes: raw.notes.blank.iter().map(|n| n.trim().to_owned()).collect(),
            checks,
            scripts: Arc::new(scripts),
            files,
            inherited,
            script_files,
            dropped_functions: Arc::new(dropped),
            places: Arc::new(places),
            warnings: Arc::new(diagnostics),
        };
        if set.dated {
            // The first year's values stand until a document's year is known.
            set.checks = set.checks.for_year(set.years.from);
            set.year_sets = Arc::new(set.make_year_sets());
        }
        Ok(set)
    }

    /// A file of the set as a path an editor can open; `parent/file` names a file of a set it
    /// extends (`rules/cn-mof-2020/formulas.rhai`).
    pub fn file_path(&self, file: &str) -> String {
        match file.split_once('/') {
            Some((name, rest)) => match self.inherited.iter().rev().find(|f| f.name == name) {
                Some(parent) => inherit::file_path(parent, rest),
                None => inherit::file_path(&self.files, file),
            },
            None => inherit::file_path(&self.files, file),
        }
    }

    /// The text of one of its script files (`parent/file` for an inherited one).
    pub fn script_text(&self, file: &str) -> Option<&str> {
        self.script_files
            .iter()
            .find(|(n, _)| n == file)
            .map(|(_, t)| t.as_str())
    }

    /// Where a formula, parameter or check was written (`params.rate_places` →
    /// `rules/shenzhen-2020/policy.toml:89`).
    pub fn place(&self, key: &str) -> Option<&str> {
        self.places.get(key).map(String::as_str)
    }

    /// Rounds a score to the policy's score places, in its mode, written with exactly that
    /// many decimals (9.8 → 9.80).
    pub fn round_score(&self, x: Decimal) -> Decimal {
        let mut r = self.rounding_mode.round(x, self.score_places);
        r.rescale(self.score_places);
        r
    }

    /// Rounds a total to the policy's total places, in its mode, with exactly that many decimals.
    pub fn round_total(&self, x: Decimal) -> Decimal {
        let mut r = self.rounding_mode.round(x, self.total_places);
        r.rescale(self.total_places);
        r
    }

    /// A copy of this rule set with one parameter set to `value` (scripts are shared, not
    /// recompiled): for probing how results depend on a parameter.
    pub fn with_param(&self, name: &str, value: Decimal) -> RuleSet {
        let mut copy = self.clone();
        copy.params_map.insert(name.into(), param_dynamic(value));
        if let Some(p) = copy.params.iter_mut().find(|p| p.name == name) {
            p.value = value;
            p.by_year.clear();
            p.year = None;
        }
        copy.dated = copy.params.iter().any(|p| !p.by_year.is_empty()) || copy.checks.is_dated();
        copy.year_sets = Arc::new(if copy.dated { copy.make_year_sets() } else { Vec::new() });
        copy
    }

    /// The set as it applies to documents of budget year `year`: each parameter with values by
    /// year takes the value of the latest year not after `year` (the first when `year` is before
    /// them all). The set itself when it has no values by year — the common case costs nothing.
    ///
    /// The sets for each year a value changes are made once, at load ([`RuleSet::year_sets`]):
    /// a document borrows the one of its year.
    pub fn for_year(&self, year: i32) -> std::borrow::Cow<'_, RuleSet> {
        if !self.dated || self.resolved_for(year) {
            return std::borrow::Cow::Borrowed(self);
        }
        let made = self
            .year_sets
            .iter()
            .rev()
            .find(|(from, _)| *from <= year)
            .or_else(|| self.year_sets.first());
        match made {
            Some((_, set)) if set.resolved_for(year) => std::borrow::Cow::Borrowed(&**set),
            _ => std::borrow::Cow::Owned(self.resolved(year)),
        }
    }

    /// Whether every parameter with values by year already has the value of `year`.
    fn resolved_for(&self, year: i32) -> bool {
        self.params
            .iter()
            .all(|p| p.by_year.is_empty() || p.year == Some(p.applying(year).0))
            && self.checks.resolved_for(year)
    }

    /// A copy with the parameters with values by year set to those of `year`.
    fn resolved(&self, year: i32) -> RuleSet {
        let mut copy = self.clone();
        copy.year_sets = Arc::default();
        for p in copy.params.iter_mut().filter(|p| !p.by_year.is_empty()) {
            p.resolve(year);
            copy.params_map.insert(p.name.as_str().into(), param_dynamic(p.value));
        }
        if copy.checks.is_dated() {
            copy.checks = copy.checks.for_year(year);
        }
        copy
    }

    /// The set resolved for each year a value by year starts, ascending.
    fn make_year_sets(&self) -> Vec<(i32, Arc<RuleSet>)> {
        let years: std::collections::BTreeSet<i32> = self
            .params
            .iter()
            .flat_map(|p| p.by_year.iter().map(|(y, _)| *y))
            .chain(self.checks.years())
            .collect();
        years
            .into_iter()
            .map(|year| (year, Arc::new(self.resolved(year))))
            .collect()
    }

    /// A copy of this rule set with one decimal parameter of the check `code` (`[checks.CODE]
    /// params`) set to `value`; scripts are shared, not recompiled.
    pub fn with_check_param(&self, code: checks::Code, name: &str, value: Decimal) -> RuleSet {
        let mut copy = self.clone();
        copy.checks = self.checks.with_param(code, name, value);
        copy.dated = copy.params.iter().any(|p| !p.by_year.is_empty()) || copy.checks.is_dated();
        copy.year_sets = Arc::new(if copy.dated { copy.make_year_sets() } else { Vec::new() });
        copy
    }

    /// Every finding code this rule set can produce: those whose check is not switched off.
    pub fn finding_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .checks
            .iter()
            .filter(|c| c.severity.is_some())
            .map(|c| c.code.id().to_owned())
            .collect();
        codes.sort();
        codes
    }

    /// A parameter's value by name.
    pub fn param(&self, name: &str) -> Option<Decimal> {
        self.params.iter().find(|p| p.name == name).map(|p| p.value)
    }

    /// Whether a note explains anything: not blank and not one of the policy's blank notes.
    pub fn note_explains(&self, note: Option<&str>) -> bool {
        note.map(str::trim)
            .is_some_and(|n| !n.is_empty() && !self.blank_notes.iter().any(|b| b == n))
    }

    /// Human description of the years and region it covers.
    pub fn coverage(&self) -> String {
        format!("{}，{}", self.region.as_deref().unwrap_or("全国"), self.years)
    }
}

impl Parameter {
    /// The value by year that applies in `year`, with the year it applies from.
    fn applying(&self, year: i32) -> (i32, Decimal) {
        let mut chosen = self.by_year.first().copied().unwrap_or((year, self.value));
        for &(from, value) in &self.by_year {
            if from <= year {
                chosen = (from, value);
            }
        }
        chosen
    }

    /// Takes the value of `year` when it has values by year.
    fn resolve(&mut self, year: i32) {
        if !self.by_year.is_empty() {
            let (from, value) = self.applying(year);
            self.value = value;
            self.year = Some(from);
        }
    }
}

/// Integers reach scripts as integers (so `round_half_up(x, p.places)` works), fractions as decimals.
pub(crate) fn param_dynamic(value: Decimal) -> rhai::Dynamic {
    if value.fract().is_zero() {
        if let Ok(int) = i64::try_from(value.trunc().mantissa() / 10i128.pow(value.scale())) {
            return rhai::Dynamic::from_int(int);
        }
    }
    rhai::Dynamic::from_decimal(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(by_year: &[(i32, i64)]) -> Parameter {
        Parameter {
            name: "x".into(),
            value: Decimal::ZERO,
            by_year: by_year.iter().map(|&(y, v)| (y, Decimal::from(v))).collect(),
            year: None,
            description: String::new(),
            reference: None,
        }
    }

    #[test]
    fn a_value_by_year_applies_from_its_year_until_the_next() {
        let p = dated(&[(2020, 1), (2023, 2)]);
        assert_eq!(p.applying(2020), (2020, Decimal::ONE));
        assert_eq!(p.applying(2022), (2020, Decimal::ONE));
        assert_eq!(p.applying(2023), (2023, Decimal::TWO));
        assert_eq!(p.applying(2030), (2023, Decimal::TWO));
        // Before them all: the first.
        assert_eq!(p.applying(2019), (2020, Decimal::ONE));
    }

    #[test]
    fn a_set_without_values_by_year_is_used_as_it_is() {
        let rules = RuleSet::load(embedded::files("shenzhen-2020").unwrap()).unwrap();
        assert!(!rules.dated);
        assert!(matches!(rules.for_year(2021), std::borrow::Cow::Borrowed(_)));
    }
}
