//! The sandboxed Rhai engine, compiled once per rule set.
//!
//! This module owns everything that touches Rhai: building a locked-down [`rhai::Engine`]
//! (no file access, no `eval`, no stdout, bounded operations, call depth, expression depth and
//! data sizes, a wall-clock deadline per document), compiling a rule set's `*.rhai` files into
//! one [`ScriptSet`], calling script functions from Rust, and turning every Rhai failure into a
//! [`ScriptError`] carrying the one [`Loc`]: the rule set, the script file and, where known, the
//! line and column, with the script's text for diagnostics that underline the place.
//!
//! Policy editors write exact decimal arithmetic: the engine is built with `decimal` + `no_float`,
//! so the literal `0.8` is a [`Decimal`] and `0.1 + 0.2 == 0.3`. Integer literals stay integers,
//! and integer division truncates: `10 / 4 == 2`, while `10.0 / 4 == 2.5`. Mixing an integer and
//! a decimal in `+ - * / %` or a comparison yields a decimal. The host helpers listed in
//! [`SCRIPT_FUNCTIONS`] name their rounding mode explicitly.
//!
//! A [`ScriptSet`] is `Send + Sync` and meant to be shared across threads; per-document state
//! (the deadline and the captured `print`/`debug` output) is thread-local and lives as long as
//! the [`DeadlineGuard`] returned by [`ScriptSet::begin_document`].

use std::any::{Any, TypeId, type_name};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rhai::packages::{
    BasicArrayPackage, BasicMapPackage, BasicMathPackage, CorePackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{
    AST, CallFnOptions, Dynamic, Engine, EvalAltResult, FuncArgs, INT, ImmutableString, ParseErrorType, Position, Scope,
};
use rust_decimal::Decimal;

use crate::model::diagnostic::{Diagnostic, Loc};
use crate::script::host::{register_host_functions, type_label};
use crate::script::native::Natives;

pub mod ast;
pub mod host;
pub mod native;
pub mod reference;

pub use host::{SCRIPT_FUNCTIONS, ScriptFunctionDoc};

/// How often (in Rhai operations) the wall-clock deadline is read. Reading the clock costs about
/// 20 ns; checking it on every operation would slow scripts down noticeably.
const DEADLINE_CHECK_EVERY: u64 = 4096;

/// Token returned from the progress callback when the deadline has passed; recognised again when
/// the resulting `ErrorTerminated` comes back to the host.
const DEADLINE_TOKEN: &str = "jixiao:deadline";

/// At most this many `print`/`debug` lines are kept per document; later lines are counted only.
const MAX_LOG_LINES: usize = 1_000;

/// At most this many bytes of `print`/`debug` text are kept per document.
const MAX_LOG_BYTES: usize = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

/// Resource limits applied to every script of a rule set.
///
/// Operation counts and sizes are enforced by Rhai itself; the deadline by a progress callback
/// that reads the clock every few thousand operations and before every call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptLimits {
    /// Maximum Rhai operations per [`ScriptSet::call`] (statements, expressions, loop turns).
    pub max_operations: u64,
    /// Maximum depth of nested script function calls (guards against runaway recursion).
    pub max_call_levels: usize,
    /// Maximum nesting depth of an expression at top level (checked when compiling).
    pub max_expr_depth: usize,
    /// Maximum nesting depth of an expression inside a function body (checked when compiling).
    pub max_function_expr_depth: usize,
    /// Maximum length of any string value, in bytes (strings nested in arrays/maps count together).
    pub max_string_size: usize,
    /// Maximum number of elements of an array (nested arrays count together).
    pub max_array_size: usize,
    /// Maximum number of entries of an object map (nested maps count together).
    pub max_map_size: usize,
    /// Maximum number of variables alive at once across all active calls. Together with the size
    /// limits this bounds the memory a script can hold.
    pub max_variables: usize,
    /// Wall-clock budget for all script calls made for one document (see
    /// [`ScriptSet::begin_document`]); a call made outside a document gets this budget alone.
    pub deadline: Duration,
}

impl Default for ScriptLimits {
    fn default() -> Self {
        Self {
            max_operations: 1_000_000,
            max_call_levels: 64,
            max_expr_depth: 64,
            max_function_expr_depth: 32,
            max_string_size: 64 * 1024,
            max_array_size: 10_000,
            max_map_size: 10_000,
            max_variables: 1_000,
            deadline: Duration::from_secs(1),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// The script function a runtime error happened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    /// Function name.
    pub name: String,
    /// `true` when the error's place is where the function is defined rather than the exact
    /// failing statement. Rhai does not report where a limit (operations, call depth, data
    /// size, deadline) was hit once the error has left a function, so the entry function's
    /// definition is the best place that can be named.
    pub at_definition: bool,
}

impl Running {
    fn in_body(name: &str) -> Option<Self> {
        Some(Self {
            name: name.to_owned(),
            at_definition: false,
        })
    }

    fn definition(name: &str) -> Option<Self> {
        Some(Self {
            name: name.to_owned(),
            at_definition: true,
        })
    }

    /// How the place is described under the caret: `函数 f` or `函数 f 的定义处`.
    fn label(&self) -> String {
        if self.at_definition {
            format!("函数 {} 的定义处", self.name)
        } else {
            format!("函数 {}", self.name)
        }
    }
}

/// Everything that can go wrong compiling or running a rule set's scripts.
///
/// A script error is a broken policy, not a finding about a document: it stops the run.
/// Every variant carries the one [`Loc`] (`at`: the rule set, and as much of script file,
/// line:column and the script's text as is known) and turns into a [`Diagnostic`]
/// ([`ScriptError::to_diagnostic`]); its one-line text is that diagnostic's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptError {
    /// The script does not parse, uses a forbidden construct (`eval`, `import`), refers to an
    /// undefined variable, or nests expressions too deeply.
    Compile {
        /// Where.
        at: Box<Loc>,
        /// What, in Chinese where known, otherwise Rhai's message.
        message: String,
    },
    /// Two script files define a function with the same name (`at`: the second definition).
    DuplicateFunction {
        /// The second definition.
        at: Box<Loc>,
        /// Function name.
        name: String,
        /// File of the first definition.
        first_file: String,
        /// Line of the first definition (0 when unknown).
        first_line: usize,
    },
    /// The host asked for a function (name and argument count) that no script defines.
    FunctionNotFound {
        /// The rule set.
        at: Box<Loc>,
        /// Requested function name.
        function: String,
        /// The arities that do exist under that name, or a note that none do.
        known: String,
    },
    /// A script function returned a value of a type the host cannot use.
    WrongReturnType {
        /// The function's definition.
        at: Box<Loc>,
        /// Function name.
        function: String,
        /// Type the host asked for.
        expected: String,
        /// Type the script returned.
        actual: String,
    },
    /// A formula returned a number beyond the range scoring computes with
    /// ([`crate::model::range`]).
    ResultOutOfRange {
        /// The function's definition.
        at: Box<Loc>,
        /// Function name.
        function: String,
        /// The number it returned, as written.
        value: String,
    },
    /// The per-call operation limit was exceeded (typically an endless loop).
    TooManyOperations {
        /// Where.
        at: Box<Loc>,
        /// The function running.
        running: Option<Running>,
        /// The limit.
        limit: u64,
    },
    /// Script functions called each other too deeply (typically endless recursion).
    CallDepth {
        /// Where.
        at: Box<Loc>,
        /// The function running.
        running: Option<Running>,
        /// The limit.
        limit: usize,
    },
    /// Too many variables alive at once.
    TooManyVariables {
        /// Where.
        at: Box<Loc>,
        /// The function running.
        running: Option<Running>,
        /// The limit.
        limit: usize,
    },
    /// A string, array or map grew beyond its limit.
    DataTooLarge {
        /// Where.
        at: Box<Loc>,
        /// The function running.
        running: Option<Running>,
        /// Which kind of data, in Chinese (e.g. `字符串长度`).
        what: String,
        /// The limit.
        limit: usize,
    },
    /// The document's wall-clock budget ran out.
    Deadline {
        /// Where (the function running when time ran out).
        at: Box<Loc>,
        /// The function running.
        running: Option<Running>,
        /// The budget.
        budget: Duration,
    },
    /// Any other error raised while a script function ran (division by zero, type mismatch,
    /// unknown function called from a script, `throw`, …).
    Runtime {
        /// Where.
        at: Box<Loc>,
        /// The function running.
        running: Option<Running>,
        /// What, in Chinese where known, otherwise Rhai's message.
        message: String,
    },
}

impl ScriptError {
    /// Where the error happened.
    #[must_use]
    pub fn loc(&self) -> &Loc {
        match self {
            Self::Compile { at, .. }
            | Self::DuplicateFunction { at, .. }
            | Self::FunctionNotFound { at, .. }
            | Self::WrongReturnType { at, .. }
            | Self::ResultOutOfRange { at, .. }
            | Self::TooManyOperations { at, .. }
            | Self::CallDepth { at, .. }
            | Self::TooManyVariables { at, .. }
            | Self::DataTooLarge { at, .. }
            | Self::Deadline { at, .. }
            | Self::Runtime { at, .. } => at,
        }
    }

    /// The error as a diagnostic: code `jixiao::script::…`, message in Chinese, the place (with
    /// the script's text when known) and, for runtime errors, the function under the caret.
    #[must_use]
    pub fn to_diagnostic(&self) -> Diagnostic {
        let (code, message, running) = match self {
            Self::Compile { message, .. } => ("jixiao::script::compile", format!("语法错误：{message}"), None),
            Self::DuplicateFunction {
                name,
                first_file,
                first_line,
                ..
            } => (
                "jixiao::script::duplicate-function",
                format!("函数 {name} 已在 {first_file} 第 {first_line} 行定义，不能再定义同名函数"),
                None,
            ),
            Self::FunctionNotFound { function, known, .. } => (
                "jixiao::script::function-not-found",
                format!("找不到脚本函数 {function}（{known}）"),
                None,
            ),
            Self::WrongReturnType {
                function,
                expected,
                actual,
                ..
            } => (
                "jixiao::script::return-type",
                format!("函数 {function} 返回了{actual}，应返回{expected}"),
                Running::definition(function),
            ),
            Self::ResultOutOfRange { function, value, .. } => (
                "jixiao::script::result-range",
                format!(
                    "函数 {function} 返回 {value}，超出可计算的范围：{}",
                    crate::model::range::RANGE_TEXT
                ),
                Running::definition(function),
            ),
            Self::TooManyOperations { running, limit, .. } => (
                "jixiao::script::operations",
                format!("运算次数超过上限（{limit}）"),
                running.clone(),
            ),
            Self::CallDepth { running, limit, .. } => (
                "jixiao::script::call-depth",
                format!("函数调用层数超过上限（{limit}）"),
                running.clone(),
            ),
            Self::TooManyVariables { running, limit, .. } => (
                "jixiao::script::variables",
                format!("同时存在的变量个数超过上限（{limit}）"),
                running.clone(),
            ),
            Self::DataTooLarge {
                running, what, limit, ..
            } => (
                "jixiao::script::data-size",
                format!("{what}超过上限（{limit}）"),
                running.clone(),
            ),
            Self::Deadline { running, budget, .. } => (
                "jixiao::script::deadline",
                format!("脚本运行超时（每份文档限 {} 毫秒）", budget.as_millis()),
                running.clone(),
            ),
            Self::Runtime { running, message, .. } => (
                "jixiao::script::runtime",
                format!("运行错误：{message}"),
                running.clone(),
            ),
        };
        let d = Diagnostic::error(code, self.loc().clone(), message);
        match running {
            Some(running) => d.with_label(running.label()),
            None => d,
        }
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_diagnostic(), f)
    }
}

impl std::error::Error for ScriptError {}

// ---------------------------------------------------------------------------------------------
// Per-document (thread-local) state: deadline and captured output
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    budget: Duration,
}

/// Whether a line came from `print` or `debug`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// `print(…)`.
    Print,
    /// `debug(…)`.
    Debug,
}

/// One line a script printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// `print` or `debug`.
    pub kind: LogKind,
    /// The text.
    pub text: String,
    /// Line and column of a `debug` call (the file is not known: rule set files share one
    /// compiled program). `None` for `print`.
    pub position: Option<(usize, usize)>,
}

/// Output captured from `print`/`debug` while a [`DeadlineGuard`] was alive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptLog {
    /// Kept lines, in order.
    pub lines: Vec<LogLine>,
    /// Lines dropped because the log was full (see the limits in this module).
    pub dropped: usize,
    bytes: usize,
}

impl ScriptLog {
    fn push(&mut self, line: LogLine) {
        if self.lines.len() >= MAX_LOG_LINES || self.bytes + line.text.len() > MAX_LOG_BYTES {
            self.dropped += 1;
            return;
        }
        self.bytes += line.text.len();
        self.lines.push(line);
    }
}

thread_local! {
    static DEADLINE: Cell<Option<Deadline>> = const { Cell::new(None) };
    static LOG: RefCell<Option<ScriptLog>> = const { RefCell::new(None) };
}

fn capture(line: LogLine) {
    LOG.with(|log| {
        // A script cannot re-enter while the log is borrowed; if it ever is, drop the line.
        if let Ok(mut log) = log.try_borrow_mut()
            && let Some(log) = log.as_mut()
        {
            log.push(line);
        }
    });
}

fn position_of(pos: Position) -> Option<(usize, usize)> {
    match (pos.line(), pos.position()) {
        (Some(line), Some(column)) => Some((line, column)),
        (Some(line), None) => Some((line, 1)),
        _ => None,
    }
}

/// Per-document scope of script execution on the current thread: while it lives, every
/// [`ScriptSet::call`] on this thread shares one wall-clock deadline, and `print`/`debug` output
/// is captured (read it with [`DeadlineGuard::take_log`]). Dropping it restores the previous
/// state. It cannot be sent to another thread.
///
/// Guards nest: an inner guard's deadline is never later than the outer one's, and the inner
/// guard shares the outer guard's log.
#[derive(Debug)]
#[must_use = "the deadline only applies while the guard is alive"]
pub struct DeadlineGuard {
    previous: Option<Deadline>,
    owns_log: bool,
    // Thread-local state: the guard must be dropped on the thread that created it.
    _not_send: PhantomData<*const ()>,
}

impl DeadlineGuard {
    fn start(budget: Duration) -> Self {
        let now = Instant::now();
        let at = now.checked_add(budget).unwrap_or(now + Duration::from_secs(86_400));
        let previous = DEADLINE.with(Cell::get);
        let deadline = match previous {
            Some(outer) if outer.at < at => outer,
            _ => Deadline { at, budget },
        };
        DEADLINE.with(|d| d.set(Some(deadline)));
        let owns_log = LOG.with(|log| match log.try_borrow_mut() {
            Ok(mut log) if log.is_none() => {
                *log = Some(ScriptLog::default());
                true
            }
            _ => false,
        });
        Self {
            previous,
            owns_log,
            _not_send: PhantomData,
        }
    }

    /// Takes the `print`/`debug` output captured so far on this thread, leaving the log empty.
    pub fn take_log(&self) -> ScriptLog {
        LOG.with(|log| {
            log.try_borrow_mut()
                .ok()
                .and_then(|mut log| log.as_mut().map(std::mem::take))
                .unwrap_or_default()
        })
    }

    /// Time left before the deadline (zero once it has passed).
    #[must_use]
    pub fn remaining(&self) -> Duration {
        DEADLINE
            .with(Cell::get)
            .map_or(Duration::ZERO, |d| d.at.saturating_duration_since(Instant::now()))
    }
}

impl Drop for DeadlineGuard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.previous));
        if self.owns_log {
            LOG.with(|log| {
                if let Ok(mut log) = log.try_borrow_mut() {
                    *log = None;
                }
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ScriptSet
// ---------------------------------------------------------------------------------------------

/// A script function defined by a rule set, for the editor-facing `check` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionInfo {
    /// Function name.
    pub name: String,
    /// Number of parameters.
    pub arity: usize,
    /// File defining it.
    pub file: String,
    /// Line of its `fn` keyword (1-based), when found.
    pub line: Option<usize>,
    /// Column of its `fn` keyword (1-based), when found.
    pub column: Option<usize>,
}

/// A rule set's scripts, compiled once into one program, with the sandboxed engine that runs
/// them. Share it freely across threads (`Send + Sync`).
pub struct ScriptSet {
    ruleset: String,
    engine: Engine,
    ast: AST,
    limits: ScriptLimits,
    /// Sorted by (name, arity).
    functions: Vec<FunctionInfo>,
    /// Function name → file defining it (names are unique across files).
    files_by_name: BTreeMap<String, String>,
    /// File name → its text, for diagnostics that underline a place.
    sources: BTreeMap<String, Arc<str>>,
    /// Each file's functions as Rhai's AST shows them ([`ast::read`]), in compile order: the
    /// one reading of the scripts that places, coverage, `explain` and natives use.
    facts: Vec<(String, Vec<ast::FunctionFacts>)>,
    /// The functions that are shipped templates, run natively (see [`crate::script::native`]).
    natives: Natives,
}

impl fmt::Debug for ScriptSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScriptSet")
            .field("ruleset", &self.ruleset)
            .field("limits", &self.limits)
            .field("functions", &self.functions)
            .finish_non_exhaustive()
    }
}

// The engine is shared across rayon threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ScriptSet>();
};

fn too_large(what: &str) -> Box<EvalAltResult> {
    EvalAltResult::ErrorDataTooLarge(what.to_owned(), Position::NONE).into()
}

/// Nested data sizes as Rhai counts them: array elements, map entries and string bytes, each
/// summed over everything nested inside a value.
#[derive(Debug, Default)]
struct DataSizes {
    arrays: usize,
    maps: usize,
    strings: usize,
}

impl DataSizes {
    fn add(&mut self, value: &Dynamic) {
        if let Ok(s) = value.as_immutable_string_ref() {
            self.strings += s.len();
        } else if let Ok(array) = value.as_array_ref() {
            self.arrays += array.len();
            for item in array.iter() {
                self.add(item);
            }
        } else if let Ok(map) = value.as_map_ref() {
            self.maps += map.len();
            for item in map.values() {
                self.add(item);
            }
        }
    }

    fn check(&self, limits: &ScriptLimits) -> Result<(), Box<EvalAltResult>> {
        let over = |size: usize, max: usize| max > 0 && size > max;
        if over(self.strings, limits.max_string_size) {
            Err(too_large("Length of string"))
        } else if over(self.arrays, limits.max_array_size) {
            Err(too_large("Size of array/BLOB"))
        } else if over(self.maps, limits.max_map_size) {
            Err(too_large("Size of object map"))
        } else {
            Ok(())
        }
    }
}

thread_local! {
    /// Branch probes reached on this thread (coverage builds only).
    static PROBES: std::cell::RefCell<std::collections::BTreeSet<i64>> =
        const { std::cell::RefCell::new(std::collections::BTreeSet::new()) };
}

/// Takes the branch probes reached on this thread since the last call.
pub fn take_probes() -> std::collections::BTreeSet<i64> {
    PROBES.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

/// The rule set a script file belongs to: `None` for the set's own files, the parent's name for
/// a file it inherits (named `parent/file`).
fn layer_of(file: &str) -> Option<&str> {
    file.split_once('/').map(|(layer, _)| layer)
}

fn build_engine(limits: &ScriptLimits) -> Engine {
    let mut engine = Engine::new_raw();
    // Everything of Rhai's standard package except bit fields, BLOBs and time; `no_module`
    // leaves no module resolver, so `import` cannot read files.
    CorePackage::new().register_into_engine(&mut engine);
    LogicPackage::new().register_into_engine(&mut engine);
    BasicMathPackage::new().register_into_engine(&mut engine);
    BasicArrayPackage::new().register_into_engine(&mut engine);
    BasicMapPackage::new().register_into_engine(&mut engine);
    MoreStringPackage::new().register_into_engine(&mut engine);
    register_host_functions(&mut engine);

    engine.disable_symbol("eval");
    engine.set_strict_variables(true);
    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(limits.max_call_levels);
    engine.set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine.set_max_variables(limits.max_variables);

    // Rhai checks the map size when a map is built or changed by a function (`m.set(k, v)`,
    // `m += #{..}`), but `m[k] = v` inserts a new key without any check: only the operation
    // limit would stop a loop adding keys, by which time gigabytes can be held. This callback
    // (the only hook on key creation, `internals` feature) enforces the limit there. Rhai calls
    // it for reads of a missing key as well and cannot tell the two apart, so a read of a
    // missing key leaves the key in the map with value `()`.
    // Each new value is checked on its own by Rhai; the sum over the map (as Rhai counts it on
    // checked paths) is re-checked whenever the map's length reaches a power of two, which
    // keeps the total cost linear while letting a map overshoot a limit at most twofold.
    let map_limits = limits.clone();
    engine.on_map_missing_property(move |map, property, _context| {
        let len = map.len();
        if map_limits.max_map_size > 0 && len >= map_limits.max_map_size {
            return Err(too_large("Size of object map"));
        }
        if len.is_power_of_two() {
            let mut sizes = DataSizes::default();
            for value in map.values() {
                sizes.add(value);
            }
            sizes.check(&map_limits)?;
        }
        map.insert(property.into(), Dynamic::UNIT);
        match map.get_mut(property) {
            Some(value) => value.try_into(),
            None => Ok(Dynamic::UNIT.into()),
        }
    });

    engine.on_print(|text| {
        capture(LogLine {
            kind: LogKind::Print,
            text: text.to_owned(),
            position: None,
        });
    });
    engine.on_debug(|text, _source, pos| {
        capture(LogLine {
            kind: LogKind::Debug,
            text: text.to_owned(),
            position: position_of(pos),
        });
    });
    engine.on_progress(|ops| {
        if ops % DEADLINE_CHECK_EVERY != 0 {
            return None;
        }
        match DEADLINE.with(Cell::get) {
            Some(deadline) if Instant::now() >= deadline.at => Some(DEADLINE_TOKEN.into()),
            _ => None,
        }
    });
    engine
}

impl ScriptSet {
    /// Compiles a rule set's script files (`(file name, source)` pairs) into one program in
    /// which any function may call any other.
    ///
    /// # Errors
    /// [`ScriptError::Compile`] for a syntax error, a forbidden construct (`eval`, `import`), an
    /// undefined variable or too deep an expression; [`ScriptError::DuplicateFunction`] when two
    /// files define a function of the same name.
    ///
    /// Functions that are exactly a shipped template run natively ([`crate::script::native`]).
    pub fn compile(ruleset_id: &str, files: &[(String, String)], limits: &ScriptLimits) -> Result<Self, ScriptError> {
        let mut set = Self::compile_with_engine(ruleset_id, files, limits, build_engine(limits))?;
        set.natives = Natives::of_facts(&set.facts);
        Ok(set)
    }

    /// The functions of this set that run natively.
    #[must_use]
    pub fn natives(&self) -> &Natives {
        &self.natives
    }

    /// Runs every function in the interpreter, natives or not (to compare the two, or to
    /// measure what the natives save).
    pub fn clear_natives(&mut self) {
        self.natives = Natives::default();
    }

    /// As [`ScriptSet::compile`], with a `__probe(id)` host function that scripts instrumented
    /// for coverage call on entering a branch; the ids reached on this thread are read with
    /// [`take_probes`]. Only `jixiao test` builds such a set.
    pub fn compile_probed(
        ruleset_id: &str,
        files: &[(String, String)],
        limits: &ScriptLimits,
    ) -> Result<Self, ScriptError> {
        let mut engine = build_engine(limits);
        engine.register_fn("__probe", |id: i64| {
            PROBES.with(|p| {
                p.borrow_mut().insert(id);
            });
        });
        Self::compile_with_engine(ruleset_id, files, limits, engine)
    }

    fn compile_with_engine(
        ruleset_id: &str,
        files: &[(String, String)],
        limits: &ScriptLimits,
        engine: Engine,
    ) -> Result<Self, ScriptError> {
        let mut merged = AST::empty();
        let mut functions: Vec<FunctionInfo> = Vec::new();
        let mut files_by_name: BTreeMap<String, String> = BTreeMap::new();
        let mut sources: BTreeMap<String, Arc<str>> = BTreeMap::new();
        let mut facts = Vec::with_capacity(files.len());

        for (file, source) in files {
            let text: Arc<str> = Arc::from(source.as_str());
            let at = |line_col: Option<(usize, usize)>| {
                let loc = match file.split_once('/') {
                    Some((ruleset, name)) => Loc::in_ruleset(ruleset, name),
                    None => Loc::in_ruleset(ruleset_id, file.as_str()),
                }
                .with_source(text.clone());
                Box::new(match line_col {
                    Some((line, column)) => loc.at_line_col(line, column),
                    None => loc,
                })
            };
            let mut ast = engine.compile(source).map_err(|err| ScriptError::Compile {
                at: at(position_of(err.position())),
                message: parse_message(&err.0),
            })?;
            ast.set_source(file.as_str());
            // Top-level statements never run: only functions are called.
            ast.clear_statements();

            // Where each (name, arity) is defined, as the AST's reading places it.
            let read = ast::read(source, limits).unwrap_or_default();
            let definitions: std::collections::HashMap<(&str, usize), ast::Site> =
                read.iter().map(|f| ((f.name.as_str(), f.params.len()), f.at)).collect();
            for meta in ast.iter_functions() {
                let arity = meta.params.len();
                let found = definitions.get(&(meta.name, arity));
                let info = FunctionInfo {
                    name: meta.name.to_owned(),
                    arity,
                    file: file.clone(),
                    line: found.map(|d| d.line),
                    column: found.map(|d| d.column),
                };
                match files_by_name.get(meta.name) {
                    // A file of a rule set this one extends (`parent/file`) is replaced by a
                    // later layer's function of the same name and arity ([`AST::combine`]).
                    Some(other_file) if other_file != file && layer_of(other_file) != layer_of(file) => {
                        functions.retain(|f| !(f.name == meta.name && f.arity == arity && f.file == *other_file));
                        files_by_name.insert(meta.name.to_owned(), file.clone());
                    }
                    Some(other_file) if other_file != file => {
                        let first_line = functions
                            .iter()
                            .find(|f| f.name == meta.name)
                            .and_then(|f| f.line)
                            .unwrap_or(0);
                        return Err(ScriptError::DuplicateFunction {
                            at: at(info.line.zip(info.column)),
                            name: meta.name.to_owned(),
                            first_file: other_file.clone(),
                            first_line,
                        });
                    }
                    _ => {
                        files_by_name.insert(meta.name.to_owned(), file.clone());
                    }
                }
                // Closures (`|x| ...`) are compiled to hidden `anon$…` functions: keep them
                // for error attribution, but they are not callable by name from the host.
                if !meta.name.starts_with("anon$") {
                    functions.push(info);
                }
            }
            merged.combine(ast);
            sources.insert(file.clone(), text);
            facts.push((file.clone(), read));
        }
        // Error sources come from our own function → file table; the merged program's source
        // would name only the last file.
        merged.clear_source();
        functions.sort_by(|a, b| (&a.name, a.arity).cmp(&(&b.name, b.arity)));

        Ok(Self {
            ruleset: ruleset_id.to_owned(),
            engine,
            ast: merged,
            limits: limits.clone(),
            functions,
            files_by_name,
            sources,
            facts,
            natives: Natives::default(),
        })
    }

    /// Drops the named functions `(name, arity)` from the program (inherited functions the
    /// rule set never reaches: [`crate::policy::inherit`]).
    pub fn without(&mut self, dropped: &std::collections::BTreeSet<(String, usize)>) {
        if dropped.is_empty() {
            return;
        }
        self.ast
            .retain_functions(|_, _, name, arity| !dropped.contains(&(name.to_owned(), arity)));
        self.functions.retain(|f| !dropped.contains(&(f.name.clone(), f.arity)));
        let kept: BTreeSet<&str> = self.functions.iter().map(|f| f.name.as_str()).collect();
        self.files_by_name
            .retain(|name, _| kept.contains(name.as_str()) || name.starts_with("anon$"));
        self.natives.retain(|name| kept.contains(name));
    }

    /// The rule set id given to [`ScriptSet::compile`].
    #[must_use]
    pub fn ruleset_id(&self) -> &str {
        &self.ruleset
    }

    /// The limits the engine was built with.
    #[must_use]
    pub fn limits(&self) -> &ScriptLimits {
        &self.limits
    }

    /// Whether a script defines `name` with `arity` parameters.
    #[must_use]
    pub fn has_function(&self, name: &str, arity: usize) -> bool {
        self.functions
            .binary_search_by(|f| (f.name.as_str(), f.arity).cmp(&(name, arity)))
            .is_ok()
    }

    /// Every script function, sorted by name then arity.
    #[must_use]
    pub fn functions(&self) -> Vec<FunctionInfo> {
        self.functions.clone()
    }

    /// What Rhai's AST shows of the script function named `name` (of the fewest parameters,
    /// when several arities share it).
    #[must_use]
    pub fn function_facts_by_name(&self, name: &str) -> Option<&ast::FunctionFacts> {
        let info = self.functions.iter().find(|f| f.name == name)?;
        self.function_facts(name, info.arity)
    }

    /// The properties script function `name` (with `arity` parameters) reads from its
    /// parameters object (`p.name`, `p["name"]`), and those the script functions it calls read
    /// from theirs, in the order the code reads them, each once.
    #[must_use]
    pub fn params_read(&self, name: &str, arity: usize) -> Vec<String> {
        fn collect(
            set: &ScriptSet,
            name: &str,
            arity: usize,
            seen: &mut BTreeSet<(String, usize)>,
            out: &mut Vec<String>,
        ) {
            if !seen.insert((name.to_owned(), arity)) {
                return;
            }
            let Some(facts) = set.function_facts(name, arity) else {
                return;
            };
            for (read, _) in facts.params_use().map(|u| u.reads.as_slice()).unwrap_or_default() {
                if !out.contains(read) {
                    out.push(read.clone());
                }
            }
            for call in &facts.calls {
                collect(set, &call.name, call.args, seen, out);
            }
        }
        let mut out = Vec::new();
        collect(self, name, arity, &mut BTreeSet::new(), &mut out);
        out
    }

    /// Each script file with what Rhai's AST shows of its functions ([`ast::read`]), in the
    /// order the files were compiled.
    #[must_use]
    pub fn file_facts(&self) -> &[(String, Vec<ast::FunctionFacts>)] {
        &self.facts
    }

    /// What Rhai's AST shows of script function `name` with `arity` parameters, in the file
    /// that defines it for this set.
    #[must_use]
    pub fn function_facts(&self, name: &str, arity: usize) -> Option<&ast::FunctionFacts> {
        let info = self
            .functions
            .binary_search_by(|f| (f.name.as_str(), f.arity).cmp(&(name, arity)))
            .ok()
            .and_then(|i| self.functions.get(i))?;
        let (_, functions) = self.facts.iter().find(|(file, _)| *file == info.file)?;
        functions
            .iter()
            .find(|f| !f.closure && f.name == name && f.params.len() == arity)
    }

    /// Starts a document on the current thread: all calls made on this thread while the
    /// returned guard lives share one deadline of [`ScriptLimits::deadline`], and their
    /// `print`/`debug` output is captured in the guard.
    pub fn begin_document(&self) -> DeadlineGuard {
        DeadlineGuard::start(self.limits.deadline)
    }

    /// Calls script function `name` with `args` and converts its result to `T`.
    ///
    /// `T: Any + Clone + Send + Sync` is exactly Rhai's `Variant + Clone` (that trait is only
    /// exported under Rhai's `internals` feature).
    ///
    /// An integer result is widened when `T` is [`Decimal`], so a formula may return `0` or `w`
    /// alike. Outside a [`DeadlineGuard`] the call gets the whole deadline to itself.
    ///
    /// Cost (release, shared 2-core machine, see the ignored `call_cost_breakdown` test): about
    /// 1.25 µs for the forward formula `round_half_up(a / t * w, 2)` with three Decimals — the
    /// same as an engine without limits or callbacks, the time goes into 28-digit decimal
    /// division — and about 450 ns for a function returning an argument; this wrapper adds
    /// ~40 ns over a bare `call_fn_with_options`.
    ///
    /// # Errors
    /// [`ScriptError::FunctionNotFound`], [`ScriptError::WrongReturnType`], a limit error, or
    /// [`ScriptError::Runtime`] for anything the script itself got wrong.
    pub fn call<T: Any + Clone + Send + Sync>(&self, name: &str, args: impl FuncArgs) -> Result<T, ScriptError> {
        let _own_deadline = match DEADLINE.with(Cell::get) {
            Some(deadline) => {
                if Instant::now() >= deadline.at {
                    return Err(ScriptError::Deadline {
                        at: self.definition_loc(name),
                        running: Running::definition(name),
                        budget: deadline.budget,
                    });
                }
                None
            }
            None => Some(DeadlineGuard::start(self.limits.deadline)),
        };

        let mut scope = Scope::new();
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        match self
            .engine
            .call_fn_with_options::<Dynamic>(options, &mut scope, &self.ast, name, args)
        {
            Ok(value) => self.convert(name, value),
            Err(err) => Err(self.runtime_error(name, *err)),
        }
    }

    fn convert<T: Any + Clone + Send + Sync>(&self, name: &str, value: Dynamic) -> Result<T, ScriptError> {
        let value = match value.as_int() {
            Ok(i) if TypeId::of::<T>() == TypeId::of::<Decimal>() => Dynamic::from_decimal(Decimal::from(i)),
            _ => value,
        };
        let actual = value.type_name();
        value.try_cast::<T>().ok_or_else(|| ScriptError::WrongReturnType {
            at: self.definition_loc(name),
            function: name.to_owned(),
            expected: expected_label::<T>(),
            actual: type_label(actual),
        })
    }

    /// A place in one of the set's script files (the rule set alone when `file` is unknown),
    /// with the file's text.
    fn loc(&self, file: Option<&String>, line_col: Option<(usize, usize)>) -> Box<Loc> {
        let Some(file) = file else {
            return Box::new(Loc::in_ruleset(&self.ruleset, ""));
        };
        let mut loc = match file.split_once('/') {
            Some((ruleset, name)) => Loc::in_ruleset(ruleset, name),
            None => Loc::in_ruleset(&self.ruleset, file.as_str()),
        };
        if let Some(text) = self.sources.get(file) {
            loc = loc.with_source(text.clone());
        }
        Box::new(match line_col {
            Some((line, column)) => loc.at_line_col(line, column),
            None => loc,
        })
    }

    /// Where a function is defined (used when Rhai gives no position); the rule set alone for
    /// a function no script defines.
    #[must_use]
    pub fn definition_loc(&self, function: &str) -> Box<Loc> {
        let info = self.functions.iter().find(|f| f.name == function);
        self.loc(
            self.files_by_name.get(function),
            info.and_then(|f| f.line.zip(f.column)),
        )
    }

    fn runtime_error(&self, entry: &str, err: EvalAltResult) -> ScriptError {
        // Walk down to the innermost function frame: its inner error's position lies in that
        // function's body, and the function's name tells which file that is.
        let mut function = entry.to_owned();
        let mut err = err;
        let mut err = loop {
            match err {
                EvalAltResult::ErrorInFunctionCall(name, _source, inner, _pos) => {
                    function = name;
                    err = *inner;
                }
                other => break other,
            }
        };
        let position = position_of(err.take_position());

        let (at, running) = match position {
            Some(position) => (
                self.loc(self.files_by_name.get(&function), Some(position)),
                Running::in_body(&function),
            ),
            None => (self.definition_loc(&function), Running::definition(&function)),
        };

        match err {
            EvalAltResult::ErrorFunctionNotFound(ref signature, _) if position.is_none() && signature == entry => {
                let arities: Vec<String> = self
                    .functions
                    .iter()
                    .filter(|f| f.name == entry)
                    .map(|f| format!("{}/{}", f.name, f.arity))
                    .collect();
                ScriptError::FunctionNotFound {
                    at: self.loc(None, None),
                    function: entry.to_owned(),
                    known: if arities.is_empty() {
                        "没有脚本定义此函数".to_owned()
                    } else {
                        format!("参数个数不符；已定义 {}", arities.join("、"))
                    },
                }
            }
            EvalAltResult::ErrorTooManyOperations(_) => ScriptError::TooManyOperations {
                at,
                running,
                limit: self.limits.max_operations,
            },
            EvalAltResult::ErrorStackOverflow(_) => ScriptError::CallDepth {
                at,
                running,
                limit: self.limits.max_call_levels,
            },
            EvalAltResult::ErrorTooManyVariables(_) => ScriptError::TooManyVariables {
                at,
                running,
                limit: self.limits.max_variables,
            },
            EvalAltResult::ErrorDataTooLarge(ref what, _) => {
                let (what, limit) = if what.contains("string") {
                    ("字符串长度", self.limits.max_string_size)
                } else if what.contains("array") || what.contains("BLOB") {
                    ("数组元素个数", self.limits.max_array_size)
                } else {
                    ("对象映射条目数", self.limits.max_map_size)
                };
                ScriptError::DataTooLarge {
                    at,
                    running,
                    what: what.to_owned(),
                    limit,
                }
            }
            EvalAltResult::ErrorTerminated(ref token, _)
                if token.clone().into_string().is_ok_and(|t| t == DEADLINE_TOKEN) =>
            {
                ScriptError::Deadline {
                    at,
                    running,
                    budget: self.limits.deadline,
                }
            }
            ref other => ScriptError::Runtime {
                at,
                running,
                message: runtime_message(other),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

/// Chinese name of the type a host asked for.
fn expected_label<T: Any>() -> String {
    let id = TypeId::of::<T>();
    let known = [
        (TypeId::of::<INT>(), "整数"),
        (TypeId::of::<Decimal>(), "小数"),
        (TypeId::of::<bool>(), "布尔值"),
        (TypeId::of::<String>(), "字符串"),
        (TypeId::of::<ImmutableString>(), "字符串"),
        (TypeId::of::<rhai::Array>(), "数组"),
        (TypeId::of::<rhai::Map>(), "对象映射"),
        (TypeId::of::<()>(), "空值 ()"),
    ];
    known
        .iter()
        .find(|(known, _)| *known == id)
        .map_or_else(|| type_name::<T>().to_owned(), |(_, label)| (*label).to_owned())
}

fn parse_message(err: &ParseErrorType) -> String {
    match err {
        ParseErrorType::BadInput(rhai::LexError::ImproperSymbol(symbol, _)) if symbol == "eval" => {
            "不允许使用 eval（规则脚本禁止动态执行代码）".to_owned()
        }
        ParseErrorType::Reserved(word) if word == "import" => {
            "不允许使用 import（规则脚本不能加载模块或文件）".to_owned()
        }
        ParseErrorType::Reserved(word) => format!("{word} 是保留字，不能使用"),
        ParseErrorType::VariableUndefined(name) => format!("未定义的变量 {name}"),
        ParseErrorType::ExprTooDeep => "表达式嵌套过深".to_owned(),
        ParseErrorType::FnDuplicatedDefinition(name, arity) => {
            format!("函数 {name}（{arity} 个参数）重复定义")
        }
        ParseErrorType::BadInput(rhai::LexError::UnexpectedInput(token)) => {
            format!("此处不应出现“{token}”（前面的表达式是否没有写完？）")
        }
        ParseErrorType::UnexpectedEOF => "脚本意外结束（缺少右括号或右花括号？）".to_owned(),
        ParseErrorType::UnknownOperator(op) => format!("未知的运算符 {op}"),
        ParseErrorType::MissingToken(token, description) => {
            format!("缺少 {token}（{description}）")
        }
        other => other.to_string(),
    }
}

fn runtime_message(err: &EvalAltResult) -> String {
    match err {
        EvalAltResult::ErrorFunctionNotFound(signature, _) => {
            format!("找不到函数 {signature}（函数未定义，或参数个数/类型不符）")
        }
        EvalAltResult::ErrorVariableNotFound(name, _) => format!("未定义的变量 {name}"),
        EvalAltResult::ErrorArithmetic(message, _) => {
            if message.starts_with("Division by zero") {
                format!("除数为零（{message}）")
            } else if message.contains("overflow") {
                format!("运算结果超出可表示的范围（{message}）")
            } else {
                format!("算术错误：{message}")
            }
        }
        EvalAltResult::ErrorMismatchDataType(expected, actual, _) => {
            format!("类型不符：需要{}，实际是{}", type_label(expected), type_label(actual))
        }
        EvalAltResult::ErrorRuntime(value, _) => format!("脚本抛出错误：{value}"),
        EvalAltResult::ErrorArrayBounds(len, index, _) => {
            format!("数组下标 {index} 越界（长度 {len}）")
        }
        EvalAltResult::ErrorStringBounds(len, index, _) => {
            format!("字符串下标 {index} 越界（长度 {len}）")
        }
        EvalAltResult::ErrorPropertyNotFound(name, _) => format!("没有属性 {name}"),
        EvalAltResult::ErrorIndexNotFound(index, _) => format!("没有键 {index}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn set(files: &[(&str, &str)]) -> ScriptSet {
        let files: Vec<(String, String)> = files.iter().map(|(n, s)| ((*n).to_owned(), (*s).to_owned())).collect();
        match ScriptSet::compile("test-set", &files, &ScriptLimits::default()) {
            Ok(set) => set,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn every_documented_function_is_callable_and_gives_its_result() {
        let set = set(&[("empty.rhai", "")]);
        for doc in SCRIPT_FUNCTIONS {
            assert!(
                doc.example.contains(&format!("{}(", doc.name)),
                "example of {} does not use it",
                doc.name
            );
            let value: Dynamic = set
                .engine
                .eval_expression(doc.example)
                .unwrap_or_else(|e| panic!("{}: {e}", doc.name));
            assert_eq!(value.to_string(), doc.result, "{}", doc.example);
        }
    }

    #[test]
    fn host_functions_cover_int_and_decimal_arguments() {
        let set = set(&[("empty.rhai", "")]);
        let cases = [
            ("dec(3)", "3"),
            ("dec(\" 0.125 \")", "0.125"),
            ("dec(1.5) * 10", "15.0"),
            ("round_half_up(5, 2)", "5"),
            ("round_half_up(-2.345, 2)", "-2.35"),
            ("round_half_even(2.355, 2)", "2.36"),
            ("round_down(-2.349, 2)", "-2.34"),
            ("round_up(-2.341, 2)", "-2.35"),
            ("round_half_up(1.5, 100)", "1.5"),
            ("clamp(5, 0, 3)", "3"),
            ("clamp(-1, 0.5, 3)", "0.5"),
            ("clamp(2.5, 0, 3)", "2.5"),
            ("min(2, 3)", "2"),
            ("10 / 4", "2"),
            ("10.0 / 4", "2.5"),
            ("0.1 + 0.2 == 0.3", "true"),
        ];
        for (expr, expected) in cases {
            let value: Dynamic = set
                .engine
                .eval_expression(expr)
                .unwrap_or_else(|e| panic!("{expr}: {e}"));
            assert_eq!(value.to_string(), expected, "{expr}");
        }
        for bad in [
            "round_half_up(1.5, -1)",
            "clamp(1, 3, 2)",
            "dec(\"abc\")",
            "clamp(1, \"a\", 2)",
        ] {
            assert!(set.engine.eval_expression::<Dynamic>(bad).is_err(), "{bad}");
        }
    }

    /// Where the time of one call goes (release):
    /// `cargo test --release --lib -- --ignored --nocapture call_cost_breakdown`.
    #[test]
    #[ignore = "timing; run in release"]
    fn call_cost_breakdown() {
        let set = set(&[(
            "formulas.rhai",
            "fn forward(t, a, w) { if a >= t { w } else { round_half_up(a / t * w, 2) } }\n\
             fn ident(t, a, w) { w }",
        )]);
        let n = 200_000_u32;
        let time = |label: &str, f: &dyn Fn() -> Decimal| {
            for _ in 0..1000 {
                std::hint::black_box(f());
            }
            let start = Instant::now();
            for _ in 0..n {
                std::hint::black_box(f());
            }
            println!("{label}: {:?} per call", start.elapsed() / n);
        };
        let args = || (dec!(95), dec!(90), dec!(10));
        let _guard = set.begin_document();
        time("ScriptSet::call forward", &|| {
            set.call::<Decimal>("forward", args()).unwrap_or_default()
        });
        time("ScriptSet::call ident", &|| {
            set.call::<Decimal>("ident", args()).unwrap_or_default()
        });
        let set = &set;
        let raw = |name: &'static str| {
            move || {
                let mut scope = Scope::new();
                let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
                set.engine
                    .call_fn_with_options::<Decimal>(options, &mut scope, &set.ast, name, args())
                    .unwrap_or_default()
            }
        };
        time("engine.call_fn_with_options forward", &raw("forward"));
        time("engine.call_fn_with_options ident", &raw("ident"));
        let mut plain = Engine::new_raw();
        CorePackage::new().register_into_engine(&mut plain);
        LogicPackage::new().register_into_engine(&mut plain);
        BasicMathPackage::new().register_into_engine(&mut plain);
        let ast = plain
            .compile("fn forward(t, a, w) { if a >= t { w } else { round_half_up(a / t * w, 2) } }")
            .unwrap_or_else(|e| panic!("{e}"));
        time("no progress callback, no limits", &|| {
            let mut scope = Scope::new();
            let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
            plain
                .call_fn_with_options::<Decimal>(options, &mut scope, &ast, "forward", args())
                .unwrap_or_default()
        });
    }

    #[test]
    fn closures_work_but_are_not_listed() {
        let set = set(&[("c.rhai", "fn total(xs) { xs.map(|x| x * 2).reduce(|s, x| s + x, 0) }")]);
        let names: Vec<String> = set.functions().into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["total"]);
        let xs: rhai::Array = vec![Dynamic::from(1_i64), Dynamic::from(2_i64)];
        assert_eq!(set.call::<INT>("total", (xs,)).ok(), Some(6));
        let err = set.call::<rhai::Array>("total", (rhai::Array::new(),)).err();
        assert!(
            err.as_ref().is_some_and(|e| e.to_string().contains("应返回数组")),
            "{err:?}"
        );
    }

    #[test]
    fn forward_formula_returns_exact_decimal() {
        let set = set(&[(
            "formulas.rhai",
            "fn forward(t, a, w) { if a >= t { w } else { round_half_up(a / t * w, 2) } }",
        )]);
        let score: Decimal = set
            .call("forward", (dec!(3), dec!(2), dec!(10)))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(score, dec!(6.67));
        let score: Decimal = set
            .call("forward", (dec!(3), dec!(4), dec!(10)))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(score, dec!(10));
        // An integer result is widened to Decimal.
        let score: Decimal = set
            .call("forward", (3_i64, 5_i64, 10_i64))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(score, dec!(10));
    }
}
