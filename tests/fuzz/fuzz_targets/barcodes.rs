//! Whatever a scanner or a cashier types as a barcode: GTIN checks and GS1 variable-measure
//! labels (weight and price embedded) never panic, and a decoded measure is in range.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pos_shared::barcode::Barcode;
use pos_shared::barcode::{Gs1Layout, MeasureKind};
use pos_shared::currency::Currency;

fn layouts() -> [Gs1Layout; 2] {
    let layout = |kind, decimals| Gs1Layout {
        prefixes: vec!["20".into(), "21".into(), "28".into()],
        item_digits: 5,
        value_digits: 5,
        kind,
        decimals,
    };
    [
        layout(MeasureKind::Weight, 3),
        layout(MeasureKind::Price, 2),
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = pos_core::devices::scanner::check(text, "");
    let Ok(code) = Barcode::parse(text) else {
        return;
    };
    // A parsed code reads back as itself.
    assert_eq!(Barcode::parse(code.as_str()).ok().as_ref(), Some(&code));
    for layout in layouts() {
        for currency in [Currency::EUR, Currency::JPY, Currency::KWD] {
            let _ = layout.decode(&code, currency);
        }
    }
});
