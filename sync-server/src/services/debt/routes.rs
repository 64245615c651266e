//! Customers HTTP API: managers list, search, add and change the company's customers and
//! read each account's entries; every change reaches the tills on the customers stream.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::StatusCode,
    routing::get,
};
use futures::TryStreamExt;
use mongodb::{
    bson::{Document, doc},
    options::ReturnDocument,
};
use pos_shared::{money::Money, role::Role, sync::CompanyCustomer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{CustomerDoc, customers, db, entries};
use crate::{
    db::{now, prefix_regex, rfc3339},
    error::{ApiError, ApiResult},
    events::{Event, outbox, payloads},
    gateway::{
        extract::ApiJson, extract::IdPath, paging::Page, principal::Principal, tenancy::TenantScope,
    },
    services::company,
    state::AppState,
    streams,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list_customers).post(create_customer))
        .route("/customers/{id}", get(get_customer).patch(update_customer))
        .route(
            "/customers/{id}/payments",
            axum::routing::post(super::payments::take_payment),
        )
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomer {
    #[schema(value_type = crate::openapi::fields::NotBlank)]
    pub name: String,
    /// 3 to 15 digits, with `+`, spaces, `-`, `(`, `)` or `/` between them (422 otherwise).
    #[serde(default)]
    pub phone: Option<String>,
    /// Something like `name@example.org` (422 otherwise).
    #[serde(default)]
    pub email: Option<String>,
    /// What the customer may owe at most, in minor units; 0 (the default) allows no
    /// buying on account.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub credit_limit_minor: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomer {
    #[schema(value_type = Option<crate::openapi::fields::NotBlank>)]
    pub name: Option<String>,
    /// An empty string removes the phone number.
    pub phone: Option<String>,
    /// An empty string removes the email address.
    pub email: Option<String>,
    #[schema(minimum = 0)]
    pub credit_limit_minor: Option<i64>,
    /// False closes the account: tills stop selling on it; its balance stays.
    pub active: Option<bool>,
}

/// Checks a customer's fields with the same rules the till applies (pos-shared).
async fn validate(state: &AppState, c: &CustomerDoc) -> ApiResult<()> {
    let currency = company::settings(state, &c.company_id).await?.currency;
    let currency = currency
        .parse()
        .map_err(|_| ApiError::invalid("currency", "of the company is not a known code"))?;
    let id =
        c.id.parse()
            .map_err(|_| ApiError::invalid("id", "is not a customer id"))?;
    pos_shared::customer::Customer {
        id,
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        credit_limit: Money::new(c.credit_limit_minor, currency),
    }
    .validate()
    .map_err(|e| {
        use pos_shared::customer::CustomerError as E;
        let field = match e {
            E::EmptyName => "name",
            E::InvalidEmail(_) => "email",
            E::InvalidPhone(_) => "phone",
            E::NegativeCreditLimit => "credit_limit_minor",
        };
        ApiError::invalid(field, e.to_string())
    })
}

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Adds a customer to the company (shop managers and up); every till of the company
/// receives them.
#[utoipa::path(post, path = "/api/customers", tag = "customers", security(("bearer" = [])), request_body = CreateCustomer,
    responses((status = 201, body = CompanyCustomer), (status = 403, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn create_customer(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<CreateCustomer>,
) -> ApiResult<(StatusCode, Json<CompanyCustomer>)> {
    p.require(Role::ShopManager)?;
    let t = now();
    let name = req.name.trim().to_owned();
    let customer = CustomerDoc {
        id: uuid::Uuid::now_v7().to_string(),
        company_id: p.company()?.to_owned(),
        name_norm: name.to_lowercase(),
        name,
        phone: blank_to_none(req.phone),
        email: blank_to_none(req.email),
        credit_limit_minor: req.credit_limit_minor,
        balance_minor: 0,
        active: true,
        placeholder: false,
        created_by: "portal".into(),
        created_at: t,
        updated_at: t,
    };
    validate(&state, &customer).await?;
    let ctx = (state.clone(), customer.clone(), p.id.clone());
    state
        .write(ctx, |s, (state, c, actor)| {
            Box::pin(async move {
                customers(state, &TenantScope::company(&c.company_id))
                    .insert_one(&*c)?
                    .session(&mut *s)
                    .await?;
                publish(state, s, c, Event::CustomerCreated, actor).await
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(customer.wire())))
}

/// The customer's stream change and event, in the caller's transaction.
async fn publish(
    state: &AppState,
    s: &mut mongodb::ClientSession,
    c: &CustomerDoc,
    event: fn(payloads::CustomerChanged) -> Event,
    actor: &str,
) -> mongodb::error::Result<()> {
    let db = db(state);
    streams::append(&db, s, &streams::customers_key(&c.company_id), c.change()?).await?;
    let event = event(payloads::CustomerChanged {
        customer_id: c.id.clone(),
        active: Some(c.active),
        shop_id: None,
        terminal_id: None,
    })
    .message(Some(&c.company_id), Some(actor));
    outbox::record(&db, s, &event).await
}

/// Changes a customer's details, credit limit or whether their account is open. The
/// balance is the sum of their account entries and is never set by hand.
#[utoipa::path(patch, path = "/api/customers/{id}", tag = "customers", security(("bearer" = [])), request_body = UpdateCustomer,
    responses((status = 200, body = CompanyCustomer), (status = 404, body = pos_shared::error::WireError), (status = 422, body = pos_shared::error::WireError)))]
pub async fn update_customer(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<UpdateCustomer>,
) -> ApiResult<Json<CompanyCustomer>> {
    p.require(Role::ShopManager)?;
    let mut c = visible(&state, &p, &id.to_string()).await?;
    let mut set = Document::new();
    if let Some(name) = req.name {
        c.name = name.trim().to_owned();
        c.name_norm = c.name.to_lowercase();
        set.insert("name", &c.name);
        set.insert("name_norm", &c.name_norm);
    }
    if req.phone.is_some() {
        c.phone = blank_to_none(req.phone);
        set.insert("phone", &c.phone);
    }
    if req.email.is_some() {
        c.email = blank_to_none(req.email);
        set.insert("email", &c.email);
    }
    if let Some(limit) = req.credit_limit_minor {
        c.credit_limit_minor = limit;
        set.insert("credit_limit_minor", limit);
    }
    if let Some(active) = req.active {
        c.active = active;
        set.insert("active", active);
    }
    validate(&state, &c).await?;
    set.insert("updated_at", now());
    // Only the fields sent are set: a till's sale moving the balance meanwhile is kept.
    let ctx = (state.clone(), c, set, p.id.clone());
    let stored = state
        .write(ctx, |s, (state, c, set, actor)| {
            Box::pin(async move {
                let stored = customers(state, &TenantScope::company(&c.company_id))
                    .find_one_and_update(doc! { "_id": &c.id }, doc! { "$set": set.clone() })
                    .return_document(ReturnDocument::After)
                    .session(&mut *s)
                    .await?
                    .ok_or_else(|| mongodb::error::Error::custom("customer vanished"))?;
                publish(state, s, &stored, Event::CustomerUpdated, actor).await?;
                Ok(stored)
            })
        })
        .await?;
    Ok(Json(stored.wire()))
}

async fn visible(state: &AppState, p: &Principal, id: &str) -> ApiResult<CustomerDoc> {
    customers(state, &TenantScope::company(p.company()?))
        .find_one(doc! { "_id": id })
        .await?
        .ok_or_else(|| ApiError::not_found("customer"))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CustomerQuery {
    /// Prefix of the name (any case), or of the phone number or email address.
    pub q: Option<String>,
}

/// The company's customers by name (cashiers and up); `q` narrows the list.
#[utoipa::path(get, path = "/api/customers", tag = "customers", security(("bearer" = [])), params(Page, CustomerQuery),
    responses((status = 200, body = [CompanyCustomer])))]
pub async fn list_customers(
    State(state): State<AppState>,
    p: Principal,
    Query(page): Query<Page>,
    Query(q): Query<CustomerQuery>,
) -> ApiResult<Json<Vec<CompanyCustomer>>> {
    p.require(Role::Cashier)?;
    let scope = TenantScope::company(p.company()?);
    let mut filter = Document::new();
    if let Some(q) = q.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let prefix = prefix_regex(&q.to_lowercase());
        let raw = prefix_regex(q);
        filter.insert(
            "$or",
            vec![
                doc! { "name_norm": { "$regex": &prefix } },
                doc! { "phone": { "$regex": &raw } },
                doc! { "email": { "$regex": &raw, "$options": "i" } },
            ],
        );
    }
    let docs: Vec<CustomerDoc> = customers(&state, &scope)
        .find(filter)
        .sort(doc! { "name_norm": 1, "_id": 1 })
        .skip(page.offset)
        .limit(page.limit_i64())
        .await?
        .try_collect()
        .await?;
    Ok(Json(docs.iter().map(CustomerDoc::wire).collect()))
}

/// One entry of a customer's account, newest first in [`CustomerAccount`].
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountEntry {
    pub amount_minor: i64,
    /// `on_account`, `store_credit`, `payment` or `refund`.
    pub kind: String,
    /// The sale, refund or payment it belongs to.
    pub ref_id: String,
    pub shop_id: String,
    pub terminal_id: String,
    /// RFC 3339 UTC, when the server recorded it.
    pub at: String,
}

/// A customer with the newest entries of their account.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerAccount {
    pub customer: CompanyCustomer,
    pub entries: Vec<AccountEntry>,
}

/// A customer and their newest account entries (up to 200).
#[utoipa::path(get, path = "/api/customers/{id}", tag = "customers", security(("bearer" = [])),
    responses((status = 200, body = CustomerAccount), (status = 404, body = pos_shared::error::WireError)))]
pub async fn get_customer(
    State(state): State<AppState>,
    p: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<CustomerAccount>> {
    p.require(Role::Cashier)?;
    let c = visible(&state, &p, &id.to_string()).await?;
    let docs: Vec<Document> = entries(&state, &TenantScope::company(&c.company_id))
        .find(doc! { "customer_id": &c.id })
        .sort(doc! { "at": -1, "_id": -1 })
        .limit(200)
        .await?
        .try_collect()
        .await?;
    let entries = docs
        .iter()
        .map(|d| AccountEntry {
            amount_minor: d.get_i64("amount_minor").unwrap_or_default(),
            kind: d.get_str("kind").unwrap_or_default().to_owned(),
            ref_id: d.get_str("ref_id").unwrap_or_default().to_owned(),
            shop_id: d.get_str("shop_id").unwrap_or_default().to_owned(),
            terminal_id: d.get_str("terminal_id").unwrap_or_default().to_owned(),
            at: d
                .get_datetime("at")
                .map(|t| rfc3339(*t))
                .unwrap_or_default(),
        })
        .collect();
    Ok(Json(CustomerAccount {
        customer: c.wire(),
        entries,
    }))
}
