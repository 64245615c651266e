//! Completed sales: the one-transaction commit (sale + lines + tenders + stock
//! movements + account entries + journal record, which also queues the receipt) and
//! reading them back.

use pos_shared::catalog::Promotion;
use pos_shared::debt::check_credit;
use pos_shared::{Currency, Money};

use sqlx::{QueryBuilder, Row, Sqlite};

use crate::checkout::{self, Cart, Tender};
use crate::customers;
use crate::error::{CoreError, CoreResult, percent};
use crate::journal::{self, FactKind};
use crate::sale_context::{self, SaleContext};

use crate::staff::{self, Action, Staff};
use crate::stock;
use crate::store::{LocalDb, new_id};
use crate::terminal::Terminal;

pub use pos_shared::facts::{Sale, SaleLine, SaleTender};

/// Rows per multi-row INSERT, far below SQLite's bound-parameter limit.
const ROWS_PER_STATEMENT: usize = 200;

/// Builds the sale a cart becomes, checking prices and tenders (no I/O).
pub fn build(
    cart: &Cart,
    promotions: &[Promotion],
    terminal: &Terminal,
    staff: &Staff,
    now_ms: i64,
) -> CoreResult<Sale> {
    if cart.lines.is_empty() {
        return Err(CoreError::EmptyCart);
    }
    let pricing = checkout::Pricing {
        currency: terminal.currency,
        promotions,
        cash_rounding_step: terminal.cash_rounding_step,
    };
    let totals = checkout::finalize(cart, &pricing)?;
    let lines = cart
        .lines
        .iter()
        .zip(&totals.lines)
        .map(|(l, p)| SaleLine {
            id: l.id.clone(),
            line_no: p.line_no,
            product_id: l.product_id.clone(),
            sku: l.sku.clone(),
            name: l.name.clone(),
            qty_milli: l.qty_milli,
            unit_price_minor: l.unit_price_minor,
            discount_minor: p.discount_minor,
            tax_rate_bp: l.tax_rate_bp,
            tax_inclusive: l.tax_inclusive,
            net_minor: p.net_minor,
            tax_minor: p.tax_minor,
            gross_minor: p.gross_minor,
        })
        .collect();
    let tenders = cart
        .tenders
        .iter()
        .map(|t| SaleTender {
            kind: t.kind().to_owned(),
            amount_minor: t.amount_minor(),
            reference: match t {
                Tender::Card { reference, .. } => Some(reference.clone()),
                _ => None,
            },
        })
        .collect();
    Ok(Sale {
        id: new_id(),
        receipt_no: 0,
        shift_id: String::new(),
        staff_id: staff.id.clone(),
        approved_by: None,
        customer_id: cart.customer_id.clone(),
        currency: terminal.currency.as_str().to_owned(),
        created_at_ms: now_ms,
        lines,
        tenders,
        subtotal_minor: totals.subtotal_minor,
        discount_minor: totals.discount_minor,
        tax_minor: totals.tax_minor,
        total_minor: totals.total_minor,
        paid_minor: totals.paid_minor,
        change_minor: totals.change_minor,
        cash_rounding_minor: totals.cash_rounding_minor,
    })
}

/// Completes a sale in ONE transaction. A discount above the terminal's threshold
/// needs `manager_pin` when `staff` is a cashier.
pub async fn complete(
    db: &LocalDb,
    terminal: &Terminal,
    staff: &Staff,
    cart: &Cart,
    manager_pin: Option<&str>,
) -> CoreResult<Sale> {
    let now = db.now_ms();
    // Only manual discounts count towards the approval threshold, not promotions.
    let discount_bp = checkout::discount_bp(&checkout::price(cart, terminal.currency)?);
    let approved_by = if discount_bp > terminal.discount_approval_bp {
        staff::authorize(db, staff, Action::LargeDiscount, manager_pin)
            .await
            .map_err(|e| {
                e.approval_for(|| {
                    format!(
                        "a discount of {}, above the {} a cashier may give,",
                        percent(discount_bp),
                        percent(terminal.discount_approval_bp)
                    )
                })
            })?
    } else {
        None
    };
    let first_line = cart.lines.first().ok_or(CoreError::EmptyCart)?;
    // Every statement is a hop to sqlx's SQLite worker thread and back, and on a small
    // till those wake-ups cost more than the SQL. A sale needs what it reads first (the
    // retry check, the open shift, the next receipt number, the journal's head, the
    // running promotions); kept from the previous sale, the whole sale is ONE hop whose
    // first statement has the database confirm that copy. Otherwise it is two: read,
    // then write. Line ids are minted when items are scanned, so a retried commit of the
    // same cart is recognised instead of selling it twice.
    let plain = cart.parked_id.is_none()
        && !cart
            .tenders
            .iter()
            .any(|t| matches!(t, Tender::StoreCredit { .. } | Tender::OnAccount { .. }));
    if plain && let Some(ctx) = db.sale_context().take_if(db.commits()) {
        match commit_kept(db, terminal, staff, cart, approved_by.clone(), now, ctx).await {
            Ok(sale) => return Ok(sale),
            // The slow path reads everything afresh and gives the definitive answer
            // (already completed, no open shift, or the sale).
            Err(e) => tracing::debug!("kept sale context did not hold ({e}); reading it afresh"),
        }
    }
    let mut open = OpenSale::begin(db).await?;
    let sql = sqlx::AssertSqlSafe(format!("BEGIN IMMEDIATE; {}", sale_context::select_sql()));
    let context = sqlx::query(sql)
        .bind(&first_line.id)
        .fetch_one(open.conn()?)
        .await;
    let context = open.check(context).await?;
    let result = async {
        let (done, ctx) = SaleContext::from_row(&context)?;
        if let Some(sale_id) = done {
            return Err(CoreError::AlreadyCompleted { sale_id });
        }
        let sale = prepare(cart, terminal, staff, approved_by, now, &ctx)?;
        let conn = open.conn()?;
        crate::till::close_parked(conn, now, cart, "completed").await?;
        let record = ctx.head.clone().next(now, FactKind::SaleCompleted, &sale)?;
        charge_accounts(conn, now, terminal.currency, &sale, record.seq).await?;
        // The first sale creates the receipt key with itself, so two processes can
        // never seal receipts with different keys.
        crate::seal::key_for_sale(db, conn).await?;
        let mut q = QueryBuilder::new("");
        push_writes(&mut q, now, &sale, &record);
        q.push("; COMMIT");
        q.build().execute(&mut *conn).await?;
        Ok((sale, ctx.after(&record)))
    }
    .await;
    let (sale, next) = open.finish(result).await?;
    Ok(completed(db, sale, next))
}

/// The sale in ONE hop on the context kept from the previous sale: the batch starts by
/// checking `till_generation`, and the journal's primary key and the receipt number's
/// unique index refuse a head or number another writer took meanwhile.
async fn commit_kept(
    db: &LocalDb,
    terminal: &Terminal,
    staff: &Staff,
    cart: &Cart,
    approved_by: Option<String>,
    now: i64,
    ctx: SaleContext,
) -> CoreResult<Sale> {
    let sale = prepare(cart, terminal, staff, approved_by, now, &ctx)?;
    let record = ctx.head.clone().next(now, FactKind::SaleCompleted, &sale)?;
    let mut q =
        QueryBuilder::new("BEGIN IMMEDIATE; INSERT INTO till_generation_check (n) VALUES (");
    q.push_bind(ctx.generation);
    q.push(");\n");
    push_writes(&mut q, now, &sale, &record);
    q.push("; COMMIT");
    let mut open = OpenSale::begin(db).await?;
    let written = q.build().execute(open.conn()?).await;
    let written = open.check(written).await;
    open.finish(written).await?;
    Ok(completed(db, sale, ctx.after(&record)))
}

/// [`commit_kept`] for the sale-context tests.
#[cfg(test)]
pub(crate) async fn tests_commit_kept(
    db: &LocalDb,
    terminal: &Terminal,
    staff: &Staff,
    cart: &Cart,
    now: i64,
    ctx: SaleContext,
) -> CoreResult<Sale> {
    commit_kept(db, terminal, staff, cart, None, now, ctx).await
}

/// The sale `cart` becomes on `ctx` (no I/O).
fn prepare(
    cart: &Cart,
    terminal: &Terminal,
    staff: &Staff,
    approved_by: Option<String>,
    now: i64,
    ctx: &SaleContext,
) -> CoreResult<Sale> {
    let mut sale = build(cart, &ctx.promotions_at(now), terminal, staff, now)?;
    sale.approved_by = approved_by;
    sale.shift_id = ctx.shift_id.clone().ok_or(CoreError::NoOpenShift)?;
    sale.receipt_no = ctx.receipt_no;
    Ok(sale)
}

/// Everything a sale writes after its reads: journal record, sale, lines, tenders and
/// stock movements. No print job: the sales past the printer's cursor are its queue
/// (see `print_queue`), so a receipt costs the commit nothing.
fn push_writes(
    q: &mut QueryBuilder<Sqlite>,
    now: i64,
    sale: &Sale,
    record: &pos_shared::journal::JournalRecord,
) {
    let movements: Vec<stock::Movement<'_>> = sale
        .lines
        .iter()
        .map(|line| stock::Movement {
            product_id: &line.product_id,
            delta_milli: -line.qty_milli,
            reason: "sale",
            ref_id: Some(&sale.id),
            journal_seq: record.seq,
        })
        .collect();
    journal::push_insert(q, record);
    push_insert(q, sale, record.seq);
    stock::push_movements(q, now, &movements);
}

/// After the commit: counts the write, keeps the context for the next sale.
fn completed(db: &LocalDb, sale: Sale, next: SaleContext) -> Sale {
    db.wrote();
    db.sale_context().keep(db.commits(), next);
    tracing::info!(sale_id = %sale.id, receipt_no = sale.receipt_no, total = sale.total_minor, "sale completed");
    sale
}

/// A pooled connection inside a transaction this module opened with a plain `BEGIN`
/// (so that opening it shares a hop with the first read). Whatever goes wrong, it is
/// rolled back; if even that fails, or the future is dropped half way, the connection
/// is taken out of the pool and closed, which rolls back too: a pooled connection is
/// never handed on inside a transaction.
struct OpenSale {
    conn: Option<sqlx::pool::PoolConnection<Sqlite>>,
}

impl OpenSale {
    async fn begin(db: &LocalDb) -> CoreResult<Self> {
        Ok(Self {
            conn: Some(db.writer().acquire().await?),
        })
    }

    fn conn(&mut self) -> CoreResult<&mut sqlx::SqliteConnection> {
        self.conn
            .as_deref_mut()
            .ok_or_else(|| CoreError::invalid("the sale's connection is closed"))
    }

    /// Rolls back and passes on an error of the opening read.
    async fn check<T>(&mut self, r: Result<T, sqlx::Error>) -> CoreResult<T> {
        match r {
            Ok(v) => Ok(v),
            Err(e) => {
                self.rollback().await;
                Err(e.into())
            }
        }
    }

    /// After the writing hop: committed on success, rolled back otherwise.
    async fn finish<T>(mut self, r: CoreResult<T>) -> CoreResult<T> {
        if r.is_err() {
            self.rollback().await;
        }
        // Committed by the writing hop's `COMMIT`; back to the pool as it should be.
        self.conn.take();
        r
    }

    async fn rollback(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        // A ROLLBACK that fails (also when BEGIN itself had failed) leaves the state
        // unknown, so the connection is closed rather than pooled: rare, and safe.
        if let Err(e) = sqlx::query("ROLLBACK").execute(&mut *conn).await {
            tracing::warn!("rolling back a failed sale failed ({e}); closing the connection");
            drop(conn.detach());
        }
    }
}

impl Drop for OpenSale {
    fn drop(&mut self) {
        // Dropped half way (the caller gave up): the state is unknown, so close it.
        if let Some(conn) = self.conn.take() {
            drop(conn.detach());
        }
    }
}

/// Store credit and on-account tenders move the customer's balance, within limits.
async fn charge_accounts(
    tx: &mut sqlx::SqliteConnection,
    now: i64,
    currency: Currency,
    sale: &Sale,
    journal_seq: i64,
) -> CoreResult<()> {
    let m = |minor| Money::new(minor, currency);
    for t in &sale.tenders {
        let kind = t.kind.as_str();
        if kind != "store_credit" && kind != "on_account" {
            continue;
        }
        let customer = sale.customer_id.as_deref().ok_or_else(|| {
            CoreError::TenderRejected(format!("a {kind} tender needs a customer on the sale"))
        })?;
        let (limit, balance) = customers::balance_in(tx, customer).await?;
        if kind == "on_account" {
            // The credit rule itself is pos-shared's, shared with the server.
            let account = pos_shared::customer::Customer {
                id: customer
                    .parse()
                    .map_err(|_| CoreError::invalid("malformed customer id"))?,
                name: String::new(),
                email: None,
                phone: None,
                credit_limit: m(limit),
            };
            check_credit(&account, m(balance), m(t.amount_minor)).map_err(|_| {
                CoreError::CreditLimitExceeded {
                    owed: m(balance),
                    limit: m(limit),
                    adding: m(t.amount_minor),
                }
            })?;
        }
        if kind == "store_credit" && -balance < t.amount_minor {
            return Err(CoreError::TenderRejected(format!(
                "the customer has {} of store credit, less than {}; take another tender",
                m((-balance).max(0)),
                m(t.amount_minor)
            )));
        }
        let entry = customers::NewEntry {
            customer_id: customer,
            amount_minor: t.amount_minor,
            kind,
            ref_id: &sale.id,
            journal_seq,
        };
        customers::add_entry(tx, now, entry).await?;
    }
    Ok(())
}

/// Appends the INSERTs of the sale, its lines and its tenders to a statement batch.
fn push_insert(q: &mut QueryBuilder<Sqlite>, s: &Sale, journal_seq: i64) {
    q.push(
        "INSERT INTO sales (id, receipt_no, shift_id, staff_id, customer_id, currency,
            subtotal_minor, discount_minor, tax_minor, total_minor, paid_minor, change_minor,
            approved_by, journal_seq, created_at_ms, cash_rounding_minor) VALUES (",
    );
    q.separated(", ")
        .push_bind(s.id.clone())
        .push_bind(s.receipt_no)
        .push_bind(s.shift_id.clone())
        .push_bind(s.staff_id.clone())
        .push_bind(s.customer_id.clone())
        .push_bind(s.currency.clone())
        .push_bind(s.subtotal_minor)
        .push_bind(s.discount_minor)
        .push_bind(s.tax_minor)
        .push_bind(s.total_minor)
        .push_bind(s.paid_minor)
        .push_bind(s.change_minor)
        .push_bind(s.approved_by.clone())
        .push_bind(journal_seq)
        .push_bind(s.created_at_ms)
        .push_bind(s.cash_rounding_minor);
    q.push(");\n");
    for chunk in s.lines.chunks(ROWS_PER_STATEMENT) {
        q.push(
            "INSERT INTO sale_lines (id, sale_id, line_no, product_id, sku, name, qty_milli,
                unit_price_minor, discount_minor, tax_rate_bp, tax_inclusive, net_minor,
                tax_minor, gross_minor) ",
        );
        q.push_values(chunk, |mut row, l| {
            row.push_bind(l.id.clone())
                .push_bind(s.id.clone())
                .push_bind(l.line_no)
                .push_bind(l.product_id.clone())
                .push_bind(l.sku.clone())
                .push_bind(l.name.clone())
                .push_bind(l.qty_milli)
                .push_bind(l.unit_price_minor)
                .push_bind(l.discount_minor)
                .push_bind(i64::from(l.tax_rate_bp))
                .push_bind(l.tax_inclusive)
                .push_bind(l.net_minor)
                .push_bind(l.tax_minor)
                .push_bind(l.gross_minor);
        });
        q.push(";\n");
    }
    let numbered: Vec<(i64, &SaleTender)> = (1..).zip(&s.tenders).collect();
    for chunk in numbered.chunks(ROWS_PER_STATEMENT) {
        q.push("INSERT INTO tenders (id, sale_id, n, kind, amount_minor, reference, customer_id) ");
        q.push_values(chunk, |mut row, (n, t)| {
            let customer = matches!(t.kind.as_str(), "store_credit" | "on_account")
                .then(|| s.customer_id.clone())
                .flatten();
            row.push_bind(new_id())
                .push_bind(s.id.clone())
                .push_bind(*n)
                .push_bind(t.kind.clone())
                .push_bind(t.amount_minor)
                .push_bind(t.reference.clone())
                .push_bind(customer);
        });
        q.push(";\n");
    }
}

/// Reads a stored sale back by id.
pub async fn load(db: &LocalDb, sale_id: &str) -> CoreResult<Sale> {
    let row = sqlx::query(
        "SELECT id, receipt_no, shift_id, staff_id, approved_by, customer_id, currency,
                created_at_ms, subtotal_minor, discount_minor, tax_minor, total_minor,
                paid_minor, change_minor, cash_rounding_minor
         FROM sales WHERE id = ?",
    )
    .bind(sale_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| CoreError::NotFound {
        what: "sale",
        id: sale_id.to_owned(),
    })?;
    let lines = sqlx::query(
        "SELECT id, line_no, product_id, sku, name, qty_milli, unit_price_minor, discount_minor,
                tax_rate_bp, tax_inclusive, net_minor, tax_minor, gross_minor
         FROM sale_lines WHERE sale_id = ? ORDER BY line_no",
    )
    .bind(sale_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|r| SaleLine {
        id: r.get(0),
        line_no: r.get(1),
        product_id: r.get(2),
        sku: r.get(3),
        name: r.get(4),
        qty_milli: r.get(5),
        unit_price_minor: r.get(6),
        discount_minor: r.get(7),
        tax_rate_bp: u32::try_from(r.get::<i64, _>(8)).unwrap_or(0),
        tax_inclusive: r.get(9),
        net_minor: r.get(10),
        tax_minor: r.get(11),
        gross_minor: r.get(12),
    })
    .collect();
    let tenders = sqlx::query(
        "SELECT kind, amount_minor, reference FROM tenders WHERE sale_id = ? ORDER BY n",
    )
    .bind(sale_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|r| SaleTender {
        kind: r.get(0),
        amount_minor: r.get(1),
        reference: r.get(2),
    })
    .collect();
    Ok(Sale {
        id: row.get(0),
        receipt_no: row.get(1),
        shift_id: row.get(2),
        staff_id: row.get(3),
        approved_by: row.get(4),
        customer_id: row.get(5),
        currency: row.get(6),
        created_at_ms: row.get(7),
        lines,
        tenders,
        subtotal_minor: row.get(8),
        discount_minor: row.get(9),
        tax_minor: row.get(10),
        total_minor: row.get(11),
        paid_minor: row.get(12),
        change_minor: row.get(13),
        cash_rounding_minor: row.get(14),
    })
}

/// The id of the sale a cashier means: a sale id as given, or this till's receipt
/// number (`7` or `#7`, as printed on the receipt).
pub async fn find_id(db: &LocalDb, text: &str) -> CoreResult<String> {
    let text = text.trim();
    let Ok(receipt_no) = text.trim_start_matches('#').parse::<i64>() else {
        return Ok(text.to_owned());
    };
    sqlx::query_scalar("SELECT id FROM sales WHERE receipt_no = ?")
        .bind(receipt_no)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: "receipt",
            id: format!("#{receipt_no}"),
        })
}

/// Ids of every stored sale, oldest first (for audits and tests).
pub async fn all_ids(db: &LocalDb) -> CoreResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM sales ORDER BY receipt_no")
            .fetch_all(db.pool())
            .await?,
    )
}
