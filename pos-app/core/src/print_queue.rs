//! The print queue: receipts and refund slips still to print are the sale and refund
//! records past the printer's cursor in the journal.
//!
//! A sale or refund needs no print job row of its own: the record that makes it
//! complete also queues its document, so a completed sale never lacks its receipt and
//! queueing costs the sale's commit nothing. The document is rendered when printed
//! (`receipt::build`, `refund_slip::build`); its seal is deterministic, so it is the
//! same document `pos receipt` shows.

use pos_shared::journal::FactKind;

use crate::error::CoreResult;
use crate::store::{LocalDb, get_i64_setting};

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
