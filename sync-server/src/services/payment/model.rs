//! A payment as stored, its ledger entries, and the state machine that only moves a payment
//! forward: whatever order API replies and webhooks arrive in, a state is entered once.

use mongodb::bson::DateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a payment stands. A payment is one attempt: a declined card leaves it `failed`
/// and the order pays with a new payment (a new idempotency key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Recorded by Kassa; the provider has it but nobody has confirmed it yet.
    Created,
    /// Waiting for the customer (3-D Secure, or PayPal's approval page).
    RequiresAction,
    /// Funds held, to be captured (manual capture).
    Authorized,
    /// Money taken; refunds may follow up to the captured amount.
    Captured,
    /// Everything captured was refunded.
    Refunded,
    Failed,
    Canceled,
}

impl Status {
    fn rank(self) -> u8 {
        match self {
            Status::Created => 0,
            Status::RequiresAction => 1,
            Status::Authorized => 2,
            Status::Captured => 3,
            Status::Refunded => 4,
            Status::Failed | Status::Canceled => 5,
        }
    }

    /// Whether a payment in `self` may move to `next`. Only forward: a late or repeated
    /// report of an earlier state changes nothing, and a final state is never left.
    pub fn advances_to(self, next: Status) -> bool {
        use Status::*;
        match (self, next) {
            (Refunded | Failed | Canceled, _) => false,
            // Money taken is only ever given back, by a refund.
            (Captured, Refunded) => true,
            (Captured, _) => false,
            (_, Failed | Canceled) => true,
            (now, next) => next.rank() > now.rank(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::RequiresAction => "requires_action",
            Status::Authorized => "authorized",
            Status::Captured => "captured",
            Status::Refunded => "refunded",
            Status::Failed => "failed",
            Status::Canceled => "canceled",
        }
    }
}

/// Which provider takes the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderName {
    Stripe,
    Paypal,
}

impl ProviderName {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderName::Stripe => "stripe",
            ProviderName::Paypal => "paypal",
        }
    }
}

/// When the money is taken: at confirmation, or by a later capture call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaptureMethod {
    #[default]
    Automatic,
    Manual,
}

/// Why a provider refused the money (a decline), as it said it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Failure {
    /// The provider's code, e.g. `card_declined` (Stripe's decline code when it gives one).
    pub code: String,
    pub message: String,
}

/// A payment in paymentdb (`payments`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub company_id: String,
    pub shop_id: String,
    pub order_id: String,
    pub provider: ProviderName,
    /// The provider's id (Stripe PaymentIntent `pi_...`, PayPal order id), once known.
    pub provider_ref: Option<String>,
    /// What refunds name at the provider (PayPal's capture id; Stripe's intent).
    pub capture_ref: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub capture_method: CaptureMethod,
    pub status: Status,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    /// Captured less refunded less refunds in flight: what a new refund may take. Kept as
    /// a field so "refunds never exceed the capture" is one conditional update.
    pub refundable_minor: i64,
    pub failure: Option<Failure>,
    /// Stripe's client secret, for a browser to confirm with Stripe.js.
    pub client_secret: Option<String>,
    /// PayPal's approval page, where the customer approves the order.
    pub approve_url: Option<String>,
    /// The client key it was created with (unique per company).
    pub idempotency_key: String,
    pub created_by: String,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

/// What a ledger entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Attempt,
    Authorization,
    Capture,
    Failure,
    Cancel,
    Refund,
}

/// One line of the transactions ledger (`transactions`): every attempt, authorisation,
/// capture, failure, cancel and refund, in integer minor units. `_id` is derived from the
/// payment and what happened, so a second report of the same step cannot add a line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntryDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub company_id: String,
    pub shop_id: String,
    pub payment_id: String,
    pub kind: EntryKind,
    pub amount_minor: i64,
    pub currency: String,
    /// `succeeded`, `failed`, or `pending` (a refund sent to the provider, no answer yet).
    pub status: String,
    pub provider_ref: Option<String>,
    /// `api` (the provider's reply to Kassa's call) or `webhook`.
    pub source: String,
    pub at: DateTime,
}

/// A UUID derived from `text` (the first 16 bytes of its SHA-256): the same client key
/// always names the same payment or refund, so a retry after a crash finds it again.
pub fn derived_id(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(text.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The ledger entry a move to `status` writes, if it writes one.
pub fn entry_kind(status: Status) -> Option<EntryKind> {
    match status {
        Status::Authorized => Some(EntryKind::Authorization),
        Status::Captured => Some(EntryKind::Capture),
        Status::Failed => Some(EntryKind::Failure),
        Status::Canceled => Some(EntryKind::Cancel),
        Status::Created | Status::RequiresAction | Status::Refunded => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;

    #[test]
    fn a_payment_only_moves_forward() {
        assert!(Created.advances_to(Authorized));
        assert!(Authorized.advances_to(Captured));
        assert!(
            Created.advances_to(Captured),
            "automatic capture skips the hold"
        );
        assert!(
            !Captured.advances_to(Authorized),
            "a late authorisation report changes nothing"
        );
        assert!(
            !Captured.advances_to(Captured),
            "a second capture report changes nothing"
        );
        assert!(!Captured.advances_to(Failed), "money taken cannot fail");
        assert!(
            !Failed.advances_to(Captured),
            "a failed attempt stays failed"
        );
        assert!(Authorized.advances_to(Canceled));
        assert!(!Canceled.advances_to(Captured));
    }
}
