//! The command line: argument parsing and dispatch, one file per subcommand.
//!
//! Exit codes: 0 clean, 1 findings at or above the threshold, 2 bad input or bad policy.

mod check;
mod diff;
mod explain;
mod flags;
mod generate;
mod import;
mod inputs;
mod new_year;
mod reference;
mod run;
mod schema;
mod score;
mod serve;
mod test;
mod validate;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// What a run concluded; decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Everything read and nothing at or above the threshold.
    Clean,
    /// Findings at or above the threshold.
    Findings,
    /// Bad input or bad policy somewhere in the run.
    BadInput,
}

impl Outcome {
    /// The process exit code for this outcome.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::from(0),
            Outcome::Findings => ExitCode::from(1),
            Outcome::BadInput => ExitCode::from(2),
        }
    }
}

/// jixiao（绩效）：项目支出绩效自评表评分与合规检查。
#[derive(Debug, Parser)]
#[command(
    name = "jixiao",
    version,
    about = "jixiao（绩效）：项目支出绩效自评表评分与合规检查（scores and checks project expenditure performance self-evaluation forms）",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 检查规则集（不需要文档）：TOML、脚本、权重、定性档次、函数、参数依据……
    Check(check::Args),
    /// 比较两个规则集对一批文档的影响，或只比较规则集本身（--rules-only）
    Diff(diff::Args),
    /// 解释：逐项说明每个数字的来历（explain how every number of a form is derived）
    Explain(explain::Args),
    /// 生成测试与基准用的评价文档语料（JSON Lines）
    Generate(generate::Args),
    /// 导入自评表：TSV/CSV/xlsx → 评价文档（import spreadsheet exports of forms）
    Import(import::Args),
    /// 为新的预算年度建立继承上一年度的规则集（start a new year's rule set that extends the last）
    NewYear(new_year::Args),
    /// 输出自动生成的参考文档（如规则脚本参考）
    Reference(reference::Args),
    /// 基线合规运行：记录每个文档的结果，--check 与基线对比，--approve 接受新结果
    Run(run::Args),
    /// 输出 JSON Schema（print a generated JSON Schema）
    Schema(schema::Args),
    /// 评分：按规则集重新计算每张表的每个数字（score forms under their rule sets）
    Score(score::Args),
    /// 工作台：在浏览器中读取表格、查看评分与推导、记录审核决定（local browser workbench）
    Serve(serve::Args),
    /// 运行规则集自带的测试用例并报告覆盖情况（run a rule set's own cases）
    Test(test::Args),
    /// 按运行清单重新运行并确认结果一致
    Verify(verify::Args),
    /// 校验评价文档（validate evaluation documents against the schema）
    Validate(validate::Args),
}

/// The command line as clap builds it, speaking Chinese: section headings, the help and version
/// flags, the usage line ([`chinese`]).
pub fn command() -> clap::Command {
    chinese(<Cli as clap::CommandFactory>::command(), "")
}

/// One command and its subcommands with Chinese headings, help and version flags and usage.
fn chinese(cmd: clap::Command, parent: &str) -> clap::Command {
    use clap::{Arg, ArgAction};
    let has_version = cmd.get_version().is_some();
    let mut cmd = cmd
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .mut_args(|a| {
            if a.is_positional() {
                a.help_heading("参数")
            } else {
                a.help_heading("选项")
            }
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助（-h 简要，--help 详细）")
                .help_heading("选项"),
        )
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}");
    if has_version {
        cmd = cmd.arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本")
                .help_heading("选项"),
        );
    }
    let path = format!("{parent}{} ", cmd.get_name());
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| chinese(sub, &path));
    }
    let usage = cmd.render_usage().to_string();
    let usage = usage.trim_start_matches("Usage:").trim();
    let usage = format!("{parent}{usage}")
        .replace("[OPTIONS]", "[选项]")
        .replace("<COMMAND>", "<命令>")
        .replace("[COMMAND]", "[命令]");
    cmd.override_usage(usage)
}

/// Parses the command line; a mistake in it is one Chinese message on standard error (exit 2),
/// help and version are printed (exit 0).
pub fn parse() -> Result<Cli, Outcome> {
    use clap::FromArgMatches as _;
    use clap::error::{ContextKind, ErrorKind};
    let matches = command().try_get_matches();
    let error = match matches.and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => return Ok(cli),
        Err(e) => e,
    };
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return Err(Outcome::Clean);
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return Err(Outcome::BadInput);
        }
        _ => {}
    }
    let get = |kind: ContextKind| error.get(kind).map(ToString::to_string).unwrap_or_default();
    let suggestion = |kind: ContextKind| error.get(kind).map(|s| format!("；是不是 {s}？")).unwrap_or_default();
    let message = match error.kind() {
        ErrorKind::UnknownArgument => format!(
            "不认识的参数 {}{}",
            get(ContextKind::InvalidArg),
            suggestion(ContextKind::SuggestedArg)
        ),
        ErrorKind::InvalidSubcommand => format!(
            "不认识的命令 {}{}",
            get(ContextKind::InvalidSubcommand),
            suggestion(ContextKind::SuggestedSubcommand)
        ),
        ErrorKind::InvalidValue => format!(
            "参数 {} 的值“{}”无效；可用的值：{}",
            get(ContextKind::InvalidArg),
            get(ContextKind::InvalidValue),
            get(ContextKind::ValidValue)
        ),
        ErrorKind::ValueValidation => format!(
            "参数 {} 的值“{}”无效（应为{}）",
            get(ContextKind::InvalidArg),
            get(ContextKind::InvalidValue),
            if error.to_string().contains("digit") {
                "整数"
            } else {
                "合法的值"
            }
        ),
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{}", get(ContextKind::InvalidArg)),
        ErrorKind::ArgumentConflict => format!(
            "参数 {} 不能与 {} 同时使用",
            get(ContextKind::InvalidArg),
            get(ContextKind::PriorArg)
        ),
        ErrorKind::MissingSubcommand => "缺少命令".to_owned(),
        ErrorKind::NoEquals | ErrorKind::WrongNumberOfValues | ErrorKind::TooManyValues | ErrorKind::TooFewValues => {
            format!("参数 {} 的值的个数不对", get(ContextKind::InvalidArg))
        }
        _ => format!(
            "命令行有误（{}）",
            error
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
        ),
    };
    let usage = get(ContextKind::Usage);
    let usage = usage.trim_start_matches("Usage:").trim();
    report_error(message);
    if !usage.is_empty() {
        eprintln!("用法：{usage}");
    }
    eprintln!("用 jixiao --help 或 jixiao <命令> --help 查看全部命令和选项");
    Err(Outcome::BadInput)
}

/// Runs the parsed command line and returns its outcome.
pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Import(args) => import::run(&args),
        Command::NewYear(args) => new_year::run(&args),
        Command::Reference(args) => reference::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Score(args) => score::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Verify(args) => verify::run(&args),
    }
}

/// Writes a command's output to stdout. A reader that went away (`| head`) ends the output
/// quietly, as for other command-line tools; any other failure (a full disk behind a
/// redirection) is reported in Chinese and makes the run exit 2. Never a panic.
pub(crate) fn write_stdout(text: &str) -> Outcome {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Outcome::Clean,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Clean,
        Err(e) => {
            report_error(format!("无法写入标准输出：{e}"));
            Outcome::BadInput
        }
    }
}

/// Prints a user-facing error line to stderr (for problems that are not about a place in a
/// file; those are diagnostics, see [`report_diagnostics`]).
pub(crate) fn report_error(message: impl std::fmt::Display) {
    // A file name, id or cell text may hold control characters: shown, never acting.
    let message = message.to_string();
    eprintln!("错误：{}", jixiao::report::visible::visible(&message));
}

/// Prints a warning line to stderr, its control characters shown rather than acting.
pub(crate) fn report_warning(message: impl std::fmt::Display) {
    let message = message.to_string();
    eprintln!("警告：{}", jixiao::report::visible::visible(&message));
}

/// Prints a notice to stderr: something the user should know that is not an error (a workbook
/// sheet without a form, skipped).
pub(crate) fn report_notice(message: impl std::fmt::Display) {
    let message = message.to_string();
    eprintln!("提示：{}", jixiao::report::visible::visible(&message));
}

/// Prints diagnostics to stderr, rendered the one way ([`jixiao::report::diagnostics::render`]).
pub(crate) fn report_diagnostics(diagnostics: &[jixiao::model::diagnostic::Diagnostic]) {
    use jixiao::report::diagnostics::{colour_stderr, render};
    eprint!("{}", render(diagnostics, colour_stderr()));
}

/// Prints why layout files cannot be used to stderr: exactly what `jixiao check` prints for them.
pub(crate) fn report_layout_error(error: &jixiao::ingest::layout::LayoutError) {
    use jixiao::report::diagnostics::{colour_stderr, render_layouts};
    eprint!("{}", render_layouts(&error.diagnostics, colour_stderr()));
}

/// Prints why a rule set cannot be used to stderr: exactly what `jixiao check` prints for it.
pub(crate) fn report_policy_error(error: &jixiao::policy::PolicyError) {
    use jixiao::report::diagnostics::{colour_stderr, render_ruleset};
    match error {
        jixiao::policy::PolicyError::Invalid { ruleset, diagnostics } => {
            eprint!("{}", render_ruleset(ruleset, diagnostics, colour_stderr()));
        }
        jixiao::policy::PolicyError::Files(_) => report_diagnostics(error.diagnostics()),
    }
}
