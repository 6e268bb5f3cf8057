//! The `alliance-kb` binary: logging, then the command line.

use std::process::ExitCode;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args: Vec<String> = std::env::args().collect();
    alliance_kb::cli::run(&args)
}
