//! The `pos` CLI as a separate process: one barcode sale on the benchmark database,
//! run under a peak-RSS measurement. This is what a cashier's terminal process costs.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use pos_core::shifts;
use rand::Rng;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::load::{CASHIER_PIN, Loaded};
use crate::dataset::GenProduct;
use crate::memory::run_child;
use crate::stats::Samples;

/// Which `pos` binary to measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PosBinary {
    /// Next to this executable (the same target dir and profile), built if missing.
    Auto,
    /// This file.
    Path(PathBuf),
    /// Do not run it (tests).
    Skip,
}

/// Peak RSS and wall time of `pos sell` processes.
#[derive(Debug)]
pub struct PosRuns {
    pub peak_rss_bytes: u64,
    pub how: &'static str,
    pub wall: Samples,
}

/// Finds `pos` beside the running executable (or one level up, for test binaries in
/// `deps/`), building it with the same profile through cargo when absent.
fn locate(which: &PosBinary) -> anyhow::Result<Option<PathBuf>> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("executable has no directory")?;
    match which {
        PosBinary::Skip => Ok(None),
        PosBinary::Path(p) => Ok(Some(p.clone())),
        PosBinary::Auto => {
            let candidates = [dir.join("pos"), dir.join("../pos")];
            if let Some(found) = candidates.iter().find(|p| p.is_file()) {
                return Ok(Some(found.clone()));
            }
            build_pos(dir)?;
            Ok(Some(dir.join("pos")))
        }
    }
}

fn build_pos(profile_dir: &Path) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "-p", "pos-core", "--bin", "pos"]);
    if profile_dir.ends_with("release") {
        cmd.arg("--release");
    }
    eprintln!("kassa-bench: `pos` not found beside kassa-bench, building it");
    if !cmd.status().context("running cargo build")?.success() {
        bail!("building the `pos` binary failed");
    }
    Ok(())
}

/// Opens a new shift (the Z closed the last one) and runs `runs` one-item `pos sell`s.
pub async fn pos_sales(
    l: &Loaded,
    products: &[GenProduct],
    which: &PosBinary,
    runs: usize,
) -> anyhow::Result<Option<PosRuns>> {
    let Some(pos) = locate(which)? else {
        return Ok(None);
    };
    shifts::open(&l.db, &l.cashier, 10_000).await?;
    let mut rng = StdRng::seed_from_u64(runs as u64);
    let (mut peak, mut how, mut wall) = (0, "", Samples::default());
    for _ in 0..runs.max(1) {
        let p = &products[rng.random_range(0..products.len())];
        let args = [
            "--db",
            &l.path.display().to_string(),
            "sell",
            "--pin",
            CASHIER_PIN,
            "--item",
            &p.barcode,
            "--cash",
            "100",
        ]
        .map(String::from);
        let run = run_child(&pos, &args)?;
        anyhow::ensure!(
            run.stdout.contains("completed"),
            "pos sell did not complete: {}",
            run.stdout
        );
        peak = peak.max(run.peak_rss_bytes);
        how = run.how;
        wall.push(run.wall);
    }
    Ok(Some(PosRuns {
        peak_rss_bytes: peak,
        how,
        wall,
    }))
}
