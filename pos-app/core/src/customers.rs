//! Customers known to this terminal and their running account (debt and store credit).
//!
//! The balance is what the server last said (`server_balance_minor`, built from every
//! till's facts; 0 on a standalone till) plus this till's `debt_entries` the server has
//! not built into it yet: positive means the customer owes the shop (on-account sales),
//! negative means the shop owes them (store credit).

use pos_shared::Money;
use serde::Serialize;
use sqlx::Row;

use crate::error::{CoreError, CoreResult};
use crate::journal::{self, FactKind};
use crate::staff::Staff;
use crate::store::{LocalDb, new_id};

/// A customer with their current balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub credit_limit_minor: i64,
    pub balance_minor: i64,
}

/// Fields for a new customer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCustomer {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub credit_limit_minor: i64,
}

/// Creates a customer (a journal fact, so the server learns of them).
pub async fn add(db: &LocalDb, staff: &Staff, c: &NewCustomer) -> CoreResult<Customer> {
    let id = new_id();
    let currency = crate::terminal::load(db).await?.currency;
    // pos-shared owns what a valid customer is (name, email and phone shape, limit).
    pos_shared::customer::Customer {
        id: id
            .parse()
            .map_err(|_| CoreError::invalid("minted a malformed customer id"))?,
        name: c.name.trim().to_owned(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        credit_limit: Money::new(c.credit_limit_minor, currency),
    }
    .validate()
    .map_err(|e| CoreError::invalid(e.to_string()))?;
    let now = db.now_ms();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO customers (id, name, phone, email, credit_limit_minor, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(c.name.trim())
    .bind(&c.phone)
    .bind(&c.email)
    .bind(c.credit_limit_minor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let fact = pos_shared::facts::CustomerCreated {
        customer_id: id.clone(),
        name: c.name.trim().to_owned(),
        phone: c.phone.clone(),
        email: c.email.clone(),
        credit_limit_minor: c.credit_limit_minor,
        staff_id: staff.id.clone(),
    };
    journal::append(&mut tx, now, FactKind::CustomerCreated, &fact).await?;
    tx.commit().await?;
    // What was just stored, without reading it back: a read now would run on a reader
    // connection whose page cache this very write has just dropped.
    Ok(Customer {
        id,
        name: c.name.trim().to_owned(),
        phone: c.phone.clone(),
        email: c.email.clone(),
        credit_limit_minor: c.credit_limit_minor,
        balance_minor: 0,
    })
}

/// The server's balance plus this till's entries not yet in it.
macro_rules! balance_sql {
    () => {
        "c.server_balance_minor + coalesce((SELECT sum(d.amount_minor)
        FROM debt_entries d WHERE d.customer_id = c.id AND d.in_server = 0), 0)"
    };
}

const SELECT: &str = concat!(
    "SELECT c.id, c.name, c.phone, c.email, c.credit_limit_minor, ",
    balance_sql!(),
    " FROM customers c"
);

fn from_row(r: &sqlx::sqlite::SqliteRow) -> Customer {
    Customer {
        id: r.get(0),
        name: r.get(1),
        phone: r.get(2),
        email: r.get(3),
        credit_limit_minor: r.get(4),
        balance_minor: r.get(5),
    }
}

/// One customer by id.
pub async fn get(db: &LocalDb, id: &str) -> CoreResult<Customer> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.id = ?"));
    let row = sqlx::query(sql).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref()
        .map(from_row)
        .ok_or_else(|| CoreError::NotFound {
            what: "customer",
            id: id.to_owned(),
        })
}

/// Active customers by name.
pub async fn list(db: &LocalDb) -> CoreResult<Vec<Customer>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.active = 1 ORDER BY c.name"));
    let rows = sqlx::query(sql).fetch_all(db.pool()).await?;
    Ok(rows.iter().map(from_row).collect())
}

/// Balance inside a transaction (what a sale must check against).
pub async fn balance_in(
    tx: &mut sqlx::SqliteConnection,
    customer_id: &str,
) -> CoreResult<(i64, i64)> {
    let sql = concat!(
        "SELECT c.credit_limit_minor, ",
        balance_sql!(),
        " FROM customers c WHERE c.id = ? AND c.active = 1"
    );
    let row = sqlx::query(sql)
        .bind(customer_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: "customer",
            id: customer_id.to_owned(),
        })?;
    Ok((row.get(0), row.get(1)))
}

/// One entry on a customer's account, stated by journal record `journal_seq`.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    pub customer_id: &'a str,
    pub amount_minor: i64,
    /// `on_account`, `store_credit`, `payment` or `refund`.
    pub kind: &'a str,
    pub ref_id: &'a str,
    pub journal_seq: i64,
}

/// Appends one entry to a customer's account inside `tx`.
pub async fn add_entry(
    tx: &mut sqlx::SqliteConnection,
    now_ms: i64,
    e: NewEntry<'_>,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO debt_entries (id, customer_id, amount_minor, kind, ref_id, created_at_ms,
             journal_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(new_id())
    .bind(e.customer_id)
    .bind(e.amount_minor)
    .bind(e.kind)
    .bind(e.ref_id)
    .bind(now_ms)
    .bind(e.journal_seq)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records a cash payment towards a customer's debt on the open shift (a journal fact).
pub async fn pay_debt(
    db: &LocalDb,
    staff: &Staff,
    customer_id: &str,
    amount_minor: i64,
) -> CoreResult<Customer> {
    if amount_minor <= 0 {
        return Err(CoreError::invalid("a payment must be more than zero"));
    }
    crate::error::within_entry_limit(amount_minor, "a payment")?;
    let now = db.now_ms();
    let id = new_id();
    let mut tx = db.begin().await?;
    balance_in(&mut tx, customer_id).await?;
    // The payment is cash into the drawer, so it belongs to the open shift.
    let shift_id = crate::shifts::open_shift_id(&mut tx).await?;
    sqlx::query(
        "INSERT INTO cash_movements (id, shift_id, kind, amount_minor, reason, staff_id, created_at_ms)
         VALUES (?, ?, 'debt_payment', ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&shift_id)
    .bind(amount_minor)
    .bind(format!("debt payment by customer {customer_id}"))
    .bind(&staff.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let fact = pos_shared::facts::DebtPayment {
        payment_id: id.clone(),
        customer_id: customer_id.to_owned(),
        amount_minor,
        shift_id,
        staff_id: staff.id.clone(),
    };
    let record = journal::append(&mut tx, now, FactKind::DebtPayment, &fact).await?;
    let entry = NewEntry {
        customer_id,
        amount_minor: -amount_minor,
        kind: "payment",
        ref_id: &id,
        journal_seq: record.seq,
    };
    add_entry(&mut tx, now, entry).await?;
    tx.commit().await?;
    get(db, customer_id).await
}
