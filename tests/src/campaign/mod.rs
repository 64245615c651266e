//! The fault campaign: randomized episodes of till traffic under injected faults (tills
//! and servers killed with SIGKILL, RabbitMQ and the MongoDB store cut off, a faulty
//! network, a till's clock skewed, a till's disk full), each followed by healing and a
//! check of the invariants a shop relies on. Seeded: the same seed replays the same
//! episodes. `tests/tests/faults.rs` runs it; docs/reliability.md says how to run it long.

mod faults;
mod invariants;
mod world;

pub use faults::Fault;
pub use world::World;

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A small deterministic generator (PCG-style LCG): enough to pick faults and timings.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn step(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.step() % n.max(1)
    }
}

/// What a campaign did and found.
#[derive(Debug, Default)]
pub struct Report {
    pub episodes: u32,
    pub sales: u32,
    pub faults: BTreeMap<&'static str, u32>,
    /// Each broken invariant, with its episode.
    pub violations: Vec<String>,
}

impl Report {
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} episodes, {} sales, {} faults injected (",
            self.episodes,
            self.sales,
            self.faults.values().sum::<u32>()
        );
        for (i, (kind, n)) in self.faults.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(s, "{sep}{kind} {n}");
        }
        let _ = write!(s, "), {} violations", self.violations.len());
        s
    }
}

/// Runs `episodes` episodes from `seed` in one world and reports.
pub async fn run(seed: u64, episodes: u32) -> Report {
    run_worlds(seed, episodes, 1).await
}

/// Runs `episodes` episodes shared among `worlds` independent worlds at once (each its own
/// server, tills, proxies and database prefix; world `w` draws from `seed + w`), so a long
/// campaign spends its waits (restarts, expiring transactions) in parallel. One world with
/// the same seed replays exactly what [`run`] did.
pub async fn run_worlds(seed: u64, episodes: u32, worlds: u32) -> Report {
    let worlds = worlds.clamp(1, episodes.max(1));
    let runs = (0..worlds).map(|w| {
        let share = episodes / worlds + u32::from(w < episodes % worlds);
        run_world(seed.wrapping_add(u64::from(w)), w, share)
    });
    let mut report = Report::default();
    for r in futures::future::join_all(runs).await {
        report.episodes += r.episodes;
        report.sales += r.sales;
        for (kind, n) in r.faults {
            *report.faults.entry(kind).or_default() += n;
        }
        report.violations.extend(r.violations);
    }
    report
}

async fn run_world(seed: u64, w: u32, episodes: u32) -> Report {
    let mut rng = Rng::new(seed);
    let mut world = World::start().await;
    let mut report = Report::default();
    for episode in 1..=episodes {
        let picked = Fault::pick(&mut rng);
        for fault in &picked {
            *report.faults.entry(fault.name()).or_default() += 1;
        }
        let (sold, mut found) = world.episode(&mut rng, &picked).await;
        report.sales += sold;
        world.heal().await;
        found.extend(invariants::check(&world).await);
        for v in found {
            // Said at once: a long run's violations are read while it still runs.
            let v = format!("world {w} episode {episode} ({picked:?}): {v}");
            eprintln!("[faults] VIOLATION {v}");
            report.violations.push(v);
        }
        report.episodes = episode;
        eprintln!(
            "[faults] world {w} episode {episode}: {picked:?}, {sold} sales; {}",
            report.summary()
        );
    }
    world.stop().await;
    report
}
