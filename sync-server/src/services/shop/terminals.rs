//! The terminal registry: enrollment codes, enrollment, listing and revocation.

use axum::{
    Json,
    extract::{Query, State},
    http::StatusCode,
};
use futures::TryStreamExt;
use mongodb::bson::{DateTime, doc};
use pos_shared::{
    role::Role,
    sync::{ChangeOp, ShopTerminal},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ShopDoc, db, shops_in, visible_shop};
use crate::{
    db::{now, rfc3339},
    error::{ApiError, ApiErrorBox, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{
        extract::{ApiJson, IdPath, IdPath2},
        paging::Page,
        principal::Principal,
        tenancy::{Scoped, TenantScope},
    },
    services::{auth::devices, auth::routes::check_name, company, sync::ingest::Source},
    state::AppState,
    streams::{self, NewChange},
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TerminalDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub company_id: String,
    pub shop_id: String,
    pub name: String,
    /// `active` or `revoked`.
    pub status: String,
    pub enrolled_at: DateTime,
    /// Hex Ed25519 key the terminal seals its receipts with, once registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_public_key: Option<String>,
}

impl TerminalDoc {
    /// This terminal as the shop's tills see it on the `config` stream.
    fn config_change(&self) -> NewChange {
        let seen = ShopTerminal {
            terminal_id: self.id.clone(),
            name: self.name.clone(),
            receipt_public_key: self.receipt_public_key.clone(),
            active: self.status == "active",
        };
        NewChange {
            entity: "terminal",
            id: self.id.clone(),
            op: ChangeOp::Upsert,
            data: Some(serde_json::to_value(seen).unwrap_or_default()),
        }
    }

    /// Puts this terminal on the `config` stream of every shop of its company, so a till
    /// at any branch can check its receipts (a customer returns goods to another shop).
    /// Returns those shops, for the hub's wake-up (`config_shops` in the event).
    async fn publish_in(
        &self,
        state: &AppState,
        s: &mut mongodb::ClientSession,
    ) -> mongodb::error::Result<Vec<String>> {
        // A shop created meanwhile reads the terminals at its own snapshot and this
        // change would miss it; the company's lock makes the two conflict, and the retry
        // sees the other's write.
        super::lock_plan_in(state, s, &self.company_id).await?;
        let shop_ids = company_shops_in(state, s, &self.company_id).await?;
        let change = self.config_change();
        for shop in &shop_ids {
            streams::append_many(
                &db(state),
                s,
                &streams::config_key(shop),
                std::slice::from_ref(&change),
            )
            .await?;
        }
        Ok(shop_ids)
    }
}

/// Every shop of `company_id`, closed ones included (their tills may still hold receipts).
async fn company_shops_in(
    state: &AppState,
    s: &mut mongodb::ClientSession,
    company_id: &str,
) -> mongodb::error::Result<Vec<String>> {
    crate::store::scoped::<mongodb::bson::Document>(
        &state.mongo,
        &crate::store::SHOPS,
        &TenantScope::company(company_id),
    )
    .ids_in(doc! {}, s)
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TerminalView {
    pub id: String,
    pub shop_id: String,
    pub name: String,
    pub status: String,
    pub enrolled_at: String,
}

impl From<TerminalDoc> for TerminalView {
    fn from(t: TerminalDoc) -> Self {
        Self {
            id: t.id,
            shop_id: t.shop_id,
            name: t.name,
            status: t.status,
            enrolled_at: rfc3339(t.enrolled_at),
        }
    }
}

fn terminals(state: &AppState, scope: &TenantScope) -> Scoped<TerminalDoc> {
    crate::store::scoped(&state.mongo, &crate::store::TERMINALS, scope)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentCode {
    /// Type this into the terminal (`pos enroll --code`). Single use.
    pub code: String,
    pub shop_id: String,
    pub expires_at: String,
}

/// A single-use code that enrolls one terminal into this shop (managers).
#[utoipa::path(post, path = "/api/shops/{id}/enrollment-codes", tag = "terminals", security(("bearer" = [])), responses((status = 201, body = EnrollmentCode)))]
pub async fn create_enrollment_code(
    State(state): State<AppState>,
    p: Principal,
    IdPath(shop_id): IdPath,
) -> ApiResult<(StatusCode, Json<EnrollmentCode>)> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &shop_id.to_string()).await?;
    super::ensure_plan_lock(&state, &shop.company_id).await?;
    let (code, expires_at) =
        devices::create_code(&state, &shop.company_id, &shop.id, &p.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(EnrollmentCode {
            code,
            shop_id: shop.id,
            expires_at: rfc3339(expires_at),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EnrollRequest {
    pub code: String,
    /// A name managers recognise, such as "Till 2".
    #[schema(value_type = crate::openapi::fields::Name)]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolled {
    pub terminal_id: String,
    /// The device secret: store it; it is shown only once.
    pub secret: String,
    pub company_id: String,
    pub shop_id: String,
}

/// A terminal trades an enrollment code for its device credential, within the plan's
/// terminal limit. No token needed: the code is the proof.
#[utoipa::path(post, path = "/api/terminals/enroll", tag = "terminals", request_body = EnrollRequest,
    responses((status = 201, body = Enrolled), (status = 401, body = pos_shared::error::WireError), (status = 403, body = pos_shared::error::WireError), (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn enroll_terminal(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> ApiResult<(StatusCode, Json<Enrolled>)> {
    state
        .logins
        .check(&format!("enroll:{}", req.code.trim().to_uppercase()))?;
    let name = check_name("name", &req.name)?;
    let terminal_id = uuid::Uuid::now_v7().to_string();
    let ctx = (state.clone(), req.code, name, terminal_id.clone());
    let (company_id, shop_id, secret) = state
        .write(ctx, |s, (state, code, name, terminal_id)| {
            Box::pin(async move {
                let (company_id, shop_id) = devices::redeem_code_in(state, s, code).await?;
                super::lock_plan_in(state, s, &company_id).await?;
                let plan = company::active_plan(state, &company_id)
                    .await
                    .map_err(ApiErrorBox::wrap)?;
                let company = TenantScope::company(&company_id);
                let active = terminals(state, &company)
                    .count_documents(doc! { "status": "active" })
                    .session(&mut *s)
                    .await?;
                if active >= u64::from(plan.max_terminals) {
                    return Err(ApiErrorBox::wrap(ApiError::conflict(
                        "plan_limit",
                        format!(
                            "your plan allows {} terminal(s); revoke one or upgrade the plan",
                            plan.max_terminals
                        ),
                    )));
                }
                let shop_open = shops_in(state, &company)
                    .count_documents(doc! { "_id": &shop_id, "status": "active" })
                    .session(&mut *s)
                    .await?;
                if shop_open == 0 {
                    return Err(ApiErrorBox::wrap(ApiError::conflict(
                        "shop_closed",
                        "this shop is closed; ask a manager",
                    )));
                }
                let terminal = TerminalDoc {
                    id: terminal_id.clone(),
                    company_id: company_id.clone(),
                    shop_id: shop_id.clone(),
                    name: name.clone(),
                    status: "active".into(),
                    enrolled_at: now(),
                    receipt_public_key: None,
                };
                terminals(state, &company)
                    .insert_one(&terminal)?
                    .session(&mut *s)
                    .await?;
                let config_shops = terminal.publish_in(state, s).await?;
                let secret =
                    devices::create_credential_in(state, s, terminal_id, &company_id, &shop_id)
                        .await?;
                let event = Event::TerminalEnrolled(payloads::TerminalChanged {
                    terminal_id: terminal_id.to_string(),
                    shop_id: shop_id.to_string(),
                    name: Some(name.to_string()),
                    config_shops,
                })
                .message(Some(&company_id), Some(terminal_id));
                outbox::record(&db(state), s, &event).await?;
                Ok((company_id, shop_id, secret))
            })
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Enrolled {
            terminal_id,
            secret,
            company_id,
            shop_id,
        }),
    ))
}

#[utoipa::path(get, path = "/api/shops/{id}/terminals", tag = "terminals", security(("bearer" = [])), params(Page), responses((status = 200, body = [TerminalView])))]
pub async fn list_terminals(
    State(state): State<AppState>,
    p: Principal,
    IdPath(shop_id): IdPath,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<TerminalView>>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &shop_id.to_string()).await?;
    let scoped = terminals(&state, &p.scope());
    let list = scoped.list(doc! { "shop_id": shop.id }, &page).await?;
    Ok(Json(list.into_iter().map(TerminalView::from).collect()))
}

/// Revokes a terminal: its credential stops working on its next request.
#[utoipa::path(delete, path = "/api/shops/{id}/terminals/{terminal}", tag = "terminals", security(("bearer" = [])), responses((status = 204), (status = 404, body = pos_shared::error::WireError)))]
pub async fn revoke_terminal(
    State(state): State<AppState>,
    p: Principal,
    IdPath2(shop_id, terminal_id): IdPath2,
) -> ApiResult<StatusCode> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &shop_id.to_string()).await?;
    let scoped = terminals(&state, &p.scope());
    let t = scoped
        .find_one(doc! { "_id": terminal_id.to_string(), "shop_id": &shop.id })
        .await?
        .ok_or_else(|| ApiError::not_found("terminal"))?;
    let ctx = (state.clone(), t, p.id.clone());
    state
        .write(ctx, |s, (state, t, actor)| {
            Box::pin(async move {
                terminals(state, &TenantScope::company(&t.company_id))
                    .update_one(
                        doc! { "_id": &t.id },
                        doc! { "$set": { "status": "revoked" } },
                    )
                    .session(&mut *s)
                    .await?;
                devices::revoke_in(state, s, &t.id).await?;
                let revoked = TerminalDoc {
                    status: "revoked".into(),
                    ..t.clone()
                };
                let config_shops = revoked.publish_in(state, s).await?;
                let event = Event::TerminalRevoked(payloads::TerminalChanged {
                    terminal_id: t.id.clone(),
                    shop_id: t.shop_id.clone(),
                    name: None,
                    config_shops,
                })
                .message(Some(&t.company_id), Some(actor));
                outbox::record(&db(state), s, &event).await
            })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a shop whose `config` stream carries every terminal of its company.
fn filled_marker(shop_id: &str) -> String {
    format!("config-company:{shop_id}")
}

/// Puts every terminal of the company on `shop_id`'s config stream, once: for shops whose
/// stream predates company-wide receipt keys (see `staff::backfill_stream`). Tills apply
/// terminals as upserts, so one they already have is harmless.
pub async fn backfill_stream(state: &AppState, shop_id: &str) -> ApiResult<()> {
    let marker = filled_marker(shop_id);
    let backfills = crate::store::platform::<mongodb::bson::Document>(
        &state.mongo,
        &crate::store::STREAM_BACKFILLS,
    );
    if backfills.count_documents(doc! { "_id": &marker }).await? > 0 {
        return Ok(());
    }
    let all_shops: mongodb::Collection<ShopDoc> = crate::store::system(
        &state.mongo,
        &crate::store::SHOPS,
        crate::store::System::Backfill,
    );
    let Some(shop) = all_shops.find_one(doc! { "_id": shop_id }).await? else {
        return Ok(());
    };
    state
        .write((state.clone(), shop), |s, (state, shop)| {
            Box::pin(async move {
                let done = crate::store::platform::<mongodb::bson::Document>(
                    &state.mongo,
                    &crate::store::STREAM_BACKFILLS,
                )
                .find_one(doc! { "_id": filled_marker(&shop.id) })
                .session(&mut *s)
                .await?;
                if done.is_some() {
                    return Ok(());
                }
                fill_config_in(state, s, &shop.company_id, &shop.id).await
            })
        })
        .await
}

/// Writes every terminal of `company_id` to `shop_id`'s config stream and marks the shop
/// filled, in the caller's transaction: a new shop's tills must be able to check receipts
/// from the company's other shops from their first sync.
pub async fn fill_config_in(
    state: &AppState,
    s: &mut mongodb::ClientSession,
    company_id: &str,
    shop_id: &str,
) -> mongodb::error::Result<()> {
    let all: Vec<TerminalDoc> = terminals(state, &TenantScope::company(company_id))
        .find(doc! {})
        .session(&mut *s)
        .await?
        .stream(&mut *s)
        .try_collect()
        .await?;
    let changes: Vec<NewChange> = all.iter().map(TerminalDoc::config_change).collect();
    streams::append_many(&db(state), s, &streams::config_key(shop_id), &changes).await?;
    crate::store::platform::<mongodb::bson::Document>(
        &state.mongo,
        &crate::store::STREAM_BACKFILLS,
    )
    .insert_one(doc! { "_id": filled_marker(shop_id), "at": now() })
    .session(&mut *s)
    .await?;
    Ok(())
}

/// Stores the calling terminal's receipt seal key and announces it on the shop's `config`
/// stream. The same key again is a no-op (a retry); a different one is refused, because a
/// terminal keeps one key for life and a second would let it disown its receipts.
pub async fn register_receipt_key(state: &AppState, src: &Source, key: &str) -> ApiResult<String> {
    let key = key.trim().to_ascii_lowercase();
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::invalid(
            "public_key",
            "must be 64 hex characters (an Ed25519 public key)",
        ));
    }
    let ctx = (
        state.clone(),
        src.terminal_id.clone(),
        key.clone(),
        TenantScope::company(&src.company_id),
    );
    state
        .write(ctx, |s, (state, terminal_id, key, company)| {
            Box::pin(async move {
                let t = terminals(state, company)
                    .find_one(doc! { "_id": &*terminal_id })
                    .session(&mut *s)
                    .await?
                    .ok_or_else(|| ApiErrorBox::wrap(ApiError::not_found("terminal")))?;
                match &t.receipt_public_key {
                    Some(existing) if existing == key => return Ok(()),
                    Some(_) => {
                        return Err(ApiErrorBox::wrap(ApiError::conflict(
                            "receipt_key_registered",
                            "this terminal already registered another receipt key; enroll the database again to start with a new one",
                        )));
                    }
                    None => {}
                }
                terminals(state, company)
                    .update_one(
                        doc! { "_id": &t.id },
                        doc! { "$set": { "receipt_public_key": &*key } },
                    )
                    .session(&mut *s)
                    .await?;
                let keyed = TerminalDoc {
                    receipt_public_key: Some(key.clone()),
                    ..t
                };
                let config_shops = keyed.publish_in(state, s).await?;
                let event = Event::TerminalKeyRegistered(payloads::TerminalChanged {
                    terminal_id: keyed.id.clone(),
                    shop_id: keyed.shop_id.clone(),
                    name: None,
                    config_shops,
                })
                .message(Some(&keyed.company_id), Some(terminal_id));
                outbox::record(&db(state), s, &event).await
            })
        })
        .await?;
    Ok(key)
}
