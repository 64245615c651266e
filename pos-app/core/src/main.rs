//! `pos`: the Kassa terminal, headless. Parsing and printing only; the work is in
//! `pos_core::cli`.

use std::process::ExitCode;

use clap::Parser;
use pos_core::cli::args::Command;
use pos_core::cli::{Cli, run};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The sync daemon is a long-running service: its progress belongs in the log.
    let default_filter = match &cli.command {
        Command::Sync(args) if args.daemon => "warn,pos_core=info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KASSA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(&cli).await {
        Ok(outcome) => {
            if outcome.written {
                // Printed by the command as it went.
            } else if cli.json {
                println!("{}", outcome.json);
            } else if !outcome.text.is_empty() {
                println!("{}", outcome.text.trim_end());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            // The core's message plus, where a command fixes it, which one.
            let message = pos_core::cli::describe(&err);
            if cli.json {
                let wire = pos_shared::error::WireError::new(err.code(), message.as_str());
                println!("{}", serde_json::to_string(&wire).unwrap_or_default());
            }
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
