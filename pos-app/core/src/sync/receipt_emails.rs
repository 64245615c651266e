//! Emailed receipts: a request is queued at the till (a `receipt_emails` row, so it
//! survives being offline and restarts) and handed to the server's
//! `POST /api/receipts/{sale_id}/email`, which sends it. The row's id travels as the
//! request id, so a request retried after a lost answer is sent once.

use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::remote::Remote;
use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, new_id};

/// One queued request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEmail {
    pub id: String,
    pub sale_id: String,
    pub email: String,
    pub requested_at_ms: i64,
    pub sent_at_ms: Option<i64>,
    pub failed: Option<String>,
}

#[derive(Serialize)]
struct EmailRequest<'a> {
    request_id: &'a str,
    email: &'a str,
}

/// What the server answers once it took a request.
#[derive(Deserialize)]
struct EmailAccepted {
    #[allow(dead_code)]
    status: String,
}

/// Queues `sale_id`'s receipt for `email`.
pub async fn queue(db: &LocalDb, sale_id: &str, email: &str) -> CoreResult<ReceiptEmail> {
    let row = ReceiptEmail {
        id: new_id(),
        sale_id: sale_id.to_owned(),
        email: email.trim().to_owned(),
        requested_at_ms: db.now_ms(),
        sent_at_ms: None,
        failed: None,
    };
    sqlx::query(
        "INSERT INTO receipt_emails (id, sale_id, email, requested_at_ms) VALUES (?, ?, ?, ?)",
    )
    .bind(&row.id)
    .bind(&row.sale_id)
    .bind(&row.email)
    .bind(row.requested_at_ms)
    .execute(db.pool())
    .await?;
    Ok(row)
}

/// Requests still waiting for the server, oldest first.
pub async fn waiting(db: &LocalDb) -> CoreResult<Vec<ReceiptEmail>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT id, sale_id, email, requested_at_ms FROM receipt_emails
         WHERE sent_at_ms IS NULL AND failed IS NULL ORDER BY requested_at_ms, id LIMIT 50",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, sale_id, email, requested_at_ms)| ReceiptEmail {
            id,
            sale_id,
            email,
            requested_at_ms,
            sent_at_ms: None,
            failed: None,
        })
        .collect())
}

/// Hands every waiting request to the server; returns how many it took. A sale the
/// server has not built yet (404) or a server that cannot be reached leaves the request
/// waiting for the next sync; a refused address is marked failed and not tried again.
pub async fn flush(db: &LocalDb, remote: &mut Remote) -> CoreResult<usize> {
    let mut sent = 0;
    for r in waiting(db).await? {
        let path = format!("/api/receipts/{}/email", r.sale_id);
        let body = EmailRequest {
            request_id: &r.id,
            email: &r.email,
        };
        let outcome = remote
            .call::<_, EmailAccepted>(Method::POST, &path, Some(&body))
            .await;
        sqlx::query("UPDATE receipt_emails SET attempts = attempts + 1 WHERE id = ?")
            .bind(&r.id)
            .execute(db.pool())
            .await?;
        match outcome {
            Ok(_) => {
                mark_sent(db, &r.id).await?;
                sent += 1;
            }
            Err(CoreError::Server { status, .. })
                if status == StatusCode::NOT_FOUND.as_u16() || status >= 500 =>
            {
                tracing::debug!(sale = %r.sale_id, status, "receipt email waits for the server");
            }
            Err(CoreError::Server { message, .. }) => {
                tracing::warn!(sale = %r.sale_id, %message, "receipt email refused");
                mark_failed(db, &r.id, &message).await?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(sent)
}

async fn mark_sent(db: &LocalDb, id: &str) -> CoreResult<()> {
    sqlx::query("UPDATE receipt_emails SET sent_at_ms = ? WHERE id = ?")
        .bind(db.now_ms())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

async fn mark_failed(db: &LocalDb, id: &str, why: &str) -> CoreResult<()> {
    sqlx::query("UPDATE receipt_emails SET failed = ? WHERE id = ?")
        .bind(why)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Sends what waits when the terminal is enrolled (the receipt screen and the shell call
/// this between syncs); a standalone till has nowhere to send.
pub async fn flush_now(db: &LocalDb) -> CoreResult<usize> {
    if waiting(db).await?.is_empty() {
        return Ok(0);
    }
    let mut remote = Remote::for_terminal(db).await?;
    flush(db, &mut remote).await
}
