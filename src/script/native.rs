//! Native fast paths for the shipped script functions.
//!
//! Every scoring formula and scripted check of the shipped rule sets is a short Rhai function.
//! Calling Rhai costs about a microsecond per call, and a document makes dozens of calls, so a
//! batch run spends most of its time there. This module recognises, when a rule set is
//! compiled, each script function that Rhai reads *exactly* as one of the shipped templates
//! below — the same AST node for node, positions, comments and white space aside
//! ([`ast::FunctionFacts::form`]) — and runs it as Rust instead.
//!
//! No policy decision moves out of the policy files:
//! - the function must be the template's code as Rhai reads it (parameter names, operators,
//!   literals and string texts included; only parentheses Rhai does not need and the spelling
//!   `else { if … }` for `else if …` may differ), so an editor who changes a formula in any way
//!   gets the Rhai interpreter, running the edited text;
//! - the parameters (`p.rate_places`, `p.over_factor`, …) are read from the rule set's own
//!   `[params]` / `[checks.X] params` on every call, as the script reads them;
//! - a template calling another script function (`equal_score` calls `forward_score`) is native
//!   only when that function is a template too; a rule set that defines a function named like a
//!   host function the templates use (`min`, `clamp`, `contains`, …) gets no natives at all.
//!
//! The native code follows Rhai's semantics step by step (checked decimal arithmetic, integer
//! and decimal mixing, `min`/`max` tie-breaking, string interpolation). Whatever it cannot
//! reproduce exactly — a parameter of an unexpected type, a fact that is `()`, an overflow, a
//! division by zero — it does not guess: it returns `None` and the caller runs the script,
//! which then produces Rhai's own result or error. `tests/native_paths.rs` checks natives and
//! scripts give identical scorecards over the shipped rule sets' cases and a generated corpus.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use rhai::{Dynamic, ImmutableString, Map};
use rust_decimal::{Decimal, RoundingStrategy};

use super::ScriptLimits;
use super::ast;
use crate::script::host::{clamp_decimal, round_with};

/// A shipped script function that runs natively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `budget_rate`: `round_half_up(executed / budget, p.rate_places)`.
    BudgetRateRounded,
    /// `budget_rate`: `executed / budget`.
    BudgetRateExact,
    /// `budget_score`: `min(rate, 1) * weight`.
    BudgetScoreCappedAtOne,
    /// `budget_score`: `min(rate, p.budget_rate_cap) * weight`.
    BudgetScoreCapped,
    /// `forward_score`: full marks at or above the target, else in proportion.
    Forward,
    /// `reverse_ratio_score`: full marks at or below the target, else target ÷ actual.
    ReverseRatio,
    /// `reverse_linear_score`: linear deduction up to `p.reverse_zero_multiple` × target.
    ReverseLinear,
    /// `equal_score`: zero targets exactly, others as `forward_score`.
    Equal,
    /// `qualitative_score`: the reported score clamped into the tier's band.
    Qualitative,
    /// `deadline_half_score`: shares of the weight when late, explained or not.
    DeadlineHalf,
    /// `deadline_proportional_score`: planned ÷ actual duration when late.
    DeadlineProportional,
    /// F4 `check_rate_reason`.
    CheckRateReason,
    /// F5 `check_adjustment_reason`.
    CheckAdjustmentReason,
    /// I8 `check_over_achievement`.
    CheckOverAchievement,
    /// I10 `check_order_of_magnitude`.
    CheckOrderOfMagnitude,
    /// R1 `check_shortfall_explained`.
    CheckShortfallExplained,
    /// R2 `check_note_consistent`.
    CheckNoteConsistent,
    /// R3 `check_note_substance`.
    CheckNoteSubstance,
}

/// One template: the exact function text (comments and spacing aside), and the script
/// functions it calls.
struct Template {
    builtin: Builtin,
    name: &'static str,
    arity: usize,
    source: &'static str,
    calls: &'static [&'static str],
}

/// Host functions the templates call by name (directly, by method call, through `in`, or
/// through string interpolation). A script defining any of these would change what the
/// templates mean, so it gets no natives.
const HOST_NAMES: &[&str] = &[
    "min",
    "max",
    "clamp",
    "dec",
    "round_half_up",
    "round_down",
    "round_up",
    "contains",
    "to_string",
    "print",
];

const TEMPLATES: &[Template] = &[
    Template {
        builtin: Builtin::BudgetRateRounded,
        name: "budget_rate",
        arity: 3,
        source: "fn budget_rate(budget, executed, p) {
    round_half_up(executed / budget, p.rate_places)
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::BudgetRateExact,
        name: "budget_rate",
        arity: 3,
        source: "fn budget_rate(budget, executed, p) {
    executed / budget
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::BudgetScoreCappedAtOne,
        name: "budget_score",
        arity: 3,
        source: "fn budget_score(rate, weight, p) {
    min(rate, 1) * weight
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::BudgetScoreCapped,
        name: "budget_score",
        arity: 3,
        source: "fn budget_score(rate, weight, p) {
    min(rate, p.budget_rate_cap) * weight
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::Forward,
        name: "forward_score",
        arity: 4,
        source: "fn forward_score(target, actual, weight, p) {
    let a = max(actual, 0);
    if a >= target || target <= 0 {
        weight
    } else {
        a * weight / target
    }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::ReverseRatio,
        name: "reverse_ratio_score",
        arity: 4,
        source: "fn reverse_ratio_score(target, actual, weight, p) {
    let a = max(actual, 0);
    if a <= target {
        weight
    } else if target <= 0 {
        0
    } else {
        target * weight / a
    }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::ReverseLinear,
        name: "reverse_linear_score",
        arity: 4,
        source: "fn reverse_linear_score(target, actual, weight, p) {
    let a = max(actual, 0);
    if a <= target {
        weight
    } else if target <= 0 || a >= target * p.reverse_zero_multiple {
        0
    } else {
        (target - (a - target)) * weight / target
    }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::Equal,
        name: "equal_score",
        arity: 4,
        source: "fn equal_score(target, actual, weight, p) {
    if target == 0 {
        if actual <= 0 { weight } else { 0 }
    } else {
        forward_score(target, actual, weight, p)
    }
}",
        calls: &["forward_score"],
    },
    Template {
        builtin: Builtin::Qualitative,
        name: "qualitative_score",
        arity: 5,
        source: "fn qualitative_score(low, high, weight, reported, p) {
    let lo = low * weight;
    let hi = high * weight;
    if reported == () {
        hi
    } else {
        clamp(reported, lo, hi)
    }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::DeadlineHalf,
        name: "deadline_half_score",
        arity: 5,
        source: "fn deadline_half_score(days_late, planned_days, weight, explained, p) {
    if days_late <= 0 {
        weight
    } else if explained {
        weight * p.late_share_explained
    } else {
        weight * p.late_share_unexplained
    }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::DeadlineProportional,
        name: "deadline_proportional_score",
        arity: 5,
        source: "fn deadline_proportional_score(days_late, planned_days, weight, explained, p) {
    if days_late <= 0 {
        weight
    } else {
        dec(planned_days) * weight / dec(planned_days + days_late)
    }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::CheckRateReason,
        name: "check_rate_reason",
        arity: 2,
        source: "fn check_rate_reason(f, p) {
    if !f.note_blank {
        return ();
    }
    if f.rate < p.min_rate {
        #{ rate_pct: round_down(f.rate * 100, 2), bound_pct: p.min_rate * 100, direction: \"低于\" }
    } else if f.rate > p.max_rate {
        #{ rate_pct: round_up(f.rate * 100, 2), bound_pct: p.max_rate * 100, direction: \"高于\" }
    } else {
        ()
    }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::CheckAdjustmentReason,
        name: "check_adjustment_reason",
        arity: 2,
        source: "fn check_adjustment_reason(f, p) {
    if f.note_blank { #{} } else { () }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::CheckOverAchievement,
        name: "check_over_achievement",
        arity: 2,
        source: "fn check_over_achievement(f, p) {
    if !f.note_blank {
        return ();
    }
    if f.actual_value > f.target_value * p.over_factor {
        #{ times: round_half_up(f.ratio, 2), limit: p.over_factor }
    } else {
        ()
    }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::CheckOrderOfMagnitude,
        name: "check_order_of_magnitude",
        arity: 2,
        source: "fn check_order_of_magnitude(f, p) {
    let t = f.target_value;
    let a = f.actual_value;
    if a >= t * p.factor {
        #{ times: round_half_up(a / t, 2), factor: p.factor }
    } else if t >= a * p.factor {
        #{ times: round_half_up(t / a, 2), factor: p.factor }
    } else {
        ()
    }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::CheckShortfallExplained,
        name: "check_shortfall_explained",
        arity: 2,
        source: "fn check_shortfall_explained(f, p) {
    if !f.note_blank {
        return ();
    }
    let late = f.kind == \"deadline\" && f.days_late > 0;
    let what = if late {
        `逾期 ${f.days_late} 天完成（期限“${f.target}”，实际“${f.actual}”）`
    } else {
        `未完成目标（年度指标值 ${f.target}，实际 ${f.actual}）`
    };
    let said = if f.note == \"\" { \"空白\" } else { `“${f.note}”` };
    #{ what: what, said: said }
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::CheckNoteConsistent,
        name: "check_note_consistent",
        arity: 2,
        source: "fn check_note_consistent(f, p) {
    let over = f.above && f.ratio > p.over_factor;
    let missed = f.met == false && !f.note_blank;
    if over || missed {
        let note = f.note;
        if note in p.claims_met {
            return if over {
                #{ why: `写“${note}”，实际完成值 ${f.actual} 却是年度指标值 ${f.target} 的 ${round_half_up(f.ratio, 2)} 倍` }
            } else {
                #{ why: `写“${note}”，实际完成值 ${f.actual} 却未达到年度指标值 ${f.target}` }
            };
        }
    }
    if f.met == true && f.shortfall == 0 && !f.note_blank {
        let note = f.note;
        for word in p.claims_missed {
            if note.contains(word) {
                return #{ why: `写“${word}”，实际完成值 ${f.actual} 却已达到年度指标值 ${f.target}` };
            }
        }
    }
    ()
}",
        calls: &[],
    },
    Template {
        builtin: Builtin::CheckNoteSubstance,
        name: "check_note_substance",
        arity: 2,
        source: "fn check_note_substance(f, p) {
    let note = f.note;
    if note in p.generic {
        return #{ why: \"只是套话：没有说明偏差的具体原因和改进措施\" };
    }
    for word in p.improvement_words {
        if note.contains(word) {
            return ();
        }
    }
    #{ why: \"说明了原因，但没有提出改进措施\" }
}",
        calls: &[],
    },
];

// ---------------------------------------------------------------------------------------------
// Recognising templates
// ---------------------------------------------------------------------------------------------

/// The script functions of one rule set that run natively, by name.
#[derive(Debug, Clone, Default)]
pub struct Natives {
    /// Looked up on every formula and check call, so hashed with ahash, not SipHash.
    by_name: HashMap<String, Builtin, ahash::RandomState>,
}

impl Natives {
    /// Keeps only the natives `keep` says yes to (functions left out of a set: [`super::ScriptSet::without`]).
    pub(crate) fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.by_name.retain(|name, _| keep(name));
    }

    /// Recognises the template functions among a rule set's script files (`(file, source)`).
    #[must_use]
    pub fn recognise(files: &[(String, String)], limits: &ScriptLimits) -> Self {
        let read: Vec<(String, Vec<ast::FunctionFacts>)> = files
            .iter()
            .map(|(file, source)| (file.clone(), ast::read(source, limits).unwrap_or_default()))
            .collect();
        Self::of_facts(&read)
    }

    /// As [`Natives::recognise`], from the files' functions already read (`(file, functions)`,
    /// in the order the files are compiled). A file that does not parse has no functions.
    #[must_use]
    pub fn of_facts(files: &[(String, Vec<ast::FunctionFacts>)]) -> Self {
        // name → every (arity, form) defined under it.
        let mut defined: BTreeMap<String, Vec<(usize, Option<&String>)>> = BTreeMap::new();
        // Which set of an `extends` chain defined each name: a later set's definitions replace
        // an inherited file's (`parent/file`).
        let mut layer_of: BTreeMap<String, Option<&str>> = BTreeMap::new();
        for (file, functions) in files {
            let layer = file.split_once('/').map(|(l, _)| l);
            for f in functions.iter().filter(|f| !f.closure) {
                let entry = defined.entry(f.name.clone()).or_default();
                if layer_of.get(&f.name).is_some_and(|l| *l != layer) {
                    entry.retain(|(arity, _)| *arity != f.params.len());
                }
                layer_of.insert(f.name.clone(), layer);
                entry.push((f.params.len(), f.form.as_ref()));
            }
        }
        if HOST_NAMES.iter().any(|h| defined.contains_key(*h)) {
            return Self::default();
        }
        let mut candidates: HashMap<String, &Template> = HashMap::new();
        for (name, definitions) in &defined {
            // One definition of the name, and it is a template, node for node.
            let [(arity, Some(form))] = definitions.as_slice() else {
                continue;
            };
            if let Some((t, _)) = template_forms()
                .iter()
                .find(|(t, f)| t.name == name && t.arity == *arity && f.as_ref() == Some(*form))
            {
                candidates.insert(name.clone(), *t);
            }
        }
        // A template calling a script function is native only if the callee is one too.
        loop {
            let broken: Vec<String> = candidates
                .iter()
                .filter(|(_, t)| t.calls.iter().any(|c| !candidates.contains_key(*c)))
                .map(|(n, _)| n.clone())
                .collect();
            if broken.is_empty() {
                break;
            }
            for name in broken {
                candidates.remove(&name);
            }
        }
        Self {
            by_name: candidates.into_iter().map(|(n, t)| (n, t.builtin)).collect(),
        }
    }

    /// The native implementation of script function `name`, if it has one.
    #[inline]
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Builtin> {
        if self.by_name.is_empty() {
            return None;
        }
        self.by_name.get(name).copied()
    }

    /// The names that run natively, sorted.
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.by_name.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Whether no function runs natively.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// Each template with its form ([`ast::FunctionFacts::form`]), read once.
fn template_forms() -> &'static [(&'static Template, Option<String>)] {
    static FORMS: LazyLock<Vec<(&'static Template, Option<String>)>> = LazyLock::new(|| {
        TEMPLATES
            .iter()
            .map(|t| {
                let form = ast::read(t.source, &ScriptLimits::default())
                    .and_then(|fs| fs.into_iter().next())
                    .and_then(|f| f.form);
                (t, form)
            })
            .collect()
    });
    &FORMS
}

// ---------------------------------------------------------------------------------------------
// Rhai's arithmetic, step by step
// ---------------------------------------------------------------------------------------------

/// A Rhai number: integers stay integers until they meet a decimal.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i64),
    Dec(Decimal),
}

impl Num {
    fn of(value: &Dynamic) -> Option<Self> {
        if let Ok(i) = value.as_int() {
            return Some(Self::Int(i));
        }
        value.as_decimal().ok().map(Self::Dec)
    }

    fn dec(self) -> Decimal {
        match self {
            Self::Int(i) => Decimal::from(i),
            Self::Dec(d) => d,
        }
    }

    fn dynamic(self) -> Dynamic {
        match self {
            Self::Int(i) => Dynamic::from_int(i),
            Self::Dec(d) => Dynamic::from_decimal(d),
        }
    }

    fn mul(self, other: Self) -> Option<Self> {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => a.checked_mul(b).map(Self::Int),
            _ => self.dec().checked_mul(other.dec()).map(Self::Dec),
        }
    }

    fn lt(self, other: Self) -> bool {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => a < b,
            _ => self.dec() < other.dec(),
        }
    }

    fn gt(self, other: Self) -> bool {
        other.lt(self)
    }

    fn eq(self, other: Self) -> bool {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => a == b,
            _ => self.dec() == other.dec(),
        }
    }
}

/// `x / y` on decimals: Rhai refuses a zero divisor and an overflow.
fn div(x: Decimal, y: Decimal) -> Option<Decimal> {
    if y.is_zero() { None } else { x.checked_div(y) }
}

/// `min(x, y)` of Rhai: the first argument on a tie.
fn min(x: Decimal, y: Decimal) -> Decimal {
    if x <= y { x } else { y }
}

/// `max(x, y)` of Rhai: the first argument on a tie.
fn max(x: Decimal, y: Decimal) -> Decimal {
    if x >= y { x } else { y }
}

fn param(p: &Map, name: &str) -> Option<Num> {
    Num::of(p.get(name)?)
}

/// A parameter that is a list of strings, copied (any other element: not native).
fn strings(p: &Map, name: &str) -> Option<Vec<ImmutableString>> {
    p.get(name)?
        .as_array_ref()
        .ok()?
        .iter()
        .map(|v| v.as_immutable_string_ref().ok().map(|s| s.clone()))
        .collect()
}

/// The facts map a scripted check reads as `f`, one fact at a time.
struct Facts<'f> {
    fact: &'f dyn Fn(&str) -> Dynamic,
}

impl Facts<'_> {
    fn bool(&self, key: &str) -> Option<bool> {
        (self.fact)(key).as_bool().ok()
    }

    fn num(&self, key: &str) -> Option<Num> {
        Num::of(&(self.fact)(key))
    }

    fn dec(&self, key: &str) -> Option<Decimal> {
        (self.fact)(key).as_decimal().ok()
    }

    fn text(&self, key: &str) -> Option<ImmutableString> {
        (self.fact)(key).into_immutable_string().ok()
    }

    /// `${f.key}` in an interpolated string.
    fn shown(&self, key: &str) -> Option<String> {
        interpolated(&(self.fact)(key))
    }
}

/// How Rhai's string interpolation shows a value (strings as they are, numbers as written);
/// other types are left to the script.
fn interpolated(value: &Dynamic) -> Option<String> {
    if let Ok(s) = value.as_immutable_string_ref() {
        return Some(s.to_string());
    }
    if value.is_int() || value.is_decimal() {
        return Some(value.to_string());
    }
    None
}

fn finding(entries: Vec<(&str, Dynamic)>) -> Dynamic {
    let map: Map = entries.into_iter().map(|(k, v)| (k.into(), v)).collect();
    Dynamic::from_map(map)
}

fn why(text: String) -> Dynamic {
    finding(vec![("why", text.into())])
}

impl Builtin {
    /// `budget_rate(budget, executed, p)`.
    #[must_use]
    pub fn budget_rate(self, budget: Decimal, executed: Decimal, p: &Map) -> Option<Decimal> {
        match self {
            Self::BudgetRateRounded => {
                let places = p.get("rate_places")?.as_int().ok()?;
                round_with(
                    "round_half_up",
                    div(executed, budget)?,
                    places,
                    RoundingStrategy::MidpointAwayFromZero,
                )
                .ok()
            }
            Self::BudgetRateExact => div(executed, budget),
            _ => None,
        }
    }

    /// `budget_score(rate, weight, p)`.
    #[must_use]
    pub fn budget_score(self, rate: Decimal, weight: Decimal, p: &Map) -> Option<Decimal> {
        let cap = match self {
            Self::BudgetScoreCappedAtOne => Decimal::ONE,
            Self::BudgetScoreCapped => param(p, "budget_rate_cap")?.dec(),
            _ => return None,
        };
        min(rate, cap).checked_mul(weight)
    }

    /// A quantitative formula: `name(target, actual, weight, p)`.
    #[must_use]
    pub fn quantity(self, target: Decimal, actual: Decimal, weight: Decimal, p: &Map) -> Option<Decimal> {
        let zero = Decimal::ZERO;
        match self {
            Self::Forward => {
                let a = max(actual, zero);
                if a >= target || target <= zero {
                    Some(weight)
                } else {
                    div(a.checked_mul(weight)?, target)
                }
            }
            Self::ReverseRatio => {
                let a = max(actual, zero);
                if a <= target {
                    Some(weight)
                } else if target <= zero {
                    Some(zero)
                } else {
                    div(target.checked_mul(weight)?, a)
                }
            }
            Self::ReverseLinear => {
                let a = max(actual, zero);
                if a <= target {
                    return Some(weight);
                }
                if target <= zero {
                    return Some(zero);
                }
                let multiple = param(p, "reverse_zero_multiple")?.dec();
                if a >= target.checked_mul(multiple)? {
                    return Some(zero);
                }
                let left = target.checked_sub(a.checked_sub(target)?)?;
                div(left.checked_mul(weight)?, target)
            }
            Self::Equal => {
                if target == zero {
                    Some(if actual <= zero { weight } else { zero })
                } else {
                    Self::Forward.quantity(target, actual, weight, p)
                }
            }
            _ => None,
        }
    }

    /// `qualitative(low, high, weight, reported, p)`.
    #[must_use]
    pub fn qualitative(
        self,
        low: Decimal,
        high: Decimal,
        weight: Decimal,
        reported: Option<Decimal>,
        _p: &Map,
    ) -> Option<Decimal> {
        if self != Self::Qualitative {
            return None;
        }
        let lo = low.checked_mul(weight)?;
        let hi = high.checked_mul(weight)?;
        match reported {
            None => Some(hi),
            Some(r) => clamp_decimal(r, lo, hi).ok(),
        }
    }

    /// `deadline(days_late, planned_days, weight, explained, p)`.
    #[must_use]
    pub fn deadline(self, days_late: i64, planned: i64, weight: Decimal, explained: bool, p: &Map) -> Option<Decimal> {
        if days_late <= 0 && matches!(self, Self::DeadlineHalf | Self::DeadlineProportional) {
            return Some(weight);
        }
        match self {
            Self::DeadlineHalf => {
                let share = param(
                    p,
                    if explained {
                        "late_share_explained"
                    } else {
                        "late_share_unexplained"
                    },
                )?;
                Num::Dec(weight).mul(share).map(Num::dec)
            }
            Self::DeadlineProportional => {
                let actual = planned.checked_add(days_late)?;
                div(Decimal::from(planned).checked_mul(weight)?, Decimal::from(actual))
            }
            _ => None,
        }
    }

    /// A scripted check `name(f, p)`: `Some(())` as a unit for no finding, `Some(map)` for a
    /// finding, `None` to let the script decide.
    #[must_use]
    pub fn check(self, fact: &dyn Fn(&str) -> Dynamic, p: &Map) -> Option<Dynamic> {
        let f = Facts { fact };
        let none = Some(Dynamic::UNIT);
        match self {
            Self::CheckRateReason => {
                if !f.bool("note_blank")? {
                    return none;
                }
                let rate = f.num("rate")?;
                let hundred = Num::Int(100);
                let (bound, name, strategy, direction) = if rate.lt(param(p, "min_rate")?) {
                    ("min_rate", "round_down", RoundingStrategy::ToZero, "低于")
                } else if rate.gt(param(p, "max_rate")?) {
                    ("max_rate", "round_up", RoundingStrategy::AwayFromZero, "高于")
                } else {
                    return none;
                };
                let pct = rate.mul(hundred)?.dec();
                Some(finding(vec![
                    (
                        "rate_pct",
                        Dynamic::from_decimal(round_with(name, pct, 2, strategy).ok()?),
                    ),
                    ("bound_pct", param(p, bound)?.mul(hundred)?.dynamic()),
                    ("direction", direction.into()),
                ]))
            }
            Self::CheckAdjustmentReason => {
                if f.bool("note_blank")? {
                    Some(finding(Vec::new()))
                } else {
                    none
                }
            }
            Self::CheckOverAchievement => {
                if !f.bool("note_blank")? {
                    return none;
                }
                let factor = p.get("over_factor")?;
                let limit = f.num("target_value")?.mul(Num::of(factor)?)?;
                if !f.num("actual_value")?.gt(limit) {
                    return none;
                }
                let times = round_with(
                    "round_half_up",
                    f.dec("ratio")?,
                    2,
                    RoundingStrategy::MidpointAwayFromZero,
                );
                Some(finding(vec![
                    ("times", Dynamic::from_decimal(times.ok()?)),
                    ("limit", factor.clone()),
                ]))
            }
            Self::CheckOrderOfMagnitude => {
                let t = f.dec("target_value")?;
                let a = f.dec("actual_value")?;
                let factor = p.get("factor")?;
                let k = Num::of(factor)?.dec();
                let (big, small) = if a >= t.checked_mul(k)? {
                    (a, t)
                } else if t >= a.checked_mul(k)? {
                    (t, a)
                } else {
                    return none;
                };
                let times = round_with(
                    "round_half_up",
                    div(big, small)?,
                    2,
                    RoundingStrategy::MidpointAwayFromZero,
                );
                Some(finding(vec![
                    ("times", Dynamic::from_decimal(times.ok()?)),
                    ("factor", factor.clone()),
                ]))
            }
            Self::CheckShortfallExplained => {
                if !f.bool("note_blank")? {
                    return none;
                }
                let kind = f.text("kind")?;
                let late = kind == "deadline" && f.num("days_late")?.gt(Num::Int(0));
                let what = if late {
                    format!(
                        "逾期 {} 天完成（期限“{}”，实际“{}”）",
                        f.shown("days_late")?,
                        f.shown("target")?,
                        f.shown("actual")?
                    )
                } else {
                    format!(
                        "未完成目标（年度指标值 {}，实际 {}）",
                        f.shown("target")?,
                        f.shown("actual")?
                    )
                };
                let note = f.text("note")?;
                let said = if note.is_empty() {
                    "空白".to_owned()
                } else {
                    format!("“{}”", f.shown("note")?)
                };
                Some(finding(vec![("what", what.into()), ("said", said.into())]))
            }
            Self::CheckNoteConsistent => {
                let over = f.bool("above")? && f.num("ratio")?.gt(param(p, "over_factor")?);
                let met = (fact)("met");
                // `f.met == false` / `== true`: a `()` (unknown) fact equals neither.
                let met = if met.is_unit() { None } else { Some(met.as_bool().ok()?) };
                let missed = met == Some(false) && !f.bool("note_blank")?;
                if over || missed {
                    let note = f.text("note")?;
                    if strings(p, "claims_met")?.contains(&note) {
                        let why_text = if over {
                            let ratio = round_with(
                                "round_half_up",
                                f.dec("ratio")?,
                                2,
                                RoundingStrategy::MidpointAwayFromZero,
                            )
                            .ok()?;
                            format!(
                                "写“{note}”，实际完成值 {} 却是年度指标值 {} 的 {ratio} 倍",
                                f.shown("actual")?,
                                f.shown("target")?
                            )
                        } else {
                            format!(
                                "写“{note}”，实际完成值 {} 却未达到年度指标值 {}",
                                f.shown("actual")?,
                                f.shown("target")?
                            )
                        };
                        return Some(why(why_text));
                    }
                }
                if met == Some(true) && f.num("shortfall")?.eq(Num::Int(0)) && !f.bool("note_blank")? {
                    let note = f.text("note")?;
                    for word in strings(p, "claims_missed")? {
                        if note.contains(word.as_str()) {
                            return Some(why(format!(
                                "写“{word}”，实际完成值 {} 却已达到年度指标值 {}",
                                f.shown("actual")?,
                                f.shown("target")?
                            )));
                        }
                    }
                }
                none
            }
            Self::CheckNoteSubstance => {
                let note = f.text("note")?;
                if strings(p, "generic")?.contains(&note) {
                    return Some(why("只是套话：没有说明偏差的具体原因和改进措施".to_owned()));
                }
                for word in strings(p, "improvement_words")? {
                    if note.contains(word.as_str()) {
                        return none;
                    }
                }
                Some(why("说明了原因，但没有提出改进措施".to_owned()))
            }
            _ => None,
        }
    }
}
