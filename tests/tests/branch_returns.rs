//! Returns at another branch: a customer brings a receipt from one shop of the company to
//! a till in another shop. The till checks the receipt offline, the server links the
//! refund to the sale, and the goods go back into the stock of the shop that took them.

use kassa_tests::cloud::Cloud;
use kassa_tests::till::Till;
use kassa_tests::{config, fresh_prefix, start};

const MILK: &str = "4006381333931";

async fn receipt_code(till: &Till, sale: &pos_core::sales::Sale) -> String {
    let key = pos_core::seal::signing_key(&till.db).await.unwrap();
    pos_core::receipt::build(sale, &till.terminal, &key).qr_payload
}

#[tokio::test]
async fn a_receipt_from_one_shop_is_refunded_at_another_shop_of_the_company() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 10).await;
    let a = Till::enroll(&server.base, &cloud.enrollment_code().await, "Central A").await;
    // North opens after A was enrolled: its tills must learn A's key all the same.
    let north = cloud.open_shop("North", "leo@sync.test", "5678").await;
    let c = Till::enroll(
        &server.base,
        &cloud.enrollment_code_at(&north).await,
        "North C",
    )
    .await;
    // D joins Central after North opened: its key must reach North's tills too.
    let d = Till::enroll(&server.base, &cloud.enrollment_code().await, "Central D").await;
    c.sync().await.expect("c syncs");

    // Central sells; neither till syncs before the customers walk into North.
    let from_a = a.sell(MILK, 2).await;
    let from_d = d.sell(MILK, 1).await;
    // A receipt from a till enrolled before North opened, then one enrolled after.
    let mut refunds = Vec::new();
    for (till, sale) in [(&a, &from_a), (&d, &from_d)] {
        let refund = pos_core::sealed_refunds::with_sealed_receipt(
            &c.db,
            &c.terminal,
            &c.cashier,
            &receipt_code(till, sale).await,
            &[(MILK.to_owned(), 1000)],
            "cash",
            "sour",
            Some("5678"),
        )
        .await
        .unwrap_or_else(|e| {
            panic!(
                "North's till checks the receipt of {}: {e}",
                till.terminal.terminal_id
            )
        });
        refunds.push(refund);
    }

    for till in [&c, &a, &d] {
        till.sync().await.expect("syncs");
        till.wait_projected().await;
    }
    for (sale, refund) in [&from_a, &from_d].into_iter().zip(&refunds) {
        let order = cloud.order(&sale.id).await;
        let linked = order["refunds"].as_array().unwrap();
        assert_eq!(linked.len(), 1, "{order}");
        assert_eq!(linked[0]["_id"], refund.id.as_str());
        assert_eq!(linked[0]["linked"], true, "{order}");
        assert_eq!(linked[0]["shop_id"], north.as_str(), "{order}");
    }

    // Central sold three; North took two back into its own stock.
    assert_eq!(cloud.balance_at(&cloud.shop_id, &milk).await, 7000);
    assert_eq!(cloud.balance_at(&north, &milk).await, 2000);
    c.sync().await.expect("c syncs");
    assert_eq!(
        c.stock("MILK").await,
        2000,
        "North's till shows what it took back"
    );
    a.sync().await.expect("a syncs");
    assert_eq!(
        a.stock("MILK").await,
        7000,
        "Central's till shows Central's stock"
    );
}
