//! Journal records as pushed by a till (or read back from a damaged database): the chain
//! check must answer for any records, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pos_shared::journal::{FactKind, JournalRecord};

fuzz_target!(|data: &[u8]| {
    if let Ok(records) = serde_json::from_slice::<Vec<JournalRecord>>(data) {
        for r in &records {
            let _ = r.hash_holds();
            let _ = FactKind::parse(&r.kind);
        }
        let _ = pos_core::journal::verify_records(&records);
    }
});
