//! Auth endpoints: register, login, refresh, logout, profile, password, PIN login and the
//! terminal's device token.

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use mongodb::bson::doc;
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    accounts::{self, NewAccount, UserDoc},
    browser, devices, passwords, refresh,
};
use crate::{
    db::{now, rfc3339},
    error::{ApiError, ApiResult},
    events::{Event, payloads},
    gateway::{extract::ApiJson, principal::Principal},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route(
            "/auth/customers/register",
            post(super::customers::register_customer),
        )
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me).patch(update_me))
        .route("/auth/password", post(change_password))
        .route("/auth/pin-login", post(pin_login))
        .route("/auth/device-token", post(device_token))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: Option<String>,
    pub name: String,
    pub role: String,
    pub company_id: Option<String>,
    pub shop_ids: Vec<String>,
    pub has_pin: bool,
    pub created_at: String,
}

impl From<&UserDoc> for UserView {
    fn from(u: &UserDoc) -> Self {
        Self {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.to_string(),
            company_id: u.company_id.clone(),
            shop_ids: u.shop_ids.clone(),
            has_pin: u.pin_hash.is_some(),
            created_at: rfc3339(u.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub user: UserView,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(value_type = crate::openapi::fields::Email)]
    pub email: String,
    #[schema(value_type = crate::openapi::fields::Password)]
    pub password: String,
    #[schema(value_type = crate::openapi::fields::Name)]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// Omitted by the portal, whose token is in its `kassa_refresh` cookie
    /// (with the `X-Kassa-Client: portal` header).
    #[serde(default)]
    pub refresh_token: String,
}

pub(super) async fn open_session(
    state: &AppState,
    user: &UserDoc,
    family: Option<String>,
) -> ApiResult<Session> {
    let access = state.tokens.issue(
        &user.id,
        user.role,
        user.company_id.as_deref(),
        &user.shop_ids,
        false,
    )?;
    let refresh_token = refresh::issue(state, &user.id, family).await?;
    Ok(Session {
        access_token: access,
        refresh_token,
        token_type: "Bearer",
        expires_in: state.tokens.access_ttl_secs,
        user: UserView::from(user),
    })
}

pub(crate) fn check_name(field: &str, name: &str) -> ApiResult<String> {
    // Control characters are blanks too: a name is shown on receipts and screens.
    let n = name.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    if n.is_empty() || n.chars().count() > 120 {
        return Err(ApiError::invalid(field, "must be 1 to 120 characters"));
    }
    Ok(n.to_string())
}

/// Self-service sign-up; creates a customer account (staff are added by their company).
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = Session), (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let email = accounts::normalize_email(&req.email)?;
    let name = check_name("name", &req.name)?;
    passwords::check_password(&req.password)?;
    state.logins.check(&format!("register:{email}"))?;
    open_customer(&state, email, name, req.password, None).await
}

/// Creates a customer account (of a company's storefront, or of none) and opens its first
/// session: both sign-up routes end here.
pub(crate) async fn open_customer(
    state: &AppState,
    email: String,
    name: String,
    password: String,
    company_id: Option<String>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let account = NewAccount {
        id: uuid::Uuid::now_v7().to_string(),
        email: Some(email.clone()),
        name,
        password_hash: Some(passwords::hash_password(password).await?),
        role: Role::Customer,
        company_id,
        shop_ids: Vec::new(),
        pin_hash: None,
    };
    state
        .write((state.clone(), account), |s, (state, account)| {
            Box::pin(async move { accounts::create_in(state, s, account, None).await })
        })
        .await?;
    let user = accounts::find_by_email(state, &email)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("account vanished after insert")))?;
    Ok((
        StatusCode::CREATED,
        Json(open_session(state, &user, None).await?),
    ))
}

/// Password login. Limited per account and per IP; failures are audited.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Session), (status = 401, body = pos_shared::error::WireError), (status = 429, body = pos_shared::error::WireError)))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let email = req.email.trim().to_lowercase();
    state.logins.check(&format!("login:{email}"))?;
    let user = accounts::find_by_email(&state, &email).await?;
    let ok = match user
        .as_ref()
        .and_then(|u| u.password_hash.clone().map(|h| (u, h)))
    {
        Some((u, hash)) if u.active => passwords::verify(req.password, hash).await?,
        _ => {
            // Same work as a real check, so response time does not reveal which emails exist.
            let _ = passwords::verify(req.password, dummy_hash().await?).await;
            false
        }
    };
    match user {
        Some(u) if ok => Ok(answer(
            &state,
            &headers,
            open_session(&state, &u, None).await?,
        )),
        other => {
            let company = other.as_ref().and_then(|u| u.company_id.clone());
            let event = Event::LoginFailed(payloads::LoginFailed {
                email: Some(email.to_string()),
                known_account: Some(other.is_some()),
                ..Default::default()
            })
            .message(company.as_deref(), other.as_ref().map(|u| u.id.as_str()));
            super::record_event(&state, event).await?;
            Err(ApiError::unauthorized(
                "invalid_credentials",
                "wrong email or password",
            ))
        }
    }
}

async fn dummy_hash() -> ApiResult<String> {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_try_init(|| passwords::hash_password("not-a-real-password".into()))
        .await
        .cloned()
}

/// Trades a refresh token for a new pair. A token used twice closes its whole session.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = Session), (status = 401, body = pos_shared::error::WireError)))]
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Response> {
    let token = presented_token(&headers, req.refresh_token)?;
    let (user_id, family) = refresh::rotate(&state, &token).await?;
    let user = accounts::find(&state, &user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| ApiError::unauthorized("account_disabled", "this account is disabled"))?;
    Ok(answer(
        &state,
        &headers,
        open_session(&state, &user, Some(family)).await?,
    ))
}

/// The session as JSON, or for the portal with its refresh token in the cookie.
fn answer(state: &AppState, headers: &HeaderMap, session: Session) -> Response {
    if browser::is_portal(headers) {
        browser::session_response(session, state.config.auth.refresh_ttl_secs, headers)
    } else {
        Json(session).into_response()
    }
}

/// The refresh token from the body, or the portal's cookie.
fn presented_token(headers: &HeaderMap, body: String) -> ApiResult<String> {
    if !body.is_empty() {
        return Ok(body);
    }
    browser::is_portal(headers)
        .then(|| browser::cookie_token(headers))
        .flatten()
        .ok_or_else(|| {
            ApiError::unauthorized("no_session", "log in again: there is no session to refresh")
        })
}

/// Closes the session of the given refresh token. Always 204, so it is safe to retry.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshRequest, responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Response> {
    if let Ok(token) = presented_token(&headers, req.refresh_token) {
        refresh::revoke_by_token(&state, &token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if browser::is_portal(&headers) {
        browser::clear(&mut response, &headers);
    }
    Ok(response)
}

async fn current_user(state: &AppState, p: &Principal) -> ApiResult<UserDoc> {
    if p.device {
        return Err(ApiError::forbidden("terminals have no user profile"));
    }
    accounts::find(state, &p.id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "account_disabled",
                "this account no longer exists or is disabled",
            )
        })
}

#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = UserView)))]
pub async fn me(State(state): State<AppState>, p: Principal) -> ApiResult<Json<UserView>> {
    Ok(Json(UserView::from(&current_user(&state, &p).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMe {
    #[schema(value_type = crate::openapi::fields::Name)]
    pub name: String,
}

#[utoipa::path(patch, path = "/api/auth/me", tag = "auth", security(("bearer" = [])), request_body = UpdateMe, responses((status = 200, body = UserView), (status = 422, body = pos_shared::error::WireError)))]
pub async fn update_me(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<UpdateMe>,
) -> ApiResult<Json<UserView>> {
    let user = current_user(&state, &p).await?;
    let name = check_name("name", &req.name)?;
    accounts::users(&state)
        .update_one(
            doc! { "_id": &user.id },
            doc! { "$set": { "name": &name, "updated_at": now() } },
        )
        .await?;
    let user = current_user(&state, &p).await?;
    Ok(Json(UserView::from(&user)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePassword {
    pub current_password: String,
    #[schema(value_type = crate::openapi::fields::Password)]
    pub new_password: String,
}

/// Changes the password and closes every session of the account.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", security(("bearer" = [])), request_body = ChangePassword, responses((status = 204), (status = 401, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn change_password(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<ChangePassword>,
) -> ApiResult<StatusCode> {
    let user = current_user(&state, &p).await?;
    state.logins.check(&format!("password:{}", user.id))?;
    let hash = user
        .password_hash
        .clone()
        .ok_or_else(|| ApiError::forbidden("this account logs in with a PIN only"))?;
    if !passwords::verify(req.current_password, hash).await? {
        return Err(ApiError::unauthorized(
            "invalid_credentials",
            "the current password is wrong",
        ));
    }
    passwords::check_password(&req.new_password)?;
    let new_hash = passwords::hash_password(req.new_password).await?;
    accounts::users(&state)
        .update_one(
            doc! { "_id": &user.id },
            doc! { "$set": { "password_hash": new_hash, "updated_at": now() } },
        )
        .await?;
    refresh::revoke_user(&state, &user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PinLogin {
    pub shop_id: String,
    pub user_id: String,
    pub pin: String,
}

const PIN_MAX_FAILURES: u32 = 5;
const PIN_LOCK_MS: i64 = 5 * 60 * 1000;

/// Staff PIN login at a till of the shop: the request carries that till's device token.
/// A PIN is a till credential (tills hold PIN hashes to log staff in offline, so a stolen
/// till's PINs can be guessed), never enough on its own to open a server session.
/// Five wrong PINs lock the account for five minutes.
#[utoipa::path(post, path = "/api/auth/pin-login", tag = "auth", request_body = PinLogin, security(("bearer" = [])),
    responses((status = 200, body = Session), (status = 401, body = pos_shared::error::WireError), (status = 403, body = pos_shared::error::WireError), (status = 409, body = pos_shared::error::WireError), (status = 429, body = pos_shared::error::WireError)))]
pub async fn pin_login(
    State(state): State<AppState>,
    till: Principal,
    ApiJson(req): ApiJson<PinLogin>,
) -> ApiResult<Json<Session>> {
    if !till.device || !till.shop_ids.contains(&req.shop_id) {
        return Err(ApiError::forbidden(
            "PIN login is done at a till of this shop: send that till's device token",
        ));
    }
    state.logins.check(&format!("pin:{}", req.user_id))?;
    let wrong = || ApiError::unauthorized("invalid_pin", "wrong staff member or PIN");
    let user = accounts::users(&state)
        .find_one(doc! { "_id": &req.user_id, "shop_ids": &req.shop_id, "active": true })
        .await?
        .ok_or_else(wrong)?;
    if user.pin_locked_until.is_some_and(|t| t > now()) {
        return Err(ApiError::conflict(
            "pin_locked",
            "too many wrong PINs; this account is locked for a few minutes, or a manager can reset the PIN",
        ));
    }
    let hash = user.pin_hash.clone().ok_or_else(wrong)?;
    if passwords::verify(req.pin, hash).await? {
        accounts::users(&state)
            .update_one(
                doc! { "_id": &user.id },
                doc! { "$set": { "pin_failures": 0, "pin_locked_until": null } },
            )
            .await?;
        let mut scoped = user.clone();
        scoped.shop_ids = vec![req.shop_id];
        return Ok(Json(open_session(&state, &scoped, None).await?));
    }
    let failures = user.pin_failures + 1;
    let lock = (failures >= PIN_MAX_FAILURES)
        .then(|| mongodb::bson::DateTime::from_millis(now().timestamp_millis() + PIN_LOCK_MS));
    let update = match lock {
        Some(until) => doc! { "$set": { "pin_failures": 0, "pin_locked_until": until } },
        None => doc! { "$set": { "pin_failures": failures } },
    };
    accounts::users(&state)
        .update_one(doc! { "_id": &user.id }, update)
        .await?;
    let event = Event::LoginFailed(payloads::LoginFailed {
        user_id: Some(user.id.clone()),
        method: Some("pin".into()),
        locked: Some(lock.is_some()),
        ..Default::default()
    })
    .message(user.company_id.as_deref(), Some(&user.id));
    super::record_event(&state, event).await?;
    Err(wrong())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceTokenRequest {
    pub terminal_id: String,
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceToken {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub company_id: String,
    pub shop_id: String,
}

/// A terminal trades its device credential for a short-lived access token.
#[utoipa::path(post, path = "/api/auth/device-token", tag = "auth", request_body = DeviceTokenRequest,
    responses((status = 200, body = DeviceToken), (status = 401, body = pos_shared::error::WireError)))]
pub async fn device_token(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<DeviceTokenRequest>,
) -> ApiResult<Json<DeviceToken>> {
    state.logins.check(&format!("device:{}", req.terminal_id))?;
    let device = devices::authenticate(&state, &req.terminal_id, &req.secret).await?;
    let token = state.tokens.issue(
        &device.id,
        Role::Cashier,
        Some(&device.company_id),
        std::slice::from_ref(&device.shop_id),
        true,
    )?;
    Ok(Json(DeviceToken {
        access_token: token,
        token_type: "Bearer",
        expires_in: state.tokens.access_ttl_secs,
        company_id: device.company_id,
        shop_id: device.shop_id,
    }))
}
