//! The `pos` binary: failures exit non-zero with a clear message, `--json` errors are
//! `{code, message}`, tampering is caught, newer schemas are refused.

use crate::harness::{CASHIER_PIN, MANAGER_PIN, cli_terminal, pos, pos_command, stderr, stdout};

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

#[test]
fn failures_exit_non_zero_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    let no_shift = pos(
        &db,
        &[
            "sell",
            "--pin",
            CASHIER_PIN,
            "--item",
            "P01",
            "--cash",
            "100",
        ],
    );
    assert!(!no_shift.status.success());
    assert!(
        stderr(&no_shift).contains("no shift is open"),
        "{}",
        stderr(&no_shift)
    );

    assert!(
        pos(
            &db,
            &["shift", "open", "--pin", CASHIER_PIN, "--float", "50"]
        )
        .status
        .success()
    );
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "sell",
                "--pin",
                CASHIER_PIN,
                "--item",
                "NOPE",
                "--cash",
                "1",
            ],
            "unknown_product",
        ),
        (
            &[
                "sell",
                "--pin",
                CASHIER_PIN,
                "--item",
                "P01",
                "--cash",
                "0.01",
            ],
            "insufficient_tender",
        ),
        (
            &["sell", "--pin", "0000", "--item", "P01", "--cash", "100"],
            "wrong_pin",
        ),
        (
            &["refund", "--pin", CASHIER_PIN, "--item", "P01"],
            "manager_approval_required",
        ),
    ];
    for (args, code) in cases {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let out = pos(&db, &with_json);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(
            !stderr(&out).trim().is_empty(),
            "{args:?} must explain itself on stderr"
        );
        let body = json(&out);
        assert_eq!(body["code"], code, "{args:?}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn sell_park_resume_refund_and_receipt_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    assert!(
        pos(
            &db,
            &["shift", "open", "--pin", CASHIER_PIN, "--float", "50"]
        )
        .status
        .success()
    );
    let out = pos(
        &db,
        &[
            "--json",
            "sell",
            "--pin",
            CASHIER_PIN,
            "--item",
            "P01x2",
            "--item",
            "P02",
            "--cash",
            "100",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sale = json(&out);
    let sale_id = sale["sale_id"].as_str().unwrap().to_owned();
    assert_eq!(
        sale["paid_minor"].as_i64().unwrap() - sale["change_minor"].as_i64().unwrap(),
        sale["total_minor"].as_i64().unwrap()
    );

    let receipt = pos(&db, &["receipt", &sale_id]);
    assert!(receipt.status.success());
    assert!(
        stdout(&receipt).contains("Product number 1"),
        "{}",
        stdout(&receipt)
    );
    assert!(
        stdout(&receipt).lines().all(|l| l.chars().count() <= 42),
        "receipt fits 42 columns"
    );

    // The receipt's QR code proves itself offline; a changed total or another
    // terminal's key does not pass.
    let doc = json(&pos(&db, &["--json", "receipt", &sale_id]));
    let code = doc["qr_payload"].as_str().unwrap().to_owned();
    let checked = pos(&db, &["--json", "receipt", "verify", &code]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    let checked = json(&checked);
    assert_eq!(checked["sale_id"], sale_id.as_str());
    assert_eq!(checked["total_minor"], sale["total_minor"]);
    let total = sale["total_minor"].as_i64().unwrap();
    let forged = code.replace(&format!(";{total};"), &format!(";{};", total - 100));
    assert_ne!(forged, code);
    let refused = pos(&db, &["receipt", "verify", &forged]);
    assert!(!refused.status.success(), "a forged total must not verify");
    assert!(
        stderr(&refused).contains("not genuine"),
        "{}",
        stderr(&refused)
    );
    let other_dir = tempfile::tempdir().unwrap();
    let other_db = cli_terminal(other_dir.path());
    let other_key = stdout(&pos(&other_db, &["receipt", "key"]))
        .trim()
        .to_owned();
    assert_eq!(other_key.len(), 64);
    let foreign = pos(
        &db,
        &["receipt", "verify", &code, "--public-key", &other_key],
    );
    assert!(
        !foreign.status.success(),
        "another terminal's key must not verify it"
    );

    let parked = json(&pos(
        &db,
        &["--json", "park", "--pin", CASHIER_PIN, "--item", "P05"],
    ));
    let parked_id = parked["parked_id"].as_str().unwrap();
    let script = dir.path().join("pay.json");
    std::fs::write(&script, r#"{"items": ["P06x2"], "card": ["1000.00:AUTH"]}"#).unwrap();
    let too_much = pos(
        &db,
        &[
            "resume",
            parked_id,
            "--pin",
            CASHIER_PIN,
            "--script",
            script.to_str().unwrap(),
        ],
    );
    assert!(!too_much.status.success(), "a card cannot overpay");
    // P05 is 2.35 plus 8.25 % tax on top: the cashier sees what the customer owes.
    let listed = stdout(&pos(&db, &["parked"]));
    assert!(listed.contains("1 line, 2.54 EUR"), "{listed}");
    let listed = json(&pos(&db, &["--json", "parked"]));
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "a failed resume leaves the cart parked"
    );
    std::fs::write(&script, r#"{"items": ["P06x2"], "cash": "1000"}"#).unwrap();
    let done = pos(
        &db,
        &[
            "resume",
            parked_id,
            "--pin",
            CASHIER_PIN,
            "--script",
            script.to_str().unwrap(),
        ],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(
        json(&pos(&db, &["--json", "parked"]))
            .as_array()
            .unwrap()
            .is_empty()
    );

    let refund = pos(
        &db,
        &[
            "--json",
            "refund",
            "--pin",
            CASHIER_PIN,
            "--manager-pin",
            MANAGER_PIN,
            "--sale",
            &sale_id,
            "--line",
            "1x1",
        ],
    );
    assert!(refund.status.success(), "{}", stderr(&refund));
    // The customer's slip: `pos receipt` prints a refund as well as a sale.
    let refund_id = json(&refund)["id"].as_str().unwrap().to_owned();
    let slip = pos(&db, &["receipt", &refund_id]);
    assert!(slip.status.success(), "{}", stderr(&slip));
    let slip = stdout(&slip);
    assert!(slip.contains("For receipt #1"), "{slip}");
    assert!(slip.contains("Product number 1"), "{slip}");
    // One of the two P01 at 0.87 goes back.
    assert!(
        slip.lines()
            .any(|l| l.starts_with("REFUND TOTAL") && l.ends_with("-0.87")),
        "{slip}"
    );
    assert!(slip.contains("Approved by: Bo"), "{slip}");
    assert!(slip.lines().all(|l| l.chars().count() <= 42), "{slip}");
    let unknown = pos(&db, &["receipt", "0190aaaa-0000-7000-8000-00000000dead"]);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("sale or refund"),
        "{}",
        stderr(&unknown)
    );
    let x = json(&pos(&db, &["--json", "shift", "x"]));
    assert_eq!(x["refunds_count"], 1);
    assert_eq!(x["sales_count"], 2);
    let rest = pos(
        &db,
        &[
            "--json",
            "refund",
            "--pin",
            MANAGER_PIN,
            "--sale",
            &sale_id,
            "--line",
            "1",
        ],
    );
    assert!(rest.status.success(), "{}", stderr(&rest));
    assert_eq!(
        json(&rest)["lines"][0]["qty_milli"],
        1000,
        "a bare line number refunds what is left of the line (2 sold, 1 refunded)"
    );
    let verify = pos(&db, &["journal", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    let status = json(&pos(&db, &["--json", "status"]));
    assert_eq!(
        status["receipts_to_print"], 4,
        "two receipts and two refund slips wait for the printer: {status}"
    );
}

#[test]
fn tampering_one_journal_row_is_detected_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    assert!(
        pos(
            &db,
            &["shift", "open", "--pin", CASHIER_PIN, "--float", "50"]
        )
        .status
        .success()
    );
    for _ in 0..3 {
        assert!(
            pos(
                &db,
                &[
                    "sell",
                    "--pin",
                    CASHIER_PIN,
                    "--item",
                    "P04",
                    "--cash",
                    "100"
                ]
            )
            .status
            .success()
        );
    }
    assert!(pos(&db, &["journal", "verify"]).status.success());
    // A tamperer with the file drops the guard trigger and edits a sale's total.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::query("DROP TRIGGER journal_no_update").execute(&pool).await.unwrap();
        sqlx::query("UPDATE journal SET payload = replace(payload, '\"total_minor\":', '\"total_minor\":1') WHERE seq = 3")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let out = pos(&db, &["journal", "verify"]);
    assert!(
        !out.status.success(),
        "verify must fail on a tampered journal"
    );
    assert!(
        stderr(&out).contains("seq 3"),
        "verify names the record: {}",
        stderr(&out)
    );
    let body = json(&pos(&db, &["--json", "journal", "verify"]));
    assert_eq!(body["code"], "journal_broken");
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query("PRAGMA user_version = 999")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let out = pos(&db, &["status"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("newer Kassa"), "{}", stderr(&out));
}

#[test]
fn a_wrong_db_path_is_named_and_no_file_is_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.db");
    let out = crate::harness::pos(&missing, &["status"]);
    assert!(!out.status.success());
    assert!(
        crate::harness::stderr(&out).contains("no terminal database at"),
        "{}",
        crate::harness::stderr(&out)
    );
    assert!(!missing.exists(), "status must not create a database");
}

#[test]
fn selling_without_a_shift_says_so_before_asking_for_a_tender() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::harness::cli_terminal(dir.path());
    let out = crate::harness::pos(
        &db,
        &[
            "sell",
            "--pin",
            crate::harness::CASHIER_PIN,
            "--item",
            "P01",
        ],
    );
    assert!(!out.status.success());
    let err = crate::harness::stderr(&out);
    assert!(
        err.contains("no shift is open") && err.contains("--pin PIN"),
        "{err}"
    );
}

/// The hour and minute a receipt printed with `TZ=tz` shows (the CLI reads the zone from
/// the `time_zone` setting, and without one from `TZ`), and the zone's abbreviation.
fn receipt_time(db: &std::path::Path, sale_id: &str, tz: &str) -> (u32, String) {
    let out = pos_command(db, &["receipt", sale_id])
        .env("TZ", tz)
        .output()
        .expect("run pos");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text.lines().find(|l| l.starts_with("Receipt #"));
    let words: Vec<&str> = line
        .expect("a receipt number line")
        .split_whitespace()
        .collect();
    let (hm, zone) = (words[words.len() - 2], words[words.len() - 1]);
    let minutes = |hm: &str| {
        let (h, m) = hm.split_once(':').expect("HH:MM");
        h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
    };
    (minutes(hm), zone.to_owned())
}

#[test]
fn the_cli_prints_receipt_times_in_the_shops_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    let open = pos(
        &db,
        &["shift", "open", "--pin", CASHIER_PIN, "--float", "50"],
    );
    assert!(open.status.success(), "{}", stderr(&open));
    let args = [
        "--json",
        "sell",
        "--pin",
        CASHIER_PIN,
        "--item",
        "P01",
        "--cash",
        "100",
    ];
    let sale = json(&pos(&db, &args));
    let id = sale["sale_id"].as_str().expect("a sale id").to_owned();
    let (utc, zone) = receipt_time(&db, &id, "Nowhere/Atlantis");
    assert_eq!(zone, "UTC", "an unknown zone falls back to UTC");
    let (berlin, zone) = receipt_time(&db, &id, "Europe/Berlin");
    assert!(zone == "CET" || zone == "CEST", "{zone}");
    let ahead = if zone == "CET" { 60 } else { 120 };
    assert_eq!(
        berlin,
        (utc + ahead) % (24 * 60),
        "Berlin's wall time is UTC plus {ahead} minutes"
    );
}
