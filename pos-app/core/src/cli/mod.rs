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

/// An error as the `pos` CLI prints it: the core's message, and for the errors a command
/// fixes, which command (the core's messages are worded for any front end).
pub fn describe(err: &crate::error::CoreError) -> String {
    use crate::error::CoreError as E;
    let hint = match err {
        E::Database(_) => "check the --db path too".to_owned(),
        E::NotInitialised => "run `pos init` (standalone) or `pos enroll` first".to_owned(),
        E::AlreadyInitialised | E::AlreadyEnrolled { .. } | E::StandaloneTerminal => {
            "use another --db path for a new terminal".to_owned()
        }
        E::LockedOut { .. } => "`pos staff unlock --staff NAME --pin PIN` lifts it".to_owned(),
        E::NoOpenShift => "`pos shift open --pin PIN --float AMOUNT`".to_owned(),
        E::NotEnrolled => {
            "`pos enroll --server URL --code CODE --name NAME` on a fresh --db path".to_owned()
        }
        E::EnrollmentUnfinished { server } => format!("run `pos enroll --server {server}` again"),
        _ => return err.to_string(),
    };
    format!("{err} ({hint})")
}

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
