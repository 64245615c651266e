//! Applies `staff` stream changes (entity `staff`, id = the person's user id) inside the
//! caller's transaction: who may log in at this shop's tills, with their role and the PIN
//! hash checked offline. Someone removed from the shop, or without a PIN, cannot log in.

use pos_shared::sync::{Change, ShopStaff};

use super::apply_catalog::Tally;
use super::pull::{Applied, upserted};
use crate::error::CoreResult;
use crate::store::Tx;

pub(super) async fn apply_page(tx: &mut Tx, now_ms: i64, changes: &[Change]) -> CoreResult<Tally> {
    let mut tally = Tally::default();
    for change in changes {
        let applied = match read(change) {
            Ok(s) => {
                let can_log_in = s.active && s.pin_hash.is_some();
                sqlx::query(
                    "INSERT INTO staff (id, name, role, pin_hash, active, created_at_ms, from_server)
                     VALUES (?, ?, ?, ?, ?, ?, 1)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
                         pin_hash = excluded.pin_hash, active = excluded.active,
                         failed_attempts = 0, locked_until_ms = NULL
                     WHERE staff.from_server = 1",
                )
                .bind(&s.user_id)
                .bind(&s.name)
                .bind(s.role.as_str())
                .bind(s.pin_hash.unwrap_or_default())
                .bind(can_log_in)
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

fn read(change: &Change) -> Result<ShopStaff, String> {
    let s: ShopStaff = upserted(change, "staff")?;
    if s.user_id != change.id {
        return Err(format!("staff {} under change id {}", s.user_id, change.id));
    }
    if !s.role.is_staff() {
        return Err(format!("role `{}` cannot work a till", s.role));
    }
    Ok(s)
}
