//! Executes one parsed `pos` command against the core.

use std::collections::BTreeMap;

use pos_shared::{Currency, Money, Quantity};
use serde_json::json;

use super::Outcome;
use super::args::{
    Cli, Command, CustomerCommand, InitArgs, JournalCommand, ReceiptArgs, ReceiptCommand,
    RefundArgs, ShiftCommand, StaffCommand,
};
use super::{parse, sell, sync_cmd};
use crate::error::{CoreError, CoreResult};
use crate::shifts::{self, CashKind};
use crate::terminal::{self, InitRequest, Terminal};
use crate::{
    LocalDb, catalog, catalog_csv, customers, journal, receipt, refund_slip, refunds, sales, seal,
    sealed_refunds, staff, stock, till,
};

fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Runs `cli` and returns what to print.
pub async fn run(cli: &Cli) -> CoreResult<Outcome> {
    // Only setting up creates a database; any other command on a wrong path says so
    // instead of leaving an empty file behind.
    let creates = matches!(cli.command, Command::Init(_) | Command::Enroll(_));
    if !creates && !cli.db.exists() {
        return Err(CoreError::invalid(format!(
            "no terminal database at {}; check --db (or KASSA_POS_DB), or set one up with `pos init`",
            cli.db.display()
        )));
    }
    if creates
        && let Some(dir) = cli.db.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(CoreError::invalid(format!(
            "the folder {} does not exist; create it or pick another --db path",
            dir.display()
        )));
    }
    // A refused `init` (bad catalog file, unknown currency) takes back the file it made,
    // so the next try is not "already initialised".
    let fresh_init = matches!(cli.command, Command::Init(_)) && !cli.db.exists();
    let db = LocalDb::open(&cli.db).await?;
    let outcome = dispatch(&db, &cli.command, cli.json).await;
    db.close().await;
    if fresh_init && outcome.is_err() {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = cli.db.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
    outcome
}

async fn dispatch(db: &LocalDb, command: &Command, json: bool) -> CoreResult<Outcome> {
    match command {
        Command::Init(args) => return init(db, args).await,
        // Both work before the terminal is set up (enrollment sets it up).
        Command::Enroll(args) => return sync_cmd::enroll(db, args).await,
        Command::Sync(args) => return sync_cmd::sync(db, args).await,
        _ => {}
    }
    let t = match terminal::load(db).await {
        // A credential without a set-up terminal: enrollment was cut short.
        Err(CoreError::NotInitialised) => match crate::sync::settings::enrollment(db).await? {
            Some(e) => Err(CoreError::EnrollmentUnfinished {
                server: e.server_url,
            }),
            None => Err(CoreError::NotInitialised),
        },
        other => other,
    }?;
    match command {
        Command::Init(_) | Command::Enroll(_) | Command::Sync(_) => {
            Err(CoreError::AlreadyInitialised)
        }
        Command::Import { file } => {
            let report = catalog_csv::import(db, open_catalog(file)?).await?;
            Ok(Outcome::new(to_json(&report), report.describe()))
        }
        Command::Staff(cmd) => staff_cmd(db, cmd).await,
        Command::Login { pin, staff: who } => {
            let s = match who {
                Some(who) => staff::login_as(db, &staff_id(db, who).await?, pin).await?,
                None => staff::login(db, pin).await?,
            };
            Ok(Outcome::new(
                to_json(&s),
                format!("logged in: {} ({})", s.name, s.role),
            ))
        }
        Command::Search { query, limit } => {
            let found = catalog::search(db, query, *limit).await?;
            let text = found
                .iter()
                .map(|p| {
                    format!(
                        "{:<14} {:<30} {}",
                        p.sku,
                        p.name,
                        Money::new(p.price_minor, t.currency)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Ok(Outcome::new(to_json(&found), text))
        }
        Command::Sell(args) => sell::sell(db, &t, args, None).await,
        Command::Resume { id, sell: args } => sell::sell(db, &t, args, Some(id)).await,
        Command::Park { pin, note, spec } => sell::park(db, &t, pin, note.as_deref(), spec).await,
        Command::Parked => {
            let list = till::list_parked(db, &t).await?;
            let text = list
                .iter()
                .map(|p| {
                    format!(
                        "{} {} line{}, {}, parked {}{}",
                        p.id,
                        p.lines,
                        if p.lines == 1 { "" } else { "s" },
                        p.total_minor.map_or_else(
                            || "total unknown".to_owned(),
                            |m| Money::new(m, t.currency).to_string()
                        ),
                        t.time_zone.format(p.parked_at_ms),
                        p.note
                            .as_deref()
                            .map_or_else(String::new, |n| format!(" ({n})"))
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            let text = if list.is_empty() {
                "no parked carts".to_owned()
            } else {
                text
            };
            Ok(Outcome::new(to_json(&list), text))
        }
        Command::Void {
            id,
            pin,
            reason,
            manager_pin,
        } => sell::void(db, id, pin, reason, manager_pin.as_deref()).await,
        Command::Refund(args) => refund(db, &t, args).await,
        Command::Shift(cmd) => shift_cmd(db, &t, cmd).await,
        Command::Customers(cmd) => customer_cmd(db, &t, cmd).await,
        Command::Stock {
            sku,
            adjust,
            reason,
            pin,
        } => {
            stock_cmd(
                db,
                sku.as_deref(),
                adjust.as_deref(),
                reason,
                pin.as_deref(),
            )
            .await
        }
        Command::Journal(cmd) => journal_cmd(db, cmd, json).await,
        Command::Status => status(db, &t).await,
        Command::Receipt(args) => receipt_cmd(db, &t, args).await,
        Command::Devices(cmd) => super::devices::run(db, &t, cmd).await,
    }
}

fn open_catalog(path: &std::path::Path) -> CoreResult<std::fs::File> {
    std::fs::File::open(path).map_err(|e| {
        CoreError::invalid(format!("cannot open catalog file {}: {e}", path.display()))
    })
}

async fn init(db: &LocalDb, a: &InitArgs) -> CoreResult<Outcome> {
    let currency = terminal::shop_currency(&a.currency)?;
    // Checked before the terminal is set up, so a bad file leaves nothing half done.
    let catalog = match &a.catalog_csv {
        Some(path) => Some(catalog_csv::parse(open_catalog(path)?)?),
        None => None,
    };
    let req = InitRequest {
        currency,
        shop_name: a.shop.clone(),
        company_name: a.company.clone(),
        receipt_header: a.header.clone(),
        receipt_footer: a.footer.clone(),
        cash_rounding_step: a
            .cash_rounding
            .unwrap_or_else(|| terminal::default_cash_rounding(currency)),
    };
    let t = terminal::init(db, &req).await?;
    let mut text = format!(
        "terminal {} initialised for {} ({})",
        t.terminal_id, t.shop_name, t.currency
    );
    let mut body = json!({ "terminal": to_json(&t) });
    if let Some(file) = &catalog {
        let report = catalog_csv::apply(db, file).await?;
        text.push('\n');
        text.push_str(&report.describe());
        body["imported"] = to_json(&report);
    }
    Ok(Outcome::new(body, text))
}

async fn staff_cmd(db: &LocalDb, cmd: &StaffCommand) -> CoreResult<Outcome> {
    match cmd {
        StaffCommand::Add {
            name,
            role,
            pin,
            manager_pin,
        } => {
            let role = role.parse().map_err(CoreError::Invalid)?;
            let s = staff::add_approved(db, name, role, pin, manager_pin.as_deref()).await?;
            Ok(Outcome::new(
                to_json(&s),
                format!("added {} ({}) id {}", s.name, s.role, s.id),
            ))
        }
        StaffCommand::Unlock { staff: who, pin } => {
            let m = staff::unlock(db, &staff_id(db, who).await?, pin).await?;
            Ok(Outcome::new(
                to_json(&m),
                format!("PIN lockouts lifted by {}", m.name),
            ))
        }
        StaffCommand::List => {
            let list = staff::list(db).await?;
            let text = list
                .iter()
                .map(|s| format!("{} {} ({})", s.id, s.name, s.role))
                .collect::<Vec<_>>()
                .join("\n");
            Ok(Outcome::new(to_json(&list), text))
        }
    }
}

/// The id of the active staff member called `who` (a name, any case, or an id).
async fn staff_id(db: &LocalDb, who: &str) -> CoreResult<String> {
    staff::list(db)
        .await?
        .into_iter()
        .find(|s| s.id == who || s.name.eq_ignore_ascii_case(who))
        .map(|s| s.id)
        .ok_or_else(|| CoreError::NotFound {
            what: "staff member",
            id: who.to_owned(),
        })
}

async fn refund(db: &LocalDb, t: &Terminal, a: &RefundArgs) -> CoreResult<Outcome> {
    let who = staff::login(db, &a.pin).await?;
    let mp = a.manager_pin.as_deref();
    let items = || {
        a.items
            .iter()
            .map(|i| parse::item(i))
            .collect::<CoreResult<Vec<_>>>()
    };
    let r = match (&a.sale, &a.receipt_code) {
        (Some(sale), _) => {
            let sale_id = &sales::find_id(db, sale).await?;
            let mut lines = Vec::new();
            for l in &a.lines {
                let (line_no, qty) = parse::refund_line(l)?;
                // A bare line number means the whole line, weighed goods included.
                let qty = match qty {
                    Some(q) => q,
                    None => refunds::left_to_refund(db, sale_id, line_no).await?,
                };
                lines.push((line_no, qty));
            }
            refunds::with_receipt(db, t, &who, sale_id, &lines, &a.to, &a.reason, mp).await?
        }
        (None, Some(code)) => {
            let items = items()?;
            sealed_refunds::with_sealed_receipt(db, t, &who, code, &items, &a.to, &a.reason, mp)
                .await?
        }
        (None, None) => {
            refunds::without_receipt(db, t, &who, &items()?, &a.to, &a.reason, mp).await?
        }
    };
    crate::devices::drawer::for_refund(db, &who, &a.to, &r.id).await;
    let slip = refund_slip::render_text(&refund_slip::build(&refunds::load(db, &r.id).await?, t));
    let text = format!(
        "refund {} issued: {} to {}\n\n{slip}",
        r.id,
        Money::new(r.total_minor, t.currency),
        r.tender_kind
    );
    Ok(Outcome::new(to_json(&r), text))
}

async fn shift_cmd(db: &LocalDb, t: &Terminal, cmd: &ShiftCommand) -> CoreResult<Outcome> {
    let cur = t.currency;
    match cmd {
        ShiftCommand::Open { pin, float } => {
            let who = staff::login(db, pin).await?;
            let s = shifts::open(db, &who, parse::money(float, cur)?).await?;
            Ok(Outcome::new(
                to_json(&s),
                format!(
                    "shift {} opened with float {}",
                    s.id,
                    Money::new(s.opening_float_minor, cur)
                ),
            ))
        }
        ShiftCommand::X => {
            let s = shifts::current(db).await?.ok_or(CoreError::NoOpenShift)?;
            let r = shifts::report(db, &s.id).await?;
            Ok(Outcome::new(
                to_json(&r),
                format!("X report (shift still open)\n{}", report_text(&r, cur)),
            ))
        }
        ShiftCommand::Z {
            pin,
            counted,
            manager_pin,
        } => {
            let who = staff::login(db, pin).await?;
            let counted = counted
                .iter()
                .map(|c| parse::counted(c, cur))
                .collect::<CoreResult<BTreeMap<_, _>>>()?;
            let z = shifts::close(db, t, &who, counted, manager_pin.as_deref()).await?;
            Ok(Outcome::new(
                to_json(&z),
                format!(
                    "Z report #{} closed the shift\n{}",
                    z.z_number,
                    z_text(db, &z, t).await?
                ),
            ))
        }
        ShiftCommand::ShowZ { number } => {
            let z = shifts::z_report(db, *number).await?;
            Ok(Outcome::new(to_json(&z), z_text(db, &z, t).await?))
        }
        ShiftCommand::CashIn {
            pin,
            amount,
            reason,
        } => cash(db, t, pin, (CashKind::PaidIn, amount), reason, None).await,
        ShiftCommand::CashOut {
            pin,
            amount,
            reason,
            manager_pin,
        } => {
            let mp = manager_pin.as_deref();
            cash(db, t, pin, (CashKind::PaidOut, amount), reason, mp).await
        }
        ShiftCommand::NoSale { pin, reason } => {
            cash(db, t, pin, (CashKind::NoSale, "0"), reason, None).await
        }
    }
}

/// A shift report laid out for people, amounts in the terminal's currency.
fn report_text(r: &shifts::ShiftReport, cur: Currency) -> String {
    let m = |minor| Money::new(minor, cur).to_string();
    let mut out = format!(
        "opening float   {}\nsales           {} for {} (discounts {}, tax {})\nrefunds         {} for {}\npaid in / out   {} / {}\ndebt payments   {}\nno-sale opens   {}\n",
        m(r.opening_float_minor),
        r.sales_count,
        m(r.sales_total_minor),
        m(r.discount_minor),
        m(r.tax_minor),
        r.refunds_count,
        m(r.refunds_total_minor),
        m(r.paid_in_minor),
        m(r.paid_out_minor),
        m(r.debt_payments_minor),
        r.no_sale_count,
    );
    out.push_str("takings by tender (net of change and refunds), expected:\n");
    for (kind, expected) in &r.expected {
        let taken = r.tenders.get(kind).copied().unwrap_or(0);
        out.push_str(&format!(
            "  {kind:<14} {:>16} {:>16}\n",
            m(taken),
            m(*expected)
        ));
    }
    out.push_str("tax by rate (net of refunds): net, tax\n");
    for t in &r.taxes {
        let kind = if t.inclusive { "incl." } else { "excl." };
        out.push_str(&format!(
            "  {:>3}.{:02} % {kind} {:>16} {:>16}\n",
            t.rate_bp / 100,
            t.rate_bp % 100,
            m(t.net_minor),
            m(t.tax_minor)
        ));
    }
    out
}

/// A Z report: the final figures, then what was counted against what was expected.
async fn z_text(db: &LocalDb, z: &shifts::ZReport, t: &Terminal) -> CoreResult<String> {
    let cur = t.currency;
    let m = |minor| Money::new(minor, cur).to_string();
    let mut out = format!(
        "Z #{} closed {} by {}\n{}counted, variance:\n",
        z.z_number,
        t.time_zone.format(z.closed_at_ms),
        staff::name_of(db, &z.closed_by).await?,
        report_text(&z.report, cur)
    );
    for (kind, variance) in &z.variance {
        let counted = z
            .counted
            .get(kind)
            .map_or_else(|| "not counted".to_owned(), |c| m(*c));
        out.push_str(&format!(
            "  {kind:<14} {counted:>16} {:>16}\n",
            m(*variance)
        ));
    }
    if let Some(by) = &z.approved_by {
        let name = staff::name_of(db, by).await?;
        out.push_str(&format!("variance approved by {name}\n"));
    }
    Ok(out)
}

async fn cash(
    db: &LocalDb,
    t: &Terminal,
    pin: &str,
    (kind, amount): (CashKind, &str),
    reason: &str,
    manager_pin: Option<&str>,
) -> CoreResult<Outcome> {
    let who = staff::login(db, pin).await?;
    let minor = parse::money(amount, t.currency)?;
    let m = shifts::cash_movement(db, &who, kind, minor, reason, manager_pin).await?;
    crate::devices::drawer::for_movement(db, &who, &m).await;
    let amount = Money::new(m.amount_minor, t.currency);
    let text = match kind {
        CashKind::PaidIn => format!("paid in {amount} ({})", m.reason),
        CashKind::PaidOut => format!("paid out {amount} ({})", m.reason),
        CashKind::NoSale => format!("drawer opened without a sale ({})", m.reason),
    };
    Ok(Outcome::new(to_json(&m), text))
}

async fn customer_cmd(db: &LocalDb, t: &Terminal, cmd: &CustomerCommand) -> CoreResult<Outcome> {
    match cmd {
        CustomerCommand::Add {
            pin,
            name,
            phone,
            email,
            credit_limit,
        } => {
            let who = staff::login(db, pin).await?;
            let c = customers::NewCustomer {
                name: name.clone(),
                phone: phone.clone(),
                email: email.clone(),
                credit_limit_minor: parse::money(credit_limit, t.currency)?,
            };
            let c = customers::add(db, &who, &c).await?;
            Ok(Outcome::new(
                to_json(&c),
                format!("customer {} added: {}", c.id, c.name),
            ))
        }
        CustomerCommand::List => {
            let list = customers::list(db).await?;
            let text = list
                .iter()
                .map(|c| {
                    format!(
                        "{} {:<24} balance {}",
                        c.id,
                        c.name,
                        Money::new(c.balance_minor, t.currency)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Ok(Outcome::new(to_json(&list), text))
        }
        CustomerCommand::Pay {
            pin,
            customer,
            amount,
        } => {
            let who = staff::login(db, pin).await?;
            let c =
                customers::pay_debt(db, &who, customer, parse::money(amount, t.currency)?).await?;
            Ok(Outcome::new(
                to_json(&c),
                format!(
                    "{} now owes {}",
                    c.name,
                    Money::new(c.balance_minor, t.currency)
                ),
            ))
        }
    }
}

async fn stock_cmd(
    db: &LocalDb,
    sku: Option<&str>,
    adjust: Option<&str>,
    reason: &str,
    pin: Option<&str>,
) -> CoreResult<Outcome> {
    let levels = match (adjust, sku, pin) {
        (Some(delta), Some(sku), Some(pin)) => {
            let who = staff::login(db, pin).await?;
            let q: Quantity = delta
                .parse()
                .map_err(|_| CoreError::invalid(format!("`{delta}` is not a quantity")))?;
            vec![stock::adjust(db, &who, sku, q.milli(), reason).await?]
        }
        _ => stock::levels(db, sku).await?,
    };
    let text = levels
        .iter()
        .map(|l| {
            format!(
                "{:<14} {:<30} {}",
                l.sku,
                l.name,
                Quantity::from_milli(l.on_hand_milli)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Outcome::new(to_json(&levels), text))
}

async fn journal_cmd(db: &LocalDb, cmd: &JournalCommand, json: bool) -> CoreResult<Outcome> {
    match cmd {
        JournalCommand::Verify => {
            let r = journal::verify(db).await?;
            Ok(Outcome::new(
                to_json(&r),
                format!("journal OK: {} records, head {}", r.records, r.head_hash),
            ))
        }
        JournalCommand::Export { from } => {
            let format = if json {
                journal::ExportFormat::JsonArray
            } else {
                journal::ExportFormat::JsonLines
            };
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            journal::export(db, *from, format, &mut out).await?;
            std::io::Write::flush(&mut out)?;
            Ok(Outcome::written())
        }
    }
}

async fn status(db: &LocalDb, t: &Terminal) -> CoreResult<Outcome> {
    let shift = shifts::current(db).await?;
    // The chain only: the full audit (`pos journal verify`) takes seconds on a till with
    // a year of sales, too long for a status line.
    let verified = journal::verify_chain(db).await;
    let records: i64 = sqlx::query_scalar("SELECT count(*) FROM journal")
        .fetch_one(db.pool())
        .await?;
    let unacked: i64 = sqlx::query_scalar("SELECT count(*) FROM journal WHERE acked = 0")
        .fetch_one(db.pool())
        .await?;
    let queued = crate::print_queue::waiting(db).await?;
    let printer = crate::devices::drain::last_state(db).await?;
    let sync = crate::sync::status(db).await?;
    let body = json!({
        "terminal": to_json(t), "open_shift": to_json(&shift), "journal_records": records,
        "journal_unacked": unacked, "journal_ok": verified.is_ok(), "receipts_to_print": queued,
        "printer_state": to_json(&printer),
        "schema_version": crate::store::known_schema_version(), "sync": to_json(&sync),
    });
    let printer_note = match printer.and_then(|p| p.problem) {
        Some(problem) => format!(" (printer: {problem})"),
        None => String::new(),
    };
    let text = format!(
        "terminal {} ({}), currency {}\nshift: {}\njournal: {records} records, {unacked} not yet synced, {}\nreceipts and refund slips to print: {queued}{printer_note}\n{}",
        t.terminal_id,
        t.shop_name,
        t.currency,
        shift.map_or("none open".to_owned(), |s| format!(
            "open since {}",
            t.time_zone.format(s.opened_at_ms)
        )),
        match verified {
            Ok(_) => "chain OK".to_owned(),
            Err(e) => e.to_string(),
        },
        sync_cmd::status_text(&sync, &t.time_zone),
    );
    Ok(Outcome::new(body, text))
}

fn reprint(text: &str) -> String {
    receipt::mark_copy(text)
}

async fn receipt_cmd(db: &LocalDb, t: &Terminal, args: &ReceiptArgs) -> CoreResult<Outcome> {
    match (&args.action, &args.sale_id) {
        (Some(ReceiptCommand::Key), _) => {
            let key = seal::public_key_hex(db).await?;
            Ok(Outcome::new(
                serde_json::json!({ "public_key": key }),
                format!("{key}\n"),
            ))
        }
        (Some(ReceiptCommand::Verify { code, public_key }), _) => {
            let key = match public_key {
                Some(k) => k.clone(),
                None => seal::public_key_hex(db).await?,
            };
            let s = seal::verify(code, &key)?;
            let total = Money::new(
                s.total_minor,
                Currency::new(&s.currency)
                    .map_err(|_| CoreError::invalid("this is not a Kassa receipt code"))?,
            );
            let text = format!(
                "genuine receipt #{} of terminal {}\nsale {}\ntotal {} at {}\n",
                s.receipt_no,
                s.terminal_id,
                s.sale_id,
                total.format(),
                t.time_zone.format(s.created_at_ms)
            );
            Ok(Outcome::new(
                serde_json::json!({
                    "genuine": true,
                    "terminal_id": s.terminal_id,
                    "sale_id": s.sale_id,
                    "receipt_no": s.receipt_no,
                    "created_at_ms": s.created_at_ms,
                    "total_minor": s.total_minor,
                    "currency": s.currency,
                }),
                text,
            ))
        }
        (None, Some(id)) => match sales::load(db, &sales::find_id(db, id).await?).await {
            Ok(sale) => {
                let r = receipt::build(&sale, t, &seal::signing_key(db).await?);
                let text = reprint(&receipt::render_text(&r));
                Ok(Outcome::new(to_json(&r), text))
            }
            Err(CoreError::NotFound { .. }) => match refunds::load(db, id).await {
                Ok(stored) => {
                    let slip = refund_slip::build(&stored, t);
                    let text = reprint(&refund_slip::render_text(&slip));
                    Ok(Outcome::new(to_json(&slip), text))
                }
                Err(CoreError::NotFound { .. }) => Err(CoreError::NotFound {
                    what: "sale or refund",
                    id: id.clone(),
                }),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        },
        (None, None) => Err(CoreError::invalid(
            "say which receipt: `pos receipt SALE_ID` (or a refund's id), or `pos receipt verify CODE`",
        )),
    }
}
