//! What the `pos` binary tells a cashier who slips: the mistake is named with what to do
//! next, and nothing half done is left behind.

use crate::harness::{CASHIER_PIN, MANAGER_PIN, cli_terminal, pos, stderr, stdout};

fn fails_saying(out: &std::process::Output, want: &str) {
    assert!(!out.status.success(), "should fail: {}", stdout(out));
    assert!(stderr(out).contains(want), "want `{want}`: {}", stderr(out));
}

#[test]
fn slips_at_the_till_are_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli_terminal(dir.path());
    let open = pos(
        &db,
        &["shift", "open", "--pin", CASHIER_PIN, "--float", "50"],
    );
    assert!(open.status.success(), "{}", stderr(&open));
    let sell = |extra: &[&str]| {
        let mut args = vec!["sell", "--pin", CASHIER_PIN];
        args.extend_from_slice(extra);
        pos(&db, &args)
    };
    fails_saying(
        &sell(&["--item", "P01x1.5", "--cash", "5"]),
        "sold by the piece",
    );
    fails_saying(
        &sell(&["--item", "P01x1e2", "--cash", "5"]),
        "is not a quantity",
    );
    fails_saying(
        &sell(&["--item", "P01", "--discount", "-10%", "--cash", "5"]),
        "is negative",
    );
    fails_saying(
        &sell(&["--item", "P01", "--discount", "25%", "--cash", "5"]),
        // 25 % of 0.87 rounds to 0.22: 25.28 % of the price.
        "a discount of 25.28 %, above the 20.00 % a cashier may give, needs a manager",
    );
    fails_saying(
        &sell(&["--item", "NOPE", "--cash", "5"]),
        "no product matches `NOPE`",
    );
    fails_saying(
        &pos(
            &db,
            &["park", "--pin", CASHIER_PIN, "--item", "P01", "--cash", "5"],
        ),
        "keeps its items, not a payment",
    );
    let parked = stdout(&pos(&db, &["parked"]));
    assert_eq!(
        parked.trim(),
        "no parked carts",
        "the refused park kept nothing"
    );

    // A lower-case SKU is found; selling past the counted stock warns but sells.
    let sold = sell(&["--item", "p01x1001", "--cash", "1000"]);
    assert!(sold.status.success(), "{}", stderr(&sold));
    let text = stdout(&sold);
    assert!(
        text.contains("stock warning: Product number 1 (P01) is now at -1 on hand"),
        "{text}"
    );

    // Receipt #1 is found by its number; a reprint says it is a copy.
    let copy = pos(&db, &["receipt", "#1"]);
    assert!(copy.status.success(), "{}", stderr(&copy));
    let copy = stdout(&copy);
    assert_eq!(
        copy.lines().next().unwrap().trim(),
        "*** COPY ***",
        "{copy}"
    );
    assert!(copy.contains("Receipt #1"), "{copy}");
    fails_saying(&pos(&db, &["receipt", "7"]), "receipt `#7` not found");

    fails_saying(
        &pos(&db, &["shift", "z", "--pin", CASHIER_PIN]),
        "count the cash in the drawer",
    );
    let z = pos(
        &db,
        &[
            "shift",
            "z",
            "--pin",
            CASHIER_PIN,
            "--counted",
            "cash=0",
            "--manager-pin",
            MANAGER_PIN,
        ],
    );
    assert!(z.status.success(), "{}", stderr(&z));
    let z = stdout(&z);
    assert!(
        z.contains("variance approved by Bo"),
        "the name, not an id: {z}"
    );
    assert!(z.contains("by Ana"), "who closed it: {z}");
}

#[test]
fn a_refused_init_leaves_no_database_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        "sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive\nA,Apple,4006381333932,100,700,true\n",
    )
    .unwrap();
    let args = ["init", "--currency", "EUR", "--shop", "S", "--catalog-csv"];
    let mut bad = args.to_vec();
    bad.push(csv.to_str().unwrap());
    fails_saying(&pos(&db, &bad), "could never be scanned");
    assert!(!db.exists(), "no half-made terminal to trip the next try");
    std::fs::write(
        &csv,
        "sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive\nA,Apple,4006381333931,100,700,true\n",
    )
    .unwrap();
    let ok = pos(&db, &bad);
    assert!(ok.status.success(), "the corrected file: {}", stderr(&ok));
}
