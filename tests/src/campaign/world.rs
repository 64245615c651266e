//! The world a campaign runs in: a `sync-server` process reaching MongoDB and RabbitMQ
//! through cuttable proxies, a fault-injecting network in front of it, three enrolled tills
//! and three products, and a tally of what the tills sold.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{Fault, Rng};
use crate::cloud::Cloud;
use crate::cut::{TcpCut, uri_addr, uri_via};
use crate::process::{ServerProcess, free_addr};
use crate::proxy::FaultProxy;
use crate::till::Till;

/// Codes of the campaign's products (valid EAN-13 / UPC-A check digits).
const CODES: [(&str, &str); 3] = [
    ("MILK", "4006381333931"),
    ("BREAD", "5901234123457"),
    ("SOAP", "036000291452"),
];
/// Enough stock that no episode oversells (oversold is legal, just noisier to check).
const INITIAL_UNITS: i64 = 100_000;

pub struct Product {
    pub id: String,
    pub sku: &'static str,
    pub code: &'static str,
    pub initial_milli: i64,
}

pub struct World {
    prefix: String,
    addr: SocketAddr,
    server: Option<ServerProcess>,
    pub store: TcpCut,
    pub broker: TcpCut,
    pub network: FaultProxy,
    pub cloud: Cloud,
    pub tills: Vec<Till>,
    pub products: Vec<Product>,
    /// Every sale a till committed, by id.
    pub sold: Vec<String>,
    /// Thousandths sold per product id.
    pub sold_milli: HashMap<String, i64>,
}

impl World {
    pub async fn start() -> Self {
        let prefix = crate::fresh_prefix();
        let store = TcpCut::start(uri_addr(&crate::mongo_uri())).await;
        let broker = TcpCut::start(uri_addr(&crate::amqp_uri())).await;
        let addr = free_addr();
        let server = spawn_server(&prefix, addr, &store, &broker).await;
        let cloud = Cloud::new(&server.base, &prefix).await;
        let mut world = Self {
            server: Some(server),
            network: FaultProxy::start(addr, 0xfa17).await,
            cloud,
            prefix,
            addr,
            store,
            broker,
            tills: Vec::new(),
            products: Vec::new(),
            sold: Vec::new(),
            sold_milli: HashMap::new(),
        };
        for (sku, code) in CODES {
            let id = world.cloud.product(sku, 199, code, INITIAL_UNITS).await;
            let initial_milli = INITIAL_UNITS * 1000;
            world.products.push(Product {
                id,
                sku,
                code,
                initial_milli,
            });
        }
        for n in 1..=3 {
            let code = world.cloud.enrollment_code().await;
            let till = Till::enroll(&world.network.base, &code, &format!("Till {n}")).await;
            world.tills.push(till);
        }
        world
    }

    /// Starts (or starts again, on the same address) the server process.
    pub async fn restart_server(&mut self) {
        self.kill_server();
        self.server = Some(spawn_server(&self.prefix, self.addr, &self.store, &self.broker).await);
    }

    /// SIGKILL the server (no graceful shutdown).
    pub fn kill_server(&mut self) {
        if let Some(s) = self.server.take() {
            s.kill();
        }
    }

    /// Sells `qty` of product `p` at till `t` and tallies it.
    pub async fn sell(&mut self, t: usize, p: usize, qty: i64) {
        let sale = self.tills[t].sell(self.products[p].code, qty).await;
        self.tally(sale.id, p, qty);
    }

    pub fn tally(&mut self, sale_id: String, p: usize, qty: i64) {
        self.sold.push(sale_id);
        *self
            .sold_milli
            .entry(self.products[p].id.clone())
            .or_default() += qty * 1000;
    }

    /// One episode: traffic with `faults` active; returns the sales made and any
    /// invariant a fault broke on the spot (a half-written sale on a full disk).
    pub async fn episode(&mut self, rng: &mut Rng, faults: &[Fault]) -> (u32, Vec<String>) {
        let before = self.sold.len();
        let mut violations = Vec::new();
        self.network.set_faults(faults.contains(&Fault::Network));
        self.broker.set_down(faults.contains(&Fault::BrokerDown));
        let steps = 6 + rng.below(10);
        let at = rng.below(steps);
        for step in 0..steps {
            let t = usize::try_from(rng.below(3)).unwrap();
            let p = usize::try_from(rng.below(3)).unwrap();
            self.sell(t, p, 1 + i64::try_from(rng.below(3)).unwrap())
                .await;
            if step == at {
                for fault in faults {
                    if let Err(v) = fault.inject(self, rng).await {
                        violations.push(v);
                    }
                }
            }
            if rng.below(3) == 0 {
                // Failures are expected under faults; healing syncs for real.
                let _ = self.tills[t].sync().await;
            }
        }
        self.network.set_faults(false);
        self.broker.set_down(false);
        self.store.set_down(false);
        (u32::try_from(self.sold.len() - before).unwrap(), violations)
    }

    /// Everything back up; every till synced until its queue is empty and the server has
    /// built it, then synced again so each till holds everyone's stock.
    pub async fn heal(&mut self) {
        if self.server.is_none() {
            self.restart_server().await;
        }
        for t in &self.tills {
            sync_until_done(t).await;
        }
        for t in &self.tills {
            t.wait_projected().await;
        }
        for t in &self.tills {
            sync_until_done(t).await;
        }
    }

    pub async fn stop(mut self) {
        self.kill_server();
    }
}

async fn spawn_server(
    prefix: &str,
    addr: SocketAddr,
    store: &TcpCut,
    broker: &TcpCut,
) -> ServerProcess {
    let mongo = uri_via(&crate::mongo_uri(), store.addr);
    let amqp = uri_via(&crate::amqp_uri(), broker.addr);
    ServerProcess::spawn_with(prefix, addr, &mongo, &amqp).await
}

/// Syncs until a sync succeeds: after a killed server or a cut store, MongoDB holds the
/// dead transaction's locks until it expires them, and pushes time out meanwhile.
async fn sync_until_done(t: &Till) {
    let started = Instant::now();
    loop {
        match t.sync().await {
            Ok(_) => return,
            Err(_) if started.elapsed() < Duration::from_secs(240) => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("a till could not sync within 4 minutes of healing: {e}"),
        }
    }
}
