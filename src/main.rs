//! The `jixiao` binary: parse arguments, run, map the outcome to an exit code.

mod cli;

/// mimalloc: scoring allocates many small strings and maps; the system allocator spent about a
/// sixth of a corpus run in malloc/free (perf), mimalloc much less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    match cli::parse() {
        Ok(cli) => cli::run(cli).exit_code(),
        Err(outcome) => outcome.exit_code(),
    }
}
