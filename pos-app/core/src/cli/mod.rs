//! The `pos` CLI over the core: argument definitions, parsing of compact forms, and
//! command execution returning an [`Outcome`] that `main.rs` prints.

pub mod args;
mod commands;
mod parse;
mod sell;
mod sync_cmd;

pub use args::Cli;
pub use commands::run;

/// What a command produced: the JSON body for `--json` and the text for people.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub json: serde_json::Value,
    pub text: String,
}

impl Outcome {
    fn new(json: serde_json::Value, text: impl Into<String>) -> Self {
        Self {
            json,
            text: text.into(),
        }
    }
}
