//! The till: turns scans, SKUs and searches into cart lines, and parks, resumes and
//! voids unpaid carts (voids are recorded, never silently dropped).

use pos_shared::barcode::{Barcode, Measure};
use serde::Serialize;
use sqlx::Row;

use crate::catalog::{self, Product};
use crate::checkout::{self, Cart, CartLine};
use crate::error::{CoreError, CoreResult};
use crate::journal::{self, FactKind};
use crate::staff::{self, Action, Staff};
use crate::store::{LocalDb, new_id};
use crate::terminal::Terminal;

/// What a scanned or typed code resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub product: Product,
    /// Weight from a scale label, overriding the typed quantity.
    pub qty_milli: Option<i64>,
    /// Price from a scale label: sold as one unit at this price.
    pub label_price_minor: Option<i64>,
}

/// Resolves a code: exact barcode (scanner-normalised), then a GS1 scale label
/// (item code matched against SKU, then barcode), then an exact SKU.
pub async fn resolve(db: &LocalDb, terminal: &Terminal, code: &str) -> CoreResult<Resolved> {
    let plain = |product| Resolved {
        product,
        qty_milli: None,
        label_price_minor: None,
    };
    if let Ok(barcode) = Barcode::parse(code) {
        if let Some(p) = catalog::by_barcode(db, barcode.as_str()).await? {
            return Ok(plain(p));
        }
        for layout in &terminal.gs1_layouts {
            let Ok(Some(label)) = layout.decode(&barcode, terminal.currency) else {
                continue;
            };
            let product = match catalog::by_sku(db, &label.item_code).await? {
                Some(p) => Some(p),
                None => catalog::by_barcode(db, &label.item_code).await?,
            };
            let Some(product) = product else {
                return Err(CoreError::UnknownBarcode(code.to_owned()));
            };
            return Ok(match label.measure {
                Measure::Weight(q) => Resolved {
                    product,
                    qty_milli: Some(q.milli()),
                    label_price_minor: None,
                },
                Measure::Price(m) => Resolved {
                    product,
                    qty_milli: None,
                    label_price_minor: Some(m.minor),
                },
            });
        }
    }
    let sku = code.trim();
    if let Some(p) = catalog::by_sku(db, sku).await? {
        return Ok(plain(p));
    }
    // SKUs are printed in capitals; a cashier typing `milk` means `MILK`.
    let upper = sku.to_uppercase();
    if upper != sku
        && let Some(p) = catalog::by_sku(db, &upper).await?
    {
        return Ok(plain(p));
    }
    if sku.bytes().all(|b| b.is_ascii_digit()) {
        Err(CoreError::UnknownBarcode(code.to_owned()))
    } else {
        Err(CoreError::UnknownProduct(code.to_owned()))
    }
}

/// Adds a resolved code to the cart; `qty_milli` is the typed quantity (1000 = one).
pub async fn add_code(
    db: &LocalDb,
    terminal: &Terminal,
    cart: &mut Cart,
    code: &str,
    qty_milli: i64,
) -> CoreResult<()> {
    if qty_milli <= 0 {
        return Err(CoreError::invalid("a quantity must be more than zero"));
    }
    let r = resolve(db, terminal, code).await?;
    cart.lines.push(line_for(r, qty_milli)?);
    Ok(())
}

/// The cart line a resolved code makes with the typed quantity: a scale label's weight
/// or price wins over it (trusted as printed); a typed quantity of piece goods must be
/// whole.
pub fn line_for(r: Resolved, qty_milli: i64) -> CoreResult<CartLine> {
    if qty_milli <= 0 {
        return Err(CoreError::invalid("a quantity must be more than zero"));
    }
    let (qty_milli, unit_price_minor) = match (r.label_price_minor, r.qty_milli) {
        (Some(price), _) => (1000, price),
        (None, Some(weight)) => (weight, r.product.price_minor),
        (None, None) => (qty_milli, r.product.price_minor),
    };
    let typed = r.label_price_minor.is_none() && r.qty_milli.is_none();
    if typed && !r.product.sold_by_weight {
        whole_pieces(&r.product, qty_milli)?;
    }
    Ok(CartLine {
        id: new_id(),
        category_id: r.product.category_id,
        product_id: r.product.id,
        sku: r.product.sku,
        name: r.product.name,
        qty_milli,
        unit_price_minor,
        tax_rate_id: r.product.tax_rate_id,
        tax_rate_bp: r.product.tax_rate_bp,
        tax_inclusive: r.product.tax_inclusive,
        discount: None,
        sold_by_weight: r.product.sold_by_weight,
    })
}

/// Refuses a fractional quantity of a product sold by the piece.
pub fn whole_pieces(product: &Product, qty_milli: i64) -> CoreResult<()> {
    if qty_milli % 1000 != 0 {
        return Err(CoreError::invalid(format!(
            "{} ({}) is sold by the piece; a quantity of {} must be whole",
            product.name,
            product.sku,
            pos_shared::Quantity::from_milli(qty_milli)
        )));
    }
    Ok(())
}

/// A parked cart as listed to the cashier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parked {
    pub id: String,
    pub staff_id: String,
    pub parked_at_ms: i64,
    pub lines: usize,
    /// What the cashier wrote when parking ("customer fetching wallet").
    pub note: Option<String>,
    /// What the customer owes, at today's promotions; `None` when the cart no longer
    /// prices (its stored form is unreadable).
    pub total_minor: Option<i64>,
}

/// Parks a cart for later; returns the parked id.
pub async fn park(
    db: &LocalDb,
    staff: &Staff,
    cart: &Cart,
    note: Option<&str>,
) -> CoreResult<String> {
    if cart.lines.is_empty() {
        return Err(CoreError::EmptyCart);
    }
    let id = new_id();
    let json = serde_json::to_string(cart).map_err(|e| CoreError::invalid(e.to_string()))?;
    sqlx::query(
        "INSERT INTO parked_sales (id, staff_id, cart, note, parked_at_ms) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&staff.id)
    .bind(json)
    .bind(note)
    .bind(db.now_ms())
    .execute(db.pool())
    .await?;
    Ok(id)
}

/// Lists carts still parked, each priced with the promotions running now.
pub async fn list_parked(db: &LocalDb, terminal: &Terminal) -> CoreResult<Vec<Parked>> {
    let rows = sqlx::query(
        "SELECT id, staff_id, parked_at_ms, cart, note FROM parked_sales
         WHERE status = 'parked' ORDER BY parked_at_ms",
    )
    .fetch_all(db.pool())
    .await?;
    let promotions = crate::promotions::active(db, db.now_ms()).await?;
    let pricing = checkout::Pricing {
        currency: terminal.currency,
        promotions: &promotions,
        cash_rounding_step: terminal.cash_rounding_step,
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let cart = serde_json::from_str::<Cart>(&r.get::<String, _>(3)).ok();
            Parked {
                id: r.get(0),
                staff_id: r.get(1),
                parked_at_ms: r.get(2),
                lines: cart.as_ref().map_or(0, |c| c.lines.len()),
                note: r.get(4),
                total_minor: cart
                    .and_then(|c| checkout::price_with(&c, &pricing).ok())
                    .map(|t| t.total_minor),
            }
        })
        .collect())
}

/// Loads a parked cart. It stays parked until the sale completes or is voided, so a
/// failed payment never loses it.
pub async fn resume(db: &LocalDb, parked_id: &str) -> CoreResult<Cart> {
    let json: Option<String> =
        sqlx::query_scalar("SELECT cart FROM parked_sales WHERE id = ? AND status = 'parked'")
            .bind(parked_id)
            .fetch_optional(db.pool())
            .await?;
    let json = json.ok_or_else(|| CoreError::NotFound {
        what: "parked sale",
        id: parked_id.to_owned(),
    })?;
    let mut cart: Cart =
        serde_json::from_str(&json).map_err(|e| CoreError::invalid(format!("parked cart: {e}")))?;
    cart.parked_id = Some(parked_id.to_owned());
    Ok(cart)
}

/// Closes the parked entry a cart came from, inside the transaction that completes or
/// voids it; fails if another till already took it.
pub async fn close_parked(
    tx: &mut sqlx::SqliteConnection,
    now_ms: i64,
    cart: &Cart,
    status: &str,
) -> CoreResult<()> {
    let Some(id) = &cart.parked_id else {
        return Ok(());
    };
    let done = sqlx::query(
        "UPDATE parked_sales SET status = ?, resumed_at_ms = ? WHERE id = ? AND status = 'parked'",
    )
    .bind(status)
    .bind(now_ms)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(CoreError::NotFound {
            what: "parked sale",
            id: id.clone(),
        });
    }
    Ok(())
}

/// Removes line `line_no` (1-based) from the cart, recording the void.
pub async fn void_line(
    db: &LocalDb,
    staff: &Staff,
    cart: &mut Cart,
    line_no: usize,
) -> CoreResult<()> {
    if line_no == 0 || line_no > cart.lines.len() {
        return Err(CoreError::invalid(format!(
            "the cart has no line {line_no}"
        )));
    }
    let line = cart.lines.remove(line_no - 1);
    let body = serde_json::json!({ "line": line });
    record_void(
        db,
        staff,
        None,
        "line",
        &body,
        "line voided",
        FactKind::LineVoided,
    )
    .await
}

/// Abandons an unpaid cart; cashiers need a manager PIN. The cart is kept on record.
pub async fn void_sale(
    db: &LocalDb,
    staff: &Staff,
    cart: &Cart,
    reason: &str,
    manager_pin: Option<&str>,
) -> CoreResult<()> {
    let approver = staff::authorize(db, staff, Action::VoidSale, manager_pin).await?;
    let body = serde_json::json!({ "cart": cart, "approved_by": approver });
    record_void(
        db,
        staff,
        Some(cart),
        "sale",
        &body,
        reason,
        FactKind::SaleVoided,
    )
    .await
}

async fn record_void(
    db: &LocalDb,
    staff: &Staff,
    closes: Option<&Cart>,
    kind: &str,
    body: &serde_json::Value,
    reason: &str,
    fact: FactKind,
) -> CoreResult<()> {
    let now = db.now_ms();
    let id = new_id();
    let mut tx = db.begin().await?;
    if let Some(cart) = closes {
        close_parked(&mut tx, now, cart, "voided").await?;
    }
    sqlx::query(
        "INSERT INTO voids (id, kind, staff_id, cart, reason, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(kind)
    .bind(&staff.id)
    .bind(body.to_string())
    .bind(reason)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let payload =
        serde_json::json!({ "void_id": id, "staff_id": staff.id, "reason": reason, "body": body });
    journal::append(&mut tx, now, fact, &payload).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
#[path = "till_tests.rs"]
pub(crate) mod tests;
