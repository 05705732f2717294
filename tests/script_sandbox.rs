//! Hostile and friendly scripts against the sandboxed engine (`jixiao::script`).
//!
//! Every hostile script must fail within one second with an error naming the rule set, the
//! script file and a line.

use std::time::{Duration, Instant};

use jixiao::script::{LogKind, ScriptError, ScriptLimits, ScriptSet};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const RULESET: &str = "hostile-2024";

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(n, s)| ((*n).to_owned(), (*s).to_owned())).collect()
}

fn compile_with(list: &[(&str, &str)], limits: &ScriptLimits) -> Result<ScriptSet, ScriptError> {
    ScriptSet::compile(RULESET, &files(list), limits)
}

fn compile(list: &[(&str, &str)]) -> ScriptSet {
    compile_with(list, &ScriptLimits::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `f`, asserts it took under a second, returns its error.
fn fails_fast<T: std::fmt::Debug>(f: impl FnOnce() -> Result<T, ScriptError>) -> ScriptError {
    let start = Instant::now();
    let result = f();
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

/// The message names the rule set, the file and a line; `loc()` agrees.
fn assert_located(err: &ScriptError, file: &str, line: usize) {
    let message = err.to_string();
    assert!(message.contains(&format!("规则集 {RULESET}")), "{message}");
    assert!(message.contains(&format!(" {file} ")), "{message}");
    assert!(message.contains(&format!("第 {line} 行")), "{message}");
    let location = err.loc().line_col().unwrap_or_else(|| panic!("no location: {message}"));
    assert_eq!((err.loc().file.as_str(), location.0), (file, line), "{message}");
}

#[test]
fn endless_loop_hits_the_operation_limit() {
    let set = compile(&[("loop.rhai", "\n\nfn spin() {\n  loop {}\n}\n")]);
    let err = fails_fast(|| set.call::<Decimal>("spin", ()));
    assert!(
        matches!(err, ScriptError::TooManyOperations { limit: 1_000_000, .. }),
        "{err:?}"
    );
    assert_located(&err, "loop.rhai", 3);
    assert!(err.to_string().contains("运算次数超过上限（1000000）"), "{err}");
}

#[test]
fn endless_loop_in_a_nested_call_is_still_located() {
    let set = compile(&[
        ("entry.rhai", "fn entry() { helper(1) }"),
        ("helper.rhai", "fn helper(x) {\n  let y = x;\n  y / 0\n}"),
        ("spin.rhai", "fn outer() { inner() }\nfn inner() { while true { } }"),
    ]);
    // An ordinary error keeps its exact position in the inner file.
    let err = fails_fast(|| set.call::<Decimal>("entry", ()));
    assert!(matches!(err, ScriptError::Runtime { .. }), "{err:?}");
    assert_located(&err, "helper.rhai", 3);
    assert!(err.to_string().contains("函数 helper"), "{err}");
    assert!(err.to_string().contains("除数为零"), "{err}");
    // A limit error is reported at the entry function's definition.
    let err = fails_fast(|| set.call::<Decimal>("outer", ()));
    assert!(matches!(err, ScriptError::TooManyOperations { .. }), "{err:?}");
    assert_located(&err, "spin.rhai", 1);
}

#[test]
fn endless_recursion_hits_the_call_depth_limit() {
    let set = compile(&[("rec.rhai", "// recursion\nfn f(x) { f(x + 1) }")]);
    let err = fails_fast(|| set.call::<Decimal>("f", (1_i64,)));
    assert!(matches!(err, ScriptError::CallDepth { limit: 64, .. }), "{err:?}");
    assert_located(&err, "rec.rhai", 2);
}

#[test]
fn doubling_string_hits_the_string_size_limit() {
    let set = compile(&[("grow.rhai", "fn grow() {\n  let s = \"x\";\n  loop { s += s; }\n}")]);
    let err = fails_fast(|| set.call::<String>("grow", ()));
    assert!(
        matches!(&err, ScriptError::DataTooLarge { what, limit: 65_536, .. } if what == "字符串长度"),
        "{err:?}"
    );
    assert_located(&err, "grow.rhai", 1);
}

#[test]
fn huge_array_and_map_hit_their_limits() {
    let set = compile(&[(
        "big.rhai",
        "fn arr() {\n  let a = [];\n  loop { a.push(1); }\n}\n\
         fn padded() { let a = []; a.pad(1000000000, 0); a }\n\
         fn map() {\n  let m = #{};\n  let i = 0;\n  loop { m[i.to_string()] = i; i += 1; }\n}\n",
    )]);
    let err = fails_fast(|| set.call::<rhai::Array>("arr", ()));
    assert!(
        matches!(&err, ScriptError::DataTooLarge { what, limit: 10_000, .. } if what == "数组元素个数"),
        "{err:?}"
    );
    assert_located(&err, "big.rhai", 1);
    let err = fails_fast(|| set.call::<rhai::Array>("padded", ()));
    assert!(matches!(&err, ScriptError::DataTooLarge { .. }), "{err:?}");
    assert_located(&err, "big.rhai", 5);
    let err = fails_fast(|| set.call::<rhai::Map>("map", ()));
    assert!(
        matches!(&err, ScriptError::DataTooLarge { what, .. } if what == "对象映射条目数"),
        "{err:?}"
    );
    assert_located(&err, "big.rhai", 6);
}

/// `m[k] = v` adds map keys on a path Rhai itself does not check; the engine's hook bounds the
/// key count and the summed size of the values.
#[test]
fn maps_filled_by_index_assignment_stay_bounded() {
    let set = compile(&[(
        "fill.rhai",
        "fn strings() {
  let s = \"y\";
  while s.len() < 30000 { s += s; }
  let m = #{};
  let i = 0;
  loop { m[i.to_string()] = s + i; i += 1; }
}
\
         fn arrays() { let a = []; a.pad(9000, 1); let m = #{}; let i = 0; loop { m[`k${i}`] = a; i += 1; } }\n\
         fn small() { let m = #{}; for i in 0..100 { m[i.to_string()] = i; } m.len() }",
    )]);
    let err = fails_fast(|| set.call::<rhai::Map>("strings", ()));
    assert!(
        matches!(&err, ScriptError::DataTooLarge { what, .. } if what == "字符串长度"),
        "{err:?}"
    );
    assert_located(&err, "fill.rhai", 1);
    let err = fails_fast(|| set.call::<rhai::Map>("arrays", ()));
    assert!(
        matches!(&err, ScriptError::DataTooLarge { what, .. } if what == "数组元素个数"),
        "{err:?}"
    );
    assert_eq!(set.call::<i64>("small", ()).ok(), Some(100));
}

#[test]
fn import_is_a_compile_error() {
    let err = fails_fast(|| {
        compile_with(
            &[
                ("ok.rhai", "fn a() { 1 }"),
                ("evil.rhai", "\nimport \"/etc/passwd\" as m;\nfn b() { 1 }"),
            ],
            &ScriptLimits::default(),
        )
    });
    assert!(matches!(err, ScriptError::Compile { .. }), "{err:?}");
    assert_located(&err, "evil.rhai", 2);
    assert!(err.to_string().contains("不允许使用 import"), "{err}");
}

#[test]
fn eval_is_a_compile_error() {
    let err = fails_fast(|| compile_with(&[("evil.rhai", "fn a() {\n  eval(\"1\")\n}")], &ScriptLimits::default()));
    assert!(matches!(err, ScriptError::Compile { .. }), "{err:?}");
    assert_located(&err, "evil.rhai", 2);
    assert!(err.to_string().contains("不允许使用 eval"), "{err}");
}

#[test]
fn undefined_variable_is_a_compile_error() {
    let err = fails_fast(|| {
        compile_with(
            &[("typo.rhai", "fn a(target) {\n  targte * 2\n}")],
            &ScriptLimits::default(),
        )
    });
    assert_located(&err, "typo.rhai", 2);
    assert!(err.to_string().contains("未定义的变量 targte"), "{err}");
}

#[test]
fn too_deep_expression_is_a_compile_error() {
    let deep = format!("fn a() {{ {}1{} }}", "(".repeat(200), ")".repeat(200));
    let err = fails_fast(|| compile_with(&[("deep.rhai", &deep)], &ScriptLimits::default()));
    assert!(matches!(err, ScriptError::Compile { .. }), "{err:?}");
    assert_located(&err, "deep.rhai", 1);
}

#[test]
fn slow_finite_loop_hits_the_wall_clock_deadline() {
    let limits = ScriptLimits {
        max_operations: 1_000_000_000_000,
        deadline: Duration::from_millis(200),
        ..ScriptLimits::default()
    };
    let set = compile_with(
        &[(
            "slow.rhai",
            "fn slow() {\n  let i = 0;\n  while i < 10_000_000_000 { i += 1; }\n  i\n}",
        )],
        &limits,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let guard = set.begin_document();
    let start = Instant::now();
    let err = fails_fast(|| set.call::<i64>("slow", ()));
    assert!(start.elapsed() >= Duration::from_millis(190), "{:?}", start.elapsed());
    assert!(matches!(err, ScriptError::Deadline { .. }), "{err:?}");
    assert_located(&err, "slow.rhai", 1);
    assert!(err.to_string().contains("脚本运行超时（每份文档限 200 毫秒）"), "{err}");
    // Later calls in the same document fail at once.
    let err = fails_fast(|| set.call::<i64>("slow", ()));
    assert!(matches!(err, ScriptError::Deadline { .. }), "{err:?}");
    drop(guard);
}

#[test]
fn the_deadline_is_shared_by_all_calls_of_a_document() {
    let limits = ScriptLimits {
        deadline: Duration::from_millis(100),
        ..ScriptLimits::default()
    };
    // Each call is short (well under the budget) but a document makes many.
    let set = compile_with(
        &[("work.rhai", "fn work() { let i = 0; while i < 20_000 { i += 1; } i }")],
        &limits,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = fails_fast(|| -> Result<(), ScriptError> {
        let _guard = set.begin_document();
        loop {
            set.call::<i64>("work", ())?;
        }
    });
    assert!(matches!(err, ScriptError::Deadline { .. }), "{err:?}");
    // A new document starts with a fresh budget.
    let _guard = set.begin_document();
    assert_eq!(set.call::<i64>("work", ()).ok(), Some(20_000));
}

#[test]
fn print_and_debug_are_captured() {
    let set = compile(&[("talk.rhai", "fn talk(x) {\n  print(\"x\");\n  debug(x);\n  x\n}")]);
    let guard = set.begin_document();
    assert_eq!(set.call::<i64>("talk", (7_i64,)).ok(), Some(7));
    let log = guard.take_log();
    assert_eq!(log.lines.len(), 2, "{log:?}");
    assert_eq!((log.lines[0].kind, log.lines[0].text.as_str()), (LogKind::Print, "x"));
    assert_eq!(log.lines[1].kind, LogKind::Debug);
    assert_eq!(log.lines[1].position.map(|p| p.0), Some(3));
    assert!(guard.take_log().lines.is_empty());
}

#[test]
fn print_flood_is_bounded() {
    let set = compile(&[(
        "flood.rhai",
        "fn flood() { let s = \"y\"; while s.len() < 60000 { s += s; } for i in 0..10000 { print(s); } }",
    )]);
    let guard = set.begin_document();
    let _ = set.call::<()>("flood", ());
    let log = guard.take_log();
    let bytes: usize = log.lines.iter().map(|l| l.text.len()).sum();
    assert!(bytes <= 256 * 1024, "{bytes}");
    assert!(log.dropped > 0);
}

/// Child half of `print_goes_nowhere_near_stdout`.
#[test]
#[ignore = "run by print_goes_nowhere_near_stdout in a child process"]
fn print_child() {
    let set = compile(&[(
        "talk.rhai",
        "fn talk() { print(\"MARKER-PRINT\"); debug(\"MARKER-DEBUG\"); 1 }",
    )]);
    let _guard = set.begin_document();
    assert_eq!(set.call::<i64>("talk", ()).ok(), Some(1));
    // Outside a document, output is discarded rather than printed.
    drop(_guard);
    assert_eq!(set.call::<i64>("talk", ()).ok(), Some(1));
}

#[test]
fn print_goes_nowhere_near_stdout() {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let output = std::process::Command::new(exe)
        .args([
            "--exact",
            "script_sandbox::print_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert!(
        !stdout.contains("MARKER") && !stderr.contains("MARKER"),
        "{stdout}\n{stderr}"
    );
}

#[test]
fn decimal_arithmetic_is_exact() {
    let set = compile(&[(
        "math.rhai",
        "fn sum() { 0.1 + 0.2 }\nfn is_exact() { 0.1 + 0.2 == 0.3 }\n\
         fn mixed(x) { x * 10 }\nfn int_div() { 10 / 4 }\nfn dec_div() { dec(10) / 4 }\n\
         fn halves() { [round_half_up(2.345, 2), round_half_even(2.345, 2)] }",
    )]);
    assert_eq!(set.call::<Decimal>("sum", ()).ok(), Some(dec!(0.3)));
    assert_eq!(set.call::<bool>("is_exact", ()).ok(), Some(true));
    assert_eq!(set.call::<Decimal>("mixed", (dec!(0.35),)).ok(), Some(dec!(3.5)));
    assert_eq!(set.call::<i64>("int_div", ()).ok(), Some(2));
    assert_eq!(set.call::<Decimal>("dec_div", ()).ok(), Some(dec!(2.5)));
    let halves = set.call::<rhai::Array>("halves", ()).unwrap_or_else(|e| panic!("{e}"));
    let halves: Vec<String> = halves.iter().map(ToString::to_string).collect();
    assert_eq!(halves, ["2.35", "2.34"]);
}

#[test]
fn forward_indicator_formula() {
    let set = compile(&[(
        "formulas.rhai",
        "fn forward(t, a, w) { if a >= t { w } else { round_half_up(a / t * w, 2) } }",
    )]);
    let _guard = set.begin_document();
    let score = |t, a, w| set.call::<Decimal>("forward", (t, a, w));
    assert_eq!(score(dec!(95), dec!(90), dec!(10)).ok(), Some(dec!(9.47)));
    assert_eq!(score(dec!(95), dec!(98.5), dec!(10)).ok(), Some(dec!(10)));
    assert_eq!(score(dec!(3), dec!(1), dec!(5)).ok(), Some(dec!(1.67)));
    let err = score(dec!(0), dec!(-1), dec!(5)).err();
    assert!(matches!(err, Some(ScriptError::Runtime { .. })), "{err:?}");
}

#[test]
fn functions_in_different_files_call_each_other() {
    let set = compile(&[
        ("a.rhai", "fn total(x) { double(x) + 1 }\nfn base() { 100 }"),
        ("b.rhai", "\nfn double(x) { x * 2 + base() }"),
    ]);
    assert_eq!(set.call::<i64>("total", (5_i64,)).ok(), Some(111));
    assert!(set.has_function("double", 1));
    assert!(!set.has_function("double", 2));
    let listed: Vec<(String, usize, String, Option<usize>)> = set
        .functions()
        .into_iter()
        .map(|f| (f.name, f.arity, f.file, f.line))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("base".to_owned(), 0, "a.rhai".to_owned(), Some(2)),
            ("double".to_owned(), 1, "b.rhai".to_owned(), Some(2)),
            ("total".to_owned(), 1, "a.rhai".to_owned(), Some(1)),
        ]
    );
}

#[test]
fn same_function_in_two_files_is_an_error_naming_both() {
    let err = compile_with(
        &[("a.rhai", "fn score(x) { x }"), ("b.rhai", "\n\nfn score(y) { y }")],
        &ScriptLimits::default(),
    )
    .err()
    .unwrap_or_else(|| panic!("expected an error"));
    let message = err.to_string();
    assert!(matches!(err, ScriptError::DuplicateFunction { .. }), "{err:?}");
    assert!(
        message.contains("a.rhai 第 1 行") && message.contains("b.rhai 第 3 行"),
        "{message}"
    );
    assert!(message.contains(RULESET), "{message}");
}

#[test]
fn host_side_errors_name_the_function() {
    let set = compile(&[("f.rhai", "fn text() { \"abc\" }\nfn one(x) { x }")]);
    let err = set.call::<Decimal>("text", ()).err();
    let Some(err @ ScriptError::WrongReturnType { .. }) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        err.to_string(),
        format!("规则集 {RULESET} f.rhai 第 1 行第 1 列（函数 text 的定义处）：函数 text 返回了字符串，应返回小数")
    );

    let err = set.call::<Decimal>("missing", ()).err();
    let Some(err @ ScriptError::FunctionNotFound { .. }) = err else {
        panic!("{err:?}")
    };
    assert!(err.to_string().contains("找不到脚本函数 missing"), "{err}");
    let err = set.call::<Decimal>("one", (1_i64, 2_i64)).err();
    assert!(err.as_ref().is_some_and(|e| e.to_string().contains("one/1")), "{err:?}");
}

#[test]
fn script_errors_inside_functions_are_located() {
    let set = compile(&[(
        "err.rhai",
        "fn boom(x) {\n  let y = x + 1;\n  throw \"坏数据\";\n}\nfn calls_unknown() {\n  nope(1)\n}",
    )]);
    let err = set
        .call::<i64>("boom", (1_i64,))
        .err()
        .unwrap_or_else(|| panic!("no error"));
    assert_located(&err, "err.rhai", 3);
    assert!(err.to_string().contains("坏数据"), "{err}");
    let err = set
        .call::<i64>("calls_unknown", ())
        .err()
        .unwrap_or_else(|| panic!("no error"));
    assert!(matches!(err, ScriptError::Runtime { .. }), "{err:?}");
    assert_located(&err, "err.rhai", 6);
}

#[test]
fn script_set_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ScriptSet>();
}

/// Release-mode cost of one `call` of the forward formula:
/// `cargo test --release --test tests script_sandbox::call_cost -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release"]
fn call_cost() {
    let set = compile(&[(
        "formulas.rhai",
        "fn forward(t, a, w) { if a >= t { w } else { round_half_up(a / t * w, 2) } }",
    )]);
    let _guard = set.begin_document();
    let n: u32 = 200_000;
    let mut sum = Decimal::ZERO;
    for _ in 0..1000 {
        sum += set
            .call::<Decimal>("forward", (dec!(95), dec!(90), dec!(10)))
            .unwrap_or_default();
    }
    let start = Instant::now();
    for _ in 0..n {
        sum += set
            .call::<Decimal>("forward", (dec!(95), dec!(90), dec!(10)))
            .unwrap_or_default();
    }
    let per_call = start.elapsed() / n;
    println!("forward: {per_call:?} per call (checksum {sum})");
}
