//! `jixiao generate --count N [--seed S] [-o FILE|-]`: a corpus of varied, realistic evaluation
//! documents (JSON Lines) for tests and benchmarks.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{Outcome, report_error};
use jixiao::report::output::AtomicFile;
use jixiao::runs::generate::{generate_one, templates};

/// Arguments of `jixiao generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 生成多少个文档
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// 随机种子（同一种子生成同样的语料）
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// 输出文件（JSON Lines，原子写入）；- 为标准输出
    #[arg(short = 'o', long, value_name = "FILE|-", default_value = "-")]
    output: String,
}

pub fn run(args: &Args) -> Outcome {
    let templates = templates();
    let write_all = |out: &mut dyn Write| -> std::io::Result<()> {
        for i in 0..args.count {
            if let Some(doc) = generate_one(&templates, args.seed, i) {
                serde_json::to_writer(&mut *out, &doc)?;
                out.write_all(b"\n")?;
            }
        }
        out.flush()
    };
    if args.output == "-" {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
        if let Err(e) = write_all(&mut out) {
            report_error(format!("写出失败：{e}"));
            return Outcome::BadInput;
        }
        return Outcome::Clean;
    }
    let path = PathBuf::from(&args.output);
    let result = AtomicFile::create(&path).map_err(|e| e.to_string()).and_then(|file| {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        write_all(&mut out).map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
        let file = out
            .into_inner()
            .map_err(|e| format!("无法写入 {}：{}", path.display(), e.error()))?;
        file.commit().map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => Outcome::Clean,
        Err(e) => {
            report_error(e);
            Outcome::BadInput
        }
    }
}
