//! Customer accounts for journals projected before the projector built them (a server
//! upgraded from sync protocol v3 kept new customers, account tenders and debt payments
//! in the journal only). Once per database, before the first request, every projected
//! journal batch's account facts are applied to debtdb. Without this, a till would count
//! its old entries as included in a server balance that lacks them, and its customers'
//! debts would vanish.
//!
//! Safe to repeat: customers are stored only if missing and entries only if their id
//! (derived from the fact) is not there yet, so batches the projector already built
//! change nothing and a run cut short simply runs again.

use futures::TryStreamExt;
use mongodb::bson::{DateTime, Document, doc};
use pos_shared::{
    facts::{CustomerCreated, DebtPayment, Refund, Sale},
    journal::{FactKind, JournalRecord},
};

use super::batches::Batch;
use crate::{
    services::{debt::accounts, sales},
    state::AppState,
};

/// The marker of a finished backfill in debtdb.
const DONE: &str = "accounts_from_journal";

/// Applies the account facts of every projected batch, once.
pub async fn run(state: &AppState) -> anyhow::Result<()> {
    let marks = crate::store::platform::<Document>(&state.mongo, &crate::store::DEBT_BACKFILLS);
    if marks.find_one(doc! { "_id": DONE }).await?.is_some() {
        return Ok(());
    }
    let mut cursor = sales::journal(state, crate::store::System::Backfill)
        .find(doc! { "projected": true })
        .await?;
    let mut batches = 0_u64;
    while let Some(stored) = cursor.try_next().await? {
        let batch = Batch::from_doc(&stored)?;
        let (created, entries) = account_facts(&batch.records);
        if created.is_empty() && entries.is_empty() {
            continue;
        }
        let ctx = (state.clone(), batch.src.clone(), created, entries);
        state
            .mongo
            .transact(ctx, |s, (state, src, created, entries)| {
                Box::pin(async move {
                    let origin = accounts::Origin {
                        company_id: &src.company_id,
                        shop_id: &src.shop_id,
                        terminal_id: &src.terminal_id,
                    };
                    accounts::apply(state, s, origin, created, entries, DateTime::now()).await?;
                    Ok(())
                })
            })
            .await
            .map_err(|e| anyhow::anyhow!("customer accounts from journal batch: {e:?}"))?;
        batches += 1;
    }
    marks
        .insert_one(doc! { "_id": DONE, "batches": i64::try_from(batches)?, "at": DateTime::now() })
        .await?;
    if batches > 0 {
        tracing::info!(
            batches,
            "customer accounts built from earlier journal batches"
        );
    }
    Ok(())
}

/// New customers and account entries stated by `records` (unreadable ones are skipped:
/// the projector quarantined them).
fn account_facts(records: &[JournalRecord]) -> (Vec<CustomerCreated>, Vec<accounts::Entry>) {
    let (mut created, mut entries) = (Vec::new(), Vec::new());
    for rec in records {
        let payload = rec.payload.as_str();
        match FactKind::parse(&rec.kind) {
            Some(FactKind::CustomerCreated) => {
                created.extend(serde_json::from_str::<CustomerCreated>(payload).ok());
            }
            Some(FactKind::DebtPayment) => entries.extend(
                serde_json::from_str::<DebtPayment>(payload)
                    .ok()
                    .map(|p| accounts::Entry::of_payment(&rec.id, &p)),
            ),
            Some(FactKind::SaleCompleted) => {
                if let Ok(sale) = serde_json::from_str::<Sale>(payload) {
                    entries.extend(accounts::Entry::of_sale(&rec.id, &sale));
                }
            }
            Some(FactKind::RefundIssued) => entries.extend(
                serde_json::from_str::<Refund>(payload)
                    .ok()
                    .and_then(|r| accounts::Entry::of_refund(&rec.id, &r)),
            ),
            _ => {}
        }
    }
    (created, entries)
}
