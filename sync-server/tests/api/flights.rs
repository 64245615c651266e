//! Shared page reads of live sockets: sockets woken by the same change share one read,
//! and a read that started before a wake-up is never handed to the socket it woke (that
//! socket would miss the change).

use std::{sync::Arc, time::Instant};

use pos_shared::sync::ChangeOp;
use sync_server::{
    realtime::flights::Flights,
    streams::{self, NewChange},
    testing::{fresh_prefix, mongo_uri},
};

async fn change(client: &mongodb::Client, db: &mongodb::Database, id: &str) {
    let mut s = client.start_session().await.unwrap();
    s.start_transaction().await.unwrap();
    let data = Some(serde_json::json!({ "id": id }));
    streams::append(
        db,
        &mut s,
        "catalog:flights",
        NewChange {
            entity: "product",
            id: id.into(),
            op: ChangeOp::Upsert,
            data,
        },
    )
    .await
    .unwrap();
    s.commit_transaction().await.unwrap();
}

#[tokio::test]
async fn sockets_share_a_read_only_if_it_started_after_their_wake_up() {
    let client = mongodb::Client::with_uri_str(mongo_uri()).await.unwrap();
    let db = client.database(&format!("{}flights", fresh_prefix('f')));
    streams::ensure_indexes(&db).await.unwrap();
    change(&client, &db, "p1").await;

    let flights = Flights::default();
    let woken = Instant::now();
    let first = flights
        .page(&db, "catalog:flights", 0, 100, woken)
        .await
        .unwrap();
    assert_eq!(first.0.len(), 1);
    change(&client, &db, "p2").await;
    // Another socket woken by the first change: the read already made serves it.
    let shared = flights
        .page(&db, "catalog:flights", 0, 100, woken)
        .await
        .unwrap();
    assert!(Arc::ptr_eq(&first, &shared), "one read for both sockets");
    // Woken by the second change: that read is too old, a new one sees the change.
    let later = flights
        .page(&db, "catalog:flights", 0, 100, Instant::now())
        .await
        .unwrap();
    let ids: Vec<&str> = later.0.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2"]);
    client.database(db.name()).drop().await.unwrap();
}
