//! This terminal's identity and configuration: ids, names, currency, receipt texts,
//! approval thresholds and scale-label layouts, all kept in the `settings` table.

use pos_shared::Currency;
use pos_shared::barcode::{Gs1Layout, MeasureKind};
use serde::Serialize;

use crate::error::{CoreError, CoreResult};
use crate::shop_time::{self, ShopZone};
use crate::store::{LocalDb, get_i64_setting, get_setting, new_id, set_setting};

/// What `pos init` asks for when a terminal runs standalone (no server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitRequest {
    pub currency: Currency,
    pub shop_name: String,
    pub company_name: String,
    pub receipt_header: String,
    pub receipt_footer: String,
    /// Smallest cash step in minor units; 0 or 1 for none.
    pub cash_rounding_step: i64,
}

/// The terminal's configuration as the core uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Terminal {
    pub terminal_id: String,
    pub epoch: i64,
    pub company_name: String,
    pub shop_name: String,
    pub currency: Currency,
    pub receipt_header: String,
    pub receipt_footer: String,
    /// Total discount, in basis points of the list price, above which a cashier needs a
    /// manager PIN.
    pub discount_approval_bp: i64,
    /// Cash variance (minor units, either way) above which closing a shift needs a manager.
    pub variance_approval_minor: i64,
    /// Cash rounding step in minor units (5 for CHF); `None` rounds to the minor unit.
    pub cash_rounding_step: Option<i64>,
    /// Catalog stream cursor; 0 when standalone.
    pub catalog_cursor: i64,
    pub gs1_layouts: Vec<Gs1Layout>,
    /// The shop's zone, in which receipts, slips and reports show times.
    pub time_zone: ShopZone,
}

/// Scale labels as most European scales print them: prefixes 21-22 carry a weight in
/// grams, 20 and 23-29 a price in cents (GS1 General Specifications, restricted
/// circulation numbers 20-29; the split is a national convention, so it is configurable).
pub fn default_layouts() -> Vec<Gs1Layout> {
    vec![
        Gs1Layout {
            prefixes: vec!["21".into(), "22".into()],
            item_digits: 5,
            value_digits: 5,
            kind: MeasureKind::Weight,
            decimals: 3,
        },
        Gs1Layout {
            prefixes: ["20", "23", "24", "25", "26", "27", "28", "29"]
                .map(String::from)
                .to_vec(),
            ..Gs1Layout::default()
        },
    ]
}

/// The cash rounding step a currency gets unless told otherwise: where the smallest coins
/// are gone, cash is rounded by default (CHF to 5 centimes).
/// The shop's currency from what someone typed: an ISO 4217 code, any case.
pub fn shop_currency(code: &str) -> CoreResult<Currency> {
    let currency = Currency::new(code)?;
    if !pos_shared::currency::is_iso_4217(currency) {
        return Err(CoreError::invalid(format!(
            "`{}` is not an ISO 4217 currency code; use the shop's, e.g. EUR, USD, GBP",
            code.trim()
        )));
    }
    Ok(currency)
}

pub fn default_cash_rounding(currency: Currency) -> i64 {
    match currency.as_str() {
        "CHF" => 5,
        _ => 0,
    }
}

/// Initialises a standalone terminal: fresh terminal id, epoch 1, cursor 0.
pub async fn init(db: &LocalDb, req: &InitRequest) -> CoreResult<Terminal> {
    init_with(db, req, &new_id(), &[]).await
}

/// Initialises a terminal under a given id (the server's, after enrollment), epoch 1,
/// cursor 0, writing `extra` settings in the same transaction.
pub async fn init_with(
    db: &LocalDb,
    req: &InitRequest,
    terminal_id: &str,
    extra: &[(&str, String)],
) -> CoreResult<Terminal> {
    if get_setting(db.pool(), "terminal_id").await?.is_some() {
        return Err(CoreError::AlreadyInitialised);
    }
    if req.shop_name.trim().is_empty() {
        return Err(CoreError::invalid("the shop needs a name"));
    }
    let mut tx = db.begin().await?;
    let layouts =
        serde_json::to_string(&default_layouts()).map_err(|e| CoreError::invalid(e.to_string()))?;
    for (k, v) in extra {
        set_setting(&mut *tx, k, v).await?;
    }
    for (k, v) in [
        ("terminal_id", terminal_id.to_owned()),
        ("epoch", "1".to_owned()),
        ("catalog_cursor", "0".to_owned()),
        ("company_name", req.company_name.clone()),
        ("shop_name", req.shop_name.trim().to_owned()),
        ("currency", req.currency.as_str().to_owned()),
        ("receipt_header", req.receipt_header.clone()),
        ("receipt_footer", req.receipt_footer.clone()),
        ("discount_approval_bp", "2000".to_owned()),
        ("variance_approval_minor", "500".to_owned()),
        ("gs1_layouts", layouts),
        ("cash_rounding_step", req.cash_rounding_step.to_string()),
    ] {
        set_setting(&mut *tx, k, &v).await?;
    }
    tx.commit().await?;
    load(db).await
}

/// Loads the configuration; fails with `NotInitialised` before `pos init`.
pub async fn load(db: &LocalDb) -> CoreResult<Terminal> {
    let pool = db.pool();
    let terminal_id = get_setting(pool, "terminal_id")
        .await?
        .ok_or(CoreError::NotInitialised)?;
    let text =
        |k: &'static str| async move { get_setting(pool, k).await.map(Option::unwrap_or_default) };
    let currency: Currency = text("currency")
        .await?
        .parse()
        .map_err(|_| CoreError::invalid("stored currency is not a currency code"))?;
    let gs1_layouts = match get_setting(pool, "gs1_layouts").await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| CoreError::invalid(format!("stored gs1_layouts: {e}")))?,
        None => default_layouts(),
    };
    Ok(Terminal {
        terminal_id,
        epoch: get_i64_setting(pool, "epoch", 1).await?,
        company_name: text("company_name").await?,
        shop_name: text("shop_name").await?,
        currency,
        receipt_header: text("receipt_header").await?,
        receipt_footer: text("receipt_footer").await?,
        discount_approval_bp: get_i64_setting(pool, "discount_approval_bp", 2000).await?,
        variance_approval_minor: get_i64_setting(pool, "variance_approval_minor", 500).await?,
        catalog_cursor: get_i64_setting(pool, "catalog_cursor", 0).await?,
        cash_rounding_step: Some(get_i64_setting(pool, "cash_rounding_step", 0).await?)
            .filter(|step| *step > 1),
        gs1_layouts,
        time_zone: ShopZone::named(
            &get_setting(pool, shop_time::SETTING)
                .await?
                .unwrap_or_else(shop_time::default_name),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn init_once_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let db = LocalDb::open(&dir.path().join("t.db")).await.unwrap();
        assert!(matches!(load(&db).await, Err(CoreError::NotInitialised)));
        let req = InitRequest {
            currency: Currency::EUR,
            shop_name: "Corner".into(),
            company_name: "Acme".into(),
            receipt_header: "Welcome".into(),
            receipt_footer: "Thanks".into(),
            cash_rounding_step: 0,
        };
        let t = init(&db, &req).await.unwrap();
        assert_eq!(
            (t.epoch, t.catalog_cursor, t.currency),
            (1, 0, Currency::EUR)
        );
        assert_eq!(load(&db).await.unwrap(), t);
        assert!(matches!(
            init(&db, &req).await,
            Err(CoreError::AlreadyInitialised)
        ));
        for l in &t.gs1_layouts {
            l.validate().expect("default layouts are valid");
        }
    }
}
