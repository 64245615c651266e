//! The debt service (debtdb): a company's customers and their accounts as a ledger of
//! signed entries (on-account sales and store credit used raise what they owe; payments
//! and refunds to the account lower it), each customer's balance kept equal to the sum
//! of their entries in the same transaction, and the `customers:{company}` stream that
//! brings customers and balances to every till of the company.
//!
//! Tills write here through the projector (customers created at a till, the account
//! tenders of their sales and refunds, debt payments); managers through the REST API.

pub mod accounts;
pub mod payments;
pub mod routes;

use mongodb::{
    Database, IndexModel,
    bson::{DateTime, doc},
};
use pos_shared::sync::CompanyCustomer;
use serde::{Deserialize, Serialize};

use crate::{
    db::ServiceDb,
    gateway::tenancy::{Scoped, TenantScope},
    state::AppState,
    store::System,
    streams,
};

pub fn db(state: &AppState) -> Database {
    state.mongo.db(ServiceDb::Debt)
}

/// The customers of `scope`'s company.
pub fn customers(state: &AppState, scope: &TenantScope) -> Scoped<CustomerDoc> {
    crate::store::scoped(&state.mongo, &crate::store::CUSTOMERS, scope)
}

/// Account entries of `scope`'s company; `_id` derives from the fact that caused it, so a
/// replay cannot count it twice.
pub fn entries(state: &AppState, scope: &TenantScope) -> Scoped<mongodb::bson::Document> {
    crate::store::scoped(&state.mongo, &crate::store::ACCOUNT_ENTRIES, scope)
}

/// A customer as stored: contact details, limit and the balance of their entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub company_id: String,
    pub name: String,
    /// Lower-cased name: what the portal's search matches a prefix of.
    pub name_norm: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub credit_limit_minor: i64,
    pub balance_minor: i64,
    pub active: bool,
    /// An account known only from an entry whose customer the server never received:
    /// "Unknown customer" until that customer's record arrives.
    #[serde(default)]
    pub placeholder: bool,
    /// Where the customer was first recorded: `portal` or the till's terminal id.
    pub created_by: String,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

impl CustomerDoc {
    pub fn wire(&self) -> CompanyCustomer {
        CompanyCustomer {
            customer_id: self.id.clone(),
            name: self.name.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            credit_limit_minor: self.credit_limit_minor,
            balance_minor: self.balance_minor,
            active: self.active,
            placeholder: self.placeholder,
        }
    }

    /// This customer's change on the company's customers stream.
    pub fn change(&self) -> mongodb::error::Result<streams::NewChange> {
        let data = serde_json::to_value(self.wire())
            .map_err(|e| mongodb::error::Error::custom(format!("customer not encodable: {e}")))?;
        Ok(streams::NewChange {
            entity: "customer",
            id: self.id.clone(),
            op: pos_shared::sync::ChangeOp::Upsert,
            data: Some(data),
        })
    }
}

pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let db = db(state);
    crate::store::system::<CustomerDoc>(&state.mongo, &crate::store::CUSTOMERS, System::Indexes)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "company_id": 1, "name_norm": 1 })
                .build(),
        )
        .await?;
    crate::store::system::<mongodb::bson::Document>(
        &state.mongo,
        &crate::store::ACCOUNT_ENTRIES,
        System::Indexes,
    )
    .create_index(
        IndexModel::builder()
            .keys(doc! { "company_id": 1, "customer_id": 1, "at": -1 })
            .build(),
    )
    .await?;
    streams::ensure_indexes(&db).await?;
    crate::events::outbox::ensure_indexes(&db).await?;
    Ok(())
}

/// This service's registration: what the server runs of it (see `services::registry`).
pub const SERVICE: crate::services::Service = crate::services::Service::new(
    "debt",
    ServiceDb::Debt,
    routes::router,
    <Api as utoipa::OpenApi>::openapi,
)
// The projector (with sales) writes customer accounts and their stream too.
.written_by(&["sales"])
.prepare("debt", |st| Box::pin(async move { prepare(&st).await }))
.outbox()
.change_log();

/// This service's operations in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    routes::list_customers,
    routes::create_customer,
    routes::get_customer,
    routes::update_customer,
    payments::take_payment,
))]
struct Api;
