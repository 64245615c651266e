//! Staff of a shop: managers and cashiers, their roles and their till PINs. The person's
//! account (login, PIN hash) lives in the auth service; the employment record here.

use axum::{
    Json,
    extract::{Query, State},
    http::StatusCode,
};
use futures::TryStreamExt;
use mongodb::bson::{DateTime, doc};
use pos_shared::{
    role::Role,
    sync::{ChangeOp, ShopStaff},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{db, visible_shop};
use crate::{
    db::{now, rfc3339},
    error::{ApiError, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{
        extract::{ApiJson, IdPath, IdPath2},
        paging::Page,
        principal::Principal,
        tenancy::{Scoped, TenantScope},
    },
    services::auth::{accounts, passwords, refresh, routes::check_name},
    state::AppState,
    store::System,
    streams::{self, NewChange},
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub company_id: String,
    pub shop_id: String,
    pub user_id: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    pub user_id: String,
    pub shop_id: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub created_at: String,
}

impl From<StaffDoc> for StaffView {
    fn from(s: StaffDoc) -> Self {
        Self {
            user_id: s.user_id,
            shop_id: s.shop_id,
            name: s.name,
            role: s.role.to_string(),
            active: s.active,
            created_at: rfc3339(s.created_at),
        }
    }
}

impl StaffDoc {
    /// Puts this member, with the PIN hash the tills check offline, on the shop's `staff`
    /// stream inside the caller's transaction.
    async fn publish_in(
        &self,
        state: &AppState,
        s: &mut mongodb::ClientSession,
        pin_hash: Option<String>,
    ) -> mongodb::error::Result<()> {
        let seen = ShopStaff {
            user_id: self.user_id.clone(),
            name: self.name.clone(),
            role: self.role,
            pin_hash: pin_hash.filter(|_| self.active),
            active: self.active,
        };
        let change = NewChange {
            entity: "staff",
            id: self.user_id.clone(),
            op: ChangeOp::Upsert,
            data: Some(serde_json::to_value(seen).unwrap_or_default()),
        };
        streams::append(&db(state), s, &streams::staff_key(&self.shop_id), change)
            .await
            .map(|_| ())
    }
}

/// Refuses a PIN that another active member of one of `shop_ids` already uses: a till
/// logs people in by PIN alone, so two people with one PIN would be indistinguishable.
async fn check_pin_free(
    state: &AppState,
    company: &str,
    shop_ids: &[String],
    pin: &str,
    except_user: Option<&str>,
) -> ApiResult<()> {
    let members: Vec<StaffDoc> = staff(state, &TenantScope::company(company))
        .find(doc! { "shop_id": { "$in": shop_ids }, "active": true })
        .await?
        .try_collect()
        .await?;
    let others: Vec<&str> = members
        .iter()
        .map(|m| m.user_id.as_str())
        .filter(|u| Some(*u) != except_user)
        .collect();
    let users: Vec<accounts::UserDoc> = accounts::users(state)
        .find(doc! { "_id": { "$in": others }, "pin_hash": { "$type": "string" } })
        .await?
        .try_collect()
        .await?;
    for hash in users.into_iter().filter_map(|u| u.pin_hash) {
        if passwords::verify(pin.to_owned(), hash).await? {
            return Err(ApiError::conflict(
                "pin_taken",
                "another member of this shop already uses this PIN; choose another",
            ));
        }
    }
    Ok(())
}

/// Puts every active member of `shop_id` on its staff stream, once: for shops whose staff
/// existed before the stream did (an empty stream is the sign). Two instances starting
/// together may both do it; the second copy of each full state changes nothing.
pub async fn backfill_stream(state: &AppState, shop_id: &str) -> ApiResult<()> {
    if streams::head(&db(state), &streams::staff_key(shop_id)).await? > 0 {
        return Ok(());
    }
    let all_staff: mongodb::Collection<StaffDoc> =
        crate::store::system(&state.mongo, &crate::store::STAFF, System::Backfill);
    let members: Vec<StaffDoc> = all_staff
        .find(doc! { "shop_id": shop_id, "active": true })
        .await?
        .try_collect()
        .await?;
    if members.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
    let pins: std::collections::HashMap<String, Option<String>> = accounts::users(state)
        .find(doc! { "_id": { "$in": ids } })
        .await?
        .try_collect::<Vec<accounts::UserDoc>>()
        .await?
        .into_iter()
        .map(|u| (u.id, u.pin_hash))
        .collect();
    state
        .write(
            (state.clone(), members, pins),
            |s, (state, members, pins)| {
                Box::pin(async move {
                    for m in members.iter() {
                        let pin = pins.get(&m.user_id).cloned().flatten();
                        m.publish_in(state, s, pin).await?;
                    }
                    Ok(())
                })
            },
        )
        .await
}

fn staff(state: &AppState, scope: &TenantScope) -> Scoped<StaffDoc> {
    crate::store::scoped(&state.mongo, &crate::store::STAFF, scope)
}

fn scoped(state: &AppState, p: &Principal) -> Scoped<StaffDoc> {
    staff(state, &p.scope())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddStaff {
    #[schema(value_type = crate::openapi::fields::Name)]
    pub name: String,
    /// `shop_manager` or `cashier`.
    #[schema(value_type = crate::openapi::fields::StaffRole)]
    pub role: Role,
    /// Needed for managers, who log in to the portal; optional for cashiers. A password
    /// needs an email (422 otherwise).
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::fields::Email>)]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::fields::Password>)]
    pub password: Option<String>,
    /// 4-8 digits for the till, unused by the shop's other staff (409 otherwise).
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::fields::Pin>)]
    pub pin: Option<String>,
}

/// Adds a staff member. Managers may add cashiers; company admins any staff role.
#[utoipa::path(post, path = "/api/shops/{id}/staff", tag = "staff", security(("bearer" = [])), request_body = AddStaff,
    responses((status = 201, body = StaffView), (status = 403, body = pos_shared::error::WireError), (status = 409, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn add_staff(
    State(state): State<AppState>,
    p: Principal,
    IdPath(shop_id): IdPath,
    ApiJson(req): ApiJson<AddStaff>,
) -> ApiResult<(StatusCode, Json<StaffView>)> {
    p.require(Role::ShopManager)?;
    if !req.role.is_staff() {
        return Err(ApiError::invalid("role", "must be shop_manager or cashier"));
    }
    if req.role == Role::ShopManager {
        p.require(Role::CompanyAdmin)?;
    }
    let shop = visible_shop(&state, &p, &shop_id.to_string()).await?;
    let name = check_name("name", &req.name)?;
    let email = req
        .email
        .as_deref()
        .map(accounts::normalize_email)
        .transpose()?;
    let password_hash = match (&req.password, &email) {
        (Some(pw), Some(_)) => {
            passwords::check_password(pw)?;
            Some(passwords::hash_password(pw.clone()).await?)
        }
        (Some(_), None) => {
            return Err(ApiError::invalid(
                "email",
                "is required when a password is given",
            ));
        }
        (None, _) if req.role == Role::ShopManager => {
            return Err(ApiError::invalid(
                "password",
                "is required for managers, who log in to the portal",
            ));
        }
        (None, _) => None,
    };
    let pin_hash = match &req.pin {
        Some(pin) => {
            passwords::check_pin(pin)?;
            check_pin_free(
                &state,
                &shop.company_id,
                std::slice::from_ref(&shop.id),
                pin,
                None,
            )
            .await?;
            Some(passwords::hash_pin(pin.clone()).await?)
        }
        None => None,
    };
    let account = accounts::NewAccount {
        id: uuid::Uuid::now_v7().to_string(),
        email,
        name: name.clone(),
        password_hash,
        role: req.role,
        company_id: Some(shop.company_id.clone()),
        shop_ids: vec![shop.id.clone()],
        pin_hash,
    };
    let member = StaffDoc {
        id: uuid::Uuid::now_v7().to_string(),
        company_id: shop.company_id.clone(),
        shop_id: shop.id.clone(),
        user_id: account.id.clone(),
        name,
        role: req.role,
        active: true,
        created_at: now(),
    };
    let ctx = (state.clone(), account, member.clone(), p.id.clone());
    state
        .write(ctx, |s, (state, account, member, actor)| {
            Box::pin(async move {
                accounts::create_in(state, s, account, Some(actor)).await?;
                staff(state, &TenantScope::company(&member.company_id))
                    .insert_one(member)?
                    .session(&mut *s)
                    .await?;
                member
                    .publish_in(state, s, account.pin_hash.clone())
                    .await?;
                let event = Event::StaffAdded(payloads::StaffChanged {
                    shop_id: member.shop_id.clone(),
                    user_id: member.user_id.clone(),
                    role: Some(member.role),
                    name: Some(member.name.clone()),
                })
                .message(Some(&member.company_id), Some(actor));
                outbox::record(&db(state), s, &event).await
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(member.into())))
}

#[utoipa::path(get, path = "/api/shops/{id}/staff", tag = "staff", security(("bearer" = [])), params(Page), responses((status = 200, body = [StaffView])))]
pub async fn list_staff(
    State(state): State<AppState>,
    p: Principal,
    IdPath(shop_id): IdPath,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<StaffView>>> {
    p.require(Role::ShopManager)?;
    let shop = visible_shop(&state, &p, &shop_id.to_string()).await?;
    let list = scoped(&state, &p)
        .list(doc! { "shop_id": &shop.id, "active": true }, &page)
        .await?;
    Ok(Json(list.into_iter().map(StaffView::from).collect()))
}

async fn member(
    state: &AppState,
    p: &Principal,
    shop_id: &str,
    user_id: &str,
) -> ApiResult<StaffDoc> {
    scoped(state, p)
        .find_one(doc! { "shop_id": shop_id, "user_id": user_id, "active": true })
        .await?
        .ok_or_else(|| ApiError::not_found("staff member"))
}

/// Removes a staff member from the shop and closes their sessions.
#[utoipa::path(delete, path = "/api/shops/{id}/staff/{user}", tag = "staff", security(("bearer" = [])), responses((status = 204), (status = 404, body = pos_shared::error::WireError)))]
pub async fn remove_staff(
    State(state): State<AppState>,
    p: Principal,
    IdPath2(shop_id, user_id): IdPath2,
) -> ApiResult<StatusCode> {
    p.require(Role::ShopManager)?;
    let m = member(&state, &p, &shop_id.to_string(), &user_id.to_string()).await?;
    if m.role == Role::ShopManager {
        p.require(Role::CompanyAdmin)?;
    }
    let ctx = (state.clone(), m.clone(), p.id.clone());
    state
        .write(ctx, |s, (state, m, actor)| {
            Box::pin(async move {
                staff(state, &TenantScope::company(&m.company_id))
                    .update_one(doc! { "_id": &m.id }, doc! { "$set": { "active": false } })
                    .session(&mut *s)
                    .await?;
                let gone = StaffDoc {
                    active: false,
                    ..m.clone()
                };
                gone.publish_in(state, s, None).await?;
                accounts::remove_shop_in(state, s, &m.user_id, &m.shop_id).await?;
                let event = Event::StaffRemoved(payloads::StaffChanged {
                    shop_id: m.shop_id.clone(),
                    user_id: m.user_id.clone(),
                    role: None,
                    name: None,
                })
                .message(Some(&m.company_id), Some(actor));
                outbox::record(&db(state), s, &event).await
            })
        })
        .await?;
    refresh::revoke_user(&state, &m.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPin {
    #[schema(value_type = crate::openapi::fields::Pin)]
    pub pin: String,
}

/// Sets or resets a staff member's till PIN (also lifts a lockout).
#[utoipa::path(put, path = "/api/shops/{id}/staff/{user}/pin", tag = "staff", security(("bearer" = [])), request_body = SetPin, responses((status = 204), (status = 422, body = pos_shared::error::WireError)))]
pub async fn set_pin(
    State(state): State<AppState>,
    p: Principal,
    IdPath2(shop_id, user_id): IdPath2,
    ApiJson(req): ApiJson<SetPin>,
) -> ApiResult<StatusCode> {
    p.require(Role::ShopManager)?;
    passwords::check_pin(&req.pin)?;
    state.logins.check(&format!("setpin:{user_id}"))?;
    let m = member(&state, &p, &shop_id.to_string(), &user_id.to_string()).await?;
    let company = TenantScope::company(&m.company_id);
    let shops: Vec<String> = staff(&state, &company)
        .find(doc! { "user_id": &m.user_id, "active": true })
        .await?
        .try_collect::<Vec<StaffDoc>>()
        .await?
        .into_iter()
        .map(|d| d.shop_id)
        .collect();
    check_pin_free(&state, &m.company_id, &shops, &req.pin, Some(&m.user_id)).await?;
    let hash = passwords::hash_pin(req.pin).await?;
    state
        .write(
            (
                state.clone(),
                m.user_id.clone(),
                hash,
                p.id.clone(),
                company,
            ),
            |s, (state, user, hash, actor, company)| {
                Box::pin(async move {
                    accounts::set_pin_in(state, s, user, hash).await?;
                    // One PIN for the person: every shop they work in gets it.
                    let shops: Vec<StaffDoc> = staff(state, company)
                        .find(doc! { "user_id": &*user, "active": true })
                        .session(&mut *s)
                        .await?
                        .stream(&mut *s)
                        .try_collect()
                        .await?;
                    for member in &shops {
                        member.publish_in(state, s, Some(hash.clone())).await?;
                        let event = Event::StaffPinSet(payloads::StaffChanged {
                            shop_id: member.shop_id.clone(),
                            user_id: member.user_id.clone(),
                            role: None,
                            name: None,
                        })
                        .message(Some(&member.company_id), Some(actor));
                        outbox::record(&db(state), s, &event).await?;
                    }
                    Ok(())
                })
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
