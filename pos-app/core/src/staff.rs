//! Staff on this terminal: PIN hashes, local login with lockout, and role checks.
//!
//! PINs are checked locally so login works offline. Hashes are argon2id with modest
//! parameters (8 MiB, 2 passes): a 4-6 digit PIN has at most a million values, so no
//! hash cost protects a stolen database from brute force; what protects PINs is the
//! lockout below. The cost is kept low so a login, which may verify every staff
//! member's hash (login is by PIN alone), stays well under 100 ms.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use pos_shared::role::Role;
use serde::Serialize;
use sqlx::Row;

use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, get_i64_setting, new_id, set_setting};

/// Wrong PINs in a row before PIN entry locks.
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
/// How long a lockout lasts.
pub const LOCKOUT_MS: i64 = 5 * 60 * 1000;

/// A staff member as the terminal knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// Actions a role may be restricted from doing alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Refund,
    RefundWithoutReceipt,
    VoidSale,
    LargeDiscount,
    CashVariance,
    PayOutBeyondDrawer,
    ManageStaff,
    /// Selling an item at another price than the catalog's.
    PriceOverride,
}

impl Action {
    pub fn describe(self) -> &'static str {
        match self {
            Action::Refund => "a refund",
            Action::RefundWithoutReceipt => "a refund without receipt",
            Action::VoidSale => "voiding a sale",
            Action::LargeDiscount => "a discount above the threshold",
            Action::CashVariance => "closing a shift with a cash variance above the threshold",
            Action::PayOutBeyondDrawer => "paying out more cash than the drawer should hold",
            Action::ManageStaff => "managing staff",
            Action::PriceOverride => "changing an item's price",
        }
    }
}

/// Whether `role` needs a manager's approval for `action`. Managers and above never do.
pub fn needs_manager(role: Role, action: Action) -> bool {
    if role.at_least(Role::ShopManager) {
        return false;
    }
    match action {
        Action::Refund
        | Action::RefundWithoutReceipt
        | Action::VoidSale
        | Action::LargeDiscount
        | Action::CashVariance
        | Action::PayOutBeyondDrawer
        | Action::ManageStaff
        | Action::PriceOverride => true,
    }
}

fn hasher() -> Argon2<'static> {
    // 8 MiB, 2 passes, 1 lane: ~10 ms with the workspace's optimised argon2 build.
    let params = Params::new(8 * 1024, 2, 1, None).expect("constant argon2 params are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn validate_pin(pin: &str) -> CoreResult<()> {
    if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CoreError::invalid("a PIN is 4 to 8 digits"));
    }
    Ok(())
}

/// Hashes a PIN to a PHC string.
pub fn hash_pin(pin: &str) -> CoreResult<String> {
    validate_pin(pin)?;
    hasher()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| CoreError::PinHash(e.to_string()))
}

/// True when `pin` matches the PHC string `hash`.
pub fn pin_matches(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| hasher().verify_password(pin.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Adds a staff member once approved: until the till has a manager anyone may add staff
/// (setting up a new terminal); after that a manager's PIN approves.
pub async fn add_approved(
    db: &LocalDb,
    name: &str,
    role: Role,
    pin: &str,
    manager_pin: Option<&str>,
) -> CoreResult<Staff> {
    let has_manager = list(db)
        .await?
        .iter()
        .any(|s| !needs_manager(s.role, Action::ManageStaff));
    if has_manager {
        let denied = || CoreError::ManagerApprovalRequired {
            action: "adding staff".into(),
        };
        let approver = login(db, manager_pin.ok_or_else(denied)?).await?;
        if needs_manager(approver.role, Action::ManageStaff) {
            return Err(denied());
        }
    }
    add(db, name, role, pin).await
}

/// Adds a staff member. PINs must be unique because login is by PIN alone.
pub async fn add(db: &LocalDb, name: &str, role: Role, pin: &str) -> CoreResult<Staff> {
    if name.trim().is_empty() {
        return Err(CoreError::invalid("a staff member needs a name"));
    }
    if role == Role::Customer {
        return Err(CoreError::invalid(
            "customers cannot log in to a terminal; pick a staff role",
        ));
    }
    validate_pin(pin)?;
    if find_by_pin(db, pin).await?.is_some() {
        // Login is by PIN alone, so PINs must differ; but a refusal tells the person adding
        // staff that someone has this PIN. It counts as a wrong PIN so this cannot be used
        // to test PINs faster than the lockout allows.
        return Err(match count_wrong_pin(db, db.now_ms()).await? {
            locked @ CoreError::LockedOut { .. } => locked,
            _ => CoreError::PinTaken,
        });
    }
    let staff = Staff {
        id: new_id(),
        name: name.trim().to_owned(),
        role,
    };
    sqlx::query(
        "INSERT INTO staff (id, name, role, pin_hash, created_at_ms) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&staff.id)
    .bind(&staff.name)
    .bind(role.as_str())
    .bind(hash_pin(pin)?)
    .bind(db.now_ms())
    .execute(db.pool())
    .await?;
    tracing::info!(staff_id = %staff.id, role = %role, "staff member added");
    Ok(staff)
}

struct StaffRow {
    staff: Staff,
    pin_hash: String,
}

async fn active_staff(db: &LocalDb) -> CoreResult<Vec<StaffRow>> {
    let rows = sqlx::query("SELECT id, name, role, pin_hash FROM staff WHERE active = 1")
        .fetch_all(db.pool())
        .await?;
    rows.into_iter()
        .map(|r| {
            let role: String = r.get(2);
            Ok(StaffRow {
                staff: Staff {
                    id: r.get(0),
                    name: r.get(1),
                    role: role.parse().map_err(|e: String| {
                        CoreError::invalid(format!("stored staff role: {e}"))
                    })?,
                },
                pin_hash: r.get(3),
            })
        })
        .collect()
}

async fn find_by_pin(db: &LocalDb, pin: &str) -> CoreResult<Option<Staff>> {
    let pin = pin.to_owned();
    let rows = active_staff(db).await?;
    // argon2 is CPU-bound: keep it off the async worker threads.
    tokio::task::spawn_blocking(move || {
        rows.into_iter()
            .find(|r| pin_matches(&pin, &r.pin_hash))
            .map(|r| r.staff)
    })
    .await
    .map_err(|e| CoreError::PinHash(e.to_string()))
}

/// Lists active staff.
pub async fn list(db: &LocalDb) -> CoreResult<Vec<Staff>> {
    Ok(active_staff(db)
        .await?
        .into_iter()
        .map(|r| r.staff)
        .collect())
}

/// A staff member's name for reports and slips; the id itself when the member is not
/// on this till (synced from another, or removed).
pub async fn name_of(db: &LocalDb, staff_id: &str) -> CoreResult<String> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM staff WHERE id = ?")
        .bind(staff_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(name.unwrap_or_else(|| staff_id.to_owned()))
}

/// Logs in by PIN alone (the CLI and keypad flow). A wrong PIN names nobody, so wrong
/// PINs count towards a terminal-wide lockout: after [`MAX_FAILED_ATTEMPTS`] in a row
/// PIN entry is refused for [`LOCKOUT_MS`], or until a manager lifts it with [`unlock`].
/// A member locked by [`login_as`] stays locked here too.
pub async fn login(db: &LocalDb, pin: &str) -> CoreResult<Staff> {
    let now = db.now_ms();
    let locked_until = get_i64_setting(db.pool(), "pin_locked_until_ms", 0).await?;
    if locked_until > now {
        return Err(CoreError::LockedOut {
            seconds: (locked_until - now + 999) / 1000,
        });
    }
    if validate_pin(pin).is_ok()
        && let Some(staff) = find_by_pin(db, pin).await?
    {
        let member_until: Option<i64> =
            sqlx::query_scalar("SELECT locked_until_ms FROM staff WHERE id = ?")
                .bind(&staff.id)
                .fetch_one(db.pool())
                .await?;
        if let Some(until) = member_until.filter(|u| *u > now) {
            return Err(CoreError::LockedOut {
                seconds: (until - now + 999) / 1000,
            });
        }
        set_setting(db.pool(), "pin_failed_attempts", "0").await?;
        sqlx::query("UPDATE staff SET failed_attempts = 0, locked_until_ms = NULL WHERE id = ?")
            .bind(&staff.id)
            .execute(db.pool())
            .await?;
        tracing::info!(staff_id = %staff.id, "staff logged in");
        return Ok(staff);
    }
    Err(count_wrong_pin(db, now).await?)
}

/// Counts one wrong PIN against the terminal and returns the error to show: how many
/// tries are left, or the lockout it just started.
async fn count_wrong_pin(db: &LocalDb, now: i64) -> CoreResult<CoreError> {
    let failed = get_i64_setting(db.pool(), "pin_failed_attempts", 0).await? + 1;
    // A person at the keypad, not a fault of the terminal: info, not a warning on stderr.
    tracing::info!(failed, "wrong PIN entered");
    if failed >= MAX_FAILED_ATTEMPTS {
        set_setting(db.pool(), "pin_failed_attempts", "0").await?;
        set_setting(
            db.pool(),
            "pin_locked_until_ms",
            &(now + LOCKOUT_MS).to_string(),
        )
        .await?;
        return Ok(CoreError::LockedOut {
            seconds: LOCKOUT_MS / 1000,
        });
    }
    set_setting(db.pool(), "pin_failed_attempts", &failed.to_string()).await?;
    Ok(CoreError::WrongPin {
        remaining: MAX_FAILED_ATTEMPTS - failed,
    })
}

/// Lifts every PIN lockout on this terminal (the terminal-wide one and each member's):
/// a manager who named themselves and gave their own PIN, checked by [`login_as`] so the
/// terminal-wide lockout does not stand in the way. Returns the manager.
pub async fn unlock(db: &LocalDb, manager_id: &str, pin: &str) -> CoreResult<Staff> {
    let manager = login_as(db, manager_id, pin).await?;
    if needs_manager(manager.role, Action::ManageStaff) {
        return Err(CoreError::ManagerApprovalRequired {
            action: "lifting a PIN lockout".into(),
        });
    }
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE staff SET failed_attempts = 0, locked_until_ms = NULL
         WHERE failed_attempts <> 0 OR locked_until_ms IS NOT NULL",
    )
    .execute(&mut *tx)
    .await?;
    set_setting(&mut *tx, "pin_locked_until_ms", "0").await?;
    set_setting(&mut *tx, "pin_failed_attempts", "0").await?;
    tx.commit().await?;
    tracing::info!(manager = %manager.id, "PIN lockouts lifted");
    Ok(manager)
}

/// Logs in a chosen staff member (a UI with staff tiles). Wrong PINs count on that
/// member's row (`failed_attempts`, `locked_until_ms`): after [`MAX_FAILED_ATTEMPTS`]
/// the member is locked for [`LOCKOUT_MS`], the rest of the team is not.
pub async fn login_as(db: &LocalDb, staff_id: &str, pin: &str) -> CoreResult<Staff> {
    let now = db.now_ms();
    let row = sqlx::query(
        "SELECT name, role, pin_hash, locked_until_ms FROM staff WHERE id = ? AND active = 1",
    )
    .bind(staff_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| CoreError::NotFound {
        what: "staff member",
        id: staff_id.to_owned(),
    })?;
    if let Some(until) = row.get::<Option<i64>, _>(3).filter(|u| *u > now) {
        return Err(CoreError::LockedOut {
            seconds: (until - now + 999) / 1000,
        });
    }
    let (pin_owned, hash): (String, String) = (pin.to_owned(), row.get(2));
    let matches = tokio::task::spawn_blocking(move || pin_matches(&pin_owned, &hash))
        .await
        .map_err(|e| CoreError::PinHash(e.to_string()))?;
    if matches {
        sqlx::query("UPDATE staff SET failed_attempts = 0, locked_until_ms = NULL WHERE id = ?")
            .bind(staff_id)
            .execute(db.pool())
            .await?;
        let role: String = row.get(1);
        return Ok(Staff {
            id: staff_id.to_owned(),
            name: row.get(0),
            role: role.parse().map_err(CoreError::Invalid)?,
        });
    }
    let failed: i64 = sqlx::query_scalar(
        "UPDATE staff SET failed_attempts = failed_attempts + 1 WHERE id = ? RETURNING failed_attempts",
    )
    .bind(staff_id)
    .fetch_one(db.pool())
    .await?;
    tracing::info!(staff_id, failed, "wrong PIN entered for a staff member");
    if failed >= MAX_FAILED_ATTEMPTS {
        sqlx::query("UPDATE staff SET failed_attempts = 0, locked_until_ms = ? WHERE id = ?")
            .bind(now + LOCKOUT_MS)
            .bind(staff_id)
            .execute(db.pool())
            .await?;
        return Err(CoreError::LockedOut {
            seconds: LOCKOUT_MS / 1000,
        });
    }
    Err(CoreError::WrongPin {
        remaining: MAX_FAILED_ATTEMPTS - failed,
    })
}

/// Checks that `actor` may do `action`, using `manager_pin` when the role alone is not
/// enough. Returns the approving manager's id when an approval was needed.
pub async fn authorize(
    db: &LocalDb,
    actor: &Staff,
    action: Action,
    manager_pin: Option<&str>,
) -> CoreResult<Option<String>> {
    if !needs_manager(actor.role, action) {
        return Ok(None);
    }
    let denied = || CoreError::ManagerApprovalRequired {
        action: action.describe().to_owned(),
    };
    let pin = manager_pin.ok_or_else(denied)?;
    let approver = login(db, pin).await?;
    if needs_manager(approver.role, action) {
        return Err(denied());
    }
    tracing::info!(approver = %approver.id, actor = %actor.id, ?action, "manager approval");
    Ok(Some(approver.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::sync::Arc;

    async fn db() -> (tempfile::TempDir, LocalDb, ManualClock) {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::at(1_000_000);
        let db = LocalDb::open_with_clock(&dir.path().join("s.db"), Arc::new(clock.clone()))
            .await
            .unwrap();
        (dir, db, clock)
    }

    #[tokio::test]
    async fn login_finds_the_member_by_pin() {
        // Speed is the bench's business, not a timed unit test's.
        let (_d, db, _c) = db().await;
        add(&db, "Ana", Role::Cashier, "1234").await.unwrap();
        let mgr = add(&db, "Bo", Role::ShopManager, "9876").await.unwrap();
        let who = login(&db, "9876").await.unwrap();
        assert_eq!(who, mgr);
    }

    #[tokio::test]
    async fn duplicate_pins_and_bad_pins_are_refused() {
        let (_d, db, _c) = db().await;
        add(&db, "Ana", Role::Cashier, "1234").await.unwrap();
        assert!(matches!(
            add(&db, "Eve", Role::Cashier, "1234").await,
            Err(CoreError::PinTaken)
        ));
        assert!(matches!(
            add(&db, "Eve", Role::Cashier, "12a4").await,
            Err(CoreError::Invalid(_))
        ));
    }

    #[tokio::test]
    async fn five_wrong_pins_lock_for_five_minutes() {
        let (_d, db, clock) = db().await;
        add(&db, "Ana", Role::Cashier, "1234").await.unwrap();
        for left in (1..5).rev() {
            let err = login(&db, "0000").await.unwrap_err();
            assert!(matches!(err, CoreError::WrongPin { remaining } if remaining == left));
        }
        assert!(matches!(
            login(&db, "0000").await,
            Err(CoreError::LockedOut { .. })
        ));
        assert!(
            matches!(login(&db, "1234").await, Err(CoreError::LockedOut { .. })),
            "even the right PIN is refused during a lockout"
        );
        clock.advance_ms(LOCKOUT_MS + 1);
        assert!(login(&db, "1234").await.is_ok(), "the lockout expires");
    }

    #[tokio::test]
    async fn per_member_lockout_leaves_the_rest_of_the_team_alone() {
        let (_d, db, clock) = db().await;
        let ana = add(&db, "Ana", Role::Cashier, "1234").await.unwrap();
        add(&db, "Bo", Role::ShopManager, "9876").await.unwrap();
        for _ in 0..4 {
            assert!(matches!(
                login_as(&db, &ana.id, "0000").await,
                Err(CoreError::WrongPin { .. })
            ));
        }
        assert!(matches!(
            login_as(&db, &ana.id, "0000").await,
            Err(CoreError::LockedOut { .. })
        ));
        assert!(matches!(
            login_as(&db, &ana.id, "1234").await,
            Err(CoreError::LockedOut { .. })
        ));
        assert!(
            login(&db, "9876").await.is_ok(),
            "Bo is not locked out by Ana's typos"
        );
        clock.advance_ms(LOCKOUT_MS);
        assert_eq!(login_as(&db, &ana.id, "1234").await.unwrap(), ana);
    }

    #[tokio::test]
    async fn a_member_locked_by_name_is_locked_by_pin_too() {
        let (_d, db, _c) = db().await;
        let ana = add(&db, "Ana", Role::Cashier, "1234").await.unwrap();
        for _ in 0..MAX_FAILED_ATTEMPTS {
            let _ = login_as(&db, &ana.id, "0000").await;
        }
        assert!(
            matches!(login(&db, "1234").await, Err(CoreError::LockedOut { .. })),
            "the per-member lockout holds for PIN-only login"
        );
    }

    #[tokio::test]
    async fn a_manager_lifts_the_terminal_lockout_and_a_cashier_cannot() {
        let (_d, db, _c) = db().await;
        let ana = add(&db, "Ana", Role::Cashier, "1234").await.unwrap();
        let bo = add(&db, "Bo", Role::ShopManager, "9876").await.unwrap();
        for _ in 0..MAX_FAILED_ATTEMPTS {
            let _ = login(&db, "0000").await;
        }
        assert!(matches!(
            login(&db, "9876").await,
            Err(CoreError::LockedOut { .. })
        ));
        assert!(matches!(
            unlock(&db, &ana.id, "1234").await,
            Err(CoreError::ManagerApprovalRequired { .. })
        ));
        assert!(
            matches!(
                unlock(&db, &bo.id, "1111").await,
                Err(CoreError::WrongPin { .. })
            ),
            "the manager's own PIN is checked"
        );
        assert_eq!(unlock(&db, &bo.id, "9876").await.unwrap(), bo);
        assert_eq!(
            login(&db, "1234").await.unwrap(),
            ana,
            "PIN entry works again"
        );
    }

    #[tokio::test]
    async fn probing_pins_through_staff_add_counts_towards_the_lockout() {
        let (_d, db, _c) = db().await;
        add(&db, "Ana", Role::Cashier, "1234").await.unwrap();
        for _ in 0..MAX_FAILED_ATTEMPTS - 1 {
            assert!(matches!(
                add(&db, "Eve", Role::Cashier, "1234").await,
                Err(CoreError::PinTaken)
            ));
        }
        assert!(matches!(
            add(&db, "Eve", Role::Cashier, "1234").await,
            Err(CoreError::LockedOut { .. })
        ));
        assert!(matches!(
            login(&db, "1234").await,
            Err(CoreError::LockedOut { .. })
        ));
    }

    #[test]
    fn tries_left_reads_as_english() {
        assert!(
            CoreError::WrongPin { remaining: 1 }
                .to_string()
                .contains("(1 try left")
        );
        assert!(
            CoreError::WrongPin { remaining: 3 }
                .to_string()
                .contains("(3 tries left")
        );
    }

    #[tokio::test]
    async fn cashier_needs_a_manager_pin_to_refund() {
        let (_d, db, _c) = db().await;
        let ana = add(&db, "Ana", Role::Cashier, "1234").await.unwrap();
        let bo = add(&db, "Bo", Role::ShopManager, "9876").await.unwrap();
        assert!(matches!(
            authorize(&db, &ana, Action::Refund, None).await,
            Err(CoreError::ManagerApprovalRequired { .. })
        ));
        assert!(
            matches!(
                authorize(&db, &ana, Action::Refund, Some("1234")).await,
                Err(CoreError::ManagerApprovalRequired { .. })
            ),
            "a cashier cannot approve with their own PIN"
        );
        let approver = authorize(&db, &ana, Action::Refund, Some("9876"))
            .await
            .unwrap();
        assert_eq!(approver, Some(bo.id.clone()));
        assert_eq!(
            authorize(&db, &bo, Action::Refund, None).await.unwrap(),
            None
        );
    }
}
