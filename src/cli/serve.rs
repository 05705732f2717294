//! `jixiao serve`: starts the local browser workbench ([`jixiao::serve`]) and prints the URL
//! (with its token) to open.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::cli::flags::{FormFlags, load_catalogue, load_decisions};
use crate::cli::inputs::expand_inputs;
use crate::cli::{Outcome, report_error, report_warning};

/// Arguments of `jixiao serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 启动时读取的自评表或评价文档：文件夹（逐层读取，页面上可重新读取其中的文件）或文件（可多次指定）
    #[arg(long, value_name = "DIR|FILE")]
    forms: Vec<PathBuf>,
    /// 规则集：内置编号（如 shenzhen-2020）或规则集文件夹路径；不指定时按文档的年度和地区选择
    #[arg(long, value_name = "ID|PATH")]
    rules: Option<String>,
    /// 审核决定文件（TOML）：启动时读取（不存在则新建），页面上记录的决定写入此文件；不指定时为 --forms 文件夹中的 decisions.toml
    #[arg(long, value_name = "FILE")]
    decisions: Option<PathBuf>,
    /// 规则集文件夹：页面上改动的规则集（继承所改的规则集）和新年度规则集保存在这里；不指定时只能预览和测试改动
    #[arg(long, value_name = "DIR")]
    rules_dir: Option<PathBuf>,
    /// 基线文件夹（与 jixiao run --baseline 相同）：页面上可将已读取的表与之核对，并记录或批准新的基线版本（须写审批人，批准须写原因）
    #[arg(long, value_name = "DIR")]
    baseline: Option<PathBuf>,
    /// Budget year and region for forms.
    #[command(flatten)]
    form: FormFlags,
    /// 监听的地址；默认只有本机可访问（127.0.0.1）。其他地址会让网络上的其他人也能连接，须明确指定
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    host: IpAddr,
    /// 端口；0（默认）选一个空闲端口
    #[arg(long, value_name = "N", default_value_t = 0)]
    port: u16,
    /// 上传文件的大小上限（MiB）
    #[arg(long, value_name = "MIB", default_value_t = 20)]
    max_upload_mb: usize,
}

pub fn run(args: &Args) -> Outcome {
    let Some(catalogue) = load_catalogue(args.rules.as_deref()) else {
        return Outcome::BadInput;
    };
    if !args.form.region_is_known(&catalogue) {
        return Outcome::BadInput;
    }
    let Some(import) = args.form.import_options() else {
        return Outcome::BadInput;
    };
    let mut outcome = Outcome::Clean;
    // An empty forms folder is where a reviewer starts: nothing to read yet, forms come later.
    let to_read: Vec<PathBuf> = args
        .forms
        .iter()
        .filter(|p| !(p.is_dir() && std::fs::read_dir(p).is_ok_and(|mut d| d.next().is_none())))
        .cloned()
        .collect();
    let files = if to_read.is_empty() {
        Vec::new()
    } else {
        expand_inputs(&to_read, &mut outcome)
    };
    if outcome != Outcome::Clean {
        return outcome;
    }
    let forms_dir = args.forms.iter().find(|p| p.is_dir()).cloned();
    let decisions_path = args
        .decisions
        .clone()
        .or_else(|| forms_dir.as_ref().map(|d| d.join("decisions.toml")));
    let existing: Vec<PathBuf> = decisions_path.iter().filter(|p| p.exists()).cloned().collect();
    let Some(decisions) = load_decisions(&existing) else {
        return Outcome::BadInput;
    };
    if !args.host.is_loopback() {
        report_warning(format!(
            "工作台监听 {}：网络上能连到这台机器的人都可以尝试访问（仍需令牌）；只在本机使用时不要加 --host",
            args.host
        ));
    }
    let config = jixiao::serve::Config {
        settings: jixiao::serve::Settings {
            catalogue,
            import,
            forms_dir,
            decisions_path: decisions_path.clone(),
            decisions,
            rules_dir: args.rules_dir.clone(),
            baseline: args.baseline.clone(),
            rules_option: args.rules.clone(),
            layout_paths: args.form.layouts.clone(),
        },
        files,
        host: args.host,
        port: args.port,
        max_upload: args.max_upload_mb.saturating_mul(1 << 20),
    };
    let started = jixiao::serve::run(config, |url| {
        println!("jixiao 工作台已启动，请在浏览器中打开（网址含令牌，只显示这一次）：");
        println!("{url}");
        match &decisions_path {
            Some(path) => println!("审核决定保存到 {}", path.display()),
            None => println!("未指定审核决定文件（--decisions），页面上不能记录审核决定"),
        }
        println!("按 Ctrl-C 停止");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
    });
    match started {
        Ok(()) => Outcome::Clean,
        Err(e) => {
            report_error(e);
            Outcome::BadInput
        }
    }
}
