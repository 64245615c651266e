//! Integration tests of pos-core on real SQLite files: library-level scenarios and the
//! `pos` binary driven as a subprocess.

mod accounts;
mod cash_control;
mod checkout;
mod cli;
mod cli_guidance;
mod concurrency;
mod crash;
mod devices_cli;
mod devices_cli_io;
mod drawer;
mod full_day;
mod harness;
mod tamper;
mod upgrade;
