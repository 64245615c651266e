//! A reserved web order's payment: opened through the payment service's own function (no
//! HTTP hop), keyed by the order, and its id and client secret kept on the order for the
//! storefront.

use mongodb::bson::doc;

use super::orders_in;
use crate::{db::now, gateway::tenancy::TenantScope, services::payment::intents, state::AppState};

/// Opens the order's Stripe payment unless it has one. A server without Stripe
/// credentials (422) notes it on the order instead of retrying forever.
pub async fn request(state: &AppState, company: &str, order_id: &str) -> anyhow::Result<()> {
    let orders = orders_in(state, &TenantScope::company(company));
    let Some(order) = orders
        .find_one(doc! { "_id": order_id, "channel": "web", "status": "reserved" })
        .await?
    else {
        return Ok(());
    };
    if order.contains_key("payment_id") {
        return Ok(());
    }
    let shop = order.get_str("shop_id").unwrap_or_default();
    let total = order.get_i64("total_minor").unwrap_or_default();
    let currency = order.get_str("currency").unwrap_or_default();
    let set = match intents::open_for_order(state, company, shop, order_id, total, currency).await {
        Ok(payment_id) => doc! { "payment_id": payment_id, "updated_at": now() },
        Err(e) if e.status().as_u16() == 422 => {
            doc! { "payment_error": e.body().message, "updated_at": now() }
        }
        Err(e) => return Err(anyhow::anyhow!("opening the payment of {order_id}: {e:?}")),
    };
    orders
        .update_one(doc! { "_id": order_id }, doc! { "$set": set })
        .await?;
    Ok(())
}
