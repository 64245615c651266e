//! A Mettler Toledo 8217 scale on a serial port: `W` asks for the weight; the scale answers
//! `STX weight CR` when the weight is stable (`01.235` kg, an `N` after it for a net
//! weight under a tare), or `STX ? status CR` when it cannot report one (status bits: 0 in
//! motion, 1 over capacity, 2 under zero). Only a stable, non-negative weight is taken.
//!
//! Tare: the 8217 protocol as POS software speaks it has no tare command (a scale answers
//! anything but `W` and the echo probe with "bad command"), so the till keeps a tare of its
//! own (the container's weight, `pos devices set scale --tare-grams`) and takes it off a
//! gross reading. A reading the scale already marks net (tared on the scale) is taken as
//! it is, never tared twice.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::config::SerialConfig;
use super::error::{DeviceError, DeviceResult};
use super::link::{self, Link};

const STX: u8 = 0x02;
const CR: u8 = 0x0D;
/// The 8217 answers within 100 ms; a second allows for slow adapters.
const REPLY_TIMEOUT: Duration = Duration::from_secs(1);

/// A stable weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Weight {
    /// Grams, which are also the thousandths of a kilogram a weighed line's quantity holds.
    pub grams: i64,
    /// The weight is net of a tare set on the scale.
    pub net: bool,
}

/// Reads a Toledo 8217 reply (between STX and CR).
pub fn parse(reply: &[u8]) -> DeviceResult<Weight> {
    let protocol = |detail: String| DeviceError::Protocol {
        device: "scale",
        detail,
    };
    if let [b'?', status, ..] = reply {
        return Err(match status {
            s if s & 0x04 != 0 => DeviceError::NegativeWeight,
            s if s & 0x02 != 0 => DeviceError::ScaleNotStable("over its capacity"),
            s if s & 0x01 != 0 => DeviceError::ScaleNotStable("still moving"),
            s => protocol(format!("status {s:#04x} without a weight")),
        });
    }
    let text = std::str::from_utf8(reply).map_err(|_| protocol(format!("{reply:02x?}")))?;
    let (number, net) = match text.strip_suffix('N') {
        Some(n) => (n, true),
        None => (text, false),
    };
    let grams = kilograms_to_grams(number).ok_or_else(|| protocol(format!("weight `{text}`")))?;
    if grams < 0 {
        return Err(DeviceError::NegativeWeight);
    }
    Ok(Weight { grams, net })
}

/// `w` less the till's tare of `tare_grams` (none for a weight the scale already tared);
/// refused when the goods weigh less than their container.
pub fn net_of(w: Weight, tare_grams: i64) -> DeviceResult<Weight> {
    if w.net || tare_grams <= 0 {
        return Ok(w);
    }
    if w.grams < tare_grams {
        return Err(DeviceError::BelowTare {
            grams: w.grams,
            tare: tare_grams,
        });
    }
    Ok(Weight {
        grams: w.grams - tare_grams,
        net: true,
    })
}

/// The settings key of the till's tare, in grams (absent: none).
pub const TARE_SETTING: &str = "scale_tare_grams";
/// A tare above this is a typo (the heaviest counter scales weigh 30 kg).
pub const MAX_TARE_GRAMS: i64 = 30_000;

/// The till's tare in grams (0 when none is set).
pub async fn tare(db: &crate::LocalDb) -> crate::error::CoreResult<i64> {
    crate::store::get_i64_setting(db.pool(), TARE_SETTING, 0).await
}

/// Sets the till's tare (0 clears it).
pub async fn set_tare(db: &crate::LocalDb, grams: i64) -> crate::error::CoreResult<()> {
    if !(0..=MAX_TARE_GRAMS).contains(&grams) {
        return Err(DeviceError::Config(format!(
            "a tare of {grams} g: give the container's weight, 0 to {MAX_TARE_GRAMS} g"
        ))
        .into());
    }
    crate::store::set_setting(db.pool(), TARE_SETTING, &grams.to_string()).await
}

/// A stable net weight from the configured scale, the till's tare taken off, read off the
/// async runtime: what a weighed line takes as its quantity.
pub async fn read_configured(db: &crate::LocalDb) -> crate::error::CoreResult<Weight> {
    let config = super::config::load(db)
        .await?
        .scale
        .ok_or(DeviceError::NotConfigured("scale"))?;
    let tare = tare(db).await?;
    let read = tokio::task::spawn_blocking(move || Scale::open(&config)?.read_net(tare))
        .await
        .map_err(|e| DeviceError::link("scale", e))?;
    Ok(read?)
}

/// "01.235" -> 1235, with integers only (money and weights never touch floats).
fn kilograms_to_grams(text: &str) -> Option<i64> {
    let (negative, digits) = match text.trim().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.trim()),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || frac.len() > 3
        || !(whole.chars().chain(frac.chars())).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac_grams: i64 = format!("{frac:0<3}").parse().ok()?;
    let grams = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(1000)?
        .checked_add(frac_grams)?;
    Some(if negative { -grams } else { grams })
}

/// An open scale.
pub struct Scale {
    link: Box<dyn Link>,
}

impl Scale {
    pub fn new(link: Box<dyn Link>) -> Self {
        Self { link }
    }

    pub fn open(config: &SerialConfig) -> DeviceResult<Self> {
        // The 8217 protocol frames its bytes 7E1.
        let link =
            link::open_serial_framed(&config.path, config.baud, "scale", REPLY_TIMEOUT, true)?;
        Ok(Self::new(Box::new(link)))
    }

    /// Asks for the weight and reads the answer.
    pub fn read(&mut self) -> DeviceResult<Weight> {
        self.link.send(b"W\r")?;
        parse(&self.reply()?)
    }

    /// Asks for the weight and takes `tare_grams` off it (see [`net_of`]).
    pub fn read_net(&mut self, tare_grams: i64) -> DeviceResult<Weight> {
        net_of(self.read()?, tare_grams)
    }

    /// The bytes between STX and CR of the next reply.
    fn reply(&mut self) -> DeviceResult<Vec<u8>> {
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let mut reply = Vec::new();
        let mut started = false;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.link.read_byte(left)? {
                Some(STX) => {
                    started = true;
                    reply.clear();
                }
                Some(CR) if started => return Ok(reply),
                Some(b) if started && reply.len() < 32 => reply.push(b),
                Some(_) => {}
                None => break,
            }
        }
        Err(DeviceError::link("scale", "no answer to a weight request"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_weights_read_in_grams() {
        assert_eq!(
            parse(b"01.235").unwrap(),
            Weight {
                grams: 1235,
                net: false
            }
        );
        assert_eq!(
            parse(b"00.50N").unwrap(),
            Weight {
                grams: 500,
                net: true
            }
        );
        assert_eq!(parse(b"12").unwrap().grams, 12_000);
    }

    #[test]
    fn the_tare_comes_off_a_gross_weight_only() {
        let gross = Weight {
            grams: 1_235,
            net: false,
        };
        assert_eq!(
            net_of(gross, 235).unwrap(),
            Weight {
                grams: 1_000,
                net: true
            }
        );
        assert_eq!(net_of(gross, 0).unwrap(), gross);
        let tared_on_the_scale = Weight {
            grams: 500,
            net: true,
        };
        assert_eq!(
            net_of(tared_on_the_scale, 235).unwrap().grams,
            500,
            "never twice"
        );
        assert!(matches!(
            net_of(
                Weight {
                    grams: 100,
                    net: false
                },
                235
            ),
            Err(DeviceError::BelowTare {
                grams: 100,
                tare: 235
            })
        ));
    }

    #[test]
    fn unstable_negative_and_garbled_readings_are_refused() {
        assert!(matches!(
            parse(&[b'?', 0x01]),
            Err(DeviceError::ScaleNotStable(_))
        ));
        assert!(matches!(
            parse(&[b'?', 0x05]),
            Err(DeviceError::NegativeWeight)
        ));
        assert!(matches!(parse(b"-0.100"), Err(DeviceError::NegativeWeight)));
        assert!(matches!(parse(b"1.2.3"), Err(DeviceError::Protocol { .. })));
        assert!(matches!(
            parse(b"1.2345"),
            Err(DeviceError::Protocol { .. })
        ));
        assert!(matches!(parse(b""), Err(DeviceError::Protocol { .. })));
    }
}
