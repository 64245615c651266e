//! Peak memory: VmHWM of this process, and the peak RSS of a child command measured
//! with GNU `/usr/bin/time -v` when installed, else by polling `/proc/<pid>/status`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const GNU_TIME: &str = "/usr/bin/time";

/// A `kB` field of a `/proc/<pid>/status` text, in bytes.
fn status_kb(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// This process's peak resident set (VmHWM) in bytes.
pub fn own_peak_rss() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status").context("reading /proc/self")?;
    status_kb(&status, "VmHWM").context("no VmHWM in /proc/self/status")
}

/// The peak resident set (VmHWM) of a running process, in bytes; `None` once it is gone.
pub fn peak_rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_kb(&status, "VmHWM")
}

/// How a child run went.
#[derive(Debug, Clone)]
pub struct ChildRun {
    pub peak_rss_bytes: u64,
    pub wall: Duration,
    pub how: &'static str,
    pub stdout: String,
}

/// Runs `program args` to completion and measures its peak RSS; fails if it fails.
pub fn run_child(program: &Path, args: &[String]) -> anyhow::Result<ChildRun> {
    if Path::new(GNU_TIME).exists() {
        with_gnu_time(program, args)
    } else {
        with_polling(program, args)
    }
}

fn with_gnu_time(program: &Path, args: &[String]) -> anyhow::Result<ChildRun> {
    let started = Instant::now();
    let out = Command::new(GNU_TIME)
        .arg("-v")
        .arg(program)
        .args(args)
        .output()
        .with_context(|| format!("running {GNU_TIME} -v {}", program.display()))?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("{} failed: {stderr}", program.display());
    }
    let kb: u64 = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .context("GNU time printed no maximum resident set size")?;
    Ok(ChildRun {
        peak_rss_bytes: kb * 1024,
        wall,
        how: "GNU time -v",
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    })
}

fn with_polling(program: &Path, args: &[String]) -> anyhow::Result<ChildRun> {
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", program.display()))?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    // VmHWM only grows, so the last reading before exit is the peak up to then.
    while child.try_wait()?.is_none() {
        if let Some(hwm) = std::fs::read_to_string(&status_path)
            .ok()
            .and_then(|s| status_kb(&s, "VmHWM"))
        {
            peak = peak.max(hwm);
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let wall = started.elapsed();
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(ChildRun {
        peak_rss_bytes: peak,
        wall,
        how: "polling /proc/<pid>/status",
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kb_fields() {
        let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    1234 kB\n";
        assert_eq!(status_kb(status, "VmHWM"), Some(1234 * 1024));
        assert_eq!(status_kb(status, "VmRSS"), None);
        assert!(
            own_peak_rss().unwrap() > 0,
            "this process has resident pages"
        );
    }
}
