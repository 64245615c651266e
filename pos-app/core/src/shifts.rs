//! Shifts and the cash drawer: open with a float, paid in/out, no-sale opens, X reports
//! (a read at any time) and the Z report that closes the shift, numbered and frozen.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::error::{CoreError, CoreResult, within_entry_limit};
use crate::journal::{self, FactKind};
use crate::staff::{self, Action, Staff};
use crate::store::{LocalDb, Tx, new_id};
use crate::terminal::Terminal;

/// The open shift as shown in status output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub id: String,
    pub opened_by: String,
    pub opened_at_ms: i64,
    pub opening_float_minor: i64,
}

/// The open shift's id inside a write transaction.
pub async fn open_shift_id(tx: &mut Tx) -> CoreResult<String> {
    sqlx::query_scalar("SELECT id FROM shifts WHERE status = 'open'")
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(CoreError::NoOpenShift)
}

/// The open shift, if any.
pub async fn current(db: &LocalDb) -> CoreResult<Option<Shift>> {
    let row = sqlx::query(
        "SELECT id, opened_by, opened_at_ms, opening_float_minor FROM shifts WHERE status = 'open'",
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| Shift {
        id: r.get(0),
        opened_by: r.get(1),
        opened_at_ms: r.get(2),
        opening_float_minor: r.get(3),
    }))
}

/// Opens a shift with `float_minor` in the drawer.
pub async fn open(db: &LocalDb, staff: &Staff, float_minor: i64) -> CoreResult<Shift> {
    if float_minor < 0 {
        return Err(CoreError::invalid("the opening float cannot be negative"));
    }
    within_entry_limit(float_minor, "the opening float")?;
    let now = db.now_ms();
    let mut tx = db.begin().await?;
    if open_shift_id(&mut tx).await.is_ok() {
        return Err(CoreError::ShiftAlreadyOpen);
    }
    let shift = Shift {
        id: new_id(),
        opened_by: staff.id.clone(),
        opened_at_ms: now,
        opening_float_minor: float_minor,
    };
    sqlx::query(
        "INSERT INTO shifts (id, opened_by, opened_at_ms, opening_float_minor) VALUES (?, ?, ?, ?)",
    )
    .bind(&shift.id)
    .bind(&shift.opened_by)
    .bind(now)
    .bind(float_minor)
    .execute(&mut *tx)
    .await?;
    journal::append(&mut tx, now, FactKind::ShiftOpened, &shift).await?;
    tx.commit().await?;
    tracing::info!(shift_id = %shift.id, "shift opened");
    Ok(shift)
}

/// A drawer movement that is not a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CashKind {
    PaidIn,
    PaidOut,
    /// The drawer opened without a sale; amount is zero, the event is what matters.
    NoSale,
}

impl CashKind {
    fn as_str(self) -> &'static str {
        match self {
            CashKind::PaidIn => "paid_in",
            CashKind::PaidOut => "paid_out",
            CashKind::NoSale => "no_sale",
        }
    }
}

/// A drawer movement as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashMovement {
    pub id: String,
    pub kind: CashKind,
    pub amount_minor: i64,
    pub reason: String,
    /// The manager who approved a paid-out larger than the drawer's expected cash.
    pub approved_by: Option<String>,
}

/// Cash the drawer of `shift_id` should hold now.
pub(crate) async fn drawer_cash(db: &LocalDb, shift_id: &str) -> CoreResult<i64> {
    Ok(report(db, shift_id)
        .await?
        .expected
        .get("cash")
        .copied()
        .unwrap_or(0))
}

/// Records a paid-in, paid-out or no-sale drawer opening on the open shift. Paying out
/// more than the drawer should hold means the count is already wrong or the money is not
/// there: that needs a manager (the staff member's own role, or `manager_pin`).
pub async fn cash_movement(
    db: &LocalDb,
    staff: &Staff,
    kind: CashKind,
    amount_minor: i64,
    reason: &str,
    manager_pin: Option<&str>,
) -> CoreResult<CashMovement> {
    let amount = if kind == CashKind::NoSale {
        0
    } else {
        amount_minor
    };
    if kind != CashKind::NoSale && amount <= 0 {
        return Err(CoreError::invalid(
            "a paid in/out amount must be more than zero",
        ));
    }
    within_entry_limit(amount, "a drawer movement")?;
    if reason.trim().is_empty() {
        return Err(CoreError::invalid("give a reason for the drawer movement"));
    }
    let shift = current(db).await?.ok_or(CoreError::NoOpenShift)?;
    let approved_by = if kind == CashKind::PaidOut && amount > drawer_cash(db, &shift.id).await? {
        staff::authorize(db, staff, Action::PayOutBeyondDrawer, manager_pin).await?
    } else {
        None
    };
    let now = db.now_ms();
    let movement = CashMovement {
        id: new_id(),
        kind,
        amount_minor: amount,
        reason: reason.trim().to_owned(),
        approved_by,
    };
    let mut tx = db.begin().await?;
    let shift_id = open_shift_id(&mut tx).await?;
    if shift_id != shift.id {
        return Err(CoreError::NoOpenShift);
    }
    sqlx::query(
        "INSERT INTO cash_movements (id, shift_id, kind, amount_minor, reason, staff_id,
                                     approved_by, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&movement.id)
    .bind(&shift_id)
    .bind(kind.as_str())
    .bind(amount)
    .bind(&movement.reason)
    .bind(&staff.id)
    .bind(&movement.approved_by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let payload = serde_json::json!({
        "movement_id": movement.id, "shift_id": shift_id, "kind": kind, "amount_minor": amount,
        "reason": movement.reason, "staff_id": staff.id, "approved_by": movement.approved_by,
    });
    journal::append(&mut tx, now, FactKind::CashMovement, &payload).await?;
    tx.commit().await?;
    Ok(movement)
}

/// One tax rate's row in a shift report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRow {
    pub rate_bp: u32,
    pub inclusive: bool,
    pub net_minor: i64,
    pub tax_minor: i64,
}

/// An X report: the shift's numbers so far. Refund amounts are positive and subtract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftReport {
    pub shift_id: String,
    pub opening_float_minor: i64,
    pub sales_count: i64,
    pub sales_total_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub refunds_count: i64,
    pub refunds_total_minor: i64,
    pub paid_in_minor: i64,
    pub paid_out_minor: i64,
    pub no_sale_count: i64,
    /// Cash customers paid towards their accounts.
    pub debt_payments_minor: i64,
    /// Takings per tender kind net of change and refunds.
    pub tenders: BTreeMap<String, i64>,
    /// What should be in the drawer (cash) or the terminal's batch (others).
    pub expected: BTreeMap<String, i64>,
    pub taxes: Vec<TaxRow>,
}

async fn scalar(db: &LocalDb, sql: &'static str, shift_id: &str) -> CoreResult<i64> {
    Ok(sqlx::query_scalar(sql)
        .bind(shift_id)
        .fetch_one(db.pool())
        .await?)
}

/// Computes the X report of `shift_id` from the stored rows.
pub async fn report(db: &LocalDb, shift_id: &str) -> CoreResult<ShiftReport> {
    let float: i64 = sqlx::query_scalar("SELECT opening_float_minor FROM shifts WHERE id = ?")
        .bind(shift_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: "shift",
            id: shift_id.to_owned(),
        })?;
    let sales = sqlx::query(
        "SELECT count(*), coalesce(sum(total_minor), 0), coalesce(sum(discount_minor), 0),
                coalesce(sum(tax_minor), 0), coalesce(sum(change_minor), 0)
         FROM sales WHERE shift_id = ?",
    )
    .bind(shift_id)
    .fetch_one(db.pool())
    .await?;
    let change: i64 = sales.get(4);
    let mut tenders: BTreeMap<String, i64> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT t.kind, sum(t.amount_minor) FROM tenders t JOIN sales s ON s.id = t.sale_id
         WHERE s.shift_id = ? GROUP BY t.kind",
    )
    .bind(shift_id)
    .fetch_all(db.pool())
    .await?
    {
        tenders.insert(r.get(0), r.get(1));
    }
    *tenders.entry("cash".into()).or_default() -= change;
    let refund_rows = sqlx::query(
        "SELECT tender_kind, count(*), sum(total_minor) FROM refunds WHERE shift_id = ? GROUP BY tender_kind",
    )
    .bind(shift_id)
    .fetch_all(db.pool())
    .await?;
    let (mut refunds_count, mut refunds_total) = (0, 0);
    for r in refund_rows {
        let amount: i64 = r.get(2);
        refunds_count += r.get::<i64, _>(1);
        refunds_total += amount;
        *tenders.entry(r.get(0)).or_default() -= amount;
    }
    let movement = |k: &'static str| match k {
        "paid_in" => {
            "SELECT coalesce(sum(amount_minor), 0) FROM cash_movements WHERE shift_id = ? AND kind = 'paid_in'"
        }
        "paid_out" => {
            "SELECT coalesce(sum(amount_minor), 0) FROM cash_movements WHERE shift_id = ? AND kind = 'paid_out'"
        }
        "debt_payment" => {
            "SELECT coalesce(sum(amount_minor), 0) FROM cash_movements WHERE shift_id = ? AND kind = 'debt_payment'"
        }
        _ => "SELECT count(*) FROM cash_movements WHERE shift_id = ? AND kind = 'no_sale'",
    };
    let paid_in = scalar(db, movement("paid_in"), shift_id).await?;
    let paid_out = scalar(db, movement("paid_out"), shift_id).await?;
    let no_sale_count = scalar(db, movement("no_sale"), shift_id).await?;
    let debt_payments = scalar(db, movement("debt_payment"), shift_id).await?;
    let mut expected = tenders.clone();
    *expected.entry("cash".into()).or_default() += float + paid_in - paid_out + debt_payments;
    // Refunds on this shift take their tax back out, at the rate they were priced at.
    let taxes = sqlx::query(
        "SELECT rate, inclusive, sum(net), sum(tax) FROM (
             SELECT l.tax_rate_bp AS rate, l.tax_inclusive AS inclusive,
                    l.net_minor AS net, l.tax_minor AS tax
             FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.shift_id = ?1
             UNION ALL
             SELECT coalesce(rl.tax_rate_bp, 0), coalesce(rl.tax_inclusive, 1),
                    -(rl.amount_minor - rl.tax_minor), -rl.tax_minor
             FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id WHERE r.shift_id = ?1)
         GROUP BY rate, inclusive ORDER BY rate, inclusive",
    )
    .bind(shift_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|r| TaxRow {
        rate_bp: u32::try_from(r.get::<i64, _>(0)).unwrap_or(0),
        inclusive: r.get(1),
        net_minor: r.get(2),
        tax_minor: r.get(3),
    })
    .collect();
    Ok(ShiftReport {
        shift_id: shift_id.to_owned(),
        opening_float_minor: float,
        sales_count: sales.get(0),
        sales_total_minor: sales.get(1),
        discount_minor: sales.get(2),
        tax_minor: sales.get(3),
        refunds_count,
        refunds_total_minor: refunds_total,
        paid_in_minor: paid_in,
        paid_out_minor: paid_out,
        no_sale_count,
        debt_payments_minor: debt_payments,
        tenders,
        expected,
        taxes,
    })
}

/// The Z report: the final X report plus what was counted, numbered and frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZReport {
    pub z_number: i64,
    pub closed_at_ms: i64,
    pub closed_by: String,
    pub approved_by: Option<String>,
    pub report: ShiftReport,
    pub counted: BTreeMap<String, i64>,
    /// counted - expected per tender kind.
    pub variance: BTreeMap<String, i64>,
}

/// The tender kinds a Z report counts.
pub const COUNTED_KINDS: [&str; 4] = ["cash", "card", "store_credit", "on_account"];

/// Variances per tender: a kind not counted is taken as counted at its expected value
/// (card batches settle themselves), except cash, which must always be counted
/// ([`close`] refuses a Z without it).
pub fn variances(
    expected: &BTreeMap<String, i64>,
    counted: &BTreeMap<String, i64>,
) -> BTreeMap<String, i64> {
    let mut kinds: Vec<&String> = expected.keys().chain(counted.keys()).collect();
    kinds.sort();
    kinds.dedup();
    kinds
        .into_iter()
        .map(|k| {
            let want = expected.get(k).copied().unwrap_or(0);
            let got = counted
                .get(k)
                .copied()
                .unwrap_or(if k == "cash" { 0 } else { want });
            (k.clone(), got - want)
        })
        .collect()
}

/// Closes the open shift with a Z report. A variance above the terminal's threshold
/// needs a manager (the closer's own role, or `manager_pin`).
pub async fn close(
    db: &LocalDb,
    terminal: &Terminal,
    staff: &Staff,
    counted: BTreeMap<String, i64>,
    manager_pin: Option<&str>,
) -> CoreResult<ZReport> {
    for (kind, amount) in &counted {
        if !COUNTED_KINDS.contains(&kind.as_str()) {
            return Err(CoreError::invalid(format!(
                "`{kind}` is not a tender this till takes; count one of {}",
                COUNTED_KINDS.join(", ")
            )));
        }
        if *amount < 0 {
            return Err(CoreError::invalid(format!(
                "counted {kind} cannot be negative"
            )));
        }
        within_entry_limit(*amount, "a counted amount")?;
    }
    let shift = current(db).await?.ok_or(CoreError::NoOpenShift)?;
    // Blind count: the till does not say what it expects, so the count is honest.
    if !counted.contains_key("cash") {
        return Err(CoreError::invalid(
            "count the cash in the drawer before closing the shift, and enter it (`--counted cash=AMOUNT`; 0 if it is empty)",
        ));
    }
    let report = report(db, &shift.id).await?;
    let variance = variances(&report.expected, &counted);
    let worst = variance.values().map(|v| v.abs()).max().unwrap_or(0);
    let approved_by = if worst > terminal.variance_approval_minor {
        staff::authorize(db, staff, Action::CashVariance, manager_pin)
            .await
            .map_err(|e| {
                e.approval_for(|| {
                    let m = |minor| pos_shared::Money::new(minor, terminal.currency).to_string();
                    format!(
                        "closing with a variance of {}, above the {} allowed without one,",
                        m(worst),
                        m(terminal.variance_approval_minor)
                    )
                })
            })?
    } else {
        None
    };
    let now = db.now_ms();
    let mut tx = db.begin().await?;
    if open_shift_id(&mut tx).await? != shift.id {
        return Err(CoreError::NoOpenShift);
    }
    let z_number: i64 = sqlx::query_scalar("SELECT coalesce(max(z_number), 0) + 1 FROM shifts")
        .fetch_one(&mut *tx)
        .await?;
    let z = ZReport {
        z_number,
        closed_at_ms: now,
        closed_by: staff.id.clone(),
        approved_by,
        report,
        counted,
        variance,
    };
    let json = serde_json::to_string(&z).map_err(|e| CoreError::invalid(e.to_string()))?;
    sqlx::query(
        "UPDATE shifts SET status = 'closed', z_number = ?, closed_by = ?, approved_by = ?,
                closed_at_ms = ?, z_report = ? WHERE id = ?",
    )
    .bind(z_number)
    .bind(&staff.id)
    .bind(&z.approved_by)
    .bind(now)
    .bind(json)
    .bind(&shift.id)
    .execute(&mut *tx)
    .await?;
    journal::append(&mut tx, now, FactKind::ShiftClosed, &z).await?;
    tx.commit().await?;
    tracing::info!(z_number, shift_id = %shift.id, "shift closed");
    Ok(z)
}

/// A stored Z report by number.
pub async fn z_report(db: &LocalDb, z_number: i64) -> CoreResult<ZReport> {
    let json: String = sqlx::query_scalar("SELECT z_report FROM shifts WHERE z_number = ?")
        .bind(z_number)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: "Z report",
            id: z_number.to_string(),
        })?;
    serde_json::from_str(&json).map_err(|e| CoreError::invalid(format!("stored Z report: {e}")))
}
