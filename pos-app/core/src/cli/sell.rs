//! `pos sell`, `park`, `resume` and `void`: building carts from CLI specs.

use pos_shared::{Money, Quantity};

use super::Outcome;
use super::args::{SaleSpec, SellArgs};
use super::parse;
use crate::checkout::{Cart, Tender};
use crate::error::{CoreError, CoreResult};
use crate::staff::{self, Staff};
use crate::terminal::Terminal;
use crate::{LocalDb, receipt, sales, till};

/// Loads `--script FILE.json` over the flags when given.
pub fn spec_of(args: &SellArgs) -> CoreResult<SaleSpec> {
    match &args.script {
        Some(path) => {
            let text = std::fs::read_to_string(path)?;
            serde_json::from_str(&text)
                .map_err(|e| CoreError::invalid(format!("script {}: {e}", path.display())))
        }
        None => Ok(args.spec.clone()),
    }
}

/// Adds the spec's items, discounts, customer and tenders to `cart`.
pub async fn fill(db: &LocalDb, t: &Terminal, cart: &mut Cart, spec: &SaleSpec) -> CoreResult<()> {
    let cur = t.currency;
    for item in &spec.items {
        let (code, qty) = parse::item(item)?;
        till::add_code(db, t, cart, &code, qty).await?;
    }
    for d in &spec.line_discounts {
        let (line, discount) = parse::line_discount(d, cur)?;
        let l = cart
            .lines
            .get_mut(line.wrapping_sub(1))
            .ok_or_else(|| CoreError::invalid(format!("the cart has no line {line}")))?;
        l.discount = Some(discount);
    }
    if let Some(d) = &spec.discount {
        cart.discount = Some(parse::discount(d, cur)?);
    }
    if let Some(c) = &spec.customer {
        cart.customer_id = Some(c.clone());
    }
    for c in &spec.card {
        let (amount_minor, reference) = parse::card(c, cur)?;
        cart.tenders.push(Tender::Card {
            amount_minor,
            reference,
        });
    }
    if let Some(a) = &spec.store_credit {
        cart.tenders.push(Tender::StoreCredit {
            amount_minor: parse::money(a, cur)?,
        });
    }
    if let Some(a) = &spec.on_account {
        cart.tenders.push(Tender::OnAccount {
            amount_minor: parse::money(a, cur)?,
        });
    }
    if let Some(a) = &spec.cash {
        cart.tenders.push(Tender::Cash {
            amount_minor: parse::money(a, cur)?,
        });
    }
    Ok(())
}

/// Completes `cart` and reports the sale.
pub async fn complete(
    db: &LocalDb,
    t: &Terminal,
    staff: &Staff,
    cart: &Cart,
    manager_pin: Option<&str>,
) -> CoreResult<Outcome> {
    let sale = sales::complete(db, t, staff, cart, manager_pin).await?;
    let key = crate::seal::signing_key(db).await?;
    let m = |minor| Money::new(minor, t.currency).to_string();
    let text = format!(
        "sale {} completed: receipt #{}, total {}, paid {}, change {}\n{}",
        sale.id,
        sale.receipt_no,
        m(sale.total_minor),
        m(sale.paid_minor),
        m(sale.change_minor),
        receipt::render_text(&receipt::build(&sale, t, &key))
    );
    let sold: Vec<&str> = sale.lines.iter().map(|l| l.product_id.as_str()).collect();
    let short = crate::stock::below_zero(db, &sold).await?;
    let mut text = text;
    for s in &short {
        text.push_str(&format!(
            "\nstock warning: {} ({}) is now at {} on hand; sold more than the records hold, so count the shelf and correct it (`pos stock {} --adjust DELTA --pin PIN`)",
            s.name,
            s.sku,
            Quantity::from_milli(s.on_hand_milli),
            s.sku
        ));
    }
    // The sale is committed: the drawer and the printer follow, and a device problem
    // only adds a line to say so (the receipt stays queued).
    let devices = crate::devices::at_sale::after_sale(db, t, staff, &sale).await?;
    for p in &devices.problems {
        text.push_str(&format!(
            "\nprinter: {p}; the receipt stays queued (`pos devices drain`)"
        ));
    }
    let json = serde_json::json!({
        "devices": devices,
        "sale_id": sale.id, "receipt_no": sale.receipt_no, "total_minor": sale.total_minor,
        "paid_minor": sale.paid_minor, "change_minor": sale.change_minor,
        "tax_minor": sale.tax_minor, "discount_minor": sale.discount_minor,
        "currency": sale.currency,
        "stock_below_zero": short.iter().map(|s| serde_json::json!({
            "sku": s.sku, "on_hand_milli": s.on_hand_milli,
        })).collect::<Vec<_>>(),
    });
    Ok(Outcome::new(json, text))
}

pub async fn sell(
    db: &LocalDb,
    t: &Terminal,
    args: &SellArgs,
    resume: Option<&str>,
) -> CoreResult<Outcome> {
    let staff = staff::login(db, &args.pin).await?;
    // Said first: a cashier without a shift should not be asked for a tender.
    crate::shifts::current(db)
        .await?
        .ok_or(CoreError::NoOpenShift)?;
    let spec = spec_of(args)?;
    let mut cart = match resume {
        Some(id) => till::resume(db, id).await?,
        None => Cart::default(),
    };
    fill(db, t, &mut cart, &spec).await?;
    complete(db, t, &staff, &cart, args.manager_pin.as_deref()).await
}

pub async fn park(
    db: &LocalDb,
    t: &Terminal,
    pin: &str,
    note: Option<&str>,
    spec: &SaleSpec,
) -> CoreResult<Outcome> {
    let staff = staff::login(db, pin).await?;
    crate::shifts::current(db)
        .await?
        .ok_or(CoreError::NoOpenShift)?;
    let tendered = spec.cash.is_some()
        || !spec.card.is_empty()
        || spec.store_credit.is_some()
        || spec.on_account.is_some();
    if tendered {
        return Err(CoreError::invalid(
            "a parked cart keeps its items, not a payment; take the tender when you resume it (`pos resume ID --pin PIN --cash AMOUNT`)",
        ));
    }
    let mut cart = Cart::default();
    fill(db, t, &mut cart, spec).await?;
    let id = till::park(db, &staff, &cart, note).await?;
    Ok(Outcome::new(
        serde_json::json!({ "parked_id": id, "lines": cart.lines.len() }),
        format!(
            "parked {id} ({} line{}); resume with `pos resume {id} --pin PIN --cash AMOUNT`",
            cart.lines.len(),
            if cart.lines.len() == 1 { "" } else { "s" }
        ),
    ))
}

pub async fn void(
    db: &LocalDb,
    id: &str,
    pin: &str,
    reason: &str,
    manager_pin: Option<&str>,
) -> CoreResult<Outcome> {
    let staff = staff::login(db, pin).await?;
    let cart = till::resume(db, id).await?;
    till::void_sale(db, &staff, &cart, reason, manager_pin).await?;
    Ok(Outcome::new(
        serde_json::json!({ "voided": id }),
        format!("parked cart {id} voided ({reason})"),
    ))
}
