//! A till's journal built by hand, correctly hash-chained as pos-core writes it, pushed to
//! the server and waited on until it is projected: how tests make sales, refunds and
//! oversold stock without a real till.

use pos_shared::journal::{GENESIS_HASH, JournalRecord};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::TestApp;

/// When the hand-made journal's sales happened unless a test says otherwise.
pub const SOLD_AT_MS: i64 = 1_700_000_000_000;

/// A hash-chained journal for one terminal, as pos-core writes it.
pub struct Journal {
    pub terminal: String,
    pub records: Vec<JournalRecord>,
}

/// One sale: what, how many, at what price, by whom and when.
pub struct SaleSpec<'a> {
    pub product: &'a str,
    pub qty: i64,
    pub price: i64,
    pub staff: &'a str,
    pub at_ms: i64,
    /// Paid on this customer's account instead of cash.
    pub on_account: Option<&'a str>,
}

impl Journal {
    pub fn new(terminal: &str) -> Self {
        Self {
            terminal: terminal.into(),
            records: Vec::new(),
        }
    }

    pub fn append(&mut self, kind: &str, payload: Value) -> &JournalRecord {
        let seq = i64::try_from(self.records.len()).unwrap() + 1;
        let mut r = JournalRecord {
            seq,
            id: uuid::Uuid::now_v7().to_string(),
            terminal_id: self.terminal.clone(),
            epoch: 1,
            hlc_ms: SOLD_AT_MS + seq,
            catalog_cursor: 0,
            kind: kind.into(),
            payload: payload.to_string(),
            prev_hash: self
                .records
                .last()
                .map_or(GENESIS_HASH.to_string(), |p| p.hash.clone()),
            hash: String::new(),
        };
        r.hash = r.expected_hash();
        self.records.push(r);
        self.records.last().unwrap()
    }

    /// A cash sale of `qty` whole units by staff `c1`; returns the sale id.
    pub fn sale(&mut self, product: &str, qty: i64, price: i64) -> String {
        self.sale_of(&SaleSpec {
            product,
            qty,
            price,
            staff: "c1",
            at_ms: SOLD_AT_MS,
            on_account: None,
        })
    }

    /// A sale as `spec` says; its receipt number is its sequence number.
    pub fn sale_of(&mut self, spec: &SaleSpec<'_>) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        let SaleSpec {
            product,
            qty,
            price,
            staff,
            at_ms,
            on_account,
        } = *spec;
        let gross = price * qty;
        let tender = if on_account.is_some() {
            "on_account"
        } else {
            "cash"
        };
        let sale = json!({
            "id": id, "receipt_no": self.records.len() + 1, "shift_id": "s1", "staff_id": staff,
            "approved_by": null, "customer_id": on_account, "currency": "EUR",
            "created_at_ms": at_ms,
            "lines": [{ "id": format!("{id}-1"), "line_no": 1, "product_id": product, "sku": "SKU",
                "name": "Thing", "qty_milli": qty * 1000, "unit_price_minor": price,
                "discount_minor": 0, "tax_rate_bp": 1900, "tax_inclusive": true,
                "net_minor": gross - gross * 19 / 119, "tax_minor": gross * 19 / 119, "gross_minor": gross }],
            "tenders": [{ "kind": tender, "amount_minor": gross, "reference": null }],
            "subtotal_minor": gross, "discount_minor": 0, "tax_minor": gross * 19 / 119,
            "total_minor": gross, "paid_minor": gross, "change_minor": 0,
        });
        self.append("sale_completed", sale);
        id
    }

    /// A cash refund of `qty` units at `price` against sale `sale_id` (back to stock).
    pub fn refund(&mut self, sale_id: &str, product: &str, qty: i64, price: i64) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        let amount = qty * price;
        let refund = json!({
            "id": id, "sale_id": sale_id, "shift_id": "s1", "staff_id": "c1", "approved_by": null,
            "customer_id": null, "reason": "changed mind", "tender_kind": "cash",
            "total_minor": amount, "tax_minor": amount * 19 / 119, "created_at_ms": SOLD_AT_MS + 60_000,
            "lines": [{ "sale_line_id": format!("{sale_id}-1"), "product_id": product, "sku": "SKU",
                "qty_milli": qty * 1000, "amount_minor": amount, "tax_minor": amount * 19 / 119,
                "restock": true }],
        });
        self.append("refund_issued", refund);
        id
    }

    /// The records `from_seq..=to_seq` as one push.
    pub fn batch(&self, from_seq: i64, to_seq: i64) -> Value {
        let records: Vec<&JournalRecord> = self
            .records
            .iter()
            .filter(|r| r.seq >= from_seq && r.seq <= to_seq)
            .collect();
        json!({ "terminal_id": self.terminal, "epoch": 1, "records": records })
    }

    /// Pushes every record and waits until the server has built them all.
    pub async fn sync(&self, app: &TestApp, device: &str) {
        let last = i64::try_from(self.records.len()).unwrap();
        let (status, ack) = push(app, device, self.batch(1, last)).await;
        assert_eq!(status, StatusCode::OK, "pushed: {ack}");
        assert_eq!(ack["status"], "ack", "{ack}");
        projected(app, device, last).await;
    }
}

pub async fn push(app: &TestApp, device: &str, body: Value) -> (StatusCode, Value) {
    app.sync_call(Method::POST, "/api/sync/push", device, Some(body))
        .await
}

/// Waits until the server has built the terminal's journal through `seq` into orders and
/// stock (acks come when a batch is stored; the projector follows).
pub async fn projected(app: &TestApp, device: &str, seq: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (status, state) = app
            .sync_call(Method::GET, "/api/sync/state?epoch=1", device, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{state}");
        let through = state["projected_through"].as_i64().unwrap();
        assert!(
            through <= state["acked_through"].as_i64().unwrap(),
            "never built beyond what is stored: {state}"
        );
        if through >= seq {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not projected through {seq} after 60 s: {state}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
