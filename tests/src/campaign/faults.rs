//! The faults a campaign injects, and how each is injected mid-episode.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use pos_core::LocalDb;
use pos_core::clock::ManualClock;

use super::{Rng, World};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Connections between tills and server reset, answers lost or cut, stalls.
    Network,
    /// The server SIGKILLed in the middle of a till's push, then started again.
    ServerKill,
    /// A till's `pos sync` SIGKILLed in the middle of its push.
    TillKill,
    /// RabbitMQ unreachable for the whole episode.
    BrokerDown,
    /// The MongoDB store unreachable for up to a second during a push.
    StoreDown,
    /// A till whose clock is days off sells.
    ClockSkew,
    /// A till's disk fills up as it commits a sale.
    DiskFull,
}

const ALL: [Fault; 7] = [
    Fault::Network,
    Fault::ServerKill,
    Fault::TillKill,
    Fault::BrokerDown,
    Fault::StoreDown,
    Fault::ClockSkew,
    Fault::DiskFull,
];

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::Network => "network",
            Fault::ServerKill => "server kill -9",
            Fault::TillKill => "till kill -9",
            Fault::BrokerDown => "rabbitmq down",
            Fault::StoreDown => "mongodb down",
            Fault::ClockSkew => "clock skew",
            Fault::DiskFull => "disk full",
        }
    }

    /// One to three different faults.
    pub fn pick(rng: &mut Rng) -> Vec<Fault> {
        let mut picked = Vec::new();
        for _ in 0..=rng.below(3) {
            let f = ALL[usize::try_from(rng.below(ALL.len() as u64)).unwrap()];
            if !picked.contains(&f) {
                picked.push(f);
            }
        }
        picked
    }

    /// Injects the fault now; `Err` is an invariant it broke on the spot.
    pub async fn inject(self, w: &mut World, rng: &mut Rng) -> Result<(), String> {
        let t = usize::try_from(rng.below(w.tills.len() as u64)).unwrap();
        let delay = Duration::from_millis(10 + rng.below(200));
        match self {
            // Active for the whole episode (set by `World::episode`).
            Fault::Network | Fault::BrokerDown => Ok(()),
            Fault::ServerKill => {
                let push = background_sync(&w.tills[t].path).await;
                tokio::time::sleep(delay).await;
                w.kill_server();
                let _ = push.await;
                w.restart_server().await;
                Ok(())
            }
            Fault::TillKill => {
                kill_pos_sync(&w.tills[t].path, delay).await;
                Ok(())
            }
            Fault::StoreDown => {
                let push = background_sync(&w.tills[t].path).await;
                w.store.set_down(true);
                tokio::time::sleep(delay * 4).await;
                w.store.set_down(false);
                let _ = push.await;
                Ok(())
            }
            Fault::ClockSkew => skewed_sale(w, t, rng).await,
            Fault::DiskFull => full_disk_sale(w, t).await,
        }
    }
}

/// A push running on its own handle, as a second process would.
async fn background_sync(path: &std::path::Path) -> tokio::task::JoinHandle<()> {
    let db = LocalDb::open(path).await.expect("open till db");
    tokio::spawn(async move {
        let _ = pos_core::sync::sync_once(&db).await;
    })
}

async fn kill_pos_sync(path: &std::path::Path, after: Duration) {
    let mut child = Command::new(crate::till::pos_binary())
        .arg("--db")
        .arg(path)
        .arg("sync")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn pos sync");
    tokio::time::sleep(after).await;
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

/// A sale from a till whose clock is up to three days fast or slow.
async fn skewed_sale(w: &mut World, t: usize, rng: &mut Rng) -> Result<(), String> {
    let skew_ms = i64::try_from(rng.below(6 * 86_400_000)).unwrap() - 3 * 86_400_000;
    let now = chrono_now_ms() + skew_ms;
    let till = &w.tills[t];
    let db = LocalDb::open_with_clock(&till.path, Arc::new(ManualClock::at(now)))
        .await
        .expect("open till db with a skewed clock");
    let p = usize::try_from(rng.below(w.products.len() as u64)).unwrap();
    let sale =
        crate::till::sell_on(&db, &till.terminal, &till.cashier, w.products[p].code, 1).await;
    w.tally(sale.id, p, 1);
    Ok(())
}

/// `pos sell` with no room to grow any file (a 1 KiB file-size limit): SQLite's next
/// write fails as on a full disk. The sale must be refused with a message, leaving the
/// journal exactly as it was.
async fn full_disk_sale(w: &mut World, t: usize) -> Result<(), String> {
    let till = &w.tills[t];
    let before = pos_core::journal::verify(&till.db)
        .await
        .map_err(|e| e.to_string())?;
    let sales_before = pos_core::sales::all_ids(&till.db)
        .await
        .map_err(|e| e.to_string())?;
    let script = String::from(
        "trap '' XFSZ; ulimit -f 1; exec \"$0\" --db \"$1\" sell --pin 1111 --item \"$2\" --cash 100",
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .arg(crate::till::pos_binary())
        .arg(&till.path)
        .arg(w.products[0].code)
        .output()
        .expect("run pos sell");
    let after = pos_core::journal::verify(&till.db)
        .await
        .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        // The write fit in a page SQLite already had: a real sale, counted as such.
        eprintln!("[faults] disk full: the sale still fitted");
        if after.records != before.records + 1 {
            return Err(format!(
                "a sale on a nearly full disk left {} records",
                after.records - before.records
            ));
        }
        let sales = pos_core::sales::all_ids(&till.db)
            .await
            .map_err(|e| e.to_string())?;
        let id = sales
            .into_iter()
            .find(|id| !sales_before.contains(id))
            .ok_or("the sale made is not there")?;
        w.tally(id, 0, 1);
        return Ok(());
    }
    if after.records != before.records {
        return Err(format!(
            "a refused sale still wrote {} journal records",
            after.records - before.records
        ));
    }
    if !stderr.contains("disk") && !stderr.contains("full") {
        return Err(format!(
            "a full disk was not named in the message: {stderr}"
        ));
    }
    Ok(())
}

fn chrono_now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since.as_millis()).expect("ms fit")
}
