//! The catalog as CSV: export, change a price in the file, import it back; only what
//! changed is written and reaches the tills, the same file twice changes nothing, and a
//! bad file is refused as a whole with the line that is wrong.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::harness::{TestApp, assert_error_shape, spawn_app};

async fn import(app: &TestApp, token: &str, content_type: &str, csv: &str) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(format!("{}/api/catalog/products/import.csv", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(csv.to_owned())
        .send()
        .await
        .expect("server reachable");
    let status = resp.status();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn export(app: &TestApp, token: &str) -> String {
    let resp = app
        .http
        .get(format!("{}/api/catalog/products/export.csv", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("server reachable");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    resp.text().await.unwrap()
}

async fn catalog_head(app: &TestApp, device: &str) -> i64 {
    let (status, page) = app
        .sync_call(
            Method::GET,
            "/api/sync/streams/catalog?after=0&limit=1",
            device,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["head"].as_i64().unwrap()
}

#[tokio::test]
async fn a_catalog_round_trips_through_a_spreadsheet() {
    let app = spawn_app().await;
    let t = app.tenant("Sheet Co").await;
    let (_, till) = app.terminal(&t, "Till").await;
    let file = "\u{feff}sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive,category\n\
                MILK,Whole milk,4006381333931,129,700,true,Dairy\n\
                BREAD,\"Bread, rye\",,349,700,,Bakery\n\
                \n\
                APPLE,Apples per kg,5901234123457|8712345678906,299,700,yes,Fruit\n";
    let (status, summary) = import(&app, &t.manager, "text/csv", file).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["created"], 3, "{summary}");
    assert_eq!(catalog_head(&app, &till).await, 3);

    let (_, found) = app.get("/api/catalog/products?q=Bread", &t.manager).await;
    assert_eq!(found[0]["name"], "Bread, rye", "quoted comma kept: {found}");
    assert_eq!(found[0]["tax_inclusive"], true, "empty means the default");

    let exported = export(&app, &t.manager).await;
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(
        lines[0],
        "sku,name,barcodes,price_minor,tax_rate_bp,tax_inclusive,category,is_weighed"
    );
    assert_eq!(lines.len(), 4, "{exported}");
    assert!(
        lines[1].starts_with("APPLE,Apples per kg,5901234123457|8712345678906,299,"),
        "{exported}"
    );

    // Same file back: nothing changes, nothing reaches the tills.
    let (status, summary) = import(&app, &t.manager, "text/csv; charset=utf-8", &exported).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["unchanged"], 3, "{summary}");
    assert_eq!(catalog_head(&app, &till).await, 3);

    // One price edited in the spreadsheet: one product changes, on the stream once.
    let edited = exported.replace(
        "MILK,Whole milk,4006381333931,129,",
        "MILK,Whole milk,4006381333931,139,",
    );
    let (status, summary) = import(&app, &t.manager, "text/csv", &edited).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(
        (
            summary["created"].clone(),
            summary["updated"].clone(),
            summary["unchanged"].clone()
        ),
        (0.into(), 1.into(), 2.into())
    );
    assert_eq!(catalog_head(&app, &till).await, 4);
    let (_, milk) = app.get("/api/catalog/products?q=MILK", &t.manager).await;
    assert_eq!(milk[0]["price_minor"], 139);

    // The categories the file brought, for managers to pick from.
    let (status, categories) = app.get("/api/catalog/categories", &t.manager).await;
    assert_eq!(status, StatusCode::OK, "{categories}");
    assert_eq!(
        categories,
        serde_json::json!([
            { "name": "Bakery", "products": 1 },
            { "name": "Dairy", "products": 1 },
            { "name": "Fruit", "products": 1 },
        ])
    );

    // Another company's export holds none of it.
    let other = app.tenant("Other Sheet Co").await;
    assert_eq!(export(&app, &other.manager).await.lines().count(), 1);
    let (_, theirs) = app.get("/api/catalog/categories", &other.manager).await;
    assert_eq!(theirs, serde_json::json!([]));
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_with_its_line() {
    let app = spawn_app().await;
    let t = app.tenant("Bad Sheet Co").await;
    let header = "sku,name,barcodes,price_minor,tax_rate_bp\n";
    for (file, says, why) in [
        (
            format!("{header}MILK,Milk,,129,700\nBREAD,Bread,,12.50,700\n"),
            "line 3",
            "a price that is not minor units",
        ),
        (
            format!("{header}MILK,Milk,,129,700\nMILK,Milk again,,129,700\n"),
            "appears twice",
            "a SKU twice",
        ),
        (
            "sku,name,price_minor,tax_rate_bp,stock\nMILK,Milk,129,700,5\n".to_owned(),
            "stock is counted per shop",
            "stock is not a catalog column",
        ),
        (
            "sku,name,price_minor\nMILK,Milk,129\n".to_owned(),
            "tax_rate_bp",
            "a required column is missing",
        ),
        (format!("{header}MILK,Milk,,129\n"), "line 2", "a short row"),
        (header.to_owned(), "no products", "an empty file"),
    ] {
        let (status, body) = import(&app, &t.manager, "text/csv", &file).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
        assert_error_shape(status, &body);
        assert!(
            body["message"].as_str().unwrap().contains(says),
            "{why}: {body}"
        );
    }
    let (status, body) = import(&app, &t.manager, "application/json", "[]").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let (_, listed) = app.get("/api/catalog/products", &t.manager).await;
    assert_eq!(
        listed,
        serde_json::json!([]),
        "nothing of a bad file was written"
    );
}
