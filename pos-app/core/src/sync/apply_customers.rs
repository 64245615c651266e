//! Applies `customers` stream changes (entity `customer`, id = customer id) inside the
//! caller's transaction: the company's customers with the server's account balance, which
//! `customers` adds this till's not-yet-included entries to (`pull::mark_included`, the
//! same rule as stock).

use pos_shared::sync::{Change, CompanyCustomer};

use super::apply_catalog::Tally;
use super::pull::{Applied, upserted};
use crate::error::CoreResult;
use crate::store::Tx;

pub(super) async fn apply_page(tx: &mut Tx, now_ms: i64, changes: &[Change]) -> CoreResult<Tally> {
    let mut tally = Tally::default();
    for change in changes {
        let applied = match read(change) {
            Ok(c) if c.placeholder => {
                sqlx::query(
                    "INSERT INTO customers (id, name, credit_limit_minor, active, created_at_ms,
                         server_balance_minor)
                     VALUES (?, ?, 0, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET
                         server_balance_minor = excluded.server_balance_minor",
                )
                .bind(&c.customer_id)
                .bind(&c.name)
                .bind(c.active)
                .bind(now_ms)
                .bind(c.balance_minor)
                .execute(&mut **tx)
                .await?;
                Applied::Done
            }
            Ok(c) => {
                sqlx::query(
                    "INSERT INTO customers (id, name, phone, email, credit_limit_minor, active,
                         created_at_ms, server_balance_minor)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                         phone = excluded.phone, email = excluded.email,
                         credit_limit_minor = excluded.credit_limit_minor,
                         active = excluded.active,
                         server_balance_minor = excluded.server_balance_minor",
                )
                .bind(&c.customer_id)
                .bind(&c.name)
                .bind(&c.phone)
                .bind(&c.email)
                .bind(c.credit_limit_minor)
                .bind(c.active)
                .bind(now_ms)
                .bind(c.balance_minor)
                .execute(&mut **tx)
                .await?;
                Applied::Done
            }
            Err(why) => Applied::Skipped(why),
        };
        tally.count(change, &applied);
    }
    Ok(tally)
}

fn read(change: &Change) -> Result<CompanyCustomer, String> {
    let c: CompanyCustomer = upserted(change, "customer")?;
    if c.customer_id != change.id {
        return Err(format!(
            "customer {} under change id {}",
            c.customer_id, change.id
        ));
    }
    if c.name.trim().is_empty() {
        return Err("customer without a name".into());
    }
    Ok(c)
}
