//! Sync end to end: real terminals (pos-core on SQLite) and a real server (MongoDB,
//! RabbitMQ). After every scenario each sale exists once on the server, the terminal's
//! sequences are dense, and stock on the server and on every terminal equals the initial
//! stock plus the sum of the movements.

use kassa_tests::cloud::Cloud;
use kassa_tests::till::Till;
use kassa_tests::{config, fresh_prefix, start, start_at};

const MILK: &str = "4006381333931";
const BREAD: &str = "5901234123457";

/// The invariants every scenario ends with.
async fn assert_converged(
    cloud: &Cloud,
    tills: &[&Till],
    sold: &[&str],
    products: &[(&str, &str)],
) {
    // Every terminal's journal built on the server, then every terminal pulls: only then
    // does each hold balances that include everyone's sales.
    for t in tills {
        t.wait_projected().await;
    }
    for t in tills {
        t.sync().await.expect("sync after projection");
    }
    let counts = cloud.order_counts().await;
    for id in sold {
        assert_eq!(
            counts.get(*id),
            Some(&1),
            "sale {id} is on the server exactly once"
        );
    }
    assert_eq!(
        counts.len(),
        sold.len(),
        "no sale the terminals did not make"
    );
    for t in tills {
        let seqs = cloud.sequences(&t.terminal.terminal_id).await;
        let dense: Vec<i64> = (1..=i64::try_from(seqs.len()).unwrap()).collect();
        assert_eq!(
            seqs, dense,
            "the server holds a dense journal of each terminal"
        );
        assert_eq!(
            pos_core::sync::unacked_count(&t.db).await.unwrap(),
            0,
            "nothing left to push"
        );
    }
    for (id, sku) in products {
        let (balance, sum) = cloud.ledger(id).await;
        assert_eq!(
            balance, sum,
            "{sku}: the server balance is the sum of its movements"
        );
        for t in tills {
            assert_eq!(
                t.stock(sku).await,
                balance,
                "{sku}: terminal shows the server's stock"
            );
        }
    }
}

#[tokio::test]
async fn sales_made_while_the_server_is_down_arrive_exactly_once() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let addr = server.addr;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 1000).await;
    let bread = cloud.product("BREAD", 249, BREAD, 1000).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 1").await;
    assert_eq!(
        till.stock("MILK").await,
        1_000_000,
        "opening stock arrived on enrollment"
    );

    server.shut_down().await;
    let mut sold = Vec::new();
    for i in 0..500 {
        let sale = till.sell(if i % 3 == 0 { BREAD } else { MILK }, 1).await;
        sold.push(sale.id);
    }
    let offline = till.sync().await.expect_err("the server is down");
    assert!(
        offline.is_offline(),
        "reported as offline, not as a failure: {offline}"
    );
    assert_eq!(
        till.stock("MILK").await,
        1_000_000 - 333_000,
        "offline stock counts its own sales"
    );

    let waiting = pos_core::sync::unacked_count(&till.db).await.unwrap();
    assert!(
        waiting > 500,
        "500 sales and the shift opening wait: {waiting}"
    );
    let _server = start_at(config(&prefix), addr).await;
    let report = till.sync().await.expect("sync after the outage");
    assert_eq!(report.push.pushed, waiting, "everything waiting went up");
    let ids: Vec<&str> = sold.iter().map(String::as_str).collect();
    assert_converged(
        &cloud,
        &[&till],
        &ids,
        &[(&milk, "MILK"), (&bread, "BREAD")],
    )
    .await;
    assert_eq!(cloud.ledger(&milk).await.0, 1_000_000 - 333_000);

    // Replaying old batches (a terminal restored from a backup, a retried request)
    // changes nothing.
    let mut old = pos_core::journal::read_from(&till.db, 1).await.unwrap();
    old.truncate(200);
    match pos_core::sync::send_batch(&till.db, old).await.unwrap() {
        pos_shared::sync::PushResponse::Ack {
            duplicates,
            applied,
            ..
        } => {
            assert_eq!((duplicates, applied), (200, 0));
        }
        other => panic!("a replay is acked as duplicates: {other:?}"),
    }
    assert_converged(
        &cloud,
        &[&till],
        &ids,
        &[(&milk, "MILK"), (&bread, "BREAD")],
    )
    .await;
}

#[tokio::test]
async fn two_offline_terminals_selling_the_last_unit_both_stand() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 1).await;
    let a = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till A").await;
    let b = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till B").await;
    // Neither terminal syncs in between: both believe one unit is left.
    let sale_a = a.sell(MILK, 1).await;
    let sale_b = b.sell(MILK, 1).await;
    a.sync().await.expect("a syncs");
    b.sync().await.expect("b syncs");
    a.wait_projected().await;
    b.wait_projected().await;
    assert_eq!(
        cloud.ledger(&milk).await.0,
        -1000,
        "both sales stand: stock is -1"
    );
    let oversold: Vec<_> = cloud.exceptions_of("oversold").await;
    assert_eq!(oversold.len(), 1, "one oversold exception: {oversold:?}");
    assert_converged(
        &cloud,
        &[&a, &b],
        &[&sale_a.id, &sale_b.id],
        &[(&milk, "MILK")],
    )
    .await;
}

#[tokio::test]
async fn a_refund_at_one_till_of_another_tills_unsynced_sale_links_when_it_arrives() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 10).await;
    let bread = cloud.product("BREAD", 250, BREAD, 10).await;
    let a = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till A").await;
    let b = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till B").await;
    // Mia was added as manager in the portal: the staff stream brought her to the tills.
    let mia = pos_core::staff::login(&b.db, "4321")
        .await
        .expect("the portal manager's PIN works at till B");
    assert_eq!(mia.role, pos_shared::role::Role::ShopManager);

    // Till A sells two milks and a bread and does not sync.
    let mut cart = pos_core::checkout::Cart::default();
    for (code, qty) in [(MILK, 2000), (BREAD, 1000)] {
        pos_core::till::add_code(&a.db, &a.terminal, &mut cart, code, qty)
            .await
            .unwrap();
    }
    cart.tenders = vec![pos_core::checkout::Tender::Cash { amount_minor: 1000 }];
    let sale = pos_core::sales::complete(&a.db, &a.terminal, &a.cashier, &cart, None)
        .await
        .unwrap();
    let key = pos_core::seal::signing_key(&a.db).await.unwrap();
    let qr = pos_core::receipt::build(&sale, &a.terminal, &key).qr_payload;

    // The customer brings one milk back to till B, receipt in hand; the cashier needs
    // Mia's approval for a refund.
    let at_b = pos_core::sealed_refunds::with_sealed_receipt(
        &b.db,
        &b.terminal,
        &b.cashier,
        &qr,
        &[(MILK.to_owned(), 1000)],
        "cash",
        "sour",
        Some("4321"),
    )
    .await
    .expect("B checks A's receipt with A's key from the config stream");
    b.sync().await.expect("b syncs");
    b.wait_projected().await;
    let waiting = cloud.exceptions_of("orphan_refund").await;
    assert_eq!(
        waiting.len(),
        1,
        "the refund waits for its sale: {waiting:?}"
    );
    assert_eq!(waiting[0]["resolved"], false);

    // Till A syncs: the refund links to A's milk line.
    a.sync().await.expect("a syncs");
    a.wait_projected().await;
    let resolved = cloud.exceptions_of("orphan_refund").await;
    assert_eq!(resolved[0]["resolved"], true, "{resolved:?}");
    let order = cloud.order(&sale.id).await;
    let refunds = order["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 1, "{order}");
    assert_eq!(refunds[0]["_id"], at_b.id.as_str());
    assert_eq!(refunds[0]["linked"], true);
    let milk_line = sale.lines.iter().find(|l| l.sku == "MILK").unwrap();
    assert_eq!(
        refunds[0]["lines"][0]["sale_line_id"],
        milk_line.id.as_str(),
        "matched to the milk line by product"
    );
    assert!(
        cloud.exceptions_of("over_refund").await.is_empty(),
        "one of two milks back is fine"
    );

    // Till A, which never heard of B's refund, refunds both milks from its own sale: on
    // the server that is one milk more than was sold.
    pos_core::refunds::with_receipt(
        &a.db,
        &a.terminal,
        &a.cashier,
        &sale.id,
        &[(milk_line.line_no, 2000)],
        "cash",
        "both sour",
        Some("4321"),
    )
    .await
    .expect("A allows it: it only knows its own refunds");
    a.sync().await.expect("a syncs");
    a.wait_projected().await;
    let over: Vec<_> = cloud.exceptions_of("over_refund").await;
    assert_eq!(over.len(), 1, "one over-refund exception: {over:?}");
    assert_converged(
        &cloud,
        &[&a, &b],
        &[&sale.id],
        &[(&milk, "MILK"), (&bread, "BREAD")],
    )
    .await;
}

#[tokio::test]
async fn a_terminal_counts_its_sale_once_while_the_server_builds_it() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 50).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 1").await;
    let sale = till.sell(MILK, 3).await;
    assert_eq!(till.stock("MILK").await, 47_000);
    // The ack comes when the sale is stored; the projector builds the balance a little
    // later. Pulls before, during and after that must all show the sale exactly once: an
    // acked movement is not dropped before the balance has it, nor counted twice after.
    let mut before_projection = 0;
    for _ in 0..100 {
        till.sync().await.expect("sync");
        assert_eq!(
            till.stock("MILK").await,
            47_000,
            "the sale counts once, whatever the server has built"
        );
        let state = pos_core::sync::server_state(&till.db).await.unwrap();
        if state.projected_through < state.acked_through {
            before_projection += 1;
        } else if cloud.ledger(&milk).await.0 == 47_000 {
            break;
        }
    }
    till.wait_projected().await;
    till.sync().await.expect("sync");
    assert_eq!(till.stock("MILK").await, 47_000);
    assert_eq!(cloud.ledger(&milk).await.0, 47_000, "the server built it");
    eprintln!("pulls made before the projection: {before_projection}");
    assert_converged(&cloud, &[&till], &[&sale.id], &[(&milk, "MILK")]).await;
}

#[tokio::test]
async fn a_price_changed_while_offline_keeps_the_sale_and_arrives_after() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 50).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 1").await;
    let sale = till.sell(MILK, 2).await;
    assert_eq!(sale.total_minor, 258, "sold at the price the terminal had");
    cloud.set_price(&milk, 149).await;
    till.sync().await.expect("sync");
    till.wait_projected().await;

    let order = cloud.order(&sale.id).await;
    assert_eq!(
        order["total_minor"], 258,
        "the server keeps the till's price: {order}"
    );
    assert_eq!(order["lines"][0]["unit_price_minor"], 129);
    let product = pos_core::catalog::by_barcode(&till.db, MILK)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        product.price_minor, 149,
        "the new price reached the terminal"
    );
    let variance: Vec<_> = cloud.exceptions_of("price_variance").await;
    assert_eq!(
        variance.len(),
        1,
        "the variance is recorded for the manager"
    );
    let next = Till::sell(&till, MILK, 1).await;
    assert_eq!(next.total_minor, 149, "the next sale uses the new price");
    till.sync().await.expect("sync");
    assert_converged(&cloud, &[&till], &[&sale.id, &next.id], &[(&milk, "MILK")]).await;
}

#[tokio::test]
async fn killing_the_terminal_during_push_never_loses_or_doubles_a_sale() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 5000).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 1").await;
    let mut sold = Vec::new();
    for _ in 0..300 {
        sold.push(till.sell(MILK, 1).await.id);
    }
    let pos = kassa_tests::till::pos_binary();
    // A fixed-seed generator: the same kill points on every run.
    let mut seed: u64 = 0x5eed_cafe;
    let mut interrupted = 0;
    for round in 0..20 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let delay = std::time::Duration::from_millis(10 + (seed >> 33) % 150);
        let mut child = std::process::Command::new(&pos)
            .arg("--db")
            .arg(&till.path)
            .arg("sync")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn pos sync");
        tokio::time::sleep(delay).await;
        child.kill().expect("kill -9"); // SIGKILL on Unix
        child.wait().expect("reap");
        if pos_core::sync::unacked_count(&till.db).await.unwrap() > 0 {
            interrupted += 1;
        }
        if round % 5 == 4 {
            // Sell between crashes too: the queue keeps growing while it drains.
            sold.push(till.sell(MILK, 1).await.id);
        }
    }
    assert!(
        interrupted > 0,
        "at least one kill landed before the push finished"
    );
    till.sync().await.expect("a clean sync after 20 crashes");
    let ids: Vec<&str> = sold.iter().map(String::as_str).collect();
    assert_converged(&cloud, &[&till], &ids, &[(&milk, "MILK")]).await;
    assert_eq!(cloud.ledger(&milk).await.0, (5000 - 304) * 1000);
    pos_core::journal::verify(&till.db)
        .await
        .expect("the journal still verifies");
}

#[tokio::test]
async fn a_connected_terminal_gets_price_changes_live_and_shows_online() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 10).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 1").await;
    let db = pos_core::LocalDb::open(&till.path).await.unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let opts = pos_core::sync::DaemonOptions {
        // An hour: anything that arrives sooner came over the live socket, not a poll.
        interval: std::time::Duration::from_secs(3600),
        ..pos_core::sync::DaemonOptions::default()
    };
    let daemon = tokio::spawn(async move {
        pos_core::sync::daemon::run(&db, opts, async {
            let _ = stop_rx.await;
        })
        .await
    });
    // Wait until the socket is up: presence says online.
    let online = async {
        loop {
            let (_, list) = cloud
                .call(
                    reqwest::Method::GET,
                    &format!("/api/shops/{}/presence", cloud.shop_id),
                    &cloud.manager,
                    None,
                )
                .await;
            if list[0]["online"] == true {
                return list;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    let list = tokio::time::timeout(std::time::Duration::from_secs(20), online)
        .await
        .expect("the terminal shows online to the manager");
    assert_eq!(list[0]["terminal_id"], till.terminal.terminal_id.as_str());

    cloud.set_price(&milk, 149).await;
    let arrived = async {
        loop {
            let p = pos_core::catalog::by_barcode(&till.db, MILK)
                .await
                .unwrap()
                .unwrap();
            if p.price_minor == 149 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), arrived)
        .await
        .expect("the new price reaches the connected till without a poll");

    // A cashier the manager adds in the portal can log in at the connected till.
    let (status, body) = cloud
        .call(
            reqwest::Method::POST,
            &format!("/api/shops/{}/staff", cloud.shop_id),
            &cloud.manager,
            Some(serde_json::json!({ "name": "Noa", "role": "cashier", "pin": "8642" })),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    // (Watched on the staff list: wrong PINs while waiting would lock the keypad.)
    let listed = async {
        loop {
            let staff = pos_core::staff::list(&till.db).await.unwrap();
            if staff.iter().any(|s| s.name == "Noa") {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), listed)
        .await
        .expect("the new cashier reaches the connected till without a poll");
    let noa = pos_core::staff::login(&till.db, "8642")
        .await
        .expect("Noa's PIN");
    assert_eq!(noa.name, "Noa");

    // A sale goes up over the socket by itself.
    let sale = till.sell(MILK, 1).await;
    let uploaded = async {
        while !cloud.order_counts().await.contains_key(&sale.id) {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), uploaded)
        .await
        .expect("the sale is pushed over the live socket");

    stop_tx.send(()).unwrap();
    daemon.await.unwrap().expect("the daemon stops cleanly");
    till.sync().await.expect("final sync");
    assert_converged(&cloud, &[&till], &[&sale.id], &[(&milk, "MILK")]).await;
}

#[tokio::test]
async fn a_faulty_network_between_till_and_server_loses_and_doubles_nothing() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 5000).await;
    let proxy = kassa_tests::proxy::FaultProxy::start(server.addr, 0xfa17).await;
    let till = Till::enroll(&proxy.base, &cloud.enrollment_code().await, "Till 1").await;
    let mut sold = Vec::new();
    for _ in 0..400 {
        sold.push(till.sell(MILK, 1).await.id);
    }
    proxy.set_faults(true);
    let mut failures = 0;
    for attempt in 0..200 {
        if attempt % 10 == 9 {
            sold.push(till.sell(MILK, 1).await.id);
        }
        match till.sync().await {
            Ok(_) if attempt > 20 => break,
            Ok(_) => {}
            Err(_) => failures += 1,
        }
    }
    assert!(
        failures > 0 && proxy.total_faults() > 0,
        "faults were injected"
    );
    proxy.set_faults(false);
    till.sync()
        .await
        .expect("a clean sync once the network heals");
    let ids: Vec<&str> = sold.iter().map(String::as_str).collect();
    assert_converged(&cloud, &[&till], &ids, &[(&milk, "MILK")]).await;
    let sold_milli = i64::try_from(sold.len()).unwrap() * 1000;
    assert_eq!(cloud.ledger(&milk).await.0, 5_000_000 - sold_milli);
}

#[tokio::test]
async fn a_server_killed_in_the_middle_of_a_batch_loses_nothing() {
    use kassa_tests::process::{ServerProcess, free_addr};
    let prefix = fresh_prefix();
    let addr = free_addr();
    let server = ServerProcess::spawn(&prefix, addr).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 10_000).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 1").await;
    let mut sold = Vec::new();
    for _ in 0..1500 {
        sold.push(till.sell(MILK, 1).await.id);
    }
    let mut server = server;
    let mut seed: u64 = 7;
    for _ in 0..5 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let db = pos_core::LocalDb::open(&till.path).await.unwrap();
        let push = tokio::spawn(async move { pos_core::sync::sync_once(&db).await });
        tokio::time::sleep(std::time::Duration::from_millis(20 + (seed >> 33) % 300)).await;
        server.kill();
        let _ = push.await.unwrap();
        server = ServerProcess::spawn(&prefix, addr).await;
        sold.push(till.sell(MILK, 1).await.id);
    }
    // A transaction the killed server left open keeps its locks until MongoDB expires it
    // (transactionLifetimeLimitSeconds, 60 s by default): pushes time out and are retried
    // meanwhile, as the daemon does. Nothing is lost, only delayed.
    let started = std::time::Instant::now();
    loop {
        match till.sync().await {
            Ok(_) => break,
            Err(e) if started.elapsed() < std::time::Duration::from_secs(180) => {
                eprintln!("retrying after: {e}");
            }
            Err(e) => panic!("no sync within 3 minutes of the last restart: {e}"),
        }
    }
    let ids: Vec<&str> = sold.iter().map(String::as_str).collect();
    assert_converged(&cloud, &[&till], &ids, &[(&milk, "MILK")]).await;
    drop(server);
}

async fn push_until_done(t: &Till) {
    for _ in 0..20 {
        if pos_core::sync::push(&t.db).await.is_ok()
            && pos_core::sync::unacked_count(&t.db).await.unwrap() == 0
        {
            return;
        }
    }
    panic!("a till could not push within 20 attempts");
}

#[tokio::test]
async fn many_terminals_pushing_at_once_all_land() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let milk = cloud.product("MILK", 129, MILK, 10_000).await;
    let bread = cloud.product("BREAD", 249, BREAD, 10_000).await;
    let mut tills = Vec::new();
    for i in 0..10 {
        let code = cloud.enrollment_code().await;
        tills.push(Till::enroll(&server.base, &code, &format!("Till {i}")).await);
    }
    let mut sold = Vec::new();
    for t in &tills {
        for i in 0..200 {
            sold.push(t.sell(if i % 2 == 0 { MILK } else { BREAD }, 1).await.id);
        }
    }
    // Pushes of one shop take turns on the server; a till whose turn comes after its
    // request timeout retries, as the daemon does. Every retry is safe (duplicates).
    tokio::time::timeout(
        std::time::Duration::from_secs(600),
        futures::future::join_all(tills.iter().map(push_until_done)),
    )
    .await
    .expect("ten concurrent pushes finish");
    for t in &tills {
        t.sync().await.expect("pull");
    }
    let ids: Vec<&str> = sold.iter().map(String::as_str).collect();
    let refs: Vec<&Till> = tills.iter().collect();
    assert_converged(&cloud, &refs, &ids, &[(&milk, "MILK"), (&bread, "BREAD")]).await;
    assert_eq!(cloud.ledger(&milk).await.0, (10_000 - 1000) * 1000);
}

#[tokio::test]
async fn one_shot_syncs_from_cron_reuse_the_device_token_and_stay_under_the_rate_limit() {
    let prefix = fresh_prefix();
    let mut cfg = config(&prefix);
    // Three credential exchanges a minute: a till that traded its secret on every run
    // (a cron job calling `pos sync`) would be refused from the fourth run on.
    cfg.limits.login_attempts_per_minute = 3;
    let server = start(cfg).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    cloud.product("MILK", 129, MILK, 10).await;
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till A").await;
    for run in 1..=8 {
        till.sell(MILK, 1).await;
        if let Err(e) = till.sync().await {
            panic!("run {run} of `pos sync` failed: {e}");
        }
    }
    till.wait_projected().await;
    assert_eq!(
        cloud.order_counts().await.len(),
        8,
        "every run's sale arrived"
    );
}

/// Enrollment brings the shop's zone from the server, so the till prints Berlin's wall time
/// without anyone setting it on the till.
#[tokio::test]
async fn an_enrolled_till_prints_in_its_shops_time_zone() {
    let prefix = fresh_prefix();
    let server = start(config(&prefix)).await;
    let cloud = Cloud::new(&server.base, &prefix).await;
    let (status, shop) = cloud
        .call(
            reqwest::Method::PATCH,
            &format!("/api/shops/{}", cloud.shop_id),
            &cloud.company_admin,
            Some(serde_json::json!({ "timezone": "Europe/Berlin" })),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "shop: {shop}");
    let till = Till::enroll(&server.base, &cloud.enrollment_code().await, "Till 1").await;
    assert_eq!(
        till.terminal.time_zone.name(),
        "Europe/Berlin",
        "the server's zone for the shop is the till's"
    );
    let berlin = till.terminal.time_zone.format(1_796_695_724_000);
    assert_eq!(berlin, "2026-12-08 03:08 CET");
}
