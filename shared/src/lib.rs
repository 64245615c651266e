//! Kassa domain and wire types shared by the terminal and the server. No I/O.

pub mod error;
pub mod facts;
pub mod journal;
pub mod role;
pub mod sync;

pub mod barcode;
pub mod catalog;
pub mod currency;
pub mod customer;
pub mod debt;
pub mod ids;
pub mod money;
pub mod quantity;
pub mod sale;
pub mod stock;
pub mod tax;

pub use currency::Currency;
pub use money::{Money, MoneyError};
pub use quantity::Quantity;
