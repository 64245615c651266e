//! Applies `config` stream changes (entity `terminal`, id = terminal id) inside the
//! caller's transaction: the shop's terminals and their receipt seal keys, which
//! `refunds::with_sealed_receipt` checks another till's receipt against.

use pos_shared::sync::{Change, ShopTerminal};

use super::apply_catalog::Tally;
use super::pull::{Applied, upserted};
use crate::error::CoreResult;
use crate::store::Tx;

pub(super) async fn apply_page(tx: &mut Tx, now_ms: i64, changes: &[Change]) -> CoreResult<Tally> {
    let mut tally = Tally::default();
    for change in changes {
        let applied = match read(change) {
            Ok(t) => {
                sqlx::query(
                    "INSERT INTO terminal_keys (terminal_id, name, public_key, active, updated_at_ms)
                     VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (terminal_id) DO UPDATE SET name = excluded.name,
                         public_key = coalesce(excluded.public_key, terminal_keys.public_key),
                         active = excluded.active, updated_at_ms = excluded.updated_at_ms",
                )
                .bind(&t.terminal_id)
                .bind(&t.name)
                .bind(&t.receipt_public_key)
                .bind(t.active)
                .bind(now_ms)
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

fn read(change: &Change) -> Result<ShopTerminal, String> {
    let t: ShopTerminal = upserted(change, "terminal")?;
    if t.terminal_id != change.id {
        return Err(format!(
            "terminal {} under change id {}",
            t.terminal_id, change.id
        ));
    }
    Ok(t)
}
