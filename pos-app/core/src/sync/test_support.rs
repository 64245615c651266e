//! Builders for the sync unit tests: a set-up terminal database and stream pages as the
//! server sends them. No server is faked; pages are applied directly.

use pos_shared::Currency;
use pos_shared::sync::{CatalogProduct, Change, ChangeOp, ChangesPage, Stream};

use super::pull::{PageOutcome, apply_page};
use crate::store::LocalDb;
use crate::terminal::{self, InitRequest};

pub(super) const TERMINAL: &str = "0190c0de-0000-7000-8000-000000000001";

/// A terminal set up the way enrollment sets it up (server's id, EUR).
pub(super) async fn terminal() -> (tempfile::TempDir, LocalDb) {
    let dir = tempfile::tempdir().unwrap();
    let db = LocalDb::open(&dir.path().join("sync.db")).await.unwrap();
    let req = InitRequest {
        currency: Currency::EUR,
        shop_name: "Corner".into(),
        company_name: "Acme".into(),
        receipt_header: String::new(),
        receipt_footer: String::new(),
        cash_rounding_step: 0,
    };
    terminal::init_with(&db, &req, TERMINAL, &[]).await.unwrap();
    (dir, db)
}

pub(super) fn product(id: &str, sku: &str, barcodes: &[&str], price_minor: i64) -> CatalogProduct {
    CatalogProduct {
        id: id.into(),
        sku: sku.into(),
        name: format!("Product {sku}"),
        category: Some("Grocery".into()),
        barcodes: barcodes.iter().map(|b| (*b).to_owned()).collect(),
        price_minor,
        currency: "EUR".into(),
        tax_rate_bp: 700,
        tax_inclusive: true,
        is_weighed: false,
        active: true,
        variant_of: None,
        variant_name: None,
    }
}

pub(super) fn upsert(cursor: i64, p: &CatalogProduct) -> Change {
    Change {
        cursor,
        entity: "product".into(),
        id: p.id.clone(),
        op: ChangeOp::Upsert,
        data: Some(serde_json::to_value(p).unwrap()),
    }
}

pub(super) fn delete(cursor: i64, id: &str) -> Change {
    Change {
        cursor,
        entity: "product".into(),
        id: id.into(),
        op: ChangeOp::Delete,
        data: None,
    }
}

pub(super) fn balance(cursor: i64, product_id: &str, on_hand_milli: i64) -> Change {
    Change {
        cursor,
        entity: "balance".into(),
        id: product_id.into(),
        op: ChangeOp::Upsert,
        data: Some(serde_json::json!({ "product_id": product_id, "on_hand_milli": on_hand_milli })),
    }
}

/// A page after `after` holding `changes`, with the stream head at `head`.
pub(super) fn page(stream: Stream, after: i64, changes: Vec<Change>, head: i64) -> ChangesPage {
    let next_after = changes.last().map_or(after, |c| c.cursor);
    ChangesPage {
        stream,
        after,
        changes,
        next_after,
        head,
        included_through: None,
    }
}

/// Applies a page that is not the last of a stock pull.
pub(super) async fn apply(db: &LocalDb, page: &ChangesPage) -> PageOutcome {
    apply_page(db, page, None).await.unwrap()
}
