//! The `alliance-kb` binary: logging, then the command line.

use std::process::ExitCode;

fn main() -> ExitCode {
    let format = match alliance_kb::config::LogFormat::from_env() {
        Ok(format) => format,
        Err(e) => {
            eprintln!("alliance-kb: {e}");
            return ExitCode::from(2);
        }
    };
    let mut logger = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    if format == alliance_kb::config::LogFormat::Json {
        logger.format(|buf, record| {
            use std::io::Write as _;
            let line = serde_json::json!({
                "ts": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "level": record.level().as_str(),
                "target": record.target(),
                "message": record.args().to_string(),
            });
            writeln!(buf, "{line}")
        });
    }
    logger
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
