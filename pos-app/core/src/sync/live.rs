//! The live socket: while connected, changes arrive as the server commits them (a price
//! changed in the portal reaches the till in well under a second) and new journal
//! records go up as soon as they are written. REST sync stays the fallback and the
//! catch-up path; nothing here is on the sale path.

use std::future::Future;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use pos_shared::sync::{
    ClientMessage, Cursors, PROTOCOL_VERSION, PushResponse, SOCKET_PATH, ServerMessage, Stream,
};
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};

use super::pull::{PageOutcome, apply_page, cursor};
use super::push::{BATCH_RECORDS, last_seq, mark_acked, read_batch, request, unacked_count};
use super::remote::Remote;
use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, get_i64_setting};

/// How often the socket looks for new journal records to push.
const PUSH_EVERY: Duration = Duration::from_millis(200);
const HEARTBEAT_EVERY: Duration = Duration::from_secs(15);

/// What a live session did before it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveSummary {
    pub pages: u64,
    pub pushed: i64,
}

fn socket_url(base: &str) -> String {
    let ws = base
        .strip_prefix("https://")
        .map(|rest| format!("wss://{rest}"))
        .or_else(|| {
            base.strip_prefix("http://")
                .map(|rest| format!("ws://{rest}"))
        })
        .unwrap_or_else(|| base.to_owned());
    format!("{ws}{SOCKET_PATH}")
}

async fn cursors(db: &LocalDb) -> CoreResult<Cursors> {
    let mut c = Cursors::default();
    for stream in Stream::ALL {
        c.set(stream, cursor(db, stream).await?);
    }
    Ok(c)
}

async fn acked_through(db: &LocalDb) -> CoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM journal WHERE acked = 1")
            .fetch_one(db.pool())
            .await?,
    )
}

/// Holds the live socket until `shutdown` completes or the connection ends (an error
/// then says why; the daemon reconnects with backoff).
pub async fn session(db: &LocalDb, shutdown: impl Future<Output = ()>) -> CoreResult<LiveSummary> {
    let mut remote = Remote::for_terminal(db).await?;
    let token = remote.token().await?;
    let url = socket_url(remote.base());
    let mut req = url
        .as_str()
        .into_client_request()
        .map_err(|e| CoreError::invalid(format!("bad server address {url}: {e}")))?;
    let auth = format!("Bearer {token}")
        .parse()
        .map_err(|_| CoreError::Protocol("device token is not a valid header".into()))?;
    req.headers_mut().insert("authorization", auth);
    // The same TLS configuration as REST: the pinned CA only, or the system's trust store.
    let connector = tokio_tungstenite::Connector::Rustls(remote.tls_config());
    let (mut ws, _) =
        tokio_tungstenite::connect_async_tls_with_config(req, None, false, Some(connector))
            .await
            .map_err(|e| match e {
                tungstenite::Error::Http(resp) if resp.status() == 401 => {
                    CoreError::TerminalRevoked
                }
                other => CoreError::Unreachable {
                    url: url.clone(),
                    detail: remote
                        .certificate_refusal(&other)
                        .unwrap_or_else(|| other.to_string()),
                },
            })?;
    let epoch = get_i64_setting(db.pool(), "epoch", 1).await?;
    let hello = ClientMessage::Hello {
        v: PROTOCOL_VERSION,
        epoch,
        cursors: cursors(db).await?,
        queued: unacked_count(db).await?,
    };
    send(&mut ws, &hello).await?;

    let mut summary = LiveSummary::default();
    let mut in_flight: Option<u64> = None;
    let mut next_id: u64 = 1;
    let mut push_tick = tokio::time::interval(PUSH_EVERY);
    // Tills that connected together (a shop after an outage, a restarted server) must not
    // beat together: each heartbeat is a revocation check and a presence write on the
    // server, and fifty at once queue in front of a live price change. The hello already
    // told the server the queue length, so the first beat can wait a random part of the
    // period.
    let first = rand::Rng::random_range(&mut rand::rng(), Duration::ZERO..HEARTBEAT_EVERY);
    let mut heartbeat =
        tokio::time::interval_at(tokio::time::Instant::now() + first, HEARTBEAT_EVERY);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            msg = ws.next() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(_))) | None => {
                        return Err(CoreError::Unreachable { url, detail: "the server closed the live connection".into() });
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return Err(CoreError::Unreachable { url, detail: e.to_string() }),
                };
                let msg: ServerMessage = serde_json::from_str(&text)
                    .map_err(|e| CoreError::Protocol(format!("unreadable socket message: {e}")))?;
                match msg {
                    ServerMessage::Welcome { v, .. } if v != PROTOCOL_VERSION => {
                        return Err(CoreError::Protocol(format!("the server speaks protocol {v}")));
                    }
                    ServerMessage::Welcome { .. } => {}
                    ServerMessage::Changes { page } => {
                        // The server says how much of this journal the balances up to the
                        // head include; that holds once the head is applied.
                        let include = if page.next_after >= page.head { page.included_through } else { None };
                        match apply_page(db, &page, include).await? {
                            PageOutcome::Applied { .. } => summary.pages += 1,
                            // A REST pull moved the cursor meanwhile: reconnect to resync.
                            PageOutcome::Moved(_) => {
                                return Err(CoreError::Unreachable { url, detail: "cursor moved; resyncing".into() });
                            }
                        }
                    }
                    ServerMessage::PushResult { id, response } => {
                        if in_flight == Some(id) {
                            in_flight = None;
                        }
                        let acked = match response {
                            PushResponse::Ack { acked_through, .. } => acked_through,
                            PushResponse::Gap { acked_through, .. } => acked_through,
                        };
                        if acked > last_seq(db).await? {
                            return Err(CoreError::Diverged { local: last_seq(db).await?, server: acked });
                        }
                        summary.pushed += mark_acked(db, acked).await?;
                    }
                    ServerMessage::Error { code, message } => {
                        return Err(if code == "terminal_revoked" {
                            CoreError::TerminalRevoked
                        } else {
                            CoreError::Server { status: 0, code, message }
                        });
                    }
                }
            }
            _ = push_tick.tick(), if in_flight.is_none() => {
                let from = acked_through(db).await? + 1;
                let last = last_seq(db).await?;
                if from <= last {
                    let batch = read_batch(db, from, last, BATCH_RECORDS).await?;
                    let id = next_id;
                    next_id += 1;
                    send(&mut ws, &ClientMessage::Push { id, request: request(db, batch).await? }).await?;
                    in_flight = Some(id);
                }
            }
            _ = heartbeat.tick() => {
                send(&mut ws, &ClientMessage::Heartbeat { queued: unacked_count(db).await? }).await?;
            }
            () = &mut shutdown => {
                let _ = ws.close(None).await;
                return Ok(summary);
            }
        }
    }
}

async fn send<S>(ws: &mut S, msg: &ClientMessage) -> CoreResult<()>
where
    S: futures::Sink<Message, Error = tungstenite::Error> + Unpin,
{
    let text = serde_json::to_string(msg).map_err(|e| CoreError::Protocol(e.to_string()))?;
    ws.send(Message::Text(text.into()))
        .await
        .map_err(|e| CoreError::Unreachable {
            url: "live socket".into(),
            detail: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::socket_url;

    #[test]
    fn socket_urls_follow_the_server_scheme() {
        assert_eq!(
            socket_url("http://127.0.0.1:8000"),
            "ws://127.0.0.1:8000/api/sync/ws"
        );
        assert_eq!(
            socket_url("https://kassa.example.com"),
            "wss://kassa.example.com/api/sync/ws"
        );
    }
}
