//! The `alliance-kb` binary: logging, then the command line.

use std::process::ExitCode;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        // At any level: the PostgreSQL driver logs every bound value of a query at debug (key
        // hashes and bodies among them), and actix logs each malformed request from any client
        // at error, which would let anyone flood the log. Both are capped, whatever RUST_LOG says.
        .filter_module("tokio_postgres", log::LevelFilter::Info)
        .filter_module("actix_http::h1::dispatcher", log::LevelFilter::Off)
        .format_timestamp_millis()
        .init();
    let args: Vec<String> = std::env::args().collect();
    alliance_kb::cli::run(&args)
}
