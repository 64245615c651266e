//! What the orders list can be narrowed by (a time window, a till, a cashier, a receipt
//! number), checked and turned into one MongoDB filter, and the refunded amount of each
//! order of a page, read in one query.

use std::collections::HashMap;

use futures::TryStreamExt;
use mongodb::bson::{DateTime, Document, doc};
use serde::Deserialize;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use utoipa::IntoParams;

use super::refunds_in;
use crate::{
    error::{ApiError, ApiResult},
    gateway::tenancy::TenantScope,
    state::AppState,
};

#[derive(Debug, Deserialize, IntoParams)]
pub struct OrderQuery {
    pub shop_id: String,
    /// Orders made at or after this instant (RFC 3339, e.g. `2025-03-01T00:00:00Z`).
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Orders made before this instant (RFC 3339).
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// Made at this till.
    pub terminal_id: Option<String>,
    /// Rung up by this staff member.
    pub staff_id: Option<String>,
    /// This receipt number (numbers are per till: several tills may have printed it).
    pub receipt_no: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn instant(field: &str, v: &str) -> ApiResult<DateTime> {
    let t = OffsetDateTime::parse(v, &Rfc3339).map_err(|_| {
        ApiError::invalid(
            field,
            "must be an RFC 3339 instant such as 2025-03-01T00:00:00Z",
        )
    })?;
    let ms = i64::try_from(t.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| ApiError::invalid(field, "is out of range"))?;
    Ok(DateTime::from_millis(ms))
}

impl OrderQuery {
    /// The orders of `shop_id` this query asks for (422 on a bad value); the caller's
    /// scope adds the company.
    pub fn filter(&self, shop_id: &str) -> ApiResult<Document> {
        let mut f = doc! { "shop_id": shop_id };
        let from = given(&self.from).map(|v| instant("from", v)).transpose()?;
        let to = given(&self.to).map(|v| instant("to", v)).transpose()?;
        if let (Some(a), Some(b)) = (from, to)
            && a >= b
        {
            return Err(ApiError::invalid("to", "must be after `from`"));
        }
        let mut window = Document::new();
        if let Some(a) = from {
            window.insert("$gte", a);
        }
        if let Some(b) = to {
            window.insert("$lt", b);
        }
        if !window.is_empty() {
            f.insert("created_at", window);
        }
        if let Some(t) = given(&self.terminal_id) {
            f.insert("terminal_id", t);
        }
        if let Some(s) = given(&self.staff_id) {
            f.insert("staff_id", s);
        }
        if let Some(n) = given(&self.receipt_no) {
            let n: i64 =
                n.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    ApiError::invalid("receipt_no", "must be a whole number above 0")
                })?;
            f.insert("receipt_no", n);
        }
        Ok(f)
    }
}

/// Refunded so far per order of `order_ids` (orders with no refund are absent).
pub async fn refunded(
    state: &AppState,
    scope: &TenantScope,
    order_ids: &[&str],
) -> mongodb::error::Result<HashMap<String, i64>> {
    if order_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let docs: Vec<Document> = refunds_in(state, scope)
        .find(doc! { "sale_id": { "$in": order_ids } })
        .projection(doc! { "sale_id": 1, "total_minor": 1 })
        .await?
        .try_collect()
        .await?;
    let mut out: HashMap<String, i64> = HashMap::new();
    for d in &docs {
        if let Ok(sale) = d.get_str("sale_id") {
            *out.entry(sale.to_owned()).or_default() +=
                d.get_i64("total_minor").unwrap_or_default();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(from: Option<&str>, to: Option<&str>, receipt: Option<&str>) -> OrderQuery {
        OrderQuery {
            shop_id: "s".into(),
            from: from.map(Into::into),
            to: to.map(Into::into),
            terminal_id: Some(" ".into()),
            staff_id: None,
            receipt_no: receipt.map(Into::into),
        }
    }

    #[test]
    fn a_window_and_a_receipt_number_become_one_filter() {
        let f = q(
            Some("2025-03-01T00:00:00+01:00"),
            Some("2025-03-02T00:00:00Z"),
            Some("42"),
        )
        .filter("s")
        .unwrap();
        let window = f.get_document("created_at").unwrap();
        assert_eq!(
            window.get_datetime("$gte").unwrap().timestamp_millis(),
            1_740_783_600_000,
            "an offset is read as the instant it names"
        );
        assert_eq!(f.get_i64("receipt_no").unwrap(), 42);
        assert!(
            !f.contains_key("terminal_id"),
            "a blank till means any till"
        );
    }

    #[test]
    fn bad_values_are_refused_naming_the_field() {
        for (query, field) in [
            (q(Some("yesterday"), None, None), "from"),
            (
                q(
                    Some("2025-03-02T00:00:00Z"),
                    Some("2025-03-01T00:00:00Z"),
                    None,
                ),
                "to",
            ),
            (q(None, None, Some("12a")), "receipt_no"),
        ] {
            let e = query.filter("s").unwrap_err();
            assert!(e.to_string().contains(field), "{e} names {field}");
        }
    }
}
