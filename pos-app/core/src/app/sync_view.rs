//! The sync indicator: whether the till reaches its server, how many facts wait, the
//! exceptions the server raised for this till, and a sync on demand.

use super::Till;
use super::views::{SyncExceptionView, SyncView};
use crate::catalog;
use crate::error::CoreResult;
use crate::store::LocalDb;
use crate::sync::exceptions::{self, ServerException};
use crate::sync::{self, Mode};

impl Till {
    /// What the sync indicator shows. The till counts as online when its last sync
    /// attempt succeeded (the background sync retries within seconds of a failure).
    pub async fn sync_view(&self) -> CoreResult<SyncView> {
        let st = sync::status(&self.db).await?;
        let online = match (st.last_sync_ms, st.last_error_ms) {
            (Some(ok), Some(err)) => ok >= err,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let mut exceptions = Vec::new();
        for e in exceptions::kept(&self.db).await? {
            exceptions.push(exception_view(&self.db, e).await?);
        }
        Ok(SyncView {
            mode: match st.mode {
                Mode::Standalone => "standalone",
                Mode::Enrolled => "enrolled",
                Mode::Enrolling => "enrolling",
            }
            .to_owned(),
            online: online && st.mode == Mode::Enrolled,
            queued: st.queued,
            last_sync_ms: st.last_sync_ms,
            last_error: if online { None } else { st.last_error },
            catching_up: None,
            exceptions,
        })
    }

    /// Syncs now (the cashier pressed the indicator); an unreachable server is reported
    /// in the view, not as an error, since selling goes on.
    pub async fn sync_now(&self) -> CoreResult<SyncView> {
        if sync::status(&self.db).await?.mode == Mode::Enrolled
            && let Err(e) = sync::sync_once(&self.db).await
        {
            tracing::warn!("sync on demand failed: {e}");
        }
        self.sync_view().await
    }
}

/// An exception with the product and quantity it is about. The server words them for
/// managers ("MILK sold at 99 but the shop's price is 129", "sold below zero stock
/// (thousandths): p-1 now -2000"); the product is looked up here to show its name.
async fn exception_view(db: &LocalDb, e: ServerException) -> CoreResult<SyncExceptionView> {
    let (product, qty_milli) = about(&e.kind, &e.detail);
    let product = match product {
        Some(key) => Some(product_name(db, &key).await?.unwrap_or(key)),
        None => None,
    };
    Ok(SyncExceptionView {
        at_ms: e.at_ms(),
        id: e.id,
        kind: e.kind,
        product,
        qty_milli,
        detail: e.detail,
    })
}

/// The product (SKU or id) and quantity an exception's detail names, by its kind.
fn about(kind: &str, detail: &str) -> (Option<String>, Option<i64>) {
    let first_word = || {
        detail
            .split([' ', ':'])
            .next()
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
    };
    match kind {
        "oversold" => {
            // "sold below zero stock (thousandths): ID now -2000, ID2 now -1000"
            let first = detail.split_once("): ").map_or("", |(_, rest)| rest);
            let first = first.split(", ").next().unwrap_or("");
            match first.split_once(" now ") {
                Some((id, qty)) => (Some(id.to_owned()), qty.trim().parse().ok()),
                None => (None, None),
            }
        }
        "price_variance" => (first_word(), None),
        "over_refund" => {
            // "SKU: 3000 thousandths refunded in all but 2000 were sold (refund R)"
            let qty = detail
                .split_once(": ")
                .and_then(|(_, rest)| rest.split(' ').next())
                .and_then(|n| n.parse().ok());
            (first_word(), qty)
        }
        _ => (None, None),
    }
}

/// The name of the product with this SKU or id, if this till has it.
async fn product_name(db: &LocalDb, key: &str) -> CoreResult<Option<String>> {
    if let Some(p) = catalog::by_sku(db, key).await? {
        return Ok(Some(p.name));
    }
    Ok(catalog::product_by_id(db, key).await.ok().map(|p| p.name))
}

#[cfg(test)]
mod tests {
    use super::about;

    #[test]
    fn the_product_and_quantity_are_read_from_the_servers_words() {
        assert_eq!(
            about(
                "oversold",
                "sold below zero stock (thousandths): p-milk now -2000, p-bread now -1000"
            ),
            (Some("p-milk".into()), Some(-2000))
        );
        assert_eq!(
            about(
                "price_variance",
                "MILK sold at 99 but the shop's price is 129 (EUR minor units)"
            ),
            (Some("MILK".into()), None)
        );
        assert_eq!(
            about(
                "over_refund",
                "MILK: 3000 thousandths refunded in all but 2000 were sold (refund r1)"
            ),
            (Some("MILK".into()), Some(3000))
        );
        assert_eq!(
            about("orphan_refund", "refund r1 of sale s1, which ..."),
            (None, None)
        );
    }
}
