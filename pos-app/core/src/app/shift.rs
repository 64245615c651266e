//! The cashier's shift: open with a float, drawer movements, the X report, and the Z
//! with a counted drawer whose variance is shown before it is final.

use std::collections::BTreeMap;

use super::views::{SessionView, ShiftReportView, ZView};
use super::{Till, convert, signed_in};
use crate::devices::drawer;
use crate::error::{CoreError, CoreResult};
use crate::shifts::{self, CashKind, ZReport};
use crate::staff::{self, Action};

impl Till {
    /// Opens a shift with the float counted into the drawer.
    pub async fn open_shift(&self, float_minor: i64) -> CoreResult<SessionView> {
        {
            let s = self.session.lock().await;
            let (_, staff) = signed_in(&s)?;
            shifts::open(&self.db, staff, float_minor).await?;
        }
        self.session().await
    }

    /// Records money put in (`paid_in`), taken out (`paid_out`) or a drawer opened
    /// without a sale (`no_sale`), with its reason.
    pub async fn cash_movement(
        &self,
        kind: &str,
        amount_minor: i64,
        reason: &str,
        manager_pin: Option<&str>,
    ) -> CoreResult<ShiftReportView> {
        let kind = match kind {
            "paid_in" => CashKind::PaidIn,
            "paid_out" => CashKind::PaidOut,
            "no_sale" => CashKind::NoSale,
            other => {
                return Err(CoreError::invalid(format!(
                    "`{other}` is not a drawer movement: paid_in, paid_out or no_sale"
                )));
            }
        };
        if reason.trim().is_empty() {
            return Err(CoreError::invalid("say why the drawer is opened"));
        }
        let (movement, staff) = {
            let s = self.session.lock().await;
            let (_, staff) = signed_in(&s)?;
            let m = shifts::cash_movement(
                &self.db,
                staff,
                kind,
                amount_minor,
                reason.trim(),
                manager_pin,
            )
            .await?;
            (m, staff.clone())
        };
        // The money goes in or out through the drawer: it opens, journaled with the
        // movement it was for.
        drawer::for_movement(&self.db, &staff, &movement).await;
        self.x_report().await
    }

    /// The open shift's figures so far.
    pub async fn x_report(&self) -> CoreResult<ShiftReportView> {
        let shift = shifts::current(&self.db)
            .await?
            .ok_or(CoreError::NoOpenShift)?;
        Ok(convert::report(&shifts::report(&self.db, &shift.id).await?))
    }

    /// What closing with `counted` would show: expected, counted and the variance per
    /// tender, and whether a manager must approve. Writes nothing.
    pub async fn preview_close(&self, counted: &BTreeMap<String, i64>) -> CoreResult<ZView> {
        let t = self.terminal().await?;
        let s = self.session.lock().await;
        let (_, staff) = signed_in(&s)?;
        let shift = shifts::current(&self.db)
            .await?
            .ok_or(CoreError::NoOpenShift)?;
        let report = shifts::report(&self.db, &shift.id).await?;
        let variance = shifts::variances(&report.expected, counted);
        let worst = variance.values().map(|v| v.abs()).max().unwrap_or(0);
        let needs_manager = worst > t.variance_approval_minor
            && staff::needs_manager(staff.role, Action::CashVariance);
        Ok(ZView {
            z_number: 0,
            closed_at_ms: self.db.now_ms(),
            closed_by: staff.name.clone(),
            approved_by: None,
            report: convert::report(&report),
            counted: counted.clone(),
            variance,
            needs_manager,
            final_report: false,
        })
    }

    /// Closes the shift with the counted drawer (cash is required); a variance above the
    /// limit needs a manager's PIN.
    pub async fn close_shift(
        &self,
        counted: BTreeMap<String, i64>,
        manager_pin: Option<&str>,
    ) -> CoreResult<ZView> {
        let s = self.session.lock().await;
        let (t, staff) = signed_in(&s)?;
        let z = shifts::close(&self.db, t, staff, counted, manager_pin).await?;
        self.z_view(&z).await
    }

    async fn z_view(&self, z: &ZReport) -> CoreResult<ZView> {
        Ok(ZView {
            z_number: z.z_number,
            closed_at_ms: z.closed_at_ms,
            closed_by: staff::name_of(&self.db, &z.closed_by).await?,
            approved_by: match &z.approved_by {
                Some(id) => Some(staff::name_of(&self.db, id).await?),
                None => None,
            },
            report: convert::report(&z.report),
            counted: z.counted.clone(),
            variance: z.variance.clone(),
            needs_manager: false,
            final_report: true,
        })
    }
}
