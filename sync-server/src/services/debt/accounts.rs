//! What tills' facts do to customer accounts, inside the projector's transaction: new
//! customers are stored, account entries are inserted and each touched customer's
//! balance moves by their sum, and every touched customer gets ONE change on the
//! company's customers stream with their final state. Round trips are per batch and per
//! touched customer, never per sale.

use std::collections::{BTreeMap, HashSet};

use futures::TryStreamExt;
use mongodb::{
    ClientSession,
    bson::{DateTime, Document, doc},
    options::ReturnDocument,
};
use pos_shared::facts::{CustomerCreated, DebtPayment, Refund, Sale};

use super::{CustomerDoc, customers, db, entries};
use crate::{
    events::{Event, outbox, payloads},
    gateway::tenancy::TenantScope,
    state::AppState,
    streams,
};

/// Where a batch's account facts came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub company_id: &'a str,
    pub shop_id: &'a str,
    pub terminal_id: &'a str,
}

/// One signed entry on a customer's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Derived from the fact (event id + what in it), so a replay cannot count it twice.
    pub id: String,
    pub customer_id: String,
    /// Positive raises what the customer owes.
    pub amount_minor: i64,
    /// `on_account`, `store_credit` (tenders), `payment`, `refund`.
    pub kind: &'static str,
    /// The sale, refund or payment it belongs to.
    pub ref_id: String,
    pub source_event: String,
}

impl Entry {
    /// A sale's account tenders: on account and store credit both raise the balance
    /// (store credit is a negative balance being used up).
    pub fn of_sale(event_id: &str, sale: &Sale) -> Vec<Entry> {
        let Some(customer) = &sale.customer_id else {
            return Vec::new();
        };
        sale.tenders
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let kind = match t.kind.as_str() {
                    "on_account" => "on_account",
                    "store_credit" => "store_credit",
                    _ => return None,
                };
                Some(Entry {
                    id: format!("{event_id}:t{i}"),
                    customer_id: customer.clone(),
                    amount_minor: t.amount_minor,
                    kind,
                    ref_id: sale.id.clone(),
                    source_event: event_id.to_owned(),
                })
            })
            .collect()
    }

    /// A refund paid back onto the customer's account.
    pub fn of_refund(event_id: &str, r: &Refund) -> Option<Entry> {
        let to_account = matches!(r.tender_kind.as_str(), "on_account" | "store_credit");
        Some(Entry {
            id: format!("{event_id}:a"),
            customer_id: r.customer_id.clone().filter(|_| to_account)?,
            amount_minor: -r.total_minor,
            kind: "refund",
            ref_id: r.id.clone(),
            source_event: event_id.to_owned(),
        })
    }

    /// Cash paid towards the customer's debt.
    pub fn of_payment(event_id: &str, p: &DebtPayment) -> Entry {
        Entry {
            id: format!("{event_id}:a"),
            customer_id: p.customer_id.clone(),
            amount_minor: -p.amount_minor,
            kind: "payment",
            ref_id: p.payment_id.clone(),
            source_event: event_id.to_owned(),
        }
    }

    fn event(&self) -> fn(payloads::DebtEntry) -> Event {
        match self.kind {
            "payment" => Event::DebtPaid,
            "refund" => Event::DebtRefunded,
            _ => Event::DebtCharged,
        }
    }
}

/// Stores `created` customers and applies `new_entries`; returns the customers the
/// entries named that the company does not have (each gets a placeholder account so the
/// ledger still sums, and the caller records an exception).
///
/// Idempotent: a customer already stored and an entry whose id is already there change
/// nothing, so replaying facts (the projector's retries, the upgrade backfill) never
/// counts an entry twice.
pub async fn apply(
    state: &AppState,
    s: &mut ClientSession,
    origin: Origin<'_>,
    created: &[CustomerCreated],
    new_entries: &[Entry],
    at: DateTime,
) -> mongodb::error::Result<Vec<String>> {
    if created.is_empty() && new_entries.is_empty() {
        return Ok(Vec::new());
    }
    let scope = TenantScope::company(origin.company_id);
    let mut events = Vec::new();
    let mut stored_new = Vec::new();
    for c in created {
        if store_new(state, s, origin, c, at).await? {
            stored_new.push(c.customer_id.as_str());
            let created = payloads::CustomerChanged {
                customer_id: c.customer_id.clone(),
                active: None,
                shop_id: Some(origin.shop_id.to_string()),
                terminal_id: Some(origin.terminal_id.to_string()),
            };
            events.push(
                Event::CustomerCreated(created)
                    .message(Some(origin.company_id), Some(origin.terminal_id)),
            );
        }
    }
    let known = existing_entries(state, s, &scope, new_entries).await?;
    let new_entries: Vec<&Entry> = new_entries
        .iter()
        .filter(|e| !known.contains(e.id.as_str()))
        .collect();
    let mut delta: BTreeMap<&str, i64> = BTreeMap::new();
    for e in &new_entries {
        *delta.entry(&e.customer_id).or_default() += e.amount_minor;
    }
    let unknown = missing(state, s, &scope, delta.keys().copied()).await?;
    if !new_entries.is_empty() {
        let docs: Vec<Document> = new_entries
            .iter()
            .map(|e| {
                doc! {
                    "_id": &e.id, "company_id": origin.company_id, "shop_id": origin.shop_id,
                    "terminal_id": origin.terminal_id, "customer_id": &e.customer_id,
                    "amount_minor": e.amount_minor, "kind": e.kind, "ref_id": &e.ref_id,
                    "source_event": &e.source_event, "at": at,
                }
            })
            .collect();
        entries(state, &scope)
            .insert_many(&docs)?
            .session(&mut *s)
            .await?;
    }
    let mut touched: BTreeMap<String, CustomerDoc> = BTreeMap::new();
    for (customer_id, amount) in &delta {
        let doc = customers(state, &scope)
            .find_one_and_update(
                doc! { "_id": *customer_id },
                doc! {
                    "$inc": { "balance_minor": amount },
                    "$set": { "updated_at": at },
                    "$setOnInsert": placeholder(origin, at),
                },
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .session(&mut *s)
            .await?
            .ok_or_else(|| mongodb::error::Error::custom("upserted customer not returned"))?;
        touched.insert(doc.id.clone(), doc);
    }
    let fresh: Vec<&str> = stored_new
        .into_iter()
        .filter(|id| !touched.contains_key(*id))
        .collect();
    if !fresh.is_empty() {
        let docs: Vec<CustomerDoc> = customers(state, &scope)
            .find(doc! { "_id": { "$in": fresh } })
            .session(&mut *s)
            .await?
            .stream(&mut *s)
            .try_collect()
            .await?;
        touched.extend(docs.into_iter().map(|d| (d.id.clone(), d)));
    }
    let changes = touched
        .values()
        .map(CustomerDoc::change)
        .collect::<mongodb::error::Result<Vec<_>>>()?;
    let db = db(state);
    streams::append_many(&db, s, &streams::customers_key(origin.company_id), &changes).await?;
    for e in &new_entries {
        let entry = payloads::DebtEntry {
            customer_id: e.customer_id.clone(),
            amount_minor: e.amount_minor,
            kind: e.kind.to_string(),
            ref_id: e.ref_id.clone(),
            shop_id: origin.shop_id.to_string(),
            balance_minor: touched.get(&e.customer_id).map(|c| c.balance_minor),
        };
        events.push((e.event())(entry).message(Some(origin.company_id), Some(origin.terminal_id)));
    }
    for e in &events {
        outbox::record(&db, s, e).await?;
    }
    Ok(unknown)
}

/// Ids of `new_entries` already stored (a replay).
async fn existing_entries(
    state: &AppState,
    s: &mut ClientSession,
    scope: &TenantScope,
    new_entries: &[Entry],
) -> mongodb::error::Result<HashSet<String>> {
    if new_entries.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<&str> = new_entries.iter().map(|e| e.id.as_str()).collect();
    let found = entries(state, scope)
        .ids_in(doc! { "_id": { "$in": ids } }, s)
        .await?;
    Ok(found.into_iter().collect())
}

/// Stores a till's new customer unless it is already there (a replay), completing a
/// placeholder account an earlier entry made; true if stored or completed.
async fn store_new(
    state: &AppState,
    s: &mut ClientSession,
    origin: Origin<'_>,
    c: &CustomerCreated,
    at: DateTime,
) -> mongodb::error::Result<bool> {
    let name = c.name.trim();
    let details = doc! {
        "name": name, "name_norm": name.to_lowercase(), "phone": &c.phone,
        "email": &c.email, "credit_limit_minor": c.credit_limit_minor.max(0),
        "placeholder": false,
    };
    let mut completing = details.clone();
    completing.insert("updated_at", at);
    let scope = TenantScope::company(origin.company_id);
    let completed = customers(state, &scope)
        .update_one(
            doc! { "_id": &c.customer_id, "placeholder": true },
            doc! { "$set": completing },
        )
        .session(&mut *s)
        .await?;
    if completed.modified_count > 0 {
        return Ok(true);
    }
    let mut fresh = details;
    fresh.extend(doc! {
        "balance_minor": 0_i64, "active": true, "created_by": origin.terminal_id,
        "created_at": at, "updated_at": at,
    });
    let r = customers(state, &scope)
        .update_one(
            doc! { "_id": &c.customer_id },
            doc! { "$setOnInsert": fresh },
        )
        .upsert(true)
        .session(&mut *s)
        .await?;
    Ok(r.upserted_id.is_some())
}

/// The fields of an account the server learns of only through an entry (its
/// `customer_created` fact was quarantined, say): kept so the ledger still sums, and
/// marked so that tills keep the details they have and the real record completes it.
fn placeholder(origin: Origin<'_>, at: DateTime) -> Document {
    doc! {
        "name": "Unknown customer", "name_norm": "unknown customer", "phone": null,
        "email": null, "credit_limit_minor": 0_i64, "active": true, "placeholder": true,
        "created_by": origin.terminal_id, "created_at": at,
    }
}

/// Which of `ids` the company has no customer for.
async fn missing<'a>(
    state: &AppState,
    s: &mut ClientSession,
    scope: &TenantScope,
    ids: impl Iterator<Item = &'a str>,
) -> mongodb::error::Result<Vec<String>> {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found: HashSet<String> = customers(state, scope)
        .ids_in(doc! { "_id": { "$in": &ids } }, s)
        .await?
        .into_iter()
        .collect();
    Ok(ids
        .into_iter()
        .filter(|id| !found.contains(*id))
        .map(str::to_owned)
        .collect())
}
