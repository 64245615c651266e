use reqwest::StatusCode;

use crate::harness::spawn_app;

#[tokio::test]
async fn health_reports_both_dependencies_up() {
    let app = spawn_app().await;
    // The relay connects to RabbitMQ in the background; give it a few seconds at most.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (status, body) = app
            .call(reqwest::Method::GET, "/api/health", None, None)
            .await;
        // 200 comes as soon as MongoDB answers; "ok" once RabbitMQ does too.
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["status"] == "ok" {
            assert_eq!(body["mongodb"], "up");
            assert_eq!(body["rabbitmq"], "up");
            assert_eq!(body["status"], "ok");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "health never became ok: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn health_is_degraded_when_rabbitmq_is_unreachable() {
    let app = crate::harness::spawn_app_with(|c| {
        c.amqp.uri = "amqp://guest:guest@127.0.0.1:1/%2f".into()
    })
    .await;
    let (status, body) = app
        .call(reqwest::Method::GET, "/api/health", None, None)
        .await;
    // The server still takes pushes (events wait in the outboxes): a load balancer keeps
    // it, and the body says what is down.
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["rabbitmq"], "down");
    assert_eq!(body["mongodb"], "up");
}

#[tokio::test]
async fn metrics_are_exposed_for_prometheus() {
    let app = spawn_app().await;
    let _ = app.get("/api/auth/me", &app.admin).await;
    let resp = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.unwrap();
    assert!(
        text.contains("kassa_http_requests_total"),
        "request counter exported: {text}"
    );
}

#[tokio::test]
async fn openapi_document_lists_the_endpoints() {
    let app = spawn_app().await;
    let (status, doc) = app
        .call(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/auth/login",
        "/api/companies",
        "/api/shops/{id}/staff",
        "/api/terminals/enroll",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    let page = app
        .http
        .get(format!("{}/api/docs", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text().await.unwrap().contains("/api/openapi.json"),
        "docs page renders the document"
    );
}
