//! Finishing the live cart: completing it as a sale (with its receipt), parking and
//! resuming it, voiding it, and reprinting receipts.

use pos_shared::Quantity;

use super::views::{CartView, CompletedSale, ParkedView};
use super::{Till, cart, signed_in};
use crate::checkout::Cart;
use crate::error::{CoreError, CoreResult};
use crate::sales::Sale;
use crate::terminal::Terminal;
use crate::{LocalDb, receipt, sales, seal, staff, stock, till};

impl Till {
    /// Completes the live cart as a sale once its tenders cover the total. A cashier
    /// may be asked for a manager's PIN (a large discount): the cart stays, and the same
    /// call with `manager_pin` finishes it.
    pub async fn complete(&self, manager_pin: Option<&str>) -> CoreResult<CompletedSale> {
        let mut s = self.session.lock().await;
        let (t, staff) = signed_in(&s)?;
        let sale = sales::complete(&self.db, t, staff, &s.cart, manager_pin).await?;
        let done = completed(&self.db, t, &sale, false).await?;
        self.devices_due(&sale.id);
        self.display_sale(t, sale.total_minor, sale.change_minor);
        cart::save(&self.db, &Cart::default()).await?;
        s.cart = Cart::default();
        s.last_line_no = None;
        s.warnings.clone_from(&done.warnings);
        Ok(done)
    }

    /// The one-key sale: the customer hands over exactly what is due in cash.
    pub async fn pay_exact_cash(&self, manager_pin: Option<&str>) -> CoreResult<CompletedSale> {
        let view = self.cart().await?;
        if view.lines.is_empty() {
            return Err(CoreError::EmptyCart);
        }
        if view.due_minor > 0 {
            self.add_tender("cash", view.due_minor, None).await?;
        }
        self.complete(manager_pin).await
    }

    /// Abandons the live cart (a cashier needs a manager's PIN); it stays on record.
    pub async fn clear_cart(
        &self,
        reason: &str,
        manager_pin: Option<&str>,
    ) -> CoreResult<CartView> {
        let mut s = self.session.lock().await;
        let (_, staff) = signed_in(&s)?;
        if !s.cart.lines.is_empty() {
            let reason = non_empty(reason, "say why the sale is voided")?;
            till::void_sale(&self.db, staff, &s.cart, reason, manager_pin).await?;
        }
        self.commit(&mut s, Cart::default(), None).await
    }

    /// Parks the live cart (a customer fetching their wallet) and starts an empty one.
    pub async fn park(&self, note: Option<&str>) -> CoreResult<CartView> {
        let mut s = self.session.lock().await;
        let (_, staff) = signed_in(&s)?;
        if !s.cart.tenders.is_empty() {
            return Err(CoreError::invalid(
                "a parked cart keeps its items, not a payment; remove the tenders first and take them when it is resumed",
            ));
        }
        let mut cart = s.cart.clone();
        // A resumed cart parked again is a new parked entry; close the old one.
        if cart.parked_id.is_some() {
            return Err(CoreError::invalid(
                "this cart is already parked; finish it or void it",
            ));
        }
        cart.parked_id = None;
        till::park(
            &self.db,
            staff,
            &cart,
            note.map(str::trim).filter(|n| !n.is_empty()),
        )
        .await?;
        self.commit(&mut s, Cart::default(), None).await
    }

    /// Carts still parked at this till, newest last.
    pub async fn parked(&self) -> CoreResult<Vec<ParkedView>> {
        let t = self.terminal().await?;
        let mut out = Vec::new();
        for p in till::list_parked(&self.db, &t).await? {
            out.push(ParkedView {
                staff_name: staff::name_of(&self.db, &p.staff_id).await?,
                id: p.id,
                parked_at_ms: p.parked_at_ms,
                lines: i64::try_from(p.lines).unwrap_or(i64::MAX),
                note: p.note,
                total_minor: p.total_minor,
            });
        }
        Ok(out)
    }

    /// Brings a parked cart back as the live cart; the live cart must be empty.
    pub async fn resume(&self, parked_id: &str) -> CoreResult<CartView> {
        let mut s = self.session.lock().await;
        signed_in(&s)?;
        if !s.cart.lines.is_empty() {
            return Err(CoreError::invalid(
                "finish or park the sale on screen before resuming another",
            ));
        }
        let cart = till::resume(&self.db, parked_id).await?;
        let last = i64::try_from(cart.lines.len()).ok();
        self.commit(&mut s, cart, last).await
    }

    /// Voids a parked cart (a cashier needs a manager's PIN).
    pub async fn void_parked(
        &self,
        parked_id: &str,
        reason: &str,
        manager_pin: Option<&str>,
    ) -> CoreResult<Vec<ParkedView>> {
        {
            let s = self.session.lock().await;
            let (_, staff) = signed_in(&s)?;
            let reason = non_empty(reason, "say why the parked sale is voided")?;
            let cart = till::resume(&self.db, parked_id).await?;
            till::void_sale(&self.db, staff, &cart, reason, manager_pin).await?;
        }
        self.parked().await
    }

    /// A completed sale's receipt again, marked as a copy.
    pub async fn receipt(&self, sale: &str) -> CoreResult<CompletedSale> {
        let t = self.terminal().await?;
        let id = sales::find_id(&self.db, sale).await?;
        let sale = sales::load(&self.db, &id).await?;
        completed(&self.db, &t, &sale, true).await
    }

    pub(super) async fn terminal(&self) -> CoreResult<Terminal> {
        let s = self.session.lock().await;
        s.terminal.clone().ok_or(CoreError::NotInitialised)
    }
}

/// The sale with its receipt and any stock warnings.
async fn completed(
    db: &LocalDb,
    t: &Terminal,
    sale: &Sale,
    copy: bool,
) -> CoreResult<CompletedSale> {
    let key = seal::signing_key(db).await?;
    let r = receipt::build(sale, t, &key);
    let text = if copy {
        receipt::render_copy(&r)
    } else {
        receipt::render_text(&r)
    };
    let sold: Vec<&str> = sale.lines.iter().map(|l| l.product_id.as_str()).collect();
    let warnings = if copy {
        Vec::new()
    } else {
        stock::below_zero(db, &sold)
            .await?
            .iter()
            .map(|s| {
                format!(
                    "{} ({}) is now at {} on hand: count the shelf and correct the stock",
                    s.name,
                    s.sku,
                    Quantity::from_milli(s.on_hand_milli)
                )
            })
            .collect()
    };
    Ok(CompletedSale {
        sale_id: sale.id.clone(),
        receipt_no: sale.receipt_no,
        total_minor: sale.total_minor,
        paid_minor: sale.paid_minor,
        change_minor: sale.change_minor,
        receipt_text: text,
        receipt_qr: r.qr_payload,
        warnings,
        customer_email: match &sale.customer_id {
            Some(id) => crate::customers::get(db, id).await?.email,
            None => None,
        },
    })
}

fn non_empty<'a>(text: &'a str, what_to_do: &str) -> CoreResult<&'a str> {
    let t = text.trim();
    if t.is_empty() {
        return Err(CoreError::invalid(what_to_do.to_owned()));
    }
    Ok(t)
}
