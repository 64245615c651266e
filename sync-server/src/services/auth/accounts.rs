//! User accounts in authdb: people who log in with a password (admins, managers,
//! customers) or with a PIN at a till (staff). Other services create staff and company
//! admins through [`create_in`], inside their own transaction.

use mongodb::{
    ClientSession, Collection, Database, IndexModel,
    bson::{DateTime, doc},
    options::IndexOptions,
};
use pos_shared::role::Role;
use serde::{Deserialize, Serialize};

use crate::{
    db::{ServiceDb, now},
    error::{ApiError, ApiErrorBox},
    events::{Event, outbox, payloads},
    state::AppState,
};

pub const COLLECTION: &str = "users";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserDoc {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    pub role: Role,
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub shop_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_hash: Option<String>,
    #[serde(default)]
    pub pin_failures: u32,
    #[serde(default)]
    pub pin_locked_until: Option<DateTime>,
    pub active: bool,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

/// An account to create; secrets already hashed.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: String,
    pub email: Option<String>,
    pub name: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub company_id: Option<String>,
    pub shop_ids: Vec<String>,
    pub pin_hash: Option<String>,
}

pub fn users(state: &AppState) -> Collection<UserDoc> {
    crate::store::platform(&state.mongo, &crate::store::USERS)
}

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Auth)
}

pub fn normalize_email(email: &str) -> Result<String, ApiError> {
    let e = email.trim().to_lowercase();
    let valid = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid && !e.contains(char::is_whitespace) {
        Ok(e)
    } else {
        Err(ApiError::invalid("email", "is not an email address"))
    }
}

/// Inserts the account and its `user.registered` event in the caller's transaction.
/// A taken email is a 409 that names the field.
pub async fn create_in(
    state: &AppState,
    session: &mut ClientSession,
    account: &NewAccount,
    actor: Option<&str>,
) -> mongodb::error::Result<()> {
    let t = now();
    let doc = UserDoc {
        id: account.id.clone(),
        email: account.email.clone(),
        name: account.name.clone(),
        password_hash: account.password_hash.clone(),
        role: account.role,
        company_id: account.company_id.clone(),
        shop_ids: account.shop_ids.clone(),
        pin_hash: account.pin_hash.clone(),
        pin_failures: 0,
        pin_locked_until: None,
        active: true,
        created_at: t,
        updated_at: t,
    };
    if let Err(e) = users(state).insert_one(&doc).session(&mut *session).await {
        if crate::error::is_duplicate_key(&e) {
            return Err(ApiErrorBox::wrap(ApiError::conflict(
                "email_taken",
                "an account with this email already exists; log in or use another email",
            )));
        }
        return Err(e);
    }
    let event = Event::UserRegistered(payloads::UserRegistered {
        user_id: account.id.clone(),
        role: account.role,
        name: account.name.clone(),
        shop_ids: account.shop_ids.clone(),
        has_email: account.email.is_some(),
    })
    .message(account.company_id.as_deref(), actor);
    outbox::record(&db(state), session, &event).await
}

pub async fn find_by_email(state: &AppState, email: &str) -> Result<Option<UserDoc>, ApiError> {
    Ok(users(state).find_one(doc! { "email": email }).await?)
}

pub async fn find(state: &AppState, id: &str) -> Result<Option<UserDoc>, ApiError> {
    Ok(users(state).find_one(doc! { "_id": id }).await?)
}

pub async fn ensure_indexes(state: &AppState) -> mongodb::error::Result<()> {
    let unique_email = IndexOptions::builder()
        .unique(true)
        .partial_filter_expression(doc! { "email": { "$type": "string" } })
        .build();
    users(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "email": 1 })
                .options(unique_email)
                .build(),
        )
        .await?;
    users(state)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "shop_ids": 1 })
                .build(),
        )
        .await?;
    Ok(())
}

/// Creates the configured platform admin once (no-op when it exists or is not configured).
pub async fn bootstrap_admin(state: &AppState) -> Result<(), ApiError> {
    let cfg = &state.config.auth;
    if cfg.bootstrap_admin_email.is_empty() || cfg.bootstrap_admin_password.is_empty() {
        return Ok(());
    }
    let email = normalize_email(&cfg.bootstrap_admin_email)?;
    if find_by_email(state, &email).await?.is_some() {
        return Ok(());
    }
    let hash = super::passwords::hash_password(cfg.bootstrap_admin_password.clone()).await?;
    let account = NewAccount {
        id: uuid::Uuid::now_v7().to_string(),
        email: Some(email),
        name: "Platform admin".into(),
        password_hash: Some(hash),
        role: Role::PlatformAdmin,
        company_id: None,
        shop_ids: Vec::new(),
        pin_hash: None,
    };
    let result = state
        .write((state.clone(), account), |s, (state, account)| {
            Box::pin(async move { create_in(state, s, account, None).await })
        })
        .await;
    match result {
        // Another instance won the race: fine.
        Err(ApiError::Conflict(_)) | Ok(()) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Sets (or replaces) a staff member's PIN hash and clears any lockout.
pub async fn set_pin_in(
    state: &AppState,
    session: &mut ClientSession,
    user_id: &str,
    pin_hash: &str,
) -> mongodb::error::Result<bool> {
    let r = users(state)
        .update_one(
            doc! { "_id": user_id },
            doc! { "$set": { "pin_hash": pin_hash, "pin_failures": 0, "pin_locked_until": null, "updated_at": now() } },
        )
        .session(session)
        .await?;
    Ok(r.matched_count > 0)
}

/// Takes `shop_id` from a staff account; an account left with no shop is deactivated.
pub async fn remove_shop_in(
    state: &AppState,
    session: &mut ClientSession,
    user_id: &str,
    shop_id: &str,
) -> mongodb::error::Result<()> {
    users(state)
        .update_one(
            doc! { "_id": user_id },
            doc! { "$pull": { "shop_ids": shop_id }, "$set": { "updated_at": now() } },
        )
        .session(&mut *session)
        .await?;
    users(state)
        .update_one(
            doc! { "_id": user_id, "shop_ids": { "$size": 0 }, "role": { "$in": ["shop_manager", "cashier"] } },
            doc! { "$set": { "active": false } },
        )
        .session(session)
        .await?;
    Ok(())
}
