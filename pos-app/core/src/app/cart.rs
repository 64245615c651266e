//! The live cart: ringing up (scan, search pick, quantity, price, discounts, customer),
//! kept on disk after every change so a crash never loses the sale being rung up.

use sqlx::Row;

use super::views::{CartLineView, CartView, DiscountView, TenderView};
use super::{Session, Till, convert, signed_in};
use crate::checkout::{self, Cart, Pricing, Tender};
use crate::error::{CoreError, CoreResult};
use crate::staff::{self, Action};
use crate::store::LocalDb;
use crate::terminal::Terminal;
use crate::{catalog, customers, promotions, till};

/// The cart left on disk, unless the sale it was rung up as already completed (the app
/// stopped between the sale's commit and clearing the cart).
pub(super) async fn restore(db: &LocalDb) -> CoreResult<Cart> {
    let Some(row) = sqlx::query("SELECT cart FROM live_cart WHERE id = 1")
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(Cart::default());
    };
    let cart: Cart = match serde_json::from_str(&row.get::<String, _>(0)) {
        Ok(cart) => cart,
        Err(e) => {
            tracing::error!("the saved cart is unreadable ({e}); starting an empty one");
            return Ok(Cart::default());
        }
    };
    if let Some(first) = cart.lines.first() {
        let sold: Option<String> =
            sqlx::query_scalar("SELECT sale_id FROM sale_lines WHERE id = ?")
                .bind(&first.id)
                .fetch_optional(db.pool())
                .await?;
        if sold.is_some() {
            save(db, &Cart::default()).await?;
            return Ok(Cart::default());
        }
    }
    Ok(cart)
}

/// Writes the cart as it is now. Not counted as a commit for the sale path's kept
/// context (`LocalDb::wrote`): the cart row is nothing a sale reads, and counting it
/// would send every sale down the two-trip path.
pub(super) async fn save(db: &LocalDb, cart: &Cart) -> CoreResult<()> {
    let json = serde_json::to_string(cart).map_err(|e| CoreError::invalid(e.to_string()))?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO live_cart (id, cart, updated_at_ms) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET cart = excluded.cart, updated_at_ms = excluded.updated_at_ms",
    )
    .bind(json)
    .bind(db.now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

impl Till {
    /// The live cart, priced.
    pub async fn cart(&self) -> CoreResult<CartView> {
        let s = self.session.lock().await;
        let t = s.terminal.as_ref().ok_or(CoreError::NotInitialised)?;
        self.price(t, &s.cart, s.last_line_no, &s.warnings).await
    }

    /// Adds what a scanned or typed code names (barcode, SKU, scale label). Scanning the
    /// same piece-goods item again adds one more to its line instead of a new line.
    pub async fn scan(&self, code: &str, qty_milli: Option<i64>) -> CoreResult<CartView> {
        let mut s = self.session.lock().await;
        let (t, _) = signed_in(&s)?;
        let resolved = till::resolve(&self.db, t, code).await?;
        // A weighed product scanned (or picked) without a weight takes it from the scale.
        let weigh = qty_milli.is_none()
            && resolved.product.sold_by_weight
            && resolved.qty_milli.is_none()
            && resolved.label_price_minor.is_none();
        let qty = match qty_milli {
            None if weigh && self.has_scale().await? => self.read_scale().await?,
            typed => typed.unwrap_or(1000),
        };
        let mut cart = s.cart.clone();
        let plain = resolved.qty_milli.is_none() && resolved.label_price_minor.is_none();
        let bump = cart.lines.last_mut().filter(|l| {
            plain
                && !resolved.product.sold_by_weight
                && l.product_id == resolved.product.id
                && l.discount.is_none()
                && l.unit_price_minor == resolved.product.price_minor
        });
        match bump {
            Some(line) => {
                till::whole_pieces(&resolved.product, qty)?;
                line.qty_milli += qty;
            }
            None => cart.lines.push(till::line_for(resolved, qty)?),
        }
        let last = i64::try_from(cart.lines.len()).ok();
        self.commit(&mut s, cart, last).await
    }

    /// Adds a product picked from search or a quick key.
    pub async fn add_product(
        &self,
        product_id: &str,
        qty_milli: Option<i64>,
    ) -> CoreResult<CartView> {
        let sku = catalog::product_by_id(&self.db, product_id).await?.sku;
        self.scan(&sku, qty_milli).await
    }

    /// Sets a line's quantity; 0 removes it (recorded as a voided line).
    pub async fn set_qty(&self, line_id: &str, qty_milli: i64) -> CoreResult<CartView> {
        if qty_milli == 0 {
            return self.remove_line(line_id).await;
        }
        if qty_milli < 0 {
            return Err(CoreError::invalid(
                "a quantity must be more than zero; take returns through Refund",
            ));
        }
        let mut s = self.session.lock().await;
        signed_in(&s)?;
        let mut cart = s.cart.clone();
        let n = line_index(&cart, line_id)?;
        let product = catalog::product_by_id(&self.db, &cart.lines[n].product_id).await?;
        if !product.sold_by_weight {
            till::whole_pieces(&product, qty_milli)?;
        }
        cart.lines[n].qty_milli = qty_milli;
        self.commit(&mut s, cart, line_no(n)).await
    }

    /// Removes a line; the removal is journaled as a voided line.
    pub async fn remove_line(&self, line_id: &str) -> CoreResult<CartView> {
        let mut s = self.session.lock().await;
        let (_, staff) = signed_in(&s)?;
        let staff = staff.clone();
        let mut cart = s.cart.clone();
        let n = line_index(&cart, line_id)?;
        till::void_line(&self.db, &staff, &mut cart, n + 1).await?;
        self.commit(&mut s, cart, None).await
    }

    /// Sells a line at another unit price; a cashier needs a manager's PIN.
    pub async fn set_price(
        &self,
        line_id: &str,
        unit_price_minor: i64,
        manager_pin: Option<&str>,
    ) -> CoreResult<CartView> {
        if unit_price_minor < 0 {
            return Err(CoreError::invalid("a price cannot be negative"));
        }
        crate::error::within_entry_limit(unit_price_minor, "a price")?;
        let mut s = self.session.lock().await;
        let (_, staff) = signed_in(&s)?;
        let approver =
            staff::authorize(&self.db, staff, Action::PriceOverride, manager_pin).await?;
        let mut cart = s.cart.clone();
        let n = line_index(&cart, line_id)?;
        tracing::info!(
            line = line_id,
            unit_price_minor,
            ?approver,
            "price override"
        );
        cart.lines[n].unit_price_minor = unit_price_minor;
        self.commit(&mut s, cart, line_no(n)).await
    }

    /// Sets or clears a line's discount (a large one needs a manager when the sale
    /// completes, as the core checks the whole sale's discount then).
    pub async fn line_discount(
        &self,
        line_id: &str,
        d: Option<DiscountView>,
    ) -> CoreResult<CartView> {
        let mut s = self.session.lock().await;
        let (t, _) = signed_in(&s)?;
        let d = d.map(|d| convert::discount(d, t));
        let mut cart = s.cart.clone();
        let n = line_index(&cart, line_id)?;
        cart.lines[n].discount = d;
        self.commit(&mut s, cart, line_no(n)).await
    }

    /// Sets or clears the discount on the whole cart.
    pub async fn cart_discount(&self, d: Option<DiscountView>) -> CoreResult<CartView> {
        let mut s = self.session.lock().await;
        let (t, _) = signed_in(&s)?;
        let mut cart = s.cart.clone();
        cart.discount = d.map(|d| convert::discount(d, t));
        let last = s.last_line_no;
        self.commit(&mut s, cart, last).await
    }

    /// Attaches a customer (for store credit, on-account sales and their history) or
    /// detaches with `None`; tenders that need the customer go with them.
    pub async fn attach_customer(&self, customer_id: Option<&str>) -> CoreResult<CartView> {
        let mut s = self.session.lock().await;
        signed_in(&s)?;
        if let Some(id) = customer_id {
            customers::get(&self.db, id).await?;
        }
        let mut cart = s.cart.clone();
        cart.customer_id = customer_id.map(str::to_owned);
        if customer_id.is_none() {
            cart.tenders
                .retain(|t| !matches!(t, Tender::StoreCredit { .. } | Tender::OnAccount { .. }));
        }
        let last = s.last_line_no;
        self.commit(&mut s, cart, last).await
    }

    /// Takes a tender towards the total.
    pub async fn add_tender(
        &self,
        kind: &str,
        amount_minor: i64,
        reference: Option<&str>,
    ) -> CoreResult<CartView> {
        if amount_minor <= 0 {
            return Err(CoreError::invalid("a tender must be more than zero"));
        }
        crate::error::within_entry_limit(amount_minor, "a tender")?;
        let mut s = self.session.lock().await;
        signed_in(&s)?;
        let mut cart = s.cart.clone();
        if cart.lines.is_empty() {
            return Err(CoreError::EmptyCart);
        }
        let needs_customer = matches!(kind, "store_credit" | "on_account");
        if needs_customer && cart.customer_id.is_none() {
            return Err(CoreError::invalid(
                "attach the customer first: store credit and on-account sales belong to a customer",
            ));
        }
        cart.tenders.push(tender(kind, amount_minor, reference)?);
        let last = s.last_line_no;
        self.commit(&mut s, cart, last).await
    }

    /// Takes back a tender entered by mistake.
    pub async fn remove_tender(&self, index: i64) -> CoreResult<CartView> {
        let mut s = self.session.lock().await;
        signed_in(&s)?;
        let mut cart = s.cart.clone();
        let i = usize::try_from(index)
            .ok()
            .filter(|i| *i < cart.tenders.len())
            .ok_or_else(|| CoreError::invalid(format!("there is no tender {index}")))?;
        cart.tenders.remove(i);
        let last = s.last_line_no;
        self.commit(&mut s, cart, last).await
    }

    /// Checks a changed cart prices, writes it, and makes it the live cart.
    pub(super) async fn commit(
        &self,
        s: &mut Session,
        cart: Cart,
        last_line_no: Option<i64>,
    ) -> CoreResult<CartView> {
        let t = s.terminal.as_ref().ok_or(CoreError::NotInitialised)?;
        let view = self.price(t, &cart, last_line_no, &[]).await?;
        save(&self.db, &cart).await?;
        self.display_cart(t, &view);
        s.cart = cart;
        s.last_line_no = last_line_no;
        s.warnings.clear();
        Ok(view)
    }

    /// Prices `cart` with the promotions running now.
    pub(super) async fn price(
        &self,
        t: &Terminal,
        cart: &Cart,
        last_line_no: Option<i64>,
        warnings: &[String],
    ) -> CoreResult<CartView> {
        let running = promotions::active(&self.db, self.db.now_ms()).await?;
        let pricing = Pricing {
            currency: t.currency,
            promotions: &running,
            cash_rounding_step: t.cash_rounding_step,
        };
        let totals = checkout::price_with(cart, &pricing)?;
        let customer = match &cart.customer_id {
            Some(id) => Some(convert::customer(&customers::get(&self.db, id).await?)),
            None => None,
        };
        let lines = cart
            .lines
            .iter()
            .zip(&totals.lines)
            .map(|(line, priced)| CartLineView {
                line_no: priced.line_no,
                id: line.id.clone(),
                product_id: line.product_id.clone(),
                sku: line.sku.clone(),
                name: line.name.clone(),
                qty_milli: line.qty_milli,
                unit_price_minor: line.unit_price_minor,
                sold_by_weight: line.sold_by_weight || line.qty_milli % 1000 != 0,
                list_minor: priced.list_minor,
                discount_minor: priced.discount_minor,
                gross_minor: priced.gross_minor,
                discount: line.discount.as_ref().map(convert::discount_view),
            })
            .collect();
        Ok(CartView {
            lines,
            discount: cart.discount.as_ref().map(convert::discount_view),
            customer,
            tenders: tender_views(&cart.tenders),
            subtotal_minor: totals.subtotal_minor,
            discount_minor: totals.discount_minor,
            tax_minor: totals.tax_minor,
            total_minor: totals.total_minor,
            paid_minor: totals.paid_minor,
            change_minor: totals.change_minor,
            due_minor: totals.due_minor,
            parked_id: cart.parked_id.clone(),
            last_line_no,
            warnings: warnings.to_vec(),
        })
    }
}

pub(super) fn tender(kind: &str, amount_minor: i64, reference: Option<&str>) -> CoreResult<Tender> {
    Ok(match kind {
        "cash" => Tender::Cash { amount_minor },
        "card" => Tender::Card {
            amount_minor,
            reference: reference.unwrap_or("").trim().to_owned(),
        },
        "store_credit" => Tender::StoreCredit { amount_minor },
        "on_account" => Tender::OnAccount { amount_minor },
        other => {
            return Err(CoreError::invalid(format!(
                "`{other}` is not a tender this till takes: cash, card, store_credit or on_account"
            )));
        }
    })
}

fn tender_views(tenders: &[Tender]) -> Vec<TenderView> {
    tenders
        .iter()
        .enumerate()
        .map(|(i, t)| TenderView {
            index: i64::try_from(i).unwrap_or(i64::MAX),
            kind: t.kind().to_owned(),
            amount_minor: t.amount_minor(),
            reference: match t {
                Tender::Card { reference, .. } if !reference.is_empty() => Some(reference.clone()),
                _ => None,
            },
        })
        .collect()
}

fn line_index(cart: &Cart, line_id: &str) -> CoreResult<usize> {
    cart.lines
        .iter()
        .position(|l| l.id == line_id)
        .ok_or_else(|| CoreError::NotFound {
            what: "cart line",
            id: line_id.to_owned(),
        })
}

fn line_no(index: usize) -> Option<i64> {
    i64::try_from(index + 1).ok()
}
