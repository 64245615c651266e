//! Emailing a receipt: the request is queued at the till (it survives being offline) and
//! the server sends it once the till reaches it; see `sync::receipt_emails`.

use super::Till;
use super::views::ReceiptEmailView;
use crate::error::{CoreError, CoreResult};
use crate::sales;
use crate::sync::{self, Mode, receipt_emails};

impl Till {
    /// Queues `sale`'s receipt for `email` and tries to hand it to the server at once; an
    /// offline till keeps it queued for the next sync.
    pub async fn email_receipt(&self, sale: &str, email: &str) -> CoreResult<ReceiptEmailView> {
        self.who().await?;
        let email = checked_address(email)?;
        if sync::status(&self.db).await?.mode != Mode::Enrolled {
            return Err(CoreError::invalid(
                "emailed receipts are sent by the shop's server, and this till runs on its own; print the receipt instead",
            ));
        }
        let sale_id = sales::find_id(&self.db, sale).await?;
        let queued = receipt_emails::queue(&self.db, &sale_id, email).await?;
        let status = match receipt_emails::flush_now(&self.db).await {
            Ok(_) => self.email_status(&queued.id).await?,
            Err(e) => {
                tracing::info!("receipt email queued for the next sync: {e}");
                "queued".to_owned()
            }
        };
        Ok(ReceiptEmailView {
            id: queued.id,
            sale_id,
            email: queued.email,
            status,
        })
    }

    /// Hands queued receipt emails to the server (the shell calls this between syncs).
    pub async fn flush_receipt_emails(&self) -> CoreResult<usize> {
        receipt_emails::flush_now(&self.db).await
    }

    async fn email_status(&self, id: &str) -> CoreResult<String> {
        let (sent, failed): (Option<i64>, Option<String>) =
            sqlx::query_as("SELECT sent_at_ms, failed FROM receipt_emails WHERE id = ?")
                .bind(id)
                .fetch_one(self.db.pool())
                .await?;
        Ok(match (sent, failed) {
            (Some(_), _) => "sent",
            (None, Some(_)) => "failed",
            (None, None) => "queued",
        }
        .to_owned())
    }
}

/// The address trimmed, refused when it cannot be one (the server checks it again).
fn checked_address(email: &str) -> CoreResult<&str> {
    let e = email.trim();
    let ok = e.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !e.contains(char::is_whitespace)
        && e.matches('@').count() == 1
        && e.len() <= 254;
    if !ok {
        return Err(CoreError::invalid(format!(
            "`{e}` is not an email address; type it like name@example.com"
        )));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::checked_address;

    #[test]
    fn addresses_are_checked_before_they_are_queued() {
        assert_eq!(
            checked_address(" ana@example.com ").unwrap(),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@example",
            "a b@example.com",
            "a@b@c.de",
            "ana@.com",
        ] {
            assert!(checked_address(bad).is_err(), "{bad}");
        }
    }
}
