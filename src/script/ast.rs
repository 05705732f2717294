//! One reading of a rule script: Rhai's own AST turned into plain facts, the only place the
//! crate reads script code. [`super::ScriptSet`] reads each file once when it compiles and keeps
//! the facts; `jixiao check` (`policy::lint`, `policy::checks`), coverage probes
//! (`runs::ruletest`), `explain`'s formula places and parameters, `diff` and the native
//! templates ([`super::native`]) all use them.
//!
//! [`read`] parses one script file with optimisation off (so `1 / 2` stays a division and is not
//! folded into `0`) and returns, for every function it defines, a [`FunctionFacts`]: where it is
//! (its `fn` keyword, found by [`definitions`] with Rhai's own tokenizer, as the AST keeps no
//! place for it), the calls it makes, how it uses each parameter (above all the last, the
//! parameters object `p` of formula and check functions), its divisions with what the AST shows
//! of each side being an integer, the values it can return that are plainly not numbers, its
//! `if`s with the places of their blocks, and its position-free form. Comments and strings are
//! never facts: only the AST (and for `fn` places, Rhai's tokens) is read.
//!
//! What the reading does not do: it follows no data between functions (a function's arguments are
//! unknown values), knows the type of no host call's result except `to_int`, `abs`, `min`, `max`
//! and `clamp` of integers, and treats every binding of a local variable alike, wherever it is
//! (flow-insensitive), so a variable rebound to anything it cannot see through counts as unknown.
//!
//! [`engine_functions`] lists what the engine itself provides (jixiao's host functions and the
//! Rhai packages [`super::build_engine`] loads, read from the engine, plus Rhai's keyword
//! functions), so a call can be checked against it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use rhai::{AST, ASTFlags, ASTNode, Engine, Expr, OptimizationLevel, Position, Stmt, Token};

use super::ScriptLimits;

/// A 1-based line and column (in characters) of a script file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    /// Line, starting at 1.
    pub line: usize,
    /// Column in characters, starting at 1.
    pub column: usize,
}

impl Site {
    fn of(pos: Position) -> Self {
        Self {
            line: pos.line().unwrap_or(1),
            column: pos.position().unwrap_or(1),
        }
    }
}

/// A call of a function by name (operators are not calls).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Function name as written.
    pub name: String,
    /// Number of arguments, counting the object of a method call (`x.f(a)` passes 2).
    pub args: usize,
    /// `true` for a method call `x.f(…)`.
    pub method: bool,
    /// Where the name is.
    pub at: Site,
}

/// How a function uses one of its parameters (above all the last, the parameters object `p`
/// of formula and check functions, by whatever name the function gives it; and the facts `f`
/// a check function is given first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamsUse {
    /// The parameter's name.
    pub name: String,
    /// Properties read from it (`p.rate_places`, `p["rate_places"]`), each with the place of the
    /// property's name.
    pub reads: Vec<(String, Site)>,
    /// Calls it is passed to as the last argument: callee name and argument count.
    pub passed_to: Vec<(String, usize)>,
    /// Used in any other way (returned, compared, a method called on it, passed elsewhere): then
    /// the function may read anything from it.
    pub escapes: bool,
}

/// One side of a division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operand {
    /// The side as written (rebuilt from the AST), e.g. `nine`, `p.rate_places`, `(a + 1)`.
    pub text: String,
    /// `Some(names)` when the side is an integer as long as each parameter read in `names`
    /// (properties of the parameters object) is an integer — `Some` of an empty set when it is
    /// an integer whatever the parameters are; `None` when the AST does not show an integer.
    pub integer_if: Option<BTreeSet<String>>,
}

/// A division `a / b` or `a /= b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    /// Where the operator is.
    pub at: Site,
    /// The dividend.
    pub left: Operand,
    /// The divisor.
    pub right: Operand,
}

/// A kind of value that is plainly not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NonNumber {
    /// A string (`"0"`, `` `…` ``).
    Text,
    /// The unit value `()`.
    Unit,
    /// `true`, `false`, a comparison or `!`.
    Bool,
    /// A character literal.
    Char,
    /// An array `[…]`.
    Array,
    /// An object map `#{…}`.
    Map,
}

impl NonNumber {
    /// The kind in Chinese, for messages.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "字符串",
            Self::Unit => "空值 ()",
            Self::Bool => "布尔值",
            Self::Char => "字符",
            Self::Array => "数组",
            Self::Map => "对象映射",
        }
    }
}

/// Why a function can end with a value that is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Why {
    /// A literal or expression of that kind is the result (`"0"`, `()`, `a > b`).
    Value,
    /// An `if` without `else`: when its condition is false the result is `()`.
    NoElse,
    /// A `switch` without a `_` case: when no case matches the result is `()`.
    NoDefault,
    /// An empty body or block.
    Empty,
    /// The block ends with a statement that has no value (`let`, an assignment, a loop).
    Statement,
    /// A bare `return;`.
    BareReturn,
}

/// A value a function can return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returned {
    /// A value that is plainly not a number.
    Value {
        /// Its kind.
        kind: NonNumber,
        /// How the AST shows it.
        why: Why,
        /// Where.
        at: Site,
    },
    /// Whatever a call returns (a script function's result is that function's).
    Call {
        /// Callee name.
        name: String,
        /// Number of arguments.
        args: usize,
        /// Where.
        at: Site,
    },
}

/// An `if` and the blocks it chooses between (for coverage probes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfSites {
    /// The `if` keyword.
    pub at: Site,
    /// The `{` of the block run when the condition holds.
    pub then_open: Site,
    /// The `}` closing that block.
    pub then_close: Site,
    /// What follows the block.
    pub otherwise: Otherwise,
}

/// What follows the first block of an `if`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Otherwise {
    /// No `else`: when the condition fails, nothing runs.
    Nothing,
    /// `else if …`: the nested `if` has its own [`IfSites`].
    ElseIf,
    /// `else { … }`, with the place of its `{`.
    Block(Site),
}

/// A `switch` and the places of its arms (for coverage probes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchSites {
    /// The `switch` keyword.
    pub at: Site,
    /// Each arm's action, in source order (the `_` arm included); empty when some arm could not
    /// be placed, and then the `switch` is not probed.
    pub arms: Vec<ArmSites>,
    /// Whether it has a `_` arm (without one, no match gives `()`).
    pub default: bool,
    /// The `}` closing it, when the tokens show it.
    pub close: Option<Site>,
    /// Whether an arm added before [`SwitchSites::close`] needs a `,` first.
    pub needs_comma: bool,
}

/// Where one `switch` arm's action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArmSites {
    /// Its first token (the `{` of a block).
    pub start: Site,
    /// A block or an expression.
    pub kind: ArmKind,
}

/// What a `switch` arm runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArmKind {
    /// A block `{ … }`, with the place of its `}`.
    Block {
        /// The closing `}`.
        close: Site,
    },
    /// An expression (or a statement), with the place of the token just after it (when found).
    Expr {
        /// The token after it: the `,` or `}` ending the arm, or the next arm's first.
        end: Option<Site>,
        /// A statement ending in a block (`if`, `switch`, loops): no `,` need follow it.
        terminated: bool,
    },
}

/// What the AST shows of one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionFacts {
    /// Function name (closures are `anon$…`).
    pub name: String,
    /// Parameter names, in order.
    pub params: Vec<String>,
    /// `true` for a closure (`|x| …`), compiled by Rhai into a hidden function.
    pub closure: bool,
    /// Where it is defined: its `fn` keyword (for a closure, its body).
    pub at: Site,
    /// Where the body starts (its `{`).
    pub body: Site,
    /// Where the body ends (its `}`).
    pub body_end: Site,
    /// Its `if`s (not those of the closures it contains), in source order.
    pub ifs: Vec<IfSites>,
    /// Its `switch`es (not those of the closures it contains), in source order.
    pub switches: Vec<SwitchSites>,
    /// The function written out without positions, comments or spacing (parameters and body):
    /// two functions have the same form exactly when Rhai reads the same code. `None` when it
    /// uses a construct the form does not write (none a rule script can use is left out).
    pub form: Option<String>,
    /// Calls by name, in source order.
    pub calls: Vec<Call>,
    /// Functions named by a function pointer `Fn("name")`.
    pub fn_refs: Vec<(String, Site)>,
    /// How each parameter is used, in order (the last is the parameters object: see
    /// [`FunctionFacts::params_use`]).
    pub uses: Vec<ParamsUse>,
    /// Divisions, in source order.
    pub divisions: Vec<Division>,
    /// Values it can return that are not numbers, and calls whose result it returns.
    pub returns: Vec<Returned>,
    /// Keys of the object-map literals it writes (`#{ f: … }`) and of the properties it assigns
    /// (`m.f = …`): a method call `m.f()` may call a function pointer stored under such a key,
    /// and a check's result may carry it.
    pub map_keys: BTreeSet<String>,
}

impl FunctionFacts {
    /// How the last parameter (the parameters object) is used; `None` without parameters.
    #[must_use]
    pub fn params_use(&self) -> Option<&ParamsUse> {
        self.uses.last()
    }
}

/// Reads a script file's functions. `None` when the file does not parse (reported by compiling).
#[must_use]
pub fn read(source: &str, limits: &ScriptLimits) -> Option<Vec<FunctionFacts>> {
    let mut engine = Engine::new_raw();
    engine.set_optimization_level(OptimizationLevel::None);
    engine.set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth);
    let mut ast = engine.compile(source).ok()?;
    ast.clear_statements();
    let mut heads: BTreeMap<(String, usize), (Vec<String>, Site)> = BTreeMap::new();
    for f in ast.iter_fn_def() {
        heads.insert(
            (f.name.to_string(), f.params.len()),
            (
                f.params.iter().map(ToString::to_string).collect(),
                Site::of(f.body.end_position()),
            ),
        );
    }
    let tokens = tokens(source);
    let mut sites: BTreeMap<(String, usize), Site> = BTreeMap::new();
    for d in definitions_in(&tokens) {
        sites.entry((d.name, d.arity)).or_insert(d.at);
    }
    let mut bodies = Vec::with_capacity(heads.len());
    split_bodies(ast, &mut bodies);
    let mut out = Vec::with_capacity(bodies.len());
    for (signature, body, start) in bodies {
        let (params, end) = heads.remove(&signature).unwrap_or((Vec::new(), start));
        let at = sites.get(&signature).copied().unwrap_or(start);
        let mut facts = facts_of(signature.0, params, &body, start);
        facts.at = at;
        facts.body_end = end;
        out.push(facts);
    }
    place_switches(&mut out, &tokens);
    out.sort_by(|a, b| (a.body, &a.name).cmp(&(b.body, &b.name)));
    Some(out)
}

/// A function definition as Rhai's tokenizer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// Function name.
    pub name: String,
    /// Number of parameters.
    pub arity: usize,
    /// Where its `fn` keyword is.
    pub at: Site,
}

/// Every `fn name(params)` of a script, read with Rhai's own tokenizer (so comments and strings
/// never count), in source order. Rhai's AST keeps no place for the `fn` keyword, which is
/// where a function is said to be.
#[must_use]
pub fn definitions(source: &str) -> Vec<Definition> {
    definitions_in(&tokens(source))
}

fn definitions_in(tokens: &[(Token, Site)]) -> Vec<Definition> {
    let mut found = Vec::new();
    // After `fn`: the name, then the parameters counted up to `)`.
    let mut head: Option<(Site, Option<String>, usize)> = None;
    for (token, at) in tokens {
        head = match (head, token) {
            (None, Token::Fn) => Some((*at, None, 0)),
            (Some((at, None, _)), Token::Identifier(name)) => Some((at, Some(name.to_string()), 0)),
            (Some((at, Some(name), n)), Token::LeftParen | Token::Comma) => Some((at, Some(name), n)),
            (Some((at, Some(name), n)), Token::Identifier(_)) => Some((at, Some(name), n + 1)),
            (Some((at, Some(name), arity)), Token::RightParen) => {
                found.push(Definition { name, arity, at });
                None
            }
            // `fn zero()`: Rhai reads `()` as one token.
            (Some((at, Some(name), 0)), Token::Unit) => {
                found.push(Definition { name, arity: 0, at });
                None
            }
            _ => None,
        };
    }
    found
}

/// A script's tokens as Rhai's tokenizer reads them (comments left out), with their places, up
/// to the end or the first token it cannot read.
fn tokens(source: &str) -> Vec<(Token, Site)> {
    let engine = Engine::new_raw();
    let sources = [source];
    let (stream, control) = engine.lex(&sources);
    let mut out = Vec::new();
    // Open braces of each `${ … }` being read: at its closing `}` the string goes on, as the
    // parser tells the tokenizer.
    let mut interpolations: Vec<usize> = Vec::new();
    for (token, pos) in stream {
        match &token {
            Token::EOF | Token::LexError(_) => break,
            Token::InterpolatedString(_) => interpolations.push(0),
            Token::LeftBrace | Token::MapStart => {
                if let Some(depth) = interpolations.last_mut() {
                    *depth += 1;
                }
            }
            Token::RightBrace => match interpolations.last_mut() {
                Some(1) => {
                    interpolations.pop();
                    control.borrow_mut().is_within_text = true;
                }
                Some(depth) => *depth = depth.saturating_sub(1),
                None => {}
            },
            _ => {}
        }
        out.push((token, Site::of(pos)));
    }
    out
}

/// The token just after the arm action that starts at `start` inside `{ … }` of a `switch`:
/// the first `,` or `}` outside any bracket, or, for a statement ending in a block
/// (`terminated`), the token after that block (past any `else`). `None` when `start` is no
/// token's place.
fn arm_end(tokens: &[(Token, Site)], start: Site, terminated: bool) -> Option<(usize, Site)> {
    let first = tokens.binary_search_by(|(_, at)| at.cmp(&start)).ok()?;
    let mut depth = 0usize;
    for (i, (token, at)) in tokens.iter().enumerate().skip(first) {
        match token {
            Token::LeftParen | Token::LeftBracket | Token::LeftBrace | Token::MapStart => depth += 1,
            Token::Comma | Token::RightBrace if depth == 0 => return Some((i, *at)),
            Token::RightBrace if depth == 1 && terminated => {
                let next = tokens.get(i + 1)?;
                if !matches!(next.0, Token::Else) {
                    return Some((i + 1, next.1));
                }
                depth = 0;
            }
            Token::RightParen | Token::RightBracket | Token::RightBrace => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    None
}

/// Fills in what only the tokens show of each `switch`: where each expression arm ends, where
/// the `switch` closes, and whether an arm added there needs a `,` first. A `switch` some part
/// of which is not found keeps no arms (it is not probed).
fn place_switches(functions: &mut [FunctionFacts], tokens: &[(Token, Site)]) {
    let index_of = |site: Site| tokens.binary_search_by(|(_, at)| at.cmp(&site)).ok();
    for switch in functions.iter_mut().flat_map(|f| f.switches.iter_mut()) {
        // The index of the last token of the last arm (its `}`), or of the `,` or `}` after it.
        let mut last = None;
        for arm in &mut switch.arms {
            last = match arm.kind {
                ArmKind::Block { close } => index_of(close),
                ArmKind::Expr { terminated, .. } => {
                    let end = arm_end(tokens, arm.start, terminated);
                    arm.kind = ArmKind::Expr {
                        end: end.map(|(_, at)| at),
                        terminated,
                    };
                    end.map(|(i, _)| i)
                }
            };
            if last.is_none() {
                break;
            }
        }
        let close = last.and_then(|i| match tokens.get(i) {
            Some((Token::RightBrace, at)) if matches!(switch.arms.last(), Some(a) if matches!(a.kind, ArmKind::Expr { .. })) => {
                Some((i, *at))
            }
            _ => tokens
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, (t, _))| !matches!(t, Token::Comma))
                .filter(|(_, (t, _))| matches!(t, Token::RightBrace))
                .map(|(j, (_, at))| (j, *at)),
        });
        match close {
            Some((i, at)) => {
                switch.close = Some(at);
                switch.needs_comma = !matches!(i.checked_sub(1).and_then(|k| tokens.get(k)), Some((Token::Comma, _)));
            }
            None => switch.arms.clear(),
        }
    }
}

/// Each function's signature (name, arity), body statements (owned copies: a walk's nodes cannot
/// outlive it) and the place its body starts. Rhai walks every function's body in turn without
/// saying where one ends, so the functions are halved (`retain_functions`) until one is left:
/// n log n work for n functions, where taking each function out of the whole script was n².
fn split_bodies(mut ast: AST, out: &mut Vec<((String, usize), Vec<Stmt>, Site)>) {
    let signatures: Vec<(String, usize)> = ast
        .iter_fn_def()
        .map(|f| (f.name.to_string(), f.params.len()))
        .collect();
    if let [signature] = signatures.as_slice() {
        let start = ast
            .iter_fn_def()
            .next()
            .map_or(Site { line: 1, column: 1 }, |f| Site::of(f.body.start_position()));
        let mut body = Vec::new();
        ast.walk(&mut |path: &[ASTNode]| {
            if let [ASTNode::Stmt(stmt)] = path {
                body.push((*stmt).clone());
            }
            true
        });
        out.push((signature.clone(), body, start));
    } else if let Some((first, _)) = signatures.split_at_checked(signatures.len() / 2) {
        if first.is_empty() {
            return;
        }
        let first: BTreeSet<(&str, usize)> = first.iter().map(|(n, a)| (n.as_str(), *a)).collect();
        let mut left = ast.clone();
        left.retain_functions(|_, _, name, arity| first.contains(&(name, arity)));
        ast.retain_functions(|_, _, name, arity| !first.contains(&(name, arity)));
        split_bodies(left, out);
        split_bodies(ast, out);
    }
}

/// How a local variable is bound.
#[derive(Debug, Clone)]
enum Binding {
    /// `let x = e` or `x = e`.
    Value(Expr),
    /// `x += e` (and `-=`, `*=`, `/=`, `%=`): an integer when `x` and `e` are.
    Combine(Expr),
    /// Anything else (a loop variable, another op-assignment).
    Unknown,
}

/// What a function knows while it is read.
struct Scope<'a> {
    /// Local variables' bindings, anywhere in the function.
    bindings: BTreeMap<String, Vec<Binding>>,
    /// The parameters object's name (the last parameter).
    params: Option<&'a str>,
}

fn facts_of(name: String, params: Vec<String>, body: &[Stmt], start: Site) -> FunctionFacts {
    let params_name = params.last().cloned();
    let mut scope = Scope {
        bindings: BTreeMap::new(),
        params: params_name.as_deref(),
    };
    for stmt in body {
        collect_bindings(stmt, &mut scope.bindings);
    }
    let mut facts = FunctionFacts {
        closure: name.starts_with("anon$"),
        name: name.clone(),
        params: params.clone(),
        at: start,
        body: start,
        body_end: start,
        ifs: Vec::new(),
        switches: Vec::new(),
        form: form_of_function(&params, body),
        calls: Vec::new(),
        fn_refs: Vec::new(),
        uses: params
            .iter()
            .map(|p| ParamsUse {
                name: p.clone(),
                ..ParamsUse::default()
            })
            .collect(),
        divisions: Vec::new(),
        returns: Vec::new(),
        map_keys: BTreeSet::new(),
    };
    let mut path = Vec::new();
    for stmt in body {
        stmt.walk(&mut path, &mut |path: &[ASTNode]| {
            visit(path, &scope, &mut facts);
            true
        });
        path.clear();
    }
    let mut returns = value_of_block(body, start, &scope);
    returns.append(&mut facts.returns);
    let mut seen = BTreeSet::new();
    returns.retain(|r| seen.insert(format!("{r:?}")));
    facts.returns = returns;
    facts
}

fn collect_bindings(stmt: &Stmt, bindings: &mut BTreeMap<String, Vec<Binding>>) {
    let mut path = Vec::new();
    stmt.walk(&mut path, &mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Stmt(Stmt::Var(x, ..))) => {
                bindings
                    .entry(x.0.name.to_string())
                    .or_default()
                    .push(Binding::Value(x.1.clone()));
            }
            Some(ASTNode::Stmt(Stmt::Assignment(x))) => {
                if let Some(var) = variable_name(&x.1.lhs) {
                    let binding = match x.0.get_op_assignment_info() {
                        None => Binding::Value(x.1.rhs.clone()),
                        Some((.., "+" | "-" | "*" | "/" | "%")) => Binding::Combine(x.1.rhs.clone()),
                        Some(_) => Binding::Unknown,
                    };
                    bindings.entry(var.to_owned()).or_default().push(binding);
                }
            }
            Some(ASTNode::Stmt(Stmt::For(x, ..))) => {
                bindings.entry(x.0.name.to_string()).or_default().push(Binding::Unknown);
                if let Some(counter) = &x.1 {
                    bindings
                        .entry(counter.name.to_string())
                        .or_default()
                        .push(Binding::Unknown);
                }
            }
            _ => {}
        }
        true
    });
}

fn variable_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Variable(x, ..) => Some(x.1.as_str()),
        _ => None,
    }
}

/// The name of the first property of the right side of `p.…` (`p.a`, `p.a.b`, `p.a[0]`,
/// `p.a.len()`); `None` when the right side starts with a method call.
fn first_property(rhs: &Expr) -> Option<(String, Site)> {
    match rhs {
        Expr::Property(x, pos) => Some((x.2.to_string(), Site::of(*pos))),
        Expr::Dot(x, ..) | Expr::Index(x, ..) => first_property(&x.lhs),
        _ => None,
    }
}

/// Where a `switch` arm's action starts and what it is.
fn arm_sites(action: &Expr) -> Option<ArmSites> {
    let expr = |start: Position, terminated: bool| ArmSites {
        start: Site::of(start),
        kind: ArmKind::Expr { end: None, terminated },
    };
    match action {
        Expr::Stmt(block) if !block.end_position().is_none() => Some(ArmSites {
            start: Site::of(block.position()),
            kind: ArmKind::Block {
                close: Site::of(block.end_position()),
            },
        }),
        Expr::Stmt(block) => match block.statements() {
            [Stmt::Expr(e)] => Some(expr(start_of(e), false)),
            [Stmt::FnCall(call, pos)] => Some(expr(
                match (call.op_token.is_some(), call.args.as_slice()) {
                    (true, [left, _]) => start_of(left),
                    _ => *pos,
                },
                false,
            )),
            [Stmt::Assignment(x)] => Some(expr(start_of(&x.1.lhs), false)),
            // Statements that start with their keyword; those ending in a block need no `,`.
            [stmt] => Some(expr(
                stmt.position(),
                matches!(
                    stmt,
                    Stmt::If(..) | Stmt::Switch(..) | Stmt::While(..) | Stmt::For(..) | Stmt::TryCatch(..)
                ),
            )),
            _ => None,
        },
        e => Some(expr(start_of(e), false)),
    }
}

/// Where an expression starts (Rhai places an operator call at its operator).
fn start_of(expr: &Expr) -> Position {
    match expr {
        Expr::FnCall(call, _) if call.op_token.is_some() && call.args.len() == 2 => {
            call.args.first().map_or(expr.position(), start_of)
        }
        Expr::Dot(x, ..) | Expr::Index(x, ..) => start_of(&x.lhs),
        Expr::And(x, _) | Expr::Or(x, _) | Expr::Coalesce(x, _) => x.first().map_or(expr.position(), start_of),
        Expr::Stmt(block) => block.position(),
        _ => expr.start_position(),
    }
}

/// The name of the last property of the right side of `m.…` (`m.a`, `m.a.b`).
fn last_property(rhs: &Expr) -> Option<String> {
    match rhs {
        Expr::Property(x, _) => Some(x.2.to_string()),
        Expr::Dot(x, ..) => last_property(&x.rhs),
        _ => None,
    }
}

/// Records the facts of one node (the last of `path`).
fn visit(path: &[ASTNode], scope: &Scope, facts: &mut FunctionFacts) {
    let Some(node) = path.last() else {
        return;
    };
    let parent = path.len().checked_sub(2).and_then(|i| path.get(i));
    match node {
        ASTNode::Expr(Expr::FnCall(call, pos)) | ASTNode::Stmt(Stmt::FnCall(call, pos)) => {
            if call.op_token.is_some() {
                if call.name == "/" {
                    if let [left, right] = call.args.as_slice() {
                        facts.divisions.push(Division {
                            at: Site::of(*pos),
                            left: operand(left, scope),
                            right: operand(right, scope),
                        });
                    }
                }
            } else {
                facts.calls.push(Call {
                    name: call.name.to_string(),
                    args: call.args.len(),
                    method: false,
                    at: Site::of(*pos),
                });
                if call.name == "Fn" {
                    if let Some(Expr::StringConstant(target, at)) = call.args.first() {
                        facts.fn_refs.push((target.to_string(), Site::of(*at)));
                    }
                }
            }
        }
        ASTNode::Expr(Expr::MethodCall(call, pos)) => facts.calls.push(Call {
            name: call.name.to_string(),
            args: call.args.len() + 1,
            method: true,
            at: Site::of(*pos),
        }),
        ASTNode::Stmt(Stmt::Assignment(x)) => {
            if let Expr::Dot(bin, ..) = &x.1.lhs {
                facts.map_keys.extend(last_property(&bin.rhs));
            }
            if let Some((.., op)) = x.0.get_op_assignment_info() {
                if op == "/" {
                    facts.divisions.push(Division {
                        at: Site::of(x.0.position()),
                        left: operand(&x.1.lhs, scope),
                        right: operand(&x.1.rhs, scope),
                    });
                }
            }
        }
        ASTNode::Stmt(Stmt::Return(Some(value), flags, _)) if !flags.contains(ASTFlags::BREAK) => {
            facts.returns.extend(value_of_expr(value, scope));
        }
        ASTNode::Stmt(Stmt::Return(None, flags, pos)) if !flags.contains(ASTFlags::BREAK) => {
            facts.returns.push(Returned::Value {
                kind: NonNumber::Unit,
                why: Why::BareReturn,
                at: Site::of(*pos),
            });
        }
        ASTNode::Stmt(Stmt::If(flow, pos)) => {
            let branch = &flow.branch;
            facts.ifs.push(IfSites {
                at: Site::of(*pos),
                then_open: Site::of(flow.body.position()),
                then_close: Site::of(flow.body.end_position()),
                // `else if` is a block of one `if` without a closing brace; no `else`, a block
                // of no place at all.
                otherwise: if branch.position().is_none() {
                    Otherwise::Nothing
                } else if branch.end_position().is_none() {
                    Otherwise::ElseIf
                } else {
                    Otherwise::Block(Site::of(branch.position()))
                },
            });
        }
        ASTNode::Stmt(Stmt::Switch(x, pos)) => {
            let cases = &x.1;
            let arms: Option<Vec<ArmSites>> = cases.expressions.iter().map(|case| arm_sites(&case.rhs)).collect();
            facts.switches.push(SwitchSites {
                at: Site::of(*pos),
                arms: arms.unwrap_or_default(),
                default: cases.def_case.is_some(),
                close: None,
                needs_comma: false,
            });
        }
        ASTNode::Expr(Expr::Map(x, ..)) => {
            facts.map_keys.extend(x.0.iter().map(|(key, _)| key.name.to_string()));
        }
        ASTNode::Expr(var @ Expr::Variable(x, ..)) => {
            let Some(uses) = facts.uses.iter_mut().find(|u| u.name == x.1.as_str()) else {
                return;
            };
            let is_this = |e: &Expr| std::ptr::eq(e, *var);
            match parent {
                Some(ASTNode::Expr(Expr::Dot(bin, ..))) if is_this(&bin.lhs) => match first_property(&bin.rhs) {
                    Some(read) => uses.reads.push(read),
                    None => uses.escapes = true,
                },
                Some(ASTNode::Expr(Expr::Index(bin, ..))) if is_this(&bin.lhs) => match &bin.rhs {
                    Expr::StringConstant(key, at) => uses.reads.push((key.to_string(), Site::of(*at))),
                    _ => uses.escapes = true,
                },
                Some(ASTNode::Expr(Expr::FnCall(call, _)) | ASTNode::Stmt(Stmt::FnCall(call, _)))
                    if call.op_token.is_none() && call.args.last().is_some_and(is_this) =>
                {
                    uses.passed_to.push((call.name.to_string(), call.args.len()));
                }
                _ => uses.escapes = true,
            }
        }
        _ => {}
    }
}

/// One side of a division: its text and when it is an integer.
fn operand(expr: &Expr, scope: &Scope) -> Operand {
    Operand {
        text: render(expr, true),
        integer_if: integer_if(expr, scope, &mut Vec::new()),
    }
}

/// `Some(params)` when `expr` is an integer as long as the named parameters are; see
/// [`Operand::integer_if`]. `visiting` guards against variables bound through each other.
fn integer_if(expr: &Expr, scope: &Scope, visiting: &mut Vec<String>) -> Option<BTreeSet<String>> {
    let union = |args: &[Expr], visiting: &mut Vec<String>| -> Option<BTreeSet<String>> {
        let mut all = BTreeSet::new();
        for arg in args {
            all.extend(integer_if(arg, scope, visiting)?);
        }
        Some(all)
    };
    match expr {
        Expr::IntegerConstant(..) => Some(BTreeSet::new()),
        Expr::Variable(x, ..) => {
            let name = x.1.as_str();
            if scope.params == Some(name) || visiting.iter().any(|v| v == name) {
                return None;
            }
            let bindings = scope.bindings.get(name)?;
            visiting.push(name.to_owned());
            let mut all = BTreeSet::new();
            let mut ok = true;
            for binding in bindings {
                match binding {
                    Binding::Value(e) | Binding::Combine(e) => match integer_if(e, scope, visiting) {
                        Some(names) => all.extend(names),
                        None => ok = false,
                    },
                    Binding::Unknown => ok = false,
                }
                if !ok {
                    break;
                }
            }
            visiting.pop();
            ok.then_some(all)
        }
        Expr::Dot(bin, ..) => match (&bin.lhs, &bin.rhs) {
            (Expr::Variable(x, ..), Expr::Property(prop, _)) if scope.params == Some(x.1.as_str()) => {
                Some(BTreeSet::from([prop.2.to_string()]))
            }
            _ => None,
        },
        Expr::FnCall(call, _) if call.op_token.is_some() => match call.name.as_str() {
            "+" | "-" | "*" | "/" | "%" => union(&call.args, visiting),
            _ => None,
        },
        Expr::FnCall(call, _) => match (call.name.as_str(), call.args.len()) {
            ("to_int", 1) => Some(BTreeSet::new()),
            ("abs", 1) | ("min" | "max", 2) | ("clamp", 3) => union(&call.args, visiting),
            _ => None,
        },
        _ => None,
    }
}

/// See [`FunctionFacts::form`].
fn form_of_function(params: &[String], body: &[Stmt]) -> Option<String> {
    Some(format!("({}){}", params.join(","), form_of_block(body)?))
}

fn form_of_block(stmts: &[Stmt]) -> Option<String> {
    let mut out = String::from("{");
    for stmt in stmts {
        out.push_str(&form_of_stmt(stmt)?);
        out.push(';');
    }
    out.push('}');
    Some(out)
}

fn form_of_exprs(open: &str, exprs: &[Expr]) -> Option<String> {
    let mut out = String::from(open);
    for e in exprs {
        out.push_str(&form_of_expr(e)?);
        out.push(',');
    }
    out.push(')');
    Some(out)
}

fn form_of_call(kind: &str, call: &rhai::FnCallExpr) -> Option<String> {
    let op = call.op_token.as_ref().map(|t| format!("{t:?}")).unwrap_or_default();
    let capture = if call.capture_parent_scope { "!" } else { "" };
    form_of_exprs(&format!("{kind}[{op}]{:?}{capture}(", call.name.as_str()), &call.args)
}

/// One statement without positions; `None` for a construct [`FunctionFacts::form`] leaves out.
fn form_of_stmt(stmt: &Stmt) -> Option<String> {
    Some(match stmt {
        Stmt::Noop(_) => "noop".to_owned(),
        Stmt::If(flow, _) => format!(
            "if({}){}else{}",
            form_of_expr(&flow.expr)?,
            form_of_block(flow.body.statements())?,
            form_of_block(flow.branch.statements())?
        ),
        Stmt::For(x, _) => format!(
            "for({},{:?},{}){}",
            x.0.name,
            x.1.as_ref().map(|c| c.name.as_str()),
            form_of_expr(&x.2.expr)?,
            form_of_block(x.2.body.statements())?
        ),
        Stmt::While(flow, _) => format!(
            "while({}){}",
            form_of_expr(&flow.expr)?,
            form_of_block(flow.body.statements())?
        ),
        Stmt::Do(flow, flags, _) => format!(
            "do{flags:?}({}){}",
            form_of_expr(&flow.expr)?,
            form_of_block(flow.body.statements())?
        ),
        Stmt::TryCatch(flow, _) => format!(
            "try{}catch({}){}",
            form_of_block(flow.body.statements())?,
            form_of_expr(&flow.expr)?,
            form_of_block(flow.branch.statements())?
        ),
        Stmt::Switch(x, _) => {
            let cases = &x.1;
            let mut out = format!("switch({})(", form_of_expr(&x.0)?);
            for case in &cases.expressions {
                out.push_str(&format!("{}=>{},", form_of_expr(&case.lhs)?, form_of_expr(&case.rhs)?));
            }
            // Case values are kept by their hash: the same value, the same hash.
            let mut values: Vec<(u64, Vec<usize>)> = cases.cases.iter().map(|(h, c)| (*h, c.blocks.to_vec())).collect();
            values.sort_unstable();
            out.push_str(&format!("){values:?}{:?}{:?}", cases.ranges, cases.def_case));
            out
        }
        Stmt::Var(x, flags, _) => format!("let{flags:?}({},{})", x.0.name, form_of_expr(&x.1)?),
        Stmt::Assignment(x) => {
            let op = x.0.get_op_assignment_info().map(|(.., op)| op).unwrap_or("=");
            format!("set[{op}]({},{})", form_of_expr(&x.1.lhs)?, form_of_expr(&x.1.rhs)?)
        }
        Stmt::FnCall(call, _) => form_of_call("call", call)?,
        Stmt::Block(block) => form_of_block(block.statements())?,
        Stmt::Expr(e) => form_of_expr(e)?,
        Stmt::Return(value, flags, _) | Stmt::BreakLoop(value, flags, _) => format!(
            "return{flags:?}({})",
            match value {
                Some(v) => form_of_expr(v)?,
                None => String::new(),
            }
        ),
        _ => return None,
    })
}

/// One expression without positions; `None` for a construct [`FunctionFacts::form`] leaves out.
fn form_of_expr(expr: &Expr) -> Option<String> {
    Some(match expr {
        Expr::DynamicConstant(value, _) => format!("const[{}]({value})", value.type_name()),
        Expr::BoolConstant(b, _) => format!("{b}"),
        Expr::IntegerConstant(n, _) => format!("int({n})"),
        Expr::CharConstant(c, _) => format!("{c:?}"),
        Expr::StringConstant(s, _) => format!("{:?}", s.as_str()),
        Expr::InterpolatedString(parts, _) => form_of_exprs("text(", parts)?,
        Expr::Array(items, _) => form_of_exprs("array(", items)?,
        Expr::Map(x, _) => {
            let mut out = String::from("map(");
            for (key, value) in &x.0 {
                out.push_str(&format!("{:?}:{},", key.name.as_str(), form_of_expr(value)?));
            }
            out.push(')');
            out
        }
        Expr::Unit(_) => "()".to_owned(),
        Expr::ThisPtr(_) => "this".to_owned(),
        Expr::Variable(x, ..) => format!("var({})", x.1),
        Expr::Property(x, _) => format!("prop({})", x.2),
        Expr::MethodCall(call, _) => form_of_call("method", call)?,
        Expr::FnCall(call, _) => form_of_call("call", call)?,
        Expr::Stmt(block) => format!("do{}", form_of_block(block.statements())?),
        Expr::Dot(bin, flags, _) | Expr::Index(bin, flags, _) => format!(
            "{}{flags:?}({},{})",
            if matches!(expr, Expr::Dot(..)) { "dot" } else { "index" },
            form_of_expr(&bin.lhs)?,
            form_of_expr(&bin.rhs)?
        ),
        Expr::And(items, _) => form_of_exprs("and(", items)?,
        Expr::Or(items, _) => form_of_exprs("or(", items)?,
        Expr::Coalesce(items, _) => form_of_exprs("coalesce(", items)?,
        _ => return None,
    })
}

/// The expression written back as text (for messages); `nested` puts an operator expression in
/// parentheses.
fn render(expr: &Expr, nested: bool) -> String {
    match expr {
        Expr::IntegerConstant(n, _) => n.to_string(),
        Expr::DynamicConstant(value, _) => value.to_string(),
        Expr::BoolConstant(b, _) => b.to_string(),
        Expr::StringConstant(s, _) => format!("{s:?}"),
        Expr::Unit(_) => "()".to_owned(),
        Expr::Variable(x, ..) => x.1.to_string(),
        Expr::Property(x, _) => x.2.to_string(),
        Expr::Dot(bin, ..) => format!("{}.{}", render(&bin.lhs, true), render(&bin.rhs, true)),
        Expr::Index(bin, ..) => format!("{}[{}]", render(&bin.lhs, true), render(&bin.rhs, false)),
        Expr::FnCall(call, _) if call.op_token.is_some() => {
            let text = match call.args.as_slice() {
                [only] => format!("{}{}", call.name, render(only, true)),
                [left, right] => format!("{} {} {}", render(left, true), call.name, render(right, true)),
                _ => return "…".to_owned(),
            };
            if nested { format!("({text})") } else { text }
        }
        Expr::FnCall(call, _) => {
            let args: Vec<String> = call.args.iter().map(|a| render(a, false)).collect();
            format!("{}({})", call.name, args.join(", "))
        }
        Expr::MethodCall(call, _) => {
            let args: Vec<String> = call.args.iter().map(|a| render(a, false)).collect();
            format!("{}({})", call.name, args.join(", "))
        }
        _ => "…".to_owned(),
    }
}

/// What a block can end with.
fn value_of_block(stmts: &[Stmt], start: Site, scope: &Scope) -> Vec<Returned> {
    match stmts.last() {
        None => vec![Returned::Value {
            kind: NonNumber::Unit,
            why: Why::Empty,
            at: start,
        }],
        Some(last) => value_of_stmt(last, scope),
    }
}

fn unit(why: Why, pos: Position) -> Vec<Returned> {
    vec![Returned::Value {
        kind: NonNumber::Unit,
        why,
        at: Site::of(pos),
    }]
}

/// What a statement ending a block gives as the block's value.
fn value_of_stmt(stmt: &Stmt, scope: &Scope) -> Vec<Returned> {
    match stmt {
        Stmt::Expr(e) => value_of_expr(e, scope),
        Stmt::FnCall(call, pos) if call.op_token.is_none() => vec![Returned::Call {
            name: call.name.to_string(),
            args: call.args.len(),
            at: Site::of(*pos),
        }],
        Stmt::If(flow, pos) => {
            let mut out = value_of_block(flow.body.statements(), Site::of(flow.body.position()), scope);
            if flow.branch.is_empty() {
                out.extend(unit(Why::NoElse, *pos));
            } else {
                out.extend(value_of_block(
                    flow.branch.statements(),
                    Site::of(flow.branch.position()),
                    scope,
                ));
            }
            out
        }
        Stmt::Switch(x, pos) => {
            let cases = &x.1;
            let mut out: Vec<Returned> = cases
                .expressions
                .iter()
                .flat_map(|c| value_of_expr(&c.rhs, scope))
                .collect();
            if cases.def_case.is_none() {
                out.extend(unit(Why::NoDefault, *pos));
            }
            out
        }
        Stmt::Block(block) => value_of_block(block.statements(), Site::of(block.position()), scope),
        Stmt::Return(Some(value), flags, _) if !flags.contains(ASTFlags::BREAK) => value_of_expr(value, scope),
        Stmt::Return(None, flags, pos) if !flags.contains(ASTFlags::BREAK) => unit(Why::BareReturn, *pos),
        // `loop { … }` ends only by `break value` or `return`.
        Stmt::While(flow, _) if matches!(flow.expr, Expr::Unit(_)) => Vec::new(),
        Stmt::Var(_, _, pos) | Stmt::While(_, pos) | Stmt::Do(_, _, pos) | Stmt::For(_, pos) | Stmt::Noop(pos) => {
            unit(Why::Statement, *pos)
        }
        Stmt::Assignment(x) => unit(Why::Statement, x.0.position()),
        _ => Vec::new(),
    }
}

/// What an expression gives, as far as it is plainly not a number.
fn value_of_expr(expr: &Expr, scope: &Scope) -> Vec<Returned> {
    let plain = |kind: NonNumber| {
        vec![Returned::Value {
            kind,
            why: Why::Value,
            at: Site::of(expr.position()),
        }]
    };
    match expr {
        Expr::StringConstant(..) | Expr::InterpolatedString(..) => plain(NonNumber::Text),
        Expr::Unit(_) => plain(NonNumber::Unit),
        Expr::BoolConstant(..) | Expr::And(..) | Expr::Or(..) => plain(NonNumber::Bool),
        Expr::CharConstant(..) => plain(NonNumber::Char),
        Expr::Array(..) => plain(NonNumber::Array),
        Expr::Map(..) => plain(NonNumber::Map),
        Expr::FnCall(call, _)
            if call.op_token.is_some() && matches!(call.name.as_str(), "==" | "!=" | "<" | "<=" | ">" | ">=" | "!") =>
        {
            plain(NonNumber::Bool)
        }
        Expr::FnCall(call, pos) if call.op_token.is_none() => vec![Returned::Call {
            name: call.name.to_string(),
            args: call.args.len(),
            at: Site::of(*pos),
        }],
        Expr::Stmt(block) => value_of_block(block.statements(), Site::of(block.position()), scope),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// What the engine provides
// ---------------------------------------------------------------------------------------------

/// How many arguments a function the engine provides takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arity {
    /// Rhai's keyword functions (`type_of`, `print`, `call`, …): any number.
    Any,
    /// Each overload's number of parameters.
    Exactly(BTreeSet<usize>),
}

impl Arity {
    /// Whether a call with `args` arguments matches.
    #[must_use]
    pub fn accepts(&self, args: usize) -> bool {
        match self {
            Self::Any => true,
            Self::Exactly(set) => set.contains(&args),
        }
    }
}

/// Rhai's keyword functions, handled by the engine itself rather than registered.
const KEYWORD_FUNCTIONS: [&str; 9] = [
    "print",
    "debug",
    "type_of",
    "Fn",
    "call",
    "curry",
    "is_shared",
    "is_def_var",
    "is_def_fn",
];

/// Every function a rule script can call without defining it: jixiao's host functions and the
/// Rhai packages the engine loads (read from the engine as [`super::build_engine`] builds it),
/// and Rhai's keyword functions. Names that are operators, property getters and setters or
/// indexers are left out.
pub fn engine_functions() -> &'static BTreeMap<String, Arity> {
    static FUNCTIONS: LazyLock<BTreeMap<String, Arity>> = LazyLock::new(|| {
        let engine = super::build_engine(&ScriptLimits::default());
        let mut map: BTreeMap<String, Arity> = BTreeMap::new();
        let list = engine.collect_fn_metadata(
            None,
            |info| Some((info.metadata.name.to_string(), info.metadata.num_params)),
            true,
        );
        for (name, arity) in list {
            if !rhai::is_valid_function_name(&name) {
                continue;
            }
            if let Arity::Exactly(set) = map.entry(name).or_insert_with(|| Arity::Exactly(BTreeSet::new())) {
                set.insert(arity);
            }
        }
        for keyword in KEYWORD_FUNCTIONS {
            map.insert(keyword.to_owned(), Arity::Any);
        }
        map
    });
    &FUNCTIONS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(source: &str) -> FunctionFacts {
        read(source, &ScriptLimits::default())
            .unwrap()
            .into_iter()
            .next()
            .unwrap()
    }

    #[test]
    fn definitions_are_read_with_rhai_s_tokenizer_skipping_comments_and_strings() {
        let source = "// fn commented(a)\n/* fn block(a) /* nested */ fn still(a) */\nlet s = \"fn in_string(a)\";\nfn one(a) { `${#{ a: \"}\" }} fn in_text(b) {` }\n  private fn two(a,\n b) { a + b }\nfn zero() { 0 }\n";
        let summary: Vec<(String, usize, usize, usize)> = definitions(source)
            .into_iter()
            .map(|d| (d.name, d.arity, d.at.line, d.at.column))
            .collect();
        let expected = [("one", 1, 4, 1), ("two", 2, 5, 11), ("zero", 0, 7, 1)];
        assert_eq!(summary, expected.map(|(n, a, l, c)| (n.to_owned(), a, l, c)));
        let read = read(source, &ScriptLimits::default()).unwrap();
        let at: Vec<(&str, Site)> = read.iter().map(|f| (f.name.as_str(), f.at)).collect();
        assert_eq!(
            at,
            [
                ("one", Site { line: 4, column: 1 }),
                ("two", Site { line: 5, column: 11 }),
                ("zero", Site { line: 7, column: 1 })
            ]
        );
    }

    #[test]
    fn the_engine_lists_host_functions_and_packages_but_not_operators() {
        let f = engine_functions();
        assert_eq!(f.get("round_half_up"), Some(&Arity::Exactly(BTreeSet::from([2]))));
        assert!(f.get("dec").unwrap().accepts(1));
        assert!(f.get("min").unwrap().accepts(2));
        assert!(f.get("contains").unwrap().accepts(2));
        assert!(f.get("type_of").unwrap().accepts(1));
        assert!(!f.contains_key("round_halfup"));
        assert!(!f.contains_key("+"));
        assert!(f.keys().all(|k| !k.starts_with("get$")));
    }

    #[test]
    fn calls_are_read_from_code_not_comments() {
        let f = one(
            "// round_halfup(x, 2)\nfn f(x, p) {\n  let s = \"round_halfup(1)\";\n  x.round_half_up(2) + round_halfup(x, 2)\n}\n",
        );
        let calls: Vec<(&str, usize, bool, usize, usize)> = f
            .calls
            .iter()
            .map(|c| (c.name.as_str(), c.args, c.method, c.at.line, c.at.column))
            .collect();
        assert_eq!(
            calls,
            [("round_half_up", 2, true, 4, 5), ("round_halfup", 2, false, 4, 24)]
        );
    }

    #[test]
    fn reads_of_the_params_object_by_any_name() {
        let f = one("// q.comment_only\nfn f(x, q) {\n  q.a + q.b.c + q[\"d\"] + g(x, q)\n}\n");
        let uses = f.params_use().unwrap();
        let reads: Vec<&str> = uses.reads.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(reads, ["a", "b", "d"]);
        assert_eq!(uses.passed_to, [("g".to_owned(), 2)]);
        assert!(!uses.escapes);
        assert!(one("fn f(p) { p }").params_use().unwrap().escapes);
        assert!(one("fn f(p) { p.keys() }").params_use().unwrap().escapes);
    }

    #[test]
    fn integer_division_through_variables_literals_and_params() {
        let f = one(
            "fn f(w, p) {\n  let nine = 9;\n  let d = dec(9);\n  w * (nine / 10) + d / 10 + (p.a + 1) / p.b + 1.5 / 2 + w / 2\n}\n",
        );
        type Sides = (String, Option<Vec<String>>, Option<Vec<String>>);
        let sides: Vec<Sides> = f
            .divisions
            .iter()
            .map(|d| {
                (
                    format!("{} / {}", d.left.text, d.right.text),
                    d.left.integer_if.clone().map(|s| s.into_iter().collect()),
                    d.right.integer_if.clone().map(|s| s.into_iter().collect()),
                )
            })
            .collect();
        assert_eq!(
            sides,
            [
                ("nine / 10".to_owned(), Some(vec![]), Some(vec![])),
                ("d / 10".to_owned(), None, Some(vec![])),
                (
                    "(p.a + 1) / p.b".to_owned(),
                    Some(vec!["a".to_owned()]),
                    Some(vec!["b".to_owned()])
                ),
                ("1.5 / 2".to_owned(), None, Some(vec![])),
                ("w / 2".to_owned(), None, Some(vec![])),
            ]
        );
        assert_eq!(f.divisions.first().unwrap().at, Site { line: 4, column: 13 });
        // Rebound to something unknown: not shown to be an integer.
        let g = one("fn g(w, p) { let n = 9; n = w; n / 10 }");
        assert_eq!(g.divisions.first().unwrap().left.integer_if, None);
        let h = one("fn h(w, p) { let n = 9; n /= 2; n }");
        assert_eq!(h.divisions.first().unwrap().left.integer_if, Some(BTreeSet::new()));
    }

    #[test]
    fn results_that_are_not_numbers() {
        let kinds = |src: &str| -> Vec<(NonNumber, Why)> {
            one(src)
                .returns
                .into_iter()
                .filter_map(|r| match r {
                    Returned::Value { kind, why, .. } => Some((kind, why)),
                    Returned::Call { .. } => None,
                })
                .collect()
        };
        assert_eq!(kinds("fn f(w, p) { if w > 1 { w } }"), [(NonNumber::Unit, Why::NoElse)]);
        assert_eq!(
            kinds("fn f(w, p) { if w > 1 { w } else { \"0\" } }"),
            [(NonNumber::Text, Why::Value)]
        );
        assert_eq!(kinds("fn f(w, p) { let x = w; }"), [(NonNumber::Unit, Why::Statement)]);
        assert_eq!(kinds("fn f(w, p) { w; }"), []);
        assert_eq!(kinds("fn f(w, p) { }"), [(NonNumber::Unit, Why::Empty)]);
        assert_eq!(
            kinds("fn f(w, p) { if w > 1 { return; } w }"),
            [(NonNumber::Unit, Why::BareReturn)]
        );
        assert_eq!(
            kinds("fn f(w, p) { if w > 1 { return (); } w }"),
            [(NonNumber::Unit, Why::Value)]
        );
        assert_eq!(
            kinds("fn f(w, p) { if w > 1 { throw \"x\"; } w > 2 }"),
            [(NonNumber::Bool, Why::Value)]
        );
        assert_eq!(
            kinds("fn f(w, p) { if w > 1 { w } else if w > 0 { 0 } else { 1 } }"),
            []
        );
        let calls = one("fn f(w, p) { g(w, p) }").returns;
        assert!(matches!(calls.as_slice(), [Returned::Call { name, args: 2, .. }] if name == "g"));
    }
}
