//! Every operation of the served OpenAPI document that names an object (in its path, its
//! query or its body) is called with another tenant's ids, with each role's token: no
//! answer may succeed or carry the other tenant's data. The same for a shop manager against
//! another shop of the same company. New routes join the sweep by themselves; one whose ids
//! the sweep cannot name fails it until `kind_of` (or `BODIES`) learns them.

mod world;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use world::{Kind, ShopWorld};

use crate::harness::TestApp;

/// An operation of the document, with the ids it takes.
struct Operation {
    method: Method,
    path: String,
    /// Path and query parameters that name objects, in order.
    params: Vec<(String, bool, Option<Kind>)>,
    /// Required query parameters that are not ids, with a valid value.
    fixed_query: Vec<(String, String)>,
    body: Option<Value>,
    /// What each id the request carries names: the parameters', then the body's.
    slots: Vec<Kind>,
}

/// Request bodies for operations that take one, with `$kind` where an id goes. Values
/// are valid, so a refusal comes from the tenancy check, not from validation.
const BODIES: &[(&str, &str)] = &[
    ("PATCH /api/companies/{id}", r#"{"name":"Pwned"}"#),
    (
        "PUT /api/companies/{id}/settings",
        r#"{"currency":"USD","locale":"en","timezone":"UTC","tax_rates":[],"receipt_header":"","receipt_footer":"pwned"}"#,
    ),
    ("PUT /api/companies/{id}/plan", r#"{"name":"enterprise"}"#),
    ("PATCH /api/shops/{id}", r#"{"name":"Pwned"}"#),
    (
        "PUT /api/shops/{id}/hours",
        r#"{"opening_hours":[{"day":0,"opens":"01:00","closes":"02:00"}]}"#,
    ),
    (
        "POST /api/shops/{id}/locations",
        r#"{"name":"Mole","kind":"store"}"#,
    ),
    (
        "POST /api/shops/{id}/staff",
        r#"{"name":"Mole","role":"cashier","pin":"8642"}"#,
    ),
    ("PUT /api/shops/{id}/staff/{user}/pin", r#"{"pin":"9753"}"#),
    (
        "PATCH /api/catalog/products/{id}",
        r#"{"name":"Pwned","price_minor":1}"#,
    ),
    (
        "POST /api/catalog/products/{id}/variants",
        r#"{"variant_name":"Mole","sku":"MOLE-$unique"}"#,
    ),
    (
        "PUT /api/catalog/promotions/{id}",
        r#"{"name":"Pwned","terms":{"type":"multi_buy","product_id":"$product","buy":2,"pay":1}}"#,
    ),
    (
        "POST /api/catalog/promotions",
        r#"{"name":"Mole","shop_ids":["$shop"],"terms":{"type":"multi_buy","product_id":"$product","buy":2,"pay":1}}"#,
    ),
    (
        "PATCH /api/customers/{id}",
        r#"{"name":"Pwned","credit_limit_minor":999999}"#,
    ),
    (
        "POST /api/customers/{id}/payments",
        r#"{"amount_minor":100,"shop_id":"$shop","idempotency_key":"k-$unique"}"#,
    ),
    (
        "POST /api/inventory/adjustments",
        r#"{"shop_id":"$shop","product_id":"$product","delta_milli":1000,"reason":"mole","idempotency_key":"k-$unique"}"#,
    ),
    (
        "PUT /api/inventory/reorder-levels",
        r#"{"shop_id":"$shop","product_id":"$product","level_milli":1}"#,
    ),
    (
        "POST /api/inventory/exceptions/{id}/resolve",
        r#"{"note":"Pwned"}"#,
    ),
    (
        "PUT /api/shops/{shop}/prices/{product}",
        r#"{"price_minor":1}"#,
    ),
    (
        "POST /api/payments/intents",
        r#"{"order_id":"order-$unique","shop_id":"$shop","amount_minor":100,"provider":"paypal"}"#,
    ),
    ("POST /api/payments/{id}/confirm", r#"{}"#),
    ("POST /api/payments/{id}/capture", r#"{}"#),
    ("POST /api/payments/{id}/refunds", r#"{"amount_minor":1}"#),
    (
        "POST /api/orders",
        r#"{"shop_id":"$shop","lines":[{"product_id":"$product","quantity":1}],"delivery_address":{"name":"Mole","line1":"1 Mole Lane","postal_code":"1","city":"Mole","country":"DE"}}"#,
    ),
    (
        "POST /api/receipts/{sale_id}/email",
        r#"{"request_id":"r-$unique","email":"mole@example.org"}"#,
    ),
];

/// What `name` in `path` names; `None` for parameters that are not ids (a stream's name).
fn kind_of(path: &str, name: &str) -> Option<Kind> {
    let kind = match name {
        "shop" | "shop_id" => Kind::Shop,
        "product" | "product_id" => Kind::Product,
        "user" | "staff_id" => Kind::User,
        "terminal" | "terminal_id" => Kind::Terminal,
        "sale_id" => Kind::Order,
        "stream" => return None,
        "id" => match path.split('/').nth(2) {
            Some("companies") => Kind::Company,
            Some("shops") => Kind::Shop,
            Some("customers") => Kind::Customer,
            Some("payments") => Kind::Payment,
            Some("orders") => Kind::WebOrder,
            _ if path.starts_with("/api/catalog/products/") => Kind::Product,
            _ if path.starts_with("/api/catalog/promotions/") => Kind::Promotion,
            _ if path.starts_with("/api/inventory/exceptions/") => Kind::Exception,
            _ if path.starts_with("/api/sales/orders/") => Kind::Order,
            _ if path.starts_with("/api/sales/shifts/") => Kind::Shift,
            _ => panic!("tenancy sweep: teach kind_of what `{{id}}` in {path} names"),
        },
        other if other.ends_with("_id") => {
            panic!("tenancy sweep: teach kind_of what `{other}` of {path} names")
        }
        _ => return None,
    };
    Some(kind)
}

/// A valid value for a required query parameter that is not an id.
fn fixed_value(path: &str, name: &str) -> String {
    match name {
        "from" => "2020-01-01".into(),
        "to" => "2020-01-31".into(),
        "table" => "days".into(),
        _ => panic!("tenancy sweep: give a value for the required `{name}` of {path}"),
    }
}

/// The operations that take at least one id, read from the served document.
fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let label = format!("{method} {path}");
            let mut params = Vec::new();
            let mut fixed_query = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let (name, place) = (p["name"].as_str().unwrap(), p["in"].as_str().unwrap());
                let required = p["required"].as_bool().unwrap_or(false);
                match (place, kind_of(path, name)) {
                    ("path", kind) => params.push((name.to_string(), true, kind)),
                    ("query", Some(kind)) => params.push((name.to_string(), false, Some(kind))),
                    ("query", None) if required => {
                        fixed_query.push((name.to_string(), fixed_value(path, name)));
                    }
                    _ => {}
                }
            }
            let template = BODIES.iter().find(|(l, _)| *l == label).map(|(_, b)| *b);
            let takes_body = op.get("requestBody").is_some();
            let mut slots: Vec<Kind> = params.iter().filter_map(|(_, _, k)| *k).collect();
            let body = match (takes_body, template) {
                (true, Some(t)) => {
                    for kind in [Kind::Shop, Kind::Product] {
                        let mark = format!("${}", placeholder(kind));
                        if t.contains(&mark) {
                            slots.push(kind);
                        }
                    }
                    Some(serde_json::from_str(t).expect("BODIES entries are JSON"))
                }
                (true, None) if !slots.is_empty() => {
                    panic!("tenancy sweep: add a valid body for {label} to BODIES")
                }
                _ => None,
            };
            if params.iter().any(|(_, _, k)| k.is_none()) || slots.is_empty() {
                continue; // names no object (or only a stream): nothing to aim elsewhere
            }
            out.push(Operation {
                method,
                path: path.clone(),
                params,
                fixed_query,
                body,
                slots,
            });
        }
    }
    out
}

fn placeholder(kind: Kind) -> &'static str {
    match kind {
        Kind::Shop => "shop",
        Kind::Product => "product",
        _ => unreachable!("bodies name shops and products only"),
    }
}

/// The request `op` makes, each id taken from `foreign` where `foreign_slot` says so and
/// from `own` elsewhere.
fn request(
    op: &Operation,
    own: &ShopWorld,
    foreign: &ShopWorld,
    foreign_slot: impl Fn(usize) -> bool,
) -> (String, Option<Value>) {
    let id = |i: usize, kind: Kind| {
        let world = if foreign_slot(i) { foreign } else { own };
        world.ids[&kind].clone()
    };
    let mut path = op.path.clone();
    let mut query: Vec<String> = op
        .fixed_query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for (i, (name, in_path, kind)) in op.params.iter().enumerate() {
        let value = id(i, kind.unwrap());
        if *in_path {
            path = path.replace(&format!("{{{name}}}"), &value);
        } else {
            query.push(format!("{name}={value}"));
        }
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let body = op.body.as_ref().map(|b| {
        let mut text = b
            .to_string()
            .replace("$unique", &uuid::Uuid::now_v7().simple().to_string());
        for (i, kind) in op.slots.iter().enumerate().skip(op.params.len()) {
            text = text.replace(&format!("${}", placeholder(*kind)), &id(i, *kind));
        }
        serde_json::from_str(&text).unwrap()
    });
    (path, body)
}

/// Calls every operation aimed at `foreign`'s objects with each of `roles`, and returns
/// what went wrong: an answer that succeeded, or one carrying a foreign secret. `aimed`
/// picks the slots the sweep points elsewhere (all of a company's; a shop's own ones).
async fn sweep(
    app: &TestApp,
    doc: &Value,
    roles: &[(&'static str, String)],
    own: &ShopWorld,
    foreign: &ShopWorld,
    aimed: impl Fn(Kind) -> bool,
) -> (usize, Vec<String>) {
    let mut calls = 0;
    let mut wrong = Vec::new();
    for op in operations(doc) {
        let targets: Vec<usize> = (0..op.slots.len())
            .filter(|&i| aimed(op.slots[i]))
            .collect();
        if targets.is_empty() {
            continue;
        }
        // Every aimed id foreign at once, then each alone beside the caller's own ids.
        let mut variants: Vec<Vec<usize>> = vec![targets.clone()];
        if op.slots.len() > 1 {
            variants.extend(targets.iter().map(|&i| vec![i]));
        }
        for foreign_slots in variants {
            let all = foreign_slots.len() == targets.len();
            let (path, body) = request(&op, own, foreign, |i| foreign_slots.contains(&i));
            for (role, token) in roles {
                calls += 1;
                let mut req = app
                    .http
                    .request(op.method.clone(), format!("{}{path}", app.base))
                    .bearer_auth(token)
                    .header(
                        "x-kassa-protocol",
                        pos_shared::sync::PROTOCOL_VERSION.to_string(),
                    )
                    // Payment writes need a key before they look at ids; others ignore it.
                    .header("Idempotency-Key", format!("sweep-{}", uuid::Uuid::now_v7()));
                if let Some(b) = &body {
                    req = req.json(b);
                }
                let resp = req.send().await.expect("server reachable");
                let status = resp.status();
                let text = resp.text().await.unwrap_or_default();
                let what = format!("{role}: {} {path} -> {status}", op.method);
                // A mixed request (own shop, foreign product) may read nothing and say so;
                // it may never change anything, and nothing may carry the other's data.
                let must_fail = all || op.method != Method::GET;
                if status.is_success() && must_fail {
                    wrong.push(format!("{what} succeeded: {}", cut(&text)));
                }
                if let Some(secret) = foreign.secrets.iter().find(|s| text.contains(s.as_str())) {
                    wrong.push(format!("{what} carries `{secret}`: {}", cut(&text)));
                }
            }
        }
    }
    (calls, wrong)
}

fn cut(text: &str) -> String {
    text.chars().take(300).collect()
}

async fn document(app: &TestApp) -> Value {
    let (status, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    doc
}

/// The other tenant's objects are as they were: no refused write half-landed.
async fn unchanged(app: &TestApp, token: &str, w: &ShopWorld) {
    let shop = &w.ids[&Kind::Shop];
    for (path, field) in [
        (format!("/api/companies/{}", w.ids[&Kind::Company]), "name"),
        (format!("/api/shops/{shop}"), "name"),
        (
            format!("/api/catalog/products/{}", w.ids[&Kind::Product]),
            "name",
        ),
        (
            format!("/api/catalog/promotions/{}", w.ids[&Kind::Promotion]),
            "name",
        ),
        (format!("/api/customers/{}", w.ids[&Kind::Customer]), "name"),
    ] {
        let (status, v) = app.get(&path, token).await;
        assert_eq!(status, StatusCode::OK, "{path} still there: {v}");
        assert_ne!(
            v[field], "Pwned",
            "{path} was changed by another tenant: {v}"
        );
    }
    let (_, list) = app
        .get(
            &format!("/api/inventory/exceptions?shop_id={shop}&status=open"),
            token,
        )
        .await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "the exception is still open: {list}"
    );
    let (_, staff) = app.get(&format!("/api/shops/{shop}/staff"), token).await;
    let user = &w.ids[&Kind::User];
    assert!(
        staff
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["user_id"] == *user && s["active"] == true),
        "the cashier is still on the staff: {staff}"
    );
}

#[tokio::test]
async fn no_route_reaches_another_company_or_another_shop() {
    // Payments are opened at the PayPal fake: the sweep needs no other peer.
    let paypal = crate::payment::paypal_fake::PayPalFake::start().await;
    let app = crate::payment::payment_app(None, Some(&paypal)).await;
    let tag = &uuid::Uuid::now_v7().simple().to_string()[24..];
    let (a_name, b_name, a2_name) = (
        format!("Alpha{tag}"),
        format!("Beta{tag}"),
        format!("Annex{tag}"),
    );
    let a = app.tenant(&a_name).await;
    let b = app.tenant(&b_name).await;
    let a_world = world::seed_shop(&app, &a, &a.shop_id, &a.manager, &a_name, None).await;
    let b_world = world::seed_shop(&app, &b, &b.shop_id, &b.manager, &b_name, None).await;
    let (a2, a2_manager) = world::second_shop(&app, &a, &a2_name).await;
    let product = a_world.ids[&Kind::Product].clone();
    let a2_world = world::seed_shop(&app, &a, &a2, &a2_manager, &a2_name, Some(&product)).await;
    let caller = world::callers(&app, &a, a_world).await;
    let doc = document(&app).await;

    let (company_calls, mut wrong) =
        sweep(&app, &doc, &caller.roles, &caller.shop, &b_world, |_| true).await;
    // Company admins see every shop of their company; the shop roles only their own.
    let shop_roles: Vec<_> = caller
        .roles
        .iter()
        // A storefront customer orders from any shop of its company: not a shop role.
        .filter(|(r, _)| *r != "company admin" && *r != world::STOREFRONT_CUSTOMER)
        .cloned()
        .collect();
    let (shop_calls, shop_wrong) = sweep(
        &app,
        &doc,
        &shop_roles,
        &caller.shop,
        &a2_world,
        Kind::shop_scoped,
    )
    .await;
    wrong.extend(shop_wrong);
    assert!(
        company_calls > 300 && shop_calls > 100,
        "the sweep ran ({company_calls}, {shop_calls} calls)"
    );
    assert!(
        wrong.is_empty(),
        "{} of {} calls reached another tenant:\n{}",
        wrong.len(),
        company_calls + shop_calls,
        wrong.join("\n")
    );

    unchanged(&app, &b.admin, &b_world).await;
    unchanged(&app, &a.admin, &a2_world).await;
}
