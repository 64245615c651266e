//! The server serves the built portal at `/` without ever hiding an API 404.

use reqwest::StatusCode;

use crate::harness::spawn_app_with;

#[tokio::test]
async fn the_portal_is_served_with_its_routes_cached_assets_and_a_strict_csp() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Kassa portal</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("assets/app-1a2b.js"), "console.log(1)").unwrap();
    let portal = dir.path().to_str().unwrap().to_owned();
    let app = spawn_app_with(move |c| c.portal_dir = portal).await;
    let get = |path: &str| app.http.get(format!("{}{path}", app.base)).send();

    for page in ["/", "/products/42", "/dashboard?shop=1"] {
        let r = get(page).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{page}");
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("default-src 'self'") && !csp.contains("http"),
            "{csp}"
        );
        assert_eq!(r.headers()["cache-control"], "no-cache");
        assert!(
            r.text().await.unwrap().contains("Kassa portal"),
            "{page} is the portal page"
        );
    }
    let js = get("/assets/app-1a2b.js").await.unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        js.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );

    let missing = get("/assets/gone-9z.js").await.unwrap();
    assert_eq!(
        missing.status(),
        StatusCode::NOT_FOUND,
        "a missing asset is not the page"
    );
    let api = get("/api/no-such-thing").await.unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["code"], "no_route", "API 404s stay JSON: {body}");
    let escape = get("/..%2f..%2fetc/passwd").await.unwrap();
    assert_eq!(escape.status(), StatusCode::NOT_FOUND);
}
