//! `/api/analytics/live`: a WebSocket for open dashboards. Browsers cannot set headers
//! on a socket, so the access token comes as `?access_token=` (the path's query is kept
//! out of request logs, which record the path only). Each counted sale or refund of the
//! caller's company (and shops, for a shop manager) arrives as one JSON text message.

use axum::{
    extract::{
        Query, State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    response::Response,
};
use pos_shared::role::Role;
use serde::Deserialize;

use crate::{
    error::{ApiError, ApiResult},
    gateway::tenancy::TenantScope,
    state::AppState,
};

#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    pub access_token: String,
    pub shop_id: Option<String>,
}

pub async fn live(
    State(state): State<AppState>,
    Query(q): Query<LiveQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let claims = state.tokens.verify(q.access_token.trim())?;
    if claims.dev || !claims.role.at_least(Role::ShopManager) {
        return Err(ApiError::forbidden("the live dashboard is for managers"));
    }
    let scope = match claims.role {
        Role::CompanyAdmin => TenantScope {
            company: claims.cid.clone(),
            shops: None,
        },
        _ => TenantScope {
            company: claims.cid.clone(),
            shops: Some(claims.sids.clone()),
        },
    };
    let company = scope
        .company
        .clone()
        .ok_or_else(|| ApiError::forbidden("the live dashboard needs a company account"))?;
    let closing = state.hub.closing().clone();
    Ok(ws.on_upgrade(move |socket| feed(socket, company, scope, q.shop_id, closing)))
}

async fn feed(
    mut socket: WebSocket,
    company: String,
    scope: TenantScope,
    shop: Option<String>,
    closing: tokio_util::sync::CancellationToken,
) {
    let mut events = super::live::subscribe();
    loop {
        tokio::select! {
            e = events.recv() => match e {
                Ok(e) if e.company_id == company && scope.allows_shop(&e.shop_id)
                    && shop.as_ref().is_none_or(|s| *s == e.shop_id) => {
                    let text = serde_json::to_string(&e).unwrap_or_default();
                    if socket.send(Message::Text(text.into())).await.is_err() { return; }
                }
                Ok(_) => {}
                // A dashboard too slow to read its feed refetches; tell it so.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let _ = socket.send(Message::Text(r#"{"type":"resync"}"#.into())).await;
                }
                Err(_) => return,
            },
            msg = socket.recv() => if !matches!(msg, Some(Ok(_))) { return; },
            () = closing.cancelled() => return,
        }
    }
}
