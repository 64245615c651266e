//! `kassa-bench portal`: a year of sales for the manager portal's benchmarks
//! (`scripts/portal-bench.sh` runs the server, this seeder and the browser measurements in
//! `bench/portal/portal.bench.mjs`).
//!
//! Against a running server whose database prefix it shares (the `KASSA_*` environment of
//! `sync-server`), seeded with `sync-server seed-demo`: adds shops up to `--shops` and
//! imports `--products` products through the REST import (10,000 a request, as the portal's
//! CSV import sends them), then writes `--orders` POS sales over `--days` days straight to
//! `salesdb.orders` as the projector stores them (the `sale_completed` fact encoded whole,
//! plus `_id`, `event_id`, company, shop, terminal, `received_at`, `channel`, `status`,
//! `created_at`; `insert_many` of 10,000), and the analytics rollups from the same orders
//! with the rebuild's own counter function (`analytics::rollup::bumps`), summed per day (the
//! month rollups per month) and written with `insert_many` (the rebuild's `replace_one` per
//! counter would take hours at this size). Prints what it wrote and how long each part took as JSON on stdout.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context;
use futures::TryStreamExt;
use mongodb::bson::{DateTime, Document, doc};
use pos_shared::facts::{Sale, SaleLine, SaleTender};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sync_server::services::analytics::facts::{Fact, LineFacts, SaleFacts, TenderFacts};
use sync_server::services::analytics::{self, rollup};
use sync_server::{gateway::tenancy::TenantScope, store::System};

/// Arguments of `kassa-bench portal`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The running server (for the REST parts: shops and the product import).
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    pub api: String,
    /// Orders written (spread evenly over shops and days, busier at noon and evening).
    #[arg(long, default_value_t = 1_000_000)]
    pub orders: usize,
    /// Products in the catalog.
    #[arg(long, default_value_t = 100_000)]
    pub products: usize,
    /// Shops of the company (the demo has 2; the rest are created).
    #[arg(long, default_value_t = 10)]
    pub shops: usize,
    /// Days of sales, ending now.
    #[arg(long, default_value_t = 365)]
    pub days: i64,
    /// RNG seed.
    #[arg(long, default_value_t = 20_240_601)]
    pub seed: u64,
    /// Only drop the databases of the configured prefix, then exit.
    #[arg(long)]
    pub drop: bool,
    /// Only print the storage size (MiB) of the prefix's databases, then exit.
    #[arg(long)]
    pub size: bool,
}

const ADMIN: (&str, &str) = ("admin@demo.kassa.test", "demo-password-1");
const BATCH: usize = 10_000;
const DAY_MS: i64 = 86_400_000;
const NAMES: [&str; 12] = [
    "Oat milk",
    "Rye bread",
    "Apple juice",
    "Espresso beans",
    "Dish soap",
    "Butter",
    "Pasta",
    "Tomatoes",
    "Sparkling water",
    "Chocolate",
    "Rice",
    "Green tea",
];
const SIZES: [&str; 5] = ["small", "250 g", "500 g", "1 kg", "family pack"];

struct Product {
    id: String,
    sku: String,
    name: String,
    price: i64,
    tax_bp: u32,
}

pub async fn main(args: Args) -> anyhow::Result<()> {
    let config = sync_server::config::Config::load(None)?;
    if args.drop || args.size {
        let client = mongodb::Client::with_uri_str(&config.mongodb.uri).await?;
        let mut bytes = 0.0;
        for name in client.list_database_names().await? {
            if !name.starts_with(&config.mongodb.db_prefix) {
                continue;
            }
            if args.drop {
                client.database(&name).drop().await?;
            } else {
                let st = client
                    .database(&name)
                    .run_command(doc! { "dbStats": 1 })
                    .await?;
                let n = |k: &str| {
                    st.get(k)
                        .and_then(|v| {
                            v.as_f64()
                                .or(v.as_i64().map(|x| x as f64))
                                .or(v.as_i32().map(f64::from))
                        })
                        .unwrap_or(0.0)
                };
                bytes += n("storageSize").max(n("dataSize")) + n("indexSize");
            }
        }
        if args.size {
            println!("{:.0}", bytes / 1_048_576.0);
        }
        return Ok(());
    }
    let state = sync_server::build_state(config).await?;
    let http = reqwest::Client::new();
    let base = args.api.trim_end_matches('/').to_string();
    let token = login(&http, &base).await?;
    let mut report = serde_json::Map::new();

    // Shops.
    // The bench seeds data straight into the store, as `seed-demo` does.
    let all_shops = sync_server::store::system::<sync_server::services::shop::ShopDoc>(
        &state.mongo,
        &sync_server::store::SHOPS,
        System::Seed,
    );
    let mut shops: Vec<sync_server::services::shop::ShopDoc> = all_shops
        .find(doc! { "status": "active" })
        .await?
        .try_collect()
        .await?;
    let company = shops
        .first()
        .context("no shop: run `sync-server seed-demo` first")?
        .company_id
        .clone();
    shops.retain(|s| s.company_id == company);
    for i in shops.len()..args.shops {
        let r = http
            .post(format!("{base}/api/shops"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "name": format!("Bench shop {}", i + 1), "address": format!("Bench Street {}", i + 1),
                "timezone": "Europe/Berlin",
                "opening_hours": (0..6).map(|d| serde_json::json!({ "day": d, "opens": "08:00", "closes": "20:00" })).collect::<Vec<_>>()
            }))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "shop create: {}", r.text().await?);
    }
    let shops: Vec<sync_server::services::shop::ShopDoc> =
        sync_server::services::shop::shops_in(&state, &TenantScope::company(&company))
            .find(doc! { "status": "active" })
            .await?
            .try_collect()
            .await?;

    // Products through the import.
    let t = Instant::now();
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut products: Vec<Product> = Vec::with_capacity(args.products);
    let mut n = 0;
    while n < args.products {
        let rows: Vec<serde_json::Value> = (n..(n + BATCH).min(args.products))
            .map(|i| {
                serde_json::json!({
                    "sku": format!("PB-{i:06}"),
                    "name": format!("{} {} {i}", NAMES[i % NAMES.len()], SIZES[(i / NAMES.len()) % SIZES.len()]),
                    "category": format!("Category {}", i % 40),
                    "barcodes": [ean13(&format!("20{i:010}"))],
                    "price_minor": 49 + (i as i64 * 37) % 4950,
                    "tax_rate_bp": if i % 3 == 0 { 1900 } else { 700 },
                    "tax_inclusive": true,
                })
            })
            .collect();
        let r = http
            .post(format!("{base}/api/catalog/products/import"))
            .bearer_auth(&token)
            .json(&rows)
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "import: {}", r.text().await?);
        let made: Vec<serde_json::Value> = r.json().await?;
        for p in made {
            products.push(Product {
                id: p["id"].as_str().unwrap_or_default().to_string(),
                sku: p["sku"].as_str().unwrap_or_default().to_string(),
                name: p["name"].as_str().unwrap_or_default().to_string(),
                price: p["price_minor"].as_i64().unwrap_or(100),
                tax_bp: u32::try_from(p["tax_rate_bp"].as_u64().unwrap_or(700)).unwrap_or(700),
            });
        }
        n += BATCH;
        eprintln!("products: {}", products.len());
    }
    report.insert("products".into(), products.len().into());
    report.insert("products_import_s".into(), t.elapsed().as_secs_f64().into());

    // Orders and rollups, day by day.
    let t = Instant::now();
    let orders = sync_server::store::system::<Document>(
        &state.mongo,
        &sync_server::store::ORDERS,
        System::Seed,
    );
    let mut rollup_time = 0.0;
    let mut rollup_docs = 0usize;
    let now_ms = DateTime::now().timestamp_millis();
    let today0 = now_ms - now_ms % DAY_MS;
    let per_shop_day = args.orders as f64 / (args.days as f64 * shops.len() as f64);
    let mut written = 0usize;
    let mut buf: Vec<Document> = Vec::with_capacity(BATCH);
    let hot = products.len().min(3000);
    let mut receipt = 0i64;
    // The month rollups, written when the month is over (sales are 07:00-19:00 UTC, so a
    // Berlin shop's local month is the UTC one).
    let mut month_finals: BTreeMap<(&'static str, String), Document> = BTreeMap::new();
    let mut this_month = String::new();
    let tz0 = analytics::zone_of(&state, &company, &shops[0].id).await;
    for day in 0..args.days {
        let day0 = today0 - (args.days - 1 - day) * DAY_MS;
        let month = rollup::local(day0 + 12 * 3_600_000, &tz0).0[..7].to_owned();
        if month != this_month {
            let rt = Instant::now();
            rollup_docs += write_rollups(&state, std::mem::take(&mut month_finals)).await?;
            rollup_time += rt.elapsed().as_secs_f64();
            this_month = month;
        }
        let mut finals: BTreeMap<(&'static str, String), Document> = BTreeMap::new();
        for (si, shop) in shops.iter().enumerate() {
            let tz = analytics::zone_of(&state, &company, &shop.id).await;
            let target = ((day as usize * shops.len() + si + 1) as f64 * per_shop_day) as usize;
            let count = target
                .saturating_sub(written + buf.len())
                .min(args.orders - written - buf.len());
            for _ in 0..count {
                receipt += 1;
                // 07:00-19:00 UTC (08:00-20:00 Berlin in winter), busier midday.
                let h: f64 = (rng.random::<f64>() + rng.random::<f64>()) / 2.0;
                let mut at = day0 + 7 * 3_600_000 + (h * 12.0 * 3_600_000.0) as i64;
                if at > now_ms - 60_000 {
                    // Today's sales so far: none from the future.
                    at = now_ms - 60_000 - rng.random_range(0..3_600_000);
                }
                let sale = make_sale(&mut rng, &products, hot, receipt, at);
                let fact = Fact::Sale(SaleFacts {
                    created_at_ms: sale.created_at_ms,
                    total_minor: sale.total_minor,
                    change_minor: sale.change_minor,
                    lines: sale
                        .lines
                        .iter()
                        .map(|l| LineFacts {
                            product_id: l.product_id.clone(),
                            sku: l.sku.clone(),
                            name: l.name.clone(),
                            qty_milli: l.qty_milli,
                            gross_minor: l.gross_minor,
                        })
                        .collect(),
                    tenders: sale
                        .tenders
                        .iter()
                        .map(|t| TenderFacts {
                            kind: t.kind.clone(),
                            amount_minor: t.amount_minor,
                        })
                        .collect(),
                });
                let rt = Instant::now();
                for b in rollup::bumps(&company, &shop.id, &fact, &tz) {
                    let level = if rollup::is_monthly(b.collection) {
                        &mut month_finals
                    } else {
                        &mut finals
                    };
                    let d = level
                        .entry((b.collection, b.id.clone()))
                        .or_insert_with(|| {
                            let mut d = b.set.clone();
                            d.insert("_id", &b.id);
                            d
                        });
                    rollup::fold(d, &b);
                }
                rollup_time += rt.elapsed().as_secs_f64();
                let event_id = format!("pb-{receipt}");
                let mut d = mongodb::bson::to_document(&sale)?;
                d.insert("_id", &sale.id);
                d.insert("event_id", &event_id);
                d.insert("company_id", &company);
                d.insert("shop_id", &shop.id);
                d.insert("terminal_id", format!("pb-till-{si}"));
                d.insert("received_at", DateTime::from_millis(at + 500));
                d.insert("channel", "pos");
                d.insert("status", "completed");
                d.insert("created_at", DateTime::from_millis(at));
                buf.push(d);
                if buf.len() == BATCH {
                    orders.insert_many(std::mem::take(&mut buf)).await?;
                    written += BATCH;
                }
            }
        }
        let rt = Instant::now();
        rollup_docs += write_rollups(&state, finals).await?;
        rollup_time += rt.elapsed().as_secs_f64();
        if day % 30 == 0 {
            eprintln!(
                "day {day}: {} orders, {:.0} s",
                written + buf.len(),
                t.elapsed().as_secs_f64()
            );
        }
    }
    if !buf.is_empty() {
        written += buf.len();
        orders.insert_many(buf).await?;
    }
    let rt = Instant::now();
    rollup_docs += write_rollups(&state, month_finals).await?;
    rollup_time += rt.elapsed().as_secs_f64();
    report.insert("company_id".into(), company.clone().into());
    report.insert("shops".into(), shops.len().into());
    report.insert("days".into(), args.days.into());
    report.insert("orders".into(), written.into());
    report.insert("rollup_docs".into(), rollup_docs.into());
    report.insert(
        "orders_and_rollups_s".into(),
        t.elapsed().as_secs_f64().into(),
    );
    report.insert("of_which_rollups_s".into(), rollup_time.into());
    println!("{}", serde_json::Value::Object(report));
    Ok(())
}

/// Inserts summed rollup documents, `insert_many` of 10,000 a collection; returns how many.
async fn write_rollups(
    state: &sync_server::state::AppState,
    finals: BTreeMap<(&'static str, String), Document>,
) -> anyhow::Result<usize> {
    let mut by_coll: BTreeMap<&str, Vec<Document>> = BTreeMap::new();
    for ((c, _), d) in finals {
        by_coll.entry(c).or_default().push(d);
    }
    let mut n = 0;
    for (c, docs) in by_coll {
        n += docs.len();
        for chunk in docs.chunks(BATCH) {
            sync_server::store::system::<Document>(
                &state.mongo,
                rollup::declared(c)?,
                System::Seed,
            )
            .insert_many(chunk.to_vec())
            .await?;
        }
    }
    Ok(n)
}

fn make_sale(rng: &mut StdRng, products: &[Product], hot: usize, receipt: i64, at: i64) -> Sale {
    let n_lines = rng.random_range(1..=5);
    let mut lines = Vec::with_capacity(n_lines);
    let mut total = 0;
    let mut tax = 0;
    for i in 0..n_lines {
        // Nine lines in ten from the 3,000 best sellers, the rest from the whole catalog.
        let p = if rng.random_bool(0.9) {
            &products[rng.random_range(0..hot)]
        } else {
            &products[rng.random_range(0..products.len())]
        };
        let qty = rng.random_range(1..=3_i64);
        let gross = p.price * qty;
        let t = gross * i64::from(p.tax_bp) / (10_000 + i64::from(p.tax_bp));
        total += gross;
        tax += t;
        lines.push(SaleLine {
            id: format!("{receipt}-{i}"),
            line_no: i as i64 + 1,
            product_id: p.id.clone(),
            sku: p.sku.clone(),
            name: p.name.clone(),
            qty_milli: qty * 1000,
            unit_price_minor: p.price,
            discount_minor: 0,
            tax_rate_bp: p.tax_bp,
            tax_inclusive: true,
            net_minor: gross - t,
            tax_minor: t,
            gross_minor: gross,
        });
    }
    let cash = rng.random_bool(0.4);
    let paid = if cash {
        (total + 499) / 500 * 500
    } else {
        total
    };
    Sale {
        id: uuid_like(rng),
        receipt_no: receipt,
        shift_id: format!("pb-shift-{}", at / DAY_MS),
        staff_id: "pb-staff".into(),
        approved_by: None,
        customer_id: None,
        currency: "EUR".into(),
        created_at_ms: at,
        lines,
        tenders: vec![SaleTender {
            kind: if cash { "cash" } else { "card" }.into(),
            amount_minor: paid,
            reference: None,
        }],
        subtotal_minor: total,
        discount_minor: 0,
        tax_minor: tax,
        total_minor: total,
        paid_minor: paid,
        change_minor: paid - total,
        cash_rounding_minor: 0,
    }
}

fn uuid_like(rng: &mut StdRng) -> String {
    let a: u128 = rng.random();
    let h = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn ean13(twelve: &str) -> String {
    let sum: u32 = twelve
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{twelve}{}", (10 - sum % 10) % 10)
}

async fn login(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let v: serde_json::Value = http
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({ "email": ADMIN.0, "password": ADMIN.1 }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    v["access_token"]
        .as_str()
        .map(str::to_string)
        .context("no token")
}
