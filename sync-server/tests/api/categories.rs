//! Category counts are kept as products are written (issue 23): after creates, moves,
//! retirements, variants, a JSON import and a CSV import the list equals a full recount of
//! the products; a store without counts gets them at start-up, and a company whose mark
//! is missing is counted on its first read.

use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Tenant, TestApp, spawn_app, test_config};

async fn ecommerce(app: &TestApp) -> mongodb::Database {
    mongodb::Client::with_uri_str(sync_server::testing::mongo_uri())
        .await
        .unwrap()
        .database(&format!("{}ecommercedb", app.prefix))
}

/// What the endpoint answered before the counts were kept: a `$group` over the products.
async fn recount(app: &TestApp, company: &str) -> Value {
    let groups: Vec<Document> = ecommerce(app)
        .await
        .collection::<Document>("products")
        .aggregate(vec![
            doc! { "$match": { "company_id": company, "active": true, "category": { "$type": "string" } } },
            doc! { "$group": { "_id": "$category", "products": { "$sum": 1 } } },
            doc! { "$sort": { "_id": 1 } },
        ])
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    Value::Array(
        groups
            .iter()
            .map(|g| {
                let n = match g.get("products").unwrap() {
                    mongodb::bson::Bson::Int32(n) => i64::from(*n),
                    mongodb::bson::Bson::Int64(n) => *n,
                    other => panic!("count {other:?}"),
                };
                json!({ "name": g.get_str("_id").unwrap(), "products": n })
            })
            .collect(),
    )
}

async fn listed(app: &TestApp, t: &Tenant) -> Value {
    let (status, list) = app.get("/api/catalog/categories", &t.manager).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list
}

async fn create(app: &TestApp, t: &Tenant, sku: &str, category: Option<&str>) -> String {
    let (status, p) = app
        .post(
            "/api/catalog/products",
            Some(&t.manager),
            json!({ "sku": sku, "name": format!("Product {sku}"), "category": category,
                    "price_minor": 100, "tax_rate_bp": 700 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

async fn patch(app: &TestApp, t: &Tenant, id: &str, body: Value) {
    let (status, p) = app
        .call(
            Method::PATCH,
            &format!("/api/catalog/products/{id}"),
            Some(&t.manager),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
}

async fn delete(app: &TestApp, t: &Tenant, id: &str) {
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/catalog/products/{id}"),
            Some(&t.manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

async fn agrees(app: &TestApp, t: &Tenant, step: &str) -> Value {
    let list = listed(app, t).await;
    assert_eq!(list, recount(app, &t.company_id).await, "after {step}");
    list
}

#[tokio::test]
async fn category_counts_follow_every_product_write_and_match_a_recount() {
    let app = spawn_app().await;
    let t = app.tenant("Counted Co").await;
    assert_eq!(agrees(&app, &t, "nothing").await, json!([]));

    let milk = create(&app, &t, "MILK", Some("Dairy")).await;
    let cheese = create(&app, &t, "CHEESE", Some("Dairy")).await;
    let bread = create(&app, &t, "BREAD", Some("Bakery")).await;
    create(&app, &t, "BAG", None).await;
    assert_eq!(
        agrees(&app, &t, "creates").await,
        json!([{ "name": "Bakery", "products": 1 }, { "name": "Dairy", "products": 2 }])
    );

    // Moved, moved out of any category, a change that keeps the category, retired.
    patch(&app, &t, &cheese, json!({ "category": "Deli" })).await;
    patch(&app, &t, &bread, json!({ "category": "" })).await;
    patch(&app, &t, &milk, json!({ "price_minor": 139 })).await;
    patch(&app, &t, &milk, json!({ "price_minor": 139 })).await;
    agrees(&app, &t, "moves").await;
    delete(&app, &t, &cheese).await;
    delete(&app, &t, &cheese).await;
    assert_eq!(
        agrees(&app, &t, "a retirement, twice").await,
        json!([{ "name": "Dairy", "products": 1 }])
    );

    // Variants count on their own, follow their product's category, retire with it.
    let shirt = create(&app, &t, "SHIRT", Some("Clothes")).await;
    for (sku, name) in [("SHIRT-S", "S"), ("SHIRT-M", "M")] {
        let (status, v) = app
            .post(
                &format!("/api/catalog/products/{shirt}/variants"),
                Some(&t.manager),
                json!({ "sku": sku, "variant_name": name }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    assert_eq!(
        agrees(&app, &t, "variants").await,
        json!([{ "name": "Clothes", "products": 3 }, { "name": "Dairy", "products": 1 }])
    );
    patch(&app, &t, &shirt, json!({ "category": "Apparel" })).await;
    agrees(&app, &t, "a product with variants moved").await;
    delete(&app, &t, &shirt).await;
    agrees(&app, &t, "a product with variants retired").await;

    // A JSON import, and a CSV import that creates, moves and brings back a retired SKU.
    let rows: Vec<Value> = (0..30)
        .map(|i| {
            let category = ["Dairy", "Fruit", "Frozen"][i % 3];
            json!({ "sku": format!("IMP-{i:03}"), "name": format!("Imported {i}"),
                    "category": category, "price_minor": 100 + i,
                    "tax_rate_bp": 700 })
        })
        .collect();
    let (status, body) = app
        .post(
            "/api/catalog/products/import",
            Some(&t.manager),
            json!(rows),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    agrees(&app, &t, "a JSON import").await;
    let csv = "sku,name,price_minor,tax_rate_bp,category\n\
               IMP-000,Imported 0,100,700,Bakery\n\
               CHEESE,Cheese,450,700,Deli\n\
               NEW-1,New one,200,700,Fruit\n\
               BAG,Bag,10,1900,\n";
    let resp = app
        .http
        .post(format!("{}/api/catalog/products/import.csv", app.base))
        .bearer_auth(&t.manager)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let full = agrees(&app, &t, "a CSV import").await;
    assert_eq!(
        full,
        json!([
            { "name": "Bakery", "products": 1 },
            { "name": "Dairy", "products": 10 },
            { "name": "Deli", "products": 1 },
            { "name": "Frozen", "products": 10 },
            { "name": "Fruit", "products": 11 },
        ])
    );

    // Another company sees none of it and counts its own.
    let other = app.tenant("Other Counted Co").await;
    create(&app, &other, "MILK", Some("Dairy")).await;
    assert_eq!(
        agrees(&app, &other, "another company's create").await,
        json!([{ "name": "Dairy", "products": 1 }])
    );
    assert_eq!(listed(&app, &t).await, full);

    // A store from before the counts: start-up makes them from the products.
    let counts = ecommerce(&app)
        .await
        .collection::<Document>("category_counts");
    counts.drop().await.unwrap();
    let state = sync_server::build_state(test_config(&app.prefix))
        .await
        .unwrap();
    sync_server::services::catalog::prepare(&state)
        .await
        .unwrap();
    assert_eq!(counts.count_documents(doc! {}).await.unwrap(), 5 + 1 + 2);
    assert_eq!(listed(&app, &t).await, full, "start-up restores the counts");

    // A company whose mark is missing (products written by something that keeps no
    // counts) is counted whole by its first read, and the next write counts on from there.
    counts
        .delete_many(doc! { "company_id": &t.company_id })
        .await
        .unwrap();
    assert_eq!(agrees(&app, &t, "a lost mark").await, full);
    counts
        .delete_one(doc! { "_id": &t.company_id })
        .await
        .unwrap();
    create(&app, &t, "YOGHURT", Some("Dairy")).await;
    agrees(&app, &t, "a write without the mark").await;
}
