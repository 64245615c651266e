//! Kassa terminal core: local SQLite store, journal, checkout, shifts, staff, receipts
//! and the `pos` CLI that drives them headless.

pub mod app;
mod barcode_cache;
pub mod catalog;
pub mod catalog_csv;
pub mod checkout;
#[cfg(feature = "cli")]
pub mod cli;
pub mod clock;
pub mod customers;
pub mod devices;
pub mod error;
mod file_access;
pub mod journal;
mod journal_audit;
pub mod print_queue;
pub mod promotions;
pub mod receipt;
pub mod refund_slip;
pub mod refunds;
mod sale_context;
pub mod sales;
pub mod seal;
pub mod sealed_refunds;
pub mod shifts;
pub mod shop_time;
pub mod staff;
pub mod stock;
pub mod store;
pub mod sync;
pub mod terminal;
pub mod till;

pub use error::{CoreError, CoreResult};
pub use store::LocalDb;
