//! Serves the built manager portal at `/`: hashed assets cached for a year, every other
//! page path answered with `index.html` (the portal routes in the browser), and a strict
//! CSP with nothing remote. `/api` never gets here, so an API 404 stays a JSON 404.

use std::path::{Component, Path, PathBuf};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{error::ApiError, state::AppState};

/// What the portal's pages may load: only this server.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Answers a non-API request from the portal folder.
pub async fn serve(State(state): State<AppState>, req: Request) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return crate::gateway::fallback::not_found().await.into_response();
    }
    let dir = PathBuf::from(&state.config.portal_dir);
    let Some(relative) = safe_path(req.uri().path()) else {
        return crate::gateway::fallback::not_found().await.into_response();
    };
    let is_asset = relative.extension().is_some();
    let file = if is_asset {
        dir.join(&relative)
    } else {
        dir.join("index.html")
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => respond(&file, bytes, relative.starts_with("assets")),
        Err(_) if is_asset => crate::gateway::fallback::not_found().await.into_response(),
        Err(_) => ApiError::NotFound(pos_shared::error::WireError::new(
            "portal_not_built",
            format!(
                "the portal is not built at {}; run `cd ui && npm ci && npm run build` (the API is at /api)",
                dir.display()
            ),
        ))
        .into_response(),
    }
}

/// The request path as a relative file path, refusing anything but plain names.
fn safe_path(path: &str) -> Option<PathBuf> {
    let p = Path::new(path.trim_start_matches('/'));
    p.components()
        .all(|c| matches!(c, Component::Normal(n) if !n.to_string_lossy().starts_with('.')))
        .then(|| p.to_path_buf())
}

fn respond(file: &Path, bytes: Vec<u8>, hashed: bool) -> Response {
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime(file)));
    // Vite names assets by content hash: a new build is a new name, so they never go stale.
    let cache = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    *r.status_mut() = StatusCode::OK;
    r
}

fn mime(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::safe_path;

    #[test]
    fn paths_outside_the_portal_folder_are_refused() {
        assert!(safe_path("/../etc/passwd").is_none());
        assert!(safe_path("/assets/../../x").is_none());
        assert!(safe_path("/.env").is_none());
        assert_eq!(
            safe_path("/assets/app-1a2b.js").unwrap().to_str(),
            Some("assets/app-1a2b.js")
        );
        assert_eq!(
            safe_path("/products/42").unwrap().to_str(),
            Some("products/42")
        );
    }
}
