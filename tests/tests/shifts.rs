//! Shifts and Z reports reach the server: a manager sees each till's cash-up (its totals,
//! what was counted and the variance) without going to the till, and a new shift as open.

use std::collections::BTreeMap;

use kassa_tests::cloud::Cloud;
use kassa_tests::till::Till;
use kassa_tests::{config, fresh_prefix, start};
use pos_core::shifts;
use reqwest::{Method, StatusCode};

const MILK: &str = "4006381333931";

#[tokio::test]
async fn a_closed_shift_and_its_z_report_are_on_the_server() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    cloud.product("MILK", 129, MILK, 100).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till").await;
    for _ in 0..3 {
        till.sell(MILK, 1).await;
    }
    // The cashier counts 2 cents less than expected (within the approval threshold).
    let x = shifts::report(
        &till.db,
        &shifts::current(&till.db).await.unwrap().unwrap().id,
    )
    .await
    .unwrap();
    let cash = x.expected["cash"];
    let counted = BTreeMap::from([("cash".to_owned(), cash - 2)]);
    let z = shifts::close(&till.db, &till.terminal, &till.cashier, counted, None)
        .await
        .expect("Z report");
    shifts::open(&till.db, &till.cashier, 5000)
        .await
        .expect("next shift");
    till.sync().await.expect("sync");
    till.wait_projected().await;

    let path = format!("/api/sales/shifts?shop_id={}", cloud.shop_id);
    let (status, list) = cloud.call(Method::GET, &path, &cloud.manager, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "the closed shift and the open one: {list:?}");
    let open = &list[0];
    assert_eq!(
        (
            open["status"].as_str(),
            open["opening_float_minor"].as_i64()
        ),
        (Some("open"), Some(5000))
    );
    let closed = &list[1];
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["z_number"].as_i64(), Some(z.z_number));
    assert_eq!(closed["z_report"]["report"]["sales_count"], 3);
    assert_eq!(closed["z_report"]["report"]["sales_total_minor"], 387);
    assert_eq!(
        closed["z_report"]["variance"]["cash"], -2,
        "what the manager must look at"
    );

    let id = closed["_id"].as_str().unwrap();
    let (status, one) = cloud
        .call(
            Method::GET,
            &format!("/api/sales/shifts/{id}"),
            &cloud.manager,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["z_report"]["counted"]["cash"], cash - 2);
    let (status, _) = cloud
        .call(
            Method::GET,
            "/api/sales/shifts/no-such-shift",
            &cloud.manager,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
