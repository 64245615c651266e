//! Amounts and quantities typed at the till or sent in a file: never a panic, and what
//! parses prints back to text that parses to the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pos_shared::currency::Currency;
use pos_shared::money::Money;
use pos_shared::quantity::Quantity;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for currency in [Currency::EUR, Currency::JPY, Currency::KWD] {
        if let Ok(m) = Money::parse(text, currency) {
            assert_eq!(Money::parse(&m.format(), currency), Ok(m), "{text:?}");
            let _ = m.within_entry_limit();
            let _ = m.percent(1_234);
            let _ = m.round_to_step(5);
            let _ = m.allocate(&[1, 2, 3]);
        }
    }
    if let Ok(q) = text.parse::<Quantity>() {
        assert_eq!(q.to_string().parse::<Quantity>().ok(), Some(q), "{text:?}");
        let _ = Money::new(1_999, Currency::EUR).mul_quantity(q);
    }
    let _ = text.parse::<Currency>();
});
