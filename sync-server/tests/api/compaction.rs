//! Change-log compaction as terminals see it: only each entity's newest change is left,
//! pages step over the holes several ranges at a time, and a reader at any cursor still
//! ends with every entity's newest state.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::spawn_app;

#[tokio::test]
async fn a_compacted_catalog_is_read_as_each_products_newest_change() {
    let app = spawn_app().await;
    let t = app.tenant("Compact Co").await;
    let (_, till) = app.terminal(&t, "Till").await;
    let a = app.product(&t, "A", 100, "4006381333931").await;
    let b = app.product(&t, "B", 100, "5901234123457").await;
    let c = app.product(&t, "C", 100, "4012345678901").await;
    let patch = |id: String, price: i64| {
        let app = &app;
        let token = t.manager.clone();
        async move {
            let path = format!("/api/catalog/products/{id}");
            let (status, body) = app
                .call(
                    Method::PATCH,
                    &path,
                    Some(&token),
                    Some(json!({ "price_minor": price })),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    for price in 101..=112 {
        patch(a.clone(), price).await;
    }
    patch(b.clone(), 200).await;
    patch(c.clone(), 300).await;

    let client = mongodb::Client::with_uri_str(sync_server::testing::mongo_uri())
        .await
        .unwrap();
    let catalog = client.database(&format!("{}ecommercedb", app.prefix));
    let first = sync_server::compaction::compact(&catalog).await.unwrap();
    assert_eq!(
        first, 0,
        "a round deletes only what the previous round's head covers"
    );
    let deleted = sync_server::compaction::compact(&catalog).await.unwrap();
    assert_eq!(
        deleted, 14,
        "A's creation and 11 older prices, B's and C's creations"
    );

    // Pages of 2 from the start: the holes are stepped over, not served one range a page.
    let read_all = |after: i64| {
        let (app, till) = (&app, till.clone());
        async move {
            let mut after = after;
            let mut seen: Vec<(String, i64)> = Vec::new();
            let mut pages = 0;
            loop {
                let path = format!("/api/sync/streams/catalog?after={after}&limit=2");
                let (status, page): (StatusCode, Value) =
                    app.sync_call(Method::GET, &path, &till, None).await;
                assert_eq!(status, StatusCode::OK, "{page}");
                pages += 1;
                for ch in page["changes"].as_array().unwrap() {
                    let price = ch["data"]["price_minor"].as_i64().unwrap();
                    seen.push((ch["id"].as_str().unwrap().to_owned(), price));
                }
                let next = page["next_after"].as_i64().unwrap();
                assert!(next > after, "every page moves on: {page}");
                after = next;
                if after == page["head"].as_i64().unwrap() {
                    return (seen, pages);
                }
            }
        }
    };
    let (seen, pages) = read_all(0).await;
    assert_eq!(
        seen,
        vec![(a.clone(), 112), (b.clone(), 200), (c.clone(), 300)],
        "each product once, at its newest price"
    );
    assert!(pages <= 2, "17 cursors, 3 changes, limit 2: {pages} pages");
    let (seen, _) = read_all(14).await;
    assert_eq!(seen.len(), 3, "a reader in the middle still gets all three");
}
