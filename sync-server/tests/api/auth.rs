use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{PASSWORD, assert_error_shape, spawn_app, spawn_app_with};

#[tokio::test]
async fn register_login_refresh_logout() {
    let app = spawn_app().await;
    let (status, reg) = app
        .post(
            "/api/auth/register",
            None,
            json!({ "email": "Ann@Example.test", "password": PASSWORD, "name": "Ann" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    assert_eq!(
        reg["user"]["email"], "ann@example.test",
        "emails are stored lower-case"
    );
    assert_eq!(reg["user"]["role"], "customer");

    let (status, dup) = app
        .post(
            "/api/auth/register",
            None,
            json!({ "email": "ann@example.test", "password": PASSWORD, "name": "Ann 2" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{dup}");
    assert_eq!(dup["code"], "email_taken");

    let session = app.login("ann@example.test", PASSWORD).await;
    let access = session["access_token"].as_str().unwrap();
    let (status, me) = app.get("/api/auth/me", access).await;
    assert_eq!((status, me["name"].as_str()), (StatusCode::OK, Some("Ann")));

    let (status, next) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({ "refresh_token": session["refresh_token"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert_ne!(
        next["refresh_token"], session["refresh_token"],
        "refresh tokens rotate"
    );

    let (status, _) = app
        .post(
            "/api/auth/logout",
            None,
            json!({ "refresh_token": next["refresh_token"] }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, after) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({ "refresh_token": next["refresh_token"] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a logged-out session cannot be refreshed: {after}"
    );
}

#[tokio::test]
async fn wrong_password_is_401_and_unknown_email_looks_the_same() {
    let app = spawn_app().await;
    app.post(
        "/api/auth/register",
        None,
        json!({ "email": "bo@example.test", "password": PASSWORD, "name": "Bo" }),
    )
    .await;
    let (s1, b1) = app
        .post(
            "/api/auth/login",
            None,
            json!({ "email": "bo@example.test", "password": "wrong-password" }),
        )
        .await;
    let (s2, b2) = app
        .post(
            "/api/auth/login",
            None,
            json!({ "email": "nobody@example.test", "password": "wrong-password" }),
        )
        .await;
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(b1, b2, "no hint whether the account exists");
}

#[tokio::test]
async fn reusing_a_refresh_token_revokes_its_whole_family() {
    let app = spawn_app().await;
    app.post(
        "/api/auth/register",
        None,
        json!({ "email": "cy@example.test", "password": PASSWORD, "name": "Cy" }),
    )
    .await;
    let first = app.login("cy@example.test", PASSWORD).await;
    let (_, second) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({ "refresh_token": first["refresh_token"] }),
        )
        .await;
    // An attacker replays the first (already used) token...
    let (status, reuse) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({ "refresh_token": first["refresh_token"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(reuse["code"], "refresh_reused");
    // ...and the legitimate holder's newer token dies with the family.
    let (status, _) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({ "refresh_token": second["refresh_token"] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the whole family is revoked"
    );
    // A separate login is a separate family and still works.
    let other = app.login("cy@example.test", PASSWORD).await;
    let (status, _) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({ "refresh_token": other["refresh_token"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn login_is_rate_limited_per_account() {
    let app = spawn_app_with(|c| c.limits.login_attempts_per_minute = 3).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            app.post(
                "/api/auth/login",
                None,
                json!({ "email": "victim@example.test", "password": "guess-guess" }),
            )
            .await,
        );
    }
    let limited = statuses
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        limited, 2,
        "3 attempts allowed, the rest refused: {statuses:?}"
    );
    assert_eq!(statuses[4].1["code"], "rate_limited");
    // Another account from the same address is not affected.
    let (status, _) = app
        .post(
            "/api/auth/login",
            None,
            json!({ "email": "other@example.test", "password": "guess-guess" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_and_forged_tokens_are_refused() {
    // A fresh token works. A loaded CI machine can take longer than the short TTL to
    // serve the first call, so a refusal there is only accepted (and the login retried)
    // when the clock really had passed the token's `exp`: a fresh token refused before
    // its expiry still fails the test.
    let app = spawn_app_with(|c| c.auth.access_ttl_secs = 3).await;
    app.post(
        "/api/auth/register",
        None,
        json!({ "email": "ex@example.test", "password": PASSWORD, "name": "Ex" }),
    )
    .await;
    let mut token = String::new();
    for attempt in 1..=5 {
        let s = app.login("ex@example.test", PASSWORD).await;
        token = s["access_token"].as_str().unwrap().to_string();
        let (status, body) = app.get("/api/auth/me", &token).await;
        if status == StatusCode::OK {
            break;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(
            now > token_exp(&token) && attempt < 5,
            "a fresh token was refused ({status}: {body})"
        );
    }
    let exp = token_exp(&token);
    loop {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        if now > exp {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (status, body) = app.get("/api/auth/me", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["code"], "token_expired",
        "tells the client to refresh: {body}"
    );
    let (status, body) = app
        .get(
            "/api/auth/me",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error_shape(status, &body);
}

#[tokio::test]
async fn changing_the_password_closes_other_sessions() {
    let app = spawn_app().await;
    app.post(
        "/api/auth/register",
        None,
        json!({ "email": "di@example.test", "password": PASSWORD, "name": "Di" }),
    )
    .await;
    let s = app.login("di@example.test", PASSWORD).await;
    let token = s["access_token"].as_str().unwrap();
    let (status, body) = app
        .post(
            "/api/auth/password",
            Some(token),
            json!({ "current_password": "nope-nope-nope", "new_password": "another-password" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = app
        .post(
            "/api/auth/password",
            Some(token),
            json!({ "current_password": PASSWORD, "new_password": "another-password" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({ "refresh_token": s["refresh_token"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "old sessions are closed");
    app.login("di@example.test", "another-password").await;
}

#[tokio::test]
async fn pin_login_locks_after_five_wrong_pins() {
    let app = spawn_app().await;
    let t = app.tenant("Pinshop").await;
    let (cashier, token) = app.cashier(&t, "2468").await;
    let (status, me) = app.get("/api/auth/me", &token).await;
    assert_eq!(
        (status, me["role"].as_str()),
        (StatusCode::OK, Some("cashier"))
    );
    let (_, till) = app.terminal(&t, "Till").await;
    // A PIN alone, or with a person's token or another shop's till, opens nothing.
    let other = app.tenant("Elsewhere").await;
    let (_, foreign_till) = app.terminal(&other, "Their till").await;
    for (token, expected) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(t.manager.as_str()), StatusCode::FORBIDDEN),
        (Some(foreign_till.as_str()), StatusCode::FORBIDDEN),
    ] {
        let (status, body) = app
            .post(
                "/api/auth/pin-login",
                token,
                json!({ "shop_id": t.shop_id, "user_id": cashier, "pin": "2468" }),
            )
            .await;
        assert_eq!(status, expected, "{body}");
    }
    for _ in 0..5 {
        let (status, _) = app
            .post(
                "/api/auth/pin-login",
                Some(&till),
                json!({ "shop_id": t.shop_id, "user_id": cashier, "pin": "0000" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = app
        .post(
            "/api/auth/pin-login",
            Some(&till),
            json!({ "shop_id": t.shop_id, "user_id": cashier, "pin": "2468" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "locked even with the right PIN: {body}"
    );
    assert_eq!(body["code"], "pin_locked");
    // A manager resets the PIN, which lifts the lock.
    let (status, _) = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/shops/{}/staff/{cashier}/pin", t.shop_id),
            Some(&t.manager),
            Some(json!({ "pin": "1357" })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .post(
            "/api/auth/pin-login",
            Some(&till),
            json!({ "shop_id": t.shop_id, "user_id": cashier, "pin": "1357" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// The `exp` claim of a JWT, read without verifying it.
fn token_exp(token: &str) -> u64 {
    use base64::Engine;
    let claims = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .expect("the payload is base64url");
    let claims: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    claims["exp"].as_u64().expect("exp is a number")
}

/// The portal's session: the refresh token only in an HttpOnly, SameSite=Strict cookie on
/// /api/auth, rotated by refresh, refused without the portal header, cleared by logout.
#[tokio::test]
async fn a_portal_session_keeps_its_refresh_token_in_a_strict_cookie() {
    let app = spawn_app().await;
    let (_, admin) = app.create_company("Cookie Co", "business").await;
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", app.base);
    let me = app.get("/api/auth/me", &admin).await.1;
    let email = me["email"].as_str().unwrap().to_owned();
    let login = http
        .post(url("/api/auth/login"))
        .header("x-kassa-client", "portal")
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in [
        "kassa_refresh=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/auth",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let body: serde_json::Value = login.json().await.unwrap();
    assert!(
        body.get("refresh_token").is_none(),
        "no refresh token in the body: {body}"
    );
    assert!(body["access_token"].is_string());
    let pair = cookie.split(';').next().unwrap().to_owned();

    let without_header = http
        .post(url("/api/auth/refresh"))
        .header("cookie", &pair)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        without_header.status(),
        StatusCode::UNAUTHORIZED,
        "the cookie alone is not enough"
    );

    let refreshed = http
        .post(url("/api/auth/refresh"))
        .header("x-kassa-client", "portal")
        .header("cookie", &pair)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    let rotated = refreshed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(rotated, pair, "the cookie rotates");

    let reused = http
        .post(url("/api/auth/refresh"))
        .header("x-kassa-client", "portal")
        .header("cookie", &pair)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        reused.status(),
        StatusCode::UNAUTHORIZED,
        "an old cookie is a reuse"
    );

    let out = http
        .post(url("/api/auth/logout"))
        .header("x-kassa-client", "portal")
        .header("cookie", &rotated)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}
