//! Paying: a reserved order gets its Stripe payment from the saga, and the capture makes
//! it `paid` and turns the held units into one sale movement (against localstripe).

use std::time::Duration;

use mongodb::bson::{Document, doc};
use reqwest::StatusCode;

use super::reserving::{settled, stock};
use super::{customer, order};
use crate::payment::{localstripe::LocalStripe, payment_app};

#[tokio::test]
async fn a_web_order_goes_from_pending_to_paid_and_the_stock_falls_once() {
    let Some(peer) = LocalStripe::start().await else {
        return;
    };
    let app = payment_app(Some(&peer), None).await;
    peer.register_webhook(
        &format!("{}/api/payments/webhooks/stripe", app.base),
        crate::payment::WEBHOOK_SECRET,
    )
    .await;
    let t = app.tenant("Webshop").await;
    let tea = app.product(&t, "TEA", 450, "4000000000013").await;
    stock(&app, &t, &tea, 5).await;
    let (_, ada) = customer(&app, &t.company_id).await;
    let placed = order(&app, &ada, &t.shop_id, &tea, 2, "Ada").await;
    let reserved = settled(&app, &ada, &placed, "pending").await;
    assert_eq!(reserved["status"], "reserved", "{reserved}");
    // The saga opens the payment right after the reservation.
    let path = format!("/api/orders/{}", placed["_id"].as_str().unwrap());
    let mut payment = None;
    for _ in 0..100 {
        let (_, o) = app.get(&path, &ada).await;
        if let Some(id) = o["payment_id"].as_str() {
            payment = Some(id.to_owned());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let payment = payment.expect("the saga opened a payment");
    let (status, p) = app
        .get(&format!("/api/payments/{payment}"), &t.manager)
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["amount_minor"], 900, "the order's catalog total");
    assert_eq!(p["order_id"], placed["_id"]);
    // The customer's browser confirms the card with Stripe.js; Stripe's webhook tells Kassa.
    let pi = p["provider_ref"].as_str().unwrap();
    // (localstripe takes the card as an update of the intent, then the browser's confirm.)
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/payment_intents/{pi}", peer.base))
        .basic_auth(crate::payment::STRIPE_KEY, Some(""))
        .form(&[("payment_method", "pm_card_visa")])
        .send()
        .await
        .expect("localstripe reachable");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "card attached: {status} {text}");
    peer.confirm_as_browser(pi).await;
    let paid = settled(&app, &ada, &placed, "reserved").await;
    assert_eq!(paid["status"], "paid", "{paid}");
    // Inventory hears the capture too; wait for the held units to leave the shelf.
    let inventory = mongodb::Client::with_uri_str(sync_server::testing::mongo_uri())
        .await
        .unwrap()
        .database(&format!("{}inventorydb", app.prefix));
    let balances = inventory.collection::<Document>("balances");
    let mut balance = Document::new();
    for _ in 0..100 {
        balance = balances
            .find_one(doc! { "product_id": &tea })
            .await
            .unwrap()
            .unwrap();
        if balance.get_i64("on_hand_milli").unwrap() != 5000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(balance.get_i64("on_hand_milli").unwrap(), 3000, "{balance}");
    assert_eq!(balance.get_i64("reserved_milli").unwrap(), 0, "{balance}");
    let sales = inventory
        .collection::<Document>("movements")
        .count_documents(doc! { "product_id": &tea, "reason": "sale" })
        .await
        .unwrap();
    assert_eq!(sales, 1, "one sale movement for the order");
}
