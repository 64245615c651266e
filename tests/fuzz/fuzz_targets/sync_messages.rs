//! Sync protocol frames and push batches as a till or a server would receive them: never a
//! panic, and whatever parses must survive a write and a re-read unchanged (a frame one
//! side can write but the other cannot read would strand a till).
#![no_main]
use libfuzzer_sys::fuzz_target;
use pos_shared::sync::{ChangesPage, ClientMessage, PushRequest, PushResponse, ServerMessage};
use serde::{Serialize, de::DeserializeOwned};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let text = serde_json::to_string(&value).expect("a parsed frame serialises");
        let again: T = serde_json::from_str(&text).expect("a written frame reads back");
        assert_eq!(value, again);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<ClientMessage>(data);
    round_trip::<ServerMessage>(data);
    round_trip::<PushRequest>(data);
    round_trip::<PushResponse>(data);
    round_trip::<ChangesPage>(data);
});
