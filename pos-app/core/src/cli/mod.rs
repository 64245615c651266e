//! The `pos` CLI over the core: argument definitions, parsing of compact forms, and
//! command execution returning an [`Outcome`] that `main.rs` prints.

pub mod args;
mod commands;
mod devices;
pub mod devices_args;
mod devices_print;
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
    /// The command wrote its output itself, as it went (an export too long to hold in
    /// memory); there is nothing left to print.
    pub written: bool,
}

impl Outcome {
    fn new(json: serde_json::Value, text: impl Into<String>) -> Self {
        Self {
            json,
            text: text.into(),
            written: false,
        }
    }

    fn written() -> Self {
        Self {
            json: serde_json::Value::Null,
            text: String::new(),
            written: true,
        }
    }
}
