//! Refunds: with a receipt (linked to the sold lines, never more than was sold, priced
//! by pos-shared's cumulative proration) or without one (catalog price, manager only).
//! Restocks what comes back and records the refund on the open shift.

use pos_shared::ids::{SaleLineId, TaxRateId};
use pos_shared::sale::{LineTotals, refund_line};
use pos_shared::tax::TaxAmount;
use pos_shared::{Currency, Money, Quantity};

use crate::checkout::{self, Cart};
use crate::customers;
use crate::error::{CoreError, CoreResult};
use crate::journal::{self, FactKind};
use crate::sales::{self, SaleLine};
use crate::shifts;
use crate::staff::{self, Action, Staff};
use crate::stock;
use crate::store::{LocalDb, Tx, new_id};
use crate::terminal::Terminal;
use crate::till;
use sqlx::{Row, SqliteConnection};

pub use pos_shared::facts::{Refund, RefundLine};

/// How the money goes back.
pub const REFUND_TENDERS: [&str; 4] = ["cash", "card", "store_credit", "on_account"];

fn as_line_totals(l: &SaleLine, currency: Currency) -> CoreResult<LineTotals> {
    let m = |minor| Money::new(minor, currency);
    let line_id: SaleLineId = l
        .id
        .parse()
        .map_err(|_| CoreError::invalid(format!("stored sale line id `{}` is malformed", l.id)))?;
    Ok(LineTotals {
        line_id,
        quantity: Quantity::from_milli(l.qty_milli),
        base: m(l.unit_price_minor),
        promotion_discount: m(0),
        line_discount: m(l.discount_minor),
        cart_discount: m(0),
        amount: m(l.gross_minor),
        net: m(l.net_minor),
        // One rate per line: its id only keys the proration, so a fixed id is enough.
        taxes: vec![TaxAmount {
            rate_id: TaxRateId::from_uuid(uuid::Uuid::nil()),
            amount: m(l.tax_minor),
        }],
        total: m(l.gross_minor),
    })
}

/// How much of line `line_no` of `sale_id` is left to refund, in milli-units.
pub async fn left_to_refund(db: &LocalDb, sale_id: &str, line_no: i64) -> CoreResult<i64> {
    let sale = sales::load(db, sale_id).await?;
    let line = sale
        .lines
        .iter()
        .find(|l| l.line_no == line_no)
        .ok_or_else(|| CoreError::invalid(format!("sale has no line {line_no}")))?;
    Ok(line.qty_milli - refunded_so_far(db, &line.id).await?)
}

async fn refunded_so_far(db: &LocalDb, sale_line_id: &str) -> CoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT coalesce(sum(qty_milli), 0) FROM refund_lines WHERE sale_line_id = ?",
    )
    .bind(sale_line_id)
    .fetch_one(db.pool())
    .await?)
}

/// Refunds `items` (line number, quantity in milli-units) of a stored sale.
#[allow(clippy::too_many_arguments)]
pub async fn with_receipt(
    db: &LocalDb,
    terminal: &Terminal,
    staff: &Staff,
    sale_id: &str,
    items: &[(i64, i64)],
    tender_kind: &str,
    reason: &str,
    manager_pin: Option<&str>,
) -> CoreResult<Refund> {
    let sale = sales::load(db, sale_id).await?;
    let approved_by = staff::authorize(db, staff, Action::Refund, manager_pin).await?;
    if items.is_empty() {
        return Err(CoreError::invalid("name at least one line to refund"));
    }
    let mut lines = Vec::new();
    for &(line_no, qty_milli) in items {
        let line = sale
            .lines
            .iter()
            .find(|l| l.line_no == line_no)
            .ok_or_else(|| CoreError::invalid(format!("sale has no line {line_no}")))?;
        // Several requests for one line in the same refund count against each other.
        let pending: i64 = lines
            .iter()
            .filter(|r: &&RefundLine| r.sale_line_id.as_deref() == Some(line.id.as_str()))
            .map(|r| r.qty_milli)
            .sum();
        let before = refunded_so_far(db, &line.id).await? + pending;
        let priced = refund_line(
            &as_line_totals(line, terminal.currency)?,
            Quantity::from_milli(before),
            Quantity::from_milli(qty_milli),
        )
        .map_err(|_| CoreError::OverRefund {
            line: line_no,
            requested: Quantity::from_milli(qty_milli),
            remaining: Quantity::from_milli((line.qty_milli - before).max(0)),
        })?;
        lines.push(RefundLine {
            sale_line_id: Some(line.id.clone()),
            product_id: line.product_id.clone(),
            sku: line.sku.clone(),
            qty_milli,
            amount_minor: priced.total.minor,
            tax_minor: priced.total.minor - priced.net.minor,
            restock: true,
        });
    }
    let total: i64 = lines.iter().map(|l| l.amount_minor).sum();
    let back_already = refunded_to(db, &sale.id, tender_kind).await?;
    check_tender_room(&sale, tender_kind, back_already, total, terminal.currency)?;
    let refund = draft(
        Some(sale.id),
        sale.customer_id,
        staff,
        approved_by,
        tender_kind,
        reason,
        lines,
        db.now_ms(),
    )?;
    store(db, terminal, refund, None).await
}

/// What refunds against `sale_id` have already paid back through `tender_kind`.
async fn refunded_to(db: &LocalDb, sale_id: &str, tender_kind: &str) -> CoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT coalesce(sum(total_minor), 0) FROM refunds
         WHERE receipt_sale_id = ? AND tender_kind = ?",
    )
    .bind(sale_id)
    .bind(tender_kind)
    .fetch_one(db.pool())
    .await?)
}

/// A refund with a receipt goes back the way the sale was paid: through each tender at
/// most what that tender took (cash net of change), so a cash sale never becomes a card
/// credit, nor a card sale cash in hand. Store credit is the exception: the shop gives it.
pub(crate) fn check_tender_room(
    sale: &sales::Sale,
    tender_kind: &str,
    already_minor: i64,
    amount_minor: i64,
    currency: Currency,
) -> CoreResult<()> {
    if tender_kind == "store_credit" {
        return Ok(());
    }
    let took = |kind: &str| -> i64 {
        let paid: i64 = sale
            .tenders
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.amount_minor)
            .sum();
        if kind == "cash" {
            (paid - sale.change_minor).max(0)
        } else {
            paid
        }
    };
    let room = took(tender_kind) - already_minor;
    if amount_minor <= room {
        return Ok(());
    }
    let m = |minor| Money::new(minor, currency).to_string();
    let paid: Vec<String> = REFUND_TENDERS
        .iter()
        .filter(|k| took(k) > 0)
        .map(|k| format!("{k} {}", m(took(k))))
        .collect();
    Err(CoreError::TenderRejected(format!(
        "this sale was paid {}; a refund of {} to {tender_kind} is more than the {} that tender can still take back; refund to the tender the sale was paid with, or as store credit",
        paid.join(", "),
        m(amount_minor),
        m(room.max(0)),
    )))
}

/// Refunds goods without a receipt at today's catalog price; always needs a manager.
pub async fn without_receipt(
    db: &LocalDb,
    terminal: &Terminal,
    staff: &Staff,
    items: &[(String, i64)],
    tender_kind: &str,
    reason: &str,
    manager_pin: Option<&str>,
) -> CoreResult<Refund> {
    let approved_by =
        staff::authorize(db, staff, Action::RefundWithoutReceipt, manager_pin).await?;
    let approved_by = approved_by.or_else(|| Some(staff.id.clone()));
    let lines = at_catalog_price(db, terminal, items).await?;
    let refund = draft(
        None,
        None,
        staff,
        approved_by,
        tender_kind,
        reason,
        lines,
        db.now_ms(),
    )?;
    store(db, terminal, refund, None).await
}

/// Refund lines for scanned goods (barcode or SKU, quantity in milli-units) at today's
/// catalog price, with no sale line: for refunds without the sale at hand.
pub(crate) async fn at_catalog_price(
    db: &LocalDb,
    terminal: &Terminal,
    items: &[(String, i64)],
) -> CoreResult<Vec<RefundLine>> {
    let mut cart = Cart::default();
    for (code, qty) in items {
        till::add_code(db, terminal, &mut cart, code, *qty).await?;
    }
    let totals = checkout::price(&cart, terminal.currency)?;
    Ok(cart
        .lines
        .iter()
        .zip(&totals.lines)
        .map(|(l, p)| RefundLine {
            sale_line_id: None,
            product_id: l.product_id.clone(),
            sku: l.sku.clone(),
            qty_milli: l.qty_milli,
            amount_minor: p.gross_minor,
            tax_minor: p.tax_minor,
            restock: true,
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn draft(
    sale_id: Option<String>,
    customer_id: Option<String>,
    staff: &Staff,
    approved_by: Option<String>,
    tender_kind: &str,
    reason: &str,
    lines: Vec<RefundLine>,
    now_ms: i64,
) -> CoreResult<Refund> {
    if !REFUND_TENDERS.contains(&tender_kind) {
        return Err(CoreError::invalid(format!(
            "refund tender `{tender_kind}` unknown; use one of {}",
            REFUND_TENDERS.join(", ")
        )));
    }
    if lines.is_empty() {
        return Err(CoreError::invalid("a refund needs at least one line"));
    }
    Ok(Refund {
        id: new_id(),
        sale_id,
        shift_id: String::new(),
        staff_id: staff.id.clone(),
        approved_by,
        customer_id,
        reason: reason.to_owned(),
        tender_kind: tender_kind.to_owned(),
        total_minor: lines.iter().map(|l| l.amount_minor).sum(),
        tax_minor: lines.iter().map(|l| l.tax_minor).sum(),
        lines,
        created_at_ms: now_ms,
    })
}

/// What a receipt from another till says was paid: refunds against it, on this till, never
/// add up to more.
pub(crate) struct ReceiptLimit {
    pub total: Money,
}

/// Stores `refund` with its journal record, movements and shift, in one transaction;
/// `limit` is checked inside it, so two refunds of one receipt at once cannot both pass.
pub(crate) async fn store(
    db: &LocalDb,
    terminal: &Terminal,
    mut refund: Refund,
    limit: Option<ReceiptLimit>,
) -> CoreResult<Refund> {
    let now = refund.created_at_ms;
    if refund.tender_kind == "cash" {
        check_drawer(db, terminal, refund.total_minor).await?;
    }
    let mut tx = db.begin().await?;
    if let (Some(limit), Some(sale_id)) = (limit, &refund.sale_id) {
        let refunded: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(total_minor), 0) FROM refunds WHERE receipt_sale_id = ?",
        )
        .bind(sale_id)
        .fetch_one(&mut *tx)
        .await?;
        if refunded + refund.total_minor > limit.total.minor {
            let m = |minor| Money::new(minor, limit.total.currency);
            return Err(CoreError::RefundAboveReceipt {
                receipt: limit.total,
                refunded: m(refunded),
                requested: m(refund.total_minor),
            });
        }
    }
    refund.shift_id = shifts::open_shift_id(&mut tx).await?;
    let to_account = matches!(refund.tender_kind.as_str(), "store_credit" | "on_account");
    if to_account && refund.customer_id.is_none() {
        return Err(CoreError::TenderRejected(
            "store credit and account refunds need the sale's customer".into(),
        ));
    }
    let record = journal::append(&mut tx, now, FactKind::RefundIssued, &refund).await?;
    if let Some(customer) = refund.customer_id.as_deref().filter(|_| to_account) {
        let entry = customers::NewEntry {
            customer_id: customer,
            amount_minor: -refund.total_minor,
            kind: "refund",
            ref_id: &refund.id,
            journal_seq: record.seq,
        };
        customers::add_entry(&mut tx, now, entry).await?;
    }
    insert(&mut tx, &refund, record.seq).await?;
    tx.commit().await?;
    tracing::info!(refund_id = %refund.id, total = refund.total_minor, "refund issued");
    Ok(refund)
}

/// Cash paid back must be in the drawer: a refund that would leave it below zero is
/// refused (a paid-in can top it up first), since the approving manager has already
/// signed for the refund itself.
async fn check_drawer(db: &LocalDb, terminal: &Terminal, amount_minor: i64) -> CoreResult<()> {
    let shift = shifts::current(db).await?.ok_or(CoreError::NoOpenShift)?;
    let cash = shifts::drawer_cash(db, &shift.id).await?;
    if amount_minor <= cash {
        return Ok(());
    }
    let m = |minor| Money::new(minor, terminal.currency).to_string();
    Err(CoreError::TenderRejected(format!(
        "the drawer should hold {} in cash, less than this refund of {}; refund to another tender, or record a paid-in first",
        m(cash.max(0)),
        m(amount_minor)
    )))
}

async fn insert(tx: &mut Tx, r: &Refund, journal_seq: i64) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO refunds (id, sale_id, receipt_sale_id, shift_id, staff_id, approved_by,
                              reason, tender_kind, total_minor, tax_minor, journal_seq,
                              created_at_ms)
         VALUES (?1, (SELECT id FROM sales WHERE id = ?2), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
                 ?10, ?11)",
    )
    .bind(&r.id)
    .bind(&r.sale_id)
    .bind(&r.shift_id)
    .bind(&r.staff_id)
    .bind(&r.approved_by)
    .bind(&r.reason)
    .bind(&r.tender_kind)
    .bind(r.total_minor)
    .bind(r.tax_minor)
    .bind(journal_seq)
    .bind(r.created_at_ms)
    .execute(&mut **tx)
    .await?;
    for l in &r.lines {
        sqlx::query(
            // The rate the amount was priced at: the sold line's, else the product's now.
            "INSERT INTO refund_lines (id, refund_id, sale_line_id, product_id, qty_milli,
                                       amount_minor, tax_minor, restock, tax_rate_bp,
                                       tax_inclusive)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                 coalesce((SELECT tax_rate_bp FROM sale_lines WHERE id = ?3),
                          (SELECT r.rate_bp FROM products p JOIN tax_rates r
                             ON r.id = p.tax_rate_id WHERE p.id = ?4)),
                 coalesce((SELECT tax_inclusive FROM sale_lines WHERE id = ?3),
                          (SELECT r.inclusive FROM products p JOIN tax_rates r
                             ON r.id = p.tax_rate_id WHERE p.id = ?4)))",
        )
        .bind(new_id())
        .bind(&r.id)
        .bind(&l.sale_line_id)
        .bind(&l.product_id)
        .bind(l.qty_milli)
        .bind(l.amount_minor)
        .bind(l.tax_minor)
        .bind(l.restock)
        .execute(&mut **tx)
        .await?;
        if l.restock {
            let movement = stock::Movement {
                product_id: &l.product_id,
                delta_milli: l.qty_milli,
                reason: "refund",
                ref_id: Some(&r.id),
                journal_seq,
            };
            stock::record_movement(tx, r.created_at_ms, movement).await?;
        }
    }
    Ok(())
}

/// What a refund slip names beyond the refund fact, per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipLineInfo {
    pub name: String,
    pub tax_rate_bp: u32,
    pub tax_inclusive: bool,
}

/// A stored refund with what its slip prints: names and tax rates per line, who gave it
/// and who approved it, and the receipt number when the sale was made on this till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRefund {
    pub refund: Refund,
    pub lines: Vec<SlipLineInfo>,
    pub staff_name: String,
    pub approver_name: Option<String>,
    pub receipt_no: Option<i64>,
}

/// Reads a stored refund back by id.
pub async fn load(db: &LocalDb, refund_id: &str) -> CoreResult<StoredRefund> {
    let mut conn = db.pool().acquire().await?;
    read(&mut conn, refund_id).await
}

async fn read(conn: &mut SqliteConnection, refund_id: &str) -> CoreResult<StoredRefund> {
    let row = sqlx::query(
        "SELECT r.id, r.receipt_sale_id, r.shift_id, r.staff_id, r.approved_by,
                (SELECT customer_id FROM sales WHERE id = r.sale_id), r.reason, r.tender_kind,
                r.total_minor, r.tax_minor, r.created_at_ms,
                coalesce((SELECT name FROM staff WHERE id = r.staff_id), r.staff_id),
                (SELECT name FROM staff WHERE id = r.approved_by),
                (SELECT receipt_no FROM sales WHERE id = r.sale_id)
         FROM refunds r WHERE r.id = ?",
    )
    .bind(refund_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| CoreError::NotFound {
        what: "refund",
        id: refund_id.to_owned(),
    })?;
    let line_rows = sqlx::query(
        "SELECT l.sale_line_id, l.product_id, coalesce(p.sku, ''), l.qty_milli,
                l.amount_minor, l.tax_minor, l.restock,
                coalesce(s.name, p.name, l.product_id), coalesce(l.tax_rate_bp, 0),
                coalesce(l.tax_inclusive, 1)
         FROM refund_lines l
         LEFT JOIN products p ON p.id = l.product_id
         LEFT JOIN sale_lines s ON s.id = l.sale_line_id
         WHERE l.refund_id = ? ORDER BY l.rowid",
    )
    .bind(refund_id)
    .fetch_all(&mut *conn)
    .await?;
    let (lines, about) = line_rows
        .into_iter()
        .map(|r| {
            (
                RefundLine {
                    sale_line_id: r.get(0),
                    product_id: r.get(1),
                    sku: r.get(2),
                    qty_milli: r.get(3),
                    amount_minor: r.get(4),
                    tax_minor: r.get(5),
                    restock: r.get(6),
                },
                SlipLineInfo {
                    name: r.get(7),
                    tax_rate_bp: u32::try_from(r.get::<i64, _>(8)).unwrap_or(0),
                    tax_inclusive: r.get(9),
                },
            )
        })
        .unzip();
    Ok(StoredRefund {
        refund: Refund {
            id: row.get(0),
            sale_id: row.get(1),
            shift_id: row.get(2),
            staff_id: row.get(3),
            approved_by: row.get(4),
            customer_id: row.get(5),
            reason: row.get(6),
            tender_kind: row.get(7),
            total_minor: row.get(8),
            tax_minor: row.get(9),
            lines,
            created_at_ms: row.get(10),
        },
        lines: about,
        staff_name: row.get(11),
        approver_name: row.get(12),
        receipt_no: row.get(13),
    })
}
