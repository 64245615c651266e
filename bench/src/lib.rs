//! Kassa benchmarks. Each benchmark is a subcommand of `kassa-bench` that measures
//! through the same public APIs the product uses and writes its own section of
//! `bench/RESULTS.md`.

pub mod dataset;
pub mod desktop;
pub mod devices;
pub mod machine;
pub mod memory;
pub mod portal;
pub mod report;
pub mod stats;
pub mod sync;
pub mod terminal;
