//! A terminal that has been selling upgrades in place: migration 12 rebuilds the
//! tenders, stock movements and journal tables without their id indexes, migration 13
//! keeps tenders by sale, and every sale, report, stock level and the journal's chain
//! come through unchanged.

use pos_core::checkout::{Cart, Tender};
use pos_core::{LocalDb, journal, refunds, sales, shifts, stock, till};

use crate::harness::TestTerminal;

/// The three tables as migrations 1-11 left them (ids under unique indexes).
const SCHEMA_11: &str = "
CREATE TABLE tenders_old (
    id TEXT PRIMARY KEY NOT NULL, sale_id TEXT NOT NULL REFERENCES sales(id),
    kind TEXT NOT NULL, amount_minor INTEGER NOT NULL, reference TEXT,
    customer_id TEXT REFERENCES customers(id));
INSERT INTO tenders_old (id, sale_id, kind, amount_minor, reference, customer_id)
    SELECT id, sale_id, kind, amount_minor, reference, customer_id FROM tenders
    ORDER BY sale_id, n;
DROP TABLE tenders;
ALTER TABLE tenders_old RENAME TO tenders;
CREATE INDEX tenders_sale ON tenders(sale_id);
CREATE TRIGGER no_delete_tenders BEFORE DELETE ON tenders
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TABLE stock_movements_old (
    id TEXT PRIMARY KEY NOT NULL, product_id TEXT NOT NULL REFERENCES products(id),
    delta_milli INTEGER NOT NULL, reason TEXT NOT NULL, ref_id TEXT,
    in_server INTEGER NOT NULL DEFAULT 0, created_at_ms INTEGER NOT NULL,
    journal_seq INTEGER);
INSERT INTO stock_movements_old SELECT * FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_old RENAME TO stock_movements;
CREATE INDEX stock_movements_product ON stock_movements(product_id, in_server);
CREATE INDEX stock_movements_pending ON stock_movements(in_server, journal_seq);
CREATE TRIGGER no_delete_stock_movements BEFORE DELETE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TABLE journal_old (
    seq INTEGER PRIMARY KEY NOT NULL, id TEXT NOT NULL UNIQUE, terminal_id TEXT NOT NULL,
    epoch INTEGER NOT NULL, hlc_ms INTEGER NOT NULL, catalog_cursor INTEGER NOT NULL,
    kind TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
    acked INTEGER NOT NULL DEFAULT 0);
INSERT INTO journal_old SELECT * FROM journal;
DROP TABLE journal;
ALTER TABLE journal_old RENAME TO journal;
CREATE TRIGGER journal_no_update BEFORE UPDATE OF seq, id, terminal_id, epoch, hlc_ms,
    catalog_cursor, kind, payload, prev_hash, hash ON journal
BEGIN SELECT RAISE(ABORT, 'journal records are immutable'); END;
CREATE TRIGGER no_delete_journal BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
DROP TABLE live_cart;
DROP TABLE receipt_emails;
DELETE FROM _sqlx_migrations WHERE version >= 12;
PRAGMA user_version = 11;
";

/// What a manager or an auditor reads off the terminal.
async fn snapshot(db: &LocalDb, shift_id: &str, sold: &[String]) -> String {
    let report = shifts::report(db, shift_id).await.unwrap();
    let levels = stock::levels(db, None).await.unwrap();
    let mut tenders = Vec::new();
    for id in sold {
        tenders.push(sales::load(db, id).await.unwrap().tenders);
    }
    let rows = |sql: &'static str| async move {
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(db.pool()).await.unwrap();
        rows
    };
    let tender_rows = rows(
        "SELECT concat_ws('|', id, sale_id, kind, amount_minor, reference, customer_id)
         FROM tenders ORDER BY id",
    )
    .await;
    let movement_rows = rows(
        "SELECT concat_ws('|', rowid, id, product_id, delta_milli, reason, ref_id, in_server,
                created_at_ms, journal_seq)
         FROM stock_movements ORDER BY rowid",
    )
    .await;
    let journal_rows = rows(
        "SELECT concat_ws('|', seq, id, terminal_id, epoch, hlc_ms, catalog_cursor, kind,
                payload, prev_hash, hash, acked)
         FROM journal ORDER BY seq",
    )
    .await;
    let records: i64 = sqlx::query_scalar("SELECT count(*) FROM journal")
        .fetch_one(db.pool())
        .await
        .unwrap();
    format!(
        "{report:?}\n{levels:?}\n{tenders:?}\n{tender_rows:?}\n{movement_rows:?}\n\
         {journal_rows:?}\n{records}"
    )
}

async fn autoindexes(db: &LocalDb) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index'
         AND tbl_name IN ('tenders', 'stock_movements', 'journal') ORDER BY name",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_selling_terminal_upgrades_with_its_sales_stock_and_journal_intact() {
    let t = TestTerminal::new().await;
    let shift = shifts::open(&t.db, &t.cashier, 5_000).await.unwrap();
    let mut sold = Vec::new();
    for (i, skus) in [["P01", "P02"], ["P03", "P01"], ["P04", "P05"]]
        .iter()
        .enumerate()
    {
        let mut cart = Cart::default();
        for sku in skus {
            till::add_code(&t.db, &t.terminal, &mut cart, sku, 1_000)
                .await
                .unwrap();
        }
        // Taken in an order no column sorts them by: the upgrade must keep it.
        cart.tenders = vec![
            Tender::Card {
                amount_minor: 50,
                reference: format!("Z{i}"),
            },
            Tender::Card {
                amount_minor: 30,
                reference: format!("A{i}"),
            },
            Tender::Cash {
                amount_minor: 10_000,
            },
        ];
        sold.push(
            sales::complete(&t.db, &t.terminal, &t.cashier, &cart, None)
                .await
                .unwrap(),
        );
    }
    refunds::with_receipt(
        &t.db,
        &t.terminal,
        &t.manager,
        &sold[1].id,
        &[(1, 1_000)],
        "cash",
        "dented",
        None,
    )
    .await
    .unwrap();

    // Some of it already synced: the flags must come through as they are.
    sqlx::raw_sql(
        "UPDATE journal SET acked = 1 WHERE seq <= 3;
         UPDATE stock_movements SET in_server = 1 WHERE journal_seq <= 3;",
    )
    .execute(t.db.pool())
    .await
    .unwrap();
    let ids: Vec<String> = sold.iter().map(|s| s.id.clone()).collect();
    let before = snapshot(&t.db, &shift.id, &ids).await;
    sqlx::raw_sql(SCHEMA_11).execute(t.db.pool()).await.unwrap();
    assert!(
        autoindexes(&t.db)
            .await
            .iter()
            .any(|n| n.starts_with("sqlite_autoindex_journal")),
        "the test's old schema has the journal id index"
    );
    let path = t._dir.path().join("terminal.db");
    t.db.close().await;

    let db = LocalDb::open(&path)
        .await
        .expect("migration 12 upgrades in place");
    assert_eq!(snapshot(&db, &shift.id, &ids).await, before);
    assert_eq!(
        autoindexes(&db).await,
        ["stock_movements_pending", "stock_movements_product"],
        "no index on ids; tenders are a tree keyed by sale, with no index beside it"
    );
    journal::verify(&db)
        .await
        .expect("the chain and the rows still agree");
    for table in ["tenders", "stock_movements", "journal"] {
        let deleted = sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(db.pool())
            .await;
        assert!(deleted.is_err(), "{table} rows are still never deleted");
    }
    let edited = sqlx::query("UPDATE journal SET payload = '{}'")
        .execute(db.pool())
        .await;
    assert!(edited.is_err(), "journal records are still immutable");

    let mut cart = Cart::default();
    till::add_code(&db, &t.terminal, &mut cart, "P06", 1_000)
        .await
        .unwrap();
    cart.tenders = vec![Tender::Cash {
        amount_minor: 10_000,
    }];
    let after = sales::complete(&db, &t.terminal, &t.cashier, &cart, None)
        .await
        .unwrap();
    assert_eq!(after.receipt_no, sold[2].receipt_no + 1);
    journal::verify(&db).await.unwrap();
}
