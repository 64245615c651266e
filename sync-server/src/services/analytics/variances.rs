//! Shift variances for the dashboard: each Z report closed in the range, with how far the
//! counted cash was off.

use futures::TryStreamExt;
use mongodb::bson::{Document, doc};

use super::routes::Range;
use crate::{
    error::ApiResult, gateway::tenancy::TenantScope, services::shop::ShopDoc, state::AppState,
};

/// Z reports of `shops` closed in the range (UTC days, widened by a day each side so a
/// shop-local day is covered), newest first, at most 50, read in the caller's `scope`.
pub async fn of(
    state: &AppState,
    scope: &TenantScope,
    shops: &[ShopDoc],
    r: &Range,
) -> ApiResult<Vec<serde_json::Value>> {
    if shops.is_empty() {
        return Ok(Vec::new());
    }
    let ms = |d: &str, days: i64| -> i64 {
        d.parse::<jiff::civil::Date>()
            .ok()
            .and_then(|d| d.checked_add(jiff::Span::new().days(days)).ok())
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map_or(0, |z| z.timestamp().as_millisecond())
    };
    let ids: Vec<&str> = shops.iter().map(|s| s.id.as_str()).collect();
    // An aggregation rather than a find: a shop manager's scope sifts its shops in a
    // `$match` of its own after this one, where a find's filter would `$and` them with
    // `shop_id` here, which SecantusDB plans no index for (it would read every shift).
    let docs: Vec<Document> = crate::services::sales::shifts::shifts_in(state, scope)
        .aggregate([
            doc! { "$match": {
                "shop_id": { "$in": ids }, "status": "closed",
                "closed_at_ms": { "$gte": ms(&r.from, -1), "$lt": ms(&r.to, 2) },
            } },
            doc! { "$sort": { "closed_at_ms": -1 } },
            doc! { "$limit": 50 },
        ])
        .await?
        .try_collect()
        .await?;
    Ok(docs.iter().map(view).collect())
}

fn view(d: &Document) -> serde_json::Value {
    let z = d.get_document("z_report").ok();
    let cash = z
        .and_then(|z| z.get_document("variance").ok())
        .and_then(|v| v.get("cash"))
        .and_then(|v| v.as_i64().or_else(|| v.as_i32().map(i64::from)))
        .unwrap_or(0);
    let closed = d.get_i64("closed_at_ms").unwrap_or_default();
    serde_json::json!({
        "shift_id": d.get_str("_id").unwrap_or_default(),
        "shop_id": d.get_str("shop_id").unwrap_or_default(),
        "terminal_id": d.get_str("terminal_id").unwrap_or_default(),
        "z_number": d.get_i64("z_number").unwrap_or_default(),
        "closed_at": jiff::Timestamp::from_millisecond(closed).map(|t| t.to_string()).unwrap_or_default(),
        "variance_minor": cash,
    })
}
