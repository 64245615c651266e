//! The orders list a manager filters: a time window, a till, a cashier, a receipt number,
//! and what each order has had refunded.

use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{Tenant, TestApp, assert_error_shape, spawn_app};
use crate::journal::{Journal, SOLD_AT_MS, SaleSpec};

const HOUR: i64 = 3_600_000;

async fn orders(app: &TestApp, t: &Tenant, filter: &str) -> (StatusCode, Value) {
    app.get(
        &format!("/api/sales/orders?shop_id={}{filter}", t.shop_id),
        &t.manager,
    )
    .await
}

/// The ids of the orders a filter lists, newest first.
async fn ids(app: &TestApp, t: &Tenant, filter: &str) -> Vec<String> {
    let (status, body) = orders(app, t, filter).await;
    assert_eq!(status, StatusCode::OK, "{filter}: {body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

fn instant(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap();
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn orders_are_filtered_by_time_till_staff_and_receipt_and_carry_their_refunds() {
    let app = spawn_app().await;
    let t = app.tenant("Orders Co").await;
    let tea = app.product(&t, "TEA", 250, "4006381333931").await;
    let (till1, device1) = app.terminal(&t, "Till 1").await;
    let (till2, device2) = app.terminal(&t, "Till 2").await;
    let spec = |staff, at_ms| SaleSpec {
        product: &tea,
        qty: 2,
        price: 250,
        staff,
        at_ms,
        on_account: None,
    };

    let mut j1 = Journal::new(&till1);
    let first = j1.sale_of(&spec("alice", SOLD_AT_MS));
    let second = j1.sale_of(&spec("bob", SOLD_AT_MS + HOUR));
    j1.refund(&first, &tea, 1, 250);
    j1.sync(&app, &device1).await;
    let mut j2 = Journal::new(&till2);
    let third = j2.sale_of(&spec("alice", SOLD_AT_MS + 2 * HOUR));
    j2.sync(&app, &device2).await;

    let (status, all) = orders(&app, &t, "").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let all = all.as_array().unwrap();
    let ids_all: Vec<&str> = all.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids_all,
        [third.as_str(), second.as_str(), first.as_str()],
        "newest first"
    );
    let refunded: Vec<i64> = all
        .iter()
        .map(|o| o["refunded_minor"].as_i64().unwrap())
        .collect();
    assert_eq!(
        refunded,
        [0, 0, 250],
        "the first sale had one tea of two refunded"
    );

    let half = instant(SOLD_AT_MS + HOUR / 2);
    let later = instant(SOLD_AT_MS + HOUR + HOUR / 2);
    assert_eq!(
        ids(&app, &t, &format!("&from={half}")).await,
        [third.as_str(), second.as_str()]
    );
    assert_eq!(
        ids(&app, &t, &format!("&from={half}&to={later}")).await,
        [second.as_str()],
        "from is inclusive, to exclusive"
    );
    assert_eq!(
        ids(&app, &t, &format!("&to={}", instant(SOLD_AT_MS + HOUR))).await,
        [first.as_str()],
        "an order made exactly at `to` is not in the window"
    );
    assert_eq!(
        ids(&app, &t, &format!("&terminal_id={till2}")).await,
        [third.as_str()]
    );
    assert_eq!(
        ids(&app, &t, "&staff_id=alice").await,
        [third.as_str(), first.as_str()]
    );
    assert_eq!(
        ids(&app, &t, "&receipt_no=1").await,
        [third.as_str(), first.as_str()],
        "receipt numbers are per till"
    );
    assert_eq!(
        ids(&app, &t, &format!("&receipt_no=1&terminal_id={till1}")).await,
        [first.as_str()]
    );

    for (bad, field) in [
        ("&from=yesterday".to_string(), "from"),
        (format!("&from={later}&to={half}"), "to"),
        ("&receipt_no=abc".to_string(), "receipt_no"),
    ] {
        let (status, body) = orders(&app, &t, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_error_shape(status, &body);
        assert!(
            body["message"].as_str().unwrap().contains(field),
            "{bad} names {field}: {body}"
        );
    }
}
