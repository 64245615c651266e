//! `/api/sync/*`: config, state, push and stream pages (protocol v2,
//! docs/sync-protocol.md).

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    routing::{get, post, put},
};
use pos_shared::sync::{
    ChangesPage, MAX_PAGE, PushRequest, PushResponse, ReceiptKey, Stream, SyncState, TerminalConfig,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ingest, project, protocol::SyncProtocol};
use crate::{
    error::{ApiError, ApiResult},
    gateway::{extract::ApiJson, principal::Principal},
    services::{catalog, company, debt, inventory, shop},
    state::AppState,
    streams,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/config", get(config))
        .route("/sync/state", get(state_of))
        .route("/sync/push", post(push))
        .route("/sync/receipt-key", put(receipt_key))
        .route("/sync/streams/{stream}", get(stream_page))
        .route(
            pos_shared::sync::SOCKET_PATH.trim_start_matches("/api"),
            get(crate::realtime::socket::upgrade),
        )
        .route("/shops/{id}/presence", get(crate::realtime::presence::list))
}

/// The calling terminal: company, shop and terminal id from its device token.
pub(crate) fn terminal(p: &Principal) -> ApiResult<ingest::Source> {
    if !p.device {
        return Err(ApiError::forbidden(
            "sync endpoints are for enrolled terminals; use a device token (`pos enroll`)",
        ));
    }
    let company_id = p.company()?.to_string();
    let shop_id = p
        .shop_ids
        .first()
        .cloned()
        .ok_or_else(|| ApiError::forbidden("this device token names no shop"))?;
    Ok(ingest::Source {
        company_id,
        shop_id,
        terminal_id: p.id.clone(),
    })
}

/// What a newly enrolled terminal sets itself up with.
#[utoipa::path(get, path = "/api/sync/config", tag = "sync", security(("bearer" = [])), params(SyncProtocol),
    responses((status = 200, body = TerminalConfig), (status = 403, body = pos_shared::error::WireError)))]
pub async fn config(
    State(state): State<AppState>,
    p: Principal,
    _v: SyncProtocol,
) -> ApiResult<Json<TerminalConfig>> {
    let src = terminal(&p)?;
    let settings = company::settings(&state, &src.company_id).await?;
    let company_name = company::companies(&state)
        .find_one(mongodb::bson::doc! { "_id": &src.company_id })
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let shop = shop::visible_shop(&state, &p, &src.shop_id).await?;
    Ok(Json(TerminalConfig {
        terminal_id: src.terminal_id,
        company_id: src.company_id,
        company_name,
        shop_id: shop.id,
        shop_name: shop.name,
        currency: settings.currency,
        receipt_header: settings.receipt_header,
        receipt_footer: settings.receipt_footer,
        timezone: shop.timezone,
    }))
}

/// Registers the calling terminal's receipt seal key, so the shop's other tills can check
/// its receipts offline (they receive it on the `config` stream). Sending the same key
/// again changes nothing; a terminal's key never changes, so another key is refused.
#[utoipa::path(put, path = "/api/sync/receipt-key", tag = "sync", security(("bearer" = [])), request_body = ReceiptKey, params(SyncProtocol),
    responses((status = 200, body = ReceiptKey), (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn receipt_key(
    State(state): State<AppState>,
    p: Principal,
    _v: SyncProtocol,
    ApiJson(req): ApiJson<ReceiptKey>,
) -> ApiResult<Json<ReceiptKey>> {
    let src = terminal(&p)?;
    let public_key = shop::terminals::register_receipt_key(&state, &src, &req.public_key).await?;
    Ok(Json(ReceiptKey { public_key }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StateQuery {
    /// The terminal's journal epoch (default 1).
    #[serde(default = "first_epoch")]
    pub epoch: i64,
}

fn first_epoch() -> i64 {
    1
}

/// How far the server has the calling terminal's journal.
#[utoipa::path(get, path = "/api/sync/state", tag = "sync", security(("bearer" = [])), params(SyncProtocol, StateQuery),
    responses((status = 200, body = SyncState)))]
pub async fn state_of(
    State(state): State<AppState>,
    p: Principal,
    _v: SyncProtocol,
    Query(q): Query<StateQuery>,
) -> ApiResult<Json<SyncState>> {
    let src = terminal(&p)?;
    let (acked_through, _) = ingest::position(&state, None, &src, q.epoch).await?;
    let (projected_through, _) =
        project::projected(&state, None, &src.terminal_id, q.epoch).await?;
    Ok(Json(SyncState {
        terminal_id: src.terminal_id,
        epoch: q.epoch,
        acked_through,
        projected_through,
    }))
}

/// Stores a contiguous batch of the terminal's journal in one transaction and acks it
/// (or names the sequence it expects).
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", security(("bearer" = [])), request_body = PushRequest, params(SyncProtocol),
    responses((status = 200, body = PushResponse), (status = 422, body = pos_shared::error::WireError)))]
pub async fn push(
    State(state): State<AppState>,
    p: Principal,
    _v: SyncProtocol,
    ApiJson(req): ApiJson<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    let src = terminal(&p)?;
    Ok(Json(ingest::submit(&state, src, req).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// The cursor of the last change the terminal has (0: from the start).
    #[serde(default)]
    #[param(minimum = 0)]
    pub after: i64,
    /// At most 5000 are sent (more is read as 5000); default 1000.
    #[param(format = Int64, minimum = 0, maximum = 4_294_967_295_u64)]
    pub limit: Option<u32>,
    /// The terminal's journal epoch: stock pages then say how much of its journal their
    /// balances include (`included_through`).
    pub epoch: Option<i64>,
}

/// Changes of a stream after a cursor, oldest first.
#[utoipa::path(get, path = "/api/sync/streams/{stream}", tag = "sync", security(("bearer" = [])), params(SyncProtocol, PageQuery),
    responses((status = 200, body = ChangesPage), (status = 404, body = pos_shared::error::WireError)))]
pub async fn stream_page(
    State(state): State<AppState>,
    p: Principal,
    _v: SyncProtocol,
    Path(stream): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<ChangesPage>> {
    let src = terminal(&p)?;
    let kind: Stream = stream.parse().map_err(|e: String| {
        ApiError::NotFound(pos_shared::error::WireError::new("not_found", e))
    })?;
    if q.after < 0 {
        return Err(ApiError::invalid("after", "must be 0 or more"));
    }
    let limit = i64::from(q.limit.unwrap_or(1000).clamp(1, MAX_PAGE));
    Ok(Json(
        read_page(&state, &src, q.epoch, kind, q.after, limit, None).await?,
    ))
}

/// The database and stream key of `stream` for a terminal.
pub(crate) fn stream_of(
    state: &AppState,
    src: &ingest::Source,
    stream: Stream,
) -> (mongodb::Database, String) {
    match stream {
        Stream::Catalog => (catalog::db(state), streams::catalog_key(&src.company_id)),
        Stream::Stock => (inventory::db(state), streams::stock_key(&src.shop_id)),
        Stream::Config => (shop::db(state), streams::config_key(&src.shop_id)),
        Stream::Staff => (shop::db(state), streams::staff_key(&src.shop_id)),
        Stream::Customers => (debt::db(state), streams::customers_key(&src.company_id)),
        Stream::Prices => (catalog::db(state), streams::prices_key(&src.shop_id)),
        Stream::Promotions => (catalog::db(state), streams::promotions_key(&src.company_id)),
    }
}

/// A page of `stream` after `after` for one terminal (REST and socket alike). On stock
/// and customers pages, when the terminal's `epoch` is known, `included_through` is its
/// projected position in the same snapshot as the page (see [`page_with_position`]).
///
/// `woken_at` (live sockets): the change log may be read by a read other sockets started,
/// if it started after this instant. Pages with a position are the terminal's own.
pub(crate) async fn read_page(
    state: &AppState,
    src: &ingest::Source,
    epoch: Option<i64>,
    stream: Stream,
    after: i64,
    limit: i64,
    woken_at: Option<std::time::Instant>,
) -> mongodb::error::Result<ChangesPage> {
    let (db, key) = stream_of(state, src, stream);
    if let (Stream::Stock | Stream::Customers, Some(epoch)) = (stream, epoch) {
        let (changes, head, next_after, included) =
            page_with_position(state, src, epoch, &db, &key, after, limit).await?;
        return Ok(ChangesPage {
            stream,
            after,
            changes,
            next_after,
            head,
            included_through: Some(included),
        });
    }
    let (changes, head, next_after) = match woken_at {
        None => streams::page(&db, &key, after, limit).await?,
        Some(woken_at) => {
            let rows = state
                .hub
                .flights()
                .page(&db, &key, after, limit, woken_at)
                .await?;
            (rows.0.clone(), rows.1, rows.2)
        }
    };
    Ok(ChangesPage {
        stream,
        after,
        changes,
        next_after,
        head,
        included_through: None,
    })
}

/// A stock or customers page and how much of the terminal's journal its balances include,
/// read from one snapshot. Read one after the other, a projection committing in between
/// would make the till count its sale twice (balance moved, position not yet) or not at
/// all (the other way round) until its next page.
async fn page_with_position(
    state: &AppState,
    src: &ingest::Source,
    epoch: i64,
    db: &mongodb::Database,
    key: &str,
    after: i64,
    limit: i64,
) -> mongodb::error::Result<(Vec<pos_shared::sync::Change>, i64, i64, i64)> {
    let mut session = state.mongo.client().start_session().await?;
    session
        .start_transaction()
        .read_concern(mongodb::options::ReadConcern::snapshot())
        .await?;
    let (included, _) =
        project::projected(state, Some(&mut session), &src.terminal_id, epoch).await?;
    let (changes, head, next_after) =
        streams::page_in(db, Some(&mut session), key, after, limit).await?;
    // Read-only: nothing to commit, and ending it frees the snapshot at once.
    session.abort_transaction().await?;
    Ok((changes, head, next_after, included))
}
