//! The gateway: every route under `/api`, and the layers all requests pass through (request
//! ids, tracing, CORS, body limit, per-IP rate limit, panic and error shaping).

pub mod extract;
pub mod fallback;
pub mod paging;
pub mod principal;
pub mod rate_limit;
pub mod tenancy;

use std::{net::SocketAddr, sync::Arc, time::Instant};

use axum::{
    Router,
    extract::{DefaultBodyLimit, MatchedPath, Request},
    http::{Extensions, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Version},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use tower::ServiceBuilder;
use tower_governor::{
    GovernorLayer, governor::GovernorConfigBuilder, key_extractor::PeerIpKeyExtractor,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::{CompressionLayer, CompressionLevel, DefaultPredicate, Predicate},
    cors::{AllowOrigin, CorsLayer},
    decompression::RequestDecompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{error::ApiError, services, state::AppState};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let cfg = state.config.clone();
    let api = Router::new()
        .route("/health", get(crate::health::health))
        .route("/openapi.json", get(crate::openapi::openapi_json))
        .route("/docs", get(crate::openapi::docs_page))
        .merge(services::routes(&cfg))
        .fallback(fallback::not_found);

    let governor = GovernorConfigBuilder::default()
        .period(rate_limit::per_ip_interval(cfg.limits.per_ip_per_second))
        .burst_size(cfg.limits.per_ip_burst)
        .key_extractor(PeerIpKeyExtractor)
        .finish()
        .map(Arc::new);

    let mut app = Router::new()
        .nest("/api", api)
        .route("/metrics", get(crate::health::metrics))
        .fallback(crate::portal::serve)
        .layer(DefaultBodyLimit::max(cfg.limits.body_bytes));
    if let Some(governor) = governor {
        app = app.layer(GovernorLayer::new(governor).error_handler(|e| {
            let retry = match e {
                tower_governor::GovernorError::TooManyRequests { wait_time, .. } => {
                    wait_time.max(1)
                }
                _ => 1,
            };
            ApiError::TooManyRequests {
                retry_after_secs: retry,
            }
            .into_response()
        }));
    }
    app.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
            }))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(compression())
            .layer(cors(&cfg.cors_origins))
            .layer(middleware::from_fn(fallback::json_errors))
            .layer(CatchPanicLayer::custom(fallback::panic_response))
            .layer(middleware::from_fn(count_requests))
            // Innermost, so the router's extractors and `DefaultBodyLimit` see the inflated
            // body: a small gzip bomb is refused like any oversized body.
            .layer(RequestDecompressionLayer::new()),
    )
    .with_state(state)
}

/// gzip for clients that ask for it: catalog pages and push answers are repetitive JSON
/// that shrinks several times over, and terminals often sit on slow shop uplinks. The
/// fastest level keeps the CPU cost far below the bytes saved. A WebSocket upgrade
/// (101) carries no body and must keep its headers as they are.
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .quality(CompressionLevel::Fastest)
        .compress_when(DefaultPredicate::new().and(
            |status: StatusCode, _: Version, _: &HeaderMap, _: &Extensions| {
                status != StatusCode::SWITCHING_PROTOCOLS
            },
        ))
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            axum::http::header::AUTHORIZATION,
            axum::http::header::CONTENT_TYPE,
            REQUEST_ID,
            HeaderName::from_static(services::auth::browser::CLIENT_HEADER),
        ])
}

/// Prometheus request counters and latency by route template (low cardinality).
async fn count_requests(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let start = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("kassa_http_requests_total", "route" => route.clone(), "method" => method, "status" => status).increment(1);
    metrics::histogram!("kassa_http_request_seconds", "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

/// How `axum::serve` must be called so the per-IP limiter sees peer addresses.
pub type ConnectInfo = SocketAddr;
