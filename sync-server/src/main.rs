//! `sync-server`: serve the API, or seed demo data.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use sync_server::config::Config;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Parser)]
#[command(
    name = "sync-server",
    version,
    about = "Kassa cloud server: gateway and platform services"
)]
struct Cli {
    /// Configuration file (TOML); KASSA_* environment variables override it.
    #[arg(long, env = "KASSA_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Create (or find) the demo company, shops, staff, catalog and stock. Idempotent.
    SeedDemo,
    /// Recompute a company's dashboard rollups from its stored orders and refunds (a
    /// repair: run it with the analytics consumer stopped).
    RebuildAnalytics {
        /// The company's id.
        #[arg(long)]
        company: String,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,lapin=warn,mongodb=warn".into()),
        )
        .init();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sync-server: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sync-server: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::SeedDemo => {
                let state = sync_server::build_state(config).await?;
                let summary = sync_server::demo::seed(&state).await?;
                println!("{summary}");
                Ok(())
            }
            Command::RebuildAnalytics { company } => {
                let state = sync_server::build_state(config).await?;
                let (sales, refunds) =
                    sync_server::services::analytics::rebuild::company(&state, &company).await?;
                println!(
                    "rebuilt the rollups of {company} from {sales} sales and {refunds} refunds"
                );
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sync-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}; is another server using that port? set KASSA_LISTEN",
                config.listen
            )
        })?;
    let shutdown = CancellationToken::new();
    let trigger = shutdown.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("shutting down");
        trigger.cancel();
    });
    sync_server::run(config, listener, shutdown).await
}
