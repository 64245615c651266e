//! Demo data: a company with two shops, a manager, two cashiers with PINs, two account customers, a catalog of a
//! few hundred products with barcodes and taxes, and opening stock. Created through the
//! same handlers the API uses (same validation, same events); running it again finds the
//! existing demo instead of duplicating it.

use axum::{Json, extract::State};
use mongodb::bson::doc;
use pos_shared::role::Role;
use pos_shared::sync::ChangeOp;

use crate::{
    db::now,
    gateway::{
        extract::{ApiJson, IdPath},
        principal::Principal,
        tenancy::TenantScope,
    },
    services::{catalog, company, debt, inventory::ledger, shop},
    state::AppState,
    streams,
};

pub const COMPANY_NAME: &str = "Kassa Demo Market";
pub const ADMIN_EMAIL: &str = "admin@demo.kassa.test";
pub const MANAGER_EMAIL: &str = "manager@demo.kassa.test";
/// Demo only: printed by the run command so a newcomer can log in.
pub const DEMO_PASSWORD: &str = "demo-password-1";
pub const CASHIER_PINS: [(&str, &str); 2] = [("Alex Cashier", "1111"), ("Sam Cashier", "2222")];
pub const PRODUCTS: usize = 300;

const CATEGORIES: [(&str, &[&str]); 6] = [
    (
        "Bakery",
        &[
            "Sourdough loaf",
            "Rye bread",
            "Croissant",
            "Baguette",
            "Cinnamon roll",
        ],
    ),
    (
        "Dairy",
        &[
            "Whole milk 1 l",
            "Yoghurt 500 g",
            "Butter 250 g",
            "Gouda 200 g",
            "Cream 200 ml",
        ],
    ),
    (
        "Produce",
        &[
            "Apples 1 kg",
            "Bananas",
            "Tomatoes 500 g",
            "Carrots 1 kg",
            "Lemons",
        ],
    ),
    (
        "Drinks",
        &[
            "Mineral water 1.5 l",
            "Orange juice 1 l",
            "Cola 0.33 l",
            "Coffee beans 500 g",
            "Green tea",
        ],
    ),
    (
        "Pantry",
        &[
            "Pasta 500 g",
            "Rice 1 kg",
            "Olive oil 0.5 l",
            "Tomato sauce",
            "Oat flakes",
        ],
    ),
    (
        "Household",
        &[
            "Dish soap",
            "Paper towels",
            "Sponges 3 pack",
            "Bin bags",
            "Hand soap",
        ],
    ),
];

/// EAN-13 check digit (GS1 General Specifications §7.9.1: weights 1,3 from the left).
fn ean13(body12: &str) -> String {
    let sum: u32 = body12
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body12}{}", (10 - sum % 10) % 10)
}

fn platform() -> Principal {
    Principal {
        id: "demo-seed".into(),
        role: Role::PlatformAdmin,
        company_id: None,
        shop_ids: Vec::new(),
        device: false,
    }
}

fn company_admin(company_id: &str) -> Principal {
    Principal {
        id: "demo-seed".into(),
        role: Role::CompanyAdmin,
        company_id: Some(company_id.to_string()),
        shop_ids: Vec::new(),
        device: false,
    }
}

/// Seeds once; returns a human summary with the logins.
pub async fn seed(state: &AppState) -> anyhow::Result<String> {
    let existing = company::companies(state)
        .find_one(doc! { "name": COMPANY_NAME, "status": "active" })
        .await?;
    let company_id = match existing {
        Some(c) => c.id,
        None => create(state).await?,
    };
    let shops: Vec<String> = shop::shops_in(state, &TenantScope::company(&company_id))
        .find(doc! { "status": "active" })
        .await?
        .try_collect_ids()
        .await?;
    Ok(format!(
        "Demo company `{COMPANY_NAME}` ({company_id}) with {} shops and {PRODUCTS} products.\n\
         Company admin: {ADMIN_EMAIL} / {DEMO_PASSWORD}\nShop manager: {MANAGER_EMAIL} / {DEMO_PASSWORD}\n\
         Cashier PINs: {}",
        shops.len(),
        CASHIER_PINS
            .iter()
            .map(|(n, p)| format!("{n} {p}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

trait CollectIds {
    async fn try_collect_ids(self) -> anyhow::Result<Vec<String>>;
}

impl CollectIds for mongodb::Cursor<shop::ShopDoc> {
    async fn try_collect_ids(self) -> anyhow::Result<Vec<String>> {
        use futures::TryStreamExt;
        Ok(self.map_ok(|s| s.id).try_collect().await?)
    }
}

async fn create(state: &AppState) -> anyhow::Result<String> {
    let st = || State(state.clone());
    let req: company::routes::CreateCompany = serde_json::from_value(serde_json::json!({
        "name": COMPANY_NAME, "currency": "EUR", "plan": "business",
        "admin": { "email": ADMIN_EMAIL, "password": DEMO_PASSWORD, "name": "Dana Admin" }
    }))?;
    let (_, Json(company)) =
        company::routes::create_company(st(), platform(), ApiJson(req)).await?;
    let admin = company_admin(&company.id);
    let settings: company::model::Settings = serde_json::from_value(serde_json::json!({
        "currency": "EUR", "locale": "en", "timezone": "Europe/Berlin",
        "tax_rates": [
            { "id": "std", "name": "VAT 19%", "rate_bp": 1900, "inclusive": true },
            { "id": "red", "name": "VAT 7%", "rate_bp": 700, "inclusive": true }
        ],
        "receipt_header": "Kassa Demo Market\nMain Street 1", "receipt_footer": "Thank you for shopping with us!"
    }))?;
    let _updated = company::routes::put_settings(
        st(),
        admin.clone(),
        IdPath(company.id.parse()?),
        ApiJson(settings),
    )
    .await?;

    let mut shop_ids = Vec::new();
    for (name, address) in [("Downtown", "Main Street 1"), ("Uptown", "Hill Road 22")] {
        let req: shop::routes::CreateShop = serde_json::from_value(serde_json::json!({
            "name": name, "address": address, "timezone": "Europe/Berlin",
            "opening_hours": (0..6).map(|d| serde_json::json!({ "day": d, "opens": "08:00", "closes": "20:00" })).collect::<Vec<_>>()
        }))?;
        let (_, Json(s)) = shop::routes::create_shop(st(), admin.clone(), ApiJson(req)).await?;
        shop_ids.push(s.id);
    }
    let first: uuid::Uuid = shop_ids[0].parse()?;
    let manager: shop::staff::AddStaff = serde_json::from_value(serde_json::json!({
        "name": "Morgan Manager", "role": "shop_manager", "email": MANAGER_EMAIL, "password": DEMO_PASSWORD, "pin": "9999"
    }))?;
    let _manager =
        shop::staff::add_staff(st(), admin.clone(), IdPath(first), ApiJson(manager)).await?;
    for (name, pin) in CASHIER_PINS {
        let cashier: shop::staff::AddStaff = serde_json::from_value(
            serde_json::json!({ "name": name, "role": "cashier", "pin": pin }),
        )?;
        let _cashier =
            shop::staff::add_staff(st(), admin.clone(), IdPath(first), ApiJson(cashier)).await?;
    }
    // Account customers, so on-account sales and debt payments can be tried at once.
    for (name, phone, limit) in [
        ("Café Nord", "+49 30 5550101", 50_000),
        ("Ann Baker", "+49 30 5550102", 10_000),
    ] {
        let req: debt::routes::CreateCustomer = serde_json::from_value(
            serde_json::json!({ "name": name, "phone": phone, "credit_limit_minor": limit }),
        )?;
        let _customer = debt::routes::create_customer(st(), admin.clone(), ApiJson(req)).await?;
    }
    seed_catalog_and_stock(state, &company.id, &shop_ids).await?;
    Ok(company.id)
}

/// The catalog with its stream changes and the opening stock as ledger movements, in one
/// transaction, so terminals that enroll into the demo receive all of it by sync.
async fn seed_catalog_and_stock(
    state: &AppState,
    company_id: &str,
    shop_ids: &[String],
) -> anyhow::Result<()> {
    let t = now();
    let mut products = Vec::with_capacity(PRODUCTS);
    for i in 0..PRODUCTS {
        let (category, names) = CATEGORIES[i % CATEGORIES.len()];
        let base = names[(i / CATEGORIES.len()) % names.len()];
        let variant = i / (CATEGORIES.len() * names.len());
        let name = if variant == 0 {
            base.to_string()
        } else {
            format!("{base} #{}", variant + 1)
        };
        let standard_rate = matches!(category, "Household" | "Drinks");
        products.push(catalog::ProductDoc {
            id: uuid::Uuid::now_v7().to_string(),
            company_id: company_id.to_string(),
            sku: format!("DEMO-{:04}", i + 1),
            name,
            category: Some(category.to_string()),
            barcodes: vec![ean13(&format!("400638{:06}", i + 1))],
            price_minor: 49 + i64::try_from(i * 37 % 1950).unwrap_or(0),
            currency: "EUR".into(),
            tax_rate_bp: if standard_rate { 1900 } else { 700 },
            tax_inclusive: true,
            is_weighed: false,
            active: true,
            created_at: t,
            updated_at: t,
            variant_of: None,
            variant_name: None,
        });
    }
    let ctx = (state.clone(), products, shop_ids.to_vec());
    state
        .write(ctx, |s, (state, products, shop_ids)| {
            Box::pin(async move {
                let company = products
                    .first()
                    .map(|p| p.company_id.clone())
                    .unwrap_or_default();
                catalog::products_in(state, &TenantScope::company(&company))
                    .insert_many(products)?
                    .session(&mut *s)
                    .await?;
                catalog::barcodes::claim(state, s, products).await?;
                let changes: Vec<streams::NewChange> = products
                    .iter()
                    .map(|p| streams::NewChange {
                        entity: "product",
                        id: p.id.clone(),
                        op: ChangeOp::Upsert,
                        data: serde_json::to_value(p.wire()).ok(),
                    })
                    .collect();
                let company = &products[0].company_id;
                streams::append_many(
                    &catalog::db(state),
                    s,
                    &streams::catalog_key(company),
                    &changes,
                )
                .await?;
                for shop_id in shop_ids.iter() {
                    let moves: Vec<ledger::Movement> = products
                        .iter()
                        .enumerate()
                        .map(|(i, p)| ledger::Movement {
                            id: format!("opening:{shop_id}:{}", p.id),
                            product_id: p.id.clone(),
                            delta_milli: i64::try_from(20 + (i * 7) % 80).unwrap_or(20) * 1000,
                            reason: "opening".into(),
                            source_event: None,
                            terminal_id: None,
                        })
                        .collect();
                    ledger::apply(state, s, company, shop_id, &moves, now()).await?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ean13_check_digit_matches_a_known_code() {
        // 4006381333931 is a published example EAN-13.
        assert_eq!(super::ean13("400638133393"), "4006381333931");
    }
}
