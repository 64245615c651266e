//! What must hold after every healed episode: each sale on the server exactly once, dense
//! journals, stock equal to the sum of movements everywhere, verifiable chains (tills and
//! audit), a drained outbox, and no event consumed twice with effect.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use reqwest::Method;

use super::World;

/// Every broken invariant, as a sentence.
pub async fn check(w: &World) -> Vec<String> {
    let mut v = Vec::new();
    sales_once(w, &mut v).await;
    journals(w, &mut v).await;
    stock(w, &mut v).await;
    audit_chain(w, &mut v).await;
    outbox_drained(w, &mut v).await;
    analytics_counts_each_order_once(w, &mut v).await;
    v
}

async fn sales_once(w: &World, v: &mut Vec<String>) {
    let counts = w.cloud.order_counts().await;
    for id in &w.sold {
        match counts.get(id) {
            Some(1) => {}
            Some(n) => v.push(format!("sale {id} is on the server {n} times")),
            None => v.push(format!("sale {id} never reached the server")),
        }
    }
    if counts.len() > w.sold.len() {
        v.push(format!(
            "{} orders no till made",
            counts.len() - w.sold.len()
        ));
    }
}

async fn journals(w: &World, v: &mut Vec<String>) {
    for t in &w.tills {
        let seqs = w.cloud.sequences(&t.terminal.terminal_id).await;
        let dense = seqs.iter().zip(1..).all(|(s, n)| *s == n);
        if !dense {
            v.push(format!(
                "{}: the server's journal is not dense",
                t.terminal.terminal_id
            ));
        }
        match pos_core::sync::unacked_count(&t.db).await {
            Ok(0) => {}
            Ok(n) => v.push(format!(
                "{}: {n} facts still queued",
                t.terminal.terminal_id
            )),
            Err(e) => v.push(format!("{}: {e}", t.terminal.terminal_id)),
        }
        if let Err(e) = pos_core::journal::verify(&t.db).await {
            v.push(format!(
                "{}: journal does not verify: {e}",
                t.terminal.terminal_id
            ));
        }
    }
}

async fn stock(w: &World, v: &mut Vec<String>) {
    for p in &w.products {
        let (balance, sum) = w.cloud.ledger(&p.id).await;
        let expected = p.initial_milli - w.sold_milli.get(&p.id).copied().unwrap_or(0);
        if balance != sum || balance != expected {
            v.push(format!(
                "{}: server balance {balance}, movements {sum}, sold says {expected}",
                p.sku
            ));
        }
        for t in &w.tills {
            let shown = t.stock(p.sku).await;
            if shown != balance {
                v.push(format!(
                    "{}: {} shows {shown}, server {balance}",
                    p.sku, t.terminal.terminal_id
                ));
            }
        }
    }
}

async fn audit_chain(w: &World, v: &mut Vec<String>) {
    let (status, report) = w
        .cloud
        .call(
            Method::GET,
            "/api/audit/verify",
            &w.cloud.platform_admin,
            None,
        )
        .await;
    if !status.is_success() || !report["first_bad_seq"].is_null() {
        v.push(format!("audit chain: {status} {report}"));
    }
}

/// Unpublished outbox events in every database of this world; the relay gets a minute.
async fn outbox_drained(w: &World, v: &mut Vec<String>) {
    let client = mongodb::Client::with_uri_str(crate::mongo_uri())
        .await
        .expect("mongo");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut pending = 0;
        for name in client.list_database_names().await.expect("databases") {
            if name.starts_with(&w.cloud.prefix) {
                let outbox = client.database(&name).collection::<Document>("outbox");
                pending += outbox
                    .count_documents(doc! { "published": false })
                    .await
                    .unwrap_or(0);
            }
        }
        if pending == 0 {
            return;
        }
        if Instant::now() > deadline {
            v.push(format!(
                "{pending} outbox events unpublished a minute after healing"
            ));
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// How long the rollups may trail the orders once everything is healed. A server killed
/// while its analytics consumer was inside a transaction leaves that transaction, and its
/// locks on the hour's rollup, in the store until the store expires it (60 s, MongoDB's
/// `transactionLifetimeLimitSeconds` default; SecantusDB keeps the same); the restarted
/// consumer's write retries until then. A campaign saw one such episode catch up between
/// 60 s and the next episode, so a minute was too short to tell late from lost.
const ROLLUP_WINDOW: Duration = Duration::from_secs(150);

/// The analytics rollups count orders from `order.completed` events: more orders there
/// than on the server means an event was consumed twice with effect, fewer once
/// [`ROLLUP_WINDOW`] has passed means one was lost.
async fn analytics_counts_each_order_once(w: &World, v: &mut Vec<String>) {
    let orders = i64::try_from(w.cloud.order_counts().await.len()).unwrap();
    let hours = w
        .cloud
        .db("analyticsdb")
        .await
        .collection::<Document>("hours");
    let started = Instant::now();
    let deadline = started + ROLLUP_WINDOW;
    loop {
        let docs: Vec<Document> = hours
            .find(doc! { "company_id": &w.cloud.company_id })
            .await
            .expect("hours")
            .try_collect()
            .await
            .expect("hours");
        let counted: i64 = docs.iter().map(|d| d.get_i64("orders").unwrap_or(0)).sum();
        if counted > orders {
            v.push(format!(
                "analytics counts {counted} orders of {orders}: an event applied twice"
            ));
            return;
        }
        if counted == orders {
            let waited = started.elapsed();
            if waited > Duration::from_secs(30) {
                eprintln!(
                    "[faults] analytics caught up {} s after healing",
                    waited.as_secs()
                );
            }
            return;
        }
        if Instant::now() > deadline {
            v.push(format!(
                "analytics counts {counted} orders of {orders} {} s after healing",
                ROLLUP_WINDOW.as_secs()
            ));
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
