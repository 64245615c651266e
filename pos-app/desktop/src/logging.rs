//! Log files that roll daily and keep a week, so a support call can read what the till
//! did without the disk filling up on a till that runs for years.

use std::path::Path;

use tracing_subscriber::EnvFilter;

/// Days of logs kept.
const KEEP_FILES: usize = 7;

/// Logs to `dir/kassa.YYYY-MM-DD.log` (`KASSA_LOG` sets the filter, default `info`);
/// to stderr when the folder cannot be used.
pub fn init(dir: &Path) {
    let filter = EnvFilter::try_from_env("KASSA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let appender = std::fs::create_dir_all(dir).ok().and_then(|()| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("kassa")
            .filename_suffix("log")
            .max_log_files(KEEP_FILES)
            .build(dir)
            .ok()
    });
    let result = match appender {
        Some(files) => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(files)
            .try_init(),
        None => tracing_subscriber::fmt().with_env_filter(filter).try_init(),
    };
    if let Err(e) = result {
        eprintln!("logging not set up: {e}");
    }
}
