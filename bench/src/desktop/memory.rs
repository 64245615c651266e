//! The memory of the whole running app: the Tauri process and every process under it
//! (WebKit's web and network processes), read from /proc.

use std::collections::HashMap;

/// Resident and proportional set sizes summed over the app's process tree.
#[derive(Debug)]
pub struct TreeMemory {
    pub rss: u64,
    pub pss: u64,
    /// Each process: command name, RSS, PSS.
    pub each: Vec<(String, u64, u64)>,
}

impl TreeMemory {
    /// "kassa-desktop 120.0 MiB / 80.0 MiB, ..." for the notes under the table.
    pub fn describe_each(&self) -> String {
        self.each
            .iter()
            .map(|(name, rss, pss)| {
                format!(
                    "{name} {} / {}",
                    crate::stats::fmt_bytes(*rss),
                    crate::stats::fmt_bytes(*pss)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn kb_field(text: &str, field: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// (pid, parent pid, command name) of every process.
fn processes() -> Vec<(u32, u32, String)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let name = status
                .lines()
                .next()?
                .strip_prefix("Name:")?
                .trim()
                .to_owned();
            let ppid = status
                .lines()
                .find_map(|l| l.strip_prefix("PPid:"))?
                .trim()
                .parse()
                .ok()?;
            Some((pid, ppid, name))
        })
        .collect()
}

/// The tree under the newest process running `binary` (another run of the app, say a
/// test of a debug build, may be up at the same time).
pub fn app_tree(binary: &std::path::Path) -> Option<TreeMemory> {
    let all = processes();
    let wanted = std::fs::canonicalize(binary).ok()?;
    let root = all
        .iter()
        .filter(|(pid, _, _)| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == wanted)
        })
        .map(|p| p.0)
        .max()?;
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for (pid, ppid, _) in &all {
        children.entry(*ppid).or_default().push(*pid);
    }
    let names: HashMap<u32, &str> = all.iter().map(|(p, _, n)| (*p, n.as_str())).collect();
    let mut stack = vec![root];
    let mut out = TreeMemory {
        rss: 0,
        pss: 0,
        each: Vec::new(),
    };
    while let Some(pid) = stack.pop() {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        let (rss, pss) = (kb_field(&status, "VmRSS"), kb_field(&rollup, "Pss"));
        out.rss += rss;
        out.pss += pss;
        let name = names.get(&pid).copied().unwrap_or("?").to_owned();
        out.each.push((name, rss, pss));
        stack.extend(children.get(&pid).into_iter().flatten());
    }
    Some(out)
}
