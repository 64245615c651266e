//! Refunds at one till of a sale made at another, from the sealed receipt alone.

use pos_shared::sync::{Change, ChangeOp, ChangesPage, ShopTerminal, Stream};

use crate::checkout::{Cart, Tender};
use crate::error::CoreError;
use crate::sealed_refunds::with_sealed_receipt;
use crate::store::LocalDb;
use crate::till::{add_code, tests::setup};
use crate::{receipt, sales, seal};

/// Gives `db` the `config` stream page announcing terminal `id` with `key`.
async fn learn_terminal(db: &LocalDb, id: &str, key: Option<String>) {
    let seen = ShopTerminal {
        terminal_id: id.into(),
        name: "Till A".into(),
        receipt_public_key: key,
        active: true,
    };
    learn(db, seen).await;
}

/// Gives `db` the `config` stream page carrying `seen`.
async fn learn(db: &LocalDb, seen: ShopTerminal) {
    let id = seen.terminal_id.clone();
    let after = crate::sync::pull::cursor(db, Stream::Config).await.unwrap();
    let page = ChangesPage {
        stream: Stream::Config,
        after,
        changes: vec![Change {
            cursor: after + 1,
            entity: "terminal".into(),
            id,
            op: ChangeOp::Upsert,
            data: Some(serde_json::to_value(seen).unwrap()),
        }],
        next_after: after + 1,
        head: after + 1,
        included_through: None,
    };
    crate::sync::pull::apply_page(db, &page, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn another_tills_receipt_is_refunded_offline_within_what_it_says_was_paid() {
    // Till A sells two milks; its customer brings them to till B.
    let (_a_dir, a, a_term, a_staff) = setup().await;
    let mut cart = Cart::default();
    add_code(&a, &a_term, &mut cart, "MILK", 2000)
        .await
        .unwrap();
    cart.tenders = vec![Tender::Cash { amount_minor: 500 }];
    crate::shifts::open(&a, &a_staff, 0).await.unwrap();
    let sale = sales::complete(&a, &a_term, &a_staff, &cart, None)
        .await
        .unwrap();
    let key = seal::signing_key(&a).await.unwrap();
    let qr = receipt::build(&sale, &a_term, &key).qr_payload;

    let (_b_dir, b, b_term, b_staff) = setup().await;
    crate::shifts::open(&b, &b_staff, 10_000).await.unwrap();
    let milk = || vec![("MILK".to_owned(), 1000)];
    let refund = |payload: String, items: Vec<(String, i64)>| {
        let (b, b_term, b_staff) = (&b, &b_term, &b_staff);
        async move {
            with_sealed_receipt(b, b_term, b_staff, &payload, &items, "cash", "broken", None).await
        }
    };

    let err = refund(qr.clone(), milk()).await.unwrap_err();
    assert!(
        matches!(err, CoreError::UnknownReceiptTerminal(ref t) if *t == a_term.terminal_id),
        "B has not heard of A yet: {err}"
    );
    learn_terminal(&b, &a_term.terminal_id, None).await;
    assert!(
        matches!(
            refund(qr.clone(), milk()).await,
            Err(CoreError::UnknownReceiptTerminal(_))
        ),
        "A is known but has not registered its key yet"
    );
    learn_terminal(
        &b,
        &a_term.terminal_id,
        Some(seal::public_key_hex(&a).await.unwrap()),
    )
    .await;

    let forged = qr.replace(&format!(";{};", sale.total_minor), ";99999;");
    assert_ne!(forged, qr);
    let err = refund(forged, milk()).await.unwrap_err();
    assert!(err.to_string().contains("not genuine"), "{err}");

    let first = refund(qr.clone(), milk()).await.unwrap();
    assert_eq!(
        first.sale_id.as_deref(),
        Some(sale.id.as_str()),
        "linked by the receipt"
    );
    assert_eq!(first.total_minor, 129, "priced at the catalog price");
    assert!(
        first.lines.iter().all(|l| l.sale_line_id.is_none()),
        "B has no sale lines: the server matches them by product"
    );

    // Two more milks would refund 387 of a 258 receipt.
    let err = refund(qr.clone(), vec![("MILK".to_owned(), 2000)])
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::RefundAboveReceipt { .. }), "{err}");
    let second = refund(qr.clone(), milk()).await.unwrap();
    assert_eq!(second.total_minor, 129);
    assert!(
        matches!(
            refund(qr.clone(), milk()).await,
            Err(CoreError::RefundAboveReceipt { .. })
        ),
        "the receipt is used up at this till"
    );

    // Once A is revoked, its receipts are no longer taken on trust.
    let revoked = ShopTerminal {
        terminal_id: a_term.terminal_id.clone(),
        name: "Till A".into(),
        receipt_public_key: Some(seal::public_key_hex(&a).await.unwrap()),
        active: false,
    };
    learn(&b, revoked).await;
    let err = refund(qr.clone(), milk()).await.unwrap_err();
    assert!(err.to_string().contains("revoked"), "{err}");

    // A's own receipt at A goes through the sale itself, with its lines.
    let err = with_sealed_receipt(&a, &a_term, &a_staff, &qr, &milk(), "cash", "x", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("from this till"), "{err}");
    crate::journal::verify(&b)
        .await
        .expect("B's journal verifies");
    let refunds = crate::journal::read_from(&b, 1)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "refund_issued")
        .count();
    assert_eq!(refunds, 2, "only the two accepted refunds were journaled");
}
