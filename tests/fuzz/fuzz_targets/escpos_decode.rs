//! The ESC/POS decoder (receipt previews, the virtual printer, tests) reads whatever bytes
//! a job holds, including truncated commands and raster headers with huge sizes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decoded = pos_core::devices::decode::decode(data);
    let _ = format!("{decoded:?}");
    let _ = pos_core::devices::scale::parse(data);
});
