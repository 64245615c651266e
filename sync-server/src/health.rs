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

/// 200 when healthy, 503 when a dependency is down (load balancers read the status).
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
    let status = if mongo_up && rabbit_up {
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
