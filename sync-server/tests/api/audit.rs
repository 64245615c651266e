//! The audit chain: complete, verifiable, and tamper-evident; poison messages dead-lettered.

use std::time::Duration;

use lapin::{
    BasicProperties, Connection, ConnectionProperties,
    options::{BasicGetOptions, BasicPublishOptions},
};
use mongodb::bson::doc;
use reqwest::StatusCode;

use crate::harness::{amqp_uri, mongo_uri, spawn_app};

async fn wait_for_records(app: &crate::harness::TestApp, at_least: u64) -> serde_json::Value {
    // A bound on the wait, not a speed target: a loaded CI machine can be slow to relay.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (status, report) = app.get("/api/audit/verify", &app.admin).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        if report["records"].as_u64().unwrap_or(0) >= at_least {
            return report;
        }
        assert!(tokio::time::Instant::now() < deadline, "audit has {report}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_audit_chain_verifies_and_detects_tampering() {
    let app = spawn_app().await;
    let t = app.tenant("Audited").await;
    // company.created, user.registered (admin), shop.created, user.registered + staff_added (manager)
    let report = wait_for_records(&app, 5).await;
    assert!(
        report["first_bad_seq"].is_null(),
        "an untouched chain verifies: {report}"
    );

    let client = mongodb::Client::with_uri_str(mongo_uri()).await.unwrap();
    let records = client
        .database(&format!("{}auditdb", app.prefix))
        .collection::<mongodb::bson::Document>("records");
    records
        .update_one(
            doc! { "seq": 2_i64 },
            doc! { "$set": { "payload": "{\"forged\":true}" } },
        )
        .await
        .unwrap();
    let (_, report) = app.get("/api/audit/verify", &app.admin).await;
    assert_eq!(
        report["first_bad_seq"], 2,
        "the edited record is named: {report}"
    );

    let (status, _) = app.get("/api/audit/verify", &t.admin).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only platform admins verify the whole chain"
    );
}

#[tokio::test]
async fn a_poison_message_goes_to_the_dead_letter_queue() {
    let app = spawn_app().await;
    let conn = Connection::connect(&amqp_uri(), ConnectionProperties::default())
        .await
        .unwrap();
    let inbox = format!("{}audit.events", app.prefix);
    let dead = format!("{}dead_letters", app.prefix);
    // A bound on the wait, not a speed target: a loaded CI machine can be slow to relay.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    // A failed passive declare closes the channel, so each probe gets a fresh one.
    let ch = loop {
        let ch = conn.create_channel().await.unwrap();
        let passive = lapin::options::QueueDeclareOptions {
            passive: true,
            ..Default::default()
        };
        if ch
            .queue_declare(inbox.clone().into(), passive, Default::default())
            .await
            .is_ok()
        {
            break ch;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the audit consumer never declared its inbox"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    publish_poison_and_expect_dead_letter(&ch, &inbox, &dead).await;
}

async fn publish_poison_and_expect_dead_letter(ch: &lapin::Channel, inbox: &str, dead: &str) {
    ch.basic_publish(
        "".into(),
        inbox.into(),
        BasicPublishOptions::default(),
        b"{not json",
        BasicProperties::default(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    // A bound on the wait, not a speed target: a loaded CI machine can be slow to relay.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(msg) = ch
            .basic_get(dead.into(), BasicGetOptions { no_ack: true })
            .await
            .unwrap()
        {
            assert_eq!(
                msg.delivery.data, b"{not json",
                "the poison message is kept for inspection"
            );
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "poison message never dead-lettered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
