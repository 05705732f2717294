//! The `jixiao` binary: parse arguments, run, map the outcome to an exit code.

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    cli::run(cli::Cli::parse()).exit_code()
}
