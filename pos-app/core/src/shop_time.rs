//! The shop's time zone and times as people read them. Storage, the journal and sync keep
//! UTC milliseconds ([`crate::clock`]); whatever is printed for or shown to a person
//! (receipts, slips, reports, the CLI's text) goes through [`ShopZone::format`].

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Serialize, Serializer};

/// The setting holding the shop's IANA zone name (`Europe/Berlin`); enrollment stores the
/// zone the server has for the shop.
pub const SETTING: &str = "time_zone";

/// The shop's time zone, parsed once. An unknown name falls back to UTC, so a bad setting
/// prints unambiguous UTC times (marked "UTC") rather than stopping the till.
#[derive(Debug, Clone)]
pub struct ShopZone {
    /// The zone in use: the configured name, or "UTC" after a fallback.
    name: String,
    tz: TimeZone,
}

impl ShopZone {
    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    /// The zone called `name`, or UTC (with a warning) when no database knows it. jiff
    /// looks in the system's tzdb first and then in the copy bundled into the binary,
    /// so a till without /usr/share/zoneinfo still knows every zone.
    pub fn named(name: &str) -> Self {
        let name = name.trim().trim_start_matches(':');
        match TimeZone::get(name) {
            Ok(tz) => Self {
                name: name.to_owned(),
                tz,
            },
            Err(e) => {
                tracing::warn!(zone = name, "unknown time zone, showing UTC: {e}");
                Self::utc()
            }
        }
    }

    /// The zone's IANA name ("UTC" after a fallback).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `ms` (UTC milliseconds) as a customer reads it: `2026-12-08 03:08 CET`. The date
    /// stays ISO-like so it reads the same in any language; the abbreviation tells the
    /// two 02:30s of the night clocks go back apart.
    pub fn format(&self, ms: i64) -> String {
        match Timestamp::from_millisecond(ms) {
            Ok(t) => t
                .to_zoned(self.tz.clone())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string(),
            Err(_) => ms.to_string(),
        }
    }
}

/// The zone a till without the setting uses: the machine's `TZ`, else UTC.
pub fn default_name() -> String {
    std::env::var("TZ")
        .ok()
        .filter(|z| !z.trim().is_empty())
        .unwrap_or_else(|| "UTC".to_owned())
}

impl PartialEq for ShopZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ShopZone {}

/// Serialised as its name, the form the setting and the screens use.
impl Serialize for ShopZone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-08 02:08:44 UTC: past midnight UTC, so a wrong zone also shows a wrong day
    /// in zones west of Greenwich.
    const AT: i64 = 1_796_695_724_000;

    #[test]
    fn berlin_shows_local_wall_time_without_seconds() {
        let berlin = ShopZone::named("Europe/Berlin");
        assert_eq!(berlin.name(), "Europe/Berlin");
        assert_eq!(
            berlin.format(AT),
            "2026-12-08 03:08 CET",
            "Berlin is UTC+1 in December"
        );
    }

    #[test]
    fn summer_time_and_zones_west_of_utc() {
        let summer = 1_783_130_400_000; // 2026-07-04 02:00:00 UTC
        assert_eq!(
            ShopZone::named("Europe/Berlin").format(summer),
            "2026-07-04 04:00 CEST"
        );
        assert_eq!(
            ShopZone::named("America/New_York").format(AT),
            "2026-12-07 21:08 EST",
            "the local day, not UTC's"
        );
    }

    #[test]
    fn utc_shops_get_the_same_shape() {
        assert_eq!(ShopZone::utc().format(AT), "2026-12-08 02:08 UTC");
        assert_eq!(ShopZone::named("UTC"), ShopZone::utc());
    }

    #[test]
    fn an_unknown_zone_falls_back_to_utc() {
        for bad in ["Mars/Olympus_Mons", "", "not a zone", "../../etc/passwd"] {
            let zone = ShopZone::named(bad);
            assert_eq!(zone, ShopZone::utc(), "{bad:?} falls back to UTC");
            assert_eq!(zone.format(AT), "2026-12-08 02:08 UTC");
        }
    }

    #[test]
    fn the_bundled_database_knows_the_zones_for_tills_without_zoneinfo() {
        let db = jiff::tz::TimeZoneDatabase::bundled();
        let berlin = db
            .get("Europe/Berlin")
            .expect("bundled tzdb has Europe/Berlin");
        let shown = Timestamp::from_millisecond(AT)
            .unwrap()
            .to_zoned(berlin)
            .strftime("%H:%M")
            .to_string();
        assert_eq!(shown, "03:08");
    }

    #[test]
    fn serialises_as_its_name() {
        let json = serde_json::to_string(&ShopZone::named("Europe/Berlin")).unwrap();
        assert_eq!(json, "\"Europe/Berlin\"");
    }
}
