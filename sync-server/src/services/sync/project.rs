//! Projection: a stored journal batch becomes orders, refunds, stock movements, balances,
//! customer accounts, exceptions and events, in ONE MongoDB transaction across salesdb,
//! inventorydb and debtdb that also moves the terminal's `projected_through`. Batches of a terminal are projected in
//! sequence order, each exactly once.
//!
//! Facts are never refused: an unreadable record is quarantined, a business problem
//! (oversold, price variance, over-refund, orphan refund) is recorded as an exception for
//! managers. Round trips per batch are fixed, not per record (bulk inserts, one balance
//! read and replace per batch).

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use mongodb::{
    ClientSession,
    bson::{self, DateTime, Document, doc},
};
use pos_shared::{
    facts::{CustomerCreated, DebtPayment, Refund, RefundLine, Sale, StockAdjusted},
    journal::{FactKind, JournalRecord},
    sync::SyncException,
};

use crate::{
    events::{Event, EventMessage, payloads},
    services::{catalog, debt::accounts, inventory, inventory::ledger, sales},
    state::AppState,
    store::System,
};

use super::{
    batches::Batch,
    ingest::{Source, chain_position, position_id},
    protocol::record_events,
};

/// What became of a batch the projector picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Built now (or found built by another instance).
    Projected,
    /// One record built (or set aside); the batch has more.
    Progressed,
    /// An earlier batch of the terminal is not projected yet; this one waits its turn.
    Waiting,
}

/// A record read as its fact, or why it could not be.
enum Fact {
    Sale(Sale),
    Refund(Refund),
    Stock(StockAdjusted),
    Customer(CustomerCreated),
    Payment(DebtPayment),
    Shift(sales::shifts::ShiftFact),
    /// Stored in the journal only (cash movements, voids).
    Other,
    Quarantined(String),
}

fn read(rec: &JournalRecord, prev_hash: &str, src: &Source, epoch: i64) -> Fact {
    if rec.terminal_id != src.terminal_id || rec.epoch != epoch {
        return Fact::Quarantined("record of another terminal or epoch".into());
    }
    if rec.prev_hash != prev_hash {
        return Fact::Quarantined(format!(
            "hash chain broken: prev_hash {} but the previous record's hash is {prev_hash}",
            rec.prev_hash
        ));
    }
    if !rec.hash_holds() {
        return Fact::Quarantined("the record's hash does not match its content".into());
    }
    let parsed = match FactKind::parse(&rec.kind) {
        Some(FactKind::SaleCompleted) => serde_json::from_str(&rec.payload).map(Fact::Sale),
        Some(FactKind::RefundIssued) => serde_json::from_str(&rec.payload).map(Fact::Refund),
        Some(FactKind::StockAdjusted) => serde_json::from_str(&rec.payload).map(Fact::Stock),
        Some(FactKind::CustomerCreated) => serde_json::from_str(&rec.payload).map(Fact::Customer),
        Some(FactKind::DebtPayment) => serde_json::from_str(&rec.payload).map(Fact::Payment),
        Some(FactKind::ShiftOpened) => serde_json::from_str(&rec.payload)
            .map(|v| Fact::Shift(sales::shifts::ShiftFact::Opened(v))),
        Some(FactKind::ShiftClosed) => serde_json::from_str(&rec.payload)
            .map(|v| Fact::Shift(sales::shifts::ShiftFact::Closed(v))),
        Some(_) => Ok(Fact::Other),
        None => return Fact::Quarantined(format!("unknown fact kind `{}`", rec.kind)),
    };
    parsed.unwrap_or_else(|e| Fact::Quarantined(format!("unreadable {} payload: {e}", rec.kind)))
}

fn encode<T: serde::Serialize>(v: &T) -> mongodb::error::Result<Document> {
    bson::to_document(v).map_err(|e| mongodb::error::Error::custom(format!("not encodable: {e}")))
}

/// A fact (sale, refund) as the server stores it: its own fields under `id`, with the
/// journal record, tenant, shop and terminal it came from and when it arrived.
fn as_stored<T: serde::Serialize>(
    fact: &T,
    id: &str,
    event_id: &str,
    src: &Source,
    at: DateTime,
) -> mongodb::error::Result<Document> {
    let mut d = encode(fact)?;
    d.insert("_id", id);
    d.insert("event_id", event_id);
    d.insert("company_id", &src.company_id);
    d.insert("shop_id", &src.shop_id);
    d.insert("terminal_id", &src.terminal_id);
    d.insert("received_at", at);
    Ok(d)
}

/// Everything one batch writes, gathered before the bulk writes.
#[derive(Default)]
struct Plan {
    quarantine: Vec<Document>,
    orders: Vec<Document>,
    refunds: Vec<Document>,
    /// Movements with the event they came from, in journal order.
    moves: Vec<(ledger::Movement, String)>,
    sales_events: Vec<EventMessage>,
    inventory_events: Vec<EventMessage>,
    exceptions: Vec<SyncException>,
    /// Exception docs need the sale id for orphan resolution.
    exception_sale: Vec<Option<String>>,
    /// Customers created at the till, in journal order.
    customers: Vec<CustomerCreated>,
    /// Customer account entries, with the event each came from.
    entries: Vec<accounts::Entry>,
    /// Shifts opened and closed, in journal order.
    shifts: Vec<sales::shifts::ShiftFact>,
}

impl Plan {
    /// Sets `rec` aside unbuilt, with an alert: kept for managers and auditors, never lost.
    fn quarantine(&mut self, rec: &JournalRecord, src: &Source, reason: &str, at: DateTime) {
        tracing::warn!(terminal = %src.terminal_id, seq = rec.seq, %reason, "journal record quarantined");
        self.quarantine.push(doc! {
            "_id": &rec.id, "company_id": &src.company_id, "shop_id": &src.shop_id,
            "terminal_id": &src.terminal_id, "epoch": rec.epoch, "seq": rec.seq,
            "kind": &rec.kind, "reason": reason, "at": at,
        });
        let quarantined = payloads::Quarantined {
            event_id: rec.id.clone(),
            seq: rec.seq,
            reason: reason.to_string(),
        };
        self.inventory_events.push(
            Event::Quarantined(quarantined).message(Some(&src.company_id), Some(&src.terminal_id)),
        );
        let detail = format!(
            "{} record {} of terminal {}: {reason}",
            rec.kind, rec.seq, src.terminal_id
        );
        self.exception("quarantined", &rec.id, detail, None);
    }

    fn exception(&mut self, kind: &str, event_id: &str, detail: String, sale: Option<String>) {
        self.exceptions.push(SyncException {
            kind: kind.into(),
            event_id: event_id.into(),
            detail,
        });
        self.exception_sale.push(sale);
    }
}

/// How far a terminal's journal is projected for one epoch: the highest sequence built
/// into orders and stock and that record's hash (0 and the genesis hash before any).
pub async fn projected(
    state: &AppState,
    s: Option<&mut ClientSession>,
    terminal_id: &str,
    epoch: i64,
) -> mongodb::error::Result<(i64, String)> {
    let positions = sales::projections(state, System::Projector);
    let find = positions.find_one(doc! { "_id": position_id(terminal_id, epoch) });
    chain_position(find, s, ("projected_through", "projected_hash")).await
}

/// Whether the projector will set `rec` aside (broken chain, foreign terminal, unreadable
/// payload) rather than build from it.
pub fn is_quarantined(rec: &JournalRecord, prev_hash: &str, src: &Source, epoch: i64) -> bool {
    matches!(read(rec, prev_hash, src, epoch), Fact::Quarantined(_))
}

/// How much of a batch one transaction builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Every record not yet built: the normal case, one transaction per batch.
    Whole,
    /// Only the next record: for a batch that failed as a whole, to find the record that
    /// cannot be built.
    NextRecord,
    /// Set record `seq` aside in quarantine, unbuilt, with this reason: it failed on its
    /// own as well, and must not hold back the terminal's later sales. Nothing happens
    /// unless `seq` is still the next record (another instance may have moved on).
    QuarantineNext { seq: i64, reason: String },
}

/// Projects the stored batch `id` (all of it, or one record: see [`Step`]); called inside
/// a transaction that may be retried, so it only reads its inputs.
pub async fn project(
    state: &AppState,
    s: &mut ClientSession,
    id: &str,
    step: &Step,
) -> mongodb::error::Result<Outcome> {
    let Some(stored) = sales::journal(state, System::Projector)
        .find_one(doc! { "_id": id, "projected": false })
        .session(&mut *s)
        .await?
    else {
        return Ok(Outcome::Projected);
    };
    let batch = Batch::from_doc(&stored)?;
    let src = &batch.src;
    let (through, hash) = projected(state, Some(&mut *s), &src.terminal_id, batch.epoch).await?;
    if batch.from > through + 1 {
        return Ok(Outcome::Waiting);
    }
    let at = DateTime::now();
    let mut fresh: Vec<&JournalRecord> = batch.records.iter().filter(|r| r.seq > through).collect();
    if *step != Step::Whole {
        fresh.truncate(1);
    }
    if let (Step::QuarantineNext { seq, .. }, Some(next)) = (step, fresh.first())
        && next.seq != *seq
    {
        return Ok(Outcome::Progressed);
    }
    if let Some(last) = fresh.last() {
        match step {
            Step::QuarantineNext { reason, .. } => {
                let mut plan = Plan::default();
                plan.quarantine(last, src, reason, at);
                write(state, s, src, at, &mut plan).await?;
            }
            Step::Whole | Step::NextRecord => {
                build(state, s, src, batch.epoch, &hash, &fresh, at).await?;
            }
        }
        sales::projections(state, System::Projector)
            .update_one(
                doc! { "_id": position_id(&src.terminal_id, batch.epoch) },
                doc! { "$set": {
                    "company_id": &src.company_id,
                    "terminal_id": &src.terminal_id, "shop_id": &src.shop_id,
                    "epoch": batch.epoch, "projected_through": last.seq,
                    "projected_hash": &last.hash, "projected_at": at,
                } },
            )
            .upsert(true)
            .session(&mut *s)
            .await?;
    }
    if fresh.last().is_some_and(|last| last.seq < batch.to) {
        return Ok(Outcome::Progressed);
    }
    sales::journal(state, System::Projector)
        .update_one(
            doc! { "_id": id },
            doc! { "$set": { "projected": true, "projected_at": at } },
        )
        .session(&mut *s)
        .await?;
    Ok(Outcome::Projected)
}

/// Everything `fresh` (records right after the projected position, whose hash is
/// `prev_hash`) writes.
async fn build(
    state: &AppState,
    s: &mut ClientSession,
    src: &Source,
    epoch: i64,
    prev_hash: &str,
    fresh: &[&JournalRecord],
    at: DateTime,
) -> mongodb::error::Result<()> {
    let mut plan = Plan::default();
    let mut prev = prev_hash.to_string();
    let mut new_sales: Vec<(String, Sale)> = Vec::new();
    let mut new_refunds: Vec<(String, Refund)> = Vec::new();
    for rec in fresh {
        let fact = read(rec, &prev, src, epoch);
        prev = rec.hash.clone();
        match fact {
            Fact::Quarantined(reason) => plan.quarantine(rec, src, &reason, at),
            Fact::Sale(sale) => new_sales.push((rec.id.clone(), sale)),
            Fact::Refund(refund) => new_refunds.push((rec.id.clone(), refund)),
            Fact::Stock(adj) => {
                plan.moves.push((
                    ledger::Movement {
                        id: format!("{}:0", rec.id),
                        product_id: adj.product_id.clone(),
                        delta_milli: adj.delta_milli,
                        reason: "adjustment".into(),
                        source_event: Some(rec.id.clone()),
                        terminal_id: Some(src.terminal_id.clone()),
                    },
                    rec.id.clone(),
                ));
                let adjusted = payloads::InventoryAdjusted {
                    shop_id: src.shop_id.clone(),
                    product_id: adj.product_id.clone(),
                    sku: Some(adj.sku.clone()),
                    delta_milli: adj.delta_milli,
                    reason: adj.reason.clone(),
                };
                plan.inventory_events.push(
                    Event::InventoryAdjusted(adjusted)
                        .message(Some(&src.company_id), Some(&src.terminal_id)),
                );
            }
            Fact::Customer(c) => plan.customers.push(c),
            Fact::Payment(p) => plan.entries.push(accounts::Entry::of_payment(&rec.id, &p)),
            Fact::Shift(f) => plan.shifts.push(f),
            Fact::Other => {}
        }
    }
    plan_sales(state, s, src, at, &new_sales, &mut plan).await?;
    plan_refunds(state, s, src, at, &new_sales, &new_refunds, &mut plan).await?;
    write(state, s, src, at, &mut plan).await
}

/// Orders, stock movements and price-variance checks for the batch's sales.
async fn plan_sales(
    state: &AppState,
    s: &mut ClientSession,
    src: &Source,
    at: DateTime,
    new_sales: &[(String, Sale)],
    plan: &mut Plan,
) -> mongodb::error::Result<()> {
    if new_sales.is_empty() {
        return Ok(());
    }
    let ids: HashSet<&str> = new_sales
        .iter()
        .flat_map(|(_, sale)| sale.lines.iter().map(|l| l.product_id.as_str()))
        .collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let catalog: Vec<catalog::ProductDoc> = catalog::products_in(state, &src.company())
        .find(doc! { "_id": { "$in": &ids } })
        .session(&mut *s)
        .await?
        .stream(&mut *s)
        .try_collect()
        .await?;
    let prices: HashMap<&str, &catalog::ProductDoc> =
        catalog.iter().map(|p| (p.id.as_str(), p)).collect();
    // The shop's own price, where it has one, is what its tills should have charged.
    let shop_prices =
        catalog::prices::of_shop(state, s, &src.company_id, &src.shop_id, &ids).await?;
    for (event_id, sale) in new_sales {
        let mut order = as_stored(sale, &sale.id, event_id, src, at)?;
        order.insert("channel", "pos");
        order.insert("status", "completed");
        order.insert("created_at", DateTime::from_millis(sale.created_at_ms));
        plan.orders.push(order);
        plan.entries
            .extend(accounts::Entry::of_sale(event_id, sale));
        for l in &sale.lines {
            plan.moves.push((
                ledger::Movement {
                    id: format!("{event_id}:{}", l.line_no),
                    product_id: l.product_id.clone(),
                    delta_milli: -l.qty_milli,
                    reason: "sale".into(),
                    source_event: Some(event_id.clone()),
                    terminal_id: Some(src.terminal_id.clone()),
                },
                event_id.clone(),
            ));
            if let Some(p) = prices.get(l.product_id.as_str())
                && let expected = shop_prices
                    .get(&l.product_id)
                    .copied()
                    .unwrap_or(p.price_minor)
                && expected != l.unit_price_minor
            {
                plan.exception(
                    "price_variance",
                    event_id,
                    format!(
                        "{} sold at {} but the shop's price is {} ({} minor units)",
                        l.sku, l.unit_price_minor, expected, p.currency
                    ),
                    Some(sale.id.clone()),
                );
            }
        }
        let completed = payloads::OrderCompleted {
            order_id: sale.id.clone(),
            channel: "pos".into(),
            shop_id: src.shop_id.clone(),
            terminal_id: src.terminal_id.clone(),
            receipt_no: sale.receipt_no,
            total_minor: sale.total_minor,
            currency: sale.currency.clone(),
            sale: sale.clone(),
        };
        plan.sales_events.push(
            Event::OrderCompleted(completed).message(Some(&src.company_id), Some(&src.terminal_id)),
        );
    }
    Ok(())
}

/// Refunds link to their sale when it is known (already stored or in this batch); else
/// they wait as orphans and link when the sale arrives. Refunding more than was sold is
/// recorded, never refused.
async fn plan_refunds(
    state: &AppState,
    s: &mut ClientSession,
    src: &Source,
    at: DateTime,
    new_sales: &[(String, Sale)],
    new_refunds: &[(String, Refund)],
    plan: &mut Plan,
) -> mongodb::error::Result<()> {
    let arriving: Vec<&str> = new_sales.iter().map(|(_, s)| s.id.as_str()).collect();
    let wanted: HashSet<&str> = new_refunds
        .iter()
        .filter_map(|(_, r)| r.sale_id.as_deref())
        .chain(arriving.iter().copied())
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let wanted: Vec<&str> = wanted.into_iter().collect();
    // Sold lines per sale, for sales stored earlier and sales in this batch.
    let mut sold: HashMap<String, Vec<SoldLine>> = HashMap::new();
    let company = src.company();
    let stored: Vec<Document> = sales::orders_in(state, &company)
        .find(doc! { "_id": { "$in": &wanted } })
        .projection(doc! { "lines.id": 1, "lines.product_id": 1, "lines.qty_milli": 1 })
        .session(&mut *s)
        .await?
        .stream(&mut *s)
        .try_collect()
        .await?;
    for o in &stored {
        let lines = o.get_array("lines").map(|a| a.as_slice()).unwrap_or(&[]);
        let per_line = lines
            .iter()
            .filter_map(|l| {
                let l = l.as_document()?;
                Some(SoldLine {
                    id: l.get_str("id").ok()?.to_string(),
                    product_id: l.get_str("product_id").unwrap_or_default().to_string(),
                    qty_milli: l.get_i64("qty_milli").ok()?,
                })
            })
            .collect();
        sold.insert(o.get_str("_id").unwrap_or_default().to_string(), per_line);
    }
    for (_, sale) in new_sales {
        let per_line = sale
            .lines
            .iter()
            .map(|l| SoldLine {
                id: l.id.clone(),
                product_id: l.product_id.clone(),
                qty_milli: l.qty_milli,
            })
            .collect();
        sold.insert(sale.id.clone(), per_line);
    }
    // Refunded so far per sale line: linked refunds already stored...
    let earlier: Vec<Document> = sales::refunds_in(state, &company)
        .find(doc! { "sale_id": { "$in": &wanted } })
        .session(&mut *s)
        .await?
        .stream(&mut *s)
        .try_collect()
        .await?;
    let mut refunded: HashMap<String, i64> = HashMap::new();
    let mut late: Vec<(String, Refund)> = Vec::new();
    for d in earlier {
        let linked = d.get_bool("linked").unwrap_or(false);
        let Ok(r) = bson::from_document::<Refund>(d.clone()) else {
            continue;
        };
        if linked {
            count_refunded(&mut refunded, &r);
        } else if r
            .sale_id
            .as_deref()
            .is_some_and(|id| arriving.contains(&id))
        {
            late.push((d.get_str("event_id").unwrap_or_default().to_string(), r));
        }
    }
    // ...then orphans whose sale just arrived, then this batch's refunds, in order. Each
    // is stored with the sale lines it was matched to.
    for (event_id, r) in &mut late {
        check_refund(plan, &sold, &mut refunded, event_id, r);
        let lines = bson::to_bson(&r.lines)
            .map_err(|e| mongodb::error::Error::custom(format!("refund lines: {e}")))?;
        sales::refunds_in(state, &company)
            .update_one(
                doc! { "_id": &r.id },
                doc! { "$set": { "lines": lines, "linked": true, "linked_at": at } },
            )
            .session(&mut *s)
            .await?;
    }
    if !late.is_empty() {
        inventory::exceptions(state, &company)
            .update_many(
                doc! { "kind": "orphan_refund", "sale_id": { "$in": &arriving } },
                doc! { "$set": { "resolved": true, "resolved_at": at } },
            )
            .session(&mut *s)
            .await?;
    }
    for (event_id, r) in new_refunds {
        let mut r = r.clone();
        let linked = r.sale_id.as_deref().is_some_and(|id| sold.contains_key(id));
        if linked {
            check_refund(plan, &sold, &mut refunded, event_id, &mut r);
        } else if let Some(sale_id) = &r.sale_id {
            plan.exception(
                "orphan_refund",
                event_id,
                format!(
                    "refund {} of sale {sale_id}, which the server has not received yet",
                    r.id
                ),
                Some(sale_id.clone()),
            );
        }
        plan.entries
            .extend(accounts::Entry::of_refund(event_id, &r));
        let mut d = as_stored(&r, &r.id, event_id, src, at)?;
        d.insert("linked", linked);
        plan.refunds.push(d);
        for (i, l) in r.lines.iter().enumerate().filter(|(_, l)| l.restock) {
            plan.moves.push((
                ledger::Movement {
                    id: format!("{event_id}:r{i}"),
                    product_id: l.product_id.clone(),
                    delta_milli: l.qty_milli,
                    reason: "refund".into(),
                    source_event: Some(event_id.clone()),
                    terminal_id: Some(src.terminal_id.clone()),
                },
                event_id.clone(),
            ));
        }
        let refunded = payloads::OrderRefunded {
            refund_id: r.id.clone(),
            order_id: r.sale_id.clone(),
            linked,
            shop_id: src.shop_id.clone(),
            total_minor: r.total_minor,
            refund: r.clone(),
        };
        plan.sales_events.push(
            Event::OrderRefunded(refunded).message(Some(&src.company_id), Some(&src.terminal_id)),
        );
    }
    Ok(())
}

#[cfg(test)]
#[path = "project_props.rs"]
mod props;

/// A sold line, as refunds are checked against it.
#[derive(Debug)]
struct SoldLine {
    id: String,
    product_id: String,
    qty_milli: i64,
}

fn count_refunded(refunded: &mut HashMap<String, i64>, r: &Refund) {
    for l in &r.lines {
        if let Some(line) = &l.sale_line_id {
            *refunded.entry(line.clone()).or_default() += l.qty_milli;
        }
    }
}

/// Gives each line of a refund made without the sale at hand (another till's receipt:
/// products, no sale lines) the sale lines it returns: the product's lines with quantity
/// left, in order, splitting the refund line (and its amounts, by quantity) when one sold
/// line has too little. Anything beyond what was sold lands on the product's last line,
/// where the over-refund shows.
fn match_lines(r: &mut Refund, lines: &[SoldLine], refunded: &HashMap<String, i64>) {
    let mut taken: HashMap<String, i64> = HashMap::new();
    let mut matched = Vec::with_capacity(r.lines.len());
    for l in std::mem::take(&mut r.lines) {
        let same: Vec<&SoldLine> = lines
            .iter()
            .filter(|s| s.product_id == l.product_id)
            .collect();
        let Some(last) = same.last() else {
            matched.push(l);
            continue;
        };
        if l.sale_line_id.is_some() || l.qty_milli <= 0 {
            matched.push(l);
            continue;
        }
        let mut pieces: Vec<(String, i64)> = Vec::new();
        let mut left = l.qty_milli;
        for s in &same {
            let room = s.qty_milli
                - refunded.get(&s.id).copied().unwrap_or(0)
                - taken.get(&s.id).copied().unwrap_or(0);
            let q = room.max(0).min(left);
            if q > 0 {
                pieces.push((s.id.clone(), q));
                left -= q;
            }
        }
        if left > 0 {
            match pieces.last_mut() {
                Some((id, q)) if *id == last.id => *q += left,
                _ => pieces.push((last.id.clone(), left)),
            }
        }
        let (mut amount_left, mut tax_left) = (l.amount_minor, l.tax_minor);
        let n = pieces.len();
        for (i, (id, q)) in pieces.into_iter().enumerate() {
            *taken.entry(id.clone()).or_default() += q;
            let (amount, tax) = if i + 1 == n {
                (amount_left, tax_left)
            } else {
                (
                    share(l.amount_minor, q, l.qty_milli),
                    share(l.tax_minor, q, l.qty_milli),
                )
            };
            amount_left -= amount;
            tax_left -= tax;
            matched.push(RefundLine {
                sale_line_id: Some(id),
                qty_milli: q,
                amount_minor: amount,
                tax_minor: tax,
                ..l.clone()
            });
        }
    }
    r.lines = matched;
}

/// `amount * part / whole`, rounded toward zero, computed wide: a till may send a huge
/// quantity and a large amount, whose product overflows i64 (found by the property test).
fn share(amount: i64, part: i64, whole: i64) -> i64 {
    let wide = i128::from(amount) * i128::from(part) / i128::from(whole.max(1));
    i64::try_from(wide).unwrap_or(amount)
}

fn check_refund(
    plan: &mut Plan,
    sold: &HashMap<String, Vec<SoldLine>>,
    refunded: &mut HashMap<String, i64>,
    event_id: &str,
    r: &mut Refund,
) {
    let Some(lines) = r.sale_id.as_deref().and_then(|id| sold.get(id)) else {
        return;
    };
    match_lines(r, lines, refunded);
    count_refunded(refunded, r);
    for l in &r.lines {
        let Some(line) = &l.sale_line_id else {
            plan.exception(
                "over_refund",
                event_id,
                format!(
                    "{}: refunded against sale {} but not sold on it (refund {})",
                    l.sku,
                    r.sale_id.as_deref().unwrap_or_default(),
                    r.id
                ),
                r.sale_id.clone(),
            );
            continue;
        };
        let sold_qty = lines
            .iter()
            .find(|s| &s.id == line)
            .map_or(0, |s| s.qty_milli);
        let total = refunded.get(line).copied().unwrap_or(0);
        if total > sold_qty {
            plan.exception(
                "over_refund",
                event_id,
                format!(
                    "{}: {total} thousandths refunded in all but {sold_qty} were sold (refund {})",
                    l.sku, r.id
                ),
                r.sale_id.clone(),
            );
        }
    }
}

/// The bulk writes of a planned batch.
async fn write(
    state: &AppState,
    s: &mut ClientSession,
    src: &Source,
    at: DateTime,
    plan: &mut Plan,
) -> mongodb::error::Result<()> {
    let origin = accounts::Origin {
        company_id: &src.company_id,
        shop_id: &src.shop_id,
        terminal_id: &src.terminal_id,
    };
    let unknown = accounts::apply(state, s, origin, &plan.customers, &plan.entries, at).await?;
    sales::shifts::apply(state, s, src, &plan.shifts, at).await?;
    let unknown: Vec<(String, String)> = plan
        .entries
        .iter()
        .filter(|e| unknown.contains(&e.customer_id))
        .map(|e| {
            let detail = format!(
                "{} {} names customer {}, whom the server does not know; kept on a \
                 placeholder account",
                e.kind, e.ref_id, e.customer_id
            );
            (e.source_event.clone(), detail)
        })
        .collect();
    for (event_id, detail) in unknown {
        plan.exception("unknown_customer", &event_id, detail, None);
    }
    let moves: Vec<ledger::Movement> = plan.moves.iter().map(|(m, _)| m.clone()).collect();
    let after = ledger::apply(state, s, &src.company_id, &src.shop_id, &moves, at).await?;
    let mut oversold: Vec<(String, Vec<String>)> = Vec::new();
    for ((m, event_id), bal) in plan.moves.iter().zip(&after) {
        if m.reason == "sale" && *bal < 0 {
            let what = format!("{} now {bal}", m.product_id);
            match oversold.last_mut() {
                Some((e, items)) if e == event_id => items.push(what),
                _ => oversold.push((event_id.clone(), vec![what])),
            }
        }
    }
    for (event_id, items) in oversold {
        plan.exception(
            "oversold",
            &event_id,
            format!("sold below zero stock (thousandths): {}", items.join(", ")),
            None,
        );
    }
    let own = src.scope();
    for (coll, docs) in [
        (
            sales::quarantine(state, &own),
            std::mem::take(&mut plan.quarantine),
        ),
        (
            sales::orders_in(state, &own),
            std::mem::take(&mut plan.orders),
        ),
        (
            sales::refunds_in(state, &own),
            std::mem::take(&mut plan.refunds),
        ),
    ] {
        if !docs.is_empty() {
            coll.insert_many(&docs)?.session(&mut *s).await?;
        }
    }
    if !plan.exceptions.is_empty() {
        let docs: Vec<Document> = plan
            .exceptions
            .iter()
            .zip(&plan.exception_sale)
            .map(|(e, sale)| {
                doc! {
                    "_id": uuid::Uuid::now_v7().to_string(), "company_id": &src.company_id,
                    "shop_id": &src.shop_id, "terminal_id": &src.terminal_id, "kind": &e.kind,
                    "event_id": &e.event_id, "detail": &e.detail, "sale_id": sale,
                    "resolved": false, "at": at,
                }
            })
            .collect();
        inventory::exceptions(state, &own)
            .insert_many(&docs)?
            .session(&mut *s)
            .await?;
    }
    record_events(&sales::db(state), s, &plan.sales_events).await?;
    record_events(&inventory::db(state), s, &plan.inventory_events).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(product: &str, qty_milli: i64, amount_minor: i64) -> RefundLine {
        RefundLine {
            sale_line_id: None,
            product_id: product.into(),
            sku: product.to_uppercase(),
            qty_milli,
            amount_minor,
            tax_minor: amount_minor / 10,
            restock: true,
        }
    }

    fn refund(lines: Vec<RefundLine>) -> Refund {
        Refund {
            id: "r1".into(),
            sale_id: Some("s1".into()),
            shift_id: "sh".into(),
            staff_id: "st".into(),
            approved_by: None,
            customer_id: None,
            reason: "x".into(),
            tender_kind: "cash".into(),
            total_minor: lines.iter().map(|l| l.amount_minor).sum(),
            tax_minor: lines.iter().map(|l| l.tax_minor).sum(),
            lines,
            created_at_ms: 0,
        }
    }

    fn sold(id: &str, product: &str, qty_milli: i64) -> SoldLine {
        SoldLine {
            id: id.into(),
            product_id: product.into(),
            qty_milli,
        }
    }

    #[test]
    fn a_refund_of_a_product_sold_on_two_lines_is_split_across_them() {
        let lines = [
            sold("l1", "milk", 1000),
            sold("l2", "bread", 1000),
            sold("l3", "milk", 1000),
        ];
        let mut r = refund(vec![line("milk", 2000, 258)]);
        match_lines(&mut r, &lines, &HashMap::new());
        let got: Vec<(Option<&str>, i64, i64)> = r
            .lines
            .iter()
            .map(|l| (l.sale_line_id.as_deref(), l.qty_milli, l.amount_minor))
            .collect();
        assert_eq!(got, vec![(Some("l1"), 1000, 129), (Some("l3"), 1000, 129)]);
        assert_eq!(
            r.lines.iter().map(|l| l.tax_minor).sum::<i64>(),
            25,
            "no cent lost"
        );
    }

    #[test]
    fn lines_already_refunded_are_skipped_and_the_excess_lands_on_the_last() {
        let lines = [sold("l1", "milk", 1000), sold("l3", "milk", 1000)];
        let before = HashMap::from([("l1".to_owned(), 1000)]);
        let mut r = refund(vec![line("milk", 1500, 300), line("tea", 1000, 50)]);
        match_lines(&mut r, &lines, &before);
        assert_eq!(r.lines[0].sale_line_id.as_deref(), Some("l3"));
        assert_eq!(
            r.lines[0].qty_milli, 1500,
            "500 more than l3 has left: shown there"
        );
        assert_eq!(r.lines[1].sale_line_id, None, "tea was not on the sale");
    }
}
