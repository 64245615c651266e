//! The print queue: receipts and refund slips still to print are the sale and refund
//! records past the printer's cursor in the journal.
//!
//! A sale or refund needs no print job row of its own: the record that makes it
//! complete also queues its document, so a completed sale never lacks its receipt and
//! queueing costs the sale's commit nothing. The document is rendered when printed
//! (`receipt::build`, `refund_slip::build`); its seal is deterministic, so it is the
//! same document `pos receipt` shows.

use pos_shared::journal::FactKind;

use crate::devices::layout::Document;
use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, get_i64_setting};
use crate::terminal::Terminal;
use crate::{receipt, refund_slip, refunds, sales, seal};

/// The setting a printer advances to the journal sequence of the last document it
/// printed; none printed yet is 0.
pub const PRINTED_THROUGH: &str = "printed_through_seq";

/// How many receipts and refund slips wait for the printer.
pub async fn waiting(db: &LocalDb) -> CoreResult<i64> {
    let through = get_i64_setting(db.pool(), PRINTED_THROUGH, 0).await?;
    let n = sqlx::query_scalar("SELECT count(*) FROM journal WHERE seq > ? AND kind IN (?, ?)")
        .bind(through)
        .bind(FactKind::SaleCompleted.as_str())
        .bind(FactKind::RefundIssued.as_str())
        .fetch_one(db.pool())
        .await?;
    Ok(n)
}

/// A document waiting for the printer: the journal record that queued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub seq: i64,
    pub kind: FactKind,
    /// The sale's or the refund's id.
    pub id: String,
}

/// The first `limit` documents waiting, oldest first.
pub async fn next(db: &LocalDb, limit: i64) -> CoreResult<Vec<Queued>> {
    let through = get_i64_setting(db.pool(), PRINTED_THROUGH, 0).await?;
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT seq, kind, payload ->> 'id' FROM journal
         WHERE seq > ? AND kind IN (?, ?) ORDER BY seq LIMIT ?",
    )
    .bind(through)
    .bind(FactKind::SaleCompleted.as_str())
    .bind(FactKind::RefundIssued.as_str())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(seq, kind, id)| {
            let broken = |reason: &str| CoreError::JournalBroken {
                seq,
                reason: reason.to_owned(),
            };
            Ok(Queued {
                seq,
                kind: FactKind::parse(&kind).ok_or_else(|| broken("unknown kind"))?,
                id: id.ok_or_else(|| broken("the record names no sale or refund"))?,
            })
        })
        .collect()
}

/// The receipt or slip `q` queued, built as `pos receipt` builds it.
pub async fn document(db: &LocalDb, t: &Terminal, q: &Queued) -> CoreResult<Document> {
    if q.kind == FactKind::RefundIssued {
        let stored = refunds::load(db, &q.id).await?;
        return Ok(Document::RefundSlip(refund_slip::build(&stored, t)));
    }
    let sale = sales::load(db, &q.id).await?;
    let key = seal::signing_key(db).await?;
    Ok(Document::Receipt(receipt::build(&sale, t, &key)))
}

/// Moves the printer's cursor to `seq` once the document there is on paper. Never
/// backwards: a second drainer that printed an older one cannot requeue the newer.
pub async fn advance(db: &LocalDb, seq: i64) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value
         WHERE CAST(settings.value AS INTEGER) < CAST(excluded.value AS INTEGER)",
    )
    .bind(PRINTED_THROUGH)
    .bind(seq.to_string())
    .execute(db.pool())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkout::{Cart, Tender};
    use crate::store::set_setting;

    #[tokio::test]
    async fn every_sale_and_refund_waits_until_the_printer_passes_its_record() {
        let (_d, db, t, ana) = crate::till::tests::setup().await;
        crate::shifts::open(&db, &ana, 10_000).await.unwrap();
        assert_eq!(
            waiting(&db).await.unwrap(),
            0,
            "a shift opening prints nothing"
        );
        let mut sales = Vec::new();
        for _ in 0..2 {
            let mut cart = Cart::default();
            crate::till::add_code(&db, &t, &mut cart, "MILK", 1_000)
                .await
                .unwrap();
            cart.tenders = vec![Tender::Cash { amount_minor: 500 }];
            sales.push(
                crate::sales::complete(&db, &t, &ana, &cart, None)
                    .await
                    .unwrap(),
            );
        }
        crate::refunds::with_receipt(&db, &t, &ana, &sales[0].id, &[(1, 1_000)], "cash", "", None)
            .await
            .unwrap();
        assert_eq!(waiting(&db).await.unwrap(), 3);

        let first: i64 = sqlx::query_scalar("SELECT journal_seq FROM sales WHERE id = ?")
            .bind(&sales[0].id)
            .fetch_one(db.pool())
            .await
            .unwrap();
        set_setting(db.pool(), PRINTED_THROUGH, &first.to_string())
            .await
            .unwrap();
        assert_eq!(
            waiting(&db).await.unwrap(),
            2,
            "the second receipt and the slip"
        );
    }
}
