//! Bad input always gets a 4xx with `{code, message}`, never a 5xx.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{assert_error_shape, spawn_app};

#[tokio::test]
async fn malformed_requests_get_clear_4xx_errors() {
    let app = spawn_app().await;
    let t = app.tenant("Strict").await;
    let raw = |method: Method, path: &str, ctype: Option<&str>, body: Vec<u8>| {
        let mut req = app
            .http
            .request(method, format!("{}{path}", app.base))
            .bearer_auth(&t.admin)
            .body(body);
        if let Some(c) = ctype {
            req = req.header("content-type", c);
        }
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            (
                status,
                resp.json::<serde_json::Value>()
                    .await
                    .unwrap_or(serde_json::Value::Null),
            )
        }
    };
    let json_ct = Some("application/json");
    let cases = vec![
        ("bad json", raw(Method::POST, "/api/shops", json_ct, b"{\"name\": ".to_vec()).await, StatusCode::BAD_REQUEST),
        ("wrong type", raw(Method::POST, "/api/shops", json_ct, br#"{"name": 42}"#.to_vec()).await, StatusCode::BAD_REQUEST),
        ("missing field", raw(Method::POST, "/api/auth/login", json_ct, br#"{"email": "a@b.test"}"#.to_vec()).await, StatusCode::BAD_REQUEST),
        ("not json", raw(Method::POST, "/api/shops", Some("text/plain"), b"name=x".to_vec()).await, StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("huge body", raw(Method::POST, "/api/shops", json_ct, format!("{{\"name\": \"{}\"}}", "x".repeat(2 << 20)).into_bytes()).await, StatusCode::PAYLOAD_TOO_LARGE),
        ("bad value", raw(Method::POST, "/api/shops", json_ct, br#"{"name": ""}"#.to_vec()).await, StatusCode::UNPROCESSABLE_ENTITY),
        ("bad hours", raw(Method::PUT, &format!("/api/shops/{}/hours", t.shop_id), json_ct, br#"{"opening_hours": [{"day": 9, "opens": "25:00", "closes": "x"}]}"#.to_vec()).await, StatusCode::UNPROCESSABLE_ENTITY),
        ("bad id", raw(Method::GET, "/api/shops/not-a-uuid", None, vec![]).await, StatusCode::NOT_FOUND),
        ("unknown route", raw(Method::GET, "/api/nothing-here", None, vec![]).await, StatusCode::NOT_FOUND),
        ("wrong method", raw(Method::PUT, "/api/auth/login", json_ct, b"{}".to_vec()).await, StatusCode::METHOD_NOT_ALLOWED),
        ("bad paging", raw(Method::GET, "/api/shops?limit=lots", None, vec![]).await, StatusCode::BAD_REQUEST),
        ("bad currency", raw(Method::PUT, &format!("/api/companies/{}/settings", t.company_id), json_ct, br#"{"currency": "euro", "locale": "en", "timezone": "UTC", "tax_rates": [], "receipt_header": "", "receipt_footer": ""}"#.to_vec()).await, StatusCode::UNPROCESSABLE_ENTITY),
        ("weak pin", raw(Method::POST, &format!("/api/shops/{}/staff", t.shop_id), json_ct, br#"{"name": "C", "role": "cashier", "pin": "12"}"#.to_vec()).await, StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (what, (status, body), expected) in cases {
        assert_eq!(status, expected, "{what}: {body}");
        assert_error_shape(status, &body);
    }
    let (status, body) = raw(
        Method::POST,
        "/api/shops",
        json_ct,
        br#"{"name": 42}"#.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["details"][0]["field"], "name",
        "names the offending field: {body}"
    );

    for token in ["", "Bearer", "Basic abc", "Bearer not.a.jwt"] {
        let resp = app
            .http
            .get(format!("{}/api/auth/me", app.base))
            .header("authorization", token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::UNAUTHORIZED,
            "auth header {token:?}"
        );
    }
}

#[tokio::test]
async fn random_garbage_never_causes_a_5xx() {
    let app = spawn_app().await;
    let t = app.tenant("Fuzzed").await;
    let paths = [
        "/api/auth/login",
        "/api/auth/register",
        "/api/auth/refresh",
        "/api/companies",
        "/api/shops",
        "/api/terminals/enroll",
        "/api/auth/pin-login",
        "/api/auth/device-token",
    ];
    let bodies = [
        json!(null),
        json!([]),
        json!("x"),
        json!({ "email": [] }),
        json!({ "name": { "$gt": "" } }),
        json!({ "code": { "$ne": null }, "name": ["x"] }),
        json!({ "refresh_token": { "$ne": "" } }),
        json!(1e308),
        json!({ "shop_id": "x", "user_id": "y", "pin": "1234" }),
        json!({ "terminal_id": "x", "secret": "y" }),
    ];
    for p in paths {
        for b in &bodies {
            let (status, resp) = app
                .call(Method::POST, p, Some(&t.admin), Some(b.clone()))
                .await;
            assert!(
                status.is_client_error(),
                "POST {p} {b} gave {status}: {resp}"
            );
            assert_error_shape(status, &resp);
        }
    }
}

#[tokio::test]
async fn one_address_is_rate_limited_across_endpoints() {
    let app = crate::harness::spawn_app_with(|c| {
        c.limits.per_ip_per_second = 1;
        c.limits.per_ip_burst = 5;
    })
    .await;
    let mut limited = None;
    for _ in 0..12 {
        let (status, body) = app.call(Method::GET, "/api/health", None, None).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(body);
            break;
        }
    }
    let body = limited.expect("a burst beyond the per-IP limit is refused with 429");
    assert_eq!(body["code"], "rate_limited", "{body}");
}

/// What the first schemathesis run found: paging past 2^63 was a 500 on every list, a sync
/// call without a token a 400, and an array of nulls passed for an object body.
#[tokio::test]
async fn what_the_api_fuzzer_found_stays_fixed() {
    let app = spawn_app().await;
    let t = app.tenant("Fuzzed").await;
    for path in [
        "/api/companies?offset=9223372036854775808",
        "/api/audit?offset=9223372036854775808",
        "/api/shops?limit=18446744073709551616",
    ] {
        let (status, body) = app.get(path, &t.admin).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_error_shape(status, &body);
        assert!(
            body["message"].as_str().unwrap().contains("query"),
            "says what: {body}"
        );
    }
    let (status, body) = app.call(Method::GET, "/api/sync/config", None, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no token is a 401 first: {body}"
    );
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/shops/{}", t.shop_id),
            Some(&t.admin),
            Some(json!([null, null])),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/shops/{}", t.shop_id),
            Some(&t.admin),
            Some(json!({ "name": "Renamed", "timezone": "UTC" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "an object still passes: {body}");
    let plan = json!({ "name": "custom", "max_shops": 2.0, "max_terminals": 3e0 });
    let path = format!("/api/companies/{}/plan", t.company_id);
    let (status, body) = app
        .call(Method::PUT, &path, Some(&app.admin), Some(plan))
        .await;
    assert_eq!(status, StatusCode::OK, "2.0 is the integer 2: {body}");
    assert_eq!(body["plan"]["max_shops"], 2, "{body}");
}
