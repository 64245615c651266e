//! `GET /api/health` (are MongoDB and RabbitMQ reachable) and Prometheus `GET /metrics`.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::Serialize;

use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when every dependency answers, else `degraded`.
    pub status: &'static str,
    pub mongodb: &'static str,
    pub rabbitmq: &'static str,
    pub version: &'static str,
    pub services: Vec<String>,
}

/// 200 while MongoDB answers (`degraded` in the body when RabbitMQ does not), 503 when it
/// does not: load balancers read the status.
#[utoipa::path(get, path = "/api/health", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let mongo_up = state.mongo.ping().await;
    let rabbit_up = state.bus.is_connected();
    let body = Health {
        status: if mongo_up && rabbit_up {
            "ok"
        } else {
            "degraded"
        },
        mongodb: if mongo_up { "up" } else { "down" },
        rabbitmq: if rabbit_up { "up" } else { "down" },
        version: env!("CARGO_PKG_VERSION"),
        services: state.config.services.clone(),
    };
    // Only MongoDB down makes the server useless. Without RabbitMQ it still takes pushes
    // and orders (events wait in the outboxes), and every instance shares the broker: a 503
    // then would take the whole fleet out of a load balancer and stop every till syncing.
    let status = if mongo_up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(),
    )
}
