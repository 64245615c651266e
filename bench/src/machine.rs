//! A one-line description of the machine a run happened on, for the results header.

use std::path::Path;

fn proc_field(file: &str, key: &str) -> Option<String> {
    std::fs::read_to_string(file).ok()?.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim().to_owned())
    })
}

/// CPU model, cores, memory, kernel, and the filesystem holding `dir`.
pub fn describe(dir: &Path) -> String {
    let cpu = proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = proc_field("/proc/meminfo", "MemTotal")
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(|| "?".into(), |kb| format!("{:.0}", kb / 1024.0 / 1024.0));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "?".into(), |k| k.trim().to_owned());
    format!(
        "{cpu}, {cores} cores, {mem_gib} GiB RAM, Linux {kernel}; database on {}",
        filesystem(dir)
    )
}

/// Device and type of the mount holding `dir` (longest matching mount point).
fn filesystem(dir: &Path) -> String {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3 && dir.starts_with(f[1])).then(|| (f[1].len(), f[0], f[2]))
        })
        .max_by_key(|(len, _, _)| *len)
        .map_or_else(
            || "an unknown filesystem".into(),
            |(_, dev, fs)| format!("{fs} ({dev})"),
        )
}
