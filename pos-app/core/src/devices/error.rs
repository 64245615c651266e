//! What can go wrong with a device. Every message tells the cashier or the installer
//! what to do next; none of them ever stops a sale (sales never wait for a device).

use super::printer_status::PrinterStatus;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("no {0} is set up on this terminal; add one with `pos devices set {0} ...`")]
    NotConfigured(&'static str),
    #[error("cannot open the {device} at {place}: {detail}; check the cable, power and address")]
    Unavailable {
        device: &'static str,
        place: String,
        detail: String,
    },
    #[error("the {device} stopped answering ({detail}); check the cable and power, then retry")]
    Link {
        device: &'static str,
        detail: String,
    },
    #[error("the printer is not ready: {0}; fix it and the queued receipts print by themselves")]
    PrinterNotReady(PrinterStatus),
    #[error(
        "the printer did not confirm the receipt within {secs} s ({status}); it stays queued and prints again once the printer answers"
    )]
    Unconfirmed { secs: u64, status: String },
    #[error(
        "the {device} answered something Kassa cannot read ({detail}); check its protocol settings"
    )]
    Protocol {
        device: &'static str,
        detail: String,
    },
    #[error("{0}")]
    BadScan(String),
    #[error("the scale is {0}; take the weight off or let it settle, then weigh again")]
    ScaleNotStable(&'static str),
    #[error("the scale shows a weight below zero; empty the scale, zero it and weigh again")]
    NegativeWeight,
    #[error(
        "the scale reads {grams} g, less than the {tare} g tare; put the goods in their container on the scale, or change the tare"
    )]
    BelowTare { grams: i64, tare: i64 },
    #[error("invalid device setting: {0}")]
    Config(String),
}

impl DeviceError {
    /// The stable code front ends switch on (`{code, message}`).
    pub fn code(&self) -> &'static str {
        match self {
            DeviceError::NotConfigured(_) => "device_not_configured",
            DeviceError::Unavailable { .. } | DeviceError::Link { .. } => "device_unavailable",
            DeviceError::PrinterNotReady(_) => "printer_not_ready",
            DeviceError::Unconfirmed { .. } => "printer_unconfirmed",
            DeviceError::Protocol { .. } => "device_protocol",
            DeviceError::BadScan(_) => "bad_scan",
            DeviceError::ScaleNotStable(_) => "scale_not_stable",
            DeviceError::NegativeWeight => "scale_negative",
            DeviceError::BelowTare { .. } => "scale_below_tare",
            DeviceError::Config(_) => "device_config",
        }
    }

    pub(crate) fn link(device: &'static str, e: impl std::fmt::Display) -> Self {
        DeviceError::Link {
            device,
            detail: e.to_string(),
        }
    }
}

pub type DeviceResult<T> = Result<T, DeviceError>;
