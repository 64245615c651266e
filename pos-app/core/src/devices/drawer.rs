//! The cash drawer: a pulse through the printer's drawer port, and a `drawer_opened`
//! journal record for every opening with its reason, so each time the cash was reachable
//! is on record beside the sales and drawer movements.

use pos_shared::facts::{DrawerOpened, DrawerReason};
use pos_shared::journal::FactKind;
use pos_shared::role::Role;

use super::config::PrinterConfig;
use super::drain::Connect;
use super::error::DeviceError;
use crate::error::{CoreError, CoreResult};
use crate::shifts::{self, CashKind};
use crate::staff::{self, Staff};
use crate::store::LocalDb;
use crate::{journal, shifts::CashMovement};

/// Sends the pulse (off the async runtime) and journals the opening. Nothing is journaled
/// when the pulse could not be sent: the drawer stayed shut.
pub async fn open(
    db: &LocalDb,
    config: &PrinterConfig,
    connect: &Connect,
    staff: &Staff,
    reason: DrawerReason,
    reference: Option<String>,
    approved_by: Option<String>,
) -> CoreResult<DrawerOpened> {
    kick(config, connect).await?;
    let shift_id = shifts::current(db).await?.map(|s| s.id);
    let fact = DrawerOpened {
        reason,
        reference,
        staff_id: staff.id.clone(),
        approved_by,
        shift_id,
        pin: config.drawer.pin,
    };
    let mut tx = db.begin().await?;
    journal::append(&mut tx, db.now_ms(), FactKind::DrawerOpened, &fact).await?;
    tx.commit().await?;
    tracing::info!(reason = ?fact.reason, staff = %staff.id, "cash drawer opened");
    Ok(fact)
}

async fn kick(config: &PrinterConfig, connect: &Connect) -> CoreResult<()> {
    let (config, connect) = (config.clone(), connect.clone());
    tokio::task::spawn_blocking(move || connect(&config)?.kick())
        .await
        .map_err(|e| DeviceError::link("printer", e))??;
    Ok(())
}

/// Opens the drawer without a sale: a manager's decision (the staff member's own role or
/// `manager_pin`), recorded as a no-sale drawer movement of the open shift (counted in
/// the X and Z reports) and as the opening itself.
pub async fn no_sale(
    db: &LocalDb,
    config: &PrinterConfig,
    connect: &Connect,
    staff: &Staff,
    reason: &str,
    manager_pin: Option<&str>,
) -> CoreResult<(CashMovement, DrawerOpened)> {
    let approved_by = approve(db, staff, manager_pin).await?;
    let movement =
        shifts::cash_movement(db, staff, CashKind::NoSale, 0, reason, manager_pin).await?;
    let fact = open(
        db,
        config,
        connect,
        staff,
        DrawerReason::NoSale,
        Some(movement.id.clone()),
        approved_by,
    )
    .await?;
    Ok((movement, fact))
}

/// The approving manager's id for a no-sale, or `None` when `staff` is a manager.
async fn approve(
    db: &LocalDb,
    staff: &Staff,
    manager_pin: Option<&str>,
) -> CoreResult<Option<String>> {
    if staff.role.at_least(Role::ShopManager) {
        return Ok(None);
    }
    let needed = || CoreError::ManagerApprovalRequired {
        action: "opening the drawer without a sale".into(),
    };
    let manager = staff::login(db, manager_pin.ok_or_else(needed)?).await?;
    if !manager.role.at_least(Role::ShopManager) {
        return Err(needed());
    }
    Ok(Some(manager.id))
}

/// Opens the drawer for cash that just moved (paid in, paid out, a cash refund) when a
/// printer is set up. The movement is already recorded, so a drawer that will not open is
/// only logged: failing here would make the cashier record the money twice. `false` when
/// it did not open or no printer (hence no drawer) is set up.
pub async fn open_for_cash(
    db: &LocalDb,
    staff: &Staff,
    reason: DrawerReason,
    reference: &str,
) -> bool {
    let printer = match super::config::load(db).await {
        Ok(c) => c.printer,
        Err(e) => {
            tracing::warn!(error = %e, "device settings unreadable; the drawer stays shut");
            None
        }
    };
    let Some(printer) = printer else {
        return false;
    };
    let connect = super::drain::connect_configured();
    let opened = open(
        db,
        &printer,
        &connect,
        staff,
        reason,
        Some(reference.into()),
        None,
    )
    .await;
    if let Err(e) = &opened {
        tracing::warn!(error = %e, ?reason, "the cash drawer did not open");
    }
    opened.is_ok()
}

/// The drawer for a recorded drawer movement: paid in and paid out open it (a no-sale
/// opens it through [`no_sale`]). One place for the app and the CLI alike.
pub async fn for_movement(db: &LocalDb, staff: &Staff, movement: &CashMovement) -> bool {
    let reason = match movement.kind {
        CashKind::PaidIn => DrawerReason::PaidIn,
        CashKind::PaidOut => DrawerReason::PaidOut,
        CashKind::NoSale => return false,
    };
    open_for_cash(db, staff, reason, &movement.id).await
}

/// The drawer for a refund paid back `to` a tender: only cash comes out of it.
pub async fn for_refund(db: &LocalDb, staff: &Staff, to: &str, refund_id: &str) -> bool {
    to == "cash" && open_for_cash(db, staff, DrawerReason::Refund, refund_id).await
}
