//! Catalog sheets, on the till (`pos catalog import`) and on the server (the portal's
//! import): any bytes give rows or an error naming a line, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pos_core::catalog_csv::parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sync_server::services::catalog::sheet::check(text);
    }
});
