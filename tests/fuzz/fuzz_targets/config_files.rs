//! Configuration an operator writes: the server's TOML file (merged over the defaults,
//! as at start-up) and a till's device settings. Bad text is an error, never a panic.
#![no_main]
use figment::providers::{Format, Toml};
use libfuzzer_sys::fuzz_target;
use pos_core::devices::config::{Connection, DeviceConfig};
use sync_server::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Config::from_figment(Config::figment(None).merge(Toml::string(text)));
    let _ = text.parse::<Connection>();
    let _ = pos_core::devices::config::serial(text);
    if let Ok(devices) = serde_json::from_str::<DeviceConfig>(text) {
        if let Some(printer) = devices.printer {
            let _ = printer.check();
            let _ = printer.columns();
        }
    }
});
