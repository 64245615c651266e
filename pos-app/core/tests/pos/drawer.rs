//! Shift, drawer, customers, stock and journal export through the `pos` binary.

use crate::harness::{CASHIER_PIN, MANAGER_PIN, cli_terminal, ok, pos, stderr, stdout};

#[test]
fn a_shift_from_open_to_z_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    ok(
        &db,
        &["shift", "open", "--pin", CASHIER_PIN, "--float", "100"],
    );
    ok(
        &db,
        &[
            "sell",
            "--pin",
            CASHIER_PIN,
            "--item",
            "P01x2",
            "--cash",
            "50",
        ],
    );
    ok(
        &db,
        &[
            "sell",
            "--pin",
            CASHIER_PIN,
            "--item",
            "P03",
            "--card",
            "1.61:AUTH7",
        ],
    );
    ok(
        &db,
        &[
            "shift",
            "cash-in",
            "--pin",
            CASHIER_PIN,
            "--amount",
            "20",
            "--reason",
            "coins",
        ],
    );
    ok(
        &db,
        &[
            "shift",
            "cash-out",
            "--pin",
            CASHIER_PIN,
            "--amount",
            "5.50",
            "--reason",
            "window cleaner",
        ],
    );
    ok(&db, &["shift", "no-sale", "--pin", CASHIER_PIN]);
    let customer = ok(
        &db,
        &[
            "customers",
            "add",
            "--pin",
            CASHIER_PIN,
            "--name",
            "Dora",
            "--credit-limit",
            "30",
        ],
    );
    let listed = ok(&db, &["customers", "list"]);
    assert_eq!(listed[0]["id"], customer["id"]);
    let adjusted = ok(
        &db,
        &[
            "stock",
            "P05",
            "--adjust",
            "-2",
            "--reason",
            "broken",
            "--pin",
            CASHIER_PIN,
        ],
    );
    assert_eq!(
        adjusted[0]["on_hand_milli"], 998_000,
        "opening 1000 minus 2 broken"
    );

    let x = ok(&db, &["shift", "x"]);
    assert_eq!(x["sales_count"], 2);
    assert_eq!(x["no_sale_count"], 1);
    assert_eq!(x["tenders"]["card"], 161);
    let cash = x["expected"]["cash"].as_i64().unwrap();
    assert_eq!(
        cash,
        10_000 + x["tenders"]["cash"].as_i64().unwrap() + 2_000 - 550
    );

    let short = pos(
        &db,
        &["shift", "z", "--pin", CASHIER_PIN, "--counted", "cash=1.00"],
    );
    assert!(!short.status.success(), "a large shortfall needs a manager");
    let counted = format!("cash={}.{:02}", cash / 100, cash % 100);
    let z = ok(
        &db,
        &["shift", "z", "--pin", CASHIER_PIN, "--counted", &counted],
    );
    assert_eq!(z["z_number"], 1);
    assert_eq!(z["variance"]["cash"], 0);
    assert_eq!(
        ok(&db, &["shift", "show-z", "1"]),
        z,
        "the Z is stored as closed"
    );
    let again = pos(
        &db,
        &["shift", "z", "--pin", MANAGER_PIN, "--counted", "cash=0"],
    );
    assert!(
        stderr(&again).contains("no shift is open"),
        "{}",
        stderr(&again)
    );

    let export = pos(&db, &["journal", "export"]);
    let kinds: Vec<String> = stdout(&export)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "shift_opened",
            "sale_completed",
            "sale_completed",
            "cash_movement",
            "cash_movement",
            "cash_movement",
            "customer_created",
            "stock_adjusted",
            "shift_closed"
        ],
        "every fact is journaled once, in order"
    );
    let status = ok(&db, &["status"]);
    assert_eq!(status["journal_ok"], true);
    assert_eq!(status["journal_records"], 9);
    assert!(status["open_shift"].is_null());
}
