//! One terminal's live socket: hello/welcome, catch-up from its cursors, changes pushed as
//! its streams move, journal batches pushed up, heartbeats, and revocation checked on
//! every message the terminal sends.

use std::time::{Duration, Instant};

use axum::{
    extract::{
        State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    response::Response,
};
use pos_shared::sync::{
    ClientMessage, Cursors, OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION, ServerMessage, Stream,
};
use tokio::sync::broadcast::error::RecvError;

use super::{hub::EVERY_STREAM, presence};
use crate::{
    error::{ApiError, ApiResult},
    gateway::principal::Principal,
    services::{
        auth::devices,
        sync::{ingest, protocol, routes, routes::terminal},
    },
    state::AppState,
    streams,
};

/// A silent terminal is dropped after this; it reconnects when it can.
const SILENCE: Duration = Duration::from_secs(45);
const PING_EVERY: Duration = Duration::from_secs(15);
/// Every this many pings a socket re-reads all of its streams (see the ping arm below).
const CATCH_UP_EVERY: u32 = 4;
const PAGE: i64 = 1000;

/// Upgrades to the live socket (device tokens only).
pub async fn upgrade(
    State(state): State<AppState>,
    p: Principal,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let src = terminal(&p)?;
    Ok(ws.on_upgrade(move |socket| async move {
        let mut session = Session {
            state,
            src,
            socket,
            cursors: Cursors::default(),
            epoch: 1,
            included: std::collections::HashMap::new(),
            streams: &[],
        };
        if let Err(e) = session.run().await {
            tracing::debug!(error = %e, terminal = %session.src.terminal_id, "socket ended");
        }
        presence::gone(&session.state, &session.src).await;
    }))
}

struct Session {
    state: AppState,
    src: ingest::Source,
    socket: WebSocket,
    /// What this socket has been sent so far, per stream.
    cursors: Cursors,
    /// The terminal's journal epoch, from its hello.
    epoch: i64,
    /// The last `included_through` sent per stream (stock and customers pages carry one).
    included: std::collections::HashMap<Stream, i64>,
    /// The streams the terminal's protocol version knows (from its hello).
    streams: &'static [Stream],
}

impl Session {
    async fn send(&mut self, msg: &ServerMessage) -> anyhow::Result<()> {
        let text = serde_json::to_string(msg)?;
        self.socket.send(Message::Text(text.into())).await?;
        Ok(())
    }

    async fn refuse(&mut self, code: &str, message: &str) -> anyhow::Result<()> {
        self.send(&ServerMessage::Error {
            code: code.into(),
            message: message.into(),
        })
        .await?;
        let _ = self.socket.send(Message::Close(None)).await;
        Ok(())
    }

    fn stream_of(&self, stream: Stream) -> (mongodb::Database, String) {
        routes::stream_of(&self.state, &self.src, stream)
    }

    /// Sends every change after this socket's cursor on `stream`, page by page, from reads
    /// started after `woken_at` (see [`super::flights`]).
    async fn send_changes(&mut self, stream: Stream, woken_at: Instant) -> anyhow::Result<()> {
        loop {
            let after = self.cursors.get(stream);
            let page = routes::read_page(
                &self.state,
                &self.src,
                Some(self.epoch),
                stream,
                after,
                PAGE,
                Some(woken_at),
            )
            .await?;
            // A page with no new changes still goes out when it includes more of this
            // terminal's journal than the last one said: a projection that moved no
            // balance (a shift opened) still moves the position, which the till shows.
            let included_moved = page
                .included_through
                .is_some_and(|through| self.included.get(&stream) != Some(&through));
            if page.next_after <= after && !included_moved {
                return Ok(());
            }
            self.cursors.set(stream, page.next_after);
            if let Some(through) = page.included_through {
                self.included.insert(stream, through);
            }
            let done = page.next_after >= page.head;
            self.send(&ServerMessage::Changes { page }).await?;
            if done {
                return Ok(());
            }
        }
    }

    async fn hello(&mut self) -> anyhow::Result<bool> {
        let first = tokio::time::timeout(Duration::from_secs(10), self.socket.recv()).await;
        let Ok(Some(Ok(Message::Text(text)))) = first else {
            return Ok(false);
        };
        let Ok(ClientMessage::Hello {
            v,
            epoch,
            cursors,
            queued,
        }) = serde_json::from_str::<ClientMessage>(&text)
        else {
            self.refuse("hello_expected", "the first message must be a hello")
                .await?;
            return Ok(false);
        };
        if !protocol::speaks(v) {
            let msg = format!(
                "this server speaks sync protocol {OLDEST_PROTOCOL_VERSION} to {PROTOCOL_VERSION}; the terminal speaks {v}: update the terminal"
            );
            self.refuse("unsupported_protocol", &msg).await?;
            return Ok(false);
        }
        let (acked_through, _) = ingest::position(&self.state, None, &self.src, epoch).await?;
        self.streams = Stream::known_to(v);
        let mut heads = Cursors::default();
        for &stream in self.streams {
            let (db, key) = self.stream_of(stream);
            heads.set(stream, streams::head(&db, &key).await?);
        }
        self.cursors = cursors;
        self.epoch = epoch;
        self.send(&ServerMessage::Welcome {
            v,
            acked_through,
            heads,
        })
        .await?;
        presence::seen(&self.state, &self.src, queued, true).await;
        Ok(true)
    }

    async fn run(&mut self) -> anyhow::Result<()> {
        if !self.hello().await? {
            return Ok(());
        }
        let mut pokes = self.state.hub.subscribe();
        // The catch-up may share reads started after this socket subscribed: a change
        // committed after such a read started is poked to this socket, which is listening.
        // Fifty tills reconnecting at once (a server restart) then cost one read per
        // stream and cursor, not fifty, and a price change right after is not queued
        // behind them.
        let subscribed = Instant::now();
        for &stream in self.streams {
            self.send_changes(stream, subscribed).await?;
        }
        // Sockets that connected together (a shop's tills after an outage) must not ping
        // together: each ping re-reads every stream, and fifty of those at once queue in
        // front of a live change. The first ping comes at a random point of the period.
        let first = rand::Rng::random_range(&mut rand::rng(), Duration::ZERO..PING_EVERY);
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + first, PING_EVERY);
        let mut pings = 0_u32;
        let mut heard = Instant::now();
        let closing = self.state.hub.closing().clone();
        loop {
            tokio::select! {
                msg = self.socket.recv() => {
                    let Some(Ok(msg)) = msg else { return Ok(()) };
                    heard = Instant::now();
                    match msg {
                        Message::Text(text) => {
                            if !devices::is_active(&self.state, &self.src.terminal_id).await? {
                                self.refuse("terminal_revoked", "this terminal has been revoked; ask a manager to enroll it again").await?;
                                return Ok(());
                            }
                            self.on_message(&text).await?;
                        }
                        Message::Close(_) => return Ok(()),
                        _ => {}
                    }
                }
                poke = pokes.recv() => match poke {
                    Ok(poke) => {
                        let key = &*poke.stream;
                        for &stream in self.streams {
                            if key == EVERY_STREAM || *key == *self.stream_of(stream).1 {
                                self.send_changes(stream, poke.at).await?;
                            }
                        }
                    }
                    // Missed pokes: catch up on everything.
                    Err(RecvError::Lagged(_)) => {
                        let now = Instant::now();
                        for &stream in self.streams {
                            self.send_changes(stream, now).await?;
                        }
                    }
                    Err(RecvError::Closed) => return Ok(()),
                },
                _ = ping.tick() => {
                    if heard.elapsed() > SILENCE {
                        return Ok(());
                    }
                    // A revoked till that only answers pings must not keep receiving
                    // changes (staff PIN hashes among them).
                    if !devices::is_active(&self.state, &self.src.terminal_id).await? {
                        self.refuse("terminal_revoked", "this terminal has been revoked; ask a manager to enroll it again").await?;
                        return Ok(());
                    }
                    self.socket.send(Message::Ping(Vec::new().into())).await?;
                    // A poke can be lost (an event bus outage between the commit and the
                    // wake-up); a change then reaches the till within a minute anyway.
                    // Not on every ping: each catch-up reads every stream, and fifty
                    // tills doing that every 15 s queue in front of live changes.
                    pings = pings.wrapping_add(1);
                    if pings.is_multiple_of(CATCH_UP_EVERY) {
                        let now = Instant::now();
                        for &stream in self.streams {
                            self.send_changes(stream, now).await?;
                        }
                    }
                }
                () = closing.cancelled() => {
                    let _ = self.socket.send(Message::Close(None)).await;
                    return Ok(());
                }
            }
        }
    }

    async fn on_message(&mut self, text: &str) -> anyhow::Result<()> {
        match serde_json::from_str::<ClientMessage>(text) {
            Ok(ClientMessage::Push { id, request }) => {
                match ingest::submit(&self.state, self.src.clone(), request).await {
                    Ok(response) => self.send(&ServerMessage::PushResult { id, response }).await,
                    Err(e) => self.error(&e).await,
                }
            }
            Ok(ClientMessage::Heartbeat { queued }) => {
                presence::seen(&self.state, &self.src, queued, false).await;
                Ok(())
            }
            Ok(ClientMessage::Hello { .. }) => Ok(()),
            Err(e) => {
                self.send(&ServerMessage::Error {
                    code: "malformed_message".into(),
                    message: format!("not a sync message: {e}"),
                })
                .await
            }
        }
    }

    async fn error(&mut self, e: &ApiError) -> anyhow::Result<()> {
        let (code, message) = match e {
            ApiError::Internal(_) => (
                "internal".to_string(),
                "the server failed; retry".to_string(),
            ),
            other => {
                let w = other.body();
                (w.code, w.message)
            }
        };
        self.send(&ServerMessage::Error { code, message }).await
    }
}
