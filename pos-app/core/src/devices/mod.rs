//! Devices at the till: the receipt printer (ESC/POS over TCP, serial, a device file or
//! USB by id) with its cash drawer, the print queue's drainer, a kitchen/bar printer for
//! order slips, serial barcode scanners, a Toledo scale and a 2x20 pole display,
//! configured per terminal; receipts drawn as PNG from the bytes a printer gets. No device ever blocks or undoes
//! a sale: sales only append to the journal, and the devices catch up from it.
//!
//! Device I/O is blocking and runs on its own threads (`spawn_blocking` from async code).
//! `virtual_printer` is a printer in software for tests and demos.

pub mod at_sale;
pub mod code128;
pub mod config;
pub mod cp858;
pub mod decode;
pub mod display;
pub mod drain;
pub mod drawer;
pub mod encode;
pub mod error;
pub mod glyphs;
pub mod kitchen;
pub mod layout;
pub mod link;
pub mod printer;
pub mod printer_status;
pub mod raster;
pub mod render;
pub mod sample;
pub mod scale;
pub mod scanner;
pub mod tokens;
pub mod usb;
pub mod virtual_printer;

#[cfg(test)]
mod tests;

pub use config::{Connection, DeviceConfig, PrinterConfig};
pub use error::{DeviceError, DeviceResult};
pub use printer::Printer;
pub use printer_status::PrinterStatus;
