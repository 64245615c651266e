//! Sync without a server: enrollment refusals, an unreachable server reported as offline
//! (not as a refusal) and remembered for `pos status`, and the status itself.

use super::test_support::terminal;
use super::{Mode, enroll, settings, status, sync_once};
use crate::error::CoreError;
use crate::journal::{self, FactKind};
use crate::store::{LocalDb, set_setting};

/// A local address nothing listens on: connecting is refused at once.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

async fn append_fact(db: &LocalDb) {
    let mut tx = db.begin().await.unwrap();
    journal::append(&mut tx, db.now_ms(), FactKind::CashMovement, &1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn enrolling_an_initialised_database_is_refused_before_any_network_call() {
    let (_d, db) = terminal().await;
    let err = enroll(&db, "http://unused.invalid", "CODE", "Till")
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::StandaloneTerminal), "{err}");
    set_setting(db.pool(), settings::SERVER_URL, "https://kassa.example")
        .await
        .unwrap();
    let err = enroll(&db, "http://unused.invalid", "CODE", "Till")
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::AlreadyEnrolled { .. }), "{err}");
    assert!(err.to_string().contains("https://kassa.example"), "{err}");
}

#[tokio::test]
async fn enroll_checks_the_address_and_reports_an_unreachable_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = LocalDb::open(&dir.path().join("fresh.db")).await.unwrap();
    let err = enroll(&db, "kassa.example", "CODE", "Till")
        .await
        .unwrap_err();
    assert!(
        matches!(err, CoreError::Invalid(_)) && err.to_string().contains("http"),
        "{err}"
    );
    let err = enroll(&db, &closed_port_url(), "CODE", "Till")
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::Unreachable { .. }), "{err}");
    assert!(err.is_offline());
    assert_eq!(
        status(&db).await.unwrap().mode,
        Mode::Standalone,
        "nothing stored"
    );
}

#[tokio::test]
async fn a_standalone_terminal_does_not_sync() {
    let (_d, db) = terminal().await;
    let err = sync_once(&db).await.unwrap_err();
    assert!(matches!(err, CoreError::NotEnrolled), "{err}");
    let s = status(&db).await.unwrap();
    assert_eq!((s.mode, s.last_error), (Mode::Standalone, None));
}

#[tokio::test]
async fn an_unreachable_server_is_offline_with_the_queue_and_is_remembered() {
    let (_d, db) = terminal().await;
    for (k, v) in [
        (settings::SERVER_URL, closed_port_url()),
        (
            settings::DEVICE_TERMINAL_ID,
            super::test_support::TERMINAL.to_owned(),
        ),
        (settings::DEVICE_SECRET, "s3cret".to_owned()),
    ] {
        set_setting(db.pool(), k, &v).await.unwrap();
    }
    append_fact(&db).await;
    append_fact(&db).await;
    let err = sync_once(&db).await.unwrap_err();
    assert!(
        matches!(err, CoreError::Offline { waiting: 2, .. }),
        "offline, not a refusal: {err}"
    );
    assert!(err.is_offline());
    let s = status(&db).await.unwrap();
    assert_eq!((s.mode, s.queued), (Mode::Enrolled, 2));
    assert_eq!(s.cursors.get("catalog"), Some(&0));
    assert!(s.last_sync_ms.is_none());
    assert!(
        s.last_error
            .unwrap_or_default()
            .contains("server unreachable")
    );
    assert!(s.last_error_ms.is_some());
}

#[tokio::test]
async fn an_enrolled_terminal_takes_its_catalog_from_the_server_only() {
    let (_d, db) = terminal().await;
    set_setting(db.pool(), settings::SERVER_URL, "https://kassa.example")
        .await
        .unwrap();
    let csv = "sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive,category,stock\nA,Apple,,100,700,true,,\n";
    let err = crate::catalog_csv::import(&db, csv.as_bytes())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("comes from the server"), "{err}");
}

#[tokio::test]
async fn an_interrupted_enrollment_says_how_to_finish() {
    let dir = tempfile::tempdir().unwrap();
    let db = LocalDb::open(&dir.path().join("half.db")).await.unwrap();
    for (k, v) in [
        (settings::SERVER_URL, "http://127.0.0.1:9"),
        (settings::DEVICE_TERMINAL_ID, "t-9"),
        (settings::DEVICE_SECRET, "s"),
    ] {
        set_setting(db.pool(), k, v).await.unwrap();
    }
    assert_eq!(status(&db).await.unwrap().mode, Mode::Enrolling);
    let err = sync_once(&db).await.unwrap_err();
    assert!(
        matches!(err, CoreError::EnrollmentUnfinished { .. }),
        "{err}"
    );
    let err = enroll(&db, "http://other.example", "CODE", "Till")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("http://127.0.0.1:9"),
        "names the server to finish with: {err}"
    );
}
